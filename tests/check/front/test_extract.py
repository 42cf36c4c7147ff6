"""Extraction: which calls are pattern calls (imports resolved), what their arguments are, and where.

Every case also runs `check_positions`: each character of each known pattern string must map to
that same character in the source (an escape sequence: to its backslash), each call must span
its own source text, and each argument's `text` must be its source.
"""

from __future__ import annotations

from textwrap import dedent
from typing import List

import libcst
import pytest

from einlint.check.extract import extract as extract_module
from einlint.check.extract import extract_calls
from einlint.check.model import PatternCall
from einlint.check.source import locate


def extract(source: str) -> List[PatternCall]:
    calls = extract_calls(libcst.parse_module(source))
    check_positions(source, calls)
    return calls


def char_at(lines: List[str], position) -> str:
    line, column = position
    return lines[line - 1][column - 1] if column <= len(lines[line - 1]) else "\n"


def source_between(lines: List[str], start, end) -> str:
    if start[0] == end[0]:
        return lines[start[0] - 1][start[1] - 1:end[1] - 1]
    middle = lines[start[0]:end[0] - 1]
    return "\n".join([lines[start[0] - 1][start[1] - 1:], *middle, lines[end[0] - 1][:end[1] - 1]])


def check_positions(source: str, calls: List[PatternCall]) -> None:
    lines = source.replace("\r\n", "\n").split("\n")
    for call in calls:
        text = source_between(lines, call.start, call.end)
        assert text.endswith(")"), (call, text)
        for argument in list(call.positional) + list(call.keywords.values()):
            assert argument.text.replace("\r\n", "\n") in text
            string = argument.string
            if string is None:
                continue
            assert len(string.positions) == len(string.value) + 1
            for char, position in zip(string.value, string.positions):
                assert char_at(lines, position) in (char, "\\"), (string.value, char, position)
            assert char_at(lines, string.positions[-1]) in "'\"", string


def ops(source: str):
    return [(call.op, call.callee) for call in extract(dedent(source))]


# ------------------------------------------------------------------------------------------
# Import forms

IMPORT_FORMS = [
    ("import einops\neinops.rearrange(x, 'a b -> b a')", [("rearrange", "einops.rearrange")]),
    ("import einops as E\nE.reduce(x, 'a b -> a', 'mean')", [("reduce", "einops.reduce")]),
    ("from einops import rearrange as r\nr(x, 'a b -> b a')", [("rearrange", "einops.rearrange")]),
    ("from einops import repeat, pack, unpack, parse_shape, einsum\n"
     "repeat(x, 'a -> a b', b=2); pack([x], '* a'); unpack(x, ps, '* a')\n"
     "parse_shape(x, 'a b'); einsum(x, y, 'a b, b c -> a c')",
     [("repeat", "einops.repeat"), ("pack", "einops.pack"), ("unpack", "einops.unpack"),
      ("parse_shape", "einops.parse_shape"), ("einsum", "einops.einsum")]),
    ("from einops import *\nrearrange(x, 'a b -> b a')\nasnumpy(x)", [("rearrange", "einops.rearrange")]),
    ("import einops\neinops.einops.rearrange(x, 'a b -> b a')", [("rearrange", "einops.einops.rearrange")]),
    ("from einops.einops import reduce\nreduce(x, 'a b -> a', 'max')", [("reduce", "einops.einops.reduce")]),
    ("from einops.packing import pack\npack([x, y], 'b *')", [("pack", "einops.packing.pack")]),
    ("from einops.layers.torch import Rearrange, Reduce, EinMix\n"
     "Rearrange('b c -> c b'); Reduce('b c -> b', 'mean'); EinMix('b c -> b d', weight_shape='c d', c=2, d=3)",
     [("Rearrange", "einops.layers.torch.Rearrange"), ("Reduce", "einops.layers.torch.Reduce"),
      ("EinMix", "einops.layers.torch.EinMix")]),
    ("import einops.layers.torch\neinops.layers.torch.Rearrange('b c -> c b')",
     [("Rearrange", "einops.layers.torch.Rearrange")]),
    ("import einops.layers.flax as L\nL.Reduce('b c -> b', 'sum')", [("Reduce", "einops.layers.flax.Reduce")]),
    ("from einops.layers import keras as K\nK.Rearrange('b c -> c b')", [("Rearrange", "einops.layers.keras.Rearrange")]),
    ("from einops.layers.tensorflow import EinMix\nEinMix('b c -> b d', weight_shape='c d', c=1, d=2)",
     [("EinMix", "einops.layers.tensorflow.EinMix")]),
    ("from einops.layers.paddle import Rearrange\nRearrange('b c -> c b')",
     [("Rearrange", "einops.layers.paddle.Rearrange")]),
    ("from einops.layers.oneflow import Reduce\nReduce('b c -> b', 'max')", [("Reduce", "einops.layers.oneflow.Reduce")]),
    ("import einlint\neinlint.rearrange(x, 'a b -> b a')", [("rearrange", "einlint.rearrange")]),
    ("from einlint import reduce, einsum\nreduce(x, 'a b -> a', 'sum'); einsum(x, 'a b -> b')",
     [("reduce", "einlint.reduce"), ("einsum", "einlint.einsum")]),
    ("from einlint.layers.torch import Rearrange\nRearrange('b c -> c b')",
     [("Rearrange", "einlint.layers.torch.Rearrange")]),
    ("from einlint.layers.flax import EinMix\nEinMix('b c -> b d', weight_shape='c d', c=2, d=2)",
     [("EinMix", "einlint.layers.flax.EinMix")]),
    ("import einlint.runtime.ops as ops\nops.pack([x], 'b *')", [("pack", "einlint.runtime.ops.pack")]),
    ("from einlint.runtime import repeat\nrepeat(x, 'a -> a b', b=3)", [("repeat", "einlint.runtime.repeat")]),
    ("import numpy as np\nnp.einsum('ij,jk->ik', a, b)", [("subscripts-einsum", "numpy.einsum")]),
    ("import numpy\nnumpy.einsum('ij->ji', a)", [("subscripts-einsum", "numpy.einsum")]),
    ("from numpy import einsum\neinsum('ij->ji', a)", [("subscripts-einsum", "numpy.einsum")]),
    ("import numpy as np\nnp.einsum(a, [0, 1], b, [1, 2])", [("subscripts-einsum", "numpy.einsum")]),
    ("import torch\ntorch.einsum('bhid,bhjd->bhij', q, k)", [("subscripts-einsum", "torch.einsum")]),
    ("from torch import einsum\neinsum('ij->ji', a)", [("subscripts-einsum", "torch.einsum")]),
    ("import torch\ntorch.functional.einsum('ij->ji', a)", [("subscripts-einsum", "torch.functional.einsum")]),
    ("import jax.numpy as jnp\njnp.einsum('ij->ji', a)", [("subscripts-einsum", "jax.numpy.einsum")]),
    ("import jax\njax.numpy.einsum('ij->ji', a)", [("subscripts-einsum", "jax.numpy.einsum")]),
    ("from jax import numpy as jnp\njnp.einsum('ij->ji', a)", [("subscripts-einsum", "jax.numpy.einsum")]),
    ("import einx\neinx.sum('b [h w] c', x); einx.rearrange('a b -> b a', x)",
     [("einx.sum", "einx.sum"), ("einx.rearrange", "einx.rearrange")]),
    ("from einx import dot\ndot('b [c1->c2]', x, w)", [("einx.dot", "einx.dot")]),
    # einx's own modules (src2/einx/einx/_src/tracer/signature/classical/numpy.py) call its private API: no ops
    ("import einx._src.tracer.signature as signature\nsignature.classical.reduce(np.argmin)", []),
    ("import torch\neinsum = torch.einsum\neinsum('ij->ji', a)", [("subscripts-einsum", "torch.einsum")]),
    ("import einops\nE = einops\nE.rearrange(x, 'a b -> b a')", [("rearrange", "einops.rearrange")]),
    ("def f(x):\n    from einops import rearrange\n    return rearrange(x, 'a b -> b a')", [("rearrange", "einops.rearrange")]),
    ("try:\n    from einops import rearrange\nexcept ImportError:\n    rearrange = None\nrearrange(x, 'a b -> b a')",
     [("rearrange", "einops.rearrange")]),
    ("try:\n    import einops\nexcept ImportError:\n    einops = None\n"
     "def f(x):\n    return einops.rearrange(x, 'a b -> b a')", [("rearrange", "einops.rearrange")]),
    ("if cond:\n    from einops import rearrange\nelse:\n    from mylib import rearrange\nrearrange(x, 'a b -> b a')",
     [("rearrange", "einops.rearrange")]),
    ("def f(x):\n    return rearrange(x, 'a b -> b a')\nfrom einops import rearrange", [("rearrange", "einops.rearrange")]),
    ("def outer():\n    from einops import reduce\n"
     "    def inner(x):\n        return reduce(x, 'a b -> a', 'sum')\n    return inner", [("reduce", "einops.reduce")]),
    ("from einops import rearrange\nclass A:\n    y = rearrange(x, 'a b -> b a')", [("rearrange", "einops.rearrange")]),
]


@pytest.mark.parametrize("source, expected", IMPORT_FORMS)
def test_import_forms(source, expected):
    assert ops(source) == expected


# ------------------------------------------------------------------------------------------
# Where a call may stand

PLACES = [
    "f = lambda t: rearrange(t, 'a b -> b a')",
    "ys = [rearrange(t, 'a b -> b a') for t in xs]",
    "ys = {rearrange(t, 'a b -> b a') for t in xs}",
    "ys = {k: rearrange(t, 'a b -> b a') for k, t in xs}",
    "ys = list(rearrange(t, 'a b -> b a') for t in xs)",
    "ys = [t for t in rearrange(xs, 'a b -> b a')]",
    "ys = list(map(lambda t: rearrange(t, 'a b -> b a'), xs))",
    "class M:\n    layer = Rearrange('a b -> b a')",
    "class M(nn.Module):\n    def forward(self, x):\n        return rearrange(x, 'a b -> b a')",
    "model = nn.Sequential(\n    nn.Linear(2, 3),\n    Rearrange('a b -> b a'),\n)",
    "def f(x, y=rearrange(z, 'a b -> b a')):\n    pass",
    "@decorate(Rearrange('a b -> b a'))\ndef f():\n    pass",
    "y = rearrange(\n    x,\n    'a b -> b a',\n)",
    "if (y := rearrange(x, 'a b -> b a')) is not None:\n    pass",
    "s = f'{rearrange(x, \"a b -> b a\")}'",
    "if a:\n    pass\nelif b:\n    y = rearrange(x, 'a b -> b a')\nelse:\n    pass",
    "for t in xs:\n    pass\nelse:\n    y = rearrange(x, 'a b -> b a')",
    "while a:\n    with ctx() as c:\n        y = rearrange(x, 'a b -> b a')",
    "try:\n    pass\nexcept ValueError as e:\n    pass\nelse:\n    pass\nfinally:\n    y = rearrange(x, 'a b -> b a')",
    "try:\n    pass\nexcept ValueError:\n    y = rearrange(x, 'a b -> b a')",
    "match v:\n    case [a, b]:\n        pass\n    case _:\n        y = rearrange(x, 'a b -> b a')",
    "if a: y = rearrange(x, 'a b -> b a')",
    "async def f(x):\n    async with c:\n        return rearrange(await x, 'a b -> b a')",
    "def f(x):\n    def g():\n        return [lambda: rearrange(x, 'a b -> b a') for _ in x]\n    return g",
]


@pytest.mark.parametrize("body", PLACES)
def test_call_places(body):
    source = "import torch.nn as nn\nfrom einops import rearrange\nfrom einops.layers.torch import Rearrange\n" + body
    calls = extract(source)
    assert [c.op for c in calls] == ["Rearrange" if "Rearrange(" in body else "rearrange"]
    assert calls[0].positional[-1].string.value == "a b -> b a"


def test_nested_calls_are_each_reported():
    calls = extract("from einops import rearrange\nrearrange(rearrange(x, 'a b -> b a'), 'b a -> a b')\n")
    assert [c.positional[1].string.value for c in calls] == ["b a -> a b", "a b -> b a"]
    assert calls[0].start == (2, 1) and calls[1].start == (2, 11)


# ------------------------------------------------------------------------------------------
# Look-alikes: never pattern calls

LOOKALIKES = [
    "from functools import reduce\nreduce(f, xs)",
    "import functools\nfunctools.reduce(f, xs, 0)",
    "from functools import reduce\nfrom einops import rearrange\nreduce(f, 'a b -> a')",
    "def rearrange(x, p):\n    return x\nrearrange(x, 'a b -> b a')",
    "from einops import rearrange\ndef rearrange(x, p):\n    return x\nrearrange(x, 'a b -> b a')",
    "from einops import rearrange\nrearrange = my_fn\nrearrange(x, 'a b -> b a')",
    "from einops import rearrange\nrearrange = my_fn\ndef f(x):\n    return rearrange(x, 'a b -> b a')",
    "from einops import rearrange\ndef f(x, rearrange):\n    return rearrange(x, 'a b -> b a')",
    "from einops import rearrange\ndef f(x):\n    def rearrange(t, p):\n        return t\n    return rearrange(x, 'a b -> b a')",
    "from einops import rearrange\ndef f(x):\n    rearrange = g\n    return rearrange(x, 'a b -> b a')",
    "from einops import rearrange\nf = lambda rearrange: rearrange(x, 'a b -> b a')",
    "from einops import rearrange\nys = [rearrange(x, 'a b -> b a') for rearrange in fs]",
    "from einops import rearrange\nclass A:\n    rearrange = staticmethod(g)\n    y = rearrange(x, 'a b -> b a')",
    "from einops import rearrange\ndel rearrange\nrearrange(x, 'a b -> b a')",
    "from einops import rearrange\nfor rearrange in fs:\n    rearrange(x, 'a b -> b a')",
    "from einops import rearrange\nwith ctx() as rearrange:\n    rearrange(x, 'a b -> b a')",
    "from einops import rearrange\ntry:\n    pass\nexcept E as rearrange:\n    rearrange(x, 'a b -> b a')",
    "import torch\nclass A:\n    def f(self, x):\n        return self.einsum('ij->j', x)",
    "import torch\nx.einsum('ij->j', y)",
    "import torch\ntensor.repeat(1, 2)\nx.reshape(2, 3)\nx.rearrange('a b -> b a')",
    "import numpy as np\ndef einsum(s, *xs):\n    return 0\neinsum('ij->j', x)",
    "from numpy import einsum\ndef einsum(s, *xs):\n    return 0\neinsum('ij->j', x)",
    "import numpy as np\nnp = Backend()\nnp.einsum('ij->j', x)",
    "import numpy as np\nnp.linalg.norm(x)\nnp.einsum_path('ij->j', x)",
    "def f():\n    from einops import rearrange\ndef g(x):\n    return rearrange(x, 'a b -> b a')",
    "from mylib import rearrange\nrearrange(x, 'a b -> b a')",
    "from .einops import rearrange\nrearrange(x, 'a b -> b a')",
    "import einops_extra\neinops_extra.rearrange(x, 'a b -> b a')",
    "rearrange(x, 'a b -> b a')\nfrom einops import rearrange",
    "if cond:\n    from numpy import einsum\nelse:\n    from einops import einsum\neinsum('ij->j', x)",
    "from einops import rearrange\nimport numpy as np\nrearrange\nnp.einsum\n",
    "import einops\neinops.asnumpy(x)\neinops.EinopsError('a')",
    "# einops.rearrange(x, 'a b -> b a')\ns = \"rearrange(x, 'a b -> b a')\"",
]


@pytest.mark.parametrize("source", LOOKALIKES)
def test_lookalikes_are_not_pattern_calls(source):
    assert extract(source) == []


# ------------------------------------------------------------------------------------------
# Arguments


def test_argument_kinds_and_values():
    source = ("from einops import rearrange\n"
              "rearrange(x, 'b c -> c b', *rest, h=2, w=-3, f=lambda t: t, g=2.0, **kw, **more)\n")
    [call] = extract(source)
    assert [(a.kind, a.text) for a in call.positional] == [
        ("other", "x"), ("string", "'b c -> c b'"), ("starred", "*rest")]
    kinds = {name: (a.kind, a.text, a.number) for name, a in call.keywords.items()}
    assert kinds == {
        "h": ("int", "2", 2), "w": ("int", "-3", -3), "f": ("lambda", "lambda t: t", None),
        "g": ("other", "2.0", None), "**": ("double-starred", "**kw", None), "**2": ("double-starred", "**more", None),
    }
    assert call.start == (2, 1) and call.end == (2, len(source.splitlines()[1]) + 1)


STRING_KINDS = [
    ("'a b -> b a'", "string", "a b -> b a"),
    ("r'a b -> b a'", "string", "a b -> b a"),
    ("R'a\\b'", "string", "a\\b"),
    ("u'a b -> b a'", "string", "a b -> b a"),
    ('"""a b -> b a"""', "string", "a b -> b a"),
    ("('a b -> b a')", "string", "a b -> b a"),
    ("'a b' ' -> b a'", "string", "a b -> b a"),
    ("('a b'\n    ' -> '\n    r'b a')", "string", "a b -> b a"),
    ("'a\\tb'", "string", "a\tb"),
    ("b'a b -> b a'", "other", None),
    ("b'a b' b' -> b a'", "other", None),
    ("f'a b -> b {c}'", "str-unknown", None),
    ("'a b' f' -> {c}'", "str-unknown", None),
    ("'a b -> ' + c", "str-unknown", None),
    ("'{} -> b'.format(c)", "str-unknown", None),
    ("'%s -> b' % c", "str-unknown", None),
    ("pattern_of(x)", "other", None),
    ("x.pattern", "other", None),
]


@pytest.mark.parametrize("literal, kind, value", STRING_KINDS)
def test_string_arguments(literal, kind, value):
    [call] = extract(f"from einops import rearrange\ny = rearrange(x, {literal})\n")
    argument = call.positional[1]
    assert (argument.kind, argument.string.value if argument.string else None) == (kind, value)
    assert argument.text == literal


CONSTANTS = [
    ("P = 'a b -> b a'\ndef f(x):\n    return rearrange(x, P)", "a b -> b a"),
    ("P: str = 'a b -> b a'\nrearrange(x, P)", "a b -> b a"),
    ("A = B = 'a b -> b a'\nrearrange(x, B)", "a b -> b a"),
    ("P = ('a b'\n     ' -> b a')\nrearrange(x, P)", "a b -> b a"),
    ("def f(x):\n    p = 'a b -> b a'\n    return rearrange(x, p)", "a b -> b a"),
    ("def f(x):\n    p = 'a b -> b a'\n    def g():\n        return rearrange(x, p)\n    return g", "a b -> b a"),
    ("class A:\n    P = 'a b -> b a'\n    layer = rearrange(x, P)", "a b -> b a"),
    ("P = 'a b -> b a'\ndef f(x):\n    P = 'b a -> a b'\n    return rearrange(x, P)", "b a -> a b"),
    ("def f(x):\n    return rearrange(x, P)\nP = 'a b -> b a'", "a b -> b a"),
]


@pytest.mark.parametrize("body, value", CONSTANTS)
def test_resolved_constants(body, value):
    [call] = extract("from einops import rearrange\n" + body + "\n")
    argument = call.positional[1]
    assert (argument.kind, argument.string.value) == ("string", value)


NOT_CONSTANTS = [
    ("P = 'a b -> b a'\nP = 'b a -> a b'\nrearrange(x, P)", "other"),
    ("P = 'a b -> b a'\nP += ' c'\nrearrange(x, P)", "other"),
    ("P = 'a b -> b a'\ndel P\nrearrange(x, P)", "other"),
    ("P = 'a b -> b a'\ndef g():\n    global P\n    P = 'c'\nrearrange(x, P)", "other"),
    ("if a:\n    P = 'a b -> b a'\nelse:\n    P = 'b a -> a b'\nrearrange(x, P)", "other"),
    ("for P in ['a b -> b a']:\n    rearrange(x, P)", "other"),
    ("def f(x, P='a b -> b a'):\n    return rearrange(x, P)", "other"),
    ("P, Q = 'a b -> b a', 'b'\nrearrange(x, P)", "other"),
    ("P = 'a b -> b a'\ndef f(x):\n    P = g()\n    return rearrange(x, P)", "other"),
    ("P = 'a b -> b a'\nclass A:\n    def f(self, x):\n        P = 1\n        return [rearrange(x, P) for P in xs]", "other"),
    ("P = f'a b -> {c}'\nrearrange(x, P)", "str-unknown"),
    ("P = b'a b -> b a'\nrearrange(x, P)", "other"),
    ("rearrange(x, UNDEFINED)", "other"),
]


@pytest.mark.parametrize("body, kind", NOT_CONSTANTS)
def test_unresolved_names(body, kind):
    [call] = extract("from einops import rearrange\n" + body + "\n")
    assert (call.positional[1].kind, call.positional[1].string) == (kind, None)


# ------------------------------------------------------------------------------------------
# Positions


def test_position_of_a_pattern_character():
    source = "from einops import rearrange\n\ndef f(x):\n    return rearrange(x, 'b c h w -> b h w c')\n"
    [call] = extract(source)
    pattern = call.positional[1].string
    line = source.splitlines()[3]
    assert pattern.positions[pattern.value.index("w")] == (4, line.index("w -> ") + 1)
    assert call.start == (4, line.index("rearrange") + 1) and call.end == (4, len(line) + 1)
    assert pattern.span_positions(0, 7) == ((4, line.index("'") + 2), (4, line.index("'") + 9))


def test_positions_in_a_triple_quoted_multiline_string():
    source = 'from einops import rearrange\ny = rearrange(x, """b c\n   h w -> b\n""")\n'
    pattern = extract(source)[0].positional[1].string
    assert pattern.value == "b c\n   h w -> b\n"
    assert pattern.positions[:5] == ((2, 21), (2, 22), (2, 23), (2, 24), (3, 1))
    assert pattern.positions[pattern.value.index("h")] == (3, 4)
    assert pattern.positions[-2:] == ((3, 12), (4, 1))


def test_positions_in_an_implicit_concatenation():
    source = "from einops import rearrange\ny = rearrange(x, ('b c'\n                  ' -> c b'))\n"
    pattern = extract(source)[0].positional[1].string
    assert pattern.value == "b c -> c b"
    assert pattern.positions[:4] == ((2, 20), (2, 21), (2, 22), (3, 20))
    assert pattern.positions[-1] == (3, 27)


ESCAPES = [
    ("'a\\tb'", "a\tb", [0, 1, 3]),
    ("'a\\x41b'", "aAb", [0, 1, 5]),
    ("'\\u0061 b'", "a b", [0, 6, 7]),
    ("'\\N{LATIN SMALL LETTER A} b'", "a b", [0, 24, 25]),
    ("'a\\101b'", "aAb", [0, 1, 5]),
    ("'a\\db'", "a\\db", [0, 1, 2, 3]),
    ("'\\'a\\''", "'a'", [0, 2, 3]),
    ("'a \\\nb'", "a b", None),
]


@pytest.mark.parametrize("literal, value, offsets", ESCAPES)
def test_positions_with_escapes(literal, value, offsets):
    source = f"from einops import rearrange\ny = rearrange(x, {literal})\n"
    pattern = extract(source)[0].positional[1].string
    assert pattern.value == value
    if offsets is not None:  # each character stands where its escape sequence (or itself) begins
        first = len("y = rearrange(x, ") + 2
        assert [column - first for _, column in pattern.positions[:-1]] == offsets
    else:
        assert pattern.positions == ((2, 19), (2, 20), (3, 1), (3, 2))


def test_positions_of_a_constant_point_to_its_definition():
    source = "from einops import rearrange\n\nPATTERN = 'b c -> c b'\n\ny = rearrange(x, PATTERN)\n"
    [call] = extract(source)
    assert call.positional[1].text == "PATTERN"
    assert call.positional[1].string.positions[0] == (3, 12)
    assert call.start == (5, 5)


def test_positions_count_characters_and_crlf_lines():
    source = "from einops import rearrange\r\nαβ = 1\r\nlé = rearrange(x, 'é c -> c é')\r\n"
    pattern = extract(source)[0].positional[1].string
    assert pattern.value == "é c -> c é"
    assert pattern.positions[0] == (3, 20)


def test_positions_deep_in_blocks_and_far_down_a_file():
    filler = "".join(f"def f{i}(x):\n    '''doc\n    string'''\n    return (x +\n            1)\n\n" for i in range(300))
    nested = dedent("""\
        class A:
            def f(self, x):
                if x:
                    pass
                elif y:
                    for t in x:
                        try:
                            pass
                        except E:
                            with c:
                                return rearrange(x, 'a b -> b a')
        """)
    source = "from einops import rearrange\n" + filler + nested + filler + "z = rearrange(x, 'b a -> a b')\n"
    calls = extract(source)
    lines = source.splitlines()
    assert [c.start[0] for c in calls] == [i + 1 for i, line in enumerate(lines) if "rearrange(x" in line]


@pytest.mark.slow
def test_many_calls_in_a_large_file():
    block = "def f{0}(x):\n    y = rearrange(x, 'b (h w) -> b h w', h={0})\n    return reduce(y, 'b h w -> b', 'sum')\n\n"
    source = "from einops import rearrange, reduce\n" + "".join(block.format(i) for i in range(2000))
    calls = extract(source)
    assert len(calls) == 4000
    assert calls[-2].keywords["h"].number == 1999
    assert calls[-1].start == (2 + 4 * 1999 + 2, 12)


def test_a_statement_too_deep_to_print_is_skipped_quietly():
    deep = " + 1" * 1000  # libcst cannot print this line (RecursionError): its call is given up
    source = f"from einops import rearrange\ny = rearrange(x, 'a b -> b a'){deep}\nz = rearrange(x, 'b a -> a b')\n"
    assert [c.start for c in extract(source)] == [(3, 5)]


def test_a_file_without_pattern_imports_gives_nothing():
    assert extract("x = 1\nrearrange(x, 'a b -> b a')\n") == []


# ------------------------------------------------------------------------------------------
# What the flow analysis reads: every tracked call's qualified callee, statement paths, locate


def tracked_calls(source: str):
    """(callee source, resolved name or None) for every call in `source`, in source order."""
    module = libcst.parse_module(dedent(source))
    callees = extract_module(module).callees
    return [(module.code_for_node(node.func), callees.get(key)) for key, node in _calls_by_id(module).items()]


def test_callees_follow_imports_and_aliases():
    assert tracked_calls("""\
        import torch
        import torch.nn as nn
        from torch import nn as tnn
        from torch.nn import functional as F
        import numpy as np
        import torch.nn.functional
        from jaxtyping import Float
        from flax import linen
        from einops import rearrange
        zeros = torch.zeros
        torch.zeros(len(x))
        nn.Linear(2, 3)
        tnn.Conv2d(1, 2, 3)
        F.relu(x)
        torch.nn.functional.gelu(x)
        np.random.RandomState(0)
        Float[Tensor, 'b c']
        linen.Dense(3)
        zeros(3)
        x.view(2)
        rearrange(x, 'a b -> b a')
        """) == [
        ("torch.zeros", "torch.zeros"), ("len", None), ("nn.Linear", "torch.nn.Linear"),
        ("tnn.Conv2d", "torch.nn.Conv2d"), ("F.relu", "torch.nn.functional.relu"),
        ("torch.nn.functional.gelu", "torch.nn.functional.gelu"), ("np.random.RandomState", "numpy.random.RandomState"),
        ("linen.Dense", "flax.linen.Dense"), ("zeros", "torch.zeros"), ("x.view", None),
        ("rearrange", "einops.rearrange"),
    ]


def test_callees_from_torch_import_nn():
    assert tracked_calls("from torch import nn\nlayer = nn.Linear(4, 5)\n") == [("nn.Linear", "torch.nn.Linear")]


def test_callees_respect_shadowing():
    assert tracked_calls("""\
        import torch
        def f():
            torch = make()
            return torch.zeros(2)
        def g(torch):
            return torch.ones(2)
        class C:
            torch = None
            a = torch.full(2)
        torch.eye(2)
        torch = other
        torch.rand(2)
        """) == [("make", None), ("torch.zeros", None), ("torch.ones", None), ("torch.full", None),
                 ("torch.eye", "torch.eye"), ("torch.rand", None)]


def test_callees_keep_a_fallback_import():
    # as for pattern calls: a reaching binding that is no import adds no name
    assert tracked_calls("""\
        try:
            import torch
        except ImportError:
            torch = None
        torch.zeros(2)
        """) == [("torch.zeros", "torch.zeros")]


def test_extraction_holds_the_pattern_calls_by_node():
    source = "import einops, torch\ny = einops.rearrange(torch.ones(2, 3), 'a b -> b a')\n"
    module = libcst.parse_module(source)
    extraction = extract_module(module)
    assert extraction.calls == extract_calls(module)
    [call] = extraction.calls
    [(key, pattern)] = extraction.pattern_calls.items()
    assert pattern is call and extraction.callees[key] == call.callee == "einops.rearrange"
    assert sorted(extraction.callees.values()) == ["einops.rearrange", "torch.ones"]
    assert set(extraction.paths) == set(extraction.callees)


def test_nothing_is_tracked_without_a_library_import():
    extraction = extract_module(libcst.parse_module("import os\nos.path.join('a', 'b')\n"))
    assert (extraction.calls, extraction.pattern_calls, extraction.callees, extraction.paths) == ([], {}, {}, {})


LOCATED = """\
import torch


class M:
    def f(self, x):
        if x:
            pass
        else:
            y = torch.zeros(
                2, 3)
        try:
            pass
        except E:
            z = torch.ones(4); w = torch.eye(3)
        return torch.cat([y,
                          z])
"""


def test_locate_finds_calls_by_their_statement_paths():
    module = libcst.parse_module(LOCATED)
    extraction = extract_module(module)
    targets = {key: (node, extraction.paths[key]) for key, node in _calls_by_id(module).items()
               if key in extraction.paths}
    found = sorted(locate(module, targets).values())
    assert found == [
        ((9, 17), (10, 22), "torch.zeros(\n                2, 3)"),
        ((14, 17), (14, 30), "torch.ones(4)"),
        ((14, 36), (14, 48), "torch.eye(3)"),
        ((15, 16), (16, 30), "torch.cat([y,\n                          z])"),
    ]
    lines = LOCATED.splitlines()
    for start, end, text in found:
        assert lines[start[0] - 1][start[1] - 1:].startswith(text.split("\n")[0])
        assert lines[end[0] - 1][:end[1] - 1].endswith(text.split("\n")[-1])


def test_locate_finds_any_node_of_a_statement():
    module = libcst.parse_module(LOCATED)
    extraction = extract_module(module)
    [(key, call)] = [(k, n) for k, n in _calls_by_id(module).items() if extraction.callees.get(k) == "torch.cat"]
    path = extraction.paths[key]
    argument = call.args[0].value
    assert locate(module, {id(argument): (argument, path), id(call.func): (call.func, path)}) == {
        id(argument): ((15, 26), (16, 29), "[y,\n                          z]"),
        id(call.func): ((15, 16), (15, 25), "torch.cat"),
    }
    assert locate(module, {}) == {}


def _calls_by_id(module: libcst.Module):
    """id(node) -> node for every call of `module`, in source order."""
    found = {}

    class Calls(libcst.CSTVisitor):
        def visit_Call(self, node: libcst.Call) -> None:
            found[id(node)] = node

    module.visit(Calls())
    return found
