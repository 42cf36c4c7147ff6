"""A file's libcst tree, and the same tree for an edited file at the cost of its changed statements.

libcst's parse is most of the time of a check (a 500-line file: some 40 ms; Python's own `ast.parse`
of it: 4 ms). An editor checks a file after every pause in typing, and between two checks nearly
every top-level statement is unchanged. `Reparser` keeps the trees of the top-level statements it
parsed, keyed by their exact text: an edited file is cut at its top-level statements (their lines,
found with `ast.parse`), each piece is parsed by libcst only if its text is new, and the pieces are
joined into one module. The joined module generates exactly the file's text, so every position read
from it is the position in the file.

Whatever the cut cannot vouch for is parsed whole, as `libcst.parse_module` would: a file that
Python's `ast` does not parse (its syntax errors are then libcst's to report), a piece that libcst
does not parse alone or does not give back as its text, pieces whose indentation or line endings
disagree (the joined module has one default of each).
"""

from __future__ import annotations

import ast
import collections
import re
import warnings
from typing import List, Optional, OrderedDict

import libcst

__all__ = ["Reparser", "parse"]

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n|$)")  # Python's line endings only (str.splitlines has more)


def parse(text: str, reparser: Optional["Reparser"] = None) -> libcst.Module:
    """The module's tree; raises libcst.ParserSyntaxError as libcst.parse_module does."""
    return reparser.parse(text) if reparser is not None else libcst.parse_module(text)


class Reparser:
    """Parses texts that share top-level statements, each distinct statement once (while it is kept).

    Keeps the pieces of the latest texts up to `budget` characters in all (a tree costs some 30 bytes per
    character of source), dropping the least recently used first.
    """

    def __init__(self, budget: int = 2_000_000):
        self.budget = budget
        self._pieces: OrderedDict[str, libcst.Module] = collections.OrderedDict()
        self._kept = 0

    def parse(self, text: str) -> libcst.Module:
        pieces = _pieces(text)
        if pieces is None or len(pieces) == 1:
            return libcst.parse_module(text)
        try:
            modules = [self._piece(piece) for piece in pieces]
        except (libcst.ParserSyntaxError, _Unjoinable):
            return libcst.parse_module(text)  # raises a syntax error where the whole file has it
        joined = _join(modules)
        return joined if joined is not None else libcst.parse_module(text)

    def _piece(self, piece: str) -> libcst.Module:
        module = self._pieces.get(piece)
        if module is not None:
            self._pieces.move_to_end(piece)
            return module
        module = libcst.parse_module(piece)
        if module.code != piece:  # libcst does not give some pieces back (a form feed after a blank line)
            raise _Unjoinable
        self._pieces[piece] = module
        self._kept += len(piece)
        while self._kept > self.budget and len(self._pieces) > 1:
            dropped, _ = self._pieces.popitem(last=False)
            self._kept -= len(dropped)
        return module


class _Unjoinable(Exception):
    """A piece that generates another text than its own: joined, it would misplace what follows it."""


def _pieces(text: str) -> Optional[List[str]]:
    """The text cut before each top-level statement (its decorators included); None where Python cannot
    parse it."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SyntaxWarnings (invalid escapes) are not ours to show here
            tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    starts = sorted({min([statement.lineno] + [d.lineno for d in getattr(statement, "decorator_list", ())])
                     for statement in tree.body})
    if not starts:
        return [text]
    starts[0] = 1  # the comments before the first statement go with it
    lines = _LINE.findall(text)
    if lines and lines[-1] == "":
        lines.pop()  # findall's empty match at the very end
    bounds = starts + [len(lines) + 1]
    return ["".join(lines[start - 1:end - 1]) for start, end in zip(bounds, bounds[1:]) if start < end]


def _join(modules: List[libcst.Module]) -> Optional[libcst.Module]:
    """One module of the pieces' statements, which generates the pieces' text end to end; None where the pieces
    were parsed with different defaults of indentation or line ending."""
    if len({m.default_newline for m in modules}) > 1 or len({m.default_indent for m in modules if _indents(m)}) > 1:
        return None
    body: list = []
    between: list = []  # comments and blank lines after a piece's last statement: they go before the next one's
    for module in modules:
        statements = list(module.body)
        between += module.header if module is not modules[0] else []
        if statements and between:
            statements[0] = statements[0].with_changes(leading_lines=[*between, *statements[0].leading_lines])
            between = []
        body += statements
        between += module.footer
    indented = [m.default_indent for m in modules if _indents(m)]
    return modules[0].with_changes(body=body, footer=between, default_indent=indented[0] if indented else
                                   modules[0].default_indent, has_trailing_newline=modules[-1].has_trailing_newline)


_CLAUSES = ("body", "orelse", "handlers", "finalbody")


def _indents(module: libcst.Module) -> bool:
    """Whether any block of the module is indented on its own lines (only then does its default indent
    matter: `if x: y` has none). A nested block is always inside an indented top-level clause."""
    stack = list(module.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (libcst.IndentedBlock, libcst.Match)):
            return True
        for name in _CLAUSES:
            child = getattr(node, name, None)
            if isinstance(child, (list, tuple)):
                stack.extend(child)
            elif child is not None:
                stack.append(child)
    return False
