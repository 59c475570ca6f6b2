"""A control-flow graph of one function, statement by statement, on the standard ``ast``.

Nodes are the function's statements (a compound statement stands for its header: the test of
an ``if``, the iteration of a ``for``), plus :data:`EXIT`. Edges follow Python's semantics for
``if`` / ``match`` branches, loops (``break``, ``continue``, ``else``), ``try`` (``except``,
``else``, ``finally``), ``with``, ``return`` and ``raise``. Exception edges leave only explicit
``raise`` statements: an exception any call may raise is not a path here (were it one, nothing
short of ``with`` would be safe, and the common download idiom ``r = get(u, stream=True);
r.raise_for_status(); return r`` would be reported). A ``raise`` goes to the handlers of the
innermost ``try`` around it (and to its ``finally``), else out of the function; a ``return``
goes through the ``finally`` blocks around it.

Nested functions and classes are single statements: their bodies are other graphs.
"""

from __future__ import annotations

import ast
from collections import deque
from typing import Iterable

#: The function's exit (every ``return``, an uncaught ``raise``, and falling off the end).
EXIT = ast.Pass()


class FlowGraph:
    """Successors of each statement of one function (:data:`EXIT` for leaving it).

    Args:
        function: a ``def`` / ``async def`` node.
    """

    def __init__(self, function: ast.AST) -> None:
        self.successors: dict[ast.AST, list[ast.AST]] = {EXIT: []}
        self._block(function.body, EXIT, _Context(EXIT, [], EXIT, None, None))  # type: ignore[attr-defined]

    def reachable(self, start: ast.AST, stop: set[int]) -> Iterable[ast.AST]:
        """Statements reachable from ``start`` (not included) without entering one whose id is
        in ``stop`` (those are yielded, but not gone through)."""
        seen = {id(start)}
        queue = deque(self.successors.get(start, ()))
        while queue:
            node = queue.popleft()
            if id(node) in seen:
                continue
            seen.add(id(node))
            yield node
            if id(node) not in stop:
                queue.extend(self.successors.get(node, ()))

    # -- building ---------------------------------------------------------------------

    def _edge(self, node: ast.AST, target: ast.AST) -> None:
        self.successors.setdefault(node, []).append(target)

    def _block(self, statements: list[ast.stmt], after: ast.AST, ctx: _Context) -> ast.AST:
        """Add ``statements`` (followed by ``after``); return the block's first node."""
        following = after
        for statement in reversed(statements):
            self._statement(statement, following, ctx)
            following = statement
        return following

    def _statement(self, node: ast.stmt, after: ast.AST, ctx: _Context) -> None:
        self.successors.setdefault(node, [])
        if isinstance(node, ast.If):
            self._edge(node, self._block(node.body, after, ctx))
            self._edge(node, self._block(node.orelse, after, ctx) if node.orelse else after)
        elif isinstance(node, (ast.For, ast.AsyncFor, ast.While)):
            loop = ctx.inside_loop(node, after)
            self._edge(node, self._block(node.body, node, loop))
            self._edge(node, self._block(node.orelse, after, ctx) if node.orelse else after)
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            self._edge(node, self._block(node.body, after, ctx))
        elif isinstance(node, ast.Match):
            for case in node.cases:
                self._edge(node, self._block(case.body, after, ctx))
            self._edge(node, after)  # no case matched
        elif isinstance(node, (ast.Try, getattr(ast, "TryStar", ast.Try))):
            self._try(node, after, ctx)
        elif isinstance(node, ast.Return):
            self._edge(node, ctx.returns)
        elif isinstance(node, ast.Raise):
            for target in ctx.raises:
                self._edge(node, target)
        elif isinstance(node, ast.Break) and ctx.break_to is not None:
            self._edge(node, ctx.break_to)
        elif isinstance(node, ast.Continue) and ctx.continue_to is not None:
            self._edge(node, ctx.continue_to)
        else:
            self._edge(node, after)

    def _try(self, node: ast.Try, after: ast.AST, ctx: _Context) -> None:
        if node.finalbody:
            # leaving by falling through, `return` or an uncaught `raise` runs `finally` first
            final = self._block(node.finalbody, after, ctx)
            for last in _last_statements(node.finalbody):
                self._edge(last, ctx.returns)
                for target in ctx.raises:
                    self._edge(last, target)
            inner = ctx.through_finally(final)
        else:
            final, inner = after, ctx
        handlers = [self._block(h.body, final, inner) for h in node.handlers]
        orelse = self._block(node.orelse, final, inner) if node.orelse else final
        body_ctx = inner.raising_to(handlers + ([final] if node.finalbody else []) or inner.raises)
        self._edge(node, self._block(node.body, orelse, body_ctx))


class _Context:
    """Where ``return``, ``raise``, ``break`` and ``continue`` go from a block."""

    def __init__(self, returns: ast.AST, raises: list[ast.AST], exit_: ast.AST, break_to, continue_to) -> None:
        self.returns = returns
        self.raises = raises or [exit_]
        self.exit = exit_
        self.break_to = break_to
        self.continue_to = continue_to

    def inside_loop(self, loop: ast.AST, after: ast.AST) -> _Context:
        return _Context(self.returns, self.raises, self.exit, after, loop)

    def through_finally(self, final: ast.AST) -> _Context:
        return _Context(final, [final], self.exit, self.break_to, self.continue_to)

    def raising_to(self, targets: list[ast.AST]) -> _Context:
        return _Context(self.returns, targets, self.exit, self.break_to, self.continue_to)


def _last_statements(block: list[ast.stmt]) -> list[ast.stmt]:
    """The statements a block can end on (its last one, or the ends of a trailing ``if``)."""
    if not block:
        return []
    last = block[-1]
    if isinstance(last, ast.If):
        return _last_statements(last.body) + (_last_statements(last.orelse) if last.orelse else [last])
    return [last]
