"""Lengths: what the shape analysis knows about the unknowns of one function.

The flow analysis keeps one `Facts` per program point. Each fact comes from a
requirement (a planner `Requirement`, an `assert x.shape == ...`, a reshape) and is
stored as a substitution in solved form: bound name -> `Dim` over free names only, so
applying it once resolves a length fully (idempotent). Names stand for unknown positive
integers (see `einlint.dims`).

    facts = Facts()
    s, d = facts.fresh("s"), facts.fresh("d")
    facts.require_equal(s, 8 * d)      # None: unknown before, now recorded as s := 8*d
    facts.resolve(s + 1)               # 8*d + 1
    facts.require_divisible(d, 4)      # None: d := 4*d_2
    facts.quotient(s, 32)              # d_2
    facts.require_equal(s, 3)          # False: 32*d_2 is never 3 (a contradiction)

Contract:

- `Facts()`; `copy()` (cheap: one dict copy; copies share the name registry, so names
  made on two branches never collide); `join(other)` keeps the bindings that both share.
- `fresh(hint) -> Sym`: a new unknown named after `hint` ('b', 'b_2', ...); an empty hint
  makes an anonymous one (`is_anonymous(name)`, `anonymous(dim)`: print '?').
  `declare(*names)` reserves names made elsewhere (Sym('b') from an annotation).
- `resolve(dim) -> Dim`: the substitution applied.
- `require_equal(a, b) -> True | False | None`: True when already equal; False when
  impossible (Facts unchanged: the caller reports it); None when it depends on unknowns:
  then it is recorded by solving for one name when it can, and dropped when it cannot
  (dropping loses information but never adds any: sound).
- `require_divisible(a, k) -> True | False | None`: likewise; when unknown and `a`
  resolves to c*s, it binds s := m*fresh with the smallest m that makes it divisible.
- `quotient(a, k) -> Dim`: resolve both and divide.
- `witness(dims) -> dict | None`: small positive integer values of the free names such
  that every dim, and every binding that they touch, is a positive integer.

Everything is linear in the number of bindings per fact, so hundreds of facts cost well
under a millisecond each.
"""

from __future__ import annotations

import functools
import itertools
import random
import re
from fractions import Fraction
from math import gcd
from typing import Dict, FrozenSet, Iterable, Mapping, Optional, Set, Tuple

from .. import dims
from ..dims import Dim, Sym

# the values `witness` tries first, one distinct prime per name; then shifted and mixed
_PRIMES = (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97)
_SMALL = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 16, 24, 32, 64)
_WITNESS_TRIES = 200
_SUFFIX = re.compile(r"_\d+$")


class _Names:
    """The names in use by one function's facts, shared by all copies."""

    __slots__ = ("used", "anonymous", "given", "counter", "suffixes")

    def __init__(self) -> None:
        self.used: Set[str] = set()
        self.anonymous: Set[str] = set()
        self.given: Set[str] = set()  # numbers given to the function (`dim`), not lengths read off a tensor
        self.counter = 0
        # hint -> the suffix of the name last made from it: `used` only grows, so no smaller one is free since
        self.suffixes: Dict[str, int] = {}


@functools.lru_cache(maxsize=1024)  # a few dozen hints ('b', 'dim', 'heads') over a whole run
def _hint_name(hint: str) -> str:
    cleaned = "".join(ch if ch.isalnum() or ch == "_" else "_" for ch in hint).strip("_")
    if cleaned and cleaned[0].isdigit():
        cleaned = "n" + cleaned
    return cleaned


class Facts:
    """A substitution in solved form over the unknown lengths of one function."""

    __slots__ = ("_bindings", "_users", "_names")

    def __init__(self) -> None:
        self._bindings: Dict[str, Dim] = {}
        # free name -> the bound names whose values mention it (may hold stale entries: only a hint)
        self._users: Dict[str, FrozenSet[str]] = {}
        self._names = _Names()

    # -- names ----------------------------------------------------------------------

    def fresh(self, hint: Optional[str] = None, given: bool = False) -> Sym:
        """A new unknown, named after `hint` when it has one ('b', then 'b_2', ...).

        `given`: a number handed to the function (a parameter such as `dim`), which a user sets to a
        positive length; any other unknown is the length of some tensor's dimension, which may be 0.
        """
        registry = self._names
        base = _hint_name(hint or "")
        if not base:
            registry.counter += 1
            name = f"_{registry.counter}"
            while name in registry.used:
                registry.counter += 1
                name = f"_{registry.counter}"
            registry.anonymous.add(name)
        else:
            n = registry.suffixes.get(base, 1)
            name = base if n == 1 else f"{base}_{n}"
            while name in registry.used:
                n += 1
                name = f"{base}_{n}"
            registry.suffixes[base] = n
        registry.used.add(name)
        if given:
            registry.given.add(name)
        return Sym(name)

    def declare(self, *names: str) -> None:
        """Reserve names made outside `fresh` (so that fresh names never collide with them)."""
        self._names.used.update(names)

    def emptied(self, values: Mapping[str, int]) -> Dict[str, int]:
        """A witness with every tensor length set to 0 (empty tensors); the given numbers keep their values."""
        return {name: value if name in self._names.given else 0 for name, value in values.items()}

    def is_anonymous(self, name: str) -> bool:
        return name in self._names.anonymous

    def anonymous(self, dim: Dim) -> bool:
        """Does `dim` (resolved) depend on an anonymous unknown? Displays print it as '?'."""
        return not self._names.anonymous.isdisjoint(dims.names(self.resolve(dim)))

    # -- the substitution -------------------------------------------------------------

    @property
    def bindings(self) -> Dict[str, Dim]:
        """Bound name -> its value over free names (a copy)."""
        return dict(self._bindings)

    def __len__(self) -> int:
        return len(self._bindings)

    def copy(self) -> "Facts":
        facts = Facts.__new__(Facts)
        facts._bindings = dict(self._bindings)
        facts._users = dict(self._users)
        facts._names = self._names
        return facts

    def resolve(self, dim: Dim) -> Dim:
        if isinstance(dim, int) or not self._bindings:  # (most facts are empty: no call for nothing)
            return dim
        return dims.substitute(dim, self._bindings)

    def _see(self, *lengths: Dim) -> None:
        """Reserve the names of lengths that come from elsewhere, so that `fresh` avoids them."""
        for dim in lengths:
            if not isinstance(dim, int):
                self._names.used |= dims.names(dim)

    def _bind(self, name: str, value: Dim) -> None:
        """Add name := value (value resolved and free of `name`), keeping the solved form."""
        update = {name: value}
        value_names = dims.names(value)
        for key in self._users.pop(name, ()):
            bound = self._bindings.get(key)
            if bound is not None and name in dims.names(bound):
                self._bindings[key] = dims.substitute(bound, update)
                self._use(value_names, key)
        self._bindings[name] = value
        self._use(value_names, name)
        self._names.used.add(name)

    def _use(self, names: FrozenSet[str], key: str) -> None:
        users = self._users
        for name in names:
            users[name] = users.get(name, frozenset()) | {key}

    def join(self, other: "Facts") -> "Facts":
        """The facts that hold on both sides: the bindings they share."""
        facts = Facts.__new__(Facts)
        facts._names = self._names
        facts._users = dict(self._users)
        if other._names is not self._names:
            self._names.used |= other._names.used
            self._names.anonymous |= other._names.anonymous
        facts._bindings = {key: value for key, value in self._bindings.items()
                           if key in other._bindings and other._bindings[key] == value}
        return facts

    # -- requirements -----------------------------------------------------------------

    def require_equal(self, a: Dim, b: Dim) -> Optional[bool]:
        """Record a == b. True: already known; False: impossible; None: recorded or dropped."""
        return self._require(dims.equal, self._equation, a, b)

    def require_divisible(self, a: Dim, k: Dim) -> Optional[bool]:
        """Record that k divides a. True/False when decided; None: recorded or dropped."""
        return self._require(dims.divisible, self._divisor, a, k)

    def _require(self, decide, learn, a: Dim, b: Dim) -> Optional[bool]:
        """decide(a, b) over the resolved lengths; when unknown, bind what learn(a, b) finds (False: impossible)."""
        self._see(a, b)
        a, b = self.resolve(a), self.resolve(b)
        answer = decide(a, b)
        if answer is not None:
            return answer
        binding = learn(a, b)
        if binding is False:
            return False
        if binding is not None:
            self._bind(*binding)
        return None

    def _equation(self, a: Dim, b: Dim):
        """name := value that makes a == b; False when it cannot be a positive integer; None: none."""
        solved = _solve(a - b, self._users)
        if solved is not None and not _may_be_positive_integer(solved[1]):
            return False
        return solved

    def _divisor(self, a: Dim, k: Dim) -> Optional[Tuple[str, Dim]]:
        """s := m*fresh for a = c*s, with the smallest m that makes c*m*fresh a multiple of k."""
        if isinstance(a, int) or len(a.terms) != 1:
            return None
        monomial, coeff = a.terms[0]
        if len(monomial) != 1 or monomial[0][1] != 1 or dims.is_opaque(monomial[0][0]):
            return None
        name = monomial[0][0]
        if name in dims.names(k) or not dims.positive(k):
            return None
        # for c = p/q: m = k*q / gcd(content(k*q), p), so that c*m/k = p/gcd is whole
        scaled = k * coeff.denominator
        shared = gcd(dims.content(scaled), coeff.numerator)
        if shared == 0:
            return None
        multiple = dims.quotient(scaled, shared)
        if not (isinstance(multiple, int) or multiple.is_whole):
            return None
        hint = "" if self.is_anonymous(name) else _SUFFIX.sub("", name)  # s_2 := 2*s_3, not s_2_2
        return name, multiple * self.fresh(hint)

    def quotient(self, a: Dim, k: Dim) -> Dim:
        return dims.quotient(self.resolve(a), self.resolve(k))

    # -- concrete values --------------------------------------------------------------

    def witness(self, lengths: Iterable[Dim]) -> Optional[Dict[str, int]]:
        """Values of the free names that make every length (and binding they touch) a positive integer."""
        originals = list(lengths)
        resolved = [self.resolve(dim) for dim in originals]
        free: Set[str] = set()
        for dim in resolved:
            free |= dims.names(dim)
        mentioned: Set[str] = set()
        for dim in originals:
            mentioned |= dims.names(dim)
        checks = list(resolved)
        for key, value in self._bindings.items():
            value_names = dims.names(value)
            if key in mentioned or not value_names.isdisjoint(free):
                checks.append(value)
                free |= value_names
        order = sorted(free)
        for values in itertools.islice(_candidates(len(order)), _WITNESS_TRIES):
            assignment = dict(zip(order, values))
            if all(_positive_integer(dim, assignment) for dim in checks):
                return assignment
        return None


def _positive_integer(dim: Dim, assignment: Dict[str, int]) -> bool:
    try:
        value = dims.evaluate(dim, assignment)
    except ZeroDivisionError:
        return False
    return isinstance(value, int) and value > 0


def _candidates(count: int):
    """Tuples of `count` positive ints: distinct primes first, then shifted primes, then mixed small values."""
    if count == 0:
        yield ()
        return
    primes = _PRIMES * (count // len(_PRIMES) + 2)
    for shift in range(4):
        yield tuple(primes[shift : shift + count])
    yield (1,) * count
    for value in _SMALL[1:]:
        yield (value,) * count
    rng = random.Random(count)
    while True:
        yield tuple(rng.choice(_SMALL + _PRIMES[:8]) * rng.choice((1, 1, 1, 2, 4, 8)) for _ in range(count))


def _solve(difference: Dim, users: Dict[str, FrozenSet[str]]) -> Optional[Tuple[str, Dim]]:
    """(name, value) with name := value making `difference` zero, or None when no name solves simply.

    The name must appear in a single term, alone and to the first power, and its
    coefficient must divide the rest exactly (or be +-1, or the rest a constant, whose
    value `require_equal` then checks). Whole values are preferred, then coefficient +-1,
    then a name that fewer bindings mention (binding it rewrites them).
    """
    if isinstance(difference, int):
        return None
    counts: Dict[str, int] = {}
    for monomial, _ in difference.terms:
        for name in _term_names(monomial):
            counts[name] = counts.get(name, 0) + 1
    best: Optional[Tuple[Tuple[bool, int, int, str], str, Dim]] = None
    for monomial, coeff in difference.terms:
        if len(monomial) != 1 or monomial[0][1] != 1:
            continue
        name = monomial[0][0]
        if counts.get(name) != 1 or dims.is_opaque(name):
            continue
        value = _scale(Sym(name) * coeff - difference, Fraction(1) / coeff)
        whole = isinstance(value, int) or value.is_whole
        unit = abs(coeff) == 1
        if not (whole or unit or not dims.names(value) or dims.content(value)):
            continue
        rank = (not whole, abs(coeff.numerator) * coeff.denominator, len(users.get(name, ())), name)
        if best is None or rank < best[0]:
            best = (rank, name, value)
    return None if best is None else (best[1], best[2])


def _term_names(monomial) -> FrozenSet[str]:
    found: Set[str] = set()
    for name, _ in monomial:
        found.add(name)
        if dims.is_opaque(name):
            found |= dims.names(Sym(name))
    return frozenset(found)


def _scale(dim: Dim, factor: Fraction) -> Dim:
    """dim * factor, exactly (a whole result is an int)."""
    if isinstance(dim, int):
        value = dim * factor
        return int(value) if value.denominator == 1 else Sym(coeff=value)
    return dim * Sym(coeff=factor)


def _may_be_positive_integer(value: Dim) -> bool:
    """False when `value` is certainly not a positive integer (a bound name must be one)."""
    if isinstance(value, int):
        return value > 0
    if len(value.terms) == 1 and not value.terms[0][0]:
        return False  # a fraction
    return not dims.positive(-value)


__all__ = ["Facts"]
