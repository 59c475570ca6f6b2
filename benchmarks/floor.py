"""The floor under httplint's cold run: the work no check of this design can skip, and nothing else.

    python benchmarks/floor.py [PATH ...] [-j N]

Walks ``PATH`` (default ``.``) with httplint's walk and exclusions, reads every Python file,
runs the library prefilter on it (:data:`httplint.prefilter.PREFILTER`; a project's factory
names aside, so slightly fewer files pass than in a real run) and parses the files that pass
with ``ast.parse`` (:func:`httplint.semantic.parse`), on ``N`` forked processes (default: the
CPUs) in chunks of :data:`httplint.runner.SCAN_CHUNK` files, as the command line hands them
out. No semantic model, no project index, no analysis, no findings.

The benchmark (``benchmarks/run.py``) times it beside ``httplint --no-cache`` and ruff, so that
httplint's cold time splits into what a linter on CPython's ``ast`` pays before any rule runs
(this floor) and httplint's own model and analysis. Prints the files walked and parsed and the
bytes parsed (one line, to standard error).
"""

from __future__ import annotations

import argparse
import gc
import multiprocessing
import os
import sys
from pathlib import Path

from httplint.config import load
from httplint.files import iter_python_batches, read_bytes
from httplint.prefilter import PREFILTER
from httplint.runner import SCAN_CHUNK
from httplint.semantic import parse


def parse_passing(paths: list[str]) -> tuple[int, int]:
    """Read and prefilter ``paths``; parse those that pass. Returns ``(files parsed, bytes parsed)``."""
    gc.disable()  # as httplint's workers run (httplint.runner.collector_off)
    parsed = size = 0
    for path in paths:
        try:
            source = read_bytes(path)
        except OSError:
            continue
        if not PREFILTER.search(source):
            continue
        try:
            parse(source, filename=path)  # httplint's parse: ast.parse, its warnings silenced
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
        parsed += 1
        size += len(source)
    return parsed, size


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", default=["."])
    parser.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args(argv)
    settings = load(start=Path.cwd())
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    walked = 0
    with context.Pool(args.jobs) as pool:
        pending, chunk = [], []
        for batch in iter_python_batches(args.paths, settings.excluded_spec(), str(settings.root)):
            if not isinstance(batch, list):
                continue  # a path that does not exist, or is not Python
            walked += len(batch)
            chunk.extend(batch)
            if len(chunk) >= SCAN_CHUNK:
                pending.append(pool.apply_async(parse_passing, (chunk,)))
                chunk = []
        pending.append(pool.apply_async(parse_passing, (chunk,)))
        results = [job.get() for job in pending]
    parsed = sum(files for files, _ in results)
    size = sum(length for _, length in results)
    print(f"walked {walked} files, parsed {parsed} ({size / 1e6:.1f} MB)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
