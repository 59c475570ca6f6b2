from __future__ import annotations

from typing import Iterator

from ..fix import plan_await
from ..resources import Analysis
from ..rule import Rule


class CloseNotAwaited(Rule):
    """
    ## What it does
    Checks for the coroutine close methods of async owners called as a plain
    statement, without `await`: `session.close()` on an `aiohttp.ClientSession` or
    connector, `client.aclose()` on an `httpx.AsyncClient`, and the close of a project class
    that wraps one and closes it in an `async def close()`.

    `self.session.close()` counts when every client `self.session` may hold closes with a
    coroutine: the ones the class builds, and, for one handed to `__init__`, the ones this
    module's calls of the class pass (when no other module of the package names the class).

    ## Why is this bad?
    Calling a coroutine function only creates the coroutine; nothing is closed. Python
    warns "coroutine 'ClientSession.close' was never awaited", then aiohttp logs
    "Unclosed client session" and "Unclosed connector", and the sockets stay open.

    ## Example
    ```python
    import aiohttp


    async def fetch_all(urls):
        session = aiohttp.ClientSession()
        try:
            pages = []
            for url in urls:
                async with session.get(url) as response:
                    pages.append(await response.text())
            return pages
        finally:
            session.close()
    ```

    ## Use instead
    ```python
    import aiohttp


    async def fetch_all(urls):
        session = aiohttp.ClientSession()
        try:
            pages = []
            for url in urls:
                async with session.get(url) as response:
                    pages.append(await response.text())
            return pages
        finally:
            await session.close()
    ```

    ## Fix safety
    Inside an `async def`, the fix adds `await`. It is safe: the close now runs, which is
    what the code meant. In a sync function (`__del__`, a sync `close()`) no fix is
    offered: the coroutine cannot be awaited there.

    ## References
    - [aiohttp: Graceful shutdown](https://docs.aiohttp.org/en/stable/client_advanced.html#graceful-shutdown)
    - [httpx: Async support](https://www.python-httpx.org/async/)
    - flake8-async and ruff's `ASYNC` rules do not check un-awaited closes; CPython
      reports `RuntimeWarning: coroutine ... was never awaited` only at run time.
    """

    code = "HTL401"
    in_tests = "always"
    fixable = True
    name = "close-not-awaited"
    summary = "Coroutine close method not awaited"

    def check(self, analysis: Analysis) -> Iterator[tuple[object, str]]:
        for close in analysis.unawaited_closes:
            yield close.call, (
                f"`{close.receiver}.{close.method}()` returns a coroutine that is never awaited: "
                f"`{close.type_name}` stays open"
            ), plan_await(close.call, analysis)
