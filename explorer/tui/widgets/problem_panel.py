"""A full-pane explanation shown instead of the tree when the account cannot be loaded at all.

Why a panel and not a notification: a 401 at start (expired or revoked token, or an NA token used against the
EU host) leaves nothing to browse, and a toast that fades away would leave an empty screen. The panel says
what happened, the likely causes in words, and what to do (``r`` retry, ``l`` HTTP log, ``q`` quit).
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Static

from explorer.client import ApiError, Forbidden, TransportError, Unauthorized
from explorer.tui.literal import printable


class ProblemPanel(Static, can_focus=True):
    """Explains a failed start; ``r`` asks the screen to try again (posts ``RetryRequested``)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "retry", "Retry", id="problem.retry"),
    ]

    DEFAULT_CSS = """
    ProblemPanel {
        width: 1fr;
        height: 1fr;
        padding: 0 1;
        background: $surface;
        border: tall $error;
        overflow-y: auto;
    }
    """

    class RetryRequested(Message):
        """The user pressed ``r`` on the panel."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, markup=False)

    def action_retry(self) -> None:
        """``r``: try loading the account again."""
        self.post_message(self.RetryRequested())

    def show_error(self, error: ApiError, *, where: str, profile: str,
                   region_hint: str | None = None) -> None:
        """Explain ``error`` (which happened while talking to ``where`` with ``profile``); ``region_hint`` is
        what asking the other regions found, once known."""
        self.update(problem_text(error, where=where, profile=profile, region_hint=region_hint))


def problem_text(error: ApiError, *, where: str, profile: str, region_hint: str | None = None) -> Text:
    """The explanation as ``Text``: a headline, likely causes, the server's own words, and what to do."""
    text = Text(end="")
    if isinstance(error, Unauthorized):
        text.append("The server refused the API token (HTTP 401).\n\n", style="bold")
        if region_hint:
            text.append("Other regions: ", style="bold")
            text.append(printable(region_hint) + ".\n\n")
        text.append("Likely causes:\n")
        text.append(" • the token expired, was revoked, or was copied incompletely;\n")
        text.append(" • the token belongs to another region: integrator.io has four (NA api.integrator.io, "
                    "EU api.eu.integrator.io, AU api.au.integrator.io, CA api.ca.integrator.io) and a "
                    "token never works outside its own.\n\n")
        text.append("What to do: in integrator.io open Resources → API tokens, check that the token is "
                    "active and copy it again, and check the profile's region; then press r to try again.\n")
    elif isinstance(error, Forbidden):
        text.append("The token may not read this account (HTTP 403).\n\n", style="bold")
        text.append("The token is valid but its scope does not include tokenInfo. Ask an administrator "
                    "for a token with a wider scope, then press r to try again.\n")
    elif isinstance(error, TransportError):
        text.append("No usable answer from the server.\n\n", style="bold")
        text.append("Check the network, a proxy, or the profile's base URL; then press r to try again.\n")
    else:
        status = f"HTTP {error.status}" if error.status is not None else "no response"
        text.append(f"The account could not be loaded ({status}).\n\n", style="bold")
        text.append("This is usually temporary on the server's side: press r to try again.\n")
    text.append("\nServer said: ", style="bold")
    text.append(printable(error.message))
    text.append("\nRequest: ", style="bold")
    text.append(printable(" ".join(p for p in (error.method, error.path) if p) or "—"))
    text.append("\nConnected to: ", style="bold")
    text.append(printable(where))
    text.append("   Profile: ", style="bold")
    text.append(printable(profile))
    text.append("\n\nKeys: r retry · l HTTP log · t token panel · q quit", style="italic")
    return text
