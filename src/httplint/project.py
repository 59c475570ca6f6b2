"""What a project defines that the rules must know: factories and client subclasses.

A *factory* is a module-level function of the project that returns a new client (or a
held response): its callers become the owners. A *client subclass* is a class of the
project deriving from a library client (``class MySession(requests.Session)``): its
instances behave as the library type in every rule.

The index is built per top-level package (the highest folder of ``__init__.py`` files above a
module), once per run and shared by every module of the package. Only modules that mention an
HTTP library are read. The command line checks each module the index reads on the index's own
parse as the build goes (:meth:`ProjectIndex.build_checking`, a module after those it
imports), and again only a module whose check could have read a fact found after it. The
flake8 plugin, which sees one file at a time in each of flake8's processes, builds it on
demand (``on_demand``): from the modules the checked files import, directly or not, which
give the same facts for every name those files can refer to, so the command line and flake8
agree; it holds one package at a time (:meth:`ProjectIndex.focus`). Return values the ``ast`` typing cannot follow are asked of astroid
(:mod:`httplint.infer`), only for functions that contain a client construction.
"""

from __future__ import annotations

import ast
import re
import dataclasses
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from . import libraries as lib
from .files import SKIPPED_DIRS, absolute, read_bytes, top_of_folder, top_package  # noqa: F401 (re-exported)
from .owners import OwnerTyping, handed_elsewhere
from .prefilter import PREFILTER
from .semantic import FunctionNode, SemanticModel, own_nodes, parse, relative_base

MAX_ROUNDS = 4
#: The index hands its parses to the check only within this budget, so that memory stays
#: flat on large packages (generated API clients run to megabytes a module).
KEEP_TREE_MAX_BYTES = 256 * 1024
#: (1 MiB gave a 105 MB peak on the benchmark's sdists, 512 KiB 78 MB, in the same time)
KEEP_TREES_BUDGET = 512 * 1024  # of source: a parse and its model take ~60x that
#: Modules larger than this (generated API clients) are not indexed: their models would all be
#: alive at once during the build. A factory defined there is missed (its callers not flagged).
INDEX_MAX_BYTES = 512 * 1024
#: astroid builds its own tree of a whole module to answer one question; beyond this many
#: lines (generated API clients run to tens of thousands) the answer is not worth its cost.
ASTROID_MAX_LINES = 3000

#: A module can define a factory or a client subclass only if its text builds a client or
#: a held response, or derives from a client: the index reads no other module. Substring
#: tests (in C) rather than one regex of alternatives, which could not use a literal search.
_DEFINES_WORDS = (b"Session(", b"Client(", b"PoolManager(", b"ProxyManager(", b"ConnectionPool(",
                  b"connection_from_url", b"proxy_from_url", b"Connector(", b"Transport(", b"Connection(",
                  b"stream=True", b"preload_content", b"urlopen(")


_SETS_SOCKET_DEFAULT = re.compile(rb"\bsetdefaulttimeout\(\s*(?!None\b|\))")
_MEMOISING = ("lru_cache", "cache", "cached_property", "property", "contextmanager", "asynccontextmanager",
              "fixture")


def may_define(source: bytes) -> bool:
    if any(word in source for word in _DEFINES_WORDS):
        return True
    return b"class " in source and (b"Session)" in source or b"Client)" in source)


def indexable(source: bytes, relevant: bool | None = None) -> bool:
    """Whether the index reads this module: small enough, may define a factory or a client
    subclass, and uses an HTTP library (:data:`httplint.prefilter.PREFILTER`; ``relevant``:
    its answer, when already known)."""
    if len(source) > INDEX_MAX_BYTES or not may_define(source):
        return False
    return PREFILTER.search(source) if relevant is None else relevant


def package_modules(top: Path) -> list[str]:
    """The modules of the package ``top`` the index looks at: ``.py`` files in folders with
    an ``__init__.py``, outside :data:`~httplint.files.SKIPPED_DIRS`, in sorted order."""
    found = []
    for folder, dirnames, filenames in os.walk(top):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIPPED_DIRS and (Path(folder, d) / "__init__.py").is_file())
        found.extend(os.path.join(folder, name) for name in sorted(filenames) if name.endswith(".py"))
    return found


class _Walked:
    """A module the on-demand index reached: whether it is indexed (``wide``), its imports within
    the package (``edges``, as :meth:`ProjectIndex._imports_within` gives them), its words when
    followed whole (``words``: :func:`identifiers`), whether it was followed through every import
    (``whole``), and else the names its importers wanted of it so far (``names``)."""

    __slots__ = ("edges", "names", "whole", "wide", "words")

    def __init__(self, wide: bool, edges: list, words: frozenset[str] | None) -> None:
        self.wide = wide
        self.edges = edges
        self.words = words
        self.whole = False
        self.names: frozenset[str] | None = None


@dataclass
class ProjectFacts:
    """Factories and subclasses of one package, by qualified name."""

    factories: dict[str, lib.OwnerType] = field(default_factory=dict)
    response_factories: dict[str, lib.ResponseType] = field(default_factory=dict)
    subclasses: dict[str, lib.OwnerType] = field(default_factory=dict)
    #: project classes that hold a client and close it (wrapper owners), by qualified name
    wrappers: dict[str, lib.OwnerType] = field(default_factory=dict)
    #: module-level instances whose class has a method that builds a client, by qualified name
    producers: dict[str, lib.OwnerType] = field(default_factory=dict)
    #: one-shot session helpers (:meth:`httplint.owners.OwnerTyping.session_helper`), by qualified name
    session_helpers: dict[str, lib.SessionHelper] = field(default_factory=dict)
    modules: int = 0
    inferred: int = 0
    #: functions only astroid can decide, asked when a checked module calls one:
    #: qualified name → (path, line of the ``def``)
    undecided: dict[str, tuple[str, int]] = field(default_factory=dict)


class _EarlyChecks:
    """The checks :meth:`ProjectIndex.build_checking` makes during the build: which modules, how,
    and what each found with the facts of then, ``(path, source, findings, facts, the modules
    whose code the package view analysed for it)``."""

    def __init__(self, wanted: set[str], check: Callable[[bytes, str], list]) -> None:
        self.wanted = wanted
        self.check = check
        self.made: list[tuple[str, bytes, list, dict, frozenset[str]]] = []


def _fact_items(facts: ProjectFacts) -> dict[tuple[str, str], object]:
    """Every fact of ``facts`` by (kind, qualified name), to compare two moments of a build."""
    return {(kind, name): value for kind in _FACT_KINDS for name, value in getattr(facts, kind).items()}


_FACT_KINDS = ("factories", "response_factories", "subclasses", "wrappers", "producers", "session_helpers",
               "undecided")


def dependency_order(paths: list[str]) -> list[str]:
    """``paths`` (modules of one package) with each module after the ones among them it imports
    (:func:`imported_edges`, read from the text; a cycle is cut where it closes), otherwise in
    their order. A module that cannot be read keeps its place."""
    by_name: dict[str, str] = {}
    modules: dict[str, tuple[str, bool]] = {}
    for path in paths:
        module, is_package = module_name(path)
        if module is not None:
            by_name[module] = path
            modules[path] = (module, is_package)
    imports: dict[str, list[str]] = {}
    for path, (module, is_package) in modules.items():
        try:
            source = read_bytes(path)
        except OSError:
            continue
        imports[path] = [by_name[name] for name, _, _ in imported_edges(source, module, is_package)
                         if name in by_name and by_name[name] != path]
    order: list[str] = []
    placed: set[str] = set()
    for first in paths:
        if first in placed:
            continue
        placed.add(first)
        stack = [(first, iter(imports.get(first, ())))]
        while stack:
            path, pending = stack[-1]
            following = next((p for p in pending if p not in placed), None)
            if following is None:
                stack.pop()
                order.append(path)
            else:
                placed.add(following)
                stack.append((following, iter(imports.get(following, ()))))
    return order


def module_name(path: str) -> tuple[str | None, bool]:
    """The dotted module name of ``path`` within its package, and whether it is a package ``__init__``."""
    top = top_package(path)
    full = Path(absolute(path))
    if top is None:
        return (full.stem if full.stem.isidentifier() else None), False
    relative = full.relative_to(top.parent).with_suffix("")
    parts = list(relative.parts)
    is_package = parts[-1] == "__init__"
    if is_package:
        parts = parts[:-1]
    if not all(part.isidentifier() for part in parts):
        return None, False
    return ".".join(parts), is_package


class ProjectIndex:
    """Lazily built :class:`ProjectFacts` per top-level package.

    Args:
        knowledge: the library tables with the configuration's factories.
        use_astroid: ask astroid about return values ``ast`` cannot follow.
    """

    def __init__(self, knowledge: lib.Knowledge | None = None, use_astroid: bool = True,
                 on_demand: bool = False) -> None:
        self.base = knowledge or lib.DEFAULT_KNOWLEDGE
        self.use_astroid = use_astroid
        self.on_demand = on_demand
        self._facts: dict[Path, ProjectFacts] = {}
        #: on demand: each module reached, by package and path (:class:`_Walked`)
        self._walked: dict[Path, dict[str, _Walked]] = {}
        #: on demand: the parse of the module being checked, offered by the caller (flake8's), and
        #: the model the index made of it, handed back for the check
        self._offered: tuple[str, ast.Module] | None = None
        self._offered_model: tuple[str, SemanticModel] | None = None
        self._listed: dict[Path, frozenset[str]] = {}
        self._by_name: dict[Path, dict[str, list[str]]] = {}
        self._dotted: dict[str, tuple[str, bool]] = {}  # a listed module's name and whether a package
        #: trees the index parsed, handed to the check of the same file so that it is parsed once
        self._trees: dict[str, tuple[bytes, SemanticModel]] = {}
        self._kept = 0  # bytes of source whose parse is kept
        self._astroid: dict[str, tuple] = {}  # astroid's modules, by path, once asked
        self._summaries: dict[str, object] = {}  # module name → its Summaries, parsed on demand
        self._views: dict[Path, ProjectView] = {}
        self._sources: dict[Path, list[tuple[str, bytes]]] = {}  # a package's module texts, once asked
        self._socket_default: dict[Path, bool] = {}
        self._typings: dict[int, OwnerTyping] = {}  # typing layers of modules parsed on demand
        #: the modules whose code the package view analysed with the facts (a base class, a method
        #: of a module-level instance) since the last early check began (:meth:`build_checking`)
        self._looked: set[str] = set()
        self._loaded: dict[str, str] = {}  # module name → the path :meth:`_module` parsed
        #: the parses a :meth:`build_checking` build holds for its rounds, by absolute path: read by
        #: :meth:`_module`, handed to the checks made again
        self._holding: dict[str, tuple[bytes, SemanticModel]] = {}
        self._checking_early = False
        self._focus: Path | None = None  # on demand: the package of the file checked last

    def focus(self, path: str) -> None:
        """On demand: the next file checked is ``path``. When it is of another package than the
        file before, that package is forgotten (:meth:`forget`): a caller handed a package's
        files together (flake8, in each process) holds one package's models at a time, not every
        one it has seen. A loose script forgets the package before and keeps nothing itself."""
        top = top_package(path)
        if self._focus is not None and self._focus != top:
            self.forget(self._focus)
        self._focus = top

    def facts_for(self, path: str) -> ProjectFacts:
        top = top_package(path)
        if top is None:
            return ProjectFacts()
        if self.on_demand:
            return self._facts_on_demand(top, path)
        facts = self._facts.get(top)
        if facts is None:
            facts = self._facts[top] = self._build(top)
        return facts

    def _facts_on_demand(self, top: Path, path: str) -> ProjectFacts:
        """The facts of the modules ``path`` can reach through its imports within its package (and
        of those reached before): for the names ``path`` can refer to they are the whole
        package's. A module the index would read (:func:`indexable`) and ``path`` itself are
        followed through every import; any other module defines no fact and is only a way
        through (``from .api import Client`` in an ``__init__``): of its imports only those that
        bind a name its importers' text contains are followed (an SDK's ``__init__`` importing a
        thousand generated models costs the few its users name). The indexable modules a new
        traversal brings in are looked at on top of the facts so far."""
        start = absolute(path)
        facts = self._facts.get(top)
        walked = self._walked.setdefault(top, {})
        known = walked.get(start)
        if known is not None and known.whole and facts is not None:
            return facts
        modules = self._module_paths(top)
        stack: list[tuple[str, frozenset[str] | None]] = [(start, None)]  # (module, names wanted; None: all)
        added: list[str] = []
        while stack:
            module, wanted = stack.pop()
            state = walked.get(module)
            if state is None:
                try:
                    source = read_bytes(module)
                except OSError:
                    walked[module] = _Walked(False, [], None)
                    continue
                # (`start` may lie outside the listed modules: `build/`)
                wide = module in modules and indexable(source)
                if wide:
                    added.append(module)
                state = walked[module] = _Walked(wide, self._imports_within(top, module, source), None)
                if wide or wanted is None:
                    state.words = identifiers(source)
            elif state.words is None and wanted is None:  # a way through before, now checked itself
                try:
                    state.words = identifiers(read_bytes(module))
                except OSError:
                    continue
            if state.wide or wanted is None:
                if state.whole:
                    continue
                state.whole = True
                for target, _, taken in state.edges:
                    stack.append((target, state.words if taken is None else frozenset((taken,))))
                continue
            new = wanted - state.names if state.names is not None else wanted
            if state.names is not None and not new:
                continue
            state.names = new if state.names is None else state.names | new
            for target, bound, taken in state.edges:
                # a star import (`bound` None) passes the names on as they come, as does a module
                # bound whole (its attributes are what is wanted); `from m import n` wants `n` of
                # `m`. A name that is not ASCII (which `identifiers` does not read) is followed always.
                if bound is None or bound in new or not bound.isascii():
                    stack.append((target, new if taken is None else frozenset((taken,))))
        # the modules reached before import none of the new ones through a name they contain
        # (each traversal followed every such import): their facts stand, and the new modules'
        # are found on top of them
        if added or facts is None:
            facts = self._facts[top] = self._build(top, sorted(added), facts)
        return facts

    def _module_paths(self, top: Path) -> frozenset[str]:
        """:func:`package_modules` of ``top`` (absolute paths), listed once per run: the modules
        the whole-package index would look at, and no others."""
        found = self._listed.get(top)
        if found is None:
            found = self._listed[top] = frozenset(package_modules(top))
        return found

    def _module_names(self, top: Path) -> dict[str, list[str]]:
        """The modules of :meth:`_module_paths` by dotted name (``a/b.py`` and ``a/b/__init__.py``
        both under ``a.b``)."""
        found = self._by_name.get(top)
        if found is None:
            found = self._by_name[top] = {}
            parent = len(str(top.parent)) + 1
            for path in self._module_paths(top):
                relative = path[parent:-3]
                is_package = relative.endswith("__init__")
                if is_package:
                    relative = relative[: -len("__init__")].rstrip(os.sep)
                dotted = relative.replace(os.sep, ".")
                found.setdefault(dotted, []).append(path)
                if all(part.isidentifier() for part in dotted.split(".")):
                    self._dotted[path] = (dotted, is_package)  # as :func:`module_name` says
        return found

    def _imports_within(self, top: Path, path: str, source: bytes) -> list[tuple[str, str | None, str | None]]:
        """The modules of package ``top`` that the module at ``path`` imports (and the packages
        above them, whose ``__init__`` runs first), found in its text (:func:`imported_edges`):
        a superset where the text is unusual, never fewer. Each with what its statement binds:
        ``(path, local name or None for a star import, name imported or None)``. The packages
        above a ``from a.b import c`` run first but bind nothing the importer can name: they are
        not among them (an ``import a.b`` binds ``a``, and they are)."""
        by_name = self._module_names(top)
        module, is_package = self._dotted.get(path) or module_name(path)
        found: list[tuple[str, str | None, str | None]] = []
        if module is None:
            return found
        seen = set()
        for name, bound, taken in imported_edges(source, module, is_package):
            if name.split(".", 1)[0] != top.name:
                continue
            if taken is not None:  # `from a.b import c`: `c` of `a.b` (`a.b.c` itself, if a module)
                taken = None if taken == SUBMODULE else taken
                found.extend((target, bound, taken) for target in by_name.get(name, ()))
                continue
            # `import a.b` (or a star import): the module and the packages above it, bound whole
            # (`a.b.x` wants `x`)
            while name and (name, bound) not in seen:
                seen.add((name, bound))
                found.extend((target, bound, None) for target in by_name.get(name, ()))
                name = name.rpartition(".")[0]
        return found

    def take_model(self, path: str, source: bytes) -> SemanticModel | None:
        """The parse and semantic model the index made for ``path``, if its source is unchanged
        (handed out once: the check of the file reuses it instead of parsing again)."""
        cached = self._trees.pop(absolute(path), None)
        if cached is None:
            return None
        self._kept -= len(cached[0])
        return cached[1] if cached[0] == source else None

    def offer(self, path: str, tree: ast.Module) -> None:
        """On demand: the caller's parse of ``path`` (flake8's tree), used if the index must read
        that module now instead of parsing it again; :meth:`take_offered_model` after."""
        self._offered = (absolute(path), tree)
        self._offered_model = None

    def take_offered_model(self, path: str) -> SemanticModel | None:
        """The model the index made of the offered tree of ``path``, if it made one (the check
        then reuses it); the offer ends."""
        offered, self._offered, self._offered_model = self._offered_model, None, None
        return offered[1] if offered is not None and offered[0] == absolute(path) else None

    def knowledge_for(self, path: str) -> lib.Knowledge:
        facts = self.facts_for(path)
        top = top_package(path)
        view = self._views.get(top) if top is not None else None
        if top is not None and view is None:
            view = self._views[top] = ProjectView(self, top)
        if not (facts.factories or facts.subclasses or facts.response_factories or facts.wrappers
                or facts.producers or facts.session_helpers):
            return dataclasses.replace(self.base, project=view) if view else self.base
        knowledge = self.base.with_project(
            tuple({**facts.wrappers, **facts.subclasses, **facts.factories}.items()),
            tuple(facts.response_factories.items()), tuple({**facts.wrappers, **facts.subclasses}.items()),
            tuple(facts.producers), tuple(facts.session_helpers.items()),
        )
        return dataclasses.replace(knowledge, project=view) if view else knowledge

    # -- other modules of the package, parsed on demand -----------------------------------

    def resolve(self, top: Path, qualified: str, depth: int = 0):
        """``(summaries of the module, name)`` for the module-level name ``qualified`` of
        package ``top``, following re-exports (``from .helpers import get_json`` in an
        ``__init__``); ``None`` when it is not defined in a module of the package."""
        parts = qualified.split(".")
        if parts[0] != top.name or len(parts) < 2 or depth > 3:
            return None
        for cut in range(len(parts) - 1, 0, -1):
            summaries = self._module(top, parts[:cut])
            if summaries is None:
                continue
            if len(parts) - cut != 1:
                return None
            name = parts[-1]
            scope = summaries.sm.module_scope
            target = scope.imports.get(name)
            if target is not None and name not in scope.bound:
                return self.resolve(top, lib.canonical(target) or target, depth + 1)
            return summaries, name
        return None

    def _module(self, top: Path, parts: list[str]):
        """The :class:`~httplint.summaries.Summaries` (and through it the model) of module
        ``parts`` of package ``top``, parsed once per run; ``None`` when it is not there."""
        from .summaries import Summaries

        key = ".".join(parts)
        if key in self._summaries:
            return self._summaries[key]
        base = top.parent.joinpath(*parts)
        summaries = None
        for path in (base.with_suffix(".py"), base / "__init__.py"):
            if not path.is_file():
                continue
            try:
                held = self._holding.get(absolute(str(path)))  # the build's own parse (build_checking)
                source = held[0] if held is not None else read_bytes(str(path))
                if len(source) <= INDEX_MAX_BYTES:
                    self._loaded[key] = str(path)
                    if held is not None and (held[1].module, held[1].is_package) == (key, path.name == "__init__.py"):
                        semantic = held[1]
                    else:
                        semantic = SemanticModel(parse(source, filename=str(path)), key, path.name == "__init__.py")
                    summaries = Summaries(semantic, self._views.setdefault(top, ProjectView(self, top)).summary)
            except (OSError, SyntaxError, ValueError, RecursionError):
                summaries = None
            break
        self._summaries[key] = summaries
        return summaries

    def looked_into(self, module: str | None) -> None:
        """The package view analysed ``module``'s code with the facts (:attr:`_looked`, while an
        early check of :meth:`build_checking` runs)."""
        if self._checking_early:
            self._looked.add(module or "")

    def typing_of(self, top: Path, semantic: SemanticModel) -> OwnerTyping:
        """The typing layer of a module of package ``top`` parsed on demand (once per run)."""
        typing = self._typings.get(id(semantic))
        if typing is None:
            knowledge = self.knowledge_for(str(top / "__init__.py"))
            typing = self._typings[id(semantic)] = OwnerTyping(semantic, knowledge)
        return typing

    def _package_sources(self, top: Path) -> list[tuple[str, bytes]]:
        """``(path, text)`` of every module of package ``top``, read once per run when asked."""
        sources = self._sources.get(top)
        if sources is None:
            sources = []
            for path in package_modules(top):
                try:
                    sources.append((path, read_bytes(path)))
                except OSError:
                    continue
            self._sources[top] = sources
        return sources

    def names_elsewhere(self, top: Path, name: str, module: str | None) -> bool:
        """A module of package ``top`` other than ``module`` contains the word ``name``."""
        word = name.encode()
        return any(word in source and module_name(path)[0] != module for path, source in self._package_sources(top))

    def sets_socket_default(self, top: Path) -> bool:
        """Some module of package ``top`` calls ``socket.setdefaulttimeout(<not None>)`` (a CLI's
        entry point, for the whole process): a text search, once per package and run."""
        found = self._socket_default.get(top)
        if found is None:
            found = self._socket_default[top] = any(
                b"setdefaulttimeout" in source and _SETS_SOCKET_DEFAULT.search(source) is not None
                for _, source in self._package_sources(top)
            )
        return found

    def closes_attribute(self, top: Path, attribute: str) -> bool:
        """Some module of package ``top`` closes ``<something>.<attribute>`` from outside its
        class (``client.session.close()``, ``await api.http.aclose()``): a text search of the
        package's modules, read once per run when first asked."""
        needles = [f".{attribute}.{method}(".encode() for method in ("close", "aclose", "clear", "shutdown")]
        for _, source in self._package_sources(top):
            for needle in needles:
                start = source.find(needle)
                while start != -1:
                    if not source[max(0, start - 4):start].endswith(b"self"):
                        return True
                    start = source.find(needle, start + 1)
        return False

    # -- building --------------------------------------------------------------------

    def build_from(self, top: Path, paths: list[str]) -> ProjectFacts:
        """Build the facts of package ``top`` from ``paths``, its modules already known to pass
        :func:`indexable` (a run that has read every module once decides that itself)."""
        facts = self._facts[top] = self._build(top, paths)
        return facts

    def build_checking(self, top: Path, paths: list[str], wanted: set[str],
                       check: Callable[[bytes, str], list]) -> tuple[ProjectFacts, dict[str, list]]:
        """:meth:`build_from`, checking each module of ``wanted`` on the index's own parse as soon
        as its facts are collected (``check(source, path)``: :meth:`httplint.engine.Linter.check_source`,
        with the facts found so far, no astroid):
        a module is parsed once, and no model waits for the end of the build. A check made so
        stands only if nothing it could read changed after it: no fact added, dropped or changed
        since whose name its text contains (how the fixpoint itself decides what a new fact can
        change), or the text of a module whose code the package view analysed for it (a base
        class, a method of an instance), and no function only astroid can decide named in its
        text. The typings of other modules the view made are dropped whenever facts change.

        Returns:
            The facts, and the findings that stand by path; the caller checks the other modules
            of ``wanted`` as usual (parsed again).
        """
        early = _EarlyChecks(wanted, check)
        facts = self._facts[top] = ProjectFacts()  # what the checks read while the build goes on
        # a module after those it imports: the facts it can name are known when it is checked
        self._facts[top] = self._build(top, dependency_order(paths), facts, early)
        final = _fact_items(facts)
        undecided = {name.rsplit(".", 1)[-1].encode() for name in facts.undecided}
        looked_texts: dict[str, bytes | None] = {}  # each module the view analysed, read once
        stand = {}
        for path, source, found, then, looked in early.made:
            if any(word in source for word in undecided):
                continue  # astroid could decide one of them (the check made again asks it)
            changed = {key for key in final.keys() | then.keys() if final.get(key) != then.get(key)}
            words = {key[1].rsplit(".", 1)[-1].encode() for key in changed}
            if not words:
                stand[path] = found
                continue
            for module in looked:
                if module not in looked_texts:
                    looked_texts[module] = self._looked_source(module)
            texts = [source, *(looked_texts[module] for module in looked)]
            if not any(text is None or any(word in text for word in words) for text in texts):
                stand[path] = found
        stood = {absolute(path) for path in stand}
        for key, (source, semantic) in self._holding.items():
            if key in stood:
                self._kept -= len(source)
            else:
                self._trees[key] = (source, semantic)  # for the check made again
        self._holding.clear()
        return facts, stand

    def _check_early(self, early: _EarlyChecks, path: str, source: bytes, semantic: SemanticModel,
                     facts: ProjectFacts) -> None:
        """One check of :meth:`build_checking`, on ``semantic`` (handed over as a kept parse)."""
        key = absolute(path)
        self._trees[key] = (source, semantic)
        self._kept += len(source)
        self._looked = set()
        then = _fact_items(facts)
        self._checking_early = True
        try:
            found = early.check(source, path)
        finally:
            self._checking_early = False
            if self._trees.pop(key, None) is not None:  # the check did not take it (not worth parsing)
                self._kept -= len(source)
        early.made.append((path, source, found, then, frozenset(self._looked)))

    def _looked_source(self, module: str) -> bytes | None:
        """The text of a module the package view analysed (:meth:`looked_into`); ``None`` if it
        cannot be read again (then any change counts)."""
        try:
            return read_bytes(self._loaded[module])
        except (KeyError, OSError):
            return None

    def forget(self, top: Path) -> None:
        """Drop a package's facts, kept parses and what was read of it (its files are all
        checked): asked again, they are found again, the same."""
        self._facts.pop(top, None)
        prefix = str(top) + os.sep
        self._walked.pop(top, None)
        self._listed.pop(top, None)
        self._by_name.pop(top, None)
        self._socket_default.pop(top, None)
        for path in [p for p in self._dotted if p.startswith(prefix)]:
            del self._dotted[path]
        for path in [p for p in self._trees if p.startswith(prefix)]:
            self._kept -= len(self._trees.pop(path)[0])
        for path in [p for p in self._astroid if p.startswith(prefix)]:
            del self._astroid[path]
        for module in [m for m in self._summaries if m == top.name or m.startswith(top.name + ".")]:
            del self._summaries[module]
        self._views.pop(top, None)
        self._sources.pop(top, None)
        self._loaded.clear()
        self._typings.clear()

    def _build(self, top: Path, paths: list[str] | None = None, facts: ProjectFacts | None = None,
               early: _EarlyChecks | None = None) -> ProjectFacts:
        """The facts of ``paths`` (default: every module of ``top`` that :func:`indexable` passes),
        added to ``facts`` when given (facts of modules that import none of ``paths``).

        `ast` to a fixpoint. The first round looks at each module as it is parsed, against the
        knowledge from before the round, and keeps its model only when the check will reuse
        it (:meth:`take_model`): the models of a large package are not all alive at once. A
        round after the first looks only at modules that mention a name found in the previous
        one (no other module's answers can change), parsing again those not kept. What is
        left undecided is asked of astroid only if a checked module calls it (:meth:`refine`).
        """
        if facts is None:
            facts = ProjectFacts()
        knowledge = self._knowledge(facts)
        before = {*facts.factories, *facts.response_factories, *facts.subclasses, *facts.wrappers}
        modules = []  # [path, module, source, model or None, candidates or None]
        for path in package_modules(top) if paths is None else paths:
            offered = self._offered[1] if self._offered is not None and self._offered[0] == path else None
            try:
                source = read_bytes(path)
                if paths is None and not indexable(source):
                    continue
                tree = offered if offered is not None else parse(source, filename=path)
            except (OSError, SyntaxError, ValueError, RecursionError):
                continue
            module, is_package = module_name(path)
            if module is None:
                continue
            semantic = SemanticModel(tree, module, is_package)
            keep = True
            checked_now = early is not None and path in early.wanted
            if offered is not None:
                self._offered_model = (path, semantic)
            elif checked_now:
                # checked on this parse below; held for this build's rounds and a check made again
                # (:meth:`build_checking`) within the budget of kept parses
                keep = len(source) <= KEEP_TREE_MAX_BYTES and self._kept + len(source) <= KEEP_TREES_BUDGET
                if keep:
                    self._holding[absolute(path)] = (source, semantic)
                    self._kept += len(source)
            elif early is not None:
                keep = False  # read for the index only: never checked
            elif self.on_demand:
                # the few modules a traversal adds are kept for this build's rounds only: flake8
                # parses each file it hands over, often in another process, and a model kept for
                # that check would mostly stay alive for nothing, scanned by each collection
                pass
            elif len(source) <= KEEP_TREE_MAX_BYTES and self._kept + len(source) <= KEEP_TREES_BUDGET:
                self._trees[absolute(path)] = (source, semantic)
                self._kept += len(source)
            else:
                keep = False
            candidates = _candidates(semantic)
            self._collect(path, module, semantic, candidates, analyzer_knowledge=knowledge, facts=facts, early=early)
            if checked_now:
                self._check_early(early, path, source, semantic, facts)  # type: ignore[arg-type]
            modules.append([path, module, source, semantic if keep else None, candidates if keep else None])
            del tree, semantic  # a model not kept is freed here
        facts.modules += len(modules)
        for _ in range(MAX_ROUNDS - 1):
            found = {*facts.factories, *facts.response_factories, *facts.subclasses, *facts.wrappers} - before
            words = {name.rsplit(".", 1)[-1].encode() for name in found}
            pending = [m for m in modules if any(word in m[2] for word in words)]
            if not pending:
                break
            knowledge = self._knowledge(facts)
            before = {*facts.factories, *facts.response_factories, *facts.subclasses, *facts.wrappers}
            for path, module, source, semantic, candidates in pending:
                if semantic is None:  # not kept: parsed again (decided candidates are skipped by name)
                    try:
                        semantic = SemanticModel(parse(source, filename=path), module, module_name(path)[1])
                    except (SyntaxError, ValueError, RecursionError):
                        continue
                    candidates = _candidates(semantic)
                self._collect(path, module, semantic, candidates, analyzer_knowledge=knowledge, facts=facts,
                              early=early)
        if not self.use_astroid:
            facts.undecided.clear()
        return facts

    def _knowledge(self, facts: ProjectFacts) -> lib.Knowledge:
        return self.base.with_project(
            tuple({**facts.wrappers, **facts.subclasses, **facts.factories}.items()),
            tuple(facts.response_factories.items()), tuple({**facts.wrappers, **facts.subclasses}.items()),
        )

    def refine(self, path: str, semantic: SemanticModel, knowledge: lib.Knowledge) -> lib.Knowledge:
        """``knowledge`` for the module at ``path``, after asking astroid about the package's
        undecided functions that this module calls (each asked once per run)."""
        top = top_package(path)
        facts = self._facts.get(top) if top is not None else None
        if facts is None or not facts.undecided or self._checking_early:
            return knowledge  # (early: a check that would ask astroid is made again, :meth:`build_checking`)
        asked = set()
        for call in semantic.calls:
            qualified = lib.canonical(semantic.qualified_name(call.func))
            if qualified is None and isinstance(call.func, ast.Name) and semantic.module:
                if call.func.id in semantic.module_scope.bound:
                    qualified = f"{semantic.module}.{call.func.id}"
            if qualified in facts.undecided:
                asked.add(qualified)
        if not asked:
            return knowledge
        for qualified in sorted(asked):
            where, line = facts.undecided.pop(qualified)
            owner = self._infer_returns(where, qualified.rsplit(".", 1)[-1], line, self._knowledge(facts))
            if owner is not None:
                facts.factories[qualified] = owner
                facts.inferred += 1
        return self.knowledge_for(path)

    def _collect(self, path, module, semantic, candidates, analyzer_knowledge, facts,
                 early: _EarlyChecks | None = None) -> None:
        """One module's factories and subclasses into ``facts``; functions only astroid could
        decide into ``facts.undecided``. During a :meth:`build_checking` build (``early``), the
        typings of other modules made with fewer facts (:meth:`typing_of`) are dropped when it
        finds any, so that no later check reads them."""
        known = _fact_items(facts) if early is not None and self._typings else None
        self._collect_facts(path, module, semantic, candidates, analyzer_knowledge, facts)
        if known is not None and _fact_items(facts) != known:
            self._typings.clear()

    def _collect_facts(self, path, module, semantic, candidates, analyzer_knowledge, facts) -> None:
        analyzer = OwnerTyping(semantic, analyzer_knowledge)
        for node in semantic.tree.body:
            if isinstance(node, ast.ClassDef):
                self._subclass(node, module, semantic, analyzer, facts)
        for owner in analyzer.classes.wrapper_types().values():
            facts.wrappers.setdefault(owner.name, owner)
        for node in semantic.tree.body:
            # `manager = SessionManager()` whose class has a method that builds a client
            if (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
                    and isinstance(node.value, ast.Call) and isinstance(node.value.func, ast.Name)):
                cls = next((n for n in semantic.tree.body if isinstance(n, ast.ClassDef)
                            and n.name == node.value.func.id), None)
                if cls is None:
                    continue
                for method in cls.body:
                    if isinstance(method, FunctionNode):
                        owner = analyzer.instance_method_owner(node.targets[0].id, method.name)
                        if owner is not None:
                            facts.producers[f"{module}.{node.targets[0].id}"] = owner
                            break
        for node in semantic.tree.body:
            helper = analyzer.session_helper(node)
            if helper is not None:
                facts.session_helpers[f"{module}.{node.name}"] = helper  # type: ignore[attr-defined]
        for node in list(candidates):
            qualified = f"{module}.{node.name}"
            if qualified in facts.factories or qualified in facts.response_factories:
                candidates.remove(node)  # decided: not looked at again
                facts.undecided.pop(qualified, None)
                continue
            owner, response, undecided = self._returns(node, semantic, analyzer)
            if owner is not None:
                facts.factories[qualified] = owner
            elif response is not None:
                facts.response_factories[qualified] = response
            if undecided and owner is None and response is None:
                facts.undecided[qualified] = (path, node.lineno)
            else:
                facts.undecided.pop(qualified, None)

    @staticmethod
    def _subclass(node: ast.ClassDef, module: str, semantic: SemanticModel, analyzer, facts: ProjectFacts) -> None:
        qualified = f"{module}.{node.name}"
        if qualified in facts.subclasses:
            return
        for base in node.bases:
            name = analyzer.qualified(base, semantic.module_scope)
            if name is None and isinstance(base, ast.Name) and f"{module}.{base.id}" in facts.subclasses:
                name = f"{module}.{base.id}"
            owner = lib.ANNOTATION_TYPES.get(name or "") or facts.subclasses.get(name or "")
            if owner is None or owner.kind not in ("session", "client", "pool"):
                continue
            overrides = owner.overrides_request or any(
                isinstance(item, FunctionNode) and item.name in ("request", "send") for item in node.body
            )
            facts.subclasses[qualified] = dataclasses.replace(owner, name=qualified, overrides_request=overrides)
            return

    @staticmethod
    def _returns(function, semantic: SemanticModel, analyzer):
        """``(owner, response, undecided)``: what every ``return`` of ``function`` gives, by ``ast``."""
        scope = semantic.scopes[function]
        nodes = list(own_nodes(function.body))
        returns = [n for n in nodes if isinstance(n, ast.Return)]
        if not returns or any(isinstance(n, (ast.Yield, ast.YieldFrom)) for n in nodes):
            return None, None, False
        owners, responses, unknown = set(), set(), False
        hidden = False  # an unknown return that could hide a client: a variable or a function's result
        for statement in returns:
            value = statement.value
            if value is None:
                return None, None, False
            owner = analyzer.type_of(value, scope)
            if owner is not None and analyzer.construction_of(value, scope) is not None:
                if isinstance(value, ast.Name) and handed_elsewhere(value.id, scope, semantic):
                    return None, None, False  # also registered or stored elsewhere: not the caller's alone
                owners.add(owner)
                continue
            response = _held_response(value, scope, analyzer)
            if response is not None:
                responses.add(response)
                continue
            unknown = True
            hidden = hidden or _through_project_call(value, scope, semantic, analyzer)
        if unknown or (owners and responses):
            if not hidden or responses:
                return None, None, False
            # astroid is asked only where it can add something: the function builds a client, or
            # returns the result of a call `ast` cannot resolve (an alias, a method).
            constructs = any(isinstance(n, ast.Call) and analyzer.type_of(n, scope) is not None for n in nodes)
            aliases = {
                t.id for n in semantic.tree.body if isinstance(n, ast.Assign) for t in n.targets
                if isinstance(t, ast.Name)
            }
            opaque = any(
                isinstance(r.value, ast.Call) and isinstance(r.value.func, ast.Name) and r.value.func.id in aliases
                for r in returns
            )
            return None, None, hidden and (constructs or opaque) and not responses
        if len(owners) == 1:
            return owners.pop(), None, False
        if len(responses) == 1:
            return None, responses.pop(), False
        return None, None, False

    def _infer_returns(self, path: str, name: str, line: int, knowledge: lib.Knowledge) -> lib.OwnerType | None:
        """What astroid says the function ``name`` defined at ``path``:``line`` returns."""
        from . import infer

        cached = self._astroid.get(path)
        if cached is None:
            try:
                source = read_bytes(path)
            except OSError:
                return None
            module, _ = module_name(path)
            tree = None
            if source.count(b"\n") <= ASTROID_MAX_LINES:
                tree = infer.parse(source.decode("utf-8", "replace"), module, path)
            cached = self._astroid[path] = (tree,)
        tree = cached[0]
        if tree is None:
            return None
        for node in tree.body:
            if getattr(node, "name", None) == name and node.lineno == line:
                return infer._returns_owner(node, knowledge.constructors, 0)
        return None


class ProjectView:
    """What the analysis of one module may ask about the other modules of its package
    (:attr:`httplint.libraries.Knowledge.project`): answered by the index, on demand."""

    def __init__(self, index: ProjectIndex, top: Path) -> None:
        self.index = index
        self.top = top

    def summary(self, qualified: str):
        """``(FunctionSummary, bound_first)`` of the project function (or class, for its
        ``__init__``) ``qualified``, or ``None`` (:meth:`httplint.summaries.Summaries.local`)."""
        found = self.index.resolve(self.top, qualified)
        return found[0].local(found[1]) if found is not None else None

    def class_def(self, qualified: str) -> tuple[ast.ClassDef, SemanticModel] | None:
        """The ``class`` statement ``qualified`` names, with its module's model, or ``None``."""
        found = self.index.resolve(self.top, qualified)
        if found is None:
            return None
        summaries, name = found
        self.index.looked_into(summaries.sm.module)
        node = next((n for n in summaries.sm.tree.body if isinstance(n, ast.ClassDef) and n.name == name), None)
        return (node, summaries.sm) if node is not None else None

    def closes_attribute(self, attribute: str) -> bool:
        """Some module of the package closes ``<object>.<attribute>`` (see
        :meth:`ProjectIndex.closes_attribute`)."""
        return self.index.closes_attribute(self.top, attribute)

    def names_elsewhere(self, name: str, module: str | None) -> bool:
        """Some module of the package other than ``module`` contains the word ``name``."""
        return self.index.names_elsewhere(self.top, name, module)

    def sets_socket_default(self) -> bool:
        """Some module of the package sets the process's socket timeout
        (:meth:`ProjectIndex.sets_socket_default`)."""
        return self.index.sets_socket_default(self.top)

    def instance_method_owner(self, qualified: str, method: str) -> lib.OwnerType | None:
        """What ``<instance>.<method>()`` returns fresh, for a module-level instance of a class
        of the package (``from .sessions import manager``; ``manager.create_session()``)."""
        found = self.index.resolve(self.top, qualified)
        if found is None:
            return None
        summaries, name = found
        self.index.looked_into(summaries.sm.module)
        typing = self.index.typing_of(self.top, summaries.sm)
        return typing.instance_method_owner(name, method)


def _through_project_call(value: ast.AST, scope, semantic: SemanticModel, analyzer) -> bool:
    """``value`` is (or is a name bound once to) a call of one of the project's own functions:
    the one place astroid can see further than the ``ast`` fixpoint without reading libraries."""
    if isinstance(value, ast.Name):
        stores = [s for s in scope.stores if s.id == value.id]
        if len(stores) != 1:
            return False
        value = analyzer.bound_value(stores[0])
    if not isinstance(value, ast.Call):
        return False
    if isinstance(value.func, ast.Name) and value.func.id in semantic.module_scope.bound:
        # a function (or alias) of this module; not a class of it that derives from nothing a
        # client could come from (its instance is no client, astroid could only say so)
        return not _plain_class(value.func.id, semantic, analyzer)
    qualified = analyzer.qualified(value.func, scope)
    top = (semantic.module or "").split(".", 1)[0]
    return bool(qualified and top and qualified.startswith(top + "."))


def _plain_class(name: str, semantic: SemanticModel, analyzer) -> bool:
    """``name`` is bound at module level by one ``class`` statement and nothing else, and its
    bases are builtins or imported names outside the project and the HTTP libraries (``object``,
    ``Generic[T]``, ``Exception``): calling it gives an instance that is not a client."""
    scope = semantic.module_scope
    definitions = [n for n in semantic.tree.body if getattr(n, "name", None) == name]
    if len(definitions) != 1 or not isinstance(definitions[0], ast.ClassDef) or name in scope.imports \
            or any(store.id == name for store in scope.stores):
        return False
    top = (semantic.module or "").split(".", 1)[0]
    for base in [*definitions[0].bases, *(k.value for k in definitions[0].keywords)]:
        node = base.value if isinstance(base, ast.Subscript) else base
        if isinstance(node, ast.Name) and node.id not in scope.bound and node.id not in scope.imports:
            continue  # a builtin: `object`, `Exception`, `dict`
        qualified = analyzer.qualified(node, scope)
        if qualified is None or (top and qualified.split(".", 1)[0] == top) \
                or qualified.split(".", 1)[0] in lib.LIBRARY_MODULES:
            return False
    return True


_IMPORT = re.compile(
    rb"[ \t]*(?:from[ \t]+(\.*)[ \t]*([\w.]*)[ \t]+import[ \t]*(\([^)]*\)|(?:[^\n]*\\\r?\n)*[^\n]*)"
    rb"|import[ \t]+((?:[^\n]*\\\r?\n)*[^\n]*))",
)


def _import_statements(source: bytes) -> Iterator[re.Match[bytes]]:
    """The ``import`` statements at the start of a line: the lines holding the word, found by a
    substring search (a regex trying every line start took most of the on-demand index)."""
    at = source.find(b"import")
    while at != -1:
        match = _IMPORT.match(source, source.rfind(b"\n", 0, at) + 1)
        if match is not None and match.end() > at:
            yield match
            at = source.find(b"import", max(match.end(), at + 6))
        else:
            at = source.find(b"import", at + 6)


def imported_names(source: bytes, module: str, is_package: bool) -> set[str]:
    """The dotted names a module's ``import`` statements may load, absolute, read from its text
    (a statement at the start of a line, at any indentation, continued by parentheses or
    backslashes; in a string too, which only adds names): for ``from .a import b`` both
    ``pkg.a`` and ``pkg.a.b``, for ``import a.b`` both ``a`` and ``a.b``."""
    return {name for name, _, _ in imported_edges(source, module, is_package)}


def imported_edges(source: bytes, module: str, is_package: bool) -> list[tuple[str, str | None, str | None]]:
    """:func:`imported_names`, each with what the statement binds: ``(dotted name, local name
    bound, the one name taken from that module, or None when the module itself is bound)``.
    ``import a.b as x``: ``("a.b", "x", None)``; ``from .a import b as c``: ``("pkg.a", "c",
    "b")`` and, ``b`` being perhaps a submodule, ``("pkg.a.b", "c", SUBMODULE)``; a star
    import binds ``None`` (whatever its module holds)."""
    edges: list[tuple[str, str | None, str | None]] = []
    for match in _import_statements(source):
        dots, base, imported, plain = match.groups()
        if plain is not None:
            for part in plain.decode("utf-8", "replace").replace("\\", " ").split(","):
                words = part.split()
                if words and all(piece.isidentifier() for piece in words[0].split(".")):
                    alias = words[2] if len(words) == 3 and words[1] == "as" else words[0].split(".", 1)[0]
                    edges.append((words[0], alias, None))
            continue
        start = relative_base(module, is_package, len(dots)) if dots else None
        if dots and start is None:
            continue  # above the top package: nothing of it
        parts = [*(start.split(".") if start else ()), *filter(None, base.decode("utf-8", "replace").split("."))]
        if not parts:
            continue
        dotted = ".".join(parts)
        text = imported.decode("utf-8", "replace")
        if text.strip().startswith("*"):
            edges.append((dotted, None, None))
            continue
        found = False
        for line in text.splitlines():
            line = line.split("#", 1)[0]
            for part in line.replace("(", " ").replace(")", " ").replace("\\", " ").split(","):
                words = part.split()
                if words and words[0].isidentifier():
                    alias = words[2] if len(words) == 3 and words[1] == "as" and words[2].isidentifier() else words[0]
                    edges.append((dotted, alias, words[0]))
                    edges.append((f"{dotted}.{words[0]}", alias, SUBMODULE))  # if it is one
                    found = True
        if not found:
            edges.append((dotted, None, None))  # a statement this reading cannot split: whatever it binds
    return edges


#: :func:`imported_edges`' mark of a name that is a submodule if a module of that name exists
SUBMODULE = "\0submodule"
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def identifiers(source: bytes) -> frozenset[str]:
    """Every identifier-like word of ``source`` (code, strings and comments alike): a superset of
    the names its code can refer to (ASCII: a name that is not is followed always)."""
    return frozenset(_IDENTIFIER.findall(source.decode("latin-1")))


def _candidates(semantic: SemanticModel) -> list:
    """Module-level functions that may be factories: undecorated, returning a value."""
    return [
        node for node in semantic.tree.body
        if isinstance(node, FunctionNode) and node in semantic.returning and not _decorated(node)
    ]


def _decorated(function) -> bool:
    for decorator in function.decorator_list:
        text = ast.unparse(decorator)
        if any(word in text for word in _MEMOISING):
            return True
    return False


def _held_response(value: ast.AST, scope, analyzer) -> lib.ResponseType | None:
    """The held response type ``value`` is (a held request call, or a name bound once to one)."""
    if isinstance(value, ast.Name):
        stores = [s for s in scope.stores if s.id == value.id]
        if len(stores) != 1:
            return None
        bound = analyzer.bound_value(stores[0])
        if bound is None:
            return None
        value = bound
    if isinstance(value, ast.Await):
        value = value.value
    if not isinstance(value, ast.Call):
        return None
    qualified = analyzer.qualified(value.func, scope)
    if qualified is not None:
        held = lib.HELD_BY_FUNCTION.get(qualified)
        if held is not None and analyzer.is_held(value, held):
            return held.response
        return None
    if isinstance(value.func, ast.Attribute):
        owner = analyzer.type_of(value.func.value, scope)
        if owner is not None:
            held = lib.HELD_BY_METHOD.get(owner.family, {}).get(value.func.attr)
            if held is not None and analyzer.is_held(value, held):
                return held.response
    return None
