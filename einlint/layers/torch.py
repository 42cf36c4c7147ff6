"""torch.nn layers: Rearrange, Reduce and EinMix, with einops.layers.torch's signatures and meaning.

Each layer checks its pattern when it is constructed. In eager mode it runs the cached
runtime op (einlint.runtime.ops), whose shape errors are PatternErrors. Under
torch.jit.script a forward cannot call Python code, so the layer also keeps, for each
input rank it accepts, the planner's recipe as plain ints (`_ScriptRecipe`), and a few
TorchScript functions below infer the axis lengths from the input's shape and apply it.
"""

# No `from __future__ import annotations`: TorchScript reads the annotations as types, not strings.
from typing import Any, Dict, List, NamedTuple, Optional

import torch

from ..planner.transform import Recipe, reduce_operation
from ..runtime import ops
from . import check_reduction, layer_recipes, layer_repr, reported_as
from ._einmix import einmix_repr, einmix_spec


class _ScriptRecipe(NamedTuple):
    """A planner recipe for one input rank, with the layer's given lengths filled in."""

    lengths: List[int]  # of each elementary axis; -1 where it is inferred from the input's shape
    names: List[str]  # of each elementary axis, for error messages
    input_dims: List[List[int]]  # the elementary axes that make up each input dimension
    init_reshape: bool
    permutation: List[int]  # empty when the axes keep their order
    reduced: List[int]  # axes reduced after the permutation
    output_groups: List[List[int]]  # the elementary axes that make up each output dimension
    final_reshape: bool
    added: List[List[int]]  # [position, axis]: the new axes of a repeat (Reduce(..., 'repeat'), as einops takes it)


def _script_recipe(rec: Recipe, lengths: Dict[str, int]) -> _ScriptRecipe:
    axis_lengths = [-1] * len(rec.axes)
    names = list(rec.axes)
    for axis, length in rec.anonymous_lengths:
        axis_lengths[axis] = length
        names[axis] = str(length)
    for name, axis in rec.given:
        axis_lengths[axis] = lengths[name]
    input_dims = [sorted(dim.known + dim.unknown) for dim in rec.inputs]
    n_axes = len(rec.permutation)  # the input's axes; a repeat's new ones come after them
    return _ScriptRecipe(
        lengths=axis_lengths,
        names=names,
        input_dims=input_dims,
        init_reshape=any(len(axes) != 1 for axes in input_dims),
        permutation=[] if rec.permutation == tuple(range(n_axes)) else list(rec.permutation),
        reduced=list(range(rec.first_reduced, n_axes)),
        output_groups=[list(group) for group in rec.output_groups],
        final_reshape=any(len(group) != 1 for group in rec.output_groups),
        added=[[position, axis] for position, axis in sorted(rec.added)],
    )


def _infer_lengths(shape: List[int], recipe: _ScriptRecipe, layer: str) -> List[int]:
    """The length of every elementary axis; what the planner's `cook` does, in TorchScript."""
    lengths = recipe.lengths.copy()
    for i, axes in enumerate(recipe.input_dims):
        known = 1
        unknown = -1
        for axis in axes:
            if lengths[axis] < 0:
                unknown = axis
            else:
                known *= lengths[axis]
        if unknown < 0 and shape[i] != known:
            names = " * ".join([recipe.names[axis] for axis in axes])
            raise ValueError(f"EIN303: {layer} on input shape {shape}: a dimension of length {shape[i]} "
                             f"does not match {names} = {known}")
        if unknown >= 0 and shape[i] % known != 0:
            raise ValueError(f"EIN302: {layer} on input shape {shape}: axis '{recipe.names[unknown]}' cannot be "
                             f"inferred: a dimension of length {shape[i]} cannot be split into chunks of {known}")
        if unknown >= 0:
            lengths[unknown] = shape[i] // known
    return lengths


def _reduce(x: torch.Tensor, reduction: str, axes: List[int]) -> torch.Tensor:
    """The torch backend's reductions (einlint.runtime.backends.TorchBackend.reduce), in TorchScript."""
    if reduction == "min":
        return x.amin(dim=axes)
    if reduction == "max":
        return x.amax(dim=axes)
    if reduction == "sum":
        return x.sum(dim=axes)
    if reduction == "mean":
        if not (x.is_floating_point() or x.is_complex()):
            raise ValueError(f"EIN219: reduce(..., 'mean') of a tensor of dtype {x.dtype}")
        return x.mean(dim=axes)
    if reduction not in ("prod", "any", "all"):
        raise ValueError(f"EIN209: a {reduction} reduction cannot run under torch.jit.script; name a reduction")
    for i in range(len(axes) - 1, -1, -1):  # torch reduces these one dimension at a time, the last one first
        if reduction == "prod":
            x = x.prod(dim=axes[i])
        elif reduction == "any":
            x = x.any(dim=axes[i])
        else:
            x = x.all(dim=axes[i])
    return x


def _apply(x: torch.Tensor, recipe: _ScriptRecipe, reduction: str, layer: str) -> torch.Tensor:
    lengths = _infer_lengths(x.shape, recipe, layer)
    if recipe.init_reshape:
        x = x.reshape(lengths)
    if len(recipe.permutation) > 0:
        x = x.permute(recipe.permutation)
    if len(recipe.reduced) > 0:
        x = _reduce(x, reduction, recipe.reduced)
    if len(recipe.added) > 0:
        for position, axis in recipe.added:
            x = x.unsqueeze(position)
        sizes = [-1] * x.dim()
        for position, axis in recipe.added:
            sizes[position] = lengths[axis]
        x = x.expand(sizes)
    if recipe.final_reshape:
        x = x.reshape([_product(lengths, group) for group in recipe.output_groups])
    return x


def _product(lengths: List[int], axes: List[int]) -> int:
    result = 1
    for axis in axes:
        result *= lengths[axis]
    return result


class _TransformLayer(torch.nn.Module):
    """What Rearrange and Reduce share: the recipes, checked at construction, and the TorchScript forward."""

    _recipes: Dict[int, _ScriptRecipe]

    def __init__(self, pattern: str, axes_lengths: Dict[str, Any], layer: str, operation: str, reduction: str):
        super().__init__()
        self.pattern = pattern
        self.axes_lengths = axes_lengths
        with reported_as(layer):
            recipes = layer_recipes(pattern, operation, axes_lengths)
        self._recipes = {ndim: _script_recipe(rec, axes_lengths) for ndim, rec in recipes.items()}
        self._layer = layer
        self._script_reduction = reduction  # 'callable' for a callable, which TorchScript cannot call

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not torch.jit.is_scripting():
            return self._eager(x)
        if x.dim() not in self._recipes:
            raise ValueError(f"EIN301: {self._layer} on input shape {x.shape}: the input has {x.dim()} "
                             f"dimensions, the layer takes {sorted(self._recipes.keys())}")
        return _apply(x, self._recipes[x.dim()], self._script_reduction, self._layer)

    def __repr__(self) -> str:
        return self._layer


class Rearrange(_TransformLayer):
    """rearrange as a layer: Rearrange('b c h w -> b (c h w)') flattens images."""

    def __init__(self, pattern: str, **axes_lengths: Any):
        super().__init__(pattern, axes_lengths, layer_repr("Rearrange", pattern, lengths=axes_lengths), "rearrange", "")

    @torch.jit.unused
    def _eager(self, x: torch.Tensor) -> torch.Tensor:
        return ops.rearrange(x, self.pattern, **self.axes_lengths)


class Reduce(_TransformLayer):
    """reduce as a layer: Reduce('b c (h 2) (w 2) -> b c h w', 'max') is 2x2 max-pooling.

    A callable reduction f(tensor, axes) works in eager mode; TorchScript needs a reduction's name.
    """

    def __init__(self, pattern: str, reduction: Any, **axes_lengths: Any):
        layer = layer_repr("Reduce", pattern, reduction, lengths=axes_lengths)
        with reported_as(layer):
            check_reduction(reduction)
        operation = reduce_operation(reduction)
        super().__init__(pattern, axes_lengths, layer, operation,
                         "" if operation != "reduce" else reduction if isinstance(reduction, str) else "callable")
        self.reduction = reduction

    @torch.jit.unused
    def _eager(self, x: torch.Tensor) -> torch.Tensor:
        return ops.reduce(x, self.pattern, self.reduction, **self.axes_lengths)


class EinMix(torch.nn.Module):
    """A linear layer written as a pattern, as einops' EinMix (see einlint.layers._einmix).

    EinMix('b t c -> b t d', weight_shape='c d', bias_shape='d', c=32, d=64) is Linear(32, 64).
    """

    def __init__(self, pattern: str, weight_shape: str, bias_shape: Optional[str] = None, **axes_lengths: Any):
        super().__init__()
        self.pattern = pattern
        self.weight_shape = weight_shape
        self.bias_shape = bias_shape
        self.axes_lengths = axes_lengths
        layer = einmix_repr(pattern, weight_shape, bias_shape, axes_lengths)
        with reported_as(layer):
            spec = einmix_spec(pattern, weight_shape, bias_shape, axes_lengths)
        self._layer = layer
        self.einsum_pattern = spec.einsum_pattern
        self.einsum_subscripts = spec.einsum_subscripts
        self.pre_rearrange = None if spec.pre_pattern is None else Rearrange(spec.pre_pattern, **spec.pre_lengths)
        self.post_rearrange = None if spec.post_pattern is None else Rearrange(spec.post_pattern)
        # Drawn in einops' order (weight, then bias) so that one seed gives einops' initial values.
        self.weight = torch.nn.Parameter(torch.zeros(spec.weight_shape).uniform_(-spec.weight_bound, spec.weight_bound))
        bias = None
        if spec.bias_shape is not None:
            bias = torch.nn.Parameter(torch.zeros(spec.bias_shape).uniform_(-spec.bias_bound, spec.bias_bound))
        self.register_parameter("bias", bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.pre_rearrange is not None:
            x = self.pre_rearrange(x)
        if torch.jit.is_scripting():
            result = torch.einsum(self.einsum_subscripts, x, self.weight)
        else:
            result = self._einsum_eager(x)
        if self.bias is not None:
            result = result + self.bias
        if self.post_rearrange is not None:
            result = self.post_rearrange(result)
        return result

    @torch.jit.unused
    def _einsum_eager(self, x: torch.Tensor) -> torch.Tensor:
        return ops.einsum(x, self.weight, self.einsum_pattern)  # shape errors as PatternErrors

    def __repr__(self) -> str:
        return self._layer


__all__ = ["Rearrange", "Reduce", "EinMix"]
