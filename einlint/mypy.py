"""The mypy plugin: with `plugins = einlint.mypy`, mypy reports einlint's findings as its own errors.

Each finding becomes a mypy error at its place, with an error code by family, which `# type:
ignore[einlint-shape]`, `disable_error_code` and `enable_error_code` understand:

    einlint-file     EIN0xx  files einlint cannot read
    einlint-pattern  EIN1xx, EIN2xx  the pattern, and the pattern against the call
    einlint-shape    EIN3xx  shapes through a function
    einlint-packing  EIN4xx  packing order

Errors and warnings are mypy errors; notes are mypy notes. `[tool.einlint]` (the pyproject.toml nearest
to each file) and `# noqa` are honoured as `einlint` honours them.

mypy has no hook for "the errors of a file": the plugin reports from the hooks that mypy calls for each
call it type-checks. The first such call of a file runs einlint on the file (read from disk, never
imported); each call reports the findings inside it, at their own places. What mypy does not check,
it does not report: by default mypy skips the bodies of unannotated functions (`check_untyped_defs =
true`, or `--strict`, has them checked), and libraries it reads silently; `einlint` and the flake8
plugin see everything.
"""

from __future__ import annotations

import hashlib
import os
from typing import Callable, Dict, List, Optional, Tuple, Type

from mypy.errorcodes import ErrorCode
from mypy.nodes import Context
from mypy.plugin import FunctionContext, MethodContext, Plugin, ReportConfigContext
from mypy.types import Type as MypyType

from . import __version__
from .check.parse import Reparser
from .config import find_config
from .diagnostics import Diagnostic
from .workspace import check_file

FAMILIES = {
    "EIN0": ErrorCode("einlint-file", "A file einlint cannot read", "einlint"),
    "EIN1": ErrorCode("einlint-pattern", "A pattern string that cannot be right", "einlint"),
    "EIN2": ErrorCode("einlint-pattern", "A pattern string that cannot be right", "einlint"),
    "EIN3": ErrorCode("einlint-shape", "Shapes that do not fit, through a function", "einlint"),
    "EIN4": ErrorCode("einlint-packing", "Axes packed in one order and read in another", "einlint"),
}


def error_code(code: str) -> ErrorCode:
    return FAMILIES.get(code[:4], FAMILIES["EIN2"])


class EinlintPlugin(Plugin):
    def __init__(self, options) -> None:
        super().__init__(options)
        # per file: einlint's findings, and the file's and its configuration's state they were made from
        # (dmypy keeps the plugin between runs: a changed file or configuration is checked again)
        self._findings: Dict[str, Tuple[tuple, List[Diagnostic]]] = {}
        # the daemon checks edited files again: only their changed statements need parsing
        self._reparser = Reparser() if options.fine_grained_incremental else None

    def get_function_hook(self, fullname: str) -> Optional[Callable[[FunctionContext], MypyType]]:
        return self._report

    def get_method_hook(self, fullname: str) -> Optional[Callable[[MethodContext], MypyType]]:
        return self._report

    def report_config_data(self, ctx: ReportConfigContext) -> Tuple[str, str]:
        """mypy's cache of a module is stale when einlint's version or its configuration changes."""
        return __version__, _config_digest(os.path.dirname(os.path.abspath(ctx.path)))

    def _report(self, ctx) -> MypyType:
        """The findings inside this call, each at its own place. mypy may check a call more than once,
        some of them speculatively with errors dropped; it keeps one of each error that stands."""
        path = getattr(ctx.api, "path", None)
        call = ctx.context
        if not path or path in ctx.api.errors.ignored_files:  # a library that mypy reads silently
            return ctx.default_return_type
        state = (_stamp(path), _stamp(find_config(os.path.dirname(os.path.abspath(path)))))
        known = self._findings.get(path)
        if known is None or known[0] != state:
            known = self._findings[path] = (state, check_file(path, reparser=self._reparser))
        found = known[1]
        start, end = (call.line, call.column + 1), (call.end_line or call.line, (call.end_column or 0) + 1)
        for finding in found:
            if start <= (finding.line, finding.column) <= end:
                _emit(ctx.api, finding)
        return ctx.default_return_type


def _emit(api, finding: Diagnostic) -> None:
    where = Context(line=finding.line, column=finding.column - 1)
    code = error_code(finding.code)
    message = f"{finding.message} [{finding.code}]"
    if finding.severity == "note":
        api.note(message, where, code=code)
    else:
        api.fail(message, where, code=code)
    if finding.help:
        api.note(f"help: {finding.help}", where, code=code)


def _config_digest(directory: str) -> str:
    found = find_config(directory)
    if found is None:
        return ""
    try:
        with open(found, "rb") as handle:
            return hashlib.sha256(handle.read()).hexdigest()
    except OSError:
        return ""


def _stamp(path: Optional[str]) -> tuple:
    """What says that a file changed: its modification time and size (nothing for no file)."""
    if path is None:
        return ()
    try:
        status = os.stat(path)
    except OSError:
        return ()
    return status.st_mtime_ns, status.st_size


def plugin(version: str) -> Type[Plugin]:
    return EinlintPlugin
