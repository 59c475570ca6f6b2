"""Import aliases, scopes and shadowing resolve to qualified names."""

from __future__ import annotations

import ast

import pytest

from httplint.semantic import SemanticModel


def resolve(source: str, expression: str) -> str | None:
    """Qualified name of the last ``Call``'s callee whose text is ``expression``."""
    tree = ast.parse(source)
    model = SemanticModel(tree)
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and ast.unparse(n.func) == expression]
    assert calls, expression
    return model.qualified_name(calls[-1].func)


@pytest.mark.parametrize(
    ("source", "expression", "expected"),
    [
        ("import requests as r\nr.Session()", "r.Session", "requests.Session"),
        ("from httpx import AsyncClient as C\nC()", "C", "httpx.AsyncClient"),
        ("from urllib3 import PoolManager\nPoolManager()", "PoolManager", "urllib3.PoolManager"),
        ("import aiohttp.client\naiohttp.client.ClientSession()", "aiohttp.client.ClientSession",
         "aiohttp.client.ClientSession"),
        ("import urllib.request\nurllib.request.urlopen(u)", "urllib.request.urlopen", "urllib.request.urlopen"),
        ("from http import client\nclient.HTTPConnection(h)", "client.HTTPConnection", "http.client.HTTPConnection"),
        ("def f():\n    import httpx as h\n    h.Client()", "h.Client", "httpx.Client"),
        ("import requests\ndef f(requests):\n    requests.get(u)", "requests.get", None),
        ("import requests\ndef f():\n    requests = make()\n    requests.get(u)", "requests.get", None),
        ("try:\n    import requests\nexcept ImportError:\n    requests = None\nrequests.get(u)", "requests.get",
         "requests.get"),
        ("from . import requests\nrequests.get(u)", "requests.get", None),
        ("Session()", "Session", None),
        ("import requests\nclass A:\n    requests = 1\n    def m(self):\n        requests.get(u)", "requests.get",
         "requests.get"),
    ],
)
def test_qualified_names(source: str, expression: str, expected: str | None) -> None:
    assert resolve(source, expression) == expected


@pytest.mark.parametrize(
    ("qualified", "expected"),
    [
        ("pip._vendor.requests.Session", "requests.Session"),
        ("botocore.vendored.requests.get", "requests.get"),
        ("pip._vendor.urllib3.PoolManager", "urllib3.PoolManager"),
        ("six.moves.urllib.request.urlopen", "urllib.request.urlopen"),
        ("requests.Session", "requests.Session"),
        ("myvendored.requests", "myvendored.requests"),
    ],
)
def test_canonical_names(qualified: str, expected: str) -> None:
    from httplint.libraries import canonical

    assert canonical(qualified) == expected


def test_calls_of_finds_every_spelling_and_only_imported_ones() -> None:
    """``OwnerTyping.calls_of`` resolves only calls rooted in a name an import binds to one of
    the names (or a module above one), and finds them under any alias."""
    from httplint import libraries as lib
    from httplint.owners import OwnerTyping

    source = (
        "import socket as s\n"
        "from pytest import warns as w\n"
        "import pytest\n"
        "def setdefaulttimeout(x):\n"
        "    pass\n"
        "def f():\n"
        "    s.setdefaulttimeout(5)\n"
        "    setdefaulttimeout(3)\n"
        "    w(UserWarning)\n"
        "    pytest.warns(UserWarning)\n"
        "    pytest.raises(ValueError)\n"
        "def g(s):\n"
        "    s.setdefaulttimeout(1)\n"
    )
    typing = OwnerTyping(SemanticModel(ast.parse(source)), lib.DEFAULT_KNOWLEDGE)

    def lines(names: set[str]) -> list[int]:
        return sorted(call.lineno for call in typing.calls_of(frozenset(names)))

    assert lines({"socket.setdefaulttimeout"}) == [7]  # not the local function, not a parameter `s`
    assert lines({"pytest.warns"}) == [9, 10]
    assert lines({"requests.get"}) == []


def test_only_the_known_list_fields_hold_anything_but_nodes() -> None:
    """``SemanticModel`` filters only :data:`httplint.semantic._MIXED_LISTS`: every other list
    field of the syntax tree holds nodes alone (checked on the standard library's modules and
    on a snippet with each mixed field)."""
    import glob
    import os

    from httplint.semantic import _MIXED_LISTS

    snippet = (
        "def f(*, a, b=1):\n    global g\n    def h():\n        nonlocal a\n    return {**a, 'k': 1}\n"
        "match x:\n    case Point(x=0, y=1):\n        pass\n"
    )
    sources = [snippet.encode()]
    for path in sorted(glob.glob(os.path.join(os.path.dirname(ast.__file__), "*.py")))[:120]:
        with open(path, "rb") as handle:
            sources.append(handle.read())
    seen_mixed = set()
    for source in sources:
        for node in ast.walk(ast.parse(source)):
            for name, value in ast.iter_fields(node):
                if isinstance(value, list) and not all(isinstance(item, ast.AST) for item in value):
                    assert name in _MIXED_LISTS, (type(node).__name__, name)
                    seen_mixed.add(name)
    assert seen_mixed == _MIXED_LISTS
