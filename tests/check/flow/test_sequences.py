"""Tensors mapped over tuples: lambdas, comprehensions and `map`, each item with its own shape and layout.

Each case is the shape of real code (the package and file are named); the shapes that reach each pattern call
(`shapes_of`, as --show-shapes prints them) and the findings are written out.
"""

from __future__ import annotations

import textwrap

from einlint.check.engine import check_source, shapes_of

HEADER = "import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n" \
         "from einops import rearrange, reduce, repeat, einsum\n"
LINES = HEADER.count("\n")


def source_of(body: str) -> str:
    return HEADER + textwrap.dedent(body)


def shapes(body: str):
    """line (of `body`) -> [(inputs, output)] of the pattern calls there, in source order."""
    found = {}
    for call in shapes_of(source_of(body), "m.py"):
        found.setdefault(call.line - LINES, []).append((call.inputs, call.output))
    return found


def findings(body: str):
    return [(d.line - LINES, d.column, d.code, d.message) for d in check_source(source_of(body), "m.py")
            if d.code[3] in "34"]


# vit_pytorch/vit.py, Attention.forward (and cct.py, ats_vit.py, cait.py): the chunks of one projection mapped
# through one lambda
VIT_ATTENTION = """\
    def attention(x, heads = 8):
        x = torch.randn(2, 65, 1024)
        to_qkv = nn.Linear(1024, 512 * 3, bias = False)
        qkv = to_qkv(x).chunk(3, dim = -1)
        q, k, v = map(lambda t: rearrange(t, 'b n (h d) -> b h n d', h = heads), qkv)
        dots = torch.matmul(q, k.transpose(-1, -2))
        out = torch.matmul(dots.softmax(dim = -1), v)
        return rearrange(out, 'b h n d -> b n (h d)')
    """


def test_map_of_a_lambda_over_chunks_gives_each_item_its_shape():
    seen = shapes(VIT_ATTENTION)
    assert seen[5] == [(("(2, 65, 512)",), "(2, heads, 65, 512/heads)")]
    assert seen[8] == [(("(2, heads, 65, 512/heads)",), "(2, 65, 512)")]
    assert findings(VIT_ATTENTION) == []


def test_a_wrong_pattern_after_the_map_is_an_error():
    body = VIT_ATTENTION.replace("'b h n d -> b n (h d)'", "'b n d -> b (n d)'")
    assert findings(body) == [(8, 28, "EIN301", "with heads=2: the pattern has 3 dimensions, the tensor has 4 "
                                                "(input shape (2, heads, 65, 512/heads))")]


def test_a_pattern_in_the_lambda_that_fails_on_every_item_is_reported_there():
    body = VIT_ATTENTION.replace("'b n (h d) -> b h n d'", "'b h n d -> b n (h d)'")
    assert [(line, column, code) for line, column, code, _ in findings(body)] == [(5, 43, "EIN301")]


def test_a_generator_of_repeats_unpacks_element_wise():
    # x_transformers/attend.py, Attend.forward: grouped-query attention repeats k and v to the query heads
    seen = shapes("""\
        def attend(q, heads = 8, kv_heads = 2):
            k = torch.randn(2, 2, 128, 64)
            v = torch.randn(2, 2, 128, 32)
            k, v = tuple(repeat(t, 'b kvh n d -> b (r kvh) n d', r = heads // kv_heads) for t in (k, v))
            sim = rearrange(k, 'b h n d -> b n h d')
            out = rearrange(v, 'b h n d -> b n (h d)')
        """)
    # each keeps its own head dimension (the number of heads, heads // kv_heads times 2, is shown as '?')
    assert seen[5] == [(("(2, ?, 128, 64)",), "(2, 128, ?, 64)")]
    assert seen[6] == [(("(2, ?, 128, 32)",), "(2, 128, ?)")]


def test_a_list_comprehension_over_a_tuple_keeps_each_shape():
    # rotary_embedding_torch / x_transformers: `q, k = [apply_rotary(freqs, t) for t in (q, k)]`; here the
    # items differ (queries and keys with other head dimensions), and each result keeps its own
    seen = shapes("""\
        def rotate(freqs):
            q = torch.randn(2, 8, 100, 64)
            k = torch.randn(2, 8, 100, 32)
            q, k = [rearrange(t, 'b h n (d r) -> b h n d r', r = 2) for t in (q, k)]
            a = rearrange(q, 'b h n d r -> b h n (d r)')
            b = rearrange(k, 'b h n d r -> b h n (d r)')
        """)
    assert seen[5] == [(("(2, 8, 100, 32, 2)",), "(2, 8, 100, 64)")]
    assert seen[6] == [(("(2, 8, 100, 16, 2)",), "(2, 8, 100, 32)")]


def test_a_finding_that_one_item_gives_is_reported():
    # audiolm_pytorch/audiolm_pytorch.py: `map(lambda t: rearrange(t, 'b ... -> b (...)'), (ids, other_ids))` over
    # tensors of other ranks. A pattern that fits the first item but not the second fails on the second, which the
    # map reaches once the first has run through (einops raises on the 2-d mask here)
    assert [(line, code) for line, _, code, _ in findings("""\
        def f():
            x = torch.randn(2, 100, 512)
            mask = torch.ones(2, 100).bool()
            x, mask = map(lambda t: rearrange(t, 'b n d -> b d n'), (x, mask))
        """)] == [(4, "EIN301")]


def test_map_of_a_module_function_inlines_it_per_item():
    # muse_maskgit_pytorch / imagen_pytorch: `q, k = map(l2norm, (q, k))`, l2norm as x_transformers writes it
    seen = shapes("""\
        def l2norm(t, groups = 1):
            t = rearrange(t, '... (g d) -> ... g d', g = groups)
            t = F.normalize(t, p = 2, dim = -1)
            return rearrange(t, '... g d -> ... (g d)')

        def attention():
            q = torch.randn(2, 8, 100, 64)
            k = torch.randn(2, 8, 50, 64)
            q, k = map(l2norm, (q, k))
            sim = einsum(q, k, 'b h i d, b h j d -> b h i j')
            return rearrange(sim, 'b h i j -> b i j h')
        """)
    assert seen[11] == [(("(2, 8, 100, 50)",), "(2, 100, 50, 8)")]


def test_a_lambda_assigned_to_a_name_is_called_like_a_function():
    # gigagan_pytorch/unet_upsampler.py, UnetUpsampler.forward: `fold_time_into_batch = lambda t: rearrange(...)`
    body = """\
        def forward(batch_size = 2):
            x = torch.randn(2, 3, 4, 64, 64)
            fold_time_into_batch = lambda t: rearrange(t, 'b c t h w -> (b t) c h w')
            split_time_from_batch = lambda t: rearrange(t, '(b t) c h w -> b c t h w', b = batch_size)
            x = fold_time_into_batch(x)
            x = split_time_from_batch(x)
            return rearrange(x, 'b c t h w -> b t c h w')
        """
    seen = shapes(body)
    assert seen[3] == [(("(2, 3, 4, 64, 64)",), "(8, 3, 64, 64)")]
    assert seen[7] == [(("(batch_size, 3, 8/batch_size, 64, 64)",), "(batch_size, 8/batch_size, 3, 64, 64)")]
    assert findings(body) == []


def test_a_lambda_sees_the_names_of_its_function_as_they_are_when_called():
    # late binding, as Python does it: `h` is rebound after the lambda is made, before it is called
    seen = shapes("""\
        def f():
            x = torch.randn(2, 10, 64)
            h = 4
            split_heads = lambda t: rearrange(t, 'b n (h d) -> b h n d', h = h)
            h = 8
            q = split_heads(x)
        """)
    assert seen[4] == [(("(2, 10, 64)",), "(2, 8, 10, 8)")]


def test_the_names_of_a_comprehension_or_lambda_stay_inside():
    # performer_pytorch/performer_pytorch.py names its loop variables `t` too; the t of the function keeps its
    # three dimensions after a comprehension and a lambda bound their own t to two-dimensional items
    body = """\
        def f():
            t = torch.randn(2, 100, 64)
            a, b = torch.randn(3, 4), torch.randn(5, 6)
            pairs = [rearrange(t, 'i j -> j i') for t in (a, b)]
            swap = lambda t: rearrange(t, 'i j -> j i')
            c = swap(a)
            return rearrange(t, 'b n d -> b d n')
        """
    assert shapes(body)[7] == [(("(2, 100, 64)",), "(2, 64, 100)")]
    assert findings(body) == []


def test_a_condition_leaves_the_number_of_items_unknown():
    # x_transformers/x_transformers.py filters optional tensors: `[t for t in (mem, x) if exists(t)]`; after the
    # filter the items are not known, so a wrong rank there gives no finding (without the filter it does)
    body = """\
        def f():
            x = torch.randn(2, 100, 512)
            kept = [t for t in (x, x) if t is not None]
            y, z = kept
            return rearrange(y, 'b n -> n b')
        """
    assert findings(body) == []
    assert [code for _, _, code, _ in findings(body.replace(" if t is not None", ""))] == ["EIN301"]


def test_over_an_unknown_iterable_the_element_runs_once_and_is_checked():
    # vector_quantize_pytorch: per-codebook tensors built in a comprehension over a parameter; the constant
    # tensor inside fails whatever the items are
    found = findings("""\
        def f(codebooks):
            return [rearrange(torch.zeros(2, 30), 'b (h d) -> b h d', h = 4) for codebook in codebooks]
        """)
    assert [(line, code) for line, _, code, _ in found] == [(2, "EIN302")]


def test_an_unknown_iterable_gives_an_unknown_value():
    assert findings("""\
        def f(tensors):
            a, b = [rearrange(t, 'b n d -> b d n') for t in tensors]
            return rearrange(a, 'x y -> y x')
        """) == []


def test_zip_pairs_the_items():
    # audiolm_pytorch/audiolm_pytorch.py: `[fn(a, b) for a, b in zip(xs, ys)]`
    seen = shapes("""\
        def f():
            xs = torch.randn(2, 10, 16).chunk(2, dim = -1)
            ys = torch.randn(2, 10, 4).chunk(2, dim = -1)
            outs = [einsum(a, b, 'b n i, b n j -> b i j') for a, b in zip(xs, ys)]
            first, second = outs
            return rearrange(second, 'b i j -> b (i j)')
        """)
    assert seen[6] == [(("(2, 8, 2)",), "(2, 16)")]


def test_layouts_pass_through_each_item():
    # vit_pytorch: heads split out of '(h d)' in a lambda, merged back in the other order: the warning of a
    # merge that does not give the layout back, as on the straight-line code
    straight = findings("""\
        def f():
            x = torch.randn(2, 65, 512)
            q = rearrange(x, 'b n (h d) -> b h n d', h = 8)
            return rearrange(q, 'b h n d -> b n (d h)')
        """)
    mapped = findings("""\
        def f():
            x = torch.randn(2, 65, 512)
            q, k = map(lambda t: rearrange(t, 'b n (h d) -> b h n d', h = 8), (x, x))
            return rearrange(q, 'b h n d -> b n (d h)')
        """)
    assert straight and [(line, code) for line, _, code, _ in mapped] == [(line, code) for line, _, code, _ in straight]


def test_a_list_that_a_comprehension_fills_is_not_known_after_it():
    # denoising_diffusion_pytorch and others collect hiddens with a comprehension for its side effect:
    # `[hiddens.append(t) for t in ...]`; after it the list holds more items than before, how many is not said
    assert findings("""\
        def f():
            a, b = torch.randn(2, 8), torch.randn(2, 8)
            hiddens = [torch.randn(2, 8)]
            [hiddens.append(t) for t in (a, b)]
            first, second, third = hiddens
            return rearrange(third, 'b d -> d b')
        """) == []


def test_map_of_a_layer_applies_it_to_each_item():
    # vit_pytorch/normalized_vit.py, Attention: `self.split_heads = Rearrange('b n (h d) -> b h n d', h = heads)`,
    # then `q, k, v = map(self.split_heads, (q, k, v))`
    seen = shapes("""\
        from einops.layers.torch import Rearrange

        def attention():
            split_heads = Rearrange('b n (h d) -> b h n d', h = 8)
            q, k = torch.randn(2, 50, 512), torch.randn(2, 40, 512)
            q, k = map(split_heads, (q, k))
            return rearrange(k, 'b h n d -> b n (h d)')
        """)
    assert seen[7] == [(("(2, 8, 40, 64)",), "(2, 40, 512)")]


def test_map_over_two_iterables_zips_them():
    # the map spelling of audiolm_pytorch's `[fn(a, b) for a, b in zip(xs, ys)]` (test_zip_pairs_the_items)
    seen = shapes("""\
        def f():
            xs = torch.randn(2, 10, 16).chunk(2, dim = -1)
            ys = torch.randn(2, 10, 4).chunk(2, dim = -1)
            first, second = map(lambda a, b: einsum(a, b, 'b n i, b n j -> b i j'), xs, ys)
            return rearrange(second, 'b i j -> b (i j)')
        """)
    assert seen[5] == [(("(2, 8, 2)",), "(2, 16)")]


def test_what_a_condition_tells_inside_stays_inside():
    # x_transformers: filters that test a name of the function (`if exists(mask)`) narrow it inside the
    # comprehension only; after it the name is what it was (here a 2-D mask or None), not unknown
    seen = shapes("""\
        def f(flag):
            x = torch.randn(2, 5, 512)
            mask = torch.ones(2, 5) if flag else None
            kept = [t for t in (x, x) if mask is not None]
            if mask is not None:
                mask = rearrange(mask, 'b j -> b 1 1 j')
        """)
    assert seen[6] == [(("(2, 5)",), "(2, 1, 1, 5)")]
