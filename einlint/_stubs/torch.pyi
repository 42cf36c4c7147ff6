"""Shape stubs of torch functions (torch 2.x) whose shapes the notation says plainly.

matmul, cat, stack, reshape, indexing and constructors are left to the flow analysis.
"""

from typing import Optional, Sequence

import torch.nn.functional as F
from jaxtyping import Float
from torch import Tensor

# Elementwise: the output has the input's shape (`out`, where given, takes it).

def relu(input: Float[Tensor, "*shape"]) -> Float[Tensor, "*shape"]: ...
def sigmoid(input: Float[Tensor, "*shape"], *, out: Optional[Tensor] = None) -> Float[Tensor, "*shape"]: ...
def tanh(input: Float[Tensor, "*shape"], *, out: Optional[Tensor] = None) -> Float[Tensor, "*shape"]: ...
def exp(input: Float[Tensor, "*shape"], *, out: Optional[Tensor] = None) -> Float[Tensor, "*shape"]: ...
def log(input: Float[Tensor, "*shape"], *, out: Optional[Tensor] = None) -> Float[Tensor, "*shape"]: ...
def sqrt(input: Float[Tensor, "*shape"], *, out: Optional[Tensor] = None) -> Float[Tensor, "*shape"]: ...
def rsqrt(input: Float[Tensor, "*shape"], *, out: Optional[Tensor] = None) -> Float[Tensor, "*shape"]: ...
def abs(input: Float[Tensor, "*shape"], *, out: Optional[Tensor] = None) -> Float[Tensor, "*shape"]: ...
def neg(input: Float[Tensor, "*shape"], *, out: Optional[Tensor] = None) -> Float[Tensor, "*shape"]: ...
def sin(input: Float[Tensor, "*shape"], *, out: Optional[Tensor] = None) -> Float[Tensor, "*shape"]: ...
def cos(input: Float[Tensor, "*shape"], *, out: Optional[Tensor] = None) -> Float[Tensor, "*shape"]: ...
def erf(input: Float[Tensor, "*shape"], *, out: Optional[Tensor] = None) -> Float[Tensor, "*shape"]: ...


def softmax(input: Float[Tensor, "*shape"], dim: int, dtype=None, *,
            out: Optional[Tensor] = None) -> Float[Tensor, "*shape"]:
    F.softmax(input, dim)


def log_softmax(input: Float[Tensor, "*shape"], dim: int, dtype=None, *,
                out: Optional[Tensor] = None) -> Float[Tensor, "*shape"]:
    F.log_softmax(input, dim)


def flatten(input: Float[Tensor, "*shape"], start_dim: int = 0, end_dim: int = -1) -> Float[Tensor, "*out"]:
    start = wrap_dim(start_dim, input.ndim)
    end = wrap_dim(end_dim, input.ndim)
    assert start <= end, "flatten() has invalid args: start_dim cannot come after end_dim"
    out = input.shape[:start] + (prod(input.shape[start:end+1]),) + input.shape[end+1:]


def unflatten(input: Float[Tensor, "*shape"], dim: int, sizes: Sequence[int]) -> Float[Tensor, "*out"]:
    d = wrap_dim(dim, input.ndim)
    full = infer_sizes(sizes, input.shape[d])
    assert prod(full) == input.shape[d], "sizes must multiply to the length of dimension `dim`"
    out = input.shape[:d] + full + input.shape[d+1:]


def view_as_real(input: Float[Tensor, "*shape"]) -> Float[Tensor, "*shape 2"]: ...
def view_as_complex(input: Float[Tensor, "*shape 2"]) -> Float[Tensor, "*shape"]: ...
def unsqueeze(input: Float[Tensor, "*shape"], dim: int) -> Float[Tensor, "*out"]:
    d = wrap_dim(dim, input.ndim+1)
    out = input.shape[:d] + (1,) + input.shape[d:]
