"""Profiles in TOML: where the config file lives, what a valid one holds, and how it is written safely.

Users run several accounts (production and sandbox, NA and EU), so the CLI and the TUI both start from a
named profile. This module is the only place that knows the file format. It stands alone (stdlib +
``tomlkit``) so the CLI can report a bad file before anything else is imported, and so the journal can reuse
its private-file helpers.

Rules it keeps:

* a bad file raises :class:`ConfigError` naming the file, the dotted key and what was expected — never a
  traceback;
* a save edits only the keys that changed: comments, order and formatting elsewhere stay byte for byte, and
  no key the user did not set is added (``tomlkit`` round-trips the file; ``tomllib`` reads it);
* writes are atomic (temporary file in the same directory, fsync, ``os.replace``), the file is 0600 and a
  missing directory is created 0700, so a crash or a full disk never leaves a half-written config with tokens
  in it;
* no error message, ``repr`` or log line ever contains a token.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast

if TYPE_CHECKING:
    import tomllib

APP_DIR_NAME = "integrator-explorer"
"""The folder name under the XDG config and state directories."""
CONFIG_ENV_VAR = "IOX_CONFIG"
"""Environment variable naming the config file; ``--config`` beats it."""
TOKEN_ENV_VAR = "IOX_TOKEN"
"""Environment variable holding a token; it beats every profile's own token source."""
REGIONS: tuple[str, ...] = ("na", "eu", "au", "ca")
"""The integrator.io regions a profile may name (North America, Europe, Australia, Canada)."""
PROFILE_NAME_RE = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
"""Profile names end up in draft paths, so they are limited to characters that are safe in a file name."""

Region = Literal["na", "eu", "au", "ca"]

_PROFILE_KEYS = ("region", "base_url", "token_env", "token_file", "token", "read_only", "connect_timeout",
                 "read_timeout")
_TOML_ERROR_RE = re.compile(r"^(?P<what>.*) \(at line (?P<line>\d+), column (?P<column>\d+)\)$", re.DOTALL)
_TOML_EOF_RE = re.compile(r"^(?P<what>.*) \(at end of document\)$", re.DOTALL)
_ENV_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
TOKEN_FORBIDDEN = re.compile(r"[\s\x00-\x1f\x7f]")
"""What no API token holds (whitespace, control characters): a token with one is a paste gone wrong."""


class ConfigError(Exception):
    """A configuration problem the user can fix; the message is complete and safe to print as it is.

    ``path`` and ``key`` are kept apart as well so a caller (or a test) can tell where the problem is without
    parsing the message.
    """

    def __init__(self, reason: str, *, path: Path | None = None, key: str | None = None) -> None:
        self.reason = reason
        self.path = path
        self.key = key
        where = ": ".join(part for part in (str(path) if path else "", key or "") if part)
        super().__init__(f"{where}: {reason}" if where else reason)


@dataclass(frozen=True)
class Profile:
    """One account the tool can talk to, and where its token comes from.

    ``region`` and ``base_url`` are mutually exclusive; with neither the client uses its default region (NA).
    The token sources are tried in order ``token_env``, ``token_file``, ``token`` (see :func:`resolve_token`).
    ``extra`` holds keys this version does not know, so a newer version's settings survive a save.
    """

    name: str
    region: Region | None = None
    base_url: str | None = None
    token_env: str | None = None
    token_file: str | None = None
    token: str | None = field(default=None, repr=False)
    read_only: bool = False
    connect_timeout: float | None = None
    """Seconds to wait for a connection (None: the client's 10 s)."""
    read_timeout: float | None = None
    """Seconds to wait for each answer (None: the client's 60 s); one request gives up soon after that."""
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Config:
    """The whole configuration file: the default profile, every profile, and unknown top-level keys.

    Instances are treated as values: the ``with_``/``without_`` helpers return new ones, so a caller can build
    the new state, save it, and only then swap it in.
    """

    default_profile: str | None = None
    profiles: dict[str, Profile] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    keymap: dict[str, str] = field(default_factory=dict)
    """``[keymap]``: binding id → keys (``"main.edit" = "ctrl+e"``); ``?`` in the app lists the ids."""

    def profile(self, name: str | None = None) -> Profile:
        """Return the named profile, or the default for ``None``; raise a ConfigError saying what exists."""
        if name is None:
            if self.default_profile is None:
                if not self.profiles:
                    raise ConfigError("no profile is configured; run `iox login` to create one")
                raise ConfigError(
                    f"no profile given and no default_profile set (known profiles: {self._known()}); "
                    "pass --profile NAME"
                )
            name = self.default_profile
        try:
            return self.profiles[name]
        except KeyError:
            raise ConfigError(f"unknown profile {name!r} (known profiles: {self._known()})") from None

    def with_profile(self, profile: Profile, make_default: bool = False) -> Config:
        """Return a copy with ``profile`` added or replaced (keeping its place in the file).

        It also becomes the default when asked to or when no default exists yet, because a config whose
        profiles are never chosen by default would make every command need ``--profile``.
        """
        validate_profile_name(profile.name)
        profiles = dict(self.profiles)
        profiles[profile.name] = profile
        default = profile.name if make_default or self.default_profile is None else self.default_profile
        return replace(self, default_profile=default, profiles=profiles)

    def without_profile(self, name: str) -> Config:
        """Return a copy without the named profile (``iox logout``); a default naming it is cleared."""
        if name not in self.profiles:
            raise ConfigError(f"unknown profile {name!r} (known profiles: {self._known()})")
        profiles = {key: value for key, value in self.profiles.items() if key != name}
        default = None if self.default_profile == name else self.default_profile
        return replace(self, default_profile=default, profiles=profiles)

    def _known(self) -> str:
        return ", ".join(sorted(self.profiles)) or "none"


# --- locations ----------------------------------------------------------------------------------------------


def _home(environ: Mapping[str, str]) -> Path:
    home = environ.get("HOME")
    return Path(home) if home else Path.home()


def _xdg_dir(environ: Mapping[str, str], variable: str, default: tuple[str, ...]) -> Path:
    # The XDG spec says a relative value is invalid and must be ignored.
    value = environ.get(variable, "")
    if value and os.path.isabs(value):
        return Path(value)
    return _home(environ).joinpath(*default)


def config_path(explicit: str | None = None, environ: Mapping[str, str] = os.environ) -> Path:
    """Where the config file is: ``--config`` (``explicit``), then ``$IOX_CONFIG``, then the XDG dir."""
    if explicit:
        return Path(explicit).expanduser()
    from_env = environ.get(CONFIG_ENV_VAR)
    if from_env:
        return Path(from_env).expanduser()
    return _xdg_dir(environ, "XDG_CONFIG_HOME", (".config",)) / APP_DIR_NAME / "config.toml"


def state_dir(environ: Mapping[str, str] = os.environ) -> Path:
    """Where drafts and the journal live: ``$XDG_STATE_HOME/integrator-explorer`` (``~/.local/state/...``)."""
    return _xdg_dir(environ, "XDG_STATE_HOME", (".local", "state")) / APP_DIR_NAME


def cache_dir(environ: Mapping[str, str] = os.environ) -> Path:
    """What can be fetched again (the downloaded schemas): ``$XDG_CACHE_HOME/integrator-explorer``."""
    return _xdg_dir(environ, "XDG_CACHE_HOME", (".cache",)) / APP_DIR_NAME


# --- private files (also used by the journal) ---------------------------------------------------------------


def ensure_private_dir(directory: Path) -> None:
    """Create ``directory`` and missing parents with mode 0700 (the XDG rule); existing ones are kept."""
    missing: list[Path] = []
    current = directory
    while not current.exists():
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    for path in reversed(missing):
        with contextlib.suppress(FileExistsError):  # another process may have won the race
            os.mkdir(path, 0o700)
            os.chmod(path, 0o700)  # the umask may have removed bits; make it exact


def write_private_file(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` atomically, with mode 0600 from the first byte.

    The bytes go to a temporary file in the same directory (``mkstemp`` creates it 0600 with O_EXCL), are
    flushed and fsynced, then renamed over the target; readers see the old file or the new one, never half of
    one. On any failure the temporary file is removed and the old file is untouched. Raises OSError.
    """
    ensure_private_dir(path.parent)
    fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise
    _fsync_dir(path.parent)


def _fsync_dir(directory: Path) -> None:
    # Makes the rename itself durable; some filesystems refuse to open a directory: not worth failing for.
    with contextlib.suppress(OSError):
        dir_fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


# --- reading and validating ---------------------------------------------------------------------------------


def _type_name(value: object) -> str:
    # Values are never echoed (one of them could be a token); their type is enough to fix the file.
    names = {
        bool: "a boolean",
        int: "an integer",
        float: "a float",
        str: "a string",
        list: "an array",
        dict: "a table",
    }
    return names.get(type(value), f"a {type(value).__name__}")


def validate_profile_name(name: str, *, path: Path | None = None) -> None:
    """Reject profile names that could not be a file name (each becomes a folder under the drafts dir)."""
    if not PROFILE_NAME_RE.match(name) or name in (".", ".."):
        raise ConfigError(
            "a profile name may use only letters, digits, '_', '.' and '-' (1 to 64 characters)",
            path=path,
            key=f"profiles.{name!r}",
        )


def _optional_str(table: Mapping[str, Any], key: str, where: str, path: Path) -> str | None:
    value = table.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ConfigError(f"expected a string, got {_type_name(value)}", path=path, key=f"{where}.{key}")
    if not value.strip():
        raise ConfigError("expected a non-empty string", path=path, key=f"{where}.{key}")
    return value


def _optional_seconds(table: dict[str, Any], key: str, where: str, path: Path) -> float | None:
    value = table.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 3600:
        raise ConfigError(f"expected a number of seconds between 0 and 3600, got {value!r}", path=path,
                          key=f"{where}.{key}")
    return float(value)


def _parse_profile(name: str, table: object, path: Path) -> Profile:
    where = f"profiles.{name}"
    validate_profile_name(name, path=path)
    if not isinstance(table, dict):
        raise ConfigError(f"expected a table, got {_type_name(table)}", path=path, key=where)
    region = table.get("region")
    if region is not None and region not in REGIONS:
        expected = ", ".join(repr(r) for r in REGIONS)
        raise ConfigError(f"expected one of {expected}", path=path, key=f"{where}.region")
    base_url = _optional_str(table, "base_url", where, path)
    if base_url is not None and not base_url.startswith(("http://", "https://")):
        raise ConfigError(
            "expected a URL starting with http:// or https://", path=path, key=f"{where}.base_url"
        )
    if region is not None and base_url is not None:
        raise ConfigError("region and base_url are mutually exclusive", path=path, key=where)
    token_env = _optional_str(table, "token_env", where, path)
    if token_env is not None and not _ENV_NAME_RE.match(token_env):
        raise ConfigError("expected an environment variable name", path=path, key=f"{where}.token_env")
    read_only = table.get("read_only", False)
    if not isinstance(read_only, bool):
        raise ConfigError(
            f"expected a boolean, got {_type_name(read_only)}", path=path, key=f"{where}.read_only"
        )
    return Profile(
        name=name,
        connect_timeout=_optional_seconds(table, "connect_timeout", where, path),
        read_timeout=_optional_seconds(table, "read_timeout", where, path),
        region=cast("Region | None", region),
        base_url=base_url,
        token_env=token_env,
        token_file=_optional_str(table, "token_file", where, path),
        token=_optional_str(table, "token", where, path),
        read_only=read_only,
        extra={key: value for key, value in table.items() if key not in _PROFILE_KEYS},
    )


def parse_config(data: Mapping[str, Any], path: Path) -> Config:
    """Validate an already-decoded TOML document; ``path`` is only used in error messages."""
    default = data.get("default_profile")
    if default is not None and not isinstance(default, str):
        raise ConfigError(f"expected a string, got {_type_name(default)}", path=path, key="default_profile")
    raw_profiles = data.get("profiles", {})
    if not isinstance(raw_profiles, dict):
        raise ConfigError(f"expected a table, got {_type_name(raw_profiles)}", path=path, key="profiles")
    profiles = {name: _parse_profile(name, table, path) for name, table in raw_profiles.items()}
    if default is not None and default not in profiles:
        known = ", ".join(sorted(profiles)) or "none"
        raise ConfigError(
            f"names profile {default!r}, which is not defined (known profiles: {known})",
            path=path,
            key="default_profile",
        )
    extra = {key: value for key, value in data.items()
             if key not in ("default_profile", "profiles", "keymap")}
    return Config(default_profile=default, profiles=profiles, extra=extra, keymap=_parse_keymap(data, path))


def _parse_keymap(data: Mapping[str, Any], path: Path) -> dict[str, str]:
    """``[keymap]`` as binding id → comma-separated keys; which ids exist is the app's to say."""
    table = data.get("keymap", {})
    if not isinstance(table, dict):
        raise ConfigError(f"expected a table, got {_type_name(table)}", path=path, key="keymap")
    for binding_id, keys in table.items():
        if not isinstance(keys, str) or not keys.strip():
            raise ConfigError(f"expected keys such as \"ctrl+e\" or \"e,f2\", got {_type_name(keys)}",
                              path=path, key=f"keymap.{binding_id}")
    return {binding_id: keys.replace(" ", "") for binding_id, keys in table.items()}


def _syntax_error(error: tomllib.TOMLDecodeError, path: Path) -> ConfigError:
    message = str(error)
    match = _TOML_ERROR_RE.match(message)
    if match:
        reason = f"TOML syntax error at line {match['line']} column {match['column']}: {match['what']}"
    elif (eof := _TOML_EOF_RE.match(message)) is not None:
        reason = f"TOML syntax error at end of file: {eof['what']}"
    else:
        reason = f"TOML syntax error: {message}"
    return ConfigError(reason, path=path)


def load_config(path: Path) -> Config:
    """Read and validate the config file; a missing file is an empty Config (first run); bad ones raise."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Config()
    except IsADirectoryError:
        raise ConfigError("expected a file, found a directory", path=path) from None
    except OSError as error:
        raise ConfigError(f"cannot read the file: {error.strerror or error}", path=path) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ConfigError(f"the file is not valid UTF-8 (byte {error.start})", path=path) from None
    import tomllib  # here: without a config file (a first run, `--demo`) the TOML reader is not needed

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise _syntax_error(error, path) from None
    return parse_config(data, path)


# --- writing ------------------------------------------------------------------------------------------------


def _profile_table(profile: Profile, *, keep_read_only: bool = False) -> dict[str, Any]:
    """The keys a profile sets; ``read_only = false`` only where the file already says it (the default)."""
    table: dict[str, Any] = {}
    for key in ("region", "base_url", "token_env", "token_file", "token"):
        value = getattr(profile, key)
        if value is not None:
            table[key] = value
    if profile.read_only or keep_read_only:
        table["read_only"] = profile.read_only
    for key in ("connect_timeout", "read_timeout"):
        if getattr(profile, key) is not None:
            table[key] = getattr(profile, key)
    table.update(profile.extra)
    return table


def _set_keys(table: MutableMapping[str, Any], old: Mapping[str, Any], new: Mapping[str, Any]) -> None:
    """Change in ``table`` only the keys whose value differs between ``old`` and ``new``."""
    for key in [key for key in old if key not in new]:
        if key in table:
            del table[key]
    for key, value in new.items():
        if key not in old or old[key] != value or key not in table:
            table[key] = value


def edit_toml(text: str, new: Config, path: Path | None = None) -> str:
    """``text`` (the file as it is) changed into ``new``, touching only what differs.

    Why tomlkit: ``login``, ``profiles --set-default`` and ``logout`` used to rewrite the whole file, which
    dropped the user's comments and wrote ``read_only = false`` into every profile. Here every comment, blank
    line, key order and quoting style outside the edited keys stays byte for byte; a new profile is appended
    with only the keys it sets.
    """
    import tomlkit  # only writes need it: loading the config (every command) stays on tomllib

    doc = tomlkit.parse(text)
    old = parse_config(doc.unwrap(), path or Path("config.toml")) if text.strip() else Config()
    if new.default_profile != old.default_profile:
        if new.default_profile is None:
            doc.pop("default_profile", None)
        elif "default_profile" in doc:
            doc["default_profile"] = new.default_profile
        else:
            doc.body.insert(0, (tomlkit.key("default_profile"), tomlkit.item(new.default_profile)))
    _set_keys(doc, old.extra, new.extra)
    if new.keymap != old.keymap:
        keymap = doc.setdefault("keymap", tomlkit.table())
        _set_keys(keymap, old.keymap, new.keymap)
    if not new.profiles and "profiles" not in doc:
        return tomlkit.dumps(doc)
    profiles = doc.setdefault("profiles", tomlkit.table(is_super_table=True))
    for name in [name for name in old.profiles if name not in new.profiles]:
        del profiles[name]
    for name, profile in new.profiles.items():
        existing = profiles.get(name)
        if existing is None:
            table = tomlkit.table()
            table.update(_profile_table(profile))
            profiles[name] = table
        elif profile != old.profiles.get(name):
            keep = "read_only" in existing
            before = _profile_table(old.profiles[name], keep_read_only=keep) if name in old.profiles else {}
            _set_keys(existing, before, _profile_table(profile, keep_read_only=keep))
    return tomlkit.dumps(doc)


def config_to_toml(config: Config) -> str:
    """``config`` as a new file: ``default_profile`` first, unknown keys next, then ``[profiles.*]``."""
    return edit_toml("", config)


def save_config(path: Path, config: Config) -> None:
    """Change the file at ``path`` into ``config``, atomically, mode 0600 (directory 0700 if created).

    Only the keys that differ are edited (see :func:`edit_toml`). The text is re-read and validated before
    the disk is touched, so the tool never writes a file it would then refuse to load. Any failure raises
    ConfigError and leaves the previous file as it was.
    """
    try:
        current = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        current = ""
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"cannot read the file: {getattr(error, 'strerror', None) or error}",
                          path=path) from None
    try:
        text = edit_toml(current, config, path)
    except (TypeError, ValueError) as error:
        raise ConfigError(f"cannot serialise the configuration: {error}", path=path) from None
    import tomllib

    parse_config(tomllib.loads(text), path)
    try:
        write_private_file(path, text.encode("utf-8"))
    except OSError as error:
        raise ConfigError(f"cannot write the file: {error.strerror or error}", path=path) from None


# --- tokens -------------------------------------------------------------------------------------------------


_BEARER_RE = re.compile(r"\Abearer\s+", re.IGNORECASE)


def clean_token(value: str) -> str:
    """A pasted token as the API wants it: surrounding whitespace and a leading ``Bearer `` removed.

    People copy the whole ``Authorization`` value from curl or Postman; the prefix is not part of the token.
    """
    return _BEARER_RE.sub("", value.strip(), count=1).strip()


def _checked_token(value: str, source: str) -> str:
    token = clean_token(value)
    if TOKEN_FORBIDDEN.search(token):
        raise ConfigError(f"the token from {source} contains whitespace or control characters")
    return token


def resolve_token(
    profile: Profile, environ: Mapping[str, str] = os.environ, *, base_dir: Path | None = None
) -> str:
    """Return the token to use: ``$IOX_TOKEN``, then the profile's ``token_env``, ``token_file``, ``token``.

    An empty or unset source is skipped so the same profile works in CI (environment) and at a desk (file).
    A relative ``token_file`` is taken against ``base_dir`` (the config file's folder) when given. The error,
    when nothing yields a token, lists every source tried and why it gave nothing — never the token itself.
    """
    tried: list[str] = []
    from_env = environ.get(TOKEN_ENV_VAR, "")
    if from_env.strip():
        return _checked_token(from_env, f"${TOKEN_ENV_VAR}")
    tried.append(f"${TOKEN_ENV_VAR} is not set")
    if profile.token_env:
        value = environ.get(profile.token_env, "")
        if value.strip():
            return _checked_token(value, f"${profile.token_env}")
        tried.append(f"${profile.token_env} (token_env) is not set")
    if profile.token_file:
        file = Path(profile.token_file).expanduser()
        if base_dir is not None and not file.is_absolute():
            file = base_dir / file
        try:
            content = file.read_text(encoding="utf-8")
        except FileNotFoundError:
            tried.append(f"token file {file} does not exist")
        except UnicodeDecodeError:
            tried.append(f"token file {file} is not valid UTF-8")
        except OSError as error:
            tried.append(f"token file {file} cannot be read ({error.strerror or type(error).__name__})")
        else:
            if content.strip():
                return _checked_token(content, f"token file {file}")
            tried.append(f"token file {file} is empty")
    if profile.token:
        return _checked_token(profile.token, f"profile {profile.name!r} (stored token)")
    if not (profile.token_env or profile.token_file):
        tried.append("the profile names no token source and stores no token")
    raise ConfigError(f"no token for profile {profile.name!r}: " + "; ".join(tried))


def mask_token(token: str) -> str:
    """Show enough of a token to recognise it in ``iox profiles`` and too little to use it."""
    if len(token) < 12:
        return "••••"
    return f"{token[:4]}…{token[-2:]}"
