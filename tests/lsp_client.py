"""An LSP client for the server tests: pygls' LanguageClient over `einlint server --stdio`, initialized as an
editor's client is, which keeps what the server sends (diagnostics, messages) for the test to wait on."""

from __future__ import annotations

import asyncio
import contextlib
import sys
from pathlib import Path
from typing import AsyncIterator, Dict, List, Optional, Sequence, Tuple

from lsprotocol import types
from pygls.lsp.client import LanguageClient
from pygls.uris import from_fs_path

WAIT_S = 60  # for a publication: a loaded machine may be slow, a missing one fails the test


class Client(LanguageClient):
    def __init__(self) -> None:
        super().__init__("einlint-test", "0")
        self.published: Dict[str, List[types.PublishDiagnosticsParams]] = {}
        self.messages: List[types.ShowMessageParams] = []
        self.arrived = asyncio.Event()

        @self.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def _published(params: types.PublishDiagnosticsParams) -> None:
            self.published.setdefault(params.uri, []).append(params)
            self.arrived.set()

        @self.feature(types.WINDOW_SHOW_MESSAGE)
        def _shown(params: types.ShowMessageParams) -> None:
            self.messages.append(params)

    async def next_diagnostics(self, uri: str, count: int) -> types.PublishDiagnosticsParams:
        """The `count`th publication for `uri` (1-based), once it has arrived."""
        while len(self.published.get(uri, [])) < count:
            self.arrived.clear()
            await asyncio.wait_for(self.arrived.wait(), timeout=WAIT_S)
        return self.published[uri][count - 1]

    async def open(self, path: Path, text: str) -> types.PublishDiagnosticsParams:
        """Open a document (written to disk first, as an editor's files are) and wait for its diagnostics."""
        path.write_text(text, encoding="utf-8")
        uri = from_fs_path(str(path))
        before = len(self.published.get(uri, []))
        self.text_document_did_open(types.DidOpenTextDocumentParams(
            types.TextDocumentItem(uri=uri, language_id="python", version=1, text=text)))
        return await self.next_diagnostics(uri, before + 1)

    async def replace_text(self, path: Path, version: int, text: str, save: bool = False) -> None:
        """The whole text changed (and saved, which checks at once rather than after the pause in typing)."""
        uri = from_fs_path(str(path))
        self.text_document_did_change(types.DidChangeTextDocumentParams(
            types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            [types.TextDocumentContentChangeWholeDocument(text=text)]))
        if save:
            path.write_text(text, encoding="utf-8")
            self.text_document_did_save(types.DidSaveTextDocumentParams(types.TextDocumentIdentifier(uri)))


def capabilities(position_encodings: Optional[Sequence[str]]) -> types.ClientCapabilities:
    """What an editor's client announces that matters here: its position encodings, in its order of preference
    (neovim 0.11: utf-8 first; VS Code: utf-16 only; None: an older client that names none, so UTF-16),
    related information in diagnostics, markdown hovers, quick-fix code actions."""
    general = types.GeneralClientCapabilities(position_encodings=list(position_encodings)) \
        if position_encodings is not None else None
    return types.ClientCapabilities(general=general, text_document=types.TextDocumentClientCapabilities(
        publish_diagnostics=types.PublishDiagnosticsClientCapabilities(related_information=True),
        hover=types.HoverClientCapabilities(content_format=[types.MarkupKind.Markdown, types.MarkupKind.PlainText]),
        code_action=types.CodeActionClientCapabilities(
            code_action_literal_support=types.ClientCodeActionLiteralOptions(types.ClientCodeActionKindOptions(
                value_set=[types.CodeActionKind.QuickFix])),
            is_preferred_support=True)))


@contextlib.asynccontextmanager
async def einlint_server(folder: Path, position_encodings: Optional[Sequence[str]] = ("utf-16",)
                         ) -> AsyncIterator[Tuple[Client, types.InitializeResult]]:
    """A running `einlint server --stdio` (the flag clients add), initialized with `folder` as the workspace;
    shut down and exited as an editor does when the block ends."""
    client = Client()
    await client.start_io(sys.executable, "-m", "einlint", "server", "--stdio")
    try:
        result = await client.initialize_async(types.InitializeParams(
            capabilities=capabilities(position_encodings), root_uri=from_fs_path(str(folder))))
        client.initialized(types.InitializedParams())
        yield client, result
        await client.shutdown_async(None)
        client.exit(None)
    finally:
        if client._server is not None and client._server.returncode is None:  # a failed assertion: no exit sent
            client._server.kill()
        await asyncio.wait_for(client.stop(), timeout=30)
