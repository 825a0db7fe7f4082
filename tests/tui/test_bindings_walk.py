"""Every key names an action that exists, every binding has an id, and ``esc`` leaves every pushed screen.

Why: Textual checks none of this — a binding whose action is missing does nothing, silently (the journal's
``esc`` named ``back`` and the screen had no ``action_back``). Two halves:

* a static pass over every class in ``explorer.tui`` that declares ``BINDINGS`` (ids present and unique, the
  action found on the class or on the app), so a new screen is checked the day it lands;
* a walk through the running app over the simulator that opens every screen and modal as a user does, checks
  the bindings of every widget on it against the live DOM (namespaces resolved as Textual resolves them), and
  presses ``esc`` to leave it. A screen class the walk does not reach fails the test: add it to the walk.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Iterator
from typing import Any

from textual.binding import Binding
from textual.dom import DOMNode
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import TextArea

import explorer.tui
from explorer.services.fix_run import FixPreview
from explorer.services.schemas import FieldDoc
from explorer.services.writes import DraftSummary, Stale
from explorer.simulator import Simulator
from explorer.simulator import demo_ids as d
from explorer.tui.app import ExplorerApp
from explorer.tui.screens.editor import EditorScreen
from explorer.tui.screens.editor_dialogs import DiffConfirmScreen, DraftOfferScreen, StaleChoiceScreen
from explorer.tui.screens.errors_dialogs import BulkProgressDialog, ConfirmBulkDialog
from explorer.tui.screens.field_doc import FieldDocScreen
from explorer.tui.screens.fix_dialogs import FixPreviewScreen, FixProgressDialog, PatchEditorScreen
from explorer.tui.screens.main import MainScreen
from explorer.tui.screens.profiles import ProfilePicker
from explorer.tui.screens.value_completion import ValueCompletionScreen
from tests.helpers.browse_app import make_app, settle
from tests.helpers.edit_host import replace_in_area, until
from tests.helpers.errors_app import asking

SIZE = (120, 36)


def tui_classes() -> Iterator[type[DOMNode]]:
    """Every DOM node class defined in ``explorer.tui`` (modules imported on the way)."""
    for module_info in pkgutil.walk_packages(explorer.tui.__path__, "explorer.tui."):
        module = importlib.import_module(module_info.name)
        for _, value in inspect.getmembers(module, inspect.isclass):
            if issubclass(value, DOMNode) and value.__module__ == module.__name__:
                yield value


def own_bindings(cls: type[DOMNode]) -> list[Binding]:
    """The bindings ``cls`` declares itself (not inherited), expanded as Textual does."""
    declared = cls.__dict__.get("BINDINGS", [])
    return list(Binding.make_bindings(declared))


def test_every_binding_of_ours_has_a_unique_id_and_an_action_that_exists() -> None:
    ids: dict[str, str] = {}
    problems: list[str] = []
    for cls in tui_classes():
        seen_in_class: set[str] = set()
        for binding in own_bindings(cls):
            where = f"{cls.__name__} {binding.key!r} → {binding.action!r}"
            if not binding.id:
                problems.append(f"{where}: no id (a user keymap cannot remap it)")
            elif binding.id not in seen_in_class:  # "y,enter" expands to two bindings with one id
                seen_in_class.add(binding.id)
                if binding.id in ids and ids[binding.id] != cls.__name__:
                    problems.append(f"{where}: id {binding.id!r} also used by {ids[binding.id]}")
                ids[binding.id] = cls.__name__
            namespace, _, name = binding.action.partition("(")[0].rpartition(".")
            owner: type[Any] = ExplorerApp if namespace == "app" else cls
            if namespace not in ("", "app", "screen", "focused"):
                problems.append(f"{where}: unknown namespace {namespace!r}")
            elif namespace in ("", "app") and not callable(getattr(owner, f"action_{name}", None)):
                problems.append(f"{where}: {owner.__name__} has no action_{name}")
    assert problems == []


def check_live_bindings(app: ExplorerApp) -> list[str]:
    """Bindings of every node on the current screen whose action does not resolve to a method."""
    screen = app.screen
    problems: list[str] = []
    nodes: list[DOMNode] = [app, *screen.walk_children(with_self=True)]
    for node in nodes:
        for bindings in node._bindings.key_to_bindings.values():
            for binding in bindings:
                try:
                    target, name, _ = app._parse_action(binding.action, node)
                except Exception as error:  # an unknown namespace is exactly what we look for
                    where = f"{type(screen).__name__}/{type(node).__name__}"
                    problems.append(f"{where} {binding.action}: {error}")
                    continue
                if not callable(getattr(target, f"action_{name}", None)) and \
                        not callable(getattr(target, f"_action_{name}", None)):
                    problems.append(f"{type(screen).__name__}/{type(node).__name__} {binding.key!r}: "
                                    f"{type(target).__name__} has no action_{name}")
    return problems


class Walk:
    """Checks the screen on top, then leaves it with ``esc``; remembers which screen classes it saw."""

    def __init__(self, pilot: Pilot[None], app: ExplorerApp) -> None:
        self.pilot, self.app = pilot, app
        self.seen: set[type[Screen[Any]]] = set()
        self.problems: list[str] = []

    async def leave(self, expected: type[Screen[Any]]) -> None:
        """``expected`` is on top, its keys resolve, and one ``esc`` takes it off the stack."""
        await settle(self.pilot)
        screen = self.app.screen
        assert type(screen) is expected, f"expected {expected.__name__} on top, got {type(screen).__name__}"
        self.seen.add(expected)
        self.problems += check_live_bindings(self.app)
        depth = len(self.app.screen_stack)
        await self.pilot.press("escape")
        await settle(self.pilot)
        assert screen not in self.app.screen_stack, f"esc did not leave {expected.__name__}"
        assert len(self.app.screen_stack) == depth - 1

    async def at(self, key: str) -> None:
        """Put the tree cursor on ``key`` (the main screen on top)."""
        main = self.app.main_screen
        assert main is not None and self.app.screen is main
        assert await main.resource_tree.reveal(key)
        main.resource_tree.focus()
        await settle(self.pilot)

    async def press(self, *keys: str) -> None:
        await self.pilot.press(*keys)
        await settle(self.pilot)


def pushed_screen_classes() -> set[type[Screen[Any]]]:
    """Every screen class of ours that can be pushed (the main screen is the bottom; esc never leaves it).

    A base that other screens of ours extend (``ProgressDialog``) is not pushed itself: its subclasses are.
    """
    screens = {cls for cls in tui_classes() if issubclass(cls, Screen) and cls is not MainScreen}
    bases = {base for cls in screens for base in cls.__mro__[1:]}
    return screens - bases


async def test_walk_every_screen_and_modal_and_leave_each_with_escape() -> None:
    sim = Simulator(seed=0, time_scale=0)
    app = make_app(sim)
    async with app.run_test(size=SIZE) as pilot:
        walk = Walk(pilot, app)
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        walk.problems += check_live_bindings(app)

        for key, screen_name in (("question_mark", "HelpScreen"), ("t", "TokenScreen"),
                                 ("l", "HttpLogScreen"), ("w", "JournalScreen")):
            await walk.press(key)
            await walk.leave(type(app.screen))
            assert type(app.screen) is MainScreen and screen_name in {c.__name__ for c in walk.seen}

        # A flow: jobs, run now (its confirmation), the editor and its diff confirmation.
        await walk.at(f"flow:{d.FLOW_SHOPIFY_ORDERS}")
        await walk.press("J")
        await walk.leave(type(app.screen))
        await walk.press("R")
        await walk.leave(ConfirmBulkDialog)
        await walk.leave(type(app.screen))  # the jobs screen under it
        await walk.press("e")
        assert isinstance(app.screen, EditorScreen)
        area = app.screen.query_one(TextArea)
        await until(pilot, lambda: '"name"' in area.text)
        replace_in_area(area, '"Shopify Orders to NetSuite Sales Orders"', '"Orders (walk)"')
        await walk.press("ctrl+s")
        diff = app.screen
        assert isinstance(diff, DiffConfirmScreen)
        plan = diff.plan
        await walk.leave(DiffConfirmScreen)
        await app.push_screen(StaleChoiceScreen(Stale(plan=plan, server_document={}, server_changes=[],
                                                      server_diff=[])))
        await walk.leave(StaleChoiceScreen)
        await app.push_screen(DraftOfferScreen("flow", DraftSummary("2026-01-01T00:00:00Z", False, 1, 0)))
        await walk.leave(DraftOfferScreen)
        await walk.leave(EditorScreen)

        # An integration's errors across its steps.
        await walk.at(f"integration:{d.INT_AMAZON}")
        await walk.press("E")
        await walk.leave(type(app.screen))

        # One step's errors, one error's detail, the triage dialogs and a bulk retry's progress.
        await walk.at(f"errors:{d.SALESFORCE_FLOW}:{d.SALESFORCE_IMPORT_STEP}")
        await walk.press("enter")
        errors_screen = type(app.screen)
        await walk.press("enter")
        await walk.leave(type(app.screen))  # the error detail
        assert type(app.screen) is errors_screen
        await walk.press("f")
        await walk.leave(type(app.screen))  # quick filter: a choice dialog
        await walk.press("d")
        await walk.leave(type(app.screen))  # date range: a text prompt
        await walk.press("r")
        assert asking(app)
        await walk.leave(BulkProgressDialog)  # it asks first: esc closes it, nothing sent
        await walk.press("x")  # resolve: a retry would follow its job, which never ends at time_scale=0
        await walk.press("y")
        await until(pilot, lambda: isinstance(app.screen, BulkProgressDialog) and app.screen.finished)
        await walk.leave(BulkProgressDialog)
        await walk.leave(errors_screen)

        await app.push_screen(ProfilePicker(["default", "other"], "default"))
        await walk.leave(ProfilePicker)

        # The editor's schema dialogs (f1, ctrl+space) need a schema library; pushed here directly.
        await app.push_screen(FieldDocScreen(FieldDoc(path="name", known=True, description="The name.")))
        await walk.leave(FieldDocScreen)
        await app.push_screen(ValueCompletionScreen("type", ("export", "import"), "export"))
        await walk.leave(ValueCompletionScreen)

        # The bulk fix's screens take what the fix flow hands them; pushed here with small stand-ins.
        await app.push_screen(PatchEditorScreen("Fix 2 records", "[]", "an RFC 6902 patch"))
        await walk.leave(PatchEditorScreen)
        progress = FixProgressDialog("Fetching", 2, lambda: None)
        await app.push_screen(progress)
        progress.show_report(["2 fetched"])
        await walk.leave(FixProgressDialog)
        await app.push_screen(FixPreviewScreen("Fix preview", FixPreview(items=[], ops=[])))
        await walk.leave(FixPreviewScreen)
        assert type(app.screen) is MainScreen

    assert walk.problems == []
    missing = {cls.__name__ for cls in pushed_screen_classes() - walk.seen}
    assert missing == set(), f"screens the walk never opened (add them to this test): {sorted(missing)}"
