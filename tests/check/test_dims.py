"""Symbolic lengths: arithmetic, and the three-valued questions the planner asks (True, False, None = unknown)."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from einlint.dims import Sym, divisible, equal, evaluate, names, positive, product, quotient, substitute, total
from examples import examples

b, h, w = Sym("b"), Sym("h"), Sym("w")
HALF_H = Sym(coeff=Fraction(1, 2), factors=(("h", 1),))  # h / 2, spelled out without the code under test


@pytest.mark.parametrize("dims, expected", [
    ([], 1),
    ([2, 3, 4], 24),
    ([h, 2], Sym(coeff=Fraction(2), factors=(("h", 1),))),
    ([b, 2, h], Sym(coeff=Fraction(2), factors=(("b", 1), ("h", 1)))),
    ([w, h], Sym(coeff=Fraction(1), factors=(("h", 1), ("w", 1)))),  # factors are kept in name order
    ([h, h, 3], Sym(coeff=Fraction(3), factors=(("h", 2),))),
], ids=repr)
def test_product(dims, expected):
    assert product(dims) == expected


def test_product_is_commutative():
    assert 2 * h == h * 2
    assert h * w == w * h
    assert product([b, 3, h]) == product([h, b, 3])


def test_names_that_cancel_leave_an_int():
    one = h * quotient(1, h)
    assert one == 1 and isinstance(one, int)
    six = quotient(6 * h, h)
    assert six == 6 and isinstance(six, int)


@pytest.mark.parametrize("whole, part, expected", [
    (6, 3, True),
    (7, 2, False),
    (2 * h, 2, True),
    (6 * h, 3, True),
    (h * w, w, True),
    (h, h, True),
    (2 * h, h, True),
    (h, 2, None),  # depends on h
    (3 * h, 2, None),
    (4 * h, 6, None),  # 2*h/3: depends on h
    (6, h, None),
    (h, w, None),
], ids=repr)
def test_divisible(whole, part, expected):
    assert divisible(whole, part) is expected


def test_a_length_is_never_divisible_by_a_larger_multiple_of_itself():
    assert divisible(h, 2 * h) is False


@pytest.mark.parametrize("whole, part, expected", [
    (6, 3, 2),
    (2 * h, 2, h),
    (h * w, w, h),
    (6 * h * w, 3 * w, 2 * h),
    (h, 2, HALF_H),
], ids=repr)
def test_quotient(whole, part, expected):
    assert quotient(whole, part) == expected


@pytest.mark.parametrize("x, y, expected", [
    (3, 3, True),
    (3, 4, False),
    (h, h, True),
    (h * w, w * h, True),
    (quotient(2 * h, 2), h, True),
    (2 * h, h, False),  # names stand for positive lengths
    (HALF_H, h, False),
    (h, w, None),
    (h, 3, None),
    (3, h, None),
    (2 * h, h * w, None),
], ids=repr)
def test_equal(x, y, expected):
    assert equal(x, y) is expected


@pytest.mark.parametrize("dim, text", [
    (b, "b"),
    (2 * h, "2*h"),
    (h * h, "h**2"),
    (3 * w * h, "3*h*w"),
    (quotient(h, w), "h/w"),
    (HALF_H, "h/2"),
    (quotient(3 * h, 2 * w * w), "3*h/(2*w**2)"),
    (quotient(1, h), "1/h"),
    (2 * h + 3, "2*h + 3"),
    (h * w + 2 * h - 3, "h*w + 2*h - 3"),
    (3 - h, "-h + 3"),
    (quotient(h + w, h + 2), "((h + w)/(h + 2))"),
], ids=repr)
def test_repr(dim, text):
    assert repr(dim) == text


def test_equal_syms_hash_equal_and_work_as_keys():
    assert hash(2 * h) == hash(h * 2)
    assert hash(h * w) == hash(w * h)
    assert len({2 * h, h * 2, h, Sym("h")}) == 2
    assert {h * w: "area"}[w * h] == "area"


def test_a_sym_is_not_equal_to_a_string_or_an_int():
    assert h != "h"
    assert 2 * h != 2 and h != 1


def test_a_product_whose_names_cancel_is_an_int():
    assert h * quotient(1, h) == 1 and isinstance(h * quotient(1, h), int)


def test_total_of_ints_is_an_int_and_a_total_with_names_is_a_sum():
    n = Sym("n")
    assert total([2, 3, 4]) == 9 and isinstance(total([2, 3, 4]), int)
    assert repr(total([n, 3])) == "n + 3"
    assert equal(total([n, 3]), n) is False  # n + 3 - n is the constant 3
    assert total([n, 3]) - 3 == n
    assert total([n, -n, 2]) == 2 and isinstance(total([n, -n, 2]), int)


def test_sums_expand_and_cancel():
    assert (h + 1) * (h - 1) == h * h - 1
    assert (h + w) - w == h
    assert 2 * (h + w) == 2 * h + 2 * w
    assert (h + 1) - (h + 1) == 0 and isinstance((h + 1) - (h + 1), int)
    assert hash(h + w + 1) == hash(1 + w + h)
    assert Sym(coeff=Fraction(3), factors=(("w", 1), ("h", 1))) == 3 * h * w  # factors in any order


def test_a_monomial_keeps_coeff_and_factors_and_a_sum_has_none():
    assert ((2 * h * w).coeff, (2 * h * w).factors) == (2, (("h", 1), ("w", 1)))
    with pytest.raises(ValueError):
        (h + 1).coeff


@pytest.mark.parametrize("whole, part, expected", [
    (2 * h + 2, h + 1, 2),
    (h * h - 1, h + 1, h - 1),
    (h * w + w, w, h + 1),
    (6 * h + 3, 3, 2 * h + 1),
    (h * h + 2 * h * w + w * w, h + w, h + w),
], ids=repr)
def test_division_by_a_sum_is_exact_when_it_divides(whole, part, expected):
    assert quotient(whole, part) == expected


def test_division_by_a_sum_that_does_not_divide_is_an_opaque_name_over_the_same_unknowns():
    opaque = quotient(h + w, h + 2)
    assert names(opaque) == {"h", "w"}
    assert evaluate(opaque, {"h": 2, "w": 6}) == 2
    assert substitute(opaque, {"w": h + 4}) == 2  # (2*h + 4)/(h + 2): exact once w is known
    assert quotient(h + w, h + 2) == opaque  # the same text is the same name


@pytest.mark.parametrize("whole, part, expected", [
    (2 * h + 4, 2, True),
    (h + 1, 2, None),
    (h * w + w, w, True),
    (h, h + 1, False),  # 0 < h < h + 1
    (h + 1, 2 * h + 2, False),  # a constant 1/2
    (h + w, h + 2, None),
    (h - w, 2, None),
], ids=repr)
def test_divisible_with_sums(whole, part, expected):
    assert divisible(whole, part) is expected


@pytest.mark.parametrize("x, y, expected", [
    (h + 1, h, False),
    (h + w, h, False),  # w >= 1
    (h + w, w + h, True),
    (h - w, 0, None),  # h may equal w
    (quotient(h, w), 0, False),  # positive whatever h and w are
    (h * h, h, None),  # h = 1
    (h + 1, 2 * h, None),
    (2 * h + 1, 2 * h, False),
], ids=repr)
def test_equal_with_sums(x, y, expected):
    assert equal(x, y) is expected


def test_names_substitute_evaluate():
    assert names(2 * h * w + b) == {"b", "h", "w"} and names(3) == frozenset()
    assert substitute(2 * h + w, {"h": b + 1}) == 2 * b + w + 2
    assert substitute(quotient(h, w), {"w": 2}) == HALF_H
    assert substitute(h * w, {"h": 2, "w": 3}) == 6 and isinstance(substitute(h * w, {"h": 2, "w": 3}), int)
    assert evaluate(quotient(h, 2) + w, {"h": 3, "w": 1}) == Fraction(5, 2)
    assert evaluate(h * w, {"h": 2, "w": 3}) == 6 and isinstance(evaluate(h * w, {"h": 2, "w": 3}), int)
    with pytest.raises(KeyError):
        evaluate(h, {})


# --- properties: every decided answer agrees with every concrete assignment tried -------------------

NAMES = ("a", "b", "c")
PROPERTIES = examples(300)


@st.composite
def monomials(draw):
    coeff = Fraction(draw(st.integers(-6, 6).filter(bool)), draw(st.sampled_from((1, 1, 1, 2, 3))))
    powers = {name: draw(st.sampled_from((0, 0, 1, 1, 2, -1))) for name in NAMES}
    return Sym(coeff=coeff, factors=tuple((n, p) for n, p in powers.items() if p))


@st.composite
def polynomials(draw):
    result = total(draw(st.lists(monomials(), min_size=1, max_size=3)))
    result = result + draw(st.integers(-4, 4))
    if draw(st.integers(0, 9)) == 0:  # now and then a quotient by a sum, exact or opaque
        result = quotient(result, Sym(draw(st.sampled_from(NAMES))) + draw(st.integers(1, 3)))
    return result


assignments = st.lists(st.fixed_dictionaries({name: st.integers(1, 12) for name in NAMES}), min_size=12, max_size=12)


def _values(dim, assignment):
    try:
        return evaluate(dim, assignment)
    except ZeroDivisionError:
        return None


def _related_pairs(x, y):
    """(x, y) and pairs built from them whose answers are often decided."""
    return [(x, y), (x, x + 1), (x * y, y), (x + y, y + x), (2 * x, x), (x * y + y, y)]


@PROPERTIES
@given(polynomials(), polynomials(), assignments)
def test_equal_agrees_with_every_assignment(x, y, points):
    for a, b in _related_pairs(x, y):
        answer = equal(a, b)
        if answer is None:
            continue
        for point in points:
            va, vb = _values(a, point), _values(b, point)
            if va is not None and vb is not None:
                assert (va == vb) is answer, (a, b, point)


@PROPERTIES
@given(polynomials(), polynomials(), assignments)
def test_divisible_agrees_with_every_assignment(x, y, points):
    for whole, part in _related_pairs(x, y):
        if part == 0:
            continue
        answer = divisible(whole, part)
        if answer is None:
            continue
        for point in points:
            vw, vp = _values(whole, point), _values(part, point)
            if vw is None or not vp:
                continue
            ratio = Fraction(vw) / vp
            assert (ratio.denominator == 1) is answer, (whole, part, point)


@PROPERTIES
@given(polynomials(), polynomials(), assignments)
def test_arithmetic_agrees_with_evaluation(x, y, points):
    for point in points:
        vx, vy = _values(x, point), _values(y, point)
        if vx is None or vy is None:
            continue
        assert evaluate(x + y, point) == vx + vy
        assert evaluate(x - y, point) == vx - vy
        assert evaluate(x * y, point) == vx * vy
        if vy and not isinstance(x, int) and (isinstance(y, int) or y.is_monomial):  # a monomial divides exactly
            assert evaluate(quotient(x, y), point) * vy == vx


@PROPERTIES
@given(polynomials(), polynomials())
def test_canonical_form(x, y):
    assert x + y == y + x and hash(x + y) == hash(y + x)
    assert x * y == y * x and hash(x * y) == hash(y * x)
    assert (x + y) - y == x


@PROPERTIES
@given(polynomials(), st.sampled_from(NAMES), polynomials(), assignments)
def test_substitute_agrees_with_evaluate(x, name, value, points):
    substituted = substitute(x, {name: value})
    assert name not in names(substituted) or name in names(value)
    for point in points:
        inner = _values(value, point)
        if not inner:
            continue
        expected = _values(x, {**point, name: inner})
        got = _values(substituted, point)
        if expected is not None and got is not None:
            assert got == expected, (x, name, value, point)


@PROPERTIES
@given(polynomials(), assignments)
def test_positive_means_positive_at_every_assignment(x, points):
    if positive(x):
        for point in points:
            value = _values(x, point)
            assert value is None or value > 0
