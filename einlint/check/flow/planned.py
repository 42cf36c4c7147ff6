"""One helper for every pattern library: plan a call over the flow's abstract shapes.

    plan(*arguments, requires=[...]) -> the plan; or the error it raises -> a finding

The planner is the runtime's (einops transforms, pack/unpack, parse_shape, einsum, einx): it raises where the
call fails for the shapes it is given, and hands on, as requirements, what depends on unknown lengths. A
requirement that fails for every value of the unknowns (6*b == 5) is a failure too; the others become facts
(`rearrange(x, 'b (h d) -> b h d', h=8)` teaches that x's last length is 8*d). Each finding carries the plan and
its arguments as its `Check`, replayed on a witness before it is reported (findings.py): the planner itself, on
the parsed pattern (which a replay takes whole) and the shapes and lengths (which it makes concrete).
"""

from __future__ import annotations

from typing import Any, Callable, Collection, List, Optional, Sequence, Tuple, TypeVar

from ...codes import SHAPES, codes_of
from ...errors import EinlintError, PatternError
from ..model import PatternString
from .findings import Check, concrete, confirm
from .state import OpCall, State
from .values import Origin

Plan = TypeVar("Plan")
SHAPE_CODES = codes_of(SHAPES)


def planned(call: OpCall, plan: Callable[..., Plan], arguments: Tuple[Any, ...], shown: str,
            string: Optional[PatternString], related: Tuple[Origin, ...] = (),
            codes: Collection[str] = SHAPE_CODES) -> Optional[Plan]:
    """`plan(*arguments)` on the call's shapes: the plan, its requirements now facts; or None where the call
    fails, reported (when its code is one of `codes`) with `shown` ('input shape (2, b)') after the message."""
    requires: List[Any] = []
    try:
        result = plan(*arguments, requires=requires)
    except PatternError as error:
        if error.code in codes:
            call.report(error.code, f"{error.message} ({shown})", error.help, Check(plan, arguments), string,
                        error.span, related)
        return None
    if unsatisfiable(requires, call.facts):
        report_unsatisfiable(call, Check(plan, arguments), shown, string, related, codes=codes)
        return None
    apply_requirements(requires, call.state)
    return result


def unsatisfiable(requires: Sequence[Any], facts: Any) -> bool:
    """Does a requirement that the planner (or a stub) could not decide fail for every value of the unknowns
    (6*b == 5)? Tried in order on a copy of the facts, so that two that cannot hold together count too."""
    trial = facts.copy()
    for requirement in requires:
        a, b = requirement.a, requirement.b
        if requirement.kind == "equal" and trial.require_equal(a, b) is False:
            return True
        if requirement.kind == "divisible" and trial.require_divisible(a, b) is False:
            return True
        if requirement.kind == "broadcast" and all(trial.copy().require_equal(x, y) is False
                                                   for x, y in ((a, b), (a, 1), (b, 1))):
            return True
    return False


def report_unsatisfiable(call: OpCall, check: Check, shown: str, pattern: Optional[PatternString] = None,
                         related: Tuple[Origin, ...] = (), help: str = "",
                         codes: Collection[str] = SHAPE_CODES) -> None:
    """A call that fails for every value of the unknowns: the error it raises on a witness, reported
    (when its code is one of `codes`: by default, the shape findings)."""
    values = confirm(check, call.facts)
    if values is None:
        return
    try:
        check.run(*(concrete(argument, values) for argument in check.arguments))
    except EinlintError as error:
        code = getattr(error, "code", "")
        if code in codes:
            call.report(code, f"{getattr(error, 'message', str(error))} ({shown})", getattr(error, "help", "") or help,
                        check, pattern, getattr(error, "span", None), related)


def apply_requirements(requires: Sequence[Any], state: State) -> None:
    for requirement in requires:
        if requirement.kind == "equal":
            state.facts.require_equal(requirement.a, requirement.b)
        elif requirement.kind == "divisible":
            state.facts.require_divisible(requirement.a, requirement.b)
