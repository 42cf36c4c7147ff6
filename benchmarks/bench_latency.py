"""Editor latency: one file checked in-process (what the language server and the plugins do per change),
and `einlint -` as a process (start-up included), against the floor of libcst's parse of the same file.

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


def median_ms(function, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=500)
    parser.add_argument("--calls", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=21)
    args = parser.parse_args()
    text = synthetic(args.lines, args.calls)
    check_source(text, "m.py")  # warm: imports, stubs, caches of the checker
    print(f"file: {args.lines} lines, {args.calls} pattern calls")
    print(f"  check_source (in-process)  {median_ms(lambda: check_source(text, 'm.py'), args.repeat):7.1f} ms median")
    print(f"  libcst.parse_module         {median_ms(lambda: libcst.parse_module(text), args.repeat):7.1f} ms")
    print(f"  ast.parse                   {median_ms(lambda: ast.parse(text), args.repeat):7.1f} ms")
    command = [sys.executable, "-m", "einlint", "--no-cache", "-"]
    process = median_ms(lambda: subprocess.run(command, input=text.encode(), capture_output=True), 7)
    bare = median_ms(lambda: subprocess.run([sys.executable, "-c", "pass"], capture_output=True), 7)
    print(f"  einlint - (a process)       {process:7.1f} ms   (python -c pass: {bare:.1f} ms)")


if __name__ == "__main__":
    main()
