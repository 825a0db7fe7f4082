"""How ``iox`` with no command starts the explorer: which profile, which label, read-only, and refusals."""

from __future__ import annotations

import io
import sys
from pathlib import Path
from typing import Any

import pytest

from explorer.cli import SessionClientBuilder, demo_session, main
from explorer.commands.session import ProfileSwitcher
from explorer.simulator import DEMO_TOKENS, Simulator, SimulatorTransport
from explorer.tui.app import ExplorerApp
from tests.helpers.cli import isolate
from tests.helpers.waiting import until

Cap = pytest.CaptureFixture[str]


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    isolate(tmp_path, monkeypatch)


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[ExplorerApp]:
    """Apps ``main`` would have run (``run`` is replaced: no terminal in unit tests)."""
    apps: list[ExplorerApp] = []

    def fake_run(self: ExplorerApp, *args: Any, **kwargs: Any) -> None:
        apps.append(self)

    monkeypatch.setattr(ExplorerApp, "run", fake_run)
    return apps


def test_demo_starts_the_app_on_the_demo_account(started: list[ExplorerApp]) -> None:
    assert main(["--demo", "--read-only"]) == 0
    (app,) = started
    assert (app.profile_label, app.read_only) == ("demo (NA)", True)
    assert main(["--demo", "--demo-token", "eu"]) == 0
    assert (started[1].profile_label, started[1].read_only) == ("demo-eu (EU)", False)


def test_the_default_profile_or_the_named_one_is_used(started: list[ExplorerApp], capsys: Cap) -> None:
    transport = SimulatorTransport(Simulator(seed=0))
    for name, token in (("prod", DEMO_TOKENS["full"]), ("ops", DEMO_TOKENS["eu"])):
        sys.stdin = io.StringIO(token)
        assert main(["login", "--profile", name, "--token-stdin"], transport=transport) == 0
    capsys.readouterr()
    assert main([], transport=transport) == 0
    assert started[-1].profile_label == "prod (NA)"
    assert main(["--profile", "ops", "--read-only"], transport=transport) == 0
    assert (started[-1].profile_label, started[-1].read_only) == ("ops (EU)", True)


def test_no_account_does_not_start_the_app(started: list[ExplorerApp], capsys: Cap) -> None:
    assert main([]) == 3
    assert started == [] and "iox --demo" in capsys.readouterr().err
    assert main(["--profile", "nope"]) == 2  # naming a profile that does not exist is a usage error


async def test_the_switcher_factory_feeds_the_apps_http_log() -> None:
    switcher = ProfileSwitcher.for_demo(["full", "scoped"], lambda name: demo_session(name, False),
                                        SessionClientBuilder(demo=True))
    choice = switcher("scoped")
    app = ExplorerApp(client_factory=choice.client_factory, profile_label=choice.label,
                      read_only=choice.read_only, show_timings=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: any(record.path == "/v1/tokenInfo" for record in app.context.requests))
        assert app.context.base_url == "https://api.integrator.io/v1/"


def test_the_tui_lifts_textuals_frame_cap_unless_the_user_set_one(monkeypatch: pytest.MonkeyPatch) -> None:
    """A key handled right after a frame waited for the frame timer's next slot but one (18-20 ms at 120
    frames a second, while 100,000 errors streamed): the TUI sets ``TEXTUAL_FPS`` high before Textual reads
    it; a value the user set is kept."""
    from explorer.cli import TUI_MAX_FPS

    seen: list[str | None] = []

    def fake_run(self: ExplorerApp, *args: Any, **kwargs: Any) -> None:
        import os

        seen.append(os.environ.get("TEXTUAL_FPS"))

    monkeypatch.setattr(ExplorerApp, "run", fake_run)
    monkeypatch.setenv("TEXTUAL_FPS", "")  # records the variable's state before, to be restored after
    monkeypatch.delenv("TEXTUAL_FPS")
    assert main(["--demo"]) == 0
    assert seen == [str(TUI_MAX_FPS)] and TUI_MAX_FPS >= 500  # a slot of 2 ms or less
    monkeypatch.setenv("TEXTUAL_FPS", "30")
    assert main(["--demo"]) == 0
    assert seen[-1] == "30"
