"""Every CLI command as a real process against ``iox simulator`` over loopback HTTP.

One simulator process serves the whole module (NA and EU ports); each test runs ``python -m explorer ...``
with its own temporary config and state directories and the token in ``IOX_TOKEN`` (never in argv).
Tests that change the account use steps no other test reads.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from explorer.simulator import demo_ids as d

STARTUP_TIMEOUT_S = 60.0
"""Only a bound for a simulator that never starts: a loaded 2-core CI machine took 20 s and more to run
the tests around this one, and a deadline passed between two lines of the banner ends the read early."""


@dataclass(frozen=True)
class Server:
    """The running simulator: its base URLs and the demo tokens it printed."""

    na: str
    eu: str
    tokens: dict[str, str]
    au: str = ""
    ca: str = ""


@pytest.fixture(scope="module")
def base_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The environment of every process here: no IOX_* of the developer's, and bytecode cached in a temp
    folder (with PYTHONDONTWRITEBYTECODE each of the ~40 processes would recompile every module it imports).
    """
    env = {key: value for key, value in os.environ.items()
           if not key.startswith("IOX_") and key != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(tmp_path_factory.mktemp("pycache"))
    return env


@pytest.fixture(scope="module")
def server(base_env: dict[str, str]) -> Iterator[Server]:
    process = subprocess.Popen(
        [sys.executable, "-m", "explorer", "simulator", "--port", "0", "--eu-port", "0", "--au-port", "0",
         "--ca-port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=base_env,
    )
    try:
        assert process.stdout is not None
        urls: dict[str, str] = {}
        tokens: dict[str, str] = {}
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        for line in process.stdout:
            if match := re.match(r"^(NA|EU|AU|CA): (http://\S+?)/v1/$", line.strip()):
                urls[match.group(1)] = match.group(2)
            elif match := re.match(r"^(\w+): ([0-9a-f]{32})$", line.strip()):
                tokens[match.group(1)] = match.group(2)
            if line.startswith("Press Ctrl-C") or time.monotonic() > deadline:
                break
        assert set(urls) == {"NA", "EU", "AU", "CA"} and "full" in tokens, "the simulator did not start"
        yield Server(urls["NA"], urls["EU"], tokens, urls["AU"], urls["CA"])
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass(frozen=True)
class Result:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


@pytest.fixture
def iox(server: Server, base_env: dict[str, str], tmp_path: Path) -> Any:
    """Run ``iox`` against the NA port with a token (by name), a private config and state, and stdin."""

    def run(*argv: str, token: str | None = "full", stdin: str = "", base_url: bool = True) -> Result:
        env = dict(base_env)
        env.update(XDG_CONFIG_HOME=str(tmp_path / "config"), XDG_STATE_HOME=str(tmp_path / "state"),
                   NO_COLOR="1")
        if token is not None:
            env["IOX_TOKEN"] = server.tokens[token]
        prefix = ["--base-url", server.na] if base_url else []
        done = subprocess.run([sys.executable, "-m", "explorer", *prefix, *argv], input=stdin,
                              capture_output=True, text=True, env=env, timeout=60)
        for secret in server.tokens.values():
            assert secret not in done.stdout + done.stderr, "a token was printed"
        assert "Traceback" not in done.stderr
        return Result(done.returncode, done.stdout, done.stderr)

    return run


# --- output and --json -----------------------------------------------------------------------------------


READ_COMMANDS = [
    ["token"],
    ["ls", "integrations"],
    ["ls", "flows"],
    ["ls", "exports"],
    ["ls", "imports"],
    ["ls", "connections"],
    ["tree", "--no-steps"],
    ["get", f"flows/{d.SHOPIFY_FLOW}"],
    ["errors", d.SHOPIFY_FLOW, d.SHOPIFY_LOOKUP_STEP],
    ["jobs", d.SHOPIFY_FLOW],
]


def test_read_commands_print_tables_and_valid_json(iox: Any) -> None:
    # Many processes: run them a few at a time, the way a shell script's background jobs would. The human
    # form of ls flows, tree and errors is checked more closely below.
    humans = [argv for argv in READ_COMMANDS if argv[0] not in ("tree", "errors") and argv[1:] != ["flows"]]
    with ThreadPoolExecutor(max_workers=4) as pool:
        shown = list(pool.map(lambda argv: iox(*argv), humans))
        machines = list(pool.map(lambda argv: iox("--json", *argv), READ_COMMANDS))
    for argv, human in zip(humans, shown, strict=True):
        assert human.code == 0 and human.out.strip(), argv
        assert "\r" not in human.err, argv  # stderr is not a terminal: no progress drawing
    for argv, machine in zip(READ_COMMANDS, machines, strict=True):
        assert machine.code == 0, argv
        machine.json()  # exactly one JSON document on stdout


def test_ls_flows_lists_the_account(iox: Any) -> None:
    result = iox("ls", "flows")
    assert result.out.splitlines()[0].split()[:2] == ["ID", "NAME"]
    assert d.SHOPIFY_FLOW in result.out and result.err.strip() == "9 flows"
    assert "disabled" in next(line for line in result.out.splitlines() if line.startswith(d.DISABLED_FLOW))


def test_tree_shows_badges(iox: Any) -> None:
    result = iox("tree")
    assert result.code == 0
    assert any("Create NetSuite invoices" in line and "3,000 open errors" in line
               for line in result.out.splitlines())


def test_server_text_cannot_drive_the_terminal(iox: Any) -> None:
    result = iox("errors", d.SALESFORCE_FLOW, d.SALESFORCE_IMPORT_STEP)
    assert result.code == 0
    assert "\x1b" not in result.out and "\x07" not in result.out
    assert "\\e]52;c;" in result.out


# --- exit codes ------------------------------------------------------------------------------------------


FAILURES = [
    # (argv, token, exit code, text on stderr)
    (["ls", "flows"], "revoked", 3, "authentication failed (HTTP 401) at http://127.0.0.1:"),
    (["--json", "token"], "revoked", 3, "(the token from $IOX_TOKEN)"),
    (["get", f"connections/{d.CONN_AMAZON}"], "scoped", 1, "forbidden (HTTP 403) (GET /v1/connections/"),
    (["--json", "get", "flows/000000000000000000000000"], "full", 1, "not found (HTTP 404)"),
    (["ls", "flows"], None, 3, "no profile is configured and $IOX_TOKEN is not set; run `iox login`"),
    (["ls", "widgets"], "full", 2, "invalid choice: 'widgets'"),
    (["login", "--token", "whatever"], "full", 2, "--token is not accepted"),
]


def test_failures_map_to_exit_codes(iox: Any) -> None:
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda case: iox(*case[0], token=case[1]), FAILURES))
    for (argv, _token, code, text), result in zip(FAILURES, results, strict=True):
        assert (result.code, text in result.err) == (code, True), (argv, result.err)
        if "--json" in argv:
            assert result.json()["error"]["exit_code"] == code
        else:
            assert result.out == ""


def test_422_is_exit_1_and_lists_every_field(iox: Any) -> None:
    result = iox("put", f"imports/{d.IMP_NS_CONTACT}", "-", "--yes", stdin='{"name": ""}')
    assert result.code == 1
    assert "the server rejected the request (HTTP 422)" in result.err
    assert re.search(r"^  - \w+: .+ \[\w+\]$", result.err, flags=re.MULTILINE)


# --- login and profiles ----------------------------------------------------------------------------------


def test_login_via_stdin_then_use_the_profile(iox: Any, server: Server, tmp_path: Path) -> None:
    login = iox("login", "--profile", "local", "--token-stdin", token=None, stdin=server.tokens["full"])
    assert login.code == 0 and "Saved profile 'local' (default)" in login.out
    config = tmp_path / "config" / "integrator-explorer" / "config.toml"
    assert oct(config.stat().st_mode & 0o777) == "0o600"
    token = iox("token", token=None, base_url=False)
    assert token.code == 0 and f"user       {d.USER_ID}" in token.out
    listed = iox("profiles", token=None, base_url=False)
    assert "local" in listed.out and server.na in listed.out


def test_login_with_an_eu_token_hints_at_the_region(iox: Any, server: Server) -> None:
    result = iox("login", "--profile", "eu", "--token-stdin", "--other-region-url", server.eu,
                 token=None, stdin=server.tokens["eu"])
    assert result.code == 0
    assert "this token belongs to the EU account" in result.err
    assert "storing profile 'eu' for the EU account" in result.err
    doc = iox("--json", "profiles", token=None, base_url=False).json()
    assert doc["profiles"][0]["base_url"] == server.eu + "/v1/"
    token = iox("--json", "token", token=None, base_url=False).json()
    assert token["user_id"] == d.EU_USER_ID


def test_login_tries_every_named_region_over_http(iox: Any, server: Server) -> None:
    others = [f"eu={server.eu}", f"au={server.au}", f"ca={server.ca}"]
    result = iox("login", "--profile", "ca", "--token-stdin",
                 *[arg for url in others for arg in ("--other-region-url", url)],
                 token=None, stdin=server.tokens["ca"])
    assert result.code == 0, result.err
    assert f"this token belongs to the CA account ({server.ca}/v1/), not the NA one" in result.err
    token = iox("--json", "--profile", "ca", "token", token=None, base_url=False).json()
    assert token["user_id"] == d.CA_USER_ID and token["base_url"] == server.ca + "/v1/"


def test_login_without_the_other_region_says_what_to_pass(iox: Any, server: Server) -> None:
    result = iox("login", "--token-stdin", token=None, stdin=server.tokens["eu"])
    assert result.code == 3 and "--other-region-url" in result.err


# --- changes and read-only -------------------------------------------------------------------------------


def test_read_only_refuses_and_says_why(iox: Any) -> None:
    result = iox("--read-only", "resolve", d.AMAZON_FLOW, d.AMAZON_EXPORT_STEP, "--all")
    assert result.code == 1 and "read-only session (--read-only was given); nothing was sent" in result.err
    assert iox("errors", d.AMAZON_FLOW, d.AMAZON_EXPORT_STEP, "--json").json()  # still there


def test_resolve_and_retry_over_http(iox: Any) -> None:
    open_errors = iox("--json", "errors", d.FLOW_BC_ORDERS, d.IMP_NS_BC_ORDER).json()
    first, *rest = [error["errorId"] for error in open_errors]
    resolved = iox("--json", "resolve", d.FLOW_BC_ORDERS, d.IMP_NS_BC_ORDER, first)
    assert resolved.code == 0 and resolved.json()["sent"] == [first]
    retried = iox("--json", "retry", d.FLOW_BC_ORDERS, d.IMP_NS_BC_ORDER, "--all", "--no-follow")
    assert retried.code == 0 and sorted(retried.json()["sent"]) == sorted(rest)
    assert retried.json()["jobs"][0]["type"] == "retry"


def test_run_and_jobs(iox: Any) -> None:
    started = iox("--json", "run", d.FLOW_LICENSE_USAGE)
    assert started.code == 0
    job_id = started.json()["job_id"]
    jobs = iox("--json", "jobs", d.FLOW_LICENSE_USAGE, "--history").json()
    assert job_id in {job["_id"] for job in jobs}


def test_put_with_yes_saves_and_journals(iox: Any, tmp_path: Path) -> None:
    doc = iox("--json", "get", f"exports/{d.EXP_SF_CONTACTS}").json()
    doc["name"] = "Get Salesforce contacts (edited)"
    result = iox("put", f"exports/{d.EXP_SF_CONTACTS}", "-", "--yes", stdin=json.dumps(doc))
    assert result.code == 0 and "Saved export" in result.out
    assert '+  "name": "Get Salesforce contacts (edited)",' in result.out
    journal = tmp_path / "state" / "integrator-explorer" / "journal.jsonl"
    assert json.loads(journal.read_text(encoding="utf-8").splitlines()[-1])["status"] == 200
    assert iox("--json", "get", f"exports/{d.EXP_SF_CONTACTS}").json()["name"].endswith("(edited)")


def test_put_without_a_terminal_or_yes_is_refused(iox: Any) -> None:
    result = iox("put", f"exports/{d.EXP_SF_CONTACTS}", "-", stdin="{}")
    assert result.code == 2 and "pass --yes" in result.err
