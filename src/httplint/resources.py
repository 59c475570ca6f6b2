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

A use that lends it to a function of the project that only borrows it
(:mod:`httplint.summaries`), or to another library's object that dies with the
function, is no escape: the owner is still the acquirer.

The analysis is flow-insensitive on purpose: every use of the bound name in the
scope counts, so extra uses can only make it quieter. A false positive is worse
than a missed bug. The one path question the rules ask (an explicit ``raise`` or
``return`` before the client is handed to the caller) is :mod:`httplint.paths`'s.

Layers, each a module: :mod:`httplint.semantic` (names, scopes) →
:mod:`httplint.summaries` (what functions do to their arguments) →
:mod:`httplint.classes` (what classes hold and close) → :mod:`httplint.owners`
(owner types of expressions) → :mod:`httplint.timeouts` and this module (lifetimes),
with :mod:`httplint.paths` for exits; the results are :mod:`httplint.model`'s
classes, which the rules read. Across modules, :class:`httplint.project.ProjectView`
answers for the package.
"""

from __future__ import annotations

import ast
import re

from . import libraries as lib
from .classes import OUTSIDE_CLOSERS, given_or_fresh, passes
from .model import (
    Acquisition,
    Analysis,
    ContextMismatch,
    HelperCall,
    OrphanedPart,
    OverwrittenSlot,
    State,
    UnawaitedClose,
    Use,
    UseKind,
)
from .owners import OwnerTyping
from .paths import early_exits, raises_while_reading
from .semantic import (
    ComprehensionNode,
    FunctionNode,
    LoopNode,
    Scope,
    SemanticModel,
    own_nodes,
    parameters,
    unparse,
    walk,
)
from .summaries import Effect
from .timeouts import TimeoutPass


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


def given_or_fresh_parent(acq: "Acquisition", sm: SemanticModel) -> ast.expr | None:
    """The ``given or Fresh()`` expression an acquisition is the fresh branch of, if any."""
    node: ast.AST = acq.call
    parent = sm.parent(node)
    if isinstance(parent, ast.Await):
        node, parent = parent, sm.parent(parent)
    return given_or_fresh(node, parent)


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
        self.typing = OwnerTyping(semantic, knowledge)
        self.classes = self.typing.classes
        self.summaries = self.typing.summaries
        self.held_factories = knowledge.held_factories
        self.result = Analysis(semantic)
        self._derived: dict[int, list[ast.Name]] = {}  # id(argument) → loads of the local object it was lent to
        self._graphs: dict = {}  # flow graphs (httplint.flow.FlowGraph) of the functions asked about, by id
        self._name_loads = semantic.name_loads
        imported = {lib.canonical(q).split(".", 1)[0] for scope in semantic.scopes.values() for q in scope.imports.values()}
        self._imports_requests = "requests" in imported
        self._imports_urllib3 = "urllib3" in imported
        self._imports_httpx = "httpx" in imported

    # -- driver -------------------------------------------------------------------

    def run(self) -> Analysis:
        self.result.knowledge = self.knowledge
        self._find_entry_points()
        self.timeouts = TimeoutPass(self.typing, self.result)
        self._expects_warnings = any(  # `with pytest.warns(...)` / `self.assertWarns(...)` somewhere
            isinstance(c.func, ast.Attribute) and c.func.attr in lib.EXPECTS_WARNING_METHODS for c in self.sm.calls
        ) or any(True for _ in self.typing.calls_of(lib.EXPECTS_WARNING_CONTEXTS))
        for call in self.sm.calls:
            self._visit_call(call)
        self._one_shot_helpers()
        self.classes.wrapper_types()
        for cls in {**self._classes_storing_clients(), **self.classes.holding}.values():
            self.result.class_leaks.extend(self.classes.class_leaks(cls))
        return self.result

    def _one_shot_helpers(self) -> None:
        """Module functions that are session helpers like ``requests.get``
        (:meth:`~httplint.owners.OwnerTyping.session_helper`): their client is marked, and their
        calls in this module are helper calls (HTL103 in a loop). Calls from other modules of the
        package are found through the project's knowledge (``Knowledge.session_helpers``)."""
        helpers: dict[str, lib.SessionHelper] = {}
        for node in self.sm.tree.body:
            helper = self.typing.session_helper(node)
            if helper is None:
                continue
            helpers[node.name] = helper  # type: ignore[attr-defined]
            for acq in self.result.acquisitions:
                if acq.scope.node is node:
                    acq.session_helper = True
        for name, helper in helpers.items():
            for load in self._name_loads.get(name, ()):
                call = self.sm.parent(load)
                scope = self.sm.scope(load)
                if not isinstance(call, ast.Call) or call.func is not load or scope.is_module:
                    continue
                if scope.rebinds(self.sm.module_scope, name):
                    continue  # a local of the same name
                self._helper_call(call, helper, scope, project=True)

    def _helper_call(self, call: ast.Call, helper: lib.SessionHelper, scope: Scope, project: bool = False) -> None:
        loop = self._loop_of(call, scope)
        work = loop is not None and self.loop_repeats_calls(loop, scope)
        self.result.helper_calls.append(HelperCall(call, helper, scope, loop, work, project=project))

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

    def _visit_call(self, call: ast.Call) -> None:
        scope = self.sm.scope(call)
        if scope.is_class:
            self.timeouts.visit_class_body(call, scope)
            if scope.parent is not None and scope.parent.is_function:
                self._class_body_in_function(call, scope)
            return  # class attributes are singletons (unless the class is defined per call)
        if isinstance(scope.node, ast.Lambda):
            return  # lambdas are not followed
        qualified = self.typing.qualified(call.func, scope)
        receiver = None  # a method call's receiver type, worked out once for both passes
        if qualified is None and isinstance(call.func, ast.Attribute):
            receiver = self.typing.type_of(call.func.value, scope)
        self.timeouts.visit(call, scope, qualified, receiver)
        if qualified is not None:
            owner = self.typing.constructors.get(qualified)
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
            project_helper = self.knowledge.session_helper(qualified) if helper is None else None
            if project_helper is not None:  # `http.fetch(url)`: another module's one-shot helper
                self._helper_call(call, project_helper, scope, project=True)
            if helper is not None:
                self._helper_call(call, helper, scope)
                if qualified.startswith("aiohttp."):
                    self._check_context(call, lib.AIOHTTP_SESSION, request_context=True)
                    if self._awaited_directly(call):
                        self.result.context_mismatches.append(
                            ContextMismatch(call, lib.AIOHTTP_SESSION, False, request_context=True, awaited=True)
                        )
            held = lib.HELD_BY_FUNCTION.get(qualified)
            if held is not None and self.typing.is_held(call, held):
                self._acquire(call, scope, response=held.response)
            elif helper is None and held is None and isinstance(call.func, ast.Attribute) and self.typing.project:
                produced = self.typing.method_factory(call, scope)  # `manager.create_session()`, imported
                if produced is not None:
                    self._acquire(call, scope, owner=produced, factory=ast.unparse(call.func))
            return
        if isinstance(call.func, ast.Attribute):
            self._visit_method_call(call, scope, receiver)
        elif isinstance(call.func, ast.Name) and (
            self.knowledge.factories or self.knowledge.response_factories or call.func.id in self.sm.module_scope.bound
        ):
            owner = self.typing.local_factory(call.func, scope)
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
            # a name counts as missing only where this function binds it to None (`connector = None`);
            # a parameter or a name bound to a connector is a part given, whose closing is its owner's
            if not isinstance(given, ast.Name) or not any(
                isinstance(b, ast.Assign) and isinstance(b.value, ast.Constant) and b.value.value is None
                for b in (self.sm.parent(st) for st in scope.stores if st.id == given.id)
            ):
                return
        self.result.orphaned_parts.append(OrphanedPart(call, owner, keyword, part))

    def _bound_call(self, node: ast.AST, scope: Scope) -> ast.Call | None:
        """The call a name visible from ``scope`` is bound to, when it is bound once to one."""
        if not isinstance(node, ast.Name):
            return None
        stores = [st for current in scope.outward() for st in current.stores if st.id == node.id]
        return self.typing.bound_value(stores[0]) if len(stores) == 1 else None

    def _built_by(self, node: ast.AST, scope: Scope, names: frozenset[str]) -> bool:
        """``node`` is a local name bound (once) to a call of one of ``names``."""
        call = self._bound_call(node, scope)
        return call is not None and self.typing.qualified(call.func, scope) in names

    def _in_memory(self, call: ast.Call, scope: Scope) -> bool:
        """A client built on an in-memory transport (:data:`httplint.libraries.IN_MEMORY_TRANSPORTS`)."""
        for keyword in call.keywords:
            value = self._bound_call(keyword.value, scope) or keyword.value  # `transport = MockTransport(h)`
            if keyword.arg in ("transport", "app") and isinstance(value, ast.Call) and \
                    self.typing.qualified(value.func, scope) in lib.IN_MEMORY_TRANSPORTS:
                return True
            if keyword.arg == "app" and self.typing.qualified(call.func, scope) in ("httpx.Client", "httpx.AsyncClient"):
                return True  # the deprecated `httpx.Client(app=...)` shortcut, in memory too
        owner = self.typing.constructors.get(self.typing.qualified(call.func, scope) or "")
        return owner is not None and self._transports_mocked(owner, scope)

    def _transports_mocked(self, owner: lib.OwnerType, scope: Scope) -> bool:
        """A test function that takes a fixture or wears a decorator that replaces the library's
        transports for its run (:data:`~httplint.libraries.MOCKED_TRANSPORTS`): ``httpx_mock``."""
        mocking = lib.MOCKED_TRANSPORTS.get(owner.library)
        if mocking is None:
            return False
        fixtures, decorators = mocking
        for outer in scope.outward():
            node = outer.node
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            if parameters(node) & fixtures:
                return True
            for decorator in node.decorator_list:
                target = decorator.func if isinstance(decorator, ast.Call) else decorator
                if self.typing.qualified(target, outer) in decorators:
                    return True
        return False

    def _visit_method_call(self, call: ast.Call, scope: Scope, owner: lib.OwnerType | None) -> None:
        """``owner``: the receiver's type (:meth:`~httplint.owners.OwnerTyping.type_of`)."""
        func = call.func
        assert isinstance(func, ast.Attribute)
        method = func.attr
        produced = self.typing.method_factory(call, scope)
        if produced is not None:
            self._acquire(call, scope, owner=produced, factory=f"{ast.unparse(func)}")
            return
        if owner is not None:
            if method in owner.close_methods and owner.async_close:
                self._check_awaited_close(call, owner, func.value)
            if owner.family == lib.AIOHTTP_SESSION.name and method in owner.request_methods:
                self._check_context(call, owner, request_context=True)
            elif owner.library == "httpx" and method in owner.request_methods - {"stream"}:
                self._check_no_context(call, owner, f"The `httpx.Response` of `.{method}()`")
            held = lib.HELD_BY_METHOD.get(owner.family, {}).get(method)
            if held is not None and self.typing.is_held(call, held):
                self._acquire(call, scope, response=held.response)
            return
        if method == "aclose" and self._imports_httpx:
            self._check_awaited_close(call, lib.HTTPX_ASYNC_CLIENT, func.value)
        elif method in ("close", "aclose"):
            # `self.session` is a parameter in one method and `ClientSession()` in another: when
            # every client it may hold closes with a coroutine, an un-awaited close is one
            possible = self.typing.possible_types(func.value, scope)
            if possible and all(o.async_close and method in o.close_methods for o in possible):
                self._check_awaited_close(call, next(iter(possible)), func.value)
        # Receiver of unknown type: a keyword only one library takes still tells.
        for keyword, (library, held) in lib.HELD_BY_KEYWORD_UNTYPED.items():
            if method not in lib.UNTYPED_METHODS[keyword]:
                continue
            if not (self._imports_requests if library == "requests" else self._imports_urllib3):
                continue
            if self.typing.qualified(func.value, scope) is not None:
                continue  # a module attribute, resolved above if it mattered
            if keyword == "stream" and not _looks_like_http_session(func.value):
                continue  # `storage.get(key, stream=True)`: many APIs take `stream=`
            if self._built_by(func.value, scope, lib.REQUEST_RETURNS_NONE):
                continue  # `conn.request(...)` of a low-level connection returns None
            if self.typing.is_held(call, held):
                self._acquire(call, scope, response=held.response)
                return
        for keyword, held in lib.HELD_BY_KEYWORD_ANY.items():
            if self.typing.is_held(call, held):  # `api.read_namespaced_pod_log(..., _preload_content=False)`
                self._acquire(call, scope, response=held.response)
                return

    # -- acquisitions ----------------------------------------------------------------

    def _acquire(
        self,
        call: ast.Call,
        scope: Scope,
        owner: lib.OwnerType | None = None,
        response: lib.ResponseType | None = None,
        factory: str | None = None,
    ) -> None:
        if owner is not None and owner.adopts is not None and passes(call, *owner.adopts):
            return  # `Api(session)`: the wrapper is handed the caller's client and owns nothing
        if self._expected_to_raise(call, scope):
            return  # `with pytest.raises(...): await session.get(bad_url)`
        how, name, value_node = self._binding(call, scope)
        acq = Acquisition(
            call=call,
            owner=owner,
            response=response,
            scope=scope,
            how=how,
            name=name,
            statement=self.sm.statement_of(call),
            loop=self._loop_of(call, scope),
            factory=factory,
        )
        acq.work_loop = acq.loop is not None and self.loop_repeats_calls(acq.loop, scope)
        if owner is not None and how in ("with", "async-with"):
            self._check_context(call, owner, request_context=False)
        if how == "assign" and name is not None:
            acq.rebound = self._bound_elsewhere(name, scope, call)
            acq.given = given_or_fresh_parent(acq, self.sm) is not None or (
                isinstance(scope.node, FunctionNode) and name in parameters(scope.node)
            )
            acq.uses = self._name_uses(name, scope, acq)
            acq.replaced_at = self._replaced_while_held(acq)
            if acq.replaced_at is not None:  # what follows the rebinding is the new object's
                end = (acq.replaced_at.end_lineno, acq.replaced_at.end_col_offset)
                acq.uses = [u for u in acq.uses if (u.node.lineno, u.node.col_offset) < end]
        elif how in ("with", "async-with") and name is not None:
            acq.uses = self._name_uses(name, scope, acq)
        elif how == "inline":
            acq.uses = [self._classify(value_node, acq)]
        acq.state = self._decide(acq)
        if acq.state is State.ESCAPED and acq.how == "assign" and acq.name is not None:
            acq.early_exits = early_exits(self.sm, acq, self._graphs)
        elif acq.state is State.RELEASED and acq.response is not None:
            acq.early_exits = raises_while_reading(self.sm, acq, self._graphs)
        if owner is not None and how == "escape" and scope.is_function:
            self._check_overwritten_slot(acq)
        self.result.acquisitions.append(acq)

    def _expected_to_raise(self, call: ast.Call, scope: Scope) -> bool:
        """``call`` is in the last statement of a ``with pytest.raises(...)`` /
        ``with self.assertRaises(...)`` block (:data:`~httplint.libraries.EXPECTS_RAISE_CONTEXTS`),
        directly or as the last statement of ``with`` blocks nested in it."""
        statement = self.sm.statement_of(call)
        entered = isinstance(statement, (ast.With, ast.AsyncWith)) and any(
            item.context_expr is call for item in statement.items)
        # the call is what the statement evaluates last: `ClientSession(bad)`, `await s.get(u)`,
        # `x = ...`, `with ...:`; in `await ClientSession().ws_connect(u)` the session was built
        # and is left open when the request raises
        if isinstance(statement, (ast.With, ast.AsyncWith)):
            values = [item.context_expr for item in statement.items]
        else:
            values = [getattr(statement, "value", None)]
        if not any(value is call or (isinstance(value, ast.Await) and value.value is call) for value in values):
            return False
        block = self.sm.parent(statement)
        while isinstance(block, (ast.With, ast.AsyncWith)) and statement in block.body:
            if block.body[-1] is not statement and not entered:
                return False  # a later statement is the one expected to raise (a `with` raises on entry)
            if self._expecting(block, scope, lib.EXPECTS_RAISE_CONTEXTS, lib.EXPECTS_RAISE_METHODS):
                return True
            statement, block, entered = block, self.sm.parent(block), False
        return False

    def _expecting(self, block: ast.With | ast.AsyncWith, scope: Scope, contexts: frozenset[str],
                   methods: frozenset[str]) -> bool:
        """``block`` is ``with <one of contexts>(...)`` or ``with self.<one of methods>(...)``."""
        for item in block.items:
            context = item.context_expr
            if not isinstance(context, ast.Call):
                continue
            func = context.func
            if (isinstance(func, ast.Attribute) and func.attr in methods
                    and isinstance(func.value, ast.Name) and func.value.id in ("self", "cls")):
                return True
            if self.typing.qualified(func, scope) in contexts:
                return True
        return False

    def _deleted_expecting_warning(self, delete: ast.Delete, scope: Scope) -> bool:
        """``del client`` in ``with pytest.warns(ResourceWarning):``: the test checks the leak's warning."""
        block = self.sm.parent(delete)
        return isinstance(block, (ast.With, ast.AsyncWith)) and self._expecting(
            block, scope, lib.EXPECTS_WARNING_CONTEXTS, lib.EXPECTS_WARNING_METHODS)

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
        qualified = self.typing.qualified(call.func, scope)
        owner = self.typing.constructors.get(qualified) if qualified else None
        statement = self.sm.parent(call)
        if owner is None or not isinstance(statement, ast.Assign) or len(statement.targets) != 1 \
                or not isinstance(statement.targets[0], ast.Name) or self.sm.parent(statement) is not scope.node:
            return
        name = statement.targets[0].id
        cls = scope.node
        for node in walk(scope.parent.node):  # type: ignore[union-attr]  # the class, or its users there
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
            if test is not None and any(isinstance(n, ast.Name) and n.id == name for n in walk(test)):
                return True
            current = self.sm.parent(current)
        return False

    def _closed_before(self, statement: ast.stmt, name: str, scope: Scope) -> bool:
        """The function closes ``name`` somewhere before ``statement`` (``X.close()``)."""
        for call in self.sm.calls:
            func = call.func
            if (isinstance(func, ast.Attribute) and func.attr in OUTSIDE_CLOSERS
                    and isinstance(func.value, ast.Name) and func.value.id == name
                    and self.sm.scope(call) is scope and call.lineno <= statement.lineno):
                return True
        return False

    def _replaced_while_held(self, acq: Acquisition) -> ast.stmt | None:
        """The first later statement of the same block that binds the name again
        (``r = get(a, stream=True)`` … ``r = get(b, stream=True)``), or ``None``."""
        parent = self.sm.parent(acq.statement)
        for field_name in ("body", "orelse", "finalbody"):
            block = getattr(parent, field_name, None)
            if isinstance(block, list) and acq.statement in block:
                for statement in block[block.index(acq.statement) + 1:]:
                    if isinstance(statement, (ast.Assign, ast.AnnAssign)) and any(
                        isinstance(t, ast.Name) and t.id == acq.name
                        for t in (statement.targets if isinstance(statement, ast.Assign) else [statement.target])
                    ):
                        return statement
        return None

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
            elif load_scope.is_within(scope) and not load_scope.rebinds(scope, name):
                kind = UseKind.NEUTRAL if self._closure_kept_on_itself(load_scope, name) else UseKind.ESCAPE
                uses.append(Use(load, kind, nested=True))
        if self._expects_warnings and isinstance(scope.node, FunctionNode):
            for node in own_nodes(scope.node.body):  # type: ignore[attr-defined]
                if (isinstance(node, ast.Delete) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets)
                        and self._deleted_expecting_warning(node, scope)):
                    # the warning at collection is what the test checks
                    uses.append(Use(node.targets[0], UseKind.REGISTERED))
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
                if self._reads_partly(grand, attr, response, acq.scope):
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
            if attr in ("raw", "content", "stream", "fp", "_fp", "connection", "response"):
                # `shutil.copyfileobj(r.raw, f)`, `async for chunk in r.content`: the body is
                # handed on or read there; not followed further (`result.response`: the
                # wrapped response itself, as OpenAPI clients' `ApiResponse` holds it).
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

    def _reads_partly(self, call: ast.Call, method: str, response: lib.ResponseType, scope: Scope) -> bool:
        """``response.read(100)`` / ``response.readline()`` once: the rest of the body stays unread
        (:attr:`httplint.libraries.ResponseType.partial_reads`); in a loop it is read to the end."""
        if method not in response.partial_reads:
            return False
        if method == "read" and not (call.args or call.keywords):
            return False
        if method == "read" and call.args and isinstance(call.args[0], ast.Constant) and call.args[0].value in (None, -1):
            return False
        return self._loop_of(call, scope) is None and not self._in_loop_test(call, scope)

    def _in_loop_test(self, node: ast.AST, scope: Scope) -> bool:
        """``node`` is in the test of a ``while`` loop (``while chunk := r.read(8192):``)."""
        child, parent = node, self.sm.parent(node)
        while parent is not None and parent is not scope.node:
            if isinstance(parent, ast.While) and child is parent.test:
                return True
            child, parent = parent, self.sm.parent(parent)
        return False

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
        qualified = self.typing.qualified(call.func)
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
            if self._never_sends(acq):
                return State.RELEASED  # nothing was opened: the pool connects on the first request
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

    def _never_sends(self, acq: Acquisition) -> bool:
        """A client of a library that connects lazily (:attr:`~httplint.libraries.OwnerType.connects_lazily`)
        used only through its idle methods, attribute reads and identity checks: it never opened a
        socket (``assert session.get_adapter(url) is adapter``, ``pm.connection_from_url(u).port``)."""
        base = lib.OWNER_TYPES.get(acq.owner.family) if acq.owner is not None else None
        if base is None or not base.connects_lazily or acq.how not in ("assign", "inline"):
            return False
        for use in acq.uses:
            if use.kind is not UseKind.NEUTRAL or use.nested:
                return False
            if isinstance(use.node, ast.Name) and use.node.id != acq.name:
                return False  # a use of a local object it was lent to, which may send through it
            if not self._idle_use(use.node, base, acq.scope):
                return False
        return True

    def _idle_use(self, node: ast.AST, owner: lib.OwnerType, scope: Scope, depth: int = 0) -> bool:
        """``node`` (the client at ``depth`` 0, else what was read from it or what an idle method
        returned) is read, compared or inspected, never used to send."""
        if depth > 4:
            return False
        parent = self.sm.parent(node)
        if isinstance(parent, ast.Await):
            node, parent = parent, self.sm.parent(parent)
        if isinstance(parent, ast.Attribute) and parent.value is node:
            grand = self.sm.parent(parent)
            if isinstance(grand, ast.Call) and grand.func is parent:
                if depth == 0 and self._expected_to_raise(grand, scope):
                    return True  # `with pytest.raises(ConnectError): await connector.connect(...)`
                if depth == 0 and parent.attr in owner.idle_methods:
                    # a request or headers built: data; a pool, adapter or transport looked up: followed
                    return parent.attr not in lib.PART_LOOKUPS or self._idle_use(grand, owner, scope, depth + 1)
                idle = depth > 0 and parent.attr not in lib.SENDING_METHODS
                return idle and self._idle_use(grand, owner, scope, depth + 1)
            return isinstance(parent.ctx, ast.Store) or self._idle_use(parent, owner, scope, depth + 1)
        if isinstance(parent, ast.Subscript) and parent.value is node:
            return isinstance(parent.ctx, ast.Store) or self._idle_use(parent, owner, scope, depth + 1)
        if isinstance(parent, (ast.Expr, ast.Compare, ast.Assert, ast.FormattedValue)):
            return True
        if isinstance(parent, ast.UnaryOp) or (isinstance(parent, (ast.If, ast.While, ast.IfExp)) and parent.test is node):
            return True
        if (isinstance(parent, ast.Call) and node in parent.args and isinstance(parent.func, ast.Name)
                and parent.func.id in lib.NON_RETAINING_CALLS and self.sm.is_builtin(parent.func)):
            return True
        if (depth > 0 and isinstance(parent, ast.Assign) and len(parent.targets) == 1
                and isinstance(parent.targets[0], ast.Name)):
            loads = [load for load in self._name_loads.get(parent.targets[0].id, ()) if self.sm.scope(load) is scope]
            return all(self._idle_use(load, owner, scope, depth + 1) for load in loads)
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
        release = self.sm.statement_of(release_node)
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
                self.typing.qualified(parent.func) in ("asyncio.wait_for", "asyncio.shield"):
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
                    dotted = unparse(target)
                    if dotted.endswith(("command", "group", "main")) or dotted.startswith(
                        ("click.", "typer.")
                    ):
                        entries.add(node)
        for name, function in functions.items():
            for load in self._name_loads.get(name, ()):
                if self.sm.scope(load).is_module:
                    entries.add(function)
