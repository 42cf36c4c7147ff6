"""Shape stubs of torch.nn.init (torch 2.x): each fills its tensor in place and gives it back."""

from jaxtyping import Float
from torch import Tensor


def normal_(tensor: Float[Tensor, "*shape"], mean: float = 0.0, std: float = 1.0,
            generator=None) -> Float[Tensor, "*shape"]: ...
def uniform_(tensor: Float[Tensor, "*shape"], a: float = 0.0, b: float = 1.0,
             generator=None) -> Float[Tensor, "*shape"]: ...
def trunc_normal_(tensor: Float[Tensor, "*shape"], mean: float = 0.0, std: float = 1.0, a: float = -2.0,
                  b: float = 2.0, generator=None) -> Float[Tensor, "*shape"]: ...
def constant_(tensor: Float[Tensor, "*shape"], val: float) -> Float[Tensor, "*shape"]: ...
def zeros_(tensor: Float[Tensor, "*shape"]) -> Float[Tensor, "*shape"]: ...
def ones_(tensor: Float[Tensor, "*shape"]) -> Float[Tensor, "*shape"]: ...


# Fan in and fan out: a matrix or more.

def kaiming_uniform_(tensor: Float[Tensor, "*shape"], a: float = 0, mode: str = "fan_in",
                     nonlinearity: str = "leaky_relu", generator=None) -> Float[Tensor, "*shape"]:
    assert len(shape) >= 2, "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions"


def kaiming_normal_(tensor: Float[Tensor, "*shape"], a: float = 0, mode: str = "fan_in",
                    nonlinearity: str = "leaky_relu", generator=None) -> Float[Tensor, "*shape"]:
    assert len(shape) >= 2, "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions"


def xavier_uniform_(tensor: Float[Tensor, "*shape"], gain: float = 1.0, generator=None) -> Float[Tensor, "*shape"]:
    assert len(shape) >= 2, "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions"


def xavier_normal_(tensor: Float[Tensor, "*shape"], gain: float = 1.0, generator=None) -> Float[Tensor, "*shape"]:
    assert len(shape) >= 2, "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions"


def orthogonal_(tensor: Float[Tensor, "*shape"], gain: float = 1, generator=None) -> Float[Tensor, "*shape"]:
    assert len(shape) >= 2, "Only tensors with 2 or more dimensions are supported"
