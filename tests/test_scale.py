"""Real code at scale, and resources: no crash, no hang, no leak, bounded pathological files.

- The installed standard library and site-packages of this environment, linted by the
  command line (every rule, ``-j2``): exit 0 with ``--exit-zero``, no traceback.
- A sample of the same files (all of them with ``HTTPLINT_SCALE=full``) through the engine with
  the prefilter off, so that every file is parsed and analysed: no exception; a file taking
  longer than :data:`HANG_SECONDS` fails the test by name (``SIGALRM``). The slowest files are
  printed (``pytest -s``): the per-file bound is reported, not asserted.
- Memory stays flat: linting the same files again and again does not grow the heap.
- Pathological files (a 100k-line function, deep nesting) finish or are skipped with a message.

Marked ``slow``; the default run (and CI) includes the short mode.
"""

from __future__ import annotations

import gc
import json
import os
import signal
import subprocess
import sys
import sysconfig
import time
import tracemalloc
from pathlib import Path

import pytest

from support import EVERY_FILE

from httplint import engine
from httplint.engine import Linter, check_source, select_rules
from httplint.prefilter import PREFILTER

pytestmark = pytest.mark.slow
FULL = os.environ.get("HTTPLINT_SCALE") == "full"
HANG_SECONDS = 120
ALL = select_rules(["ALL"])
ROOTS = sorted({sysconfig.get_paths()["stdlib"], sysconfig.get_paths()["purelib"]})


def _python_files(root: str | None = None) -> list[str]:
    """Every ``.py`` file under the roots, listed directly: a ``.gitignore`` above the standard
    library (pyenv keeps its versions in a git checkout that ignores them) must not hide it."""
    files = []
    for top in [root] if root else ROOTS:
        for folder, dirnames, filenames in os.walk(top):
            dirnames[:] = [d for d in dirnames if d not in ("__pycache__", "site-packages")]
            files.extend(os.path.join(folder, name) for name in filenames if name.endswith(".py"))
    return sorted(set(files))


def test_command_line_on_stdlib_and_site_packages(tmp_path: Path) -> None:
    stdlib, purelib = sysconfig.get_paths()["stdlib"], sysconfig.get_paths()["purelib"]
    # site-packages walked; the standard library named file by file (see _python_files)
    command = [sys.executable, "-m", "httplint", "--no-cache", "-j2", "--select", "ALL", "--exit-zero",
               "--format", "json", purelib, *_python_files(stdlib)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=1800, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    findings = json.loads(result.stdout)
    codes = {d["code"] for d in findings}
    assert codes <= {*engine.RULES, "E999", "E902"}, codes
    print(f"\n{len(_python_files())} files under {ROOTS}: {len(findings)} findings "
          f"({sum(d['code'] == 'E999' for d in findings)} E999)")


def _alarm(signum, frame):
    raise TimeoutError(f"a file took longer than {HANG_SECONDS} s")


@pytest.mark.skipif(not hasattr(signal, "SIGALRM"), reason="needs SIGALRM")
def test_every_file_parsed_and_analysed_without_a_crash() -> None:
    files = _python_files()
    sample = files if FULL else files[:: max(1, len(files) // 400)]
    times: list[tuple[float, str, int]] = []
    flagged = 0
    previous = signal.signal(signal.SIGALRM, _alarm)
    try:
        for path in sample:
            try:
                source = Path(path).read_bytes()
            except OSError:
                continue
            signal.alarm(HANG_SECONDS)
            start = time.perf_counter()
            try:
                found = check_source(source, path, ALL, prefilter=EVERY_FILE, module="pkg.mod")
            except TimeoutError as error:
                pytest.fail(f"{path}: {error}")
            finally:
                signal.alarm(0)
            times.append((time.perf_counter() - start, path, len(source)))
            assert all(d.code in ("E999", "E902") or d.code in engine.RULES for d in found), (path, found)
            if any(d.code in engine.RULES for d in found):  # the prefilter must not drop a flagged file
                flagged += 1
                assert PREFILTER.search(source), (path, [d.code for d in found])
    finally:
        signal.signal(signal.SIGALRM, previous)
    assert len(times) >= min(200, len(sample) // 2)
    times.sort(reverse=True)
    total = sum(t for t, _, _ in times)
    print(f"\n{len(times)} files parsed and analysed in {total:.1f} s ({flagged} flagged, all kept by the "
          "prefilter); slowest:")
    for seconds, path, size in times[:5]:
        print(f"  {seconds:6.2f} s  {size / 1024:8.0f} KiB  {path}")


def test_memory_stays_flat_across_repeated_runs(tmp_path: Path) -> None:
    sources = [(tmp_path / f"m{i}.py", _module(i)) for i in range(150)]
    for path, data in sources:
        path.write_bytes(data)
    linter = Linter(select=["ALL"])

    def one_pass() -> int:
        found = 0
        for path, data in sources:
            found += len(linter.check_source(data, str(path)))
        return found

    tracemalloc.start()
    try:
        counts = [one_pass() for _ in range(2)]
        gc.collect()
        settled = tracemalloc.get_traced_memory()[0]
        counts += [one_pass() for _ in range(4)]
        gc.collect()
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert len(set(counts)) == 1 and counts[0] >= 150
    assert after - settled < 512 * 1024, f"heap grew by {(after - settled) / 1024:.0f} KiB over 4 passes"


def _module(index: int) -> bytes:
    return (f"import requests\nimport httpx\n\n\ndef fetch_{index}(urls):\n    session = requests.Session()\n"
            f"    for url in urls:\n        session.get(url)\n    return httpx.get(urls[0])\n").encode()


def test_a_100k_line_function_finishes() -> None:
    body = "".join(f"    r{i} = s.get(url + '{i}', timeout=5)\n" for i in range(100_000))
    source = ("import requests\n\n\ndef huge(url):\n    s = requests.Session()\n" + body + "    return r1\n").encode()
    previous = signal.signal(signal.SIGALRM, _alarm) if hasattr(signal, "SIGALRM") else None
    if previous is not None:
        signal.alarm(HANG_SECONDS)
    start = time.perf_counter()
    try:
        found = check_source(source, "huge.py", ALL)
    finally:
        if previous is not None:
            signal.alarm(0)
            signal.signal(signal.SIGALRM, previous)
    print(f"\n100k-line function: {time.perf_counter() - start:.1f} s, {len(found)} findings")
    assert [d.code for d in found] == ["HTL104"] or all(d.code.startswith("HTL") for d in found)


def test_deep_nesting_is_reported_not_raised() -> None:
    source = b"import requests\nrequests.get(u)\n" + b"def f():\n" + b"".join(
        b"    " * i + b"if x:\n" for i in range(1, 120)) + b"    " * 120 + b"pass\n"
    found = check_source(source, "deep.py", ALL)
    assert all(d.code in ("E999",) or d.code.startswith("HTL") for d in found)
