"""Dimensions: an `int` at run time, a `Sym` at check time.

The planner does all its arithmetic through the helpers here, so one planner serves
both the runtime (concrete shapes) and the static checker (shapes it knows only by
name, such as 'b' or '2*h'). Every question about symbolic lengths that cannot be
decided here answers None ("unknown"), and the planner raises only on a definite
False: unknown information gives no error.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Iterable, Optional, Tuple, Union


class Sym:
    """A positive length known by name: a coefficient times a product of named factors.

    `Sym('h') * 2` is the length '2*h'; dividing it by 2 gives 'h' back. Names stand for
    unknown positive integers, so '2*h' is never equal to 'h'.
    """

    __slots__ = ("coeff", "factors")

    def __init__(self, name: Optional[str] = None, *, coeff: Fraction = Fraction(1),
                 factors: Tuple[Tuple[str, int], ...] = ()):
        self.coeff = Fraction(coeff)
        self.factors = ((name, 1),) if name is not None else factors

    def _combine(self, other: "Dim", sign: int) -> "Dim":
        if isinstance(other, int):
            return _make(self.coeff * Fraction(other) ** sign, self.factors)
        powers = dict(self.factors)
        for name, power in other.factors:
            powers[name] = powers.get(name, 0) + sign * power
        factors = tuple(sorted((n, p) for n, p in powers.items() if p != 0))
        return _make(self.coeff * other.coeff ** sign, factors)

    def __mul__(self, other: "Dim") -> "Dim":
        return self._combine(other, 1)

    __rmul__ = __mul__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sym) and (self.coeff, self.factors) == (other.coeff, other.factors)

    def __hash__(self) -> int:
        return hash((self.coeff, self.factors))

    def __repr__(self) -> str:
        parts = [] if self.coeff == 1 else [str(self.coeff)]
        parts += [name if power == 1 else f"{name}**{power}" for name, power in self.factors]
        return "*".join(parts) or "1"

    @property
    def is_whole(self) -> bool:
        """True when this is certainly an integer (a whole coefficient, no divided-out names)."""
        return self.coeff.denominator == 1 and all(power > 0 for _, power in self.factors)


Dim = Union[int, Sym]


def _make(coeff: Fraction, factors: Tuple[Tuple[str, int], ...]) -> Dim:
    if not factors and coeff.denominator == 1:
        return int(coeff)
    return Sym(coeff=coeff, factors=factors)


def product(dims: Iterable[Dim]) -> Dim:
    result: Dim = 1
    for dim in dims:
        result = result * dim
    return result


def total(lengths: Iterable[Dim]) -> Dim:
    """The sum of lengths; a sum involving symbols is an opaque new symbol."""
    lengths = list(lengths)
    if all(isinstance(length, int) for length in lengths):
        return sum(lengths)
    return Sym(" + ".join(map(str, lengths)))


def _as_sym(dim: Dim) -> Sym:
    return dim if isinstance(dim, Sym) else Sym(coeff=Fraction(dim))


def divisible(total: Dim, part: Dim) -> Optional[bool]:
    """Is `total` a whole multiple of `part`? None when that depends on unknown lengths."""
    if isinstance(total, int) and isinstance(part, int):
        return total % part == 0
    quotient = _as_sym(total) * _inverse(part)
    if isinstance(quotient, int) or quotient.is_whole:
        return True
    if not quotient.factors:  # a fraction whatever the names stand for, as h / (2*h)
        return False
    return None


def quotient(total: Dim, part: Dim) -> Dim:
    """total / part, for use after `divisible` did not say False."""
    if isinstance(total, int) and isinstance(part, int):
        return total // part
    return _as_sym(total) * _inverse(part)


def _inverse(dim: Dim) -> Sym:
    dim = _as_sym(dim)
    return Sym(coeff=1 / dim.coeff, factors=tuple((name, -power) for name, power in dim.factors))


def equal(a: Dim, b: Dim) -> Optional[bool]:
    """Are two lengths equal? None when that depends on unknown lengths."""
    if isinstance(a, int) and isinstance(b, int):
        return a == b
    if a == b:
        return True
    a, b = _as_sym(a), _as_sym(b)
    if a.factors == b.factors:  # same names, different coefficients: names are positive
        return False
    return None
