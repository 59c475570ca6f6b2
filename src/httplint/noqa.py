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
    """Map each 1-based line to the text searched for ``noqa``: its whole logical line."""
    lines = text.splitlines(keepends=True)
    mapping: dict[int, str] = {}
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return {i + 1: line for i, line in enumerate(lines)}
    low, high = len(lines) + 2, -1
    for tok in tokens:
        if tok.type in (tokenize.ENDMARKER, tokenize.DEDENT):
            continue
        low = min(low, tok.start[0])
        high = max(high, tok.end[0])
        if tok.type in (tokenize.NL, tokenize.NEWLINE):
            joined = "".join(lines[low - 1 : high])
            for number in range(low, high + 1):
                mapping[number] = joined
            low, high = len(lines) + 2, -1
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
