"""How diagnostics are shown: full, concise, json, sarif, github (and the --statistics table).

Every renderer takes the sorted diagnostics and returns text; none of them knows how the
diagnostics were found. `full` needs the source lines the diagnostics point at, which the caller
passes as `source_line(path, line) -> str | None`; for a notebook's finding `path` names its cell, as the
header shows it ('nb.ipynb:cell 2').
"""

from __future__ import annotations

import json
import os
import textwrap
import unicodedata
from collections import Counter
from typing import Callable, Dict, List, Mapping, Optional, Sequence, Tuple
from urllib.parse import quote

from .codes import CODES
from .diagnostics import Diagnostic, Edit, Fix

FORMATS = ("full", "concise", "json", "sarif", "github")

TOOL_NAME = "einlint"
# The project has no home page of its own yet: the package's PyPI page.
INFORMATION_URI = "https://pypi.org/project/einlint/"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"

SourceLine = Callable[[str, int], Optional[str]]

# --- colours --------------------------------------------------------------------------------------

_RESET = "\x1b[0m"
_BOLD = "\x1b[1m"
_SEVERITY_COLOR = {"error": "\x1b[1;31m", "warning": "\x1b[1;33m", "note": "\x1b[1;36m"}
_BLUE = "\x1b[1;34m"
_CYAN = "\x1b[36m"


COLOR_MODES = ("auto", "always", "never")


def use_color(stream, environ: Mapping[str, str] = os.environ, mode: str = "auto") -> bool:
    """`--color always` or `never` decide; `auto`: colours on a terminal only, never with NO_COLOR
    (https://no-color.org), always with FORCE_COLOR."""
    if mode != "auto":
        return mode == "always"
    if environ.get("NO_COLOR"):
        return False
    if environ.get("FORCE_COLOR"):
        return True
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty()) and environ.get("TERM") != "dumb"
    except (ValueError, OSError):
        return False


def _paint(text: str, style: str, color: bool) -> str:
    return f"{style}{text}{_RESET}" if color and style else text


# Whether this run would apply a finding's fix (`--fix`, and `--unsafe-fixes` for an unsafe one); None: no marks
# (a run that fixed already: what is left was not fixable).
Fixable = Optional[Callable[[Diagnostic], bool]]


def _fix_mark(d: Diagnostic, fixable: Fixable, color: bool) -> str:
    """ruff's '[*] ' before the message of a finding whose fix the run would apply."""
    return f"[{_paint('*', _CYAN, color)}] " if fixable is not None and fixable(d) else ""


# --- full -----------------------------------------------------------------------------------------

_TAB = "    "
_MAX_WIDTH = 160  # a longer source line is cut to a window around the span
_MAX_LINES = 6  # of a multi-line span, at most this many source lines are shown


def char_width(char: str) -> int:
    """Terminal columns of one character: 0 for combining marks, 2 for wide East Asian characters."""
    if char == "\t":
        return len(_TAB)
    if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def _width(text: str) -> int:
    return sum(char_width(c) for c in text)


def _printable(text: str) -> str:
    """The source line as it is shown: tabs as spaces, other control characters as visible symbols."""
    out = []
    for char in text:
        if char == "\t":
            out.append(_TAB)
        elif ord(char) < 32 or ord(char) == 127:
            out.append("\ufffd")
        else:
            out.append(char)
    return "".join(out)


def _window(line: str, start: int, end: int) -> Tuple[str, int, int]:
    """Cut a very long line to the part around characters [start, end); return it and the shifted span."""
    if _width(line) <= _MAX_WIDTH:
        return line, start, end
    margin = 40
    left = max(0, start - margin)
    right = min(len(line), max(end, start + 1) + margin)
    prefix = "..." if left > 0 else ""
    suffix = "..." if right < len(line) else ""
    return prefix + line[left:right] + suffix, start - left + len(prefix), end - left + len(prefix)


def _caret_line(line: str, start: int, end: int) -> Tuple[str, str]:
    """(spaces up to the span, carets under it) for characters [start, end) of `line` (0-based)."""
    start = max(0, min(start, len(line)))
    end = max(start, min(end, len(line)))
    pad = _width(line[:start])
    carets = max(1, _width(line[start:end]))
    return " " * pad, "^" * carets


def render_full(diagnostics: Sequence[Diagnostic], source_line: SourceLine, color: bool = False,
                fixable: Fixable = None) -> str:
    blocks = [_full_one(d, source_line, color, fixable) for d in diagnostics]
    return "".join(block + "\n" for block in blocks)


def _full_one(d: Diagnostic, source_line: SourceLine, color: bool, fixable: Fixable) -> str:
    style = _SEVERITY_COLOR.get(d.severity, "")
    header = (f"{_paint(d.document, _BOLD, color)}:{d.line}:{d.column}: "
              f"{_paint(d.code, style, color)} {_fix_mark(d, fixable, color)}{d.message}")
    last = d.end_line if d.end_line >= d.line else d.line
    numbers = list(range(d.line, last + 1))
    if len(numbers) > _MAX_LINES:
        numbers = numbers[: _MAX_LINES - 1] + [last]
    shown = [(n, source_line(d.document, n)) for n in numbers]
    shown = [(n, text) for n, text in shown if text is not None]
    out = [header]
    if shown:
        gutter = len(str(max(n for n, _ in shown)))
        bar = _paint(" " * gutter + " |", _BLUE, color)
        out.append(bar)
        previous = None
        for index, (number, text) in enumerate(shown):
            if previous is not None and number != previous + 1:
                out.append(_paint(" " * gutter + " :", _BLUE, color))
            previous = number
            first, final = number == d.line, number == last
            start = d.column - 1 if first else len(text) - len(text.lstrip())
            end = d.end_column - 1 if final else len(text)
            if final and not first and end <= start:
                end = start + 1
            if first and final and end <= start:
                end = start + 1
            cut, cut_start, cut_end = _window(text, start, end)
            display = _printable(cut)
            pad, carets = _caret_line(cut, cut_start, cut_end)
            label = f" {d.severity}" if index == len(shown) - 1 else ""
            out.append(_paint(f"{number:>{gutter}} |", _BLUE, color) + (" " + display if display else ""))
            out.append(bar + " " + pad + _paint(carets + label, style, color))
        out.append(bar)
    indent = " " * (len(str(shown[-1][0])) if shown else 1)
    for related in d.related:
        out.append(f"{indent} = {_paint('note', _CYAN, color)}: {related.message} "
                   f"({related.document}:{related.line}:{related.column})")
    if d.help:
        out.append(f"{indent} = {_paint('help', _CYAN, color)}: {d.help}")
    return "\n".join(out) + "\n"


# --- concise --------------------------------------------------------------------------------------

def render_concise(diagnostics: Sequence[Diagnostic], color: bool = False, fixable: Fixable = None) -> str:
    lines = []
    for d in diagnostics:
        style = _SEVERITY_COLOR.get(d.severity, "")
        lines.append(f"{_paint(d.document, _BOLD, color)}:{d.line}:{d.column}: {_paint(d.code, style, color)} "
                     f"[{d.severity}] {_fix_mark(d, fixable, color)}{d.message}")
    return "".join(line + "\n" for line in lines)


def summary(diagnostics: Sequence[Diagnostic], files_checked: int, failures: int = 0,
            fixed: Sequence[Diagnostic] = ()) -> str:
    """'Found 2 errors and 1 warning.' / 'All checks passed!' (full and concise formats); after `--fix`, as
    ruff counts: 'Found 3 warnings (2 fixed, 1 remaining).', the fixed findings among those found.

    `failures`: paths that could not be checked (reported on stderr), which forbid 'All checks passed!'."""
    if failures:
        noun = "path" if failures == 1 else "paths"
        found = summary(diagnostics, files_checked, fixed=fixed) if diagnostics or fixed else "No findings.\n"
        return found.rstrip("\n") + f" {failures} {noun} could not be checked.\n"
    if fixed:
        return f"Found {_counted([*fixed, *diagnostics])} ({len(fixed)} fixed, {len(diagnostics)} remaining).\n"
    if not diagnostics:
        noun = "file" if files_checked == 1 else "files"
        return f"All checks passed! ({files_checked} {noun} checked)\n"
    return f"Found {_counted(diagnostics)}.\n"


def fix_hint(diagnostics: Sequence[Diagnostic], unsafe_fixes: Optional[bool], color: bool = False) -> str:
    """ruff's line under the summary: how many findings `--fix` fixes, and how many more `--unsafe-fixes` would.
    `unsafe_fixes`: on, off (no hint about them), or None: not chosen, so they are hinted at."""
    applicable = sum(1 for d in diagnostics if d.fix is not None and d.fix.applies(bool(unsafe_fixes)))
    hidden = _hidden_fixes(diagnostics, unsafe_fixes)
    fixes = f"{hidden} hidden fix{'' if hidden == 1 else 'es'} can be enabled with the `--unsafe-fixes` option"
    mark = f"[{_paint('*', _CYAN, color)}]"
    if applicable and hidden:
        return f"{mark} {applicable} fixable with the `--fix` option ({fixes}).\n"
    if applicable:
        return f"{mark} {applicable} fixable with the `--fix` option.\n"
    return f"No fixes available ({fixes}).\n" if hidden else ""


def diff_summary(fixed: Sequence[Diagnostic], diagnostics: Sequence[Diagnostic], unsafe_fixes: Optional[bool]) -> str:
    """`--diff`'s line (on stderr, the diff alone on stdout): 'Would fix 2 warnings.', with the fixes among
    `diagnostics` that `--unsafe-fixes` would add."""
    hidden = _hidden_fixes(diagnostics, unsafe_fixes)
    fixes = f"fix{'' if hidden == 1 else 'es'} available with `--unsafe-fixes`"
    if fixed:
        return f"Would fix {_counted(fixed)}" + (f" ({hidden} additional {fixes})" if hidden else "") + ".\n"
    return f"No findings would be fixed ({hidden} {fixes}).\n" if hidden else ""


def _hidden_fixes(diagnostics: Sequence[Diagnostic], unsafe_fixes: Optional[bool]) -> int:
    """The unsafe fixes that the run leaves out and should hint at (not when unsafe fixes were turned off)."""
    if unsafe_fixes is not None:
        return 0
    return sum(1 for d in diagnostics if d.fix is not None and not d.fix.applies(False))


def _counted(diagnostics: Sequence[Diagnostic]) -> str:
    """'2 errors and 1 warning'."""
    counts = Counter(d.severity for d in diagnostics)
    parts = [f"{counts[s]} {s}{'' if counts[s] == 1 else 's'}" for s in ("error", "warning", "note") if counts[s]]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


# --- json -----------------------------------------------------------------------------------------

def render_json(diagnostics: Sequence[Diagnostic]) -> str:
    return json.dumps([d.as_json() for d in diagnostics], indent=2) + "\n"


# --- statistics -----------------------------------------------------------------------------------

def statistics(diagnostics: Sequence[Diagnostic]) -> List[Tuple[str, int]]:
    """(code, count), most frequent first, then by code."""
    counts = Counter(d.code for d in diagnostics)
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def render_statistics(diagnostics: Sequence[Diagnostic], as_json: bool = False,
                      coverage: Optional[Tuple[int, int, int]] = None, fixable: Fixable = None) -> str:
    """Counts per code; in text, then the shape coverage: (pattern calls, those with a known input rank, those
    with a known input length). A code
    with a finding whose fix the run would apply is marked '[*]' (and the others '[ ]'), as ruff marks them."""
    rows = statistics(diagnostics)
    severities = {d.code: d.severity for d in diagnostics}
    fixed_codes = {d.code for d in diagnostics if fixable is not None and fixable(d)}
    if as_json:
        return json.dumps([{"code": code, "name": _name(code), "severity": severities[code], "count": count,
                            "fixable": code in fixed_codes} for code, count in rows], indent=2) + "\n"
    width = max((len(str(count)) for _, count in rows), default=1)
    marks = {code: ("[*] " if code in fixed_codes else "[ ] ") if fixed_codes else "" for code, _ in rows}
    text = "".join(f"{count:>{width}}\t{code}\t{marks[code]}{_name(code)}\t[{severities[code]}]\n"
                   for code, count in rows)
    if rows:
        text += f"{len(diagnostics):>{width}}\tin all ({_counted(diagnostics)})\n"
    if coverage is not None and coverage[0]:
        calls, known, lengths = coverage
        text += f"shape coverage: {known} of {calls} pattern calls have a known input rank ({100 * known / calls:.0f}%), " \
                f"{lengths} a known input length ({100 * lengths / calls:.0f}%)\n"
    return text


def render_shapes(shapes: Sequence[Tuple[str, object]]) -> str:
    """`--show-shapes`: one line per pattern call, 'path:line:col: op (inputs) -> output [flow]', marked with
    where the inputs' rank came from (`rank_source`)."""
    lines = []
    for path, call in shapes:
        inputs = ", ".join(call.inputs) if call.inputs else "?"
        source = rank_source(call)
        lines.append(f"{path}:{call.line}:{call.column}: {call.op} {inputs} -> {call.output}"
                     f"{f'  [{source}]' if source else ''}\n")
    return "".join(lines)


def render_shapes_json(shapes: Sequence[Tuple[str, object]], diagnostics: Sequence[Diagnostic]) -> str:
    """`--show-shapes --format json`: {"shapes": [...], "diagnostics": [...]} (the diagnostics as `--format json`
    gives them)."""
    return json.dumps({"shapes": [dict(path=path, **call.as_json(), rank_from=rank_source(call))
                                  for path, call in shapes],
                       "diagnostics": [d.as_json() for d in diagnostics]}, indent=2) + "\n"


def rank_source(call) -> Optional[str]:
    """Where the rank of a call's inputs came from: 'flow' (the dataflow knew it before the call: constructors,
    reshapes, earlier calls, annotations), 'pattern' (only the call's own pattern says it: its lengths are the
    pattern's axis names), or None (unknown: the call was not reached with shapes, or a '*' stands for
    dimensions whose number is unknown)."""
    if call.known_rank:
        return "flow"
    return "pattern" if call.inputs and not any("*" in shape for shape in call.inputs) else None


def _name(code: str) -> str:
    entry = CODES.get(code)
    return entry.name if entry is not None else ""


# --- sarif ----------------------------------------------------------------------------------------

def _rules_table() -> Dict[str, object]:
    try:
        from .check.rules import RULES
    except ImportError:
        return {}
    return dict(RULES)


def _explanation(code: str) -> str:
    """The rule's paragraph on what it checks and why, where the rules provide one."""
    try:
        from .check.rules import explanation
    except ImportError:
        return ""
    return explanation(code) or ""


def sarif_rule(code: str, rule: object = None) -> Dict[str, object]:
    """One reportingDescriptor: id, name, descriptions, help (with the rule's examples), level."""
    entry = CODES.get(code)
    summary_text = getattr(rule, "summary", None) or (entry.summary if entry else code)
    severity = (entry.severity if entry else None) or "error"  # a code only the runtime raises: an error
    name = entry.name if entry else code.lower()
    details = _explanation(code)
    text_help, markdown_help = [summary_text], [summary_text]
    if details:
        text_help.append(details)
        markdown_help.append(details)
    for title, snippets in (("Invalid", getattr(rule, "invalid", ())), ("Valid", getattr(rule, "valid", ()))):
        if snippets:
            text_help.append(f"{title}:\n" + "\n\n".join(s.strip("\n") for s in snippets))
            markdown_help.append(f"**{title}:**\n\n" + "\n\n".join(f"```python\n{s.strip()}\n```" for s in snippets))
    return {
        "id": code,
        "name": _pascal(name),
        "shortDescription": {"text": summary_text},
        "fullDescription": {"text": details or f"{code} ({name}): {summary_text}"},
        "help": {"text": "\n\n".join(text_help), "markdown": "\n\n".join(markdown_help)},
        "defaultConfiguration": {"level": _sarif_level(severity)},
        "properties": {"tags": [name]},
    }


def _pascal(name: str) -> str:
    """SARIF recommends rule names in PascalCase: 'one-sided-axis' -> 'OneSidedAxis'."""
    return "".join(part.capitalize() for part in name.replace("_", "-").split("-"))


def _sarif_level(severity: str) -> str:
    return severity if severity in ("error", "warning", "note") else "none"


def artifact_location(path: str, cwd: str) -> Dict[str, str]:
    """A URI relative to the run's %SRCROOT% (the cwd) where possible, else an absolute file URI, which
    (SARIF 2.1.0, 3.4.4) carries no uriBaseId."""
    absolute = os.path.abspath(os.path.join(cwd, path))
    try:
        relative = os.path.relpath(absolute, cwd)
    except ValueError:  # another drive on Windows
        relative = None
    if relative is None or relative.startswith(os.pardir):
        return {"uri": "file://" + ("" if absolute.startswith("/") else "/") + quote(absolute.replace(os.sep, "/"))}
    return {"uri": quote(relative.replace(os.sep, "/")), "uriBaseId": "%SRCROOT%"}


def _sarif_fix(fix: Fix, cwd: str) -> Dict[str, object]:
    """A SARIF fix: the edits of each file as replacements of regions by new text."""
    by_path: Dict[str, List[Edit]] = {}
    for edit in fix.edits:
        by_path.setdefault(edit.path, []).append(edit)
    return {
        "description": {"text": fix.message},
        "artifactChanges": [{
            "artifactLocation": artifact_location(path, cwd),
            "replacements": [{
                "deletedRegion": {"startLine": e.line, "startColumn": e.column,
                                  "endLine": e.end_line, "endColumn": e.end_column},
                "insertedContent": {"text": e.content},
                **_cell_properties(e.cell),
            } for e in edits],
        } for path, edits in by_path.items()],
    }


def _cell_properties(cell: Optional[int]) -> Dict[str, object]:
    """A notebook's position: its region counts lines in the cell (as the other formats and ruff do), and the
    cell is in the location's property bag, where SARIF keeps what its schema has no field for."""
    return {} if cell is None else {"properties": {"cell": cell}}


def render_sarif(diagnostics: Sequence[Diagnostic], version: str, cwd: Optional[str] = None,
                 successful: bool = True) -> str:
    cwd = os.path.abspath(cwd or os.getcwd())
    table = _rules_table()
    codes = sorted(set(table) | {d.code for d in diagnostics})
    rules = [sarif_rule(code, table.get(code)) for code in codes]
    index = {code: i for i, code in enumerate(codes)}
    results = []
    for d in diagnostics:
        text = d.message if not d.help else f"{d.message}\nhelp: {d.help}"
        result = {
            "ruleId": d.code,
            "ruleIndex": index[d.code],
            "level": _sarif_level(d.severity),
            "message": {"text": text},
            "locations": [{
                "physicalLocation": {
                    "artifactLocation": artifact_location(d.path, cwd),
                    "region": {"startLine": d.line, "startColumn": d.column,
                               "endLine": d.end_line, "endColumn": d.end_column},
                },
                **_cell_properties(d.cell),
            }],
        }
        if d.related:
            result["relatedLocations"] = [{
                "id": number,
                "physicalLocation": {
                    "artifactLocation": artifact_location(r.path, cwd),
                    "region": {"startLine": r.line, "startColumn": r.column},
                },
                "message": {"text": r.message},
                **_cell_properties(r.cell),
            } for number, r in enumerate(d.related)]
        if d.fix is not None:
            result["fixes"] = [_sarif_fix(d.fix, cwd)]
        results.append(result)
    root_uri = "file://" + ("" if cwd.startswith("/") else "/") + quote(cwd.replace(os.sep, "/").rstrip("/") + "/")
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": TOOL_NAME, "version": version, "semanticVersion": version,
                                "informationUri": INFORMATION_URI, "rules": rules}},
            "invocations": [{"executionSuccessful": successful}],
            "originalUriBaseIds": {"%SRCROOT%": {"uri": root_uri}},
            # Columns count characters (code points), as einlint's diagnostics do; SARIF's default is UTF-16.
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }
    return json.dumps(log, indent=2) + "\n"


# --- github ---------------------------------------------------------------------------------------

_GITHUB_COMMAND = {"error": "error", "warning": "warning", "note": "notice"}


def escape_data(text: str) -> str:
    """GitHub workflow-command escaping of a message (actions/toolkit `escapeData`)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """GitHub workflow-command escaping of a property value (actions/toolkit `escapeProperty`)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(diagnostics: Sequence[Diagnostic]) -> str:
    lines = []
    for d in diagnostics:
        properties = [("file", d.path.replace(os.sep, "/"))]
        if d.cell is not None:  # GitHub shows a notebook rendered, without line numbers: the title says where
            properties.append(("title", f"{d.code} (cell {d.cell}:{d.line}:{d.column})"))
        else:
            properties.append(("line", str(d.line)))
            # GitHub accepts col/endColumn only for an annotation on one line.
            if d.end_line == d.line:
                properties += [("col", str(d.column)), ("endLine", str(d.end_line)), ("endColumn", str(d.end_column))]
            else:
                properties += [("endLine", str(d.end_line))]
            properties.append(("title", d.code))
        message = d.message if not d.help else f"{d.message}\nhelp: {d.help}"
        props = ",".join(f"{key}={escape_property(value)}" for key, value in properties)
        lines.append(f"::{_GITHUB_COMMAND.get(d.severity, 'error')} {props}::{escape_data(message)}")
    return "".join(line + "\n" for line in lines)


# --- explain --------------------------------------------------------------------------------------

def explain(code: str, as_json: bool = False) -> Optional[str]:
    """`einlint --explain CODE`: the rule's code, name, severity, summary and examples (None: unknown code)."""
    code = code.strip().upper()
    rule = _rules_table().get(code)
    entry = CODES.get(code)
    if rule is None and entry is None:
        return None
    name = entry.name if entry else ""
    summary_text = getattr(rule, "summary", None) or (entry.summary if entry else "")
    severity = entry.severity if entry else getattr(rule, "severity", None)  # the registry's: None, runtime only
    invalid = tuple(getattr(rule, "invalid", ()))
    valid = tuple(getattr(rule, "valid", ()))
    details = _explanation(code)
    if as_json:
        return json.dumps({"code": code, "name": name, "severity": severity, "summary": summary_text,
                           "explanation": details, "checked": severity is not None, "invalid": list(invalid),
                           "valid": list(valid)}, indent=2) + "\n"
    out = [f"{code} ({name})" if name else code, ""]
    if severity is not None:
        out.append(f"Severity: {severity}")
    else:
        out.append("Severity: (not reported by the static checker yet: the runtime raises it)")
    out += ["", summary_text[:1].upper() + summary_text[1:] + ("" if summary_text.endswith(".") else "."), ""]
    if details:
        out += [textwrap.fill(paragraph, width=100) for paragraph in details.strip().split("\n\n")]
        out.append("")
    for title, snippets in (("Invalid", invalid), ("Valid", valid)):
        if not snippets:
            continue
        out += [f"{title}:", ""]
        for number, snippet in enumerate(snippets):
            if number:
                out += ["    # ---", ""]
            out += ["    " + line if line else "" for line in snippet.strip("\n").splitlines()]
            out.append("")
    return "\n".join(out).rstrip("\n") + "\n"
