"""Bad input: each case gets one clear line (path, what is wrong) and the run goes on.

Every case shares a tree with a file that has a real finding (`good.py`, HTL104): the run
must still report it, exit 1 (findings), and never print a traceback.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from httplint import engine
from httplint.cli import main

GOOD = "import httpx\n\n\ndef f(urls):\n    client = httpx.Client()\n    return [client.get(u) for u in urls]\n"
CALL = b"import requests\n\n\ndef f(u):\n    return requests.get(u, timeout=5)\n"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["--no-cache", "-j1", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def lines_about(out: str, path: Path) -> list[str]:
    return [line for line in out.splitlines() if line.startswith(f"{path}:")]


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    (tmp_path / "good.py").write_text(GOOD)
    return tmp_path


def expect_one_line(capsys, tree: Path, bad: Path, *needles: str, argv: tuple[str, ...] = ()) -> str:
    code, out, err = run(capsys, *(argv or (str(tree),)))
    assert "Traceback" not in out + err
    assert f"{tree}/good.py:5:14: HTL104" in out, out  # the run went on
    assert code == 1
    about = lines_about(out, bad)
    assert len(about) == 1, out
    for needle in needles:
        assert needle in about[0], about[0]
    return about[0]


# -- contents -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "data", "needles"),
    [
        ("syntax error, where", CALL + b"def g(:\n    pass\n", (":6:7: E999 SyntaxError:",)),
        ("undecodable bytes", CALL + b"x = '\xff\xfe'\n", ("E999", "utf-8")),
        ("wrong encoding cookie", b"# -*- coding: klingon -*-\n" + CALL, ("E999", "klingon")),
        ("NUL bytes", CALL + b"x = 1\x00\n", ("E999", "null")),
        ("inconsistent tabs", CALL + b"def g():\n\tif x:\n        pass\n", ("E999", "TabError")),
    ],
)
def test_unreadable_contents_get_one_line(tree: Path, capsys, label: str, data: bytes, needles) -> None:
    bad = tree / "bad.py"
    bad.write_bytes(data)
    expect_one_line(capsys, tree, bad, *needles)


@pytest.mark.parametrize(
    ("label", "data", "line"),
    [
        ("bom", b"\xef\xbb\xbf" + GOOD.encode(), 5),
        ("crlf", GOOD.replace("\n", "\r\n").encode(), 5),
        ("mixed", GOOD.replace("\n", "\r\n", 2).encode(), 5),
        ("cr", GOOD.replace("\n", "\r").encode(), 5),
        ("tabs", GOOD.replace("    ", "\t").encode(), 5),
        ("latin-1 cookie", b"# -*- coding: latin-1 -*-\n# caf\xe9\n" + GOOD.encode(), 7),
    ],
)
def test_unusual_but_valid_files_are_checked(tmp_path: Path, capsys, label: str, data: bytes, line: int) -> None:
    path = tmp_path / "m.py"
    path.write_bytes(data)
    code, out, err = run(capsys, str(path))
    assert code == 1 and f"{path}:{line}:" in out and "HTL104" in out, (label, out, err)


def test_empty_file(tree: Path, capsys) -> None:
    (tree / "empty.py").write_bytes(b"")
    code, out, _ = run(capsys, str(tree))
    assert code == 1 and "empty.py" not in out


def test_file_too_large_is_skipped_with_a_message(tree: Path, capsys) -> None:
    bad = tree / "huge.py"
    filler = b"x = 1  # padding padding padding padding padding padding padding padding\n"
    with open(bad, "wb") as handle:
        handle.write(CALL)
        handle.write(filler * (50 * 2**20 // len(filler)))  # 50 MiB
    expect_one_line(capsys, tree, bad, f"{bad}:1:1: E902 file too large to analyse (50.0 MiB")


def test_deeply_nested_file(tree: Path, capsys) -> None:
    bad = tree / "deep.py"
    bad.write_bytes(CALL + b"x = " + b"[" * 1000 + b"]" * 1000 + b"\n")
    expect_one_line(capsys, tree, bad, "E999")


# -- paths ----------------------------------------------------------------------------------


def test_path_that_does_not_exist(tree: Path, capsys) -> None:
    missing = tree / "missing.py"
    expect_one_line(capsys, tree, missing, "E902 FileNotFoundError", argv=(str(tree), str(missing)))


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_unreadable_file(tree: Path, capsys, monkeypatch) -> None:
    bad = tree / "secret.py"
    bad.write_bytes(CALL)
    if os.geteuid() == 0:  # root reads anything: refuse the opens instead
        import builtins

        real_os_open, real_open = os.open, builtins.open

        def deny_os_open(path, *args, **kwargs):
            if str(path) == str(bad):
                raise PermissionError(13, "Permission denied", str(path))
            return real_os_open(path, *args, **kwargs)

        def deny_open(path, *args, **kwargs):
            if str(path) == str(bad):
                raise PermissionError(13, "Permission denied", str(path))
            return real_open(path, *args, **kwargs)

        monkeypatch.setattr(os, "open", deny_os_open)
        monkeypatch.setattr(builtins, "open", deny_open)
    else:
        bad.chmod(0)
    try:
        expect_one_line(capsys, tree, bad, "E902 PermissionError")
    finally:
        bad.chmod(0o644)


@pytest.mark.skipif(sys.platform == "win32", reason="symbolic links")
def test_symlink_loop(tree: Path, capsys) -> None:
    loop = tree / "loop.py"
    os.symlink(loop, loop)
    line = expect_one_line(capsys, tree, loop, "E902")
    assert "symbolic links" in line
    # named on the command line too
    expect_one_line(capsys, tree, loop, "E902", argv=(str(tree / "good.py"), str(loop)))


@pytest.mark.skipif(sys.platform == "win32", reason="symbolic links")
def test_folder_symlink_cycle_is_not_followed(tree: Path, capsys) -> None:
    (tree / "sub").mkdir()
    os.symlink(tree, tree / "sub" / "back")
    code, out, err = run(capsys, str(tree))
    assert code == 1 and out.count("HTL104") == 1 and "Traceback" not in err


def test_folder_named_like_a_module(tree: Path, capsys) -> None:
    folder = tree / "x.py"
    folder.mkdir()
    (folder / "inner.py").write_text(GOOD)
    code, out, _ = run(capsys, str(tree))
    assert code == 1 and f"{folder}/inner.py:5:14: HTL104" in out
    code, out, _ = run(capsys, str(folder))
    assert code == 1 and f"{folder}/inner.py:5:14: HTL104" in out


def test_non_python_file_given_by_name(tree: Path, capsys) -> None:
    bad = tree / "README.md"
    bad.write_text("# Notes\n\nimport requests\n")
    expect_one_line(capsys, tree, bad, "E902 not a Python file", argv=(str(tree / "good.py"), str(bad)))
    script = tree / "tool"
    script.write_text("#!/usr/bin/env python3\n" + GOOD)
    code, out, _ = run(capsys, str(script))
    assert code == 1 and f"{script}:6:14: HTL104" in out


def test_non_python_files_in_a_folder_are_not_read(tree: Path, capsys) -> None:
    (tree / "data.bin").write_bytes(b"\x00\xff" * 1000)
    code, out, _ = run(capsys, str(tree))
    assert code == 1 and "data.bin" not in out


def test_bad_configuration_table(tree: Path, capsys) -> None:
    (tree / "pyproject.toml").write_text("[tool.httplint]\nselect = 3\n")
    code = main(["--config", str(tree / "pyproject.toml"), str(tree)])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    [line] = err.strip().splitlines()
    assert str(tree / "pyproject.toml") in line and "'select'" in line and "Traceback" not in err


def test_engine_never_raises_on_any_bad_bytes() -> None:
    rules = engine.select_rules(["ALL"])
    for data in (b"\xff" * 10, b"\x00", b"import requests\nrequests.get(\n", b"\r\r\r", b"\t" * 100, CALL * 2):
        for found in (engine.check_source(data, "x.py", rules),):
            assert all(d.code in ("E999", "E902") or d.code.startswith("HTL") for d in found)
