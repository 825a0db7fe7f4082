"""Test-wide setup: keep the developer's environment out of the tests."""

from __future__ import annotations

import os

# NO_COLOR in the environment changes every snapshot (measured), so drop it before Textual reads it.
os.environ.pop("NO_COLOR", None)


import pytest


@pytest.fixture(autouse=True)
def _private_user_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test gets empty config and state dirs, and never sees the developer's token or config file.

    Without this, a test that opens the editor would write drafts and journal lines into ~/.local/state.
    """
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / "state"))
    for name in ("IOX_TOKEN", "IOX_CONFIG", "VISUAL", "EDITOR"):
        monkeypatch.delenv(name, raising=False)
