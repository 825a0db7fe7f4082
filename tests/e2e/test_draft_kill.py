"""Nothing typed is lost: ``kill -9`` 0.3 s after the last key, and the draft is on disk with the typing.

The real ``iox --demo`` in a pseudo-terminal (keys written as a terminal would, no bracketed paste).
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from tests.helpers.pty_app import Pty, drafts_in


def test_a_kill_0_3_s_after_typing_keeps_the_draft(tmp_path: Path) -> None:
    term = Pty.demo(tmp_path)
    try:
        term.wait_for("Connections")
        term.write("e")  # the editor, on the first integration
        term.wait_for("valid JSON")
        time.sleep(0.3)
        term.write("ZZTYPED")
        time.sleep(0.3)
        os.killpg(term.proc.pid, signal.SIGKILL)
        term.proc.wait(5)
    finally:
        term.kill()
    drafts = drafts_in(tmp_path)
    assert drafts, "no draft on disk"
    assert any("ZZTYPED" in draft.read_text(encoding="utf-8") for draft in drafts)
