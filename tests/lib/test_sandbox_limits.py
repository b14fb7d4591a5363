"""Xero's rate limits per tenant, with short windows: minute, day, concurrency, headers."""
import threading

import requests
from sandbox_fixtures import SandboxClient


def _client(sandbox_factory, **limits):
    cfg = {"minute_limit": 60, "day_limit": 5000, "concurrency": 5, "app_minute_limit": 10000}
    cfg.update(limits)
    return SandboxClient(sandbox_factory(**cfg)).connect()


def test_headers_on_every_response_and_minute_limit(sandbox_factory):
    c = _client(sandbox_factory, minute_limit=5, minute_window=3)
    r = c.get("Organisation")
    assert r.headers["X-MinLimit-Remaining"] == "4"
    assert r.headers["X-DayLimit-Remaining"] == "4999" and r.headers["X-AppMinLimit-Remaining"] == "9999"
    for _ in range(4):
        assert c.get("Contacts").status_code == 200
    r = c.get("Contacts")
    assert r.status_code == 429
    assert r.headers["X-Rate-Limit-Problem"] == "minute"
    assert 1 <= int(r.headers["Retry-After"]) <= 3
    assert r.headers["X-MinLimit-Remaining"] == "0"
    # refused calls do not count; the other tenant has its own window
    other = [t for t in c.h.app.state.orgs if t != c.tenant][0]
    assert c.get("Organisation", tenant=other).status_code == 200
    c.control("POST", "clock", {"advance": 3})
    r = c.get("Contacts")
    assert r.status_code == 200 and r.headers["X-MinLimit-Remaining"] == "4"
    log = c.control("GET", "log").json()
    assert [e["rate_limit_problem"] for e in log].count("minute") == 1


def test_day_limit_and_starter_tier(sandbox_factory):
    c = _client(sandbox_factory, day_limit=4, day_window=100, starter_day_limit=2)
    for _ in range(4):
        assert c.get("Organisation").status_code == 200
    r = c.get("Organisation")
    assert r.status_code == 429 and r.headers["X-Rate-Limit-Problem"] == "day"
    assert 90 <= int(r.headers["Retry-After"]) <= 100
    c.control("POST", "clock", {"advance": 100})
    assert c.get("Organisation").status_code == 200
    org = c.control("POST", "orgs", {"name": "Tiny", "tier": "starter"}).json()
    c2 = SandboxClient(c.h).connect(tenants=[org["tenant_id"]])
    assert c2.get("Organisation").headers["X-DayLimit-Remaining"] == "1"
    c2.get("Organisation")
    assert c2.get("Organisation").headers["X-Rate-Limit-Problem"] == "day"


def test_concurrency_limit_has_no_retry_after(sandbox_factory):
    c = _client(sandbox_factory, concurrency=2)
    c.control("POST", "faults", {"kind": "latency", "seconds": 0.6, "count": 2, "tenant": c.tenant})
    results = []

    def slow():
        results.append(requests.get(c.url + "/api.xro/2.0/Organisation", headers=c.headers(), timeout=5).status_code)

    threads = [threading.Thread(target=slow) for _ in range(2)]
    for t in threads:
        t.start()
    for _ in range(50):  # wait until both are in flight
        if c.control("GET", "limits").json().get(c.tenant, {}).get("in_flight") == 2:
            break
        threading.Event().wait(0.02)
    r = c.get("Contacts")
    for t in threads:
        t.join()
    assert results == [200, 200]
    assert r.status_code == 429 and r.headers["X-Rate-Limit-Problem"] == "concurrent"
    assert "Retry-After" not in r.headers
    assert c.get("Contacts").status_code == 200


def test_app_minute_limit_and_limits_off(sandbox_factory):
    c = _client(sandbox_factory, app_minute_limit=3)
    other = [t for t in c.h.app.state.orgs if t != c.tenant][0]
    c.get("Organisation")
    c.get("Organisation", tenant=other)
    c.get("Organisation")
    r = c.get("Organisation", tenant=other)
    assert r.status_code == 429 and r.headers["X-Rate-Limit-Problem"] == "appminute"
    c.control("POST", "config", {"limits": False})
    assert all(c.get("Organisation").status_code == 200 for _ in range(5))
