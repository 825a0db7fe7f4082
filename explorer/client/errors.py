"""The exceptions callers catch, and how a failed HTTP answer becomes one of them.

Why a hierarchy instead of status codes: the TUI reacts to kinds (a 403 locks a node, a 401 means "check the
token or region", a 429 means "wait"), not to numbers, and it must never see an ``httpx`` type. The real
API's error bodies are ``{"errors": [{"code", "message", "field"}]}`` but a proxy may answer with HTML, plain
text or nothing; every such answer still becomes a readable error with the status and a short, clean excerpt.
No message ever contains the token: every text that came from outside is scrubbed before it is stored.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from explorer.textsafe import escape

EXCERPT_LIMIT = 200
"""Characters of a non-JSON (or unrecognised) body kept in an error, after control characters are removed."""

UNAUTHORIZED_HINT = "token expired/revoked, or a token for another region (NA, EU, AU, CA)"

_TAG = re.compile(r"<[^>]{0,500}>")
_SPACE = re.compile(r"\s+")


def excerpt(text: str, limit: int = EXCERPT_LIMIT) -> str:
    """A one-line, printable excerpt of at most ``limit`` characters (HTML tags dropped: proxies send HTML).

    Whitespace runs become one space, and every other unsafe character (``explorer.textsafe``) a visible
    escape, so a hostile or broken body cannot move the cursor or recolour a terminal.
    """
    cleaned = text
    if cleaned.lstrip()[:1] == "<":
        cleaned = _TAG.sub(" ", cleaned)
    cleaned = escape(_SPACE.sub(" ", cleaned).strip())
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1] + "…"


@dataclass(frozen=True)
class ApiErrorItem:
    """One entry of the API's ``errors`` array; ``code`` is the stable thing to switch on."""

    code: str
    message: str
    field: str | None = None


class ApiError(Exception):
    """An integrator.io request that did not succeed.

    ``status`` is None when no HTTP answer was received (connection problems, refusals before sending).
    ``excerpt`` holds the start of the body when it was not the standard JSON envelope (HTML, text...).
    """

    def __init__(
        self,
        status: int | None,
        code: str,
        message: str,
        errors: list[ApiErrorItem] | None = None,
        method: str = "",
        path: str = "",
        excerpt: str = "",
    ) -> None:
        self.status = status
        self.code = code
        self.message = message
        self.errors = list(errors or [])
        self.method = method
        self.path = path
        self.excerpt = excerpt
        super().__init__(str(self))

    def __str__(self) -> str:
        where = " ".join(part for part in (self.method, self.path) if part)
        status = f"HTTP {self.status}" if self.status is not None else "no response"
        details = ", ".join(part for part in (status, self.code, where) if part)
        return escape(f"{self.message} ({details})")  # server text: shown literally wherever it goes

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(status={self.status!r}, code={self.code!r}, "
                f"message={self.message!r}, method={self.method!r}, path={self.path!r})")


class BadRequest(ApiError):
    """400 (bad JSON or query) or 415 (not JSON): a bug on our side or an odd input."""


class Unauthorized(ApiError):
    """401: the token is missing, expired or revoked, or belongs to another region."""


class Forbidden(ApiError):
    """403: the token is valid but may not touch this resource (custom scope); the TUI locks the node."""


class NotFound(ApiError):
    """404: unknown id (or a step that is not in the flow)."""


class ValidationFailed(ApiError):
    """422: the server rejected the document; ``errors`` names the fields."""


class RateLimited(ApiError):
    """429 after retries ran out (or a ``Retry-After`` too long to wait for); ``retry_after`` in seconds."""

    def __init__(self, *args: Any, retry_after: float | None = None, **kwargs: Any) -> None:
        self.retry_after = retry_after
        super().__init__(*args, **kwargs)


class ServerError(ApiError):
    """5xx: the service (or a proxy in front of it) failed."""


class TransportError(ApiError):
    """No usable answer: connection error, timeout, a body that is not JSON, or a URL we refuse to call."""


class Canceled(ApiError):
    """The action that made this request was cancelled before it was sent (or re-sent); nothing went out."""


class Abandoned(Canceled):
    """The action stopped waiting for a request already sent (``CancelScope.abandon``): no answer was read.

    A read is harmless to abandon; a write's outcome is unknown (the server may have applied it).
    """


class ReadOnlyViolation(ApiError):
    """A non-GET request refused before anything was sent, because the session is read-only."""


_BY_STATUS: dict[int, type[ApiError]] = {
    400: BadRequest, 415: BadRequest, 401: Unauthorized, 403: Forbidden, 404: NotFound,
    422: ValidationFailed, 429: RateLimited,
}


def error_class(status: int) -> type[ApiError]:
    """The exception type for an HTTP status that is not a success."""
    if status in _BY_STATUS:
        return _BY_STATUS[status]
    return ServerError if status >= 500 else ApiError


def parse_retry_after(value: str | None) -> float | None:
    """``Retry-After`` in seconds (the API sends an integer); None when absent or in a form we do not read."""
    if value is None:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        return None
    return max(seconds, 0.0) if seconds == seconds else None  # NaN check


def _items(body: Any) -> list[ApiErrorItem]:
    """The standard envelope's entries, tolerating strings or a single object in place of the array."""
    raw = body.get("errors") if isinstance(body, Mapping) else None
    if isinstance(raw, Mapping):
        raw = [raw]
    if not isinstance(raw, list):
        if isinstance(body, Mapping) and any(k in body for k in ("message", "error", "code")):
            raw = [body]
        else:
            return []
    items = []
    for entry in raw:
        if isinstance(entry, Mapping):
            message = entry.get("message", entry.get("error", ""))
            field = entry.get("field")
            items.append(ApiErrorItem(str(entry.get("code", "")), str(message if message is not None else ""),
                                      str(field) if field is not None else None))
        elif entry is not None:
            items.append(ApiErrorItem("", str(entry)))
    return items


def error_from_response(
    status: int,
    headers: Mapping[str, str],
    body: bytes,
    method: str,
    path: str,
    scrub: Callable[[str], str],
    reason: str = "",
) -> ApiError:
    """Turn a non-2xx answer into the matching ``ApiError`` subclass, whatever its body looks like."""
    text = body.decode("utf-8", errors="replace")
    try:
        parsed: Any = json.loads(text) if text.strip() else None
    except ValueError:
        parsed = None
    items = [ApiErrorItem(scrub(i.code), scrub(i.message), scrub(i.field) if i.field is not None else None)
             for i in _items(parsed)]
    shown = excerpt(scrub(text)) if text.strip() and not items else ""
    code = next((i.code for i in items if i.code), "") or f"http_{status}"
    message = "; ".join(i.message or i.code for i in items if i.message or i.code)
    if not message:
        message = shown or (f"HTTP {status} {reason}" if reason else f"HTTP {status} with an empty body")
    if 300 <= status < 400:
        message = f"unexpected redirect (not followed): {message}"
    cls = error_class(status)
    if cls is Unauthorized:
        message = f"unauthorized: {UNAUTHORIZED_HINT} — {message}"
    elif cls is Forbidden:
        message = f"forbidden (outside this token's scope?): {message}"
    kwargs: dict[str, Any] = {"errors": items, "method": method, "path": scrub(path), "excerpt": shown}
    if cls is RateLimited:
        lowered = {k.lower(): v for k, v in headers.items()}
        return RateLimited(status, code, message, retry_after=parse_retry_after(lowered.get("retry-after")),
                           **kwargs)
    return cls(status, code, message, **kwargs)
