from __future__ import annotations

from typing import Iterator

from ..fix import Applicability, plan_context_manager
from ..resources import Analysis, State
from ..rule import Rule


class ClientNeverClosed(Rule):
    """
    ## What it does
    Checks for an HTTP client, session, pool, connector, transport or connection
    constructed in a function and never closed: not entered with `with` / `async with`,
    not closed, not registered with `ExitStack`, `contextlib.closing` or `atexit`, and
    not escaping (returned, yielded, stored on `self`, a global or a container, or
    passed to another callable, which then owns it).

    Passing it on is not always an escape. A function of the project that only uses the
    client it is given (sends through it, reads its attributes, lends it on) *borrows*
    it: the caller still owns it (`client = httpx.Client(); return get_json(client, url)`
    is reported), and a helper that closes it releases it. A client handed to another
    library's object that stays in the function (`api = TranscriptApi(http_client=
    session); return api.fetch(id)`) dies with it, unclosed. The project's own classes
    that build a client and close it in `close()` / `__exit__` (*wrapper owners*) are
    clients too: an instance built and dropped is reported, one handed the caller's
    client (`WeatherApi(client)`) is not. A client built on an in-memory transport
    (`httpx.MockTransport`, `WSGITransport`, `ASGITransport`), or in a test that takes a
    fixture replacing the transports (`httpx_mock`, `respx_mock`, `@respx.mock`), holds no
    socket and is not reported; nor is a client that never sends: used only to build
    requests or look up its adapter or pool (`prepare_request`, `build_request`,
    `should_strip_auth`, `connection_from_url`, `proxy_headers` …), for its attributes and
    for identity checks, since pools connect on the first request (an aiohttp session is
    reported all the same: it warns when collected open, used or not). A construction that
    a `with pytest.raises(...)` / `self.assertRaises(...)` block expects to fail opens
    nothing, and `del client` in `with pytest.warns(ResourceWarning)` is the test of the
    warning.

    A client built only when the caller gave none (`client = client or httpx.Client()`,
    `httpx.Client() if client is None else client`, `if client is None: client =
    httpx.Client()`) is owned here on that branch and is reported the same way; closing
    it in `finally` when a flag says it was built here makes it silent, and so does
    `if client is None: with httpx.Client() as client: ...`.

    An `aiohttp.ClientSession(connector_owner=False)` (or any value not certainly `True`)
    that may get no connector builds a `TCPConnector` of its own that its `close()` then
    leaves open.

    A module-level name (`global SESSION`) given a new client in a function that used the
    old one or runs it in a loop, with no `if SESSION is None` guard and no close of the old
    one first, leaks the one it held; so does a module-level dict that is only ever written
    (`_clients[key] = httpx.Client()` with no lookup): a cache that is never read. A client
    built in the body of a class that is defined inside a function is a new client on every
    call of that function.

    Module-level clients are shared singletons and are not flagged. An inline
    `requests.Session().get(...)` is not flagged either: requests and urllib3 close
    those sockets quietly when the response is collected; for the same reason a
    requests session or urllib3 pool left open in the program's entry point (`main`,
    a CLI command) is not flagged, since it lives as long as the program. httpx and
    aiohttp clients are flagged there too: they warn at exit.

    One cause, one finding: a client built for a single request (HTL102) or in a loop
    (HTL101) and never closed is reported by that rule alone when it is selected, since
    the fix for the construction fixes the leak; a missing or ineffective timeout on the
    same line (HTL301, HTL303) is a separate defect and is reported too.

    ## Why is this bad?
    The client's sockets stay open until the garbage collector finds it. httpx and
    aiohttp warn (`ResourceWarning: unclosed`, "Unclosed client session"); requests and
    urllib3 are silent, so tests run with `-W error::ResourceWarning` won't catch it.
    Under load the process runs out of file descriptors or piles up `CLOSE_WAIT`
    sockets.

    ## Example
    ```python
    import httpx


    def fetch_reports(urls):
        client = httpx.Client(timeout=10)
        return [client.get(url).json() for url in urls]
    ```

    ## Use instead
    ```python
    import httpx


    def fetch_reports(urls):
        with httpx.Client(timeout=10) as client:
            return [client.get(url).json() for url in urls]
    ```

    ## Fix safety
    When the client is assigned to a name and every use lies in the same block, the fix
    wraps the statements from its creation to its last use in `with` (`async with` for
    async clients, `contextlib.closing` for `http.client` connections), including the
    uses of what it returned there (`res = conn.getresponse()` … `res.read()`: closing an
    `http.client` connection closes its response too); a response it returned that is
    handed on rather than read gets no fix. It is unsafe:
    the client is now closed after its last use, and an object derived from it that
    outlives that point (a streamed response handed on, a request still running) stops
    working. A client built inline for one request (`return httpx.Client().get(url).json()`)
    gets the statement wrapped in `with httpx.Client() as client:` when what the statement
    keeps is read from the response (`.json()`, `.text`, `.status_code` …) or discarded;
    when the response is kept in a name (`ws = await aiohttp.ClientSession().ws_connect(u)`),
    the `with` covers the statements from the one holding the assignment to the response's
    last use, in the innermost block that holds them all (the client is then built where
    that block's statement starts: not offered across a loop, nor when its arguments are
    bound in between, nor when a nested function reads the response). A client assigned in
    a nested block (a `with`, `if` or `try` body) and used after it is built instead in a
    `with` around the statements from the enclosing one to its last use (it connects on
    first use, so building it a little earlier sends nothing); where it cannot move (its
    arguments are bound in that block) or it is bound on several branches, a
    `contextlib.ExitStack` around those statements enters it where it is built. A
    client built only when none is given (`session = session or requests.Session()`,
    `Client() if client is None else client`, `if client is None: client = Client()`) gets
    `with (contextlib.nullcontext(session) if session else requests.Session()) as session:`:
    the `with` closes the client built here and lends the caller's, leaving it open. No
    fix is offered when the uses span several blocks, the name is rebound, or an inline
    client's response may outlive the statement, nor for a parameter that may hold the
    caller's client and is not chosen by such an expression (a `with` would close it too).

    ## References
    - [httpx: Clients](https://www.python-httpx.org/advanced/clients/)
    - [aiohttp: Client session](https://docs.aiohttp.org/en/stable/client_advanced.html)
    - pylint R1732 `consider-using-with` covers `open()` and similar, not HTTP clients.
    """

    code = "HTL104"
    in_tests = "warnings"
    fixable = True
    name = "client-never-closed"
    summary = "HTTP client never closed"

    def check(self, analysis: Analysis) -> Iterator[tuple[object, str]]:
        for acq in analysis.acquisitions:
            owner = acq.owner
            if owner is None or acq.state is not State.LEAKED or acq.scope.is_module:
                continue
            if not self.reports_leak_of(owner):
                continue
            if not owner.inline_leaks and (
                acq.how in ("inline", "discarded") or acq.scope.node in analysis.entry_points
            ):
                continue  # requests/urllib3 close quietly at collection, and `main` ends with the program
            how = "`async with`" if owner.context == "async" else "`with`"
            if owner.context is None:
                how = "`try`/`finally`"
            closer = sorted(owner.close_methods)[0]
            fix = plan_context_manager(acq, analysis, Applicability.UNSAFE)
            details = [f"`{owner.name}`"]
            if acq.factory:
                details.append(f"from `{acq.factory}()`")
            if acq.replaced_at is not None:
                details.append(f"rebound on line {acq.replaced_at.lineno} while still open")
            if acq.given:
                details.append("built when none is given")
                how = f"record that it was built here and call `.{closer}()` in `finally`"
            else:
                how = f"use {how} or call `.{closer}()`"
            what = f"`{acq.name}` ({', '.join(details)})" if acq.name else f"`{owner.name}`"
            yield acq.call, f"{what} is never closed: {how}", fix
        for orphan in analysis.orphaned_parts:
            if not self.reports_leak_of(orphan.owner):
                continue
            yield orphan.call, (
                f"`{orphan.owner.name}` builds its own {orphan.part} when none is given, and `{orphan.keyword}=` "
                f"that is not `True` keeps its close from closing it: pass `{orphan.keyword}=True` in that case"
            ), "it needs a choice of who closes the part"
        for slot in analysis.overwritten_slots:
            if not self.reports_leak_of(slot.owner):
                continue
            if slot.reason == "replaced":
                yield slot.call, (
                    f"`{slot.slot}` is given a new `{slot.owner.name}` while the one it held is never closed: "
                    f"close the old one first, or build it once"
                ), "it needs the old client closed first"
            elif slot.reason == "per-definition":
                yield slot.call, (
                    f"`{slot.slot}` is a new `{slot.owner.name}` each time the function defining the class "
                    f"runs, and is never closed: build it once at module level"
                ), "it needs the client moved out of the function"
            else:
                yield slot.call, (
                    f"`{slot.slot}` is written and never read: every call leaves a new `{slot.owner.name}` "
                    f"open there; reuse the stored one or close it"
                ), "it needs a lookup before the write"
