"""The collector's process-wide state has one owner: two holders, and the first one out unfreezes nothing."""

from __future__ import annotations

import gc

from explorer.gc_policy import LongLivedHold, collector_paused, end_startup, pause_for_startup


def test_objects_stay_frozen_until_the_last_holder_releases() -> None:
    open_tab, resolved_tab = LongLivedHold(), LongLivedHold()
    try:
        open_tab.keep()
        resolved_tab.keep()
        assert gc.get_freeze_count() > 0
        open_tab.release()
        assert gc.get_freeze_count() > 0  # the other panel's rows are still long-lived
        open_tab.release()  # a second release of the same claim changes nothing
        assert gc.get_freeze_count() > 0
        resolved_tab.release()
        assert gc.get_freeze_count() == 0
    finally:
        open_tab.release()
        resolved_tab.release()


def test_a_holder_adds_what_it_made_since_without_a_collection_and_hands_it_back() -> None:
    hold = LongLivedHold()
    hold.add()  # not holding: nothing happens
    assert gc.get_freeze_count() == 0
    try:
        hold.keep()
        frozen = gc.get_freeze_count()
        batches = [[object() for _ in range(10)] for _ in range(100)]  # made after keep: young
        assert any(gc.is_tracked(batch) for batch in batches)
        collections = gc.get_stats()[0]["collections"]
        hold.add()
        assert gc.get_stats()[0]["collections"] == collections  # no collection ran
        assert gc.get_freeze_count() >= frozen + len(batches)
        assert gc.get_count()[0] < 10  # the young generation starts counting again
    finally:
        hold.release()
    assert gc.get_freeze_count() == 0


def test_a_paused_collector_comes_back_as_it_was() -> None:
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the inner pause must not re-enable it early
    assert gc.isenabled()


def test_the_startup_pause_ends_once_with_start_up_frozen() -> None:
    assert gc.isenabled()
    end_startup()  # no pause asked for (tests build the app directly): nothing happens
    assert gc.isenabled() and gc.get_freeze_count() == 0
    try:
        pause_for_startup()
        assert not gc.isenabled()
        with collector_paused():
            pass
        assert not gc.isenabled()  # an inner pause does not end start-up early
        end_startup()
        assert gc.isenabled()
        assert gc.get_freeze_count() > 0  # what start-up built is out of the collector's reach
        end_startup()  # the second end (the app's exit after the main screen's) changes nothing
        assert gc.isenabled()
    finally:
        gc.unfreeze()
        gc.enable()


def test_a_disabled_collector_is_left_to_its_owner() -> None:
    with collector_paused():
        pause_for_startup()  # someone else paused it: start-up must not turn it on at its end
        end_startup()
        assert not gc.isenabled()
    assert gc.isenabled() and gc.get_freeze_count() == 0


def test_importing_the_cli_runs_almost_no_collection_and_leaves_the_collector_on() -> None:
    """Start-up (issue 10): the collector rests while ``explorer.cli`` imports (44 collections of objects
    that live as long as the process, counted with the pause taken out), then runs again, the imported
    objects frozen. The package and ``gc_policy`` are imported before counting (in a fresh clone they are
    compiled first, which collects too), and the rest of the module after ``end_imports`` may allocate enough
    for a young collection or two: hence "at most 2", not 0, against 44."""
    import subprocess
    import sys

    code = ("import gc\nimport explorer.gc_policy\ncollections = []\n"
            "gc.callbacks.append(lambda phase, info: phase == 'start' and collections.append(phase))\n"
            "import explorer.cli\nprint(len(collections), gc.isenabled(), gc.get_freeze_count() > 0)")
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    count, enabled, frozen = shown.split()
    assert int(count) <= 2 and (enabled, frozen) == ("True", "True"), shown
