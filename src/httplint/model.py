"""What the lifetime analysis finds in one module: the data the rules read.

:class:`Analysis` holds every acquisition (a client built or a held response returned) with its
uses and decided :class:`State`, and the other facts the rules report (session helpers in loops,
``with`` mismatches, un-awaited closes, class leaks, overwritten slots, timeouts). Built by
:func:`httplint.resources.analyze`.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from enum import Enum

from . import libraries as lib
from .classes import ClassLeak
from .semantic import Scope, SemanticModel


class UseKind(Enum):
    REQUEST = "request"        # owner.get(...) and friends
    RELEASE = "release"        # .close(), .release_conn(), .clear() …
    CONSUME = "consume"        # response read to EOF
    WITH = "with"              # `with x:` / `async with x:`
    REGISTERED = "registered"  # closing(x), stack.enter_context(x), atexit.register(x.close)
    ESCAPE = "escape"
    BORROW = "borrow"          # lent to a project function that only uses it (:mod:`httplint.summaries`)
    NEUTRAL = "neutral"


class State(Enum):
    ESCAPED = "escaped"
    RELEASED = "released"
    NORMAL_PATH = "normal-path"
    LEAKED = "leaked"


@dataclass(eq=False)
class Use:
    """One use of an acquired resource.

    Attributes:
        node: the expression whose value is the resource (a ``Name`` load or the acquiring call).
        kind: what the use does to the resource.
        call: the method call, for REQUEST and RELEASE uses.
        awaited: the method call is awaited.
        nested: the use lies in a nested function or lambda.
    """

    node: ast.AST
    kind: UseKind
    call: ast.Call | None = None
    awaited: bool = False
    nested: bool = False
    loop: ast.AST | None = None


@dataclass(eq=False)
class Acquisition:
    """A call that constructs an owner or returns a held response, and what becomes of it.

    Attributes:
        call: the constructor or request call.
        owner: the owner type constructed, or ``None`` for a response.
        response: the held response type returned, or ``None`` for an owner.
        scope: the function (or module) scope that acquires it.
        how: ``with``, ``async-with``, ``assign``, ``inline`` (a method called on the
            call directly), ``discarded`` (a bare expression statement), ``registered``
            or ``escape``.
        name: the local name bound, for ``assign`` and ``with ... as name``.
        statement: the statement that contains the call.
        loop: the innermost loop or comprehension of the same scope around the call.
        work_loop: ``loop`` goes over work items (not a retry or polling loop).
        factory: the project function that built it, when it was not a library constructor.
        rebound: the bound name is also bound to something else in the scope (a parameter,
            another value): the acquisition is then one branch of a "given or made here" design.
        given: the value is the fresh branch of a "given or made here" expression or statement
            (``client or Client()``, ``Client() if client is None else client``, ``if client is
            None: client = Client()``): owned here only when it was made here.
        uses: every use of the value, see :class:`Use`.
    """

    call: ast.Call
    owner: lib.OwnerType | None
    response: lib.ResponseType | None
    scope: Scope
    how: str
    name: str | None
    statement: ast.stmt
    loop: ast.AST | None
    work_loop: bool = False
    rebound: bool = False
    given: bool = False
    #: the function is a one-shot session helper like ``requests.get``: it builds the client,
    #: returns the response of its one request and takes what it sends as parameters; its calls
    #: in loops are reported (``HelperCall.project``), not its definition
    session_helper: bool = False
    factory: str | None = None
    uses: list[Use] = field(default_factory=list)
    state: State = State.LEAKED
    #: ``raise`` / ``return`` statements that leave the function while it is still held,
    #: when it is otherwise handed to the caller by ``return`` (see ``_early_exits``)
    early_exits: list[ast.stmt] = field(default_factory=list)
    #: a later statement of the same block that binds the name to something else: the uses
    #: after it are the new object's, and the first is judged on those before it
    replaced_at: ast.stmt | None = None

    @property
    def type_name(self) -> str:
        return self.owner.name if self.owner else self.response.name  # type: ignore[union-attr]

    @property
    def requests(self) -> list[Use]:
        return [u for u in self.uses if u.kind is UseKind.REQUEST]

    @property
    def releases(self) -> list[Use]:
        return [u for u in self.uses if u.kind is UseKind.RELEASE]

    @property
    def label(self) -> str:
        return self.name if self.name else self.type_name.rsplit(".", 1)[-1]


@dataclass(eq=False)
class HelperCall:
    """A call of a module helper that builds a session per call (``requests.get`` …)."""

    call: ast.Call
    helper: lib.SessionHelper
    scope: Scope
    loop: ast.AST | None
    work_loop: bool = False
    #: a function of this module written as a session helper (``Acquisition.session_helper``)
    project: bool = False


@dataclass(eq=False)
class ContextMismatch:
    """An owner entered with the wrong kind of ``with`` (sync for async, or the reverse)."""

    call: ast.Call
    owner: lib.OwnerType
    is_async_with: bool
    request_context: bool = False  # a request (`session.get(...)`, `aiohttp.request(...)`), not the owner
    no_protocol: str | None = None  # what has no context-manager protocol at all, for the message
    awaited: bool = False  # `await aiohttp.request(...)`: an async context manager, not awaitable


@dataclass(eq=False)
class UnawaitedClose:
    """A coroutine close (``await session.close()``) called as a plain statement."""

    call: ast.Call
    receiver: str
    method: str
    type_name: str


@dataclass(eq=False)
class OverwrittenSlot:
    """A global or a dict slot given a new client while the one it held is never closed.

    Attributes:
        call: the construction.
        slot: the global's name, or ``NAME[...]`` for a dict written and never read.
        owner: the type built.
        reason: ``replaced`` (a global reassigned, in a loop or after being used, with no
            ``is None`` guard and no close of the old one first), ``unread`` (a dict that
            is only ever written: a "cache" that leaks one client per write) or
            ``per-definition`` (a class attribute of a class defined inside a function: a
            new client each time the function runs).
    """

    call: ast.Call
    slot: str
    owner: lib.OwnerType
    reason: str


@dataclass(eq=False)
class OrphanedPart:
    """An owner told not to close a part it builds itself: ``aiohttp.ClientSession(
    connector_owner=False)`` with no connector of its own builds a ``TCPConnector`` that its
    ``close()`` then leaves open (aiohttp/client.py: ``ClientSession.__init__`` / ``close``).

    Attributes:
        call: the construction.
        owner: its type.
        keyword: the ownership keyword (``connector_owner``).
        part: the keyword of the part it builds when none is given (``connector``).
    """

    call: ast.Call
    owner: lib.OwnerType
    keyword: str
    part: str


@dataclass
class Analysis:
    """Everything the lifetime rules need for one module."""

    semantic: SemanticModel
    acquisitions: list[Acquisition] = field(default_factory=list)
    helper_calls: list[HelperCall] = field(default_factory=list)
    context_mismatches: list[ContextMismatch] = field(default_factory=list)
    unawaited_closes: list[UnawaitedClose] = field(default_factory=list)
    entry_points: set[ast.AST] = field(default_factory=set)
    timeout_findings: list = field(default_factory=list)  # list[timeouts.TimeoutFinding]
    blocking_calls: list = field(default_factory=list)  # list[timeouts.BlockingCall]
    loop_bound_owners: list = field(default_factory=list)  # list[timeouts.LoopBoundOwner]
    class_leaks: list[ClassLeak] = field(default_factory=list)
    overwritten_slots: list[OverwrittenSlot] = field(default_factory=list)
    orphaned_parts: list[OrphanedPart] = field(default_factory=list)
    knowledge: lib.Knowledge = lib.DEFAULT_KNOWLEDGE
