"""Stripe and GoCardless webhooks → payments, invoices and fees in the sandbox's books.

Signatures are computed here from the providers' published schemes (hmac/hashlib written out), never
with the addon's helpers. GoCardless' API and the two reads of Stripe's API the connector makes are a
stand-in served on loopback by the test.
"""
import hashlib
import hmac
import json
import random
import threading
import time
import uuid
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from unittest.mock import patch
from urllib.parse import parse_qs, urlparse

from odoo.fields import Command
from odoo.tests import TransactionCase, tagged

from ..xero import parse_xero_date
from .common import XeroHttpCase
from .test_webhook import DEEP, LIMIT, NoTraceback, raw_post

STRIPE_SECRET = "whsec_test_5f0c1c0ffee0123456789abcdef"
GC_SECRET = "gc_webhook_secret_0123456789ABCDEF"
GC_TOKEN = "gc_access_token_test"
STRIPE_KEY = "rk_test_51ReadChargesOnly"
PAYMENTS_LOGGER = "odoo.addons.xero_connector.controllers.payments"


def stripe_header(body, secret, timestamp=None):
    """Stripe-Signature: t=<unix>,v1=hex(HMAC-SHA256(secret, "<t>.<raw body>"))."""
    timestamp = int(time.time()) if timestamp is None else int(timestamp)
    signed = str(timestamp).encode() + b"." + body
    return f"t={timestamp},v1={hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()}"


def gocardless_signature(body, secret):
    """Webhook-Signature: hex(HMAC-SHA256(secret, raw body))."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def empty_provider_data():
    return {"payments": {}, "mandates": {}, "customers": {}, "payout_items": {}, "charges": {},
            "payment_intents": {}, "balance_transactions": {}, "refunds": {}, "payouts": {}, "invoice_payments": []}


class ProviderStandIn:
    """The providers' APIs for the reads the connector makes. GoCardless: payments, mandates, customers,
    payout items; Stripe (under /v1): a charge or a payment intent, expanded as asked, and the list of invoice
    payments (by invoice or by payment intent)."""

    def __init__(self):
        self.data = empty_provider_data()
        self.requests = []
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                url = urlparse(self.path)
                stand_in.requests.append((url.path, self.headers.get("Authorization")))
                parts = url.path.strip("/").split("/")
                body, status = None, 200
                if parts[0] == "v1":
                    body, status = stand_in.stripe(parts[1:], parse_qs(url.query), self.headers.get("Authorization"))
                elif self.headers.get("Authorization") != f"Bearer {GC_TOKEN}":
                    body, status = {"error": {"message": "Invalid access token"}}, 401
                elif parts[0] == "payout_items":
                    payout = parse_qs(url.query).get("payout", [""])[0]
                    body = {"payout_items": stand_in.data["payout_items"].get(payout, []),
                            "meta": {"cursors": {"before": None, "after": None}, "limit": 500}}
                elif len(parts) == 2 and parts[1] in stand_in.data.get(parts[0], {}):
                    body = {parts[0]: stand_in.data[parts[0]][parts[1]]}
                else:
                    body, status = {"error": {"message": "Resource not found"}}, 404
                raw = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stripe(self, parts, query, authorization):
        """Stripe's GET /v1/charges/{id} and /v1/payment_intents/{id} (ids only unless expanded), and
        GET /v1/invoice_payments?invoice=… or ?payment[type]=payment_intent&payment[payment_intent]=…"""
        if authorization != f"Bearer {STRIPE_KEY}":
            return {"error": {"type": "invalid_request_error", "message": "Invalid API Key provided: rk_***"}}, 401
        expand = query.get("expand[]", [])
        if parts == ["invoice_payments"]:
            invoice, intent = query.get("invoice", [None])[0], query.get("payment[payment_intent]", [None])[0]
            found = [p for p in self.data["invoice_payments"] if (not invoice or p["invoice"] == invoice)
                     and (not intent or p["payment"].get("payment_intent") == intent)]
            return {"object": "list", "data": found, "has_more": False, "url": "/v1/invoice_payments"}, 200
        if len(parts) != 2 or parts[1] not in self.data.get(parts[0], {}):
            return {"error": {"type": "invalid_request_error", "code": "resource_missing",
                              "message": f"No such {parts[0][:-1].replace('_', ' ')}: '{parts[-1]}'"}}, 404
        record = dict(self.data[parts[0]][parts[1]])
        if parts[0] == "payment_intents":
            charge = self.data["charges"].get(record.get("latest_charge"))
            if "latest_charge.balance_transaction" in expand and charge:
                record["latest_charge"] = dict(charge, balance_transaction=self.data["balance_transactions"].get(
                    charge["balance_transaction"]))
        elif "balance_transaction" in expand:
            record["balance_transaction"] = self.data["balance_transactions"].get(record["balance_transaction"])
        return record, 200

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


class XeroPaymentCase(XeroHttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.gc = ProviderStandIn()
        cls.addClassCleanup(cls.gc.stop)

    def setUp(self):
        super().setUp()
        self.org = self.sandbox_orgs[0]["tenant_id"]  # USD, + EUR
        self.connection = self._xero_connect(self.xero_admin, tenants=[self.org])
        self.assertEqual(self.connection.state, "connected")
        self.company.sudo().write({
            "xero_sales_account_code": "200", "xero_tax_type": "OUTPUT", "xero_invoice_status": "AUTHORISED",
            "xero_auto_export": "none", "xero_auto_export_invoices": False,
            "xero_stripe_webhook_secret": STRIPE_SECRET, "xero_gocardless_webhook_secret": GC_SECRET,
            "xero_gocardless_access_token": GC_TOKEN, "xero_payment_fee_account_code": "404",
            "xero_stripe_api_key": STRIPE_KEY,
            "xero_stripe_account_code": False, "xero_gocardless_account_code": False,
            "xero_gocardless_record_on": "paid_out", "xero_payment_refunds": True,
        })
        self.env["ir.config_parameter"].sudo().set_param("xero_connector.gocardless_api_url", self.gc.url)
        self.env["ir.config_parameter"].sudo().set_param("xero_connector.stripe_api_url", self.gc.url)
        self.gc.data = empty_provider_data()
        self.gc.requests.clear()
        self.Event = self.env["xero.payment.event"].sudo()
        self.Payment = self.env["xero.payment"].sudo()

    # -- sandbox ------------------------------------------------------------------------------------
    def xero(self, collection):
        return self.sandbox_get(f"/_sandbox/orgs/{self.org}/{collection}")[collection]

    def account(self, name):
        return [a for a in self.xero("Accounts") if a["Name"] == name]

    def payments_ref(self, reference):
        return [p for p in self.xero("Payments") if p["Reference"] == reference and p["Status"] != "DELETED"]

    def invoice_of(self, invoice_id):
        return next(i for i in self.xero("Invoices") if i["InvoiceID"] == invoice_id)

    # -- Stripe -------------------------------------------------------------------------------------
    @staticmethod
    def stripe_event(event_type, obj, event_id=None, created=None, api_version="2024-06-20"):
        return {"id": event_id or f"evt_{uuid.uuid4().hex[:24]}", "object": "event", "api_version": api_version,
                "created": created or int(time.time()), "type": event_type, "livemode": False,
                "data": {"object": obj}}

    def charge(self, charge_id=None, amount=2500, currency="usd", email="ana@lagoon.example", name="Ana Lagoon",
               intent=None, fee=None, invoice=None, metadata=None, status="succeeded", created=None, expanded=False,
               settled=None):
        """A charge as Stripe's webhooks carry it: its balance transaction by id (``expanded``: the whole of
        it, as events never do). Stripe's API (the stand-in) knows the charge, its intent and, when ``fee`` is
        given, its balance transaction (``settled``: (currency, exchange_rate) of another settlement currency)."""
        charge_id = charge_id or f"ch_{uuid.uuid4().hex[:24]}"
        balance = None
        if fee is not None:
            settled_currency, rate = settled or (currency, None)
            balance = {"id": f"txn_{charge_id[3:]}", "object": "balance_transaction",
                       "amount": round(amount * (rate or 1)), "currency": settled_currency, "exchange_rate": rate,
                       "fee": fee, "net": round(amount * (rate or 1)) - fee,
                       "fee_details": [{"amount": fee, "currency": settled_currency, "type": "stripe_fee"}]}
            self.gc.data["balance_transactions"][balance["id"]] = balance
        charge = {"id": charge_id, "object": "charge", "amount": amount, "amount_captured": amount,
                  "amount_refunded": 0, "currency": currency, "status": status, "paid": status == "succeeded",
                  "captured": True, "created": created or 1772366400, "payment_intent": intent, "invoice": invoice,
                  "balance_transaction": balance["id"] if balance else None,
                  "billing_details": {"email": email, "name": name},
                  "receipt_email": email, "metadata": metadata or {}, "description": "Espresso subscription box"}
        self.gc.data["charges"][charge_id] = charge
        if intent:
            self.gc.data["payment_intents"][intent] = {"id": intent, "object": "payment_intent",
                                                        "latest_charge": charge_id}
        return dict(charge, balance_transaction=balance) if expanded else dict(charge)

    def stripe_reads(self):
        return [path for path, _auth in self.gc.requests if path.startswith("/v1/")]

    def post_stripe(self, event=None, body=None, header=None, sign=True):
        body = body if body is not None else json.dumps(event).encode()
        headers = {"Content-Type": "application/json"}
        if sign:
            headers["Stripe-Signature"] = header if header is not None else stripe_header(body, STRIPE_SECRET)
        return self.url_open("/xero/webhook/stripe", data=body, headers=headers, allow_redirects=False)

    # -- GoCardless ---------------------------------------------------------------------------------
    def post_gocardless(self, events=None, body=None, signature=None, sign=True):
        body = body if body is not None else json.dumps({"events": events}).encode()
        headers = {"Content-Type": "application/json"}
        if sign:
            headers["Webhook-Signature"] = signature if signature is not None else gocardless_signature(body, GC_SECRET)
        return self.url_open("/xero/webhook/gocardless", data=body, headers=headers, allow_redirects=False)

    @staticmethod
    def gc_event(action, payment, payout=None, created="2026-03-02T10:00:00.000Z", resource="payments"):
        links = {"payment": payment} if resource == "payments" else {resource[:-1]: payment}
        if payout:
            links["payout"] = payout
        return {"id": f"EV{uuid.uuid4().hex[:12].upper()}", "created_at": created, "resource_type": resource,
                "action": action, "links": links, "details": {"origin": "gocardless", "cause": action}}

    def gc_payment(self, payment_id, amount, currency="USD", subscription=None, email="finance@mole.example",
                   charge_date="2026-03-01", metadata=None, status="paid_out", payout=None):
        mandate, customer = f"MD{payment_id[2:]}", f"CU{payment_id[2:]}"
        links = {"mandate": mandate, "subscription": subscription} if subscription else {"mandate": mandate}
        if payout:
            links["payout"] = payout
        self.gc.data["payments"][payment_id] = {
            "id": payment_id, "amount": amount, "currency": currency, "charge_date": charge_date,
            "description": "Roastery membership", "status": status, "metadata": metadata or {}, "links": links}
        self.gc.data["mandates"][mandate] = {"id": mandate, "links": {"customer": customer}}
        self.gc.data["customers"][customer] = {"id": customer, "email": email, "company_name": "Mole Coffee Co",
                                                "given_name": "Rita", "family_name": "Mole"}

    def gc_payout(self, payout_id, amount, arrival, items):
        """A paid GoCardless payout (net ``amount`` in minor units) and its items: (type, minor amount, payment)."""
        self.gc.data["payout_items"][payout_id] = [
            {"type": kind, "amount": f"{minor:.1f}", "links": {"payment": payment}} for kind, minor, payment in items]
        self.gc.data["payouts"][payout_id] = {"id": payout_id, "amount": amount, "currency": "USD",
                                              "arrival_date": arrival, "status": "paid"}

    def process(self):
        self.Event._cron_xero_payment_events()
        self.env.invalidate_all()


@tagged("post_install", "-at_install")
class TestPaymentWebhooks(XeroPaymentCase):
    def test_stripe_valid_delivery_stored_once(self):
        event = self.stripe_event("charge.succeeded", self.charge())
        body = json.dumps(event).encode()
        cron = self.env.ref("xero_connector.ir_cron_xero_payment_events")
        triggers = self.env["ir.cron.trigger"].sudo().search_count([("cron_id", "=", cron.id)])
        for _attempt in range(3):  # answering time: bench/ (figures), not a timed test
            answer = self.post_stripe(body=body)
            self.assertEqual(answer.status_code, 200, answer.text)
        stored = self.Event.search([("event_id", "=", event["id"])])
        self.assertRecordValues(stored, [{"provider": "stripe", "company_id": self.company.id, "state": "pending",
                                          "event_type": "charge.succeeded", "object_id": event["data"]["object"]["id"]}])
        self.assertGreater(self.env["ir.cron.trigger"].sudo().search_count([("cron_id", "=", cron.id)]), triggers)
        self.assertFalse(self.xero("Payments"), "nothing is sent to Xero while answering")

    def test_stripe_refused_and_nothing_stored(self):
        event = self.stripe_event("charge.succeeded", self.charge())
        body = json.dumps(event).encode()
        good = stripe_header(body, STRIPE_SECRET)
        tampered = body.replace(b"2500", b"9500")
        cases = {
            "tampered body": {"body": tampered, "header": good},
            "wrong secret": {"body": body, "header": stripe_header(body, "whsec_someone_else")},
            # well outside the 300 s window (the exact boundary is tested in tests/lib with a fixed clock:
            # here a truncated "now + 301" met the server's later clock at exactly 300 s and was accepted)
            "old timestamp": {"body": body, "header": stripe_header(body, STRIPE_SECRET, time.time() - 330)},
            "future timestamp": {"body": body, "header": stripe_header(body, STRIPE_SECRET, time.time() + 330)},
            "missing header": {"body": body, "sign": False},
            "v0 only": {"body": body, "header": good.replace("v1=", "v0=")},
        }
        with self.assertLogs("odoo.addons.xero_connector.controllers.payments", "WARNING"):
            for label, kwargs in cases.items():
                answer = self.post_stripe(**kwargs)
                self.assertEqual(answer.status_code, 400, label)
        self.assertFalse(self.Event.search([]), "nothing stored")
        # Any v1 may match (Stripe sends one per active secret while rolling it).
        now = int(time.time())
        old_secret = stripe_header(body, "whsec_old", now).split(",")[1]
        right = stripe_header(body, STRIPE_SECRET, now).split(",")[1]
        self.assertEqual(self.post_stripe(body=body, header=f"t={now},{old_secret},{right}").status_code, 200)
        # No secret configured: refused, never accepted unsigned.
        self.Event.search([]).unlink()
        self.company.sudo().xero_stripe_webhook_secret = False
        with self.assertLogs("odoo.addons.xero_connector.controllers.payments", "WARNING"):
            self.assertEqual(self.post_stripe(body=body).status_code, 400)
            self.assertEqual(self.post_stripe(body=body, sign=False).status_code, 400)
        self.assertFalse(self.Event.search([]))

    def test_stripe_secret_names_the_company(self):
        other = self.env["res.company"].create({"name": "Second Roastery", "currency_id": self.company.currency_id.id})
        other.sudo().xero_stripe_webhook_secret = "whsec_second_company"
        event = self.stripe_event("charge.succeeded", self.charge())
        body = json.dumps(event).encode()
        self.assertEqual(self.post_stripe(body=body, header=stripe_header(body, "whsec_second_company")).status_code,
                         200)
        self.assertEqual(self.Event.search([("event_id", "=", event["id"])]).company_id, other)

    def test_gocardless_signature(self):
        body = json.dumps({"events": [self.gc_event("paid_out", "PM000001")]}).encode()
        with self.assertLogs("odoo.addons.xero_connector.controllers.payments", "WARNING"):
            self.assertEqual(self.post_gocardless(body=body, signature="0" * 64).status_code, 498)
            self.assertEqual(self.post_gocardless(body=body, sign=False).status_code, 498)
            self.assertEqual(self.post_gocardless(body=body + b" ", signature=gocardless_signature(body, GC_SECRET))
                             .status_code, 498)
            self.assertEqual(self.post_gocardless(body=body, signature=gocardless_signature(body, "nope"))
                             .status_code, 498)
        self.assertFalse(self.Event.search([]))
        for _attempt in range(3):
            self.assertEqual(self.post_gocardless(body=body).status_code, 200)
        self.assertEqual(self.Event.search_count([]), 1)
        only_unknown = [self.gc_event("created", "MD000001", resource="mandates"),
                        self.gc_event("created", "SB000001", resource="subscriptions")]
        self.assertEqual(self.post_gocardless(only_unknown).status_code, 204)
        self.assertEqual(self.Event.search_count([]), 1)
        self.company.sudo().xero_gocardless_webhook_secret = False
        with self.assertLogs("odoo.addons.xero_connector.controllers.payments", "WARNING"):
            self.assertEqual(self.post_gocardless(body=body).status_code, 498)


    def test_bodies_over_one_mib_refused_before_they_are_read(self):
        """413 on the Content-Length alone (the body is never sent: reading it would wait, then time out), and
        for a chunked body once 1 MiB and a byte are read, signature or not; one warning line, nothing stored."""
        routes = {
            "/xero/webhook/stripe": ("Stripe", lambda body: {"Stripe-Signature": stripe_header(body, STRIPE_SECRET)}),
            "/xero/webhook/gocardless": ("GoCardless",
                                         lambda body: {"Webhook-Signature": gocardless_signature(body, GC_SECRET)}),
        }
        pad = b"x" * LIMIT
        bodies = {"/xero/webhook/stripe": json.dumps(self.stripe_event("charge.succeeded", self.charge())).encode(),
                  "/xero/webhook/gocardless": json.dumps({"events": [self.gc_event("paid_out", "PM0901")]}).encode()}
        for path, (label, sign) in routes.items():
            big = bodies[path][:-1] + b', "pad": "' + pad + b'"}'
            headers = dict(sign(big), **{"Content-Type": "application/json"})
            with self.subTest(path), self.assertLogs(PAYMENTS_LOGGER, "WARNING") as logs:
                status, _content, seconds = raw_post(self, path, dict(headers, **{"Content-Length": str(LIMIT + 1)}))
                self.assertEqual(status, 413)
                self.assertLess(seconds, 4, "answered at once (the server's read timeout is 5 s)")
                status, _content, _seconds = raw_post(self, path, dict(headers, **{"Transfer-Encoding": "chunked"}),
                                                      chunks=[big[i:i + 65536] for i in range(0, len(big), 65536)])
                self.assertEqual(status, 413)
            self.assertEqual(len(logs.output), 2, logs.output)
            refused = f"{label} webhook refused (413) from 127.0.0.1:"
            self.assertIn(f"{refused} Content-Length {LIMIT + 1} is over", logs.output[0])
            self.assertIn(f"{refused} the body (no Content-Length)", logs.output[1])
        self.assertFalse(self.Event.search([]), "nothing stored")
        # Just under the limit: read and stored.
        for path, (_label, sign) in routes.items():
            body = bodies[path][:-1] + b', "pad": "'
            body += b"x" * (LIMIT - len(body) - 2) + b'"}'
            self.assertEqual(len(body), LIMIT)
            answer = self.url_open(path, data=body, headers=dict(sign(body), **{"Content-Type": "application/json"}))
            self.assertEqual(answer.status_code, 200, path)
        self.assertEqual(self.Event.search_count([]), 2)

    def test_signed_malformed_or_deeply_nested_json(self):
        """Correctly signed, but not JSON, or 100,000 levels deep (json.loads alone raises RecursionError: a 500
        with a traceback before): 400 and a warning naming the cause, no error logged, nothing stored."""
        bodies = {
            "nested array": (b"[" * DEEP + b"]" * DEEP, f"nested {DEEP} levels deep"),
            "nested object": (b'{"data": {"object": ' + b"[" * DEEP + b"]" * DEEP + b"}}", f"nested {DEEP + 2} levels"),
            "not json": (b'{"id": "evt_1", ', "not JSON"),
            "not utf-8": (b'{"id": "\xff"}', "not UTF-8"),
            "an array": (b"[]", "an array, not an object"),
        }
        for label, (body, cause) in bodies.items():
            with self.subTest(label), NoTraceback() as logs:
                stripe = self.post_stripe(body=body)
                gocardless = self.post_gocardless(body=body)
            self.assertEqual((stripe.status_code, stripe.json()), (400, {"error": "malformed JSON"}))
            self.assertEqual(gocardless.status_code, 400)
            self.assertEqual(logs.errors, [])
            self.assertIn(cause, "\n".join(logs.warnings(PAYMENTS_LOGGER)))
            self.assertEqual(len(logs.warnings(PAYMENTS_LOGGER)), 2)
        # JSON of the wrong shape, signed: refused (Stripe) or not for us (GoCardless), never a 500.
        shapes = [{"id": "evt_1", "type": ["charge.succeeded"]},
                  {"id": "evt_2", "type": "charge.succeeded", "data": []},
                  {"id": "evt_3", "type": "charge.succeeded", "data": {"object": "ch_1"}}]
        with NoTraceback() as logs:
            for event in shapes:
                self.assertEqual(self.post_stripe(event).status_code, 400, event)
            for event in [{"id": "EV1", "resource_type": ["payments"], "action": "paid_out"},
                          {"id": "EV2", "resource_type": "payments", "action": "paid_out", "links": ["PM1"]},
                          {"id": "EV3", "resource_type": "payments", "action": {"a": 1}, "links": {}}]:
                self.assertEqual(self.post_gocardless([event]).status_code, 204, event)
        self.assertEqual(logs.errors, [])
        self.assertFalse(self.Event.search([]), "nothing stored")


@tagged("post_install", "-at_install")
class TestPaymentReferences(TransactionCase):
    def test_references_sent_to_xero_are_the_same_in_every_language(self):
        """What is sent to Xero and searched for after a lost answer (References) is stable text: a user's language
        changes neither (here every translation says something else)."""
        Payment, company = self.env["xero.payment"].sudo(), self.env.company
        rows = {
            "payment": Payment._xero_upsert(company, "stripe", "pi_1", {
                "charge_ref": "ch_1", "period_start": date(2026, 3, 1), "period_end": date(2026, 4, 1)}),
            "refund": Payment._xero_upsert(company, "stripe", "re_1", {"charge_ref": "ch_1"}, kind="refund"),
            "payout": Payment._xero_upsert(company, "gocardless", "PO1", {"charge_ref": "PO1"}, kind="payout"),
            "fee": Payment._xero_upsert(company, "gocardless", "PO1/PM1", {"charge_ref": "PM1"}, kind="fee"),
        }

        def references():
            return {kind: (row._xero_reference(), row._xero_invoice_reference(), row._xero_fee_reference())
                    for kind, row in rows.items()}

        english = references()
        with patch.object(type(self.env), "_", lambda env, source, *args, **kwargs: "« traduit »"):
            self.assertEqual(references(), english)
        self.assertEqual(english, {
            "payment": ("Stripe ch_1", "Stripe ch_1 period 2026-03-01 – 2026-04-01", "Stripe fee ch_1"),
            "refund": ("Stripe refund re_1 of ch_1", "Stripe refund re_1 of ch_1", "Stripe fee ch_1"),
            "payout": ("GoCardless payout PO1", "GoCardless payout PO1", "GoCardless fee PO1"),
            "fee": ("GoCardless PM1", "GoCardless PM1", "GoCardless fee PO1/PM1"),
        })


@tagged("post_install", "-at_install")
class TestStripePayments(XeroPaymentCase):
    def test_charges_lacking_what_recording_needs_fail_and_book_nothing(self):
        """No amount, no currency, a currency that is none, a description longer than the 4,000 characters Xero
        takes in an invoice line: each event fails at once with the cause (not retried by the cron), and no
        xero.payment nor xero.job is made for it; the good charge of the same run is recorded."""
        no_amount = self.charge()
        del no_amount["amount"], no_amount["amount_captured"]
        no_currency = dict(self.charge(), currency=None)
        not_a_currency = self.charge(currency="usdollars")
        too_long = dict(self.charge(), description="d" * 4001)
        good = dict(self.charge(amount=1999), description="g" * 4000)  # the limit itself is fine
        bad = {"no amount": (no_amount, "“amount_captured / amount” is missing"),
               "no currency": (no_currency, "“currency” is missing"),
               "not a currency": (not_a_currency, "“currency” is “usdollars”, not a currency code"),
               "too long": (too_long, "“description” is 4,001 characters long, more than the 4,000 Xero accepts")}
        events = {}
        for label, (charge, _cause) in list(bad.items())[:2] + [("good", (good, None))] + list(bad.items())[2:]:
            events[label] = self.stripe_event("charge.succeeded", charge)
            self.assertEqual(self.post_stripe(events[label]).status_code, 200)
        self.process()
        stored = {label: self.Event.search([("event_id", "=", event["id"])]) for label, event in events.items()}
        for label, (charge, cause) in bad.items():
            with self.subTest(label):
                event = stored[label]
                self.assertEqual((event.state, event.attempts, event.next_try, event.payment_id.id),
                                 ("failed", 5, False, False), event.outcome)
                self.assertIn(f"Stripe event {events[label]['id']} (charge.succeeded) cannot be recorded: in charge "
                              f"{charge['id']}, {cause}", event.outcome)
                self.assertIn("Nothing was booked in Xero.", event.outcome)
        self.assertEqual(stored["good"].state, "done", stored["good"].outcome)
        payment = stored["good"].payment_id
        self.assertEqual(self.Payment.search([]), payment, "no xero.payment for the events that failed")
        jobs = self.env["xero.job"].sudo().search([("res_model", "=", "xero.payment")])
        self.assertEqual(set(jobs.mapped("res_id")), {payment.id}, "no xero.job either")
        [pay] = self.payments_ref(good["id"])
        self.assertEqual(pay["Amount"], 19.99)
        [line] = self.invoice_of(pay["Invoice"]["InvoiceID"])["LineItems"]
        self.assertEqual(len(line["Description"]), 4000)
        self.assertFalse([p for p in self.xero("Payments") if p["Reference"] != good["id"]])
        # The cron does not try them again (the event will not change); nothing moves.
        self.process()
        self.assertEqual({label: e.state for label, e in stored.items()},
                         dict.fromkeys(bad, "failed") | {"good": "done"})
        self.assertEqual(self.Payment.search_count([]), 1)

    def test_payment_without_invoice_delivered_three_times(self):
        charge = self.charge(amount=4250, email="Ana@Lagoon.example")
        event = self.stripe_event("charge.succeeded", charge)
        for _attempt in range(3):
            self.assertEqual(self.post_stripe(event).status_code, 200)
        self.process()
        stored = self.Event.search([("event_id", "=", event["id"])])
        self.assertEqual(stored.state, "done", stored.outcome)
        payment = stored.payment_id
        self.assertEqual(payment.xero_state, "done", payment.job_ids.mapped("error"))
        partner = self.env["res.partner"].search([("email_normalized", "=", "ana@lagoon.example")])
        self.assertEqual(len(partner), 1, "the customer is created once, matched by email")
        self.assertEqual(payment.partner_id, partner)
        stripe_account = self.account("Stripe")
        self.assertEqual(len(stripe_account), 1)
        self.assertEqual(stripe_account[0]["Type"], "BANK")
        [pay] = self.payments_ref(charge["id"])
        self.assertEqual(pay["Amount"], 42.5)
        self.assertEqual(parse_xero_date(pay["Date"]).date().isoformat(), "2026-03-01", "dated when paid")
        self.assertEqual(pay["Account"]["AccountID"], stripe_account[0]["AccountID"])
        invoice = self.invoice_of(pay["Invoice"]["InvoiceID"])
        self.assertEqual(invoice["Status"], "PAID")
        self.assertEqual(invoice["Contact"]["ContactID"], partner.with_company(self.company).xero_contact_id)
        self.assertEqual(invoice["Reference"], f"Stripe {charge['id']}")
        self.assertEqual(invoice["Total"], 42.5)
        # Delivered again later, and processed again: nothing changes twice.
        self.assertEqual(self.post_stripe(event).status_code, 200)
        self.Event.search([]).action_xero_retry()
        self.process()
        self.assertEqual(len(self.payments_ref(charge["id"])), 1)
        self.assertEqual(len([i for i in self.xero("Invoices") if i["Reference"] == f"Stripe {charge['id']}"]), 1)
        self.assertEqual(self.Payment.search_count([]), 1)

    def test_payment_of_an_exported_invoice(self):
        customer = self.env["res.partner"].create({"name": "Harbour Roasters Ltd", "email": "ap@harbour.example",
                                                   "is_company": True})
        move = self.env["account.move"].create({
            "move_type": "out_invoice", "partner_id": customer.id,
            "invoice_line_ids": [Command.create({"name": "Roasting service", "quantity": 1, "price_unit": 80.0,
                                                 "tax_ids": False})],
        })
        move.action_post()
        job = self.env["xero.job"].sudo()._xero_enqueue(move, "invoice")
        self.env["xero.job"].sudo()._xero_send(jobs=job)
        self.assertEqual(job.state, "done", job.error)
        invoices_before = len(self.xero("Invoices"))
        charge = self.charge(amount=8000, email="someone-else@example.com", metadata={"odoo_invoice": move.name})
        self.post_stripe(self.stripe_event("charge.succeeded", charge))
        self.process()
        [pay] = self.payments_ref(charge["id"])
        self.assertEqual(pay["Invoice"]["InvoiceID"], move.xero_invoice_id)
        self.assertEqual(len(self.xero("Invoices")), invoices_before, "no second invoice")
        self.assertEqual(self.invoice_of(move.xero_invoice_id)["Status"], "PAID")
        # Shown in Odoo from the payment's answer (Xero embeds the invoice as the payment left it): no
        # Xero webhook event was processed here.
        self.assertEqual((move.xero_invoice_status, move.xero_amount_due, move.xero_paid), ("PAID", 0.0, True))
        self.assertFalse(self.env["res.partner"].search([("email", "=", "someone-else@example.com")]),
                         "the document's customer, not a new one")

    def test_payment_of_an_order_not_exported_yet(self):
        customer = self.env["res.partner"].create({"name": "Dockside Deli", "email": "hello@dockside.example"})
        product = self.env["product.product"].create({"name": "Cold brew keg", "list_price": 60.0})
        order = self.env["sale.order"].create({
            "partner_id": customer.id,
            "order_line": [Command.create({"product_id": product.id, "product_uom_qty": 2, "price_unit": 60.0,
                                           "tax_ids": False})]})
        intent = f"pi_{uuid.uuid4().hex[:24]}"
        charge = self.charge(amount=12000, intent=intent, email="hello@dockside.example",
                             metadata={"odoo_order": order.name})
        # Both events of one payment: one Xero payment.
        self.post_stripe(self.stripe_event("payment_intent.succeeded", {
            "id": intent, "object": "payment_intent", "amount": 12000, "amount_received": 12000, "currency": "usd",
            "invoice": None,
            "status": "succeeded", "latest_charge": charge["id"], "metadata": {"odoo_order": order.name},
            "receipt_email": "hello@dockside.example", "created": 1772366400}))
        self.post_stripe(self.stripe_event("charge.succeeded", charge))
        self.process()
        self.assertTrue(order.xero_invoice_id, "the order is exported first")
        [pay] = self.payments_ref(charge["id"])
        self.assertEqual(pay["Invoice"]["InvoiceID"], order.xero_invoice_id)
        self.assertEqual(pay["Amount"], 120.0)
        self.assertEqual(self.Payment.search_count([]), 1)

    def test_fee_booked_once_even_when_it_comes_later(self):
        charge = self.charge(amount=2000, fee=None)  # asynchronous capture: no balance transaction yet
        self.post_stripe(self.stripe_event("charge.succeeded", charge))
        self.process()
        self.assertEqual(len(self.payments_ref(charge["id"])), 1)
        self.assertFalse(self.xero("BankTransactions"))
        self.assertIn("not settled", self.Event.search([("object_id", "=", charge["id"])]).outcome)
        updated = self.charge(charge_id=charge["id"], amount=2000, fee=88)  # settled: Stripe now has its fee
        for _delivery in range(2):  # the update twice (two events), then the first again
            self.post_stripe(self.stripe_event("charge.updated", updated))
        self.post_stripe(self.stripe_event("charge.succeeded", self.charge(charge_id=charge["id"], amount=2000, fee=88)))
        self.process()
        self.assertEqual(self.stripe_reads(), [f"/v1/charges/{charge['id']}"] * 2,
                         "read when unknown: once unsettled, once settled; never again once known")
        [fee] = [t for t in self.xero("BankTransactions") if t["Status"] == "AUTHORISED"]
        self.assertEqual(fee["Type"], "SPEND")
        self.assertEqual(fee["Total"], 0.88)
        self.assertEqual(fee["BankAccount"]["AccountID"], self.account("Stripe")[0]["AccountID"])
        self.assertEqual(fee["LineItems"][0]["AccountCode"], "404")
        self.assertEqual(len(self.payments_ref(charge["id"])), 1)
        self.assertEqual(len(self.account("Stripe")), 1)

    def test_fee_with_the_charge(self):
        charge = self.charge(amount=10000, fee=320, expanded=True)
        self.post_stripe(self.stripe_event("charge.succeeded", charge))
        self.process()
        [fee] = self.xero("BankTransactions")
        self.assertEqual(fee["Total"], 3.2)
        self.assertEqual(fee["Reference"], f"Stripe fee {charge['id']}")
        self.assertFalse(self.stripe_reads(), "the event carried the balance transaction: Stripe is not asked")

    def test_fee_read_from_stripe(self):
        # What Stripe really sends: the balance transaction by id; the connector reads it (one call).
        charge = self.charge(amount=4200, fee=152, intent="pi_read_fee")
        self.assertIsInstance(charge["balance_transaction"], str)
        for _delivery in range(3):
            self.post_stripe(self.stripe_event("charge.succeeded", charge))
        self.post_stripe(self.stripe_event("payment_intent.succeeded", {
            "id": "pi_read_fee", "object": "payment_intent", "amount": 4200, "amount_received": 4200, "invoice": None,
            "currency": "usd", "status": "succeeded", "latest_charge": charge["id"], "receipt_email": "ana@lagoon.example",
            "created": 1772366400, "metadata": {}}))
        self.process()
        self.assertEqual(self.stripe_reads(), [f"/v1/charges/{charge['id']}"])
        self.assertEqual(self.gc.requests[0][1], f"Bearer {STRIPE_KEY}")
        [fee] = self.xero("BankTransactions")
        self.assertEqual((fee["Total"], fee["CurrencyCode"], fee["LineItems"][0]["AccountCode"]), (1.52, "USD", "404"))
        self.assertEqual(len(self.payments_ref(charge["id"])), 1)
        payment = self.Payment.search([("key", "=", "pi_read_fee")])
        self.assertEqual((payment.fee_amount, payment.xero_state), (1.52, "done"))

    def test_fee_of_a_subscription_payment_read_by_its_intent(self):
        charge = self.charge(amount=3000, fee=117, intent="pi_sub_only")
        self.post_stripe(self.stripe_event("invoice.paid", {
            "id": "in_sub_only", "object": "invoice", "number": "NUM-0001", "currency": "usd", "amount_paid": 3000,
            "customer_email": "club@beans.example", "customer_name": "Bean Club", "subscription": "sub_1",
            "payment_intent": "pi_sub_only", "status": "paid", "status_transitions": {"paid_at": 1772323260},
            "lines": {"object": "list", "data": [{"description": "Monthly beans", "amount": 3000, "quantity": 1,
                                                  "period": {"start": 1772323200, "end": 1775001600}}]}}))
        self.process()
        self.assertEqual(self.stripe_reads(), ["/v1/payment_intents/pi_sub_only"])
        [fee] = self.xero("BankTransactions")
        self.assertEqual(fee["Total"], 1.17)
        self.assertEqual(fee["Reference"], f"Stripe fee {charge['id']}", "the charge learnt from Stripe")

    def test_fee_without_a_stripe_key_or_with_a_wrong_one(self):
        charge = self.charge(amount=2500, fee=103)
        self.company.sudo().xero_stripe_api_key = False
        self.post_stripe(self.stripe_event("charge.succeeded", charge))
        self.process()
        event = self.Event.search([("object_id", "=", charge["id"])])
        self.assertEqual(event.state, "done")
        self.assertIn("set a Stripe API key", event.outcome)
        self.assertEqual(len(self.payments_ref(charge["id"])), 1, "the payment is recorded all the same")
        self.assertFalse(self.xero("BankTransactions"))
        self.assertFalse(self.stripe_reads())
        self.company.sudo().xero_stripe_api_key = "rk_test_revoked"
        event.action_xero_retry()
        self.process()
        self.assertIn("Invalid API Key", event.outcome)
        self.assertNotIn("rk_test_revoked", event.outcome)
        self.assertFalse(self.xero("BankTransactions"))
        self.company.sudo().xero_stripe_api_key = STRIPE_KEY
        event.action_xero_retry()
        self.process()
        [fee] = self.xero("BankTransactions")
        self.assertEqual(fee["Total"], 1.03)
        self.assertEqual(len(self.payments_ref(charge["id"])), 1, "retrying the event did not pay twice")

    def test_dispute_withdraws_and_reinstates_the_payment(self):
        charge = self.charge(amount=6000, intent="pi_disputed", fee=204)
        self.post_stripe(self.stripe_event("charge.succeeded", charge))
        self.process()
        [pay] = self.payments_ref(charge["id"])
        invoice_id = pay["Invoice"]["InvoiceID"]

        def dispute(kind, created, amount=6000, dispute_id="dp_1", transactions=()):
            return self.stripe_event(f"charge.dispute.{kind}", {
                "id": dispute_id, "object": "dispute", "amount": amount, "currency": "usd", "charge": charge["id"],
                "payment_intent": "pi_disputed", "reason": "fraudulent", "status": "needs_response",
                "balance_transactions": list(transactions)}, created=created)

        # Stripe's dispute fee comes with the withdrawal (its balance transaction, expanded in the dispute).
        taken = {"id": "txn_dispute_1", "object": "balance_transaction", "amount": -6000, "fee": 1500, "net": -7500,
                 "currency": "usd", "created": 1772400000, "reporting_category": "dispute"}
        withdrawn = dispute("funds_withdrawn", 1772400000, transactions=[taken])
        for _delivery in range(2):
            self.post_stripe(withdrawn)
        self.process()
        self.assertFalse(self.payments_ref(charge["id"]))
        invoice = self.invoice_of(invoice_id)
        self.assertEqual((invoice["Status"], invoice["AmountDue"]), ("AUTHORISED", 60.0))
        payment = self.Payment.search([("key", "=", "pi_disputed")])
        self.assertEqual(payment.xero_state, "reversed")
        self.assertIn("dp_1 (fraudulent)", payment.reversal_reason)
        [dispute_fee] = [t for t in self.xero("BankTransactions") if "txn_dispute_1" in t["Reference"]]
        self.assertEqual((dispute_fee["Type"], dispute_fee["Total"], dispute_fee["LineItems"][0]["AccountCode"]),
                         ("SPEND", 15.0, "404"))
        self.assertIn(charge["id"], dispute_fee["LineItems"][0]["Description"])
        self.assertEqual(self.Payment.search([("kind", "=", "fee")]).origin_id, payment)
        # The dispute is won, and Stripe gives the fee back (a second balance transaction; the dispute lists
        # both); a late copy of an older withdrawal (another event id) then changes nothing.
        given_back = {"id": "txn_dispute_2", "object": "balance_transaction", "amount": 6000, "fee": -1500,
                      "net": 7500, "currency": "usd", "created": 1772500000, "reporting_category": "dispute_reversal"}
        self.post_stripe(dispute("funds_reinstated", 1772500000, transactions=[taken, given_back]))
        self.process()
        [returned] = [t for t in self.xero("BankTransactions") if "txn_dispute_2" in t["Reference"]]
        self.assertEqual((returned["Type"], returned["Total"]), ("RECEIVE", 15.0))
        self.post_stripe(dispute("funds_withdrawn", 1772399000))
        self.process()
        [again] = self.payments_ref(charge["id"])
        self.assertEqual(again["Invoice"]["InvoiceID"], invoice_id)
        self.assertEqual(self.invoice_of(invoice_id)["Status"], "PAID")
        self.assertEqual(payment.xero_state, "done")
        self.assertIn("older", self.Event.search([("event_type", "=", "charge.dispute.funds_withdrawn")],
                                                 order="provider_created", limit=1).outcome)
        # A partial withdrawal is not guessed at: marked "not handled", nothing changes in Xero.
        self.post_stripe(dispute("funds_withdrawn", 1772600000, amount=1500, dispute_id="dp_2"))
        self.process()
        partial = self.Event.search([("object_id", "=", "dp_2")])
        self.assertEqual(partial.state, "ignored")
        self.assertIn("partial", partial.outcome)
        self.assertEqual(len(self.payments_ref(charge["id"])), 1)
        self.assertEqual(len(self.xero("BankTransactions")), 3,
                         "the charge's fee stays (Stripe keeps it); the dispute fee and its return, once each")

    def test_dispute_of_a_payment_not_recorded_yet(self):
        charge = self.charge(amount=5000, currency="jpy", intent="pi_jpy_disputed")
        self.post_stripe(self.stripe_event("charge.succeeded", charge, created=1772400000))
        self.process()
        charge_event = self.Event.search([("object_id", "=", charge["id"])])
        self.assertEqual(charge_event.state, "failed", "the organisation has no JPY")
        self.post_stripe(self.stripe_event("charge.dispute.funds_withdrawn", {
            "id": "dp_jpy", "object": "dispute", "amount": 5000, "currency": "jpy", "charge": charge["id"],
            "payment_intent": "pi_jpy_disputed", "reason": "fraudulent", "balance_transactions": []},
            created=1772500000))
        self.process()
        dispute_event = self.Event.search([("object_id", "=", "dp_jpy")])
        self.assertEqual(dispute_event.state, "failed", "not marked done while its payment may still be recorded")
        self.assertIn("not recorded yet", dispute_event.outcome)
        # JPY added in Xero; the user retries the payment's event, then the dispute's (or its next try comes).
        self.sandbox_post(f"/_sandbox/orgs/{self.org}/Currencies", {"Currencies": [{"Code": "JPY"}]})
        charge_event.action_xero_retry()
        dispute_event.action_xero_retry()
        self.process()
        self.assertEqual((charge_event.state, dispute_event.state), ("done", "done"), dispute_event.outcome)
        self.assertFalse(self.payments_ref(charge["id"]), "the funds were withdrawn: no payment stays in Xero")
        self.assertEqual(self.Payment.search([("key", "=", "pi_jpy_disputed")]).xero_state, "reversed")
        # A dispute of a charge the connector never heard of changes nothing and ends there.
        self.post_stripe(self.stripe_event("charge.dispute.funds_withdrawn", {
            "id": "dp_unknown", "object": "dispute", "amount": 700, "currency": "usd", "charge": "ch_before_us",
            "reason": "general"}))
        self.process()
        self.assertEqual(self.Event.search([("object_id", "=", "dp_unknown")]).state, "done")

    def test_payout_is_a_transfer_to_the_bank(self):
        payout = self.stripe_event("payout.paid", {
            "id": "po_1Weekly", "object": "payout", "amount": 46310, "currency": "usd", "arrival_date": 1772668800,
            "status": "paid", "type": "bank_account", "automatic": True})
        self.post_stripe(payout)
        self.process()
        event = self.Event.search([("object_id", "=", "po_1Weekly")])
        self.assertEqual(event.state, "ignored", "no bank account chosen for payouts")
        self.assertIn("Payouts arrive in", event.outcome)
        self.assertFalse(self.xero("BankTransfers"))
        settings = self.env["res.config.settings"].create({})
        self.connection._xero_refresh_lists(["accounts"])
        settings.xero_payout_account_id = self.env["xero.account"].search([("company_id", "=", self.company.id),
                                                                           ("code", "=", "090")])
        settings.execute()
        self.assertEqual(self.company.xero_payout_account_code, "090")
        event.action_xero_retry()
        self.post_stripe(payout)  # delivered again meanwhile
        self.process()
        [transfer] = self.xero("BankTransfers")
        self.assertEqual((transfer["FromBankAccount"]["Code"], transfer["ToBankAccount"]["Code"], transfer["Amount"]),
                         ("STRIPE", "090", 463.1))
        self.assertEqual(transfer["Reference"], "Stripe payout po_1Weekly")
        row = self.Payment.search([("kind", "=", "payout")])
        self.assertEqual((row.name, row.xero_state, row.xero_transfer_id),
                         ("Stripe payout po_1Weekly", "done", transfer["BankTransferID"]))

    def test_bank_accounts_without_a_code(self):
        # Xero's bank accounts need no code (those made from a bank feed often have none): they can still be
        # chosen, as the clearing account and as where payouts arrive, and are named by AccountID.
        made = self.sandbox_post(f"/_sandbox/orgs/{self.org}/Accounts", {"Accounts": [
            {"Type": "BANK", "Name": "Main Cheque (feed)", "BankAccountNumber": "12-3456-7890"},
            {"Type": "BANK", "Name": "Stripe balance", "BankAccountNumber": "STRIPE-BAL"}]})["Accounts"]
        self.assertEqual([a.get("Code") for a in made], ["", ""])
        main, balance = made[0]["AccountID"], made[1]["AccountID"]
        self.connection._xero_refresh_lists(["accounts"])
        Account = self.env["xero.account"]
        settings = self.env["res.config.settings"].create({})
        settings.write({"xero_payout_account_id": Account.search([("xero_id", "=", main)]).id,
                        "xero_stripe_account_id": Account.search([("xero_id", "=", balance)]).id})
        settings.execute()
        self.assertEqual((self.company.xero_payout_account_code, self.company.xero_stripe_account_code),
                         (main, balance))
        self.assertEqual(self.env["res.config.settings"].create({}).xero_payout_account_id.name,
                         "Main Cheque (feed)", "the dropdown shows the chosen account again")
        charge = self.charge(amount=2000, fee=88, expanded=True)
        self.post_stripe(self.stripe_event("charge.succeeded", charge))
        self.post_stripe(self.stripe_event("payout.paid", {
            "id": "po_nocode", "object": "payout", "amount": 1912, "currency": "usd", "arrival_date": 1772668800,
            "status": "paid", "type": "bank_account", "automatic": True}))
        self.process()
        self.assertEqual(set(self.Event.search([]).mapped("state")), {"done"})
        self.assertEqual(self.payments_ref(charge["id"])[0]["Account"]["AccountID"], balance)
        [transfer] = self.xero("BankTransfers")
        self.assertEqual((transfer["FromBankAccount"]["AccountID"], transfer["ToBankAccount"]["AccountID"],
                          transfer["Amount"]), (balance, main, 19.12))
        self.assertFalse(self.account("Stripe"), "a chosen account: nothing created")
        self.assertIn("Main Cheque (feed)", self.Event.search([("object_id", "=", "po_nocode")]).outcome)
        # Archived in Xero since: the event says so; no account is made up in its place.
        self.sandbox_post(f"/_sandbox/orgs/{self.org}/Accounts", {"Accounts": [{"AccountID": balance,
                                                                               "Status": "ARCHIVED"}]})
        self.post_stripe(self.stripe_event("charge.succeeded", self.charge(amount=900)))
        self.process()
        failed = self.Event.search([("state", "=", "failed")])
        self.assertIn(f"AccountID {balance}", failed.outcome)
        self.assertIn("is not an active account", failed.outcome)
        self.assertEqual(len(self.xero("Accounts")), len(self.connection.xero_account_ids))

    def test_charge_settled_in_the_base_currency_sends_stripes_rate(self):
        # A EUR charge settled into the USD balance at 1.08 USD per EUR: Xero gets 1/1.08 EUR per USD.
        charge = self.charge(amount=5000, currency="eur", fee=187, settled=("usd", 1.08))
        self.post_stripe(self.stripe_event("charge.succeeded", charge))
        self.process()
        [payment] = self.payments_ref(charge["id"])
        self.assertAlmostEqual(payment["CurrencyRate"], 0.925926, places=6)
        self.assertEqual(payment["Amount"], 50.0)
        invoice = self.invoice_of(payment["Invoice"]["InvoiceID"])
        self.assertEqual((invoice["CurrencyCode"], invoice["Status"]), ("EUR", "PAID"))
        [fee] = self.xero("BankTransactions")
        self.assertEqual((fee["Total"], fee["CurrencyCode"]), (1.87, "USD"))

    def test_subscription_period_invoice(self):
        def paid(invoice_id, intent, start, end, amount):
            return self.stripe_event("invoice.paid", {
                "id": invoice_id, "object": "invoice", "number": f"NUM-{invoice_id[-4:]}", "currency": "usd",
                "amount_paid": amount, "customer_email": "club@beans.example", "customer_name": "Bean Club",
                "subscription": "sub_roastery", "payment_intent": intent, "status": "paid",
                "status_transitions": {"paid_at": start + 60}, "period_start": start, "period_end": end,
                "lines": {"object": "list", "data": [
                    {"id": "il_1", "description": "1 × Monthly beans (at $30.00 / month)", "amount": 3000,
                     "quantity": 1, "period": {"start": start, "end": end}},
                    {"id": "il_2", "description": "Grinder rental", "amount": amount - 3000, "quantity": 2,
                     "period": {"start": start, "end": end}}]}})

        march, april, may = 1772323200, 1775001600, 1777593600  # 2026-03-01, 2026-04-01, 2026-05-01 UTC
        # The charge of the first period arrives first: it waits for the invoice's lines.
        first = self.charge(amount=4000, intent="pi_period1", invoice="in_period1", email="club@beans.example",
                            fee=146)
        self.post_stripe(self.stripe_event("charge.succeeded", first))
        self.process()
        self.assertFalse(self.payments_ref(first["id"]))
        waiting = self.Event.search([("object_id", "=", first["id"])])
        self.assertIn("invoice.paid", waiting.outcome)
        self.post_stripe(paid("in_period1", "pi_period1", march, april, 4000))
        self.post_stripe(paid("in_period2", "pi_period2", april, may, 4000))
        self.post_stripe(paid("in_period2", "pi_period2", april, may, 4000))  # a different event, same invoice
        self.process()
        invoices = [i for i in self.xero("Invoices") if "Stripe" in i["Reference"]]
        self.assertEqual(len(invoices), 2, "one invoice per period")
        first_invoice = next(i for i in invoices if first["id"] in i["Reference"])
        self.assertIn("2026-03-01", first_invoice["Reference"])
        self.assertEqual([li["Description"] for li in first_invoice["LineItems"]],
                         ["1 × Monthly beans (at $30.00 / month)", "Grinder rental"])
        self.assertEqual(first_invoice["LineItems"][1]["UnitAmount"], 5.0)
        self.assertEqual(first_invoice["Status"], "PAID")
        self.assertEqual(len(self.payments_ref(first["id"])), 1)
        self.assertEqual(len(self.xero("BankTransactions")), 1, "the first period's fee")
        self.assertEqual(self.Payment.search_count([]), 2)

    def test_subscription_payments_from_api_version_2025(self):
        """basil and later: charges and payment intents no longer name their invoice, nor invoices their payment
        intent; the link is read from Stripe's invoice payments, so a subscription's charge and its invoice.paid
        stay one payment, whichever comes first."""
        basil = "2025-03-31.basil"

        def charge(intent, amount):
            data = self.charge(amount=amount, intent=intent, email="club@beans.example", fee=117)
            data.pop("invoice")
            return self.stripe_event("charge.succeeded", data, api_version=basil)

        def paid(invoice_id, amount, start):
            return self.stripe_event("invoice.paid", {
                "id": invoice_id, "object": "invoice", "currency": "usd", "amount_paid": amount, "total": amount,
                "customer_email": "club@beans.example", "customer_name": "Bean Club", "status": "paid",
                "parent": {"type": "subscription_details", "subscription_details": {"subscription": "sub_basil"}},
                "status_transitions": {"paid_at": start + 60}, "total_taxes": [],
                "lines": {"object": "list", "data": [{"id": f"il_{invoice_id}", "description": "Monthly beans",
                                                      "amount": amount, "quantity": 1, "taxes": [],
                                                      "period": {"start": start, "end": start + 2678400}}]}},
                api_version=basil)

        for invoice_id, intent in (("in_basil1", "pi_basil1"), ("in_basil2", "pi_basil2")):
            self.gc.data["invoice_payments"].append({
                "id": f"inpay_{invoice_id}", "object": "invoice_payment", "invoice": invoice_id, "status": "paid",
                "amount_paid": 3000, "currency": "usd", "is_default": True,
                "payment": {"type": "payment_intent", "payment_intent": intent}})
        first_charge, second_charge = charge("pi_basil1", 3000), charge("pi_basil2", 3000)
        # Period 1: the charge first, then the invoice; period 2: the other way round.
        self.post_stripe(first_charge)
        self.process()
        self.assertFalse(self.xero("Payments"), "the charge waits for its invoice's lines")
        self.post_stripe(paid("in_basil1", 3000, 1772323200))
        self.post_stripe(paid("in_basil2", 3000, 1775001600))
        self.process()
        self.post_stripe(second_charge)
        self.process()
        self.assertEqual(set(self.Event.search([]).mapped("state")), {"done"})
        self.assertEqual(sorted(self.Payment.search([]).mapped("key")), ["pi_basil1", "pi_basil2"], "one each")
        self.assertEqual(set(self.Payment.search([]).mapped("subscription_ref")), {"sub_basil"})
        invoices = [i for i in self.xero("Invoices") if i["Reference"].startswith("Stripe ")]
        self.assertEqual(len(invoices), 2, "one Xero invoice per period")
        self.assertEqual({i["LineItems"][0]["Description"] for i in invoices}, {"Monthly beans"})
        self.assertEqual({i["Status"] for i in invoices}, {"PAID"})
        self.assertEqual(len(self.xero("Payments")), 2)
        self.assertIn("/v1/invoice_payments", self.stripe_reads())
        # A one-off charge (no invoice pays it) is recorded on its own, not kept waiting.
        self.post_stripe(charge("pi_basil_one_off", 1500))
        self.process()
        self.assertEqual(self.Payment.search([("key", "=", "pi_basil_one_off")]).xero_state, "done")
        # Without a Stripe key the link cannot be known: the event fails and says why, nothing is recorded
        # (recorded blind, a subscription payment could be recorded twice); with the key, a retry records it.
        self.company.sudo().xero_stripe_api_key = False
        self.post_stripe(charge("pi_basil_nokey", 1800))
        self.process()
        failed = self.Event.search([("state", "=", "failed")])
        self.assertIn("API version 2025-03-31 or later", failed.outcome)
        self.assertIn("Stripe API key", failed.outcome)
        self.assertFalse(self.Payment.search([("key", "=", "pi_basil_nokey")]))
        self.company.sudo().xero_stripe_api_key = STRIPE_KEY
        failed.action_xero_retry()
        self.process()
        self.assertEqual(failed.state, "done", failed.outcome)
        self.assertEqual(len(self.xero("Payments")), 4)

    def test_lines_whose_unit_amount_has_more_decimals_than_xero_keeps(self):
        lines = [("3 × Seat (at $3.3333 / month)", 3, 1000), ("Usage: 1,000 calls", 1000, 1),
                 ("2 × Grinder rental", 2, 1000)]
        self.post_stripe(self.stripe_event("invoice.paid", {
            "id": "in_units", "object": "invoice", "currency": "usd", "amount_paid": 2001, "payment_intent": "pi_units",
            "customer_email": "club@beans.example", "customer_name": "Bean Club", "subscription": "sub_units",
            "status": "paid", "status_transitions": {"paid_at": 1772323260},
            "lines": {"object": "list", "data": [{"description": d, "quantity": q, "amount": a} for d, q, a in lines]}}))
        self.process()
        payment = self.Payment.search([("key", "=", "pi_units")])
        self.assertEqual(payment.xero_state, "done", payment.job_ids.mapped("error"))
        invoice = self.invoice_of(payment.xero_invoice_id)
        self.assertEqual([(li["Quantity"], li["UnitAmount"], li["LineAmount"]) for li in invoice["LineItems"]],
                         [(3, 3.3333, 10.0), (1, 0.01, 0.01), (2, 5.0, 10.0)],
                         "4 decimals kept (unitdp=4); quantity 1 where even they are not enough (0.00001 a call)")
        self.assertEqual((invoice["Total"], invoice["Status"]), (20.01, "PAID"))

    def test_invoice_paid_in_part_from_the_customers_stripe_balance(self):
        # 30.00 of lines, 10.00 of it paid from a credit the customer had in Stripe (a proration): 20.00 paid.
        self.post_stripe(self.stripe_event("invoice.paid", {
            "id": "in_balance", "object": "invoice", "number": "NUM-BAL", "currency": "usd", "amount_paid": 2000,
            "total": 3000, "starting_balance": -1000, "ending_balance": 0, "payment_intent": "pi_balance",
            "customer_email": "club@beans.example", "customer_name": "Bean Club", "subscription": "sub_balance",
            "status": "paid", "status_transitions": {"paid_at": 1772323260},
            "lines": {"object": "list", "data": [{"description": "Monthly beans", "quantity": 1, "amount": 3000}]}}))
        self.process()
        payment = self.Payment.search([("key", "=", "pi_balance")])
        self.assertEqual(payment.xero_state, "done", payment.job_ids.mapped("error"))
        invoice = self.invoice_of(payment.xero_invoice_id)
        self.assertEqual([(li["Description"], li["LineAmount"]) for li in invoice["LineItems"]],
                         [("Monthly beans", 30.0), ("Paid from the customer's Stripe balance", -10.0)])
        self.assertEqual((invoice["Total"], invoice["AmountDue"], invoice["Status"]), (20.0, 0.0, "PAID"),
                         "nothing left owed in Xero for what Stripe's balance paid")

    def test_tax_stripe_charged_is_in_the_invoice(self):
        def paid(invoice_id, intent, amount, line, **taxes):
            return self.stripe_event("invoice.paid", dict({
                "id": invoice_id, "object": "invoice", "currency": "usd", "amount_paid": amount,
                "customer_email": "taxed@beans.example", "customer_name": "Taxed Beans", "subscription": "sub_tax",
                "payment_intent": intent, "status": "paid", "status_transitions": {"paid_at": 1772323260},
                "lines": {"object": "list", "data": [dict({"id": "il_t", "description": "Monthly beans",
                                                           "amount": 3000, "quantity": 1}, **line)]}}, **taxes))

        # API 2025 and later: 15% exclusive tax on 30.00, 34.50 paid. No tax rate chosen for payments: the
        # invoice waits for it and says so, nothing is sent as untaxed sales.
        self.post_stripe(paid("in_tax1", "pi_tax1", 3450, {"taxes": [{"amount": 450, "tax_behavior": "exclusive"}]},
                              total_taxes=[{"amount": 450, "tax_behavior": "exclusive"}]))
        self.process()
        payment = self.Payment.search([("key", "=", "pi_tax1")])
        self.assertEqual((payment.tax_amount, payment.xero_state), (4.5, "blocked"))
        blocked = payment.job_ids.filtered(lambda j: j.state == "blocked")
        self.assertEqual(blocked.mapped("operation"), ["invoice", "payment"])
        self.assertIn("Stripe charged 4.50 USD of tax", blocked[0].error)
        self.assertIn(payment.name, blocked[0].error)
        self.assertFalse([i for i in self.xero("Invoices") if i["Reference"].startswith("Stripe ")])
        # The rate chosen (from Xero's list, in Settings), the user retries: a tax-inclusive invoice whose
        # total is what was paid, and its payment.
        self.connection._xero_refresh_lists(["tax_rates"])
        settings = self.env["res.config.settings"].create({})
        self.assertFalse(settings.xero_payment_tax_rate_id)
        settings.xero_payment_tax_rate_id = self.env["xero.tax.rate"].search(
            [("company_id", "=", self.company.id), ("xero_id", "=", "OUTPUT")])
        settings.execute()
        self.assertEqual(self.company.xero_payment_tax_type, "OUTPUT")
        blocked[1].with_user(self.xero_admin).action_retry()  # the payment: its invoice is re-queued with it
        self.env["xero.job"]._xero_send()
        self.env.invalidate_all()
        self.assertEqual(payment.xero_state, "done", payment.job_ids.mapped("error"))
        invoice = self.invoice_of(payment.xero_invoice_id)
        self.assertEqual((invoice["LineAmountTypes"], invoice["Total"], invoice["TotalTax"], invoice["Status"]),
                         ("Inclusive", 34.5, 4.5, "PAID"))
        self.assertEqual(invoice["LineItems"][0]["TaxType"], "OUTPUT")
        # Before 2025: ``tax`` and lines' ``tax_amounts``; an inclusive tax is already in the line's amount.
        self.post_stripe(paid("in_tax2", "pi_tax2", 3000, {"tax_amounts": [{"amount": 391, "inclusive": True}]},
                              tax=391))
        self.process()
        second = self.Payment.search([("key", "=", "pi_tax2")])
        self.assertEqual((second.tax_amount, second.xero_state), (3.91, "done"))
        invoice = self.invoice_of(second.xero_invoice_id)
        self.assertEqual((invoice["LineAmountTypes"], invoice["Total"], invoice["TotalTax"], invoice["Status"]),
                         ("Inclusive", 30.0, 3.91, "PAID"))

    def test_zero_decimal_currency_and_missing_currency(self):
        charge = self.charge(amount=5000, currency="jpy")
        self.post_stripe(self.stripe_event("charge.succeeded", charge))
        self.process()
        event = self.Event.search([])
        self.assertEqual(event.state, "failed")
        self.assertIn("no currency JPY", event.outcome)
        self.assertFalse(self.xero("Payments"))
        self.sandbox_post(f"/_sandbox/orgs/{self.org}/Currencies", {"Currencies": [{"Code": "JPY"}]})
        event.action_xero_retry()
        self.process()
        self.assertEqual(event.state, "done", event.outcome)
        [pay] = self.payments_ref(charge["id"])
        self.assertEqual(pay["Amount"], 5000.0, "JPY has no minor unit: 5000 is ¥5,000")
        self.assertEqual(self.invoice_of(pay["Invoice"]["InvoiceID"])["CurrencyCode"], "JPY")

    def test_bank_account_created_only_when_missing(self):
        for _payment in range(2):
            self.post_stripe(self.stripe_event("charge.succeeded", self.charge()))
            self.process()
        self.assertEqual(len(self.account("Stripe")), 1)
        puts = [c for c in self.sandbox_get("/_sandbox/log", tenant=self.org)
                if c["method"] == "PUT" and c["path"].endswith("/Accounts")]
        self.assertEqual(len(puts), 1)
        # A chosen account that exists is used as it is: nothing created.
        self.company.sudo().xero_stripe_account_code = "090"
        charge = self.charge()
        self.post_stripe(self.stripe_event("charge.succeeded", charge))
        self.process()
        self.assertEqual(self.payments_ref(charge["id"])[0]["Account"]["Code"], "090")
        self.assertEqual(len([c for c in self.sandbox_get("/_sandbox/log", tenant=self.org)
                              if c["method"] == "PUT" and c["path"].endswith("/Accounts")]), 1)
        # A chosen code that Xero lacks is created as a bank account named Stripe.
        self.company.sudo().xero_stripe_account_code = "STR1"
        self.post_stripe(self.stripe_event("charge.succeeded", self.charge()))
        self.process()
        created = [a for a in self.xero("Accounts") if a.get("Code") == "STR1"]
        self.assertEqual(len(created), 1)
        self.assertEqual(created[0]["Type"], "BANK")

    def test_accounts_chosen_from_xeros_chart(self):
        self.connection._xero_refresh_lists(["accounts"])
        settings = self.env["res.config.settings"].create({})
        self.assertEqual(settings.xero_payment_fee_account_id.code, "404", "the stored code shows in the dropdown")
        self.assertFalse(settings.xero_stripe_account_id, "empty: the account named Stripe")
        Account = self.env["xero.account"]
        bank = Account.search([("company_id", "=", self.company.id), ("code", "=", "090")])
        self.assertEqual(bank.account_type, "BANK")
        settings.write({"xero_stripe_account_id": bank.id,
                        "xero_payment_fee_account_id": Account.search([("company_id", "=", self.company.id),
                                                                       ("code", "=", "400")]).id})
        settings.execute()
        self.assertEqual((self.company.xero_stripe_account_code, self.company.xero_payment_fee_account_code),
                         ("090", "400"))
        charge = self.charge(fee=90, expanded=True)
        self.post_stripe(self.stripe_event("charge.succeeded", charge))
        self.process()
        self.assertEqual(self.payments_ref(charge["id"])[0]["Account"]["Code"], "090")
        self.assertEqual(self.xero("BankTransactions")[0]["LineItems"][0]["AccountCode"], "400")
        self.assertFalse(self.account("Stripe"), "a chosen account: nothing created")

    def test_clearing_account_refused_by_xero_and_in_an_australian_organisation(self):
        self.company.sudo().xero_stripe_account_code = "STRIPE-CLEARING-AC"  # longer than Xero's 10
        charge = self.charge()
        self.post_stripe(self.stripe_event("charge.succeeded", charge))
        self.process()
        event = self.Event.search([("object_id", "=", charge["id"])])
        self.assertEqual(event.state, "failed")
        self.assertIn("Xero refused to create the Stripe clearing bank account", event.outcome)
        self.assertIn("10 characters", event.outcome)
        self.assertFalse(self.Payment.search([]), "nothing recorded half-way")
        self.assertFalse([i for i in self.xero("Invoices") if "Stripe" in (i.get("Reference") or "")])
        # An Australian organisation: the created account has a BSB-style number, which Xero requires there.
        wombat = self.sandbox_post("/_sandbox/orgs", {"name": "Wombat Pty", "base_currency": "AUD", "country": "AU"})
        self.org = wombat["tenant_id"]
        connection = self._xero_connect(self.xero_admin, tenants=[self.org])
        self.assertEqual(connection.tenant_id, self.org)
        self.company.sudo().xero_stripe_account_code = False
        charge = self.charge(currency="aud")
        self.post_stripe(self.stripe_event("charge.succeeded", charge))
        self.process()
        [account] = self.account("Stripe")
        self.assertEqual(account["Type"], "BANK")
        self.assertRegex(account["BankAccountNumber"], r"^000000\d{6,9}$")
        self.assertEqual(len(self.payments_ref(charge["id"])), 1)

    def test_events_wait_for_their_clearing_account_in_the_outbox(self):
        """The clearing account is created through the outbox (a Sync Log line). Xero's answers to it are lost: the
        job waits, outcome unknown, and Stripe's events wait with it (pending, not failed, nothing recorded); the
        sender's next try finds the account Xero made, by its code, and the events go on."""
        self.sandbox_post("/_sandbox/faults", {"kind": "lost_response", "tenant": self.org, "method": "PUT",
                                               "path": "/api.xro/2.0/Accounts", "count": 4})
        first, second = self.charge(amount=1500, fee=60, expanded=True), self.charge(amount=2500)
        for charge in (first, second):
            self.post_stripe(self.stripe_event("charge.succeeded", charge))
        self.process()
        events = self.Event.search([], order="id")
        self.assertEqual([(e.state, e.attempts) for e in events], [("pending", 0), ("pending", 0)])
        self.assertIn("Waits for the Stripe clearing bank account", events[0].outcome)
        self.assertFalse(self.Payment.search([]), "nothing recorded before the account is known")
        [job] = self.env["xero.job"].search([("operation", "=", "bank_account")])
        self.assertRecordValues(job, [{"state": "retry", "resource": "Accounts", "method": "PUT",
                                       "outcome_unknown": True, "res_model": "xero.clearing.account"}])
        self.assertEqual(job.display_label, "Stripe clearing bank account STRIPE → Bank Account (create)")
        job.next_try = False
        self.env["xero.job"]._xero_send()
        self.assertEqual(job.state, "done", job.error)
        self.assertIn("found_by_lookup", job.response_excerpt)
        self.process()
        self.assertEqual(events.mapped("state"), ["done", "done"], events.mapped("outcome"))
        self.assertEqual(len(self.account("Stripe")), 1, "made once")
        self.assertEqual([len(self.payments_ref(c["id"])) for c in (first, second)], [1, 1])
        self.assertEqual(len(self.xero("BankTransactions")), 1, "the first charge's fee")

    def test_refund(self):
        charge = self.charge(amount=3000)
        self.post_stripe(self.stripe_event("charge.succeeded", charge))
        self.process()
        refunded = dict(charge, amount_refunded=1000, refunds={"object": "list", "data": [
            {"id": "re_first", "amount": 1000, "status": "succeeded", "created": 1772452800}]})
        for _delivery in range(2):
            self.post_stripe(self.stripe_event("charge.refunded", refunded))
        self.process()
        [note] = self.xero("CreditNotes")
        self.assertEqual(note["Total"], 10.0)
        self.assertEqual(note["Type"], "ACCRECCREDIT")
        refund_pay = [p for p in self.payments_ref(charge["id"]) if p.get("CreditNote")]
        self.assertEqual(len(refund_pay), 1)
        self.assertEqual(refund_pay[0]["Amount"], 10.0)
        # A charge made before the connector (nothing recorded for it), refunded twice, in an API version whose
        # charges no longer list their refunds: 10.00, then 5.00 more (amount_refunded 15.00), once each.
        earlier = self.charge(amount=4000)
        for so_far in (1000, 1500, 1500):
            self.post_stripe(self.stripe_event("charge.refunded", dict(earlier, amount_refunded=so_far)))
            self.process()
        notes = [n for n in self.xero("CreditNotes") if earlier["id"] in n["Reference"]]
        self.assertEqual(sorted(n["Total"] for n in notes), [5.0, 10.0])
        # Disabled: a clear "not handled".
        self.company.sudo().xero_payment_refunds = False
        self.post_stripe(self.stripe_event("charge.refunded", dict(refunded, id="ch_other")))
        self.process()
        ignored = self.Event.search([("object_id", "=", "ch_other")])
        self.assertEqual(ignored.state, "ignored")
        self.assertIn("Not handled", ignored.outcome)
        self.assertEqual(len(self.xero("CreditNotes")), 3)


@tagged("post_install", "-at_install")
class TestGoCardlessPayments(XeroPaymentCase):
    def test_batch_with_mixed_events(self):
        self.gc_payment("PM0001", 1500)                                   # a one-off payment
        self.gc_payment("PM0002", 2900, subscription="SB0001")            # a subscription's period
        self.gc_payment("PM0003", 2900, subscription="SB0001", charge_date="2026-04-01", status="confirmed")
        self.gc_payment("PM0004", 700, status="failed")                   # failed
        self.gc.data["payout_items"]["PO0001"] = [
            {"type": "payment_paid_out", "amount": "1500.0", "links": {"payment": "PM0001"}},
            {"type": "gocardless_fee", "amount": "-20.0", "links": {"payment": "PM0001"}},
            {"type": "app_fee", "amount": "-15.0", "links": {"payment": "PM0001"}},
            {"type": "payment_paid_out", "amount": "2900.0", "links": {"payment": "PM0002"}},
            {"type": "gocardless_fee", "amount": "-37.4", "links": {"payment": "PM0002"}},
        ]
        events = [
            self.gc_event("paid_out", "PM0001", payout="PO0001", created="2026-03-05T09:00:00.000Z"),
            self.gc_event("created", "MD0001", resource="mandates"),
            self.gc_event("confirmed", "PM0001", created="2026-03-03T09:00:00.000Z"),  # older, listed after
            self.gc_event("paid_out", "PM0002", payout="PO0001", created="2026-03-05T09:00:00.000Z"),
            self.gc_event("confirmed", "PM0003", created="2026-04-03T09:00:00.000Z"),
            self.gc_event("failed", "PM0004", created="2026-03-04T09:00:00.000Z"),
            self.gc_event("paid", "PO0001", resource="payouts"),
            {"id": "EVWEIRD", "resource_type": "subscriptions", "action": "created", "links": {}},
        ]
        body = json.dumps({"events": events}).encode()
        for _delivery in range(3):
            self.assertEqual(self.post_gocardless(body=body).status_code, 200)
        self.assertEqual(self.Event.search_count([]), 6, "the five payments events and the payout, once; other "
                         "types not stored")
        self.process()
        states = {e.object_id + " " + e.event_type: e.state for e in self.Event.search([])}
        payout = self.Event.search([("event_type", "=", "payouts.paid")])
        self.assertEqual((payout.state, "Payouts arrive in" in payout.outcome), ("ignored", True),
                         "no bank account chosen for payouts: said, nothing recorded")
        states.pop("PO0001 payouts.paid")
        self.assertEqual(set(states.values()), {"done"}, self.Event.search([]).mapped("outcome"))
        # paid_out (the default): PM0001 and PM0002 are in Xero; PM0003 is only confirmed; PM0004 failed.
        gc_account = self.account("GoCardless")
        self.assertEqual(len(gc_account), 1)
        [pay1] = self.payments_ref("PM0001")
        self.assertEqual(pay1["Amount"], 15.0)
        self.assertEqual(pay1["Account"]["AccountID"], gc_account[0]["AccountID"])
        [pay2] = self.payments_ref("PM0002")
        self.assertEqual(pay2["Amount"], 29.0)
        self.assertFalse(self.payments_ref("PM0003"))
        self.assertFalse(self.payments_ref("PM0004"))
        sub_invoice = self.invoice_of(pay2["Invoice"]["InvoiceID"])
        self.assertIn("SB0001", sub_invoice["LineItems"][0]["Description"])
        self.assertEqual(sub_invoice["Status"], "PAID")
        fees = {t["Reference"]: t["Total"] for t in self.xero("BankTransactions")}
        self.assertEqual(fees, {"GoCardless fee PM0001": 0.35, "GoCardless fee PM0002": 0.37})
        partner = self.env["res.partner"].search([("email_normalized", "=", "finance@mole.example")])
        self.assertEqual(len(partner), 1)
        payout_calls = [path for path, _auth in self.gc.requests if path == "/payout_items"]
        self.assertEqual(len(payout_calls), 1, "the payout's items are read once for its payments")
        # The next period arrives: its own invoice; the whole batch again changes nothing.
        self.gc.data["payout_items"]["PO0002"] = [
            {"type": "payment_paid_out", "amount": "2900.0", "links": {"payment": "PM0003"}}]
        self.gc.data["payments"]["PM0003"].update(status="paid_out", links={"payout": "PO0002", **self.gc.data[
            "payments"]["PM0003"]["links"]})
        self.post_gocardless([self.gc_event("paid_out", "PM0003", payout="PO0002")])
        self.assertEqual(self.post_gocardless(body=body).status_code, 200)
        self.process()
        [pay3] = self.payments_ref("PM0003")
        self.assertNotEqual(pay3["Invoice"]["InvoiceID"], pay2["Invoice"]["InvoiceID"], "one invoice per period")
        self.assertEqual(len(self.payments_ref("PM0001")), 1)
        self.assertEqual(len(self.xero("BankTransactions")), 2)

    def test_a_full_delivery_of_250_events_in_any_order(self):
        # 50 payments × their five events (GoCardless' most per delivery), shuffled; two customers.
        actions = ["created", "submitted", "confirmed", "paid_out", "customer_approval_granted"]
        events, items = [], []
        for n in range(50):
            payment = f"PM1{n:03d}"
            self.gc_payment(payment, 1000 + n, email=("finance@mole.example", "hello@owl.example")[n % 2],
                            payout="PO1000")
            items.append({"type": "gocardless_fee", "amount": "-12.0", "links": {"payment": payment}})
            events += [self.gc_event(action, payment, payout="PO1000" if action == "paid_out" else None,
                                     created=f"2026-03-{2 + i:02d}T10:00:00.000Z") for i, action in enumerate(actions)]
        self.gc.data["payout_items"]["PO1000"] = items
        random.Random(8).shuffle(events)
        self.assertEqual(len(events), 250)
        for _delivery in range(2):
            self.assertEqual(self.post_gocardless(events).status_code, 200)
        self.assertEqual(self.Event.search_count([]), 250)
        self.process()
        self.assertEqual(set(self.Event.search([]).mapped("state")), {"done"})
        unsent = self.env["xero.job"].search([("state", "!=", "done")])
        self.assertFalse(unsent, [(j.display_label, j.state, j.error, j.next_try) for j in unsent[:3]])
        paid = [p for p in self.xero("Payments") if p["Reference"].startswith("PM1")]
        self.assertEqual(sorted(p["Reference"] for p in paid), [f"PM1{n:03d}" for n in range(50)], "each once")
        self.assertEqual(sum(p["Amount"] for p in paid), sum(1000 + n for n in range(50)) / 100)
        self.assertEqual(len(self.xero("BankTransactions")), 50)
        self.assertEqual(len([c for c in self.sandbox_get("/_sandbox/log", tenant=self.org)
                              if c["method"] == "PUT" and c["path"].endswith("/Payments")]), 1, "one batch of 50")
        self.assertEqual(len([p for p, _a in self.gc.requests if p == "/payout_items"]), 1)
        self.assertEqual(self.env["res.partner"].search_count(
            [("email_normalized", "in", ("finance@mole.example", "hello@owl.example"))]), 2)

    def test_payout_is_a_transfer_to_the_bank(self):
        self.company.sudo().xero_payout_account_code = "090"
        self.gc_payment("PM0700", 3000, payout="PO0700")
        self.gc_payout("PO0700", 2955, "2026-03-09",
                       [("payment_paid_out", 3000, "PM0700"), ("gocardless_fee", -45, "PM0700")])
        events = [self.gc_event("paid_out", "PM0700", payout="PO0700", created="2026-03-05T10:00:00.000Z"),
                  self.gc_event("paid", "PO0700", created="2026-03-09T10:00:00.000Z", resource="payouts")]
        for _delivery in range(2):
            self.post_gocardless(events)
        self.process()
        [transfer] = self.xero("BankTransfers")
        gc_account = self.account("GoCardless")[0]
        self.assertEqual((transfer["FromBankAccount"]["AccountID"], transfer["ToBankAccount"]["Code"]),
                         (gc_account["AccountID"], "090"))
        self.assertEqual((transfer["Amount"], transfer["Reference"]), (29.55, "GoCardless payout PO0700"))
        self.assertEqual(parse_xero_date(transfer["Date"]).date().isoformat(), "2026-03-09")
        # In the clearing account: +30.00 payment, −0.45 fee, −29.55 payout = 0.
        [fee] = self.xero("BankTransactions")
        self.assertEqual(self.payments_ref("PM0700")[0]["Amount"] - fee["Total"] - transfer["Amount"], 0)

    def test_surcharge_fees_of_failures_and_chargebacks_come_with_a_later_payout(self):
        self.company.sudo().xero_payout_account_code = "090"
        self.gc_payment("PM0800", 3000, payout="PO0800")
        self.gc_payout("PO0800", 2955, "2026-03-09",
                       [("payment_paid_out", 3000, "PM0800"), ("gocardless_fee", -45, "PM0800")])
        self.post_gocardless([self.gc_event("paid_out", "PM0800", payout="PO0800", created="2026-03-05T10:00:00.000Z"),
                              self.gc_event("paid", "PO0800", created="2026-03-09T10:00:00.000Z", resource="payouts")])
        self.process()
        # PM0800 is charged back; PM0801 fails before it was ever recorded. GoCardless takes the chargeback and
        # both surcharge fees out of the next payout, gives PM0800's own fee back in it, and pays out PM0802
        # (whose fee is booked with it, not again here).
        self.gc_payment("PM0800", 3000, status="charged_back", payout="PO0800")
        self.gc_payment("PM0801", 2000, status="failed")
        self.gc_payment("PM0802", 5000, payout="PO0801")
        self.gc_payout("PO0801", 1720, "2026-03-16", [
            ("payment_paid_out", 5000, "PM0802"), ("gocardless_fee", -75, "PM0802"),
            ("payment_charged_back", -3000, "PM0800"), ("surcharge_fee", -150, "PM0800"),
            ("gocardless_fee", 45, "PM0800"), ("surcharge_fee", -50, "PM0801"), ("surcharge_fee", -50, "PM0801")])
        later = [self.gc_event("charged_back", "PM0800", created="2026-03-10T10:00:00.000Z"),
                 self.gc_event("failed", "PM0801", created="2026-03-11T10:00:00.000Z"),
                 self.gc_event("paid_out", "PM0802", payout="PO0801", created="2026-03-12T10:00:00.000Z"),
                 self.gc_event("paid", "PO0801", created="2026-03-16T10:00:00.000Z", resource="payouts")]
        for _delivery in range(2):
            self.post_gocardless(later)
        self.process()
        self.assertEqual(set(self.Event.search([]).mapped("state")), {"done"})
        surcharges = {t["Reference"]: t for t in self.xero("BankTransactions") if "PO0801/" in t["Reference"]}
        self.assertEqual({ref: (t["Type"], t["Total"]) for ref, t in surcharges.items()},
                         {"GoCardless fee PO0801/PM0800": ("SPEND", 1.05), "GoCardless fee PO0801/PM0801": ("SPEND", 1.0)})
        rows = self.Payment.search([("kind", "=", "fee")], order="key")
        self.assertEqual(rows.mapped("origin_id.key"), ["PM0800"], "PM0801 never reached Xero: its fee still does")
        self.assertEqual(rows.mapped("xero_state"), ["done", "done"])
        # The chargeback is cancelled: GoCardless gives the money and the surcharge back in a third payout.
        self.gc_payout("PO0802", 3150, "2026-03-23",
                       [("payment_paid_out", 3000, "PM0800"), ("surcharge_fee", 150, "PM0800")])
        self.gc_payment("PM0800", 3000, status="paid_out", payout="PO0802")
        self.post_gocardless([
            self.gc_event("chargeback_cancelled", "PM0800", created="2026-03-18T10:00:00.000Z"),
            self.gc_event("paid", "PO0802", created="2026-03-23T10:00:00.000Z", resource="payouts")])
        self.process()
        [given_back] = [t for t in self.xero("BankTransactions") if t["Reference"] == "GoCardless fee PO0802/PM0800"]
        self.assertEqual((given_back["Type"], given_back["Total"]), ("RECEIVE", 1.5))
        self.assertEqual(len(self.payments_ref("PM0800")), 1, "paid again")
        # The clearing account ends at zero: +30 −0.45 −29.55; the chargeback −30, then +50 −0.75 −1.05 −1.00
        # and the payout of 17.20; the chargeback cancelled +30 +1.50 and the payout of 31.50.
        clearing = self.account("GoCardless")[0]["AccountID"]
        received = sum(p["Amount"] for p in self.xero("Payments")
                       if p["Status"] != "DELETED" and p["Account"]["AccountID"] == clearing)
        spent = sum(t["Total"] * (1 if t["Type"] == "SPEND" else -1) for t in self.xero("BankTransactions")
                    if t["BankAccount"]["AccountID"] == clearing)
        transferred = sum(t["Amount"] for t in self.xero("BankTransfers") if t["FromBankAccount"]["AccountID"] == clearing)
        self.assertEqual((received, round(spent, 2), transferred), (80.0, 1.75, 78.25))
        self.assertEqual(round(received - spent - transferred, 2), 0)

    def test_record_on_confirmed(self):
        self.company.sudo().xero_gocardless_record_on = "confirmed"
        self.gc_payment("PM0100", 12345, currency="EUR", status="confirmed")
        self.gc.data["payout_items"]["PO0100"] = [
            {"type": "gocardless_fee", "amount": "-55.0", "links": {"payment": "PM0100"}}]
        self.post_gocardless([self.gc_event("confirmed", "PM0100")])
        self.process()
        [pay] = self.payments_ref("PM0100")
        self.assertEqual(pay["Amount"], 123.45)
        self.assertEqual(self.invoice_of(pay["Invoice"]["InvoiceID"])["CurrencyCode"], "EUR")
        self.assertFalse(self.xero("BankTransactions"), "fees come with the payout")
        self.gc_payment("PM0100", 12345, currency="EUR", payout="PO0100")
        self.post_gocardless([self.gc_event("paid_out", "PM0100", payout="PO0100")])
        self.process()
        self.assertEqual(len(self.payments_ref("PM0100")), 1)
        [fee] = self.xero("BankTransactions")
        self.assertEqual((fee["Total"], fee["CurrencyCode"]), (0.55, "EUR"))

    def test_failure_after_recording_removes_the_payment_and_resubmission_records_it_again(self):
        self.company.sudo().xero_gocardless_record_on = "confirmed"
        self.gc_payment("PM0300", 4500, status="confirmed")
        self.post_gocardless([self.gc_event("confirmed", "PM0300", created="2026-03-02T10:00:00.000Z")])
        self.process()
        [pay] = self.payments_ref("PM0300")
        invoice_id = pay["Invoice"]["InvoiceID"]
        self.assertEqual(self.invoice_of(invoice_id)["Status"], "PAID")
        # A late failure: the money never arrives. Delivered twice (two events), out of order with a retry.
        self.gc_payment("PM0300", 4500, status="failed")
        failed = self.gc_event("failed", "PM0300", created="2026-03-04T10:00:00.000Z")
        failed["details"] = {"origin": "bank", "cause": "insufficient_funds",
                             "description": "The customer's account had insufficient funds"}
        self.post_gocardless([failed, self.gc_event("late_failure_settled", "PM0300",
                                                    created="2026-03-06T10:00:00.000Z")])
        self.post_gocardless([failed])
        self.process()
        self.assertFalse(self.payments_ref("PM0300"))
        deleted = [p for p in self.xero("Payments") if p["Reference"] == "PM0300"]
        self.assertEqual([p["Status"] for p in deleted], ["DELETED"])
        invoice = self.invoice_of(invoice_id)
        self.assertEqual((invoice["Status"], invoice["AmountDue"]), ("AUTHORISED", 45.0), "owed again")
        payment = self.Payment.search([("key", "=", "PM0300")])
        self.assertRecordValues(payment, [{"reversed": True, "xero_payment_id": False, "xero_state": "reversed",
                                           "reversed_xero_payment_id": pay["PaymentID"]}])
        self.assertIn("insufficient funds", payment.reversal_reason)
        reversal = payment.job_ids.filtered(lambda j: j.operation == "payment_reversal")
        self.assertRecordValues(reversal, [{"state": "done", "resource": f"Payments/{pay['PaymentID']}"}])
        # GoCardless retries the collection; once paid out it is a payment again, on the same invoice.
        self.gc_payment("PM0300", 4500, status="paid_out", payout="PO0300")
        self.post_gocardless([self.gc_event("paid_out", "PM0300", payout="PO0300", created="2026-03-12T10:00:00.000Z")])
        self.process()
        [again] = self.payments_ref("PM0300")
        self.assertEqual(again["Invoice"]["InvoiceID"], invoice_id)
        self.assertEqual(self.invoice_of(invoice_id)["Status"], "PAID")
        self.assertEqual(len([i for i in self.xero("Invoices") if "PM0300" in i["Reference"]]), 1)
        self.assertEqual(payment.xero_state, "done")

    def test_reversal_of_a_reconciled_payment_needs_attention(self):
        self.gc_payment("PM0500", 2000, payout="PO0500")
        self.post_gocardless([self.gc_event("paid_out", "PM0500", payout="PO0500", created="2026-03-05T10:00:00.000Z")])
        self.process()
        [pay] = self.payments_ref("PM0500")
        self.sandbox_post(f"/_sandbox/orgs/{self.org}/Payments/{pay['PaymentID']}/reconcile")
        self.gc_payment("PM0500", 2000, status="charged_back", payout="PO0500")
        self.post_gocardless([self.gc_event("charged_back", "PM0500", created="2026-03-20T10:00:00.000Z")])
        self.process()
        self.assertEqual(len(self.payments_ref("PM0500")), 1, "Xero refused: the payment stays")
        self.assertEqual(self.invoice_of(pay["Invoice"]["InvoiceID"])["Status"], "PAID")
        payment = self.Payment.search([("key", "=", "PM0500")])
        self.assertEqual(payment.xero_state, "blocked")
        self.assertEqual(payment.xero_payment_id, pay["PaymentID"], "Odoo still names the payment Xero has")
        [reversal] = payment.job_ids.filtered(lambda j: j.operation == "payment_reversal")
        self.assertEqual(reversal.state, "blocked")
        self.assertIn(payment.name, reversal.error)
        self.assertIn("reconciled", reversal.error)

    def test_chargeback_before_anything_was_sent_and_its_cancellation(self):
        self.gc_payment("PM0400", 990, status="charged_back", payout="PO0400")
        events = [self.gc_event("charged_back", "PM0400", created="2026-03-20T10:00:00.000Z"),
                  self.gc_event("paid_out", "PM0400", payout="PO0400", created="2026-03-05T10:00:00.000Z")]
        self.post_gocardless(events)
        self.process()
        self.assertFalse([p for p in self.xero("Payments") if p["Reference"] == "PM0400"],
                         "the status now decides: a charged-back payment is not recorded, whatever the order")
        self.assertFalse(self.Payment.search([("key", "=", "PM0400")]))
        outcomes = self.Event.search([("object_id", "=", "PM0400")]).mapped("outcome")
        self.assertTrue(all("charged_back" in o for o in outcomes), outcomes)
        self.gc_payment("PM0400", 990, status="paid_out", payout="PO0400")
        self.post_gocardless([self.gc_event("chargeback_cancelled", "PM0400", created="2026-04-02T10:00:00.000Z")])
        self.process()
        self.assertEqual(len(self.payments_ref("PM0400")), 1)

    def test_refund_paid_is_a_credit_note_and_its_refund(self):
        self.gc_payment("PM0600", 2000, payout="PO0600")
        self.post_gocardless([self.gc_event("paid_out", "PM0600", payout="PO0600", created="2026-03-05T10:00:00.000Z")])
        self.process()
        self.gc.data["refunds"]["RF0001"] = {"id": "RF0001", "amount": 500, "currency": "USD",
                                              "created_at": "2026-03-10T09:00:00.000Z", "reference": "Damaged bag",
                                              "links": {"payment": "PM0600"}}
        created = self.gc_event("created", "RF0001", created="2026-03-10T09:00:00.000Z", resource="refunds")
        paid = self.gc_event("paid", "RF0001", created="2026-03-11T09:00:00.000Z", resource="refunds")
        for _delivery in range(2):
            self.post_gocardless([paid, created])
        self.process()
        [note] = [c for c in self.xero("CreditNotes") if "RF0001" in (c.get("Reference") or "")]
        self.assertEqual((note["Type"], note["Total"], note["Status"]), ("ACCRECCREDIT", 5.0, "PAID"))
        [refund] = [p for p in self.xero("Payments") if (p.get("CreditNote") or {}).get("CreditNoteID")
                    == note["CreditNoteID"] and p["Status"] != "DELETED"]
        self.assertEqual(refund["Account"]["AccountID"], self.account("GoCardless")[0]["AccountID"])
        invoice_contact = self.invoice_of(self.payments_ref("PM0600")[0]["Invoice"]["InvoiceID"])["Contact"]
        self.assertEqual(note["Contact"]["ContactID"], invoice_contact["ContactID"], "the paying customer")
        row = self.Payment.search([("kind", "=", "refund"), ("key", "=", "RF0001")])
        self.assertEqual((row.origin_id.key, row.xero_state), ("PM0600", "done"))
        # Refunds off: a new one is marked "not handled", nothing is written.
        self.company.sudo().xero_payment_refunds = False
        self.gc.data["refunds"]["RF0002"] = dict(self.gc.data["refunds"]["RF0001"], id="RF0002")
        self.post_gocardless([self.gc_event("paid", "RF0002", resource="refunds")])
        self.process()
        self.assertEqual(self.Event.search([("object_id", "=", "RF0002")]).state, "ignored")
        self.assertEqual(len([c for c in self.xero("CreditNotes") if "RF000" in (c.get("Reference") or "")]), 1)

    def test_payments_lacking_what_recording_needs_fail_and_book_nothing(self):
        self.gc_payment("PM0801", None)
        self.gc_payment("PM0802", 1500, currency=None)
        self.gc_payment("PM0803", 1500)
        self.gc.data["payments"]["PM0803"]["description"] = "r" * 5000
        self.gc_payment("PM0804", 2500)
        delivery = [self.gc_event("paid_out", payment) for payment in ("PM0801", "PM0802", "PM0804", "PM0803")]
        self.assertEqual(self.post_gocardless(delivery).status_code, 200)
        self.process()
        events = {e.object_id: e for e in self.Event.search([])}
        causes = {"PM0801": "“amount” is missing", "PM0802": "“currency” is missing",
                  "PM0803": "“description” is 5,000 characters long, more than the 4,000 Xero accepts"}
        for payment, cause in causes.items():
            event = events[payment]
            self.assertEqual((event.state, event.attempts), ("failed", 5), event.outcome)
            self.assertIn(f"GoCardless event {event.event_id} (payments.paid_out) cannot be recorded: in payment "
                          f"{payment}, {cause}", event.outcome)
        self.assertEqual(events["PM0804"].state, "done", events["PM0804"].outcome)
        self.assertEqual(self.Payment.search([]).mapped("key"), ["PM0804"])
        self.assertEqual(set(self.env["xero.job"].sudo().search([("res_model", "=", "xero.payment")]).mapped("res_id")),
                         {events["PM0804"].payment_id.id})
        [pay] = self.payments_ref("PM0804")
        self.assertEqual(pay["Amount"], 25.0)
        self.assertEqual(len(self.xero("Payments")), 1)

    def test_no_access_token_is_a_clear_error(self):
        self.company.sudo().xero_gocardless_access_token = False
        self.post_gocardless([self.gc_event("paid_out", "PM0200", payout="PO0200")])
        self.process()
        event = self.Event.search([])
        self.assertEqual(event.state, "failed")
        self.assertIn("No GoCardless access token", event.outcome)
        self.assertTrue(event.next_try, "retried later")
