from __future__ import annotations

from typing import Iterator

from ..fix import plan_add_timeout
from ..resources import Analysis
from ..rule import Rule


class RequestWithoutTimeout(Rule):
    """
    ## What it does
    Checks for HTTP requests that can wait forever because no timeout applies:

    - requests: `requests.get` … `requests.request`, and the methods of a
      `requests.Session`, whether the session was built in the function, is a parameter
      annotated `requests.Session`, a module-level session, or `self.<attr>` assigned a
      session in the class. requests has no default timeout and no session-level one;
    - urllib3: `request` / `urlopen` on a `PoolManager`, `ProxyManager` or
      `HTTP(S)ConnectionPool` built (where it can be seen) without a `timeout=`;
    - the standard library: `urllib.request.urlopen` and `http.client.HTTP(S)Connection`.

    It stays silent when a timeout is passed in any form (a number, a named constant, a
    variable, a tuple, a `Timeout` object), when a `**kwargs` or dict that may carry one is
    unpacked into the call (a local dict, or a `self.<options>` dict assigned once in the
    class, that has no `timeout` key and is only ever unpacked, cannot carry one: it is
    flagged), when the pool or client sets one, when the module defines or
    imports an `HTTPAdapter` subclass (the usual way to give a session a default timeout),
    and, for urllib3 and the stdlib, when the module calls `socket.setdefaulttimeout()`.
    httpx (5 s) and aiohttp (300 s) have bounded defaults, so a missing timeout is not
    flagged for them; see HTL302 for `timeout=None`.

    A request with no timeout is reported even where the same line has another finding
    (an unreleased response, HTL201; a client never closed, HTL104): the hang is a
    separate defect with its own fix.

    ## Why is this bad?
    A server that accepts the connection and never answers, or a network path that drops
    packets, blocks the call forever: the worker thread hangs, the request queue backs up,
    and the service stops answering. requests' documentation: "Nearly all production code
    should use this parameter in nearly all requests." `session.timeout = 5` does nothing
    in requests, and `socket.setdefaulttimeout()` does not reach it.

    ## Example
    ```python
    import requests


    def fetch_rates(session: requests.Session):
        return session.get("https://rates.example.com/latest").json()
    ```

    ## Use instead
    ```python
    import requests

    TIMEOUT = (3.05, 27)


    def fetch_rates(session: requests.Session):
        return session.get("https://rates.example.com/latest", timeout=TIMEOUT).json()
    ```

    ## Fix safety
    The fix adds `timeout=<fix-timeout>` (10 seconds unless `fix-timeout` is set in
    `[tool.httplint]`) as the last argument, on its own line when the arguments stand one
    a line. It is unsafe: a request that used to wait longer now raises. No fix is offered
    when a dict is unpacked into the call (`**options`): the finding then says so.

    ## References
    - [requests: Timeouts](https://requests.readthedocs.io/en/latest/user/advanced/#timeouts)
    - [urllib3: Timeout configuration](https://urllib3.readthedocs.io/en/stable/user-guide.html#using-timeouts)
    - Supersedes ruff S113 and bandit B113 (requests and httpx helpers and same-scope
      sessions only; they flag httpx, whose 5 s default is fine, and a timeout passed by
      `**kwargs`), pylint W3101 `missing-timeout` (requests only, inferred sessions) and
      flake8-timeout TIM100. None of them knows `requests.Session` parameters and
      attributes, urllib3 pools, the stdlib, adapter subclasses or `setdefaulttimeout`.
    """

    code = "HTL301"
    fixable = True
    name = "request-without-timeout"
    summary = "HTTP request with no timeout"

    def check(self, analysis: Analysis) -> Iterator[tuple[object, str, object]]:
        for finding in analysis.timeout_findings:
            if finding.kind == "missing":
                yield finding.node, finding.message, plan_add_timeout(finding.call, analysis, finding.unfixable)
