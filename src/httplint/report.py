"""Output formats: ``text``, ``json``, ``sarif`` (2.1.0) and ``github`` (workflow annotations),
and ``--statistics``.

``text`` is ``path:line:col: CODE [*] message`` then a summary; it is coloured (with
``rich``) only when writing to a terminal and ``NO_COLOR`` is unset.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import dataclass
from typing import TextIO

from . import REPOSITORY, __version__
from .fix import Applicability
from .rule import Diagnostic
from .rules import RULES

#: Where each rule's documentation lives; SARIF and the docs link rules here.
DOCS_URL = f"{REPOSITORY}/blob/main/docs/rules.md"


@dataclass
class Summary:
    """What the summary line reports.

    Attributes:
        fixed: findings removed by ``--fix``.
        unsafe_fixes: whether unsafe fixes are enabled (they then count as fixable).
        fixing: the run applied fixes (``--fix``), so nothing more is "fixable with --fix".
        color: colour the text output.
    """

    fixed: int = 0
    unsafe_fixes: bool = False
    fixing: bool = False
    color: bool = False


def fixable(diagnostic: Diagnostic, unsafe_fixes: bool) -> bool:
    fix = diagnostic.fix
    return fix is not None and (unsafe_fixes or fix.applicability is Applicability.SAFE)


def use_color(stream: TextIO) -> bool:
    """Colour when ``stream`` is a terminal and ``NO_COLOR`` is not set (https://no-color.org)."""
    return not os.environ.get("NO_COLOR") and hasattr(stream, "isatty") and stream.isatty()


def rule_url(code: str) -> str:
    rule = RULES.get(code)
    return f"{DOCS_URL}#{code.lower()}-{rule.name}" if rule else DOCS_URL


def write_text(diagnostics: list[Diagnostic], out: TextIO, summary: Summary | None = None) -> None:
    summary = summary or Summary()
    lines = []
    for d in diagnostics:
        mark = "[*] " if fixable(d, summary.unsafe_fixes) else ""
        lines.append((f"{d.path}:{d.line}:{d.column + 1}:", d.code, mark, d.message))
    if summary.color:
        from rich.console import Console
        from rich.text import Text

        console = Console(file=out, highlight=False, soft_wrap=True, force_terminal=True)
        for location, code, mark, message in lines:
            console.print(
                Text.assemble((location, "bold"), " ", (code, "bold red"), " ", (mark, "cyan"), message)
            )
    else:
        for location, code, mark, message in lines:
            out.write(f"{location} {code} {mark}{message}\n")
    _write_summary(diagnostics, out, summary)


def _write_summary(diagnostics: list[Diagnostic], out: TextIO, summary: Summary) -> None:
    count = len(diagnostics)
    if summary.fixed:
        total = count + summary.fixed
        out.write(f"Found {total} error{'s' if total != 1 else ''} ({summary.fixed} fixed, {count} remaining).\n")
    elif count:
        out.write(f"Found {count} error{'s' if count != 1 else ''}.\n")
    else:
        out.write("All checks passed!\n")
    if summary.fixing:
        return
    safe = sum(fixable(d, summary.unsafe_fixes) for d in diagnostics)
    hidden = sum(d.fix is not None for d in diagnostics) - safe
    if safe:
        option = "`--fix --unsafe-fixes`" if summary.unsafe_fixes else "`--fix`"
        out.write(f"[*] {safe} fixable with the {option} option")
        out.write(f" ({hidden} hidden fixes can be enabled with the `--unsafe-fixes` option).\n" if hidden else ".\n")
    elif hidden:
        out.write(f"No fixes available ({hidden} hidden fixes can be enabled with the `--unsafe-fixes` option).\n")


def write_statistics(diagnostics: list[Diagnostic], out: TextIO, summary: Summary | None = None) -> None:
    """One line a code, most frequent first: count, code, ``[*]`` when all are fixable, name."""
    summary = summary or Summary()
    counts = Counter(d.code for d in diagnostics)
    width = max((len(str(n)) for n in counts.values()), default=1)
    for code, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        group = [d for d in diagnostics if d.code == code]
        mark = "[*]" if all(fixable(d, summary.unsafe_fixes) for d in group) else "[ ]"
        name = group[0].name
        out.write(f"{count:>{width}}\t{code}\t{mark} {name}\n")
    _write_summary(diagnostics, out, summary)


def write_json(diagnostics: list[Diagnostic], out: TextIO, summary: Summary | None = None) -> None:
    """An array of objects: ``path``, ``line`` (1-based), ``column`` (1-based), ``code``, ``name``,
    ``message``, ``url`` and ``fix`` (``{"title", "applicability"}`` or ``null``)."""
    records = [
        {
            "path": d.path,
            "line": d.line,
            "column": d.column + 1,
            "code": d.code,
            "name": d.name,
            "message": d.message,
            "url": rule_url(d.code) if d.code in RULES else None,
            "fix": {"title": d.fix.title, "applicability": d.fix.applicability.value} if d.fix else None,
        }
        for d in diagnostics
    ]
    json.dump(records, out, indent=2)
    out.write("\n")


def write_sarif(diagnostics: list[Diagnostic], out: TextIO, summary: Summary | None = None) -> None:
    """A SARIF 2.1.0 log with one run: every rule (with its documentation link) and every finding.

    Files that could not be read or parsed (``E902``, ``E999``) are results of level
    ``error`` without a rule. Source: the OASIS SARIF 2.1.0 specification and GitHub code
    scanning's SARIF support.
    """
    codes = list(RULES)
    rules = []
    for code, rule in RULES.items():
        rules.append(
            {
                "id": code,
                "name": rule.name,
                "shortDescription": {"text": rule.summary},
                "fullDescription": {"text": rule.section("What it does")},
                "help": {"text": rule.section("Why is this bad?"), "markdown": rule.documentation()},
                "helpUri": rule_url(code),
                "defaultConfiguration": {"level": "warning"},
            }
        )
    results = []
    for d in diagnostics:
        result: dict = {
            "ruleId": d.code,
            "level": "warning" if d.code in RULES else "error",
            "message": {"text": d.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": _uri(d.path)},
                        "region": {"startLine": d.line, "startColumn": d.column + 1},
                    }
                }
            ],
        }
        if d.code in RULES:
            result["ruleIndex"] = codes.index(d.code)
        results.append(result)
    log = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "httplint",
                        "version": __version__,
                        "informationUri": DOCS_URL,
                        "rules": rules,
                    }
                },
                "results": results,
            }
        ],
    }
    json.dump(log, out, indent=2)
    out.write("\n")


def _uri(path: str) -> str:
    """A relative URI reference for a path (GitHub resolves it against the repository root)."""
    from urllib.parse import quote

    normalized = os.path.normpath(path).replace(os.sep, "/")
    if normalized.startswith("./"):
        normalized = normalized[2:]
    return quote(normalized)


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def write_github(diagnostics: list[Diagnostic], out: TextIO, summary: Summary | None = None) -> None:
    """GitHub Actions workflow commands: one ``::error`` (``::warning`` for rules) a finding."""
    for d in diagnostics:
        level = "warning" if d.code in RULES else "error"
        properties = ",".join(
            f"{key}={_escape_property(str(value))}"
            for key, value in (
                ("title", f"httplint ({d.code})"),
                ("file", d.path),
                ("line", d.line),
                ("col", d.column + 1),
            )
        )
        out.write(f"::{level} {properties}::{_escape_data(f'{d.code} {d.message}')}\n")


FORMATS = {"text": write_text, "json": write_json, "sarif": write_sarif, "github": write_github}
