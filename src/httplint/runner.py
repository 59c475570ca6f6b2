"""Checking many files: cached results first, then two passes across ``-j`` processes.

1. **scan** (in chunks of files): read each file once, keep what the prefilter
   (:mod:`httplint.prefilter`) says and whether the project index must read it
   (:func:`httplint.project.indexable`), and its SHA-256 when the result cache is on. Most
   files end here: they use no HTTP client, and nothing is parsed.
2. **packages** (one task per top-level package, plus chunks of loose scripts): build the
   package's index from the modules the scan marked, checking each of them on the index's
   parse as the build goes (:meth:`~httplint.project.ProjectIndex.build_checking`), then the
   package's other files that passed the prefilter. Files that did not pass are checked
   only if the package defines factories (whose names the prefilter then looks for).

Only paths, flags, digests and findings cross process boundaries; a worker holds one
package's parses at a time. Tasks go out largest first, so that the workers finish together.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import itertools
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from .engine import Linter
from .notebook import is_notebook
from .files import absolute_folder, inside_walk, read_bytes, top_of_folder
from .project import indexable, package_modules, top_package
from .rule import Diagnostic

#: Below this many files, starting worker processes costs more than it saves.
PARALLEL_THRESHOLD = 40
SCAN_CHUNK = 128


@dataclass
class Scanned:
    """What the scan learnt of one file.

    Attributes:
        relevant: it passed the prefilter (it will be parsed and checked).
        indexed: the project index reads it (:func:`httplint.project.indexable`).
        digest: SHA-256 of its bytes, hex, when the result cache is on.
        size: its length in bytes.
        error: the ``E902`` when it could not be read.
    """

    path: str
    relevant: bool = False
    indexed: bool = False
    digest: str | None = None
    size: int = 0
    error: Diagnostic | None = None


@dataclass
class PackageTask:
    """The work of one package (``top``, its folder; ``None`` for loose scripts).

    Attributes:
        index: the modules the package's index reads.
        check: the files to check (they passed the prefilter).
        others: the package's other files to check, checked only if they name one of the
            package's factories or client subclasses.
        cost: bytes to parse, to send the largest tasks first.
    """

    top: str | None
    index: list[str] = field(default_factory=list)
    check: list[str] = field(default_factory=list)
    others: list[str] = field(default_factory=list)
    cost: int = 0


def scan(linter: Linter, paths: Iterable[str], digest: bool) -> list[Scanned]:
    """Read and prefilter ``paths`` (an unreadable file gets its ``E902``)."""
    from .engine import _io_error

    results = []
    search = linter.prefilter.search
    for path in paths:
        try:
            source = read_bytes(path)
        except OSError as error:
            results.append(Scanned(path, error=_io_error(path, error)))
            continue
        if is_notebook(path):  # JSON: the prefilter runs on its code cells, in the check
            results.append(Scanned(path, True, False, hashlib.sha256(source).hexdigest() if digest else None,
                                   len(source)))
            continue
        relevant = bool(search(source))
        results.append(
            Scanned(path, relevant, relevant and indexable(source, relevant),
                    hashlib.sha256(source).hexdigest() if digest else None, len(source))
        )
    return results


def run_package(linter: Linter, task: PackageTask) -> list[tuple[str, list[Diagnostic]]]:
    """Index ``task``'s package, check its files; the index is dropped afterwards."""
    top = Path(task.top) if task.top is not None else None
    if top is None:
        results = [(path, linter.check_path(path)) for path in task.check]
    else:
        # the modules the index reads are checked on its parse as it goes (those whose check
        # could have read a fact found later are checked again here)
        facts, early = linter.project.build_checking(top, task.index, set(task.check), linter.check_source)
        results = [(path, early[path] if path in early else linter.check_path(path)) for path in task.check]
        if facts.factories or facts.subclasses or facts.response_factories or facts.wrappers or facts.producers:
            # these failed the library prefilter: only the name of a factory, client subclass or
            # wrapper owner of the package can make them worth a parse
            words = linter.context(str(top / "__init__.py"))[1]
            for path in task.others if words.words else ():
                try:
                    source = read_bytes(path)
                except OSError:
                    continue  # gone since the scan: reported as it was then
                if words.names(source):
                    results.append((path, linter.check_source(source, path)))
        linter.project.forget(top)
    if not gc.isenabled():
        # a safety net: a finished package leaves no cycles, so this finds next to nothing; the
        # youngest generation only (what this package allocated and kept), not the run's results
        gc.collect(0)
    return results


@contextlib.contextmanager
def collector_off():
    """The cyclic garbage collector off for a run, and what is alive at its start (imports,
    settings) frozen out of any collection. A checked module's tree, model and analysis hold
    no reference cycles (scopes hold their parent weakly, and so on), so reference counting
    frees each when it is done; the collector would only rescan live trees, which cost 20-40%
    of a cold run. :func:`run_package` collects the youngest generation once per package instead.
    Restored on exit."""
    enabled = gc.isenabled()
    gc.freeze()
    gc.disable()
    try:
        yield
    finally:
        gc.unfreeze()
        if enabled:
            gc.enable()


def plan(scanned: list[Scanned], wanted: set[str]) -> list[PackageTask]:
    """Package tasks from a scan; ``wanted``: the paths to check (the rest were scanned for
    the index only)."""
    tasks: dict[str | None, PackageTask] = {}
    tops: dict[str, Path | None] = {}  # by folder as given: one lookup a folder, not a file
    for item in scanned:
        if item.error is not None:
            continue
        folder = os.path.dirname(item.path)
        if folder not in tops:
            tops[folder] = top_package(item.path)
        top = tops[folder]
        key = str(top) if top is not None else None
        task = tasks.get(key)
        if task is None:
            task = tasks[key] = PackageTask(key)
        if item.indexed and key is not None:
            task.index.append(item.path)
            task.cost += item.size
        if item.path in wanted:
            if item.relevant:
                task.check.append(item.path)
                task.cost += item.size
            elif key is not None:
                task.others.append(item.path)
    result = []
    for key, task in tasks.items():
        if not task.check and not (task.index and task.others):
            continue  # nothing to check: no file passed the prefilter, and no factory can make one
        if key is None:  # loose scripts share no index: split them like any chunk of files
            for start in range(0, len(task.check), 16):
                part = task.check[start : start + 16]
                result.append(PackageTask(None, check=part, cost=task.cost * len(part) // len(task.check)))
        else:
            result.append(task)
    return sorted(result, key=lambda t: -t.cost)


def check_files(
    paths: Iterable[str], linter: Linter, jobs: int, digest: bool, progress, walked: Iterable[str] = ()
) -> dict[str, tuple[list[Diagnostic], str | None]]:
    """Findings and digest (when ``digest``) of every path, by path.

    ``paths`` may be a generator (the walk): with ``-j``, files are scanned as they come.
    ``progress``: ``advance(n)`` when ``n`` more files are done, ``known(total)`` once the
    number of files is. ``walked``: folders the paths were found by walking; a package inside
    one of them has all its modules among the paths (the excluded ones aside), so its index
    needs no walk of its own.
    """
    with collector_off():
        return _check_files(paths, linter, jobs, digest, progress, walked)


def _check_files(paths, linter, jobs, digest, progress, walked):
    source = iter(paths)
    head = list(itertools.islice(source, PARALLEL_THRESHOLD))
    parallel = jobs > 1 and len(head) >= PARALLEL_THRESHOLD
    pool = _pool(linter, jobs) if parallel else None
    try:
        wanted: list[str] = []
        pending_scans = []
        chunk: list[str] = []
        for path in itertools.chain(head, source):
            wanted.append(path)
            if pool is not None:
                chunk.append(path)
                if len(chunk) == SCAN_CHUNK:
                    pending_scans.append(pool.submit(_worker_scan, chunk, digest))
                    chunk = []
        progress.known(len(wanted))
        wanted_set = set(wanted)
        extra = _index_only(wanted, wanted_set, walked)
        if pool is not None:
            chunk.extend(extra)
            for start in range(0, len(chunk), SCAN_CHUNK):
                pending_scans.append(pool.submit(_worker_scan, chunk[start : start + SCAN_CHUNK], digest))
            scanned = [item for future in pending_scans for item in future.result()]
        else:
            scanned = scan(linter, [*wanted, *extra], digest)
        results: dict[str, tuple[list[Diagnostic], str | None]] = {}
        for item in scanned:
            if item.path in wanted_set:
                results[item.path] = ([item.error] if item.error is not None else [], item.digest)
        tasks = plan(scanned, wanted_set)
        progress.advance(len(wanted) - sum(len(t.check) + len(t.others) for t in tasks))
        outcomes = pool.map(_worker_package, tasks) if pool is not None else (run_package(linter, t) for t in tasks)
        for task, outcome in zip(tasks, outcomes):
            for path, diagnostics in outcome:
                results[path] = (diagnostics, results[path][1])
            progress.advance(len(task.check) + len(task.others))
        return results
    finally:
        if pool is not None:
            pool.shutdown()


def _index_only(paths: list[str], wanted: set[str], walked: Iterable[str]) -> list[str]:
    """Modules the index must read besides ``paths``: those of packages only partly among them."""
    extra: list[str] = []
    tops = map(top_of_folder, map(absolute_folder, {os.path.dirname(path) for path in paths}))  # once a folder
    for top in sorted({str(t) for t in tops if t is not None}):
        if not inside_walk(top, walked):
            extra.extend(p for p in package_modules(Path(top)) if p not in wanted)
    return extra


# -- worker processes --------------------------------------------------------------------------

_WORKER: Linter | None = None


def _worker_init(settings, select, ignore, extend_select) -> None:
    global _WORKER
    _WORKER = Linter(settings, select, ignore, extend_select)
    gc.freeze()  # a worker does nothing but check: as in the parent (:func:`collector_off`)
    gc.disable()


def _worker_scan(paths: list[str], digest: bool) -> list[Scanned]:
    assert _WORKER is not None
    return scan(_WORKER, paths, digest)


def _worker_package(task: PackageTask) -> list[tuple[str, list[Diagnostic]]]:
    assert _WORKER is not None
    return run_package(_WORKER, task)


def _pool(linter: Linter, jobs: int):
    """A process pool whose workers each hold a :class:`Linter` with the run's settings. Workers
    are forked where the platform can (nothing to import again; the parent holds only paths)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    return ProcessPoolExecutor(
        max_workers=jobs,
        mp_context=context,
        initializer=_worker_init,
        initargs=(linter.settings, linter.cli_select, linter.cli_ignore, linter.cli_extend),
    )
