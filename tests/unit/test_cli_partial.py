"""No silent partial loads in the CLI: ``iox tree`` prints what it has, names what is missing on stderr and
exits 1; a JSON body that is not UTF-8 says so."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from explorer.cli import main
from explorer.client import IntegratorClient, TransportError
from explorer.simulator import DEMO_TOKENS, Simulator
from explorer.simulator import demo_ids as d
from tests.helpers.broken import Broken
from tests.helpers.cli import isolate


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    isolate(tmp_path, monkeypatch)
    monkeypatch.setenv("IOX_TOKEN", DEMO_TOKENS["full"])


def run(capsys: pytest.CaptureFixture[str], *broken: str, argv: tuple[str, ...] = ("tree",)
        ) -> tuple[int, str, str]:
    code = main(list(argv), transport=Broken(Simulator(seed=0, time_scale=0), *broken))
    out, err = capsys.readouterr()
    return code, out, err


def test_a_complete_tree_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys)
    assert code == 0 and "incomplete" not in err


def test_failed_imports_list_is_named_and_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "/v1/imports")
    assert code == 1
    assert "Shopify" in out  # what could be loaded is printed
    assert "iox: incomplete: the imports list could not be loaded" in err
    assert "import steps show their ids" in err


def test_failed_integration_summary_is_named_and_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, f"/v1/integrations/{d.INT_SHOPIFY}/errors")
    assert code == 1
    assert f"iox: incomplete: open errors of integration {d.INT_SHOPIFY} could not be loaded" in err


def test_failed_integrations_list_is_named_in_json_too(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "/v1/integrations", argv=("--json", "tree", "--no-steps"))
    assert code == 1
    doc = json.loads(out)
    assert any("integrations list could not be loaded" in part for part in doc["missing"])
    assert "integrations list could not be loaded" in err


async def test_a_body_that_is_not_utf8_says_so() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-type": "application/json"},
                              content=b'{"name": "caf\xe9"}')

    transport = httpx.MockTransport(answer)
    async with IntegratorClient("t0k3n-abcdef", transport=transport, max_retries=0) as client:
        with pytest.raises(TransportError) as caught:
            await client.get_json("flows/x")
    assert caught.value.code == "malformed_body"
    assert "not UTF-8 (byte 0xe9 at offset 13" in caught.value.message


async def test_a_big_body_that_is_not_utf8_says_so_from_the_parsing_thread() -> None:
    """A big body is decoded where it is parsed (a thread), not first on the loop: same message."""
    padding = b'{"pad": "' + b"x" * 400_000 + b'", "name": "caf'
    bad_at = len(padding)

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-type": "application/json"},
                              content=padding + b'\xe9"}')

    transport = httpx.MockTransport(answer)
    async with IntegratorClient("t0k3n-abcdef", transport=transport, max_retries=0) as client:
        with pytest.raises(TransportError) as caught:
            await client.get_json("flows/x")
    assert caught.value.code == "malformed_body"
    assert f"not UTF-8 (byte 0xe9 at offset {bad_at:,} of {bad_at + 3:,})" in caught.value.message
