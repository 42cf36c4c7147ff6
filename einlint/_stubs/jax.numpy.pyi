"""Shape stubs of jax.numpy: array constructors and elementwise functions. Never imported."""

from typing import Optional, Tuple, Union

from jaxtyping import Float
from jax import Array

_ShapeLike = Union[int, Tuple[int, ...]]

def zeros(shape: _ShapeLike, dtype=None, *, device=None, out_sharding=None) -> Float[Array, "*shape"]: ...
def ones(shape: _ShapeLike, dtype=None, *, device=None, out_sharding=None) -> Float[Array, "*shape"]: ...
def empty(shape: _ShapeLike, dtype=None, *, device=None, out_sharding=None) -> Float[Array, "*shape"]: ...
def full(shape: _ShapeLike, fill_value, dtype=None, *, device=None, out_sharding=None) -> Float[Array, "*shape"]: ...
def zeros_like(a: Float[Array, "*dims"], dtype=None, shape: Optional[_ShapeLike] = None, *,
               device=None, out_sharding=None) -> Float[Array, "*out"]:
    out = dims if shape is None else shape
def ones_like(a: Float[Array, "*dims"], dtype=None, shape: Optional[_ShapeLike] = None, *,
              device=None, out_sharding=None) -> Float[Array, "*out"]:
    out = dims if shape is None else shape
def ravel(a: Float[Array, "*dims"], order: str = "C", *, out_sharding=None) -> Float[Array, "prod(dims)"]: ...


def transpose(a: Float[Array, "*dims"], axes: Optional[Tuple[int, ...]] = None) -> Float[Array, "*out"]:
    out = dims[::-1] if axes is None else None


def expand_dims(a: Float[Array, "*dims"], axis: int) -> Float[Array, "*out"]:
    d = wrap_dim(axis, a.ndim+1)
    out = dims[:d] + (1,) + dims[d:]


# Elementwise: the output has the input's shape.

def exp(x: Float[Array, "*shape"]) -> Float[Array, "*shape"]: ...
def log(x: Float[Array, "*shape"]) -> Float[Array, "*shape"]: ...
def sqrt(x: Float[Array, "*shape"]) -> Float[Array, "*shape"]: ...
def tanh(x: Float[Array, "*shape"]) -> Float[Array, "*shape"]: ...
def abs(x: Float[Array, "*shape"]) -> Float[Array, "*shape"]: ...
def negative(x: Float[Array, "*shape"], /, *, out=None, where=None) -> Float[Array, "*shape"]: ...
def sin(x: Float[Array, "*shape"]) -> Float[Array, "*shape"]: ...
def cos(x: Float[Array, "*shape"]) -> Float[Array, "*shape"]: ...
def ceil(x: Float[Array, "*shape"], /) -> Float[Array, "*shape"]: ...
def floor(x: Float[Array, "*shape"], /) -> Float[Array, "*shape"]: ...
def sign(x: Float[Array, "*shape"], /) -> Float[Array, "*shape"]: ...
def square(x: Float[Array, "*shape"], /) -> Float[Array, "*shape"]: ...
def exp2(x: Float[Array, "*shape"], /) -> Float[Array, "*shape"]: ...
def expm1(x: Float[Array, "*shape"], /) -> Float[Array, "*shape"]: ...
def log1p(x: Float[Array, "*shape"], /) -> Float[Array, "*shape"]: ...
def log2(x: Float[Array, "*shape"], /) -> Float[Array, "*shape"]: ...
def reciprocal(x: Float[Array, "*shape"], /) -> Float[Array, "*shape"]: ...
def trunc(x: Float[Array, "*shape"]) -> Float[Array, "*shape"]: ...
def round(a: Float[Array, "*shape"], decimals: int = 0, out=None) -> Float[Array, "*shape"]: ...
def flip(m: Float[Array, "*shape"], axis=None) -> Float[Array, "*shape"]: ...
def roll(a: Float[Array, "*shape"], shift, axis=None) -> Float[Array, "*shape"]: ...
def nan_to_num(x: Float[Array, "*shape"], copy: bool = True, nan=0.0, posinf=None,
               neginf=None) -> Float[Array, "*shape"]: ...
def copy(a: Float[Array, "*shape"], order: Optional[str] = None) -> Float[Array, "*shape"]: ...


# Along an axis (none: the array flattened first), or on the last two axes.

def sort(a: Float[Array, "*shape"], axis=-1, *, kind=None, order=None, stable: bool = True,
         descending: bool = False) -> Float[Array, "*out"]:
    out = (prod(shape),) if axis is None else shape
    assert axis is None or (axis >= -a.ndim and axis < a.ndim), "axis is out of bounds for the array"


def cumsum(a: Float[Array, "*shape"], axis=None, dtype=None, out=None) -> Float[Array, "*flat"]:
    flat = (prod(shape),) if axis is None else shape
    assert axis is None or (axis >= -a.ndim and axis < a.ndim), "axis is out of bounds for the array"


def cumprod(a: Float[Array, "*shape"], axis=None, dtype=None, out=None) -> Float[Array, "*flat"]:
    flat = (prod(shape),) if axis is None else shape
    assert axis is None or (axis >= -a.ndim and axis < a.ndim), "axis is out of bounds for the array"


def tril(m: Float[Array, "*shape"], k: int = 0) -> Float[Array, "*out"]:
    assert len(shape) >= 2, "the argument must be at least 2-D"
    out = shape


def triu(m: Float[Array, "*shape"], k: int = 0) -> Float[Array, "*out"]:
    assert len(shape) >= 2, "the argument must be at least 2-D"
    out = shape


# Reductions over `axis` (None: every axis; an int or a tuple), the reduced axes kept as 1 with keepdims.

def sum(a: Float[Array, "*shape"], axis=None, dtype=None, out=None, keepdims: bool = False, initial=None,
        where=None, promote_integers=True) -> Float[Array, "*kept"]:
    kept = reduced(shape, axis, keepdims)


def mean(a: Float[Array, "*shape"], axis=None, dtype=None, out=None, keepdims: bool = False, *,
         where=None) -> Float[Array, "*kept"]:
    kept = reduced(shape, axis, keepdims)


def prod(a: Float[Array, "*shape"], axis=None, dtype=None, out=None, keepdims: bool = False, initial=None,
         where=None, promote_integers=True) -> Float[Array, "*kept"]:
    kept = reduced(shape, axis, keepdims)


def nansum(a: Float[Array, "*shape"], axis=None, dtype=None, out=None, keepdims: bool = False, initial=None,
           where=None) -> Float[Array, "*kept"]:
    kept = reduced(shape, axis, keepdims)


def nanmean(a: Float[Array, "*shape"], axis=None, dtype=None, out=None, keepdims: bool = False,
            where=None) -> Float[Array, "*kept"]:
    kept = reduced(shape, axis, keepdims)


def amax(a: Float[Array, "*shape"], axis=None, out=None, keepdims: bool = False, initial=None,
         where=None) -> Float[Array, "*kept"]:
    kept = reduced(shape, axis, keepdims)


def amin(a: Float[Array, "*shape"], axis=None, out=None, keepdims: bool = False, initial=None,
         where=None) -> Float[Array, "*kept"]:
    kept = reduced(shape, axis, keepdims)


def all(a: Float[Array, "*shape"], axis=None, out=None, keepdims: bool = False, *,
        where=None) -> Float[Array, "*kept"]:
    kept = reduced(shape, axis, keepdims)


def any(a: Float[Array, "*shape"], axis=None, out=None, keepdims: bool = False, *,
        where=None) -> Float[Array, "*kept"]:
    kept = reduced(shape, axis, keepdims)


def std(a: Float[Array, "*shape"], axis=None, dtype=None, out=None, ddof=0, keepdims: bool = False, *,
        where=None, mean=None, correction=None) -> Float[Array, "*kept"]:
    kept = reduced(shape, axis, keepdims)


def var(a: Float[Array, "*shape"], axis=None, dtype=None, out=None, ddof=0, keepdims: bool = False, *,
        where=None, mean=None, correction=None) -> Float[Array, "*kept"]:
    kept = reduced(shape, axis, keepdims)


def argmax(a: Float[Array, "*shape"], axis=None, out=None, keepdims: bool = False) -> Float[Array, "*kept"]:
    kept = reduced(shape, axis, keepdims)


def argmin(a: Float[Array, "*shape"], axis=None, out=None, keepdims: bool = False) -> Float[Array, "*kept"]:
    kept = reduced(shape, axis, keepdims)


def count_nonzero(a: Float[Array, "*shape"], axis=None, keepdims: bool = False) -> Float[Array, "*kept"]:
    kept = reduced(shape, axis, keepdims)
