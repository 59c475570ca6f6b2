from __future__ import annotations

import ast
from typing import Iterator

from ..fix import plan_exception_safe_release, plan_release_before_exit
from ..resources import Analysis, State
from ..rule import Rule


class ClientCloseNotExceptionSafe(Rule):
    """
    ## What it does
    Checks for an HTTP client, session or pool that is closed only on the normal path:
    the close call is neither in a `finally` block nor replaced by `with`, and code
    between the construction and the close can raise or return early.

    A client the function builds and returns to its caller is checked the same way: an
    explicit `raise` or `return` between its construction and that `return` (a failed
    login, a missing setting) leaves it open.

    ## Why is this bad?
    A timeout, a connection error, `raise_for_status()` or an early `return` skips the
    close, and the client's sockets leak until garbage collection. These are exactly
    the paths that run when a service is already in trouble.

    ## Example
    ```python
    import requests


    def sync_inventory(url, items):
        session = requests.Session()
        for item in items:
            session.post(url, json=item, timeout=10).raise_for_status()
        session.close()
    ```

    ## Use instead
    ```python
    import requests


    def sync_inventory(url, items):
        with requests.Session() as session:
            for item in items:
                session.post(url, json=item, timeout=10).raise_for_status()
    ```

    ## Fix safety
    When the close is a statement of its own, in the block of the construction, after
    every other use, the fix replaces it by a `with` (`async with`) around the
    statements from the construction to the close; for clients whose close is not what
    `__exit__` does, it moves the close into a `finally`. The fix is safe: the close
    runs exactly where it ran before on the normal path, and now also on the paths that
    skipped it. For a `raise` or `return` that leaves a client meant for the caller behind,
    the fix inserts its close just before that statement (`session.close()`, `await
    client.aclose()`). That one is unsafe: a handler that catches the exception and still
    uses the client would find it closed. It is not offered when the statement itself
    reads the client.

    ## References
    - [PEP 343: the `with` statement](https://peps.python.org/pep-0343/)
    - pylint R1732 `consider-using-with` is the nearest rule; it does not know HTTP clients.
    """

    code = "HTL105"
    fixable = True
    name = "client-close-not-exception-safe"
    summary = "HTTP client closed only on the normal path"

    def check(self, analysis: Analysis) -> Iterator[tuple[object, str]]:
        for acq in analysis.acquisitions:
            owner = acq.owner
            if owner is not None:
                for exit_node in acq.early_exits:
                    word = "raise" if isinstance(exit_node, ast.Raise) else "return"
                    yield exit_node, (
                        f"`{acq.label}` is left open when this `{word}` leaves the function (it is handed "
                        f"to the caller only on the normal path): close it before the `{word}`"
                    ), plan_release_before_exit(acq, exit_node, analysis)
            if owner is None or acq.state is not State.NORMAL_PATH or acq.scope.is_module:
                continue
            release = acq.releases[0]
            how = "`async with`" if owner.context == "async" else "`with`"
            if owner.context is None:
                how = "`contextlib.closing`"
            if owner.context == "either":
                how = "`with` / `async with`"
            advice = f"use {how} or close it in `finally`"
            if owner.context is None and owner.async_close:
                advice = "close it in `finally`"  # no `async with`, and `aclosing` calls `aclose()`
            yield release.call or release.node, (
                f"`{acq.label}` is closed only on the normal path: {advice}"
            ), plan_exception_safe_release(acq, analysis)
