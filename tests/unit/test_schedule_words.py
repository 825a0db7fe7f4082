"""Schedules in the form integrator.io stores them (Quartz: a leading ``?`` seconds field, ``?`` for "any")
read in words, with the flow's timezone when a time of day is named.

Every expression the simulator seeds is here, so a new seeded form that comes out raw fails this test.
"""

from __future__ import annotations

import pytest

from explorer.client import IntegratorClient
from explorer.model import Flow, schedule_in_words
from explorer.simulator import DEMO_TOKENS, Simulator, SimulatorTransport

SEEDED: dict[str, str] = {
    "? 0/15 * * * *": "every 15 minutes",
    "? 0 2 ? * *": "daily at 02:00",
    "? 0 */3 * * *": "every 3 hours",
    "? 30 1 ? * *": "daily at 01:30",
    "? 0 */2 * * *": "every 2 hours",
    "? 0 6,18 * * *": "daily at 06:00, 18:00",
    "? 0 * * * *": "every hour",
    "? 0 */6 * * *": "every 6 hours",
    "? 0 */4 * * *": "every 4 hours",
}


@pytest.mark.parametrize(("cron", "words"), sorted(SEEDED.items()))
def test_every_seeded_form_reads_in_words(cron: str, words: str) -> None:
    assert schedule_in_words(cron) == words


async def test_the_seeded_account_has_no_schedule_left_raw() -> None:
    client = IntegratorClient(DEMO_TOKENS["full"], transport=SimulatorTransport(Simulator(seed=0)))
    try:
        flows = await client.list_flows()
    finally:
        await client.aclose()
    scheduled = [flow for flow in flows if flow.schedule]
    assert scheduled, "the demo account schedules flows"
    assert {flow.schedule for flow in scheduled} <= set(SEEDED), "a new seeded form: add it to SEEDED"
    assert not [flow.schedule_words for flow in scheduled if flow.schedule_words.startswith("cron:")]


@pytest.mark.parametrize(
    ("cron", "words"),
    [
        ("? 5/20 * * * *", "hourly at :05, :25, :45"),
        ("? 0/30 * * * ?", "every 30 minutes"),
        ("? 0 0/6 * * *", "every 6 hours"),
        ("? 0 8-18/2 ? * MON-FRI", "every 2 hours from 08:00 to 18:00 on Mon–Fri"),
        ("? 15,45 9-17 ? * 1-5", "at :15, :45 each hour from 09:00 to 17:59 on Mon–Fri"),
        ("? 0 9-17 ? * MON-FRI", "hourly from 09:00 to 17:00 on Mon–Fri"),
        ("? 0 12 ? * MON,WED,FRI", "at 12:00 on Mon, Wed, Fri"),
        ("? 0 2 ? * SUN", "at 02:00 on Sun"),
        ("? 0 2 1,15 * ?", "at 02:00 on day 1, 15 of the month"),
        ("? 0 2 ? JAN-MAR *", "daily at 02:00 in Jan–Mar"),
        ("? 0 2 ? 1,7 *", "daily at 02:00 in Jan, Jul"),
        ("? 30 1,13 * * *", "daily at 01:30, 13:30"),
    ],
)
def test_ranges_lists_and_steps(cron: str, words: str) -> None:
    assert schedule_in_words(cron) == words


def test_a_time_of_day_is_read_in_the_flows_timezone() -> None:
    assert schedule_in_words("? 0 2 ? * *", "America/Los_Angeles") == "daily at 02:00 (America/Los_Angeles)"
    assert schedule_in_words("? 0/15 * * * *", "Europe/Berlin") == "every 15 minutes"  # no clock, no zone
    assert schedule_in_words("? 0 2 L * ?", "UTC") == "cron: ? 0 2 L * ?"
    assert schedule_in_words(None, "UTC") == "manual"


def test_the_flow_label_uses_its_timezone() -> None:
    flow = Flow.from_json({"_id": "f1", "name": "n", "schedule": "? 0 2 ? * *", "timezone": "Asia/Tokyo"})
    assert flow.schedule_words == "daily at 02:00 (Asia/Tokyo)"
