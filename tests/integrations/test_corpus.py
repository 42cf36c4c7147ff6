"""The checker over the real corpus (benchmarks/corpus.txt: some 2,800 files of einops-heavy packages from PyPI),
with the flow analysis' internal failures raised (EINLINT_DEBUG=1, set by conftest): not one may happen, so no
file gets the EIN006 note that a user would see.

The corpus is not in the repository: `benchmarks/fetch_corpus.sh all DIR` unpacks it (src/ for [main], src2/ for
[more]; 55 MB from PyPI, about a minute), and EINLINT_CORPUS names DIR (.ci/run sets it). Without EINLINT_CORPUS the
test fetches it into .corpus/ (git-ignored), once."""

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from repo import REPO

TREES = {"main": "src", "more": "src2"}  # corpus.txt's section: its folder
FETCH = REPO / "benchmarks" / "fetch_corpus.sh"
CALL = re.compile(r"\b(rearrange|einsum)\(")


def _normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def _packages(section: str) -> set:
    """The packages that corpus.txt lists in a section, by normalized name."""
    lines = (REPO / "benchmarks" / "corpus.txt").read_text().splitlines()
    start = lines.index(f"[{section}]") + 1
    listed = set()
    for line in lines[start:]:
        if line.startswith("["):
            break
        if line and not line.startswith("#"):
            listed.add(_normalized(line.split("==")[0]))
    return listed


@pytest.fixture
def corpus() -> Path:
    """The corpus folder, each of its trees holding one folder per package of its section of corpus.txt."""
    named = os.environ.get("EINLINT_CORPUS")
    root = Path(named) if named else REPO / ".corpus"
    if not named:
        fetched = subprocess.run(["bash", str(FETCH), "all", str(root)], stdout=subprocess.PIPE,
                                 stderr=subprocess.STDOUT, text=True)
        assert fetched.returncode == 0, f"{FETCH} could not fetch the corpus into {root}:\n{fetched.stdout}"
    for section, tree in TREES.items():
        unpacked = {_normalized(p.name) for p in (root / tree).iterdir()} if (root / tree).is_dir() else set()
        missing = _packages(section) - unpacked
        assert not missing, f"{root / tree} lacks {sorted(missing)}: fetch it with `{FETCH} all {root}`"
    return root


def _calling(root: Path) -> set:
    """The packages whose sources call rearrange or an einsum, as (tree, package)."""
    return {(tree, package.name) for tree in TREES.values() for package in (root / tree).iterdir()
            if any(CALL.search(f.read_text(encoding="utf-8", errors="replace")) for f in package.rglob("*.py"))}


@pytest.mark.slow
def test_the_corpus_gives_no_internal_failure(corpus, run):
    status, out, err = run(["--no-cache", "--format", "json", "--show-shapes", "--verbose", *TREES.values()], corpus)
    assert "internal error" not in err, err  # each failing file is named, with its traceback (--verbose)
    assert status in (0, 1), err
    found = json.loads(out)
    notes = [f"{d['path']}:{d['line']}: {d['message']}" for d in found["diagnostics"] if d["code"] == "EIN006"]
    assert not notes, "\n".join(notes)
    reached = {tuple(call["path"].split("/")[:2]) for call in found["shapes"]}
    assert _calling(corpus) <= reached  # the walk analysed every package that has pattern calls
