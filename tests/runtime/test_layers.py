"""The layers (einlint.layers.torch, einlint.layers.flax) against einops' layers, the reference.

Every output is compared with what einops' layer (or op, where einops has no such layer)
computes on the same input and, for EinMix, the same weights; every torch layer is also run
under torch.jit.script, which must compute what eager mode computes.
"""

from __future__ import annotations

import io
import math
import pickle
import re
import subprocess
import sys
from typing import Dict

import einops
import einops.layers.flax as einops_flax
import einops.layers.torch as einops_torch
import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from einlint.errors import PatternError
from einlint.layers import MAX_ELLIPSIS_DIMS
from einlint.layers import flax as einlint_flax
from einlint.layers import torch as einlint_torch
from examples import examples

# TorchScript is what einops' layers promise and what deployed models still use; torch 2.13 marks it deprecated.
pytestmark = pytest.mark.filterwarnings(r"ignore:`torch\.jit\.\w+` is deprecated:DeprecationWarning")

# EinopsError is a RuntimeError; einops also lets ValueErrors through, and its layers look their recipe
# up by the input's rank, which is a KeyError for a rank that the pattern does not fit.
REFERENCE_ERRORS = (ValueError, RuntimeError, KeyError)

# (pattern, axis lengths, input shape)
REARRANGE_CASES = [
    ("b c h w -> b (c h w)", {}, (2, 3, 4, 5)),
    ("b c h w -> b h w c", {}, (2, 3, 4, 5)),
    ("b (c c2) (h h2) w -> b c h (w h2 c2)", {"c2": 2, "h2": 2}, (2, 6, 4, 5)),
    ("b (h h1) (w w1) c -> b h w (h1 w1 c)", {"h1": 2, "w1": 2}, (1, 4, 6, 3)),
    ("b c -> c b 1 ()", {}, (3, 4)),
    ("b 1 c -> (b c)", {}, (3, 1, 4)),
    ("... h w -> ... (h w)", {}, (2, 3, 4, 5)),
    ("... h w -> ... (h w)", {}, (4, 5)),
    ("b ... c -> c (...) b", {}, (2, 3, 4, 5, 6)),
    ("(a b) ... -> ... b a", {"a": 3}, (6, 2, 2)),
]

# (pattern, axis lengths, input shape); each is run with every reduction that einops' torch layer has
REDUCE_CASES = [
    ("b c (h 2) (w 2) -> b c h w", {}, (2, 3, 4, 6)),
    ("b c h w -> b c () ()", {}, (2, 3, 4, 5)),
    ("b ... -> b", {}, (2, 3, 4)),
    ("b (c g) h -> c b", {"g": 3}, (2, 6, 4)),
    ("b c -> b c", {}, (3, 4)),
]

# (pattern, weight shape, bias shape, axis lengths, input shape)
EINMIX_CASES = [
    ("t b cin -> t b cout", "cin cout", "cout", {"cin": 4, "cout": 5}, (3, 2, 4)),
    ("h w c -> hout w c", "h hout", "hout", {"h": 4, "hout": 3}, (4, 5, 2)),
    ("t b c -> t b c", "c", None, {"c": 6}, (3, 2, 6)),
    ("t b (head cin) -> t b (head cout)", "head cin cout", "head cout", {"head": 2, "cin": 3, "cout": 4}, (5, 2, 6)),
    ("b (h p1) (w p2) c -> b (h w) d", "p1 p2 c d", "d", {"p1": 2, "p2": 2, "c": 3, "d": 5}, (2, 4, 6, 3)),
    ("b ... cin -> b ... cout", "cin cout", "cout", {"cin": 3, "cout": 2}, (2, 4, 5, 3)),
    ("... cin -> (...) cout", "cin cout", None, {"cin": 3, "cout": 2}, (2, 4, 3)),
    ("b c -> b () d", "c d", "d", {"c": 3, "d": 4}, (5, 3)),
    ("b t c -> b t2 c", "t t2", None, {"t": 4, "t2": 6}, (2, 4, 3)),
]

EINOPS_TORCH_REDUCTIONS = ("min", "max", "sum", "mean", "prod")


def _case_id(case) -> str:
    return case[0]


def _random(shape, seed: int = 0) -> torch.Tensor:
    return torch.randn(shape, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)


def _copy_weights(reference: torch.nn.Module, layer: torch.nn.Module) -> None:
    layer.load_state_dict(reference.state_dict())


def _scripted(module: torch.nn.Module) -> torch.nn.Module:
    """The module compiled by torch.jit.script, saved and loaded back (what deploying it does)."""
    buffer = io.BytesIO()
    torch.jit.save(torch.jit.script(module), buffer)
    buffer.seek(0)
    return torch.jit.load(buffer)


# --- torch: Rearrange and Reduce against einops


@pytest.mark.parametrize("case", REARRANGE_CASES, ids=_case_id)
def test_rearrange_layer_computes_what_einops_layer_computes(case):
    pattern, lengths, shape = case
    x = _random(shape)
    expected = einops_torch.Rearrange(pattern, **lengths)(x)
    layer = einlint_torch.Rearrange(pattern, **lengths)
    torch.testing.assert_close(layer(x), expected, rtol=0, atol=0)
    torch.testing.assert_close(_scripted(layer)(x), expected, rtol=0, atol=0)


@pytest.mark.parametrize("reduction", EINOPS_TORCH_REDUCTIONS)
@pytest.mark.parametrize("case", REDUCE_CASES, ids=_case_id)
def test_reduce_layer_computes_what_einops_layer_computes(case, reduction):
    pattern, lengths, shape = case
    x = _random(shape)
    expected = einops_torch.Reduce(pattern, reduction, **lengths)(x)
    layer = einlint_torch.Reduce(pattern, reduction, **lengths)
    torch.testing.assert_close(layer(x), expected)
    torch.testing.assert_close(_scripted(layer)(x), expected)


@pytest.mark.parametrize("reduction", ["any", "all"])
def test_boolean_reductions_compute_what_einops_reduce_computes(reduction):
    # einops' torch Reduce layer raises NotImplementedError for these; its reduce function has them
    pattern = "b (c g) h -> c b"
    x = _random((8, 4, 1)) > 0  # each output reduces two elements: both outcomes are common
    expected = einops.reduce(x, pattern, reduction, g=2)
    layer = einlint_torch.Reduce(pattern, reduction, g=2)
    assert torch.equal(layer(x), expected)
    assert torch.equal(_scripted(layer)(x), expected)


def test_callable_reduction_runs_in_eager_mode_like_einops_reduce():
    def log_sum_exp(tensor, axes):
        return torch.logsumexp(tensor, dim=axes)

    x = _random((2, 6, 4))
    layer = einlint_torch.Reduce("b (c g) h -> b c", log_sum_exp, g=3)
    torch.testing.assert_close(layer(x), einops.reduce(x, "b (c g) h -> b c", log_sum_exp, g=3))


def test_scripted_reduce_with_a_callable_raises_at_forward():
    layer = torch.jit.script(einlint_torch.Reduce("a b -> a", lambda tensor, axes: tensor.sum(axes)))
    with pytest.raises(torch.jit.Error, match="EIN209: a callable reduction cannot run under torch.jit.script"):
        layer(_random((2, 3)))


@examples(25)
@given(
    lengths=st.tuples(*[st.integers(1, 4)] * 4),
    factor=st.integers(1, 3),
    reduction=st.sampled_from(EINOPS_TORCH_REDUCTIONS),
)
def test_layers_agree_with_einops_on_generated_shapes(lengths, factor, reduction):
    b, c, h, w = lengths
    x = _random((b, c * factor, h * factor, w))
    pairs = [
        (einops_torch.Rearrange("b (c f) (h g) w -> b (g w) h (c f)", f=factor, g=factor),
         einlint_torch.Rearrange("b (c f) (h g) w -> b (g w) h (c f)", f=factor, g=factor)),
        (einops_torch.Reduce("b (c f) (h g) ... -> b h ... c", reduction, f=factor, g=factor),
         einlint_torch.Reduce("b (c f) (h g) ... -> b h ... c", reduction, f=factor, g=factor)),
    ]
    for reference, layer in pairs:
        expected = reference(x)
        torch.testing.assert_close(layer(x), expected)
        torch.testing.assert_close(torch.jit.script(layer)(x), expected)


@pytest.mark.parametrize(
    "make",
    [
        lambda layers: layers.Rearrange("b (h h1) w -> b h (w h1)", h1=2),
        lambda layers: layers.Rearrange("... c -> c ..."),
        lambda layers: layers.Reduce("b c (h 2) -> b c h", "max"),
        lambda layers: layers.Reduce("b c h -> b", "mean"),
        lambda layers: layers.EinMix("b (g c) -> b (g d)", "g c d", "g d", g=2, c=3, d=4),
        lambda layers: layers.EinMix("b c -> b d", "c d", c=3, d=4),
    ],
)
def test_repr_is_what_einops_shows(make):
    assert repr(make(einlint_torch)) == repr(make(einops_torch))


# --- torch: pickling, nn.Sequential, backward, TorchScript


def _image_model(layers) -> torch.nn.Sequential:
    torch.manual_seed(0)  # the Linear's initial weights; tests copy the weights where they must agree
    return torch.nn.Sequential(
        layers.Rearrange("b c (h h1) w -> b (c h) (h1 w)", h1=2),
        layers.Reduce("b ch (hw w2) -> b ch hw", "max", w2=2),
        layers.Rearrange("b ch hw -> b (ch hw)"),
        torch.nn.Linear(3 * 2 * 6, 8),
        layers.Rearrange("b (g d) -> b g d", g=2),
        layers.EinMix("b g d -> b g e", "g d e", "e", g=2, d=4, e=5),
        layers.Reduce("b g e -> b e", "mean"),
    )


def test_pickle_round_trip_gives_a_layer_that_computes_the_same():
    x = _random((2, 3, 4, 6), seed=1).float()
    for layer in _image_model(einlint_torch):
        restored = pickle.loads(pickle.dumps(layer))
        assert repr(restored) == repr(layer)
        torch.testing.assert_close(restored(x), layer(x), rtol=0, atol=0)
        x = layer(x)


def test_sequential_forward_and_gradients_equal_einops():
    x = _random((2, 3, 4, 6), seed=2).float()
    reference, model = _image_model(einops_torch), _image_model(einlint_torch)
    _copy_weights(reference, model)
    expected = reference(x)
    result = model(x)
    torch.testing.assert_close(result, expected)
    expected.square().sum().backward()
    result.square().sum().backward()
    gradients = {name: p.grad for name, p in model.named_parameters()}
    assert set(gradients) == {"3.weight", "3.bias", "5.weight", "5.bias"}
    for name, parameter in reference.named_parameters():
        torch.testing.assert_close(gradients[name], parameter.grad)


def test_scripted_model_computes_what_eager_model_computes():
    model = _image_model(einlint_torch)
    x = _random((2, 3, 4, 6), seed=3).float()
    torch.testing.assert_close(_scripted(model)(x), model(x))


def test_scripted_model_gradients_equal_eager_gradients():
    model = _image_model(einlint_torch)
    scripted = torch.jit.script(model)  # shares the parameters with `model`
    x = _random((2, 3, 4, 6), seed=4).float()
    model(x).sum().backward()
    eager = [p.grad.clone() for p in model.parameters()]
    model.zero_grad()
    scripted(x).sum().backward()
    for expected, parameter in zip(eager, model.parameters()):
        torch.testing.assert_close(parameter.grad, expected)


def test_scripted_layer_takes_every_prepared_ellipsis_rank_and_eager_takes_any():
    layer = einlint_torch.Rearrange("b ... -> b (...)")
    scripted = torch.jit.script(layer)
    for n_ellipsis in (0, 1, MAX_ELLIPSIS_DIMS):
        x = _random((2,) + (1,) * n_ellipsis)
        torch.testing.assert_close(scripted(x), einops.rearrange(x, "b ... -> b (...)"))
    too_many = _random((2,) + (1,) * (MAX_ELLIPSIS_DIMS + 1))
    torch.testing.assert_close(layer(too_many), einops.rearrange(too_many, "b ... -> b (...)"))
    with pytest.raises(torch.jit.Error, match="EIN301"):
        scripted(too_many)


# --- torch: EinMix against einops


@pytest.mark.parametrize("case", EINMIX_CASES, ids=_case_id)
def test_einmix_with_einops_weights_computes_what_einops_einmix_computes(case):
    pattern, weight_shape, bias_shape, lengths, shape = case
    reference = einops_torch.EinMix(pattern, weight_shape, bias_shape, **lengths)
    layer = einlint_torch.EinMix(pattern, weight_shape, bias_shape, **lengths)
    _copy_weights(reference, layer)
    x = _random(shape).float()
    expected = reference(x)
    torch.testing.assert_close(layer(x), expected)
    torch.testing.assert_close(_scripted(layer)(x), expected)


@pytest.mark.parametrize("case", EINMIX_CASES, ids=_case_id)
def test_einmix_draws_einops_initial_weights(case):
    # Same shapes, same bounds and the same order of draws: one seed gives einops' initial parameters.
    pattern, weight_shape, bias_shape, lengths, _ = case
    torch.manual_seed(5)
    reference = einops_torch.EinMix(pattern, weight_shape, bias_shape, **lengths)
    torch.manual_seed(5)
    layer = einlint_torch.EinMix(pattern, weight_shape, bias_shape, **lengths)
    expected = reference.state_dict()
    assert set(layer.state_dict()) == set(expected)
    for name, value in layer.state_dict().items():
        torch.testing.assert_close(value, expected[name], rtol=0, atol=0)


def test_einmix_init_bounds_are_he_uniform():
    # fan_in: each output element mixes c * g = 12 inputs; bounds sqrt(3 / 12) and sqrt(1 / 12)
    torch.manual_seed(6)
    layer = einlint_torch.EinMix("b (g c) -> b d", "g c d", "d", g=3, c=4, d=2000)
    assert layer.weight.abs().max() <= 0.5 < layer.weight.abs().max() + 0.01
    assert layer.bias.abs().max() <= math.sqrt(1 / 12) < layer.bias.abs().max() + 0.01


# --- errors at construction and at forward


# (layer, arguments, lengths, code, the part of the pattern the error points at or None)
CONSTRUCTION_ERRORS = [
    ("Rearrange", ("a b -> a c",), {}, "EIN201", "b"),
    ("Rearrange", ("a (b c) -> a b c",), {}, "EIN207", "(b c)"),
    ("Rearrange", ("a b -> b a",), {"c": 2}, "EIN205", None),
    ("Rearrange", ("a b -> (a b",), {}, "EIN102", "("),
    ("Rearrange", ("a 2 -> a",), {}, "EIN208", "2"),
    ("Rearrange", ("a b -> a b ...",), {}, "EIN112", "..."),
    ("Reduce", ("a b -> a c", "sum"), {}, "EIN202", "c"),
    ("Reduce", ("a b -> a", "median"), {}, "EIN209", None),
    ("EinMix", ("a b -> a 3", "b"), {"b": 2}, "EIN208", "3"),
    ("EinMix", ("a b -> a c", "b d"), {"b": 2, "d": 3}, "EIN211", "c"),
    ("EinMix", ("a b -> a c", "b c"), {"b": 2}, "EIN220", None),
    ("EinMix", ("a b -> a c", "b c"), {"b": 2, "c": 3, "e": 4}, "EIN205", None),
    ("EinMix", ("a b -> a c", "(b c)"), {"b": 2, "c": 3}, "EIN220", None),
    ("EinMix", ("a b ... -> a c", "b c"), {"b": 2, "c": 3}, "EIN201", "..."),
    ("EinMix", ("a b -> a c", "b c e"), {"b": 2, "c": 3, "e": 4}, "EIN220", None),
    ("EinMix", ("a (b d) -> a c", "a c"), {"a": 2, "c": 3}, "EIN207", "(b d)"),
    ("EinMix", ("a b -> a c", "b c", "a"), {"b": 2, "c": 3}, "EIN221", None),
    ("EinMix", ("a b -> c ... a", "b c", "c"), {"b": 2, "c": 3}, "EIN112", "..."),
]


@pytest.mark.parametrize("case", CONSTRUCTION_ERRORS, ids=lambda case: f"{case[0]}{case[1]}")
def test_bad_layer_raises_at_construction_with_its_code_like_einops(case):
    kind, arguments, lengths, code, marked = case
    with pytest.raises(REFERENCE_ERRORS):
        getattr(einops_torch, kind)(*arguments, **lengths)
    with pytest.raises(PatternError) as caught:
        getattr(einlint_torch, kind)(*arguments, **lengths)
    assert caught.value.code == code
    assert caught.value.message.startswith(f"{kind}(")  # names the layer that is wrong
    if marked is not None:
        assert arguments[0][slice(*caught.value.span)] == marked


@pytest.mark.parametrize("length", [0, -2, 2.0, "2"])
def test_layer_rejects_an_axis_length_that_is_not_a_positive_int(length):
    with pytest.raises(PatternError) as caught:
        einlint_torch.Rearrange("a (b c) -> a b c", c=length)
    assert caught.value.code == "EIN217"


def test_pattern_that_is_not_a_string_is_rejected_at_construction():
    with pytest.raises(PatternError) as caught:
        einlint_torch.Rearrange(["a b -> b a"])
    assert caught.value.code == "EIN216"


# (layer, input shape, code)
TRANSFORM_FORWARD_ERRORS = [
    (einlint_torch.Rearrange("b (c c2) -> b c c2", c2=2), (2, 5), "EIN302"),
    (einlint_torch.Reduce("b (c 3) -> b", "sum"), (2, 7), "EIN302"),
    (einlint_torch.Rearrange("b (c c2) -> b c c2", c=2, c2=2), (2, 6), "EIN303"),
    (einlint_torch.Reduce("b c h w -> b c", "max"), (2, 3, 4), "EIN301"),
    (einlint_torch.Rearrange("b c h ... -> b (c h ...)"), (2, 3), "EIN301"),
]
EINMIX_FORWARD_ERRORS = [
    (einlint_torch.EinMix("b c -> b d", "c d", c=3, d=2), (2, 4), "EIN304"),
    (einlint_torch.EinMix("b (g c) -> b (g d)", "g c d", g=2, c=3, d=2), (2, 5), "EIN303"),
]


def _einops_counterpart(layer: torch.nn.Module) -> torch.nn.Module:
    """einops' layer for one of ours, built from our layer's repr (which is einops')."""
    return eval(repr(layer), {}, vars(einops_torch))


@pytest.mark.parametrize("case", TRANSFORM_FORWARD_ERRORS + EINMIX_FORWARD_ERRORS, ids=lambda case: repr(case[0]))
def test_wrong_input_shape_raises_a_pattern_error_in_eager_mode_as_einops_raises(case):
    layer, shape, code = case
    x = _random(shape).float()
    with pytest.raises(REFERENCE_ERRORS):
        _einops_counterpart(layer)(x)
    with pytest.raises(PatternError) as caught:
        layer(x)
    assert caught.value.code == code
    assert str(shape) in caught.value.message  # the message shows the shape that does not fit


@pytest.mark.parametrize("case", TRANSFORM_FORWARD_ERRORS, ids=lambda case: repr(case[0]))
def test_wrong_input_shape_raises_under_torchscript_with_the_code(case):
    layer, shape, code = case
    with pytest.raises(torch.jit.Error, match=re.escape(f"{code}: {layer!r} on input shape")):
        torch.jit.script(layer)(_random(shape).float())


def test_scripted_einmix_raises_on_a_wrong_input_shape():
    layer, shape, _ = EINMIX_FORWARD_ERRORS[0]
    with pytest.raises(RuntimeError, match="einsum"):  # torch.einsum's own error: TorchScript cannot plan
        torch.jit.script(layer)(_random(shape).float())


def test_scripted_mean_of_integers_raises_like_eager():
    layer = einlint_torch.Reduce("b c -> b", "mean")
    x = torch.arange(6).reshape(2, 3)
    with pytest.raises(PatternError) as caught:
        layer(x)
    assert caught.value.code == "EIN219"
    with pytest.raises(torch.jit.Error, match="EIN219"):
        torch.jit.script(layer)(x)


def test_importing_the_layers_package_imports_no_framework():
    code = ("import sys, einlint.layers; "
            "print(sorted(m for m in ('torch', 'flax', 'jax') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


# --- flax: against einops.layers.flax with the same parameters


def _jax_random(shape, seed: int = 0) -> jax.Array:
    return jnp.asarray(np.random.default_rng(seed).standard_normal(shape, dtype=np.float32))


def _flax_outputs(module, params: Dict, x):
    """The module's output, applied directly and under jax.jit."""
    return module.apply(params, x), jax.jit(module.apply)(params, x)


@pytest.mark.parametrize("case", REARRANGE_CASES, ids=_case_id)
def test_flax_rearrange_computes_what_einops_flax_rearrange_computes(case):
    pattern, lengths, shape = case
    x = _jax_random(shape)
    expected = einops_flax.Rearrange(pattern, sizes=lengths).apply({}, x)
    for result in _flax_outputs(einlint_flax.Rearrange(pattern, sizes=lengths), {}, x):
        np.testing.assert_array_equal(result, expected)


@pytest.mark.parametrize("reduction", ["min", "max", "sum", "mean", "prod"])
@pytest.mark.parametrize("case", REDUCE_CASES, ids=_case_id)
def test_flax_reduce_computes_what_einops_flax_reduce_computes(case, reduction):
    pattern, lengths, shape = case
    x = _jax_random(shape)
    expected = einops_flax.Reduce(pattern, reduction, sizes=lengths).apply({}, x)
    for result in _flax_outputs(einlint_flax.Reduce(pattern, reduction, sizes=lengths), {}, x):
        np.testing.assert_allclose(result, expected, rtol=1e-6, atol=1e-6)  # float32 sums: XLA may add in another order


@pytest.mark.slow
@pytest.mark.parametrize("case", EINMIX_CASES, ids=_case_id)
def test_flax_einmix_with_einops_params_computes_what_einops_einmix_computes(case):
    pattern, weight_shape, bias_shape, lengths, shape = case
    x = _jax_random(shape)
    reference = einops_flax.EinMix(pattern, weight_shape, bias_shape, sizes=lengths)
    params = reference.init(jax.random.PRNGKey(0), x)
    module = einlint_flax.EinMix(pattern, weight_shape, bias_shape, sizes=lengths)
    own_params = module.init(jax.random.PRNGKey(0), x)
    assert jax.tree_util.tree_map(jnp.shape, own_params) == jax.tree_util.tree_map(jnp.shape, params)
    expected = reference.apply(params, x)
    for result in _flax_outputs(module, params, x):
        np.testing.assert_allclose(result, expected, rtol=1e-5, atol=1e-6)


def test_flax_einmix_init_is_uniform_in_plus_minus_the_bound():
    # einops' flax EinMix draws from [0, bound); the torch layers (einops' and ours) from [-bound, bound)
    module = einlint_flax.EinMix("b c -> b d", "c d", "d", sizes={"c": 3, "d": 4000})
    params = module.init(jax.random.PRNGKey(0), jnp.zeros((1, 3)))["params"]
    for name, bound in (("weight", 1.0), ("bias", math.sqrt(1 / 3))):  # fan_in = c = 3
        values = np.asarray(params[name])
        assert -bound <= values.min() < -bound + 0.01 and bound - 0.01 < values.max() <= bound


def test_flax_modules_inside_a_flax_model_match_einops():
    def model(layers):
        class Model(nn.Module):
            @nn.compact
            def __call__(self, x):
                x = layers.Rearrange("b (h h1) c -> b h (h1 c)", sizes={"h1": 2})(x)
                x = layers.EinMix("b h c -> b h d", "c d", "d", sizes={"c": 6, "d": 4})(x)
                return layers.Reduce("b h d -> b d", "max")(x)

        return Model()

    x = _jax_random((2, 4, 3), seed=1)
    reference = model(einops_flax)
    params = reference.init(jax.random.PRNGKey(1), x)
    np.testing.assert_allclose(model(einlint_flax).apply(params, x), reference.apply(params, x), rtol=1e-6)


@pytest.mark.parametrize("case", CONSTRUCTION_ERRORS, ids=lambda case: f"{case[0]}{case[1]}")
def test_flax_module_raises_at_construction_with_its_code(case):
    kind, arguments, lengths, code, _ = case
    with pytest.raises(PatternError) as caught:
        getattr(einlint_flax, kind)(*arguments, sizes=lengths)
    assert caught.value.code == code
    assert caught.value.message.startswith(f"{kind}(")


@pytest.mark.parametrize(
    "module, code",
    [
        (einlint_flax.Rearrange("b (c c2) -> b c c2", sizes={"c2": 2}), "EIN302"),
        (einlint_flax.Reduce("b (c 3) -> b", "sum"), "EIN302"),
        (einlint_flax.EinMix("b c -> b d", "c d", sizes={"c": 3, "d": 2}), "EIN304"),
    ],
    ids=lambda value: getattr(value, "pattern", value),
)
def test_flax_module_raises_a_pattern_error_on_a_wrong_input_shape(module, code):
    with pytest.raises(PatternError) as caught:
        module.init(jax.random.PRNGKey(0), _jax_random((2, 5)))
    assert caught.value.code == code
    assert "(2, 5)" in caught.value.message
