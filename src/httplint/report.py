"""Output formats: ``text``, ``json``, ``sarif`` (2.1.0), ``github`` (workflow annotations),
``gitlab`` (Code Quality report), ``junit`` (JUnit XML), and ``--statistics`` (text or JSON).

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
from .rule import Applicability, Diagnostic

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
        quiet: print the findings and nothing else (``-q``).
    """

    fixed: int = 0
    unsafe_fixes: bool = False
    fixing: bool = False
    color: bool = False
    quiet: bool = False


def plural(count: int, word: str) -> str:
    """``1 error``, ``2 errors``, ``1 fix``, ``3 fixes``."""
    if count == 1:
        return f"{count} {word}"
    return f"{count} {word}es" if word.endswith(("x", "s", "sh", "ch")) else f"{count} {word}s"


def fixable(diagnostic: Diagnostic, unsafe_fixes: bool) -> bool:
    fix = diagnostic.fix
    return fix is not None and (unsafe_fixes or fix.applicability is Applicability.SAFE)


def use_color(stream: TextIO) -> bool:
    """Colour when ``stream`` is a terminal and ``NO_COLOR`` is not set (https://no-color.org)."""
    return not os.environ.get("NO_COLOR") and hasattr(stream, "isatty") and stream.isatty()


def _rules() -> dict:
    """The rule registry (imported when a report needs a rule's name or URL: the text report of
    a run answered from the cache does not)."""
    from .rules import RULES

    return RULES


def rule_url(code: str) -> str:
    rule = _rules().get(code)
    return f"{DOCS_URL}#{code.lower()}-{rule.name}" if rule else DOCS_URL


def write_text(diagnostics: list[Diagnostic], out: TextIO, summary: Summary | None = None) -> None:
    summary = summary or Summary()
    lines = []
    for d in diagnostics:
        mark = "[*] " if fixable(d, summary.unsafe_fixes) else ""
        cell = f"cell {d.cell}:" if d.cell is not None else ""
        lines.append((f"{d.path}:{cell}{d.line}:{d.column + 1}:", d.code, mark, d.message))
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
    if summary.quiet:
        return
    count = len(diagnostics)
    if summary.fixed:
        total = count + summary.fixed
        out.write(f"Found {plural(total, 'error')} ({summary.fixed} fixed, {count} remaining).\n")
    elif count:
        out.write(f"Found {plural(count, 'error')}.\n")
    else:
        out.write("All checks passed!\n")
    if summary.fixing:
        return
    safe = sum(fixable(d, summary.unsafe_fixes) for d in diagnostics)
    hidden = sum(d.fix is not None for d in diagnostics) - safe
    can = "fix can" if hidden == 1 else "fixes can"
    if safe:
        option = "`--fix --unsafe-fixes`" if summary.unsafe_fixes else "`--fix`"
        out.write(f"[*] {safe} fixable with the {option} option")
        out.write(f" ({hidden} hidden {can} be enabled with the `--unsafe-fixes` option).\n" if hidden else ".\n")
    elif hidden:
        out.write(f"No fixes available ({hidden} hidden {can} be enabled with the `--unsafe-fixes` option).\n")


def statistics(diagnostics: list[Diagnostic], unsafe_fixes: bool = False) -> list[dict]:
    """Per code, most frequent first: ``code``, ``name``, ``count`` and ``fixable_count`` (the
    findings with a fix that the run would apply: safe ones, and unsafe ones with ``unsafe_fixes``)."""
    groups: dict[str, list[Diagnostic]] = {}
    for d in diagnostics:
        groups.setdefault(d.code, []).append(d)
    rows = [
        {"code": code, "name": group[0].name, "count": len(group),
         "fixable_count": sum(fixable(d, unsafe_fixes) for d in group)}
        for code, group in groups.items()
    ]
    return sorted(rows, key=lambda row: (-row["count"], row["code"]))


def write_statistics(diagnostics: list[Diagnostic], out: TextIO, summary: Summary | None = None,
                     output_format: str = "text") -> None:
    """One line a code, most frequent first: count, code, ``[*]`` when every finding is fixable,
    ``[~]`` when some are, ``[ ]`` when none is, and the rule's name (ruff's markers); with
    ``output_format="json"`` the rows of :func:`statistics` as a JSON array."""
    summary = summary or Summary()
    rows = statistics(diagnostics, summary.unsafe_fixes)
    if output_format == "json":
        json.dump(rows, out, indent=2)
        out.write("\n")
        return
    width = max((len(str(row["count"])) for row in rows), default=1)
    for row in rows:
        fixable_count, count = row["fixable_count"], row["count"]
        mark = "[*]" if fixable_count == count else "[~]" if fixable_count else "[ ]"
        out.write(f"{count:>{width}}\t{row['code']}\t{mark} {row['name']}\n")
    _write_summary(diagnostics, out, summary)


def write_json(diagnostics: list[Diagnostic], out: TextIO, summary: Summary | None = None) -> None:
    """An array of objects: ``path``, ``line`` (1-based), ``column`` (1-based), ``code``, ``name``,
    ``message``, ``url``, ``fix`` (``{"title", "applicability"}`` or ``null``) and, for a notebook,
    ``cell`` (1-based; ``line`` counts in it)."""
    records = [
        {
            "path": d.path,
            **({"cell": d.cell} if d.cell is not None else {}),
            "line": d.line,
            "column": d.column + 1,
            "code": d.code,
            "name": d.name,
            "message": d.message,
            "url": rule_url(d.code) if d.code in _rules() else None,
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
    codes = list(_rules())
    rules = []
    for code, rule in _rules().items():
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
            "level": "warning" if d.code in _rules() else "error",
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
        if d.code in _rules():
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
        level = "warning" if d.code in _rules() else "error"
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


def _fingerprint(d: Diagnostic, seen: Counter) -> str:
    """Stable across line moves: the path, code and message, and which occurrence of them it is."""
    import hashlib

    key = (_uri(d.path), d.code, d.message)
    seen[key] += 1
    return hashlib.sha256("\0".join((*key, str(seen[key]))).encode()).hexdigest()


def write_gitlab(diagnostics: list[Diagnostic], out: TextIO, summary: Summary | None = None) -> None:
    """A GitLab Code Quality report: a JSON array of issues, each with ``description``,
    ``check_name``, ``fingerprint`` (unique, stable when lines move), ``severity`` (``minor`` for
    rules, ``critical`` for files that could not be read or parsed) and ``location`` (``path``
    relative to the repository, ``lines.begin``). Source: GitLab's "Code Quality report format"
    (the Code Climate issue subset GitLab reads)."""
    seen: Counter = Counter()
    issues = [
        {
            "type": "issue",
            "description": f"{d.code} {d.message}",
            "check_name": d.code,
            "categories": ["Bug Risk"],
            "fingerprint": _fingerprint(d, seen),
            "severity": "minor" if d.code in _rules() else "critical",
            "location": {"path": _uri(d.path), "lines": {"begin": d.line}},
        }
        for d in diagnostics
    ]
    json.dump(issues, out, indent=2)
    out.write("\n")


def write_junit(diagnostics: list[Diagnostic], out: TextIO, summary: Summary | None = None) -> None:
    """JUnit XML: one ``<testsuite>`` a file with findings, one failed ``<testcase>`` a finding
    (``classname`` the path, ``name`` the code and position); with no finding, one passing test
    case, so that CI shows the check ran (as ruff does)."""
    from xml.etree import ElementTree as ET

    suites = ET.Element("testsuites", name="httplint", tests=str(max(len(diagnostics), 1)),
                        failures=str(len(diagnostics)), errors="0")
    by_path: dict[str, list[Diagnostic]] = {}
    for d in diagnostics:
        by_path.setdefault(d.path, []).append(d)
    if not by_path:
        suite = ET.SubElement(suites, "testsuite", name="httplint", tests="1", failures="0", errors="0")
        ET.SubElement(suite, "testcase", name="No errors found", classname="httplint")
    for path, group in by_path.items():
        suite = ET.SubElement(suites, "testsuite", name=path, tests=str(len(group)), failures=str(len(group)),
                              errors="0")
        for d in group:
            case = ET.SubElement(suite, "testcase", name=f"{d.code} ({d.line}:{d.column + 1})", classname=path,
                                 file=path, line=str(d.line))
            failure = ET.SubElement(case, "failure", message=d.message, type=d.code)
            failure.text = f"{path}:{d.line}:{d.column + 1}: {d.code} {d.message}"
    ET.indent(suites)
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write(ET.tostring(suites, encoding="unicode"))
    out.write("\n")


FORMATS = {"text": write_text, "json": write_json, "sarif": write_sarif, "github": write_github,
           "gitlab": write_gitlab, "junit": write_junit}
