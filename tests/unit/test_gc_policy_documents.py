"""A big parsed document stays out of the collector's reach while it is loaded (``gcstall``): leaving the
errors screen used to hand it back (``gc.unfreeze``), and each later full collection walked it (170-340 ms
in the real iox with 10 MB in the JSON pane)."""

from __future__ import annotations

import gc
import json
import weakref

import pytest

from explorer import gc_policy
from explorer.client.decode import LONG_LIVED_BYTES, loads_yielding
from explorer.gc_policy import LongLivedHold, settle


@pytest.fixture(autouse=True)
def _fresh_policy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gc_policy, "_holders", set())
    monkeypatch.setattr(gc_policy, "_documents", [])
    monkeypatch.setattr(gc_policy, "_hand_back_pending", False)
    monkeypatch.setattr(gc_policy, "_blocks_swept", None)


def big_body() -> str:
    body = json.dumps({"records": [{"name": f"record {n}", "tags": ["a", "b"]} for n in range(120_000)]})
    assert len(body) >= LONG_LIVED_BYTES
    return body


def test_leaving_a_screen_keeps_a_loaded_document_frozen_and_hands_back_once_it_is_dropped() -> None:
    screen = LongLivedHold()
    try:
        screen.keep()
        document = loads_yielding(big_body())
        frozen = gc.get_freeze_count()
        screen.release()
        assert gc.get_freeze_count() == frozen  # the document is still loaded: nothing handed back
        settle()
        assert gc.get_freeze_count() == frozen  # still loaded
        del document  # the pane let it go
        settle()
        assert gc.get_freeze_count() == 0  # what the closed screen left is the collector's again
        assert not gc_policy._documents  # and the policy holds no document either
    finally:
        screen.release()
        gc.unfreeze()


def test_without_a_big_document_the_last_holder_hands_everything_back_at_once() -> None:
    small = loads_yielding(json.dumps({"a": [1, 2]}))  # under LONG_LIVED_BYTES: not frozen, not kept
    screen = LongLivedHold()
    screen.keep()
    assert gc.get_freeze_count() > 0
    screen.release()
    assert gc.get_freeze_count() == 0 and small == {"a": [1, 2]}


def test_a_document_dropped_before_the_screen_closes_does_not_hold_the_hand_back() -> None:
    document = loads_yielding(big_body())
    screen = LongLivedHold()
    try:
        screen.keep()
        del document
        screen.release()
        assert gc.get_freeze_count() == 0 and not gc_policy._documents
    finally:
        screen.release()
        gc.unfreeze()


def test_a_list_counts_as_loaded_while_any_of_its_documents_is_held() -> None:
    """A big list of integrations is split into the tree's items and the list dropped: the items live on."""
    body = json.dumps([{"_id": f"i{n}", "settings": {"rows": list(range(300_000))}} for n in range(3)])
    assert len(body) >= LONG_LIVED_BYTES
    listed = loads_yielding(body)
    kept = listed[1]
    del listed
    screen = LongLivedHold()
    try:
        screen.keep()
        screen.release()
        assert gc.get_freeze_count() > 0  # one integration's document is still held: nothing handed back
        del kept
        settle()
        assert gc.get_freeze_count() == 0
    finally:
        screen.release()
        gc.unfreeze()


def test_later_keeps_collect_every_generation_so_dead_responses_are_not_frozen(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Dead HTTP responses that had reached the oldest generation were frozen by each page's ``keep`` (37
    of 440 KB for 100,000 rows); after the first ``keep`` everything older is frozen, so a full collection
    walks only what came since."""
    asked: list[int] = []
    real_collect = gc.collect

    def collect(generation: int = 2) -> int:
        asked.append(generation)
        return real_collect(generation)

    monkeypatch.setattr(gc, "collect", collect)
    hold = LongLivedHold()
    try:
        hold.keep()
        hold.keep()
        hold.keep()
    finally:
        hold.release()
    assert asked == [1, 2, 2] and gc.get_freeze_count() == 0


class Widgetish:
    """Stands for a closed screen's widget: held in a reference cycle, so only a collection frees it."""

    def __init__(self) -> None:
        self.me = self


def visit_screens(visits: int) -> list[weakref.ref[Widgetish]]:
    """Open and close ``visits`` screens, each with 10,000 widgets frozen by its ``LongLivedHold``."""
    refs: list[weakref.ref[Widgetish]] = []
    for _ in range(visits):
        widgets = [Widgetish() for _ in range(10_000)]
        refs.append(weakref.ref(widgets[0]))
        screen = LongLivedHold()
        screen.keep()
        del widgets
        screen.release()
    return refs


@pytest.mark.parametrize("sweep_blocks", [40_000, 10**9])
def test_screens_closed_while_a_document_stays_are_swept_once_memory_has_grown(
        monkeypatch: pytest.MonkeyPatch, sweep_blocks: int) -> None:
    """The tree keeps a big integration for the whole session: what each closed screen left frozen added up
    (+19,700 memory blocks a visit of the demo's errors screen) until ``SWEEP_BLOCKS``."""
    monkeypatch.setattr(gc_policy, "SWEEP_BLOCKS", sweep_blocks)
    document = loads_yielding(big_body())
    try:
        refs = visit_screens(6)
        alive = [ref() is not None for ref in refs]
        if sweep_blocks < 10**9:  # the first held-off hand-back counts from there; swept by the 4th
            assert alive[:3] == [False, False, False], alive
        else:
            assert alive == [True] * 6  # never swept: every closed screen stays frozen
        assert gc_policy._hand_back_pending and gc.get_freeze_count() > 0  # the document stays frozen
        assert document["records"][7]["name"] == "record 7"
    finally:
        del document
        settle()
        gc.unfreeze()
