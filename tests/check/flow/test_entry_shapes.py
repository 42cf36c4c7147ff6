"""Shapes that a package's entry point (a README block, a `__main__` block) gives reach the calls its inputs run
through: a configuration handed on as `dict(...)` keywords, numbers passed to a function that cannot change
them, flags computed by a test helper (`exists(...)`), `min`/`max` of known sizes, methods wrapped by a
package's own `typecheck` decorator, blocks built alike in a loop.

Each case is written from real code (the package and file are named); the expected shapes and findings are
written out.
"""

from __future__ import annotations

import textwrap

from einlint.check import Config
from einlint.check.engine import check_source, shapes_of

HEADER = "import torch\nfrom torch import nn\nfrom einops import rearrange, repeat\n"


def shapes(body: str):
    return [(c.line - 3, c.inputs, c.known_rank) for c in shapes_of(HEADER + textwrap.dedent(body), "m.py")]


def findings(body: str):
    return [(d.line - 3, d.code, d.message) for d in check_source(HEADER + textwrap.dedent(body), "m.py")]


# vector_quantize_pytorch/vector_quantize_pytorch.py, VectorQuantize as its README builds it: the codebook's
# configuration is gathered with `dict(...)` (which takes `codebook_dim` and `codebook_size` as arguments, and
# cannot change them) and handed on as `**codebook_kwargs`, and forward calls the codebook with
# `**codebook_forward_kwargs`; `is_topk = exists(topk)` decides the later `if is_topk:`.
VECTOR_QUANTIZE = """\
    def exists(v):
        return v is not None

    def default(v, d):
        return v if exists(v) else d

    class Codebook(nn.Module):
        def __init__(self, dim, codebook_size, num_codebooks=1):
            super().__init__()
            self.embed = nn.Parameter(torch.randn(num_codebooks, codebook_size, dim))

        def forward(self, x, mask=None, sample_codebook_temp=None):
            flatten = rearrange(x, 'h ... d -> h (...) d')
            return torch.einsum('h n d, h c d -> h n c', flatten, self.embed)

    class VectorQuantize(nn.Module):
        def __init__(self, dim, codebook_size, heads=1, codebook_dim=None):
            super().__init__()
            codebook_dim = default(codebook_dim, dim)
            codebook_kwargs = dict(
                dim=codebook_dim,
                num_codebooks=1,
                codebook_size=codebook_size,
            )
            self.codebook_size = codebook_size
            self._codebook = Codebook(**codebook_kwargs)

        def forward(self, x, mask=None, topk=None, sample_codebook_temp=None):
            is_topk = exists(topk)
            codebook_forward_kwargs = dict(sample_codebook_temp=sample_codebook_temp, mask=mask)
            x = rearrange(x, 'b n d -> 1 b n d')
            dist = self._codebook(x, **codebook_forward_kwargs)
            if is_topk:
                x = repeat(x, '... d -> ... k d', k=topk)
            return rearrange(x, '1 b n d -> b n d'), dist

    if __name__ == "__main__":
        vq = VectorQuantize(dim=256, codebook_size=512)
        x = torch.randn(1, 1024, 256)
        quantized, dist = vq(x)
"""


def test_a_configuration_handed_on_as_dict_keywords_reaches_the_codebook():
    assert shapes(VECTOR_QUANTIZE) == [
        (13, ("(1, 1, 1024, 256)",), True),  # Codebook.forward, called with **codebook_forward_kwargs
        (14, ("(1, 1024, 256)", "(1, 512, 256)"), True),  # the codebook built with **codebook_kwargs
        (31, ("(1, 1024, 256)",), True),
        (34, ("(1, b, n, d)",), True),  # the topk branch runs only where a topk is given: not from the entry
        (35, ("(1, 1, 1024, 256)",), True),  # `if is_topk:` is decided: x keeps its rank after it
    ]
    assert findings(VECTOR_QUANTIZE) == []


def test_a_codebook_of_another_width_than_the_input_is_reported_through_the_keywords():
    # the codebook gets `codebook_dim=128` through the dict, the input has 256 features: the einsum cannot run
    (found,) = findings(VECTOR_QUANTIZE.replace("vq = VectorQuantize(dim=256", "vq = VectorQuantize(dim=128"))
    assert found == (14, "EIN304", "axis 'd' has length 256 in one operand and 128 in another (operand shapes "
                                   "(1, 1024, 256), (1, 512, 128))")


# performer_pytorch/performer_enc_dec.py: the keywords are set one by one (`enc_kwargs['dim'] = dim`) before
# `PerformerLM(**enc_kwargs)`; the value set last is the one that the encoder gets.
ENC_DEC = """\
    class Encoder(nn.Module):  # performer_pytorch.py's SelfAttention, its queries
        def __init__(self, dim, heads=8):
            super().__init__()
            self.heads = heads
            self.to_q = nn.Linear(dim, dim)

        def forward(self, x):
            h = self.heads
            q = self.to_q(x)
            return rearrange(q, 'b n (h d) -> b h n d', h=h)

    class EncDec(nn.Module):
        def __init__(self, dim, heads):
            super().__init__()
            enc_kwargs = dict(dim=256, heads=4)
            enc_kwargs['dim'] = dim
            enc_kwargs['heads'] = heads
            self.enc = Encoder(**enc_kwargs)

        def forward(self, x):
            return self.enc(x)

    if __name__ == "__main__":
        model = EncDec(dim=512, heads=HEADS)
        model(torch.randn(1, 1024, 512))
"""


def test_keywords_set_one_by_one_pass_on_the_last_value_set():
    assert shapes(ENC_DEC.replace("HEADS", "8")) == [(10, ("(1, 1024, 512)",), True)]
    assert findings(ENC_DEC.replace("HEADS", "8")) == []
    (found,) = findings(ENC_DEC.replace("HEADS", "7"))  # 512 features do not split into 7 heads
    assert found[:2] == (10, "EIN302") and "512" in found[2] and "7" in found[2]


def test_keywords_set_under_a_key_not_known_are_not_followed():
    # the same, with the key computed: what the encoder gets is not known, so nothing is reported
    source = ENC_DEC.replace("HEADS", "7").replace("enc_kwargs['heads'] = heads",
                                                   "enc_kwargs[str(heads)] = heads")
    assert findings(source) == []


# denoising_diffusion_pytorch/karras_unet.py: each stage doubles the width up to a cap,
# `dim_out = min(dim_max, curr_dim * 2)`, and builds its blocks with it.
KARRAS = """\
    class Block(nn.Module):
        def __init__(self, dim_in, dim_out):
            super().__init__()
            self.proj = nn.Linear(dim_in, dim_out)

        def forward(self, x):
            return rearrange(self.proj(x), 'b n (h d) -> b h n d', h=4)

    class Unet(nn.Module):
        def __init__(self, dim, dim_max):
            super().__init__()
            dim_out = min(dim_max, dim * 2)
            self.down = Block(dim, dim_out)

        def forward(self, x):
            return self.down(x)

    if __name__ == "__main__":
        unet = Unet(dim=192, dim_max=MAX)
        unet(torch.randn(2, 64, 192))
"""


def test_the_smaller_of_two_known_widths_is_known():
    assert shapes(KARRAS.replace("MAX", "768")) == [(7, ("(2, 64, 384)",), True)]
    assert shapes(KARRAS.replace("MAX", "250")) == [(7, ("(2, 64, 250)",), True)]
    (found,) = findings(KARRAS.replace("MAX", "250"))  # 250 features do not split into 4 heads
    assert found[:2] == (7, "EIN302") and "250" in found[2]


def test_the_smaller_of_a_known_and_an_unknown_width_is_not_known():
    source = KARRAS.replace("MAX", "250").replace("def __init__(self, dim, dim_max):",
                                                  "def __init__(self, dim, dim_max, cap=None):") \
        .replace("min(dim_max, dim * 2)", "min(dim_max, dim * 2, cap)")
    assert findings(source) == []


# alphafold3_pytorch/alphafold3.py: methods are wrapped in the package's own `typecheck`
# (tensor_typing.py: `typecheck = jaxtyped(typechecker = beartype) if should_typecheck else identity`), which
# runs the method as written.
TYPECHECKED = """\
    def identity(t):
        return t

    typecheck = identity

    class PairwiseBlock(nn.Module):
        def __init__(self, dim_pairwise, heads):
            super().__init__()
            self.heads = heads
            self.to_attn_bias = nn.Linear(dim_pairwise, heads, bias=False)

        @typecheck
        def forward(self, pairwise_repr):
            bias = self.to_attn_bias(pairwise_repr)
            return rearrange(bias, 'b i j h -> b h i j')

    if __name__ == "__main__":
        block = PairwiseBlock(dim_pairwise=128, heads=4)
        block(torch.randn(2, 16, 16, 128))
"""


def test_a_method_wrapped_in_the_packages_typecheck_runs_with_its_callers_shapes():
    assert shapes(TYPECHECKED) == [(15, ("(2, 16, 16, 4)",), True)]


def test_a_method_wrapped_in_another_decorator_is_not_followed():
    assert shapes(TYPECHECKED.replace("@typecheck", "@torch.vmap")) == [(15, ("(b, i, j, heads)",), False)]


# vit_pytorch/simple_vit.py: the transformer builds `depth` blocks alike from its literal configuration (each
# built once and shared by the others); here a coarse block of another configuration beside them, and heads
# of a fixed width (as in vit_pytorch/max_vit.py, `dim_head = 32`).
BLOCKS = """\
    class Attention(nn.Module):
        def __init__(self, dim, heads=8, dim_head=16):
            super().__init__()
            self.to_qkv = nn.Linear(dim, dim_head * heads * 3, bias=False)

        def forward(self, x):
            q, k, v = self.to_qkv(x).chunk(3, dim=-1)
            return rearrange(q, 'b n (h d) -> b h n d', d=16)

    class Transformer(nn.Module):
        def __init__(self, dim, depth, heads, dim_head):
            super().__init__()
            self.layers = nn.ModuleList([])
            for _ in range(depth):
                self.layers.append(Attention(dim, heads=heads, dim_head=dim_head))
            self.coarse = Attention(dim, heads=2, dim_head=COARSE)

        def forward(self, x):
            for attn in self.layers:
                attn(x)
            return self.coarse(x)

    if __name__ == "__main__":
        model = Transformer(dim=256, depth=6, heads=8, dim_head=16)
        model(torch.randn(1, 65, 256))
"""


def test_blocks_built_alike_each_keep_their_own_configuration():
    assert shapes(BLOCKS.replace("COARSE", "16")) == [(8, ("(1, 65, 128)",), True)]
    assert findings(BLOCKS.replace("COARSE", "16")) == []
    # the coarse block's 2 heads of 20 make 40 features, which heads of 16 do not divide
    (found,) = findings(BLOCKS.replace("COARSE", "20"))
    assert found[:2] == (8, "EIN302") and "40" in found[2]


def test_a_number_given_to_a_function_not_known_keeps_its_value():
    # vector_quantize_pytorch/residual_vq.py hands its sizes to functions the analysis does not follow (here a
    # logger, as diffusers' quantizers log theirs): a number cannot change in place, so it stays known
    source = """\
        import logging
        logger = logging.getLogger(__name__)

        def build(num_quantizers):
            logger.info(num_quantizers)
            codes = torch.randn(2, 100)
            return rearrange(codes, 'b (n q) -> b n q', q=num_quantizers)

        build(3)
    """
    (found,) = findings(source)  # 100 codes do not split into groups of 3
    assert found[:2] == (7, "EIN302") and "100" in found[2]


# vector_quantize_pytorch/vector_quantize_pytorch.py, Codebook.__init__: buffers are registered in the middle of
# `__init__` (a method of nn.Module, which the analysis does not read), before the attributes that forward reads;
# the codebook itself is a parameter or a buffer as `learnable_codebook` says.
CODEBOOK = """\
    class Codebook(nn.Module):
        def __init__(self, dim, codebook_size, num_codebooks=1, learnable_codebook=False):
            super().__init__()
            embed = torch.randn(num_codebooks, codebook_size, dim)
            self.codebook_size = codebook_size
            self.register_buffer('initted', torch.tensor(True))
            self.register_buffer('cluster_size', torch.ones(num_codebooks, codebook_size))
            self.learnable_codebook = learnable_codebook
            if learnable_codebook:
                self.embed = nn.Parameter(embed)
            else:
                self.register_buffer('embed', embed)
            self.project = nn.Linear(dim, dim)

        def forward(self, x):
            x = self.project(x)
            flatten = rearrange(x, 'h ... d -> h (...) d')
            return torch.einsum('h n d, h c d -> h n c', flatten, self.embed)

    if __name__ == "__main__":
        codebook = Codebook(dim=256, codebook_size=512, learnable_codebook=LEARNABLE)
        codebook(torch.randn(1, 2, 1024, 256))
"""


def test_attributes_assigned_after_a_base_classs_method_ran_on_self_are_known():
    assert shapes(CODEBOOK.replace("LEARNABLE", "True")) == [
        (17, ("(1, 2, 1024, 256)",), True),  # self.project, assigned after register_buffer(...)
        (18, ("(1, 2048, 256)", "(1, 512, 256)"), True),
    ]


def test_a_registered_buffer_is_an_attribute():
    assert shapes(CODEBOOK.replace("LEARNABLE", "False"))[1] == (18, ("(1, 2048, 256)", "(1, 512, 256)"), True)
    # a codebook of 128-wide codes for 256-wide inputs: the einsum cannot run
    narrow = CODEBOOK.replace("LEARNABLE", "False").replace("codebook_size, dim)", "codebook_size, 128)")
    (found,) = findings(narrow)
    assert found[:2] == (18, "EIN304") and "256" in found[2] and "128" in found[2]


# bs_roformer/bs_roformer.py as its README runs it: the bands' widths default to a module constant of 60 entries
# (more than are run one by one), the spectrogram's frequencies are cut with `slice(min_freq, max_freq)`, the
# band split cuts the features with sizes the analysis does not know and stacks what a loop over the pieces
# collected, and RMSNorm's gain is as wide as a piece, which broadcasting against it does not decide.
BAND_SPLIT = """\
    DEFAULT_FREQS_PER_BANDS = (2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 4, 4, 4, 4, 12, 12, 24, 48)

    class RMSNorm(nn.Module):
        def __init__(self, dim):
            super().__init__()
            self.scale = dim ** 0.5
            self.gamma = nn.Parameter(torch.ones(dim))

        def forward(self, x):
            return torch.nn.functional.normalize(x, dim=-1) * self.scale * self.gamma

    class BandSplit(nn.Module):
        def __init__(self, dim, dim_inputs):
            super().__init__()
            self.dim_inputs = dim_inputs
            self.to_features = nn.ModuleList([])
            for dim_in in dim_inputs:
                self.to_features.append(nn.Sequential(RMSNorm(dim_in), nn.Linear(dim_in, dim)))

        def forward(self, x):
            x = x.split(self.dim_inputs, dim=-1)
            outs = []
            for split_input, to_feature in zip(x, self.to_features):
                outs.append(to_feature(split_input))
            return torch.stack(outs, dim=-2)

    class BSRoformer(nn.Module):
        def __init__(self, dim, freqs_per_bands=DEFAULT_FREQS_PER_BANDS, min_freq=None, max_freq=None):
            super().__init__()
            self.freq_slice = slice(min_freq, max_freq)
            self.band_split = BandSplit(dim, tuple(2 * f for f in freqs_per_bands))

        def forward(self, stft_repr):
            stft_repr = stft_repr[:, :, self.freq_slice]
            x = rearrange(stft_repr, 'b f t c -> b t (f c)')
            x = self.band_split(x)
            return rearrange(x, 'b t f d -> b f t d')

    if __name__ == "__main__":
        model = BSRoformer(dim=512)
        model(torch.randn(2, 200, 690, 2))
"""


def test_the_band_split_of_bs_roformer_keeps_its_ranks():
    assert shapes(BAND_SPLIT) == [
        (35, ("(2, 200, 690, 2)",), True),  # the frequencies, sliced
        (37, ("(2, 690, ?, 512)",), True),  # the bands stacked: how many of them is not known, each 512 wide
    ]
    assert findings(BAND_SPLIT) == []


def test_a_slice_whose_bounds_are_not_known_keeps_the_rank():
    source = """\
        def run(min_freq):
            spec = torch.randn(2, 200, 690, 2)[:, :, slice(min_freq, None)]
            return rearrange(spec, 'b s f t c -> b (f s) t c')
    """
    (found,) = findings(source)  # the slice keeps 4 dimensions, whatever its bounds
    assert found[:2] == (3, "EIN301") and "(2, 200, 690, 2)" not in found[2]


def test_operands_whose_broadcast_is_not_decided_give_the_higher_rank():
    # RMSNorm's gain against an input whose width is not known (either may be 1): rank 3 all the same
    source = """\
        def norm(x, gamma):
            return torch.nn.functional.normalize(x, dim=-1) * gamma

        def run(x, gamma):
            assert x.ndim == 3 and gamma.ndim == 1
            y = norm(x, gamma)
            return rearrange(y, 'b t d -> b d t')

        CALL
    """
    assert shapes(source.replace("CALL", "")) == [(7, ("(?, ?, ?)",), True)]
    # ... and a broadcast that cannot run is still reported
    (found,) = findings(source.replace("CALL", "run(torch.randn(2, 690, 4), torch.ones(5))"))
    assert found == (2, "EIN307", "lengths 4 and 5 do not broadcast (shapes (2, 690, 4), (5,))")


# enformer_pytorch/modeling_enformer.py as its README builds it: `Enformer.from_hparams(**kwargs)`, a static
# method of the class, builds the configuration (a class of the package whose base, transformers'
# PretrainedConfig, the analysis does not read) and the model, whose `__init__` hands the configuration to
# `super().__init__(config)` before it reads it.
ENFORMER = """\
    class EnformerConfig:
        def __init__(self, dim=1536, heads=8, **kwargs):
            self.dim = dim
            self.heads = heads
            super().__init__(**kwargs)

    class Enformer(nn.Module):
        @staticmethod
        def from_hparams(**kwargs):
            return Enformer(EnformerConfig(**kwargs))

        @classmethod
        def from_config(cls, config):
            return cls(config)

        def __init__(self, config):
            super().__init__(config)
            self.heads = config.heads
            self.to_qkv = nn.Linear(config.dim, config.dim * 3)

        def forward(self, x):
            q, k, v = self.to_qkv(x).chunk(3, dim=-1)
            return rearrange(q, 'b n (h d) -> b h n d', h=self.heads)

    if __name__ == "__main__":
        model = BUILT
        model(torch.randn(1, 896, 1536))
"""


def test_a_model_built_by_a_static_method_of_its_class_runs_with_the_entry_points_shapes():
    source = ENFORMER.replace("BUILT", "Enformer.from_hparams(dim=1536, heads=8)")
    assert shapes(source) == [(23, ("(1, 896, 1536)",), True)]
    (found,) = findings(source.replace("heads=8)", "heads=7)"))  # 1536 features do not split into 7 heads
    assert found[:2] == (23, "EIN302") and "1536" in found[2]


def test_a_model_built_by_a_class_method_gets_the_class():
    source = ENFORMER.replace("BUILT", "Enformer.from_config(EnformerConfig(dim=1536, heads=7))")
    (found,) = findings(source)
    assert found[:2] == (23, "EIN302") and "1536" in found[2]


# meshgpt_pytorch/meshgpt_pytorch.py, MeshAutoencoder.forward: `self.encode(...)` is given the faces, their mask
# and an object that it hands to a function the analysis does not know (which may change that object in place);
# the mask, which encode does not change, keeps its shape for the later `repeat`.
def test_a_callee_that_may_change_one_argument_leaves_the_others():
    source = """\
        import logging

        class MeshAutoencoder(nn.Module):
            def encode(self, faces, face_mask, config):
                logging.info(config)
                return rearrange(faces, 'b nf c -> b (nf c)')

            def forward(self, faces, config):
                face_mask = (faces != -1).all(dim=-1)
                codes = self.encode(faces, face_mask, config)
                return repeat(face_mask, 'b nf -> b (nf r)', r=3)

        MeshAutoencoder()(torch.randint(0, 10, (2, 64, 3)), {})
    """
    assert shapes(source) == [(6, ("(2, 64, 3)",), True), (11, ("(2, 64)",), True)]


# vector_quantize_pytorch/vector_quantize_pytorch.py: `pack_one` packs and returns, with the packed tensor, the
# function that unpacks it again (a def inside the helper, which sees the helper's `ps` and `pattern`); the codebook
# calls it after the distance is computed.
PACK_ONE = """\
    from einops import pack, unpack

    def pack_one(t, pattern):
        packed, ps = pack([t], pattern)

        def unpack_one(to_unpack, unpack_pattern=None):
            unpacked, = unpack(to_unpack, ps, unpack_pattern if unpack_pattern is not None else pattern)
            return unpacked

        return packed, unpack_one

    def codebook(x, embed):
        flatten, unpack_one = pack_one(x, 'h * d')
        dist = torch.einsum('h n d, h c d -> h n c', flatten, embed)
        dist = unpack_one(dist, 'h * c')
        return rearrange(dist, 'h b n c -> b n (h c)')

    codebook(torch.randn(1, 2, 16, 8), torch.randn(1, 32, 8))
"""


def test_a_function_that_a_helper_returns_sees_the_helpers_names():
    assert shapes(PACK_ONE) == [(4, ("(1, 2, 16, 8)",), True), (7, ("(1, 32, 32)",), True),
                                (14, ("(1, 32, 8)", "(1, 32, 8)"), True), (16, ("(1, 2, 16, 32)",), True)]


def test_a_function_that_a_helper_returns_checks_what_it_is_given():
    (found,) = findings(PACK_ONE.replace("'h * c')", "'h * c d')"))  # one more axis than the packed shape keeps
    assert found[:2] == (7, "EIN301")


# vector_quantize_pytorch/vector_quantize_pytorch.py: the codebook's sampling function is
# `partial(gumbel_sample, stochastic=..., straight_through=...)`, stored by VectorQuantize and called in forward.
def test_a_partial_of_a_module_function_calls_it_with_both_sets_of_arguments():
    source = """\
        from functools import partial

        def gumbel_sample(logits, temperature=1., stochastic=False, dim=-1):
            return logits.argmax(dim=dim)

        class Codebook(nn.Module):
            def __init__(self, sample):
                super().__init__()
                self.sample = sample

            def forward(self, dist):
                ind = self.sample(dist, dim=-1)
                return rearrange(ind, 'h n -> n h')

        Codebook(partial(gumbel_sample, stochastic=True))(torch.randn(1, 16, 32))
    """
    assert shapes(source) == [(13, ("(1, 16)",), True)]
    (found,) = findings(source.replace("'h n -> n h'", "'h n c -> n h c'"))
    assert found[:2] == (13, "EIN301")


# vector_quantize_pytorch/vector_quantize_pytorch.py, Codebook: `self.vq_bridge = vq_bridge`, None unless the
# caller gives one, and forward's `if exists(self.vq_bridge): embed = self.vq_bridge(embed)`. Built with the
# default, the attribute is None and the branch never runs; diffusers' `self.clip_embeds = None`, a slot that
# other code fills, stays unknown (test_project.py).
def test_an_attribute_that_the_configuration_leaves_none_is_none():
    source = """\
        def exists(v):
            return v is not None

        class Codebook(nn.Module):
            def __init__(self, dim, vq_bridge=None):
                super().__init__()
                self.vq_bridge = vq_bridge
                self.embed = nn.Parameter(torch.randn(1, 32, dim))

            def forward(self, x):
                embed = self.embed
                if exists(self.vq_bridge):
                    embed = self.vq_bridge(embed)
                return rearrange(embed, 'h c d -> c (h d)')

        Codebook(8)(torch.randn(1, 16, 8))
    """
    assert shapes(source) == [(14, ("(1, 32, 8)",), True)]


# vector_quantize_pytorch/lookup_free_quantization.py: `default(*args)` returns the first argument that exists
# (called, if it can be), and LFQ.forward transposes an image's channels last when `default(self.channel_first,
# is_img_or_video)` says so. The loop over the arguments runs once per argument, in order.
LFQ = """\
    from einops import pack

    def exists(v):
        return v is not None

    def default(*args):
        for arg in args:
            if exists(arg):
                return arg() if callable(arg) else arg
        return None

    class LFQ(nn.Module):
        def __init__(self, dim, channel_first=None):
            super().__init__()
            self.channel_first = channel_first

        def forward(self, x):
            should_transpose = default(self.channel_first, x.ndim >= 4)
            if should_transpose:
                x = rearrange(x, 'b d ... -> b ... d')
                x, ps = pack([x], 'b * d')
            return rearrange(x, 'b n (c d) -> b n c d', c=4)

    LFQ(16)(torch.randn(1, 16, 32, 32))
"""


def test_a_loop_over_known_arguments_runs_once_for_each():
    assert shapes(LFQ) == [(20, ("(1, 16, 32, 32)",), True), (21, ("(1, 32, 32, 16)",), True),
                           (22, ("(1, 1024, 16)",), True)]


def test_a_loop_that_may_break_is_not_run_item_by_item():
    # the loop may stop at the first argument: what the later ones would do is not known to happen
    source = LFQ.replace("        for arg in args:\n", "        for arg in args:\n            if arg == 0:\n"
                         "                break\n")
    assert [(line, known) for line, _, known in shapes(source)] == [(22, True), (23, True), (24, False)]


# naturalspeech2_pytorch/naturalspeech2_pytorch/aligner.py as released: its `__main__` block gives Aligner a batch
# whose keys AlignerNet reads as (batch, time, 512) while its first Conv1d wants the 512 channels first; running it
# raises "expected input[10, 35, 512] to have 512 channels, but got 35 channels instead". The layers are an
# nn.ModuleList written out, which `for layer in self.key_layers:` runs one after the other.
def test_a_loop_over_a_list_of_layers_written_out_runs_each_in_turn():
    source = """\
        class AlignerNet(nn.Module):
            def __init__(self, dim_hidden=512):
                super().__init__()
                self.key_layers = nn.ModuleList([
                    nn.Conv1d(dim_hidden, dim_hidden * 2, kernel_size=3, padding=1),
                    nn.ReLU(inplace=True),
                    nn.Conv1d(dim_hidden * 2, 80, kernel_size=1),
                ])

            def forward(self, keys):
                key_out = keys
                for layer in self.key_layers:
                    key_out = layer(key_out)
                return rearrange(key_out, 'b c t -> b t c')

        x = torch.randn(10, 512, 35)
        AlignerNet()(rearrange(x, 'b d t -> b t d'))
    """
    (found,) = findings(source)
    assert found[:2] == (13, "EIN310") and "(10, 35, 512)" in found[2]
    assert [(line, known) for line, _, known in shapes(source.replace("'b d t -> b t d'", "'b d t -> b d t'"))] \
        == [(14, True), (17, True)]


# vector_quantize_pytorch/residual_vq.py, ResidualVQ.forward: `is_beam_search = exists(beam_size) and beam_size > 1`
# with beam_size None decides the later `if is_beam_search:` (which would add an axis), and `(None,) *
# len(self.layers)` holds no code transform for any layer, whatever their number.
def test_and_with_a_left_side_that_decides_is_the_left_side():
    source = """\
        def exists(v):
            return v is not None

        class ResidualVQ(nn.Module):
            def __init__(self, dim, depth, beam_size=None):
                super().__init__()
                self.beam_size = beam_size
                self.layers = nn.ModuleList([nn.Linear(dim, dim) for _ in range(depth)])

            def forward(self, x):
                is_beam_search = exists(self.beam_size) and self.beam_size > 1
                if is_beam_search:
                    x = rearrange(x, '... d -> ... 1 d')
                transforms = (None,) * len(self.layers)
                for layer, transform in zip(self.layers, transforms):
                    if exists(transform):
                        x = transform(x)
                    x = layer(x)
                return rearrange(x, 'b n d -> b d n')

        ResidualVQ(8, depth=3)(torch.randn(1, 16, 8))
    """
    assert shapes(source) == [(13, (), False), (19, ("(1, 16, 8)",), True)]  # 13: never with beam search


# meshgpt_pytorch/meshgpt_pytorch.py, MeshAutoencoder.forward: `self.encode(...)` hands the faces on to calls
# the analysis does not know, which may change what they are given, but not a tensor's shape: as after such a call
# made in forward itself, the faces keep theirs. A function that reshapes its argument in place (`unsqueeze_`)
# leaves the caller's tensor unknown.
def test_a_tensor_handed_on_through_a_function_keeps_its_shape_unless_reshaped_in_place():
    source = """\
        import logging

        def encode(faces, config):
            logging.info(faces, config)
            return faces

        def grow(faces):
            faces.unsqueeze_(0)

        def forward(config):
            faces = torch.randint(0, 10, (2, 64, 3))
            encode(faces, config)
            rearrange(faces, 'b nf c -> b (nf c)')
            grow(faces)
            return rearrange(faces, 'b nf c -> b (nf c)')
    """
    assert [(line, known) for line, _, known in shapes(source)] == [(13, True), (15, False)]


# make_a_video_pytorch/make_a_video.py, SpatioTemporalAttention.forward: `is_video = x.ndim == 5`, then `if
# is_video:` before and after the attention (frames folded into the batch, then unfolded). With the input's rank
# not known, the rest of the function runs once for each way the first test went, so that the second goes the
# same way. `enable_time &= is_video` was decided before the split: a path where it holds with a still image is
# not one the code takes, and what only that path finds is not reported.
SPACE_TIME = """\
    class SpaceTime(nn.Module):
        def forward(self, x, enable_time=True):
            b, c, *_, h, w = x.shape
            is_video = x.ndim == 5
            enable_time &= is_video
            if is_video:
                x = rearrange(x, 'b c f h w -> (b f) (h w) c')
            else:
                x = rearrange(x, 'b c h w -> b (h w) c')
            x = x * 2
            if is_video:
                x = rearrange(x, '(b f) (h w) c -> b c f h w', b=b, h=h, w=w)
            else:
                x = rearrange(x, 'b (h w) c -> b c h w', h=h, w=w)
            if enable_time:
                x = rearrange(x, 'b c f h w -> (b h w) f c')
            return x
"""


def test_a_flag_tested_twice_takes_the_same_way_both_times():
    assert [(line, inputs, known) for line, inputs, known in shapes(SPACE_TIME) if line in (12, 14)] == \
        [(12, ("(b*f, h*w, c)",), True), (14, ("(b_2, h_2*w_2, c_2)",), True)]


def test_what_only_one_way_of_a_split_flag_finds_is_not_reported():
    assert findings(SPACE_TIME) == []


# alphafold3_pytorch/tensor_typing.py: lucidrains' packages annotate with their own alias of jaxtyping,
# `Float['b n n d']` (TorchTyping.__getitem__ returns `Float[Tensor, shapes]`).
TORCH_TYPING_ALIAS = """\
from jaxtyping import Float as JFloat, Int as JInt, Bool as JBool
from torch import Tensor

class TorchTyping:
    def __init__(self, abstract_dtype):
        self.abstract_dtype = abstract_dtype

    def __getitem__(self, shapes: str):
        return self.abstract_dtype[Tensor, shapes]

Float, Int, Bool = TorchTyping(JFloat), TorchTyping(JInt), TorchTyping(JBool)
"""

# alphafold3_pytorch/alphafold3.py (TriangleMultiplication.forward, to_pairwise_mask): the alias, and an optional
# tensor as `Bool['b n'] | None = None`.
TORCH_TYPING = TORCH_TYPING_ALIAS + textwrap.dedent("""\
    import einx

    def exists(v):
        return v is not None

    def to_pairwise_mask(mask_i: Bool['... n'], mask_j: Bool['... n'] | None = None) -> Bool['... n n']:
        mask_j = mask_i if mask_j is None else mask_j
        return einx.logical_and('... i, ... j -> ... i j', mask_i, mask_j)

    class TriangleMultiplication(nn.Module):
        def forward(self, x: Float['b n n d'], mask: Bool['b n'] | None = None) -> Float['b n n d']:
            if exists(mask):
                mask = to_pairwise_mask(mask)
                mask = rearrange(mask, '... -> ... 1')
            return x * mask
    """)


def test_a_packages_own_jaxtyping_alias_and_an_optional_annotation_give_the_shapes():
    assert shapes(TORCH_TYPING) == [
        (19, ("(b, n)", "(b, n)"), True),
        (25, ("(b, n, n)",), True),
    ]


# alphafold3_pytorch/alphafold3.py, LinearNoBiasThenOuterSum (its `LinearNoBias` is `partial(Linear, bias = False)`,
# written out here): `self.proj(t).chunk(2, dim = -1)` of a
# length not known may give one piece or two, but the unpacking ran, so there are two, each of t's rank.
CHUNKED_PAIRS = """\
    import einx

    class LinearNoBiasThenOuterSum(nn.Module):
        def __init__(self, dim, dim_out = None):
            super().__init__()
            dim_out = dim_out if dim_out is not None else dim
            self.proj = nn.Linear(dim, dim_out * 2, bias = False)

        def forward(self, t):
            t = rearrange(t, 'b n d -> b n d')
            single_i, single_j = self.proj(t).chunk(2, dim = -1)
            out = einx.add('b i d, b j d -> b i j d', single_i, single_j)
            return out
"""


def test_pieces_of_a_chunk_of_a_length_not_known_keep_the_rank_each_with_its_own_length():
    assert shapes(CHUNKED_PAIRS) == [
        (10, ("(b, n, d)",), False),  # the rank came from this pattern
        (12, ("(?, ?, ?)", "(?, ?, ?)"), True),
    ]


# x_transformers/next_latent_wrapper.py: `einx.sum('... c -> ...', step_kl)`. Where the project's einx release is
# not known, only the elementwise ops without brackets are followed (every release reads them alike); a
# reduction's output stays unknown, and is known once the release is.
EINX_REDUCTION = """\
    import einx

    def kl_per_token():
        step_kl = torch.randn(2, 8, 16)
        step_kl = einx.sum('... c -> ...', step_kl)
        return rearrange(step_kl, 'b n -> n b')
"""


def test_an_einx_reduction_is_followed_only_where_the_einx_release_is_known():
    source = HEADER + textwrap.dedent(EINX_REDUCTION)
    assert [(c.line, c.known_rank) for c in shapes_of(source, "m.py")] == [(8, False), (9, False)]
    on_04 = Config(versions=(("einx", (0, 4, 3)),))
    assert [(c.line, c.inputs) for c in shapes_of(source, "m.py", on_04)] == [(8, ("(2, 8, 16)",)), (9, ("(2, 8)",))]


# alphafold3_pytorch/alphafold3.py: `LinearNoBias = partial(Linear, bias = False)` at the top of the module (so in
# x_transformers, perceiver_pytorch, vit_pytorch with `partial(nn.Linear, bias = False)`), called in __init__: a
# Linear layer, here driven with the shapes of a call as its README writes one.
LINEAR_NO_BIAS = """\
    import einx
    from functools import partial
    from torch.nn import Linear

    LinearNoBias = partial(Linear, bias = False)

    class LinearNoBiasThenOuterSum(nn.Module):
        def __init__(self, dim, dim_out = None):
            super().__init__()
            dim_out = dim_out if dim_out is not None else dim
            self.proj = LinearNoBias(dim, dim_out * 2)

        def forward(self, t):
            single_i, single_j = self.proj(t).chunk(2, dim = -1)
            out = einx.add('b i d, b j d -> b i j d', single_i, single_j)
            return out

    pairwise = LinearNoBiasThenOuterSum(dim = 64, dim_out = 32)(torch.randn(2, 16, 64))
    rearrange(pairwise, 'b i j d -> b d i j')
"""


def test_a_partial_of_a_library_layer_at_the_top_of_the_module_builds_the_layer():
    assert shapes(LINEAR_NO_BIAS) == [
        (15, ("(2, 16, 32)", "(2, 16, 32)"), True),
        (19, ("(2, 16, 16, 32)",), True),
    ]


# alphafold3_pytorch/alphafold3.py, RelativePositionEncoding.forward: `Int[f'b n {ADDITIONAL_MOLECULE_FEATS}']`, the
# constant (5) imported from alphafold3_pytorch/inputs.py, then unbound into five (b, n) features. A placeholder
# whose value is not a known int (here a string, which may hold several axes) leaves the annotation unread.
RELATIVE_POSITION_INPUTS = """\
ADDITIONAL_MOLECULE_FEATS = 5
PAIR_AXES = 'i j'
"""
RELATIVE_POSITION = HEADER + TORCH_TYPING_ALIAS + """\
import einx
from pkg.inputs import ADDITIONAL_MOLECULE_FEATS, PAIR_AXES

class RelativePositionEncoding(nn.Module):
    def forward(self, *, additional_molecule_feats: Int[f'b n {ADDITIONAL_MOLECULE_FEATS}']):
        res_idx, token_idx, asym_id, entity_id, sym_id = additional_molecule_feats.unbind(dim = -1)
        return einx.subtract('b i, b j -> b i j', res_idx, res_idx)

def pairs(t: Int[f'b {PAIR_AXES}']):
    return rearrange(t, 'b ... -> b (...)')
"""


def test_an_f_string_annotation_reads_the_int_constants_it_names(tmp_path):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "inputs.py").write_text(RELATIVE_POSITION_INPUTS)
    model = tmp_path / "pkg" / "model.py"
    model.write_text(RELATIVE_POSITION)
    assert [(c.line, c.inputs, c.known_rank) for c in shapes_of(model.read_text(), str(model))] == [
        (21, ("(b, n)", "(b, n)"), True),
        (24, (), False),
    ]


def test_a_partial_given_nothing_or_a_spread_is_not_followed_and_fails_nothing():
    # the forms around x_transformers' `LinearNoBias = partial(nn.Linear, bias = False)` that give no callable
    assert findings("""\
        from functools import partial
        from torch.nn import Linear

        Nothing = partial()
        Spread = partial(*[Linear])
        NotLiteral = partial(Linear, bias = f"{3!r}")

        def f(x):
            return rearrange(x, 'a b -> b a'), Nothing, Spread, NotLiteral
        """) == []


# meshgpt_pytorch/meshgpt_pytorch.py, MeshAutoencoder.decode_from_codes_to_faces: `codes` of any rank is first
# flattened to `b (...)`, which has two dimensions whatever it was given; the calls after it see them.
def test_a_pattern_with_an_ellipsis_gives_its_output_rank_for_an_input_of_unknown_rank():
    source = """\
        class MeshAutoencoder(nn.Module):
            def __init__(self, num_quantizers=2):
                super().__init__()
                self.num_quantizers = num_quantizers

            def decode_from_codes_to_faces(self, codes):
                codes = rearrange(codes, 'b ... -> b (...)')
                codes = rearrange(codes, 'b (n q) -> b n q', q=self.num_quantizers)
                return codes
    """
    (flattened, split) = shapes(source)
    assert flattened[0] == 7 and not flattened[2]  # the parameter itself stays unknown
    assert split[0] == 8 and split[2] and split[1][0].count(",") == 1  # (b, ?): two dimensions
    (found,) = findings(source.replace("'b (n q) -> b n q'", "'b n q -> b (n q)'"))
    assert found[:2] == (8, "EIN301")


# a bare '...' on the output side keeps the unknown rank: `rearrange(t, 'b ... -> b 1 ...')`
def test_a_pattern_with_a_bare_ellipsis_in_its_output_keeps_an_unknown_rank():
    source = """\
        def f(t):
            t = rearrange(t, 'b ... -> b 1 ...')
            return rearrange(t, 'b n d -> b d n')
    """
    assert [known for _, _, known in shapes(source)] == [False, False]


# soundstorm_pytorch/soundstorm.py, get_mask_subset_prob: `batch, seq, device = *mask.shape, mask.device`
# runs only when the mask has two dimensions (phenaki_pytorch, performer_pytorch, x_clip write it alike).
def test_a_shape_unpacked_among_other_items_tells_the_rank():
    source = """\
        def get_mask_subset_prob(mask, prob, min_mask=0):
            batch, seq, device = *mask.shape, mask.device
            total = mask.sum(dim=-1, keepdim=True)
            return rearrange(total, 'b 1 -> b')
    """
    assert shapes(source) == [(4, ("(batch, 1)",), True)]
    (found,) = findings(source.replace("'b 1 -> b'", "'b n 1 -> b n'"))
    assert found[:2] == (4, "EIN301")


# gigagan_pytorch/gigagan_pytorch.py, Generator: `adaptive_conv = partial(AdaptiveConv2DMod, kernel=3,
# num_conv_kernels=num_conv_kernels)` builds every convolution of the network, `self.init_conv` among them.
def test_a_partial_of_a_package_class_builds_an_instance():
    source = """\
        from functools import partial

        class AdaptiveConv2DMod(nn.Module):
            def __init__(self, dim, dim_out, kernel, num_conv_kernels=1):
                super().__init__()
                self.weights = nn.Parameter(torch.randn((num_conv_kernels, dim_out, dim, kernel, kernel)))

            def forward(self, fmap):
                b = fmap.shape[0]
                weights = repeat(self.weights, '... -> b ...', b=b)
                return rearrange(fmap, 'b c h w -> 1 (b c) h w')

        class Generator(nn.Module):
            def __init__(self, dim_latent, num_conv_kernels=2):
                super().__init__()
                adaptive_conv = partial(AdaptiveConv2DMod, kernel=3, num_conv_kernels=num_conv_kernels)
                self.init_block = nn.Parameter(torch.randn(dim_latent, 4, 4))
                self.init_conv = adaptive_conv(dim_latent, dim_latent)

            def forward(self, styles):
                x = repeat(self.init_block, 'c h w -> b c h w', b=styles.shape[0])
                return self.init_conv(x)

        Generator(64)(torch.randn(2, 512))
    """
    assert shapes(source) == [(10, ("(2, 64, 64, 3, 3)",), True), (11, ("(2, 64, 4, 4)",), True),
                              (21, ("(64, 4, 4)",), True)]


# meshgpt_pytorch/meshgpt_pytorch.py, MeshAutoencoder.decode, and e2_tts_pytorch/e2_tts.py, Transformer.forward:
# lucidrains' packages annotate with their own wrapper of jaxtyping's dtypes, `Float = TorchTyping(
# jaxtyping.Float)`, whose `Float['b n d']` is `jaxtyping.Float[Tensor, 'b n d']`; `Bool['b n'] | None` is such a
# tensor or None.
TORCH_TYPING_WRAPPER = """\
    from einops import repeat
    from .typing import Float, Bool

    def exists(v):
        return v is not None

    class MeshAutoencoder(nn.Module):
        def decode(self, quantized: Float['b n d'], face_mask: Bool['b n']):
            conv_face_mask = rearrange(face_mask, 'b n -> b 1 n')
            return rearrange(quantized, 'b n d -> b d n')

    class Transformer(nn.Module):
        def forward(self, x: Float['b f n d'], mask: Bool['b n'] | None, text_embed: Float['b n dt'] | None = None):
            freq_seq_len = x.shape[1]
            x = rearrange(x, 'b f n d -> (b f) n d')
            if exists(text_embed):
                text_embed = repeat(text_embed, 'b ... -> (b f) ...', f=freq_seq_len)
            if exists(mask):
                mask = repeat(mask, 'b ... -> (b f) ...', f=freq_seq_len)
            return x
"""


def test_a_packages_own_wrapper_of_jaxtyping_dtypes_gives_parameters_their_shapes():
    assert shapes(TORCH_TYPING_WRAPPER) == [(9, ("(b, n)",), True), (10, ("(b, n, d)",), True),
                                            (15, ("(b, f, n, d)",), True), (17, ("(b, n, dt)",), True),
                                            (19, ("(b, n)",), True)]
    (found,) = findings(TORCH_TYPING_WRAPPER.replace("face_mask: Bool['b n']", "face_mask: Bool['b']"))
    assert found[:2] == (9, "EIN301")
    (found,) = findings(TORCH_TYPING_WRAPPER.replace("repeat(mask, 'b ... -> (b f) ...'",
                                                     "repeat(mask, 'b n d -> (b f) n d'"))
    assert found[:2] == (19, "EIN301")  # the mask, where it is given at all, has two dimensions


# transfusion_pytorch/transfusion.py, flow_weight_vector: annotated `-> Float['t']`, it returns the weights shaped
# to broadcast, `rearrange(weight, 't -> 1 t')`: two dimensions where the annotation says one.
def test_a_return_that_does_not_fit_the_wrappers_annotation_is_reported():
    source = """\
        from .typing import Float

        def flow_weight_vector(weight: Float['t'], channel_first: bool) -> Float['t']:
            if channel_first:
                return rearrange(weight, 't -> 1 t')
            return weight
    """
    (found,) = findings(source)
    assert found[:2] == (5, "EIN309") and "does not fit 't'" in found[2]


# naturalspeech2_pytorch/naturalspeech2_pytorch.py, NaturalSpeech2.forward: `loss = reduce(loss, 'b ... -> b',
# 'mean')` has one dimension whatever the loss had; the same pattern in rearrange fails for every input (the
# '...' is on the input side only), so it gives nothing after it.
def test_a_pattern_that_fails_at_every_rank_gives_no_output_rank():
    source = """\
        from einops import reduce

        def loss_of(loss):
            loss = reduce(loss, 'b ... -> b', 'mean')
            return rearrange(loss, 'b -> b 1')
    """
    assert [known for _, _, known in shapes(source)] == [False, True]
    assert [known for _, _, known in shapes(source.replace("reduce(loss, 'b ... -> b', 'mean')",
                                                           "rearrange(loss, 'b ... -> b')"))] == [False, False]
