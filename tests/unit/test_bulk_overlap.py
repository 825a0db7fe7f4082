"""Bulk batches overlap (a burst at once, then paced starts) without sending any twice or losing any.

Why (issue 10): the API's rate limit is a bucket of 1000 requests, so the 10 calls of a 10,000-error retry
may all start together and the least time the API allows is one round trip; one or two at a time took several.
The rules of ``services/bulk.py`` (exactly once per id, nothing lost, cancellable) must still hold.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from explorer.client import Unauthorized
from explorer.model import Job
from explorer.services.bulk import BulkOptions, CancelToken, run_bulk
from tests.helpers.fake_bulk import FakeClient, rate_limited, rec


@dataclass
class SlowClient(FakeClient):
    """A FakeClient whose answers take ``answer_s`` of real time; it notes overlap and start times."""

    answer_s: float = 0.02
    in_flight: int = 0
    most_in_flight: int = 0
    starts: list[float] = field(default_factory=list)

    async def retry_errors(self, flow_id: str, step_id: str, retry_data_keys: Sequence[str]) -> Job:
        self.starts.append(time.monotonic())
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            await asyncio.sleep(self.answer_s)
            return await super().retry_errors(flow_id, step_id, retry_data_keys)
        finally:
            self.in_flight -= 1


async def test_ten_batches_go_out_at_once_and_every_record_is_sent_once() -> None:
    client = SlowClient(answer_s=0.1)
    records = [rec(n) for n in range(10_000)]
    report = await run_bulk(client, "retry", records, options=BulkOptions(follow=False))
    assert client.most_in_flight == 10  # the defaults: the whole 10,000 in one round trip
    assert client.starts[-1] - client.starts[0] < 0.05
    keys = [key for batch in client.accepted for key in batch]
    assert sorted(keys) == sorted(r.retry_data_key or "" for r in records) and len(keys) == len(set(keys))
    assert len(report.sent) == 10_000 and report.batches_sent == 10 and not report.not_sent


async def test_in_flight_bounds_the_overlap_and_every_record_is_sent_once() -> None:
    client = SlowClient()
    records = [rec(n) for n in range(5000)]
    report = await run_bulk(client, "retry", records,
                            options=BulkOptions(min_interval=0.0, follow=False, in_flight=2))
    assert client.most_in_flight == 2
    keys = [key for batch in client.accepted for key in batch]
    assert sorted(keys) == sorted(r.retry_data_key or "" for r in records) and len(keys) == len(set(keys))
    assert len(report.sent) == 5000 and report.batches_sent == 5 and not report.not_sent


async def test_overlapping_starts_keep_the_minimum_interval_after_the_burst() -> None:
    client = SlowClient(answer_s=0.1)
    await run_bulk(client, "retry", [rec(n) for n in range(6000)],
                   options=BulkOptions(min_interval=0.03, burst=3, follow=False))
    assert client.most_in_flight >= 3
    gaps = [later - earlier for earlier, later in zip(client.starts, client.starts[1:], strict=False)]
    assert max(gaps[:2]) < 0.01  # the burst: three at once
    assert min(gaps[2:]) >= 0.03 - 0.002  # then paced (asyncio's timers may fire a hair early)


async def test_a_429_spends_the_burst() -> None:
    client = SlowClient(answer_s=0.0, script=[rate_limited()])
    await run_bulk(client, "retry", [rec(n) for n in range(5000)],
                   options=BulkOptions(min_interval=0.02, burst=5, in_flight=1, follow=False,
                                       fallback_retry_after=0.0))
    gaps = [later - earlier for earlier, later in zip(client.starts, client.starts[1:], strict=False)]
    assert len(client.starts) == 6  # the refused batch was sent again, once
    assert min(gaps) >= 0.02 - 0.002  # no burst after the 429: every start waits its (widened) interval


async def test_a_429_in_an_overlapped_run_resends_only_that_batch() -> None:
    client = SlowClient(script=[rate_limited(), None, None, None])
    records = [rec(n) for n in range(3000)]
    report = await run_bulk(client, "retry", records,
                            options=BulkOptions(min_interval=0.0, follow=False, fallback_retry_after=0.0))
    keys = [key for batch in client.accepted for key in batch]
    assert sorted(keys) == sorted(r.retry_data_key or "" for r in records) and len(keys) == 3000
    assert report.rate_limited == 1 and len(report.sent) == 3000


async def test_a_stopping_error_sends_nothing_after_the_batch_already_in_flight() -> None:
    client = SlowClient(script=[Unauthorized(401, "unauthorized", "token revoked")])
    records = [rec(n) for n in range(5000)]
    report = await run_bulk(client, "retry", records,
                            options=BulkOptions(min_interval=0.0, follow=False, in_flight=2))
    assert len(client.calls) <= 2  # the first failed; at most the one already in flight was sent too
    booked = len(report.sent) + len(report.not_sent) + len(report.failed)
    assert booked == 5000  # none lost
    assert len(report.not_sent) >= 4000 and all("token revoked" in why for _, why in report.not_sent)


@dataclass
class CancelingClient(SlowClient):
    """Presses esc (cancels) as the ``at``-th batch leaves, before it is answered."""

    cancel: CancelToken = field(default_factory=CancelToken)
    at: int = 3

    async def retry_errors(self, flow_id: str, step_id: str, retry_data_keys: Sequence[str]) -> Job:
        if len(self.starts) + 1 == self.at:
            self.cancel.cancel()
        return await super().retry_errors(flow_id, step_id, retry_data_keys)


async def test_cancel_during_the_burst_sends_nothing_more_and_books_every_record_once() -> None:
    client = CancelingClient(answer_s=0.05)
    records = [rec(n) for n in range(15_000)]
    report = await run_bulk(client, "retry", records, cancel=client.cancel,
                            options=BulkOptions(follow=False, burst=3, min_interval=0.02))
    assert len(client.starts) == 3 and report.canceled  # the burst was on the wire; nothing after the esc
    sent = [key for batch in client.accepted for key in batch]
    assert len(sent) == len(set(sent)) == 3000 == len(report.sent)
    booked = [r.error_id for r in report.sent] + [r.error_id for r, _ in report.not_sent]
    assert sorted(booked) == sorted(r.error_id for r in records)
