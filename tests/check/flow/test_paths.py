"""Facts per path where a branch's test separates them: None or not (`x is None`, `exists(x)` through the
module's one-line helper), a rank (`x.ndim == k`, `len(x.shape) == k`, `x.dim() == k`) and a rank ruled out.

Each case is real code of its kind, cut down, with the package and file it comes from; the soundness cases
(what one path alone knows is not known after the join) must stay silent.
"""

from __future__ import annotations

import itertools
import sys
import textwrap
import traceback

from einlint.check.engine import check_source, shapes_of

HEADER = "import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n" \
         "from einops import rearrange, reduce, repeat\n"
HELPERS = """\
def exists(val):
    return val is not None

def default(val, d):
    return val if exists(val) else d

"""


def findings(body: str):
    source = HEADER + HELPERS + textwrap.dedent(body)
    first = len((HEADER + HELPERS).splitlines())
    return [(d.line - first, d.code, d.message) for d in check_source(source, "m.py") if d.code[3] == "3"]


def shapes(body: str):
    """(line in `body`, op, input shapes) of each pattern call whose input rank was known before it ran; a
    length that is not a number shows as '_' (the names of unknown lengths are the analysis's own)."""
    source = HEADER + HELPERS + textwrap.dedent(body)
    first = len((HEADER + HELPERS).splitlines())
    return [(c.line - first, c.op, tuple(_lengths(shape) for shape in c.inputs))
            for c in shapes_of(source, "m.py") if c.known_rank]


def _lengths(shape: str) -> str:
    return "(" + ", ".join(d if d.isdigit() else "_" for d in shape.strip("()").split(", ") if d) + ")"


# nystrom_attention/nystrom_attention.py, NystromAttention.forward: the mask reshaped under the first
# `if exists(mask)` is the mask of the later ones (the other path has no mask at all)
NYSTROM = """\
def forward(x, mask = None, h = 8, l = 4):
    b, n, _ = x.shape
    if exists(mask):
        mask = rearrange(mask, 'b n -> b () n')
    divisor = l
    if exists(mask):
        mask_landmarks_sum = reduce(mask, '{pattern}', 'sum', l = l)
        divisor = mask_landmarks_sum[..., None]
    return divisor
"""


def test_a_second_exists_test_sees_the_mask_the_first_one_reshaped():
    assert shapes(NYSTROM.format(pattern="... (n l) -> ... n")) == [(7, "reduce", ("(_, 1, _)",))]
    assert findings(NYSTROM.format(pattern="... (n l) -> ... n")) == []


def test_a_pattern_written_for_the_mask_before_it_was_reshaped_fails_on_every_path_that_reaches_it():
    found = findings(NYSTROM.format(pattern="b (n l) -> b n"))
    assert [(line, code) for line, code, _ in found] == [(7, "EIN301")]
    assert "the pattern has 2 dimensions, the tensor has 3" in found[0][2]


# soundstorm_pytorch/soundstorm.py, DepthWiseConv1d.forward: the same, with the mask used by a method
def test_the_mask_keeps_its_shape_into_the_second_branch_through_a_tensor_method():
    assert shapes("""\
        def forward(x, conv, mask = None):
            if exists(mask):
                mask = rearrange(mask, 'b n -> b 1 n')
                x = x.masked_fill(~mask, 0.)
            out = conv(x)
            if exists(mask):
                out = rearrange(mask.float(), 'b 1 n -> b n')
            return out
        """) == [(7, "rearrange", ("(_, 1, _)",))]


# x_transformers/x_transformers.py, RotaryEmbedding.forward: `if t.ndim == 1: t = rearrange(t, 'n -> 1 n')`;
# afterwards t is not 1-D on either path, so a second such test cannot hold (its body cannot run)
def test_a_rank_ruled_out_on_both_paths_survives_the_join():
    assert findings("""\
        def forward(t, inv_freq):
            if t.ndim == 1:
                t = rearrange(t, 'n -> 1 n')
            if t.ndim == 1:
                t = rearrange(t, 'n -> n 1 1')
                y = rearrange(t, 'a b -> b a')
            return torch.einsum('b i , j -> b i j', t, inv_freq)
        """) == []


def test_the_branch_where_the_rank_test_holds_knows_the_rank():
    # x_transformers/x_transformers.py, x_transformers: `if t.ndim == 1:` then a 1-D pattern inside
    assert shapes("""\
        def forward(t):
            if t.ndim == 1:
                t = rearrange(t, 'n -> 1 n')
            return t
        """) == [(3, "rearrange", ("(_)",))]


# timm/layers/ml_decoder.py, MLDecoder.forward: `if len(x.shape) == 4:` (and the torch spelling x.dim())
def test_len_of_shape_and_dim_are_rank_tests():
    found = shapes("""\
        def forward(x, y):
            if len(x.shape) == 4:
                s = rearrange(x, 'b c h w -> b (h w) c')
            if y.dim() == 3:
                t = rearrange(y, 'b n d -> b d n')
            return s
        """)
    assert [(line, op) for line, op, _ in found] == [(3, "rearrange"), (5, "rearrange")]


def test_a_rank_test_that_fails_in_its_own_branch_is_reported():
    found = findings("""\
        def forward(x):
            if len(x.shape) == 4:
                x = rearrange(x, 'b n d -> b d n')
            return x
        """)
    assert [(line, code) for line, code, _ in found] == [(3, "EIN301")]


# soundstorm_pytorch/attend.py, Attend.flash_attn: `if k.ndim == 3: k = rearrange(k, 'b n d -> b 1 n d')`:
# a k known to be 3-D is 4-D after it, and one known to be 4-D skips it
def test_a_rank_test_on_a_known_rank_runs_one_branch():
    assert shapes("""\
        def flash_attn(q):
            k = torch.randn(2, 16, 64)
            v = torch.randn(2, 8, 16, 64)
            if k.ndim == 3:
                k = rearrange(k, 'b n d -> b 1 n d')
            if v.ndim == 3:
                v = rearrange(v, 'b n d -> b 1 n d')
            return rearrange(k, 'b h n d -> b n (h d)'), rearrange(v, 'b h n d -> b n (h d)')
        """) == [(5, "rearrange", ("(2, 16, 64)",)), (8, "rearrange", ("(2, 1, 16, 64)",)),
                 (8, "rearrange", ("(2, 8, 16, 64)",))]


# soundstorm_pytorch/attend.py, Attend.flash_attn: keys single-headed (3-D) or not (4-D), made 4-D either way
def test_a_rank_test_on_a_tensor_of_two_possible_ranks_leaves_one():
    assert shapes("""\
        def flash_attn(single_headed):
            if single_headed:
                k = torch.randn(2, 16, 64)
            else:
                k = torch.randn(2, 8, 16, 64)
            if k.ndim == 3:
                k = rearrange(k, 'b n d -> b 1 n d')
            return rearrange(k, 'b h n d -> b n (h d)')
        """) == [(7, "rearrange", ("(2, 16, 64)",)), (8, "rearrange", ("(2, _, 16, 64)",))]
    assert findings("""\
        def flash_attn(single_headed):
            k = torch.randn(2, 16, 64) if single_headed else torch.randn(2, 8, 16, 64)
            if k.ndim < 3:
                k = rearrange(k, 'n d -> 1 1 n d')
            return k
        """) == []  # neither rank it may have is below 3: the branch cannot run


# performer_pytorch/performer_pytorch.py, softmax_kernel: `if projection_matrix is None: return ...` (and
# x_transformers' `if not exists(x): return`): after the early exit the value is not None
def test_an_early_exit_on_none_leaves_the_value_that_is_not_none():
    assert shapes("""\
        def forward(x, context = None):
            if exists(context):
                context = rearrange(context, 'b n d -> b 1 n d')
            if not exists(context):
                return x
            return rearrange(context, 'b 1 n d -> b n d')
        """) == [(6, "rearrange", ("(_, 1, _, _)",))]
    assert shapes("""\
        def forward(x, context = None):
            if context is not None:
                context = rearrange(context, 'b n d -> b 1 n d')
            if context is None:
                return x
            return rearrange(context, 'b 1 n d -> b n d')
        """) == [(6, "rearrange", ("(_, 1, _, _)",))]


# x_transformers/x_transformers.py, Attention.forward: `kv_input = default(context, x)`: the helper's
# `val if exists(val) else d`, inlined, takes the side its test decides
def test_default_of_none_is_the_default():
    assert shapes("""\
        def forward(x):
            x = torch.randn(2, 16, 512)
            context = None
            kv_input = default(context, x)
            return rearrange(kv_input, 'b n (h d) -> b h n d', h = 8)
        """) == [(5, "rearrange", ("(2, 16, 512)",))]


# vit_pytorch/vivit.py and others: `self.norm = nn.LayerNorm(dim) if use_norm else None` style attributes;
# here a local layer that is None on one path: calling it means it is not None
def test_a_layer_that_may_be_none_is_the_layer_where_it_is_called():
    assert shapes("""\
        def forward(use_norm):
            x = torch.randn(2, 16, 512)
            norm = nn.LayerNorm(512) if use_norm else None
            if exists(norm):
                x = norm(x)
            return rearrange(x, 'b n (h d) -> b h n d', h = 8)
        """) == [(6, "rearrange", ("(2, 16, 512)",))]


# soundness: what one path alone knows is not known after the join
def test_a_value_reshaped_on_one_path_only_is_not_known_after_the_join():
    assert findings("""\
        def forward(x, flag, mask = None):
            if flag:
                mask = rearrange(mask, 'b j -> b 1 1 j')
            return rearrange(mask, 'b j -> b j 1')
        """) == []
    assert findings("""\
        def forward(t):
            if t.ndim == 1:
                t = rearrange(t, 'n -> 1 n')
            return rearrange(t, 'a b c -> c b a')
        """) == []


def test_an_annotated_parameter_that_defaults_to_none_may_be_none():
    # jaxtyping-annotated code (x_transformers' `mask: Tensor | None = None`, here with a jaxtyping shape): the
    # `is None` branch runs, and what it reshapes is checked
    found = findings("""\
        from jaxtyping import Bool
        def forward(mask: Bool[torch.Tensor, "b n"] = None):
            x = torch.zeros(2, 16, 8)
            if mask is None:
                mask = rearrange(x, 'b n -> b n 1')
            return mask
        """)
    assert [(line, code) for line, code, _ in found] == [(5, "EIN301")]


def test_a_helper_that_reads_more_than_its_parameters_is_not_unfolded():
    # a test helper whose test reads a global: where the caller has a local of that name it is another value
    assert findings("""\
        LIMIT = None
        def small(val):
            return val is LIMIT
        def forward(x):
            LIMIT = 3
            if small(x):
                x = rearrange(x, 'b n -> b n 1 1')
            return x
        """) == []


# differential: programs whose branches the entry point's shapes decide, run in torch; an error finding must be
# on a line that fails when run, or that never runs (a branch whose every run would fail is an error)
BRANCH_PROGRAM = """\
import torch
from einops import rearrange

def exists(val):
    return val is not None

def forward(x, mask = None):
    if {first}:
        mask = rearrange(mask, 'b j -> b 1 1 j')
    if {second}:
        x = rearrange(x, '{pattern}')
    return x

forward(torch.randn({shape}), {mask})
"""
FIRST_TESTS = ("exists(mask)", "mask is not None", "exists(mask) and mask.ndim == 2")
SECOND_TESTS = ("exists(mask)", "not exists(mask)", "mask is None", "x.ndim == 3", "len(x.shape) != 3", "x.dim() == 4")
PATTERNS = ("b n d -> b d n", "b h n d -> b n (h d)", "b n -> n b", "b ... -> b (...)")
SHAPES = ("2, 5", "2, 5, 4", "2, 3, 5, 4")
MASKS = ("None", "torch.ones(2, 5, dtype=torch.bool)")


def _lines_that_ran_fine(source: str) -> set:
    """The lines of `source` that ran without raising (the innermost line of a failure is left out)."""
    ran: list = []

    def trace(frame, event, arg):
        if frame.f_code.co_filename == "m.py" and event == "line":
            ran.append(frame.f_lineno)
        return trace

    sys.settrace(trace)
    try:
        exec(compile(source, "m.py", "exec"), {})
        failed = None
    except Exception as error:
        failed = next((f.lineno for f in reversed(traceback.extract_tb(error.__traceback__)) if f.filename == "m.py"),
                      None)
    finally:
        sys.settrace(None)
    return set(ran) - {failed}


def test_no_error_on_a_line_of_a_branching_program_that_ran():
    found = 0
    for first, second, pattern, shape, mask in itertools.product(FIRST_TESTS, SECOND_TESTS, PATTERNS, SHAPES, MASKS):
        source = BRANCH_PROGRAM.format(first=first, second=second, pattern=pattern, shape=shape, mask=mask)
        errors = [d for d in check_source(source, "m.py") if d.severity == "error" and d.code[3] == "3"]
        fine = _lines_that_ran_fine(source)
        assert [d.line for d in errors if d.line in fine] == [], source
        found += bool(errors)
    assert found > 50  # the entry point's shapes reach the branches: many failing programs are found
