"""Forgiving input, strict paths: a pasted ``Bearer`` token works, a wrong base URL says what to use,
``iox get ../../etc/passwd`` sends nothing, and ``iox tree`` shortens a huge name."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import httpx
import pytest

from explorer.cli import main
from explorer.client import base_url_for
from explorer.client.urls import remove_dot_segments, resolve
from explorer.config import load_config
from explorer.simulator import DEMO_TOKENS, Simulator, SimulatorTransport
from explorer.simulator import demo_ids as d
from tests.helpers.cli import isolate

BASE = "https://api.integrator.io/v1/"


class Recorder(httpx.AsyncBaseTransport):
    """The simulator, remembering every path asked for; optionally renames one integration."""

    def __init__(self, rename: tuple[str, str] | None = None) -> None:
        self.inner = SimulatorTransport(Simulator(seed=0, time_scale=0))
        self.paths: list[str] = []
        self.rename = rename

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.paths.append(request.url.path)
        response = await self.inner.handle_async_request(request)
        if self.rename is None:
            return response
        body = (await response.aread()).decode("utf-8").replace(*self.rename)
        headers = {k: v for k, v in response.headers.items() if k.lower() != "content-length"}
        return httpx.Response(response.status_code, headers=headers, content=body.encode("utf-8"))


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    isolate(tmp_path, monkeypatch)


@pytest.mark.parametrize("target", ["../../etc/passwd", "/v1/../etc/passwd", "flows/%2e%2e/%2e%2e/etc/passwd",
                                    "https://api.integrator.io/v1/x/../../../etc/passwd", "/api/../etc"])
def test_paths_that_leave_v1_are_refused(target: str) -> None:
    with pytest.raises(ValueError, match="outside the API's /v1/"):
        resolve(BASE, target)


def test_dot_segments_inside_v1_are_resolved() -> None:
    assert resolve(BASE, "flows/./a/../b") == BASE + "flows/b"
    assert remove_dot_segments("/v1/a/b/../../c/.") == "/v1/c/"


def test_iox_get_of_a_path_outside_v1_sends_nothing(monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("IOX_TOKEN", DEMO_TOKENS["full"])
    recorder = Recorder()
    code = main(["get", "../../etc/passwd"], transport=recorder)
    _, err = capsys.readouterr()
    assert code != 0 and "outside the API's /v1/" in err
    assert not any(path.startswith("/etc") for path in recorder.paths)
    assert all(path.startswith("/v1/") for path in recorder.paths)


@pytest.mark.parametrize("pasted", ["Bearer {t}", "  bearer {t}\n", "\t{t}  \n", "BEARER   {t}"])
def test_login_accepts_a_token_pasted_with_its_bearer_prefix(pasted: str, tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    token = DEMO_TOKENS["full"]
    sys.stdin = io.StringIO(pasted.format(t=token))
    code = main(["login", "--profile", "prod", "--token-stdin"], transport=Recorder())
    _, err = capsys.readouterr()
    assert code == 0, err
    config = load_config(tmp_path / "config" / "integrator-explorer" / "config.toml")
    assert config.profiles["prod"].token == token


def test_env_token_with_bearer_prefix_works(monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("IOX_TOKEN", f"  Bearer {DEMO_TOKENS['full']}\n")
    assert main(["--json", "token"], transport=Recorder()) == 0
    assert json.loads(capsys.readouterr().out)["user_id"] == d.USER_ID


@pytest.mark.parametrize(("given", "suggested"), [
    ("https://integrator.io/api", "https://integrator.io/v1"),
    ("https://integrator.io/api/v1", "https://integrator.io/v1"),
    ("https://proxy.example/integrator", "https://proxy.example/integrator/v1"),
])
def test_a_base_url_not_ending_in_v1_says_what_to_use(given: str, suggested: str) -> None:
    with pytest.raises(ValueError) as caught:
        base_url_for("na", given)
    assert f"use {suggested}" in str(caught.value)


def test_tree_shortens_a_huge_name(monkeypatch: pytest.MonkeyPatch,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("IOX_TOKEN", DEMO_TOKENS["full"])
    huge = "N" * 100_000
    code = main(["tree", "--no-steps"], transport=Recorder(rename=("Shopify", huge)))
    out, _ = capsys.readouterr()
    assert code == 0
    assert len(out) < 20_000 and "NNNN…" in out
