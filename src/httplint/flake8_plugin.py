"""The flake8 plugin: ``HTL`` in ``flake8.extension``.

flake8 hands it the parsed tree, the lines and the file name; it runs the same engine
as the command line and yields the same line, column, code and message. flake8 does its
own selection (``--select``, ``--ignore``, ``extend-select``, ``per-file-ignores``) and
``noqa``; the plugin reads only the rule options (``client-factories``) and the test-file
policy (``test-files``, ``test-rules``) from the ``[tool.httplint]`` nearest to each file (as
the command line does). It never fixes.

Each file's findings are kept for the next run in ``.httplint_cache/files/`` under the
project root (:class:`httplint.cache.FileEntries`: valid for the same content, package,
configuration and httplint), so a re-run over unchanged files costs a digest and a read a
file; ``--httplint-no-cache`` (or ``httplint-no-cache = true`` in flake8's configuration)
turns that off.
"""

from __future__ import annotations

import ast
import functools
import gc
from pathlib import Path
from typing import Iterator

from . import __version__
from .cache import FileEntries
from .config import ConfigError, Settings, SettingsFinder, load
from .engine import build_prefilter, check_tree, for_tests
from .project import ProjectIndex, module_name
from .rules import RULES


@functools.lru_cache(maxsize=None)
def _finder(start: str) -> SettingsFinder:
    """The configuration of each file: the nearest ``[tool.httplint]`` above it, else the working
    folder's (as the command line resolves it)."""
    try:
        fallback = load(start=Path(start))
    except ConfigError:
        fallback = Settings()  # flake8 has no way to report it; the CLI does
    return SettingsFinder(fallback)


def _settings(filename: str) -> Settings:
    try:
        return _finder(str(Path.cwd())).for_path(filename)
    except ConfigError:
        return Settings()


@functools.lru_cache(maxsize=None)
def _project(settings: Settings) -> ProjectIndex:
    """One project index per process and configuration, on demand: a package's facts come from
    the modules the checked files import (flake8 hands each process a share of the files; a
    whole package read per process cost more than the check)."""
    return ProjectIndex(settings.knowledge, on_demand=True)


@functools.lru_cache(maxsize=None)
def _entries(root: Path) -> FileEntries:
    """The result cache of the project at ``root``, one per process."""
    return FileEntries(root)


@functools.lru_cache(maxsize=None)
def _settings_key(settings: Settings) -> str:
    """Everything of the configuration that decides a file's findings (the plugin runs every
    rule: flake8 selects among the findings)."""
    return repr(settings)


def _any_selected(options) -> bool:
    """Whether flake8's selection (``--select``, ``--extend-select``, ``--ignore`` …, as its
    ``DecisionEngine`` decides) reports any ``HTL`` code; ``True`` when that cannot be told."""
    try:
        from flake8.style_guide import Decision, DecisionEngine

        engine = DecisionEngine(options)
        return any(engine.decision_for(code) is Decision.Selected for code in RULES)
    except Exception:  # another flake8 than 6/7: run, as before
        return True


class Plugin:
    """flake8 AST plugin. Yields ``(line, column, "HTLnnn message", type)``."""

    name = "httplint"
    version = __version__
    #: whether flake8 reports any HTL code in this run (:meth:`parse_options`): when it does
    #: not (``flake8 --select E,F,B``), the plugin does nothing at all
    selected = True
    #: whether findings are read from and written to the result cache (``--httplint-no-cache``)
    cached = True

    @classmethod
    def add_options(cls, parser) -> None:
        """flake8's hook: the plugin's own option."""
        parser.add_option(
            "--httplint-no-cache", action="store_true", parse_from_config=True,
            help="httplint: neither read nor write .httplint_cache/files/ (each file's findings, kept for "
                 "the next run)",
        )

    @classmethod
    def parse_options(cls, options) -> None:
        """flake8's hook, called with the run's options once per process."""
        cls.selected = _any_selected(options)
        cls.cached = not getattr(options, "httplint_no_cache", False)

    def __init__(self, tree: ast.Module, lines: list[str], filename: str) -> None:
        self.tree = tree
        self.lines = lines
        self.filename = filename

    @functools.cached_property
    def source(self) -> bytes:
        """The module's text, as flake8 read it."""
        return "".join(self.lines).encode("utf-8", "surrogateescape")

    def run(self) -> Iterator[tuple[int, int, str, type]]:
        if not self.selected:
            return
        settings = _settings(self.filename)
        entries = key = found = None
        if self.cached:
            entries = _entries(settings.root)
            key = entries.key_of(self.filename, self.source, _settings_key(settings))
            found = entries.get(self.filename, key)
        if found is None:
            found = [(d.line, d.column, d.code, d.message) for d in self._checked()]
            if entries is not None:
                entries.put(self.filename, key, found)
        for line, column, code, message in found:
            yield line, column, f"{code} {message}", type(self)

    def _checked(self) -> list:
        """:meth:`_check`'s findings, checked with the collector off."""
        # The cyclic garbage collector off while the module is checked, as the command line keeps
        # it (httplint.runner.collector_off): the check's tree, model and analysis hold no
        # reference cycles, and each of their allocations could set off a collection that walks
        # everything flake8's process keeps alive (it cost about a third of the plugin's time).
        enabled = gc.isenabled()
        gc.disable()
        try:
            return self._check()
        finally:
            if enabled:
                gc.enable()

    def _check(self) -> list:
        """The module's diagnostics (:class:`httplint.rule.Diagnostic`)."""
        settings = _settings(self.filename)
        index = _project(settings)
        index.focus(self.filename)  # flake8 hands a process a package's files together
        index.offer(self.filename, self.tree)  # the index parses no module flake8 has parsed
        knowledge = index.knowledge_for(self.filename)
        source = self.source
        # the index's model of this module: of flake8's tree, or of its own parse of the same text
        semantic = index.take_offered_model(self.filename) or index.take_model(self.filename, source)
        if not build_prefilter(knowledge.words).search(source):
            return []
        module, is_package = module_name(self.filename)
        rules = [rule() for rule in RULES.values()]
        if settings.quiet_in_tests and settings.is_test_file(self.filename):
            rules = for_tests(rules)
        refine = functools.partial(index.refine, self.filename)
        tree = semantic.tree if semantic is not None else self.tree
        return check_tree(tree, self.filename, rules, knowledge, module, is_package, semantic, refine=refine)
