"""How commands print: aligned tables for people, JSON for machines, messages and progress on stderr.

Why one module: every command must keep the same promises, and they are easy to break one print at a time:

* text that came from the server is shown literally and can never drive the terminal — control characters,
  C1 codes (``\\x9b`` is a CSI on some terminals) and bidi overrides are shown as visible escapes;
* with ``--json`` stdout holds exactly one JSON document and nothing else; messages go to stderr;
* progress goes to stderr, and only when stderr is a terminal (a cron job's mail stays clean).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TextIO

from rich.cells import cell_len

from explorer.textsafe import escape, escape_json

ELLIPSIS = "…"
PROGRESS_INTERVAL_S = 0.1
"""Progress lines are redrawn at most this often, so a fast loop does not flood a slow terminal."""


def printable(text: object) -> str:
    """``text`` as one safe line: every unsafe character (``explorer.textsafe``) becomes a visible escape."""
    return escape(text)


def json_text(value: Any, *, indent: int | None = 2) -> str:
    """JSON for a terminal or a pipe: UTF-8 kept readable, but anything that could drive a terminal escaped.

    ``json.dumps`` already escapes C0 controls in strings; with ``ensure_ascii=False`` it leaves C1 codes,
    DEL and bidi controls raw, so those are escaped here (still valid JSON meaning exactly the same).
    """
    return escape_json(json.dumps(value, indent=indent, ensure_ascii=False))


def display_width(text: str) -> int:
    """Terminal columns ``text`` takes, as Rich (and so the TUI) counts them: CJK and emoji 2, combining
    marks and zero-width joiners 0 (``👩‍💻`` is 2 columns, not 5)."""
    return (text.isascii() and len(text)) or cell_len(text)


def truncate(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` columns, ending in an ellipsis when something was cut."""
    if limit <= 0 or display_width(text) <= limit:
        return text
    kept = ""
    for char in text:
        if cell_len(kept + char) > limit - 1:
            break
        kept += char
    return kept + ELLIPSIS


def render_table(
    headers: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    max_widths: Mapping[int, int] | None = None,
) -> list[str]:
    """Aligned columns separated by two spaces; cells made safe (``printable``), long cells truncated.

    ``max_widths`` maps a column index to its widest allowed cell. The last column is not padded, so no line
    carries trailing spaces.
    """
    limits = dict(max_widths or {})
    cells = [[truncate(printable("" if cell is None else cell), limits.get(index, 0))
              for index, cell in enumerate(row)] for row in rows]
    table = [list(headers), *cells]
    widths = [max(display_width(row[i]) for row in table if i < len(row)) for i in range(len(headers))]
    lines = []
    for row in table:
        parts = []
        for index, cell in enumerate(row):
            last = index == len(row) - 1
            parts.append(cell if last else cell + " " * (widths[index] - display_width(cell)))
        lines.append("  ".join(parts).rstrip())
    return lines


@dataclass
class Output:
    """Where a command's results and messages go, and in which form (``json_mode`` is ``--json``)."""

    stdout: TextIO
    stderr: TextIO
    json_mode: bool = False
    _progress_shown: bool = field(default=False, init=False)
    _progress_at: float = field(default=0.0, init=False)
    _progress_line: str = field(default="", init=False)

    @property
    def stderr_is_tty(self) -> bool:
        """Progress is drawn only on a terminal."""
        isatty = getattr(self.stderr, "isatty", None)
        return bool(isatty and isatty())

    def data(self, value: Any) -> None:
        """Print ``value`` as the one JSON document of this run (``--json``)."""
        self.stdout.write(json_text(value) + "\n")
        self.stdout.flush()

    def array(self) -> JsonArrayWriter:
        """Print one JSON array item by item (``--json`` of a long list): the same text ``data(list)`` would
        print, without holding the list. Use as a context manager; it closes the array."""
        return JsonArrayWriter(self.stdout)

    def line(self, text: str = "") -> None:
        """Print a line of human output on stdout; ``text`` must already be safe (made with ``printable``)."""
        self.stdout.write(text + "\n")

    def table(self, headers: Sequence[str], rows: Iterable[Sequence[object]],
              *, max_widths: Mapping[int, int] | None = None) -> None:
        """Print an aligned table to stdout."""
        for text in render_table(headers, rows, max_widths=max_widths):
            self.line(text)
        self.stdout.flush()

    def note(self, text: str, *, keep_progress: bool = False) -> None:
        """A message for the person running the command (stderr, so stdout stays data).

        The progress line it replaces is erased in the same write; with ``keep_progress`` (the -v request
        log, between progress lines) it is drawn again below the message, in that write too. Why: ``iox -v
        retry`` notes each answer, and the answers come back together: erase, log line and progress line
        were three terminal writes per answer, each waking the terminal while the next answer waited.
        """
        erase = "\r\x1b[K" if self._progress_shown else ""
        again = self._progress_line if keep_progress and self._progress_shown else ""
        self._progress_shown = bool(again)
        self.stderr.write(erase + text + "\n" + again)
        self.stderr.flush()

    def progress(self, text: str, *, force: bool = False) -> None:
        """Redraw the one progress line on stderr (only on a terminal, at most every 0.1 s unless forced)."""
        if not self.stderr_is_tty:
            return
        now = time.monotonic()
        if not force and self._progress_shown and now - self._progress_at < PROGRESS_INTERVAL_S:
            return
        self._progress_at = now
        self._progress_shown = True
        self._progress_line = printable(text)
        self.stderr.write("\r\x1b[K" + self._progress_line)
        self.stderr.flush()

    def clear_progress(self) -> None:
        """Erase the progress line, if one is shown, before other output."""
        if self._progress_shown:
            self.stderr.write("\r\x1b[K")
            self.stderr.flush()
            self._progress_shown = False


class JsonArrayWriter:
    """Writes ``[`` … ``]`` around items as they come, each formatted as ``json_text`` of a whole list.

    Why: ``iox errors --json`` of 100,000 errors held every page before printing (469 MiB, measured); now the
    first record is on stdout after the first page, and memory stays flat.
    """

    def __init__(self, stdout: TextIO) -> None:
        self.stdout = stdout
        self.count = 0

    def __enter__(self) -> JsonArrayWriter:
        return self

    def add(self, items: Iterable[Any]) -> None:
        """Append items and flush, so a reader sees them now."""
        for item in items:
            body = json_text(item).replace("\n", "\n  ")
            self.stdout.write(("[\n  " if self.count == 0 else ",\n  ") + body)
            self.count += 1
        self.stdout.flush()

    def __exit__(self, kind: object, error: object, trace: object) -> None:
        if error is not None and self.count == 0:
            return  # nothing printed: the error message alone says what happened
        self.stdout.write("[]\n" if self.count == 0 else "\n]\n")
        self.stdout.flush()


def json_lines(stdout: TextIO, items: Iterable[Any]) -> int:
    """Print each item as one line of compact JSON (``--jsonl``) and flush; returns how many."""
    count = 0
    for item in items:
        stdout.write(json_text(item, indent=None) + "\n")
        count += 1
    stdout.flush()
    return count
