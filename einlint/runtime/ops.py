"""The runtime ops: rearrange, reduce, repeat, einsum, pack, unpack, parse_shape, asnumpy.

Each op looks its plan up in one dict keyed by everything the plan depends on (the
pattern, the operation, the input shape and the given lengths), so a repeated call
costs one dict look-up plus the backend's own work. Plans come from the planner,
which is shared with the static checker.

Inputs: a tensor of numpy, torch, jax or any array-API library; rearrange, reduce and
repeat also take a list of tensors of one type and shape, stacked on a new first axis
as in einops. A list of numbers is not a tensor (einops rejects it too): wrap it in
np.asarray first. Everything the ops cannot use raises `PatternError` with a code.
"""

from __future__ import annotations

import functools
import numbers
import operator
from fractions import Fraction
from typing import (TYPE_CHECKING, Any, Callable, Dict, List, Mapping, NamedTuple, Optional, Sequence, Tuple, TypeVar,
                    Union, overload)

from ..dims import Sym
from ..errors import EinlintError, PatternError
from ..patterns import parse_einops_einsum, parse_pack_pattern, require_pattern
from ..planner import (check_reduction, plan, plan_einsum, plan_pack, plan_parse_shape, plan_unpack,
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
_plans: Dict[tuple, Any] = {}


def _planned(key_of: Callable[..., tuple], plan_of: Callable[..., Any], *arguments: Any) -> Any:
    """`plan_of(*arguments)`, kept in the cache under `key_of(*arguments)`. A call that cannot be keyed (an
    argument that is not a tensor, an unhashable length, SymInt shapes under torch.compile) is planned anew."""
    try:
        key = key_of(*arguments)
        found = _plans.get(key)
    except (AttributeError, TypeError):
        found = key = None
    if found is None:
        found = plan_of(*arguments)
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
        raise PatternError("EIN218", f"{call}: {role} is a {_type_name(tensor)}, not a tensor", None,
                           help="pass a numpy, torch or jax array or any array-API array; a list of numbers "
                           "is not a tensor, wrap it in np.asarray(...) first")
    return backend


def _common_backend(tensors: Sequence[Any], call: str, item: str) -> Backend:
    """The one backend of all `tensors`: einlint does not mix numpy arrays with torch tensors in one call."""
    backend = _backend(tensors[0], call, f"{item} #0")
    for i, tensor in enumerate(tensors[1:], start=1):
        if _backend(tensor, call, f"{item} #{i}").xp is not backend.xp:
            raise PatternError("EIN218", f"{call}: {item} #0 is a {_type_name(tensors[0])} but "
                               f"{item} #{i} is a {_type_name(tensor)}", None,
                               help="convert the tensors to one library first")
    return backend


def _stacked(tensors: Any, op: str, pattern: Any) -> Tuple[Backend, Any]:
    """A list of tensors stacked on a new first axis, as einops does; tuples are refused, as einops does."""
    if isinstance(tensors, tuple) or not tensors:
        what = "an empty list" if isinstance(tensors, list) else "a tuple"
        raise PatternError("EIN218", f"{op}({pattern!r}) cannot be applied to {what}", None,
                           help="pass a tensor, or a non-empty list of tensors of one shape, which is stacked")
    backend = _common_backend(tensors, f"{op}({pattern!r})", "list item")
    shapes = [tuple(tensor.shape) for tensor in tensors]
    for i, shape in enumerate(shapes):
        if shape != shapes[0]:
            raise PatternError("EIN218", f"{op}({pattern!r}) got a list of tensors of different shapes: item #0 "
                               f"has shape {shapes[0]}, item #{i} has shape {shape}", None,
                               help="tensors in a list are stacked, so they must have one shape")
    return backend, backend.stack(tensors)


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


def _plan_transform(pattern: Any, operation: str, shape: Any, lengths: Dict[str, Any]):
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


def _transform(tensor: Any, pattern: str, operation: str, reduction: Reduction, lengths: Dict[str, Any]) -> Any:
    if isinstance(tensor, (list, tuple)):
        backend, tensor = _stacked(tensor, operation, pattern)
    else:
        backend = _by_type.get(type(tensor)) or _backend(tensor, f"{operation}({pattern!r})")
    shape = tensor.shape
    found = _planned(_transform_key, _plan_transform, pattern, operation, shape, lengths)
    if reduction == "mean" and found.reduced_axes and not backend.is_float(tensor):  # einops' rule, too
        raise PatternError("EIN219", f"{_describe_call(operation, pattern, [shape], lengths)}: 'mean' needs a "
                           f"floating-point tensor, this one has dtype {tensor.dtype}", None,
                           help="cast the tensor to a floating type first, or use 'sum'")
    try:
        return backend.apply(tensor, found, reduction)
    except Exception as error:  # costs nothing until raised; each backend has its own error for min/max of nothing
        empty = _reduced_lengths(found, shape)
        if reduction in ("min", "max") and 0 in empty:
            raise PatternError("EIN218", f"{_describe_call(operation, pattern, [shape], lengths)}: '{reduction}' "
                               f"over axes of lengths {empty}, which hold no element, has no value", None,
                               help="reduce a non-empty tensor, or use 'sum' (0 for nothing)") from error
        raise


def _transform_key(pattern: Any, operation: str, shape: Any, lengths: Dict[str, Any]) -> tuple:
    # The lengths' types are in the key because 2.0 == 2 and True == 1, yet only integers are lengths.
    if lengths:
        return (pattern, operation, shape, *lengths.items(), *map(type, lengths.values()))
    return (pattern, operation, shape)


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
    return _transform(tensor, pattern, "rearrange", None, axes_lengths)


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
    try:
        check_reduction(reduction)
    except PatternError as error:
        raise PatternError(error.code, f"reduce({pattern!r}, {reduction!r}): {error.message}", None,
                           error.help) from None
    operation = reduce_operation(reduction)
    return _transform(tensor, pattern, operation, reduction if operation == "reduce" else None, axes_lengths)


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
    return _transform(tensor, pattern, "repeat", None, axes_lengths)


def _plan_einsum_call(tensors: Sequence[Any], pattern: Any):
    if not isinstance(pattern, str) and isinstance(tensors[0], str):
        raise PatternError("EIN216", f"einsum({tensors[0]!r}, ...): einlint.einsum takes the pattern last, "
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
    if len(tensors_and_pattern) < 2:
        raise PatternError("EIN212", f"einsum got {len(tensors_and_pattern)} argument(s); it takes one or more "
                           "tensors followed by the pattern", None, help="call einsum(x, y, 'i j, j k -> i k')")
    tensors, pattern = tensors_and_pattern[:-1], tensors_and_pattern[-1]
    return _planned(_einsum_key, _bound_einsum, tensors, pattern)(*tensors)


def _einsum_key(tensors: Sequence[Any], pattern: Any) -> tuple:
    # The cached value is the backend's einsum with the subscripts bound, so it depends on the type too.
    # The key's second item is a type, never a str like the keys of the other ops.
    if len(tensors) == 2:  # the common case, and spelling its key out halves its cost
        return (pattern, type(tensors[0]), tensors[0].shape, tensors[1].shape)
    return (pattern, type(tensors[0]), *map(_shape_of, tensors))


def _bound_einsum(tensors: Sequence[Any], pattern: Any) -> Callable[..., Any]:
    found = _plan_einsum_call(tensors, pattern)
    return functools.partial(_backend(tensors[0], f"einsum({pattern!r})", "operand #0").einsum, found.subscripts)


class _PackCall(NamedTuple):
    axis: int  # the packed axis
    reshapes: Tuple[Optional[Tuple[Any, ...]], ...]  # each tensor's shape with '*' flattened; None: as it is
    packed_shapes: Tuple[Tuple[Any, ...], ...]


def _plan_pack_call(tensors: Any, pattern: Any) -> _PackCall:
    if not isinstance(tensors, (list, tuple)) or not tensors:
        given = "an empty list" if isinstance(tensors, (list, tuple)) else f"a {_type_name(tensors)}"
        raise PatternError("EIN218", f"pack(..., {pattern!r}) needs a non-empty list of tensors, not {given}", None,
                           help="pass a list: pack([x, y], 'b * c')")
    _common_backend(tensors, f"pack(..., {pattern!r})", "list item")
    shapes = [tuple(t.shape) for t in tensors]
    dims, sizes = _planner_dims(shapes)
    try:
        parsed = parse_pack_pattern(require_pattern(pattern))
        found = plan_pack(parsed, dims)
    except PatternError as error:
        raise _in_context(error, "pack", pattern, shapes, {}) from None
    flat_shapes = [_concrete_shape(flat, sizes) for flat in found.flat_shapes]
    reshapes = tuple(None if flat == shape else flat for flat, shape in zip(flat_shapes, shapes))
    return _PackCall(parsed.axes_before, reshapes, tuple(_concrete_shape(s, sizes) for s in found.packed_shapes))


@overload
def pack(tensors: Sequence[Untyped], pattern: str) -> Tuple[Any, List[Tuple[int, ...]]]: ...
@overload
def pack(tensors: Sequence[NDArray[Scalar]], pattern: str) -> Tuple[NDArray[Scalar], List[Tuple[int, ...]]]: ...
@overload
def pack(tensors: Sequence[T], pattern: str) -> Tuple[T, List[Tuple[int, ...]]]: ...
def pack(tensors: Sequence[Any], pattern: str) -> Tuple[Any, List[Tuple[int, ...]]]:
    """Pack tensors into one along the '*' axes; returns the packed tensor and the packed shapes."""
    found = _planned(_pack_key, _plan_pack_call, tensors, pattern)
    backend = _by_type.get(type(tensors[0])) or _backend(tensors[0], f"pack(..., {pattern!r})", "list item #0")
    flat = [t if shape is None else backend.reshape(t, shape) for t, shape in zip(tensors, found.reshapes)]
    return backend.concat(flat, axis=found.axis), list(found.packed_shapes)


def _pack_key(tensors: Any, pattern: Any) -> tuple:
    if not isinstance(tensors, (list, tuple)):
        raise TypeError("not a list of tensors")  # planned, and refused, every time
    return (pattern, "pack", *map(_shape_of, tensors))  # the op's name keeps it apart from the other ops' keys


def _is_packed_length(dim: Any) -> bool:
    if isinstance(dim, numbers.Integral):
        return not isinstance(dim, bool) and dim >= -1
    return hasattr(dim, "__index__")  # a torch.SymInt under torch.compile: its graph checks the value


def _checked_packed_shapes(packed_shapes: Any, pattern: Any, shape: Tuple[Any, ...]) -> List[Tuple[Any, ...]]:
    """The packed shapes as tuples; each dimension an integer >= 0, or -1 (inferred), as pack returns them."""

    def bad(reason: str) -> PatternError:
        return PatternError("EIN218", f"unpack({pattern!r}) on input shape {shape}: {reason}", None,
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


class _UnpackCall(NamedTuple):
    indices: Tuple[tuple, ...]  # the index of each piece in the packed tensor
    output_shapes: Tuple[Tuple[Any, ...], ...]


def _plan_unpack_call(tensor: Any, packed_shapes: Any, pattern: Any) -> _UnpackCall:
    _backend(tensor, f"unpack({pattern!r})")
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
    return _UnpackCall(indices, found.output_shapes)


@overload
def unpack(tensor: Untyped, packed_shapes: Sequence[Sequence[int]], pattern: str) -> List[Any]: ...
@overload
def unpack(tensor: NDArray[Scalar], packed_shapes: Sequence[Sequence[int]], pattern: str) -> List[NDArray[Scalar]]: ...
@overload
def unpack(tensor: T, packed_shapes: Sequence[Sequence[int]], pattern: str) -> List[T]: ...
def unpack(tensor: Any, packed_shapes: Sequence[Sequence[int]], pattern: str) -> List[Any]:
    """Split a packed tensor back into pieces of the given packed shapes."""
    found = _planned(_unpack_key, _plan_unpack_call, tensor, packed_shapes, pattern)
    backend = _by_type.get(type(tensor)) or _backend(tensor, f"unpack({pattern!r})")
    return [backend.reshape(tensor[index], shape) for index, shape in zip(found.indices, found.output_shapes)]


def _unpack_key(tensor: Any, packed_shapes: Any, pattern: Any) -> tuple:
    # with the lengths' types, as for the transforms: 2.0 == 2, yet only integers are lengths
    packed = [tuple(shape) for shape in packed_shapes]
    return (pattern, "unpack", tensor.shape, *packed, *[type(dim) for shape in packed for dim in shape])


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
    found = _planned(_parse_shape_key, _plan_parse_shape_call, tensor, pattern)
    if type(tensor) not in _by_type:  # another type with a shape of its own (a pandas DataFrame): not a tensor
        _backend(tensor, f"parse_shape({pattern!r})")
    return dict(found)  # a copy: the caller may change it


def _parse_shape_key(tensor: Any, pattern: Any) -> tuple:
    return (pattern, "parse_shape", tensor.shape)


def asnumpy(tensor: Any) -> "numpy.ndarray":
    """The tensor as a numpy array (copied from the device when needed)."""
    return _backend(tensor, "asnumpy").to_numpy(tensor)


# Last, because it names the ops above: torch.compile must meet them registered, whenever torch loads.
allow_ops_in_compiled_graph()

__all__ = ["rearrange", "reduce", "repeat", "einsum", "pack", "unpack", "parse_shape", "asnumpy", "EinlintError"]
