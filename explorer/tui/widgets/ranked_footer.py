"""The footer, with the screen's most used keys first, rebuilt only when the keys it shows change.

Why the order: at 80 columns Textual's footer shows the keys in binding-chain order (the focused widget's
first), so on the main screen ``r Refresh`` led and ``? Help`` fell off the right edge. A screen lists its
keys in the order people reach for them (``FOOTER_ORDER``: action names); the others follow in Textual's
order.

Why not rebuild on every bindings signal: Textual's footer recomposes (removes every key widget and mounts
new ones, then lays the screen out again) each time the screen publishes "bindings updated" — on every
focus change and ``refresh_bindings`` — and queues one rebuild per signal. Opening the errors screen sent
six in a row: 120-350 ms of the event loop on a busy machine (measured with a loop-step log), in the very
moments the first rows and the first keys were due. Here signals are coalesced into one check after the
next refresh, and the footer is rebuilt only if the shown keys (binding, enabled, tooltip) differ from the
last build. When the new keys are some of the built ones, in the same order (an input took the focus and
hides the printable keys; grouping turned the row keys off), the other key widgets are only hidden, and
shown again when they come back: opening the errors filter with ``/`` and closing it with esc each rebuilt
~17 key widgets (30-120 ms of the event loop on a busy machine, while the letters typed next waited).

Why ``keys_at_once``: Textual's footer composes empty and builds its keys on the first signal, a frame or
more later. A screen that mounts its footer once its focus is set (the main screen) passes it: the keys are
in the screen's first frame, built once (start-up, issue 10).

Why keys that do not fit are hidden: the palette key is docked at the right, over the row of keys, so the
last key that did not fully fit showed half ("g G▏^p palette" at 120 columns on the errors screen). A key
that would cross the palette key's left edge is hidden with every key after it (all stay in the help
screen). A key widget's width never changes once built (its text is fixed), so ``_fit`` measures it without
a layout and runs before the layout it affects: when keys are built or shown/hidden, and on resize.
"""

from __future__ import annotations

from collections.abc import Sequence
from weakref import WeakKeyDictionary

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.geometry import Size
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer
from textual.widgets._footer import FooterKey


def footer_rank(order: Sequence[str], keys: Sequence[Widget]) -> list[Widget]:
    """``keys`` with the actions named in ``order`` first, in that order; the rest keep their order."""
    position = {action: index for index, action in enumerate(order)}

    def rank(item: tuple[int, Widget]) -> tuple[int, int]:
        index, widget = item
        action = widget.action if isinstance(widget, FooterKey) else ""
        return (position.get(action, len(position)), index)

    return [widget for _, widget in sorted(enumerate(keys), key=rank)]


UNBOUND_KEY_COMPACT = True
"""``FooterKey.compact``'s default (``reactive(True)``): what a key the footer does not bind (the palette
key) ends with."""
HOLD_LIMIT = 1.0
"""Seconds a held footer waits at most for ``release`` before it builds its keys anyway."""


class RankedFooter(Footer):
    """A ``Footer`` that puts the keys named by the screen's ``FOOTER_ORDER`` first (see the module).

    ``held=True``: the keys are first built when the screen calls ``release`` (or after ``HOLD_LIMIT``), for
    a screen whose first frame is more urgent than its footer: building ~17 key widgets and laying them
    out took 50-80 ms of the event loop on a busy machine (the errors screen releases it after its first
    frame, while its first page is on its way).
    """

    _built_from: tuple[object, ...] | None = None
    """What the key widgets were last composed from (``_shown_keys``); None before the first build."""
    _built_keys: dict[str, tuple[object, ...]] | None = None
    """The built key widgets' actions, in Textual's order, each with what its widget shows; None when a
    build made key groups (their layout is Textual's: always rebuilt)."""
    _check_queued = False
    """A check for changed keys is already waiting for the next refresh."""
    _wanted: set[str] | None = None
    """The actions of the built key widgets that ``_show_only`` shows; None: all of them."""

    def __init__(self, *, compact: bool = False, keys_at_once: bool = False, held: bool = False) -> None:
        super().__init__(compact=compact)
        self._measured: WeakKeyDictionary[Widget, tuple[bool, int]] = WeakKeyDictionary()
        """Each key widget's content width (``_content_width``), with the compact state it was measured in."""
        if keys_at_once:
            self.set_reactive(Footer._bindings_ready, True)
        self._held = held

    def on_mount(self) -> None:
        """Give up waiting for ``release`` after ``HOLD_LIMIT`` (Footer's own ``on_mount`` runs as well)."""
        if self._held:
            self.set_timer(HOLD_LIMIT, self.release)

    def release(self) -> None:
        """Build the keys now if they were held (a no-op otherwise); callable from the screen's handlers."""
        if self._held:
            self._held = False
            # From the footer's own queue: Textual binds the key widgets to the footer that is running.
            self.call_later(self._unheld)

    def _unheld(self) -> None:
        if self.is_attached:
            self.bindings_changed(self.screen)

    def _shown_keys(self) -> tuple[object, ...]:
        """Everything ``Footer.compose`` reads: the shown bindings (with enabled state and tooltip) in order,
        and whether the palette key is shown."""
        if not self._bindings_ready:
            return ()
        active = self.screen.active_bindings
        shown = tuple((binding, enabled, tooltip) for _, binding, enabled, tooltip in active.values()
                      if binding.show)
        palette = active.get(self.app.COMMAND_PALETTE_BINDING)
        with_palette = self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE and palette is not None
        return (*shown, (palette[1:] if with_palette and palette is not None else None))

    def bindings_changed(self, screen: Screen[object]) -> None:
        """Textual's hook for "bindings updated": queue one check (see the module docstring).

        Keys that only hide or show (``_show_only``) do so at once, in the frame that shows what changed
        them (the filter input): one layout of the screen, not a second one a frame later.
        """
        self._bindings_ready = True
        if self._held or not screen.app.app_focus:
            return
        if not self.is_attached or screen is not self.screen:
            return
        if self._built_keys is not None and not self._check_queued:
            shown = self._shown_keys()
            if shown == self._built_from or self._show_only(shown):
                return
        if not self._check_queued:
            self._check_queued = self.call_after_refresh(self._rebuild_if_changed)

    async def _rebuild_if_changed(self) -> None:
        self._check_queued = False
        if not self.is_attached:
            return
        shown = self._shown_keys()
        if shown == self._built_from:
            return
        if not self._show_only(shown):
            await self.recompose()
            self._fit()

    def on_resize(self, event: events.Resize) -> None:
        """Show the keys that fit the new width (only those)."""
        self._fit()

    def _fit(self) -> None:
        """Show the wanted keys (``_wanted``) that fully fit left of the palette key; hide the others, and
        every key after the first that does not fit (the ranked order stays: no gap filled by a later key).

        Horizontal layout: a widget's left edge is after the previous one's right margin (or its own left
        margin, the larger); widths are the widgets' own (content + padding + border), without a layout.
        """
        width = self.size.width
        if not width or not self.is_attached:
            return
        container, viewport = self.size, self.app.size
        limit = width
        children = list(self.children)
        for child in children:
            if child.has_class("-command-palette") and child.display:
                limit -= self._outer_width(child, container, viewport)
        x, margin, fits = 0, 0, True
        for child in children:
            if child.has_class("-command-palette"):
                continue
            wanted = self._wanted is None or not isinstance(child, FooterKey) or child.action in self._wanted
            if wanted and fits:
                x += max(margin, child.styles.margin.left)
                x += self._content_width(child, container, viewport) + child.styles.gutter.width
                margin = child.styles.margin.right
                fits = x <= limit
            child.display = wanted and fits

    def _outer_width(self, widget: Widget, container: Size, viewport: Size) -> int:
        return self._content_width(widget, container, viewport) + widget.styles.gutter.width + \
            widget.styles.margin.width

    def _content_width(self, widget: Widget, container: Size, viewport: Size) -> int:
        """A key widget's content width, measured once per widget (and per compact state).

        Why: measuring renders the key (``get_content_width``), and ``_fit`` measured every key again each
        time the errors filter opened or closed (``/``, esc), before the frame those keys wait for: 1.8-2.3
        ms a ``_fit`` on esc quietly, 0.35-0.5 ms with the widths kept (pilot, 120 columns).
        """
        state = widget.has_class("-compact")
        known = self._measured.get(widget)
        if known is not None and known[0] == state:
            return known[1]
        width = widget.get_content_width(container, viewport)
        self._measured[widget] = (state, width)
        return width

    def _show_only(self, shown: tuple[object, ...]) -> bool:
        """Show the built key widgets of ``shown`` and hide the others, if that is what a rebuild would show
        (True); False when a rebuild is needed (a new key, a changed one, another order, the palette key)."""
        built, built_from = self._built_keys, self._built_from
        if built is None or not built_from or not shown or shown[-1] != built_from[-1]:
            return False
        wanted = _by_action(shown[:-1])
        if any(built.get(action) != key for action, key in wanted.items()):
            return False
        if [action for action in built if action in wanted] != list(wanted):
            return False
        self._wanted = set(wanted)
        self._fit()
        self._built_from = shown
        return True

    def compose(self) -> ComposeResult:
        self._built_from = self._shown_keys()
        self._wanted = None
        keys = list(super().compose())
        plain = all(isinstance(key, FooterKey) for key in keys)
        self._built_keys = _by_action(self._built_from[:-1]) if plain and self._built_from else None
        order: Sequence[str] = getattr(self.screen, "FOOTER_ORDER", ())
        if order and plain:  # key groups: leave Textual's layout
            keys = footer_rank(order, keys)
        for key in keys:
            if isinstance(key, FooterKey):
                bound = "compact" in (getattr(key, "_reactive_connect", None) or {})
                _settle_compact(key, self.compact if bound else UNBOUND_KEY_COMPACT)
        yield from keys


def _settle_compact(key: FooterKey, compact: bool) -> None:
    """Give a key widget, before it is mounted, the ``compact`` value and class it would end with: its
    footer's, through the binding ``Footer.compose`` makes; its own default for the palette key (not bound).

    Why: ``FooterKey.compact`` defaults to True and its watcher runs when the key is mounted, then the
    footer's binding sets it to the footer's value: a non-compact footer restyled each key (and the parts
    it styles) twice, adding then removing ``-compact`` (``stylesheet.apply`` again each time). That was
    about half of building the errors screen's 13 keys (cProfile: 135 of 290 ms over 5 builds), which ran
    while the first keys after the first rows waited (a cursor key answered in 50-68 ms, measured in a pty).
    With the value set (``set_reactive``: no watcher at mount) and the class in place, the binding finds
    nothing to change. The binding stays: a later change of the footer's ``compact`` still reaches the keys.
    """
    key.set_reactive(FooterKey.compact, compact)
    key.set_class(compact, "-compact", update=False)


def _by_action(shown: Sequence[object]) -> dict[str, tuple[object, ...]]:
    """What each key widget shows, by action, in order: ``Footer.compose`` makes one widget per action, from
    its first binding (``shown`` holds ``(binding, enabled, tooltip)`` triples)."""
    keys: dict[str, tuple[object, ...]] = {}
    for triple in shown:
        assert isinstance(triple, tuple) and isinstance(triple[0], Binding)
        keys.setdefault(triple[0].action, triple)
    return keys
