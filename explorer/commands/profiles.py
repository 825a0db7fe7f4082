"""``iox login``, ``iox profiles`` and ``iox logout``: the accounts the tool knows and their tokens.

Why login checks before it stores: a token for another region is the commonest mistake (an NA token is
refused by the EU, AU and CA hosts, and so on, with a bare 401), so login asks ``GET /v1/tokenInfo`` and,
on a 401, tries the other regions in turn and says which account the token belongs to. A token is never
taken from the command line (it would show in ``ps`` and in shell history): it is read without echo, from
stdin (``--token-stdin``), or referenced by an environment variable or a file.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, replace
from pathlib import Path
from typing import cast
from urllib.parse import urlsplit

from explorer.client import REGION_BASES, Unauthorized, base_url_for, region_of_base
from explorer.commands.common import (
    EXIT_AUTH,
    EXIT_OK,
    CommandContext,
    UsageError,
    add_command,
)
from explorer.commands.output import printable
from explorer.commands.session import Session
from explorer.config import (
    REGIONS,
    TOKEN_ENV_VAR,
    TOKEN_FORBIDDEN,
    Config,
    Profile,
    Region,
    clean_token,
    load_config,
    mask_token,
    save_config,
    validate_profile_name,
)
from explorer.model import TokenInfo

DEFAULT_PROFILE_NAME = "default"


@dataclass(frozen=True)
class Target:
    """One place a token may work: a region (``base_url`` None) or an explicit server."""

    region: str
    base_url: str | None = None

    @property
    def account(self) -> str:
        """``NA``, ``EU``, ``AU`` or ``CA``: how the user knows the accounts."""
        return self.region.upper()

    @property
    def where(self) -> str:
        """The server, for messages."""
        return self.base_url or urlsplit(REGION_BASES[self.region]).hostname or self.region


def region_of_url(url: str) -> str:
    """The region a server URL stands for: the public API host's region, ``na`` for any other server."""
    return region_of_base(url) or "na"


def login_targets(region: str | None, base_url: str | None, other_urls: list[str] | None,
                  previous: Profile | None) -> tuple[Target, list[Target]]:
    """Where to check the token first, and the other regions to try in turn after a 401 (empty: none known).

    With no base URL, or one of the public API hosts, the others are the other public hosts. For any other
    server (a proxy, a loopback simulator) they are known only from ``--other-region-url [REGION=]URL``
    (repeatable; a URL without a region takes the first region not named yet).
    """
    if base_url is not None:
        first = Target(region_of_url(base_url), _checked_url(base_url, "--base-url"))
        if other_urls:
            return first, _named_targets(first, other_urls)
        known = region_of_base(first.base_url or "")
        if known is not None:
            return Target(known), [Target(name) for name in REGIONS if name != known]
        return first, []
    if other_urls:
        raise UsageError("--other-region-url only makes sense with --base-url")
    name = region or (previous.region if previous is not None and previous.region else None) or "na"
    return Target(name), [Target(other) for other in REGIONS if other != name]


def _named_targets(first: Target, other_urls: list[str]) -> list[Target]:
    """``[REGION=]URL`` values as targets; unnamed ones take the regions not named yet, in order."""
    named: list[tuple[str | None, str]] = []
    for value in other_urls:
        head, sep, tail = value.partition("=")
        if sep and head.strip().lower() in REGIONS:
            named.append((head.strip().lower(), tail))
        else:
            named.append((None, value))
    taken = {first.region} | {name for name, _ in named if name}
    free = [name for name in REGIONS if name not in taken]
    targets: list[Target] = []
    for name, url in named:
        if name is None:
            if not free:
                raise UsageError("--other-region-url: more servers than regions; name them as REGION=URL")
            name = free.pop(0)
        targets.append(Target(name, _checked_url(url, "--other-region-url")))
    return targets


def _checked_url(url: str, option: str) -> str:
    try:
        return base_url_for("na", url)
    except ValueError as error:
        raise UsageError(f"{option}: {error}") from None


def read_login_token(ctx: CommandContext, args: argparse.Namespace, profile_name: str) -> str:
    """The token to check, from the one source the user chose; never from an argument value."""
    if args.token_env:
        value = ctx.environ.get(args.token_env, "")
        source = f"${args.token_env}"
        if not value.strip():
            raise UsageError(f"--token-env: ${args.token_env} is not set or empty")
    elif args.token_file:
        source = f"token file {args.token_file}"
        try:
            value = Path(args.token_file).expanduser().read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            reason = getattr(error, "strerror", None) or type(error).__name__
            raise UsageError(f"--token-file: cannot read {args.token_file}: {reason}") from None
    elif args.token_stdin:
        source = "stdin"
        value = ctx.stdin.read()
    elif ctx.prompter.interactive:
        source = "the prompt"
        value = ctx.prompter.secret(f"API token for profile {profile_name!r} (input hidden): ")
    else:
        raise UsageError("no terminal to ask for the token on: use `--token-stdin` (e.g. "
                         "`iox login --token-stdin < token.txt`), --token-env NAME or --token-file PATH")
    token = clean_token(value)
    if not token:
        raise UsageError(f"the token from {source} is empty")
    if TOKEN_FORBIDDEN.search(token):
        raise UsageError(f"the token from {source} contains whitespace or control characters")
    return token


async def check_token(ctx: CommandContext, token: str, target: Target) -> TokenInfo:
    """``GET /v1/tokenInfo`` at ``target`` (read-only: a check never writes)."""
    session = Session(profile="login", token=token, region=target.region, base_url=target.base_url,
                      read_only=True, read_only_reason="login only reads")
    async with ctx.build_client(session) as client:
        return await client.token_info()


def _stored_profile(previous: Profile | None, name: str, target: Target, args: argparse.Namespace,
                    token: str) -> Profile:
    base = previous or Profile(name=name)
    if args.token_env:
        sources = {"token_env": args.token_env, "token_file": None, "token": None}
    elif args.token_file:
        sources = {"token_env": None, "token_file": str(Path(args.token_file).expanduser().resolve()),
                   "token": None}
    else:
        sources = {"token_env": None, "token_file": None, "token": token}
    read_only = True if args.read_only else False if args.writable else base.read_only
    region = None if target.base_url else cast(Region, target.region)
    return replace(base, region=region, base_url=target.base_url, read_only=read_only, **sources)


async def _first_accepting(ctx: CommandContext, token: str, first: Target,
                           others: list[Target]) -> tuple[Target, TokenInfo]:
    """The first of ``first`` and then ``others`` whose server accepts the token, with its tokenInfo.

    Raises the first server's ``Unauthorized`` (after saying where the token was tried) when none accepts it.
    """
    try:
        return first, await check_token(ctx, token, first)
    except Unauthorized as refused:
        if not others:
            ctx.out.note(f"iox: the token was refused by {first.where}; the other regions' servers are not "
                         "known for this base URL (pass --other-region-url [REGION=]URL to try them)")
            raise
        for other in others:
            try:
                return other, await check_token(ctx, token, other)
            except Unauthorized:
                continue
        tried = ", ".join(f"{t.account} ({t.where})" for t in [first, *others])
        ctx.out.note(f"iox: the token was refused by every region's server: {tried}")
        raise refused from None


def _holds_another_token(previous: Profile, args: argparse.Namespace, token: str) -> bool:
    """Whether storing this login would replace a different token (or token source) of ``previous``."""
    if previous.token_env or previous.token_file:
        return (previous.token_env, previous.token_file) != (args.token_env, _resolved(args.token_file))
    return previous.token is not None and previous.token != token


def _resolved(token_file: str | None) -> str | None:
    return str(Path(token_file).expanduser().resolve()) if token_file else None


def _confirm_replacing(ctx: CommandContext, name: str) -> None:
    """``iox login`` without ``--profile`` would overwrite the default profile's token: ask, or refuse.

    Without a terminal there is nobody to ask, so only ``--profile`` or ``--force`` may say which.
    """
    what = f"profile {name!r} already holds another token"
    if not ctx.prompter.interactive:
        raise UsageError(f"{what}; nothing was stored. Say which profile with --profile NAME, "
                         "or replace its token with --force")
    answer = ctx.prompter.ask(f"Profile {name!r} already holds another token. Replace it? [y/N] ")
    if answer.strip().lower() not in ("y", "yes"):
        raise UsageError(f"{what}; nothing was stored (--profile NAME stores it under another name)")


async def run_login(ctx: CommandContext, args: argparse.Namespace) -> int:
    """Check a token (trying the other regions after a 401) and store it as a profile."""
    if args.base_url and args.region:
        raise UsageError("give either --region or --base-url, not both")
    if args.read_only and args.writable:
        raise UsageError("give either --read-only or --writable, not both")
    config = load_config(ctx.config_file)
    name = args.profile or config.default_profile or DEFAULT_PROFILE_NAME
    validate_profile_name(name, path=ctx.config_file)
    previous = config.profiles.get(name)
    first, others = login_targets(args.region, args.base_url, args.other_region_url, previous)
    token = read_login_token(ctx, args, name)
    if not args.profile and not args.force and previous is not None \
            and _holds_another_token(previous, args, token):
        _confirm_replacing(ctx, name)

    target, info = await _first_accepting(ctx, token, first, others)
    if target is not first:
        ctx.out.note(f"iox: this token belongs to the {target.account} account ({target.where}), "
                     f"not the {first.account} one")
        if ctx.prompter.interactive and not args.token_stdin and not args.yes:
            answer = ctx.prompter.ask(f"Store profile {name!r} for the {target.account} account? [Y/n] ")
            if answer.strip().lower() not in ("", "y", "yes"):
                ctx.out.note("iox: nothing stored")
                return EXIT_AUTH
        else:
            ctx.out.note(f"iox: storing profile {name!r} for the {target.account} account")

    profile = _stored_profile(previous, name, target, args, token)
    new_config = config.with_profile(profile, make_default=args.default)
    saved = not ctx.demo
    if saved:
        save_config(ctx.config_file, new_config)
    is_default = new_config.default_profile == name
    if ctx.out.json_mode:
        ctx.out.data({
            "profile": name, "saved": saved, "default": is_default, "config": str(ctx.config_file),
            "region": profile.region, "base_url": profile.base_url, "read_only": profile.read_only,
            "user_id": info.user_id, "scope": info.scope, "scope_description": info.describe(),
        })
    else:
        ctx.out.line(f"Token OK: user {printable(info.user_id or '?')}, {printable(info.describe())}, "
                     f"{target.account} account ({printable(target.where)}).")
        if saved:
            ctx.out.line(f"Saved profile {name!r}{' (default)' if is_default else ''}"
                         f"{' (read-only)' if profile.read_only else ''} to {printable(ctx.config_file)}.")
    if not saved:
        ctx.out.note("iox: --demo: the token was checked against the simulator; nothing was stored")
    if ctx.environ.get(TOKEN_ENV_VAR, "").strip():
        ctx.out.note(f"iox: note: ${TOKEN_ENV_VAR} is set and takes precedence over every profile's token")
    return EXIT_OK


# --- profiles and logout ------------------------------------------------------------------------------------


def token_source(profile: Profile, ctx: CommandContext) -> tuple[str | None, str]:
    """(kind, masked description) of where a profile's token comes from; the token itself is never shown."""
    if profile.token_env:
        state = "set" if ctx.environ.get(profile.token_env, "").strip() else "not set"
        return "env", f"${profile.token_env} ({state})"
    if profile.token_file:
        file = Path(profile.token_file).expanduser()
        if not file.is_absolute():
            file = ctx.config_file.parent / file
        return "file", f"file {profile.token_file}{'' if file.exists() else ' (missing)'}"
    if profile.token:
        return "stored", f"stored {mask_token(profile.token)}"
    return None, "none"


def _server(profile: Profile) -> str:
    return profile.base_url or (profile.region or "na").upper()


async def run_profiles(ctx: CommandContext, args: argparse.Namespace) -> int:
    """List the profiles (tokens masked), or set the default one."""
    config = load_config(ctx.config_file)
    if args.set_default:
        config.profile(args.set_default)  # unknown name: a ConfigError listing the known ones
        config = replace(config, default_profile=args.set_default)
        save_config(ctx.config_file, config)
        ctx.out.note(f"iox: default profile is now {args.set_default!r}")
    env_token = bool(ctx.environ.get(TOKEN_ENV_VAR, "").strip())
    rows = []
    for profile in config.profiles.values():
        kind, shown = token_source(profile, ctx)
        rows.append((profile, kind, shown))
    if ctx.out.json_mode:
        ctx.out.data({
            "config": str(ctx.config_file), "default_profile": config.default_profile,
            "iox_token_set": env_token,
            "profiles": [
                {"name": p.name, "default": p.name == config.default_profile, "region": p.region,
                 "base_url": p.base_url, "read_only": p.read_only, "token_source": kind, "token": shown}
                for p, kind, shown in rows
            ],
        })
    elif rows:
        ctx.out.table(
            ("", "NAME", "SERVER", "TOKEN", "READ-ONLY"),
            [("*" if p.name == config.default_profile else "", p.name, _server(p), shown,
              "yes" if p.read_only else "no") for p, _kind, shown in rows],
        )
    else:
        ctx.out.note(f"iox: no profiles in {printable(ctx.config_file)}; create one with `iox login`")
    if env_token:
        ctx.out.note(f"iox: note: ${TOKEN_ENV_VAR} is set: it overrides every profile's token")
    return EXIT_OK


async def run_logout(ctx: CommandContext, args: argparse.Namespace) -> int:
    """Remove one profile (and its stored token) from the config file."""
    if args.name and args.profile and args.name != args.profile:
        raise UsageError("give the profile once: either NAME or --profile")
    name = args.name or args.profile
    if not name:
        raise UsageError("say which profile to remove: `iox logout NAME` (see `iox profiles`)")
    config: Config = load_config(ctx.config_file)
    removed = config.profiles.get(name)
    new_config = config.without_profile(name)
    save_config(ctx.config_file, new_config)
    if ctx.out.json_mode:
        ctx.out.data({"removed": name, "default_profile": new_config.default_profile,
                      "config": str(ctx.config_file)})
    else:
        ctx.out.line(f"Removed profile {name!r} from {printable(ctx.config_file)}.")
    if removed is not None and removed.token_file:
        ctx.out.note(f"iox: the token file {printable(removed.token_file)} was left in place")
    if config.default_profile == name and new_config.profiles:
        ctx.out.note("iox: there is no default profile now; pick one with `iox profiles --set-default NAME`")
    return EXIT_OK


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``login``, ``profiles`` and ``logout``."""
    login = add_command(
        commands, "login", handler=run_login, needs_client=False,
        help="check an API token and store it as a profile",
        epilog="examples:\n  iox login --profile prod --region eu\n"
               "  pass show celigo/sandbox | iox login --profile sandbox --token-stdin\n"
               "  iox login --profile ci --token-env CELIGO_TOKEN --read-only",
    )
    login.add_argument("--region", choices=REGIONS, default=None, help="the account's region (default na)")
    login.add_argument("--other-region-url", metavar="[REGION=]URL", action="append", default=None,
                       help="with --base-url: another region's server, tried when the token is refused "
                            "(repeatable)")
    source = login.add_mutually_exclusive_group()
    source.add_argument("--token-stdin", action="store_true",
                        help="read the token from stdin (it is stored in the 0600 config file)")
    source.add_argument("--token-env", metavar="NAME", default=None,
                        help="read the token from $NAME now and later (nothing secret is stored)")
    source.add_argument("--token-file", metavar="PATH", default=None,
                        help="read the token from this file now and later (nothing secret is stored)")
    login.add_argument("--default", action="store_true", help="make this the default profile")
    login.add_argument("--writable", action="store_true", help="clear the profile's read_only flag")
    login.add_argument("--force", action="store_true",
                       help="without --profile: replace the default profile's token without asking")
    login.add_argument("-y", "--yes", action="store_true",
                       help="store another region's account without asking when the token belongs there")

    profiles = add_command(commands, "profiles", handler=run_profiles, needs_client=False,
                           help="list the profiles (tokens masked)",
                           epilog="examples:\n  iox profiles\n  iox profiles --set-default sandbox")
    profiles.add_argument("--set-default", metavar="NAME", default=None, help="make NAME the default profile")

    logout = add_command(commands, "logout", handler=run_logout, needs_client=False,
                         help="remove a profile and its stored token",
                         epilog="example:\n  iox logout sandbox")
    logout.add_argument("name", nargs="?", metavar="NAME", help="the profile to remove (or --profile)")
