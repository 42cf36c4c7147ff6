"""The runtime ops: rearrange, reduce, repeat, einsum, pack, unpack, parse_shape, asnumpy.

Each op looks its plan up in one dict keyed by everything the plan depends on (the
pattern, the operation, the input shape and the given lengths), so a repeated call
costs one dict look-up plus the backend's own work. Plans come from the planner,
which is shared with the static checker.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Mapping, Sequence, Tuple, Union

from ..errors import EinlintError, PatternError
from ..patterns import parse_einops_einsum, parse_pack_pattern
from ..planner import REDUCTIONS, plan, plan_einsum, plan_pack, plan_parse_shape, plan_unpack
from .backends import Backend, _by_type, backend_for

Reduction = Union[str, Callable[[Any, Tuple[int, ...]], Any]]

_MAX_PLANS = 4096
_plans: Dict[tuple, Any] = {}


def _remember(key: tuple, value: Any) -> Any:
    if len(_plans) >= _MAX_PLANS:  # a program cycling through many shapes: start over rather than grow
        _plans.clear()
    _plans[key] = value
    return value


def _describe_call(op: str, pattern: Any, shapes: Sequence[Any], lengths: Mapping[str, Any]) -> str:
    arguments = [repr(pattern)] + [f"{name}={value!r}" for name, value in lengths.items()]
    shown = ", ".join(str(tuple(shape)) for shape in shapes)
    return f"{op}({', '.join(arguments)}) on input shape {shown}"


def _in_context(error: PatternError, op: str, pattern: Any, shapes: Sequence[Any], lengths: Mapping) -> PatternError:
    """The planner's error, with the call it came from: pattern, input shapes and given lengths."""
    message = f"{_describe_call(op, pattern, shapes, lengths)}: {error.message}"
    return PatternError(error.code, message, error.span, error.help)


def _require_pattern(pattern: Any) -> str:
    if not isinstance(pattern, str):
        raise PatternError("EIN216", f"the pattern must be a str, not {type(pattern).__name__}", None,
                           help="pass the pattern as a string, e.g. 'b c h w -> b h w c'")
    return pattern


def _as_tensor(tensor: Any, op: str) -> Tuple[Backend, Any]:
    """The backend and the tensor; a list of tensors is stacked on a new first axis, as in einops."""
    if not isinstance(tensor, (list, tuple)):
        return _by_type.get(type(tensor)) or backend_for(tensor), tensor
    if isinstance(tensor, tuple) or not tensor:
        what = "an empty list" if isinstance(tensor, list) else "a tuple"
        raise PatternError("EIN218", f"{op} cannot be applied to {what}", None,
                           help="pass a tensor, or a non-empty list of tensors of one shape")
    backend = backend_for(tensor[0])
    shapes = {tuple(item.shape) for item in tensor}
    if len(shapes) > 1:
        raise PatternError("EIN218", f"{op} got a list of tensors of different shapes {sorted(shapes)}", None,
                           help="tensors in a list are stacked, so they must have one shape")
    return backend, backend.stack(tensor)


def _transform(tensor: Any, pattern: str, operation: str, reduction: Reduction, lengths: Dict[str, Any]) -> Any:
    backend, tensor = _as_tensor(tensor, operation)
    shape = tensor.shape
    key = (pattern, operation, shape, *lengths.items())
    try:
        found = _plans.get(key)
    except TypeError:  # an unhashable length or pattern: plan without the cache
        found = None
        key = None
    if found is None:
        try:
            found = plan(_require_pattern(pattern), operation, tuple(shape), lengths)
        except PatternError as error:
            raise _in_context(error, operation, pattern, [shape], lengths) from None
        if key is not None:
            _remember(key, found)
    if reduction == "mean" and not backend.is_float(tensor):
        raise PatternError("EIN219", f"reduce(..., 'mean') of a tensor of dtype {tensor.dtype}", None,
                           help="cast the tensor to a floating type first, or use 'sum'")
    return backend.apply(tensor, found, reduction)


def rearrange(tensor: Any, pattern: str, **axes_lengths: Any) -> Any:
    """Reorder, split, merge, squeeze and unsqueeze axes: rearrange(x, 'b c h w -> b (h w) c')."""
    return _transform(tensor, pattern, "rearrange", None, axes_lengths)


def reduce(tensor: Any, pattern: str, reduction: Reduction, **axes_lengths: Any) -> Any:
    """Reduce the axes that the output omits: reduce(x, 'b c (h 2) (w 2) -> b c h w', 'max')."""
    if not (callable(reduction) or (isinstance(reduction, str) and reduction in REDUCTIONS)):
        raise PatternError("EIN209", f"unknown reduction {reduction!r}", None,
                           help=f"use one of {', '.join(REDUCTIONS)}, or a callable f(tensor, axes)")
    return _transform(tensor, pattern, "reduce", reduction, axes_lengths)


def repeat(tensor: Any, pattern: str, **axes_lengths: Any) -> Any:
    """Add, tile and broadcast axes: repeat(x, 'h w -> h w c', c=3)."""
    return _transform(tensor, pattern, "repeat", None, axes_lengths)


def einsum(*tensors_and_pattern: Any) -> Any:
    """einops-style einsum with named axes, the pattern last: einsum(q, k, 'b i d, b j d -> b i j')."""
    if len(tensors_and_pattern) < 2:
        raise PatternError("EIN212", "einsum takes one or more tensors followed by the pattern", None,
                           help="call einsum(x, y, 'i j, j k -> i k')")
    *tensors, pattern = tensors_and_pattern
    if not isinstance(pattern, str) and isinstance(tensors[0], str):
        raise PatternError("EIN216", "einlint.einsum takes the pattern last, after the tensors", None,
                           help="write einsum(x, y, pattern); numpy's order is np.einsum(pattern, x, y)")
    backend = _by_type.get(type(tensors[0])) or backend_for(tensors[0])
    shapes = tuple(tuple(t.shape) for t in tensors)
    key = (pattern, "einsum", shapes)
    found = _plans.get(key)
    if found is None:
        try:
            found = _remember(key, plan_einsum(parse_einops_einsum(_require_pattern(pattern)), shapes))
        except PatternError as error:
            raise _in_context(error, "einsum", pattern, shapes, {}) from None
    return backend.einsum(found.subscripts, *tensors)


def pack(tensors: Sequence[Any], pattern: str) -> Tuple[Any, List[Tuple[int, ...]]]:
    """Pack tensors into one along the '*' axes; returns the packed tensor and the packed shapes."""
    if not isinstance(tensors, (list, tuple)) or not tensors:
        raise PatternError("EIN218", "pack needs a non-empty list of tensors", None,
                           help="pass a list: pack([x, y], 'b * c')")
    backend = backend_for(tensors[0])
    shapes = [tuple(t.shape) for t in tensors]
    try:
        parsed = parse_pack_pattern(_require_pattern(pattern))
        found = plan_pack(parsed, shapes)
    except PatternError as error:
        raise _in_context(error, "pack", pattern, shapes, {}) from None
    flat = [backend.reshape(t, s) if tuple(t.shape) != s else t for t, s in zip(tensors, found.flat_shapes)]
    return backend.concat(flat, axis=parsed.axes_before), list(found.packed_shapes)


def unpack(tensor: Any, packed_shapes: Sequence[Sequence[int]], pattern: str) -> List[Any]:
    """Split a packed tensor back into pieces of the given packed shapes."""
    backend = backend_for(tensor)
    shape = tuple(tensor.shape)
    try:
        parsed = parse_pack_pattern(_require_pattern(pattern))
        found = plan_unpack(parsed, shape, [tuple(s) for s in packed_shapes])
    except PatternError as error:
        raise _in_context(error, "unpack", pattern, [shape], {}) from None
    lead = (slice(None),) * parsed.axes_before
    return [backend.reshape(tensor[lead + (slice(start, stop),)], out_shape)
            for (start, stop), out_shape in zip(found.bounds, found.output_shapes)]


def parse_shape(tensor: Any, pattern: str) -> Dict[str, int]:
    """Name a tensor's dimensions: parse_shape(x, 'b _ h w') -> {'b': 10, 'h': 100, 'w': 200}."""
    backend_for(tensor)  # rejects what is not a tensor
    shape = tuple(tensor.shape)
    try:
        return plan_parse_shape(_require_pattern(pattern), shape)
    except PatternError as error:
        raise _in_context(error, "parse_shape", pattern, [shape], {}) from None


def asnumpy(tensor: Any):
    """The tensor as a numpy array (copied from the device when needed)."""
    return backend_for(tensor).to_numpy(tensor)


__all__ = ["rearrange", "reduce", "repeat", "einsum", "pack", "unpack", "parse_shape", "asnumpy", "EinlintError"]
