"""Stripe and GoCardless webhooks → payments, invoices and fees in the sandbox's books.

Signatures are computed here from the providers' published schemes (hmac/hashlib written out), never
with the addon's helpers. GoCardless' API is a stand-in served on loopback by the test.
"""
import hashlib
import hmac
import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

from odoo.fields import Command
from odoo.tests import tagged

from .common import XeroHttpCase

STRIPE_SECRET = "whsec_test_5f0c1c0ffee0123456789abcdef"
GC_SECRET = "gc_webhook_secret_0123456789ABCDEF"
GC_TOKEN = "gc_access_token_test"


def stripe_header(body, secret, timestamp=None):
    """Stripe-Signature: t=<unix>,v1=hex(HMAC-SHA256(secret, "<t>.<raw body>"))."""
    timestamp = int(time.time()) if timestamp is None else int(timestamp)
    signed = str(timestamp).encode() + b"." + body
    return f"t={timestamp},v1={hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()}"


def gocardless_signature(body, secret):
    """Webhook-Signature: hex(HMAC-SHA256(secret, raw body))."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class GoCardlessStandIn:
    """GoCardless' API for the reads the connector makes: payments, mandates, customers, payout items."""

    def __init__(self):
        self.data = {"payments": {}, "mandates": {}, "customers": {}, "payout_items": {}}
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
                if self.headers.get("Authorization") != f"Bearer {GC_TOKEN}":
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

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


class XeroPaymentCase(XeroHttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.gc = GoCardlessStandIn()
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
            "xero_stripe_account_code": False, "xero_gocardless_account_code": False,
            "xero_gocardless_record_on": "paid_out", "xero_payment_refunds": True,
        })
        self.env["ir.config_parameter"].sudo().set_param("xero_connector.gocardless_api_url", self.gc.url)
        self.gc.data = {"payments": {}, "mandates": {}, "customers": {}, "payout_items": {}}
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
    def stripe_event(event_type, obj, event_id=None, created=None):
        return {"id": event_id or f"evt_{uuid.uuid4().hex[:24]}", "object": "event", "api_version": "2024-06-20",
                "created": created or int(time.time()), "type": event_type, "livemode": False,
                "data": {"object": obj}}

    @staticmethod
    def charge(charge_id=None, amount=2500, currency="usd", email="ana@lagoon.example", name="Ana Lagoon",
               intent=None, fee=None, invoice=None, metadata=None, status="succeeded", created=None):
        charge_id = charge_id or f"ch_{uuid.uuid4().hex[:24]}"
        balance = f"txn_{charge_id[3:]}"
        if fee is not None:
            balance = {"id": f"txn_{charge_id[3:]}", "object": "balance_transaction", "amount": amount,
                       "currency": currency, "fee": fee, "net": amount - fee,
                       "fee_details": [{"amount": fee, "currency": currency, "type": "stripe_fee"}]}
        return {"id": charge_id, "object": "charge", "amount": amount, "amount_captured": amount,
                "amount_refunded": 0, "currency": currency, "status": status, "paid": status == "succeeded",
                "captured": True, "created": created or 1772366400, "payment_intent": intent, "invoice": invoice,
                "balance_transaction": balance, "billing_details": {"email": email, "name": name},
                "receipt_email": email, "metadata": metadata or {}, "description": "Espresso subscription box"}

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
                   charge_date="2026-03-01", metadata=None):
        mandate, customer = f"MD{payment_id[2:]}", f"CU{payment_id[2:]}"
        self.gc.data["payments"][payment_id] = {
            "id": payment_id, "amount": amount, "currency": currency, "charge_date": charge_date,
            "description": "Roastery membership", "status": "paid_out", "metadata": metadata or {},
            "links": {"mandate": mandate, "subscription": subscription} if subscription else {"mandate": mandate}}
        self.gc.data["mandates"][mandate] = {"id": mandate, "links": {"customer": customer}}
        self.gc.data["customers"][customer] = {"id": customer, "email": email, "company_name": "Mole Coffee Co",
                                                "given_name": "Rita", "family_name": "Mole"}

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
        for _attempt in range(3):
            started = time.monotonic()
            answer = self.post_stripe(body=body)
            self.assertEqual(answer.status_code, 200, answer.text)
            self.assertLess(time.monotonic() - started, 2.0)
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
            "tampered body": dict(body=tampered, header=good),
            "wrong secret": dict(body=body, header=stripe_header(body, "whsec_someone_else")),
            "old timestamp": dict(body=body, header=stripe_header(body, STRIPE_SECRET, time.time() - 301)),
            "future timestamp": dict(body=body, header=stripe_header(body, STRIPE_SECRET, time.time() + 301)),
            "missing header": dict(body=body, sign=False),
            "v0 only": dict(body=body, header=good.replace("v1=", "v0=")),
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
                        self.gc_event("paid", "PO000001", resource="payouts")]
        self.assertEqual(self.post_gocardless(only_unknown).status_code, 204)
        self.assertEqual(self.Event.search_count([]), 1)
        self.company.sudo().xero_gocardless_webhook_secret = False
        with self.assertLogs("odoo.addons.xero_connector.controllers.payments", "WARNING"):
            self.assertEqual(self.post_gocardless(body=body).status_code, 498)
