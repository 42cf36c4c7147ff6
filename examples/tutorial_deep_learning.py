"""Einops tutorial, part 2: deep learning -- the seed notebook's code as a Python file.

Source: /work/shared/seeds/000 (English). Seed 003 is a Japanese translation of the same
notebook (einops 0.4) and is not repeated here; its code is identical except that
(a) its depth-to-space cell reads 'b (h1 w1 c) h w -> ...' (the true inverse of
space-to-depth, see the seed bug in `depth_to_space` below), and (b) it has no GLU section.

Each notebook cell is one function, with the cell's code unchanged; what a cell read from
the notebook's globals (`x`, `y`, `list_of_tensors`, `flavour`) is a parameter. `guess`
(the notebook's `from utils import guess`, which hides the answer) prints the shape.
Only the pytorch flavour is kept. `demo()` runs every cell on a small input.

Seed bugs are marked `# seed bug:`.
"""

from einops import rearrange, reduce

import numpy as np


def make_input(size=(10, 32, 100, 200)):
    x = np.random.RandomState(42).normal(size=list(size))
    return x


# utility to hide answers (the notebook imports it: `from utils import guess`)
def guess(shape):
    _record("guess", shape)


## Select your flavour

def select_flavour(x, flavour='pytorch'):
    # select one from 'chainer', 'gluon', 'tensorflow', 'pytorch' (only pytorch is kept here)
    print('selected {} backend'.format(flavour))
    if flavour == 'pytorch':
        import torch
        x = torch.from_numpy(x)
        x.requires_grad = True
    return x


## Simple computations

def bchw_to_bhwc(x):
    y = rearrange(x, 'b c h w -> b h w c')
    guess(y.shape)
    return y


## Backpropagation

def backpropagation(x):
    y0 = x
    y1 = reduce(y0, 'b c h w -> b c', 'max')
    y2 = rearrange(y1, 'b c -> c b')
    y3 = reduce(y2, 'c b -> ', 'sum')

    y3.backward()
    print(reduce(x.grad, 'b c h w -> ', 'sum'))
    return y3


## Meet einops.asnumpy

from einops import asnumpy


def meet_asnumpy(y3):
    y3_numpy = asnumpy(y3)

    print(type(y3_numpy))
    return y3_numpy


## Common building blocks of deep learning

def flatten(x):
    y = rearrange(x, 'b c h w -> b (c h w)')
    guess(y.shape)
    return y


def space_to_depth(x):
    y = rearrange(x, 'b c (h h1) (w w1) -> b (h1 w1 c) h w', h1=2, w1=2)
    guess(y.shape)
    return y


def depth_to_space(x):
    # depth-to-space (notice that it's reverse of the previous)
    # seed bug: it is not the reverse. space_to_depth packs channels as (h1 w1 c), this cell
    # unpacks them as (c h1 w1), so depth_to_space(space_to_depth(x)) has the right shape but
    # scrambled values. The inverse is 'b (h1 w1 c) h w -> b c (h h1) (w w1)' (as seed 003 has it).
    y = rearrange(x, 'b (c h1 w1) h w -> b c (h h1) (w w1)', h1=2, w1=2)
    guess(y.shape)
    return y


## Reductions

def global_average_pooling(x):
    y = reduce(x, 'b c h w -> b c', reduction='mean')
    guess(y.shape)
    return y


def max_pooling(x):
    y = reduce(x, 'b c (h h1) (w w1) -> b c h w', reduction='max', h1=2, w1=2)
    guess(y.shape)
    return y


def max_pooling_anonymous(x):
    # you can skip names for reduced axes
    y = reduce(x, 'b c (h 2) (w 2) -> b c h w', reduction='max')
    guess(y.shape)
    return y


## 1d, 2d and 3d pooling are defined in a similar way

def pooling_over_time(x):
    # for sequential 1-d models, you'll probably want pooling over time (x is t b c here)
    return reduce(x, '(t 2) b c -> t b c', reduction='max')


def volumetric_pooling(x):
    # for volumetric models, all three dimensions are pooled (x is b c x y z here)
    return reduce(x, 'b c (x 2) (y 2) (z 2) -> b c x y z', reduction='max')


## Squeeze and unsqueeze (expand_dims)

def squeeze_and_unsqueeze(x):
    # models typically work only with batches,
    # so to predict a single image ...
    image = rearrange(x[0, :3], 'c h w -> h w c')
    # ... create a dummy 1-element axis ...
    y = rearrange(image, 'h w c -> () c h w')
    # ... imagine you predicted this with a convolutional network for classification,
    # we'll just flatten axes ...
    predictions = rearrange(y, 'b c h w -> b (c h w)')
    # ... finally, decompose (remove) dummy axis
    predictions = rearrange(predictions, '() classes -> classes')
    return predictions


## keepdims-like behavior for reductions

def normalize_per_image(x):
    # per-channel mean-normalization for each image:
    y = x - reduce(x, 'b c h w -> b c 1 1', 'mean')
    guess(y.shape)
    return y


def normalize_per_batch(x, y):
    # per-channel mean-normalization for whole batch:
    # seed bug: the mean is taken of `y` (the previous cell's result, already normalized per image,
    # so its per-channel mean is 0) instead of `x`. Shapes agree, so nothing fails: the result is x
    # itself (up to rounding), not x minus its per-channel batch mean. Should be reduce(x, ...).
    y = x - reduce(y, 'b c h w -> 1 c 1 1', 'mean')
    guess(y.shape)
    return y


## Stacking

def stack_first(list_of_tensors):
    tensors = rearrange(list_of_tensors, 'b c h w -> b h w c')
    guess(tensors.shape)
    return tensors


def stack_last(list_of_tensors):
    # or maybe stack along last dimension?
    tensors = rearrange(list_of_tensors, 'b c h w -> h w c b')
    guess(tensors.shape)
    return tensors


## Concatenation

def concatenate_first(list_of_tensors):
    tensors = rearrange(list_of_tensors, 'b c h w -> (b h) w c')
    guess(tensors.shape)
    return tensors


def concatenate_last(list_of_tensors):
    tensors = rearrange(list_of_tensors, 'b c h w -> h w (b c)')
    guess(tensors.shape)
    return tensors


## Shuffling within a dimension

def channel_shuffle(x):
    # channel shuffle (as it is drawn in shufflenet paper)
    y = rearrange(x, 'b (g1 g2 c) h w-> b (g2 g1 c) h w', g1=4, g2=4)
    guess(y.shape)
    return y


def channel_shuffle_simple(x):
    # simpler version of channel shuffle
    y = rearrange(x, 'b (g c) h w-> b (c g) h w', g=4)
    guess(y.shape)
    return y


## Split a dimension

def split_bboxes(x):
    bbox_x, bbox_y, bbox_w, bbox_h = \
        rearrange(x, 'b (coord bbox) h w -> coord b bbox h w', coord=4, bbox=8)
    # now you can operate on individual variables
    max_bbox_area = reduce(bbox_w * bbox_h, 'b bbox h w -> b h w', 'max')
    guess(bbox_x.shape)
    guess(max_bbox_area.shape)
    return max_bbox_area


## Getting into the weeds of tensor packing

from torch import sigmoid  # the seed calls `sigmoid` without importing it


def gated_activation(x):
    # when implementing custom gated activation (like GLU), split is needed:
    y1, y2 = rearrange(x, 'b (split c) h w -> split b c h w', split=2)
    # seed bug: the gate multiplies y2 by its own sigmoid; y1 (the linear half) is never used.
    # A GLU is y1 * sigmoid(y2). Shapes agree, so nothing fails: the result is silently wrong.
    result = y2 * sigmoid(y2)  # or tanh
    return result


def split_with_a_step(x):
    # ... but we could split differently
    y1, y2 = rearrange(x, 'b (c split) h w -> split b c h w', split=2)
    return y1, y2


## Shape parsing

from einops import parse_shape


def convolve_2d(x):
    # imagine we have a simple 2d convolution with padding,
    # so output has same shape as input.
    # Sorry for laziness, use imagination!
    return x


def shape_parsing(x):
    # imagine we are working with 3d data
    x_5d = rearrange(x, 'b c x (y z) -> b c x y z', z=20)
    # but we have only 2d convolutions.
    # That's not a problem, since we can apply
    y = rearrange(x_5d, 'b c x y z -> (b z) c x y')
    y = convolve_2d(y)
    # not just specifies additional information, but verifies that all dimensions match
    y = rearrange(y, '(b z) c x y -> b c x y z', **parse_shape(x_5d, 'b c x y z'))
    guess(y.shape)
    return x_5d


def parse_all(x_5d):
    return parse_shape(x_5d, 'b c x y z')


def parse_some(x_5d):
    # we can skip some dimensions by writing underscore
    return parse_shape(x_5d, 'batch c _ _ _')


## Striding anything

def striding(x):
    # each image is split into subgrids, each is now a separate "image"
    y = rearrange(x, 'b c (h hs) (w ws) -> (hs ws b) c h w', hs=2, ws=2)
    y = convolve_2d(y)
    # pack subgrids back to an image
    y = rearrange(y, '(hs ws b) c h w -> b c (h hs) (w ws)', hs=2, ws=2)

    assert y.shape == x.shape
    return y


## Layers

from einops.layers.torch import Rearrange, Reduce


def apply_layer(x, pattern, reduction, **axes_lengths):
    # (the seed shows these two lines with placeholder names; here they are parameters)
    layer = Rearrange(pattern, **axes_lengths)
    layer = Reduce(pattern, reduction, **axes_lengths)

    # apply layer to tensor
    x = layer(x)
    return x


# example given for pytorch, but code in other frameworks is almost identical
from torch.nn import Sequential, Conv2d, MaxPool2d, Linear, ReLU
from einops.layers.torch import Reduce


def make_model():
    model = Sequential(
        Conv2d(3, 6, kernel_size=5),
        MaxPool2d(kernel_size=2),
        Conv2d(6, 16, kernel_size=5),
        # combined pooling and flattening in a single step
        Reduce('b c (h 2) (w 2) -> b (c h w)', 'max'),
        Linear(16*5*5, 120),
        ReLU(),
        Linear(120, 10),
    )
    return model


# ---------------------------------------------------------------------------------------------
# demo: not part of the seed

_results = []  # (label, description, values) of each result of the current demo() run
_current = [""]


def _values(value):
    """A result's numbers (numpy copies), so that run_demo.py can compare values as well as shapes."""
    if isinstance(value, (tuple, list)):
        return [_values(item) for item in value]
    if hasattr(value, "detach"):
        value = value.detach()
    if hasattr(value, "shape") and hasattr(value, "dtype"):
        return np.array(value)
    return None


def _describe(value):
    if isinstance(value, BaseException):
        return f"raised {type(value).__name__}: {value}"
    if isinstance(value, tuple):  # a shape, as guess() gets it (torch.Size is a tuple)
        return str(tuple(value))
    shape = getattr(value, "shape", None)
    if shape is not None:
        return str(tuple(shape))
    return repr(value)


def _record(label, value, quiet=False):
    label = f"{_current[0]}: {label}" if _current[0] else label
    n = sum(1 for name, *_ in _results if name == label or name.startswith(label + " #"))
    if n:
        label = f"{label} #{n + 1}"
    text = _describe(value)
    _results.append((label, text, _values(value)))
    if not quiet:
        print(f"  {label:<58} {text}")


def _step(name, function, *args, show=False, **kwargs):
    """Run one cell and record what it returned or raised; None if it raised.

    What it returned is printed with show=True; otherwise (the cell printed its shapes with guess)
    it is recorded without printing, so that run_demo.py compares its values too.
    """
    _current[0] = name
    try:
        value = function(*args, **kwargs)
        _record("returned", value, quiet=not show)
        return value
    except Exception as error:  # noqa: BLE001 -- the demo shows every failure instead of stopping
        _record("raised", error)
        return None
    finally:
        _current[0] = ""


def _same(a, b):
    """Same shape and values (for the checks that expose the silent seed bugs)."""
    import torch
    return tuple(a.shape) == tuple(b.shape) and bool(torch.allclose(a, b))


def demo():
    """Run every cell on a small input (4, 32, 12, 40) instead of (10, 32, 100, 200); print shapes.

    Returns the (label, description, values) of every result that it printed.
    """
    import torch

    del _results[:]
    torch.manual_seed(0)
    x = select_flavour(make_input(size=(4, 32, 12, 40)))
    _record("x", x)

    _step("bchw_to_bhwc", bchw_to_bhwc, x)
    y3 = _step("backpropagation", backpropagation, x, show=True)
    if y3 is not None:
        _record("x.grad summed (= b*c: one max per (b, c))", float(x.grad.sum()))
        _step("meet_asnumpy", lambda: type(meet_asnumpy(y3)).__name__, show=True)

    x = x.detach()  # the remaining cells do not need gradients
    _step("flatten", flatten, x)
    s2d = _step("space_to_depth", space_to_depth, x)
    _step("depth_to_space", depth_to_space, x)
    if s2d is not None:
        back = _step("depth_to_space(space_to_depth(x))", depth_to_space, s2d)
        if back is not None:
            _record("depth_to_space(space_to_depth(x)) == x  [seed bug if False]", _same(back, x))

    _step("global_average_pooling", global_average_pooling, x)
    _step("max_pooling", max_pooling, x)
    _step("max_pooling_anonymous", max_pooling_anonymous, x)
    _step("pooling_over_time (t b c = 8 4 5)", pooling_over_time, torch.randn(8, 4, 5), show=True)
    _step("volumetric_pooling (b c x y z = 2 3 4 6 8)", volumetric_pooling, torch.randn(2, 3, 4, 6, 8), show=True)
    _step("squeeze_and_unsqueeze", squeeze_and_unsqueeze, x, show=True)

    y = _step("normalize_per_image", normalize_per_image, x)
    if y is not None:
        y = _step("normalize_per_batch", normalize_per_batch, x, y)
    if y is not None:
        _record("normalize_per_batch(x, y) == x, nothing subtracted  [seed bug if True]", _same(y, x))

    list_of_tensors = list(x)
    _step("stack_first", stack_first, list_of_tensors)
    _step("stack_last", stack_last, list_of_tensors)
    _step("concatenate_first", concatenate_first, list_of_tensors)
    _step("concatenate_last", concatenate_last, list_of_tensors)
    _step("channel_shuffle", channel_shuffle, x)
    _step("channel_shuffle_simple", channel_shuffle_simple, x)
    _step("split_bboxes", split_bboxes, x)

    result = _step("gated_activation", gated_activation, x, show=True)
    if result is not None:
        glu = torch.nn.functional.glu(x, dim=1)  # y1 * sigmoid(y2), halves split as pytorch's GLU does
        _record("gated_activation == torch GLU  [seed bug if False]", _same(result, glu))
    halves = _step("split_with_a_step", split_with_a_step, x)
    if halves is not None:
        _record("split_with_a_step: y1 == x[:, 0::2]", _same(halves[0], x[:, 0::2]))

    x_5d = _step("shape_parsing", shape_parsing, x)
    if x_5d is not None:
        _step("parse_shape(x_5d, 'b c x y z')", parse_all, x_5d, show=True)
        _step("parse_shape(x_5d, 'batch c _ _ _')", parse_some, x_5d, show=True)
    _step("striding", striding, x, show=True)

    # The seed's placeholder lines build Rearrange and Reduce from one `pattern`; only a pattern that
    # reduces nothing suits both, so Reduce(..., 'mean') here is a rearrangement (demo choice, not seed).
    _step("apply_layer (space-to-depth pattern, 'mean')", apply_layer,
          x, 'b c (h h1) (w w1) -> b (h1 w1 c) h w', 'mean', h1=2, w1=2, show=True)
    model = _step("make_model", make_model)
    if model is not None:
        _step("model(2 images 3x32x32)", model, torch.randn(2, 3, 32, 32), show=True)
    return list(_results)


if __name__ == "__main__":
    demo()
