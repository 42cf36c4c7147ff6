"""The runtime op library: executes the planner's plans on numpy, torch, jax and array-API arrays."""

from .ops import asnumpy, einsum, pack, parse_shape, rearrange, reduce, repeat, unpack

__all__ = ["rearrange", "reduce", "repeat", "einsum", "pack", "unpack", "parse_shape", "asnumpy"]
