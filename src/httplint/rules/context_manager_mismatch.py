from __future__ import annotations

from typing import Iterator

from ..fix import plan_async_with, plan_context_mismatch
from ..resources import Analysis
from ..rule import Rule


class ContextManagerMismatch(Rule):
    """
    ## What it does
    Checks for an async-only owner entered with a plain `with` (`aiohttp.ClientSession`,
    an aiohttp connector, `httpx.AsyncClient`, `session.get(...)` of an aiohttp
    session, `aiohttp.request(...)`), and for a sync-only owner entered with
    `async with` (`httpx.Client`, `requests.Session`, urllib3 pools). Also checks for
    objects with no context-manager protocol at all entered with `with`: an
    `httpx.Response` (`with client.get(url) as response`) and an
    `http.client.HTTPConnection`. And `aiohttp.request(...)` awaited (`await
    aiohttp.request(...)`, `await asyncio.wait_for(aiohttp.request(...), 10)`): it returns
    an async context manager that cannot be awaited since aiohttp 3.

    ## Why is this bad?
    It fails at run time, on the first call: `with aiohttp.ClientSession()` raises
    `TypeError: Use async with instead`, `with httpx.AsyncClient()` and
    `async with httpx.Client()` raise `TypeError` (the protocol is missing), and so does
    `with client.get(url)` on httpx, whose responses are not context managers (unlike
    requests' and urllib3's); `with http.client.HTTPConnection(...)` raises too. Code that
    is rarely run (error paths, scripts) ships with it.

    ## Example
    ```python
    import aiohttp


    async def fetch_all(urls):
        with aiohttp.ClientSession() as session:
            for url in urls:
                async with session.get(url) as response:
                    print(await response.text())
    ```

    ## Use instead
    ```python
    import aiohttp


    async def fetch_all(urls):
        async with aiohttp.ClientSession() as session:
            for url in urls:
                async with session.get(url) as response:
                    print(await response.text())
    ```

    ## Fix safety
    Inside an `async def`, a plain `with` that enters one async-only object becomes
    `async with`. The fix is safe: the code failed with `TypeError` before it. The other
    fixes are unsafe, since each turns an error into code that runs and picks one reading
    of the intent: an httpx response entered with `with` (read and closed already)
    becomes `response = client.get(url)` followed by the body; an `http.client`
    connection is wrapped in `contextlib.closing(...)`; `async with httpx.Client()`
    becomes `httpx.AsyncClient()` with each of its requests awaited (only when the client
    is used for nothing but requests in the block); `response = await aiohttp.request(...)`
    becomes `async with aiohttp.request(...) as response:` around its uses. No fix for
    `async with requests.Session()` (requests has no async client) or a request awaited
    through `asyncio.wait_for`.

    ## References
    - [aiohttp: Client quickstart](https://docs.aiohttp.org/en/stable/client_quickstart.html)
    - [httpx: Async support](https://www.python-httpx.org/async/)
    - [httpx: Streaming responses](https://www.python-httpx.org/quickstart/#streaming-responses)
    - No equivalent in ruff, pylint, bandit or flake8-async.
    """

    code = "HTL402"
    in_tests = "always"
    fixable = True
    name = "context-manager-mismatch"
    summary = "Async owner entered with `with`, or sync owner with `async with`"

    def check(self, analysis: Analysis) -> Iterator[tuple[object, str]]:
        for mismatch in analysis.context_mismatches:
            owner = mismatch.owner
            if mismatch.awaited:
                yield mismatch.call, (
                    "`aiohttp.request(...)` awaited: it returns an async context manager, not a coroutine "
                    "(`TypeError` since aiohttp 3): use `async with aiohttp.request(...) as response`"
                ), plan_context_mismatch(mismatch, analysis)
            elif mismatch.no_protocol:
                fix = "use `contextlib.closing`" if owner.library == "http.client" else "use `client.stream(...)`"
                yield mismatch.call, f"{mismatch.no_protocol} is not a context manager: {fix}", plan_context_mismatch(
                    mismatch, analysis)
            elif mismatch.is_async_with:
                yield mismatch.call, (
                    f"`{owner.name}` entered with `async with`: it supports only `with`"
                ), plan_context_mismatch(mismatch, analysis)
            elif mismatch.request_context:
                yield mismatch.call, "aiohttp request entered with `with`: use `async with`", plan_async_with(
                    mismatch.call, analysis
                )
            else:
                yield mismatch.call, f"`{owner.name}` entered with `with`: use `async with`", plan_async_with(
                    mismatch.call, analysis
                )
