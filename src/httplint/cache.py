"""The result cache: ``.httplint_cache/`` in the project root (``--no-cache`` to skip it).

An entry holds one file's findings, keyed on the file's content (a SHA-256), httplint's
version, the configuration, and the fingerprint of the file's package (the paths, sizes
and modification times of its modules: a change anywhere in a package can change what
its factories return). A re-run of an unchanged file costs a ``stat``: when the size and
modification time match the entry, the content is not even read.

The same file keeps the walk's folder listings (:class:`httplint.files.FolderListings`): a
warm run lists no unchanged folder again.

The cache is one file, read once and written once per run, atomically, in :mod:`marshal`'s
format (lists, dicts, strings and numbers only; a third quicker to load than the same data as
JSON; a file that does not load is no cache; the Python version is part of the key, as the
parse may differ). An entry is a list,
``[size, mtime_ns, sha256, package, findings]``, ``package`` an index into the table of
package fingerprints (a file's dict of five keys took twice as long to load).
"""

from __future__ import annotations

import hashlib
import marshal
import operator
import os
import sys
from pathlib import Path

from . import __version__
from .files import FolderListings, absolute, read_bytes
from .rule import Applicability, Diagnostic, Fix

CACHE_DIR = ".httplint_cache"
FORMAT = 4  # 2: a notebook finding's cell; 3: entries as lists, package table, folder listings; 4: listings with markers


def package_fingerprint(top: Path | None) -> str:
    """A digest of every module of a package (path, size, mtime: :func:`stats_fingerprint`),
    found by walking it; ``""`` for a loose script."""
    if top is None:
        return ""
    found = []
    stack = [str(top)]
    while stack:
        folder = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                if not entry.name.startswith(".") and entry.name != "__pycache__":
                    stack.append(entry.path)
            elif entry.name.endswith(".py"):
                try:
                    found.append((entry.path, entry.stat()))
                except OSError:
                    continue
    return stats_fingerprint(found)


def stats_fingerprint(stats) -> str:
    """The fingerprint of a package from its modules' ``(absolute path, stat)`` pairs, when the
    run has them all (a walk of the whole package); a missing stat counts as a change."""
    lines = [
        f"{path}\0-\n" if stat is None else f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n"
        for path, stat in sorted(stats, key=operator.itemgetter(0))
    ]
    return hashlib.sha256("".join(lines).encode(errors="surrogateescape")).hexdigest()


def _code_digest() -> str:
    """httplint's own modules (path, size, mtime): an edited rule invalidates the cache even
    when the version number does not change."""
    return package_fingerprint(Path(__file__).resolve().parent)


class ResultCache:
    """Findings of unchanged files from the previous run.

    Args:
        root: the project folder holding ``.httplint_cache/``.
        settings_key: a digest of everything besides the file that decides its findings
            (configuration, selected rules); the version is added here.
    """

    def __init__(self, root: Path, settings_key: str) -> None:
        self.path = root / CACHE_DIR / "results.marshal"
        key = f"{__version__}\0{sys.implementation.cache_tag}\0{_code_digest()}\0{FORMAT}\0{settings_key}"
        self.key = hashlib.sha256(key.encode()).hexdigest()
        self.entries: dict[str, list] = {}
        self.packages: list[str] = []
        self._package_index: dict[str, int] = {}
        self._walk: dict = {}
        self._listings: FolderListings | None = None
        self.dirty = False
        try:
            data = marshal.loads(read_bytes(str(self.path)))
            if isinstance(data, dict) and data.get("format") == FORMAT:
                self._walk = data.get("walk") or {}
                if data.get("key") == self.key:
                    self.entries = data.get("files", {})
                    self.packages = data.get("packages", [])
                    self._package_index = {fingerprint: i for i, fingerprint in enumerate(self.packages)}
        except (OSError, ValueError, EOFError, TypeError, AttributeError):
            pass

    def listings(self, key: str) -> FolderListings:
        """The folder listings of the previous walk made under ``key`` (exclude patterns and base
        folder), to be filled by this run's walk and saved with the findings."""
        previous = self._walk.get("folders") if self._walk.get("key") == key else None
        self._listings = FolderListings(key, previous if isinstance(previous, dict) else None)
        return self._listings

    def get(
        self, path: str, package: str, stat: os.stat_result | None, full: str | None = None
    ) -> list[Diagnostic] | None:
        """The cached findings for ``path`` (``None`` on a miss); ``stat``: the file's, now;
        ``full``: its absolute path, when known."""
        if stat is None:
            return None
        full = full or absolute(path)
        entry = self.entries.get(full)
        if entry is None or self._package_index.get(package) != entry[3]:
            return None
        if entry[0] != stat.st_size or entry[1] != stat.st_mtime_ns:
            try:
                sha = hashlib.sha256(read_bytes(full)).hexdigest()
            except OSError:
                return None
            if sha != entry[2]:
                return None
            entry[0], entry[1] = stat.st_size, stat.st_mtime_ns  # touched, not changed
            self.dirty = True
        return [_load(path, record) for record in entry[4]] if entry[4] else []

    def get_many(self, files, fingerprints: dict) -> tuple[list[Diagnostic], list[tuple[str, str, os.stat_result | None]]]:
        """:meth:`get` for each of ``files`` (``(path, absolute path, stat, package top)``, the
        package's fingerprint in ``fingerprints``): the cached findings of the hits, and
        ``(path, fingerprint, stat)`` for each miss. An unchanged file costs no call here."""
        found: list[Diagnostic] = []
        missed = []
        entries, index_of = self.entries, self._package_index
        for path, full, now, top in files:
            package = fingerprints[top]
            entry = entries.get(full)
            if entry is not None and now is not None and entry[0] == now.st_size and entry[1] == now.st_mtime_ns \
                    and entry[3] == index_of.get(package):
                if entry[4]:
                    found.extend(_load(path, record) for record in entry[4])
                continue
            hit = self.get(path, package, now, full)
            if hit is not None:
                found.extend(hit)
            else:
                missed.append((path, package, now))
        return found, missed

    def put(self, path: str, package: str, digest: str, stat: os.stat_result, diagnostics: list[Diagnostic]) -> None:
        """Remember ``path``'s findings; ``digest``: the SHA-256 (hex) of the content they are for."""
        if any(d.code in ("E902",) for d in diagnostics):
            return  # unreadable now: try again next time
        index = self._package_index.get(package)
        if index is None:
            index = self._package_index[package] = len(self.packages)
            self.packages.append(package)
        self.entries[absolute(path)] = [stat.st_size, stat.st_mtime_ns, digest, index, [_dump(d) for d in diagnostics]]
        self.dirty = True

    def save(self) -> None:
        """Write the cache atomically; a failure to write (read-only tree) is not an error."""
        walk = self._walk
        if self._listings is not None and (self._listings.added or self._walk.get("key") != self._listings.key):
            walk = {"key": self._listings.key, "folders": self._listings.current}
            self.dirty = True
        if not self.dirty:
            return
        used = sorted({entry[3] for entry in self.entries.values()})
        if len(used) != len(self.packages):  # fingerprints no entry refers to any more
            renumber = {old: new for new, old in enumerate(used)}
            self.packages = [self.packages[old] for old in used]
            for entry in self.entries.values():
                entry[3] = renumber[entry[3]]
        import tempfile  # only when there is something to write

        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            ignore = self.path.parent / ".gitignore"
            if not ignore.exists():
                ignore.write_text("# created by httplint\n*\n", encoding="utf-8")
            handle, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=".results-", suffix=".tmp")
            with os.fdopen(handle, "wb") as out:
                out.write(marshal.dumps(
                    {"format": FORMAT, "key": self.key, "walk": walk, "packages": self.packages, "files": self.entries}
                ))
            os.replace(temporary, self.path)
            (self.path.parent / "results.json").unlink(missing_ok=True)  # an older version's cache (format 3)
        except OSError:
            pass


def _dump(d: Diagnostic) -> list:
    fix = [d.fix.title, d.fix.applicability.value] if d.fix is not None else None
    return [d.line, d.column, d.code, d.name, d.message, fix, d.cell]


def _load(path: str, record: list) -> Diagnostic:
    line, column, code, name, message, fix, cell = record
    restored = None
    if fix is not None:
        # A fix from the cache can be shown (`[*]`), not applied: `--fix` never reads the cache.
        restored = Fix(fix[0], Applicability(fix[1]), None, (line, line))  # type: ignore[arg-type]
    return Diagnostic(path, line, column, code, name, message, restored, cell)
