"""Screens and dialogs of the explorer, one per module."""
