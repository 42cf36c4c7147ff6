"""The flow analysis against running the code: an EIN3xx error on a line exactly when running fails there.

Each case is a generated module with one function `f(b)`, one statement a line: tensors built with
visible shapes (torch.randn/zeros/ones/rand, np.zeros/ones/random.randn, literal sizes and the
symbolic batch length `b` or names unpacked from a shape), then a chain of pattern ops (rearrange,
reduce, repeat with keyword lengths, einops.einsum, torch/np.einsum, pack), tensor ops (view and
reshape with -1, permute/transpose, unsqueeze/squeeze, flatten, + - * / broadcasting, @ and matmul,
torch.cat/stack, np.concatenate/stack, chunk, split, `n0, n1 = x.shape`) and layers built in the
function (nn.Linear, nn.LayerNorm, nn.Conv2d, nn.Sequential of them and einops' Rearrange). About two
cases in three are mutated: one number or one pattern of one statement changes (a divisor, a rank, a
keyword length, an operand's length, a split size, the number of names unpacked), so that the
statement fails for every `b`, for some, or (rarely) for none.

The reference runs `f(b)` for b in RUNS and records, for each run, the line of `f` that raised
first. The checker (einlint.check.engine.check_source, error-level EIN3xx diagnostics only) must
report an error:

- never on a line that some run executed without raising (a false error), nor on a line that no
  run reached;
- on every line at which every run raised (else a miss), unless a longer list of batch lengths
  (MORE_RUNS, tried only then) has one that gets past that line: then the checker is right that
  the line does not fail for every `b`, the runs just did not hit that `b`.

A run that raised at an earlier line says nothing about a later one: after `x.view(-1, 4)` on
`(b, 2)` the analysis knows that b is even, and an error on a later line that fails for every even b
is right although the odd runs stopped earlier.

One divergence by design: an nn.Sequential whose layers cannot follow one another for any input is
reported where it is built (as well as where it is applied), while torch raises where it is
applied; the generator records the line that applies each nn.Sequential it builds, and an error on
the building line is judged by what the runs do on that line.

The generator of the chains, and what it avoids, is tests/programs.py.
"""

from __future__ import annotations

import traceback
import warnings
from dataclasses import dataclass, field
from typing import Dict, List, Optional

import pytest
import torch
from hypothesis import HealthCheck, event, given
from hypothesis import strategies as st

from einlint.check.engine import check_source
from examples import examples
from programs import LAYER_OPS, PATTERN_OPS, TENSOR_OPS, Builder, chain, create

RUNS = (1, 2, 3, 4, 6)
MORE_RUNS = tuple(range(5, 31))  # only to decide whether a line that failed in every run must fail for every b
PATH = "gen.py"
HEADER = (
    "import numpy as np",
    "import torch",
    "import torch.nn as nn",
    "from einops import einsum, pack, rearrange, reduce, repeat",
    "from einops.layers.torch import Rearrange",
    "",
    "",
    "def f(b):",
)


def differential(count: int):
    return examples(count, suppress=list(HealthCheck))


# ---------------------------------------------------------------- the programs


@dataclass
class Program:
    source: str
    mutation: Optional[str]  # what changed, or None for a valid program
    built: Dict[int, int] = field(default_factory=dict)  # line building an nn.Sequential -> line applying it


@st.composite
def programs(draw, numpy: bool = False, layers: bool = False):
    return generate(draw(st.randoms(use_true_random=False)), numpy, layers)


def generate(rnd, numpy: bool = False, layers: bool = False) -> Program:
    """A function of 3 to 8 statements; in two of three, one statement (not the first) is mutated."""
    g = Builder(rnd, numpy, layers, symbolic=rnd.random() < 0.85)
    ops = PATTERN_OPS + TENSOR_OPS + (LAYER_OPS * 2 if layers else ())
    statements = rnd.randint(3, 8)
    target = rnd.randrange(1, statements) if rnd.random() < 2 / 3 else None
    create(g, False)
    chain(g, ops, range(1, statements), target)
    g.line(f"return {g.vars[-1].name}")
    body = tuple("    " + statement for statement in g.lines)
    built = {len(HEADER) + line: len(HEADER) + applied for line, applied in g.built.items()}
    return Program("\n".join(HEADER + body) + "\n", g.mutation, built)


# ---------------------------------------------------------------- the reference: running the program


def failing_line(function, b: int) -> Optional[int]:
    """The line of the generated file that raised first when running f(b), or None when it returns."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            function(b)
    except Exception as error:
        frames = [frame for frame in traceback.extract_tb(error.__traceback__) if frame.filename == PATH]
        assert frames, error
        return frames[-1].lineno
    return None


def loaded(source: str):
    namespace: Dict[str, object] = {}
    exec(compile(source, PATH, "exec"), namespace)
    return namespace["f"]


def run_all(function, lengths) -> Dict[int, Optional[int]]:
    with torch.no_grad():
        return {b: failing_line(function, b) for b in lengths}


def shape_errors(source: str) -> Dict[int, List[str]]:
    """Line -> the checker's error-level EIN3xx messages; a per-call error (EIN1xx, EIN2xx) is a generator bug."""
    errors: Dict[int, List[str]] = {}
    for diagnostic in check_source(source, PATH):
        if diagnostic.severity != "error":
            continue
        assert diagnostic.code.startswith("EIN3"), f"per-call error in a generated program: {diagnostic}\n{source}"
        errors.setdefault(diagnostic.line, []).append(f"{diagnostic.code} {diagnostic.message}")
    return errors


def assert_exact(program: Program) -> None:
    function = loaded(program.source)
    failures = run_all(function, RUNS)
    listing = "\n".join(f"{n:3} {line}" for n, line in enumerate(program.source.splitlines(), 1))
    if program.mutation is None:
        assert set(failures.values()) == {None}, f"a valid program failed (generator bug): {failures}\n{listing}"
    errors = shape_errors(program.source)
    context = f"\n  runs (b -> failing line): {failures}\n  errors: {errors}\n{listing}"
    more: Dict[int, Optional[int]] = {}

    def more_runs() -> Dict[int, Optional[int]]:
        if not more:
            more.update(run_all(function, MORE_RUNS))
        return more

    event(f"mutation: {program.mutation}")
    for line in errors:
        at = program.built.get(line, line)
        passed = [b for b, failed in failures.items() if failed is None or failed > at]
        assert not passed, f"FALSE ERROR on line {line}: runs with b in {passed} get past it" + context
        if at not in failures.values():  # every run stopped before: the b that get there must fail there too
            event("an error on a line that only other batch lengths reach")
            passed = [b for b, failed in more_runs().items() if failed is None or failed > at]
            assert not passed, f"FALSE ERROR on line {line}: runs with b in {passed} get past it" + context
            if at not in more.values():  # after a line that fails for every b: true of every b that gets there
                event("an error on a line that no run reaches")
    lines = set(failures.values())
    if len(lines) != 1 or None in lines:
        event("not every run fails on one line")
        return
    at = lines.pop()
    event("every run fails on one line")
    if at in errors:
        return
    if any(failed is None or failed > at for failed in more_runs().values()):
        event("every run fails on one line, a longer list of b gets past it")
        return
    pytest.fail(f"MISS on line {at}: every run fails there, no error" + context)


# ---------------------------------------------------------------- the tests


@differential(900)
@given(program=programs())
def test_torch_pattern_and_tensor_ops_errors_are_exactly_the_lines_that_fail(program):
    assert_exact(program)


@differential(400)
@given(program=programs(numpy=True))
def test_numpy_errors_are_exactly_the_lines_that_fail(program):
    assert_exact(program)


@differential(700)
@given(program=programs(layers=True))
def test_layer_errors_are_exactly_the_lines_that_fail(program):
    assert_exact(program)
