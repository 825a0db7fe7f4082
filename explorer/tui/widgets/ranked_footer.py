"""The footer, with the screen's most used keys first.

Why: at 80 columns Textual's footer shows the keys in binding-chain order (the focused widget's first), so
on the main screen ``r Refresh`` led and ``? Help`` fell off the right edge. A screen lists its keys in the
order people reach for them (``FOOTER_ORDER``: action names); the others follow in Textual's order.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.widget import Widget
from textual.widgets import Footer
from textual.widgets._footer import FooterKey


def footer_rank(order: Sequence[str], keys: Sequence[Widget]) -> list[Widget]:
    """``keys`` with the actions named in ``order`` first, in that order; the rest keep their order."""
    position = {action: index for index, action in enumerate(order)}

    def rank(item: tuple[int, Widget]) -> tuple[int, int]:
        index, widget = item
        action = widget.action if isinstance(widget, FooterKey) else ""
        return (position.get(action, len(position)), index)

    return [widget for _, widget in sorted(enumerate(keys), key=rank)]


class RankedFooter(Footer):
    """A ``Footer`` that puts the keys named by the screen's ``FOOTER_ORDER`` first."""

    def compose(self) -> ComposeResult:
        keys = list(super().compose())
        order: Sequence[str] = getattr(self.screen, "FOOTER_ORDER", ())
        if order and all(isinstance(key, FooterKey) for key in keys):  # key groups: leave Textual's layout
            keys = footer_rank(order, keys)
        yield from keys
