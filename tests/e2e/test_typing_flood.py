"""A document typed as keystrokes (no bracketed paste) with ``ctrl+q`` right behind it: the app quits soon
after, and the draft holds everything typed before the quit key.

The real ``iox --demo`` in a pseudo-terminal; the quit key is written in the same stream as the text, behind
1,000,000 characters. Before the input was read ahead of Textual's parser (``explorer.tui.raw_input``), the
quit waited for every character to be parsed (7-13 us each) and typed in: 40 s from the first key to the
exit here. Now about 1 s. The bound is generous (a shared machine); the target itself (``ctrl+q`` answers
within 1 s) is measured by ``bench/keystrokes.py``.
"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

from tests.helpers.pty_app import Pty, drafts_in

AFTER = "zq_typed_after_quit"


def document(chars: int) -> str:
    """About ``chars`` characters of JSON as a terminal types it (``\\r`` for enter)."""
    line = '  "field": "a value of a typed document, with words",'
    body = "\r".join(f"{line[:-2]} {n}\"," for n in range(chars // (len(line) + 6)))
    return "{\r" + body + '\r  "zq_last_before_quit": 1\r}'


def test_ctrl_q_behind_a_large_backlog_quits_promptly_and_keeps_what_was_typed(tmp_path: Path) -> None:
    typed = document(1_000_000)
    term = Pty.demo(tmp_path)
    started: list[float] = []

    def write_all() -> None:
        started.append(time.monotonic())
        try:
            term.type_all((typed + "\x11").encode())
            time.sleep(0.2)
            term.type_all(AFTER.encode())
        except OSError:  # the app quit and closed the terminal
            pass

    try:
        term.wait_for("Connections")
        term.write("e")  # the editor, on the first integration
        term.wait_for("valid JSON")
        writer = threading.Thread(target=write_all, daemon=True)
        writer.start()
        code = term.wait_exit(120)
        exited_at = time.monotonic()
        writer.join(5)
    finally:
        term.kill()
    assert code == 0, "ctrl+q did not end the app within 120 s"
    assert exited_at - started[0] < 10.0, f"typing and quitting took {exited_at - started[0]:.1f} s"
    drafts = [json.loads(draft.read_text(encoding="utf-8")) for draft in drafts_in(tmp_path)]
    assert len(drafts) == 1, "no draft on disk after quitting a changed document"
    text = drafts[0]["text"]
    assert typed.replace("\r", "\n") in text, "what was typed before ctrl+q is not all in the draft"
    assert AFTER not in text
