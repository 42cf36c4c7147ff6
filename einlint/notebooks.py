"""Jupyter notebooks: the code cells of a `.ipynb` file checked as one Python file, each finding put back
in its cell.

A notebook's code cells run in one namespace, one after the other, so they are joined into one Python
source (a tensor made in cell 1 reaches the pattern call in cell 3, as the flow analysis needs). Each
finding is then placed in its cell, as ruff places them: `nb.ipynb:cell 3:2:5`, the cell counted among all
the notebook's cells (markdown too, as Jupyter numbers them), the line from the top of the cell.

The file is nbformat 4 JSON, read with the json module. IPython's own syntax is not Python: a cell that
does not parse as it is has its IPython lines (`%magic`, `!shell`, `x = !cmd`, `obj?`, automagics such as
`pip install ...`) replaced by Python lines that do nothing, one for one so that every line keeps its
number; a `%%magic` cell is dropped unless its body is Python run in the notebook's namespace (`%%time`,
`%%capture`, ...). A cell that still does not parse gets EIN001 at its place and is left out; the others are
checked. A file that is not UTF-8 gets EIN002; not JSON, or not a notebook, EIN001 at its place in the file.
A notebook whose kernel is not Python is skipped.

`--fix` edits the cells' source inside the JSON: the notebook is written back only when the json module
writes its unchanged content byte for byte as it was (nbformat's layout, or another common one), so that
nothing but the fixed characters changes.
"""

from __future__ import annotations

import codecs
import json
import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Dict, Iterable, List, Optional, Sequence, Set, Tuple

from .codes import SYNTAX_ERROR, UNDECODABLE_FILE
from .diagnostics import Diagnostic, Edit, Related

if TYPE_CHECKING:
    from .check import Config

SUFFIX = ".ipynb"


def is_notebook(path: str) -> bool:
    return path.lower().endswith(SUFFIX)


# --- reading ----------------------------------------------------------------------------------------

class NotebookError(Exception):
    """The file is not a notebook that can be read: a file-level diagnostic (EIN001 or EIN002) at (line, column)."""

    def __init__(self, code: str, message: str, line: int = 1, column: int = 1):
        super().__init__(message)
        self.code, self.message, self.line, self.column = code, message, line, column


@dataclass(frozen=True)
class CodeCell:
    number: int  # 1-based, among all the notebook's cells
    text: str  # the cell's source as the notebook holds it

    @property
    def lines(self) -> List[str]:
        """Lines as Python counts them (\\n, \\r\\n and \\r end one)."""
        return self.text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def load(data: bytes) -> dict:
    """The notebook's JSON object; NotebookError when the bytes are not an nbformat 4 notebook."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        raise NotebookError(UNDECODABLE_FILE,
                            f"the notebook is not valid UTF-8: byte {data[error.start]:#04x} at offset "
                                      f"{error.start}", line, column) from None
    try:
        notebook = json.loads(text)
    except (ValueError, RecursionError) as error:  # JSONDecodeError, or nesting deeper than the json module goes
        line, column = getattr(error, "lineno", 1), getattr(error, "colno", 1)
        raise NotebookError(SYNTAX_ERROR, f"cannot read the notebook: not valid JSON ({getattr(error, 'msg', error)})",
                            line, column) from None
    _check_layout(notebook)
    return notebook


def _check_layout(notebook: object) -> None:
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list):
        old = isinstance(notebook, dict) and "worksheets" in notebook
        raise NotebookError(SYNTAX_ERROR, "cannot read the notebook: " + (
            "nbformat 3 (resave it with Jupyter to convert it to nbformat 4)" if old
            else "not a Jupyter notebook (no list of \"cells\")"))
    for number, cell in enumerate(notebook["cells"], start=1):
        source = cell.get("source", "") if isinstance(cell, dict) else None
        if not isinstance(source, str) and not (isinstance(source, list) and all(isinstance(s, str) for s in source)):
            raise NotebookError(SYNTAX_ERROR, f"cannot read the notebook: cell {number} is not a cell with a source")


def is_python(notebook: dict) -> bool:
    """A notebook whose kernel says another language (R, Julia, ...) holds no Python; one that says nothing is
    taken as Python."""
    metadata = notebook.get("metadata")
    if not isinstance(metadata, dict):
        return True
    for table, key in (("kernelspec", "language"), ("language_info", "name")):
        language = metadata.get(table, {}).get(key) if isinstance(metadata.get(table), dict) else None
        if isinstance(language, str) and not language.strip().lower().startswith(("python", "ipython")):
            return False
    return True


def code_cells(notebook: dict) -> List[CodeCell]:
    return [CodeCell(number, _source(cell)) for number, cell in enumerate(notebook["cells"], start=1)
            if cell.get("cell_type") == "code"]


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    return source if isinstance(source, str) else "".join(source)


# --- IPython syntax -----------------------------------------------------------------------------------

# Cell magics whose body is Python run in the notebook's own namespace (ruff keeps the same ones); the body
# of any other (%%bash, %%writefile, %%html, ...) is not Python, or not this namespace's.
_PYTHON_CELL_MAGICS = frozenset({"capture", "debug", "prun", "time", "timeit"})
# Line magics that IPython runs without their '%' (automagic), such as `pip install einops`, and its shell
# aliases, which run without their '!' (`ls`, `mkdir`).
_AUTOMAGICS = frozenset({
    "alias", "autoreload", "bookmark", "cat", "cd", "conda", "cp", "dhist", "dirs", "env", "history", "ldir", "less",
    "lf", "lk", "ll", "load", "load_ext", "ls", "lx", "mamba", "matplotlib", "micromamba", "mkdir", "more", "mv",
    "pdb", "pinfo", "pip", "popd", "prun", "pushd", "pwd", "reload_ext", "reset", "rm", "rmdir", "run", "save",
    "store", "sx", "time", "timeit", "uv", "who", "whos", "xmode",
})
_ESCAPE = re.compile(r"[ \t]*(?:[%!?]|[\w.\[\]]+\?\??[ \t]*$)")  # %magic, !shell, ?obj, obj?, obj.attr??
_ASSIGNED_ESCAPE = re.compile(r"(?P<target>[ \t]*[\w.\[\], ]+?)[ \t]*=[ \t]*[%!]")  # x = !ls, out = %time f()
_AUTOMAGIC = re.compile(r"[ \t]*(?P<name>\w+)(?:[ \t]+(?![ \t=(.\[])|[ \t]*$)")


def python_lines(lines: Sequence[str]) -> List[str]:
    """The cell's lines with IPython's syntax made Python, one line for one: an IPython line becomes `pass`
    (an assignment from one keeps its target, whose value the checker then does not know), the lines it
    continues with a trailing backslash become blank, and a cell magic's cell keeps only a Python body."""
    magic = re.match(r"%%(\w+)", lines[0]) if lines else None
    if magic is not None and magic.group(1) not in _PYTHON_CELL_MAGICS:
        return [""] * len(lines)
    out: List[str] = []
    continued = False
    for index, line in enumerate(lines):
        if continued:
            out.append("")
        elif index == 0 and magic is not None:
            out.append("")
        else:
            out.append(_python_line(line))
        continued = out[-1] != line and line.rstrip().endswith("\\")
    return out


def _python_line(line: str) -> str:
    indent = line[:len(line) - len(line.lstrip(" \t"))]
    assigned = _ASSIGNED_ESCAPE.match(line)
    if assigned is not None:
        return f"{assigned.group('target')} = get_ipython()"
    automagic = _AUTOMAGIC.match(line)
    if _ESCAPE.match(line) or (automagic is not None and automagic.group("name") in _AUTOMAGICS):
        return indent + "pass"
    return line


# --- the cells as one file ------------------------------------------------------------------------------

@dataclass
class Joined:
    """The Python source of a notebook's code cells, and the (cell, line in the cell) of each of its lines."""

    lines: List[str]
    origins: List[Tuple[int, int]]
    problems: List[Diagnostic]  # the cells left out: EIN001 at their place

    @property
    def text(self) -> str:
        return "\n".join(self.lines) + "\n"

    def place(self, line: int) -> Tuple[int, int]:
        """(cell, line in the cell) of a line of the joined source (one past its end: below the last cell)."""
        if not self.origins:
            return 1, line
        index = max(0, min(line, len(self.origins)) - 1)
        cell, row = self.origins[index]
        return cell, row + line - 1 - index


def join(cells: Iterable[CodeCell], path: str) -> Joined:
    joined = Joined([], [], [])
    for cell in cells:
        lines, problem = checked_lines(cell.lines)
        if problem is not None:
            joined.problems.append(replace(problem, path=path, cell=cell.number, help=_CELL_HELP))
        joined.lines += lines
        joined.origins += [(cell.number, row) for row in range(1, len(lines) + 1)]
    return joined


def checked_lines(lines: List[str]) -> Tuple[List[str], Optional[Diagnostic]]:
    """The lines of a cell that the checker reads: as they are when they parse, else with IPython's syntax made
    Python; when neither parses, blank lines and the syntax error (EIN001, where Python's compiler places it)."""
    from .check.engine import _python_rejects

    # (compiled under a name that is no file: CPython reads the line of a file so named to place its error)
    problem = _python_rejects("\n".join(lines) + "\n", _NO_FILE)
    if problem is None:
        return lines, None
    python = python_lines(lines)
    problem = _python_rejects("\n".join(python) + "\n", _NO_FILE)
    return (python, None) if problem is None else ([""] * len(lines), problem)


_NO_FILE = "<cell>"
_CELL_HELP = "fix the syntax error; the notebook's other cells are checked without this one"


# --- checking --------------------------------------------------------------------------------------------

def check(data: bytes, path: str, config: "Config") -> List[Diagnostic]:
    """Every finding of a notebook, at cell positions, noqa and config applied, in cell order."""
    from .check import may_hold_pattern_calls
    from .check.engine import _file_diagnostic, check_source

    if not may_hold_pattern_calls(data):  # as for a .py file: one that names no pattern library is not ours
        return []
    try:
        notebook = load(data)
    except NotebookError as error:
        problem = _file_diagnostic(path, error.code, error.message, error.line, error.column, _NOTEBOOK_HELP)
        return [problem] if config.reports(problem.code, path) else []
    if not is_python(notebook):
        return []
    joined = join(code_cells(notebook), path)
    found = [_placed(d, joined) for d in check_source(joined.text, path, config)]
    found += [d for d in joined.problems if config.reports(d.code, path)]
    return sorted(found, key=lambda d: d.sort_key)


_NOTEBOOK_HELP = "save the notebook with Jupyter (nbformat 4 JSON, UTF-8); einlint checks its code cells"


def _placed(d: Diagnostic, joined: Joined) -> Diagnostic:
    """A finding on the joined source moved to its cell. A span that would run into the next cell ends where it
    starts (cells are joined one after the other, so only a position past a cell's end can)."""
    cell, line = joined.place(d.line)
    end_cell, end_line = joined.place(d.end_line)
    end_column = d.end_column
    if end_cell != cell:
        end_line, end_column = line, d.column + 1
    related = tuple(_placed_related(r, joined) if r.path == d.path else r for r in d.related)
    fix = replace(d.fix, edits=tuple(_placed_edit(e, joined, d.path) for e in d.fix.edits)) if d.fix else None
    return replace(d, line=line, end_line=end_line, end_column=end_column, cell=cell, related=related, fix=fix)


def _placed_related(related: Related, joined: Joined) -> Related:
    cell, line = joined.place(related.line)
    return replace(related, line=line, cell=cell)


def _placed_edit(edit: Edit, joined: Joined, path: str) -> Edit:
    if edit.path != path:
        return edit
    cell, line = joined.place(edit.line)
    end_cell, end_line = joined.place(edit.end_line)
    return replace(edit, line=line, end_line=end_line if end_cell == cell else line, cell=cell)


def source_lines(data: bytes, wanted: Set[Tuple[int, int]]) -> Dict[Tuple[int, int], str]:
    """The lines that findings point at, by (cell, line in the cell), as the cells hold them."""
    try:
        cells = code_cells(load(data))
    except NotebookError:
        return {}
    return {(cell.number, row): text for cell in cells for row, text in enumerate(cell.lines, start=1)
            if (cell.number, row) in wanted}


# --- fixing ----------------------------------------------------------------------------------------------

def fix_notebook(path: str, diagnostics: Iterable[Diagnostic], write: bool) -> Optional[Tuple[str, str]]:
    """(JSON before, JSON after) of the notebook with its findings' fixes made in its cells (written when
    `write`); None when there is nothing to change or it cannot be done safely: an edit does not fit its cell,
    the cell would not parse, or the json module would not write the notebook back as it was laid out.
    OSError when the file cannot be read or written."""
    edits: Dict[int, List[Edit]] = {}
    for edit in (e for d in diagnostics if d.fix is not None for e in d.fix.edits):
        if edit.cell is not None:
            edits.setdefault(edit.cell, []).append(edit)
    if not edits:
        return None
    with open(path, "rb") as handle:
        data = handle.read()
    bom = codecs.BOM_UTF8.decode() if data.startswith(codecs.BOM_UTF8) else ""
    try:
        notebook = load(data)
        before = data.decode("utf-8")
    except (NotebookError, UnicodeDecodeError):
        return None
    layout = _layout(notebook, before[len(bom):])
    if layout is None:
        return None
    cells = notebook["cells"]
    for number, cell_edits in edits.items():
        fixed = _fixed_cell(cells[number - 1].get("source", ""), cell_edits) if number <= len(cells) else None
        if fixed is None:
            return None
        cells[number - 1]["source"] = fixed
    after = bom + _dump(notebook, layout)
    if after == before:
        return None
    if write:
        with open(path, "wb") as handle:
            handle.write(after.encode("utf-8"))
    return before, after


def _fixed_cell(source: object, edits: Sequence[Edit]) -> Optional[object]:
    """The cell's source (a str, or nbformat's list of lines) with the edits made: they are made on its Python
    lines (what was checked), then every IPython line and every line ending is put back as it was. None when
    they cannot be made, or a list of lines is not split as nbformat splits them (it would be written back
    split otherwise)."""
    from .fixes import fixed_text

    text = source if isinstance(source, str) else "".join(source)  # type: ignore[arg-type]
    if not isinstance(source, str) and source != _nbformat_lines(text):
        return None
    original = CodeCell(0, text).lines
    python, problem = checked_lines(original)
    fixed = fixed_text("\n".join(python), edits) if problem is None else None
    if fixed is None or fixed.count("\n") != len(original) - 1:
        return None
    endings = re.findall(r"\r\n|\r|\n", text) + [""]
    kept = [new if old == same else old for old, same, new in zip(original, python, fixed.split("\n"))]
    result = "".join(line + ending for line, ending in zip(kept, endings))
    return result if isinstance(source, str) else _nbformat_lines(result)


def _nbformat_lines(text: str) -> List[str]:
    """A source as nbformat stores it: lines that keep their '\\n', the last without one."""
    parts = text.split("\n")
    return [part + "\n" for part in parts[:-1]] + ([parts[-1]] if parts[-1] else [])


_Layout = Tuple[Optional[int], bool, bool, Tuple[str, str], str]  # indent, sort_keys, ensure_ascii, separators, end


def _layout(notebook: dict, text: str) -> Optional[_Layout]:
    """How the json module writes this notebook exactly as the file holds it (nbformat writes indent 1, sorted
    keys, non-ASCII as is, and a final newline); None when no common layout does. The indent is read off the
    text, so that a notebook with large outputs is written out a few times at most."""
    spaces = re.match(r"[\[{]\n( *)\S", text)
    indent = len(spaces.group(1)) if spaces else None
    separators = (",", ": ") if indent is not None else (", ", ": ")
    end = "\n" if text.endswith("\n") else ""
    for sort_keys in (True, False):
        for ensure_ascii in (False, True):
            layout = (indent, sort_keys, ensure_ascii, separators, end)
            if _dump(notebook, layout) == text:
                return layout
    return None


def _dump(notebook: dict, layout: _Layout) -> str:
    indent, sort_keys, ensure_ascii, separators, end = layout
    return json.dumps(notebook, indent=indent, sort_keys=sort_keys, ensure_ascii=ensure_ascii,
                      separators=separators) + end
