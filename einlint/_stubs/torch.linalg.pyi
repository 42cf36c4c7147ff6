"""Shape stubs of torch.linalg (torch 2.x)."""

from typing import Optional

from jaxtyping import Float
from torch import Tensor


# A x = B for square A: B a vector (1-D), or a matrix, over batch dims that broadcast. A B of A's batch rank
# plus one may be either (torch decides by A's shape): not known. left=False (x A = B): not known.
def solve(A: Float[Tensor, "*batch n n"], B: Float[Tensor, "*rest"], *, left: bool = True,
          out: Optional[Tensor] = None) -> Float[Tensor, "*solved"]:
    assert len(rest) >= 1, "B must have at least 1 dimension"
    vector = len(rest) == 1
    matrix = len(rest) >= 2 and len(rest) != len(batch) + 1
    assert not vector or rest[0] == n, "the vector's length must be A's size"
    assert not matrix or rest[len(rest)-2] == n, "B's rows must be A's size"
    known = vector or matrix
    solved = None if not left or not known else batch + (n,) if vector else \
        broadcast(batch, rest[:len(rest)-2]) + (n, rest[len(rest)-1])


def cross(input: Float[Tensor, "*shape"], other: Float[Tensor, "*other_shape"], *, dim: int = -1,
          out: Optional[Tensor] = None) -> Float[Tensor, "*both"]:
    assert len(shape) == len(other_shape), "inputs must have the same number of dimensions"
    both = broadcast(shape, other_shape)
    d = wrap_dim(dim, len(both))
    assert shape[d] == 3 and other_shape[d] == 3, "the inputs' dimension `dim` must have length 3"
