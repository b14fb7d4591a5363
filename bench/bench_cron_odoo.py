# Run by bench/bench_cron inside `odoo-bin shell` (which provides `env`). Not a test: it prints figures.
#
# A new user's database that has lived a while, on a real odoo-bin (--workers 2 --max-cron-threads 2) against the
# in-process sandbox with Xero's limits (60 calls per window, the window scaled; 5 in flight; 3.5 MB a request):
# - poison: invoices Xero refuses (their customer archived in Xero: blocked), jobs retrying after an outage (503s),
#   one Stripe payment whose description is 10 MB (recorded before the connector checked lengths: any request
#   carrying it is over Xero's 3.5 MB);
# - load: P signed Stripe charge.succeeded webhooks (balance transaction expanded) over HTTP and N invoices
#   exported with the bulk action over JSON-RPC (the blocked ones selected too), while a driver triggers the send
#   cron every second from a connection of its own, as webhooks do.
# Waits until every event and job has settled, then prints the calls against the batching's minimum, the 413s and
# the requests that carried the 10 MB element, the server log's serialization errors, and the books.
# ruff: noqa: F821  (env is provided by odoo-bin shell)
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid

import requests

from odoo import SUPERUSER_ID, api
from odoo.fields import Command

from odoo.addons.xero_connector.tests.provider_stand_in import STRIPE_KEY, ProviderStandIn

sys.path.insert(0, os.environ["XERO_BENCH_SCRIPTS"])
from bench_odoo import start_odoo, stop_odoo, wait_for_odoo
from sandbox_connect import start_bench_sandbox

PAYMENTS = int(os.environ.get("XERO_BENCH_PAYMENTS", "500"))
COUNT = int(os.environ.get("XERO_BENCH_COUNT", "1000"))
WINDOW = float(os.environ.get("XERO_BENCH_WINDOW", "2"))
TRIGGER = os.environ.get("XERO_BENCH_TRIGGER", "1") != "0"
# 1: the customers linked as persons, Xero's contacts are companies: the first pull rewrites each (a new user's
# customers linked before the pull has run), while their invoices are being sent.
STALE = os.environ.get("XERO_BENCH_STALE_PARTNERS") == "1"
# 1: the events name their balance transaction by id, as Stripe's webhooks do (they never expand it); a Stripe
# stand-in (tests/provider_stand_in.py) serves the charges and the connector reads each fee from it.
STRIPE_READS = os.environ.get("XERO_BENCH_STRIPE_READS") == "1"
CUSTOMERS, BLOCKED, RETRYING, LIMIT, HUGE = 50, 3, 3, 60, 10_000_000
MARKER = b"BENCH-HUGE-DESCRIPTION"
TIMEOUT = 420


def say(text=""):
    print(text, flush=True)


sandbox, connection = start_bench_sandbox(env, LIMIT, WINDOW, 100000)
url, tenant, company = sandbox.url, connection.tenant_id, env.company
org_url = f"{url}/_sandbox/orgs/{tenant}"
stripe_secret = "whsec_" + uuid.uuid4().hex
company.sudo().write({"xero_sales_account_code": "200", "xero_tax_type": "NONE",
                      "xero_stripe_webhook_secret": stripe_secret, "xero_payment_fee_account_code": "404",
                      "xero_payout_account_code": "090"})
stripe = ProviderStandIn() if STRIPE_READS else None
if stripe:
    company.sudo().write({"xero_stripe_api_key": STRIPE_KEY})
    env["ir.config_parameter"].sudo().set_param("xero_connector.stripe_api_url", stripe.url)
env.cr.commit()
token = connection._xero_access_token()
api_headers = {"Authorization": f"Bearer {token}", "xero-tenant-id": tenant, "Accept": "application/json"}

# What each write call carried, seen in this process: its size, the 10 MB element, its elements by kind.
writes, lock = [], threading.Lock()
sandbox_api = sandbox.app.api


def watched_api(request, sub):
    if request.method in ("PUT", "POST"):
        raw = request.get_data(cache=True)
        kinds = {"invoice": 0, "payment": 0}
        try:
            body = json.loads(raw or b"{}")
            for element in body.get("Invoices") or []:
                kinds["invoice" if str(element.get("InvoiceNumber", "")).startswith("INV/") else "payment"] += 1
            for name in ("Payments", "BankTransactions", "Contacts"):
                kinds["payment"] += len(body.get(name) or [])
        except ValueError:
            pass
        response = sandbox_api(request, sub)
        with lock:
            writes.append({"path": sub.strip("/").split("/")[0], "bytes": len(raw), "huge": MARKER in raw,
                           "status": response.status_code, **kinds})
        return response
    return sandbox_api(request, sub)


sandbox.app.api = watched_api

# Xero's own strictness, checked first: a request over 3.5 MB is refused with 413, nothing processed.
too_big = requests.put(f"{url}/api.xro/2.0/Invoices", headers=dict(api_headers, **{"Content-Type": "application/json"}),
                       data=json.dumps({"Invoices": [{"Type": "ACCREC", "Reference": "x" * 3_600_000}]}), timeout=60)
say(f"sandbox: a 3.6 MB request is answered {too_big.status_code} (Xero: 413 above 3.5 MB)")

# Customers: the invoices' (linked to Xero contacts), and the blocked ones' (archived in Xero since).
contacts = requests.post(f"{org_url}/Contacts", timeout=120, json={
    "Contacts": [{"Name": f"Bench Cron Customer {i:05d}"} for i in range(COUNT + BLOCKED + RETRYING)]}).json()["Contacts"]
for contact in contacts[COUNT:COUNT + BLOCKED]:
    requests.post(f"{url}/api.xro/2.0/Contacts", headers=api_headers, timeout=30, json={
        "Contacts": [{"ContactID": contact["ContactID"], "ContactStatus": "ARCHIVED"}]}).raise_for_status()
partners = env["res.partner"].with_context(xero_from_xero=True, tracking_disable=True).create([
    {"name": c["Name"], "is_company": not STALE, "xero_contact_id": c["ContactID"], "customer_rank": 1}
    for c in contacts])  # as the connector's pull links them (a Xero contact without a person's name: a company)
product = env["product.product"].create({"name": "Bench Cron Beans", "list_price": 12.5, "taxes_id": [Command.clear()]})
moves = env["account.move"].with_context(tracking_disable=True).create([
    {"move_type": "out_invoice", "partner_id": p.id, "invoice_date": "2026-11-20",
     "invoice_line_ids": [Command.create({"product_id": product.id, "quantity": 2, "price_unit": 12.5,
                                          "tax_ids": [Command.clear()]})]} for p in partners])
moves.action_post()
load_moves, blocked_moves, retry_moves = moves[:COUNT], moves[COUNT:COUNT + BLOCKED], moves[COUNT + BLOCKED:]
Job = env["xero.job"].sudo()
Event = env["xero.payment.event"].sudo()


def charge_event(n, description="Coffee subscription box", by_id=False):
    """Stripe's charge.succeeded for payment ``n``; ``by_id``: its balance transaction named by id, as Stripe sends
    it, the charge and the balance transaction served by the stand-in."""
    amount, fee = 1000 + (n % 37) * 25, 59 + (n % 7)
    charge_id = f"ch_cron{n:06d}{uuid.uuid4().hex[:8]}"
    event = {"id": f"evt_{charge_id}", "object": "event", "type": "charge.succeeded", "created": 1780000000 + n,
            "data": {"object": {
                "id": charge_id, "object": "charge", "amount": amount, "amount_captured": amount, "currency": "usd",
                "status": "succeeded", "paid": True, "created": 1780000000 + n, "payment_intent": f"pi_{charge_id[3:]}",
                "invoice": None, "description": description,
                "billing_details": {"email": f"customer{n % CUSTOMERS:04d}@bench.example",
                                    "name": f"Bench Customer {n % CUSTOMERS:04d}"},
                "balance_transaction": {"id": f"txn_{charge_id[3:]}", "amount": amount, "currency": "usd",
                                        "fee": fee, "net": amount - fee}, "metadata": {}}}}
    if by_id:
        charge = event["data"]["object"]
        stripe.data["balance_transactions"][f"txn_{charge_id[3:]}"] = charge["balance_transaction"]
        charge["balance_transaction"] = f"txn_{charge_id[3:]}"
        stripe.data["charges"][charge_id] = dict(charge)
    return event


# The past. One Stripe payment recorded (the clearing account made in Xero); Xero refused the archived customers'
# invoices: blocked.
Event._xero_receive_stripe(company, charge_event(PAYMENTS))
Job._xero_enqueue(blocked_moves, "invoice")
env.cr.commit()
Event._cron_xero_payment_events()
Job._xero_send(connections=connection)
env.cr.commit()
# An outage (503 to every write): three invoices and one Stripe payment queued meanwhile are retrying.
requests.post(f"{url}/_sandbox/faults", timeout=10, json={"faults": [
    {"kind": "503", "method": m, "tenant": tenant, "count": 1000} for m in ("PUT", "POST")]}).raise_for_status()
Job._xero_enqueue(retry_moves, "invoice")
Event._xero_receive_stripe(company, charge_event(PAYMENTS + 1))
env.cr.commit()
Job._xero_send(connections=connection)
Event._cron_xero_payment_events()
env.cr.commit()
requests.delete(f"{url}/_sandbox/faults", timeout=10).raise_for_status()
# That payment was recorded by a version that did not check a description's length: 10 MB.
huge = env["xero.payment"].sudo().search([("company_id", "=", company.id), ("provider", "=", "stripe"),
                                         ("key", "=like", f"pi_cron{PAYMENTS + 1:06d}%")])
assert huge, "the payment queued during the outage was not recorded"
huge.write({"description": MARKER.decode() + "x" * HUGE})
env.cr.commit()
states = dict(Job._read_group([], ["state"], ["__count"]))
say(f"before the load (the past): jobs {states}; {BLOCKED} invoices blocked by Xero, {RETRYING} invoices and "
    f"1 payment with a {HUGE / 1e6:.0f} MB description retrying after an outage")

# Stripe's deliveries, and the user who exports.
deliveries = tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False)
with deliveries:
    for n in range(PAYMENTS):
        deliveries.write(json.dumps(["stripe", json.dumps(charge_event(n, by_id=STRIPE_READS))]) + "\n")
groups = [env.ref("account.group_account_invoice").id, env.ref("xero_connector.group_xero_manager").id]
env["res.users"].with_context(no_reset_password=True).create({
    "name": "Bench Cron Accountant", "login": "bench-cron", "password": "bench-cron-pw",
    "group_ids": [Command.set(groups)], "company_id": company.id, "company_ids": [Command.set(company.ids)]})
env.cr.commit()
with lock:
    writes.clear()
requests.delete(f"{url}/_sandbox/log", timeout=10)

server, base = start_odoo("--workers", "2", "--max-cron-threads", "2")
server_log = os.environ["XERO_BENCH_SERVER_LOG"]
cron_id = env.ref("xero_connector.ir_cron_xero_send").id
stop = threading.Event()
triggers = [0]


def driver():
    """The send cron triggered every second from a connection of its own, as webhooks and users do."""
    while not stop.is_set():
        with env.registry.cursor() as cr:
            api.Environment(cr, SUPERUSER_ID, {})["ir.cron"].browse(cron_id)._trigger()
        triggers[0] += 1
        stop.wait(1)


def rpc(http, path, params):
    answer = http.post(base + path, json={"jsonrpc": "2.0", "method": "call", "params": params}, timeout=300)
    answer.raise_for_status()
    data = answer.json()
    if data.get("error"):
        raise RuntimeError(f"{path}: {data['error'].get('data', {}).get('message') or data['error']}")
    return data.get("result")


def exporter():
    """The user selects the posted invoices (the blocked ones among them) and runs "Export Invoice to Xero"."""
    http = requests.Session()
    rpc(http, "/web/session/authenticate", {"db": env.cr.dbname, "login": "bench-cron", "password": "bench-cron-pw"})
    ids = (load_moves | blocked_moves).ids
    rpc(http, "/web/dataset/call_kw/account.move/action_xero_export",
        {"model": "account.move", "method": "action_xero_export", "args": [ids], "kwargs": {}})


def settled():
    """(open jobs, pending events): both 0 once everything is done or blocked."""
    with env.registry.cursor() as cr:
        cr.execute("SELECT count(*) FROM xero_job WHERE state IN ('pending', 'sending', 'retry')")
        jobs = cr.fetchone()[0]
        cr.execute("SELECT count(*) FROM xero_payment_event WHERE state = 'pending'")
        return jobs, cr.fetchone()[0]


try:
    wait_for_odoo(server, base)
    say(f"== {PAYMENTS} Stripe webhooks + {COUNT} invoices exported, odoo-bin --workers 2 --max-cron-threads 2, "
        f"send cron {'triggered every second' if TRIGGER else 'at its own pace'}; Xero's limit {LIMIT} calls per "
        f"{WINDOW:g} s window (scaled from 60 s); {os.cpu_count()} CPUs ==")
    started = time.monotonic()
    threads = [threading.Thread(target=exporter)] + ([threading.Thread(target=driver)] if TRIGGER else [])
    for thread in threads:
        thread.start()
    client = subprocess.run(
        [sys.executable, os.path.join(os.path.dirname(os.environ["XERO_BENCH_SCRIPTS"]), "bench", "webhook_client.py"),
         base, deliveries.name, "4"], capture_output=True, text=True, timeout=600,
        env=dict(os.environ, XERO_BENCH_XERO_KEY="-", XERO_BENCH_STRIPE_SECRET=stripe_secret,
                 XERO_BENCH_GOCARDLESS_SECRET="-"))
    answers = json.loads(client.stdout or "[]")
    statuses = {}
    for _provider, _seconds, status in answers:
        statuses[status] = statuses.get(status, 0) + 1
    say(f"  webhooks: {len(answers)} delivered in {time.monotonic() - started:.1f} s, statuses {statuses}"
        + (f"; client error: {client.stderr[-300:]}" if client.returncode else ""))
    threads[0].join()
    say(f"  bulk export answered after {time.monotonic() - started:.1f} s")
    left = settled()
    while any(left) and time.monotonic() - started < TIMEOUT:
        time.sleep(1)
        left = settled()
    wall = time.monotonic() - started
    stop.set()
    for thread in threads[1:]:
        thread.join()
    calls = [e for e in requests.get(f"{url}/_sandbox/log", timeout=60).json() if e["path"].startswith("/api.xro/2.0/")]
    windows = -(-len(calls) // LIMIT)  # the minutes Xero's limit spreads the calls over, at the least
    say(f"  settled: {'yes' if not any(left) else f'NO after {TIMEOUT} s ({left[0]} open jobs, {left[1]} events)'}"
        f" in {wall:.1f} s wall ({windows} window(s) of calls: at Xero's 60 s minute about "
        f"{max(wall, (windows - 1) * 60 + wall / windows):.0f} s, projected); {triggers[0]} triggers of the send cron")

    by_kind = {}
    for call in calls:
        key = f"{call['method']} {call['path'].removeprefix('/api.xro/2.0')} -> {call['status']}"
        by_kind[key] = by_kind.get(key, 0) + 1
    say(f"  Xero calls: {len(calls)}")
    for key, value in sorted(by_kind.items(), key=lambda kv: -kv[1]):
        say(f"    {value:5d} × {key}")
    with lock:
        done = list(writes)
    invoice_calls = sum(1 for w in done if w["invoice"])
    payment_calls = sum(1 for w in done if w["payment"])
    mixed = sum(1 for w in done if w["invoice"] and w["payment"])
    other = len(calls) - sum(1 for w in done if w["invoice"] or w["payment"])
    # The fewest the batching allows: 50 elements a call. Invoices: the N exported (+ the blocked ones asked again).
    # Payments: their customers, then their invoices, payments and fees (the one with 10 MB never sent).
    min_invoices = -(-(COUNT + BLOCKED + RETRYING) // 50)
    min_payments = -(-CUSTOMERS // 50) + 3 * -(-PAYMENTS // 50)
    for label, spent, minimum, count in (("invoices", invoice_calls, min_invoices, COUNT),
                                         ("payments", payment_calls, min_payments, PAYMENTS)):
        over = (spent - minimum) / minimum * 100
        say(f"  calls carrying {label}: {spent} = {spent * 1000 / count:.1f} per 1,000 {label}; minimum {minimum} = "
            f"{minimum * 1000 / count:.1f} per 1,000 (target within 10 %: "
            + ("met" if over <= 10 else f"missed by {over - 10:.0f} points") + f", {over:+.0f} %)")
    say(f"    ({mixed} call(s) carried both; {other} other call(s): reads, the clearing account, 413s; "
        f"one record per call would be {COUNT + BLOCKED + RETRYING + CUSTOMERS + 3 * PAYMENTS} calls)")
    for path in sorted({w["path"] for w in done}):
        say(f"    elements per {path} call, in order: "
            + " ".join(str(w["invoice"] + w["payment"]) for w in done if w["path"] == path))
    refused = sum(1 for c in calls if c["status"] == 413)
    carried = sum(1 for w in done if w["huge"])
    say(f"  413s: {refused}; requests that carried the {HUGE / 1e6:.0f} MB element: {carried} (target at most 1): "
        + ("met" if carried <= 1 else f"missed by {carried - 1}"))
    if stripe:
        reads = sum(1 for path, _auth in stripe.requests if path.startswith("/v1/"))
        say(f"  Stripe API reads: {reads} = {reads / PAYMENTS:.2f} per payment; minimum 1.00 one by one (the charge "
            f"with its balance transaction expanded), {-(-PAYMENTS // 100) / PAYMENTS:.2f} from Stripe's list of "
            "balance transactions, 100 a page")
    else:
        say("  Stripe API reads: none needed (the events carry their balance transaction; "
            "XERO_BENCH_STRIPE_READS=1 names it by id, as Stripe does)")
    with env.registry.cursor() as cr:
        cr.execute("SELECT state, count(*) FROM xero_job GROUP BY state")
        job_states = dict(cr.fetchall())
        cr.execute("SELECT state, count(*) FROM xero_payment_event GROUP BY state")
        event_states = dict(cr.fetchall())
        cr.execute("SELECT error FROM xero_job WHERE state = 'blocked' AND error ILIKE '%%MB%%' LIMIT 1")
        row = cr.fetchone()
    say(f"  jobs {job_states}; events {event_states}")
    if row:
        say(f"  the 10 MB element's Sync Log line: {row[0][:240]}")
    with open(server_log) as server_text:
        text = server_text.read()
    serial = text.count("could not serialize")
    say(f"  server log: {serial} 'could not serialize' (target 0: {'met' if not serial else f'missed by {serial}'}), "
        f"{text.count('Traceback')} traceback(s), {text.count(' ERROR ')} ERROR line(s) ({server_log})")

    invoices = requests.get(f"{org_url}/Invoices", timeout=120).json()["Invoices"]
    sales = [i["InvoiceNumber"] for i in invoices if str(i.get("InvoiceNumber", "")).startswith("INV/")
             and i["Status"] != "DELETED"]
    payments = [p for p in requests.get(f"{org_url}/Payments", timeout=60).json()["Payments"] if p["Status"] != "DELETED"]
    fees = requests.get(f"{org_url}/BankTransactions", timeout=60).json()["BankTransactions"]
    expected_sales = COUNT + RETRYING
    references = {p["Reference"] for p in payments}
    say(f"  books: {len(sales)} sales invoices ({len(set(sales))} distinct, expected {expected_sales}: the "
        f"{BLOCKED} of archived customers stay out), {len(payments)} payments ({len(references)} distinct), "
        f"{len(fees)} fees (expected {PAYMENTS + 1} of each: the {PAYMENTS} and the one of the past; the 10 MB "
        "one stays out, and its fee waits for it)")
    ok = (len(sales) == len(set(sales)) == expected_sales and len(payments) == len(references) == PAYMENTS + 1
          and len(fees) == PAYMENTS + 1)
    say("  check: " + ("each invoice and payment once in Xero" if ok else "FAILED"))
finally:
    stop.set()
    stop_odoo(server)
    sandbox.stop()
    if stripe:
        stripe.stop()
    os.unlink(deliveries.name)
