"""The Textual user interface. Only ``explorer.cli`` imports this package."""
