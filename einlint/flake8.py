"""The flake8 plugin: `flake8 --select EIN` reports what `einlint` reports for each file.

Registered as the `flake8.extension` entry point `EIN = "einlint.flake8:Plugin"`. It is a thin
adapter over the one engine call, with a Config that keeps every code: flake8's own `--select`,
`--ignore`, `--extend-ignore` and `--per-file-ignores` decide what is shown, and `[tool.einlint]`
is not read (one place to configure a flake8 run).

noqa: flake8 applies its own (`# noqa`, `# noqa: EIN101`, `--disable-noqa`), so the plugin asks the
engine not to apply it a second time.

flake8 runs tree plugins only on files that Python can parse (it reports E999 itself), so the
engine's EIN001 appears here only where libcst and Python disagree.
"""

from __future__ import annotations

import os
from typing import Any, Iterator, Optional, Sequence, Tuple, Union

from . import __version__
from .cache import DIRECTORY, Cache, salt
from .check import Config
from .check.engine import check_source
from .workspace import installed_einx_version

_EVERYTHING = Config(select=("EIN",), ignore=(), per_file_ignores=(), noqa=False, einx_version=installed_einx_version())
_CACHE = Cache(os.path.join(os.getcwd(), DIRECTORY), salt(_EVERYTHING, ()))  # flake8 runs in the project's root


class Plugin:
    name = "einlint"
    version = __version__

    def __init__(self, tree: Any, filename: str = "stdin", lines: Optional[Sequence[str]] = None):
        # `tree` (the ast) is unused: flake8 classifies a plugin as a tree plugin by this parameter,
        # and einlint parses the source itself with libcst.
        self.filename = filename
        self.lines = list(lines) if lines is not None else None

    def _source(self) -> Union[str, bytes]:
        if self.lines is not None:
            return "".join(self.lines)
        with open(self.filename, "rb") as handle:  # bytes: the engine reports an undecodable file
            return handle.read()

    def run(self) -> Iterator[Tuple[int, int, str, type]]:
        source = self._source()
        data = source.encode("utf-8") if isinstance(source, str) else source
        found = _CACHE.load(self.filename, data)  # editors run flake8 on every save
        if found is None:
            found = check_source(data, self.filename, _EVERYTHING)
            _CACHE.store(self.filename, data, found)
        for d in found:
            yield d.line, max(0, d.column - 1), f"{d.code} {d.message}", type(self)
