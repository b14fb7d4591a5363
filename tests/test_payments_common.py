"""Stripe and GoCardless webhooks → payments, invoices and fees in the sandbox's books: the base case of the
payment tests (the sandbox as Xero, the providers' stand-in as their APIs), and the webhooks themselves.

Provider by provider: test_payments_stripe.py, test_payments_stripe_invoices.py (subscriptions),
test_payments_gocardless.py; the clearing bank accounts: test_payments_clearing_accounts.py.
"""
import json
import time
import uuid
from datetime import date
from unittest.mock import patch

from odoo.tests import TransactionCase, tagged

from .common import (
    GC_SECRET,
    GC_TOKEN,
    STRIPE_KEY,
    STRIPE_SECRET,
    ProviderStandIn,
    XeroHttpCase,
    empty_provider_data,
    gocardless_signature,
    stripe_header,
)
from .test_webhook import DEEP, LIMIT, NoTraceback, raw_post

PAYMENTS_LOGGER = "odoo.addons.xero_connector.controllers.payments"


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

    def test_secret_changes_reach_the_webhook_at_once(self):
        """The secrets are read once per worker (res.company._xero_webhook_secrets): a secret rolled, a company
        archived or created with one take effect at the next delivery."""
        event = self.stripe_event("charge.succeeded", self.charge())
        body = json.dumps(event).encode()
        self.assertEqual(self.post_stripe(body=body).status_code, 200)
        self.company.sudo().xero_stripe_webhook_secret = "whsec_rolled"
        other = self.env["res.company"].create({"name": "Third Roastery", "currency_id": self.company.currency_id.id,
                                                "xero_stripe_webhook_secret": "whsec_third_company"})
        with self.assertLogs("odoo.addons.xero_connector.controllers.payments", "WARNING"):
            self.assertEqual(self.post_stripe(body=body).status_code, 400, "the old secret is refused")
        again = self.stripe_event("charge.succeeded", self.charge())
        again_body = json.dumps(again).encode()
        self.assertEqual(self.post_stripe(body=again_body, header=stripe_header(again_body, "whsec_rolled"))
                         .status_code, 200)
        third = self.stripe_event("charge.succeeded", self.charge())
        third_body = json.dumps(third).encode()
        self.assertEqual(self.post_stripe(body=third_body, header=stripe_header(third_body, "whsec_third_company"))
                         .status_code, 200)
        self.assertEqual(self.Event.search([("event_id", "=", third["id"])]).company_id, other)
        other.action_archive()
        with self.assertLogs("odoo.addons.xero_connector.controllers.payments", "WARNING"):
            self.assertEqual(self.post_stripe(body=third_body, header=stripe_header(third_body, "whsec_third_company"))
                             .status_code, 400, "an archived company receives nothing")

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
