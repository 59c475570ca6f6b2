from __future__ import annotations

from typing import Iterator

from ..fix import plan_hoist
from ..resources import Analysis, State
from ..rule import Rule


class ClientCreatedInLoop(Rule):
    """
    ## What it does
    Checks for an HTTP client, session, pool or connector constructed inside a loop
    body or a comprehension and used there, so that every iteration builds (and
    drops) its own connection pool.

    Retry and polling loops (a loop that sleeps between attempts, or catches the failure
    and goes round again) are left alone, and so is a loop that builds clients to keep
    them (`clients.append(httpx.Client(base_url=u))`).

    One cause, one finding: a client built in a loop and never closed is reported here
    alone ("constructed inside a loop and never closed"), not also as HTL104; HTL104 still
    reports it when this rule is not selected.

    ## Why is this bad?
    A new client has an empty pool: every iteration opens a new TCP (and TLS)
    connection and closes it again, leaving sockets in `TIME_WAIT` on the client. Fifty
    iterations leave fifty sockets; one client shared by the loop leaves one. The
    handshakes also dominate the latency of small requests.

    ## Example
    ```python
    import requests


    def fetch_all(urls):
        pages = []
        for url in urls:
            with requests.Session() as session:
                pages.append(session.get(url, timeout=10).text)
        return pages
    ```

    ## Use instead
    ```python
    import requests


    def fetch_all(urls):
        pages = []
        with requests.Session() as session:
            for url in urls:
                pages.append(session.get(url, timeout=10).text)
        return pages
    ```

    ## Fix safety
    When the loop body enters the client with `with Client(...) as c:` directly, and the
    client's arguments do not change in the loop, the fix moves the `with` around the
    loop. The fix is unsafe: one client now serves every iteration, so state it keeps
    (cookies, auth set on it, headers changed in the loop) carries over between
    iterations, and a failure that used to be confined to one iteration's client now
    affects the shared one. A client bound with a plain assignment directly in the loop
    body (`c = Client(...)`) gets the same fix: `with Client(...) as c:` (`async with` in
    a coroutine) around the loop, or for a client that is no context manager (`http.client`)
    the assignment before the loop and `c.close()` in a `finally` after it; a close at the
    loop body's level is dropped, since the client now lives across iterations. No fix when
    it is used after the loop, closed deeper in the loop body, or built in a comprehension.

    ## References
    - [requests: Session objects](https://requests.readthedocs.io/en/latest/user/advanced/#session-objects)
    - [httpx: Why use a Client?](https://www.python-httpx.org/advanced/clients/)
    - No equivalent in ruff, pylint, bandit or flake8-async.
    """

    code = "HTL101"
    subsumes = frozenset({"HTL104"})
    fixable = True
    name = "client-created-in-loop"
    summary = "HTTP client constructed inside a loop"

    def check(self, analysis: Analysis) -> Iterator[tuple[object, str]]:
        for acq in analysis.acquisitions:
            if acq.owner is None or acq.loop is None or not acq.work_loop or acq.owner.kind == "wrapper":
                continue  # a project wrapper per item may be the design (one per account …)
            if acq.how not in ("with", "async-with") and acq.state is State.ESCAPED:
                continue
            if acq.how in ("escape", "registered"):
                continue
            leak = " and never closed" if acq.state is State.LEAKED else ""
            yield acq.call, (
                f"`{acq.owner.name}` constructed inside a loop{leak}: build it once before the loop and reuse it"
            ), plan_hoist(acq, analysis)
