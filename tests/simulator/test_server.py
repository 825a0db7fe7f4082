"""The loopback HTTP server (the one socket test of the simulator suite)."""

from __future__ import annotations

import sys
import threading
import time
from typing import Any

import httpx
import pytest

from explorer.simulator import DEMO_TOKENS, FaultConfig, Simulator, serve
from explorer.simulator import demo_ids as d
from tests.helpers.sim_calls import make_sim


def auth(name: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {DEMO_TOKENS[name]}"}


def test_serve_every_region_on_its_own_port() -> None:
    sim = make_sim()
    with serve(sim, port=0, region_ports={"eu": 0, "au": 0, "ca": 0}) as running, \
            httpx.Client(timeout=5) as http:
        for region, token in (("na", "full"), ("eu", "eu"), ("au", "au"), ("ca", "ca")):
            url = running.region_base_url(region)
            assert url is not None
            assert http.get(f"{url}/v1/tokenInfo", headers=auth(token)).status_code == 200, region
            wrong = "full" if token != "full" else "ca"
            assert http.get(f"{url}/v1/tokenInfo", headers=auth(wrong)).status_code == 401, region


def test_serve_on_ephemeral_ports() -> None:
    sim = make_sim()
    with serve(sim, port=0, eu_port=0) as running, httpx.Client(timeout=5) as http:
        assert running.port and running.eu_port and running.eu_base_url
        na = http.get(f"{running.base_url}/v1/tokenInfo", headers=auth("full"))
        assert (na.status_code, na.json()["_userId"]) == (200, d.USER_ID)
        assert http.get(f"{running.eu_base_url}/v1/tokenInfo", headers=auth("eu")).status_code == 200
        assert http.get(f"{running.base_url}/v1/tokenInfo", headers=auth("eu")).status_code == 401
        page = http.get(f"{running.base_url}/v1/flows?limit=2", headers=auth("full"))
        assert page.headers["link"].startswith(f"<{running.base_url}/v1/flows?limit=2&skip=2>")
        empty = http.get(f"{running.base_url}/v1/integrations/{d.INT_EMPTY}/flows", headers=auth("full"))
        assert (empty.status_code, empty.content) == (204, b"")
        put = http.put(
            f"{running.base_url}/v1/integrations/{d.INT_EMPTY}",
            headers=auth("full"),
            json={"name": "Over HTTP"},
        )
        assert put.json()["name"] == "Over HTTP"
        sim.set_faults(FaultConfig(p_reset=1.0))
        with pytest.raises(httpx.TransportError):
            http.get(f"{running.base_url}/v1/tokenInfo", headers=auth("full"))
    assert ("PUT", f"/v1/integrations/{d.INT_EMPTY}", 200) in sim.requests


def test_run_server_prints_urls_and_tokens(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """No socket here: `serve` is replaced by a stand-in that records what it was asked for."""
    import gc

    from explorer.simulator import server as server_module

    seen: dict[str, object] = {}

    class FakeRunning:
        base_url = "http://127.0.0.1:8765"
        def region_base_url(self, region: str) -> str | None:
            return {"na": self.base_url, "eu": "http://127.0.0.1:8766", "ca": "http://127.0.0.1:8768"}.get(region)

        def close(self) -> None:
            seen["closed"] = True

    def fake_serve(
        sim: object, host: str = "127.0.0.1", port: int = 0, eu_port: int | None = None, *,
        region_ports: dict[str, int] | None = None,
    ) -> FakeRunning:
        seen.update(sim=sim, port=port, eu_port=eu_port, region_ports=region_ports)
        return FakeRunning()

    monkeypatch.setattr(server_module, "serve", fake_serve)
    frozen: list[bool] = []
    monkeypatch.setattr(gc, "freeze", lambda: frozen.append("sim" not in seen))
    stop = threading.Event()
    stop.set()
    switch_interval = sys.getswitchinterval()
    server_module.run_server(8765, 8766, 5.0, 1.0, "500=0.5", "demo", 3, ca_port=8768, stop=stop)
    assert sys.getswitchinterval() == switch_interval  # its shorter interval ends with it
    assert frozen == [True]  # what it built is frozen once, before it serves (a full collection took ~55 ms)
    lines = capsys.readouterr().out.splitlines()
    assert "NA: http://127.0.0.1:8765/v1/" in lines and "EU: http://127.0.0.1:8766/v1/" in lines
    assert "CA: http://127.0.0.1:8768/v1/" in lines and not any(line.startswith("AU:") for line in lines)
    assert seen["region_ports"] == {"ca": 8768}
    for name, token in DEMO_TOKENS.items():
        assert f"{name}: {token}" in lines
    sim = seen["sim"]
    assert isinstance(sim, Simulator)
    assert (seen["port"], seen["eu_port"], seen["closed"]) == (8765, 8766, True)
    assert (sim.seed, sim.latency_ms, sim.jitter_ms) == (3, 5.0, 1.0)


def test_accepted_sockets_send_small_writes_at_once() -> None:
    """TCP_NODELAY on every accepted socket: without it Nagle held each answer's body ~40 ms (issue 10)."""
    import socket
    import threading

    from explorer.simulator.server import _SimServer

    server = _SimServer(("127.0.0.1", 0), make_sim(), "na")
    try:
        accepted: list[socket.socket] = []
        thread = threading.Thread(target=lambda: accepted.append(server.get_request()[0]))
        thread.start()
        host, port = server.server_address[:2]
        with socket.create_connection((str(host), int(port)), timeout=5):
            thread.join(5)
        assert accepted and accepted[0].getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
        accepted[0].close()
    finally:
        server.server_close()


def test_ten_connections_at_once_are_all_accepted_without_waiting() -> None:
    """A listen backlog above socketserver's 5: with it, connections 7 and on waited 1 s for a SYN resend."""
    import socket

    from explorer.simulator.server import _SimServer

    server = _SimServer(("127.0.0.1", 0), make_sim(), "na")  # listening, nobody accepting yet
    opened: list[socket.socket] = []
    try:
        host, port = server.server_address[:2]
        for _ in range(20):
            opened.append(socket.create_connection((str(host), int(port)), timeout=0.5))
        assert len(opened) == 20
    finally:
        for connection in opened:
            connection.close()
        server.server_close()


class FakeTime:
    """The server's clocks and sleep, moved by hand: every sleep ends `late` seconds after it should."""

    def __init__(self, late: float) -> None:
        self.now = 1000.0
        self.cpu = 0.0
        self.late = late
        self.slept: list[float] = []

    def perf_counter(self) -> float:
        return self.now

    def thread_time(self) -> float:
        return self.cpu

    def sleep(self, seconds: float) -> None:
        self.now += seconds + self.late
        self.slept.append(seconds)  # after the clock moved: the test waits for this

    def work(self, seconds: float) -> None:
        self.now += seconds
        self.cpu += seconds


@pytest.mark.parametrize(("queued", "way_back"), [(0.0, 0.043), (0.03, 0.013), (0.08, None)])
def test_an_answer_is_due_one_latency_and_its_own_work_after_the_request_was_read(
        monkeypatch: pytest.MonkeyPatch, queued: float, way_back: float | None) -> None:
    """At 100 ms, a call whose handling costs 2 ms of CPU answers 102 ms after it was read: a wake-up 7 ms
    late from the way there, and the time it queued for the simulator's lock behind other calls (a real API
    serves them side by side), come out of the way back; a wait longer than the way back is not repaid."""
    from explorer.simulator import server as server_module

    sim = make_sim(latency_ms=100.0)
    clock = FakeTime(late=0.007)
    handle = sim.handle

    def handle_in_2_ms(*args: Any, **kwargs: Any) -> Any:
        clock.work(0.002)
        return handle(*args, **kwargs)

    monkeypatch.setattr(sim, "handle", handle_in_2_ms)
    monkeypatch.setattr(server_module, "stamp_arrivals", lambda sock: False)  # the read's time, on `clock`
    with serve(sim, port=0) as running, httpx.Client(timeout=5) as http:
        monkeypatch.setattr(server_module, "time", clock)
        answered: list[int] = []
        with sim.request_lock:  # another call is being answered
            caller = threading.Thread(target=lambda: answered.append(
                http.get(f"{running.base_url}/v1/tokenInfo", headers=auth("full")).status_code))
            caller.start()
            while not clock.slept:
                time.sleep(0.001)
            clock.now += queued
        caller.join(5)
    assert answered == [200]
    assert clock.slept == pytest.approx([0.05] if way_back is None else [0.05, way_back])
