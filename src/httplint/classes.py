"""What a module's classes hold and close: class ownership and wrapper owners.

A class that builds a client (in ``__init__``, lazily, through its own producer method, or only
when none is given), keeps it on ``self`` and never hands it out *holds* it. If no method closes
it, that is a :class:`ClassLeak` (HTL106). If a method other than ``__del__`` closes it, the class
is a *wrapper owner*: its instances are owners in their own right (an :class:`~httplint.libraries.
OwnerType` of kind ``wrapper``), which their users must close.

It reads types through the typing layer handed to it (:class:`httplint.owners.OwnerTyping`, which
creates it; this module does not import it) and function summaries (:mod:`httplint.summaries`).
"""

from __future__ import annotations

import ast
import weakref
from dataclasses import dataclass, field

from . import libraries as lib
from .semantic import FunctionNode, Scope, SemanticModel, own_nodes, parameters, walk
from .summaries import Effect


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


#: Methods that release a class's resources (http-semantics.md §9, item 7).
CLOSER_METHODS = ("close", "aclose", "__exit__", "__aexit__", "__del__", "shutdown")


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


OUTSIDE_CLOSERS = frozenset({"close", "aclose", "clear", "shutdown"})


def _lazy_getter(method: ast.AST, attribute: str) -> bool:
    """``method`` gets or creates ``self.<attribute>``: it tests it (``if self._s is None``,
    ``if not self._s``, or a flag set from such a test) and assigns it, then returns it."""
    tests = assigns = False
    for node in walk(method):
        if isinstance(node, (ast.If, ast.IfExp, ast.While)) or isinstance(node, ast.Compare):
            test = node.test if not isinstance(node, ast.Compare) else node
            tests = tests or any(isinstance(n, ast.Attribute) and n.attr == attribute and isinstance(n.value, ast.Name)
                                 and n.value.id == "self" for n in walk(test))
        elif isinstance(node, ast.Assign) and not (isinstance(node.value, ast.Constant) and node.value.value is None):
            assigns = assigns or any(isinstance(t, ast.Attribute) and t.attr == attribute for t in node.targets)
    return tests and assigns


def _may_hold_client(cls: ast.ClassDef) -> bool:
    """A class with a method (a cheap first test before :meth:`_Analyzer.wrapper_types`)."""
    return any(isinstance(n, FunctionNode) for n in cls.body)


def given_or_fresh(node: ast.AST, parent: ast.AST | None) -> ast.expr | None:
    """The ``given or Fresh()`` / ``Fresh() if given is None else given`` expression of which
    ``node`` (a construction) is the fresh branch, or ``None``."""
    if isinstance(parent, ast.BoolOp) and isinstance(parent.op, ast.Or) and parent.values[-1] is node:
        return parent
    if isinstance(parent, ast.IfExp) and node in (parent.body, parent.orelse) and parent.test is not node:
        return parent
    return None


def passes(call: ast.Call, name: str, position: int) -> bool:
    """``call`` passes a value other than ``None`` for the parameter ``name`` (at ``position``)."""
    if any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords):
        return True
    values = [k.value for k in call.keywords if k.arg == name]
    if 0 <= position < len(call.args):
        values.append(call.args[position])
    return any(not (isinstance(v, ast.Constant) and v.value is None) for v in values)


def _given_parameter(value: ast.AST, method: ast.AST) -> tuple[str, int] | None:
    """The parameter of ``method`` that ``value`` takes when given (``session or Session()``,
    ``Session() if session is None else session``): its name and its position among the
    positional parameters after ``self`` (-1 for keyword-only), or ``None``."""
    names = [n.id for n in walk(value) if isinstance(n, ast.Name)]
    args = method.args  # type: ignore[attr-defined]
    positional = [a.arg for a in (*args.posonlyargs, *args.args)][1:]
    for name in names:
        if name in positional:
            return name, positional.index(name)
        if any(a.arg == name for a in args.kwonlyargs):
            return name, -1
    return None


@dataclass
class _MethodFacts:
    """One walk of a method: see :meth:`ClassOwnership._facts`."""

    called: dict[str, set[str]] = field(default_factory=dict)
    entered: set[str] = field(default_factory=set)
    self_calls: set[str] = field(default_factory=set)
    loads: dict[str, list[ast.Attribute]] = field(default_factory=dict)


class ClassOwnership:
    """Clients the classes of one module hold, their leaks and the wrapper owners they make.

    Args:
        typing: the module's typing layer (an :class:`httplint.owners.OwnerTyping`).
    """

    def __init__(self, typing) -> None:
        # held weakly: the typing layer holds this object, and the cycle would keep every
        # finished module's tree for the cyclic collector to free
        self.typing = weakref.proxy(typing)
        self.sm: SemanticModel = typing.sm
        self._wrappers: dict[str, lib.OwnerType] | None = None
        self._method_facts: dict[int, _MethodFacts] = {}
        #: module-level classes that keep a client they built (found while typing wrappers)
        self.holding: dict[int, ast.ClassDef] = {}

    def _dropped_unclosed(self, cls: ast.ClassDef, attribute: str, owner: lib.OwnerType) -> tuple[ast.AST, str] | None:
        """``(statement, method)`` for a ``self.<attribute> = None`` in a method of ``cls`` (not
        ``__init__``) with no close of ``self.<attribute>`` before it in that method: the
        client it held is dropped open."""
        for method in cls.body:
            if not isinstance(method, FunctionNode) or method.name == "__init__":
                continue
            closes = [n.lineno for n in walk(method) if isinstance(n, ast.Call)
                      and isinstance(n.func, ast.Attribute) and n.func.attr in (*owner.close_methods, "__aexit__", "__exit__")
                      and isinstance(n.func.value, ast.Attribute) and n.func.value.attr == attribute]
            for node in walk(method):
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
        for node in walk(method):  # type: ignore[arg-type]
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
            for target, statement in self.typing.self_assignments(scope):
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
                      and value.id in parameters(method) and value.id not in ("self", "cls")):
                    # `if session is not None: self.s = session / else: self.s = Session()`
                    handed.setdefault(target.attr, []).append(_given_parameter(value, method))
                else:
                    other.add(target.attr)  # handed in: the caller owns it
        for attribute, handed_from in handed.items():
            if attribute not in created:
                other.add(attribute)  # only ever handed in
            elif given.get(attribute) is None and len(handed_from) == 1:
                given[attribute] = handed_from[0]
        held = {}
        for attribute, calls in created.items():
            if attribute in other or self._attribute_escapes(cls, attribute, methods):
                continue
            owner = self._produced_type(calls[0], self.sm.scope(calls[0]))
            if owner is None or any(self._produced_type(c, self.sm.scope(c)) is not owner for c in calls):
                continue
            held[attribute] = (owner, calls, given.get(attribute))
        return held

    def class_leaks(self, cls: ast.ClassDef) -> list[ClassLeak]:
        """The clients ``cls`` builds, keeps on ``self`` and never closes (or closes and builds
        again, or drops open)."""
        leaks: list[ClassLeak] = []
        if cls.name.endswith("Mixin"):
            return leaks  # another class of the final MRO may close it
        methods = self.methods_with_bases(cls)
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
                leaks.append(ClassLeak(reopened[0], cls, attribute, owner, "reopened", tuple(where)))
                continue
            if not visible:
                continue
            if not owner.inline_leaks and not any(self._facts(m).loads.get(attribute) for m in methods.values()):
                continue  # a requests session or urllib3 pool never used opens no socket (dead code)
            dropped = self._dropped_unclosed(cls, attribute, owner)
            if closing and dropped is not None:
                # `self._client = None` without closing it first, in a method other than a close
                leaks.append(ClassLeak(dropped[0], cls, attribute, owner, "dropped", (dropped[1],)))
                continue
            if closing == ["__del__"] and owner.async_close:
                reason = "del-async"
            elif closing:
                continue
            else:
                reason = "not-closed" if closers else "no-close"
            leaks.append(
                ClassLeak(min(calls, key=lambda c: (c.lineno, c.col_offset)), cls, attribute, owner, reason,
                          tuple(sorted(closers)))
            )
        return leaks

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
        methods = self.methods_with_bases(cls)
        if methods is None:
            return None
        held = self._held_clients(cls, methods)
        if not held:
            return None
        self.holding[id(cls)] = cls
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
            owner = self.typing.type_of(built, scope) if built is not None else None
            return built if owner is not None and value.attr in owner.request_methods else None
        if isinstance(value, ast.Name) and isinstance(scope.node, FunctionNode):
            bound = [self.typing.bound_value(s) for s in scope.stores if s.id == value.id]
            calls = [c for c in bound if c is not None and self.typing.type_of(c, scope) is not None]
            if len(calls) > 1 and len(calls) == len(bound) and len({self.typing.type_of(c, scope) for c in calls}) == 1:
                # one construction per branch (`if secure: pool = PoolManager(...) else: pool = PoolManager()`)
                value = max((c for c in calls if c.lineno <= value.lineno), key=lambda c: c.lineno, default=calls[0])
            elif len(calls) != 1 or len(bound) > 1 + (value.id in parameters(scope.node)):
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
        owner = self.typing.type_of(call, scope)
        if owner is None and self.typing.producer_method(call, scope) is not None:
            owner = self.typing.fresh_owner_returned(self.typing.producer_method(call, scope), maybe_given=True)
        if owner is not None and owner.adopts is not None and passes(call, *owner.adopts):
            return None  # a wrapper handed the caller's client owns nothing
        return owner

    def methods_with_bases(self, cls: ast.ClassDef) -> dict[str, ast.AST] | None:
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
            elif qualified is not None and self.typing.project is not None:
                found = self.typing.project.class_def(qualified)  # a base in another module of the package
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
            loads = self._facts(method).loads.get(attribute, ())
            lazy = bool(loads) and _lazy_getter(method, attribute)
            for node in loads:
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
            if (isinstance(func, ast.Attribute) and func.attr in OUTSIDE_CLOSERS
                    and isinstance(func.value, ast.Attribute) and func.value.attr in names
                    and not (isinstance(func.value.value, ast.Name) and func.value.value.id == "self")):
                return True
        return self.typing.project is not None and any(self.typing.project.closes_attribute(name) for name in names)

    def _lent(self, node: ast.AST, parent: ast.AST) -> bool:
        call = self.sm.parent(parent) if isinstance(parent, ast.keyword) else parent
        return isinstance(call, ast.Call) and self.typing.summaries.effect(call, node) is Effect.BORROW

    def _closes(self, method: ast.AST, attribute: str, owner: lib.OwnerType, methods, seen: set) -> bool:
        """``method`` closes ``self.<attribute>``, itself or through another method of the class."""
        if id(method) in seen:
            return False
        seen.add(id(method))
        facts = self._facts(method)
        if attribute in facts.entered:
            return True
        if facts.called.get(attribute, set()) & {*owner.close_methods, "__exit__", "__aexit__"}:
            return True
        return any(self._closes(methods[name], attribute, owner, methods, seen)
                   for name in facts.self_calls if name in methods)

    def _facts(self, method: ast.AST) -> _MethodFacts:
        """What one walk of ``method`` says about ``self``: methods called on each attribute,
        attributes entered with ``with``, its own methods it calls, loads of each attribute."""
        facts = self._method_facts.get(id(method))
        if facts is None:
            facts = self._method_facts[id(method)] = _MethodFacts()
            for node in walk(method):
                if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "self":
                    if isinstance(node.ctx, ast.Load):
                        facts.loads.setdefault(node.attr, []).append(node)
                elif isinstance(node, ast.withitem):
                    expr = node.context_expr
                    if (isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name)
                            and expr.value.id == "self"):
                        facts.entered.add(expr.attr)
                elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                    receiver = node.func.value
                    if (isinstance(receiver, ast.Attribute) and isinstance(receiver.value, ast.Name)
                            and receiver.value.id == "self"):
                        facts.called.setdefault(receiver.attr, set()).add(node.func.attr)
                    elif isinstance(receiver, ast.Name) and receiver.id == "self":
                        facts.self_calls.add(node.func.attr)
        return facts
