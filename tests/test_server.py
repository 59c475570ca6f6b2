"""``httplint server`` end to end with pytest-lsp: open a document, receive diagnostics, request
and apply a code action, receive diagnostics without the finding; disable-for-this-line and
fix-all actions; the configuration nearest to the document."""

from __future__ import annotations

import sys

import pytest

pytest_lsp = pytest.importorskip("pytest_lsp", reason="the server's tests need pytest-lsp (test extra)")
from lsprotocol import types  # noqa: E402
from pytest_lsp import ClientServerConfig, LanguageClient  # noqa: E402

SOURCE = (
    "import aiohttp\nimport requests\n\n\n"
    "async def close(session: aiohttp.ClientSession):\n"
    "    session.close()\n\n\n"                                   # HTL401, safe fix (await)
    "def fetch(url):\n"
    "    return requests.get(url).text\n"                         # HTL301, unsafe fix (timeout)
)


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[sys.executable, "-m", "httplint", "server"]))
async def client(lsp_client: LanguageClient):
    await lsp_client.initialize_session(types.InitializeParams(capabilities=types.ClientCapabilities()))
    yield
    await lsp_client.shutdown_session()


def _open(client: LanguageClient, uri: str, text: str, version: int = 1) -> None:
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        text_document=types.TextDocumentItem(uri=uri, language_id="python", version=version, text=text)))


def _change(client: LanguageClient, uri: str, text: str, version: int) -> None:
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
        content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)]))


async def _diagnostics(client: LanguageClient, uri: str) -> list[types.Diagnostic]:
    await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    return list(client.diagnostics[uri])


def _apply(action: types.CodeAction, uri: str) -> str:
    [edit] = action.edit.changes[uri]
    assert edit.range.start == types.Position(line=0, character=0)
    return edit.new_text


@pytest.mark.asyncio
async def test_diagnostics_quick_fix_and_new_diagnostics(client: LanguageClient, tmp_path) -> None:
    uri = (tmp_path / "service.py").as_uri()
    _open(client, uri, SOURCE)
    found = await _diagnostics(client, uri)
    assert sorted((d.code, d.range.start.line, d.range.start.character) for d in found) == [
        ("HTL301", 9, 11), ("HTL401", 5, 4)]
    assert all(d.source == "httplint" and d.code_description.href.endswith(d.code.lower() + "-"
               + {"HTL301": "request-without-timeout", "HTL401": "close-not-awaited"}[d.code]) for d in found)
    [htl401] = [d for d in found if d.code == "HTL401"]
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), range=htl401.range,
        context=types.CodeActionContext(diagnostics=[htl401])))
    titles = [a.title for a in actions]
    assert titles[0] == "Await the close (HTL401)" and actions[0].is_preferred
    assert "Disable HTL401 for this line" in titles and "Fix all safe httplint findings" in titles
    fixed = _apply(actions[0], uri)
    assert "    await session.close()\n" in fixed
    _change(client, uri, fixed, 2)
    after = await _diagnostics(client, uri)
    assert [d.code for d in after] == ["HTL301"]
    # the unsafe fix is offered, marked, after the safe ones
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), range=after[0].range,
        context=types.CodeActionContext(diagnostics=after)))
    assert actions[0].title == "Add `timeout=10` (HTL301) (unsafe)" and not actions[0].is_preferred
    disable = next(a for a in actions if a.title == "Disable HTL301 for this line")
    _change(client, uri, _apply(disable, uri), 3)
    assert await _diagnostics(client, uri) == []


@pytest.mark.asyncio
async def test_fix_all_safe_source_action(client: LanguageClient, tmp_path) -> None:
    uri = (tmp_path / "service.py").as_uri()
    _open(client, uri, SOURCE)
    found = await _diagnostics(client, uri)
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), range=found[0].range,
        context=types.CodeActionContext(diagnostics=[], only=["source.fixAll"])))
    [fix_all] = actions
    assert fix_all.kind == "source.fixAll.httplint"
    new = _apply(fix_all, uri)
    assert "await session.close()" in new and "timeout=" not in new  # safe fixes only


@pytest.mark.asyncio
async def test_the_configuration_nearest_to_the_document(client: LanguageClient, tmp_path) -> None:
    (tmp_path / "svc").mkdir()
    (tmp_path / "svc" / "pyproject.toml").write_text('[tool.httplint]\nignore = ["HTL301"]\n')
    uri = (tmp_path / "svc" / "service.py").as_uri()
    _open(client, uri, SOURCE)
    assert [d.code for d in await _diagnostics(client, uri)] == ["HTL401"]
