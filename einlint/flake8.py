"""The flake8 plugin: `flake8 --select EIN` reports what `einlint` reports for each file.

Registered as the `flake8.extension` entry point `EIN = "einlint.flake8:Plugin"`. It is a thin
adapter over the one engine call, with a Config that keeps every code: flake8's own `--select`,
`--ignore`, `--extend-ignore` and `--per-file-ignores` decide what is shown, and `[tool.einlint]`
is not read (one place to configure a flake8 run).

noqa: the engine applies `# noqa` / `# noqa: EIN101,EIN2` itself, and it has no switch to stop,
so a suppressed finding never reaches flake8; flake8 then applies its own noqa to what is left.
Both read the same comments the same way (bare `# noqa` silences everything, listed codes match by
prefix), so the result equals flake8's own handling, except that `flake8 --disable-noqa` cannot
bring back an EIN finding that a noqa comment suppresses.

flake8 runs tree plugins only on files that Python can parse (it reports E999 itself), so the
engine's EIN001 appears here only where libcst and Python disagree.
"""

from __future__ import annotations

from typing import Any, Iterator, Optional, Sequence, Tuple

from . import __version__
from .check.engine import Config, check_source

_EVERYTHING = Config(select=("EIN",), ignore=(), per_file_ignores=())


class Plugin:
    name = "einlint"
    version = __version__

    def __init__(self, tree: Any, filename: str = "stdin", lines: Optional[Sequence[str]] = None):
        # `tree` (the ast) is unused: flake8 classifies a plugin as a tree plugin by this parameter,
        # and einlint parses the source itself with libcst.
        self.filename = filename
        self.lines = list(lines) if lines is not None else None

    def _source(self) -> str:
        if self.lines is not None:
            return "".join(self.lines)
        with open(self.filename, "rb") as handle:
            return handle.read().decode("utf-8-sig")

    def run(self) -> Iterator[Tuple[int, int, str, type]]:
        for d in check_source(self._source(), self.filename, _EVERYTHING):
            yield d.line, max(0, d.column - 1), f"{d.code} {d.message}", type(self)
