# Run by bench/bench_pull inside `odoo-bin shell` (which provides `env`). Not a test: it prints figures.
#
# 1. Pull of N Xero contacts (about half of them customers: an AUTHORISED sales invoice each) through
#    the connector's Contacts pull (what the pull cron runs for it), from the in-process sandbox with
#    Xero's limits on: Xero calls by path with their pageSize, contacts pulled, partners created, wall
#    time, SQL queries total and per contact, peak memory. Then an incremental run with nothing changed,
#    and one after 10 contacts were edited in Xero.
# 2. Webhook answer time: a real `odoo-bin` server on a free port against this database, D correctly
#    signed deliveries (1-5 CONTACT/INVOICE events each, some redelivered) from 4 threads; p50/p90/p99/max
#    against Xero's 5 s limit, and the xero.event rows stored against the distinct events sent.
# ruff: noqa: F821  (env is provided by odoo-bin shell)
import base64
import hashlib
import hmac
import json
import os
import random
import resource
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import requests

from odoo import sql_db

from odoo.addons.xero_connector.models.xero_sync_cursor import CONTACTS_PULL

sys.path.insert(0, os.environ["XERO_BENCH_SCRIPTS"])
from bench_odoo import start_odoo, stop_odoo, wait_for_odoo
from sandbox_connect import start_bench_sandbox

COUNT = int(os.environ.get("XERO_BENCH_COUNT", "10000"))
DELIVERIES = int(os.environ.get("XERO_BENCH_DELIVERIES", "200"))
CHUNK = 2000
LIMIT = 60  # Xero: calls per minute and organisation
WINDOW = 60.0  # Xero's real window: a pull makes few calls


def say(text=""):
    print(text, flush=True)


def maxrss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


sandbox, connection = start_bench_sandbox(env, LIMIT, WINDOW, 5000)
url = sandbox.url
company = env.company
tenant = connection.tenant_id
env.cr.commit()
org_url = f"{url}/_sandbox/orgs/{tenant}"


def api_calls():
    return [e for e in requests.get(f"{url}/_sandbox/log", timeout=60).json()
            if e["path"].startswith("/api.xro/2.0/")]


def describe_calls(calls):
    by_kind = {}
    for call in calls:
        query = "&".join(p for p in call.get("query", "").split("&") if p.startswith(("pageSize", "page=")))
        key = f"{call['method']} {call['path'].removeprefix('/api.xro/2.0')}{'?' + query if query else ''} -> {call['status']}"
        by_kind[key] = by_kind.get(key, 0) + 1
    for key, value in sorted(by_kind.items()):
        say(f"    {value:5d} × {key}")


def partners_linked():
    return env["res.partner"].with_context(active_test=False).search_count([("xero_contact_id", "!=", False)])


def pull(label):
    requests.delete(f"{url}/_sandbox/log", timeout=10)
    env.invalidate_all()
    linked = partners_linked()
    queries = sql_db.sql_counter
    started = time.time()
    count = env["xero.sync.cursor"]._xero_pull(connection, "Contacts", "res.partner", "_xero_apply_contacts",
                                              **CONTACTS_PULL)
    env.cr.commit()
    elapsed = time.time() - started
    queries = sql_db.sql_counter - queries
    calls = api_calls()
    created = partners_linked() - linked
    say(f"  {label}: {len(calls)} Xero call(s), {count} contact record(s) read and applied, {created} partner(s) linked "
        f"to Xero added, {elapsed:.2f} s wall, {queries} SQL queries"
        + (f" ({queries / count:.2f} per contact)" if count else ""))
    describe_calls(calls)
    return count, elapsed, queries


# ---------------------------------------------------------------------------------------------------
# 1. Pull of COUNT contacts
# ---------------------------------------------------------------------------------------------------
say(f"xero_connector pull benchmark: {COUNT} Xero contacts, Xero limits on ({LIMIT} calls per {WINDOW:g} s, "
    "5 concurrent, 5,000 a day)")
started = time.time()
contact_ids = []
for start in range(0, COUNT, CHUNK):
    # Chunks a minute apart in the sandbox's clock: an organisation's contacts do not all change in one second.
    requests.post(f"{url}/_sandbox/clock", json={"advance": 60}, timeout=10).raise_for_status()
    answer = requests.post(f"{org_url}/Contacts", json={"Contacts": [
        {"Name": f"Bench Pull Contact {i:05d}", "EmailAddress": f"pull{i:05d}@bench.example",
         "ContactNumber": f"BENCH-PULL-{i:05d}"}
        for i in range(start, min(start + CHUNK, COUNT))]}, timeout=600)
    answer.raise_for_status()
    assert not answer.json()["errors"], answer.json()["Contacts"][:1]
    contact_ids += [c["ContactID"] for c in answer.json()["Contacts"]]
customers = contact_ids[::2]
today = datetime.now(UTC).date()
for start in range(0, len(customers), CHUNK):
    answer = requests.post(f"{org_url}/Invoices", json={"Invoices": [
        {"Type": "ACCREC", "Status": "AUTHORISED", "Contact": {"ContactID": cid},
         "Date": today.isoformat(), "DueDate": (today + timedelta(days=30)).isoformat(),
         "LineItems": [{"Description": "Bench beans", "Quantity": 1, "UnitAmount": 10, "AccountCode": "200"}]}
        for cid in customers[start:start + CHUNK]]}, timeout=600)
    answer.raise_for_status()
    assert not answer.json()["errors"], answer.json()["Invoices"][:1]
org_contacts = requests.get(f"{org_url}/Contacts", timeout=120).json()["Contacts"]
say(f"  seeded through the control API (not timed): {COUNT} contacts (chunks of {CHUNK}, a minute apart) + 1 newer, {len(customers)} AUTHORISED sales invoices "
    f"(IsCustomer); organisation now has {len(org_contacts)} contacts, "
    f"{sum(1 for c in org_contacts if c.get('IsCustomer'))} customers, in {time.time() - started:.1f} s")

# One more contact a minute later, the newest: an incremental run re-reads what changed in the last second
# before the newest change it saw (the connector's 1 s overlap), which here is this one contact, not a chunk.
requests.post(f"{url}/_sandbox/clock", json={"advance": 60}, timeout=10).raise_for_status()
requests.post(f"{org_url}/Contacts", json={"Contacts": [{"Name": "Bench Pull Newest Supplier"}]},
              timeout=60).raise_for_status()
say("\nFull pull (first run):")
rss_before = maxrss_mb()
full_count, full_elapsed, full_queries = pull("first run")
say(f"    peak memory (ru_maxrss of this Odoo process): {maxrss_mb():.0f} MB (was {rss_before:.0f} MB before the pull)")
customers_in_odoo = env["res.partner"].search_count([("xero_contact_id", "in", customers)])
suppliers_in_odoo = env["res.partner"].search_count([("xero_contact_id", "in", contact_ids[1::2])])
say(f"    bench contacts in Odoo: {customers_in_odoo} of {len(customers)} customers, {suppliers_in_odoo} of "
    f"{len(contact_ids) - len(customers)} non-customers (not imported by design)")

say("\nIncremental run, nothing changed in Xero:")
pull("second run")

requests.post(f"{url}/_sandbox/clock", json={"advance": 60}, timeout=10).raise_for_status()
edited = random.Random(9).sample(customers, 10)
requests.post(f"{org_url}/Contacts", json={"Contacts": [
    {"ContactID": cid, "Name": f"Bench Pull Edited {n:02d}"} for n, cid in enumerate(edited)]},
    timeout=60).raise_for_status()
say("\nIncremental run after 10 customers were renamed in Xero:")
pull("third run")
renamed = env["res.partner"].search_count([("xero_contact_id", "in", edited), ("name", "=like", "Bench Pull Edited %")])
say(f"    renamed in Odoo: {renamed} of 10")
sandbox.stop()

# ---------------------------------------------------------------------------------------------------
# 2. Webhook answer time on a real odoo-bin server
# ---------------------------------------------------------------------------------------------------
key = base64.b64encode(os.urandom(48)).decode()
env["ir.config_parameter"].sudo().set_param("xero_connector.webhook_key", key)
env.cr.commit()
server, base = start_odoo("--max-cron-threads", "0")
try:
    wait_for_odoo(server, base)
    rng = random.Random(19)
    bodies, distinct = [], set()
    for n in range(DELIVERIES):
        if n % 20 == 19:  # every 20th delivery is a redelivery of an earlier body (Xero retries)
            bodies.append(bodies[rng.randrange(len(bodies))])
            continue
        events = []
        for _ in range(rng.randint(1, 5)):
            category = rng.choice(("CONTACT", "INVOICE"))
            resource_id = str(uuid.uuid4())
            date = (datetime.now(UTC) - timedelta(seconds=rng.randint(0, 600))).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]
            event_type = rng.choice(("CREATE", "UPDATE"))
            events.append({
                "resourceUrl": f"https://api.xero.com/api.xro/2.0/{category.title()}s/{resource_id}",
                "resourceId": resource_id, "eventDateUtc": date, "eventType": event_type,
                "eventCategory": category, "tenantId": tenant, "tenantType": "ORGANISATION"})
            distinct.add((category, resource_id, date, event_type))
        bodies.append(json.dumps({"events": events, "firstEventSequence": n, "lastEventSequence": n,
                                  "entropy": uuid.uuid4().hex}).encode())
    before = env["xero.event"].sudo().search_count([])

    def deliver(body):
        signature = base64.b64encode(hmac.new(key.encode(), body, hashlib.sha256).digest()).decode()
        started = time.perf_counter()
        answer = requests.post(f"{base}/xero/webhook", data=body, timeout=30,
                               headers={"Content-Type": "application/json", "x-xero-signature": signature})
        return time.perf_counter() - started, answer.status_code

    started = time.time()
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(deliver, bodies))
    elapsed = time.time() - started
    env.cr.commit()  # a new snapshot: see the server's rows
    stored = env["xero.event"].sudo().search_count([]) - before
    times = sorted(t for t, _status in results)
    statuses = {}
    for _t, status in results:
        statuses[status] = statuses.get(status, 0) + 1

    def pct(p):
        return times[min(len(times) - 1, max(0, round(p / 100 * len(times)) - 1))] * 1000

    say(f"\nWebhook answer time: {DELIVERIES} signed deliveries ({sum(1 for n in range(DELIVERIES) if n % 20 == 19)} "
        f"of them redeliveries) from 4 threads to odoo-bin on {base}/xero/webhook (threaded server, no cron)")
    say(f"  statuses: {statuses}; {elapsed:.2f} s wall, {DELIVERIES / elapsed:.0f} deliveries/s")
    say(f"  answer time ms: p50 {pct(50):.1f} / p90 {pct(90):.1f} / p99 {pct(99):.1f} / max {times[-1] * 1000:.1f}  "
        f"(Xero's limit 5000 ms: max is {100 * times[-1] / 5:.2f} % of it)")
    say(f"  xero.event rows stored: {stored}; distinct events sent: {len(distinct)} -> "
        + ("OK" if stored == len(distinct) else "MISMATCH"))
finally:
    stop_odoo(server)
