"""What builds a client: the one shape every caller of ``IntegratorClient`` construction agrees on.

Why a Protocol here: the TUI builds its client inside its own event loop (an httpx client belongs to one
loop) and hands every request to its HTTP log; the CLI decides what the client talks to (the real API, a
loopback server, the in-process simulator). Both sides meet on this signature, so neither imports the other.
"""

from __future__ import annotations

from typing import Protocol

from explorer.client.client import IntegratorClient
from explorer.client.records import RequestHook


class ClientFactory(Protocol):
    """A new client for one profile; ``on_request`` receives a record of every request (token redacted)."""

    def __call__(self, *, on_request: RequestHook | None = None) -> IntegratorClient:
        """Build the client (inside the caller's event loop)."""
        ...
