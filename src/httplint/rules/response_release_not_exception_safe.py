from __future__ import annotations

import ast
from typing import Iterator

from ..fix import plan_exception_safe_release, plan_release_before_exit
from ..resources import Analysis, State
from ..rule import Rule


class ResponseReleaseNotExceptionSafe(Rule):
    """
    ## What it does
    Checks for a held response (see HTL201) that is released or closed only on the
    normal path: the release call is not in a `finally` block, no `with` manages the
    response, its body is not read to the end, and code between the request and the
    release can raise or return early.

    It also checks a held response that the function returns to its caller: an explicit
    `raise` or `return` between the request and that `return` (`if response.status_code
    != 206: raise RangeNotSupported()`) leaves with the response still held. Only explicit
    exits count, outside a `try` that may release it: an exception a call may raise
    (`response.raise_for_status()` right after the request) is not a path this rule
    follows, so the common download idiom stays silent. A `raise` inside the loop that
    reads the response to its end (`for chunk in response.iter_content(): if too_big:
    raise ...`) leaves it held the same way.

    ## Why is this bad?
    The early `return` on a non-2xx status, or any exception while handling the
    response, skips the release, and the connection stays checked out of the pool:
    "Connection pool is full" warnings, blocked requests with `pool_block=True`,
    `PoolTimeout` in httpx, exhausted aiohttp connectors.

    ## Example
    ```python
    import urllib3

    http = urllib3.PoolManager(timeout=10.0)


    def remote_size(url):
        response = http.request("GET", url, preload_content=False)
        if response.status != 200:
            raise RuntimeError(f"HTTP {response.status}")
        size = int(response.headers["Content-Length"])
        response.release_conn()
        return size
    ```

    ## Use instead
    ```python
    import urllib3

    http = urllib3.PoolManager(timeout=10.0)


    def remote_size(url):
        response = http.request("GET", url, preload_content=False)
        try:
            if response.status != 200:
                raise RuntimeError(f"HTTP {response.status}")
            return int(response.headers["Content-Length"])
        finally:
            response.release_conn()
    ```

    ## Fix safety
    When the release is a statement of its own, in the block of the request, after
    every other use, the fix moves it into the `finally` of a `try` around the
    statements in between. The fix is safe: the release runs where it ran before on the
    normal path, and now also on the exception and early-return paths. For a `raise` or
    `return` that leaves a response meant for the caller behind, the fix inserts its
    release just before that statement (`response.close()`, `response.release_conn()` for
    urllib3, `response.release()` for aiohttp, `await response.aclose()` for an httpx
    async stream). That one is unsafe: a handler that catches the exception and still
    reads the response would find it closed. It is not offered when the statement itself
    reads the response (`raise HTTPError(response=response)`).

    ## References
    - [urllib3: Streaming and I/O](https://urllib3.readthedocs.io/en/stable/advanced-usage.html#streaming-and-i-o)
    - [requests: Body content workflow](https://requests.readthedocs.io/en/latest/user/advanced/#body-content-workflow)
    - No equivalent in ruff, pylint, bandit or flake8-async.
    """

    code = "HTL202"
    fixable = True
    name = "response-release-not-exception-safe"
    summary = "Response released only on the normal path"

    def check(self, analysis: Analysis) -> Iterator[tuple[object, str]]:
        for acq in analysis.acquisitions:
            if acq.response is not None:
                for exit_node in acq.early_exits:
                    word = "raise" if isinstance(exit_node, ast.Raise) else "return"
                    how = ("it is read to the end only when the loop finishes" if acq.state is State.RELEASED
                           else "it is handed to the caller only on the normal path")
                    yield exit_node, (
                        f"Response `{acq.label}` is still held when this `{word}` leaves the function ({how}): "
                        f"close it before the `{word}`"
                    ), plan_release_before_exit(acq, exit_node, analysis)
            if acq.response is None or acq.state is not State.NORMAL_PATH:
                continue
            release = acq.releases[0]
            how = "`async with`" if acq.response.context == "async" else "`with`"
            if acq.response.context is None:
                how = "`contextlib.closing`"
            yield release.call or release.node, (
                f"Response `{acq.label}` is released only on the normal path: use {how} or release it in `finally`"
            ), plan_exception_safe_release(acq, analysis)
