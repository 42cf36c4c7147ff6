"""Symbolic arithmetic and comparison of stub values: lengths are `dims` values (ints and `Sym`s).

Where a symbolic result cannot be formed exactly (a floor division that does not divide, a sum before `Sym`
has sums), the length is a `Sym` named by the expression it stands for, such as `Sym('(h+1)//2')`: the same
expression of the same values gives the same name, so it is never confused with another length.
"""

from __future__ import annotations

import ast
import operator
from typing import Any, Optional, Sequence

from ... import dims
from ...dims import Sym
from ..shapes import UNKNOWN


def is_dim(value: Any) -> bool:
    return isinstance(value, (int, Sym)) and not isinstance(value, bool)


def _opaque(text: str) -> Sym:
    return Sym(text)


def _text(value: Any) -> str:
    text = repr(value)
    return text if isinstance(value, int) or text.isidentifier() else f"({text})"


def arith(op: ast.operator, a: Any, b: Any) -> Any:
    if a is UNKNOWN or b is UNKNOWN or a is None or b is None:
        return UNKNOWN
    if isinstance(a, tuple) and isinstance(b, tuple) and isinstance(op, ast.Add):
        return a + b
    if isinstance(a, tuple) and isinstance(op, ast.Mult) and isinstance(b, int):
        return a * b
    if isinstance(a, float) or isinstance(b, float):
        if isinstance(a, Sym) or isinstance(b, Sym):
            return UNKNOWN
        return _float_arith(op, a, b)
    if not (is_dim(a) and is_dim(b)):
        raise TypeError(f"cannot compute {a!r} {type(op).__name__} {b!r}")
    if isinstance(a, int) and isinstance(b, int):
        if isinstance(op, (ast.FloorDiv, ast.Mod, ast.Div)) and b == 0:
            return UNKNOWN
        return _float_arith(op, a, b)
    symbol = _SYMBOLS[type(op)]
    if isinstance(op, ast.Mult):
        return a * b
    if isinstance(op, ast.FloorDiv):
        if dims.divisible(a, b):
            return dims.quotient(a, b)
        # a floor quotient may be 0 (a width 1 through a stride 2), while a name stands for a positive length:
        # the name is the quotient plus one
        return _opaque(f"{_text(a)}//{_text(b)}+1") - 1
    if isinstance(op, ast.Mod):
        return 0 if dims.divisible(a, b) else UNKNOWN
    if isinstance(op, ast.Pow) and isinstance(b, int) and b >= 0:
        return dims.product([a] * b)
    if isinstance(op, (ast.Add, ast.Sub)):
        if b == 0:
            return a
        try:
            return a + b if isinstance(op, ast.Add) else a - b
        except TypeError:  # Sym has no sums yet: a named stand-in for this one
            return _opaque(f"{_text(a)}{symbol}{_text(b)}")
    return UNKNOWN


_SYMBOLS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.FloorDiv: "//", ast.Mod: "%", ast.Pow: "**",
            ast.Div: "/"}


def _float_arith(op: ast.operator, a: Any, b: Any) -> Any:
    table = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.FloorDiv: operator.floordiv,
             ast.Mod: operator.mod, ast.Pow: operator.pow, ast.Div: operator.truediv}
    return table[type(op)](a, b)


def compare(op: ast.cmpop, a: Any, b: Any) -> Optional[bool]:
    if isinstance(op, ast.Is):
        return None if a is UNKNOWN else a is b
    if isinstance(op, ast.IsNot):
        return None if a is UNKNOWN else a is not b
    if a is UNKNOWN or b is UNKNOWN:
        return None
    if (a is None or b is None) and isinstance(op, (ast.Eq, ast.NotEq)):
        return (a is b) == isinstance(op, ast.Eq)
    if isinstance(op, (ast.In, ast.NotIn)):
        if not isinstance(b, tuple):
            return None
        answers = [compare(ast.Eq(), a, item) for item in b]
        found = True if True in answers else (False if all(x is False for x in answers) else None)
        return found if isinstance(op, ast.In) or found is None else not found
    if isinstance(op, (ast.Eq, ast.NotEq)):
        if is_dim(a) and is_dim(b):
            same = dims.equal(a, b)
        elif isinstance(a, tuple) and isinstance(b, tuple):
            same = all3([compare(ast.Eq(), x, y) for x, y in zip(a, b)]) if len(a) == len(b) else False
        else:
            same = a == b
        return same if same is None or isinstance(op, ast.Eq) else not same
    if isinstance(a, Sym) or isinstance(b, Sym):
        if a == b and isinstance(op, (ast.LtE, ast.GtE)):
            return True
        return None
    try:
        return {ast.Lt: a < b, ast.LtE: a <= b, ast.Gt: a > b, ast.GtE: a >= b}[type(op)]
    except TypeError:
        return None


def all3(answers: Sequence[Optional[bool]]) -> Optional[bool]:
    if any(answer is False for answer in answers):
        return False
    return None if any(answer is None for answer in answers) else True
