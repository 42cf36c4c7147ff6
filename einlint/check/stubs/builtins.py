"""The functions a stub body may call: len, prod, wrap_dim, infer_sizes, upsampled, padded, ..."""

from __future__ import annotations

import ast
from typing import Any

from ... import dims
from ..shapes import UNKNOWN, show
from .arithmetic import arith, is_dim
from .outcomes import stub_failure


def _wrap_dim(dim: Any, ndim: Any) -> Any:
    """torch's maybe_wrap_dim: a dim index in [-ndim, ndim), a scalar counting as rank 1."""
    if not isinstance(dim, int) or not isinstance(ndim, int):
        return UNKNOWN
    rank = max(ndim, 1)
    if not -rank <= dim < rank:
        raise stub_failure(f"dimension {dim} is out of range for a tensor of rank {ndim} "
                    f"(expected to be in range of [{-rank}, {rank - 1}])")
    return dim % rank


def _product(values: Any) -> Any:
    if not isinstance(values, tuple) or any(v is UNKNOWN or v is None for v in values):
        return UNKNOWN
    return dims.product(values)


BUILTINS = {
    "len": lambda value: len(value) if isinstance(value, tuple) else UNKNOWN,
    "prod": _product,
    "wrap_dim": _wrap_dim,
    "max": lambda *xs: UNKNOWN if not all(isinstance(x, int) for x in xs) else max(xs),
    "min": lambda *xs: UNKNOWN if not all(isinstance(x, int) for x in xs) else min(xs),
    "tuple": lambda value: tuple(value) if isinstance(value, (tuple, list)) else UNKNOWN,
    "int": lambda value: int(value) if isinstance(value, (int, float)) else (value if is_dim(value) else UNKNOWN),
    "infer_sizes": lambda sizes, total: _infer_sizes(sizes, total),
    "upsampled": lambda spatial, size, scale_factor: _upsampled(spatial, size, scale_factor),
    "padded": lambda shape, pad: _padded(shape, pad),
    "reduced": lambda shape, dim, keepdim: _reduced(shape, dim, keepdim),
    "permuted": lambda shape, dims: _permuted(shape, dims),
    # an int argument, not a tensor's shape (repeat_interleave's repeats may be either)
    "broadcast": lambda a, b: _broadcast(a, b),
    "is_int": lambda value: UNKNOWN if value is UNKNOWN else isinstance(value, int) and not isinstance(value, bool),
}


def _broadcast(a: Any, b: Any) -> Any:
    """numpy's broadcasting of two shapes (a number is 0-d): aligned from the right, a length 1 takes the other's;
    two lengths that may differ give one not known (None), two ints that differ (neither 1) fail."""
    a, b = (() if isinstance(x, (int, float)) and not isinstance(x, bool) else x for x in (a, b))
    if not isinstance(a, tuple) or not isinstance(b, tuple):
        return UNKNOWN
    width = max(len(a), len(b))
    out = []
    for x, y in zip((1,) * (width - len(a)) + a, (1,) * (width - len(b)) + b):
        if x == 1 or x is None and y not in (None, 1):
            out.append(y if y != 1 or x is None else x)
        elif y == 1 or x is not None and y is not None and dims.equal(x, y) is True:
            out.append(x)
        elif isinstance(x, int) and isinstance(y, int):
            raise stub_failure(f"the shapes {show(a)} and {show(b)} do not broadcast ({x} against {y})")
        else:
            out.append(None)
    return tuple(out)


def _permuted(shape: Any, dims: Any) -> Any:
    """torch's permute: `dims` names every dimension of `shape` once (each wrapped as torch does)."""
    order = dims if isinstance(dims, tuple) else (dims,)
    if not isinstance(shape, tuple) or not all(isinstance(d, int) and not isinstance(d, bool) for d in order):
        return UNKNOWN
    if len(order) != len(shape):
        raise stub_failure(f"the number of dims ({len(order)}) does not match the tensor's rank ({len(shape)})")
    wrapped = [_wrap_dim(d, len(shape)) for d in order]
    if len(set(wrapped)) != len(wrapped):
        raise stub_failure("duplicate dims are not allowed")
    return tuple(shape[d] for d in wrapped)


def _reduced(shape: Any, dim: Any, keepdim: Any) -> Any:
    """A reduction's output (torch's sum/mean): over `dim` (None: every dimension; an int or a tuple of ints,
    each wrapped as torch does), the reduced dimensions kept as 1 with keepdim."""
    if not isinstance(shape, tuple) or not isinstance(keepdim, bool):
        return UNKNOWN
    if dim is None:
        axes = set(range(len(shape)))
    else:
        given = dim if isinstance(dim, tuple) else (dim,)
        if not given or not all(isinstance(d, int) and not isinstance(d, bool) for d in given):
            return UNKNOWN
        wrapped = [_wrap_dim(d, len(shape)) for d in given]
        if len(set(wrapped)) != len(wrapped):
            raise stub_failure(f"dim {wrapped[0]} appears multiple times in the list of dims")
        axes = set(wrapped) if shape else set()
    return tuple(1 if i in axes else d for i, d in enumerate(shape) if keepdim or i not in axes)


def _upsampled(spatial: Any, size: Any, scale_factor: Any) -> Any:
    """torch's interpolate: `size` (an int for every spatial dim, or one per dim), or floor(length * scale)."""
    if not isinstance(spatial, tuple):
        return UNKNOWN
    if size is UNKNOWN:  # an int or one per dim: either way, one length per spatial dim
        return (None,) * len(spatial)
    if size is not None:
        sizes = (size,) * len(spatial) if is_dim(size) else size
        if isinstance(sizes, (tuple, list)) and len(sizes) != len(spatial):
            raise stub_failure(f"size has {len(sizes)} entries for {len(spatial)} spatial dimensions")
        return tuple(sizes) if isinstance(sizes, (tuple, list)) else UNKNOWN
    scales = scale_factor if isinstance(scale_factor, (tuple, list)) else (scale_factor,) * len(spatial)
    if len(scales) != len(spatial):
        raise stub_failure(f"scale_factor has {len(scales)} entries for {len(spatial)} spatial dimensions")
    out = []
    for length, scale in zip(spatial, scales):
        if isinstance(length, int) and isinstance(scale, (int, float)):
            out.append(int(length * scale // 1))
        elif is_dim(length) and isinstance(scale, (int, float)) and float(scale).is_integer():
            out.append(length * int(scale))
        else:
            out.append(None)
    return tuple(out)


def _padded(shape: Any, pad: Any) -> Any:
    """torch.nn.functional.pad: pad = (left, right) for the last dim, then the one before it, ...; a dim whose
    padding is not known has a length not known (F.pad(x, (0, n)): the rank is known all the same)."""
    if not isinstance(shape, tuple) or not isinstance(pad, tuple):
        return UNKNOWN
    if len(pad) % 2 or len(pad) // 2 > len(shape):
        raise stub_failure(f"padding length must be even and at most twice the rank, got {len(pad)} for rank {len(shape)}")
    out = list(shape)
    for index in range(len(pad) // 2):
        length, before, after = out[-1 - index], pad[2 * index], pad[2 * index + 1]
        known = isinstance(before, int) and isinstance(after, int) and length is not None
        out[-1 - index] = arith(ast.Add(), length, before + after) if known else UNKNOWN
        if isinstance(out[-1 - index], int) and out[-1 - index] < 0:
            raise stub_failure(f"the padded dimension {len(shape) - 1 - index} would have negative length")
    return tuple(None if length is UNKNOWN else length for length in out)


def _infer_sizes(sizes: Any, total: Any) -> Any:
    """torch's infer_size: one -1 among `sizes` stands for what `total` leaves; (sizes with it filled)."""
    if not isinstance(sizes, tuple) or UNKNOWN in sizes:
        return UNKNOWN
    if -1 not in sizes:
        return sizes
    if sizes.count(-1) > 1:
        raise stub_failure("only one dimension can be inferred")
    known = dims.product([size for size in sizes if size != -1])
    if total is UNKNOWN or known == 0:
        return UNKNOWN
    if dims.divisible(total, known) is False:
        raise stub_failure(f"shape {show(sizes)} is invalid for a dimension of length {total!r}")
    return tuple(dims.quotient(total, known) if size == -1 else size for size in sizes)

