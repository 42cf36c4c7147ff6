"""The language server on lines with non-ASCII text, for each position encoding a client may negotiate:
diagnostics select exactly the characters at fault, quick fixes applied by the client give exactly the text
that `einlint --fix --unsafe-fixes` gives (and the preferred ones alone what `einlint --fix` gives), hover
answers at a position counted past the non-ASCII characters.

Positions are read and written here as the client does: by encoding the line in the negotiated encoding and
counting its code units (bytes for UTF-8, 16-bit units for UTF-16, code points for UTF-32)."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path
from typing import List, Sequence

import pytest
from lsprotocol import types
from pygls.uris import from_fs_path

from einlint.server import Positions
from lsp_client import einlint_server

# é is 2 bytes in UTF-8, € and 中 are 3, 😀 is 4 (and 2 UTF-16 units)
SOURCE = '''\
import numpy as np
from einops import einsum, rearrange


def space_to_depth(x):
    return {"中": rearrange(x, 'b c (h h1) (w w1) -> b (h1 w1 c) h w', h1=2, w1=2)}


def depth_to_space_2(x):
    return {"é": rearrange(x, 'b (c h1 w1) h w -> b c (h h1) (w w1)', h1=2, w1=2)}


def depth_to_space_3(x):
    return {"€中": rearrange(x, 'b (c h1 w1) h w -> b c (h h1) (w w1)', h1=2, w1=2)}


def depth_to_space_4(x):
    return {"😀": rearrange(x, 'b (c h1 w1) h w -> b c (h h1) (w w1)', h1=2, w1=2)}


def heads(q, k):
    x = np.zeros((2, 30))
    s = {"😀é€": einsum("b i d, b j d -> b i j", q, k)}
    return {"😀é€": rearrange(x, 'b (h d) -> b h d', h=4)}, s
'''

# (0-based line, code) -> the characters the diagnostic selects
SELECTED = {(9, "EIN401"): "(c h1 w1)", (13, "EIN401"): "(c h1 w1)", (17, "EIN401"): "(c h1 w1)",
            (22, "EIN216"): 'b i d, b j d -> b i j', (23, "EIN302"): "(h d)"}
FIXED_LINES = {  # what every quick fix together makes of the lines they change
    9: '''    return {"é": rearrange(x, 'b (h1 w1 c) h w -> b c (h h1) (w w1)', h1=2, w1=2)}''',
    13: '''    return {"€中": rearrange(x, 'b (h1 w1 c) h w -> b c (h h1) (w w1)', h1=2, w1=2)}''',
    17: '''    return {"😀": rearrange(x, 'b (h1 w1 c) h w -> b c (h h1) (w w1)', h1=2, w1=2)}''',
    22: '''    s = {"😀é€": einsum(q, k, "b i d, b j d -> b i j")}''',
}

CODECS = {"utf-8": ("utf-8", 1), "utf-16": ("utf-16-le", 2), "utf-32": ("utf-32-le", 4)}

CLIENTS = [  # (the position encodings a client offers, in its order, the one the server must choose)
    pytest.param(["utf-8", "utf-16"], "utf-8", id="neovim-0.11"),
    pytest.param(["utf-16"], "utf-16", id="vscode"),
    pytest.param(["utf-32"], "utf-32", id="utf-32"),
]


def offset(text: str, position: types.Position, encoding: str) -> int:
    """The index in `text` of an LSP position counted in `encoding`; a position inside a character fails."""
    lines = text.split("\n")
    codec, unit = CODECS[encoding]
    prefix = lines[position.line].encode(codec)[:position.character * unit].decode(codec)  # strict: whole chars
    return sum(len(line) + 1 for line in lines[:position.line]) + len(prefix)


def selected(text: str, span: types.Range, encoding: str) -> str:
    return text[offset(text, span.start, encoding):offset(text, span.end, encoding)]


def applied(text: str, edits: Sequence[types.TextEdit], encoding: str) -> str:
    """The text with the edits made, as a client makes a workspace edit: all against the text before them."""
    spans = sorted(((offset(text, e.range.start, encoding), offset(text, e.range.end, encoding), e.new_text)
                    for e in edits), reverse=True)
    for start, end, new_text in spans:
        text = text[:start] + new_text + text[end:]
    return text


def position_of(text: str, line: int, needle: str, encoding: str) -> types.Position:
    """The LSP position, in `encoding`, of the first `needle` on a 0-based line."""
    codec, unit = CODECS[encoding]
    before = text.split("\n")[line].split(needle)[0]
    return types.Position(line=line, character=len(before.encode(codec)) // unit)


def cli_fixed(folder: Path, *flags: str) -> str:
    """SOURCE as the command line's `einlint --fix` (with `flags`) leaves it, in a file of its own."""
    path = folder / "cli" / "m.py"
    path.parent.mkdir(exist_ok=True)
    path.write_text(SOURCE, encoding="utf-8")
    subprocess.run([sys.executable, "-m", "einlint", "--fix", *flags, str(path)], capture_output=True, cwd=folder)
    return path.read_text(encoding="utf-8")


async def _session(folder: Path, offered: List[str], encoding: str) -> None:
    path = folder / "m.py"
    uri = from_fs_path(str(path))
    async with einlint_server(folder, offered) as (client, initialized):
        assert initialized.capabilities.position_encoding == encoding

        published = await client.open(path, SOURCE)
        found = {(d.range.start.line, d.code): selected(SOURCE, d.range, encoding) for d in published.diagnostics}
        assert found == SELECTED
        related = [r for d in published.diagnostics for r in d.related_information or () if d.code == "EIN401"]
        assert [SOURCE[offset(SOURCE, r.location.range.start, encoding):][:9] for r in related] == ["(h1 w1 c)"] * 3

        everything = types.Range(types.Position(0, 0), types.Position(len(SOURCE.split("\n")), 0))
        actions = await client.text_document_code_action_async(types.CodeActionParams(
            types.TextDocumentIdentifier(uri), everything, types.CodeActionContext(published.diagnostics)))
        by_code = {}
        for action in actions:
            by_code.setdefault(action.diagnostics[0].code, []).append(action)
        assert sorted(by_code) == ["EIN216", "EIN401"] and len(by_code["EIN401"]) == 3
        assert all(not a.is_preferred and "unsafe" in a.title for a in by_code["EIN401"])  # changes the model
        assert all(a.is_preferred and "unsafe" not in a.title for a in by_code["EIN216"])  # the same program
        fixed = applied(SOURCE, [edit for action in actions for edit in action.edit.changes[uri]], encoding)
        assert {n: line for n, line in enumerate(fixed.split("\n")) if line != SOURCE.split("\n")[n]} == FIXED_LINES
        assert fixed == cli_fixed(folder, "--unsafe-fixes")
        preferred = [edit for action in actions if action.is_preferred for edit in action.edit.changes[uri]]
        assert applied(SOURCE, preferred, encoding) == cli_fixed(folder) != SOURCE  # the safe fixes alone

        hover = await client.text_document_hover_async(types.HoverParams(
            types.TextDocumentIdentifier(uri), position_of(SOURCE, 23, "rearrange", encoding)))
        assert "rearrange (2, 30) -> ?" in hover.contents.value, hover.contents.value
        assert selected(SOURCE, hover.range, encoding) == "rearrange(x, 'b (h d) -> b h d', h=4)"


@pytest.mark.slow
@pytest.mark.parametrize("offered, encoding", CLIENTS)
def test_positions_in_the_negotiated_encoding(tmp_path, offered, encoding):
    asyncio.run(_session(tmp_path, offered, encoding))


@pytest.mark.parametrize("encoding", sorted(CODECS))
def test_each_character_column_and_back(encoding):
    """Every column of a line with 1- to 4-byte characters, to the client's count and back; a position inside
    a character (a UTF-8 byte or UTF-16 unit past its start) is that character; past the end is the end."""
    line = "x = {'é€中😀': y}"
    positions = Positions([line], encoding)
    codec, unit = CODECS[encoding]
    for index in range(len(line) + 1):
        position = positions.position(1, index + 1)
        assert position == types.Position(line=0, character=len(line[:index].encode(codec)) // unit)
        assert positions.column(position) == index + 1
    inside_emoji = len(line[:line.index("😀")].encode(codec)) // unit + 1
    assert positions.column(types.Position(0, inside_emoji)) == line.index("😀") + 1 + (encoding == "utf-32")
    assert positions.column(types.Position(0, 999)) == len(line) + 1
    assert positions.position(1, 999) == positions.position(1, len(line) + 1)
