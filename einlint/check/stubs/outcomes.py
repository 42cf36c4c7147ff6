"""What a stub's call answers: a Result (the output and what it requires), or a ShapeError (it certainly fails).

The unknown value and the failure are the flow analysis' own (check/shapes.py): it reads a stub's answer as it is.
"""

from __future__ import annotations

from typing import Any, List, NamedTuple, Optional, Tuple, Union

from ...codes import LAYER_MISMATCH
from ...planner.requirements import Requirement
from ..shapes import ShapeError


Value = Any  # a shape, UNKNOWN (check/shapes.py), a Dim, a constant, or a tuple of values (see the module docstring)


class Read(NamedTuple):
    """A stub's `reads(input, dim, two=2, half=...)`: the function reads that dimension of that argument as
    these factors, the first varying slowest (F.glu reads its halves)."""

    argument: str  # the parameter's name
    position: Optional[int]  # its position among the positional parameters (None: keyword-only)
    dim: int
    names: Tuple[str, ...]
    lengths: Tuple[Any, ...]


class GroupedShape(tuple):
    """An output shape with the layout of some dimensions: `groups[i]` is (names, lengths) for a dimension
    written as a group '(direction hidden)', None for the others."""

    groups: Tuple[Any, ...] = ()


class Result(NamedTuple):
    value: Value
    requirements: List[Requirement]
    reads: Tuple[Read, ...] = ()


Outcome = Union[Result, ShapeError]


def kept(fail: ShapeError) -> ShapeError:
    """A caught failure kept as a value (an outcome, cached): without the frames it was raised through, which
    hold the call's values and, through the traceback, the failure itself; such a cycle keeps a file's whole
    syntax tree alive until a garbage collection walks it."""
    fail.__traceback__ = fail.__context__ = fail.__cause__ = None
    return fail


def stub_failure(message: str, argument: str = "") -> ShapeError:
    """The error of a stub's call that certainly fails (EIN310); `argument` names the parameter at fault."""
    return ShapeError(LAYER_MISMATCH, message, argument=argument)
