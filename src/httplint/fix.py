"""Fixes as data, and the planners the rules call to build them.

A :class:`Fix` carries an applicability (safe fixes apply with ``--fix``, unsafe
ones need ``--unsafe-fixes`` too) and one *edit*: a small dataclass that names the
statements or expressions to change by their ``ast`` position. Planning runs on the
``ast`` and the lifetime analysis, for every finding; only ``httplint --fix`` and
``--diff`` apply edits, in :mod:`httplint.codemod`, which is the only module that
imports libcst.

A planner returns either a :class:`Fix` or a string: the reason no fix is offered
("it is used in several blocks"), which the finding then states.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Union

from .rule import Applicability, Fix  # re-exported: where fixes were always imported from
from .resources import Acquisition, Analysis, HelperCall, UseKind, given_or_fresh_parent
from .semantic import ComprehensionNode, FunctionNode, LoopNode, own_nodes, walk

#: ``(line, column)`` of an ``ast`` node: 1-based line, 0-based UTF-8 byte column.
Pos = tuple[int, int]


@dataclass(frozen=True)
class AwaitCall:
    """Prefix the call at ``call`` with ``await``."""

    call: Pos


@dataclass(frozen=True)
class MakeAsyncWith:
    """Turn the ``with`` statement at ``stmt`` into ``async with``."""

    stmt: Pos


@dataclass(frozen=True)
class WrapInWith:
    """Replace ``name = EXPR`` at ``first`` and the statements after it, up to ``last``,
    by ``with EXPR as name:`` around them.

    Attributes:
        asynchronous: ``async with``.
        wrapper: a callable to wrap ``EXPR`` in (``contextlib.closing``), or ``None``.
        unwrap_await: ``EXPR`` is ``await CALL``; the ``with`` takes ``CALL``.
        drop: a release statement right after ``last`` that the ``with`` replaces.
        value: the ``with``'s expression as source, replacing ``EXPR`` (and the statement at
            ``first`` may then be ``if name is None: name = FRESH``); imports ``contextlib``.
    """

    first: Pos
    last: Pos
    name: str
    asynchronous: bool = False
    wrapper: str | None = None
    unwrap_await: bool = False
    drop: Pos | None = None
    value: str | None = None


@dataclass(frozen=True)
class TryFinally:
    """Wrap the statements after ``first`` up to ``last`` in ``try:``, releasing in ``finally:``.

    Attributes:
        release: the statement to put in ``finally``, as source (when ``move`` is ``None``).
        move: the position of an existing release statement right after ``last``, moved
            into ``finally`` instead.
    """

    first: Pos
    last: Pos
    release: str | None = None
    move: Pos | None = None


@dataclass(frozen=True)
class HoistWith:
    """Move the ``with`` statement at ``with_stmt``, in the body of the loop at ``loop``,
    around the loop."""

    loop: Pos
    with_stmt: Pos


@dataclass(frozen=True)
class HoistAssign:
    """Move ``name = CLIENT(...)`` at ``stmt``, in the body of the loop at ``loop``, out of the
    loop: ``with CLIENT(...) as name:`` around it (``async with`` with ``asynchronous``), or,
    for a client that is no context manager, ``name = CLIENT(...)`` before it and
    ``try: <loop> finally: name.<close>()``. The release statements at ``drops`` (direct
    children of the loop body) are removed: the client now lives across the iterations."""

    loop: Pos
    stmt: Pos
    name: str
    drops: tuple[Pos, ...] = ()
    asynchronous: bool = False
    close: str | None = None


@dataclass(frozen=True)
class ShareClient:
    """Send through one module-level client instead of one a call: insert ``const = client``
    (the construction's source, as written at ``stmt``) before the module-level statement at
    ``module_stmt`` (``None``: ``const`` exists already, built the same way); at
    ``stmt``, ``with CLIENT as name:`` becomes ``name = const`` followed by its body, or
    ``name = CLIENT`` becomes ``name = const``; the release statements at ``drops`` (in the
    same block) are removed, since the shared client must stay open; the ``try`` at ``unwrap``
    (whose ``finally`` held only the close) is replaced by its body. With ``call``, the client
    built inline there (``httpx.Client().get(u)``) is replaced by ``const`` and ``stmt`` is left
    as it is."""

    stmt: Pos
    module_stmt: Pos | None
    const: str
    client: str
    name: str
    drops: tuple[Pos, ...] = ()
    unwrap: Pos | None = None
    call: Pos | None = None


@dataclass(frozen=True)
class AddMethods:
    """Append the methods in ``source`` (a module's worth of ``def`` statements, unindented) to
    the body of the class at ``cls``, after a blank line."""

    cls: Pos
    source: str


@dataclass(frozen=True)
class AppendToFunction:
    """Append the statements in ``source`` (unindented) to the body of the function at
    ``function``, before its last statement when that is a ``return``."""

    function: Pos
    source: str


@dataclass(frozen=True)
class WrapStatement:
    """Wrap the statement at ``stmt`` (through the one at ``last``, in the same block, when
    given) in ``with CALL as name:`` (``async with``), the client built inline at ``call``
    in it replaced by ``name``; ``call`` may lie in a statement nested in ``stmt``."""

    stmt: Pos
    call: Pos
    name: str
    asynchronous: bool = False
    last: Pos | None = None


@dataclass(frozen=True)
class InsertBefore:
    """Insert ``source`` (one statement) before the statement at ``stmt``, in its block; the
    comment lines above that statement stay above both."""

    stmt: Pos
    source: str


@dataclass(frozen=True)
class CallOnResult:
    """The expression statement at ``stmt`` (``requests.post(u, stream=True)``, ``await
    session.post(u)``) followed by ``.method()`` (parenthesized first when awaited)."""

    stmt: Pos
    method: str
    parenthesize: bool = False


@dataclass(frozen=True)
class HoistToWith:
    """Remove ``name = CLIENT`` at ``stmt`` (in a block nested in the statement at ``first``)
    and wrap the statements from ``first`` to ``last`` in ``with CLIENT as name:``
    (``async with``; ``wrapper(CLIENT)`` when given)."""

    stmt: Pos
    first: Pos
    last: Pos
    name: str
    asynchronous: bool = False
    wrapper: str | None = None


@dataclass(frozen=True)
class ExitStackAround:
    """Wrap the statements from ``first`` to ``last`` in ``with contextlib.ExitStack() as
    stack:`` and enter each call at ``calls`` on it (``stack.enter_context(CALL)``), where it is."""

    first: Pos
    last: Pos
    calls: tuple[Pos, ...]
    stack: str


@dataclass(frozen=True)
class UnwrapWith:
    """``with EXPR as name: BODY`` at ``stmt`` → ``name = EXPR`` and ``BODY`` in its place
    (``EXPR`` awaited when the statement was ``async with`` and it was not)."""

    stmt: Pos
    name: str | None


@dataclass(frozen=True)
class WrapCall:
    """The call at ``call`` passed to ``wrapper`` (``contextlib.closing(CALL)``)."""

    call: Pos
    wrapper: str


@dataclass(frozen=True)
class ToAsyncClient:
    """The construction at ``call`` (``httpx.Client(…)``) spelled with ``attr`` instead
    (``httpx.AsyncClient(…)``), and each request call at ``awaits`` awaited (parenthesized when
    the flag is set: its result is read further)."""

    call: Pos
    attr: str
    awaits: tuple[tuple[Pos, bool], ...]


@dataclass(frozen=True)
class Edits:
    """Several edits applied together, as one fix (each at its own place)."""

    parts: tuple


@dataclass(frozen=True)
class SessionAroundStatement:
    """Wrap the statement at ``stmt`` in ``with CLIENT as NAME:`` and send the helper
    calls at ``calls`` through it (``requests.get(u)`` → ``session.get(u)``).

    Attributes:
        module: the module to import for ``client`` (``requests``).
    """

    stmt: Pos
    calls: tuple[tuple[Pos, str], ...]  # each helper call and the session method it becomes
    client: str
    name: str
    module: str


@dataclass(frozen=True)
class AddKeyword:
    """Append ``keyword=value`` to the arguments of the call at ``call``, keeping its layout
    (one line, or one argument a line with or without a trailing comma); with ``replace``, give
    the call's existing ``keyword=`` that value instead (its comments and layout kept)."""

    call: Pos
    keyword: str
    value: str
    replace: bool = False


@dataclass(frozen=True)
class ReplaceNodes:
    """Replace each expression at ``nodes`` (a name or constant: ``None``) by ``value``."""

    nodes: tuple[Pos, ...]
    value: str


@dataclass(frozen=True)
class ToThread:
    """Replace the call ``f(args)`` at ``call`` by ``await asyncio.to_thread(f, args)``, adding
    ``import asyncio`` when the module lacks it; ``parenthesize``: the result is used further
    (``(await asyncio.to_thread(f, x)).json()``: ``await`` would take the whole trailer chain)."""

    call: Pos
    parenthesize: bool = False


Edit = Union[Edits, InsertBefore, UnwrapWith, WrapCall, ToAsyncClient, ExitStackAround, HoistToWith, CallOnResult, ReplaceNodes, AwaitCall, MakeAsyncWith, WrapInWith, TryFinally, HoistWith, SessionAroundStatement, AddKeyword,
             ToThread, HoistAssign, ShareClient, AddMethods, WrapStatement, AppendToFunction]


def pos(node: ast.AST) -> Pos:
    return (node.lineno, node.col_offset)  # type: ignore[attr-defined]


def span(*nodes: ast.AST) -> tuple[int, int]:
    return (
        min(n.lineno for n in nodes),  # type: ignore[attr-defined]
        max(n.end_lineno or n.lineno for n in nodes),  # type: ignore[attr-defined]
    )


# -- shared ast helpers ---------------------------------------------------------------


def _block_of(analysis: Analysis, statement: ast.stmt) -> list[ast.stmt] | None:
    """The statement list that holds ``statement`` directly, or ``None``."""
    parent = analysis.semantic.parent(statement)
    for field_name in ("body", "orelse", "finalbody"):
        block = getattr(parent, field_name, None)
        if isinstance(block, list) and any(s is statement for s in block):
            return block
    return None


def _top_statement_in(
    analysis: Analysis, node: ast.AST, block: list[ast.stmt], ids: dict[int, int] | None = None
) -> int | None:
    """Index in ``block`` of the statement that contains ``node``, or ``None``; ``ids``:
    ``{id(statement): index}`` of ``block``, when the caller asks about many nodes."""
    if ids is None:
        ids = {id(s): i for i, s in enumerate(block)}
    current: ast.AST | None = node
    while current is not None:
        if id(current) in ids:
            return ids[id(current)]
        current = analysis.semantic.parent(current)
    return None


def _alone_on_its_line(analysis: Analysis, statement: ast.stmt, block: list[ast.stmt], index: int | None = None) -> bool:
    """No other statement shares its line (``a = 1; b = 2``): libcst keeps those together.
    The statements of a block are in source order, so only the neighbours can share one
    (``index``: the statement's position in ``block``, when known)."""
    if index is None:
        index = next(i for i, s in enumerate(block) if s is statement)
    if index > 0 and (block[index - 1].end_lineno or block[index - 1].lineno) >= statement.lineno:
        return False
    end = statement.end_lineno or statement.lineno
    return index + 1 >= len(block) or block[index + 1].lineno > end


def _rebound(analysis: Analysis, acq: Acquisition) -> bool:
    assert acq.name is not None
    for store in acq.scope.stores:
        if store.id == acq.name and not _inside(analysis, store, acq.statement):
            return True
    return False


def _rebound_only_in_sequence(analysis: Analysis, acq: Acquisition, block: list[ast.stmt], first: int,
                              last: int) -> bool:
    """Every other binding of the name is a statement of the same block before ``first`` or after
    ``last`` (``r = get(a, stream=True)`` … ``r = get(b, stream=True)`` …): each object has its
    own stretch of the block, and a ``with`` over this one's stretch leaves the others alone."""
    ids = {id(s): i for i, s in enumerate(block)}
    for store in acq.scope.stores:
        if store.id != acq.name or _inside(analysis, store, acq.statement):
            continue
        index = ids.get(id(analysis.semantic.statement_of(store)))
        if index is None or first <= index <= last:
            return False
    return True


def _inside(analysis: Analysis, node: ast.AST, ancestor: ast.AST) -> bool:
    current: ast.AST | None = node
    while current is not None:
        if current is ancestor:
            return True
        current = analysis.semantic.parent(current)
    return False


def _use_range(analysis: Analysis, acq: Acquisition, statement: ast.stmt | None = None,
               derived: bool = True) -> tuple[list[ast.stmt], int, int] | str:
    """The block holding the acquisition (or ``statement``, one that holds it), its index and the
    index of the last statement using it."""
    statement = statement or acq.statement
    block = _block_of(analysis, statement)
    if block is None:
        return "it is not in a statement block"
    if not _alone_on_its_line(analysis, statement, block):
        return "it shares its line with another statement"
    first = next(i for i, s in enumerate(block) if s is statement)
    last = first
    ids = {id(s): i for i, s in enumerate(block)}
    rebound = _rebound(analysis, acq)
    for use in acq.uses:
        index = _top_statement_in(analysis, use.node, block, ids)
        if rebound and acq.loop is None and index is not None and index < first:
            continue  # straight-line code: a load above the binding reads an earlier object of the name
        if index is None or index < first:
            return "its uses span several blocks"
        last = max(last, index)
    if last == first:
        return "it is never used"
    if rebound and not _rebound_only_in_sequence(analysis, acq, block, first, last):
        return f"`{acq.name}` is rebound"
    if derived:  # a `with` ends at the last use: it must cover what the client returned too
        reach = _derived_reach(analysis, acq, block, first, last)
        if isinstance(reach, str):
            return reach
        last = reach
    for index in range(first + 1, last + 1):
        if not _alone_on_its_line(analysis, block[index], block, index):
            return "a statement it covers shares its line with another"
    return block, first, last


def _derived_reach(analysis: Analysis, acq: Acquisition, block: list[ast.stmt], first: int, last: int) -> int | str:
    """The last statement of ``block`` that uses ``acq``'s client or a response it returned in
    ``block[first..last]`` (``res = conn.getresponse()``: closing an ``http.client``
    connection closes that response too, so the ``with`` must cover ``res.read()``), or the
    reason there is none: such a response is used outside ``block``, or handed on (returned,
    stored, passed) rather than read."""
    sm, scope, name, owner = analysis.semantic, acq.scope, acq.name, acq.owner
    if owner is None or name is None:
        return last
    requests_ = owner.request_methods | {"getresponse"}
    ids = {id(s): i for i, s in enumerate(block)}
    for statement in block[first:last + 1]:
        for node in own_nodes([statement]):
            if not (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)):
                continue
            value = node.value.value if isinstance(node.value, ast.Await) else node.value
            if not (isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute)
                    and isinstance(value.func.value, ast.Name) and value.func.value.id == name
                    and value.func.attr in requests_):
                continue
            for load in sm.name_loads.get(node.targets[0].id, ()):
                if sm.scope(load) is not scope and not sm.scope(load).is_within(scope):
                    continue
                if (load.lineno, load.col_offset) < (node.lineno, node.col_offset):
                    continue
                index = _top_statement_in(analysis, load, block, ids)
                if index is None:
                    return "a response it returned is used outside the block"
                if not isinstance(sm.parent(load), ast.Attribute):
                    return "a response it returned is handed on, and would outlive a `with`"
                last = max(last, index)
    return last


#: what the request's result is read for, so that nothing outlives the statement
_CONSUMING = frozenset({"json", "text", "content", "read", "status_code", "status", "ok", "headers", "raise_for_status",
                        "iter_content", "data", "reason"})
_INLINE_NAMES = {"session": "session", "client": "client", "pool": "pool", "connector": "connector",
                 "connection": "conn", "transport": "transport"}


def _plan_inline(acq: Acquisition, analysis: Analysis, applicability: Applicability) -> Fix | str:
    """``return httpx.Client().get(url).json()`` → ``with httpx.Client() as client: return
    client.get(url).json()``: only where what the statement keeps is read from the response
    (``.json()``, ``.text``, ``.status_code`` …), so that nothing outlives the ``with``."""
    owner, sm, call = acq.owner, analysis.semantic, acq.call
    statement = acq.statement
    if not isinstance(statement, (ast.Return, ast.Expr, ast.Assign)) or _block_of(analysis, statement) is None:
        return "it is not in a simple statement"
    block = _block_of(analysis, statement)
    if not _alone_on_its_line(analysis, statement, block):
        return "it shares its line with another statement"
    method = sm.parent(call)
    request = sm.parent(method)
    if not (isinstance(method, ast.Attribute) and method.value is call and isinstance(request, ast.Call)
            and request.func is method and method.attr in owner.request_methods):
        return "it is not the receiver of one request"
    result: ast.AST = request
    if isinstance(sm.parent(result), ast.Await):
        result = sm.parent(result)
    reader = sm.parent(result)
    consumed = isinstance(reader, ast.Attribute) and reader.value is result and reader.attr in _CONSUMING
    wrapped: tuple[list[ast.stmt], int, int] | None = None
    if not consumed and not (isinstance(statement, ast.Expr) and statement.value is result):
        wrapped = _result_range(analysis, acq, statement, result)
        if wrapped is None:
            return "the response it returns may outlive a `with` around the statement"
    if owner.context is None:
        return "it is not a context manager"
    if owner.context == "async" and not acq.scope.is_async:
        return "`async with` needs an `async def`"
    if any(isinstance(n, (ast.Lambda, *ComprehensionNode)) for n in _ancestors(sm, call, statement)):
        return "it is built inside a lambda or comprehension"
    name = _free_name(analysis, acq.scope, _INLINE_NAMES.get(owner.kind, "client"))
    keyword = "async with" if owner.context == "async" else "with"
    if wrapped is not None:
        block, first, last = wrapped
        edit = WrapStatement(pos(block[first]), pos(call), name, owner.context == "async", pos(block[last]))
        return Fix(f"Use `{keyword}` around the response's uses", applicability, edit,
                   span(*block[first:last + 1]))
    edit = WrapStatement(pos(statement), pos(call), name, owner.context == "async")
    return Fix(f"Use `{keyword}`", applicability, edit, span(statement))


def _plan_inline_response(acq: Acquisition, analysis: Analysis, applicability: Applicability) -> Fix | str:
    """A response never bound to a name: discarded (``requests.post(u, stream=True)``,
    ``await session.post(u)``) → ``.close()`` (``.release()`` for aiohttp) called on it; read for
    one value (``return session.get(u, stream=True).status_code``) → the statement wrapped in
    ``with session.get(u, stream=True) as response:`` (sync responses only)."""
    sm, call, statement, response = analysis.semantic, acq.call, acq.statement, acq.response
    assert response is not None
    unassigned = "it is not assigned to a local name"
    if not isinstance(statement, (ast.Return, ast.Expr, ast.Assign)):
        return unassigned
    block = _block_of(analysis, statement)
    if block is None or not _alone_on_its_line(analysis, statement, block):
        return unassigned
    result: ast.AST = call
    awaited = isinstance(sm.parent(call), ast.Await)
    if awaited:
        result = sm.parent(call)
    if awaited and response.library != "aiohttp":
        return "its close is a coroutine"
    release = {"urllib3": "release_conn", "aiohttp": "release"}.get(response.library, "close")
    if release not in response.release_methods:
        return unassigned
    if isinstance(statement, ast.Expr) and statement.value is result:
        edit: Edit = CallOnResult(pos(statement), release, awaited)
        return Fix(f"Call `.{release}()` on it", applicability, edit, span(statement))
    reader = sm.parent(result)
    if (awaited or response.context != "sync" or response.library == "urllib3"
            or not (isinstance(reader, ast.Attribute) and reader.value is result
                    and reader.attr in _CONSUMING - {"iter_content"})):
        return unassigned
    if any(isinstance(n, (ast.Lambda, *ComprehensionNode)) for n in _ancestors(sm, call, statement)):
        return "it is made inside a lambda or comprehension"
    name = _free_name(analysis, acq.scope, "response")
    edit = WrapStatement(pos(statement), pos(call), name)
    return Fix("Use `with`", applicability, edit, span(statement))


def _plan_hoist_to_with(acq: Acquisition, analysis: Analysis, applicability: Applicability) -> Fix | None:
    """``c = Client()`` in a nested block (``with``/``if``/``try`` body) and used after it: the
    assignment removed, and ``with Client() as c:`` around the statements from the enclosing
    one to the last use (a client connects on first use, so building it a little earlier
    sends nothing). ``None`` when no such range exists."""
    owner, statement = acq.owner, acq.statement
    if owner is None or owner.context is None and not owner.close_methods or acq.name is None:
        return None
    if acq.rebound or sum(1 for store in acq.scope.stores if store.id == acq.name) != 1:
        return None
    if not (isinstance(statement, ast.Assign) and statement.value is acq.call):
        return None
    block = _block_of(analysis, statement)
    if block is None or len(block) == 1:
        return None  # the block would be left empty
    if any(analysis.semantic.scope(u.node) is not acq.scope for u in acq.uses):
        return None
    found = _covering_range(analysis, acq, statement, [u.node for u in acq.uses])
    if found is None:
        return None
    outer, first, last = found
    if outer is block:
        return None
    asynchronous, wrapper = owner.context == "async", None
    if owner.context is None:
        wrapper = "contextlib.closing"
    elif asynchronous and not acq.scope.is_async:
        return None
    edit = HoistToWith(pos(statement), pos(outer[first]), pos(outer[last]), acq.name, asynchronous, wrapper)
    keyword = "async with" if asynchronous else "with"
    return Fix(f"Build it in a `{keyword}` around its uses", applicability, edit, span(*outer[first:last + 1]))


def _plan_exit_stack(acq: Acquisition, analysis: Analysis, applicability: Applicability) -> Fix | None:
    """A response (or client) assigned on several branches (``if …: r = get(a) else: r = get(b)``)
    or in a nested block, and used after it: ``with contextlib.ExitStack() as stack:`` around
    the statements from the enclosing one to the last use, each assignment's call entered on
    the stack where it is (``r = stack.enter_context(get(a))``), so nothing moves and
    whichever object was made is closed after the last use. Every binding of the name in the
    range must be such an assignment; sync context managers only (``None`` otherwise)."""
    sm, scope, name = analysis.semantic, acq.scope, acq.name
    if name is None or not scope.is_function or name in scope.declared_global:
        return None

    def enterable(a: Acquisition) -> bool:
        if a.owner is not None:
            return a.owner.context == "sync"
        return a.response is not None and a.response.context == "sync" and a.response.library not in (
            "httpx", "urllib3")  # httpx responses are no context managers; urllib3's exit drops the socket

    if not enterable(acq):
        return None
    stores = [store for store in scope.stores if store.id == name]
    loads = _loads_in(analysis, name, scope)
    if loads is None:
        return None
    by_statement = {id(a.statement): a for a in analysis.acquisitions if a.scope is scope and a.how == "assign"}
    calls = []
    for store in stores:
        statement = sm.statement_of(store)
        other = by_statement.get(id(statement))
        if other is None or other.name != name or not enterable(other) or not (
                isinstance(statement, ast.Assign) and statement.value is other.call):
            return None
        calls.append(other.call)
    earliest = min((sm.statement_of(store) for store in stores), key=lambda st: (st.lineno, st.col_offset))
    found = _covering_range(analysis, acq, earliest, [*stores, *loads], moves_call=False)
    if found is None:
        return None
    block, first, last = found
    if all(sm.statement_of(store) in block[first:last + 1] for store in stores) and len(stores) == 1:
        return None  # one assignment in this block: the plain `with` applies, or nothing does
    stack = _free_name(analysis, scope, "stack")
    edit = ExitStackAround(pos(block[first]), pos(block[last]), tuple(sorted(pos(c) for c in calls)), stack)
    return Fix("Close it with a `contextlib.ExitStack`", applicability, edit, span(*block[first:last + 1]))


def _result_range(analysis: Analysis, acq: Acquisition, statement: ast.stmt,
                  result: ast.AST) -> tuple[list[ast.stmt], int, int] | None:
    """For ``res = await Client().ws_connect(u)`` whose ``res`` is used later: the innermost
    block of the function holding a statement that contains the assignment, and the range of
    its statements from that one to the last use of ``res`` (``None`` when there is none).
    The client is then built where that range starts, so its arguments must not depend on
    what the range binds before it, and no loop may lie between (it would be built once for
    every iteration's response)."""
    if not (isinstance(statement, ast.Assign) and statement.value is result and len(statement.targets) == 1
            and isinstance(statement.targets[0], ast.Name)):
        return None
    name, scope = statement.targets[0].id, acq.scope
    if name in scope.declared_global or sum(1 for store in scope.stores if store.id == name) != 1:
        return None
    loads = _loads_in(analysis, name, scope)
    if loads is None:
        return None  # read in a nested function, which may run after the `with`
    return _covering_range(analysis, acq, statement, loads)


def _loads_in(analysis: Analysis, name: str, scope) -> list[ast.Name] | None:
    """The loads of ``name`` in ``scope``, or ``None`` when a function nested in it reads the
    name too (it may run after a ``with`` around the loads has closed what the name holds)."""
    sm = analysis.semantic
    loads = [load for load in sm.name_loads.get(name, []) if sm.scope(load) is scope or sm.scope(load).is_within(scope)]
    return None if any(sm.scope(load) is not scope for load in loads) else loads


def _covering_range(analysis: Analysis, acq: Acquisition, statement: ast.stmt,
                    nodes: list[ast.AST], moves_call: bool = True) -> tuple[list[ast.stmt], int, int] | None:
    """The innermost block holding ``statement`` or a statement that contains it (through
    ``with``, ``if`` and ``try`` bodies, not loops or handlers) in which every one of ``nodes``
    lies at or after it: ``(block, first, last)``. With ``moves_call``, the client ``acq`` builds
    is then built where ``block[first]`` starts, so its arguments must not be bound inside what
    it now precedes."""
    sm, scope = analysis.semantic, acq.scope
    argument_names = {n.id for n in walk(acq.call) if isinstance(n, ast.Name)} - {
        _dotted_root(acq.call.func)}
    current: ast.stmt = statement
    while True:
        block = _block_of(analysis, current)
        if block is None:
            return None
        first = next(i for i, s in enumerate(block) if s is current)
        if not moves_call:
            argument_names = set()
        ids = {id(s): i for i, s in enumerate(block)}
        indexes = [_top_statement_in(analysis, node, block, ids) for node in nodes]
        if indexes and all(i is not None and i >= first for i in indexes):
            last = max(indexes)
            if last == first and current is statement:
                return None
            if current is not statement and any(
                store.id in argument_names for store in scope.stores if _inside(analysis, store, current)
            ):
                return None  # the client's arguments are bound inside what it now precedes
            if any(isinstance(n, (ast.Yield, ast.YieldFrom)) for n in own_nodes(block[first:last + 1])):
                return None
            if not all(_alone_on_its_line(analysis, block[i], block, i) for i in range(first, last + 1)):
                return None
            return block, first, last
        parent = sm.parent(current)
        if not isinstance(parent, (ast.With, ast.AsyncWith, ast.If, ast.Try)) or parent is scope.node:
            return None  # a loop (one client per iteration), a handler's block, or the function
        if isinstance(parent, ast.Try) and not any(s is current for s in parent.body):
            return None
        current = parent


def _dotted_root(node: ast.AST) -> str | None:
    while isinstance(node, ast.Attribute):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _ancestors(sm, node: ast.AST, stop: ast.AST):
    current = sm.parent(node)
    while current is not None and current is not stop:
        yield current
        current = sm.parent(current)


def _assigned_value(acq: Acquisition) -> ast.expr | None:
    statement = acq.statement
    if (
        isinstance(statement, ast.Assign)
        and len(statement.targets) == 1
        and isinstance(statement.targets[0], ast.Name)
        and statement.targets[0].id == acq.name
    ):
        return statement.value
    return None


# -- planners -------------------------------------------------------------------------


def plan_context_manager(acq: Acquisition, analysis: Analysis, applicability: Applicability) -> Fix | str:
    """Wrap a leaked owner or held response, from its creation to its last use, in ``with``.

    urllib3 responses get ``try: ... finally: response.release_conn()`` instead: their
    ``__exit__`` closes the socket without returning the connection to the pool
    (http-semantics.md §3.2, E10e).
    """
    if acq.how == "inline" and acq.owner is not None:
        return _plan_inline(acq, analysis, applicability)
    if acq.how in ("inline", "discarded") and acq.response is not None:
        return _plan_inline_response(acq, analysis, applicability)
    if acq.how != "assign" or acq.name is None:
        return "it is not assigned to a local name"
    if acq.given:
        return _plan_given_or_fresh(acq, analysis, applicability)
    value = _assigned_value(acq)
    if value is None:
        return "it is not a plain `name = ...` assignment"
    found = _use_range(analysis, acq)
    if found == "its uses span several blocks" and acq.owner is not None:
        hoisted = _plan_hoist_to_with(acq, analysis, applicability)
        if hoisted is not None:
            return hoisted
    if found == "its uses span several blocks" or found == f"`{acq.name}` is rebound":
        stacked = _plan_exit_stack(acq, analysis, applicability)
        if stacked is not None:
            return stacked
    if isinstance(found, str):
        return found
    block, first, last = found
    if any(isinstance(node, (ast.Yield, ast.YieldFrom)) for node in own_nodes(block[first:last + 1])):
        # a generator hands out what it yields; its consumer may still read it after the
        # `with` has closed the client (streamed bodies, plugins' adapters)
        return "it is used across a `yield`, whose consumer may still need it open"
    context = acq.owner.context if acq.owner else acq.response.context  # type: ignore[union-attr]
    is_async = acq.scope.is_async
    unwrap = isinstance(value, ast.Await)
    if acq.response is not None and acq.response.library == "urllib3":
        edit: Edit = TryFinally(pos(block[first]), pos(block[last]), release=f"{acq.name}.release_conn()")
        return Fix("Release in `finally`", applicability, edit, span(*block[first : last + 1]))
    if acq.response is not None and acq.response.library == "httpx" and unwrap:
        # `contextlib.aclosing` needs Python 3.10; `await response.aclose()` works everywhere.
        edit = TryFinally(pos(block[first]), pos(block[last]), release=f"await {acq.name}.aclose()")
        return Fix("Close in `finally`", applicability, edit, span(*block[first : last + 1]))
    owner = acq.owner
    if owner is not None and context is None and owner.async_close:
        # a project wrapper with an async close and no `async with`: `closing` would not await it
        if not is_async:
            return "its close is a coroutine, which needs an `async def`"
        edit = TryFinally(pos(block[first]), pos(block[last]), release=_close_call(acq.name, owner))
        return Fix("Close in `finally`", applicability, edit, span(*block[first : last + 1]))
    wrapper = None
    if context == "async" or (context is None and unwrap):
        if not is_async:
            return "`async with` needs an `async def`"
        asynchronous = True
    elif context == "sync":
        asynchronous = False
    else:
        wrapper, asynchronous = "contextlib.closing", False
    if acq.response is not None and acq.response.library == "aiohttp" and not unwrap:
        return "the request is not awaited"
    edit = WrapInWith(
        pos(block[first]), pos(block[last]), acq.name, asynchronous, wrapper, unwrap and wrapper is None
    )
    keyword = "async with" if asynchronous else "with"
    return Fix(f"Wrap in `{keyword}`", applicability, edit, span(*block[first : last + 1]))


_LENT = "contextlib.nullcontext"


def _plan_given_or_fresh(acq: Acquisition, analysis: Analysis, applicability: Applicability) -> Fix | str:
    """``c = given or Client()`` (``Client() if given is None else given``, or ``if c is None:
    c = Client()``) → ``with (contextlib.nullcontext(given) if given else Client()) as c:``
    around its uses: the ``with`` closes only the client built here; a given one is lent and
    left open (``nullcontext`` is an async context manager too since Python 3.10)."""
    owner = acq.owner
    refusal = "the name may hold the caller's client, which `with` would close"
    if owner is None or owner.context is None or acq.name is None:
        return refusal
    sm = analysis.semantic
    fresh = ast.unparse(acq.call)
    statement: ast.stmt = acq.statement
    choice = given_or_fresh_parent(acq, sm)
    if choice is not None:
        if _assigned_value(acq) is not choice or statement.lineno != statement.end_lineno:
            return refusal
        if isinstance(choice, ast.BoolOp):
            if len(choice.values) != 2 or not isinstance(choice.values[0], ast.Name):
                return refusal
            given = choice.values[0].id
            value = f"{_LENT}({given}) if {given} else {fresh}"
        else:
            fresh_first = choice.body is acq.call
            other = choice.orelse if fresh_first else choice.body
            if not isinstance(other, ast.Name):
                return refusal
            test = ast.unparse(choice.test)
            lent = f"{_LENT}({other.id})"
            value = f"{fresh} if {test} else {lent}" if fresh_first else f"{lent} if {test} else {fresh}"
    else:
        # `if c is None: c = Client()`: the whole `if` becomes the `with`
        branch = sm.parent(statement)
        if not (isinstance(branch, ast.If) and branch.body == [statement] and not branch.orelse
                and _assigned_value(acq) is acq.call and branch.test.lineno == branch.test.end_lineno
                and {n.id for n in walk(branch.test) if isinstance(n, ast.Name)} == {acq.name}):
            return refusal
        statement = branch
        value = f"{fresh} if {ast.unparse(branch.test)} else {_LENT}({acq.name})"
    found = _use_range(analysis, acq, statement)
    if isinstance(found, str):
        return found
    block, first, last = found
    if any(isinstance(node, (ast.Yield, ast.YieldFrom)) for node in own_nodes(block[first:last + 1])):
        return "it is used across a `yield`, whose consumer may still need it open"
    asynchronous = owner.context == "async"
    if asynchronous and not acq.scope.is_async:
        return "`async with` needs an `async def`"
    edit = WrapInWith(pos(block[first]), pos(block[last]), acq.name, asynchronous, value=f"({value})")
    keyword = "async with" if asynchronous else "with"
    return Fix(f"Wrap in `{keyword}`, lending a given client", applicability, edit, span(*block[first : last + 1]))


def release_source(acq: Acquisition) -> str | None:
    """The statement that releases what ``acq`` holds (``response.close()``, ``await
    client.aclose()``, ``response.release_conn()`` for urllib3, ``response.release()`` for
    aiohttp), from the library tables; ``None`` when the analysis has no name for it."""
    if acq.name is None:
        return None
    if acq.owner is not None:
        return _close_call(acq.name, acq.owner)
    response = acq.response
    if response is None:
        return None
    awaited = isinstance(acq.statement, ast.Assign) and isinstance(acq.statement.value, ast.Await)
    if response.library == "urllib3":
        return f"{acq.name}.release_conn()"
    if response.library == "httpx" and awaited:
        return f"await {acq.name}.aclose()"
    if response.context == "async" and "release" in response.release_methods:
        return f"{acq.name}.release()"  # aiohttp: a plain method since aiohttp 3
    if response.context == "async":
        return f"await {acq.name}.close()"  # a websocket's close is a coroutine
    return f"{acq.name}.close()"


def plan_release_before_exit(acq: Acquisition, exit_node: ast.stmt, analysis: Analysis) -> Fix | str:
    """``raise``/``return`` on a path that leaves a held client or response behind → its release
    inserted just before (unsafe: the object is released on that path rather than left to the
    garbage collector, which is what the finding asks; a handler that still reads it would fail).
    Not when the statement itself reads the object (``raise HTTPError(response=response)``)."""
    release = release_source(acq)
    if release is None:
        return "the release belongs on this path only"
    if release.startswith("await ") and not acq.scope.is_async:
        return "its release is a coroutine, which needs an `async def`"
    if any(isinstance(node, ast.Name) and node.id == acq.name for node in walk(exit_node)):
        return f"the `{'raise' if isinstance(exit_node, ast.Raise) else 'return'}` reads `{acq.name}`"
    block = _block_of(analysis, exit_node)
    if block is None or not _alone_on_its_line(analysis, exit_node, block):
        return "it shares its line with another statement"
    edit = InsertBefore(pos(exit_node), release + "\n")
    return Fix(f"Release `{acq.name}` first", Applicability.UNSAFE, edit, span(exit_node))


def plan_exception_safe_release(acq: Acquisition, analysis: Analysis) -> Fix | str:
    """Make a normal-path release exception-safe: ``with`` for owners whose close is what
    ``__exit__`` does, else move the release into ``finally``."""
    releases = [u for u in acq.uses if u.kind is UseKind.RELEASE]
    if len(releases) != 1:
        return "it is released in several places"
    release_use = releases[0]
    found = _use_range(analysis, acq, derived=False)  # the close stays where it is
    if isinstance(found, str):
        return found
    block, first, last = found
    index = _top_statement_in(analysis, release_use.node, block)
    release_statement = block[index] if index is not None else None
    if (
        index != last
        or not isinstance(release_statement, ast.Expr)
        or (release_statement.value is not release_use.call and not (
            isinstance(release_statement.value, ast.Await) and release_statement.value.value is release_use.call))
    ):
        return "the release is not a statement of its own after the last use"
    if last - first < 2:
        return "nothing lies between the creation and the release"
    owner = acq.owner
    method = getattr(release_use.call.func, "attr", "") if release_use.call else ""
    value = _assigned_value(acq)
    awaited = isinstance(release_statement.value, ast.Await)
    if (
        owner is not None
        and value is not None
        and not isinstance(value, ast.Await)
        and method in owner.close_methods
        and (owner.context == "sync" or (owner.context == "async" and acq.scope.is_async and awaited))
    ):
        edit: Edit = WrapInWith(
            pos(block[first]), pos(block[last - 1]), acq.name or "", owner.context == "async", drop=pos(block[last])
        )
        keyword = "async with" if owner.context == "async" else "with"
        return Fix(f"Replace the close with `{keyword}`", Applicability.SAFE, edit, span(*block[first : last + 1]))
    edit = TryFinally(pos(block[first]), pos(block[last - 1]), move=pos(block[last]))
    return Fix("Move the release into `finally`", Applicability.SAFE, edit, span(*block[first : last + 1]))


def _plan_hoist_assign(acq: Acquisition, analysis: Analysis) -> Fix | str:
    """``c = Client()`` directly in a loop body: build it once around the loop (see :class:`HoistAssign`)."""
    statement, loop, owner, sm = acq.statement, acq.loop, acq.owner, analysis.semantic
    if owner is None or acq.name is None or acq.rebound:
        return "it is not a client bound once to a name"
    if not (isinstance(statement, ast.Assign) and len(statement.targets) == 1
            and isinstance(statement.targets[0], ast.Name) and statement.value is acq.call):
        return "it is not `name = Client(...)`"
    if not isinstance(loop, LoopNode) or not any(s is statement for s in loop.body):
        return "it is not built directly in the loop body"
    if _block_of(analysis, loop) is None:
        return "the loop is not in a statement block"
    bound_in_loop = _names_bound_in(loop) - {acq.name}
    for node in walk(acq.call):
        if isinstance(node, ast.Name) and node.id in bound_in_loop:
            return f"its arguments change in the loop (`{node.id}`)"
        if isinstance(node, (ast.Await, ast.Yield, ast.YieldFrom, ast.NamedExpr)):
            return "its arguments are not a plain expression"
    drops = []
    for use in acq.uses:
        if not _inside(analysis, use.node, loop):
            return f"`{acq.name}` is used after the loop"
        if use.kind is UseKind.RELEASE:
            release = sm.statement_of(use.node)
            if not any(s is release for s in loop.body) or not isinstance(release, ast.Expr):
                return "it is closed elsewhere than at the loop body's level"
            drops.append(pos(release))
    if owner.context == "async" and not acq.scope.is_async:
        return "`async with` needs an `async def`"
    close = None
    if owner.context is None:
        close = sorted(owner.close_methods)[0]
        if owner.async_close:
            return "its close is a coroutine and it has no `async with`"
    edit = HoistAssign(pos(loop), pos(statement), acq.name, tuple(drops), owner.context == "async", close)
    return Fix("Build the client once, around the loop", Applicability.UNSAFE, edit, span(loop))


def plan_hoist(acq: Acquisition, analysis: Analysis) -> Fix | str:
    """Move ``with Client() as c:`` (or ``c = Client()``) out of the loop whose body holds it directly."""
    if acq.how == "assign":
        return _plan_hoist_assign(acq, analysis)
    if acq.how not in ("with", "async-with"):
        return "it is not entered with `with`"
    with_stmt = acq.statement
    loop = acq.loop
    if not isinstance(with_stmt, (ast.With, ast.AsyncWith)) or len(with_stmt.items) != 1:
        return "its `with` enters several things"
    if not isinstance(loop, LoopNode) or not any(s is with_stmt for s in loop.body):
        return "its `with` is not directly in the loop body"
    if _block_of(analysis, loop) is None:
        return "the loop is not in a statement block"
    bound_in_loop = _names_bound_in(loop)
    for node in walk(with_stmt.items[0].context_expr):
        if isinstance(node, ast.Name) and node.id in bound_in_loop:
            return f"its arguments change in the loop (`{node.id}`)"
        if isinstance(node, (ast.Await, ast.Yield, ast.YieldFrom, ast.NamedExpr)):
            return "its arguments are not a plain expression"
    target = with_stmt.items[0].optional_vars
    if target is not None and not isinstance(target, ast.Name):
        return "its `as` target is not a name"
    if target is not None and any(
        isinstance(n, ast.Name) and n.id == target.id and not isinstance(n.ctx, ast.Load) and n is not target
        for n in walk(loop)
    ):
        return f"`{target.id}` is rebound in the loop"
    if isinstance(with_stmt, ast.AsyncWith) and not acq.scope.is_async:
        return "`async with` needs an `async def`"
    edit = HoistWith(pos(loop), pos(with_stmt))
    return Fix("Hoist the client out of the loop", Applicability.UNSAFE, edit, span(loop))


def _names_bound_in(loop: ast.AST) -> set[str]:
    names = set()
    for node in walk(loop):
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
    return names


#: httpx helper keywords that only a `Client` takes, not its methods.
_HTTPX_CLIENT_ONLY = frozenset(
    {"verify", "cert", "proxy", "proxies", "trust_env", "transport", "mounts", "http1", "http2", "limits", "app",
     "base_url", "event_hooks", "default_encoding"}
)


def plan_session_around_loop(helper_call: HelperCall, analysis: Analysis) -> Fix | str:
    """Send the helper calls of a loop through one session built around it."""
    helper = helper_call.helper
    module = helper.name.split(".", 1)[0]
    if module not in ("requests", "httpx"):
        return f"`{helper.name}` has no client method with the same signature"
    # the module as the file imports it: a fork (`httpx2`, `niquests`) builds its own client
    spelled = _spelled_module(analysis, helper_call)
    scope = helper_call.scope
    # The outermost loop (or statement holding a comprehension) of the scope around the call.
    statement: ast.AST = helper_call.call
    outermost = None
    current = analysis.semantic.parent(statement)
    child: ast.AST = statement
    while current is not None and current is not scope.node:
        if isinstance(current, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            return "the call is inside a nested function"
        if isinstance(current, LoopNode) and child in current.body or isinstance(current, ComprehensionNode):
            outermost = current
        child, current = current, analysis.semantic.parent(current)
    if outermost is None:
        return "the loop was not found"
    while not isinstance(outermost, ast.stmt):
        outermost = analysis.semantic.parent(outermost)  # type: ignore[assignment]
    block = _block_of(analysis, outermost)  # type: ignore[arg-type]
    if block is None or not _alone_on_its_line(analysis, outermost, block):  # type: ignore[arg-type]
        return "the loop is not a statement of its own"
    calls = []
    for call in analysis.helper_calls:
        if call.scope is not scope or _spelled_module(analysis, call) != spelled:
            continue
        if not _inside(analysis, call.call, outermost) or _in_nested_scope(analysis, call.call, outermost):
            continue
        reason = _helper_call_fixable(call)
        if reason:
            return reason
        calls.append((pos(call.call), call.helper.method))
    name = _free_name(analysis, scope, "session" if module == "requests" else "client")
    client = f"{spelled}.Session()" if module == "requests" else f"{spelled}.Client()"
    edit = SessionAroundStatement(pos(outermost), tuple(sorted(calls)), client, name, spelled)
    return Fix(f"Send the calls through one `{client}`", Applicability.UNSAFE, edit, span(outermost))


def _spelled_module(analysis: Analysis, helper_call: HelperCall) -> str:
    """The top-level module a helper call names as imported (``httpx2`` for ``httpx2.get``, which
    the tables read as ``httpx.get``); the helper's own module when the call is not rooted in one."""
    qualified = analysis.semantic.qualified_name(helper_call.call.func, helper_call.scope)
    root = (qualified or helper_call.helper.name).split(".", 1)[0]
    return root if root.isidentifier() else helper_call.helper.name.split(".", 1)[0]


def _in_nested_scope(analysis: Analysis, node: ast.AST, stop: ast.AST) -> bool:
    current = analysis.semantic.parent(node)
    while current is not None and current is not stop:
        if isinstance(current, (*FunctionNode, ast.Lambda, ast.ClassDef)):
            return True
        current = analysis.semantic.parent(current)
    return False


def _helper_call_fixable(helper_call: HelperCall) -> str | None:
    call = helper_call.call
    helper = helper_call.helper
    if any(isinstance(a, ast.Starred) for a in call.args):
        return "a call passes `*args`"
    limit = 2 if helper.method in ("request", "stream") else 1
    if helper.name.startswith("requests.") and helper.method in ("post", "put", "patch"):
        limit = 3 if helper.method == "post" else 2
    if len(call.args) > limit:
        return "a call passes positional arguments the session method does not take"
    if helper.name.startswith("httpx."):
        for keyword in call.keywords:
            if keyword.arg is None:
                return "a call passes `**kwargs`, which may hold client-only settings"
            if keyword.arg in _HTTPX_CLIENT_ONLY:
                return f"a call passes `{keyword.arg}=`, which only `httpx.Client` takes"
    return None


def _free_name(analysis: Analysis, scope, preferred: str) -> str:
    """A name free in ``scope``: not bound there or at module level, and not read there or in
    a scope nested in it."""
    module = analysis.semantic.module_scope
    used = set(scope.bound) | set(scope.imports) | set(module.bound) | set(module.imports)
    for name, loads in analysis.semantic.name_loads.items():
        for load in loads:
            load_scope = analysis.semantic.scope(load)
            if load_scope is scope or load_scope.is_within(scope):
                used.add(name)
                break
    for candidate in (preferred, f"http_{preferred}", f"{preferred}_"):
        if candidate not in used:
            return candidate
    index = 2
    while f"{preferred}{index}" in used:
        index += 1
    return f"{preferred}{index}"


def _timeout_literal(analysis: Analysis) -> str:
    """The configured ``fix-timeout`` as source: ``10``, or ``2.5``."""
    seconds = analysis.knowledge.fix_timeout
    return str(int(seconds)) if float(seconds).is_integer() else repr(float(seconds))


def plan_add_timeout(call: ast.Call, analysis: Analysis, unfixable: str | None) -> Fix | str:
    """Add ``timeout=<fix-timeout>`` to a call that has none (unsafe: it changes behaviour)."""
    if unfixable:
        return unfixable
    value = _timeout_literal(analysis)
    return Fix(f"Add `timeout={value}`", Applicability.UNSAFE, AddKeyword(pos(call), "timeout", value), span(call))


def plan_bound_timeout(call: ast.Call, analysis: Analysis, library: str | None) -> Fix | str:
    """``timeout=None`` on a call → the configured ``fix-timeout`` (unsafe, as adding one is): a
    number for requests, httpx and urllib3; ``aiohttp.ClientTimeout(total=…)`` for aiohttp, whose
    requests take a ``ClientTimeout`` (only where the module imports ``aiohttp`` by that name)."""
    keyword = next((k for k in call.keywords if k.arg == "timeout"), None)
    if keyword is None or not (isinstance(keyword.value, ast.Constant) and keyword.value.value is None):
        return "the timeout is not a `timeout=None` keyword"
    value = _timeout_literal(analysis)
    if library == "aiohttp":
        if analysis.semantic.module_scope.imports.get("aiohttp") != "aiohttp":
            return "aiohttp's `ClientTimeout` is not imported as `aiohttp` here"
        value = f"aiohttp.ClientTimeout(total={value})"
    return Fix(f"Use `timeout={value}`", Applicability.UNSAFE, AddKeyword(pos(call), "timeout", value, True),
               span(call))


def plan_timeout_object(call: ast.Call, bounds: tuple[str, ...], analysis: Analysis) -> Fix | str:
    """A timeout object whose every bound is ``None`` (``httpx.Timeout(None)``,
    ``urllib3.Timeout(total=None)``, ``aiohttp.ClientTimeout()``) → each ``None`` bound given the
    configured ``fix-timeout``, or the overall bound (``bounds[0]``) when none is written
    (unsafe, as adding a timeout is)."""
    value = _timeout_literal(analysis)
    nones = [*call.args, *(k.value for k in call.keywords if k.arg in bounds)]
    if nones:
        edit: Edit = ReplaceNodes(tuple(pos(node) for node in nones), value)
        return Fix(f"Bound it by {value} s", Applicability.UNSAFE, edit, span(call))
    return Fix(f"Use `{bounds[0]}={value}`", Applicability.UNSAFE, AddKeyword(pos(call), bounds[0], value), span(call))


def plan_bound_attribute(none: ast.AST, analysis: Analysis) -> Fix | str:
    """``client.timeout = None`` (httpx) → ``client.timeout = <fix-timeout>`` (unsafe, as adding a
    timeout is): httpx's ``timeout`` setter takes a number as ``Timeout(number)`` does."""
    value = _timeout_literal(analysis)
    return Fix(f"Bound it by {value} s", Applicability.UNSAFE, ReplaceNodes((pos(none),), value), span(none))


def plan_client_timeout(call: ast.Call, analysis: Analysis) -> Fix | str:
    """``aiohttp.ClientSession(timeout=30)`` (a number raises ``ValueError``) → ``timeout=
    aiohttp.ClientTimeout(total=30)``; ``timeout=None`` (aiohttp's 300 s default) → the configured
    ``fix-timeout`` as ``total`` (unsafe: the bound changes)."""
    keyword = next((k for k in call.keywords if k.arg == "timeout"), None)
    if keyword is None or not isinstance(keyword.value, ast.Constant):
        return "the bound to set, and where, is the author's choice"
    if analysis.semantic.module_scope.imports.get("aiohttp") != "aiohttp":
        return "aiohttp's `ClientTimeout` is not imported as `aiohttp` here"
    total = _timeout_literal(analysis) if keyword.value.value is None else repr(keyword.value.value)
    value = f"aiohttp.ClientTimeout(total={total})"
    return Fix(f"Use `timeout={value}`", Applicability.UNSAFE, AddKeyword(pos(call), "timeout", value, True),
               span(call))


def plan_to_thread(call: ast.Call, analysis: Analysis) -> Fix | str:
    """A blocking call in ``async def`` → ``await asyncio.to_thread(f, *args, **kwargs)`` (unsafe:
    the call now runs on a worker thread, and a session shared with other tasks is used from it)."""
    scope = analysis.semantic.scope(call)
    if not scope.is_async:
        return "it is not directly in the `async def`"
    bound = analysis.semantic.module_scope.imports.get("asyncio")
    if bound not in (None, "asyncio") or ("asyncio" in analysis.semantic.module_scope.bound and bound is None):
        return "the name `asyncio` means something else here"
    if any(s.rebinds(analysis.semantic.module_scope, "asyncio") for s in (scope,)):
        return "the name `asyncio` means something else here"
    parent = analysis.semantic.parent(call)
    if isinstance(parent, ast.Await):
        return "its result is awaited already"
    chained = (isinstance(parent, (ast.Attribute, ast.Subscript)) and parent.value is call) or (
        isinstance(parent, ast.Call) and parent.func is call)
    return Fix("Run it in a thread with `asyncio.to_thread`", Applicability.UNSAFE, ToThread(pos(call), chained),
               span(call))


_SHARED_NAMES = {"session": "_SESSION", "client": "_CLIENT", "pool": "_POOL"}


def plan_share_client(acq: Acquisition, analysis: Analysis) -> Fix | str:
    """A client built for one request → one module-level client built once with the same constant
    arguments (unsafe: it lives for the program and shares cookies and connection state between
    calls). Only for clients with a sync close (requests, httpx ``Client``, urllib3), built from
    constants and module-level names defined before the function, and used for nothing but the
    request (not configured per call); async clients need an owner that closes them."""
    owner, sm, statement = acq.owner, analysis.semantic, acq.statement
    if owner is None or owner.async_close or owner.kind not in _SHARED_NAMES or owner.kind == "wrapper":
        return "an async client needs an owner that closes it, which only the author can choose"
    if acq.factory:
        return "it comes from a factory, which may configure it per call"
    module_stmt = statement
    while sm.parent(module_stmt) is not None and not isinstance(sm.parent(module_stmt), ast.Module):
        module_stmt = sm.parent(module_stmt)
    if not isinstance(sm.parent(module_stmt), ast.Module):
        return "it is not inside a module-level definition"
    module_scope = sm.module_scope
    for node in walk(acq.call):
        if isinstance(node, ast.Name):
            if node.id in module_scope.imports or sm.is_builtin(node):
                continue
            if node.id not in module_scope.bound or any(
                store.lineno >= module_stmt.lineno for store in module_scope.stores if store.id == node.id
            ):
                return f"it is built from a value of the call (`{node.id}`)"
        if isinstance(node, (ast.Await, ast.Yield, ast.YieldFrom, ast.NamedExpr, ast.Lambda)):
            return "its arguments are not plain values"
    block = _block_of(analysis, statement)
    if block is None:
        return "it is not in a statement block"
    drops = []
    unwrap = None
    last_line = statement.end_lineno or statement.lineno
    for use in acq.uses:
        if use.kind in (UseKind.REQUEST, UseKind.WITH):
            continue
        if use.kind is UseKind.RELEASE and acq.how == "assign":
            release = sm.statement_of(use.node)
            if isinstance(release, ast.Expr) and any(s is release for s in block):
                drops.append(pos(release))
                last_line = max(last_line, release.end_lineno or release.lineno)
                continue
            guard = sm.parent(release)
            if (unwrap is None and isinstance(release, ast.Expr) and isinstance(guard, ast.Try)
                    and guard.finalbody == [release] and not guard.handlers and not guard.orelse
                    and any(s is guard for s in block)):
                unwrap = pos(guard)  # `try: … finally: client.close()`: the `try` goes
                last_line = max(last_line, guard.end_lineno or guard.lineno)
                continue
            return "it is closed where the fix cannot take the close away"
        return "the client is configured or handed on in the call"
    call = None
    if acq.how == "inline":
        method, request = sm.parent(acq.call), sm.parent(sm.parent(acq.call))
        if not (isinstance(method, ast.Attribute) and method.value is acq.call and isinstance(request, ast.Call)
                and request.func is method and method.attr in owner.request_methods):
            return "it is not the receiver of one request"
        call, name = pos(acq.call), ""
    elif acq.how == "with":
        if not (isinstance(statement, ast.With) and len(statement.items) == 1
                and isinstance(statement.items[0].optional_vars, ast.Name)):
            return "its `with` does not bind one name"
        name = statement.items[0].optional_vars.id
    elif acq.how == "assign" and isinstance(statement, ast.Assign) and len(statement.targets) == 1 \
            and isinstance(statement.targets[0], ast.Name) and statement.value is acq.call:
        name = statement.targets[0].id
    else:
        return "it is not `with Client() as c:`, `c = Client()` or `Client().get(…)`"
    built = ast.dump(acq.call)
    existing = [
        node.targets[0].id for node in sm.tree.body
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
        and ast.dump(node.value) == built and node.lineno < module_stmt.lineno
        and sum(1 for store in module_scope.stores if store.id == node.targets[0].id) == 1
        and node.targets[0].id not in _names_stored_in_functions(sm, node.targets[0].id)
    ]
    if existing:  # `_SESSION = requests.Session()` defined already (by an earlier fix): send through it
        edit = ShareClient(pos(statement), None, existing[0], ast.unparse(acq.call), name, tuple(drops), unwrap, call)
        return Fix(f"Send through `{existing[0]}`", Applicability.UNSAFE, edit, (statement.lineno, last_line))
    preferred = _SHARED_NAMES[owner.kind]
    const, index = preferred, 1
    while const in module_scope.bound or const in module_scope.imports:
        index += 1
        const = f"{preferred}{index}"
    # the span starts after the statement before (the blank lines above the definition move)
    body = sm.tree.body
    index_in_module = next(i for i, node in enumerate(body) if node is module_stmt)
    first_line = body[index_in_module - 1].end_lineno + 1 if index_in_module else 1
    edit = ShareClient(pos(statement), pos(module_stmt), const, ast.unparse(acq.call), name, tuple(drops), unwrap,
                       call)
    return Fix(f"Share one module-level `{owner.name}`", Applicability.UNSAFE, edit, (first_line, last_line))


def _names_stored_in_functions(sm, name: str) -> set[str]:
    """``{name}`` when a function declares it ``global`` (and may rebind it), else empty."""
    return {name} if any(name in scope.declared_global for scope in sm.scopes.values()) else set()


_CLOSE_PATH_NAMES = frozenset({"close", "aclose", "__enter__", "__exit__", "__aenter__", "__aexit__", "__del__"})


def plan_close_path(leak, analysis: Analysis) -> Fix | str:
    """A class that keeps a client and has no close method → ``close()`` with ``__enter__`` /
    ``__exit__`` (``aclose()`` with ``__aenter__`` / ``__aexit__`` for a client closed by a
    coroutine) closing it (unsafe: it adds API the class's users must call). Only for a class
    that defines none of these methods and keeps one client; the close is guarded when the
    attribute may be ``None``."""
    cls, attribute, owner = leak.cls, leak.attribute, leak.owner
    if leak.reason == "not-closed":
        return _plan_close_in_closer(leak)
    if leak.reason != "no-close":  # reopened, dropped, closed only in `__del__`
        return "when the client it drops, reopens or leaves to `__del__` should close is the author's choice"
    defined = {node.name for node in cls.body if isinstance(node, FunctionNode)}
    if defined & _CLOSE_PATH_NAMES:
        return "it defines a close or context-manager method already"
    if owner.context is None and owner.async_close:
        return "its client's close is a coroutine without `async with`"
    if any(isinstance(node, ast.ClassDef) and node is not cls and any(
            (isinstance(base, ast.Name) and base.id == cls.name)
            or (isinstance(base, ast.Attribute) and base.attr == cls.name) for base in node.bases)
           for node in walk(analysis.semantic.tree)):
        return "classes derived from it would inherit a close method for a client they may not keep"
    given = None
    if _keeps_given_or_fresh(cls, attribute):
        given = _ownership_flag(cls, attribute)
        if isinstance(given, str):
            return given
    prefix, method, enter, exit_ = ("async ", "aclose", "__aenter__", "__aexit__") if owner.async_close else (
        "", "close", "__enter__", "__exit__")
    closing = _close_of(cls, attribute, owner)
    what = "keeps"
    if given is not None:  # close only the client it built, not one its caller lent it
        flag, _, _ = given
        closing = [f"if self.{flag}:", *("    " + line for line in closing)]
        what = "built (not one it was given)"
    lines = [f"{prefix}def {method}(self):", f'    """Close the `{owner.name}` this object {what}."""']
    lines += ["    " + line for line in closing]
    lines += ["", f"{prefix}def {enter}(self):", "    return self", "",
              f"{prefix}def {exit_}(self, *exc_info):", f"    {'await ' if owner.async_close else ''}self.{method}()"]
    source = "\n".join(lines) + "\n"
    title = f"Add `{method}()`, `{enter}` and `{exit_}`"
    edit: Edit = AddMethods(pos(cls), source)
    if given is not None:
        flag, assignment, owns = given
        edit = Edits((InsertBefore(pos(assignment), f"self.{flag} = {owns}\n"), edit))
    return Fix(title, Applicability.UNSAFE, edit, span(cls))


def _ownership_flag(cls: ast.ClassDef, attribute: str) -> tuple[str, ast.Assign, str] | str:
    """For a class that keeps ``self.<attribute> = given or Client()`` (once, in a method body,
    the given side a name): the flag to record that it built the client (``_owns_session``),
    that assignment, and the flag's value (``not given``; ``given is None`` for the conditional
    forms). A reason when there is no such single assignment."""
    refusal = "it may keep the caller's client (`given or Client()`), which a close method would close too"
    assignments = [node for node in walk(cls) if isinstance(node, ast.Assign) and any(
        isinstance(t, ast.Attribute) and t.attr == attribute and isinstance(t.value, ast.Name)
        and t.value.id == "self" for t in node.targets)]
    if len(assignments) != 1 or len(assignments[0].targets) != 1:
        return refusal
    assignment = assignments[0]
    value = assignment.value
    if isinstance(value, ast.BoolOp) and isinstance(value.op, ast.Or) and len(value.values) == 2 \
            and isinstance(value.values[0], ast.Name) and isinstance(value.values[1], ast.Call):
        owns = f"not {value.values[0].id}"
    elif isinstance(value, ast.IfExp) and isinstance(value.body, ast.Call) and isinstance(value.orelse, ast.Name):
        owns = ast.unparse(value.test)  # `Client() if given is None else given`
    elif isinstance(value, ast.IfExp) and isinstance(value.orelse, ast.Call) and isinstance(value.body, ast.Name):
        owns = f"not ({ast.unparse(value.test)})"  # `given if given is not None else Client()`
    else:
        return refusal
    if value.lineno != value.end_lineno:
        return refusal
    flag = f"_owns_{attribute.lstrip('_')}"
    stored = {t.attr for node in walk(cls) if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign))
              for t in (node.targets if isinstance(node, ast.Assign) else [node.target])
              if isinstance(t, ast.Attribute)}
    defined = {node.name for node in cls.body if isinstance(node, (*FunctionNode, ast.ClassDef))}
    if flag in stored or flag in defined:
        return refusal
    return flag, assignment, owns


def _keeps_given_or_fresh(cls: ast.ClassDef, attribute: str) -> bool:
    """``self.<attribute> = given or Client()`` (or the conditional form, or a parameter) somewhere
    in the class: the object may hold a client its caller owns."""
    for node in walk(cls):
        if not isinstance(node, ast.Assign) or not any(
                isinstance(t, ast.Attribute) and t.attr == attribute and isinstance(t.value, ast.Name)
                and t.value.id == "self" for t in node.targets):
            continue
        if isinstance(node.value, (ast.BoolOp, ast.IfExp, ast.Name)):
            return True
    return False


def _close_call(target: str, owner) -> str:
    """The statement that closes the client ``target`` (source) of type ``owner``:
    ``target.close()``, awaited when its close is a coroutine (``await target.aclose()``)."""
    return f"{'await ' if owner.async_close else ''}{target}.{min(owner.close_methods)}()"


def _close_of(cls: ast.ClassDef, attribute: str, owner) -> list[str]:
    """The lines (unindented) that close ``self.<attribute>``: awaited for a client closed by a
    coroutine, under ``if self.<attribute> is not None:`` when the class ever sets it to ``None``."""
    target = f"self.{attribute}"
    close = _close_call(target, owner)
    may_be_none = any(
        isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and node.value.value is None
        and any(isinstance(t, ast.Attribute) and t.attr == attribute and isinstance(t.value, ast.Name)
                and t.value.id == "self" for t in node.targets)
        for node in walk(cls)
    )
    return [f"if {target} is not None:", f"    {close}"] if may_be_none else [close]


def _plan_close_in_closer(leak) -> Fix | str:
    """The class's close method leaves the client open: close it there, last (before a final
    ``return``), guarded when the attribute may be ``None``."""
    methods = {node.name: node for node in leak.cls.body if isinstance(node, FunctionNode)}
    preferred = [name for name in ("close", "aclose", "shutdown", "__exit__", "__aexit__") if name in leak.closers]
    if not preferred:
        return "its close method is not one the fix knows where to extend"
    method = methods[preferred[0]]
    owner, attribute = leak.owner, leak.attribute
    is_async = isinstance(method, ast.AsyncFunctionDef)
    if owner.async_close and not is_async:
        return f"`{method.name}` is not `async def`, and the client's close is a coroutine"
    source = "\n".join(_close_of(leak.cls, attribute, owner)) + "\n"
    return Fix(f"Close `self.{attribute}` in `{method.name}()`", Applicability.UNSAFE, AppendToFunction(pos(method), source),
               span(method))


def plan_await(call: ast.Call, analysis: Analysis) -> Fix | str:
    scope = analysis.semantic.scope(call)
    if not scope.is_async:
        return "it is not in an `async def`, where it could be awaited"
    return Fix("Await the close", Applicability.SAFE, AwaitCall(pos(call)), span(call))


def plan_async_with(call: ast.Call, analysis: Analysis) -> Fix | str:
    withitem = analysis.semantic.parent(call)
    with_stmt = analysis.semantic.parent(withitem) if withitem is not None else None
    if not isinstance(with_stmt, ast.With):
        return "it is not entered by a plain `with`"
    if not analysis.semantic.scope(call).is_async:
        return "`async with` needs an `async def`"
    if len(with_stmt.items) != 1:
        return "its `with` enters several things"
    return Fix("Use `async with`", Applicability.SAFE, MakeAsyncWith(pos(with_stmt)), span(with_stmt))


def plan_context_mismatch(mismatch, analysis: Analysis) -> Fix | str:
    """Fixes for a ``with`` that cannot work (HTL402), each unsafe as it turns an error into
    running code: an httpx response entered with ``with`` (it is read and closed already) →
    ``response = client.get(u)`` and the body; ``http.client`` connections →
    ``contextlib.closing(...)``; ``async with httpx.Client()`` → ``httpx.AsyncClient`` with
    each of its requests awaited; ``response = await aiohttp.request(…)`` → ``async with
    aiohttp.request(…) as response:`` around its uses."""
    sm, call, owner = analysis.semantic, mismatch.call, mismatch.owner
    node: ast.AST = call
    if isinstance(sm.parent(node), ast.Await):
        node = sm.parent(node)
    withitem = sm.parent(node)
    statement = sm.parent(withitem) if isinstance(withitem, ast.withitem) else None
    if mismatch.awaited:
        return _plan_request_context(call, analysis)
    if mismatch.no_protocol:
        if owner.library == "http.client" and node is call:
            if sm.module_scope.imports.get("contextlib", "contextlib") != "contextlib":
                return "it needs a rewrite"
            return Fix("Wrap it in `contextlib.closing`", Applicability.UNSAFE,
                       WrapCall(pos(call), "contextlib.closing"), span(call))
        if owner.library == "http.client" or not isinstance(statement, (ast.With, ast.AsyncWith)) \
                or len(statement.items) != 1:
            return "it needs a rewrite"
        target = withitem.optional_vars
        if target is not None and not isinstance(target, ast.Name):
            return "it needs a rewrite"
        block = _block_of(analysis, statement)
        if block is None or not _alone_on_its_line(analysis, statement, block):
            return "it needs a rewrite"
        edit: Edit = UnwrapWith(pos(statement), target.id if target is not None else None)
        return Fix("Assign the response (it is read already)", Applicability.UNSAFE, edit, span(statement))
    if mismatch.is_async_with:
        return _plan_to_async_client(call, statement, analysis)
    return "it needs a choice between `with` and an async client"


def _plan_to_async_client(call: ast.Call, statement, analysis: Analysis) -> Fix | str:
    why = "it needs a choice between `with` and an async client"
    sm = analysis.semantic
    func = call.func
    if not (isinstance(func, ast.Attribute) and func.attr == "Client"
            and analysis.semantic.scope(call).is_async and isinstance(statement, ast.AsyncWith)
            and len(statement.items) == 1 and isinstance(statement.items[0].optional_vars, ast.Name)):
        return why
    if not (sm.qualified_name(func, sm.scope(call)) or "").startswith("httpx"):
        return why
    acq = next((a for a in analysis.acquisitions if a.call is call), None)
    if acq is None or acq.owner is None:
        return why
    awaits = []
    for use in acq.uses:
        if use.kind is UseKind.WITH:
            continue
        request = sm.parent(sm.parent(use.node))
        method = sm.parent(use.node)
        if use.kind is not UseKind.REQUEST or not (
                isinstance(method, ast.Attribute) and isinstance(request, ast.Call) and request.func is method):
            return why  # handed on, configured or read: its callers would need changing too
        if isinstance(sm.parent(request), ast.Await) or any(
                isinstance(n, (ast.Lambda, *FunctionNode)) for n in _ancestors(sm, request, statement)):
            return why
        reader = sm.parent(request)
        awaits.append((pos(request), isinstance(reader, (ast.Attribute, ast.Subscript, ast.Call))
                       and getattr(reader, "value", getattr(reader, "func", None)) is request))
    edit = ToAsyncClient(pos(call), "AsyncClient", tuple(sorted(awaits)))
    return Fix("Use `httpx.AsyncClient` and await its requests", Applicability.UNSAFE, edit, span(statement))


def _plan_request_context(call: ast.Call, analysis: Analysis) -> Fix | str:
    """``response = await aiohttp.request(…)`` and its uses, in one block → ``async with``."""
    why = "it needs the body moved under `async with`"
    sm = analysis.semantic
    awaited = sm.parent(call)
    statement = sm.parent(awaited)
    if not (isinstance(awaited, ast.Await) and isinstance(statement, ast.Assign) and statement.value is awaited
            and len(statement.targets) == 1 and isinstance(statement.targets[0], ast.Name)):
        return why
    name, scope = statement.targets[0].id, sm.scope(call)
    block = _block_of(analysis, statement)
    if block is None or sum(1 for store in scope.stores if store.id == name) != 1 or \
            not _alone_on_its_line(analysis, statement, block):
        return why
    loads = _loads_in(analysis, name, scope)
    if loads is None:
        return why
    first = next(i for i, s in enumerate(block) if s is statement)
    ids = {id(s): i for i, s in enumerate(block)}
    indexes = [_top_statement_in(analysis, load, block, ids) for load in loads]
    if not indexes or any(i is None or i <= first for i in indexes):
        return why
    last = max(indexes)
    if any(isinstance(n, (ast.Yield, ast.YieldFrom)) for n in own_nodes(block[first:last + 1])) or not all(
            _alone_on_its_line(analysis, block[i], block, i) for i in range(first, last + 1)):
        return why
    edit = WrapInWith(pos(statement), pos(block[last]), name, True, None, True)
    return Fix("Use `async with`", Applicability.UNSAFE, edit, span(*block[first:last + 1]))


__all__ = [
    "Applicability", "Fix", "Edit", "AwaitCall", "MakeAsyncWith", "WrapInWith", "TryFinally", "HoistWith",
    "SessionAroundStatement", "plan_context_manager", "plan_exception_safe_release", "plan_hoist",
    "plan_session_around_loop", "plan_await", "plan_async_with", "AddKeyword", "plan_add_timeout",
    "plan_bound_timeout", "ToThread", "plan_to_thread", "HoistAssign", "ShareClient", "plan_share_client",
    "AddMethods", "plan_close_path", "WrapStatement", "AppendToFunction",
]
