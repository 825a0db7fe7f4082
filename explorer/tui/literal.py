"""Server text made safe to show: never parsed as markup, never able to act on the terminal.

Why: integration names, error messages and headers come from the server and may contain ``[bold]``, ``[/]``
or an escape sequence (the demo account has both). Rich ``Text`` objects built here are not markup, and
characters a terminal would act on (C0/C1 controls such as ESC, DEL, bidi overrides, line separators) are
replaced one for one by visible stand-ins (``␛`` for ESC) — the same ``printable`` the JSON pane uses.
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text

from explorer.services.json_lines import printable

__all__ = ["literal", "one_line", "printable"]


def one_line(text: str, limit: int = 0) -> str:
    """``printable`` on one line (newlines shown as ``␊``), cut to ``limit`` characters when given."""
    shown = printable(text)
    if limit and len(shown) > limit:
        return shown[: max(limit - 1, 0)] + "…"
    return shown


def literal(text: str, style: str | Style = "") -> Text:
    """A Rich ``Text`` holding ``text`` exactly as received (no markup, no emoji codes, controls replaced)."""
    return Text(printable(text), style=style, no_wrap=False, end="")
