from __future__ import annotations

from typing import Iterator

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
    This rule has no automatic fix.

    ## References
    - [requests: Timeouts](https://requests.readthedocs.io/en/latest/user/advanced/#timeouts)
    - [aiohttp: ClientSession](https://docs.aiohttp.org/en/stable/client_reference.html#aiohttp.ClientSession)
    - No equivalent in ruff, pylint, bandit or flake8-async.
    """

    code = "HTL303"
    name = "ineffective-timeout"
    summary = "Timeout setting that does nothing, or not what it says"

    def check(self, analysis: Analysis) -> Iterator[tuple[object, str, object]]:
        for finding in analysis.timeout_findings:
            if finding.kind == "ineffective":
                yield finding.node, finding.message, finding.unfixable or "the bound to set, and where, is the author's choice"
