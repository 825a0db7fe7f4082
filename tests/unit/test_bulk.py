"""Bulk retry/resolve against a scripted client: batching, 429 re-sends, cancel, gone retry data, jobs."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from explorer.client import ReadOnlyViolation, ServerError, ValidationFailed
from explorer.model import Job
from explorer.services.bulk import (
    NOT_RETRYABLE,
    NOT_SENT_CANCELED,
    RETRY_DATA_GONE,
    BulkOptions,
    BulkProgress,
    CancelToken,
    distinct_errors,
    follow_jobs,
    plan_batches,
    run_bulk,
)
from explorer.services.error_list import row_key
from tests.helpers.fake_bulk import FakeClient, rate_limited, rec

FAST = BulkOptions(min_interval=0.0, poll_interval=0.0, fallback_retry_after=0.0, in_flight=1)
"""One batch at a time, so a scripted answer goes to a known batch (overlap: ``test_bulk_overlap.py``)."""




def test_plan_batches_splits_per_step_by_1000_and_skips_non_retryable() -> None:
    records = [rec(n) for n in range(2500)] + [rec(9000, step="s2"), rec(9001, retry=False), rec(1)]
    batches, skipped = plan_batches("retry", records)
    assert [(step, len(rows)) for _, step, rows in batches] == [("s1", 1000), ("s1", 1000), ("s1", 500),
                                                               ("s2", 1)]
    assert [(r.error_id, why) for r, why in skipped] == [("e9001", NOT_RETRYABLE)]
    batches, skipped = plan_batches("resolve", records)
    assert sum(len(rows) for *_, rows in batches) == 2502 and skipped == []
    with pytest.raises(ValueError):
        BulkOptions(batch_size=1001)


async def test_retry_sends_each_batch_once_and_follows_the_jobs() -> None:
    client = FakeClient()
    seen: list[BulkProgress] = []
    report = await run_bulk(client, "retry", [rec(n) for n in range(2100)] + [rec(5000, retry=False)],
                            options=FAST, on_progress=lambda p: seen.append(BulkProgress(**vars(p))))
    assert [len(ids) for _, _, ids in client.calls] == [1000, 1000, 100]
    assert len(report.sent) == 2100 and report.batches_sent == 3 and not report.failed
    assert [r.error_id for r, _ in report.skipped] == ["e5000"]
    assert [job.status for job in report.followed] == ["completed"] * 3
    assert seen[-1].sent == 2100 and seen[-1].batches_done == 3 and seen[-1].skipped == 1
    lines = report.lines()
    assert lines[0].startswith("2100 of 2101 retried in 3 batches")
    assert f"skipped 1: {NOT_RETRYABLE}" in lines
    assert any("27 succeeded, 3 failed again" in line for line in lines)


async def test_a_429_storm_resends_the_same_batch_never_twice_accepted_none_lost() -> None:
    client = FakeClient(script=[rate_limited(), rate_limited(), None, rate_limited(), None, None])
    records = [rec(n) for n in range(3000)]
    report = await run_bulk(client, "retry", records, options=FAST)
    sent_batches = [ids for _, _, ids in client.calls]
    assert sent_batches[0] == sent_batches[1] == sent_batches[2]  # re-sent after 429s: same ids
    assert len(client.accepted) == 3 and len(set(client.accepted)) == 3
    accepted = [key for batch in client.accepted for key in batch]
    assert sorted(accepted) == sorted(r.retry_data_key or "" for r in records)
    assert report.rate_limited == 3 and len(report.sent) == 3000 and not report.not_sent


async def test_retry_after_is_honoured_and_the_pace_slows_down() -> None:
    waits: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        waits.append(seconds)

    client = FakeClient(script=[rate_limited(7.0), None])
    options = BulkOptions(min_interval=0.0, follow=False, sleep=fake_sleep, in_flight=1)
    report = await run_bulk(client, "resolve", [rec(1)], options=options)
    assert 7.0 in waits and len(report.sent) == 1


async def test_endless_429s_end_as_not_sent_not_lost() -> None:
    client = FakeClient(script=[rate_limited()] * 10)
    options = BulkOptions(min_interval=0.0, max_rate_waits=3, fallback_retry_after=0.0, follow=False,
                          in_flight=1)
    report = await run_bulk(client, "resolve", [rec(n) for n in range(1500)], options=options)
    assert len(client.calls) == 4 and client.accepted == []
    assert len(report.not_sent) == 1500 and not report.sent
    assert all("rate limited" in why for _, why in report.not_sent)


async def test_cancel_stops_batches_not_yet_sent_and_reports_them() -> None:
    cancel = CancelToken()
    client = FakeClient(on_call=lambda n: cancel.cancel() if n == 2 else None)
    report = await run_bulk(client, "retry", [rec(n) for n in range(3000)], options=FAST, cancel=cancel)
    assert len(client.calls) == 2 and len(client.accepted) == 2  # the batch in flight completes
    assert report.canceled and len(report.sent) == 2000 and len(report.not_sent) == 1000
    assert {why for _, why in report.not_sent} == {NOT_SENT_CANCELED}
    assert report.followed == []  # cancelling also stops following
    assert "canceled: 1000 not sent" in report.lines()


async def test_cancel_during_a_rate_limit_wait_does_not_send_that_batch() -> None:
    cancel = CancelToken()
    client = FakeClient(script=[rate_limited(30.0)])
    waiting = asyncio.Event()

    async def sleep(seconds: float) -> None:
        waiting.set()  # the 30 s Retry-After wait has begun
        await asyncio.sleep(seconds)

    options = replace(FAST, sleep=sleep)
    task = asyncio.create_task(run_bulk(client, "resolve", [rec(1)], options=options, cancel=cancel))
    await waiting.wait()
    cancel.cancel()
    report = await asyncio.wait_for(task, 10)  # at once, not after the 30 s Retry-After (room for a busy CI)
    assert client.accepted == [] and [r.error_id for r, _ in report.not_sent] == ["e1"]


async def test_gone_retry_data_is_skipped_and_the_rest_of_the_batch_resent_once() -> None:
    client = FakeClient(gone_keys={"k3", "k7"})
    report = await run_bulk(client, "retry", [rec(n) for n in range(10)], options=FAST)
    assert len(client.calls) == 2 and len(client.accepted) == 1
    assert sorted(client.accepted[0]) == sorted(f"k{n}" for n in range(10) if n not in (3, 7))
    assert sorted(r.error_id for r, why in report.skipped if why == RETRY_DATA_GONE) == ["e3", "e7"]
    assert sorted(report.gone) == [row_key(rec(3)), row_key(rec(7))]
    assert not report.failed


async def test_known_gone_keys_are_skipped_before_sending() -> None:
    client = FakeClient()
    gone = frozenset({row_key(rec(1))})
    report = await run_bulk(client, "retry", [rec(1), rec(2)], options=FAST, gone=gone)
    assert client.calls == [("retry", "s1", ("k2",))]
    assert [(r.error_id, why) for r, why in report.skipped] == [("e1", RETRY_DATA_GONE)]


async def test_a_422_without_gone_data_fails_the_batch_and_continues() -> None:
    client = FakeClient(script=[ValidationFailed(422, "invalid", "bad keys"), None])
    report = await run_bulk(client, "retry", [rec(n) for n in range(1200)], options=FAST)
    assert len(report.failed) == 1000 and len(report.sent) == 200
    assert {why for _, why in report.failed} == {"bad keys"}


async def test_a_5xx_on_retry_is_never_repeated_and_says_it_may_have_been_processed() -> None:
    client = FakeClient(script=[ServerError(502, "http_502", "bad gateway")])
    report = await run_bulk(client, "retry", [rec(1)], options=FAST)
    assert len(client.calls) == 1 and report.failed and "may have processed" in report.failed[0][1]


async def test_read_only_stops_the_run() -> None:
    client = FakeClient(script=[ReadOnlyViolation(None, "read_only", "read-only session")])
    report = await run_bulk(client, "resolve", [rec(n) for n in range(2500)], options=FAST)
    assert len(client.calls) == 1 and len(report.not_sent) == 2500 and not report.failed


async def test_follow_jobs_gives_up_after_the_timeout() -> None:
    client = FakeClient(finish_after=10**6)
    clock = iter(range(0, 10**6, 100))
    options = BulkOptions(poll_interval=0.0, follow_timeout=250, clock=lambda: float(next(clock)))
    client.accepted.append(("k1",))
    jobs, note = await follow_jobs(client, [Job("job1", type="retry", status="queued", flow_id="f1")],
                                   options=options)
    assert jobs[0].status == "running" and "still running" in note


async def test_follow_jobs_without_ids_says_so() -> None:
    jobs, note = await follow_jobs(FakeClient(), [Job("", type="retry")])
    assert jobs == [] and "no job id" in note


async def test_follow_jobs_reads_non_retry_jobs_by_id() -> None:
    jobs, note = await follow_jobs(FakeClient(), [Job("run1", type="flow", status="running")], options=FAST)
    assert [job.status for job in jobs] == ["completed"] and note == ""


async def test_a_plan_made_beforehand_is_sent_as_planned() -> None:
    records = [rec(n) for n in range(2500)]
    batches, skipped = plan_batches("retry", records)
    client = FakeClient()
    report = await run_bulk(client, "retry", records, options=FAST, planned=(batches[:2], skipped))
    assert [len(ids) for _, _, ids in client.calls] == [1000, 1000]  # not planned again: the 500 stay
    assert len(report.sent) == 2000 and report.requested == 2500


async def test_errors_named_twice_are_requested_once_and_a_count_made_beforehand_is_kept() -> None:
    records = [rec(1), rec(2), rec(1), rec(1, step="s2"), replace(rec(2), flow_id="f2")]
    assert distinct_errors(records) == 4  # e1 twice on s1: once; e1 on s2 and e2 of flow f2 are others
    report = await run_bulk(FakeClient(), "resolve", records, options=FAST)
    assert report.requested == 4 and report.lines()[0].startswith("4 of 4 resolved")
    report = await run_bulk(FakeClient(), "resolve", records, options=FAST, requested=5)
    assert report.requested == 5  # taken as counted (the TUI counts while its question is on screen)


async def test_what_is_alive_when_a_run_starts_is_out_of_the_collectors_reach_until_it_ends(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # A full collection among the sends stalled a 10,000-error retry 35-80 ms (issue 10): the run freezes
    # what exists when it starts (gc.freeze) and gives it back when it ends, unless another holder remains.
    import gc

    from explorer import gc_policy

    monkeypatch.setattr(gc_policy, "_holders", set())  # as in a fresh `iox retry` process
    seen: list[int] = []
    client = FakeClient(on_call=lambda _: seen.append(gc.get_freeze_count()))
    report = await run_bulk(client, "retry", [rec(n) for n in range(2000)], options=FAST)
    assert len(report.sent) == 2000
    assert seen and min(seen) > 0  # frozen while the batches went out
    assert gc.get_freeze_count() == 0 and not gc_policy._holders  # and given back at the end
