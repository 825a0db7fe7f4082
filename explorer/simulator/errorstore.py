"""Open and resolved errors of one flow step, with retry data, built lazily.

Why: a step may hold 100,000 open errors (large scale) or 3,000 (demo), yet building the account must take
milliseconds and memory must stay flat. Seeded errors are therefore *virtual*: error number `i` is computed
from (kind, salt, i) when a page needs it, and the store only remembers what changed — which seeded errors
left the open list, which new errors runs and retries added, which retry data a user edited. Error ids and
keys encode the index (see `ids.py`), so resolve/retry/data look-ups never scan.

Order: open errors are listed newest first (by index, which follows `occurredAt`); resolved errors by
resolution order, newest first. The open list pages as Celigo's does, with `startAtErrorId=<errorId>` (the
first error of the next page; the id encodes the index, so the page starts at that index even if the error
left the list meanwhile); the resolved list with our own cursor, "the resolution number to continue below".
Either way resolving or retrying errors between two page requests never skips or repeats an error.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, cast

from . import content_errors as content
from .clock import iso
from .ids import decode_key, encode_key, error_id, error_index, stable_hash
from .placement import Placement

RETRY_DATA_KEPT = 20_000
"""Celigo keeps retry data for the most recent 20,000 errors of each flow step."""


@dataclass(frozen=True)
class ErrorSeed:
    """How many errors a step starts with and when they happened, without building them.

    `windows` are the flow jobs that produced them, oldest first: (flow job id, started ms, ended ms).
    """

    n_open: int = 0
    n_resolved: int = 0
    windows: tuple[tuple[str, int, int], ...] = ()
    now_ms: int = 0
    resolvers: tuple[str, ...] = ("",)


@dataclass(frozen=True)
class ErrorFilter:
    """The query filters of the open/resolved lists (all optional)."""

    occurred_gte: int | None = None
    occurred_lte: int | None = None
    resolved_gte: int | None = None
    resolved_lte: int | None = None
    sources: frozenset[str] = frozenset()
    classifications: frozenset[str] = frozenset()


@dataclass(slots=True)
class Taken:
    """An open error taken out of the list by a retry (kept to resolve, re-create or restore it).

    A seeded error's document is built when first read (``error``), not when taken: a retry of 1000 seeded
    errors spent ~20 ms of the server's CPU, under its lock, building documents nobody reads before the retry
    job ends (issue 10, measured). Building is deterministic, so the answers are the same. ``build`` is the
    store's builder, called with (index, flow job id, occurred ms): one shared bound method, not a closure
    made per error (slots and no closure: 0.43 → 0.2 µs an error taken, measured).
    """

    index: int
    at_ms: int
    edited: bool
    flow_job_id: str | None
    built: dict[str, Any] | None = None
    build: Callable[[int, str | None, int], dict[str, Any]] | None = field(
        default=None, repr=False, compare=False
    )

    @property
    def error(self) -> dict[str, Any]:
        """The error's document as it was when taken."""
        if self.built is None:
            assert self.build is not None, "a Taken needs its document or a way to build it"
            self.built = self.build(self.index, self.flow_job_id, self.at_ms)
        return self.built


@dataclass
class _Resolved:
    error: dict[str, Any]
    at_ms: int
    resolved_ms: int


@dataclass
class StepErrors:
    """Errors of one (flow, step): open list, resolved list, retry data and HTTP request details.

    Retry data exists only for the newest `retry_data_kept` errors of the step (Celigo keeps it for the most
    recent 20,000): older errors still list their `retryDataKey`, but its data answers 404 and a retry
    skips them.
    """

    kind: str
    salt: int
    seed: ErrorSeed
    retry_data_kept: int = RETRY_DATA_KEPT
    _removed: set[int] = field(default_factory=set, init=False)
    _open: dict[int, dict[str, Any]] = field(default_factory=dict, init=False)
    _at: dict[int, int] = field(default_factory=dict, init=False)
    _created: dict[int, dict[str, Any]] = field(default_factory=dict, init=False)
    _resolved: list[_Resolved] = field(default_factory=list, init=False)
    _data: dict[int, dict[str, Any]] = field(default_factory=dict, init=False)
    _edited: set[int] = field(default_factory=set, init=False)
    _issued_keys: dict[str, int] = field(default_factory=dict, init=False)
    """retryDataKey → error index, for every key a served document carried. Why: checking a key by
    re-deriving it (``decode_key``) was half of a 1000-key retry's time under the request lock (2 of 4 ms),
    and ten such retries at once queue behind that lock; a real server does them side by side."""
    _next: int = field(default=-1, init=False)
    _open_placement: Placement = field(init=False)
    _resolved_placement: Placement = field(init=False)

    def __post_init__(self) -> None:
        self._next = self.seed.n_open + self.seed.n_resolved
        self._open_placement = Placement(self.seed.n_open, self.seed.windows, self.seed.now_ms)
        self._resolved_placement = Placement(self.seed.n_resolved, self.seed.windows, self.seed.now_ms)

    # ---- seeded (virtual) errors -------------------------------------------------------------------------

    def _seed_time(self, i: int) -> tuple[str | None, int]:
        if i < self.seed.n_open:
            return self._open_placement.of(i)
        return self._resolved_placement.of(i - self.seed.n_open)

    def _build(self, i: int, job_id: str | None, at_ms: int) -> dict[str, Any]:
        fam = content.family(self.kind, self.salt, i)
        text, trace = content.message(fam, self.kind, self.salt, i)
        return self._assemble(
            i,
            job_id,
            at_ms,
            fam.source,
            fam.code,
            text,
            trace,
            fam.classification,
            fam.retriable,
            fam.http_status,
            fam.http_method,
        )

    def _assemble(
        self,
        i: int,
        job_id: str | None,
        at_ms: int,
        source: str,
        code: str,
        text: str,
        trace: str,
        classification: str,
        retriable: bool,
        http_status: int | None,
        http_method: str,
    ) -> dict[str, Any]:
        err: dict[str, Any] = {
            "occurredAt": iso(at_ms),
            "source": source,
            "code": code,
            "message": text,
            "traceKey": trace,
            "oIndex": str(i % 100),
        }
        if retriable:
            key = err["retryDataKey"] = encode_key(self.salt, "rdk", i)
            self._issued_keys[key] = i
        err["errorId"] = error_id(self.salt, i)
        if job_id is not None:
            err["_flowJobId"] = job_id
        err["classification"] = classification
        err["classifiedBy"] = "autopilot"
        if http_status is not None:
            err["reqAndResKey"] = f"{at_ms}-{encode_key(self.salt, 'rrk', i)}-{http_status}-{http_method}"
        return err

    def _virtual(self, i: int) -> dict[str, Any]:
        job_id, at_ms = self._seed_time(i)
        return self._build(i, job_id, at_ms)

    def _virtual_resolved(self, r: int) -> _Resolved:
        i = self.seed.n_open + r
        job_id, at_ms = self._seed_time(i)
        err = self._build(i, job_id, at_ms)
        h = stable_hash(self.salt, "resolved", r)
        resolved_ms = max(at_ms + 1000, min(at_ms + 3_600_000 + h % 7_200_000, self.seed.now_ms - 1000))
        err["resolvedAt"] = iso(resolved_ms)
        err["resolvedBy"] = self.seed.resolvers[h % len(self.seed.resolvers)]
        return _Resolved(err, at_ms, resolved_ms)

    # ---- counts and summaries ----------------------------------------------------------------------------

    def count_open(self) -> int:
        """Number of open errors (the `numError` of the summaries)."""
        return self.seed.n_open - len(self._removed) + len(self._open)

    def count_resolved(self) -> int:
        """Number of resolved errors."""
        return self.seed.n_resolved + len(self._resolved)

    def last_error_at(self) -> str | None:
        """`lastErrorAt` of the summaries: the newest open error's `occurredAt`."""
        best = max(self._at[i] for i in self._open) if self._open else None
        for i in range(self.seed.n_open - 1, -1, -1):
            if i not in self._removed:
                at = self._seed_time(i)[1]
                best = at if best is None else max(best, at)
                break
        return None if best is None else iso(best)

    # ---- listing -----------------------------------------------------------------------------------------

    def _open_below(self, cursor: int | None) -> Iterator[int]:
        limit = self._next if cursor is None else cursor
        yield from sorted((i for i in self._open if i < limit), reverse=True)
        for i in range(min(limit, self.seed.n_open) - 1, -1, -1):
            if i not in self._removed:
                yield i

    def _matches_open(self, i: int, flt: ErrorFilter) -> bool:
        if flt.sources or flt.classifications:
            if i in self._open:
                source, cls = self._open[i]["source"], self._open[i]["classification"]
            else:
                fam = content.family(self.kind, self.salt, i)
                source, cls = fam.source, fam.classification
            if flt.sources and source not in flt.sources:
                return False
            if flt.classifications and cls not in flt.classifications:
                return False
        if flt.occurred_gte is not None or flt.occurred_lte is not None:
            at = self._at[i] if i in self._open else self._seed_time(i)[1]
            if flt.occurred_gte is not None and at < flt.occurred_gte:
                return False
            if flt.occurred_lte is not None and at > flt.occurred_lte:
                return False
        return True

    def start_index(self, start_at_error_id: str) -> int | None:
        """The index a `startAtErrorId` stands for (None: not an id of this step)."""
        i = error_index(self.salt, start_at_error_id)
        return i if i is not None and 0 <= i < self._next else None

    def page_open(
        self, flt: ErrorFilter, start: int | None, size: int
    ) -> tuple[list[dict[str, Any]], str | None]:
        """One page of open errors, newest first, from index `start` down (None: the newest), and the
        `errorId` the next page starts at (None on the last page)."""
        picked: list[int] = []
        for i in self._open_below(None if start is None else start + 1):
            if self._matches_open(i, flt):
                picked.append(i)
                if len(picked) > size:
                    break
        following = picked[size] if len(picked) > size else None
        picked = picked[:size]
        items = [copy.deepcopy(self._open[i]) if i in self._open else self._virtual(i) for i in picked]
        return items, (None if following is None else error_id(self.salt, following))

    def _resolved_entry(self, rseq: int) -> _Resolved:
        if rseq < self.seed.n_resolved:
            return self._virtual_resolved(rseq)
        return self._resolved[rseq - self.seed.n_resolved]

    @staticmethod
    def _matches_resolved(entry: _Resolved, flt: ErrorFilter) -> bool:
        err = entry.error
        checks = (
            (not flt.sources or err["source"] in flt.sources),
            (not flt.classifications or err["classification"] in flt.classifications),
            (flt.occurred_gte is None or entry.at_ms >= flt.occurred_gte),
            (flt.occurred_lte is None or entry.at_ms <= flt.occurred_lte),
            (flt.resolved_gte is None or entry.resolved_ms >= flt.resolved_gte),
            (flt.resolved_lte is None or entry.resolved_ms <= flt.resolved_lte),
        )
        return all(checks)

    def page_resolved(
        self, flt: ErrorFilter, cursor: int | None, size: int
    ) -> tuple[list[dict[str, Any]], int | None]:
        """One page of resolved errors, most recently resolved first, and the next cursor."""
        total = self.count_resolved()
        start = total if cursor is None else min(cursor, total)
        picked: list[tuple[int, _Resolved]] = []
        for rseq in range(start - 1, -1, -1):
            entry = self._resolved_entry(rseq)
            if self._matches_resolved(entry, flt):
                picked.append((rseq, entry))
                if len(picked) > size:
                    break
        more = len(picked) > size
        picked = picked[:size]
        items = [copy.deepcopy(entry.error) for _, entry in picked]
        return items, (picked[-1][0] if more and picked else None)

    def all_open(self) -> list[dict[str, Any]]:
        """Every open error, newest first (test helper; builds them all)."""
        return [
            copy.deepcopy(self._open[i]) if i in self._open else self._virtual(i)
            for i in self._open_below(None)
        ]

    def all_resolved(self) -> list[dict[str, Any]]:
        """Every resolved error, most recently resolved first (test helper)."""
        return self.page_resolved(ErrorFilter(), None, self.count_resolved() + 1)[0]

    # ---- look-ups ----------------------------------------------------------------------------------------

    def _by_index(self, i: int) -> dict[str, Any] | None:
        if i in self._created:
            return self._created[i]
        if 0 <= i < self.seed.n_open + self.seed.n_resolved:
            return self._virtual(i)
        return None

    # ---- changes -----------------------------------------------------------------------------------------

    def _take(self, i: int) -> Taken | None:
        if i in self._open:
            return self._take_open(i)
        if 0 <= i < self.seed.n_open and i not in self._removed:
            self._removed.add(i)
            job_id, at_ms = self._seed_time(i)
            return Taken(i, at_ms, i in self._edited, job_id, build=self._build)
        return None

    def _take_open(self, i: int) -> Taken:
        err = self._open.pop(i)
        return Taken(i, self._at.pop(i), i in self._edited, err.get("_flowJobId"), built=err)

    def _add_resolved(self, taken: Taken, resolved_ms: int, by: str) -> None:
        err = dict(taken.error)
        err["resolvedAt"] = iso(resolved_ms)
        err["resolvedBy"] = by
        self._resolved.append(_Resolved(err, taken.at_ms, resolved_ms))

    def resolve(self, error_ids: list[str], now_ms: int, by: str) -> int:
        """Move the given open errors to the resolved list; unknown or already resolved ids are ignored."""
        done = 0
        for eid in error_ids:
            i = error_index(self.salt, eid)
            taken = None if i is None else self._take(i)
            if taken is not None:
                self._add_resolved(taken, now_ms, by)
                done += 1
        return done

    def take_for_retry(self, keys: list[str], error_ids: list[str]) -> list[Taken]:
        """Take retriable open errors (by retryDataKey or errorId) out of the open list for a retry job.

        A key that decodes proves its seeded error retriable (keys are issued for retriable errors only), so
        only errors named by id have their family looked up: that look-up was ~40 % of a 1000-key retry.
        Seeded errors, the usual case, are taken in the loop below (their time from `Placement`, no other
        call per error): handling a 1000-key retry took 1.96 ms under the request lock, now 0.9 (issue 10).
        """
        issued = self._issued_keys
        found = [issued.get(key) for key in keys]
        if None not in found:
            by_key: dict[int, bool] = dict.fromkeys(cast("list[int]", found), True)
        else:
            by_key = {}
            for key, i in zip(keys, found, strict=True):
                if i is None:
                    i = decode_key(self.salt, "rdk", key)
                if i is not None:
                    by_key[i] = True
        for eid in error_ids:
            i = error_index(self.salt, eid)
            if i is not None:
                by_key.setdefault(i, False)
        taken: list[Taken] = []
        opened, removed, edited, build = self._open, self._removed, self._edited, self._build
        n_open, place = self.seed.n_open, self._open_placement.of
        oldest_with_data = self._next - self.retry_data_kept  # `has_retry_data`
        for i, keyed in by_key.items():
            if i < oldest_with_data:
                continue
            if i in opened:
                if "retryDataKey" in opened[i]:
                    taken.append(self._take_open(i))
            elif 0 <= i < n_open and i not in removed and (
                    keyed or content.family(self.kind, self.salt, i).retriable):
                removed.add(i)
                job_id, at_ms = place(i)
                taken.append(Taken(i, at_ms, i in edited, job_id, None, build))
        return taken

    def restore(self, taken: list[Taken]) -> None:
        """Put errors back in the open list (their retry job was canceled before it ran)."""
        for t in taken:
            if t.index < self.seed.n_open and t.index not in self._created:
                self._removed.discard(t.index)
            else:
                self._open[t.index] = t.error
                self._at[t.index] = t.at_ms

    def finish_retry(self, taken: Taken, ended_ms: int, by: str) -> None:
        """A retried error was processed: it leaves for the resolved list either way."""
        self._add_resolved(taken, ended_ms, by)

    def add_error(self, job_id: str, at_ms: int, like: Taken | None = None) -> dict[str, Any]:
        """Append a new open error: a fresh one from a flow run, or a repeat of `like` after a failed retry.

        A repeat keeps the message, codes and `traceKey` but gets a new `errorId`, `retryDataKey` (whose data
        is the retried record) and `_flowJobId`.
        """
        i = self._next
        self._next += 1
        if like is None:
            err = self._build(i, job_id, at_ms)
        else:
            old = like.error
            status, method = None, "POST"
            if "reqAndResKey" in old:
                _, _, code, method = str(old["reqAndResKey"]).split("-", 3)
                status = int(code)
            err = self._assemble(
                i,
                job_id,
                at_ms,
                old["source"],
                old["code"],
                old["message"],
                old["traceKey"],
                old["classification"],
                "retryDataKey" in old,
                status,
                method,
            )
            self._data[i] = self.retry_data_of(like.index, old)
        self._open[i] = err
        self._at[i] = at_ms
        self._created[i] = err
        return copy.deepcopy(err)

    # ---- retry data and request details --------------------------------------------------------------------

    def retry_data_of(self, i: int, err: dict[str, Any]) -> dict[str, Any]:
        """Retry data of error `i` (the edited copy if a user saved one)."""
        if i in self._data:
            return copy.deepcopy(self._data[i])
        return content.retry_data(self.kind, self.salt, i, str(err["occurredAt"]))

    def has_retry_data(self, i: int) -> bool:
        """False for errors older than the newest `retry_data_kept` of the step: their data was dropped."""
        return i >= self._next - self.retry_data_kept

    def _by_retry_key(self, key: str) -> tuple[int, dict[str, Any]] | None:
        i = decode_key(self.salt, "rdk", key)
        err = None if i is None else self._by_index(i)
        if i is None or err is None or err.get("retryDataKey") != key or not self.has_retry_data(i):
            return None
        return i, err

    def get_retry_data(self, key: str) -> dict[str, Any] | None:
        """The retry-data object for a `retryDataKey`, or None when this step never issued the key."""
        found = self._by_retry_key(key)
        return None if found is None else self.retry_data_of(*found)

    def put_retry_data(self, key: str, obj: dict[str, Any]) -> dict[str, Any] | None:
        """Replace the record (`data`) of the retry data; `stage`, `traceKey` and `dataURI` are the server's
        and keep their values whatever was sent. An edited record retries successfully. None: unknown key."""
        found = self._by_retry_key(key)
        if found is None:
            return None
        i = found[0]
        stored = {**self.retry_data_of(*found), "data": copy.deepcopy(obj["data"])}
        self._data[i] = stored
        self._edited.add(i)
        return copy.deepcopy(stored)

    def request_detail(self, req_key: str) -> dict[str, Any] | None:
        """The HTTP exchange behind an error, by its `reqAndResKey`; None when unknown."""
        parts = req_key.split("-")
        if len(parts) != 4:
            return None
        i = decode_key(self.salt, "rrk", parts[1])
        err = None if i is None else self._by_index(i)
        if i is None or err is None or err.get("reqAndResKey") != req_key:
            return None
        return content.request_detail(self.kind, err, self.retry_data_of(i, err)["data"])
