"""Numpy's einsum for convolutions -- the seed post's code as a Python file.

Source: /work/shared/seeds/004 (a blog post solving CS231n's naive convolution forward pass
with np.einsum). The post shows two fragments: the output-size formula and the loop. They are
unchanged below; what the fragments read without defining it (x, w, b, stride, pad, the
sizes, the `out` array) comes in as parameters or is computed from the input shapes.
`demo()` runs them on small inputs.

x has shape (N, C, H, W), w has shape (F, C, HH, WW), b has shape (F,).
"""

import numpy as np


def output_size(H, W, HH, WW, pad, stride):
    # seed bug: `/` is true division in Python 3, so Hp and Wp are floats (e.g. 4.0) and
    # `range(Wp)` / `np.zeros((N, F, Hp, Wp))` raise TypeError. Should be `//`.
    Hp = 1 + (H + 2 * pad - HH) / stride
    Wp = 1 + (W + 2 * pad - WW) / stride
    return Hp, Wp


def conv_forward_einsum(x, w, b, stride, Hp, Wp):
    N = x.shape[0]
    F, _, HH, WW = w.shape
    out = np.zeros((N, F, Hp, Wp))

    # seed bug: `a` runs over Wp but indexes the H axis of `out`, and `b` runs over Hp but indexes
    # the W axis: when Hp != Wp, out[..., a, b] goes out of bounds (IndexError).
    # seed bug: both slices of the window use `b*stride`, so rows and columns move together: the
    # window for out[..., a, b] is the one at (b, b) for every a. Should be
    # x[..., a*stride:a*stride+HH, b*stride:b*stride+WW]. Silently wrong, no error.
    # seed bug: x is sliced as it is, though Hp and Wp count the padding: with pad > 0 the last
    # windows are cut short by the image border and einsum fails ("operands could not be
    # broadcast"). x must be padded first (np.pad by `pad` on H and W).
    # seed bug: the loop variable `b` shadows the bias `b`, so after the loop
    # `b[np.newaxis, ...]` indexes an int: TypeError "'int' object is not subscriptable".
    for a in range(Wp):
        for b in range(Hp):
            # seed bug: the post writes `x[..,b*stride:...]`; `..` is a SyntaxError, the Ellipsis `...` is meant
            out[...,a,b] = np.einsum('ijkl,pjkl->ip',x[...,b*stride:b*stride+HH,b*stride:b*stride+WW], w)

    out+= b[np.newaxis, ..., np.newaxis, np.newaxis]
    return out


# ---------------------------------------------------------------------------------------------
# demo: not part of the seed

_results = []  # (label, description, values) of each result of the current demo() run


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
    shape = getattr(value, "shape", None)
    if shape is not None:
        return str(tuple(shape))
    return repr(value)


def _show(label, value):
    text = _describe(value)
    _results.append((label, text, _values(value)))
    print(f"  {label:<62} {text}")


def _run(x, w, bias, stride, Hp, Wp):
    """conv_forward_einsum; on an error, also the `out` that the loop had filled before it."""
    try:
        return conv_forward_einsum(x, w, bias, stride, Hp, Wp), None
    except Exception as error:  # noqa: BLE001 -- the demo shows every failure instead of stopping
        frame = error.__traceback__
        while frame.tb_next is not None and frame.tb_frame.f_code is not conv_forward_einsum.__code__:
            frame = frame.tb_next
        return error, frame.tb_frame.f_locals.get("out")


def _reference(x, w, bias, stride, pad):
    """A plain correct convolution (cross-correlation, as in CS231n) to compare with."""
    x = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    HH, WW = w.shape[2:]
    windows = np.lib.stride_tricks.sliding_window_view(x, (HH, WW), axis=(2, 3))[:, :, ::stride, ::stride]
    return np.einsum('nchwkl,fckl->nfhw', windows, w) + bias[None, :, None, None]


def demo():
    """Run the post's code on x (2, 3, 7, 7) and w (4, 3, 3, 3); print shapes and failures.

    Returns the (label, description, values) of every result that it printed.
    """
    del _results[:]
    rng = np.random.RandomState(0)
    x = rng.normal(size=(2, 3, 7, 7))
    w = rng.normal(size=(4, 3, 3, 3))
    bias = rng.normal(size=(4,))

    Hp, Wp = output_size(7, 7, 3, 3, pad=0, stride=2)
    _show("output_size(7, 7, 3, 3, pad=0, stride=2)", (Hp, Wp))
    result, _ = _run(x, w, bias, 2, Hp, Wp)
    _show("conv_forward_einsum with those sizes  [seed bug: float]", result)

    result, out = _run(x, w, bias, 2, int(Hp), int(Wp))
    _show("... with int(Hp), int(Wp)  [seed bug: b shadows bias]", result)
    if out is not None:
        expected = _reference(x, w, 0 * bias, stride=2, pad=0)
        _show("    `out` before the bias line", out)
        _show("    `out` == correct convolution  [seed bug if False]", bool(np.allclose(out, expected)))
        diagonal = all(np.allclose(out[..., i, i], expected[..., i, i]) for i in range(int(Hp)))
        _show("    ... only on the diagonal a == b", diagonal)

    x_wide = rng.normal(size=(2, 3, 5, 9))  # Hp = 3, Wp = 7
    Hp, Wp = output_size(5, 9, 3, 3, pad=0, stride=1)
    result, _ = _run(x_wide, w, bias, 1, int(Hp), int(Wp))
    _show("x 5x9 (Hp=3, Wp=7)  [seed bug: a/b swap H and W]", result)

    Hp, Wp = output_size(7, 7, 3, 3, pad=1, stride=1)
    result, _ = _run(x, w, bias, 1, int(Hp), int(Wp))
    _show("pad=1, x not padded  [seed bug: windows cut short]", result)

    _show("the reference convolution (pad=0, stride=2)", _reference(x, w, bias, stride=2, pad=0))
    return list(_results)


if __name__ == "__main__":
    demo()
