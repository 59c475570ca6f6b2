"""Paths within one function: where a held object leaves without being released.

The lifetime analysis (:mod:`httplint.resources`) is flow-insensitive: every use of a name counts.
This layer adds the path questions the rules ask on top of it, on the function's control-flow
graph (:mod:`httplint.flow`): between acquiring a client or a held response and the ``return``
that hands it to the caller, which explicit ``raise`` and ``return`` statements leave the
function with it still held; and which ``raise`` leaves the loop that reads a response to its
end. Implicit exceptions of calls are not followed (the download idiom
``r = get(u, stream=True); r.raise_for_status(); return r`` stays silent).
"""

from __future__ import annotations

import ast

from .flow import EXIT, FlowGraph
from .model import Acquisition, UseKind
from .semantic import SemanticModel, own_nodes, walk


def early_exits(sm: SemanticModel, acq: Acquisition, graphs: dict[int, FlowGraph]) -> list[ast.stmt]:
    """The explicit ``raise`` and ``return`` statements that a path from the acquisition
    reaches, on the function's flow graph (:mod:`httplint.flow`), before anything releases it
    or hands it on: ``r = get(u, stream=True)`` … ``if bad: raise Error()`` … ``return r``.

    Only when every escape is ``return <name>`` (stored or passed on, it may be someone else's
    already). A statement that releases, reads to the end, enters or hands it on ends a path;
    so does a ``return`` that names it. ``graphs``: the flow graphs built so far, by function.
    Implicit exceptions of calls are no path (``r.raise_for_status()``: the download idiom
    stays silent)."""
    escapes = [u for u in acq.uses if u.kind is UseKind.ESCAPE]
    if not escapes or not all(_returned_as_is(sm, u.node) for u in escapes):
        return []
    graph = _graph(acq.scope.node, graphs)
    stop = {id(sm.statement_of(u.node)) for u in acq.uses if u.kind in _ENDS}
    exits = []
    for node in graph.reachable(acq.statement, stop):
        if id(node) in stop or not isinstance(node, (ast.Raise, ast.Return)):
            continue
        if isinstance(node, ast.Return) and node.value is not None and any(
            isinstance(n, ast.Name) and n.id == acq.name for n in walk(node.value)
        ):
            continue  # hands it on too
        if _leaves(graph, node, stop):
            exits.append(node)
    return sorted(exits, key=lambda n: (n.lineno, n.col_offset))


#: Uses that end a path for :func:`early_exits`: the object is released or handed on there.
_ENDS = (UseKind.RELEASE, UseKind.CONSUME, UseKind.WITH, UseKind.REGISTERED, UseKind.ESCAPE)


def _returned_as_is(sm: SemanticModel, node: ast.AST) -> bool:
    """``return node`` or ``return a, node`` (a tuple of the return value)."""
    parent = sm.parent(node)
    if isinstance(parent, ast.Tuple):
        parent = sm.parent(parent)
    return isinstance(parent, ast.Return)


def raises_while_reading(sm: SemanticModel, acq: Acquisition, graphs: dict[int, FlowGraph]) -> list[ast.stmt]:
    """The ``raise`` statements inside the ``for`` loop that reads a held response to its end
    that leave the function, when nothing else releases it: ``for chunk in r.iter_content():
    if too_big: raise ...`` leaves the rest of the body unread and the connection held. A
    ``raise`` caught by a handler inside the function is not one (the handler's own exit is)."""
    if acq.response is None or acq.how != "assign" or any(
        u.kind in (UseKind.RELEASE, UseKind.WITH, UseKind.REGISTERED, UseKind.ESCAPE) for u in acq.uses
    ):
        return []
    graph = _graph(acq.scope.node, graphs)
    exits = []
    for use in acq.uses:
        if use.kind is not UseKind.CONSUME:
            continue
        loop = _reading_loop(sm, use.node)
        if loop is None:
            continue
        # leaving the loop: the function's exit is reached without going round the loop again
        exits.extend(node for node in own_nodes(loop.body) if isinstance(node, ast.Raise)
                     and _leaves(graph, node, {id(loop)}))
    return exits


def _graph(function: ast.AST, graphs: dict[int, FlowGraph]) -> FlowGraph:
    graph = graphs.get(id(function))
    if graph is None:
        graph = graphs[id(function)] = FlowGraph(function)
    return graph


def _leaves(graph: FlowGraph, node: ast.stmt, stop: set[int]) -> bool:
    """``node`` (a ``raise`` or ``return``) takes the function's exit itself, along no statement
    in ``stop``: not caught by a handler (whose own exit is the one that leaves), nor passing
    a ``finally`` in ``stop``."""
    onward = stop | {id(n) for n in graph.successors if isinstance(n, (ast.Raise, ast.Return)) and n is not node}
    return any(after is EXIT for after in graph.reachable(node, onward))


def _reading_loop(sm: SemanticModel, node: ast.AST) -> ast.AST | None:
    """The ``for`` loop whose iterable holds ``node`` (``r``, ``r.iter_content()``)."""
    child, parent = node, sm.parent(node)
    while parent is not None and not isinstance(parent, ast.stmt):
        child, parent = parent, sm.parent(parent)
    if isinstance(parent, (ast.For, ast.AsyncFor)) and child is parent.iter:
        return parent
    return None
