"""Rule documentation: complete, generated file fresh, examples really fire and fixes really silence."""

from __future__ import annotations

import pytest

from httplint import docs
from httplint.engine import check_source
from httplint.rules import RULES

HEADINGS = ("What it does", "Why is this bad?", "Example", "Use instead", "Fix safety", "References")


def test_rules_md_is_fresh() -> None:
    assert docs.DOCS_PATH.read_text(encoding="utf-8") == docs.render_all(), (
        "docs/rules.md is stale: run `python -m httplint.docs`"
    )


@pytest.mark.parametrize("code", sorted(RULES))
def test_rule_documentation_has_every_section(code: str) -> None:
    rule = RULES[code]
    for heading in HEADINGS:
        assert rule.section(heading), f"{code} lacks '## {heading}'"
    assert rule.code_block("Example") and rule.code_block("Use instead")


@pytest.mark.parametrize("code", sorted(RULES))
def test_example_fires_and_use_instead_is_silent(code: str) -> None:
    rule = RULES[code]
    example = check_source(rule.code_block("Example").encode(), "example.py", [rule()])
    assert [d.code for d in example] == [code]
    every_rule = [r() for r in RULES.values()]
    assert check_source(rule.code_block("Use instead").encode(), "use_instead.py", every_rule) == []


def test_codes_and_names_are_well_formed() -> None:
    names = set()
    for code, rule in RULES.items():
        assert rule.code == code and len(code) == 6 and code.startswith("HTL") and code[3:].isdigit()
        assert rule.name == rule.name.lower() and " " not in rule.name and rule.name not in names
        names.add(rule.name)
