"""A deterministic simulator of Celigo's integrator.io REST API v1 (see README.md for the endpoint table).

Why: the explorer is built, tested and demonstrated against this stand-in. It speaks only the wire format and
imports neither the client, the model nor Textual, so it cannot echo the client's assumptions.
"""

from __future__ import annotations

from .auth import DEMO_TOKENS
from .faults import FaultConfig
from .jobs import retry_fails
from .router import route_table
from .server import RunningServer, run_server, serve
from .simulator import Simulator
from .transport import SimulatorTransport
from .wire import SimResponse

__all__ = [
    "DEMO_TOKENS",
    "FaultConfig",
    "RunningServer",
    "SimResponse",
    "Simulator",
    "SimulatorTransport",
    "retry_fails",
    "route_table",
    "run_server",
    "serve",
]
