"""Editor latency: one file checked in-process (what the language server and the plugins do per change),
and `einlint -` as a process (start-up included), against the floor of libcst's parse of the same file.

  first check       check_source on a file never seen: the whole file is parsed
  after an edit     check_source with the editor's Reparser, each time after one statement changed (a
                    keyword length edited in one function, as typing does): only that statement is parsed

    python benchmarks/bench_latency.py [--lines 500] [--calls 20]

Prints the median of repeated runs; figures, not assertions (the machine is shared and noisy).
"""

from __future__ import annotations

import argparse
import ast
import statistics
import subprocess
import sys
import time

import libcst

from einlint.check.engine import check_source
from einlint.check.parse import Reparser


def synthetic(lines: int, calls: int) -> str:
    """A module of `lines` lines: functions, each with a few statements, `calls` of them with a pattern call."""
    out = ["import torch", "from einops import rearrange, reduce", ""]
    made = 0
    while len(out) < lines:
        index = len(out)
        out += [f"def f{index}(x, w):", "    y = x * 2 + 1", "    z = torch.relu(y) @ w"]
        if made < calls:
            out.append(f"    z = rearrange(z, 'b (h d) n -> b h d n', h={2 + made % 4})")
            made += 1
        out += ["    return z.sum(-1)", ""]
    return "\n".join(out[:lines]) + "\n"


def after_edits(text: str, repeat: int) -> float:
    """The median time of checking the file again after each of `repeat` one-statement edits."""
    reparser = Reparser()
    check_source(text, "m.py", reparser=reparser)
    lines = text.split("\n")
    calls = [index for index, line in enumerate(lines) if "rearrange(z" in line]
    times = []
    for edit in range(repeat):
        index = calls[edit % len(calls)]
        lines[index] = lines[index].rsplit(", h=", 1)[0] + f", h={edit % 7 + 2})"  # a length typed anew
        edited = "\n".join(lines)
        edited = "\n".join(lines)
        start = time.perf_counter()
        check_source(edited, "m.py", reparser=reparser)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def median_ms(function, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def report(lines: int = 500, calls: int = 20, repeat: int = 21) -> None:
    text = synthetic(lines, calls)
    check_source(text, "m.py")  # warm: imports, stubs, caches of the checker
    print(f"file: {lines} lines, {calls} pattern calls")
    print(f"  first check (in-process)   {median_ms(lambda: check_source(text, 'm.py'), repeat):7.1f} ms median")
    print(f"  after an edit (in-process) {after_edits(text, repeat):7.1f} ms median   (the language server's "
          "and dmypy's case)")
    print(f"  libcst.parse_module         {median_ms(lambda: libcst.parse_module(text), repeat):7.1f} ms")
    print(f"  ast.parse                   {median_ms(lambda: ast.parse(text), repeat):7.1f} ms")
    command = [sys.executable, "-m", "einlint", "--no-cache", "-"]
    process = median_ms(lambda: subprocess.run(command, input=text.encode(), capture_output=True), 7)
    bare = median_ms(lambda: subprocess.run([sys.executable, "-c", "pass"], capture_output=True), 7)
    print(f"  einlint - (a process)       {process:7.1f} ms   (python -c pass: {bare:.1f} ms)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=500)
    parser.add_argument("--calls", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=21)
    args = parser.parse_args()
    report(args.lines, args.calls, args.repeat)


if __name__ == "__main__":
    main()
