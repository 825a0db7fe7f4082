"""The one definition of unsafe text, and how it is shown on a screen or stdout.

Why one module: names, messages, error bodies and headers come from the server (or a proxy in front of
it) and may hold characters a terminal acts on instead of showing: C0 controls (ESC starts a sequence that
can recolour, move the cursor or set the clipboard: ``\\x1b]52;``), DEL, C1 controls (U+009B is a CSI on
some terminals), and the invisible characters that reorder or split a line (bidi marks, embeddings,
overrides and isolates, line and paragraph separators, zero-width characters, the BOM). Five modules used
to keep their own lists and they drifted apart (U+061C reached the terminal raw). Every path from outside
text to a terminal goes through this module; nothing here imports Textual or Rich.

Three ways to show such text, all built on :data:`UNSAFE`:

* :func:`escape` — a visible escape per character (``\\e``, ``\\n``, ``\\x07``, ``\\u061c``): for
  messages, the CLI and notifications, where being able to tell *which* character was there matters;
* :func:`picture` — one visible stand-in per character (``␛`` for ESC, ``�`` for a bidi control), so columns
  stay aligned with the original text: for panes that search or place a cursor in the text;
* :func:`escape_json` — ``\\uXXXX`` inside JSON text (still the same JSON value).

:func:`markup_escape` additionally makes text safe to embed in Rich/Textual content markup, and :func:`clip`
keeps a message to a few lines (a 5 KB server message must not become a toast taller than the screen).
All functions are idempotent: their output holds no unsafe character, so applying one twice changes nothing.
"""

from __future__ import annotations

import re

__all__ = [
    "UNSAFE",
    "UNSAFE_RANGES",
    "clip",
    "escape",
    "escape_json",
    "is_safe",
    "markup_escape",
    "one_line",
    "picture",
]

UNSAFE_RANGES: tuple[tuple[int, int], ...] = (
    (0x0000, 0x001F),  # C0 controls (ESC, BEL, backspace, CR, LF, tab...)
    (0x007F, 0x009F),  # DEL and the C1 controls (CSI U+009B, OSC U+009D, NEL U+0085)
    (0x061C, 0x061C),  # Arabic letter mark (a bidi control)
    (0x180E, 0x180E),  # Mongolian vowel separator (zero width)
    (0x200B, 0x200F),  # zero-width space/non-joiner/joiner, left-to-right and right-to-left marks
    (0x2028, 0x202E),  # line and paragraph separators; bidi embeddings and overrides
    (0x2060, 0x2069),  # word joiner, invisible operators; bidi isolates
    (0xFEFF, 0xFEFF),  # byte order mark / zero-width no-break space
    (0xFFF9, 0xFFFB),  # interlinear annotation controls
)
"""Inclusive code point ranges a terminal would act on or that would disguise what is shown."""

UNSAFE: re.Pattern[str] = re.compile(
    "[" + "".join(f"\\u{a:04x}-\\u{b:04x}" if a != b else f"\\u{a:04x}" for a, b in UNSAFE_RANGES) + "]"
)
"""Matches one unsafe character."""

_UNSAFE_BEYOND_C0 = re.compile(
    "[" + "".join(f"\\u{a:04x}-\\u{b:04x}" if a != b else f"\\u{a:04x}" for a, b in UNSAFE_RANGES[1:]) + "]"
)

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\x1b": "\\e"}

_PICTURES: dict[int, str] = {c: "\ufffd" for a, b in UNSAFE_RANGES for c in range(a, b + 1)}
_PICTURES.update({c: chr(0x2400 + c) for c in range(0x20)})  # C0 → control pictures (␛ for ESC, ␊ for LF)
_PICTURES.update({0x09: " ", 0x7F: "\u2421"})  # a tab is layout; DEL → ␡

ELLIPSIS = "…"


def is_safe(text: str) -> bool:
    """True when ``text`` holds no character of :data:`UNSAFE`."""
    return UNSAFE.search(text) is None


def _escape_one(match: re.Match[str]) -> str:
    char = match.group(0)
    named = _NAMED.get(char)
    if named is not None:
        return named
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def escape(text: object) -> str:
    """``text`` with every unsafe character written as a visible escape (``\\e``, ``\\n``, ``\\u202e``)."""
    value = str(text)
    return value if UNSAFE.search(value) is None else UNSAFE.sub(_escape_one, value)


def picture(text: str) -> str:
    """``text`` with every unsafe character replaced one for one by a visible stand-in (``␛``, ``␊``, ``�``).

    One for one keeps columns aligned with the original, so search hits and cursors land on the right cell.
    """
    return text if UNSAFE.search(text) is None else text.translate(_PICTURES)


def one_line(text: object, limit: int = 0) -> str:
    """:func:`escape` on one line, cut to ``limit`` characters (ending in ``…``) when ``limit`` is given."""
    shown = escape(text)
    if limit and len(shown) > limit:
        return shown[: max(limit - 1, 0)] + ELLIPSIS
    return shown


def _json_escape_one(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group(0)):04x}"


def escape_json(text: str) -> str:
    """JSON text (from ``json.dumps(..., ensure_ascii=False)``) with unsafe characters as ``\\uXXXX``.

    ``json.dumps`` escapes C0 inside strings and writes only ASCII outside them, so every other unsafe
    character is inside a string, where ``\\uXXXX`` means the same character: the JSON value is unchanged.
    """
    return text if _UNSAFE_BEYOND_C0.search(text) is None else _UNSAFE_BEYOND_C0.sub(_json_escape_one, text)


def markup_escape(text: object) -> str:
    """:func:`escape`, then made literal for Textual content markup (``[bold]`` shows as typed).

    Textual's markup reads every ``[`` not preceded by a backslash as the start of a tag, and turns ``\\[``
    in text back into ``[``; so a backslash before every ``[`` keeps the text exactly as it was.
    """
    return escape(text).replace("[", "\\[")


def clip(text: str, *, lines: int = 4, width: int = 100, more: str = "") -> str:
    """At most ``lines`` lines of at most ``width`` characters; ``more`` is appended when anything was cut.

    Newlines are kept as line breaks (the caller escapes the text first or after: escaping turns them into
    ``\\n``). Long lines are cut rather than wrapped so the line count is what the caller asked for.
    """
    kept: list[str] = []
    cut = False
    for index, line in enumerate(text.splitlines() or [""]):
        if index >= lines:
            cut = True
            break
        if len(line) > width:
            line = line[: width - 1] + ELLIPSIS
            cut = True
        kept.append(line)
    result = "\n".join(kept)
    if cut and more:
        result += "\n" + more
    return result
