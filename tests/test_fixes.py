"""Fix goldens and the guarantees of every fix.

``tests/fixtures/HTLnnn.fixed.py`` is ``HTLnnn.py`` after ``--fix --unsafe-fixes`` with
that rule selected. Set ``HTTPLINT_UPDATE_GOLDENS=1`` to rewrite them (then read the diff).
For every fixable rule the test checks: the golden matches; the result parses; re-linting
it leaves exactly the findings that had no fix, and nothing new; a second ``--fix`` changes
nothing; every line outside a fix's span is kept byte for byte.
"""

from __future__ import annotations

import ast
import os
from pathlib import Path

import pytest

from support import outside_lines_kept

from httplint.codemod import fix_source
from httplint.engine import check_source
from httplint.rules import RULES

FIXTURES = Path(__file__).parent / "fixtures"
FIXABLE = sorted(code for code, rule in RULES.items() if rule.fixable)
UPDATE = os.environ.get("HTTPLINT_UPDATE_GOLDENS") == "1"


def run_fix(path: Path, code: str, unsafe: bool = True):
    return fix_source(path.read_bytes(), str(path), [RULES[code]()], unsafe)


@pytest.mark.parametrize("code", FIXABLE)
def test_golden(code: str) -> None:
    path = FIXTURES / f"{code}.py"
    golden = FIXTURES / f"{code}.fixed.py"
    result = run_fix(path, code)
    assert result.source is not None, f"no fix applied to {path.name}"
    if UPDATE:
        golden.write_bytes(result.source)
    assert result.source == golden.read_bytes()


@pytest.mark.parametrize("code", FIXABLE)
def test_fix_guarantees(code: str) -> None:
    path = FIXTURES / f"{code}.py"
    rule = RULES[code]()
    before = check_source(path.read_bytes(), str(path), [rule])
    result = run_fix(path, code)
    fixed_source = result.source
    assert fixed_source is not None
    ast.parse(fixed_source)
    after = check_source(fixed_source, str(path), [rule])
    unfixable = [d for d in before if d.fix is None]
    assert sorted(d.message for d in after) == sorted(d.message for d in unfixable)
    assert len(result.fixed) == len(before) - len(unfixable) > 0
    # converged: a second run changes nothing
    assert fix_source(fixed_source, str(path), [rule], True).source is None
    # outside the spans of the applied fixes, every line is kept byte for byte
    spans = [d.fix.lines for d in before if d.fix is not None]
    original = path.read_bytes().splitlines(keepends=True)
    problem = outside_lines_kept(original, fixed_source.splitlines(keepends=True), spans)
    assert problem is None, problem


def test_safe_fixes_only_without_unsafe_flag() -> None:
    path = FIXTURES / "HTL104.py"
    assert run_fix(path, "HTL104", unsafe=False).source is None
    assert run_fix(path, "HTL104", unsafe=True).source is not None


CASES = sorted(p for p in (FIXTURES / "fixes").glob("HTL*.py") if not p.name.endswith(".fixed.py"))


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_fix_case(path: Path) -> None:
    code = path.stem[:6]
    golden = path.with_name(path.stem + ".fixed.py")
    result = run_fix(path, code)
    new = result.source if result.source is not None else path.read_bytes()
    if UPDATE:
        golden.write_bytes(new)
    assert new == golden.read_bytes()
    ast.parse(new)
    assert fix_source(new, str(path), [RULES[code]()], True).source is None
    for diagnostic in check_source(new, str(path), [RULES[code]()]):
        assert "(no automatic fix: " in diagnostic.message, diagnostic


def test_unsure_transforms_say_why() -> None:
    path = FIXTURES / "fixes" / "HTL104_unfixable.py"
    diagnostics = check_source(path.read_bytes(), str(path), [RULES["HTL104"]()])
    reasons = [(d.line, d.message.split("(no automatic fix: ")[1]) for d in diagnostics]
    assert reasons == [
        (9, "its uses span several blocks)"),  # assigned in a handler, used after it
        (15, "`client` is rebound)"),  # on one branch, to a value that is not a client
        (23, "it shares its line with another statement)"),
    ]
    assert run_fix(path, "HTL104").source is None


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("HTL???.py")), ids=lambda p: p.stem)
def test_every_rule_selected_leaves_no_fixable_finding(path: Path) -> None:
    """With every rule selected (``--select ALL``), fixes of different rules share a file and each
    pass re-lints with all of them: a fix that fails to verify must not hold the others back."""
    rules = [rule() for rule in RULES.values()]
    result = fix_source(path.read_bytes(), str(path), rules, True)
    left = [f"{d.line}:{d.code} {d.message}" for d in result.remaining if d.fix is not None]
    assert left == []
