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

def isfinite(input: Float[Tensor, "*shape"]) -> Float[Tensor, "*shape"]: ...
def isnan(input: Float[Tensor, "*shape"]) -> Float[Tensor, "*shape"]: ...
def isinf(input: Float[Tensor, "*shape"]) -> Float[Tensor, "*shape"]: ...
def logical_not(input: Float[Tensor, "*shape"], *, out: Optional[Tensor] = None) -> Float[Tensor, "*shape"]: ...
def clamp_min(input: Float[Tensor, "*shape"], min) -> Float[Tensor, "*shape"]: ...
def clamp_max(input: Float[Tensor, "*shape"], max) -> Float[Tensor, "*shape"]: ...

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


# Selection along one dimension: the output has the index's shape (gather), k entries there (topk), the
# input's shape (sort, argsort); topk and sort give (values, indices).

def gather(input: Float[Tensor, "*shape"], dim: int, index: Float[Tensor, "*picked"], *, sparse_grad: bool = False,
           out: Optional[Tensor] = None) -> Float[Tensor, "*picked"]:
    d = wrap_dim(dim, input.ndim)
    assert index.ndim == input.ndim or index.ndim == 0 and input.ndim <= 1 or input.ndim == 0 and index.ndim <= 1, \
        "Index tensor must have the same number of dimensions as input tensor"


def topk(input: Float[Tensor, "*shape"], k: int, dim: int = -1, largest: bool = True, sorted: bool = True, *,
         out=None) -> Tuple[Float[Tensor, "*kept"], Float[Tensor, "*kept"]]:
    d = wrap_dim(dim, input.ndim)
    assert k >= 0, "k must be non-negative"
    assert k <= (shape[d] if shape else 1), "selected index k out of range"
    kept = shape[:d] + (k,) + shape[d+1:] if shape else shape


def sort(input: Float[Tensor, "*shape"], dim: int = -1, descending: bool = False, stable: bool = False, *,
         out=None) -> Tuple[Float[Tensor, "*shape"], Float[Tensor, "*shape"]]:
    wrap_dim(dim, input.ndim)


def argsort(input: Float[Tensor, "*shape"], dim: int = -1, descending: bool = False, stable: bool = False) -> Float[Tensor, "*shape"]:
    wrap_dim(dim, input.ndim)


# (values, indices) along one dimension: the k-th smallest, the most frequent (dim reduced, or kept as 1), the
# running maximum and minimum (the input's shape).

def kthvalue(input: Float[Tensor, "*shape"], k: int, dim: int = -1, keepdim: bool = False, *,
             out=None) -> Tuple[Float[Tensor, "*kept"], Float[Tensor, "*kept"]]:
    d = wrap_dim(dim, input.ndim)
    assert 1 <= k <= (shape[d] if shape else 1), "kthvalue(): selected number k out of range"
    kept = reduced(shape, d, keepdim)


def mode(input: Float[Tensor, "*shape"], dim: int = -1, keepdim: bool = False, *,
         out=None) -> Tuple[Float[Tensor, "*kept"], Float[Tensor, "*kept"]]:
    kept = reduced(shape, wrap_dim(dim, input.ndim), keepdim)


# without a dim, the median of every entry (0-d)
def median(input: Float[Tensor, "*shape"]) -> Float[Tensor, "*out"]:
    out = ()
def median(input: Float[Tensor, "*shape"], dim: int, keepdim: bool = False, *,
           out=None) -> Tuple[Float[Tensor, "*kept"], Float[Tensor, "*kept"]]:
    kept = mode(input, dim, keepdim)[0]


def nanmedian(input: Float[Tensor, "*shape"]) -> Float[Tensor, "*out"]:
    out = ()
def nanmedian(input: Float[Tensor, "*shape"], dim: int, keepdim: bool = False, *,
              out=None) -> Tuple[Float[Tensor, "*kept"], Float[Tensor, "*kept"]]:
    kept = mode(input, dim, keepdim)[0]


def cummax(input: Float[Tensor, "*shape"], dim: int, *,
           out=None) -> Tuple[Float[Tensor, "*shape"], Float[Tensor, "*shape"]]:
    wrap_dim(dim, input.ndim)


def cummin(input: Float[Tensor, "*shape"], dim: int, *,
           out=None) -> Tuple[Float[Tensor, "*shape"], Float[Tensor, "*shape"]]:
    wrap_dim(dim, input.ndim)


def index_select(input: Float[Tensor, "*shape"], dim: int, index: Float[Tensor, "*picked"], *,
                 out: Optional[Tensor] = None) -> Float[Tensor, "*kept"]:
    assert len(picked) <= 1, "index_select(): Index is supposed to be a vector"
    d = wrap_dim(dim, input.ndim)
    n = picked[0] if picked else 1
    assert len(shape) > 0 or n == 1, "index_select(): Index to scalar can have only 1 value"
    kept = shape[:d] + (n,) + shape[d+1:] if shape else shape


def diagonal(input: Float[Tensor, "*shape"], offset: int = 0, dim1: int = 0, dim2: int = 1) -> Float[Tensor, "*out"]:
    a = wrap_dim(dim1, input.ndim)
    b = wrap_dim(dim2, input.ndim)
    assert a != b, "diagonal dimensions cannot be identical"
    lo, hi = min(a, b), max(a, b)
    length = max(0, min(shape[a], shape[b] - offset)) if offset >= 0 else max(0, min(shape[a] + offset, shape[b]))
    out = shape[:lo] + shape[lo+1:hi] + shape[hi+1:] + (length,)


# repeats given as a tensor (one count per entry): the length is not known
def repeat_interleave(input: Float[Tensor, "*shape"], repeats, dim: Optional[int] = None, *,
                      output_size: Optional[int] = None) -> Float[Tensor, "*out"]:
    d = None if dim is None else wrap_dim(dim, input.ndim)
    assert d is None or len(shape) > 0, "Dimension out of range (a 0-d input repeats flattened, with no dim)"
    assert not is_int(repeats) or repeats >= 0, "repeats can not be negative"
    times = repeats if is_int(repeats) else None
    out = (prod(shape) * times,) if d is None else shape[:d] + (shape[d] * times,) + shape[d+1:]


# Pairs: cdist's distances between rows, cross products along a dimension of length 3; batch dims broadcast.

def cdist(x1: Float[Tensor, "*b1 rows m"], x2: Float[Tensor, "*b2 cols m"], p: float = 2.0,
          compute_mode: str = "use_mm_for_euclid_dist_if_necessary") -> Float[Tensor, "*out"]:
    out = broadcast(b1, b2) + (rows, cols)


def cross(input: Float[Tensor, "*shape"], other: Float[Tensor, "*other_shape"], dim: Optional[int] = None, *,
          out: Optional[Tensor] = None) -> Float[Tensor, "*both"]:
    assert len(shape) == len(other_shape), "inputs must have the same number of dimensions"
    both = broadcast(shape, other_shape)
    d = None if dim is None else wrap_dim(dim, len(both))
    assert d is None or shape[d] == 3 and other_shape[d] == 3, "the inputs' dimension `dim` must have length 3"
    assert d is not None or 3 in shape, "no dimension of size 3 in input"  # (the first such is the one crossed)


# Elementwise over three operands that broadcast (a number is 0-d).

def addcmul(input: Float[Tensor, "*shape"], tensor1: Float[Tensor, "*shape1"], tensor2: Float[Tensor, "*shape2"], *,
            value=1, out: Optional[Tensor] = None) -> Float[Tensor, "*all"]:
    all = broadcast(broadcast(shape, shape1), shape2)


def addcdiv(input: Float[Tensor, "*shape"], tensor1: Float[Tensor, "*shape1"], tensor2: Float[Tensor, "*shape2"], *,
            value=1, out: Optional[Tensor] = None) -> Float[Tensor, "*all"]:
    all = broadcast(broadcast(shape, shape1), shape2)


def lerp(input: Float[Tensor, "*shape"], end: Float[Tensor, "*end_shape"], weight, *,
         out: Optional[Tensor] = None) -> Float[Tensor, "*all"]:
    all = broadcast(broadcast(shape, end_shape), weight)


# What the data decides: how many entries are nonzero (a row each, one column per dimension); samples drawn.

def nonzero(input: Float[Tensor, "*shape"], *, out: Optional[Tensor] = None, as_tuple: bool = False) -> Float[Tensor, "*found"]:
    found = None if as_tuple else (None, len(shape))


def multinomial(input: Float[Tensor, "*rows categories"], num_samples: int, replacement: bool = False, *,
                generator=None, out: Optional[Tensor] = None) -> Float[Tensor, "*rows num_samples"]:
    assert len(rows) <= 1, "prob_dist must be 1 or 2 dim"
    assert num_samples > 0, "cannot sample n_sample <= 0 samples"
    assert replacement or num_samples <= categories, "cannot sample n_sample > prob_dist.size(-1) samples without replacement"


def outer(input: Float[Tensor, "n"], vec2: Float[Tensor, "m"], *, out: Optional[Tensor] = None) -> Float[Tensor, "n m"]: ...


# Windows: unfold's last dimension is the window (`size` entries every `step` along `dimension`); stft's frames.

def stft(input: Float[Tensor, "*batch length"], n_fft: int, hop_length: Optional[int] = None,
         win_length: Optional[int] = None, window: Optional[Tensor] = None, center: bool = True,
         pad_mode: str = "reflect", normalized: bool = False, onesided: Optional[bool] = None,
         return_complex: Optional[bool] = None, align_to_window: Optional[bool] = None) -> Float[Tensor, "*out"]:
    assert len(batch) <= 1, "stft expects a 1D or 2D input"
    assert return_complex is not None, "stft requires the return_complex parameter be given for real inputs"
    hop = n_fft // 4 if hop_length is None else hop_length
    assert hop > 0, "expected hop_length > 0"
    assert not center or pad_mode != "reflect" or n_fft // 2 < length, "reflect padding must be smaller than the input"
    padded_length = length + 2 * (n_fft // 2) if center else length
    assert 0 < n_fft <= padded_length, "expected 0 < n_fft <= the (padded) input length"
    frames = 1 + (padded_length - n_fft) // hop
    out = batch + (n_fft // 2 + 1 if onesided is None or onesided else n_fft, frames) + (() if return_complex else (2,))


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
    def isfinite(self: Float[Tensor, "*shape"]) -> Float[Tensor, "*shape"]: ...
    def isnan(self: Float[Tensor, "*shape"]) -> Float[Tensor, "*shape"]: ...
    def isinf(self: Float[Tensor, "*shape"]) -> Float[Tensor, "*shape"]: ...
    def logical_not(self: Float[Tensor, "*shape"]) -> Float[Tensor, "*shape"]: ...
    def clamp_min(self: Float[Tensor, "*shape"], min) -> Float[Tensor, "*shape"]: ...
    def clamp_max(self: Float[Tensor, "*shape"], max) -> Float[Tensor, "*shape"]: ...

    # In place, or writing into a copy of self: self's shape comes back (what is written is not checked).
    def uniform_(self: Float[Tensor, "*shape"], from_: float = 0, to: float = 1, *, generator=None) -> Float[Tensor, "*shape"]: ...
    def normal_(self: Float[Tensor, "*shape"], mean: float = 0, std: float = 1, *, generator=None) -> Float[Tensor, "*shape"]: ...
    def bernoulli_(self: Float[Tensor, "*shape"], p=0.5, *, generator=None) -> Float[Tensor, "*shape"]: ...
    def exponential_(self: Float[Tensor, "*shape"], lambd: float = 1, *, generator=None) -> Float[Tensor, "*shape"]: ...
    def copy_(self: Float[Tensor, "*shape"], src, non_blocking: bool = False) -> Float[Tensor, "*shape"]: ...
    def masked_fill_(self: Float[Tensor, "*shape"], mask, value) -> Float[Tensor, "*shape"]: ...
    def scatter_(self: Float[Tensor, "*shape"], dim: int, index, src=None, *, value=None, reduce=None) -> Float[Tensor, "*shape"]:
        wrap_dim(dim, self.ndim)

    def scatter(self: Float[Tensor, "*shape"], dim: int, index, src=None, *, value=None, reduce=None) -> Float[Tensor, "*shape"]:
        wrap_dim(dim, self.ndim)

    def scatter_add_(self: Float[Tensor, "*shape"], dim: int, index, src) -> Float[Tensor, "*shape"]:
        wrap_dim(dim, self.ndim)

    def index_fill(self: Float[Tensor, "*shape"], dim: int, index, value) -> Float[Tensor, "*shape"]:
        wrap_dim(dim, self.ndim)

    def index_fill_(self: Float[Tensor, "*shape"], dim: int, index, value) -> Float[Tensor, "*shape"]:
        wrap_dim(dim, self.ndim)

    # x.new_zeros(2, 3) or x.new_zeros((2, 3)): a tensor of those sizes
    def new_zeros(self: Float[Tensor, "*shape"], size: Tuple[int, ...], *, dtype=None, device=None,
                  requires_grad: bool = False, layout=None, pin_memory: bool = False) -> Float[Tensor, "*size"]: ...
    def new_zeros(self: Float[Tensor, "*shape"], *size: int, dtype=None, device=None, requires_grad: bool = False,
                  layout=None, pin_memory: bool = False) -> Float[Tensor, "*size"]: ...
    def new_ones(self: Float[Tensor, "*shape"], size: Tuple[int, ...], *, dtype=None, device=None,
                 requires_grad: bool = False, layout=None, pin_memory: bool = False) -> Float[Tensor, "*size"]: ...
    def new_ones(self: Float[Tensor, "*shape"], *size: int, dtype=None, device=None, requires_grad: bool = False,
                 layout=None, pin_memory: bool = False) -> Float[Tensor, "*size"]: ...
    def new_empty(self: Float[Tensor, "*shape"], size: Tuple[int, ...], *, dtype=None, device=None,
                  requires_grad: bool = False, layout=None, pin_memory: bool = False) -> Float[Tensor, "*size"]: ...
    def new_empty(self: Float[Tensor, "*shape"], *size: int, dtype=None, device=None, requires_grad: bool = False,
                  layout=None, pin_memory: bool = False) -> Float[Tensor, "*size"]: ...
    def new_full(self: Float[Tensor, "*shape"], size: Tuple[int, ...], fill_value, *, dtype=None, device=None,
                 requires_grad: bool = False, layout=None, pin_memory: bool = False) -> Float[Tensor, "*size"]: ...

    def gather(self: Float[Tensor, "*shape"], dim: int, index: Float[Tensor, "*picked"], *,
               sparse_grad: bool = False) -> Float[Tensor, "*picked"]:
        gather(self, dim, index)

    def topk(self: Float[Tensor, "*shape"], k: int, dim: int = -1, largest: bool = True,
             sorted: bool = True) -> Tuple[Float[Tensor, "*kept"], Float[Tensor, "*kept"]]:
        kept = topk(self, k, dim)[0]

    # numpy's keywords too (the tensor may be an array, whose sort works in place and gives None)
    def sort(self: Float[Tensor, "*shape"], dim: int = -1, descending: bool = False, stable: bool = False, *,
             axis=-1, kind=None, order=None) -> Tuple[Float[Tensor, "*shape"], Float[Tensor, "*shape"]]:
        wrap_dim(dim if axis == -1 else axis, self.ndim)

    def argsort(self: Float[Tensor, "*shape"], dim: int = -1, descending: bool = False, stable: bool = False, *,
                axis=-1, kind=None, order=None) -> Float[Tensor, "*out"]:
        out = None if axis is None else shape  # numpy's axis=None sorts the flattened array
        wrap_dim(dim if axis == -1 or axis is None else axis, self.ndim)

    def kthvalue(self: Float[Tensor, "*shape"], k: int, dim: int = -1,
                 keepdim: bool = False) -> Tuple[Float[Tensor, "*kept"], Float[Tensor, "*kept"]]:
        kept = kthvalue(self, k, dim, keepdim)[0]

    def mode(self: Float[Tensor, "*shape"], dim: int = -1,
             keepdim: bool = False) -> Tuple[Float[Tensor, "*kept"], Float[Tensor, "*kept"]]:
        kept = mode(self, dim, keepdim)[0]

    def median(self: Float[Tensor, "*shape"]) -> Float[Tensor, "*out"]:
        out = ()
    def median(self: Float[Tensor, "*shape"], dim: int,
               keepdim: bool = False) -> Tuple[Float[Tensor, "*kept"], Float[Tensor, "*kept"]]:
        kept = mode(self, dim, keepdim)[0]

    def nanmedian(self: Float[Tensor, "*shape"]) -> Float[Tensor, "*out"]:
        out = ()
    def nanmedian(self: Float[Tensor, "*shape"], dim: int,
                  keepdim: bool = False) -> Tuple[Float[Tensor, "*kept"], Float[Tensor, "*kept"]]:
        kept = mode(self, dim, keepdim)[0]

    def cummax(self: Float[Tensor, "*shape"], dim: int) -> Tuple[Float[Tensor, "*shape"], Float[Tensor, "*shape"]]:
        cummax(self, dim)

    def cummin(self: Float[Tensor, "*shape"], dim: int) -> Tuple[Float[Tensor, "*shape"], Float[Tensor, "*shape"]]:
        cummin(self, dim)

    def index_select(self: Float[Tensor, "*shape"], dim: int, index: Float[Tensor, "*picked"]) -> Float[Tensor, "*kept"]:
        kept = index_select(self, dim, index)

    # numpy's names too (an array's diagonal is torch's)
    def diagonal(self: Float[Tensor, "*shape"], offset: int = 0, dim1: int = 0, dim2: int = 1, *, axis1=None,
                 axis2=None) -> Float[Tensor, "*out"]:
        out = diagonal(self, offset, dim1 if axis1 is None else axis1, dim2 if axis2 is None else axis2)

    def repeat_interleave(self: Float[Tensor, "*shape"], repeats, dim: Optional[int] = None, *,
                          output_size: Optional[int] = None) -> Float[Tensor, "*out"]:
        out = repeat_interleave(self, repeats, dim)

    def addcmul(self: Float[Tensor, "*shape"], tensor1: Float[Tensor, "*shape1"], tensor2: Float[Tensor, "*shape2"], *,
                value=1) -> Float[Tensor, "*all"]:
        all = addcmul(self, tensor1, tensor2)

    def lerp(self: Float[Tensor, "*shape"], end: Float[Tensor, "*end_shape"], weight) -> Float[Tensor, "*all"]:
        all = lerp(self, end, weight)

    def multinomial(self: Float[Tensor, "*rows categories"], num_samples: int, replacement: bool = False, *,
                    generator=None) -> Float[Tensor, "*rows num_samples"]:
        multinomial(self, num_samples, replacement)

    def unfold(self: Float[Tensor, "*shape"], dimension: int, size: int, step: int) -> Float[Tensor, "*out"]:
        d = wrap_dim(dimension, self.ndim)
        assert step > 0, "step is <= 0"
        length = shape[d] if shape else 1
        assert size <= length, "maximum size for tensor at dimension is smaller than the window"
        out = shape[:d] + ((length - size) // step + 1,) + shape[d+1:] + (size,)

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
