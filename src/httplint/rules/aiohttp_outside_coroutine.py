from __future__ import annotations

from typing import Iterator

from ..resources import Analysis
from ..rule import Rule


class AiohttpOutsideCoroutine(Rule):
    """
    ## What it does
    Checks for an `aiohttp.ClientSession` or connector (`TCPConnector`, `UnixConnector`)
    constructed where no event loop runs: at module level or in a class body (import
    time), or in a sync function that is the program's entry point (`main`, a function
    module-level code calls). A sync function called from a coroutine has a running loop,
    so other sync functions are not flagged.

    ## Why is this bad?
    Since aiohttp 3.10 the constructor raises `RuntimeError: no running event loop`; before
    it, it warned and bound the session to a loop that `asyncio.run` then replaced, so the
    session failed later or leaked ("Unclosed client session").

    ## Example
    ```python
    import aiohttp

    session = aiohttp.ClientSession()


    async def fetch(url):
        async with session.get(url) as response:
            return await response.text()
    ```

    ## Use instead
    ```python
    import aiohttp


    async def fetch(session: aiohttp.ClientSession, url):
        async with session.get(url) as response:
            return await response.text()


    async def main(urls):
        async with aiohttp.ClientSession() as session:
            for url in urls:
                print(await fetch(session, url))
    ```

    ## Fix safety
    This rule has no automatic fix: the session has to move into the program's async
    start-up.

    ## References
    - [aiohttp: Client quickstart](https://docs.aiohttp.org/en/stable/client_quickstart.html#make-a-request)
    - [aiohttp 3.10 changelog](https://docs.aiohttp.org/en/stable/changes.html)
    - No equivalent in ruff, pylint, bandit or flake8-async.
    """

    code = "HTL403"
    in_tests = "always"
    name = "aiohttp-outside-coroutine"
    summary = "aiohttp session or connector created outside a coroutine"

    def check(self, analysis: Analysis) -> Iterator[tuple[object, str, object]]:
        for owner in analysis.loop_bound_owners:
            yield owner.call, (
                f"`{owner.owner.name}` created {owner.where}: it needs a running event loop "
                "(`RuntimeError` since aiohttp 3.10): create it in a coroutine"
            ), "where it is built decides who owns and closes it"
