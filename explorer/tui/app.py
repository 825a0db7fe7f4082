"""The Textual application: builds the client and the shared context on mount, then shows the main screen.

Why it is small: the data layer is handed in (``client_factory``), so tests, the demo and a real account run
the same app; the screens do the work. The app only holds what every screen shares (``context``, ``client``,
``account``), the global keys, and the palette's jump.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import events, work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.command import Provider
from textual.driver import Driver
from textual.notifications import SeverityLevel
from textual.screen import Screen

from explorer.client import ClientFactory, IntegratorClient
from explorer.services.account import AccountService
from explorer.textsafe import clip, escape, markup_escape, one_line
from explorer.tui.context import AppContext
from explorer.tui.key_bursts import KeyBurst, bursting, deliver
from explorer.tui.screens.main import MainScreen
from explorer.tui.stop_waiting import STOP_HINT, stop_waiting, stoppable_wait
from explorer.tui.textual_fixes import unpin_closed_widgets
from explorer.tui.widgets.wait_status import WaitStatus

if TYPE_CHECKING:  # the profile picker's module is imported when `P` is pressed
    from explorer.tui.screens.profiles import ProfileChoiceLike, ProfileSwitcherLike

TOAST_LINES = 3
"""Lines of a toast at most; the rest is cut (the problems panel and the HTTP log hold it whole)."""
TOAST_WIDTH = 110
"""Characters of one toast line at most (the toast wraps them to its width)."""
TOAST_MORE = "… (cut: the problems panel or the HTTP log, l, has it all)"


def escape_lines(text: str) -> str:
    """``escape`` each line of ``text``: line breaks stay breaks, everything else unsafe is escaped."""
    return "\n".join(escape(line) for line in text.split("\n"))


def _explorer_commands() -> type[Provider]:
    """The palette's provider, imported when the palette first opens (Textual accepts a callable here)."""
    from explorer.tui.commands import ExplorerCommands

    return ExplorerCommands


class ExplorerApp(App[None]):
    """The explorer. Keys everywhere: ``q`` quit, ``?`` help, ``t`` token, ``l`` HTTP log, ``ctrl+p``."""

    TITLE = "integrator-explorer"
    CSS_PATH = str(Path(__file__).with_name("app.tcss"))  # absolute, so subclasses elsewhere find it
    COMMANDS = App.COMMANDS | {_explorer_commands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("question_mark", "help", "Help", id="app.help"),
        Binding("t", "token", "Token", id="app.token"),
        Binding("l", "http_log", "HTTP log", id="app.http_log"),
        Binding("P", "switch_profile", "Profile", id="app.switch_profile"),
        Binding("escape", "stop_waiting", "Stop waiting", show=False, priority=True, id="app.stop_waiting"),
    ]
    """``q`` quits, ``?`` lists every key, ``t`` shows the token's scope, ``l`` the HTTP log, ``P`` switches
    profile (when the app was started with a profile switcher); ``escape`` stops a slow request of the screen
    on top (only while the status line offers it: otherwise ``escape`` is the screen's own key)."""

    def __init__(self, client_factory: ClientFactory, profile_label: str, read_only: bool = False, *,
                 show_timings: bool = True, profile_switcher: ProfileSwitcherLike | None = None,
                 profile_name: str | None = None, keymap: Mapping[str, str] | None = None) -> None:
        super().__init__()
        unpin_closed_widgets()  # Textual kept every closed widget's rendered lines: see its module
        self.keymap: dict[str, str] = dict(keymap or {})
        """The user's ``[keymap]`` (binding id → keys), applied on mount; ``?`` shows the keys in effect."""
        self._client_factory = client_factory
        self._client: IntegratorClient | None = None
        self._account: AccountService | None = None
        self._profile_switcher = profile_switcher
        self.profile_name = profile_name or profile_label
        self.profile_label = profile_label
        self.read_only = read_only
        self._show_timings = show_timings
        self._session = self._new_context()

    def _new_context(self) -> AppContext:
        return AppContext(profile_label=self.profile_label, read_only=self.read_only,
                          show_timings=self._show_timings, profile_name=self.profile_name)

    # ----------------------------------------------------------------------------------------- shared state
    @property
    def context(self) -> AppContext:
        """Session facts every screen reads."""
        return self._session

    @property
    def client(self) -> IntegratorClient:
        """The API client, built on mount inside the app's event loop."""
        assert self._client is not None, "client used before mount"
        return self._client

    @property
    def account(self) -> AccountService:
        """The account loader (and its caches) shared by the tree, the palette and the token panel."""
        assert self._account is not None, "account used before mount"
        return self._account

    def on_mount(self) -> None:
        if self.keymap:
            self.set_keymap(self.keymap)
        self._start_session()
        # Pushed from the message queue, not here: a screen pushed in `on_mount` is mounted inside the app's
        # start-up batch (`App.batch_update`, which lasts until the pushed screen and its widgets are
        # mounted), so its first full frame, tree and all, was rendered and thrown away, and the tree reached
        # the terminal only with the next one, 15-25 ms later (a trace of `iox --demo`).
        self.call_later(self.push_screen, MainScreen())
        self.set_interval(0.5, self._show_waits)

    def _show_waits(self) -> None:
        """Tell the screen's status line what a slow request is waiting for (hidden under ~3 s).

        The screen's own slow request comes first, with "esc stops waiting"; another screen's is shown
        without it (``esc`` here would not stop it), except the account load under the main screen.
        """
        client = self._client
        text = hint = ""
        if client is not None:
            board, after = client.waits, client.timeouts.notice_after
            own = stoppable_wait(self.screen, board, after)
            if own is not None:
                text, hint = own.describe(board.clock()), STOP_HINT
            else:
                text = board.notice(after)
                screen = self.screen
                if text and isinstance(screen, MainScreen) and screen.resource_tree.root_loading:
                    hint = STOP_HINT
        for line in self.screen.query(WaitStatus):
            line.show_wait(text, hint)

    def _stoppable(self) -> bool:
        client = self._client
        return client is not None and stoppable_wait(self.screen, client.waits,
                                                     client.timeouts.notice_after) is not None

    def action_stop_waiting(self) -> None:
        """``escape`` while the screen's request is slow: stop waiting for it (see ``tui.stop_waiting``)."""
        client = self._client
        if client is None:
            return
        said = stop_waiting(self.screen, client.waits, client.timeouts.notice_after)
        if said is not None:
            for line in self.screen.query(WaitStatus):
                line.show_stopped(said)

    def _start_session(self) -> None:
        """Build the client and the account loader for the current profile; the root requests start now."""
        self._client = self._client_factory(on_request=self._session.requests.add)
        self._session.base_url = self._client.base_url
        self._account = AccountService(self._client)
        self._account.prefetch_root()  # the four root requests fly while the main screen is being built
        self.sub_title = one_line(self.profile_label) + (" · READ-ONLY" if self.read_only else "")

    async def _end_session(self) -> None:
        account, client = self._account, self._client
        self._account, self._client = None, None
        if account is not None:
            await account.aclose()
        if client is not None:
            await client.aclose()

    async def on_unmount(self) -> None:
        await self._end_session()

    # ----------------------------------------------------------------------------------------- typing
    def get_driver_class(self) -> type[Driver]:
        """Textual's driver for this platform, gathering fast typing into bursts (``key_bursts``)."""
        return bursting(super().get_driver_class())

    async def on_key_burst(self, burst: KeyBurst) -> None:
        """Keys typed in a row: one edit in an editable text area, else each key as it came."""
        await deliver(self, burst)

    async def on_event(self, event: events.Event) -> None:
        """Once the app is quitting, keys and clicks still queued behind ``q`` are dropped.

        Why: ``qt`` typed quickly used to quit *and* open the token screen, which then mounted into an
        app being torn down and printed a traceback on the way out.
        """
        if self.return_code is not None and isinstance(event, events.InputEvent):
            return
        await super().on_event(event)

    # ----------------------------------------------------------------------------------------- toasts
    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
               timeout: float | None = None, markup: bool = True) -> None:
        """Every toast of the app (``Widget.notify`` and ``Screen.notify`` land here): made inert and short.

        Messages often carry server text (an error's message, a name); whatever the caller did, unsafe
        characters are escaped (``explorer.textsafe``), and the toast keeps a few lines — the full text of a
        5 KB 422 is in the editor's problems panel and the HTTP log, not in a toast taller than the screen.
        """
        safe = escape_lines(message)
        shown = clip(safe, lines=TOAST_LINES, width=TOAST_WIDTH, more=TOAST_MORE)
        if markup and shown != message:
            shown = markup_escape(shown)  # what was cut or escaped may have split a tag: show it literally
        super().notify(shown, title=one_line(title, 60), severity=severity, timeout=timeout, markup=markup)

    # ----------------------------------------------------------------------------------------- profiles
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """``P`` exists only when there is something to switch between."""
        if action == "switch_profile":
            return self._profile_switcher is not None
        if action == "stop_waiting":
            return self._stoppable()  # otherwise escape goes on to the screen's own binding
        return True

    def action_switch_profile(self) -> None:
        """``P``: pick another profile; the account is reloaded on its client, nothing restarts."""
        from explorer.tui.screens.profiles import ProfilePicker

        switcher = self._profile_switcher
        if switcher is None:
            return
        try:
            names = switcher.names()
        except switcher.errors as error:  # a bad config file: its message names the file and the key
            self.notify(str(error), title="Profiles", severity="error", markup=False)
            return
        if not names:
            self.notify("No profiles yet: add one with `iox login`.", title="Profiles", markup=False)
            return
        self.push_screen(ProfilePicker(names, self.profile_name), self.switch_profile)

    def switch_profile(self, name: str | None) -> None:
        """Resolve ``name`` (errors shown, the current session kept) and move the whole app onto it."""
        if name is None or self._profile_switcher is None:
            return
        switcher = self._profile_switcher
        try:
            choice = switcher(name)
        except switcher.errors as error:  # unknown profile, missing token: the message is safe to show
            self.notify(str(error), title="Profile not switched", severity="error", markup=False)
            return
        self._switch_to(choice)

    @work(exclusive=True, group="profile-switch")
    async def _switch_to(self, choice: ProfileChoiceLike) -> None:
        await self._end_session()
        self._client_factory = choice.client_factory
        self.profile_name, self.profile_label, self.read_only = choice.name, choice.label, choice.read_only
        self._session = self._new_context()
        self._start_session()
        while len(self.screen_stack) > 1:
            await self.pop_screen()
        await self.push_screen(MainScreen())
        self.notify(f"Now on profile {choice.label}.", title="Profile", markup=False)

    # ----------------------------------------------------------------------------------------- actions
    def _showing(self, kind: type[Screen[Any]]) -> bool:
        return isinstance(self.screen, kind)

    # The secondary screens are imported when first opened: less to import before the first paint.
    def action_help(self) -> None:
        """``?``: every key."""
        from explorer.tui.screens.help import HelpScreen

        if not self._showing(HelpScreen):
            self.push_screen(HelpScreen())

    def action_token(self) -> None:
        """``t``: the token panel."""
        from explorer.tui.screens.token import TokenScreen

        if not self._showing(TokenScreen):
            self.push_screen(TokenScreen())

    def action_http_log(self) -> None:
        """``l``: the HTTP log."""
        from explorer.tui.screens.http_log import HttpLogScreen

        if not self._showing(HttpLogScreen):
            self.push_screen(HttpLogScreen())

    @property
    def main_screen(self) -> MainScreen | None:
        """The main screen, wherever it is in the stack."""
        return next((s for s in self.screen_stack if isinstance(s, MainScreen)), None)

    def open_errors(self, flow_id: str, step_id: str) -> None:
        """Open the triage screen of a step's errors (from the palette), over the main screen."""
        main = self.main_screen
        if main is not None:
            main.open_errors_screen(flow_id, step_id)

    def jump_to(self, key: str) -> None:
        """Show the tree item with ``key`` (``flow:<id>``, ``step:<flow>:<step>`` ...) on the main screen."""
        self._jump(key)

    @work(exclusive=True, group="palette-jump")
    async def _jump(self, key: str) -> None:
        main = self.main_screen
        if main is None:
            return
        while self.screen is not main and len(self.screen_stack) > 1:
            self.pop_screen()
        main.resource_tree.focus()
        if not await main.resource_tree.reveal(key):
            self.notify("That item is not in the tree (any more): press ctrl+r to reload.",
                        severity="warning")

    def palette_actions(self) -> list[tuple[str, str, Callable[[], object]]]:
        """The screen actions offered in the command palette."""
        actions: list[tuple[str, str, Callable[[], object]]] = [
            ("Token panel", "What this token may touch (t)", self.action_token),
            ("HTTP log", "Every request, with copy as curl (l)", self.action_http_log),
            ("Keys (help)", "Every key (?)", self.action_help),
        ]
        switcher = self._profile_switcher
        if switcher is not None:
            try:
                names = switcher.names()
            except switcher.errors:  # a bad config file is reported by `P`; the palette just offers nothing
                names = []
            actions += [(f"Switch profile: {name}", "Reload the account on this profile (P)",
                         lambda name=name: self.switch_profile(name))  # type: ignore[misc]
                        for name in names if name != self.profile_name]
        main = self.main_screen
        if main is not None:
            actions += [
                ("Reload all", "Load the whole account again (ctrl+r)", main.resource_tree.action_reload_all),
                ("Filter the tree", "Show only items matching a name or id (/)", main.action_filter),
                ("Zoom the JSON pane", "Give the JSON pane the whole width (z)", main.action_zoom),
            ]
        return actions
