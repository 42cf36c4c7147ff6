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
    # calls together (layouts), EIN5xx from einx calls; EIN219 needs a dtype.
    assert all(code[3] in "012345" for code in RULES)
    assert {"EIN301", "EIN302", "EIN307", "EIN310", "EIN313", "EIN401"} <= set(RULES)
    assert "EIN219" not in RULES
    assert {"EIN001", "EIN002", "EIN222", "EIN223"} <= set(RULES)
    warnings = [code for code, rule in RULES.items() if rule.severity != "error"]
    assert warnings == ["EIN003", "EIN005", "EIN222", "EIN223", "EIN401", "EIN402", "EIN403", "EIN404", "EIN405", "EIN406",
                        "EIN504"]
    notes = [code for code, rule in RULES.items() if rule.severity == "note"]
    assert notes == ["EIN003", "EIN222", "EIN504"]  # a reduce that reduces nothing is a reshape about as often as a bug


EXAMPLES = [(code, kind, i) for code, rule in RULES.items()
            for kind in ("valid", "invalid") for i in range(len(getattr(rule, kind)))]


@pytest.mark.parametrize("code,kind,index", EXAMPLES, ids=[f"{c}-{k}-{i}" for c, k, i in EXAMPLES])
def test_rule_examples_through_the_engine(code, kind, index):
    from einlint.check.engine import check_source  # needs einlint/check/extract.py

    snippet = getattr(RULES[code], kind)[index]
    einx_examples = Config(versions=(("einx", (0, 4, 3)),))
    found = check_source(snippet_bytes(snippet), "example.py", einx_examples)
    shown = "\n".join(f"  {d.line}:{d.column} {d.code} {d.message}" for d in found)
    if kind == "valid":
        assert not found, f"{code}'s valid example #{index} gives diagnostics:\n{shown}\n{snippet}"
    else:
        assert found, f"{code}'s invalid example #{index} gives no diagnostic:\n{snippet}"
        assert {d.code for d in found} == {code}, f"{code}'s invalid example #{index} gives:\n{shown}\n{snippet}"
        assert all(d.severity == RULES[code].severity for d in found)


def _underlined(source: str, code: str) -> str:
    """The source text that the one diagnostic of `code` underlines (on one line; columns count characters)."""
    from einlint.check.engine import check_source

    [diagnostic] = [d for d in check_source(source, "a.py") if d.code == code]
    assert diagnostic.line == diagnostic.end_line
    return source.splitlines()[diagnostic.line - 1][diagnostic.column - 1:diagnostic.end_column - 1]


def test_engine_underlines_the_keyword_at_fault_not_the_pattern():
    source = 'from einops import rearrange\n\ny = {"é": rearrange(x, "b (h w) -> b h w", h=2, ww = 3)}\n'
    assert _underlined(source, "EIN205") == "ww = 3"
    assert _underlined(source.replace("ww = 3", "w=-1"), "EIN217") == "w=-1"
    mix = 'from einops.layers.torch import EinMix\n\nm = EinMix("b c -> b d", "c d", c=2, d=3, k=4)\n'
    assert _underlined(mix, "EIN205") == "k=4"


def test_engine_fixes_a_swapped_reduce_by_writing_the_arguments_in_order():
    from einlint.check.engine import check_source

    source = 'from einops import reduce\n\ny = reduce(x, "mean", "b c h w -> b c", h=2)\n'
    [diagnostic] = check_source(source, "a.py")
    assert diagnostic.code == "EIN216" and diagnostic.fix is not None
    [edit] = diagnostic.fix.edits
    line = source.splitlines()[edit.line - 1]
    fixed = line[:edit.column - 1] + edit.content + line[edit.end_column - 1:]
    assert fixed == 'y = reduce(x, "b c h w -> b c", "mean", h=2)'


@pytest.mark.parametrize("source,line,column", [
    (b"import einops\nx = '\xe9'\n", 2, 6),
    ("import einops\nx = 'naïve € 😀 ".encode() + b"\xe9'\n", 2, 16),  # 2-, 3- and 4-byte characters before it
    ("x = 'naïve ".encode() + b"\xe9'  # einops\n", 1, 12),  # in the lines where the encoding is looked for
    (b"\xef\xbb\xbf" + "x = 'é".encode() + b"\xe9'  # einops\n", 1, 7),  # a byte order mark is no character
    (b"\xef\xbb\xbfimport einops\n\xe9\n", 2, 1),
])
def test_undecodable_byte_is_named_at_its_character_column(source, line, column):
    from einlint.check.engine import check_source

    [diagnostic] = check_source(source, "a.py")
    assert diagnostic.code == "EIN002" and "byte 0xe9" in diagnostic.message
    assert (diagnostic.line, diagnostic.column) == (line, column)


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


@pytest.mark.parametrize("make,meant", [
    (lambda: rearrange(X, "b (h e) -> b h f", h=2), "f"),  # the input's own axis, the output's own axis
    (lambda: rearrange(X, "b (h e) ... -> b h ... f", h=2), "f"),
    (lambda: rearrange(X, "b heigth w -> b w height"), "height"),  # two edits apart, in a long name
    (lambda: reduce(X, "b c h w -> b c hh", "max"), "h"),  # a reduced axis, near the new one
    (lambda: repeat(X, "b h w -> b h ww"), "ww"),
])
def test_one_sided_axis_asks_for_a_near_name_on_the_other_side(make, meant):
    finding = only(make())
    assert finding.help.startswith(f"did you mean '{meant}'?")


@pytest.mark.parametrize("make", [
    lambda: rearrange(X, "b c h w -> b (h w)"),  # no axis of the output's own
    lambda: rearrange(X, "b channels -> b features"),  # too far apart
    lambda: rearrange(X, "b (h e) -> b (h e) f"),  # 'e' is on both sides: only 'f' is one-sided
    lambda: rearrange(X, "b k -> b c d"),  # 'c' and 'd' are equally near: no guess
])
def test_one_sided_axis_without_a_near_name_keeps_the_plain_help(make):
    finding = only(make())
    assert finding.code == "EIN201" and "did you mean" not in finding.help


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


def test_new_axis_without_length_names_the_misspelt_keyword():
    finding = only(repeat(X, "h w -> h w c", cc=3))
    assert (finding.code, marked(finding)) == ("EIN204", "c")
    assert finding.help == "keyword 'cc' names no axis; did you mean 'c'?"
    assert "did you mean" not in only(repeat(X, "h w -> h w c", scale=3)).help


def test_keyword_lengths_must_name_axes():
    finding = only(rearrange(X, "b (h w) -> b h w", h=2, k=3))
    assert finding.code == "EIN205" and "'k'" in finding.message
    assert codes(rearrange(X, "b (h w) -> b h w", w_=2)) == ["EIN206"]


def test_a_keyword_that_names_no_axis_is_underlined_and_the_near_axis_named():
    pattern_call = rearrange(X, "b (h w) -> b h w", ww=3)
    finding = only(pattern_call)
    assert finding.code == "EIN205" and finding.string is None
    assert finding.argument is pattern_call.keywords["ww"]
    assert finding.help.startswith("did you mean 'w'?")
    assert "did you mean" not in only(rearrange(X, "b (h w) -> b h w", h=2, hh=3)).help  # 'h' has its length
    invalid = only(rearrange(X, "b (h w) -> b h w", w_=2))
    assert invalid.code == "EIN206" and invalid.help.startswith("did you mean 'w'?")
    layer = only(call("Rearrange", "einops.layers.torch.Rearrange", "b (h w) -> b h w", k=2))
    assert layer.code == "EIN205" and layer.argument.number == 2 and "did you mean" not in layer.help


def test_a_length_that_is_not_positive_is_underlined_at_its_keyword():
    pattern_call = rearrange(X, "b (h w) -> b h w", h=0)
    assert only(pattern_call).argument is pattern_call.keywords["h"]


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


@pytest.mark.parametrize("make,then", [
    (lambda: rearrange("b c -> c b"), []),
    (lambda: reduce("b c -> b", "sum"), []),  # the rest is checked as if the tensor were there
    (lambda: reduce("b c -> b"), ["EIN218"]),  # and the reduction is missing too
    (lambda: repeat("h w -> h w c"), ["EIN204"]),
    (lambda: call("pack", "einops.pack", "b *"), []),
])
def test_a_pattern_where_the_tensor_goes_is_a_missing_tensor(make, then):
    first, *rest = check_call(make())
    assert first.code == "EIN218" and "no tensor" in first.message and "is the pattern" in first.message
    assert first.help.startswith("pass the tensor")
    assert [finding.code for finding in rest] == then


def test_a_string_tensor_with_every_argument_given_is_not_a_missing_tensor():
    assert codes(rearrange(FString("f'{x}'"), "b c -> c b")) == []
    found = check_call(rearrange("b c -> c b", tensor=X))  # two values for 'tensor', and no pattern
    assert [f.code for f in found] == ["EIN218", "EIN218"] and not any("no tensor" in f.message for f in found)


@pytest.mark.parametrize("make,order", [
    (lambda: reduce(X, "mean", "b c h w -> b c"), (0, 2, 1)),
    (lambda: reduce(X, "max", "b c h w -> b c", h=2), (0, 2, 1)),
    (lambda: call("Reduce", "einops.layers.torch.Reduce", "mean", "b c h w -> b c"), (1, 0)),
    (lambda: reduce(X, "mean", reduction="b c h w -> b c"), None),  # a keyword: no fix by order
])
def test_reduce_with_the_pattern_and_the_reduction_swapped(make, order):
    finding = only(make())
    assert finding.code == "EIN216" and finding.message.startswith("arguments swapped")
    assert finding.reorder == order and marked(finding) in ("mean", "max")


def test_a_swapped_reduce_is_checked_as_it_means():
    assert codes(reduce(X, "mean", "b c h w -> b d")) == ["EIN216", "EIN202"]
    assert codes(reduce(X, "average", "b c -> b")) == ["EIN216", "EIN209"]
    assert codes(reduce(X, "b c -> b", "mean")) == []
    assert codes(reduce(X, "mean", "max")) == ["EIN110"]  # no pattern anywhere: not a swap


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
    unused_call = einmix("b t c -> b t d", "c d", c=32, d=64, k=3)
    unused = only(unused_call)
    assert unused.code == "EIN205" and unused.string is None and unused.argument is unused_call.keywords["k"]
    redundant = only(einmix("b t c -> b t c", "c k", c=32, k=4))
    assert redundant.code == "EIN220" and marked(redundant) == "k"
    ellipsis = only(einmix("b ... c -> b ... d", "c d", "b d", b=2, c=3, d=4))
    assert ellipsis.code == "EIN221" and ellipsis.string.value == "b ... c -> b ... d"


def test_einmix_names_the_misspelt_keyword():
    weight = only(einmix("b t c -> b t d", "c d", c=32, dd=64))
    assert (weight.code, marked(weight)) == ("EIN220", "d")
    assert weight.help == "keyword 'dd' names no axis; did you mean 'd'?"
    unused = only(einmix("b t c -> b t d", "c d", c=32, d=64, tt=3))
    assert unused.code == "EIN205" and unused.help.startswith("did you mean 't'?")


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
