"""Output formats: ``text`` (``path:line:col: CODE message`` and a summary) and ``json``."""

from __future__ import annotations

import json
from typing import TextIO

from .rule import Diagnostic


def write_text(diagnostics: list[Diagnostic], out: TextIO) -> None:
    for d in diagnostics:
        out.write(f"{d.path}:{d.line}:{d.column + 1}: {d.code} {d.message}\n")
    count = len(diagnostics)
    if count:
        out.write(f"Found {count} error{'s' if count != 1 else ''}.\n")
    else:
        out.write("All checks passed!\n")


def write_json(diagnostics: list[Diagnostic], out: TextIO) -> None:
    """An array of objects: ``path``, ``line`` (1-based), ``column`` (1-based), ``code``, ``name``, ``message``."""
    records = [
        {"path": d.path, "line": d.line, "column": d.column + 1, "code": d.code, "name": d.name, "message": d.message}
        for d in diagnostics
    ]
    json.dump(records, out, indent=2)
    out.write("\n")


FORMATS = {"text": write_text, "json": write_json}
