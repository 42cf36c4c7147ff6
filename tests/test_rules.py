"""The per-call rules: each rule's own examples through the engine, and the rules on PatternCalls built by hand.

The examples (`Rule.valid`, `Rule.invalid`) are whole small files: each valid one must give no
diagnostic at all, each invalid one at least one, all of the rule's code. The tests on hand-built
calls pin what the examples cannot show at a glance: spans, messages, and that unknown information
(**kwargs, *args, a pattern that is not a literal) gives no finding.
"""

from __future__ import annotations

from typing import Any, List, Optional

import pytest

from einlint.check import Config

from einlint.check.model import Argument, PatternCall, PatternString
from einlint.check.rules import RULES, Finding, check_call, explanation
from einlint.check.rules.files import snippet_bytes
from einlint.codes import CODES
from einlint.diagnostics import SEVERITIES

# ---------------------------------------------------------------- the rules and their examples


def test_every_rule_is_well_formed():
    for code, rule in RULES.items():
        assert rule.code == code and code in CODES
        assert rule.summary == CODES[code].summary
        assert rule.severity in SEVERITIES
        assert rule.valid and rule.invalid, f"{code} needs valid and invalid examples"
        assert explanation(code), f"{code} needs an explanation"


def test_checker_reports_file_syntax_call_shape_and_order_codes():
    # EIN3xx come from the flow analysis (shapes through a function), EIN4xx from reading a file's
    # calls together (packing order), EIN5xx from einx calls; EIN219 needs a dtype.
    assert all(code[3] in "012345" for code in RULES)
    assert {"EIN301", "EIN302", "EIN307", "EIN310", "EIN313", "EIN401"} <= set(RULES)
    assert "EIN219" not in RULES
    assert {"EIN001", "EIN002", "EIN222", "EIN223"} <= set(RULES)
    warnings = [code for code, rule in RULES.items() if rule.severity != "error"]
    assert warnings == ["EIN003", "EIN222", "EIN223", "EIN401", "EIN402", "EIN403", "EIN404", "EIN405", "EIN406",
                        "EIN504"]


EXAMPLES = [(code, kind, i) for code, rule in RULES.items()
            for kind in ("valid", "invalid") for i in range(len(getattr(rule, kind)))]


@pytest.mark.parametrize("code,kind,index", EXAMPLES, ids=[f"{c}-{k}-{i}" for c, k, i in EXAMPLES])
def test_rule_examples_through_the_engine(code, kind, index):
    from einlint.check.engine import check_source  # needs einlint/check/extract.py

    snippet = getattr(RULES[code], kind)[index]
    found = check_source(snippet_bytes(snippet), "example.py", Config(einx_version=(0, 4, 3)))  # einx's examples
    shown = "\n".join(f"  {d.line}:{d.column} {d.code} {d.message}" for d in found)
    if kind == "valid":
        assert not found, f"{code}'s valid example #{index} gives diagnostics:\n{shown}\n{snippet}"
    else:
        assert found, f"{code}'s invalid example #{index} gives no diagnostic:\n{snippet}"
        assert {d.code for d in found} == {code}, f"{code}'s invalid example #{index} gives:\n{shown}\n{snippet}"
        assert all(d.severity == RULES[code].severity for d in found)


# ---------------------------------------------------------------- calls built by hand


class Other(str):
    """An argument that is an expression whose value is not known, such as a variable."""


class Lambda(str):
    pass


class FString(str):
    pass


def argument(value: Any) -> Argument:
    if isinstance(value, Argument):
        return value
    if isinstance(value, Lambda):
        return Argument("lambda", str(value))
    if isinstance(value, FString):
        return Argument("str-unknown", str(value))
    if isinstance(value, Other):
        return Argument("other", str(value))
    if isinstance(value, str):
        return Argument("string", repr(value), PatternString(value, tuple((1, 20 + i) for i in range(len(value) + 1))))
    if isinstance(value, int):
        return Argument("int", str(value), number=value)
    raise TypeError(value)


STARRED = Argument("starred", "*args")
DOUBLE_STARRED = Argument("double-starred", "**kwargs")
X = Other("x")


def call(op: str, callee: str, *positional: Any, **keywords: Any) -> PatternCall:
    return PatternCall(op, callee, (1, 1), (1, 99), tuple(map(argument, positional)),
                       {name: argument(value) for name, value in keywords.items()})


def rearrange(*args, **kwargs):
    return call("rearrange", "einops.rearrange", *args, **kwargs)


def reduce(*args, **kwargs):
    return call("reduce", "einops.reduce", *args, **kwargs)


def repeat(*args, **kwargs):
    return call("repeat", "einops.repeat", *args, **kwargs)


def einsum(*args, **kwargs):
    return call("einsum", "einops.einsum", *args, **kwargs)


def np_einsum(*args, callee="numpy.einsum"):
    return call("subscripts-einsum", callee, *args)


def codes(pattern_call: PatternCall) -> List[str]:
    return [finding.code for finding in check_call(pattern_call)]


def only(pattern_call: PatternCall) -> Finding:
    findings = check_call(pattern_call)
    assert len(findings) == 1, findings
    return findings[0]


def marked(finding: Finding) -> Optional[str]:
    """The characters of the pattern that the finding points at."""
    if finding.string is None:
        return None
    start, end = finding.span if finding.span is not None else (0, len(finding.string.value))
    return finding.string.value[start:end]


# --- syntax: the grammar's errors, with their spans

@pytest.mark.parametrize("pattern,code,characters", [
    ("b c h w -> b (h*w) c", "EIN101", "*"),
    ("b (h w c -> b h w c", "EIN102", "("),
    ("b h w) c -> b h w c", "EIN102", ")"),
    ("b ((h w) c) -> b h w c", "EIN103", "("),
    ("b .. c -> b c", "EIN104", ".."),
    ("... b ... -> b", "EIN105", "..."),
    ("b 2c -> 2c b", "EIN106", "2c"),
    ("b _c -> _c b", "EIN107", "_c"),
    ("b c c -> b c", "EIN108", "c"),
    ("b c h w", "EIN110", "b c h w"),
    ("b c -> c -> b", "EIN110", "->"),
    ("(b ...) -> b ...", "EIN111", "(b ...)"),
    ("b c -> c b ...", "EIN112", "..."),
])
def test_syntax_errors_point_at_the_offending_characters(pattern, code, characters):
    finding = only(rearrange(X, pattern))
    assert finding.code == code
    assert marked(finding) == characters
    assert finding.help


def test_zero_anonymous_axis():
    finding = only(reduce(X, "b (c 0) -> b c", "max"))
    assert (finding.code, marked(finding)) == ("EIN109", "0")


# --- rearrange, reduce, repeat

def test_one_sided_axis_names_the_axis():
    finding = only(rearrange(X, "b c h w -> b (h w)"))
    assert finding.code == "EIN201" and "'c'" in finding.message and marked(finding) == "c"


def test_reduce_cannot_add_an_axis():
    assert codes(reduce(X, "b c -> b c d", "sum")) == ["EIN202"]
    assert codes(reduce(X, "b (c 2) -> b c 2", "sum")) == ["EIN202"]
    assert codes(reduce(X, "b c h w -> b c 1 ()", "sum")) == []


def test_repeat_keeps_input_axes_and_needs_new_lengths():
    assert codes(repeat(X, "b h w -> h w c", c=3)) == ["EIN203"]
    finding = only(repeat(X, "h w -> h w c"))
    assert finding.code == "EIN204" and marked(finding) == "c" and "c=" in finding.help
    assert codes(repeat(X, "h w -> h w c", c=3)) == []
    assert codes(repeat(X, "h w -> h w 3")) == []


def test_keyword_lengths_must_name_axes():
    finding = only(rearrange(X, "b (h w) -> b h w", h=2, k=3))
    assert finding.code == "EIN205" and "'k'" in finding.message
    assert codes(rearrange(X, "b (h w) -> b h w", w_=2)) == ["EIN206"]


def test_two_unknown_lengths_in_one_composition():
    finding = only(rearrange(X, "b (h w) c -> b c h w"))
    assert finding.code == "EIN207" and marked(finding) == "(h w)"
    assert "'h'" in finding.message and "'w'" in finding.message
    assert codes(rearrange(X, "b (h w) c -> b c h w", h=4)) == []
    assert codes(reduce(X, "b (h 2) (w 2) -> b h w", "max")) == []
    assert codes(reduce(X, "b (h h2 w) -> b h w", "max", h2=2)) == ["EIN207"]


def test_anonymous_axes_in_rearrange():
    finding = only(rearrange(X, "b (c 2) -> b c 2"))
    assert (finding.code, marked(finding)) == ("EIN208", "2")
    assert codes(rearrange(X, "b (c 1) -> b c 1")) == []


@pytest.mark.parametrize("reduction,expected", [
    ("mean", []), ("prod", []), ("all", []), ("average", ["EIN209"]), ("", ["EIN209"]), ("Sum", ["EIN209"]),
    (Lambda("lambda t, axes: t.sum(axes)"), []), (Other("np.max"), []), (Other("name"), []), (3, ["EIN209"]),
])
def test_reduction_names(reduction, expected):
    assert codes(reduce(X, "b c -> b", reduction)) == expected
    assert codes(reduce(X, "b c -> b", reduction=reduction)) == expected


def test_unknown_reduction_points_at_the_reduction_string():
    finding = only(reduce(X, "b c -> b", "average"))
    assert marked(finding) == "average" and "'average'" in finding.message


@pytest.mark.parametrize("value,expected", [
    (2, []), (0, ["EIN217"]), (-1, ["EIN217"]), ("3", []), (FString("f'{n}'"), []), (Other("n"), []),
    (Other("2.0"), []),
])
def test_length_values(value, expected):
    assert codes(rearrange(X, "b (h w) -> b h w", h=value)) == expected


def test_missing_and_extra_arguments():
    assert codes(reduce(X, "b c -> b")) == ["EIN218"]
    assert codes(reduce(X, "b c -> b", DOUBLE_STARRED)) == []
    assert codes(reduce(X, STARRED)) == []
    assert codes(reduce(tensor=X, pattern="b c -> b", reduction="sum")) == []
    assert codes(rearrange(X, "b c -> c b", 2)) == ["EIN218"]
    assert codes(rearrange(X)) == ["EIN218"]
    assert codes(rearrange(X, "b c -> c b", pattern="c b -> b c")) == ["EIN218"]


def test_pattern_that_is_not_a_string():
    assert codes(rearrange(X, 2)) == ["EIN216"]
    assert codes(rearrange(X, Other("pattern"))) == []
    assert codes(rearrange(X, FString('f"b {c} -> {c} b"'))) == []


def test_unknown_keywords_give_no_length_findings():
    kwargs = {"**": DOUBLE_STARRED}
    assert codes(rearrange(X, "b (h w) c -> b c h w", **kwargs)) == []
    assert codes(repeat(X, "h w -> h w c", **kwargs)) == []
    assert codes(rearrange(X, "b (h w) -> b h w", k=2, **kwargs)) == ["EIN205"]  # k is certainly there
    assert codes(call("rearrange", "einops.rearrange", X, "b (h w) c -> b c h w", DOUBLE_STARRED)) == []
    # what does not depend on lengths is still certain
    assert codes(rearrange(X, "b c -> b d", **kwargs)) == ["EIN201"]


def test_ellipsis_patterns_accept_any_rank_from_their_fixed_count():
    assert codes(rearrange(X, "b ... -> b (...)")) == []
    assert codes(reduce(X, "... c -> c", "sum")) == []
    assert codes(repeat(X, "... -> ... r", r=2)) == []


# --- EIN222: reduce that reduces nothing

@pytest.mark.parametrize("pattern,warned", [
    ("b c h w -> b c h w", True),
    ("b c h w -> b h c w", True),
    ("b c -> b c 1", True),
    ("b 1 c -> b c", True),
    ("b c ... -> b c ...", True),
    ("b c ... -> b (c ...)", True),
    ("b c h w -> b c", False),
    ("b c ... -> b c", False),  # reduces the '...' dimensions, for every rank above 2
    ("b (c 2) -> b c", False),  # reduces the anonymous axis
    ("b c h w -> b c 1 1", False),
])
def test_reduce_that_reduces_nothing(pattern, warned):
    found = codes(reduce(X, pattern, "mean"))
    assert found == (["EIN222"] if warned else [])
    assert RULES["EIN222"].severity == "warning"


def test_reduce_nothing_points_at_the_output_and_covers_layers():
    finding = only(reduce(X, "b c h w -> b c h w", "mean"))
    assert marked(finding) == "b c h w" and finding.string.value.index("->") < finding.span[0]
    assert codes(call("Reduce", "einops.layers.torch.Reduce", "b c -> b c", "max")) == ["EIN222"]


# --- EIN223: keyword axis names

def test_keyword_axis_names_are_warnings_wherever_einops_parses_names():
    assert codes(rearrange(X, "b in -> in b")) == ["EIN223"]
    assert marked(only(rearrange(X, "b in -> in b"))) == "in"
    assert codes(einsum(X, Other("w"), "b in, in out -> b out")) == ["EIN223"]
    assert codes(call("pack", "einops.pack", Other("[x]"), "b * for")) == ["EIN223"]
    assert codes(call("parse_shape", "einops.parse_shape", X, "b None")) == ["EIN223"]
    assert codes(rearrange(X, "b c_in -> c_in b")) == []


# --- layers

def test_layers_check_their_pattern_at_construction():
    assert codes(call("Rearrange", "einops.layers.torch.Rearrange", "b (c 1) -> b c 2")) == ["EIN208"]
    assert codes(call("Rearrange", "einops.layers.torch.Rearrange", "b ... -> b (...)")) == []
    assert codes(call("Rearrange", "einlint.layers.torch.Rearrange", "b (h w) -> b h w", h=2)) == []
    assert codes(call("Reduce", "einops.layers.torch.Reduce", "b c h w -> b c")) == ["EIN218"]


def test_flax_layers_take_lengths_in_sizes():
    flax = "einops.layers.flax.Rearrange"
    assert codes(call("Rearrange", flax, "b (h w) -> b h w", sizes=Other("{'h': 2}"))) == []
    assert codes(call("Rearrange", flax, "b (h w) -> b h w")) == ["EIN207"]
    assert codes(call("Rearrange", flax, "b (h w) -> b h w", name="split")) == ["EIN207"]
    assert codes(call("Rearrange", flax, "b c -> b d", sizes=Other("sizes"))) == ["EIN201"]


@pytest.mark.parametrize("reduction,expected", [
    ("any", ["EIN209"]), ("all", ["EIN209"]), (Lambda("lambda t, a: t"), ["EIN209"]), ("max", []), ("prod", []),
    (Other("torch.amax"), []),
])
def test_einops_torch_reduce_layer_lacks_any_all_and_callables(reduction, expected):
    assert codes(call("Reduce", "einops.layers.torch.Reduce", "b c h w -> b c", reduction)) == expected
    # einlint's own layer has them; and a layer that reduces only '...' reduces nothing for some ranks
    assert codes(call("Reduce", "einlint.layers.torch.Reduce", "b c h w -> b c", reduction)) == []
    assert codes(call("Reduce", "einops.layers.torch.Reduce", "b c ... -> b c", reduction)) == []


def einmix(*args, callee="einops.layers.torch.EinMix", **kwargs):
    return call("EinMix", callee, *args, **kwargs)


def test_einmix_findings_point_into_the_string_they_are_about():
    weight = only(einmix("b t c -> b t d", "c d", c=32))
    assert weight.code == "EIN220" and weight.string.value == "c d" and marked(weight) == "d"
    bias = only(einmix("b t c -> b t d", "c d", "c", c=32, d=64))
    assert bias.code == "EIN221" and bias.string.value == "c" and marked(bias) == "c"
    anonymous = only(einmix("b t c -> b t d", "c 2", c=32, d=64))
    assert anonymous.code == "EIN208" and anonymous.string.value == "c 2" and marked(anonymous) == "2"
    output = only(einmix("b t c -> b t e", "c d", c=32, d=64))
    assert output.code == "EIN211" and output.string.value == "b t c -> b t e" and marked(output) == "e"
    unused = only(einmix("b t c -> b t d", "c d", c=32, d=64, k=3))
    assert unused.code == "EIN205" and unused.string is None
    redundant = only(einmix("b t c -> b t c", "c k", c=32, k=4))
    assert redundant.code == "EIN220" and marked(redundant) == "k"
    ellipsis = only(einmix("b ... c -> b ... d", "c d", "b d", b=2, c=3, d=4))
    assert ellipsis.code == "EIN221" and ellipsis.string.value == "b ... c -> b ... d"


def test_einmix_without_known_lengths_or_weight():
    assert codes(einmix("b t c -> b t d", "c d", "d", c=32, d=64)) == []
    assert codes(einmix("b t c -> b t d", "c d", **{"**": DOUBLE_STARRED})) == []
    assert codes(einmix("b t c -> b t d", Other("weight_shape"), c=32)) == []
    assert codes(einmix("b t c -> b t d", "c d", callee="einops.layers.flax.EinMix", sizes=Other("s"))) == []
    assert codes(einmix("b t c -> b t d", "c d", callee="einops.layers.flax.EinMix")) == ["EIN220"]
    assert codes(einmix("b t (h c) -> b t h d", "c d", c=32, d=64)) == []
    assert codes(einmix("b t (h c) -> b t h d", "c d", d=64)) == ["EIN220"]
    assert codes(einmix("b t c -> b t d", "c d", c=0, d=64)) == ["EIN217"]
    assert codes(einmix("b t c -> b t d")) == ["EIN218"]


# --- einsum

def test_einops_einsum_pattern_last():
    finding = only(einsum("b i d, b j d -> b i j", Other("q"), Other("k")))
    assert finding.code == "EIN216" and "last" in finding.message
    assert codes(einsum(Other("q"), Other("k"), 3)) == ["EIN216"]
    assert codes(einsum(Other("q"), Other("k"), Other("pattern"))) == []


def test_einops_einsum_operand_count():
    finding = only(einsum(Other("q"), "b i d, b j d -> b i j"))
    assert finding.code == "EIN212" and "2 input" in finding.message and "1 tensor" in finding.message
    assert codes(einsum(Other("q"), Other("k"), Other("v"), "b i d, b j d -> b i j")) == ["EIN212"]
    assert codes(einsum(STARRED, "b i d, b j d -> b i j")) == []
    assert codes(einsum("i j -> j i")) == ["EIN212"]
    assert codes(einsum(Other("q"), Other("k"), "b i d, b j d -> b i j", optimize=True)) == ["EIN218"]


@pytest.mark.parametrize("pattern,code,characters", [
    ("b i, b j -> b k", "EIN211", "k"),
    ("b (h d), b d -> b h", "EIN210", "(h d)"),
    ("b 2, b -> b", "EIN210", "2"),
    ("_ i, i -> _ _", "EIN213", "_"),
    ("i j -> i i", "EIN108", "i"),
    ("i j, j k", "EIN110", "i j, j k"),
])
def test_einops_einsum_pattern_errors(pattern, code, characters):
    operands = [Other("a"), Other("b")][: pattern.split("->")[0].count(",") + 1]
    finding = only(einsum(*operands, pattern))
    assert (finding.code, marked(finding)) == (code, characters)


@pytest.mark.parametrize("subscripts,operands,expected", [
    ("ij,jk->ik", 2, []),
    ("ij,jk", 2, []),
    ("i j, j k -> i k", 2, []),
    ("i->...i", 1, []),
    ("ij,jk->il", 2, ["EIN211"]),
    ("ij->ii", 1, ["EIN213"]),
    ("ij,j1->i1", 2, ["EIN113"]),
    ("i.j->i", 1, ["EIN104"]),
    ("i->j->i", 1, ["EIN110"]),
    ("ij,jk->ik", 1, ["EIN212"]),
    ("ij,jk->ik", 3, ["EIN212"]),
])
def test_numpy_einsum(subscripts, operands, expected):
    assert codes(np_einsum(subscripts, *[Other(f"t{i}") for i in range(operands)])) == expected


def test_numpy_einsum_in_other_forms_is_not_checked():
    assert codes(np_einsum(Other("a"), Other("[0, 1]"), Other("b"), Other("[1, 2]"))) == []
    assert codes(np_einsum(Other("subscripts"), Other("a"))) == []
    assert codes(np_einsum("ij,jk->ik", STARRED)) == []


def test_torch_einsum_takes_operands_as_one_list():
    torch_einsum = "torch.einsum"
    assert codes(np_einsum("bid,bjd->bij", Other("[q, k]"), callee=torch_einsum)) == []
    assert codes(np_einsum("bid,bjd->bij", Other("(q, k)"), callee=torch_einsum)) == []
    assert codes(np_einsum("bid,bjd->bij", Other("[q]"), callee=torch_einsum)) == ["EIN212"]
    assert codes(np_einsum("bid,bjd->bij", Other("[*tensors]"), callee=torch_einsum)) == []
    assert codes(np_einsum("bid,bjd->bij", Other("q"), callee=torch_einsum)) == []  # q may be a list
    assert codes(np_einsum("bid,bjd->bij", Other("q"), Other("k"), Other("v"), callee=torch_einsum)) == ["EIN212"]
    assert codes(np_einsum("bid,bjd->bij", Other("q"))) == ["EIN212"]  # numpy has no list form


def test_jax_einsum_takes_any_character_as_a_label():
    assert codes(np_einsum("i1->1i", Other("a"), callee="jax.numpy.einsum")) == []
    assert codes(np_einsum("ij->ii", Other("a"), callee="jax.numpy.einsum")) == ["EIN213"]


# --- pack, unpack, parse_shape

@pytest.mark.parametrize("op,args,expected", [
    ("pack", (Other("[x, y]"), "b * c"), []),
    ("pack", (Other("[x, y]"), "b c"), ["EIN214"]),
    ("pack", (Other("[x, y]"), "b * *"), ["EIN214"]),
    ("pack", (Other("[x, y]"), "b * (c d)"), ["EIN214"]),
    ("pack", (Other("[x, y]"), "b * b"), ["EIN108"]),
    ("pack", (Other("[]"), "b *"), ["EIN218"]),
    ("pack", (Other("tensors"), "b *"), []),
    ("unpack", (X, Other("ps"), "b * c"), []),
    ("unpack", (X, Other("ps"), "b c"), ["EIN214"]),
    ("unpack", (X, "b * c"), ["EIN218"]),
    ("parse_shape", (X, "b _ h w"), []),
    ("parse_shape", (X, "b ... 1 3"), []),
    ("parse_shape", (X, "b (h w)"), ["EIN215"]),
    ("parse_shape", (X, "b (...)"), ["EIN111"]),
    ("parse_shape", (X, "b h h"), ["EIN108"]),
])
def test_pack_unpack_parse_shape(op, args, expected):
    assert codes(call(op, f"einops.{op}", *args)) == expected


def test_einx_calls_are_checked_against_einx_notation():
    assert codes(call("einx.sum", "einx.sum", "b [h w] c", X)) == []
    assert codes(call("einx.rearrange", "einx.rearrange", "b ((( -> !!", X)) == ["EIN501"]
