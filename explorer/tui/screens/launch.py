"""Builds the issue-4 and issue-5 screens (editor, journal, errors, jobs) for the main screen.

Why a module of its own: those screens are standalone and take explicit arguments; what to pass them — the
client, the profile's drafts and journal, the step names the tree already loaded, the callbacks that refresh
the tree — is known only to the app. Keeping that assembly here keeps ``main.py`` about the tree and the pane.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from textual.app import App
from textual.screen import Screen

from explorer.tui.context import ExplorerHost

if TYPE_CHECKING:
    from explorer.services.writes import Saved
    from explorer.tui.screens.editor import EditMode
    from explorer.tui.screens.editor_context import WriteContext

# The screens are imported when first opened, not with the main screen: they are not on the first frame,
# and importing them (editor, diff, errors, jobs, journal) cost ~70 ms of start-up (python -X importtime).
# ``warm_up`` imports them in a thread once the first frame is painted, so opening one later does not pay
# for it either (the errors screen's import took 330 ms on a busy machine, before its first request).
LATER_SCREENS = (
    "explorer.tui.screens.errors", "explorer.tui.screens.errors_cross", "explorer.tui.screens.errors_detail",
    "explorer.tui.screens.editor", "explorer.tui.screens.jobs", "explorer.tui.screens.journal",
    "explorer.tui.commands",  # the palette's provider (ctrl+p): not a screen, not on the first frame either
)


def warm_up() -> None:
    """Import the screens not on the first frame (run it in a thread worker after the first paint)."""
    import importlib

    for name in LATER_SCREENS:
        importlib.import_module(name)


class ScreenLauncher:
    """Makes the write and triage screens for one app session; callbacks go back to the main screen."""

    def __init__(self, app: App[Any], on_saved: Callable[[Saved], None],
                 on_errors_changed: Callable[[str], None]) -> None:
        self._app = app
        self._on_saved = on_saved
        self._on_errors_changed = on_errors_changed

    @property
    def host(self) -> ExplorerHost:
        """The app, typed as what screens may use of it."""
        return cast(ExplorerHost, self._app)

    def write_context(self) -> WriteContext:
        """Client, profile, drafts and journal for every write (resource or retry data)."""
        from explorer.tui.screens.editor_context import WriteContext

        context = self.host.context
        profile = str(getattr(self._app, "profile_name", "") or context.profile_label)
        account = context.token.user_id or None if context.token is not None else None
        return WriteContext(api=self.host.client, profile=profile, drafts=context.drafts,
                            journal=context.journal, read_only=context.read_only, on_saved=self._on_saved,
                            account=account, schemas=context.schemas)

    def step_names(self) -> dict[str, str]:
        """Export and import id → name, from the catalog the tree loaded (never a request)."""
        catalog = self.host.account.catalog_loaded
        if catalog is None:
            return {}
        names = {export_id: export.name for export_id, export in catalog.exports.items() if export.name}
        names.update({import_id: imp.name for import_id, imp in catalog.imports.items() if imp.name})
        return names

    def flow_name(self, flow_id: str) -> str:
        """A listed flow's name, or its id."""
        root = self.host.account.root
        flow = root.flow(flow_id) if root is not None else None
        return (flow.name if flow is not None else "") or flow_id

    def editor(self, kind: str, resource_id: str, *, name: str | None = None, mode: EditMode = "auto",
               undo: bool = False) -> Screen[Any]:
        """The editor on a resource (``kind`` plural, e.g. ``flows``); ``mode="external"`` opens $EDITOR."""
        from explorer.services.write_targets import resource_target
        from explorer.tui.screens.editor import EditorScreen

        target = resource_target(kind, resource_id, name)
        return EditorScreen(self.write_context(), target, mode=mode, undo=undo)

    def journal(self) -> Screen[Any]:
        """Every write this tool made, with undo."""
        from explorer.tui.screens.journal import JournalScreen

        return JournalScreen(self.write_context(), fix_client=self.host.client)

    def errors(self, flow_id: str, step_id: str, *, step_name: str = "") -> Screen[Any]:
        """The triage screen of one step's errors."""
        from explorer.tui.screens.errors import ErrorsScreen
        from explorer.tui.screens.errors_detail import retry_data_editor

        context = self.host.context
        total = self.host.account.step_errors.get(flow_id, {}).get(step_id)
        return ErrorsScreen(
            self.host.client, flow_id, step_id,
            step_name=step_name or self.step_names().get(step_id, step_id),
            flow_name=self.flow_name(flow_id), read_only=context.read_only, open_total=total,
            retry_data_editor=None if context.read_only else retry_data_editor(self.write_context()),
            on_changed=lambda: self._on_errors_changed(flow_id),
            fix_context=None if context.read_only else self.write_context(),
        )

    def cross_errors(self, *, title: str, integration_id: str | None = None,
                     flow_id: str | None = None) -> Screen[Any]:
        """Open errors across every step of an integration or a flow, grouped by code."""
        from explorer.tui.screens.errors_cross import CrossStepErrorsScreen
        from explorer.tui.screens.errors_detail import retry_data_editor

        context = self.host.context
        root = self.host.account.root
        flows = None
        if root is not None and integration_id is not None:
            flows = root.flows_by_integration.get(integration_id)
        elif root is not None and flow_id is not None:
            flow = root.flow(flow_id)
            flows = [flow] if flow is not None else None

        def changed() -> None:
            for flow in flows or []:
                self._on_errors_changed(flow.id)

        return CrossStepErrorsScreen(
            self.host.client, title=title, flows=flows,
            integration_id=integration_id if flows is None else None,
            flow_id=flow_id if flows is None else None,
            step_names=self.step_names(), read_only=context.read_only,
            retry_data_editor=None if context.read_only else retry_data_editor(self.write_context()),
            on_changed=changed,
            fix_context=None if context.read_only else self.write_context(),
        )

    def flow_disabled(self, flow_id: str) -> bool:
        """Whether the listed flow is disabled (integrator.io refuses to run it)."""
        root = self.host.account.root
        flow = root.flow(flow_id) if root is not None else None
        return flow is not None and flow.disabled

    def jobs(self, flow_id: str, *, run_now: bool = False) -> Screen[Any]:
        """A flow's latest jobs and history; ``run_now`` asks to run it at once (``R``)."""
        from explorer.tui.screens.jobs import JobsScreen

        return JobsScreen(self.host.client, flow_id, flow_name=self.flow_name(flow_id),
                          read_only=self.host.context.read_only, step_names=self.step_names(),
                          on_changed=lambda: self._on_errors_changed(flow_id), run_now=run_now,
                          flow_disabled=self.flow_disabled(flow_id))
