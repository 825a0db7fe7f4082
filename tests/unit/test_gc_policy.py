"""The collector's process-wide state has one owner: two holders, and the first one out unfreezes nothing."""

from __future__ import annotations

import gc

from explorer.gc_policy import LongLivedHold, collector_paused


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


def test_a_paused_collector_comes_back_as_it_was() -> None:
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the inner pause must not re-enable it early
    assert gc.isenabled()
