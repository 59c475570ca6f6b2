"""What owner type an expression has: the typing layer of the lifetime analysis.

For one module, :class:`OwnerTyping` answers "is this expression a client, and of which type?"
from the library tables (:mod:`httplint.libraries`), the project's factories and subclasses
(:class:`~httplint.libraries.Knowledge`), the module's own producers (``self._new_session()``,
a module-level factory or alias) and its wrapper owners (:mod:`httplint.classes`). Only certain
answers are given: a name bound to two types, or to something unknown, has none.

Layers: :mod:`httplint.semantic` (names, scopes) → this module (types) →
:mod:`httplint.classes` (what classes hold and close) → :mod:`httplint.resources` (lifetimes)
and :mod:`httplint.timeouts`; :mod:`httplint.summaries` tells what functions do to arguments.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterator

from . import libraries as lib
from .classes import ClassOwnership, passes
from .semantic import FunctionNode, Scope, SemanticModel, own_nodes, parameters
from .summaries import Summaries


@functools.lru_cache(maxsize=4096)
def _parse_annotation(text: str) -> ast.expr | None:
    """A string annotation's expression, parsed once per distinct text."""
    try:
        return ast.parse(text, mode="eval").body
    except (SyntaxError, ValueError, RecursionError):
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


class OwnerTyping:
    """Owner types of one module's expressions.

    Args:
        semantic: the module's model.
        knowledge: the library tables with the project's factories, subclasses, wrappers and
            its :class:`~httplint.project.ProjectView` (``knowledge.project``).

    Attributes:
        classes: what the module's classes hold and close (:class:`httplint.classes.ClassOwnership`).
        summaries: what the module's (and the package's) functions do to their arguments.
    """

    def __init__(self, semantic: SemanticModel, knowledge: lib.Knowledge) -> None:
        self.sm = semantic
        self.knowledge = knowledge
        self.constructors = knowledge.constructors
        self.project = knowledge.project
        self.summaries = Summaries(semantic, self.project.summary if self.project is not None else None)
        self.classes = ClassOwnership(self)
        self._types: dict[Scope, dict[str, lib.OwnerType | None]] = {}
        self._class_attrs: dict[ast.ClassDef, dict[str, lib.OwnerType | None]] = {}
        self._methods_cache: dict[ast.ClassDef, dict[str, ast.AST] | None] = {}
        self._returned: dict[tuple[ast.AST, bool], lib.OwnerType | None] = {}
        self._module_stores: dict[str, list[ast.Name]] | None = None

    def qualified(self, node: ast.AST, scope: Scope | None = None) -> str | None:
        """The canonical qualified name of ``node`` (vendored copies mapped to their library)."""
        return lib.canonical(self.sm.qualified_name(node, scope))

    def calls_of(self, names: frozenset[str]) -> Iterator[ast.Call]:
        """The module's calls whose callee's qualified name (:meth:`qualified`) is one of
        ``names``: only a call whose callee is rooted in a name some import binds to one of them,
        or to a module above one, is resolved (most calls of a module are not)."""
        roots = set()
        for scope in self.sm.scopes.values():
            for local, target in scope.imports.items():
                spellings = {target, lib.canonical(target) or target}
                if any(name == t or name.startswith(t + ".") for name in names for t in spellings):
                    roots.add(local)
        if not roots:
            return
        for call in self.sm.calls:
            root = call.func
            while isinstance(root, ast.Attribute):
                root = root.value
            if isinstance(root, ast.Name) and root.id in roots and self.qualified(call.func) in names:
                yield call

    def type_of(self, node: ast.AST, scope: Scope) -> lib.OwnerType | None:
        """The owner type of an expression when it is certain, else ``None``."""
        if isinstance(node, ast.Call):
            qualified = self.qualified(node.func, scope)
            if qualified:
                return self.constructors.get(qualified)
            if isinstance(node.func, ast.Name):
                return self.local_factory(node.func, scope)
            return self.method_factory(node, scope)
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
                if isinstance(current.node, FunctionNode) and node.id in parameters(current.node):
                    return None  # `session = session or Session()`: maybe the caller's
                stores = [s for s in current.stores if s.id == node.id]
                if stores:
                    bound = [self.bound_value(s) for s in stores]
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
                for target, statement in self.self_assignments(method):
                    if target.attr != node.attr or not isinstance(statement, ast.Assign):
                        continue
                    value = statement.value.value if isinstance(statement.value, ast.Await) else statement.value
                    if isinstance(value, ast.Call):
                        found.append(value)
            return found[0] if len(found) == 1 else None
        return None

    def bound_value(self, store: ast.Name) -> ast.Call | None:
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

    def method_factory(self, call: ast.Call, scope: Scope) -> lib.OwnerType | None:
        """The owner type a method returns fresh on every call, or ``None``: a method of the
        enclosing class (``self._new_session()``), or of a module-level instance of a class of
        this module or of another module of the package (``manager.create_session()``).
        Memoised getters (decorated, or returning ``self.<attr>``) are not producers."""
        method = self.producer_method(call, scope)
        if method is not None:
            return self.fresh_owner_returned(method)
        func = call.func
        if not isinstance(func, ast.Attribute):
            return None
        if isinstance(func.value, ast.Name) and func.value.id not in ("self", "cls"):
            local = self.instance_method_owner(func.value.id, func.attr, scope)
            if local is not None:
                return local
        qualified = self.qualified(func.value, scope)
        if qualified is not None and self.project is not None and qualified in self.knowledge.producers:
            return self.project.instance_method_owner(qualified, func.attr)
        return None

    def instance_method_owner(self, name: str, method: str, scope: Scope | None = None) -> lib.OwnerType | None:
        """What ``<name>.<method>()`` returns fresh, where ``name`` is bound once, at module level
        of this module, to an instance of one of its classes (``manager = SessionManager()``)."""
        if self._module_stores is None:
            self._module_stores = {}
            for store in self.sm.module_scope.stores:
                self._module_stores.setdefault(store.id, []).append(store)
        stores = self._module_stores.get(name, ())
        if len(stores) != 1:
            return None
        if scope is not None and any(name in s.bound for s in scope.outward() if not s.is_module):
            return None  # a local name shadows it
        statement = self.sm.parent(stores[0])
        value = getattr(statement, "value", None)
        if not (isinstance(statement, ast.Assign) and isinstance(value, ast.Call) and isinstance(value.func, ast.Name)):
            return None
        cls = next((n for n in self.sm.tree.body if isinstance(n, ast.ClassDef) and n.name == value.func.id), None)
        methods = self._class_methods(cls) if cls is not None else None
        function = methods.get(method) if methods is not None else None
        if function is None or function.decorator_list:  # type: ignore[attr-defined]
            return None
        return self.fresh_owner_returned(function)

    def producer_method(self, call: ast.Call, scope: Scope) -> ast.AST | None:
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
            self._methods_cache[cls] = self.classes.methods_with_bases(cls)
        return self._methods_cache[cls]

    def session_helper(self, function: ast.AST) -> lib.SessionHelper | None:
        """A one-shot session helper like ``requests.get``: ``function``'s body (after a
        docstring) is ``with Client(...) as c: return [await] c.<request>(...)`` (or ``async
        with``) and the request sends one of its parameters (``def http_get(url, **kw): with
        Session() as s: return s.get(url, **kw)``). ``None`` for anything else."""
        if not isinstance(function, FunctionNode):
            return None
        body = function.body  # type: ignore[attr-defined]
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            body = body[1:]
        if len(body) != 1 or not isinstance(body[0], (ast.With, ast.AsyncWith)) or len(body[0].items) != 1:
            return None
        item, inner = body[0].items[0], body[0].body
        scope = self.sm.scopes.get(function)
        if (scope is None or not isinstance(item.optional_vars, ast.Name) or len(inner) != 1
                or not isinstance(inner[0], ast.Return) or not isinstance(item.context_expr, ast.Call)):
            return None
        owner = self.constructors.get(self.qualified(item.context_expr.func, scope) or "")
        if owner is None or owner.kind not in ("session", "client", "pool"):
            return None
        call = inner[0].value.value if isinstance(inner[0].value, ast.Await) else inner[0].value
        if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
                and isinstance(call.func.value, ast.Name) and call.func.value.id == item.optional_vars.id
                and call.func.attr in owner.request_methods):
            return None
        given = parameters(function)
        if not any(isinstance(a, ast.Name) and a.id in given for a in (*call.args, *(k.value for k in call.keywords))):
            return None
        return lib.SessionHelper(function.name, f"{owner.name}()", call.func.attr)  # type: ignore[attr-defined]

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
        if scope is None or function not in self.sm.returning:
            return None  # not this module's, or no `return <value>` of its own
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
            elif owner.adopts is not None and passes(self.construction_of(value, scope), *owner.adopts):
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
        given = parameters(function)
        owners = set()
        for store in scope.stores:
            if store.id != name:
                continue
            statement = self.sm.parent(store)
            value = getattr(statement, "value", None)
            if isinstance(value, ast.Name) and value.id in given:
                continue
            call = self.bound_value(store)
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
            outer = self.qualified(annotation.value, scope)
            if outer in ("typing.Optional",):
                return self._annotation_type(annotation.slice, scope)
            return None
        if isinstance(annotation, ast.BinOp) and isinstance(annotation.op, ast.BitOr):
            for side, other in ((annotation.left, annotation.right), (annotation.right, annotation.left)):
                if isinstance(other, ast.Constant) and other.value is None:
                    return self._annotation_type(side, scope)
            return None
        return self.knowledge.annotation(self.qualified(annotation, scope))

    def _string_annotation_name(self, node: ast.AST, scope: Scope) -> str | None:
        """The qualified name a string annotation's expression (parsed apart) names from ``scope``."""
        return lib.canonical(self.sm.qualified_name(node, scope))

    def self_assignments(self, scope: Scope) -> list[tuple[ast.Attribute, ast.Assign | ast.AnnAssign]]:
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
                found.extend(OwnerTyping._attribute_stores_within(child))
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
        # `session = aiohttp.ClientSession()` in the class body: what `self.session` is, unless a
        # method binds it to something else
        for statement in cls.body:
            if isinstance(statement, ast.Assign) and len(statement.targets) == 1 \
                    and isinstance(statement.targets[0], ast.Name):
                name = statement.targets[0].id
                owner = self._value_type(statement.value, class_scope)
                if owner is not None and name not in types and name not in conflicting:
                    types[name] = owner
        result = {k: v for k, v in types.items() if v is not None and k not in conflicting}
        self._class_attrs[cls] = result
        return result

    def possible_types(self, node: ast.AST, scope: Scope) -> set[lib.OwnerType]:
        """The owner types ``self.<attr>`` may hold: those of the class's assignments of it that
        build a known client (a parameter or an unknown value elsewhere adds nothing). For the
        questions where "may be" is enough: ``self.session.close()`` un-awaited when every client
        it may hold has an async close."""
        if not (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "self"):
            return set()
        cls = scope.enclosing_class()
        if cls is None:
            return set()
        found = set()
        for method in self.sm.scopes[cls].children:
            for target, statement in self.self_assignments(method):
                if target.attr == node.attr and statement.value is not None:
                    owner = self._value_type(statement.value, self.sm.scope(statement))
                    if owner is not None:
                        found.add(owner)
                    elif isinstance(statement.value, ast.Name) and getattr(method.node, "name", "") == "__init__":
                        found |= self._given_at_call_sites(cls, method.node, statement.value.id)
        return found

    def _given_at_call_sites(self, cls: ast.ClassDef, init: ast.AST, name: str) -> set[lib.OwnerType]:
        """The client types this module's calls of ``cls(...)`` pass for the ``__init__``
        parameter ``name``, when every such call passes a client of a known type and no other
        module of the package names the class (its call sites there are not seen)."""
        args = init.args  # type: ignore[attr-defined]
        positional = [a.arg for a in (*args.posonlyargs, *args.args)][1:]
        if name not in positional and name not in {a.arg for a in args.kwonlyargs}:
            return set()
        if self.project is not None and self.project.names_elsewhere(cls.name, self.sm.module):
            return set()
        found = set()
        for call in self.sm.calls:
            if not (isinstance(call.func, ast.Name) and call.func.id == cls.name):
                continue
            given = [k.value for k in call.keywords if k.arg == name]
            if name in positional and positional.index(name) < len(call.args):
                given.append(call.args[positional.index(name)])
            owner = self.type_of(given[0], self.sm.scope(call)) if len(given) == 1 else None
            if owner is None:
                return set()  # a call site passes something else, or nothing: unsure
            found.add(owner)
        return found

    def local_factory(self, func: ast.Name, scope: Scope) -> lib.OwnerType | None:
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
        owner = self.classes.wrapper_types().get(func.id)
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
        qualified = self.qualified(value, self.sm.module_scope)
        if qualified is not None:
            return self.constructors.get(qualified)
        if isinstance(value, ast.Name) and value.id != name and self.sm.module:
            return self.constructors.get(f"{self.sm.module}.{value.id}")
        return None

    def is_held(self, call: ast.Call, held: lib.HeldWhen) -> bool:
        if held.keyword is not None:
            keyword = next((k for k in call.keywords if k.arg == held.keyword), None)
            if keyword is None or not isinstance(keyword.value, ast.Constant):
                return False
            if keyword.value.value is not held.value:
                return False
        if held.awaited:
            return isinstance(self.sm.parent(call), ast.Await)
        return True
