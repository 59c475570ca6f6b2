"""[tool.httplint]: discovery, every key's effect, and errors that name the key and the file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from httplint.cli import main
from httplint.config import ConfigError, load

LEAK = "import httpx\n\n\ndef f(urls):\n    client = httpx.Client()\n    return [client.get(u) for u in urls]\n"
LOOP = "import requests\n\n\ndef f(urls):\n    return [requests.get(u, timeout=1) for u in urls]\n"
FACTORY_USE = (
    "from myproject.http import make_session\n\n\n"
    "def use(urls):\n    session = make_session()\n    return [session.get(u, timeout=5) for u in urls]\n"
)


def project(tmp_path: Path, table: str) -> Path:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n\n[tool.httplint]\n" + table)
    (tmp_path / "src").mkdir(exist_ok=True)
    (tmp_path / "src" / "leak.py").write_text(LEAK)
    (tmp_path / "src" / "loop.py").write_text(LOOP)
    (tmp_path / "tests").mkdir(exist_ok=True)
    (tmp_path / "tests" / "test_leak.py").write_text(LEAK)
    return tmp_path


def run(capsys, monkeypatch, cwd: Path, *argv: str) -> tuple[int, str, str]:
    monkeypatch.chdir(cwd)
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def codes(out: str) -> list[str]:
    return [line.split()[1] for line in out.splitlines() if re.match(r"\S+:\d+:\d+: ", line)]


def test_select_and_ignore_from_config(tmp_path, capsys, monkeypatch) -> None:
    project(tmp_path, 'select = ["HTL103"]\n')
    assert codes(run(capsys, monkeypatch, tmp_path)[1]) == ["HTL103"]
    project(tmp_path, 'ignore = ["HTL1"]\n')
    assert run(capsys, monkeypatch, tmp_path)[0] == 0


def test_command_line_select_replaces_and_ignore_adds(tmp_path, capsys, monkeypatch) -> None:
    project(tmp_path, 'select = ["HTL103"]\nignore = ["HTL104"]\n')
    assert codes(run(capsys, monkeypatch, tmp_path, "--select", "HTL104")[1]) == []
    assert codes(run(capsys, monkeypatch, tmp_path, "--select", "HTL1", "--ignore", "HTL103")[1]) == []


def test_extend_select_and_longest_prefix_wins(tmp_path, capsys, monkeypatch) -> None:
    project(tmp_path, 'select = ["HTL2"]\nextend-select = ["HTL104"]\nignore = ["HTL1"]\n')
    assert sorted(set(codes(run(capsys, monkeypatch, tmp_path)[1]))) == ["HTL104"]


def test_per_file_ignores(tmp_path, capsys, monkeypatch) -> None:
    project(tmp_path, '[tool.httplint.per-file-ignores]\n"tests/*" = ["HTL104"]\n')
    out = run(capsys, monkeypatch, tmp_path)[1]
    assert "src/leak.py" in out and "tests/test_leak.py" not in out


def test_exclude_replaces_and_extend_exclude_adds(tmp_path, capsys, monkeypatch) -> None:
    project(tmp_path, 'extend-exclude = ["tests/"]\n')
    (tmp_path / ".venv").mkdir(exist_ok=True)
    (tmp_path / ".venv" / "x.py").write_text(LEAK)
    out = run(capsys, monkeypatch, tmp_path)[1]
    assert "tests/" not in out and ".venv" not in out and "src/leak.py" in out
    project(tmp_path, 'exclude = ["src/loop.py"]\n')
    out = run(capsys, monkeypatch, tmp_path)[1]
    assert "loop.py" not in out and ".venv/x.py" in out  # the defaults are replaced


def test_unsafe_fixes_from_config(tmp_path, capsys, monkeypatch) -> None:
    project(tmp_path, "unsafe-fixes = true\n")
    run(capsys, monkeypatch, tmp_path, "--fix", "src/leak.py")
    assert "with httpx.Client() as client:" in (tmp_path / "src" / "leak.py").read_text()


def test_client_factories(tmp_path, capsys, monkeypatch) -> None:
    project(tmp_path, 'client-factories = { "myproject.http.make_session" = "requests.Session" }\n')
    (tmp_path / "src" / "use.py").write_text(FACTORY_USE)
    out = run(capsys, monkeypatch, tmp_path, "src/use.py")[1]
    assert "src/use.py:5:15: HTL104 `session` (`requests.Session`, from `myproject.http.make_session()`) is never closed" in out
    project(tmp_path, "")
    (tmp_path / "src" / "use.py").write_text(FACTORY_USE)
    assert run(capsys, monkeypatch, tmp_path, "src/use.py")[0] == 0


def test_config_option_and_nearest_pyproject(tmp_path, capsys, monkeypatch) -> None:
    project(tmp_path, 'select = ["HTL103"]\n')
    other = tmp_path / "other.toml"
    other.write_text('[tool.httplint]\nselect = ["HTL104"]\n')
    assert set(codes(run(capsys, monkeypatch, tmp_path, "--config", str(other))[1])) == {"HTL104"}
    assert set(codes(run(capsys, monkeypatch, tmp_path / "src")[1])) == {"HTL103"}  # found above cwd


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ("selct = ['HTL1']\n", "unknown key 'selct' in [tool.httplint]"),
        ("select = 'HTL1'\n", "'select': expected a list of rule codes or prefixes"),
        ("select = ['XYZ1']\n", "'select': 'XYZ1' matches no rule"),
        ("unsafe-fixes = 'yes'\n", "'unsafe-fixes': expected true or false"),
        ("fix-timeout = 0\n", "'fix-timeout': expected a number of seconds greater than 0"),
        ("client-factories = { 'a.b' = 'requests.Sesion' }\n", "'client-factories': 'a.b': 'requests.Sesion' is not a client type"),
        ("per-file-ignores = ['x']\n", "'per-file-ignores': expected a table"),
        ("select = [\n", "invalid TOML"),
    ],
)
def test_bad_configuration_names_the_key_and_the_file(tmp_path, capsys, monkeypatch, table, message) -> None:
    project(tmp_path, table)
    code, out, err = run(capsys, monkeypatch, tmp_path)
    assert code == 2 and out == ""
    assert err.startswith(f"httplint: error: {tmp_path / 'pyproject.toml'}: ") and message in err


def test_show_settings(tmp_path, capsys, monkeypatch) -> None:
    project(tmp_path, 'select = ["HTL1"]\nfix-timeout = 5\n[tool.httplint.client-factories]\n"a.make" = "httpx.Client"\n')
    code, out, _ = run(capsys, monkeypatch, tmp_path, "--show-settings")
    assert code == 0
    assert f"config = {tmp_path / 'pyproject.toml'}" in out
    assert "select = ['HTL1']" in out and "fix-timeout = 5.0" in out and "'a.make' = 'httpx.Client'" in out


def test_defaults_without_a_table(tmp_path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    settings = load(start=tmp_path)
    assert settings.path is None and settings.select is None


def test_unreadable_config_is_an_error(tmp_path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load(tmp_path / "missing.toml")
