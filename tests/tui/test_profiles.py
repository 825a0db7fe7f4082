"""`P` switches profile without restarting: the account is reloaded on the new profile's client."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from explorer.client import IntegratorClient, RequestRecord
from explorer.simulator import DEMO_TOKENS, Simulator, SimulatorTransport
from explorer.tui.app import ExplorerApp
from explorer.tui.screens.profiles import ProfilePicker
from tests.helpers.browse_app import settle
from tests.helpers.toasts import toasts


@dataclass
class Choice:
    name: str
    label: str
    read_only: bool
    client_factory: Callable[..., Any]


class FakeSwitcher:
    """Two "profiles" over one simulator: the full token and the connection-less one."""

    errors: tuple[type[Exception], ...] = (LookupError,)

    def __init__(self, sim: Simulator) -> None:
        self.sim = sim
        self.asked: list[str | None] = []

    def names(self) -> list[str]:
        return ["full", "noconn", "missing"]

    def __call__(self, name: str | None) -> Choice:
        self.asked.append(name)
        if name == "missing":
            raise LookupError("profile 'missing' has no token (set IOX_TOKEN or run iox login)")
        token = DEMO_TOKENS[name or "full"]

        def factory(on_request: Callable[[RequestRecord], None] | None = None) -> IntegratorClient:
            return IntegratorClient(token, transport=SimulatorTransport(self.sim), max_retries=0,
                                    on_request=on_request, read_only=name == "noconn")

        return Choice(name or "full", f"{name} (NA)", name == "noconn", factory)


def _app(switcher: FakeSwitcher) -> ExplorerApp:
    first = switcher("full")
    return ExplorerApp(client_factory=first.client_factory, profile_label=first.label,
                       profile_switcher=switcher, profile_name="full")


async def test_switching_profile_reloads_the_account_on_the_new_token() -> None:
    sim = Simulator(seed=0, time_scale=0)
    switcher = FakeSwitcher(sim)
    app = _app(switcher)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        old_client = app.client
        await pilot.press("P")
        await pilot.pause()
        assert isinstance(app.screen, ProfilePicker)
        await pilot.press("down", "enter")  # "noconn"
        await settle(pilot)
        assert switcher.asked[-1] == "noconn"
        assert app.client is not old_client
        assert app.read_only is True and app.context.read_only is True
        assert app.profile_name == "noconn"
        assert app.main_screen is not None and app.screen_stack[-1] is app.main_screen
        # The new session's requests carry the new token: the simulator saw it.
        assert app.context.requests.total > 0


async def test_a_profile_that_cannot_be_resolved_keeps_the_current_session() -> None:
    sim = Simulator(seed=0, time_scale=0)
    switcher = FakeSwitcher(sim)
    app = _app(switcher)
    async with app.run_test(size=(100, 32), notifications=True) as pilot:
        await settle(pilot)
        client = app.client
        app.switch_profile("missing")
        await settle(pilot)
        assert app.client is client
        assert app.profile_name == "full"
        assert any("has no token" in text for text in toasts(app))


async def test_without_a_switcher_p_does_nothing() -> None:
    sim = Simulator(seed=0, time_scale=0)
    factory = FakeSwitcher(sim)("full").client_factory
    app = ExplorerApp(client_factory=factory, profile_label="x")
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        await pilot.press("P")
        await pilot.pause()
        assert not isinstance(app.screen, ProfilePicker)
