"""Fixture-driven rule tests.

``tests/fixtures/HTLnnn.py`` holds realistic code; a line ending in ``# error: HTLnnn``
must get that diagnostic, and every other line must stay silent for the rule. Each
fixture is split into ``# --- library ---`` sections; every library a rule covers
must have a section with a firing line and at least one silent line.
``tests/fixtures/silent/`` must stay silent for every rule.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from httplint.engine import check_source
from httplint.rules import RULES

FIXTURES = Path(__file__).parent / "fixtures"
MARK = re.compile(r"#\s*error:\s*(?P<codes>HTL\d{3}(?:\s*,\s*HTL\d{3})*)")
SECTION = re.compile(r"^# --- (?P<library>[\w.]+) ---$")

#: The libraries each rule covers: its fixture must fire, and stay silent, in each.
COVERS = {
    "HTL101": {"requests", "httpx", "urllib3", "aiohttp"},
    "HTL102": {"requests", "httpx", "urllib3", "aiohttp"},
    "HTL103": {"requests", "httpx", "aiohttp"},
    "HTL104": {"requests", "httpx", "urllib3", "aiohttp", "http.client"},
    "HTL105": {"requests", "httpx", "urllib3", "aiohttp"},
    "HTL201": {"requests", "httpx", "urllib3", "aiohttp", "urllib.request"},
    "HTL202": {"requests", "httpx", "urllib3", "aiohttp"},
    "HTL106": {"requests", "httpx", "urllib3", "aiohttp"},
    "HTL301": {"requests", "urllib3", "urllib.request", "http.client"},
    "HTL302": {"requests", "httpx", "urllib3", "aiohttp"},
    "HTL303": {"requests", "aiohttp"},
    "HTL403": {"aiohttp"},
    "HTL411": {"requests", "httpx", "urllib3", "urllib.request"},
}


def expected(path: Path, code: str) -> set[tuple[int, str]]:
    marks = set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        match = MARK.search(line)
        if match:
            for mark in re.split(r"\s*,\s*", match.group("codes")):
                if mark == code:
                    marks.add((number, mark))
    return marks


@pytest.mark.parametrize("code", sorted(RULES))
def test_rule_fixture(code: str) -> None:
    path = FIXTURES / f"{code}.py"
    found = {(d.line, d.code) for d in check_source(path.read_bytes(), str(path), [RULES[code]()])}
    assert found == expected(path, code)


@pytest.mark.parametrize("code", sorted(COVERS))
def test_fixture_covers_each_library(code: str) -> None:
    path = FIXTURES / f"{code}.py"
    lines = path.read_text(encoding="utf-8").splitlines()
    sections: dict[str, list[str]] = {}
    current = None
    for line in lines:
        match = SECTION.match(line)
        if match:
            current = match.group("library")
            sections[current] = []
        elif current is not None:
            sections[current].append(line)
    for library in COVERS[code]:
        body = sections.get(library)
        assert body, f"{code}.py has no '# --- {library} ---' section"
        assert any(MARK.search(line) for line in body), f"{code}.py: nothing fires for {library}"
        defs = [line for line in body if line.startswith(("def ", "async def ", "class "))]
        firing_defs = 0
        block: list[str] = []
        for line in body + ["def sentinel():"]:
            if line.startswith(("def ", "async def ", "class ")) and block:
                firing_defs += any(MARK.search(b) for b in block)
                block = []
            block.append(line)
        assert len(defs) > firing_defs, f"{code}.py: no silent case for {library}"


@pytest.mark.parametrize("path", sorted((FIXTURES / "silent").glob("*.py")), ids=lambda p: p.name)
def test_silent_fixtures(path: Path) -> None:
    rules = [rule() for rule in RULES.values()]
    found = check_source(path.read_bytes(), str(path), rules)
    assert found == []
