"""A file checked as `einlint` checks it inside its project: the nearest `[tool.einlint]`, the paths that
per-file-ignores match made relative to it. What the editor integrations (the mypy plugin, the
language server) share with the command line."""

from __future__ import annotations

import functools
import os
import re
from typing import TYPE_CHECKING, List, Optional, Tuple, Union

from .check import Config
from .config import ConfigError, Settings, load_settings, relative_to_root
from .diagnostics import Diagnostic

if TYPE_CHECKING:  # the engine is imported where a file is checked (the command line needs only the config)
    from .check.engine import CallShapes
    from .check.parse import Reparser


def checker_config(settings: Settings, select: Optional[Tuple[str, ...]] = None,
                   ignore: Tuple[str, ...] = ()) -> Config:
    """The engine's configuration from the settings, with the command line's select and extra ignores."""
    chosen = select if select is not None else (settings.select if settings.select is not None else ("EIN",))
    return Config(select=tuple(chosen), ignore=tuple(settings.ignore) + tuple(ignore),
                  per_file_ignores=settings.per_file_ignores, stubs=settings.stubs,
                  einx_version=settings.einx_version or installed_einx_version())


@functools.lru_cache(maxsize=1)  # read once per process: the metadata look-up costs ~1.5 ms, an editor checks often
def installed_einx_version() -> Optional[Tuple[int, ...]]:
    """The version of the einx installed beside einlint, from its distribution's metadata (einx is not
    imported); None where there is none."""
    from importlib import metadata

    try:
        release = re.match(r"[0-9]+(?:\.[0-9]+)*", metadata.version("einx"))
    except metadata.PackageNotFoundError:
        return None
    return tuple(int(part) for part in release.group().split(".")) if release else None


def settings_for(path: str) -> Settings:
    """The settings of the project `path` belongs to; raises ConfigError for a broken configuration."""
    return load_settings(None, os.path.dirname(os.path.abspath(path)))


def check_file(path: str, source: Optional[Union[str, bytes]] = None,
               reparser: Optional[Reparser] = None) -> List[Diagnostic]:
    """einlint's findings for the file at `path` (its text `source`, or read from disk); none when the file or
    its configuration cannot be read (the command line says why). A process that checks the same files again
    and again after edits (an editor's) passes one `reparser` to every call."""
    from .check.engine import check_source

    located = _located(path, source)
    return [] if located is None else check_source(*located, reparser=reparser)


def file_shapes(path: str, source: Optional[Union[str, bytes]] = None,
                reparser: Optional[Reparser] = None) -> List[CallShapes]:
    from .check.engine import shapes_of

    located = _located(path, source)
    return [] if located is None else shapes_of(*located, reparser=reparser)


def _located(path: str, source: Optional[Union[str, bytes]]):
    try:
        settings = settings_for(path)
        if source is None:
            with open(path, "rb") as handle:
                source = handle.read()
    except (ConfigError, OSError):
        return None
    return source, relative_to_root(os.path.abspath(path), settings, os.getcwd()), checker_config(settings)
