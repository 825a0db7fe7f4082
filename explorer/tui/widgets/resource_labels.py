"""How the resource tree draws a node: kind, name, badge, markers, state — fitted to the pane's width.

Why apart from the loading logic: drawing is where server text meets the terminal, so it is kept small and
checkable. Labels are ``Text`` built piece by piece from server strings passed through ``printable`` — never
markup — so a name like ``[bold]x`` or one holding an escape sequence shows literally. They are drawn from
the node's ``TreeItem`` at paint time (``render_label``), so a changed badge only needs its line repainted,
and a narrow pane shortens the tags, then the name, but always shows the badge and the state.
"""

from __future__ import annotations

from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from explorer.services.account import Failure, TreeItem
from explorer.tui.literal import one_line

NAME_LIMIT = 80
"""Characters of a name shown in a label (the JSON pane shows it whole)."""


class LabelledTree(Tree[TreeItem]):
    """A tree of ``TreeItem`` drawn with badges and states; ``ResourceTree`` adds the loading."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "resource-tree--muted",
        "resource-tree--badge",
        "resource-tree--warning",
        "resource-tree--error",
        "resource-tree--locked",
        "resource-tree--kind",
    }

    DEFAULT_CSS = """
    LabelledTree {
        & > .resource-tree--muted { color: $text-muted; }
        & > .resource-tree--badge { color: $text-error; text-style: bold; }
        & > .resource-tree--warning { color: $text-warning; }
        & > .resource-tree--error { color: $text-error; }
        & > .resource-tree--locked { color: $text-muted; text-style: italic; }
        & > .resource-tree--kind { color: $text-accent; }
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(Text("account"), id=id)
        self._loading: set[str] = set()
        self._failures: dict[str, Failure] = {}
        self.badges_pending = True
        """True until every badge is known: unknown counts show as ``…`` (afterwards as ``?``)."""
        self._styles: dict[str, Style] = {}

    def failure_of(self, item: TreeItem) -> Failure | None:
        """Why the item (or loading its children) failed, if it did."""
        return self._failures.get(item.key) or item.failure

    def is_loading(self, key: str) -> bool:
        """True while the children of ``key`` are being loaded."""
        return key in self._loading

    def _style(self, name: str) -> Style:
        # The full style resolves "auto"/alpha colours against the background; keep only the foreground
        # attributes so the cursor and hover backgrounds still show through. Cached: labels are built for
        # hundreds of nodes at once, and resolving a component style is the costly part.
        style = self._styles.get(name)
        if style is None:
            full = self.get_component_rich_style(f"resource-tree--{name}", partial=False)
            style = self._styles[name] = Style(color=full.color, bold=full.bold, italic=full.italic)
        return style

    def notify_style_update(self) -> None:
        """The theme or CSS changed: resolve the label styles again."""
        self._styles.clear()
        super().notify_style_update()

    def label_of(self, node: TreeNode[TreeItem]) -> Text:
        """The whole label of a node as drawn (before fitting to the pane's width); for tests and tools."""
        return self._label(node.data) if node.data is not None else node.label.copy()  # type: ignore[union-attr]

    def _label(self, item: TreeItem) -> Text:
        """The node's whole label; ``render_label`` draws it fitted to the pane's width."""
        head, name, tail, tags = self._parts(item)
        return Text.assemble(head, name, tail, tags, no_wrap=True, end="")

    def _parts(self, item: TreeItem) -> tuple[Text, Text, Text, Text]:
        """(kind prefix, name, badge + markers + state, tags): every server string literal, never markup.

        Split so a narrow pane shortens the tags first, then the name, but always shows the badge and state.
        """
        muted = self._style("muted")
        head, name, tail, tags_text = (Text(no_wrap=True, end="") for _ in range(4))
        if item.kind == "notice":
            failure = item.failure
            style = muted if failure is None or failure.locked else self._style("error")
            marker = "" if failure is None else ("⊘ " if failure.locked else "⚠ ")
            name.append(marker + one_line(item.name, 200), style)
            return head, name, tail, tags_text
        if item.kind == "jobs":
            head.append("Jobs", self._style("kind"))
            tail.append("  latest runs", muted)
            return head, name, tail, tags_text
        if item.kind == "errors":
            head.append("Errors", self._style("kind"))
            self._errors_badge(item, tail)
            return head, name, tail, tags_text
        tags = list(item.tags)
        if item.kind == "step" and tags:
            head.append(f"{tags.pop(0):<6} ", self._style("kind"))
        elif item.key.startswith("stepconnection:"):
            head.append("uses   ", self._style("kind"))
        failure = self.failure_of(item)
        name_style = self._style("locked") if failure is not None and failure.locked else Style()
        name.append(one_line(item.label, NAME_LIMIT), name_style)
        self._badge(item, tail)
        if "disabled" in item.flags:
            tail.append("  disabled", self._style("warning"))
        if "offline" in item.flags:
            tail.append("  offline", self._style("error"))
        if item.key in self._loading:
            tail.append("  loading…", muted)
        elif failure is not None:
            if failure.locked:
                tail.append("  ⊘ locked", self._style("locked"))
            else:
                status = f" {failure.status}" if failure.status is not None else ""
                tail.append(f"  ⚠ failed{status}", self._style("error"))
        for tag in tags:
            tags_text.append(" · " + one_line(tag, 40), muted)
        return head, name, tail, tags_text

    def render_label(self, node: TreeNode[TreeItem], base_style: Style, style: Style) -> Text:
        """The label fitted to the pane: tags shortened first, then the name; badge and state always shown."""
        item = node.data
        available = self.scrollable_content_region.width
        if item is None or available <= 0:
            return super().render_label(node, base_style, style)
        depth = 0
        parent = node.parent
        while parent is not None and not parent.is_root:
            depth += 1
            parent = parent.parent
        icon = (self.ICON_NODE_EXPANDED if node.is_expanded else self.ICON_NODE) if node.allow_expand else ""
        width = available - depth * self.guide_depth - len(icon)
        label = _fit(*self._parts(item), width)
        label.stylize(style)
        return Text.assemble((icon, base_style + _TOGGLE), label, no_wrap=True, end="")

    def _badge(self, item: TreeItem, text: Text) -> None:
        if item.kind not in ("integration", "standalone", "flow", "step"):
            return
        if item.open_errors is None:
            pending = self.badges_pending or item.key in self._loading
            if item.kind in ("integration", "standalone") or (item.kind == "flow" and pending):
                text.append("  …" if pending else "  ?", self._style("muted"))
        elif item.open_errors:
            text.append(f"  ● {item.open_errors:,}", self._style("badge"))

    def _errors_badge(self, item: TreeItem, text: Text) -> None:
        if item.open_errors is None:
            text.append("  …", self._style("muted"))
        elif item.open_errors:
            text.append(f"  {item.open_errors:,} open", self._style("badge"))
        else:
            text.append("  none open", self._style("muted"))



def plain_label(item: TreeItem) -> Text:
    """What Tree stores as the label: the name only (drawing uses the item, see ``render_label``).

    Building the styled label for hundreds of collapsed nodes would only slow down the first paint.
    """
    return Text(one_line(item.label, NAME_LIMIT), no_wrap=True, end="")


_TOGGLE = Style.from_meta({"toggle": True})
"""Clicking the expand icon toggles the node (what Tree's own labels carry)."""
MIN_NAME = 6


def _fit(head: Text, name: Text, tail: Text, tags: Text, width: int) -> Text:
    """The label parts within ``width`` cells: shorten the tags, then the name (never below ``MIN_NAME``)."""
    fixed = head.cell_len + tail.cell_len
    if fixed + name.cell_len + tags.cell_len > width:
        room = width - fixed - name.cell_len
        if room >= 4:
            tags.truncate(room, overflow="ellipsis")
        else:
            tags = Text()
            if fixed + name.cell_len > width:
                name.truncate(max(width - fixed, MIN_NAME), overflow="ellipsis")
    return Text.assemble(head, name, tail, tags, no_wrap=True, end="")
