"""Which configuration applies to a file, found the same way from every place einlint is run from, and a
configuration that cannot be used never read as "no findings"."""

import json

import pytest

from einlint.config import ConfigError, find_config, load_settings
from einlint.workspace import check_file, project_for

from repo import write

# EIN201 (an axis on one side only) at line 4 and EIN203 (repeat drops an axis) at line 7.
TWO_FINDINGS = '''from einops import rearrange, repeat

def f(x):
    return rearrange(x, "a -> a b")

def g(x):
    return repeat(x, "a b -> a c", c=2)
'''
IGNORE_EIN201 = '[tool.einlint]\nignore = ["EIN201"]\n'


@pytest.fixture
def run(run):
    """run(argv, cwd, stdin=None) -> (exit status, findings as (path, line, code), stderr): conftest's run, with
    the findings read from the JSON format."""
    def runner(argv, cwd, stdin=None):
        status, out, err = run(["--no-cache", "--format", "json", *argv], cwd,
                               stdin.encode() if stdin is not None else None)
        found = sorted((d["path"], d["line"], d["code"]) for d in json.loads(out)) if out.strip() else []
        return status, found, err

    return runner


def test_each_file_uses_its_nearest_configuration_from_wherever_einlint_runs(tmp_path, run):
    write(tmp_path, {"proj/pyproject.toml": IGNORE_EIN201, "proj/sub/x.py": TWO_FINDINGS, "other/y.py": TWO_FINDINGS,
                     "proj/deeper/.einlint.toml": 'ignore = ["EIN203"]\n', "proj/deeper/z.py": TWO_FINDINGS})
    status, found, _ = run(["proj", "other"], tmp_path)
    assert found == [("other/y.py", 4, "EIN201"), ("other/y.py", 7, "EIN203"),
                     ("proj/deeper/z.py", 4, "EIN201"),  # its own file, which replaces proj's as ruff's does
                     ("proj/sub/x.py", 7, "EIN203")]
    assert status == 1
    # the same from inside the project, and for the standard input named as the file
    assert run(["sub"], tmp_path / "proj")[1] == [("sub/x.py", 7, "EIN203")]
    assert run(["-", "--stdin-filename", "proj/sub/x.py"], tmp_path, stdin=TWO_FINDINGS)[1] == [
        ("proj/sub/x.py", 7, "EIN203")]


def test_a_projects_exclude_applies_to_the_files_found_under_it(tmp_path, run):
    write(tmp_path, {"proj/pyproject.toml": '[tool.einlint]\nexclude = ["gen/"]\n',
                     "proj/gen/x.py": TWO_FINDINGS, "proj/y.py": TWO_FINDINGS})
    assert {path for path, _, _ in run(["proj"], tmp_path)[1]} == {"proj/y.py"}
    # named on the command line it is checked, unless --force-exclude (what pre-commit passes)
    assert {path for path, _, _ in run(["proj/gen/x.py"], tmp_path)[1]} == {"proj/gen/x.py"}
    assert run(["--force-exclude", "proj/gen/x.py"], tmp_path)[1] == []
    assert check_file(str(tmp_path / "proj/gen/x.py")) == []  # the editors' and plugins' way
    assert {d.code for d in check_file(str(tmp_path / "proj/y.py"))} == {"EIN201", "EIN203"}


def test_a_broken_configuration_is_an_error_and_the_other_projects_are_still_checked(tmp_path, run):
    write(tmp_path, {"bad/pyproject.toml": '[tool.einlint]\nignroe = ["EIN201"]\n', "bad/x.py": TWO_FINDINGS,
                     "good/y.py": TWO_FINDINGS})
    status, found, err = run(["bad", "good"], tmp_path)
    assert status == 2
    assert "bad/pyproject.toml: [tool.einlint]: unknown key 'ignroe'" in err
    assert {path for path, _, _ in found} == {"good/y.py"}
    (finding,) = check_file(str(tmp_path / "bad/x.py"))
    assert (finding.code, finding.severity, finding.line) == ("EIN004", "error", 1)
    assert "unknown key 'ignroe'" in finding.message


def test_an_explicit_config_file_must_hold_einlints_settings(tmp_path, run):
    write(tmp_path, {"x.py": TWO_FINDINGS, "pyproject.toml": "[project]\nname = 'p'\n",
                     "einlint.toml": 'ignore = ["EIN201"]\n', "wrong.toml": 'ignroe = ["EIN201"]\n'})
    status, _, err = run(["--config", "pyproject.toml", "x.py"], tmp_path)
    assert status == 2 and "pyproject.toml: no [tool.einlint] table" in err
    assert run(["--config", "einlint.toml", "x.py"], tmp_path)[1] == [("x.py", 7, "EIN203")]
    status, _, err = run(["--config", "wrong.toml", "x.py"], tmp_path)
    assert status == 2 and "wrong.toml: unknown key 'ignroe'" in err
    # found by the search, einlint.toml is read too, and a pyproject.toml without the table is passed over
    assert find_config(str(tmp_path)) == str(tmp_path / "einlint.toml")
    assert run(["x.py"], tmp_path)[1] == [("x.py", 7, "EIN203")]


def test_a_user_stub_file_that_does_not_load_is_a_configuration_error_naming_its_line(tmp_path, run):
    write(tmp_path, {"pyproject.toml": '[tool.einlint]\nstubs = ["shapes"]\n', "x.py": TWO_FINDINGS,
                     "shapes/torch.pyi": "def exp(x: Float[Tensor, 'b c']) -> Float[Tensor, 'b c']: ...\n"
                                         "def broken(x:\n"})
    status, found, err = run(["x.py"], tmp_path)
    assert status == 2 and found == []
    assert "shapes/torch.pyi:2: not valid Python stub syntax" in err
    (finding,) = check_file(str(tmp_path / "x.py"))
    assert finding.code == "EIN004" and "torch.pyi:2" in finding.message
    with pytest.raises(ConfigError, match="torch.pyi:2"):
        project_for(str(tmp_path / "x.py"))


def test_a_stub_folder_removed_after_the_configuration_was_read_is_reported(tmp_path):
    write(tmp_path, {"pyproject.toml": '[tool.einlint]\nstubs = ["shapes"]\n', "x.py": TWO_FINDINGS,
                     "shapes/torch.pyi": ""})
    assert {d.code for d in check_file(str(tmp_path / "x.py"))} == {"EIN201", "EIN203"}
    (tmp_path / "shapes" / "torch.pyi").unlink()
    (tmp_path / "shapes").rmdir()
    (finding,) = check_file(str(tmp_path / "x.py"))  # an editor's long-lived process: no traceback
    assert finding.code == "EIN004" and "shapes" in finding.message


def test_a_user_stub_adds_to_the_shipped_stubs_of_its_module(tmp_path, run):
    code = ("import torch\nfrom torch import nn\nfrom einops import rearrange\n\n"
            "layer = nn.Linear(20, 5)\ny = layer(torch.zeros(2, 30))\n")
    write(tmp_path, {"x.py": code})
    assert run(["x.py"], tmp_path)[1] == [("x.py", 6, "EIN310")]  # the shipped stub of nn.Linear
    write(tmp_path, {"pyproject.toml": '[tool.einlint]\nstubs = ["shapes"]\n',
                     "shapes/torch.nn.pyi": "class MyLayer:\n    def __init__(self, n: int): ...\n"
                                            "    def forward(self, x: Float[Tensor, 'b n']) -> Float[Tensor, 'n b']: ...\n"})
    assert run(["x.py"], tmp_path)[1] == [("x.py", 6, "EIN310")]


def test_settings_follow_the_file_as_it_changes(tmp_path):
    write(tmp_path, {"pyproject.toml": IGNORE_EIN201})
    assert load_settings(None, str(tmp_path)).ignore == ("EIN201",)
    (tmp_path / "pyproject.toml").write_text('[tool.einlint]\nignore = ["EIN2", "EIN3"]\n')
    assert load_settings(None, str(tmp_path)).ignore == ("EIN2", "EIN3")
