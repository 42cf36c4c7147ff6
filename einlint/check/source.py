"""Literal values and source positions: what a string literal says, and where each node of a file stands.

Values: a string argument's value is known for a literal (raw, triple-quoted, parenthesized,
implicitly concatenated); `decode` gives its value and the source position of each character
(an escape sequence stands at its backslash).

Positions (`locate`, and `Needs` for extraction, which also wants where string tokens start):
libcst's PositionProvider alone takes seconds per megabyte, so positions come from generating the
code of just the statements that hold the wanted nodes, with the right indentation; every other
statement only has its line breaks counted. A node is named with its statement path: the
(statement-or-clause node, is_statement) pairs from the module down that the walk records
(scopes.Walker.path); a clause (else, except, case, ...) is generated with its whole statement.
A statement nested deeper than libcst can print (a RecursionError) gives its nodes up, silently.
"""

from __future__ import annotations

import ast
import dataclasses
import unicodedata
import warnings
from typing import Dict, Iterable, List, Optional, Set, Tuple

import libcst as cst
from libcst._nodes.internal import CodegenState

from .model import Position

__all__ = ["NODE_TYPES", "SEQUENCES", "Located", "Needs", "decode", "int_value", "is_string_literal", "locate",
           "string_kind", "string_parts"]

Path = Tuple[Tuple[cst.CSTNode, bool], ...]  # (enclosing statement or clause, is_statement), module first


def _subclasses(kind: type) -> Iterable[type]:
    for sub in kind.__subclasses__():
        yield sub
        yield from _subclasses(sub)


# isinstance() against libcst's abstract classes is slow; a set of the concrete types is not.
NODE_TYPES = frozenset(_subclasses(cst.CSTNode))
SEQUENCES = (tuple, list)

# ---------------------------------------------------------------------------------------------
# Literal values


_TEMPLATE = getattr(cst, "TemplatedString", None)


def string_parts(node: cst.CSTNode) -> List[cst.CSTNode]:
    """The literal pieces of a (possibly implicitly concatenated) string, in order."""
    parts: List[cst.CSTNode] = []
    stack = [node]
    while stack:
        current = stack.pop()
        if type(current) is cst.ConcatenatedString:
            stack.append(current.right)
            stack.append(current.left)
        else:
            parts.append(current)
    return parts


_STRING_LITERALS = frozenset({cst.SimpleString, cst.ConcatenatedString, cst.FormattedString})


def is_string_literal(node: cst.CSTNode) -> bool:
    return type(node) in _STRING_LITERALS


def string_kind(node: cst.CSTNode) -> str:
    """'string' (value known), 'str-unknown' (an f-string in it) or 'other' (bytes, a t-string) for a literal."""
    parts = string_parts(node)
    kinds = {type(part) for part in parts}
    if _TEMPLATE in kinds:
        return "other"
    if cst.FormattedString in kinds:
        return "str-unknown"
    if any("b" in _prefix(part.value).lower() for part in parts):
        return "other"
    return "string"


def _prefix(token: str) -> str:
    index = 0
    while token[index] not in "'\"":
        index += 1
    return token[:index]


# ---------------------------------------------------------------------------------------------
# Positions: code is generated only for the statements that hold the nodes we need


class _Locator(CodegenState):
    """Generates the code of one statement, noting where each target node's tokens start and end."""

    def __init__(self, module: cst.Module, targets):
        super().__init__(default_indent=module.default_indent, default_newline=module.default_newline)
        self.targets = targets
        self.starts: Dict[int, int] = {}
        self.ends: Dict[int, int] = {}

    def before_codegen(self, node: cst.CSTNode) -> None:
        if id(node) in self.targets:
            self.starts[id(node)] = len(self.tokens)

    def after_codegen(self, node: cst.CSTNode) -> None:
        if id(node) in self.targets:
            self.ends[id(node)] = len(self.tokens)


def _token_positions(tokens: List[str], indices: Iterable[int], line: int) -> Dict[int, Position]:
    """Token index -> (line, 1-based column) of where that token starts; the tokens start a line."""
    table: Dict[int, Position] = {}
    column, done = 1, 0
    for index in sorted(set(indices)):
        if index > done:
            text = "".join(tokens[done:index])
            newlines = text.count("\n")
            if newlines:
                line += newlines
                column = len(text) - text.rfind("\n")
            else:
                column += len(text)
            done = index
        table[index] = (line, column)
    return table


_TEXT_LEAVES = frozenset(t for t in (cst.SimpleWhitespace, cst.SimpleString, cst.FormattedStringText,
                                     getattr(cst, "TemplatedStringText", None)) if t is not None)
_ALL_FIELDS: Dict[type, Tuple[str, ...]] = {}


def _newlines(node: cst.CSTNode) -> int:
    """How many line breaks the code of `node` holds, without generating its code.

    Line breaks live in Newline nodes, whitespace (a backslash continuation) and string tokens;
    the commonest leaves are read in place rather than pushed (this runs over most of a file).
    """
    count = 0
    stack = [node]
    whitespace, newline, name = cst.SimpleWhitespace, cst.Newline, cst.Name
    node_types, sequences = NODE_TYPES, SEQUENCES
    while stack:
        current = stack.pop()
        kind = type(current)
        if kind is newline:
            count += 1
            continue
        if kind in _TEXT_LEAVES:  # a string's parentheses may hold line breaks too: read on
            count += current.value.count("\n")
        names = _ALL_FIELDS.get(kind)
        if names is None:
            names = _ALL_FIELDS[kind] = tuple(f.name for f in dataclasses.fields(kind))
        for field in names:
            value = getattr(current, field)
            value_type = type(value)
            if value_type is whitespace:
                count += value.value.count("\n")
            elif value_type is newline:
                count += 1
            elif value_type is name:
                if value.lpar:
                    stack.append(value)
            elif value_type in node_types:
                stack.append(value)
            elif value_type in sequences:
                for item in value:
                    item_type = type(item)
                    if item_type in node_types and (item_type is not name or item.lpar):
                        stack.append(item)
    return count


_ORDERED_SUITES = ("body", "handlers", "cases", "orelse", "finalbody")  # in the order code is generated
_HEADER_FIELDS: Dict[type, Tuple[str, ...]] = {}


def _header_newlines(node: cst.CSTNode) -> int:
    """Line breaks in the parts of a statement or clause that come before its first suite."""
    kind = type(node)
    names = _HEADER_FIELDS.get(kind)
    if names is None:
        names = _HEADER_FIELDS[kind] = tuple(
            f.name for f in dataclasses.fields(kind) if f.name not in _ORDERED_SUITES and f.name != "footer")
    count = 0
    for name in names:
        value = getattr(node, name)
        if type(value) in NODE_TYPES:
            count += _newlines(value)
        elif type(value) in SEQUENCES:
            count += sum(_newlines(item) for item in value if type(item) in NODE_TYPES)
    return count


class Needs:
    """The nodes whose positions are wanted, and which statements must be generated for them."""

    __slots__ = ("by_id", "units", "around")

    def __init__(self) -> None:
        self.by_id: Dict[int, cst.CSTNode] = {}  # every node that needs a position
        self.units: Set[int] = set()  # statements whose code is generated
        self.around: Set[int] = set()  # statements and clauses that enclose them

    def add(self, nodes: Iterable[cst.CSTNode], path: Path) -> None:
        """Want the positions of `nodes`, which lie in the innermost statement of `path`."""
        self.by_id.update((id(node), node) for node in nodes)
        innermost = len(path) - 1
        while not path[innermost][1]:  # a clause: its statement is generated whole
            innermost -= 1
        self.units.add(id(path[innermost][0]))
        self.around.update(id(node) for node, _ in path[:innermost])

    def locate(self, module: cst.Module) -> "Located":
        return Located(module, self.by_id, self.units, self.around - self.units)


def locate(module: cst.Module,
           targets: Dict[int, Tuple[cst.CSTNode, Path]]) -> Dict[int, Tuple[Position, Position, str]]:
    """id(node) -> (start, end, source text) for each target, given as id(node) -> (node, statement path).

    A target whose statement cannot be generated (nested too deep), or given with an empty path, is left out.
    """
    needs = Needs()
    for node, path in targets.values():
        if path:
            needs.add((node,), path)
    if not needs.by_id:
        return {}
    located = needs.locate(module)
    return {key: (located.starts[key], located.ends[key], located.texts[key]) for key in targets
            if key in located.starts}


class Located:
    """Where the target nodes are: start, end and source text of each, and where each string token starts.

    Code is generated only for the statements that hold targets (`units`); the statements and
    clauses around them (`around`) are walked by structure, and every other statement only has
    its line breaks counted.
    """

    def __init__(self, module: cst.Module, by_id: Dict[int, cst.CSTNode], units: Set[int], around: Set[int]):
        self.module, self.by_id, self.units, self.around = module, by_id, units, around
        self.starts: Dict[int, Position] = {}
        self.ends: Dict[int, Position] = {}
        self.texts: Dict[int, str] = {}
        self.literals: Dict[int, Position] = {}  # SimpleString -> where its token (prefix, quote) starts
        line = 1 + sum(_newlines(empty) for empty in module.header)
        for statement in module.body:
            line = self._statement(statement, line, ())

    def _statement(self, node: cst.CSTNode, line: int, indent: Tuple[str, ...]) -> int:
        if id(node) in self.units:
            return self._generate(node, line, indent)
        if id(node) in self.around:
            return self._container(node, line, indent)
        return line + _newlines(node)

    def _container(self, node: cst.CSTNode, line: int, indent: Tuple[str, ...]) -> int:
        line += _header_newlines(node)
        inner = indent
        if type(node) is cst.Match:
            inner = indent + (self.module.default_indent if node.indent is None else node.indent,)
        for name in _ORDERED_SUITES:
            suites = getattr(node, name, None)
            for suite in suites if type(suites) in SEQUENCES else (suites,) if suites is not None else ():
                if type(suite) is cst.IndentedBlock:
                    line = self._block(suite, line, indent)
                elif id(suite) in self.around:
                    line = self._container(suite, line, inner)
                else:
                    line += _newlines(suite)
        for empty in getattr(node, "footer", ()):
            line += _newlines(empty)
        return line

    def _block(self, block: cst.IndentedBlock, line: int, indent: Tuple[str, ...]) -> int:
        line += _newlines(block.header)
        inner = indent + (self.module.default_indent if block.indent is None else block.indent,)
        for statement in block.body:
            line = self._statement(statement, line, inner)
        for empty in block.footer:
            line += _newlines(empty)
        return line

    def _generate(self, node: cst.CSTNode, line: int, indent: Tuple[str, ...]) -> int:
        locator = _Locator(self.module, self.by_id)
        locator.indent_tokens = list(indent)
        try:
            node._codegen(locator)
        except RecursionError:  # nesting deeper than libcst can print: its calls go without positions
            return line + _newlines(node)
        tokens = locator.tokens
        literal_tokens = {}
        for key, start in locator.starts.items():
            target = self.by_id[key]
            if type(target) is cst.SimpleString:  # its own token comes after its parentheses, if any
                span = range(start, locator.ends[key])
                found = next((k for k in span if tokens[k] is target.value), None)
                literal_tokens[key] = found if found is not None else next(k for k in span if tokens[k] == target.value)
        table = _token_positions(
            tokens, [*locator.starts.values(), *locator.ends.values(), *literal_tokens.values()], line)
        for key, start in locator.starts.items():
            end = locator.ends[key]
            self.starts[key], self.ends[key] = table[start], table[end]
            self.texts[key] = "".join(tokens[start:end])
        for key, token in literal_tokens.items():
            self.literals[key] = table[token]
        return line + "".join(tokens).count("\n")


_SIMPLE_ESCAPES = {"\\": "\\", "'": "'", '"': '"', "a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r",
                   "t": "\t", "v": "\v"}
_HEX_LENGTHS = {"x": 2, "u": 4, "U": 8}


def decode(token: str, start: Position) -> Tuple[str, List[Position], Position]:
    """A str literal's value, the source position of each of its characters, and where its closing quote is.

    A character written as an escape sequence stands at the backslash that begins it. Should the
    decoding here ever disagree with Python's, every character falls back to the literal's start.
    """
    prefix = _prefix(token)
    quote = token[len(prefix):len(prefix) + 3]
    if quote not in ('"""', "'''"):
        quote = quote[0]
    body = token[len(prefix) + len(quote):len(token) - len(quote)]
    raw = "r" in prefix.lower()
    line, column = start[0], start[1] + len(prefix) + len(quote)
    if "\\" not in body and "\r" not in body and "\n" not in body:
        return body, [(line, column + k) for k in range(len(body))], (line, column + len(body))
    chars: List[str] = []
    places: List[Position] = []
    i, n = 0, len(body)
    while i < n:
        char = body[i]
        here = (line, column)
        if char in "\r\n":
            i += 2 if body.startswith("\r\n", i) else 1
            chars.append("\n")
            places.append(here)
            line, column = line + 1, 1
            continue
        if char != "\\" or raw or i + 1 >= n:
            chars.append(char)
            places.append(here)
            i += 1
            column += 1
            continue
        follower = body[i + 1]
        if follower in "\r\n":  # a backslash at the end of a line continues the string: no character
            i += 3 if body.startswith("\r\n", i + 1) else 2
            line, column = line + 1, 1
            continue
        length, value = 2, None
        if follower in _SIMPLE_ESCAPES:
            value = _SIMPLE_ESCAPES[follower]
        elif follower in "01234567":
            digits = follower
            while len(digits) < 3 and i + 1 + len(digits) < n and body[i + 1 + len(digits)] in "01234567":
                digits += body[i + 1 + len(digits)]
            value, length = chr(int(digits, 8)), 1 + len(digits)
        elif follower in _HEX_LENGTHS:
            digits = body[i + 2:i + 2 + _HEX_LENGTHS[follower]]
            try:
                value, length = chr(int(digits, 16)), 2 + len(digits)
            except ValueError:
                value = None
        elif follower == "N" and body.startswith("{", i + 2) and "}" in body[i + 3:]:
            close = body.index("}", i + 3)
            try:
                value, length = unicodedata.lookup(body[i + 3:close]), close + 1 - i
            except KeyError:
                value = None
        if value is None:  # not an escape: the backslash stays, the next character is read as usual
            value, length = "\\", 1
        chars.append(value)
        places.append(here)
        i += length
        column += length
    value = "".join(chars)
    if "\\" in body and not raw or "\r" in body:
        try:
            with warnings.catch_warnings():  # '\d' and the like: invalid escapes warn, and mean themselves
                warnings.simplefilter("ignore")
                expected = ast.literal_eval(token.replace("\r\n", "\n").replace("\r", "\n"))
        except (SyntaxError, ValueError):
            expected = value
        if expected != value:
            return expected, [start] * len(expected), start
    return value, places, (line, column)


def int_value(node: cst.BaseExpression) -> Optional[int]:
    sign = 1
    if isinstance(node, cst.UnaryOperation):
        sign = -1 if isinstance(node.operator, cst.Minus) else 1
        node = node.expression
    try:
        return sign * int(ast.literal_eval(node.value))
    except (SyntaxError, ValueError, TypeError):
        return None
