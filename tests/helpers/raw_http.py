"""Requests written as raw bytes, for tests that read the served simulator's answers off the socket."""

from __future__ import annotations

from explorer.simulator import DEMO_TOKENS

TOKEN = DEMO_TOKENS["full"]


def request(method: str, path: str, *, token: str | None = TOKEN, body: bytes = b"",
            version: str = "HTTP/1.1", extra: str = "") -> bytes:
    """One request as a client writes it (`Host`, bearer token, JSON body with its length)."""
    lines = [f"{method} {path} {version}", "Host: 127.0.0.1"]
    if token is not None:
        lines.append(f"Authorization: Bearer {token}")
    if body:
        lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    if extra:
        lines.append(extra)
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body

