"""Seeded fault injection: throttling, 5xx, proxy HTML pages, broken bodies, resets and timeouts.

Why: the client must survive what the real service and the proxies in front of it do, and tests must be able
to reproduce a failure exactly. One `random.Random(seed)` draw per request picks at most one fault, so the
same seed and the same request order give the same faults. Faults that stop a request before the API sees it
(429, 5xx, HTML, reset) leave the state untouched; `timeout`, `truncated` and `malformed` happen *after* the
request was processed, as on a real network, which is why a client must not blindly repeat a retry POST.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, fields

from .wire import JSON_TYPE, SimResponse, dumps

# Order matters: it fixes which fault a given random draw maps to.
FAULT_KINDS = ("429", "500", "502", "503", "reset", "timeout", "truncated", "malformed", "html")
PRE_FAULTS = frozenset({"429", "500", "502", "503", "reset", "html"})

_ALIASES = {
    "429": "p429",
    "500": "p500",
    "502": "p502",
    "503": "p503",
    "reset": "p_reset",
    "timeout": "p_timeout",
    "truncated": "p_truncated",
    "malformed": "p_malformed",
    "html": "p_html",
}

PROXY_HTML = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
)


@dataclass(frozen=True)
class FaultConfig:
    """Probabilities (0..1) of each fault per request, and the seed of their draws.

    `timeout_s` is how long the HTTP server holds a "timed out" request before dropping it (the in-process
    transport raises `httpx.ReadTimeout` at once instead).
    """

    seed: int = 0
    p429: float = 0.0
    p500: float = 0.0
    p502: float = 0.0
    p503: float = 0.0
    p_reset: float = 0.0
    p_truncated: float = 0.0
    p_malformed: float = 0.0
    p_html: float = 0.0
    p_timeout: float = 0.0
    timeout_s: float = 35.0

    def __post_init__(self) -> None:
        total = 0.0
        for f in fields(self):
            if f.name.startswith("p"):
                value = getattr(self, f.name)
                if not 0.0 <= value <= 1.0:
                    raise ValueError(f"fault probability {f.name}={value} is not between 0 and 1")
                total += value
        if total > 1.0 + 1e-9:
            raise ValueError(f"fault probabilities add up to {total:.3f}, more than 1")

    @classmethod
    def parse(cls, spec: str) -> FaultConfig:
        """Parse `"429=0.1,500=0.05,reset=0.01,html=0.02"` (also `seed=N`, `timeout_s=S`, `p429=...`)."""
        values: dict[str, float | int] = {}
        names = {f.name for f in fields(cls)}
        for part in spec.split(","):
            part = part.strip()
            if not part:
                continue
            key, sep, raw = part.partition("=")
            key = key.strip()
            if not sep:
                raise ValueError(f"fault {part!r} has no '=value'")
            name = _ALIASES.get(key, key)
            if name not in names:
                known = ", ".join(FAULT_KINDS)
                raise ValueError(f"unknown fault {key!r} (known: {known}, seed, timeout_s)")
            try:
                values[name] = int(raw) if name == "seed" else float(raw)
            except ValueError:
                raise ValueError(f"fault {key!r} needs a number, got {raw.strip()!r}") from None
        return cls(**values)  # type: ignore[arg-type]

    def probabilities(self) -> list[tuple[str, float]]:
        """(kind, probability) in draw order."""
        return [(kind, float(getattr(self, _ALIASES[kind]))) for kind in FAULT_KINDS]


class FaultInjector:
    """Draws faults from a seeded RNG and shapes the faulty answers."""

    def __init__(self, config: FaultConfig) -> None:
        self.config = config
        self._rng = random.Random(config.seed)
        self._table = config.probabilities()

    def draw(self) -> str | None:
        """One draw per request: the fault kind, or None for a clean answer."""
        roll = self._rng.random()
        edge = 0.0
        for kind, probability in self._table:
            edge += probability
            if roll < edge:
                return kind
        return None

    @staticmethod
    def before(kind: str) -> SimResponse:
        """The answer for a fault that happens before the API processes the request."""
        if kind == "429":
            body = {"errors": [{"code": "rate_limited", "message": "Too many requests, slow down."}]}
            return SimResponse(429, {"Content-Type": JSON_TYPE, "Retry-After": "1"}, dumps(body))
        if kind in ("500", "502", "503"):
            status = int(kind)
            message = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable"}[status]
            body = {"errors": [{"code": "server_error", "message": message}]}
            headers = {"Content-Type": JSON_TYPE}
            if status == 503:
                headers["Retry-After"] = "2"
            return SimResponse(status, headers, dumps(body))
        if kind == "html":
            return SimResponse(502, {"Content-Type": "text/html"}, PROXY_HTML)
        return SimResponse(0, {}, b"", fault="reset")

    @staticmethod
    def after(kind: str, response: SimResponse) -> SimResponse:
        """Spoil an already computed answer (`timeout`, `truncated`, `malformed`)."""
        if kind == "timeout":
            return SimResponse(response.status, response.headers, response.body, fault="timeout")
        if not response.body:
            return response  # nothing to corrupt in a 204
        if kind == "truncated":
            return SimResponse(
                response.status, dict(response.headers), response.body[: len(response.body) // 2]
            )
        # malformed: JSON with single quotes, which every strict parser rejects
        spoiled = response.body.replace(b'"', b"'")
        if spoiled == response.body:
            spoiled = b"{," + response.body
        return SimResponse(response.status, dict(response.headers), spoiled)
