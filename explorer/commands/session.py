"""Which account a run talks to: the profile, its token, region or base URL, and whether it may write.

Why here and not in ``cli.py``: the same rules serve every command, the TUI start and the TUI's profile
switcher, and they are pure (config + environment in, a ``Session`` out), so they are tested without a
server. Precedence, as the issue asks: ``IOX_TOKEN`` beats the profile's own token source (that rule lives in
``config.resolve_token``); ``--base-url`` beats the profile's region or URL; ``--read-only`` or the profile's
``read_only`` makes the session read-only.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from explorer.client import ClientFactory, IntegratorClient, RequestHook, Timeouts
from explorer.config import TOKEN_ENV_VAR, Config, ConfigError, Profile, load_config, resolve_token

ENV_PROFILE = "env"
"""The name shown for a session built from ``IOX_TOKEN`` alone (no profile in the config)."""


class CredentialsMissing(Exception):
    """No token could be found for the session: an authentication problem (exit code 3), not a usage one."""


@dataclass(frozen=True)
class Session:
    """Everything needed to build a client for one account; the token is kept out of ``repr``."""

    profile: str
    token: str = field(repr=False)
    region: str = "na"
    base_url: str | None = None
    read_only: bool = False
    read_only_reason: str = ""
    token_source: str = ""
    timeouts: Timeouts = field(default_factory=Timeouts)
    """Connect/read timeouts of the profile (``connect_timeout``, ``read_timeout``), else the defaults."""

    @property
    def where(self) -> str:
        """The server in words, for messages: ``NA``, ``EU`` or the base URL."""
        return self.base_url or self.region.upper()

    @property
    def label(self) -> str:
        """What the TUI header shows, e.g. ``prod (EU)``."""
        return f"{self.profile} ({self.where})"


def read_only_reason(flag: bool, profile: Profile | None) -> str:
    """Why a session is read-only, in words a refusal message can quote (empty when it is not)."""
    if flag:
        return "--read-only was given"
    if profile is not None and profile.read_only:
        return f"profile {profile.name!r} has read_only = true"
    return ""


def resolve_session(
    config: Config,
    config_file: Path,
    *,
    profile_name: str | None,
    base_url: str | None = None,
    read_only: bool = False,
    environ: Mapping[str, str] = os.environ,
) -> Session:
    """The session for ``--profile`` (or the default profile, or ``IOX_TOKEN`` alone when none exists).

    Raises ConfigError for an unknown profile or a bad file (a usage problem) and CredentialsMissing when no
    token can be found (an authentication problem).
    """
    has_env_token = bool(environ.get(TOKEN_ENV_VAR, "").strip())
    profile: Profile
    if profile_name is None and config.default_profile is None and (has_env_token or not config.profiles):
        if not has_env_token:
            raise CredentialsMissing(
                f"no profile is configured and ${TOKEN_ENV_VAR} is not set; run `iox login` "
                f"(or set ${TOKEN_ENV_VAR}), or try `iox --demo`"
            )
        profile = Profile(name=ENV_PROFILE)
    else:
        profile = config.profile(profile_name)
    try:
        token = resolve_token(profile, environ, base_dir=config_file.parent)
    except ConfigError as error:
        raise CredentialsMissing(str(error)) from None
    reason = read_only_reason(read_only, profile)
    source = f"${TOKEN_ENV_VAR}" if has_env_token else f"profile {profile.name!r}"
    return Session(
        profile=profile.name,
        token=token,
        region=profile.region or "na",
        base_url=base_url or profile.base_url,
        read_only=bool(reason),
        read_only_reason=reason,
        token_source=source,
        timeouts=Timeouts(connect=profile.connect_timeout or Timeouts.connect,
                          read=profile.read_timeout or Timeouts.read),
    )


class ClientBuilder(Protocol):
    """Builds a client for a session: the real API, a loopback server, or the in-process simulator."""

    def __call__(self, session: Session, on_request: RequestHook | None = None, *,
                 concurrency: int | None = None) -> IntegratorClient:
        """A new client for ``session``; ``on_request`` (if given) sees every request (the TUI's HTTP log);
        ``concurrency`` overrides the requests kept in flight (a command that paces itself asks for more)."""
        ...


@dataclass(frozen=True)
class ProfileChoice:
    """What the TUI needs to (re)start on a profile: a client factory, a header label, the read-only flag.

    ``client_factory`` is called inside the app's event loop (httpx clients belong to one loop), with
    ``on_request=`` for the HTTP log.
    """

    name: str
    label: str
    read_only: bool
    client_factory: ClientFactory = field(repr=False)


class ProfileSwitcher:
    """Profile name → :class:`ProfileChoice`, for the TUI's start and its ``P``/palette profile switch.

    The config file is read again on every call, so a profile added with ``iox login`` in another terminal
    appears without a restart. A bad file, an unknown name or a missing token raise ``ConfigError`` or
    ``CredentialsMissing`` whose message is safe to show as it is. ``--base-url`` and ``--read-only`` given
    at start apply to every profile switched to.
    """

    errors: tuple[type[Exception], ...] = (ConfigError, CredentialsMissing)
    """What ``names()`` and a call raise for a problem the user can fix; the message is safe to show."""

    def __init__(
        self,
        config_file: Path,
        build_client: ClientBuilder,
        *,
        base_url: str | None = None,
        read_only: bool = False,
        environ: Mapping[str, str] = os.environ,
    ) -> None:
        self.config_file = config_file
        self._build_client = build_client
        self._base_url = base_url
        self._read_only = read_only
        self._environ = environ
        self._demo_names: list[str] | None = None
        self._demo_session: Callable[[str], Session] | None = None

    @classmethod
    def for_demo(cls, names: Sequence[str], make_session: Callable[[str], Session],
                 build_client: ClientBuilder) -> ProfileSwitcher:
        """A switcher over the simulator's demo tokens (``iox --demo``): each token is a "profile"."""
        switcher = cls(Path(os.devnull), build_client)
        switcher._demo_names = list(names)
        switcher._demo_session = make_session
        return switcher

    def names(self) -> list[str]:
        """The profiles one can switch to, in config-file order (the demo tokens under ``--demo``)."""
        if self._demo_names is not None:
            return list(self._demo_names)
        return list(load_config(self.config_file).profiles)

    def default_name(self) -> str | None:
        """The profile used when none is named (None: ``IOX_TOKEN`` alone, or nothing configured)."""
        if self._demo_names is not None:
            return self._demo_names[0] if self._demo_names else None
        return load_config(self.config_file).default_profile

    def session(self, name: str | None) -> Session:
        """The session for a profile name (None: the default profile)."""
        if self._demo_session is not None and self._demo_names is not None:
            chosen = name or self.default_name() or ""
            if chosen not in self._demo_names:
                known = ", ".join(self._demo_names)
                raise ConfigError(f"unknown demo token {chosen!r} (known: {known})")
            return self._demo_session(chosen)
        return resolve_session(load_config(self.config_file), self.config_file, profile_name=name,
                               base_url=self._base_url, read_only=self._read_only, environ=self._environ)

    def __call__(self, name: str | None) -> ProfileChoice:
        """Resolve ``name`` now (so errors show before the switch) and return how to build its client."""
        session = self.session(name)
        build = self._build_client

        def client_factory(*, on_request: RequestHook | None = None) -> IntegratorClient:
            return build(session, on_request)

        return ProfileChoice(name=session.profile, label=session.label, read_only=session.read_only,
                             client_factory=client_factory)
