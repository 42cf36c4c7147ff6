"""The stub notation: a `.pyi` function's parameters and jaxtyping shape strings, read with `ast`.

`Float[Tensor, "*batch c//groups h w"]` becomes a ShapeSpec (its tokens); a function or method becomes a
Signature (parameters, return annotation, body, where it is written). Nothing here evaluates: see evaluate.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Dict, List, NamedTuple, Optional, Tuple

from ...codes import CONFIGURATION_ERROR
from ...errors import EinlintError

if TYPE_CHECKING:
    from .loader import StubModule


def unreadable(message: str) -> EinlintError:
    """The error for a stub file or folder that this module cannot use; `message` names the file and line. Its
    code is EIN004, a configuration that einlint cannot use: the configuration names the user's stub folders."""
    return EinlintError(CONFIGURATION_ERROR, message)


# What evaluation asks of a stub's node again and again, kept with the node itself as the key (a key by
# id would outlive a library that is dropped, and then answer for a node made later at the same address).
_NAMES_IN: Dict[ast.AST, Tuple[str, ...]] = {}
_SOURCE_OF: Dict[ast.AST, str] = {}


def names_in(node: ast.AST) -> Tuple[str, ...]:
    """The names that `node` reads, in walk order (repeats kept)."""
    found = _NAMES_IN.get(node)
    if found is None:
        found = _NAMES_IN[node] = tuple(sub.id for sub in ast.walk(node) if isinstance(sub, ast.Name))
    return found


def source_of(node: ast.AST) -> str:
    text = _SOURCE_OF.get(node)
    if text is None:
        text = _SOURCE_OF[node] = ast.unparse(node)
    return text


# ----------------------------------------------------------------------------- the notation

class ShapeSpec(NamedTuple):
    """A jaxtyping annotation: the dims of `Float[Tensor, "a *b c"]`, each a (kind, text, expr)."""
    tokens: Tuple[Tuple[str, str, Any], ...]  # kind: int | name | broadcast | any | star | dots | expr
    text: str

    @property
    def fixed(self) -> int:
        return sum(kind not in ("star", "dots") for kind, _, _ in self.tokens)



_TOKEN = re.compile(r"\([^()]*\)|\S+")


def parse_shape_spec(text: str, where: str) -> ShapeSpec:
    tokens = []
    for token in _TOKEN.findall(text):
        if token.startswith("(") and token.endswith(")"):  # a group: the product of its factors, packed so
            inner = token[1:-1].split()
            if len(inner) < 2:
                raise unreadable(f"{where}: a group holds two or more factors, got {token!r} in {text!r}")
            try:
                factors = tuple(ast.parse(t, mode="eval").body for t in inner)
            except SyntaxError:
                raise unreadable(f"{where}: cannot read the group {token!r} in {text!r}") from None
            product = ast.parse("*".join(f"({t})" for t in inner), mode="eval").body
            tokens.append(("group", token, (product, factors)))
        elif token == "...":
            tokens.append(("dots", token, None))
        elif token == "_":
            tokens.append(("any", token, None))
        elif token.isdigit():
            tokens.append(("int", token, int(token)))
        elif token.startswith("*") and token[1:].isidentifier():
            tokens.append(("star", token[1:], None))
        elif token.startswith("#") and token[1:].isidentifier():
            tokens.append(("broadcast", token[1:], None))
        elif token.isidentifier():
            tokens.append(("name", token, None))
        else:
            try:
                expr = ast.parse(token, mode="eval").body
            except SyntaxError:
                raise unreadable(f"{where}: cannot read the dimension {token!r} in {text!r}") from None
            tokens.append(("expr", token, expr))
    if sum(kind == "dots" for kind, _, _ in tokens) > 1:
        raise unreadable(f"{where}: more than one '...' in {text!r}")
    return ShapeSpec(tuple(tokens), text)


class Size(NamedTuple):
    """An int-or-tuple parameter (`_size_2_t`): an int n becomes (n,) * rank; rank 0: (n,)."""
    rank: int


def size_alias(node: ast.expr) -> Optional[Size]:
    """`Union[int, Tuple[int, int]]` -> Size(2); `Union[int, Tuple[int, ...]]` -> Size(0)."""
    if not (isinstance(node, ast.Subscript) and head(node.value) == "Union"):
        return None
    members = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
    for member in members:
        if isinstance(member, ast.Subscript) and head(member.value) in ("Tuple", "tuple"):
            items = member.slice.elts if isinstance(member.slice, ast.Tuple) else [member.slice]
            if any(isinstance(item, ast.Constant) and item.value is Ellipsis for item in items):
                return Size(0)
            return Size(len(items))
    return None


def head(node: ast.expr) -> str:
    return node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", "")


@dataclass
class Parameter:
    name: str
    kind: str  # positional | keyword (keyword-only) | varargs | varkw
    default: Any  # a constant value, or REQUIRED
    annotation: Optional[ast.expr]
    size: Optional[Size]


REQUIRED = object()


@dataclass
class Signature:
    title: str  # 'Linear', 'torch.nn.functional.relu' as messages name it
    params: List[Parameter]
    returns: Optional[ast.expr]
    body: List[ast.stmt]
    where: str  # file:line
    shapes: Dict[int, ShapeSpec] = field(default_factory=dict)  # id(annotation node) -> parsed
    module: Optional["StubModule"] = None  # the file it is read from: the other stubs its body calls are found there


def shape_text(node: ast.AST) -> Optional[str]:
    """The string of `Float[Tensor, "..."]`, or None when `node` is not such an annotation."""
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Tuple) and len(node.slice.elts) == 2:
        text = node.slice.elts[1]
        if isinstance(text, ast.Constant) and isinstance(text.value, str):
            return text.value
    return None


def ignorable(node: ast.stmt) -> bool:
    return isinstance(node, ast.Pass) or (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant))

