"""Terminal input read ahead of Textual's key parser: plain text skips the parser, ``ctrl+q`` never waits.

Why: Textual's Linux driver reads 4 KiB at a time and sends every character through its ``XTermParser`` (a
generator, 7-13 us a character here, one ``Key`` message each). Typing that arrives without bracketed paste
(a terminal or tmux that does not use it) then waits in the kernel behind the parser, and so does a
``ctrl+q`` typed meanwhile: it took 1.3-1.8 s to quit during a 200,000-character flood.

:class:`InputReader` holds what the terminal sent, read as fast as it comes, and hands it out in order:

* a run of plain printable ASCII and carriage returns (what a pasted document is made of), when the parser
  is between sequences and not inside a bracketed paste, as one ``str`` (:class:`TextRun`) — no ``Key`` per
  character; the key bursts (``key_bursts``) take it as text;
* anything else through Textual's parser, unchanged: escape sequences, control keys, mouse, focus, paste,
  non-ASCII text.

The held input is searched for ``ctrl+q`` (``\\x11``) as it arrives; while one waits, everything in front of
it is handed out in one go, then the key itself. So the quit reaches the app right behind the text typed
before it — that text still lands in the editor and the app's own quit writes the draft: nothing typed
before the quit is lost, and nothing typed after it is read.
"""

from __future__ import annotations

import re
from codecs import getincrementaldecoder
from collections.abc import Iterable
from functools import cache

from textual import events
from textual._parser import Read1
from textual._xterm_parser import XTermParser
from textual.message import Message

QUIT = "\x11"
"""``ctrl+q`` as the terminal sends it: Textual's quit key (``App.BINDINGS``, a priority binding)."""
SLICE = 16_384
"""Characters handed out at most per call when no ``ctrl+q`` waits (the input thread checks for exit and
new input between slices)."""
_PLAIN_RUN = re.compile(r"[\x20-\x7e\r]+")
"""Characters whose key the parser makes from the character alone (checked against it in the tests)."""
_PASTE_START, _PASTE_END = "\x1b[200~", "\x1b[201~"


class TextRun(str):
    """Plain characters typed in a row, not yet made into ``Key`` events (``keys_of`` does that)."""

    __slots__ = ()


@cache
def _plain_keys() -> dict[str, tuple[str, str]]:
    """Key name and character of each plain character, as Textual's own parser makes them."""
    parser = XTermParser()
    table: dict[str, tuple[str, str]] = {}
    for character in map(chr, [*range(0x20, 0x7F), 0x0D]):
        (key,) = [event for event in parser.feed(character) if isinstance(event, events.Key)]
        table[character] = (key.key, key.character or character)
    return table


def keys_of(text: str) -> list[events.Key]:
    """The ``Key`` events Textual's parser would have made of a :class:`TextRun`."""
    table = _plain_keys()
    return [events.Key(*table[character]) for character in text]


class InputReader:
    """Bytes from the terminal in; :class:`TextRun` and Textual messages out, in the order typed."""

    def __init__(self, parser: XTermParser | None = None) -> None:
        self.parser = parser if parser is not None else XTermParser()
        self._decode = getincrementaldecoder("utf-8")(errors="replace").decode
        self._held = ""
        self._at = 0
        self._in_paste = False
        self._fed_tail = ""  # the end of what the parser was fed last: a paste marker may span two feeds

    @property
    def pending(self) -> int:
        """Characters held and not yet handed out."""
        return len(self._held) - self._at

    @property
    def quit_waiting(self) -> bool:
        """Whether a ``ctrl+q`` is held (the next ``take`` hands out everything up to it)."""
        return self._held.find(QUIT, self._at) >= 0

    def add(self, data: bytes) -> None:
        """Hold bytes read from the terminal (a UTF-8 sequence split across reads is joined)."""
        text = self._decode(data)
        if text:
            self._held = self._held[self._at:] + text
            self._at = 0

    def take(self, limit: int = SLICE) -> list[TextRun | Message]:
        """Hand out up to ``limit`` held characters (or all up to a held ``ctrl+q``)."""
        held, at = self._held, self._at
        quit_at = held.find(QUIT, at)
        end = quit_at + 1 if quit_at >= 0 else min(len(held), at + limit)
        out: list[TextRun | Message] = []
        while at < end:
            if self._between_sequences():
                run = _PLAIN_RUN.match(held, at, end)
                if run is not None:
                    out.append(TextRun(run.group()))
                    self._fed_tail = ""
                    at = run.end()
                    continue
            # Inside a paste the parser only collects characters until the ESC of its end: up to the next ESC
            # goes in one feed. Anywhere else one character at a time, to look for a plain run after each.
            upto = at + 1
            if held[at] != "\x1b" and self._collecting_paste():
                upto = held.find("\x1b", at, end)
                upto = end if upto < 0 else upto
            out.extend(self._feed(held[at:upto]))
            at = upto
        self._at = at
        if at == len(held):
            self._held, self._at = "", 0
        return out

    def tick(self) -> list[Message]:
        """What the parser's timeouts produce (a lone ``esc`` becomes the escape key after a moment)."""
        return list(self.parser.tick())

    def _feed(self, text: str) -> Iterable[Message]:
        window = self._fed_tail + text
        start, end = window.rfind(_PASTE_START), window.rfind(_PASTE_END)
        if start != end:  # both -1 when neither is there
            self._in_paste = start > end
        self._fed_tail = window[-(len(_PASTE_START) - 1):]
        return list(self.parser.feed(text))

    def _waiting_for_a_character(self) -> bool:
        """The parser waits for a character with no escape sequence half read (``Parser._awaiting``)."""
        awaiting = getattr(self.parser, "_awaiting", None)
        return isinstance(awaiting, Read1) and awaiting.timeout is None

    def _between_sequences(self) -> bool:
        """The parser waits for a new character with nothing half read (no escape sequence, no paste)."""
        return not self._in_paste and self._waiting_for_a_character()

    def _collecting_paste(self) -> bool:
        """The parser is inside a bracketed paste, collecting characters (not in its end sequence)."""
        return self._in_paste and self._waiting_for_a_character()
