"""Benchmark (not a test): a Starter organisation's day (1,000 calls) spent by ``xero/budget.py``'s planner,
beside the naive way (no planner: every piece of work in arrival order).

One run per way, each against a fresh local Xero sandbox holding a Starter organisation (day limit 1,000,
Xero's 60 calls a minute and 5 in flight) and ``HISTORY`` invoices already in Xero. Over the day arrive
``INVOICES`` invoices and ``PAYMENTS`` payments to send (documents, 50 a call), ``EVENTS`` webhook events to
fetch (look-ups, 40 ids a call with Xero's IDs filter), and a full pull of the organisation's invoices
(pulls, ``page``/``pageSize``). Calls go through the real ``XeroClient`` and ``RateLimiter``; the limiter
starts at the standard 5,000 and learns the 1,000 from X-DayLimit-Remaining.

The day is scaled: the sandbox's day window is ``--day`` seconds (default 120) split into ``--ticks``
arrival steps, and the minute window is ``--window`` seconds (default 2, as bench_library), still 60 calls.

    python3 bench/bench_budget.py                     # 20,000 invoices, 2,000 payments, 3,000 events
    python3 bench/bench_budget.py --scale 0.25        # a quarter of every figure (day limit stays 1,000)
"""
from __future__ import annotations

import argparse
import collections
import datetime as dt
import math
import os
import sys
import time

import requests

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from bench import bench_library  # noqa: E402
from bench.bench_library import CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, connect, control  # noqa: E402
from sandbox.server import start  # noqa: E402
from xero import (  # noqa: E402
    RateLimiter,
    XeroClient,
    XeroError,
    budget,
)

BATCH = 50
IDS_PER_CALL = 40
bench_library.SCOPES += " accounting.payments"
STARTER_DAY = 1000


class Day:
    """The work of one scaled day and what has been done of it."""

    def __init__(self, args, contact_id, history_ids):
        n = args.ticks
        self.args = args
        self.contact_id = contact_id
        self.history_ids = history_ids
        self.arrivals = []          # per tick: (invoices, payments, events) arriving
        inv = _spread(args.invoices, n)
        # payments settle invoices that arrived earlier: they start arriving after the first tenth of the day
        pay = [0] * max(1, n // 10) + _spread(args.payments, n - max(1, n // 10))
        ev = _spread(args.events, n)
        self.arrivals = list(zip(inv, pay, ev, strict=True))
        self.inv_next = self.pay_next = self.ev_next = 0
        self.queued = collections.deque()     # naive: (kind, payload) in arrival order
        self.pending = {"invoices": [], "payments": [], "events": []}
        self.sent_invoice_ids = []
        self.done = collections.Counter()
        self.calls = collections.Counter()
        self.pull_offset = 0
        self.pull_sizes = collections.Counter()

    def arrive(self, tick):
        inv, pay, ev = self.arrivals[tick]
        today = dt.date.today().isoformat()
        invoices = [{"Type": "ACCREC", "Contact": {"ContactID": self.contact_id}, "Date": today, "DueDate": today,
                     "Status": "AUTHORISED", "LineAmountTypes": "NoTax", "Reference": f"BUD-{self.inv_next + i:05d}",
                     "LineItems": [{"Description": "Budget bench", "Quantity": 1, "UnitAmount": 10,
                                    "AccountCode": "200"}]} for i in range(inv)]
        self.inv_next += inv
        payments = list(range(self.pay_next, self.pay_next + pay))
        self.pay_next += pay
        events = [self.history_ids[(self.ev_next + i) % len(self.history_ids)] for i in range(ev)]
        self.ev_next += ev
        return invoices, payments, events


def _spread(total, ticks):
    base, extra = divmod(int(total), max(1, ticks))
    return [base + (1 if i < extra else 0) for i in range(max(1, ticks))]


def _payment(invoice_id):
    return {"Invoice": {"InvoiceID": invoice_id}, "Account": {"Code": "090"}, "Amount": 10,
            "Date": dt.date.today().isoformat()}


class Runner:
    """Makes the calls of one way (planner or naive) and counts them by class."""

    def __init__(self, client, limiter, tenant, day):
        self.client, self.limiter, self.tenant, self.day = client, limiter, tenant, day
        self.spent = False

    def call(self, work_class, fn):
        if self.spent:
            return None
        try:
            out = fn()
        except XeroError as exc:
            if getattr(exc, "problem", None) == "day":
                self.spent = True
                return None
            raise
        self.day.calls[work_class] += 1
        return out

    def send_invoices(self, chunk):
        res = self.call(budget.DOCUMENTS, lambda: self.client.batch_write("Invoices", chunk, method="PUT",
                                                                          batch_size=BATCH))
        if res is None:
            return False
        self.day.sent_invoice_ids.extend(r.id for r in res if r.ok)
        self.day.done["invoices"] += sum(1 for r in res if r.ok)
        return True

    def send_payments(self, chunk):
        ids = self.day.sent_invoice_ids
        body = [_payment(ids[j]) for j in chunk]
        res = self.call(budget.DOCUMENTS, lambda: self.client.batch_write("Payments", body, method="PUT",
                                                                          batch_size=BATCH))
        if res is None:
            return False
        self.day.done["payments"] += sum(1 for r in res if r.ok)
        return True

    def fetch_events(self, chunk):
        res = self.call(budget.LOOKUPS, lambda: list(self.client.iter_records("Invoices", ids=chunk, page_size=100)))
        if res is None:
            return False
        self.day.done["events"] += len(chunk)
        return True

    def pull_page(self, page, size):
        res = self.call(budget.PULLS, lambda: self.client.get("Invoices", params={"page": page, "pageSize": size}))
        if res is None:
            return False
        self.day.done["pull pages"] += 1
        self.day.done["pulled records"] += len(res.get("Invoices", []))
        return True


def run_naive(runner, day, tick_seconds, t0):
    """No planner: a full pull queued at the start of the day, then everything in arrival order."""
    pages = math.ceil(day.args.history / budget.DEFAULT_PAGE_SIZE)
    for page in range(1, pages + 1):
        day.queued.append(("pull", page))
    for tick in range(day.args.ticks):
        _wait_tick(t0, tick, tick_seconds)
        invoices, payments, events = day.arrive(tick)
        for i in range(0, len(invoices), BATCH):
            day.queued.append(("invoices", invoices[i:i + BATCH]))
        for i in range(0, len(payments), BATCH):
            day.queued.append(("payments", payments[i:i + BATCH]))
        for i in range(0, len(events), IDS_PER_CALL):
            day.queued.append(("events", events[i:i + IDS_PER_CALL]))
        deadline = t0 + (tick + 1) * tick_seconds
        while day.queued and time.monotonic() < deadline and not runner.spent:
            kind, payload = day.queued[0]
            if kind == "payments" and max(payload) >= len(day.sent_invoice_ids):
                break   # its invoices are not in Xero yet: arrival order waits
            ok = _do(runner, kind, payload, budget.DEFAULT_PAGE_SIZE)
            if ok:
                day.queued.popleft()
    return [(k, len(p)) if isinstance(p, list) else ("pull records", budget.DEFAULT_PAGE_SIZE)
            for k, p in day.queued]


def _do(runner, kind, payload, page_size):
    if kind == "invoices":
        return runner.send_invoices(payload)
    if kind == "payments":
        return runner.send_payments(payload)
    if kind == "events":
        return runner.fetch_events(payload)
    return runner.pull_page(payload, page_size)


def run_planned(runner, day, tick_seconds, t0, day_seconds):
    """The planner decides each step what may spend calls: documents, then look-ups, then the pull."""
    plans = []
    for tick in range(day.args.ticks + 1):
        if tick < day.args.ticks:
            _wait_tick(t0, tick, tick_seconds)
            invoices, payments, events = day.arrive(tick)
            day.pending["invoices"].extend(invoices)
            day.pending["payments"].extend(payments)
            day.pending["events"].extend(events)
        deadline = t0 + (tick + 1) * tick_seconds
        while not runner.spent and time.monotonic() < deadline:
            snap = runner.limiter.snapshot(runner.tenant)
            remaining = snap["day_limit"] - snap["day_count"]
            pend = day.pending
            pull_left = _pull_left(day, budget.MAX_PAGE_SIZE)
            need = {budget.DOCUMENTS: math.ceil(len(pend["invoices"]) / BATCH) + math.ceil(len(pend["payments"]) / BATCH),
                    budget.LOOKUPS: math.ceil(len(pend["events"]) / IDS_PER_CALL),
                    budget.PULLS: pull_left}
            p = budget.plan(snap["day_limit"], remaining, need, seconds_into_day=time.monotonic() - t0,
                            day_seconds=day_seconds)
            plans.append(p)
            if not _step(runner, day, p):
                break
    return plans


def _pull_left(day, size):
    left = day.args.history - day.pull_offset
    return budget.pull_calls(left, size) if left > 0 else 0


def _step(runner, day, p):
    """One call of the highest class the plan allows; False when nothing may or can be done now."""
    pend = day.pending
    if p.may_spend(budget.DOCUMENTS):
        if pend["invoices"]:
            chunk = pend["invoices"][:BATCH]
            if runner.send_invoices(chunk):
                del pend["invoices"][:BATCH]
            return True
        ready = [j for j in pend["payments"] if j < len(day.sent_invoice_ids)][:BATCH]
        if ready:
            if runner.send_payments(ready):
                pend["payments"] = [j for j in pend["payments"] if j not in set(ready)]
            return True
    if p.may_spend(budget.LOOKUPS) and pend["events"]:
        chunk = pend["events"][:IDS_PER_CALL]
        if runner.fetch_events(chunk):
            del pend["events"][:IDS_PER_CALL]
        return True
    if p.may_spend(budget.PULLS) and _pull_left(day, budget.MAX_PAGE_SIZE):
        # the form the plan gives, from the first page boundary where it fits
        size = p.pull_form.page_size
        if day.pull_offset % size:
            size = budget.DEFAULT_PAGE_SIZE
        if runner.pull_page(day.pull_offset // size + 1, size):
            day.pull_offset += size
            day.pull_sizes[size] += 1
        return True
    return False


def _wait_tick(t0, tick, tick_seconds):
    delay = t0 + tick * tick_seconds - time.monotonic()
    if delay > 0:
        time.sleep(delay)


def one_day(args, label):
    """A fresh sandbox (a fresh Starter day); returns the Day, plans and what was left."""
    handle = start(port=0, client_id=CLIENT_ID, client_secret=CLIENT_SECRET, redirect_uris=[REDIRECT_URI],
                   auto_approve=True, seed="demo", limits=True, minute_window=args.window,
                   day_limit=STARTER_DAY, day_window=args.day)
    try:
        http = requests.Session()
        endpoints, tokens, tenant = connect(handle.url)
        made = control(http, handle.url, "POST", f"orgs/{tenant}/Contacts", {"Contacts": [{"Name": "Budget Customer"}]})
        contact_id = made["Contacts"][0]["ContactID"]
        today = dt.date.today().isoformat()
        history = [{"Type": "ACCREC", "Contact": {"ContactID": contact_id}, "Date": today, "DueDate": today,
                    "Status": "AUTHORISED", "LineAmountTypes": "NoTax", "Reference": f"HIST-{i:05d}",
                    "LineItems": [{"Description": "History", "Quantity": 1, "UnitAmount": 5, "AccountCode": "200"}]}
                   for i in range(args.history)]
        ids = []
        for i in range(0, len(history), 2000):
            ids += [r["InvoiceID"] for r in control(http, handle.url, "POST", f"orgs/{tenant}/Invoices",
                                                     {"Invoices": history[i:i + 2000]})["Invoices"]]
        limiter = RateLimiter(window=args.window, per_day=5000, day_window=args.day, max_wait=args.day)
        client = XeroClient(endpoints, tenant, tokens.access_token, rate_limiter=limiter)
        day = Day(args, contact_id, ids)
        runner = Runner(client, limiter, tenant, day)
        tick_seconds = args.day / (args.ticks + 1)
        before = control(http, handle.url, "GET", f"orgs/{tenant}")["counts"]
        t0 = time.monotonic()
        control(http, handle.url, "DELETE", "log")
        if label == "naive":
            left = run_naive(runner, day, tick_seconds, t0)
            plans = []
        else:
            plans = run_planned(runner, day, tick_seconds, t0, args.day)
            left = [(k, len(v)) for k, v in day.pending.items() if v]
            if _pull_left(day, budget.MAX_PAGE_SIZE):
                left.append(("pull records", day.args.history - day.pull_offset))
        log = control(http, handle.url, "GET", f"log?tenant={tenant}")
        snap = limiter.snapshot(tenant)
        wall = time.monotonic() - t0
        after = control(http, handle.url, "GET", f"orgs/{tenant}")["counts"]
        day.held = {c: after.get(c, 0) - before.get(c, 0) for c in ("Invoices", "Payments")}
        return day, plans, left, log, snap, wall
    finally:
        handle.stop()


def report(label, args, out):
    day, plans, left, log, snap, wall = out
    sandbox_calls = sum(1 for e in log if e.get("status") != 429)
    refused = collections.Counter(e.get("rate_limit_problem") for e in log if e.get("status") == 429)
    print(f"== {label} ==")
    print("  calls by class             " + ", ".join(f"{k} {day.calls[k]}" for k in budget.CLASSES)
          + f"  (total {sum(day.calls.values())}; sandbox answered {sandbox_calls}, 429s {dict(refused)})")
    print(f"  day limit learnt           {snap['day_limit']} (limiter started at 5,000)")
    print(f"  invoices in Xero           {day.done['invoices']} of {args.invoices}")
    print(f"  payments in Xero           {day.done['payments']} of {args.payments}")
    print(f"  webhook events fetched     {day.done['events']} of {args.events}")
    print(f"  full pull                  {day.done['pull pages']} pages, {day.done['pulled records']} of"
          f" {args.history} records" + (f", pages by pageSize {dict(day.pull_sizes)}" if day.pull_sizes else ""))
    print(f"  sandbox holds (new today)  {day.held['Invoices']} invoices, {day.held['Payments']} payments")
    print(f"  calls <= {STARTER_DAY}               {sum(day.calls.values()) <= STARTER_DAY}")
    print(f"  deferred to the next day   {_left_text(left)}")
    if plans:
        print(f"  planner: reserve kept for documents at the end {plans[-1].reserve}, nearly spent"
              f" {plans[-1].nearly_spent}, pull form {plans[-1].pull_form}")
    print(f"  wall time                  {wall:.1f} s (scaled day {args.day:g} s)", flush=True)
    return day.held["Invoices"] == args.invoices and day.held["Payments"] == args.payments


def _left_text(left):
    agg = collections.Counter()
    for kind, n in left:
        agg[kind] += n
    return ", ".join(f"{k} {n}" for k, n in sorted(agg.items())) or "nothing"


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    p.add_argument("--scale", type=float, default=1.0, help="multiply every count (default 1.0)")
    p.add_argument("--day", type=float, default=120.0, help="seconds in the scaled day (default 120)")
    p.add_argument("--ticks", type=int, default=48, help="arrival steps in the day (default 48)")
    p.add_argument("--window", type=float, default=2.0, help="scaled minute window in seconds (Xero: 60)")
    args = p.parse_args(argv)
    args.invoices = int(20000 * args.scale)
    args.payments = int(2000 * args.scale)
    args.events = int(3000 * args.scale)
    args.history = int(50000 * args.scale)
    print(f"Starter organisation: {STARTER_DAY} calls a day; scaled day {args.day:g} s in {args.ticks} steps;"
          f" minute window {args.window:g} s (60 calls). Work: {args.invoices} invoices, {args.payments} payments,"
          f" {args.events} webhook events, a full pull of {args.history} invoices already in Xero"
          + (f" (scale {args.scale:g})" if args.scale != 1 else ""), flush=True)
    good = report("planner (xero/budget.py)", args, one_day(args, "planned"))
    report("naive (arrival order, no planner)", args, one_day(args, "naive"))
    print(f"planner: every document and payment in Xero: {good}")
    return 0 if good else 1


if __name__ == "__main__":
    sys.exit(main())
