from __future__ import annotations

import ast
from typing import Iterator

from .. import libraries as lib
from ..fix import plan_share_client
from ..resources import Analysis, State, UseKind
from ..rule import Rule
from ..semantic import parameters, walk

_KINDS = frozenset({"session", "client", "pool"})


class SingleRequestClient(Rule):
    """
    ## What it does
    Checks for a function that constructs an HTTP client, session or pool, sends exactly
    one request through it and drops it, even when it is closed properly with `with`.
    Every call of the function then pays for a new connection pool.

    It stays silent when the client is passed in, returned, yielded or stored; when the
    variable may also hold a client the caller gave (`session = given or Session()`,
    `if session is None: session = Session()`); when the client is configured per call
    (`**kwargs`, a `transport=`, `connector=` or `mounts=` built for the call, as SSRF
    guards are, or an adapter mounted from the call's values: `session.mount("https://",
    PinnedAdapter(fingerprint))`); when the client is a fallback built only when the caller
    passed none (`if session is None: with Session() as session: ...`); when the function
    runs once per key (`@functools.lru_cache`, `@cache`, or a `return` from a module-level
    cache before the client is built); when the function is a one-shot session helper
    like `requests.get` itself (`def http_get(url, **kw): with Session() as s: return
    s.get(url, **kw)`: it returns the response of its one request and sends what it is
    given), whose calls in a loop HTL103 reports instead; when it
    serves several requests or a loop of them; when its one request is a stream or a
    websocket (`client.stream(...)`, `stream=True`, `ws_connect`), whose transfer
    outlasts the connection setup; in the function that runs once per
    program (`main`, a CLI command, a coroutine given to `asyncio.run`, a function
    that module-level code calls, as in aiohttp's own README); and in test functions.

    One cause, one finding: a client built for a single request and never closed is
    reported here alone ("built for a single request and never closed"), not also as
    HTL104, since one long-lived client fixes both; HTL104 still reports it when this rule
    is not selected. A missing timeout on its request is a separate defect (HTL301).

    ## Why is this bad?
    A session per call gets no connection reuse: each call opens a new TCP and TLS
    connection, and the client side collects `TIME_WAIT` sockets under load. The
    function is usually called per request of the service that uses it, which is the
    same as building a client per request.

    ## Example
    ```python
    import httpx


    def get_user(user_id):
        with httpx.Client(base_url="https://api.example.com") as client:
            return client.get(f"/users/{user_id}").json()
    ```

    ## Use instead
    ```python
    import httpx


    def get_user(client: httpx.Client, user_id):
        return client.get(f"/users/{user_id}").json()
    ```

    ## Fix safety
    For a requests `Session`, an httpx `Client` or a urllib3 pool built from constants (and
    module-level names defined before the function) and used for nothing but its one request,
    the fix defines one client at module level (`_SESSION = requests.Session()`, before the
    function or class) and has the function send through it: `with requests.Session() as
    session:` becomes `session = _SESSION`, `httpx.Client().get(url)` becomes
    `_CLIENT.get(url)`, and a close of it in the same block is removed (a `try` whose
    `finally` held only that close is replaced by its body). It
    is unsafe: the client now lives as long as the program and is shared by every call (and
    thread), so cookies, auth and headers set by one response or call carry over to the next,
    and a client configured per call would lose that configuration (such clients get no fix).
    No fix for async clients (aiohttp, `httpx.AsyncClient`): they need an owner that closes
    them inside the event loop, which the author must choose; nor for clients from factories.

    ## References
    - [httpx: Why use a Client?](https://www.python-httpx.org/advanced/clients/)
    - [requests: Session objects](https://requests.readthedocs.io/en/latest/user/advanced/#session-objects)
    - No equivalent in ruff, pylint, bandit or flake8-async.
    """

    code = "HTL102"
    fixable = True
    subsumes = frozenset({"HTL104"})
    name = "single-request-client"
    summary = "HTTP client constructed for a single request"

    def check(self, analysis: Analysis) -> Iterator[tuple[object, str]]:
        for acq in analysis.acquisitions:
            owner = acq.owner
            if owner is None or owner.kind not in _KINDS or acq.loop is not None:
                continue
            if acq.scope.is_module or acq.state is State.ESCAPED or acq.rebound or acq.session_helper:
                continue  # a session helper like `requests.get`: its calls in a loop are HTL103
            if acq.how not in ("with", "async-with", "assign", "inline"):
                continue
            if _configured_per_call(acq.call):
                continue
            function = acq.scope.node
            if function in analysis.entry_points or getattr(function, "name", "").startswith("test"):
                continue
            if _runs_once_per_key(function, acq.statement, analysis.semantic):
                continue  # `@lru_cache`, or `if key in _CACHE: return _CACHE[key]` before building
            if _fallback_branch(function, acq.statement, analysis.semantic):
                continue  # `if session is None: with Session() as session: ...` else the caller's
            if _mounts_per_call(acq, function, analysis.semantic):
                continue  # `session.mount("https://", PinnedAdapter(fingerprint))`
            if any(u.kind is UseKind.BORROW for u in acq.uses):
                continue  # lent to a function of the project: it may send more
            requests = acq.requests
            if len(requests) != 1 or requests[0].loop is not None or requests[0].nested:
                continue
            call = requests[0].call
            if isinstance(call, ast.Call) and _is_long_lived(call):
                continue
            leak = " and never closed" if acq.state is State.LEAKED else ""
            origin = f" from `{acq.factory}()`" if acq.factory else ""
            yield acq.call, (
                f"`{owner.name}`{origin} built for a single request{leak}: reuse one long-lived client instead"
            ), plan_share_client(acq, analysis)


def _decorator_name(decorator: ast.expr) -> str:
    node = decorator.func if isinstance(decorator, ast.Call) else decorator
    return node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", "")


def _runs_once_per_key(function: ast.AST, statement: ast.stmt, semantic) -> bool:
    """The function's body runs once per key: a memoising decorator, or a ``return`` of a
    module-level cache (``return _CACHE[key]``, ``return _CONFIG``) before the client is built."""
    if any(_decorator_name(d) in lib.CACHING_DECORATORS for d in getattr(function, "decorator_list", ())):
        return True
    module = semantic.module_scope
    for node in walk(function):
        if not isinstance(node, ast.Return) or node.value is None or node.lineno >= statement.lineno:
            continue
        value = node.value
        if isinstance(value, ast.Subscript):
            value = value.value
        elif isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) and value.func.attr == "get":
            value = value.func.value
        if isinstance(value, ast.Name) and value.id in module.bound and value.id not in module.imports \
                and semantic.scope(node) is semantic.scope(statement):
            return True
    return False


def _fallback_branch(function: ast.AST, statement: ast.stmt, semantic) -> bool:
    """``statement`` lies in a branch of ``if client is None`` / ``if not client`` / ``if client``
    where ``client`` is a parameter that defaults to ``None`` (of the function, or of one that
    encloses it): built only when the caller gave none."""
    optional: set[str] = set()
    for scope in semantic.scope(statement).outward():  # a closure sees its definer's parameters
        if isinstance(scope.node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            optional |= _none_defaults(scope.node)
    if not optional:
        return False
    def tests_optional(test: ast.expr) -> bool:
        return any(isinstance(n, ast.Name) and n.id in optional for n in walk(test))

    node: ast.AST | None = statement
    while node is not None and node is not function:
        parent = semantic.parent(node)
        if isinstance(parent, ast.If) and node is not parent.test and tests_optional(parent.test):
            return True
        for block in ("body", "orelse", "finalbody"):
            statements = getattr(parent, block, None)
            if isinstance(statements, list) and node in statements:
                # `if session is not None: return session.get(u)` earlier in the same block
                earlier = statements[:statements.index(node)]
                if any(isinstance(st, ast.If) and tests_optional(st.test) and isinstance(st.body[-1], ast.Return)
                       for st in earlier):
                    return True
        node = parent
    return False


def _none_defaults(function: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    """The parameters of ``function`` that default to ``None``."""
    args = function.args
    positional = [*args.posonlyargs, *args.args]
    defaults = dict(zip([a.arg for a in positional[len(positional) - len(args.defaults):]], args.defaults))
    defaults.update({a.arg: d for a, d in zip(args.kwonlyargs, args.kw_defaults) if d is not None})
    return {name for name, d in defaults.items() if isinstance(d, ast.Constant) and d.value is None}


def _mounts_per_call(acq, function: ast.AST, semantic) -> bool:
    """The session gets an adapter built from this call's values (``session.mount(prefix,
    PinnedAdapter(fingerprint))``, a parameter or local): requests takes no adapter per request."""
    if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return False
    local = parameters(function) - {"self", "cls"}  # and the names computed from them
    assigns = [n for n in walk(function) if isinstance(n, ast.Assign)]
    for _ in range(2):
        for assign in assigns:
            if any(isinstance(n, ast.Name) and n.id in local for n in walk(assign.value)):
                local |= {t.id for t in assign.targets if isinstance(t, ast.Name)}
    for use in acq.uses:
        parent = semantic.parent(use.node)
        call = semantic.parent(parent) if isinstance(parent, ast.Attribute) else None
        if not (isinstance(call, ast.Call) and call.func is parent and parent.attr == "mount" and len(call.args) == 2):
            continue
        if any(isinstance(n, ast.Name) and n.id in local and n.id != acq.name for n in walk(call.args[1])):
            return True
    return False


def _is_long_lived(call: ast.Call) -> bool:
    """A websocket or a streamed body: the connection setup is small beside the transfer."""
    method = getattr(call.func, "attr", "")
    if method in ("ws_connect", "stream"):
        return True
    return any(
        k.arg == "stream" and isinstance(k.value, ast.Constant) and k.value.value is True for k in call.keywords
    )


_PER_CALL_KEYWORDS = frozenset({"transport", "connector", "mounts"})


def _configured_per_call(call: ast.Call) -> bool:
    """Settings passed through (``**kwargs``) or a transport built for this call."""
    return any(k.arg is None or k.arg in _PER_CALL_KEYWORDS for k in call.keywords)
