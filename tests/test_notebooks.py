"""Jupyter notebooks: code cells checked, findings named by cell and line, IPython syntax
skipped, fixes refused with a reason and the file kept byte for byte."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from httplint.notebook import NotebookError, code_of

SAMPLE = Path(__file__).parent / "fixtures" / "notebooks" / "downloads.ipynb"


def marks() -> set[tuple[int, int, str]]:
    """``(cell, line in cell, code)`` for each ``# error: CODE`` in the sample's code cells."""
    found = set()
    for position, cell in enumerate(json.loads(SAMPLE.read_text())["cells"], start=1):
        for number, line in enumerate("".join(cell["source"]).split("\n"), start=1):
            match = re.search(r"#\s*error:\s*(HTL\d{3})", line)
            if match and cell["cell_type"] == "code":
                found.add((position, number, match.group(1)))
    return found


def run(*argv: str, cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "httplint", *argv], cwd=cwd, capture_output=True, text=True,
                          input=stdin, check=False)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copy(SAMPLE, tmp_path / "downloads.ipynb")
    (tmp_path / "broken.ipynb").write_text("{not json")
    (tmp_path / "empty.ipynb").write_text('{"nbformat": 4}')
    return tmp_path


def test_findings_name_their_cell_and_line(project: Path) -> None:
    result = run("--no-cache", "--output-format", "json", ".", cwd=project)
    records = json.loads(result.stdout)
    cells = {(d["cell"], d["line"], d["code"]) for d in records if d["path"] == "downloads.ipynb"}
    assert cells == marks() and len(marks()) == 2
    assert all(d["fix"] is None for d in records)
    text = run("--no-cache", "downloads.ipynb", cwd=project).stdout
    assert "downloads.ipynb:cell 3:2:12: HTL301 " in text and "downloads.ipynb:cell 5:3:10: HTL201 " in text


def test_a_file_that_is_not_a_notebook_is_reported_and_the_run_goes_on(project: Path) -> None:
    text = run("--no-cache", ".", cwd=project).stdout
    assert "broken.ipynb:1:1: E902 not a readable notebook" in text
    assert "empty.ipynb:1:1: E902 not a notebook: no `cells` list" in text
    assert "downloads.ipynb:cell 3:2:12: HTL301" in text and "Traceback" not in text


def test_the_cache_keeps_the_cell(project: Path) -> None:
    first = run(".", cwd=project).stdout
    assert first == run(".", cwd=project).stdout and "cell 5:" in first


@pytest.mark.parametrize("flags", [["--fix"], ["--fix", "--unsafe-fixes"], ["--diff", "--unsafe-fixes"]])
def test_fixes_are_refused_and_the_notebook_kept(project: Path, flags: list[str]) -> None:
    before = (project / "downloads.ipynb").read_bytes()
    result = run("--no-cache", *flags, "downloads.ipynb", cwd=project)
    assert (project / "downloads.ipynb").read_bytes() == before
    assert "fixes are not applied to notebooks" in result.stderr
    assert "Traceback" not in result.stderr


def test_stdin_notebook(project: Path) -> None:
    text = (project / "downloads.ipynb").read_text()
    checked = run("-", "--stdin-filename", "downloads.ipynb", cwd=project, stdin=text)
    assert "downloads.ipynb:cell 3:2:12: HTL301" in checked.stdout
    fixed = run("-", "--stdin-filename", "downloads.ipynb", "--fix", cwd=project, stdin=text)
    assert fixed.stdout == text


def test_ipython_syntax_is_blanked_keeping_lines_and_columns() -> None:
    cells = code_of(SAMPLE.read_bytes())
    lines = cells.source.decode().split("\n")
    compile(cells.source, "downloads.ipynb", "exec")  # what remains is Python
    assert lines[0] == "#pip install requests" and lines[2] == "#ls reports/"
    assert all(line.startswith("#") or not line for line in lines[cells.cells.index((4, 1)):][:2])
    assert cells.cells[lines.index("def fetch(url):")] == (3, 1)
    with pytest.raises(NotebookError):
        code_of(b"[]")


def test_the_command_line_knows_the_notebook_suffix_without_importing_the_module() -> None:
    from httplint import cli, notebook

    assert cli.NOTEBOOK_SUFFIX == notebook.SUFFIX
