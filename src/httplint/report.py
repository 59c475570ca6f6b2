"""Output formats: ``text`` (``path:line:col: CODE [*] message`` and a summary) and ``json``."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TextIO

from .fix import Applicability
from .rule import Diagnostic


@dataclass
class Summary:
    """What the summary line reports.

    Attributes:
        fixed: findings removed by ``--fix``.
        unsafe_fixes: whether unsafe fixes are enabled (they then count as fixable).
        fixing: the run applied fixes (``--fix``), so nothing more is "fixable with --fix".
    """

    fixed: int = 0
    unsafe_fixes: bool = False
    fixing: bool = False


def fixable(diagnostic: Diagnostic, unsafe_fixes: bool) -> bool:
    fix = diagnostic.fix
    return fix is not None and (unsafe_fixes or fix.applicability is Applicability.SAFE)


def write_text(diagnostics: list[Diagnostic], out: TextIO, summary: Summary | None = None) -> None:
    summary = summary or Summary()
    for d in diagnostics:
        mark = "[*] " if fixable(d, summary.unsafe_fixes) else ""
        out.write(f"{d.path}:{d.line}:{d.column + 1}: {d.code} {mark}{d.message}\n")
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


def write_json(diagnostics: list[Diagnostic], out: TextIO, summary: Summary | None = None) -> None:
    """An array of objects: ``path``, ``line`` (1-based), ``column`` (1-based), ``code``, ``name``,
    ``message`` and ``fix`` (``{"title", "applicability"}`` or ``null``)."""
    records = [
        {
            "path": d.path,
            "line": d.line,
            "column": d.column + 1,
            "code": d.code,
            "name": d.name,
            "message": d.message,
            "fix": {"title": d.fix.title, "applicability": d.fix.applicability.value} if d.fix else None,
        }
        for d in diagnostics
    ]
    json.dump(records, out, indent=2)
    out.write("\n")


FORMATS = {"text": write_text, "json": write_json}
