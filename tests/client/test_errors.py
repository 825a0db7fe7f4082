"""Every failed answer becomes the right ApiError kind with a readable message, whatever its body is."""

from __future__ import annotations

import httpx
import pytest

from explorer.client import (
    ApiError,
    ApiErrorItem,
    BadRequest,
    Forbidden,
    IntegratorClient,
    NotFound,
    RateLimited,
    ServerError,
    TransportError,
    Unauthorized,
    ValidationFailed,
)
from explorer.client.errors import excerpt
from tests.helpers.fake_api import FakeApi, MakeClient, json_response


@pytest.mark.parametrize(
    ("status", "kind", "code"),
    [
        (400, BadRequest, "invalid_query_params"),
        (415, BadRequest, "unsupported_media_type"),
        (401, Unauthorized, "unauthorized"),
        (403, Forbidden, "forbidden"),
        (404, NotFound, "not_found"),
        (409, ApiError, "conflict"),
        (422, ValidationFailed, "invalid_field"),
        (429, RateLimited, "rate_limited"),
        (500, ServerError, "internal"),
        (502, ServerError, "bad_gateway"),
        (503, ServerError, "unavailable"),
        (504, ServerError, "timeout"),
    ],
)
async def test_status_maps_to_error_kind(api: FakeApi, client: IntegratorClient, status: int,
                                         kind: type[ApiError], code: str) -> None:
    api.on("GET", "/v1/flows/f1", json_response(status, {"errors": [{"code": code, "message": "it broke"}]},
                                                 {"Retry-After": "999"}))
    with pytest.raises(ApiError) as caught:
        await client.get_flow("f1")
    error = caught.value
    assert type(error) is kind
    assert (error.status, error.code, error.method, error.path) == (status, code, "GET", "/v1/flows/f1")
    assert error.errors == [ApiErrorItem(code, "it broke")]
    assert "it broke" in str(error) and str(status) in str(error)


async def test_validation_errors_keep_every_field(api: FakeApi, client: IntegratorClient) -> None:
    api.on("PUT", "/v1/flows/f1", json_response(422, {"errors": [
        {"code": "missing_required_field", "message": "name is required", "field": "name"},
        {"code": "invalid_field", "message": "bad schedule", "field": "schedule"}]}))
    with pytest.raises(ValidationFailed) as caught:
        await client.put_json("flows/f1", {"_id": "f1"})
    assert [(e.code, e.field) for e in caught.value.errors] == [("missing_required_field", "name"),
                                                                ("invalid_field", "schedule")]
    assert caught.value.code == "missing_required_field"
    assert caught.value.message == "name is required; bad schedule"


async def test_401_hints_at_expiry_and_region(api: FakeApi, client: IntegratorClient) -> None:
    body = {"errors": [{"code": "unauthorized", "message": "Invalid or missing API token"}]}
    api.on("GET", "/v1/tokenInfo", json_response(401, body))
    with pytest.raises(Unauthorized) as caught:
        await client.token_info()
    text = str(caught.value)
    assert "token expired/revoked, or a token for another region (NA, EU, AU, CA)" in text
    assert "Invalid or missing API token" in text


async def test_429_carries_retry_after(api: FakeApi, make_client: MakeClient) -> None:
    body = {"errors": [{"code": "rate_limited", "message": "slow"}]}
    api.on("GET", "/v1/integrations", json_response(429, body, {"Retry-After": "7"}))
    async with make_client(max_retries=0) as client:
        with pytest.raises(RateLimited) as caught:
            await client.list_integrations()
    assert caught.value.retry_after == 7.0


async def test_html_from_a_proxy_gives_status_and_short_clean_excerpt(api: FakeApi,
                                                                       client: IntegratorClient) -> None:
    page = ("<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>\n<h1>Bad Gateway</h1>"
            + "<p>" + "x" * 500 + "</p></body></html>")
    api.on("GET", "/v1/flows/f1", httpx.Response(502, text=page, headers={"content-type": "text/html"}))
    with pytest.raises(ServerError) as caught:
        await client.get_flow("f1")
    error = caught.value
    assert error.status == 502 and error.code == "http_502"
    assert error.excerpt.startswith("502 Bad Gateway Bad Gateway xxx")
    assert len(error.excerpt) <= 200 and "<" not in error.excerpt
    assert error.message == error.excerpt


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "HTTP 500 Internal Server Error"),
        (b"   ", "HTTP 500 Internal Server Error"),
        (b"upstream exploded", "upstream exploded"),
        (b'{"message": "plain message"}', "plain message"),
        (b'{"code": 500, "error": "other shape"}', "other shape"),
        (b'{"errors": {"code": "single", "message": "one object"}}', "one object"),
        (b'{"errors": ["just text"]}', "just text"),
        (b'["a", "list"]', '["a", "list"]'),
        (b'{"errors": []}', '{"errors": []}'),
        (b"\xff\xfe not utf-8", "\ufffd\ufffd not utf-8"),
    ],
)
async def test_odd_error_bodies_still_give_a_message(api: FakeApi, client: IntegratorClient, body: bytes,
                                                     message: str) -> None:
    api.on("GET", "/v1/flows/f1", httpx.Response(500, content=body))
    with pytest.raises(ServerError) as caught:
        await client.get_flow("f1")
    assert caught.value.message == message
    assert caught.value.status == 500


async def test_control_characters_are_escaped_in_excerpts(api: FakeApi, client: IntegratorClient) -> None:
    api.on("GET", "/v1/flows/f1", httpx.Response(503, content=b"\x1b[31mred\x1b[0m\x07 and\r\nmore\x00"))
    with pytest.raises(ServerError) as caught:
        await client.get_flow("f1")
    assert caught.value.excerpt == "\\e[31mred\\e[0m\\x07 and more\\x00"  # shown, never acted on
    assert not any(ord(ch) < 32 for ch in str(caught.value))


def test_excerpt_limit_and_whitespace() -> None:
    assert excerpt("a\n\n  b\tc") == "a b c"
    long = excerpt("y" * 1000)
    assert len(long) == 200 and long.endswith("…")


async def test_redirects_are_not_followed(api: FakeApi, client: IntegratorClient) -> None:
    api.on("GET", "/v1/flows", httpx.Response(302, headers={"Location": "https://evil.example/v1/flows"}))
    with pytest.raises(ApiError) as caught:
        await client.list_flows()
    assert caught.value.status == 302 and "redirect" in caught.value.message
    assert api.sent() == [("GET", "/v1/flows")]


@pytest.mark.parametrize(
    ("body", "content_type"),
    [(b"<html>maintenance</html>", "text/html"), (b'{"truncated": ', "application/json")],
)
async def test_success_with_a_body_that_is_not_json(api: FakeApi, make_client: MakeClient, body: bytes,
                                                    content_type: str) -> None:
    api.on("GET", "/v1/flows/f1", httpx.Response(200, content=body, headers={"content-type": content_type}))
    async with make_client(max_retries=0) as client:
        with pytest.raises(TransportError) as caught:
            await client.get_flow("f1")
    error = caught.value
    assert (error.status, error.code) == (200, "malformed_body")
    assert f"expected JSON, got {content_type}" in error.message


@pytest.mark.parametrize(
    ("body", "fragment"),
    [([{"name": "no id"}], "without _id"), ({"not": "a list"}, "expected a JSON array"),
     (["x"], "JSON object")],
)
async def test_documents_the_model_cannot_read_are_transport_errors(api: FakeApi, client: IntegratorClient,
                                                                    body: object, fragment: str) -> None:
    api.on("GET", "/v1/integrations", json_response(200, body))
    with pytest.raises(TransportError) as caught:
        await client.list_integrations()
    assert caught.value.code == "unexpected_body" and fragment in caught.value.message
    assert caught.value.path == "/v1/integrations"


async def test_connection_error_and_timeout(api: FakeApi, make_client: MakeClient) -> None:
    api.on("GET", "/v1/flows", httpx.ConnectError("[Errno 111] Connection refused"))
    api.on("GET", "/v1/exports", httpx.ReadTimeout("timed out"))
    async with make_client(max_retries=0) as client:
        with pytest.raises(TransportError) as refused:
            await client.list_flows()
        with pytest.raises(TransportError) as slow:
            await client.list_exports()
    assert (refused.value.status, refused.value.code) == (None, "connection_error")
    assert "Connection refused" in refused.value.message
    assert (slow.value.status, slow.value.code) == (None, "timeout")
    for error in (refused.value, slow.value):  # no httpx object hangs off what callers catch
        assert not isinstance(error.__cause__, httpx.HTTPError)
        assert not isinstance(error.__context__, httpx.HTTPError)


def test_repr_and_str_are_informative() -> None:
    error = NotFound(404, "not_found", "Flow not found", method="GET", path="/v1/flows/x")
    assert str(error) == "Flow not found (HTTP 404, not_found, GET /v1/flows/x)"
    assert repr(error) == ("NotFound(status=404, code='not_found', message='Flow not found', method='GET', "
                           "path='/v1/flows/x')")
    assert str(TransportError(None, "timeout", "timed out")) == "timed out (no response, timeout)"
