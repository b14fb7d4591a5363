"""Benchmark (not a test): N invoices through the ORM-free ``xero`` library into the local Xero sandbox.

Two runs against one sandbox that enforces Xero's per-organisation limits (60 calls per window,
5 calls in flight, 5,000 calls per day):

1. batched: ``XeroClient.batch_write`` with 50 invoices per call (Xero's recommended maximum);
2. per record: the same invoices, one call per invoice (what many connectors do).

Both runs share one ``RateLimiter`` whose window matches the sandbox's. Because a real 60-second
window would make the per-record run last at least ~17 minutes for 1,000 invoices, the window length is an
option (``--window``, default 2 s, still 60 calls per window); the output says how the figures map
to the real 60-second window.

    python3 bench/bench_library.py                 # 1,000 invoices, 2 s window
    python3 bench/bench_library.py --quick         # 100 invoices
    python3 bench/bench_library.py --window 60     # Xero's real window (17+ min for 1,000)
"""
from __future__ import annotations

import argparse
import collections
import datetime as dt
import math
import os
import sys
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor

import requests

# The repository root is an Odoo addon whose __init__ imports Odoo: import the library and the
# sandbox as top-level packages from the root (as tests/lib/conftest.py does).
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from sandbox.server import start  # noqa: E402
from xero import Endpoints, OAuth, RateLimiter, XeroClient, XeroError  # noqa: E402

CLIENT_ID = "bench-client-id"
CLIENT_SECRET = "bench-client-secret"
REDIRECT_URI = "http://127.0.0.1:8069/xero/oauth/callback"
SCOPES = "offline_access accounting.settings accounting.contacts accounting.invoices"
ORG_NAME = "Demo Company (Global)"
MAX_BATCH = 50
REAL_WINDOW = 60.0


class SleepMeter:
    """``time.sleep`` that also adds up how long the RateLimiter made callers wait (all threads)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.seconds = 0.0
        self.count = 0

    def __call__(self, seconds):
        with self.lock:
            self.seconds += seconds
            self.count += 1
        time.sleep(seconds)

    def take(self):
        with self.lock:
            out = (self.count, self.seconds)
            self.count, self.seconds = 0, 0.0
            return out


class CountingLimiter(RateLimiter):
    """RateLimiter that also counts the calls it let start in each of its windows (``win_start``
    is one of the state keys documented in xero/ratelimit.py)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.lock = threading.Lock()
        self.per_window_calls = collections.Counter()

    def acquire(self, tenant_id):
        slot = super().acquire(tenant_id)
        window_start = self.store.get(tenant_id).get("win_start")
        with self.lock:
            self.per_window_calls[window_start] += 1
        return slot

    def take(self):
        with self.lock:
            out = [n for _start, n in sorted(self.per_window_calls.items())]
            self.per_window_calls.clear()
            return out


def control(http, base, method, path, body=None):
    """Call the sandbox's control API (not counted by its rate limiter)."""
    resp = http.request(method, f"{base}/_sandbox/{path}", json=body, timeout=120)
    resp.raise_for_status()
    return resp.json()


def connect(base):
    """OAuth authorization-code flow through ``xero.OAuth``: returns (token set, tenant id)."""
    endpoints = Endpoints(base, base, base)
    oauth = OAuth(endpoints, CLIENT_ID, CLIENT_SECRET)
    state = "bench-state"
    url = oauth.authorize_url(REDIRECT_URI, state, scopes=SCOPES)
    resp = requests.get(url, allow_redirects=False, timeout=30)
    if resp.status_code != 302:
        raise SystemExit(f"authorize answered {resp.status_code}, expected a 302 redirect: {resp.text[:300]}")
    location = resp.headers["Location"]
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlparse(location).query))
    if query.get("state") != state or "code" not in query:
        raise SystemExit(f"unexpected redirect: {location}")
    tokens = oauth.exchange_code(query["code"], REDIRECT_URI)
    tenants = oauth.connections(tokens.access_token, tokens.auth_event_id)
    chosen = [t for t in tenants if t.get("tenantName") == ORG_NAME]
    if len(chosen) != 1:
        raise SystemExit(f"expected one connection to {ORG_NAME!r}, got {[t.get('tenantName') for t in tenants]}")
    return endpoints, tokens, chosen[0]["tenantId"]


def build_invoices(prefix, contact_ids, tax_type, count):
    today = dt.date.today()
    return [{
        "Type": "ACCREC",
        "Contact": {"ContactID": contact_ids[i % len(contact_ids)]},
        "Date": today.isoformat(),
        "DueDate": (today + dt.timedelta(days=30)).isoformat(),
        "Status": "AUTHORISED",
        "LineAmountTypes": "Exclusive",
        "Reference": f"{prefix}-{i:05d}",
        "LineItems": [{
            "Description": f"Benchmark item {i}",
            "Quantity": 1 + i % 3,
            "UnitAmount": 10 + i % 50,
            "AccountCode": "200",
            "TaxType": tax_type,
        }],
    } for i in range(count)]


def send(endpoints, tenant, access_token, limiter, invoices, batch_size, workers, label):
    """Send ``invoices`` in calls of ``batch_size`` from ``workers`` threads (one XeroClient per
    thread, one shared RateLimiter). Returns (wall seconds, element results, exceptions)."""
    local = threading.local()

    def client():
        if not hasattr(local, "client"):
            local.client = XeroClient(endpoints, tenant, access_token, rate_limiter=limiter)
        return local.client

    def task(start):
        chunk = invoices[start:start + batch_size]
        try:
            return client().batch_write("Invoices", chunk, method="PUT", batch_size=batch_size,
                                        idempotency_key=f"bench-{label}-{start}"), None
        except XeroError as exc:
            return [], f"{type(exc).__name__}: {exc}"

    starts = range(0, len(invoices), batch_size)
    t0 = time.monotonic()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        outcomes = list(pool.map(task, starts))
    wall = time.monotonic() - t0
    results = [r for rs, _ in outcomes for r in rs]
    errors = [e for _, e in outcomes if e]
    return wall, results, errors


def analyse(log):
    """Calls by type, elements per successful write call, 429s, from the sandbox's call log."""
    by_type = collections.Counter()
    elements = []
    throttled = collections.Counter()
    for e in log:
        path = e["path"].split("/api.xro/2.0/", 1)[-1]
        kind = f"{e['method']} {path} -> {e['status']}"
        if e.get("rate_limit_problem"):
            kind += f" ({e['rate_limit_problem']})"
            throttled[e["rate_limit_problem"]] += 1
        if e.get("idempotent_replay"):
            kind += " (idempotent replay)"
        by_type[kind] += 1
        if e["method"] in ("PUT", "POST") and e["status"] == 200 and e.get("elements") is not None:
            elements.append(e["elements"])
    return by_type, elements, throttled


def report(name, count, wall, results, errors, log, waits, windows, args):
    by_type, elements, throttled = analyse(log)
    ok = sum(1 for r in results if r.ok)
    calls = sum(by_type.values())
    window = args.window
    ceiling = args.per_window * MAX_BATCH
    per_window_rate = count / wall * window
    windows_waited = max(0, len(windows) - 1)
    projected = wall + windows_waited * (REAL_WINDOW - window)
    lines = [f"== {name} =="]
    lines.append(f"  invoices created           {ok} of {count}" + (f"  ({len(errors)} calls raised)" if errors else ""))
    lines.append(f"  API calls (sandbox log)    {calls}")
    for kind, n in sorted(by_type.items()):
        lines.append(f"    {kind:<40} {n}")
    if elements:
        lines.append(f"  elements per write call    min {min(elements)} / avg {sum(elements) / len(elements):.1f}"
                     f" / max {max(elements)}")
    lines.append(f"  rate-limit 429s            {sum(throttled.values())}"
                 + (f"  {dict(throttled)}" if throttled else ""))
    lines.append(f"  RateLimiter waits          {waits[0]} sleeps, {waits[1]:.1f} s summed over {args.workers} workers")
    lines.append(f"  wall time                  {wall:.2f} s")
    lines.append(f"  RateLimiter windows used   {len(windows)} of {window:g} s; calls started per window: min"
                 f" {min(windows, default=0)} / avg {sum(windows) / max(1, len(windows)):.1f} / max"
                 f" {max(windows, default=0)}")
    unit = "min" if window == REAL_WINDOW else f"{window:g} s window (scaled minute)"
    whole = count / max(1, len(windows))
    lines.append(f"  invoices per {unit}: {per_window_rate:,.0f} = {100 * per_window_rate / ceiling:.1f}% of the"
                 f" ceiling {args.per_window} calls x {MAX_BATCH} = {ceiling:,}  [count / wall time x {window:g} s]")
    lines.append(f"  invoices per window used   {whole:,.0f} = {100 * whole / ceiling:.1f}% of {ceiling:,}"
                 f"  [count / {len(windows)} windows, a started window counted whole]")
    if window != REAL_WINDOW:
        lines.append(f"  at Xero's real 60 s window ~{projected:.1f} s wall ({projected / 60:.1f} min),"
                     f" ~{count / projected * 60:,.0f} invoices/min  [arithmetic: measured wall +"
                     f" {windows_waited} window waits x (60 - {window:g}) s]")
    if len(windows) <= 1:
        lines.append(f"  note: all {calls} calls fit in one window's budget of {args.per_window}: never throttled, so"
                     " the per-wall-time rate is a burst, not a sustained rate")
    if elements:
        sustained = args.per_window * sum(elements) / len(elements)
        lines.append(f"  sustained ceiling of this call pattern: {args.per_window} calls x"
                     f" {sum(elements) / len(elements):.1f} = {sustained:,.0f} invoices per window"
                     f" ({100 * sustained / ceiling:.0f}% of {ceiling:,})")
    for e in errors[:5]:
        lines.append(f"  error: {e}")
    bad = [r for r in results if not r.ok][:5]
    for r in bad:
        lines.append(f"  element {r.index} refused: {r.errors}")
    print("\n".join(lines), flush=True)
    return {"calls": calls, "wall": wall, "projected": projected, "ok": ok, "throttled": sum(throttled.values())}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--count", type=int, default=1000, help="invoices per run (default 1000)")
    p.add_argument("--quick", action="store_true", help="100 invoices (overrides --count)")
    p.add_argument("--window", type=float, default=2.0,
                   help="length in seconds of the rate-limit window (Xero: 60; default 2, scaled)")
    p.add_argument("--per-window", type=int, default=60, help="calls per window (Xero: 60)")
    p.add_argument("--concurrency", type=int, default=5, help="calls in flight (Xero: 5)")
    p.add_argument("--day-limit", type=int, default=5000, help="calls per day (Xero: 5000)")
    p.add_argument("--workers", type=int, default=5, help="sending threads in both runs (default 5)")
    p.add_argument("--batched-only", action="store_true",
                   help="skip the per-record run (e.g. --count 6000 to see a sustained batched rate)")
    args = p.parse_args(argv)
    count = 100 if args.quick else args.count
    if count < 1:
        p.error("--count must be at least 1")
    batch_calls = math.ceil(count / MAX_BATCH)
    if batch_calls + (0 if args.batched_only else count) > args.day_limit:
        print(f"warning: {batch_calls} + {count} calls exceed the day limit of {args.day_limit}: the per-record run"
              " will be stopped by it", flush=True)

    started = time.monotonic()
    handle = start(port=0, client_id=CLIENT_ID, client_secret=CLIENT_SECRET, redirect_uris=[REDIRECT_URI],
                   auto_approve=True, seed="demo", limits=True, minute_limit=args.per_window,
                   minute_window=args.window, concurrency=args.concurrency, day_limit=args.day_limit)
    try:
        base = handle.url
        http = requests.Session()
        endpoints, tokens, tenant = connect(base)

        contacts = [{"Name": f"Bench Customer {i:05d}", "ContactNumber": f"BENCH-{i:05d}"} for i in range(count)]
        made = control(http, base, "POST", f"orgs/{tenant}/Contacts", {"Contacts": contacts})
        if made.get("errors"):
            raise SystemExit(f"contact seeding failed: {made['Contacts'][:2]}")
        contact_ids = [c["ContactID"] for c in made["Contacts"]]
        rates = control(http, base, "GET", f"orgs/{tenant}/TaxRates")["TaxRates"]
        revenue = [r["TaxType"] for r in rates if r.get("Status") == "ACTIVE" and r.get("CanApplyToRevenue")]
        tax_type = "OUTPUT" if "OUTPUT" in revenue else revenue[0]
        before = control(http, base, "GET", f"orgs/{tenant}")["counts"]["Invoices"]

        scaled = args.window != REAL_WINDOW
        print(f"Xero sandbox {base}, organisation {ORG_NAME!r} ({tenant}), OAuth scopes: {tokens.scope}")
        print(f"Limits on: {args.per_window} calls per {args.window:g} s window, {args.concurrency} in flight,"
              f" {args.day_limit:,} per day; {args.workers} sending threads; one shared RateLimiter with the same"
              " window")
        if scaled:
            print(f"WINDOW SCALED: Xero's window is 60 s, this run uses {args.window:g} s with the same {args.per_window}"
                  f"-call budget. Invoice rates are per {args.window:g} s window (the scaled minute) against the scaled"
                  f" ceiling {args.per_window} calls x {MAX_BATCH} = {args.per_window * MAX_BATCH:,} per window, which is"
                  f" {args.per_window * MAX_BATCH:,} invoices/min at Xero's real window; wall times at the real window"
                  " are projected by arithmetic, not measured.")
        print(f"{count} contacts seeded through the control API (not counted); invoices: ACCREC AUTHORISED, 1 line,"
              f" AccountCode 200, TaxType {tax_type}, PUT /Invoices?summarizeErrors=false\n", flush=True)

        limiter = CountingLimiter(per_window=args.per_window, window=args.window, concurrency=args.concurrency,
                                  per_day=args.day_limit, sleep=SleepMeter())
        runs = {}
        expected_total = before
        plan = [("BATCH", f"batched: batch_write, {MAX_BATCH} invoices per call", MAX_BATCH),
                ("SINGLE", "per record: one call per invoice", 1)]
        for label, name, size in plan[:1] if args.batched_only else plan:
            time.sleep(args.window + 0.2)   # start each run in a fresh window (sandbox and limiter)
            control(http, base, "DELETE", "log")
            limiter.sleep.take()
            limiter.take()
            invoices = build_invoices(f"BENCH-{label}", contact_ids, tax_type, count)
            wall, results, errors = send(endpoints, tenant, tokens.access_token, limiter, invoices, size,
                                         args.workers, label)
            log = control(http, base, "GET", f"log?tenant={tenant}")
            runs[label] = report(name, count, wall, results, errors, log, limiter.sleep.take(),
                                 limiter.take(), args)
            # verify what the sandbox holds for this run
            held = [r for r in control(http, base, "GET", f"orgs/{tenant}/Invoices")["Invoices"]
                    if str(r.get("Reference", "")).startswith(f"BENCH-{label}-")]
            refs = {r["Reference"] for r in held}
            ids_sent = {r.id for r in results if r.ok}
            ids_held = {r["InvoiceID"] for r in held}
            authorised = sum(1 for r in held if r.get("Status") == "AUTHORISED")
            expected_total += count
            total = control(http, base, "GET", f"orgs/{tenant}")["counts"]["Invoices"]
            good = len(held) == count == len(refs) == authorised and ids_sent == ids_held and total == expected_total
            print(f"  sandbox check              {len(held)} invoices with Reference BENCH-{label}-*, {len(refs)}"
                  f" distinct, {authorised} AUTHORISED, ids match the results: {ids_sent == ids_held};"
                  f" organisation total {total} (expected {expected_total}) -> {'OK' if good else 'MISMATCH'}\n",
                  flush=True)
            runs[label]["good"] = good

        if args.batched_only:
            print(f"total script time {time.monotonic() - started:.1f} s")
            return 0 if runs["BATCH"]["good"] else 1
        b, s = runs["BATCH"], runs["SINGLE"]
        print("== per record vs batched ==")
        print(f"  API calls                  {s['calls']} / {b['calls']} = {s['calls'] / b['calls']:.1f}x")
        print(f"  wall time ({args.window:g} s window)     {s['wall']:.2f} s / {b['wall']:.2f} s ="
              f" {s['wall'] / b['wall']:.1f}x")
        if scaled:
            print(f"  wall time (real 60 s, projected) {s['projected']:.0f} s / {b['projected']:.1f} s ="
                  f" {s['projected'] / b['projected']:.0f}x")
        print(f"  rate-limit 429s            {b['throttled']} batched, {s['throttled']} per record")
        day = args.day_limit
        print(f"  day limit {day:,} calls       per record: at most {day:,} invoices/day;"
              f" batched: up to {day * MAX_BATCH:,} invoices/day (arithmetic)")
        print(f"total script time {time.monotonic() - started:.1f} s")
        return 0 if b["good"] and s["good"] else 1
    finally:
        handle.stop()


if __name__ == "__main__":
    sys.exit(main())
