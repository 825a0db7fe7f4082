"""The simulator's timestamps and ids: the fast paths render exactly what the plain definitions do."""

from __future__ import annotations

import random
import time

import pytest

from explorer.simulator.clock import BASE_EPOCH_MS, iso
from explorer.simulator.errorstore import ErrorFilter, ErrorSeed, StepErrors


def _reference(ms: int) -> str:
    seconds, millis = divmod(ms, 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{millis:03d}Z"


def test_iso_renders_what_strftime_renders_at_every_edge() -> None:
    rng = random.Random(7)
    edges = [0, 999, 1000, -1, -1000, -86_400_000, 86_399_999, 86_400_000, 951_782_399_999,  # 2000-02-28/29
             BASE_EPOCH_MS, BASE_EPOCH_MS - 1, 4_102_444_800_000]
    samples = edges + [rng.randrange(-10**12, 5 * 10**12) for _ in range(20_000)]
    assert [iso(ms) for ms in samples] == [_reference(ms) for ms in samples]
    assert iso(BASE_EPOCH_MS) == "2026-11-27T09:00:00.000Z"


def test_object_ids_are_the_documented_digest_of_seed_namespace_and_count() -> None:
    from explorer.simulator.ids import IdFactory, hex_digest

    factory = IdFactory(3, "eu")
    ids = [factory.object_id() for _ in range(2_000)]
    assert ids == [f"{0x6590_0000 + n:08x}" + hex_digest(3, "eu", n, length=16) for n in range(1, 2_001)]


def test_the_job_history_is_the_same_whenever_it_is_first_read() -> None:
    """The seeded job documents are made when the jobs are first used, with the ids reserved at build time:
    an id taken in between (a run, a PUT) changes none of them, and the next id is the same either way."""
    from explorer.simulator import Simulator

    eager = Simulator(seed=0, time_scale=0)._account("na")
    made_first = {job_id: (job.doc, job.children, job.parent) for job_id, job in eager.jobs.items()}
    next_after = eager.ids.object_id()

    lazy = Simulator(seed=0, time_scale=0)._account("na")
    assert lazy._pending_jobs  # nothing made yet
    taken = lazy.ids.object_id()
    assert taken == next_after
    assert {job_id: (job.doc, job.children, job.parent) for job_id, job in lazy.jobs.items()} == made_first
    assert len(made_first) > 900 and not lazy._pending_jobs


def test_the_served_simulator_builds_its_job_history_before_the_first_request() -> None:
    """``build_deferred`` (what ``iox simulator`` calls at start) makes the same documents a first read does,
    so no request pays for them under the lock."""
    from explorer.simulator import Simulator

    lazy = Simulator(seed=0, time_scale=0)
    made_on_read = {job_id: job.doc for job_id, job in lazy._account("na").jobs.items()}
    served = Simulator(seed=0, time_scale=0)
    served.build_deferred()
    account = served._account("na")
    assert not account._pending_jobs
    assert {job_id: job.doc for job_id, job in account.jobs.items()} == made_on_read


def _store(windows: int, kind: str = "generic") -> StepErrors:
    jobs = tuple((f"job{j}", 1_000_000 + j * 50_000, 1_000_000 + j * 50_000 + 40_000) for j in range(windows))
    return StepErrors(kind, 12345, ErrorSeed(n_open=3000, n_resolved=10, windows=jobs, now_ms=9_000_000),
                      retry_data_kept=2000)


@pytest.mark.parametrize("windows", [0, 1, 7])
def test_take_for_retry_takes_what_the_list_showed_in_the_order_asked(windows: int) -> None:
    """The retry's loop places seeded errors itself (issue 10, µs per key): each taken error keeps the time
    and flow job the open list showed, the first mention of each error decides the order, and it takes
    only open, retriable errors that still have retry data."""
    store = _store(windows)
    listed = store.page_open(ErrorFilter(), None, 3000)[0]  # newest first; the oldest 1000 lack data
    by_id = {e["errorId"]: e for e in listed}
    keyed = [e for e in listed if "retryDataKey" in e]
    last, old = listed[1989], listed[1990]  # the oldest error that keeps its retry data, the newest that not
    assert store.get_retry_data(last["retryDataKey"]) and store.get_retry_data(old["retryDataKey"]) is None
    store.take_for_retry([keyed[5]["retryDataKey"]], [])  # already taken below
    keys = [keyed[1]["retryDataKey"], keyed[0]["retryDataKey"], keyed[1]["retryDataKey"], "f" * 32,
            old["retryDataKey"], keyed[5]["retryDataKey"], *(e["retryDataKey"] for e in keyed[10:400]),
            last["retryDataKey"]]
    ids = [keyed[2]["errorId"], keyed[0]["errorId"], "zz"]
    taken = store.take_for_retry(keys, ids)
    expected = [keyed[1], keyed[0], *keyed[10:400], last, keyed[2]]
    assert [t.error["errorId"] for t in taken] == [e["errorId"] for e in expected]
    for t in taken:
        shown = by_id[t.error["errorId"]]
        assert t.error == shown and iso(t.at_ms) == shown["occurredAt"]
        assert t.flow_job_id == shown.get("_flowJobId") and not t.edited
    assert store.count_open() == 3000 - 1 - len(expected)
    # keys it never served (no page listed them) are taken as well
    fresh = _store(windows)
    unserved = fresh.take_for_retry([keyed[3]["retryDataKey"], "nonsense"], [])
    assert [t.error["errorId"] for t in unserved] == [keyed[3]["errorId"]]
    # errors that cannot be retried are not taken by id
    refused = _store(windows, "ftp_inventory")
    assert refused.take_for_retry([], [e["errorId"] for e in listed[:50]]) == []
    assert refused.count_open() == 3000
