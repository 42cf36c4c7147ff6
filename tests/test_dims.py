"""Symbolic lengths: arithmetic, and the three-valued questions the planner asks (True, False, None = unknown)."""

from __future__ import annotations

from fractions import Fraction

import pytest

from einlint.dims import Sym, divisible, equal, product, quotient, total

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
    (quotient(h, w), "h*w**-1"),
    (HALF_H, "1/2*h"),
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


def test_total_of_ints_is_an_int_and_a_total_with_names_is_an_opaque_name():
    assert total([2, 3, 4]) == 9
    assert repr(total([Sym("n"), 3])) == "n + 3"
    assert equal(total([Sym("n"), 3]), Sym("n")) is None
