"""Which files are worth parsing, decided on their bytes (no parse of the module).

Every rule reports a call, ``with`` or annotation that resolves, through an import, to a
name in the library tables (:data:`httplint.libraries.PREFILTER_REFERENCED` and
:data:`~httplint.libraries.PREFILTER_CALLED`), or to one of the project's factories. A
file with no such reference cannot be flagged and is never parsed. Two stages:

1. **imports** (substring tests and one anchored regex per ``import`` line, in C): the
   import statements that name a client module (requests, httpx, urllib3, aiohttp,
   ``urllib.request``, ``http.client``, their forks and vendored copies);
2. **references**: those statements alone are parsed (a few bytes each) to learn the names
   they bind, then the file is scanned for a dotted reference through one of those names
   that the tables know: any reference to a client type (an annotation names it too), a
   call of anything else (``httpx.Timeout`` in an annotation is not a finding; a call
   ``httpx.Timeout(None)`` can be).

Anything the scan cannot read for certain (a relative or star import of a client module,
an import statement that does not parse on its own) keeps the file. The one thing this
adds over stage 1 is skipping files that import a library only for types and exceptions
(the generated resource modules of API SDKs import httpx for ``httpx.Timeout`` annotations).
"""

from __future__ import annotations

import ast
import re
from typing import Iterable

from . import libraries as lib
from .semantic import import_bindings

_FORMS = (
    # any import naming a client module
    rb"(?:from|import)[ \t][^\n]*?\b(?:requests|httpx2?|urllib3|aiohttp|niquests|urllib\.request|http\.client|httplib|urllib2)\b",
    # from urllib import request / from http import client
    rb"from[ \t]+(?:urllib|http)[ \t]+import[^\n]*\b(?:request|client)\b",
    # a bare `import urllib` / `import os, http` (then `urllib.request.urlopen(...)`)
    rb"import[ \t][^\n]*?\b(?:urllib|http)\b(?![.\w])",
)
_ALTERNATIVES = b"(?:" + b"|".join(_FORMS) + b")"
#: An import statement at the start of a line (a BOM or indentation before it) …
_IMPORT_LINE = re.compile(rb"(?:\xef\xbb\xbf)?[ \t]*(" + _ALTERNATIVES + b")")
#: … or after `;` / `:` on a line (`try: import requests`).
_IMPORT_INLINE = re.compile(rb"[^\n]*?[;:][ \t]*(" + _ALTERNATIVES + b")")
#: A keyword argument or method that identifies a library on a receiver of unknown type
#: (:data:`httplint.libraries.HELD_BY_KEYWORD_UNTYPED`, whose value must be that literal;
#: untyped ``aclose()``), by library: a word to find, then the pattern to confirm.
_UNTYPED_WORDS = {
    "requests": (b"stream", re.compile(rb"\bstream\s*=\s*True\b")),
    "urllib3": (b"preload_content", re.compile(rb"\bpreload_content\s*=\s*False\b")),
    "httpx": (b"aclose", re.compile(rb"\baclose\b")),
}


def import_statements(source: bytes) -> list[bytes]:
    """The import statements of ``source`` that name a client module, each as its own text
    (a parenthesised or backslash-continued statement with its continuation lines); empty
    when there is none. Prose that looks like an import ("from ... requests") is included."""
    # each spelling of a client module contains one of these words (three tests, not a generator;
    # "http" first: most files that have one have it, in a URL near the top, and stop there)
    if b"http" not in source and b"requests" not in source and b"urllib" not in source:
        return []
    statements = []
    find, rfind = source.find, source.rfind
    position = 0
    while True:
        index = find(b"import", position)
        if index < 0:
            return statements
        start = rfind(b"\n", 0, index) + 1
        end = find(b"\n", index)
        if end < 0:
            end = len(source)
        line = source[start:end]
        match = None
        if b"requests" in line or b"http" in line or b"urllib" in line:
            match = _IMPORT_LINE.match(source, start) or _IMPORT_INLINE.match(source, start)
        if match is not None:
            begin = match.start(1)
            line = source[begin:end]
            if b"(" in line and b")" not in line:
                close = find(b")", end)
                end = len(source) if close < 0 else close + 1
            else:
                while source[begin:end].rstrip(b"\r").endswith(b"\\") and end < len(source):
                    following = find(b"\n", end + 1)
                    end = len(source) if following < 0 else following
            statements.append(source[begin:end])
        position = end + 1 if end > index else index + 6


def _bindings(statements: Iterable[bytes]) -> dict[str, str] | None:
    """Local name → qualified name bound by the statements; ``None`` when one cannot be read
    for certain (keep the file)."""
    bound: dict[str, str] = {}
    for text in statements:
        try:
            tree = ast.parse(text.replace(b"\r", b""))
        except (SyntaxError, ValueError):
            if text.lstrip().startswith((b"import", b"from")) and b'"""' not in text and b"'''" not in text:
                return None  # a real statement that does not parse alone: unsure
            continue  # prose in a docstring
        for node in tree.body:
            if isinstance(node, ast.ImportFrom) and (node.level or any(a.name == "*" for a in node.names)):
                return None  # `from . import requests` (the package decides what it is), `import *`
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                bound.update(import_bindings(node))
    return bound


def _matters(qualified: str, called: bool) -> bool:
    """A reference to ``qualified`` (called or not) is one a rule can resolve."""
    parts = qualified.split(".")
    for size in range(len(parts), 1, -1):
        prefix = ".".join(parts[:size])
        if prefix in lib.PREFILTER_REFERENCED or (called and prefix in lib.PREFILTER_CALLED):
            return True
    return False


def uses_client_library(source: bytes) -> bool:
    """Whether ``source`` may hold something a rule reports (stages 1 and 2 above)."""
    statements = import_statements(source)
    if not statements:
        return False
    bound = _bindings(statements)
    if bound is None:
        return True
    canonical = {name: lib.canonical(qualified) or qualified for name, qualified in bound.items()}
    libraries = {qualified.split(".", 1)[0] for qualified in canonical.values()}
    for library, (word, pattern) in _UNTYPED_WORDS.items():
        if library in libraries and word in source and pattern.search(source):
            return True
    for name, qualified in canonical.items():
        if qualified.split(".", 1)[0] not in lib.LIBRARY_MODULES:
            continue
        needle, base = name.encode(), bound[name]
        find = source.find
        position = find(needle)
        while position >= 0:
            after = position + len(needle)
            # the name itself, not part of a longer identifier or an attribute of something else
            if (position == 0 or source[position - 1] not in _NAME_OR_DOT) and (
                after >= len(source) or source[after] not in _NAME_CHARS
            ):
                chain, called = _CHAIN.match(source, after).groups()
                qualified_name = lib.canonical(base + chain.decode()) or base
                if _matters(qualified_name, called is not None):
                    return True
            position = find(needle, after)
    return False


_NAME_CHARS = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
_NAME_OR_DOT = _NAME_CHARS | frozenset(b".")
#: what follows a name: attributes, then maybe a call
_CHAIN = re.compile(rb"((?:\.\w+)*)\b([ \t]*\()?")


class Prefilter:
    """``search(source)``: a file that may be flagged: it uses an HTTP library (see the
    module's documentation) or names one of ``words`` (a project's factories, subclasses)."""

    def __init__(self, words: Iterable[bytes] = ()) -> None:
        self.words = tuple(words)

    def names(self, source: bytes) -> bool:
        """Whether ``source`` contains one of the words (one substring search each, in C)."""
        return any(word in source for word in self.words)

    def search(self, source: bytes) -> bool:
        return self.names(source) or uses_client_library(source)


PREFILTER = Prefilter()


def build_prefilter(extra_words: Iterable[str] = ()) -> Prefilter:
    """:data:`PREFILTER`, plus the names of a project's client factories and subclasses."""
    words = [w.encode() for w in extra_words]
    return Prefilter(words) if words else PREFILTER
