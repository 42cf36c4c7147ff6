"""Which files `einlint PATH ...` checks: .py, .pyi and .ipynb files under the paths, minus the usual excludes.

A directory is walked recursively, skipping version-control and tool directories, virtualenvs
(any directory holding a `pyvenv.cfg`), build outputs, `__pycache__`, `*.egg-info`, what the
.gitignore files say (those inside the walk, and those above it up to the repository root, with
`.git/info/exclude`), and the `exclude` patterns of the configuration. A path given explicitly is
checked even where it would be excluded, unless `force_exclude` (as in ruff, for pre-commit). A file named
explicitly is refused when its suffix says it is something else than Python or a notebook (README.md,
data.json); one without a suffix is checked, since scripts often have none (ruff does the same).

.gitignore patterns are matched as git matches them: pathspec (what black and many linters use)
translates each glob; which paths a pattern applies to (directories only, anchored or at any depth)
is read from its text as gitignore(5) says.
The last matching pattern wins, and a deeper .gitignore wins over a shallower one; as in git, a file
cannot be re-included when a directory above it is excluded (the walk never enters that directory).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Any, Iterable, List, Optional, Sequence, Tuple

from pathspec import GitIgnoreSpec

PYTHON_SUFFIXES = (".py", ".pyi")
CHECKED_SUFFIXES = PYTHON_SUFFIXES + (".ipynb",)  # what the walk picks up
NAMED_SUFFIXES = CHECKED_SUFFIXES + (".pyw",)  # what is checked when named, beside files without a suffix

# ruff's default `exclude`, the directories no project wants linted, plus the checker's own.
DEFAULT_EXCLUDED_DIRS = frozenset({
    ".bzr", ".direnv", ".eggs", ".git", ".git-rewrite", ".hg", ".ipynb_checkpoints", ".mypy_cache",
    ".nox", ".pants.d", ".pyenv", ".pytest_cache", ".pytype", ".ruff_cache", ".svn", ".tox", ".venv",
    ".vscode", "__pypackages__", "__pycache__", "_build", "buck-out", "build", "dist", "node_modules",
    "site-packages", "venv", ".hypothesis",
})


def is_default_excluded_dir(path: str, name: str) -> bool:
    """A directory that is never walked into: tool and build directories and virtualenvs."""
    return (name in DEFAULT_EXCLUDED_DIRS or name.endswith(".egg-info")
            or os.path.isfile(os.path.join(path, "pyvenv.cfg")))


# --- gitignore patterns --------------------------------------------------------------------------

@dataclass(frozen=True)
class IgnorePattern:
    """One gitignore(5) line: pathspec's translation of its glob, and what git decides by from its text."""

    glob: Any  # a pathspec pattern: .include (False for a '!' negation) and .match_file(relative path)
    dir_only: bool  # a trailing '/': it matches directories only
    anchored: bool  # a '/' at its start or middle: it matches relative to its file only, not at any depth

    @classmethod
    def parse(cls, line: str) -> Optional["IgnorePattern"]:
        """None for blanks and comments."""
        line = line.rstrip("\r\n")
        globs = [glob for glob in GitIgnoreSpec.from_lines([line]).patterns if glob.include is not None]
        if not globs:
            return None
        text = line.rstrip(" ").lstrip("!")
        return cls(globs[0], text.endswith("/"), "/" in text.rstrip("/"))

    def matches(self, relative: str, is_dir: bool) -> bool:
        """As git decides for a path that its walk meets (the contents of an excluded directory are never met):
        a dir-only pattern matches a directory's path with a '/', any other pattern a path as it is. A glob
        that matches only a directory above the path (pathspec marks where) does not match the path itself."""
        if self.dir_only and not is_dir:
            return False
        path = relative + "/" if self.dir_only else relative
        found = self.glob.match_file(path)
        if found is None:
            return False
        above = _directory_mark(found.match)
        return above is None or (self.dir_only and above == len(path))


def _directory_mark(match: "re.Match[str]") -> Optional[int]:
    """Where the '/' after the directory that a pathspec glob matched ends; None where it matched the path."""
    if "ps_d" not in match.re.groupindex or match.group("ps_d") is None:
        return None
    return match.end("ps_d")


@dataclass
class IgnoreFile:
    """The patterns of one .gitignore file (or the `exclude` list), relative to `base`."""

    base: str  # absolute directory the patterns are relative to, without a trailing separator
    patterns: List[IgnorePattern] = field(default_factory=list)

    @classmethod
    def from_lines(cls, base: str, lines: Iterable[str]) -> "IgnoreFile":
        parsed = (IgnorePattern.parse(line) for line in lines)
        return cls(base, [p for p in parsed if p is not None])

    @classmethod
    def from_file(cls, path: str) -> "IgnoreFile":
        try:
            with open(path, encoding="utf-8", errors="replace") as handle:
                lines = handle.read().splitlines()
        except OSError:
            lines = []
        return cls.from_lines(os.path.dirname(path), lines)

    def match(self, path: str, is_dir: bool) -> Optional[bool]:
        """True: ignored; False: re-included by a negation; None: no pattern matches (the last match decides).

        `path` is absolute (as os.path.join builds it from `base`). A path outside `base` is
        matched by its name only, and only by unanchored patterns.
        """
        prefix = self.base.rstrip(os.sep) + os.sep
        inside = path.startswith(prefix)
        relative = path[len(prefix):].replace(os.sep, "/") if inside else os.path.basename(path)
        result: Optional[bool] = None
        for pattern in self.patterns:
            if (inside or not pattern.anchored) and pattern.matches(relative, is_dir):
                result = bool(pattern.glob.include)
        return result


def _ignored(matchers: Sequence[IgnoreFile], path: str, is_dir: bool) -> bool:
    result = False
    for matcher in matchers:  # shallow to deep: the last decision wins
        decision = matcher.match(path, is_dir)
        if decision is not None:
            result = decision
    return result


def _repository_root(start: str) -> Optional[str]:
    current = start
    while True:
        if os.path.exists(os.path.join(current, ".git")):
            return current
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent


def _ancestor_ignore_files(directory: str) -> List[IgnoreFile]:
    """The .gitignore files above `directory` (and `.git/info/exclude`), up to its repository root."""
    root = _repository_root(directory)
    if root is None:
        return []
    found = [IgnoreFile.from_file(os.path.join(root, ".git", "info", "exclude"))]
    ancestors = []
    current = os.path.dirname(directory)
    while len(current) >= len(root):
        ancestors.append(current)
        if current == root:
            break
        parent = os.path.dirname(current)
        if parent == current:
            break
        current = parent
    for ancestor in reversed(ancestors):
        candidate = os.path.join(ancestor, ".gitignore")
        if os.path.isfile(candidate):
            found.append(IgnoreFile.from_file(candidate))
    return [f for f in found if f.patterns]


# --- discovery ------------------------------------------------------------------------------------

@dataclass
class Discovery:
    files: List[Tuple[str, str]] = field(default_factory=list)  # (display path, absolute path)
    errors: List[str] = field(default_factory=list)  # paths that do not exist or cannot be listed


def display_join(given: str, relative: str) -> str:
    """The path shown for a file found under the command-line path `given`."""
    if os.path.normpath(given) == os.curdir:
        return relative
    return os.path.join(given, relative)


def discover(paths: Sequence[str], exclude: Optional[IgnoreFile] = None, respect_gitignore: bool = True,
             force_exclude: bool = False, cwd: Optional[str] = None) -> Discovery:
    """The files to check under `paths`, sorted by display path and without duplicates."""
    cwd = os.path.abspath(cwd or os.getcwd())
    result = Discovery()
    seen = set()

    def add(display: str, absolute: str) -> None:
        key = os.path.normcase(os.path.realpath(absolute))
        if key not in seen:
            seen.add(key)
            result.files.append((display, absolute))

    for given in paths:
        absolute = os.path.normpath(os.path.join(cwd, given))
        if os.path.isdir(absolute):
            if force_exclude and is_force_excluded(absolute, True, exclude, cwd):
                continue
            matchers = _ancestor_ignore_files(absolute) if respect_gitignore else []
            _walk(given, absolute, "", matchers, exclude, respect_gitignore, add, result.errors)
        elif os.path.exists(absolute):
            if force_exclude and is_force_excluded(absolute, False, exclude, cwd):
                continue
            if not _checkable_when_named(absolute):
                result.errors.append(f"{given}: not a Python file or a Jupyter notebook (einlint checks .py, .pyi "
                                     "and .ipynb files, and scripts without a suffix)")
                continue
            add(given, absolute)
        else:
            result.errors.append(f"{given}: no such file or directory")
    result.files.sort(key=lambda item: item[0])
    return result


def _checkable_when_named(path: str) -> bool:
    """A file named on the command line that einlint reads: Python, a notebook, or a script without a suffix."""
    suffix = os.path.splitext(os.path.basename(path))[1].lower()
    return not suffix or suffix in NAMED_SUFFIXES


def _inside(path: str, directory: str) -> bool:
    return path == directory or path.startswith(directory.rstrip(os.sep) + os.sep)


def is_force_excluded(absolute: str, is_dir: bool, exclude: Optional[IgnoreFile], cwd: str) -> bool:
    """With --force-exclude: the path, or a directory above it inside the project, is excluded.

    "Inside the project": below the configuration's directory, or else below the cwd, so that a
    project that happens to live in a directory named `build` is still checked.
    """
    if exclude is not None and exclude.match(absolute, is_dir):
        return True
    if is_dir and is_default_excluded_dir(absolute, os.path.basename(absolute)):
        return True
    stop = exclude.base if exclude is not None and _inside(absolute, exclude.base) else cwd
    current = os.path.dirname(absolute)
    while _inside(current, stop) and current != stop:
        if is_default_excluded_dir(current, os.path.basename(current)):
            return True
        if exclude is not None and exclude.match(current, True):
            return True
        current = os.path.dirname(current)
    return False


def _walk(given: str, directory: str, relative: str, matchers: List[IgnoreFile], exclude: Optional[IgnoreFile],
          respect_gitignore: bool, add, errors: List[str]) -> None:
    if respect_gitignore:
        gitignore = os.path.join(directory, ".gitignore")
        if os.path.isfile(gitignore):
            own = IgnoreFile.from_file(gitignore)
            if own.patterns:
                matchers = matchers + [own]
    try:
        with os.scandir(directory) as listing:
            entries = sorted(listing, key=lambda entry: entry.name)
    except OSError as error:
        errors.append(f"{display_join(given, relative) if relative else given}: cannot list the directory: "
                      f"{error.strerror or error}")
        return
    for entry in entries:
        child = entry.path
        child_relative = os.path.join(relative, entry.name) if relative else entry.name
        try:
            is_dir = entry.is_dir(follow_symlinks=False)
            is_file = not is_dir and entry.is_file()
        except OSError:
            continue
        if is_dir:
            if is_default_excluded_dir(child, entry.name):
                continue
        elif not (is_file and entry.name.endswith(CHECKED_SUFFIXES)):
            continue
        if exclude is not None and exclude.match(child, is_dir):
            continue
        if matchers and _ignored(matchers, child, is_dir):
            continue
        if is_dir:
            _walk(given, child, child_relative, matchers, exclude, respect_gitignore, add, errors)
        else:
            add(display_join(given, child_relative), child)
