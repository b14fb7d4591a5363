# Run by bench/bench_latency inside `odoo-bin shell` (which provides `env`). Not a test: it prints figures.
#
# U users confirm N orders one by one, all at once, on a real odoo-bin (--workers 2 --max-cron-threads 2) with
# auto-export on confirmation; the in-process sandbox (Xero's real limits: 60 calls a minute, 5 in flight) notes
# the moment each order's invoice is created. Latency = that moment - the moment the user's confirmation returned.
# Then the naive way, what a per-record connector does: auto-export off, and each confirmation followed at once by
# one call for that order's invoice (the library's XeroClient paced by a RateLimiter at Xero's limits, from the
# user's thread).
# ruff: noqa: F821  (env is provided by odoo-bin shell)
import json
import os
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import requests

from odoo.fields import Command

from odoo.addons.xero_connector.xero import RateLimiter, XeroClient

sys.path.insert(0, os.environ["XERO_BENCH_SCRIPTS"])
from bench_odoo import start_odoo, stop_odoo, wait_for_odoo
from sandbox_connect import start_bench_sandbox

COUNT = int(os.environ.get("XERO_BENCH_COUNT", "200"))
USERS = int(os.environ.get("XERO_BENCH_USERS", "4"))
NAIVE = int(os.environ.get("XERO_BENCH_NAIVE", "200"))
TARGET_P99 = 3.0


def say(text=""):
    print(text, flush=True)


sandbox, connection = start_bench_sandbox(env, 60, 60, 5000)  # Xero's real minute: nothing scaled here
company = env.company
company.write({"xero_sales_account_code": "200", "xero_tax_type": "NONE", "xero_auto_export": "on_confirm",
               "xero_sale_order_target": "invoice"})
tenant = connection.tenant_id
ENDPOINTS, ACCESS_TOKEN = connection._xero_endpoints(), connection._xero_access_token()

# When each invoice is created in Xero: the sandbox's answer to the connector's write, seen in this process.
created, calls, lock = {}, [], threading.Lock()
api = sandbox.app.api


def timed_api(request, sub):
    response = api(request, sub)
    now = time.monotonic()
    if request.method in ("PUT", "POST") and sub.strip("/").lower() == "invoices" and response.status_code == 200:
        body = json.loads(response.get_data() or b"{}")
        with lock:
            calls.append(len(body.get("Invoices") or []))
            for invoice in body.get("Invoices") or []:
                if invoice.get("StatusAttributeString") != "ERROR":
                    created.setdefault(invoice.get("Reference"), now)
    return response


sandbox.app.api = timed_api

# U sales users (Xero users too), customers linked to Xero contacts, draft orders.
group_ids = [env.ref("sales_team.group_sale_salesman").id, env.ref("xero_connector.group_xero_user").id]
users = env["res.users"].with_context(no_reset_password=True).create([
    {"name": f"Bench Seller {u}", "login": f"bench-seller-{u}", "password": f"bench-seller-{u}-pw",
     "group_ids": [Command.set(group_ids)], "company_id": company.id, "company_ids": [Command.set(company.ids)]}
    for u in range(USERS)])
total = COUNT + NAIVE
contacts = requests.post(f"{sandbox.url}/_sandbox/orgs/{tenant}/Contacts", timeout=120, json={
    "Contacts": [{"Name": f"Bench Latency Customer {i:04d}"} for i in range(total)]}).json()["Contacts"]
partners = env["res.partner"].with_context(xero_from_xero=True, tracking_disable=True).create([
    {"name": c["Name"], "xero_contact_id": c["ContactID"], "customer_rank": 1} for c in contacts])
product = env["product.product"].create({"name": "Bench Latency Beans", "list_price": 12.5,
                                         "taxes_id": [Command.clear()]})
orders = env["sale.order"].with_context(tracking_disable=True).create([
    {"partner_id": p.id, "user_id": users[i % USERS].id,
     "order_line": [Command.create({"product_id": product.id, "product_uom_qty": 2, "price_unit": 12.5,
                                    "tax_ids": [Command.clear()]})]} for i, p in enumerate(partners)])
env.cr.commit()
auto_orders, naive_orders = orders[:COUNT], orders[COUNT:]

server, base = start_odoo("--workers", "2", "--max-cron-threads", "2")


def rpc(http, path, params):
    answer = http.post(base + path, json={"jsonrpc": "2.0", "method": "call", "params": params}, timeout=180)
    answer.raise_for_status()
    data = answer.json()
    if data.get("error"):
        raise RuntimeError(f"{path}: {data['error'].get('data', {}).get('message') or data['error']}")
    return data.get("result")


def call(http, method, ids):
    return rpc(http, f"/web/dataset/call_kw/sale.order/{method}",
               {"model": "sale.order", "method": method, "args": [ids], "kwargs": {}})


NAIVE_LIMITER = RateLimiter(per_window=60, window=60.0, concurrency=5, per_day=5000)


def naive_send(order, local):
    """One call for this order's invoice, as a per-record connector sends it when the order is confirmed.
    ``order``: (id, name, Xero contact id), read before the threads start (an env is not shared across threads)."""
    if not hasattr(local, "client"):
        local.client = XeroClient(ENDPOINTS, tenant, ACCESS_TOKEN, rate_limiter=NAIVE_LIMITER)
    local.client.batch_write("Invoices", [{
        "Type": "ACCREC", "Contact": {"ContactID": order[2]}, "Reference": order[1],
        "Date": "2026-12-01", "DueDate": "2026-12-31", "Status": "AUTHORISED", "LineAmountTypes": "Exclusive",
        "LineItems": [{"Description": "Bench Latency Beans", "Quantity": 2, "UnitAmount": 12.5, "AccountCode": "200",
                       "TaxType": "NONE"}]}], method="PUT", idempotency_key=f"bench-naive-{order[1]}")


def seller(user_index, mine, export_by_hand):
    """One user: log in, then confirm their orders one by one (the naive run: and send each one's invoice)."""
    http = requests.Session()
    local = threading.local()
    rpc(http, "/web/session/authenticate", {"db": env.cr.dbname, "login": f"bench-seller-{user_index}",
                                            "password": f"bench-seller-{user_index}-pw"})
    done = []
    for order in mine:
        started = time.monotonic()
        call(http, "action_confirm", [order[0]])
        confirmed = time.monotonic()
        if export_by_hand:
            naive_send(order, local)
        done.append((order[1], confirmed, confirmed - started, time.monotonic() - confirmed))
    return done


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, max(0, round(p / 100 * len(values)) - 1))]


def run(label, batch, export_by_hand):
    calls.clear()
    plan = [[(o.id, o.name, o.partner_id.xero_contact_id) for o in batch if o.user_id == users[u]] for u in range(USERS)]
    started = time.monotonic()
    with ThreadPoolExecutor(USERS) as pool:
        per_user = list(pool.map(lambda u: seller(u, plan[u], export_by_hand), range(USERS)))
    confirmed = [row for rows in per_user for row in rows]
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and sum(1 for name, *_ in confirmed if name in created) < len(confirmed):
        time.sleep(0.05)
    wall = time.monotonic() - started
    latencies = [created[name] - at for name, at, *_ in confirmed if name in created]
    missing = len(confirmed) - len(latencies)
    say(f"\n== {label}: {len(confirmed)} orders confirmed one by one by {USERS} users at once ==")
    say(f"  in Xero: {len(latencies)} of {len(confirmed)} within 300 s; wall {wall:.1f} s; "
        f"{len(calls)} PUT/POST Invoices call(s), {len(confirmed) / max(1, len(calls)):.1f} invoices per call")
    say(f"  confirm answer (the user waits) s: p50 {pct([r[2] for r in confirmed], 50):.2f} / "
        f"p99 {pct([r[2] for r in confirmed], 99):.2f}" + (
            f"; the user then waits for its call s: p50 {pct([r[3] for r in confirmed], 50):.2f} / "
            f"p99 {pct([r[3] for r in confirmed], 99):.2f}" if export_by_hand else ""))
    if latencies:
        p99 = pct(latencies, 99)
        say(f"  confirmed -> invoice in Xero s: p50 {pct(latencies, 50):.2f} / p90 {pct(latencies, 90):.2f} / "
            f"p99 {p99:.2f} / max {max(latencies):.2f}")
        say(f"  target p99 < {TARGET_P99:.0f} s: " + ("met" if p99 < TARGET_P99 and not missing else
                                                     f"missed by {p99 - TARGET_P99:.2f} s" if not missing else
                                                     f"missed: {missing} never reached Xero"))
    return latencies


try:
    wait_for_odoo(server, base)
    say(f"xero_connector end-to-end latency: odoo-bin --workers 2 --max-cron-threads 2 on {base}, sandbox with "
        f"Xero's limits (60 calls per 60 s, 5 in flight); {USERS} users; {os.cpu_count()} CPUs")
    run("auto-export on confirmation", auto_orders, export_by_hand=False)
    if NAIVE:
        say("  (waiting 61 s: the naive run starts with a fresh Xero minute)")
        time.sleep(61)
        company.write({"xero_auto_export": "none"})
        env.cr.commit()
        run("naive: one call per order, sent as it is confirmed (a per-record connector)", naive_orders,
            export_by_hand=True)
    with open(os.environ["XERO_BENCH_SERVER_LOG"]) as server_log:
        text = server_log.read()
    say(f"\n  server log: {text.count('Traceback')} traceback(s), {text.count('could not serialize')} serialization "
        f"error(s), {text.count('ERROR')} ERROR line(s) ({os.environ['XERO_BENCH_SERVER_LOG']})")
finally:
    stop_odoo(server)
    sandbox.stop()
