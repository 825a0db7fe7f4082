"""Per-account leaky bucket: 429 with Retry-After and `rate_limited`."""

from __future__ import annotations

from explorer.simulator import Simulator
from tests.helpers.sim_calls import EU, call, codes


def test_small_bucket_throttles_and_refills() -> None:
    clock = [0.0]
    sim = Simulator(time_scale=0, rate_bucket=3, rate_refill_per_s=0.25, monotonic=lambda: clock[0])
    assert [call(sim, "GET", "/v1/tokenInfo").status for _ in range(3)] == [200, 200, 200]
    r = call(sim, "GET", "/v1/tokenInfo")
    assert (r.status, codes(r), r.headers["Retry-After"]) == (429, ["rate_limited"], "4")
    clock[0] += 4.0
    assert call(sim, "GET", "/v1/tokenInfo").status == 200
    assert call(sim, "GET", "/v1/tokenInfo").status == 429


def test_buckets_are_per_account_and_skip_bad_tokens() -> None:
    sim = Simulator(time_scale=0, rate_bucket=2, rate_refill_per_s=0.001, monotonic=lambda: 0.0)
    for _ in range(5):
        assert call(sim, "GET", "/v1/tokenInfo", token="revoked").status == 401
    assert call(sim, "GET", "/v1/tokenInfo", token="full").status == 200
    assert call(sim, "GET", "/v1/tokenInfo", token="scoped").status == 200  # same account as "full"
    assert call(sim, "GET", "/v1/tokenInfo", token="noconn").status == 429
    assert call(sim, "GET", "/v1/tokenInfo", token="eu", base=EU).status == 200
    r = call(sim, "GET", "/v1/tokenInfo")
    assert int(r.headers["Retry-After"]) >= 1
