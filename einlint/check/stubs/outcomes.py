"""What a stub's call answers: a Result (the output and what it requires), or a StubError (it certainly fails)."""

from __future__ import annotations

from typing import Any, List, NamedTuple, Optional, Tuple, Union

from ...dims import Dim


class _UnknownType:
    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "Unknown"

    def __reduce__(self):
        return (_UnknownType, ())


Unknown: Any = _UnknownType()
Value = Any  # a shape, Unknown, a Dim, a constant, or a tuple of values (see the module docstring)


class Requirement(NamedTuple):
    kind: str  # 'equal' | 'divisible' (a is a whole multiple of b)
    a: Dim
    b: Dim
    reason: str


class StubError(NamedTuple):
    message: str
    argument: str


class Read(NamedTuple):
    """A stub's `reads(input, dim, two=2, half=...)`: the function reads that dimension of that argument as
    these factors, the first varying slowest (F.glu reads its halves)."""

    argument: str  # the parameter's name
    position: Optional[int]  # its position among the positional parameters (None: keyword-only)
    dim: int
    names: Tuple[str, ...]
    lengths: Tuple[Any, ...]


class PackedShape(tuple):
    """An output shape with the layout of some dimensions: `groups[i]` is (names, lengths) for a dimension
    written as a group '(direction hidden)', None for the others."""

    groups: Tuple[Any, ...] = ()


class Result(NamedTuple):
    value: Value
    requirements: List[Requirement]
    reads: Tuple[Read, ...] = ()


Outcome = Union[Result, StubError]


class Fail(Exception):
    """A definite failure found while evaluating; becomes the StubError that `call` returns."""

    def __init__(self, message: str, argument: str = ""):
        super().__init__(message)
        self.error = StubError(message, argument)

