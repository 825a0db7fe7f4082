"""Test-wide setup: keep the developer's environment out of the tests."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

# NO_COLOR in the environment changes every snapshot (measured), so drop it before Textual reads it.
os.environ.pop("NO_COLOR", None)


import pytest

from tests.helpers.silent_server import silent_server


@pytest.fixture(autouse=True)
def _private_user_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test gets empty config and state dirs, and never sees the developer's token or config file.

    Without this, a test that opens the editor would write drafts and journal lines into ~/.local/state.
    """
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / "state"))
    # The developer's downloaded schemas would change what the editor shows (doc strip, warnings).
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))
    for name in ("IOX_TOKEN", "IOX_CONFIG", "VISUAL", "EDITOR", "IOX_SCHEMAS_BASE_URL"):
        monkeypatch.delenv(name, raising=False)


REPO_ROOT = Path(__file__).resolve().parents[1]


def shared_schemas() -> Path | None:
    """The JSON bundles of Celigo's schemas in ``shared/`` beside the clone (CI), or one level up (a git
    worktree under a folder of worktrees); None when neither exists."""
    for base in (REPO_ROOT.parent, REPO_ROOT.parent.parent):
        candidate = base / "shared" / "celigo-schemas"
        if candidate.is_dir():
            return candidate
    return None


@pytest.fixture
def schemas_source() -> Path:
    """The shared copy of Celigo's schemas (the project never commits them); skips the test without it."""
    found = shared_schemas()
    if found is None:
        pytest.skip("Celigo's schemas are not beside the clone (../shared/celigo-schemas): the project does "
                    "not commit them, so tests that read them need the shared copy")
    return found


@pytest.fixture
def installed_schemas(schemas_source: Path) -> Path:
    """The schemas installed in this test's private ``$XDG_CACHE_HOME`` (as ``iox schemas update --from``)."""
    from explorer.services.schema_files import install_from, schema_dir

    directory = schema_dir()
    install_from(schemas_source, directory)
    return directory


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A loopback port that accepts connections and never sends a byte (a server that hangs)."""
    with silent_server() as port:
        yield port


@pytest.fixture
def repo_server(schemas_source: Path, tmp_path: Path) -> Iterator[str]:
    """A loopback server standing in for the schema repository's raw files (see tests/helpers)."""
    from tests.helpers.repo_stand_in import serving_repo

    with serving_repo(schemas_source, tmp_path) as base_url:
        yield base_url
