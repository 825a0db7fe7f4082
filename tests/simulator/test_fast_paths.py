"""The simulator's timestamps and ids: the fast paths render exactly what the plain definitions do."""

from __future__ import annotations

import random
import time

from explorer.simulator.clock import BASE_EPOCH_MS, iso


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
