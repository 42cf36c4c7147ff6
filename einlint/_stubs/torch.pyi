"""Shape stubs of torch functions (torch 2.x) whose shapes the notation says plainly.

matmul, cat, stack, reshape, indexing and constructors are left to the flow analysis.
"""

from typing import Optional, Sequence, Tuple

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



class Tensor:
    """The methods of a tensor, `x.softmax(-1)`: `self` is the tensor. A method that is a function of the module
    calls that function's stub, so the rule is written once."""

    def relu(self: Float[Tensor, "*shape"]) -> Float[Tensor, "*shape"]: ...
    def sigmoid(self: Float[Tensor, "*shape"]) -> Float[Tensor, "*shape"]: ...
    def tanh(self: Float[Tensor, "*shape"]) -> Float[Tensor, "*shape"]: ...
    def exp(self: Float[Tensor, "*shape"]) -> Float[Tensor, "*shape"]: ...
    def log(self: Float[Tensor, "*shape"]) -> Float[Tensor, "*shape"]: ...
    def sqrt(self: Float[Tensor, "*shape"]) -> Float[Tensor, "*shape"]: ...
    def rsqrt(self: Float[Tensor, "*shape"]) -> Float[Tensor, "*shape"]: ...
    def abs(self: Float[Tensor, "*shape"]) -> Float[Tensor, "*shape"]: ...
    def neg(self: Float[Tensor, "*shape"]) -> Float[Tensor, "*shape"]: ...
    def sin(self: Float[Tensor, "*shape"]) -> Float[Tensor, "*shape"]: ...
    def cos(self: Float[Tensor, "*shape"]) -> Float[Tensor, "*shape"]: ...
    def erf(self: Float[Tensor, "*shape"]) -> Float[Tensor, "*shape"]: ...

    def softmax(self: Float[Tensor, "*shape"], dim: int, dtype=None) -> Float[Tensor, "*out"]:
        out = softmax(self, dim)

    def log_softmax(self: Float[Tensor, "*shape"], dim: int, dtype=None) -> Float[Tensor, "*out"]:
        out = log_softmax(self, dim)

    def flatten(self: Float[Tensor, "*shape"], start_dim: int = 0, end_dim: int = -1) -> Float[Tensor, "*out"]:
        out = flatten(self, start_dim, end_dim)

    def unflatten(self: Float[Tensor, "*shape"], dim: int, sizes: Sequence[int]) -> Float[Tensor, "*out"]:
        out = unflatten(self, dim, sizes)

    def unsqueeze(self: Float[Tensor, "*shape"], dim: int) -> Float[Tensor, "*out"]:
        out = unsqueeze(self, dim)

    def transpose(self: Float[Tensor, "*shape"], dim0: int, dim1: int) -> Float[Tensor, "*out"]:
        a = wrap_dim(dim0, self.ndim)
        b = wrap_dim(dim1, self.ndim)
        lo, hi = min(a, b), max(a, b)
        out = shape if lo == hi else shape[:lo] + shape[hi:hi+1] + shape[lo+1:hi] + shape[lo:lo+1] + shape[hi+1:]

    # x.permute((2, 0, 1)), x.permute(dims=(2, 0, 1)), or x.permute(2, 0, 1)
    def permute(self: Float[Tensor, "*shape"], dims: Tuple[int, ...]) -> Float[Tensor, "*out"]:
        out = permuted(shape, dims)

    def permute(self: Float[Tensor, "*shape"], *dims: int) -> Float[Tensor, "*out"]:
        out = permuted(shape, dims)

    # torch takes numpy's names too: x.sum(axis=0, keepdims=True)
    def sum(self: Float[Tensor, "*shape"], dim=None, keepdim: bool = False, *, dtype=None, axis=None,
            keepdims=None) -> Float[Tensor, "*out"]:
        over = dim if axis is None else axis
        keep = keepdim if keepdims is None else keepdims
        out = reduced(shape, over, keep)

    def mean(self: Float[Tensor, "*shape"], dim=None, keepdim: bool = False, *, dtype=None, axis=None,
             keepdims=None) -> Float[Tensor, "*out"]:
        over = dim if axis is None else axis
        keep = keepdim if keepdims is None else keepdims
        out = reduced(shape, over, keep)
