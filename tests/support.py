"""Helpers the tests share.

- :data:`EVERY_FILE`: a prefilter that lets every file through, to run the engine on code
  that names no HTTP library (generated programs, the standard library).
- :func:`outside_lines_kept`: the fix guarantee "every line outside an applied fix's span is kept
  byte for byte", checked without difflib's guesses (it pairs repeated lines arbitrarily): the
  lines outside the spans, cut into runs by the spans, must appear in the new file in order, the
  first run at its start and the last at its end; the only other lines allowed are the imports a
  fix adds.
"""


from __future__ import annotations

import functools
import os
import urllib.error
import urllib.request


class _EveryFile:
    words = ()

    def search(self, source: bytes) -> bool:
        return True


EVERY_FILE = _EveryFile()


def outside_lines_kept(original: list[bytes], new: list[bytes], spans: list[tuple[int, int]]) -> str | None:
    """``None`` when ``new`` keeps every line of ``original`` outside ``spans`` (1-based,
    inclusive), else what is wrong."""
    inside = [any(low <= number <= high for low, high in spans) for number in range(1, len(original) + 1)]
    body = _without(new, _added_imports(original, new))
    if not any(inside):
        return None if body == original else "lines changed where no fix applies"
    runs: list[list[bytes]] = [[]]
    for line, covered in zip(original, inside):
        if covered:
            if runs[-1]:
                runs.append([])
        else:
            runs[-1].append(line)
    if not runs[-1]:
        runs.pop()
    position = 0
    for index, run in enumerate(runs):
        if index == 0 and not inside[0]:
            found = 0 if body[: len(run)] == run else -1
        elif index == len(runs) - 1 and not inside[-1]:
            at = len(body) - len(run)
            found = at if at >= position and body[at:] == run else -1
        else:
            found = _find(body, run, position)
        if found < 0:
            return f"lines outside every fix are not kept in place: {run[:2]!r}"
        position = found + len(run)
    return None


def _find(lines: list[bytes], run: list[bytes], start: int) -> int:
    for at in range(start, len(lines) - len(run) + 1):
        if lines[at : at + len(run)] == run:
            return at
    return -1


def _added_imports(original: list[bytes], new: list[bytes]) -> dict[bytes, int]:
    extra: dict[bytes, int] = {}
    for line in set(new):
        if line.lstrip().startswith((b"import ", b"from ")):
            surplus = new.count(line) - original.count(line)
            if surplus > 0:
                extra[line] = surplus
    return extra


def _without(lines: list[bytes], extra: dict[bytes, int]) -> list[bytes]:
    left = dict(extra)
    kept = []
    for line in lines:
        if left.get(line):
            left[line] -= 1
            continue
        kept.append(line)
    return kept


@functools.lru_cache(maxsize=1)
def pypi_unreachable() -> str | None:
    """Why the package index cannot be reached, or ``None`` when it answers: ``PIP_NO_INDEX`` set, or
    no answer in 10 s from ``PIP_INDEX_URL`` (default ``https://pypi.org/simple/``)."""
    if os.environ.get("PIP_NO_INDEX", "").lower() in ("1", "true", "yes", "on"):
        return "PIP_NO_INDEX is set"
    index = os.environ.get("PIP_INDEX_URL", "https://pypi.org/simple/").rstrip("/")
    try:
        with urllib.request.urlopen(f"{index}/pip/", timeout=10) as response:
            response.read(1)
    except (urllib.error.URLError, OSError, ValueError) as error:
        return f"{index}: {error}"
    return None
