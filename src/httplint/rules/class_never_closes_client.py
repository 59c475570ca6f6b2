from __future__ import annotations

from typing import Iterator

from ..fix import plan_close_path
from ..resources import Analysis
from ..rule import Rule


class ClassNeverClosesClient(Rule):
    """
    ## What it does
    Checks for a class that builds an HTTP client (in `__init__`, `__aenter__`, or lazily
    in a method), keeps it on `self`, and never closes it: it has no `close`, `aclose`,
    `__exit__`, `__aexit__`, `__del__` or `shutdown` that closes the client, directly or
    through another method of the class. A close method that leaves the client open is
    reported too, and so is a `__del__` that is the only close of an async client (a
    coroutine cannot be awaited there), and a close method that builds a new client after
    closing the old one ("in case it is reused"): nothing closes that one. A method that
    drops the client (`self._client = None`) without closing it first is reported too,
    where the class closes it elsewhere: the dropped one is never closed.

    A client the class builds only when none is given (`session or requests.Session()`,
    `if session is None: session = requests.Session()`) is the class's to close on that
    branch: it is reported when no method closes it (a close guarded by a flag that records
    who built it counts as closing it).

    A requests session or urllib3 pool the class stores and never uses (dead code) opens
    no socket and is not reported.

    It stays silent when the client was handed in (a parameter), when the class hands it out
    (returns it, passes it on), and when a base class it cannot see may close it.

    ## Why is this bad?
    Every instance leaks its client's sockets until garbage collection: a service that
    builds one such object per request leaks one pool per request, and the users of the
    class have no way to release it.

    ## Example
    ```python
    import requests


    class WeatherApi:
        def __init__(self, base_url):
            self.base_url = base_url
            self.session = requests.Session()

        def forecast(self, city):
            return self.session.get(f"{self.base_url}/{city}", timeout=10).json()
    ```

    ## Use instead
    ```python
    import requests


    class WeatherApi:
        def __init__(self, base_url):
            self.base_url = base_url
            self.session = requests.Session()

        def forecast(self, city):
            return self.session.get(f"{self.base_url}/{city}", timeout=10).json()

        def close(self):
            self.session.close()

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.close()
    ```

    ## Fix safety
    For a class with no close method at all, the fix adds one that closes the client, and the
    context-manager methods that call it: `close()`, `__enter__`, `__exit__` (for a client
    closed by a coroutine, `aclose()`, `__aenter__`, `__aexit__`), guarded by `if self.x is not
    None` when the attribute may be `None`. It is unsafe: it adds API, and nothing closes the
    client until the class's users call it or enter the object with `with`. A class whose close
    method (`close`, `aclose`, `shutdown`, `__exit__`, `__aexit__`) leaves the client open gets
    the client's close appended there (before a final `return`; awaited in an `async def`). No
    fix for the other shapes (reopened, dropped, closed only in `__del__`), for a sync close
    method of a client whose close is a coroutine, nor for a class that others in the module
    derive from (they would inherit a close for a client they may not keep). A class that
    may keep its caller's client
    (`self.session = session or requests.Session()`, or the conditional form) also records
    whether it built it (`self._owns_session = not session`, inserted before that line), and
    its new close method closes only a client it built; other ways of choosing (several
    assignments, an `if` statement) get no fix, since a close would close the caller's too.

    ## References
    - [httpx: Clients](https://www.python-httpx.org/advanced/clients/)
    - pylint R1732 `consider-using-with` does not follow attributes; no equivalent in ruff,
      bandit or flake8-async.
    """

    code = "HTL106"
    fixable = True
    in_tests = "warnings"
    name = "class-never-closes-client"
    summary = "Class keeps an HTTP client it never closes"

    def check(self, analysis: Analysis) -> Iterator[tuple[object, str, object]]:
        for leak in analysis.class_leaks:
            if not self.reports_leak_of(leak.owner):
                continue
            where = f"`{leak.cls.name}` keeps `self.{leak.attribute}` (`{leak.owner.name}`)"
            if leak.reason == "no-close":
                message = f"{where} and has no method that closes it: add `close()` / `__exit__`"
            elif leak.reason == "dropped":
                message = (f"{where}, and `{leak.closers[0]}` drops it (`= None`) without closing it: "
                           "close it before dropping it")
            elif leak.reason == "reopened":
                names = ", ".join(f"`{name}`" for name in leak.closers)
                message = (f"{where}, and {names} build(s) a new one after closing it, which nothing closes: "
                           "build it again when it is next used")
            elif leak.reason == "del-async":
                message = f"{where}, closed only in `__del__`, which cannot await its close: add `aclose()` / `__aexit__`"
            else:
                names = ", ".join(f"`{name}`" for name in leak.closers)
                message = f"{where}, which {names} leave(s) open: close it there"
            yield leak.call, message, plan_close_path(leak, analysis)
