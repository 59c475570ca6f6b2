"""Read, prefilter, parse once with ``ast``, run the selected rules, drop ``noqa``'d findings."""

from __future__ import annotations

import ast
import re
import tokenize
import io
from typing import Iterable

from . import noqa
from .resources import analyze
from .rule import Diagnostic, Rule
from .rules import OPINIONATED_PREFIX, RULES

#: A file none of whose text matches this cannot import an HTTP library, so no rule
#: can fire on it and it is never parsed. Every rule needs a resolved import of one
#: of these modules (``import http.client`` and ``from http import client`` included).
PREFILTER = re.compile(rb"requests|httpx|urllib|aiohttp|http\.client|http\s+import")


class UsageError(Exception):
    """A bad option value: the message says which."""


def _split(codes: Iterable[str] | None) -> list[str]:
    parts: list[str] = []
    for item in codes or ():
        parts.extend(p.strip().upper() for p in item.split(",") if p.strip())
    return parts


def select_rules(select: Iterable[str] | None = None, ignore: Iterable[str] | None = None) -> list[Rule]:
    """The rules selected by code prefixes, flake8-style (``HTL1`` selects ``HTL1xx``; ``ALL`` everything).

    Without ``select``, every rule outside the opinionated band ``HTL9xx`` is on.

    Raises:
        UsageError: a prefix matches no rule.
    """
    selected = _split(select)
    ignored = _split(ignore)
    for prefix in (*selected, *ignored):
        if prefix != "ALL" and not any(code.startswith(prefix) for code in RULES):
            raise UsageError(f"unknown rule selector {prefix!r}")
    chosen = []
    for code, rule in RULES.items():
        if selected:
            on = any(p == "ALL" or code.startswith(p) for p in selected)
        else:
            on = not code.startswith(OPINIONATED_PREFIX)
        if on and not any(p == "ALL" or code.startswith(p) for p in ignored):
            chosen.append(rule())
    return chosen


def check_tree(tree: ast.Module, path: str, rules: list[Rule]) -> list[Diagnostic]:
    """Run ``rules`` on a parsed module; no ``noqa`` handling (flake8 does its own)."""
    analysis = analyze(tree)
    found = set()
    for rule in rules:
        for report in rule.check(analysis):
            node, message = report[0], report[1]
            fix = report[2] if len(report) > 2 else None
            if isinstance(fix, str):
                message, fix = f"{message} (no automatic fix: {fix})", None
            found.add(Diagnostic(path, node.lineno, node.col_offset, rule.code, rule.name, message, fix))
    return sorted(found)


def check_source(source: bytes, path: str, rules: list[Rule]) -> list[Diagnostic]:
    """Check one file's bytes. Never raises for bad input.

    Returns:
        The findings, sorted, after ``# noqa``; or one ``E999`` diagnostic when the
        file cannot be parsed (syntax error, bad encoding, NUL bytes, nesting too deep).
    """
    if not PREFILTER.search(source):
        return []
    try:
        tree = ast.parse(source, filename=path)
    except SyntaxError as error:
        line = error.lineno or 1
        column = max((error.offset or 1) - 1, 0)
        return [Diagnostic(path, line, column, "E999", "syntax-error", f"{type(error).__name__}: {error.msg}")]
    except (ValueError, RecursionError, MemoryError) as error:
        return [Diagnostic(path, 1, 0, "E999", "syntax-error", f"{type(error).__name__}: {error}")]
    try:
        diagnostics = check_tree(tree, path, rules)
    except RecursionError:
        return [Diagnostic(path, 1, 0, "E999", "syntax-error", "RecursionError: file nested too deeply to analyse")]
    if not diagnostics:
        return []
    text = decode(source)
    lines = text.splitlines(keepends=True)
    if noqa.file_is_skipped(lines):
        return []
    mapping = noqa.line_mapping(text)
    return [
        d
        for d in diagnostics
        if not noqa.is_suppressed(d.code, mapping.get(d.line) or (lines[d.line - 1] if d.line <= len(lines) else None))
    ]


def decode(source: bytes) -> str:
    """The text of a file's bytes, by its PEP 263 cookie or BOM; undecodable bytes replaced."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(source).readline)
        return source.decode(encoding)
    except (SyntaxError, LookupError, UnicodeDecodeError):
        return source.decode("utf-8", errors="replace")


def check_path(path: str, rules: list[Rule]) -> list[Diagnostic]:
    """Read and check one file; an unreadable file gives one ``E902`` diagnostic."""
    try:
        with open(path, "rb") as handle:
            source = handle.read()
    except OSError as error:
        reason = error.strerror or str(error)
        return [Diagnostic(path, 1, 0, "E902", "io-error", f"{type(error).__name__}: {reason}")]
    return check_source(source, path, rules)
