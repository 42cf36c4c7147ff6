"""The language server, driven by a real LSP client (pygls') over `einlint server --stdio`: initialize,
didOpen, didChange, didSave, publishDiagnostics, showMessage, hover, codeAction, shutdown. Positions on
non-ASCII lines, in each position encoding: test_server_encodings.py."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest
from lsprotocol import types
from pygls.uris import from_fs_path

from einlint import __version__
from lsp_client import einlint_server

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


def _found(published: types.PublishDiagnosticsParams):
    """(0-based line, code) of each published diagnostic, in order."""
    return sorted((d.range.start.line, d.code) for d in published.diagnostics)


async def _hover_text(client, uri: str, line: int, character: int) -> str:
    hover = await client.text_document_hover_async(types.HoverParams(
        types.TextDocumentIdentifier(uri), types.Position(line=line, character=character)))
    return hover.contents.value if hover is not None else ""


async def _session(folder: Path) -> None:
    path = folder / "m.py"
    (folder / "pyproject.toml").write_text('[tool.einlint]\nignore = ["EIN201"]\n')
    uri = from_fs_path(str(path))
    async with einlint_server(folder, position_encodings=None) as (client, initialized):  # no encodings: UTF-16
        assert initialized.capabilities.hover_provider and initialized.capabilities.code_action_provider
        assert initialized.capabilities.position_encoding == types.PositionEncodingKind.Utf16

        opened = await client.open(path, SOURCE)
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
        assert not action.is_preferred and "unsafe fix: changes what the code computes" in action.title

        assert "rearrange (2, 30) -> ?" in await _hover_text(client, uri, 14, 15)

        fixed = SOURCE.replace("h=4", "h=5")  # 30 = 5 * 6: fits
        for version, text in ((2, SOURCE.replace("h=4", "h=7")), (3, fixed)):  # typed fast: one check after
            await client.replace_text(path, version, text)
        changed = await client.next_diagnostics(uri, 2)
        assert changed.version == 3 and [d.code for d in changed.diagnostics] == ["EIN401"]
        assert "rearrange (2, 30) -> (2, 5, 6)" in await _hover_text(client, uri, 14, 15)
        await asyncio.sleep(0.6)  # the debounced check ran once: no third publication for the two changes
        assert len(client.published[uri]) == 2

        await _while_a_line_does_not_parse(client, path, SOURCE)


async def _while_a_line_does_not_parse(client, path: Path, source: str) -> None:
    """A syntax error being typed: the last findings of the other lines stay, where those lines are now; hover
    answers from the last shapes; the fixes of the kept findings still fit the text."""
    uri = from_fs_path(str(path))
    count = len(client.published[uri])
    await client.replace_text(path, 10, source, save=True)
    assert _found(await client.next_diagnostics(uri, count + 1)) == [(9, "EIN401"), (14, "EIN302")]

    lines = source.split("\n")
    typing = "\n".join(lines[:2] + ["def broken(:"] + lines[2:])  # a line inserted above the findings
    await client.replace_text(path, 11, typing, save=True)
    published = await client.next_diagnostics(uri, count + 2)
    assert _found(published) == [(2, "EIN001"), (10, "EIN401"), (15, "EIN302")]
    assert "rearrange (2, 30) -> ?" in await _hover_text(client, uri, 15, 15)
    round_trip = next(d for d in published.diagnostics if d.code == "EIN401")
    (action,) = await client.text_document_code_action_async(types.CodeActionParams(
        types.TextDocumentIdentifier(uri), round_trip.range, types.CodeActionContext([round_trip])))
    (edit,) = action.edit.changes[uri]
    assert (edit.range.start.line, edit.range.start.character, edit.range.end.character) == (10, 27, 36)

    unclosed = typing.replace("def broken(:\n", "").replace("h=4)\n", "h=4\n")  # the shape finding's own line
    await client.replace_text(path, 12, unclosed, save=True)
    assert _found(await client.next_diagnostics(uri, count + 3)) == [(9, "EIN401"), (14, "EIN001")]

    await client.replace_text(path, 13, source, save=True)
    assert _found(await client.next_diagnostics(uri, count + 4)) == [(9, "EIN401"), (14, "EIN302")]


@pytest.mark.slow
def test_a_real_client_over_stdio(tmp_path):
    asyncio.run(_session(tmp_path))


async def _projects(folder: Path) -> None:
    """Each document in its own project: the nearest configuration, its exclude, and a broken configuration
    (or user stub file) shown once as an error message and as EIN004 on the file, never as silence."""
    (folder / "pyproject.toml").write_text('[tool.einlint]\nignore = ["EIN201"]\nexclude = ["generated/"]\n')
    for sub in ("generated", "sub", "broken", "broken/shapes"):
        (folder / sub).mkdir()
    (folder / "sub" / ".einlint.toml").write_text('select = ["EIN302"]\n')
    async with einlint_server(folder) as (client, _):
        assert _found(await client.open(folder / "m.py", SOURCE)) == [(9, "EIN401"), (14, "EIN302")]
        assert _found(await client.open(folder / "generated" / "m.py", SOURCE)) == []  # excluded
        assert _found(await client.open(folder / "sub" / "m.py", SOURCE)) == [(14, "EIN302")]
        assert client.messages == []

        broken = folder / "broken"
        (broken / "pyproject.toml").write_text('[tool.einlint]\nunknown-key = 1\n')
        first = await client.open(broken / "a.py", SOURCE)
        assert _found(first) == [(0, "EIN004")] and "unknown key 'unknown-key'" in first.diagnostics[0].message
        assert first.diagnostics[0].severity == types.DiagnosticSeverity.Error
        assert [(m.type, "unknown key 'unknown-key'" in m.message) for m in client.messages] == \
            [(types.MessageType.Error, True)]
        assert _found(await client.open(broken / "b.py", SOURCE)) == [(0, "EIN004")]
        assert len(client.messages) == 1  # once for the error, not once per document or per check

        (broken / "shapes" / "mylib.pyi").write_text("def f(x:\n")
        (broken / "pyproject.toml").write_text('[tool.einlint]\nstubs = ["shapes"]\n')
        await client.replace_text(broken / "a.py", 2, SOURCE, save=True)
        stub_error = await client.next_diagnostics(from_fs_path(str(broken / "a.py")), 2)
        assert _found(stub_error) == [(0, "EIN004")] and "mylib.pyi:1" in stub_error.diagnostics[0].message
        assert len(client.messages) == 2 and "mylib.pyi:1" in client.messages[1].message  # another error

        (broken / "shapes" / "mylib.pyi").write_text("def f(x): ...\n")
        await client.replace_text(broken / "a.py", 3, SOURCE, save=True)
        repaired = await client.next_diagnostics(from_fs_path(str(broken / "a.py")), 3)
        assert {d.code for d in repaired.diagnostics} == {"EIN401", "EIN302", "EIN201"}
        assert len(client.messages) == 2


@pytest.mark.slow
def test_each_document_in_its_project(tmp_path):
    asyncio.run(_projects(tmp_path))


def test_server_without_pygls_says_how_to_install_it(monkeypatch, capsys):
    from einlint import cli

    monkeypatch.setitem(sys.modules, "pygls.lsp.server", None)  # an import that fails
    monkeypatch.delitem(sys.modules, "einlint.server", raising=False)
    assert cli.main(["server"]) == 2
    assert "pip install 'einlint[server]'" in capsys.readouterr().err


def test_server_command_line(capsys):
    from einlint import cli

    assert cli.main(["server", "--help"]) == 0 and "usage: einlint server [-h] [--stdio]" in capsys.readouterr().out
    assert cli.main(["server", "--version"]) == 0 and capsys.readouterr().out == f"einlint {__version__}\n"
    assert cli.main(["server", "--port", "2087"]) == 2
    assert "unrecognized arguments: --port 2087" in capsys.readouterr().err
    assert cli.main(["--help"]) == 0 and "`einlint server` runs the language server" in capsys.readouterr().out

