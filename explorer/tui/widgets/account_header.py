"""The line at the top of the main screen: where we are connected, as whom, with what scope, read-only or not.

Why one line and not Textual's Header: the user must see at a glance which account and which permissions
they are looking at (NA or EU, full or custom scope, READ-ONLY), and a header clock would make snapshots
change every second. The text comes from the server (``_userId``), so it is built as ``Text``, never markup.
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from explorer.model import TokenInfo
from explorer.tui.literal import one_line


class AccountHeader(Static):
    """``iox · <profile> · NA · user <id> · full access    READ-ONLY`` (or a connecting/failed state)."""

    DEFAULT_CSS = """
    AccountHeader {
        height: 1;
        width: 1fr;
        background: $panel;
        color: $foreground;
        padding: 0 1;
    }
    """

    def __init__(self, *, profile_label: str, region_label: str, read_only: bool,
                 id: str | None = None) -> None:
        super().__init__(id=id, markup=False)
        self.profile_label = profile_label
        self.region_label = region_label
        self.read_only = read_only
        self.token: TokenInfo | None = None
        self.status = "connecting…"

    def on_mount(self) -> None:
        self.update(self.render_text(), layout=False)

    def show_token(self, token: TokenInfo) -> None:
        """The token answered: show its user and scope."""
        self.token = token
        self.status = ""
        self.update(self.render_text(), layout=False)

    def show_status(self, status: str) -> None:
        """No token info (yet): show what is going on instead (``connecting…``, ``unauthorized``)."""
        self.token = None
        self.status = status
        self.update(self.render_text(), layout=False)

    def render_text(self) -> Text:
        """The header as ``Text`` (also used by tests)."""
        text = Text(no_wrap=True, overflow="ellipsis", end="")
        text.append("iox", style="bold")
        text.append(" · " + one_line(self.profile_label, 30))
        text.append(" · ")
        text.append(one_line(self.region_label, 60), style="bold")
        if self.token is not None:
            user = self.token.user_id or "unknown user"
            text.append(" · user " + one_line(user, 40))
            if self.token.email:
                text.append(f" ({one_line(self.token.email, 40)})")
            text.append(" · ")
            scope_style = "" if self.token.scope == "full" else "bold"
            text.append(self.token.describe(), style=scope_style)
        elif self.status:
            text.append(" · " + self.status, style="italic")
        if self.read_only:
            text.append("  ")
            text.append(" READ-ONLY ", style="bold reverse")
        return text
