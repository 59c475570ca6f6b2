"""Timeouts and async misuse: the facts HTL301-303, HTL403 and HTL411 report.

Runs inside the lifetime analysis's single pass over the calls of a module and reuses
its receiver typing (``session.get`` is a ``requests.Session`` method when the session
was built in scope, annotated as one, or assigned to ``self.session`` in the class).

What counts as "timeout set", "explicitly none" and "missing" follows
http-semantics.md §8; every case that cannot be judged (a ``**kwargs`` that may carry a
timeout, a pool built elsewhere, a mounted ``HTTPAdapter`` subclass, a
``socket.setdefaulttimeout()`` for the libraries that honour it) stays silent.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from . import libraries as lib
from .owners import OwnerTyping
from .semantic import FunctionNode, Scope, unparse, walk


@dataclass(eq=False)
class TimeoutFinding:
    """A timeout that is missing, disabled, or set in a way that does nothing.

    Attributes:
        kind: ``missing``, ``disabled`` or ``ineffective``.
        node: where to report (the call, or the assignment target).
        message: the diagnostic's text.
        call: for ``missing``, the call a ``timeout=`` could be added to.
        unfixable: for ``missing``, why no ``timeout=`` is added, if it is not.
    """

    kind: str
    node: ast.AST
    message: str
    call: ast.Call | None = None
    unfixable: str | None = None
    #: for ``disabled``: the library of a call whose ``timeout=None`` a fix may bound
    #: (``None``: no fix, and ``unfixable`` says why)
    library: str | None = None
    #: a timeout object whose bounds are all ``None``: its bound keywords, the overall one first
    #: (:data:`~httplint.libraries.TIMEOUT_OBJECTS`), for the fix that sets them
    bounds: tuple[str, ...] = ()
    #: the ``None`` of ``client.timeout = None`` (httpx), for the fix that gives it a bound
    none: ast.AST | None = None
    #: an aiohttp session's ``timeout=`` that is not a ``ClientTimeout``, for the fix that makes it one
    client_timeout: bool = False


@dataclass(eq=False)
class BlockingCall:
    """A blocking HTTP call made directly in an ``async def``."""

    call: ast.Call
    subject: str
    library: str


@dataclass(eq=False)
class LoopBoundOwner:
    """An aiohttp owner constructed where no event loop runs."""

    call: ast.Call
    owner: lib.OwnerType
    where: str


def _is_none(node: ast.AST | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


_SET_SOCKET_DEFAULT = frozenset({"socket.setdefaulttimeout"})


class TimeoutPass:
    """Collects timeout and async facts; :meth:`visit` is called for every call of the module."""

    def __init__(self, typing: OwnerTyping, result) -> None:
        self.an = typing
        self.sm = typing.sm
        self.result = result  # the module's httplint.resources.Analysis, filled in place
        self._socket_default = any(True for _ in self.an.calls_of(_SET_SOCKET_DEFAULT))
        self._adapter_subclass = self._defines_adapter_subclass() or self._patches_session_request()
        self._check_timeout_assignments()

    # -- entry ------------------------------------------------------------------------------

    def visit(self, call: ast.Call, scope: Scope, qualified: str | None, receiver: lib.OwnerType | None) -> None:
        """Check one call, given what the resource pass worked out for it: the callee's
        qualified name (:meth:`~httplint.owners.OwnerTyping.qualified`) and, for a method call
        without one, its receiver's type (:meth:`~httplint.owners.OwnerTyping.type_of`)."""
        if qualified is not None:
            self._visit_function(call, scope, qualified)
        elif receiver is not None and isinstance(call.func, ast.Attribute):
            self._visit_method(call, scope, call.func, receiver)

    def visit_class_body(self, call: ast.Call, scope: Scope) -> None:
        """Calls in a class body run at import time: only the loop check applies there."""
        owner = self.an.constructors.get(self.an.qualified(call.func, scope) or "")
        if owner is not None and owner.family in lib.LOOP_BOUND_OWNERS:
            self._loop_bound(call, owner, "in a class body, at import time")

    def _visit_function(self, call: ast.Call, scope: Scope, qualified: str) -> None:
        rule = lib.TIMEOUT_FUNCTIONS.get(qualified)
        spelled = unparse(call.func)
        if rule is not None:
            self._check_call(call, scope, rule, f"`{spelled}`")
        if qualified in lib.URLLIB3_POOL_CONSTRUCTORS:
            timeout = self._timeout_argument(call, lib.URLLIB3_POOL_CONSTRUCTORS[qualified])
            if _is_none(timeout):
                self._disabled(call, f"`{spelled}(timeout=None)` disables the timeout of every request of the pool",
                               "urllib3")
        bounds = lib.TIMEOUT_OBJECTS.get(qualified)
        if bounds is not None:
            self._check_timeout_object(call, spelled, bounds, qualified.startswith("aiohttp."))
        owner = self.an.constructors.get(qualified)
        if owner is not None and owner.family == lib.AIOHTTP_SESSION.name:
            self._check_aiohttp_session_timeout(call, spelled)
        if owner is not None and owner.family in lib.LOOP_BOUND_OWNERS:
            self._check_loop(call, scope, owner)
        if qualified in lib.BLOCKING_FUNCTIONS and self._in_event_loop(scope):
            self.result.blocking_calls.append(BlockingCall(call, f"`{spelled}`", qualified.split(".", 1)[0]))

    def _visit_method(self, call: ast.Call, scope: Scope, func: ast.Attribute, owner: lib.OwnerType) -> None:
        method = func.attr
        subject = f"`{unparse(func)}` (`{owner.name}`)"
        timed = lib.TIMEOUT_METHODS.get(owner.family)
        if timed is not None and method in timed[0]:
            position = lib.POSITIONAL_TIMEOUT_METHODS.get((owner.family, method))
            rule = timed[1]
            if position is not None:
                rule = lib.TimeoutRule(rule.library, rule.missing_hangs, position, rule.socket_default)
            self._check_call(call, scope, rule, subject, receiver=func.value, owner=owner)
        if owner.family in lib.BLOCKING_OWNERS and method in owner.request_methods and self._in_event_loop(scope):
            self.result.blocking_calls.append(BlockingCall(call, subject, owner.library))

    def _in_event_loop(self, scope: Scope) -> bool:
        """``scope`` is an ``async def`` that runs on this process's event loop (not one a
        decorator ships elsewhere, :data:`~httplint.libraries.FOREIGN_RUNTIME_DECORATORS`)."""
        if not scope.is_async:
            return False
        for decorator in scope.node.decorator_list:  # type: ignore[attr-defined]
            target = decorator.func if isinstance(decorator, ast.Call) else decorator
            if self.an.qualified(target, scope.parent) in lib.FOREIGN_RUNTIME_DECORATORS:
                return False
        return True

    # -- timeouts -----------------------------------------------------------------------------

    def _timeout_argument(self, call: ast.Call, position: int | None) -> ast.AST | None:
        for keyword in call.keywords:
            if keyword.arg == "timeout":
                return keyword.value
        if position is not None and len(call.args) > position and not any(
            isinstance(a, ast.Starred) for a in call.args[: position + 1]
        ):
            return call.args[position]
        return None

    def _check_call(
        self,
        call: ast.Call,
        scope: Scope,
        rule: lib.TimeoutRule,
        subject: str,
        receiver: ast.AST | None = None,
        owner: lib.OwnerType | None = None,
    ) -> None:
        timeout = self._timeout_argument(call, rule.position)
        if timeout is not None:
            if _is_none(timeout):
                what = "can hang forever" if rule.missing_hangs else f"loses {rule.library}'s default timeout"
                self._disabled(call, f"{subject} with `timeout=None` {what}", rule.library)
            return
        if not rule.missing_hangs:
            return
        if rule.position is not None and any(isinstance(a, ast.Starred) for a in call.args):
            return  # `*args` may carry it
        unfixable = None
        for keyword in call.keywords:
            if keyword.arg is None:
                if not self._timeout_free_dict(keyword.value, scope):
                    return  # `**kwargs` may carry a timeout: not judged
                unfixable = f"`**{ast.unparse(keyword.value)}` is unpacked into the call"
        if rule.socket_default and (self._socket_default or (
                self.an.project is not None and self.an.project.sets_socket_default())):
            return  # socket.setdefaulttimeout() here or in the package bounds urllib3 pools and the stdlib (E8)
        detail = ""
        if owner is not None and owner.library == "urllib3":
            construction = self.an.construction_of(receiver, scope) if receiver is not None else None
            if construction is None or self._pool_sets_timeout(construction):
                return  # built elsewhere, or with a timeout: every request inherits it
            detail = " (its pool sets none)"
        if owner is not None and owner.family == lib.REQUESTS_SESSION.name:
            if self._adapter_subclass or owner.overrides_request:
                return  # an HTTPAdapter subclass or a patched `session.request` may fill it in (§1.4 a, c)
            if receiver is not None and self._session_timeout_set(receiver, scope):
                detail = f" (`{ast.unparse(receiver)}.timeout = ...` does nothing in requests)"
        message = f"{subject} has no timeout and can hang forever{detail}: pass `timeout=`"
        self.result.timeout_findings.append(TimeoutFinding("missing", call, message, call, unfixable))

    def _disabled(self, node: ast.AST, message: str, library: str | None = None, why: str | None = None) -> None:
        """``library``: the call's ``timeout=None`` can be given a bound; else ``why`` not."""
        call = node if isinstance(node, ast.Call) and library else None
        self.result.timeout_findings.append(TimeoutFinding("disabled", node, message, call, why, library))

    def _pool_sets_timeout(self, construction: ast.Call) -> bool:
        qualified = self.an.qualified(construction.func) or ""
        position = lib.URLLIB3_POOL_CONSTRUCTORS.get(qualified)
        timeout = self._timeout_argument(construction, position)
        if any(k.arg is None for k in construction.keywords):
            return True  # `**kwargs` may set it
        return timeout is not None and not _is_none(timeout)

    def _timeout_free_dict(self, value: ast.AST, scope: Scope) -> bool:
        """``value`` is a local name (or ``self.<attr>``) bound once to a dict literal without a
        ``timeout`` key, and used only by being unpacked into calls: it cannot carry a timeout."""
        if isinstance(value, ast.Attribute) and isinstance(value.value, ast.Name) and value.value.id == "self":
            return self._timeout_free_attribute(value.attr, scope)
        if not isinstance(value, ast.Name):
            return False
        stores = [s for s in scope.stores if s.id == value.id]
        if len(stores) != 1:
            return False
        parent = self.sm.parent(stores[0])
        literal = getattr(parent, "value", None) if isinstance(parent, ast.Assign) else None
        if not isinstance(literal, ast.Dict) or any(
            key is None or not isinstance(key, ast.Constant) or key.value == "timeout" for key in literal.keys
        ):
            return False
        for load in self.sm.name_loads.get(value.id, ()):
            if self.sm.scope(load) is scope:
                use = self.sm.parent(load)
                if not (isinstance(use, ast.keyword) and use.arg is None):
                    return False  # mutated, passed on, or read: it may gain a timeout
        return True

    def _timeout_free_attribute(self, attribute: str, scope: Scope) -> bool:
        """``self.<attribute>`` is assigned once in its class, a dict literal without a
        ``timeout`` key, and every read of it (``.<attribute>`` anywhere in the module) unpacks
        it into a call: ``session.get(url, **self.options)`` where the options never hold one."""
        cls = scope.enclosing_class()
        if cls is None:
            return False
        assigned = [statement for method in self.sm.scopes[cls].children
                    for target, statement in self.an.self_assignments(method) if target.attr == attribute]
        if len(assigned) != 1 or not isinstance(assigned[0], ast.Assign):
            return False
        literal = assigned[0].value
        if not isinstance(literal, ast.Dict) or any(
            key is None or not isinstance(key, ast.Constant) or key.value == "timeout" for key in literal.keys
        ):
            return False
        for node in walk(self.sm.tree):
            if isinstance(node, ast.Attribute) and node.attr == attribute and isinstance(node.ctx, ast.Load):
                use = self.sm.parent(node)
                if not (isinstance(use, ast.keyword) and use.arg is None):
                    return False  # mutated (`self.options["timeout"] = 5`), read or passed on
        return True

    def _check_timeout_object(self, call: ast.Call, spelled: str, bounds: tuple[str, ...], aiohttp_: bool) -> None:
        if any(k.arg is None for k in call.keywords) or any(isinstance(a, ast.Starred) for a in call.args):
            return
        values = list(call.args) + [k.value for k in call.keywords if k.arg in bounds]
        if not aiohttp_ and not values:
            return  # urllib3.Timeout() / httpx.Timeout(): defaults or an error, not "none"
        if all(_is_none(v) for v in values) and not self._only_inspected(call):
            self.result.timeout_findings.append(TimeoutFinding(
                "disabled", call, f"`{ast.unparse(call)}` bounds nothing: requests using it can hang forever",
                bounds=bounds))

    def _only_inspected(self, call: ast.Call) -> bool:
        """The timeout object never reaches a client: it is compared or asserted on
        (``assert client.timeout == httpx.Timeout(None)``), or bound to a name that is only
        read for its attributes or compared (``t = httpx.Timeout(None); assert t.read is None``)."""
        node: ast.AST = call
        parent = self.sm.parent(node)
        if isinstance(parent, ast.Compare) or isinstance(self.sm.statement_of(call), ast.Assert):
            return True
        if not (isinstance(parent, ast.Assign) and len(parent.targets) == 1 and isinstance(parent.targets[0], ast.Name)):
            return False
        name, scope = parent.targets[0].id, self.sm.scope(call)
        loads = [load for load in self.sm.name_loads.get(name, ()) if self.sm.scope(load) is scope]
        if not loads or name in scope.declared_global or scope.is_module:
            return False
        for load in loads:
            use = self.sm.parent(load)
            if isinstance(use, ast.Attribute) and not isinstance(self.sm.parent(use), ast.Call):
                continue  # `t.read`
            if isinstance(use, ast.Compare) or isinstance(self.sm.statement_of(load), ast.Assert):
                continue
            return False  # passed to a client, returned, stored …
        return True

    def _check_aiohttp_session_timeout(self, call: ast.Call, spelled: str) -> None:
        for keyword in call.keywords:
            if keyword.arg != "timeout":
                continue
            if _is_none(keyword.value):
                self.result.timeout_findings.append(TimeoutFinding(
                    "ineffective", call,
                    f"`{spelled}(timeout=None)` means aiohttp's 300 s default, not no timeout: "
                    "pass an `aiohttp.ClientTimeout(...)`", client_timeout=True))
            elif isinstance(keyword.value, ast.Constant) and isinstance(keyword.value.value, (int, float)) and not (
                isinstance(keyword.value.value, bool)
            ):
                total = keyword.value.value
                self.result.timeout_findings.append(TimeoutFinding(
                    "ineffective", call,
                    f"`{spelled}(timeout={total!r})` raises `ValueError`: pass "
                    f"`aiohttp.ClientTimeout(total={total!r})`", client_timeout=True))

    def _check_timeout_assignments(self) -> None:
        """``session.timeout = 5`` on a requests session does nothing; ``client.timeout = None``
        on httpx disables the default."""
        for target in self.sm.attribute_assignments:
            if target.attr != "timeout":
                continue
            receiver = target.value
            root = receiver
            while isinstance(root, ast.Attribute):
                root = root.value  # self.session.timeout
            if isinstance(root, ast.Name):
                scope = self.sm.scope(root)
                owner = self.an.type_of(receiver, scope)
                assign = self.sm.parent(target)
                value = getattr(assign, "value", None)
                name = ast.unparse(target)
                if owner is not None and owner.family == lib.REQUESTS_SESSION.name and not owner.overrides_request:
                    self.result.timeout_findings.append(TimeoutFinding(
                        "ineffective", target,
                        f"`{name} = ...` does nothing: requests has no session timeout; pass `timeout=` "
                        "to each request or mount an adapter that sets one"))
                elif owner is not None and owner.library == "httpx" and _is_none(value):
                    self.result.timeout_findings.append(TimeoutFinding(
                        "disabled", target, f"`{name} = None` disables httpx's default timeout", none=value))

    def _session_timeout_set(self, receiver: ast.AST, scope: Scope) -> bool:
        if not isinstance(receiver, ast.Name):
            return False
        return any(
            target.attr == "timeout" and isinstance(target.value, ast.Name) and target.value.id == receiver.id
            and self.sm.scope(target.value) is scope
            for target in self.sm.attribute_assignments
        )

    def _defines_adapter_subclass(self) -> bool:
        """The module defines a subclass of ``requests.adapters.HTTPAdapter`` (which may set a
        default timeout in ``send``), or imports one by a name ending in ``Adapter``."""
        for scope in self.sm.scopes.values():
            node = scope.node
            if isinstance(node, ast.ClassDef):
                for base in node.bases:
                    if self.an.qualified(base, self.sm.scope(node)) == "requests.adapters.HTTPAdapter":
                        return True
        for scope in self.sm.scopes.values():
            for local, qualified in scope.imports.items():
                if local.endswith("Adapter") and not qualified.startswith("requests."):
                    return True
        return False

    def _patches_session_request(self) -> bool:
        """The module gives sessions a timeout by replacing their ``request``/``send``:
        ``session.request = functools.partial(session.request, timeout=...)`` (instaloader)."""
        for call in self.sm.calls:
            parent = self.sm.parent(call)
            if not isinstance(parent, ast.Assign) or parent.value is not call:
                continue
            if not any(isinstance(t, ast.Attribute) and t.attr in ("request", "send") for t in parent.targets):
                continue
            if any(k.arg == "timeout" or k.arg is None for k in call.keywords):
                return True
        return False

    # -- async ----------------------------------------------------------------------------------

    def _check_loop(self, call: ast.Call, scope: Scope, owner: lib.OwnerType) -> None:
        if scope.is_module:
            self._loop_bound(call, owner, "at import time")
        elif isinstance(scope.node, FunctionNode) and not scope.is_async and scope.node in self.result.entry_points:
            self._loop_bound(call, owner, f"in `{scope.node.name}`, which runs outside any event loop")

    def _loop_bound(self, call: ast.Call, owner: lib.OwnerType, where: str) -> None:
        if any(k.arg == "loop" for k in call.keywords):
            return  # an explicit loop: it does not look for a running one
        if self._under_type_checking(call):
            return
        self.result.loop_bound_owners.append(LoopBoundOwner(call, owner, where))

    def _under_type_checking(self, node: ast.AST) -> bool:
        current = self.sm.parent(node)
        while current is not None:
            if isinstance(current, ast.If) and "TYPE_CHECKING" in ast.unparse(current.test):
                return True
            current = self.sm.parent(current)
        return False
