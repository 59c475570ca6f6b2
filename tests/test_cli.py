"""The command line, driven through ``main(argv)`` and once as a real subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from httplint.cli import main

LEAK = "import httpx\n\n\ndef f(urls):\n    client = httpx.Client()\n    return [client.get(u) for u in urls]\n"
LOOP = "import requests\n\n\ndef f(urls):\n    return [requests.get(u, timeout=1) for u in urls]\n"
CLEAN = "import requests\n\nSESSION = requests.Session()\n"


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "leak.py").write_text(LEAK)
    (tmp_path / "pkg" / "loop.py").write_text(LOOP)
    (tmp_path / "pkg" / "clean.py").write_text(CLEAN)
    return tmp_path


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_findings_sorted_with_summary_and_exit_1(tree: Path, capsys) -> None:
    code, out, _ = run(capsys, str(tree))
    lines = out.splitlines()
    assert code == 1
    assert lines[0] == f"{tree}/pkg/leak.py:5:14: HTL104 `client` (`httpx.Client`) is never closed: use `with` or call `.close()`"
    assert lines[1].startswith(f"{tree}/pkg/loop.py:5:13: HTL103 ")
    assert lines[-2] == "Found 2 errors."
    assert lines[-1] == "No fixes available (2 hidden fixes can be enabled with the `--unsafe-fixes` option)."


def test_clean_exit_0(tree: Path, capsys) -> None:
    code, out, _ = run(capsys, str(tree / "pkg" / "clean.py"))
    assert (code, out) == (0, "All checks passed!\n")


def test_select_and_ignore(tree: Path, capsys) -> None:
    assert run(capsys, "--select", "HTL103", str(tree))[1].count("HTL") == 1
    assert run(capsys, "--ignore", "HTL1", str(tree))[0] == 0
    assert run(capsys, "--select", "HTL2,HTL4", str(tree))[0] == 0


def test_unknown_selector_is_a_usage_error(tree: Path, capsys) -> None:
    code, _, err = run(capsys, "--select", "HTL777", str(tree))
    assert code == 2 and "HTL777" in err


def test_bad_option_is_a_usage_error(capsys) -> None:
    assert run(capsys, "--no-such-option")[0] == 2


def test_json_format(tree: Path, capsys) -> None:
    code, out, _ = run(capsys, "--format", "json", str(tree))
    records = json.loads(out)
    assert code == 1
    assert [r["code"] for r in records] == ["HTL104", "HTL103"]
    assert set(records[0]) >= {"path", "line", "column", "code", "name", "message"}
    assert records[0]["line"] == 5 and records[0]["column"] == 14 and records[0]["name"] == "client-never-closed"


def test_explain(capsys) -> None:
    code, out, _ = run(capsys, "--explain", "htl201")
    assert code == 0 and out.startswith("# HTL201 `response-never-released`") and "## Why is this bad?" in out
    assert run(capsys, "--explain", "HTL999")[0] == 2


@pytest.mark.parametrize(
    ("comment", "suppressed"),
    [
        ("# noqa", True),
        ("# noqa: HTL104", True),
        ("# NOQA:HTL104,HTL101", True),
        ("# noqa: HTL1", True),
        ("# noqa: HTL103", False),
        ("# noqa:E501", False),
    ],
)
def test_noqa_semantics(tmp_path: Path, capsys, comment: str, suppressed: bool) -> None:
    path = tmp_path / "m.py"
    path.write_text(LEAK.replace("client = httpx.Client()", f"client = httpx.Client()  {comment}"))
    code, out, _ = run(capsys, str(path))
    assert ("HTL104" not in out) is suppressed


def test_noqa_covers_a_multiline_string_but_not_a_bracketed_statement(tmp_path: Path, capsys) -> None:
    # flake8 7 joins the lines of one multi-line token (a string) for noqa, not of a
    # bracketed statement: checked against `flake8 --select W291` on the same shapes.
    path = tmp_path / "m.py"
    path.write_text("import httpx\n\n\ndef f(urls):\n    client = httpx.Client(\n        timeout=5,\n    )  # noqa: HTL104\n"
                    "    return [client.get(u) for u in urls]\n")
    assert run(capsys, str(path))[0] == 1
    from httplint.noqa import line_mapping

    mapping = line_mapping('x = """\nfoo\n"""  # noqa: HTL104\ny = 1\n')
    assert "# noqa" in mapping[1] and "# noqa" in mapping[2] and "# noqa" not in mapping[4]


def test_flake8_file_level_noqa(tmp_path: Path, capsys) -> None:
    path = tmp_path / "m.py"
    path.write_text("# flake8: noqa\n" + LEAK)
    assert run(capsys, str(path))[0] == 0


def test_unreadable_and_unparsable_files_are_reported_and_the_run_goes_on(tree: Path, capsys) -> None:
    (tree / "pkg" / "broken.py").write_text("import requests\nrequests.get(u)\ndef f(:\n")
    (tree / "pkg" / "latin.py").write_bytes(b"import requests\nx = '\xe9'\nrequests.get(x)\n")
    code, out, _ = run(capsys, str(tree), str(tree / "missing.py"))
    assert code == 1
    assert f"{tree}/pkg/broken.py:3:7: E999 SyntaxError:" in out
    assert f"{tree}/pkg/latin.py:2:" in out and "E999" in out
    assert f"{tree}/missing.py:1:1: E902 FileNotFoundError" in out
    assert "HTL104" in out and "HTL103" in out


def test_permission_denied(tree: Path, capsys, monkeypatch) -> None:
    import os

    path = tree / "pkg" / "secret.py"
    path.write_text(LEAK)
    real_open = os.open  # files are read with os.open (httplint.files.read_bytes)

    def deny(file, *args, **kwargs):
        if str(file) == str(path):
            raise PermissionError(13, "Permission denied")
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(os, "open", deny)
    code, out, _ = run(capsys, str(tree / "pkg"))
    assert code == 1 and f"{path}:1:1: E902 PermissionError: Permission denied" in out and "HTL103" in out


def test_skips_vcs_virtualenvs_and_gitignored(tree: Path, capsys) -> None:
    for folder in (".git", ".venv", "env", "build_out", "node_modules"):
        (tree / folder).mkdir()
        (tree / folder / "leak.py").write_text(LEAK)
    (tree / "env" / "pyvenv.cfg").write_text("home = /usr\n")
    (tree / ".gitignore").write_text("build_out/\n*_generated.py\n")
    (tree / "pkg" / "x_generated.py").write_text(LEAK)
    code, out, _ = run(capsys, str(tree))
    assert "build_out" not in out and ".venv" not in out and "env/leak" not in out
    assert "node_modules" not in out and "_generated" not in out and ".git/" not in out
    assert out.count("HTL104") == 1


def test_explicit_file_is_checked_even_if_ignored(tree: Path, capsys) -> None:
    (tree / ".gitignore").write_text("pkg/\n")
    assert run(capsys, str(tree))[0] == 0
    assert run(capsys, str(tree / "pkg" / "leak.py"))[0] == 1


def test_default_path_is_cwd(tree: Path, capsys, monkeypatch) -> None:
    monkeypatch.chdir(tree)
    code, out, _ = run(capsys)
    assert code == 1 and out.startswith("pkg/leak.py:5:14: HTL104")  # not ./pkg: as a user writes it


def test_python_dash_m_and_console_script(tree: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "httplint", "--format", "json", str(tree / "pkg" / "leak.py")],
        capture_output=True, text=True, check=False,
    )
    assert result.returncode == 1 and json.loads(result.stdout)[0]["code"] == "HTL104"


def test_folder_exclusion_fast_path_agrees_with_pathspec(tmp_path: Path) -> None:
    """Plain `name/` patterns are matched by name; anything else goes through pathspec."""
    import pathspec

    from httplint.files import _folder_names, iter_python_files

    for folder in ("a/venv/x", "a/build/y", "b/node_modules", "c/keep", "venv"):
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / "m.py").write_text("x = 1\n")
    for lines in (["venv/", "node_modules/"], ["venv/", "a/build/"], ["*v/", "node_modules/"], ["venv/", "!c/"]):
        spec = pathspec.GitIgnoreSpec.from_lines(lines)
        found = sorted(Path(p).relative_to(tmp_path).as_posix() for p in iter_python_files([str(tmp_path)], spec, str(tmp_path)))
        expected = sorted(
            p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.py")
            if not any(spec.match_file(part) for part in _folder_prefixes(p.relative_to(tmp_path)))
        )
        assert found == expected, lines
    assert _folder_names(pathspec.GitIgnoreSpec.from_lines(["venv/", "# c", ""])) == {"venv"}
    assert _folder_names(pathspec.GitIgnoreSpec.from_lines(["venv/", "a/build/"])) is None


def _folder_prefixes(relative: Path) -> list[str]:
    parts = relative.parts[:-1]
    return ["/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def test_a_closed_pipe_ends_the_run_quietly(tmp_path) -> None:
    """`httplint . | head -1`: no traceback, no "Exception ignored" when the reader goes away."""
    import subprocess
    import sys

    body = "".join(f"def f{n}(u):\n    return requests.get(u).text\n\n\n" for n in range(3000))
    (tmp_path / "many.py").write_text("import requests\n\n\n" + body)
    for command in (["httplint", "--no-cache", "."], ["httplint", "--no-cache", "--output-format", "json", "."]):
        process = subprocess.Popen([sys.executable, "-m", *command], cwd=tmp_path, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE)
        first = process.stdout.readline()
        process.stdout.close()  # as `head -1` does
        stderr = process.stderr.read().decode()
        status = process.wait(timeout=120)
        assert first and status == 1, (status, stderr)
        assert "Traceback" not in stderr and "BrokenPipe" not in stderr and "Exception ignored" not in stderr, stderr
