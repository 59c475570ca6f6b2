"""Fuzzing: no generated program crashes the engine, and fixes keep their guarantees.

- hypothesmith writes programs from CPython's grammar (match, walrus, PEP 695, async
  comprehensions, decorators, f-strings …): the engine, every rule on, prefilter off, must
  return findings or one ``E999``, never raise; so must ``--fix --unsafe-fixes`` on them
  with the HTTP libraries imported, and what it writes must parse.
- A strategy of HTTP code (clients, responses, loops, ``with``, ``try``/``finally``, comments,
  tabs, CRLF) drives every fix: the result parses, a second run changes nothing, every comment
  survives, and every line outside an applied fix's span is kept byte for byte.

CI runs a short, derandomised pass (``HTTPLINT_FUZZ_EXAMPLES``, default 30 a test); for a
long local run: ``HTTPLINT_FUZZ_EXAMPLES=2000 pytest tests/test_fuzz.py``.
"""

from __future__ import annotations

import os
import re
import sys

import hypothesmith
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from support import EVERY_FILE, outside_lines_kept

from httplint.codemod import fix_source
from httplint.engine import check_source, select_rules
from httplint.semantic import parse  # ast.parse without the parser's warnings about generated code
from httplint.rules import RULES

#: hypothesmith compiles what it generates (file "<string>"): CPython warns about code like `1()`.
pytestmark = pytest.mark.filterwarnings("ignore::SyntaxWarning")
EXAMPLES = int(os.environ.get("HTTPLINT_FUZZ_EXAMPLES", "30"))
FUZZ = settings(
    max_examples=EXAMPLES, deadline=None, derandomize=EXAMPLES <= 100, database=None,
    suppress_health_check=list(HealthCheck),
)
ALL = select_rules(["ALL"])
FIXABLE = sorted(code for code, rule in RULES.items() if rule.fixable)
HEADER = "import requests, httpx, urllib3, aiohttp, asyncio, contextlib\nimport urllib.request\n"


def _no_crash(source: str) -> None:
    data = source.encode("utf-8", "surrogatepass")
    for found in (check_source(data, "fuzz.py", ALL, prefilter=EVERY_FILE),
                  check_source(data, "fuzz.py", ALL, prefilter=EVERY_FILE, module="pkg.fuzz")):
        assert all(d.code == "E999" or d.code in RULES for d in found), found


@FUZZ
@given(hypothesmith.from_grammar())
def test_engine_never_raises_on_grammar_programs(source: str) -> None:
    _no_crash(source)


@FUZZ
@given(hypothesmith.from_node())
def test_engine_never_raises_on_libcst_programs(source: str) -> None:
    _no_crash(source)


@FUZZ
@given(hypothesmith.from_grammar())
def test_fix_on_grammar_programs_writes_code_that_parses(source: str) -> None:
    data = (HEADER + source).encode("utf-8", "surrogatepass")
    try:
        parse(data)
    except (SyntaxError, ValueError):
        return  # the header made it invalid (a `from __future__` that must come first)
    result = fix_source(data, "fuzz.py", ALL, True, prefilter=EVERY_FILE)
    if result.source is not None:
        parse(result.source)


# -- HTTP code --------------------------------------------------------------------------------

SYNC_CLIENTS = ["requests.Session()", "httpx.Client()", "urllib3.PoolManager()", "requests.session()"]
ASYNC_CLIENTS = ["aiohttp.ClientSession()", "httpx.AsyncClient()"]
COMMENTS = ["# keep me", "# TODO: retry", "# noqa: E501", "#: doc comment", "# ünïcödé"]


@st.composite
def statement(draw, name: str, is_async: bool) -> list[str]:
    """A few lines using client ``name`` (indentation added by the caller)."""
    aw = "await " if is_async else ""
    kind = draw(st.sampled_from(["get", "stream", "loop", "helper_loop", "close", "try", "with_response",
                                 "urlopen", "comment", "if", "return"]))
    if kind == "get":
        return [f"r = {aw}{name}.get(url)", "print(r.status_code)"]
    if kind == "stream":
        return [f"r = {name}.get(url, stream=True, timeout=5)" if not is_async else f"r = await {name}.get(url)",
                "data = r.headers"]
    if kind == "loop":
        return ["for u in urls:", f"    {aw}{name}.post(u, json={{}})"]
    if kind == "helper_loop":
        return ["for u in urls:", "    requests.get(u)  # one call per url", "    print(u)"]
    if kind == "close":
        return [f"{aw}{name}.close()" if not is_async else f"await {name}.close()"]
    if kind == "try":
        return ["try:", f"    {aw}{name}.get(url)", "finally:", f"    {aw}{name}.close()"]
    if kind == "with_response":
        return [f"resp = {aw}{name}.get(url)", "if resp.status_code != 200:", "    return None", "resp.close()"]
    if kind == "urlopen":
        return ["page = urllib.request.urlopen(url)", "body = page.read()"]
    if kind == "if":
        return ["if url:", f"    {aw}{name}.get(url)", "else:", "    pass"]
    if kind == "return":
        return [f"return {name}"]
    return [draw(st.sampled_from(COMMENTS))]


@st.composite
def function(draw, index: int) -> list[str]:
    is_async = draw(st.booleans())
    client = draw(st.sampled_from(ASYNC_CLIENTS if is_async else SYNC_CLIENTS))
    name = draw(st.sampled_from(["session", "client", "http", "s"]))
    lines = []
    if draw(st.booleans()):
        lines.append("@contextlib.contextmanager" if not is_async and draw(st.booleans()) else "@staticmethod")
    lines.append(f"{'async ' if is_async else ''}def handler_{index}(urls, url):")
    body = [f"{name} = {client}"] + (["# created above"] if draw(st.booleans()) else [])
    for _ in range(draw(st.integers(1, 4))):
        body.extend(draw(statement(name, is_async)))
    if draw(st.booleans()):
        body = ["for attempt in range(3):", *("    " + line for line in body)]
    lines.extend("    " + line for line in body)
    return lines


@st.composite
def http_module(draw) -> bytes:
    lines = [HEADER.rstrip("\n"), ""]
    for index in range(draw(st.integers(1, 3))):
        lines.extend(["", *draw(function(index))])
        if draw(st.booleans()):
            lines.append(draw(st.sampled_from(COMMENTS)))
    text = "\n".join(lines) + "\n"
    if draw(st.booleans()):
        text = text.replace("    ", "\t")
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    return text.replace("\n", newline).encode()


def _comments(data: bytes) -> list[bytes]:
    return [m.group(0).rstrip() for m in re.finditer(rb"#[^\r\n]*", data)]


@FUZZ
@given(http_module())
def test_fixes_on_http_code_keep_every_guarantee(data: bytes) -> None:
    try:
        parse(data)
    except SyntaxError:
        return  # a decorator on a non-function line, a `return` outside its function …
    result = fix_source(data, "gen.py", ALL, True)
    if result.source is None:
        return
    parse(result.source)
    assert fix_source(result.source, "gen.py", ALL, True).source is None, "a second --fix changed something"
    kept = _comments(result.source)
    for comment in _comments(data):
        assert comment in kept, f"comment lost: {comment!r}"


@FUZZ
@given(http_module(), st.sampled_from(FIXABLE))
@example(  # found by a long run: repeated lines once made difflib's pairing report a change
    b"import requests\n\n\ndef handler_0(urls, url):\n    session = requests.Session()\n    r = session.get(url)\n"
    b"    print(r.status_code)\n    r = session.get(url)\n    print(r.status_code)\n",
    "HTL104",
)
def test_one_rule_fix_changes_only_its_spans(data: bytes, code: str) -> None:
    try:
        parse(data)
    except SyntaxError:
        return
    rule = RULES[code]()
    before = check_source(data, "gen.py", [rule])
    result = fix_source(data, "gen.py", [rule], True)
    if result.source is None:
        return
    parse(result.source)
    spans = [d.fix.lines for d in before if d.fix is not None]
    original, new = data.splitlines(keepends=True), result.source.splitlines(keepends=True)
    problem = outside_lines_kept(original, new, spans)
    assert problem is None, (code, problem)


@pytest.mark.parametrize("newline", [b"\n", b"\r\n"])
def test_strategy_produces_fixable_code(newline: bytes) -> None:
    """The HTTP strategy is not vacuous: a typical draw has fixes to apply."""
    sample = (b"import requests\n\n\ndef f(urls):\n    s = requests.Session()\n    for u in urls:\n"
              b"        s.get(u)  # keep me\n").replace(b"\n", newline)
    result = fix_source(sample, "gen.py", ALL, True)
    assert result.source is not None and b"# keep me" in result.source


def test_oracle_detects_changes_outside_spans() -> None:
    original = [b"a\n", b"b\n", b"p\n", b"c\n", b"p\n"]
    assert outside_lines_kept(original, [b"a\n", b"  b\n", b"  p\n", b"  c\n", b"p\n"], [(2, 4)]) is None
    assert outside_lines_kept(original, [b"import os\n", *original], []) is None  # an import a fix adds
    assert outside_lines_kept(original, [b"a\n", b"X\n"], [(2, 4)]) is not None  # the last line lost
    assert outside_lines_kept(original, [b"a\n", b"b\n", b"p\n", b"c\n", b"q\n"], [(2, 4)]) is not None
    assert outside_lines_kept(original, [b"z\n", *original[1:]], [(2, 4)]) is not None


# -- every syntax of the supported versions, around HTTP code ----------------------------------

MODERN = {
    "match": "def f(cmd, url):\n    match cmd:\n        case {'get': str(u)} if u:\n            return requests.get(u)\n"
             "        case [first, *rest]:\n            s = requests.Session()\n            return s.get(first)\n"
             "        case _:\n            pass\n",
    "walrus": "def f(urls):\n    if (s := requests.Session()) is not None:\n        for u in urls:\n"
              "            if (r := s.get(u, timeout=5)).ok:\n                print(r)\n",
    "pep695": "type Fetcher = Callable[[str], requests.Response]\n\n\ndef f[T: str](url: T) -> None:\n"
              "    client = httpx.Client()\n    client.get(url)\n\n\nclass Box[T]:\n"
              "    def get(self, url: T):\n        return requests.get(url)\n",
    "async comprehensions": "async def f(urls):\n    session = aiohttp.ClientSession()\n"
                            "    pages = [await session.get(u) async for u in agen(urls)]\n"
                            "    return {u: await (await session.get(u)).text() for u in urls}\n",
    "decorators": "@functools.cache\n@(lambda f: f)\ndef f(url):\n    s = requests.Session()\n    return s.get(url)\n",
    "f-strings": "def f(base, i):\n    s = requests.Session()\n    s.get(f\"{base}/{i!r:>{10}}/{'x' if i else f'{i}'}\")\n",
    "nested f-strings 3.12": "def f(base):\n    s = requests.Session()\n    s.get(f\"{f\"{f\"{base}\"}\"}\")\n",
    "except star": "def f(url):\n    s = requests.Session()\n    try:\n        s.get(url)\n    except* ValueError:\n        pass\n",
    "positional only": "def f(url, /, *, retries=3, **kw):\n    return requests.get(url)\n",
    "global nonlocal": "S = None\n\n\ndef f(url):\n    global S\n    S = requests.Session()\n    def g():\n        nonlocal url\n"
                       "        return S.get(url)\n    return g()\n",
}


@pytest.mark.parametrize("name", sorted(MODERN))
def test_every_syntax_around_http_code(name: str) -> None:
    source = (HEADER + "import functools\nfrom typing import Callable\n\n\n" + MODERN[name]).encode()
    try:
        parse(source)
    except SyntaxError:
        pytest.skip(f"{name}: not valid on Python {sys.version_info[:2]}")
    found = check_source(source, "modern.py", ALL)
    assert all(d.code in RULES for d in found), found
    assert found, f"{name}: the HTTP code inside is still analysed"
    result = fix_source(source, "modern.py", ALL, True)
    if result.source is not None:
        parse(result.source)
        assert fix_source(result.source, "modern.py", ALL, True).source is None
