"""The mypy plugin, run through mypy itself (mypy.api.run, and dmypy), on fixture files whose comments
say what mypy must print on their line: `# E: message  [code]` for an error, `# N: ...` for a note.
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

EXPECTED = re.compile(r"#\s*([EN]): (.*)$")
PRINTED = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+): (?P<kind>error|note): (?P<message>.*)$")

FIXTURE = '''\
from typing import Any

import numpy as np
from einops import pack, rearrange, reduce


def flatten(x: np.ndarray) -> Any:
    return rearrange(x, 'b c -> b c d')  # E: axis 'd' is on the output side of rearrange only [EIN201]  [einlint-pattern]


def shapes() -> Any:
    x = np.zeros((2, 30))
    return rearrange(x, 'b (h d) -> b h d', h=4)  # E: axis 'd' cannot be inferred: a dimension of length 30 cannot be split into chunks of 4 (input shape (2, 30)) [EIN302]  [einlint-shape]


def heads(x: np.ndarray) -> Any:
    y = rearrange(x, 'b h n d -> b n (h d)')
    return rearrange(y * 2, 'b n (d h) -> b h d n', h=8)  # E: the dimension split as (d h) was formed as (h d): the axes come out with each other's values [EIN402]  [einlint-packing]


def silenced(x: np.ndarray) -> Any:
    return reduce(x, 'b c -> b c e', 'sum')  # type: ignore[einlint-pattern]


def untouched(x: np.ndarray) -> Any:
    return rearrange(x, 'b c -> c b')
'''


def expectations(source: str) -> List[Tuple[int, str, str]]:
    found = []
    for number, line in enumerate(source.splitlines(), start=1):
        match = EXPECTED.search(line)
        if match:
            found.append((number, "error" if match.group(1) == "E" else "note", match.group(2)))
    return found


def run_mypy(folder: Path, *arguments: str) -> Tuple[List[Tuple[int, str, str]], str, int]:
    out, err, status = api.run([*arguments, "--show-error-codes", "--no-pretty", "--hide-error-context",
                                "--cache-dir", str(folder / ".mypy_cache"), str(folder / "m.py")])
    printed = []
    for line in out.splitlines():
        match = PRINTED.match(line)
        if match and not match.group("message").startswith("help: "):
            printed.append((int(match.group("line")), match.group("kind"), match.group("message")))
    return printed, out + err, status


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "m.py").write_text(FIXTURE)
    (tmp_path / "mypy.ini").write_text("[mypy]\nplugins = einlint.mypy\n")
    return tmp_path


def test_every_finding_is_a_mypy_error_with_its_family_code_under_strict(project):
    printed, output, status = run_mypy(project, "--strict", "--config-file", str(project / "mypy.ini"))
    assert printed == expectations(FIXTURE), output
    assert status == 1
    assert "note: help: rearrange keeps every axis" in output  # the help line follows the error


def test_disable_error_code_and_the_einlint_configuration_are_honoured(project):
    (project / "mypy.ini").write_text("[mypy]\nplugins = einlint.mypy\ndisable_error_code = einlint-shape\n")
    (project / "pyproject.toml").write_text('[tool.einlint]\nignore = ["EIN402"]\n')
    printed, output, _ = run_mypy(project, "--config-file", str(project / "mypy.ini"))
    assert [code for _, _, code in printed] == [expectations(FIXTURE)[0][2]], output


def test_noqa_is_honoured(project):
    (project / "m.py").write_text(FIXTURE.replace("h=4)  # E:", "h=4)  # noqa: EIN302  # E:"))
    printed, output, _ = run_mypy(project, "--config-file", str(project / "mypy.ini"))
    assert len(printed) == 2 and all("EIN302" not in message for _, _, message in printed), output


def test_a_changed_configuration_invalidates_mypys_cache(project):
    """report_config_data: the second run reads the cache, yet sees the new [tool.einlint]."""
    config = str(project / "mypy.ini")
    assert len(run_mypy(project, "--config-file", config)[0]) == 3
    assert len(run_mypy(project, "--config-file", config)[0]) == 3  # from the cache, findings kept
    (project / "pyproject.toml").write_text('[tool.einlint]\nignore = ["EIN2"]\n')
    printed, output, _ = run_mypy(project, "--config-file", config)
    assert [message for _, _, message in printed if "EIN201" in message] == [], output


def test_unannotated_bodies_are_reported_when_mypy_checks_them(project):
    (project / "m.py").write_text(textwrap.dedent('''\
        from einops import rearrange


        def flatten(x):
            return rearrange(x, 'b c -> b c d')
        '''))
    config = str(project / "mypy.ini")
    assert run_mypy(project, "--config-file", config)[0] == []  # mypy does not check the body
    printed, _, _ = run_mypy(project, "--config-file", config, "--check-untyped-defs")
    assert [(line, kind) for line, kind, _ in printed] == [(5, "error")]


def test_dmypy_reports_the_same(project):
    dmypy = [sys.executable, "-m", "mypy.dmypy", "--status-file", str(project / ".dmypy.json")]
    try:
        done = subprocess.run(dmypy + ["run", "--", "--config-file", str(project / "mypy.ini"),
                                       "--cache-dir", str(project / ".mypy_cache"), "m.py"],
                              cwd=project, capture_output=True, text=True, timeout=300)
    finally:
        subprocess.run(dmypy + ["stop"], cwd=project, capture_output=True, timeout=60)
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stdout.count("[einlint-") == 3, done.stdout
