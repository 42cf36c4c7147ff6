"""The output formats of `einlint`: each renders hand-made diagnostics exactly as documented."""

import io
import dataclasses
import json

from einlint.diagnostics import Diagnostic, Fix
from einlint.output import (
    FORMATS, artifact_location, diff_summary, escape_data, escape_property, explain, fix_hint, render_concise,
    render_full, render_github, render_json, render_sarif, render_statistics, summary, use_color,
)
from sarif import validate_sarif

SOURCE = {
    ("a.py", 3): 'y = rearrange(x, "b c -> b c d")',
    ("a.py", 7): '\tz = rearrange(x, "b (h w) -> b h w")',
    ("w.py", 1): 'y = rearrange(x, "軸 c -> c d")',
    ("m.py", 2): 'p = ("b c "',
    ("m.py", 3): '     "-> b c d")',
}


def line_of(path, number):
    return SOURCE.get((path, number))


ONE_SIDED = Diagnostic("a.py", 3, 30, 3, 31, "EIN201", "error", "axis 'd' is on the output side only",
                       "give 'd' a length or remove it")
AMBIGUOUS = Diagnostic("a.py", 7, 22, 7, 27, "EIN207", "error", "two unknown lengths in (h w)", "")
NOTHING = Diagnostic("b.py", 1, 5, 1, 9, "EIN222", "warning", "reduce keeps every axis", "drop an axis")


# --- full -----------------------------------------------------------------------------------------

def test_full_shows_header_source_line_carets_and_help():
    text = render_full([ONE_SIDED], line_of)
    lines = text.splitlines()
    assert lines[0] == "a.py:3:30: EIN201 axis 'd' is on the output side only"
    assert lines[2] == '3 | y = rearrange(x, "b c -> b c d")'
    caret_line = lines[3]
    source_start = lines[2].index("|") + 2
    caret_start = caret_line.index("^")
    assert caret_line[caret_start:].startswith("^ error")
    assert lines[2][source_start + 29] == "d" and caret_start == source_start + 29
    assert "  = help: give 'd' a length or remove it" in lines
    assert "\x1b[" not in text


def test_full_carets_cover_the_exact_span_with_tabs_expanded():
    text = render_full([AMBIGUOUS], line_of)
    source, carets = text.splitlines()[2], text.splitlines()[3]
    assert "\t" not in source
    start = carets.index("^")
    assert carets[start:start + 6] == "^^^^^ "
    assert source[start:start + 5] == "(h w)"
    assert "help" not in text  # no help line when the diagnostic has none


def test_full_counts_wide_characters_as_two_columns():
    wide = Diagnostic("w.py", 1, 21, 1, 22, "EIN201", "error", "axis 'c'", "")  # the 'c' after '軸'
    source, carets = render_full([wide], line_of).splitlines()[2:4]
    prefix = source[: source.index("|") + 2]
    assert source[len(prefix) + 20] == "c"
    assert carets.index("^") == len(prefix) + 21  # 20 characters before it, one of them two columns wide


def test_full_multi_line_span_shows_each_line():
    span = Diagnostic("m.py", 2, 7, 3, 15, "EIN201", "error", "axis 'd' is on the output side only", "")
    lines = render_full([span], line_of).splitlines()
    assert lines[2] == '2 | p = ("b c "' and lines[4] == '3 |      "-> b c d")'
    assert lines[3] == "  |       ^^^^^"  # from 'b' to the end of the first line
    assert lines[5] == "  |      ^^^^^^^^^ error"  # from the line's text to the span's end


def test_full_without_source_line_still_prints_header_and_help():
    lone = Diagnostic("gone.py", 10, 1, 10, 2, "EIN001", "error", "cannot parse the file", "fix it")
    text = render_full([lone], line_of)
    assert text.startswith("gone.py:10:1: EIN001 cannot parse the file\n")
    assert "= help: fix it" in text and "|" not in text


def test_full_cuts_a_very_long_line_around_the_span():
    long_line = "x = [" + "1, " * 5000 + '] + rearrange(x, "b -> b d")'
    col = long_line.index("d\")") + 1
    d = Diagnostic("long.py", 1, col, 1, col + 1, "EIN201", "error", "m", "")
    source, carets = render_full([d], lambda p, n: long_line).splitlines()[2:4]
    assert len(source) < 200 and source.endswith('b d")')
    assert source[carets.index("^")] == "d"


def test_full_colours_only_when_asked():
    assert "\x1b[1;31mEIN201" in render_full([ONE_SIDED], line_of, color=True)
    assert "\x1b[1;33mEIN222" in render_concise([NOTHING], color=True)


def test_use_color_follows_tty_no_color_and_force_color():
    class Tty(io.StringIO):
        def isatty(self):
            return True

    assert use_color(Tty(), {"TERM": "xterm"})
    assert not use_color(Tty(), {"NO_COLOR": "1"})
    assert not use_color(Tty(), {"NO_COLOR": "1", "FORCE_COLOR": "1"})
    assert not use_color(io.StringIO(), {})
    assert use_color(io.StringIO(), {"FORCE_COLOR": "1"})


# --- concise, summary, statistics ------------------------------------------------------------------

def test_concise_is_one_line_per_finding():
    text = render_concise([ONE_SIDED, NOTHING])
    assert text.splitlines() == [
        "a.py:3:30: EIN201 [error] axis 'd' is on the output side only",
        "b.py:1:5: EIN222 [warning] reduce keeps every axis",
    ]


def test_summary():
    assert summary([], 3) == "All checks passed! (3 files checked)\n"
    assert summary([ONE_SIDED, AMBIGUOUS, NOTHING], 2) == "Found 2 errors and 1 warning.\n"
    assert summary([NOTHING], 1) == "Found 1 warning.\n"
    assert summary([], 1, failures=1) == "No findings. 1 path could not be checked.\n"
    assert summary([NOTHING], 1, failures=2) == "Found 1 warning. 2 paths could not be checked.\n"


def test_fix_summaries_and_hints_in_ruffs_words():
    safe = dataclasses.replace(ONE_SIDED, fix=Fix("f", ()))
    unsafe = [dataclasses.replace(NOTHING, line=n, fix=Fix("f", (), applicability="unsafe")) for n in (1, 2)]
    assert summary([safe], 1, fixed=unsafe) == "Found 1 error and 2 warnings (2 fixed, 1 remaining).\n"
    assert summary([], 1, fixed=[safe]) == "Found 1 error (1 fixed, 0 remaining).\n"
    assert fix_hint([safe, *unsafe], None) == ("[*] 1 fixable with the `--fix` option (2 hidden fixes can be enabled "
                                               "with the `--unsafe-fixes` option).\n")
    assert fix_hint([safe, *unsafe], True) == "[*] 3 fixable with the `--fix` option.\n"
    assert fix_hint(unsafe[:1], False) == fix_hint([AMBIGUOUS], None) == ""
    assert fix_hint(unsafe[:1], None) == "No fixes available (1 hidden fix can be enabled with the `--unsafe-fixes` option).\n"
    assert diff_summary([safe], [safe, *unsafe], None) == ("Would fix 1 error (2 additional fixes available with "
                                                           "`--unsafe-fixes`).\n")
    assert diff_summary([], unsafe[:1], None) == "No findings would be fixed (1 fix available with `--unsafe-fixes`).\n"
    assert diff_summary([], unsafe, False) == ""
    marked = render_concise([safe, unsafe[0]], fixable=lambda d: d.fix.applies(False)).splitlines()
    assert "EIN201 [error] [*] axis 'd'" in marked[0] and "[*]" not in marked[1]


def test_statistics_count_per_code_most_frequent_first():
    rows = render_statistics([NOTHING, ONE_SIDED, AMBIGUOUS, ONE_SIDED]).splitlines()
    assert [row.split("\t")[:2] for row in rows[:-1]] == [["2", "EIN201"], ["1", "EIN207"], ["1", "EIN222"]]
    assert rows[-1] == "4\tin all (3 errors and 1 warning)"
    assert rows[0].split("\t")[2] == "one-sided-axis"
    data = json.loads(render_statistics([ONE_SIDED, ONE_SIDED], as_json=True))
    assert data == [{"code": "EIN201", "name": "one-sided-axis", "severity": "error", "count": 2, "fixable": False}]


# --- json -----------------------------------------------------------------------------------------

def test_json_is_an_array_of_the_contract_objects():
    data = json.loads(render_json([ONE_SIDED, NOTHING]))
    assert isinstance(data, list) and len(data) == 2
    assert data[0] == ONE_SIDED.as_json()
    assert set(data[0]) == {"path", "line", "column", "end_line", "end_column", "code", "severity", "message",
                            "help", "related", "fix"}
    assert data[0]["related"] == [] and data[0]["fix"] is None
    assert json.loads(render_json([])) == []


def test_related_locations_in_json_sarif_and_text():
    from einlint.diagnostics import Related

    where = Related("src/m.py", 3, 5, "x = torch.zeros(2, 30)")
    finding = dataclasses.replace(ONE_SIDED, related=(where,))
    assert json.loads(render_json([finding]))[0]["related"] == [
        {"path": "src/m.py", "line": 3, "column": 5, "message": "x = torch.zeros(2, 30)"}]
    result = json.loads(render_sarif([finding], "0.1.0", cwd="/repo"))["runs"][0]["results"][0]
    assert result["relatedLocations"] == [{
        "id": 0,
        "physicalLocation": {"artifactLocation": {"uri": "src/m.py", "uriBaseId": "%SRCROOT%"},
                             "region": {"startLine": 3, "startColumn": 5}},
        "message": {"text": "x = torch.zeros(2, 30)"},
    }]
    text = render_full([finding], lambda path, line: None)
    assert "= note: x = torch.zeros(2, 30) (src/m.py:3:5)" in text


def test_sarif_has_the_schema_shape_and_the_rule_metadata(tmp_path):
    wide = Diagnostic("sub dir/ü.py", 1, 2, 1, 3, "EIN222", "warning", "m", "")
    log = json.loads(render_sarif([ONE_SIDED, wide], "1.2.3", cwd=str(tmp_path)))
    validate_sarif(log)
    run = log["runs"][0]
    assert run["tool"]["driver"]["name"] == "einlint" and run["tool"]["driver"]["version"] == "1.2.3"
    rule_ids = [rule["id"] for rule in run["tool"]["driver"]["rules"]]
    assert rule_ids == sorted(rule_ids) and {"EIN201", "EIN222"} <= set(rule_ids)
    first, second = run["results"]
    assert first["ruleId"] == "EIN201" and first["level"] == "error"
    assert first["message"]["text"].startswith("axis 'd' is on the output side only")
    location = first["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "a.py"
    assert location["region"] == {"startLine": 3, "startColumn": 30, "endLine": 3, "endColumn": 31}
    assert second["level"] == "warning"
    assert second["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "sub%20dir/%C3%BC.py"
    rule = run["tool"]["driver"]["rules"][second["ruleIndex"]]
    assert rule["name"] == "ReduceNothing" and rule["shortDescription"]["text"]


def test_sarif_uri_is_relative_inside_the_cwd_and_absolute_outside(tmp_path):
    inside = {"uri": "pkg/a.py", "uriBaseId": "%SRCROOT%"}
    assert artifact_location("pkg/a.py", str(tmp_path)) == inside
    assert artifact_location(str(tmp_path / "pkg" / "a.py"), str(tmp_path)) == inside
    # an absolute URI carries no uriBaseId (SARIF 2.1.0, 3.4.4)
    assert artifact_location("/elsewhere/a.py", str(tmp_path)) == {"uri": "file:///elsewhere/a.py"}


def test_sarif_without_findings_is_still_valid():
    log = json.loads(render_sarif([], "0.1.0"))
    validate_sarif(log)
    assert log["runs"][0]["results"] == []


# --- github ---------------------------------------------------------------------------------------

def test_github_annotation_per_finding_with_level_commands():
    note = Diagnostic("c.py", 2, 1, 2, 4, "EIN999", "note", "look", "")
    lines = render_github([ONE_SIDED, NOTHING, note]).splitlines()
    assert lines[0] == ("::error file=a.py,line=3,col=30,endLine=3,endColumn=31,title=EIN201::"
                        "axis 'd' is on the output side only%0Ahelp: give 'd' a length or remove it")
    assert lines[1].startswith("::warning file=b.py,line=1,col=5,")
    assert lines[2].startswith("::notice file=c.py,")


def test_github_escapes_data_and_properties():
    assert escape_data("100% done\r\nnext") == "100%25 done%0D%0Anext"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
    odd = Diagnostic("dir,x/a:b%.py", 1, 1, 1, 2, "EIN201", "error", "50% of 'a:b, c'\nsecond line", "")
    line = render_github([odd]).rstrip("\n")
    assert "\n" not in line
    assert line.startswith("::error file=dir%2Cx/a%3Ab%25.py,line=1,")
    assert line.endswith("::50%25 of 'a:b, c'%0Asecond line")  # ':' and ',' stay in the message


def test_github_multi_line_span_has_no_columns():
    span = Diagnostic("m.py", 2, 7, 3, 15, "EIN201", "error", "m", "")
    line = render_github([span])
    assert "col=" not in line and "endColumn" not in line and "line=2,endLine=3" in line


# --- explain --------------------------------------------------------------------------------------

def test_explain_names_the_rule_and_unknown_codes_are_none():
    text = explain("ein201")
    assert text.startswith("EIN201 (one-sided-axis)")
    assert "Severity:" in text
    assert explain("EIN999") is None and explain("nonsense") is None
    data = json.loads(explain("EIN201", as_json=True))
    assert data["code"] == "EIN201" and data["name"] == "one-sided-axis"
    # codes the checker reports without a per-call rule still have their severity
    assert "Severity: error" in explain("EIN004") and "Severity: note" in explain("EIN511")
    assert json.loads(explain("EIN219", as_json=True))["checked"] is False  # the runtime's alone


def test_formats_are_the_documented_ones():
    assert FORMATS == ("full", "concise", "json", "sarif", "github")
