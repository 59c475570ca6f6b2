"""Configuration per file (the nearest ``[tool.httplint]``), ``--show-settings FILE``, and
``--force-exclude`` for named files and ``--stdin-filename``, run through the real command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

LEAK = "import httpx\n\n\ndef f(u):\n    c = httpx.Client()\n    return c.get(u).text + c.get(u).text\n"  # HTL104 at 5
NO_TIMEOUT = "import requests\n\n\ndef f(u):\n    return requests.get(u).text\n"  # HTL301 at 5


def run(*argv: str, cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "httplint", "--no-cache", *argv], cwd=cwd, capture_output=True,
                          text=True, input=stdin, env={**os.environ, "NO_COLOR": "1"}, check=False)


def found(result: subprocess.CompletedProcess) -> set[tuple[str, str]]:
    return {(Path(d["path"]).as_posix(), d["code"]) for d in json.loads(result.stdout)}


@pytest.fixture
def monorepo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "svc_a" / "generated").mkdir(parents=True)
    (root / "svc_a" / "tests").mkdir()
    (root / "svc_b").mkdir()
    (root / "tests").mkdir()
    (root / "pyproject.toml").write_text('[tool.httplint]\nignore = ["HTL301"]\n')
    (root / "svc_a" / "pyproject.toml").write_text(
        '[project]\nname = "svc-a"\n\n[tool.httplint]\nignore = ["HTL104"]\nextend-exclude = ["generated/"]\n'
        'test-rules = "all"\n'
    )
    for folder in ("svc_a", "svc_b", "svc_a/generated"):
        (root / folder / "leak.py").write_text(LEAK)
        (root / folder / "hang.py").write_text(NO_TIMEOUT)
    (root / "svc_a" / "tests" / "test_api.py").write_text(NO_TIMEOUT)
    (root / "tests" / "test_api.py").write_text(NO_TIMEOUT)
    return root


def test_each_file_gets_the_configuration_nearest_to_it(monorepo: Path) -> None:
    result = run("--output-format", "json", "--exit-zero", ".", cwd=monorepo)
    assert found(result) == {
        ("svc_a/hang.py", "HTL301"),            # svc_a ignores HTL104, not HTL301
        ("svc_a/tests/test_api.py", "HTL301"),  # svc_a reports every rule in its tests
        ("svc_b/leak.py", "HTL104"),            # svc_b has no configuration: the root's ignores HTL301
    }  # svc_a/generated/ is excluded by svc_a's configuration; the root's tests/ get the runtime policy


def test_a_file_named_from_elsewhere_gets_its_own_configuration(monorepo: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    target = monorepo / "svc_a" / "leak.py"
    assert found(run("--output-format", "json", "--exit-zero", str(target), cwd=elsewhere)) == set()
    assert found(run("--output-format", "json", "--exit-zero", str(monorepo / "svc_b" / "hang.py"),
                     cwd=elsewhere)) == set()


def test_show_settings_for_a_file(monorepo: Path) -> None:
    shown = run("--show-settings", "svc_a/generated/leak.py", cwd=monorepo).stdout
    assert f"config = {monorepo / 'svc_a' / 'pyproject.toml'}" in shown
    assert "ignore = ['HTL104']" in shown and "excluded = true" in shown and "test-file = false" in shown
    shown = run("--show-settings", "tests/test_api.py", cwd=monorepo).stdout
    assert f"config = {monorepo / 'pyproject.toml'}" in shown and "test-file = true" in shown
    assert "excluded = false" in shown


def test_force_exclude_for_named_files(monorepo: Path) -> None:
    named = "svc_a/generated/hang.py"
    assert found(run("--output-format", "json", "--exit-zero", named, cwd=monorepo)) == {(named, "HTL301")}
    assert found(run("--output-format", "json", "--exit-zero", "--force-exclude", named, cwd=monorepo)) == set()
    assert found(run("--output-format", "json", "--exit-zero", "--force-exclude", "svc_a/generated",
                     cwd=monorepo)) == set()
    # --fix leaves an excluded named file alone
    fixed = run("--fix", "--unsafe-fixes", "--force-exclude", named, cwd=monorepo)
    assert fixed.returncode == 0 and (monorepo / named).read_text() == NO_TIMEOUT


def test_stdin_filename_honours_excludes_and_per_file_ignores(monorepo: Path) -> None:
    excluded = run("-", "--stdin-filename", "svc_a/generated/leak.py", "--force-exclude", cwd=monorepo, stdin=LEAK)
    assert excluded.returncode == 0 and excluded.stdout == ""
    passed = run("-", "--stdin-filename", "svc_a/generated/leak.py", "--force-exclude", "--fix", "--unsafe-fixes",
                 cwd=monorepo, stdin=LEAK)
    assert passed.returncode == 0 and passed.stdout == LEAK
    checked = run("-", "--stdin-filename", "svc_a/generated/hang.py", "--output-format", "json", cwd=monorepo,
                  stdin=NO_TIMEOUT)
    assert [d["code"] for d in json.loads(checked.stdout)] == ["HTL301"]  # not excluded without the flag
    (monorepo / "svc_b" / "pyproject.toml").write_text(
        '[tool.httplint.per-file-ignores]\n"legacy/*" = ["HTL104"]\n')
    ignored = run("-", "--stdin-filename", "svc_b/legacy/old.py", "--output-format", "json", cwd=monorepo,
                  stdin=LEAK)
    assert json.loads(ignored.stdout) == []
    kept = run("-", "--stdin-filename", "svc_b/new.py", "--output-format", "json", cwd=monorepo, stdin=LEAK)
    assert [d["code"] for d in json.loads(kept.stdout)] == ["HTL104"]


def test_flake8_reads_the_configuration_nearest_to_each_file(monorepo: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "flake8", "--isolated", "--select", "HTL", "--format=%(path)s:%(code)s",
         "svc_a/tests/test_api.py", "tests/test_api.py"],
        cwd=monorepo, capture_output=True, text=True, check=False,
    )
    # flake8 does its own selection (HTL301 is not ignored there); the test-file policy is httplint's
    assert sorted(result.stdout.split()) == ["./svc_a/tests/test_api.py:HTL301"] or \
        sorted(result.stdout.split()) == ["svc_a/tests/test_api.py:HTL301"], result.stdout + result.stderr
