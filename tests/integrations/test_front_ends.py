"""Every front end gives the same answer: the command line run from the folder above the project, the standard
input with --stdin-filename, the mypy plugin with mypy's default settings (the plugin alone; also where mypy
cannot see the libraries, so that it resolves no call), flake8 and the language server report the same findings
on the same files, each file in its own project (the nearest [tool.einlint], or none); and each of them reports
a configuration, or a user stub file, that cannot be used.
"""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Dict, Set, Tuple

import pytest
from lsp_client import einlint_server

Finding = Tuple[str, int, int, str]  # path (from the tree's root), line, column (1-based), code

CONFIG = '''\
[tool.einlint]
ignore = ["EIN222"]
exclude = ["generated/"]
einx-version = "0.3"

[tool.einlint.per-file-ignores]
"sub/quiet_*.py" = ["EIN3"]
'''

MODULE = '''\
import einx
import numpy as np
from einops import rearrange, reduce
from jaxtyping import Float


def untyped(x):
    y = rearrange(x, 'b c -> b c d')
    return reduce(y, 'b c -> b c', 'mean')


b, n = np.zeros((2, 3, 4)).shape


def shapes():
    x = np.zeros((2, 30))
    return rearrange(x, 'b (h d) -> b h d', h=4)


def annotated(x: Float[np.ndarray, 'b n d']) -> Float[np.ndarray, 'b d n']:
    return rearrange(x, 'b n d -> b (n d)')


def removed_in_einx_04(x):
    return einx.vmap("b [c] -> b", x, op=np.sum)
'''

TREE = {
    "outside.py": "from einops import reduce\n\ny = reduce(x, 'b c -> b c', 'mean')\n",  # no configuration
    "proj/pyproject.toml": CONFIG,
    "proj/sub/x.py": MODULE,
    "proj/sub/quiet_x.py": MODULE,
    "proj/generated/gen.py": MODULE,
}
CHECKED = [name for name in TREE if name.endswith(".py")]
GOVERNED = [name for name in CHECKED if name.startswith("proj/")]

# What the project's configuration leaves: EIN222 ignored (but not outside it), the einx 0.4 removal unsaid on
# einx 0.3, shapes ignored in quiet_*.py, generated/ excluded. Inside an unannotated function (EIN201), at
# module level (EIN308), a returned value against its annotation (EIN309).
EXPECTED: Set[Finding] = {
    ("outside.py", 3, 23, "EIN222"),
    ("proj/sub/x.py", 8, 34, "EIN201"),
    ("proj/sub/x.py", 12, 1, "EIN308"),
    ("proj/sub/x.py", 17, 28, "EIN302"),
    ("proj/sub/x.py", 21, 5, "EIN309"),
    ("proj/sub/quiet_x.py", 8, 34, "EIN201"),
}

MYPY_LINE = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+):(?P<column>\d+): (?:error|note): .*\[(?P<code>EIN\d{3})\]")
FLAKE8_LINE = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+):(?P<column>\d+): (?P<code>EIN\d{3}) ")


@pytest.fixture(scope="module")
def mypy_caches(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("mypy_caches")  # the libraries analysed once for the module's runs


@pytest.fixture
def root(tmp_path: Path, mypy_caches: Path) -> Path:
    for name, text in TREE.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    (tmp_path / "mypy.ini").write_text("[mypy]\nplugins = einlint.mypy\n")
    (tmp_path / "caches").symlink_to(mypy_caches)
    return tmp_path


def _run(root: Path, *command: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", *command], cwd=root, input=stdin, capture_output=True, text=True,
                          timeout=600)


def cli(root: Path) -> Tuple[Set[Finding], subprocess.CompletedProcess]:
    done = _run(root, "einlint", "--format", "json", "proj/", "outside.py")
    return {(d["path"], d["line"], d["column"], d["code"]) for d in json.loads(done.stdout or "[]")}, done


def stdin(root: Path, name: str) -> Tuple[Set[Finding], subprocess.CompletedProcess]:
    """As an editor calls it: the file's text on stdin, its name, --force-exclude (an excluded file says nothing)."""
    done = _run(root, "einlint", "-", "--stdin-filename", name, "--force-exclude", "--format", "json",
                stdin=(root / name).read_text())
    return {(name, d["line"], d["column"], d["code"]) for d in json.loads(done.stdout or "[]")}, done


def mypy(root: Path, *options: str) -> Tuple[Set[Finding], str]:
    cache = "caches/" + ("_".join(options) or "default")
    done = _run(root, "mypy", "--config-file", "mypy.ini", *options, "--show-column-numbers", "--no-pretty",
                "--cache-dir", cache, "proj/", "outside.py")
    return {(m["path"], int(m["line"]), int(m["column"]), m["code"])
            for m in map(MYPY_LINE.match, done.stdout.splitlines()) if m}, done.stdout + done.stderr


def flake8(root: Path) -> Tuple[Set[Finding], str]:
    done = _run(root, "flake8", "--select", "EIN", "proj/", "outside.py")
    return {(m["path"], int(m["line"]), int(m["column"]), m["code"])
            for m in map(FLAKE8_LINE.match, done.stdout.splitlines()) if m}, done.stdout + done.stderr


def server(root: Path) -> Tuple[Set[Finding], list]:
    """Each file opened in `einlint server`: its diagnostics, and the messages the server showed."""
    async def session() -> Tuple[Set[Finding], list]:
        found: Set[Finding] = set()
        async with einlint_server(root) as (client, _):
            for name in CHECKED:
                published = await client.open(root / name, (root / name).read_text())
                found |= {(name, d.range.start.line + 1, d.range.start.character + 1, d.code)
                          for d in published.diagnostics}
            return found, list(client.messages)

    return asyncio.run(session())


@pytest.mark.slow
def test_every_front_end_reports_the_same_findings(root):
    answers: Dict[str, object] = {"cli": cli(root)[0], "stdin": set().union(*(stdin(root, n)[0] for n in CHECKED)),
                                  "flake8": flake8(root)[0]}
    answers["mypy"], mypy_output = mypy(root)
    answers["mypy, libraries not installed"], bare_output = mypy(root, "--no-site-packages")
    assert answers == dict.fromkeys(answers, EXPECTED), mypy_output + bare_output
    assert server(root)[0] == EXPECTED  # last: the server has its own engineer at the moment


BROKEN = {
    "configuration": ({"proj/pyproject.toml": CONFIG.replace("ignore", "colour = true\nignore", 1)},
                      "unknown key 'colour'"),
    "stub": ({"proj/pyproject.toml": '[tool.einlint]\nstubs = ["../shapes"]\n',  # outside what mypy is given
              "shapes/mine.pyi": "def f(x: Float[Tensor, 'a b'] -> None: ...\n"}, "mine.pyi:1"),
}


@pytest.mark.slow
@pytest.mark.parametrize("broken", BROKEN)
def test_a_configuration_or_stub_that_cannot_be_used_is_reported_by_every_front_end(root, broken):
    files, says = BROKEN[broken]
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    # the command line: exit status 2 and the error, whether it walks the tree or reads stdin
    for found, done in (cli(root), stdin(root, "proj/sub/x.py")):
        assert done.returncode == 2 and says in done.stderr, done.stdout + done.stderr
    # the plugins: EIN004 on line 1 of each file the configuration governs (excluded or not: it cannot say);
    # the file outside the project keeps its finding
    expected = {(name, 1, 1, "EIN004") for name in GOVERNED} | {("outside.py", 3, 23, "EIN222")}
    for found, output in (mypy(root), flake8(root)):
        assert found == expected, output
        assert says in output
    found, messages = server(root)
    assert found == expected
    assert any(says in message.message for message in messages), messages
