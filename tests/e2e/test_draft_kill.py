"""Nothing typed is lost: the draft reaches the disk while typing, and a ``kill -9`` keeps it whole.

The real ``iox --demo`` in a pseudo-terminal (keys written as a terminal would, no bracketed paste). The test
waits for the draft to hold the typing, then kills: how soon after the last key it is written (0.2 s, the
README's guarantee) is a figure for a quiet machine, not for a test on a loaded 2-core CI box, where a
0.3 s kill after the keys once left the app no time to even read them.
"""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

from tests.helpers.pty_app import Pty, drafts_in
from tests.helpers.waiting import WAIT_S


def holding(home: Path, text: str) -> list[Path]:
    """The drafts under ``home`` whose file (fully written) contains ``text``."""
    found = []
    for draft in drafts_in(home):
        try:
            if text in draft.read_text(encoding="utf-8"):
                found.append(draft)
        except FileNotFoundError:  # replaced between listing and reading
            continue
    return found


def test_a_draft_with_the_typing_survives_a_kill(tmp_path: Path) -> None:
    term = Pty.demo(tmp_path)
    try:
        term.wait_for("Connections")
        term.write("e")  # the editor, on the first integration
        term.wait_for("valid JSON")
        term.write("ZZTYPED")
        deadline = time.monotonic() + WAIT_S
        while not holding(tmp_path, "ZZTYPED"):
            assert time.monotonic() < deadline, "the typing never reached a draft on disk"
            term.pump(0.05)  # keep reading the terminal: a full pty would stall the app
        os.killpg(term.proc.pid, signal.SIGKILL)
        term.proc.wait(5)
    finally:
        term.kill()
    drafts = holding(tmp_path, "ZZTYPED")
    assert drafts, "the draft is gone after the kill"
    saved = json.loads(drafts[0].read_text(encoding="utf-8"))  # a whole file, not a torn write
    assert "ZZTYPED" in json.dumps(saved)
