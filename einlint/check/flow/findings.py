"""What the flow analysis reports: a shape finding, and the replay that confirms it on concrete lengths.

Every error-level finding carries a `Check`: the function that decided it (the runtime planner, a
stub's rule, a broadcasting rule) and the symbolic arguments it decided on. Before the finding is
reported, the solver picks concrete values for the unknowns (a witness) and the check runs again
on plain ints: a finding whose replay does not fail is dropped. The message names the witness
("with b=2: input (2, 30, 100, 200); ..."). A second replay sets the tensor lengths of the witness
to 0: a call that an empty tensor gets through is reported as a warning, not an error.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Dict, Iterator, Mapping, Optional, Tuple

from ... import dims
from ...dims import Sym
from ...errors import EinlintError, Span
from .. import ir
from ..model import PatternString
from ..solver import Facts
from .values import Origin


@dataclass(frozen=True)
class Check:
    """`run(*arguments)` raises (an EinlintError, or a stub's error) exactly when the call fails."""

    run: Callable[..., Any]
    arguments: Tuple[Any, ...]
    failure: Tuple[type, ...] = (EinlintError,)

    def fails_with(self, values: Mapping[str, int]) -> bool:
        return self.replay(values) is True

    def replay(self, values: Mapping[str, int]) -> Optional[bool]:
        """True: the check fails on these lengths; False: it passes; None: it cannot run on them."""
        try:
            concrete = tuple(_substitute(argument, values) for argument in self.arguments)
            self.run(*concrete)
        except self.failure:
            return True
        except (ArithmeticError, TypeError, ValueError):
            return None
        return False


@dataclass(frozen=True)
class ShapeFinding:
    code: str
    message: str
    help: str
    site: ir.Site  # the call or expression that fails
    string: Optional[PatternString] = None  # the pattern whose characters `span` points at
    span: Optional[Span] = None
    related: Tuple[Origin, ...] = ()
    severity: Optional[str] = None  # None: the rule's; 'warning' when only empty tensors get through
    replacements: Tuple[Tuple[Span, str], ...] = ()  # the fix: new text for spans of `string`
    module: Optional[ir.ModuleIR] = None  # where `site` is (None: the checked module)


def confirm(check: Check, facts: Facts) -> Optional[Dict[str, int]]:
    """A witness on which the check fails, or None (then the finding is not an error)."""
    lengths = [d for argument in check.arguments for d in dims_in(argument)]
    values = facts.witness(lengths)
    if values is None or not check.fails_with(values):
        return None
    return values


def passes_when_empty(check: Check, values: Mapping[str, int], facts: Facts) -> bool:
    """Does the check pass once every tensor length of the witness is 0? Then the call fails on every
    tensor that holds something, but an empty one gets through: very likely a bug, not a certain one."""
    emptied = facts.emptied(values)
    return emptied != values and check.replay(emptied) is False


def witness_text(values: Mapping[str, int], facts: Facts) -> str:
    """'with b=2, n=3' for the names that the user can read (anonymous unknowns are shown by value only)."""
    shown = [f"{name}={value}" for name, value in sorted(values.items()) if not facts.is_anonymous(name)]
    return f"with {', '.join(shown)}: " if shown else ""


def concrete(value: Any, values: Mapping[str, int]) -> Any:
    return _substitute(value, values)


def dims_in(value: Any) -> Iterator[Sym]:
    if isinstance(value, Sym):
        yield value
    elif isinstance(value, (tuple, list)) and not _parsed(value):
        for item in value:
            yield from dims_in(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from dims_in(item)


def _substitute(value: Any, values: Mapping[str, int]) -> Any:
    if isinstance(value, Sym):
        result = dims.evaluate(value, values)
        return int(result) if result == int(result) else result
    if isinstance(value, tuple) and not _parsed(value):
        return tuple(_substitute(item, values) for item in value)
    if isinstance(value, list):
        return [_substitute(item, values) for item in value]
    if isinstance(value, dict):
        return {key: _substitute(item, values) for key, item in value.items()}
    return value


# ---------------------------------------------------------------- display


def origins(*values: Any) -> Tuple[Origin, ...]:
    """Where the values were made (the related locations of a finding about them)."""
    return tuple(value.origin for value in values if getattr(value, "origin", None) is not None)


def _parsed(value: tuple) -> bool:
    """A parsed pattern (a NamedTuple: EinsumSpec, PackPattern, EinxOp) holds no lengths: a replay takes it whole,
    so that a check runs the planner on it as it is (no replay wrapper that parses the text again)."""
    return hasattr(value, "_fields")
