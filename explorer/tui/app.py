"""The Textual application: holds the client and the screens; all network I/O happens in workers."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual import work
from textual.app import App, ComposeResult
from textual.widgets import Footer, Header, Static

from explorer.client import ApiError, IntegratorClient

ClientFactory = Callable[[], IntegratorClient]


class ExplorerApp(App[None]):
    """The explorer. The data layer is handed in, so tests run the same app over any server."""

    TITLE = "integrator-explorer"

    def __init__(self, client_factory: ClientFactory, profile_label: str, read_only: bool = False) -> None:
        super().__init__()
        self._client_factory = client_factory
        self._client: IntegratorClient | None = None
        self.profile_label = profile_label
        self.read_only = read_only

    @property
    def client(self) -> IntegratorClient:
        """The API client, built on mount inside the app's event loop."""
        assert self._client is not None, "client used before mount"
        return self._client

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="status")
        yield Footer()

    def on_mount(self) -> None:
        self._client = self._client_factory()
        self.sub_title = self.profile_label + (" · READ-ONLY" if self.read_only else "")
        self.load_token_info()

    async def on_unmount(self) -> None:
        if self._client is not None:
            await self._client.aclose()

    @work(exclusive=True, group="token")
    async def load_token_info(self) -> None:
        """Ask the server who we are; a failure becomes a message, never a traceback."""
        status = self.query_one("#status", Static)
        status.update(Text("Connecting…"))
        try:
            info = await self.client.token_info()
        except ApiError as exc:
            status.update(Text(str(exc)))
            return
        status.update(Text(f"Signed in as user {info.user_id} · {info.describe()}"))
