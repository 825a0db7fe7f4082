"""Widgets of the explorer, one per module."""

from explorer.tui.widgets.json_view import JsonView as JsonView
