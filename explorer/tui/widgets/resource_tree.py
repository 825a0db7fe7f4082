"""The account tree: integrations → flows → steps → Errors, standalone flows and connections, loaded lazily.

Why it is a view over ``TreeItem`` values: the account service builds the items (the same ones ``iox tree``
prints); this widget only keeps them, turns them into labels and loads what is missing in workers. Keeping the
items as the model makes refresh, filter and palette jumps a rebuild of the view, with expansion and cursor
restored by the items' stable keys. How a node is drawn lives in ``resource_labels``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable, Iterator
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from explorer.client import ApiError, Canceled
from explorer.client.urls import host_label
from explorer.services.account import (
    CONNECTIONS_KEY,
    STANDALONE_KEY,
    AccountRoot,
    AccountService,
    Failure,
    TreeItem,
    connections_item,
    flow_children,
    flow_item,
    integration_item,
    notice_item,
    root_items,
)
from explorer.tui.stop_waiting import in_scope_of, scoped
from explorer.tui.widgets.resource_labels import LabelledTree, plain_label


class ResourceTree(LabelledTree):
    """The left pane. Posts ``RootLoaded``/``RootFailed`` and ``ItemChanged``; keys ``r`` and ``ctrl+r``."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "refresh_node", "Refresh", id="tree.refresh"),
        Binding("ctrl+r", "reload_all", "Reload all", show=False, id="tree.reload_all"),
        Binding("right", "expand_or_down", "Expand", show=False, id="tree.expand"),
        Binding("left", "collapse_or_up", "Collapse", show=False, id="tree.collapse"),
        Binding("j", "cursor_down", "Down", show=False, id="tree.cursor_down"),
        Binding("k", "cursor_up", "Up", show=False, id="tree.cursor_up"),
        Binding("home", "scroll_home", "First", show=False, id="tree.scroll_home"),
        Binding("end", "scroll_end", "Last", show=False, id="tree.scroll_end"),
        Binding("pageup", "page_up", "Page up", show=False, id="tree.page_up"),
        Binding("pagedown", "page_down", "Page down", show=False, id="tree.page_down"),
    ]
    """``r`` refreshes the node under the cursor, ``ctrl+r`` everything; arrows move, ``right``/``left``
    expand and collapse (or go to the first child / the parent), ``enter``/``space`` toggle."""

    class RootLoaded(Message):
        """The root level is in the tree (the header shows the token; the palette can search)."""

        def __init__(self, root: AccountRoot) -> None:
            super().__init__()
            self.root = root

    class RootFailed(Message):
        """``tokenInfo`` (or a bug-free but failed root load) failed: the screen explains it."""

        def __init__(self, error: ApiError) -> None:
            super().__init__()
            self.error = error

    class ItemChanged(Message):
        """The item under the cursor changed in place (refreshed, locked, renamed): re-show it."""

        def __init__(self, item: TreeItem) -> None:
            super().__init__()
            self.item = item

    def __init__(self, service: AccountService, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.service = service
        self.show_root = False
        self.guide_depth = 2
        self.items: list[TreeItem] = []
        self._node_by_key: dict[str, TreeNode[TreeItem]] = {}
        self._expanded: set[str] = set()
        self._filter = ""
        self._cursor_key: str | None = None
        self.root_painted_at: float | None = None
        """``time.monotonic()`` after the first refresh that showed the root level (for the benchmark)."""
        self.badges_painted_at: float | None = None
        """``time.monotonic()`` after the refresh that showed the last badge."""
        self._catalog_wanted = asyncio.Event()

    # ----------------------------------------------------------------------------------------- public
    @property
    def cursor_item(self) -> TreeItem | None:
        """The item under the cursor (None on nothing)."""
        node = self.cursor_node
        return node.data if node is not None else None

    @property
    def filter_text(self) -> str:
        """The active filter ("" when none)."""
        return self._filter

    def item(self, key: str) -> TreeItem | None:
        """The item with this key anywhere in the loaded model."""
        return next((item for item in self.walk() if item.key == key), None)

    def walk(self, items: Iterable[TreeItem] | None = None) -> Iterator[TreeItem]:
        """Every loaded item, depth first."""
        for item in self.items if items is None else items:
            yield item
            if item.children:
                yield from self.walk(item.children)

    def load(self) -> None:
        """Load the account's root level, then badges and the step catalog in the background."""
        self.clear()
        self._node_by_key.clear()
        self.items = []
        self.root.add_leaf(Text("Loading account…", style="italic"))
        self.load_root()

    def set_filter(self, text: str) -> None:
        """Show only loaded items whose name or id contains ``text`` (case-insensitive), and their parents."""
        self._filter = text.strip().lower()
        self._rebuild()

    def set_failure(self, key: str, failure: Failure) -> None:
        """Mark an item as failed or locked (e.g. its document answered 403) and relabel it."""
        self._failures[key] = failure
        self._relabel(key)

    def set_failure_cleared(self, key: str) -> None:
        """Forget a failure or lock recorded for ``key`` (e.g. after a successful save) and relabel it."""
        self._failures.pop(key, None)
        self._relabel(key)

    def update_doc(self, key: str, doc: dict[str, object]) -> None:
        """Remember a document fetched for an item, so the JSON pane does not ask again."""
        item = self.item(key)
        if item is not None:
            item.doc = dict(doc)

    async def reveal(self, key: str) -> bool:
        """Expand the way to ``key`` (loading flows on the way), move the cursor there; False if unknown."""
        if self._filter:
            self.set_filter("")
        chain = self._chain(key)
        if not chain:
            return False
        for ancestor in chain[:-1]:
            item = self.item(ancestor)
            node = self._node_by_key.get(ancestor)
            if item is None or node is None:
                return False
            if item.kind == "flow" and item.children is None:
                await self._load_flow(item)
            self._expanded.add(ancestor)
            node = self._node_by_key.get(ancestor)
            if node is not None and not node.is_expanded:
                node.expand()
        node = self._node_by_key.get(key)
        if node is None:
            return False
        self._move_to(node)
        return True

    # ----------------------------------------------------------------------------------------- root
    @property
    def root_loading(self) -> bool:
        """True while the account's root level is being loaded (``esc`` stops it)."""
        return any(w.node is self and w.group == "tree-root" and w.is_running for w in self.workers)

    def stop_root_load(self) -> bool:
        """``esc`` while the account loads: stop waiting, say so (``r`` retries); False when not loading."""
        if not self.root_loading:
            return False
        self.workers.cancel_group(self, "tree-root")
        host = host_label(self.service.client.base_url)
        error = Canceled(None, "canceled", f"stopped waiting for {host} (esc): r retries")
        self.clear()
        self._node_by_key.clear()
        failure = Failure.from_error(error)
        self.items = [notice_item("root", f"could not load the account: {failure.summary}", failure)]
        self._rebuild()
        self.post_message(self.RootFailed(error))
        return True

    @work(exclusive=True, group="tree-root")
    async def load_root(self) -> None:
        """The root level (four concurrent requests), then badges and the catalog."""
        try:
            root = await self.service.load_root()
        except ApiError as exc:
            self.clear()
            self._node_by_key.clear()
            failure = Failure.from_error(exc)
            self.items = [notice_item("root", f"could not load the account: {failure.summary}", failure)]
            self._rebuild()
            self.post_message(self.RootFailed(exc))
            return
        self.items = root_items(root)
        self.badges_pending = True
        self._rebuild()
        self.call_after_refresh(self._stamp, "root_painted_at")
        if self.cursor_line < 0 and self.items:
            self.cursor_line = 0
        self.post_message(self.RootLoaded(root))
        # Badges start once the root level is on screen: their answers would otherwise compete with it.
        self.call_after_refresh(self.load_badges, root)
        self.load_catalog()

    @work(exclusive=True, group="tree-badges")
    @scoped
    async def load_badges(self, root: AccountRoot) -> None:
        """Fill error badges as each summary arrives."""
        index = {item.key: item for item in self.walk()}
        async for badge in self.service.iter_badges(root):
            if badge.kind == "integration":
                item = index.get(f"integration:{badge.id}")
                if item is None:
                    continue
                item.open_errors = badge.total
                if badge.failure is not None and not badge.failure.locked:
                    item.tags = (*item.tags, "errors unknown")
                for child in item.children or ():
                    child.open_errors = badge.counts.get(child.id, 0) if badge.total is not None else None
                    self._relabel(child.key)
                self._relabel(item.key)
            else:
                item = index.get(f"flow:{badge.id}")
                if item is not None:
                    item.open_errors = badge.total
                    self._relabel(item.key)
        standalone = self.item(STANDALONE_KEY)
        if standalone is not None:
            standalone.open_errors = self.service.standalone_total(root)
        self.badges_pending = False
        for item in self.walk():
            self._relabel(item.key)
        self.call_after_refresh(self._stamp, "badges_painted_at")
        self._catalog_wanted.set()

    @work(exclusive=True, group="tree-catalog")
    @scoped
    async def load_catalog(self) -> None:
        """Name the steps of flows already open once the exports and imports lists are in.

        The two (possibly big) lists wait until the badges are in, or until a flow is opened, so they do not
        compete with the summaries the first screen needs.
        """
        await self._catalog_wanted.wait()
        await self.service.catalog()
        for item in list(self.walk()):
            if item.kind == "flow" and item.children is not None:
                flow = self.service.root.flow(item.id) if self.service.root is not None else None
                if flow is not None:
                    self._replace_children(item, flow_children(flow.id, self.service.steps(flow)))

    # ----------------------------------------------------------------------------------------- lazy loads
    def _start_load(self, item: TreeItem) -> None:
        if item.kind != "flow" or item.key in self._loading:
            return
        with in_scope_of(self):  # esc stops a slow load (tui.stop_waiting): the node says "r retries"
            self.run_worker(self._load_flow(item), group=f"load:{item.key}", exclusive=True,
                            description=f"load steps of {item.key}")

    async def _load_flow(self, item: TreeItem) -> None:
        """Steps of a flow: one summary request; names from the catalog when it is in."""
        flow = self.service.root.flow(item.id) if self.service.root is not None else None
        if flow is None:
            return
        self._loading.add(item.key)
        self._failures.pop(item.key, None)
        self._replace_children(item, None)
        self._catalog_wanted.set()
        try:
            counts = await self.service.step_counts(flow.id)
        except ApiError as exc:
            self._loading.discard(item.key)
            self._failures[item.key] = Failure.from_error(exc)
            self._replace_children(item, None)
            self._changed(item)
            return
        self._loading.discard(item.key)
        item.open_errors = sum(counts.values())
        self._replace_children(item, flow_children(flow.id, self.service.steps(flow)))

    # ----------------------------------------------------------------------------------------- refresh
    def action_refresh_node(self) -> None:
        """``r``: load the node under the cursor again (a notice retries its parent)."""
        item = self.cursor_item
        if item is None:
            return
        if item.kind == "notice":
            if item.key == "notice:root":
                self.action_reload_all()
                return
            parent = self.item(item.key.removeprefix("notice:"))
            if parent is None:
                return
            item = parent
        self.refresh_key(item.key)

    def refresh_key(self, key: str) -> bool:
        """Load the item with ``key`` again in a worker (as ``r`` does); False if it is not in the tree."""
        item = self.item(key)
        if item is None:
            return False
        with in_scope_of(self):
            self.run_worker(self._refresh(item), group=f"refresh:{item.key}", exclusive=True,
                            description=f"refresh {item.key}")
        return True

    def items_for(self, doc_path: str) -> list[TreeItem]:
        """Every loaded item showing the document at ``doc_path`` (a connection shows under steps too)."""
        return [item for item in self.walk() if item.doc_path == doc_path]

    def action_reload_all(self) -> None:
        """``ctrl+r``: forget every cache and load the account again; expansion and cursor are kept."""
        item = self.cursor_item
        if item is not None:
            self._cursor_key = item.key
        self.service.forget()
        self._failures.clear()
        self._loading.clear()
        for group in ("tree-badges", "tree-catalog"):
            self.workers.cancel_group(self, group)
        self.badges_pending = True
        self._catalog_wanted.clear()
        self.load_root()

    async def _refresh(self, item: TreeItem) -> None:
        self._failures.pop(item.key, None)
        self._loading.add(item.key)
        self._relabel(item.key)
        try:
            await self._refresh_item(item)
        except ApiError as exc:
            self._failures[item.key] = Failure.from_error(exc)
            self.notify(f"Refresh failed: {exc.message}", severity="error", markup=False)
        finally:
            self._loading.discard(item.key)
        self._relabel(item.key)
        self._changed(item)

    async def _refresh_item(self, item: TreeItem) -> None:
        service = self.service
        if item.kind == "integration":
            integration, flows, total = await service.refresh_integration(item.id)
            fresh = integration_item(integration, item.id, flows, total)
            for child in fresh.children or ():
                child.open_errors = service.flow_errors.get(child.id)
            self._swap(item, fresh)
        elif item.kind == "flow":
            flow, steps = await service.refresh_flow(item.id)
            fresh = flow_item(flow, service.flow_errors.get(flow.id), steps)
            self._swap(item, fresh)
            self._recount_parent(fresh)
        elif item.kind in ("step", "errors", "jobs"):
            flow_item_ = self.item(f"flow:{item.flow_id}")
            if flow_item_ is not None:
                await self._refresh_item(flow_item_)
            if item.kind == "step" and item.doc_path:
                fresh_step = self.item(item.key)
                doc = await service.document(item.doc_path)
                if fresh_step is not None and isinstance(doc, dict):
                    fresh_step.doc = doc
        elif item.kind == "connections":
            connections = await service.refresh_connections()
            self._swap(item, connections_item(connections))
        elif item.kind == "connection" and item.doc_path:
            doc = await service.document(item.doc_path)
            if isinstance(doc, dict):
                item.doc = doc
                item.flags = frozenset({"offline"}) if doc.get("offline") is True else frozenset()
                name = doc.get("name")
                item.name = name if isinstance(name, str) else item.name
        else:
            self.action_reload_all()

    # ----------------------------------------------------------------------------------------- events
    @on(Tree.NodeExpanded)
    def _expanded_node(self, event: Tree.NodeExpanded[TreeItem]) -> None:
        item = event.node.data
        if item is None:
            return
        self._expanded.add(item.key)
        if item.kind == "flow" and item.children is None and not self._filter:
            self._start_load(item)

    @on(Tree.NodeCollapsed)
    def _collapsed_node(self, event: Tree.NodeCollapsed[TreeItem]) -> None:
        if event.node.data is not None:
            self._expanded.discard(event.node.data.key)

    def action_expand_or_down(self) -> None:
        """``right``: expand a collapsed node, or step into an expanded one."""
        node = self.cursor_node
        if node is None:
            return
        if node.allow_expand and not node.is_expanded:
            node.expand()
        elif node.children:
            self._move_to(node.children[0])

    def action_collapse_or_up(self) -> None:
        """``left``: collapse an expanded node, or go to the parent."""
        node = self.cursor_node
        if node is None:
            return
        if node.allow_expand and node.is_expanded:
            node.collapse()
        elif node.parent is not None and not node.parent.is_root:
            self._move_to(node.parent)

    # ----------------------------------------------------------------------------------------- view
    def _rebuild(self) -> None:
        """Put the model back in the tree (after load, refresh or filter), keeping the cursor's item."""
        current = self.cursor_item
        keep = self._cursor_key or (current.key if current is not None else None)
        self.clear()
        self._node_by_key.clear()
        for item in self.items:
            if self._visible(item):
                self._add(self.root, item)
        target = self._node_by_key.get(keep) if keep else None
        if target is not None:
            self._cursor_key = None
            self._move_to(target)
        elif self._node_by_key:
            self.cursor_line = min(max(self.cursor_line, 0), self.last_line)

    def _visible(self, item: TreeItem) -> bool:
        if not self._filter:
            return True
        if self._matches(item):
            return True
        return any(self._visible(child) for child in item.children or ())

    def _matches(self, item: TreeItem) -> bool:
        return item.kind not in ("notice", "errors") and (
            self._filter in item.name.lower() or self._filter in item.id.lower())

    def _add(self, parent: TreeNode[TreeItem], item: TreeItem) -> None:
        expanded = item.key in self._expanded or (
            bool(self._filter) and any(self._visible(c) for c in item.children or ()))
        if item.expandable:
            node = parent.add(plain_label(item), item, expand=expanded)
        else:
            node = parent.add_leaf(plain_label(item), item)
        self._node_by_key[item.key] = node
        self._fill_children(node, item)
        if expanded and item.children is None and item.kind == "flow" and not self._filter \
                and item.key not in self._loading and item.key not in self._failures:
            self.call_later(self._start_load, item)
        if self._cursor_key == item.key:
            self._cursor_key = None
            self.call_after_refresh(self._move_to, node)

    def _fill_children(self, node: TreeNode[TreeItem], item: TreeItem) -> None:
        if item.children is not None:
            for child in item.children:
                if self._visible(child):
                    self._add(node, child)
        elif item.key in self._loading:
            self._add(node, notice_item(item.key, "loading…"))
        elif item.key in self._failures:
            failure = self._failures[item.key]
            text = (f"locked — {failure.summary}" if failure.locked
                    else f"press r to retry — {failure.summary}")
            self._add(node, notice_item(item.key, text, failure))

    def _forget_nodes(self, node: TreeNode[TreeItem]) -> None:
        for child in node.children:
            self._forget_nodes(child)
            if child.data is not None and self._node_by_key.get(child.data.key) is child:
                del self._node_by_key[child.data.key]

    def _replace_children(self, item: TreeItem, children: list[TreeItem] | None) -> None:
        """Swap an item's children in the model and in the view, keeping the cursor on the same key."""
        item.children = children
        node = self._node_by_key.get(item.key)
        if node is None:
            return
        current = self.cursor_item
        self._forget_nodes(node)
        node.remove_children()
        self._fill_children(node, item)
        node.refresh()
        moved = self._node_by_key.get(current.key) if current is not None else None
        if moved is not None and moved is not self.cursor_node:
            self._move_to(moved)
        elif moved is None and current is not None and current.key != item.key:
            # The cursor's item is below a child that is loading again (a reloaded integration's flows
            # load their steps afterwards): wait on the refreshed node, and go back to the item when it
            # is added (``_add``), instead of staying on a line that now shows something else.
            self._cursor_key = current.key
            self._move_to(node)

    def _swap(self, old: TreeItem, new: TreeItem) -> None:
        """Replace an item in the model with a fresh one of the same key and show it."""
        siblings = self._siblings_of(old)
        if siblings is None:
            return
        siblings[siblings.index(old)] = new
        node = self._node_by_key.get(old.key)
        if node is None:
            return
        node.data = new
        self._replace_children(new, new.children)

    def _recount_parent(self, flow: TreeItem) -> None:
        """An integration's (or the standalone group's) badge from its flows' badges, when all are known."""
        parent = next((i for i in self.items if flow in (i.children or [])), None)
        if parent is None:
            return
        counts = [child.open_errors for child in parent.children or []]
        if all(count is not None for count in counts):
            parent.open_errors = sum(count or 0 for count in counts)
            self._relabel(parent.key)

    def _siblings_of(self, item: TreeItem) -> list[TreeItem] | None:
        if item in self.items:
            return self.items
        for parent in self.walk():
            if parent.children is not None and item in parent.children:
                return parent.children
        return None

    def _relabel(self, key: str) -> None:
        # Labels are drawn from the item by render_label, so a changed item only needs its line repainted.
        node = self._node_by_key.get(key)
        if node is not None:
            node.refresh()

    def _changed(self, item: TreeItem) -> None:
        """Repaint the panes if the cursor is on ``item``, on anything under it, or on its notice.

        ``r`` on a flow reloads its steps too: a pane showing one of them (maybe an old error) must follow.
        """
        current = self.cursor_item
        if current is None:
            return
        fresh = self.item(item.key) or item
        affected = {each.key for each in self.walk([fresh])} | {item.key, f"notice:{item.key}"}
        if current.key in affected:
            self.post_message(self.ItemChanged(current))

    def _stamp(self, attribute: str) -> None:
        setattr(self, attribute, time.monotonic())

    def _move_to(self, node: TreeNode[TreeItem]) -> None:
        _ = self.last_line  # lays the lines out, so the node knows its line number
        self.move_cursor(node)

    def _chain(self, key: str) -> list[str]:
        """Keys from the top level down to ``key`` (steps of unloaded flows are derived from the key)."""
        kind, _, rest = key.partition(":")
        if kind == "jobs":
            flow_chain = self._chain(f"flow:{rest}")
            return [*flow_chain, key] if flow_chain else []
        if kind in ("step", "errors", "stepconnection"):
            flow_id, _, step_id = rest.partition(":")
            flow_chain = self._chain(f"flow:{flow_id}")
            if not flow_chain:
                return []
            chain = [*flow_chain, f"step:{flow_id}:{step_id}"]
            return chain if kind == "step" else [*chain, key]

        def search(items: list[TreeItem], path: list[str]) -> list[str]:
            for item in items:
                if item.key == key:
                    return [*path, item.key]
                found = search(item.children or [], [*path, item.key])
                if found:
                    return found
            return []

        return search(self.items, [])


__all__ = ["CONNECTIONS_KEY", "ResourceTree"]
