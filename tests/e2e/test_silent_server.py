"""A server that accepts and never answers (a local socket, 127.0.0.1 only): no silent waits.

Explicit timeouts, a visible wait after ~3 s (CLI stderr; TUI status line), Ctrl+C / esc stop waiting, and a
clear failure within the request's time budget (≤ 90 s with the defaults).
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from explorer.client import IntegratorClient, Timeouts, TransportError
from explorer.simulator import DEMO_TOKENS


def test_the_defaults_fail_clearly_within_90_s() -> None:
    timeouts = IntegratorClient("t0k3n-abcdef").timeouts
    assert (timeouts.connect, timeouts.read) == (10.0, 60.0) and timeouts.budget <= 90
    assert timeouts.notice_after <= 3.0


async def test_a_silent_server_is_a_clear_timeout_and_the_wait_is_visible(silent_port: int) -> None:
    client = IntegratorClient(DEMO_TOKENS["full"], base_url=f"http://127.0.0.1:{silent_port}",
                              timeouts=Timeouts(connect=1.0, read=1.0, total=1.6, notice_after=0.3))
    async with client:
        task = asyncio.ensure_future(client.get_json("tokenInfo"))
        while not task.done() and not client.waits.notice(client.timeouts.notice_after):
            await asyncio.sleep(0.02)  # the notice is due 0.3 s into the 1.6 s wait
        notice = client.waits.notice(client.timeouts.notice_after)
        assert notice.startswith(f"waiting for 127.0.0.1:{silent_port} (GET /v1/tokenInfo)… ")
        started = time.monotonic()
        with pytest.raises(TransportError) as caught:
            await task
        # 1.6 s in all, 0.5 of them gone: ends soon, not retried into a long wait (generous for a busy CI)
        assert time.monotonic() - started < 8.0
    assert caught.value.code == "timeout"
    assert f"no answer from 127.0.0.1:{silent_port} within " in str(caught.value)
    assert client.waits.longest() is None


def _iox(tmp_path: Path, port: int, read_timeout: float | None, *argv: str) -> subprocess.Popen[str]:
    config = tmp_path / "config" / "integrator-explorer" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    extra = f"read_timeout = {read_timeout}\n" if read_timeout is not None else ""
    config.write_text(f'default_profile = "silent"\n[profiles.silent]\nbase_url = "http://127.0.0.1:{port}"\n'
                      f'token = "{DEMO_TOKENS["full"]}"\n{extra}', encoding="utf-8")
    config.chmod(0o600)
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "config"), "XDG_STATE_HOME": str(tmp_path / "s")}
    env.pop("IOX_TOKEN", None)
    return subprocess.Popen([sys.executable, "-m", "explorer", *argv], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env, text=True)


def test_cli_says_what_it_waits_for_and_fails_clearly(tmp_path: Path, silent_port: int) -> None:
    proc = _iox(tmp_path, silent_port, 4, "tree")
    started = time.monotonic()
    _, err = proc.communicate(timeout=30)
    took = time.monotonic() - started
    assert proc.returncode == 1, err
    assert f"waiting for 127.0.0.1:{silent_port} (GET /v1/tokenInfo)… 3 s" in err
    assert f"no answer from 127.0.0.1:{silent_port} within 6 s" in err
    assert took < 25  # the 6 s budget plus start-up on a busy machine; the default budget is 85 s


def test_ctrl_c_stops_the_wait_at_once(tmp_path: Path, silent_port: int) -> None:
    proc = _iox(tmp_path, silent_port, None, "tree")  # default timeouts: it would wait 85 s
    assert proc.stderr is not None
    line = ""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and "waiting for" not in line:
        line = proc.stderr.readline()
    assert "waiting for" in line
    proc.send_signal(signal.SIGINT)
    sent = time.monotonic()
    try:
        proc.communicate(timeout=5)
    finally:
        if proc.poll() is None:
            proc.kill()
    # At once, not after the 60 s read timeout; the bound leaves room for a busy machine's interpreter exit.
    assert proc.returncode == 130 and time.monotonic() - sent < 10.0
