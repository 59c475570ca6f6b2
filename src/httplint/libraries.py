"""What each HTTP library constructs, sends, holds, releases and consumes, as data.

Every rule and the lifetime analysis consult this module; none of them names a
library API in its own code. Adding a library, or an API of one, is a table entry.

Source: ``../shared/http-semantics.md`` (requests 2.34, httpx 0.28, urllib3 2.x,
aiohttp 3.14, CPython 3.11), which cites each library's own source. Section numbers
below (§1.2 …) refer to that document.

Terms:
    *owner*: an object holding pooled sockets that somebody must close
    (session, client, pool, connector, transport, adapter, connection).
    *held response*: a response that keeps a connection checked out of the pool
    until it is read to EOF, released or closed.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

#: Top-level module names whose mention in a file makes it worth parsing. The
#: text prefilter of the engine searches for these words.
LIBRARY_MODULES: tuple[str, ...] = ("requests", "httpx", "urllib3", "aiohttp", "urllib", "http", "niquests",
                                    "httplib", "urllib2")


@dataclass(frozen=True)
class OwnerType:
    """A class whose instances own pooled connections.

    Attributes:
        name: canonical qualified name, e.g. ``"requests.Session"``.
        library: the distribution it belongs to.
        kind: ``session``, ``client``, ``pool``, ``connector``, ``transport``,
            ``adapter`` or ``connection``.
        close_methods: methods that release the owner's sockets.
        async_close: ``True`` when the close methods return a coroutine that must be awaited.
        context: ``"sync"`` (``with``), ``"async"`` (``async with``) or ``None`` (neither).
        request_methods: methods that send one request and return a response (for a project
            wrapper: its methods whose result is neither the wrapper nor its client).
        fresh_client_hint: the shared, long-lived object users should build once instead.
        inline_leaks: ``True`` when an inline ``Owner().get(...)`` leaks until garbage
            collection with a warning (httpx, aiohttp); ``False`` when the library's
            finalizers close it quietly (requests, urllib3, §9 item 12).
    """

    name: str
    library: str
    kind: str
    close_methods: frozenset[str]
    async_close: bool = False
    context: str | None = "sync"
    request_methods: frozenset[str] = frozenset()
    inline_leaks: bool = True
    #: the library type it behaves as: its own name, or the library base of a project subclass
    family: str = ""
    #: a project subclass that overrides ``request``/``send`` (and may set a timeout there)
    overrides_request: bool = False
    #: a project wrapper that takes its client from this constructor parameter when one is
    #: given (``session=None`` … ``session or Session()``): then the caller owns the client;
    #: the parameter's name and its position after ``self`` (-1: keyword-only)
    adopts: tuple[str, int] | None = None
    #: it opens no socket until it sends (pools connect on the first request), so one that never
    #: sends holds nothing to close; ``False`` for aiohttp, whose session warns at collection
    #: whether or not it was used (http-semantics.md §1, §6)
    connects_lazily: bool = True
    #: methods that neither send nor connect (building a request, reading configuration, looking
    #: up the adapter, pool or transport for a URL): a client used only through them, attribute
    #: reads and identity checks never opens a socket
    idle_methods: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if not self.family:
            object.__setattr__(self, "family", self.name)

    @property
    def warns_left_open(self) -> bool:
        """Left open, it warns in a test run: aiohttp's session and connector log "Unclosed client
        session" / "Unclosed connector" and httpx's async transports raise ``ResourceWarning``
        (http-semantics.md §1, E9k, E11b). Every client whose close is a coroutine does."""
        return self.async_close


_VERBS = frozenset({"get", "post", "put", "patch", "delete", "head", "options"})

REQUESTS_SESSION = OwnerType(
    name="requests.Session",
    library="requests",
    kind="session",
    close_methods=frozenset({"close"}),
    request_methods=_VERBS | {"request", "send"},
    inline_leaks=False,
    idle_methods=frozenset({
        "prepare_request", "merge_environment_settings", "get_adapter", "mount", "should_strip_auth",
        "rebuild_auth", "rebuild_proxies", "rebuild_method", "get_redirect_target",
    }),
)
_REQUESTS_ADAPTER_IDLE = frozenset({
    "proxy_headers", "proxy_manager_for", "init_poolmanager", "request_url", "add_headers", "cert_verify",
    "build_response", "build_connection_pool_key_attributes",
})
REQUESTS_ADAPTER = OwnerType(
    name="requests.adapters.HTTPAdapter",
    library="requests",
    kind="adapter",
    close_methods=frozenset({"close"}),
    context=None,
    request_methods=frozenset({"send"}),
    inline_leaks=False,
    idle_methods=_REQUESTS_ADAPTER_IDLE,
)
_HTTPX_IDLE = frozenset({
    "build_request", "_transport_for_url", "_merge_url", "_merge_cookies", "_merge_headers",
    "_merge_queryparams", "_build_request_auth", "_redirect_url", "_build_redirect_request",
})
HTTPX_CLIENT = OwnerType(
    name="httpx.Client",
    library="httpx",
    kind="client",
    close_methods=frozenset({"close"}),
    request_methods=_VERBS | {"request", "send", "stream"},
    idle_methods=_HTTPX_IDLE,
)
HTTPX_ASYNC_CLIENT = OwnerType(
    name="httpx.AsyncClient",
    library="httpx",
    kind="client",
    close_methods=frozenset({"aclose"}),
    async_close=True,
    context="async",
    request_methods=_VERBS | {"request", "send", "stream"},
    idle_methods=_HTTPX_IDLE,
)
HTTPX_TRANSPORT = OwnerType(
    name="httpx.HTTPTransport",
    library="httpx",
    kind="transport",
    close_methods=frozenset({"close"}),
    request_methods=frozenset({"handle_request"}),
)
HTTPX_ASYNC_TRANSPORT = OwnerType(
    name="httpx.AsyncHTTPTransport",
    library="httpx",
    kind="transport",
    close_methods=frozenset({"aclose"}),
    async_close=True,
    context="async",
    request_methods=frozenset({"handle_async_request"}),
)
_URLLIB3_SEND = frozenset({"request", "urlopen", "request_encode_url", "request_encode_body"})
_URLLIB3_IDLE = frozenset({
    "connection_from_url", "connection_from_host", "connection_from_context", "connection_from_pool_key",
    "_set_proxy_headers", "_proxy_requires_url_absolute_form",
})
URLLIB3_POOL_MANAGER = OwnerType(
    name="urllib3.PoolManager",
    library="urllib3",
    kind="pool",
    close_methods=frozenset({"clear"}),
    request_methods=_URLLIB3_SEND,
    inline_leaks=False,
    idle_methods=_URLLIB3_IDLE,
)
URLLIB3_PROXY_MANAGER = OwnerType(
    name="urllib3.ProxyManager",
    library="urllib3",
    kind="pool",
    close_methods=frozenset({"clear"}),
    request_methods=_URLLIB3_SEND,
    inline_leaks=False,
    idle_methods=_URLLIB3_IDLE,
)
URLLIB3_CONNECTION_POOL = OwnerType(
    name="urllib3.HTTPConnectionPool",
    library="urllib3",
    kind="pool",
    close_methods=frozenset({"close"}),
    request_methods=_URLLIB3_SEND,
    inline_leaks=False,
)
AIOHTTP_SESSION = OwnerType(
    name="aiohttp.ClientSession",
    library="aiohttp",
    kind="session",
    close_methods=frozenset({"close"}),
    async_close=True,
    context="async",
    request_methods=_VERBS | {"request", "ws_connect"},
    connects_lazily=False,
)
AIOHTTP_CONNECTOR = OwnerType(
    name="aiohttp.TCPConnector",
    library="aiohttp",
    kind="connector",
    close_methods=frozenset({"close"}),
    async_close=True,
    context="async",
    # `BaseConnector.__del__` warns "Unclosed connector" only while it pools connections
    # (aiohttp 3.14.5 connector.py:360-364): one that never connected holds nothing
    connects_lazily=True,
)
HTTP_CLIENT_CONNECTION = OwnerType(
    name="http.client.HTTPConnection",
    library="http.client",
    kind="connection",
    close_methods=frozenset({"close"}),
    context=None,
    request_methods=frozenset({"request"}),
    idle_methods=frozenset({"set_debuglevel", "set_tunnel"}),
)

#: Callables that construct a new owner, by every qualified name real code spells them.
#: Value: the owner type. ``PoolManager.connection_from_url`` (a method) is absent on
#: purpose: the manager owns that pool (§3.1).
CONSTRUCTORS: dict[str, OwnerType] = {
    "requests.Session": REQUESTS_SESSION,
    "requests.session": REQUESTS_SESSION,
    "requests.sessions.Session": REQUESTS_SESSION,
    "requests.sessions.session": REQUESTS_SESSION,
    "requests.adapters.HTTPAdapter": REQUESTS_ADAPTER,
    "httpx.Client": HTTPX_CLIENT,
    "httpx._client.Client": HTTPX_CLIENT,
    "httpx.AsyncClient": HTTPX_ASYNC_CLIENT,
    "httpx._client.AsyncClient": HTTPX_ASYNC_CLIENT,
    "httpx.HTTPTransport": HTTPX_TRANSPORT,
    "httpx.AsyncHTTPTransport": HTTPX_ASYNC_TRANSPORT,
    "urllib3.PoolManager": URLLIB3_POOL_MANAGER,
    "urllib3.poolmanager.PoolManager": URLLIB3_POOL_MANAGER,
    "urllib3.ProxyManager": URLLIB3_PROXY_MANAGER,
    "urllib3.poolmanager.ProxyManager": URLLIB3_PROXY_MANAGER,
    "urllib3.proxy_from_url": URLLIB3_PROXY_MANAGER,
    "urllib3.poolmanager.proxy_from_url": URLLIB3_PROXY_MANAGER,
    "urllib3.HTTPConnectionPool": URLLIB3_CONNECTION_POOL,
    "urllib3.HTTPSConnectionPool": URLLIB3_CONNECTION_POOL,
    "urllib3.connectionpool.HTTPConnectionPool": URLLIB3_CONNECTION_POOL,
    "urllib3.connectionpool.HTTPSConnectionPool": URLLIB3_CONNECTION_POOL,
    "urllib3.connection_from_url": URLLIB3_CONNECTION_POOL,
    "urllib3.connectionpool.connection_from_url": URLLIB3_CONNECTION_POOL,
    "aiohttp.ClientSession": AIOHTTP_SESSION,
    "aiohttp.client.ClientSession": AIOHTTP_SESSION,
    "aiohttp.TCPConnector": AIOHTTP_CONNECTOR,
    "aiohttp.UnixConnector": AIOHTTP_CONNECTOR,
    "aiohttp.NamedPipeConnector": AIOHTTP_CONNECTOR,
    "aiohttp.connector.TCPConnector": AIOHTTP_CONNECTOR,
    "aiohttp.connector.UnixConnector": AIOHTTP_CONNECTOR,
    "http.client.HTTPConnection": HTTP_CLIENT_CONNECTION,
    "http.client.HTTPSConnection": HTTP_CLIENT_CONNECTION,
}

#: Names that may annotate a parameter or attribute holding an owner (``session: requests.Session``).
ANNOTATION_TYPES: dict[str, OwnerType] = {
    name: owner for name, owner in CONSTRUCTORS.items() if name.rsplit(".", 1)[-1][:1].isupper()
}


@dataclass(frozen=True)
class SessionHelper:
    """A module-level function that builds and closes a session for every call (§1.2, §2.2, §4.2).

    Attributes:
        name: qualified name, e.g. ``"requests.get"``.
        client: what to build once instead, as users write it.
        method: the method to call on that client instead.
    """

    name: str
    client: str
    method: str


def _helpers(module: str, client: str, names: frozenset[str], *aliases: str) -> dict[str, SessionHelper]:
    table = {}
    for prefix in (module, *aliases):
        for verb in names:
            table[f"{prefix}.{verb}"] = SessionHelper(f"{module}.{verb}", client, verb)
    return table


#: Module helpers that construct a session per call. ``urllib3.request`` is absent on
#: purpose: it uses one module-level pool (§3.2, E14), and so is ``urlopen``: the
#: stdlib never pools, so there is nothing to share (§5).
SESSION_HELPERS: dict[str, SessionHelper] = {
    **_helpers("requests", "requests.Session()", _VERBS | {"request"}, "requests.api"),
    **_helpers("httpx", "httpx.Client()", _VERBS | {"request", "stream"}, "httpx._api"),
    **_helpers("aiohttp", "aiohttp.ClientSession()", frozenset({"request"}), "aiohttp.client"),
}


@dataclass(frozen=True)
class ResponseType:
    """A response that can hold a connection until released.

    Attributes:
        name: a short qualified name for messages, e.g. ``"requests.Response"``.
        library: the distribution.
        release_methods: calls that return or close the connection.
        consume_methods: calls that read the body to EOF, which releases it.
        consume_attributes: attribute reads that read the body to EOF.
        context: ``"sync"``, ``"async"`` or ``None``: how it can be context-managed.
    """

    name: str
    library: str
    release_methods: frozenset[str]
    consume_methods: frozenset[str]
    consume_attributes: frozenset[str] = frozenset()
    context: str | None = "sync"
    #: the connection comes from a pool, so an unreleased response costs a pool slot.
    #: ``False`` for ``urlopen``: no pool, and CPython closes a dropped response at once (§5, E12a).
    pooled: bool = True
    #: methods that return the response itself, so a chain continues on it.
    returns_self: frozenset[str] = frozenset({"raise_for_status"})
    #: reads that stop short of EOF: ``read`` with a size, and the others always, unless the
    #: call is repeated in a loop (``while chunk := response.read(8192)``)
    partial_reads: frozenset[str] = frozenset()


REQUESTS_RESPONSE = ResponseType(
    name="requests.Response",
    library="requests",
    release_methods=frozenset({"close"}),
    consume_methods=frozenset({"json", "iter_content", "iter_lines"}),
    consume_attributes=frozenset({"content", "text"}),
)
HTTPX_RESPONSE = ResponseType(
    name="httpx.Response",
    library="httpx",
    release_methods=frozenset({"close", "aclose"}),
    consume_methods=frozenset(
        {"read", "aread", "json", "iter_bytes", "iter_text", "iter_lines", "iter_raw",
         "aiter_bytes", "aiter_text", "aiter_lines", "aiter_raw"}
    ),
    consume_attributes=frozenset({"content", "text"}),
    context=None,
)
URLLIB3_RESPONSE = ResponseType(
    name="urllib3.HTTPResponse",
    library="urllib3",
    release_methods=frozenset({"release_conn", "close", "drain_conn", "shutdown"}),
    consume_methods=frozenset({"read", "read1", "stream", "json", "read_chunked", "readlines", "readline", "readinto"}),
    consume_attributes=frozenset({"data"}),
)
AIOHTTP_RESPONSE = ResponseType(
    name="aiohttp.ClientResponse",
    library="aiohttp",
    release_methods=frozenset({"release", "close", "wait_for_close"}),
    consume_methods=frozenset({"read", "text", "json"}),
    context="async",
    returns_self=frozenset(),
)
AIOHTTP_WEBSOCKET = ResponseType(
    name="aiohttp.ClientWebSocketResponse",
    library="aiohttp",
    release_methods=frozenset({"close"}),
    consume_methods=frozenset(),
    context="async",
    returns_self=frozenset(),
)
URLOPEN_RESPONSE = ResponseType(
    name="http.client.HTTPResponse",
    library="urllib.request",
    release_methods=frozenset({"close"}),
    consume_methods=frozenset({"read", "read1", "readlines", "readline", "readinto"}),
    returns_self=frozenset(),
    pooled=False,
    # http/client.py: HTTPResponse.read(amt) / readline() leave the rest, and the socket, open
    partial_reads=frozenset({"read", "read1", "readline", "readinto"}),
)


@dataclass(frozen=True)
class HeldWhen:
    """When a request call returns a held response.

    Attributes:
        keyword: the keyword argument that makes the response held, or ``None`` when it always is.
        value: the literal value of ``keyword`` that does (``True`` for ``stream``, ``False``
            for ``preload_content``). Any other expression (a variable) is not judged.
        awaited: the response is held only when the call is awaited (aiohttp), not when
            it is entered with ``async with``.
    """

    response: ResponseType
    keyword: str | None = None
    value: object = True
    awaited: bool = False


#: Owners that build a part of their own when none is given, and a keyword that tells them not
#: to close their part: family → (ownership keyword, part keyword). ``connector_owner=False``
#: with no connector leaks the ``TCPConnector`` the session builds (aiohttp/client.py:
#: ``ClientSession.__init__`` builds it, ``ClientSession.close`` closes it only when it owns it).
PART_OWNERSHIP: dict[str, tuple[str, str]] = {
    "aiohttp.ClientSession": ("connector_owner", "connector"),
}

#: Transports that answer in memory (no socket): a client built on one owns nothing
#: (httpx/_transports/mock.py, wsgi.py, asgi.py).
IN_MEMORY_TRANSPORTS: frozenset[str] = frozenset(
    {"httpx.MockTransport", "httpx.WSGITransport", "httpx.ASGITransport"}
)

#: Test fixtures (parameter names) and decorators (qualified names) that replace a library's
#: transports with in-memory ones for the test's run, so its clients open no socket:
#: pytest-httpx's ``httpx_mock`` (patches ``HTTPTransport.handle_request`` and the async
#: one; httpx2-pytest keeps the name), respx's ``respx_mock`` fixture and ``@respx.mock``,
#: pytest-httpx2's ``httpx2_mock`` (respx for the httpx2 fork).
MOCKED_TRANSPORTS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "httpx": (frozenset({"httpx_mock", "respx_mock", "httpx2_mock"}),
              frozenset({"respx.mock", "pytest_httpx.httpx_mock"})),
}

#: Context managers that assert their block raises (pytest, unittest): the block's last
#: statement is expected to fail, so what it builds or sends is not acquired
#: (``with pytest.raises(TypeError): aiohttp.ClientSession(bad)``). Functions by qualified
#: name, methods of ``self`` by name.
EXPECTS_RAISE_CONTEXTS: frozenset[str] = frozenset({"pytest.raises", "pytest.RaisesGroup", "pytest.RaisesExc"})
EXPECTS_RAISE_METHODS: frozenset[str] = frozenset(
    {"assertRaises", "assertRaisesRegex", "assertRaisesRegexp", "failUnlessRaises"}
)

#: Decorators whose function body runs elsewhere than this process's event loop (in a browser's
#: Pyodide, with no threads): a blocking call there is not one in ``async def`` here.
FOREIGN_RUNTIME_DECORATORS: frozenset[str] = frozenset(
    {"pytest_pyodide.run_in_pyodide", "pytest_pyodide.decorator.run_in_pyodide"}
)

#: Context managers that assert their block warns: ``del client`` there is the test of the
#: leak's warning, not a leak (``with pytest.warns(ResourceWarning): del session``).
EXPECTS_WARNING_CONTEXTS: frozenset[str] = frozenset({"pytest.warns"})
EXPECTS_WARNING_METHODS: frozenset[str] = frozenset({"assertWarns", "assertWarnsRegex"})

#: For each owner type, which request methods return a held response, and when.
HELD_BY_METHOD: dict[str, dict[str, HeldWhen]] = {
    REQUESTS_SESSION.name: {m: HeldWhen(REQUESTS_RESPONSE, "stream", True) for m in REQUESTS_SESSION.request_methods},
    HTTPX_CLIENT.name: {"send": HeldWhen(HTTPX_RESPONSE, "stream", True)},
    HTTPX_ASYNC_CLIENT.name: {"send": HeldWhen(HTTPX_RESPONSE, "stream", True, awaited=True)},
    # a transport's response comes with its stream open: the caller reads or closes it
    # (httpx/_transports/default.py: HTTPTransport.handle_request returns ResponseStream)
    HTTPX_TRANSPORT.name: {"handle_request": HeldWhen(HTTPX_RESPONSE)},
    HTTPX_ASYNC_TRANSPORT.name: {"handle_async_request": HeldWhen(HTTPX_RESPONSE, awaited=True)},
    **{
        owner.name: {m: HeldWhen(URLLIB3_RESPONSE, "preload_content", False) for m in _URLLIB3_SEND}
        for owner in (URLLIB3_POOL_MANAGER, URLLIB3_PROXY_MANAGER, URLLIB3_CONNECTION_POOL)
    },
    AIOHTTP_SESSION.name: {
        **{m: HeldWhen(AIOHTTP_RESPONSE, awaited=True) for m in _VERBS | {"request"}},
        "ws_connect": HeldWhen(AIOHTTP_WEBSOCKET, awaited=True),
    },
}

#: Module-level functions that return a held response, and when.
HELD_BY_FUNCTION: dict[str, HeldWhen] = {
    **{name: HeldWhen(REQUESTS_RESPONSE, "stream", True) for name in SESSION_HELPERS if name.startswith("requests.")},
    "urllib3.request": HeldWhen(URLLIB3_RESPONSE, "preload_content", False),
    "urllib.request.urlopen": HeldWhen(URLOPEN_RESPONSE),
}

#: When a receiver's type is unknown (``self.http.get(...)``), a keyword this specific
#: still identifies the library, provided the file imports it: only requests takes
#: ``stream=`` on its verbs, only urllib3 takes ``preload_content=``.
HELD_BY_KEYWORD_UNTYPED: dict[str, tuple[str, HeldWhen]] = {
    "stream": ("requests", HeldWhen(REQUESTS_RESPONSE, "stream", True)),
    "preload_content": ("urllib3", HeldWhen(URLLIB3_RESPONSE, "preload_content", False)),
}
UNTYPED_METHODS: dict[str, frozenset[str]] = {
    "stream": REQUESTS_SESSION.request_methods - {"send"},
    "preload_content": _URLLIB3_SEND,
}

#: Connections whose ``request()`` sends and returns ``None`` (the response is ``getresponse()``'s):
#: a ``preload_content=`` there is no held response (urllib3/connection.py: ``HTTPConnection.request``).
REQUEST_RETURNS_NONE: frozenset[str] = frozenset(
    {"urllib3.connection.HTTPConnection", "urllib3.connection.HTTPSConnection",
     "http.client.HTTPConnection", "http.client.HTTPSConnection"}
)

#: Keywords that mean a held urllib3 response on any method of any object, whatever the file
#: imports: OpenAPI-generated clients (kubernetes, and every ``openapi-generator`` Python
#: client) pass ``_preload_content=False`` through to ``urllib3`` and return its raw
#: ``HTTPResponse`` (kubernetes/client/api_client.py: ``ApiClient.call_api``).
HELD_BY_KEYWORD_ANY: dict[str, HeldWhen] = {
    "_preload_content": HeldWhen(URLLIB3_RESPONSE, "_preload_content", False),
}

#: Calls that register an object, or one of its bound methods, for release later;
#: the object is then released (ExitStack, closing, atexit, weakref.finalize, §9 items 2, 3, 8).
#: Any other call that receives the object counts as an escape; these are listed so
#: that the documentation can name them.
RELEASE_REGISTRARS: frozenset[str] = frozenset(
    {"contextlib.closing", "contextlib.aclosing", "atexit.register", "weakref.finalize"}
)
RELEASE_REGISTRAR_METHODS: frozenset[str] = frozenset(
    {"enter_context", "enter_async_context", "callback", "push", "push_async_callback",
     "push_async_exit", "addfinalizer", "add_done_callback"}
)

#: Builtins that look at an object without keeping it: passing an object to them is not an escape.
NON_RETAINING_CALLS: frozenset[str] = frozenset(
    {"isinstance", "issubclass", "print", "len", "repr", "str", "id", "type", "hasattr",
     "getattr", "bool", "callable", "format", "vars", "dir", "hash"}
)

_VENDOR_MARKERS = ("._vendor.", ".vendored.", ".extern.", "._vendored.")
#: Module names that mean another library's API: ``six.moves`` spellings of the stdlib, and
#: drop-in forks that mirror a library (httpx2 mirrors httpx, niquests mirrors requests).
_ALIASES = {
    "six.moves.urllib.request": "urllib.request",
    "six.moves.http_client": "http.client",
    # Python 2 spellings, still in code that parses as Python 3 (no print statements)
    "httplib": "http.client",
    "urllib2": "urllib.request",
    "httpx2": "httpx",
    "niquests": "requests",
}


@functools.lru_cache(maxsize=8192)
def canonical(qualified: str | None) -> str | None:
    """The name the tables use for a qualified name: vendored copies map to the library.

    ``pip._vendor.requests.Session`` → ``requests.Session``;
    ``botocore.vendored.requests.get`` → ``requests.get``;
    ``six.moves.urllib.request.urlopen`` → ``urllib.request.urlopen``;
    ``httpx2.Client`` → ``httpx.Client``; ``niquests.Session`` → ``requests.Session``.
    """
    if qualified is None:
        return None
    for marker in _VENDOR_MARKERS:
        index = qualified.rfind(marker)
        if index != -1:
            qualified = qualified[index + len(marker) :]
            break
    for alias, target in _ALIASES.items():
        if qualified == alias or qualified.startswith(alias + "."):
            return target + qualified[len(alias) :]
    return qualified


# -- timeouts (http-semantics.md §1.4, §2.4, §3.3, §4.3, §5, §8) -------------------------


@dataclass(frozen=True)
class TimeoutRule:
    """How one callable takes a timeout.

    Attributes:
        library: the distribution, for messages.
        missing_hangs: a call without any timeout can hang forever (requests, urllib3 pools,
            the stdlib); ``False`` where the library has a bounded default (httpx 5 s, aiohttp
            300 s, ``urllib3.request`` 3 s), so only an explicit ``None`` is flagged.
        position: the index of ``timeout`` among positional arguments, if it can be passed so.
        socket_default: ``socket.setdefaulttimeout()`` applies (urllib3 pools, stdlib; not requests).
    """

    library: str
    missing_hangs: bool
    position: int | None = None
    socket_default: bool = False


_REQUESTS_TIMEOUT = TimeoutRule("requests", True)
_HTTPX_TIMEOUT = TimeoutRule("httpx", False)
_AIOHTTP_TIMEOUT = TimeoutRule("aiohttp", False)
_URLLIB3_POOL_TIMEOUT = TimeoutRule("urllib3", True, socket_default=True)

#: Module-level functions and constructors that take ``timeout=``.
TIMEOUT_FUNCTIONS: dict[str, TimeoutRule] = {
    **{name: _REQUESTS_TIMEOUT for name in SESSION_HELPERS if name.startswith("requests.")},
    **{name: _HTTPX_TIMEOUT for name in SESSION_HELPERS if name.startswith("httpx.")},
    "httpx.Client": _HTTPX_TIMEOUT,
    "httpx.AsyncClient": _HTTPX_TIMEOUT,
    "aiohttp.request": _AIOHTTP_TIMEOUT,
    "urllib3.request": TimeoutRule("urllib3", False),
    "urllib.request.urlopen": TimeoutRule("urllib.request", True, position=2, socket_default=True),
    "http.client.HTTPConnection": TimeoutRule("http.client", True, position=2, socket_default=True),
    "http.client.HTTPSConnection": TimeoutRule("http.client", True, position=2, socket_default=True),
}

#: Owner methods that send a request and take ``timeout=``, by owner type.
TIMEOUT_METHODS: dict[str, tuple[frozenset[str], TimeoutRule]] = {
    REQUESTS_SESSION.name: (REQUESTS_SESSION.request_methods, _REQUESTS_TIMEOUT),
    HTTPX_CLIENT.name: (HTTPX_CLIENT.request_methods - {"send"}, _HTTPX_TIMEOUT),
    HTTPX_ASYNC_CLIENT.name: (HTTPX_ASYNC_CLIENT.request_methods - {"send"}, _HTTPX_TIMEOUT),
    AIOHTTP_SESSION.name: (AIOHTTP_SESSION.request_methods, _AIOHTTP_TIMEOUT),
    **{
        owner.name: (_URLLIB3_SEND, _URLLIB3_POOL_TIMEOUT)
        for owner in (URLLIB3_POOL_MANAGER, URLLIB3_PROXY_MANAGER, URLLIB3_CONNECTION_POOL)
    },
}
#: ``Session.request(method, url, params, data, headers, cookies, files, auth, timeout, ...)``.
POSITIONAL_TIMEOUT_METHODS: dict[tuple[str, str], int] = {(REQUESTS_SESSION.name, "request"): 8}

#: urllib3 constructors whose ``timeout=`` is the default of every request of the pool.
URLLIB3_POOL_CONSTRUCTORS: dict[str, int | None] = {
    "urllib3.PoolManager": None,
    "urllib3.ProxyManager": None,
    "urllib3.proxy_from_url": None,
    "urllib3.HTTPConnectionPool": 2,
    "urllib3.HTTPSConnectionPool": 2,
    "urllib3.connection_from_url": None,
}
for _name in list(URLLIB3_POOL_CONSTRUCTORS):
    _module, _, _attr = _name.rpartition(".")
    for _sub in ("poolmanager", "connectionpool"):
        URLLIB3_POOL_CONSTRUCTORS.setdefault(f"urllib3.{_sub}.{_attr}", URLLIB3_POOL_CONSTRUCTORS[_name])

#: Timeout objects that bound nothing when built like this (every bound ``None``):
#: qualified name → the keywords that are bounds.
TIMEOUT_OBJECTS: dict[str, tuple[str, ...]] = {
    "urllib3.Timeout": ("total", "connect", "read"),
    "urllib3.util.Timeout": ("total", "connect", "read"),
    "urllib3.util.timeout.Timeout": ("total", "connect", "read"),
    "httpx.Timeout": ("timeout", "connect", "read", "write", "pool"),
    "aiohttp.ClientTimeout": ("total", "connect", "sock_read", "sock_connect"),
    "aiohttp.client.ClientTimeout": ("total", "connect", "sock_read", "sock_connect"),
}

#: Calls that block the event loop when made in an ``async def`` (flake8-async ASYNC210/212).
BLOCKING_FUNCTIONS: frozenset[str] = frozenset(
    {*(name for name in SESSION_HELPERS if name.startswith(("requests.", "httpx."))),
     "urllib3.request", "urllib.request.urlopen"}
)
#: Owner types whose request methods block.
BLOCKING_OWNERS: frozenset[str] = frozenset(
    {REQUESTS_SESSION.name, HTTPX_CLIENT.name, URLLIB3_POOL_MANAGER.name, URLLIB3_PROXY_MANAGER.name,
     URLLIB3_CONNECTION_POOL.name, HTTP_CLIENT_CONNECTION.name}
)

#: Owners that need a running event loop when constructed (aiohttp >= 3.10 raises
#: ``RuntimeError: no running event loop``, §4.1, E11a).
LOOP_BOUND_OWNERS: frozenset[str] = frozenset({AIOHTTP_SESSION.name, AIOHTTP_CONNECTOR.name})


#: Owner types by their canonical name, for configuration (`client-factories`).
OWNER_TYPES: dict[str, OwnerType] = {owner.name: owner for owner in CONSTRUCTORS.values()}
#: Decorators (by their last name) that memoise a function's result: its body runs once per
#: key, not once per call (``functools.lru_cache``/``cache``, ``cachetools.cached``,
#: ``async_lru.alru_cache``, ``aiocache.cached``).
CACHING_DECORATORS: frozenset[str] = frozenset(
    {"lru_cache", "cache", "cached", "alru_cache", "ttl_cache", "cached_property", "memoize", "memoized"}
)

#: Idle methods that return a part able to send (an adapter, pool or transport): what is done
#: with it is followed; the other idle methods return data (a request, headers, a flag).
PART_LOOKUPS: frozenset[str] = frozenset({
    "get_adapter", "connection_from_url", "connection_from_host", "connection_from_context",
    "connection_from_pool_key", "_transport_for_url", "proxy_manager_for", "init_poolmanager",
})
#: Methods that send or connect, on any owner (a derived pool or transport used to send).
SENDING_METHODS: frozenset[str] = frozenset().union(
    *(owner.request_methods for owner in CONSTRUCTORS.values()),
    {"connect", "getresponse", "endheaders", "putrequest", "send_request", "ws_connect"},
)


@dataclass(frozen=True)
class Knowledge:
    """The tables the analysis consults, extended by a project's configuration.

    Attributes:
        factories: a project's own callables that return a new owner, by qualified name
            (``myproject.http.make_session``) or, for a function of the same module, by its
            plain name (``make_session``); value: the owner type they return.
        fix_timeout: seconds, the timeout a fix inserts where one is missing.
    """

    factories: tuple[tuple[str, OwnerType], ...] = ()
    fix_timeout: float = 10.0
    #: project functions that return a held response: qualified name → response type
    response_factories: tuple[tuple[str, "ResponseType"], ...] = ()

    #: a project's client subclasses: qualified class name → owner type (also valid annotations)
    subclasses: tuple[tuple[str, OwnerType], ...] = ()

    #: what the other modules of the package say (:class:`httplint.project.ProjectView`:
    #: function summaries, class definitions, attributes closed from outside); ``None`` for a
    #: loose module. Not part of equality.
    project: Any = field(default=None, compare=False, hash=False)

    #: module-level instances of the project whose methods build clients
    #: (``shop.managers.manager``): their names make a module worth a parse too
    producers: tuple[str, ...] = ()

    #: the project's one-shot session helpers (``def fetch(url, **kw): with Session() as s:
    #: return s.get(url, **kw)``), by qualified name
    session_helpers: tuple[tuple[str, "SessionHelper"], ...] = ()

    def with_project(self, factories, response_factories, subclasses=(), producers=(),
                     session_helpers=()) -> "Knowledge":
        """This knowledge plus a project's discovered factories, subclasses, producers and
        session helpers."""
        return Knowledge(
            tuple(dict.fromkeys((*self.factories, *factories))), self.fix_timeout,
            tuple(dict.fromkeys((*self.response_factories, *response_factories))),
            tuple(dict.fromkeys((*self.subclasses, *subclasses))), self.project,
            tuple(dict.fromkeys((*self.producers, *producers))),
            tuple(dict.fromkeys((*self.session_helpers, *session_helpers))),
        )

    def session_helper(self, qualified: str) -> "SessionHelper | None":
        """The project's one-shot session helper of that qualified name, if it is one."""
        for key, helper in self.session_helpers:
            if key == qualified:
                return helper
        return None

    def annotation(self, qualified: str | None) -> OwnerType | None:
        """The owner type an annotation names: a library client or a project subclass."""
        if qualified is None:
            return None
        return ANNOTATION_TYPES.get(qualified) or dict(self.subclasses).get(qualified)

    @property
    def held_factories(self) -> dict[str, "ResponseType"]:
        return dict(self.response_factories)

    @property
    def constructors(self) -> dict[str, OwnerType]:
        return _constructors(self.factories)

    def local_factory(self, name: str) -> OwnerType | None:
        """The owner a plain-named factory of the same module returns."""
        for key, owner in self.factories:
            if key == name:
                return owner
        return None

    @property
    def words(self) -> tuple[str, ...]:
        """Words whose presence in a file makes it worth parsing (the prefilter's extra terms)."""
        return tuple(sorted({key.rsplit(".", 1)[-1] for key, _ in self.factories}
                            | {name.rsplit(".", 1)[-1] for name in self.producers}
                            | {key.rsplit(".", 1)[-1] for key, _ in self.session_helpers}))


_CONSTRUCTOR_CACHE: dict[tuple, dict[str, OwnerType]] = {}


def _constructors(factories: tuple[tuple[str, OwnerType], ...]) -> dict[str, OwnerType]:
    table = _CONSTRUCTOR_CACHE.get(factories)
    if table is None:
        table = {**CONSTRUCTORS, **{key: owner for key, owner in factories if "." in key}}
        _CONSTRUCTOR_CACHE[factories] = table
    return table


DEFAULT_KNOWLEDGE = Knowledge()


# -- what the prefilter looks for (httplint.prefilter) ---------------------------------------

#: Names a rule resolves even when they are not called: client types (annotations, base
#: classes, ``requests.Session.request = ...``).
PREFILTER_REFERENCED: frozenset[str] = frozenset(ANNOTATION_TYPES)
#: Names a rule resolves when they are called: every other table key.
PREFILTER_CALLED: frozenset[str] = frozenset(
    {*CONSTRUCTORS, *SESSION_HELPERS, *HELD_BY_FUNCTION, *TIMEOUT_FUNCTIONS, *URLLIB3_POOL_CONSTRUCTORS,
     *TIMEOUT_OBJECTS, *BLOCKING_FUNCTIONS}
)
