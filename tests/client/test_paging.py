"""Pagination: Link headers and nextPageURL in every form seen, 204 as empty, and never a foreign host."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from explorer.client import IntegratorClient, TransportError
from tests.helpers.fake_api import TOKEN, FakeApi, MakeClient, all_errors, json_response


def _page(ids: list[str], link: str | None = None) -> httpx.Response:
    return json_response(200, [{"_id": i, "name": i.upper()} for i in ids], {"Link": link} if link else None)


@pytest.mark.parametrize(
    "next_target",
    ["https://api.integrator.io/v1/integrations?skip=2&limit=2", "/v1/integrations?skip=2&limit=2",
     "/api/integrations?skip=2&limit=2", "integrations?skip=2&limit=2"],
)
async def test_link_next_absolute_or_relative(api: FakeApi, client: IntegratorClient,
                                               next_target: str) -> None:
    api.on("GET", "/v1/integrations", _page(["a1", "a2"], f'<{next_target}>; rel="next"'))
    api.on("GET", "/v1/integrations?skip=2&limit=2",
           _page(["a3"], '<https://api.integrator.io/v1/integrations?skip=0&limit=2>; rel="prev"'))
    integrations = await client.list_integrations()
    assert [i.id for i in integrations] == ["a1", "a2", "a3"]
    assert api.sent() == [("GET", "/v1/integrations"), ("GET", "/v1/integrations?skip=2&limit=2")]
    assert all(r.headers["authorization"] == f"Bearer {TOKEN}" for r in api.requests)


async def test_link_with_prev_and_next_and_three_pages(api: FakeApi, client: IntegratorClient) -> None:
    api.on("GET", "/v1/flows", _page(["f1"], '<https://api.integrator.io/v1/flows?skip=1>; rel="next"'))
    both = '</v1/flows?skip=0>; rel="prev", <https://api.integrator.io/v1/flows?skip=2>; rel="next"'
    api.on("GET", "/v1/flows?skip=1", _page(["f2"], both))
    api.on("GET", "/v1/flows?skip=2", httpx.Response(204))
    assert [f.id for f in await client.list_flows()] == ["f1", "f2"]
    assert len(api.requests) == 3


@pytest.mark.parametrize("empty", [httpx.Response(204), httpx.Response(200, content=b""),
                                   json_response(200, [])])
async def test_empty_lists(api: FakeApi, client: IntegratorClient, empty: httpx.Response) -> None:
    for path in ("/v1/flows", "/v1/connections", "/v1/exports", "/v1/imports", "/v1/integrations"):
        api.on("GET", path, empty)
    assert await client.list_flows() == []
    assert await client.list_connections() == []
    assert await client.list_exports() == []
    assert await client.list_imports() == []
    assert await client.list_integrations() == []


@pytest.mark.parametrize(
    "foreign",
    ["https://evil.example/v1/integrations?skip=2", "http://api.integrator.io/v1/integrations?skip=2",
     "//evil.example/v1/integrations"],
)
async def test_foreign_link_is_refused_before_sending(api: FakeApi, client: IntegratorClient,
                                                      foreign: str) -> None:
    api.on("GET", "/v1/integrations", _page(["a1"], f'<{foreign}>; rel="next"'))
    with pytest.raises(TransportError) as caught:
        await client.list_integrations()
    assert caught.value.code == "foreign_host"
    assert len(api.requests) == 1
    assert TOKEN not in str(caught.value)


async def test_self_link_loop_is_stopped(api: FakeApi, client: IntegratorClient) -> None:
    api.on("GET", "/v1/imports", _page(["i1"], '</v1/imports?skip=1>; rel="next"'))
    api.on("GET", "/v1/imports?skip=1", _page(["i2"], '</v1/imports?skip=1>; rel="next"'))
    with pytest.raises(TransportError) as caught:
        await client.list_imports()
    assert caught.value.code == "pagination_loop"
    assert len(api.requests) == 2


def _errors(ids: list[str], next_url: str | None = None, key: str = "errors") -> httpx.Response:
    body: dict[str, object] = {key: [{"errorId": i, "message": f"m-{i}"} for i in ids]}
    if next_url is not None:
        body["nextPageURL"] = next_url
    return json_response(200, body)


@pytest.mark.parametrize(
    "next_url",
    ["/v1/flows/f1/s1/errors?page=2", "/api/flows/f1/s1/errors?page=2",
     "https://api.integrator.io/v1/flows/f1/s1/errors?page=2"],
)
async def test_next_page_url_forms(api: FakeApi, client: IntegratorClient, next_url: str) -> None:
    api.on("GET", "/v1/flows/f1/s1/errors", _errors(["e1", "e2"], next_url))
    api.on("GET", "/v1/flows/f1/s1/errors?page=2", _errors(["e3"], ""))
    pages = [[e.error_id for e in page] async for page in client.iter_errors("f1", "s1")]
    assert pages == [["e1", "e2"], ["e3"]]


async def test_filters_are_sent_and_re_added_to_next_pages(api: FakeApi, client: IntegratorClient) -> None:
    first = ("/v1/flows/f1/s1/errors?occurredAt_gte=2026-01-01T00%3A00%3A00.000Z&source=application"
             "&source=connection&classification=missing")
    next_url = "/v1/flows/f1/s1/errors?page=2&source=application&source=connection"
    api.on("GET", first, _errors(["e1"], next_url))
    api.on("GET", "/v1/flows/f1/s1/errors?page=2&source=application&source=connection"
                  "&occurredAt_gte=2026-01-01T00%3A00%3A00.000Z&classification=missing", _errors(["e2"]))
    found = await all_errors(client, "f1", "s1", occurred_at_gte="2026-01-01T00:00:00.000Z",
                                     source=["application", "connection"], classification="missing")
    assert [e.error_id for e in found] == ["e1", "e2"]
    assert all(e.key.flow_id == "f1" and e.key.step_id == "s1" for e in found)


async def test_resolved_list_uses_its_own_key_and_filters(api: FakeApi, client: IntegratorClient) -> None:
    api.on("GET", "/v1/flows/f1/s1/resolved?resolvedAt_lte=2026-02-01T00%3A00%3A00.000Z",
           _errors(["r1"], key="resolved"))
    found = await all_errors(client, "f1", "s1", resolved=True, resolved_at_lte="2026-02-01T00:00:00.000Z")
    assert [e.error_id for e in found] == ["r1"]
    with pytest.raises(ValueError, match="resolved"):
        await all_errors(client, "f1", "s1", resolved_at_gte="2026-01-01")
    assert len(api.requests) == 1


async def test_foreign_next_page_url_is_refused(api: FakeApi, client: IntegratorClient) -> None:
    api.on("GET", "/v1/flows/f1/s1/errors", _errors(["e1"], "https://integrator.io/api/flows/f1/s1/errors?p=2"))
    pages = client.iter_errors("f1", "s1")
    assert [e.error_id for e in await anext(pages)] == ["e1"]  # the first page still arrives
    with pytest.raises(TransportError) as caught:
        await anext(pages)
    assert caught.value.code == "foreign_host" and "integrator.io" in caught.value.message
    assert len(api.requests) == 1


async def test_the_next_error_page_is_in_flight_while_one_is_handled(api: FakeApi,
                                                                      client: IntegratorClient) -> None:
    api.on("GET", "/v1/flows/f1/s1/errors", _errors(["e1"], "/v1/flows/f1/s1/errors?page=2"))
    api.on("GET", "/v1/flows/f1/s1/errors?page=2", _errors(["e2"]))
    pages = client.iter_errors("f1", "s1")
    assert [e.error_id for e in await anext(pages)] == ["e1"]
    await asyncio.sleep(0)
    assert len(api.requests) == 2  # page 2 was asked for before page 1 was handed over
    assert [e.error_id for e in await anext(pages)] == ["e2"]


async def test_closing_the_pages_cancels_the_request_in_flight(make_client: MakeClient) -> None:
    asked, cancelled = asyncio.Event(), asyncio.Event()

    async def handler(request: httpx.Request) -> httpx.Response:
        if "page=2" in str(request.url):
            asked.set()
            try:
                await asyncio.Event().wait()  # the server holds page 2
            except asyncio.CancelledError:
                cancelled.set()
                raise
        return _errors(["e1"], "/v1/flows/f1/s1/errors?page=2")

    async with make_client(transport=httpx.MockTransport(handler)) as client:
        pages = client.iter_errors("f1", "s1")
        await anext(pages)
        await asyncio.wait_for(asked.wait(), 5)
        await pages.aclose()  # the caller stops (--limit reached, screen closed)
        await asyncio.wait_for(cancelled.wait(), 5)


async def test_error_list_odd_bodies(api: FakeApi, client: IntegratorClient) -> None:
    api.on("GET", "/v1/flows/f1/s1/errors", httpx.Response(204))
    api.on("GET", "/v1/flows/f1/s2/errors", json_response(200, {"somethingElse": 1}))
    api.on("GET", "/v1/flows/f1/s3/errors", json_response(200, [{"errorId": "bare"}]))
    api.on("GET", "/v1/flows/f1/s4/errors", json_response(200, {"errors": {"errorId": "x"}}))
    assert await all_errors(client, "f1", "s1") == []
    assert await all_errors(client, "f1", "s2") == []
    assert [e.error_id for e in await all_errors(client, "f1", "s3")] == ["bare"]
    with pytest.raises(TransportError, match="expected a JSON array"):
        await all_errors(client, "f1", "s4")


async def test_loopback_base_keeps_pages_on_loopback(api: FakeApi, make_client: MakeClient) -> None:
    link = '<http://127.0.0.1:8765/v1/integrations?skip=1>; rel="next"'
    api.on("GET", "/v1/integrations", _page(["a1"], link))
    api.on("GET", "/v1/integrations?skip=1", _page(["a2"]))
    async with make_client(base_url="http://127.0.0.1:8765") as client:
        assert [i.id for i in await client.list_integrations()] == ["a1", "a2"]
    assert [str(r.url) for r in api.requests] == ["http://127.0.0.1:8765/v1/integrations",
                                                  "http://127.0.0.1:8765/v1/integrations?skip=1"]


async def test_page_size_is_sent_as_limit(api: FakeApi, client: IntegratorClient) -> None:
    api.on("GET", "/v1/exports?limit=1", _page(["e1"], '</v1/exports?limit=1&skip=1>; rel="next"'))
    api.on("GET", "/v1/exports?limit=1&skip=1", _page(["e2"]))
    api.on("GET", "/v1/integrations/a1/flows?limit=5", _page(["f1"]))
    assert [e.id for e in await client.list_exports(page_size=1)] == ["e1", "e2"]
    assert [f.id for f in await client.list_flows("a1", page_size=5)] == ["f1"]


async def test_a_big_error_page_is_built_off_the_loop_with_the_same_records(
        api: FakeApi, client: IntegratorClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """Building 1000 records took ~3 ms of the event loop per page (up to 8 ms under load), in one piece,
    while keys waited on the errors screen: a page of ``THREAD_BUILD_ITEMS`` or more is built in a thread.
    Small pages stay on the loop; a bad entry is the same ``TransportError`` either way."""
    import threading

    from explorer.client import errors_api
    from explorer.model import ErrorRecord

    threads: list[str] = []
    original = ErrorRecord.from_json.__func__  # type: ignore[attr-defined]

    def noted(cls: type[ErrorRecord], raw: object, flow_id: str, step_id: str) -> ErrorRecord:
        threads.append(threading.current_thread().name)
        return original(cls, raw, flow_id, step_id)  # type: ignore[no-any-return]

    monkeypatch.setattr(ErrorRecord, "from_json", classmethod(noted))
    big = [f"e{n}" for n in range(errors_api.THREAD_BUILD_ITEMS)]
    api.on("GET", "/v1/flows/f1/s1/errors", _errors(big, "/v1/flows/f1/s1/errors?page=2"))
    api.on("GET", "/v1/flows/f1/s1/errors?page=2", _errors(["z1", "z2"]))
    pages = [page async for page in client.iter_errors("f1", "s1")]
    assert [[e.error_id for e in page] for page in pages] == [big, ["z1", "z2"]]
    assert pages[0][5] == original(ErrorRecord, {"errorId": "e5", "message": "m-e5"}, "f1", "s1")
    loop_thread = threading.current_thread().name
    assert loop_thread not in threads[:len(big)] and threads[len(big):] == [loop_thread] * 2

    body = {"errors": [{"errorId": f"b{n}"} for n in range(errors_api.THREAD_BUILD_ITEMS)] + [{"x": 1}]}
    api.on("GET", "/v1/flows/f2/s2/errors", json_response(200, body))
    with pytest.raises(TransportError) as caught:
        [page async for page in client.iter_errors("f2", "s2")]
    assert caught.value.code == "unexpected_body"


async def test_no_page_is_asked_for_after_the_last_wanted_id(api: FakeApi, client: IntegratorClient) -> None:
    api.on("GET", "/v1/flows/f1/s1/errors", _errors(["e1", "e2"], "/v1/flows/f1/s1/errors?page=2"))
    api.on("GET", "/v1/flows/f1/s1/errors?page=2", _errors(["e3", "e4"], "/v1/flows/f1/s1/errors?page=3"))
    api.on("GET", "/v1/flows/f1/s1/errors?page=3", _errors(["e5"]))
    pages = client.iter_errors("f1", "s1", until_seen=["e3", "e1"])
    assert [e.error_id for e in await anext(pages)] == ["e1", "e2"]
    await asyncio.sleep(0)
    assert len(api.requests) == 2  # e3 is still missing: page 2 is on its way as before
    assert [e.error_id for e in await anext(pages)] == ["e3", "e4"]
    await asyncio.sleep(0.01)
    assert len(api.requests) == 2  # page 2 held the last of them: page 3 is never asked for
    with pytest.raises(StopAsyncIteration):
        await anext(pages)


async def test_ids_never_seen_read_every_page(api: FakeApi, client: IntegratorClient) -> None:
    api.on("GET", "/v1/flows/f1/s1/errors", _errors(["e1"], "/v1/flows/f1/s1/errors?page=2"))
    api.on("GET", "/v1/flows/f1/s1/errors?page=2", _errors(["e2"]))
    found = [e.error_id async for page in client.iter_errors("f1", "s1", until_seen=["e1", "nope"])
             for e in page]
    assert found == ["e1", "e2"] and len(api.requests) == 2


async def test_no_page_is_asked_for_past_the_most_wanted(api: FakeApi, client: IntegratorClient) -> None:
    api.on("GET", "/v1/flows/f1/s1/errors", _errors(["e1", "e2"], "/v1/flows/f1/s1/errors?page=2"))
    api.on("GET", "/v1/flows/f1/s1/errors?page=2", _errors(["e3", "e4"], "/v1/flows/f1/s1/errors?page=3"))
    api.on("GET", "/v1/flows/f1/s1/errors?page=3", _errors(["e5"]))
    pages = client.iter_errors("f1", "s1", most=3)
    assert [e.error_id for e in await anext(pages)] == ["e1", "e2"]
    assert [e.error_id for e in await anext(pages)] == ["e3", "e4"]  # the caller cuts it to its limit
    await asyncio.sleep(0.01)
    with pytest.raises(StopAsyncIteration):
        await anext(pages)
    assert len(api.requests) == 2  # page 2 reached 3 errors: page 3 is never asked for
