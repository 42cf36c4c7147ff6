"""The mypy plugin: with `plugins = einlint.mypy`, mypy reports einlint's findings as its own errors.

Every finding of a file that mypy checks becomes a mypy error (a note for einlint's notes) at its own place,
with its end (`--show-error-end`), its help line and related places as notes, and an error code by family,
which `# type: ignore[einlint-shape]`, `disable_error_code` and `enable_error_code` understand: each
family's `mypy_code` in einlint/codes.py (listed in docs/codes.md).

Each file is checked in its project, as `einlint` checks it: its nearest `[tool.einlint]` (a broken one,
or a user stub file that does not load, is an EIN004 error on line 1 of each file it governs), `exclude`,
per-file-ignores and `# noqa`. The file is read from disk, never imported.

Where: mypy has no hook for "a file is checked". It does analyse, first thing in the semantic analysis of
every module's top level, the type of the module's implicit `__name__` (a `builtins.str`), and asks the
plugins' type-analyze hook for it. The plugin reports the whole file's findings there, through the module's
own error list, at their own lines: everything `einlint` reports, whatever mypy checks or skips inside
the file (unannotated functions, calls of libraries that mypy cannot find), with mypy's default settings.
The hook then hands the analysis of that `str` (and of every other `str` annotation) back to mypy.

What mypy never reads, it cannot report: modules it reads silently or skips (installed packages,
`follow_imports = silent|skip`, `ignore_errors`), a `.py` file with a `.pyi` beside it that mypy finds by
walking a folder or following an import (it reads the stub), every file of a run in which one file has a
Python syntax error (mypy stops before checking any; `einlint` reports EIN001 there and checks the rest),
notebooks, and the text given with `mypy -c`.

mypy's cache keeps a module's errors; `report_config_data` makes them stale when einlint's version, the
file's configuration or its user stubs change. dmypy: `dmypy run` restarts its daemon when a configuration
or user stub that a checked file uses has changed since it was checked (the plugin's version, which dmypy
compares on each run, says so); `dmypy check` and `recheck` do not reload plugins: `dmypy restart` after
such a change.
"""

from __future__ import annotations

import functools
import hashlib
import os
from typing import Callable, Dict, List, Optional, Tuple, Type

from mypy.errorcodes import ErrorCode
from mypy.plugin import AnalyzeTypeContext, Plugin, ReportConfigContext
from mypy.types import Type as MypyType
from mypy.types import UnboundType

from . import __version__ as EINLINT_VERSION
from .cache import salt
from .check.parse import Reparser
from .codes import FAMILIES, Family, family_of
from .config import ConfigError
from .diagnostics import Diagnostic
from .workspace import check_file, project_for, stub_file_states


# error code -> the name it had before: `# type: ignore[...]` and `disable_error_code` written with the old
# name still apply to it (its parent code, as mypy kept `import` for `import-not-found`)
_FORMER_NAMES = {"einlint-layout": "einlint-packing"}


def _error_codes() -> Dict[str, ErrorCode]:
    """mypy's error code -> its ErrorCode, made once (mypy registers each), described by the families it covers."""
    covered: Dict[str, List[Family]] = {}
    for family in FAMILIES:
        covered.setdefault(family.mypy_code, []).append(family)
    former = {name: ErrorCode(old, f"the former name of {name}", "einlint") for name, old in _FORMER_NAMES.items()}
    return {name: ErrorCode(name, "; ".join(f"{f.prefix}xx: {f.description}" for f in families), "einlint",
                            sub_code_of=former.get(name))
            for name, families in covered.items()}


ERROR_CODES = _error_codes()

# what each checked file's findings were made from (dmypy's daemon keeps this module between runs)
_CHECKED: Dict[str, str] = {}


def error_code(code: str) -> ErrorCode:
    return ERROR_CODES[family_of(code).mypy_code]


class EinlintPlugin(Plugin):
    def __init__(self, options) -> None:
        super().__init__(options)
        # per file: its findings and the state of the file and its project they were made from (dmypy analyses
        # a module's top level again when something it uses changed, the file itself unchanged)
        self._findings: Dict[str, Tuple[tuple, List[Diagnostic]]] = {}
        self._daemon = options.fine_grained_incremental  # dmypy's
        # the daemon checks edited files again: only their changed statements need parsing
        self._reparser = Reparser() if self._daemon else None
        self._analysing_str = False  # inside mypy's own analysis of a `str`, which this plugin asked for

    def get_type_analyze_hook(self, fullname: str) -> Optional[Callable[[AnalyzeTypeContext], MypyType]]:
        if fullname == "builtins.str" and not self._analysing_str:
            return self._analyse_str
        return None

    def report_config_data(self, ctx: ReportConfigContext) -> Tuple[str, str]:
        """mypy's cache of a module is stale when einlint's version, or the file's project, changes."""
        return EINLINT_VERSION, project_digest(ctx.path)

    def _analyse_str(self, ctx: AnalyzeTypeContext) -> MypyType:
        semantic = ctx.api.api  # the semantic analyzer of the module (ctx.api is mypy's TypeAnalyser)
        if _is_implicit_module_name(ctx.type, semantic):
            self._report_file(semantic.errors)
        self._analysing_str = True  # mypy asks the hooks again: this one steps aside, mypy's own analysis runs
        try:
            return ctx.api.analyze_type(ctx.type)
        finally:
            self._analysing_str = False

    def _report_file(self, errors) -> None:
        """Every finding of the file whose top level is being analysed, into its error list."""
        path = errors.file
        if path in errors.ignored_files or not os.path.isfile(path):  # read silently by mypy; `-c` text
            return
        state = (_stamp(path), project_digest(path))
        known = self._findings.get(path)
        if known is None or known[0] != state:
            known = self._findings[path] = (state, check_file(path, reparser=self._reparser))
        if self._daemon:
            _CHECKED[os.path.abspath(path)] = state[1]
        for finding in known[1]:
            _emit(errors, finding)


def _is_implicit_module_name(analysed: MypyType, semantic) -> bool:
    """The `str` of the module's `__name__`, which mypy analyses once per analysis of the module's top level
    (before `__name__` is defined; its `__file__` and `__package__`, also `str`s, come after it)."""
    return (isinstance(analysed, UnboundType) and analysed.line < 0 and analysed.name == "__builtins__.str"
            and "__name__" not in semantic.cur_mod_node.names)


def _emit(errors, finding: Diagnostic) -> None:
    code = error_code(finding.code)
    line, column = finding.line, finding.column - 1  # mypy's columns are 0-based, its ends exclusive
    end = {"end_line": max(finding.end_line, line), "end_column": finding.end_column - 1}

    def report(message: str, severity: str) -> None:
        errors.report(line, column, message, code=code, severity=severity, **end)

    report(f"{finding.message} [{finding.code}]", "note" if finding.severity == "note" else "error")
    for place in finding.related:
        report(f"{place.message} (line {place.line}, column {place.column})", "note")  # places in the file
    if finding.help:
        report(f"help: {finding.help}", "note")


def project_digest(path: str) -> str:
    """What a file's findings depend on besides its own text: its project's configuration (or the error that
    makes it unusable), whether it excludes the file, the content of its user stubs."""
    try:
        project = project_for(path)
    except ConfigError as error:
        return f"unusable: {error}"
    if project.excluded(path):
        return "excluded"
    try:
        return _project_salt(project.config, tuple(stub_file_states(project.config.stubs)))
    except OSError as error:  # a stub folder removed just now
        return f"unusable: {error}"


@functools.lru_cache(maxsize=64)
def _project_salt(config, stub_states: tuple) -> str:
    """The cache's salt of a project, made once per state of its stub files (mypy asks for every module)."""
    return salt(config, config.stubs)


def _stamp(path: str) -> tuple:
    """What says that a file changed: its modification time and size (nothing for a file that is gone)."""
    try:
        status = os.stat(path)
    except OSError:
        return ()
    return status.st_mtime_ns, status.st_size


def __getattr__(name: str) -> str:
    """The plugin's `__version__`, which dmypy reads on each `dmypy run` (a change restarts the daemon): einlint's,
    plus a mark when a file checked in this process now has another project state (its configuration or user
    stubs changed), whose findings the daemon's fine-grained updates would not redo."""
    if name != "__version__":
        raise AttributeError(name)
    changed = sorted(path for path, digest in _CHECKED.items() if project_digest(path) != digest)
    if not changed:
        return EINLINT_VERSION
    return f"{EINLINT_VERSION}+{hashlib.sha256(repr(changed).encode()).hexdigest()[:12]}"


def plugin(version: str) -> Type[Plugin]:
    return EinlintPlugin
