"""The code table: every rule, by code. Codes are stable once published."""

from __future__ import annotations

from ..rule import Rule
from .aiohttp_outside_coroutine import AiohttpOutsideCoroutine
from .blocking_http_in_async import BlockingHttpInAsync
from .class_never_closes_client import ClassNeverClosesClient
from .client_close_not_exception_safe import ClientCloseNotExceptionSafe
from .client_created_in_loop import ClientCreatedInLoop
from .client_never_closed import ClientNeverClosed
from .close_not_awaited import CloseNotAwaited
from .context_manager_mismatch import ContextManagerMismatch
from .ineffective_timeout import IneffectiveTimeout
from .request_without_timeout import RequestWithoutTimeout
from .response_never_released import ResponseNeverReleased
from .response_release_not_exception_safe import ResponseReleaseNotExceptionSafe
from .session_helper_in_loop import SessionHelperInLoop
from .single_request_client import SingleRequestClient
from .timeout_disabled import TimeoutDisabled

RULES: dict[str, type[Rule]] = {
    rule.code: rule
    for rule in sorted(
        (
            ClientCreatedInLoop,
            SingleRequestClient,
            SessionHelperInLoop,
            ClientNeverClosed,
            ClientCloseNotExceptionSafe,
            ClassNeverClosesClient,
            ResponseNeverReleased,
            ResponseReleaseNotExceptionSafe,
            CloseNotAwaited,
            ContextManagerMismatch,
            RequestWithoutTimeout,
            TimeoutDisabled,
            IneffectiveTimeout,
            AiohttpOutsideCoroutine,
            BlockingHttpInAsync,
        ),
        key=lambda rule: rule.code,
    )
}

#: Rules in the opinionated band, off unless selected explicitly.
OPINIONATED_PREFIX = "HTL9"

__all__ = ["RULES", "OPINIONATED_PREFIX"]
