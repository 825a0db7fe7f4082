"""The one owner of the process's garbage-collector policy: when the cyclic collector is paused or told to
leave objects alone.

Why one module (at the top of the package, so the client may use it too): the collector's state is
process-wide, so a widget or a service that flips it on its own can undo another's setting (two error
panels, each unfreezing on unmount). Measured on this machine (noisy, 2 shared cores), kept only where it
pays; ``python bench/gc_policy.py --runs 5``, min/median/max:

- loading 100,000 error rows: with ``gc.freeze()`` after each page, 840/1097/1297 ms and no full
  collection; without, 1028/1472/1918 ms with full collections of 230/403/640 ms (the UI stalls that long);
- planning a PUT of a 2 MB document with 100,000 rows held: collector paused 205/278/348 ms, running
  137/356/415 ms (an earlier run: 94/100/130 against 97/128/281). Starting an edit (formatting the base)
  showed no difference (166/173/189 against 167/168/175 ms), so that path does not pause it;
- parsing a 16 MB body in a thread (``client/decode.py``): with the collector running, the UI loop stalled
  344 ms (a full collection); paused, 185 ms right after (the first young collection walks every new
  object); paused and the new objects frozen, no stall over the thread's GIL turns;
- leaving the 100,000-error screen with a 10 MB document in the JSON pane (the real ``iox`` in a pty,
  ``python bench/gc_stall.py --runs 5``): handing everything back at once made the next full collections
  walk the document, 346/362/373 ms the longest; the document kept frozen (``LongLivedHold``), 38/39/48;
  since closed widgets' rendered lines are no longer kept (``explorer/tui/textual_fixes.py``), 15/17/28 ms
  (later, busier: 18/29/37), and the palette opens/closes in those 8 s leave ~11 objects each, not ~2,300.
"""

from __future__ import annotations

import contextlib
import gc
import sys
from collections.abc import Callable, Iterator
from typing import TypeVar

T = TypeVar("T")


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic collector around a burst of allocations that creates no cycles (parse and diff)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


_importing = False
"""True from ``pause_for_imports`` until ``end_imports``."""


def pause_for_imports() -> None:
    """Pause the collector while ``explorer.cli`` imports what every command needs (httpx, asyncio, the
    client, the commands' common parts).

    Why: those imports allocate tens of thousands of objects that live as long as the process, and the
    collector walked them 45 times meanwhile (41 young, 4 middle collections: ~10 % of the import time,
    measured with ``gc.callbacks``). ``end_imports`` (the statement after ``explorer.cli``'s imports)
    restores it, so a process that only imports the module (the tests) keeps its collector.
    """
    global _importing
    if gc.isenabled():
        _importing = True
        gc.disable()


def end_imports() -> None:
    """The imports are done: freeze what they built (``gc.freeze``) and run the collector again (unless
    ``pause_for_imports`` found it paused).

    Frozen first, as ``end_startup`` does: resumed as they were, the next young collection walked every
    object the imports made (one collection of 18-49 ms instead of 45 small ones, measured).
    """
    global _importing
    if _importing:
        _importing = False
        gc.freeze()
        gc.enable()


_startup = False
"""True from ``pause_for_startup`` until ``end_startup``."""


def pause_for_startup() -> None:
    """Pause the collector while the TUI imports its modules and paints its first frame.

    Why: start-up allocates tens of thousands of objects that live as long as the process (modules,
    classes, styles, widgets); the collector walked them again and again meanwhile (a full collection of
    18 ms inside the imports alone, 30-40 ms of ``iox --demo``'s start-up, measured with ``gc.callbacks``).
    Only ``cli`` calls this, for the TUI; ``end_startup`` (after the first frame, and in any case when the
    app exits) ends it.
    """
    global _startup
    if gc.isenabled():
        _startup = True
        gc.disable()


def end_startup() -> None:
    """The first frame is painted: freeze what start-up built (``gc.freeze``) and run the collector again.

    Frozen, those objects are never walked by later collections (each full one was ~18 ms of them). No
    collection first: it would walk them all once more, on the UI loop; the few garbage cycles of start-up
    wait for the next ``gc.unfreeze`` (``LongLivedHold.release``). Without a ``pause_for_startup`` (tests
    build the app directly) this does nothing.
    """
    global _startup
    if _startup:
        _startup = False
        gc.freeze()
        gc.enable()


_holders: set[int] = set()

_documents: list[object] = []
"""Parts of what ``long_lived_burst`` parsed (frozen with all alive then) while anyone else holds them."""

TRACKED_PARTS = 10_000
"""At most this many containers of one document are watched (``_parts``): ~0.5 ms to check them all."""


def _children(value: object) -> list[object]:
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    return [item for item in items if isinstance(item, (dict, list))]


def _parts(document: object) -> list[object]:
    """The containers one and two levels below the top of a parsed document: what outlives it.

    Why not the top: the client keeps shallow copies (``Integration.from_json`` stores ``dict(raw)``, and a
    list of integrations is split into the tree's items), so the parsed top object is dropped at once
    while what it held (the 10 MB of ``settings``) lives on in the copies."""
    first = _children(document)
    parts = first + [part for child in first for part in _children(child)]
    return parts[:TRACKED_PARTS] if parts else [document]


_hand_back_pending = False
"""True when the last holder left while a big document was still frozen: ``settle`` hands back later."""


def _documents_alive() -> bool:
    """Forget the documents nobody else holds (freed now, by reference counting); True if any is left.

    ``sys.getrefcount`` is 3 for an object only this list holds (the list, the loop's name, the call's
    argument): cheap, where ``gc.get_freeze_count()`` walks every frozen object (42 ms for 350,000 in the
    real ``iox``, measured)."""
    while True:  # again once a dropped part is freed: it held parts one level down
        count = len(_documents)
        _documents[:] = [doc for doc in _documents if sys.getrefcount(doc) > 3]
        if len(_documents) == count:
            return bool(_documents)


SWEEP_BLOCKS = 1_000_000
"""Memory blocks (``sys.getallocatedblocks()``) Python may gain while a big document keeps everything frozen
before ``_hand_back`` sweeps: ~50 visits of the demo's errors screen (~20,000 blocks each), ~11 of the
large account's 100,000-error screen (~90,000 each stay after leaving it, bench/gc_stall.py). A safety net,
not a routine: 250,000 also swept when the JSON pane merely held a 10 MB document (~300,000 blocks) at
one hand-back and not at the one before."""

_blocks_swept: int | None = None
"""``sys.getallocatedblocks()`` at the first hand-back a big document held off, or at the last sweep; None
while nothing is held off. Not from when the document was frozen: what the app built after it is alive,
and counting it swept at the very first esc from the errors screen (a 172-182 ms collection,
bench/gc_stall.py)."""


def _sweep() -> None:
    """Free what closed screens left frozen while a big document is loaded: everything goes back to the
    collector, one full collection, and what is alive is frozen again (the document with it).

    Why: a screen's widgets sit in reference cycles, frozen with the rows its ``LongLivedHold`` kept; with
    the document loaded, ``release`` leaves them frozen, and each visit of the errors screen added its dead
    widgets for as long as the document stayed (the tree keeps a big integration for the whole session):
    +11,700 objects, +19,700 memory blocks a visit of the demo's errors screen, in-process. The price is one
    walk of the document: 240-480 ms (the app in-process on the demo with 10 MB of it, 4 sweeps; shared
    2-core machine), so only once the memory gained since the last sweep passes ``SWEEP_BLOCKS``, never at
    each release.
    """
    global _blocks_swept
    gc.unfreeze()
    gc.collect()
    gc.freeze()
    _blocks_swept = sys.getallocatedblocks()


def _hand_back() -> None:
    """Unfreeze, unless a big document is still loaded (then ``settle`` retries when it is dropped, and the
    frozen set is swept if it has grown by ``SWEEP_BLOCKS``)."""
    global _hand_back_pending, _blocks_swept
    _hand_back_pending = _documents_alive()
    if not _hand_back_pending:
        _blocks_swept = None
        gc.unfreeze()
    elif _blocks_swept is None:
        _blocks_swept = sys.getallocatedblocks()  # ~0.1 ms for 2 M blocks
    elif sys.getallocatedblocks() - _blocks_swept > SWEEP_BLOCKS:
        _sweep()


def settle() -> None:
    """A big document may have been dropped (the JSON pane let one go): hand back what a closed screen left
    frozen if no big document is frozen any more. Cheap (no walk): call it whenever a document goes."""
    if _hand_back_pending and not _holders:
        _hand_back()
    elif _documents:
        _documents_alive()


class LongLivedHold:
    """One owner's claim that what it has loaded lives long: full collections need not walk it again.

    ``keep()`` moves every object alive now out of the collector's reach (``gc.freeze``); when the last
    holder calls ``release()`` the objects are handed back (``gc.unfreeze``) — unless a big parsed document
    (``long_lived_burst``) is still loaded: handing it back made each later full collection walk it (the
    real ``iox``, 10 MB document in the pane, in the 8 s after leaving the 100,000-error screen: 9-10 full
    collections, the longest 346/362/373 ms, min/median/max of 5 runs of ``bench/gc_stall.py``; kept
    frozen: 14 of 8-48 ms, the longest 38/39/48 ms). So the holder must
    drop its own heavy data before it releases (the errors panel empties its store and table): frozen
    objects are still freed by reference counting, and only what is held in reference cycles (the closed
    screen's widgets) waits, frozen, for ``settle``: Python's memory blocks went 1.87 M before the screen,
    2.78 M with its rows, 2.15 M after leaving it (2.0 M when everything was handed back at once; 1.96 M
    since Textual no longer keeps closed widgets' rendered lines, ``explorer/tui/textual_fixes.py``). Those
    waits add up, one closed screen after another, while the document stays: ``_sweep`` bounds them.
    """

    def keep(self) -> None:
        """Freeze what is alive now (call again after loading more).

        A collection first: garbage cycles alive at this moment (HTTP responses') would otherwise be frozen
        with the rows and never freed while frozen. The first ``keep`` of a holder collects the young
        generations only (the oldest holds all the app built since start-up: a 35-100 ms walk); later ones
        collect all (everything older is frozen, so the oldest generation holds only what came since the
        last ``keep``: 4-16 ms every 10,000 error rows, in-process, where young ones left responses that
        had reached the oldest generation frozen: 37 of 440 KB for 100,000 rows, tracemalloc).
        """
        gc.collect(2 if id(self) in _holders else 1)  # see above
        gc.freeze()
        _holders.add(id(self))

    def add(self) -> None:
        """Freeze what was made since ``keep`` as well, without a collection first (``gc.freeze`` only moves
        lists: no walk), and restart the young generation's count.

        For an action's own data built right before a burst of work (a bulk action's batches, planned after
        ``keep``): the young collection that falls among the burst no longer walks it (0.34-0.54 ms among
        the 10 sends of a bulk retry of 10,000, now ~0.2; in-process, ``gc.callbacks``). A garbage cycle
        made since ``keep`` stays frozen until ``release`` hands everything back.
        """
        if id(self) in _holders:
            gc.freeze()

    def release(self) -> None:
        """Drop this claim; the last one out gives the objects back to the collector (see the class)."""
        if id(self) not in _holders:
            return
        _holders.discard(id(self))
        if not _holders:
            _hand_back()


@contextlib.contextmanager
def long_lived_burst() -> Iterator[Callable[[T], T]]:
    """Pause the collector around a burst of allocations that will live on (a parsed document), then move
    them out of its reach (``gc.freeze``), so the next collection does not walk them all at once.

    Yields ``keep``: pass it the document (it returns it). While anyone else holds the document, the last
    ``LongLivedHold.release`` does not hand the frozen objects back to the collector (see the class);
    ``settle`` does once the document is dropped.

    Frozen objects are still freed by reference counting; only cyclic garbage alive at this moment waits
    for the next ``gc.unfreeze`` (``LongLivedHold.release`` or ``settle``).
    """
    def keep(document: T) -> T:
        _documents.extend(_parts(document))
        return document

    with collector_paused():
        yield keep
        gc.freeze()
