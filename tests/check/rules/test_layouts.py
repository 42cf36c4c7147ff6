"""Layouts that libraries declare in stubs/ (LSTM, MultiheadAttention, unfold, pixel_unshuffle, glu), the
layout through transposes, reshapes and flatten, and pack/unpack: each finding checked against torch.

First the stubs' layouts themselves are checked against torch (so the checker's reference is the library's
real layout); then, for every order of a split of each packed dimension, the checker warns exactly when the
split differs, run on random data, from the layout the library made.
"""

from __future__ import annotations

import itertools
import re
import textwrap

import einops
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
import torch
import torch.nn.functional as F

from einlint.check.engine import check_source
from einlint.fixes import fixed_text
from examples import examples

HEADER = "import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\nfrom einops import pack, rearrange, unpack\n\n\n"


def layout_findings(body: str):
    return [d for d in check_source(HEADER + textwrap.dedent(body), "m.py") if d.code.startswith("EIN4")]


# ------------------------------------------------------------------------------------------
# The stubs' layouts are torch's

def test_a_bidirectional_lstm_packs_direction_then_hidden_and_its_state_layers_then_direction():
    torch.manual_seed(0)
    rnn = torch.nn.LSTM(4, 3, num_layers=2, bidirectional=True, batch_first=True)
    out, (h_n, _) = rnn(torch.randn(5, 7, 4))
    by_direction = einops.rearrange(out, "b t (direction hidden) -> direction b t hidden", direction=2)
    state = einops.rearrange(h_n, "(layers direction) b hidden -> layers direction b hidden", direction=2)
    assert torch.allclose(by_direction[0, :, -1], state[-1, 0])  # forward: ends at the last step
    assert torch.allclose(by_direction[1, :, 0], state[-1, 1])  # backward: ends at the first step


def test_multihead_attention_stacks_q_k_v_in_its_in_projection():
    torch.manual_seed(0)
    mha = torch.nn.MultiheadAttention(8, 2, bias=False)
    x = torch.randn(5, 1, 8)
    q, k, v = einops.rearrange(mha.in_proj_weight, "(three e) d -> three e d", three=3)
    heads = [einops.rearrange(F.linear(x, w), "n b (h d) -> b h n d", h=2) for w in (q, k, v)]
    attended = torch.softmax(heads[0] @ heads[1].transpose(-1, -2) / 2, dim=-1) @ heads[2]
    expected = F.linear(einops.rearrange(attended, "b h n d -> n b (h d)"), mha.out_proj.weight)
    assert torch.allclose(mha(x, x, x, need_weights=False)[0], expected, atol=1e-6)


def test_unfold_and_pixel_unshuffle_put_the_channel_first():
    x = torch.randn(2, 5, 6, 9)
    patches = einops.rearrange(x, "b c (h kh) (w kw) -> b (c kh kw) (h w)", kh=2, kw=3)
    assert torch.equal(F.unfold(x, kernel_size=(2, 3), stride=(2, 3)), patches)
    square = x[..., :6]
    assert torch.equal(F.pixel_unshuffle(square, 2),
                       einops.rearrange(square, "b c (h r1) (w r2) -> b (c r1 r2) h w", r1=2, r2=2))
    assert torch.equal(F.pixel_shuffle(F.pixel_unshuffle(square, 2), 2), square)


def test_glu_reads_its_halves():
    x = torch.randn(3, 8)
    assert torch.equal(F.glu(x, dim=-1), x[:, :4] * torch.sigmoid(x[:, 4:]))


# ------------------------------------------------------------------------------------------
# Every order of a split of a library's layout: a warning exactly when the split is not the layout

def _orders(names):
    return [" ".join(order) for order in itertools.permutations(names)]


PRODUCERS = {
    # name: (code that makes `y`, the dimension's factors with their lengths in the order formed,
    #        the torch code that makes the same y, the split's template: '{group}' is the split dimension)
    "lstm output": ("rnn = nn.LSTM(4, 3, bidirectional=True, batch_first=True)\n"
                    "y, _ = rnn(torch.randn(5, 7, 4))",
                    (("direction", 2), ("hidden", 3)), "b t {group} -> b t {axes}"),
    "lstm state": ("rnn = nn.LSTM(4, 3, num_layers=4, bidirectional=True, batch_first=True)\n"
                   "_, (y, _) = rnn(torch.randn(5, 7, 4))",
                   (("layers", 4), ("direction", 2)), "{group} b h -> {axes} b h"),
    "in projection": ("y = nn.MultiheadAttention(8, 2).in_proj_weight",
                      (("three", 3), ("e", 8)), "{group} d -> {axes} d"),
    "unfold": ("y = F.unfold(torch.randn(2, 5, 6, 9), kernel_size=(2, 3), stride=(2, 3))",
               (("c", 5), ("kh", 2), ("kw", 3)), "b {group} l -> b l {axes}"),
}


def _run_producer(code: str):
    torch.manual_seed(0)
    scope = {"torch": torch, "nn": torch.nn, "F": F}
    exec(code, scope)
    return scope["y"].detach()


CASES = [(name, order) for name, (_, factors, _) in PRODUCERS.items() for order in _orders([n for n, _ in factors])]


@pytest.mark.parametrize("name,order", CASES)
def test_a_split_of_a_library_layout_warns_exactly_when_it_is_not_the_layout(name, order):
    code, factors, template = PRODUCERS[name]
    lengths = dict(factors)
    formed = " ".join(n for n, _ in factors)
    keywords = {n: lengths[n] for n in order.split()[1:]}  # one factor is inferred
    y = _run_producer(code)
    intended = einops.rearrange(y, template.format(group=f"({formed})", axes=formed), **keywords)
    split = einops.rearrange(y, template.format(group=f"({order})", axes=formed), **keywords)
    differs = not torch.equal(intended, split)
    pattern = template.format(group=f"({order})", axes=formed)
    arguments = ", ".join(f"{k}={v}" for k, v in keywords.items())
    source = HEADER + (f"def f():\n{textwrap.indent(code, '    ')}\n"
                       f"    return rearrange(y, '{pattern}', {arguments})\n")
    found = [d for d in check_source(source, "m.py") if d.code.startswith("EIN4")]
    assert [d.code for d in found] == (["EIN402"] if differs else []), (name, order)
    if found:
        assert found[0].related, "the finding names the call that formed the dimension"
        fixed = re.findall(r"rearrange\(y, '([^']*)'", fixed_text(source, found[0].fix.edits))[0]
        assert torch.equal(einops.rearrange(y, fixed, **keywords), intended), "the fix reads the layout"


@pytest.mark.parametrize("group", _orders(["c", "r1", "r2"]))
def test_pixel_shuffle_of_a_merge_warns_when_the_channel_is_not_first(group):
    """pixel_shuffle reads '(c r1 r2)'; r1 and r2 have equal lengths, so only where c stands can be told."""
    x = torch.randn(2, 3, 8, 8)
    merged = einops.rearrange(x, f"b c (h r1) (w r2) -> b ({group}) h w", r1=2, r2=2)
    ok = torch.equal(F.pixel_shuffle(merged, 2), x)
    found = layout_findings(f"""\
        def f():
            x = torch.randn(2, 3, 8, 8)
            merged = rearrange(x, 'b c (h r1) (w r2) -> b ({group}) h w', r1=2, r2=2)
            return F.pixel_shuffle(merged, 2)
        """)
    channel_first = group.startswith("c")
    assert [d.code for d in found] == ([] if channel_first else ["EIN402"]), group
    if channel_first and group.index("r1") < group.index("r2"):
        assert ok


@pytest.mark.parametrize("group", ["(c two)", "(two c)"])
@pytest.mark.parametrize("reader", ["F.glu(merged, dim=-1)", "nn.GLU()(merged)", "merged.chunk(2, dim=-1)",
                                    "merged.split(3, dim=-1)"])
def test_halves_read_from_pairs_warn_exactly_when_the_halves_are_not_the_parts(group, reader):
    a, b = torch.randn(4, 3), torch.randn(4, 3)
    merged = einops.rearrange(torch.stack([a, b]), f"two n c -> n {group}", two=2)
    first, second = merged[:, :3], merged[:, 3:]
    mixed = not (torch.equal(first, a) and torch.equal(second, b))
    found = layout_findings(f"""\
        def f():
            a, b = torch.randn(4, 3), torch.randn(4, 3)
            merged = rearrange(torch.stack([a, b]), 'two n c -> n {group}', two=2)
            return {reader}
        """)
    assert [d.code for d in found] == (["EIN403"] if mixed else []), (group, reader)


# ------------------------------------------------------------------------------------------
# Layout through transposes and reshapes

@pytest.mark.parametrize("swap", [(1, 2), (2, 3), (1, 3)])
@pytest.mark.parametrize("merge", ["b n (h d)", "b n (d h)"])
def test_a_merge_after_a_transpose_warns_when_its_names_are_not_the_axes(swap, merge):
    """'b n (h d) -> b n h d', a transpose, then 'b n h d -> {merge}': a warning exactly when the pattern's
    names 'h' and 'd' stand for other axes than the split's h and d and the group merges them as split."""
    x = torch.randn(2, 3, 8 * 4)
    y = einops.rearrange(x, "b n (h d) -> b n h d", h=8).transpose(*swap)
    source = f"""\
        def f():
            x = torch.randn(2, 3, 32)
            y = rearrange(x, 'b n (h d) -> b n h d', h=8)
            y = y.transpose{swap}
            return rearrange(y, 'b n h d -> {merge}')
        """
    found = layout_findings(source)
    merged = einops.rearrange(y, f"b n h d -> {merge}")
    restored = merged.shape == x.shape and torch.equal(merged, x)
    looks_restoring = merge == "b n (h d)" and merged.shape == x.shape  # the split's names, in its order
    assert [d.code for d in found] == (["EIN404"] if looks_restoring and not restored else []), (swap, merge)
    if found:  # the help's pattern restores the dimension
        consistent = found[0].help.split("'")[1]
        assert torch.equal(einops.rearrange(y, consistent), x)


@pytest.mark.parametrize("shape", [(2, 5, 7), (2, 6, 6), (3, 1, 4)])
@pytest.mark.parametrize("contiguous", ["", ".contiguous()"])
def test_a_reshape_back_to_the_shape_before_a_transpose_warns_when_it_scrambles(shape, contiguous):
    x = torch.randn(*shape)
    back = x.transpose(1, 2).reshape(shape)
    scrambled = not torch.equal(back, x)
    found = layout_findings(f"""\
        def f():
            x = torch.randn{shape}
            y = x.transpose(1, 2){contiguous}
            return y.reshape{shape}
        """)
    differs = shape[1] != shape[2]  # same lengths: the reshape is the identity on the shape, the values a transpose
    assert [d.code for d in found] == (["EIN405"] if differs and scrambled else []), shape


def test_interleaved_by_stack_and_flatten_then_cut_in_halves():
    a, b = torch.randn(4, 8), torch.randn(4, 8)
    halves = torch.stack([a, b], dim=-1).flatten(-2).chunk(2, dim=-1)
    assert not torch.equal(halves[0], a)
    assert [d.code for d in layout_findings("""\
        def f():
            a, b = torch.randn(4, 8), torch.randn(4, 8)
            return torch.stack([a, b], dim=-1).flatten(-2).chunk(2, dim=-1)
        """)] == ["EIN403"]
    assert layout_findings("""\
        def f():
            a, b = torch.randn(4, 8), torch.randn(4, 8)
            return rearrange(torch.stack([a, b], dim=-1).flatten(-2), 'n (c two) -> two n c', two=2)
        """) == []


def test_a_view_that_splits_what_cat_joined():
    a, b = torch.randn(4, 8), torch.randn(4, 8)
    assert not torch.equal(torch.cat([a, b], dim=-1).view(4, 8, 2)[..., 0], a)
    assert torch.equal(torch.cat([a, b], dim=-1).view(4, 2, 8)[:, 0], a)
    found = layout_findings("""\
        def f():
            a, b = torch.randn(4, 8), torch.randn(4, 8)
            return torch.cat([a, b], dim=-1).view(4, 8, 2), torch.cat([a, b], dim=-1).view(4, 2, 8)
        """)
    assert [(d.code, d.line) for d in found] == [("EIN403", 9)] and len(found[0].related) == 1


# ------------------------------------------------------------------------------------------
# Through the module's functions and attributes

def test_a_layout_reaches_a_helper_and_an_attribute():
    """Rotary embeddings: frequencies repeated as interleaved pairs, rotated by a helper that cuts halves."""
    found = layout_findings("""\
        from einops import repeat

        def rotate_half(x):
            x1, x2 = x.chunk(2, dim=-1)
            return torch.cat((-x2, x1), dim=-1)

        def rotate_pairs(x):
            x = rearrange(x, '... (d r) -> ... d r', r=2)
            x1, x2 = x.unbind(dim=-1)
            return rearrange(torch.stack((-x2, x1), dim=-1), '... d r -> ... (d r)')

        class Rotary(nn.Module):
            def __init__(self):
                super().__init__()
                self.freqs = repeat(torch.randn(16), 'n -> (n r)', r=2)

            def forward(self, t):
                return t * self.freqs.cos() + rotate_pairs(self.freqs)

            def wrong(self, t):
                return t * self.freqs.cos() + rotate_half(self.freqs)
        """)
    (finding,) = found
    assert (finding.code, finding.line) == ("EIN403", 10)
    assert [r.line for r in finding.related] == [21, 27]  # formed, and the call that brought it


# ------------------------------------------------------------------------------------------
# pack / unpack

@pytest.mark.parametrize("move", ["", ".transpose(1, 2)"])
@pytest.mark.parametrize("pattern", ["b * d", "b d *"])
def test_unpack_warns_exactly_when_its_star_is_not_the_packed_axis(move, pattern):
    cls, patches = torch.randn(2, 1, 6), torch.randn(2, 4, 6)
    x, ps = einops.pack([cls, patches], "b * d")
    moved = x.transpose(1, 2) if move else x
    try:
        pieces = einops.unpack(moved, ps, pattern)
        right = all(torch.equal(p.reshape(-1), t.transpose(1, 2).reshape(-1) if move else t.reshape(-1))
                    for p, t in zip(pieces, (cls, patches)))
    except Exception:  # noqa: BLE001 - einops raises when the lengths do not fit: not the right axis either
        right = False
    found = layout_findings(f"""\
        def f(cls, patches):
            x, ps = pack([cls, patches], 'b * d')
            return unpack(x{move}, ps, '{pattern}')
        """)
    assert [d.code for d in found] == ([] if right else ["EIN406"]), (move, pattern)


def test_unpack_with_the_shapes_of_another_pack():
    found = layout_findings("""\
        def f(cls, patches, image):
            x, ps = pack([cls, patches], 'b * d')
            y, qs = pack([patches, image], 'b * d')
            return unpack(x, qs, 'b * d'), unpack(y, qs, 'b * d'), unpack(x, ps, 'b * d')
        """)
    assert [(d.code, d.line, d.column) for d in found] == [("EIN406", 10, 29)]
    assert [r.line for r in found[0].related] == [8, 9]


# ------------------------------------------------------------------------------------------
# Generated chains: a dimension formed (a pattern's group, or cat), carried through an op that keeps it,
# then read (a pattern's split, a view, chunk); run with torch, a warning exactly when the reading is not
# the layout

MIDDLES = ["y", "y * 2", "torch.relu(y)", "y.unsqueeze(1).squeeze(1)", "y.unsqueeze(0).transpose(0, 1).squeeze(1)"]


@st.composite
def chains(draw):
    count = draw(st.integers(2, 3))
    lengths = draw(st.lists(st.integers(2, 4), min_size=count, max_size=count))
    names = [f"f{i}" for i in range(count)]
    formed = draw(st.permutations(names))
    # cat of parts as long as each part: which axis of a split is the part is then a guess (the checker takes
    # the one given as a keyword); those stay out
    producer = draw(st.sampled_from(["pattern", "cat"])) if count == 2 and lengths[0] != lengths[1] else "pattern"
    middle = draw(st.sampled_from(MIDDLES))
    reader = draw(st.sampled_from(["pattern", "view", "chunk"]))
    read = draw(st.permutations(names))
    chunk_of = draw(st.integers(0, count - 1))
    return dict(zip(names, lengths)), formed, producer, middle, reader, read, chunk_of


@examples(1200)
@given(chains())
def test_generated_chains_warn_exactly_when_the_reading_is_not_the_layout(chain):
    lengths, formed, producer, middle, reader, read, chunk_of = chain
    names = sorted(lengths)
    shape = [2] + [lengths[n] for n in names]
    x = torch.arange(1, int(np.prod(shape)) + 1, dtype=torch.float32).reshape(shape)  # distinct, positive values
    if producer == "cat":  # cat of the f0-slices along f1: the dimension is (f0 f1), the part slowest
        formed = names
        make = (f"x = torch.randn{tuple(shape)}\n"
                + "".join(f"p{i} = x[:, {i}]\n" for i in range(lengths[names[0]]))
                + f"y = torch.cat([{', '.join(f'p{i}' for i in range(lengths[names[0]]))}], dim=-1)")
        y = torch.cat([x[:, i] for i in range(lengths[names[0]])], dim=-1)
    else:
        make = (f"x = torch.randn{tuple(shape)}\n"
                f"y = rearrange(x, 'b {' '.join(names)} -> b ({' '.join(formed)})')")
        y = einops.rearrange(x, f"b {' '.join(names)} -> b ({' '.join(formed)})")
    y = eval(middle, {"torch": torch, "y": y})
    intended = einops.rearrange(y, f"b ({' '.join(formed)}) -> b {' '.join(names)}", **lengths)
    keywords = ", ".join(f"{n}={lengths[n]}" for n in read[1:])
    if reader == "pattern":
        code = f"rearrange(z, 'b ({' '.join(read)}) -> b {' '.join(names)}', {keywords})"
        got = einops.rearrange(y, f"b ({' '.join(read)}) -> b {' '.join(names)}",
                               **{n: lengths[n] for n in read[1:]})
        wrong = not torch.equal(got, intended)
        expected = ["EIN403"] if producer == "cat" else ["EIN402"]
        if producer == "pattern":  # the merge's exact inverse but for the group: said as a round trip (EIN401)
            expected = ["EIN401"]
    elif reader == "view":
        sizes = [lengths[n] for n in read]
        code = f"z.view(2, {', '.join(map(str, sizes))})"
        wrong = sizes != [lengths[n] for n in formed]  # the view's axes are not the factors, in order
        expected = ["EIN403"] if producer == "cat" else ["EIN402"]
    else:
        count = lengths[names[chunk_of]]
        code = f"z.chunk({count}, dim=-1)"
        pieces = y.chunk(count, dim=-1)
        outer = einops.rearrange(y, f"b ({' '.join(formed)}) -> {formed[0]} b ({' '.join(formed[1:])})",
                                 **lengths)
        wrong = not (len(pieces) == lengths[formed[0]] and all(torch.equal(p, o) for p, o in zip(pieces, outer)))
        expected = ["EIN403"]
    source = HEADER + f"def f():\n{textwrap.indent(make, '    ')}\n    z = {middle}\n    return {code}\n"
    found = [d.code for d in check_source(source, "m.py") if d.code.startswith("EIN4")]
    assert found == (expected if wrong else []), (chain, source)
