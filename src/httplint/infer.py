"""The only module that imports astroid: conservative answers to "what is this?".

:func:`owner_of` answers whether an expression evaluates to a new HTTP client, and of
which type, following what ``ast`` alone cannot: a project function's return values,
a method's (``self._build_session()``), an alias (``make = make_session``), across the
modules of a project. It follows pylint's ``safe_infer`` discipline: one certain answer,
or ``None``. Library names are never inferred into site-packages: a name imported from
``requests``, ``httpx`` … is resolved from its import statement and answered by
:mod:`httplint.libraries`, so the answer is the same whether or not the HTTP libraries
are installed (pre-commit's isolated environments don't have them).

Source: pylint's ``pylint.checkers.utils.safe_infer``; astroid's inference API.
"""

from __future__ import annotations

import astroid
from astroid import nodes
from astroid.builder import AstroidBuilder

from . import libraries as lib

#: Inference depth (calls followed through functions) before giving up.
MAX_DEPTH = 4


def parse(source: str, module: str | None, path: str | None) -> nodes.Module | None:
    """An astroid module for ``source``, or ``None`` when astroid cannot build one.

    Built without astroid's transforms (its "brain" plugins for the standard library and
    popular packages): the questions asked here are about a project's own functions and
    library names read from import statements, which the plugins do not change, and loading
    them costs about a second per process (they build ``typing``, ``enum``, ``collections``).
    """
    try:
        return AstroidBuilder(astroid.MANAGER, apply_transforms=False).string_build(source, module or "", path)
    except (astroid.AstroidError, SyntaxError, RecursionError, ValueError):
        return None


def _imported_name(node: nodes.NodeNG) -> str | None:
    """The qualified name a ``Name`` / dotted ``Attribute`` refers to through an import, without importing."""
    parts: list[str] = []
    while isinstance(node, nodes.Attribute):
        parts.append(node.attrname)
        node = node.expr
    if not isinstance(node, nodes.Name):
        return None
    try:
        _, assignments = node.lookup(node.name)
    except (astroid.AstroidError, RecursionError):
        return None
    if len(assignments) != 1:
        return None
    statement = assignments[0]
    if isinstance(statement, nodes.Import):
        for name, alias in statement.names:
            if (alias or name.split(".", 1)[0]) == node.name:
                base = name if alias else name.split(".", 1)[0]
                return ".".join([base, *reversed(parts)])
    if isinstance(statement, nodes.ImportFrom) and not statement.level:
        for name, alias in statement.names:
            if (alias or name) == node.name:
                return ".".join([f"{statement.modname}.{name}", *reversed(parts)])
    return None


def owner_of(
    node: nodes.NodeNG, constructors: dict[str, lib.OwnerType], depth: int = 0, call: nodes.Call | None = None
) -> lib.OwnerType | None:
    """The client type ``node`` certainly evaluates to a new instance of, or ``None``.

    ``call``: when ``node`` is in a function being followed from a call site, that call; a
    parameter of the function then stands for the call's argument.
    """
    if depth > MAX_DEPTH:
        return None
    try:
        if isinstance(node, nodes.Call):
            return _call_owner(node, constructors, depth)
        if isinstance(node, nodes.Name):
            argument = _argument_for(node, call) if call is not None else None
            if argument is not None:
                return owner_of(argument, constructors, depth + 1)
            values = _safe_values(node)
            if values is None or len(values) != 1:
                return None
            return owner_of(values[0], constructors, depth + 1, call)
        return None
    except (astroid.AstroidError, RecursionError, AttributeError, TypeError):
        return None


def _argument_for(name: nodes.Name, call: nodes.Call) -> nodes.NodeNG | None:
    """The argument ``call`` passes for the parameter ``name`` refers to, if it is one."""
    _, assignments = name.lookup(name.name)
    if len(assignments) != 1 or not isinstance(assignments[0].parent, nodes.Arguments):
        return None
    arguments = assignments[0].parent
    for keyword in call.keywords or ():
        if keyword.arg == name.name:
            return keyword.value
    positional = [a.name for a in (*arguments.posonlyargs, *arguments.args)]
    if name.name in positional:
        index = positional.index(name.name)
        if index < len(call.args) and not any(isinstance(a, nodes.Starred) for a in call.args[: index + 1]):
            return call.args[index]
    return None


def _safe_values(node: nodes.NodeNG) -> list[nodes.NodeNG] | None:
    """The expressions assigned to a local name, when they can all be found."""
    if not isinstance(node, nodes.Name):
        return None
    _, assignments = node.lookup(node.name)
    values = []
    for assignment in assignments:
        parent = assignment.parent
        if isinstance(assignment, nodes.AssignName) and isinstance(parent, (nodes.Assign, nodes.AnnAssign)):
            if parent.value is None:
                return None
            values.append(parent.value)
        else:
            return None
    return values


def _call_owner(call: nodes.Call, constructors: dict[str, lib.OwnerType], depth: int) -> lib.OwnerType | None:
    qualified = lib.canonical(_imported_name(call.func))
    if qualified is not None:
        owner = constructors.get(qualified)
        if owner is not None:
            return owner
        top = qualified.split(".", 1)[0]
        if top in lib.LIBRARY_MODULES or top in ("httpx2", "six", "pip"):
            return None  # a library function we do not know: never inferred into site-packages
    inferred = list(_infer(call.func))
    if len(inferred) != 1:
        return None
    target = inferred[0]
    if isinstance(target, astroid.BoundMethod):
        target = target._proxied
    if isinstance(target, nodes.FunctionDef):
        return _returns_owner(target, constructors, depth + 1, call)
    if isinstance(target, nodes.ClassDef):
        return constructors.get(target.qname())
    return None


def _returns_owner(
    function: nodes.FunctionDef, constructors, depth: int, call: nodes.Call | None = None
) -> lib.OwnerType | None:
    if _memoised(function) or function.is_generator():
        return None
    returns = [r for r in function.nodes_of_class(nodes.Return, skip_klass=(nodes.FunctionDef, nodes.Lambda))
               if r.scope() is function]
    if not returns:
        return None
    found: set[lib.OwnerType] = set()
    for statement in returns:
        if statement.value is None:
            return None
        owner = owner_of(statement.value, constructors, depth, call)
        if owner is None:
            return None
        found.add(owner)
    return found.pop() if len(found) == 1 else None


def _memoised(function: nodes.FunctionDef) -> bool:
    decorators = function.decorators.nodes if function.decorators else []
    for decorator in decorators:
        text = decorator.as_string()
        if any(word in text for word in ("lru_cache", "cache", "cached_property", "property")):
            return True
    return False


def _infer(node: nodes.NodeNG) -> list[nodes.NodeNG]:
    """Every value astroid infers for ``node``; empty when any of them is unknown or inference fails."""
    try:
        values = list(node.infer())
    except (astroid.AstroidError, RecursionError, StopIteration):
        return []
    if any(value is astroid.Uninferable for value in values):
        return []
    return values
