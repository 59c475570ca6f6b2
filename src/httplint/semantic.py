"""httplint's small semantic model on the standard library's ``ast``.

One pass over a module builds, for every scope (module, class, function, lambda):
which names it imports (and as what qualified name), which names it binds otherwise
(so that a parameter called ``requests`` shadows the import), and which names it
declares ``global`` / ``nonlocal``. It also records every node's parent and scope,
which the lifetime analysis walks.

This is deliberately the pyflakes/ruff shape, not libcst's metadata: libcst's
scope and qualified-name providers cost about 100x an ``ast.parse`` on real code.
"""

from __future__ import annotations

import ast
import warnings
import weakref
from ast import AST
from collections import deque
from dataclasses import dataclass, field
from typing import Iterator

_UNKNOWN = object()
FunctionNode = (ast.FunctionDef, ast.AsyncFunctionDef)
_FUNCTION_OR_LAMBDA = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
_FUNCTION_OR_CLASS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
ScopeNode = (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
LoopNode = (ast.For, ast.AsyncFor, ast.While)
ComprehensionNode = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


@dataclass(eq=False)
class Scope:
    """A module, class, function or lambda scope.

    Attributes:
        node: the ``ast`` node that opens the scope.
        parent: the enclosing scope, ``None`` for the module.
        imports: local name → qualified name, for names bound by ``import`` here.
        bound: names bound here by anything but an import (assignment, parameter, ``def`` …).
        declared_global: names declared ``global`` or ``nonlocal`` here.
        children: scopes nested directly in this one.
    """

    node: ast.AST
    #: the enclosing scope, held weakly: children hold their parent's scope only through the
    #: model, so a finished module is freed by reference counting, not by the cyclic collector
    parent_ref: weakref.ReferenceType[Scope] | None = field(repr=False)
    imports: dict[str, str] = field(default_factory=dict)
    #: every ``Name`` stored in this scope.
    stores: list[ast.Name] = field(default_factory=list)
    #: every ``self.<attr>`` / ``cls.<attr>`` assigned in this scope (the statement holding it).
    attribute_stores: list[ast.Attribute] = field(default_factory=list)
    bound: set[str] = field(default_factory=set)
    declared_global: set[str] = field(default_factory=set)
    children: list[Scope] = field(default_factory=list)

    @property
    def parent(self) -> Scope | None:
        """The enclosing scope, ``None`` for the module."""
        return self.parent_ref() if self.parent_ref is not None else None

    @property
    def is_module(self) -> bool:
        return isinstance(self.node, ast.Module)

    @property
    def is_function(self) -> bool:
        return isinstance(self.node, _FUNCTION_OR_LAMBDA)

    @property
    def is_class(self) -> bool:
        return isinstance(self.node, ast.ClassDef)

    @property
    def is_async(self) -> bool:
        return isinstance(self.node, ast.AsyncFunctionDef)

    def is_within(self, outer: Scope) -> bool:
        """This scope is nested (at any depth) in ``outer``."""
        current = self.parent
        while current is not None:
            if current is outer:
                return True
            current = current.parent
        return False

    def outward(self) -> Iterator[Scope]:
        """This scope and the enclosing ones, innermost first, leaving out class scopes (a
        function does not see its class's names): where a name used here is looked up."""
        current: Scope | None = self
        while current is not None:
            if not current.is_class:
                yield current
            current = current.parent

    def rebinds(self, outer: Scope, name: str) -> bool:
        """A scope from this one (nested in ``outer``) up to ``outer``, ``outer`` excluded, binds
        its own ``name``: a load of ``name`` here does not see ``outer``'s."""
        current: Scope | None = self
        while current is not None and current is not outer:
            if name in current.bound and name not in current.declared_global:
                return True
            current = current.parent
        return False

    def enclosing_class(self) -> ast.ClassDef | None:
        """The class whose method this scope is, if it is one."""
        if isinstance(self.node, FunctionNode) and self.parent is not None and self.parent.is_class:
            return self.parent.node  # type: ignore[return-value]
        return None


class SemanticModel:
    """Scopes, parents and name resolution for one module.

    Args:
        tree: the module as returned by ``ast.parse``.
    """

    def __init__(self, tree: ast.Module, module: str | None = None, is_package: bool = False) -> None:
        self.tree = tree
        #: the module's dotted name, when known (relative imports resolve against it)
        self.module = module
        self.is_package = is_package
        self.parents: dict[ast.AST, ast.AST] = {}
        self.scope_of: dict[ast.AST, Scope] = {}
        self.scopes: dict[ast.AST, Scope] = {}
        self.module_scope = Scope(tree, None)
        self.scopes[tree] = self.module_scope
        #: every call in the module, and every loaded ``Name`` by identifier, collected
        #: by the same single traversal.
        self.calls: list[ast.Call] = []
        self.name_loads: dict[str, list[ast.Name]] = {}
        #: every ``<expression>.<attr> = ...`` target (``self.timeout = 5``, ``session.timeout = 5``)
        self.attribute_assignments: list[ast.Attribute] = []
        #: the functions that have a ``return <value>`` of their own (not a nested function's)
        self.returning: set[ast.AST] = set()
        self._lookups: dict[tuple[str, Scope], str | None] = {}
        self._build(tree, self.module_scope)

    # -- construction ---------------------------------------------------------

    def _build(self, root: ast.AST, scope: Scope) -> None:
        # An explicit stack: real files nest deeper than Python's recursion limit allows.
        stack: list[tuple[ast.AST, Scope]] = [(root, scope)]
        pop, push = stack.pop, stack.append
        parents = self.parents
        scope_of = self.scope_of
        calls = self.calls
        name_loads = self.name_loads
        attribute_assignments = self.attribute_assignments
        fields_of, mixed, outside_of = _CHILD_FIELDS, _MIXED_LISTS, _OUTSIDE_FIELDS
        Name, Call, Attribute, Load, Store, Return = ast.Name, ast.Call, ast.Attribute, ast.Load, ast.Store, ast.Return
        returning = self.returning
        while stack:
            node, current = pop()
            scope_of[node] = current
            kind = node.__class__
            if kind is Name:
                if node.ctx.__class__ is Load:
                    name_loads.setdefault(node.id, []).append(node)
                else:
                    current.stores.append(node)
                    current.bound.add(node.id)
                continue  # a Name's only child is its context
            if kind is Call:
                calls.append(node)
            elif kind is Return:
                if node.value is not None:
                    returning.add(current.node)
            elif kind is Attribute and node.ctx.__class__ is Store:
                attribute_assignments.append(node)
                if node.value.__class__ is Name and node.value.id in ("self", "cls"):
                    current.attribute_stores.append(node)
            inner = current
            outside = None  # the fields of a definition evaluated in the enclosing scope
            if kind in _SCOPE_KINDS and node is not root:
                inner = Scope(node, weakref.ref(current))
                current.children.append(inner)
                self.scopes[node] = inner
                self._bind_definition(node, current, inner)
                outside = outside_of.get(kind)
            elif kind in _BINDING_KINDS:
                self._bind(node, current)
            fields = fields_of.get(kind)
            if fields is None:
                fields = fields_of[kind] = _child_fields(kind)
            for name in fields:  # ast.iter_child_nodes, inlined: this loop is the hot path
                value = getattr(node, name, None)
                if value.__class__ is list:
                    if not value:
                        continue
                    children = [item for item in value if isinstance(item, AST)] if name in mixed else value
                elif isinstance(value, AST):
                    children = (value,)
                else:
                    continue
                # decorators, bases and return annotations are evaluated in the enclosing scope
                child_scope = current if outside is not None and name in outside else inner
                for child in children:
                    parents[child] = node
                    push((child, child_scope))

    @staticmethod
    def _bind_definition(node: ast.AST, outer: Scope, inner: Scope) -> None:
        if isinstance(node, _FUNCTION_OR_CLASS):
            outer.bound.add(node.name)
        if isinstance(node, _FUNCTION_OR_LAMBDA):
            args = node.args
            for arg in (*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg):
                if arg is not None:
                    inner.bound.add(arg.arg)

    def _bind(self, node: ast.AST, scope: Scope) -> None:
        if isinstance(node, ast.Import):
            scope.imports.update(import_bindings(node))
        elif isinstance(node, ast.ImportFrom):
            module = node.module
            if node.level:
                base = relative_base(self.module, self.is_package, node.level)
                if base is None:
                    for alias in node.names:
                        scope.bound.add(alias.asname or alias.name)
                    return
                module = f"{base}.{module}" if module else base
            if module is None:
                return
            scope.imports.update(import_bindings(node, module))
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            scope.declared_global.update(node.names)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            scope.bound.add(node.name)
        elif isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
            scope.bound.add(node.name)
        elif isinstance(node, ast.MatchMapping) and node.rest:
            scope.bound.add(node.rest)

    # -- queries ----------------------------------------------------------------

    def parent(self, node: ast.AST) -> ast.AST | None:
        return self.parents.get(node)

    def statement_of(self, node: ast.AST) -> ast.stmt:
        """The innermost statement that holds ``node`` (``node`` itself if it is one)."""
        current = node
        while not isinstance(current, ast.stmt):
            parent = self.parents.get(current)
            if parent is None:
                break
            current = parent
        return current  # type: ignore[return-value]

    def scope(self, node: ast.AST) -> Scope:
        """The scope a node is evaluated in."""
        return self.scope_of.get(node, self.module_scope)

    def function_scopes(self) -> Iterator[Scope]:
        """The module scope and every function scope, outermost first (lambdas excluded)."""
        yield self.module_scope
        stack = list(reversed(self.module_scope.children))
        while stack:
            scope = stack.pop()
            if isinstance(scope.node, FunctionNode):
                yield scope
            stack.extend(reversed(scope.children))

    def lookup_import(self, name: str, scope: Scope) -> str | None:
        """The qualified name an imported ``name`` refers to from ``scope``, or ``None``.

        A name bound in a function by anything other than an import shadows the
        module's import. At module level an import wins over other bindings, which
        keeps the ``try: import requests / except ImportError: requests = None``
        fallback resolved. Answers are kept per model (asked again and again by every layer).
        """
        key = (name, scope)
        cached = self._lookups.get(key, _UNKNOWN)
        if cached is not _UNKNOWN:
            return cached
        found = self._lookups[key] = self._lookup_import(name, scope)
        return found

    def _lookup_import(self, name: str, scope: Scope) -> str | None:
        current: Scope | None = scope
        while current is not None:
            if current.is_class and current is not scope:
                current = current.parent  # class scopes are invisible to nested functions
                continue
            if name in current.declared_global and not current.is_module:
                current = self.module_scope
                continue
            if name in current.imports:
                if current.is_module or name not in current.bound:
                    return current.imports[name]
                return None
            if name in current.bound:
                return None
            current = current.parent
        return None

    def qualified_name(self, node: ast.AST, scope: Scope | None = None) -> str | None:
        """The qualified name of a ``Name`` or dotted ``Attribute`` chain rooted in an import.

        ``r.Session`` after ``import requests as r`` gives ``"requests.Session"``;
        ``C`` after ``from httpx import AsyncClient as C`` gives ``"httpx.AsyncClient"``.
        Anything not rooted in an import gives ``None``.
        """
        root = node
        while root.__class__ is ast.Attribute:
            root = root.value  # type: ignore[attr-defined]
        if root.__class__ is not ast.Name:
            return None
        base = self.lookup_import(root.id, scope if scope is not None else self.scope(root))  # type: ignore[attr-defined]
        if base is None:
            return None  # (most names: the chain is spelled out only for an import)
        parts: list[str] = []
        while node is not root:
            parts.append(node.attr)  # type: ignore[attr-defined]
            node = node.value  # type: ignore[attr-defined]
        return ".".join([base, *reversed(parts)])

    def is_builtin(self, node: ast.AST) -> bool:
        """Whether ``node`` is a ``Name`` that refers to a builtin (not rebound anywhere in reach)."""
        if not isinstance(node, ast.Name):
            return False
        current: Scope | None = self.scope(node)
        while current is not None:
            if node.id in current.bound or node.id in current.imports:
                return False
            current = current.parent
        return True


_SCOPE_KINDS = frozenset(ScopeNode)
#: Nodes that bind a name besides a ``Name`` store (handled inline) and a definition.
_BINDING_KINDS = frozenset(
    {ast.Import, ast.ImportFrom, ast.Global, ast.Nonlocal, ast.ExceptHandler, ast.MatchAs, ast.MatchStar,
     ast.MatchMapping}
)
#: Fields that never hold a node worth visiting: expression contexts and operators (leaf
#: singletons), and scalars.
_LEAF_FIELDS = frozenset({"ctx", "op", "ops", "type_comment", "kind", "is_async", "level", "conversion", "id",
                          "attr", "arg", "asname", "module", "name"})
_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}
#: the fields of a definition that are evaluated in the scope enclosing it (its decorators, a
#: function's return annotation, a class's bases and keywords); defaults and argument annotations
#: are taken as the function's own
_OUTSIDE_FIELDS: dict[type, frozenset[str]] = {
    ast.FunctionDef: frozenset({"decorator_list", "returns"}),
    ast.AsyncFunctionDef: frozenset({"decorator_list", "returns"}),
    ast.ClassDef: frozenset({"decorator_list", "bases", "keywords"}),
}
#: what :func:`own_nodes` does not enter
_NESTED_KINDS = frozenset({ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef})
#: List fields that may hold something besides nodes: ``Dict.keys`` and ``arguments.kw_defaults``
#: (``None``), ``Global.names`` / ``Nonlocal.names`` and ``MatchClass.kwd_attrs`` (strings).
_MIXED_LISTS = frozenset({"keys", "kw_defaults", "names", "kwd_attrs"})


def _child_fields(kind: type) -> tuple[str, ...]:
    """The fields of a node class that can hold child nodes (``Constant.value`` never does)."""
    if kind is ast.Constant:
        return ()
    return tuple(name for name in kind._fields if name not in _LEAF_FIELDS)


def relative_base(module: str | None, is_package: bool, level: int) -> str | None:
    """The package a relative import of ``level`` dots in ``module`` starts from (``from .. import
    x`` in ``a.b.c`` gives ``a``); ``None`` when it would climb above the top package or the
    module's name is unknown."""
    if not module:
        return None
    parts = module.split(".")
    if not is_package:
        parts = parts[:-1]
    if level - 1 > len(parts) - 1 or (level - 1 and not parts):
        return None
    parts = parts[: len(parts) - (level - 1)]
    return ".".join(parts) or None


def import_bindings(node: ast.Import | ast.ImportFrom, module: str | None = None) -> Iterator[tuple[str, str]]:
    """``(local name, qualified name)`` for each name an import binds: ``import a.b`` binds
    ``a``; ``import a.b as c`` binds ``c`` to ``a.b``; ``from m import x as y`` binds ``y`` to
    ``m.x``, with ``module`` standing for ``m`` when given (a resolved relative import). A star
    import binds nothing that can be named here."""
    if isinstance(node, ast.Import):
        for alias in node.names:
            if alias.asname:
                yield alias.asname, alias.name
            else:
                top = alias.name.split(".", 1)[0]
                yield top, top
        return
    base = module if module is not None else node.module
    for alias in node.names:
        if alias.name != "*":
            yield alias.asname or alias.name, f"{base}.{alias.name}"


def parse(source: bytes | str, filename: str = "<unknown>") -> ast.Module:
    """``ast.parse`` without the parser's warnings (``SyntaxWarning: invalid escape sequence``
    …): they are about the linted code, printed on httplint's stderr they would only be noise.

    Raises:
        SyntaxError, ValueError, RecursionError, MemoryError: as ``ast.parse``.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ast.parse(source, filename=filename)


def own_nodes(body: list[ast.AST]) -> Iterator[ast.AST]:
    """The nodes of ``body`` and below, without entering nested functions, lambdas or classes
    (nor yielding them), in the order ``ast.iter_child_nodes`` pushed onto a stack gives; the
    leaves that carry no node of their own (expression contexts, operators) are left out."""
    return _traverse(body, _NESTED_KINDS, breadth_first=False)


def walk(node: ast.AST) -> Iterator[ast.AST]:
    """``ast.walk``: ``node`` and every node below it, breadth first in the same order, without
    the leaves that carry no node of their own (expression contexts, operators: every caller
    reads those as attributes, ``node.ctx``), and about three times quicker."""
    return _traverse((node,), frozenset(), breadth_first=True)


def _traverse(start, skip: frozenset[type], breadth_first: bool) -> Iterator[ast.AST]:
    """The nodes from ``start`` down, children from :data:`_CHILD_FIELDS` (``ast.iter_child_nodes``
    inlined, without the generator per node); a node of a class in ``skip`` is neither yielded
    nor entered."""
    pending = deque(start)
    take = pending.popleft if breadth_first else pending.pop
    push, extend = pending.append, pending.extend
    fields_of, mixed = _CHILD_FIELDS, _MIXED_LISTS
    while pending:
        node = take()
        kind = node.__class__
        if kind in skip:
            continue
        yield node
        fields = fields_of.get(kind)
        if fields is None:
            fields = fields_of[kind] = _child_fields(kind)
        for name in fields:
            value = getattr(node, name, None)
            if value.__class__ is list:
                extend([item for item in value if isinstance(item, AST)] if name in mixed else value)
            elif isinstance(value, AST):
                push(value)


def unparse(node: ast.AST) -> str:
    """``ast.unparse(node)``; a dotted name (``pytest.mark.parametrize``, the callee of most
    calls) is joined directly, about nine times quicker."""
    parts = []
    root = node
    while root.__class__ is ast.Attribute:
        parts.append(root.attr)  # type: ignore[attr-defined]
        root = root.value  # type: ignore[attr-defined]
    if root.__class__ is not ast.Name:
        return ast.unparse(node)
    parts.append(root.id)  # type: ignore[attr-defined]
    return ".".join(reversed(parts))


def parameters(function: ast.AST) -> set[str]:
    args = function.args  # type: ignore[attr-defined]
    return {a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg) if a}
