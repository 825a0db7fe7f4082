"""The line at the top of the main screen: read-only or not, which account, with what scope, as whom.

Why one line and not Textual's Header: the user must see at a glance which account and which permissions
they are looking at, and a header clock would make snapshots change every second. Why it fits itself to the
width: at 120 columns the old line was cut after the user id, so neither the scope nor READ-ONLY showed.
The parts are laid out by priority — READ-ONLY (styled), profile and region, scope, user, server host —
and when they do not fit the least useful give way first (email, then the user id, then the host, then the
user); READ-ONLY and the scope are never dropped. The token panel (``t``) keeps the whole story.

Server text (user id, email) goes through :mod:`explorer.textsafe`; the line is ``Text``, never markup.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

from rich.cells import cell_len
from rich.text import Text
from textual.widget import Widget

from explorer import textsafe
from explorer.client.urls import region_of_base
from explorer.model import TokenInfo

SEPARATOR = " · "
READ_ONLY = " READ-ONLY "


def server_host(base_url: str) -> str:
    """``host[:port]`` of the API base URL (what the user would recognise), or ``no server``."""
    parts = urlsplit(base_url)
    return parts.netloc or base_url or "no server"


@dataclass(frozen=True)
class HeaderParts:
    """What the header may show, each part already shortened as far as the current attempt asks."""

    profile: str
    place: str
    """The region (``NA``) for a public host, else the host itself (a simulator or a proxy is no region)."""
    scope: str
    scope_style: str
    """Bold for a custom scope (it limits what the user sees), italic for a status such as ``connecting…``."""
    user: str = ""
    email: str = ""
    host: str = ""
    """The public host, shown last (the region already says it); empty for other servers."""

    def shorter(self) -> Iterator[HeaderParts]:
        """Ever shorter variants, in the order things give way: email, user id, host, user, profile."""
        steps: tuple[dict[str, str], ...] = (
            {"email": ""},
            {"user": _cut(self.user, 10)},
            {"host": ""},
            {"user": ""},
            {"profile": _cut(self.profile, 12)},
            {"place": _cut(self.place, 16)},
        )
        current = self
        for change in steps:
            current = replace(current, **change)
            yield current


def _cut(text: str, cells: int) -> str:
    return text if len(text) <= cells else text[: cells - 1] + textsafe.ELLIPSIS


def header_line(parts: HeaderParts, read_only: bool, width: int) -> Text:
    """The header for ``width`` cells: the first variant that fits, else the shortest one cut at the end."""
    line = _compose(parts, read_only)
    for variant in parts.shorter():
        if cell_len(line.plain) <= width:
            break
        line = _compose(variant, read_only)
    line.truncate(max(width, 0), overflow="ellipsis")
    return line


def _compose(parts: HeaderParts, read_only: bool) -> Text:
    text = Text(no_wrap=True, overflow="ellipsis", end="")
    if read_only:
        text.append(READ_ONLY, style="bold reverse")
        text.append(" ")
    text.append(parts.profile)
    text.append(SEPARATOR)
    text.append(parts.place, style="bold")
    text.append(SEPARATOR)
    text.append(parts.scope, style=parts.scope_style)
    if parts.user:
        text.append(SEPARATOR + "user " + parts.user)
        if parts.email:
            text.append(f" ({parts.email})")
    if parts.host:
        text.append(SEPARATOR + parts.host, style="dim")
    return text


class AccountHeader(Widget):
    """``READ-ONLY  prod · EU · custom: 3 exports · user 6571… · api.eu.integrator.io``, fitted."""

    DEFAULT_CSS = """
    AccountHeader {
        height: 1;
        width: 1fr;
        background: $panel;
        color: $foreground;
        padding: 0 1;
    }
    """

    def __init__(self, *, profile_name: str, base_url: str, read_only: bool, id: str | None = None) -> None:
        super().__init__(id=id)
        self.profile_name = profile_name
        self.base_url = base_url
        self.read_only = read_only
        self.token: TokenInfo | None = None
        self.status = "connecting…"

    def show_token(self, token: TokenInfo) -> None:
        """The token answered: show its user and scope."""
        self.token = token
        self.status = ""
        self.refresh()

    def show_status(self, status: str) -> None:
        """No token info (yet): show what is going on instead (``connecting…``, ``unauthorized``)."""
        self.token = None
        self.status = status
        self.refresh()

    def parts(self) -> HeaderParts:
        """Everything the header would show with room to spare."""
        region = region_of_base(self.base_url)
        host = server_host(self.base_url)
        profile = textsafe.one_line(self.profile_name)
        place = region.upper() if region else host
        public_host = host if region else ""
        token = self.token
        if token is None:
            return HeaderParts(profile, place, self.status, "italic", host=public_host)
        return HeaderParts(profile, place, token.describe(), "" if token.scope == "full" else "bold",
                           user=textsafe.one_line(token.user_id or "unknown user"),
                           email=textsafe.one_line(token.email or ""), host=public_host)

    def render_text(self, width: int | None = None) -> Text:
        """The header as ``Text`` for ``width`` cells (default: the widget's own; also used by tests)."""
        if width is None:
            width = self.content_region.width if self.is_mounted and self.content_region.width else 10_000
        return header_line(self.parts(), self.read_only, width)

    def render(self) -> Text:
        return self.render_text()
