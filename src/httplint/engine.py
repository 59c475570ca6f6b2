"""Read, prefilter (:mod:`httplint.prefilter`), parse once with ``ast``, run the selected
rules, drop ``noqa``'d findings."""

from __future__ import annotations

import ast
import contextlib
import functools
import gc
import io
import re
import tokenize
from typing import Callable, Iterable

from . import libraries as lib
from . import noqa, notebook
from .config import Settings, UsageError, selection, selection_key, split_codes  # UsageError: where it was always imported from
from .files import read_bytes
from .prefilter import PREFILTER, Prefilter, build_prefilter
from .project import ProjectIndex, module_name
from .resources import analyze
from .rule import Diagnostic, Rule, reading_order
from .rules import OPINIONATED_PREFIX, RULES
from .semantic import SemanticModel, parse

_NOQA = re.compile(rb"(?i)noqa")
#: Files larger than this are not parsed (a parse and its model take ~60x the source in
#: memory); they are reported as skipped. The largest real modules (generated API clients)
#: are a few MiB.
MAX_FILE_BYTES = 8 * 2**20
Refine = Callable[[SemanticModel, lib.Knowledge], lib.Knowledge]


def _check_selectors(prefixes: Iterable[str]) -> None:
    for prefix in prefixes:
        if prefix != "ALL" and not any(code.startswith(prefix) for code in RULES):
            raise UsageError(f"unknown rule selector {prefix!r}")


def _longest(code: str, prefixes: Iterable[str]) -> int:
    """Length of the longest prefix of ``code`` in ``prefixes`` (``ALL`` counts 0), or -1."""
    best = -1
    for prefix in prefixes:
        if prefix == "ALL":
            best = max(best, 0)
        elif code.startswith(prefix):
            best = max(best, len(prefix))
    return best


def select_rules(
    select: Iterable[str] | None = None,
    ignore: Iterable[str] | None = None,
    extend_select: Iterable[str] | None = None,
) -> list[Rule]:
    """The rules selected by code prefixes, flake8-style (``HTL1`` selects ``HTL1xx``; ``ALL`` everything).

    Without ``select``, every rule outside the opinionated band ``HTL9xx`` is on;
    ``extend_select`` adds to either. For each code the longest matching prefix decides;
    on a tie ``ignore`` wins.

    Raises:
        UsageError: a prefix matches no rule.
    """
    selected = split_codes(select)
    extended = split_codes(extend_select)
    ignored = split_codes(ignore)
    _check_selectors((*selected, *extended, *ignored))
    chosen = []
    for code, rule in RULES.items():
        if selected:
            on = _longest(code, (*selected, *extended))
        else:
            on = max(_longest(code, extended), -1 if code.startswith(OPINIONATED_PREFIX) else 0)
        off = _longest(code, ignored)
        if on >= 0 and on > off:
            chosen.append(rule())
    return chosen


def for_tests(rules: Iterable[Rule]) -> list[Rule]:
    """The rules of ``rules`` that report in test files under ``test-rules = "runtime"``, each told
    it checks test code (:attr:`Rule.in_tests`)."""
    return [type(rule)(test_file=True) for rule in rules if rule.in_tests != "never"]


class Linter:
    """One run's settings: the rules selected (per file, after per-file ignores), the
    library knowledge with the project's factories, and the prefilter.

    Args:
        settings: the resolved configuration.
        select: rule selectors from the command line, replacing the configuration's.
        ignore, extend_select: selectors from the command line, added to the configuration's.

    Raises:
        UsageError: a selector matches no rule.
    """

    def __init__(
        self,
        settings: Settings | None = None,
        select: Iterable[str] | None = None,
        ignore: Iterable[str] | None = None,
        extend_select: Iterable[str] | None = None,
        use_astroid: bool = True,
    ) -> None:
        self.settings = settings or Settings()
        self.cli_select, self.cli_ignore, self.cli_extend = select, ignore, extend_select
        self._select, self._ignore, self._extend = selection(self.settings, select, ignore, extend_select)
        self.rules = select_rules(self._select or None, self._ignore, self._extend)
        self.knowledge = self.settings.knowledge
        self.prefilter = build_prefilter(self.knowledge.words)
        self._per_file: dict[tuple[tuple[str, ...], bool], list[Rule]] = {}
        self.project = ProjectIndex(self.knowledge, use_astroid=use_astroid)
        self._prefilters: dict[lib.Knowledge, Prefilter] = {}

    def cache_key(self) -> str:
        """Everything besides a file that decides its findings: configuration and rule selection."""
        return selection_key(self.settings, self.cli_select, self.cli_ignore, self.cli_extend)

    def rules_for(self, path: str) -> list[Rule]:
        """The rules that check ``path``: the selection, less its per-file ignores, and in a test
        file under ``test-rules = "runtime"`` only the rules for what breaks or warns in the test run
        (:func:`for_tests`)."""
        extra = self.settings.ignored_for(path) if self.settings.per_file_ignores else ()
        test = self.settings.quiet_in_tests and self.settings.is_test_file(path)
        if not extra and not test:
            return self.rules
        cached = self._per_file.get((extra, test))
        if cached is None:
            cached = select_rules(self._select or None, [*self._ignore, *extra], self._extend)
            self._per_file[(extra, test)] = cached = for_tests(cached) if test else cached
        return cached

    def context(self, path: str) -> tuple[lib.Knowledge, Prefilter, str | None, bool]:
        """The knowledge (with the package's factories), prefilter and module name for ``path``."""
        knowledge = self.project.knowledge_for(path)
        prefilter = self._prefilters.get(knowledge)
        if prefilter is None:
            prefilter = self._prefilters[knowledge] = build_prefilter(knowledge.words)
        module, is_package = module_name(path)
        return knowledge, prefilter, module, is_package

    def check_source(self, source: bytes, path: str) -> list[Diagnostic]:
        knowledge, prefilter, module, is_package = self.context(path)
        if notebook.is_notebook(path):
            return check_notebook(source, path, self.rules_for(path), knowledge, prefilter, self.refiner(path))
        semantic = self.project.take_model(path, source)
        return check_source(source, path, self.rules_for(path), knowledge, prefilter, module, is_package, semantic,
                            self.refiner(path))

    def refiner(self, path: str) -> Refine:
        """The ``refine`` hook of :func:`check_tree` for ``path``."""
        return functools.partial(self.project.refine, path)

    def check_path(self, path: str) -> list[Diagnostic]:
        try:
            source = read_bytes(path)
        except OSError as error:
            return [_io_error(path, error)]
        return self.check_source(source, path)


class Linters:
    """One :class:`Linter` per configuration a run meets (the command line's, or an editor's over
    its session), each with the same rule selectors; made when first asked for, then kept warm."""

    def __init__(self, select: Iterable[str] | None = None, ignore: Iterable[str] | None = None,
                 extend_select: Iterable[str] | None = None) -> None:
        self.selectors = (select, ignore, extend_select)
        self._made: dict[Settings, Linter] = {}

    def get(self, settings: Settings) -> Linter:
        """Raises :class:`UsageError` when a selector matches no rule."""
        linter = self._made.get(settings)
        if linter is None:
            linter = self._made[settings] = Linter(settings, *self.selectors)
        return linter


def check_tree(
    tree: ast.Module,
    path: str,
    rules: list[Rule],
    knowledge: lib.Knowledge | None = None,
    module: str | None = None,
    is_package: bool = False,
    semantic: SemanticModel | None = None,
    refine: Refine | None = None,
) -> list[Diagnostic]:
    """Run ``rules`` on a parsed module; no ``noqa`` handling (flake8 does its own).

    ``refine(model, knowledge)``: the knowledge for this module once its model is built (the
    project index asks astroid about the functions it calls, :meth:`ProjectIndex.refine`).
    """
    if not rules:
        return []
    semantic = semantic or SemanticModel(tree, module, is_package)
    if refine is not None:
        knowledge = refine(semantic, knowledge or lib.DEFAULT_KNOWLEDGE)
    analysis = analyze(tree, semantic, knowledge)
    found = set()
    for rule in rules:
        for report in rule.check(analysis):
            node, message = report[0], report[1]
            fix = report[2] if len(report) > 2 else None
            if isinstance(fix, str):
                message, fix = f"{message} (no automatic fix: {fix})", None
            found.add(Diagnostic(path, node.lineno, node.col_offset, rule.code, rule.name, message, fix))
    return sorted(_one_finding_per_cause(found))


def _one_finding_per_cause(found: set[Diagnostic]) -> set[Diagnostic]:
    """Drop a finding that another one at the same position tells already (:attr:`Rule.subsumes`)."""
    at: dict[tuple[int, int], set[str]] = {}
    for d in found:
        at.setdefault((d.line, d.column), set()).add(d.code)
    told = {
        (position, code)
        for position, codes in at.items() if len(codes) > 1
        for other in codes for code in RULES[other].subsumes & codes
    }
    return {d for d in found if ((d.line, d.column), d.code) not in told} if told else found


def check_notebook(source: bytes, path: str, rules: list[Rule], knowledge: lib.Knowledge | None = None,
                   prefilter: Prefilter = PREFILTER, refine: Refine | None = None) -> list[Diagnostic]:
    """Check a notebook's code cells (:mod:`httplint.notebook`); findings name their cell and
    carry no fix. A file that is not a notebook gets one ``E902`` saying why."""
    try:
        cells = notebook.code_of(source)
    except notebook.NotebookError as error:
        return [Diagnostic(path, 1, 0, "E902", "io-error", str(error))]
    found = check_source(cells.source, path, rules, knowledge, prefilter, None, False, None, refine)
    return sorted((cells.locate(d) for d in found), key=reading_order)


def check_source(
    source: bytes,
    path: str,
    rules: list[Rule],
    knowledge: lib.Knowledge | None = None,
    prefilter: Prefilter = PREFILTER,
    module: str | None = None,
    is_package: bool = False,
    semantic: SemanticModel | None = None,
    refine: Refine | None = None,
) -> list[Diagnostic]:
    """Check one file's bytes (``semantic``: its parse and model, when already made). Never raises
    for bad input.

    Returns:
        The findings, sorted, after ``# noqa``; or one ``E999`` diagnostic when the
        file cannot be parsed (syntax error, bad encoding, NUL bytes, nesting too deep).
    """
    if not rules or not prefilter.search(source):
        return []
    with _collector_paused():
        return _check_parsed(source, path, rules, knowledge, module, is_package, semantic, refine)


@contextlib.contextmanager
def _collector_paused():
    """The cyclic garbage collector off while one file is parsed and analysed: its nodes are
    young and all alive until the end, so collections during the build only rescan them
    (about a tenth of the time). What the file leaves is collected after."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _check_parsed(source, path, rules, knowledge, module, is_package, semantic, refine) -> list[Diagnostic]:
    if len(source) > MAX_FILE_BYTES:
        size = f"{len(source) / 2**20:.1f} MiB"
        return [Diagnostic(path, 1, 0, "E902", "io-error",
                           f"file too large to analyse ({size}; the limit is {MAX_FILE_BYTES >> 20} MiB): skipped")]
    try:
        tree = semantic.tree if semantic is not None else parse(source, filename=path)
    except SyntaxError as error:
        line = error.lineno or 1
        column = max((error.offset or 1) - 1, 0)
        return [Diagnostic(path, line, column, "E999", "syntax-error", f"{type(error).__name__}: {error.msg}")]
    except (ValueError, RecursionError, MemoryError) as error:
        return [Diagnostic(path, 1, 0, "E999", "syntax-error", f"{type(error).__name__}: {error}")]
    try:
        diagnostics = check_tree(tree, path, rules, knowledge, module, is_package, semantic, refine)
    except RecursionError:
        return [Diagnostic(path, 1, 0, "E999", "syntax-error", "RecursionError: file nested too deeply to analyse")]
    if not diagnostics or _NOQA.search(source) is None:
        return diagnostics  # every noqa comment contains the word (PEP 263 encodings are ASCII-compatible)
    text = decode(source)
    lines = text.splitlines(keepends=True)
    if noqa.file_is_skipped(lines):
        return []
    mapping = noqa.line_mapping(text)
    return [
        d
        for d in diagnostics
        if not noqa.is_suppressed(d.code, mapping.get(d.line) or (lines[d.line - 1] if d.line <= len(lines) else None))
    ]


def decode(source: bytes) -> str:
    """The text of a file's bytes, by its PEP 263 cookie or BOM; undecodable bytes replaced."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(source).readline)
        return source.decode(encoding)
    except (SyntaxError, LookupError, UnicodeDecodeError):
        return source.decode("utf-8", errors="replace")


def _io_error(path: str, error: OSError) -> Diagnostic:
    reason = error.strerror or str(error)
    return Diagnostic(path, 1, 0, "E902", "io-error", f"{type(error).__name__}: {reason}")
