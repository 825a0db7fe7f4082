"""Server text made safe to show: never parsed as markup, never able to act on the terminal.

Why: integration names, error messages and headers come from the server and may contain ``[bold]``, ``[/]``
or an escape sequence (the demo account has both). Rich ``Text`` objects built here are not markup, and
characters a terminal would act on (C0/C1 controls such as ESC, DEL, bidi overrides, line separators) are
replaced one for one by visible stand-ins (``␛`` for ESC), so the text keeps its length and meaning.
"""

from __future__ import annotations

import re

from rich.style import Style
from rich.text import Text

_UNSAFE_RANGES = ((0x00, 0x1F), (0x7F, 0x9F), (0x200B, 0x200F), (0x2028, 0x202E), (0x2060, 0x2069))
_UNSAFE = re.compile("[" + "".join(f"\\u{a:04x}-\\u{b:04x}" for a, b in _UNSAFE_RANGES) + "\ufeff]")
_TABLE: dict[int, str] = {c: "\ufffd" for a, b in _UNSAFE_RANGES for c in range(a, b + 1)}
_TABLE.update({c: chr(0x2400 + c) for c in range(0x20)})  # C0 → control pictures (␛ for ESC)
_TABLE.update({0x09: " ", 0x7F: "\u2421", 0xFEFF: "\ufffd"})


def printable(text: str) -> str:
    """``text`` with every terminal-active character replaced by a visible stand-in (same length)."""
    return text if _UNSAFE.search(text) is None else text.translate(_TABLE)


def one_line(text: str, limit: int = 0) -> str:
    """``printable`` on one line (newlines shown as ``␊``), cut to ``limit`` characters when given."""
    shown = printable(text)
    if limit and len(shown) > limit:
        return shown[: max(limit - 1, 0)] + "…"
    return shown


def literal(text: str, style: str | Style = "") -> Text:
    """A Rich ``Text`` holding ``text`` exactly as received (no markup, no emoji codes, controls replaced)."""
    return Text(printable(text), style=style, no_wrap=False, end="")
