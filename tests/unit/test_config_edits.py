"""Config edits keep the user's file: comments, order and formatting stay byte for byte around the edited
keys, and no key the user did not set is added; ``iox login`` without ``--profile`` does not silently
replace the default profile's token."""

from __future__ import annotations

from pathlib import Path

import pytest

from explorer.config import load_config
from explorer.simulator import DEMO_TOKENS, Simulator, SimulatorTransport
from tests.helpers.cli import Cap, ScriptedPrompter, iox, isolate

NA_TOKEN = DEMO_TOKENS["full"]
OTHER = "0123456789abcdef0123456789abcdef"

COMMENTED = '''# my iox config: hand-written, please keep
default_profile = "prod"   # the one I use at 3 a.m.

[keymap]
"main.zoom" = "Z"

[profiles.prod]
# production, careful
region = "na"
token = "0123456789abcdef0123456789abcdef"
read_only = true

[profiles.sandbox]
base_url = "http://127.0.0.1:8765"  # the local simulator
token = "fedcba9876543210fedcba9876543210"
'''


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    isolate(tmp_path, monkeypatch)


@pytest.fixture
def transport() -> SimulatorTransport:
    return SimulatorTransport(Simulator(seed=0))


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    path = tmp_path / "config" / "integrator-explorer" / "config.toml"
    path.parent.mkdir(parents=True)
    path.write_text(COMMENTED, encoding="utf-8")
    return path


def test_set_default_changes_one_value_and_keeps_its_comment(transport: SimulatorTransport, config_file: Path,
                                                             capsys: Cap) -> None:
    assert iox(capsys, transport, "profiles", "--set-default", "sandbox")[0] == 0
    assert config_file.read_text(encoding="utf-8") == COMMENTED.replace(
        'default_profile = "prod"   #', 'default_profile = "sandbox"   #')


def test_logout_removes_only_that_table(transport: SimulatorTransport, config_file: Path,
                                        capsys: Cap) -> None:
    assert iox(capsys, transport, "logout", "sandbox")[0] == 0
    kept = COMMENTED[: COMMENTED.index("[profiles.sandbox]")]
    assert config_file.read_text(encoding="utf-8") == kept


def test_login_of_a_new_profile_appends_only_the_keys_it_sets(transport: SimulatorTransport,
                                                              config_file: Path, capsys: Cap) -> None:
    assert iox(capsys, transport, "login", "--profile", "eu", "--region", "na", "--token-stdin",
               stdin=NA_TOKEN)[0] == 0
    text = config_file.read_text(encoding="utf-8")
    assert text.startswith(COMMENTED)
    assert text[len(COMMENTED):] == f'\n[profiles.eu]\nregion = "na"\ntoken = "{NA_TOKEN}"\n'
    assert "read_only = false" not in text


def test_login_without_profile_and_without_a_terminal_refuses_to_replace_the_default_token(
        transport: SimulatorTransport, config_file: Path, capsys: Cap) -> None:
    code, _, err = iox(capsys, transport, "login", "--token-stdin", stdin=NA_TOKEN)
    assert code == 2
    assert "profile 'prod' already holds another token; nothing was stored" in err
    assert "--profile NAME" in err and "--force" in err
    assert config_file.read_text(encoding="utf-8") == COMMENTED
    code, _, _ = iox(capsys, transport, "login", "--token-stdin", "--force", stdin=NA_TOKEN)
    assert code == 0
    assert config_file.read_text(encoding="utf-8") == COMMENTED.replace(OTHER, NA_TOKEN)


def test_login_without_profile_at_a_terminal_asks_first(transport: SimulatorTransport, config_file: Path,
                                                        capsys: Cap) -> None:
    declined = ScriptedPrompter(NA_TOKEN, answer="")
    code, _, err = iox(capsys, transport, "login", prompter=declined)
    assert code == 2 and "nothing was stored" in err
    assert declined.asked[-1] == "Profile 'prod' already holds another token. Replace it? [y/N] "
    assert config_file.read_text(encoding="utf-8") == COMMENTED
    accepted = ScriptedPrompter(NA_TOKEN, answer="y")
    assert iox(capsys, transport, "login", prompter=accepted)[0] == 0
    assert load_config(config_file).profiles["prod"].token == NA_TOKEN


def test_login_with_the_same_token_does_not_ask(transport: SimulatorTransport, config_file: Path,
                                                capsys: Cap) -> None:
    config_file.write_text(COMMENTED.replace(OTHER, NA_TOKEN), encoding="utf-8")
    assert iox(capsys, transport, "login", "--token-stdin", stdin=NA_TOKEN)[0] == 0
