"""Config: where the file is, what a valid one holds, how it is written, and where tokens come from.

A bad config file is the first thing a new user meets, and the file holds tokens, so these tests pin the exact
messages, the file modes and the all-or-nothing write.
"""

from __future__ import annotations

import os
import stat
import tomllib
from pathlib import Path
from typing import Any

import pytest
import tomlkit

from explorer.config import (
    Config,
    ConfigError,
    Profile,
    config_path,
    config_to_toml,
    ensure_private_dir,
    load_config,
    mask_token,
    resolve_token,
    save_config,
    state_dir,
    validate_profile_name,
)

TOKEN = "f00dfacecafebabe0123456789abcdef"
OTHER_TOKEN = "0badc0de0badc0de0badc0de0badc0de"

FULL_FILE = """\
default_profile = "prod"
theme = "dark"
future_setting = [1, 2, 3]

[keybindings]
quit = "ctrl+q"

[profiles.prod]
region = "na"
token_env = "PROD_TOKEN"
read_only = true
colour = "red"

[profiles.prod.future]
nested = { deep = 1 }

[profiles.sandbox]
base_url = "http://127.0.0.1:8765"
token = "f00dfacecafebabe0123456789abcdef"

[profiles.eu-ops]
region = "eu"
token_file = "~/tokens/eu"
"""


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _error(tmp_path: Path, text: str) -> ConfigError:
    path = _write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    return caught.value


# --- location -----------------------------------------------------------------------------------------------


def test_explicit_path_beats_environment() -> None:
    env = {"IOX_CONFIG": "/env/config.toml", "XDG_CONFIG_HOME": "/xdg", "HOME": "/home/u"}
    assert config_path("/cli/c.toml", env) == Path("/cli/c.toml")


def test_iox_config_beats_xdg() -> None:
    env = {"IOX_CONFIG": "/env/config.toml", "XDG_CONFIG_HOME": "/xdg", "HOME": "/home/u"}
    assert config_path(None, env) == Path("/env/config.toml")


def test_xdg_config_home_then_home_default() -> None:
    assert config_path(None, {"XDG_CONFIG_HOME": "/xdg", "HOME": "/home/u"}) == Path(
        "/xdg/integrator-explorer/config.toml"
    )
    assert config_path(None, {"HOME": "/home/u"}) == Path("/home/u/.config/integrator-explorer/config.toml")


def test_empty_or_relative_xdg_is_ignored() -> None:
    expected = Path("/home/u/.config/integrator-explorer/config.toml")
    assert config_path(None, {"XDG_CONFIG_HOME": "", "IOX_CONFIG": "", "HOME": "/home/u"}) == expected
    assert config_path(None, {"XDG_CONFIG_HOME": "relative/dir", "HOME": "/home/u"}) == expected


def test_explicit_path_expands_user(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", "/home/tilde")
    assert config_path("~/c.toml", {}) == Path("/home/tilde/c.toml")


def test_state_dir() -> None:
    assert state_dir({"XDG_STATE_HOME": "/st", "HOME": "/home/u"}) == Path("/st/integrator-explorer")
    assert state_dir({"HOME": "/home/u"}) == Path("/home/u/.local/state/integrator-explorer")


# --- reading ------------------------------------------------------------------------------------------------


def test_missing_file_is_an_empty_config(tmp_path: Path) -> None:
    assert load_config(tmp_path / "nope.toml") == Config()


def test_load_full_file(tmp_path: Path) -> None:
    config = load_config(_write(tmp_path, FULL_FILE))
    assert config.default_profile == "prod"
    assert list(config.profiles) == ["prod", "sandbox", "eu-ops"]
    assert config.profiles["prod"] == Profile(
        name="prod",
        region="na",
        token_env="PROD_TOKEN",
        read_only=True,
        extra={"colour": "red", "future": {"nested": {"deep": 1}}},
    )
    assert config.profiles["sandbox"].base_url == "http://127.0.0.1:8765"
    assert config.profiles["sandbox"].token == TOKEN
    assert config.profiles["sandbox"].read_only is False
    assert config.profiles["eu-ops"].region == "eu"
    assert config.profiles["eu-ops"].token_file == "~/tokens/eu"
    assert config.extra == {"theme": "dark", "future_setting": [1, 2, 3], "keybindings": {"quit": "ctrl+q"}}


def test_round_trip_preserves_profiles_and_unknown_keys(tmp_path: Path) -> None:
    source = _write(tmp_path, FULL_FILE)
    config = load_config(source)
    target = tmp_path / "out" / "config.toml"
    save_config(target, config)
    assert load_config(target) == config
    assert tomllib.loads(target.read_text(encoding="utf-8")) == tomllib.loads(FULL_FILE)  # no key added


def test_saved_file_starts_with_default_profile(tmp_path: Path) -> None:
    config = Config().with_profile(Profile(name="a", region="eu", token_env="A_TOKEN"))
    text = config_to_toml(config)
    assert text.splitlines()[0] == 'default_profile = "a"'
    assert "[profiles.a]" in text


def test_repr_hides_stored_token() -> None:
    profile = Profile(name="p", token=TOKEN)
    assert TOKEN not in repr(profile)
    assert TOKEN not in repr(Config(profiles={"p": profile}))


# --- bad files: every message names the file, the key and what was expected ---------------------------------


def test_syntax_error_names_line_and_column(tmp_path: Path) -> None:
    error = _error(tmp_path, 'default_profile = "a"\n[profiles.a]\nregion = na\n')
    assert str(error) == (f"{tmp_path / 'config.toml'}: TOML syntax error at line 3 column 10: Invalid value")
    assert error.path == tmp_path / "config.toml"


def test_syntax_error_at_end_of_file(tmp_path: Path) -> None:
    error = _error(tmp_path, "default_profile = ")
    assert str(error) == f"{tmp_path / 'config.toml'}: TOML syntax error at end of file: Invalid value"


def test_syntax_error_never_echoes_a_token_value(tmp_path: Path) -> None:
    error = _error(tmp_path, f'[profiles.a]\ntoken = "{TOKEN}\n')
    assert "TOML syntax error at line 2" in str(error)
    assert TOKEN not in str(error)


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(b'default_profile = "\xff"\n')
    with pytest.raises(ConfigError, match=r"config\.toml: the file is not valid UTF-8 \(byte 19\)"):
        load_config(path)


def test_directory_instead_of_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="expected a file, found a directory"):
        load_config(tmp_path)


@pytest.mark.parametrize(
    ("text", "key", "reason"),
    [
        ("[profiles.p]\nregion = 'us'\n", "profiles.p.region", "expected one of 'na', 'eu'"),
        ("[profiles.p]\nregion = 1\n", "profiles.p.region", "expected one of 'na', 'eu'"),
        ("[profiles.p]\nread_only = 'yes'\n", "profiles.p.read_only", "expected a boolean, got a string"),
        ("[profiles.p]\nread_only = 1\n", "profiles.p.read_only", "expected a boolean, got an integer"),
        (
            "[profiles.p]\nregion = 'eu'\nbase_url = 'https://x.example'\n",
            "profiles.p",
            "region and base_url are mutually exclusive",
        ),
        (
            "[profiles.p]\nbase_url = 'ftp://x'\n",
            "profiles.p.base_url",
            "expected a URL starting with http://",
        ),
        ("[profiles.p]\ntoken_env = 3\n", "profiles.p.token_env", "expected a string, got an integer"),
        ("[profiles.p]\ntoken_env = 'MY-TOKEN'\n", "profiles.p.token_env", "expected an environment"),
        ("[profiles.p]\ntoken_file = ''\n", "profiles.p.token_file", "expected a non-empty string"),
        ("[profiles.p]\ntoken = ['a']\n", "profiles.p.token", "expected a string, got an array"),
        ("profiles = 'prod'\n", "profiles", "expected a table, got a string"),
        ("[profiles]\np = 'x'\n", "profiles.p", "expected a table, got a string"),
        ("default_profile = true\n", "default_profile", "expected a string, got a boolean"),
        (
            "default_profile = 'prod'\n[profiles.sandbox]\n[profiles.dev]\n",
            "default_profile",
            "names profile 'prod', which is not defined (known profiles: dev, sandbox)",
        ),
        (
            "default_profile = 'prod'\n",
            "default_profile",
            "names profile 'prod', which is not defined (known profiles: none)",
        ),
        (
            '[profiles."my prod"]\n',
            "profiles.'my prod'",
            "a profile name may use only letters, digits, '_', '.' and '-'",
        ),
        ('[profiles.".."]\n', "profiles.'..'", "a profile name may use only"),
    ],
)
def test_bad_file_messages(tmp_path: Path, text: str, key: str, reason: str) -> None:
    error = _error(tmp_path, text)
    assert error.key == key
    assert str(error).startswith(f"{tmp_path / 'config.toml'}: {key}: {reason}")


def test_bad_value_is_never_echoed(tmp_path: Path) -> None:
    # A token pasted into the wrong key must not be printed back.
    for text in (f"[profiles.p]\nregion = '{TOKEN}'\n", f"[profiles.p]\nread_only = '{TOKEN}'\n"):
        assert TOKEN not in str(_error(tmp_path, text))


# --- writing ------------------------------------------------------------------------------------------------


def test_save_creates_0700_directories_and_a_0600_file(tmp_path: Path) -> None:
    target = tmp_path / "xdg" / "integrator-explorer" / "config.toml"
    save_config(target, Config().with_profile(Profile(name="p", token=TOKEN)))
    assert _mode(target) == 0o600
    assert _mode(target.parent) == 0o700
    assert _mode(target.parent.parent) == 0o700
    assert load_config(target).profiles["p"].token == TOKEN


def test_save_tightens_an_existing_loose_file(tmp_path: Path) -> None:
    target = _write(tmp_path, FULL_FILE)
    os.chmod(target, 0o644)
    save_config(target, load_config(target))
    assert _mode(target) == 0o600


def test_save_leaves_an_existing_directory_mode_alone(tmp_path: Path) -> None:
    folder = tmp_path / "shared"
    folder.mkdir(mode=0o755)
    os.chmod(folder, 0o755)
    save_config(folder / "config.toml", Config())
    assert _mode(folder) == 0o755


def test_ensure_private_dir_makes_every_missing_level_0700(tmp_path: Path) -> None:
    ensure_private_dir(tmp_path / "a" / "b" / "c")
    for path in (tmp_path / "a", tmp_path / "a" / "b", tmp_path / "a" / "b" / "c"):
        assert _mode(path) == 0o700


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name != "config.toml")


def test_failing_replace_leaves_old_file_and_no_temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = _write(tmp_path, FULL_FILE)

    def broken_replace(src: Any, dst: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(ConfigError, match=r"config\.toml: cannot write the file: No space left on device"):
        save_config(target, Config())
    assert target.read_text(encoding="utf-8") == FULL_FILE
    assert _leftovers(tmp_path) == []


def test_failing_fsync_leaves_old_file_and_no_temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = _write(tmp_path, FULL_FILE)

    def broken_fsync(fd: int) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(ConfigError, match="Input/output error"):
        save_config(target, load_config(target).without_profile("sandbox"))
    assert target.read_text(encoding="utf-8") == FULL_FILE
    assert _leftovers(tmp_path) == []


def test_failing_serialiser_leaves_old_file_and_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = _write(tmp_path, FULL_FILE)

    def broken_dumps(obj: Any, /, **kwargs: Any) -> str:
        raise TypeError("Object of type set is not TOML serializable")

    monkeypatch.setattr(tomlkit, "dumps", broken_dumps)
    with pytest.raises(ConfigError, match="cannot serialise the configuration"):
        save_config(target, Config())
    assert target.read_text(encoding="utf-8") == FULL_FILE
    assert _leftovers(tmp_path) == []


def test_unserialisable_extra_is_a_config_error(tmp_path: Path) -> None:
    target = _write(tmp_path, FULL_FILE)
    with pytest.raises(ConfigError, match="cannot serialise"):
        save_config(target, Config(extra={"odd": {1, 2}}))
    assert target.read_text(encoding="utf-8") == FULL_FILE


def test_save_refuses_what_load_would_reject(tmp_path: Path) -> None:
    target = _write(tmp_path, FULL_FILE)
    bad = Config(profiles={"p": Profile(name="p", region="eu", base_url="https://x.example")})
    with pytest.raises(ConfigError, match="region and base_url are mutually exclusive"):
        save_config(target, bad)
    assert target.read_text(encoding="utf-8") == FULL_FILE


def test_write_failure_message_never_contains_the_token(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_replace(src: Any, dst: Any) -> None:
        raise OSError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(ConfigError) as caught:
        save_config(tmp_path / "config.toml", Config().with_profile(Profile(name="p", token=TOKEN)))
    assert TOKEN not in str(caught.value)


# --- the Config value helpers -------------------------------------------------------------------------------


def test_with_profile_first_one_becomes_default() -> None:
    config = Config().with_profile(Profile(name="a"))
    assert config.default_profile == "a"
    config = config.with_profile(Profile(name="b"))
    assert config.default_profile == "a"
    assert list(config.profiles) == ["a", "b"]
    assert config.with_profile(Profile(name="b"), make_default=True).default_profile == "b"


def test_with_profile_replaces_in_place_and_does_not_mutate() -> None:
    original = Config().with_profile(Profile(name="a")).with_profile(Profile(name="b"))
    updated = original.with_profile(Profile(name="a", region="eu"))
    assert list(updated.profiles) == ["a", "b"]
    assert updated.profiles["a"].region == "eu"
    assert original.profiles["a"].region is None


def test_with_profile_rejects_unsafe_name() -> None:
    with pytest.raises(ConfigError, match="a profile name may use only"):
        Config().with_profile(Profile(name="../evil"))


def test_without_profile() -> None:
    config = Config().with_profile(Profile(name="a")).with_profile(Profile(name="b"))
    assert config.without_profile("b") == Config(default_profile="a", profiles={"a": Profile(name="a")})
    after = config.without_profile("a")
    assert after.default_profile is None
    assert list(after.profiles) == ["b"]
    with pytest.raises(ConfigError, match=r"unknown profile 'zz' \(known profiles: a, b\)"):
        config.without_profile("zz")


def test_profile_lookup() -> None:
    config = Config().with_profile(Profile(name="prod")).with_profile(Profile(name="dev"))
    assert config.profile().name == "prod"
    assert config.profile(None).name == "prod"
    assert config.profile("dev").name == "dev"
    with pytest.raises(ConfigError, match=r"unknown profile 'qa' \(known profiles: dev, prod\)"):
        config.profile("qa")


def test_profile_lookup_without_default() -> None:
    with pytest.raises(ConfigError, match="no profile is configured; run `iox login`"):
        Config().profile()
    config = Config(profiles={"x": Profile(name="x")})
    with pytest.raises(ConfigError, match=r"no default_profile set \(known profiles: x\); pass --profile"):
        config.profile()


@pytest.mark.parametrize("name", ["prod", "eu-sandbox_2", "a.b", "A" * 64])
def test_valid_profile_names(name: str) -> None:
    validate_profile_name(name)


@pytest.mark.parametrize("name", ["", ".", "..", "a/b", "a\x00b", "with space", "ünï", "A" * 65])
def test_invalid_profile_names(name: str) -> None:
    with pytest.raises(ConfigError):
        validate_profile_name(name)


# --- tokens -------------------------------------------------------------------------------------------------


def test_iox_token_beats_every_profile_source(tmp_path: Path) -> None:
    token_file = tmp_path / "tok"
    token_file.write_text("from-file-token-value\n", encoding="utf-8")
    profile = Profile(name="p", token_env="P_TOKEN", token_file=str(token_file), token="stored-token-value")
    env = {"IOX_TOKEN": TOKEN, "P_TOKEN": OTHER_TOKEN}
    assert resolve_token(profile, env) == TOKEN


def test_profile_sources_in_order(tmp_path: Path) -> None:
    token_file = tmp_path / "tok"
    token_file.write_text("  from-file-token-value \n", encoding="utf-8")
    profile = Profile(name="p", token_env="P_TOKEN", token_file=str(token_file), token="stored-token-value")
    assert resolve_token(profile, {"P_TOKEN": OTHER_TOKEN}) == OTHER_TOKEN
    assert resolve_token(profile, {}) == "from-file-token-value"
    assert resolve_token(profile, {"IOX_TOKEN": "  ", "P_TOKEN": ""}) == "from-file-token-value"
    token_file.unlink()
    assert resolve_token(profile, {}) == "stored-token-value"


def test_relative_token_file_is_taken_against_base_dir(tmp_path: Path) -> None:
    (tmp_path / "eu.token").write_text(TOKEN, encoding="utf-8")
    assert resolve_token(Profile(name="p", token_file="eu.token"), {}, base_dir=tmp_path) == TOKEN


def test_token_file_expands_user(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / "t").write_text(TOKEN, encoding="utf-8")
    assert resolve_token(Profile(name="p", token_file="~/t"), {}) == TOKEN


def test_no_token_lists_every_source_tried(tmp_path: Path) -> None:
    (tmp_path / "empty").write_text("\n", encoding="utf-8")
    profile = Profile(name="prod", token_env="PROD_TOKEN", token_file=str(tmp_path / "empty"))
    with pytest.raises(ConfigError) as caught:
        resolve_token(profile, {})
    assert str(caught.value) == (
        "no token for profile 'prod': $IOX_TOKEN is not set; $PROD_TOKEN (token_env) is not set; "
        f"token file {tmp_path / 'empty'} is empty"
    )


def test_no_token_source_at_all() -> None:
    with pytest.raises(ConfigError, match="the profile names no token source and stores no token"):
        resolve_token(Profile(name="p"), {})


def test_missing_and_unreadable_token_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"token file .*/nope does not exist"):
        resolve_token(Profile(name="p", token_file=str(tmp_path / "nope")), {})
    with pytest.raises(ConfigError, match=r"token file .* cannot be read \(Is a directory\)"):
        resolve_token(Profile(name="p", token_file=str(tmp_path)), {})
    (tmp_path / "bin").write_bytes(b"\xff\xfe")
    with pytest.raises(ConfigError, match="is not valid UTF-8"):
        resolve_token(Profile(name="p", token_file=str(tmp_path / "bin")), {})


@pytest.mark.parametrize(
    ("profile", "env", "source"),
    [
        (Profile(name="p"), {"IOX_TOKEN": f"{TOKEN} extra"}, "$IOX_TOKEN"),
        (Profile(name="p", token_env="T"), {"T": f"{TOKEN}\nsecond"}, "$T"),
        (Profile(name="p", token=f"{TOKEN}\x07"), {}, "profile 'p' (stored token)"),
    ],
)
def test_malformed_token_is_refused_without_being_shown(
    profile: Profile, env: dict[str, str], source: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        resolve_token(profile, env)
    message = str(caught.value)
    assert message == f"the token from {source} contains whitespace or control characters"
    assert TOKEN not in message


def test_malformed_token_file_is_refused_without_being_shown(tmp_path: Path) -> None:
    (tmp_path / "t").write_text(f"{TOKEN}\n{OTHER_TOKEN}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        resolve_token(Profile(name="p", token_file=str(tmp_path / "t")), {})
    assert "contains whitespace" in str(caught.value)
    assert TOKEN not in str(caught.value)
    assert OTHER_TOKEN not in str(caught.value)


def test_mask_token() -> None:
    assert mask_token(TOKEN) == "f00d…ef"
    assert mask_token("short") == "••••"
    assert mask_token("") == "••••"
    assert mask_token("abcdefghijkl") == "abcd…kl"
    assert TOKEN not in mask_token(TOKEN)


def test_temp_file_is_private_before_any_byte_is_synced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[tuple[str, int]] = []
    real_fsync = os.fsync

    def spying_fsync(fd: int) -> None:
        info = os.fstat(fd)
        if stat.S_ISREG(info.st_mode):
            seen.append((os.readlink(f"/proc/self/fd/{fd}"), stat.S_IMODE(info.st_mode)))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", spying_fsync)
    target = tmp_path / "config.toml"
    save_config(target, Config().with_profile(Profile(name="p", token=TOKEN)))
    assert len(seen) == 1
    temp_name, mode = seen[0]
    assert Path(temp_name).parent == tmp_path
    assert Path(temp_name).name != "config.toml"
    assert mode == 0o600
