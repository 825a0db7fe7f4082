"""The CLI's output rules: server text never drives the terminal, tables align, JSON stays valid."""

from __future__ import annotations

import io
import json

from explorer.commands.output import Output, display_width, json_text, printable, render_table, truncate


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_printable_escapes_every_control_and_bidi_character() -> None:
    hostile = "a\x1b[2Jb\x9b31mc\x07d\ne\tf\u202eg\u2028h\x00i\x7f"
    shown = printable(hostile)
    assert shown == "a\\e[2Jb\\x9b31mc\\x07d\\ne\\tf\\u202eg\\u2028h\\x00i\\x7f"
    assert not any(ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F for ch in shown)


def test_printable_keeps_ordinary_unicode_and_markup_literally() -> None:
    assert printable("Shop → ERP [bold]x[/bold] 日本") == "Shop → ERP [bold]x[/bold] 日本"


def test_json_text_is_valid_json_and_escapes_c1_and_bidi() -> None:
    value = {"name": "x\x1b[31m\x9b\u202e\u2029y", "n": 1, "日本": ["é"]}
    text = json_text(value)
    assert json.loads(text) == value
    assert "\x1b" not in text and "\x9b" not in text and "\u202e" not in text and "\u2029" not in text
    assert "日本" in text and "é" in text  # readable, not \u-escaped


def test_display_width_and_truncate_count_wide_characters() -> None:
    assert display_width("日本") == 4
    assert display_width("e\u0301") == 1
    assert truncate("abcdef", 4) == "abc…"
    assert truncate("日本語", 4) == "日…"
    assert truncate("abc", 3) == "abc"


def test_render_table_aligns_columns_and_never_pads_the_last() -> None:
    lines = render_table(("ID", "NAME", "NOTE"), [("1", "日本語", "x"), ("22", "a\x1bb", "")])
    assert lines == [
        "ID  NAME    NOTE",
        "1   日本語  x",
        "22  a\\eb",
    ]
    assert all(line == line.rstrip() for line in lines)


def test_render_table_truncates_limited_columns() -> None:
    lines = render_table(("A", "MESSAGE"), [("1", "x" * 50)], max_widths={1: 10})
    assert lines[1] == "1  " + "x" * 9 + "…"


def test_progress_only_on_a_terminal() -> None:
    plain_err = io.StringIO()
    plain = Output(io.StringIO(), plain_err)
    plain.progress("fetched 10", force=True)
    plain.clear_progress()
    assert plain_err.getvalue() == ""
    tty_err = _Tty()
    tty_out = io.StringIO()
    shown = Output(tty_out, tty_err)
    shown.progress("fetched \x1b 10", force=True)
    shown.note("done")
    assert "fetched \\e 10" in tty_err.getvalue()
    assert tty_err.getvalue().endswith("\r\x1b[Kdone\n")
    assert tty_out.getvalue() == ""


class _RecordingTty(_Tty):
    """A terminal that keeps each write apart (a write is one wake-up of the terminal)."""

    def __init__(self) -> None:
        super().__init__()
        self.writes: list[str] = []

    def write(self, text: str) -> int:
        self.writes.append(text)
        return super().write(text)


def test_a_note_erases_the_progress_line_in_the_same_write() -> None:
    terminal = _RecordingTty()
    shown = Output(io.StringIO(), terminal)
    shown.progress("retrying: 0/10", force=True)
    shown.note("iox: POST /v1/flows/f/s/retry → 201 in 100 ms")
    shown.note("iox: second")
    assert terminal.writes == ["\r\x1b[Kretrying: 0/10",
                               "\r\x1b[Kiox: POST /v1/flows/f/s/retry → 201 in 100 ms\n", "iox: second\n"]


def test_a_request_log_line_keeps_the_progress_line_below_it_in_one_write() -> None:
    terminal = _RecordingTty()
    shown = Output(io.StringIO(), terminal)
    shown.note("iox: GET /v1/flows → 200 in 90 ms", keep_progress=True)  # no progress yet: just the line
    shown.progress("retrying: 0/10 \x1b", force=True)
    shown.note("iox: POST /v1/flows/f/s/retry → 201 in 100 ms", keep_progress=True)
    shown.progress("retrying: 1,000/10")  # drawn again just now: not redrawn within the interval
    shown.note("iox: POST /v1/flows/f/s/retry → 201 in 101 ms", keep_progress=True)
    shown.clear_progress()
    assert terminal.writes == ["iox: GET /v1/flows → 200 in 90 ms\n", "\r\x1b[Kretrying: 0/10 \\e",
                               "\r\x1b[Kiox: POST /v1/flows/f/s/retry → 201 in 100 ms\nretrying: 0/10 \\e",
                               "\r\x1b[Kiox: POST /v1/flows/f/s/retry → 201 in 101 ms\nretrying: 0/10 \\e",
                               "\r\x1b[K"]
