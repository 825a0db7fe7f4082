"""What the benchmarks share: a program in a pseudo-terminal whose screen is read by a terminal emulator,
the simulator in its own process over loopback, peak memory of a process, and min/median/max.

Why from outside: a figure counts only if it is what the user gets (GUIDE.md). A widget's row count or an
in-process timer missed the 7.8 s during which the errors table hid behind a spinner (issue 10). Here the real
``iox`` runs in a pty at 120×40; every byte it writes is fed to ``pyte`` (a VT100 emulator) and watches
registered by the bench are checked after each write, so "the screen shows X" is timed to the arrival of the
write that made it so (pyte, far slower than a terminal, parses in a thread of its own: ``Terminal._read``).
A key is "answered" when the screen changed the way the key asks (not merely repainted).

Not a module of the package: ``bench/`` scripts import it by path (``sys.path`` holds ``bench/`` when a
script runs).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import queue
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyte

COLUMNS, LINES = 120, 40
IOX = Path(sys.executable).with_name("iox")
POSTING_VENV = Path(tempfile.gettempdir()) / "iox-bench-posting"
KEYS = {"down": b"\x1b[B", "up": b"\x1b[A", "enter": b"\r", "ctrl+p": b"\x10", "escape": b"\x1b",
        "tab": b"\t"}

Predicate = Callable[[pyte.Screen], bool]


@dataclass
class _Watch:
    predicate: Predicate
    done: threading.Event = field(default_factory=threading.Event)
    at: float = 0.0
    since: float = field(default_factory=time.perf_counter)


class Terminal:
    """A program in a pty of ``COLUMNS``×``LINES``, its screen kept by pyte (see the module docstring)."""

    def __init__(self, argv: Sequence[str], env: dict[str, str] | None = None,
                 cwd: str | None = None) -> None:
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", LINES, COLUMNS, 0, 0))
        full_env = {**os.environ, "TERM": "xterm-256color", "COLORTERM": "truecolor", **(env or {})}
        full_env.pop("NO_COLOR", None)
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(list(argv), stdin=slave, stdout=slave, stderr=slave, env=full_env,
                                     cwd=cwd, start_new_session=True, close_fds=True)
        os.close(slave)
        self.master = master
        self.screen = pyte.Screen(COLUMNS, LINES)
        self.stream = pyte.ByteStream(self.screen)
        self.lock = threading.Lock()
        self.watches: list[_Watch] = []
        self.peak_rss_kb = 0
        self._arrived: queue.SimpleQueue[tuple[float, bytes] | None] = queue.SimpleQueue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self._feeder = threading.Thread(target=self._feed, daemon=True)
        self._feeder.start()

    def _read(self) -> None:
        """Take the program's output as it comes, noting when each piece arrived.

        Why apart from the emulator: pyte parses 0.3-0.4 MB/s on our loaded machines (10-23 ms per 4 KB),
        so a full repaint (``z`` zooming a pane: ~60 KB) took it 150-200 ms. Fed in the same thread, that
        time was counted in the key's latency and in the next key's, and the pty's 4 KB buffer stayed full
        meanwhile, holding the program's own writes. A terminal parses that in well under a millisecond.
        """
        while True:
            try:
                data = os.read(self.master, 65536)
            except OSError:
                data = b""
            if not data:
                self._arrived.put(None)
                return
            self._arrived.put((time.perf_counter(), data))

    def _feed(self) -> None:
        """Feed the output to pyte in order; a watch holds from the arrival of the bytes that made it so."""
        while (item := self._arrived.get()) is not None:
            arrived, data = item
            with self.lock:
                self.stream.feed(data)
                for watch in self.watches:
                    if not watch.done.is_set() and watch.predicate(self.screen):
                        watch.at = max(arrived, watch.since)
                        watch.done.set()

    # -- reading ------------------------------------------------------------------------------------
    def lines(self) -> list[str]:
        """The screen's text, one string per line."""
        with self.lock:
            return list(self.screen.display)

    def shows(self, text: str) -> bool:
        """Whether ``text`` is anywhere on the screen now."""
        return any(text in line for line in self.lines())

    def watch(self, predicate: Predicate) -> _Watch:
        """Start watching for ``predicate`` (checked now and after every write of the program)."""
        watch = _Watch(predicate)
        with self.lock:
            if predicate(self.screen):
                watch.at = time.perf_counter()
                watch.done.set()
            self.watches.append(watch)
        return watch

    def wait(self, watch: _Watch, timeout: float = 60.0) -> float:
        """Block until the watch holds; returns the moment (perf_counter) the screen first satisfied it."""
        if not watch.done.wait(timeout):
            screen = "\n".join(self.lines())
            raise TimeoutError(f"the screen never satisfied the watch in {timeout:.0f} s; it shows:\n"
                               f"{screen}")
        with self.lock:
            self.watches.remove(watch)
        return watch.at

    def wait_for_text(self, text: str, timeout: float = 60.0) -> float:
        """The moment ``text`` appeared on the screen (now, if it is already there)."""
        return self.wait(self.watch(lambda screen: any(text in line for line in screen.display)), timeout)

    # -- writing ------------------------------------------------------------------------------------
    def press(self, key: str) -> float:
        """Write a key (a name of ``KEYS`` or literal text); returns the moment it was written."""
        data = KEYS.get(key, key.encode())
        at = time.perf_counter()
        os.write(self.master, data)
        return at

    def key_latency(self, key: str, changed: Predicate, timeout: float = 30.0) -> float:
        """Seconds from writing ``key`` until the screen satisfies ``changed``."""
        watch = _Watch(changed)
        with self.lock:
            self.watches.append(watch)
        sent = self.press(key)
        return self.wait(watch, timeout) - sent

    def cursor_keys(self, top: int, bottom: int, until: Callable[[], bool], *, column: int = 3,
                    every: float = 0.1, limit: float = 120.0) -> list[float]:
        """Press ``down``/``up`` in turn until ``until()``; each latency is key written → the highlighted line
        (``highlighted_line``) one below/above where it was. Keys wait ``every`` seconds apart."""
        latencies: list[float] = []
        direction = "down"
        deadline = time.perf_counter() + limit
        while not until() and time.perf_counter() < deadline:
            with self.lock:
                before = highlighted_line(self.screen, top, bottom, column)
            if before is None:
                time.sleep(0.01)
                continue
            wanted = before + (1 if direction == "down" else -1)
            try:
                latencies.append(self.key_latency(direction, cursor_on(wanted, top, bottom, column),
                                                  timeout=10))
            except TimeoutError:
                break
            direction = "up" if direction == "down" else "down"
            time.sleep(every)
        return latencies

    # -- the process --------------------------------------------------------------------------------
    def sample_rss(self) -> int:
        """Note the process's peak resident set (VmHWM, KiB) now; returns it."""
        with contextlib.suppress(OSError):
            self.peak_rss_kb = max(self.peak_rss_kb, peak_rss_kb(self.proc.pid))
        return self.peak_rss_kb

    def close(self) -> None:
        """End the program (its process group) and the reader."""
        self.sample_rss()
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
        with contextlib.suppress(OSError):
            os.close(self.master)

    def __enter__(self) -> Terminal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system, all threads) a live process has used so far (Linux, 10 ms ticks).

    Why beside the wall clock: on a shared machine a run's wall time is mostly the other jobs' load, while
    the CPU a program needs to reach a screen barely moves; both are read from outside the process.
    """
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def status_kb(pid: int, name: str) -> int:
    """A memory figure of a live process (Linux ``/proc/PID/status``: ``VmHWM``, ``VmRSS``...), in KiB."""
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(f"{name}:"):
                return int(line.split()[1])
    return 0


def peak_rss_kb(pid: int) -> int:
    """VmHWM of a live process (Linux), in KiB."""
    return status_kb(pid, "VmHWM")


def highlighted_line(screen: pyte.Screen, top: int, bottom: int, column: int = 3) -> int | None:
    """The one line in ``top..bottom`` whose background at ``column`` differs from the others' (a cursor)."""
    colors = [screen.buffer[y][column].bg for y in range(top, bottom)]
    counts: dict[str, int] = {}
    for color in colors:
        counts[color] = counts.get(color, 0) + 1
    odd = [top + i for i, color in enumerate(colors) if counts[color] == 1]
    return odd[0] if len(odd) == 1 else None


def cursor_on(line: int, top: int, bottom: int, column: int = 3) -> Predicate:
    """A screen test: the cursor (``highlighted_line``) is on ``line``."""

    def check(screen: pyte.Screen) -> bool:
        return highlighted_line(screen, top, bottom, column) == line

    return check


# --------------------------------------------------------------------------------------------- simulator
@dataclass
class SimulatorProcess:
    """``iox simulator`` in its own process on a free loopback port."""

    proc: subprocess.Popen[str]
    base_url: str
    token: str

    def close(self) -> None:
        """Stop it (SIGTERM: it closes its sockets)."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


@contextlib.contextmanager
def simulator(latency_ms: float, scale: str = "large") -> Iterator[SimulatorProcess]:
    """Start ``iox simulator --port 0 --scale SCALE --latency-ms MS``; read its URL and the full token."""
    proc = subprocess.Popen([str(IOX), "simulator", "--port", "0", "--scale", scale, "--latency-ms",
                             str(latency_ms)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert proc.stdout is not None
        base, token = "", ""
        while not (base and token):
            line = proc.stdout.readline()
            if not line:
                raise RuntimeError("the simulator did not start")
            if line.startswith("NA: "):
                base = line[4:].strip().removesuffix("/v1/").removesuffix("/v1")
            elif line.startswith("full: "):
                token = line.split(":", 1)[1].strip()
        threading.Thread(target=proc.stdout.read, daemon=True).start()
        running = SimulatorProcess(proc, base, token)
        yield running
    finally:
        SimulatorProcess(proc, "", "").close()


def iox_env(sim: SimulatorProcess, home: Path) -> dict[str, str]:
    """Environment for ``iox --base-url`` against the simulator, with private config and state folders."""
    return {"IOX_TOKEN": sim.token, "XDG_CONFIG_HOME": str(home / "config"),
            "XDG_STATE_HOME": str(home / "state")}


# --------------------------------------------------------------------------------------------- posting
def posting_command() -> list[str]:
    """The peer's command, installing it first in a venv of its own under /tmp (not a project dependency).

    ``tree-sitter<0.26``: 0.26.1 segfaults on Textual's JSON highlighting (../shared/TOOLCHAIN.md).
    """
    exe = POSTING_VENV / "bin" / "posting"
    if not exe.exists():
        subprocess.run([sys.executable, "-m", "venv", str(POSTING_VENV)], check=True)
        subprocess.run([str(POSTING_VENV / "bin" / "pip"), "install", "-q", "posting", "tree-sitter<0.26"],
                       check=True)
    return [str(exe)]


# --------------------------------------------------------------------------------------------- figures
def spread(values: Sequence[float], unit: str = "ms", scale: float = 1000.0) -> str:
    """``min/median/max`` of the runs, e.g. ``212/240/318 ms (n=5)``."""
    if not values:
        return "n/a"
    shown = [v * scale for v in values]
    digits = 0 if max(shown) >= 100 else 1
    return (f"{min(shown):.{digits}f}/{statistics.median(shown):.{digits}f}/{max(shown):.{digits}f} {unit} "
            f"(n={len(values)})")


def ratio(ours: Sequence[float], peer: Sequence[float]) -> str:
    """Ours over the peer's, by medians (and by mins, less sensitive to the machine's noise)."""
    if not ours or not peer:
        return "n/a"

    def shown(value: float) -> str:  # two decimals, or two significant digits below 0.1 (never "0.00")
        return f"{value:.2f}" if value >= 0.1 else f"{value:.2g}"

    return (f"{shown(statistics.median(ours) / statistics.median(peer))} (medians), "
            f"{shown(min(ours) / min(peer))} (mins)")


def machine_note() -> str:
    """One line on how busy the machine was (the benches share 2 cores with other work)."""
    load = os.getloadavg()
    return f"load average {load[0]:.1f}/{load[1]:.1f}/{load[2]:.1f} on {os.cpu_count()} cores"


def compile_bytecode() -> str:
    """Compile the package's bytecode once, before anything is timed, as the user's install has it.

    Why: ``pip install`` compiles every module it installs (posting's venv has its ``.pyc``), and a user's
    first run of an editable install writes ``__pycache__``; but with ``PYTHONDONTWRITEBYTECODE`` set (as on
    our shared machines) a source checkout never gets them, and every ``iox`` start then compiled all of
    ``explorer/`` again (~200 ms of a ~780 ms start-up: ``source_to_code`` in a py-spy profile). That is a
    cost of the machine, not one the user pays. Returns a note for the figures' header.
    """
    import compileall

    import explorer

    package = Path(explorer.__file__).resolve().parent
    compileall.compile_dir(str(package), quiet=1)
    return f"bytecode of {package.name}/ compiled first (as pip install does)"


def fresh_home() -> Path:
    """A private folder for one run's config and state (removed by ``cleanup_home``)."""
    return Path(tempfile.mkdtemp(prefix="iox-bench-"))


def cleanup_home(home: Path) -> None:
    """Remove a run's folder."""
    shutil.rmtree(home, ignore_errors=True)
