"""The result cache: ``.httplint_cache/`` in the project root (``--no-cache`` to skip it).

An entry holds one file's findings, keyed on the file's content (a SHA-256), httplint's
version, the configuration, and the fingerprint of the file's package (the paths, sizes
and modification times of its modules: a change anywhere in a package can change what
its factories return). A re-run of an unchanged file costs a ``stat``: when the size and
modification time match the entry, the content is not even read.

The same file keeps the walk's folder listings (:class:`httplint.files.FolderListings`): a
warm run lists no unchanged folder again.

The command line's cache (:class:`ResultCache`) is one file, read once and written once per
run, atomically, in :mod:`marshal`'s format (lists, dicts, strings, bytes and numbers only; a
file that does not load is no cache; the Python version is part of the key, as the parse may
differ). Entries are kept by folder, so that a warm run compares a folder at a time:
``folders[absolute folder] = [names, stamps, digests, package, findings]``, ``stamps`` the size
and modification time (ns) of each file packed as signed 64-bit integers (:func:`stamps`),
``digests`` their SHA-256s (32 bytes each), ``package`` an index into the table of package
fingerprints, ``findings`` the records of the files that have any, by name.

The flake8 plugin's cache (:class:`FileEntries`) has the same key, but one small file per
checked file in ``.httplint_cache/files/``, each written as soon as its file is checked:
flake8's worker processes get no hook at the end of a run, and several write at once.
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import operator
import os
import sys
from array import array
from pathlib import Path

from . import __version__
from .files import FolderListings, absolute, read_bytes, top_package
from .rule import Applicability, Diagnostic, Fix

CACHE_DIR = ".httplint_cache"
FORMAT = 5  # 2: a notebook finding's cell; 3: entries as lists, package table, folder listings; 4: listings with
# markers; 5: entries by folder, stamps and digests packed


def package_fingerprint(top: Path | None) -> str:
    """A digest of every module of a package (path, size, modification time), found by walking
    it: the fingerprint of a package only part of which the run walked; ``""`` for a loose
    script."""
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
                    stat = entry.stat()
                except OSError:
                    continue
                found.append(f"{entry.path}\0{stat.st_size}\0{stat.st_mtime_ns}\n")
    return hashlib.sha256("".join(sorted(found)).encode(errors="surrogateescape")).hexdigest()


def stamps(stats: list[os.stat_result]) -> bytes:
    """The size and modification time (ns) of each of ``stats``, packed (native signed 64-bit)."""
    return array("q", [value for stat in stats for value in (stat.st_size, stat.st_mtime_ns)]).tobytes()


def folders_fingerprint(folders) -> str:
    """The fingerprint of a package from its folders' ``(absolute folder, names, stamps)``, when
    the run has them all (a walk of the whole package): any file added, removed or touched
    changes it."""
    digest = hashlib.sha256()
    for folder, names, stamp in sorted(folders, key=operator.itemgetter(0)):
        digest.update(f"{folder}\0{len(names)}\0{'/'.join(names)}\0".encode(errors="surrogateescape"))
        digest.update(stamp)
    return digest.hexdigest()


def run_key(settings_key: str, code: str) -> str:
    """What every entry of either cache is valid under besides its file: httplint's version and
    ``code`` (:func:`_code_digest`), the Python version (the parse may differ), the format and
    ``settings_key`` (configuration, selected rules), digested (SHA-256, hex)."""
    key = f"{__version__}\0{sys.implementation.cache_tag}\0{code}\0{FORMAT}\0{settings_key}"
    return hashlib.sha256(key.encode()).hexdigest()


def _make_folder(cache: Path, inside: str = "") -> None:
    """Make ``cache`` (a ``.httplint_cache/``), the folder ``inside`` it if given, and the cache's
    ``.gitignore``, which keeps the whole cache out of git.

    Raises:
        OSError: one of them cannot be made.
    """
    (cache / inside).mkdir(parents=True, exist_ok=True)
    ignore = cache / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# created by httplint\n*\n", encoding="utf-8")


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
        self.key = run_key(settings_key, _code_digest())
        self.folders: dict[str, list] = {}
        self.packages: list[str] = []
        self._package_index: dict[str, int] = {}
        #: folders with a file changed, checked or touched in this run: name -> [size, mtime_ns,
        #: sha256 (bytes), package, records], packed again by :meth:`save`
        self._unpacked: dict[str, dict[str, list]] = {}
        self._present: dict[str, set[str]] = {}  # names seen on disk in this run, by folder
        self._walk: dict = {}
        self._listings: FolderListings | None = None
        self.dirty = False
        try:
            data = marshal.loads(read_bytes(str(self.path)))
            if isinstance(data, dict) and data.get("format") == FORMAT:
                self._walk = data.get("walk") or {}
                if data.get("key") == self.key:
                    self.folders = data.get("folders", {})
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

    def get_folder(
        self, folder: str, paths: list[str], names: list[str], stats: list, stamp: bytes | None, package: str
    ) -> tuple[list[Diagnostic], list[int]]:
        """The cached findings of the files ``paths`` (as given; ``names`` in the absolute
        ``folder``; ``stats`` now, ``None`` for one that could not be stat'ed; ``stamp``: their
        :func:`stamps`, ``None`` then), whose package has the fingerprint ``package``: the
        findings of the hits and the positions of the misses. A folder whose files all match
        its entry costs no call per file."""
        entry = self.folders.get(folder) if folder not in self._unpacked else None
        index = self._package_index.get(package)
        if entry is not None and index is not None and entry[3] == index and entry[1] == stamp and entry[0] == names:
            found: list[Diagnostic] = []
            for name, records in entry[4].items():
                path = paths[names.index(name)]
                found.extend(_load(path, record) for record in records)
            return found, []
        files = self._files_of(folder)
        self._present.setdefault(folder, set()).update(name for name, stat in zip(names, stats) if stat is not None)
        found, missed = [], []
        for position, (name, stat) in enumerate(zip(names, stats)):
            record = files.get(name)
            if stat is None or record is None or index is None or record[3] != index:
                missed.append(position)
                continue
            if record[0] != stat.st_size or record[1] != stat.st_mtime_ns:
                try:
                    sha = hashlib.sha256(read_bytes(paths[position])).digest()
                except OSError:
                    missed.append(position)
                    continue
                if sha != record[2]:
                    missed.append(position)
                    continue
                record[0], record[1] = stat.st_size, stat.st_mtime_ns  # touched, not changed
                self.dirty = True
            if record[4]:
                found.extend(_load(paths[position], item) for item in record[4])
        return found, missed

    def _files_of(self, folder: str) -> dict[str, list]:
        """The entries of ``folder``'s files, one list each, to be changed (packed again on save)."""
        files = self._unpacked.get(folder)
        if files is None:
            files = self._unpacked[folder] = {}
            entry = self.folders.pop(folder, None)
            if entry is not None:
                names, packed, digests, package, findings = entry
                values = array("q")
                values.frombytes(packed)
                for position, name in enumerate(names):
                    files[name] = [values[2 * position], values[2 * position + 1],
                                   digests[32 * position : 32 * position + 32], package, findings.get(name, [])]
        return files

    def put(self, path: str, package: str, digest: str, stat: os.stat_result, diagnostics: list[Diagnostic]) -> None:
        """Remember ``path``'s findings; ``digest``: the SHA-256 (hex) of the content they are for."""
        if any(d.code in ("E902",) for d in diagnostics):
            return  # unreadable now: try again next time
        index = self._package_index.get(package)
        if index is None:
            index = self._package_index[package] = len(self.packages)
            self.packages.append(package)
        folder, name = os.path.split(absolute(path))
        self._present.setdefault(folder, set()).add(name)
        self._files_of(folder)[name] = [stat.st_size, stat.st_mtime_ns, bytes.fromhex(digest), index,
                                        [_dump(d) for d in diagnostics]]
        self.dirty = True

    def save(self) -> None:
        """Write the cache atomically; a failure to write (read-only tree) is not an error."""
        walk = self._walk
        if self._listings is not None and (self._listings.added or self._walk.get("key") != self._listings.key):
            walk = {"key": self._listings.key, "folders": self._listings.current}
            self.dirty = True
        if not self.dirty:
            return
        for folder, files in self._unpacked.items():
            self._pack(folder, files, self._present.get(folder, set()))
        self._unpacked = {}
        used = sorted({entry[3] for entry in self.folders.values()})
        if len(used) != len(self.packages):  # fingerprints no entry refers to any more
            renumber = {old: new for new, old in enumerate(used)}
            self.packages = [self.packages[old] for old in used]
            for entry in self.folders.values():
                entry[3] = renumber[entry[3]]
        import tempfile  # only when there is something to write

        try:
            _make_folder(self.path.parent)
            handle, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=".results-", suffix=".tmp")
            with os.fdopen(handle, "wb") as out:
                out.write(marshal.dumps(
                    {"format": FORMAT, "key": self.key, "walk": walk, "packages": self.packages, "folders": self.folders}
                ))
            os.replace(temporary, self.path)
            (self.path.parent / "results.json").unlink(missing_ok=True)  # an older version's cache (format 3)
        except OSError:
            pass

    def _pack(self, folder: str, files: dict[str, list], present: set[str]) -> None:
        """``folder``'s entry from its files' (those of the package fingerprint most of them were
        checked under: a folder keeps one; a file not among ``present``, the names this run saw,
        is kept only if it is still there)."""
        if not files:
            return
        counts: dict[int, int] = {}
        for record in files.values():
            counts[record[3]] = counts.get(record[3], 0) + 1
        package = max(counts, key=lambda index: (counts[index], index))
        kept = sorted((name, record) for name, record in files.items()
                      if record[3] == package and (name in present or os.path.exists(os.path.join(folder, name))))
        if not kept:
            return
        try:
            packed = array("q", [value for _, record in kept for value in record[:2]]).tobytes()
        except OverflowError:  # a modification time past 2262: the folder is not kept
            return
        self.folders[folder] = [
            [name for name, _ in kept],
            packed,
            b"".join(record[2] for _, record in kept),
            package,
            {name: record[4] for name, record in kept if record[4]},
        ]


class FileEntries:
    """Findings of unchanged files from earlier runs, for processes that check files one at a
    time and never know that a run ends (the flake8 plugin in each of flake8's workers).

    Each file has one entry, ``.httplint_cache/files/<SHA-256 of its absolute path>`` (the first
    32 hex digits), holding ``[key, findings]`` in :mod:`marshal`'s format. The entry serves
    only the same key: :func:`run_key` (as :class:`ResultCache`'s) with the file's path, content
    (SHA-256) and its package's fingerprint (:func:`package_fingerprint`, computed once per
    package and process). Entries are written atomically (a temporary file of the writing
    process renamed over the entry): two processes writing the same file's entry write the same
    content, and a reader sees the old entry or the new one. A file's entry is replaced when it
    is checked again, so the folder holds at most one entry per file ever checked.

    Args:
        root: the project folder holding ``.httplint_cache/``.
    """

    def __init__(self, root: Path) -> None:
        self.folder = root / CACHE_DIR / "files"
        self._code = _code_digest()
        self._fingerprints: dict[Path | None, str] = {}
        self._writable = True
        self._made = False  # the folder exists

    def _entry(self, path: str) -> str:
        name = hashlib.sha256(absolute(path).encode(errors="surrogateescape")).hexdigest()[:32]
        return str(self.folder / name)

    def key_of(self, path: str, source: bytes, settings_key: str) -> str:
        """The key of ``path``'s findings with this content under ``settings_key``."""
        top = top_package(path)
        fingerprint = self._fingerprints.get(top)
        if fingerprint is None:
            fingerprint = self._fingerprints[top] = package_fingerprint(top)
        digest = hashlib.sha256(source).hexdigest()
        whole = f"{run_key(settings_key, self._code)}\0{absolute(path)}\0{fingerprint}\0{digest}"
        return hashlib.sha256(whole.encode(errors="surrogateescape")).hexdigest()

    def get(self, path: str, key: str) -> list[tuple[int, int, str, str]] | None:
        """``(line, column, code, message)`` of each finding of ``path`` stored under ``key``;
        ``None`` when there is no such entry (none, another key, unreadable)."""
        try:
            data = marshal.loads(read_bytes(self._entry(path)))
        except (OSError, ValueError, EOFError, TypeError):
            return None
        if not (isinstance(data, list) and len(data) == 2 and data[0] == key and isinstance(data[1], list)):
            return None
        return [tuple(finding) for finding in data[1]]

    def put(self, path: str, key: str, findings: list[tuple[int, int, str, str]]) -> None:
        """Store ``findings`` of ``path`` under ``key``; a failure to write (read-only tree) is
        not an error, and the next puts of this object do not try again."""
        if not self._writable:
            return
        entry = self._entry(path)
        temporary = f"{entry}.{os.getpid()}.tmp"  # each process its own: two may write the same entry
        try:
            if not self._made:
                _make_folder(self.folder.parent, self.folder.name)
                self._made = True
            handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            try:
                with os.fdopen(handle, "wb") as out:
                    out.write(marshal.dumps([key, [list(finding) for finding in findings]]))
                os.replace(temporary, entry)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(temporary)
                raise
        except OSError:
            self._writable = False


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
