"""The account header: safety facts first, fitted to the width, server text shown literally.

At 120 columns a scoped, read-only session used to lose both the scope and READ-ONLY off the right edge,
and the server was named twice. The layout is a pure function (``header_line``), tested at many widths; one
pilot run checks the widget re-fits itself on a resize.
"""

from __future__ import annotations

import pytest
from rich.cells import cell_len

from explorer.model import TokenInfo
from explorer.simulator import Simulator
from explorer.tui.widgets.account_header import AccountHeader, HeaderParts, header_line
from tests.helpers.browse_app import make_app, settle

SCOPED = HeaderParts("production-eu-ops", "EU", "custom: 3 exports, 2 imports", "bold",
                     user="6571a3c03ab4556bd87ba3e2", email="night-shift@example.com",
                     host="api.eu.integrator.io")


@pytest.mark.parametrize("width", [200, 120, 100, 80, 64])
def test_read_only_and_the_scope_survive_every_width_down_to_64(width: int) -> None:
    line = header_line(SCOPED, True, width)
    assert cell_len(line.plain) <= width
    assert line.plain.startswith(" READ-ONLY ")
    assert "custom: 3 exports, 2 imports" in line.plain
    assert line.plain.startswith(" READ-ONLY  production-") and " · EU · " in line.plain
    assert any(span.style == "bold reverse" for span in line.spans)  # READ-ONLY stands out


def test_what_gives_way_first_is_the_email_then_the_user_id_then_the_host_then_the_user() -> None:
    full = header_line(SCOPED, True, 500).plain
    assert full.endswith("user 6571a3c03ab4556bd87ba3e2 (night-shift@example.com) · api.eu.integrator.io")
    no_email = header_line(SCOPED, True, len(full) - 1).plain
    assert "night-shift" not in no_email and "6571a3c03ab4556bd87ba3e2" in no_email
    short_user = header_line(SCOPED, True, len(no_email) - 1).plain
    assert "user 6571a3c03…" in short_user and short_user.endswith("api.eu.integrator.io")
    no_host = header_line(SCOPED, True, len(short_user) - 1).plain
    assert no_host.endswith("user 6571a3c03…")
    no_user = header_line(SCOPED, True, len(no_host) - 1).plain
    assert "user" not in no_user and no_user.endswith("custom: 3 exports, 2 imports")


def test_the_server_is_named_once_and_server_text_is_shown_literally() -> None:
    header = AccountHeader(profile_name="env", base_url="http://127.0.0.1:8792/v1/", read_only=False)
    header.token = TokenInfo(user_id="u\x1b]52;c;aGk=\x07", scope="full", email="[bold]x[/]")
    line = header.render_text(200).plain
    assert line.count("127.0.0.1:8792") == 1
    assert "\x1b" not in line and "\x07" not in line and "u\\e]52;c;aGk=\\x07" in line
    assert "([bold]x[/])" in line  # literal, not markup
    public = AccountHeader(profile_name="prod", base_url="https://api.eu.integrator.io/v1/", read_only=False)
    assert public.render_text(200).plain == "prod · EU · connecting… · api.eu.integrator.io"


async def test_the_header_refits_on_resize_and_keeps_the_scope_and_read_only() -> None:
    app = make_app(Simulator(seed=0, time_scale=0), "scoped", read_only=True)
    async with app.run_test(size=(200, 30)) as pilot:
        await settle(pilot)
        header = app.screen.query_one(AccountHeader)
        wide = header.render_text().plain
        assert "user 6571a3c03ab4556bd87ba3e2" in wide and wide.endswith("api.integrator.io")
        for width in (120, 100, 80):
            await pilot.resize_terminal(width, 30)
            await pilot.pause()
            shown = header.render_text().plain
            expected = " READ-ONLY  test · NA · custom: 2 connections, 2 exports, 1 import"
            assert shown.startswith(expected), (width, shown)
            assert cell_len(shown) <= width - 2  # the padding
