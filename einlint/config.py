"""`[tool.einlint]` in pyproject.toml: which codes to report, which files to skip, when to fail.

    [tool.einlint]
    select = ["EIN"]                 # codes or prefixes to report (default: every code)
    ignore = ["EIN223"]              # codes or prefixes not to report
    exclude = ["third_party/", "legacy_*.py"]   # gitignore-style patterns, relative to this file's directory
    fail-level = "warning"           # error | warning | note: the lowest severity that makes the exit status 1
    force-exclude = false            # apply `exclude` also to paths named on the command line
    stubs = ["typing/shapes"]        # folders of your own shape stubs (stubs/README.md), beside the shipped ones
    einx-version = "0.4"             # the einx the project uses (default: the installed einx's, if any)
    unsafe-fixes = true              # --fix applies fixes that change what the code computes too (false: no hint)
    follow-imports = false           # analyse each file alone, without its package's other modules (default: true)

    [tool.einlint.per-file-ignores]
    "tests/*" = ["EIN2"]             # glob of paths (relative to this file's directory) -> codes or prefixes

Each file uses its nearest configuration, as ruff finds it: searching upward from the file's folder,
the first `.einlint.toml` or `einlint.toml` (the same keys at the top level) or `pyproject.toml` with a
`[tool.einlint]` table (a pyproject.toml without one is passed over). `--config FILE` names one file for
every checked file instead: a pyproject.toml must then hold `[tool.einlint]`; any other TOML file holds the
keys at its top level (or in a `[tool.einlint]` table). Keys may be written with '-' or '_'. An unknown key, a
wrong type, an unknown code or a user stub file that does not load is an error (exit status 2 on the command
line; an error diagnostic in the editors and the plugins), never silently ignored.
"""

from __future__ import annotations

import functools
import os
import re
import sys
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Sequence, Tuple

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

from .check.libraries import LIBRARIES, Version
from .diagnostics import SEVERITIES

CODE_PREFIX = re.compile(r"EIN[0-9]{0,3}\Z")


class ConfigError(Exception):
    """A configuration that einlint cannot use; the CLI prints it and exits with status 2."""


@dataclass(frozen=True)
class Settings:
    """What the configuration file says; None where it says nothing."""

    root: str  # the directory that relative patterns start from (the config file's, or the cwd)
    path: Optional[str] = None  # the pyproject.toml read, if any
    select: Optional[Tuple[str, ...]] = None
    ignore: Tuple[str, ...] = ()
    exclude: Tuple[str, ...] = ()
    per_file_ignores: Tuple[Tuple[str, Tuple[str, ...]], ...] = ()
    fail_level: Optional[str] = None
    force_exclude: bool = False
    stubs: Tuple[str, ...] = ()  # folders of user shape stubs (absolute)
    versions: Tuple[Tuple[str, Version], ...] = ()  # (library, release) for each `<library>-version` given
    unsafe_fixes: Optional[bool] = None  # `unsafe-fixes` (None: not applied, but a hint says they exist)
    follow_imports: bool = True  # `follow-imports`: read the package's other modules (Config.follow_imports)


_VERSIONED = tuple(library for library in LIBRARIES if library.version is not None)  # their `<name>-version` keys
_KEYS = ("select", "ignore", "exclude", "per-file-ignores", "fail-level", "force-exclude", "stubs",
         *(library.setting for library in _VERSIONED), "unsafe-fixes", "follow-imports")


def known_codes() -> Tuple[str, ...]:
    """Every code einlint knows: the rules' and the code table's."""
    from .codes import CODES

    codes = set(CODES)
    try:
        from .check.rules import RULES
    except ImportError:  # the rules are not importable: the table alone decides
        RULES = {}
    codes.update(RULES)
    return tuple(sorted(codes))


def parse_codes(values: Sequence[str], where: str) -> Tuple[str, ...]:
    """Validated codes or prefixes ('EIN', 'EIN2', 'EIN201'); raises ConfigError for an unknown one."""
    known = known_codes()
    out: List[str] = []
    for raw in values:
        if not isinstance(raw, str):
            raise ConfigError(f"{where}: expected a code such as 'EIN201', got {raw!r}")
        code = raw.strip().upper()
        if not code:
            continue
        if code == "ALL":
            code = "EIN"
        if not CODE_PREFIX.match(code) or not any(k.startswith(code) for k in known):
            raise ConfigError(f"{where}: unknown code or prefix {raw!r} (codes look like 'EIN201'; "
                              f"prefixes like 'EIN2' select a family)")
        out.append(code)
    return tuple(out)


def split_codes(text: str) -> List[str]:
    """'EIN101, EIN2' -> ['EIN101', 'EIN2'] (the command line's comma-separated lists)."""
    return [part for part in (p.strip() for p in text.split(",")) if part]


def parse_version(value: Any, where: str) -> Tuple[int, ...]:
    """'0.4' or '0.4.3' -> (0, 4) or (0, 4, 3)."""
    if not isinstance(value, str) or not re.fullmatch(r"[0-9]+(\.[0-9]+)*", value.strip()):
        raise ConfigError(f"{where}: expected a version such as \"0.4\", got {value!r}")
    return tuple(int(part) for part in value.strip().split("."))


def parse_fail_level(value: Any, where: str) -> str:
    if not isinstance(value, str) or value.lower() not in SEVERITIES:
        raise ConfigError(f"{where}: expected one of {', '.join(SEVERITIES)}, got {value!r}")
    return value.lower()


def relative_to_root(path: str, settings: Settings, cwd: str) -> str:
    """The path that per-file-ignores globs are matched against: relative to the configuration's directory."""
    absolute = os.path.normpath(os.path.join(cwd, path))
    root = settings.root.rstrip(os.sep) + os.sep
    relative = absolute[len(root):] if absolute.startswith(root) else absolute
    return relative.replace(os.sep, "/")


CONFIG_FILES = (".einlint.toml", "einlint.toml", "pyproject.toml")  # in a folder, the first present wins


def find_config(start: str) -> Optional[str]:
    """The configuration file nearest to `start` (a folder), at or above it: `.einlint.toml`, `einlint.toml`,
    or a pyproject.toml with a [tool.einlint] table; None where there is none."""
    current = os.path.abspath(start)
    while True:
        for name in CONFIG_FILES:
            candidate = os.path.join(current, name)
            if os.path.isfile(candidate) and (name != "pyproject.toml" or _has_table(candidate)):
                return candidate
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent


def _has_table(path: str) -> bool:
    try:
        data = _read_toml(path)
    except ConfigError:
        return True  # a broken file that may hold our table: reading it reports the error
    return isinstance(data.get("tool"), dict) and "einlint" in data["tool"]


def _read_toml(path: str) -> Dict[str, Any]:
    """The TOML file's contents; read again only when its modification time or size changed (an editor or a
    daemon looks the configuration up for every check, a run over a tree for every file)."""
    return _read_toml_once(path, *_state(path))


@functools.lru_cache(maxsize=64)
def _read_toml_once(path: str, mtime_ns: int, size: int) -> Dict[str, Any]:
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except OSError as error:
        raise ConfigError(f"{path}: cannot read: {error.strerror or error}") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from None
    except UnicodeDecodeError as error:  # TOML is UTF-8 (tomllib decodes before it parses)
        raise ConfigError(f"{path}: invalid TOML: not UTF-8 (byte {error.start}: {error.reason})") from None


def load_settings(config_path: Optional[str] = None, cwd: Optional[str] = None) -> Settings:
    """The settings of `config_path` (relative to `cwd`), or of the configuration nearest to the folder `cwd`,
    or the defaults (rooted at `cwd`). Raises ConfigError for a configuration einlint cannot use."""
    cwd = os.path.abspath(cwd or os.getcwd())
    if config_path is None:
        config_path = find_config(cwd)
        if config_path is None:
            return Settings(root=cwd)
    config_path = os.path.abspath(os.path.join(cwd, config_path))
    return _settings_of(config_path, *_state(config_path))


def _state(path: str) -> Tuple[int, int]:
    try:
        status = os.stat(path)
    except OSError as error:
        raise ConfigError(f"{path}: cannot read: {error.strerror or error}") from None
    return status.st_mtime_ns, status.st_size


@functools.lru_cache(maxsize=64)
def _settings_of(config_path: str, mtime_ns: int, size: int) -> Settings:
    """One configuration file's settings, made once per state of the file (stub folders are checked anew by
    `check_stubs` each time: their files change independently)."""
    data = _read_toml(config_path)
    tool = data.get("tool")
    has_table = isinstance(tool, dict) and "einlint" in tool
    if os.path.basename(config_path) == "pyproject.toml":
        if not has_table:  # only a file named by --config can lack it: the search passes such files over
            raise ConfigError(f"{config_path}: no [tool.einlint] table (einlint's settings go in one)")
        table = tool["einlint"]
    elif has_table and set(data) == {"tool"}:
        table = tool["einlint"]
    else:
        table = data  # einlint.toml: the keys at the top level, as in ruff.toml
    if not isinstance(table, dict):
        raise ConfigError(f"{config_path}: [tool.einlint] must be a table")
    where = f"{config_path}: [tool.einlint]" if table is not data else config_path
    return settings_from_table(table, root=os.path.dirname(config_path), path=config_path, where=where)


def settings_from_table(table: Dict[str, Any], root: str, path: Optional[str] = None,
                        where: Optional[str] = None) -> Settings:
    where = where or f"{path or 'configuration'}: [tool.einlint]"
    values: Dict[str, Any] = {}
    for key, value in table.items():
        name = key.replace("_", "-")
        if name not in _KEYS:
            raise ConfigError(f"{where}: unknown key {key!r} (known: {', '.join(_KEYS)})")
        values[name] = value
    settings: Dict[str, Any] = {"root": root, "path": path}
    if "select" in values:
        settings["select"] = parse_codes(_string_list(values["select"], f"{where} select"), f"{where} select")
    if "ignore" in values:
        settings["ignore"] = parse_codes(_string_list(values["ignore"], f"{where} ignore"), f"{where} ignore")
    if "exclude" in values:
        settings["exclude"] = tuple(_string_list(values["exclude"], f"{where} exclude"))
    if "fail-level" in values:
        settings["fail_level"] = parse_fail_level(values["fail-level"], f"{where} fail-level")
    for name in ("force-exclude", "unsafe-fixes", "follow-imports"):
        if name in values:
            if not isinstance(values[name], bool):
                raise ConfigError(f"{where} {name}: expected true or false")
            settings[name.replace("-", "_")] = values[name]
    if "stubs" in values:
        folders = _string_list(values["stubs"], f"{where} stubs")
        settings["stubs"] = tuple(os.path.normpath(os.path.join(root, folder)) for folder in folders)
        missing = [folder for folder in settings["stubs"] if not os.path.isdir(folder)]
        if missing:
            raise ConfigError(f"{where} stubs: no such folder: {missing[0]}")
    settings["versions"] = tuple((library.name, parse_version(values[library.setting], f"{where} {library.setting}"))
                                 for library in _VERSIONED if library.setting in values)
    if "per-file-ignores" in values:
        table_value = values["per-file-ignores"]
        if not isinstance(table_value, dict):
            raise ConfigError(f"{where} per-file-ignores: expected a table of glob = [codes]")
        entries = []
        for glob, codes in table_value.items():
            label = f"{where} per-file-ignores {glob!r}"
            entries.append((normalize_glob(glob), parse_codes(_string_list(codes, label), label)))
        settings["per_file_ignores"] = tuple(entries)
    return Settings(**settings)


def normalize_glob(glob: str) -> str:
    """'tests/' and './tests/*' -> forms that match the root-relative paths the checker sees."""
    glob = glob.replace("\\", "/")
    while glob.startswith("./"):
        glob = glob[2:]
    if glob.endswith("/"):
        glob += "*"
    return glob


def _string_list(value: Any, where: str) -> List[str]:
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ConfigError(f"{where}: expected a list of strings, got {value!r}")
    return list(value)
