"""Bulk batches overlap (a burst at once, then paced starts) without sending any twice or losing any.

Why (issue 10): the API's rate limit is a bucket of 1000 requests, so the 10 calls of a 10,000-error retry
may all start together and the least time the API allows is one round trip; one or two at a time took several.
The rules of ``services/bulk.py`` (exactly once per id, nothing lost, cancellable) must still hold.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from explorer.client import Unauthorized
from explorer.model import Job
from explorer.services.bulk import BulkOptions, CancelToken, Pacer, run_bulk
from tests.helpers.fake_bulk import FakeClient, rate_limited, rec
from tests.helpers.waiting import WAIT_S


@dataclass
class SlowClient(FakeClient):
    """A FakeClient whose answers take ``answer_s`` of real time; it notes overlap and start times.

    With ``hold_until``, no answer comes before that many calls are on the wire at once (or ``WAIT_S`` has
    passed: a run that never overlaps so much ends, and its test fails on ``most_in_flight``). Why: with
    answers 0.1 s long, a loaded machine sometimes had the first answer back before the last call of a
    burst had started, and the overlap measured was the machine's, not the pacer's.
    """

    answer_s: float = 0.02
    hold_until: int = 0
    in_flight: int = 0
    most_in_flight: int = 0
    starts: list[float] = field(default_factory=list)
    _overlapped: asyncio.Event = field(default_factory=asyncio.Event)

    async def retry_errors(self, flow_id: str, step_id: str, retry_data_keys: Sequence[str]) -> Job:
        self.starts.append(time.monotonic())
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        if self.hold_until and self.most_in_flight >= self.hold_until:
            self._overlapped.set()
        try:
            if self.hold_until:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._overlapped.wait(), WAIT_S)
            else:
                await asyncio.sleep(self.answer_s)
            return await super().retry_errors(flow_id, step_id, retry_data_keys)
        finally:
            self.in_flight -= 1


async def test_ten_batches_go_out_at_once_and_every_record_is_sent_once() -> None:
    client = SlowClient(hold_until=10)
    records = [rec(n) for n in range(10_000)]
    report = await run_bulk(client, "retry", records, options=BulkOptions(follow=False))
    assert client.most_in_flight == 10  # the defaults: the whole 10,000 in one round trip
    keys = [key for batch in client.accepted for key in batch]
    assert sorted(keys) == sorted(r.retry_data_key or "" for r in records) and len(keys) == len(set(keys))
    assert len(report.sent) == 10_000 and report.batches_sent == 10 and not report.not_sent


async def test_in_flight_bounds_the_overlap_and_every_record_is_sent_once() -> None:
    client = SlowClient(hold_until=2)
    records = [rec(n) for n in range(5000)]
    report = await run_bulk(client, "retry", records,
                            options=BulkOptions(min_interval=0.0, follow=False, in_flight=2))
    assert client.most_in_flight == 2
    keys = [key for batch in client.accepted for key in batch]
    assert sorted(keys) == sorted(r.retry_data_key or "" for r in records) and len(keys) == len(set(keys))
    assert len(report.sent) == 5000 and report.batches_sent == 5 and not report.not_sent


class FakeTime:
    """A clock that only the pacer's sleeps move; each sleep is noted."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 6))
        self.now += seconds


async def reserve(pacer: Pacer, count: int) -> list[float]:
    """Reserve ``count`` slots one after another at the current moment; the waits each asked for."""
    waits: list[float] = []
    for _ in range(count):
        time_ = pacer.options.clock()
        assert not await pacer.wait(CancelToken())
        waits.append(round(pacer.options.clock() - time_, 6))
    return waits


async def test_the_pacer_lets_a_burst_through_then_keeps_the_minimum_interval() -> None:
    fake = FakeTime()
    pacer = Pacer(BulkOptions(min_interval=0.03, burst=3, clock=lambda: fake.now, sleep=fake.sleep))
    assert await reserve(pacer, 6) == [0.0, 0.0, 0.0, 0.03, 0.03, 0.03]
    fake.now += 10.0  # a quiet while refills the burst
    assert await reserve(pacer, 4) == [0.0, 0.0, 0.0, 0.03]


async def test_a_429_spends_the_burst_and_widens_the_interval() -> None:
    fake = FakeTime()
    pacer = Pacer(BulkOptions(min_interval=0.02, burst=5, clock=lambda: fake.now, sleep=fake.sleep))
    assert await reserve(pacer, 1) == [0.0]
    pacer.throttled()
    assert pacer.interval == 0.05
    assert await reserve(pacer, 3) == [0.05, 0.05, 0.05]  # no burst: every start waits the wider interval


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
