"""The result cache and `-j`: same findings cold, warm and in parallel; a change invalidates."""

from __future__ import annotations

import json
from pathlib import Path

from httplint import runner
from httplint.cli import main

LEAK = "import httpx\n\n\ndef f(urls):\n    client = httpx.Client()\n    return [client.get(u) for u in urls]\n"
STREAM = "import requests\n\n\ndef f(u):\n    r = requests.get(u, stream=True, timeout=5)\n    return r.headers\n"


def run(capsys, monkeypatch, cwd: Path, *argv: str) -> tuple[int, str]:
    monkeypatch.chdir(cwd)
    code = main(list(argv))
    return code, capsys.readouterr().out


def tree(tmp_path: Path, count: int = 3) -> Path:
    for index in range(count):
        (tmp_path / f"leak{index}.py").write_text(LEAK)
        (tmp_path / f"stream{index}.py").write_text(STREAM)
        (tmp_path / f"plain{index}.py").write_text("print('no http here')\n")
    return tmp_path


def test_warm_run_reads_the_cache_and_gives_the_same_output(tmp_path, capsys, monkeypatch) -> None:
    tree(tmp_path)
    (tmp_path / ".httplint_cache").mkdir()
    (tmp_path / ".httplint_cache" / "results.json").write_text("{}")  # an older version's cache file
    cold = run(capsys, monkeypatch, tmp_path, ".")
    assert (tmp_path / ".httplint_cache" / "results.marshal").exists()
    assert not (tmp_path / ".httplint_cache" / "results.json").exists()
    calls = []
    real = runner.check_files
    monkeypatch.setattr(runner, "check_files", lambda paths, *rest: calls.extend(paths) or real(paths, *rest))
    warm = run(capsys, monkeypatch, tmp_path, ".")
    assert warm == cold and calls == []
    assert "HTL201 [*]" in warm[1]  # fix availability survives the cache


def test_a_changed_file_is_checked_again(tmp_path, capsys, monkeypatch) -> None:
    tree(tmp_path)
    run(capsys, monkeypatch, tmp_path, ".")
    (tmp_path / "leak0.py").write_text(LEAK.replace("return [client.get(u) for u in urls]", "return client"))
    code, out = run(capsys, monkeypatch, tmp_path, ".")
    assert "leak0.py" not in out and "leak1.py" in out


def test_configuration_is_part_of_the_key(tmp_path, capsys, monkeypatch) -> None:
    tree(tmp_path)
    run(capsys, monkeypatch, tmp_path, ".")
    assert "HTL104" not in run(capsys, monkeypatch, tmp_path, "--ignore", "HTL104", ".")[1]
    (tmp_path / "pyproject.toml").write_text('[tool.httplint]\nignore = ["HTL2"]\n')
    assert "HTL201" not in run(capsys, monkeypatch, tmp_path, ".")[1]


def test_no_cache_neither_reads_nor_writes(tmp_path, capsys, monkeypatch) -> None:
    tree(tmp_path)
    run(capsys, monkeypatch, tmp_path, "--no-cache", ".")
    assert not (tmp_path / ".httplint_cache").exists()


def test_parallel_gives_the_serial_findings_in_order(tmp_path, capsys, monkeypatch) -> None:
    tree(tmp_path, count=30)
    monkeypatch.setattr(runner, "PARALLEL_THRESHOLD", 10)
    serial = run(capsys, monkeypatch, tmp_path, "--no-cache", "-j", "1", "--format", "json", ".")
    parallel = run(capsys, monkeypatch, tmp_path, "--no-cache", "-j", "2", "--format", "json", ".")
    assert serial == parallel
    assert len(json.loads(parallel[1])) == 60


def test_cache_survives_an_unwritable_folder(tmp_path, capsys, monkeypatch) -> None:
    tree(tmp_path)
    (tmp_path / ".httplint_cache").write_text("not a folder")
    code, out = run(capsys, monkeypatch, tmp_path, ".")
    assert code == 1 and "HTL104" in out


def test_parallel_packages_give_the_serial_findings(tmp_path, capsys, monkeypatch) -> None:
    """A package whose factories make other modules worth checking (shop), spread over workers."""
    import shutil

    shutil.copytree(Path(__file__).parent / "fixtures" / "project" / "shop", tmp_path / "shop")
    tree(tmp_path, count=10)
    monkeypatch.setattr(runner, "PARALLEL_THRESHOLD", 10)
    monkeypatch.setattr(runner, "SCAN_CHUNK", 4)
    serial = run(capsys, monkeypatch, tmp_path, "--no-cache", "-j", "1", "--format", "json", ".")
    parallel = run(capsys, monkeypatch, tmp_path, "--no-cache", "-j", "2", "--format", "json", ".")
    assert serial == parallel
    paths = {Path(d["path"]).name for d in json.loads(parallel[1])}
    assert {"services.py", "leak0.py", "stream9.py"} <= paths  # services.py imports no HTTP library


def test_one_module_of_a_package_gets_the_package_index(tmp_path, capsys, monkeypatch) -> None:
    """Named alone, services.py still sees the factories of shop/http.py (read for the index only)."""
    import shutil

    shutil.copytree(Path(__file__).parent / "fixtures" / "project" / "shop", tmp_path / "shop")
    whole = run(capsys, monkeypatch, tmp_path, "--no-cache", "--format", "json", ".")
    alone = run(capsys, monkeypatch, tmp_path, "--no-cache", "--format", "json", "shop/services.py")
    expected = [d for d in json.loads(whole[1]) if d["path"].endswith("services.py")]
    assert expected and json.loads(alone[1]) == [{**d, "path": "shop/services.py"} for d in expected]


def test_a_run_answered_from_the_cache_imports_no_analysis(tmp_path) -> None:
    """A warm run whose every file is cached never imports the engine, the rules or the analysis
    (a fifth of its time), fixable findings included; it still reports bad selectors, and an
    empty run checks them too."""
    import os
    import subprocess
    import sys

    tree(tmp_path)
    show = (
        "import sys, runpy\n"
        "sys.argv = ['httplint', *sys.argv[1:]]\n"
        "try:\n"
        "    runpy.run_module('httplint', run_name='__main__')\n"
        "finally:\n"
        "    print('MODULES', *sorted(m for m in sys.modules if m.startswith('httplint')), file=sys.stderr)\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}

    def httplint(*argv: str, cwd: Path = tmp_path) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-c", show, *argv], cwd=cwd, capture_output=True, text=True, env=env)

    cold = httplint(".")
    warm = httplint(".")
    assert warm.stdout == cold.stdout and "HTL201 [*]" in warm.stdout
    loaded = warm.stderr.split("MODULES", 1)[1].split()
    assert "httplint.engine" in cold.stderr.split("MODULES", 1)[1].split()
    assert not {"httplint.engine", "httplint.rules", "httplint.resources", "httplint.fix"} & set(loaded), loaded
    assert httplint("--select", "HTL999", ".").returncode == 2  # a new key: nothing cached under it
    (tmp_path / "empty").mkdir()
    assert httplint("--select", "HTL999", "empty").returncode == 2


def checked_by(monkeypatch) -> list[str]:
    """The files the next runs hand to the checker (the rest come from the cache)."""
    calls: list[str] = []
    real = runner.check_files

    def spy(paths, *rest):
        paths = list(paths)  # (a generator without the cache)
        calls.extend(paths)
        return real(paths, *rest)

    monkeypatch.setattr(runner, "check_files", spy)
    return calls


def test_a_touched_unchanged_file_comes_from_the_cache(tmp_path, capsys, monkeypatch) -> None:
    import os

    tree(tmp_path)
    cold = run(capsys, monkeypatch, tmp_path, ".")
    stat = (tmp_path / "leak1.py").stat()
    os.utime(tmp_path / "leak1.py", ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    calls = checked_by(monkeypatch)
    assert run(capsys, monkeypatch, tmp_path, ".") == cold and calls == []  # same content: its digest matches
    assert run(capsys, monkeypatch, tmp_path, ".") == cold and calls == []  # the new time was remembered


def test_a_change_elsewhere_in_the_package_checks_its_modules_again(tmp_path, capsys, monkeypatch) -> None:
    package = tmp_path / "shop"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "http.py").write_text("import requests\n\n\ndef make():\n    return requests.Session()\n")
    (package / "sub").mkdir()
    (package / "sub" / "__init__.py").write_text("")
    (package / "sub" / "use.py").write_text(
        "from shop.http import make\n\n\ndef get(u):\n    return make().get(u, timeout=5).json()\n"
    )
    first = run(capsys, monkeypatch, tmp_path, ".")[1]
    assert "use.py" in first  # the factory's client is never closed
    (package / "http.py").write_text("import requests\n\n\ndef make():\n    return None\n")
    calls = checked_by(monkeypatch)
    second = run(capsys, monkeypatch, tmp_path, ".")[1]
    assert "use.py" not in second and any(path.endswith("use.py") for path in calls)
    assert second == run(capsys, monkeypatch, tmp_path, "--no-cache", ".")[1]


def test_files_added_and_removed_in_a_folder(tmp_path, capsys, monkeypatch) -> None:
    tree(tmp_path)
    run(capsys, monkeypatch, tmp_path, ".")
    (tmp_path / "leak2.py").unlink()
    (tmp_path / "leak9.py").write_text(LEAK)
    calls = checked_by(monkeypatch)
    warm = run(capsys, monkeypatch, tmp_path, ".")
    assert "leak2.py" not in warm[1] and "leak9.py" in warm[1] and [Path(p).name for p in calls] == ["leak9.py"]
    assert warm == run(capsys, monkeypatch, tmp_path, "--no-cache", ".")
    calls.clear()  # (the run without the cache checked every file)
    assert run(capsys, monkeypatch, tmp_path, ".") == warm and calls == []


def test_a_file_named_alone_then_its_folder(tmp_path, capsys, monkeypatch) -> None:
    tree(tmp_path)
    alone = run(capsys, monkeypatch, tmp_path, "leak1.py")
    assert alone == run(capsys, monkeypatch, tmp_path, "--no-cache", "leak1.py")
    calls = checked_by(monkeypatch)
    whole = run(capsys, monkeypatch, tmp_path, ".")
    assert whole == run(capsys, monkeypatch, tmp_path, "--no-cache", ".") and "leak1.py" in whole[1]
    calls.clear()  # (the run without the cache checked every file)
    assert run(capsys, monkeypatch, tmp_path, "leak1.py") == alone and calls == []


def test_a_time_that_does_not_pack_is_no_error(tmp_path, capsys, monkeypatch) -> None:
    import os

    tree(tmp_path, 1)
    cold = run(capsys, monkeypatch, tmp_path, ".")
    far = 2**63 + 10**9  # past what a signed 64-bit count of nanoseconds holds (year 2262)
    try:
        os.utime(tmp_path / "leak0.py", ns=(far, far))
    except (OverflowError, OSError):
        import pytest

        pytest.skip("this file system cannot hold such a time")
    assert run(capsys, monkeypatch, tmp_path, ".") == cold
    assert run(capsys, monkeypatch, tmp_path, ".") == cold
