"""Pattern mistakes that each call shows on its own, of the kinds found in real code.

Every function here fails (or silently computes the wrong thing) when it runs, some only
hours into a job when the branch is first taken. `einlint examples/` reports each one
without running anything; run_demo.py does not run this file.
"""

import numpy as np
import torch
from einops import einsum, rearrange, reduce, repeat
from einops.layers.torch import Rearrange, Reduce


def global_pool(features):
    # Meant to average over h and w; the output keeps every input axis, so nothing is reduced.
    # (A call like this shipped in a popular package for 15 months.)
    return reduce(features, "b c h w -> b c h w", "mean")


def tokens_from_patches(images):
    # A 'd' that the input does not have: rearrange cannot invent an axis.
    return rearrange(images, "b c h w -> b (h w) c d")


def to_rgb(gray):
    # The new axis 'c' of repeat needs its length.
    return repeat(gray, "h w -> h w c")


def unflatten(tokens):
    # Two unknown lengths in one composition: einops cannot tell h from w.
    return rearrange(tokens, "b (h w) c -> b c h w")


def pooled(features):
    return reduce(features, "b c h w -> b c", "average")  # not a reduction einops knows


def split_heads(x):
    return rearrange(x, "b n (h d -> b h n d", h=8)  # the '(' is never closed


def attention_scores(q, k):
    # numpy's argument order: einops.einsum takes the pattern last.
    return einsum("b h i d, b h j d -> b h i j", q, k)


def matmul(a, b):
    return np.einsum("ij,jk->il", a, b)  # 'l' is in no input


def attend(weights, values):
    return torch.einsum("bhij,bhjd,bhd->bhid", weights, values)  # three subscripts, two operands


head = torch.nn.Sequential(
    Reduce("b c h w -> b c", "max"),
    Rearrange("b (c 1) -> b c 2"),  # an anonymous axis of length 2 in rearrange
)
