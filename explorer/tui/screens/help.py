"""The help screen (``?``): every key, grouped by where it works.

Why it is generated from the widgets' ``BINDINGS``: a hand-written list drifts the day someone adds a key.
Each section names the classes whose bindings it lists; a few keys that Textual handles without a visible
binding (``tab``, ``ctrl+p``) are added by hand.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterable, Mapping, Sequence
from typing import ClassVar

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.dom import DOMNode
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static, Tree

from explorer.textsafe import one_line as printable
from explorer.tui.screens.editor import EditorScreen
from explorer.tui.screens.editor_dialogs import DiffConfirmScreen, StaleChoiceScreen
from explorer.tui.screens.errors import ErrorsScreen
from explorer.tui.screens.errors_detail import ErrorDetailScreen
from explorer.tui.screens.fix_dialogs import FixPreviewScreen, FixProgressDialog, PatchEditorScreen
from explorer.tui.screens.http_log import HttpLogScreen
from explorer.tui.screens.jobs import JobsScreen
from explorer.tui.screens.journal import JournalScreen
from explorer.tui.screens.main import MainScreen
from explorer.tui.screens.token import TokenScreen
from explorer.tui.widgets.errors_panel import ErrorsPanel
from explorer.tui.widgets.json_view import JsonView
from explorer.tui.widgets.line_viewer import LineViewer
from explorer.tui.widgets.problem_panel import ProblemPanel
from explorer.tui.widgets.resource_tree import ResourceTree

Section = tuple[str, Sequence[tuple[str, str]]]

ID_MARK = "\t"
"""Separates a row's description from its binding id (shown dimmed: the name to use in ``[keymap]``)."""

EXTRA_EVERYWHERE: tuple[tuple[str, str], ...] = (
    ("^p", "Palette: jump to any integration, flow, step, connection"),
    ("tab / shift+tab", "Move focus between the tree and the JSON pane"),
    ("esc", "Back: close a screen, clear the filter, leave zoom"),
)
EXTRA_TREE: tuple[tuple[str, str], ...] = (
    ("enter", "Open: expand, list an Errors node, read a leaf, retry a failure"),
    ("space", "Expand or collapse"),
)
DESCRIPTIONS: dict[str, str] = {
    "app.help": "This list of keys",
    "app.token": "Token panel: what this token may touch",
    "app.http_log": "HTTP log: every request; copy as curl",
    "app.stop_waiting": "Stop waiting for the slow request the status line shows",
    "tree.refresh": "Refresh the node under the cursor (retries a failed one)",
    "tree.reload_all": "Reload the whole account (keeps what is open)",
    "main.filter": "Filter the tree by name or id (loaded items)",
    "main.edit": "Edit the resource under the cursor (validate, diff, confirm, PUT)",
    "main.all_errors": "Integration/flow: open errors of all its steps; step/connection: edit in $EDITOR",
    "main.external_edit": "Edit the resource under the cursor in $VISUAL/$EDITOR",
    "main.undo": "Undo my last PUT of the resource under the cursor",
    "main.journal": "Journal of every write this tool made",
    "main.jobs": "Jobs of the flow under the cursor",
    "main.run_flow": "Run the flow under the cursor now (confirmed), follow its job",
    "app.switch_profile": "Switch profile without restarting",
    "main.zoom": "Give the JSON pane the whole width",
    "json_view.search": "Search the document (text)",
    "json_view.next_match": "Next match",
    "json_view.previous_match": "Previous match",
    "json_view.copy_value": "Copy the value under the cursor",
    "json_view.copy_path": "Copy the JSON path under the cursor",
    "json_view.copy_document": "Copy the whole document",
    "http_log.copy_curl": "Copy the selected request as curl (token as $IOX_TOKEN)",
    "http_log.clear": "Clear the log",
    "http_log.filter": "Filter requests by method, path or status",
    "errors.fix": "Fix data: patch the marked errors' retry data at once (preview, confirm, journal, retry)",
    "errors_panel.group_templates": "Group by message template (variable parts as <*>); enter filters to one",
    "fix.preview": "Check the patch and preview it on every record (writes nothing)",
    "fix.next_diff": "Next changed record's diff",
    "fix.previous_diff": "Previous changed record's diff",
    "fix.apply": "Apply: write the changed records (asks first; journaled as one batch)",
    "fix.retry_written": "After the writes: retry the records just patched",
}


def _key(app: App[object] | None, binding: Binding) -> str:
    """The key in effect: the user's ``[keymap]`` entry for the binding's id, else the default."""
    keymap: Mapping[str, str] = getattr(app, "keymap", {}) if app is not None else {}
    if binding.id and binding.id in keymap:
        keys = [binding.with_key(key, key_display=None) for key in keymap[binding.id].split(",")]
        return " / ".join(app.get_key_display(key) if app is not None else key.key for key in keys)
    if app is not None:
        return app.get_key_display(binding)
    return binding.key_display or binding.key


def binding_rows(app: App[object] | None, groups: Iterable[Sequence[BindingType]],
                 skip: frozenset[str] = frozenset()) -> list[tuple[str, str]]:
    """(key, description) for every binding in the groups, one row per action, keys joined with ``/``.

    ``skip`` names actions described by hand instead (their generic description says too little).
    """
    rows: dict[str, tuple[list[str], str]] = {}
    for group in groups:
        for binding in Binding.make_bindings(group):
            if binding.system or binding.action in skip:
                continue
            description = DESCRIPTIONS.get(binding.id or "", binding.description or binding.action)
            if binding.id:
                description += ID_MARK + binding.id
            keys, _ = rows.setdefault(binding.action, ([], description))
            shown = _key(app, binding)
            if shown not in keys:
                keys.append(shown)
    return [(" / ".join(keys), description) for keys, description in rows.values()]


def help_sections(app: App[object] | None) -> list[Section]:
    """Every key of the explorer, by place."""
    app_bindings: list[Sequence[BindingType]] = [App.BINDINGS]
    if app is not None:
        app_bindings.insert(0, type(app).BINDINGS)
    return [
        ("Everywhere", [*binding_rows(app, app_bindings), *EXTRA_EVERYWHERE]),
        ("Main screen", binding_rows(app, [MainScreen.BINDINGS], skip=frozenset({"read_only_refusal"}))),
        ("Resource tree", [*EXTRA_TREE, *binding_rows(app, [Tree.BINDINGS, ResourceTree.BINDINGS],
                                                       skip=frozenset({"select_cursor", "toggle_node"}))]),
        ("JSON pane", binding_rows(app, [JsonView.BINDINGS, LineViewer.BINDINGS])),
        ("Errors of a step (enter on an Errors node)",
         binding_rows(app, [ErrorsScreen.BINDINGS, ErrorsPanel.BINDINGS])),
        ("Error detail (enter on an error)", binding_rows(app, [ErrorDetailScreen.BINDINGS])),
        ("Fix data (T on marked errors)",
         binding_rows(app, [PatchEditorScreen.BINDINGS, FixPreviewScreen.BINDINGS,
                            FixProgressDialog.BINDINGS])),
        ("Jobs (J)", binding_rows(app, [JobsScreen.BINDINGS])),
        ("Editor (e)", binding_rows(app, [EditorScreen.BINDINGS, DiffConfirmScreen.BINDINGS,
                                          StaleChoiceScreen.BINDINGS])),
        ("Journal (w)", binding_rows(app, [JournalScreen.BINDINGS])),
        ("HTTP log (l)", [*binding_rows(app, [HttpLogScreen.BINDINGS]),
                          ("enter", "Show the whole exchange of the selected request")]),
        ("Token panel (t)", binding_rows(app, [TokenScreen.BINDINGS])),
        ("Tables", binding_rows(app, [DataTable.BINDINGS])),
        ("When the account cannot be loaded", binding_rows(app, [ProblemPanel.BINDINGS])),
    ]


def binding_ids() -> set[str]:
    """Every binding id of the explorer's screens and widgets (each ``explorer.tui`` module imported)."""
    import explorer.tui

    for module in pkgutil.walk_packages(explorer.tui.__path__, "explorer.tui."):
        importlib.import_module(module.name)
    ids: set[str] = set()
    pending: list[type[DOMNode]] = [DOMNode]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.__module__.startswith("explorer."):
            ids.update(b.id for b in Binding.make_bindings(cls.__dict__.get("BINDINGS", [])) if b.id)
    return ids


def unknown_keymap_ids(keymap: Mapping[str, str]) -> list[str]:
    """The ``[keymap]`` ids no key has (a typo, or a key that was renamed): Textual ignores them silently."""
    if not keymap:
        return []
    known = binding_ids()
    return sorted(printable(binding_id) for binding_id in keymap if binding_id not in known)


def help_text(sections: Sequence[Section]) -> Text:
    """The sections as aligned text."""
    width = max((len(key) for _, rows in sections for key, _ in rows), default=8) + 2
    text = Text(end="")
    for title, rows in sections:
        text.append(title + "\n", style="bold underline")
        for key, description in rows:
            text.append(f"  {key:<{width}}", style="bold")
            words, _, binding_id = description.partition(ID_MARK)
            text.append(words)
            if binding_id:
                text.append(f"  {binding_id}", style="dim")
            text.append("\n")
        text.append("\n")
    return text


class HelpScreen(Screen[None]):
    """``esc``, ``q`` or ``?`` closes it; arrows and page keys scroll."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark,q", "app.pop_screen", "Close", id="help.close"),
    ]

    DEFAULT_CSS = """
    HelpScreen {
        #help-title { height: 1; background: $panel; padding: 0 1; }
        #help-scroll { height: 1fr; padding: 0 1; }
    }
    """

    def compose(self) -> ComposeResult:
        title = Text(no_wrap=True, overflow="ellipsis", end="")
        title.append("Keys", style="bold")
        title.append(" · dim: the id to move a key in the config's [keymap] · the footer shows the keys "
                     "where the focus is", style="dim")
        yield Static(title, id="help-title", markup=False)
        sections = help_sections(self.app)
        with VerticalScroll(id="help-scroll"):
            unknown = unknown_keymap_ids(getattr(self.app, "keymap", {}))
            if unknown:
                warning = Text("[keymap] names ids no key has (ignored): " + ", ".join(unknown) + "\n",
                               style="bold")
                yield Static(warning, id="help-keymap-unknown", markup=False)
            yield Static(help_text(sections), id="help-text", markup=False)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#help-scroll").focus()
