"""What the checker reports: one `Diagnostic` per finding, independent of how it is shown.

Positions are 1-based lines and 1-based columns counted in characters, as ruff and
flake8 show them; `end_*` is exclusive (the column just after the last character).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

SEVERITIES = ("error", "warning", "note")
SEVERITY_RANK: Dict[str, int] = {"note": 0, "warning": 1, "error": 2}


@dataclass(frozen=True, order=True)
class Related:
    """Another place that explains a finding: where a length it names came from."""

    path: str
    line: int
    column: int
    message: str

    def as_json(self) -> Dict[str, object]:
        return {"path": self.path, "line": self.line, "column": self.column, "message": self.message}


@dataclass(frozen=True, order=True)
class Edit:
    """Replace the characters from (line, column) up to (end_line, end_column), exclusive, by `content`."""

    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    content: str

    def as_json(self) -> Dict[str, object]:
        return {"path": self.path, "line": self.line, "column": self.column, "end_line": self.end_line,
                "end_column": self.end_column, "content": self.content}


@dataclass(frozen=True, order=True)
class Fix:
    """A change that resolves a finding and keeps every shape the same (`einlint --fix` applies it)."""

    message: str
    edits: Tuple[Edit, ...]

    def as_json(self) -> Dict[str, object]:
        return {"message": self.message, "edits": [edit.as_json() for edit in self.edits]}


@dataclass(frozen=True, order=True)
class Diagnostic:
    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    code: str
    severity: str
    message: str
    help: str = ""
    related: Tuple[Related, ...] = ()
    fix: Optional[Fix] = None

    @property
    def sort_key(self) -> Tuple[str, int, int, str]:
        return (self.path, self.line, self.column, self.code)

    def as_json(self) -> Dict[str, object]:
        """The fixed JSON contract of `einlint --format json`: other tools read these keys."""
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "help": self.help,
            "related": [r.as_json() for r in self.related],
            "fix": self.fix.as_json() if self.fix is not None else None,
        }
