"""The errors panel's pickers: what they offer and what a pick does to the query (no app needed)."""

from __future__ import annotations

import pytest

from explorer.model import ErrorRecord
from explorer.services.error_list import ErrorQuery
from explorer.tui.widgets.errors_choices import (
    CLEAR,
    date_range_prompt,
    dated_query,
    export_format,
    quick_filter_choices,
    quick_filtered,
    sort_choices,
    sorted_query,
)
from explorer.tui.widgets.errors_table import OPEN_COLUMNS


def rows() -> list[ErrorRecord]:
    return [ErrorRecord("f", "s", f"e{n}", source="connection" if n % 3 else "application", code=f"c{n % 2}")
            for n in range(6)]


def test_quick_filter_offers_each_value_with_its_count_and_a_way_back() -> None:
    choices = quick_filter_choices(rows())
    ids = [choice[0] for choice in choices if choice is not None]
    assert ids[0] == CLEAR
    assert "source\tconnection" in ids and "code\tc1" in ids
    labels = {choice[0]: str(choice[1]) for choice in choices if choice is not None}
    assert labels["source\tconnection"].endswith("(4)")
    narrowed = quick_filtered(ErrorQuery(), "source\tconnection")
    assert narrowed.sources == frozenset({"connection"})
    assert quick_filtered(narrowed, CLEAR).sources == frozenset()


def test_sort_offers_the_columns_on_screen_and_a_second_pick_flips() -> None:
    ids = [choice[0] for choice in sort_choices(OPEN_COLUMNS, grouped=False) if choice is not None]
    assert ids[0] == "" and "occurredAt" in ids and "message" in ids
    grouped = [choice[0] for choice in sort_choices(OPEN_COLUMNS, grouped=True) if choice is not None]
    assert grouped == ["", "occurredAt", "code", "classification"]
    first = sorted_query(ErrorQuery(), "code")
    again = sorted_query(first, "code")
    assert first.sort_by == again.sort_by == "code" and first.descending != again.descending
    assert sorted_query(again, "").sort_by is None


def test_export_format() -> None:
    assert [export_format(c) for c in ("csv", "jsonl", None, "pdf")] == ["csv", "jsonl", None, None]


def test_the_date_prompt_shows_the_current_range_and_a_typed_one_applies() -> None:
    title, current, _, _ = date_range_prompt(ErrorQuery())
    assert title == "Occurred between (UTC)" and current == ""
    dated = dated_query(ErrorQuery(), "2026-11-01..2026-11-20")
    assert dated.occurred_from is not None and dated.occurred_to is not None
    assert date_range_prompt(dated)[1].startswith("2026-11-01")
    assert dated_query(dated, "").occurred_from is None
    with pytest.raises(ValueError):
        dated_query(dated, "next tuesday")
