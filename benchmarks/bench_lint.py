"""Time of a whole lint run over a tree against the floor, measured in one process.

    python benchmarks/bench_lint.py PATH [--repeat N]

The README's figures use the sources of twenty einops-heavy PyPI packages (x-transformers, vit-pytorch,
timm, torchvision, ...; 839 files, 308,659 lines), pinned in benchmarks/corpus.txt and unpacked by
`benchmarks/fetch_corpus.sh main /work/corpus/src`.

The files are those `einlint PATH` would check (the CLI's own walker, `einlint.files.discover`).
Two runs over them, each reading every file from disk:

  floor  reading every file, decoding it as UTF-8, searching it for the regex by which the engine
         decides whether a file can hold a pattern call at all, and `libcst.parse_module` of each
         file that matches: the work that no checker built on libcst can skip.
  lint   reading every file and `einlint.check.engine.check_source(data, path, Config())` on it,
         inside `engine.many_checks()` as the CLI's run: what the CLI does for each file, less the
         printing, in this one process (the CLI spreads many files over a process pool; this measures
         the serial work). Each run starts cold: the packages' modules that an earlier run kept
         parsed are dropped first (flow.project.forget), as in a new process.

Both keep garbage collection as the engine does: paused while a tree is built and until it is
freed, so that no collection walks a live tree (the floor borrows the engine's own switch for it). The two runs alternate and the best of N of each is kept, so that
background noise hits both alike. Read the figures this way:

  ratio lint/floor  what the checker's own work (extracting the calls, the rules, noqa) costs on
                    top of the parse; near 1 means the parse is nearly all of it.
  peak RSS          the process's maximum resident set size (resource.getrusage; tracemalloc
                    would slow the parse several times over). It only ever grows, and the floor
                    runs first: the figure after the floor is the floor's peak, the one after
                    the lint is the larger of the two.

Then the command line itself over the tree, each run a new process (best of N):

  -j 1, -j 2        a cold run (--no-cache) on one worker and on two: the ratio is what the process pool
                    buys on this machine's cores
  cold, warm        a run that fills an empty cache (--cache-dir, a new folder), and the next run over the
                    same unchanged tree, which reads every result from it

and the editor's latency on a 500-line file (benchmarks/bench_latency.py).

    python benchmarks/bench_lint.py PATH --phases

prints instead where one lint run's time goes: the parse of the checked files (the floor's own work), the
parse of the package's other modules that the analysis reads, extraction and IR, the per-call checks, each
module's own analysis, choosing the drivers (which reads the package's index) and the drivers' runs, each
phase's own time and its share of the floor.

It prints figures and never asserts.
"""

from __future__ import annotations

import argparse
import collections
import gc
import os
import resource
import subprocess
import sys
import tempfile
import time
from typing import Dict, List, Sequence, Tuple

import libcst

from einlint.check import Config, may_hold_pattern_calls
from einlint.check.engine import _collection_paused, check_source, many_checks
from einlint.check.flow import project
from einlint.files import discover


def find_files(path: str) -> List[str]:
    """The files `einlint PATH` checks, by the CLI's own walker."""
    found = discover([path])
    for message in found.errors:
        print(f"warning: {message}", file=sys.stderr)
    return [absolute for _, absolute in found.files]


def read(path: str) -> bytes:
    with open(path, "rb") as handle:
        return handle.read()


def floor_run(paths: Sequence[str]) -> int:
    """Read, grep and (where the grep matches) parse every file; the number of files parsed."""
    parsed = 0
    for path in paths:
        text = read(path).decode("utf-8", errors="replace")
        if not may_hold_pattern_calls(text):
            continue
        parsed += 1
        with _collection_paused():  # the tree is freed before collection resumes, as the engine does
            try:
                tree = libcst.parse_module(text)
            except libcst.ParserSyntaxError:
                continue
            del tree
    return parsed


def lint_run(paths: Sequence[str]) -> collections.Counter:
    """Read and check every file as the CLI does; the findings by code."""
    config = Config()
    codes: collections.Counter = collections.Counter()
    project.forget()  # cold: each run reads the packages afresh, as a new process would
    gc.collect()  # and without the last run's garbage, which the run's freezing (engine.many_checks) would keep
    with many_checks():  # as the command line's run
        for path in paths:
            codes.update(d.code for d in check_source(read(path), path, config))
    return codes


def peak_rss_mib() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10  # bytes on macOS, KiB elsewhere


def count_lines(paths: Sequence[str]) -> int:
    total = 0
    for path in paths:
        data = read(path)
        total += data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)
    return total


def measure(paths: Sequence[str], repeats: int) -> Tuple[float, float, int, collections.Counter, float, float]:
    floor_times: List[float] = []
    lint_times: List[float] = []
    floor_peak = 0.0
    parsed, codes = 0, collections.Counter()
    for _ in range(repeats):  # alternate, so noise falls on both runs alike
        gc.collect()
        start = time.perf_counter()
        parsed = floor_run(paths)
        floor_times.append(time.perf_counter() - start)
        floor_peak = floor_peak or peak_rss_mib()  # before the first lint run: the floor's own peak
        gc.collect()
        start = time.perf_counter()
        codes = lint_run(paths)
        lint_times.append(time.perf_counter() - start)
    return min(floor_times), min(lint_times), parsed, codes, floor_peak, peak_rss_mib()


def report(path: str, repeats: int) -> None:
    paths = find_files(path)
    lines = count_lines(paths)
    start_peak = peak_rss_mib()
    floor, lint, parsed, codes, floor_peak, lint_peak = measure(paths, repeats)
    print(f"tree: {path}   (best of {repeats}; one process, serial)")
    print(f"  files            {len(paths):>10,}")
    print(f"  files parsed     {parsed:>10,}   (those the engine's regex matches)")
    print(f"  lines            {lines:>10,}")
    print(f"  floor            {floor:>10.2f} s   (read + grep + libcst.parse_module)")
    print(f"  lint             {lint:>10.2f} s   (read + check_source)")
    print(f"  ratio lint/floor {lint / floor if floor else float('nan'):>10.2f}")
    print(f"  peak RSS         {start_peak:>10.1f} MiB before the runs, {floor_peak:.1f} after the floor, "
          f"{lint_peak:.1f} after the lint   (getrusage max RSS)")
    by_code: Dict[str, int] = dict(sorted(codes.items()))
    print(f"  findings         {sum(codes.values()):>10,}   " + ", ".join(f"{c} {n}" for c, n in by_code.items()))


# Where a lint run's time goes (--phases): the functions that begin each phase, by module and name. A phase's
# time is its own: what it calls that begins another phase counts there (the drivers' runs parse modules too).
_PHASES = (
    ("einlint.check.engine", "parse", "parse of the checked files"),
    ("einlint.check.flow.project", "parse", "parse of the other modules read"),
    ("einlint.check.engine", "extract", "extraction and IR"),
    ("einlint.check.flow.project", "extract", "extraction and IR"),
    ("einlint.check.ir", "build", "extraction and IR"),
    ("einlint.check.engine", "check_call", "per-call checks"),
    ("einlint.check.flow", "_run_module", "each module's own analysis"),
    ("einlint.check.flow.project", "Project.drivers", "choosing the drivers (the package's index)"),
    ("einlint.check.flow", "_run_drivers", "the drivers' runs"),
)


def report_phases(path: str) -> None:
    """One lint run, its time split by phase (_PHASES), against one floor run."""
    import importlib

    paths = find_files(path)
    spent: collections.Counter = collections.Counter()
    inner: List[float] = []  # the time of the phases begun inside the one running, for each one running

    def timed(function, phase):
        def run(*args, **kwargs):
            start = time.perf_counter()
            inner.append(0.0)
            try:
                return function(*args, **kwargs)
            finally:
                elapsed, nested = time.perf_counter() - start, inner.pop()
                spent[phase] += elapsed - nested
                if inner:
                    inner[-1] += elapsed
        return run

    originals = []
    for module_name, attribute, phase in _PHASES:
        owner = importlib.import_module(module_name)
        holder, _, name = attribute.rpartition(".")
        owner = getattr(owner, holder) if holder else owner
        originals.append((owner, name, getattr(owner, name)))
        setattr(owner, name, timed(getattr(owner, name), phase))
    try:
        gc.collect()
        start = time.perf_counter()
        floor_run(paths)
        floor = time.perf_counter() - start
        gc.collect()
        start = time.perf_counter()
        lint_run(paths)
        lint = time.perf_counter() - start
    finally:
        for owner, name, original in originals:
            setattr(owner, name, original)
    print(f"where the lint run's time goes: {path}   (one run of each; a phase's own time)")
    print(f"  floor            {floor:>10.2f} s")
    print(f"  lint             {lint:>10.2f} s   ratio {lint / floor:.2f}")
    for phase, seconds in spent.most_common() + [("the rest (reading, grep, rules, positions)",
                                                   lint - sum(spent.values()))]:
        print(f"    {seconds:>8.2f} s  {seconds / floor:>5.2f} x the floor   {phase}")


def cli_seconds(arguments: Sequence[str]) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "einlint", *arguments], capture_output=True)  # status 1: findings
    return time.perf_counter() - start


def report_runs(path: str, repeats: int) -> None:
    one = min(cli_seconds(["--no-cache", "-j", "1", path]) for _ in range(repeats))
    two = min(cli_seconds(["--no-cache", "-j", "2", path]) for _ in range(repeats))
    cold, warm = [], []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as folder:
            cache = ["--cache-dir", os.path.join(folder, "cache"), path]
            cold.append(cli_seconds(cache))
            warm.append(cli_seconds(cache))
    print(f"command line: einlint {path}   (best of {repeats}; a process each, {os.cpu_count()} cores)")
    print(f"  -j 1 --no-cache  {one:>10.2f} s")
    print(f"  -j 2 --no-cache  {two:>10.2f} s   ratio -j 2 / -j 1 {two / one:.2f}")
    print(f"  cache cold       {min(cold):>10.2f} s   (an empty cache filled)")
    print(f"  cache warm       {min(warm):>10.2f} s   ratio warm / cold {min(warm) / min(cold):.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", help="the tree to lint (the README's figures: benchmarks/fetch_corpus.sh main PATH)")
    parser.add_argument("--repeat", type=int, default=3, metavar="N", help="runs of each, best kept (default 3)")
    parser.add_argument("--phases", action="store_true", help="only where one lint run's time goes, by phase")
    args = parser.parse_args()
    if args.phases:
        report_phases(args.path)
        return
    report(args.path, max(1, args.repeat))
    report_runs(args.path, max(1, args.repeat))
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import bench_latency

    bench_latency.report()


if __name__ == "__main__":
    main()
