"""What a route handler gets: the parsed request, the tenant, the caller's scope and the simulated time.

Why: handlers stay pure functions of one object, so the router, the simulator and the tests can call them the
same way without globals.
"""

from __future__ import annotations

from dataclasses import dataclass

from .account import Account
from .auth import Scope, Token
from .wire import Request


@dataclass
class Ctx:
    """One request being handled."""

    req: Request
    account: Account
    token: Token
    scope: Scope
    now_ms: int
    mask_secret_422: bool = False
    error_page_size: int = 1000
