from __future__ import annotations

import ast
from typing import Iterator

from ..resources import Analysis, State, UseKind
from ..rule import Rule

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
    guards are); when it
    serves several requests or a loop of them; when its one request is a stream or a
    websocket (`client.stream(...)`, `stream=True`, `ws_connect`), whose transfer
    outlasts the connection setup; in the function that runs once per
    program (`main`, a CLI command, a coroutine given to `asyncio.run`, a function
    that module-level code calls, as in aiohttp's own README); and in test functions.

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
    This rule has no automatic fix: sharing a client changes the program's structure.

    ## References
    - [httpx: Why use a Client?](https://www.python-httpx.org/advanced/clients/)
    - [requests: Session objects](https://requests.readthedocs.io/en/latest/user/advanced/#session-objects)
    - No equivalent in ruff, pylint, bandit or flake8-async.
    """

    code = "HTL102"
    name = "single-request-client"
    summary = "HTTP client constructed for a single request"

    def check(self, analysis: Analysis) -> Iterator[tuple[object, str]]:
        for acq in analysis.acquisitions:
            owner = acq.owner
            if owner is None or owner.kind not in _KINDS or acq.loop is not None:
                continue
            if acq.scope.is_module or acq.state is State.ESCAPED or acq.rebound:
                continue
            if acq.how not in ("with", "async-with", "assign", "inline"):
                continue
            if _configured_per_call(acq.call):
                continue
            function = acq.scope.node
            if function in analysis.entry_points or getattr(function, "name", "").startswith("test"):
                continue
            if any(u.kind is UseKind.BORROW for u in acq.uses):
                continue  # lent to a function of the project: it may send more
            requests = acq.requests
            if len(requests) != 1 or requests[0].loop is not None or requests[0].nested:
                continue
            call = requests[0].call
            if isinstance(call, ast.Call) and _is_long_lived(call):
                continue
            yield acq.call, (
                f"`{owner.name}` built for a single request: reuse one long-lived client instead"
            )


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
