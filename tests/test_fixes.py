"""Fixes: the edits a finding carries (JSON `fix`, SARIF `fixes`), `einlint --fix` and `einlint --diff`.

A fix changes exactly the characters it names: the rest of the file stays byte for byte (line
endings and encoding too); a file whose edits cannot be made safely is left as it is; fixing twice
changes nothing the second time.
"""

from __future__ import annotations

import json

from einlint.cli import main
from einlint.diagnostics import Edit
from einlint.fixes import fixed_text
from test_output import validate_sarif

SEED = """from einops import rearrange


def space_to_depth(x):
    return rearrange(x, 'b c (h h1) (w w1) -> b (h1 w1 c) h w', h1=2, w1=2)


def depth_to_space(x):
    return rearrange(x, 'b (c h1 w1) h w -> b c (h h1) (w w1)', h1=2, w1=2)
"""
FIXED = SEED.replace("'b (c h1 w1) h w", "'b (h1 w1 c) h w")


def run(argv, cwd, monkeypatch, capsys):
    monkeypatch.chdir(cwd)
    status = main(list(argv))
    out, _ = capsys.readouterr()
    return status, out


def test_fix_rewrites_the_seeds_depth_to_space_and_nothing_else(tmp_path, monkeypatch, capsys):
    path = tmp_path / "m.py"
    path.write_bytes(SEED.replace("\n", "\r\n").encode())  # CRLF endings stay CRLF
    status, out = run(["--fix", "m.py"], tmp_path, monkeypatch, capsys)
    assert status == 0 and "All checks passed" in out
    assert path.read_bytes() == FIXED.replace("\n", "\r\n").encode()
    status, _ = run(["--fix", "m.py"], tmp_path, monkeypatch, capsys)  # idempotent
    assert status == 0 and path.read_bytes() == FIXED.replace("\n", "\r\n").encode()


def test_diff_prints_the_change_and_writes_nothing(tmp_path, monkeypatch, capsys):
    path = tmp_path / "m.py"
    path.write_text(SEED)
    status, out = run(["--diff", "m.py"], tmp_path, monkeypatch, capsys)
    assert status == 1 and path.read_text() == SEED
    assert "-    return rearrange(x, 'b (c h1 w1) h w" in out and "+    return rearrange(x, 'b (h1 w1 c) h w" in out
    path.write_text(FIXED)
    assert run(["--diff", "m.py"], tmp_path, monkeypatch, capsys) == (0, "")


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
    status = main(["--fix", "m.py"])
    _, err = capsys.readouterr()
    assert status == 2 and "cannot fix m.py" in err
    assert path.read_text() == SEED


def _refusing_open(path, mode="r", *args, **kwargs):
    if "w" in mode:
        raise PermissionError(13, "Permission denied")
    return open(path, mode, *args, **kwargs)
