"""The engine: prefilter, parse once, bad input never raises."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from support import EVERY_FILE

from httplint import engine, prefilter
from httplint.rules import RULES

FIXTURES = Path(__file__).parent / "fixtures"
ALL = [rule() for rule in RULES.values()]


def test_files_without_an_http_library_are_not_parsed(monkeypatch) -> None:
    def fail(*args, **kwargs):
        raise AssertionError("parsed")

    monkeypatch.setattr(ast, "parse", fail)
    assert engine.check_source(b"import os\nprint(os.getcwd())\n", "x.py", ALL) == []


@pytest.mark.parametrize(
    "path", sorted(p for p in FIXTURES.rglob("*.py") if b"import" in p.read_bytes()), ids=lambda p: p.name
)
def test_prefilter_keeps_every_fixture(path: Path) -> None:
    # with the package's own factories and subclasses among the words, as a run uses it
    prefilter = engine.Linter().context(str(path))[1]
    assert prefilter.search(path.read_bytes())


def test_each_file_is_parsed_once(monkeypatch) -> None:
    calls = []
    real = ast.parse

    source = (FIXTURES / "HTL104.py").read_bytes()

    def counting(text, *args, **kwargs):
        calls.append(text == source)  # the prefilter parses import statements alone
        return real(text, *args, **kwargs)

    monkeypatch.setattr(engine.ast, "parse", counting)
    engine.check_source(source, "HTL104.py", ALL)
    calls = [c for c in calls if c]
    assert len(calls) == 1


@pytest.mark.parametrize(
    "source",
    [
        b"import requests\n\x00\n",
        b"import requests\nrequests.get(u)\ndef f(:\n",
        b"# -*- coding: latin-1 -*-\nimport requests\nx = '\xe9'\nrequests.get(x, timeout=5)\n",
        b"\xef\xbb\xbfimport requests\n",
        b"import requests\r\ns = requests.Session()\r\n",
        b"import requests\nrequests.get(u)\n" + b"x = (" * 300 + b"1" + b")" * 300 + b"\n",
        b"",
    ],
)
def test_bad_input_never_raises(source: bytes) -> None:
    result = engine.check_source(source, "x.py", ALL)
    assert all(d.code == "E999" for d in result)


def test_syntax_error_position() -> None:
    [diag] = engine.check_source(b"import requests\nrequests.get(u)\ndef f(:\n", "x.py", ALL)
    assert (diag.line, diag.code) == (3, "E999") and diag.message.startswith("SyntaxError")


def test_default_selection_is_every_rule_outside_the_opinionated_band() -> None:
    assert [r.code for r in engine.select_rules()] == sorted(c for c in RULES if not c.startswith("HTL9"))
    assert [r.code for r in engine.select_rules(["HTL2"])] == ["HTL201", "HTL202"]
    assert [r.code for r in engine.select_rules(None, ["HTL1", "HTL3", "HTL4"])] == ["HTL201", "HTL202"]


@pytest.mark.parametrize(
    ("source", "kept"),
    [
        (b"import requests\n", True),
        (b"from urllib.parse import quote\n", False),
        (b"from urllib.request import urlopen\n", True),
        (b"import urllib.request\n", True),
        (b"from urllib import request\n", True),
        (b"from urllib import parse\n", False),
        (b"import http.client\n", True),
        (b"from http import client\n", True),
        (b"from http import HTTPStatus\n", False),
        (b"import os, http\n", True),
        (b"import urllib\n", True),
        (b"import httpx2 as httpx\n", True),
        (b"from pip._vendor import requests\n", True),
        (b"import http.server\n", False),
        (b"    import aiohttp\n", True),
        (b"try: import requests\nexcept ImportError: pass\n", True),
        (b"\xef\xbb\xbfimport urllib3\n", True),
        (b"x = 'requests are welcome'\n", False),
        (b"from six.moves.urllib.request import urlopen\n", True),
        (b"import urllib.parse\n", False),
    ],
)
def test_import_statements_forms(source: bytes, kept: bool) -> None:
    assert bool(prefilter.import_statements(source)) is kept


@pytest.mark.parametrize(
    ("source", "kept"),
    [
        # a client type, called or not: constructions, annotations, base classes
        (b"import requests\ns = requests.Session()\n", True),
        (b"import httpx\ndef f(c: httpx.Client): ...\n", True),
        (b"import httpx\ndef f(c: 'httpx.AsyncClient'): ...\n", True),
        (b"from aiohttp import ClientSession\n", True),
        (b"from requests.adapters import HTTPAdapter\nclass A(HTTPAdapter): pass\n", True),
        (b"import requests\nrequests.Session.request = f\n", True),
        # other table names only when called
        (b"import httpx\nt: httpx.Timeout = d\n", False),
        (b"import httpx\nt = httpx.Timeout(None)\n", True),
        (b"import httpx\nt = httpx.Timeout (None)\n", True),
        (b"from httpx2 import Timeout, Response\nT = Timeout\n", False),
        (b"from httpx2 import Timeout\nT = Timeout(None)\n", True),
        (b"import requests\nr = requests.get(u)\n", True),
        (b"import requests as r\nx = r.post(u)\n", True),
        (b"import urllib.request\nurllib.request.urlopen(u)\n", True),
        (b"import urllib.request\nurllib.parse.quote(u)\n", False),
        (b"from urllib import request\nrequest.urlopen(u)\n", True),
        (b"from http import client\nclient.HTTPSConnection(h)\n", True),
        (b"from pip._vendor import requests\nrequests.get(u)\n", True),
        (b"from six.moves.urllib.request import urlopen\nurlopen(u)\n", True),
        (b"from botocore.vendored import requests\nrequests.post(u)\n", True),
        (b"from httpx import (\n    Client,\n    Timeout,\n)\n", True),
        (b"from httpx import \\\n    Client\n", True),
        # types and exceptions only: nothing a rule reports
        (b"import requests\n", False),
        (b"import requests\ntry:\n    pass\nexcept requests.RequestException:\n    pass\n", False),
        (b"from aiohttp import web\napp = web.Application()\n", False),
        (b"import httpx\nx = foo.httpx.Client()\n", False),
        # a keyword only one library takes, on a receiver of unknown type
        (b"import requests\nr = self.http.get(u, stream=True)\n", True),
        (b"import urllib3\nr = self.pool.request('GET', u, preload_content=False)\n", True),
        (b"import httpx\nself.client.aclose()\n", True),
        # an OpenAPI-generated client asked for the raw urllib3 response: judged only in files
        # parsed anyway (the generated clients themselves are megabytes of such calls)
        (b"from kubernetes import client\nr = api.read_log(n, _preload_content=False)\n", False),
        # Python 2 spellings
        (b"import httplib\nc = httplib.HTTPConnection(h)\n", True),
        # unsure: kept
        (b"from . import requests\n", True),
        (b"from requests import *\n", True),
        (b'"""Use it like this:\nimport requests\n"""\n', False),
    ],
)
def test_prefilter_references(source: bytes, kept: bool) -> None:
    assert bool(prefilter.PREFILTER.search(source)) is kept


def test_prefilter_keeps_every_file_a_rule_flags() -> None:
    """Every fixture with a finding passes the prefilter (the check without it finds the same)."""
    flagged = 0
    for path in sorted(FIXTURES.rglob("*.py")):
        linter = engine.Linter(select=["ALL"])
        knowledge, filter_, module, is_package = linter.context(str(path))
        source = path.read_bytes()
        found = engine.check_source(source, str(path), linter.rules, knowledge, EVERY_FILE, module, is_package)
        if found:
            flagged += 1
            assert filter_.search(source), path
    assert flagged >= 25  # the fixtures that fire (the rest are silent cases)


def test_parser_warnings_about_the_linted_code_are_not_printed(capfd) -> None:
    source = b'import requests\n\n\ndef f(u):\n    requests.get(u + "\\d")\n'
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a warning would raise here
        found = engine.check_source(source, "x.py", ALL)
    assert [d.code for d in found] == ["HTL301"]
    assert capfd.readouterr().err == ""


ONE_CAUSE = b'''import httpx
import requests


def get_user(user_id):
    session = requests.Session()
    return session.get(f"https://api.example.com/users/{user_id}").json()


def pages(urls):
    for url in urls:
        client = httpx.Client()
        client.get(url)
'''


@pytest.mark.parametrize(
    ("select", "expected"),
    [
        (["ALL"], {(6, "HTL102"), (7, "HTL301"), (12, "HTL101")}),
        (["HTL104", "HTL301"], {(6, "HTL104"), (7, "HTL301"), (12, "HTL104")}),
        (["HTL102", "HTL104"], {(6, "HTL102"), (12, "HTL104")}),
    ],
)
def test_one_cause_one_finding(select, expected) -> None:
    """A client built per request (or per iteration) and never closed is one finding, the
    construction's, when that rule is selected; its leak is reported otherwise; a missing
    timeout on the same request is a separate defect."""
    found = engine.check_source(ONE_CAUSE, "svc.py", engine.select_rules(select))
    assert {(d.line, d.code) for d in found} == expected
    messages = {d.code: d.message for d in found}
    if "HTL102" in messages:
        assert "built for a single request and never closed" in messages["HTL102"]
    if "HTL101" in messages:
        assert "inside a loop and never closed" in messages["HTL101"]


def test_checking_leaves_no_reference_cycles(tmp_path) -> None:
    """A checked module's tree, model and analysis are freed by reference counting: the CLI runs
    with the cyclic collector off (:func:`httplint.runner.collector_off`), so a cycle would keep
    every tree alive. Every fixture, and a package with its project index, through the CLI's path."""
    import argparse
    import gc
    import shutil

    from httplint.cli import main

    shutil.copytree(Path(__file__).parent / "fixtures" / "project", tmp_path / "project")
    for path in sorted((Path(__file__).parent / "fixtures").glob("HTL???.py")):
        shutil.copy(path, tmp_path / path.name)
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        main(["--no-cache", "-j1", "--select", "ALL", "--exit-zero", "-q", str(tmp_path)])
        gc.collect()
        leaked = sorted({type(o).__qualname__ for o in gc.garbage
                         if isinstance(o, ast.AST) or type(o).__module__.startswith("httplint")
                         and not isinstance(o, argparse.Action)})  # the command line's parser, once
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
    assert leaked == []
