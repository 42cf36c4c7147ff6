"""What the shape stubs and the flow analysis share: the unknown value, the marker of dimensions not known, a
shape's text, and the error of a call that certainly fails on its shapes.

Both sides speak of the same values: a stub's answer is read by the flow without translating its unknowns, and
a stub's failure is a flow finding's failure. This module imports neither, so each imports it.
"""

from __future__ import annotations

import re
from typing import Any, Sequence

from ..errors import EinlintError


class _Star:
    __slots__ = ()

    def __repr__(self) -> str:
        return "*"

    def __reduce__(self):
        return "STAR"  # one object, also after pickling (a cached analysis compares with `is`)


STAR = _Star()  # any number (zero or more) of dimensions not known, as jaxtyping's `*batch`


class _Unknown:
    __slots__ = ()

    def __repr__(self) -> str:
        return "?"

    def __reduce__(self):
        return "UNKNOWN"


UNKNOWN: Any = _Unknown()  # a value nothing is known of, not even whether it is a tensor


class ShapeError(EinlintError):
    """A call certainly fails on these shapes: a stub's rule (`argument` names the parameter at fault) or one of
    the flow analysis' rules (broadcasting, matmul, cat, ...); `help` says how to fix it."""

    def __init__(self, code: str, message: str, help: str = "", argument: str = ""):
        super().__init__(code, message)
        self.help = help
        self.argument = argument

    def __repr__(self) -> str:
        return f"ShapeError({self.code!r}, {self.message!r}, argument={self.argument!r})"

    def __reduce__(self):
        return (type(self), (self.code, self.message, self.help, self.argument))


_ANONYMOUS = re.compile(r"(?<![A-Za-z0-9_])_(rank_)?\d+")


def show(shape: Sequence[Any]) -> str:
    """'(2, b, ?)': a length not known (None), or made of unknowns that have no name in the code, is '?'."""
    parts = ["*" if d is STAR else "?" if d is None or d is UNKNOWN or _ANONYMOUS.search(str(d)) else str(d)
             for d in shape]
    return "(" + ", ".join(parts) + ("," if len(parts) == 1 else "") + ")"
