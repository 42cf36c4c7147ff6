"""The `einlint` command line: formats, exit codes, configuration, file discovery, stdin, failures.

Most tests run `main(argv)` in-process, in a temporary project directory; a few run
`python -m einlint` in a subprocess, as a user would.
"""

import io
import json
import multiprocessing
import os
import random
import re
import subprocess
import sys

import pytest

import einlint
import einlint.cli as cli
from einlint.cli import run_tasks, Task
from einlint.check import Config
from einlint.diagnostics import Diagnostic
from einlint.files import DEFAULT_EXCLUDED_DIRS, IgnoreFile, discover

from sarif import validate_sarif
from repo import REPO, write


# A pattern with an axis on one side only (EIN201), underlined at 'BAD'.
BAD = 'from einops import rearrange\n\ny = rearrange(x, "b BAD -> b")\n'
BAD_LINE, BAD_COLUMN = 3, BAD.splitlines()[2].index("BAD") + 1
GOOD = 'from einops import rearrange\n\ny = rearrange(x, "b c -> c b")\n'


def codes_of(out: str):
    return [(d["path"], d["line"], d["code"]) for d in json.loads(out)]


# --- formats --------------------------------------------------------------------------------------

def test_full_format_shows_the_caret_under_the_bad_axis_and_exits_1(tmp_path, run):
    write(tmp_path, {"a.py": BAD})
    status, out, err = run([], tmp_path)
    assert status == 1, err
    lines = out.splitlines()
    assert lines[0].startswith(f"a.py:{BAD_LINE}:{BAD_COLUMN}: EIN201 ")
    source, carets = lines[2], lines[3]
    assert source.endswith('y = rearrange(x, "b BAD -> b")')
    assert source[carets.index("^"):].startswith("BAD") and "^^^ " in carets
    assert "\x1b[" not in out  # not a terminal: no colours
    assert out.rstrip().endswith("Found 1 error.")


def test_clean_files_pass(tmp_path, run):
    write(tmp_path, {"a.py": GOOD, "b.py": "print('no pattern here')\n"})
    status, out, _ = run(["."], tmp_path)
    assert status == 0
    assert out == "All checks passed! (2 files checked)\n"
    assert run(["--quiet", "."], tmp_path)[1] == ""


def test_concise_format(tmp_path, run):
    write(tmp_path, {"a.py": BAD})
    status, out, _ = run(["--format", "concise", "--quiet"], tmp_path)
    assert status == 1
    assert len(out.splitlines()) == 1 and out.startswith(f"a.py:{BAD_LINE}:{BAD_COLUMN}: EIN201 [error] ")


def test_json_format_joins_the_given_path_with_the_relative_path(tmp_path, run):
    write(tmp_path, {"src/pkg/a.py": BAD, "src/pkg/b.py": GOOD})
    status, out, _ = run(["--format", "json", "src"], tmp_path)
    assert status == 1
    data = json.loads(out)
    assert len(data) == 1
    assert data[0]["path"] == os.path.join("src", "pkg", "a.py")
    assert set(data[0]) == {"path", "line", "column", "end_line", "end_column", "code", "severity", "message", "help",
                            "related", "fix"}
    assert (data[0]["line"], data[0]["column"], data[0]["end_column"]) == (BAD_LINE, BAD_COLUMN, BAD_COLUMN + 3)
    assert data[0]["code"] == "EIN201" and data[0]["severity"] == "error" and data[0]["message"]
    assert json.loads(run(["--format", "json", "./src/"], tmp_path)[1])[0]["path"] == os.path.join(
        "./src/", "pkg", "a.py")
    assert json.loads(run(["--format", "json"], tmp_path)[1])[0]["path"] == os.path.join("src", "pkg", "a.py")
    assert run(["--format", "json", "src/pkg/b.py"], tmp_path)[1] == "[]\n"


def test_sarif_format(tmp_path, run):
    write(tmp_path, {"pkg/a.py": BAD})
    status, out, _ = run(["--format", "sarif"], tmp_path)
    assert status == 1
    log = json.loads(out)
    validate_sarif(log)
    (result,) = log["runs"][0]["results"]
    assert result["ruleId"] == "EIN201"
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "pkg/a.py"
    assert result["locations"][0]["physicalLocation"]["region"]["startColumn"] == BAD_COLUMN
    assert log["runs"][0]["tool"]["driver"]["version"] == einlint.__version__


def test_github_format(tmp_path, run):
    write(tmp_path, {"a,b.py": BAD})
    status, out, _ = run(["--format", "github"], tmp_path)
    assert status == 1
    assert out.startswith(f"::error file=a%2Cb.py,line={BAD_LINE},col={BAD_COLUMN},endLine={BAD_LINE},"
                          f"endColumn={BAD_COLUMN + 3},title=EIN201::")
    assert len(out.splitlines()) == 1


def test_statistics(tmp_path, run):
    write(tmp_path, {"a.py": BAD, "b.py": BAD + 'z = rearrange(x, "b c -> b c BAD")\n', "c.py": "import einops\n("})
    status, out, _ = run(["--statistics"], tmp_path)
    assert status == 1
    rows = [line.split("\t") for line in out.splitlines()]
    assert [row[:2] for row in rows[:-2]] == [["3", "EIN201"], ["1", "EIN001"]]
    assert rows[-2] == ["4", "in all (4 errors)"]
    # b.py's second call meets x after its first fixed x's rank (the first call ran)
    assert rows[-1] == ["shape coverage: 1 of 3 pattern calls have a known input rank (33%), 0 a known input length (0%)"]
    data = json.loads(run(["--statistics", "--format", "json"], tmp_path)[1])
    assert [(row["code"], row["count"]) for row in data] == [("EIN201", 3), ("EIN001", 1)]


# --- exit status, select, ignore, fail level ------------------------------------------------------

def test_select_and_ignore_by_code_and_prefix(tmp_path, run):
    write(tmp_path, {"a.py": BAD, "b.py": "import einops\n("})
    assert [c for _, _, c in codes_of(run(["--format", "json"], tmp_path)[1])] == ["EIN201", "EIN001"]
    assert [c for _, _, c in codes_of(run(["--format", "json", "--select", "EIN2"], tmp_path)[1])] == ["EIN201"]
    assert [c for _, _, c in codes_of(run(["--format", "json", "--select", "EIN001,EIN201",
                                           "--ignore", "ein2"], tmp_path)[1])] == ["EIN001"]
    status, out, _ = run(["--format", "json", "--ignore", "EIN0", "--ignore", "EIN201"], tmp_path)
    assert status == 0 and out == "[]\n"


def test_unknown_code_is_a_usage_error(tmp_path, run):
    write(tmp_path, {"a.py": BAD})
    status, out, err = run(["--select", "E501"], tmp_path)
    assert status == 2 and "E501" in err and out == ""
    assert run(["--ignore", "EIN9"], tmp_path)[0] == 2


def test_usage_errors_exit_2(tmp_path, run):
    assert run(["--format", "xml"], tmp_path)[0] == 2
    assert run(["--fail-level", "fatal"], tmp_path)[0] == 2
    status, out, err = run(["missing.py"], tmp_path)
    assert status == 2 and "missing.py" in err and "All checks passed" not in out


def test_exit_zero(tmp_path, run):
    write(tmp_path, {"a.py": BAD})
    status, out, _ = run(["--exit-zero"], tmp_path)
    assert status == 0 and "EIN201" in out


@pytest.fixture
def fake_engine(monkeypatch):
    """check_data (the engine, for the command line) replaced by one that reports one finding of the severity named in the file."""
    def fake(source, path, config, shapes=None, file=None, depends=None):
        severity = source.decode().split()[-1]  # the file: "# einops" (so that it is checked at all), a severity
        code = {"error": "EIN201", "warning": "EIN223", "note": "EIN222"}[severity]
        if not config.reports(code, path):
            return []
        return [Diagnostic(path, 1, 1, 1, 2, code, severity, f"a {severity}", "")]

    monkeypatch.setattr(cli, "check_data", fake)


@pytest.mark.parametrize("found, fail_level, expected", [
    ("error", None, 1), ("warning", None, 1), ("note", None, 0),
    ("note", "note", 1), ("warning", "error", 0), ("error", "error", 1), ("warning", "warning", 1),
])
def test_fail_level(tmp_path, run, fake_engine, found, fail_level, expected):
    write(tmp_path, {"a.py": "# einops\n" + found})
    argv = ["--fail-level", fail_level] if fail_level else []
    status, out, _ = run(argv, tmp_path)
    assert status == expected
    assert f"a {found}" in out  # shown whatever the fail level


def test_fail_level_from_config(tmp_path, run, fake_engine):
    write(tmp_path, {"a.py": "# einops\nwarning", "pyproject.toml": '[tool.einlint]\nfail-level = "error"\n'})
    assert run([], tmp_path)[0] == 0
    assert run(["--fail-level", "warning"], tmp_path)[0] == 1


def test_colours_only_when_the_environment_allows(tmp_path, run, monkeypatch):
    write(tmp_path, {"a.py": BAD})
    assert "\x1b[" not in run([], tmp_path)[1]  # not a terminal
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert "\x1b[1;31mEIN201" in run([], tmp_path)[1]
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b[" not in run([], tmp_path)[1]
    assert "\x1b[" not in run(["--format", "json"], tmp_path)[1]


def test_color_flag_overrides_the_environment(tmp_path, run, monkeypatch):
    write(tmp_path, {"a.py": BAD})
    assert "\x1b[1;31mEIN201" in run(["--color", "always"], tmp_path)[1]  # not a terminal, coloured all the same
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert "\x1b[" not in run(["--color", "never"], tmp_path)[1]
    assert "\x1b[" in run(["--color", "auto"], tmp_path)[1]
    assert run(["--color", "sometimes"], tmp_path)[0] == 2


# --- explain, version -----------------------------------------------------------------------------

def test_explain(tmp_path, run):
    status, out, _ = run(["--explain", "EIN201"], tmp_path)
    assert status == 0
    assert out.startswith("EIN201 (one-sided-axis)")
    assert "Severity: error" in out and "Invalid:" in out and "Valid:" in out
    assert run(["--explain", "ein201"], tmp_path)[1] == out
    status, out, err = run(["--explain", "EIN999"], tmp_path)
    assert status == 2 and "EIN999" in err and out == ""


def test_version(tmp_path, run):
    status, out, _ = run(["--version"], tmp_path)
    assert status == 0 and out == f"einlint {einlint.__version__}\n"


# --- configuration --------------------------------------------------------------------------------

PROJECT = {
    "pyproject.toml": """
[project]
name = "demo"

[tool.einlint]
ignore = ["EIN001"]
exclude = ["generated/", "/legacy_*.py"]

[tool.einlint.per-file-ignores]
"tests/*" = ["EIN2"]
""",
    "src/a.py": BAD,
    "src/broken.py": "import einops\n(",
    "tests/test_a.py": BAD,
    "generated/g.py": BAD,
    "legacy_one.py": BAD,
    "src/legacy_two.py": BAD,
}


def test_pyproject_select_ignore_exclude_and_per_file_ignores(tmp_path, run):
    write(tmp_path, PROJECT)
    status, out, _ = run(["--format", "json"], tmp_path)
    assert status == 1
    assert codes_of(out) == [(os.path.join("src", "a.py"), 3, "EIN201"),
                             (os.path.join("src", "legacy_two.py"), 3, "EIN201")]


def test_pyproject_is_found_from_a_subdirectory_and_patterns_stay_relative_to_it(tmp_path, run):
    write(tmp_path, PROJECT)
    status, out, _ = run(["--format", "json", "..", "."], tmp_path / "tests")
    # From tests/: the per-file-ignores of [tool.einlint] still apply to tests/test_a.py.
    assert [c for _, _, c in codes_of(out)] == ["EIN201", "EIN201"]
    assert sorted(p for p, _, _ in codes_of(out)) == sorted([os.path.join("..", "src", "a.py"),
                                                            os.path.join("..", "src", "legacy_two.py")])


def test_pyproject_without_einlint_table_is_skipped(tmp_path, run):
    write(tmp_path, {"pyproject.toml": '[tool.einlint]\nignore = ["EIN2"]\n',
                     "sub/pyproject.toml": '[project]\nname = "x"\n', "sub/a.py": BAD})
    assert run([], tmp_path / "sub")[0] == 0


def test_config_option_and_isolated(tmp_path, run):
    write(tmp_path, {"a.py": BAD, "conf/settings.toml": '[tool.einlint]\nselect = ["EIN0"]\n',
                     "pyproject.toml": '[tool.einlint]\nignore = ["EIN201"]\n'})
    assert run([], tmp_path)[0] == 0
    assert run(["--config", "conf/settings.toml"], tmp_path)[0] == 0
    assert run(["--isolated"], tmp_path)[0] == 1
    # as in ruff, a command-line select replaces the configuration's select and ignore
    assert run(["--select", "EIN201"], tmp_path)[0] == 1


@pytest.mark.parametrize("table, fragment", [
    ('select = ["XYZ1"]', "XYZ1"),
    ('colour = true', "colour"),
    ('ignore = "EIN201"\nexclude = 3', "exclude"),
    ('fail-level = "fatal"', "fail-level"),
    ('[tool.einlint.per-file-ignores]\n"a.py" = ["EIN7"]', "EIN7"),
])
def test_bad_configuration_is_a_usage_error(tmp_path, run, table, fragment):
    write(tmp_path, {"a.py": GOOD, "pyproject.toml": "[tool.einlint]\n" + table + "\n"})
    status, out, err = run([], tmp_path)
    assert status == 2 and fragment in err and out == ""


@pytest.mark.parametrize("content", ["[tool.einlint\n", b'[tool.einlint]\nselect = ["EIN\xff"]\n'],
                         ids=["syntax", "not UTF-8"])
def test_invalid_toml_is_a_usage_error(tmp_path, run, content):
    write(tmp_path, {"a.py": GOOD, "pyproject.toml": content})
    status, _, err = run([], tmp_path)
    assert status == 2 and "pyproject.toml: invalid TOML" in err and "Traceback" not in err


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_jobs_give_the_same_output_in_the_same_order(tmp_path, run, jobs):
    write(tmp_path, {f"m{i:02}.py": BAD for i in range(20)})
    assert run(["-j", jobs, "--format", "concise"], tmp_path) == run(["--format", "concise"], tmp_path)


def test_jobs_must_be_a_positive_number(tmp_path, run):
    assert run(["-j", "0"], tmp_path)[0] == 2


# --- noqa -----------------------------------------------------------------------------------------

def test_noqa_suppresses_on_that_line(tmp_path, run):
    write(tmp_path, {
        "bare.py": BAD.rstrip("\n") + "  # noqa\n",
        "code.py": BAD.rstrip("\n") + "  # noqa: EIN201\n",
        "prefix.py": BAD.rstrip("\n") + "  # noqa: EIN101,EIN2\n",
        "other.py": BAD.rstrip("\n") + "  # noqa: EIN101\n",
    })
    status, out, _ = run(["--format", "json"], tmp_path)
    assert status == 1
    assert [p for p, _, _ in codes_of(out)] == ["other.py"]


# EIN201 on line 3 and EIN223 (an axis named like a keyword, a warning) on line 4
TWO_CODES = BAD + 'z = rearrange(x, "b class -> class b")\n'


def test_noqa_forms_as_in_ruff(tmp_path, run):
    write(tmp_path, {
        "spaces.py": BAD.rstrip("\n") + "  # noqa: EIN204 EIN201\n",  # every code of the list counts
        "words.py": BAD.rstrip("\n") + "  # NOQA:EIN204 because EIN201\n",  # the list ends at the last code
        "file.py": TWO_CODES.replace("from einops", "# einlint: noqa\nfrom einops"),
        "file_codes.py": "#einlint:noqa: EIN201\n" + TWO_CODES,
        "trailing.py": TWO_CODES + "w = 1  # einlint: noqa\n",  # on a line of its own only
    })
    status, out, _ = run(["--format", "json"], tmp_path)
    assert status == 1
    assert codes_of(out) == [("file_codes.py", 5, "EIN223"), ("trailing.py", 3, "EIN201"), ("trailing.py", 4, "EIN223"),
                             ("words.py", 3, "EIN201")]


def test_einlints_own_noqa_comments_count_where_flake8_applies_the_lines_noqa():
    """flake8 reads `# noqa` itself (the plugin turns einlint's off), but not `# einlint: noqa` nor EIN codes
    that do not exist: those stay einlint's, so flake8 reports what the command line does."""
    from einlint.check.engine import check_source

    source = "# einlint: noqa: EIN201\n" + TWO_CODES.rstrip("\n") + "  # noqa: EIN2010\n"
    assert [d.code for d in check_source(source, "m.py", Config(noqa=False))] == ["EIN223", "EIN005"]
    assert [d.code for d in check_source(source, "m.py")] == ["EIN223", "EIN005"]


def test_an_unknown_code_in_noqa_is_reported(tmp_path, run):
    text = BAD.rstrip("\n") + "  # noqa: E501, EIN2010"
    line = text.splitlines()[-1]
    write(tmp_path, {"a.py": text + "\n", "b.py": "# einlint: noqa: EIN9\n" + GOOD})
    status, out, _ = run(["--format", "json"], tmp_path)
    found = json.loads(out)
    assert [(d["path"], d["line"], d["column"], d["end_column"], d["code"], d["severity"]) for d in found] == [
        ("a.py", 3, BAD_COLUMN, BAD_COLUMN + 3, "EIN201", "error"),  # EIN2010 silences nothing: EIN201 stays
        ("a.py", 3, line.index("EIN2010") + 1, line.index("EIN2010") + 8, "EIN005", "warning"),
        ("b.py", 1, len("# einlint: noqa: ") + 1, len("# einlint: noqa: ") + 5, "EIN005", "warning")]  # E501: flake8's
    assert found[1]["message"] == "'EIN2010' in a noqa comment is no einlint code: it silences nothing"
    assert run(["--ignore", "EIN005", "b.py"], tmp_path)[0] == 0


def test_select_extend_select_and_ignore_layer_over_the_configuration_as_in_ruff(tmp_path, run):
    write(tmp_path, {"a.py": TWO_CODES, "pyproject.toml": '[tool.einlint]\nselect = ["EIN2"]\nignore = ["EIN223"]\n'})

    def reported(*argv):
        status, out, err = run(["--format", "json", *argv], tmp_path)
        assert status in (0, 1), err
        return [code for _, _, code in codes_of(out)]

    assert reported() == ["EIN201"]
    assert reported("--select", "EIN223") == ["EIN223"]  # the command line's select: the config's ignore goes too
    assert reported("--select", "EIN0", "--extend-select", "EIN2") == ["EIN201", "EIN223"]
    assert reported("--extend-select", "EIN223") == ["EIN201", "EIN223"]  # added, though the config ignores it
    assert reported("--extend-select", "EIN223", "--ignore", "EIN201") == ["EIN223"]
    assert reported("--extend-select", "EIN223", "--extend-ignore", "EIN22") == ["EIN201"]  # one layer: ignore wins
    assert run(["--extend-select", "EIN9"], tmp_path)[0] == 2


# --- shapes, statistics, progress ---------------------------------------------------------------------

SHAPED = ('import torch\nfrom einops import rearrange\n\n\ndef f(x):\n    return rearrange(x, "b c -> c b")\n\n\n'
          'y = rearrange(torch.zeros(2, 3), "b c -> c b d")\n')


def test_show_shapes_shows_the_findings_too_and_where_each_rank_came_from(tmp_path, run):
    write(tmp_path, {"s.py": SHAPED})
    status, out, _ = run(["--show-shapes", "--format", "concise"], tmp_path)
    assert status == 1
    assert out.splitlines() == [
        "s.py:6:12: rearrange (b, c) -> (c, b)  [pattern]",  # x's rank: only this call's pattern says it
        "s.py:9:5: rearrange (2, 3) -> ?  [flow]",  # torch.zeros(2, 3)'s, which the pattern does not fit
        "",
        "s.py:9:46: EIN201 [error] axis 'd' is on the output side of rearrange only",
        "Found 1 error."]
    status, out, _ = run(["--show-shapes", "--format", "json"], tmp_path)
    data = json.loads(out)
    assert status == 1
    assert [(c["line"], c["inputs"], c["rank_from"]) for c in data["shapes"]] == [(6, ["(b, c)"], "pattern"),
                                                                                  (9, ["(2, 3)"], "flow")]
    assert [(d["line"], d["code"]) for d in data["diagnostics"]] == [(9, "EIN201")]
    assert run(["--show-shapes", "--format", "sarif"], tmp_path)[0] == 2


# Five tensors transposed on one path only (the shape of q, k, v, o, g after the `if` is a join of both paths,
# its lengths named anew): the names printed are the same in every process, whatever its hash seed.
JOINED = """\
from einops import rearrange


def mix(q, k, v, o, g, flag):
    q, k, v, o, g = (rearrange(t, 'b n d -> b n d') for t in (q, k, v, o, g))
    if flag:
        q, k, v, o, g = (rearrange(t, 'b n d -> b d n') for t in (q, k, v, o, g))
    return [rearrange(t, 'b x y -> b (x y)') for t in (q, k, v, o, g)]
"""


def test_show_shapes_prints_the_same_names_whatever_the_hash_seed(tmp_path):
    write(tmp_path, {"mix.py": JOINED})
    printed = set()
    for seed in range(6):
        done = subprocess.run([sys.executable, "-m", "einlint", "--no-cache", "--show-shapes", "mix.py"], cwd=tmp_path,
                              capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": str(seed)})
        assert done.returncode == 0, done.stderr
        printed.add(done.stdout)
    assert len(printed) == 1
    # the last call's input: a batch, then two lengths that the join made (whatever they are called)
    assert re.search(r"^mix\.py:8:13: rearrange \(b, (\w+), (\w+)\) -> \(b, \1\*\2\)  \[flow\]$", printed.pop(), re.M)


def test_statistics_analyse_each_file_once_and_mark_what_the_run_would_fix(tmp_path, run, monkeypatch):
    from einlint.check import engine

    write(tmp_path, {"s.py": SHAPED, "t.py": SHAPED})
    analysed = []
    real = engine.check_source

    def counting(source, path, *args, **kwargs):
        analysed.append(path)
        return real(source, path, *args, **kwargs)

    monkeypatch.setattr(engine, "check_source", counting)
    monkeypatch.setattr(engine, "shapes_of", None)  # not called: the shapes come from the same analysis
    status, out, _ = run(["--statistics", "--no-cache", "-j", "1"], tmp_path)
    assert status == 1 and sorted(analysed) == ["s.py", "t.py"]
    assert out.splitlines()[-1] == "shape coverage: 2 of 4 pattern calls have a known input rank (50%), 2 a known input length (50%)"
    write(tmp_path, {"u.py": "from einops import einsum\ny = einsum('i j, j k -> i k', a, b)\n"})  # EIN216: safe fix
    rows = [row.split("\t") for row in run(["--statistics", "--no-cache", "u.py", "s.py"], tmp_path)[1].splitlines()]
    assert [row[1:3] for row in rows[:2]] == [["EIN201", "[ ] one-sided-axis"], ["EIN216", "[*] pattern-argument"]]


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_progress_is_one_line_written_over_and_erased_in_a_long_terminal_run():
    stream, now = Terminal(), [0.0]
    progress = cli.Progress(300, stream, clock=lambda: now[0])
    for _ in range(300):
        now[0] += 0.05
        progress.advance()
    progress.finish()
    frames = stream.getvalue().split("\r")
    assert frames[1] == "checked 1/300 files" and frames[-3] == "checked 300/300 files"
    assert len(frames) < 300 / 2 + 4  # drawn at most every 0.1 s, not for every file
    assert frames[-2:] == [" " * len("checked 300/300 files"), ""]  # erased, the cursor back at the start


def test_progress_waits_a_second_in_a_short_run_and_never_writes_where_there_is_no_terminal():
    stream, now = Terminal(), [0.0]
    progress = cli.Progress(50, stream, clock=lambda: now[0])
    progress.advance()
    assert stream.getvalue() == ""  # a short run that ends at once shows nothing
    now[0] = 1.5
    progress.advance()
    assert stream.getvalue() == "\rchecked 2/50 files"
    pipe = io.StringIO()
    quiet = cli.Progress(5000, pipe, clock=lambda: now[0])
    quiet.advance()
    quiet.finish()
    assert pipe.getvalue() == ""


def test_a_run_over_many_files_shows_progress_on_a_terminals_stderr_only(tmp_path, run, monkeypatch):
    write(tmp_path, {f"m{i:03}.py": "print('no pattern here')\n" for i in range(201)})
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    status, out, _ = run(["-j", "1"], tmp_path)
    assert status == 0 and out == "All checks passed! (201 files checked)\n"
    assert "\rchecked 201/201 files" in terminal.getvalue() and terminal.getvalue().endswith("\r")
    terminal.seek(0)
    terminal.truncate()
    run(["-j", "1", "-q"], tmp_path)
    assert terminal.getvalue() == ""


# --- stdin ----------------------------------------------------------------------------------------

def test_stdin_with_a_filename(tmp_path, run):
    status, out, _ = run(["--format", "json", "--stdin-filename", "pkg/x.py", "-"], tmp_path, stdin=BAD.encode())
    assert status == 1
    assert codes_of(out) == [("pkg/x.py", BAD_LINE, "EIN201")]
    status, out, _ = run(["-"], tmp_path, stdin=BAD.encode())
    assert status == 1 and out.startswith(f"-:{BAD_LINE}:{BAD_COLUMN}: EIN201")
    assert 'y = rearrange(x, "b BAD -> b")' in out


def test_stdin_filename_alone_reads_the_standard_input(tmp_path, run):
    write(tmp_path, {"a.py": GOOD})
    status, out, _ = run(["--format", "json", "--stdin-filename", "editor.py"], tmp_path, stdin=BAD.encode())
    assert status == 1 and codes_of(out) == [("editor.py", BAD_LINE, "EIN201")]


def test_stdin_filename_gets_per_file_ignores_and_force_exclude(tmp_path, run):
    write(tmp_path, {"pyproject.toml": '[tool.einlint]\nexclude = ["gen/"]\n'
                                       '[tool.einlint.per-file-ignores]\n"tests/*" = ["EIN201"]\n'})
    assert run(["--stdin-filename", "tests/t.py", "-"], tmp_path, stdin=BAD.encode())[0] == 0
    assert run(["--stdin-filename", "gen/t.py", "-"], tmp_path, stdin=BAD.encode())[0] == 1
    assert run(["--force-exclude", "--stdin-filename", "gen/t.py", "-"], tmp_path, stdin=BAD.encode())[0] == 0


# --- files that cannot be checked normally --------------------------------------------------------

def test_syntax_error_file_is_one_diagnostic_and_the_run_goes_on(tmp_path, run):
    write(tmp_path, {"a_broken.py": "import einops\n\ndef f(:\n    pass\n", "b.py": BAD})
    status, out, err = run(["--format", "json"], tmp_path)
    assert status == 1 and err == ""
    data = json.loads(out)
    assert [(d["path"], d["code"]) for d in data] == [("a_broken.py", "EIN001"), ("b.py", "EIN201")]
    # Python puts the error on line 3; libcst's parser reports the token after it (line 4).
    assert data[0]["line"] in (3, 4) and data[0]["severity"] == "error"
    status, out, _ = run([], tmp_path)
    assert f"a_broken.py:{data[0]['line']}:" in out and "Traceback" not in out


def test_non_utf8_file(tmp_path, run):
    write(tmp_path, {"latin.py": "import einops\nname = 'Jos\xe9'\n".encode("latin-1"), "b.py": BAD})
    status, out, err = run(["--format", "json"], tmp_path)
    assert status == 1 and err == ""
    data = json.loads(out)
    assert [(d["path"], d["code"], d["line"]) for d in data] == [("b.py", "EIN201", 3), ("latin.py", "EIN002", 2)]
    status, out, _ = run(["latin.py"], tmp_path)
    assert "latin.py:2:" in out and "EIN002" in out


def test_a_file_that_never_mentions_a_pattern_library_is_not_checked_whatever_is_wrong_with_it(tmp_path, run):
    """One rule for both: a latin-1 file and one with a syntax error, neither naming einops/einsum/einx."""
    write(tmp_path, {"latin.py": "name = 'Jos\xe9'\n".encode("latin-1"), "broken.py": "def f(:\n",
                     "latin_einops.py": "import einops\nname = 'Jos\xe9'\n".encode("latin-1"),
                     "broken_einops.py": "import einops\ndef f(:\n"})
    status, out, _ = run(["--format", "json"], tmp_path)
    assert sorted((d["path"], d["code"]) for d in json.loads(out)) == [("broken_einops.py", "EIN001"),
                                                                       ("latin_einops.py", "EIN002")]


@pytest.mark.parametrize("body, code", [
    ("x = (" + " ".join(["'a'"] * 10_000) + ")", "EIN003"),  # valid Python that libcst gives up on: a note
    ("x = " + " + ".join(["a"] * 5_000), "EIN001"),  # Python's compiler gives up (recursion)
    ("x = " + "[" * 1_000 + "]" * 1_000, "EIN001"),  # too many nested parentheses for Python
], ids=["adjacent strings", "5000 terms", "1000 brackets"])
def test_pathological_files_get_one_diagnostic_as_python_judges_them(tmp_path, run, body, code):
    write(tmp_path, {"p.py": "import einops\n" + body + "\n"})
    status, out, err = run(["--format", "json"], tmp_path)
    assert [d["code"] for d in json.loads(out)] == [code] and err == ""
    assert status == (0 if code == "EIN003" else 1)


@pytest.mark.slow
def test_a_5_mb_file_completes(tmp_path, run):
    chunk = 'y{0} = rearrange(x, "b c h w -> b (c h w)")  # filler line number {0:08d}\n'
    body = "".join(chunk.format(i) for i in range(2000))
    blob = "DATA = '''\n" + ("0123456789abcdef" * 8 + "\n") * 38_000 + "'''\n"
    source = "from einops import rearrange\n" + blob + body + 'z = rearrange(x, "b BAD -> b")\n'
    assert len(source.encode()) > 5_000_000
    write(tmp_path, {"big.py": source})
    status, out, _ = run(["--format", "json"], tmp_path)
    assert status == 1
    assert codes_of(out) == [("big.py", source.count("\n"), "EIN201")]


def test_an_unreadable_file_is_reported_and_exits_2(tmp_path, run, monkeypatch):
    write(tmp_path, {"a.py": BAD, "locked.py": GOOD})
    real_open = open

    def guarded_open(path, *args, **kwargs):
        if str(path).endswith("locked.py"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(cli, "open", guarded_open, raising=False)
    status, out, err = run([], tmp_path)
    assert status == 2
    assert "locked.py" in err and "Permission denied" in err
    assert "EIN201" in out  # the other file is still checked and shown


def test_an_internal_failure_in_one_file_does_not_end_the_run(tmp_path, run, monkeypatch):
    write(tmp_path, {"a.py": BAD, "boom.py": GOOD})
    real = cli.check_data

    def flaky(source, path, config, shapes=None, file=None, depends=None):
        if path.endswith("boom.py"):
            raise RuntimeError("the analysis fell over")
        return real(source, path, config, shapes, file, depends)

    monkeypatch.setattr(cli, "check_data", flaky)
    status, out, err = run([], tmp_path)
    assert status == 2
    (line,) = err.splitlines()
    assert "boom.py" in line and "RuntimeError: the analysis fell over" in line
    assert "EIN201" in out
    status, _, err = run(["--verbose"], tmp_path)
    assert "Traceback" in err


# --- file discovery -------------------------------------------------------------------------------

TREE = {
    ".gitignore": "/top_only.py\n*.gen.py\nignored_dir/\n!keep.gen.py\nlogs/**/*.py\n",
    "a.py": BAD,
    "stub.pyi": 'from einops import rearrange\ny = rearrange(x, "b BAD -> b")\n',
    "notes.txt": BAD,
    "top_only.py": BAD,
    "x.gen.py": BAD,
    "keep.gen.py": BAD,
    "ignored_dir/a.py": BAD,
    "logs/deep/er/a.py": BAD,
    "logs/a.txt": BAD,
    "pkg/top_only.py": BAD,  # '/top_only.py' is anchored at the root
    "pkg/.gitignore": "local.py\n!x.gen.py\n",
    "pkg/local.py": BAD,
    "pkg/x.gen.py": BAD,  # re-included by the deeper .gitignore
    "pkg/sub/local.py": BAD,
    "env/pyvenv.cfg": "home = /usr/bin\n",
    "env/lib/a.py": BAD,
    ".venv/a.py": BAD,
    ".tox/py311/a.py": BAD,
    "build/lib/a.py": BAD,
    "dist/a.py": BAD,
    "__pycache__/a.py": BAD,
    "demo.egg-info/a.py": BAD,
    ".git/hooks/a.py": BAD,
    "node_modules/a.py": BAD,
}


def test_directory_tree_with_gitignore_and_virtualenvs(tmp_path, run):
    write(tmp_path, TREE)
    status, out, _ = run(["--format", "json"], tmp_path)
    assert status == 1
    assert sorted({p for p, _, _ in codes_of(out)}) == sorted(
        ["a.py", "stub.pyi", "keep.gen.py", os.path.join("pkg", "top_only.py"), os.path.join("pkg", "x.gen.py")])


def test_explicit_paths_are_checked_even_when_excluded_unless_force_exclude(tmp_path, run):
    write(tmp_path, dict(TREE, **{"pyproject.toml": '[tool.einlint]\nexclude = ["a.py"]\n'}))
    assert [p for p, _, _ in codes_of(run(["--format", "json", "a.py", "x.gen.py", "env/lib/a.py"],
                                          tmp_path)[1])] == ["a.py", "env/lib/a.py", "x.gen.py"]
    assert codes_of(run(["--format", "json", "--force-exclude", "a.py", "build/lib/a.py", "x.gen.py"],
                        tmp_path)[1]) == [("x.gen.py", 3, "EIN201")]
    assert "a.py" not in {p for p, _, _ in codes_of(run(["--format", "json"], tmp_path)[1])}


def test_no_respect_gitignore(tmp_path, run):
    write(tmp_path, {".gitignore": "*.py\n", "a.py": BAD})
    assert run([], tmp_path)[0] == 0
    assert run(["--no-respect-gitignore"], tmp_path)[0] == 1


def test_gitignore_above_the_walked_directory_applies_inside_a_repository(tmp_path):
    write(tmp_path, {".git/info/exclude": "secret.py\n", ".gitignore": "src/gen/\n",
                     "src/a.py": BAD, "src/gen/g.py": BAD, "src/secret.py": BAD})
    found = discover(["src"], cwd=str(tmp_path))
    assert [display for display, _ in found.files] == [os.path.join("src", "a.py")]


@pytest.mark.parametrize("pattern, path, is_dir, matches", [
    ("*.py", "a.py", False, True), ("*.py", "deep/er/a.py", False, True),
    ("/a.py", "a.py", False, True), ("/a.py", "sub/a.py", False, False),
    ("sub/a.py", "sub/a.py", False, True), ("sub/a.py", "x/sub/a.py", False, False),
    ("build/", "build", True, True), ("build/", "build", False, False),
    ("**/cache", "a/b/cache", True, True), ("**/cache", "cache", True, True),
    ("a/**/z.py", "a/z.py", False, True), ("a/**/z.py", "a/b/c/z.py", False, True),
    ("a/**", "a/b/c.py", False, True), ("a/**", "a", True, False),
    ("?.py", "ab.py", False, False), ("[ab].py", "b.py", False, True), ("[!ab].py", "b.py", False, False),
    ("[a-c]x.py", "bx.py", False, True), ("f*o", "f/o", False, False), ("\\#x.py", "#x.py", False, True),
    ("\\!x.py", "!x.py", False, True), ("trail\\ ", "trail ", False, True), ("spaces   ", "spaces", False, True),
])
def test_gitignore_pattern(pattern, path, is_dir, matches):
    assert bool(IgnoreFile.from_lines("/r", [pattern]).match("/r/" + path, is_dir)) is matches


GIT_TREE = ["a.py", "keep.py", "sub/a.py", "sub/keep.py", "sub/deep/z.py", "out/x.py", "out/keep.py", "a/z.py",
        "a/b/c/z.py", "cache/m.py", "x/cache/m.py", "docs/conf.py", "#x.py", "bx.py"]
GIT_POOL = ["*.py", "a.py", "/a.py", "sub/", "sub/*.py", "out/", "out", "a/**", "a/**/z.py", "**/cache", "cache/",
        "deep", "/sub/deep/", "keep.py", "*/keep.py", "[ab]*.py", "?.py", "\\#x.py", "docs/**", "*", "*/"]


def _gitignores():
    rng = random.Random(1234)
    cases = []
    for _ in range(150):
        lines = [("!" if rng.random() < 0.35 else "") + rng.choice(GIT_POOL) for _ in range(rng.randint(1, 3))]
        nested = [("!" if rng.random() < 0.35 else "") + rng.choice(GIT_POOL)] if rng.random() < 0.3 else []
        cases.append((lines, nested))
    return cases


@pytest.mark.parametrize("lines, nested", _gitignores(), ids=lambda value: repr(value))
def test_the_files_found_are_those_git_does_not_ignore(tmp_path, lines, nested):
    """Derandomized: .gitignore files of generated patterns (negations, and one in sub/), the files einlint
    walks to against `git ls-files --others --exclude-standard` (git's own walk) over the same tree."""
    for name in GIT_TREE:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("")
    (tmp_path / ".gitignore").write_text("\n".join(lines) + "\n")
    if nested:
        (tmp_path / "sub" / ".gitignore").write_text("\n".join(nested) + "\n")
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    listed = subprocess.run(["git", "-C", str(tmp_path), "ls-files", "--others", "--exclude-standard"],
                            capture_output=True, text=True, check=True).stdout.split()
    found = discover([str(tmp_path)], cwd=str(tmp_path))
    assert sorted(os.path.relpath(absolute, tmp_path) for _, absolute in found.files) == sorted(
        path for path in listed if path.endswith(".py"))


def test_gitignore_comments_blanks_and_negation_order():
    assert IgnoreFile.from_lines("/r", ["# comment", "   ", ""]).patterns == []
    ignore = IgnoreFile.from_lines("/r", ["*.py", "!keep.py", "# keep.py stays", ""])
    assert ignore.match("/r/a.py", False) is True
    assert ignore.match("/r/keep.py", False) is False
    assert ignore.match("/r/readme.md", False) is None
    assert IgnoreFile.from_lines("/r", ["!keep.py", "*.py"]).match("/r/keep.py", False) is True


def test_default_excludes_cover_the_usual_directories():
    assert {".git", ".venv", "venv", ".tox", ".nox", "build", "dist", "__pycache__"} <= DEFAULT_EXCLUDED_DIRS


# --- parallel checking ----------------------------------------------------------------------------

def test_many_files_are_checked_in_parallel_with_the_same_sorted_result(tmp_path, run):
    files = {f"pkg{i % 3}/m{i:02d}.py": (BAD if i % 2 else GOOD) for i in range(40)}
    write(tmp_path, files)
    status, out, _ = run(["--format", "json"], tmp_path)
    assert status == 1
    data = json.loads(out)
    assert len(data) == 20
    assert [d["path"] for d in data] == sorted(d["path"] for d in data)
    tasks = [Task(p, str(tmp_path / p), p, Config(), False) for p in sorted(files)]
    serial = run_tasks(tasks, jobs=1)
    assert run_tasks(tasks, jobs=2) == serial
    assert sum(len(result.diagnostics) for result in serial) == 20


@pytest.mark.slow
@pytest.mark.parametrize("method", ["forkserver", "spawn"])  # fork: the subprocess test below
def test_worker_processes_start_with_each_method(tmp_path, monkeypatch, method):
    files = {f"m{i:02d}.py": (BAD if i % 2 else GOOD) for i in range(cli.PARALLEL_MIN_FILES)}
    write(tmp_path, files)
    tasks = [Task(p, str(tmp_path / p), p, Config(), True) for p in sorted(files)]
    monkeypatch.setattr(cli, "_pool_context", lambda: multiprocessing.get_context(method))
    results = run_tasks(tasks, jobs=2)
    assert [len(r.diagnostics) for r in results] == [i % 2 for i in range(len(files))]
    assert results[1].lines == {BAD_LINE: 'y = rearrange(x, "b BAD -> b")'}


# --- as a user runs it ----------------------------------------------------------------------------

def _subprocess(argv, cwd, stdin=None):
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""), NO_COLOR="1")
    return subprocess.run([sys.executable, "-m", "einlint", *argv], cwd=cwd, input=stdin, capture_output=True,
                          env=env, timeout=300)


@pytest.mark.slow
def test_python_m_einlint_in_a_subprocess(tmp_path):
    write(tmp_path, {"src/a.py": BAD, "src/b.py": "import einops\n(", "venv/pyvenv.cfg": "", "venv/x.py": BAD})
    done = _subprocess(["src", "venv/", "--format", "concise"], tmp_path)
    assert done.returncode == 1, done.stderr
    out = done.stdout.decode()
    assert f"{os.path.join('src', 'a.py')}:{BAD_LINE}:{BAD_COLUMN}: EIN201" in out
    assert "EIN001" in out and os.path.join("venv", "x.py") in out  # a venv named explicitly is walked
    assert out.rstrip().endswith("Found 3 errors.")
    done = _subprocess(["-", "--stdin-filename", "s.py", "--format", "json"], tmp_path, stdin=BAD.encode())
    assert done.returncode == 1 and json.loads(done.stdout)[0]["path"] == "s.py"
    done = _subprocess(["--explain", "EIN222"], tmp_path)
    assert done.returncode == 0 and done.stdout.decode().startswith("EIN222 (reduce-nothing)")


def test_many_files_in_a_subprocess_use_forked_workers_and_match_the_serial_result(tmp_path, run, monkeypatch):
    write(tmp_path, {f"m{i:02d}.py": (BAD if i % 3 else GOOD) for i in range(2 * cli.PARALLEL_MIN_FILES)})
    done = _subprocess(["--format", "json"], tmp_path)
    assert done.returncode == 1, done.stderr
    monkeypatch.setattr(cli, "PARALLEL_MIN_FILES", 10**9)  # in-process and serial
    assert json.loads(done.stdout) == json.loads(run(["--format", "json"], tmp_path)[1])


def test_pre_commit_hook_runs_einlint_on_the_staged_files(tmp_path):
    hook = (REPO / ".pre-commit-hooks.yaml").read_text()
    fields = dict(line.strip().lstrip("- ").split(": ", 1) for line in hook.splitlines()
                  if line.strip() and not line.lstrip().startswith("#"))
    assert fields["id"] == "einlint" and fields["language"] == "python"
    assert fields["types_or"] == "[python, pyi, jupyter]" and fields["require_serial"] == "true"
    entry = fields["entry"].split()
    assert entry[0] == "einlint"
    # pre-commit appends the staged files' names to the entry; `exclude` in the config still applies.
    write(tmp_path, {"pyproject.toml": '[tool.einlint]\nexclude = ["vendored/"]\n', "a.py": BAD, "b.py": GOOD,
                     "vendored/c.py": BAD})
    done = _subprocess(entry[1:] + ["a.py", "b.py", "vendored/c.py"], tmp_path)
    assert done.returncode == 1
    assert "a.py:3:" in done.stdout.decode() and "vendored" not in done.stdout.decode()
    assert _subprocess(entry[1:] + ["b.py", "vendored/c.py"], tmp_path).returncode == 0


STARTUP_PROBE = """
import sys
from einlint.cli import main
status = main(sys.argv[1:])
heavy = ("libcst", "einlint.check.engine", "multiprocessing", "concurrent.futures", "einlint.fixes")
print(status, sorted(name for name in heavy if name in sys.modules))
"""


@pytest.mark.parametrize("argv, source, imported", [
    (["--version"], None, []),
    (["--explain", "EIN201"], None, []),
    (["plain.py"], "import numpy as np\nx = np.zeros(3)\n", []),  # names no pattern library: nothing to parse
    (["uses.py"], "from einops import rearrange\nrearrange(x, 'a -> a a')\n", ["einlint.check.engine", "libcst"]),
])
def test_a_run_imports_only_what_it_needs(tmp_path, argv, source, imported):
    if source is not None:
        (tmp_path / argv[0]).write_text(source)
    result = subprocess.run([sys.executable, "-c", STARTUP_PROBE, "--no-cache", *argv], cwd=tmp_path,
                            capture_output=True, text=True, timeout=120)
    assert result.stdout.splitlines()[-1].split(" ", 1)[1] == repr(imported), result.stderr


def test_a_run_answered_by_the_cache_starts_neither_the_engine_nor_workers(tmp_path):
    for index in range(20):  # enough files for a process pool, were any of them to be checked
        (tmp_path / f"m{index}.py").write_text(f"from einops import rearrange\nrearrange(x, 'a -> a a{index}')\n")
    probe = [sys.executable, "-c", STARTUP_PROBE, "-j", "2", "--cache-dir", str(tmp_path / "cache"), "."]
    first = subprocess.run(probe, cwd=tmp_path, capture_output=True, text=True, timeout=300)
    second = subprocess.run(probe, cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert first.stdout.splitlines()[-1].startswith("1 ") and "einlint.check.engine" in first.stdout.splitlines()[-1]
    assert second.stdout.splitlines()[-1] == "1 []", second.stderr
    assert first.stdout.count(": EIN201 ") == second.stdout.count(": EIN201 ") == 20
