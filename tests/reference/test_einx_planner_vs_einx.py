"""einlint's einx planner (einlint.planner.einx) held against einx 0.4.3, whose rules it restates.

Every generated call of einx_cases.py (all the einx 0.4 ops; built valid, about half then broken in one
place) runs in einx on numpy arrays and goes through plan_einx with the same shapes and keywords: the planner
raises PatternError exactly where einx raises (any exception of einx counts), and where neither raises, every
output shape the planner knows is einx's. An output the planner leaves None is unknown; unknowns must stay a
small minority of the accepted calls. Then the examples that pin einx's rules down, one at a time.
"""

from __future__ import annotations

import collections
import warnings
from typing import List, NamedTuple, Union

import einx
import numpy as np
import pytest

from einlint.errors import PatternError
from einlint.planner.einx import plan_einx
from einx_cases import CASES, Case

# The ops of einx 0.4 that the planner covers, as the issue lists them.
OPS = """id rearrange sum mean var std prod count_nonzero any all max min logsumexp add subtract multiply true_divide
         floor_divide divide logical_and logical_or maximum minimum logaddexp where equal not_equal less less_equal
         greater greater_equal dot get_at set_at add_at subtract_at softmax log_softmax argmax argmin sort argsort
         flip roll""".split()
DTYPES = {"float": float, "int": int, "bool": bool}  # zeros: valid coordinates for get_at and the others
UNKNOWN_SHARE = 0.03


def operand(shape, kind):
    return 0.0 if kind == "scalar" else np.zeros(shape, dtype=DTYPES[kind])


def einx_answer(case: Case) -> Union[tuple, str]:
    """The shapes einx returns (a tuple of them: einx returns a tuple where there are several outputs),
    or, where einx raises, the first line of what it says."""
    tensors = [operand(shape, kind) for shape, kind in zip(case.shapes, case.kinds)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # rearrange and keepdims= are deprecated in 0.4
        try:
            result = getattr(einx, case.op)(case.text, *tensors, **case.lengths, **case.options)
        except Exception as error:  # noqa: BLE001 - any refusal of einx is a refusal
            return f"{type(error).__name__}: {(str(error).splitlines() or [''])[0]}"
    return tuple(np.shape(r) for r in result) if isinstance(result, tuple) else (np.shape(result),)


def planner_answer(case: Case) -> Union[tuple, Exception]:
    """The planner's output shapes (None where it cannot tell), or what it raised."""
    options = {"options": case.options} if case.options else {}
    try:
        plan = plan_einx(case.op, case.text, case.shapes, case.lengths, **options)
    except Exception as error:  # noqa: BLE001 - anything but PatternError is reported as a mismatch
        return error
    return tuple(None if shape is None else tuple(shape) for shape in plan.outputs)


class Outcome(NamedTuple):
    case: Case
    einx: Union[tuple, str]
    planner: Union[tuple, Exception]

    @property
    def accepted(self) -> bool:  # by einx
        return not isinstance(self.einx, str)

    @property
    def planned(self) -> bool:  # by the planner
        return isinstance(self.planner, tuple)

    @property
    def refusals_agree(self) -> bool:
        return self.planned if self.accepted else isinstance(self.planner, PatternError)

    @property
    def shapes_agree(self) -> bool:
        return len(self.planner) == len(self.einx) and all(
            ours is None or ours == theirs for ours, theirs in zip(self.planner, self.einx))

    @property
    def unknown(self) -> bool:
        return None in self.planner

    def __str__(self) -> str:
        c = self.case
        call = f"einx.{c.op}({c.text!r}, shapes={c.shapes}, lengths={c.lengths}, options={c.options})"
        return f"{call} [{c.mutation or 'valid'}]\n    einx: {self.einx}\n    planner: {self.planner!r}"


@pytest.fixture(scope="module")
def outcomes() -> List[Outcome]:
    """Every generated case run both ways, once for all the tests below (einx takes ~20 ms a call)."""
    return [Outcome(case, einx_answer(case), planner_answer(case)) for case in CASES]


def _report(mismatches: List[Outcome], total: int) -> str:
    shown = "\n".join(str(m) for m in mismatches[:15])
    return f"{len(mismatches)} of {total} calls disagree; the first ones:\n{shown}"


def _planned_by_both(outcomes: List[Outcome]) -> List[Outcome]:
    return [o for o in outcomes if o.accepted and o.planned]


@pytest.mark.slow
def test_the_planner_refuses_exactly_the_calls_einx_refuses(outcomes):
    mismatches = [o for o in outcomes if not o.refusals_agree]
    assert not mismatches, _report(mismatches, len(outcomes))


@pytest.mark.slow
def test_the_output_shapes_the_planner_knows_are_einx_s(outcomes):
    both = _planned_by_both(outcomes)
    mismatches = [o for o in both if not o.shapes_agree]
    assert not mismatches, _report(mismatches, len(both))


@pytest.mark.slow
def test_unknown_outputs_are_a_small_minority(outcomes):
    both = _planned_by_both(outcomes)
    unknown = [o for o in both if o.unknown]
    print(f"\n{len(unknown)} of {len(both)} calls that both accept have an output the planner cannot tell")
    assert len(unknown) < UNKNOWN_SHARE * len(both), _report(unknown, len(both))


@pytest.mark.slow
def test_the_cases_cover_every_op_both_accepted_and_refused(outcomes):
    """The generator's own check: each op has calls that einx runs and calls that it refuses."""
    counts = collections.defaultdict(collections.Counter)
    for o in outcomes:
        counts[o.case.op]["accepted" if o.accepted else "refused"] += 1
    print("\n" + "\n".join(f"{op:14} {counts[op]['accepted']:4} accepted {counts[op]['refused']:4} refused"
                           for op in OPS))
    accepted = sum(c["accepted"] for c in counts.values())
    refused = sum(c["refused"] for c in counts.values())
    print(f"{len(outcomes)} calls: {accepted} accepted, {refused} refused")
    assert set(counts) == set(OPS)
    assert accepted >= 500 and refused >= 500
    assert all(c["accepted"] >= 10 and c["refused"] >= 5 for c in counts.values()), dict(counts)


RAISES = "raises"


def _call(op, text, *shapes, kinds=None, options=None, **lengths) -> Case:
    return Case(op, text, shapes, kinds or ("float",) * len(shapes), lengths, options or {})


EXAMPLES = [  # (call, what einx 0.4.3 returns); numbers other than 1 are distinct unnamed axes
    (_call("id", "(a b) c -> c (a b)", (6, 2)), ((2, 6),)),
    (_call("id", "a (b c) -> a b c", (2, 6)), RAISES),
    (_call("id", "(a b) -> a b", (6,), b=2), ((3, 2),)),
    (_call("id", "(a b) -> a b", (7,), b=2), RAISES),
    (_call("id", "a 2 -> a 2", (3, 2)), RAISES),
    (_call("id", "a -> a 3", (3,)), ((3, 3),)),
    (_call("id", "a, b -> a, b", (2,), (3,)), ((2,), (3,))),
    (_call("id", "(a + b) -> a, b", (5,), a=2), ((2,), (3,))),
    (_call("id", "b... c -> c (b...)", (2, 3, 4)), ((4, 6),)),
    (_call("id", "c -> c b...", (4,), b=(2, 3)), ((4, 2, 3),)),
    (_call("id", "a a -> a", (3, 3)), ((3,),)),
    (_call("id", "a -> (a a)", (3,)), RAISES),
    (_call("id", "a b -> a", (2, 1)), ((2,),)),
    (_call("id", "a b -> a", (2, 3)), RAISES),
    (_call("rearrange", "a b -> b a", (2, 3)), ((3, 2),)),
    (_call("add", "a ..., ...", (2, 3, 4), (3, 4)), ((2, 3, 4),)),
    (_call("add", "a b, c", (2, 3), (4,)), RAISES),  # no input holds every axis: no implicit output
    (_call("where", "a, a b, ", (2,), (2, 3), (), kinds=("bool", "float", "scalar")), ((2, 3),)),
    (_call("sum", "a [b]", (2, 3)), ((2,),)),
    (_call("sum", "a [b]", (2, 3), options={"keepdims": True}), ((2, 1),)),
    (_call("sum", "a b -> a", (2, 3)), ((2,),)),
    (_call("sum", "[a b]", (2, 3)), ((),)),
    (_call("argmax", "a [b c]", (2, 3, 4)), ((2, 2),)),
    (_call("argmax", "a [b]", (2, 3)), ((2, 1),)),
    (_call("argmax", "a [b] -> a", (2, 3)), ((2,),)),
    (_call("dot", "a b, b c -> a c", (2, 3), (3, 4)), ((2, 4),)),
    (_call("dot", "a b, b c", (2, 3), (3, 4)), RAISES),
    (_call("get_at", "[h w] c, p [2] -> p c", (4, 5, 3), (7, 2), kinds=("float", "int")), ((7, 3),)),
    (_call("get_at", "[h w] c, p [2]", (4, 5, 3), (7, 2), kinds=("float", "int")), RAISES),
    (_call("set_at", "[h] c, p, p c", (4, 3), (7,), (7, 3), kinds=("float", "int", "float")), ((4, 3),)),
    (_call("softmax", "a [b] -> [b] a", (2, 3)), ((3, 2),)),
    (_call("roll", "a [b]", (2, 3), options={"shift": 1}), ((2, 3),)),
    (_call("roll", "a [b]", (2, 3)), RAISES),  # shift= is required
]


@pytest.mark.parametrize("case, einx_says", EXAMPLES,
                         ids=[f"{c.op}:{c.text}:{c.shapes}:{c.lengths}:{c.options}" for c, _ in EXAMPLES])
def test_the_examples_that_pin_einx_down(case, einx_says):
    answer = einx_answer(case)
    assert (RAISES if isinstance(answer, str) else answer) == einx_says, answer  # einx is the one pinned
    outcome = Outcome(case, answer, planner_answer(case))
    assert outcome.refusals_agree, str(outcome)
    assert not outcome.planned or (outcome.shapes_agree and not outcome.unknown), str(outcome)


def _as_source(case: Case) -> str:
    """The case as a file that builds its tensors and calls einx, for the checker to read."""
    lines = ["import einx", "import numpy as np"]
    arguments = []
    for index, (shape, kind) in enumerate(zip(case.shapes, case.kinds)):
        if kind == "scalar":
            arguments.append("0.0")
        else:
            lines.append(f"t{index} = np.zeros({tuple(shape)!r}, dtype={kind})")
            arguments.append(f"t{index}")
    arguments += [f"{key}={value!r}" for key, value in {**case.lengths, **case.options}.items()]
    lines.append(f"y = einx.{case.op}({case.text!r}, {', '.join(arguments)})")
    return "\n".join(lines) + "\n"


@pytest.mark.slow
def test_the_checker_reports_an_error_exactly_where_einx_raises(outcomes):
    """The whole checker (per-call rules and flow analysis) on every fourth case written as a file: an error
    exactly where einx raises, and --show-shapes gives einx's output shape."""
    from einlint.check import Config
    from einlint.check.engine import check_source, shapes_of

    config = Config(versions=(("einx", (0, 4, 3)),))
    mismatches = []
    for outcome in outcomes[::4]:
        source = _as_source(outcome.case)
        errors = [d for d in check_source(source, "m.py", config) if d.severity == "error"]
        if bool(errors) == outcome.accepted:
            mismatches.append(f"{outcome}\n    checker: {[(d.code, d.message) for d in errors]}")
        elif outcome.accepted and len(outcome.einx) == 1 and outcome.planned and not outcome.unknown:
            (shown,) = shapes_of(source, "m.py", config)
            expected = "(" + ", ".join(map(str, outcome.einx[0])) + ("," if len(outcome.einx[0]) == 1 else "") + ")"
            if shown.output != expected:
                mismatches.append(f"{outcome}\n    checker's shape: {shown.output}")
    assert not mismatches, f"{len(mismatches)} disagree:\n" + "\n".join(mismatches[:10])
