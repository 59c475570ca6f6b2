from __future__ import annotations

from typing import Iterator

from ..fix import plan_session_around_loop
from ..resources import Analysis
from ..rule import Rule


class SessionHelperInLoop(Rule):
    """
    ## What it does
    Checks for the module-level helpers that build and close a session for every call
    (`requests.get`, `requests.post`, `requests.request` …, `httpx.get` …,
    `httpx.stream`, `aiohttp.request`) called inside a loop or a comprehension.

    A function of the module written the same way (`def http_get(url, **kw): with
    requests.Session() as s: return s.get(url, **kw)`: it builds a client, returns the
    response of its one request and sends what it is given) is such a helper too, and
    its calls in a loop are reported (HTL102 leaves its definition alone).

    `urllib3.request` is not flagged: it shares one module-level pool.
    Retry and polling loops are left alone.

    ## Why is this bad?
    `requests.get` is `with Session() as s: return s.get(...)`; `httpx.get` is the same
    with a `Client`. Called in a loop, each iteration opens a new connection and throws
    it away: fifty calls left fifty `TIME_WAIT` sockets where one session left one.

    ## Example
    ```python
    import requests


    def download_all(urls):
        return [requests.get(url, timeout=10).content for url in urls]
    ```

    ## Use instead
    ```python
    import requests


    def download_all(urls):
        with requests.Session() as session:
            return [session.get(url, timeout=10).content for url in urls]
    ```

    ## Fix safety
    For requests and httpx, the fix wraps the outermost loop (or the statement holding
    the comprehension) in `with requests.Session() as session:` (`httpx.Client()` for
    httpx) and sends the helper calls of that loop through it, adding the import if it
    is missing. It is unsafe: a session keeps cookies between calls, a client built
    once no longer takes per-call client settings, and tests that patch the helper
    (`mock.patch("requests.post")`) no longer intercept the calls, which now go through
    `Session.post` (apprise's plugin tests, for one, fail after it). No fix is offered when a call passes
    `*args`, a positional argument the session method does not take, or (httpx)
    `**kwargs` or a client-only keyword (`verify=`, `cert=`, `proxy=` …); nor for
    `aiohttp.request`, nor for the module's own helpers (their arguments need not map onto
    a client method).

    ## References
    - [requests: Session objects](https://requests.readthedocs.io/en/latest/user/advanced/#session-objects)
    - [httpx: Why use a Client?](https://www.python-httpx.org/advanced/clients/)
    - No equivalent in ruff, pylint, bandit or flake8-async.
    """

    code = "HTL103"
    fixable = True
    name = "session-helper-in-loop"
    summary = "Session-per-call helper called in a loop"

    def check(self, analysis: Analysis) -> Iterator[tuple[object, str]]:
        for helper_call in analysis.helper_calls:
            if helper_call.loop is None or not helper_call.work_loop:
                continue
            helper = helper_call.helper
            if helper_call.project:
                yield helper_call.call, (
                    f"`{helper.name}()` builds a `{helper.client[:-2]}` for each call, and is called in a loop: "
                    f"send through one `{helper.client}` (`.{helper.method}()`) instead"
                ), "the helper's arguments do not map onto a client method"
                continue
            # as the file spells it: a fork (`httpx2.get`) is named as such, with its own client
            spelled = analysis.semantic.qualified_name(helper_call.call.func, helper_call.scope) or helper.name
            root, client = spelled.split(".", 1)[0], helper.client
            if root != helper.name.split(".", 1)[0] and spelled.endswith("." + helper.method):
                client = root + client[client.index("."):]
            else:
                spelled = helper.name
            yield helper_call.call, (
                f"`{spelled}` in a loop opens a new session per call: "
                f"send through one `{client}` instead"
            ), plan_session_around_loop(helper_call, analysis)
