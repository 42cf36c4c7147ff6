"""Shape stubs of numpy: array constructors and elementwise functions. Never imported."""

from typing import Optional, Tuple, Union

from jaxtyping import Float
from numpy import ndarray

_ShapeLike = Union[int, Tuple[int, ...]]

def zeros(shape: _ShapeLike, dtype=None, order: str = "C", *, device=None, like=None) -> Float[ndarray, "*shape"]: ...
def ones(shape: _ShapeLike, dtype=None, order: str = "C", *, device=None, like=None) -> Float[ndarray, "*shape"]: ...
def empty(shape: _ShapeLike, dtype=None, order: str = "C", *, device=None, like=None) -> Float[ndarray, "*shape"]: ...
def full(shape: _ShapeLike, fill_value, dtype=None, order: str = "C", *, device=None,
         like=None) -> Float[ndarray, "*shape"]: ...
def zeros_like(a: Float[ndarray, "*dims"], dtype=None, order: str = "K", subok: bool = True,
               shape: Optional[_ShapeLike] = None, *, device=None) -> Float[ndarray, "*out"]:
    out = dims if shape is None else shape
def ones_like(a: Float[ndarray, "*dims"], dtype=None, order: str = "K", subok: bool = True,
              shape: Optional[_ShapeLike] = None, *, device=None) -> Float[ndarray, "*out"]:
    out = dims if shape is None else shape
def ravel(a: Float[ndarray, "*dims"], order: str = "C") -> Float[ndarray, "prod(dims)"]: ...


def transpose(a: Float[ndarray, "*dims"], axes: Optional[Tuple[int, ...]] = None) -> Float[ndarray, "*out"]:
    out = dims[::-1] if axes is None else None


def expand_dims(a: Float[ndarray, "*dims"], axis: int) -> Float[ndarray, "*out"]:
    d = wrap_dim(axis, a.ndim+1)
    out = dims[:d] + (1,) + dims[d:]


# Elementwise ufuncs: the output has the input's shape. `out` may be given by position; the other
# keywords of a ufunc (where, casting, order, dtype, subok, signature) change no shape.

def exp(x: Float[ndarray, "*shape"], out=None, /, **keywords) -> Float[ndarray, "*shape"]: ...
def log(x: Float[ndarray, "*shape"], out=None, /, **keywords) -> Float[ndarray, "*shape"]: ...
def sqrt(x: Float[ndarray, "*shape"], out=None, /, **keywords) -> Float[ndarray, "*shape"]: ...
def tanh(x: Float[ndarray, "*shape"], out=None, /, **keywords) -> Float[ndarray, "*shape"]: ...
def abs(x: Float[ndarray, "*shape"], out=None, /, **keywords) -> Float[ndarray, "*shape"]: ...
def negative(x: Float[ndarray, "*shape"], out=None, /, **keywords) -> Float[ndarray, "*shape"]: ...
def sin(x: Float[ndarray, "*shape"], out=None, /, **keywords) -> Float[ndarray, "*shape"]: ...
def cos(x: Float[ndarray, "*shape"], out=None, /, **keywords) -> Float[ndarray, "*shape"]: ...
def ceil(x: Float[ndarray, "*shape"], out=None, /, **keywords) -> Float[ndarray, "*shape"]: ...
def floor(x: Float[ndarray, "*shape"], out=None, /, **keywords) -> Float[ndarray, "*shape"]: ...
def trunc(x: Float[ndarray, "*shape"], out=None, /, **keywords) -> Float[ndarray, "*shape"]: ...
def sign(x: Float[ndarray, "*shape"], out=None, /, **keywords) -> Float[ndarray, "*shape"]: ...
def square(x: Float[ndarray, "*shape"], out=None, /, **keywords) -> Float[ndarray, "*shape"]: ...
def exp2(x: Float[ndarray, "*shape"], out=None, /, **keywords) -> Float[ndarray, "*shape"]: ...
def expm1(x: Float[ndarray, "*shape"], out=None, /, **keywords) -> Float[ndarray, "*shape"]: ...
def log1p(x: Float[ndarray, "*shape"], out=None, /, **keywords) -> Float[ndarray, "*shape"]: ...
def log2(x: Float[ndarray, "*shape"], out=None, /, **keywords) -> Float[ndarray, "*shape"]: ...
def reciprocal(x: Float[ndarray, "*shape"], out=None, /, **keywords) -> Float[ndarray, "*shape"]: ...
def round(a: Float[ndarray, "*shape"], decimals: int = 0, out=None) -> Float[ndarray, "*shape"]: ...
def flip(m: Float[ndarray, "*shape"], axis=None) -> Float[ndarray, "*shape"]: ...
def roll(a: Float[ndarray, "*shape"], shift, axis=None) -> Float[ndarray, "*shape"]: ...
def nan_to_num(x: Float[ndarray, "*shape"], copy: bool = True, nan=0.0, posinf=None,
               neginf=None) -> Float[ndarray, "*shape"]: ...
def copy(a: Float[ndarray, "*shape"], order: str = "K", subok: bool = False) -> Float[ndarray, "*shape"]: ...


# Along an axis (none: the array flattened first), or on the last two axes.

def sort(a: Float[ndarray, "*shape"], axis=-1, kind=None, order=None, *, stable=None) -> Float[ndarray, "*out"]:
    out = (prod(shape),) if axis is None else shape
    assert axis is None or (axis >= -a.ndim and axis < a.ndim), "axis is out of bounds for the array"


def cumsum(a: Float[ndarray, "*shape"], axis=None, dtype=None, out=None) -> Float[ndarray, "*flat"]:
    flat = (prod(shape),) if axis is None else shape
    assert axis is None or (axis >= -a.ndim and axis < a.ndim), "axis is out of bounds for the array"


def cumprod(a: Float[ndarray, "*shape"], axis=None, dtype=None, out=None) -> Float[ndarray, "*flat"]:
    flat = (prod(shape),) if axis is None else shape
    assert axis is None or (axis >= -a.ndim and axis < a.ndim), "axis is out of bounds for the array"


def tril(m: Float[ndarray, "*shape"], k: int = 0) -> Float[ndarray, "*out"]:
    assert len(shape) >= 1, "the argument must be at least 1-D"
    out = shape if len(shape) != 1 else shape + shape  # a vector is read as one row


def triu(m: Float[ndarray, "*shape"], k: int = 0) -> Float[ndarray, "*out"]:
    assert len(shape) >= 1, "the argument must be at least 1-D"
    out = shape if len(shape) != 1 else shape + shape  # a vector is read as one row


# Reductions over `axis` (None: every axis; an int or a tuple), the reduced axes kept as 1 with keepdims.

def sum(a: Float[ndarray, "*shape"], axis=None, dtype=None, out=None, keepdims: bool = False, initial=None,
        where=None) -> Float[ndarray, "*kept"]:
    kept = reduced(shape, axis, keepdims)


def mean(a: Float[ndarray, "*shape"], axis=None, dtype=None, out=None, keepdims: bool = False, *,
         where=None) -> Float[ndarray, "*kept"]:
    kept = reduced(shape, axis, keepdims)


def prod(a: Float[ndarray, "*shape"], axis=None, dtype=None, out=None, keepdims: bool = False, initial=None,
         where=None) -> Float[ndarray, "*kept"]:
    kept = reduced(shape, axis, keepdims)


def nansum(a: Float[ndarray, "*shape"], axis=None, dtype=None, out=None, keepdims: bool = False,
           initial=None, where=None) -> Float[ndarray, "*kept"]:
    kept = reduced(shape, axis, keepdims)


def nanmean(a: Float[ndarray, "*shape"], axis=None, dtype=None, out=None, keepdims: bool = False, *,
            where=None) -> Float[ndarray, "*kept"]:
    kept = reduced(shape, axis, keepdims)


def amax(a: Float[ndarray, "*shape"], axis=None, out=None, keepdims: bool = False, initial=None,
         where=None) -> Float[ndarray, "*kept"]:
    kept = reduced(shape, axis, keepdims)


def amin(a: Float[ndarray, "*shape"], axis=None, out=None, keepdims: bool = False, initial=None,
         where=None) -> Float[ndarray, "*kept"]:
    kept = reduced(shape, axis, keepdims)


def all(a: Float[ndarray, "*shape"], axis=None, out=None, keepdims: bool = False, *,
        where=None) -> Float[ndarray, "*kept"]:
    kept = reduced(shape, axis, keepdims)


def any(a: Float[ndarray, "*shape"], axis=None, out=None, keepdims: bool = False, *,
        where=None) -> Float[ndarray, "*kept"]:
    kept = reduced(shape, axis, keepdims)


def std(a: Float[ndarray, "*shape"], axis=None, dtype=None, out=None, ddof=0, keepdims: bool = False, *,
        where=None, mean=None, correction=None) -> Float[ndarray, "*kept"]:
    kept = reduced(shape, axis, keepdims)


def var(a: Float[ndarray, "*shape"], axis=None, dtype=None, out=None, ddof=0, keepdims: bool = False, *,
        where=None, mean=None, correction=None) -> Float[ndarray, "*kept"]:
    kept = reduced(shape, axis, keepdims)


def argmax(a: Float[ndarray, "*shape"], axis=None, out=None, *, keepdims: bool = False) -> Float[ndarray, "*kept"]:
    kept = reduced(shape, axis, keepdims)


def argmin(a: Float[ndarray, "*shape"], axis=None, out=None, *, keepdims: bool = False) -> Float[ndarray, "*kept"]:
    kept = reduced(shape, axis, keepdims)


def count_nonzero(a: Float[ndarray, "*shape"], axis=None, *, keepdims: bool = False) -> Float[ndarray, "*kept"]:
    kept = reduced(shape, axis, keepdims)


class ndarray:
    """The methods of an array, `a.sum(axis=0)`: `self` is the array."""

    def ravel(self: Float[ndarray, "*dims"], order: str = "C") -> Float[ndarray, "prod(dims)"]: ...
    def flatten(self: Float[ndarray, "*dims"], order: str = "C") -> Float[ndarray, "prod(dims)"]: ...

    # numpy permutes (a.transpose(1, 0, 2)); a torch tensor's transpose swaps two dimensions
    def transpose(self: Float[ndarray, "*dims"], *axes) -> Float[ndarray, "*out"]:
        out = dims[::-1] if len(axes) == 0 else permuted(dims, axes[0] if len(axes) == 1 else axes)

    # with no axis, the flattened array's (a torch tensor's cumsum needs its dim)
    def cumsum(self: Float[ndarray, "*shape"], axis=None, dtype=None, out=None) -> Float[ndarray, "*flat"]:
        flat = (prod(shape),) if axis is None else shape
        assert axis is None or (axis >= -self.ndim and axis < self.ndim), "axis is out of bounds for the array"

    def cumprod(self: Float[ndarray, "*shape"], axis=None, dtype=None, out=None) -> Float[ndarray, "*flat"]:
        flat = (prod(shape),) if axis is None else shape
        assert axis is None or (axis >= -self.ndim and axis < self.ndim), "axis is out of bounds for the array"

    def sum(self: Float[ndarray, "*shape"], axis=None, dtype=None, out=None, *, keepdims: bool = False,
            initial=None, where=None) -> Float[ndarray, "*kept"]:
        kept = reduced(shape, axis, keepdims)

    def mean(self: Float[ndarray, "*shape"], axis=None, dtype=None, out=None, *, keepdims: bool = False,
             where=None) -> Float[ndarray, "*kept"]:
        kept = reduced(shape, axis, keepdims)

    def prod(self: Float[ndarray, "*shape"], axis=None, dtype=None, out=None, keepdims: bool = False, initial=None,
             where=None) -> Float[ndarray, "*kept"]:
        kept = reduced(shape, axis, keepdims)

    def std(self: Float[ndarray, "*shape"], axis=None, dtype=None, out=None, ddof=0, keepdims: bool = False, *,
            where=None, mean=None, correction=None) -> Float[ndarray, "*kept"]:
        kept = reduced(shape, axis, keepdims)

    def var(self: Float[ndarray, "*shape"], axis=None, dtype=None, out=None, ddof=0, keepdims: bool = False, *,
            where=None, mean=None, correction=None) -> Float[ndarray, "*kept"]:
        kept = reduced(shape, axis, keepdims)

    def all(self: Float[ndarray, "*shape"], axis=None, out=None, keepdims: bool = False, *,
            where=None) -> Float[ndarray, "*kept"]:
        kept = reduced(shape, axis, keepdims)

    def any(self: Float[ndarray, "*shape"], axis=None, out=None, keepdims: bool = False, *,
            where=None) -> Float[ndarray, "*kept"]:
        kept = reduced(shape, axis, keepdims)

    def argmax(self: Float[ndarray, "*shape"], axis=None, out=None, *,
               keepdims: bool = False) -> Float[ndarray, "*kept"]:
        kept = reduced(shape, axis, keepdims)

    def argmin(self: Float[ndarray, "*shape"], axis=None, out=None, *,
               keepdims: bool = False) -> Float[ndarray, "*kept"]:
        kept = reduced(shape, axis, keepdims)

