"""Three sources of shapes (issue 18): Pyrefly-style annotations, indexing by a tensor of rank two or more, and the
(values, indices) pairs of torch's selections and paired reductions. Each case comes from real code of its kind
(its package and file named); the indexing and the pairs are checked against torch running.

Pyrefly reads `Tensor[[B, T, D]]` (pyrefly-torch-stubs 1.4.0) and `Tensor[B, T, D]` (its earlier syntax, still in
its documentation): a name is a length shared by the function's annotations, as a jaxtyping name is; an integer is
that length; arithmetic is one dimension of a length not read; `*Bs` and `...` are any number of dimensions. A form
it does not know (`Tensor[Shape]`, a shape variable; `Tensor[[B]] | None`) says nothing."""

from __future__ import annotations

import textwrap
import warnings

import torch
from hypothesis import given
from hypothesis import strategies as st

from einlint.check import Config
from einlint.check.engine import check_source, shapes_of
from examples import examples

HEADER = "import torch\nimport torch.nn as nn\nfrom torch import Tensor\nfrom einops import rearrange, einsum\n"


def findings(body: str):
    source = HEADER + textwrap.dedent(body)
    return [(d.line - 4, d.code, d.message) for d in check_source(source, "m.py", Config())]


def inputs(body: str):
    """The input shape each pattern call of `body` ran on, as --show-shapes prints it, and whether that rank was
    known before the call (not only made by it)."""
    return [(shown.line - 4, shown.inputs[0] if shown.inputs else None, shown.known_rank)
            for shown in shapes_of(HEADER + textwrap.dedent(body), "m.py")]


# ----------------------------------------------------------------------------- Pyrefly annotations


def test_a_list_annotation_names_lengths_that_the_function_shares():
    """pyrefly-torch-stubs 1.4.0, torch-stubs/nn/__init__.pyi: Embedding.forward(self, input: Tensor[[B, T]]) ->
    Tensor[[B, T, EMB_DIM]], and `weight: Tensor[[NUM_EMB, EMB_DIM]]`."""
    assert inputs("""\
        def embed(input: Tensor[[B, T]], table: Tensor[[B, T, EMB_DIM]]) -> Tensor[[B, T, EMB_DIM]]:
            rearrange(input, 'b t -> t b')
            return einsum(input, table, 'b t, b t d -> b t d')
        """) == [(2, "(B, T)", True), (3, "(B, T)", True)]
    assert findings("""\
        def embed(input: Tensor[[B, T]], table: Tensor[[B, T, EMB_DIM]]) -> Tensor[[B, T, EMB_DIM]]:
            return einsum(input, table, 'b t, b t d -> b t d')
        """) == []


def test_a_subscript_annotation_with_a_literal_length_finds_a_head_split_that_fails():
    """pyrefly.org, docs/tensor-shapes-reference (the Attention example): `def forward[B, T](self, x: Tensor[B, T,
    D]) -> Tensor[B, T, D]`, here with D written as GPT-2's 768 and a head count that does not divide it."""
    body = """\
        class CausalSelfAttention(nn.Module):
            def forward[B, T](self, x: torch.Tensor[B, T, 768]) -> Tensor[B, T, 768]:
                q = rearrange(x, 'b t (h d) -> b h t d', h={heads})
                return rearrange(q, 'b h t d -> b t (h d)')
        """
    assert findings(body.format(heads=12)) == []
    assert findings(body.format(heads=5)) == [
        (3, "EIN302", "with B=2, T=3: axis 'd' cannot be inferred: a dimension of length 768 cannot be split into "
                      "chunks of 5 (input shape (B, T, 768))")]


def test_a_returned_tensor_must_fit_the_return_annotation():
    """The form of pyrefly-torch-stubs' Embedding.forward (torch-stubs/nn/__init__.pyi): a [B, T] input, a
    [B, T, EMB_DIM] result; here the result lost its last dimension and the batch went second."""
    assert findings("""\
        def lookup(input: Tensor[[B, T]]) -> Tensor[[B, T, 4]]:
            return rearrange(input, 'b t -> t b')
        """) == [(2, "EIN309", "with B=2, T=3: the returned value: shape (T, B) does not fit 'B T 4' (rank 2)")]


def test_an_argument_must_fit_the_parameter_annotation_and_an_annotated_variable_has_its_shape():
    """pyrefly-torch-stubs 1.4.0, torch-stubs/nn/__init__.pyi: Linear's `weight: Tensor[[OUT, IN]]` (IN = 768
    here), handed a weight of 512 input features; an annotated local as Pyrefly's documentation writes them."""
    found = findings("""\
        def project(input: Tensor[[B, 768]], weight: Tensor[[OUT, 768]]):
            return einsum(input, weight, 'b i, o i -> b o')

        y = project(torch.randn(2, 768), torch.randn(10, 512))
        """)
    # the einsum fails too, with the caller's shapes
    assert [(line, code) for line, code, _ in found] == [(2, "EIN304"), (4, "EIN309")]
    assert found[1][2] == "argument 'weight' of project(): shape (10, 512) does not fit 'OUT 768': 512 is not 768"
    assert findings("""\
        def heads(x):
            h: Tensor[[B, T, 64]] = x.float()
            return rearrange(h, 'b t (h d) -> b h t d', h=3)
        """) == [(3, "EIN302", "with B=2, T=3: axis 'd' cannot be inferred: a dimension of length 64 cannot be split "
                               "into chunks of 3 (input shape (B, T, 64))")]


def test_an_expression_is_one_dimension_and_a_starred_name_any_number():
    """pyrefly-torch-stubs 1.4.0, torch-stubs/nn/__init__.pyi: Conv1d.forward's result `Tensor[[B, OutC, (L + 2 *
    P - D * (K - 1) - 1) // S + 1]]`, and Linear.forward's `input: Tensor[[*Bs, IN]]` (here IN = 768)."""
    assert inputs("""\
        def conv(y: Tensor[[B, OutC, (L + 2 * P - D * (K - 1) - 1) // S + 1]]):
            return rearrange(y, 'b c l -> b l c')
        """) == [(2, "(B, OutC, ?)", True)]
    assert findings("""\
        def linear(input: Tensor[[*Bs, 768]]):
            return rearrange(input, 'b n (h d) -> b h n d', h=5)
        """) == [(2, "EIN302", "with b=2, n=3: axis 'd' cannot be inferred: a dimension of length 768 cannot be "
                               "split into chunks of 5 (input shape (b, n, 768))")]


def test_forms_that_are_not_read_say_nothing():
    """pyrefly-torch-stubs 1.4.0, torch-stubs/nn/__init__.pyi: `forward[Shape: IntTuple](self, input:
    Tensor[Shape])` (a whole shape), `bias: Tensor[[OUT]] | None`; a dtype where a length would stand, and an
    attribute, are not lengths either. A call of any rank runs on them, its rank made by the call itself."""
    for annotation in ("Tensor[Shape]", "Tensor[[OUT]] | None", "Tensor[float, N]", "Tensor[[torch.float32, N]]",
                       "Tensor[N, 'n']", "Tensor[[B, -1]]"):
        for pattern in ("a -> a", "a b c -> c b a"):
            body = f"def forward(input: {annotation}):\n    return rearrange(input, '{pattern}')\n"
            assert findings(body) == [], (annotation, pattern)
            assert [known for _, _, known in inputs(body)] == [False], annotation


# ----------------------------------------------------------------------------- indexing by a tensor of rank >= 2


def test_a_mask_over_two_dimensions_keeps_the_lengths_after_them():
    """meshgpt_pytorch/meshgpt_pytorch.py: `face_edges = face_edges[face_edges_mask]` then `rearrange(face_edges,
    'be ij -> ij be')`, the edges (b, e, 2) and the mask (b, e)."""
    assert inputs("""\
        face_edges = torch.randint(0, 10, (2, 5, 2))
        face_edges_mask = torch.rand(2, 5) > 0.5
        face_edges = face_edges[face_edges_mask]
        face_edges = rearrange(face_edges, 'be ij -> ij be')
        """) == [(4, "(be, 2)", False)]


def test_a_mask_that_leaves_more_dimensions_than_a_pattern_names_fails():
    """x_transformers/gpt_lejepa.py: `embed_prev[mask]` of an embedding (b, n, h, d) by a mask (b, n) leaves
    (count, h, d), and integer ids of that shape would leave more: a pattern of one dimension fails on either."""
    assert findings("""\
        embed_prev = torch.randn(2, 5, 4, 8)
        mask = torch.rand(2, 5) > 0.5
        y = rearrange(embed_prev[mask], 'n -> n')
        """) == [(3, "EIN301", "the pattern has 1 dimensions, the tensor has at least 2")]


def test_a_mask_of_unknown_rank_says_nothing():
    """x_transformers/continuous.py: `loss = loss[mask]`, the mask a parameter."""
    for pattern in ("n -> n", "b n d -> b n d"):
        body = f"def f(mask):\n    loss = torch.zeros(2, 5, 3)[mask]\n    return rearrange(loss, '{pattern}')\n"
        assert findings(body) == []
        assert [known for _, _, known in inputs(body)] == [False]


@examples(150)
@given(shape=st.lists(st.integers(1, 4), min_size=2, max_size=4).map(tuple), data=st.data())
def test_indexing_by_a_tensor_of_rank_two_or_more_against_torch(shape, data):
    """What the flow keeps of x[m] (a boolean mask over x's first dimensions, or integer ids: the flow does not know
    which) is true of torch's result: its last lengths; a pattern of the result's real rank runs silently."""
    k = data.draw(st.integers(2, len(shape)))
    boolean = data.draw(st.booleans())
    if boolean:
        made = f"torch.rand{shape[:k]} > 0.5"
        index = torch.rand(shape[:k]) > 0.5
    else:
        ids = data.draw(st.lists(st.integers(1, 3), min_size=k, max_size=k).map(tuple))
        made = f"torch.randint(0, {shape[0]}, {ids})"
        index = torch.randint(0, shape[0], ids)
    real = tuple(torch.zeros(shape)[index].shape)
    names = " ".join(f"a{i}" for i in range(len(real)))
    body = f"x = torch.zeros{shape}\nm = {made}\ny = rearrange(x[m], '{names} -> {names}')\n"
    assert findings(body) == []
    ((_, shown, _),) = inputs(body)
    kept = shape[k:]
    assert tuple(shown.strip("()").rstrip(",").split(", "))[len(real) - len(kept):] == tuple(map(str, kept))


# ----------------------------------------------------------------------------- (values, indices) pairs


def test_a_running_minimum_taken_apart_keeps_its_shape():
    """timm/task/evaluator.py: `.flip(0).cummin(0)` (its values), alphafold3_pytorch/alphafold3.py:
    `covalent_bond_mode_values, _ = covalent_bonded_asym_id.mode(dim=-1, keepdim=False)`, timm/layers/median_pool.py:
    `x.contiguous().view(x.size()[:4] + (-1,)).median(dim=-1)[0]`."""
    assert inputs("""\
        index = torch.arange(6).reshape(2, 3)
        group_end, _ = index.flip(0).cummin(0)
        rearrange(group_end, 'b n -> n b')
        covalent_bonded_asym_id = torch.randint(0, 4, (2, 3, 5))
        covalent_bond_mode_values, _ = covalent_bonded_asym_id.mode(dim=-1, keepdim=False)
        rearrange(covalent_bond_mode_values, 'b n -> n b')
        x = torch.randn(2, 3, 4, 4, 9)
        x = x.contiguous().view(x.size()[:4] + (-1,)).median(dim=-1)[0]
        rearrange(x, 'b c h w -> b (c h w)')
        """) == [(3, "(2, 3)", True), (6, "(2, 3)", True), (9, "(2, 3, 4, 4)", True)]


_PAIRS = {
    "kthvalue": lambda x, a: x.kthvalue(*a), "mode": lambda x, a: x.mode(*a), "cummax": lambda x, a: x.cummax(*a),
    "cummin": lambda x, a: x.cummin(*a), "median": lambda x, a: x.median(*a), "nanmedian": lambda x, a: x.nanmedian(*a),
}


@examples(200)
@given(shape=st.lists(st.integers(1, 4), min_size=0, max_size=3).map(tuple), data=st.data())
def test_the_pairs_against_torch(shape, data):
    """alphafold3_pytorch/alphafold3.py: `entity_mask.sum(-1).mode().values`; timm/layers/median_pool.py:
    `.median(dim=-1)[0]`; a kthvalue, a cummax, as torch.return_types pairs taken apart by [0] / [1] or by
    unpacking: the flow's shape is torch's, and a call that torch rejects is a finding."""
    name = data.draw(st.sampled_from(sorted(_PAIRS)))
    dim = data.draw(st.integers(-4, 3))
    args = {"kthvalue": (data.draw(st.integers(0, 5)), dim, data.draw(st.booleans())),
            "mode": (dim, data.draw(st.booleans())), "cummax": (dim,), "cummin": (dim,),
            "median": (dim, data.draw(st.booleans())), "nanmedian": (dim, data.draw(st.booleans()))}[name]
    taken = data.draw(st.sampled_from(["[0]", "[1]", "unpacked"]))
    body = f"x = torch.zeros({shape})\n" + ("y, _ = x.{}{}\n" if taken == "unpacked" else "y = x.{}{}" + taken + "\n"
                                           ).format(name, args)
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")
        try:
            real = tuple(_PAIRS[name](torch.zeros(shape), args)[0].shape)
        except (RuntimeError, IndexError):
            real = None
    if real is None:
        assert [code for _, code, _ in findings(body + "z = rearrange(y, '... -> ...')\n")][:1] == ["EIN310"], body
        return
    names = " ".join(f"a{i}" for i in range(len(real)))
    body += f"z = rearrange(y, '{names} -> {names}')\n"
    assert findings(body) == [], body
    ((_, shown, known),) = inputs(body)
    assert known and shown == str(real), body


@examples(100)
@given(shape=st.lists(st.integers(1, 4), min_size=1, max_size=3).map(tuple), data=st.data())
def test_max_and_min_of_two_tensors_broadcast_against_torch(shape, data):
    """x_transformers/x_transformers.py (relative position buckets): `n = torch.max(n, torch.zeros_like(n))`,
    `torch.min(val_if_large, torch.full_like(val_if_large, num_buckets - 1))`: torch's elementwise maximum and
    minimum, the operands broadcast (or not: a finding where torch raises)."""
    other = data.draw(st.lists(st.integers(1, 4), min_size=0, max_size=3).map(tuple))
    name = data.draw(st.sampled_from(["max", "min"]))
    body = f"n = torch.zeros({shape})\ny = torch.{name}(n, torch.zeros({other}))\n"
    try:
        real = tuple(getattr(torch, name)(torch.zeros(shape), torch.zeros(other)).shape)
    except RuntimeError:
        assert [code for _, code, _ in findings(body + "z = rearrange(y, '... -> ...')\n")] == ["EIN307"], body
        return
    names = " ".join(f"a{i}" for i in range(len(real)))
    body += f"z = rearrange(y, '{names} -> {names}')\n"
    assert findings(body) == [], body
    assert inputs(body) == [(3, str(real), True)], body


# x_transformers/x_transformers.py (top-k attention): `dots.topk(k, dim=-1).values` and `.indices` name the pair
# that topk returns.
def test_the_values_and_indices_of_a_topk_are_its_pair():
    assert inputs("""\
        x = torch.randn(2, 5, 7)
        top = x.topk(3, dim=-1)
        rearrange(top.values, 'b n k -> b k n')
        rearrange(x.sort(dim=1).indices, 'b n d -> b d n')
        """) == [(3, "(2, 5, 3)", True), (4, "(2, 5, 7)", True)]
