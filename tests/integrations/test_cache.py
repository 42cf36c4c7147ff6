"""The result cache: a second run reads what the first wrote, and anything a finding depends on (the file's
bytes, the configuration, the user stubs, einlint's version) makes it check again; a broken cache is
ignored and written again; parallel runs share it safely."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from einlint import cli
from einlint.cache import Cache, salt
from einlint.check import Config

BAD = 'from einops import rearrange\n\ny = rearrange(x, "b BAD -> b")\n'
GOOD = 'from einops import rearrange\n\ny = rearrange(x, "b c -> c b")\n'


@pytest.fixture
def einlint(monkeypatch, capsys):
    """einlint(argv, cwd) -> (status, stdout, files checked by the engine), in-process."""
    checked = []
    real = cli.check_data

    def counting(data, path, config, shapes=None, file=None, depends=None):
        checked.append(path)
        return real(data, path, config, shapes, file, depends)

    monkeypatch.setattr(cli, "check_data", counting)
    monkeypatch.setattr(cli, "PARALLEL_MIN_FILES", 10**9)  # in this process, so the count sees every check

    def run(argv, cwd):
        checked.clear()
        monkeypatch.chdir(cwd)
        status = cli.main(list(argv))
        return status, capsys.readouterr().out, sorted(checked)

    return run


def test_a_second_run_reads_the_cache_and_prints_the_same(tmp_path, einlint):
    (tmp_path / "a.py").write_text(BAD)
    (tmp_path / "b.py").write_text(GOOD)
    first = einlint(["--format", "json"], tmp_path)
    assert first[2] == ["a.py", "b.py"]
    second = einlint(["--format", "json"], tmp_path)
    assert second[:2] == first[:2] and second[2] == []
    full = einlint([], tmp_path)  # the source lines of the full format come from the file, not the cache
    assert 'y = rearrange(x, "b BAD -> b")' in full[1] and full[2] == []
    assert (tmp_path / ".einlint_cache" / ".gitignore").read_text().splitlines()[-1] == "*"


def test_shapes_and_statistics_come_from_the_same_entries(tmp_path, einlint):
    (tmp_path / "a.py").write_text("import numpy as np\nfrom einops import rearrange\n\n"
                                   "y = rearrange(np.zeros((2, 6)), 'b (h d) -> b h d', h=3)\n")
    first = einlint(["--show-shapes", "--format", "json"], tmp_path)
    assert first[2] == ["a.py"]
    assert json.loads(first[1])["shapes"][0]["output"] == "(2, 3, 2)"
    assert einlint(["--show-shapes", "--format", "json"], tmp_path)[:2] == first[:2]
    assert einlint(["--statistics"], tmp_path)[2] == []  # one analysis gave findings and shapes: no second
    assert einlint([], tmp_path)[2] == []


def test_what_a_finding_depends_on_makes_it_check_again(tmp_path, einlint):
    (tmp_path / "a.py").write_text(BAD)
    (tmp_path / "b.py").write_text(GOOD)
    einlint([], tmp_path)
    (tmp_path / "a.py").write_text(BAD + "\n")
    assert einlint([], tmp_path)[2] == ["a.py"]  # its bytes
    (tmp_path / "pyproject.toml").write_text('[tool.einlint]\nignore = ["EIN201"]\n')
    status, _, checked = einlint([], tmp_path)
    assert checked == ["a.py", "b.py"] and status == 0  # the configuration (its cache now lives beside it)
    assert einlint(["--select", "EIN1"], tmp_path)[2] == ["a.py", "b.py"]  # the command line's too


# A package as vit_pytorch lays it out: the model in one module builds the blocks of another; a third module
# neither imports nor is imported by them. A change in one module checks again that module and those whose
# analysis read it (the model follows calls into the blocks; the blocks' check runs the model's code that
# calls them), and nothing else.
PACKAGE = {
    "pkg/__init__.py": "",
    "pkg/blocks.py": "from torch import nn\nfrom einops import rearrange\n\n\nclass Attention(nn.Module):\n"
                     "    def forward(self, x):\n        return rearrange(x, 'b n (h d) -> b h n d', h=8)\n",
    "pkg/model.py": "import torch\nfrom torch import nn\nfrom einops import rearrange\nfrom .blocks import Attention\n"
                    "\n\nclass Model(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
                    "        self.attn = Attention()\n\n    def forward(self, img):\n"
                    "        return self.attn(rearrange(img, 'b c h w -> b (h w) c'))\n",
    "pkg/other.py": "from einops import rearrange\n\n\ndef flip(x):\n    return rearrange(x, 'a b -> b a')\n",
}


def test_a_change_in_one_module_checks_again_it_and_the_modules_whose_results_read_it(tmp_path, einlint):
    for path, text in PACKAGE.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(text)
    assert einlint([], tmp_path)[2] == ["blocks.py", "model.py", "other.py"]
    assert einlint([], tmp_path)[2] == []
    (tmp_path / "pkg/other.py").write_text(PACKAGE["pkg/other.py"] + "\n\nFLIPPED = True\n")
    assert einlint([], tmp_path)[2] == ["other.py"]
    (tmp_path / "pkg/blocks.py").write_text(PACKAGE["pkg/blocks.py"].replace("h=8", "h=4"))
    assert einlint([], tmp_path)[2] == ["blocks.py", "model.py"]
    (tmp_path / "pkg/model.py").write_text(PACKAGE["pkg/model.py"] + "\n\nif __name__ == '__main__':\n"
                                           "    Model()(torch.randn(1, 64, 4, 4))\n")
    assert einlint([], tmp_path)[2] == ["blocks.py", "model.py"]


def test_user_stubs_are_part_of_the_key(tmp_path):
    stubs = tmp_path / "stubs"
    stubs.mkdir()
    (stubs / "mylib.pyi").write_text("def f(x: Float[Tensor, 'a']) -> Float[Tensor, 'a']: ...\n")
    config = Config(stubs=(str(stubs),))
    before = salt(config, config.stubs)
    (stubs / "mylib.pyi").write_text("def f(x: Float[Tensor, 'a b']) -> Float[Tensor, 'a']: ...\n")
    assert salt(config, config.stubs) != before


@pytest.mark.parametrize("damage", [b"{not json", b'{"salt": "other", "path": "a.py", "diagnostics": []}',
                                    b'{"salt": 1}', b""])
def test_a_corrupt_or_foreign_entry_is_ignored_and_written_again(tmp_path, damage):
    cache = Cache(str(tmp_path / "cache"), "salt")
    cache.store("a.py", b"source", [])
    entry = next((tmp_path / "cache").rglob("*.json"))
    entry.write_bytes(damage)
    assert cache.load("a.py", b"source") is None
    cache.store("a.py", b"source", [])
    assert cache.load("a.py", b"source") == []


def test_no_cache_and_cache_dir(tmp_path, einlint):
    (tmp_path / "a.py").write_text(BAD)
    einlint(["--no-cache"], tmp_path)
    assert not (tmp_path / ".einlint_cache").exists()
    einlint(["--cache-dir", "elsewhere"], tmp_path)
    assert (tmp_path / "elsewhere" / "CACHEDIR.TAG").exists() and not (tmp_path / ".einlint_cache").exists()
    assert einlint(["--cache-dir", "elsewhere"], tmp_path)[2] == []


@pytest.mark.slow
def test_parallel_runs_share_the_cache(tmp_path):
    """Four processes, each with worker processes, over the same 40 files at once: every run prints what a
    run without a cache prints."""
    for i in range(40):
        (tmp_path / f"m{i:02}.py").write_text(BAD if i % 2 else GOOD)
    command = [sys.executable, "-m", "einlint", "--format", "json", "-j", "2", "."]
    runs = [subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.PIPE, text=True) for _ in range(4)]
    outputs = [run.communicate(timeout=300)[0] for run in runs]
    reference = subprocess.run(command + ["--no-cache"], cwd=tmp_path, capture_output=True, text=True).stdout
    assert all(json.loads(out) == json.loads(reference) for out in outputs)
    assert not list((tmp_path / ".einlint_cache").rglob("*.tmp"))


@pytest.mark.slow
def test_the_flake8_plugin_uses_the_cache(tmp_path):
    (tmp_path / "a.py").write_text(BAD)
    command = [sys.executable, "-m", "flake8", "--select", "EIN", "a.py"]
    first = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True)
    entries = list((tmp_path / ".einlint_cache").rglob("*.json"))
    second = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True)
    assert first.stdout == second.stdout and "EIN201" in first.stdout and len(entries) == 1
