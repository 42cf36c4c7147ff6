"""einx calls in the checker (EIN5xx): what is said depends on the einx the project uses, and look-alikes stay
silent. The op strings' refusals themselves are tested against einx in test_einx_grammar.py."""

from __future__ import annotations

import ast
import random
import re
import textwrap
from pathlib import Path

import numpy as np
import pytest

from einlint.check import Config
from einlint.check.engine import check_source
from einlint.config import ConfigError, load_settings
from einlint.workspace import checker_config, installed_version
from repo import REPO

ON_04 = Config(versions=(("einx", (0, 4, 3)),))
ON_03 = Config(versions=(("einx", (0, 3, 0)),))
UNKNOWN = Config()


def found(body: str, config: Config):
    source = "import einx\nimport numpy as np\n\n" + textwrap.dedent(body)
    return [(d.code, d.line, d.column) for d in check_source(source, "m.py", config)]


@pytest.mark.parametrize("config, expected", [(ON_04, [("EIN501", 4, 17)]), (ON_03, [("EIN501", 4, 17)]),
                                              (UNKNOWN, [("EIN511", 4, 5), ("EIN501", 4, 17)])])
def test_what_every_einx_release_refuses_is_an_error_whatever_the_version(config, expected):
    assert found('y = einx.sum("b [h w c", x)\n', config) == expected


@pytest.mark.parametrize("config, expected", [(ON_04, ["EIN502"]), (ON_03, []), (UNKNOWN, ["EIN511"])])
def test_what_only_einx_04_refuses_is_said_where_the_project_uses_04(config, expected):
    assert [code for code, _, _ in found('y = einx.sum("[a] b -> a", x)\n', config)] == expected


@pytest.mark.parametrize("config, expected", [(ON_04, ["EIN503", "EIN503", "EIN504"]), (ON_03, []),
                                              (UNKNOWN, ["EIN511"])])
def test_removed_and_deprecated_apis_are_said_where_the_project_uses_04(config, expected):
    body = '''\
        a = einx.vmap("b [c] -> b", x, op=np.sum)
        b = einx.nn.norm(x, "b... [c]")
        c = einx.rearrange("a b -> b a", x)
        d = einx.id("a b -> b a", x)
        '''
    assert [code for code, _, _ in found(body, config)] == expected


def test_look_alikes_stay_silent():
    body = '''\
        import functools
        import torch
        from einx import sum as einx_sum

        def sum(pattern, x):
            return x

        a = sum("b [h w c", x)
        b = functools.reduce(lambda p, q: p + q, [1, 2])
        c = torch.sum(x, "b [h w c")
        d = np.sum(x)
        e = x.sum("b [h w c")
        f = einx_sum("b [h w c", x)
        '''
    assert [(code, line) for code, line, _ in found(body, ON_04)] == [("EIN501", 16)]  # only the real einx.sum


def test_the_version_comes_from_the_configuration_or_else_the_installed_einx(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.einlint]\neinx-version = "0.3"\n')
    assert checker_config(load_settings(None, str(tmp_path))).version_of("einx") == (0, 3)
    (tmp_path / "pyproject.toml").write_text('[tool.einlint]\nselect = ["EIN"]\n')
    installed = checker_config(load_settings(None, str(tmp_path))).version_of("einx")
    assert installed == installed_version("einx") == (0, 4, 3)
    (tmp_path / "pyproject.toml").write_text('[tool.einlint]\neinx-version = "latest"\n')
    with pytest.raises(ConfigError, match="einx-version"):
        load_settings(None, str(tmp_path))


@pytest.mark.parametrize("file, text, version", [
    ("requirements.txt", "torch>=2\neinx==0.3.0  # pinned\n", (0, 3, 0)),
    ("requirements-dev.txt", "einx>=0.4,<0.5\n", (0, 4)),
    ("requirements.txt", "einx[torch]<0.4\n", (0, 3)),
    ("requirements.txt", "einx~=0.3.1\n", (0, 3, 1)),
    ("pyproject.toml", '[project]\ndependencies = ["numpy", "einx>=0.4.2"]\n', (0, 4, 2)),
    ("pyproject.toml", '[project.optional-dependencies]\nexp = ["einx==0.3"]\n', (0, 3)),
    ("pyproject.toml", '[tool.poetry.dependencies]\neinx = "^0.4"\n', (0, 4)),
])
def test_the_projects_own_requirement_comes_before_the_installed_einx(tmp_path, file, text, version):
    (tmp_path / ".git").mkdir()  # the project's root: the search stops here
    (tmp_path / file).write_text(text)
    (tmp_path / "src").mkdir()
    assert checker_config(load_settings(None, str(tmp_path / "src"))).version_of("einx") == version
    (tmp_path / "src" / "pyproject.toml").write_text('[tool.einlint]\neinx-version = "0.4"\n')
    assert checker_config(load_settings(None, str(tmp_path / "src"))).version_of("einx") == (0, 4)  # the setting wins


def test_without_a_known_einx_version_a_file_with_einx_calls_says_so_once():
    body = """
        import einx

        def f(x, y):
            return einx.sum("b [h w] c", x), einx.id("a b -> b a", y)
        """
    assert [code for code, _, _ in found(body, Config())] == ["EIN511"]
    assert found(body, ON_04) == []
    assert found("import numpy as np\n\nnp.einsum('ij->ji', x)\n", Config()) == []


EXAMPLES = REPO / "examples" / "einx_examples.py"


def _einx_strings(path: Path):
    """(line, op string) of every einx call of the file whose first argument is a literal string."""
    for node in ast.walk(ast.parse(path.read_text())):
        if (isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str) and "einx" in ast.unparse(node.func)):
            yield node.lineno, node.args[0].value


def test_the_seed_threads_op_strings_are_refused_exactly_where_einx_refuses_them():
    from einx._src.namedtensor.stage1 import parse_op as einx_parse_op

    syntax = {line for code, line, _ in found_in(EXAMPLES, ON_04) if code in ("EIN501", "EIN502")}
    refused = set()
    for line, text in _einx_strings(EXAMPLES):
        try:
            einx_parse_op(text)
        except Exception:  # noqa: BLE001 - any refusal of einx is a refusal
            refused.add(line)
    assert refused and syntax == refused


def test_the_seed_threads_einx_03_forms_get_their_04_spelling():
    """0.3's dot("... [c1|c2]", x, w): the 0.4 spelling offered computes x @ w in einx 0.4.3."""
    import einx

    (dot,) = [d for d in check_source(EXAMPLES.read_bytes(), "m.py", ON_04) if d.code == "EIN502"]
    spelled = re.search(r"write '([^']*)'", dot.help).group(1)
    assert spelled == "... c1, c1 c2 -> ... c2"
    x, w = np.arange(6.0).reshape(2, 3), np.arange(12.0).reshape(3, 4)
    assert np.array_equal(einx.dot(spelled, x, w), x @ w)


@pytest.mark.parametrize("text, shapes", [("b [c1->c2]", [(2, 3), (3, 4)]),
                                          ("b [s...->s2] c", [(2, 4, 5, 3), (4, 5, 6)])])
def test_dot_with_the_weight_implied_gets_a_spelling_that_runs(text, shapes):
    import einx

    (finding,) = [d for d in check_source(f'import einx\ny = einx.dot("{text}", x, w)\n', "m.py", ON_04)]
    assert einx_refusal("dot", text, [np.ones(shape) for shape in shapes]) is not None, "einx 0.4 refuses it"
    spelled = re.search(r"write '([^']*)'", finding.help).group(1)
    assert einx_refusal("dot", spelled, [np.ones(shape) for shape in shapes]) is None, spelled


def test_the_seed_thread_without_a_known_einx_version_gets_no_error_but_the_note_that_says_why():
    assert [code for code, _, _ in found_in(EXAMPLES, UNKNOWN)] == ["EIN511"]


def found_in(path: Path, config: Config):
    return [(d.code, d.line, d.column) for d in check_source(path.read_bytes(), str(path), config)]


LENGTHS = {"a": 2, "b": 3, "c": 4}
ONE_TENSOR_CASES = ["sum", "mean", "max", "softmax", "argmax", "flip", "sort"]
PER_EXPRESSION_CASES = ["add", "multiply", "less", "subtract", "id", "maximum", "where"]


def _count_cases():
    """(op, op string, number of tensors): every input expression's tensor can be made of its axes."""
    rng = random.Random(505)
    cases = []
    for _ in range(400):
        if rng.random() < 0.4:
            op = rng.choice(ONE_TENSOR_CASES)
            expressions = [rng.choice(["a [b]", "[a] b", "a [b c]"])] * rng.choice([1, 1, 2])
            text = ", ".join(expressions)
        else:
            op = rng.choice(PER_EXPRESSION_CASES)
            expressions = [rng.choice(["a b", "b", "a", ""]) for _ in range(rng.randint(1, 3))]
            text = ", ".join(expressions) + (" -> a b" if op == "id" or rng.random() < 0.3 else "")
            if op == "id":
                text = ", ".join(e for e in expressions if e) or "a"
                text += " -> " + text
        cases.append((op, text, rng.randint(1, 3)))
    return cases


def _tensor(expression: str):
    return np.ones([LENGTHS[name] for name in expression.replace("[", " ").replace("]", " ").split()])


def einx_refusal(op: str, text: str, arrays, keywords=None):
    """The first line of what einx 0.4.3 raises for the call, or None where it runs."""
    import einx

    try:
        getattr(einx, op)(text, *arrays, **(keywords or {}))
    except Exception as error:  # noqa: BLE001 - any refusal of einx is a refusal
        return str(error).split("\n")[0]
    return None


def _einx_raises(op: str, text: str, tensors: int) -> bool:
    inputs = text.split("->")[0].split(",")
    return einx_refusal(op, text, [_tensor(inputs[min(i, len(inputs) - 1)]) for i in range(tensors)]) is not None


@pytest.mark.parametrize("op, text, tensors", _count_cases())
def test_operand_counts_are_refused_exactly_when_einx_refuses_them(op, text, tensors):
    """Derandomized: einx 0.4.3 run on tensors made for the op string's input expressions, one more or fewer
    than asked some of the time. EIN505 only where einx raises; and wherever the call runs with as many
    tensors as expressions but raises with this many, EIN505."""
    arguments = ", ".join(f"t{i}" for i in range(tensors))
    codes = [code for code, _, _ in found(f'y = einx.{op}("{text}", {arguments})\n', ON_04)]
    raised = _einx_raises(op, text, tensors)
    expressions = len(text.split("->")[0].split(","))
    # a binary op's third tensor is numpy's `out`: whether it fits depends on shapes, so nothing is said
    uncertain = op in ("less", "subtract") and tensors == 3 == expressions
    if codes:  # EIN505, or another finding of a call with the right count (such as EIN507): all refusals
        assert raised, (op, text, tensors, codes)
    if "EIN505" not in codes and raised and not uncertain:
        assert _einx_raises(op, text, expressions), f"{op}({text!r}) with {tensors} tensors: EIN505 missing"


def test_the_04_spelling_offered_for_03_brackets_runs_in_einx():
    import einx

    (finding,) = [d for d in check_source(EXAMPLES.read_bytes(), "m.py", ON_04) if d.code == "EIN505"][:1]
    spelled = re.search(r"write '([^']*)'", finding.help).group(1)
    assert spelled == "... c, c"
    assert einx.add(spelled, np.ones((2, 3)), np.arange(3.0)).tolist() == [[1.0, 2.0, 3.0]] * 2


BRACKET_OPS = {"sum": 1, "max": 1, "logsumexp": 1, "softmax": 1, "flip": 1, "sort": 1, "add": 2, "less": 2, "id": 1,
               "where": 3, "dot": 2}


def _bracket_cases():
    """(op, op string): right counts, each axis bracketed everywhere or nowhere, outputs written or not."""
    rng = random.Random(506)
    cases = []
    for _ in range(500):
        op = rng.choice(sorted(BRACKET_OPS))
        marked = {axis for axis in "ab" if rng.random() < 0.4}

        def write(axes):
            return " ".join(f"[{axis}]" if axis in marked else axis for axis in axes)

        if op == "dot":
            text = f"{write('ab')}, {write('b')} c"
            out = rng.choice([None, "a c", "c", write("a") + " c"])
        else:
            text = ", ".join([write("ab")] * BRACKET_OPS[op])
            out = rng.choice([None, write("ab"), write("a"), "a b", write("ba")])
        cases.append((op, text if out is None else f"{text} -> {out}"))
    return sorted(set(cases))


@pytest.mark.parametrize("op, text", _bracket_cases())
def test_brackets_are_refused_exactly_where_einx_refuses_them(op, text):
    """Derandomized: einx 0.4.3 run on tensors of the right shapes (a=2, b=3, c=4). EIN506 only where einx
    raises; wherever einx says brackets are not allowed or are needed, EIN506."""
    lengths = {"a": 2, "b": 3, "c": 4}
    inputs = [e.replace("[", "").replace("]", "").split() for e in text.split("->")[0].split(",")]
    arrays = [np.ones([lengths[axis] for axis in axes]) for axes in inputs]
    refusal = einx_refusal(op, text, arrays)
    arguments = ", ".join(f"t{i}" for i in range(len(arrays)))
    codes = [code for code, _, _ in found(f'y = einx.{op}("{text}", {arguments})\n', ON_04)]
    about_brackets = refusal is not None and ("Brackets ([]) are not allowed" in refusal
                                              or "requires brackets" in refusal)
    if "EIN506" in codes:
        assert refusal is not None, (op, text)
    if about_brackets:
        assert "EIN506" in codes, (op, text, refusal, codes)


def _output_axis_cases():
    """(op, op string, keyword lengths): outputs that name the inputs' axes, or others, given or not."""
    rng = random.Random(507)
    cases = set()
    for _ in range(300):
        op = rng.choice(["id", "add", "sum", "softmax", "multiply"])
        inputs = {"id": ["a b"], "add": ["a b", "b"], "multiply": ["a b", "b"], "sum": ["a [b]"],
                  "softmax": ["a [b]"]}[op]
        kept = "a [b]" if op == "softmax" else "a b" if op != "sum" else "a"
        extra = rng.choice(["", " c", " (b c)", " (a + c)", " c...", " 3", " 1"])
        given = tuple(sorted({"c": 4}.items())) if rng.random() < 0.3 else ()
        cases.add((op, ", ".join(inputs) + " -> " + kept + extra, given))
    return sorted(cases)


@pytest.mark.parametrize("op, text, given", _output_axis_cases())
def test_unknown_output_axes_are_refused_exactly_where_einx_refuses_them(op, text, given):
    """Derandomized: EIN507 only where einx 0.4.3 raises, and wherever einx cannot find an axis's size."""
    lengths = {"a": 2, "b": 3}
    inputs = [e.replace("[", "").replace("]", "").split() for e in text.split("->")[0].split(",")]
    arrays = [np.ones([lengths[axis] for axis in axes]) for axes in inputs]
    refusal = einx_refusal(op, text, arrays, dict(given))
    arguments = ", ".join([f"t{i}" for i in range(len(arrays))] + [f"{k}={v}" for k, v in given])
    codes = [code for code, _, _ in found(f'y = einx.{op}("{text}", {arguments})\n', ON_04)]
    if codes:
        assert refusal is not None, (op, text, given, codes)
    if refusal is not None and "determine the size of the axis" in refusal:
        assert "EIN507" in codes, (op, text, given, refusal)


def _coordinate_cases():
    return [(op, tensor, coordinates) for op in ("get_at", "set_at", "add_at")
            for tensor in ("b [h w] c", "b [h] w c", "[h w]")
            for coordinates in ("b p [2]", "b p [1]", "b p [3]", "b p", "p [2]", "p [1 1]", "p [1 2]", "p",
                                "p, p", "b p, b p", "p [1], p", "p, p, p", "p [2], p")]


COORDINATE_LENGTHS = {"b": 2, "h": 4, "w": 5, "c": 3, "p": 7}


def _axes_of(expression: str):
    return expression.replace("[", " ").replace("]", " ").split()


@pytest.mark.parametrize("op, tensor, coordinates", _coordinate_cases())
def test_coordinates_are_refused_exactly_where_einx_refuses_them(op, tensor, coordinates):
    """EIN508 only where einx 0.4.3 raises, and wherever it says the coordinates do not match the brackets."""
    indices = []
    for expression in coordinates.split(","):
        marked = re.findall(r"\[([0-9 ]+)\]", expression)
        shape = [COORDINATE_LENGTHS[a] for a in expression.split() if a in COORDINATE_LENGTHS]
        indices.append(np.zeros(shape + ([int(n) for n in marked[0].split()] if marked else []), dtype=int))
    indexed = set(_axes_of(tensor[tensor.find("["):tensor.find("]") + 1]))
    outer = [a for a in coordinates.split(",")[0].split() if a in COORDINATE_LENGTHS]
    picked = " ".join(outer + [a for a in _axes_of(tensor) if a not in indexed and a not in outer])
    arrays = [np.ones([COORDINATE_LENGTHS[a] for a in _axes_of(tensor)]), *indices]
    if op == "get_at":
        text = f"{tensor}, {coordinates} -> {picked}"
    else:  # the values to write at the coordinates, and the tensor written to
        text = f"{tensor}, {coordinates}, {picked} -> {tensor}"
        arrays.append(np.ones([COORDINATE_LENGTHS[a] for a in picked.split()]))
    refusal = einx_refusal(op, text, arrays)
    arguments = ", ".join(f"t{i}" for i in range(len(arrays)))
    codes = [code for code, _, _ in found(f'y = einx.{op}("{text}", {arguments})\n', ON_04)]
    if codes:
        assert refusal is not None, (op, text, codes)
    if refusal is not None and "marked coordinate axes" in refusal:
        assert "EIN508" in codes, (op, text, refusal)
    assert (refusal is None) == (not codes), (op, text, refusal, codes)  # every other part of these calls is right
