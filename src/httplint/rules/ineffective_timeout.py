from __future__ import annotations

from typing import Iterator

from ..fix import plan_client_timeout
from ..resources import Analysis
from ..rule import Rule


class IneffectiveTimeout(Rule):
    """
    ## What it does
    Checks for timeout settings that do not do what they say:

    - `session.timeout = 5` on a `requests.Session`: requests has no session timeout and
      never reads the attribute;
    - `aiohttp.ClientSession(timeout=None)`: it means the 300 s default, not "no timeout";
    - `aiohttp.ClientSession(timeout=30)`: a number raises `ValueError` (it takes an
      `aiohttp.ClientTimeout`).

    ## Why is this bad?
    The code looks protected and is not (`session.timeout`), or behaves unlike its
    reading (`timeout=None` still cuts requests at 5 minutes), or fails the first time
    it runs (`timeout=30`).

    ## Example
    ```python
    import requests


    def make_session():
        session = requests.Session()
        session.timeout = 10
        return session
    ```

    ## Use instead
    ```python
    import requests
    from requests.adapters import HTTPAdapter


    class TimeoutAdapter(HTTPAdapter):
        def send(self, request, **kwargs):
            if kwargs.get("timeout") is None:
                kwargs["timeout"] = 10
            return super().send(request, **kwargs)


    def make_session():
        session = requests.Session()
        session.mount("https://", TimeoutAdapter())
        return session
    ```

    ## Fix safety
    An aiohttp session's number (`timeout=30`, which raises `ValueError`) becomes
    `timeout=aiohttp.ClientTimeout(total=30)`, and its `timeout=None` (the 300 s default)
    becomes `aiohttp.ClientTimeout(total=10)` with the configured `fix-timeout`, where the
    module imports `aiohttp`. Both are unsafe: the first turns an error into a session
    that runs, the second changes the bound. A requests session's `timeout` attribute has
    no fix: the bound belongs on each request or on a mounted adapter, which the author
    chooses.

    ## References
    - [requests: Timeouts](https://requests.readthedocs.io/en/latest/user/advanced/#timeouts)
    - [aiohttp: ClientSession](https://docs.aiohttp.org/en/stable/client_reference.html#aiohttp.ClientSession)
    - No equivalent in ruff, pylint, bandit or flake8-async.
    """

    code = "HTL303"
    fixable = True
    name = "ineffective-timeout"
    summary = "Timeout setting that does nothing, or not what it says"

    def check(self, analysis: Analysis) -> Iterator[tuple[object, str, object]]:
        for finding in analysis.timeout_findings:
            if finding.kind == "ineffective":
                if finding.client_timeout:
                    yield finding.node, finding.message, plan_client_timeout(finding.node, analysis)
                else:
                    yield finding.node, finding.message, finding.unfixable or (
                        "the bound to set, and where, is the author's choice")
