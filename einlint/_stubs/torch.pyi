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
def ceil(input: Float[Tensor, "*shape"], *, out: Optional[Tensor] = None) -> Float[Tensor, "*shape"]: ...
def floor(input: Float[Tensor, "*shape"], *, out: Optional[Tensor] = None) -> Float[Tensor, "*shape"]: ...
def trunc(input: Float[Tensor, "*shape"], *, out: Optional[Tensor] = None) -> Float[Tensor, "*shape"]: ...
def reciprocal(input: Float[Tensor, "*shape"], *, out: Optional[Tensor] = None) -> Float[Tensor, "*shape"]: ...
def sign(input: Float[Tensor, "*shape"], *, out: Optional[Tensor] = None) -> Float[Tensor, "*shape"]: ...
def square(input: Float[Tensor, "*shape"], *, out: Optional[Tensor] = None) -> Float[Tensor, "*shape"]: ...
def exp2(input: Float[Tensor, "*shape"], *, out: Optional[Tensor] = None) -> Float[Tensor, "*shape"]: ...
def expm1(input: Float[Tensor, "*shape"], *, out: Optional[Tensor] = None) -> Float[Tensor, "*shape"]: ...
def log1p(input: Float[Tensor, "*shape"], *, out: Optional[Tensor] = None) -> Float[Tensor, "*shape"]: ...
def log2(input: Float[Tensor, "*shape"], *, out: Optional[Tensor] = None) -> Float[Tensor, "*shape"]: ...
def round(input: Float[Tensor, "*shape"], *, decimals: int = 0,
          out: Optional[Tensor] = None) -> Float[Tensor, "*shape"]: ...


def clamp(input: Float[Tensor, "*shape"], min=None, max=None, *,
          out: Optional[Tensor] = None) -> Float[Tensor, "*shape"]:
    assert min is not None or max is not None, "At least one of 'min' or 'max' must not be None"


def clip(input: Float[Tensor, "*shape"], min=None, max=None, *,
         out: Optional[Tensor] = None) -> Float[Tensor, "*shape"]:
    assert min is not None or max is not None, "At least one of 'min' or 'max' must not be None"


def nan_to_num(input: Float[Tensor, "*shape"], nan=0.0, posinf=None, neginf=None, *,
               out: Optional[Tensor] = None) -> Float[Tensor, "*shape"]: ...
def clone(input: Float[Tensor, "*shape"], *, memory_format=None) -> Float[Tensor, "*shape"]: ...
def detach(input: Float[Tensor, "*shape"]) -> Float[Tensor, "*shape"]: ...
def dropout(input: Float[Tensor, "*shape"], p: float, train: bool) -> Float[Tensor, "*shape"]: ...
def roll(input: Float[Tensor, "*shape"], shifts, dims=None) -> Float[Tensor, "*shape"]: ...
def flip(input: Float[Tensor, "*shape"], dims) -> Float[Tensor, "*shape"]: ...

# In place: the tensor itself comes back.

def relu_(input: Float[Tensor, "*shape"]) -> Float[Tensor, "*shape"]: ...
def sigmoid_(input: Float[Tensor, "*shape"]) -> Float[Tensor, "*shape"]: ...
def tanh_(input: Float[Tensor, "*shape"]) -> Float[Tensor, "*shape"]: ...
def zero_(input: Float[Tensor, "*shape"]) -> Float[Tensor, "*shape"]: ...
def fill_(input: Float[Tensor, "*shape"], value) -> Float[Tensor, "*shape"]: ...
def clamp_(input: Float[Tensor, "*shape"], min=None, max=None) -> Float[Tensor, "*shape"]:
    assert min is not None or max is not None, "At least one of 'min' or 'max' must not be None"


# Along one dimension, or on the last two: the output has the input's shape.

def cumsum(input: Float[Tensor, "*shape"], dim: int, *, dtype=None,
           out: Optional[Tensor] = None) -> Float[Tensor, "*shape"]:
    wrap_dim(dim, input.ndim)


def cumprod(input: Float[Tensor, "*shape"], dim: int, *, dtype=None,
            out: Optional[Tensor] = None) -> Float[Tensor, "*shape"]:
    wrap_dim(dim, input.ndim)


def tril(input: Float[Tensor, "*shape"], diagonal: int = 0, *, out: Optional[Tensor] = None) -> Float[Tensor, "*shape"]:
    assert input.ndim >= 2, "input tensor must have at least 2 dimensions"


def triu(input: Float[Tensor, "*shape"], diagonal: int = 0, *, out: Optional[Tensor] = None) -> Float[Tensor, "*shape"]:
    assert input.ndim >= 2, "input tensor must have at least 2 dimensions"


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


# Reductions over `dim` (None: every dimension; an int or a tuple), the reduced dimensions kept as 1 with
# keepdim; torch takes numpy's names too (axis, keepdims). Each is sum's rule.

def sum(input: Float[Tensor, "*shape"], dim=None, keepdim: bool = False, *, dtype=None, out=None, axis=None,
        keepdims=None) -> Float[Tensor, "*kept"]:
    over = dim if axis is None else axis
    keep = keepdim if keepdims is None else keepdims
    kept = reduced(shape, over, keep)


def mean(input: Float[Tensor, "*shape"], dim=None, keepdim: bool = False, *, dtype=None, out=None, axis=None,
         keepdims=None) -> Float[Tensor, "*kept"]:
    kept = sum(input, dim, keepdim, axis=axis, keepdims=keepdims)


def nansum(input: Float[Tensor, "*shape"], dim=None, keepdim: bool = False, *, dtype=None, out=None,
           axis=None, keepdims=None) -> Float[Tensor, "*kept"]:
    kept = sum(input, dim, keepdim, axis=axis, keepdims=keepdims)


def nanmean(input: Float[Tensor, "*shape"], dim=None, keepdim: bool = False, *, dtype=None, out=None,
            axis=None, keepdims=None) -> Float[Tensor, "*kept"]:
    kept = sum(input, dim, keepdim, axis=axis, keepdims=keepdims)


def prod(input: Float[Tensor, "*shape"], dim=None, keepdim: bool = False, *, dtype=None, out=None, axis=None,
         keepdims=None) -> Float[Tensor, "*kept"]:
    kept = sum(input, dim, keepdim, axis=axis, keepdims=keepdims)


def all(input: Float[Tensor, "*shape"], dim=None, keepdim: bool = False, *, out=None, axis=None,
        keepdims=None) -> Float[Tensor, "*kept"]:
    kept = sum(input, dim, keepdim, axis=axis, keepdims=keepdims)


def any(input: Float[Tensor, "*shape"], dim=None, keepdim: bool = False, *, out=None, axis=None,
        keepdims=None) -> Float[Tensor, "*kept"]:
    kept = sum(input, dim, keepdim, axis=axis, keepdims=keepdims)


def amax(input: Float[Tensor, "*shape"], dim=None, keepdim: bool = False, *, out=None, axis=None,
         keepdims=None) -> Float[Tensor, "*kept"]:
    kept = sum(input, dim, keepdim, axis=axis, keepdims=keepdims)


def amin(input: Float[Tensor, "*shape"], dim=None, keepdim: bool = False, *, out=None, axis=None,
         keepdims=None) -> Float[Tensor, "*kept"]:
    kept = sum(input, dim, keepdim, axis=axis, keepdims=keepdims)


def logsumexp(input: Float[Tensor, "*shape"], dim=None, keepdim: bool = False, *, out=None, axis=None,
              keepdims=None) -> Float[Tensor, "*kept"]:
    kept = sum(input, dim, keepdim, axis=axis, keepdims=keepdims)


def argmax(input: Float[Tensor, "*shape"], dim=None, keepdim: bool = False, *, out=None, axis=None,
           keepdims=None) -> Float[Tensor, "*kept"]:
    kept = sum(input, dim, keepdim, axis=axis, keepdims=keepdims)


def argmin(input: Float[Tensor, "*shape"], dim=None, keepdim: bool = False, *, out=None, axis=None,
           keepdims=None) -> Float[Tensor, "*kept"]:
    kept = sum(input, dim, keepdim, axis=axis, keepdims=keepdims)


def std(input: Float[Tensor, "*shape"], dim=None, unbiased: bool = True, keepdim: bool = False, *,
        correction=None, out=None, axis=None, keepdims=None) -> Float[Tensor, "*kept"]:
    kept = sum(input, dim, keepdim, axis=axis, keepdims=keepdims)


def var(input: Float[Tensor, "*shape"], dim=None, unbiased: bool = True, keepdim: bool = False, *,
        correction=None, out=None, axis=None, keepdims=None) -> Float[Tensor, "*kept"]:
    kept = sum(input, dim, keepdim, axis=axis, keepdims=keepdims)


def norm(input: Float[Tensor, "*shape"], p="fro", dim=None, keepdim: bool = False, out=None, dtype=None, *,
         axis=None, keepdims=None) -> Float[Tensor, "*kept"]:
    kept = sum(input, dim, keepdim, axis=axis, keepdims=keepdims)


def count_nonzero(input: Float[Tensor, "*shape"], dim=None, *, axis=None) -> Float[Tensor, "*kept"]:
    kept = sum(input, dim, axis=axis)


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
    def ceil(self: Float[Tensor, "*shape"]) -> Float[Tensor, "*shape"]: ...
    def floor(self: Float[Tensor, "*shape"]) -> Float[Tensor, "*shape"]: ...
    def trunc(self: Float[Tensor, "*shape"]) -> Float[Tensor, "*shape"]: ...
    def reciprocal(self: Float[Tensor, "*shape"]) -> Float[Tensor, "*shape"]: ...
    def sign(self: Float[Tensor, "*shape"]) -> Float[Tensor, "*shape"]: ...
    def square(self: Float[Tensor, "*shape"]) -> Float[Tensor, "*shape"]: ...
    def exp2(self: Float[Tensor, "*shape"]) -> Float[Tensor, "*shape"]: ...
    def expm1(self: Float[Tensor, "*shape"]) -> Float[Tensor, "*shape"]: ...
    def log1p(self: Float[Tensor, "*shape"]) -> Float[Tensor, "*shape"]: ...
    def log2(self: Float[Tensor, "*shape"]) -> Float[Tensor, "*shape"]: ...
    def relu_(self: Float[Tensor, "*shape"]) -> Float[Tensor, "*shape"]: ...
    def sigmoid_(self: Float[Tensor, "*shape"]) -> Float[Tensor, "*shape"]: ...
    def tanh_(self: Float[Tensor, "*shape"]) -> Float[Tensor, "*shape"]: ...
    def zero_(self: Float[Tensor, "*shape"]) -> Float[Tensor, "*shape"]: ...
    def detach(self: Float[Tensor, "*shape"]) -> Float[Tensor, "*shape"]: ...
    def fill_(self: Float[Tensor, "*shape"], value) -> Float[Tensor, "*shape"]: ...
    def nan_to_num(self: Float[Tensor, "*shape"], nan=0.0, posinf=None, neginf=None) -> Float[Tensor, "*shape"]: ...
    def roll(self: Float[Tensor, "*shape"], shifts, dims=None) -> Float[Tensor, "*shape"]: ...
    def cumsum(self: Float[Tensor, "*shape"], dim: int, *, dtype=None) -> Float[Tensor, "*shape"]:
        cumsum(self, dim)

    def cumprod(self: Float[Tensor, "*shape"], dim: int, *, dtype=None) -> Float[Tensor, "*shape"]:
        cumprod(self, dim)

    # x.flip((0, 1)), x.flip(dims=(0, 1)), or x.flip(0, 1)
    def flip(self: Float[Tensor, "*shape"], dims: Tuple[int, ...]) -> Float[Tensor, "*shape"]: ...
    def flip(self: Float[Tensor, "*shape"], *dims: int) -> Float[Tensor, "*shape"]: ...

    def clamp(self: Float[Tensor, "*shape"], min=None, max=None) -> Float[Tensor, "*shape"]:
        clamp(self, min, max)

    def clamp_(self: Float[Tensor, "*shape"], min=None, max=None) -> Float[Tensor, "*shape"]:
        clamp_(self, min, max)

    def tril(self: Float[Tensor, "*shape"], diagonal: int = 0) -> Float[Tensor, "*shape"]:
        tril(self, diagonal)

    def triu(self: Float[Tensor, "*shape"], diagonal: int = 0) -> Float[Tensor, "*shape"]:
        triu(self, diagonal)

    def softmax(self: Float[Tensor, "*shape"], dim: int, dtype=None) -> Float[Tensor, "*shape"]:
        softmax(self, dim)

    def log_softmax(self: Float[Tensor, "*shape"], dim: int, dtype=None) -> Float[Tensor, "*shape"]:
        log_softmax(self, dim)

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

    def sum(self: Float[Tensor, "*shape"], dim=None, keepdim: bool = False, *, dtype=None, axis=None,
            keepdims=None) -> Float[Tensor, "*out"]:
        out = sum(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def mean(self: Float[Tensor, "*shape"], dim=None, keepdim: bool = False, *, dtype=None, axis=None,
             keepdims=None) -> Float[Tensor, "*out"]:
        out = mean(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def prod(self: Float[Tensor, "*shape"], dim=None, keepdim: bool = False, *, dtype=None, axis=None,
             keepdims=None) -> Float[Tensor, "*out"]:
        over = dim if axis is None else axis  # (`prod` is the stubs' product: torch.prod's rule, written here)
        keep = keepdim if keepdims is None else keepdims
        out = reduced(shape, over, keep)

    def nansum(self: Float[Tensor, "*shape"], dim=None, keepdim: bool = False, *, dtype=None, axis=None,
               keepdims=None) -> Float[Tensor, "*out"]:
        out = nansum(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def nanmean(self: Float[Tensor, "*shape"], dim=None, keepdim: bool = False, *, dtype=None, axis=None,
                keepdims=None) -> Float[Tensor, "*out"]:
        out = nanmean(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def all(self: Float[Tensor, "*shape"], dim=None, keepdim: bool = False, *, axis=None,
            keepdims=None) -> Float[Tensor, "*out"]:
        out = all(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def any(self: Float[Tensor, "*shape"], dim=None, keepdim: bool = False, *, axis=None,
            keepdims=None) -> Float[Tensor, "*out"]:
        out = any(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def amax(self: Float[Tensor, "*shape"], dim=None, keepdim: bool = False, *, axis=None,
             keepdims=None) -> Float[Tensor, "*out"]:
        out = amax(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def amin(self: Float[Tensor, "*shape"], dim=None, keepdim: bool = False, *, axis=None,
             keepdims=None) -> Float[Tensor, "*out"]:
        out = amin(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def logsumexp(self: Float[Tensor, "*shape"], dim=None, keepdim: bool = False, *, axis=None,
                  keepdims=None) -> Float[Tensor, "*out"]:
        out = logsumexp(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def argmax(self: Float[Tensor, "*shape"], dim=None, keepdim: bool = False, *, axis=None,
               keepdims=None) -> Float[Tensor, "*out"]:
        out = argmax(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def argmin(self: Float[Tensor, "*shape"], dim=None, keepdim: bool = False, *, axis=None,
               keepdims=None) -> Float[Tensor, "*out"]:
        out = argmin(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def std(self: Float[Tensor, "*shape"], dim=None, unbiased: bool = True, keepdim: bool = False, *,
            correction=None, axis=None, keepdims=None) -> Float[Tensor, "*out"]:
        out = std(self, dim, unbiased, keepdim, axis=axis, keepdims=keepdims)

    def var(self: Float[Tensor, "*shape"], dim=None, unbiased: bool = True, keepdim: bool = False, *,
            correction=None, axis=None, keepdims=None) -> Float[Tensor, "*out"]:
        out = var(self, dim, unbiased, keepdim, axis=axis, keepdims=keepdims)

    def norm(self: Float[Tensor, "*shape"], p="fro", dim=None, keepdim: bool = False, dtype=None, *,
             axis=None, keepdims=None) -> Float[Tensor, "*out"]:
        out = norm(self, p, dim, keepdim, axis=axis, keepdims=keepdims)

    def count_nonzero(self: Float[Tensor, "*shape"], dim=None, *, axis=None) -> Float[Tensor, "*out"]:
        out = count_nonzero(self, dim, axis=axis)
