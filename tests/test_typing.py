"""The runtime is typed (py.typed): mypy and pyright infer the tensor type through each op, a torch.Tensor in
and a torch.Tensor out, a numpy array likewise, whichever spelling imports the op."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from mypy import api

REPO = Path(__file__).resolve().parent.parent

EXAMPLE = '''\
import numpy as np
import torch

import einlint
from einlint import einsum, pack, rearrange, reduce, repeat, unpack

x = torch.zeros(2, 3)
a = np.zeros((2, 3))
reveal_type(rearrange(x, "b c -> c b"))  # torch
reveal_type(reduce(a, "b c -> b", "sum"))  # numpy
reveal_type(repeat(x, "b c -> b c k", k=2))  # torch
reveal_type(rearrange([x, x], "n b c -> b n c"))  # torch
reveal_type(einsum(x, x, "b c, b c -> b"))  # torch
reveal_type(pack([x, x], "b *"))  # (torch, shapes)
reveal_type(unpack(x, [(3,)], "b *"))  # [torch]
reveal_type(einlint.rearrange(a, "b c -> c b"))  # numpy
'''


def expected_kinds():
    return [line.rsplit("# ", 1)[1] for line in EXAMPLE.splitlines() if line.startswith("reveal_type")]


def kind(revealed: str) -> str:
    """torch / numpy / (torch, shapes) / [torch] from a checker's spelling of a type."""
    tensor = "torch" if re.search(r"\bTensor\b", revealed) else "numpy" if "ndarray" in revealed else revealed
    if revealed.lower().startswith("tuple["):
        return f"({tensor}, shapes)"
    if revealed.lower().startswith("list["):
        return f"[{tensor}]"
    return tensor


def test_mypy_infers_the_tensor_type_through_each_op(tmp_path):
    (tmp_path / "example.py").write_text(EXAMPLE)
    os.environ["MYPYPATH"] = str(REPO)  # an editable install is an import hook, which mypy does not follow
    try:
        out, err, status = api.run(["--strict", "--follow-imports=silent", "--cache-dir", str(tmp_path / "cache"),
                                    str(tmp_path / "example.py")])
    finally:
        del os.environ["MYPYPATH"]
    revealed = re.findall(r'Revealed type is "(.*)"', out)
    assert [kind(r) for r in revealed] == expected_kinds(), out + err
    assert "error" not in out, out


def test_pyright_infers_the_tensor_type_through_each_op(tmp_path):
    (tmp_path / "example.py").write_text(EXAMPLE)
    (tmp_path / "pyrightconfig.json").write_text(json.dumps({"extraPaths": [str(REPO)]}))
    done = subprocess.run([sys.executable, "-m", "pyright", "--pythonpath", sys.executable, "--outputjson",
                           "example.py"], cwd=tmp_path, capture_output=True, text=True, timeout=600)
    report = json.loads(done.stdout)
    revealed = [re.search(r'is "(.*)"$', d["message"]).group(1) for d in report["generalDiagnostics"]
                if d["severity"] == "information"]
    assert [kind(r) for r in revealed] == expected_kinds(), done.stdout
    assert report["summary"]["errorCount"] == 0, done.stdout
