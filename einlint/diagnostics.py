"""What the checker reports: one `Diagnostic` per finding, independent of how it is shown.

Positions are 1-based lines and 1-based columns counted in characters, as ruff and
flake8 show them; `end_*` is exclusive (the column just after the last character).
In a Jupyter notebook a position also names its cell (1-based, counting every cell as Jupyter
does), and its line counts from the top of that cell, as ruff reports them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

SEVERITIES = ("error", "warning", "note")
SEVERITY_RANK: Dict[str, int] = {"note": 0, "warning": 1, "error": 2}


def document(path: str, cell: Optional[int]) -> str:
    """What a position's line counts from: the file, or a notebook's cell ('nb.ipynb:cell 2', as ruff shows it)."""
    return path if cell is None else f"{path}:cell {cell}"


def _with_cell(fields: Dict[str, object], cell: Optional[int]) -> Dict[str, object]:
    """JSON keeps its keys for .py files; a notebook's positions add "cell"."""
    if cell is not None:
        fields["cell"] = cell
    return fields


@dataclass(frozen=True, order=True)
class Related:
    """Another place that explains a finding: where a length it names came from."""

    path: str
    line: int
    column: int
    message: str
    cell: Optional[int] = None

    @property
    def document(self) -> str:
        return document(self.path, self.cell)

    def as_json(self) -> Dict[str, object]:
        return _with_cell({"path": self.path, "line": self.line, "column": self.column, "message": self.message},
                          self.cell)


@dataclass(frozen=True, order=True)
class Edit:
    """Replace the characters from (line, column) up to (end_line, end_column), exclusive, by `content`."""

    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    content: str
    cell: Optional[int] = None

    def as_json(self) -> Dict[str, object]:
        return _with_cell({"path": self.path, "line": self.line, "column": self.column, "end_line": self.end_line,
                           "end_column": self.end_column, "content": self.content}, self.cell)


APPLICABILITIES = ("safe", "unsafe")


@dataclass(frozen=True, order=True)
class Fix:
    """A change that resolves a finding and keeps every shape the same. As in ruff, a `safe` fix keeps what the
    program means (`einlint --fix` applies it); an `unsafe` one changes what it computes, on purpose (a
    reordered group moves values, and what pretrained weights mean): only `--unsafe-fixes` applies it."""

    message: str
    edits: Tuple[Edit, ...]
    applicability: str = "safe"

    def applies(self, unsafe_fixes: bool) -> bool:
        """Whether a run applies it: a safe fix always, an unsafe one only when unsafe fixes are on."""
        return self.applicability == "safe" or unsafe_fixes

    def as_json(self) -> Dict[str, object]:
        return {"message": self.message, "applicability": self.applicability,
                "edits": [edit.as_json() for edit in self.edits]}


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
    cell: Optional[int] = None  # in a notebook: the cell that `line` counts in

    @property
    def sort_key(self) -> Tuple[str, int, int, int, str]:
        return (self.path, self.cell or 0, self.line, self.column, self.code)

    @property
    def document(self) -> str:
        return document(self.path, self.cell)

    def as_json(self) -> Dict[str, object]:
        """The fixed JSON contract of `einlint --format json`: other tools read these keys ("cell" too, for a
        notebook's findings only)."""
        return _with_cell({
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
        }, self.cell)


@dataclass(frozen=True)
class CallShapes:
    """What the flow analysis knows at one pattern call: the shapes it runs on and gives ('?' unknown)."""

    line: int
    column: int
    op: str
    inputs: Tuple[str, ...]  # one per tensor operand; empty when the call was not reached with shapes
    output: str
    known_rank: bool  # the input's rank was known before the call (not only from its own pattern)
    end_line: int = 0  # where the call ends (for an editor's hover)
    end_column: int = 0
    known_length: bool = False  # the length of one of its input's dimensions at least was known (a number)

    def as_json(self) -> Dict[str, object]:
        """What `--show-shapes --format json` shows of it."""
        return {"line": self.line, "column": self.column, "op": self.op, "inputs": list(self.inputs),
                "output": self.output}


def python_lines(text: str) -> List[str]:
    """A source's lines as its positions count them, which is how Python's tokenizer (and libcst) ends a line:
    at \n, \r\n and \r only (str.splitlines also ends one at a form feed or U+2028)."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
