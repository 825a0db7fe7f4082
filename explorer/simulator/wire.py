"""The wire format: parsed requests, responses and the error envelope.

Why: every route speaks the same JSON conventions (`{"errors":[{code,message,field}]}`, `application/json;
charset=utf-8`, 204 with no body). Keeping them here means a route raises `ApiFailure` and never builds an
error body by hand, so the envelope cannot drift between routes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

JSON_TYPE = "application/json; charset=utf-8"


@dataclass
class SimResponse:
    """What the simulator answers: status, headers and raw body bytes.

    `fault` is set only for injected transport faults ("reset", "timeout") that have no HTTP answer: the
    transports turn it into a dropped connection or a timeout instead of a response.
    """

    status: int
    headers: dict[str, str]
    body: bytes
    fault: str | None = None

    def json(self) -> Any:
        """Decode the body (tests and helpers); raises on an empty or corrupt body like any JSON parser."""
        return json.loads(self.body)


@dataclass
class ErrorItem:
    """One entry of the `errors` array of an error body."""

    code: str
    message: str
    field: str | None = None

    def to_json(self) -> dict[str, str]:
        """The entry as integrator.io shows it (`field` only when there is one)."""
        out = {"code": self.code, "message": self.message}
        if self.field is not None:
            out["field"] = self.field
        return out


class ApiFailure(Exception):
    """Raised by routes to answer with an error status and the standard envelope."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        field: str | None = None,
        *,
        items: list[ErrorItem] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.items = items if items else [ErrorItem(code, message, field)]
        self.headers = headers or {}

    def response(self) -> SimResponse:
        """The HTTP answer for this failure."""
        body = {"errors": [item.to_json() for item in self.items]}
        return json_response(self.status, body, self.headers)


def dumps(obj: Any) -> bytes:
    """Compact UTF-8 JSON (control characters are escaped by the encoder, as JSON requires)."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode()


def json_response(status: int, obj: Any, headers: dict[str, str] | None = None) -> SimResponse:
    """A JSON answer with the content type integrator.io sends."""
    out = {"Content-Type": JSON_TYPE}
    if headers:
        out.update(headers)
    return SimResponse(status, out, dumps(obj))


def empty_response(status: int = 204, headers: dict[str, str] | None = None) -> SimResponse:
    """An answer with no body (204 for empty lists, DELETE, PATCH, resolve)."""
    return SimResponse(status, dict(headers or {}), b"")


def not_found(what: str) -> ApiFailure:
    """The 404 every route uses for an unknown id."""
    return ApiFailure(404, "not_found", f"{what} not found")


@dataclass
class Request:
    """A parsed request as the routes see it."""

    method: str
    url: str
    scheme: str
    host: str
    port: int | None
    path: str
    raw_query: str
    query: list[tuple[str, str]]
    headers: dict[str, str]
    body: bytes
    region: str = "na"
    _json: Any = field(default=None, repr=False)
    _parsed: bool = field(default=False, repr=False)

    @classmethod
    def parse(cls, method: str, url: str, headers: dict[str, str], body: bytes) -> Request:
        """Split an absolute URL; header names are lower-cased so lookups are case-insensitive."""
        parts = urlsplit(url)
        path = parts.path.rstrip("/") or "/"
        return cls(
            method=method.upper(),
            url=url,
            scheme=parts.scheme or "https",
            host=parts.hostname or "",
            port=parts.port,
            path=path,
            raw_query=parts.query,
            query=parse_qsl(parts.query, keep_blank_values=True),
            headers={k.lower(): v for k, v in headers.items()},
            body=body,
        )

    @property
    def origin(self) -> str:
        """scheme://host[:port] as the client addressed us (used to build absolute Link URLs)."""
        netloc = urlsplit(self.url).netloc
        return f"{self.scheme}://{netloc}"

    @property
    def path_and_query(self) -> str:
        """Path plus query string, as logged in `Simulator.requests`."""
        return f"{self.path}?{self.raw_query}" if self.raw_query else self.path

    def param(self, name: str) -> str | None:
        """The last value of a query parameter, or None."""
        found = None
        for key, value in self.query:
            if key == name:
                found = value
        return found

    def params(self, name: str) -> list[str]:
        """Every value of a repeatable parameter; comma-separated values are split too."""
        out: list[str] = []
        for key, value in self.query:
            if key == name:
                out.extend(v for v in value.split(",") if v)
        return out

    def indexed_params(self, name: str) -> list[str]:
        """Values of `name[0]=a&name[1]=b` style parameters (jobs `type_in[n]`, `_flowId_in[n]`)."""
        prefix = name + "["
        return [value for key, value in self.query if key.startswith(prefix) and key.endswith("]")]

    def has_json_content_type(self) -> bool:
        """True when the declared body type is JSON (`application/json` or any `+json`)."""
        ctype = self.headers.get("content-type", "").split(";")[0].strip().lower()
        return ctype == "application/json" or ctype.endswith("+json")

    def json_body(self, *, required: bool = True) -> Any:
        """The decoded JSON body; 415 for another content type, 400 for bad or (if required) missing JSON."""
        if self._parsed:
            return self._json
        if not self.body.strip():
            if required:
                raise ApiFailure(400, "invalid_json", "A JSON request body is required")
            self._parsed = True
            return None
        if not self.has_json_content_type():
            raise ApiFailure(415, "unsupported_media_type", "Content-Type must be application/json")
        try:
            self._json = json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise ApiFailure(400, "invalid_json", f"Malformed JSON in request body: {exc}") from None
        self._parsed = True
        return self._json

    def json_object(self) -> dict[str, Any]:
        """The JSON body, which must be an object (else 422 on the whole body)."""
        body = self.json_body()
        if not isinstance(body, dict):
            raise ApiFailure(422, "invalid_field", "The request body must be a JSON object")
        return body
