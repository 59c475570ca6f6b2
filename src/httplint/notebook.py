"""Jupyter notebooks (``.ipynb``): their code cells as one Python source, and findings mapped
back to a cell and a line in it, as ruff reports them (``nb.ipynb:cell 3:2:5: …``).

A notebook is JSON (nbformat 4: ``cells``, each with ``cell_type`` and ``source``, a string or a
list of lines). Code cells are joined in order, one line break between them, so that a
finding's line falls in exactly one cell. IPython syntax that is not Python is blanked to a
comment of the same length, keeping every other line and column: line magics (``%time``),
shell escapes (``!pip install``, ``x = !ls``), help (``obj?``, ``?obj``), and whole cells under
a cell magic (``%%bash``). Fixes are not applied to notebooks (their JSON would have to be
rewritten cell by cell): findings there carry no fix.

Source: the nbformat 4 schema (``nbformat/v4/nbformat.v4.schema.json``) and IPython's input
transformers (``IPython.core.inputtransformer2``) for what is not Python.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace

from .rule import Diagnostic

SUFFIX = ".ipynb"
#: An IPython line that is not Python: a magic, a shell escape (also assigned), help.
_IPYTHON_LINE = re.compile(r"^\s*(?:[%!?]|[\w.\[\]]+\s*=\s*[!%])|\?\s*$")


class NotebookError(ValueError):
    """The file is not a notebook httplint can read; the message says why."""


@dataclass(frozen=True)
class NotebookSource:
    """A notebook's code cells as one Python source.

    Attributes:
        source: the joined cells, UTF-8.
        cells: for each line of ``source`` (0-based), the cell's 1-based position in the
            notebook (every cell counts, as notebook editors number them) and the line's
            1-based number in that cell.
    """

    source: bytes
    cells: tuple[tuple[int, int], ...]

    def locate(self, diagnostic: Diagnostic) -> Diagnostic:
        """``diagnostic`` (on a line of :attr:`source`) on its cell's line, without a fix."""
        if not 1 <= diagnostic.line <= len(self.cells):
            return replace(diagnostic, fix=None)
        cell, line = self.cells[diagnostic.line - 1]
        return replace(diagnostic, line=line, cell=cell, fix=None)


def is_notebook(path: str) -> bool:
    return path.endswith(SUFFIX)


def code_of(data: bytes) -> NotebookSource:
    """The code cells of a notebook's bytes.

    Raises:
        NotebookError: not JSON, or not a notebook (no ``cells`` list of objects).
    """
    try:
        notebook = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise NotebookError(f"not a readable notebook: {error}") from None
    cells = notebook.get("cells") if isinstance(notebook, dict) else None
    if not isinstance(cells, list) or not all(isinstance(cell, dict) for cell in cells):
        raise NotebookError("not a notebook: no `cells` list (nbformat 4)")
    lines: list[str] = []
    where: list[tuple[int, int]] = []
    for position, cell in enumerate(cells, start=1):
        if cell.get("cell_type") != "code":
            continue
        text = cell.get("source", "")
        text = "".join(text) if isinstance(text, list) else str(text)
        cell_lines = text.split("\n")
        if cell_lines and cell_lines[-1] == "":
            cell_lines.pop()
        cell_magic = bool(cell_lines) and cell_lines[0].lstrip().startswith("%%")
        for number, line in enumerate(cell_lines, start=1):
            if cell_magic or _IPYTHON_LINE.search(line):
                line = _blank(line)
            lines.append(line)
            where.append((position, number))
        lines.append("")  # one line between cells: a finding never straddles two
        where.append((position, len(cell_lines) + 1))
    return NotebookSource("\n".join(lines).encode("utf-8"), tuple(where))


def _blank(line: str) -> str:
    """A comment in place of the IPython line, at its indentation (columns of other lines kept)."""
    stripped = line.lstrip()
    return line[: len(line) - len(stripped)] + "#" + stripped[1:] if stripped else line
