"""Shared set-up of the CLI tests (no tests here): keep the developer's own config, state and token out."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest


def isolate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *extra_unset: str) -> None:
    """Private config and state folders, no ``IOX_*`` variables, and an empty, non-terminal stdin."""
    for name in ("IOX_TOKEN", "IOX_CONFIG", *extra_unset):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
