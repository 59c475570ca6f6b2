"""The engine: prefilter, parse once, bad input never raises."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from httplint import engine
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

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(engine.ast, "parse", counting)
    engine.check_source((FIXTURES / "HTL104.py").read_bytes(), "HTL104.py", ALL)
    assert len(calls) == 1


@pytest.mark.parametrize(
    "source",
    [
        b"import requests\n\x00\n",
        b"import requests\ndef f(:\n",
        b"# -*- coding: latin-1 -*-\nimport requests\nx = '\xe9'\n",
        b"\xef\xbb\xbfimport requests\n",
        b"import requests\r\ns = requests.Session()\r\n",
        b"import requests\n" + b"x = (" * 300 + b"1" + b")" * 300 + b"\n",
        b"",
    ],
)
def test_bad_input_never_raises(source: bytes) -> None:
    result = engine.check_source(source, "x.py", ALL)
    assert all(d.code == "E999" for d in result)


def test_syntax_error_position() -> None:
    [diag] = engine.check_source(b"import requests\ndef f(:\n", "x.py", ALL)
    assert (diag.line, diag.code) == (2, "E999") and diag.message.startswith("SyntaxError")


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
def test_prefilter_forms(source: bytes, kept: bool) -> None:
    assert bool(engine.PREFILTER.search(source)) is kept
