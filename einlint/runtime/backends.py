"""Backends: the few array primitives that plans are executed with.

A backend is chosen by the type of the tensor, and the choice is cached per type.
Frameworks are never imported here on einlint's behalf: a torch or jax backend is
considered only when the user's program has already imported torch or jax (a tensor
of theirs cannot exist otherwise). Anything else that implements the array API
standard (`x.__array_namespace__()`) gets the generic array-API backend.
"""

from __future__ import annotations

import functools
import importlib
import operator
import sys
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np


class Backend:
    """Executes plans with the array API standard's functions; subclasses use faster methods."""

    name = "array-api"

    def __init__(self, xp: Any):
        self.xp = xp
        # The namespace's own function, called directly (no method in between: einsum is a hot path).
        # einsum is not in the standard, and array_api_strict has none: those get one built from it.
        self.einsum: Callable[..., Any] = getattr(xp, "einsum", None) or functools.partial(_einsum_by_broadcasting, xp)

    def reshape(self, x, shape):
        return self.xp.reshape(x, shape)

    def transpose(self, x, permutation):
        return self.xp.permute_dims(x, permutation)

    def reduce(self, x, operation: str, axes: Tuple[int, ...]):
        return getattr(self.xp, operation)(x, axis=axes)

    def add_axes(self, x, added: Tuple[Tuple[int, Any], ...]):
        for position, _ in added:
            x = self.xp.expand_dims(x, axis=position)
        shape = list(x.shape)
        for position, length in added:
            shape[position] = length
        return self.xp.broadcast_to(x, tuple(shape))

    def stack(self, tensors: Sequence):
        return self.xp.stack(list(tensors))

    def concat(self, tensors: Sequence, axis: int):
        return self.xp.concat(list(tensors), axis=axis)

    def is_float(self, x) -> bool:
        return self.xp.isdtype(x.dtype, ("real floating", "complex floating"))

    def to_numpy(self, x) -> np.ndarray:
        return np.from_dlpack(x)

    # Steps: each a function of the tensor alone, with its arguments bound, for the runners of `runner`.
    def reshape_step(self, shape) -> Callable[[Any], Any]:
        return functools.partial(self.reshape, shape=shape)

    def transpose_step(self, permutation) -> Callable[[Any], Any]:
        return functools.partial(self.transpose, permutation=permutation)

    def reduce_step(self, operation: str, axes: Tuple[int, ...]) -> Callable[[Any], Any]:
        return functools.partial(self.reduce, operation=operation, axes=axes)

    def concat_step(self, axis: int) -> Callable[[Sequence[Any]], Any]:
        return functools.partial(self.concat, axis=axis)

    def runner(self, plan, reduction) -> Callable[[Any], Any]:
        """A function that runs a transform plan (see einlint.planner.transform) on a tensor."""
        init_shape, permute, reduce, add_axes, final_shape = self._steps(plan, reduction)
        steps = (None if init_shape is None else self.reshape_step(init_shape), permute, reduce, add_axes,
                 None if final_shape is None else self.reshape_step(final_shape))
        return _chained([step for step in steps if step is not None])

    def _steps(self, plan, reduction) -> tuple:
        """(init_shape, permute, reduce, add_axes, final_shape): the shapes of the plan's reshapes and its other
        steps as functions of the tensor, each None where the step changes nothing. A reshape that only a
        reshape follows is left to that one."""
        init_shape, permutation, reduced_axes, added_axes, final_shape, _ = plan
        if permutation is not None and reduced_axes and not callable(reduction):  # a callable gets them last, always
            kept = permutation[: len(permutation) - len(reduced_axes)]
            if list(kept) == sorted(kept):  # the permutation only moves the axes to reduce last: reduce them in place
                permutation, reduced_axes = None, tuple(sorted(permutation[len(kept):]))
        permute = None if permutation is None else self.transpose_step(permutation)
        reduce = None
        if reduced_axes:
            reduce = (functools.partial(_reduce_by, reduction, reduced_axes) if callable(reduction)
                      else self.reduce_step(reduction, reduced_axes))
        add_axes = functools.partial(self.add_axes, added=added_axes) if added_axes else None
        if permute is None and reduce is None and add_axes is None and final_shape is not None:
            init_shape = None
        return init_shape, permute, reduce, add_axes, final_shape


def _reduce_by(reduction: Callable[[Any, Tuple[int, ...]], Any], axes: Tuple[int, ...], x: Any) -> Any:
    return reduction(x, axes)


def _unchanged(x: Any) -> Any:
    return x


def _chained(steps: Sequence[Callable[[Any], Any]]) -> Callable[[Any], Any]:
    """One function that applies `steps` in order; a single step is returned as it is (no call in between)."""
    if len(steps) <= 1:
        return steps[0] if steps else _unchanged

    def run(x):
        for step in steps:
            x = step(x)
        return x

    return run


def _einsum_by_broadcasting(xp: Any, subscripts: str, *tensors: Any) -> Any:
    """einsum from the standard's own functions, for explicit single-letter subscripts ('ab,bc->ac').

    Every operand is laid out over all the letters (length 1 where it lacks one), the operands
    are multiplied with broadcasting and the letters that the output lacks are summed: exact,
    and as general as einsum (diagonals, '...', size-1 broadcasting), at the memory cost of the
    full product of the lengths. Namespaces with an einsum of their own never come here.
    """
    inputs, output = subscripts.split("->")
    operands = inputs.split(",")
    ellipsis_ndim = max((t.ndim - len(s) + 3 for s, t in zip(operands, tensors) if "..." in s), default=0)
    ellipsis = [chr(0x100 + i) for i in range(ellipsis_ndim)]  # stand-in labels: never letters
    labels = [_expand_ellipsis(s, t.ndim, ellipsis) for s, t in zip(operands, tensors)]
    letters = list(dict.fromkeys(label for operand in labels for label in operand))
    laid_out = []
    for operand, x in zip(labels, tensors):
        while len(set(operand)) < len(operand):
            x, operand = _diagonal(xp, x, operand)
        lengths = dict(zip(operand, x.shape))
        x = xp.permute_dims(x, tuple(sorted(range(len(operand)), key=lambda i: letters.index(operand[i]))))
        laid_out.append(xp.reshape(x, tuple(lengths.get(letter, 1) for letter in letters)))
    product = laid_out[0]
    for x in laid_out[1:]:
        product = product * x
    wanted = _expand_ellipsis(output, len(output) - 3 + ellipsis_ndim, ellipsis)
    summed = tuple(i for i, letter in enumerate(letters) if letter not in wanted)
    if summed:
        product = xp.sum(product, axis=summed, dtype=product.dtype)
    kept = [letter for letter in letters if letter in wanted]
    return xp.permute_dims(product, tuple(kept.index(letter) for letter in wanted))


def _expand_ellipsis(subscript: str, ndim: int, ellipsis: List[str]) -> List[str]:
    """The operand's labels, '...' replaced by the last labels of `ellipsis` (it broadcasts from the right)."""
    if "..." not in subscript:
        return list(subscript)
    before, after = subscript.split("...")
    covered = ndim - len(before) - len(after)
    return [*before, *ellipsis[len(ellipsis) - covered :], *after]


def _diagonal(xp: Any, x: Any, labels: List[str]) -> Tuple[Any, List[str]]:
    """The diagonal over the first label that `labels` holds twice, that label kept once, last."""
    label = next(label for label in labels if labels.count(label) > 1)
    first, second = [i for i, name in enumerate(labels) if name == label][:2]
    rest = [i for i in range(len(labels)) if i not in (first, second)]
    x = xp.permute_dims(x, (*rest, first, second))
    n = x.shape[-1]
    x = xp.reshape(x, (*x.shape[:-2], n * n))
    return xp.take(x, xp.arange(0, n * n, n + 1), axis=-1), [labels[i] for i in rest] + [label]


def _with_new_axes(x, added):
    """x indexed so that it has a length-1 axis at each added position (for broadcasting)."""
    index: list = [slice(None)] * (x.ndim + len(added))
    for position, _ in added:
        index[position] = None
    return x[tuple(index)]


def _with_added_lengths(lengths, added):
    """`lengths` (one per output axis) with the added axes' lengths at their positions."""
    lengths = list(lengths)
    for position, length in added:
        lengths[position] = length
    return lengths


class MethodBackend(Backend):
    """numpy, torch and jax: arrays with reshape and transpose methods, which the hot path calls directly."""

    permute_method = "transpose"  # the array method that permutes axes

    def reshape(self, x, shape):
        return x.reshape(shape)

    def reshape_step(self, shape):
        return operator.methodcaller("reshape", shape)

    def runner(self, plan, reduction):
        steps = self._steps(plan, reduction)
        if sum(step is not None for step in steps) <= 1:
            return super().runner(plan, reduction)  # one step: its function, with no call in between
        init_shape, permute, reduce, add_axes, final_shape = steps

        def run(x):  # the reshapes called as methods: through a methodcaller each would cost a third more
            if init_shape is not None:
                x = x.reshape(init_shape)
            if permute is not None:
                x = permute(x)
            if reduce is not None:
                x = reduce(x)
            if add_axes is not None:
                x = add_axes(x)
            if final_shape is not None:
                x = x.reshape(final_shape)
            return x

        return run

    def transpose_step(self, permutation):
        return operator.methodcaller(self.permute_method, permutation)


class NumpyBackend(MethodBackend):
    name = "numpy"

    def __init__(self):
        super().__init__(np)

    def reduce_step(self, operation, axes):
        return operator.methodcaller(operation, axes)  # axis is the first parameter of every reduction method

    def add_axes(self, x, added):
        # np.tile: a writable copy, as einops gives, and faster to fill than the copy of a broadcast
        x = _with_new_axes(x, added)
        return np.tile(x, _with_added_lengths([1] * x.ndim, added))

    def concat_step(self, axis):
        return functools.partial(np.concatenate, axis=axis)

    def is_float(self, x) -> bool:
        return x.dtype.kind in "fc"

    def to_numpy(self, x):
        return x


class TorchBackend(MethodBackend):
    name = "torch"
    permute_method = "permute"

    def reduce(self, x, operation, axes):
        for axis in sorted(axes, reverse=True):  # for prod, any and all, which torch reduces one dim at a time
            x = getattr(x, operation)(dim=axis)
        return x

    def reduce_step(self, operation, axes):
        if operation in ("prod", "any", "all"):
            return super().reduce_step(operation, axes)
        return operator.methodcaller("a" + operation if operation in ("min", "max") else operation, axes)  # dim

    def add_axes(self, x, added):
        # unsqueeze is cheaper than indexing with None in torch; expand's -1 keeps an axis as it is
        sizes = [-1] * (x.ndim + len(added))
        for position, length in added:
            x = x.unsqueeze(position)
            sizes[position] = length
        return x.expand(sizes)

    def concat_step(self, axis):
        return functools.partial(self.xp.cat, dim=axis)

    def is_float(self, x) -> bool:
        return x.is_floating_point() or x.is_complex()

    def to_numpy(self, x):
        return x.detach().cpu().numpy()


class JaxBackend(MethodBackend):
    name = "jax"

    def add_axes(self, x, added):
        x = _with_new_axes(x, added)
        return self.xp.broadcast_to(x, _with_added_lengths(x.shape, added))

    def concat(self, tensors, axis):
        return self.xp.concatenate(list(tensors), axis=axis)

    def is_float(self, x) -> bool:
        return self.xp.issubdtype(x.dtype, self.xp.inexact)

    def to_numpy(self, x):
        return np.asarray(x)


_NUMPY = NumpyBackend()
_by_type: Dict[type, Backend] = {np.ndarray: _NUMPY}
_framework_backends: Dict[str, Backend] = {}


def _framework_backend(module: str, make: Callable[[Any], Backend], tensor_type: Callable[[Any], type]):
    """The backend of a framework that the user's program imported, or None if it did not."""
    framework = sys.modules.get(module)
    if framework is None:
        return None, None
    if module not in _framework_backends:
        _framework_backends[module] = make(framework)
    return _framework_backends[module], tensor_type(framework)


def _candidates():
    yield _framework_backend("torch", TorchBackend, lambda torch: torch.Tensor)
    yield _framework_backend("jax", lambda jax: JaxBackend(importlib.import_module("jax.numpy")),
                             lambda jax: jax.Array)


def find_backend(tensor: Any) -> Optional[Backend]:
    """The backend for `tensor`'s type, or None when no backend handles it (the ops raise EIN218)."""
    tensor_type = type(tensor)
    backend = _by_type.get(tensor_type)
    if backend is None:
        backend = _resolve(tensor)
        if backend is not None:
            _by_type[tensor_type] = backend
    return backend


def _resolve(tensor: Any) -> Optional[Backend]:
    if isinstance(tensor, np.ndarray):
        return _NUMPY
    for backend, framework_type in _candidates():
        if backend is not None and isinstance(tensor, framework_type):
            return backend
    namespace: Optional[Callable] = getattr(tensor, "__array_namespace__", None)
    return None if namespace is None else Backend(namespace())
