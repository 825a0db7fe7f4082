"""Base URLs, the http:// rule, path resolution and Link parsing: where the token may travel."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from explorer.client import IntegratorClient, base_url_for, is_loopback
from explorer.client.urls import ForeignUrl, join_segments, next_link, query_pairs, resolve, with_query
from tests.helpers.fake_api import TOKEN


@pytest.mark.parametrize(
    ("region", "expected"),
    [("na", "https://api.integrator.io/v1/"), ("eu", "https://api.eu.integrator.io/v1/"),
     ("EU", "https://api.eu.integrator.io/v1/")],
)
def test_region_bases(region: str, expected: str) -> None:
    assert base_url_for(region, None) == expected


def test_unknown_region_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown region 'ap'"):
        base_url_for("ap", None)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("http://127.0.0.1:8765", "http://127.0.0.1:8765/v1/"),
        ("http://127.0.0.1:8765/", "http://127.0.0.1:8765/v1/"),
        ("http://localhost:8765/v1", "http://localhost:8765/v1/"),
        ("http://[::1]:8765/v1/", "http://[::1]:8765/v1/"),
        ("http://127.5.6.7", "http://127.5.6.7/v1/"),
        ("https://API.integrator.io", "https://api.integrator.io/v1/"),
        ("https://proxy.example/integrator/v1", "https://proxy.example/integrator/v1/"),
    ],
)
def test_explicit_base_urls_are_normalised(given: str, expected: str) -> None:
    assert base_url_for("na", given) == expected


@pytest.mark.parametrize("plain", ["http://api.integrator.io", "http://10.0.0.5:8765", "http://128.0.0.1",
                                   "http://localhost.evil.com", "http://[::2]/"])
def test_plain_http_refused_unless_loopback(plain: str) -> None:
    with pytest.raises(ValueError, match="refusing plain http://"):
        IntegratorClient(TOKEN, base_url=plain)


@pytest.mark.parametrize("bad", ["ftp://api.integrator.io", "api.integrator.io", "https://user:pw@host/",
                                 "https://host/v1/?x=1", "https:///v1"])
def test_malformed_base_urls_are_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        base_url_for("na", bad)


def test_loopback_detection() -> None:
    assert all(is_loopback(h) for h in ["127.0.0.1", "127.255.0.9", "::1", "[::1]", "localhost", "LOCALHOST"])
    assert not any(is_loopback(h) for h in ["10.0.0.1", "api.integrator.io", "0.0.0.0", "localhost.com"])


def test_client_requires_a_token_and_sane_limits() -> None:
    with pytest.raises(ValueError, match="token"):
        IntegratorClient("  ")
    with pytest.raises(ValueError, match="header") as caught:
        IntegratorClient("abc\ndef")
    assert "abc" not in str(caught.value)
    with pytest.raises(ValueError, match="concurrency"):
        IntegratorClient(TOKEN, concurrency=0)
    with pytest.raises(ValueError, match="max_retries"):
        IntegratorClient(TOKEN, max_retries=-1)


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("flows/f1", "https://api.integrator.io/v1/flows/f1"),
        ("/flows/f1", "https://api.integrator.io/v1/flows/f1"),
        ("/v1/flows/f1/e1/errors?page=2", "https://api.integrator.io/v1/flows/f1/e1/errors?page=2"),
        ("/api/flows/f1/e1/errors?page=2", "https://api.integrator.io/v1/flows/f1/e1/errors?page=2"),
        ("https://api.integrator.io/v1/integrations?skip=100", "https://api.integrator.io/v1/integrations?skip=100"),
        ("https://api.integrator.io:443/v1/x", "https://api.integrator.io:443/v1/x"),
        ("//api.integrator.io/v1/x", "https://api.integrator.io/v1/x"),
    ],
)
def test_resolve_keeps_targets_on_the_base(target: str, expected: str) -> None:
    assert resolve("https://api.integrator.io/v1/", target) == expected


def test_resolve_under_a_prefixed_base() -> None:
    base = "http://127.0.0.1:8765/v1/"
    assert resolve(base, "/v1/flows?skip=2") == "http://127.0.0.1:8765/v1/flows?skip=2"
    assert resolve(base, "/api/flows") == "http://127.0.0.1:8765/v1/flows"


@pytest.mark.parametrize(
    "foreign",
    ["https://evil.example/v1/flows", "http://api.integrator.io/v1/flows", "https://api.integrator.io:8443/v1/x",
     "https://integrator.io/api/flows", "//evil.example/v1/x", "https://api.integrator.io.evil.example/v1/"],
)
def test_resolve_refuses_other_origins(foreign: str) -> None:
    with pytest.raises(ForeignUrl, match="refusing to send the token"):
        resolve("https://api.integrator.io/v1/", foreign)


def test_segments_are_percent_encoded_so_ids_cannot_escape() -> None:
    joined = join_segments("flows", "../../accesstokens", "a b?c#d")
    assert joined == "flows/..%2F..%2Faccesstokens/a%20b%3Fc%23d"
    with pytest.raises(ValueError, match="empty"):
        join_segments("flows", "")


def test_query_pairs_repeat_lists_format_dates_and_drop_none() -> None:
    when = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert query_pairs({"status": ["queued", "running"], "createdAt_gte": when, "retriable": True,
                        "skip": None, "limit": 10}) == [
        ("status", "queued"), ("status", "running"), ("createdAt_gte", "2026-01-02T03:04:05.000Z"),
        ("retriable", "true"), ("limit", "10")]


def test_with_query_appends_only_missing_keys_when_asked() -> None:
    url = "https://h/v1/x?page=2&source=a"
    assert with_query(url, [("source", "b"), ("classification", "missing")], only_missing=True) == (
        "https://h/v1/x?page=2&source=a&classification=missing")
    assert with_query("https://h/v1/x", [("a", "1 2")]) == "https://h/v1/x?a=1+2"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ('<https://h/v1/i?skip=100>; rel="next"', "https://h/v1/i?skip=100"),
        ('<https://h/v1/i?skip=0>; rel="prev", <https://h/v1/i?skip=200>; rel="next"', "https://h/v1/i?skip=200"),
        ("</v1/i?skip=100>; rel=next", "/v1/i?skip=100"),
        ('<i?skip=2>; title="a, b; c"; rel="last next"', "i?skip=2"),
        ('<https://h/v1/i?skip=0>; rel="prev"', None),
        ("", None),
        (None, None),
        ("garbage", None),
    ],
)
def test_next_link(header: str | None, expected: str | None) -> None:
    assert next_link(header) == expected
