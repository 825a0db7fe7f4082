"""The main screen: the account header on top, the resource tree on the left, the JSON pane on the right.

Why the screen owns the JSON pane's loading: the tree only knows items; what to show for an item (the document
already at hand, a fresh GET, a lock explanation, a summary of a group) is decided here, in one worker group
so a newer selection cancels an older fetch. ``open_errors_screen`` and ``edit_resource`` open the errors and
editor screens.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, cast

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widget import AwaitMount
from textual.widgets import Input, Static, Tree

from explorer.client import ApiError, Unauthorized
from explorer.gc_policy import end_startup
from explorer.services.account import Failure, TreeItem
from explorer.tui.context import ExplorerHost
from explorer.tui.literal import one_line
from explorer.tui.screens.launch import ScreenLauncher, warm_up
from explorer.tui.stop_waiting import StopsWaiting, scoped
from explorer.tui.widgets.account_header import AccountHeader
from explorer.tui.widgets.json_view import JsonView
from explorer.tui.widgets.pane_doc_strip import PaneDocStrip
from explorer.tui.widgets.problem_panel import ProblemPanel
from explorer.tui.widgets.ranked_footer import RankedFooter
from explorer.tui.widgets.resource_tree import ResourceTree
from explorer.tui.widgets.wait_status import WaitStatus

if TYPE_CHECKING:
    from explorer.services.writes import Saved  # the writes service is imported with the editor

KIND_TITLES = {
    "integration": "Integration", "standalone": "Standalone flows", "flow": "Flow", "step": "Step",
    "errors": "Errors", "jobs": "Jobs", "connections": "Connections", "connection": "Connection",
    "notice": "Notice",
}
EDITABLE_KINDS = frozenset({"integration", "flow", "step", "connection"})


class MainScreen(StopsWaiting, Screen[None]):
    """Browse the account. ``enter`` on an Errors node opens the step's errors; ``e`` edits."""

    FOOTER_ORDER: ClassVar[tuple[str, ...]] = ("edit", "errors_or_external", "filter", "search", "copy_value",
                                               "help", "quit", "refresh_node", "zoom", "token", "http_log")
    """The footer's keys, most used first: at 80 columns the last ones do not fit (``?`` lists them all)."""
    AUTO_FOCUS = "#tree"
    """The tree has the focus from the first frame (Textual's default, the first focusable widget, is the
    filter input: focusing it, then the tree, restyled both and rebuilt the footer before the tree showed)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "filter", "Filter", id="main.filter"),
        Binding("e", "edit", "Edit", id="main.edit"),
        Binding("E", "errors_or_external", "All errors", id="main.all_errors"),
        Binding("ctrl+o", "external_edit", "Edit in $EDITOR", show=False, id="main.external_edit"),
        Binding("u", "undo", "Undo PUT", show=False, id="main.undo"),
        Binding("w", "journal", "Journal", show=False, id="main.journal"),
        Binding("J", "jobs", "Jobs", show=False, id="main.jobs"),
        Binding("R", "run_flow", "Run flow", show=False, id="main.run_flow"),
        Binding("z", "zoom", "Zoom", id="main.zoom"),
        Binding("escape", "back", "Back", show=False, id="main.back"),
        Binding("f1", "field_doc", "Field doc", show=False, id="main.field_doc"),
        # Reached only when the keys above are switched off (read-only): says why instead of doing nothing.
        Binding("e,u,R,ctrl+o", "read_only_refusal", show=False, id="main.read_only_refusal"),
    ]
    """``/`` filters the tree, ``e`` edits the resource under the cursor, ``E`` lists the open errors of
    every step of an integration or flow (on a step or connection: edits it in $EDITOR, as ``ctrl+o`` does
    anywhere), ``u`` undoes my last PUT of the resource, ``w`` lists the journal of writes, ``J`` shows a
    flow's jobs, ``R`` runs a flow now, ``z`` gives the JSON pane the whole width, ``escape`` clears the
    filter / un-zooms / returns to the tree, ``f1`` describes the JSON pane's field (Celigo's schema)."""

    def __init__(self) -> None:
        super().__init__()
        self._shown_key: str | None = None
        self._launcher: ScreenLauncher | None = None
        self._resumed = False
        self._hidden_mounts: tuple[AwaitMount, ...] = ()

    @property
    def launcher(self) -> ScreenLauncher:
        """Builds the editor, journal, errors and jobs screens with what this session knows."""
        if self._launcher is None:
            self._launcher = ScreenLauncher(self.app, self._saved, self.errors_changed)
        return self._launcher

    @property
    def host(self) -> ExplorerHost:
        """The app, typed as what screens may use of it."""
        return cast(ExplorerHost, self.app)

    @property
    def resource_tree(self) -> ResourceTree:
        """The resource tree."""
        return self.query_one("#tree", ResourceTree)

    @property
    def json_view(self) -> JsonView:
        """The JSON pane."""
        return self.query_one("#json", JsonView)

    def compose(self) -> ComposeResult:
        context = self.host.context
        yield AccountHeader(profile_name=context.profile_name or context.profile_label,
                            base_url=context.base_url, read_only=context.read_only, id="account-header")
        with Horizontal(id="body"):
            with Vertical(id="left"):  # the filter field is mounted later: see _mount_hidden
                yield ResourceTree(self.host.account, id="tree")
            with Vertical(id="right"):
                yield Static(id="pane-title", markup=False)
                yield JsonView(id="json")
                yield PaneDocStrip(self.host.context.schemas, id="json-doc")
        yield WaitStatus(id="wait-status")

    async def on_mount(self) -> None:
        self.query_one("#pane-title", Static).update(Text("Loading…", style="italic"))
        self.resource_tree.focus()
        self.resource_tree.load()
        # Mounted here, not composed: by now the tree has the focus (AUTO_FOCUS), so the footer composes its
        # keys once, the tree's among them, before the first frame. Composed with the others, it showed the
        # keys of a screen without focus, and was rebuilt when the focus came.
        await self.mount(RankedFooter(compact=True, keys_at_once=True), before="#wait-status")
        self.call_after_refresh(self._warm_up)

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        """The first resume leaves the styles alone: every widget was styled as it mounted, moments ago.

        Why: Textual restyles a screen's whole DOM when it is resumed (after a screen above it was removed,
        the theme may have changed), also when it is first shown; here that was ~10 % of the event loop's
        work before the first frame (py-spy). Textual runs this handler before ``Screen``'s own (it calls
        the handler of each class of the MRO, the most derived first), so the flag reaches it.
        """
        if not self._resumed:
            self._resumed = True
            event.refresh_styles = False

    def _mount_hidden(self) -> tuple[AwaitMount, ...]:
        """Mount the widgets the first frame does not show (the tree's filter field, the problem panel), once.

        Why after the first frame (``_warm_up``), or earlier when a key or a failed load needs one: building,
        styling and mounting them came before the tree reached the screen. Whoever uses them awaits
        ``_hidden_mounted`` first (``mount`` adds them to the DOM at once; the awaitable waits for their
        ``on_mount``), so a ``/`` typed during start-up still opens the filter.
        """
        if not self._hidden_mounts:
            field = Input(placeholder="filter by name or id (esc clears)", id="tree-filter", compact=True)
            self._hidden_mounts = (self.query_one("#left", Vertical).mount(field, before="#tree"),
                                   self.mount(ProblemPanel(id="problem"), after="#body"))
        return self._hidden_mounts

    async def _hidden_mounted(self) -> None:
        for mounted in self._mount_hidden():
            await mounted

    def _warm_up(self) -> None:
        end_startup()  # the first frame is painted: see explorer.gc_policy
        self._mount_hidden()
        self.run_worker(warm_up, thread=True, group="warm-up", description="import the other screens")

    # ----------------------------------------------------------------------------------------- hooks
    def open_errors_screen(self, flow_id: str, step_id: str) -> None:
        """Open the triage screen of a step's errors (retry, resolve, filter, group, export)."""
        step = self.resource_tree.item(f"step:{flow_id}:{step_id}")
        self.app.push_screen(self.launcher.errors(flow_id, step_id, step_name=step.name if step else ""))

    def edit_resource(self, kind: str, resource_id: str, *, external: bool = False,
                      undo: bool = False) -> None:
        """Edit a resource (``kind`` is the API collection, e.g. ``flows``): validate, diff, confirm, PUT."""
        # The editor GETs the document itself: a list may have given only a summary, and a PUT of a summary
        # would erase every field it lacks.
        item = next(iter(self.resource_tree.items_for(f"{kind}/{resource_id}")), None)
        self.app.push_screen(self.launcher.editor(
            kind, resource_id, name=item.name if item is not None and item.name else None,
            mode="external" if external else "auto", undo=undo))

    def _saved(self, saved: Saved) -> None:
        target = saved.target
        if target.kind in ("integrations", "flows", "exports", "imports", "connections") and isinstance(
                saved.document, dict):
            self.resource_saved(target.kind, target.resource_id, saved.document)

    def resource_saved(self, kind: str, resource_id: str, doc: dict[str, Any]) -> None:
        """Call after a successful PUT (the editor's ``on_saved``): the tree and the JSON pane show ``doc``.

        A flow is reloaded (its steps may have changed); other documents are updated in place.
        """
        tree = self.resource_tree
        for item in tree.items_for(f"{kind}/{resource_id}"):
            if kind == "flows":
                tree.refresh_key(item.key)
                continue
            item.doc = dict(doc)
            name = doc.get("name")
            if isinstance(name, str):
                item.name = name
            if kind == "connections":
                item.flags = frozenset({"offline"}) if doc.get("offline") is True else frozenset()
            tree.set_failure_cleared(item.key)
            if item.key == self._shown_key:
                self.show_item(item, force=True)

    def errors_changed(self, flow_id: str) -> None:
        """Call after errors were retried or resolved (the errors screen's ``on_changed``): badges reload."""
        tree = self.resource_tree
        flow = tree.item(f"flow:{flow_id}")
        if flow is None:
            return
        parent = next((i for i in tree.items if flow in (i.children or [])), None)
        # An integration reloads its flows (and their open steps); a standalone flow reloads itself.
        tree.refresh_key(parent.key if parent is not None and parent.kind == "integration" else flow.key)

    # ----------------------------------------------------------------------------------------- actions
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Hide ``e`` in read-only sessions and where there is nothing to edit."""
        if action in ("filter", "zoom", "edit") and self.has_class("-problem"):
            return False
        if action == "read_only_refusal":
            return self.host.context.read_only
        if action in ("edit", "external_edit", "undo", "run_flow"):
            # Shown whenever editing is possible at all (not per node: rebuilding the footer on every cursor
            # move is costly); the actions explain when the node under the cursor cannot be edited.
            return not self.host.context.read_only
        return True

    def _editable_cursor(self) -> tuple[str, str] | None:
        """(kind, id) of the editable resource under the cursor, or None after saying why not."""
        item = self.resource_tree.cursor_item
        if item is None or item.kind not in EDITABLE_KINDS or not item.doc_path:
            self.notify("Nothing to edit here: choose an integration, flow, step or connection.",
                        severity="warning")
            return None
        failure = self.resource_tree.failure_of(item)
        if failure is not None and failure.locked:
            self.notify("This token cannot read it, so it cannot be edited.", severity="warning")
            return None
        kind, _, resource_id = item.doc_path.partition("/")
        return kind, resource_id

    def action_edit(self) -> None:
        """``e``: edit the resource under the cursor in the in-app editor (large documents go to $EDITOR)."""
        target = self._editable_cursor()
        if target is not None:
            self.edit_resource(*target)

    def action_external_edit(self) -> None:
        """``ctrl+o``: edit the resource under the cursor in $VISUAL/$EDITOR, then diff and confirm here."""
        target = self._editable_cursor()
        if target is not None:
            self.edit_resource(*target, external=True)

    def action_undo(self) -> None:
        """``u``: undo my last PUT of the resource under the cursor (a normal edit: diff, confirm, guard)."""
        target = self._editable_cursor()
        if target is not None:
            self.edit_resource(*target, undo=True)

    def action_read_only_refusal(self) -> None:
        """A mutating key in a read-only session: nothing is sent, and the user is told why."""
        self.notify("This session is read-only (--read-only or the profile's read_only = true): editing, "
                    "undo and running flows are off.", title="Read-only", severity="warning", markup=False)

    def action_journal(self) -> None:
        """``w``: the journal of every write this tool made."""
        self.app.push_screen(self.launcher.journal())

    def _cursor_flow_id(self) -> str | None:
        item = self.resource_tree.cursor_item
        flow_id = item.flow_id if item is not None and item.flow_id else (
            item.id if item is not None and item.kind == "flow" else None)
        if flow_id is None:
            self.notify("Choose a flow (or one of its steps) first.", severity="warning")
        return flow_id

    def action_errors_or_external(self) -> None:
        """``E``: on an integration or flow, the open errors of all its steps; elsewhere, $EDITOR."""
        item = self.resource_tree.cursor_item
        if item is not None and item.kind == "integration":
            self.app.push_screen(self.launcher.cross_errors(title=f"Errors of {item.label}",
                                                            integration_id=item.id))
        elif item is not None and item.kind == "flow":
            self.app.push_screen(self.launcher.cross_errors(title=f"Errors of {item.label}", flow_id=item.id))
        elif self.host.context.read_only:
            self.action_read_only_refusal()
        else:
            self.action_external_edit()

    def action_jobs(self) -> None:
        """``J``: the latest jobs and the history of the flow under the cursor."""
        flow_id = self._cursor_flow_id()
        if flow_id is not None:
            self.app.push_screen(self.launcher.jobs(flow_id))

    def action_run_flow(self) -> None:
        """``R``: run the flow under the cursor now (confirmed), then follow its job."""
        flow_id = self._cursor_flow_id()
        if flow_id is None:
            return
        if self.launcher.flow_disabled(flow_id):
            from explorer.services.flow_run import disabled_flow_refusal  # not on the first frame

            self.notify(disabled_flow_refusal(self.launcher.flow_name(flow_id)), title="Flow disabled",
                        severity="warning", markup=False)
            return
        self.app.push_screen(self.launcher.jobs(flow_id, run_now=True))

    async def action_filter(self) -> None:
        """``/``: filter the tree by name or id."""
        await self._hidden_mounted()
        field = self.query_one("#tree-filter", Input)
        field.display = True
        field.focus()

    def action_zoom(self) -> None:
        """``z``: give the JSON pane the whole width (again: back to two panes)."""
        self.toggle_class("-zoomed")
        if self.has_class("-zoomed"):
            self.json_view.focus()
        else:
            self.resource_tree.focus()

    async def action_back(self) -> None:
        """``escape``: clear the filter, leave zoom, or go back to the tree."""
        if self.resource_tree.stop_root_load():  # first of all it stops waiting for the account to load
            for line in self.query(WaitStatus):
                line.show_stopped("stopped waiting for the account to load (esc): r retries")
            return
        await self._hidden_mounted()
        field = self.query_one("#tree-filter", Input)
        if self.resource_tree.filter_text or field.display:
            self._close_filter()
        elif self.has_class("-zoomed"):
            self.action_zoom()
        elif self.focused is not self.resource_tree:
            self.resource_tree.focus()

    def _close_filter(self) -> None:
        field = self.query_one("#tree-filter", Input)
        field.value = ""
        field.display = False
        self.resource_tree.set_filter("")
        self.resource_tree.focus()

    @on(Input.Changed, "#tree-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.resource_tree.set_filter(event.value)

    @on(Input.Submitted, "#tree-filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        if not event.value.strip():
            self._close_filter()
        else:
            self.resource_tree.focus()

    # ----------------------------------------------------------------------------------------- tree events
    @on(ResourceTree.RootLoaded)
    def _root_loaded(self, event: ResourceTree.RootLoaded) -> None:
        self.host.context.token = event.root.token
        self.query_one(AccountHeader).show_token(event.root.token)
        self.remove_class("-problem")
        current = self.resource_tree.cursor_item
        if current is not None:  # a reload may have fixed what the pane showed (an error): show it afresh
            self.show_item(current, force=True)
        if self.focused is None or self.focused.id == "problem":
            self.resource_tree.focus()

    @on(ResourceTree.RootFailed)
    async def _root_failed(self, event: ResourceTree.RootFailed) -> None:
        await self._hidden_mounted()
        error = event.error
        context = self.host.context
        status = "unauthorized" if error.status == 401 else f"failed ({error.status or 'no response'})"
        self.query_one(AccountHeader).show_status(status)
        panel = self.query_one(ProblemPanel)
        where = f"{context.region_label} ({context.base_url})"
        panel.show_error(error, where=where, profile=context.profile_label)
        self.add_class("-problem")
        panel.focus()
        self.refresh_bindings()
        if isinstance(error, Unauthorized):
            self._probe_regions(error, where)

    @work(exclusive=True, group="region-probe")
    async def _probe_regions(self, error: ApiError, where: str) -> None:
        """After a 401, ask the other regions whether the token is theirs, and add the answer to the panel."""
        context = self.host.context
        from explorer.services.regions import probe_other_regions  # only after a 401

        probe = await probe_other_regions(self.host.client)
        if probe is not None and self.has_class("-problem"):
            self.query_one(ProblemPanel).show_error(error, where=where, profile=context.profile_label,
                                                    region_hint=probe.hint())

    @on(ProblemPanel.RetryRequested)
    def _retry(self) -> None:
        self.query_one(AccountHeader).show_status("connecting…")
        self.remove_class("-problem")
        self.resource_tree.focus()
        self.resource_tree.action_reload_all()

    @on(Tree.NodeHighlighted, "#tree")
    def _highlighted(self, event: Tree.NodeHighlighted[TreeItem]) -> None:
        if event.node.data is not None:
            self.show_item(event.node.data)

    @on(ResourceTree.ItemChanged)
    def _item_changed(self, event: ResourceTree.ItemChanged) -> None:
        self.show_item(event.item, force=True)

    @on(Tree.NodeSelected, "#tree")
    def _selected(self, event: Tree.NodeSelected[TreeItem]) -> None:
        item = event.node.data
        if item is None:
            return
        if item.kind == "errors" and item.flow_id and item.step_id:
            self.open_errors_screen(item.flow_id, item.step_id)
        elif item.kind == "jobs" and item.flow_id:
            self.app.push_screen(self.launcher.jobs(item.flow_id))
        elif item.kind == "notice" and item.failure is not None and not item.failure.locked:
            self.resource_tree.action_refresh_node()  # enter on "press r to retry" retries too
        elif not event.node.allow_expand:
            self.json_view.focus()  # a leaf has nothing to open: read its document

    # ----------------------------------------------------------------------------------------- JSON pane
    def show_item(self, item: TreeItem, *, force: bool = False) -> None:
        """Show the item's document in the JSON pane (fetching it if it is not at hand)."""
        if item.key == self._shown_key and not force:
            return
        self._shown_key = item.key
        self.workers.cancel_group(self, "json-pane")
        failure = self.resource_tree.failure_of(item)
        if item.kind == "notice":
            self._show(item, failure.as_json() if failure is not None else {"status": item.name})
        elif failure is not None and failure.locked and item.doc is None:
            self._show(item, failure.as_json(), note="locked")
        elif item.doc is not None:
            self._show(item, item.doc)
        elif item.kind in ("step", "integration", "connection", "flow") and item.doc_path:
            self._title(item, "loading…")
            self.fetch_document(item)
        else:
            self._show(item, self._summary(item))

    def _summary(self, item: TreeItem) -> dict[str, Any]:
        """A small document for nodes that are not resources (groups, Errors nodes)."""
        if item.kind == "errors":
            return {"flowId": item.flow_id, "stepId": item.step_id, "openErrors": item.open_errors,
                    "hint": "press enter to list this step's open errors"}
        if item.kind == "jobs":
            return {"flowId": item.flow_id,
                    "hint": "press enter for the latest jobs and history (R runs the flow)"}
        children = item.children or []
        summary: dict[str, Any] = {"group": item.name, "count": len(children)}
        summary["items"] = [{"_id": child.id, "name": child.name, **(
            {"flags": sorted(child.flags)} if child.flags else {})} for child in children]
        return summary

    def _show(self, item: TreeItem, doc: Any, *, note: str = "") -> None:
        self._title(item, note)
        self.query_one("#json-doc", PaneDocStrip).shown(item.kind, doc)
        self.json_view.load(doc)

    @on(JsonView.CursorMoved, "#json")
    def _json_cursor_moved(self, event: JsonView.CursorMoved) -> None:
        """The doc strip follows the pane's cursor while someone reads it (see ``PaneDocStrip``)."""
        if self.json_view.has_focus_within:
            self.query_one("#json-doc", PaneDocStrip).follow(event.path)

    def on_descendant_focus(self) -> None:
        """Focus came to the JSON pane: show the doc of the key under its cursor."""
        view = self.json_view
        if view.has_focus_within:
            self.query_one("#json-doc", PaneDocStrip).follow(view.known_path(view.cursor_line))

    def action_field_doc(self) -> None:
        """``f1`` in the JSON pane: everything Celigo's schema says about the field under its cursor."""
        from explorer.tui.screens.field_doc import FieldDocScreen  # not on the first frame

        strip = self.query_one("#json-doc", PaneDocStrip)
        if strip.field_doc is not None:
            self.app.push_screen(FieldDocScreen(strip.field_doc))
        elif not strip.library.available:
            self.notify(strip.library.how_to_get(), markup=False)
        else:
            self.notify("Focus the JSON pane and put its cursor on a field of a flow, export, import or "
                        "connection.", markup=False)

    def _title(self, item: TreeItem, note: str) -> None:
        title = Text(no_wrap=True, overflow="ellipsis", end="")
        kind = KIND_TITLES.get(item.kind, item.kind)
        if item.kind == "notice":
            kind = "Locked" if item.failure is not None and item.failure.locked else (
                "Could not load" if item.failure is not None else "Loading")
        title.append(kind, style="bold")
        if item.doc_path:
            title.append("  " + one_line(item.doc_path, 80), style="dim")
        if note:
            title.append("  " + note, style="italic")
        self.query_one("#pane-title", Static).update(title, layout=False)  # one fixed line: no re-layout

    @work(exclusive=True, group="json-pane")
    @scoped
    async def fetch_document(self, item: TreeItem) -> None:
        """GET a document the lists did not provide (a step outside the catalog, an unlisted integration)."""
        assert item.doc_path is not None
        try:
            doc = await self.host.account.document(item.doc_path)
        except ApiError as exc:
            failure = Failure.from_error(exc)
            if failure.locked:
                self.resource_tree.set_failure(item.key, failure)
            if self._shown_key == item.key:
                self._show(item, failure.as_json(), note="locked" if failure.locked else "failed · r retries")
            return
        if isinstance(doc, dict):
            self.resource_tree.update_doc(item.key, doc)
        if self._shown_key == item.key:
            self._show(item, doc)
