"""Which files a run checks: folders are walked, skipping VCS folders, virtualenvs,
caches and what ``.gitignore`` files ignore (matched by ``pathspec``)."""

from __future__ import annotations

import functools
import operator
import os
from dataclasses import dataclass
from typing import Iterable, Iterator

import pathspec

SKIPPED_DIRS = frozenset(
    {".git", ".hg", ".svn", ".bzr", "__pycache__", ".tox", ".nox", ".venv", "venv", ".mypy_cache",
     ".pytest_cache", ".ruff_cache", ".httplint_cache", "node_modules", "site-packages", "__pypackages__",
     ".eggs", ".direnv", "buck-out", "_build"}
)
PYTHON_SUFFIXES = (".py", ".pyi")
#: What a walk checks: Python files and Jupyter notebooks (:mod:`httplint.notebook`).
CHECKED_SUFFIXES = (*PYTHON_SUFFIXES, ".ipynb")


@dataclass(frozen=True)
class Missing:
    """A path given on the command line that does not exist."""

    path: str


@dataclass(frozen=True)
class NotPython:
    """A file given on the command line that is not Python: no ``.py``/``.pyi`` suffix and no
    ``python`` in a ``#!`` first line (pre-commit's ``types: [python]`` uses the same test)."""

    path: str


def _is_python_script(path: str) -> bool:
    if path.endswith(CHECKED_SUFFIXES):
        return True
    try:
        with open(path, "rb") as handle:
            first = handle.readline(256)
    except OSError:
        return True  # unreadable: let the check report why
    return first.startswith(b"#!") and b"python" in first


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
    paths: list[str], exclude: pathspec.PathSpec | None = None, base: str | None = None, force_exclude: bool = False
) -> Iterator[str | Missing | NotPython]:
    """Yield the Python files under ``paths``, in sorted order, and a :class:`Missing` for each bad path.

    Args:
        paths: files and folders as given.
        exclude: patterns (gitignore syntax, relative to ``base``) of folders and files to skip
            while walking; default: :data:`SKIPPED_DIRS` anywhere.
        base: the folder ``exclude`` is relative to (default: the working folder).

    A file named explicitly is always yielded, whatever its ignore status, unless
    ``force_exclude`` (ruff's ``--force-exclude``, for pre-commit and editors, which name files):
    then a named file or folder that ``exclude`` matches (itself or a folder above it, below
    ``base``) is skipped. One that is not Python (see :class:`NotPython`) is yielded as a
    :class:`NotPython`.
    """
    if exclude is None:
        exclude = pathspec.GitIgnoreSpec.from_lines(f"{name}/" for name in sorted(SKIPPED_DIRS))
    base = os.path.abspath(base or os.getcwd())
    for given in paths:
        if force_exclude and excluded(given, exclude, base):
            continue
        if os.path.isdir(given):
            yield from _walk(given, exclude, base)
        elif os.path.exists(given) or os.path.islink(given):
            yield given if _is_python_script(given) else NotPython(given)
        else:
            yield Missing(given)


def excluded(path: str, exclude: pathspec.PathSpec, base: str) -> bool:
    """``path`` or a folder above it (below ``base``) matches ``exclude``; outside ``base``, no."""
    full = os.path.abspath(path)
    prefix = base.rstrip(os.sep) + os.sep
    if not full.startswith(prefix):
        return False
    parts = full[len(prefix):].split(os.sep)
    if exclude.match_file("/".join(parts) + ("/" if os.path.isdir(full) else "")):
        return True
    return any(exclude.match_file("/".join(parts[:i]) + "/") for i in range(1, len(parts)))


def read_bytes(path: str) -> bytes:
    """A file's bytes, with plain ``os`` calls (a third cheaper than ``open().read()`` here,
    where every file of a tree is read).

    Raises:
        OSError: the file cannot be opened or read.
    """
    descriptor = os.open(path, os.O_RDONLY)
    try:
        want = max(os.fstat(descriptor).st_size + 1, 1 << 16)
        parts = []
        while chunk := os.read(descriptor, want):  # to the end: a read may return less
            parts.append(chunk)
        return parts[0] if len(parts) == 1 else b"".join(parts)
    finally:
        os.close(descriptor)


def absolute(path: str) -> str:
    """``os.path.abspath(path)``, computed once per folder (a run asks it of every file)."""
    folder, name = os.path.split(path)
    if not name or name in (".", ".."):
        return os.path.abspath(path)
    return os.path.join(absolute_folder(folder), name)


def absolute_folder(folder: str) -> str:
    """``os.path.abspath(folder)``, remembered for the working folder it was asked from."""
    return _absolute_folder(os.getcwd(), folder)


@functools.lru_cache(maxsize=65536)
def _absolute_folder(cwd: str, folder: str) -> str:
    return os.path.abspath(os.path.join(cwd, folder))


def inside_walk(folder: str | os.PathLike, walked: Iterable[str]) -> bool:
    """Whether the absolute ``folder`` is one of the ``walked`` folders or below one: the walk
    then found all its files (the excluded ones aside)."""
    prefix = f"{folder}{os.sep}"
    return any(prefix.startswith(absolute_folder(root).rstrip(os.sep) + os.sep) for root in walked)


def _folders_only(spec: pathspec.PathSpec) -> bool:
    """Every pattern of ``spec`` names folders (``name/``), none re-includes: then a file is
    excluded only through a folder, and the walk has pruned those already."""
    for pattern in spec.patterns:
        if pattern.include is None:
            continue  # comment or blank line
        if pattern.include is False or not str(getattr(pattern, "pattern", "")).rstrip().endswith("/"):
            return False
    return True


def _folder_names(spec: pathspec.PathSpec) -> frozenset[str] | None:
    """The folder names ``spec`` excludes, when every pattern is a plain ``name/`` (the
    default): then a folder is excluded exactly when its name is one of them, at any depth."""
    names = set()
    for pattern in spec.patterns:
        if pattern.include is None:
            continue
        text = str(getattr(pattern, "pattern", "")).strip()
        name = text[:-1]
        if pattern.include is False or not text.endswith("/") or not name or any(c in name for c in "*?[]/\\!"):
            return None
        names.add(name)
    return frozenset(names)


def _walk(root: str, exclude: pathspec.PathSpec, base: str) -> Iterator[str]:
    """Depth first, a folder's files before its subfolders, both in name order; one
    ``scandir`` a folder (its listing also tells whether it holds a ``.gitignore`` or is a
    virtualenv). Symbolic links to folders are not followed."""
    match_files = not _folders_only(exclude)
    # walking `.` prints `pkg/mod.py`, not `./pkg/mod.py` (paths as the user would write them)
    dot = "." + os.sep if root in (".", "." + os.sep) else ""
    excluded_names = _folder_names(exclude)
    seen: set[tuple[int, int]] = set()
    top = os.path.abspath(root)
    prefix = base.rstrip(os.sep) + os.sep
    # (path as given, absolute path, path relative to `base` or None when outside it, .gitignores)
    stack = [(root, top, _relative_to(top, base, prefix), _ancestor_gitignores(root))]
    by_name = operator.attrgetter("name")
    while stack:
        directory, absolute, relative, specs = stack.pop()
        try:
            with os.scandir(directory) as listing:
                entries = sorted(listing, key=by_name)
            stat = os.stat(directory)
        except OSError:
            continue
        if (stat.st_dev, stat.st_ino) in seen:
            continue  # a bind mount looping back
        seen.add((stat.st_dev, stat.st_ino))
        names = {entry.name for entry in entries}
        if directory != root and ("pyvenv.cfg" in names or ("conda-meta" in names and _is_virtualenv(directory))):
            continue
        if ".gitignore" in names:
            spec = _gitignore(directory)
            if spec is not None:
                specs = [*specs, (directory, spec)]
        folders = []
        for entry in entries:
            name = entry.name
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            if is_dir:
                if entry.is_symlink():
                    continue
                child = None if relative is None else (f"{relative}/{name}" if relative else name)
                if excluded_names is not None:
                    if name in excluded_names:
                        continue
                elif exclude.match_file((child if child is not None else name) + "/"):
                    continue
                if specs and _ignored(entry.path, True, specs):
                    continue
                folders.append((entry.path, f"{absolute}{os.sep}{name}", child, specs))
            elif name.endswith(CHECKED_SUFFIXES):
                full = entry.path
                if match_files and _excluded(full, False, exclude, base):
                    continue
                if specs and _ignored(full, False, specs):
                    continue
                yield full[len(dot):] if dot and full.startswith(dot) else full
        stack.extend(reversed(folders))


def _relative_to(absolute: str, base: str, prefix: str) -> str | None:
    """``absolute`` relative to ``base`` (``""`` for ``base`` itself), ``/``-separated, or ``None``."""
    if absolute == base.rstrip(os.sep):
        return ""
    if absolute.startswith(prefix):
        return absolute[len(prefix) :].replace(os.sep, "/")
    return None


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


def _ignored(path: str, is_dir: bool, specs: list[tuple[str, pathspec.PathSpec]]) -> bool:
    for base, spec in specs:
        relative = os.path.relpath(os.path.abspath(path), os.path.abspath(base)).replace(os.sep, "/")
        if is_dir:
            relative += "/"
        if spec.match_file(relative):
            return True
    return False
