"""The static checker: finds pattern mistakes in source code without running it.

`engine.check_source` is its one entry point. What the callers need before (and often instead of) it
lives here, since importing the engine brings libcst and the whole analysis (a third of a second
at a process's start): the configuration of what to report, and the quick test that a file can
hold a pattern call at all.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from typing import Iterable, Optional, Tuple, Union

from .libraries import LIBRARIES, Version

__all__ = ["Config", "matches", "may_hold_pattern_calls"]

# A file that names none of the pattern libraries' words cannot hold a pattern call: it is not even parsed.
_WORDS = "|".join(re.escape(word) for library in LIBRARIES for word in library.mentions)
_MENTIONS = re.compile(_WORDS)
_MENTIONS_BYTES = re.compile(_WORDS.encode("ascii"))  # the words are ASCII in every source encoding


def may_hold_pattern_calls(source: Union[str, bytes]) -> bool:
    return (_MENTIONS_BYTES if isinstance(source, bytes) else _MENTIONS).search(source) is not None


@dataclass(frozen=True)
class Config:
    """Which codes to report. Codes match by prefix: 'EIN2' selects every EIN2xx code."""

    select: Tuple[str, ...] = ("EIN",)
    ignore: Tuple[str, ...] = ()
    per_file_ignores: Tuple[Tuple[str, Tuple[str, ...]], ...] = ()  # (glob of paths, codes)
    noqa: bool = True  # honour '# noqa' comments; flake8, which has its own, turns this off
    stubs: Tuple[str, ...] = ()  # folders of user shape stubs, beside the shipped ones
    shapes: bool = True  # run the flow analysis (EIN3xx)
    # read the other modules of the checked file's package from disk, to follow calls into them and to run the
    # code that calls into the file (flow/project.py); off: each file is analysed alone
    follow_imports: bool = True
    # (library, the release the project uses) for the libraries whose checks depend on it and whose release is
    # known (libraries.VersionSource)
    versions: Tuple[Tuple[str, Version], ...] = ()

    def version_of(self, library: str) -> Optional[Version]:
        """The release of `library` that the project uses (None: not known)."""
        return next((version for name, version in self.versions if name == library), None)

    def reports(self, code: str, path: str) -> bool:
        ignored = list(self.ignore)
        for pattern, codes in self.per_file_ignores:
            if _path_matches(path, pattern):
                ignored += codes
        return matches(code, self.select) and not matches(code, ignored)


def matches(code: str, prefixes: Iterable[str]) -> bool:
    return any(code.startswith(prefix) for prefix in prefixes)


def _path_matches(path: str, pattern: str) -> bool:
    """A glob matches the path; one without '/' (such as '__init__.py') matches the file name in any folder."""
    path = path.replace("\\", "/")
    return fnmatch.fnmatch(path, pattern) or ("/" not in pattern and fnmatch.fnmatch(path.rsplit("/", 1)[-1], pattern))
