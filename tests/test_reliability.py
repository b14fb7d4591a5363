"""Reliability: exports under a storm of injected faults, and mutated webhook deliveries."""

import base64
import hashlib
import hmac
import json
import random

from odoo.fields import Command
from odoo.tests import tagged

from .common import XeroHttpCase

KEY = "reliability-webhook-key-0123456789"


@tagged("post_install", "-at_install")
class TestReliability(XeroHttpCase):
    def setUp(self):
        super().setUp()
        self.tenant = self.sandbox_orgs[0]["tenant_id"]
        self.connection = self._xero_connect(self.xero_admin, tenants=[self.tenant])

    def test_1000_exports_with_20_percent_faults(self):
        """1,000 invoices, one call in five failing (500, 503, 429, dropped connection, response lost
        after Xero committed the write): every invoice ends in Xero exactly once."""
        count = 1000
        company = self.env.company
        company.write({"xero_sales_account_code": "200", "xero_tax_type": "NONE"})
        contacts = self.sandbox_post(f"/_sandbox/orgs/{self.tenant}/Contacts", {
            "Contacts": [{"Name": f"Reliable Customer {i:04d}"} for i in range(count)]})["Contacts"]
        partners = self.env["res.partner"].with_context(xero_from_xero=True, tracking_disable=True).create([
            {"name": c["Name"], "xero_contact_id": c["ContactID"]} for c in contacts])
        product = self.env["product.product"].create({"name": "Beans", "list_price": 9, "taxes_id": False})
        moves = self.env["account.move"].with_context(tracking_disable=True).create([
            {"move_type": "out_invoice", "partner_id": p.id, "invoice_date": "2026-11-20",
             "invoice_line_ids": [Command.create({"product_id": product.id, "quantity": 1, "price_unit": 9,
                                                  "tax_ids": False})]}
            for p in partners])
        # Fresh test database, thousands of rows just inserted: without statistics PostgreSQL may plan
        # Odoo's payment-state query (computed when the new invoices are flushed, then on posting) as a
        # nested loop that runs for many minutes (seen here: over ten). The rows are in the tables once
        # created; the statistics are taken before anything computes over them, and again after.
        analyze = "ANALYZE account_move, account_move_line, account_partial_reconcile, res_partner"
        self.env.cr.execute(analyze)
        self.env.flush_all()
        self.env.cr.execute(analyze)
        for start in range(0, count, 100):
            moves[start:start + 100].action_post()
        faults = [{"kind": kind, "tenant": self.tenant, "path": "/Invoices", "rate": 0.045, "seed": seed,
                   "retry_after": 1}
                  for seed, kind in enumerate(("500", "503", "429", "reset", "lost_response"))]
        self.sandbox_post("/_sandbox/faults", {"faults": faults})
        Job = self.env["xero.job"]
        jobs = Job._xero_enqueue(moves, "invoice")
        for _round in range(60):
            Job._xero_send(connections=self.connection, max_rate_wait=5)
            open_jobs = jobs.filtered(lambda j: j.state not in ("done", "blocked", "cancelled"))
            if not open_jobs:
                break
            open_jobs.write({"next_try": False})  # skip the backoff delays: the test drives the retries
        hits = sum(f["hits"] for f in self.sandbox_get("/_sandbox/faults"))
        calls = [e for e in self.sandbox_get("/_sandbox/log") if e["path"].endswith("/Invoices")]
        self.sandbox.app.faults.clear()
        self.assertGreater(hits, 0, "faults were injected")
        self.assertGreaterEqual(hits / len(calls), 0.1, f"{hits} faults over {len(calls)} calls")
        self.assertEqual(set(jobs.mapped("state")), {"done"}, jobs.filtered(lambda j: j.state != "done").mapped("error"))
        books = self.sandbox_get(f"/_sandbox/orgs/{self.tenant}/Invoices")["Invoices"]
        ours = [i for i in books if i.get("InvoiceNumber") in set(moves.mapped("name"))]
        self.assertEqual(len(ours), count, "no invoice lost")
        self.assertEqual(len({i["InvoiceNumber"] for i in ours}), count, "no invoice twice")
        by_number = {i["InvoiceNumber"]: i["InvoiceID"] for i in ours}
        self.assertEqual({m.name: m.xero_invoice_id for m in moves}, by_number, "Odoo knows each Xero id")

    def test_1000_mutated_webhook_deliveries_are_refused(self):
        """Signed deliveries with one thing wrong (a byte of the body, the signature, the key, the
        header) are all refused with 401 and none is stored; the intact one is accepted."""
        self.env["ir.config_parameter"].sudo().set_param("xero_connector.webhook_key", KEY)
        event = {"resourceUrl": f"https://api.xero.com/api.xro/2.0/Contacts/{'1' * 8}-0000-0000-0000-{'2' * 12}",
                 "resourceId": f"{'1' * 8}-0000-0000-0000-{'2' * 12}", "eventDateUtc": "2026-11-20T10:00:00.000",
                 "eventType": "UPDATE", "eventCategory": "CONTACT", "tenantId": self.tenant,
                 "tenantType": "ORGANISATION"}
        body = json.dumps({"events": [event], "firstEventSequence": 1, "lastEventSequence": 1,
                           "entropy": "RELIABILITY"}, separators=(",", ":")).encode()

        def sign(data, key=KEY):
            return base64.b64encode(hmac.new(key.encode(), data, hashlib.sha256).digest()).decode()

        rng = random.Random(20261122)
        Event = self.env["xero.event"].sudo()
        before = Event.search_count([])
        refused = 0
        for i in range(1000):
            data, headers = bytearray(body), {"Content-Type": "application/json"}
            signature = sign(bytes(body))
            mutation = i % 5
            if mutation == 0:  # one byte of the body changed
                pos = rng.randrange(len(data))
                data[pos] = (data[pos] + rng.randrange(1, 256)) % 256
            elif mutation == 1:  # one character of the signature changed
                pos = rng.randrange(len(signature) - 1)
                alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
                signature = signature[:pos] + rng.choice(alphabet.replace(signature[pos], "")) + signature[pos + 1:]
            elif mutation == 2:  # signed with another key
                signature = sign(bytes(body), key=KEY + str(i))
            elif mutation == 3:  # truncated or empty signature
                signature = signature[: rng.randrange(len(signature))]
            else:  # body grown by one byte
                data += b" " if i % 2 else b"}"
            if mutation != 4 or i % 3:
                headers["x-xero-signature"] = signature
            answer = self.url_open("/xero/webhook", data=bytes(data), headers=headers, allow_redirects=False)
            refused += answer.status_code == 401 and not answer.content
        self.assertEqual(refused, 1000, f"every mutated delivery is refused with an empty 401 (last: "
                         f"{answer.status_code} {answer.content[:100]!r})")
        self.assertEqual(Event.search_count([]), before, "none is stored")
        intact = self.url_open("/xero/webhook", data=body, headers={"x-xero-signature": sign(body)},
                               allow_redirects=False)
        self.assertEqual(intact.status_code, 200)
        self.assertEqual(Event.search_count([]), before + 1)
