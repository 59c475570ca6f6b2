"""The control-flow graph of httplint.flow: edges for branches, loops, try and exits."""

from __future__ import annotations

import ast
import textwrap

from httplint.flow import EXIT, FlowGraph


def graph(source: str) -> tuple[FlowGraph, dict[str, ast.stmt]]:
    """The graph of the one function in ``source``, and its statements by the name each
    assigns or calls (``x = ...`` → ``x``, ``f()`` → ``f``, ``raise E`` → ``raise E``)."""
    function = ast.parse(textwrap.dedent(source)).body[0]
    names = {}
    for node in ast.walk(function):
        if isinstance(node, ast.Assign):
            names[node.targets[0].id] = node
        elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
            names[node.value.func.id] = node
        elif isinstance(node, ast.Raise):
            names[f"raise {ast.unparse(node.exc) if node.exc else ''}".strip()] = node
        elif isinstance(node, ast.Return):
            names[f"return {ast.unparse(node.value) if node.value else ''}".strip()] = node
    return FlowGraph(function), names


def reaches(g: FlowGraph, start: ast.AST, target: ast.AST, avoiding=()) -> bool:
    return any(node is target for node in g.reachable(start, {id(n) for n in avoiding}))


def test_branches_are_exclusive() -> None:
    g, n = graph("""
        def f(x):
            if x:
                a = 1
            else:
                b = 2
            c = 3
    """)
    assert not reaches(g, n["a"], n["b"]) and reaches(g, n["a"], n["c"]) and reaches(g, n["b"], n["c"])
    assert reaches(g, n["c"], EXIT)


def test_loops_break_and_continue() -> None:
    g, n = graph("""
        def f(items):
            for item in items:
                a = 1
                if item:
                    break
                b = 2
            else:
                c = 3
            d = 4
    """)
    assert reaches(g, n["b"], n["a"])  # the back edge
    assert reaches(g, n["a"], n["c"]) and reaches(g, n["a"], n["d"])
    brk = next(node for node in g.successors if isinstance(node, ast.Break))
    assert n["d"] in g.successors[brk] and not reaches(g, brk, n["c"])


def test_raise_goes_to_the_handlers_and_return_through_finally() -> None:
    g, n = graph("""
        def f(x):
            try:
                a = 1
                if x:
                    raise ValueError
                return a
            except ValueError:
                handled()
            finally:
                cleanup()
            after()
    """)
    raised, returned = n["raise ValueError"], n["return a"]
    assert reaches(g, raised, n["handled"]) and reaches(g, raised, n["cleanup"])
    assert not reaches(g, returned, n["handled"]) and reaches(g, returned, n["cleanup"])
    assert reaches(g, returned, EXIT, avoiding=()) and not reaches(g, returned, EXIT, avoiding=[n["cleanup"]])


def test_uncaught_raise_leaves_the_function() -> None:
    g, n = graph("""
        def f(x):
            a = 1
            if x:
                raise KeyError
            b = 2
    """)
    assert g.successors[n["raise KeyError"]] == [EXIT]
    assert not reaches(g, n["raise KeyError"], n["b"])
