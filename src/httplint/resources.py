"""The resource-lifetime analysis that the lifetime rules share.

For one module it finds every *acquisition* (a call that constructs an owner, or
that returns a held response), follows the value through the function (or module)
that acquires it, and decides its *state*:

``escaped``
    returned, yielded, stored on an attribute, a global or a container, passed to
    another callable, aliased, or captured by a nested function: somebody else
    may close it, so no rule speaks.
``released``
    closed by ``with`` / ``async with``, registered with ``ExitStack``,
    ``contextlib.closing``, ``atexit``, released in ``finally`` (or in an ``except``
    and on the normal path), released right after the acquisition, or, for a
    response, consumed by a read to EOF.
``normal-path``
    released only by a call on the normal path, with statements in between that can
    raise or return first.
``leaked``
    none of the above.

The analysis is flow-insensitive on purpose: every use of the bound name in the
scope counts, so extra uses can only make it quieter. A false positive is worse
than a missed bug.
"""

from __future__ import annotations

import ast
import functools
import re
from dataclasses import dataclass, field
from enum import Enum

from . import libraries as lib
from .summaries import Effect, Summaries
from .semantic import ComprehensionNode, FunctionNode, LoopNode, Scope, SemanticModel, own_nodes


class UseKind(Enum):
    REQUEST = "request"        # owner.get(...) and friends
    RELEASE = "release"        # .close(), .release_conn(), .clear() …
    CONSUME = "consume"        # response read to EOF
    WITH = "with"              # `with x:` / `async with x:`
    REGISTERED = "registered"  # closing(x), stack.enter_context(x), atexit.register(x.close)
    ESCAPE = "escape"
    BORROW = "borrow"          # lent to a project function that only uses it (:mod:`httplint.summaries`)
    NEUTRAL = "neutral"


class State(Enum):
    ESCAPED = "escaped"
    RELEASED = "released"
    NORMAL_PATH = "normal-path"
    LEAKED = "leaked"


@dataclass(eq=False)
class Use:
    """One use of an acquired resource.

    Attributes:
        node: the expression whose value is the resource (a ``Name`` load or the acquiring call).
        kind: what the use does to the resource.
        call: the method call, for REQUEST and RELEASE uses.
        awaited: the method call is awaited.
        nested: the use lies in a nested function or lambda.
    """

    node: ast.AST
    kind: UseKind
    call: ast.Call | None = None
    awaited: bool = False
    nested: bool = False
    loop: ast.AST | None = None


@dataclass(eq=False)
class Acquisition:
    """A call that constructs an owner or returns a held response, and what becomes of it.

    Attributes:
        call: the constructor or request call.
        owner: the owner type constructed, or ``None`` for a response.
        response: the held response type returned, or ``None`` for an owner.
        scope: the function (or module) scope that acquires it.
        how: ``with``, ``async-with``, ``assign``, ``inline`` (a method called on the
            call directly), ``discarded`` (a bare expression statement), ``registered``
            or ``escape``.
        name: the local name bound, for ``assign`` and ``with ... as name``.
        statement: the statement that contains the call.
        loop: the innermost loop or comprehension of the same scope around the call.
        work_loop: ``loop`` goes over work items (not a retry or polling loop).
        factory: the project function that built it, when it was not a library constructor.
        rebound: the bound name is also bound to something else in the scope (a parameter,
            another value): the acquisition is then one branch of a "given or made here" design.
        given: the value is the fresh branch of a "given or made here" expression or statement
            (``client or Client()``, ``Client() if client is None else client``, ``if client is
            None: client = Client()``): owned here only when it was made here.
        uses: every use of the value, see :class:`Use`.
    """

    call: ast.Call
    owner: lib.OwnerType | None
    response: lib.ResponseType | None
    scope: Scope
    how: str
    name: str | None
    statement: ast.stmt
    loop: ast.AST | None
    work_loop: bool = False
    rebound: bool = False
    given: bool = False
    factory: str | None = None
    uses: list[Use] = field(default_factory=list)
    state: State = State.LEAKED
    #: ``raise`` / ``return`` statements that leave the function while it is still held,
    #: when it is otherwise handed to the caller by ``return`` (see ``_early_exits``)
    early_exits: list[ast.stmt] = field(default_factory=list)

    @property
    def type_name(self) -> str:
        return self.owner.name if self.owner else self.response.name  # type: ignore[union-attr]

    @property
    def requests(self) -> list[Use]:
        return [u for u in self.uses if u.kind is UseKind.REQUEST]

    @property
    def releases(self) -> list[Use]:
        return [u for u in self.uses if u.kind is UseKind.RELEASE]

    @property
    def label(self) -> str:
        return self.name if self.name else self.type_name.rsplit(".", 1)[-1]


@dataclass(eq=False)
class HelperCall:
    """A call of a module helper that builds a session per call (``requests.get`` …)."""

    call: ast.Call
    helper: lib.SessionHelper
    scope: Scope
    loop: ast.AST | None
    work_loop: bool = False


@dataclass(eq=False)
class ContextMismatch:
    """An owner entered with the wrong kind of ``with`` (sync for async, or the reverse)."""

    call: ast.Call
    owner: lib.OwnerType
    is_async_with: bool
    request_context: bool = False  # a request (`session.get(...)`, `aiohttp.request(...)`), not the owner
    no_protocol: str | None = None  # what has no context-manager protocol at all, for the message
    awaited: bool = False  # `await aiohttp.request(...)`: an async context manager, not awaitable


@dataclass(eq=False)
class UnawaitedClose:
    """A coroutine close (``await session.close()``) called as a plain statement."""

    call: ast.Call
    receiver: str
    method: str
    type_name: str


@dataclass(eq=False)
class ClassLeak:
    """A client a class creates and stores on ``self`` but never closes.

    Attributes:
        call: the construction (where the finding is reported).
        cls: the class.
        attribute: the attribute holding it.
        owner: its type.
        reason: ``no-close`` (no close method), ``not-closed`` (close methods that leave it
            open; ``closers`` names them), ``del-async`` (only ``__del__``, which cannot
            await an async client's close), ``reopened`` (the close method builds a new one
            after closing the old; ``closers`` names it) or ``dropped`` (a method sets it to
            ``None`` without closing it first; ``closers`` names that method).
    """

    call: ast.AST
    cls: ast.ClassDef
    attribute: str
    owner: lib.OwnerType
    reason: str
    closers: tuple[str, ...] = ()


@dataclass(eq=False)
class OverwrittenSlot:
    """A global or a dict slot given a new client while the one it held is never closed.

    Attributes:
        call: the construction.
        slot: the global's name, or ``NAME[...]`` for a dict written and never read.
        owner: the type built.
        reason: ``replaced`` (a global reassigned, in a loop or after being used, with no
            ``is None`` guard and no close of the old one first), ``unread`` (a dict that
            is only ever written: a "cache" that leaks one client per write) or
            ``per-definition`` (a class attribute of a class defined inside a function: a
            new client each time the function runs).
    """

    call: ast.Call
    slot: str
    owner: lib.OwnerType
    reason: str


@dataclass(eq=False)
class OrphanedPart:
    """An owner told not to close a part it builds itself: ``aiohttp.ClientSession(
    connector_owner=False)`` with no connector of its own builds a ``TCPConnector`` that its
    ``close()`` then leaves open (aiohttp/client.py: ``ClientSession.__init__`` / ``close``).

    Attributes:
        call: the construction.
        owner: its type.
        keyword: the ownership keyword (``connector_owner``).
        part: the keyword of the part it builds when none is given (``connector``).
    """

    call: ast.Call
    owner: lib.OwnerType
    keyword: str
    part: str


#: Methods that release a class's resources (http-semantics.md §9, item 7).
CLOSER_METHODS = ("close", "aclose", "__exit__", "__aexit__", "__del__", "shutdown")


@dataclass
class Analysis:
    """Everything the lifetime rules need for one module."""

    semantic: SemanticModel
    acquisitions: list[Acquisition] = field(default_factory=list)
    helper_calls: list[HelperCall] = field(default_factory=list)
    context_mismatches: list[ContextMismatch] = field(default_factory=list)
    unawaited_closes: list[UnawaitedClose] = field(default_factory=list)
    entry_points: set[ast.AST] = field(default_factory=set)
    timeout_findings: list = field(default_factory=list)  # list[timeouts.TimeoutFinding]
    blocking_calls: list = field(default_factory=list)  # list[timeouts.BlockingCall]
    loop_bound_owners: list = field(default_factory=list)  # list[timeouts.LoopBoundOwner]
    class_leaks: list[ClassLeak] = field(default_factory=list)
    overwritten_slots: list[OverwrittenSlot] = field(default_factory=list)
    orphaned_parts: list[OrphanedPart] = field(default_factory=list)
    knowledge: lib.Knowledge = lib.DEFAULT_KNOWLEDGE


def analyze(
    tree: ast.Module, semantic: SemanticModel | None = None, knowledge: lib.Knowledge | None = None
) -> Analysis:
    """Run the lifetime analysis on a module.

    Args:
        tree: a module from ``ast.parse``.
        semantic: its semantic model, built here when not given.
        knowledge: the library tables with the project's factories (default: none).

    Returns:
        An :class:`Analysis` with every acquisition (state decided), every session
        helper call, every ``with``/``async with`` mismatch and every un-awaited close.
    """
    semantic = semantic or SemanticModel(tree)
    return _Analyzer(semantic, knowledge or lib.DEFAULT_KNOWLEDGE).run()


def _parameters(function: ast.AST) -> set[str]:
    args = function.args  # type: ignore[attr-defined]
    return {a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg) if a}


@functools.lru_cache(maxsize=4096)
def _parse_annotation(text: str) -> ast.expr | None:
    """A string annotation's expression, parsed once per distinct text."""
    try:
        return ast.parse(text, mode="eval").body
    except (SyntaxError, ValueError, RecursionError):
        return None


def given_or_fresh(node: ast.AST, parent: ast.AST | None) -> ast.expr | None:
    """The ``given or Fresh()`` / ``Fresh() if given is None else given`` expression of which
    ``node`` (a construction) is the fresh branch, or ``None``."""
    if isinstance(parent, ast.BoolOp) and isinstance(parent.op, ast.Or) and parent.values[-1] is node:
        return parent
    if isinstance(parent, ast.IfExp) and node in (parent.body, parent.orelse) and parent.test is not node:
        return parent
    return None


def given_or_fresh_parent(acq: "Acquisition", sm: SemanticModel) -> ast.expr | None:
    """The ``given or Fresh()`` expression an acquisition is the fresh branch of, if any."""
    node: ast.AST = acq.call
    parent = sm.parent(node)
    if isinstance(parent, ast.Await):
        node, parent = parent, sm.parent(parent)
    return given_or_fresh(node, parent)


def _given_parameter(value: ast.AST, method: ast.AST) -> tuple[str, int] | None:
    """The parameter of ``method`` that ``value`` takes when given (``session or Session()``,
    ``Session() if session is None else session``): its name and its position among the
    positional parameters after ``self`` (-1 for keyword-only), or ``None``."""
    names = [n.id for n in ast.walk(value) if isinstance(n, ast.Name)]
    args = method.args  # type: ignore[attr-defined]
    positional = [a.arg for a in (*args.posonlyargs, *args.args)][1:]
    for name in names:
        if name in positional:
            return name, positional.index(name)
        if any(a.arg == name for a in args.kwonlyargs):
            return name, -1
    return None


def handed_elsewhere(name: str, scope, semantic: SemanticModel) -> bool:
    """The local ``name`` is passed to a call or stored somewhere besides being returned
    (Home Assistant's ``create_async_httpx_client`` registers the client for shutdown)."""
    for load in semantic.name_loads.get(name, ()):
        if semantic.scope(load) is not scope:
            continue
        parent = semantic.parent(load)
        call = semantic.parent(parent) if isinstance(parent, ast.keyword) else parent
        if isinstance(call, ast.Call) and call.func is not load:
            if isinstance(call.func, ast.Name) and call.func.id in lib.NON_RETAINING_CALLS:
                continue  # isinstance(client, ...), print(client): looked at, not kept
            return True
        if isinstance(parent, (ast.Assign, ast.AnnAssign)) and parent.value is load:
            return True
        if isinstance(parent, (ast.List, ast.Tuple, ast.Set, ast.Dict)):
            return True
    return False


def _parameters_or_empty(scope: Scope) -> set[str]:
    return _parameters(scope.node) if isinstance(scope.node, FunctionNode) else set()


def _passes(call: ast.Call, name: str, position: int) -> bool:
    """``call`` passes a value other than ``None`` for the parameter ``name`` (at ``position``)."""
    if any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords):
        return True
    values = [k.value for k in call.keywords if k.arg == name]
    if 0 <= position < len(call.args):
        values.append(call.args[position])
    return any(not (isinstance(v, ast.Constant) and v.value is None) for v in values)


def _returns_self_or(function: ast.AST, attributes: set[str]) -> bool:
    """``function`` returns or yields ``self`` or ``self.<one of attributes>``."""
    for node in own_nodes(function.body):  # type: ignore[attr-defined]
        if isinstance(node, (ast.Return, ast.Yield, ast.YieldFrom)) and node.value is not None:
            value = node.value.value if isinstance(node.value, ast.Await) else node.value
            if isinstance(value, ast.Name) and value.id == "self":
                return True
            if (isinstance(value, ast.Attribute) and isinstance(value.value, ast.Name)
                    and value.value.id == "self" and value.attr in attributes):
                return True
    return False


#: Modules whose classes define no ``close`` a subclass could inherit (abstract bases, typing).
_BASES_WITHOUT_CLOSE = ("abc.", "collections.abc.", "typing.", "typing_extensions.", "numbers.", "enum.")


def _closes_nothing(qualified: str | None) -> bool:
    """A base class from :data:`_BASES_WITHOUT_CLOSE` (``abc.ABC``, ``typing.Generic`` …)."""
    return bool(qualified) and qualified.startswith(_BASES_WITHOUT_CLOSE)  # type: ignore[union-attr]


def _enclosing_def(sm: SemanticModel, node: ast.AST) -> ast.AST | None:
    """The innermost ``def`` around ``node``."""
    current = sm.parent(node)
    while current is not None and not isinstance(current, FunctionNode):
        current = sm.parent(current)
    return current


def _enclosing_method(sm: SemanticModel, node: ast.AST, cls: ast.ClassDef) -> ast.AST | None:
    """The statement of ``cls``'s body (a method) that holds ``node``, or ``None``."""
    current = sm.parent(node)
    while current is not None and sm.parent(current) is not cls:
        current = sm.parent(current)
    return current


_OUTSIDE_CLOSERS = frozenset({"close", "aclose", "clear", "shutdown"})


def _lazy_getter(method: ast.AST, attribute: str) -> bool:
    """``method`` gets or creates ``self.<attribute>``: it tests it (``if self._s is None``,
    ``if not self._s``, or a flag set from such a test) and assigns it, then returns it."""
    tests = assigns = False
    for node in ast.walk(method):
        if isinstance(node, (ast.If, ast.IfExp, ast.While)) or isinstance(node, ast.Compare):
            test = node.test if not isinstance(node, ast.Compare) else node
            tests = tests or any(isinstance(n, ast.Attribute) and n.attr == attribute and isinstance(n.value, ast.Name)
                                 and n.value.id == "self" for n in ast.walk(test))
        elif isinstance(node, ast.Assign) and not (isinstance(node.value, ast.Constant) and node.value.value is None):
            assigns = assigns or any(isinstance(t, ast.Attribute) and t.attr == attribute for t in node.targets)
    return tests and assigns


def _may_hold_client(cls: ast.ClassDef) -> bool:
    """A class with a method (a cheap first test before :meth:`_Analyzer.wrapper_types`)."""
    return any(isinstance(n, FunctionNode) for n in cls.body)


_RETRY_WORDS = re.compile(r"retr|attempt|tries|tried", re.I)
_SESSION_WORDS = ("session", "http", "client", "requests", "conn", "api")


def _looks_like_http_session(receiver: ast.AST) -> bool:
    """A receiver named like a requests session (``session``, ``self._http``, ``s``)."""
    name = receiver.attr if isinstance(receiver, ast.Attribute) else getattr(receiver, "id", "")
    name = name.lower()
    return name in ("s", "sess") or any(word in name for word in _SESSION_WORDS)


class _Analyzer:
    def __init__(self, semantic: SemanticModel, knowledge: lib.Knowledge) -> None:
        self.sm = semantic
        self.knowledge = knowledge
        self.constructors = knowledge.constructors
        self.held_factories = knowledge.held_factories
        self.result = Analysis(semantic)
        self._types: dict[Scope, dict[str, lib.OwnerType | None]] = {}
        self._class_attrs: dict[ast.ClassDef, dict[str, lib.OwnerType | None]] = {}
        self._wrappers: dict[str, lib.OwnerType] | None = None
        self._holding: dict[int, ast.ClassDef] = {}
        self._derived: dict[int, list[ast.Name]] = {}  # id(argument) → loads of the local object it was lent to  # module-level classes that keep a client they built
        self._methods_cache: dict[ast.ClassDef, dict[str, ast.AST] | None] = {}
        self._returned: dict[tuple[ast.AST, bool], lib.OwnerType | None] = {}
        self._name_loads = semantic.name_loads
        self.project = knowledge.project
        self.summaries = Summaries(semantic, self.project.summary if self.project is not None else None)
        imported = {lib.canonical(q).split(".", 1)[0] for scope in semantic.scopes.values() for q in scope.imports.values()}
        self._imports_requests = "requests" in imported
        self._imports_urllib3 = "urllib3" in imported
        self._imports_httpx = "httpx" in imported

    # -- driver -------------------------------------------------------------------

    def run(self) -> Analysis:
        from .timeouts import TimeoutPass

        self.result.knowledge = self.knowledge
        self._find_entry_points()
        self.timeouts = TimeoutPass(self)
        for call in self.sm.calls:
            self._visit_call(call)
        self.wrapper_types()
        for cls in {**self._classes_storing_clients(), **self._holding}.values():
            self._class_ownership(cls)
        return self.result

    def _classes_storing_clients(self) -> dict[int, ast.ClassDef]:
        """Classes with a method that stores a newly built client on ``self`` (found among the
        acquisitions already made), so that other classes are not walked again."""
        classes: dict[int, ast.ClassDef] = {}
        for acq in self.result.acquisitions:
            if acq.owner is None:
                continue
            # `self.x = Client()`, or `x = Client()` … `self.x = x`
            statements = [acq.statement, *(self.sm.parent(u.node) for u in acq.uses if u.kind is UseKind.ESCAPE)]
            targets = [t for st in statements if isinstance(st, (ast.Assign, ast.AnnAssign))
                       for t in (st.targets if isinstance(st, ast.Assign) else [st.target])]
            if any(isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) and t.value.id == "self"
                   for t in targets):
                cls = acq.scope.enclosing_class()
                if cls is not None:
                    classes[id(cls)] = cls
        return classes

    # -- classes that own a client ---------------------------------------------------------

    def _dropped_unclosed(self, cls: ast.ClassDef, attribute: str, owner: lib.OwnerType) -> tuple[ast.AST, str] | None:
        """``(statement, method)`` for a ``self.<attribute> = None`` in a method of ``cls`` (not
        ``__init__``) with no close of ``self.<attribute>`` before it in that method: the
        client it held is dropped open."""
        for method in cls.body:
            if not isinstance(method, FunctionNode) or method.name == "__init__":
                continue
            closes = [n.lineno for n in ast.walk(method) if isinstance(n, ast.Call)
                      and isinstance(n.func, ast.Attribute) and n.func.attr in (*owner.close_methods, "__aexit__", "__exit__")
                      and isinstance(n.func.value, ast.Attribute) and n.func.value.attr == attribute]
            for node in ast.walk(method):
                if (isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and node.value.value is None
                        and any(isinstance(t, ast.Attribute) and t.attr == attribute and isinstance(t.value, ast.Name)
                                and t.value.id == "self" for t in node.targets)
                        and not any(line <= node.lineno for line in closes)):
                    return node, method.name
        return None

    def _reopened_after_close(self, call: ast.Call, attribute: str, owner: lib.OwnerType) -> bool:
        """``call`` builds ``self.<attribute>`` again in a close method (``close``, ``aclose``,
        ``__exit__`` …), after that method closed it: ``await self._session.close();
        self._session = ClientSession()``."""
        method = _enclosing_def(self.sm, call)
        if getattr(method, "name", "") not in CLOSER_METHODS or getattr(method, "name", "") == "__del__":
            return False
        for node in ast.walk(method):  # type: ignore[arg-type]
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in owner.close_methods and isinstance(node.func.value, ast.Attribute)
                    and node.func.value.attr == attribute and node.lineno < call.lineno):
                return True
        return False

    def _held_clients(self, cls: ast.ClassDef, methods: dict[str, ast.AST]) -> dict[str, tuple]:
        """``attribute → (owner type, constructions, given parameter or None)`` for each
        ``self.<attribute>`` the class builds a client into (and is not also handed one), and
        that it does not hand out."""
        created: dict[str, list[ast.Call]] = {}
        given: dict[str, tuple[str, int] | None] = {}
        handed: dict[str, list[tuple[str, int] | None]] = {}
        other: set[str] = set()
        for method in methods.values():
            scope = self.sm.scopes.get(method)
            if scope is None:
                continue
            for target, statement in self._self_assignments(scope):
                if not isinstance(target.value, ast.Name) or target.value.id != "self":
                    continue
                value = statement.value
                if value is None or (isinstance(value, ast.Constant) and value.value is None):
                    continue
                fresh = self._fresh_construction(value, scope)
                if fresh is not None:
                    created.setdefault(target.attr, []).append(fresh)
                    if getattr(method, "name", "") == "__init__":
                        given[target.attr] = given.get(target.attr) or _given_parameter(value, method)
                elif (isinstance(value, ast.Name) and getattr(method, "name", "") == "__init__"
                      and value.id in _parameters(method) and value.id not in ("self", "cls")):
                    # `if session is not None: self.s = session / else: self.s = Session()`
                    handed.setdefault(target.attr, []).append(_given_parameter(value, method))
                else:
                    other.add(target.attr)  # handed in: the caller owns it
        for attribute, parameters in handed.items():
            if attribute not in created:
                other.add(attribute)  # only ever handed in
            elif given.get(attribute) is None and len(parameters) == 1:
                given[attribute] = parameters[0]
        held = {}
        for attribute, calls in created.items():
            if attribute in other or self._attribute_escapes(cls, attribute, methods):
                continue
            owner = self._produced_type(calls[0], self.sm.scope(calls[0]))
            if owner is None or any(self._produced_type(c, self.sm.scope(c)) is not owner for c in calls):
                continue
            held[attribute] = (owner, calls, given.get(attribute))
        return held

    def _class_ownership(self, cls: ast.ClassDef) -> None:
        """Clients a class builds, keeps on ``self`` and never closes (issue: classes that own a client)."""
        if cls.name.endswith("Mixin"):
            return  # another class of the final MRO may close it
        methods = self._methods_with_bases(cls)
        visible = methods is not None
        if methods is None:  # a base class we cannot see may close it: only a reopening is certain
            methods = {node.name: node for node in cls.body if isinstance(node, FunctionNode)}
        own = {id(node) for node in cls.body}
        for attribute, (owner, calls, _) in self._held_clients(cls, methods).items():
            if not any(id(_enclosing_method(self.sm, c, cls)) in own for c in calls):
                continue  # built in a base class: reported there
            # Any method that closes it (start/stop, connect/disconnect … pairs included) will do.
            closing = [name for name, fn in methods.items() if self._closes(fn, attribute, owner, methods, set())]
            if not closing and self._closed_from_outside(attribute, methods):
                continue  # `client.session.close()` in the class's users
            closers = {name for name in methods if name in CLOSER_METHODS}
            reopened = [c for c in calls if self._reopened_after_close(c, attribute, owner)]
            if reopened and closing != ["__del__"]:
                # `close()` closes it and builds a new one "in case it is reused": nothing closes that
                where = sorted({getattr(_enclosing_def(self.sm, c), "name", "") for c in reopened})
                self.result.class_leaks.append(ClassLeak(reopened[0], cls, attribute, owner, "reopened", tuple(where)))
                continue
            if not visible:
                continue
            dropped = self._dropped_unclosed(cls, attribute, owner)
            if closing and dropped is not None:
                # `self._client = None` without closing it first, in a method other than a close
                self.result.class_leaks.append(ClassLeak(dropped[0], cls, attribute, owner, "dropped", (dropped[1],)))
                continue
            if closing == ["__del__"] and owner.async_close:
                reason = "del-async"
            elif closing:
                continue
            else:
                reason = "not-closed" if closers else "no-close"
            self.result.class_leaks.append(
                ClassLeak(min(calls, key=lambda c: (c.lineno, c.col_offset)), cls, attribute, owner, reason,
                          tuple(sorted(closers)))
            )

    # -- wrapper owners: project classes that hold a client and close it ----------------------

    def wrapper_types(self) -> dict[str, lib.OwnerType]:
        """The module's *wrapper owners*, by class name: classes that build a client, keep it on
        ``self``, never hand it out, and close it in a method other than ``__del__`` (``close``,
        ``aclose``, ``stop``, ``__exit__`` …). Their instances are owners: a caller that builds
        one must close it. A client that is only closed at collection (``__del__``) does not
        make a wrapper; nor does a class whose bases are not all visible, or a mixin."""
        if self._wrappers is None:
            self._wrappers = {}  # while they are computed, a class holding another sees those found so far
            for node in self.sm.tree.body:
                if isinstance(node, ast.ClassDef) and _may_hold_client(node):
                    wrapper = self._wrapper_type(node)
                    if wrapper is not None:
                        self._wrappers[node.name] = wrapper
        return self._wrappers

    def _wrapper_type(self, cls: ast.ClassDef) -> lib.OwnerType | None:
        if cls.name.endswith("Mixin") or cls.decorator_list:
            return None
        methods = self._methods_with_bases(cls)
        if methods is None:
            return None
        held = self._held_clients(cls, methods)
        if not held:
            return None
        self._holding[id(cls)] = cls
        closing: set[str] = set()
        for attribute, (owner, _, _) in held.items():
            names = {name for name, fn in methods.items() if self._closes(fn, attribute, owner, methods, set())}
            if not names or ("__del__" in names and not owner.async_close):
                return None  # never closed (HTL106), or closed when the instance is collected
            names.discard("__del__")  # cannot await an async close: callers must close it
            if not names:
                return None
            closing |= names
        calls = closing - {"__exit__", "__aexit__"}
        calls = {name for name in calls if not name.startswith("_")} or calls  # `close()` over `_teardown()`
        asynchronous = {isinstance(methods[name], ast.AsyncFunctionDef) for name in calls}
        has = set(methods)
        context = None
        if {"__enter__", "__exit__"} <= has:
            context = "sync"
        if {"__aenter__", "__aexit__"} <= has:
            context = "async" if context is None else "either"
        owners = [owner for owner, _, _ in held.values()]
        given = [g for _, _, g in held.values()]
        # Methods whose result cannot be the wrapper or its client: a caller that returns
        # `await api.fetch(url)` still owns `api` (others may return `self`: a builder).
        plain = frozenset(
            name for name, fn in methods.items()
            if not name.startswith("__") and not _returns_self_or(fn, set(held))
        )
        name = f"{self.sm.module}.{cls.name}" if self.sm.module else cls.name
        return lib.OwnerType(
            name=name, library="project", kind="wrapper", close_methods=frozenset(calls or closing),
            request_methods=plain - closing,
            async_close=asynchronous == {True}, context=context,
            inline_leaks=any(o.inline_leaks for o in owners),
            adopts=given[0] if len(given) == 1 and given[0] else None,
        )

    def _fresh_construction(self, value: ast.AST, scope: Scope) -> ast.Call | None:
        """The client construction of this scope that ``value`` holds: a constructor call, the fresh
        branch of ``given or Client()`` (the class owns it when it built it), or a local name bound
        to one (``if session is None: session = Session()``)."""
        if isinstance(value, ast.Await):
            value = value.value
        if isinstance(value, (ast.BoolOp, ast.IfExp)):
            branch = value.values[-1] if isinstance(value, ast.BoolOp) else None
            if isinstance(value, ast.IfExp):
                branch = value.body if isinstance(value.body, (ast.Call, ast.Await)) else value.orelse
            if isinstance(branch, ast.Await):
                branch = branch.value
            if given_or_fresh(branch, self.sm.parent(branch)) is None and not isinstance(branch, ast.Call):
                return None
            value = branch
        if isinstance(value, ast.Attribute) and isinstance(value.value, ast.Name):
            # `self._request = pool.request`: the bound method keeps the pool alive
            built = self._fresh_construction(value.value, scope)
            owner = self.type_of(built, scope) if built is not None else None
            return built if owner is not None and value.attr in owner.request_methods else None
        if isinstance(value, ast.Name) and isinstance(scope.node, FunctionNode):
            bound = [self._bound_value(s) for s in scope.stores if s.id == value.id]
            calls = [c for c in bound if c is not None and self.type_of(c, scope) is not None]
            if len(calls) > 1 and len(calls) == len(bound) and len({self.type_of(c, scope) for c in calls}) == 1:
                # one construction per branch (`if secure: pool = PoolManager(...) else: pool = PoolManager()`)
                value = max((c for c in calls if c.lineno <= value.lineno), key=lambda c: c.lineno, default=calls[0])
            elif len(calls) != 1 or len(bound) > 1 + (value.id in _parameters(scope.node)):
                return None
            else:
                value = calls[0]
        if isinstance(value, ast.Call) and self._produced_type(value, self.sm.scope(value)) is not None \
                and self.sm.scope(value) is scope:
            return value
        return None

    def _produced_type(self, call: ast.Call, scope: Scope) -> lib.OwnerType | None:
        """The owner type ``call`` builds, or that the class's own producer method returns,
        fresh or given (``self._get_session(session)`` returning ``session or Session()``)."""
        owner = self.type_of(call, scope)
        if owner is None and self._producer_method(call, scope) is not None:
            owner = self.fresh_owner_returned(self._producer_method(call, scope), maybe_given=True)
        if owner is not None and owner.adopts is not None and _passes(call, *owner.adopts):
            return None  # a wrapper handed the caller's client owns nothing
        return owner

    def _methods_with_bases(self, cls: ast.ClassDef) -> dict[str, ast.AST] | None:
        """The class's methods, with those of its base classes defined in this module or in
        another module of the package; ``None`` when a base cannot be seen (it may define
        ``close``). Bases that define no ``close`` (``abc.ABC``, ``typing.Generic`` …) are skipped."""
        return self._methods_of(cls, self.sm, 0)

    def _methods_of(self, cls: ast.ClassDef, sm: SemanticModel, depth: int) -> dict[str, ast.AST] | None:
        if depth > 8 or any(k.arg != "metaclass" for k in cls.keywords):
            return None  # class keywords (`total=False` …) are not followed; a metaclass adds no instance close
        methods: dict[str, ast.AST] = {}
        for base in cls.bases:
            if isinstance(base, ast.Name) and base.id == "object":
                continue
            qualified = lib.canonical(sm.qualified_name(base.value if isinstance(base, ast.Subscript) else base,
                                                        sm.module_scope))
            if _closes_nothing(qualified):
                continue  # `abc.ABC`, `collections.abc.MutableMapping`, `typing.Generic[T]` …
            found = None
            if isinstance(base, ast.Name) and base.id in sm.module_scope.bound:
                local = next((n for n in sm.tree.body if isinstance(n, ast.ClassDef) and n.name == base.id), None)
                found = (local, sm) if local is not None and local is not cls else None
            elif qualified is not None and self.project is not None:
                found = self.project.class_def(qualified)  # a base in another module of the package
            if found is None:
                return None
            inherited = self._methods_of(found[0], found[1], depth + 1)
            if inherited is None:
                return None
            methods.update(inherited)
        for node in cls.body:
            if isinstance(node, FunctionNode):
                methods[node.name] = node
        return methods

    def _attribute_escapes(self, cls: ast.ClassDef, attribute: str, methods: dict[str, ast.AST]) -> bool:
        """``self.<attribute>`` is handed out (returned, passed, stored elsewhere): someone else may
        close it. Not an escape: lending it to a function that only borrows it
        (:mod:`httplint.summaries`), and returning it from a lazy getter that builds it on first
        use (``if self._s is None: self._s = Session()`` … ``return self._s``): the class still
        owns what it built."""
        for method in methods.values():
            lazy = _lazy_getter(method, attribute)
            for node in ast.walk(method):
                if (isinstance(node, ast.Attribute) and node.attr == attribute and isinstance(node.value, ast.Name)
                        and node.value.id == "self" and isinstance(node.ctx, ast.Load)):
                    parent = self.sm.parent(node)
                    if isinstance(parent, ast.Attribute) or (
                        isinstance(parent, ast.withitem) and parent.context_expr is node
                    ):
                        continue
                    if isinstance(parent, (ast.Compare, ast.If, ast.IfExp, ast.BoolOp, ast.UnaryOp, ast.Assert)):
                        continue
                    if isinstance(parent, ast.Call) and parent.func is node:
                        continue
                    if lazy and isinstance(parent, ast.Return):
                        continue
                    if isinstance(parent, (ast.Call, ast.keyword)) and self._lent(node, parent):
                        continue
                    return True
        return False

    def _closed_from_outside(self, attribute: str, methods: dict[str, ast.AST]) -> bool:
        """Code outside the class closes ``<object>.<attribute>`` (or ``<object>.<getter>``, a
        lazy getter of it): in this module, or in any module of the package."""
        names = {attribute} | {name for name, fn in methods.items() if _lazy_getter(fn, attribute)}
        for call in self.sm.calls:
            func = call.func
            if (isinstance(func, ast.Attribute) and func.attr in _OUTSIDE_CLOSERS
                    and isinstance(func.value, ast.Attribute) and func.value.attr in names
                    and not (isinstance(func.value.value, ast.Name) and func.value.value.id == "self")):
                return True
        return self.project is not None and any(self.project.closes_attribute(name) for name in names)

    def _lent(self, node: ast.AST, parent: ast.AST) -> bool:
        call = self.sm.parent(parent) if isinstance(parent, ast.keyword) else parent
        return isinstance(call, ast.Call) and self.summaries.effect(call, node) is Effect.BORROW

    def _closes(self, method: ast.AST, attribute: str, owner: lib.OwnerType, methods, seen: set) -> bool:
        """``method`` closes ``self.<attribute>``, itself or through another method of the class."""
        if id(method) in seen:
            return False
        seen.add(id(method))
        for node in ast.walk(method):
            if isinstance(node, ast.withitem):
                expr = node.context_expr
                if (isinstance(expr, ast.Attribute) and expr.attr == attribute and isinstance(expr.value, ast.Name)
                        and expr.value.id == "self"):
                    return True
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
                continue
            receiver = node.func.value
            if (isinstance(receiver, ast.Attribute) and receiver.attr == attribute
                    and isinstance(receiver.value, ast.Name) and receiver.value.id == "self"
                    and node.func.attr in (*owner.close_methods, "__exit__", "__aexit__")):
                return True
            if isinstance(receiver, ast.Name) and receiver.id == "self" and node.func.attr in methods:
                if self._closes(methods[node.func.attr], attribute, owner, methods, seen):
                    return True
        return False

    def _visit_call(self, call: ast.Call) -> None:
        scope = self.sm.scope(call)
        if scope.is_class:
            self.timeouts.visit_class_body(call, scope)
            if scope.parent is not None and scope.parent.is_function:
                self._class_body_in_function(call, scope)
            return  # class attributes are singletons (unless the class is defined per call)
        if isinstance(scope.node, ast.Lambda):
            return  # lambdas are not followed
        self.timeouts.visit(call, scope)
        qualified = self._qualified(call.func, scope)
        if qualified is not None:
            owner = self.constructors.get(qualified)
            if owner is not None and self._in_memory(call, scope):
                return  # `httpx.Client(transport=httpx.MockTransport(handler))`: no socket to close
            if owner is not None:
                self._check_part_ownership(call, scope, owner)
                factory = None if qualified in lib.CONSTRUCTORS or owner.name == qualified else qualified
                self._acquire(call, scope, owner=owner, factory=factory)
                return
            response = self.held_factories.get(qualified)
            if response is not None:
                self._acquire(call, scope, response=response, factory=qualified)
                return
            helper = lib.SESSION_HELPERS.get(qualified)
            if helper is not None:
                loop = self._loop_of(call, scope)
                work = loop is not None and self.loop_repeats_calls(loop, scope)
                self.result.helper_calls.append(HelperCall(call, helper, scope, loop, work))
                if qualified.startswith("aiohttp."):
                    self._check_context(call, lib.AIOHTTP_SESSION, request_context=True)
                    if self._awaited_directly(call):
                        self.result.context_mismatches.append(
                            ContextMismatch(call, lib.AIOHTTP_SESSION, False, request_context=True, awaited=True)
                        )
            held = lib.HELD_BY_FUNCTION.get(qualified)
            if held is not None and self._is_held(call, held):
                self._acquire(call, scope, response=held.response)
            return
        if isinstance(call.func, ast.Attribute):
            self._visit_method_call(call, scope)
        elif isinstance(call.func, ast.Name) and (
            self.knowledge.factories or self.knowledge.response_factories or call.func.id in self.sm.module_scope.bound
        ):
            owner = self._local_factory(call.func, scope)
            if owner is not None:
                self._acquire(call, scope, owner=owner, factory=None if owner.kind == "wrapper" else call.func.id)
            elif self.sm.module and call.func.id in self.sm.module_scope.bound:
                response = self.held_factories.get(f"{self.sm.module}.{call.func.id}")
                if response is not None:
                    self._acquire(call, scope, response=response, factory=call.func.id)

    def _check_part_ownership(self, call: ast.Call, scope: Scope, owner: lib.OwnerType) -> None:
        """:class:`OrphanedPart`: the ownership keyword is not certainly true while the part
        may be missing (not passed, or a name bound to ``None`` in the function)."""
        rule = lib.PART_OWNERSHIP.get(owner.family)
        if rule is None:
            return
        keyword, part = rule
        flag = next((k.value for k in call.keywords if k.arg == keyword), None)
        if flag is None or (isinstance(flag, ast.Constant) and flag.value is True):
            return
        if any(k.arg is None for k in call.keywords):
            return  # `**options`: not judged
        given = next((k.value for k in call.keywords if k.arg == part), None)
        if given is not None and not (isinstance(given, ast.Constant) and given.value is None):
            if not isinstance(given, ast.Name):
                return
            bound = [self.sm.parent(st) for st in scope.stores if st.id == given.id]
            if not any(isinstance(b, ast.Assign) and isinstance(b.value, ast.Constant) and b.value.value is None
                       for b in bound) and given.id not in _parameters_or_empty(scope):
                return  # a connector of its own: the caller closes it
            if given.id in _parameters_or_empty(scope) and not bound:
                return  # the caller's: who closes it is the caller's business
        self.result.orphaned_parts.append(OrphanedPart(call, owner, keyword, part))

    def _in_memory(self, call: ast.Call, scope: Scope) -> bool:
        """A client built on an in-memory transport (:data:`httplint.libraries.IN_MEMORY_TRANSPORTS`)."""
        for keyword in call.keywords:
            value = keyword.value
            if isinstance(value, ast.Name):  # `transport = httpx.MockTransport(handler)` first
                stores = [st for current in scope.outward() for st in current.stores if st.id == value.id]
                bound = self._bound_value(stores[0]) if len(stores) == 1 else None
                value = bound if bound is not None else value
            if keyword.arg in ("transport", "app") and isinstance(value, ast.Call) and \
                    self._qualified(value.func, scope) in lib.IN_MEMORY_TRANSPORTS:
                return True
            if keyword.arg == "app" and self._qualified(call.func, scope) in ("httpx.Client", "httpx.AsyncClient"):
                return True  # the deprecated `httpx.Client(app=...)` shortcut, in memory too
        return False

    def _local_factory(self, func: ast.Name, scope: Scope) -> lib.OwnerType | None:
        """A factory or client subclass defined in this module, called by its plain name, or a
        module-level alias of one (``_build = make_session``)."""
        if func.id not in self.sm.module_scope.bound:
            return None
        if self.sm.module:
            owner = self.constructors.get(f"{self.sm.module}.{func.id}")
            if owner is not None:
                return owner
        owner = self.knowledge.local_factory(func.id)
        if owner is not None:
            return owner
        owner = self.wrapper_types().get(func.id)
        if owner is not None:
            return owner
        return self._alias_target(func.id)

    def _alias_target(self, name: str) -> lib.OwnerType | None:
        """The constructor a module-level name is bound to once, by a plain alias assignment."""
        stores = [s for s in self.sm.module_scope.stores if s.id == name]
        if len(stores) != 1:
            return None
        parent = self.sm.parent(stores[0])
        if not isinstance(parent, ast.Assign) or not isinstance(parent.value, (ast.Name, ast.Attribute)):
            return None
        value = parent.value
        qualified = self._qualified(value, self.sm.module_scope)
        if qualified is not None:
            return self.constructors.get(qualified)
        if isinstance(value, ast.Name) and value.id != name and self.sm.module:
            return self.constructors.get(f"{self.sm.module}.{value.id}")
        return None

    def _visit_method_call(self, call: ast.Call, scope: Scope) -> None:
        func = call.func
        assert isinstance(func, ast.Attribute)
        method = func.attr
        produced = self._method_factory(call, scope)
        if produced is not None:
            self._acquire(call, scope, owner=produced, factory=f"{ast.unparse(func)}")
            return
        owner = self.type_of(func.value, scope)
        if owner is not None:
            if method in owner.close_methods and owner.async_close:
                self._check_awaited_close(call, owner, func.value)
            if owner.family == lib.AIOHTTP_SESSION.name and method in owner.request_methods:
                self._check_context(call, owner, request_context=True)
            elif owner.library == "httpx" and method in owner.request_methods - {"stream"}:
                self._check_no_context(call, owner, f"The `httpx.Response` of `.{method}()`")
            held = lib.HELD_BY_METHOD.get(owner.family, {}).get(method)
            if held is not None and self._is_held(call, held):
                self._acquire(call, scope, response=held.response)
            return
        if method == "aclose" and self._imports_httpx:
            self._check_awaited_close(call, lib.HTTPX_ASYNC_CLIENT, func.value)
        # Receiver of unknown type: a keyword only one library takes still tells.
        for keyword, (library, held) in lib.HELD_BY_KEYWORD_UNTYPED.items():
            if method not in lib.UNTYPED_METHODS[keyword]:
                continue
            if not (self._imports_requests if library == "requests" else self._imports_urllib3):
                continue
            if self._qualified(func.value, scope) is not None:
                continue  # a module attribute, resolved above if it mattered
            if keyword == "stream" and not _looks_like_http_session(func.value):
                continue  # `storage.get(key, stream=True)`: many APIs take `stream=`
            if self._is_held(call, held):
                self._acquire(call, scope, response=held.response)
                return

    def _qualified(self, node: ast.AST, scope: Scope | None = None) -> str | None:
        """The canonical qualified name of ``node`` (vendored copies mapped to their library)."""
        return lib.canonical(self.sm.qualified_name(node, scope))

    # -- typing receivers --------------------------------------------------------

    def type_of(self, node: ast.AST, scope: Scope) -> lib.OwnerType | None:
        """The owner type of an expression when it is certain, else ``None``."""
        if isinstance(node, ast.Call):
            qualified = self._qualified(node.func, scope)
            if qualified:
                return self.constructors.get(qualified)
            if isinstance(node.func, ast.Name):
                return self._local_factory(node.func, scope)
            return self._method_factory(node, scope)
        if isinstance(node, ast.Name):
            for current in scope.outward():
                types = self._scope_types(current)
                if node.id in types:
                    return types[node.id]
                if node.id in current.bound and not current.is_module:
                    return None
            return None
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in ("self", "cls")
        ):
            cls = scope.enclosing_class()
            if cls is not None:
                return self._class_types(cls).get(node.attr)
        return None

    def construction_of(self, node: ast.AST, scope: Scope) -> ast.Call | None:
        """The call that built the owner ``node`` refers to, when a single one certainly did:
        an inline constructor, the one binding of a local or module name, or the one
        assignment of ``self.<attr>`` in the class."""
        if isinstance(node, ast.Call):
            return node if self.type_of(node, scope) is not None else None
        if self.type_of(node, scope) is None:
            return None
        if isinstance(node, ast.Name):
            for current in scope.outward():
                if isinstance(current.node, FunctionNode) and node.id in _parameters(current.node):
                    return None  # `session = session or Session()`: maybe the caller's
                stores = [s for s in current.stores if s.id == node.id]
                if stores:
                    bound = [self._bound_value(s) for s in stores]
                    if any(value is None for value in bound):
                        return None
                    values = {id(value): value for value in bound}
                    return next(iter(values.values())) if len(values) == 1 else None
                if node.id in current.bound:
                    return None  # a parameter: built elsewhere
            return None
        if isinstance(node, ast.Attribute):
            cls = scope.enclosing_class()
            if cls is None:
                return None
            found = []
            for method in self.sm.scopes[cls].children:
                for target, statement in self._self_assignments(method):
                    if target.attr != node.attr or not isinstance(statement, ast.Assign):
                        continue
                    value = statement.value.value if isinstance(statement.value, ast.Await) else statement.value
                    if isinstance(value, ast.Call):
                        found.append(value)
            return found[0] if len(found) == 1 else None
        return None

    def _bound_value(self, store: ast.Name) -> ast.Call | None:
        """The constructor call a ``Name`` store binds (``x = Ctor()``, ``with Ctor() as x``)."""
        parent = self.sm.parent(store)
        value = None
        if isinstance(parent, (ast.Assign, ast.AnnAssign, ast.NamedExpr)):
            value = parent.value
        elif isinstance(parent, ast.withitem) and parent.optional_vars is store:
            value = parent.context_expr
        if isinstance(value, ast.Await):
            value = value.value
        return value if isinstance(value, ast.Call) else None

    def _scope_types(self, scope: Scope) -> dict[str, lib.OwnerType | None]:
        """Local names of one scope whose every binding is the same known owner type."""
        cached = self._types.get(scope)
        if cached is not None:
            return cached
        types: dict[str, lib.OwnerType | None] = {}

        def note(name: str, owner: lib.OwnerType | None) -> None:
            if name in types and types[name] is not owner:
                types[name] = None
            else:
                types[name] = owner

        node = scope.node
        if isinstance(node, FunctionNode):
            args = node.args
            for arg in (*args.posonlyargs, *args.args, *args.kwonlyargs):
                owner = self._annotation_type(arg.annotation, scope)
                if owner is not None:
                    note(arg.arg, owner)
        for store in scope.stores:
            parent = self.sm.parent(store)
            if isinstance(parent, ast.Assign) and isinstance(parent.value, ast.Constant) and parent.value.value is None:
                continue  # `session = None` before the real binding leaves the type alone
            note(store.id, self._binding_type(store, scope))
        # Only certain answers are kept.
        types = {k: v for k, v in types.items() if v is not None}
        self._types[scope] = types
        return types

    def _binding_type(self, store: ast.Name, scope: Scope) -> lib.OwnerType | None:
        """The owner type a ``Name`` store binds, or ``None`` when unknown (tuple targets,
        ``for``, ``except ... as`` and anything else untype the name)."""
        parent = self.sm.parent(store)
        if isinstance(parent, ast.Assign) and store in parent.targets:
            return self._value_type(parent.value, scope)
        if isinstance(parent, ast.AnnAssign) and parent.target is store:
            owner = self._annotation_type(parent.annotation, scope)
            if parent.value is not None:
                owner = self._value_type(parent.value, scope) or owner
            return owner
        if isinstance(parent, ast.withitem) and parent.optional_vars is store:
            return self._value_type(parent.context_expr, scope)
        if isinstance(parent, ast.NamedExpr) and parent.target is store:
            return self._value_type(parent.value, scope)
        return None

    def _value_type(self, value: ast.AST, scope: Scope) -> lib.OwnerType | None:
        if isinstance(value, ast.Await):
            value = value.value
        return self.type_of(value, scope) if isinstance(value, ast.Call) else None

    # -- producers the class defines: `self._new_session()` ----------------------------------

    def _method_factory(self, call: ast.Call, scope: Scope) -> lib.OwnerType | None:
        """The owner type a method of the enclosing class returns fresh on every call
        (``self._new_session()``), or ``None``. Memoised getters (decorated, or returning
        ``self.<attr>``) are not producers."""
        method = self._producer_method(call, scope)
        return self.fresh_owner_returned(method) if method is not None else None

    def _producer_method(self, call: ast.Call, scope: Scope) -> ast.AST | None:
        """The undecorated method of the enclosing class that ``self.<name>(...)`` calls."""
        func = call.func
        if not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)
                and func.value.id in ("self", "cls")):
            return None
        cls = scope.enclosing_class()
        if cls is None:
            return None
        methods = self._class_methods(cls)
        method = methods.get(func.attr) if methods is not None else None
        if method is None or any(
            not (isinstance(d, ast.Name) and d.id in ("staticmethod", "classmethod")) for d in method.decorator_list
        ):
            return None
        return method

    def _class_methods(self, cls: ast.ClassDef) -> dict[str, ast.AST] | None:
        if cls not in self._methods_cache:
            self._methods_cache[cls] = self._methods_with_bases(cls)
        return self._methods_cache[cls]

    def fresh_owner_returned(self, function: ast.AST, maybe_given: bool = False) -> lib.OwnerType | None:
        """The owner type every ``return`` of ``function`` gives, each a client built in the
        call (a constructor, or a local name bound once to one and not handed elsewhere);
        ``None`` otherwise (also for generators, and while the answer is being computed).
        ``maybe_given``: a returned name may also be bound to a parameter (``s = session``
        on one branch, ``s = Session()`` on the other)."""
        key = (function, maybe_given)
        if key in self._returned:
            return self._returned[key]
        self._returned[key] = None
        scope = self.sm.scopes.get(function)
        if scope is None:
            return None
        nodes = list(own_nodes(function.body))  # type: ignore[attr-defined]
        returns = [n for n in nodes if isinstance(n, ast.Return)]
        if not returns or any(isinstance(n, (ast.Yield, ast.YieldFrom)) for n in nodes):
            return None
        owners = set()
        for statement in returns:
            value = statement.value
            if isinstance(value, ast.Await):
                value = value.value
            if not isinstance(value, (ast.Name, ast.Call)):
                return None
            owner = self.type_of(value, scope)
            if maybe_given and owner is None and isinstance(value, ast.Name):
                owner = self._given_or_fresh_name(value.id, scope, function)
            elif owner is None or self.construction_of(value, scope) is None:
                return None
            elif owner.adopts is not None and _passes(self.construction_of(value, scope), *owner.adopts):
                return None  # `Wrapper(http_client=shared)`: it owns nothing
            if owner is None or (isinstance(value, ast.Name) and handed_elsewhere(value.id, scope, self.sm)):
                return None
            owners.add(owner)
        result = owners.pop() if len(owners) == 1 else None
        self._returned[key] = result
        return result

    def _given_or_fresh_name(self, name: str, scope: Scope, function: ast.AST) -> lib.OwnerType | None:
        """The owner type of the constructions ``name`` is bound to, when its other bindings are
        the function's parameters (the caller's client)."""
        parameters = _parameters(function)
        owners = set()
        for store in scope.stores:
            if store.id != name:
                continue
            statement = self.sm.parent(store)
            value = getattr(statement, "value", None)
            if isinstance(value, ast.Name) and value.id in parameters:
                continue
            call = self._bound_value(store)
            owner = self.type_of(call, scope) if call is not None else None
            if owner is None:
                return None
            owners.add(owner)
        return owners.pop() if len(owners) == 1 else None

    def _annotation_type(self, annotation: ast.AST | None, scope: Scope) -> lib.OwnerType | None:
        if annotation is None:
            return None
        if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
            annotation = _parse_annotation(annotation.value)
            if annotation is None:
                return None
            qualified = self._string_annotation_name(annotation, scope)
            return self.knowledge.annotation(qualified)
        # Optional[X] / X | None
        if isinstance(annotation, ast.Subscript):
            outer = self._qualified(annotation.value, scope)
            if outer in ("typing.Optional",):
                return self._annotation_type(annotation.slice, scope)
            return None
        if isinstance(annotation, ast.BinOp) and isinstance(annotation.op, ast.BitOr):
            for side, other in ((annotation.left, annotation.right), (annotation.right, annotation.left)):
                if isinstance(other, ast.Constant) and other.value is None:
                    return self._annotation_type(side, scope)
            return None
        return self.knowledge.annotation(self._qualified(annotation, scope))

    def _string_annotation_name(self, node: ast.AST, scope: Scope) -> str | None:
        parts: list[str] = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name):
            return None
        base = self.sm.lookup_import(node.id, scope)
        return lib.canonical(".".join([base, *reversed(parts)])) if base else None

    def _self_assignments(self, scope: Scope) -> list[tuple[ast.Attribute, ast.Assign | ast.AnnAssign]]:
        """``(target, statement)`` for each plain ``self.<attr> = value`` in a method scope and the
        functions nested in it (from the stores the semantic model recorded, no new walk)."""
        found = []
        for target in self._attribute_stores_within(scope):
            statement = self.sm.parent(target)
            if isinstance(statement, (ast.Assign, ast.AnnAssign)):
                found.append((target, statement))
        return found

    @staticmethod
    def _attribute_stores_within(scope: Scope) -> list[ast.Attribute]:
        """``self.<attr>`` stores of a method scope and of the functions nested in it."""
        found = list(scope.attribute_stores)
        for child in scope.children:
            if not child.is_class:
                found.extend(_Analyzer._attribute_stores_within(child))
        return found

    def _class_types(self, cls: ast.ClassDef) -> dict[str, lib.OwnerType | None]:
        """``self.<attr>`` → owner type, when every assignment in the class agrees (``None`` aside)."""
        cached = self._class_attrs.get(cls)
        if cached is not None:
            return cached
        types: dict[str, lib.OwnerType | None] = {}
        conflicting: set[str] = set()
        class_scope = self.sm.scopes[cls]
        stores = [t for method in class_scope.children for t in self._attribute_stores_within(method)]
        for target in stores:
            node = self.sm.parent(target)
            if not isinstance(node, (ast.Assign, ast.AnnAssign)):
                conflicting.add(target.attr)  # augmented, unpacked, deleted …: not a plain binding
                continue
            value = node.value
            if value is None or (isinstance(value, ast.Constant) and value.value is None):
                owner = self._annotation_type(getattr(node, "annotation", None), self.sm.scope(node))
                if owner is None:
                    continue
            else:
                owner = self._value_type(value, self.sm.scope(node))
            if owner is None or types.get(target.attr, owner) is not owner:
                conflicting.add(target.attr)
            types[target.attr] = owner
        result = {k: v for k, v in types.items() if v is not None and k not in conflicting}
        self._class_attrs[cls] = result
        return result

    # -- acquisitions ----------------------------------------------------------------

    def _is_held(self, call: ast.Call, held: lib.HeldWhen) -> bool:
        if held.keyword is not None:
            keyword = next((k for k in call.keywords if k.arg == held.keyword), None)
            if keyword is None or not isinstance(keyword.value, ast.Constant):
                return False
            if keyword.value.value is not held.value:
                return False
        if held.awaited:
            return isinstance(self.sm.parent(call), ast.Await)
        return True

    def _acquire(
        self,
        call: ast.Call,
        scope: Scope,
        owner: lib.OwnerType | None = None,
        response: lib.ResponseType | None = None,
        factory: str | None = None,
    ) -> None:
        if owner is not None and owner.adopts is not None and _passes(call, *owner.adopts):
            return  # `Api(session)`: the wrapper is handed the caller's client and owns nothing
        how, name, value_node = self._binding(call, scope)
        acq = Acquisition(
            call=call,
            owner=owner,
            response=response,
            scope=scope,
            how=how,
            name=name,
            statement=self._statement_of(call),
            loop=self._loop_of(call, scope),
            factory=factory,
        )
        acq.work_loop = acq.loop is not None and self.loop_repeats_calls(acq.loop, scope)
        if owner is not None and how in ("with", "async-with"):
            self._check_context(call, owner, request_context=False)
        if how == "assign" and name is not None:
            acq.rebound = self._bound_elsewhere(name, scope, call)
            acq.given = given_or_fresh_parent(acq, self.sm) is not None or (
                isinstance(scope.node, FunctionNode) and name in _parameters(scope.node)
            )
            acq.uses = self._name_uses(name, scope, acq)
        elif how in ("with", "async-with") and name is not None:
            acq.uses = self._name_uses(name, scope, acq)
        elif how == "inline":
            acq.uses = [self._classify(value_node, acq)]
        acq.state = self._decide(acq)
        if acq.state is State.ESCAPED and acq.how == "assign" and acq.name is not None:
            acq.early_exits = self._early_exits(acq)
        if owner is not None and how == "escape" and scope.is_function:
            self._check_overwritten_slot(acq)
        self.result.acquisitions.append(acq)

    def _binding(self, call: ast.Call, scope: Scope) -> tuple[str, str | None, ast.AST]:
        node: ast.AST = call
        parent = self.sm.parent(node)
        if isinstance(parent, ast.Await):
            node, parent = parent, self.sm.parent(parent)
        choice = given_or_fresh(node, parent)
        if choice is not None:
            node, parent = choice, self.sm.parent(choice)
        if isinstance(parent, ast.withitem) and parent.context_expr is node:
            with_node = self.sm.parent(parent)
            how = "async-with" if isinstance(with_node, ast.AsyncWith) else "with"
            target = parent.optional_vars
            return how, target.id if isinstance(target, ast.Name) else None, node
        if isinstance(parent, ast.Assign) and parent.value is node:
            if len(parent.targets) == 1 and isinstance(parent.targets[0], ast.Name):
                name = parent.targets[0].id
                if name in scope.declared_global or (scope.is_module and self._used_in_functions(name)):
                    return "escape", name, node
                return "assign", name, node
            return "escape", None, node
        if isinstance(parent, ast.AnnAssign) and parent.value is node:
            if isinstance(parent.target, ast.Name) and parent.target.id not in scope.declared_global:
                return "assign", parent.target.id, node
            return "escape", None, node
        if isinstance(parent, ast.NamedExpr) and parent.value is node:
            return "assign", parent.target.id, node
        if isinstance(parent, ast.Attribute) and parent.value is node:
            return "inline", None, node
        if isinstance(parent, ast.Expr):
            return "discarded", None, node
        container = self._argument_container(node)
        if isinstance(parent, (ast.Call, ast.keyword)) or container is not None:
            use = self._classify_argument(container or node)
            if use in (UseKind.BORROW, UseKind.RELEASE):
                return "inline", None, node  # `get_json(httpx.Client(), url)`: lent, and dropped
            return ("registered" if use is UseKind.REGISTERED else "escape"), None, node
        return "escape", None, node

    def _argument_container(self, node: ast.AST) -> ast.AST | None:
        """The dict, list or tuple literal that holds ``node`` (as a value) and is itself an
        argument of a call: ``Reddit(requestor_kwargs={"session": aiohttp.ClientSession()})``."""
        parent = self.sm.parent(node)
        if isinstance(parent, ast.Dict) and node in parent.values or isinstance(parent, (ast.List, ast.Tuple)):
            holder = self.sm.parent(parent)
            if isinstance(holder, ast.keyword) or (isinstance(holder, ast.Call) and parent in holder.args):
                return parent
        return None

    # -- slots overwritten (a global, a write-only dict) -------------------------------------

    def _check_overwritten_slot(self, acq: Acquisition) -> None:
        statement = acq.statement
        if not isinstance(statement, ast.Assign) or len(statement.targets) != 1:
            return
        value = statement.value.value if isinstance(statement.value, ast.Await) else statement.value
        if value is not acq.call:
            return
        target = statement.targets[0]
        scope = acq.scope
        if isinstance(target, ast.Name) and target.id in scope.declared_global:
            if self._guarded(statement, target.id) or self._closed_before(statement, target.id, scope):
                return
            used_before = any(self.sm.scope(load) is scope and load.lineno < statement.lineno
                              for load in self._name_loads.get(target.id, ()))
            if acq.loop is not None or used_before:
                self.result.overwritten_slots.append(OverwrittenSlot(acq.call, target.id, acq.owner, "replaced"))
        elif isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name):
            name = target.value.id
            if name not in self.sm.module_scope.bound or name in scope.bound and name not in scope.declared_global:
                return  # a local dict: it dies with the call (and its clients are leaked there)
            for load in self._name_loads.get(name, ()):
                parent = self.sm.parent(load)
                if not (isinstance(parent, ast.Subscript) and parent.value is load and isinstance(parent.ctx, ast.Store)):
                    return  # read somewhere: a cache
            self.result.overwritten_slots.append(OverwrittenSlot(acq.call, f"{name}[...]", acq.owner, "unread"))

    def _class_body_in_function(self, call: ast.Call, scope: Scope) -> None:
        """``session = requests.Session()`` in the body of a class defined inside a function: a
        new client each time the function runs, unless the function (the class, or the code
        that uses it there) closes it."""
        qualified = self._qualified(call.func, scope)
        owner = self.constructors.get(qualified) if qualified else None
        statement = self.sm.parent(call)
        if owner is None or not isinstance(statement, ast.Assign) or len(statement.targets) != 1 \
                or not isinstance(statement.targets[0], ast.Name) or self.sm.parent(statement) is not scope.node:
            return
        name = statement.targets[0].id
        cls = scope.node
        for node in ast.walk(scope.parent.node):  # type: ignore[union-attr]  # the class, or its users there
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in owner.close_methods and isinstance(node.func.value, ast.Attribute)
                    and node.func.value.attr == name):
                return
        self.result.overwritten_slots.append(
            OverwrittenSlot(call, f"{cls.name}.{name}", owner, "per-definition")  # type: ignore[attr-defined]
        )

    def _guarded(self, statement: ast.stmt, name: str) -> bool:
        """``statement`` runs under an ``if``/``while`` whose test names ``name`` (``if X is None``)."""
        current = self.sm.parent(statement)
        while current is not None and not isinstance(current, (*FunctionNode, ast.Lambda)):
            test = getattr(current, "test", None)
            if test is not None and any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(test)):
                return True
            current = self.sm.parent(current)
        return False

    def _closed_before(self, statement: ast.stmt, name: str, scope: Scope) -> bool:
        """The function closes ``name`` somewhere before ``statement`` (``X.close()``)."""
        for call in self.sm.calls:
            func = call.func
            if (isinstance(func, ast.Attribute) and func.attr in _OUTSIDE_CLOSERS
                    and isinstance(func.value, ast.Name) and func.value.id == name
                    and self.sm.scope(call) is scope and call.lineno <= statement.lineno):
                return True
        return False

    def _bound_elsewhere(self, name: str, scope: Scope, call: ast.Call) -> bool:
        node = scope.node
        if isinstance(node, FunctionNode):
            args = node.args
            if any(a.arg == name for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)):
                return True
        for child in scope.stores:
            if child.id == name:
                parent = self.sm.parent(child)
                value = getattr(parent, "value", None)
                if isinstance(value, ast.Await):
                    value = value.value
                if value is not call and not (isinstance(value, ast.Constant) and value.value is None):
                    return True
        return False

    def _used_in_functions(self, name: str) -> bool:
        for load in self._name_loads.get(name, ()):
            if not self.sm.scope(load).is_module:
                return True
        return False

    def _name_uses(self, name: str, scope: Scope, acq: Acquisition) -> list[Use]:
        uses: list[Use] = []
        if name in scope.declared_global:
            return [Use(acq.call, UseKind.ESCAPE)]
        for load in self._name_loads.get(name, ()):
            load_scope = self.sm.scope(load)
            if load_scope is scope:
                use = self._classify(load, acq)
                use.loop = self._loop_of(load, scope)
                uses.append(use)
                # the uses of a local object it was lent to extend its lifetime (and a fix's span)
                uses.extend(Use(derived, UseKind.NEUTRAL) for derived in self._derived.pop(id(load), ()))
            elif load_scope.is_within(scope) and not self._rebinds(load_scope, scope, name):
                kind = UseKind.NEUTRAL if self._closure_kept_on_itself(load_scope, name) else UseKind.ESCAPE
                uses.append(Use(load, kind, nested=True))
        return uses

    def _closure_kept_on_itself(self, inner: Scope, name: str) -> bool:
        """``conn.connect = lambda: tls_connect(conn)``: a lambda stored on the object it captures
        lives and dies with that object, so capturing it there is no escape."""
        node = inner.node
        statement = self.sm.parent(node)
        return (isinstance(node, ast.Lambda) and inner.parent is not None and isinstance(statement, ast.Assign)
                and statement.value is node and all(
                    isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) and t.value.id == name
                    for t in statement.targets))

    @staticmethod
    def _rebinds(inner: Scope, outer: Scope, name: str) -> bool:
        current: Scope | None = inner
        while current is not None and current is not outer:
            if name in current.bound and name not in current.declared_global:
                return True
            current = current.parent
        return False

    # -- classifying uses ----------------------------------------------------------------

    def _classify(self, node: ast.AST, acq: Acquisition) -> Use:
        parent = self.sm.parent(node)
        if acq.given and acq.how == "assign" and parent is given_or_fresh_parent(acq, self.sm):
            return Use(node, UseKind.NEUTRAL)  # the given side of `client = client or Client()`
        if isinstance(parent, ast.Attribute) and parent.value is node:
            return self._classify_attribute(node, parent, acq)
        if isinstance(parent, ast.withitem) and parent.context_expr is node:
            return Use(node, UseKind.WITH)
        if isinstance(parent, (ast.For, ast.AsyncFor)) and parent.iter is node:
            if acq.response is not None and not self._iterated_partially(node):
                return Use(node, UseKind.CONSUME)
            return Use(node, UseKind.NEUTRAL)
        if isinstance(parent, ast.comprehension) and parent.iter is node:
            return Use(node, UseKind.CONSUME if acq.response else UseKind.NEUTRAL)
        container = self._argument_container(node)
        if container is not None:
            kind = self._classify_argument(container, acq.owner is not None)
            return Use(node, kind if kind in (UseKind.BORROW, UseKind.REGISTERED) else UseKind.ESCAPE)
        if isinstance(parent, (ast.Call, ast.keyword)):
            kind = self._classify_argument(node, acq.owner is not None)
            call = self.sm.parent(parent) if isinstance(parent, ast.keyword) else parent
            if kind is UseKind.RELEASE:  # `close_session(session)`: a helper that closes it
                return Use(node, kind, call, isinstance(self.sm.parent(call), ast.Await))
            return Use(node, kind)
        if isinstance(parent, (ast.Compare, ast.Expr, ast.FormattedValue, ast.Delete, ast.Assert)):
            return Use(node, UseKind.NEUTRAL)
        if isinstance(parent, ast.UnaryOp) and isinstance(parent.op, ast.Not):
            return Use(node, UseKind.NEUTRAL)
        if isinstance(parent, (ast.If, ast.While)) and parent.test is node:
            return Use(node, UseKind.NEUTRAL)
        if isinstance(parent, ast.IfExp) and parent.test is node:
            return Use(node, UseKind.NEUTRAL)
        if isinstance(parent, ast.Subscript) and parent.value is node:
            return Use(node, UseKind.NEUTRAL)
        if isinstance(parent, ast.BoolOp) and isinstance(self.sm.parent(parent), (ast.If, ast.While, ast.Assert)):
            return Use(node, UseKind.NEUTRAL)
        return Use(node, UseKind.ESCAPE)

    def _classify_attribute(self, node: ast.AST, attribute: ast.Attribute, acq: Acquisition) -> Use:
        attr = attribute.attr
        grand = self.sm.parent(attribute)
        owner, response = acq.owner, acq.response
        if isinstance(grand, ast.Call) and grand.func is attribute:
            awaited = isinstance(self.sm.parent(grand), ast.Await)
            if owner is not None:
                if attr in owner.close_methods or attr in ("__exit__", "__aexit__"):
                    return Use(node, UseKind.RELEASE, grand, awaited)
                if attr in owner.request_methods:
                    return Use(node, UseKind.REQUEST, grand, awaited)
                result_holder = self.sm.parent(grand)
                if isinstance(result_holder, ast.Await):
                    result_holder = self.sm.parent(result_holder)
                if isinstance(result_holder, (ast.Return, ast.Yield, ast.YieldFrom)):
                    # `return session.get_item(...)`: what another method returns may keep the client
                    return Use(node, UseKind.ESCAPE, grand, awaited)
                return Use(node, UseKind.NEUTRAL, grand, awaited)
            assert response is not None
            if attr in response.release_methods:
                return Use(node, UseKind.RELEASE, grand, awaited)
            if attr in response.consume_methods:
                if attr.startswith(("iter_", "aiter_", "stream")) and self._iterated_partially(grand):
                    return Use(node, UseKind.NEUTRAL, grand, awaited)
                return Use(node, UseKind.CONSUME, grand, awaited)
            if attr in response.returns_self:
                inner = self._classify(grand, acq)
                inner.node = node
                return inner
            return Use(node, UseKind.NEUTRAL, grand, awaited)
        if isinstance(attribute.ctx, ast.Store):
            return Use(node, UseKind.NEUTRAL)
        if response is not None:
            if attr in response.consume_attributes:
                return Use(node, UseKind.CONSUME)
            if attr in ("raw", "content", "stream", "fp", "_fp", "connection"):
                # `shutil.copyfileobj(r.raw, f)`, `async for chunk in r.content`: the body is
                # handed on or read there; not followed further.
                return Use(node, UseKind.ESCAPE)
            if attr in response.release_methods:
                return Use(node, UseKind.REGISTERED)  # bound method handed on: x.close registered
            return Use(node, UseKind.NEUTRAL)
        assert owner is not None
        if attr in owner.close_methods:
            return Use(node, UseKind.REGISTERED)  # atexit.register(s.close), stack.callback(s.close)
        if attr in owner.request_methods:
            return Use(node, UseKind.ESCAPE)  # bound method handed on: partial(s.get, ...)
        return Use(node, UseKind.NEUTRAL)

    def _iterated_partially(self, iterable: ast.AST) -> bool:
        """A ``for`` over ``iterable`` that may stop early (``break`` or ``return`` in its body).

        Only a loop that runs to the end reads the body to EOF (http-semantics.md §9, item 5).
        """
        loop = self.sm.parent(iterable)
        if not isinstance(loop, (ast.For, ast.AsyncFor)) or loop.iter is not iterable:
            return False
        for child in own_nodes(loop.body):
            if isinstance(child, ast.Return):
                return True
            if isinstance(child, ast.Break) and self._loop_owning_break(child) is loop:
                return True
        return False

    def _loop_owning_break(self, node: ast.AST) -> ast.AST | None:
        current = self.sm.parent(node)
        while current is not None and not isinstance(current, (*LoopNode,)):
            current = self.sm.parent(current)
        return current

    def _classify_argument(self, node: ast.AST, owner: bool = True) -> UseKind:
        """What the call ``node`` is an argument of does to it; ``owner``: it is a client (a
        response lent to a helper that reads it is consumed there: not followed, an escape)."""
        parent = self.sm.parent(node)
        call = self.sm.parent(parent) if isinstance(parent, ast.keyword) else parent
        if isinstance(parent, ast.Call) and parent.func is node:
            return UseKind.NEUTRAL  # x() on an owner: not a pattern the tables know
        if not isinstance(call, ast.Call):
            return UseKind.ESCAPE
        qualified = self._qualified(call.func)
        if qualified in lib.RELEASE_REGISTRARS:
            return UseKind.REGISTERED
        if isinstance(call.func, ast.Attribute) and call.func.attr in lib.RELEASE_REGISTRAR_METHODS:
            return UseKind.REGISTERED
        if (
            isinstance(call.func, ast.Name)
            and call.func.id in lib.NON_RETAINING_CALLS
            and self.sm.is_builtin(call.func)
        ):
            return UseKind.NEUTRAL
        effect = self.summaries.effect(call, node)
        if effect is Effect.BORROW and owner:
            return UseKind.BORROW
        if effect is Effect.RELEASE:
            return UseKind.RELEASE
        if owner and self.summaries.callee(call) is None:
            return self._lent_to_local_object(call, qualified, node) or UseKind.ESCAPE
        return UseKind.ESCAPE

    def _lent_to_local_object(self, call: ast.Call, qualified: str | None, argument: ast.AST) -> UseKind | None:
        """A client handed to a constructor of another library (``Api(http_client=session)``)
        whose object stays in this function: bound to a local name that is only used (methods,
        attributes, lent to borrowers), never returned, stored or passed on. The client dies
        with the function then: ``BORROW`` (the caller must still close it), or ``REGISTERED``
        when the object is closed or entered with ``with`` (it may close the client).
        ``None`` when the object may outlive the function."""
        name = qualified.rsplit(".", 1)[-1] if qualified else getattr(call.func, "id", None)
        if not name or not name[:1].isupper() or (qualified and qualified.split(".", 1)[0] in lib.LIBRARY_MODULES):
            return None  # not a class, or an HTTP library's own (a session owns a mounted adapter …)
        value: ast.AST = call
        parent = self.sm.parent(call)
        if isinstance(parent, ast.Await):
            value, parent = parent, self.sm.parent(parent)
        scope = self.sm.scope(call)
        if not (isinstance(parent, ast.Assign) and parent.value is value and len(parent.targets) == 1
                and isinstance(parent.targets[0], ast.Name)) or not scope.is_function:
            return None
        local = parent.targets[0].id
        if local in scope.declared_global or sum(1 for s in scope.stores if s.id == local) != 1:
            return None
        result = UseKind.BORROW
        loads = []
        for load in self._name_loads.get(local, ()):
            load_scope = self.sm.scope(load)
            if load_scope is not scope:
                if load_scope.is_within(scope):
                    return None  # captured by a nested function: may outlive the call
                continue
            use_parent = self.sm.parent(load)
            loads.append(load)
            if isinstance(use_parent, ast.Attribute) and use_parent.value is load:
                if use_parent.attr in ("close", "aclose", "__exit__", "__aexit__", "shutdown"):
                    result = UseKind.REGISTERED  # the object may close it: not judged further
                continue
            if isinstance(use_parent, ast.withitem) and use_parent.context_expr is load:
                result = UseKind.REGISTERED
                continue
            if isinstance(use_parent, (ast.Compare, ast.Expr)) or (
                isinstance(use_parent, (ast.If, ast.While, ast.IfExp)) and use_parent.test is load
            ):
                continue
            if isinstance(use_parent, (ast.Call, ast.keyword)):
                inner = self.sm.parent(use_parent) if isinstance(use_parent, ast.keyword) else use_parent
                if isinstance(inner, ast.Call) and inner.func is not load and \
                        self.summaries.effect(inner, load) is Effect.BORROW:
                    continue
            return None
        self._derived[id(argument)] = loads
        return result

    # -- deciding ------------------------------------------------------------------------

    def _decide(self, acq: Acquisition) -> State:
        if acq.how == "escape":
            return State.ESCAPED
        if acq.how in ("registered", "with", "async-with"):
            return State.RELEASED if not any(u.kind is UseKind.ESCAPE for u in acq.uses) else State.ESCAPED
        kinds = {u.kind for u in acq.uses}
        if UseKind.ESCAPE in kinds:
            return State.ESCAPED
        if kinds & {UseKind.WITH, UseKind.REGISTERED}:
            return State.RELEASED
        if acq.response is not None and UseKind.CONSUME in kinds:
            return State.RELEASED
        releases = acq.releases
        if not releases:
            return State.LEAKED
        for use in releases:
            if self._in_handler(use.node, acq.scope):
                return State.RELEASED
        if acq.how == "inline":
            return State.RELEASED  # Owner().close() / resp.close() at once
        for use in releases:
            if self._released_at_once(acq.statement, use.node):
                return State.RELEASED
        return State.NORMAL_PATH

    def _early_exits(self, acq: Acquisition) -> list[ast.stmt]:
        """The explicit ``raise`` and ``return`` statements that leave the function between the
        acquisition and the ``return`` that hands it to the caller, with nothing releasing it
        first: ``r = get(u, stream=True)`` … ``if bad: raise Error()`` … ``return r``.

        Only when every escape is ``return <name>`` (stored or passed on, it may be someone
        else's already). Not counted: exits inside a ``try`` with a ``finally`` or a handler
        (they may release it), exits in the handler of a ``try`` around the acquisition (it is
        not bound there), exits after a release of it in the same block, and implicit
        exceptions of calls (``r.raise_for_status()``: the download idiom stays silent)."""
        escapes = [u for u in acq.uses if u.kind is UseKind.ESCAPE]
        if not escapes or not all(self._returned_as_is(u.node) for u in escapes):
            return []
        start = acq.statement.end_lineno or acq.statement.lineno
        end = max(self._statement_of(u.node).lineno for u in escapes)
        function = acq.scope.node
        exits = []
        for node in own_nodes(function.body):  # type: ignore[attr-defined]
            if not isinstance(node, (ast.Raise, ast.Return)) or not start < node.lineno < end:
                continue
            if isinstance(node, ast.Return) and node.value is not None and any(
                isinstance(n, ast.Name) and n.id == acq.name for n in ast.walk(node.value)
            ):
                continue  # hands it on too
            if self._exit_covered(node, acq) or self._exclusive(node, acq.statement):
                continue
            exits.append(node)
        return exits

    def _exclusive(self, first: ast.AST, second: ast.AST) -> bool:
        """``first`` and ``second`` lie in different branches of one ``if`` (or ``match``)."""
        def blocks(node: ast.AST) -> dict[int, int]:
            found = {}
            child, parent = node, self.sm.parent(node)
            while parent is not None:
                if isinstance(parent, ast.If) and child is not parent.test:
                    found[id(parent)] = 0 if child in parent.body else 1
                elif isinstance(parent, ast.Match) and isinstance(child, ast.match_case):
                    found[id(parent)] = parent.cases.index(child) + 2
                child, parent = parent, self.sm.parent(parent)
            return found

        mine, theirs = blocks(first), blocks(second)
        return any(key in theirs and theirs[key] != branch for key, branch in mine.items())

    def _returned_as_is(self, node: ast.AST) -> bool:
        """``return node`` or ``return a, node`` (a tuple of the return value)."""
        parent = self.sm.parent(node)
        if isinstance(parent, ast.Tuple):
            parent = self.sm.parent(parent)
        return isinstance(parent, ast.Return)

    def _exit_covered(self, exit_node: ast.stmt, acq: Acquisition) -> bool:
        """A ``try`` around ``exit_node`` may release it, or the acquisition is not bound there, or
        it was released earlier in the same block."""
        child: ast.AST = exit_node
        parent = self.sm.parent(child)
        while parent is not None and parent is not acq.scope.node:
            if isinstance(parent, (ast.Try, getattr(ast, "TryStar", ast.Try))):
                if child in parent.body and (parent.finalbody or parent.handlers):
                    return True
                if child in parent.finalbody or isinstance(child, ast.ExceptHandler):
                    return True
            block = next((getattr(parent, f) for f in ("body", "orelse", "finalbody")
                          if isinstance(getattr(parent, f, None), list) and child in getattr(parent, f)), None)
            if block is not None:
                for statement in block[:block.index(child)]:
                    if statement is acq.statement:
                        break
                    if any(isinstance(n, ast.Name) and n.id == acq.name for n in ast.walk(statement)) and any(
                        u.kind in (UseKind.RELEASE, UseKind.CONSUME, UseKind.WITH, UseKind.REGISTERED)
                        and self._statement_of(u.node) is statement for u in acq.uses
                    ):
                        return True
            child, parent = parent, self.sm.parent(parent)
        return False

    def _in_handler(self, node: ast.AST, scope: Scope) -> bool:
        """Inside a ``finally`` block or an ``except`` handler of the same scope."""
        child = node
        parent = self.sm.parent(child)
        while parent is not None and parent is not scope.node:
            if isinstance(parent, (ast.Try, getattr(ast, "TryStar", ast.Try))) and child in parent.finalbody:
                return True
            if isinstance(parent, ast.ExceptHandler):
                return True
            child, parent = parent, self.sm.parent(parent)
        return False

    def _released_at_once(self, acquire: ast.stmt, release_node: ast.AST) -> bool:
        """The release is the statement right after the acquisition, in the same block."""
        release = self._statement_of(release_node)
        if release is acquire:
            return True
        parent = self.sm.parent(acquire)
        for field_name in ("body", "orelse", "finalbody"):
            block = getattr(parent, field_name, None)
            if isinstance(block, list) and acquire in block:
                index = block.index(acquire)
                return index + 1 < len(block) and block[index + 1] is release
        return False

    # -- structure helpers -----------------------------------------------------------------

    def _statement_of(self, node: ast.AST) -> ast.stmt:
        current = node
        while not isinstance(current, ast.stmt):
            parent = self.sm.parent(current)
            if parent is None:
                break
            current = parent
        return current  # type: ignore[return-value]

    def _loop_of(self, node: ast.AST, scope: Scope) -> ast.AST | None:
        """The innermost loop body or comprehension of ``scope`` that contains ``node``."""
        child = node
        parent = self.sm.parent(child)
        while parent is not None and parent is not scope.node:
            if isinstance(parent, (ast.For, ast.AsyncFor)) and child in parent.body:
                return parent
            if isinstance(parent, ast.While) and child in parent.body:
                return parent
            if isinstance(parent, ComprehensionNode) and child is not parent.generators[0].iter:
                return parent
            child, parent = parent, self.sm.parent(parent)
        return None

    def loop_repeats_calls(self, loop: ast.AST, scope: Scope) -> bool:
        """Whether a loop goes over work items, rather than retrying or polling one request.

        A retry, fallback or polling loop re-sends one request until it succeeds: it
        sleeps between attempts; or its condition, target or iterable names retries or
        attempts; or it catches the failure and goes round again, being a ``while`` or
        ``range()`` loop, or one that returns or breaks on success (``for mirror in
        mirrors: try: return get(mirror) except ...``). A client per attempt there costs
        nothing on the normal path, so the per-request rules leave such loops alone.
        """
        if isinstance(loop, ComprehensionNode):
            return True
        header = [getattr(loop, "test", None), getattr(loop, "target", None), getattr(loop, "iter", None)]
        for part in header:
            if part is not None and _RETRY_WORDS.search(ast.unparse(part)):
                return False
        catches = exits = False
        for child in self._own_descendants(loop, scope):
            if isinstance(child, ast.Call):
                func = child.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if name in ("sleep", "backoff"):
                    return False
            elif isinstance(child, ast.Try) and child.handlers:
                catches = True
            elif isinstance(child, ast.Return) or (
                isinstance(child, ast.Break) and self._loop_owning_break(child) is loop
            ):
                exits = True
        if catches:
            counted = isinstance(loop, ast.While) or (
                isinstance(loop.iter, ast.Call)  # type: ignore[attr-defined]
                and getattr(loop.iter.func, "id", "") in ("range", "count")  # type: ignore[attr-defined]
            )
            if counted or exits:
                return False
        return True

    def _own_descendants(self, node: ast.AST, scope: Scope):
        return own_nodes(list(ast.iter_child_nodes(node)))

    # -- async checks ---------------------------------------------------------------------

    def _check_awaited_close(self, call: ast.Call, owner: lib.OwnerType, receiver: ast.AST) -> None:
        if isinstance(self.sm.parent(call), ast.Expr):
            self.result.unawaited_closes.append(
                UnawaitedClose(call, ast.unparse(receiver), call.func.attr, owner.name)  # type: ignore[attr-defined]
            )

    def _awaited_directly(self, call: ast.Call) -> bool:
        """``await call`` or ``await asyncio.wait_for(call, ...)``."""
        parent = self.sm.parent(call)
        if isinstance(parent, ast.Call) and parent.args and parent.args[0] is call and \
                self._qualified(parent.func) in ("asyncio.wait_for", "asyncio.shield"):
            parent = self.sm.parent(parent)
        return isinstance(parent, ast.Await)

    def _check_no_context(self, call: ast.Call, owner: lib.OwnerType, what: str) -> None:
        """``call`` returns an object with no context-manager protocol at all."""
        parent = self.sm.parent(call)
        if isinstance(parent, ast.Await):
            call_node, parent = parent, self.sm.parent(parent)
        else:
            call_node = call
        if isinstance(parent, ast.withitem) and parent.context_expr is call_node:
            is_async_with = isinstance(self.sm.parent(parent), ast.AsyncWith)
            self.result.context_mismatches.append(ContextMismatch(call, owner, is_async_with, no_protocol=what))

    def _check_context(self, call: ast.Call, owner: lib.OwnerType, request_context: bool) -> None:
        parent = self.sm.parent(call)
        if not isinstance(parent, ast.withitem) or parent.context_expr is not call:
            return
        is_async_with = isinstance(self.sm.parent(parent), ast.AsyncWith)
        wanted = "async" if request_context else owner.context
        if wanted is None:
            self.result.context_mismatches.append(
                ContextMismatch(call, owner, is_async_with, no_protocol=f"`{owner.name}`")
            )
        elif wanted == "async" and not is_async_with:
            self.result.context_mismatches.append(ContextMismatch(call, owner, False, request_context))
        elif wanted == "sync" and is_async_with:
            self.result.context_mismatches.append(ContextMismatch(call, owner, True))

    # -- entry points -----------------------------------------------------------------------

    def _find_entry_points(self) -> None:
        """Functions that run once per program: ``main``, CLI commands, and what module-level code calls."""
        entries = self.result.entry_points
        functions = {}
        for scope in self.sm.function_scopes():
            node = scope.node
            if isinstance(node, FunctionNode):
                if scope.parent is not None and scope.parent.is_module:
                    functions[node.name] = node
                if node.name in ("main", "_main", "amain", "async_main", "run_main", "cli"):
                    entries.add(node)
                for decorator in node.decorator_list:
                    target = decorator.func if isinstance(decorator, ast.Call) else decorator
                    dotted = ast.unparse(target)
                    if dotted.endswith(("command", "group", "main")) or dotted.startswith(
                        ("click.", "typer.")
                    ):
                        entries.add(node)
        for load_list in self._name_loads.values():
            for load in load_list:
                if load.id in functions and self.sm.scope(load).is_module:
                    entries.add(functions[load.id])
