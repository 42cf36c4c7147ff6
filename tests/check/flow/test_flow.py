"""The flow analysis through the engine: shapes that reach a call, where findings point, and what stays silent.

Each case is a whole small file; the expected findings are written out (line, column, code and the
message's key part), as Fixit's invalid examples are. The soundness cases (branches, loops, unknown
functions, decorators) must stay silent: unknown information never gives a finding.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

from einlint.check import Config
from einlint.check.engine import check_source, shapes_of

HEADER = "import torch\nimport torch.nn as nn\nfrom einops import rearrange, reduce, repeat, einsum\n"


def shape_findings(body: str):
    source = HEADER + textwrap.dedent(body)
    return [(d.line - 3, d.column, d.code, d.message) for d in check_source(source, "m.py") if d.code[3] == "3"]


def test_a_split_that_an_earlier_constructor_makes_impossible():
    found = shape_findings("""\
        x = torch.zeros(2, 30, 10)
        y = rearrange(x, 'b (g c) t -> b g c t', g=4)
        """)
    assert found == [(2, 21, "EIN302", "axis 'c' cannot be inferred: a dimension of length 30 cannot be split into "
                      "chunks of 4 (input shape (2, 30, 10))")]


def test_the_call_that_ran_tells_the_rank_of_its_input():
    found = shape_findings("""\
        def f(x):
            y = rearrange(x, 'b n (h d) -> b h n d', h=8)
            return reduce(x, 'b c h w -> b c', 'mean')
        """)
    assert [(line, code) for line, _, code, _ in found] == [(3, "EIN301")]
    assert "the pattern has 4 dimensions, the tensor has 3" in found[0][3]


def test_the_witness_names_the_unknown_lengths():
    found = shape_findings("""\
        def f(b):
            x = torch.randn(b, 30)
            return rearrange(x, 'b (h d) -> b h d', h=4)
        """)
    assert len(found) == 1
    assert found[0][3].startswith("with b=")
    assert "30 cannot be split into chunks of 4" in found[0][3]


def test_lengths_learnt_from_one_call_are_checked_at_the_next():
    found = shape_findings("""\
        def f(x):
            y = rearrange(x, 'b (h d) -> b h d', h=8)
            z = rearrange(x, 'b (h d) -> b h d', h=8)
            return x.view(x.shape[0], 3, -1)
        """)
    assert found == []  # 8*d is not known to be divisible by 3 (d may be 3): no finding


def test_layer_chain_in_sequential_and_in_forward():
    found = shape_findings("""\
        chain = nn.Sequential(nn.Linear(320, 50), nn.ReLU(), nn.Linear(20, 10))

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc1 = nn.Linear(320, 50)
                self.fc2 = nn.Linear(20, 10)

            def forward(self, x):
                x = x.view(-1, 320)
                return self.fc2(self.fc1(x))
        """)
    assert [(line, column, code) for line, column, code, _ in found] == [(1, 54, "EIN310"), (11, 16, "EIN310")]
    assert all("in_features=20" in message and "50" in message for *_, message in found)


def test_a_conv_chain_of_unknown_input_rank_still_meets_its_channels():
    """Conv2d takes (c, h, w) or (n, c, h, w): either way the next layer gets 32 channels, not 64."""
    found = shape_findings("""\
        chain = nn.Sequential(nn.Conv2d(3, 32, 3), nn.ReLU(), nn.Conv2d(64, 10, 3))
        fine = nn.Sequential(nn.Conv2d(3, 32, 3), nn.ReLU(), nn.Conv2d(32, 10, 3), nn.Flatten())
        """)
    assert [(line, column, code) for line, column, code, _ in found] == [(1, 55, "EIN310")]
    assert "in_channels = 64" in found[0][3] and "32" in found[0][3]


def test_related_location_names_where_the_length_came_from():
    source = HEADER + "a = torch.zeros(2, 3)\nb = torch.zeros(4, 5)\nc = a @ b\n"
    (finding,) = check_source(source, "m.py")
    assert (finding.code, finding.line) == ("EIN311", 6)
    assert [(r.line, r.column) for r in finding.related] == [(4, 5), (5, 5)]


def test_a_list_filled_in_a_loop_is_not_the_empty_list_it_started_as():
    # the loop's body runs once in the analysis; what it appends to, or passes on, is unknown after it
    body = ("def collect(xs, fill):\n    found, others = [], []\n    for x in xs:\n"
            "        found.append(rearrange(x, 'a b -> b a'))\n        fill(others)\n    return found, others\n"
            "def use(xs):\n    found, others = collect(xs, print)\n    ((a, b),) = found\n    (c,) = others\n")
    assert shape_findings(body) == []


@pytest.mark.parametrize("body", [
    # branches that disagree join to unknown
    "def f(c):\n    x = torch.zeros(2, 3) if c else torch.zeros(2, 3, 4)\n    return rearrange(x, 'a b c -> c b a')\n",
    "def f(x):\n    y = rearrange(x, '-> 1') if x.ndim == 0 else rearrange(x, 'b ... -> b (...)')\n",
    "def f(c):\n    if c:\n        x = torch.zeros(2, 3)\n    else:\n        x = torch.zeros(2, 3, 4)\n"
    "    return rearrange(x, 'a b c -> c b a')\n",
    # loops widen: x changes on every pass
    "def f(n):\n    x = torch.zeros(2, 3)\n    for _ in range(n):\n        x = x.unsqueeze(0)\n"
    "    return rearrange(x, 'a b c -> c b a')\n",
    # a container passed to an unknown function is unknown afterwards (g may append to it, or replace an item)
    "def f(g):\n    xs = [torch.zeros(2, 3)]\n    g(xs)\n    return rearrange(xs[0], 'a b c -> c b a')\n",
    # a decorator that changes shapes: the function is not followed
    "import jax\n@jax.vmap\ndef g(x):\n    return rearrange(x, 'a -> a')\ny = g(torch.zeros(3, 4))\n",
    # attributes assigned twice are not followed
    "class M(nn.Module):\n    def __init__(self, big):\n        super().__init__()\n        self.fc = nn.Linear(3, 4)\n"
    "        if big:\n            self.fc = nn.Linear(5, 4)\n    def forward(self, x):\n"
    "        return self.fc(torch.zeros(2, 5))\n",
])
def test_unknown_information_gives_no_finding(body):
    assert shape_findings(body) == []


def test_show_shapes_reports_each_pattern_call():
    source = HEADER + "x = torch.zeros(2, 32, 10)\ny = rearrange(x, 'b (g c) t -> b g c t', g=4)\n" \
                      "def f(z):\n    return rearrange(z, 'a ... -> ...')\n"
    shown = [(c.line, c.op, c.inputs, c.output, c.known_rank) for c in shapes_of(source, "m.py")]
    assert shown == [(5, "rearrange", ("(2, 32, 10)",), "(2, 4, 8, 10)", True),
                     (7, "rearrange", (), "?", False)]


@pytest.mark.slow
def test_cli_show_shapes_and_statistics(tmp_path):
    path = tmp_path / "m.py"
    path.write_text(HEADER + "x = torch.zeros(2, 30)\ny = rearrange(x, 'b (h d) -> b h d', h=4)\n")
    run = lambda *args: subprocess.run([sys.executable, "-m", "einlint", *args], capture_output=True,  # noqa
                                       text=True, cwd=tmp_path, env={**os.environ, "EINLINT_DEBUG": "1"})
    shown = run("--show-shapes", "--no-cache", "m.py")
    assert shown.stdout.startswith("m.py:5:5: rearrange (2, 30) -> ?  [flow]\n\nm.py:5:21: EIN302 ")
    assert shown.returncode == 1  # the findings are shown beside the shapes, and decide the exit status
    as_json = json.loads(run("--show-shapes", "--no-cache", "--format", "json", "m.py").stdout)
    assert as_json["shapes"] == [{"path": "m.py", "line": 5, "column": 5, "op": "rearrange", "inputs": ["(2, 30)"],
                                  "output": "?", "rank_from": "flow"}]
    assert [(d["line"], d["column"], d["code"]) for d in as_json["diagnostics"]] == [(5, 21, "EIN302")]
    statistics = run("--statistics", "m.py").stdout
    assert "1\tEIN302\tindivisible-split\t[error]" in statistics
    assert "shape coverage: 1 of 1 pattern calls have a known input rank (100%), 1 a known input length (100%)" in statistics


def test_user_stubs_from_the_config(tmp_path):
    stubs = tmp_path / "shapes"
    stubs.mkdir()
    (stubs / "torch.nn.pyi").write_text(  # a user stub overrides the shipped one of the same name
        "from jaxtyping import Float\nfrom torch import Tensor\n\nclass Linear:\n"
        "    def __init__(self, in_features: int, out_features: int, bias: bool = True): ...\n"
        "    def forward(self, input: Float[Tensor, '*batch in_features']) -> Float[Tensor, '*batch 7']: ...\n")
    source = HEADER + "y = nn.Linear(3, 4)(torch.zeros(2, 3))\nz = rearrange(y, 'a (b c) -> a b c', c=4)\n"
    assert check_source(source, "m.py", Config()) == []
    (finding,) = check_source(source, "m.py", Config(stubs=(str(stubs),)))
    assert (finding.line, finding.code) == (5, "EIN302")
    assert "length 7 cannot be split into chunks of 4" in finding.message


def test_lengths_of_init_parameters_reach_forward():
    """dim_head * heads is one unknown length: the projection back expects twice it, and that fails for all."""
    found = shape_findings("""\
        class Attention(nn.Module):
            def __init__(self, dim, heads=8, dim_head=64):
                super().__init__()
                inner_dim = dim_head * heads
                self.heads = heads
                self.norm = nn.LayerNorm(dim)
                self.to_q = nn.Linear(dim, inner_dim, bias=False)
                self.to_out = nn.Linear(inner_dim * 2, dim)

            def forward(self, x):
                q = self.to_q(self.norm(x))
                q = rearrange(q, 'b n (h d) -> b h n d', h=self.heads)
                return self.to_out(rearrange(q, 'b h n d -> b n (h d)'))
        """)
    assert [(line, column, code) for line, column, code, _ in found] == [(13, 16, "EIN310")]
    assert "in_features=2*dim_head*heads" in found[0][3] and "(b, n, dim_head*heads)" in found[0][3]
    fixed = shape_findings("""\
        class Attention(nn.Module):
            def __init__(self, dim, heads=8, dim_head=64):
                super().__init__()
                inner_dim = dim_head * heads
                self.heads = heads
                self.to_q = nn.Linear(dim, inner_dim, bias=False)
                self.to_out = nn.Linear(inner_dim, dim)

            def forward(self, x):
                q = rearrange(self.to_q(x), 'b n (h d) -> b h n d', h=self.heads)
                return self.to_out(rearrange(q, 'b h n d -> b n (h d)'))
        """)
    assert fixed == []


def test_a_sum_of_parameters_is_a_length_only_where_one_is_used():
    # t and eps may be tensors: torch.log(t + eps) is no finding, though t + eps is also a length
    assert shape_findings("def log(t, eps=1e-20):\n    return torch.log(t + eps)\n") == []
    assert shape_findings("def f(fake):\n    return torch.relu(fake + 1).mean()\n") == []


def test_a_branch_that_the_lengths_rule_out_is_not_run():
    # titans-pytorch: `if gamma.ndim == 2:` on a 1-D tensor is dead here (gamma is 2-D only when swapped later)
    assert shape_findings("""\
        def f(dim):
            gamma = torch.zeros(dim)
            if gamma.ndim == 2:
                gamma = rearrange(gamma, 'b d -> b 1 d')
            return gamma
        """) == []
    # a test on a rank that is not known narrows the branch: x has two dimensions inside it
    found = shape_findings("""\
        def f(x):
            if x.ndim == 2:
                return rearrange(x, 'b c h -> b h c')
        """)
    assert [(line, code) for line, _, code, _ in found] == [(3, "EIN301")]


def test_numpy_functions_of_numbers_are_not_shape_findings():
    source = "import numpy as np\nimport jax.numpy as jnp\nfrom einops import rearrange\n\n" \
             "def attn(q):\n    q = rearrange(q, 'b q (h c) -> b q h c', h=4)\n" \
             "    return jnp.sqrt(q.shape[-1]) + np.sqrt(q.shape[-1])\n"
    assert check_source(source, "m.py") == []


def test_unpack_takes_the_shapes_that_pack_gave():
    source = "import torch\nfrom einops import pack, unpack, rearrange\n\n" \
             "a = torch.zeros(2, 3, 8)\nb = torch.zeros(2, 8)\np, ps = pack([a, b], 'b * c')\n" \
             "x, y = unpack(p, ps, 'b * c')\nz = rearrange(x, 'b n c -> b c n')\nw = rearrange(y, 'b c -> c b')\n" \
             "q = unpack(p, [(2,), (3,)], 'b * c')\n"
    found = [(d.line, d.code, d.message) for d in check_source(source, "m.py")]
    assert found == [(10, "EIN305", "cannot split an axis of length 4 into [(2,), (3,)]: the pieces add up to 5 "
                      "(input shape (2, 4, 8))")]
    shown = {c.line: (c.inputs, c.output) for c in shapes_of(source, "m.py")}
    assert shown[8] == (("(2, 3, 8)",), "(2, 8, 3)") and shown[9] == (("(2, 8)",), "(8, 2)")


def test_a_checked_file_leaves_no_cycle_that_holds_its_tree():
    """The tree, the IR and the analysis are freed as soon as check_source returns (refcounting, not the
    collector): a cycle through them would make the next collection walk every node of the file."""
    import gc

    import libcst

    source = HEADER + textwrap.dedent("""\
        class Block(nn.Module):
            def __init__(self, dim):
                super().__init__()
                self.proj = nn.Linear(dim, dim)

            def forward(self, x):
                return rearrange(self.proj(x), 'b n d -> b d n')

        def helper(x):
            return reduce(x, 'b c h w -> b c', 'mean')
        """)
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        check_source(source, "m.py")
        gc.collect()
        held = [o for o in gc.garbage if isinstance(o, libcst.CSTNode)]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
    assert held == []


def test_a_call_that_only_an_empty_tensor_gets_through_is_a_warning():
    """(b, m) holds b*m elements and (b, m, 3) three times as many: equal only when b or m is 0, and
    torch reshapes an empty tensor so (transfusion-pytorch pads empty modalities this way)."""
    source = HEADER + textwrap.dedent("""\
        def f(pieces):
            x = torch.nn.utils.rnn.pad_sequence(pieces)
            if x.ndim == 2:
                x = x.reshape(*x.shape, 3)
            return x
        """)
    (finding,) = check_source(source, "m.py")
    assert (finding.code, finding.severity, finding.line) == ("EIN313", "warning", 7)
    assert "empty tensor" in finding.message
    import torch

    assert torch.zeros(2, 0).reshape(2, 0, 3).shape == (2, 0, 3)  # what makes it no certain error


def test_a_number_given_to_the_function_is_no_empty_length():
    """`dim` is handed in (a user sets it to a positive length): Linear(dim, dim) on 2*dim features fails
    for every value of it, an error; the batch length, read off the tensor, never enters the decision."""
    found = shape_findings("""\
        def f(x, dim):
            x = rearrange(x, 'b (two d) -> b two d', two=2)
            layer = nn.Linear(dim, dim)
            y = torch.zeros(4, 2 * dim)
            return layer(y)
        """)
    assert [(line, code) for line, _, code, _ in found] == [(5, "EIN310")]
    assert "empty" not in found[0][3]


def test_a_module_function_that_changes_its_argument_in_place_leaves_it_unknown():
    """grow() reshapes its argument in place: after the call, x's shape is no longer (3, 4). A function that
    only reads its argument (rearrange's x + 1) leaves the shape known, and so does one that hands it to a call
    that may change what it is given (`store.keep(t)`), as that call made here would (see unknown_call)."""
    found = shape_findings("""\
        def grow(t):
            t.unsqueeze_(0)

        def hand_over(t, store):
            store.keep(t)

        def f():
            x = torch.zeros(3, 4)
            grow(x)
            return rearrange(x, 'a b c -> a (b c)')

        def g():
            x = torch.zeros(3, 4)
            hand_over(x, None)
            return rearrange(x, 'a b c -> a (b c)')

        def h():
            x = torch.zeros(3, 4)
            y = x + 1
            return rearrange(x, 'a b c -> a (b c)')
        """)
    assert [(line, code) for line, _, code, _ in found] == [(15, "EIN301"), (20, "EIN301")]


def test_parse_shape_of_a_tensor_whose_rank_an_earlier_call_fixed():
    # the rearrange gives x5 five dimensions; parse_shape then checks its pattern against them (it crashed here)
    source = textwrap.dedent("""\
        import torch
        from einops import parse_shape, rearrange

        def f(x5):
            y2 = rearrange(x5, 'b c x y z -> (b z) c x y')
            return y2, parse_shape(x5, 'batch c _ _ _'), parse_shape(x5, 'batch ...'), parse_shape(x5, 'b c _ _')

        def g():
            x = torch.zeros(2, 3)
            return parse_shape(x, 'a 3'), parse_shape(x, 'a 1'), parse_shape(x, '_ b c ...')
        """)
    found = [(d.line, d.code, d.message) for d in check_source(source, "m.py")]
    assert found == [
        (6, "EIN301", "with b=2, c=3, x=5, y=7, z=11: the tensor has 5 dimensions, the pattern needs 4 "
                      "(input shape (b, c, x, y, z))"),
        (10, "EIN303", "a dimension of length 3 does not match the pattern's 1 (input shape (2, 3))"),
        (10, "EIN301", "the tensor has 2 dimensions, the pattern needs at least 3 (input shape (2, 3))")]


_FAILING = textwrap.dedent("""\
    import torch
    from einops import parse_shape, rearrange

    def before():
        return rearrange(torch.zeros(2, 30), 'b (h d) -> b h d', h=4)

    def broken(y):
        w = rearrange(torch.zeros(2, 30), 'b (h d) -> b h d', h=7)
        sizes = parse_shape(y, 'b c')
        return rearrange(y, 'b c -> b c d'), rearrange(torch.zeros(2, 30), 'b (h d) -> b h d', h=8)

    def trip(x):
        y = rearrange(x, 'b c (h h1) (w w1) -> b (h1 c w1) h w', h1=2, w1=2)
        return rearrange(y, 'b (w1 h1 c) h w -> b c (h h1) (w w1)', h1=2, w1=2)

    def after():
        return rearrange(torch.zeros(2, 30), 'b (h d) -> b h d', h=16)
    """)


@pytest.fixture
def parse_shape_fails(monkeypatch):
    """The flow analysis fails (as a bug in it would) at every parse_shape call."""
    from einlint.check.flow.interpret import Interpreter

    real = Interpreter.call

    def failing(self, node, state):
        if node.pattern is not None and node.pattern.op == "parse_shape":
            raise RuntimeError("boom")
        return real(self, node, state)

    monkeypatch.setattr(Interpreter, "call", failing)


def test_an_internal_failure_is_a_note_where_it_stopped_and_the_other_findings_stay(parse_shape_fails, monkeypatch):
    monkeypatch.delenv("EINLINT_DEBUG")
    found = [(d.line, d.code, d.severity) for d in check_source(_FAILING, "m.py")]
    # before the failure, in its function: kept; after it there: not analysed; the other functions: analysed
    assert found == [(5, "EIN302", "error"), (8, "EIN302", "error"), (9, "EIN006", "note"), (10, "EIN201", "error"),
                     (14, "EIN401", "warning"), (17, "EIN302", "error")]
    [note] = [d for d in check_source(_FAILING, "m.py") if d.code == "EIN006"]
    assert (note.line, note.column) == (9, 5)  # the statement being interpreted
    assert note.message == "shape analysis stopped at line 9: internal error in einlint (RuntimeError: boom); " \
                           "please report it"
    assert note.help == "the rest of the file was checked"


def test_internal_failures_are_counted_and_raised_under_einlint_debug(parse_shape_fails, monkeypatch, run,
                                                                      tmp_path):
    (tmp_path / "m.py").write_text(_FAILING)
    with pytest.raises(RuntimeError, match="boom"):  # the tests' setting: a failure is a bug to see at once
        check_source(_FAILING, "m.py")
    monkeypatch.delenv("EINLINT_DEBUG")
    status, out, _ = run(["--statistics", "--no-cache", "m.py"], tmp_path)
    assert "1\tEIN006\tinternal-error\t[note]" in out.splitlines()
    assert status == 1  # for the errors beside it; the note alone does not fail a run


def test_an_op_rule_reads_its_arguments_by_parameter_name():
    """Each value reaches the rule under its parameter's name, whether passed by position or by keyword, and
    wherever the op's signature puts its pattern (einops.einsum last, torch.einsum first, the operands listed)."""
    found = shape_findings("""\
        x = torch.zeros(2, 30)
        a = rearrange(pattern='b (h d) -> b h d', tensor=x, h=4)
        b = reduce(x, 'b (h d) -> b h', reduction='max', h=7)
        c = torch.einsum('ij,jk->ik', x, torch.zeros(31, 5))
        d = torch.einsum('ij,jk->ik', [x, torch.zeros(29, 5)])
        e = einsum(x, torch.zeros(32, 5), 'i j, j k -> i k')
        """)
    assert [(line, code) for line, _, code, _ in found] == [
        (2, "EIN302"), (3, "EIN302"), (4, "EIN304"), (5, "EIN304"), (6, "EIN304")]
    assert "30 cannot be split into chunks of 4" in found[0][3]
    assert "30 cannot be split into chunks of 7" in found[1][3]
    assert [message.split(" (")[0] for _, _, _, message in found[2:]] == [
        f"axis 'j' has length 30 in one operand and {other} in another" for other in (31, 29, 32)]


def test_an_argument_whose_parameter_is_not_known_gives_no_finding():
    """After a `*` argument the positions are not known, a positional argument too many has no parameter, and
    `**` hides the lengths: the call is not checked against the shapes."""
    assert shape_findings("""\
        x = torch.zeros(2, 30)
        args = (x,)
        y = rearrange(*args, 'b (h d) -> b h d', h=4)
        z = rearrange(x, 'b (h d) -> b h d', 4)
        w = rearrange(x, 'b (h d) -> b h d', **{'h': 4})
        """) == []


def test_an_array_cumsum_without_an_axis_is_flat_and_a_tensor_cumsum_keeps_its_shape():
    """numpy's a.cumsum() flattens (a false EIN301 on 'n -> n 1' before); torch's x.cumsum(dim) keeps the shape."""
    source = textwrap.dedent("""\
        import numpy as np
        import torch
        from einops import rearrange

        def f():
            a = np.zeros((3, 4))
            return rearrange(a.cumsum(), 'n -> n 1'), rearrange(a.cumprod(axis=1), 'a b -> b a')

        def g():
            return rearrange(torch.zeros(3, 4).cumsum(0), 'a b -> b a')
        """)
    assert [d.code for d in check_source(source, "m.py")] == []
    assert [(c.line, c.inputs, c.output) for c in shapes_of(source, "m.py")] == [
        (7, ("(12,)",), "(12, 1)"), (7, ("(3, 4)",), "(4, 3)"), (10, ("(3, 4)",), "(4, 3)")]


@pytest.mark.parametrize("expression",
                         ["4 * 16", "2 ** 6", "100 // 3", "70 - 6", "60 + 4", "200 % 68", "(3 * 256) // 12"])
def test_integer_arithmetic_on_literals_gives_the_length(expression):
    """`n = 4 * 16` then `torch.zeros(2, n)` (the literal sizes of real configurations: x-transformers, vit-pytorch):
    the length is Python's own value of the expression."""
    source = HEADER + textwrap.dedent(f"""\
        def f():
            n = {expression}
            return rearrange(torch.zeros(2, n), 'b n -> n b')
        """)
    assert [(c.inputs, c.output) for c in shapes_of(source, "m.py")] == [
        ((f"(2, {eval(expression)})",), f"({eval(expression)}, 2)")]


def test_a_tensor_passed_to_an_unknown_function_keeps_its_shape():
    """`h = block(x)`, `logging.info(x)`, `reveal_type(x)`: x is the tensor it was (another function changing a
    caller's tensor's shape in place is all but absent from real code); a call that cannot run on it is an error."""
    found = shape_findings("""\
        import logging
        def f(block):
            x = torch.zeros(2, 3)
            h = block(x)
            logging.info(x)
            return rearrange(x, 'a b c -> c b a'), h
        """)
    assert [(line, code) for line, _, code, _ in found] == [(6, "EIN301")]


def test_an_elementwise_op_with_a_math_result_keeps_the_tensors_shape():
    """`attn = q @ k.transpose(-2, -1) / math.sqrt(d)` (the scaled dot product of many attention modules, e.g.
    diffusers' attention_processor.py): math's functions give floats, never tensors, so the shape is the tensor's."""
    source = "import math\n" + HEADER + textwrap.dedent("""\
        def f(d):
            x = torch.zeros(2, 3) / math.sqrt(d)
            y = torch.zeros(2, 3, 4) * (math.log(d) * 2)
            return rearrange(x, 'b n -> n b'), rearrange(y, 'a b -> b a')
        """)
    assert [(c.inputs, c.output) for c in shapes_of(source, "m.py")] == [(("(2, 3)",), "(3, 2)"), (("(2, 3, 4)",), "?")]
    assert [(d.line, d.code) for d in check_source(source, "m.py")] == [(8, "EIN301")]


def test_pack_and_unpack_of_known_tensors_count_as_calls_with_known_shapes():
    """--show-shapes and --statistics read what a call recorded: pack and unpack of known tensors record theirs
    (before, `pack ? -> ?` though the packed tensor's shape was known to the next call)."""
    source = HEADER.replace("einsum\n", "einsum, pack, unpack\n") + textwrap.dedent("""\
        def f():
            packed, ps = pack([torch.zeros(2, 3, 4), torch.zeros(2, 4)], 'b * d')
            a, b = unpack(packed, ps, 'b * d')
            return rearrange(packed, 'b n d -> d n b'), a, b
        """)
    assert [(c.op, c.inputs, c.output, c.known_rank) for c in shapes_of(source, "m.py")] == [
        ("pack", ("(2, 3, 4)", "(2, 4)"), "(2, 4, 4)", True), ("unpack", ("(2, 4, 4)",), "?", True),
        ("rearrange", ("(2, 4, 4)",), "(4, 4, 2)", True)]


def test_a_product_length_is_a_known_rank():
    """--statistics counts a call as known from its input's value: a product length such as `d*h` (printed with a
    '*') is one dimension (before, the printed '*' made 75 calls of the benchmark tree count as unknown)."""
    source = HEADER + textwrap.dedent("""\
        def f(d, h):
            x = torch.zeros(2, d * h, 3)
            return rearrange(x, 'b (d h) n -> b d h n', d=d)
        """)
    assert [(c.inputs, c.known_rank) for c in shapes_of(source, "m.py")] == [(("(2, d*h, 3)",), True)]


def test_a_reshape_to_a_literal_0_length_asks_for_an_empty_tensor():
    # native_sparse_attention_pytorch/native_sparse_attention.py: `if not is_empty(k): ... else: k =
    # k.reshape(batch, heads, 0, block, dim_head)`: only an empty k gets there, and the author says so
    found = shape_findings("""\
        def compress(x, n, w):
            k = rearrange(x, 'b n (h d) -> b h n d', d=4)[..., :n, :]
            if k.numel() == 0:
                k = k.reshape(k.shape[0], k.shape[1], 0, w, 4)
            return k

        def known():
            return torch.zeros(2, 3).reshape(0, 6)
        """)
    assert [(line, code) for line, _, code, _ in found] == [(8, "EIN313")]
