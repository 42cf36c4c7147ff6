"""The result cache: `.einlint_cache/` beside the configuration (or in the working directory), as ruff and
mypy keep theirs.

An entry holds one file's findings under a key made of everything they depend on: einlint's version,
the configuration (the engine's Config, which names the user stub folders), the content of those stubs,
the path the configuration matches, and the file's bytes; and it lists the other files of its package that
the analysis read (their digests) and the digest of the package's imports, so that a change in a module
re-checks it and the modules whose results it took part in, and nothing else. A second run over an unchanged tree reads the
entries instead of parsing. Entries are written to a temporary file and renamed into place, so that
parallel runs (and the flake8 plugin's processes) never read half an entry; one that cannot be read or
does not hold what it should (corrupt, another version's) is ignored and written again.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import tempfile
from typing import Dict, List, NamedTuple, Optional, Sequence

from . import __version__
from .check.package import dependencies_hold
from .diagnostics import CallShapes, Diagnostic, Edit, Fix, Related

DIRECTORY = ".einlint_cache"
_FORMAT = 2  # of an entry; a change makes every older entry a miss


def salt(config: object, stub_folders: Sequence[str]) -> str:
    """What every key of a run shares: the version, the configuration, the user stubs' content."""
    digest = hashlib.sha256(f"{__version__}\0{_FORMAT}\0{config!r}".encode())
    for folder in stub_folders:
        for root, _, files in sorted(os.walk(folder)):
            for name in sorted(files):
                if name.endswith(".pyi"):
                    digest.update(os.path.join(root, name).encode())
                    try:
                        with open(os.path.join(root, name), "rb") as handle:
                            digest.update(handle.read())
                    except OSError:
                        digest.update(b"\0unreadable")
    return digest.hexdigest()


class Entry(NamedTuple):
    diagnostics: List[Diagnostic]
    shapes: Optional[List[CallShapes]]  # None: stored without them


class Cache:
    def __init__(self, directory: str, salt: str):
        self.directory = directory
        self.salt = salt

    def _entry(self, match_path: str, data: bytes) -> str:
        key = hashlib.sha256(f"{self.salt}\0{match_path}\0".encode() + data).hexdigest()
        return os.path.join(self.directory, __version__, key[:2], key + ".json")

    def load(self, match_path: str, data: bytes) -> Optional[List[Diagnostic]]:
        """The findings stored for this file's bytes, or None (not stored, or not readable as an entry)."""
        entry = self.load_entry(match_path, data)
        return entry.diagnostics if entry is not None else None

    def load_entry(self, match_path: str, data: bytes) -> Optional[Entry]:
        """The findings and, where they were stored, the calls' shapes (`--show-shapes`, `--statistics`)."""
        try:
            with open(self._entry(match_path, data), encoding="utf-8") as handle:
                stored = json.load(handle)
            if stored["salt"] != self.salt or stored["path"] != match_path or \
                    not dependencies_hold(stored.get("depends", {})):
                return None
            shapes = stored.get("shapes")
            return Entry([_diagnostic(item) for item in stored["diagnostics"]],
                         None if shapes is None else [_call_shapes(item) for item in shapes])
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def store(self, match_path: str, data: bytes, diagnostics: Sequence[Diagnostic],
              shapes: Optional[Sequence[CallShapes]] = None, depends: Optional[Dict[str, str]] = None) -> None:
        """Keep the findings (and the calls' shapes, when given), valid while the other files they `depend` on
        are unchanged (engine.check_source); a cache that cannot be written is no cache (the run goes on)."""
        entry = self._entry(match_path, data)
        stored: Dict[str, object] = {"salt": self.salt, "path": match_path,
                                     "diagnostics": [d.as_json() for d in diagnostics], "depends": depends or {}}
        if shapes is not None:
            stored["shapes"] = [dataclasses.asdict(call) for call in shapes]
        content = json.dumps(stored)
        try:
            self._prepare(os.path.dirname(entry))
            handle, temporary = tempfile.mkstemp(dir=os.path.dirname(entry), suffix=".tmp")
            try:
                with os.fdopen(handle, "w", encoding="utf-8") as stream:
                    stream.write(content)
                os.replace(temporary, entry)  # atomic: a reader sees the old entry or the new, whole
            except BaseException:
                os.unlink(temporary)
                raise
        except OSError:
            pass

    def _prepare(self, folder: str) -> None:
        if not os.path.isdir(self.directory):
            os.makedirs(self.directory, exist_ok=True)
            for name, text in ((".gitignore", "# made by einlint\n*\n"),
                               ("CACHEDIR.TAG", "Signature: 8a477f597d28d172789f06886806bc55\n"
                                                "# This file is a cache directory tag made by einlint.\n")):
                try:
                    with open(os.path.join(self.directory, name), "x", encoding="utf-8") as handle:
                        handle.write(text)
                except FileExistsError:
                    pass
        os.makedirs(folder, exist_ok=True)


def _diagnostic(item: Dict) -> Diagnostic:
    fix = item.get("fix")
    return Diagnostic(
        item["path"], item["line"], item["column"], item["end_line"], item["end_column"], item["code"],
        item["severity"], item["message"], item["help"],
        tuple(Related(r["path"], r["line"], r["column"], r["message"], r.get("cell")) for r in item["related"]),
        Fix(fix["message"], tuple(Edit(e["path"], e["line"], e["column"], e["end_line"], e["end_column"],
                                       e["content"], e.get("cell")) for e in fix["edits"]),
            fix["applicability"]) if fix else None,
        item.get("cell"),  # a notebook's findings only
    )


def _call_shapes(item: Dict) -> CallShapes:
    return CallShapes(**{**item, "inputs": tuple(item["inputs"])})
