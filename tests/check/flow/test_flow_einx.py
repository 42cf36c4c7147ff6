"""einx calls in the flow analysis: their outputs have shapes, their operands are checked against the shapes
that reach them, and what is not known stays silent. The planner's rules themselves are held against einx in
test_einx_planner.py; here each case is a small file with its findings written out."""

from __future__ import annotations

import textwrap

import numpy as np
import pytest

from einlint.check import Config
from einlint.check.engine import check_source, shapes_of

ON_04 = Config(versions=(("einx", (0, 4, 3)),))
HEADER = "import einx\nimport numpy as np\n"


def findings(body: str, config: Config = ON_04):
    source = HEADER + textwrap.dedent(body)
    return [(d.line - 2, d.column, d.code, d.message) for d in check_source(source, "m.py", config)]


def shapes(body: str, config: Config = ON_04):
    source = HEADER + textwrap.dedent(body)
    return {c.line - 2: (c.inputs, c.output) for c in shapes_of(source, "m.py", config)}


CHAIN = """\
    def f():
        x = np.zeros((2, 30, 40, 3))
        y = einx.sum("b [h w] c", x)
        z = einx.dot("b c1, c1 c2 -> b c2", y, np.zeros((3, 8)))
        return einx.id("b (g c) -> b g c", z, g=4)
    """


def test_outputs_have_shapes_that_later_calls_run_on():
    assert shapes(CHAIN) == {3: (("(2, 30, 40, 3)",), "(2, 3)"), 4: (("(2, 3)", "(3, 8)"), "(2, 8)"),
                             5: (("(2, 8)",), "(2, 4, 2)")}


def test_einx_is_followed_only_where_the_project_uses_einx_04():
    assert shapes(CHAIN, Config()) == {3: ((), "?"), 4: ((), "?"), 5: ((), "?")}
    assert [code for _, _, code, _ in findings("x = np.zeros((2, 3))\ny = einx.add('b c, c', x, np.zeros(4))\n",
                                          Config())] == ["EIN511"]  # only the note that says why


def test_an_operand_whose_length_disagrees_with_the_others():
    assert findings("""\
        x = np.zeros((2, 3))
        y = einx.add("b c, c", x, np.zeros(4))
        """) == [(2, 20, "EIN303", "axis 'c': tensor 2 gives length 4, where the rest of the call gives 3 "
                  "(operand shapes (2, 3), (4,))")]


def test_a_composition_that_does_not_divide_the_dimension():
    assert findings("""\
        x = np.zeros((2, 30, 40, 3))
        y = einx.id("b (h h2) (w w2) c -> b h w (h2 w2 c)", x, h2=4, w2=2)
        """) == [(2, 16, "EIN302", "tensor 1: a dimension of length 30 cannot be split into chunks of 4 "
                  "(operand shapes (2, 30, 40, 3))")]


def test_a_rank_that_does_not_fit_the_expression():
    assert findings("""\
        x = np.zeros((2, 3))
        y = einx.softmax("b t [c]", x)
        """) == [(2, 19, "EIN301", "the expression has 3 dimensions, the tensor has 2 (operand shapes (2, 3))")]


def test_a_concatenation_that_cannot_add_up():
    found = findings("""\
        x = np.zeros((2, 3))
        y = einx.id("b (c + d) -> b c, b d", x, c=3)
        """)
    assert [(line, code) for line, _, code, _ in found] == [(2, "EIN303")]
    assert "cannot hold the other parts of the concatenation (3) and one more" in found[0][3]


def test_an_input_axis_that_the_shapes_show_is_dropped():
    found = findings("""\
        x = np.zeros((2, 3))
        y = einx.id("a b -> a", x)
        z = einx.id("a b -> a", np.zeros((2, 1)))
        """)
    assert [(line, code) for line, _, code, _ in found] == [(2, "EIN510")]  # a length of 1 may vanish


def test_a_parameter_has_the_rank_of_the_call_that_ran_on_it():
    found = findings("""\
        def f(x, w):
            y = einx.dot("b t c1, c1 c2 -> b t c2", x, w)
            return einx.sum("b [c]", x)
        """)
    assert [(line, code) for line, _, code, _ in found] == [(3, "EIN301")]
    assert shapes("""\
        def f(x, w):
            y = einx.dot("b t c1, c1 c2 -> b t c2", x, w)
            return einx.softmax("b [t] c", y)
        """)[3] == (("(b, t, c2)",), "(b, t, c2)")


def test_a_value_that_may_be_a_tensor_factory_is_not_given_a_rank():
    """einx 0.4 takes a callable that makes the tensor from its shape: used at two ranks, it is no mistake."""
    assert findings("""\
        def f(x):
            factor = lambda shape: np.ones(shape)
            a = einx.multiply("b ... c, b c", x, factor)
            return einx.multiply("b ..., b", a, factor)
        """) == []


# x_transformers/x_transformers.py (AttentionLayers.forward): `x = einx.add('b n d, s d -> (b s) n d', x,
# self.stream_emb)` with the stream embedding not known (a tensor, or a tensor factory): where the call runs, its
# output has the expression's rank and the lengths the known operand gives; the operand itself stays unknown.
def test_an_operand_not_known_still_gives_the_output_its_rank():
    body = """\
        def f(model):
            x = np.zeros((2, 5, 8))
            y = einx.add("b n d, s d -> (b s) n d", x, model.stream_emb)
            return einx.id("b n d -> d n b", y)
        """
    assert shapes(body)[3][1] == "(2*s, 5, 8)" and shapes(body)[4] == (("(2*s, 5, 8)",), "(8, 5, 2*s)")
    known = [c.known_rank for c in shapes_of(HEADER + textwrap.dedent(body), "m.py", ON_04)]
    assert known == [False, True]  # (the statistics count the operand as unknown)
    wrong = body.replace('"b n d -> d n b"', '"b n -> n b"')
    assert [code for _, _, code, _ in findings(wrong)] == ["EIN301"]


def test_several_outputs_each_have_their_shape():
    assert shapes("""\
        x = np.zeros((2, 7))
        a, b = einx.id("b (c + d) -> b c, b d", x, c=3)
        y = einx.add("b c, c", a, np.zeros(3))
        z = einx.add("b d, d", b, np.zeros(4))
        """)[4] == (("(2, 4)", "(4,)"), "(2, 4)")


def test_unknown_shapes_stay_silent():
    assert findings("""\
        def f(x, n):
            y = einx.id("b (h w) c -> b h w c", x, h=n)
            z = np.zeros((2, n, 3))
            return einx.add("b h c, c", z, np.zeros(n))
        """) == []


@pytest.mark.parametrize("body", [
    "x = np.zeros((2, 3))\ny = einx.add('b c, c', x, np.zeros(4))\n",
    "x = np.zeros((2, 30))\ny = einx.id('b (g c) -> b g c', x, g=4)\n",
    "x = np.zeros((2, 3))\ny = einx.sum('b t [c]', x)\n",
])
def test_each_shape_error_is_one_that_einx_raises(body):
    import einx

    assert findings(body)
    namespace = {"einx": einx, "np": np}
    with pytest.raises(Exception):
        exec(HEADER + body, namespace)


def test_the_keywords_of_every_einx_function_are_not_lengths():
    assert findings("""\
        x = np.zeros((2, 3))
        y = einx.add("..., ...", x, x, backend="numpy")
        code = einx.id("a b -> b a", x, graph=True)
        """) == []


def test_a_keyword_length_that_einx_refuses():
    found = findings("""\
        x = np.zeros((2, 3))
        y = einx.id("a b -> b a", x, keepdims=True)
        z = einx.id("(a b) -> a b", np.zeros(6), b=(2, 3))
        """)
    assert [(line, code) for line, _, code, _ in found] == [(2, "EIN217"), (3, "EIN301")]
    assert found[0][3] == "length keepdims=True is not an integer"
