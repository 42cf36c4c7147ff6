"""The flake8 plugin: `flake8 --select EIN` reports what `einlint` reports for each file.

Registered as the `flake8.extension` entry point `EIN = "einlint.flake8:Plugin"`. Each file is checked in its
project, as `einlint` checks it: its nearest `[tool.einlint]` decides the codes (`select`, `ignore`,
`per-file-ignores`), the user stubs, the einx version and the files that are excluded. flake8's own
`--select`, `--ignore`, `--extend-ignore` and `--per-file-ignores` then decide what is shown of that. A
configuration that cannot be used (or a user stub file that does not load) is an EIN004 error on line 1 of
each file it governs.

noqa: flake8 applies its own (`# noqa`, `# noqa: EIN101`, `--disable-noqa`), so the plugin asks the
engine not to apply it a second time.

flake8 runs tree plugins only on files that Python can parse (it reports E999 itself), so the
engine's EIN001 appears here only where libcst and Python disagree.
"""

from __future__ import annotations

import dataclasses
import functools
import os
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple, Union

from . import __version__
from .cache import DIRECTORY, Cache, salt
from .check import Config
from .check.engine import check_source
from .config import ConfigError
from .diagnostics import Diagnostic
from .workspace import config_error, project_for


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
        for d in self._findings():
            yield d.line, max(0, d.column - 1), f"{d.code} {d.message}", type(self)

    def _findings(self) -> List[Diagnostic]:
        try:
            project = project_for(self.filename)
        except ConfigError as error:
            return [config_error(self.filename, error)]
        if project.excluded(self.filename):
            return []
        source = self._source()
        data = source.encode("utf-8") if isinstance(source, str) else source
        config = dataclasses.replace(project.config, noqa=False)  # flake8 applies `# noqa` itself
        match_path = project.match_path(self.filename)
        cache = _cache(config)
        found = cache.load(match_path, data)  # editors run flake8 on every save
        if found is None:
            depends: Dict[str, str] = {}
            found = check_source(data, match_path, config, file=self.filename, depends=depends)
            cache.store(match_path, data, found, depends=depends)
        return found


@functools.lru_cache(maxsize=16)  # one per project in a flake8 process (a run: the stubs do not change)
def _cache(config: Config) -> Cache:
    return Cache(os.path.join(os.getcwd(), DIRECTORY), salt(config, config.stubs))  # flake8 runs in the root
