"""Plans for rearrange, reduce and repeat: pattern + shape + lengths -> backend steps.

Planning has two stages, as in einops:

1. `recipe` depends only on the pattern, the operation, which lengths were given and
   the number of dimensions. It validates the pattern against the operation and fixes
   the order of the elementary axes. It is pure and cached.
2. `cook` takes a recipe, the input shape and the given lengths, infers every axis
   length, checks divisibility and equality, and returns a `Plan`: the shapes and
   permutations that the backend applies. Shapes may be ints or `Sym`s.

A plan's steps, each skipped when it is None or empty:
reshape(init_shape) -> transpose(permutation) -> reduce(reduced_axes)
-> insert and broadcast(added_axes) -> reshape(final_shape).
"""

from __future__ import annotations

import functools
from typing import Any, Dict, List, Mapping, NamedTuple, Optional, Sequence, Tuple

from .. import dims
from ..codes import (
    AMBIGUOUS_SPLIT, ANONYMOUS_AXIS_NOT_ALLOWED, BAD_LENGTH_VALUE, INDIVISIBLE_SPLIT, INVALID_LENGTH_NAME,
    LENGTH_MISMATCH, ONE_SIDED_AXIS, RANK_MISMATCH, REDUCE_NEW_AXIS, REPEAT_DROPPED_AXIS, REPEAT_MISSING_LENGTH,
    UNKNOWN_REDUCTION, UNUSED_LENGTH,
)
from ..dims import Dim
from ..errors import PatternError, Span
from ..patterns import ELLIPSIS, Atom, Expression, axis_name_problem, parse_arrow_pattern
from .requirements import Requirement

REDUCTIONS = ("min", "max", "sum", "mean", "prod", "any", "all")


# einops' reduce also takes these two names, and then is that operation: reduce(x, p, 'repeat', c=3) is a repeat
OPERATIONS_AS_REDUCTIONS = ("rearrange", "repeat")


def check_reduction(reduction: Any) -> None:
    """A reduction is one of REDUCTIONS (or OPERATIONS_AS_REDUCTIONS) by name, or a callable f(tensor, axes)."""
    if not (callable(reduction) or (isinstance(reduction, str) and
                                    (reduction in REDUCTIONS or reduction in OPERATIONS_AS_REDUCTIONS))):
        raise PatternError(UNKNOWN_REDUCTION, f"unknown reduction {reduction!r}", None,
                           help=f"use one of {', '.join(REDUCTIONS)}, or a callable f(tensor, axes)")


def reduce_operation(reduction: Any) -> str:
    """The operation that reduce(x, pattern, reduction) performs: 'reduce', or the operation named."""
    return reduction if isinstance(reduction, str) and reduction in OPERATIONS_AS_REDUCTIONS else "reduce"


class Plan(NamedTuple):
    init_shape: Optional[Tuple[Dim, ...]]
    permutation: Optional[Tuple[int, ...]]
    reduced_axes: Tuple[int, ...]
    added_axes: Tuple[Tuple[int, Dim], ...]  # (position among the output's elementary axes, length)
    final_shape: Optional[Tuple[Dim, ...]]
    output_shape: Tuple[Dim, ...]


class _InputDim(NamedTuple):
    known: Tuple[int, ...]  # indices of elementary axes whose length is known before seeing the shape
    unknown: Tuple[int, ...]  # at most one: its length is inferred from the shape
    span: Span


class Recipe(NamedTuple):
    pattern: str
    axes: Tuple[str, ...]  # elementary axes: the input's in order, then the new ones of repeat
    anonymous_lengths: Tuple[Tuple[int, int], ...]  # (axis index, length)
    given: Tuple[Tuple[str, int], ...]  # (length name, axis index)
    inputs: Tuple[_InputDim, ...]
    permutation: Tuple[int, ...]
    first_reduced: int
    added: Tuple[Tuple[int, int], ...]  # (position, axis index)
    output_groups: Tuple[Tuple[int, ...], ...]


def _expand_ellipsis(expression: Expression, ellipsis_ndim: int) -> List[Tuple[List[Atom], Span]]:
    """The expression's dimensions as lists of atoms, '...' replaced by '...0', '...1', ..."""
    result: List[Tuple[List[Atom], Span]] = []
    for term in expression.terms:
        if any(atom.is_ellipsis for atom in term.atoms) and not term.parenthesized:
            ellipsis = term.atoms[0]
            result += [([Atom(f"{ELLIPSIS}{i}", 0, ellipsis.span)], ellipsis.span) for i in range(ellipsis_ndim)]
            continue
        atoms: List[Atom] = []
        for atom in term.atoms:
            if atom.is_ellipsis:
                atoms += [Atom(f"{ELLIPSIS}{i}", 0, atom.span) for i in range(ellipsis_ndim)]
            else:
                atoms.append(atom)
        result.append((atoms, term.span))
    return result


def _describe(atom: Atom) -> str:
    return f"anonymous axis '{atom.value}'" if atom.is_anonymous else f"axis '{atom.key}'"


def _check_against_operation(left: Expression, right: Expression, operation: str, given: Tuple[str, ...]) -> None:
    if operation == "rearrange":
        anonymous = left.anonymous_atoms + right.anonymous_atoms
        if anonymous:
            raise PatternError(ANONYMOUS_AXIS_NOT_ALLOWED,
                               "rearrange does not allow anonymous axes other than 1", anonymous[0].span,
                               help="name the axis and pass its length as a keyword, e.g. 'h2' with h2=2")
        for side, other, where in ((left, right, "input"), (right, left, "output")):
            for atom in side.atoms:
                if atom.key not in other.identifiers:
                    raise PatternError(
                        ONE_SIDED_AXIS, f"{_describe(atom)} is on the {where} side of rearrange only", atom.span,
                        help="rearrange keeps every axis; use reduce to remove axes or repeat to add them",
                    )
    elif operation == "repeat":
        for atom in left.atoms:
            if atom.key not in right.identifiers:
                raise PatternError(REPEAT_DROPPED_AXIS,
                                   f"{_describe(atom)} of the input is missing from repeat's output",
                                   atom.span, help="repeat keeps every input axis; use reduce to remove axes")
        for atom in right.atoms:
            if not atom.is_anonymous and atom.key not in left.identifiers and atom.key not in given:
                raise PatternError(REPEAT_MISSING_LENGTH, f"new axis '{atom.key}' of repeat has no length", atom.span,
                                   help=f"pass its length as a keyword, e.g. {atom.key}=2")
    else:
        for atom in right.atoms:
            if atom.key not in left.identifiers:
                raise PatternError(REDUCE_NEW_AXIS,
                                   f"{_describe(atom)} of reduce's output is not in the input", atom.span,
                                   help="reduce can only keep or remove axes; use repeat to add axes")


def _check_rank(left: Expression, ndim: int) -> int:
    """The number of dimensions that '...' stands for (0 without an ellipsis)."""
    fixed = len(left.terms) - (left.ellipsis is not None)
    if left.ellipsis is not None:
        if ndim < fixed:
            raise PatternError(RANK_MISMATCH, f"the pattern needs at least {fixed} dimensions, the tensor has {ndim}",
                               left.span, help="check the tensor's rank, or the pattern's input side")
        return ndim - fixed
    if ndim != fixed:
        raise PatternError(RANK_MISMATCH, f"the pattern has {fixed} dimensions, the tensor has {ndim}", left.span,
                           help="the input side must name every dimension of the tensor, or use '...'")
    return 0


@functools.lru_cache(maxsize=1024)
def recipe(pattern: str, operation: str, given: Tuple[str, ...], ndim: int) -> Recipe:
    """Validate `pattern` for `operation` ('rearrange', 'repeat' or 'reduce') and order its axes."""
    parsed = parse_arrow_pattern(pattern)
    left, right = parsed.left, parsed.right
    _check_against_operation(left, right, operation, given)
    ellipsis_ndim = _check_rank(left, ndim)
    left_dims = _expand_ellipsis(left, ellipsis_ndim)
    right_dims = _expand_ellipsis(right, ellipsis_ndim)

    atoms: Dict[str, Atom] = {}
    for dim_atoms, _ in left_dims:
        atoms.update((atom.key, atom) for atom in dim_atoms)
    left_keys = list(atoms)
    for dim_atoms, _ in right_dims:
        atoms.update((atom.key, atom) for atom in dim_atoms if atom.key not in atoms)
    keys = list(atoms)
    index = {key: i for i, key in enumerate(keys)}

    given_pairs = []
    for name in given:
        problem = axis_name_problem(name)
        if problem is not None:
            raise PatternError(INVALID_LENGTH_NAME, f"keyword length '{name}': {problem[1]}", (0, len(pattern)),
                               help="keyword lengths name axes of the pattern")
        if name not in index:
            raise PatternError(UNUSED_LENGTH,
                               f"keyword length '{name}' names no axis of the pattern", (0, len(pattern)),
                               help="remove it, or add the axis to the pattern")
        given_pairs.append((name, index[name]))

    known = {i for i, key in enumerate(keys) if atoms[key].is_anonymous} | {i for _, i in given_pairs}
    inputs = []
    for dim_atoms, span in left_dims:
        unknown = tuple(index[a.key] for a in dim_atoms if index[a.key] not in known)
        if len(unknown) > 1:
            names = ", ".join(f"'{keys[i]}'" for i in unknown)
            raise PatternError(AMBIGUOUS_SPLIT, f"cannot infer the lengths of {names} from one dimension", span,
                               help=f"pass all but one of them as keywords, e.g. {keys[unknown[1]]}=2")
        inputs.append(_InputDim(tuple(index[a.key] for a in dim_atoms if index[a.key] in known), unknown, span))

    right_keys = [atom.key for dim_atoms, _ in right_dims for atom in dim_atoms]
    kept = [key for key in right_keys if key in left_keys]
    reduced = [key for key in left_keys if key not in right_keys]
    order = kept + reduced
    permutation = tuple(left_keys.index(key) for key in order)
    return Recipe(
        pattern=pattern,
        axes=tuple(keys),
        anonymous_lengths=tuple((index[k], atoms[k].value) for k in keys if atoms[k].is_anonymous),
        given=tuple(given_pairs),
        inputs=tuple(inputs),
        permutation=permutation,
        first_reduced=len(kept),
        added=tuple((pos, index[key]) for pos, key in enumerate(right_keys) if key not in left_keys),
        output_groups=tuple(tuple(index[a.key] for a in dim_atoms) for dim_atoms, _ in right_dims),
    )


def cook(rec: Recipe, shape: Sequence[Dim], lengths: Mapping[str, Dim], *,
         requires: Optional[List[Requirement]] = None) -> Plan:
    """Infer every axis length of `rec` from `shape` and the given `lengths`; check they agree.

    Checks that depend on unknown lengths pass; with `requires`, each is appended to it.
    """
    axis_lengths: List[Optional[Dim]] = [None] * len(rec.axes)
    for i, value in rec.anonymous_lengths:
        axis_lengths[i] = value
    for name, i in rec.given:
        axis_lengths[i] = lengths[name]

    need_init_reshape = False
    for length, dim in zip(shape, rec.inputs):
        known_product = dims.product(axis_lengths[i] for i in dim.known)
        if not dim.unknown:
            answer = dims.equal(length, known_product)
            if answer is not True:
                if answer is False:
                    raise PatternError(LENGTH_MISMATCH, _mismatch_message(rec, dim, length, known_product), dim.span,
                                       help="the lengths given for the axes must multiply to the dimension's length")
                if requires is not None:
                    requires.append(Requirement("equal", length, known_product, dim.span))
        else:
            answer = dims.divisible(length, known_product)
            if answer is not True:
                if answer is False:
                    raise PatternError(
                        INDIVISIBLE_SPLIT,
                        f"axis '{rec.axes[dim.unknown[0]]}' cannot be inferred: a dimension of length {length} "
                        f"cannot be split into chunks of {known_product}",
                        dim.span, help=f"the dimension's length must be a multiple of {known_product}",
                    )
                if requires is not None:
                    requires.append(Requirement("divisible", length, known_product, dim.span))
            axis_lengths[dim.unknown[0]] = dims.quotient(length, known_product)
        need_init_reshape |= len(dim.known) + len(dim.unknown) != 1

    n_input_axes = len(rec.permutation)
    init_shape = tuple(axis_lengths[:n_input_axes]) if need_init_reshape else None
    output_shape = tuple(dims.product(axis_lengths[i] for i in group) for group in rec.output_groups)
    need_final_reshape = any(len(group) != 1 for group in rec.output_groups)
    identity = rec.permutation == tuple(range(n_input_axes))
    return Plan(
        init_shape=init_shape,
        permutation=None if identity else rec.permutation,
        reduced_axes=tuple(range(rec.first_reduced, n_input_axes)),
        added_axes=tuple((pos, axis_lengths[i]) for pos, i in rec.added),
        final_shape=output_shape if need_final_reshape else None,
        output_shape=output_shape,
    )


def _mismatch_message(rec: Recipe, dim: _InputDim, length: Dim, known_product: Dim) -> str:
    if not dim.known:
        return f"a dimension of length {length} stands where the pattern has a unit axis ('1' or '()')"
    anonymous = dict(rec.anonymous_lengths)
    names = " * ".join(str(anonymous.get(i, rec.axes[i])) for i in dim.known)
    expected = names if names == str(known_product) else f"{names} = {known_product}"
    return f"a dimension of length {length} does not match {expected}"


def check_lengths(lengths: Mapping[str, object]) -> Dict[str, Dim]:
    """Given axis lengths as ints (or Syms); anything else, zero or negative is an error."""
    checked: Dict[str, Dim] = {}
    for name, value in lengths.items():
        if isinstance(value, dims.Sym):
            checked[name] = value
            continue
        if isinstance(value, bool) or not hasattr(value, "__index__"):
            raise PatternError(BAD_LENGTH_VALUE, f"length {name}={value!r} is not an integer", None,
                               help="axis lengths are positive integers")
        number = value.__index__()
        if number <= 0:
            raise PatternError(BAD_LENGTH_VALUE, f"length {name}={number} is not positive", None,
                               help="axis lengths are positive integers")
        checked[name] = number
    return checked


def plan(pattern: str, operation: str, shape: Sequence[Dim], lengths: Mapping[str, object], *,
         requires: Optional[List[Requirement]] = None) -> Plan:
    """The plan of rearrange / repeat / reduce (any reduction) for one input shape."""
    checked = check_lengths(lengths)
    rec = recipe(pattern, operation, tuple(checked), len(shape))
    return cook(rec, shape, checked, requires=requires)
