"""Which files a run checks: folders are walked, skipping VCS folders, virtualenvs,
caches and what ``.gitignore`` files ignore (matched by ``pathspec``)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Iterator

import pathspec

SKIPPED_DIRS = frozenset(
    {".git", ".hg", ".svn", ".bzr", "__pycache__", ".tox", ".nox", ".venv", "venv", ".mypy_cache",
     ".pytest_cache", ".ruff_cache", ".httplint_cache", "node_modules", "site-packages", "__pypackages__",
     ".eggs", ".direnv", "buck-out", "_build"}
)
PYTHON_SUFFIXES = (".py", ".pyi")


@dataclass(frozen=True)
class Missing:
    """A path given on the command line that does not exist."""

    path: str


def _is_virtualenv(path: str) -> bool:
    return os.path.isfile(os.path.join(path, "pyvenv.cfg")) or os.path.isfile(
        os.path.join(path, "conda-meta", "history")
    )


def _gitignore(directory: str) -> pathspec.PathSpec | None:
    path = os.path.join(directory, ".gitignore")
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return pathspec.GitIgnoreSpec.from_lines(handle)
    except OSError:
        return None


def iter_python_files(
    paths: list[str], exclude: pathspec.PathSpec | None = None, base: str | None = None
) -> Iterator[str | Missing]:
    """Yield the Python files under ``paths``, in sorted order, and a :class:`Missing` for each bad path.

    Args:
        paths: files and folders as given.
        exclude: patterns (gitignore syntax, relative to ``base``) of folders and files to skip
            while walking; default: :data:`SKIPPED_DIRS` anywhere.
        base: the folder ``exclude`` is relative to (default: the working folder).

    A file named explicitly is always yielded, whatever its suffix or ignore status.
    """
    if exclude is None:
        exclude = pathspec.GitIgnoreSpec.from_lines(f"{name}/" for name in sorted(SKIPPED_DIRS))
    base = os.path.abspath(base or os.getcwd())
    for given in paths:
        if os.path.isdir(given):
            yield from _walk(given, exclude, base)
        elif os.path.exists(given) or os.path.islink(given):
            yield given
        else:
            yield Missing(given)


def _walk(root: str, exclude: pathspec.PathSpec, base: str) -> Iterator[str]:
    specs: list[tuple[str, pathspec.PathSpec]] = []
    parent_ignores = _ancestor_gitignores(root)
    specs.extend(parent_ignores)
    seen: set[tuple[int, int]] = set()
    for directory, dirnames, filenames in os.walk(root, followlinks=False):
        try:
            stat = os.stat(directory)
            key = (stat.st_dev, stat.st_ino)
        except OSError:
            dirnames[:] = []
            continue
        if key in seen:
            dirnames[:] = []
            continue
        seen.add(key)
        spec = _gitignore(directory)
        if spec is not None:
            specs.append((directory, spec))
        active = [(base, s) for base, s in specs if _is_within(directory, base)]
        kept = []
        for name in sorted(dirnames):
            full = os.path.join(directory, name)
            if _excluded(full, True, exclude, base) or _is_virtualenv(full) or _ignored(full, True, active):
                continue
            kept.append(name)
        dirnames[:] = kept
        for name in sorted(filenames):
            if not name.endswith(PYTHON_SUFFIXES):
                continue
            full = os.path.join(directory, name)
            if not _excluded(full, False, exclude, base) and not _ignored(full, False, active):
                yield full


def _excluded(path: str, is_dir: bool, exclude: pathspec.PathSpec, base: str) -> bool:
    absolute = os.path.abspath(path)
    if absolute.startswith(base.rstrip(os.sep) + os.sep):
        relative = os.path.relpath(absolute, base).replace(os.sep, "/")
    else:
        relative = os.path.basename(absolute)  # outside the project: match on the name
    return exclude.match_file(relative + "/" if is_dir else relative)


def _ancestor_gitignores(root: str) -> list[tuple[str, pathspec.PathSpec]]:
    """``.gitignore`` files above ``root`` up to the repository top (the folder holding ``.git``)."""
    found = []
    current = os.path.abspath(root)
    while True:
        parent = os.path.dirname(current)
        if os.path.isdir(os.path.join(current, ".git")) or parent == current:
            break
        current = parent
        spec = _gitignore(current)
        if spec is not None:
            found.append((current, spec))
    return found


def _is_within(path: str, base: str) -> bool:
    path, base = os.path.abspath(path), os.path.abspath(base)
    return path == base or path.startswith(base.rstrip(os.sep) + os.sep)


def _ignored(path: str, is_dir: bool, specs: list[tuple[str, pathspec.PathSpec]]) -> bool:
    for base, spec in specs:
        relative = os.path.relpath(os.path.abspath(path), os.path.abspath(base)).replace(os.sep, "/")
        if is_dir:
            relative += "/"
        if spec.match_file(relative):
            return True
    return False
