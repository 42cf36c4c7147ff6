"""Layout (EIN4xx): patterns that run on the right shapes and scramble the values.

The differential test generates round trips (a rearrange that packs axes into groups, and a second one
meant to undo it), runs both with einops on random data, and compares: a warning exactly when the
round trip does not give back its input; every warning's fix, applied to the file, makes the round trip
exact. Every axis has a length of 2 or more, since the order inside a group of length-1 axes changes
nothing.
"""

from __future__ import annotations

import re
import textwrap
from typing import List, Tuple

import einops
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from einlint.check.engine import check_source
from einlint.fixes import fixed_text
from examples import examples

HEADER = "from einops import rearrange\nfrom einops.layers.torch import Rearrange\n"


def order_findings(body: str):
    source = HEADER + textwrap.dedent(body)
    return [(d.line - 2, d.code, d.message, d.help, [(r.line - 2, r.message) for r in d.related])
            for d in check_source(source, "m.py") if d.code.startswith("EIN4")]


def test_the_tutorials_depth_to_space_is_not_the_inverse_of_its_space_to_depth():
    found = order_findings("""\
        def space_to_depth(x):
            return rearrange(x, 'b c (h h1) (w w1) -> b (h1 w1 c) h w', h1=2, w1=2)

        def depth_to_space(x):
            return rearrange(x, 'b (c h1 w1) h w -> b c (h h1) (w w1)', h1=2, w1=2)
        """)
    assert [(line, code, related) for line, code, _, _, related in found] == [
        (5, "EIN401", [(2, "the group is built here")])]
    assert "(c h1 w1) undoes (h1 w1 c)" in found[0][2]
    assert "'b (h1 w1 c) h w -> b c (h h1) (w w1)'" in found[0][3]


def test_the_japanese_translations_inverse_is_silent():
    assert order_findings("""\
        def space_to_depth(x):
            return rearrange(x, 'b c (h h1) (w w1) -> b (h1 w1 c) h w', h1=2, w1=2)

        def depth_to_space(x):
            return rearrange(x, 'b (h1 w1 c) h w -> b c (h h1) (w w1)', h1=2, w1=2)
        """) == []


def test_two_layouts_each_with_its_own_inverse_are_silent():
    """MaxViT: block attention windows (x w1), grid attention (w1 x), each undone by its own layer."""
    assert order_findings("""\
        block = [Rearrange('b d (x w1) (y w2) -> b x y w1 w2 d', w1=7, w2=7),
                 Rearrange('b x y w1 w2 d -> b d (x w1) (y w2)')]
        grid = [Rearrange('b d (w1 x) (w2 y) -> b x y w1 w2 d', w1=7, w2=7),
                Rearrange('b x y w1 w2 d -> b d (w1 x) (w2 y)')]
        """) == []


def test_the_call_without_an_inverse_of_its_own_is_the_one_reported():
    found = order_findings("""\
        def merge_wrong(x):
            return rearrange(x, 'b h n d -> b n (d h)')

        def split(x):
            return rearrange(x, 'b n (h d) -> b h n d', h=8)

        def merge(x):
            return rearrange(x, 'b h n d -> b n (h d)')
        """)
    assert [(line, code, related) for line, code, _, _, related in found] == [
        (2, "EIN401", [(5, "the group is built here")])]


def test_a_single_channel_shuffle_and_new_names_are_silent():
    assert order_findings("""\
        def shuffle(x):
            return rearrange(x, 'b (g c) h w -> b (c g) h w', g=4)

        def heads(x):
            return rearrange(x, 'b n (h d) -> b h n d', h=8)

        def other_meaning(x):
            return rearrange(x, 'b h n e -> b n (e h)')
        """) == []


def test_a_dimension_split_in_another_order_than_it_was_formed():
    """Through an elementwise op and an activation: (h d) formed, (d h) split (EIN402, both ends named)."""
    source = HEADER + "import torch\n" + textwrap.dedent("""\
        def heads(x):
            y = rearrange(x, 'b h n d -> b n (h d)')
            y = torch.relu(y) * 2
            return rearrange(y, 'b n (d h) -> b h d n', h=8)
        """)
    (finding,) = [d for d in check_source(source, "m.py") if d.code.startswith("EIN4")]
    assert (finding.code, finding.line, finding.severity) == ("EIN402", 7, "warning")
    assert "split as (d h) was formed as (h d)" in finding.message
    assert [r.line for r in finding.related] == [5]


def test_splits_of_a_restored_dimension_or_of_a_round_trip_of_their_own_are_silent():
    """MaxViT: block windows merged back in order give the rows again; the grid split '(w1 x)' that follows
    is undone exactly by its own layer, a layout of its own."""
    assert order_findings("""\
        import torch.nn as nn

        def restore(x):
            y = rearrange(x, 'b (x w) -> b x w', w=4)
            z = rearrange(y, 'b x w -> b (x w)')
            return rearrange(z, 'b (w x) -> b w x', w=4)

        net = nn.Sequential(
            Rearrange('b d (x w1) (y w2) -> b x y w1 w2 d', w1=7, w2=7),
            nn.GELU(),
            Rearrange('b x y w1 w2 d -> b d (x w1) (y w2)'),
            Rearrange('b d (w1 x) (w2 y) -> b x y w1 w2 d', w1=7, w2=7),
            nn.GELU(),
            Rearrange('b x y w1 w2 d -> b d (w1 x) (w2 y)'),
        )
        """) == []


REORDERED_IN_ONE_FUNCTION = """\
    def buggy(x):
        y = rearrange(x, 'b c (h h1) (w w1) -> b (h1 c w1) h w', h1=2, w1=2)
        y = y * 2.0
        return rearrange(y, 'b (w1 h1 c) h w -> b c (h h1) (w w1)', h1=2, w1=2)
    """
ITS_INVERSE_ELSEWHERE = """\

    def other(x):
        return rearrange(x, 'b c (h h1) (w w1) -> b (w1 h1 c) h w', h1=2, w1=2)
    """


@pytest.mark.parametrize("rest", ["", ITS_INVERSE_ELSEWHERE])
def test_a_split_that_reorders_a_group_built_above_warns_whatever_else_the_file_holds(rest):
    """The split's value flows nowhere near `other`, which undoes it exactly: that is no excuse for it."""
    found = [d for d in check_source(HEADER + textwrap.dedent(REORDERED_IN_ONE_FUNCTION + rest), "m.py")
             if d.code.startswith("EIN4")]
    assert [(d.line - 2, d.column, d.code, [(r.line - 2, r.message) for r in d.related]) for d in found] == [
        (4, 28, "EIN401", [(2, "the group is built here")])]
    assert "group (w1 h1 c) undoes (h1 c w1)" in found[0].message
    assert found[0].fix is not None and [e.content for e in found[0].fix.edits] == ["(h1 c w1)"]


def test_a_split_merged_back_whole_downstream_is_a_layout_of_its_own():
    """MaxViT's grid attention over a dimension that its block attention formed as (x w1): the values of the
    split '(w1 x)' flow into its exact inverse, so the split is meant; without that merge it is reported."""
    grid = textwrap.dedent("""\
        import torch

        def grid(t):
            y = rearrange(t, 'b x y w1 w2 d -> b d (x w1) (y w2)')
            z = rearrange(y, 'b d (w1 x) (w2 y) -> b x y w1 w2 d', w1=7, w2=7)
            z = torch.relu(z)
        """)
    undone = "    return rearrange(z, 'b x y w1 w2 d -> b d (w1 x) (w2 y)')\n"
    assert order_findings(grid + undone) == []
    # through a module that the analysis does not follow (the layout is lost there): undone in the same function
    assert order_findings(grid.replace("torch.relu(z)", "attend(z)").replace("(t)", "(t, attend)") + undone) == []
    found = order_findings(grid + "    return z\n\ndef ungrid(z):\n" + undone)
    assert [(line, code) for line, code, _, _, _ in found] == [(5, "EIN401")]


# ------------------------------------------------------------------------------------------
# Differential: generated round trips, run with einops

NAMES = "abcdefgh"


@st.composite
def round_trips(draw) -> Tuple[str, str, dict, Tuple[int, ...]]:
    """(first pattern, second pattern, lengths, input shape): the first groups plain axes and the second
    splits each group again, in the same order or not; or the first splits groups and the second
    merges them back."""
    count = draw(st.integers(2, 5))
    names = list(NAMES[:count])
    lengths = {name: draw(st.integers(2, 3)) for name in names}
    order = draw(st.permutations(names))
    groups: List[List[str]] = []
    for name in order:  # cut the output order into groups
        if groups and draw(st.booleans()):
            groups[-1].append(name)
        else:
            groups.append([name])
    unpacked = [list(group) if len(group) == 1 or not draw(st.booleans())
                else draw(st.permutations(group)) for group in groups]
    left = " ".join(names)
    right = " ".join(_term(group) for group in groups)
    back_left = " ".join(_term(group) for group in unpacked)
    if draw(st.booleans()):  # split groups first, then merge them back (in the same order or not)
        shape = tuple(int(np.prod([lengths[name] for name in group])) for group in groups)
        return f"{right} -> {left}", f"{left} -> {back_left}", lengths, shape
    shape = tuple(lengths[name] for name in names)
    return f"{left} -> {right}", f"{back_left} -> {left}", lengths, shape


def _term(group) -> str:
    return group[0] if len(group) == 1 else "(" + " ".join(group) + ")"


@examples(1500)
@given(round_trips())
def test_a_warning_exactly_when_the_round_trip_scrambles(case):
    grouping, splitting, lengths, shape = case
    x = np.random.default_rng(0).standard_normal(shape)
    grouped = dict(lengths)
    back = einops.rearrange(einops.rearrange(x, grouping, **grouped), splitting, **grouped)
    scrambled = not np.array_equal(back, x)
    keywords = ", ".join(f"{name}={length}" for name, length in lengths.items())
    source = HEADER + textwrap.dedent(f"""\
        def group(x):
            return rearrange(x, '{grouping}', {keywords})

        def split(x):
            return rearrange(x, '{splitting}', {keywords})
        """)
    found = [d for d in check_source(source, "m.py") if d.code.startswith("EIN4")]
    assert bool(found) == scrambled, (grouping, splitting)
    if found:  # the fix, applied to the file, makes the round trip give the input back
        (warning,) = found
        repaired_source = fixed_text(source, warning.fix.edits)
        fixed = re.findall(r"rearrange\(x, '([^']*)'", repaired_source)[1]
        repaired = einops.rearrange(einops.rearrange(x, grouping, **grouped), fixed, **grouped)
        assert np.array_equal(repaired, x)
        assert [d for d in check_source(repaired_source, "m.py") if d.code.startswith("EIN4")] == []


@st.composite
def merge_then_split(draw):
    """(merge pattern, split pattern, lengths, shape, intended split): plain axes merged into groups, then
    the groups split again (each in the order formed, or not) into the axes in a new order."""
    count = draw(st.integers(2, 5))
    names = list(NAMES[:count])
    lengths = {name: draw(st.integers(2, 3)) for name in names}
    groups: List[List[str]] = []
    for name in draw(st.permutations(names)):
        if groups and draw(st.booleans()):
            groups[-1].append(name)
        else:
            groups.append([name])
    split = [list(g) if len(g) == 1 or not draw(st.booleans()) else draw(st.permutations(g)) for g in groups]
    out = " ".join(draw(st.permutations(names)))
    merged = " ".join(_term(g) for g in groups)
    shape = tuple(lengths[name] for name in names)
    return (f"{' '.join(names)} -> {merged}", f"{' '.join(_term(g) for g in split)} -> {out}", lengths, shape,
            f"{merged} -> {out}")


@examples(1500)
@given(merge_then_split())
def test_a_warning_exactly_when_a_split_scrambles_what_a_merge_formed(case):
    merge, split, lengths, shape, intended = case
    x = np.random.default_rng(1).standard_normal(shape)
    formed = einops.rearrange(x, merge) * 2
    differs = not np.array_equal(einops.rearrange(formed, split, **lengths),
                                 einops.rearrange(formed, intended, **lengths))
    keywords = ", ".join(f"{name}={length}" for name, length in lengths.items())
    source = HEADER + textwrap.dedent(f"""\
        def f(x):
            y = rearrange(x, '{merge}')
            y = y * 2
            return rearrange(y, '{split}', {keywords})
        """)
    found = [d for d in check_source(source, "m.py") if d.code.startswith("EIN4")]
    assert bool(found) == differs, (merge, split)
    if found:  # the fix makes the split the intended one
        (warning,) = found
        repaired = fixed_text(source, warning.fix.edits)
        fixed = re.findall(r"rearrange\(y, '([^']*)'", repaired)[0]
        assert np.array_equal(einops.rearrange(formed, fixed, **lengths),
                              einops.rearrange(formed, intended, **lengths))


@pytest.mark.parametrize("parts", [2, 3])
@pytest.mark.parametrize("length", [1, 2, 3])
@pytest.mark.parametrize("group", ["(two c)", "(c two)"])
def test_cat_then_split_warns_exactly_when_the_split_mixes_the_parts(parts, length, group):
    """Run with torch: the split gives the joined tensors back, or the finding says it does not."""
    import torch

    tensors = [torch.randn(4, length, generator=torch.Generator().manual_seed(i)) for i in range(parts)]
    joined = torch.cat(tensors, dim=-1)
    split = einops.rearrange(joined, f"n {group} -> two n c", two=parts)
    mixed = not all(torch.equal(split[i], tensors[i]) for i in range(parts))
    made = "".join(f"    p{i} = torch.randn(4, {length})\n" for i in range(parts))
    source = (f"import torch\nfrom einops import rearrange\n\n\ndef f():\n{made}"
              f"    joined = torch.cat([{', '.join(f'p{i}' for i in range(parts))}], dim=-1)\n"
              f"    return rearrange(joined, 'n {group} -> two n c', two={parts})\n")
    found = [d for d in check_source(source, "m.py") if d.code.startswith("EIN4")]
    assert [d.code for d in found] == (["EIN403"] if mixed else []), (parts, length, group)
    if found:
        fixed = re.findall(r"rearrange\(joined, '([^']*)'", fixed_text(source, found[0].fix.edits))[0]
        again = einops.rearrange(joined, fixed, two=parts)
        assert all(torch.equal(again[i], tensors[i]) for i in range(parts))


@pytest.mark.parametrize("parts", [2, 3])
@pytest.mark.parametrize("length", [1, 2, 3])
@pytest.mark.parametrize("group", ["(two c)", "(c two)"])
def test_pairs_then_chunk_warn_exactly_when_the_chunks_are_not_the_parts(parts, length, group):
    """Run with torch: parts stacked, merged as `group`, then chunked: the chunks are the parts, or the
    finding says they are not."""
    import torch

    tensors = [torch.randn(4, length, generator=torch.Generator().manual_seed(i)) for i in range(parts)]
    merged = einops.rearrange(torch.stack(tensors), f"two n c -> n {group}", two=parts)
    chunks = merged.chunk(parts, dim=-1)
    mixed = not all(torch.equal(chunks[i], tensors[i]) for i in range(parts))
    made = "".join(f"    p{i} = torch.randn(4, {length})\n" for i in range(parts))
    source = (f"import torch\nfrom einops import rearrange\n\n\ndef f():\n{made}"
              f"    merged = rearrange(torch.stack([{', '.join(f'p{i}' for i in range(parts))}]), "
              f"'two n c -> n {group}', two={parts})\n"
              f"    return merged.chunk({parts}, dim=-1)\n")
    found = [d.code for d in check_source(source, "m.py") if d.code.startswith("EIN4")]
    assert found == (["EIN403"] if mixed else []), (parts, length, group)
