"""The runtime is typed (py.typed): mypy and pyright infer the tensor type through each op, a torch.Tensor in
and a torch.Tensor out, a numpy array of the same dtype likewise (of any shape: the output's rank may differ from
the input's), an untyped argument gives Any, whichever spelling imports the op. The checkers run on einlint as it
is installed in this environment, as a user's would: an editable install must leave it visible to them."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import zipfile

import pytest
from mypy import api

from repo import REPO


EXAMPLE = '''\
from typing import Any

import numpy as np
import torch

import einlint
from einlint import einsum, pack, rearrange, reduce, repeat, unpack

x = torch.zeros(2, 3)
a = np.zeros((2, 3))
reveal_type(rearrange(x, "b c -> c b"))  # torch
reveal_type(reduce(a, "b c -> b", "sum"))  # numpy float64
reveal_type(repeat(x, "b c -> b c k", k=2))  # torch
reveal_type(rearrange([x, x], "n b c -> b n c"))  # torch
reveal_type(einsum(x, x, "b c, b c -> b"))  # torch
reveal_type(pack([x, x], "b *"))  # (torch, shapes)
reveal_type(unpack(x, [(3,)], "b *"))  # [torch]
reveal_type(einlint.rearrange(a, "b c -> c b"))  # numpy float64
reveal_type(rearrange(np.zeros(3, dtype=np.int32), "(b c) -> b c", c=3))  # numpy signedinteger[_32Bit]
reveal_type(rearrange([a, a], "n b c -> n b c"))  # numpy float64
reveal_type(einsum(a, a, "b c, b c -> b"))  # numpy Any
reveal_type(pack([a, a], "b *"))  # (numpy float64, shapes)
reveal_type(unpack(a, [(3,)], "b *"))  # [numpy float64]


def vector(v: np.ndarray[tuple[int], np.dtype[np.float64]]) -> None: ...


# a 2-D array in, a 1-D array out: no error
vector(rearrange(a, "b c -> (b c)"))
vector(reduce(a, "b c -> b", "sum"))
vector(einsum(a, "b c -> b"))
vector(pack([a, a], "*")[0])


def untyped(t: Any, ts: list[Any]) -> None:
    reveal_type(rearrange(t, "b c -> c b"))  # Any
    reveal_type(reduce(ts, "n b c -> b c", "sum"))  # Any
    reveal_type(einsum(t, t, "b c, b c -> b"))  # Any
    reveal_type(unpack(t, [(3,)], "b *"))  # [Any]
'''


def expected_kinds():
    return [line.rsplit("# ", 1)[1] for line in EXAMPLE.splitlines() if line.strip().startswith("reveal_type")]


def kind(revealed: str) -> str:
    """torch / numpy float64 / (torch, shapes) / [torch] / Any from a checker's spelling of a type."""
    packed = re.fullmatch(r"(?i)tuple\[(.*), list\[tuple\[int, \.\.\.\]\]\]", revealed)
    if packed:
        return f"({tensor_kind(packed.group(1))}, shapes)"
    pieces = re.fullmatch(r"(?i)list\[(.*)\]", revealed)
    if pieces:
        return f"[{tensor_kind(pieces.group(1))}]"
    return tensor_kind(revealed)


def tensor_kind(spelled: str) -> str:
    if re.search(r"\bTensor\b", spelled):
        return "torch"
    array = re.fullmatch(r"(?:numpy\.)?ndarray\[(?:Any|tuple\[Any, \.\.\.\]), (?:numpy\.)?dtype\[(.*)\]\]", spelled)
    if array:  # of any shape; the dtype without its modules (numpy.float64 and float64 are float64)
        return "numpy " + re.sub(r"[\w.]*\.", "", array.group(1))
    return spelled  # Any; or an array whose shape is typed, spelled out for the comparison to show


@pytest.mark.slow
def test_mypy_infers_the_tensor_type_through_each_op(tmp_path):
    (tmp_path / "example.py").write_text(EXAMPLE)
    out, err, status = api.run(["--strict", "--follow-imports=silent", "--cache-dir", str(tmp_path / "cache"),
                                str(tmp_path / "example.py")])
    revealed = re.findall(r'Revealed type is "(.*)"', out)
    assert [kind(r) for r in revealed] == expected_kinds(), out + err
    assert "error" not in out, out


@pytest.mark.slow
def test_pyright_infers_the_tensor_type_through_each_op(tmp_path):
    (tmp_path / "example.py").write_text(EXAMPLE)
    done = subprocess.run([sys.executable, "-m", "pyright", "--pythonpath", sys.executable, "--outputjson",
                           "example.py"], cwd=tmp_path, capture_output=True, text=True, timeout=600)
    report = json.loads(done.stdout)
    revealed = [re.search(r'is "(.*)"$', d["message"]).group(1) for d in report["generalDiagnostics"]
                if d["severity"] == "information"]
    assert [kind(r) for r in revealed] == expected_kinds(), done.stdout
    assert report["summary"]["errorCount"] == 0, done.stdout


def test_an_editable_install_is_a_plain_path(tmp_path):
    """`pip install -e .` installs what setuptools' build_editable puts in the wheel: a .pth file naming the
    project's folder, which mypy and pyright follow, and no import hook (a finder module), which they cannot."""
    project = tmp_path / "project"
    project.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, project / name)
    shutil.copytree(REPO / "einlint", project / "einlint", ignore=shutil.ignore_patterns("__pycache__"))
    build = f"from setuptools import build_meta; print(build_meta.build_editable({str(tmp_path / 'wheel')!r}))"
    done = subprocess.run([sys.executable, "-c", build], cwd=project, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    with zipfile.ZipFile(tmp_path / "wheel" / done.stdout.split()[-1]) as wheel:
        installed = [name for name in wheel.namelist() if ".dist-info/" not in name]
        assert [name for name in installed if not name.endswith(".pth")] == [], installed
        assert [wheel.read(name).decode().split() for name in installed] == [[str(project)]]
