"""Terminal input read ahead of Textual's parser: plain text as runs, everything else as the parser makes it,
in the order typed, and a ``ctrl+q`` handed out at once however much waits in front of it."""

from __future__ import annotations

import os
import threading
import time

from textual import events
from textual._xterm_parser import XTermParser
from textual.message import Message

from explorer.tui.key_bursts import read_ahead
from explorer.tui.raw_input import QUIT, InputReader, TextRun, keys_of


def parsed(data: str) -> list[Message]:
    """What Textual's own parser makes of ``data`` (the reference)."""
    return list(XTermParser().feed(data))


def described(items: list[TextRun | Message]) -> list[str]:
    """Runs as ``text:...``, keys by name, other messages by class."""
    return [f"text:{item}" if isinstance(item, TextRun) else item.key if isinstance(item, events.Key)
            else type(item).__name__ for item in items]


def read(*chunks: bytes, limit: int = 1_000_000) -> list[TextRun | Message]:
    reader = InputReader()
    out: list[TextRun | Message] = []
    for chunk in chunks:
        reader.add(chunk)
        while reader.pending:
            out.extend(reader.take(limit))
    return out


def test_plain_text_comes_as_runs_and_the_rest_as_the_parser_makes_it() -> None:
    out = read(b'{"a": 1,\r\x1b[A\x7fb\x1b[<0;5;6Mc\xc3\xa9\x18d')
    assert described(out) == ['text:{"a": 1,\r', "up", "backspace", "text:b", "MouseDown", "text:c", "é",
                              "ctrl+x", "text:d"]


def test_a_run_makes_exactly_the_keys_the_parser_would() -> None:
    plain = "".join(map(chr, range(0x20, 0x7F))) + "\r"
    (run,) = read(plain.encode())
    assert isinstance(run, TextRun) and run == plain
    ours = [(key.key, key.character) for key in keys_of(run)]
    theirs = [(key.key, key.character) for key in parsed(plain) if isinstance(key, events.Key)]
    assert ours == theirs and ours[-1] == ("enter", "\r") and ours[0] == ("space", " ")


def test_an_escape_sequence_split_across_reads_is_still_one_key() -> None:
    assert described(read(b"ab\x1b[", b"Acd")) == ["text:ab", "up", "text:cd"]
    assert described(read(b"x\xc3", b"\xa9y")) == ["text:x", "é", "text:y"]  # UTF-8 split too


def test_a_bracketed_paste_stays_one_paste_even_split_across_reads() -> None:
    out = read(b"a\x1b[20", b"0~pasted {\r} text\x1b[2", b"01~b")
    assert described(out) == ["text:a", "Paste", "text:b"]
    paste = out[1]
    assert isinstance(paste, events.Paste) and paste.text == "pasted {\r} text"


def test_ctrl_q_is_handed_out_in_one_take_however_much_is_in_front_of_it() -> None:
    reader = InputReader()
    reader.add(b"x" * 300_000 + b"\x1b[B" + b"y" * 100 + QUIT.encode() + b"after")
    assert reader.quit_waiting
    first = reader.take(limit=10)  # the limit gives way to the waiting quit key
    assert described(first)[-3:] == ["down", "text:" + "y" * 100, "ctrl+q"]
    assert sum(len(item) for item in first if isinstance(item, TextRun)) == 300_100
    assert not reader.quit_waiting and reader.pending == len("after")
    assert described(reader.take()) == ["text:after"]


class FakeDriver:
    """Stands for a Linux driver: a pipe as the terminal, and what would be sent to the app."""

    def __init__(self, fileno: int) -> None:
        self.fileno = fileno
        self.exit_event = threading.Event()
        self.sent: list[TextRun | Message] = []
        self.quit_seen = threading.Event()

    def process_text(self, run: TextRun) -> None:
        self.sent.append(run)

    def process_message(self, message: Message) -> None:
        self.sent.append(message)
        if isinstance(message, events.Key) and message.key == "ctrl+q":
            self.quit_seen.set()


def test_the_input_thread_reads_ahead_and_keeps_the_order() -> None:
    read_end, write_end = os.pipe()
    driver = FakeDriver(read_end)
    thread = threading.Thread(target=read_ahead, args=(driver,), daemon=True)
    thread.start()
    try:
        typed = b"".join(b'  "line %d": true,\r' % n for n in range(20_000))
        writer = threading.Thread(target=os.write, args=(write_end, typed + b"\x1b[A" + QUIT.encode()))
        writer.start()
        assert driver.quit_seen.wait(30), "ctrl+q never reached the app"
        writer.join(5)
    finally:
        driver.exit_event.set()
        thread.join(5)
        os.close(write_end)
        os.close(read_end)
    assert not thread.is_alive(), "the input thread did not stop on exit_event"
    text = "".join(item for item in driver.sent if isinstance(item, TextRun))
    assert text == typed.decode()
    assert described(driver.sent[-2:]) == ["up", "ctrl+q"]


def test_the_input_thread_ends_on_exit_even_while_input_keeps_coming() -> None:
    read_end, write_end = os.pipe()
    driver = FakeDriver(read_end)
    os.set_blocking(write_end, False)
    stop = threading.Event()

    def flood() -> None:
        while not stop.is_set():
            try:
                os.write(write_end, b"a" * 4096)
            except BlockingIOError:
                time.sleep(0.001)

    thread = threading.Thread(target=read_ahead, args=(driver,), daemon=True)
    writer = threading.Thread(target=flood, daemon=True)
    thread.start()
    writer.start()
    time.sleep(0.2)
    driver.exit_event.set()
    thread.join(10)
    stop.set()
    writer.join(5)
    os.close(write_end)
    os.close(read_end)
    assert not thread.is_alive()
    assert driver.sent and all(isinstance(item, TextRun) and set(item) == {"a"} for item in driver.sent)


def summary(items: list[TextRun | Message]) -> list[tuple[str, str | None, str | None]]:
    """Each event as (class, key, character or pasted text), runs made into the keys they stand for."""
    out: list[tuple[str, str | None, str | None]] = []
    for item in items:
        for event in keys_of(item) if isinstance(item, TextRun) else [item]:
            if isinstance(event, events.Key):
                out.append(("Key", event.key, event.character))
            elif isinstance(event, events.Paste):
                out.append(("Paste", None, event.text))
            else:
                out.append((type(event).__name__, None, None))
    return out


TRICKY = [
    'x{"a": [1, 2]}\r\x1b[A\x1b[1;5Cq\x7f\tz',
    "ab\x1b[200~pasted\r{ }\x1b[201~cd",
    "\x1b[200~with \x1bb an escape inside\x1b[201~after",
    "\x1b[<35;10;5M\x1b[<0;10;5mhi\x1b[Ibye\x1b[O",
    "\x1b\x1b[Bx\x1bOPy",
]


def test_every_split_of_tricky_input_reads_as_textuals_parser_reads_it_whole() -> None:
    for text in TRICKY:
        theirs = summary(parsed(text))  # type: ignore[arg-type]
        data = text.encode()
        for cut in range(len(data) + 1):
            assert summary(read(data[:cut], data[cut:], limit=3)) == theirs, (text, cut)
