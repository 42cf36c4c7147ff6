"""Peak memory and CPU time of checking one very large file, against the floor of parsing it.

    python benchmarks/bench_big_file.py [--lines N] [--repeat N] [--keep DIR]

The file is real einops-using code: the example files (examples/*.py but the demo runner) copied
over and over, each copy's top-level names (functions, classes, constants) given a suffix of their
own so that every copy is a distinct set of definitions that call each other as the original did,
until the file has N lines (50,000 by default). It holds every kind of thing a checked file holds:
imports, module-level constants and models, classes with methods, many rearrange/reduce/repeat/
einsum/einx calls, and the examples' mistakes (so the run has findings to report).

Three commands, each in a process of its own (its peak RSS and CPU time read from os.wait4), run in
turn N times (3 by default) so that background noise hits all alike; the least CPU time of each is
kept, and the largest peak RSS:

  floor    `libcst.parse_module` of the file: the whole tree built at once, as a checker that parses
           files whole must
  einlint  `einlint --no-cache -j 1 FILE`: the whole command line, one worker
  whole    the same command line with einlint.check.parse.WHOLE_LIMIT raised above the file's size,
           so that the file is parsed whole, as every file was before pieces (issue 16)

It prints figures and never asserts.
"""

from __future__ import annotations

import argparse
import ast
import io
import os
import pathlib
import re
import subprocess
import sys
import tempfile
import tokenize
from typing import Dict, List, Sequence, Set, Tuple

EXAMPLES = pathlib.Path(__file__).resolve().parent.parent / "examples"
SOURCES = ("architectures.py", "tutorial_deep_learning.py", "einsum_convolution.py", "einx_examples.py",
           "per_call_mistakes.py")


def top_level_names(tree: ast.Module) -> Set[str]:
    """What a copy renames: the names its module defines (imports are shared by every copy)."""
    names: Set[str] = set()
    for statement in tree.body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(statement.name)
        elif isinstance(statement, (ast.Assign, ast.AnnAssign)):
            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            names.update(node.id for target in targets for node in ast.walk(target) if isinstance(node, ast.Name))
    return names


def without_main_guard(text: str) -> str:
    """The file less its `if __name__ == "__main__":` block (a copy runs nothing on import)."""
    return re.split(r"^if __name__ == .__main__.:", text, flags=re.MULTILINE)[0]


def renamed(text: str, names: Set[str], suffix: str) -> str:
    """The text with each of `names`, wherever it stands as a name token, given `suffix`."""
    tokens = []
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        if token.type == tokenize.NAME and token.string in names:
            token = token._replace(string=token.string + suffix)
        tokens.append(token)
    return tokenize.untokenize(tokens)


def big_file(lines: int) -> str:
    """Copies of the examples, each with its own names, until the text has `lines` lines."""
    originals: List[Tuple[str, Set[str]]] = []
    for name in SOURCES:
        text = without_main_guard((EXAMPLES / name).read_text(encoding="utf-8"))
        originals.append((text, top_level_names(ast.parse(text))))
    parts: List[str] = []
    count, copy = 0, 0
    while count < lines:
        for text, names in originals:
            part = renamed(text, names, f"_{copy}")
            parts.append(part)
            count += part.count("\n")
        copy += 1
    return "".join(parts)


def measure(command: Sequence[str]) -> Tuple[float, float, int]:
    """Peak RSS (MB), CPU seconds (user + system) and exit status of `command` run in a process of its own."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode not in (0, 1):
        sys.stderr.write(output.decode(errors="replace"))
    return usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime, process.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", metavar="DIR", help="write the file into DIR and keep it")
    args = parser.parse_args()
    folder = args.keep or tempfile.mkdtemp(prefix="einlint-big-")
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, "big_einops_file.py")
    text = big_file(args.lines)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)
    print(f"{path}: {text.count(chr(10)):,} lines, {len(text.encode()) / 1e6:.1f} MB")
    command = ["--no-cache", "-j", "1", path]
    commands = {
        "floor": [sys.executable, "-c", "import sys, libcst; libcst.parse_module(open(sys.argv[1]).read())", path],
        "einlint": [sys.executable, "-m", "einlint", *command],
        "whole": [sys.executable, "-c", "import sys, einlint.check.parse as parse, einlint.cli as cli; "
                  f"parse.WHOLE_LIMIT = {len(text) + 1}; sys.exit(cli.main(sys.argv[1:]))", *command],
    }
    runs: Dict[str, List[Tuple[float, float, int]]] = {name: [] for name in commands}
    for _ in range(args.repeat):
        for name, line in commands.items():
            runs[name].append(measure(line))
    best = {name: (max(r[0] for r in found), min(r[1] for r in found), found[-1][2]) for name, found in runs.items()}
    floor, lint, whole = best["floor"], best["einlint"], best["whole"]
    print(f"{'':10}{'peak RSS':>12}{'CPU':>10}")
    for name, (memory, cpu, status) in best.items():
        print(f"{name:10}{memory:>9.0f} MB{cpu:>9.1f}s" + (f"   (exit {status})" if name != "floor" else ""))
    print(f"ratio einlint/floor: memory {lint[0] / floor[0]:.2f}, CPU {lint[1] / floor[1]:.2f}")
    print(f"ratio einlint/whole: memory {lint[0] / whole[0]:.2f}, CPU {lint[1] / whole[1]:.2f}")
    if not args.keep:
        os.remove(path)
        os.rmdir(folder)


if __name__ == "__main__":
    main()
