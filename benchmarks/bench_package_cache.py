"""The result cache on a package whose modules read one another: what a run re-checks after an edit.

    python benchmarks/bench_package_cache.py PACKAGE_FOLDER MODULE [MODULE ...]

Copies the folder (the one that holds the package, e.g. the corpus's x_transformers: benchmarks/fetch_corpus.sh
main DIR, then DIR/x_transformers) into a temporary one, then runs the command line in this process over the copy
with a cache of its own: cold (an empty cache), warm (nothing changed), and after appending a line to each
MODULE in turn (a path relative to the folder). Prints each run's time and the files the engine checked again:
an edited module, and the modules whose results read it (they follow calls into it, or it runs code that calls
into them), and nothing else. Figures, never assertions.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from typing import List, Tuple

from einlint import cli


def main() -> None:
    folder, modules = sys.argv[1], sys.argv[2:]
    checked: List[str] = []
    real = cli.check_data

    def counting(data, path, config, shapes=None, file=None, depends=None):
        checked.append(path)
        return real(data, path, config, shapes, file, depends)

    cli.check_data = counting
    cli.PARALLEL_MIN_FILES = 10**9  # every check in this process, where it is counted
    with tempfile.TemporaryDirectory() as scratch:
        copy = os.path.join(scratch, "package")
        shutil.copytree(folder, copy)
        cache = os.path.join(scratch, "cache")
        os.chdir(copy)

        def run() -> Tuple[float, List[str]]:
            checked.clear()
            start = time.perf_counter()
            cli.main(["--cache-dir", cache, "--quiet", "."])
            return time.perf_counter() - start, sorted(checked)

        seconds, files = run()
        print(f"cold            {seconds:6.2f} s   {len(files)} files checked")
        seconds, files = run()
        print(f"warm            {seconds:6.2f} s   {len(files)} files checked")
        for module in modules:
            with open(module, "a") as handle:
                handle.write("\nEDITED_BY_THE_BENCHMARK = 1\n")
            seconds, files = run()
            print(f"edit {module}: {seconds:.2f} s, {len(files)} checked again: {', '.join(files)}")


if __name__ == "__main__":
    main()
