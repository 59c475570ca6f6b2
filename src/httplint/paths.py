"""Paths within one function: where a held object leaves without being released.

The lifetime analysis (:mod:`httplint.resources`) is flow-insensitive: every use of a name counts.
This layer adds the one path question the rules ask on top of it: between acquiring a client or a
held response and the ``return`` that hands it to the caller, which explicit ``raise`` and
``return`` statements leave the function with it still held. Branches of one ``if`` / ``match``
are told apart, ``try`` blocks that may release it are respected, and a release earlier in the
same block covers the exit. Implicit exceptions of calls are not followed (the download idiom
``r = get(u, stream=True); r.raise_for_status(); return r`` stays silent).
"""

from __future__ import annotations

import ast

from .model import Acquisition, UseKind
from .semantic import SemanticModel, own_nodes


def early_exits(sm: SemanticModel, acq: Acquisition) -> list[ast.stmt]:
    """The explicit ``raise`` and ``return`` statements that leave the function between the
    acquisition and the ``return`` that hands it to the caller, with nothing releasing it
    first: ``r = get(u, stream=True)`` … ``if bad: raise Error()`` … ``return r``.

    Only when every escape is ``return <name>`` (stored or passed on, it may be someone
    else's already). Not counted: exits inside a ``try`` with a ``finally`` or a handler
    (they may release it), exits in the handler of a ``try`` around the acquisition (it is
    not bound there), exits after a release of it in the same block, and implicit
    exceptions of calls (``r.raise_for_status()``: the download idiom stays silent)."""
    escapes = [u for u in acq.uses if u.kind is UseKind.ESCAPE]
    if not escapes or not all(_returned_as_is(sm, u.node) for u in escapes):
        return []
    start = acq.statement.end_lineno or acq.statement.lineno
    end = max(sm.statement_of(u.node).lineno for u in escapes)
    function = acq.scope.node
    exits = []
    for node in own_nodes(function.body):  # type: ignore[attr-defined]
        if not isinstance(node, (ast.Raise, ast.Return)) or not start < node.lineno < end:
            continue
        if isinstance(node, ast.Return) and node.value is not None and any(
            isinstance(n, ast.Name) and n.id == acq.name for n in ast.walk(node.value)
        ):
            continue  # hands it on too
        if _exit_covered(sm, node, acq) or _exclusive(sm, node, acq.statement):
            continue
        exits.append(node)
    return exits


def _exclusive(sm: SemanticModel, first: ast.AST, second: ast.AST) -> bool:
    """``first`` and ``second`` lie in different branches of one ``if`` (or ``match``)."""
    def blocks(node: ast.AST) -> dict[int, int]:
        found = {}
        child, parent = node, sm.parent(node)
        while parent is not None:
            if isinstance(parent, ast.If) and child is not parent.test:
                found[id(parent)] = 0 if child in parent.body else 1
            elif isinstance(parent, ast.Match) and isinstance(child, ast.match_case):
                found[id(parent)] = parent.cases.index(child) + 2
            child, parent = parent, sm.parent(parent)
        return found

    mine, theirs = blocks(first), blocks(second)
    return any(key in theirs and theirs[key] != branch for key, branch in mine.items())


def _returned_as_is(sm: SemanticModel, node: ast.AST) -> bool:
    """``return node`` or ``return a, node`` (a tuple of the return value)."""
    parent = sm.parent(node)
    if isinstance(parent, ast.Tuple):
        parent = sm.parent(parent)
    return isinstance(parent, ast.Return)


def _exit_covered(sm: SemanticModel, exit_node: ast.stmt, acq: Acquisition) -> bool:
    """A ``try`` around ``exit_node`` may release it, or the acquisition is not bound there, or
    it was released earlier in the same block."""
    child: ast.AST = exit_node
    parent = sm.parent(child)
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
                    and sm.statement_of(u.node) is statement for u in acq.uses
                ):
                    return True
        child, parent = parent, sm.parent(parent)
    return False


def raises_while_reading(sm: SemanticModel, acq: Acquisition) -> list[ast.stmt]:
    """The ``raise`` statements inside the ``for`` loop that reads a held response to its end,
    when nothing else releases it: ``for chunk in r.iter_content(): if too_big: raise ...``
    leaves the rest of the body unread and the connection held. A ``try`` inside the loop
    with a handler or ``finally`` may release it, and covers what it holds."""
    if acq.response is None or acq.how != "assign" or any(
        u.kind in (UseKind.RELEASE, UseKind.WITH, UseKind.REGISTERED, UseKind.ESCAPE) for u in acq.uses
    ):
        return []
    exits = []
    for use in acq.uses:
        if use.kind is not UseKind.CONSUME:
            continue
        loop = _reading_loop(sm, use.node)
        if loop is None:
            continue
        for node in own_nodes(loop.body):
            if isinstance(node, ast.Raise) and not _inside_try(sm, node, loop):
                exits.append(node)
    return exits


def _reading_loop(sm: SemanticModel, node: ast.AST) -> ast.AST | None:
    """The ``for`` loop whose iterable holds ``node`` (``r``, ``r.iter_content()``)."""
    child, parent = node, sm.parent(node)
    while parent is not None and not isinstance(parent, ast.stmt):
        child, parent = parent, sm.parent(parent)
    if isinstance(parent, (ast.For, ast.AsyncFor)) and child is parent.iter:
        return parent
    return None


def _inside_try(sm: SemanticModel, node: ast.AST, stop: ast.AST) -> bool:
    current = sm.parent(node)
    while current is not None and current is not stop:
        if isinstance(current, (ast.Try, getattr(ast, "TryStar", ast.Try))) and (current.handlers or current.finalbody):
            return True
        current = sm.parent(current)
    return False
