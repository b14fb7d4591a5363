# Run by bench/bench_payments inside `odoo-bin shell` (which provides `env`). Not a test: it prints figures.
#
# N Stripe charge.succeeded events (each with its balance transaction, so its fee) for C customers, stored as
# the webhook stores them, then one payout.paid; the payment events' scheduled action records them in the
# in-process sandbox with Xero's limits on (60 calls per window). Prints: Xero calls by kind, wall time,
# SQL queries total and per payment, peak memory; then checks the books: each payment once, each fee once,
# the clearing account back to zero after the payout.
# ruff: noqa: F821  (env is provided by odoo-bin shell)
import os
import resource
import sys
import time
import uuid

import requests

from odoo import sql_db

sys.path.insert(0, os.environ["XERO_BENCH_SCRIPTS"])
from sandbox_connect import start_bench_sandbox

COUNT = int(os.environ.get("XERO_BENCH_COUNT", "500"))
CUSTOMERS = int(os.environ.get("XERO_BENCH_CUSTOMERS", "50"))
WINDOW = float(os.environ.get("XERO_BENCH_WINDOW", "2"))
LIMIT = 60


def say(text=""):
    print(text, flush=True)


sandbox, connection = start_bench_sandbox(env, LIMIT, WINDOW, 100000)
url = sandbox.url
company = env.company
tenant = connection.tenant_id
company.sudo().write({"xero_sales_account_code": "200", "xero_tax_type": "OUTPUT",
                      "xero_stripe_webhook_secret": "whsec_bench", "xero_payment_fee_account_code": "404",
                      "xero_payout_account_code": "090"})
env.cr.commit()
org_url = f"{url}/_sandbox/orgs/{tenant}"
Event = env["xero.payment.event"].sudo()

say(f"== {COUNT} Stripe payments from {CUSTOMERS} customers, then one payout "
    f"(Xero's limit: {LIMIT} calls per {WINDOW:g} s window) ==")
created, total_fees, total = 1780000000, 0, 0
for n in range(COUNT):
    amount, fee = 1000 + (n % 37) * 25, 59 + (n % 7)
    total, total_fees = total + amount, total_fees + fee
    charge_id = f"ch_bench{n:06d}{uuid.uuid4().hex[:6]}"
    Event._xero_receive_stripe(company, {
        "id": f"evt_{charge_id}", "object": "event", "type": "charge.succeeded", "created": created + n,
        "data": {"object": {
            "id": charge_id, "object": "charge", "amount": amount, "amount_captured": amount, "currency": "usd",
            "status": "succeeded", "paid": True, "created": created + n, "payment_intent": f"pi_{charge_id[3:]}",
            "invoice": None,  # API versions before 2025-03-31: a charge says which Stripe invoice it pays
            "description": "Coffee subscription box",
            "billing_details": {"email": f"customer{n % CUSTOMERS:04d}@bench.example",
                                "name": f"Bench Customer {n % CUSTOMERS:04d}"},
            "balance_transaction": {"id": f"txn_{charge_id[3:]}", "amount": amount, "currency": "usd", "fee": fee,
                                    "net": amount - fee}, "metadata": {}}}})
Event._xero_receive_stripe(company, {
    "id": "evt_bench_payout", "object": "event", "type": "payout.paid", "created": created + COUNT + 1,
    "data": {"object": {"id": "po_bench", "object": "payout", "amount": total - total_fees, "currency": "usd",
                        "arrival_date": created + COUNT + 86400, "status": "paid"}}})
env.cr.commit()
requests.delete(f"{url}/_sandbox/log", timeout=10)

queries = sql_db.sql_counter
started = time.monotonic()
rounds = 0
while Event.search_count([("state", "=", "pending")]) and rounds < 50:
    rounds += 1
    Event._cron_xero_payment_events()
    env["xero.job"].sudo()._xero_send(connections=connection)  # what the outbox cron does next
    env.cr.commit()
elapsed = time.monotonic() - started
queries = sql_db.sql_counter - queries

calls = [e for e in requests.get(f"{url}/_sandbox/log", timeout=60).json() if e["path"].startswith("/api.xro/2.0/")]
by_kind = {}
for call in calls:
    key = f"{call['method']} {call['path'].removeprefix('/api.xro/2.0')} -> {call['status']}"
    by_kind[key] = by_kind.get(key, 0) + 1
say(f"recorded in {elapsed:.1f} s wall ({rounds} run(s) of the scheduled action), {len(calls)} Xero calls:")
for key, value in sorted(by_kind.items()):
    say(f"    {value:5d} × {key}")
say(f"SQL: {queries} queries, {queries / COUNT:.1f} per payment; peak memory of this Odoo process "
    f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")

states = dict(env["xero.payment.event"].sudo()._read_group([], ["state"], ["__count"]))
payments = [p for p in requests.get(f"{org_url}/Payments", timeout=60).json()["Payments"] if p["Status"] != "DELETED"]
fees = requests.get(f"{org_url}/BankTransactions", timeout=60).json()["BankTransactions"]
transfers = requests.get(f"{org_url}/BankTransfers", timeout=60).json()["BankTransfers"]
contacts = [c for c in requests.get(f"{org_url}/Contacts", timeout=60).json()["Contacts"]
            if c["Name"].startswith("Bench Customer")]
references = {p["Reference"] for p in payments}
clearing = round(sum(p["Amount"] for p in payments) - sum(f["Total"] for f in fees)
                 - sum(t["Amount"] for t in transfers), 2)
say(f"events: {states}")
say(f"books: {len(payments)} payments ({len(references)} distinct charges), {len(fees)} fees, "
    f"{len(transfers)} payout transfer(s), {len(contacts)} customers in Xero; clearing account after the "
    f"payout: {clearing:.2f}")
ok = (len(payments) == len(references) == COUNT and len(fees) == COUNT and len(transfers) == 1
      and len(contacts) == CUSTOMERS and clearing == 0)
say("check: " + ("each payment and fee once, one transfer, the clearing account at 0.00" if ok else "FAILED"))
sandbox.stop()
