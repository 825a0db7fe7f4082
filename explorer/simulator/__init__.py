"""A deterministic simulator of Celigo's integrator.io REST API v1 (see README.md for the endpoint table).

Why: the explorer is built, tested and demonstrated against this stand-in. It speaks only the wire format and
imports neither the client, the model nor Textual, so it cannot echo the client's assumptions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .auth import DEMO_TOKENS
from .faults import FaultConfig
from .jobs import retry_fails
from .router import route_table
from .simulator import Simulator
from .transport import SimulatorTransport
from .wire import SimResponse

if TYPE_CHECKING:
    from .server import RunningServer, run_server, serve


def __getattr__(name: str) -> Any:
    """The HTTP server (``http.server``, ``ssl``...) is imported only by those who serve: ``iox --demo``
    starts faster without it (issue 10)."""
    if name in ("RunningServer", "run_server", "serve"):
        from . import server

        return getattr(server, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
