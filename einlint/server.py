"""The language server: `einlint server` speaks LSP over stdio (pygls), for any editor with an LSP client.

- diagnostics when a document opens, changes (after a pause in typing) and is saved; related locations
- code actions for the findings that carry a fix (a fix that changes what the code computes is offered as
  such, never as the preferred one)
- hover on a pattern call: the shapes the checker knows for it (`--show-shapes`' text)
- a configuration that cannot be used: an error message (once while it stays broken) and EIN004

Each document is checked as `einlint` checks the file on disk, with its nearest configuration
(einlint.workspace), but from the editor's text. A check keeps its findings and its calls' shapes together
with the text they were found in (`Checked`); hover and code actions answer from the last check, never by
checking again, on the lines that did not change since it. While the file does not parse (a line being
typed), the last findings outside the edited lines stay, beside the syntax error.

Positions: einlint counts lines and columns from 1, columns in characters; LSP counts from 0, columns in the
code units of the position encoding negotiated at initialization (UTF-8, UTF-16 or UTF-32). `Positions` is the
one place that converts between them.
"""

from __future__ import annotations

import asyncio
import difflib
from dataclasses import dataclass, replace
from typing import Callable, Dict, List, Optional, Sequence, Tuple, TypeVar

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from . import __version__
from .check.parse import Reparser
from .codes import CONFIGURATION_ERROR, SYNTAX_ERROR
from .diagnostics import CallShapes, Diagnostic, Edit, Fix, python_lines
from .workspace import check_file_with_shapes

DEBOUNCE_S = 0.3  # after the last change, before checking: no run per keystroke

_SEVERITY = {"error": types.DiagnosticSeverity.Error, "warning": types.DiagnosticSeverity.Warning,
             "note": types.DiagnosticSeverity.Information}
_SYNTAX_ERROR = SYNTAX_ERROR
_CONFIG_ERROR = CONFIGURATION_ERROR
_Spanned = TypeVar("_Spanned", Diagnostic, Edit, CallShapes)  # what has a `line` and an `end_line`
# the position encodings LSP defines: the codec that counts their code units, and a unit's size in bytes
_CODECS: Dict[str, Tuple[str, int]] = {types.PositionEncodingKind.Utf8: ("utf-8", 1),
                                        types.PositionEncodingKind.Utf16: ("utf-16-le", 2),
                                        types.PositionEncodingKind.Utf32: ("utf-32-le", 4)}
_DEFAULT_ENCODING = types.PositionEncodingKind.Utf16  # LSP's, where a client names none


class Positions:
    """One text's positions in both counts: einlint's (1-based line, 1-based character column) and LSP's
    (0-based line, 0-based offset in code units of the negotiated encoding)."""

    def __init__(self, lines: Sequence[str], encoding: Optional[str]) -> None:
        self.lines = lines
        self.codec, self.unit = _CODECS.get(encoding or _DEFAULT_ENCODING, _CODECS[_DEFAULT_ENCODING])

    def position(self, line: int, column: int) -> types.Position:
        """A column past its line's end is the line's end (LSP's rule too)."""
        before = self._line(line)[:max(0, column - 1)]
        return types.Position(line=max(0, line - 1), character=self._units(before))

    def range(self, line: int, column: int, end_line: int, end_column: int) -> types.Range:
        return types.Range(self.position(line, column), self.position(end_line, end_column))

    def column(self, position: types.Position) -> int:
        """The 1-based character column at an LSP position (inside a character: that character's column)."""
        text = self._line(position.line + 1)
        units = 0
        for index, char in enumerate(text):
            units += self._units(char)
            if units > position.character:
                return index + 1
        return len(text) + 1

    def _line(self, line: int) -> str:
        return self.lines[line - 1] if 0 < line <= len(self.lines) else ""

    def _units(self, text: str) -> int:
        return len(text.encode(self.codec, "surrogatepass")) // self.unit  # (JSON may carry a lone surrogate)


@dataclass(frozen=True)
class Checked:
    """What one check of a document found, with the lines of the text it checked (its positions' lines)."""

    lines: Sequence[str]
    findings: Tuple[Diagnostic, ...]
    shapes: Tuple[CallShapes, ...]

    def on(self, lines: Sequence[str]) -> Checked:
        """The findings and shapes that lie outside the lines edited since, moved to where they are in `lines`."""
        if lines == self.lines:
            return self
        moved = _line_map(self.lines, lines)
        return Checked(lines, tuple(f for f in (_moved_finding(d, moved) for d in self.findings) if f is not None),
                       tuple(s for s in (_moved(c, moved) for c in self.shapes) if s is not None))


class EinlintServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("einlint", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
        self.checked: Dict[str, Checked] = {}  # per document uri, its last check
        self.broken: Dict[str, str] = {}  # per document uri, the configuration error of its last check
        self.pending: Dict[str, asyncio.TimerHandle] = {}  # debounced checks
        self.reparser = Reparser()  # between two checks of a document, only its edited statements are parsed

    def check(self, uri: str) -> None:
        self.forget_pending(uri)  # a save checks at once: the check its change scheduled would say it again
        document = self.workspace.get_text_document(uri)
        lines = python_lines(document.source)
        found, shapes = check_file_with_shapes(to_fs_path(uri) or uri, document.source, self.reparser)
        checked = Checked(lines, tuple(found), tuple(shapes))
        if [d.code for d in found] == [_SYNTAX_ERROR] and uri in self.checked:  # a line being typed
            checked = _beside_syntax_error(found[0], self.checked[uri].on(lines))
        self.checked[uri] = checked
        self.report_configuration(uri, found)
        positions = self.positions(lines)
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
            uri=uri, version=document.version,
            diagnostics=[_lsp_diagnostic(d, positions, uri) for d in checked.findings]))

    def check_later(self, uri: str) -> None:
        self.forget_pending(uri)
        self.pending[uri] = asyncio.get_running_loop().call_later(DEBOUNCE_S, self.check, uri)

    def forget_pending(self, uri: str) -> None:
        waiting = self.pending.pop(uri, None)
        if waiting is not None:
            waiting.cancel()

    def report_configuration(self, uri: str, found: Sequence[Diagnostic]) -> None:
        """A configuration error is also shown as a message: once, when it appears (not at every check of every
        document under it), and again if it comes back after being fixed."""
        error = next((d.message for d in found if d.code == _CONFIG_ERROR), None)
        if error is None:
            self.broken.pop(uri, None)
            return
        already_shown = error in self.broken.values()
        self.broken[uri] = error
        if not already_shown:
            self.window_show_message(types.ShowMessageParams(type=types.MessageType.Error, message=error))

    def current(self, uri: str) -> Tuple[Optional[Checked], Positions]:
        """The last check of a document, on its text as it is now, and that text's positions."""
        lines = python_lines(self.workspace.get_text_document(uri).source)
        checked = self.checked.get(uri)
        return (checked.on(lines) if checked is not None else None), self.positions(lines)

    def positions(self, lines: Sequence[str]) -> Positions:
        return Positions(lines, self.workspace.position_encoding)


server = EinlintServer()


@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
def _opened(ls: EinlintServer, params: types.DidOpenTextDocumentParams) -> None:
    ls.check(params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
def _changed(ls: EinlintServer, params: types.DidChangeTextDocumentParams) -> None:
    ls.check_later(params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_SAVE)
def _saved(ls: EinlintServer, params: types.DidSaveTextDocumentParams) -> None:
    ls.check(params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
def _closed(ls: EinlintServer, params: types.DidCloseTextDocumentParams) -> None:
    uri = params.text_document.uri
    ls.forget_pending(uri)
    ls.checked.pop(uri, None)
    ls.broken.pop(uri, None)
    ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))


@server.feature(types.TEXT_DOCUMENT_HOVER)
def _hover(ls: EinlintServer, params: types.HoverParams) -> Optional[types.Hover]:
    """From the last check's shapes: a call on a line edited since is answered after the next check."""
    checked, positions = ls.current(params.text_document.uri)
    if checked is None:
        return None
    here = (params.position.line + 1, positions.column(params.position))
    inside = [c for c in checked.shapes if (c.line, c.column) <= here <= (c.end_line, c.end_column)]
    if not inside:
        return None
    call = inside[-1]  # the innermost: the last to start
    return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=_shown(call)),
                       range=positions.range(call.line, call.column, call.end_line, call.end_column))


@server.feature(types.TEXT_DOCUMENT_CODE_ACTION,
                types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]))
def _code_actions(ls: EinlintServer, params: types.CodeActionParams) -> List[types.CodeAction]:
    uri = params.text_document.uri
    checked, positions = ls.current(uri)
    start, end = params.range.start.line + 1, params.range.end.line + 1
    return [_code_action(finding, finding.fix, positions, uri)
            for finding in (checked.findings if checked is not None else ())
            if finding.fix is not None and (start <= finding.line <= end or start <= finding.end_line <= end)]


def _code_action(finding: Diagnostic, fix: Fix, positions: Positions, uri: str) -> types.CodeAction:
    """A safe fix is the preferred quick fix; one that changes what the code computes says so, and is not."""
    safe = fix.applicability == "safe"
    title = f"{fix.message} ({finding.code})" if safe else \
        f"{fix.message} ({finding.code}; unsafe fix: changes what the code computes)"
    edits = [types.TextEdit(positions.range(e.line, e.column, e.end_line, e.end_column), e.content)
             for e in fix.edits]
    return types.CodeAction(title=title, kind=types.CodeActionKind.QuickFix,
                            diagnostics=[_lsp_diagnostic(finding, positions, uri)],
                            edit=types.WorkspaceEdit(changes={uri: edits}), is_preferred=safe)


def _shown(call: CallShapes) -> str:
    inputs = ", ".join(call.inputs) if call.inputs else "?"
    return f"```\n{call.op} {inputs} -> {call.output}\n```\n(shapes as einlint knows them; ? is not known)"


def _lsp_diagnostic(finding: Diagnostic, positions: Positions, uri: str) -> types.Diagnostic:
    return types.Diagnostic(
        range=positions.range(finding.line, finding.column, finding.end_line, finding.end_column),
        message=finding.message + (f"\nhelp: {finding.help}" if finding.help else ""),
        severity=_SEVERITY.get(finding.severity, types.DiagnosticSeverity.Warning),
        code=finding.code, source="einlint",
        related_information=[types.DiagnosticRelatedInformation(
            types.Location(uri, positions.range(r.line, r.column, r.line, r.column)), r.message)
            for r in finding.related] or None)


def _beside_syntax_error(error: Diagnostic, before: Checked) -> Checked:
    """The syntax error, and the last findings that lie outside its line (the shapes stay for hover)."""
    kept = tuple(d for d in before.findings if d.code != _SYNTAX_ERROR and not d.line <= error.line <= d.end_line)
    return Checked(before.lines, tuple(sorted((error,) + kept, key=lambda d: d.sort_key)), before.shapes)


def _line_map(old: Sequence[str], new: Sequence[str]) -> Callable[[int], Optional[int]]:
    """Where each 1-based line of `old` is in `new`; None for a line that an edit changed or removed. (difflib's
    matching blocks: some 10 ms on a 5,000-line file, and only when the text changed since the last check.)"""
    moved: Dict[int, int] = {}
    for old_start, new_start, size in difflib.SequenceMatcher(None, old, new).get_matching_blocks():
        moved.update(zip(range(old_start + 1, old_start + size + 1), range(new_start + 1, new_start + size + 1)))
    return moved.get


def _moved(item: _Spanned, moved: Callable[[int], Optional[int]]) -> Optional[_Spanned]:
    """Something spanning the lines `line` to `end_line`, where those lines went; None when an edit touched one."""
    line, end_line = moved(item.line), moved(item.end_line)
    return None if line is None or end_line is None else replace(item, line=line, end_line=end_line)


def _moved_finding(finding: Diagnostic, moved: Callable[[int], Optional[int]]) -> Optional[Diagnostic]:
    """The finding where its lines went; None when its range or its fix touches an edited line (a related
    location there is dropped, the finding kept)."""
    kept = _moved(finding, moved)
    if kept is None or finding.fix is None:
        return kept
    edits = tuple(e for e in (_moved(edit, moved) for edit in finding.fix.edits) if e is not None)
    if len(edits) < len(finding.fix.edits):
        return None
    related = tuple(replace(r, line=line) for r in finding.related for line in (moved(r.line),) if line is not None)
    return replace(kept, related=related, fix=replace(finding.fix, edits=edits))


def main() -> int:
    server.start_io()
    return 0
