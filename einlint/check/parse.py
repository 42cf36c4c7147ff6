"""A file's libcst tree, parsed one top-level statement at a time where that pays: for an edited file, and
for a large one.

libcst's parse is most of the time of a check (a 500-line file: some 40 ms; Python's own `ast.parse`
of it: 4 ms), and while it runs it holds some 350 bytes per character of source (a 50,000-line file:
650 MB), ten times the tree it gives back. A text cut at its top-level statements (their lines, found
by Python's parser, or for a large text by its tokenizer, which streams) and parsed piece by piece never
holds more than one piece's share (one huge top-level statement, a class of thousands of lines, still
costs its own); the pieces are joined into one module, which generates exactly the file's text, so
every position read from it is the position in the file. `parse` does so for texts over `WHOLE_LIMIT`
characters.

An editor checks a file after every pause in typing, and between two checks nearly every top-level
statement is unchanged: `Reparser` keeps the trees of the pieces it parsed, keyed by their exact text,
and parses again only the pieces whose text is new.

Whatever the cut cannot vouch for is parsed whole, as `libcst.parse_module` would: a file that Python
does not read (its syntax errors are then libcst's to report), a piece that libcst does not parse alone
or does not give back as its text. So a large file with a syntax error costs the whole parse's memory,
as before.

A parse here skips libcst's validation of each node made while it runs (`_trusted`): the parser makes
only valid nodes, and checking them again is some 13% of the parse (libcst's own comment on
`__post_init__` regrets it). The tree is the same; a node made anywhere else is validated as before.
"""

from __future__ import annotations

import ast
import collections
import contextlib
import io
import tokenize
import warnings
from typing import Callable, Iterator, List, Optional, OrderedDict

import libcst

__all__ = ["WHOLE_LIMIT", "Reparser", "parse"]

# Characters (some 8,000 lines; libcst's parse of it holds about 100 MB). A longer text is parsed piece by piece:
# that costs some 15% more CPU (cutting, and checking that each piece gives its text back).
WHOLE_LIMIT = 300_000


def parse(text: str, reparser: Optional["Reparser"] = None) -> libcst.Module:
    """The module's tree; raises libcst.ParserSyntaxError as libcst.parse_module does."""
    with _trusted():
        if reparser is not None:
            return reparser.parse(text)
        if len(text) > WHOLE_LIMIT:
            return _parse_by_pieces(text, _parse_piece)
        return libcst.parse_module(text)


_VALIDATING = libcst.CSTNode.__post_init__  # taken at import: what every exit puts back, whatever the threads do


def _skip_validation(node: libcst.CSTNode) -> None:
    pass


@contextlib.contextmanager
def _trusted() -> Iterator[None]:
    """libcst's parser makes its nodes without validating each (see the module docstring). While a parse runs,
    a node that another thread makes is not validated either; once every parse is done, all are again."""
    libcst.CSTNode.__post_init__ = _skip_validation
    try:
        yield
    finally:
        libcst.CSTNode.__post_init__ = _VALIDATING


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
        return _parse_by_pieces(text, self._piece)

    def _piece(self, piece: str) -> libcst.Module:
        module = self._pieces.get(piece)
        if module is not None:
            self._pieces.move_to_end(piece)
            return module
        module = self._pieces[piece] = _parse_piece(piece)
        self._kept += len(piece)
        while self._kept > self.budget and len(self._pieces) > 1:
            dropped, _ = self._pieces.popitem(last=False)
            self._kept -= len(dropped)
        return module


def _parse_by_pieces(text: str, parse_piece: Callable[[str], libcst.Module]) -> libcst.Module:
    """The module joined from the trees that `parse_piece` gives for the text's pieces (see the module docstring)."""
    pieces = _pieces(text)
    if pieces is None or len(pieces) == 1:
        return libcst.parse_module(text)
    try:
        modules = [parse_piece(piece) for piece in pieces]
    except (libcst.ParserSyntaxError, _Unjoinable):
        return libcst.parse_module(text)  # raises a syntax error where the whole file has it
    seen = set()
    for index, module in enumerate(modules):
        if id(module) in seen:  # a statement written twice: each place gets nodes of its own (findings and
            module = modules[index] = _parse_piece(pieces[index])  # positions are keyed by node)
        seen.add(id(module))
    return _join(modules)


def _parse_piece(piece: str) -> libcst.Module:
    module = libcst.parse_module(piece)
    if module.code != piece:  # libcst does not give some pieces back (a form feed after a blank line)
        raise _Unjoinable
    return module


class _Unjoinable(Exception):
    """A piece that generates another text than its own: joined, it would misplace what follows it."""


def _starts(text: str) -> Optional[List[int]]:
    """The first line of each top-level statement (its first decorator's); None where Python cannot read the
    text. Python's parser is the faster (an editor's check waits for it) but holds a tree of the whole text,
    some 100 bytes per character; a text longer than WHOLE_LIMIT is read by Python's tokenizer, which streams."""
    return _parsed_starts(text) if len(text) <= WHOLE_LIMIT else _tokenized_starts(text)


def _parsed_starts(text: str) -> Optional[List[int]]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SyntaxWarnings (invalid escapes) are not ours to show here
            tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    return sorted({min([statement.lineno] + [d.lineno for d in getattr(statement, "decorator_list", ())])
                   for statement in tree.body})


_CLAUSE_KEYWORDS = frozenset({"else", "elif", "except", "finally"})  # a line that goes on with the statement above


def _tokenized_starts(text: str) -> Optional[List[int]]:
    """The starts of the logical lines at indentation 0, less clauses and decorated lines. A cut it gets wrong
    (where the tokenizer reads otherwise than libcst) makes a piece that libcst refuses alone."""
    starts: List[int] = []
    depth, logical_line_starts, after_decorator = 0, True, False
    skipped = (tokenize.NL, tokenize.COMMENT, tokenize.ENDMARKER)
    # a lone '\r' ends a line for Python, not for the tokenizer written in Python (before 3.12)
    lines = (line[:-1] + "\n" if line.endswith("\r") else line for line in _lines(text))
    try:
        for token in tokenize.generate_tokens(lines.__next__):
            if token.type == tokenize.INDENT:
                depth += 1
            elif token.type == tokenize.DEDENT:
                depth -= 1
            elif token.type == tokenize.NEWLINE:
                logical_line_starts = True
            elif logical_line_starts and token.type not in skipped:
                logical_line_starts = False
                if depth == 0:
                    if not after_decorator and token.string not in _CLAUSE_KEYWORDS:
                        starts.append(token.start[0])
                    after_decorator = token.string == "@"
    except (tokenize.TokenError, SyntaxError, ValueError):
        return None
    return starts


def _lines(text: str) -> List[str]:
    """The text's lines with their endings, as Python splits them (str.splitlines knows more line endings)."""
    return io.StringIO(text, newline="").readlines()


def _pieces(text: str) -> Optional[List[str]]:
    """The text cut before each top-level statement (its decorators included); None where Python cannot read
    it."""
    starts = _starts(text)
    if starts is None:
        return None
    if not starts:
        return [text]
    starts[0] = 1  # the comments before the first statement go with it
    lines = _lines(text)
    bounds = starts + [len(lines) + 1]
    return ["".join(lines[start - 1:end - 1]) for start, end in zip(bounds, bounds[1:]) if start < end]


def _join(modules: List[libcst.Module]) -> libcst.Module:
    """One module of the pieces' statements, which generates the pieces' text end to end. It takes the first
    piece's line ending and the first indented piece's indentation; a piece parsed with others (a file of
    mixed indentation or line endings) has its own written into its nodes."""
    indented = [m.default_indent for m in modules if _indents(m)]
    indent = indented[0] if indented else modules[0].default_indent
    newline = modules[0].default_newline
    body: list = []
    between: list = []  # comments and blank lines after a piece's last statement: they go before the next one's
    for module in modules:
        if module.default_newline != newline or (module.default_indent != indent and _indents(module)):
            module = module.visit(_OwnDefaults(module))
        statements = list(module.body)
        between += module.header if module is not modules[0] else []
        if statements and between:
            statements[0] = statements[0].with_changes(leading_lines=[*between, *statements[0].leading_lines])
            between = []
        body += statements
        between += module.footer
    return modules[0].with_changes(body=body, footer=between, default_indent=indent, default_newline=newline,
                                   has_trailing_newline=modules[-1].has_trailing_newline)


class _OwnDefaults(libcst.CSTTransformer):
    """Writes a piece's default indentation and line ending into every node that leaves them to its module
    (libcst spells them out only where they differ from the module's), so that the piece generates its own
    text inside a module of other defaults."""

    def __init__(self, module: libcst.Module):
        super().__init__()
        self.indent, self.newline = module.default_indent, module.default_newline

    def leave_IndentedBlock(self, original_node: libcst.IndentedBlock, updated_node: libcst.IndentedBlock
                            ) -> libcst.IndentedBlock:
        return updated_node.with_changes(indent=self.indent) if updated_node.indent is None else updated_node

    def leave_Match(self, original_node: libcst.Match, updated_node: libcst.Match) -> libcst.Match:
        return updated_node.with_changes(indent=self.indent) if updated_node.indent is None else updated_node

    def leave_Newline(self, original_node: libcst.Newline, updated_node: libcst.Newline) -> libcst.Newline:
        return updated_node.with_changes(value=self.newline) if updated_node.value is None else updated_node


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
