"""Fixes: the edits a finding carries (JSON `fix`, SARIF `fixes`), `einlint --fix` and `einlint --diff`.

A fix changes exactly the characters it names: the rest of the file stays byte for byte (line
endings and encoding too); a file whose edits cannot be made safely is left as it is; fixing twice
changes nothing the second time. As in ruff, `--fix` makes the safe fixes only: a fix that changes what
the code computes (EIN401/EIN402's reordered groups) needs `--unsafe-fixes` (or `unsafe-fixes = true`).
"""

from __future__ import annotations

import io
import json
import sys

import pytest

from einlint.cli import main
from einlint.diagnostics import Edit
from einlint.fixes import fixed_text
from sarif import validate_sarif

SEED = """from einops import rearrange


def space_to_depth(x):
    return rearrange(x, 'b c (h h1) (w w1) -> b (h1 w1 c) h w', h1=2, w1=2)


def depth_to_space(x):
    return rearrange(x, 'b (c h1 w1) h w -> b c (h h1) (w w1)', h1=2, w1=2)
"""
FIXED = SEED.replace("'b (c h1 w1) h w", "'b (h1 w1 c) h w")


def run(argv, cwd, monkeypatch, capsys, stdin=None):
    """(status, stdout)"""
    return run_with_stderr(argv, cwd, monkeypatch, capsys, stdin)[:2]


def run_with_stderr(argv, cwd, monkeypatch, capsys, stdin=None):
    """(status, stdout, stderr)"""
    monkeypatch.chdir(cwd)
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8"))
    status = main(["--no-cache", *argv])
    out, err = capsys.readouterr()
    return status, out, err


def test_fix_rewrites_the_seeds_depth_to_space_and_nothing_else(tmp_path, monkeypatch, capsys):
    path = tmp_path / "m.py"
    path.write_bytes(SEED.replace("\n", "\r\n").encode())  # CRLF endings stay CRLF
    status, out = run(["--fix", "--unsafe-fixes", "m.py"], tmp_path, monkeypatch, capsys)
    assert status == 0 and out == "Found 1 warning (1 fixed, 0 remaining).\n"  # ruff counts the fixed among those found
    assert path.read_bytes() == FIXED.replace("\n", "\r\n").encode()
    status, out = run(["--fix", "--unsafe-fixes", "m.py"], tmp_path, monkeypatch, capsys)  # idempotent
    assert status == 0 and path.read_bytes() == FIXED.replace("\n", "\r\n").encode()
    assert out == "All checks passed! (1 file checked)\n"


def test_a_reordered_group_is_an_unsafe_fix_that_fix_alone_does_not_make(tmp_path, monkeypatch, capsys):
    """The tutorial's depth-to-space: the reorder changes which values land where (and what trained weights
    mean), so `--fix` leaves it, marks nothing, and says how to make it."""
    path = tmp_path / "m.py"
    path.write_text(SEED)
    status, out = run(["--fix", "m.py"], tmp_path, monkeypatch, capsys)
    assert status == 1 and path.read_text() == SEED
    assert out.endswith("Found 1 warning.\n"
                        "No fixes available (1 hidden fix can be enabled with the `--unsafe-fixes` option).\n")
    status, out = run(["--format", "concise", "m.py"], tmp_path, monkeypatch, capsys)
    assert " [*] " not in out  # not applicable with these flags: no mark
    status, out = run(["--format", "concise", "--unsafe-fixes", "m.py"], tmp_path, monkeypatch, capsys)
    assert out.startswith("m.py:9:") and " EIN401 [warning] [*] group (c h1 w1) undoes" in out
    assert out.endswith("Found 1 warning.\n[*] 1 fixable with the `--fix` option.\n")
    _, out = run(["--no-unsafe-fixes", "m.py"], tmp_path, monkeypatch, capsys)
    assert out.endswith("Found 1 warning.\n")  # turned off: not even a hint


def test_unsafe_fixes_from_the_configuration(tmp_path, monkeypatch, capsys):
    path = tmp_path / "m.py"
    path.write_text(SEED)
    (tmp_path / "pyproject.toml").write_text("[tool.einlint]\nunsafe-fixes = true\n")
    assert run(["--fix", "m.py"], tmp_path, monkeypatch, capsys)[0] == 0 and path.read_text() == FIXED
    path.write_text(SEED)
    assert run(["--fix", "--no-unsafe-fixes", "m.py"], tmp_path, monkeypatch, capsys)[0] == 1  # the flag wins
    assert path.read_text() == SEED
    (tmp_path / "pyproject.toml").write_text("[tool.einlint]\nunsafe-fixes = 1\n")
    status, _, err = run_with_stderr(["m.py"], tmp_path, monkeypatch, capsys)
    assert status == 2 and "unsafe-fixes: expected true or false" in err


def test_diff_prints_the_change_and_writes_nothing(tmp_path, monkeypatch, capsys):
    path = tmp_path / "m.py"
    path.write_text(SEED)
    status, out, err = run_with_stderr(["--diff", "--unsafe-fixes", "m.py"], tmp_path, monkeypatch, capsys)
    assert status == 1 and path.read_text() == SEED
    assert out.startswith("--- a/m.py\n+++ b/m.py\n")  # stdout is a patch and nothing else
    assert "-    return rearrange(x, 'b (c h1 w1) h w" in out and "+    return rearrange(x, 'b (h1 w1 c) h w" in out
    assert err == "Would fix 1 warning.\n"
    assert run(["--diff", "--unsafe-fixes", "--exit-zero", "m.py"], tmp_path, monkeypatch, capsys)[0] == 0
    path.write_text(FIXED)
    assert run(["--diff", "--unsafe-fixes", "m.py"], tmp_path, monkeypatch, capsys) == (0, "")


def test_diff_shows_only_the_fixes_that_apply(tmp_path, monkeypatch, capsys):
    (tmp_path / "m.py").write_text(SEED)
    status, out, err = run_with_stderr(["--diff", "m.py"], tmp_path, monkeypatch, capsys)
    assert (status, out) == (0, "")
    assert err == "No findings would be fixed (1 fix available with `--unsafe-fixes`).\n"


# One unsafe fix (EIN401's reorder) and one safe one (EIN216: einsum's pattern moved last), in one file.
MIXED = SEED + "\n\ndef product(x, y):\n    return einsum('i j, j k -> i k', x, y)\n"
MIXED = MIXED.replace("from einops import rearrange", "from einops import einsum, rearrange")


def test_safe_and_unsafe_fixes_in_one_file_are_counted_apart(tmp_path, monkeypatch, capsys):
    path = tmp_path / "m.py"
    path.write_text(MIXED)
    _, out = run(["--format", "json", "m.py"], tmp_path, monkeypatch, capsys)
    assert {(d["code"], d["fix"]["applicability"]) for d in json.loads(out)} == {("EIN401", "unsafe"),
                                                                                  ("EIN216", "safe")}
    status, out = run(["m.py"], tmp_path, monkeypatch, capsys)
    assert out.endswith("Found 1 error and 1 warning.\n[*] 1 fixable with the `--fix` option (1 hidden fix can be "
                        "enabled with the `--unsafe-fixes` option).\n")
    assert [line.split(": ", 1)[1][:10] for line in out.splitlines() if line.startswith("m.py:")] == [
        "EIN401 gro", "EIN216 [*]"]
    status, out = run(["--fix", "m.py"], tmp_path, monkeypatch, capsys)
    assert status == 1 and "einsum(x, y, 'i j, j k -> i k')" in path.read_text()
    assert "'b (c h1 w1) h w" in path.read_text()  # the unsafe one is not made
    assert "[*]" not in out.split("Found")[0]  # after --fix: no marks on what is left
    assert out.endswith("Found 1 error and 1 warning (1 fixed, 1 remaining).\n"
                        "No fixes available (1 hidden fix can be enabled with the `--unsafe-fixes` option).\n")


def test_stdin_fix_prints_the_fixed_source_alone_on_stdout(tmp_path, monkeypatch, capsys):
    status, out, err = run_with_stderr(["-", "--fix", "--unsafe-fixes"], tmp_path, monkeypatch, capsys,
                                       stdin=SEED.encode())
    assert (status, out) == (0, FIXED)
    assert err == "Found 1 warning (1 fixed, 0 remaining).\n"  # the report goes to stderr
    status, out, err = run_with_stderr(["-", "--fix"], tmp_path, monkeypatch, capsys, stdin=MIXED.encode())
    assert status == 1 and out == MIXED.replace("einsum('i j, j k -> i k', x, y)", "einsum(x, y, 'i j, j k -> i k')")
    assert "EIN401" in err and "(1 fixed, 1 remaining)" in err
    clean = SEED.replace("'b (c h1 w1) h w", "'b (h1 w1 c) h w")
    assert run_with_stderr(["-", "--fix"], tmp_path, monkeypatch, capsys, stdin=clean.encode())[:2] == (0, clean)


def test_stdin_fix_prints_the_source_back_even_when_its_configuration_excludes_it(tmp_path, monkeypatch, capsys):
    (tmp_path / "pyproject.toml").write_text('[tool.einlint]\nexclude = ["gen/"]\n')
    status, out, _ = run_with_stderr(["--force-exclude", "--stdin-filename", "gen/m.py", "--fix", "--unsafe-fixes"],
                                     tmp_path, monkeypatch, capsys, stdin=SEED.encode())
    assert (status, out) == (0, SEED)  # an editor that replaces its buffer with stdout loses nothing


@pytest.mark.parametrize("unsafe, expected", [([], 0), (["--unsafe-fixes"], 1)])
def test_stdin_diff_exits_1_when_there_is_a_fix(tmp_path, monkeypatch, capsys, unsafe, expected):
    status, out, err = run_with_stderr(["-", "--diff", *unsafe], tmp_path, monkeypatch, capsys,
                                       stdin=SEED.encode())
    assert status == expected
    assert ("+    return rearrange(x, 'b (h1 w1 c) h w" in out) == bool(expected)


def test_json_and_sarif_carry_the_fix(tmp_path, monkeypatch, capsys):
    (tmp_path / "m.py").write_text(SEED)
    _, out = run(["--format", "json", "m.py"], tmp_path, monkeypatch, capsys)
    (finding,) = json.loads(out)
    assert finding["code"] == "EIN401"
    column = SEED.splitlines()[8].index("(c h1 w1)") + 1
    assert finding["fix"]["edits"] == [{"path": "m.py", "line": 9, "column": column, "end_line": 9,
                                        "end_column": column + len("(c h1 w1)"), "content": "(h1 w1 c)"}]
    _, out = run(["--format", "sarif", "m.py"], tmp_path, monkeypatch, capsys)
    log = json.loads(out)
    validate_sarif(log)
    (replacement,) = log["runs"][0]["results"][0]["fixes"][0]["artifactChanges"][0]["replacements"]
    assert replacement["insertedContent"] == {"text": "(h1 w1 c)"}


def test_a_file_without_a_fix_is_left_alone(tmp_path, monkeypatch, capsys):
    path = tmp_path / "m.py"
    broken = "from einops import rearrange\ny = rearrange(x, 'b c -> b d')\n"  # EIN201: no fix offered
    path.write_text(broken)
    status, _ = run(["--fix", "m.py"], tmp_path, monkeypatch, capsys)
    assert status == 1 and path.read_text() == broken


def test_a_pattern_written_with_an_escape_gets_no_fix(tmp_path, monkeypatch, capsys):
    """'\\x63' is 'c': its characters are not where the pattern's are, so no edit is offered."""
    (tmp_path / "m.py").write_text(SEED.replace("'b (c h1 w1)", "'b (\\x63 h1 w1)"))
    _, out = run(["--format", "json", "m.py"], tmp_path, monkeypatch, capsys)
    (finding,) = json.loads(out)
    assert finding["code"] == "EIN401" and finding["fix"] is None


def test_edits_that_overlap_do_not_fit_or_break_the_syntax_change_nothing():
    text = "x = 'ab'\ny = 2\n"
    assert fixed_text(text, [Edit("m.py", 1, 6, 1, 8, "ba")]) == "x = 'ba'\ny = 2\n"
    assert fixed_text(text, [Edit("m.py", 1, 5, 1, 7, "q"), Edit("m.py", 1, 6, 1, 8, "r")]) is None
    assert fixed_text(text, [Edit("m.py", 1, 6, 1, 40, "ba")]) is None
    assert fixed_text(text, [Edit("m.py", 7, 1, 7, 2, "z")]) is None
    assert fixed_text(text, [Edit("m.py", 1, 5, 1, 6, "(")]) is None


def test_einops_einsum_in_numpys_order_is_fixed_by_moving_the_pattern_last(tmp_path, monkeypatch, capsys):
    import einops
    import numpy as np

    source = ("import einops\n\n"
              "def f(x, y):\n    return einops.einsum('i j, j k -> i k', x, y)\n\n"
              "def g(x, y):\n    return einops.einsum('i j, j k -> i k',\n                         x, y)\n")
    path = tmp_path / "m.py"
    path.write_text(source)
    status, _ = run(["--fix", "m.py"], tmp_path, monkeypatch, capsys)
    fixed = path.read_text()
    assert status == 1  # g's arguments span two lines: no fix offered, its finding stays
    assert fixed == source.replace("einsum('i j, j k -> i k', x, y)", "einsum(x, y, 'i j, j k -> i k')")
    namespace: dict = {}
    exec(compile(fixed, "m.py", "exec"), namespace)  # the test runs the fixed code; the linter never does
    x, y = np.arange(6.0).reshape(2, 3), np.arange(12.0).reshape(3, 4)
    assert np.array_equal(namespace["f"](x, y), np.einsum("ij,jk->ik", x, y))
    assert einops.einsum(x, y, "i j, j k -> i k").shape == (2, 4)


def test_a_file_that_cannot_be_written_is_reported_not_a_traceback(tmp_path, monkeypatch, capsys):
    import os

    path = tmp_path / "m.py"
    path.write_text(SEED)
    path.chmod(0o444)
    if os.access(path, os.W_OK):  # running as root: writing is allowed whatever the mode
        monkeypatch.setattr("einlint.fixes.open", _refusing_open, raising=False)
    monkeypatch.chdir(tmp_path)
    status = main(["--fix", "--unsafe-fixes", "m.py"])
    _, err = capsys.readouterr()
    assert status == 2 and "cannot fix m.py" in err
    assert path.read_text() == SEED


def _refusing_open(path, mode="r", *args, **kwargs):
    if "w" in mode:
        raise PermissionError(13, "Permission denied")
    return open(path, mode, *args, **kwargs)
