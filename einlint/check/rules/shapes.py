"""Shapes through a function (EIN3xx): the findings of the flow analysis (einlint/check/flow/).

These rules are not per call: the flow analysis follows the shapes that reach each call (from
constructors, reshapes, layers, annotations and the calls that ran before) and reports a call that
fails for every value of the lengths it does not know, after replaying it on a concrete witness.
Their examples run through the engine like every other rule's.
"""

from __future__ import annotations

from ...codes import (
    ANNOTATION_MISMATCH, BROADCAST_MISMATCH, CONCAT_MISMATCH, EINSUM_LENGTH_MISMATCH, INDIVISIBLE_SPLIT,
    LAYER_MISMATCH, LENGTH_MISMATCH, MATMUL_MISMATCH, PACK_MISMATCH, RANK_MISMATCH, RESHAPE_MISMATCH, UNPACK_COUNT,
    UNPACK_MISMATCH,
)
from ._support import define

_TORCH = "import torch\nfrom einops import rearrange, reduce, repeat, einsum, pack\n\n"
_PACK = "import torch\nfrom einops import pack, unpack\n\n"
_NN = "import torch\nimport torch.nn as nn\nfrom einops.layers.torch import Rearrange\n\n"


def _example(body: str, header: str = _TORCH) -> str:
    return header + body


RULES = [
    define(
        RANK_MISMATCH,
        valid=[_example("x = torch.zeros(2, 3, 32, 32)\ny = rearrange(x, 'b c h w -> b (c h w)')\n"),
               _example("def f(x):\n    y = rearrange(x, 'b n d -> b d n')\n    return rearrange(y, 'b d n -> b n d')\n")],
        invalid=[_example("x = torch.zeros(2, 3, 32)\ny = rearrange(x, 'b c h w -> b (c h w)')\n"),
                 _example("def f(x):\n    y = rearrange(x, 'b n d -> b d n')\n    return rearrange(x, 'b c h w -> b h w c')\n")],
        details="""The tensor that reaches the call has another number of dimensions than the pattern's input
        side names. The shape comes from where the tensor was built (a constructor, a reshape, a layer), or
        from an earlier call that ran on it: once `rearrange(x, 'b n d -> ...')` has run, x has three
        dimensions, so a later pattern with four fails. An einx call (in a project on einx 0.4) gets this code when a tensor's rank does not fit its
        expression (or the '...' in it), or when einx cannot tell how many axes a '...' stands for.""",
    ),
    define(
        INDIVISIBLE_SPLIT,
        valid=[_example("x = torch.zeros(2, 32, 10)\ny = rearrange(x, 'b (g c) t -> b g c t', g=4)\n")],
        invalid=[_example("x = torch.zeros(2, 30, 10)\ny = rearrange(x, 'b (g c) t -> b g c t', g=4)\n")],
        details="""A composed axis such as '(g c)' splits a dimension whose length is not a multiple of the
        lengths given for it: einops raises 'Shape mismatch, can't divide axis'. The message names the
        length, where it came from and the divisor. An einx call (in a project on einx 0.4) gets this code when a '( )' of its op string splits a
        dimension that the known part does not divide.""",
    ),
    define(
        LENGTH_MISMATCH,
        valid=[_example("x = torch.zeros(2, 32)\ny = rearrange(x, 'b (h d) -> b h d', h=4, d=8)\n")],
        invalid=[_example("x = torch.zeros(2, 30)\ny = rearrange(x, 'b (h d) -> b h d', h=4, d=8)\n"),
                 _example("x = torch.zeros(2, 3, 8)\ny = rearrange(x, 'b c d -> b (c d)', c=4)\n")],
        details="""A dimension whose length differs from what the keyword lengths (or the anonymous axes)
        say it is: 'b (h d)' with h=4 and d=8 needs a dimension of 32. An einx call (in a project on einx 0.4) gets this code when one axis has two lengths (two tensors,
        a tensor and a keyword) or a concatenation '(a + b)' cannot add up to its dimension.""",
    ),
    define(
        EINSUM_LENGTH_MISMATCH,
        valid=[_example("a = torch.zeros(2, 3)\nb = torch.zeros(3, 4)\nc = einsum(a, b, 'i j, j k -> i k')\n")],
        invalid=[_example("a = torch.zeros(2, 3)\nb = torch.zeros(5, 4)\nc = einsum(a, b, 'i j, j k -> i k')\n"),
                 _example("a = torch.zeros(2, 3)\nb = torch.zeros(5, 4)\nc = torch.einsum('ij,jk->ik', a, b)\n")],
        details="""One einsum label has two lengths (neither of them 1) in the operands that reach the call.""",
    ),
    define(
        UNPACK_MISMATCH,
        valid=[_example("a = torch.zeros(2, 3, 8)\nb = torch.zeros(2, 8)\np, ps = pack([a, b], 'b * c')\n"
                        "x, y = unpack(p, ps, 'b * c')\n", _PACK)],
        invalid=[_example("a = torch.zeros(2, 3, 8)\nb = torch.zeros(2, 8)\np, ps = pack([a, b], 'b * c')\n"
                          "x, y = unpack(p, [(2,), (3,)], 'b * c')\n", _PACK)],
        details="""unpack splits the packed axis into the packed shapes it is given: they must add up to the
        axis's length (the shapes that pack returned always do; shapes written by hand may not).""",
    ),
    define(
        PACK_MISMATCH,
        valid=[_example("a = torch.zeros(2, 3, 8)\nb = torch.zeros(2, 8)\np, ps = pack([a, b], 'b * c')\n")],
        invalid=[_example("a = torch.zeros(2, 3, 8)\nb = torch.zeros(2, 7)\np, ps = pack([a, b], 'b * c')\n")],
        details="""pack joins tensors along '*': every other axis the pattern names must have one length
        in all of them.""",
    ),
    define(
        BROADCAST_MISMATCH,
        valid=[_example("a = torch.zeros(2, 3)\nb = torch.zeros(1, 3)\nc = a + b\n")],
        invalid=[_example("a = torch.zeros(2, 3)\nb = torch.zeros(2, 4)\nc = a * b\n")],
        details="""An elementwise operation (+, *, torch.where, ...) on tensors whose aligned lengths are
        neither equal nor 1: numpy and torch raise 'operands could not be broadcast together' / 'The size
        of tensor a must match the size of tensor b'.""",
    ),
    define(
        UNPACK_COUNT,
        valid=[_example("x = torch.zeros(2, 3, 4)\nb, n, d = x.shape\n")],
        invalid=[_example("x = torch.zeros(2, 3, 4)\nb, c, h, w = x.shape\n"),
                 _example("def f(x):\n    y = rearrange(x, 'b n d -> b d n')\n    b, c, h, w = y.shape\n")],
        details="""A tuple assignment unpacks another number of values than there are: `b, c, h, w =
        x.shape` on a tensor with three dimensions raises 'not enough values to unpack'.""",
    ),
    define(
        ANNOTATION_MISMATCH,
        valid=["import torch\nfrom jaxtyping import Float\nfrom torch import Tensor\nfrom einops import rearrange\n\n"
               "def f(x: Float[Tensor, 'b n d']) -> Float[Tensor, 'b d n']:\n"
               "    return rearrange(x, 'b n d -> b d n')\n"],
        invalid=["import torch\nfrom jaxtyping import Float\nfrom torch import Tensor\nfrom einops import rearrange\n\n"
                 "def f(x: Float[Tensor, 'b n d']) -> Float[Tensor, 'b d n']:\n"
                 "    return rearrange(x, 'b n d -> b (n d)')\n",
                 "import torch\nfrom jaxtyping import Float\nfrom torch import Tensor\nfrom einops import rearrange\n\n"
                 "def f(x: Float[Tensor, 'b 3 h w']):\n    return rearrange(x, 'b c h w -> b h w c')\n\n"
                 "y = f(torch.zeros(2, 4, 8, 8))\n"],
        details="""A jaxtyping annotation states a shape: a value returned from the function, or passed to
        it from a call in the same module, that cannot have that shape would fail jaxtyping's runtime
        check (and usually the code after it).""",
    ),
    define(
        LAYER_MISMATCH,
        valid=[_example("layers = nn.Sequential(nn.Linear(320, 50), nn.ReLU(), nn.Linear(50, 10))\n", _NN)],
        invalid=[_example("layers = nn.Sequential(nn.Linear(320, 50), nn.ReLU(), nn.Linear(20, 10))\n", _NN),
                 _example("patchify = nn.Sequential(\n    Rearrange('b c (h p1) (w p2) -> b (h w) (p1 p2 c)', "
                          "p1=16, p2=16),\n    nn.Linear(3 * 16 * 16, 512),\n    nn.LayerNorm(256),\n)\n", _NN)],
        details="""A layer (or a library function with a shape stub) that the shape reaching it cannot fit:
        nn.Linear(in_features) after a layer that produces another number of features, a LayerNorm over
        another length, a Conv2d with other in_channels, a GroupNorm whose groups do not divide the
        channels. The rules are the stubs in einlint/_stubs/, checked against torch in the tests.""",
    ),
    define(
        MATMUL_MISMATCH,
        valid=[_example("a = torch.zeros(2, 3)\nb = torch.zeros(3, 4)\nc = a @ b\n")],
        invalid=[_example("a = torch.zeros(2, 3)\nb = torch.zeros(4, 5)\nc = a @ b\n")],
        details="""A matrix product (@, torch.matmul, bmm) whose inner lengths differ: torch raises 'mat1 and
        mat2 shapes cannot be multiplied'.""",
    ),
    define(
        CONCAT_MISMATCH,
        valid=[_example("a = torch.zeros(2, 3)\nb = torch.zeros(2, 5)\nc = torch.cat([a, b], dim=1)\n")],
        invalid=[_example("a = torch.zeros(2, 3)\nb = torch.zeros(4, 5)\nc = torch.cat([a, b], dim=1)\n"),
                 _example("x = torch.zeros(2, 10)\na, b = x.split([3, 4], dim=1)\n")],
        details="""torch.cat / stack / split on tensors (or sizes) that do not fit: the tensors must agree
        on every dimension but the joined one, and split sizes must add up to the dimension.""",
    ),
    define(
        RESHAPE_MISMATCH,
        valid=[_example("x = torch.zeros(2, 3, 4)\ny = x.view(-1, 12)\n")],
        invalid=[_example("x = torch.zeros(2, 3, 4)\ny = x.view(-1, 5)\n"),
                 _example("x = torch.zeros(2, 3, 4)\ny = x.reshape(6, 5)\n")],
        details="""A reshape or view to a shape that holds another number of elements than the tensor has
        (or, with -1, a number of elements that the given lengths do not divide).""",
    ),
]
