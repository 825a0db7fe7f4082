"""Where requests may go: the base URL, paths under it, pagination targets, and the one-host rule.

Why this is its own module: the token must only ever travel to the base URL's origin, over TLS unless the
host is loopback. Every URL the client calls (a typed path, a raw path typed by the user, a ``Link`` target, a
``nextPageURL`` that may be absolute, ``/v1/...`` or the web proxy's ``/api/...``) goes through ``resolve``.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from explorer.model import format_timestamp

REGION_BASES: dict[str, str] = {
    "na": "https://api.integrator.io/v1/",
    "eu": "https://api.eu.integrator.io/v1/",
    "au": "https://api.au.integrator.io/v1/",
    "ca": "https://api.ca.integrator.io/v1/",
}
"""Celigo's four regions and their API bases; a token works in exactly one of them."""
_DEFAULT_PORTS = {"http": 80, "https": 443}
_ROUTE_PREFIXES = ("v1/", "api/")

QueryValue = str | int | float | bool | datetime | Sequence[str] | None
QueryParams = Mapping[str, QueryValue]


class ForeignUrl(ValueError):
    """A URL outside the base URL's origin: following it would hand the token to someone else."""


class OutsideBase(ValueError):
    """A path that leaves the base URL's path (``../../etc/passwd``): the token only goes to the API."""


_DOT_SEGMENT = re.compile(r"(?:\.|%2e){1,2}", re.IGNORECASE)


def remove_dot_segments(path: str) -> str:
    """``path`` with ``.`` and ``..`` segments applied (RFC 3986 5.2.4), percent-encoded dots included.

    Servers and proxies collapse ``%2e%2e`` as well as ``..``, so both are resolved here, where the result
    can still be checked.
    """
    out: list[str] = []
    segments = path.split("/")
    for index, segment in enumerate(segments):
        last = index == len(segments) - 1
        if _DOT_SEGMENT.fullmatch(segment):
            if len(segment.replace("%2e", ".").replace("%2E", ".")) == 2 and len(out) > 1:
                out.pop()
            if last:
                out.append("")
            continue
        out.append(segment)
    return "/".join(out)


def _within_base(base: str, url: str, target: str) -> str:
    """``url`` with its dot segments removed; ``OutsideBase`` when its path leaves ``base``'s path."""
    parts = urlsplit(url)
    path = remove_dot_segments(parts.path)
    base_path = urlsplit(base).path
    if not (path + "/").startswith(base_path):
        raise OutsideBase(f"refusing to request {target.strip()!r}: it resolves to {path or '/'}, outside "
                          f"the API's {base_path} (paths must stay under it)")
    return urlunsplit((parts.scheme, parts.netloc, path, parts.query, parts.fragment))


def is_loopback(host: str) -> bool:
    """True for localhost, 127.0.0.0/8 and ::1: the only hosts plain http:// may be used with."""
    host = host.strip("[]").rstrip(".").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def base_url_for(region: str, base_url: str | None) -> str:
    """The ``.../v1/`` base for a region or an explicit URL (``http://127.0.0.1:8765`` gains ``/v1/``).

    Raises ValueError for an unknown region, a non-http(s) URL, credentials or a query in the URL, and for
    plain http:// to anything but a loopback host (the token would cross the network unencrypted).
    """
    if base_url is None:
        try:
            return REGION_BASES[region.strip().lower()]
        except KeyError:
            names = ", ".join(repr(name) for name in REGION_BASES)
            raise ValueError(f"unknown region {region!r}: use one of {names}") from None
    parts = urlsplit(base_url.strip())
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        raise ValueError("base_url must be an http(s) URL with a host, e.g. https://api.integrator.io")
    if parts.username is not None or parts.password is not None or parts.query or parts.fragment:
        raise ValueError("base_url must not carry credentials, a query or a fragment")
    if scheme == "http" and not is_loopback(parts.hostname):
        raise ValueError(
            f"refusing plain http:// to {parts.hostname}: the API token would travel unencrypted; "
            "use https:// (http:// is allowed only for loopback hosts such as 127.0.0.1)"
        )
    path = parts.path.rstrip("/")
    host = parts.netloc.lower()
    cut = path.lower().rfind("/api")
    if path.lower().endswith(("/api", "/api/v1")):
        raise ValueError(
            f"base_url {base_url.strip()!r} ends in {path[cut:]}: that is the web app's proxy, not the API; "
            f"use {scheme}://{host}{path[:cut]}/v1 (for Celigo: https://api.integrator.io/v1, or the "
            "api.eu/api.au/api.ca host of your region)")
    if path and not path.endswith("/v1"):
        raise ValueError(
            f"base_url {base_url.strip()!r} does not end in /v1: use {scheme}://{host}{path}/v1 if the API "
            f"is served under {path}, or {scheme}://{host}/v1")
    if not path:
        path = "/v1"
    return urlunsplit((scheme, host, path + "/", "", ""))


def host_label(url: str) -> str:
    """The host (with a non-default port) of ``url``, as messages name the server: ``api.integrator.io``."""
    parts = urlsplit(url)
    host = parts.hostname or url
    try:
        port = parts.port
    except ValueError:
        port = None
    return f"{host}:{port}" if port and port != _DEFAULT_PORTS.get(parts.scheme.lower()) else host


def region_of_base(url: str) -> str | None:
    """The region whose public API host ``url`` names (``"eu"`` for ``https://api.eu.integrator.io/...``),
    or None for any other server (a proxy, a simulator): public hosts say which account a token is for."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().rstrip(".")
    if parts.scheme.lower() != "https":
        return None
    for name, base in REGION_BASES.items():
        if urlsplit(base).hostname == host:
            return name
    return None


def origin(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) with the default port filled in, for same-origin checks."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    return scheme, (parts.hostname or "").lower(), port or _DEFAULT_PORTS.get(scheme, 0)


def resolve(base: str, target: str) -> str:
    """An absolute URL for ``target``, which must stay on ``base``'s origin (else ``ForeignUrl``).

    Relative targets live under the base: ``flows/x``, ``/flows/x``, ``/v1/flows/x`` and the web proxy's
    ``/api/flows/x`` all mean ``<base>flows/x``. Absolute targets are kept as they are if same-origin.
    Either way dot segments are resolved first and the path must stay under the base's (else ``OutsideBase``):
    ``iox get ../../etc/passwd`` must not become ``GET /etc/passwd`` with the token.
    """
    target = target.strip()
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", target) or target.startswith("//"):
        absolute = target if not target.startswith("//") else urlsplit(base).scheme + ":" + target
        if origin(absolute) != origin(base):
            raise ForeignUrl(f"refusing to send the token to {urlsplit(absolute).hostname or absolute!r}: "
                             f"not the API host {urlsplit(base).hostname}")
        return _within_base(base, absolute, target)
    relative = target.lstrip("/")
    for prefix in _ROUTE_PREFIXES:
        if relative.startswith(prefix) or relative == prefix.rstrip("/"):
            relative = relative[len(prefix):]
            break
    return _within_base(base, base + relative, target)


def path_of(url: str) -> str:
    """Path and query of a URL, as shown in records and error messages."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def join_segments(*segments: str) -> str:
    """A relative path from ids and words, each percent-encoded so an id can never escape its segment."""
    for segment in segments:
        if not isinstance(segment, str) or not segment:
            raise ValueError(f"empty or non-text path segment: {segment!r}")
    return "/".join(quote(segment, safe="") for segment in segments)


def query_pairs(params: QueryParams | None) -> list[tuple[str, str]]:
    """Query params as pairs: sequences repeat the key, datetimes use the API's ISO form, None is dropped."""
    pairs: list[tuple[str, str]] = []
    for key, value in (params or {}).items():
        values: Iterable[object] = (
            value if isinstance(value, list | tuple | set | frozenset) else () if value is None else (value,)
        )
        for item in values:
            if isinstance(item, bool):
                pairs.append((key, "true" if item else "false"))
            elif isinstance(item, datetime):
                pairs.append((key, format_timestamp(item)))
            else:
                pairs.append((key, str(item)))
    return pairs


def with_query(url: str, pairs: Sequence[tuple[str, str]], *, only_missing: bool = False) -> str:
    """``url`` with ``pairs`` appended; ``only_missing`` skips keys the URL already has (next-page URLs)."""
    if not pairs:
        return url
    parts = urlsplit(url)
    present = {key for key, _ in parse_qsl(parts.query, keep_blank_values=True)}
    extra = [(k, v) for k, v in pairs if not (only_missing and k in present)]
    if not extra:
        return url
    query = "&".join(q for q in (parts.query, urlencode(extra)) if q)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


_LINK = re.compile(r'<([^>]*)>((?:\s*;\s*[^;,="\s]+\s*(?:=\s*(?:"[^"]*"|[^;,]*))?)*)')
_PARAM = re.compile(r';\s*([^;,="\s]+)\s*(?:=\s*("[^"]*"|[^;,]*))?')


def next_link(header: str | None) -> str | None:
    """The ``rel="next"`` target of an RFC 8288 ``Link`` header (rel may list several words), else None."""
    if not header:
        return None
    for match in _LINK.finditer(header):
        for name, value in _PARAM.findall(match.group(2)):
            if name.lower() == "rel" and "next" in value.strip().strip('"').lower().split():
                return match.group(1).strip()
    return None
