"""``# noqa`` with flake8's exact semantics, so the CLI and the flake8 plugin agree.

Source: flake8 7.x ``defaults.NOQA_INLINE_REGEXP``, ``defaults.NOQA_FILE``,
``processor.FileProcessor._noqa_line_mapping`` (a comment anywhere on a multi-line
logical line covers every line of it) and ``violation.Violation.is_inline_ignored``
(a listed code matches exactly or as a prefix).
"""

from __future__ import annotations

import io
import re
import tokenize

NOQA_INLINE = re.compile(r"# noqa(?::[\s]?(?P<codes>([A-Z]+[0-9]+(?:[,\s]+)?)+))?", re.IGNORECASE)
NOQA_FILE = re.compile(r"\s*# flake8[:=]\s*noqa(?P<codes>:\s?(.*))?", re.IGNORECASE)
_SPLIT = re.compile(r"[,\s]")


def file_is_skipped(lines: list[str]) -> bool:
    """Whether a bare ``# flake8: noqa`` line skips the whole file (with codes it is ignored, as in flake8)."""
    for line in lines:
        match = NOQA_FILE.match(line)
        if match and not match.group("codes"):
            return True
    return False


def line_mapping(text: str) -> dict[int, str]:
    """Map each 1-based line to the text searched for ``noqa``: the line, or every line of a
    token over several lines (a triple-quoted string) it is part of, as flake8 7 joins them."""
    lines = text.splitlines(keepends=True)
    ends = logical_line_ends(text)
    if not ends:
        return {i + 1: line for i, line in enumerate(lines)}
    joined: dict[tuple[int, int], str] = {}
    mapping: dict[int, str] = {}
    for number, span in ends.items():
        if span not in joined:
            joined[span] = "".join(lines[span[0] - 1 : span[1]])
        mapping[number] = joined[span]
    return mapping


def is_suppressed(code: str, line_text: str | None) -> bool:
    """Whether ``line_text`` carries a ``# noqa`` that covers ``code``."""
    if not line_text:
        return False
    match = NOQA_INLINE.search(line_text)
    if match is None:
        return False
    codes_text = match.group("codes")
    if codes_text is None:
        return True
    codes = {part.strip() for part in _SPLIT.split(codes_text) if part.strip()}
    return code in codes or code.startswith(tuple(codes))


def logical_line_ends(text: str) -> dict[int, tuple[int, int]]:
    """Map each 1-based line to the first and last line of the span a ``# noqa`` covers: the
    line itself, or all the lines of a token over several lines (a triple-quoted string), where
    the comment can only go after the token's end (flake8 7's ``_noqa_line_mapping``)."""
    mapping: dict[int, tuple[int, int]] = {}
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return {}
    low, high = None, -1
    for tok in tokens:
        if tok.type in (tokenize.ENDMARKER, tokenize.DEDENT, tokenize.INDENT):
            continue
        low = tok.start[0] if low is None else min(low, tok.start[0])
        high = max(high, tok.end[0])
        # every line break ends a span, inside brackets too (NL): only a token over several
        # lines (a triple-quoted string) makes a span of more than one line, as flake8 7 reads it
        if tok.type in (tokenize.NEWLINE, tokenize.NL):
            for number in range(low, high + 1):
                mapping[number] = (low, high)
            low, high = None, -1
    return mapping


def add_codes(text: str, codes_by_line: dict[int, set[str]]) -> tuple[str, int]:
    """``text`` with ``# noqa: CODES`` covering each line of ``codes_by_line`` (ruff's
    ``--add-noqa``): codes merged into a ``# noqa: ...`` already covering the line, a bare
    ``# noqa`` left as it is, else the comment appended to the line (after a multi-line
    string's last line when the finding is in one, :func:`logical_line_ends`). Line endings are
    kept. Returns the new text and how many directives were added or extended."""
    lines = text.splitlines(keepends=True)
    ends = logical_line_ends(text)
    wanted: dict[tuple[int, int], set[str]] = {}
    for line, codes in codes_by_line.items():
        span = ends.get(line, (line, line))
        wanted.setdefault(span, set()).update(codes)
    changed = 0
    for (low, high), codes in sorted(wanted.items()):
        if not 1 <= high <= len(lines):
            continue
        existing = None
        for number in range(low, high + 1):
            match = NOQA_INLINE.search(lines[number - 1])
            if match:
                existing = (number, match)
                break
        if existing is not None:
            number, match = existing
            if match.group("codes") is None:
                continue  # a bare noqa covers every code
            have = [part.strip() for part in _SPLIT.split(match.group("codes")) if part.strip()]
            missing = sorted(c for c in codes if not any(c == h or c.startswith(h) for h in have))
            if not missing:
                continue
            line = lines[number - 1]
            body = line.rstrip("\r\n")
            match = NOQA_INLINE.search(body)
            merged = f"# noqa: {', '.join(have + missing)}"
            rest = body[match.end():]
            lines[number - 1] = body[: match.start()] + merged + (" " + rest.lstrip() if rest.strip() else "") \
                + line[len(body):]
            changed += 1
            continue
        line = lines[high - 1]
        body = line.rstrip("\r\n")
        ending = line[len(body):]
        lines[high - 1] = f"{body.rstrip()}  # noqa: {', '.join(sorted(codes))}{ending or ''}"
        changed += 1
    return "".join(lines), changed
