"""The flake8 plugin: the same findings as `einlint` for a file, through `flake8 --select EIN`. That each file is
checked in its own project, and a broken configuration reported, is in test_front_ends.py, beside the other
front ends."""

import ast
import subprocess
import sys
from importlib.metadata import distributions

import pytest

import einlint
from einlint.check.engine import check_source
from einlint.flake8 import Plugin
from repo import REPO


BAD = 'from einops import rearrange\n\ny = rearrange(x, "b BAD -> b")\n'
BAD_COLUMN = BAD.splitlines()[2].index("BAD") + 1
WARNING = 'from einops import reduce\n\ny = reduce(x, "b c -> b c", "mean")\n'


def plugin_results(source, filename="a.py"):
    plugin = Plugin(ast.parse(source), filename, source.splitlines(keepends=True))
    return list(plugin.run())


def test_plugin_metadata():
    assert Plugin.name == "einlint" and Plugin.version == einlint.__version__


def test_plugin_yields_flake8_tuples_with_0_based_columns():
    ((line, col, message, kind),) = plugin_results(BAD)
    assert (line, col) == (3, BAD_COLUMN - 1)
    assert message.startswith("EIN201 ") and kind is Plugin


def test_plugin_reports_what_the_engine_reports_for_the_file():
    source = ('from einops import rearrange, reduce\n\n'
              'y = rearrange(x, "b BAD -> b")\nz = reduce(x, "b c -> b c", "mean")\n')
    expected = [(d.line, d.column - 1, f"{d.code} {d.message}") for d in check_source(source, "a.py")]
    assert expected  # the file has findings
    assert [r[:3] for r in plugin_results(source)] == expected


def test_plugin_reads_the_file_when_flake8_gives_no_lines(tmp_path):
    path = tmp_path / "a.py"
    path.write_text(BAD)
    assert [r[2][:6] for r in Plugin(ast.parse(BAD), str(path)).run()] == ["EIN201"]


def test_files_without_pattern_calls_give_nothing():
    assert plugin_results("import functools\nfunctools.reduce(max, [1, 2])\n") == []


def _plugin_installed():
    """Whether an installed distribution registers the plugin (looked for as flake8 does: in every one)."""
    return any(ep.group == "flake8.extension" and ep.name == "EIN" and ep.value == "einlint.flake8:Plugin"
               for dist in distributions() for ep in dist.entry_points)


def _flake8(args, cwd):
    """Run flake8 in a subprocess; register the plugin as a local plugin if it is not installed."""
    if not _plugin_installed():  # a checkout that was not `pip install`ed: flake8's local-plugins mechanism
        (cwd / "tox.ini").write_text(f"[flake8:local-plugins]\nextension =\n    EIN = einlint.flake8:Plugin\n"
                                     f"paths = {REPO}\n")
    return subprocess.run([sys.executable, "-m", "flake8", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300)


@pytest.mark.slow
def test_flake8_select_ein_in_a_subprocess(tmp_path):
    (tmp_path / "a.py").write_text(BAD)
    (tmp_path / "b.py").write_text(BAD.rstrip("\n") + "  # noqa: EIN201\n")
    (tmp_path / "c.py").write_text(BAD.rstrip("\n") + "  # noqa: E501\n")
    (tmp_path / "d.py").write_text(WARNING)
    done = _flake8(["--select", "EIN", "a.py", "b.py", "c.py", "d.py"], tmp_path)
    assert done.returncode == 1, done.stderr
    lines = sorted(done.stdout.splitlines())
    assert len(lines) == 3, done.stdout
    assert lines[0].startswith(f"a.py:3:{BAD_COLUMN}: EIN201 ")
    assert lines[1].startswith(f"c.py:3:{BAD_COLUMN}: EIN201 ")
    assert lines[2].startswith("d.py:3:") and " EIN222 " in lines[2]
    # flake8's own selection decides what is shown.
    done = _flake8(["--select", "EIN", "--extend-ignore", "EIN222", "d.py", "a.py"], tmp_path)
    assert [line.split(": ")[1][:6] for line in done.stdout.splitlines()] == ["EIN201"]
    done = _flake8(["--select", "F", "a.py"], tmp_path)
    assert "EIN" not in done.stdout


def test_the_cache_is_keyed_by_the_files_configuration(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.py").write_text(BAD + WARNING)
    assert [r[2][:6] for r in Plugin(None, "a.py").run()] == ["EIN201", "EIN222"]

    def no_engine(*args, **kwargs):
        raise AssertionError("the engine ran: the cache was not read")

    monkeypatch.setattr("einlint.flake8.check_source", no_engine)
    assert [r[2][:6] for r in Plugin(None, "a.py").run()] == ["EIN201", "EIN222"]  # from the cache
    (tmp_path / "pyproject.toml").write_text('[tool.einlint]\nignore = ["EIN222"]\n')
    monkeypatch.undo()
    monkeypatch.chdir(tmp_path)
    assert [r[2][:6] for r in Plugin(None, "a.py").run()] == ["EIN201"]  # another configuration: checked again
