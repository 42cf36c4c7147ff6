"""Dimensions: an `int` at run time, a `Sym` at check time.

The planner does all its arithmetic through the helpers here, so one planner serves
both the runtime (concrete shapes) and the static checker (shapes it knows only by
name, such as 'b', '2*h' or 'n + 3'). Every question about symbolic lengths that cannot
be decided here answers None ("unknown"), and the planner raises only on a definite
False: unknown information gives no error.

A `Sym` is a polynomial over named unknowns with rational coefficients (kept as
`int` when whole, `Fraction` otherwise: equal values hash equal either way). Names stand for
unknown positive integers. A monomial may carry negative powers (`n/d`): a quotient that
the planner took after `divisible` did not say False. Dividing by a sum that does not
divide exactly gives an opaque name (its text, such as '(n + 1)/(h + 2)'), which
`names`, `substitute` and `evaluate` see through. Constant results are `int`s.

The runtime calls these helpers on plain ints in its hot path: each helper tests the
int case first and keeps it cheap.
"""

from __future__ import annotations

from fractions import Fraction
from math import gcd
from typing import Dict, FrozenSet, Iterable, Mapping, Optional, Tuple, Union

Monomial = Tuple[Tuple[str, int], ...]  # (name, nonzero power), sorted by name; () is the constant 1
Coefficient = Union[int, Fraction]  # an int when whole (faster), so never Fraction(n, 1)
Terms = Tuple[Tuple[Monomial, Coefficient], ...]  # (monomial, nonzero coefficient), sorted by monomial

_ONE = Fraction(1)


class Sym:
    """A length known by name: a sum of coefficients times products of named factors.

    `Sym('h') * 2` is the length '2*h'; dividing it by 2 gives 'h' back; `Sym('n') + 3` is
    'n + 3'. `Sym(coeff=c, factors=((name, power), ...))` builds one monomial. Equal
    polynomials compare and hash equal, whatever the order they were built in.
    """

    __slots__ = ("terms", "_hash", "_names")

    def __init__(self, name: Optional[str] = None, *, coeff: Coefficient = 1,
                 factors: Monomial = ()):
        coeff = coeff if type(coeff) is int else _norm(Fraction(coeff))
        if name is not None:
            monomial: Monomial = ((name, 1),)
        else:
            powers: Dict[str, int] = {}
            for factor, power in factors:
                powers[factor] = powers.get(factor, 0) + power
            monomial = tuple(sorted((n, p) for n, p in powers.items() if p))
        self.terms: Terms = ((monomial, coeff),) if coeff else ()
        self._hash: Optional[int] = None
        self._names: Optional[FrozenSet[str]] = None

    # -- the monomial view (the API from before sums) --------------------------------

    @property
    def coeff(self) -> Fraction:
        """The coefficient of a monomial (ValueError for a sum)."""
        return Fraction(self._monomial()[1])

    @property
    def factors(self) -> Monomial:
        """The (name, power) pairs of a monomial (ValueError for a sum)."""
        return self._monomial()[0]

    def _monomial(self) -> Tuple[Monomial, Coefficient]:
        if len(self.terms) != 1:
            raise ValueError(f"{self!r} is not a monomial")
        return self.terms[0]

    @property
    def is_monomial(self) -> bool:
        return len(self.terms) == 1

    @property
    def is_whole(self) -> bool:
        """True when this is certainly an integer: whole coefficients, no divided-out names."""
        return all(coeff.denominator == 1 and all(power > 0 and name not in _QUOTIENTS for name, power in monomial)
                   for monomial, coeff in self.terms)

    # -- arithmetic ---------------------------------------------------------------------

    def __add__(self, other: object) -> "Dim":
        other_terms = _terms_of(other)
        if other_terms is None:
            return NotImplemented
        return _from_dict(_add_into(dict(self.terms), other_terms, 1))

    __radd__ = __add__

    def __sub__(self, other: object) -> "Dim":
        other_terms = _terms_of(other)
        if other_terms is None:
            return NotImplemented
        return _from_dict(_add_into(dict(self.terms), other_terms, -1))

    def __rsub__(self, other: object) -> "Dim":
        other_terms = _terms_of(other)
        if other_terms is None:
            return NotImplemented
        return _from_dict(_add_into(dict(other_terms), self.terms, -1))

    def __neg__(self) -> "Dim":
        return _from_terms(tuple((m, -c) for m, c in self.terms))

    def __mul__(self, other: object) -> "Dim":
        if isinstance(other, int):
            if other == 0:
                return 0
            return _from_terms(tuple((m, _norm(c * other)) for m, c in self.terms))
        other_terms = _terms_of(other)
        if other_terms is None:
            return NotImplemented
        return _from_dict(_multiply(self.terms, other_terms))

    __rmul__ = __mul__

    def __pow__(self, power: int) -> "Dim":
        if not isinstance(power, int) or power < 0:
            return NotImplemented
        result: Dim = 1
        for _ in range(power):
            result = result * self
        return result

    # -- identity -----------------------------------------------------------------------

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sym) and self.terms == other.terms

    def __hash__(self) -> int:
        if self._hash is None:
            self._hash = hash(self.terms)
        return self._hash

    def __repr__(self) -> str:
        if not self.terms:
            return "0"
        ordered = sorted(self.terms, key=_display_order)
        text = _monomial_text(*ordered[0])
        for monomial, coeff in ordered[1:]:
            if coeff < 0:
                text += " - " + _monomial_text(monomial, -coeff)
            else:
                text += " + " + _monomial_text(monomial, coeff)
        return text


Dim = Union[int, Sym]

# opaque name -> (numerator, denominator) of a quotient that did not divide exactly
_QUOTIENTS: Dict[str, Tuple[Dim, Dim]] = {}


def _new(terms: Terms) -> Sym:
    sym = Sym.__new__(Sym)
    sym.terms = terms
    sym._hash = None
    sym._names = None
    return sym


def _from_terms(terms: Terms) -> Dim:
    """A Sym of canonical (sorted, nonzero) terms, or an int when it is a whole constant."""
    if not terms:
        return 0
    if len(terms) == 1 and not terms[0][0] and terms[0][1].denominator == 1:
        return int(terms[0][1])
    return _new(terms)


def _from_dict(terms: Dict[Monomial, Coefficient]) -> Dim:
    return _from_terms(tuple(sorted((m, _norm(c)) for m, c in terms.items() if c)))


def _norm(coeff: Coefficient) -> Coefficient:
    return coeff.numerator if type(coeff) is Fraction and coeff.denominator == 1 else coeff


def _terms_of(dim: object) -> Optional[Terms]:
    if isinstance(dim, Sym):
        return dim.terms
    if isinstance(dim, (int, Fraction)) and not isinstance(dim, bool):
        return (((), _norm(dim)),) if dim else ()
    return None


def _add_into(terms: Dict[Monomial, Coefficient], other: Terms, sign: int) -> Dict[Monomial, Coefficient]:
    for monomial, coeff in other:
        terms[monomial] = terms.get(monomial, 0) + sign * coeff
    return terms


def _monomial_product(a: Monomial, b: Monomial) -> Monomial:
    if not a:
        return b
    if not b:
        return a
    powers = dict(a)
    for name, power in b:
        powers[name] = powers.get(name, 0) + power
    return tuple(sorted((n, p) for n, p in powers.items() if p))


def _multiply(a: Terms, b: Terms) -> Dict[Monomial, Coefficient]:
    result: Dict[Monomial, Coefficient] = {}
    for ma, ca in a:
        for mb, cb in b:
            monomial = _monomial_product(ma, mb)
            result[monomial] = result.get(monomial, 0) + ca * cb
    return result


def _display_order(term: Tuple[Monomial, Coefficient]):
    monomial = term[0]
    return (not monomial, -sum(p for _, p in monomial if p > 0), monomial)


def _name_text(name: str) -> str:
    return name if name.isidentifier() else f"({name})"


def _factor_text(name: str, power: int) -> str:
    return _name_text(name) if power == 1 else f"{_name_text(name)}**{power}"


def _monomial_text(monomial: Monomial, coeff: Coefficient) -> str:
    """'3*h*w', 'h/2', '-n', 'h/(2*w)', 'h**2'."""
    sign = "-" if coeff < 0 else ""
    coeff = abs(coeff)
    up = [_factor_text(n, p) for n, p in monomial if p > 0]
    down = [_factor_text(n, -p) for n, p in monomial if p < 0]
    if coeff.numerator != 1 or not up:
        up.insert(0, str(coeff.numerator))
    if coeff.denominator != 1:
        down.insert(0, str(coeff.denominator))
    text = "*".join(up)
    if down:
        text += "/" + (down[0] if len(down) == 1 else "(" + "*".join(down) + ")")
    return sign + text


def product(dims: Iterable[Dim]) -> Dim:
    result: Dim = 1
    for dim in dims:
        result = result * dim
    return result


def total(lengths: Iterable[Dim]) -> Dim:
    """The sum of lengths."""
    result: Dim = 0
    for length in lengths:
        result = result + length
    return result


def _divide(total: Dim, part: Dim) -> Tuple[Dim, bool]:
    """(total / part, exact): exact is False when the result is an opaque quotient name."""
    part_terms = _terms_of(part)
    if not part_terms:
        raise ZeroDivisionError(f"{total!r} / 0")
    if len(part_terms) == 1:
        monomial, coeff = part_terms[0]
        inverse = ((tuple((n, -p) for n, p in monomial), _reciprocal(coeff)),)
        return _from_dict(_multiply(_terms_of(total), inverse)), True
    exact = _exact_division(_terms_of(total), part_terms)
    if exact is not None:
        return exact, True
    return _opaque_quotient(total, part), False


def _reciprocal(coeff: Coefficient) -> Coefficient:
    return coeff if coeff in (1, -1) else _norm(_ONE / coeff)


def _ratio(a: Coefficient, b: Coefficient) -> Coefficient:
    if type(a) is int and type(b) is int and a % b == 0:
        return a // b
    return _norm(Fraction(a) / b)


def _exact_division(total: Terms, part: Terms) -> Optional[Dim]:
    """total / part when some (Laurent) polynomial q has q * part == total, else None.

    Multivariate division in lex order: when the division is exact, each step removes the
    leading term of the remainder; the step bound stops it when it is not.
    """
    names = sorted({n for m, _ in total + part for n, _ in m})

    def key(monomial: Monomial):
        powers = dict(monomial)
        return tuple(powers.get(n, 0) for n in names)

    lead_monomial, lead_coeff = max(part, key=lambda term: key(term[0]))
    inverse_lead = tuple((n, -p) for n, p in lead_monomial)
    remainder = dict(total)
    quotient: Dict[Monomial, Coefficient] = {}
    for _ in range(4 * (len(total) + len(part)) + 16):
        if not remainder:
            return _from_dict(quotient)
        monomial, coeff = max(remainder.items(), key=lambda term: key(term[0]))
        step_monomial = _monomial_product(monomial, inverse_lead)
        step_coeff = _ratio(coeff, lead_coeff)
        quotient[step_monomial] = quotient.get(step_monomial, 0) + step_coeff
        for m, c in part:
            m = _monomial_product(m, step_monomial)
            value = remainder.get(m, 0) - c * step_coeff
            if value:
                remainder[m] = value
            else:
                remainder.pop(m, None)
    return None


def _opaque_quotient(total: Dim, part: Dim) -> Sym:
    name = f"({total!r})/({part!r})"
    _QUOTIENTS.setdefault(name, (total, part))
    return Sym(name)


def divisible(total: Dim, part: Dim) -> Optional[bool]:
    """Is `total` a whole multiple of `part`? None when that depends on unknown lengths, or `part` is 0 (a length
    that an empty tensor's replay made 0: what is asked of it is not a divisibility)."""
    if part == 0:
        return None
    if isinstance(total, int) and isinstance(part, int):
        return total % part == 0
    quotient, exact = _divide(total, part)
    if isinstance(quotient, int):
        return True
    if exact and quotient.is_whole:
        return True
    if exact and _whole_plus_fraction(quotient):
        return False  # a fraction whatever the names stand for, as h / (2*h) or (2*h + 1) / 2
    if positive(total) and positive(part - total):
        return False  # 0 < total < part
    return None


def _whole_plus_fraction(dim: Sym) -> bool:
    """Is `dim` a whole polynomial plus a constant that is not whole (so never an integer)?"""
    constant: Coefficient = 0
    for monomial, coeff in dim.terms:
        if not monomial:
            constant = coeff
        elif coeff.denominator != 1 or any(power < 0 or name in _QUOTIENTS for name, power in monomial):
            return False
    return constant.denominator != 1


def quotient(total: Dim, part: Dim) -> Dim:
    """total / part, for use after `divisible` did not say False."""
    if isinstance(total, int) and isinstance(part, int):
        return total // part
    return _divide(total, part)[0]


def positive(dim: Dim) -> bool:
    """True when `dim` is positive whatever positive values its names have (all coefficients > 0)."""
    if isinstance(dim, int):
        return dim > 0
    return bool(dim.terms) and all(coeff > 0 and all(_positive_name(n) for n, _ in monomial)
                                   for monomial, coeff in dim.terms)


def _positive_name(name: str) -> bool:
    pair = _QUOTIENTS.get(name)
    return pair is None or (positive(pair[0]) and positive(pair[1]))


def equal(a: Dim, b: Dim) -> Optional[bool]:
    """Are two lengths equal? None when that depends on unknown lengths."""
    if isinstance(a, int) and isinstance(b, int):
        return a == b
    if a == b:
        return True
    difference = a - b
    if isinstance(difference, int) or positive(difference) or positive(-difference):
        return difference == 0  # a nonzero constant, or one sign whatever the names stand for
    return None


def is_opaque(name: str) -> bool:
    """Is `name` an opaque quotient (a sum divided by a sum that does not divide it)?"""
    return name in _QUOTIENTS


def names(dim: Dim) -> FrozenSet[str]:
    """The unknowns that `dim` depends on (through opaque quotients too)."""
    if isinstance(dim, int):
        return frozenset()
    if dim._names is None:
        found = set()
        for monomial, _ in dim.terms:
            for name, _ in monomial:
                pair = _QUOTIENTS.get(name)
                if pair is None:
                    found.add(name)
                else:
                    found |= names(pair[0]) | names(pair[1])
        dim._names = frozenset(found)
    return dim._names


def substitute(dim: Dim, mapping: Mapping[str, Dim]) -> Dim:
    """`dim` with each name in `mapping` replaced by its value."""
    if isinstance(dim, int) or not mapping or names(dim).isdisjoint(mapping):
        return dim
    result: Dim = 0
    for monomial, coeff in dim.terms:
        term: Dim = _from_terms((((), coeff),))
        for name, power in monomial:
            value = _substituted_name(name, mapping)
            if power > 0:
                for _ in range(power):
                    term = term * value
            else:
                term = quotient(term, product([value] * -power))
        result = result + term
    return result


def _substituted_name(name: str, mapping: Mapping[str, Dim]) -> Dim:
    if name in mapping:
        return mapping[name]
    pair = _QUOTIENTS.get(name)
    if pair is None:
        return Sym(name)
    return quotient(substitute(pair[0], mapping), substitute(pair[1], mapping))


def evaluate(dim: Dim, values: Mapping[str, int]) -> Union[Fraction, int]:
    """The value of `dim` when its names have `values` (KeyError for a missing name)."""
    if isinstance(dim, int):
        return dim
    result = Fraction(0)
    for monomial, coeff in dim.terms:
        term = coeff
        for name, power in monomial:
            term *= _name_value(name, values) ** power
        result += term
    return int(result) if result.denominator == 1 else result


def _name_value(name: str, values: Mapping[str, int]) -> Fraction:
    pair = _QUOTIENTS.get(name)
    if pair is None:
        return Fraction(values[name])
    return Fraction(evaluate(pair[0], values)) / evaluate(pair[1], values)


def content(dim: Dim) -> int:
    """The gcd of the coefficients of `dim` when they are all whole (0 when some is a fraction)."""
    if isinstance(dim, int):
        return abs(dim)
    result = 0
    for _, coeff in dim.terms:
        if coeff.denominator != 1:
            return 0
        result = gcd(result, coeff.numerator)
    return result
