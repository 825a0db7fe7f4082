"""The transport core: one long-lived ``httpx.AsyncClient``, auth, retries, concurrency, records, paging.

Why everything that touches the wire lives here: the typed API methods (resources, errors, jobs) only name
paths and read JSON; the rules that keep the token safe and the service unharmed are enforced once:
- read-only sessions refuse any non-GET before it is sent;
- every URL goes through ``urls.resolve`` (same origin as the base URL, or refused);
- retries follow ``RetryPolicy`` (POST only after 429);
- at most ``concurrency`` attempts are in flight at once (the semaphore is released while backing off);
- every logical request is reported once to ``on_request`` with the token redacted;
- no ``httpx`` type or exception escapes: callers get ``Reply`` or an ``ApiError``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import httpx

from explorer import __version__
from explorer.client import urls
from explorer.client.cancel import CancelScope, current_scope
from explorer.client.decode import loads_off_loop
from explorer.client.encode import json_bytes
from explorer.client.errors import (
    Abandoned,
    ApiError,
    Canceled,
    ReadOnlyViolation,
    TransportError,
    error_from_response,
    excerpt,
    parse_retry_after,
)
from explorer.client.records import RequestHook, RequestRecord, SummaryHook, body_text, redact_headers
from explorer.client.retry import RetryPolicy
from explorer.client.waits import Timeouts, WaitBoard

if TYPE_CHECKING:
    from explorer.client.warm import ConnectionOpener

log = logging.getLogger("explorer.client")

_NO_BODY = object()
_MIN_TOKEN_TO_SCRUB = 6


@dataclass(frozen=True)
class Reply:
    """A successful answer: parsed JSON (None for 204/empty), lower-cased headers, and where it came from."""

    status: int
    headers: dict[str, str]
    data: Any
    method: str
    path: str
    url: str


@dataclass
class _Outcome:
    """What one attempt produced: a response, or the error to raise if no retry follows."""

    response: httpx.Response | None = None
    error: ApiError | None = None
    retry_after: float | None = None


class HttpCore:
    """Sends requests for ``IntegratorClient``; see the module docstring for the rules it enforces."""

    def __init__(
        self,
        token: str,
        base_url: str,
        *,
        transport: httpx.AsyncBaseTransport | None,
        read_only: bool,
        timeouts: Timeouts,
        policy: RetryPolicy,
        concurrency: int,
        on_request: RequestHook | None,
    ) -> None:
        if not token or not token.strip():
            raise ValueError("an API token is required")
        if not all("!" <= ch <= "~" for ch in token.strip()):
            raise ValueError("the API token has spaces or characters that cannot travel in a header")
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self._token = token.strip()
        self.base_url = base_url
        self.read_only = read_only
        self.policy = policy
        self.on_request = on_request
        self._details = not isinstance(on_request, SummaryHook)
        self._semaphore = asyncio.Semaphore(concurrency)
        self.timeouts = timeouts
        self.waits = WaitBoard()
        self.host = urls.host_label(base_url)
        if transport is None:  # the network: httpcore's pool without its per-request waste (``client.pool``)
            from explorer.client.pool import LeanTransport  # imports httpcore: not on the --demo path

            transport = LeanTransport(verify=True, trust_env=False)
        self._client = httpx.AsyncClient(
            transport=transport,
            timeout=httpx.Timeout(timeouts.read, connect=timeouts.connect),
            follow_redirects=False,
            trust_env=False,
            verify=True,
            headers={"Accept": "application/json", "User-Agent": f"integrator-explorer/{__version__}"},
        )
        self._transport = transport
        self._network = isinstance(transport, httpx.AsyncHTTPTransport)
        self._concurrency = concurrency
        self._opener: ConnectionOpener | None = None

    def __repr__(self) -> str:
        return f"HttpCore(base_url={self.base_url!r}, read_only={self.read_only!r})"

    async def aclose(self) -> None:
        """Close the connection pool (connections still being opened ahead are given up first)."""
        if self._opener is not None:
            await self._opener.aclose()
        await self._client.aclose()

    def opener(self) -> ConnectionOpener | None:
        """What opens connections ahead (``client.warm``); None on an in-process transport (nothing to open,
        and httpcore is not imported on the ``--demo`` path)."""
        if self._opener is None and self._network:
            from explorer.client.warm import ConnectionOpener

            self._opener = ConnectionOpener(self._client, self.base_url, most=self._concurrency,
                                            connect_timeout=self.timeouts.connect, host=self.host)
        return self._opener

    def scrub(self, text: str) -> str:
        """``text`` with any occurrence of the token replaced (servers and proxies sometimes echo headers)."""
        if len(self._token) >= _MIN_TOKEN_TO_SCRUB and self._token in text:
            return text.replace(self._token, "***")
        return text

    def url_for(self, target: str, params: urls.QueryParams | None = None, method: str = "GET") -> str:
        """The absolute URL for a path or URL plus query params; a foreign origin is a ``TransportError``."""
        try:
            url = urls.resolve(self.base_url, target)
        except ValueError as exc:  # ForeignUrl, or a URL urllib cannot even split
            code = "foreign_host" if isinstance(exc, urls.ForeignUrl) else "invalid_url"
            message, path = self.scrub(str(exc)), self.scrub(target)
            raise TransportError(None, code, message, method=method, path=path) from None
        return urls.with_query(url, urls.query_pairs(params))

    # ----------------------------------------------------------------------------------------- requests
    async def request(
        self, method: str, target: str, *, params: urls.QueryParams | None = None, body: Any = _NO_BODY
    ) -> Reply:
        """Send one logical request (with retries) and return the parsed answer, or raise an ``ApiError``."""
        method = method.upper()
        url = self.url_for(target, params, method)
        path = self.scrub(urls.path_of(url))
        if path != urls.path_of(url):
            # URLs end up in proxy and server logs (and httpx's own log line): never put the token there.
            raise TransportError(None, "token_in_url", "refusing to send a URL that contains the API token",
                                 method=method, path=path)
        if self.read_only and method != "GET":
            raise ReadOnlyViolation(None, "read_only", f"read-only session: {method} {path} was not sent",
                                    method=method, path=path)
        content = None if body is _NO_BODY else json_bytes(body)
        headers = {"Authorization": f"Bearer {self._token}"}
        if content is not None:
            headers["Content-Type"] = "application/json"
        try:
            request = self._client.build_request(method, url, content=content, headers=headers)
        except httpx.InvalidURL as exc:
            raise TransportError(None, "invalid_url", self.scrub(f"cannot build the URL: {exc}"),
                                 method=method, path=path) from None

        waiting = self.waits.start(method, path, self.host, current_scope())
        try:
            return await self._send(request, method, path, url)
        finally:
            self.waits.end(waiting)

    async def _send(self, request: httpx.Request, method: str, path: str, url: str) -> Reply:
        """The attempts of one logical request, within the time budget and the action's cancel scope."""
        started, started_at = time.monotonic(), datetime.now(UTC)
        retries = 0
        scope = current_scope()
        outcome = _Outcome()
        budget = self.timeouts.budget
        while True:
            if scope is not None and scope.cancelled:
                raise self._canceled(request, outcome, started, started_at, retries, method, path)
            remaining = budget - (time.monotonic() - started)
            if remaining <= 0:
                error = outcome.error or TransportError(None, "timeout", "", method=method, path=path)
                raise self._out_of_time(request, outcome, error, started, started_at, retries)
            request.extensions["timeout"] = httpx.Timeout(
                min(self.timeouts.read, remaining), connect=min(self.timeouts.connect, remaining),
                pool=remaining).as_dict()
            outcome = await self._attempt(request, method, path, scope)
            if isinstance(outcome.error, Abandoned):  # it went out: the HTTP log shows it, unanswered
                self._report(request, None, started, started_at, retries, outcome.error)
                raise outcome.error
            if isinstance(outcome.error, Canceled):
                raise outcome.error
            if outcome.error is None and outcome.response is not None:
                data, parse_error = await self._parse(outcome.response, method, path)
                if parse_error is None:
                    self._report(request, outcome.response, started, started_at, retries, None)
                    return Reply(outcome.response.status_code, _headers(outcome.response), data, method, path,
                                 url)
                outcome.error = parse_error
            if not self._should_retry(method, outcome, retries):
                self._report(request, outcome.response, started, started_at, retries, outcome.error)
                assert outcome.error is not None
                raise outcome.error
            wait = self.policy.delay(retries, outcome.retry_after)
            if time.monotonic() + wait - started >= budget:  # no time left for another attempt
                assert outcome.error is not None
                raise self._out_of_time(request, outcome, outcome.error, started, started_at, retries)
            retries += 1
            log.info("retry %d/%d of %s %s after %s; waiting %.2fs", retries, self.policy.max_retries,
                     method, path, _why(outcome), wait)
            if scope is None:
                await self.policy.sleep(wait)
            elif await scope.sleep(wait, self.policy.sleep):
                raise self._canceled(request, outcome, started, started_at, retries, method, path)

    def _out_of_time(self, request: httpx.Request, outcome: _Outcome, last: ApiError, started: float,
                     started_at: datetime, retries: int) -> ApiError:
        """The last error, or for timeouts a clear one: the request's time budget is spent."""
        error = last
        if isinstance(last, TransportError) and last.code == "timeout":
            error = TransportError(None, "timeout", (
                f"no answer from {self.host} within {time.monotonic() - started:.0f} s "
                f"({retries + 1} attempt{'s' if retries else ''}; connect timeout "
                f"{self.timeouts.connect:g} s, read timeout {self.timeouts.read:g} s)"),
                method=last.method, path=last.path)
        self._report(request, outcome.response, started, started_at, retries, error)
        return error

    def _canceled(self, request: httpx.Request, outcome: _Outcome, started: float, started_at: datetime,
                  retries: int, method: str, path: str) -> Canceled:
        """The error for a request whose action was cancelled before it was (re-)sent; logged if tried."""
        sent = outcome.response is not None or outcome.error is not None
        error = Canceled(None, "canceled", f"canceled: {method} {path} was not "
                         + ("sent again" if sent else "sent"), method=method, path=path)
        if sent:
            self._report(request, outcome.response, started, started_at, retries, error)
        return error

    async def _attempt(self, request: httpx.Request, method: str, path: str,
                       scope: CancelScope | None = None) -> _Outcome:
        """One attempt under the concurrency bound; transport failures become ``TransportError``."""
        try:
            async with self._semaphore:
                if scope is not None and scope.cancelled:  # cancelled while waiting for a slot
                    message = f"canceled: {method} {path} was not sent"
                    return _Outcome(error=Canceled(None, "canceled", message, method=method, path=path))
                response = await self._send_unless_abandoned(request, scope)
                if response is None:
                    return _Outcome(error=Abandoned(None, "abandoned", (
                        f"stopped waiting for {self.host} ({method} {path.split('?', 1)[0]}): no answer was "
                        "read"), method=method, path=path))
        except httpx.TimeoutException as exc:
            what = ("could not connect to" if isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout)
                    else "no answer from")
            return _Outcome(error=TransportError(
                None, "timeout", self.scrub(f"{what} {self.host} in time ({type(exc).__name__})"),
                method=method, path=path))
        except (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError) as exc:
            return _Outcome(error=TransportError(
                None, "connection_error", self.scrub(f"connection failed: {type(exc).__name__}: {exc}"),
                method=method, path=path))
        status = response.status_code
        if 200 <= status < 300:
            return _Outcome(response=response)
        error = error_from_response(status, response.headers, response.content, method, path, self.scrub,
                                    response.reason_phrase)
        return _Outcome(response, error, parse_retry_after(response.headers.get("retry-after")))

    async def _send_unless_abandoned(self, request: httpx.Request,
                                     scope: CancelScope | None) -> httpx.Response | None:
        """Send and read the answer; None when ``scope`` is abandoned first (the request is dropped).

        The task sending is registered with the scope, which cancels it on ``abandon``; that cancellation
        (and only that one) is turned into None here. No extra task per request: this is every request's path.
        """
        if scope is None:
            return await self._exchange(request)
        if scope.abandoned:
            return None
        task = asyncio.current_task()
        if task is None:  # pragma: no cover - always inside a task under asyncio
            return await self._exchange(request)
        if scope.on_written is not None:
            request.extensions["trace"] = _tell_when_written(scope, request.extensions)
        scope.watch(task)
        try:
            return await self._exchange(request)
        except asyncio.CancelledError:
            if scope.abandoned and task.uncancel() == 0:  # the scope's cancel, no one else's
                return None
            raise
        finally:
            scope.unwatch(task)

    async def _exchange(self, request: httpx.Request) -> httpx.Response:
        """What ``AsyncClient.send`` does for our requests, without the machinery they never use: the
        transport's answer, read whole (and closed, on failure too); cookies the server sets are kept in the
        client's jar, as httpx keeps them (the next ``build_request`` sends them).

        Why not ``send``: its auth flow (an async generator even with no auth), redirect and event-hook
        layers and per-response bookkeeping cost ~70 µs a request, ~0.7 ms of the 10 answers of a bulk
        retry, which come back together and are read one after another (10 concurrent POSTs on kept-alive
        loopback connections, 2 x 30 bursts: answers read in 2.9 ms instead of 3.6). This client sets its
        headers and timeouts itself, follows no redirect (a 3xx is an answer) and has no hooks or auth.
        """
        if self._client.is_closed:
            raise RuntimeError("Cannot send a request, as the client has been closed.")
        response = await self._transport.handle_async_request(request)
        response.request = request
        try:
            await response.aread()
        except BaseException:
            await response.aclose()
            raise
        if "set-cookie" in response.headers:
            self._client.cookies.extract_cookies(response)
        return response

    async def _parse(self, response: httpx.Response, method: str, path: str) -> tuple[Any, ApiError | None]:
        """JSON of a 2xx body (None when empty or 204); a body that is not JSON is a ``TransportError``.

        A big body is parsed off the event loop (``decode.loads_off_loop``), so the UI keeps answering.
        """
        raw = response.content
        if response.status_code == 204 or not raw.strip():
            return None, None
        try:  # decoded (strict UTF-8) where it is parsed: a 10 MB body in the thread, not on the loop
            return await loads_off_loop(raw), None
        except UnicodeDecodeError as exc:  # say so: "expected JSON, got application/json" helped nobody
            message = (f"the answer is not UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start:,} of "
                       f"{len(raw):,}), so it cannot be read as JSON")
            return None, TransportError(response.status_code, "malformed_body", message, method=method,
                                        path=path)
        except (ValueError, RecursionError):
            kind = response.headers.get("content-type", "unknown content type").split(";")[0]
            shown = excerpt(self.scrub(raw.decode("utf-8", errors="replace")))
            message = f"expected JSON, got {kind}: {shown}" if shown else f"expected JSON, got {kind}"
            return None, TransportError(response.status_code, "malformed_body", message, method=method,
                                        path=path, excerpt=shown)

    def _should_retry(self, method: str, outcome: _Outcome, retries: int) -> bool:
        error = outcome.error
        if error is None:
            return False
        if outcome.response is not None and not isinstance(error, TransportError):
            return self.policy.may_retry_status(method, outcome.response.status_code, outcome.retry_after,
                                                retries)
        return self.policy.may_retry_failure(method, retries)

    def _report(self, request: httpx.Request, response: httpx.Response | None, started: float,
                started_at: datetime, retries: int, error: ApiError | None) -> None:
        if self.on_request is None:
            return
        details = self._details  # a SummaryHook reads none of the headers and bodies
        self.on_request(RequestRecord(
            method=request.method,
            path=self.scrub(urls.path_of(str(request.url))),
            status=response.status_code if response is not None else None,
            duration_ms=round((time.monotonic() - started) * 1000.0, 3),
            bytes_sent=len(request.content),
            bytes_received=len(response.content) if response is not None else 0,
            retries=retries,
            request_headers=redact_headers(request.headers, self.scrub) if details else {},
            request_body=body_text(request.content, self.scrub) if details else None,
            response_headers=(redact_headers(response.headers, self.scrub)
                              if details and response is not None else {}),
            response_body=(body_text(response.content, self.scrub)
                           if details and response is not None else None),
            error=str(error) if error is not None else None,
            started_at=started_at,
        ))

    # ----------------------------------------------------------------------------------------- paging
    async def link_pages(
        self, target: str, params: urls.QueryParams | None = None
    ) -> AsyncIterator[tuple[list[Any], Reply]]:
        """Pages of a list endpoint, following ``Link: <...>; rel="next"`` (204 or no body = empty page)."""
        url: str | None = self.url_for(target, params)
        seen: set[str] = set()
        while url is not None:
            _check_loop(url, seen, self.scrub)
            reply = await self.request("GET", url)
            yield as_list(reply.data, reply), reply
            target_next = urls.next_link(reply.headers.get("link"))
            url = self.url_for(target_next) if target_next else None

    async def body_pages(
        self, target: str, key: str, params: urls.QueryParams | None = None, *,
        last_page: Callable[[list[Any]], bool] | None = None,
    ) -> AsyncGenerator[tuple[list[Any], Reply], None]:
        """Pages of ``{key: [...], "nextPageURL": ...}`` bodies (the error APIs), following ``nextPageURL``.

        Filter params are re-added to a next-page URL that lacks them, as the web app does. The next page is
        requested before this one is yielded, so one request is in flight while the caller builds and shows
        the rows (pages were fetched strictly one after another: 100 round trips plus 100 decodes in a row).
        Closing the iterator early cancels that request — but once it is on the wire the server serves it
        anyway, so a caller that can tell from a page's items that it needs no more says so: ``last_page``
        (given the page's raw items) True ends the pages there, and no next page is requested.
        """
        pairs = urls.query_pairs(params)
        url = self.url_for(target, params)
        seen: set[str] = set()
        _check_loop(url, seen, self.scrub)
        pending: asyncio.Task[Reply] | None = asyncio.ensure_future(self.request("GET", url))
        try:
            while pending is not None:
                reply = await pending
                pending = None
                data = reply.data
                next_url = data.get("nextPageURL") if isinstance(data, dict) else None
                items = as_list(data.get(key, []) if isinstance(data, dict) else data, reply)
                refused: ApiError | None = None  # a bad next link: raised after this page, not instead
                if last_page is not None and last_page(items):
                    next_url = None
                if isinstance(next_url, str) and next_url.strip():
                    try:
                        url = urls.with_query(self.url_for(next_url), pairs, only_missing=True)
                        _check_loop(url, seen, self.scrub)
                    except ApiError as error:
                        refused = error
                    else:
                        pending = asyncio.ensure_future(self.request("GET", url))
                yield items, reply
                if refused is not None:
                    raise refused
        finally:
            if pending is not None:
                pending.cancel()
                pending.add_done_callback(_ignore_outcome)


def _tell_when_written(scope: CancelScope,
                       extensions: dict[str, Any]) -> Callable[[str, dict[str, Any]], Awaitable[None]]:
    """An httpcore ``trace`` callback (a documented request extension) telling ``scope`` when the request's
    body has been written (``http11.send_request_body.complete``, or ``http2.``).

    Then it leaves the request's ``extensions`` (httpcore looks for it at each step): the answer's six
    steps would each await it for nothing, ~0.3 ms of the 10 answers of a bulk retry, which come back
    together (``bench/bulk_client.py`` with a scope told of writes, as the TUI's is).
    """

    async def trace(event: str, info: dict[str, Any]) -> None:
        if event.endswith(".send_request_body.complete"):
            extensions.pop("trace", None)
            scope.written()

    return trace


def _ignore_outcome(task: asyncio.Task[Reply]) -> None:
    """Read a prefetch's outcome nobody waits for any more (so asyncio does not log it as unretrieved)."""
    if not task.cancelled():
        task.exception()


def _headers(response: httpx.Response) -> dict[str, str]:
    """Plain, lower-cased headers (repeated ones joined with commas, as ``Link`` may be)."""
    merged: dict[str, str] = {}
    for name, value in response.headers.multi_items():
        key = name.lower()
        merged[key] = f"{merged[key]}, {value}" if key in merged else value
    return merged


def as_list(data: Any, reply: Reply) -> list[Any]:
    """A JSON array as a list (None, i.e. 204 or no body, is empty); anything else is a ``TransportError``."""
    if data is None:
        return []
    if isinstance(data, list):
        return data
    raise TransportError(reply.status, "unexpected_body",
                         f"expected a JSON array, got a JSON {type(data).__name__}",
                         method=reply.method, path=reply.path)


def _check_loop(url: str, seen: set[str], scrub: Callable[[str], str]) -> None:
    """A server that links a page to itself would make the client loop forever: stop with an error."""
    if url in seen:
        raise TransportError(None, "pagination_loop", "the next-page link repeats a page already read",
                             method="GET", path=scrub(urls.path_of(url)))
    seen.add(url)


def _why(outcome: _Outcome) -> str:
    error = outcome.error
    if error is None:
        return "?"
    if isinstance(error, TransportError):
        return error.code
    return f"HTTP {error.status}"
