from __future__ import annotations

from typing import Iterator

from ..fix import plan_to_thread
from ..resources import Analysis
from ..rule import Rule


class BlockingHttpInAsync(Rule):
    """
    ## What it does
    Checks for blocking HTTP calls made directly in an `async def`: requests' module
    helpers and `Session` methods, httpx's module helpers and sync `Client` methods,
    urllib3 (`urllib3.request`, pool and manager requests), `urllib.request.urlopen` and
    `http.client` connections. Calls handed to a thread (`asyncio.to_thread(requests.get,
    url)`, `loop.run_in_executor(...)`) are not calls in the coroutine and are not flagged;
    neither are calls in a sync function defined inside it.

    ## Why is this bad?
    The call blocks the event loop for the whole round trip: every other task of the
    process (other requests, heartbeats, timeouts) stops until it returns. Under load the
    service's latency becomes the sum of its outgoing requests.

    ## Example
    ```python
    import requests


    async def handler(request):
        rates = requests.get("https://rates.example.com/latest", timeout=5).json()
        return {"rates": rates}
    ```

    ## Use instead
    ```python
    import httpx


    async def handler(request, client: httpx.AsyncClient):
        rates = (await client.get("https://rates.example.com/latest")).json()
        return {"rates": rates}
    ```

    ## Fix safety
    The fix runs the call on a worker thread: `requests.get(url, timeout=5)` becomes `await
    asyncio.to_thread(requests.get, url, timeout=5)`, adding `import asyncio` if needed (Python
    3.9+). It is unsafe: the call now runs concurrently with the loop's other tasks, so a session
    or client it shares with them is used from another thread (requests sessions are not
    documented as thread-safe), and a streamed response read later still blocks. Moving to an
    async client, the better fix, is the author's choice of client and lifetime.

    ## References
    - [asyncio: Running blocking code](https://docs.python.org/3/library/asyncio-dev.html#running-blocking-code)
    - Supersedes flake8-async / ruff ASYNC210 (blocking HTTP call in async function) and
      ASYNC212 (blocking httpx call): those match call names in the same scope; httplint also
      follows sessions and clients passed in, stored on `self` or held at module level, and
      covers urllib3 pools and `http.client`.
    """

    code = "HTL411"
    fixable = True
    in_tests = "always"
    name = "blocking-http-in-async"
    summary = "Blocking HTTP call in `async def`"

    def check(self, analysis: Analysis) -> Iterator[tuple[object, str, object]]:
        for blocking in analysis.blocking_calls:
            yield blocking.call, (
                f"{blocking.subject} blocks the event loop in `async def`: use an async client "
                "or `asyncio.to_thread`"
            ), plan_to_thread(blocking.call, analysis)
