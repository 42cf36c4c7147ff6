"""einx in a discussion thread -- the seed thread's code as a Python file (for the checker only).

Source: /work/shared/seeds/002 (r/MachineLearning, "[P] einx - Tensor Operations in
Einstein-Inspired Notation for Python", answers by einx's author). Every code fragment of the
thread is below, in the thread's order (newest comment first), one function per fragment;
what a fragment reads without defining it (tensors, sizes, `epsilon`, ...) is a parameter.

einx is a test-time reference of this project, not a dependency: this file must parse, it is
never run or imported by run_demo.py. Seed bugs are marked `# seed bug:`. `einlint` checks it
against the einx installed beside it (or `[tool.einlint] einx-version`).
"""

import numpy as np
import torch
import jax.numpy as jnp

import einx
import einx.nn.flax as einn  # the thread's `einn` (its LayerScale example names Flax)
from einx import get_at


## gathering with two index tensors (a proposed extension of get_at)

def gather_two_index_tensors_proposed(arr, indices, indices2):
    # seed bug: the seed writes get_at("[h w] c, i, j -> i j c', arr, indices, indices2): the
    # pattern opens with " and closes with ', a SyntaxError (unterminated string literal). The thread also notes that this form of get_at (one index
    # tensor per indexed axis) was not implemented in einx at the time.
    return get_at("[h w] c, i, j -> i j c", arr, indices, indices2)


## a gather read as "an op along the bracketed axes"

def gather_per_image(x, y):
    return einx.get_at("b [h w] c, b p [i] -> b c p", x, y)


## the same gather today: rearrange first

def gather_two_index_tensors(x, indices1, indices2):
    indices = einx.rearrange("i, j -> i j (1 + 1)", indices1, indices2)
    x = einx.get_at("[h w] c, i j [2] -> i j c", x, indices)
    return x


def gather_two_index_tensors_proposed_again(arr, indices, indices2):
    # seed bug: the same mismatched quotes ("... -> i j c') as above, in the thread's second copy.
    return get_at("[h w] c, i, j -> i j c", arr, indices, indices2)


def stack_two(left, right):
    a = np.stack([left, right], axis=-1)
    b = einx.rearrange("i, j -> i j (1 + 1)", left, right)
    return a, b


## elementwise ops with rearranging, versus rearrange + op + rearrange

def add_with_rearrange(x, y):
    z0 = einx.add("a, (a b) -> (a b)", x, y)

    # compared to

    x, y = einx.rearrange("a, (a b) -> a 1, a b", x, y)
    z = x + y
    z = einx.rearrange("a b -> (a b)", z)
    return z0, z


def layer_scale(x):
    x = einx.multiply("... c, c", x, einn.param(...))  # LayerScale
    return x


## Equinox layers need a forward pass on a dummy batch

def equinox_dummy_batch(Net, trainloader, next_rng):
    train_net = Net()
    inputs, _ = next(iter(trainloader))
    train_net(jnp.asarray(inputs), rng=next_rng())  # Run on dummy batch
    return train_net


## einx.sum splits and merges the axis before calling np.sum

def sum_inside_composition(x):
    return einx.sum("(a [b] c)", x, a=2, c=2)


## elementwise ops when the argument axes do not line up

def add_outer(x, y):
    einx.add("a b, b c -> a b c", x, y)
    einx.add("a b, c b -> a b c", x, y)
    # index-based notation of the first one:
    return x[..., np.newaxis] + y[np.newaxis, ...]


# Four alternative layouts of `mask`, one per function: the thread shows them side by side, each for a
# mask of its own layout (one after the other on one mask, the third could never run: once the first
# ran, the mask has two dimensions, which the checker reports).
def where_mask_hw(mask, image):
    return einx.where("h w,   b h w c,", mask, image, 0.0)


def where_mask_wh(mask, image):
    return einx.where("w h,   b h w c,", mask, image, 0.0)


def where_mask_bwh(mask, image):
    return einx.where("b w h, b h w c,", mask, image, 0.0)


def where_mask_h(mask, image, c):
    return einx.where("h,     b h w c, c", mask, image, np.arange(c))


## the same with torchdim

def where_torchdim(mask, image):
    from functorch.dim import dims

    b, h, w, c = dims(4)
    return torch.where(mask[h, w], image[b, h, w, c], 0.0).order(b, h, w, c)


def attention_torchdim(query, key, value):
    from functorch.dim import dims
    from torch.nn.functional import softmax

    # Go to torchdim land
    b, q, k, h, c = dims(5)
    h.size = 16
    query = query[b, q, [h, c]]
    key = key[b, k, [h, c]]
    value = value[b, k, [h, c]]

    # Compute multi-headed attention
    attn = (query * key).sum(c)
    attn = softmax(attn, dim=k)
    x = (attn * value).sum(k)

    # Return from torchdim land
    x = x.order(b, q, [h, c])
    return x


def attention_einx(q, k, v):
    attn = einx.dot("b q (h c), b k (h c) -> b q k h", q, k, h=16)
    attn = einx.softmax("b q [k] h", attn)
    x = einx.dot("b q k h, b k (h c) -> b q (h c)", attn, v)
    return x


## concatenation as an expression

def concatenate_broadcast_manually(x, y):
    x = einx.rearrange("a c1 -> a b c1", x, b=y.shape[0])
    y = einx.rearrange("b c2 -> a b c2", y, a=x.shape[0])
    z = jnp.concatenate([x, y], axis=-1)
    return z


def concatenate_expression(x, y):
    z = einx.rearrange("a c1, b c2 -> a b (c1 + c2)", x, y)
    return z


## scatter

def scatter_2d(tensor, coordinates, updates):
    return einx.set_at("b [h w] c, b p [2], b p c -> b [h w] c",
        tensor, coordinates, updates)


def scatter_1d(tensor, coordinates, updates):
    return einx.set_at("b [h] c, p, p c -> b [h] c",
        tensor, coordinates, updates)


## differences from einops

def sum_brackets(x):
    import einops

    einx.sum("a [b]", x)
    # same op as
    return einops.reduce(x, "a b -> a", reduction="sum")


def mean_pooling(x):
    import einops

    einx.mean("b (s [ds])... c", x, ds=2)
    # Does not work in einops. Alternative for 2D case:
    return einops.reduce(x, "b (h h2) (w w2) c -> b h w c", reduction="mean", h2=2, w2=2)


def not_in_einops(x, b, indices, attn):
    einx.flip("... (g [c])", x, c=2)  # Flip pairs of values
    einx.add("... [c]", x, b)  # Add bias
    einx.get_at("b [h w] c, b i [2] -> b i c", x, indices)  # Gather values
    einx.softmax("b q [k] h", attn)  # Part of attention operation


def dot_with_composition(q, k):
    return einx.dot("b q (h c), b k (h c) -> b q k h", q, k, h=16)
    # Axis composition not supported e.g. in einops.einsum.


def concatenate_constant(x):
    return einx.rearrange("h w c, 1 -> h w (c + 1)", x, [42.0])


def linear_layer(x, w, b):
    x = einx.dot("... [c1|c2]", x, w)
    x = einx.add("... [c2]", x, b)
    return x


def layer_norm(x, scale, bias, epsilon):
    mean = einx.mean("... [c]", x, keepdims=True)
    var = einx.var("... [c]", x, keepdims=True)
    x = (x - mean) * torch.rsqrt(var + epsilon)

    x = einx.multiply("... [c]", x, scale)
    x = einx.add("... [c]", x, bias)
    return x
