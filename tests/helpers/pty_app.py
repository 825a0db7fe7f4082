"""The real ``iox`` in a pseudo-terminal, for end-to-end tests of what a terminal sends (no tests here).

Keys are written as a terminal writes them (no bracketed paste); the program's output is read all along (a
program whose output nobody reads blocks on its next write) and kept as text, escape sequences and all.
"""

from __future__ import annotations

import contextlib
import os
import pty
import select
import signal
import subprocess
import sys
import time
from pathlib import Path


def demo_env(home: Path) -> dict[str, str]:
    """``iox --demo`` with private config and state folders under ``home`` and no token of the developer's."""
    env = {**os.environ, "TERM": "xterm-256color", "XDG_CONFIG_HOME": str(home / "config"),
           "XDG_STATE_HOME": str(home / "state"), "COLUMNS": "120", "LINES": "40"}
    env.pop("IOX_TOKEN", None)
    return env


def drafts_in(home: Path) -> list[Path]:
    """The draft files the app wrote under ``home``'s state folder."""
    return list((home / "state").rglob("drafts/**/*.json"))


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

    @classmethod
    def demo(cls, home: Path) -> Pty:
        """``python -m explorer --demo`` (the installed package, as ``iox --demo``)."""
        return cls([sys.executable, "-m", "explorer", "--demo"], demo_env(home))

    def pump(self, wait: float = 0.1) -> None:
        """Read what the program wrote (waiting up to ``wait`` s for something)."""
        ready, _, _ = select.select([self.master], [], [], wait)
        if ready:
            with contextlib.suppress(OSError):  # EIO: the program closed the terminal
                self.output += os.read(self.master, 65536).decode("utf-8", "replace")

    def wait_for(self, text: str, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.output:
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise TimeoutError(f"{text!r} never appeared")
            self.pump()

    def wait_exit(self, timeout: float) -> int | None:
        """The exit code once the program ends (reading its output meanwhile); None if still running."""
        deadline = time.monotonic() + timeout
        while self.proc.poll() is None and time.monotonic() < deadline:
            self.pump(0.02)
        return self.proc.poll()

    def write(self, data: str) -> None:
        os.write(self.master, data.encode())

    def type_all(self, data: bytes, chunk: int = 4096) -> None:
        """Write ``data`` as fast as the terminal takes it (from another thread while ``pump`` reads).

        Raises ``OSError`` once the program has closed the terminal.
        """
        view = memoryview(data)
        while view:
            try:
                view = view[os.write(self.master, view[:chunk]):]
            except BlockingIOError:  # the terminal's input queue is full: the program has not read it yet
                select.select([], [self.master], [], 0.1)

    def kill(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(5)
        os.close(self.master)
