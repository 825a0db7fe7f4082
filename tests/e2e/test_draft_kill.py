"""Nothing typed is lost: ``kill -9`` 0.3 s after the last key, and the draft is on disk with the typing.

The real ``iox --demo`` in a pseudo-terminal (keys written as a terminal would, no bracketed paste).
"""

from __future__ import annotations

import os
import pty
import select
import signal
import subprocess
import sys
import time
from pathlib import Path


class Pty:
    """A process in a pseudo-terminal; its output is collected as text (escape sequences and all)."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        master, slave = pty.openpty()
        os.set_blocking(master, False)
        self.proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env,
                                     start_new_session=True, close_fds=True)
        os.close(slave)
        self.master = master
        self.output = ""

    def wait_for(self, text: str, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.output:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{text!r} never appeared")
            ready, _, _ = select.select([self.master], [], [], 0.1)
            if ready:
                try:
                    self.output += os.read(self.master, 65536).decode("utf-8", "replace")
                except OSError:
                    break

    def write(self, data: str) -> None:
        os.write(self.master, data.encode())

    def kill(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(5)
        os.close(self.master)


def test_a_kill_0_3_s_after_typing_keeps_the_draft(tmp_path: Path) -> None:
    env = {**os.environ, "TERM": "xterm-256color", "XDG_CONFIG_HOME": str(tmp_path / "config"),
           "XDG_STATE_HOME": str(tmp_path / "state"), "COLUMNS": "120", "LINES": "40"}
    env.pop("IOX_TOKEN", None)
    term = Pty([sys.executable, "-m", "explorer", "--demo"], env)
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
    drafts = list((tmp_path / "state").rglob("drafts/**/*.json"))
    assert drafts, "no draft on disk"
    assert any("ZZTYPED" in draft.read_text(encoding="utf-8") for draft in drafts)
