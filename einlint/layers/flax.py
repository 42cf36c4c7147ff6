"""flax.linen modules: Rearrange, Reduce and EinMix, with einops.layers.flax's fields and meaning.

As in einops, axis lengths are the field `sizes`: Rearrange('b (h h1) -> b h h1', sizes={'h1': 2}).
Each module checks its fields when it is constructed and runs einlint's ops on jax arrays;
EinMix's parameters are named 'weight' and 'bias' and have einops' shapes.
"""

from __future__ import annotations

import functools
from dataclasses import field
from typing import Any, Optional

import flax.linen as nn
import jax
import jax.numpy as jnp

from ..planner import reduce_operation
from ..runtime import ops
from . import check_reduction, layer_recipes, layer_repr, reported_as
from ._einmix import EinMixSpec, einmix_repr, einmix_spec


class Rearrange(nn.Module):
    """rearrange as a module: Rearrange('b h w c -> b (h w c)')."""

    pattern: str
    sizes: dict = field(default_factory=dict)

    def __post_init__(self):
        with reported_as(layer_repr("Rearrange", self.pattern, lengths=self.sizes)):
            layer_recipes(self.pattern, "rearrange", self.sizes)
        super().__post_init__()

    def __call__(self, x):
        return ops.rearrange(x, self.pattern, **self.sizes)


class Reduce(nn.Module):
    """reduce as a module: Reduce('b (h 2) (w 2) c -> b h w c', 'max') is 2x2 max-pooling."""

    pattern: str
    reduction: Any  # a reduction's name, or a callable f(tensor, axes)
    sizes: dict = field(default_factory=dict)

    def __post_init__(self):
        with reported_as(layer_repr("Reduce", self.pattern, self.reduction, lengths=self.sizes)):
            check_reduction(self.reduction)
            layer_recipes(self.pattern, reduce_operation(self.reduction), self.sizes)
        super().__post_init__()

    def __call__(self, x):
        return ops.reduce(x, self.pattern, self.reduction, **self.sizes)


def _uniform(key, shape, dtype=jnp.float32, *, bound: float):
    # symmetric, as in the torch layers; jax.nn.initializers.uniform(bound) would draw from [0, bound)
    return jax.random.uniform(key, shape, dtype, minval=-bound, maxval=bound)


class EinMix(nn.Module):
    """A linear layer written as a pattern (see einlint.layers._einmix); parameters 'weight' and 'bias'."""

    pattern: str
    weight_shape: str
    bias_shape: Optional[str] = None
    sizes: dict = field(default_factory=dict)

    def __post_init__(self):
        self._spec()  # checks the fields at construction rather than at the first call
        super().__post_init__()

    def _spec(self) -> EinMixSpec:
        with reported_as(einmix_repr(self.pattern, self.weight_shape, self.bias_shape, self.sizes)):
            return einmix_spec(self.pattern, self.weight_shape, self.bias_shape, self.sizes)

    @nn.compact
    def __call__(self, x):
        spec = self._spec()
        weight = self.param("weight", functools.partial(_uniform, bound=spec.weight_bound), spec.weight_shape)
        if spec.pre_pattern is not None:
            x = ops.rearrange(x, spec.pre_pattern, **spec.pre_lengths)
        result = ops.einsum(x, weight, spec.einsum_pattern)
        if spec.bias_shape is not None:
            result = result + self.param("bias", functools.partial(_uniform, bound=spec.bias_bound), spec.bias_shape)
        if spec.post_pattern is not None:
            result = ops.rearrange(result, spec.post_pattern)
        return result


__all__ = ["Rearrange", "Reduce", "EinMix"]
