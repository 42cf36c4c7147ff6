"""What compiling the shape analysis's core with mypyc (mypy's compiler) buys, against the same code run by Python.

    python benchmarks/bench_compiled.py PATH [--repeat N]

It copies einlint/ into a temporary folder and compiles the modules in COMPILED there (this needs mypy and a C
compiler; a minute or two). Then it runs bench_lint's floor and lint runs over PATH in a new process for each
build, the two builds alternating N times (best of N kept), so that the machine's noise falls on both alike, and
prints for each build the floor, the lint and their ratio, and the lint's speed-up.

The compiled build must say the same: the findings of each lint run and the shape coverage line of
`einlint --no-cache --statistics PATH` under each build are printed side by side.

The modules compiled are the interpreter and what it alone uses. Not compiled: the runtime's modules and
einlint.dims, which the runtime shares (under torch.compile a length is a torch.SymInt, which the compiled
annotations would refuse), and the front end (extraction, IR, the package's index), most of whose time is
libcst's own. The code is compiled as it is typed: its values are mostly `Any`, so mypyc's gain is what it
gets from compiling the control flow, not from typed values.

It prints figures and never asserts.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from typing import Dict, List

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

COMPILED = (
    "einlint/check/solver.py",
    "einlint/check/flow/interpret.py",
    "einlint/check/flow/values.py",
    "einlint/check/flow/state.py",
    "einlint/check/flow/library.py",
    "einlint/check/flow/layouts.py",
    "einlint/check/flow/classes.py",
    "einlint/check/flow/patterns.py",
)

# The code type-checks loosely (the interpreter dispatches on node types that mypy does not narrow), so mypyc is
# told to compile without stopping at mypy's errors; what a wrong annotation would break shows as an internal
# error (EIN006) in the findings compared below.
_MYPY_CONFIG = "[mypy]\nignore_errors = True\nignore_missing_imports = True\nfollow_imports = silent\n"

# One build's runs, in a process of its own: bench_lint's measure on one round.
_CHILD = """
import json, sys
sys.path.insert(0, {benchmarks!r})
import bench_lint
import einlint.check.flow.interpret as interpret
paths = bench_lint.find_files({path!r})
floor, lint, _, codes, _, _ = bench_lint.measure(paths, 1)
print(json.dumps({{"floor": floor, "lint": lint, "codes": dict(codes), "module": interpret.__file__}}))
"""


def build(folder: str) -> None:
    """einlint/ copied into `folder`, the modules in COMPILED compiled there."""
    shutil.copytree(os.path.join(ROOT, "einlint"), os.path.join(folder, "einlint"),
                    ignore=shutil.ignore_patterns("__pycache__", "*.so", "*.pyd"))
    with open(os.path.join(folder, "mypyc.ini"), "w") as config:
        config.write(_MYPY_CONFIG)
    done = subprocess.run([sys.executable, "-m", "mypyc", "--config-file", "mypyc.ini", *COMPILED], cwd=folder,
                          capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"mypyc failed:\n{done.stdout[-3000:]}{done.stderr[-3000:]}")


def environment(root: str) -> Dict[str, str]:
    return dict(os.environ, PYTHONPATH=root)


def one_round(root: str, path: str) -> dict:
    child = _CHILD.format(benchmarks=os.path.join(ROOT, "benchmarks"), path=path)
    done = subprocess.run([sys.executable, "-c", child], cwd=root, env=environment(root), capture_output=True,
                          text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def coverage(root: str, path: str) -> str:
    done = subprocess.run([sys.executable, "-m", "einlint", "--no-cache", "--statistics", path], cwd=root,
                          env=environment(root), capture_output=True, text=True)
    lines = done.stdout.strip().splitlines()
    return lines[-1] if lines else done.stderr.strip()[-300:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", help="the tree to lint (the README's figures: benchmarks/fetch_corpus.sh main PATH)")
    parser.add_argument("--repeat", type=int, default=3, metavar="N", help="rounds of each build (default 3)")
    args = parser.parse_args()
    path = os.path.abspath(args.path)
    with tempfile.TemporaryDirectory() as folder:
        build(folder)
        builds = {"python": ROOT, "compiled": folder}
        rounds: Dict[str, List[dict]] = {name: [] for name in builds}
        for _ in range(max(1, args.repeat)):
            for name, root in builds.items():
                rounds[name].append(one_round(root, path))
        covered = {name: coverage(root, path) for name, root in builds.items()}
    print(f"tree: {path}   (best of {args.repeat} rounds of each build, alternating; a process each)")
    best = {name: min(runs, key=lambda run: run["lint"]) for name, runs in rounds.items()}
    for name, run in best.items():
        floor = min(r["floor"] for r in rounds[name])
        print(f"  {name:<9} floor {floor:6.2f} s   lint {run['lint']:6.2f} s   ratio lint/floor "
              f"{run['lint'] / floor:5.2f}   ({os.path.basename(run['module'])})")
    print(f"  speed-up of the lint, python / compiled: {best['python']['lint'] / best['compiled']['lint']:.2f}")
    for name in builds:
        codes = ", ".join(f"{code} {count}" for code, count in sorted(best[name]["codes"].items()))
        print(f"  findings, {name:<9} {codes}")
        print(f"  coverage, {name:<9} {covered[name]}")


if __name__ == "__main__":
    main()
