"""The composition root: parse arguments, build the client (real API or simulator), run the app or a command.

This is the only module that knows every other one: the TUI never imports the simulator, the client never
knows which server it talks to, and the simulator speaks only the wire format. Each command group lives in
``explorer.commands`` and receives an already-built client; this module decides which server, which token and
which transport, and turns every failure into a message and an exit code (0 ok, 1 API error, 2 usage,
3 authentication) — never a traceback.
"""

from __future__ import annotations

# ruff: noqa: E402  (the collector is paused before the imports below: see explorer.gc_policy)
from explorer.gc_policy import end_imports, end_startup, pause_for_imports, pause_for_startup

pause_for_imports()

import argparse
import asyncio
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import httpx

from explorer import __version__
from explorer.client import ApiError, IntegratorClient, RequestRecord, SummaryHook, Unauthorized
from explorer.commands import COMMAND_GROUPS, group_of
from explorer.commands.common import (
    EXIT_API,
    EXIT_USAGE,
    CommandContext,
    Prompter,
    TerminalPrompter,
    UsageError,
    add_session_options,
    report_error,
)
from explorer.commands.output import Output
from explorer.commands.session import (
    ClientBuilder,
    CredentialsMissing,
    ProfileChoice,
    ProfileSwitcher,
    Session,
)
from explorer.config import ConfigError, config_path, load_config

if TYPE_CHECKING:
    from explorer.simulator import Simulator

end_imports()

DEFAULT_CONCURRENCY = 16
"""Requests a command's client keeps in flight unless the command asks for another number."""
FORBIDDEN_OPTIONS = ("--token", "--api-token", "--password")
"""Options that would put a secret in argv (seen in ``ps``, shell history): refused by name, never echoed."""


def build_parser(arguments: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The argument grammar of ``iox``: global options, then an optional sub-command (none = the TUI).

    Given the ``arguments`` about to be parsed, only the group of the command they name is imported (the
    others are listed by name and help, see ``explorer.commands``); without them, every group is.
    """
    parser = argparse.ArgumentParser(
        prog="iox", allow_abbrev=False,
        description="Explore, edit and triage a Celigo integrator.io account from the terminal. "
                    "Without a command, the full-screen explorer starts.",
        epilog="exit codes: 0 ok, 1 API error, 2 usage, 3 authentication",
    )
    parser.add_argument("--version", action="version", version=f"iox {__version__}")
    add_session_options(parser, suppress=False)
    word = None if arguments is None else command_word(parser, arguments)
    wanted = None if arguments is None else group_of(word or "")
    # The TUI (no command named, no help asked for) needs no list of the commands: building one is a parser
    # per command, each asking gettext for its words (~2 ms of start-up).
    listed = arguments is None or word is not None or any(
        argument in ("-h", "--help", "--") for argument in arguments)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for group in COMMAND_GROUPS:
        if arguments is None or group is wanted:
            group.load().register(commands)
        elif not listed:
            continue
        else:
            for name, help_text in group.commands.items():
                commands.add_parser(name, help=help_text, add_help=False)
    sim = commands.add_parser("simulator", help="serve the integrator.io simulator over HTTP on loopback",
                              allow_abbrev=False)
    sim.add_argument("--port", type=int, default=8765, help="NA port (default 8765; 0 picks a free one)")
    sim.add_argument("--eu-port", type=int, default=None, help="also serve the EU region on this port")
    sim.add_argument("--au-port", type=int, default=None, help="also serve the AU region on this port")
    sim.add_argument("--ca-port", type=int, default=None, help="also serve the CA region on this port")
    sim.add_argument("--latency-ms", type=float, default=0.0, help="fixed latency added to every answer")
    sim.add_argument("--jitter-ms", type=float, default=0.0, help="random extra latency, up to this much")
    sim.add_argument("--faults", default="", help="e.g. 429=0.1,500=0.05,reset=0.01,html=0.02")
    sim.add_argument("--scale", choices=("demo", "large"), default="demo", help="account size")
    sim.add_argument("--seed", type=int, default=0, help="seed of the account and of the faults")
    return parser


def command_word(parser: argparse.ArgumentParser, arguments: Sequence[str]) -> str | None:
    """The first positional argument (the command's name), skipping the global options and their values."""
    takes_value = {option for option, action in parser._option_string_actions.items() if action.nargs != 0}
    skip = False
    for argument in arguments:
        if skip:
            skip = False
        elif argument == "--":
            return None
        elif argument.startswith("-"):
            skip = argument in takes_value
        else:
            return argument
    return None


def _run_simulator(args: argparse.Namespace) -> int:
    from explorer.simulator import FaultConfig, run_server

    try:
        faults = FaultConfig.parse(f"seed={args.seed},{args.faults}") if args.faults else None
    except ValueError as exc:
        print(f"iox simulator: bad --faults: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        run_server(
            port=args.port,
            eu_port=args.eu_port,
            au_port=args.au_port,
            ca_port=args.ca_port,
            latency_ms=args.latency_ms,
            jitter_ms=args.jitter_ms,
            faults=faults,
            scale=args.scale,
            seed=args.seed,
        )
    except OSError as exc:  # the port is taken, or not ours to bind
        print(f"iox simulator: cannot listen: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_API
    return 0


# --- clients ------------------------------------------------------------------------------------------------


@dataclass
class SessionClientBuilder:
    """Builds clients for sessions: on the in-process simulator (``--demo``), an injected transport (tests),
    or the network. One simulator is shared by every client of a run, so a TUI profile switch keeps state.
    """

    demo: bool
    demo_latency_ms: float = 0.0
    transport: httpx.AsyncBaseTransport | None = None
    on_request: Callable[[RequestRecord], None] | None = None
    _simulator: Simulator | None = field(default=None, repr=False)

    def _transport(self) -> httpx.AsyncBaseTransport | None:
        if not self.demo:
            return self.transport
        # Imported here: commands against a real account should not pay for building the simulator module.
        from explorer.simulator import Simulator, SimulatorTransport

        if self._simulator is None:
            self._simulator = Simulator(seed=0, latency_ms=self.demo_latency_ms)
        return SimulatorTransport(self._simulator)

    def __call__(self, session: Session, on_request: Callable[[RequestRecord], None] | None = None, *,
                 concurrency: int | None = None) -> IntegratorClient:
        """A client for ``session``; a base URL the client refuses is a usage error."""
        try:
            # 16 requests in flight: the badge fan-out of a large account takes a third of the time it takes
            # at 8 (bench/client_fanout.py), far inside the API's rate limit (bucket 1000, 300/s refill).
            return IntegratorClient(session.token, region=session.region, base_url=session.base_url,
                                    transport=self._transport(), read_only=session.read_only,
                                    timeouts=session.timeouts,
                                    on_request=on_request or self.on_request,
                                    concurrency=concurrency or DEFAULT_CONCURRENCY)
        except ValueError as error:
            raise UsageError(f"cannot use server {session.where}: {error}") from None


def demo_session(token_name: str, read_only: bool) -> Session:
    """The session of ``--demo``: a demo token of the simulator (``eu``, ``au``, ``ca``: those regions)."""
    from explorer.simulator import DEMO_TOKENS

    return Session(profile="demo" if token_name == "full" else f"demo-{token_name}",
                   token=DEMO_TOKENS[token_name],
                   region=token_name if token_name in ("eu", "au", "ca") else "na",
                   read_only=read_only, read_only_reason="--read-only was given" if read_only else "",
                   token_source=f"demo token {token_name!r}")


def _request_logger(out: Output) -> Callable[[RequestRecord], None]:
    """The -v log: one line per request (a ``SummaryHook``: the client builds no headers or bodies for it)."""

    def log(record: RequestRecord) -> None:
        status = str(record.status) if record.status is not None else "no answer"
        retries = f", {record.retries} retries" if record.retries else ""
        out.note(f"iox: {record.method} {record.path} → {status} in {record.duration_ms:.0f} ms{retries}",
                 keep_progress=True)

    return SummaryHook(log)


def _check_options(args: argparse.Namespace) -> None:
    if args.demo and (args.base_url or args.profile):
        raise UsageError("--demo uses the built-in simulated account: leave out --profile and --base-url")


def _switcher(args: argparse.Namespace, factory: ClientBuilder) -> ProfileSwitcher:
    if args.demo:
        from explorer.simulator import DEMO_TOKENS

        return ProfileSwitcher.for_demo(list(DEMO_TOKENS), lambda name: demo_session(name, args.read_only),
                                        factory)
    return ProfileSwitcher(config_path(args.config), factory, base_url=args.base_url,
                           read_only=args.read_only, environ=os.environ)


# --- running ------------------------------------------------------------------------------------------------


async def _execute(ctx: CommandContext, args: argparse.Namespace) -> int:
    if not args.needs_client:
        return int(await args.handler(ctx, args))
    assert ctx.session is not None
    # A command that paces its own requests (`iox fix`) may ask for more in flight: at 100 ms RTT, 16 in
    # flight cap it at 160 requests/s, under the 250/s it paces itself to.
    async with ctx.build_client(ctx.session, concurrency=getattr(args, "client_concurrency", None)) as client:
        ctx.client = client
        watcher = asyncio.ensure_future(show_waits(client, ctx.out))
        try:
            return int(await args.handler(ctx, args))
        except Unauthorized as refused:
            from explorer.services.regions import probe_other_regions

            probe = await probe_other_regions(client)
            if probe is not None:
                refused.add_note(probe.hint())
            raise
        finally:
            watcher.cancel()
            ctx.out.clear_progress()


NOTE_EVERY_S = 10.0
"""Off a terminal, a long wait is noted once it passes the notice threshold and then this often."""


async def show_waits(client: IntegratorClient, out: Output) -> None:
    """Say on stderr what the client has been waiting for, once a wait passes ``notice_after`` (~3 s).

    On a terminal the progress line counts the seconds; in a pipe or a cron job a line is written at the
    threshold and every ``NOTE_EVERY_S`` after, so a silent server is never a silent command.
    """
    noted: tuple[object, float] | None = None
    while True:
        await asyncio.sleep(0.5)
        longest = client.waits.longest()
        if longest is None:
            continue
        waited = client.waits.clock() - longest.since
        if waited < client.timeouts.notice_after:
            continue
        text = longest.describe(client.waits.clock())
        if out.stderr_is_tty:
            out.progress(text, force=True)
        elif noted is None or noted[0] is not longest or waited - noted[1] >= NOTE_EVERY_S:
            out.note(f"iox: {text}")
            noted = (longest, waited)


def _run_command(args: argparse.Namespace, out: Output, factory: SessionClientBuilder,
                 prompter: Prompter | None) -> int:
    session: Session | None = None
    try:
        _check_options(args)
        config_file = config_path(args.config)
        if args.needs_client:
            session = (demo_session(args.demo_token, args.read_only) if args.demo
                       else _switcher(args, factory).session(args.profile))
        ctx = CommandContext(
            out=out, prompter=prompter or TerminalPrompter(sys.stdin, sys.stderr), stdin=sys.stdin,
            config_file=config_file, environ=os.environ, build_client=factory, session=session,
            demo=args.demo,
        )
        return asyncio.run(_execute(ctx, args))
    except (ApiError, ConfigError, UsageError, CredentialsMissing, KeyboardInterrupt) as error:
        return report_error(error, out, session)


TUI_SWITCH_INTERVAL_S = 0.001
"""How long a thread waiting for the GIL waits before the running one must hand it over, in the TUI.

Why: Textual's output thread writes each frame the event loop queued; with Python's default (5 ms) a frame
waited up to 5 ms for the GIL whenever the loop went on working (at start-up it always does). Measured from
the first frame being queued to its being written (``iox --demo``, 5 runs each on a loaded machine): 5-18 ms
at 5 ms, 1-7 ms at 1 ms. Threads that compute (a big JSON parse) hand the loop the GIL sooner too.
"""


TUI_MAX_FPS = 1000
"""Textual's frame cap (``TEXTUAL_FPS``): in effect none; frames are still painted only when something
changed, once the loop has nothing else queued.

Why: Textual paints at most MAX_FPS frames a second, and its frame timer, woken right after a frame,
waits for the next slot but one: a key handled just after a frame (one streamed page paints the status
line and the scrollbar) waited 1-2 slots, 18-20 ms at 120 (a loop trace of the errors screen while
100,000 rows streamed: the key handled, then the loop idle in ``select`` until the timer's slot). In a
pty with 100,000 rows streaming (``bench/errors.py``, 3-5 runs): at 120, all keys 3.2/6.2/72.9 ms
(min/median/max), marks up to 30.6 ms, filter letters 7.8/26.9/57.2 ms; at 1000, 2.7/3.9/50.2 ms, marks up
to 19.3 ms, filter letters 7.9/20.4/30.9 ms, with the same time to "100,000 loaded" (8.1-8.2 s against
8.3 s). 60 (Textual's default) waited 17-33 ms.
"""


def _run_tui(args: argparse.Namespace, out: Output, factory: SessionClientBuilder) -> int:
    # The collector waits until the first frame (the main screen ends the pause; at the latest, leaving here).
    pause_for_startup()
    sys.setswitchinterval(TUI_SWITCH_INTERVAL_S)
    try:
        try:
            _check_options(args)
            switcher = _switcher(args, factory)
            choice: ProfileChoice = switcher(args.demo_token if args.demo else args.profile)
            keymap = load_config(config_path(args.config)).keymap
        except (ConfigError, UsageError, CredentialsMissing) as error:
            return report_error(error, out)
        # Read once, when Textual is first imported (just below).
        os.environ.setdefault("TEXTUAL_FPS", str(TUI_MAX_FPS))
        from explorer.tui.app import ExplorerApp

        # `P` / the palette switch profile through the switcher (name -> ProfileChoice).
        app = ExplorerApp(client_factory=choice.client_factory, profile_label=choice.label,
                          read_only=choice.read_only, profile_switcher=switcher, profile_name=choice.name,
                          keymap=keymap)
        app.run()
        return 0
    finally:
        end_startup()


def _parse(parser: argparse.ArgumentParser, arguments: list[str]) -> argparse.Namespace:
    """Parse, letting a command's trailing ids follow its options (``retry F S --all`` style grammar aside,
    ``retry F S id1 --no-follow id2`` is natural); anything else unrecognised is a usage error.
    """
    args, extras = parser.parse_known_args(arguments)
    if extras and isinstance(getattr(args, "error_ids", None), list) and not any(
            extra.startswith("-") and extra != "-" for extra in extras):
        args.error_ids += extras
    elif extras:
        parser.error(f"unrecognized arguments: {' '.join(extras)}")
    return args


def _secret_in_argv(argv: Sequence[str]) -> str | None:
    for arg in argv:
        if arg == "--":
            return None
        name = arg.split("=", 1)[0]
        if name in FORBIDDEN_OPTIONS:
            return name
    return None


def main(argv: Sequence[str] | None = None, *, transport: httpx.AsyncBaseTransport | None = None,
         prompter: Prompter | None = None) -> int:
    """Entry point of the ``iox`` console script; returns the process exit code.

    ``transport`` and ``prompter`` exist for tests: every client is then built on that transport, and
    questions go to the scripted prompter.
    """
    arguments = list(sys.argv[1:] if argv is None else argv)
    secret_option = _secret_in_argv(arguments)
    if secret_option is not None:
        print(f"iox: error: {secret_option} is not accepted: a secret on the command line shows in `ps` and "
              "shell history; use `iox login` (hidden prompt), `--token-stdin`, or $IOX_TOKEN",
              file=sys.stderr)
        return EXIT_USAGE
    try:
        args = _parse(build_parser(arguments), arguments)
    except SystemExit as stop:  # --help, --version and usage errors (argparse printed the message)
        return stop.code if isinstance(stop.code, int) else EXIT_USAGE
    if args.command == "simulator":
        return _run_simulator(args)
    out = Output(sys.stdout, sys.stderr, json_mode=args.json)
    factory = SessionClientBuilder(demo=args.demo, demo_latency_ms=args.demo_latency_ms, transport=transport,
                            on_request=_request_logger(out) if args.verbose else None)
    try:
        if args.command is None:
            return _run_tui(args, out, factory)
        return _run_command(args, out, factory, prompter)
    except BrokenPipeError:
        # The reader of stdout went away (`iox ls flows | head`): stop quietly, as other tools do.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141
