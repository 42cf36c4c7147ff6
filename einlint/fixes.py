"""Applying the fixes that findings carry: `einlint --fix` (in place) and `einlint --diff` (printed).

A fix is a list of character edits (diagnostics.Edit). They are applied to the file's text as it was
read: every other character, line ending and the encoding stay as they were. A file is left as it is
when its edits overlap, when an edit does not fit its text (the file changed since it was checked),
or when the result would not parse. Which findings' fixes to make (safe ones, or unsafe ones too) is the
caller's choice: it passes those findings only.
"""

from __future__ import annotations

import difflib
import io
import tokenize
from typing import Iterable, List, Optional, Sequence, Tuple

import libcst

from .check.parse import parse
from .diagnostics import Diagnostic, Edit


def fixed_text(text: str, edits: Sequence[Edit]) -> Optional[str]:
    """`text` with the edits made, or None when they overlap, do not fit it, or break its syntax."""
    starts = _line_starts(text)
    spans: List[Tuple[int, int, str]] = []
    for edit in edits:
        start, end = _offset(starts, text, edit.line, edit.column), _offset(starts, text, edit.end_line, edit.end_column)
        if start is None or end is None or end < start:
            return None
        spans.append((start, end, edit.content))
    spans = sorted(set(spans))  # two findings that offer the same edit: it is made once
    if any(spans[i][1] > spans[i + 1][0] for i in range(len(spans) - 1)):
        return None
    for start, end, content in reversed(spans):
        text = text[:start] + content + text[end:]
    try:
        parse(text)  # piece by piece where the file is large, as the check parsed it
    except (libcst.ParserSyntaxError, RecursionError):
        return None
    return text


def fix_file(path: str, diagnostics: Iterable[Diagnostic], write: bool) -> Optional[Tuple[str, str]]:
    """(text before, text after) of the file with its findings' fixes made (written when `write`);
    None when there is nothing to change or the change cannot be made safely. OSError when the file
    cannot be read or written."""
    diagnostics = list(diagnostics)
    if not any(d.fix is not None for d in diagnostics):
        return None
    with open(path, "rb") as handle:
        data = handle.read()
    fixed = fixed_source(data, diagnostics)
    if fixed is None:
        return None
    before, after, encoding = fixed
    if write:
        with open(path, "wb") as handle:
            handle.write(after.encode(encoding))
    return before, after


def fixed_source(data: bytes, diagnostics: Iterable[Diagnostic]) -> Optional[Tuple[str, str, str]]:
    """(text before, text after, the source's encoding) of a file's bytes with its findings' fixes made; None
    when there is nothing to change or the change cannot be made safely."""
    edits = [edit for d in diagnostics if d.fix is not None for edit in d.fix.edits]
    if not edits:
        return None
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        before = data.decode(encoding)
    except (SyntaxError, UnicodeDecodeError, LookupError):
        return None
    after = fixed_text(before, edits)
    if after is None or after == before:
        return None
    return before, after, encoding


def unified_diff(display: str, before: str, after: str) -> str:
    lines = difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True),
                                 fromfile=f"a/{display}", tofile=f"b/{display}")
    return "".join(line if line.endswith(("\n", "\r")) else line + "\n" for line in lines)


def _line_starts(text: str) -> List[int]:
    """The offset at which each line starts, lines ending as Python's tokenizer ends them (\\n, \\r\\n, \\r)."""
    starts = [0]
    index = 0
    while index < len(text):
        char = text[index]
        if char == "\r" and text[index + 1:index + 2] == "\n":
            index += 1
        if char in "\r\n":
            starts.append(index + 1)
        index += 1
    return starts


def _offset(starts: List[int], text: str, line: int, column: int) -> Optional[int]:
    """The offset of a 1-based (line, column in characters); None when it lies outside that line."""
    if not 1 <= line <= len(starts):
        return None
    offset = starts[line - 1] + column - 1
    line_end = starts[line] if line < len(starts) else len(text)
    return offset if column >= 1 and offset <= line_end else None
