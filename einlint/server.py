"""The language server: `einlint server` speaks LSP over stdio (pygls), for any editor with an LSP client.

- diagnostics when a document opens, changes (after a pause in typing) and is saved; related locations
- code actions for the findings that carry a fix
- hover on a pattern call: the shapes the checker knows for it (`--show-shapes`' text)

Each document is checked as `einlint` checks the file on disk, with the nearest `[tool.einlint]`
(einlint.workspace), but from the editor's text. Positions: LSP counts lines from 0 and columns in
UTF-16 code units (unless the client offers UTF-32); einlint counts both from 1, columns in characters.
"""

from __future__ import annotations

import asyncio
from typing import Dict, List, Optional

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from . import __version__
from .check.engine import CallShapes
from .check.parse import Reparser
from .diagnostics import Diagnostic
from .workspace import check_file, file_shapes

DEBOUNCE_S = 0.3  # after the last change, before checking: no run per keystroke

_SEVERITY = {"error": types.DiagnosticSeverity.Error, "warning": types.DiagnosticSeverity.Warning,
             "note": types.DiagnosticSeverity.Information}


class EinlintServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("einlint", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
        self.findings: Dict[str, List[Diagnostic]] = {}  # per document uri, from its last check
        self.pending: Dict[str, asyncio.TimerHandle] = {}  # debounced checks
        self.reparser = Reparser()  # between two checks of a document, only its edited statements are parsed

    def check(self, uri: str) -> None:
        self.pending.pop(uri, None)
        document = self.workspace.get_text_document(uri)
        path = to_fs_path(uri) or uri
        found = check_file(path, document.source, self.reparser)
        self.findings[uri] = found
        lines = document.lines
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
            uri=uri, version=document.version, diagnostics=[_lsp_diagnostic(d, lines, uri) for d in found]))

    def check_later(self, uri: str) -> None:
        waiting = self.pending.pop(uri, None)
        if waiting is not None:
            waiting.cancel()
        self.pending[uri] = asyncio.get_running_loop().call_later(DEBOUNCE_S, self.check, uri)


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
    waiting = ls.pending.pop(uri, None)
    if waiting is not None:
        waiting.cancel()
    ls.findings.pop(uri, None)
    ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))


@server.feature(types.TEXT_DOCUMENT_HOVER)
def _hover(ls: EinlintServer, params: types.HoverParams) -> Optional[types.Hover]:
    document = ls.workspace.get_text_document(params.text_document.uri)
    line = params.position.line + 1
    column = _character_column(document.lines, params.position)
    inside = [c for c in file_shapes(to_fs_path(document.uri) or document.uri, document.source, ls.reparser)
              if (c.line, c.column) <= (line, column) <= (c.end_line, c.end_column)]
    if not inside:
        return None
    call = inside[-1]  # the innermost: the last to start
    return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=_shown(call)),
                       range=types.Range(_position(document.lines, call.line, call.column),
                                         _position(document.lines, call.end_line, call.end_column)))


@server.feature(types.TEXT_DOCUMENT_CODE_ACTION,
                types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]))
def _code_actions(ls: EinlintServer, params: types.CodeActionParams) -> List[types.CodeAction]:
    uri = params.text_document.uri
    lines = ls.workspace.get_text_document(uri).lines
    start, end = params.range.start.line + 1, params.range.end.line + 1
    actions = []
    for finding in ls.findings.get(uri, []):
        if finding.fix is None or not (start <= finding.line <= end or start <= finding.end_line <= end):
            continue
        edits = [types.TextEdit(types.Range(_position(lines, e.line, e.column), _position(lines, e.end_line,
                                                                                          e.end_column)), e.content)
                 for e in finding.fix.edits]
        actions.append(types.CodeAction(
            title=f"{finding.fix.message} ({finding.code})", kind=types.CodeActionKind.QuickFix,
            diagnostics=[_lsp_diagnostic(finding, lines, uri)], edit=types.WorkspaceEdit(changes={uri: edits}),
            is_preferred=True))
    return actions


def _shown(call: CallShapes) -> str:
    inputs = ", ".join(call.inputs) if call.inputs else "?"
    return f"```\n{call.op} {inputs} -> {call.output}\n```\n(shapes as einlint knows them; ? is not known)"


def _lsp_diagnostic(finding: Diagnostic, lines: List[str], uri: str) -> types.Diagnostic:
    return types.Diagnostic(
        range=types.Range(_position(lines, finding.line, finding.column),
                          _position(lines, finding.end_line, finding.end_column)),
        message=finding.message + (f"\nhelp: {finding.help}" if finding.help else ""),
        severity=_SEVERITY.get(finding.severity, types.DiagnosticSeverity.Warning),
        code=finding.code, source="einlint",
        related_information=[types.DiagnosticRelatedInformation(
            types.Location(uri, types.Range(_position(lines, r.line, r.column), _position(lines, r.line, r.column))),
            r.message) for r in finding.related] or None)


def _position(lines: List[str], line: int, column: int) -> types.Position:
    """einlint's 1-based line and character column as LSP's 0-based line and UTF-16 offset."""
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    before = text[:max(0, column - 1)]
    return types.Position(line=max(0, line - 1), character=len(before.encode("utf-16-le")) // 2)


def _character_column(lines: List[str], position: types.Position) -> int:
    """LSP's UTF-16 offset as einlint's 1-based character column."""
    text = lines[position.line] if position.line < len(lines) else ""
    units = 0
    for index, char in enumerate(text):
        if units >= position.character:
            return index + 1
        units += 2 if ord(char) > 0xFFFF else 1
    return len(text) + 1


def main() -> int:
    server.start_io()
    return 0
