from __future__ import annotations

from typing import Iterator

from ..fix import plan_bound_attribute, plan_bound_timeout, plan_timeout_object
from ..resources import Analysis
from ..rule import Rule


class TimeoutDisabled(Rule):
    """
    ## What it does
    Checks for timeouts switched off explicitly: `timeout=None` on a request of any of
    the four libraries (for httpx and aiohttp, the only way to lose their bounded
    defaults), on an `httpx.Client` / `AsyncClient`, on a urllib3 pool, or assigned to
    `client.timeout` of an httpx client; and timeout objects that bound nothing:
    `urllib3.Timeout(None)` / `Timeout(total=None)`, `httpx.Timeout(None)`,
    `aiohttp.ClientTimeout()` / `ClientTimeout(total=None)` with no other bound. A timeout
    object that never reaches a client (compared or asserted on, or bound to a name that is
    only read for its attributes, as tests do) is not reported.

    ## Why is this bad?
    The request can now wait forever. With httpx and aiohttp the default would have
    stopped it after 5 s or 300 s; `None` removes that guard, usually to let a slow
    download finish, where a larger read timeout would do.

    ## Example
    ```python
    import httpx


    def export(client: httpx.Client, url):
        return client.get(url, timeout=None).content
    ```

    ## Use instead
    ```python
    import httpx


    def export(client: httpx.Client, url):
        return client.get(url, timeout=httpx.Timeout(10.0, read=300.0)).content
    ```

    ## Fix safety
    For `timeout=None` on a request, a client or a pool, the fix puts the configured
    `fix-timeout` (10 s by default) in its place: a number for requests, httpx and urllib3,
    `aiohttp.ClientTimeout(total=10)` for aiohttp (where the module imports `aiohttp`). It
    is unsafe: a transfer that needs longer (a large download) now fails, which is why the
    author may want a longer read bound. A timeout object that bounds nothing gets the same
    value in each `None` bound (`httpx.Timeout(None)` → `httpx.Timeout(10)`,
    `urllib3.Timeout(total=None)` → `urllib3.Timeout(total=10)`), or in its overall bound
    when none is written (`aiohttp.ClientTimeout()` → `aiohttp.ClientTimeout(total=10)`);
    unsafe for the same reason. `client.timeout = None` on an httpx client gets the same
    value (`client.timeout = 10`; httpx's setter takes a number), unsafe too.

    ## References
    - [httpx: Timeouts](https://www.python-httpx.org/advanced/timeouts/)
    - [aiohttp: Timeouts](https://docs.aiohttp.org/en/stable/client_quickstart.html#timeouts)
    - [urllib3: Timeout](https://urllib3.readthedocs.io/en/stable/reference/urllib3.util.html#urllib3.util.Timeout)
    - ruff S113 and pylint W3101 flag `timeout=None` for requests only; none flags
      `ClientTimeout()` or `urllib3.Timeout(None)`.
    """

    code = "HTL302"
    fixable = True
    name = "timeout-disabled"
    summary = "Timeout explicitly disabled"

    def check(self, analysis: Analysis) -> Iterator[tuple[object, str, object]]:
        for finding in analysis.timeout_findings:
            if finding.kind == "disabled":
                if finding.none is not None:
                    fix = plan_bound_attribute(finding.none, analysis)
                elif finding.bounds:
                    fix = plan_timeout_object(finding.node, finding.bounds, analysis)
                elif finding.call is not None:
                    fix = plan_bound_timeout(finding.call, analysis, finding.library)
                else:
                    fix = finding.unfixable or "it is not a call's `timeout=None`"
                yield finding.node, finding.message, fix
