"""Typed access to error management ("EM 2.0"): summaries, error pages, resolve, retry, retry data.

Why its own module: these endpoints differ from the resource lists (``nextPageURL`` in the body instead of
``Link``; the step id straight after the flow id; the resolved list's key is ``resolved``) and they hold the
only non-idempotent call the explorer makes (``POST .../retry``), which is batched by 1000 and never repeated
after a failure other than 429.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Callable, Collection, Iterable, Sequence
from contextlib import aclosing
from datetime import datetime
from functools import partial
from typing import Any

from explorer.client.base import MAX_IDS_PER_CALL, ClientBase, batched
from explorer.client.errors import TransportError
from explorer.model import ErrorRecord, FlowErrorCount, Job, RetryData, StepErrorCount

TimeFilter = datetime | str | None
TextFilter = str | Sequence[str] | None


def _listed(value: TextFilter) -> list[str] | None:
    if value is None:
        return None
    return [value] if isinstance(value, str) else list(value)


THREAD_BUILD_ITEMS = 200
"""From this many entries a page's records are built in a worker thread, not on the caller's event loop.

Why: a page of 1000 errors took ~3 ms of the loop to build quietly (``ErrorRecord.from_json``), 3.4 ms
median and up to 8 ms under load, in one piece, once per page while 100,000 errors streamed onto the
errors screen; a key that came in meanwhile waited for it (and for the rest of the page's work). In a
thread the loop takes the interpreter back within the TUI's switch interval (``cli``, 1 ms) whenever it has
work. Measured in a pty (``bench/errors.py``, 5 runs each, same machine and hour): cursor keys while
loading 2.6/3.9/36.5 ms (min/median/max; worst per run 19.8/22.9/36.5) on the loop, 2.4/3.8/17.6 (worst per
run 12.0/15.4/17.6) in a thread; all 100,000 loaded in 7.7-7.8 s instead of 8.1-8.4 s. Small pages (the
last one, filtered lists) are built at once: a thread hop is not worth it.
"""


def _error_record(raw: Any, *, flow_id: str, step_id: str) -> ErrorRecord:
    return ErrorRecord.from_json(raw, flow_id, step_id)


def _last_page(ids: Collection[str] | None, most: int | None) -> Callable[[list[Any]], bool] | None:
    """A ``last_page`` test for ``body_pages``: True once every id of ``ids`` was on a page so far, or once
    ``most`` errors were."""
    if ids is None and most is None:
        return None
    missing = set(ids) if ids is not None else None
    count = 0

    def enough(items: list[Any]) -> bool:
        nonlocal count
        count += len(items)
        if most is not None and count >= most:
            return True
        if missing is None:
            return False
        for item in items:
            error_id = item.get("errorId") if isinstance(item, dict) else None
            if isinstance(error_id, str):
                missing.discard(error_id)
        return not missing

    return enough


class ErrorsMixin(ClientBase):
    """Error summaries, paged error lists, resolve/retry and retry data."""

    async def integration_error_summary(self, integration_id: str) -> list[FlowErrorCount]:
        """Open errors per flow of an integration (``GET /integrations/{id}/errors``)."""
        reply = await self._get("integrations", integration_id, "errors")
        return self._build_list(FlowErrorCount.from_json, reply.data, reply)

    async def flow_error_summary(self, flow_id: str) -> list[StepErrorCount]:
        """Open errors per step of a flow (``GET /flows/{id}/errors`` → ``flowErrors``, zeros included)."""
        reply = await self._get("flows", flow_id, "errors")
        data = reply.data.get("flowErrors", []) if isinstance(reply.data, dict) else reply.data
        return self._build_list(StepErrorCount.from_json, data, reply)

    async def iter_errors(
        self,
        flow_id: str,
        step_id: str,
        *,
        resolved: bool = False,
        occurred_at_gte: TimeFilter = None,
        occurred_at_lte: TimeFilter = None,
        source: TextFilter = None,
        classification: TextFilter = None,
        resolved_at_gte: TimeFilter = None,
        resolved_at_lte: TimeFilter = None,
        until_seen: Collection[str] | None = None,
        most: int | None = None,
    ) -> AsyncGenerator[list[ErrorRecord], None]:
        """Pages of open (or resolved) errors of a step, yielded as they arrive, following ``nextPageURL``.

        ``source`` and ``classification`` may repeat (a list means "any of"); ``resolved_at_*`` only apply to
        the resolved list (ValueError otherwise, rather than a filter silently ignored). With ``until_seen``
        (error ids) the pages end with the one on which the last of them appears: the next page, which would
        otherwise already be on its way, is never asked for (issue 10: ``iox retry`` of listed ids had the
        server serve a page nobody read while its batches were sent). Likewise with ``most``: the pages end
        with the one that brings the count to ``most`` (the caller cuts that page; ``--limit``).
        """
        if not resolved and (resolved_at_gte is not None or resolved_at_lte is not None):
            raise ValueError("resolved_at_gte/resolved_at_lte only apply to resolved errors (resolved=True)")
        params: dict[str, Any] = {
            "occurredAt_gte": occurred_at_gte, "occurredAt_lte": occurred_at_lte,
            "source": _listed(source), "classification": _listed(classification),
            "resolvedAt_gte": resolved_at_gte, "resolvedAt_lte": resolved_at_lte,
        }
        key = "resolved" if resolved else "errors"
        path = self._path("flows", flow_id, step_id, key)
        # aclosing: when the caller stops early, the page request already in flight is cancelled now
        last_page = _last_page(until_seen, most)
        async with aclosing(self._http.body_pages(path, key, params, last_page=last_page)) as pages:
            async for page, reply in pages:
                build = partial(self._build_list, partial(_error_record, flow_id=flow_id, step_id=step_id),
                                page, reply)
                big = isinstance(page, list) and len(page) >= THREAD_BUILD_ITEMS
                yield await asyncio.to_thread(build) if big else build()

    async def resolve_errors(self, flow_id: str, step_id: str, error_ids: Iterable[str]) -> int:
        """Mark errors resolved (``PUT .../resolved``), in batches of 1000; returns how many ids were sent.

        If a batch fails the exception is raised and earlier batches stay resolved (resolving is harmless
        to repeat, so the caller may simply try the whole selection again).
        """
        sent = 0
        for batch in batched(error_ids):
            await self._send("PUT", "flows", flow_id, step_id, "resolved", body={"errors": batch})
            sent += len(batch)
        return sent

    async def retry_errors(self, flow_id: str, step_id: str, retry_data_keys: Sequence[str]) -> Job:
        """Retry up to 1000 errors by retry-data key (``POST .../retry``); returns the retry job.

        Never repeated automatically after a 5xx or connection failure (records would be re-processed);
        more than 1000 keys are batched by ``services.bulk``. If the server answers without a job id,
        the returned Job has ``id == ""`` and the answer in ``raw``.
        """
        # A list is sent as given (no copy: 1000 more references for the young collection to walk while the
        # burst leaves); a key listed twice is sent once (a set tells in a third of dict.fromkeys's time).
        keys = retry_data_keys if type(retry_data_keys) is list else list(retry_data_keys)
        if len(set(keys)) != len(keys):
            keys = list(dict.fromkeys(keys))
        if not keys:
            raise ValueError("no retry data keys given")
        if len(keys) > MAX_IDS_PER_CALL:
            raise ValueError(f"at most {MAX_IDS_PER_CALL} keys per retry (services.bulk batches them)")
        reply = await self._send("POST", "flows", flow_id, step_id, "retry", body={"retryDataKeys": keys})
        data = reply.data
        if isinstance(data, dict) and (data.get("_id") or data.get("_jobId")):
            return self._build(Job.from_json, data, reply)
        return Job(id="", type="retry", flow_id=flow_id, raw=data if isinstance(data, dict) else {})

    async def get_retry_data(self, flow_id: str, step_id: str, retry_data_key: str) -> RetryData:
        """The failed record behind an error (``GET .../{retryDataKey}/data``)."""
        reply = await self._get("flows", flow_id, step_id, retry_data_key, "data")
        return RetryData.from_json(reply.data, retry_data_key)

    async def put_retry_data(self, flow_id: str, step_id: str, retry_data_key: str, doc: Any) -> RetryData:
        """Save edited retry data: ``doc`` is the whole object from GET with ``data`` replaced
        (``RetryData.with_data``). Returns what the server echoed, or ``doc`` when it answered with no body.
        """
        reply = await self._send("PUT", "flows", flow_id, step_id, retry_data_key, "data", body=doc)
        return RetryData.from_json(doc if reply.data is None else reply.data, retry_data_key)

    async def get_request_detail(self, flow_id: str, step_id: str, req_and_res_key: str) -> dict[str, Any]:
        """The HTTP request/response behind an error (``GET .../requests/{reqAndResKey}``), as JSON."""
        reply = await self._get("flows", flow_id, step_id, "requests", req_and_res_key)
        if reply.data is None:
            return {}
        if not isinstance(reply.data, dict):
            raise TransportError(reply.status, "unexpected_body",
                                 f"expected a JSON object, got a JSON {type(reply.data).__name__}",
                                 method=reply.method, path=reply.path)
        return reply.data
