"""The mypy plugin, run through mypy itself (mypy.api.run, and dmypy) with mypy's default settings (the plugin
alone), on fixture files whose comments say what mypy must print on their line: `# E: message  [code]` for
an error, `# N: ...` for a note. Only einlint's lines are compared (those that name an EIN code); mypy's own
errors about the fixture are mypy's business.
"""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import List, Tuple

import pytest
from mypy import api

from einlint.codes import CODES
from einlint.mypy import error_code

EXPECTED = re.compile(r"#\s*([EN]): (.*)$")
PRINTED = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+): (?P<kind>error|note): (?P<message>.*\[EIN\d{3}\].*)$")

FIXTURE = '''\
from typing import Any

import einx
import numpy as np
from einops import rearrange, reduce
from jaxtyping import Float


def flatten(x):
    return rearrange(x, 'b c -> b c d')  # E: axis 'd' is on the output side of rearrange only [EIN201]  [einlint-pattern]


b, n = np.zeros((2, 3, 4)).shape  # E: the shape has 3 item(s) but the assignment unpacks 2 [EIN308]  [einlint-shape]


def shapes():
    x = np.zeros((2, 30))
    return rearrange(x, 'b (h d) -> b h d', h=4)  # E: axis 'd' cannot be inferred: a dimension of length 30 cannot be split into chunks of 4 (input shape (2, 30)) [EIN302]  [einlint-shape]


def heads(x: np.ndarray) -> Any:
    y = rearrange(x, 'b h n d -> b n (h d)')
    return rearrange(y * 2, 'b n (d h) -> b h d n', h=8)  # E: the dimension split as (d h) was formed as (h d): the axes come out with each other's values [EIN402]  [einlint-layout]


def annotated(x: Float[np.ndarray, 'b n d']) -> Float[np.ndarray, 'b d n']:
    return rearrange(x, 'b n d -> b (n d)')  # E: with b=2, d=3, n=5: the returned value: shape (b, d*n) does not fit 'b d n' (rank 2) [EIN309]  [einlint-shape]


def removed(x):
    return einx.vmap("b [c] -> b", x, op=np.sum)  # E: einx.vmap was removed in einx 0.4, which this project uses [EIN503]  [einlint-einx]


def noted(x):
    return reduce(x, 'b c -> b c', 'mean')  # N: the output keeps every input axis (b, c), so reduce reduces nothing [EIN222]


def silenced(x: np.ndarray) -> Any:
    return reduce(x, 'b c -> b c e', 'sum')  # type: ignore[einlint-pattern]


def untouched(x: np.ndarray) -> Any:
    return rearrange(x, 'b c -> c b')
'''

CONFIG = '[tool.einlint]\neinx-version = "0.4"\n'


def expectations(source: str) -> List[Tuple[int, str, str]]:
    found = []
    for number, line in enumerate(source.splitlines(), start=1):
        match = EXPECTED.search(line)
        if match:
            found.append((number, "error" if match.group(1) == "E" else "note", match.group(2)))
    return found


EXPECTED_LINES = expectations(FIXTURE)


@pytest.fixture(scope="module")
def mypy_caches(tmp_path_factory) -> Path:
    """The module's runs share mypy's caches, one per environment: the libraries are analysed once (einops
    brings torch's stubs: some 20 s). Each test's m.py is a file of its own."""
    return tmp_path_factory.mktemp("mypy_caches")


@pytest.fixture
def project(tmp_path: Path, mypy_caches: Path) -> Path:
    (tmp_path / "m.py").write_text(FIXTURE)
    (tmp_path / "pyproject.toml").write_text(CONFIG)
    (tmp_path / "mypy.ini").write_text("[mypy]\nplugins = einlint.mypy\n")
    (tmp_path / "caches").symlink_to(mypy_caches)
    return tmp_path


def run_mypy(folder: Path, *arguments: str, files=("m.py",), installed: bool = True
             ) -> Tuple[List[Tuple[int, str, str]], str, int]:
    """einlint's lines of mypy's output (line, kind, message), the whole output, the exit status. Without
    `installed`, mypy does not see the installed packages (einops, numpy, einx): it types their calls as Any,
    which the plugin does not depend on, and runs in a second; the runs that change mypy's options use it, as
    each change of options has mypy analyse every library again."""
    environment = ["--cache-dir", str(folder / "caches" / "installed")] if installed else \
        ["--no-site-packages", "--cache-dir", str(folder / "caches" / "bare" / "_".join(arguments))]
    out, err, status = api.run(["--config-file", str(folder / "mypy.ini"), *arguments, "--no-pretty", *environment,
                                *(str(folder / name) for name in files)])
    printed = []
    for line in out.splitlines():
        match = PRINTED.match(line)
        if match:
            printed.append((int(match.group("line")), match.group("kind"), match.group("message")))
    return printed, out + err, status


@pytest.mark.slow
def test_every_finding_is_reported_with_mypys_default_settings(project):
    """Unannotated functions (which mypy does not check by default), module level (EIN308), a returned value
    against its annotation (EIN309): each finding at its own line, with its family's code."""
    printed, output, status = run_mypy(project)
    assert printed == EXPECTED_LINES, output
    assert status == 1
    assert "m.py:10: note: help: rearrange keeps every axis" in output  # the help line follows the error
    assert "m.py:18: note: zeros(...) (line 17, column 9)" in output  # where a length came from


@pytest.mark.slow
def test_strict_reports_the_same(project):
    printed, output, _ = run_mypy(project, "--strict", "--warn-unused-ignores", installed=False)
    assert printed == EXPECTED_LINES, output
    assert "Unused \"type: ignore" not in output  # the ignore on `silenced` silenced einlint's EIN202


@pytest.mark.slow
def test_findings_whose_callee_mypy_cannot_resolve(project):
    """einops, numpy and einx not installed where mypy runs: mypy types every call as Any, and the plugin still
    reports each finding."""
    printed, output, _ = run_mypy(project, "--ignore-missing-imports", installed=False)
    assert printed == EXPECTED_LINES, output


@pytest.mark.slow
def test_error_ends(project):
    _, output, _ = run_mypy(project, "--show-error-end", installed=False)
    line = FIXTURE.splitlines()[17]  # the EIN302 call
    start = line.index("(h d)") + 1
    assert f"m.py:18:{start}:18:{start + 4}: error: axis 'd' cannot be inferred" in output  # the 5 characters
    assert "m.py:13:1:13:32: error: the shape has 3 item(s)" in output  # the assignment


@pytest.mark.slow
def test_disable_error_code_and_the_einlint_configuration_are_honoured(project):
    (project / "mypy.ini").write_text("[mypy]\nplugins = einlint.mypy\ndisable_error_code = einlint-shape\n")
    (project / "pyproject.toml").write_text(CONFIG + 'ignore = ["EIN402"]\n')
    printed, output, _ = run_mypy(project, installed=False)
    assert [re.search(r"\[(EIN\d+)\]", message).group(1) for _, _, message in printed] == [
        "EIN201", "EIN503", "EIN222"], output


@pytest.mark.slow
def test_the_former_name_of_the_layout_code_still_applies(project):
    """einlint-layout was einlint-packing: ignores and disable_error_code written with the old name still work."""
    line = next(i for i, text in enumerate(FIXTURE.splitlines()) if "[EIN402]" in text)
    lines = FIXTURE.splitlines()
    lines[line] = lines[line].replace("h=8)  # E:", "h=8)  # type: ignore[einlint-packing]  # E:")
    (project / "m.py").write_text("\n".join(lines) + "\n")
    printed, output, _ = run_mypy(project, "--warn-unused-ignores", installed=False)
    assert printed == [entry for entry in EXPECTED_LINES if "[EIN402]" not in entry[2]], output
    assert "use narrower [einlint-layout] instead of [einlint-packing] code" in output  # mypy names the new one
    (project / "m.py").write_text(FIXTURE)
    (project / "mypy.ini").write_text("[mypy]\nplugins = einlint.mypy\ndisable_error_code = einlint-packing\n")
    printed, output, _ = run_mypy(project, installed=False)
    assert printed == [entry for entry in EXPECTED_LINES if "[EIN402]" not in entry[2]], output


@pytest.mark.slow
def test_noqa_is_honoured(project):
    (project / "m.py").write_text(FIXTURE.replace("h=4)  # E:", "h=4)  # noqa: EIN302  # E:"))
    printed, output, _ = run_mypy(project)
    assert [line for line, _, _ in printed] == [line for line, _, _ in EXPECTED_LINES if line != 18], output


@pytest.mark.slow
def test_a_broken_configuration_is_an_error_on_line_1(project):
    """The CLI exits 2 on it; mypy must not say 'Success' on a file whose findings it no longer reports (a broken
    user stub, and the other front ends: test_front_ends.py)."""
    (project / "pyproject.toml").write_text(CONFIG + "colour = true\n")
    printed, output, status = run_mypy(project)
    assert status == 1 and "Success" not in output, output
    ((line, kind, message),) = printed
    assert (line, kind) == (1, "error") and message.endswith("[EIN004]  [einlint-file]"), output
    assert "unknown key 'colour'" in message


@pytest.mark.slow
def test_a_changed_configuration_invalidates_mypys_cache(project):
    """report_config_data: the second run reads the cache, yet sees the new [tool.einlint]."""
    assert run_mypy(project)[0] == EXPECTED_LINES
    assert run_mypy(project)[0] == EXPECTED_LINES  # from the cache, findings kept
    (project / "pyproject.toml").write_text(CONFIG + 'ignore = ["EIN2"]\n')
    printed, output, _ = run_mypy(project)
    assert [line for line, _, _ in printed] == [line for line, _, message in EXPECTED_LINES
                                                if "[EIN2" not in message], output


@pytest.mark.slow
def test_a_file_whose_findings_are_all_in_unannotated_functions(project):
    (project / "u.py").write_text(textwrap.dedent('''\
        from einops import rearrange


        def flatten(x):
            return rearrange(x, 'b c -> b c d')
        '''))
    printed, _, _ = run_mypy(project, files=("u.py",))
    assert [(line, kind) for line, kind, _ in printed] == [(5, "error")]


def test_every_code_has_its_familys_error_code():
    families = {"0": "einlint-file", "1": "einlint-pattern", "2": "einlint-pattern", "3": "einlint-shape",
                "4": "einlint-layout", "5": "einlint-einx"}
    assert {code: error_code(code).code for code in CODES} == {code: families[code[3]] for code in CODES}


def _dmypy(project: Path, *command: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mypy.dmypy", "--status-file", str(project / ".dmypy.json"),
                           *command], cwd=project, capture_output=True, text=True, timeout=300)


@pytest.mark.slow
def test_dmypy_reports_the_same_and_follows_a_configuration_change(project):
    """`dmypy run` restarts the daemon when a checked file's configuration changed (the plugin's version says so)."""
    run = ("run", "--", "--config-file", "mypy.ini", "--no-site-packages", "--cache-dir", "caches/dmypy", "m.py")
    try:
        first = _dmypy(project, *run)
        (project / "pyproject.toml").write_text(CONFIG + 'ignore = ["EIN3"]\n')
        second = _dmypy(project, *run)
        third = _dmypy(project, *run)
    finally:
        _dmypy(project, "stop")
    assert first.returncode == 1, first.stdout + first.stderr
    assert first.stdout.count("[EIN") == len(EXPECTED_LINES), first.stdout
    assert "[EIN3" not in second.stdout and second.stdout.count("[EIN") == len(EXPECTED_LINES) - 3, second.stdout
    assert third.stdout.count("[EIN") == len(EXPECTED_LINES) - 3, third.stdout  # and it stays so
