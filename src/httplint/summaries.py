"""Per-function summaries: what a function does to the client handed to each parameter.

A caller that builds a client and passes it to ``get_json(client, url)`` still owns it when
``get_json`` only *borrows* it (sends through it, reads its attributes, passes it on to other
borrowers, or captures it in a closure that does). The lifetime analysis asks these summaries
before it counts a call argument as an *escape*.

For each parameter of a function the summary holds one :class:`Effect`:

``borrow``
    every use of the parameter is an attribute access or method call on it (other than a
    close), a look that keeps nothing (``isinstance``, ``print``, a comparison, a test), or an
    argument of another function whose summary borrows it.
``release``
    it closes it (``param.close()``, ``await param.aclose()``, ``with param:``), or hands it to
    a function whose summary releases it, and nothing lets it escape.
``escape``
    anything else: returned, yielded, stored (on ``self``, a global, a container), aliased,
    passed to a callable without a summary: a *transfer*, somebody else may close it.

Summaries are computed on demand, once per function, from the :mod:`httplint.semantic`
model; functions of other modules of the project come from ``resolve`` (the project index,
:meth:`httplint.project.ProjectIndex.summary`). Recursion is cut conservatively: a function
met again while its own summary is being computed counts as ``escape``.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from enum import Enum
from typing import Callable

from . import libraries as lib
from .semantic import FunctionNode, Scope, SemanticModel


class Effect(Enum):
    BORROW = "borrow"
    RELEASE = "release"
    ESCAPE = "escape"


#: Every method that closes an owner of any library (``close``, ``aclose``, ``clear`` …).
CLOSE_METHODS: frozenset[str] = frozenset(
    {m for owner in lib.CONSTRUCTORS.values() for m in owner.close_methods} | {"__exit__", "__aexit__"}
)


#: Every method that sends a request (its result is a response, not the client).
REQUEST_METHODS: frozenset[str] = frozenset(
    {m for owner in lib.CONSTRUCTORS.values() for m in owner.request_methods}
)


@dataclass(frozen=True)
class FunctionSummary:
    """What a function does to each parameter.

    Attributes:
        positional: the names of the parameters that take positional arguments, in order.
        keyword: every parameter name a keyword argument can bind.
        effects: parameter name → its :class:`Effect`.
    """

    positional: tuple[str, ...]
    keyword: frozenset[str]
    effects: dict[str, Effect]

    def effect(self, call: ast.Call, argument: ast.AST, bound_first: bool) -> Effect:
        """The effect on ``argument`` (a positional argument or a keyword's value) of ``call``.

        ``bound_first``: the first positional parameter is bound already (``self`` of a method
        called through an instance, ``cls``)."""
        positional = self.positional[1:] if bound_first else self.positional
        for index, arg in enumerate(call.args):
            if isinstance(arg, ast.Starred):
                return Effect.ESCAPE
            if arg is argument:
                return self.effects.get(positional[index], Effect.ESCAPE) if index < len(positional) else Effect.ESCAPE
        for keyword in call.keywords:
            if keyword.value is argument:
                if keyword.arg is None or keyword.arg not in self.keyword:
                    return Effect.ESCAPE
                return self.effects.get(keyword.arg, Effect.ESCAPE)
        return Effect.ESCAPE


#: qualified name → ``(summary, bound_first)`` of a function of another module, or ``None``
Resolve = Callable[[str], "tuple[FunctionSummary, bool] | None"]


class Summaries:
    """The summaries of one module's functions, computed on demand.

    Args:
        semantic: the module's model.
        resolve: qualified name → summary of a function of another module of the project
            (``None`` when unknown).
    """

    def __init__(self, semantic: SemanticModel, resolve: Resolve | None = None) -> None:
        self.sm = semantic
        self.resolve = resolve
        self._cache: dict[ast.AST, FunctionSummary | None] = {}
        self._functions: dict[str, ast.AST] | None = None
        self._classes: dict[str, ast.ClassDef] | None = None

    # -- what a call is ------------------------------------------------------------

    def callee(self, call: ast.Call) -> tuple[FunctionSummary, bool] | None:
        """The summary of the function ``call`` calls, and whether its first parameter is
        bound already; ``None`` when the callee is not a function of the project."""
        func = call.func
        scope = self.sm.scope(call)
        if isinstance(func, ast.Name) and not self._shadowed(scope, func.id):
            found = self.local(func.id)
            if found is not None:
                return found
        if (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)
                and func.value.id in ("self", "cls")):
            cls = scope.enclosing_class() if scope.is_function else None
            method = _method(cls, func.attr) if cls is not None else None
            if method is not None:
                return self._summary_or_none(method, not _is_static(method))
            return None
        qualified = lib.canonical(self.sm.qualified_name(func, scope))
        if qualified is not None and self.resolve is not None:
            return self.resolve(qualified)
        return None

    def local(self, name: str) -> tuple[FunctionSummary, bool] | None:
        """``(summary, bound_first)`` of the module-level function ``name``, or of the
        ``__init__`` of the module-level class ``name`` (its ``self`` bound); ``None`` when
        ``name`` is neither (or is bound more than once)."""
        function = self._module_functions().get(name)
        if function is not None:
            return self._summary_or_none(function, False)
        cls = self._module_classes().get(name)
        if cls is not None:
            init = _method(cls, "__init__")
            return self._summary_or_none(init, True) if init is not None else None
        return None

    def effect(self, call: ast.Call, argument: ast.AST) -> Effect:
        """What ``call`` does to the object passed as ``argument``."""
        found = self.callee(call)
        if found is None:
            return Effect.ESCAPE
        summary, bound_first = found
        return summary.effect(call, argument, bound_first)

    def _summary_or_none(self, function: ast.AST, bound_first: bool) -> tuple[FunctionSummary, bool] | None:
        summary = self.of(function)
        return (summary, bound_first) if summary is not None else None

    @staticmethod
    def _shadowed(scope: Scope, name: str) -> bool:
        """A function scope between ``scope`` and the module binds ``name``."""
        return any(name in current.bound for current in scope.outward() if not current.is_module)

    def _module_functions(self) -> dict[str, ast.AST]:
        if self._functions is None:
            counts: dict[str, int] = {}
            for store in self.sm.module_scope.stores:
                counts[store.id] = counts.get(store.id, 0) + 1
            self._functions = {}
            for node in self.sm.tree.body:
                if isinstance(node, FunctionNode) and not node.decorator_list:
                    self._functions[node.name] = node
            # a name bound twice at module level (redefined, reassigned) is not followed
            for name in list(self._functions):
                if counts.get(name, 0) or sum(
                    1 for n in self.sm.tree.body if getattr(n, "name", None) == name
                ) > 1:
                    del self._functions[name]
        return self._functions

    def _module_classes(self) -> dict[str, ast.ClassDef]:
        if self._classes is None:
            self._classes = {
                node.name: node for node in self.sm.tree.body
                if isinstance(node, ast.ClassDef) and not node.bases and not node.keywords and not node.decorator_list
            }
        return self._classes

    # -- summarising -----------------------------------------------------------------

    def of(self, function: ast.AST) -> FunctionSummary | None:
        """The summary of a ``def`` of this module (``None`` while it is being computed)."""
        if function in self._cache:
            return self._cache[function]
        self._cache[function] = None  # recursion: an argument passed back in escapes
        scope = self.sm.scopes.get(function)
        if scope is None or not isinstance(function, FunctionNode):
            return None
        args = function.args
        positional = tuple(a.arg for a in (*args.posonlyargs, *args.args))
        keyword = frozenset(a.arg for a in (*args.args, *args.kwonlyargs))
        effects = {name: self._parameter_effect(name, scope) for name in (*positional, *keyword)}
        summary = FunctionSummary(positional, keyword, effects)
        self._cache[function] = summary
        return summary

    def _parameter_effect(self, name: str, scope: Scope) -> Effect:
        result = Effect.BORROW
        for load in self.sm.name_loads.get(name, ()):
            load_scope = self.sm.scope(load)
            if load_scope is not scope and not (load_scope.is_within(scope) and not load_scope.rebinds(scope, name)):
                continue
            effect = self._use(load)
            if effect is Effect.ESCAPE:
                return Effect.ESCAPE
            if effect is Effect.RELEASE:
                result = Effect.RELEASE
        for store in scope.stores:
            if store.id == name and not _given_or_fresh_store(store, self.sm):
                return Effect.ESCAPE  # rebound: later loads may be something else
        return result

    def _use(self, load: ast.Name) -> Effect:
        parent = self.sm.parent(load)
        if isinstance(parent, ast.Attribute) and parent.value is load:
            grand = self.sm.parent(parent)
            if isinstance(grand, ast.Call) and grand.func is parent:
                if parent.attr in CLOSE_METHODS:
                    return Effect.RELEASE
                holder = self.sm.parent(grand)
                if isinstance(holder, ast.Await):
                    holder = self.sm.parent(holder)
                if isinstance(holder, (ast.Return, ast.Yield)) and parent.attr not in REQUEST_METHODS:
                    return Effect.ESCAPE  # `return client.with_options(...)` may hand back the client itself
                return Effect.BORROW
            if parent.attr in CLOSE_METHODS:
                return Effect.ESCAPE  # `stack.callback(client.close)`: somebody closes it later
            return Effect.BORROW
        if isinstance(parent, ast.withitem) and parent.context_expr is load:
            return Effect.RELEASE
        if isinstance(parent, (ast.Compare, ast.FormattedValue, ast.Assert)):
            return Effect.BORROW
        if isinstance(parent, ast.Expr):
            return Effect.BORROW
        if isinstance(parent, ast.UnaryOp) and isinstance(parent.op, ast.Not):
            return Effect.BORROW
        if isinstance(parent, (ast.If, ast.While, ast.IfExp)) and parent.test is load:
            return Effect.BORROW
        if isinstance(parent, ast.BoolOp):
            holder = self.sm.parent(parent)
            if isinstance(holder, (ast.If, ast.While, ast.Assert)) or (
                isinstance(holder, ast.IfExp) and holder.test is parent
            ):
                return Effect.BORROW
            if isinstance(holder, ast.Assign) and _given_or_fresh_assign(holder, load):
                return Effect.BORROW  # `client = client or Client()`: the loads below decide
            return Effect.ESCAPE
        if isinstance(parent, (ast.Call, ast.keyword)):
            call = self.sm.parent(parent) if isinstance(parent, ast.keyword) else parent
            if not isinstance(call, ast.Call) or call.func is load:
                return Effect.ESCAPE
            if isinstance(call.func, ast.Name) and call.func.id in lib.NON_RETAINING_CALLS \
                    and self.sm.is_builtin(call.func):
                return Effect.BORROW
            return self.effect(call, load)
        return Effect.ESCAPE


def _method(cls: ast.ClassDef, name: str) -> ast.AST | None:
    found = [n for n in cls.body if isinstance(n, FunctionNode) and n.name == name]
    if len(found) != 1 or any(not _plain_decorator(d) for d in found[0].decorator_list):
        return None
    return found[0]


def _plain_decorator(decorator: ast.AST) -> bool:
    return isinstance(decorator, ast.Name) and decorator.id in ("staticmethod", "classmethod")


def _is_static(method: ast.AST) -> bool:
    return any(isinstance(d, ast.Name) and d.id == "staticmethod" for d in method.decorator_list)  # type: ignore[attr-defined]


def _given_or_fresh_assign(statement: ast.Assign, load: ast.Name) -> bool:
    """``name = name or Fresh()``."""
    return (len(statement.targets) == 1 and isinstance(statement.targets[0], ast.Name)
            and statement.targets[0].id == load.id and isinstance(statement.value, ast.BoolOp)
            and statement.value.values[0] is load)


def _given_or_fresh_store(store: ast.Name, sm: SemanticModel) -> bool:
    """A store that keeps the caller's object or replaces only a missing one
    (``client = client or Client()``, ``if client is None: client = Client()``)."""
    statement = sm.parent(store)
    if isinstance(statement, ast.Assign) and isinstance(statement.value, ast.BoolOp):
        first = statement.value.values[0]
        return isinstance(first, ast.Name) and first.id == store.id
    if isinstance(statement, ast.Assign):
        guard = sm.parent(statement)
        if isinstance(guard, ast.If) and statement in guard.body and isinstance(guard.test, ast.Compare):
            test = guard.test
            return (isinstance(test.left, ast.Name) and test.left.id == store.id
                    and isinstance(test.ops[0], ast.Is) and isinstance(test.comparators[0], ast.Constant)
                    and test.comparators[0].value is None)
    return False
