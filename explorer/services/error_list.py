"""The error list behind the errors screen: filter, sort, group and select, over plain Python lists.

Why not a widget's own storage: a step may hold 100,000 open errors, and Textual's DataTable needs 27 s to
take and paint that many rows (measured). Here the rows stay ``ErrorRecord`` objects in lists; filtering,
sorting and grouping are pure functions that run in a few tens of milliseconds on 100,000 rows and can run
in a thread (they only read their inputs and return new lists). ``ErrorList`` keeps the state one tab of the
screen needs — every loaded row, the query, the rows the query shows, and a selection keyed by
``ErrorKey`` that survives reloads — and merges pages as they stream in without redoing the whole query.
The CLI's ``iox errors`` filters use the same ``ErrorQuery``. No Textual here.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from explorer.model import ErrorKey, ErrorRecord
from explorer.services.retention import beyond_by_position
from explorer.services.templates import group_by_template, template_of

ColumnName = Literal[
    "occurredAt", "source", "code", "classification", "message", "traceKey", "retryable",
    "resolvedAt", "resolvedBy", "step",
]
GroupField = Literal["code", "classification", "source", "template"]


GROUP_FIELDS: tuple[GroupField, ...] = ("code", "classification", "source", "template")

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

RowKey = tuple[str, str, str]
"""``(flow_id, step_id, error_id)``: the same key as ``ErrorKey``, as a plain tuple because building an
``ErrorKey`` per row costs ~4 µs (0.4 s for 100,000 rows) and a tuple ~0.1 µs."""


def row_key(record: ErrorRecord) -> RowKey:
    """The account-wide key of a row, cheaply."""
    return (record.flow_id, record.step_id, record.error_id)


def as_row_key(key: ErrorKey | RowKey) -> RowKey:
    """Accept either spelling of the key."""
    return (key.flow_id, key.step_id, key.error_id) if isinstance(key, ErrorKey) else key


# --------------------------------------------------------------------------------------------- query
@dataclass(frozen=True)
class ErrorQuery:
    """What the user asked to see: a text filter, quick filters, a date range and a sort order.

    Empty sets mean "any". ``text`` matches case-insensitively inside message, code or traceKey.
    ``occurred_from``/``occurred_to`` are inclusive. ``sort_by=None`` keeps arrival order (the server's,
    newest first), which lets streamed pages be appended without sorting.
    """

    text: str = ""
    sources: frozenset[str] = frozenset()
    classifications: frozenset[str] = frozenset()
    codes: frozenset[str] = frozenset()
    occurred_from: datetime | None = None
    occurred_to: datetime | None = None
    sort_by: ColumnName | None = None
    descending: bool = False
    template: str | None = None
    """Only errors whose message has this template (``services.templates``)."""

    @property
    def filters_anything(self) -> bool:
        """True when some rows may be hidden (sorting alone hides none)."""
        return bool(self.text.strip() or self.sources or self.classifications or self.codes
                    or self.occurred_from or self.occurred_to or self.template is not None)

    def describe(self) -> str:
        """The active filters in a few words for the status line ("" when none)."""
        parts: list[str] = []
        if self.text.strip():
            parts.append(f"/{self.text.strip()}")
        quick = (("source", self.sources), ("class", self.classifications), ("code", self.codes))
        for label, values in quick:
            if values:
                parts.append(f"{label}={','.join(sorted(values))}")
        if self.occurred_from or self.occurred_to:
            parts.append(f"date={describe_range(self.occurred_from, self.occurred_to)}")
        if self.template is not None:
            shown = self.template if len(self.template) <= 40 else self.template[:39] + "…"
            parts.append(f"template={shown}")
        return " ".join(parts)

    def with_quick_filter(self, field_name: GroupField, value: str | None) -> ErrorQuery:
        """The query with one quick filter set to a single value (None clears it)."""
        if field_name == "template":
            return replace(self, template=value)
        values = frozenset() if value is None else frozenset({value})
        if field_name == "code":
            return replace(self, codes=values)
        if field_name == "classification":
            return replace(self, classifications=values)
        return replace(self, sources=values)

    def sorted_by(self, column: ColumnName) -> ErrorQuery:
        """Sort by ``column``; asking for the current column again flips the direction."""
        if self.sort_by == column:
            return replace(self, descending=not self.descending)
        return replace(self, sort_by=column, descending=column in ("occurredAt", "resolvedAt"))


def _value(record: ErrorRecord, field_name: str) -> str:
    value = getattr(record, field_name)
    return "" if value is None else str(value)


def matcher(query: ErrorQuery) -> Callable[[ErrorRecord], bool]:
    """A predicate for the query's filters, built once so the per-row work is a few comparisons."""
    needle = query.text.strip().lower()
    sources, classifications, codes = query.sources, query.classifications, query.codes
    start, end = query.occurred_from, query.occurred_to
    template = query.template

    def accept(record: ErrorRecord) -> bool:
        if template is not None and template_of(record.message) != template:
            return False
        if sources and (record.source or "") not in sources:
            return False
        if classifications and (record.classification or "") not in classifications:
            return False
        if codes and (record.code or "") not in codes:
            return False
        if start is not None or end is not None:
            when = record.occurred_at
            if when is None or (start is not None and when < start) or (end is not None and when > end):
                return False
        if needle:
            return (needle in record.message.lower() or needle in (record.code or "").lower()
                    or needle in (record.trace_key or "").lower())
        return True

    return accept


def sort_key(column: ColumnName, *, retryable: Callable[[ErrorRecord], bool] | None = None
             ) -> Callable[[ErrorRecord], Any]:
    """The key function for sorting by a column; missing values sort as the smallest."""
    if column == "occurredAt":
        return lambda r: r.occurred_at or _EPOCH
    if column == "resolvedAt":
        return lambda r: r.resolved_at or _EPOCH
    if column == "retryable":
        is_retryable = retryable or (lambda r: r.retriable)
        return lambda r: is_retryable(r)
    if column == "step":
        return lambda r: (r.flow_id, r.step_id)
    name = {"traceKey": "trace_key", "resolvedBy": "resolved_by"}.get(column, column)
    if name == "message":
        return lambda r: r.message.lower()
    return lambda r: (getattr(r, name) or "").lower()


class Superseded(Exception):
    """A query's ``stop`` said its result is no longer wanted (a newer query replaced it)."""


FILTER_CHUNK = 1000
"""Rows filtered between two looks at ``stop``: about half a millisecond of work quietly. Not 5000: a
chunk took up to 7 ms with the event loop contending for the GIL, and the panel's ``stop`` is also where
the thread steps aside for a key just typed (``tui.input_clock.yield_to_input``)."""


def filter_errors(rows: Iterable[ErrorRecord], query: ErrorQuery,
                  stop: Callable[[], bool] | None = None) -> list[ErrorRecord]:
    """The rows the query's filters accept, in their original order.

    ``stop`` is asked every ``FILTER_CHUNK`` rows; when it says so, ``Superseded`` is raised. Why: each
    letter typed into the filter starts a new pass over up to 100,000 rows in a thread, and a thread cannot
    be interrupted: three letters were three passes at once, contending with the event loop for the GIL
    (the letters' echo took up to 250 ms, measured in a pty). A superseded pass now ends within a chunk.
    """
    if not query.filters_anything:
        return list(rows)
    accept = matcher(query)
    if stop is None:
        return list(filter(accept, rows))
    every = rows if isinstance(rows, Sequence) else list(rows)
    shown: list[ErrorRecord] = []
    for start in range(0, len(every), FILTER_CHUNK):
        if stop():
            raise Superseded()
        shown += filter(accept, every[start:start + FILTER_CHUNK])
    return shown


def narrows(old: ErrorQuery, new: ErrorQuery) -> bool:
    """True when every row ``new`` accepts is also accepted by ``old`` (so ``old``'s rows suffice)."""
    same_rest = (old.sources, old.classifications, old.codes, old.occurred_from, old.occurred_to,
                 old.template) == (new.sources, new.classifications, new.codes, new.occurred_from,
                                   new.occurred_to, new.template)
    return same_rest and old.text.strip().lower() in new.text.strip().lower()


def apply_query(rows: Sequence[ErrorRecord], query: ErrorQuery,
                retryable: Callable[[ErrorRecord], bool] | None = None,
                stop: Callable[[], bool] | None = None) -> list[ErrorRecord]:
    """Filter then sort (stable, so ties keep arrival order). Pure: safe to run in a thread; ``stop`` as
    in ``filter_errors`` (also asked before sorting)."""
    shown = filter_errors(rows, query, stop)
    if stop is not None and stop():
        raise Superseded()
    if query.sort_by is not None:
        shown.sort(key=sort_key(query.sort_by, retryable=retryable), reverse=query.descending)
    return shown


def _insertion_point(view: Sequence[ErrorRecord], wanted: Any, key: Callable[[ErrorRecord], Any],
                     descending: bool, low: int) -> int:
    """Where a row with key ``wanted`` goes in a sorted view: after its equals (new rows arrived later)."""
    high = len(view)
    while low < high:
        middle = (low + high) // 2
        current = key(view[middle])
        if (current < wanted) if descending else (wanted < current):
            high = middle
        else:
            low = middle + 1
    return low


def merge_sorted(view: list[ErrorRecord], fresh: Sequence[ErrorRecord], key: Callable[[ErrorRecord], Any],
                 descending: bool) -> list[ErrorRecord]:
    """Merge sorted ``fresh`` rows into a sorted ``view`` (same order rules as a stable sort of both).

    A binary search per new row and one pass of slice copies: ~5 ms for 1,000 rows into 100,000, where
    re-sorting the whole view costs ~40 ms (the key of every row is recomputed).
    """
    if not view:
        return list(fresh)
    if not fresh:
        return view
    last = key(view[-1])
    first = key(fresh[0])
    if not ((last < first) if descending else (first < last)):
        view.extend(fresh)  # the common case while streaming in the server's own order
        return view
    merged: list[ErrorRecord] = []
    start = 0
    for record in fresh:
        point = _insertion_point(view, key(record), key, descending, start)
        merged += view[start:point]
        merged.append(record)
        start = point
    merged += view[start:]
    return merged


# --------------------------------------------------------------------------------------------- groups
@dataclass(frozen=True)
class ErrorGroup:
    """Rows sharing one code (or classification, or source): what ``g`` shows, one line per group."""

    field: GroupField
    value: str
    count: int
    retryable: int
    latest: datetime | None
    sample: str

    @property
    def label(self) -> str:
        """The value, or a visible stand-in when the rows have none."""
        return self.value or "(none)"


def group_errors(rows: Iterable[ErrorRecord], by: GroupField,
                 retryable: Callable[[ErrorRecord], bool] | None = None) -> list[ErrorGroup]:
    """Groups with counts, biggest first (then by value), each with its newest time and a sample message.

    Template groups' sample says which codes and classifications they hold and when the first one occurred.
    """
    if by == "template":
        return [ErrorGroup("template", group.template, group.count, group.retryable, group.last,
                           template_summary(group.codes, group.classifications, group.first))
                for group in group_by_template(rows, retryable)]
    is_retryable = retryable or (lambda r: r.retriable)
    counts: Counter[str] = Counter()
    ready: Counter[str] = Counter()
    latest: dict[str, datetime | None] = {}
    sample: dict[str, str] = {}
    for record in rows:
        value = getattr(record, by) or ""
        counts[value] += 1
        if is_retryable(record):
            ready[value] += 1
        when = record.occurred_at
        if value not in sample:
            latest[value] = when
            sample[value] = record.message
            continue
        current = latest[value]
        if when is not None and (current is None or when > current):
            latest[value] = when
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [ErrorGroup(by, value, count, ready[value], latest[value], sample[value])
            for value, count in ordered]


def template_summary(codes: Sequence[str], classifications: Sequence[str], first: datetime | None) -> str:
    """``USER_ERROR, 422 · value · since 2026-11-20 10:00``: a template group's codes, classes, first time."""
    def listed(values: Sequence[str]) -> str:
        shown = [value or "(none)" for value in values[:3]]
        return ", ".join(shown) + (f" +{len(values) - 3}" if len(values) > 3 else "")
    since = f" · since {first.astimezone(UTC).strftime('%Y-%m-%d %H:%M')}" if first is not None else ""
    return f"{listed(codes)} · {listed(classifications)}{since}"


def group_value(record: ErrorRecord, by: GroupField) -> str:
    """The value a row is grouped under (its message template, or the field's value, "" when none)."""
    if by == "template":
        return template_of(record.message)
    return getattr(record, by) or ""


def distinct_values(rows: Iterable[ErrorRecord], by: GroupField) -> list[tuple[str, int]]:
    """Values of a field with their counts, most frequent first: the choices of a quick filter."""
    counts = Counter(getattr(record, by) or "" for record in rows)
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


# --------------------------------------------------------------------------------------------- dates
_RELATIVE = re.compile(r"^(\d+)\s*([mhdw])$")
_UNITS = {"m": timedelta(minutes=1), "h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}


def _parse_instant(text: str, *, end: bool) -> datetime:
    value = text.strip()
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00") if value.endswith("Z") else value)
    except ValueError:
        raise ValueError(f"not a date: {value!r} (use 2026-11-20 or 2026-11-20T10:00)") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    if end and len(value) == 10:  # a plain date as the end of a range means the whole day
        parsed += timedelta(days=1) - timedelta(microseconds=1)
    return parsed


def parse_date_range(text: str, now: datetime | None = None) -> tuple[datetime | None, datetime | None]:
    """Read a date range typed by the user: ``2026-11-01..2026-11-20``, ``2026-11-20`` (that day),
    ``2026-11-01..`` (from), ``..2026-11-20`` (until) or ``24h``/``7d``/``30m``/``2w`` (the last ...).

    Dates are UTC. An empty text clears the range. Raises ValueError with a readable message.
    """
    value = text.strip()
    if not value:
        return None, None
    relative = _RELATIVE.match(value.lower())
    if relative:
        moment = now or datetime.now(UTC)
        return moment - int(relative.group(1)) * _UNITS[relative.group(2)], None
    if ".." in value:
        left, right = value.split("..", 1)
        start = _parse_instant(left, end=False) if left.strip() else None
        finish = _parse_instant(right, end=True) if right.strip() else None
        if start and finish and finish < start:
            raise ValueError("the range ends before it starts")
        return start, finish
    return _parse_instant(value, end=False), _parse_instant(value, end=True)


def describe_range(start: datetime | None, end: datetime | None) -> str:
    """A range as the user would type it back."""
    def show(moment: datetime | None) -> str:
        return "" if moment is None else moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M")
    return f"{show(start)}..{show(end)}"


# --------------------------------------------------------------------------------------------- selection
@dataclass
class Selection:
    """Marked errors, keyed by (flowId, stepId, errorId) so a mark survives reloading, re-sorting and
    re-filtering (new ``ErrorRecord`` objects for the same error keep their mark)."""

    keys: set[RowKey] = field(default_factory=set)

    def __len__(self) -> int:
        return len(self.keys)

    def __contains__(self, key: object) -> bool:
        if isinstance(key, ErrorKey):
            key = as_row_key(key)
        return key in self.keys

    def is_marked(self, record: ErrorRecord) -> bool:
        """Whether a row is marked."""
        return row_key(record) in self.keys

    def toggle(self, key: ErrorKey | RowKey) -> bool:
        """Flip one mark; returns whether it is now marked."""
        plain = as_row_key(key)
        if plain in self.keys:
            self.keys.discard(plain)
            return False
        self.keys.add(plain)
        return True

    def mark(self, keys: Iterable[ErrorKey | RowKey]) -> None:
        """Mark every key given."""
        self.keys.update(map(as_row_key, keys))

    def unmark(self, keys: Iterable[ErrorKey | RowKey]) -> None:
        """Remove the marks of every key given."""
        self.keys.difference_update(map(as_row_key, keys))

    def clear(self) -> None:
        """Remove every mark."""
        self.keys.clear()

    def records(self, rows: Iterable[ErrorRecord]) -> list[ErrorRecord]:
        """The marked rows among ``rows`` (in their order): what an action will act on."""
        keys = self.keys
        return [record for record in rows if row_key(record) in keys] if keys else []


# --------------------------------------------------------------------------------------------- the store
class LoadedKeys:
    """Which errors are loaded, as error ids per (flow, step): the strings the records already hold.

    Why not a set of ``row_key`` tuples: each tuple and its set slot cost ~100 bytes more a row (10 MB for
    100,000 rows, measured with tracemalloc), in a list that must stay under 200 MiB whole.
    """

    __slots__ = ("_by_step",)

    def __init__(self) -> None:
        self._by_step: dict[tuple[str, str], set[str]] = {}

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, tuple) or len(key) != 3:
            return False
        ids = self._by_step.get((key[0], key[1]))
        return ids is not None and key[2] in ids

    def __len__(self) -> int:
        return sum(map(len, self._by_step.values()))

    def add_new(self, records: Iterable[ErrorRecord]) -> list[ErrorRecord]:
        """Note the records not seen before, and return them (in order)."""
        fresh: list[ErrorRecord] = []
        step: tuple[str, str] | None = None
        ids: set[str] = set()
        for record in records:
            if step is None or step[0] != record.flow_id or step[1] != record.step_id:
                step = (record.flow_id, record.step_id)
                ids = self._by_step.setdefault(step, set())
            if record.error_id not in ids:
                ids.add(record.error_id)
                fresh.append(record)
        return fresh

    def discard(self, keys: Iterable[RowKey]) -> None:
        """Forget these errors."""
        for flow_id, step_id, error_id in keys:
            ids = self._by_step.get((flow_id, step_id))
            if ids is not None:
                ids.discard(error_id)


@dataclass
class ErrorList:
    """All loaded rows of one list (open or resolved), the query, the shown rows and the selection.

    Pages are merged with ``add_page`` (only the new rows are filtered; a sorted view is merged with one
    near-linear timsort); a new query is applied with ``set_view`` after ``apply_query`` ran, possibly in a
    thread, over ``snapshot()``: rows that arrived meanwhile are merged then, so none is lost.

    ``retried_traces`` holds the traceKeys this session sent to retry: a later error with one of them and an
    id not retried is a record that failed again. ``gone`` holds errors whose retry data is gone (404), which
    are then not retryable. ``retry_data_kept`` is set for a step's unfiltered open list: rows at that
    position or later (newest first) go to ``beyond`` as they arrive, not retryable either (see
    ``services.retention``).
    """

    rows: list[ErrorRecord] = field(default_factory=list)
    query: ErrorQuery = field(default_factory=ErrorQuery)
    view: list[ErrorRecord] = field(default_factory=list)
    selection: Selection = field(default_factory=Selection)
    total: int | None = None
    complete: bool = False
    retried_traces: set[str] = field(default_factory=set)
    retried_keys: set[RowKey] = field(default_factory=set)
    gone: set[RowKey] = field(default_factory=set)
    retry_data_kept: int | None = None
    beyond: set[RowKey] = field(default_factory=set)
    _keys: LoadedKeys = field(default_factory=lambda: LoadedKeys(), repr=False)
    _position: int = field(default=0, repr=False)

    def is_retryable(self, record: ErrorRecord) -> bool:
        """Has retry data that is not known to be gone (404) or beyond the newest kept errors."""
        if not record.retriable:
            return False
        if not self.gone and not self.beyond:
            return True
        key = row_key(record)
        return key not in self.gone and key not in self.beyond

    def is_beyond(self, record: ErrorRecord) -> bool:
        """Beyond the newest ``retry_data_kept`` errors of the step: it lists a key but has no retry data."""
        return bool(self.beyond) and row_key(record) in self.beyond

    def is_refailed(self, record: ErrorRecord) -> bool:
        """A new error for a record this session retried (same traceKey, a different error)."""
        return (record.trace_key is not None and record.trace_key in self.retried_traces
                and row_key(record) not in self.retried_keys)

    def note_retried(self, records: Iterable[ErrorRecord]) -> None:
        """Remember records sent to retry, so their repeats can be marked when they come back."""
        for record in records:
            self.retried_keys.add(row_key(record))
            if record.trace_key:
                self.retried_traces.add(record.trace_key)

    def reset(self) -> None:
        """Forget the rows (before a reload); the query and the selection stay."""
        self.rows = []
        self.view = []
        self._keys = LoadedKeys()
        self.total = None
        self.complete = False
        self.beyond = set()
        self._position = 0

    def add_page(self, page: Sequence[ErrorRecord]) -> int:
        """Append a streamed page (rows already loaded are skipped); returns how many became visible."""
        if self.retry_data_kept is not None:
            self.beyond.update(map(row_key, beyond_by_position(page, self._position, self.retry_data_kept)))
        self._position += len(page)
        fresh = self._keys.add_new(page)
        self.rows.extend(fresh)
        return self._merge(fresh)

    def _merge(self, fresh: Sequence[ErrorRecord]) -> int:
        query = self.query
        shown = filter_errors(fresh, query)
        if not shown:
            return 0
        if query.sort_by is None:
            self.view.extend(shown)
            return len(shown)
        key = sort_key(query.sort_by, retryable=self.is_retryable)
        shown.sort(key=key, reverse=query.descending)
        self.view = merge_sorted(self.view, shown, key, query.descending)
        return len(shown)

    def compute(self, query: ErrorQuery) -> list[ErrorRecord]:
        """``apply_query`` over every loaded row, for callers that do not need a thread."""
        return apply_query(self.rows, query, self.is_retryable)

    def set_view(self, query: ErrorQuery, view: list[ErrorRecord], rows_seen: int) -> None:
        """Install a view computed for ``query`` over the first ``rows_seen`` rows, merging later rows."""
        self.query = query
        self.view = view
        if rows_seen < len(self.rows):
            self._merge(self.rows[rows_seen:])

    def remove(self, keys: Iterable[ErrorKey | RowKey]) -> int:
        """Drop rows (they were resolved or retried); their marks go too. Returns how many rows went."""
        gone = {key for key in map(as_row_key, keys) if key in self._keys}
        if not gone:
            return 0
        # Most rows stay: reject them on the error id alone (a str caches its hash) before building a key.
        # A bulk retry removes each batch of 1000 from 100,000 rows: 50-90 ms a batch, blocking the UI
        # while the other batches' answers waited, before this (issue 10, measured).
        ids = {error_id for _, _, error_id in gone}
        self.rows = [r for r in self.rows if r.error_id not in ids or row_key(r) not in gone]
        self.view = [r for r in self.view if r.error_id not in ids or row_key(r) not in gone]
        self._keys.discard(gone)
        self.selection.unmark(gone)
        if self.total is not None:
            self.total = max(0, self.total - len(gone))
        return len(gone)

    def mark_all_shown(self) -> int:
        """Mark every row the filter shows; returns the number now marked."""
        self.selection.keys.update(map(row_key, self.view))
        return len(self.selection)

    def selected(self) -> list[ErrorRecord]:
        """The marked rows that are loaded, in load order (marks of unloaded rows stay, unused)."""
        return self.selection.records(self.rows)

    def finish_loading(self) -> None:
        """The last page arrived: marks of errors no longer there (resolved elsewhere) are dropped."""
        self.complete = True
        keys = self.selection.keys
        keys.difference_update([key for key in keys if key not in self._keys])

    def status(self) -> str:
        """``loaded/total · selected · filters`` for the status line."""
        total = "?" if self.total is None else f"{self.total:,}"
        loaded = f"{len(self.rows):,}/{total}" if not self.complete else f"{len(self.rows):,}"
        parts = [f"{loaded} loaded" + ("" if self.complete else "…")]
        if self.query.filters_anything:
            parts.append(f"{len(self.view):,} shown")
        parts.append(f"{len(self.selection):,} selected")
        if self.beyond:
            parts.append(f"⊘ {len(self.beyond):,} beyond the newest 20,000: no retry data")
        described = self.query.describe()
        if described:
            parts.append(described)
        return " · ".join(parts)
