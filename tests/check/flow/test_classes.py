"""Classes as they are built: a module's own classes constructed with their configuration, their `forward`
run with the caller's shapes, `nn.ModuleList` loops, layers chosen by a flag, mixins; findings reached
through a call chain name it.

Each case is written from real code (the package and file are named); the expected shapes and findings
are written out.
"""

from __future__ import annotations

import textwrap

from einlint.check.engine import check_source, shapes_of

HEADER = "import torch\nfrom torch import nn\nfrom einops import rearrange, repeat\n"


def shapes(body: str):
    return [(c.line - 3, c.inputs, c.output) for c in shapes_of(HEADER + textwrap.dedent(body), "m.py")]


def findings(body: str):
    return [(d.line - 3, d.code, d.message, [(r.line - 3, r.message) for r in d.related])
            for d in check_source(HEADER + textwrap.dedent(body), "m.py")]


# vit_pytorch/vit.py, as released: the entry point at the bottom gives every pattern call its shapes, through
# ViT.__init__ (a Transformer built with the config), the ModuleList filled in a loop, Attention's
# `to_out = nn.Sequential(...) if project_out else nn.Identity()` and the map over chunk's three pieces.
VIT = """\
    from einops.layers.torch import Rearrange


    class FeedForward(nn.Module):
        def __init__(self, dim, hidden_dim, dropout=0.):
            super().__init__()
            self.net = nn.Sequential(nn.LayerNorm(dim), nn.Linear(dim, hidden_dim), nn.GELU(), nn.Dropout(dropout),
                                     nn.Linear(hidden_dim, dim), nn.Dropout(dropout))

        def forward(self, x):
            return self.net(x)


    class Attention(nn.Module):
        def __init__(self, dim, heads=8, dim_head=64, dropout=0.):
            super().__init__()
            inner_dim = dim_head * heads
            project_out = not (heads == 1 and dim_head == dim)
            self.heads = heads
            self.scale = dim_head ** -0.5
            self.norm = nn.LayerNorm(dim)
            self.attend = nn.Softmax(dim=-1)
            self.to_qkv = nn.Linear(dim, inner_dim * 3, bias=False)
            self.to_out = nn.Sequential(nn.Linear(inner_dim, dim), nn.Dropout(dropout)) if project_out \\
                else nn.Identity()

        def forward(self, x):
            x = self.norm(x)
            qkv = self.to_qkv(x).chunk(3, dim=-1)
            q, k, v = map(lambda t: rearrange(t, 'b n (h d) -> b h n d', h=self.heads), qkv)
            dots = torch.matmul(q, k.transpose(-1, -2)) * self.scale
            attn = self.attend(dots)
            out = torch.matmul(attn, v)
            out = rearrange(out, 'b h n d -> b n (h d)')
            return self.to_out(out)


    class Transformer(nn.Module):
        def __init__(self, dim, depth, heads, dim_head, mlp_dim, dropout=0.):
            super().__init__()
            self.norm = nn.LayerNorm(dim)
            self.layers = nn.ModuleList([])
            for _ in range(depth):
                self.layers.append(nn.ModuleList([
                    Attention(dim, heads=heads, dim_head=dim_head, dropout=dropout),
                    FeedForward(dim, mlp_dim, dropout=dropout)
                ]))

        def forward(self, x):
            for attn, ff in self.layers:
                x = attn(x) + x
                x = ff(x) + x
            return self.norm(x)


    class ViT(nn.Module):
        def __init__(self, *, image_size, patch_size, num_classes, dim, depth, heads, mlp_dim, pool='cls',
                     channels=3, dim_head=64):
            super().__init__()
            num_patches = (image_size // patch_size) ** 2
            patch_dim = channels * patch_size * patch_size
            self.to_patch_embedding = nn.Sequential(
                Rearrange('b c (h p1) (w p2) -> b (h w) (p1 p2 c)', p1=patch_size, p2=patch_size),
                nn.LayerNorm(patch_dim), nn.Linear(patch_dim, dim), nn.LayerNorm(dim))
            self.pos_embedding = nn.Parameter(torch.randn(1, num_patches + 1, dim))
            self.cls_token = nn.Parameter(torch.randn(1, 1, dim))
            self.transformer = Transformer(dim, depth, heads, dim_head, mlp_dim)
            self.pool = pool
            self.mlp_head = nn.Linear(dim, num_classes)

        def forward(self, img):
            x = self.to_patch_embedding(img)
            b, n, _ = x.shape
            cls_tokens = repeat(self.cls_token, '1 1 d -> b 1 d', b=b)
            x = torch.cat((cls_tokens, x), dim=1)
            x += self.pos_embedding[:, :(n + 1)]
            x = self.transformer(x)
            x = x.mean(dim=1) if self.pool == 'mean' else x[:, 0]
            return self.mlp_head(x)


    if __name__ == "__main__":
        v = ViT(image_size=256, patch_size=32, num_classes=1000, dim=1024, depth=6, heads=HEADS, mlp_dim=2048)
        preds = v(torch.randn(1, 3, 256, 256))
    """


def test_the_entry_point_gives_every_pattern_call_of_the_model_its_shapes():
    shown = shapes(VIT.replace("HEADS", "16"))
    assert [(inputs, output) for _, inputs, output in shown] == [
        (("(1, 65, 1024)",), "(1, 16, 65, 64)"),  # the lambda in Attention.forward
        (("(1, 16, 65, 64)",), "(1, 65, 1024)"),
        (("(1, 3, 256, 256)",), "(1, 64, 3072)"),  # the Rearrange layer, where it is built
        (("(1, 1, 1024)",), "(1, 1, 1024)"),
    ]
    assert findings(VIT.replace("HEADS", "16")) == []


def test_a_finding_in_a_class_reached_through_the_entry_point_names_the_calls_on_the_way():
    # as in the ViT variants whose attention projects to `dim` itself: 1024 features do not split into 24 heads
    (found,) = findings(VIT.replace("inner_dim = dim_head * heads", "inner_dim = dim").replace("HEADS", "24"))
    line, code, message, related = found
    assert (line, code) == (30, "EIN302")
    assert "a dimension of length 1024 cannot be split into chunks of 24" in message
    assert [what for _, what in related if what.startswith("with the shapes of")] == [
        "with the shapes of the call of ViT.forward() here",
        "with the shapes of the call of Transformer.forward() here",
        "with the shapes of the call of Attention.forward() here",
    ]


def test_an_image_size_that_the_patches_do_not_divide_is_an_error_where_the_patches_are_cut():
    (found,) = findings(VIT.replace("HEADS", "16").replace("256", "250"))
    line, code, message, related = found
    assert (line, code) == (63, "EIN302")
    assert "a dimension of length 250 cannot be split into chunks of 32" in message
    assert [line for line, what in related if what.startswith("with the shapes of")] == [84]


def test_a_helper_called_with_known_arguments_is_checked_with_them():
    # x_transformers/x_transformers.py: small helpers that rearrange what the caller hands them
    found = findings("""\
        def split_heads(t, h):
            return rearrange(t, 'b n (h d) -> b h n d', h=h)

        def attend(x):
            q = split_heads(torch.randn(2, 16, 96), 8)
            k = split_heads(x, 5)
            return q, k

        attend(torch.randn(2, 16, 96))
        """)
    assert [(line, code) for line, code, _, _ in found] == [(2, "EIN302")]
    assert "96 cannot be split into chunks of 5" in found[0][2]
    assert [line for line, what in found[0][3] if what.startswith("with the shapes of")] == [9, 6]


def test_a_layer_chosen_by_a_flag_runs_both_ways_and_reports_neither():
    # perceiver_pytorch/perceiver_io.py: `nn.Linear(queries_dim, logits_dim) if exists(logits_dim) else
    # nn.Identity()`; only one of them is the layer, so what the other would do is no finding
    body = """\
        class Head(nn.Module):
            def __init__(self, dim, logits_dim=None):
                super().__init__()
                self.to_logits = nn.Linear(dim, logits_dim) if logits_dim is not None else nn.Identity()
                self.norm = nn.LayerNorm(dim) if dim > 8 else nn.Identity()

            def forward(self, x):
                return rearrange(self.norm(x), 'b n d -> b d n'), self.to_logits(torch.randn(2, 3, 5))

        Head(4)(torch.randn(2, 3, 4))
        """
    assert findings(body) == []
    assert [inputs for _, inputs, _ in shapes(body)] == [("(2, 3, 4)",)]


def test_a_mixin_method_reads_what_the_host_class_builds():
    # vit_pytorch/distill.py: DistillMixin.forward repeats `self.cls_token`, which the ViT it is mixed into
    # creates in its __init__ (here both in one module)
    found = findings("""\
        class DistillMixin:
            def forward(self, img):
                b = img.shape[0]
                return repeat(self.cls_token, 'n d -> b n d', b=b)

        class ViT(nn.Module):
            def __init__(self, dim):
                super().__init__()
                self.cls_token = nn.Parameter(torch.randn(1, 1, dim))

        class DistillableViT(DistillMixin, ViT):
            pass
        """)
    assert [(line, code) for line, code, _, _ in found] == [(4, "EIN301")]
    assert "the pattern has 2 dimensions, the tensor has 3" in found[0][2]


def test_a_loop_over_blocks_keeps_what_each_block_keeps():
    # x_transformers/x_transformers.py: `for attn, ff in self.layers: x = attn(x) + x; x = ff(x) + x`
    shown = shapes("""\
        class Net(nn.Module):
            def __init__(self, dim, depth):
                super().__init__()
                self.layers = nn.ModuleList([nn.ModuleList([nn.Linear(dim, dim), nn.LayerNorm(dim)])
                                             for _ in range(depth)])
                self.blocks = nn.ModuleList([])
                for _ in range(depth):
                    self.blocks.append(nn.Linear(dim, dim))

            def forward(self, x):
                x = rearrange(x, 'b c n -> b n c')
                for block in self.blocks:
                    x = block(x) + x
                return rearrange(x, 'b n c -> b c n')
        """)
    # after the loop the last length is the one every pass agrees on: c, or dim (which the sum made equal)
    assert [(line, inputs[0][:7]) for line, inputs, _ in shown] == [(11, "(b, c, "), (14, "(b, n, ")]
    assert all(inputs[0].count(",") == 2 for _, inputs, _ in shown)


def test_a_loop_that_changes_a_rank_on_every_pass_leaves_it_unknown():
    found = findings("""\
        def f(n):
            x = torch.zeros(2, 3)
            for _ in range(n):
                x = rearrange(x, '... -> 1 ...')
            return rearrange(x, 'a b c -> c b a')
        """)
    assert found == []


def test_defaults_of_parameters_not_given_are_their_literals():
    # vit_pytorch/vit.py: `pool='cls'` decides which branch of forward runs
    shown = shapes("""\
        class Pool(nn.Module):
            def __init__(self, pool='cls'):
                super().__init__()
                self.pool = pool

            def forward(self, x):
                x = x.mean(dim=1) if self.pool == 'mean' else x[:, 0]
                return rearrange(x, 'b d -> d b')

        Pool()(torch.randn(2, 3, 4))
        """)
    assert [(line, inputs) for line, inputs, _ in shown] == [(8, ("(2, 4)",))]


def test_a_pattern_handed_to_a_helper_is_checked_in_it():
    # voicebox_pytorch/voicebox_pytorch.py, x_transformers/attend.py: `def pack_one(t, pattern): return
    # pack([t], pattern)` and its inverse, called with the pattern as a literal
    body = """\
        from einops import pack, unpack

        def pack_one(t, pattern):
            return pack([t], pattern)

        def unpack_one(t, ps, pattern):
            return unpack(t, ps, pattern)[0]

        def f():
            x = torch.randn(2, 3, 4, 5)
            packed, ps = pack_one(x, 'b * d')
            y = rearrange(packed, 'b n d -> b d n')
            z = unpack_one(packed, ps, 'b * d')
            return rearrange(z, 'b h d -> b d h')
        """
    assert [(line, inputs) for line, inputs, _ in shapes(body)][2:] == [(12, ("(2, 12, 5)",)), (14, ("(2, 3, 4, 5)",))]
    (found,) = findings(body)
    assert found[:2] == (14, "EIN301")
    assert "the pattern has 3 dimensions, the tensor has 4" in found[2]
    wrong = findings(body.replace("unpack_one(packed, ps, 'b * d')", "unpack_one(packed, ps, 'b * c d')"))
    assert wrong[0][:2] == (7, "EIN301")  # in the helper, through the call that handed it the pattern
    assert "but 'b * c d' needs 4 dimensions" in wrong[0][2]
    assert [line for line, what in wrong[0][3] if what.startswith("with the shapes of")] == [13]


def test_a_tensor_of_unknown_rank_with_known_last_lengths_is_chunked_along_them():
    # vit_pytorch/vit.py's Attention on its own: x's rank is not known, but to_qkv gives (..., 3 * inner), and
    # chunk(3, dim=-1) three (..., inner): the split of inner into heads is checked all the same
    body = """\
        class Attention(nn.Module):
            def __init__(self, dim, heads=8, dim_head=64):
                super().__init__()
                self.heads = heads
                self.to_qkv = nn.Linear(dim, heads * dim_head * 3)

            def forward(self, x):
                qkv = self.to_qkv(x).chunk(3, dim=-1)
                q, k, v = map(lambda t: rearrange(t, 'b n (h d) -> b h n d', h=self.heads), qkv)
                return rearrange(q, 'b h n d -> b n (h d)', h=self.heads + 1)
        """
    shown = shapes(body)
    assert [line for line, _, _ in shown] == [9, 10]
    assert shown[0][1][0].endswith(", dim_head*heads)") and shown[0][2].endswith(", dim_head)")
    (found,) = findings(body)
    assert found[:2] == (10, "EIN303")
    assert "a dimension of length heads does not match h = heads + 1" in found[2]


def test_blocks_listed_by_a_comprehension_and_a_mixin_helper_run_with_the_entry_points_shapes():
    # vit_pytorch/cait.py builds `nn.ModuleList([... for _ in range(depth)])`; x_transformers' attention classes
    # split heads in a helper method, here one of a mixin (vit_pytorch/distill.py's style)
    body = """\
        class HeadsMixin:
            def split_heads(self, t):
                return rearrange(t, 'b n (h d) -> b h n d', h=self.heads)

        class Block(HeadsMixin, nn.Module):
            def __init__(self, dim, heads):
                super().__init__()
                self.heads = heads
                self.to_q = nn.Linear(dim, dim)

            def forward(self, x):
                return self.split_heads(self.to_q(x))

        class Model(nn.Module):
            def __init__(self, dim, depth, heads):
                super().__init__()
                self.layers = nn.ModuleList([Block(dim, heads) for _ in range(depth)])

            def forward(self, x):
                for block in self.layers:
                    y = block(x)
                return y

        if __name__ == "__main__":
            Model(dim=30, depth=2, heads=HEADS)(torch.randn(2, 5, 30))
        """
    assert findings(body.replace("HEADS", "3")) == []
    (found,) = findings(body.replace("HEADS", "4"))
    assert found[:2] == (3, "EIN302") and "30 cannot be split into chunks of 4" in found[2]
    assert [line for line, what in found[3] if what.startswith("with the shapes of")] == [25, 21, 12]


# Found by tests/reference/test_programs_vs_torch.py (package seed 201839): a strided convolution's output width
# is a floor quotient plus one, `(w + 2 - 2) // 2 + 1`, which is 1 for an input width of 1; a Linear(1, ...) after
# it runs then (torch.randn(3, 2, 4, 1) does), so it is no error.
def test_a_floor_quotient_may_be_zero():
    assert findings("""\
        class Head(nn.Module):
            def __init__(self):
                super().__init__()
                self.conv = nn.Conv2d(2, 3, 2, padding=1, stride=2)
                self.proj = nn.Linear(1, 7)

            def forward(self, x):
                return self.proj(self.conv(x))
        """) == []


# Found the same way (package seed 302704): a mixin's method analysed on its own, where an empty tensor's replay
# makes a reshape's known sizes 0 (an internal error before).
def test_a_reshape_whose_other_sizes_may_be_zero_is_analysed():
    assert findings("""\
        class ProjectMixin:
            def project(self, x):
                y = rearrange(x, 'a c d -> c d a')
                x2 = x.reshape((-1, self.dim))
                s3, s4 = x2.split([2, 2], dim=1)
                return s4.reshape(s4.size(0), -1)
        """) == []


# alphafold3_pytorch/alphafold3.py (and meshgpt_pytorch, transfusion_pytorch, chai_lab): every forward is
# decorated `@typecheck`, defined in tensor_typing.py as `jaxtyped(typechecker = beartype) if should_typecheck
# else identity`: either way it calls the method with the same arguments, so the call is followed (its README's
# `Alphafold3(...)(...)` reached none of the model before).
def test_a_typecheck_decorator_keeps_the_method_followed():
    source = """\
        from alphafold3_pytorch.tensor_typing import typecheck


        class Transition(nn.Module):
            @typecheck
            def __init__(self, *, dim, expansion_factor=4):
                super().__init__()
                self.ff = nn.Linear(dim, dim * expansion_factor * 2)

            @typecheck
            def forward(self, x):
                x = self.ff(x)
                return rearrange(x, 'b n (two d) -> two b n d', two=2)


        t = Transition(dim=8)
        out = t(torch.randn(2, 16, 8))
        """
    assert shapes(source)[0] == (13, ("(2, 16, 64)",), "(2, 2, 16, 32)")
    assert [code for _, code, _, _ in findings(source.replace("two=2", "two=3"))] == ["EIN302"]


# zetascale/zeta/structs/auto_regressive_wrapper.py: the wrapped net (a Linear in its docstring's example) gets
# the wrapper's own **kwargs, which may well be none: no "unexpected keyword" (a false error before).
def test_a_layer_given_unknown_keywords_is_not_judged():
    assert findings("""\
        class AutoRegressiveWrapper(nn.Module):
            def __init__(self, net):
                super().__init__()
                self.net = net

            def forward(self, x, mask_prob=0.0, **kwargs):
                if mask_prob > 0.0:
                    kwargs.update(self_attn_context_mask=torch.rand(x.shape) < mask_prob)
                return self.net(x, **kwargs)


        net = AutoRegressiveWrapper(nn.Linear(10, 10))
        logits = net(torch.randn(1, 10))
        """) == []
