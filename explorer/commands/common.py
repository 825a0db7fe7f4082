"""What every command shares: exit codes, the context a command runs in, options, and error reporting.

Why: scripts and cron jobs depend on the exit codes and on the error text being the same for every command,
so a command only says what it does; how an ``ApiError`` becomes a message and a code is decided once here.

Exit codes: 0 ok, 1 API error (403, 404, 422, 429, 5xx, connection, read-only refusal), 2 usage (bad
arguments, bad config file, unknown profile, a confirmation that cannot be asked), 3 authentication (401, or
no token at all).
"""

from __future__ import annotations

import argparse
import getpass
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TextIO

from explorer.client import (
    ApiError,
    Forbidden,
    IntegratorClient,
    NotFound,
    RateLimited,
    ReadOnlyViolation,
    TransportError,
    Unauthorized,
    ValidationFailed,
)
from explorer.commands.output import Output, printable
from explorer.commands.session import ClientBuilder, CredentialsMissing, Session
from explorer.config import ConfigError

EXIT_OK = 0
EXIT_API = 1
EXIT_USAGE = 2
EXIT_AUTH = 3
EXIT_INTERRUPTED = 130

DEMO_TOKEN_NAMES = ("full", "scoped", "noconn", "eu", "au", "ca", "revoked")
"""The simulator's demo tokens ``--demo-token`` may pick (``eu`` is the EU copy of the account)."""


class UsageError(Exception):
    """The command was called in a way it cannot work (exit code 2); the message says what to do instead."""


class Prompter(Protocol):
    """Questions to the person at the terminal; tests hand in a scripted one."""

    @property
    def interactive(self) -> bool:
        """True when someone can answer (stdin is a terminal)."""
        ...

    def ask(self, question: str) -> str:
        """Ask a question and return the answer line (without its newline)."""
        ...

    def secret(self, question: str) -> str:
        """Ask for a secret without echoing it."""
        ...


class TerminalPrompter:
    """Asks on the real terminal: questions on stderr (stdout stays data), secrets through ``getpass``."""

    def __init__(self, stdin: TextIO, stderr: TextIO) -> None:
        self._stdin = stdin
        self._stderr = stderr

    @property
    def interactive(self) -> bool:
        """True when stdin is a terminal."""
        isatty = getattr(self._stdin, "isatty", None)
        return bool(isatty and isatty())

    def ask(self, question: str) -> str:
        """Print ``question`` on stderr and read one line from stdin."""
        self._stderr.write(question)
        self._stderr.flush()
        return self._stdin.readline().rstrip("\r\n")

    def secret(self, question: str) -> str:
        """Read a secret without echo (``getpass`` uses the terminal itself)."""
        return getpass.getpass(question, stream=self._stderr)




@dataclass
class CommandContext:
    """What a command gets: where to print, how to ask, the config file, and (for most) a built client."""

    out: Output
    prompter: Prompter
    stdin: TextIO
    config_file: Path
    environ: Mapping[str, str]
    build_client: ClientBuilder
    session: Session | None = None
    client: IntegratorClient | None = None
    demo: bool = False

    @property
    def api(self) -> IntegratorClient:
        """The client of this run (commands registered with ``needs_client`` always have one)."""
        if self.client is None:
            raise RuntimeError("this command was registered without a client")
        return self.client

    @property
    def profile_name(self) -> str:
        """The profile this run talks to (``demo`` or ``env`` when there is none)."""
        return self.session.profile if self.session is not None else ""


Handler = Callable[[CommandContext, argparse.Namespace], Awaitable[int]]


# --- options ------------------------------------------------------------------------------------------------


def add_session_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    """The options every command takes, on the main parser (real defaults) and on each sub-command.

    On sub-commands the defaults are suppressed, so ``iox --json ls flows`` and ``iox ls flows --json`` both
    work: a sub-parser's default would otherwise overwrite what was given before the command name.
    """

    def default(value: object) -> object:
        return argparse.SUPPRESS if suppress else value

    group = parser.add_argument_group("account options")
    group.add_argument("--profile", metavar="NAME", default=default(None),
                       help="the profile to use (default: the config's default_profile)")
    group.add_argument("--config", metavar="PATH", default=default(None),
                       help="config file (default: $IOX_CONFIG, else $XDG_CONFIG_HOME/integrator-explorer/"
                            "config.toml)")
    group.add_argument("--base-url", metavar="URL", default=default(None),
                       help="talk to this server instead of the profile's region (token from $IOX_TOKEN or "
                            "the profile)")
    group.add_argument("--read-only", action="store_true", default=default(False),
                       help="refuse every change (no PUT/POST/DELETE is sent)")
    group.add_argument("--demo", action="store_true", default=default(False),
                       help="use the built-in simulated demo account (in-process, no network)")
    group.add_argument("--demo-token", choices=DEMO_TOKEN_NAMES, default=default("full"),
                       help="with --demo: which demo token (full access, custom scopes, the EU account, "
                            "revoked)")
    group.add_argument("--latency-ms", dest="demo_latency_ms", type=float, metavar="MS",
                       default=default(0.0), help="with --demo: simulated network latency")
    output = parser.add_argument_group("output options")
    output.add_argument("--json", action="store_true", default=default(False),
                        help="print one JSON document on stdout (messages and progress go to stderr)")
    output.add_argument("-v", "--verbose", action="store_true", default=default(False),
                        help="log every HTTP request (method, path, status, time) on stderr")


def add_command(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    name: str,
    *,
    help: str,
    handler: Handler,
    needs_client: bool = True,
    description: str | None = None,
    epilog: str | None = None,
) -> argparse.ArgumentParser:
    """Add a sub-command with the shared options; ``handler`` runs it (with a built client if asked)."""
    parser = commands.add_parser(
        name, help=help, description=description or help, epilog=epilog, allow_abbrev=False,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_session_options(parser, suppress=True)
    parser.set_defaults(handler=handler, needs_client=needs_client)
    return parser


def require_writable(ctx: CommandContext, what: str) -> None:
    """Refuse a change up front in a read-only session, saying why (the client would refuse it anyway)."""
    session = ctx.session
    if session is not None and session.read_only:
        raise ReadOnlyViolation(None, "read_only", f"refused to {what}: read-only session "
                                f"({session.read_only_reason}); nothing was sent")


def confirmed(ctx: CommandContext, *, yes: bool, stdin_input: bool, question: str, refusal: str) -> bool:
    """A write goes ahead with ``--yes`` or a "y" typed on a terminal; without a terminal it is refused.

    Why one rule: ``put`` and ``fix`` must never write unasked, and never hang waiting for an answer that
    cannot come (their input came from stdin, or stdin is not a terminal). ``refusal`` says what to do.
    """
    if yes:
        return True
    if stdin_input or not ctx.prompter.interactive:
        raise UsageError(f"refusing to {refusal}")
    return ctx.prompter.ask(question).strip().lower() in ("y", "yes")


# --- errors -------------------------------------------------------------------------------------------------


def exit_code_for(error: BaseException) -> int:
    """The process exit code for an error that ended a command."""
    if isinstance(error, Unauthorized | CredentialsMissing):
        return EXIT_AUTH
    if isinstance(error, UsageError | ConfigError):
        return EXIT_USAGE
    if isinstance(error, KeyboardInterrupt):
        return EXIT_INTERRUPTED
    return EXIT_API


def _api_lines(error: ApiError, session: Session | None) -> list[str]:
    where = f" ({error.method} {error.path})" if error.method or error.path else ""
    message = printable(error.message)
    if isinstance(error, ReadOnlyViolation):
        reason = session.read_only_reason if session is not None else ""
        return [f"{message} ({reason})" if reason and reason not in message else message]
    if isinstance(error, Unauthorized):
        source = f" (the token from {session.token_source})" if session and session.token_source else ""
        server = f" at {session.where}" if session is not None else ""
        notes = [printable(note) for note in getattr(error, "__notes__", [])]
        return [f"authentication failed (HTTP 401){server}{where}{source}: {message}", *notes,
                "`iox login` checks a token and tells which region (NA, EU, AU or CA) it belongs to"]
    if isinstance(error, Forbidden):
        return [f"forbidden (HTTP 403){where}: {message}"]
    if isinstance(error, NotFound):
        return [f"not found (HTTP 404){where}: {message}"]
    if isinstance(error, ValidationFailed):
        lines = [f"the server rejected the request (HTTP 422){where}:"]
        for item in error.errors or []:
            field = f"{printable(item.field)}: " if item.field else ""
            lines.append(f"  - {field}{printable(item.message) or '(no message)'} [{printable(item.code)}]")
        if not error.errors:
            lines.append(f"  - {message}")
        return lines
    if isinstance(error, RateLimited):
        after = f"; retry after {error.retry_after:g} s" if error.retry_after is not None else ""
        return [f"rate limited (HTTP 429){where}{after}: {message}"]
    if isinstance(error, TransportError) and error.status is None:
        server = f" from {session.where}" if session is not None else ""
        return [f"no usable answer{server}{where}: {message}"]
    status = f"HTTP {error.status}" if error.status is not None else "no response"
    return [f"request failed ({status}){where}: {message}"]


def error_json(error: BaseException, code: int) -> dict[str, Any]:
    """The ``{"error": ...}`` document printed on stdout under ``--json`` when a command fails."""
    body: dict[str, Any] = {"exit_code": code, "message": str(error)}
    if isinstance(error, ApiError):
        body.update(
            kind=type(error).__name__, status=error.status, code=error.code, message=error.message,
            method=error.method, path=error.path,
            errors=[{"code": i.code, "message": i.message, "field": i.field} for i in error.errors],
        )
    else:
        body["kind"] = type(error).__name__
    notes = getattr(error, "__notes__", None)
    if notes:
        body["hints"] = list(notes)
    return {"error": body}


def report_error(error: BaseException, out: Output, session: Session | None = None) -> int:
    """Print a failure on stderr (and as JSON on stdout under ``--json``); return its exit code."""
    code = exit_code_for(error)
    if isinstance(error, ApiError):
        lines = _api_lines(error, session)
    elif isinstance(error, KeyboardInterrupt):
        lines = ["interrupted"]
    else:
        lines = [printable(str(error))]
    out.note("iox: error: " + "\n".join(lines))
    if out.json_mode and not isinstance(error, KeyboardInterrupt):
        out.data(error_json(error, code))
    return code

