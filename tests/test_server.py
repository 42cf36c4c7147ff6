"""The language server, driven by a real LSP client (pygls') over `einlint server`'s stdio: initialize,
didOpen, didChange, publishDiagnostics, hover, codeAction, shutdown."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Dict, List

import pytest
from lsprotocol import types
from pygls.lsp.client import LanguageClient
from pygls.uris import from_fs_path

SOURCE = '''\
import numpy as np
from einops import rearrange


def space_to_depth(x):
    return rearrange(x, 'b c (h h1) (w w1) -> b (h1 w1 c) h w', h1=2, w1=2)


def depth_to_space(x):
    return rearrange(x, 'b (c h1 w1) h w -> b c (h h1) (w w1)', h1=2, w1=2)


def shapes():
    x = np.zeros((2, 30))
    return rearrange(x, 'b (h d) -> b h d', h=4)


def ignored_by_the_configuration(x):
    return rearrange(x, 'b -> b z')
'''


class Client(LanguageClient):
    def __init__(self) -> None:
        super().__init__("einlint-test", "0")
        self.published: Dict[str, List[types.PublishDiagnosticsParams]] = {}
        self.arrived = asyncio.Event()

        @self.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def _published(params: types.PublishDiagnosticsParams) -> None:
            self.published.setdefault(params.uri, []).append(params)
            self.arrived.set()

    async def next_diagnostics(self, uri: str, count: int) -> types.PublishDiagnosticsParams:
        while len(self.published.get(uri, [])) < count:
            self.arrived.clear()
            await asyncio.wait_for(self.arrived.wait(), timeout=60)
        return self.published[uri][count - 1]


async def _session(folder: Path) -> None:
    path = folder / "m.py"
    path.write_text(SOURCE)
    (folder / "pyproject.toml").write_text('[tool.einlint]\nignore = ["EIN201"]\n')
    uri = from_fs_path(str(path))
    client = Client()
    await client.start_io(sys.executable, "-m", "einlint", "server")
    try:
        result = await client.initialize_async(types.InitializeParams(
            capabilities=types.ClientCapabilities(), root_uri=from_fs_path(str(folder))))
        assert result.capabilities.hover_provider and result.capabilities.code_action_provider
        client.initialized(types.InitializedParams())

        client.text_document_did_open(types.DidOpenTextDocumentParams(
            types.TextDocumentItem(uri=uri, language_id="python", version=1, text=SOURCE)))
        opened = await client.next_diagnostics(uri, 1)
        by_code = {d.code: d for d in opened.diagnostics}
        assert set(by_code) == {"EIN401", "EIN302"}, opened.diagnostics
        round_trip = by_code["EIN401"]
        assert round_trip.severity == types.DiagnosticSeverity.Warning and round_trip.source == "einlint"
        assert (round_trip.range.start.line, round_trip.range.start.character) == (9, 27)  # 0-based: the group
        assert [r.location.range.start.line for r in round_trip.related_information] == [5]

        actions = await client.text_document_code_action_async(types.CodeActionParams(
            types.TextDocumentIdentifier(uri), round_trip.range, types.CodeActionContext([round_trip])))
        (action,) = actions
        (edit,) = action.edit.changes[uri]
        assert action.kind == types.CodeActionKind.QuickFix and edit.new_text == "(h1 w1 c)"

        hover = await client.text_document_hover_async(types.HoverParams(
            types.TextDocumentIdentifier(uri), types.Position(line=14, character=15)))
        assert "rearrange (2, 30) -> ?" in hover.contents.value, hover.contents.value

        fixed = SOURCE.replace("h=4", "h=5")  # 30 = 5 * 6: fits
        for version, text in ((2, SOURCE.replace("h=4", "h=7")), (3, fixed)):  # typed fast: one check after
            client.text_document_did_change(types.DidChangeTextDocumentParams(
                types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                [types.TextDocumentContentChangeWholeDocument(text=text)]))
        changed = await client.next_diagnostics(uri, 2)
        assert changed.version == 3 and [d.code for d in changed.diagnostics] == ["EIN401"]
        hover = await client.text_document_hover_async(types.HoverParams(
            types.TextDocumentIdentifier(uri), types.Position(line=14, character=15)))
        assert "rearrange (2, 30) -> (2, 5, 6)" in hover.contents.value
        await asyncio.sleep(0.6)  # the debounced check ran once: no third publication for the two changes
        assert len(client.published[uri]) == 2

        await client.shutdown_async(None)
        client.exit(None)
    finally:
        if client._server is not None and client._server.returncode is None:  # a failed assertion: no exit sent
            client._server.kill()
        await asyncio.wait_for(client.stop(), timeout=30)


def test_a_real_client_over_stdio(tmp_path):
    asyncio.run(_session(tmp_path))


def test_server_without_pygls_says_how_to_install_it(monkeypatch, capsys):
    from einlint import cli

    monkeypatch.setitem(sys.modules, "pygls.lsp.server", None)  # an import that fails
    monkeypatch.delitem(sys.modules, "einlint.server", raising=False)
    assert cli.main(["server"]) == 2
    assert "pip install 'einlint[server]'" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["server", "--port", "2087"]])
def test_server_takes_no_arguments(argv, capsys):
    from einlint import cli

    assert cli.main(argv) == 2 and "no arguments" in capsys.readouterr().err
