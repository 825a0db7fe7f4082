"""Server text made safe to show: never parsed as markup, never able to act on the terminal.

Why: integration names, error messages and headers come from the server and may contain ``[bold]``, ``[/]``
or an escape sequence (the demo account has both). Rich ``Text`` objects built here are not markup, and
characters a terminal would act on (C0/C1 controls such as ESC, DEL, bidi overrides, line separators) are
replaced one for one by visible stand-ins (``␛`` for ESC): ``explorer.textsafe`` defines which, for every
path to the terminal.
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text

from explorer.textsafe import picture as printable

__all__ = ["literal", "one_line", "printable", "safe_text"]


def one_line(text: str, limit: int = 0) -> str:
    """``printable`` on one line (newlines shown as ``␊``), cut to ``limit`` characters when given."""
    shown = printable(text)
    if limit and len(shown) > limit:
        return shown[: max(limit - 1, 0)] + "…"
    return shown


def literal(text: str, style: str | Style = "") -> Text:
    """A Rich ``Text`` holding ``text`` exactly as received (no markup, no emoji codes, controls replaced)."""
    return Text(printable(text), style=style, no_wrap=False, end="")


def safe_text(value: str | Text) -> Text:
    """``value`` as a ``Text`` fit for a dialog: a str is taken literally, a ``Text`` keeps its styles.

    Either way every unsafe character is replaced one for one (so a ``Text``'s spans still line up).
    """
    if isinstance(value, str):
        return Text(printable(value))
    shown = printable(value.plain)
    if shown == value.plain:
        return value
    copy = value.copy()
    copy.plain = shown
    return copy
