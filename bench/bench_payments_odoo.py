# Run by bench/bench_payments inside `odoo-bin shell` (which provides `env`). Not a test: it prints figures.
#
# N Stripe charge.succeeded events (each with its balance transaction, so its fee) for C customers, stored as
# the webhook stores them, then one payout.paid; the payment events' scheduled action records them in the
# in-process sandbox with Xero's limits on (60 calls per window). Prints: Xero calls by kind, wall time,
# SQL queries total and per payment, peak memory; then checks the books: each payment once, each fee once,
# the clearing account back to zero after the payout.
# ruff: noqa: F821  (env is provided by odoo-bin shell)
import hashlib
import hmac
import json
import os
import re
import resource
import sys
import time
import uuid

import requests

from odoo import sql_db

from odoo.addons.xero_connector.models.xero_job_picker import QUIET
from odoo.addons.xero_connector.models.xero_sql import delivery_env
from odoo.addons.xero_connector.tests.provider_stand_in import STRIPE_KEY, ProviderStandIn
from odoo.addons.xero_connector.xero.stripe import StripeClient

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

# Where the SQL queries go: each phase's count, the inner phases taken out of the outer ones.
phase_queries = {"intake": 0, "events": 0, "sending": 0, "booking": 0, "other": 0}
stripe_reads = [0]
active = []  # the phases being counted, innermost last


def counted(cls, name, phase):
    """Wrap ``cls.name`` so the queries of its calls add to ``phase`` (and not to the phase around it)."""
    original = getattr(cls, name)

    def wrapper(*args, **kwargs):
        before = sql_db.sql_counter
        active.append(phase)
        try:
            return original(*args, **kwargs)
        finally:
            active.pop()
            spent = sql_db.sql_counter - before
            phase_queries[phase] += spent
            if active:
                phase_queries[active[-1]] -= spent
    setattr(cls, name, wrapper)


counted(type(env["xero.payment.event"]), "_cron_xero_payment_events", "events")
counted(type(env["xero.job"]), "_xero_send", "sending")
counted(type(env["xero.payment"]), "_xero_job_done", "booking")
original_get = StripeClient.get


def counting_get(self, *args, **kwargs):
    stripe_reads[0] += 1
    return original_get(self, *args, **kwargs)


StripeClient.get = counting_get
PROFILE = os.environ.get("XERO_BENCH_PROFILE")  # set: the most frequent queries of each phase are printed
profile = {}
if PROFILE:
    original_execute = sql_db.Cursor.execute

    def profiled_execute(self, query, params=None, log_exceptions=True):
        text = re.sub(r'SAVEPOINT "[^"]*"', 'SAVEPOINT "…"', " ".join(str(getattr(query, "code", query)).split())[:150])
        key = (active[-1] if active else "intake/other", text)
        profile[key] = profile.get(key, 0) + 1
        return original_execute(self, query, params, log_exceptions)
    sql_db.Cursor.execute = profiled_execute

say(f"== {COUNT} Stripe payments from {CUSTOMERS} customers, then one payout "
    f"(Xero's limit: {LIMIT} calls per {WINDOW:g} s window) ==")
queries = sql_db.sql_counter
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
phase_queries["intake"] = sql_db.sql_counter - queries
requests.delete(f"{url}/_sandbox/log", timeout=10)

started = time.monotonic()
OPEN_JOBS = [("state", "in", ("pending", "retry")), ("res_model", "=", "xero.payment")]


def settle():
    """Run the payment events' cron and the sender until nothing is pending; a partial call held back while the
    webhooks came in a burst (models/xero_job_picker.py) goes after the burst's lull, as the sender's wake-up
    would send it (sooner here). Returns the runs and the seconds slept."""
    runs, waited = 0, 0.0
    while runs < 50:
        if Event.search_count([("state", "=", "pending")]):
            Event._cron_xero_payment_events()
        elif env["xero.job"].sudo().search_count(OPEN_JOBS):
            time.sleep(QUIET + 1)
            waited += QUIET + 1
        else:
            break
        runs += 1
        env["xero.job"].sudo()._xero_send(connections=connection)  # what the outbox cron does next
        env.cr.commit()
    return runs, waited


rounds, slept = settle()
elapsed = time.monotonic() - started - slept
queries = sql_db.sql_counter - queries
phase_queries["other"] = queries - sum(phase_queries.values())

calls = [e for e in requests.get(f"{url}/_sandbox/log", timeout=60).json() if e["path"].startswith("/api.xro/2.0/")]
by_kind = {}
for call in calls:
    key = f"{call['method']} {call['path'].removeprefix('/api.xro/2.0')} -> {call['status']}"
    by_kind[key] = by_kind.get(key, 0) + 1
say(f"recorded in {elapsed:.1f} s wall ({rounds} run(s); {slept:.0f} s of the burst's lull not counted), "
    f"{len(calls)} Xero calls:")
for key, value in sorted(by_kind.items()):
    say(f"    {value:5d} × {key}")
say(f"SQL: {queries} queries from webhook receipt to booked in Xero, {queries / COUNT:.2f} per payment "
    f"(target <= 5: {'met' if queries / COUNT <= 5 else f'missed by {queries / COUNT - 5:.2f}'}); by phase, "
    "per payment: " + ", ".join(f"{k} {v / COUNT:.2f}" for k, v in phase_queries.items())
    + f"; peak memory of this Odoo process {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
# The fewest calls the batching allows: Xero's four reads of the run (Organisation, Currencies, Accounts, Contacts),
# the clearing account, the new customers 50 a call, then invoices, payments and fees 50 a call, the transfer.
batches = -(-COUNT // 50)
minimum = 4 + 1 + -(-CUSTOMERS // 50) + 3 * batches + 1
say(f"Xero calls per 1,000 payments: {len(calls) * 1000 / COUNT:.1f}, minimum {minimum * 1000 / COUNT:.1f} "
    f"({len(calls)} vs {minimum} = 4 reads + 1 clearing account + ceil({CUSTOMERS}/50) contacts + "
    f"3 x ceil({COUNT}/50) invoices, payments, fees + 1 transfer)")
say(f"Stripe API reads per payment: {stripe_reads[0] / COUNT:.2f}, minimum 0.00 (each event carries its charge "
    "with the balance transaction expanded; as Stripe really sends them: below)")

for phase in sorted({p for p, _ in profile}):
    say(f"-- most frequent queries in {phase}:")
    for (_p, text), n in sorted(((k, v) for k, v in profile.items() if k[0] == phase), key=lambda kv: -kv[1])[:25]:
        say(f"  {n:6d}  {text}")
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

# As Stripe really sends a card payment: payment_intent.succeeded and charge.succeeded (either first), the charge
# naming its balance transaction by id (Stripe's webhooks never expand it), so the fee is read from Stripe's API:
# one read per payment at least. Stripe's API is a stand-in on loopback (tests/provider_stand_in.py).
REAL = min(COUNT, 200)
stand_in = ProviderStandIn()
env["ir.config_parameter"].sudo().set_param("xero_connector.stripe_api_url", stand_in.url)
company.sudo().xero_stripe_api_key = STRIPE_KEY
env.cr.commit()


def real_pass(tag, version, basil):
    """REAL payments as Stripe sends them, events in API ``version`` (``basil``: 2025-03-31 or later)."""
    env.cr.commit()
    stand_in.requests.clear()
    stripe_reads[0] = 0
    requests.delete(f"{url}/_sandbox/log", timeout=10)
    real_before = sql_db.sql_counter
    for n in range(REAL):
        amount, fee = 1500 + (n % 11) * 25, 74
        charge_id, intent_id, txn_id = f"ch_{tag}{n:05d}", f"pi_{tag}{n:05d}", f"txn_{tag}{n:05d}"
        stand_in.data["balance_transactions"][txn_id] = {
            "id": txn_id, "object": "balance_transaction", "amount": amount, "currency": "usd", "fee": fee,
            "net": amount - fee, "exchange_rate": None,
            "fee_details": [{"amount": fee, "currency": "usd", "type": "stripe_fee"}]}
        charge = {"id": charge_id, "object": "charge", "amount": amount, "amount_captured": amount, "currency": "usd",
                  "status": "succeeded", "paid": True, "captured": True, "created": created + n,
                  "payment_intent": intent_id, "invoice": None, "balance_transaction": txn_id,
                  "description": "Coffee subscription box", "metadata": {},
                  "billing_details": {"email": f"customer{n % CUSTOMERS:04d}@bench.example",
                                      "name": f"Bench Customer {n % CUSTOMERS:04d}"}}
        stand_in.data["charges"][charge_id] = charge
        stand_in.data["payment_intents"][intent_id] = {"id": intent_id, "object": "payment_intent",
                                                       "latest_charge": charge_id}
        intent = {"id": intent_id, "object": "payment_intent", "amount": amount, "amount_received": amount,
                  "currency": "usd", "status": "succeeded", "latest_charge": charge_id, "invoice": None,
                  "receipt_email": f"customer{n % CUSTOMERS:04d}@bench.example", "created": created + n, "metadata": {}}
        if basil:  # 2025-03-31 and later: neither the charge nor the intent names an invoice
            del charge["invoice"], intent["invoice"]
        pair = [("payment_intent.succeeded", intent), ("charge.succeeded", charge)]
        for kind, obj in pair if n % 2 else pair[::-1]:
            event = {"id": f"evt_{tag}_{kind}_{n}", "object": "event", "type": kind,
                     "created": created + COUNT + 100 + n, "data": {"object": obj}}
            if version:
                event["api_version"] = version
            Event._xero_receive_stripe(company, event)
    env.cr.commit()
    settle()
    real_queries = sql_db.sql_counter - real_before
    real_paths = [path for path, _auth in stand_in.requests if path.startswith("/v1/")]
    real_payments = [p for p in requests.get(f"{org_url}/Payments", timeout=60).json()["Payments"]
                     if p["Reference"].startswith(f"ch_{tag}") and p["Status"] != "DELETED"]
    if basil:
        say(f"as Stripe sends them in API version {version} ({REAL} payments, neither event names an invoice): "
            f"Stripe API reads per payment {len(real_paths) / REAL:.2f}, minimum 2.00 (the fee, only in the balance "
            f"transaction, and the invoice a payment intent pays, only in Stripe's invoice payments: neither is in "
            f"an event, and no one read returns both); {real_queries / REAL:.2f} SQL queries per payment; "
            f"{len(real_payments)} payments in Xero, {len({p['Reference'] for p in real_payments})} distinct")
        return
    say(f"as Stripe sends them ({REAL} payments, each told by payment_intent.succeeded and charge.succeeded, the balance "
        f"transaction by id): Stripe API reads per payment {len(real_paths) / REAL:.2f}, minimum 1.00 (the fee is only "
        f"in the balance transaction, which no event carries); {real_queries / REAL:.2f} SQL queries per payment "
        f"(two events each); {len(real_payments)} payments in Xero, "
        f"{len({p['Reference'] for p in real_payments})} distinct")


real_pass("real", None, False)
real_pass("basil", "2025-03-31.basil", True)
stand_in.stop()

# The intake above stores every event in one transaction (1 INSERT each). A real delivery is an HTTP request of
# its own: its company found by the secret that verifies it (the secrets are read once per worker), the INSERT,
# the payment cron woken (a trigger already due is joined: models/xero_cron.py), a commit. What the webhook route
# runs for one signed delivery (controllers/payments.py, without Odoo's HTTP layer; the first delivery reads the
# secrets and adds the trigger, the next ones join it, as deliveries do between two runs of the cron):
PROBES = 50
spent = 0
for n in range(PROBES):
    body = json.dumps({"id": f"evt_probe{n}_{uuid.uuid4().hex[:8]}", "object": "event", "type": "charge.succeeded",
                       "created": created + COUNT + 10 + n, "data": {"object": {
                           "id": f"ch_probe{n}", "object": "charge", "amount": 100, "currency": "usd",
                           "status": "succeeded", "paid": True, "balance_transaction": None}}}).encode()
    stamp = int(time.time())
    signature = hmac.new(b"whsec_bench", f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
    before = sql_db.sql_counter
    with env.registry.cursor() as request_cr:
        Delivery = env(cr=request_cr)["xero.payment.event"].sudo()
        who = Delivery._xero_verified_company("stripe", body, f"t={stamp},v1={signature}")
        with delivery_env(Delivery.env) as delivery:
            assert Delivery.with_env(delivery)._xero_receive_stripe(who, json.loads(body), wake=True) == "stored"
    spent += sql_db.sql_counter - before
per_delivery = spent / PROBES
whole = (queries + (per_delivery - 1) * (COUNT + 1)) / COUNT
say(f"one webhook delivery in its own transaction (as Odoo answers it): {per_delivery:.2f} SQL queries (the INSERT "
    "and the payment cron's trigger joined; the secrets read once per worker); with each of the "
    f"{COUNT + 1} events delivered so, {whole:.2f} per payment (target <= 5: "
    f"{'met' if whole <= 5 else f'missed by {whole - 5:.2f}'})")
sandbox.stop()
