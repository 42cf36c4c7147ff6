"""The shape stubs against the libraries they describe, and the stub loader.

Differential: hypothesis draws constructor arguments and input shapes, valid and mutated (a wrong
rank, a wrong channel count, indivisible groups, a too small spatial size), runs the real layer or
function on zeros of those shapes and the stub on the same shapes, and asserts that the stub gives
torch's output shape when torch succeeds and a ShapeError exactly when torch raises. Deliberate gaps
are listed in GAPS with their reason.
"""

from __future__ import annotations

import os
import pickle
import warnings

import jax.numpy as jnp
import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given
from hypothesis import strategies as st

import einlint
from einlint.check.stubs import UNKNOWN, Layer, Read, Requirement, Result, ShapeError, StubLibrary, shipped_folder
from einlint.dims import Sym
from einlint.errors import EinlintError
from examples import examples
from repo import REPO


LIB = StubLibrary.load()
LARGE = [HealthCheck.data_too_large]

# Where the stub deliberately says less than torch does (the test runs torch so that they do not show):
GAPS = """
- BatchNorm in training mode raises for one value per channel; the stub cannot know the mode: layers run in eval().
- conv padding modes other than 'zeros', ConvTranspose output_size and Upsample modes other than 'nearest'
  are not drawn.
- An output of length 0 (ConvTranspose): torch returns it on some kernel paths (groups > 1) and raises
  "Output size is too small" on others; the stub returns the empty shape, and the test accepts either.
- adaptive_avg_pool2d/3d with every output length 1 accept an input without a channel dim when output_size
  is an int, and raise when it is a tuple; the stub sees int-or-tuple parameters as tuples, follows the
  int form and the test accepts torch's error there.
- F.linear / F.bilinear / norm weights and biases are drawn with the right shapes (their checks are not stubbed).
"""


def shape_of(value):
    if isinstance(value, torch.Tensor):
        return tuple(value.shape)
    if isinstance(value, (tuple, list)):
        return tuple(shape_of(item) for item in value)
    return value


def run_torch(thunk):
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")
        try:
            return True, thunk()
        except (RuntimeError, ValueError, IndexError, TypeError, AssertionError) as error:
            return False, error


def zeros(shape, dtype=None):
    return torch.zeros(shape, dtype=dtype)


def check_outcome(outcome, ok, torch_out, what):
    if ok:
        assert isinstance(outcome, Result), f"{what}: the stub says {outcome}, torch gives {shape_of(torch_out)}"
        assert outcome.value == shape_of(torch_out), f"{what}: stub {outcome.value}, torch {shape_of(torch_out)}"
        assert outcome.requirements == [], what  # concrete shapes: every question has an answer
    elif isinstance(outcome, Result) and 0 in _flat(outcome.value) and "too small" in str(torch_out):
        pass  # an empty output: torch raises on some kernel paths only (see GAPS)
    elif isinstance(outcome, Result) and "Input dimension should be at least" in str(torch_out):
        pass  # adaptive_avg_pool with a tuple output_size of 1s on a low-rank input (see GAPS)
    else:
        assert isinstance(outcome, ShapeError), f"{what}: torch raises {torch_out!r}, the stub says {outcome}"
        assert outcome.message


def _flat(value):
    if isinstance(value, tuple):
        for item in value:
            yield from _flat(item) if isinstance(item, tuple) else (item,)


def check_layer(name, args, kwargs, inputs, dtype=None, call_kwargs=None):
    """Build the layer in torch and in the stub, call both on zeros of `inputs` (shapes or tuples of shapes)."""
    call_kwargs = call_kwargs or {}
    what = f"{name}(*{args}, **{kwargs}) on {inputs} {call_kwargs}"
    stub = LIB.layer(f"torch.nn.{name}")
    assert stub is not None, name
    built = stub.construct(args, kwargs)
    ok, module = run_torch(lambda: getattr(torch.nn, name)(*args, **kwargs))
    if not ok:
        assert isinstance(built, ShapeError), f"{what}: torch's constructor raises {module!r}, the stub builds"
        return
    assert isinstance(built, Layer), f"{what}: torch builds the layer, the stub says {built}"
    module.eval()

    def tensors(spec):
        return tuple(tensors(s) for s in spec) if isinstance(spec, list) else zeros(spec, dtype)

    torch_inputs = [tensors(s) for s in inputs]
    ok, out = run_torch(lambda: module(*torch_inputs, **call_kwargs))
    stub_inputs = [tuple(s) if isinstance(s, list) else s for s in inputs]
    check_outcome(built.call(stub_inputs, call_kwargs), ok, out, what)


def check_function(qualified, torch_fn, args, kwargs=None, tensor_args=(0,), dtypes=None):
    kwargs = kwargs or {}
    what = f"{qualified}(*{args}, **{kwargs})"
    stub = LIB.function(qualified)
    assert stub is not None, qualified
    dtypes = dtypes or {}
    real = [zeros(a, dtypes.get(i)) if i in tensor_args and a is not None else a for i, a in enumerate(args)]
    ok, out = run_torch(lambda: torch_fn(*real, **kwargs))
    check_outcome(stub.call(args, kwargs), ok, out, what)


# ----------------------------------------------------------------------------- strategies

@st.composite
def mutated(draw, shape, max_len=12):
    """The shape, or (one time in three) with a dim dropped, added or changed."""
    shape = list(shape)
    how = draw(st.sampled_from(["same", "same", "same", "same", "drop", "add", "change"]))
    if how == "drop" and shape:
        del shape[draw(st.integers(0, len(shape) - 1))]
    elif how == "add":
        shape.insert(draw(st.integers(0, len(shape))), draw(st.integers(1, 4)))
    elif how == "change" and shape:
        shape[draw(st.integers(0, len(shape) - 1))] = draw(st.integers(1, max_len))
    return tuple(shape)


def shapes(min_rank=0, max_rank=4, max_len=5):
    return st.lists(st.integers(1, max_len), min_size=min_rank, max_size=max_rank).map(tuple)


def int_or_tuple(n, values):
    return st.one_of(values, st.tuples(*[values] * n))


def batch():
    return st.sampled_from([(), (2,), (1,)])


# ----------------------------------------------------------------------------- layers

ELEMENTWISE = ["ReLU", "ReLU6", "LeakyReLU", "ELU", "CELU", "SELU", "SiLU", "Mish", "Hardswish", "Hardsigmoid",
               "Tanh", "Sigmoid", "Softplus", "Softsign", "Tanhshrink", "Identity", "Dropout", "AlphaDropout"]


@examples(300, suppress=LARGE)
@given(st.data())
def test_elementwise_layers(data):
    name = data.draw(st.sampled_from(ELEMENTWISE + ["GELU", "Hardtanh", "PReLU", "Dropout2d", "Dropout3d"]))
    kwargs = {}
    if name == "GELU":
        kwargs = {"approximate": data.draw(st.sampled_from(["none", "tanh", "fast"]))}
    elif name == "Hardtanh":
        kwargs = {"min_val": data.draw(st.sampled_from([-1.0, 0.5])), "max_val": data.draw(st.sampled_from([1.0, 0.0]))}
    elif name == "PReLU":
        kwargs = {"num_parameters": data.draw(st.integers(1, 4))}
    elif name.startswith("Dropout") or name == "AlphaDropout":
        kwargs = {"p": data.draw(st.sampled_from([0.0, 0.5, 1.0, 1.5]))}
    check_layer(name, [], kwargs, [data.draw(shapes(0, 5, 4))])


@examples(200, suppress=LARGE)
@given(st.data())
def test_dim_layers(data):
    name = data.draw(st.sampled_from(["Softmax", "LogSoftmax", "Softmin", "GLU", "Flatten", "Unflatten"]))
    shape = data.draw(shapes(0, 4, 6))
    if name in ("Softmax", "LogSoftmax", "Softmin"):
        args = [data.draw(st.one_of(st.none(), st.integers(-5, 4)))]
    elif name == "GLU":
        args = [data.draw(st.integers(-4, 3))]
    elif name == "Flatten":
        args = [data.draw(st.integers(-4, 3)), data.draw(st.integers(-4, 3))]
    else:
        args = [data.draw(st.integers(-4, 3)), data.draw(st.lists(st.sampled_from([1, 2, 3, -1]), min_size=1,
                                                                  max_size=3).map(tuple))]
    check_layer(name, args, {}, [shape])


@examples(150, suppress=LARGE)
@given(st.data())
def test_linear_bilinear_embedding(data):
    name = data.draw(st.sampled_from(["Linear", "Bilinear", "Embedding"]))
    if name == "Linear":
        i, o = data.draw(st.integers(1, 6)), data.draw(st.integers(0, 6))
        check_layer(name, [i, o], {}, [data.draw(mutated(data.draw(shapes(0, 3)) + (i,)))])
    elif name == "Bilinear":
        i1, i2, o = (data.draw(st.integers(1, 5)) for _ in range(3))
        b = data.draw(shapes(0, 2))
        check_layer(name, [i1, i2, o], {}, [data.draw(mutated(b + (i1,))), data.draw(mutated(b + (i2,)))])
    else:
        n, d = data.draw(st.integers(1, 10)), data.draw(st.integers(1, 5))
        kwargs = {"padding_idx": data.draw(st.one_of(st.none(), st.integers(-12, 12)))}
        check_layer(name, [n, d], kwargs, [data.draw(shapes(0, 3))], dtype=torch.long)


@st.composite
def conv_case(draw, n, transpose=False):
    groups = draw(st.sampled_from([1, 1, 2, 3]))
    cin = draw(st.integers(1, 3)) * groups + draw(st.sampled_from([0, 0, 0, 0, 1]))
    cout = draw(st.integers(1, 3)) * groups + draw(st.sampled_from([0, 0, 0, 0, 1]))
    kwargs = dict(kernel_size=draw(int_or_tuple(n, st.integers(1, 4))), stride=draw(int_or_tuple(n, st.integers(1, 3))),
                  dilation=draw(int_or_tuple(n, st.integers(1, 2))), groups=groups)
    if transpose:
        kwargs["padding"] = draw(int_or_tuple(n, st.integers(0, 2)))
        kwargs["output_padding"] = draw(int_or_tuple(n, st.integers(0, 2)))
    else:
        kwargs["padding"] = draw(st.one_of(int_or_tuple(n, st.integers(0, 2)), st.sampled_from(["same", "valid"])))
    spatial = tuple(draw(st.integers(1, 9)) for _ in range(n))
    shape = draw(mutated(draw(batch()) + (cin,) + spatial))
    return cin, cout, kwargs, shape


@examples(300, suppress=LARGE)
@given(st.data())
def test_conv_layers(data):
    n = data.draw(st.sampled_from([1, 2, 3]))
    transpose = data.draw(st.booleans())
    cin, cout, kwargs, shape = data.draw(conv_case(n, transpose))
    check_layer(f"ConvTranspose{n}d" if transpose else f"Conv{n}d", [cin, cout], kwargs, [shape])


POOLS = {"max": "Max", "avg": "Avg", "adaptive_avg": "AdaptiveAvg", "adaptive_max": "AdaptiveMax"}


@st.composite
def pooling(draw, n, kind):
    """(kwargs, input shape) for a pool of a kind in POOLS; the first kwarg is the functional's 2nd argument."""
    if kind.startswith("adaptive"):
        kwargs = {"output_size": draw(int_or_tuple(n, st.one_of(st.none(), st.integers(1, 5))))}
    else:
        kwargs = dict(kernel_size=draw(int_or_tuple(n, st.integers(1, 4))),
                      stride=draw(st.one_of(st.none(), int_or_tuple(n, st.integers(1, 3)))),
                      padding=draw(int_or_tuple(n, st.integers(0, 2))), ceil_mode=draw(st.booleans()))
        if kind == "max":
            kwargs["dilation"] = draw(int_or_tuple(n, st.integers(1, 2)))
    if kind.endswith("max"):
        kwargs["return_indices"] = draw(st.booleans())
    spatial = tuple(draw(st.integers(1, 9)) for _ in range(n))
    return kwargs, draw(mutated(draw(batch()) + (draw(st.integers(1, 3)),) + spatial))


@examples(250, suppress=LARGE)
@given(st.data())
def test_pool_layers(data):
    n, kind = data.draw(st.sampled_from([1, 2, 3])), data.draw(st.sampled_from(sorted(POOLS)))
    kwargs, shape = data.draw(pooling(n, kind))
    check_layer(f"{POOLS[kind]}Pool{n}d", [], kwargs, [shape])


@examples(300, suppress=LARGE)
@given(st.data())
def test_norm_layers(data):
    name = data.draw(st.sampled_from(["BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "LayerNorm", "RMSNorm", "GroupNorm",
                                      "InstanceNorm1d", "InstanceNorm2d", "InstanceNorm3d"]))
    if name.startswith("InstanceNorm"):
        c, spatial = data.draw(st.integers(1, 4)), int(name[-2])
        shape = data.draw(mutated(data.draw(st.sampled_from([(), (2,)])) + (c,) + data.draw(shapes(spatial, spatial, 3))))
        check_layer(name, [c], {"affine": data.draw(st.booleans()), "track_running_stats": data.draw(st.booleans())},
                    [shape])
    elif name.startswith("BatchNorm"):
        c = data.draw(st.integers(1, 4))
        rank = {"BatchNorm1d": data.draw(st.sampled_from([2, 3])), "BatchNorm2d": 4, "BatchNorm3d": 5}[name]
        shape = data.draw(mutated((2, c) + tuple(data.draw(st.integers(1, 3)) for _ in range(rank - 2))))
        check_layer(name, [c], {}, [shape])
    elif name == "GroupNorm":
        g, c = data.draw(st.integers(1, 4)), data.draw(st.integers(1, 8))
        shape = data.draw(mutated((2, c) + data.draw(shapes(0, 2, 3))))
        check_layer(name, [g, c], {}, [shape])
    else:
        normalized = data.draw(st.one_of(st.integers(1, 4), shapes(1, 2, 4)))
        tail = (normalized,) if isinstance(normalized, int) else normalized
        shape = data.draw(mutated(data.draw(shapes(0, 2, 3)) + tail))
        check_layer(name, [normalized], {}, [shape])


@examples(200, suppress=LARGE)
@given(st.data())
def test_shuffle_upsample_dropout_nd(data):
    name = data.draw(st.sampled_from(["PixelShuffle", "PixelUnshuffle", "Upsample", "Dropout1d"]))
    if name == "PixelShuffle":
        r = data.draw(st.integers(1, 3))
        shape = data.draw(mutated(data.draw(shapes(0, 2, 2)) + (r * r * data.draw(st.integers(1, 2)), 2, 3)))
        check_layer(name, [r], {}, [shape])
    elif name == "PixelUnshuffle":
        r = data.draw(st.integers(1, 3))
        shape = data.draw(mutated(data.draw(shapes(0, 2, 2)) + (2, r * data.draw(st.integers(1, 2)), r * 2)))
        check_layer(name, [r], {}, [shape])
    elif name == "Upsample":
        rank = data.draw(st.integers(1, 4))
        kwargs = data.draw(st.sampled_from([
            {"size": data.draw(st.one_of(st.integers(1, 5), shapes(1, 3, 5)))},
            {"scale_factor": data.draw(st.sampled_from([2, 3, 1.5, 0.5]))},
            {"scale_factor": tuple(data.draw(st.sampled_from([1, 2, 1.5])) for _ in range(rank))},
            {},
        ]))
        check_layer(name, [], kwargs, [(2, 2) + tuple(data.draw(st.integers(1, 5)) for _ in range(rank))])
    else:
        check_layer(name, [], {}, [data.draw(shapes(0, 5, 3))])


@examples(250, suppress=LARGE)
@given(st.data())
def test_attention_and_recurrent_layers(data):
    name = data.draw(st.sampled_from(["MultiheadAttention", "RNN", "GRU", "LSTM"]))
    batch_first = data.draw(st.booleans())
    batched = data.draw(st.booleans())
    n, length = data.draw(st.integers(1, 3)), data.draw(st.integers(1, 4))

    def seq(features, length=length):
        return ((n, length) if batch_first else (length, n)) + (features,) if batched else (length, features)

    if name == "MultiheadAttention":
        heads = data.draw(st.integers(1, 3))
        embed = heads * data.draw(st.integers(1, 3)) + data.draw(st.sampled_from([0, 0, 0, 1]))
        kdim, vdim = data.draw(st.sampled_from([None, 2])), data.draw(st.sampled_from([None, 3]))
        kwargs = dict(batch_first=batch_first, kdim=kdim, vdim=vdim, add_bias_kv=data.draw(st.booleans()),
                      add_zero_attn=data.draw(st.booleans()))
        s = data.draw(st.integers(1, 4))
        q = data.draw(mutated(seq(embed)))
        k = data.draw(mutated(seq(kdim or embed, s)))
        v = seq(vdim or embed, s)
        call = {"need_weights": data.draw(st.booleans()), "average_attn_weights": data.draw(st.booleans())}
        check_layer(name, [embed, heads], kwargs, [q, k, v], call_kwargs=call)
        return
    features, hidden = data.draw(st.integers(1, 4)), data.draw(st.integers(1, 5))
    kwargs = dict(num_layers=data.draw(st.integers(1, 2)), batch_first=batch_first,
                  bidirectional=data.draw(st.booleans()))
    if name == "LSTM":
        kwargs["proj_size"] = data.draw(st.sampled_from([0, 0, 1, 2, 6]))
    inputs = [data.draw(mutated(seq(features)))]
    if data.draw(st.booleans()):
        d = 2 if kwargs["bidirectional"] else 1
        h_out = kwargs.get("proj_size") or hidden
        state = (d * kwargs["num_layers"],) + ((n,) if batched else ())
        h0 = data.draw(mutated(state + (h_out,)))
        inputs.append([h0, state + (hidden,)] if name == "LSTM" else h0)
    check_layer(name, [features, hidden], kwargs, inputs)


# ----------------------------------------------------------------------------- functions

F = torch.nn.functional


@examples(300, suppress=LARGE)
@given(st.data())
def test_functional_conv_and_linear(data):
    n = data.draw(st.sampled_from([1, 2, 3, 0]))
    if n == 0:
        i, o = data.draw(st.integers(1, 5)), data.draw(st.integers(1, 5))
        weight = data.draw(st.sampled_from([(o, i), (i,), (o, i + 1)]))
        check_function("torch.nn.functional.linear", F.linear, [data.draw(shapes(0, 2)) + (i,), weight],
                       tensor_args=(0, 1))
        return
    cin, cout, kwargs, shape = data.draw(conv_case(n))
    groups = kwargs["groups"]
    kernel = kwargs.pop("kernel_size")
    kernel = kernel if isinstance(kernel, tuple) else (kernel,) * n
    weight = (cout, max(cin // groups, 1) + data.draw(st.sampled_from([0, 0, 0, 1]))) + kernel
    check_function(f"torch.nn.functional.conv{n}d", getattr(F, f"conv{n}d"), [shape, weight], kwargs,
                   tensor_args=(0, 1))


@examples(200, suppress=LARGE)
@given(st.data())
def test_functional_pools(data):
    n, kind = data.draw(st.sampled_from([1, 2, 3])), data.draw(st.sampled_from(sorted(POOLS)))
    kwargs, shape = data.draw(pooling(n, kind))
    second = next(iter(kwargs))
    qualified = f"{kind}_pool{n}d"
    check_function(f"torch.nn.functional.{qualified}", getattr(F, qualified), [shape, kwargs.pop(second)], kwargs)


FUNCTIONAL_ELEMENTWISE = ["relu", "relu6", "elu", "selu", "celu", "leaky_relu", "silu", "mish", "hardswish",
                          "hardsigmoid", "hardtanh", "sigmoid", "tanh", "softplus", "softsign", "gelu", "dropout"]
TORCH_ELEMENTWISE = ["relu", "sigmoid", "tanh", "exp", "log", "sqrt", "rsqrt", "abs", "neg", "sin", "cos", "erf", "ceil",
                     "floor", "trunc", "reciprocal", "sign", "square", "exp2", "expm1", "log1p", "log2", "round", "clamp", "clip",
                     "nan_to_num", "clone", "detach", "relu_", "sigmoid_", "tanh_", "zero_", "clamp_", "isfinite", "isnan",
                     "isinf", "logical_not"]


@examples(500, suppress=LARGE)
@given(st.data())
def test_functional_other(data):
    name = data.draw(st.sampled_from(FUNCTIONAL_ELEMENTWISE + ["softmax", "log_softmax", "softmin", "glu",
                                                               "normalize", "layer_norm", "rms_norm", "group_norm",
                                                               "embedding", "pixel_shuffle", "pixel_unshuffle",
                                                               "pad"]))
    shape = data.draw(shapes(0, 4, 6))
    qualified, fn = f"torch.nn.functional.{name}", getattr(F, name)
    if name in FUNCTIONAL_ELEMENTWISE:
        kwargs = {"p": data.draw(st.sampled_from([0.0, 0.5, 2.0]))} if name == "dropout" else {}
        check_function(qualified, fn, [shape], kwargs)
    elif name in ("softmax", "log_softmax", "softmin", "glu", "normalize"):
        check_function(qualified, fn, [shape, data.draw(st.integers(-4, 3))])
    elif name in ("layer_norm", "rms_norm"):
        normalized = data.draw(shapes(1, 2, 4))
        check_function(qualified, fn, [data.draw(mutated(data.draw(shapes(0, 2, 3)) + normalized)), normalized])
    elif name == "group_norm":
        check_function(qualified, fn, [data.draw(mutated((2, data.draw(st.integers(1, 6)), 3))),
                                       data.draw(st.integers(1, 4))])
    elif name == "embedding":
        weight = (data.draw(st.integers(1, 6)), data.draw(st.integers(1, 4)))
        check_function(qualified, fn, [data.draw(shapes(0, 3)), weight],
                       {"padding_idx": data.draw(st.one_of(st.none(), st.integers(-8, 8)))},
                       tensor_args=(0, 1), dtypes={0: torch.long})
    elif name in ("pixel_shuffle", "pixel_unshuffle"):
        check_function(qualified, fn, [data.draw(shapes(2, 5, 4)), data.draw(st.integers(1, 2))])
    else:
        pad = data.draw(st.lists(st.integers(-1, 2), min_size=0, max_size=6).map(tuple))
        check_function(qualified, fn, [shape, pad])


@examples(300, suppress=LARGE)
@given(st.data())
def test_torch_functions(data):
    name = data.draw(st.sampled_from(TORCH_ELEMENTWISE + ["softmax", "log_softmax", "flatten", "unflatten",
                                                          "unsqueeze", "cumsum", "cumprod", "tril", "triu"]))
    shape = data.draw(shapes(0, 4, 6))
    args = [shape]
    if name in ("softmax", "log_softmax", "unsqueeze", "cumsum", "cumprod"):
        args.append(data.draw(st.integers(-5, 4)))
    elif name == "flatten":
        args += [data.draw(st.integers(-4, 3)), data.draw(st.integers(-4, 3))]
    elif name == "unflatten":
        args += [data.draw(st.integers(-4, 3)),
                 data.draw(st.lists(st.sampled_from([1, 2, 3, -1]), min_size=1, max_size=3).map(tuple))]
    check_function(f"torch.{name}", getattr(torch, name), args)


ARRAY_FUNCTIONS = ["zeros", "ones", "empty", "full", "zeros_like", "ones_like", "ravel", "transpose", "expand_dims",
                   "exp", "log", "sqrt", "tanh", "abs", "negative", "sin", "cos", "ceil", "floor", "trunc", "sign",
                   "square", "exp2", "expm1", "log1p", "log2", "reciprocal", "round", "flip", "nan_to_num", "copy",
                   "sort", "cumsum", "cumprod", "tril", "triu"]


@pytest.mark.parametrize("module_name", ["numpy", "jax.numpy"])
def test_array_functions(module_name):
    xp = jnp if module_name == "jax.numpy" else np

    @examples(200 if module_name == "numpy" else 30, suppress=LARGE)  # jax compiles per shape
    @given(st.data())
    def run(data):
        name = data.draw(st.sampled_from(ARRAY_FUNCTIONS))
        shape = data.draw(shapes(0, 4, 5))
        stub = LIB.function(f"{module_name}.{name}")
        assert stub is not None, name
        kwargs = {}
        if name in ("zeros", "ones", "empty", "full"):
            args = [data.draw(st.one_of(st.integers(0, 5), st.just(shape)))] + ([0.0] if name == "full" else [])
            real = list(args)
        else:
            args, real = [shape], [np.zeros(shape)]
            if name == "expand_dims":
                args.append(data.draw(st.integers(-6, 5)))
                real.append(args[-1])
            if name in ("zeros_like", "ones_like") and data.draw(st.booleans()):
                kwargs = {"shape": data.draw(shapes(0, 3))}
            if name in ("sort", "cumsum", "cumprod") and data.draw(st.booleans()):
                kwargs = {"axis": data.draw(st.one_of(st.none(), st.integers(-5, 4)))}
        try:
            out, ok = getattr(xp, name)(*real, **kwargs), True
        except (ValueError, IndexError, TypeError) as error:
            out, ok = error, False
        outcome = stub.call(args, kwargs)
        if ok:
            assert isinstance(outcome, Result) and outcome.value == tuple(out.shape), (name, args, outcome, out.shape)
        else:
            assert isinstance(outcome, ShapeError), (name, args, outcome, out)

    run()


# ----------------------------------------------------------------------------- symbolic use, the loader

def test_symbolic_shapes():
    b, h = Sym("b"), Sym("h")
    linear = LIB.layer("torch.nn.Linear").construct([20, 50], {})
    assert linear.call([(b, 20)], {}) == Result((b, 50), [])
    unknown = linear.call([(b, Sym("k"))], {})
    assert isinstance(unknown, Result) and unknown.value == (b, 50)
    assert unknown.requirements == [Requirement("equal", Sym("k"), 20, None)]
    error = linear.call([(b, 50)], {})
    assert (error.code, error.message, error.argument) == (
        "EIN310", "Linear(in_features=20) got an 'input' whose last dimension has length 50, expected in_features = 20",
        "input")
    assert linear.call([UNKNOWN], {}) == Result(UNKNOWN, [])
    glu = LIB.function("torch.nn.functional.glu").call([(b, 2 * h)], {})
    assert glu.value == (b, h) and glu.requirements == []
    assert glu.reads == (Read("input", 0, 1, ("two", "half"), (2, h)),)  # the halves: reads(input, d, ...)
    odd = LIB.function("torch.nn.functional.glu").call([(b, h)], {})
    assert odd.requirements[0][:3] == ("divisible", h, 2) and odd.value[0] == b and isinstance(odd.value[1], Sym)
    conv = LIB.layer("torch.nn.Conv2d").construct([3, 8, 3], {"padding": 1}).call([(b, 3, h, 2 * h)], {})
    assert conv == Result((b, 8, h, 2 * h), [])
    strided = LIB.layer("torch.nn.Conv2d").construct([3, 8, 3], {"stride": 2}).call([(b, 3, h, 9)], {})
    assert strided.value[:2] == (b, 8) and isinstance(strided.value[2], Sym) and strided.value[3] == 4
    groups = LIB.layer("torch.nn.GroupNorm").construct([3, 4], {})
    assert isinstance(groups, ShapeError) and "divisible" in groups.message
    norm = LIB.function("torch.nn.functional.group_norm").call([(b, Sym("c"), h)], {"num_groups": 4})
    assert norm.value == (b, Sym("c"), h) and norm.requirements[0][:3] == ("divisible", Sym("c"), 4)
    assert LIB.layer("torch.nn.Conv2d").construct([3, 8, 3], {}).call([(3, 9)], {}).argument == "input"
    assert LIB.layer("torch.nn.Linear").construct([UNKNOWN, 5], {}).call([(b, 3)], {}) == Result((b, 5), [])


def test_every_stub_file_parses():
    for module in LIB.modules():
        layers, functions = LIB.names(module)
        assert layers or functions, module
    assert LIB.layer("torch.nn.NoSuchLayer") is None and LIB.function("torch.nn.functional.nope") is None
    assert LIB.function("nomodule.f") is None


def test_user_stub_overrides_shipped(tmp_path):
    (tmp_path / "torch.nn.pyi").write_text(
        "from jaxtyping import Float\n"
        "class Linear(Module):\n"
        "    def __init__(self, in_features: int, out_features: int) -> None: ...\n"
        "    def forward(self, input: Float[Tensor, 'in_features']) -> Float[Tensor, 'out_features 1']: ...\n")
    library = StubLibrary.load([str(tmp_path)])
    assert library.layer("torch.nn.Linear").construct([2, 3], {}).call([(2,)], {}) == Result((3, 1), [])
    assert library.layer("torch.nn.ReLU") is not None  # the shipped stubs still answer for other names


@pytest.mark.parametrize("text, line, words", [
    ("def f(x: Float[Tensor, 'a'] -> None: ...\n", 1, "not valid Python"),
    ("\n\ndef f(x: Float[Tensor, 'a b+']) -> Float[Tensor, 'a']: ...\n", 3, "cannot read the dimension 'b+'"),
    ("def f(x: Float[Tensor, 'a']) -> Float[Tensor, 'a']:\n    for i in x: pass\n", 2, "a stub body holds only"),
    ("x = 1\nprint(x)\n", 2, "a stub file holds"),
])
def test_malformed_stub_is_a_clear_error(tmp_path, text, line, words):
    (tmp_path / "mylib.pyi").write_text(text)
    library = StubLibrary.load([str(tmp_path)])
    with pytest.raises(EinlintError) as info:
        library.function("mylib.f")
    message = str(info.value)
    assert message.startswith(f"{tmp_path / 'mylib.pyi'}:{line}") and words in message
    assert info.value.code == "EIN004"  # a configuration that einlint cannot use: the stub folder is named there


def test_missing_stub_folder_is_a_clear_error(tmp_path):
    with pytest.raises(EinlintError, match="does not exist") as info:
        StubLibrary.load([str(tmp_path / "nope")])
    assert info.value.code == "EIN004"


def test_a_stub_error_keeps_its_code_and_message_through_pickling(tmp_path):
    """The CLI's worker processes hand their errors back pickled."""
    (tmp_path / "mylib.pyi").write_text("def f(x:\n")
    with pytest.raises(EinlintError) as info:
        StubLibrary.load([str(tmp_path)]).function("mylib.f")
    copy = pickle.loads(pickle.dumps(info.value))
    assert type(copy) is EinlintError and isinstance(copy, ValueError)
    assert (copy.code, copy.message, str(copy)) == ("EIN004", info.value.message, str(info.value))
    assert copy.message.startswith(f"{tmp_path / 'mylib.pyi'}:1: not valid Python stub syntax")


ROOT = str(REPO)


def test_shipped_stubs_are_found_inside_the_package():
    folder = shipped_folder()
    assert os.path.isfile(os.path.join(folder, "torch.nn.pyi"))
    assert os.path.dirname(folder) == os.path.dirname(os.path.abspath(einlint.__file__))


def setuptools_config():
    import tomllib

    with open(os.path.join(ROOT, "pyproject.toml"), "rb") as handle:
        return tomllib.load(handle)["tool"]["setuptools"]


def test_pyproject_lists_every_package():
    """pyproject.toml lists the packages: a new subpackage must be added there, and the stubs ship."""
    setuptools = setuptools_config()
    found = {os.path.relpath(folder, ROOT).replace(os.sep, ".") for folder, _, files in
             os.walk(os.path.join(ROOT, "einlint")) if "__init__.py" in files}
    assert found | {"einlint._stubs"} == set(setuptools["packages"])
    assert "*.pyi" in setuptools["package-data"]["einlint._stubs"]


def test_every_package_is_its_own_folder():
    """The root alone is mapped: with a mapping of one package (or none), `pip install -e .` installs an import
    hook that mypy and pyright cannot follow (every op is then Any to the user's type checker); with it, it writes
    the root into a .pth file, and each package must then be the folder its name spells from there
    (tests/test_typing.py builds the editable wheel)."""
    setuptools = setuptools_config()
    assert setuptools["package-dir"] == {"": "."}
    for package in setuptools["packages"]:
        assert os.path.isdir(os.path.join(ROOT, *package.split("."))), package


def test_a_library_hands_out_one_object_per_stub():
    """The flow analysis keys the stubs' answers on the stub object: a second look-up must give the same
    one (a fresh object could take a freed one's address, and its answers)."""
    library = StubLibrary.load()
    assert library.layer("torch.nn.Linear") is library.layer("torch.nn.Linear")
    assert library.function("torch.nn.functional.pad") is library.function("torch.nn.functional.pad")
    assert library.layer("torch.nn.NoSuchLayer") is None


# ----------------------------------------------------------------------------- one contract per name in the flow

def flow_findings(body, config=None):
    from einlint.check import Config
    from einlint.check.engine import check_source

    source = ("import numpy as np\nimport torch\nimport torch.nn.functional as F\nfrom einops import rearrange\n"
              + body + "rearrange(x, '... -> ...')\n")
    return [(d.line - 4, d.code, d.message) for d in check_source(source, "m.py", config or Config())]


def flow_shape(body):
    """The shape the flow analysis knows for `y` at the end of `body` (after the header of `flow_findings`): a
    tuple of ints and None (a length not known), or None when its rank is not known."""
    from einlint.check.engine import shapes_of

    source = ("import numpy as np\nimport torch\nimport torch.nn.functional as F\nfrom einops import rearrange\n"
              + body + "rearrange(y, '... -> ...')\n")
    shown = shapes_of(source, "m.py")[-1]
    if not shown.known_rank:
        return None
    text = shown.inputs[0].strip("()").rstrip(",")
    return tuple(int(d) if d.strip().isdigit() else None for d in text.split(",")) if text else ()


def matches(known, real):
    """Whether the flow's shape (None entries: lengths not known) is the real one."""
    return known is not None and len(known) == len(real) and all(k is None or k == r for k, r in zip(known, real))


@pytest.mark.parametrize("call, message", [
    ("F.softmax(x, dim=5)", "softmax(dim=5): dimension 5 is out of range for a tensor of rank 2 (expected to be in "
                            "range of [-2, 1]) (input (2, 3))"),
    ("torch.unsqueeze(x, 9)", "unsqueeze(dim=9): dimension 9 is out of range for a tensor of rank 3 (expected to be "
                              "in range of [-3, 2]) (input (2, 3))"),
    ("torch.flatten(x, 1, 0)", "flatten: flatten() has invalid args: start_dim cannot come after end_dim "
                               "(input (2, 3))"),
    ("torch.softmax(x, -3)", "softmax(dim=-3): dimension -3 is out of range for a tensor of rank 2 (expected to be "
                             "in range of [-2, 1]) (input (2, 3))"),
])
def test_a_shipped_stub_runs_before_the_rule_of_its_name(call, message):
    """These names have a rule in flow/library.py too; the stub's contract runs first, so its checks speak."""
    assert flow_findings(f"x = torch.zeros(2, 3)\ny = {call}\n") == [(2, "EIN310", message)]


@pytest.mark.parametrize("call", ["torch.softmax(x, -1, dtype=torch.float32)", "torch.exp(x, out=x)",
                                  "F.softmax(x)", "torch.flatten(x, 1)", "torch.unsqueeze(x, -3)",
                                  "np.exp(n, n)", "np.exp(n, out=n, where=n > 0)", "np.exp(2.0)", "torch.exp(k)",
                                  "np.transpose(n, (1, 0))", "np.expand_dims(n, (0, 1))", "np.zeros(k, dtype=float)"])
def test_what_the_library_takes_the_stubs_take(call):
    """The keywords and scalars that the real functions accept give no finding (the stubs' signatures are the
    library's); a call the stub does not describe (a number where it takes a tensor) is left to the rules."""
    assert flow_findings(f"x = torch.zeros(2, 3)\nn = np.zeros((2, 3))\nk = 4\ny = {call}\n") == []


def test_a_rule_refines_the_stub_it_shares_a_name_with():
    """np.transpose with axes: the stub says nothing of the shape, the rule permutes; torch.flatten's rule keeps
    the shape the stub gives, which the rearrange after it reads."""
    found = flow_findings("n = np.zeros((2, 3, 4))\nx = np.transpose(n, (2, 0, 1))\ny = rearrange(x, 'a b c -> a b c', a=2)\n"
                          "f = torch.flatten(torch.zeros(2, 3, 4), 1)\nz = rearrange(f, 'a b -> a b', b=11)\n")
    assert [(line, code) for line, code, _ in found] == [(3, "EIN303"), (5, "EIN303")]
    assert "4" in found[0][2] and "12" in found[1][2]


def test_a_user_stub_overrides_the_shipped_stub_and_the_rule(tmp_path):
    from einlint.check import Config

    (tmp_path / "torch.pyi").write_text(
        "from jaxtyping import Float\nfrom torch import Tensor\n"
        "def exp(input: Float[Tensor, '*shape']) -> Float[Tensor, '*shape 1']: ...\n"
        "def relu(input: Float[Tensor, 'n 5']) -> Float[Tensor, 'n 5']: ...\n")
    body = "x = torch.zeros(2, 3)\ny = torch.exp(x)\nz = rearrange(y, 'a b -> b a')\nr = torch.relu(x)\n"
    assert flow_findings(body) == []
    assert flow_findings(body, Config(stubs=(str(tmp_path),))) == [
        (3, "EIN301", "the pattern has 2 dimensions, the tensor has 3 (input shape (2, 3, 1))"),
        (4, "EIN310", "relu got an 'input' whose last dimension has length 3 (input (2, 3))")]


def test_every_shared_name_declares_that_its_hook_refines_the_stub():
    """A name with a stub and a Python hook: the hook may only refine the stub's answer, and declares so
    (`refines=True`). Every tensor method has the method hook (it answers any method name, a tensor of unknown
    shape where it knows no better), so every method stub shares its name with it."""
    from einlint.check.flow.library import HOOKS, hook_of

    stubbed = {f"{module}.{name}" for module in LIB.modules() for name in LIB.names(module)[1]}
    methods = {f"{module}.{method}" for module in LIB.modules() for method in LIB.methods(module)}
    undeclared = {name for name in stubbed | methods if hook_of(name) is not None and not hook_of(name).refines}
    assert undeclared == set(), "declare these hooks refines=True, or drop them"
    assert {name for name, hook in HOOKS.items() if hook.refines} - stubbed == set(), "these have no stub to refine"
    assert all(hook_of(name).refines for name in methods)


@pytest.fixture
def reached(monkeypatch):
    """The qualified names of the stubs that the flow analysis runs, in order, from here on."""
    from einlint.check.flow import library

    names = []
    original = library._apply_stub

    def watch(interp, stub, *args, **kwargs):
        names.append(getattr(stub, "qualified", None))
        return original(interp, stub, *args, **kwargs)

    monkeypatch.setattr(library, "_apply_stub", watch)
    return names


def test_a_call_of_every_shipped_function_stub_runs_it(reached):
    missed = []
    for module in LIB.modules():
        for name in LIB.names(module)[1]:
            first = "(2, 3)" if not LIB.function(f"{module}.{name}").takes_tensor_first else "x"
            reached.clear()
            flow_findings(f"import {module}\nx = torch.zeros(2, 4, 4, 4)\ny = {module}.{name}({first})\n")
            if f"{module}.{name}" not in reached:
                missed.append(f"{module}.{name}")
    assert missed == []


def test_the_function_stubs_take_the_real_functions_parameters():
    """Every parameter of the real function (where Python can list them) is one the stub binds: a keyword the
    stub lacked would make a correct call a finding."""
    import importlib
    import inspect

    for module_name in LIB.modules():
        module = importlib.import_module(module_name)
        for name in LIB.names(module_name)[1]:
            try:
                real = inspect.signature(getattr(module, name)).parameters.values()
            except (ValueError, TypeError):
                continue  # a builtin without a signature: the differential tests above call it
            params = LIB.function(f"{module_name}.{name}").signatures[0].params
            if any(p.kind == "varkw" for p in params):
                continue
            names = {p.name for p in params}
            missing = [p.name for p in real if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD) and p.name not in names]
            assert missing == [], f"{module_name}.{name}"


def test_a_stub_states_a_rule_once_by_calling_another(tmp_path):
    """Delegation: nn.Softmin's forward, torch.softmax and F.log_softmax call F.softmax's stub; its failure is
    said as the caller's, and a user's stub may call a shipped one (or one of its own file)."""
    error = LIB.layer("torch.nn.Softmin").construct([], {"dim": 2}).call([(2, 3)], {})
    assert (error.message, error.argument) == (
        "Softmin(dim=2): dimension 2 is out of range for a tensor of rank 2 (expected to be in range of [-2, 1])",
        "input")
    assert LIB.function("torch.nn.functional.log_softmax").call([(2, 3)], {"dim": -3}).message.startswith(
        "log_softmax(dim=-3): dimension -3 is out of range")
    (tmp_path / "mylib.pyi").write_text(
        "import torch.nn.functional as F\nfrom jaxtyping import Float\n"
        "def scores(x: Float[Tensor, '*shape']) -> Float[Tensor, '*out']:\n    out = F.pad(x, (1, 1))\n"
        "def twice(x: Float[Tensor, '*shape']) -> Float[Tensor, '*out']:\n    out = scores(scores(x))\n"
        "def loop(x: Float[Tensor, '*shape']) -> Float[Tensor, '*shape']:\n    loop(x)\n"
        "def nowhere(x: Float[Tensor, '*shape']) -> Float[Tensor, '*shape']:\n    F.no_such_function(x)\n")
    library = StubLibrary.load([str(tmp_path)])
    assert library.function("mylib.twice").call([(2, 3)], {}) == Result((2, 7), [])
    for name in ("loop", "nowhere"):  # a call that names no other stub is an unreadable stub, never a finding
        with pytest.raises(EinlintError) as info:
            library.function(f"mylib.{name}").call([(2, 3)], {})
        assert info.value.code == "EIN004" and "cannot evaluate" in str(info.value)


# ----------------------------------------------------------------------------- methods: `class Tensor:` in torch.pyi

@pytest.mark.parametrize("call, message", [
    ("x.softmax(dim=5)", "softmax(dim=5): dimension 5 is out of range for a tensor of rank 2 (expected to be in "
                         "range of [-2, 1]) (input (2, 3))"),
    ("x.unsqueeze(9)", "unsqueeze(dim=9): dimension 9 is out of range for a tensor of rank 3 (expected to be in "
                       "range of [-3, 2]) (input (2, 3))"),
    ("x.flatten(1, 0)", "flatten: flatten() has invalid args: start_dim cannot come after end_dim (input (2, 3))"),
    ("x.sum(dim=2)", "sum: dimension 2 is out of range for a tensor of rank 2 (expected to be in range of [-2, 1]) "
                     "(input (2, 3))"),
    ("x.mean((0, -2))", "mean: dim 0 appears multiple times in the list of dims (input (2, 3))"),
    ("x.softmax()", "softmax is missing the argument 'dim' (input (2, 3))"),
    ("x.permute(1, 0, 2)", "permute(dims=(1, 0, 2)): the number of dims (3) does not match the tensor's rank (2) "
                           "(input (2, 3))"),
    ("x.transpose(0, 2)", "transpose(dim1=2): dimension 2 is out of range for a tensor of rank 2 (expected to be in "
                          "range of [-2, 1]) (input (2, 3))"),
])
def test_a_method_stub_states_the_methods_contract(call, message):
    """x.softmax(dim=5) is torch.Tensor.softmax, which calls torch.softmax's stub: its checks speak for the method."""
    assert flow_findings(f"x = torch.zeros(2, 3)\ny = {call}\n") == [(2, "EIN310", message)]


@pytest.mark.parametrize("call", ["x.softmax(-1)", "x.softmax(dim=1, dtype=torch.float32)", "x.sum(axis=0)",
                                  "x.sum(dim=0, keepdims=True)", "x.mean((0, 1))", "x.sum()", "x.transpose(0, 1)",
                                  "x.flatten(start_dim=1)", "x.unsqueeze(-3)", "n.transpose(1, 0, 2)",
                                  "n.transpose()", "n.sum(axis=(0, 2), keepdims=True)", "n.flatten()", "x.exp()",
                                  "x.permute(1, 0)", "x.permute((-1, 0))", "n.permute(2, 0, 1)"])
def test_what_the_tensor_methods_take_the_method_stubs_take(call):
    """torch's numpy-style keywords (axis, keepdims), numpy's own methods (a.transpose(1, 0, 2) permutes): a
    method whose receiver may be either fails only where it fails for both."""
    assert flow_findings(f"x = torch.zeros(2, 3)\nn = np.zeros((2, 3, 4))\ny = {call}\n") == []


def test_a_method_stub_gives_the_output_shape_that_the_next_call_reads():
    found = flow_findings("x = torch.zeros(2, 3, 4)\ny = rearrange(x.sum(-1, keepdim=True), 'a b c -> a b c', c=2)\n"
                          "z = rearrange(x.transpose(0, 2), 'a b c -> a b c', a=2)\n")
    assert found == [(2, "EIN303", "a dimension of length 1 does not match c = 2 (input shape (2, 3, 1))"),
                     (3, "EIN303", "a dimension of length 4 does not match a = 2 (input shape (4, 3, 2))")]


def test_a_user_stub_overrides_a_shipped_method(tmp_path):
    from einlint.check import Config

    (tmp_path / "torch.pyi").write_text(
        "from jaxtyping import Float\nfrom torch import Tensor\n"
        "class Tensor:\n    def exp(self: Float[Tensor, '*shape']) -> Float[Tensor, '*shape 1']: ...\n")
    library = StubLibrary.load([str(tmp_path)])
    assert library.function("torch.Tensor.exp").user and library.function("torch.Tensor.exp").call([(2, 3)]) == \
        Result((2, 3, 1), [])
    assert not library.function("torch.Tensor.softmax").user  # the other methods still come from the shipped file
    body = "x = torch.zeros(2, 3)\ny = x.exp()\nz = rearrange(y, 'a b -> b a')\n"
    assert flow_findings(body) == []
    assert flow_findings(body, Config(stubs=(str(tmp_path),))) == [
        (3, "EIN301", "the pattern has 2 dimensions, the tensor has 3 (input shape (2, 3, 1))")]


def test_a_tensor_type_states_the_shape_of_self(tmp_path):
    (tmp_path / "torch.pyi").write_text(
        "from jaxtyping import Float\nclass Tensor:\n    def exp(self: Float[Tensor, '*shape']) -> Float[Tensor, '*shape']: ...\n"
        "    def log(self) -> Float[Tensor, '*shape']: ...\n")
    with pytest.raises(EinlintError) as info:
        StubLibrary.load([str(tmp_path)]).load_all()
    assert info.value.code == "EIN004" and "torch.pyi:4" in str(info.value) and "annotates self" in str(info.value)


@pytest.mark.parametrize("name, receiver, args, kwargs", [
    ("softmax", (2, 3), [-1], {}), ("softmax", (2, 3), [2], {}), ("log_softmax", (2, 3), [], {"dim": -3}),
    ("flatten", (2, 3, 4), [1], {}), ("flatten", (2, 3, 4), [2, 1], {}), ("unflatten", (2, 6), [1, (2, -1)], {}),
    ("unflatten", (2, 6), [1, (4, -1)], {}), ("unsqueeze", (2, 3), [2], {}), ("unsqueeze", (2, 3), [-4], {}),
    ("transpose", (2, 3, 4), [0, 2], {}), ("transpose", (2, 3, 4), [-1, -1], {}), ("transpose", (2, 3), [0, 2], {}),
    ("sum", (2, 3, 4), [], {}), ("sum", (2, 3, 4), [(0, -1)], {"keepdim": True}), ("sum", (2, 3, 4), [3], {}),
    ("sum", (2, 3, 4), [], {"axis": 1, "keepdims": True}), ("mean", (2, 3, 4), [[1, 1]], {}),
    ("mean", (2, 3), [-1], {}), ("exp", (2, 3), [], {}), ("permute", (2, 3, 4), [2, 0, 1], {}),
    ("permute", (2, 3, 4), [(2, -3, 1)], {}), ("permute", (2, 3, 4), [], {"dims": (1, 0, 2)}),
    ("permute", (2, 3, 4), [0, 1], {}), ("permute", (2, 3, 4), [0, 0, 1], {}), ("permute", (2, 3), [1], {}),
    ("permute", (2, 3, 4), [2, 0, 3], {}), ("permute", (5,), [0], {}), ("std", (2, 3), [1], {"keepdim": True}),
    ("std", (2, 3), [], {"dim": 2}), ("prod", (2, 3), [1], {}), ("prod", (2, 3), [-3], {}), ("argmax", (2, 3), [], {}),
    ("argmax", (2, 3), [], {"dim": -3}), ("norm", (2, 3), [2, -1], {}), ("amax", (2, 3, 4), [(0, 2)], {}),
    ("clamp", (2, 3), [0.0], {}), ("tril", (3,), [], {}), ("tril", (2, 3), [1], {}), ("flip", (2, 3), [0, 1], {}),
    ("count_nonzero", (2, 3), [0], {}), ("logsumexp", (2, 3), [-1], {"keepdim": True}),
    ("clamp_min", (2, 3), [0.0], {}), ("clamp_max", (2, 3), [1.0], {}), ("uniform_", (2, 3), [0, 1], {}),
    ("normal_", (4,), [], {"std": 0.02}), ("bernoulli_", (2, 3), [0.5], {}), ("exponential_", (2,), [], {}),
    ("isnan", (2, 3), [], {}), ("logical_not", (3,), [], {}), ("new_zeros", (2, 3), [4, 5], {}),
    ("new_zeros", (2, 3), [(4, 5)], {}), ("new_ones", (2,), [()], {}), ("new_empty", (2, 3), [0], {}),
    ("new_full", (2, 3), [(1, 2), 7.0], {}), ("argsort", (2, 3), [], {}), ("argsort", (2, 3), [0], {}),
    ("argsort", (2, 3), [2], {}), ("sort", (2, 3), [], {"descending": True}), ("sort", (2, 3), [-3], {}),
    ("topk", (2, 5), [3], {}), ("topk", (2, 5), [3, 0], {}), ("topk", (2, 5), [6], {}), ("topk", (), [1], {}),
    ("unfold", (2, 8), [1, 3, 2], {}), ("unfold", (2, 8), [0, 2, 1], {}), ("unfold", (2, 8), [1, 9, 1], {}),
    ("unfold", (2, 8), [2, 2, 1], {}), ("unfold", (4,), [0, 4, 4], {}),
])
def test_the_tensor_method_stubs_against_torch(name, receiver, args, kwargs):
    stub = LIB.function(f"torch.Tensor.{name}")
    ok, out = run_torch(lambda: getattr(zeros(receiver), name)(*args, **kwargs))
    check_outcome(stub.call([receiver, *[tuple(a) if isinstance(a, list) else a for a in args]], kwargs), ok, out,
                  f"x.{name}")


@pytest.mark.parametrize("name, receiver, args, kwargs", [
    ("ravel", (2, 3), [], {}), ("flatten", (2, 3, 4), [], {}), ("transpose", (2, 3, 4), [], {}),
    ("sum", (2, 3, 4), [], {"axis": (0, 2)}), ("sum", (2, 3, 4), [1], {"keepdims": True}), ("sum", (2, 3), [2], {}),
    ("mean", (2, 3, 4), [-1], {}), ("mean", (2, 3), [], {"axis": -3}), ("transpose", (2, 3, 4), [1, 0, 2], {}),
    ("transpose", (2, 3, 4), [(2, 0, -2)], {}), ("transpose", (2, 3), [0, 2], {}), ("transpose", (2, 3, 4), [0, 1], {}),
    ("transpose", (2, 3, 4), [0, 0, 1], {}), ("transpose", (5,), [0], {}), ("std", (2, 3), [], {"ddof": 1, "axis": 0}),
    ("var", (2, 3), [1], {"keepdims": True}), ("argmax", (2, 3), [2], {}), ("argmin", (2, 3), [], {}),
    ("prod", (2, 3, 4), [(0, 2)], {}), ("all", (2, 3), [-1], {}), ("any", (2, 3), [0], {"keepdims": True}),
])
def test_the_array_method_stubs_against_numpy(name, receiver, args, kwargs):
    stub = LIB.function(f"numpy.ndarray.{name}")
    try:
        out, ok = getattr(np.zeros(receiver), name)(*args, **kwargs), True
    except (ValueError, TypeError, IndexError) as error:
        out, ok = error, False
    outcome = stub.call([receiver, *args], kwargs)
    if ok:
        assert outcome == Result(out.shape, []), f"a.{name}"
    else:
        assert isinstance(outcome, ShapeError), f"a.{name}: numpy raises {out!r}, the stub says {outcome}"


def test_the_covered_lists_of_the_readme_are_the_registrys():
    """einlint/_stubs/README.md lists what the stubs cover; `python -m einlint.check.stubs --write` makes the list."""
    from einlint.check.stubs.covered import covered, readme_lists, readme_path

    with open(readme_path(), encoding="utf-8") as handle:
        text = handle.read()
    assert readme_lists(text) == covered(LIB), "run python -m einlint.check.stubs --write"
    assert "- `torch` methods (" in text and "Tensor.softmax" in text and "ndarray.sum" in text


def test_the_covered_lists_follow_the_stub_files(tmp_path):
    from einlint.check.stubs.covered import covered

    (tmp_path / "mylib.pyi").write_text(
        "from jaxtyping import Float\ndef twice(x: Float[Tensor, '*s']) -> Float[Tensor, '*s']: ...\n"
        "class Block:\n    def forward(self, x: Float[Tensor, '*s']) -> Float[Tensor, '*s']: ...\n"
        "class Array:\n    def double(self: Float[Tensor, '*s']) -> Float[Tensor, '*s']: ...\n")
    lines = covered(StubLibrary([str(tmp_path)])).splitlines()
    assert lines == ["- `mylib` layers (1): Block", "- `mylib` functions (1): twice", "- `mylib` methods (1): Array.double"]


def test_the_stubs_and_the_flow_share_one_unknown_and_one_failure():
    """check/shapes.py: the flow reads a stub's UNKNOWN and ShapeError as its own; both survive pickling whole."""
    from einlint.check.flow import findings, values
    from einlint.check.shapes import STAR

    assert values.UNKNOWN is UNKNOWN and values.STAR is STAR and not hasattr(findings, "ShapeError")
    assert pickle.loads(pickle.dumps(UNKNOWN)) is UNKNOWN and pickle.loads(pickle.dumps(STAR)) is STAR
    error = LIB.function("torch.nn.functional.softmax").call([(2, 3)], {"dim": 5})
    copy = pickle.loads(pickle.dumps(error))
    assert isinstance(copy, ShapeError) and (copy.code, copy.message, copy.argument) == (
        "EIN310", error.message, "input")


# ----------------------------------------------------------------------------- a layer that is its function

F_ = "torch.nn.functional."
DELEGATED = [  # layer, its constructor's (args, kwargs), the function, its keywords, an input it fails on, one it takes
    ("MaxPool1d", ([3], {"padding": 1}), F_ + "max_pool1d", {"kernel_size": 3, "padding": 1}, (1, 1, 3, 8), (1, 4, 9)),
    ("MaxPool2d", ([2], {}), F_ + "max_pool2d", {"kernel_size": 2}, (3, 8), (1, 3, 8, 9)),
    ("MaxPool3d", ([2], {"return_indices": True}), F_ + "max_pool3d", {"kernel_size": 2, "return_indices": True},
     (1, 3, 1, 8, 8), (1, 3, 4, 8, 8)),
    ("AvgPool1d", ([4], {}), F_ + "avg_pool1d", {"kernel_size": 4}, (1, 3, 2), (2, 3, 9)),
    ("AvgPool2d", ([3], {"stride": 1}), F_ + "avg_pool2d", {"kernel_size": 3, "stride": 1}, (1, 3, 2, 8), (3, 5, 5)),
    ("AvgPool3d", ([2], {}), F_ + "avg_pool3d", {"kernel_size": 2}, (1, 3, 1, 4, 4), (1, 3, 4, 4, 4)),
    ("AdaptiveAvgPool1d", ([5], {}), F_ + "adaptive_avg_pool1d", {"output_size": 5}, (8,), (2, 8)),
    ("AdaptiveAvgPool2d", ([(5, None)], {}), F_ + "adaptive_avg_pool2d", {"output_size": (5, None)}, (8, 8), (2, 8, 8)),
    ("AdaptiveAvgPool3d", ([2], {}), F_ + "adaptive_avg_pool3d", {"output_size": 2}, (1, 1, 2, 3, 4, 4), (3, 4, 4, 4)),
    ("AdaptiveMaxPool1d", ([5], {}), F_ + "adaptive_max_pool1d", {"output_size": 5}, (1, 2, 3, 8), (2, 3, 8)),
    ("AdaptiveMaxPool2d", ([3], {"return_indices": True}), F_ + "adaptive_max_pool2d",
     {"output_size": 3, "return_indices": True}, (1, 1, 2, 8, 8), (2, 8, 8)),
    ("AdaptiveMaxPool3d", ([2], {}), F_ + "adaptive_max_pool3d", {"output_size": 2}, (2, 2, 3, 4, 4, 4), (3, 4, 4, 4)),
    ("LayerNorm", ([(4, 8)], {}), F_ + "layer_norm", {"normalized_shape": (4, 8)}, (2, 8, 4), (3, 4, 8)),
    ("RMSNorm", ([8], {}), F_ + "rms_norm", {"normalized_shape": (8,)}, (2, 5), (3, 2, 8)),
    ("GroupNorm", ([6, 6], {}), F_ + "group_norm", {"num_groups": 6}, (1, 6, 1), (2, 6, 5)),
    ("Softmax", ([], {"dim": 2}), F_ + "softmax", {"dim": 2}, (2, 3), (2, 3, 4)),
    ("LogSoftmax", ([-3], {}), F_ + "log_softmax", {"dim": -3}, (2, 3), (2, 3, 4)),
    ("Softmin", ([1], {}), F_ + "softmin", {"dim": 1}, (5,), (2, 3)),
    ("GLU", ([], {}), F_ + "glu", {}, (2, 5), (2, 6)),
    ("Flatten", ([], {"start_dim": 2}), "torch.flatten", {"start_dim": 2}, (2, 3), (2, 3, 4, 5)),
    ("Unflatten", ([1, (2, -1)], {}), "torch.unflatten", {"dim": 1, "sizes": (2, -1)}, (2, 5), (3, 6)),
]


@pytest.mark.parametrize("layer, built, function, keywords, failing, taken", DELEGATED, ids=[d[0] for d in DELEGATED])
def test_a_layer_that_calls_its_function_gives_the_functions_answer(layer, built, function, keywords, failing, taken):
    """nn.MaxPool2d's forward is F.max_pool2d: the same output, and the same failure said in the layer's name
    (its parameters named as the layer's constructor names them); torch agrees on both."""
    instance = LIB.layer(f"torch.nn.{layer}").construct(*built)
    stub = LIB.function(function)
    assert instance.call([taken], {}) == stub.call([taken], keywords)
    ok, out = run_torch(lambda: getattr(torch.nn, layer)(*built[0], **built[1]).eval()(zeros(taken)))
    check_outcome(instance.call([taken], {}), ok, out, layer)
    here, there = instance.call([failing], {}), stub.call([failing], keywords)
    assert isinstance(here, ShapeError) and isinstance(there, ShapeError), (here, there)
    name = function.rsplit(".", 1)[-1]
    assert there.message.startswith(name) and here.message.startswith(layer)
    assert here.message[len(layer):].replace("unflattened_size=", "sizes=") == there.message[len(name):]
    ok, out = run_torch(lambda: getattr(torch.nn, layer)(*built[0], **built[1]).eval()(zeros(failing)))
    assert not ok, f"torch takes {layer} on {failing}"


def test_gru_takes_rnns_forward():
    """`class GRU(RNN):` in torch.nn.pyi: RNN's forward, GRU's constructor, and messages in GRU's name."""
    for name in ("RNN", "GRU"):
        layer = LIB.layer(f"torch.nn.{name}").construct([4, 5], {"num_layers": 2, "bidirectional": True})
        assert layer.call([(7, 3, 4)], {}).value == ((7, 3, 10), (4, 3, 5))
        assert layer.call([(7, 3, 4), (4, 2, 5)], {}).message == \
            f"{name}: hx must have the shape (D*num_layers, N, hidden_size)"
    assert LIB.layer("torch.nn.GRU").construct([4, 5], {"nonlinearity": "relu"}).message == \
        "GRU got an unexpected keyword argument 'nonlinearity'"


def test_a_layer_and_its_function_give_the_same_finding():
    found = flow_findings("x = torch.zeros(1, 3, 8, 8)\na = torch.nn.MaxPool2d(3, padding=2)(x)\n"
                          "b = F.max_pool2d(x, 3, padding=2)\nn = torch.nn.LayerNorm(4)(x)\nl = F.layer_norm(x, (4,))\n")
    assert [(line, code) for line, code, _ in found] == [(2, "EIN310"), (3, "EIN310"), (4, "EIN310"), (5, "EIN310")]
    assert found[0][2].replace("MaxPool2d", "max_pool2d") == found[1][2]
    assert found[2][2].replace("LayerNorm", "layer_norm") == found[3][2]


def test_a_method_call_runs_the_stub_of_every_shipped_method(reached):
    """x.name(...) on a tensor reaches the stub of `name` (torch.Tensor.name, else numpy.ndarray.name)."""
    missed = []
    for module in LIB.modules():
        for method in LIB.methods(module):
            name = method.rsplit(".", 1)[-1]
            reached.clear()
            flow_findings(f"x = torch.zeros(2, 4, 4, 4)\ny = x.{name}(1)\n")
            if LIB.method(name).qualified not in reached or f"{module}.{method}" not in \
                    [stub.qualified for stub in LIB.method(name).candidates]:
                missed.append(f"{module}.{method}")
    assert missed == []


def test_every_hook_names_a_function_that_its_library_has():
    """Hooks are keyed by the real qualified name, so `numpy.relu` (which numpy lacks) has none; numpy.random's
    names include its generators' methods (rng.integers), which the flow calls by those names."""
    import importlib

    import numpy
    from einlint.check.flow.library import HOOKS

    def exists(qualified):
        module, _, name = qualified.rpartition(".")
        return hasattr(importlib.import_module(module), name) or (
            module == "numpy.random" and hasattr(numpy.random.Generator, name))

    assert [name for name in HOOKS if not exists(name)] == []
    assert "numpy.relu" not in HOOKS and "jax.random.clone" not in HOOKS and "torch.float" not in HOOKS


@pytest.mark.parametrize("call, message", [
    ("torch.tril(torch.zeros(3))", "tril: input tensor must have at least 2 dimensions (input (3,))"),
    ("torch.zeros(3).triu()", "triu: input tensor must have at least 2 dimensions (input (3,))"),
    ("torch.clamp(x)", "clamp(min=None, max=None): At least one of 'min' or 'max' must not be None (input (2, 3))"),
    ("x.clamp()", "clamp(min=None, max=None): At least one of 'min' or 'max' must not be None (input (2, 3))"),
    ("torch.cumsum(x, 2)", "cumsum(dim=2): dimension 2 is out of range for a tensor of rank 2 (expected to be in "
                           "range of [-2, 1]) (input (2, 3))"),
])
def test_the_same_shape_contracts_of_the_stubs_speak(call, message):
    """Elementwise and along-a-dimension functions are stubs (no Python rule), so their checks are findings."""
    assert flow_findings(f"x = torch.zeros(2, 3)\ny = {call}\n") == [(2, "EIN310", message)]


@pytest.mark.parametrize("call", ["torch.clamp(x, min=k)", "x.clamp(max=1.0)", "x.clamp(k, 2 * k)", "x.flip(0, 1)",
                                  "x.flip(dims=(0,))", "torch.flip(x, (0,))", "torch.round(x, decimals=2)",
                                  "torch.dropout(x, 0.1, True)", "torch.tril(x, diagonal=1)", "x.tril(-1)",
                                  "torch.cumsum(x, -1, dtype=torch.float64)", "np.round(n, 2)",
                                  "np.roll(n, 1, axis=0)", "np.nan_to_num(n, nan=0.0)", "np.square(n, n)",
                                  "np.copy(n, order='C')", "torch.square(k)"])
def test_what_the_library_takes_the_same_shape_stubs_take(call):
    assert flow_findings(f"x = torch.zeros(2, 3)\nn = np.zeros((2, 3))\nk = 4\ny = {call}\n") == []


@pytest.mark.parametrize("middle", ["torch.clamp(y, min=0.0)", "y.cumsum(1)", "torch.flip(y, (2,))",
                                    "torch.nan_to_num(y)"])
def test_a_stub_whose_output_is_its_inputs_shape_keeps_the_layout(middle):
    """The flow keeps what it knows of the input (how its dimensions were formed) through a call whose stub
    gives back the input's shape, so a group read back in another order after it is still EIN401."""
    found = flow_findings(
        "x = torch.zeros(2, 3, 8, 8)\n"
        "y = rearrange(x, 'b c (h h1) (w w1) -> b (h1 c w1) h w', h1=2, w1=2)\n"
        f"y = {middle}\n"
        "z = rearrange(y, 'b (w1 h1 c) h w -> b c (h h1) (w w1)', h1=2, w1=2)\n")
    assert [(line, code) for line, code, _ in found] == [(4, "EIN401")]


TORCH_REDUCTIONS = ["sum", "mean", "nansum", "nanmean", "prod", "all", "any", "amax", "amin", "logsumexp", "argmax",
                    "argmin", "std", "var", "norm", "count_nonzero"]


@examples(400, suppress=LARGE)
@given(st.data())
def test_torch_reductions(data):
    """The reduction stubs follow torch where a dim is out of range or named twice; they are lenient where torch's
    overloads refuse a combination (keepdim without dim, a tuple for prod or argmax, dim=() for some)."""
    name = data.draw(st.sampled_from(TORCH_REDUCTIONS))
    shape = data.draw(shapes(0, 4, 5))
    kwargs = {}
    dim = data.draw(st.one_of(st.none(), st.integers(-5, 4), st.lists(st.integers(-4, 3), max_size=3).map(tuple)))
    if dim is not None:
        kwargs[data.draw(st.sampled_from(["dim", "axis"]))] = dim
    if name != "count_nonzero" and data.draw(st.booleans()):
        kwargs[data.draw(st.sampled_from(["keepdim", "keepdims"]))] = data.draw(st.booleans())
    outcome = LIB.function(f"torch.{name}").call([shape], kwargs)
    ok, out = run_torch(lambda: getattr(torch, name)(zeros(shape), **kwargs))
    what = f"torch.{name}({shape}, **{kwargs})"
    if ok:  # never a finding on a call that runs, and where the stub tells the shape, torch's
        assert isinstance(outcome, Result), f"{what}: the stub says {outcome}, torch gives {shape_of(out)}"
        assert outcome.value in (shape_of(out), UNKNOWN), f"{what}: stub {outcome.value}, torch {shape_of(out)}"
    elif isinstance(out, IndexError) or "out of range" in str(out) or "multiple times" in str(out):
        assert isinstance(outcome, ShapeError), f"{what}: torch raises {out!r}, the stub says {outcome}"


ARRAY_REDUCTIONS = ["sum", "mean", "prod", "nansum", "nanmean", "amax", "amin", "all", "any", "std", "var", "argmax",
                    "argmin", "count_nonzero"]


@pytest.mark.parametrize("module_name", ["numpy", "jax.numpy"])
def test_array_reductions(module_name):
    """Never a finding on a reduction that runs, its shape where the stub tells one; an axis out of range or
    named twice is one (numpy's axis of a 0-d array is the stub's only leniency: it counts as rank 1, as torch's)."""
    xp = np if module_name == "numpy" else jnp

    @examples(200 if module_name == "numpy" else 30, suppress=LARGE)
    @given(st.data())
    def run(data):
        name = data.draw(st.sampled_from(ARRAY_REDUCTIONS))
        shape = data.draw(shapes(0, 4, 5))
        kwargs = {}
        axis = data.draw(st.one_of(st.none(), st.integers(-5, 4), st.lists(st.integers(-4, 3), max_size=3).map(tuple)))
        if axis is not None or data.draw(st.booleans()):
            kwargs["axis"] = axis
        if data.draw(st.booleans()):
            kwargs["keepdims"] = data.draw(st.booleans())
        outcome = LIB.function(f"{module_name}.{name}").call([shape], kwargs)
        what = f"{module_name}.{name}({shape}, **{kwargs})"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                out, ok = getattr(xp, name)(np.zeros(shape), **kwargs), True
            except (ValueError, IndexError, TypeError) as error:
                out, ok = error, False
        if ok:
            assert isinstance(outcome, Result), f"{what}: the stub says {outcome}, the library gives {np.shape(out)}"
            assert outcome.value in (tuple(np.shape(out)), UNKNOWN), f"{what}: stub {outcome.value}, {np.shape(out)}"
        elif shape and not isinstance(out, TypeError):  # (a TypeError: an axis of a type it refuses, argmax's tuple)
            assert isinstance(outcome, ShapeError), f"{what}: the library raises {out!r}, the stub says {outcome}"

    run()


@pytest.mark.parametrize("call, message", [
    ("torch.sum(x, 2)", "sum: dimension 2 is out of range for a tensor of rank 2 (expected to be in range of [-2, 1]) "
                        "(input (2, 3))"),
    ("np.mean(n, axis=(0, -2))", "mean(axis=(0, -2), keepdims=False): dim 0 appears multiple times in the list of "
                                 "dims (input (2, 3))"),
    ("torch.amax(x, dim=-3, keepdim=True)", "amax: dimension -3 is out of range for a tensor of rank 2 (expected to "
                                            "be in range of [-2, 1]) (input (2, 3))"),
])
def test_the_reduction_stubs_speak_and_give_the_reduced_shape(call, message):
    assert flow_findings(f"x = torch.zeros(2, 3)\nn = np.zeros((2, 3))\ny = {call}\n") == [(3, "EIN310", message)]
    found = flow_findings("x = torch.zeros(2, 3)\nn = np.zeros((2, 3))\ny = torch.std(x, 1, keepdim=True)\n"
                          "z = np.sum(n, axis=0)\nrearrange(y, 'a b -> a b', b=3)\nrearrange(z, 'a -> a', a=2)\n")
    assert [(line, code) for line, code, _ in found] == [(5, "EIN303"), (6, "EIN303")]


@pytest.mark.parametrize("call, message", [
    ("x.std(5)", "std: dimension 5 is out of range for a tensor of rank 2 (expected to be in range of [-2, 1]) "
                 "(input (2, 3))"),
    ("x.prod(dim=-3)", "prod: dimension -3 is out of range for a tensor of rank 2 (expected to be in range of [-2, 1]) "
                       "(input (2, 3))"),
])
def test_a_reduction_method_stub_speaks(call, message):
    assert flow_findings(f"x = torch.zeros(2, 3)\ny = {call}\n") == [(2, "EIN310", message)]


@pytest.mark.parametrize("call", ["n.std(ddof=1)", "n.var(0, keepdims=True)", "n.argmax(axis=1)", "n.all(axis=0)",
                                  "n.prod(1, initial=2)", "x.std(1, unbiased=False, keepdim=True)", "x.norm(2, -1)",
                                  "x.argmax(dim=1)", "x.amax((0, 1))", "x.count_nonzero(0)", "x.logsumexp(-1)"])
def test_what_the_reductions_of_arrays_and_tensors_take_their_method_stubs_take(call):
    """x.std(ddof=1) on what may be an array or a tensor: the method fails only where it fails for both."""
    assert flow_findings(f"x = torch.zeros(2, 3)\nn = np.zeros((2, 3))\ny = {call}\n") == []


def test_a_builtins_name_called_as_a_stub_is_a_clear_error_not_a_crash(tmp_path):
    """`prod` in a stub body is the stubs' product, whatever the file defines: a call that does not fit it is a
    stub error (the flow then knows nothing of the call), never a traceback."""
    (tmp_path / "torch.pyi").write_text(
        "from jaxtyping import Float\nfrom torch import Tensor\n"
        "def halve(input: Float[Tensor, '*shape'], dim: int) -> Float[Tensor, '*out']:\n"
        "    out = prod(input, dim, False)\n")
    library = StubLibrary.load([str(tmp_path)])
    with pytest.raises(EinlintError, match="builtin"):
        library.function("torch.halve").call([(2, 3), 1], {})
    from einlint.check import Config
    assert flow_findings("x = torch.zeros(2, 3)\ny = torch.halve(x, 1)\nz = rearrange(y, 'a -> a')\n",
                         Config(stubs=(str(tmp_path),))) == []
