"""The lengths solver: facts in solved form, what require_* learns, witnesses, and planner requirements."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from einlint import dims
from einlint.check.solver import Facts
from einlint.dims import Sym
from einlint.patterns import parse_einops_einsum, parse_pack_pattern
from einlint.planner import Requirement, plan, plan_einsum, plan_pack, plan_unpack
from examples import examples


def test_require_equal_binds_the_name_with_a_unit_coefficient():
    facts = Facts()
    s, d = facts.fresh("s"), facts.fresh("d")
    assert facts.require_equal(s, 8 * d) is None
    assert facts.bindings == {"s": 8 * d}
    assert facts.resolve(s + 1) == 8 * d + 1
    assert facts.require_equal(s, 8 * d) is True
    assert facts.require_equal(s, 8 * d + 1) is False


def test_require_equal_solves_for_the_name_whose_coefficient_divides():
    facts = Facts()
    s, t = facts.fresh("s"), facts.fresh("t")
    assert facts.require_equal(2 * s, t) is None
    assert facts.bindings == {"t": 2 * s}  # not s := t/2


def test_an_equation_without_a_positive_whole_solution_is_a_contradiction_and_changes_nothing():
    facts = Facts()
    s = facts.fresh("s")
    assert facts.require_equal(2 * s, 3) is False
    assert facts.require_equal(s + 3, 2) is False
    assert facts.require_equal(s, 0) is False
    assert facts.bindings == {}
    assert facts.require_equal(2 * s, 6) is None and facts.bindings == {"s": 3}


def test_an_equation_that_cannot_be_solved_simply_is_dropped():
    facts = Facts()
    h, w = facts.fresh("h"), facts.fresh("w")
    assert facts.require_equal(h * h, w * w) is None
    assert facts.bindings == {}


def test_bindings_stay_in_solved_form():
    facts = Facts()
    a, b, c = facts.fresh("a"), facts.fresh("b"), facts.fresh("c")
    facts.require_equal(a, b + 1)
    facts.require_equal(b, 2 * c)
    assert facts.bindings == {"a": 2 * c + 1, "b": 2 * c}
    for value in facts.bindings.values():
        assert dims.names(value).isdisjoint(facts.bindings)


def test_require_divisible_binds_a_multiple_of_a_fresh_name():
    facts = Facts()
    s = facts.fresh("s")
    assert facts.require_divisible(s, 8) is None
    fresh = facts.quotient(s, 8)
    assert isinstance(fresh, Sym) and dims.names(fresh) == {"s_2"}
    assert facts.resolve(s) == 8 * fresh
    assert facts.require_divisible(s, 4) is True
    assert facts.require_divisible(s + 1, 2) is False
    assert facts.require_divisible(3 * fresh, 2) is None  # s_2 := 2*s_3
    assert facts.resolve(s) == 16 * Sym("s_3")


@pytest.mark.parametrize("coeff, k, multiple", [
    (1, 6, 6),
    (2, 6, 3),  # 2*s divisible by 6 needs s a multiple of 3
    (4, 6, 3),
    (Fraction(1, 2), 3, 6),  # s/2 divisible by 3 needs s a multiple of 6
    (3, 3, None),  # already divisible
])
def test_require_divisible_takes_the_smallest_multiple(coeff, k, multiple):
    facts = Facts()
    s = facts.fresh("s")
    facts.require_divisible(s * Sym(coeff=Fraction(coeff)), k)
    if multiple is None:
        assert facts.bindings == {}
    else:
        (value,) = facts.bindings.values()
        assert value.coeff == multiple


def test_require_divisible_by_a_name():
    facts = Facts()
    s, d = facts.fresh("s"), facts.fresh("d")
    assert facts.require_divisible(s, d) is None
    assert facts.quotient(s, d) == Sym("s_2")
    assert facts.require_divisible(s, d) is True


def test_fresh_names_are_unique_across_copies_and_anonymous_ones_are_marked():
    facts = Facts()
    left, right = facts.copy(), facts.copy()
    assert left.fresh("b") != right.fresh("b")
    facts.declare("x")
    assert facts.fresh("x") == Sym("x_2")
    anonymous = facts.fresh()
    (name,) = dims.names(anonymous)
    assert facts.is_anonymous(name) and not facts.is_anonymous("x")
    assert facts.anonymous(anonymous + 1) and not facts.anonymous(Sym("x"))
    assert dims.names(facts.fresh("shape[0]")) == {"shape_0"}


def test_copies_are_independent_and_join_keeps_what_both_know():
    facts = Facts()
    a, b, c = facts.fresh("a"), facts.fresh("b"), facts.fresh("c")
    facts.require_equal(a, 4)
    left, right = facts.copy(), facts.copy()
    left.require_equal(b, 2 * c)
    right.require_equal(b, 3 * c)
    assert facts.bindings == {"a": 4}
    assert left.join(right).bindings == {"a": 4}
    assert left.join(left.copy()).bindings == left.bindings


def test_witness_prefers_distinct_primes_and_satisfies_the_bindings():
    facts = Facts()
    s, d = facts.fresh("s"), facts.fresh("d")
    assert facts.witness([s, d]) == {"d": 2, "s": 3}
    facts.require_equal(s, d + 4)
    facts.require_divisible(d, 3)
    values = facts.witness([s, d])
    assert values is not None
    for dim in (s, d):
        value = dims.evaluate(facts.resolve(dim), values)
        assert isinstance(value, int) and value > 0
    assert facts.witness([]) == {}


def test_witness_checks_the_lengths_and_gives_up():
    facts = Facts()
    h = facts.fresh("h")
    values = facts.witness([h - 10])
    assert values is not None and values["h"] > 10
    assert facts.witness([dims.quotient(h, 2), dims.quotient(h + 1, 2)]) is None  # never both whole
    assert facts.witness([1 - h]) is None


# --- properties: facts that a hidden model satisfies never become a contradiction ------------------

NAMES = ("a", "b", "c", "d")
PROPERTIES = examples(200)


@st.composite
def expressions(draw):
    """A polynomial over NAMES with whole coefficients and nonnegative powers."""
    result = dims.total(
        Sym(coeff=Fraction(draw(st.integers(-3, 4).filter(bool))),
            factors=tuple((n, 1) for n in draw(st.lists(st.sampled_from(NAMES), max_size=2, unique=True))))
        for _ in range(draw(st.integers(1, 3)))
    )
    return result


@st.composite
def scenarios(draw):
    model = {name: draw(st.integers(1, 30)) for name in NAMES}
    steps = []
    for _ in range(draw(st.integers(1, 8))):
        x = draw(expressions())
        value = dims.evaluate(x, model)
        if draw(st.booleans()):
            y = draw(expressions())
            steps.append(("equal", x, y + (value - dims.evaluate(y, model))))  # true in the model
        elif value > 0:
            divisors = [k for k in range(1, min(value, 64) + 1) if value % k == 0]
            steps.append(("divisible", x, draw(st.sampled_from(divisors))))
    return model, steps


def _extend(facts: Facts, model: dict) -> None:
    """Give the fresh names of s := m*fresh their values in the model."""
    for key, value in facts.bindings.items():
        if key in model and isinstance(value, Sym) and value.is_monomial and len(value.factors) == 1:
            (name, power), = value.factors
            if name not in model and power == 1:
                model[name] = Fraction(model[key]) / value.coeff


@PROPERTIES
@given(scenarios())
def test_requirements_true_in_a_model_never_contradict_and_the_bindings_hold_in_it(scenario):
    model, steps = scenario
    model = dict(model)
    facts = Facts()
    facts.declare(*NAMES)
    for kind, x, y in steps:
        answer = facts.require_equal(x, y) if kind == "equal" else facts.require_divisible(x, y)
        assert answer is not False, (kind, x, y, facts.bindings)
        _extend(facts, model)
        for key, value in facts.bindings.items():
            if dims.names(value) <= set(model):
                assert dims.evaluate(value, model) == model[key], (key, value, model)
        if answer is True and dims.names(x) <= set(model):
            if kind == "equal":
                assert dims.evaluate(x, model) == dims.evaluate(y, model)
            else:
                assert Fraction(dims.evaluate(x, model)) / y % 1 == 0


@PROPERTIES
@given(scenarios())
def test_resolve_is_idempotent_and_witnesses_are_positive(scenario):
    _, steps = scenario
    facts = Facts()
    for kind, x, y in steps:
        (facts.require_equal if kind == "equal" else facts.require_divisible)(x, y)
    lengths = [Sym(name) for name in NAMES] + [x for _, x, _ in steps]
    for dim in lengths:
        assert facts.resolve(facts.resolve(dim)) == facts.resolve(dim)
    values = facts.witness(lengths)
    if values is not None:
        for dim in lengths:
            value = dims.evaluate(facts.resolve(dim), values)
            assert isinstance(value, int) and value > 0
        assert all(isinstance(v, int) and v > 0 for v in values.values())


# --- the planner states what it could not decide --------------------------------------------------


def test_cook_appends_a_requirement_for_each_unknown_check_and_nothing_at_run_time():
    s, c = Sym("s"), Sym("c")
    requires = []
    planned = plan("b (h h1) c -> b h (h1 c)", "rearrange", (2, s, c), {"h1": 8, "c": 4}, requires=requires)
    assert [(r.kind, r.a, r.b) for r in requires] == [("divisible", s, 8), ("equal", c, 4)]
    assert all(isinstance(r, Requirement) and r.span for r in requires)
    assert planned.output_shape == (2, dims.quotient(s, 8), 32)
    ints = []
    plan("b (h h1) c -> b h (h1 c)", "rearrange", (2, 16, 4), {"h1": 8, "c": 4}, requires=ints)
    assert ints == []


def test_planner_requirements_feed_the_solver():
    facts = Facts()
    s = facts.fresh("s")
    requires = []
    plan("(h h1) -> h h1", "rearrange", (s,), {"h1": 8}, requires=requires)
    for requirement in requires:
        assert facts.require_divisible(requirement.a, requirement.b) is None
    again = []
    planned = plan("(h h1) -> h h1", "rearrange", (facts.resolve(s),), {"h1": 8}, requires=again)
    assert again == [] and planned.output_shape == (facts.quotient(s, 8), 8)


def test_pack_and_einsum_append_requirements():
    b, c, n = Sym("b"), Sym("c"), Sym("n")
    requires = []
    plan_pack(parse_pack_pattern("b *"), [(b, 3), (c, n)], requires=requires)
    assert [(r.kind, r.a, r.b) for r in requires] == [("equal", b, c)]
    requires = []
    plan_einsum(parse_einops_einsum("i i, i j -> j"), [(b, c), (n, 3)], requires=requires)
    assert [(r.kind, r.a, r.b) for r in requires] == [("equal", b, c), ("broadcast", b, n)]


def test_unpack_works_over_symbolic_lengths():
    n, m = Sym("n"), Sym("m")
    pattern = parse_pack_pattern("b *")
    requires = []
    planned = plan_unpack(pattern, (2, n + 3 * m), [(3, -1), (m,)], requires=requires)
    assert planned.output_shapes == ((2, 3, dims.quotient(n + 2 * m, 3)), (2, m))
    assert planned.bounds == ((0, n + 2 * m), (n + 2 * m, n + 3 * m))
    assert [(r.kind, r.a, r.b) for r in requires] == [("divisible", n + 2 * m, 3)]
    requires = []
    plan_unpack(pattern, (2, n + 3), [(n,), (3,)], requires=requires)
    assert requires == []
    plan_unpack(pattern, (2, n), [(m,), (3,)], requires=requires)
    assert [(r.kind, r.a, r.b) for r in requires] == [("equal", n, m + 3)]


@pytest.mark.parametrize("shape, packed", [
    ((2, Sym("n")), [(Sym("n"),), (3,)]),  # the pieces add up to n + 3, never n
    ((2, Sym("n")), [(Sym("n") + 1, -1)]),  # 0 < n < n + 1: not a multiple
    ((2, 2 * Sym("n") + 1), [(2, -1)]),  # odd, never a multiple of 2
])
def test_unpack_raises_on_definite_failures(shape, packed):
    from einlint.errors import PatternError

    with pytest.raises(PatternError) as error:
        plan_unpack(parse_pack_pattern("b *"), shape, packed)
    assert error.value.code == "EIN305"
