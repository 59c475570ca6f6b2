"""The test-file policy: in test code only what breaks or warns in the test run is reported by
default (``test-rules = "runtime"``); ``test-rules = "all"`` reports every rule there.

``tests/fixtures/policy/tests/test_downloads.py`` marks ``# error: CODE`` what the default
reports and ``# all: CODE`` what only the full rule set reports; the same code outside a test
folder is shipped code and gets both.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from httplint.cli import main
from httplint.config import DEFAULT_TEST_FILES, ConfigError, Settings, load
from httplint.engine import Linter
from httplint.rules import RULES

POLICY = Path(__file__).parent / "fixtures" / "policy"
SAMPLE = POLICY / "tests" / "test_downloads.py"
MARK = re.compile(r"#\s*(?P<kind>error|all):\s*(?P<code>HTL\d{3})")


def marks(*kinds: str) -> set[tuple[int, str]]:
    found = set()
    for number, line in enumerate(SAMPLE.read_text(encoding="utf-8").splitlines(), start=1):
        match = MARK.search(line)
        if match and match.group("kind") in kinds:
            found.add((number, match.group("code")))
    return found


def findings(settings: Settings, path: Path) -> set[tuple[int, str]]:
    return {(d.line, d.code) for d in Linter(settings, select=["ALL"]).check_path(str(path))}


def test_default_reports_only_what_breaks_or_warns_in_the_run() -> None:
    assert findings(Settings(root=POLICY), SAMPLE) == marks("error")
    assert marks("all") and marks("error")


def test_all_reports_every_rule_in_tests() -> None:
    assert findings(Settings(root=POLICY, test_rules="all"), SAMPLE) == marks("error", "all")


def test_the_same_code_shipped_gets_every_rule(tmp_path: Path) -> None:
    shipped = tmp_path / "app" / "downloads.py"
    shipped.parent.mkdir()
    shutil.copy(SAMPLE, shipped)
    assert findings(Settings(root=tmp_path), shipped) == marks("error", "all")


@pytest.mark.parametrize(
    ("relative", "is_test"),
    [
        ("tests/test_api.py", True),
        ("src/pkg/tests/helpers.py", True),
        ("test/api.py", True),
        ("test_api.py", True),
        ("pkg/api_test.py", True),
        ("conftest.py", True),
        ("pkg/sub/conftest.py", True),
        ("pkg/api.py", False),
        ("pkg/testing.py", False),
        ("pkg/contest.py", False),
        ("latest/api.py", False),
        ("pkg/attest_api.py", False),
    ],
)
def test_which_files_are_test_code(tmp_path: Path, relative: str, is_test: bool) -> None:
    assert Settings(root=tmp_path).is_test_file(str(tmp_path / relative)) is is_test


def test_test_files_setting_replaces_the_patterns(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.httplint]\ntest-files = ["checks/"]\n')
    settings = load(start=tmp_path)
    assert settings.is_test_file(str(tmp_path / "checks" / "api.py"))
    assert not settings.is_test_file(str(tmp_path / "tests" / "test_api.py"))


def test_bad_test_rules_value_names_the_key(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.httplint]\ntest-rules = "some"\n')
    with pytest.raises(ConfigError, match="'test-rules': expected one of 'runtime', 'all'"):
        load(start=tmp_path)


def _project(tmp_path: Path, config: str) -> Path:
    (tmp_path / "pyproject.toml").write_text(f"[tool.httplint]\n{config}\n")
    (tmp_path / "tests").mkdir()
    shutil.copy(SAMPLE, tmp_path / "tests" / "test_downloads.py")
    return tmp_path


@pytest.mark.parametrize(("config", "kinds"), [("", ("error",)), ('test-rules = "all"', ("error", "all"))])
def test_cli_and_show_settings(tmp_path, capsys, monkeypatch, config: str, kinds: tuple[str, ...]) -> None:
    monkeypatch.chdir(_project(tmp_path, config))
    assert main(["--show-settings"]) == 0
    shown = capsys.readouterr().out
    assert f"test-rules = '{'all' if 'all' in kinds else 'runtime'}'" in shown
    assert "test-files = [" + ", ".join(repr(p) for p in DEFAULT_TEST_FILES) + "]" in shown
    main(["--select", "ALL", "--no-cache", "--format", "json", "."])
    out = capsys.readouterr().out
    assert {(d["line"], d["code"]) for d in json.loads(out)} == marks(*kinds)


def test_flake8_plugin_applies_the_same_policy(tmp_path: Path) -> None:
    project = _project(tmp_path, "")
    result = subprocess.run(
        [sys.executable, "-m", "flake8", "--isolated", "--select", "HTL", "--format=%(row)d:%(code)s",
         "tests/test_downloads.py"],
        capture_output=True, text=True, check=False, cwd=project,
    )
    found = {(int(line.split(":")[0]), line.split(":")[1]) for line in result.stdout.splitlines()}
    assert found == marks("error"), result.stderr


def test_every_rule_states_its_test_policy_in_its_documentation() -> None:
    from httplint.docs import render_rule

    for rule in RULES.values():
        assert rule.in_tests in ("always", "warnings", "never")
        assert "test files" in render_rule(rule)
