"""``--add-noqa``: a ``# noqa: CODE`` on every line with a finding, for adopting httplint on
existing code; idempotent, existing codes kept, encoding and line endings kept."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"


def run(*argv: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "httplint", "--no-cache", "--select", "ALL", *argv], cwd=cwd,
                          capture_output=True, text=True, check=False)


def test_every_fixture_is_clean_after_add_noqa_and_a_second_run_adds_nothing(tmp_path: Path) -> None:
    for path in sorted(FIXTURES.glob("HTL*.py")):
        if not path.name.endswith(".fixed.py"):
            shutil.copy(path, tmp_path / path.name)
    before = run(".", cwd=tmp_path)
    assert before.returncode == 1 and before.stdout.count(": HTL") > 150
    first = run("--add-noqa", ".", cwd=tmp_path)
    assert first.returncode == 0 and first.stderr.startswith("Added ")
    assert run(".", cwd=tmp_path).stdout == "All checks passed!\n"
    for path in tmp_path.glob("*.py"):
        ast.parse(path.read_bytes())
        original = (FIXTURES / path.name).read_text().splitlines()
        new = path.read_text().splitlines()
        assert len(new) == len(original)  # comments added, no line moved
        assert all(n == o or (n.startswith(o.split("  # ")[0].rstrip()) and "# noqa" in n)
                   for n, o in zip(new, original))
    again = run("--add-noqa", ".", cwd=tmp_path)
    assert again.stderr == "Added 0 noqa directives.\n"
    flake8 = subprocess.run([sys.executable, "-m", "flake8", "--isolated", "--select", "HTL", "."], cwd=tmp_path,
                            capture_output=True, text=True, check=False)
    assert flake8.stdout == "", flake8.stdout[:2000]  # flake8 reads the same comments


def test_existing_codes_kept_and_merged_encoding_and_endings_kept(tmp_path: Path) -> None:
    source = (b"# -*- coding: latin-1 -*-\r\nimport requests\r\n\r\n\r\n"
              b"def f(u):\r\n    name = '\xe9'\r\n    return requests.get(u).text  # noqa: E501\r\n\r\n\r\n"
              b"def g(u):\r\n    return requests.get(\r\n        u, timeout=None)\r\n")
    (tmp_path / "m.py").write_bytes(source)
    result = run("--add-noqa", "m.py", cwd=tmp_path)
    assert result.stderr == "Added 2 noqa directives.\n"
    data = (tmp_path / "m.py").read_bytes()
    assert b"    return requests.get(u).text  # noqa: E501, HTL301\r\n" in data
    assert b"    return requests.get(  # noqa: HTL302\r\n        u, timeout=None)\r\n" in data
    assert b"'\xe9'" in data and data.count(b"\r\n") == source.count(b"\r\n")
    assert run("m.py", cwd=tmp_path).returncode == 0
