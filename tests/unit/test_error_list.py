"""The error list store: filters, sorting, grouping, streamed merges and selection by key."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from explorer.model import ErrorKey, ErrorRecord
from explorer.services.error_list import (
    ErrorList,
    ErrorQuery,
    apply_query,
    distinct_values,
    group_errors,
    merge_sorted,
    parse_date_range,
    row_key,
    sort_key,
)

BASE = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


def rec(n: int, *, code: str = "422", cls: str = "value", source: str = "application", msg: str = "",
        trace: str | None = None, retry: bool = True, step: str = "s1",
        minutes: int | None = None) -> ErrorRecord:
    offset = timedelta(minutes=n if minutes is None else minutes)
    return ErrorRecord(
        flow_id="f1", step_id=step, error_id=f"e{n}", occurred_at=BASE + offset,
        source=source, code=code, message=msg or f"message {n}", classification=cls,
        trace_key=trace if trace is not None else f"SO-{n}", retry_data_key=f"rdk{n}" if retry else None,
    )


SAMPLE = [
    rec(1, code="422", cls="missing", msg="Missing required field email"),
    rec(2, code="USER_ERROR", cls="value", msg="Insufficient inventory for SKU-7"),
    rec(3, code="429", cls="rate limit", source="connection", msg="Quota exceeded", retry=False),
    rec(4, code="422", cls="missing", msg="Missing required field phone", trace="ORDER-99"),
    rec(5, code="DUPLICATE", cls="duplicate", msg="Sales order already exists"),
]


def ids(rows: list[ErrorRecord]) -> list[str]:
    return [r.error_id for r in rows]


def test_text_filter_matches_message_code_and_trace_key_case_insensitively() -> None:
    assert ids(apply_query(SAMPLE, ErrorQuery(text="MISSING required"))) == ["e1", "e4"]
    assert ids(apply_query(SAMPLE, ErrorQuery(text="user_err"))) == ["e2"]
    assert ids(apply_query(SAMPLE, ErrorQuery(text="order-99"))) == ["e4"]
    assert ids(apply_query(SAMPLE, ErrorQuery(text="  "))) == ["e1", "e2", "e3", "e4", "e5"]
    assert apply_query(SAMPLE, ErrorQuery(text="no such thing")) == []


def test_quick_filters_combine_with_and_and_values_with_or() -> None:
    query = ErrorQuery(codes=frozenset({"422", "429"}))
    assert ids(apply_query(SAMPLE, query)) == ["e1", "e3", "e4"]
    assert ids(apply_query(SAMPLE, ErrorQuery(codes=frozenset({"422", "429"}),
                                              sources=frozenset({"connection"})))) == ["e3"]
    assert ids(apply_query(SAMPLE, ErrorQuery(classifications=frozenset({"duplicate"})))) == ["e5"]
    assert ErrorQuery(codes=frozenset({"422"})).with_quick_filter("code", None).codes == frozenset()


def test_date_range_is_inclusive() -> None:
    query = ErrorQuery(occurred_from=BASE + timedelta(minutes=2), occurred_to=BASE + timedelta(minutes=4))
    assert ids(apply_query(SAMPLE, query)) == ["e2", "e3", "e4"]


@pytest.mark.parametrize(("column", "descending", "expected"), [
    ("code", False, ["e1", "e4", "e3", "e5", "e2"]),
    ("occurredAt", True, ["e5", "e4", "e3", "e2", "e1"]),
    ("classification", False, ["e5", "e1", "e4", "e3", "e2"]),
    ("retryable", False, ["e3", "e1", "e2", "e4", "e5"]),
    ("message", False, ["e2", "e1", "e4", "e3", "e5"]),
])
def test_sort_by_column_is_stable(column: str, descending: bool, expected: list[str]) -> None:
    query = ErrorQuery(sort_by=column, descending=descending)  # type: ignore[arg-type]
    assert ids(apply_query(SAMPLE, query)) == expected


def test_sorting_the_same_column_again_flips_direction() -> None:
    query = ErrorQuery().sorted_by("code")
    assert (query.sort_by, query.descending) == ("code", False)
    assert query.sorted_by("code").descending is True
    assert ErrorQuery().sorted_by("occurredAt").descending is True


def test_group_by_code_counts_retryable_and_latest() -> None:
    groups = group_errors(SAMPLE, "code")
    assert [(g.value, g.count, g.retryable) for g in groups] == [
        ("422", 2, 2), ("429", 1, 0), ("DUPLICATE", 1, 1), ("USER_ERROR", 1, 1)]
    assert groups[0].latest == BASE + timedelta(minutes=4)
    assert groups[0].sample == "Missing required field email"
    assert group_errors(SAMPLE, "classification")[0].value == "missing"
    assert distinct_values(SAMPLE, "source") == [("application", 4), ("connection", 1)]


def test_group_of_rows_without_value_has_visible_label() -> None:
    row = ErrorRecord("f", "s", "x", code=None)
    (group,) = group_errors([row], "code")
    assert (group.value, group.label) == ("", "(none)")


def test_parse_date_range_forms() -> None:
    start, end = parse_date_range("2026-11-01..2026-11-20")
    assert start == datetime(2026, 11, 1, tzinfo=UTC)
    assert end is not None and end.date().isoformat() == "2026-11-20" and end.hour == 23
    assert parse_date_range("") == (None, None)
    assert parse_date_range("..2026-11-20T10:30")[0] is None
    now = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
    assert parse_date_range("24h", now) == (now - timedelta(hours=24), None)
    assert parse_date_range("2w", now)[0] == now - timedelta(weeks=2)
    with pytest.raises(ValueError, match="not a date"):
        parse_date_range("yesterday-ish")
    with pytest.raises(ValueError, match="ends before"):
        parse_date_range("2026-11-20..2026-11-01")


def test_selection_survives_a_reload_with_new_record_objects() -> None:
    store = ErrorList()
    store.add_page(SAMPLE)
    store.selection.toggle(SAMPLE[1].key)
    store.selection.toggle(row_key(SAMPLE[3]))
    store.reset()
    reloaded = [rec(n) for n in (1, 2, 3, 4, 5)]
    store.add_page(reloaded)
    assert ids(store.selected()) == ["e2", "e4"]
    assert ErrorKey("f1", "s1", "e2") in store.selection
    assert store.selection.toggle(ErrorKey("f1", "s1", "e2")) is False
    assert ids(store.selected()) == ["e4"]


def test_finish_loading_drops_marks_of_errors_no_longer_there() -> None:
    store = ErrorList()
    store.add_page(SAMPLE)
    store.mark_all_shown()
    store.reset()
    store.add_page(SAMPLE[:2])
    assert len(store.selection) == 5
    store.finish_loading()
    assert len(store.selection) == 2


def test_mark_all_marks_only_what_the_filter_shows() -> None:
    store = ErrorList()
    store.add_page(SAMPLE)
    query = ErrorQuery(codes=frozenset({"422"}))
    store.set_view(query, store.compute(query), 5)
    assert store.mark_all_shown() == 2
    assert ids(store.selected()) == ["e1", "e4"]
    store.selection.clear()
    assert store.selected() == []


def test_streamed_pages_are_filtered_and_merged_into_a_sorted_view() -> None:
    rng = random.Random(0)
    rows = [rec(n, code=rng.choice(["A", "B", "C"]), minutes=rng.randrange(1000)) for n in range(3000)]
    for column, descending in (("code", False), ("occurredAt", True), ("code", True)):
        query = ErrorQuery(text="1", sort_by=column, descending=descending)  # type: ignore[arg-type]
        store = ErrorList(query=query)
        for start in range(0, 3000, 250):
            store.add_page(rows[start:start + 250])
        assert ids(store.view) == ids(apply_query(rows, query))


def test_duplicate_rows_in_a_later_page_are_ignored() -> None:
    store = ErrorList()
    assert store.add_page(SAMPLE[:3]) == 3
    assert store.add_page(SAMPLE[2:]) == 2
    assert ids(store.rows) == ["e1", "e2", "e3", "e4", "e5"]


def test_set_view_merges_rows_that_arrived_while_a_thread_computed() -> None:
    store = ErrorList()
    store.add_page(SAMPLE[:3])
    query = ErrorQuery(codes=frozenset({"422"}))
    snapshot = list(store.rows)  # what the panel hands a thread
    computed = apply_query(snapshot, query)
    store.add_page(SAMPLE[3:])  # a page arrives before the thread's answer is installed
    store.set_view(query, computed, len(snapshot))
    assert ids(store.view) == ["e1", "e4"]


def test_remove_drops_rows_marks_and_total() -> None:
    store = ErrorList(total=5)
    store.add_page(SAMPLE)
    store.mark_all_shown()
    assert store.remove([SAMPLE[0].key, row_key(SAMPLE[1])]) == 2
    assert ids(store.view) == ["e3", "e4", "e5"]
    assert len(store.selection) == 3 and store.total == 3


def test_refailed_rows_share_a_trace_key_with_a_retried_one() -> None:
    store = ErrorList()
    store.note_retried([SAMPLE[0]])
    again = rec(9, trace="SO-1")
    assert store.is_refailed(again) and not store.is_refailed(SAMPLE[0])
    assert not store.is_refailed(SAMPLE[1])


def test_gone_retry_data_makes_a_row_not_retryable() -> None:
    store = ErrorList()
    store.add_page(SAMPLE)
    assert store.is_retryable(SAMPLE[0])
    store.gone.add(row_key(SAMPLE[0]))
    assert not store.is_retryable(SAMPLE[0])
    assert ids(store.compute(ErrorQuery(sort_by="retryable"))) [:2] == ["e1", "e3"]


def test_status_line_reports_loaded_total_selected_and_filters() -> None:
    store = ErrorList(total=10)
    store.add_page(SAMPLE)
    store.set_view(ErrorQuery(text="missing"), store.compute(ErrorQuery(text="missing")), 5)
    store.selection.toggle(SAMPLE[0].key)
    assert store.status() == "5/10 loaded… · 2 shown · 1 selected · /missing"
    store.finish_loading()
    assert store.status().startswith("5 loaded · ")


def test_merge_sorted_keeps_new_rows_after_equal_old_ones() -> None:
    key = sort_key("code")
    old = [rec(1, code="A"), rec(2, code="B")]
    merged = merge_sorted(list(old), [rec(3, code="A")], key, False)
    assert ids(merged) == ["e1", "e3", "e2"]
    assert ids(merge_sorted([], [rec(4)], key, False)) == ["e4"]


def test_a_superseded_filter_pass_stops_within_a_chunk_and_an_unstopped_one_is_unchanged() -> None:
    """Each letter typed into the filter starts a pass in a thread; a pass a newer letter replaced stops at
    the next chunk (``stop``) instead of running on and contending for the GIL."""
    from explorer.services.error_list import FILTER_CHUNK, Superseded, filter_errors

    rows = [rec(n, msg="odd" if n % 2 else "even") for n in range(2 * FILTER_CHUNK + 10)]
    query = ErrorQuery(text="odd")
    assert filter_errors(rows, query, stop=lambda: False) == filter_errors(rows, query)
    assert len(apply_query(rows, query, stop=lambda: False)) == FILTER_CHUNK + 5
    asked: list[int] = []

    def stop_on_second() -> bool:
        asked.append(1)
        return len(asked) >= 2

    with pytest.raises(Superseded):
        filter_errors(rows, query, stop=stop_on_second)
    assert len(asked) == 2  # the first chunk was filtered, the second never started
    with pytest.raises(Superseded):
        apply_query(rows, ErrorQuery(text="odd", sort_by="message"), stop=lambda: True)
