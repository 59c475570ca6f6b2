"""`--fix`, `--unsafe-fixes` and `--diff` through ``main(argv)``, and the write guarantees."""

from __future__ import annotations

import ast
import stat
from pathlib import Path

import pytest

from httplint import codemod
from httplint.cli import main
from httplint.codemod import fix_source
from httplint.rules import RULES

STREAM = (
    "import requests\n"
    "\n"
    "\n"
    "def size(url):\n"
    "    response = requests.get(url, stream=True, timeout=5)\n"
    "    return response.headers['Content-Length']\n"
)
STREAM_FIXED = (
    "import requests\n"
    "\n"
    "\n"
    "def size(url):\n"
    "    with requests.get(url, stream=True, timeout=5) as response:\n"
    "        return response.headers['Content-Length']\n"
)
LEAK = "import httpx\n\n\ndef f(urls):\n    client = httpx.Client()\n    return [client.get(u) for u in urls]\n"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_check_marks_fixable_findings(tmp_path: Path, capsys) -> None:
    path = tmp_path / "m.py"
    path.write_text(STREAM)
    code, out, _ = run(capsys, str(path))
    assert code == 1
    assert f"{path}:5:16: HTL201 [*] Response `response`" in out
    assert out.endswith("Found 1 error.\n[*] 1 fixable with the `--fix` option.\n")


def test_unsafe_fixes_are_hidden_until_enabled(tmp_path: Path, capsys) -> None:
    path = tmp_path / "m.py"
    path.write_text(LEAK)
    out = run(capsys, str(path))[1]
    assert "HTL104 [*]" not in out and "1 hidden fix can be enabled with the `--unsafe-fixes` option" in out
    out = run(capsys, "--unsafe-fixes", str(path))[1]
    assert "HTL104 [*]" in out and "fixable with the `--fix --unsafe-fixes` option" in out


def test_fix_writes_and_counts(tmp_path: Path, capsys) -> None:
    path = tmp_path / "m.py"
    path.write_text(STREAM + LEAK.replace("import httpx\n", "import httpx\n", 1))
    code, out, _ = run(capsys, "--fix", str(tmp_path))
    assert "Found 2 errors (1 fixed, 1 remaining)." in out
    assert code == 1 and "HTL104" in out and "HTL201" not in out
    assert path.read_text().startswith(STREAM_FIXED)


def test_fix_everything_exits_0(tmp_path: Path, capsys) -> None:
    path = tmp_path / "m.py"
    path.write_text(STREAM)
    code, out, _ = run(capsys, "--fix", str(path))
    assert (code, path.read_text()) == (0, STREAM_FIXED)
    assert out == "Found 1 error (1 fixed, 0 remaining).\n"
    assert run(capsys, "--fix", str(path))[0] == 0 and path.read_text() == STREAM_FIXED


def test_unsafe_fixes_apply_only_with_the_flag(tmp_path: Path, capsys) -> None:
    path = tmp_path / "m.py"
    path.write_text(LEAK)
    run(capsys, "--fix", str(path))
    assert path.read_text() == LEAK
    run(capsys, "--fix", "--unsafe-fixes", str(path))
    assert "with httpx.Client() as client:" in path.read_text()


def test_diff_prints_and_writes_nothing(tmp_path: Path, capsys) -> None:
    path = tmp_path / "m.py"
    path.write_text(STREAM)
    code, out, err = run(capsys, "--diff", str(path))
    assert code == 1 and path.read_text() == STREAM
    assert out.startswith(f"--- {path}\n+++ {path}\n@@")
    assert "+    with requests.get(url, stream=True, timeout=5) as response:\n" in out
    assert "Would fix 1 error." in err
    path.write_text(STREAM_FIXED)
    assert run(capsys, "--diff", str(path))[:2] == (0, "")


@pytest.mark.parametrize(
    ("label", "data"),
    [
        ("crlf", STREAM.replace("\n", "\r\n").encode()),
        ("bom", b"\xef\xbb\xbf" + STREAM.encode()),
        ("latin-1 cookie", ("# -*- coding: latin-1 -*-\n# caf\xe9\n" + STREAM).encode("latin-1")),
        ("tabs and mixed endings", STREAM.replace("    ", "\t").replace("\n", "\r\n", 2).encode()),
    ],
)
def test_encoding_bom_and_line_endings_are_kept(tmp_path: Path, capsys, label: str, data: bytes) -> None:
    path = tmp_path / "m.py"
    path.write_bytes(data)
    path.chmod(0o754)
    run(capsys, "--fix", str(path))
    new = path.read_bytes()
    assert new != data
    ast.parse(new)
    assert stat.S_IMODE(path.stat().st_mode) == 0o754
    if label == "crlf":
        assert new.count(b"\r\n") == new.count(b"\n") and b"with requests.get" in new
    if label == "bom":
        assert new.startswith(b"\xef\xbb\xbf") and new.count(b"\xef\xbb\xbf") == 1
    if label == "latin-1 cookie":
        assert b"# caf\xe9\n" in new
    if label == "tabs and mixed endings":
        assert new.startswith(b"import requests\r\n\r\n\n") and b"\twith requests.get" in new
    # only the edited lines differ
    old_lines, new_lines = data.splitlines(), new.splitlines()
    assert old_lines[:4] == new_lines[:4] if label != "latin-1 cookie" else old_lines[:6] == new_lines[:6]


def test_unparsable_file_is_never_written(tmp_path: Path, capsys) -> None:
    path = tmp_path / "m.py"
    broken = STREAM + "def g(:\n"
    path.write_text(broken)
    code, out, _ = run(capsys, "--fix", str(path))
    assert code == 1 and "E999" in out and path.read_text() == broken


def test_interrupted_write_leaves_the_old_file(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "m.py"
    path.write_text(STREAM)

    def explode(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr(codemod.os, "replace", explode)
    with pytest.raises(KeyboardInterrupt):
        codemod.write_atomically(str(path), STREAM_FIXED.encode())
    assert path.read_text() == STREAM
    assert [p.name for p in tmp_path.iterdir()] == ["m.py"]


def test_write_is_a_rename(tmp_path: Path) -> None:
    path = tmp_path / "m.py"
    path.write_text(STREAM)
    before = path.stat().st_ino
    codemod.write_atomically(str(path), STREAM_FIXED.encode())
    assert path.read_text() == STREAM_FIXED and path.stat().st_ino != before


def test_a_fix_that_would_break_the_file_is_dropped(monkeypatch) -> None:
    monkeypatch.setattr(codemod, "apply_edits", lambda text, edits: text + "def broken(:\n")
    result = fix_source(STREAM.encode(), "m.py", [RULES["HTL201"]()], unsafe=True)
    assert result.source is None and [d.code for d in result.remaining] == ["HTL201"]


def test_a_fix_that_adds_a_finding_is_dropped(monkeypatch) -> None:
    extra = "\n\ndef g(url):\n    r = requests.get(url, stream=True, timeout=5)\n    return r.status_code\n"
    monkeypatch.setattr(codemod, "apply_edits", lambda text, edits: STREAM_FIXED + extra)
    result = fix_source(STREAM.encode(), "m.py", [RULES["HTL201"]()], unsafe=True)
    assert result.source is None


def test_libcst_is_not_imported_to_check(tmp_path: Path) -> None:
    import subprocess
    import sys

    path = tmp_path / "m.py"
    path.write_text(STREAM)
    script = (
        "import sys; from httplint.cli import main; main([sys.argv[1]]); "
        "print('libcst' in sys.modules, file=sys.stderr)"
    )
    result = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True, text=True, check=False)
    assert result.stderr.strip() == "False"


def test_show_fixes_lists_what_each_fix_did(tmp_path: Path) -> None:
    import subprocess
    import sys

    source = ("import requests\n\n\ndef send(url):\n    return requests.post(url, timeout=None).json()\n\n\n"
              "def f(u):\n    r = requests.get(u, stream=True, timeout=5)\n    return r.headers\n")
    (tmp_path / "s.py").write_text(source)
    diff = subprocess.run([sys.executable, "-m", "httplint", "--no-cache", "--diff", "--unsafe-fixes", "--show-fixes",
                           "s.py"], cwd=tmp_path, capture_output=True, text=True, check=False)
    assert diff.stderr.startswith("Would fix 2 errors:\n- s.py:\n    5:12 HTL302 Use `timeout=10` (unsafe)\n"
                                  "    9:9 HTL201 Wrap in `with`\n")
    fixed = subprocess.run([sys.executable, "-m", "httplint", "--no-cache", "--fix", "--unsafe-fixes", "--show-fixes",
                            "s.py"], cwd=tmp_path, capture_output=True, text=True, check=False)
    assert fixed.stdout.startswith("Fixed 2 errors:\n- s.py:\n    5:12 HTL302 Use `timeout=10` (unsafe)\n")
