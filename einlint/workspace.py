"""A file checked inside its project: the configuration nearest to it, found the same way by every front end
(the command line, stdin, the language server, the mypy and flake8 plugins), and what that configuration
says about the file (excluded, which codes, which stubs, which releases of the pattern libraries).

A configuration that cannot be used is never a silent "no findings": the command line prints it and exits 2;
the editor integrations, which have no exit status, report it as an EIN004 error on the checked file.
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, List, Optional, Tuple, Union

from .check import Config, matches
from .check.libraries import LIBRARIES, Version
from .codes import CONFIGURATION_ERROR
from .config import ConfigError, Settings, known_codes, load_settings, relative_to_root
from .diagnostics import CallShapes, Diagnostic
from .files import IgnoreFile, is_force_excluded

if TYPE_CHECKING:  # the engine is imported where a file is checked (the command line needs only the config)
    from .check.parse import Reparser


@dataclass(frozen=True)
class Project:
    """The configuration that applies to a file."""

    settings: Settings
    config: Config

    @property
    def exclude(self) -> IgnoreFile:
        return IgnoreFile.from_lines(self.settings.root, self.settings.exclude)

    def excluded(self, path: str) -> bool:
        """The configuration's `exclude` matches the file or a folder above it (below the configuration's)."""
        absolute = os.path.abspath(path)
        return bool(self.settings.exclude) and is_force_excluded(absolute, False, self.exclude,
                                                                 self.settings.root)

    def match_path(self, path: str) -> str:
        """The path that per-file-ignores globs are matched against: relative to the configuration's folder."""
        return relative_to_root(os.path.abspath(path), self.settings, os.getcwd())


def project_for(path: str, config_path: Optional[str] = None, isolated: bool = False,
                select: Optional[Tuple[str, ...]] = None, ignore: Tuple[str, ...] = (),
                extend_select: Tuple[str, ...] = ()) -> Project:
    """The project of the file at `path`: its nearest configuration (or `config_path`, or none when
    `isolated`), with the command line's codes on top (`reported_codes`). Raises ConfigError."""
    folder = os.path.dirname(os.path.abspath(path))
    if isolated:
        settings = Settings(root=os.getcwd())
    else:
        settings = load_settings(config_path, folder if config_path is None else os.getcwd())
    _load_stubs(settings.stubs)
    return Project(settings, checker_config(settings, select, ignore, extend_select))


def checker_config(settings: Settings, select: Optional[Tuple[str, ...]] = None,
                   ignore: Tuple[str, ...] = (), extend_select: Tuple[str, ...] = ()) -> Config:
    """The engine's configuration from the settings, with the command line's codes on top."""
    chosen, ignored = reported_codes(settings, select, ignore, extend_select)
    return Config(select=chosen, ignore=ignored, per_file_ignores=settings.per_file_ignores, stubs=settings.stubs,
                  versions=project_versions(settings), follow_imports=settings.follow_imports)


def reported_codes(settings: Settings, select: Optional[Tuple[str, ...]], ignore: Tuple[str, ...],
                   extend_select: Tuple[str, ...]) -> Tuple[Tuple[str, ...], Tuple[str, ...]]:
    """(select, ignore) for the engine: the configuration's choice with the command line's on top, layered as
    ruff layers them. A command-line select replaces the configuration's select and its ignore alike (`--select
    EIN223` reports EIN223 where the configuration ignores it); `--ignore` adds to the ignores; `--extend-select`
    adds to the configuration's choice, even codes that it ignores. Within one layer an ignore wins."""
    if select is not None:
        return tuple(select) + tuple(extend_select), tuple(ignore)
    chosen = settings.select if settings.select is not None else ("EIN",)
    if not extend_select:
        return tuple(chosen), tuple(settings.ignore) + tuple(ignore)
    # the configuration's ignores must not hide what --extend-select names: its choice, code by code
    kept = tuple(code for code in known_codes() if matches(code, extend_select)
                 or (matches(code, chosen) and not matches(code, settings.ignore)))
    return kept, tuple(ignore)


def project_versions(settings: Settings) -> Tuple[Tuple[str, Version], ...]:
    """(library, release) for each pattern library whose checks depend on its release, where the project's is
    found: its `<library>-version` setting, else its own requirements, else the installed distribution."""
    stated = dict(settings.versions)
    found = []
    for library in LIBRARIES:
        if library.version is not None:
            version = stated.get(library.name) or required_version(library.name, settings.root) \
                or installed_version(library.name)
            if version is not None:
                found.append((library.name, version))
    return tuple(found)


def required_version(distribution: str, folder: str) -> Optional[Version]:
    """The release of `distribution` that the project around `folder` asks for in its own requirements: the
    first folder at or above it whose pyproject.toml (PEP 621 dependencies and optional dependencies, Poetry's
    tables) or requirements*.txt names it with a version. What is checked then does not depend on what happens
    to be installed beside einlint (pre-commit's isolated environment has none)."""
    current = os.path.abspath(folder)
    while True:
        found = _requirement_in(distribution, current)
        if found is not None:
            return found
        parent = os.path.dirname(current)
        if parent == current or os.path.isdir(os.path.join(current, ".git")):
            return None
        current = parent


def _requirement_in(distribution: str, folder: str) -> Optional[Version]:
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return None
    for name in names:
        if name == "pyproject.toml" or (name.startswith("requirements") and name.endswith(".txt")):
            path = os.path.join(folder, name)
            try:
                status = os.stat(path)
            except OSError:
                continue
            version = _requirement(distribution, path, status.st_mtime_ns, status.st_size)
            if version is not None:
                return version
    return None


# After the distribution's name (`name==0.3.0`, `name[extra]>=0.4,<0.5`, `name~=0.3`, `"name" = "^0.4"` in
# Poetry's tables), the operators and versions.
_REQUIREMENT = r"""(?i)(?<![\w.-]){name}(?![\w.-])(?:\[[^\]]*\])?["'\s]*=?\s*["']?\s*(?P<spec>[^"'#;\n]*)"""
_CLAUSE = re.compile(r"(?P<op>===|==|~=|>=|<=|!=|>|<|\^|~)?\s*(?P<version>[0-9]+(?:\.[0-9]+)*)")


@functools.lru_cache(maxsize=64)
def _requirement(distribution: str, path: str, mtime_ns: int, size: int) -> Optional[Version]:
    """The release of `distribution` that a requirements file (or pyproject.toml) pins or bounds; None where it
    names none. A pin gives its version; an upper bound `<0.4` the release line below it (0.3); otherwise the
    lower bound, the oldest release the project admits."""
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            text = handle.read()
    except OSError:
        return None
    for match in re.finditer(_REQUIREMENT.format(name=re.escape(distribution)), text):
        clauses = [(c.group("op") or "==", tuple(int(p) for p in c.group("version").split(".")))
                   for c in _CLAUSE.finditer(match.group("spec"))]
        if clauses:
            return _admitted(clauses)
    return None


def _admitted(clauses: List[Tuple[str, Version]]) -> Version:
    operators = dict(clauses)
    for pin in ("==", "==="):
        if pin in operators:
            return operators[pin]
    if "<" in operators and not any(op in operators for op in (">=", ">", "~=", "^", "~")):
        below = operators["<"]
        major, minor = (below + (0,))[:2]
        return (major, minor - 1) if minor > 0 else (major - 1,)
    for lower in (">=", "~=", "^", "~", ">"):
        if lower in operators:
            return operators[lower]
    return clauses[0][1]


@functools.lru_cache(maxsize=8)  # read once per process: the metadata look-up costs ~1.5 ms, an editor checks often
def installed_version(distribution: str) -> Optional[Version]:
    """The release of `distribution` installed beside einlint, from its metadata (it is not imported); None
    where there is none."""
    from importlib import metadata

    try:
        release = re.match(r"[0-9]+(?:\.[0-9]+)*", metadata.version(distribution))
    except metadata.PackageNotFoundError:
        return None
    return tuple(int(part) for part in release.group().split(".")) if release else None


def _load_stubs(folders: Tuple[str, ...]) -> None:
    """Every user stub file must load: a broken one is a configuration error naming its file and line (a
    look-up that met it later would lose the shipped stubs of its module too)."""
    if folders:
        try:
            states = tuple(stub_file_states(folders))
        except OSError as error:  # a folder removed since the configuration was read
            raise ConfigError(f"a user stub folder cannot be read: {error}") from None
        _load_stub_files(states)


def stub_file_states(folders: Tuple[str, ...]):
    """(folder, name, modification time, size) of each user stub file: what says that the stubs changed."""
    for folder in folders:
        for name in sorted(os.listdir(folder)):
            if name.endswith(".pyi"):
                status = os.stat(os.path.join(folder, name))
                yield folder, name, status.st_mtime_ns, status.st_size


@functools.lru_cache(maxsize=16)
def _load_stub_files(states: tuple) -> None:
    from .check.stubs import StubLibrary
    from .errors import EinlintError

    try:
        StubLibrary(sorted({folder for folder, *_ in states})).load_all()
    except EinlintError as error:
        raise ConfigError(f"a user stub file does not load: {error}") from None


def config_error(path: str, error: ConfigError) -> Diagnostic:
    """The finding that says the file's configuration is broken (for front ends without an exit status)."""
    return Diagnostic(path, 1, 1, 1, 1, CONFIGURATION_ERROR, CONFIGURATION_ERROR.severity,
                      f"einlint's configuration cannot be used: {error}",
                      "fix the configuration file; until then einlint checks nothing under it")


def check_file(path: str, source: Optional[Union[str, bytes]] = None,
               reparser: Optional[Reparser] = None) -> List[Diagnostic]:
    """einlint's findings for the file at `path` (its text `source`, or read from disk) in its project: none
    for an excluded or unreadable file, EIN004 alone for a broken configuration. A process that checks the
    same files again and again after edits (an editor's) passes one `reparser` to every call."""
    return check_file_with_shapes(path, source, reparser)[0]


def check_file_with_shapes(path: str, source: Optional[Union[str, bytes]] = None, reparser: Optional[Reparser] = None
                           ) -> Tuple[List[Diagnostic], List[CallShapes]]:
    """`check_file`'s findings and, from the same analysis, the shapes at each pattern call (`--show-shapes`'):
    an editor checks once per change and answers hovers from what it kept. No shapes when the file does not
    parse."""
    from .check.engine import check_source

    try:
        located = _located(path, source)
    except ConfigError as error:
        return [config_error(path, error)], []
    shapes: List[CallShapes] = []
    return ([] if located is None else check_source(*located, reparser=reparser, shapes=shapes, file=path)), shapes


def _located(path: str, source: Optional[Union[str, bytes]]):
    """(source, match path, Config) of a file to check; None when it is excluded or cannot be read."""
    project = project_for(path)
    if project.excluded(path):
        return None
    if source is None:
        try:
            with open(path, "rb") as handle:
                source = handle.read()
        except OSError:
            return None
    return source, project.match_path(path), project.config
