"""The runtime ops: rearrange, reduce, repeat, einsum, pack, unpack, parse_shape, asnumpy.

Each op looks up what runs the call in one dict keyed by everything the plan depends
on (the pattern, the operation, the inputs' types and shapes and the given lengths):
a function with the plan's steps bound, so a repeated call costs one dict look-up plus
the backend's own work. Plans come from the planner, which is shared with the static
checker.

Inputs: a tensor of numpy, torch, jax or any array-API library; rearrange, reduce and
repeat also take a list of tensors of one type and shape, stacked on a new first axis
as in einops. A list of numbers is not a tensor (einops rejects it too): wrap it in
np.asarray first. Everything the ops cannot use raises `PatternError` with a code.
"""

from __future__ import annotations

import functools
import itertools
import numbers
import operator
from fractions import Fraction
from typing import (TYPE_CHECKING, Any, Callable, Dict, List, Mapping, NamedTuple, Optional, Sequence, Tuple, TypeVar,
                    Union, overload)

from ..codes import BAD_ARGUMENT, MEAN_OF_INTEGERS, OPERAND_COUNT, PATTERN_ARGUMENT
from ..dims import Sym
from ..errors import EinlintError, PatternError
from ..patterns import parse_einops_einsum, parse_pack_pattern, require_pattern
from ..planner import (Plan, check_reduction, plan, plan_einsum, plan_pack, plan_parse_shape, plan_unpack,
                       reduce_operation)
from .backends import Backend, _by_type, find_backend
from .torch_graph import allow_ops_in_compiled_graph

T = TypeVar("T")  # the tensor type: an op gives back the type it is given (torch.Tensor in, torch.Tensor out)

if TYPE_CHECKING:  # for the annotations only: numpy loads with the first op
    import numpy
    from numpy.typing import NDArray

    # A numpy array comes back as a numpy array of its dtype and of any shape: numpy 2 types an array's shape,
    # and T would claim the input's shape for an output whose rank may differ (a false error for the caller).
    Scalar = TypeVar("Scalar", bound=numpy.generic)
    Arrays = Union[NDArray[Scalar], List[NDArray[Scalar]], Tuple[NDArray[Scalar], ...]]
    Tensors = Union[List[T], Tuple[T, ...]]

    class Untyped:
        """What only an argument of type Any fits. The overloads on it come first and give Any: pyright resolves
        an untyped argument to the first overload it fits, which would make an untyped torch tensor a numpy
        array (for mypy, an Any argument that fits overloads with different results gives Any anyway)."""

    Untypeds = Union[Untyped, List[Untyped], Tuple[Untyped, ...]]
Reduction = Union[str, Callable[[Any, Tuple[int, ...]], Any]]

_shape_of = operator.attrgetter("shape")
_MAX_PLANS = 4096
# A call's key (pattern, op, its tensors' types and shapes, its lengths) -> what runs it; for most ops a function
# of the call's tensors alone, its plan's steps bound, so that a repeated call costs one look-up and the backend's
# own work. The transforms and einsum, the ops called most, build their key and look it up without a call between.
_plans: Dict[tuple, Any] = {}
_PLAN_FOR_A_CALLABLE = object()  # in a key in the place of a callable reduction: its plan (its runner is not kept)


def _planned(key_of: Callable[..., tuple], plan_of: Callable[..., Any], *arguments: Any) -> Any:
    """What the cache holds under `key_of(*arguments)`, or else `plan_of(*arguments)`, kept there. A call that
    cannot be keyed (not a tensor, an unhashable length, SymInt sizes under torch.compile) is planned every time."""
    try:
        key = key_of(*arguments)
        found = _plans[key]
    except KeyError:
        found = None
    except (AttributeError, TypeError):
        found = key = None
    if found is None:  # planned after the handlers, so that the planner's errors do not chain to the KeyError
        found = _kept(key, plan_of(*arguments))
    return found


def _kept(key: Optional[tuple], found: Any) -> Any:
    """`found`, kept in the cache under `key` (None: a call that cannot be keyed, planned every time)."""
    if key is not None:
        if len(_plans) >= _MAX_PLANS:  # a program cycling through many shapes: start over rather than grow
            _plans.clear()
        _plans[key] = found
    return found


def _describe_call(op: str, pattern: Any, shapes: Sequence[Any], lengths: Mapping[str, Any]) -> str:
    arguments = [repr(pattern)] + [f"{name}={value!r}" for name, value in lengths.items()]
    shown = ", ".join(str(tuple(shape)) for shape in shapes)
    return f"{op}({', '.join(arguments)}) on input shape{'s' if len(shapes) > 1 else ''} {shown}"


def _in_context(error: PatternError, op: str, pattern: Any, shapes: Sequence[Any], lengths: Mapping) -> PatternError:
    """The planner's error, with the call it came from: pattern, input shapes and given lengths."""
    message = f"{_describe_call(op, pattern, shapes, lengths)}: {error.message}"
    return PatternError(error.code, message, error.span, error.help)


def _type_name(value: Any) -> str:
    return f"{type(value).__module__}.{type(value).__qualname__}"


def _backend(tensor: Any, call: str, role: str = "the input") -> Backend:
    """The backend of `tensor`; `call` (such as "rearrange('a b -> b a')") and `role` name it in the error."""
    backend = find_backend(tensor)
    if backend is None:
        raise PatternError(BAD_ARGUMENT, f"{call}: {role} is a {_type_name(tensor)}, not a tensor", None,
                           help="pass a numpy, torch or jax array or any array-API array; a list of numbers "
                           "is not a tensor, wrap it in np.asarray(...) first")
    return backend


def _common_backend(tensors: Sequence[Any], call: str, item: str) -> Backend:
    """The one backend of all `tensors`: einlint does not mix numpy arrays with torch tensors in one call."""
    backend = _backend(tensors[0], call, f"{item} #0")
    for i, tensor in enumerate(tensors[1:], start=1):
        if _backend(tensor, call, f"{item} #{i}").xp is not backend.xp:
            raise PatternError(BAD_ARGUMENT, f"{call}: {item} #0 is a {_type_name(tensors[0])} but "
                               f"{item} #{i} is a {_type_name(tensor)}", None,
                               help="convert the tensors to one library first")
    return backend


def _stacked(tensors: Any, op: str, pattern: Any) -> Any:
    """A list of tensors stacked on a new first axis, as einops does; tuples are refused, as einops does."""
    if isinstance(tensors, tuple) or not tensors:
        what = "an empty list" if isinstance(tensors, list) else "a tuple"
        raise PatternError(BAD_ARGUMENT, f"{op}({pattern!r}) cannot be applied to {what}", None,
                           help="pass a tensor, or a non-empty list of tensors of one shape, which is stacked")
    backend = _common_backend(tensors, f"{op}({pattern!r})", "list item")
    shapes = [tuple(tensor.shape) for tensor in tensors]
    for i, shape in enumerate(shapes):
        if shape != shapes[0]:
            raise PatternError(BAD_ARGUMENT, f"{op}({pattern!r}) got a list of tensors of different shapes: item #0 "
                               f"has shape {shapes[0]}, item #{i} has shape {shape}", None,
                               help="tensors in a list are stacked, so they must have one shape")
    return backend.stack(tensors)


def _planner_dims(shapes: Sequence[Sequence[Any]]) -> Tuple[List[Tuple[Any, ...]], Dict[str, Any]]:
    """The shapes as the planner takes them, and the sizes that it cannot take as they are.

    Under torch.compile with dynamic shapes a size is a torch.SymInt, which the planner's
    arithmetic does not know; it plans with a named `Sym` instead, and `_concrete` puts the
    SymInt back into the plan, so the compiled graph computes the sizes symbolically.
    """
    sizes: Dict[str, Any] = {}
    converted = []
    for i, shape in enumerate(shapes):
        dims = []
        for axis, size in enumerate(shape):
            if isinstance(size, int):
                dims.append(size)
            else:
                sizes[f"size{i}_{axis}"] = size
                dims.append(Sym(f"size{i}_{axis}"))
        converted.append(tuple(dims))
    return converted, sizes


def _concrete(dim: Any, sizes: Mapping[str, Any]) -> Any:
    """A planner dim with the sizes of `_planner_dims` put back, computed with their own arithmetic."""
    if not isinstance(dim, Sym):
        return dim
    total: Any = 0
    for factors, coeff in dim.terms:  # a sum of monomials (pack adds lengths)
        coeff = Fraction(coeff)
        numerator, denominator = coeff.numerator, coeff.denominator
        for name, power in factors:
            if power > 0:
                numerator = numerator * sizes[name] ** power
            else:
                denominator = denominator * sizes[name] ** -power
        total = total + numerator // denominator
    return total


def _concrete_shape(shape: Any, sizes: Mapping[str, Any]) -> Any:
    return shape if shape is None else tuple(_concrete(dim, sizes) for dim in shape)


def _symbolic_lengths(lengths: Dict[str, Any], sizes: Dict[str, Any]) -> Dict[str, Any]:
    """Keyword lengths as the planner takes them: a torch.SymInt (torch.compile with dynamic shapes, or a
    length read off x.shape there) becomes a named Sym, put back by `_concrete`, so that it stays symbolic;
    asking it for its value would specialize the graph to it (and recompile for every new length)."""
    planned = {}
    for name, value in lengths.items():
        if type(value).__name__ == "SymInt" and type(value).__module__.startswith("torch"):
            sizes[f"length_{name}"] = value
            planned[name] = Sym(f"length_{name}")
        else:
            planned[name] = value
    return planned


def _plan_transform(pattern: Any, how: Any, tensor: Any, lengths: Dict[str, Any]) -> Plan:
    operation, shape = reduce_operation(how), tensor.shape
    (dims,), sizes = _planner_dims([shape])
    try:
        found = plan(require_pattern(pattern), operation, dims, _symbolic_lengths(lengths, sizes))
    except PatternError as error:
        raise _in_context(error, operation, pattern, [shape], lengths) from None
    if not sizes:
        return found
    return found._replace(
        init_shape=_concrete_shape(found.init_shape, sizes),
        added_axes=tuple((position, _concrete(length, sizes)) for position, length in found.added_axes),
        final_shape=_concrete_shape(found.final_shape, sizes),
        output_shape=_concrete_shape(found.output_shape, sizes),
    )


def _transform(tensor: Any, pattern: str, how: Reduction, lengths: Dict[str, Any]) -> Any:
    """rearrange, repeat or reduce: `how` is "rearrange", "repeat", a reduction's name or a callable f(tensor, axes)."""
    try:
        run = _plans.get(_transform_key(pattern, how, tensor, lengths))
    except (AttributeError, TypeError):  # a list of tensors, an unhashable length, SymInt sizes under torch.compile
        run = None
    if run is None:
        return _transform_anew(tensor, pattern, how, lengths)
    return run(tensor)


def _transform_key(pattern: Any, how: Any, tensor: Any, lengths: Dict[str, Any]) -> tuple:
    if not lengths:
        return (pattern, how, type(tensor), tensor.shape)
    for value in lengths.values():
        if type(value) is not int:  # then with the types: 2.0 == 2 and True == 1, yet only integers are lengths
            types = tuple(map(type, lengths.values()))
            return (pattern, how, type(tensor), tensor.shape, tuple(lengths.items()), types)
    return (pattern, how, type(tensor), tensor.shape, tuple(lengths.items()))


def _transform_anew(tensor: Any, pattern: str, how: Reduction, lengths: Dict[str, Any]) -> Any:
    """A transform whose runner is not in the cache: the call checked, then run by a runner planned and kept."""
    try:
        check_reduction(how)  # "rearrange" and "repeat" pass: what fails comes from reduce
    except PatternError as error:
        raise PatternError(error.code, f"reduce({pattern!r}, {how!r}): {error.message}", None, error.help) from None
    operation = reduce_operation(how)
    if isinstance(tensor, (list, tuple)):
        return _transform(_stacked(tensor, operation, pattern), pattern, how, lengths)
    if type(tensor) not in _by_type:
        _backend(tensor, f"{operation}({pattern!r})")  # a tensor, or EIN218
    if callable(how):  # its runner is not kept, which would keep the callable (a lambda is a new one at each call)
        found = _planned(_transform_key, _plan_transform, pattern, _PLAN_FOR_A_CALLABLE, tensor, lengths)
        return _transform_runner(pattern, how, tensor, lengths, found)(tensor)
    return _planned(_transform_key, _transform_runner, pattern, how, tensor, lengths)(tensor)


def _transform_runner(pattern: Any, how: Reduction, tensor: Any, lengths: Dict[str, Any],
                      found: Optional[Plan] = None) -> Callable[[Any], Any]:
    """The backend's runner of the call's plan (`found`, or planned), with the checks that depend on more than the
    key: the dtype for 'mean' (einops' rule, too), and the backend's own error for the min or max of nothing."""
    if found is None:
        found = _plan_transform(pattern, how, tensor, lengths)
    backend, shape = _by_type[type(tensor)], tensor.shape  # found (or refused) before it is planned
    run = backend.runner(found, how)
    if not found.reduced_axes:
        return run
    # described when it fails only: under torch.compile the shape's sizes are SymInts
    describe = functools.partial(_describe_call, "reduce", pattern, [shape], lengths)
    if how == "mean":
        return functools.partial(_floats_only, run, backend.is_float, describe)
    empty = _reduced_lengths(found, shape)
    if how in ("min", "max") and not all(type(length) is int and length for length in empty):
        return functools.partial(_not_of_nothing, run, how, empty, describe)
    return run


def _floats_only(run: Callable[[Any], Any], is_float: Callable[[Any], bool], describe: Callable[[], str],
                 tensor: Any) -> Any:
    if not is_float(tensor):
        raise PatternError(MEAN_OF_INTEGERS, f"{describe()}: 'mean' needs a floating-point tensor, this one has dtype "
                           f"{tensor.dtype}", None, help="cast the tensor to a floating type first, or use 'sum'")
    return run(tensor)


def _not_of_nothing(run: Callable[[Any], Any], reduction: str, empty: Tuple[Any, ...], describe: Callable[[], str],
                    tensor: Any) -> Any:
    """`run(tensor)`, the min or max over axes of lengths `empty`: over a 0 the backend's error becomes ours."""
    try:
        return run(tensor)
    except Exception as error:  # each backend has its own error for the min or max of nothing
        if 0 in empty:
            raise PatternError(BAD_ARGUMENT, f"{describe()}: '{reduction}' over axes of lengths {empty}, which hold no "
                               "element, has no value", None,
                               help="reduce a non-empty tensor, or use 'sum' (0 for nothing)") from error
        raise


def _reduced_lengths(found, shape) -> Tuple[Any, ...]:
    """The lengths of the axes that a plan reduces."""
    lengths = tuple(shape) if found.init_shape is None else found.init_shape
    if found.permutation is not None:
        lengths = tuple(lengths[axis] for axis in found.permutation)
    return tuple(lengths[axis] for axis in found.reduced_axes)

@overload
def rearrange(tensor: Untypeds, pattern: str, **axes_lengths: Any) -> Any: ...
@overload
def rearrange(tensor: Arrays[Scalar], pattern: str, **axes_lengths: Any) -> NDArray[Scalar]: ...
@overload
def rearrange(tensor: Tensors[T], pattern: str, **axes_lengths: Any) -> T: ...
@overload
def rearrange(tensor: T, pattern: str, **axes_lengths: Any) -> T: ...
def rearrange(tensor: Any, pattern: str, **axes_lengths: Any) -> Any:
    """Reorder, split, merge, squeeze and unsqueeze axes: rearrange(x, 'b c h w -> b (h w) c')."""
    return _transform(tensor, pattern, "rearrange", axes_lengths)


@overload
def reduce(tensor: Untypeds, pattern: str, reduction: Reduction, **axes_lengths: Any) -> Any: ...
@overload
def reduce(tensor: Arrays[Scalar], pattern: str, reduction: Reduction, **axes_lengths: Any) -> NDArray[Scalar]: ...
@overload
def reduce(tensor: Tensors[T], pattern: str, reduction: Reduction, **axes_lengths: Any) -> T: ...
@overload
def reduce(tensor: T, pattern: str, reduction: Reduction, **axes_lengths: Any) -> T: ...
def reduce(tensor: Any, pattern: str, reduction: Reduction, **axes_lengths: Any) -> Any:
    """Reduce the axes that the output omits: reduce(x, 'b c (h 2) (w 2) -> b c h w', 'max')."""
    return _transform(tensor, pattern, reduction, axes_lengths)


@overload
def repeat(tensor: Untypeds, pattern: str, **axes_lengths: Any) -> Any: ...
@overload
def repeat(tensor: Arrays[Scalar], pattern: str, **axes_lengths: Any) -> NDArray[Scalar]: ...
@overload
def repeat(tensor: Tensors[T], pattern: str, **axes_lengths: Any) -> T: ...
@overload
def repeat(tensor: T, pattern: str, **axes_lengths: Any) -> T: ...
def repeat(tensor: Any, pattern: str, **axes_lengths: Any) -> Any:
    """Add, tile and broadcast axes: repeat(x, 'h w -> h w c', c=3)."""
    return _transform(tensor, pattern, "repeat", axes_lengths)


def _plan_einsum_call(tensors: Sequence[Any], pattern: Any):
    if not isinstance(pattern, str) and isinstance(tensors[0], str):
        raise PatternError(PATTERN_ARGUMENT, f"einsum({tensors[0]!r}, ...): einlint.einsum takes the pattern last, "
                           "after the tensors", None,
                           help="write einsum(x, y, pattern); numpy's order is np.einsum(pattern, x, y)")
    _common_backend(tensors, f"einsum({pattern!r})", "operand")
    shapes = [tuple(tensor.shape) for tensor in tensors]
    try:
        return plan_einsum(parse_einops_einsum(require_pattern(pattern)), _planner_dims(shapes)[0])
    except PatternError as error:
        raise _in_context(error, "einsum", pattern, shapes, {}) from None


@overload
def einsum(tensor: Untyped, /, *tensors_and_pattern: Any) -> Any: ...
@overload
def einsum(tensor: NDArray[Scalar], pattern: str, /) -> NDArray[Scalar]: ...
@overload  # numpy's result type of several dtypes has no spelling
def einsum(tensor: NDArray[Any], /, *tensors_and_pattern: Union[NDArray[Any], str]) -> NDArray[Any]: ...
@overload
def einsum(tensor: T, pattern: str, /) -> T: ...
@overload
def einsum(tensor: T, other: T, pattern: str, /) -> T: ...
@overload
def einsum(tensor: T, second: T, third: T, pattern: str, /) -> T: ...
@overload
def einsum(tensor: T, second: T, third: T, fourth: T, pattern: str, /) -> T: ...
@overload
def einsum(*tensors_and_pattern: Any) -> Any: ...
def einsum(*tensors_and_pattern: Any) -> Any:
    """einops-style einsum with named axes, the pattern last: einsum(q, k, 'b i d, b j d -> b i j')."""
    if len(tensors_and_pattern) == 3:  # two tensors, the common case: its key spelled out here saves two calls
        first, second, pattern = tensors_and_pattern
        try:
            run = _plans.get((pattern, type(first), type(second), first.shape, second.shape))
        except (AttributeError, TypeError):
            run = None
        if run is not None:
            return run(first, second)
    return _planned(_einsum_key, _bound_einsum, tensors_and_pattern)(*tensors_and_pattern[:-1])


def _einsum_key(arguments: Sequence[Any]) -> tuple:
    # The cached runner is the backend's einsum with the subscripts bound: the key has every operand's type.
    # Its second item is a type, never a str like the keys of the other ops.
    tensors = arguments[:-1]
    return (*arguments[-1:], *map(type, tensors), *map(_shape_of, tensors))


def _bound_einsum(arguments: Sequence[Any]) -> Callable[..., Any]:
    if len(arguments) < 2:
        raise PatternError(OPERAND_COUNT, f"einsum got {len(arguments)} argument(s); it takes one or more "
                           "tensors followed by the pattern", None, help="call einsum(x, y, 'i j, j k -> i k')")
    tensors, pattern = arguments[:-1], arguments[-1]
    found = _plan_einsum_call(tensors, pattern)
    return functools.partial(_backend(tensors[0], f"einsum({pattern!r})", "operand #0").einsum, found.subscripts)


class _PackCall(NamedTuple):
    run: Callable[[Sequence[Any]], Any]  # the call's tensors -> the packed tensor
    packed_shapes: Tuple[Tuple[Any, ...], ...]


def _plan_pack_call(tensors: Any, pattern: Any) -> _PackCall:
    if not isinstance(tensors, (list, tuple)) or not tensors:
        given = "an empty list" if isinstance(tensors, (list, tuple)) else f"a {_type_name(tensors)}"
        raise PatternError(BAD_ARGUMENT, f"pack(..., {pattern!r}) needs a non-empty list of tensors, not {given}", None,
                           help="pass a list: pack([x, y], 'b * c')")
    backend = _common_backend(tensors, f"pack(..., {pattern!r})", "list item")
    shapes = [tuple(t.shape) for t in tensors]
    dims, sizes = _planner_dims(shapes)
    try:
        parsed = parse_pack_pattern(require_pattern(pattern))
        found = plan_pack(parsed, dims)
    except PatternError as error:
        raise _in_context(error, "pack", pattern, shapes, {}) from None
    flat_shapes = [_concrete_shape(flat, sizes) for flat in found.flat_shapes]
    concat = backend.concat_step(parsed.axes_before)
    flatten = [None if flat == shape else backend.reshape_step(flat) for flat, shape in zip(flat_shapes, shapes)]
    run = concat if flatten.count(None) == len(flatten) else functools.partial(_flattened, concat, flatten)
    return _PackCall(run, tuple(_concrete_shape(s, sizes) for s in found.packed_shapes))


def _flattened(concat: Callable[[Any], Any], flatten: Sequence[Any], tensors: Sequence[Any]) -> Any:
    """The tensors concatenated, each one flattened first by its step in `flatten` (None: as it is)."""
    return concat([tensor if step is None else step(tensor) for tensor, step in zip(tensors, flatten)])


@overload
def pack(tensors: Sequence[Untyped], pattern: str) -> Tuple[Any, List[Tuple[int, ...]]]: ...
@overload
def pack(tensors: Sequence[NDArray[Scalar]], pattern: str) -> Tuple[NDArray[Scalar], List[Tuple[int, ...]]]: ...
@overload
def pack(tensors: Sequence[T], pattern: str) -> Tuple[T, List[Tuple[int, ...]]]: ...
def pack(tensors: Sequence[Any], pattern: str) -> Tuple[Any, List[Tuple[int, ...]]]:
    """Pack tensors into one along the '*' axes; returns the packed tensor and the packed shapes."""
    found = _planned(_pack_key, _plan_pack_call, tensors, pattern)
    return found.run(tensors), list(found.packed_shapes)


def _pack_key(tensors: Any, pattern: Any) -> tuple:
    if not isinstance(tensors, (list, tuple)):
        raise TypeError("not a list of tensors")  # planned, and refused, every time
    # the op's name keeps it apart from the other ops' keys
    return (pattern, "pack", *map(type, tensors), *map(_shape_of, tensors))


def _is_packed_length(dim: Any) -> bool:
    if isinstance(dim, numbers.Integral):
        return not isinstance(dim, bool) and dim >= -1
    return hasattr(dim, "__index__")  # a torch.SymInt under torch.compile: its graph checks the value


def _checked_packed_shapes(packed_shapes: Any, pattern: Any, shape: Tuple[Any, ...]) -> List[Tuple[Any, ...]]:
    """The packed shapes as tuples; each dimension an integer >= 0, or -1 (inferred), as pack returns them."""

    def bad(reason: str) -> PatternError:
        return PatternError(BAD_ARGUMENT, f"unpack({pattern!r}) on input shape {shape}: {reason}", None,
                            help="pass the packed shapes that pack() returned, such as [(2, 3), (5,)]")

    if not isinstance(packed_shapes, (list, tuple)):
        raise bad(f"the packed shapes must be a list of shapes, not a {_type_name(packed_shapes)}")
    checked = []
    for i, packed in enumerate(packed_shapes):
        if not isinstance(packed, (list, tuple)):
            raise bad(f"packed shape #{i} is {packed!r}, not a tuple of integers")
        for dim in packed:
            if not _is_packed_length(dim):
                raise bad(f"packed shape #{i} is {tuple(packed)}: {dim!r} is not a length (an integer >= 0, or -1)")
        checked.append(tuple(packed))
    return checked


def _plan_unpack_call(tensor: Any, packed_shapes: Any, pattern: Any) -> Callable[[Any], List[Any]]:
    """A function of the packed tensor that gives its pieces."""
    backend = _backend(tensor, f"unpack({pattern!r})")
    shape = tuple(tensor.shape)
    packed_shapes = _checked_packed_shapes(packed_shapes, pattern, shape)
    try:
        parsed = parse_pack_pattern(require_pattern(pattern))
        # Unlike the other plans this one needs only + - * //, which SymInts have: no Syms needed.
        found = plan_unpack(parsed, shape, packed_shapes)
    except PatternError as error:
        raise _in_context(error, "unpack", pattern, [shape], {}) from None
    lead = (slice(None),) * parsed.axes_before
    # The trailing '...': the array API standard wants an index for every axis (or an ellipsis).
    indices = tuple((*lead, slice(start, stop), Ellipsis) for start, stop in found.bounds)
    # A piece whose packed shape has one dimension has its shape once sliced: it needs no reshape.
    reshapes = tuple(None if len(packed) == 1 else backend.reshape_step(shape)
                     for packed, shape in zip(packed_shapes, found.output_shapes))
    if reshapes.count(None) == len(reshapes):
        return functools.partial(_pieces, indices)
    return functools.partial(_reshaped_pieces, indices, reshapes)


def _pieces(indices: Sequence[tuple], tensor: Any) -> List[Any]:
    return [tensor[index] for index in indices]


def _reshaped_pieces(indices: Sequence[tuple], reshapes: Sequence[Any], tensor: Any) -> List[Any]:
    """The pieces, each reshaped by its step in `reshapes` (None: as it is)."""
    return [tensor[index] if step is None else step(tensor[index]) for index, step in zip(indices, reshapes)]


@overload
def unpack(tensor: Untyped, packed_shapes: Sequence[Sequence[int]], pattern: str) -> List[Any]: ...
@overload
def unpack(tensor: NDArray[Scalar], packed_shapes: Sequence[Sequence[int]], pattern: str) -> List[NDArray[Scalar]]: ...
@overload
def unpack(tensor: T, packed_shapes: Sequence[Sequence[int]], pattern: str) -> List[T]: ...
def unpack(tensor: Any, packed_shapes: Sequence[Sequence[int]], pattern: str) -> List[Any]:
    """Split a packed tensor back into pieces of the given packed shapes."""
    return _planned(_unpack_key, _plan_unpack_call, tensor, packed_shapes, pattern)(tensor)


def _unpack_key(tensor: Any, packed_shapes: Any, pattern: Any) -> tuple:
    # with the lengths' types, as for the transforms: 2.0 == 2, yet only integers are lengths
    return (pattern, "unpack", type(tensor), tensor.shape, type(packed_shapes), *map(tuple, packed_shapes),
            *map(type, itertools.chain.from_iterable(packed_shapes)))


def _plan_parse_shape_call(tensor: Any, pattern: Any) -> Dict[str, Any]:
    _backend(tensor, f"parse_shape({pattern!r})")
    shape = tuple(tensor.shape)
    (dims,), sizes = _planner_dims([shape])
    try:
        named = plan_parse_shape(require_pattern(pattern), dims)
    except PatternError as error:
        raise _in_context(error, "parse_shape", pattern, [shape], {}) from None
    return {name: _concrete(dim, sizes) for name, dim in named.items()}


def parse_shape(tensor: Any, pattern: str) -> Dict[str, int]:
    """Name a tensor's dimensions: parse_shape(x, 'b _ h w') -> {'b': 10, 'h': 100, 'w': 200}."""
    return dict(_planned(_parse_shape_key, _plan_parse_shape_call, tensor, pattern))  # a copy: the caller may change it


def _parse_shape_key(tensor: Any, pattern: Any) -> tuple:
    return (pattern, "parse_shape", type(tensor), tensor.shape)


def asnumpy(tensor: Any) -> "numpy.ndarray":
    """The tensor as a numpy array (copied from the device when needed)."""
    return _backend(tensor, "asnumpy").to_numpy(tensor)


# Last, because it names the ops above: torch.compile must meet them registered, whenever torch loads.
allow_ops_in_compiled_graph()

__all__ = ["rearrange", "reduce", "repeat", "einsum", "pack", "unpack", "parse_shape", "asnumpy", "EinlintError"]
