"""The main screen's footer: the most used keys first, and nothing from under the palette key shows at the
right edge (at 80 columns the overflowing keys used to leak a stale "P" into the last cell)."""

from __future__ import annotations

import pytest
from textual.pilot import Pilot
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from explorer.simulator import Simulator
from explorer.tui.screens.errors import ErrorsScreen
from explorer.tui.widgets.ranked_footer import RankedFooter, footer_rank
from tests.helpers.browse_app import make_app, settle
from tests.helpers.errors_app import SHOPIFY, ErrorsHost, step_screen, wait_for


async def test_the_footer_leads_with_the_most_used_keys_and_the_palette_key_owns_the_last_cell() -> None:
    app = make_app(Simulator(seed=0, time_scale=0))
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        for width in (80, 100, 120, 80):
            await pilot.resize_terminal(width, 30)
            await settle(pilot)
            footer = app.screen.query_one(Footer)
            actions = [action for action in shown_actions(footer) if action != "command_palette"]
            assert actions[:5] == ["edit", "errors_or_external", "filter", "help", "quit"]  # tree focused
            palette = footer.query_one(".-command-palette", FooterKey)
            assert palette.region.right == width
            widget, _ = app.screen.get_widget_at(width - 1, 29)
            assert widget is palette


def shown_actions(footer: Footer) -> list[str]:
    """The actions of the footer's keys on screen (a key widget may be built and hidden), in their order."""
    return [key.action for key in footer.query(FooterKey) if key.display]


def test_footer_rank_keeps_the_unlisted_keys_in_their_order() -> None:
    keys = [FooterKey(k, k, k, action) for k, action in (("r", "refresh"), ("e", "edit"), ("z", "zoom"),
                                                          ("q", "quit"))]
    ranked = footer_rank(["quit", "edit"], keys)
    assert all(isinstance(key, FooterKey) for key in ranked)
    assert [key.action for key in ranked if isinstance(key, FooterKey)] == ["quit", "edit", "refresh", "zoom"]


def shopify_errors() -> ErrorsHost:
    """The errors screen of a step with 12 open errors."""
    return ErrorsHost(Simulator(seed=0, time_scale=0), step_screen(SHOPIFY))


async def loaded(pilot: Pilot[None]) -> ErrorsScreen:
    """The errors screen once its list is loaded (and painted)."""
    screen = pilot.app.screen
    assert isinstance(screen, ErrorsScreen)
    await wait_for(pilot, lambda: screen.open_panel.store.complete)
    await pilot.pause()
    return screen


async def test_the_footer_is_rebuilt_only_when_its_keys_change() -> None:
    """A burst of "bindings updated" signals with the same keys rebuilt the footer once per signal (six
    rebuilds while the errors screen opened); now the key widgets stay, and a real change still shows."""
    app = shopify_errors()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await loaded(pilot)
        footer = screen.query_one(RankedFooter)
        keys = list(footer.query(FooterKey))
        assert "toggle_mark" in [key.action for key in keys]
        for _ in range(5):
            screen.refresh_bindings()
        await pilot.pause()
        await pilot.pause()
        assert list(footer.query(FooterKey)) == keys  # the same widgets: nothing was rebuilt

        await pilot.press("g")  # grouped: row keys (space) are off, so the footer changes
        await wait_for(pilot, lambda: "toggle_mark" not in shown_actions(footer))
        await pilot.press("g")
        await wait_for(pilot, lambda: "toggle_mark" in shown_actions(footer))


def rebuilds_counted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the screens whose footer rebuilt its keys (``recompose``), in order, from now on."""
    builds: list[str] = []
    original = RankedFooter.recompose

    async def counted(self: RankedFooter) -> None:
        builds.append(type(self.screen).__name__)
        await original(self)

    monkeypatch.setattr(RankedFooter, "recompose", counted)
    return builds


async def test_the_errors_screen_builds_its_footer_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The table has the focus from the start (``AUTO_FOCUS``): the footer no longer built the keys of the
    tabs first and then, ~30 ms of the event loop later, those of the table."""
    builds = rebuilds_counted(monkeypatch)
    app = shopify_errors()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await loaded(pilot)
        await pilot.pause()
        assert app.focused is screen.open_panel.table
        assert builds == ["ErrorsScreen"]
        assert "toggle_mark" in [key.action for key in screen.query_one(RankedFooter).query(FooterKey)]


async def test_the_main_screen_footer_is_built_once_with_the_tree_focused(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Start-up (issue 10): the main screen's footer keys are composed once, before the first frame, with the
    tree's own (``r Refresh``) among them, never rebuilt; a signal that changes nothing keeps the same key
    widgets, and a focus change that does (the filter input) rebuilds them."""
    rebuilds = rebuilds_counted(monkeypatch)
    app = make_app(Simulator(seed=0, time_scale=0))
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        assert rebuilds == []
        footer = app.screen.query_one(Footer)
        keys = list(footer.query(FooterKey))
        assert "refresh_node" in [key.action for key in keys]  # the tree had the focus when they were made
        assert all(key.has_class("-compact") for key in keys)
        app.screen.refresh_bindings()
        await settle(pilot)
        assert list(footer.query(FooterKey)) == keys  # nothing changed: the same widgets
        await pilot.press("slash")  # the filter input takes the focus: the tree's keys leave the footer
        await settle(pilot)
        assert "refresh_node" not in shown_actions(footer)
        await pilot.press("escape")
        await settle(pilot)
        assert "refresh_node" in shown_actions(footer)



async def test_the_errors_filter_hides_the_printable_keys_without_rebuilding_the_footer(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """``/`` focuses the filter input, which takes the printable keys: their footer keys are hidden (the key
    widgets stay, the shown keys close up to the left) and esc shows them again, as a rebuild would, without
    one: each rebuild took 30-120 ms of the event loop under load while the letters typed next waited."""
    rebuilds = rebuilds_counted(monkeypatch)
    app = shopify_errors()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await loaded(pilot)
        footer = screen.query_one(RankedFooter)
        await pilot.pause()
        built = len(rebuilds)
        keys = list(footer.query(FooterKey))
        before = shown_actions(footer)
        assert {"filter", "quick_filter", "toggle_mark", "open"} <= set(before)
        await pilot.press("slash")
        await wait_for(pilot, lambda: "toggle_mark" not in shown_actions(footer))
        await pilot.pause()
        during = shown_actions(footer)
        assert not {"quick_filter", "toggle_mark", "open"} & set(during)
        order = [key.action for key in keys]  # the built keys, some hidden for width before the filter
        assert during == [action for action in order if action in during]  # the same order, closed up
        first = min(key.region.x for key in footer.query(FooterKey) if key.display)
        assert first == 0
        footer.call_later(footer.recompose)  # what a rebuild shows while the input has the focus
        await pilot.pause()
        await pilot.pause()
        assert shown_actions(footer) == during
        keys = list(footer.query(FooterKey))
        built = len(rebuilds)
        await pilot.press("escape")
        await wait_for(pilot, lambda: "toggle_mark" in shown_actions(footer))
        await pilot.pause()
        assert shown_actions(footer) == before
        assert len(rebuilds) == built + 1  # coming back to keys it never built: one rebuild
        keys = list(footer.query(FooterKey))
        await pilot.press("slash")
        await wait_for(pilot, lambda: "toggle_mark" not in shown_actions(footer))
        await pilot.press("escape")
        await wait_for(pilot, lambda: "toggle_mark" in shown_actions(footer))
        await pilot.pause()
        assert list(footer.query(FooterKey)) == keys  # hidden, then shown: no rebuild
        assert len(rebuilds) == built + 1
        assert shown_actions(footer) == before


def covered_or_clipped(footer: Footer) -> list[str]:
    """The actions of the shown keys that are not fully left of the palette key (it is docked over them)."""
    palette = footer.query_one(".-command-palette", FooterKey)
    return [key.action for key in footer.query(FooterKey)
            if key.display and key is not palette and key.region.right > palette.region.x]


async def test_a_key_that_does_not_fit_before_the_palette_key_is_hidden_not_clipped() -> None:
    """At 120 columns the errors screen's last key showed half under the palette key ("g G▏^p palette"):
    now it is hidden (it stays in the help screen), shown again when the terminal widens, and the keys that
    the filter input hides and shows again keep the rule."""
    app = shopify_errors()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await loaded(pilot)
        await pilot.pause()
        footer = screen.query_one(RankedFooter)
        built = [key.action for key in footer.query(FooterKey) if not key.has_class("-command-palette")]
        shown = shown_actions(footer)
        assert covered_or_clipped(footer) == []
        assert 0 < len(shown) - 1 < len(built)  # some keys are hidden for width (the palette key is shown)
        assert shown[:-1] == built[:len(shown) - 1]  # the first keys in rank order, no gap
        palette = footer.query_one(".-command-palette", FooterKey)
        assert palette.display and palette.region.right == 120

        await pilot.resize_terminal(240, 40)
        await pilot.pause()
        await pilot.pause()
        assert shown_actions(footer)[:-1] == built  # every key fits again
        assert covered_or_clipped(footer) == []

        await pilot.resize_terminal(90, 40)
        await pilot.pause()
        await pilot.pause()
        narrow = shown_actions(footer)
        assert len(narrow) < len(shown) and covered_or_clipped(footer) == []

        await pilot.press("slash")  # the filter input takes the focus: printable keys hide, others show
        await pilot.pause()
        await pilot.pause()
        assert covered_or_clipped(footer) == []
        await pilot.press("escape")
        await wait_for(pilot, lambda: shown_actions(footer) == narrow)
        assert covered_or_clipped(footer) == []


async def test_the_errors_footer_keys_are_styled_once_and_still_follow_compact(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A key widget of a non-compact footer was restyled twice once mounted (its ``compact`` default, True,
    then the footer's False, through the binding): about half of building the errors screen's keys, while
    the first keys after the first rows waited. Now no key is restyled for it, and the binding still works."""
    from textual.app import App

    restyled: list[str] = []
    original = App.update_styles

    def counted(self: App[object], node: object, animate: bool = True) -> None:
        if isinstance(node, FooterKey):
            restyled.append(node.action)
        original(self, node, animate)  # type: ignore[arg-type]

    monkeypatch.setattr(App, "update_styles", counted)
    app = shopify_errors()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await loaded(pilot)
        await pilot.pause()
        footer = screen.query_one(RankedFooter)
        keys = list(footer.query(FooterKey))
        assert len(keys) > 5 and not footer.compact
        bound = [key for key in keys if not key.has_class("-command-palette")]
        palette = footer.query_one(".-command-palette", FooterKey)
        assert palette.compact and palette.has_class("-compact")  # Textual's: not bound, always compact
        assert all(not key.compact and not key.has_class("-compact") for key in bound)
        assert restyled == []
        footer.compact = True
        await wait_for(pilot, lambda: all(key.compact and key.has_class("-compact") for key in bound))


async def test_keys_are_measured_once_not_at_each_show_and_hide(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fitting the keys left of the palette key (``_fit``) measured each key by rendering it, again at every
    ``/`` and esc on the errors screen (the frame showing the filter waited for it): a width is now measured
    once per key widget, and again only if the key's compact state changed."""
    app = shopify_errors()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await loaded(pilot)
        await pilot.pause()
        footer = screen.query_one(RankedFooter)
        await pilot.press("slash")  # every key fitted once: shown, hidden, shown again
        await wait_for(pilot, lambda: "toggle_mark" not in shown_actions(footer))
        await pilot.press("escape")
        await wait_for(pilot, lambda: "toggle_mark" in shown_actions(footer))
        measured: list[str] = []
        original = FooterKey.get_content_width

        def counted(self: FooterKey, container: object, viewport: object) -> int:
            measured.append(self.action)
            return original(self, container, viewport)  # type: ignore[arg-type]

        monkeypatch.setattr(FooterKey, "get_content_width", counted)
        shown = shown_actions(footer)
        footer._fit()
        assert measured == [] and shown_actions(footer) == shown
        for key in footer.query(FooterKey):
            key.add_class("-compact")  # what the footer's compact does to its keys: narrower keys
        footer._fit()
        assert len(measured) > 3
