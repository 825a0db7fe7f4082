"""The one definition of unsafe text: what it covers, how each form shows it, and that nothing else drifts."""

from __future__ import annotations

import json

from textual.markup import to_content

from explorer import textsafe
from explorer.client.errors import error_from_response, excerpt
from explorer.commands.output import json_text, printable
from explorer.services.canonical import dump_text
from explorer.services.json_lines import printable as pane_printable
from explorer.tui.literal import one_line as label_line

HOSTILE = ("[bold]B[/bold]\x1b]52;c;SGk=\x07\x1b[31mR\x9b2J\u061c\u200e\u200f\u202a\u202e\u2066\u2069"
           "\u2028\x00\x7f\x85Z\\")
"""Markup, OSC 52, CSI, C1 CSI, every bidi control the issue names, a line separator, NUL, DEL, NEL."""

NAMED_BIDI = [0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)]


def _unsafe_left(text: str) -> list[str]:
    return [hex(ord(c)) for c in text if ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F or ord(c) in NAMED_BIDI]


def test_the_set_covers_c0_c1_and_every_named_bidi_control() -> None:
    for code in [*range(0x20), *range(0x7F, 0xA0), *NAMED_BIDI]:
        assert not textsafe.is_safe(chr(code)), hex(code)
    assert textsafe.is_safe("plain ASCII, ünïcödé, 日本語, emoji 🙂 and [brackets]")


def test_escape_is_visible_and_idempotent() -> None:
    shown = textsafe.escape(HOSTILE)
    assert _unsafe_left(shown) == []
    assert "\\e]52;c;SGk=\\x07\\e[31mR\\x9b2J\\u061c\\u200e" in shown
    assert textsafe.escape(shown) == shown
    assert textsafe.picture(shown) == shown


def test_picture_keeps_one_cell_per_character() -> None:
    shown = textsafe.picture(HOSTILE)
    assert len(shown) == len(HOSTILE) and _unsafe_left(shown) == []
    assert shown.startswith("[bold]B[/bold]␛]52;c;SGk=␇␛[31mR")


def test_escape_json_keeps_the_value() -> None:
    value = {"name": HOSTILE}
    text = textsafe.escape_json(json.dumps(value, ensure_ascii=False))
    assert _unsafe_left(text) == [] and json.loads(text) == value


def test_markup_escape_shows_tags_literally_in_textual_markup() -> None:
    for raw in ("[bold]x[/bold]", "[link=https://evil]y[/link]", "a\\[b]", "[$accent]z", "end\\", HOSTILE):
        assert to_content(textsafe.markup_escape(raw)).plain == textsafe.escape(raw)


def test_clip_keeps_a_few_lines_and_says_so() -> None:
    long = "\n".join(f"line {i} " + "x" * 300 for i in range(40))
    clipped = textsafe.clip(long, lines=4, width=100, more="(more)")
    assert clipped.count("\n") == 4 and clipped.endswith("(more)")
    assert all(len(line) <= 100 for line in clipped.splitlines())
    assert textsafe.clip("short", lines=4, more="(more)") == "short"


def test_every_former_copy_now_uses_the_one_set() -> None:
    # These five used to keep their own lists (U+061C passed all but the CLI's).
    assert _unsafe_left(printable(HOSTILE)) == []
    assert _unsafe_left(json_text({"n": HOSTILE}, indent=None)) == []
    assert _unsafe_left(dump_text({"n": HOSTILE}).replace("\n", "")) == []  # its own newlines are layout
    assert _unsafe_left(pane_printable(HOSTILE)) == [] and len(pane_printable(HOSTILE)) == len(HOSTILE)
    assert _unsafe_left(label_line(HOSTILE)) == []
    assert _unsafe_left(excerpt(HOSTILE)) == []


def test_api_error_text_is_inert() -> None:
    body = json.dumps({"errors": [{"code": "invalid", "message": HOSTILE}]}).encode()
    error = error_from_response(422, {}, body, "PUT", "/v1/imports/x", scrub=lambda s: s)
    assert _unsafe_left(str(error)) == [] and "\\u061c" in str(error)
    html = ("<html><body>" + HOSTILE + "</body></html>").encode()
    error = error_from_response(502, {}, html, "GET", "/v1/exports", scrub=lambda s: s)
    assert _unsafe_left(str(error)) == [] and _unsafe_left(error.excerpt) == []
