from __future__ import annotations

from typing import Iterator

from ..fix import Applicability, plan_context_manager
from ..resources import Analysis, State
from ..rule import Rule


class ResponseNeverReleased(Rule):
    """
    ## What it does
    Checks for a response that holds its connection until released, and is neither
    read to the end, nor closed or released, nor handed on (returned, yielded,
    stored, passed to another callable). Such responses are:

    - requests: `stream=True` on `requests.get` …, or on a `Session` method;
    - httpx: `client.send(request, stream=True)`;
    - urllib3: `preload_content=False` on `request` / `urlopen` of a pool or manager;
    - aiohttp: `response = await session.get(...)` (not `async with`);
    - stdlib: `urllib.request.urlopen(...)`.

    A `urlopen(...)` call whose result is dropped at once (a bare statement, or used inline:
    `urlopen(req).status == 200`) is not flagged: the stdlib does not pool, and CPython
    closes the dropped response at once. Nor is `conn.request(..., preload_content=False)` on
    a low-level `urllib3.connection.HTTPConnection`, which returns `None` (the response is
    `conn.getresponse()`'s).

    Reading the body to the end (`.content`, `.text`, `.json()`, `.read()`,
    `await response.text()`, iterating it) releases the connection, and so does
    `with` / `async with` or `contextlib.closing`.

    A call of any object with `_preload_content=False` (the OpenAPI-generated clients,
    kubernetes among them, return urllib3's raw response then) holds its connection the
    same way, in a file that is checked (one that uses an HTTP library).

    A `urllib.request.urlopen` response read only partly (`response.read(4)`,
    `response.readline()`, once, not in a loop) keeps its socket open the same way.

    One cause, one finding does not merge this rule with HTL301: a request with no timeout
    whose response is never released has two defects (it can hang, and it keeps its
    connection), with two fixes, and both are reported.

    A request that a `with pytest.raises(...)` / `self.assertRaises(...)` block expects to
    fail (the block's last statement) returns no response.

    ## Why is this bad?
    The connection stays checked out of the pool. With requests and urllib3 the pool
    opens extra sockets ("Connection pool is full, discarding connection") or, with
    `pool_block=True`, the next request blocks forever; with httpx a dropped streamed
    response holds its pool slot until the client closes (`PoolTimeout`); with aiohttp
    the connector slot stays acquired and later requests time out.

    ## Example
    ```python
    import requests


    def first_line(url):
        response = requests.get(url, stream=True, timeout=10)
        for line in response.iter_lines():
            return line
    ```

    ## Use instead
    ```python
    import requests


    def first_line(url):
        with requests.get(url, stream=True, timeout=10) as response:
            for line in response.iter_lines():
                return line
    ```

    ## Fix safety
    When the response is assigned to a name and every use lies in the same block, the
    fix wraps the statements from the request to the last use in `with` (`async with
    session.get(...) as response:` for aiohttp, `contextlib.closing` for httpx, whose
    responses are not context managers, and `try` / `finally: await response.aclose()`
    for httpx async responses, since `contextlib.aclosing` needs Python 3.10). For
    urllib3 it wraps them in `try` / `finally: response.release_conn()` instead, because
    urllib3's `__exit__` closes the socket without returning the connection to the
    pool. A response never bound to a name is released where it is made: a discarded one
    gets `.close()` called on it (`(await session.post(url)).release()` for aiohttp,
    `.release_conn()` for urllib3), and a statement that reads one value from it
    (`return session.get(url, stream=True).status_code`) is wrapped in `with
    session.get(url, stream=True) as response:`. A response bound on several branches (`if
    …: r = urlopen(a) else: r = urlopen(b)`) or in a nested block and used after it gets
    `with contextlib.ExitStack() as stack:` around the statements from the enclosing one to
    its last use, each request entered where it is (`r = stack.enter_context(urlopen(a))`);
    not when another binding of the name is not such a request. The fix is safe: the
    response is released after its last use, which nothing after it can observe.

    ## References
    - [requests: Body content workflow](https://requests.readthedocs.io/en/latest/user/advanced/#body-content-workflow)
    - [httpx: Streaming responses](https://www.python-httpx.org/quickstart/#streaming-responses)
    - [urllib3: Streaming and I/O](https://urllib3.readthedocs.io/en/stable/advanced-usage.html#streaming-and-i-o)
    - [aiohttp: Client quickstart](https://docs.aiohttp.org/en/stable/client_quickstart.html)
    - No equivalent in ruff, pylint, bandit or flake8-async.
    """

    code = "HTL201"
    fixable = True
    name = "response-never-released"
    summary = "Streamed response never read, closed or released"

    def check(self, analysis: Analysis) -> Iterator[tuple[object, str]]:
        for acq in analysis.acquisitions:
            response = acq.response
            if response is None or acq.state is not State.LEAKED:
                continue
            if acq.how in ("discarded", "inline") and not response.pooled:
                continue  # `urlopen(req)` as a statement or `urlopen(req).status == 200`: no pool slot, and
                # the response is dropped, so closed, at once by reference counting
            if response.context == "async":
                how = "`async with`"
            elif response.context == "sync":
                how = "`with`"
            else:
                how = "`contextlib.closing`"
            subject = f"Response `{acq.name}`" if acq.name else f"`{response.name}`"
            if acq.factory:
                subject += f" (from `{acq.factory}()`)"
            if acq.replaced_at is not None:
                subject += f" (rebound on line {acq.replaced_at.lineno} while still held)"
            partly = any(u.call is not None and getattr(u.call.func, "attr", "") in response.partial_reads
                         for u in acq.uses)
            state = "is read only partly and never closed" if partly else "is never read or closed"
            yield acq.call, (
                f"{subject} holds its connection and {state}: use {how}"
            ), plan_context_manager(acq, analysis, Applicability.SAFE)
