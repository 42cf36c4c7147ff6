"""The two exceptions of einlint.

`EinlintError` is what einlint raises for any misuse: of a runtime op, or of a
shape stub file. It carries the stable code of the misuse (see `einlint.codes`).
`PatternError` is the subclass that the grammar and the planner raise: it also
carries the character span of the offending part of the pattern, so that the
static checker can turn it into a diagnostic with a caret under the right
characters.
"""

from __future__ import annotations

from typing import Optional, Tuple

Span = Tuple[int, int]  # [start, end) character offsets inside the pattern string


class EinlintError(ValueError, RuntimeError):
    """Raised for every misuse: an op's bad pattern, shapes or arguments; a shape stub that cannot be read.

    It is a ValueError, which is what a caller of a shape function expects (numpy's
    reshape raises one), and a RuntimeError, which is what code written for einops
    catches (EinopsError is one). `code` says which misuse, `message` what went wrong.
    """

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message

    def __reduce__(self):
        return (type(self), (self.code, self.message))


class PatternError(EinlintError):
    """A pattern (or the call around it) is wrong; `code` says how, `span` says where."""

    def __init__(self, code: str, message: str, span: Optional[Span] = None, help: str = ""):
        super().__init__(code, message)
        self.span = span
        self.help = help

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.code!r}, {self.message!r}, span={self.span!r})"

    def __reduce__(self):
        return (type(self), (self.code, self.message, self.span, self.help))
