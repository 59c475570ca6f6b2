"""The pre-commit hooks, driven through pre-commit itself (`pre-commit try-repo`) on a
temporary git repository: the check hook fails and names the finding, the fix hook
rewrites the file. pre-commit installs this repository into its own virtualenv, as users'
pre-commit does (one install, shared by both tests)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BAD = (
    "import requests\n"
    "\n"
    "\n"
    "def size(url):\n"
    "    response = requests.get(url, stream=True, timeout=5)\n"
    "    return response.headers['Content-Length']\n"
)


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


def git_repo(path: Path) -> Path:
    path.mkdir()
    (path / "app.py").write_text(BAD)
    (path / "notes.txt").write_text("requests.get(url, stream=True)\n")
    return git_repo_in(path)


def git_repo_in(path: Path) -> Path:
    """Commit what ``path`` holds in a new git repository there."""
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@t"}
    for command in (["git", "init", "-q"], ["git", "add", "."], ["git", "commit", "-qm", "init"]):
        subprocess.run(command, cwd=path, check=True, env=env, capture_output=True)
    return path


@pytest.fixture(autouse=True)
def _installable(needs_pypi) -> None:
    """pre-commit installs the hook's environment from the repository (a git checkout) with pip."""
    if not (ROOT / ".git").exists():
        pytest.skip("pre-commit try-repo needs the git checkout of this repository (not an sdist)")


def try_repo(repo: Path, hook: str, home: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), hook, "--all-files", "--verbose"],
        cwd=repo, capture_output=True, text=True, env={**os.environ, "PRE_COMMIT_HOME": str(home)}, check=False,
    )


@pytest.mark.skipif(shutil.which("git") is None, reason="pre-commit needs git")
def test_check_hook_fails_and_names_the_finding(tmp_path, pre_commit_home) -> None:
    repo = git_repo(tmp_path / "repo")
    result = try_repo(repo, "httplint", pre_commit_home)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "app.py:5:16: HTL201 [*] Response `response` holds its connection" in result.stdout
    assert "notes.txt" not in result.stdout.split("Failed")[-1]
    assert (repo / "app.py").read_text() == BAD


@pytest.mark.skipif(shutil.which("git") is None, reason="pre-commit needs git")
def test_fix_hook_rewrites_the_file(tmp_path, pre_commit_home) -> None:
    repo = git_repo(tmp_path / "repo")
    result = try_repo(repo, "httplint-fix", pre_commit_home)
    assert result.returncode == 1, result.stdout + result.stderr  # files were modified
    assert "files were modified by this hook" in result.stdout
    assert "    with requests.get(url, stream=True, timeout=5) as response:\n" in (repo / "app.py").read_text()
    again = try_repo(repo, "httplint-fix", pre_commit_home)
    assert again.returncode == 0, again.stdout


@pytest.mark.skipif(shutil.which("git") is None, reason="pre-commit needs git")
def test_hooks_honour_excludes_for_the_files_pre_commit_names(tmp_path, pre_commit_home) -> None:
    """pre-commit passes every staged file by name; the hooks run with --force-exclude, so a
    configured exclude keeps a file out of the check and out of the fix."""
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "legacy").mkdir()
    (repo / "legacy" / "old.py").write_text(BAD)
    (repo / "pyproject.toml").write_text('[tool.httplint]\nextend-exclude = ["legacy/"]\n')
    git_repo_in(repo)
    check = try_repo(repo, "httplint", pre_commit_home)
    assert check.returncode == 0 and "legacy/old.py" not in check.stdout, check.stdout + check.stderr
    fix = try_repo(repo, "httplint-fix", pre_commit_home)
    assert fix.returncode == 0 and (repo / "legacy" / "old.py").read_text() == BAD, fix.stdout
