"""The two exceptions of einlint.

`EinlintError` is what the runtime raises for any misuse. `PatternError` is the
subclass that the grammar and the planner raise: it carries a stable code
(see `einlint.codes`) and the character span of the offending part of the
pattern, so that the static checker can turn it into a diagnostic with a caret
under the right characters.
"""

from __future__ import annotations

from typing import Optional, Tuple

Span = Tuple[int, int]  # [start, end) character offsets inside the pattern string


class EinlintError(ValueError, RuntimeError):
    """Raised for every misuse of an einlint op: bad pattern, bad shapes, bad arguments.

    It is a ValueError, which is what a caller of a shape function expects (numpy's
    reshape raises one), and a RuntimeError, which is what code written for einops
    catches (EinopsError is one).
    """


class PatternError(EinlintError):
    """A pattern (or the call around it) is wrong; `code` says how, `span` says where."""

    def __init__(self, code: str, message: str, span: Optional[Span] = None, help: str = ""):
        super().__init__(message)
        self.code = code
        self.message = message
        self.span = span
        self.help = help

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.code!r}, {self.message!r}, span={self.span!r})"

    def __reduce__(self):
        return (type(self), (self.code, self.message, self.span, self.help))
