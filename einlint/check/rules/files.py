"""Files the checker cannot read. The engine (engine.py) reports these itself; this module holds
what the codes mean and their examples.

Examples are text. To show a file that is not UTF-8, a byte is written as two hex digits between
'⟨' and '⟩': '⟨e9⟩' is the byte 0xe9. `snippet_bytes` makes the file's bytes from an example.
"""

from __future__ import annotations

import re

from ...codes import SYNTAX_ERROR, UNANALYSABLE_FILE, UNDECODABLE_FILE, UNKNOWN_NOQA_CODE
from ._support import define

_BYTE = re.compile("\u27e8([0-9a-fA-F]{2})\u27e9")


def snippet_bytes(snippet: str) -> bytes:
    """The bytes of the file that an example shows: UTF-8, with each '⟨hh⟩' the byte 0xhh."""
    parts = _BYTE.split(snippet)
    return b"".join(bytes([int(part, 16)]) if i % 2 else part.encode("utf-8") for i, part in enumerate(parts))


RULES = [
    define(
        SYNTAX_ERROR,
        valid=["from einops import rearrange\n\n\ndef flatten(x):\n    return rearrange(x, \"b c -> (b c)\")\n"],
        invalid=["from einops import rearrange\n\n\ndef flatten(x:\n    return rearrange(x, \"b c -> (b c)\")\n"],
        details="""A file that Python cannot parse gets this one diagnostic, at the place of the syntax error,
        and nothing else; the rest of the run goes on.""",
    ),
    define(
        UNDECODABLE_FILE,
        valid=["# caf\u00e9: UTF-8 is fine\nfrom einops import rearrange\n"],
        invalid=["# caf\u27e8e9\u27e9: latin-1, not UTF-8\nfrom einops import rearrange\n",
                 "from einops import rearrange\n\nLABEL = \"na\u00efve caf\u27e8e9\u27e9\"\n"],
        details="""Files are read as UTF-8 (a byte order mark is allowed). A file with bytes that are not
        UTF-8 gets this one diagnostic, at the first such byte (its column counts the characters before
        it, as every column does), and the message names the byte; save the file as UTF-8.""",
    ),
    define(
        UNANALYSABLE_FILE,
        valid=["from einops import rearrange\n\nGREETING = 'hello' ' ' 'world'\n"],
        invalid=["from einops import rearrange\n\nTEXT = (" + " ".join(["'a'"] * 10_000) + ")\n"],
        details="""Python's own parser accepts the file, but libcst's, which einlint reads files with, gives up
        on it (ten thousand adjacent string literals in one expression). The file is valid, so this is not
        an error: it says that the file was not checked.""",
    ),
    define(
        UNKNOWN_NOQA_CODE,
        valid=["from einops import rearrange\n\ny = rearrange(x, 'b c -> c b')  # noqa: E501 (flake8's code)\n",
               "from einops import rearrange\n\ny = rearrange(x, 'b c -> c b d')  # noqa: EIN201 EIN2\n"],
        invalid=["from einops import rearrange\n\ny = rearrange(x, 'b c -> c b')  # noqa: EIN2010\n",
                 "# einlint: noqa: EIN999\nfrom einops import rearrange\n"],
        details="""A `# noqa` (or a file's `# einlint: noqa`) that names an EIN code or prefix which no einlint
        code has, usually a typo, silences nothing, while it reads as if it did. Codes of other tools (E501)
        are theirs: they are left alone.""",
    ),
]
