"""The `Simulator`: a deterministic, thread-safe stand-in for integrator.io's REST API v1.

Why: the explorer is developed, tested and demonstrated without a Celigo account. `handle()` is the single
entry point used by both the in-process httpx transport and the loopback HTTP server; it derives the region
from the URL, injects faults, authenticates, rate-limits per account, advances due jobs and dispatches to the
routes. Everything else here is a test helper (read or replace a document as "another user", look at the error
lists, move the clock).
"""

from __future__ import annotations

import copy
import random
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from . import demo_ids as d
from .account import Account
from .auth import Scope, authenticate
from .clock import SimClock, iso
from .context import Ctx
from .faults import PRE_FAULTS, FaultConfig, FaultInjector
from .jobs import tick
from .ratelimit import TokenBucket
from .router import dispatch
from .seed_docs import add_demo_steps
from .seed_flows import add_demo_flows
from .seed_history import add_demo_history
from .wire import ApiFailure, Request, SimResponse, not_found

SCALES = ("demo", "large")
REGIONS = ("na", "eu", "au", "ca")
"""Celigo's regions: each a separate tenant with its own users and tokens."""
_REGION_USERS = {"na": d.USER_ID, "eu": d.EU_USER_ID, "au": d.AU_USER_ID, "ca": d.CA_USER_ID}


class Simulator:
    """A simulated integrator.io: NA, EU, AU and CA tenants, demo tokens, jobs on a simulated clock, faults.

    Beyond the contract's arguments: `time_scale` (simulated seconds per real second; 0 freezes time except
    for `advance`, for byte-identical runs), `monotonic` (the real-time source for the clock and the rate
    limiter, injectable in tests), `error_page_size` (errors per page of the error lists) and
    `retry_data_kept` (newest errors per step that keep retry data; Celigo's 20,000, shrunk in tests).
    """

    def __init__(
        self,
        seed: int = 0,
        scale: str = "demo",
        faults: FaultConfig | None = None,
        latency_ms: float = 0.0,
        jitter_ms: float = 0.0,
        rate_bucket: int = 1000,
        rate_refill_per_s: float = 300.0,
        mask_secret_422: bool = False,
        *,
        time_scale: float = 1.0,
        monotonic: Callable[[], float] | None = None,
        error_page_size: int = 1000,
        retry_data_kept: int = 20_000,
    ) -> None:
        if scale not in SCALES:
            raise ValueError(f"scale must be one of {', '.join(SCALES)}, not {scale!r}")
        if error_page_size < 1:
            raise ValueError("error_page_size must be at least 1")
        self.seed = seed
        self.scale = scale
        self.latency_ms = latency_ms
        self.jitter_ms = jitter_ms
        self.rate_bucket = rate_bucket
        self.rate_refill_per_s = rate_refill_per_s
        self.mask_secret_422 = mask_secret_422
        self.error_page_size = error_page_size
        self.retry_data_kept = retry_data_kept
        self.requests: list[tuple[str, str, int]] = []
        self._monotonic = monotonic or time.monotonic
        self._clock = SimClock(self._monotonic, time_scale)
        self._lock = threading.RLock()
        self._latency_rng = random.Random(seed)
        self._latency_lock = threading.Lock()
        self._faults = FaultInjector(faults) if faults else None
        self._region_ports: dict[int, str] = {}
        self._accounts: dict[str, Account] = {"na": self._build("na")}

    # ---- building ----------------------------------------------------------------------------------------

    def _build(self, region: str) -> Account:
        bucket = TokenBucket(self.rate_bucket, self.rate_refill_per_s, self._monotonic)
        account = Account(region, _REGION_USERS[region], self.seed, self._clock.base_ms, bucket)
        account.retry_data_kept = self.retry_data_kept
        add_demo_steps(account)
        add_demo_flows(account)
        add_demo_history(account)
        if self.scale == "large":
            from .seed_large import add_large_documents  # the large account only

            add_large_documents(account)
        return account

    def build_deferred(self) -> None:
        """Build now what each built account defers to first use (its seeded job history).

        Why: the served simulator (``iox simulator``) lives long, so building it before the first request
        costs nobody a wait; deferred, the large account's ~4,000 job documents were built inside the first
        request that touched jobs, under the request lock (the first 1000-key retry took 42-90 ms instead of
        4, holding every other request behind it). The embedded demo keeps them deferred (its first frame).
        """
        with self._lock:
            for account in self._accounts.values():
                account.jobs  # noqa: B018 - the property makes the deferred job documents

    def _account(self, region: str) -> Account:
        account = self._accounts.get(region)
        if account is None:
            account = self._accounts[region] = self._build(region)
        tick(account, self._clock.now_ms())
        return account

    # ---- the API -----------------------------------------------------------------------------------------

    def register_region_port(self, port: int, region: str) -> None:
        """Treat requests to this loopback port as `region` (the HTTP server calls this for extra ports)."""
        if region not in REGIONS:
            raise ValueError(f"unknown region {region!r}")
        with self._lock:
            self._region_ports[port] = region

    def register_eu_port(self, port: int) -> None:
        """Treat requests to this loopback port as EU."""
        self.register_region_port(port, "eu")

    def region_of(self, url_host: str, port: int | None) -> str:
        """ "eu", "au" or "ca" for `api.eu.*`, `api.au.*`, `api.ca.*` hosts and their ports, else "na"."""
        if port is not None and port in self._region_ports:
            return self._region_ports[port]
        for region in REGIONS[1:]:
            if url_host.startswith(f"api.{region}."):
                return region
        return "na"

    def handle(
        self, method: str, url: str, headers: Mapping[str, str], body: bytes, *, region: str | None = None
    ) -> SimResponse:
        """Answer one request (absolute `url`). No latency here: the transports add it.

        `region` overrides the region derived from the URL (used when a transport addresses the simulator by a
        host name that says nothing about the region).
        """
        with self._lock:
            request = Request.parse(method, url, dict(headers), body)
            request.region = region or self.region_of(request.host, request.port)
            fault = self._faults.draw() if self._faults else None
            if fault in PRE_FAULTS:
                response = FaultInjector.before(str(fault))
            else:
                response = self._process(request)
                if fault is not None:
                    response = FaultInjector.after(fault, response)
            status = 0 if response.fault == "reset" else response.status
            self.requests.append((request.method, request.path_and_query, status))
            return response

    def _process(self, request: Request) -> SimResponse:
        try:
            if not request.path.startswith("/v1/"):
                raise not_found(f"Resource {request.path}")
            token = authenticate(request)
            account = self._account(request.region)
            wait = account.bucket.take()
            if wait is not None:
                raise ApiFailure(
                    429,
                    "rate_limited",
                    "Rate limit exceeded: slow down and retry later",
                    headers={"Retry-After": str(wait)},
                )
            ctx = Ctx(
                request,
                account,
                token,
                Scope(token, account),
                self._clock.now_ms(),
                self.mask_secret_422,
                self.error_page_size,
            )
            return dispatch(ctx)
        except ApiFailure as failure:
            return failure.response()

    @property
    def request_lock(self) -> threading.RLock:
        """The lock ``handle`` holds while it answers (re-entrant): the HTTP server takes it first to learn
        how long a request queued behind others (see ``server``)."""
        return self._lock

    def next_delay_s(self) -> float:
        """Latency plus seeded jitter for the next request, in seconds (used by the transports)."""
        with self._latency_lock:  # not the request lock: a call on its way there does not wait for others
            jitter = self._latency_rng.uniform(0.0, self.jitter_ms) if self.jitter_ms > 0 else 0.0
        return max(0.0, self.latency_ms + jitter) / 1000.0

    def fault_timeout_s(self) -> float:
        """How long the HTTP server holds a request that "times out"."""
        return self._faults.config.timeout_s if self._faults else 35.0

    # ---- test helpers ------------------------------------------------------------------------------------

    def set_faults(self, faults: FaultConfig | None) -> None:
        """Replace the fault configuration (its RNG restarts from its seed)."""
        with self._lock:
            self._faults = FaultInjector(faults) if faults else None

    def advance(self, seconds: float) -> None:
        """Move the simulated clock; due job transitions happen now."""
        with self._lock:
            self._clock.advance(seconds)
            for region in list(self._accounts):
                self._account(region)

    def now_iso(self) -> str:
        """The simulated "now"."""
        with self._lock:
            return iso(self._clock.now_ms())

    def doc(self, kind: str, doc_id: str, region: str = "na") -> dict[str, Any]:
        """A copy of a stored document as stored (connection secrets unmasked); kind "jobs" gives a job."""
        with self._lock:
            account = self._account(region)
            if kind == "jobs":
                if doc_id not in account.jobs:
                    raise KeyError(doc_id)
                return account.job_view(doc_id, with_children=True)
            found = account.find(kind, doc_id)
            if found is None:
                raise KeyError(doc_id)
            return copy.deepcopy(found)

    def replace_doc(self, kind: str, doc_id: str, doc: dict[str, Any], region: str = "na") -> None:
        """Replace a document as if another user saved it (keeps `_id`/`createdAt`, bumps `lastModified`)."""
        with self._lock:
            account = self._account(region)
            stored = account.get(kind, doc_id)
            new = {
                k: copy.deepcopy(v)
                for k, v in doc.items()
                if k not in ("_id", "createdAt", "lastModified", "lastModifiedBy")
            }
            account.docs[kind][doc_id] = {
                "_id": doc_id,
                **new,
                "createdAt": stored["createdAt"],
                "lastModified": iso(self._clock.now_ms()),
                "lastModifiedBy": d.OTHER_USER_ID,
            }

    def open_errors(self, flow_id: str, step_id: str, region: str = "na") -> list[dict[str, Any]]:
        """Every open error of a step, newest first."""
        with self._lock:
            return self._account(region).step_errors(flow_id, step_id).all_open()

    def resolved_errors(self, flow_id: str, step_id: str, region: str = "na") -> list[dict[str, Any]]:
        """Every resolved error of a step, most recently resolved first."""
        with self._lock:
            return self._account(region).step_errors(flow_id, step_id).all_resolved()

    def open_error_count(self, flow_id: str, step_id: str, region: str = "na") -> int:
        """Number of open errors of a step (cheap even for 100,000)."""
        with self._lock:
            return self._account(region).open_count(flow_id, step_id)
