"""Which files a run checks: folders are walked, skipping VCS folders, virtualenvs,
caches and what ``.gitignore`` files ignore (matched by ``pathspec``)."""

from __future__ import annotations

import functools
import operator
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Iterator

if TYPE_CHECKING:
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


def _gitignore(directory: str) -> _Ignore | None:
    import pathspec  # imported when a .gitignore is first read: a warm run reads none

    path = os.path.join(directory, ".gitignore")
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return gitignore_matcher(pathspec.GitIgnoreSpec.from_lines(handle))
    except OSError:
        return None


_PLAIN_FOLDER = re.compile(r"[^\s*?\[\]/\\!#]([^*?\[\]/\\]*[^\s*?\[\]/\\])?/")


class FolderNames:
    """Exclude patterns that are all plain ``name/`` (the default, :data:`SKIPPED_DIRS`), matched
    as ``pathspec``'s ``GitIgnoreSpec`` matches them (a folder of one of the names, at any depth,
    and everything below it) without importing it.

    ``names``: the folder names.
    """

    def __init__(self, names: Iterable[str]) -> None:
        self.names = frozenset(names)

    @staticmethod
    @functools.lru_cache(maxsize=16)
    def of(patterns: tuple[str, ...]) -> FolderNames | None:
        """The names of ``patterns`` when every one is a plain ``name/``; else ``None``."""
        if not all(_PLAIN_FOLDER.fullmatch(pattern) and pattern not in ("./", "../") for pattern in patterns):
            return None
        return FolderNames(pattern[:-1] for pattern in patterns)

    def match_file(self, relative: str) -> bool:
        """Whether ``relative`` (``/``-separated, ending in ``/`` for a folder) lies in, or is, a
        folder of one of the names."""
        parts = relative.split("/")
        return any(part in self.names for part in parts[:-1])


def gitignore_matcher(spec: pathspec.PathSpec) -> _Ignore:
    """``spec`` with a quicker ``match_file(relative_path) -> bool`` giving the same answers."""
    return _Ignore(spec)


class _Ignore:
    """A ``.gitignore``'s spec, with one regular expression that matches where any of its
    patterns does: most paths match none, and one ``re.match`` then answers for all of them
    (``pathspec`` tries each pattern in turn, the last match deciding)."""

    def __init__(self, spec: pathspec.PathSpec) -> None:
        self.spec = spec
        self.any: re.Pattern[str] | None = None
        sources = []
        for pattern in spec.patterns:
            regex = getattr(pattern, "regex", None)
            if pattern.include is None:
                continue
            if regex is None or not isinstance(regex.pattern, str) or not regex.pattern.startswith("^") \
                    or regex.flags & ~re.UNICODE:
                return  # a shape this shortcut does not know: every path goes to pathspec
            sources.append(regex.pattern.replace("(?P<", f"(?P<_{len(sources)}_"))
        if sources:
            try:
                self.any = re.compile("|".join(f"(?:{source})" for source in sources))
            except re.error:
                self.any = None
        else:
            self.any = re.compile("(?!)")

    def match_file(self, relative: str) -> bool:
        if self.any is not None and self.any.match(relative) is None:
            return False
        return self.spec.match_file(relative)


def iter_python_files(
    paths: list[str], exclude: pathspec.PathSpec | FolderNames | None = None, base: str | None = None, force_exclude: bool = False,
    listings: FolderListings | None = None,
) -> Iterator[str | Missing | NotPython]:
    """Yield the Python files under ``paths``, in sorted order, and a :class:`Missing` for each bad path:
    :func:`iter_python_batches`, one file at a time."""
    for item in iter_python_batches(paths, exclude, base, force_exclude, listings):
        if isinstance(item, list):
            yield from item
        else:
            yield item


def iter_python_batches(
    paths: list[str], exclude: pathspec.PathSpec | FolderNames | None = None, base: str | None = None, force_exclude: bool = False,
    listings: FolderListings | None = None,
) -> Iterator[list[str] | Missing | NotPython]:
    """Yield the Python files under ``paths`` in sorted order, a list per folder (all the files
    of a list share their folder: a run works out what depends on the folder once), and a
    :class:`Missing` for each bad path.

    Args:
        paths: files and folders as given.
        exclude: patterns (gitignore syntax, relative to ``base``) of folders and files to skip
            while walking; default: :data:`SKIPPED_DIRS` anywhere.
        base: the folder ``exclude`` is relative to (default: the working folder).
        listings: the previous walk's folder listings (:class:`FolderListings`, made for the
            same ``exclude`` and ``base``), reused where a folder is unchanged; this walk's are
            left in its ``current``.

    A file named explicitly is always yielded, whatever its ignore status, unless
    ``force_exclude`` (ruff's ``--force-exclude``, for pre-commit and editors, which name files):
    then a named file or folder that ``exclude`` matches (itself or a folder above it, below
    ``base``) is skipped. One that is not Python (see :class:`NotPython`) is yielded as a
    :class:`NotPython`.
    """
    if exclude is None:
        exclude = FolderNames(SKIPPED_DIRS)
    base = os.path.abspath(base or os.getcwd())
    for given in paths:
        if force_exclude and excluded(given, exclude, base):
            continue
        if os.path.isdir(given):
            yield from _walk(given, exclude, base, listings)
        elif os.path.exists(given) or os.path.islink(given):
            yield [given] if _is_python_script(given) else NotPython(given)
        else:
            yield Missing(given)


def excluded(path: str, exclude: pathspec.PathSpec | FolderNames, base: str) -> bool:
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
        size = os.fstat(descriptor).st_size
        want = max(size + 1, 1 << 16)
        first = os.read(descriptor, want)
        if len(first) == size:
            return first  # the whole file, as its size said (a file grown since gives more)
        parts = [first]
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


def top_package(path: str) -> Path | None:
    """The highest folder of ``__init__.py`` files that holds ``path``, or ``None`` for a loose script."""
    return _top_of_folder(absolute_folder(os.path.dirname(path)))


def top_of_folder(folder: str) -> Path | None:
    """:func:`top_package` of the files in the absolute, normalised ``folder``."""
    return _top_of_folder(folder)


#: Names whose presence in a folder a run asks about (package ``__init__.py``, configuration).
MARKER_NAMES = ("__init__.py", "pyproject.toml")
#: Which :data:`MARKER_NAMES` the walk saw as files in each folder it listed (or whose listing it
#: reused), by absolute path: a bit per name. Asked by :func:`has_file` before the file system.
_MARKERS: dict[str, int] = {}


def _markers_of(entries) -> int:
    """The :data:`MARKER_NAMES` bits of a folder's ``os.scandir`` entries that are files."""
    bits = 0
    for entry in entries:
        if entry.name in MARKER_NAMES:
            try:
                if entry.is_file():
                    bits |= 1 << MARKER_NAMES.index(entry.name)
            except OSError:
                continue
    return bits


def has_file(folder: str, name: str) -> bool:
    """``os.path.isfile(os.path.join(folder, name))`` for the absolute ``folder``, answered from
    the walk's listing for a name of :data:`MARKER_NAMES` in a folder it listed (a warm run asks
    of every folder and lists none)."""
    bits = _MARKERS.get(folder)
    if bits is not None and name in MARKER_NAMES:
        return bool(bits & (1 << MARKER_NAMES.index(name)))
    return os.path.isfile(os.path.join(folder, name))


@functools.lru_cache(maxsize=65536)
def _top_of_folder(folder: str) -> Path | None:
    if not has_file(folder, "__init__.py"):
        return None
    parent = os.path.dirname(folder)
    if parent == folder:
        return Path(folder)
    return _top_of_folder(parent) or Path(folder)


def inside_walk(folder: str | os.PathLike, walked: Iterable[str]) -> bool:
    """Whether the absolute ``folder`` is one of the ``walked`` folders or below one: the walk
    then found all its files (the excluded ones aside)."""
    prefix = f"{folder}{os.sep}"
    return any(prefix.startswith(absolute_folder(root).rstrip(os.sep) + os.sep) for root in walked)


def _folders_only(spec: pathspec.PathSpec | FolderNames) -> bool:
    """Every pattern of ``spec`` names folders (``name/``), none re-includes: then a file is
    excluded only through a folder, and the walk has pruned those already."""
    if isinstance(spec, FolderNames):
        return True
    for pattern in spec.patterns:
        if pattern.include is None:
            continue  # comment or blank line
        if pattern.include is False or not str(getattr(pattern, "pattern", "")).rstrip().endswith("/"):
            return False
    return True


def _folder_names(spec: pathspec.PathSpec | FolderNames) -> frozenset[str] | None:
    """The folder names ``spec`` excludes, when every pattern is a plain ``name/`` (the
    default): then a folder is excluded exactly when its name is one of them, at any depth."""
    if not isinstance(spec, FolderNames):  # a pathspec spec of plain names: read as FolderNames.of reads them
        spec = FolderNames.of(tuple(str(getattr(p, "pattern", "")) for p in spec.patterns if p.include is not None))
    return spec.names if spec is not None else None


class FolderListings:
    """What the previous walk found in each folder, so that a warm run need not list them again.

    An entry, by absolute folder path: ``[inode, mtime_ns, ignore_key, own, subfolders, files,
    markers]``, the names the walk kept (after the exclude patterns, ``.gitignore`` files and
    symbolic links were applied) and which :data:`MARKER_NAMES` the folder holds as files (bits).
    It is reused when the folder's inode and modification time are unchanged
    (adding, removing or renaming an entry changes them) and so are the ``.gitignore`` files
    that apply (``ignore_key``: the folders above; ``own``: the folder's own, or ``None``; each
    a path, size and modification time). A folder changed within :data:`RACY_NS` of its listing is listed again next time
    (a timestamp's resolution can hide a second change; git's "racily clean" rule).

    ``key``: what else decides the listings (exclude patterns, base folder); ``previous``:
    the entries read from the cache, kept only under the same key.
    """

    RACY_NS = 2_000_000_000

    def __init__(self, key: str, previous: dict[str, list] | None = None) -> None:
        self.key = key
        self.previous = previous or {}
        self.current: dict[str, list] = {}
        self.now_ns = time.time_ns()
        self.reused = 0
        #: folders listed and remembered this run: the listings are worth saving only then (a
        #: folder listed again because it changed a moment ago, as the cache's own folder does
        #: to the root, is not)
        self.added = 0

    def remember(
        self, folder: str, stat: os.stat_result, ignore_key: str, own: str | None, folders: list[str], files: list[str],
        markers: int,
    ) -> None:
        if self.now_ns - stat.st_mtime_ns > self.RACY_NS and RACY not in ignore_key and own != RACY:
            self.current[folder] = [stat.st_ino, stat.st_mtime_ns, ignore_key, own, folders, files, markers]
            self.added += 1


RACY = "\0"  # a .gitignore's token when it changed very recently: its folders are listed again


def _gitignore_token(folder: str, now_ns: int) -> str | None:
    """The part of a folder's ``ignore_key`` that stands for its ``.gitignore``: path, size and
    modification time; :data:`RACY` (never stored) when it changed very recently."""
    try:
        stat = os.stat(os.path.join(folder, ".gitignore"))
    except OSError:
        return None
    if now_ns - stat.st_mtime_ns <= FolderListings.RACY_NS:
        return RACY
    return f"|{folder}:{stat.st_size}:{stat.st_mtime_ns}"


class _LazyIgnore:
    """A folder's ``.gitignore``, parsed the first time a path is matched against it (a warm walk
    reusing the listings below it never asks)."""

    def __init__(self, folder: str) -> None:
        self.folder = folder
        self._matcher: _Ignore | None | bool = False

    def match_file(self, relative: str) -> bool:
        if self._matcher is False:
            self._matcher = _gitignore(self.folder)
        return self._matcher is not None and self._matcher.match_file(relative)


def _join(folder: str, name: str) -> str:
    """``os.path.join(folder, name)`` as ``os.scandir`` builds an entry's path."""
    return folder + name if folder.endswith(os.sep) else f"{folder}{os.sep}{name}"


def _walk(
    root: str, exclude: pathspec.PathSpec | FolderNames, base: str, listings: FolderListings | None = None
) -> Iterator[list[str]]:
    """A list of files per folder that has any: depth first, a folder's files before its
    subfolders, both in name order; one
    ``scandir`` a folder (its listing also tells whether it holds a ``.gitignore`` or is a
    virtualenv), or none when ``listings`` holds the folder unchanged. Symbolic links to
    folders are not followed."""
    match_files = not _folders_only(exclude)
    # walking `.` prints `pkg/mod.py`, not `./pkg/mod.py` (paths as the user would write them)
    dot = "." + os.sep if root in (".", "." + os.sep) else ""
    excluded_names = _folder_names(exclude)
    seen: set[tuple[int, int]] = set()
    top = os.path.abspath(root)
    prefix = base.rstrip(os.sep) + os.sep
    now_ns = listings.now_ns if listings is not None else 0
    previous = listings.previous if listings is not None else {}
    ancestors = _ancestor_gitignores(root)
    top_key = "".join(_gitignore_token(folder.rstrip(os.sep) or os.sep, now_ns) or "" for folder, _ in ancestors)
    # (path as given, absolute path, path relative to `base` or None when outside it, .gitignores, their key)
    stack = [(root, top, _relative_to(top, base, prefix), ancestors, top_key)]
    by_name = operator.attrgetter("name")
    while stack:
        directory, absolute, relative, specs, ignore_key = stack.pop()
        try:
            stat = os.stat(directory)
        except OSError:
            continue
        if (stat.st_dev, stat.st_ino) in seen:
            continue  # a bind mount looping back
        seen.add((stat.st_dev, stat.st_ino))
        known = previous.get(absolute)
        if known is not None and len(known) == 7 and known[0] == stat.st_ino and known[1] == stat.st_mtime_ns \
                and known[2] == ignore_key and (known[3] is None or known[3] == _gitignore_token(absolute, now_ns)):
            _, _, _, own, folder_names, file_names, markers = known
            _MARKERS[absolute] = markers
            if own is not None:
                specs = [*specs, (absolute + os.sep, _LazyIgnore(directory))]
            listings.current[absolute] = known  # type: ignore[union-attr]
            listings.reused += 1  # type: ignore[union-attr]
        else:
            try:
                with os.scandir(directory) as listing:
                    entries = sorted(listing, key=by_name)
            except OSError:
                continue
            names = {entry.name for entry in entries}
            markers = _MARKERS[absolute] = _markers_of(entries)
            virtualenv = "pyvenv.cfg" in names or ("conda-meta" in names and _is_virtualenv(directory))
            if virtualenv and directory != root:
                continue
            own = None
            if ".gitignore" in names:
                spec = _gitignore(directory)
                if spec is not None:
                    specs = [*specs, (absolute + os.sep, spec)]
                    own = _gitignore_token(absolute, now_ns)
            folder_names, file_names = [], []
            for entry in entries:
                name = entry.name
                try:
                    is_dir = entry.is_dir()
                except OSError:
                    is_dir = False
                if is_dir:
                    if entry.is_symlink():
                        continue
                    if excluded_names is not None:
                        if name in excluded_names:
                            continue
                    elif exclude.match_file((_child(relative, name) or name) + "/"):
                        continue
                    if specs and _ignored(f"{absolute}{os.sep}{name}/", specs):
                        continue
                    folder_names.append(name)
                elif name.endswith(CHECKED_SUFFIXES):
                    if match_files and _excluded(entry.path, False, exclude, base):
                        continue
                    if specs and _ignored(f"{absolute}{os.sep}{name}", specs):
                        continue
                    file_names.append(name)
            if listings is not None and not virtualenv:  # (a virtualenv walked as the root: skipped below one)
                listings.remember(absolute, stat, ignore_key, own, folder_names, file_names, markers)
        if file_names:
            folder = directory[len(dot):] if dot and directory.startswith(dot) else directory
            if folder in (".", ""):
                yield list(file_names)
            else:
                head = _join(folder, "")  # (the joins inlined: a warm walk is mostly this)
                yield [head + name for name in file_names]
        if folder_names:
            child_key = ignore_key + (own or "")
            head, absolute_head = _join(directory, ""), absolute + os.sep
            relative_head = None if relative is None else f"{relative}/" if relative else ""
            stack.extend(
                (head + name, absolute_head + name, None if relative_head is None else relative_head + name, specs,
                 child_key)
                for name in reversed(folder_names)
            )


def _child(relative: str | None, name: str) -> str | None:
    """The path relative to ``base`` of ``name`` in a folder at ``relative`` (``None`` outside it)."""
    if relative is None:
        return None
    return f"{relative}/{name}" if relative else name


def _relative_to(absolute: str, base: str, prefix: str) -> str | None:
    """``absolute`` relative to ``base`` (``""`` for ``base`` itself), ``/``-separated, or ``None``."""
    if absolute == base.rstrip(os.sep):
        return ""
    if absolute.startswith(prefix):
        return absolute[len(prefix) :].replace(os.sep, "/")
    return None


def _excluded(path: str, is_dir: bool, exclude: pathspec.PathSpec | FolderNames, base: str) -> bool:
    absolute = os.path.abspath(path)
    if absolute.startswith(base.rstrip(os.sep) + os.sep):
        relative = os.path.relpath(absolute, base).replace(os.sep, "/")
    else:
        relative = os.path.basename(absolute)  # outside the project: match on the name
    return exclude.match_file(relative + "/" if is_dir else relative)


def _ancestor_gitignores(root: str) -> list[tuple[str, _LazyIgnore]]:
    """``.gitignore`` files above ``root`` up to the repository top (the folder holding ``.git``),
    each with its folder's absolute path and a trailing separator (parsed when first asked: a
    warm walk reusing every listing asks nothing)."""
    found = []
    current = os.path.abspath(root)
    while True:
        parent = os.path.dirname(current)
        if os.path.isdir(os.path.join(current, ".git")) or parent == current:
            break
        current = parent
        if os.path.isfile(os.path.join(current, ".gitignore")):
            found.append((current.rstrip(os.sep) + os.sep, _LazyIgnore(current)))
    return found


def _ignored(full: str, specs: list[tuple[str, _Ignore]]) -> bool:
    """``full`` (an absolute path below every spec's folder, ending in ``/`` for a folder) is
    ignored by one of the ``.gitignore`` specs, each given with its folder (absolute, ending in
    the separator)."""
    for prefix, spec in specs:
        relative = full[len(prefix):]
        if os.sep != "/":
            relative = relative.replace(os.sep, "/")
        if spec.match_file(relative):
            return True
    return False
