"""The distribution: its name, version from one place, metadata, the files the wheel and the sdist
carry (the sdist's own tests run), and a test run with PyPI unreachable."""

from __future__ import annotations

import email
import os
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

import httplint

ROOT = Path(__file__).resolve().parents[1]


def _build(out: Path) -> tuple[Path, Path]:
    pytest.importorskip("build", reason="the `build` package (test extra) builds the sdist and wheel")
    pytest.importorskip("setuptools", reason="the build runs without isolation, offline")
    result = subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--sdist", "--wheel", "--outdir", str(out), str(ROOT)],
        capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    return next(out.glob("*.tar.gz")), next(out.glob("*.whl"))


@pytest.fixture(scope="module")
def dists(tmp_path_factory) -> tuple[Path, Path]:
    return _build(tmp_path_factory.mktemp("dist"))


def test_wheel_metadata_and_files(dists) -> None:
    _, wheel = dists
    assert wheel.name == f"httpclint-{httplint.__version__}-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        info = f"httpclint-{httplint.__version__}.dist-info"
        metadata = email.message_from_bytes(archive.read(f"{info}/METADATA"))
        entry_points = archive.read(f"{info}/entry_points.txt").decode()
    assert f"{info}/licenses/LICENSE" in names and "httplint/py.typed" in names
    assert metadata["Name"] == "httpclint" and metadata["Version"] == httplint.__version__
    assert metadata["License-Expression"] == "MIT"
    urls = dict(u.split(", ", 1) for u in metadata.get_all("Project-URL"))
    assert urls["Homepage"] == httplint.REPOSITORY and {"Documentation", "Changelog", "Issues"} <= set(urls)
    classifiers = metadata.get_all("Classifier")
    from trove_classifiers import classifiers as known

    assert set(classifiers) <= known, set(classifiers) - known
    assert "Framework :: Flake8" in classifiers and "Programming Language :: Python :: 3.10" in classifiers
    assert metadata.get_all("Author") or metadata.get_all("Author-email")
    assert "httplint = httplint.cli:main" in entry_points and "HTL = httplint.flake8_plugin:Plugin" in entry_points


def test_sdist_carries_what_its_tests_need_and_they_run(dists, tmp_path) -> None:
    sdist, _ = dists
    with tarfile.open(sdist) as archive:
        archive.extractall(tmp_path, filter="data")
    [top] = tmp_path.iterdir()
    for needed in ("LICENSE", "CHANGELOG.md", "README.md", "pyproject.toml", ".pre-commit-hooks.yaml",
                   "action.yml", "docs/rules.md", "examples/weather_service/legacy.py", "tests/support.py",
                   "tests/data/sarif-schema-2.1.0.json", "tests/fixtures/HTL104.py",
                   "tests/fixtures/project/shop/http.py", "tests/fixtures/policy/tests/test_downloads.py"):
        assert (top / needed).is_file(), needed
    assert not list(top.rglob("__pycache__")) and not list(top.rglob(".httplint_cache"))
    # the sdist's own tests, against the installed httplint (fixtures and goldens resolve inside the sdist)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_fixtures.py",
         "tests/test_fixes.py", "tests/test_docs.py", "tests/test_project.py"],
        cwd=top, capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:]


def test_version_is_written_once() -> None:
    text = (ROOT / "pyproject.toml").read_text()
    assert 'dynamic = ["version"]' in text and "\nversion =" not in text.split("[tool.setuptools.dynamic]")[0]
    changelog = (ROOT / "CHANGELOG.md").read_text()
    assert f"## {httplint.__version__}" in changelog


def test_version_output_names_the_distribution(capsys) -> None:
    from httplint.cli import main

    assert main(["--version"]) == 0
    assert capsys.readouterr().out.startswith(f"httpclint {httplint.__version__} (the httplint command of ")


def test_suite_passes_with_pypi_unreachable(tmp_path) -> None:
    """The tests that reach PyPI (pre-commit's hook install, the fix-at-scale wheels) skip with a
    reason; the SARIF tests use the schema shipped in tests/data."""
    env = {**os.environ, "PIP_NO_INDEX": "1", "PIP_INDEX_URL": "http://127.0.0.1:9/simple/", "PIP_FIND_LINKS": "",
           "PIP_CONFIG_FILE": os.devnull, "HOME": str(tmp_path), "HTTPLINT_TEST_CACHE": str(tmp_path / "cache")}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", "tests/test_pre_commit.py",
         "tests/test_formats.py", "tests/test_fix_scale.py::test_fix_on_real_packages"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False,
    )
    out = result.stdout
    assert result.returncode == 0, out[-3000:]
    skipped = [line for line in out.splitlines() if line.startswith("SKIPPED")]
    assert len(skipped) >= 3 and all("PyPI unreachable: PIP_NO_INDEX is set" in line for line in skipped), out
    assert " passed" in out  # the SARIF tests, with the shipped schema
