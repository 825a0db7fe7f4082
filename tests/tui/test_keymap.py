"""A user keymap (``[keymap]`` in the config: binding id → keys) remaps keys, and ``?`` shows the keys in
effect with the id to remap each one by."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Static

from explorer.config import ConfigError, load_config
from explorer.simulator import Simulator
from explorer.tui.screens.help import HelpScreen
from tests.helpers.browse_app import make_app, settle


async def test_a_keymap_entry_moves_a_key_and_help_shows_the_new_one() -> None:
    app = make_app(Simulator(seed=0, time_scale=0),
                   keymap={"main.zoom": "Z", "app.token": "ctrl+t", "main.zoooom": "x", "choice.cancel": "q"})
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        main = app.main_screen
        assert main is not None
        await pilot.press("z")  # the default key no longer zooms
        await pilot.pause()
        assert not main.has_class("-zoomed")
        await pilot.press("Z")
        await pilot.pause()
        assert main.has_class("-zoomed")
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        content = app.screen.query_one("#help-text", Static).render()
        lines = str(content).splitlines()
        zoom = next(line for line in lines if "Give the JSON pane the whole width" in line)
        assert zoom.split()[0] == "Z" and zoom.endswith("  main.zoom")
        token = next(line for line in lines if line.rstrip().endswith("  app.token"))
        assert token.split()[0] == "^t"
        warning = str(app.screen.query_one("#help-keymap-unknown", Static).render())
        assert warning.strip() == "[keymap] names ids no key has (ignored): main.zoooom"  # not choice.cancel


def test_the_keymap_table_is_read_and_checked(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[keymap]\n"main.edit" = "ctrl+e, f4"\n', encoding="utf-8")
    assert load_config(path).keymap == {"main.edit": "ctrl+e,f4"}
    path.write_text('[keymap]\n"main.edit" = 5\n', encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert "keymap.main.edit" in str(error.value)
