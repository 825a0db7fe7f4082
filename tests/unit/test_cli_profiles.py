"""Profiles from the command line: login (with the wrong-region hint), profiles, logout, token precedence,
and the TUI's profile switcher — over the in-process simulator handed to ``main`` as the transport."""

from __future__ import annotations

import asyncio
import json
import stat
from pathlib import Path

import pytest

from explorer.cli import SessionClientBuilder
from explorer.commands.session import ProfileSwitcher, resolve_session
from explorer.config import ConfigError, load_config
from explorer.simulator import DEMO_TOKENS, Simulator, SimulatorTransport
from explorer.simulator import demo_ids as d
from tests.helpers.cli import ScriptedPrompter, iox, isolate

Cap = pytest.CaptureFixture[str]
MP = pytest.MonkeyPatch

NA_TOKEN = DEMO_TOKENS["full"]
EU_TOKEN = DEMO_TOKENS["eu"]


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: MP) -> None:
    isolate(tmp_path, monkeypatch, "PROD_TOKEN")


@pytest.fixture
def transport() -> SimulatorTransport:
    return SimulatorTransport(Simulator(seed=0))


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    return tmp_path / "config" / "integrator-explorer" / "config.toml"


# --- login -----------------------------------------------------------------------------------------------


def test_login_from_stdin_stores_a_private_profile(transport: SimulatorTransport, config_file: Path,
                                                   capsys: Cap) -> None:
    code, out, _ = iox(capsys, transport, "login", "--profile", "prod", "--token-stdin",
                       stdin=NA_TOKEN + "\n")
    assert code == 0
    assert f"Token OK: user {d.USER_ID}, full access, NA account (api.integrator.io)." in out
    assert "Saved profile 'prod' (default)" in out
    config = load_config(config_file)
    assert config.default_profile == "prod"
    assert config.profiles["prod"].region == "na" and config.profiles["prod"].token == NA_TOKEN
    assert stat.S_IMODE(config_file.stat().st_mode) == 0o600
    code, out, _ = iox(capsys, transport, "token")
    assert code == 0 and "profile    prod" in out


def test_login_with_an_eu_token_says_so_and_stores_eu(transport: SimulatorTransport, config_file: Path,
                                                      capsys: Cap) -> None:
    code, out, err = iox(capsys, transport, "login", "--profile", "ops", "--token-stdin", stdin=EU_TOKEN)
    assert code == 0
    assert "this token belongs to the EU account (api.eu.integrator.io), not the NA one" in err
    assert "storing profile 'ops' for the EU account" in err
    assert "EU account" in out
    assert load_config(config_file).profiles["ops"].region == "eu"
    code, out, _ = iox(capsys, transport, "--json", "--profile", "ops", "token")
    doc = json.loads(out)
    assert code == 0 and doc["user_id"] == d.EU_USER_ID and doc["base_url"] == "https://api.eu.integrator.io/v1/"


def test_interactive_login_asks_before_storing_the_other_region(
        transport: SimulatorTransport, config_file: Path, capsys: Cap) -> None:
    declined = ScriptedPrompter(EU_TOKEN, answer="n")
    code, _, err = iox(capsys, transport, "login", "--profile", "ops", prompter=declined)
    assert code == 3 and "nothing stored" in err
    assert declined.asked == ["API token for profile 'ops' (input hidden): ",
                              "Store profile 'ops' for the EU account? [Y/n] "]
    assert not config_file.exists()
    accepted = ScriptedPrompter(EU_TOKEN, answer="")
    assert iox(capsys, transport, "login", "--profile", "ops", prompter=accepted)[0] == 0
    assert load_config(config_file).profiles["ops"].region == "eu"


def test_login_with_a_refused_token_stores_nothing(transport: SimulatorTransport, config_file: Path,
                                                   capsys: Cap) -> None:
    code, _, err = iox(capsys, transport, "login", "--token-stdin", stdin=DEMO_TOKENS["revoked"])
    assert code == 3
    assert ("refused by every region's server: NA (api.integrator.io), EU (api.eu.integrator.io), "
            "AU (api.au.integrator.io), CA (api.ca.integrator.io)") in err
    assert not config_file.exists()


def test_login_without_a_terminal_needs_token_stdin(transport: SimulatorTransport,
                                                    capsys: Cap) -> None:
    code, _, err = iox(capsys, transport, "login")
    assert code == 2 and "--token-stdin" in err
    code, _, err = iox(capsys, transport, "login", "--token-stdin", stdin="two words")
    assert code == 2 and "whitespace" in err
    code, _, err = iox(capsys, transport, "login", "--token-stdin", stdin="  \n")
    assert code == 2 and "empty" in err


def test_login_by_reference_stores_no_secret(transport: SimulatorTransport, config_file: Path, tmp_path: Path,
                                             capsys: Cap,
                                             monkeypatch: MP) -> None:
    monkeypatch.setenv("PROD_TOKEN", NA_TOKEN)
    code, _, _ = iox(capsys, transport, "login", "--profile", "ci", "--token-env", "PROD_TOKEN",
                     "--read-only")
    assert code == 0
    token_file = tmp_path / "eu.token"
    token_file.write_text(EU_TOKEN + "\n", encoding="utf-8")
    code, _, _ = iox(capsys, transport, "login", "--profile", "eu", "--token-file", str(token_file), "--yes")
    assert code == 0
    text = config_file.read_text(encoding="utf-8")
    assert NA_TOKEN not in text and EU_TOKEN not in text
    config = load_config(config_file)
    assert config.profiles["ci"].token_env == "PROD_TOKEN" and config.profiles["ci"].read_only is True
    assert config.profiles["eu"].token_file == str(token_file) and config.profiles["eu"].region == "eu"
    code, _, err = iox(capsys, transport, "--profile", "ci", "run", d.SHOPIFY_FLOW)
    assert code == 1 and "profile 'ci' has read_only = true" in err


def test_login_keeps_other_profiles_and_unknown_keys(transport: SimulatorTransport, config_file: Path,
                                                     capsys: Cap) -> None:
    config_file.parent.mkdir(parents=True)
    config_file.write_text('theme = "dark"\ndefault_profile = "a"\n[profiles.a]\nregion = "na"\n'
                           'token_env = "A_TOKEN"\ncolour = "red"\n', encoding="utf-8")
    assert iox(capsys, transport, "login", "--profile", "b", "--token-stdin", stdin=NA_TOKEN)[0] == 0
    config = load_config(config_file)
    assert config.extra == {"theme": "dark"} and config.default_profile == "a"
    assert config.profiles["a"].extra == {"colour": "red"} and set(config.profiles) == {"a", "b"}


def test_login_region_and_base_url_are_exclusive(transport: SimulatorTransport,
                                                 capsys: Cap) -> None:
    code, _, err = iox(capsys, transport, "login", "--region", "eu", "--base-url", "https://x.example",
                       "--token-stdin", stdin=NA_TOKEN)
    assert code == 2 and "either --region or --base-url" in err


# --- profiles, logout, precedence ------------------------------------------------------------------------


def _two_profiles(transport: SimulatorTransport, capsys: Cap) -> None:
    assert iox(capsys, transport, "login", "--profile", "prod", "--token-stdin", stdin=NA_TOKEN)[0] == 0
    assert iox(capsys, transport, "login", "--profile", "eu", "--token-stdin", stdin=EU_TOKEN)[0] == 0


def test_profiles_lists_masked_tokens(transport: SimulatorTransport, capsys: Cap) -> None:
    _two_profiles(transport, capsys)
    code, out, _ = iox(capsys, transport, "profiles")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["NAME", "SERVER", "TOKEN", "READ-ONLY"]
    assert lines[1].split()[:3] == ["*", "prod", "NA"] and f"{NA_TOKEN[:4]}…{NA_TOKEN[-2:]}" in lines[1]
    assert lines[2].split()[:2] == ["eu", "EU"]
    code, out, _ = iox(capsys, transport, "--json", "profiles")
    doc = json.loads(out)
    assert doc["default_profile"] == "prod"
    assert [(p["name"], p["token_source"], p["region"]) for p in doc["profiles"]] == [
        ("prod", "stored", "na"), ("eu", "stored", "eu")]


def test_set_default_and_logout(transport: SimulatorTransport, config_file: Path,
                                capsys: Cap) -> None:
    _two_profiles(transport, capsys)
    assert iox(capsys, transport, "profiles", "--set-default", "eu")[0] == 0
    assert load_config(config_file).default_profile == "eu"
    assert iox(capsys, transport, "profiles", "--set-default", "nope")[0] == 2
    code, out, err = iox(capsys, transport, "logout", "eu")
    assert code == 0 and "Removed profile 'eu'" in out and "no default profile now" in err
    assert list(load_config(config_file).profiles) == ["prod"]
    assert iox(capsys, transport, "logout")[0] == 2
    assert iox(capsys, transport, "logout", "eu")[0] == 2  # unknown now


def test_iox_token_beats_the_profile_and_is_named_on_401(
        transport: SimulatorTransport, capsys: Cap, monkeypatch: MP) -> None:
    _two_profiles(transport, capsys)
    monkeypatch.setenv("IOX_TOKEN", DEMO_TOKENS["revoked"])
    code, _, err = iox(capsys, transport, "--profile", "prod", "ls", "flows")
    assert code == 3 and "(the token from $IOX_TOKEN)" in err


def test_iox_token_alone_works_without_a_config(
        transport: SimulatorTransport, capsys: Cap, monkeypatch: MP) -> None:
    monkeypatch.setenv("IOX_TOKEN", NA_TOKEN)
    code, out, _ = iox(capsys, transport, "token")
    assert code == 0 and "profile    env" in out


def test_config_option_and_environment(transport: SimulatorTransport, tmp_path: Path,
                                       capsys: Cap, monkeypatch: MP) -> None:
    explicit = tmp_path / "elsewhere.toml"
    assert iox(capsys, transport, "--config", str(explicit), "login", "--token-stdin", stdin=NA_TOKEN)[0] == 0
    assert "default" in load_config(explicit).profiles
    monkeypatch.setenv("IOX_CONFIG", str(explicit))
    assert iox(capsys, transport, "ls", "integrations")[0] == 0


def test_a_bad_config_file_is_a_usage_error_naming_file_and_key(
        transport: SimulatorTransport, config_file: Path, capsys: Cap) -> None:
    config_file.parent.mkdir(parents=True)
    config_file.write_text('[profiles.prod]\nregion = "mars"\n', encoding="utf-8")
    code, out, err = iox(capsys, transport, "ls", "flows")
    assert code == 2 and out == ""
    assert f"{config_file}: profiles.prod.region: expected one of 'na', 'eu'" in err
    assert "Traceback" not in err


def test_unknown_profile_is_a_usage_error(transport: SimulatorTransport, capsys: Cap) -> None:
    _two_profiles(transport, capsys)
    code, _, err = iox(capsys, transport, "--profile", "nope", "ls", "flows")
    assert code == 2 and "unknown profile 'nope' (known profiles: eu, prod)" in err


# --- sessions and the TUI's profile switcher -------------------------------------------------------------


def test_resolve_session_precedence(tmp_path: Path, transport: SimulatorTransport,
                                    capsys: Cap, config_file: Path) -> None:
    _two_profiles(transport, capsys)
    config = load_config(config_file)
    session = resolve_session(config, config_file, profile_name="eu", environ={})
    assert (session.profile, session.region, session.base_url, session.read_only) == ("eu", "eu", None, False)
    assert session.token == EU_TOKEN and EU_TOKEN not in repr(session)
    forced = resolve_session(config, config_file, profile_name=None, base_url="http://127.0.0.1:9",
                             read_only=True, environ={"IOX_TOKEN": "x" * 16})
    assert (forced.profile, forced.base_url, forced.token, forced.read_only) == (
        "prod", "http://127.0.0.1:9", "x" * 16, True)
    assert forced.read_only_reason == "--read-only was given" and forced.token_source == "$IOX_TOKEN"


def test_profile_switcher_gives_a_factory_label_and_read_only(
        transport: SimulatorTransport, capsys: Cap, config_file: Path) -> None:
    _two_profiles(transport, capsys)
    switcher = ProfileSwitcher(config_file, SessionClientBuilder(demo=False, transport=transport), environ={})
    assert switcher.names() == ["prod", "eu"] and switcher.default_name() == "prod"
    choice = switcher("eu")
    assert (choice.name, choice.label, choice.read_only) == ("eu", "eu (EU)", False)

    async def who() -> str:
        async with choice.client_factory() as client:
            return (await client.token_info()).user_id

    assert asyncio.run(who()) == d.EU_USER_ID
    with pytest.raises(ConfigError, match="unknown profile 'nope'"):
        switcher("nope")


def test_demo_switcher_offers_the_demo_tokens() -> None:
    from explorer.cli import demo_session

    switcher = ProfileSwitcher.for_demo(["full", "scoped", "eu"], lambda name: demo_session(name, True),
                                        SessionClientBuilder(demo=True))
    assert switcher.names() == ["full", "scoped", "eu"]
    choice = switcher("eu")
    assert (choice.name, choice.label, choice.read_only) == ("demo-eu", "demo-eu (EU)", True)
    assert switcher(None).name == "demo"
    with pytest.raises(ConfigError, match="unknown demo token 'nope'"):
        switcher("nope")


# --- four regions ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("token", "region", "host"), [
    ("au", "au", "api.au.integrator.io"), ("ca", "ca", "api.ca.integrator.io")])
def test_login_falls_back_through_every_region(transport: SimulatorTransport, config_file: Path, capsys: Cap,
                                               token: str, region: str, host: str) -> None:
    code, out, err = iox(capsys, transport, "login", "--profile", "p", "--region", "eu", "--token-stdin",
                         stdin=DEMO_TOKENS[token])
    assert code == 0
    assert f"this token belongs to the {region.upper()} account ({host}), not the EU one" in err
    assert f"{region.upper()} account ({host})" in out
    assert load_config(config_file).profiles["p"].region == region
    code, out, _ = iox(capsys, transport, "--json", "--profile", "p", "token")
    assert code == 0 and json.loads(out)["base_url"] == f"https://{host}/v1/"


def test_login_with_named_other_region_urls(capsys: Cap, config_file: Path) -> None:
    """A proxy or simulator names its other regions as REGION=URL; the loopback ports stand for them here."""
    sim = Simulator(seed=0)
    sim.register_region_port(9002, "au")
    sim.register_region_port(9003, "ca")
    code, _, err = iox(capsys, SimulatorTransport(sim), "login", "--profile", "x", "--token-stdin",
                       "--base-url", "http://127.0.0.1:9001", "--other-region-url", "au=http://127.0.0.1:9002",
                       "--other-region-url", "ca=http://127.0.0.1:9003", stdin=DEMO_TOKENS["ca"])
    assert code == 0 and "belongs to the CA account (http://127.0.0.1:9003/v1/)" in err
    assert load_config(config_file).profiles["x"].base_url == "http://127.0.0.1:9003/v1/"


def test_region_option_and_profiles_know_au_and_ca(transport: SimulatorTransport, config_file: Path,
                                                   capsys: Cap) -> None:
    assert iox(capsys, transport, "login", "--profile", "syd", "--region", "au", "--token-stdin",
               stdin=DEMO_TOKENS["au"])[0] == 0
    code, out, _ = iox(capsys, transport, "profiles")
    assert code == 0 and "syd" in out and "AU" in out
    code, out, _ = iox(capsys, transport, "--profile", "syd", "token")
    assert code == 0 and d.AU_USER_ID in out and "api.au.integrator.io" in out
    code, _, err = iox(capsys, transport, "login", "--region", "xx", "--token-stdin", stdin=NA_TOKEN)
    assert code == 2 and "invalid choice" in err


def test_401_names_the_region_the_token_belongs_to(transport: SimulatorTransport, capsys: Cap,
                                                   monkeypatch: MP) -> None:
    monkeypatch.setenv("IOX_TOKEN", DEMO_TOKENS["ca"])
    code, _, err = iox(capsys, transport, "ls", "flows")
    assert code == 3
    assert ("this token belongs to the CA account (api.ca.integrator.io), not the NA one: use a profile with "
            'region = "ca" (`iox login --region ca`)') in err
    monkeypatch.setenv("IOX_TOKEN", DEMO_TOKENS["revoked"])
    code, out, err = iox(capsys, transport, "--json", "ls", "flows")
    assert code == 3 and "no region accepts this token (NA, EU, AU, CA tried)" in err
    assert json.loads(out)["error"]["hints"] == ["no region accepts this token (NA, EU, AU, CA tried): it "
                                                 "expired, was revoked, or was copied incompletely"]


def test_401_on_a_custom_server_probes_nothing(capsys: Cap, monkeypatch: MP) -> None:
    sim = Simulator(seed=0)
    monkeypatch.setenv("IOX_TOKEN", DEMO_TOKENS["eu"])
    code, _, err = iox(capsys, SimulatorTransport(sim), "--base-url", "http://127.0.0.1:9001", "ls", "flows")
    assert code == 3 and "which region (NA, EU, AU or CA)" in err
    assert [path for _, path, _ in sim.requests] == ["/v1/flows"]
