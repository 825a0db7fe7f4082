"""The composition root: parse arguments, build the client (real API or simulator) and run the app or a command.

This is the only module that knows every other one: the TUI never imports the simulator, the client never knows
which server it talks to, and the simulator speaks only the wire format.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from explorer import __version__

DEMO_TOKEN_NAMES = ("full", "scoped", "noconn", "eu")


def build_parser() -> argparse.ArgumentParser:
    """The argument grammar of ``iox``: global options, then an optional sub-command (none = the TUI)."""
    parser = argparse.ArgumentParser(
        prog="iox",
        description="Explore, edit and triage a Celigo integrator.io account from the terminal.",
    )
    parser.add_argument("--version", action="version", version=f"iox {__version__}")
    _add_connection_options(parser)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    sim = commands.add_parser("simulator", help="serve the integrator.io simulator over HTTP on loopback")
    sim.add_argument("--port", type=int, default=8765, help="NA port (default 8765)")
    sim.add_argument("--eu-port", type=int, default=None, help="also serve the EU region on this port")
    sim.add_argument("--latency-ms", type=float, default=0.0, help="fixed latency added to every answer")
    sim.add_argument("--jitter-ms", type=float, default=0.0, help="random extra latency, up to this much")
    sim.add_argument("--faults", default="", help="e.g. 429=0.1,500=0.05,reset=0.01,html=0.02")
    sim.add_argument("--scale", choices=("demo", "large"), default="demo", help="account size")
    sim.add_argument("--seed", type=int, default=0, help="seed of the account and of the faults")
    return parser


def _add_connection_options(parser: argparse.ArgumentParser) -> None:
    """Options that say which account to talk to; every command takes them."""
    parser.add_argument("--demo", action="store_true", help="use the built-in simulated demo account")
    parser.add_argument(
        "--demo-token",
        choices=DEMO_TOKEN_NAMES,
        default="full",
        help="with --demo: which demo token to use (full access, custom scopes, or the EU account)",
    )
    parser.add_argument("--latency-ms", dest="demo_latency_ms", type=float, default=0.0,
                        help="with --demo: simulated network latency")
    parser.add_argument("--read-only", action="store_true", help="refuse every change (no PUT/POST/DELETE)")


def _run_simulator(args: argparse.Namespace) -> int:
    from explorer.simulator import FaultConfig, run_server

    try:
        faults = FaultConfig.parse(args.faults, seed=args.seed) if args.faults else None
    except ValueError as exc:
        print(f"iox simulator: bad --faults: {exc}", file=sys.stderr)
        return 2
    run_server(
        port=args.port,
        eu_port=args.eu_port,
        latency_ms=args.latency_ms,
        jitter_ms=args.jitter_ms,
        faults=faults,
        scale=args.scale,
        seed=args.seed,
    )
    return 0


def _demo_client_factory(args: argparse.Namespace) -> Callable[[], object]:
    """A factory so the client is built inside the app's event loop, on the in-process simulator."""
    from explorer.client import IntegratorClient
    from explorer.simulator import DEMO_TOKENS, Simulator, SimulatorTransport

    sim = Simulator(seed=0, latency_ms=args.demo_latency_ms)
    region = "eu" if args.demo_token == "eu" else "na"

    def make() -> IntegratorClient:
        return IntegratorClient(
            DEMO_TOKENS[args.demo_token],
            region=region,
            transport=SimulatorTransport(sim),
            read_only=args.read_only,
        )

    return make


def _run_tui(args: argparse.Namespace) -> int:
    if not args.demo:
        print("iox: no account configured yet; try `iox --demo` (profiles arrive with `iox login`).",
              file=sys.stderr)
        return 2
    from explorer.tui.app import ExplorerApp

    app = ExplorerApp(client_factory=_demo_client_factory(args), profile_label="demo", read_only=args.read_only)
    app.run()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``iox`` console script; returns the process exit code."""
    args = build_parser().parse_args(argv)
    if args.command == "simulator":
        return _run_simulator(args)
    return _run_tui(args)
