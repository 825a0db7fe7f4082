"""The token panel (``t``): the raw ``tokenInfo`` JSON and, in words, what the token may touch.

Why: a custom-scoped token explains every locked node, but its ``tokenInfo`` body is undocumented and terse;
the panel says in plain words which connections, exports and imports it reaches (by name when the lists are
loaded) and what happens with everything else. The token itself is never shown — only what the server said
about it.
"""

from __future__ import annotations

from typing import ClassVar, cast

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from explorer.model import TokenInfo
from explorer.services.account import AccountService
from explorer.tui.context import AppContext, ExplorerHost
from explorer.tui.literal import one_line
from explorer.tui.widgets.json_view import JsonView
from explorer.tui.widgets.wait_status import WaitStatus


class TokenScreen(Screen[None]):
    """``esc`` closes; the JSON pane keeps its own keys (``/`` search, ``c`` copy)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Back", id="token.back"),
        Binding("t", "app.pop_screen", "Close", show=False, id="token.close"),
    ]

    DEFAULT_CSS = """
    TokenScreen {
        #token-title { height: 1; background: $panel; padding: 0 1; }
        #token-words { width: 1fr; padding: 0 1; }
        #token-json { width: 1fr; border-left: vkey $panel-lighten-2; }
    }
    """

    def compose(self) -> ComposeResult:
        host = cast(ExplorerHost, self.app)
        context = host.context
        title = Text(no_wrap=True, overflow="ellipsis", end="")
        title.append("API token", style="bold")
        title.append(" · GET /v1/tokenInfo · the token itself is never shown", style="dim")
        yield Static(title, id="token-title", markup=False)
        with Horizontal():
            with VerticalScroll(id="token-words-scroll"):
                yield Static(token_words(context, host.account), id="token-words", markup=False)
            yield JsonView(id="token-json")
        yield Footer(compact=True)
        yield WaitStatus()

    def on_mount(self) -> None:
        context = cast(ExplorerHost, self.app).context
        view = self.query_one("#token-json", JsonView)
        if context.token is not None:
            view.load(context.token.raw)
        else:
            view.load({"tokenInfo": None, "note": "tokenInfo has not answered (yet)"})
        view.focus()


def _names(ids: tuple[str, ...], known: dict[str, str]) -> list[str]:
    return [f"{one_line(known[i], 40)} ({i})" if i in known else i for i in ids]


def token_words(context: AppContext, service: AccountService) -> Text:
    """What the token may touch, in words, naming resources when the lists are loaded."""
    text = Text(end="")
    token: TokenInfo | None = context.token
    text.append("Where\n", style="bold")
    text.append(f"  {one_line(context.region_label, 60)} · profile {one_line(context.profile_label, 30)}\n")
    if context.read_only:
        text.append("  READ-ONLY session: iox sends no PUT, POST or DELETE.\n")
    text.append("\n")
    if token is None:
        text.append("tokenInfo has not answered; the token may be invalid (see the main screen).\n")
        return text
    text.append("Who\n", style="bold")
    text.append(f"  user {one_line(token.user_id or 'unknown', 40)}")
    if token.email:
        text.append(f" ({one_line(token.email, 60)})")
    text.append("\n\nScope\n", style="bold")
    if token.scope == "full":
        text.append("  Full access: every integration, flow, export, import and connection of the account, "
                    "including changes (unless this session is read-only).\n")
        return text
    if token.scope == "unknown":
        text.append("  Unknown: tokenInfo did not say. Anything the token may not read shows as locked "
                    "(the server answers 403).\n")
        return text
    catalog = service.catalog_loaded
    root = service.root
    exports = {k: v.name for k, v in catalog.exports.items()} if catalog else {}
    imports = {k: v.name for k, v in catalog.imports.items()} if catalog else {}
    connections = {c.id: c.name for c in root.connections} if root else {}
    text.append(f"  Custom scope: {token.describe().removeprefix('custom: ')}.\n\n")
    for label, ids, known in (("Connections", token.connection_ids, connections),
                              ("Exports", token.export_ids, exports),
                              ("Imports", token.import_ids, imports),
                              ("APIs", token.api_ids, {})):
        if ids is None:
            text.append(f"  {label}: none granted\n")
        elif not ids:
            text.append(f"  {label}: none\n")
        else:
            text.append(f"  {label} ({len(ids)}):\n")
            for name in _names(ids, known):
                text.append(f"    • {name}\n")
    text.append("\n  Flows and integrations are visible when their steps are in these lists; everything else "
                "is left out of the lists or answers 403, and shows as locked (⊘).\n")
    return text
