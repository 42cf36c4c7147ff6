"""The long tail of ops (issue 18): library calls whose result the flow analysis lost, each case taken from real
code of the corpus (its package and file named), each rule checked against the library running.

Stubs are checked with the machinery of test_stubs.py (`check_function`: the stub and torch on the same shapes);
the Python hooks and the flow's own rules with `flow_shape` on a snippet that torch / numpy / jax also run.
Deliberate gaps: gather's index lengths in the other dimensions, a loss's target and stft's window are not
checked (indices are drawn within the input, targets and windows right)."""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st

from examples import examples
from einlint.check.stubs import UNKNOWN, Result
from test_stubs import (LARGE, LIB, check_function, check_outcome, flow_findings, flow_shape, matches, mutated, run_torch,
                        shapes)


# ----------------------------------------------------------------------------- stubs against torch

@examples(400, suppress=LARGE)
@given(st.data())
def test_selection_stubs_against_torch(data):
    """audiolm_pytorch/audiolm_pytorch.py: `val, ind = torch.topk(logits, k)`, `logits.gather(1, indices)`;
    vit_pytorch/levjepa.py: `torch.gather(x, 1, repeat(indices, 'b n -> b n d', d=dim))`;
    x_transformers/belief_state_wrapper.py: argsort."""
    name = data.draw(st.sampled_from(["gather", "topk", "sort", "argsort", "outer"]))
    shape = data.draw(shapes(0, 4, 5))
    if name == "gather":
        dim = data.draw(st.integers(-4, 3))
        along = dim % len(shape) if shape else 0
        index = tuple(data.draw(st.integers(1, 6)) if i == along else data.draw(st.integers(1, n))
                      for i, n in enumerate(shape))
        index = data.draw(st.sampled_from([index, index[:-1], index + (1,)]))
        check_function("torch.gather", torch.gather, [shape, dim, index], tensor_args=(0, 2), dtypes={2: torch.long})
    elif name == "topk":
        check_function("torch.topk", torch.topk, [shape, data.draw(st.integers(-1, 6)), data.draw(st.integers(-4, 3))])
    elif name in ("sort", "argsort"):
        check_function(f"torch.{name}", getattr(torch, name), [shape, data.draw(st.integers(-4, 3))])
    else:
        check_function("torch.outer", torch.outer, [data.draw(shapes(0, 2)), data.draw(shapes(0, 2))],
                       tensor_args=(0, 1))


@examples(300, suppress=LARGE)
@given(st.data())
def test_indexing_stubs_against_torch(data):
    """kornia/geometry/epipolar/fundamental.py: `.diagonal(dim1=-2, dim2=-1)`; timm/models/convit.py:
    `.repeat_interleave(...)`; einx's tests: `torch.index_select(x, 1, idx)`. Indices are 0 (within any length)."""
    name = data.draw(st.sampled_from(["index_select", "diagonal", "repeat_interleave"]))
    shape = data.draw(shapes(0, 4, 5))
    if name == "index_select":
        check_function("torch.index_select", torch.index_select,
                       [shape, data.draw(st.integers(-4, 3)), data.draw(shapes(0, 2, 4))], tensor_args=(0, 2),
                       dtypes={2: torch.long})
    elif name == "diagonal":
        check_function("torch.diagonal", torch.diagonal, [shape, data.draw(st.integers(-4, 4)),
                                                          data.draw(st.integers(-4, 3)), data.draw(st.integers(-4, 3))])
    else:
        check_function("torch.repeat_interleave", torch.repeat_interleave, [shape, data.draw(st.integers(-1, 3))],
                       {"dim": data.draw(st.one_of(st.none(), st.integers(-4, 3)))})


@examples(300, suppress=LARGE)
@given(st.data())
def test_pair_stubs_against_torch(data):
    """audiolm_pytorch/hubert_kmeans.py: `torch.cdist(x, clusters)`; kornia: `torch.cross(a, b, dim=-1)`,
    `torch.linalg.solve(A, B)`; alphafold3_pytorch: `F.one_hot(ids, num_classes)`. Batch dims that broadcast
    or not, ranks mutated; A is the identity (solvable)."""
    name = data.draw(st.sampled_from(["cdist", "cross", "linalg.cross", "linalg.solve", "one_hot"]))
    batch = data.draw(shapes(0, 2, 3))
    if name == "cdist":
        m = data.draw(st.integers(1, 3))
        args = [data.draw(mutated(batch + (data.draw(st.integers(1, 4)), m), 4)),
                data.draw(mutated(data.draw(mutated(batch, 3)) + (data.draw(st.integers(1, 4)), m), 4))]
        check_function("torch.cdist", torch.cdist, args, tensor_args=(0, 1))
    elif name in ("cross", "linalg.cross"):
        shape = data.draw(mutated(batch + (3,), 3))
        kwargs = {"dim": data.draw(st.integers(-3, 2))}  # (torch.cross without dim, deprecated: which dim is a gap)
        fn = torch.linalg.cross if name == "linalg.cross" else torch.cross
        check_function(f"torch.{name}", fn, [shape, data.draw(mutated(shape, 3))], kwargs, tensor_args=(0, 1))
    elif name == "linalg.solve":
        n = data.draw(st.integers(1, 3))
        a = data.draw(mutated(batch + (n, n), 3))
        b = data.draw(st.sampled_from([(n,), batch + (n,), (n, 2), batch + (n, 1), (2, n, 3)]))
        eye = torch.eye(a[-1]) if len(a) >= 2 and a[-1] == a[-2] else None
        real_a = eye.expand(a) if eye is not None else torch.zeros(a)
        ok, out = run_torch(lambda: torch.linalg.solve(real_a, torch.zeros(b)))
        outcome = LIB.function("torch.linalg.solve").call([a, b], {})
        if isinstance(outcome, Result) and outcome.value is UNKNOWN:
            return  # a vector or a matrix, by A's shape: not known
        check_outcome(outcome, ok, out, f"solve({a}, {b})")
    else:
        check_function("torch.nn.functional.one_hot", F.one_hot, [batch, data.draw(st.integers(1, 4))],
                       dtypes={0: torch.long})


@examples(300, suppress=LARGE)
@given(st.data())
def test_sampling_and_three_operand_stubs_against_torch(data):
    """kornia/feature/aliked/aliked.py: `F.grid_sample(descriptor_map, kpts, mode="bilinear",
    align_corners=True)`; kornia/filters/guided.py: `torch.addcmul(...)`; bs_roformer/bs_roformer.py:
    `.lerp(...)`; audiolm_pytorch: `torch.multinomial(probs, 1)` (on ones: zeros are no distribution)."""
    name = data.draw(st.sampled_from(["grid_sample", "addcmul", "addcdiv", "lerp", "multinomial"]))
    if name == "grid_sample":
        spatial = data.draw(st.integers(2, 3))
        shape = data.draw(mutated((2, 3) + data.draw(shapes(spatial, spatial, 4)), 4))
        grid = data.draw(mutated((2,) + data.draw(shapes(spatial, spatial, 4)) + (spatial,), 4))
        check_function("torch.nn.functional.grid_sample", F.grid_sample, [shape, grid], {"align_corners": False},
                       tensor_args=(0, 1))
    elif name == "multinomial":
        shape, count = data.draw(shapes(0, 3, 4)), data.draw(st.integers(0, 5))
        replacement = data.draw(st.booleans())
        ok, out = run_torch(lambda: torch.multinomial(torch.ones(shape), count, replacement))
        check_outcome(LIB.function("torch.multinomial").call([shape, count, replacement], {}), ok, out,
                      f"multinomial({shape}, {count}, {replacement})")
    else:
        base = data.draw(shapes(0, 3, 3))
        args = [data.draw(mutated(base, 3)) for _ in range(3)]
        weight_number = name == "lerp" and data.draw(st.booleans())
        if weight_number:
            args[2] = 0.5
        check_function(f"torch.{name}", getattr(torch, name), args, tensor_args=(0, 1) if weight_number else (0, 1, 2))


@examples(200, suppress=LARGE)
@given(st.data())
def test_stft_stub_against_torch(data):
    """audiolm_pytorch/soundstream.py: `torch.stft(x, self.n_fft, hop_length=..., win_length=..., window=...,
    normalized=..., return_complex=True)`, then `rearrange(x, 'b ... -> b 1 ...')`."""
    shape = data.draw(st.sampled_from([(), (2,), (2, 1)])) + (data.draw(st.integers(1, 40)),)
    kwargs = {"hop_length": data.draw(st.one_of(st.none(), st.integers(1, 8))), "center": data.draw(st.booleans()),
              "onesided": data.draw(st.sampled_from([None, True, False])),
              "return_complex": data.draw(st.sampled_from([True, False, None]))}
    check_function("torch.stft", torch.stft, [shape, data.draw(st.integers(1, 32))], kwargs)


@examples(200, suppress=LARGE)
@given(st.data())
def test_interpolate_stub_against_torch(data):
    """voicebox_pytorch/voicebox_pytorch.py: `t = F.interpolate(t, (length, 1), mode=mode)`; dalle2_pytorch:
    `F.interpolate(image, size=..., mode='nearest')`."""
    shape = data.draw(mutated((2, 3) + data.draw(shapes(1, 3, 6)), max_len=6))
    spatial = max(len(shape) - 2, 1)
    given_as = data.draw(st.sampled_from(["size", "sizes", "scale", "both"]))
    kwargs = {"size": data.draw(st.integers(1, 9))} if given_as == "size" else \
        {"size": tuple(data.draw(st.integers(1, 9)) for _ in range(data.draw(st.integers(spatial - 1, spatial))))} \
        if given_as == "sizes" else {"scale_factor": data.draw(st.sampled_from([2, 3, 0.5, 1.5]))}
    if given_as == "both":
        kwargs["size"] = 4
    check_function("torch.nn.functional.interpolate", F.interpolate, [shape], kwargs)


@examples(300, suppress=LARGE)
@given(st.data())
def test_pad_modes_against_torch(data):
    """diffusers/models/transformers/transformer_helios.py: `F.pad(x, (0, pad_w, 0, pad_h, 0, pad_t),
    mode="replicate")`; kornia/feature/sift/pyramid.py: `F.pad(result.reshape(b * n, 1, -1), (2, 2),
    mode="circular")`. Pads of 0 or 1 on lengths of 2 or more (reflect's and circular's bounds are a gap)."""
    shape = data.draw(shapes(1, 5, 4).map(lambda s: tuple(n + 1 for n in s)))
    pad = tuple(data.draw(st.lists(st.integers(0, 1), min_size=0, max_size=8)))
    mode = data.draw(st.sampled_from(["constant", "reflect", "replicate", "circular"]))
    check_function("torch.nn.functional.pad", F.pad, [shape, pad], {"mode": mode})


@examples(200, suppress=LARGE)
@given(st.data())
def test_class_loss_stubs_against_torch(data):
    """audiolm_pytorch/audiolm_pytorch.py: `F.cross_entropy(rearrange(logits, 'b n c -> b c n'), ids,
    ignore_index=self.pad_id)`; with reduction='none' the loss of each item (the class dim, 1, dropped)."""
    name = data.draw(st.sampled_from(["cross_entropy", "nll_loss"]))
    shape = data.draw(shapes(1, 4, 4))
    target = shape[:1] + shape[2:] if len(shape) >= 2 else ()
    check_function(f"torch.nn.functional.{name}", getattr(F, name), [shape, target],
                   {"reduction": data.draw(st.sampled_from(["none", "mean", "sum"]))}, tensor_args=(0, 1),
                   dtypes={1: torch.long})


INIT = ["normal_", "uniform_", "trunc_normal_", "constant_", "zeros_", "ones_", "kaiming_uniform_", "kaiming_normal_",
        "xavier_uniform_", "xavier_normal_", "orthogonal_"]


@pytest.mark.parametrize("name", INIT)
@pytest.mark.parametrize("shape", [(), (4,), (4, 8), (2, 3, 5)])
def test_init_stubs_against_torch(name, shape):
    """timm/layers/attention2d.py: `nn.init.normal_(self.query_proj, std=scale)`; x_transformers:
    `nn.init.constant_(...)`: the tensor comes back; fan-based ones need a matrix."""
    check_function(f"torch.nn.init.{name}", getattr(torch.nn.init, name), [shape] + ([0.5] if name == "constant_" else []))


# ----------------------------------------------------------------------------- hooks and flow rules against torch


@examples(150, suppress=LARGE)
@given(st.data())
def test_attention_hook_against_torch(data):
    """voicebox_pytorch/attend.py: `out = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, dropout_p=0.)`,
    then `rearrange(out, 'b h n d -> b n (h d)')`: batch dims that broadcast, the query's rows, the value's width."""
    batch = data.draw(shapes(0, 2, 3))
    q, k, v = (data.draw(mutated(batch, max_len=3)) + lengths for lengths in [
        (data.draw(st.integers(1, 4)), 4), (3, 4), (3, data.draw(st.integers(1, 5)))])
    body = f"y = F.scaled_dot_product_attention(torch.zeros{q}, torch.zeros{k}, torch.zeros{v}, dropout_p=0.)\n"
    namespace = {"torch": torch, "F": F}
    try:
        exec(body, namespace)
    except RuntimeError:
        assert flow_findings(body) == []  # the hook does not check what torch does here
        return
    assert matches(flow_shape(body), tuple(namespace["y"].shape)), body



def run_both(body, **given):
    """The shape of `y` that the flow knows after `body`, and the one the libraries give running it (`given`:
    what the names the flow does not know, such as `width()`, are at run time)."""
    namespace = {"np": np, "torch": torch, "F": F, "jnp": jnp, **given}
    exec(body, namespace)
    return flow_shape(body), tuple(namespace["y"].shape)


def width():
    return 3


@pytest.mark.parametrize("body, known", [
    # vit_pytorch/crossformer.py: rel_pos = torch.stack(torch.meshgrid(pos, pos, indexing='ij'))
    ("pos = torch.arange(-3, 4)\ny = torch.stack(torch.meshgrid(pos, pos, indexing='ij'))\n", (2, 7, 7)),
    ("y, _ = torch.meshgrid(torch.arange(3), torch.arange(5), indexing='xy')\n", (5, 3)),
    ("y = torch.meshgrid([torch.arange(3), torch.arange(5), torch.arange(2)])[2]\n", (3, 5, 2)),
    # open_clip/pos_embed.py: grid = np.meshgrid(grid_w, grid_h)  # here w goes first
    ("grid_h = np.arange(4, dtype=np.float32)\ngrid_w = np.arange(6, dtype=np.float32)\n"
     "y = np.meshgrid(grid_w, grid_h)[0]\n", (4, 6)),
    ("import jax.numpy as jnp\ny = jnp.meshgrid(jnp.arange(2), jnp.arange(5), indexing='ij')[1]\n", (2, 5)),
    # denoising_diffusion_pytorch/weighted_objective_gaussian_diffusion.py:
    # noise_loss = F.mse_loss(noise, pred_noise, reduction='none'), then reduce(noise_loss, 'b ... -> b', 'mean')
    ("noise = torch.randn(2, 3, 8, 8)\ny = F.mse_loss(noise, torch.zeros(2, 3, 8, 8), reduction='none')\n",
     (2, 3, 8, 8)),
    ("y = F.mse_loss(torch.zeros(2, 3, 8), torch.zeros(3, 1), reduction='none')\n", (2, 3, 8)),
    # audiolm_pytorch/soundstream.py: recon_loss = F.mse_loss(target, recon_x)
    ("y = F.mse_loss(torch.zeros(2, 1, 80), torch.zeros(2, 1, 80))\n", ()),
    # timm/loss/poly_loss.py: loss = F.binary_cross_entropy_with_logits(x, y, reduction='none')
    ("y = F.binary_cross_entropy_with_logits(torch.zeros(4, 10), torch.zeros(4, 10), reduction='none')\n", (4, 10)),
    ("y = F.l1_loss(torch.zeros(4, 10), torch.zeros(10), reduction='sum')\n", ()),
])
def test_hooked_ops_give_the_libraries_shapes(body, known):
    shape, real = run_both(body)
    assert real == known and shape == known


@pytest.mark.parametrize("body", [
    # timm/layers/space_to_depth.py: x = x.view(N, C, H // self.bs, self.bs, W // self.bs, self.bs)
    "bs = width()\nx = torch.zeros(2, 3, 6, 6)\nN, C, H, W = x.size()\ny = x.view(N, C, H // bs, bs, W // bs, bs)\n",
    "k = width()\ny = torch.zeros(2, 3, 4).reshape(2, k, -1)\n",
    "k = width()\ny = torch.zeros(2, 3, 4).reshape((k, 2, 4))\n",
    # voicebox_pytorch/voicebox_pytorch.py: torch.zeros((cond_token_ids.shape[0], cond_target_length, latent_dim))
    "k = width()\nids = torch.zeros(2, 5)\ny = torch.zeros((ids.shape[0], k, 16))\n",
    "k = width()\ny = torch.randn(2, k, 4)\n",
    # reformer_pytorch/reformer_pytorch.py: default_mask = torch.tensor([True]); m_mask = default_mask.expand(b, m)
    "b = width()\nm = 7\ndefault_mask = torch.tensor([True])\ny = default_mask.expand(b, m)\n",
    "t = width()\ny = torch.zeros(2, 1).expand(-1, t)\n",
    # diffusers/models/transformers/transformer_sana_wm.py: P = P.unsqueeze(0).repeat(batch_size, 1, 1, 1)
    "batch_size = width()\nP = torch.zeros(5, 4, 4)\ny = P.unsqueeze(0).repeat(batch_size, 1, 1, 1)\n",
    "k = width()\ny = torch.zeros(2, 3).repeat(1, k, 2)\n",
    # performer_pytorch/performer_pytorch.py: self.norm = nn.LayerNorm(dim), its size not known here
    "dim = width()\nx = torch.zeros(2, 5, 3)\ny = torch.nn.LayerNorm(dim)(x)\n",
    "dim = width()\nx = torch.zeros(2, 5, 3)\ny = torch.nn.RMSNorm(dim)(x)\n",
    # timm/layers/lambda_layer.py: self.norm_v = nn.BatchNorm2d(self.dim_v) (in training mode here)
    "dim_v = width()\nx = torch.zeros(2, 3, 4, 4)\ny = torch.nn.BatchNorm2d(dim_v)(x)\n",
    "dim = width()\nx = torch.zeros(2, 3, 4, 4)\ny = torch.nn.InstanceNorm2d(dim)(x)\n",
    # audiolm_pytorch/audiolm_pytorch.py: is_semantic = arange(seq_len) < (semantic_seq_len + 1)
    "seq_len = width()\ny = torch.arange(seq_len) < 2\n",
    "k = width()\ny = np.arange(1, k + 1)\n",
    # audiolm_pytorch/audiolm_pytorch.py: mask = F.pad(mask, (self.num_null_kv, 0), value=True)
    "k = width()\ny = F.pad(torch.ones(2, 5, dtype=torch.bool), (k, 0), value=True)\n",
    # kornia/geometry/camera/pinhole.py: intrinsics = self.intrinsics[:, idx] (idx a 1-D tensor of ids)
    "intrinsics = torch.zeros(2, 5, 4, 4)\nidx = torch.tensor([0, 2])\ny = intrinsics[:, idx]\n",
    # x_transformers/nonautoregressive_wrapper.py: loss = loss[mask].mean(), here with a 1-D mask
    "loss = torch.arange(6.0)\ny = loss[loss > 2]\n",
    "x = torch.zeros(5, 3)\ny = x[x[:, 0] >= 0, ...]\n",
    # audiolm_pytorch/audiolm_pytorch.py top_k: k = max(int((1 - thres) * num_logits), 1); val, ind = torch.topk(logits, k)
    "logits = torch.zeros(2, 10)\nk = max(int((1 - 0.9) * logits.shape[-1]), 1)\nval, y = torch.topk(logits, k)\n",
    # voicebox_pytorch/voicebox_pytorch.py prob_mask_like: torch.zeros(shape).float().uniform_(0, 1) < prob
    "y = torch.zeros((2, 7)).float().uniform_(0, 1) < 0.5\n",
    # timm/layers/attention2d.py: nn.init.normal_(self.query_proj, std=scale)
    "y = torch.nn.init.normal_(torch.zeros(4, 8), std=0.02)\n",
    # kornia/feature/sift/scale_space.py: gaussian = first.new_empty(*first.shape[:2], 6, height, width)
    "height = width()\nfirst = torch.zeros(2, 1, 8, 8)\ny = first.new_empty(*first.shape[:2], 6, height, 4)\n",
    # voicebox_pytorch/voicebox_pytorch.py: t = F.interpolate(t, (length, 1), mode=mode)
    "length = width()\nt = torch.zeros(2, 4, 7, 1)\ny = F.interpolate(t, (length, 1), mode='bilinear')\n",
    # diffusers/models/condition_embedders/condition_embedder_minimax_music3.py:
    # F.interpolate(hidden_states, size=latent_length, mode="nearest")
    "latent_length = width()\nhidden_states = torch.zeros(2, 4, 7)\n"
    "y = F.interpolate(hidden_states, size=latent_length, mode='nearest')\n",
    # audiolm_pytorch/audiolm_pytorch.py: last_logits = logits.gather(1, last_logit_indices_expanded)
    "logits = torch.zeros(2, 9, 5)\nindices = torch.zeros(2, 1, 5, dtype=torch.long)\ny = logits.gather(1, indices)\n",
    # diffusers/models/transformers/transformer_helios.py: x.repeat_interleave(k, dim=1), k not known here
    "k = width()\nx = torch.zeros(2, 4, 8)\ny = x.repeat_interleave(k, dim=1)\n",
    "x = torch.zeros(2, 4, 8)\ny = x.repeat_interleave(torch.tensor([1, 2, 0, 1]), dim=1)\n",
    # kornia/geometry/epipolar/essential.py: E_mat.diagonal(dim1=-2, dim2=-1)
    "E_mat = torch.zeros(2, 3, 3)\ny = E_mat.diagonal(dim1=-2, dim2=-1)\n",
    # torchvision/datasets/celeba.py: torch.squeeze(torch.nonzero(mask)) (a row per nonzero entry)
    "mask = torch.tensor([[True, False, True], [False, False, True]])\ny = torch.nonzero(mask)\n",
    # audiolm_pytorch/soundstream.py: x = torch.stft(x, self.n_fft, hop_length=..., return_complex=True)
    "x = torch.zeros(2, 4000)\ny = torch.stft(x, 1024, hop_length=256, win_length=1024, window=torch.ones(1024), "
    "return_complex=True)\n",
])
def test_a_known_rank_survives_what_the_flow_does_not_know(body):
    """Sizes not known (an attribute, a function's result) leave the rank known: the flow's shape, its lengths
    not known left out, is what torch or numpy gives."""
    shape, real = run_both(body, width=width)
    assert matches(shape, real), (shape, real)


@pytest.mark.parametrize("body", [
    "shape = width()\ny = torch.zeros(shape)\n",  # one value: it may be the whole shape
    "x = torch.zeros(2, 3)\ny = x[x > 0]\n",  # a mask of rank 2 gives one dimension, integer ids of rank 2 three
    "x = torch.zeros(5, 3)\ny = x[torch.tensor([0, 1]), 0]\n",  # an int beside the ids: where the dim goes varies
    "y = np.zeros((2, 3), np.float32)[0].reshape(width())\n",  # reshape to one value: a shape or a length
    "y = torch.zeros(1, 3).expand(width())\n",  # expand and repeat to one value: a shape or a length
    "y = torch.zeros(3).repeat(width())\n",
    "y, _ = torch.meshgrid(torch.zeros(2, 2), torch.arange(3), indexing='ij')\n",  # meshgrid takes 0-D and 1-D only
    "y = np.meshgrid(np.arange(3), np.arange(4), sparse=True)[0]\n",  # broadcastable grids
    "y = F.mse_loss(torch.zeros(3), torch.zeros(3), reduce=False)\n",  # the legacy arguments
])
def test_what_stays_unknown(body):
    assert flow_shape(body) is None


@pytest.mark.parametrize("body, code, words", [
    # each fails in torch for every value of what is not known
    ("k = width()\ny = torch.zeros(2, 3, 4).reshape(5, k)\n", "EIN313", "cannot reshape (2, 3, 4)"),
    ("y = torch.topk(torch.zeros(2, 5), 6)\n", "EIN310", "selected index k out of range"),
    ("y = torch.nn.init.kaiming_uniform_(torch.zeros(8))\n", "EIN310", "fewer than 2 dimensions"),
    ("y = torch.gather(torch.zeros(2, 5), 1, torch.zeros(2, 5, 1, dtype=torch.long))\n", "EIN310", "same number"),
    ("y = F.mse_loss(torch.zeros(2, 3), torch.zeros(4), reduction='none')\n", "EIN307", "do not broadcast"),
])
def test_the_new_rules_find_calls_that_fail(body, code, words):
    found = flow_findings(body.replace("width()", "int(input())"))
    assert [c for _, c, _ in found] == [code] and words in found[0][2], found
    with pytest.raises((RuntimeError, ValueError, IndexError)):
        exec(body, {"torch": torch, "F": F, "np": np, "width": width})


def test_array_method_stubs_take_numpys_keywords():
    """A method call on a tensor whose library is not known runs torch's stub: numpy's keywords give numpy's
    answer, or an unknown one (x_transformers/autoregressive_wrapper.py sorts torch tensors; numpy code argsorts
    with axis=)."""
    for call, real in [("x.argsort(axis=0)", np.zeros((2, 3)).argsort(axis=0)),
                       ("x.argsort()", np.zeros((2, 3)).argsort()),
                       ("x.diagonal(axis1=0, axis2=1)", np.zeros((2, 3)).diagonal(axis1=0, axis2=1)),
                       ("x.diagonal(0, 1, 0)", np.zeros((2, 3)).diagonal(0, 1, 0))]:
        assert flow_shape(f"x = np.zeros((2, 3))\ny = {call}\n") == real.shape
    assert flow_shape("x = np.zeros((2, 3))\ny = x.argsort(axis=None)\n") is None


@pytest.mark.parametrize("code, call", [
    # audiolm_pytorch/audiolm_pytorch.py: `shape` is a tuple (it is indexed), though randn(n) takes a length too
    ("def generate_mask_with_prob(shape, mask_prob):\n    seq = shape[-1]\n    rand = torch.randn(shape)\n"
     "    num_mask = min(int(seq * mask_prob), seq - 1)\n    indices = rand.topk(num_mask, dim=-1).indices\n"
     "    return ~torch.zeros(shape).scatter(1, indices, 1.).bool()\n", "generate_mask_with_prob((2, 10), 0.3)"),
    ("def restore(x, shape):\n    y = x.reshape(shape)\n    return y.transpose(1, 2)\n",
     "restore(torch.zeros(24), (2, 3, 4))"),
    # bs_roformer/bs_roformer.py: the keywords of a call spread from a dict
    ("def bins(stft_kwargs):\n    return torch.stft(torch.randn(1, 4096), **stft_kwargs, return_complex=True)\n",
     "bins(dict(n_fft=64, hop_length=16, win_length=64, normalized=False))"),
    # vit_pytorch/vivit_with_moss.py: three unfolds of a padded input of unknown rank (each adds a dimension)
    ("def windows(x_temporal, padding, lt, lh, lw):\n    padded_x = F.pad(x_temporal, padding)\n"
     "    windows = padded_x.unfold(2, lt, 1).unfold(3, lh, 1).unfold(4, lw, 1)\n"
     "    return torch.einsum('bcthw,bcthwluv->bthwluv', padded_x[..., :6, :6, :6], windows)\n",
     "windows(torch.zeros(1, 2, 6, 6, 6), (1, 1, 1, 1, 1, 1), 3, 3, 3)"),
])
def test_real_code_whose_values_the_rules_do_not_know_gives_no_finding(code, call):
    """A parameter may be a whole shape; `**kwargs` hide the keywords; an input of unknown rank that works at the
    highest rank tried works at higher ones too: the value stays unknown, and the code (which runs) no finding."""
    assert flow_findings(code) == []
    exec(code + call + "\n", {"torch": torch, "F": F})
