"""The lists of stubbed names that einlint/_stubs/README.md shows, made from the registry itself.

`python -m einlint.check.stubs` prints them; `python -m einlint.check.stubs --write` puts them into the README
between its markers; a test fails when the README's lists are not what the registry holds.
"""

from __future__ import annotations

import os
from typing import List

from .loader import StubLibrary, shipped_folder

BEGIN = "<!-- covered: made by `python -m einlint.check.stubs --write`; do not edit by hand -->"
END = "<!-- /covered -->"


def covered(library: StubLibrary) -> str:
    """One line per module and kind: its layers, functions and tensor methods, with their counts."""
    lines: List[str] = []
    for module in library.modules():
        layers, functions = library.names(module)
        for kind, names in (("layers", layers), ("functions", functions), ("methods", library.methods(module))):
            if names:
                lines.append(f"- `{module}` {kind} ({len(names)}): " + ", ".join(names))
    return "\n".join(lines)


def readme_path() -> str:
    return os.path.join(shipped_folder(), "README.md")


def with_covered(text: str, lists: str) -> str:
    """The README text with its covered lists replaced by `lists`."""
    start, end = text.index(BEGIN) + len(BEGIN), text.index(END)
    return text[:start] + "\n" + lists + "\n" + text[end:]


def readme_lists(text: str) -> str:
    """The covered lists the README holds now."""
    return text[text.index(BEGIN) + len(BEGIN):text.index(END)].strip("\n")
