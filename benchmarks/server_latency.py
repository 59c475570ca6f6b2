"""Language-server latency: start-up, and diagnostics after open and after a change, on a
generated 1,000-line module (100 functions using requests, httpx and aiohttp).

    python benchmarks/server_latency.py [--runs 5]

Prints the median of each measure in milliseconds: ``startup`` (process start to the
``initialize`` answer), ``open`` (didOpen to publishDiagnostics on a fresh server), ``change``
(didChange to publishDiagnostics on the warm server). Needs ``pip install -e '.[test]'``
(pygls and pytest-lsp's client). The goal for ``change`` is under 200 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

from lsprotocol import types
from pytest_lsp import make_test_lsp_client

TEMPLATE = '''

def fetch_{n}(url, session=None):
    """Fetch item {n}."""
    client = httpx.Client(timeout=10)
    response = client.get(url)
    data = requests.get(url + "/{n}").json()
    if session is None:
        session = requests.Session()
    return response.json(), data, session.get(url, timeout=5).status_code
'''


def module(lines: int = 1000) -> str:
    text = "import aiohttp\nimport httpx\nimport requests\n"
    n = 0
    while text.count("\n") < lines:
        text += TEMPLATE.format(n=n)
        n += 1
    return text


async def one_run(text: str, folder: Path) -> dict[str, float]:
    client = make_test_lsp_client()
    started = time.perf_counter()
    await client.start_io(sys.executable, "-m", "httplint", "server")
    await client.initialize_session(types.InitializeParams(capabilities=types.ClientCapabilities()))
    startup = time.perf_counter() - started
    uri = (folder / "big.py").as_uri()
    started = time.perf_counter()
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        text_document=types.TextDocumentItem(uri=uri, language_id="python", version=1, text=text)))
    await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    opened = time.perf_counter() - started
    changes = []
    for version in range(2, 7):
        edited = text.replace("/0\"", f"/0?v={version}\"")
        started = time.perf_counter()
        client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=edited)]))
        await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        changes.append(time.perf_counter() - started)
    findings = len(client.diagnostics[uri])
    await client.shutdown_session()
    return {"startup": startup, "open": opened, "change": statistics.median(changes), "findings": findings}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    text = module()
    results = []
    with tempfile.TemporaryDirectory() as folder:
        for _ in range(args.runs):
            results.append(asyncio.run(one_run(text, Path(folder))))
    lines = text.count("\n")
    print(f"{lines} lines, {results[0]['findings']} findings, {args.runs} runs (median ms)")
    for key in ("startup", "open", "change"):
        print(f"{key:8} {statistics.median(r[key] for r in results) * 1000:7.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
