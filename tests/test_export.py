from datetime import timedelta
from unittest.mock import patch

import requests

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.fields import Command
from odoo.tests import tagged

from ..xero import parse_xero_date
from ..xero.client import XeroClient
from .common import XeroHttpCase

API = "/api.xro/2.0"


class XeroExportCase(XeroHttpCase):
    """A company connected to the sandbox's first organisation, with the minimal mapping."""

    def setUp(self):
        super().setUp()
        self.org = self.sandbox_orgs[0]["tenant_id"]
        self.connection = self._xero_connect(self.xero_admin, tenants=[self.org])
        self.assertEqual(self.connection.state, "connected")
        # Xero's chart of accounts and tax rates, as "Refresh from Xero" reads them (the mapping is checked
        # against them before sending).
        self.connection._xero_refresh_lists(["accounts", "tax_rates"])
        self.company.write({"xero_sales_account_code": "200", "xero_tax_type": "OUTPUT",
                            "xero_invoice_status": "AUTHORISED", "xero_auto_export": "none",
                            "xero_sale_order_target": "invoice", "xero_auto_export_invoices": False})
        self.Job = self.env["xero.job"].sudo()
        self.product = self.env["product.product"].create({"name": "Espresso Beans 1kg", "list_price": 25.0})
        self.tax = self.env["account.tax"].create({"name": "Sales 15%", "amount": 15.0, "type_tax_use": "sale"})
        self.xero_user.group_ids += self.env.ref("sales_team.group_sale_salesman_all_leads") \
            + self.env.ref("account.group_account_invoice")
        self.customer = self.env["res.partner"].create({"name": "Harbour Roasters Ltd", "email": "ap@harbour.example",
                                                        "is_company": True})

    # -- sandbox ------------------------------------------------------------------------------------
    def xero(self, collection):
        return self.sandbox_get(f"/_sandbox/orgs/{self.org}/{collection}")[collection]

    def seed(self, collection, records):
        return self.sandbox_post(f"/_sandbox/orgs/{self.org}/{collection}", {collection: records})[collection]

    def fault(self, **spec):
        self.sandbox_post("/_sandbox/faults", dict(spec, tenant=self.org))

    def calls(self, method=None, path=None):
        log = self.sandbox_get("/_sandbox/log", tenant=self.org)
        return [e for e in log if (not method or e["method"] == method)
                and (not path or e["path"].rstrip("/").endswith(path))]

    def clear_log(self):
        requests.delete(self.sandbox.url + "/_sandbox/log", timeout=10).raise_for_status()

    # -- Odoo records -------------------------------------------------------------------------------
    def order(self, partner=None, qty=2, price=25.0, ref=False, confirm=False):
        order = self.env["sale.order"].create({
            "partner_id": (partner or self.customer).id,
            "client_order_ref": ref,
            "order_line": [Command.create({"product_id": self.product.id, "product_uom_qty": qty, "price_unit": price,
                                           "tax_ids": [Command.set(self.tax.ids)]})],
        })
        if confirm:
            order.action_confirm()
        return order

    def invoice(self, partner=None, price=100.0, move_type="out_invoice", post=True):
        move = self.env["account.move"].create({
            "move_type": move_type,
            "partner_id": (partner or self.customer).id,
            "invoice_date": fields.Date.today(),
            "invoice_line_ids": [Command.create({"name": "Roasting service", "quantity": 1, "price_unit": price,
                                                 "tax_ids": [Command.set(self.tax.ids)]})],
        })
        if post:
            move.action_post()
        return move

    def send(self, **kw):
        return self.Job._xero_send(**kw)

    def send_while(self, resource, user_action):
        """Send, ``user_action()`` running once during the first call to Xero's ``resource`` (after the
        payloads were built: what a user does while the sender waits for Xero)."""
        original, done = XeroClient.batch_write, []

        def during_the_call(client, called, elements, **kw):
            if called == resource and not done:
                done.append(True)
                user_action()
            return original(client, called, elements, **kw)

        with patch.object(XeroClient, "batch_write", during_the_call):
            self.send()

    def jobs_of(self, records, operation=None):
        domain = [("res_model", "=", records._name), ("res_id", "in", records.ids)]
        if operation:
            domain.append(("operation", "=", operation))
        return self.Job.search(domain)


@tagged("post_install", "-at_install")
class TestOutbox(XeroExportCase):
    def test_one_open_job_per_record_and_operation(self):
        order = self.order()
        first = self.Job._xero_enqueue(order, "invoice")
        again = self.Job._xero_enqueue(order, "invoice")
        self.assertEqual(first, again)
        self.assertEqual(first.state, "pending")
        self.assertEqual(first.resource, "Invoices")
        self.assertEqual(first.method, "PUT")
        self.assertTrue(first.idempotency_key)
        self.assertIn(str(first.id), first.idempotency_key)
        quote = self.Job._xero_enqueue(order, "quote")
        self.assertNotEqual(quote, first, "another operation is another job")
        cron = self.env.ref("xero_connector.ir_cron_xero_send")
        self.assertTrue(self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)]), "the sender is triggered")

    def test_a_change_made_while_the_order_is_on_its_way_follows(self):
        order = self.order(ref="PO-FIRST")
        self.Job._xero_enqueue(order.partner_id, "contact", method="POST")
        self.send()
        job = self.Job._xero_enqueue(order, "invoice")
        self.send_while("Invoices", lambda: order.write({"client_order_ref": "PO-SECOND"}))
        self.assertEqual(job.state, "done", job.error)
        self.assertIn("PO-FIRST", job.request_excerpt, "the payload was built before the change")
        # The change followed as an update (in the same run here), not lost.
        update = self.jobs_of(order, "invoice").filtered(lambda j: j.method == "POST")
        self.assertEqual(update.state, "done", update.error)
        invoice = next(i for i in self.xero("Invoices") if i["InvoiceID"] == order.xero_invoice_id)
        self.assertEqual(invoice["Reference"], "PO-SECOND")
        self.assertEqual(len([i for i in self.xero("Invoices") if i["InvoiceID"] == order.xero_invoice_id]), 1)
        # Nothing changed during a send: nothing follows.
        self.send()
        self.assertEqual(len(self.jobs_of(order, "invoice")), 2)

    def test_order_billed_to_another_company_goes_to_that_contact(self):
        group = self.env["res.partner"].create({"name": "Harbour Group Ltd", "is_company": True})
        order = self.order()
        order.partner_invoice_id = group
        job = self.Job._xero_enqueue(order, "invoice")
        self.send()
        self.assertEqual(job.state, "done", job.error)
        invoice = next(i for i in self.xero("Invoices") if i["InvoiceID"] == order.xero_invoice_id)
        self.assertEqual(invoice["Contact"]["ContactID"], group.xero_contact_id)
        self.assertFalse(self.customer.xero_contact_id and self.customer.xero_contact_id == group.xero_contact_id)

    def test_order_dated_where_it_was_made(self):
        # Confirmed at 09:30 on 2 July in Auckland: 21:30 on 1 July in UTC, where the sender runs.
        self.env.user.tz = "Pacific/Auckland"
        order = self.order()
        order.write({"date_order": "2026-07-01 21:30:00", "user_id": self.env.user.id})
        job = self.Job._xero_enqueue(order, "invoice")
        self.Job.with_context(tz="UTC").sudo()._xero_send()
        self.assertEqual(job.state, "done", job.error)
        invoice = next(i for i in self.xero("Invoices") if i["InvoiceID"] == order.xero_invoice_id)
        self.assertEqual(parse_xero_date(invoice["Date"]).date().isoformat(), "2026-07-02")

    def test_sale_order_as_invoice_with_customer_first(self):
        order = self.order(ref="PO-7781")
        job = self.Job._xero_enqueue(order, "invoice")
        self.send()
        self.assertEqual(job.state, "done", job.error)
        contact_job = self.jobs_of(self.customer, "contact")
        self.assertEqual(contact_job.state, "done")
        writes = [c["path"].rsplit("/", 1)[-1] for c in self.calls() if c["method"] in ("PUT", "POST")]
        self.assertEqual(writes, ["Contacts", "Invoices"], "the customer first, then the document")
        invoice = next(i for i in self.xero("Invoices") if i["InvoiceID"] == order.xero_invoice_id)
        self.assertEqual(invoice["Type"], "ACCREC")
        self.assertEqual(invoice["Status"], "AUTHORISED")
        self.assertEqual(invoice["Reference"], "PO-7781")
        self.assertEqual(invoice["Contact"]["ContactID"], self.customer.xero_contact_id)
        self.assertEqual(invoice["LineAmountTypes"], "Exclusive")
        self.assertEqual(invoice["CurrencyCode"], order.currency_id.name)
        self.assertNotIn("CurrencyRate", job.request_excerpt)
        self.assertTrue(invoice["Url"].endswith(f"/odoo/sale.order/{order.id}"))
        line = invoice["LineItems"][0]
        self.assertEqual((line["Quantity"], line["UnitAmount"], line["AccountCode"], line["TaxType"]),
                         (2.0, 25.0, "200", "OUTPUT"))
        self.assertAlmostEqual(invoice["Total"], order.amount_total)
        self.assertEqual(order.xero_invoice_number, invoice["InvoiceNumber"])
        self.assertEqual(order.xero_invoice_status, "AUTHORISED")
        self.assertIn("go.xero.com", order.message_ids[0].body)

    def test_sale_order_as_quote(self):
        order = self.order()
        order.validity_date = fields.Date.today() + timedelta(days=30)
        job = self.Job._xero_enqueue(order, "quote")
        self.send()
        self.assertEqual(job.state, "done", job.error)
        quote = next(q for q in self.xero("Quotes") if q["QuoteID"] == order.xero_quote_id)
        self.assertEqual(quote["Status"], "DRAFT")
        self.assertEqual(quote["Title"], order.name)
        self.assertEqual(order.xero_quote_number, quote["QuoteNumber"])

    def test_missing_mapping_blocks_with_a_message_then_retry_succeeds(self):
        self.company.xero_sales_account_code = False
        order = self.order()
        job = self.Job._xero_enqueue(order, "invoice")
        before = len(self.calls("PUT", "/Invoices"))
        self.send()
        self.assertEqual(job.state, "blocked")
        self.assertIn("sales account code", job.error)
        self.assertIn(order.name, job.error)
        self.assertEqual(len(self.calls("PUT", "/Invoices")), before, "nothing sent wrong")
        self.company.xero_sales_account_code = "200"
        job.with_user(self.xero_admin).action_retry()
        self.send()
        self.assertEqual(job.state, "done", job.error)

    def test_invoice_keeps_odoo_number_and_refund_is_a_credit_note(self):
        move = self.invoice()
        refund = self.invoice(move_type="out_refund", price=40.0)
        jobs = self.Job._xero_enqueue(move, "invoice") | self.Job._xero_enqueue(refund, "credit_note")
        self.send()
        self.assertEqual(set(jobs.mapped("state")), {"done"}, jobs.mapped("error"))
        invoice = next(i for i in self.xero("Invoices") if i["InvoiceID"] == move.xero_invoice_id)
        self.assertEqual(invoice["InvoiceNumber"], move.name)
        self.assertEqual(parse_xero_date(invoice["DueDate"]).date(), move.invoice_date_due)
        credit = next(c for c in self.xero("CreditNotes") if c["CreditNoteID"] == refund.xero_invoice_id)
        self.assertEqual(credit["Type"], "ACCRECCREDIT")
        self.assertEqual(credit["CreditNoteNumber"], refund.name)
        self.assertAlmostEqual(credit["Total"], refund.amount_total)

    def test_discounted_refund_is_a_credit_note_without_discount(self):
        # Xero's credit notes do not support discounts (DiscountRate: ACCREC invoices only): the credited unit
        # price is the discounted one, so the credit note still totals what Odoo credits.
        refund = self.invoice(move_type="out_refund", price=37.5, post=False)
        refund.invoice_line_ids.write({"quantity": 3, "discount": 12.5})
        refund.action_post()
        job = self.Job._xero_enqueue(refund, "credit_note")
        self.send()
        self.assertEqual(job.state, "done", job.error)
        credit = next(c for c in self.xero("CreditNotes") if c["CreditNoteID"] == refund.xero_invoice_id)
        [line] = credit["LineItems"]
        self.assertNotIn("DiscountRate", line)
        self.assertEqual((line["Quantity"], line["UnitAmount"]), (3.0, 32.8125))
        self.assertAlmostEqual(credit["SubTotal"], refund.amount_untaxed)
        self.assertAlmostEqual(credit["Total"], refund.amount_total)

    def test_batches_of_50_one_invalid_in_the_middle(self):
        customers = self.env["res.partner"].create([{"name": f"Batch Customer {i}"} for i in range(3)])
        self.clear_log()
        self.Job._xero_enqueue(customers, "contact", method="POST")
        self.send()
        contacts = self.calls(path="/Contacts")
        self.assertEqual([w["elements"] for w in contacts if w["method"] in ("PUT", "POST")], [3],
                         "three customers, one call")
        moves = self.env["account.move"]
        for i in range(51):
            moves |= self.invoice(partner=customers[i % 3], price=10 + i)
        # Xero already has an invoice with the number of the 25th: Xero refuses that one element only.
        clash = moves[24]
        self.seed("Invoices", [{"Type": "ACCREC", "InvoiceNumber": clash.name, "Contact": {"Name": "Someone Else"},
                                "Date": str(fields.Date.today()), "Status": "DRAFT", "LineItems": []}])
        self.clear_log()
        action = moves.with_user(self.xero_user).action_xero_export()
        self.assertIn("51", action["params"]["message"])
        self.send()
        jobs = self.jobs_of(moves)
        self.assertEqual(len(jobs), 51)
        done, blocked = jobs.filtered(lambda j: j.state == "done"), jobs.filtered(lambda j: j.state == "blocked")
        self.assertEqual((len(done), len(blocked)), (50, 1))
        self.assertEqual(blocked.res_id, clash.id)
        self.assertIn("must be unique", blocked.error)
        self.assertIn(clash.name, blocked.error)
        writes = self.calls("PUT", "/Invoices")
        self.assertEqual([w["elements"] for w in writes], [50, 1], "51 invoices in two calls")
        self.assertTrue(all("summarizeErrors=false" in w["query"] for w in writes))
        self.assertEqual(len(self.calls()), 2, "and nothing else")
        self.assertFalse(clash.xero_invoice_id)
        self.assertEqual(len(done.mapped("xero_id")), 50)
        self.assertEqual(len([i for i in self.xero("Invoices") if i["InvoiceNumber"] in moves.mapped("name")]), 51)

    def test_lost_response_no_duplicate(self):
        """The write reached Xero, the answer was lost: the retry with the same key gets Xero's answer."""
        move = self.invoice()
        job = self.Job._xero_enqueue(move, "invoice")
        self.Job._xero_enqueue(self.customer, "contact", method="POST")
        self.send()  # the customer
        self.fault(kind="lost_response", method="PUT", path=f"{API}/Invoices", count=1)
        self.send()
        self.assertEqual(job.state, "done", job.error)
        mine = [i for i in self.xero("Invoices") if i["InvoiceNumber"] == move.name]
        self.assertEqual(len(mine), 1)
        self.assertEqual(move.xero_invoice_id, mine[0]["InvoiceID"])
        writes = self.calls("PUT", "/Invoices")
        self.assertEqual(len({w["idempotency_key"] for w in writes}), 1, "the retry reuses the key")

    def test_lost_responses_then_lookup_before_create(self):
        """Every attempt's answer lost: the job waits, outcome unknown; the next run finds it in Xero."""
        for move_type, operation, collection in (("out_invoice", "invoice", "Invoices"),
                                                 ("out_refund", "credit_note", "CreditNotes")):
            move = self.invoice(move_type=move_type)
            # A supplier's bill (or credit note) with the same number is in Xero first: never taken for ours.
            [bill] = self.seed(collection, [{
                "Type": "ACCPAY" if operation == "invoice" else "ACCPAYCREDIT", "Status": "AUTHORISED",
                "Contact": {"Name": "Bean Supplier Pty"}, "Date": "2026-03-01", "DueDate": "2026-03-31",
                "InvoiceNumber" if operation == "invoice" else "CreditNoteNumber": move.name,
                "LineItems": [{"Description": "Green beans", "Quantity": 1, "UnitAmount": 7, "AccountCode": "310"}]}])
            self.assertEqual(bill["StatusAttributeString"], "OK", bill)
            job = self.Job._xero_enqueue(move, operation)
            self.fault(kind="lost_response", method="PUT", path=f"{API}/{collection}", count=4)
            self.send()
            self.assertEqual(job.state, "retry")
            self.assertTrue(job.outcome_unknown)
            self.assertEqual(job.attempts, 1)
            key = job.idempotency_key
            job.next_try = False
            self.send()
            self.assertEqual(job.state, "done", job.error)
            self.assertIn("found_by_lookup", job.response_excerpt)
            number = "InvoiceNumber" if collection == "Invoices" else "CreditNoteNumber"
            self.assertEqual(len([d for d in self.xero(collection) if d[number] == move.name
                                  and d["Type"].startswith("ACCREC")]), 1)
            self.assertNotEqual(move.xero_invoice_id, bill[{"Invoices": "InvoiceID"}.get(collection, "CreditNoteID")])
            self.assertNotEqual(job.idempotency_key, key, "known outcome: a new key for what comes next")

    def test_sale_order_lookup_after_lost_responses(self):
        order = self.order(ref="PO-LOST")
        self.Job._xero_enqueue(self.customer, "contact", method="POST")
        self.send()
        job = self.Job._xero_enqueue(order, "invoice")
        self.fault(kind="lost_response", method="PUT", path=f"{API}/Invoices", count=4)
        self.send()
        self.assertTrue(job.outcome_unknown)
        # Meanwhile an administrator logged in from another address (Odoo moves web.base.url).
        self.env["ir.config_parameter"].set_param("web.base.url", "http://erp.example.test:8069")
        job.next_try = False
        self.send()
        self.assertEqual(job.state, "done", job.error)
        self.assertEqual(len([i for i in self.xero("Invoices") if i.get("Reference") == "PO-LOST"]), 1)
        self.assertIn("found_by_lookup", job.response_excerpt)

    def test_sender_killed_mid_batch_recovers(self):
        """A job left 'sending' by a dead worker is checked in Xero before being sent again."""
        move = self.invoice()
        self.Job._xero_enqueue(self.customer, "contact", method="POST")
        self.send()
        job = self.Job._xero_enqueue(move, "invoice")
        self.send()
        self.assertEqual(job.state, "done")
        xero_id = move.xero_invoice_id
        # The worker died after Xero created the document and before anything was recorded.
        job.write({"state": "sending", "xero_id": False})
        move.xero_invoice_id = False
        self.send()
        self.assertEqual(job.state, "done")
        self.assertEqual(move.xero_invoice_id, xero_id)
        self.assertEqual(len([i for i in self.xero("Invoices") if i["InvoiceNumber"] == move.name]), 1)

    def test_killed_batch_is_looked_up_in_one_call_per_model(self):
        partners = self.env["res.partner"].create([{"name": f"Killed Batch {n} Ltd", "email": f"k{n}@example.com"}
                                                   for n in range(3)])
        moves = self.env["account.move"].browse([self.invoice(partner=p).id for p in partners])
        contact_jobs = self.Job._xero_enqueue(partners, "contact", method="POST")
        invoice_jobs = self.Job._xero_enqueue(moves, "invoice")
        self.send()
        self.assertEqual(set((contact_jobs | invoice_jobs).mapped("state")), {"done"})
        ids = {m.id: m.xero_invoice_id for m in moves} | {p.id: p.xero_contact_id for p in partners}
        # The worker died after Xero wrote both batches and before Odoo recorded anything.
        (contact_jobs | invoice_jobs).write({"state": "sending", "xero_id": False})
        moves.write({"xero_invoice_id": False})
        partners.with_context(xero_from_xero=True).write({"xero_contact_id": False})
        self.clear_log()
        self.send()
        self.assertEqual(set((contact_jobs | invoice_jobs).mapped("state")), {"done"})
        self.assertEqual({m.id: m.xero_invoice_id for m in moves} | {p.id: p.xero_contact_id for p in partners}, ids)
        lookups = [c for c in self.calls("GET") if "InvoiceNumbers" in (c.get("query") or "")
                   or "ContactNumber" in (c.get("query") or "")]
        self.assertEqual(len(lookups), 2, "one call for the three invoices, one for the three contacts")
        self.assertFalse(self.calls("PUT") + self.calls("POST"), "nothing written again")

    def test_blocked_customer_is_not_resent_by_the_sender_until_a_user_asks(self):
        customer = self.env["res.partner"].create({"name": "Blocked Customer Ltd", "email": "b@example.com"})
        contact_job = self.Job._xero_enqueue(customer, "contact", method="POST")
        contact_job.write({"state": "blocked", "error": "Xero refused it: (a past refusal)"})
        move = self.invoice(partner=customer)
        invoice_job = self.Job._xero_enqueue(move, "invoice")
        self.clear_log()
        for _run in range(3):
            self.send()
        self.assertFalse(self.calls("POST", "/Contacts") + self.calls("PUT", "/Contacts"),
                         "a blocked customer is not sent again by each run of the sender")
        self.assertEqual((contact_job.state, invoice_job.state), ("blocked", "blocked"))
        self.assertIn("Blocked Customer Ltd", invoice_job.error)
        # The user retries the invoice (after fixing the customer): its customer goes back to the queue too.
        invoice_job.with_user(self.xero_admin).action_retry()
        self.send()
        self.assertEqual((contact_job.state, invoice_job.state), ("done", "done"))

    def test_transient_error_retries_with_backoff(self):
        move = self.invoice()
        self.Job._xero_enqueue(self.customer, "contact", method="POST")
        self.send()
        job = self.Job._xero_enqueue(move, "invoice")
        self.fault(kind="503", method="PUT", path=f"{API}/Invoices", count=4)
        self.send()
        self.assertEqual(job.state, "retry")
        self.assertEqual(job.attempts, 1)
        self.assertGreater(job.next_try, fields.Datetime.now())
        self.assertIn("503", job.error)
        self.send()
        self.assertEqual(job.state, "retry", "not before its next try")
        job.next_try = False
        self.send()
        self.assertEqual(job.state, "done")
        self.assertEqual(job.attempts, 2)
        self.assertEqual(len([i for i in self.xero("Invoices") if i["InvoiceNumber"] == move.name]), 1)

    def test_429_waits_without_spending_attempts(self):
        move = self.invoice()
        self.Job._xero_enqueue(self.customer, "contact", method="POST")
        self.send()
        job = self.Job._xero_enqueue(move, "invoice")
        # A short Retry-After: the sender waits it out and goes on.
        self.fault(kind="429", problem="minute", retry_after=1, method="PUT", path=f"{API}/Invoices", count=1)
        self.send()
        self.assertEqual(job.state, "done", job.error)
        self.assertEqual(job.attempts, 1)
        self.assertEqual([c["status"] for c in self.calls("PUT", "/Invoices")], [429, 200])
        # A long one: the jobs go back to the queue until then, no attempt spent.
        other = self.invoice()
        job2 = self.Job._xero_enqueue(other, "invoice")
        self.fault(kind="429", problem="minute", retry_after=50, method="PUT", path=f"{API}/Invoices", count=1)
        self.send(max_rate_wait=5)
        self.assertEqual(job2.state, "pending")
        self.assertEqual(job2.attempts, 0)
        self.assertGreater(job2.next_try, fields.Datetime.now() + timedelta(seconds=30))
        self.assertIn("rate limit", job2.error)

    def test_day_limit_stops_the_organisation(self):
        moves = self.invoice() | self.invoice(price=5)
        self.Job._xero_enqueue(self.customer, "contact", method="POST")
        self.send()
        jobs = self.Job._xero_enqueue(moves[0], "invoice") | self.Job._xero_enqueue(moves[1], "invoice")
        self.fault(kind="429", problem="day", retry_after=3600, method="PUT", path=f"{API}/Invoices", count=1)
        self.send()
        self.assertEqual(set(jobs.mapped("state")), {"pending"})
        self.assertEqual(set(jobs.mapped("attempts")), {0})
        self.assertGreater(min(jobs.mapped("next_try")), fields.Datetime.now() + timedelta(minutes=50))
        calls = len(self.calls())
        jobs.write({"next_try": False})
        self.send()
        self.assertEqual(len(self.calls()), calls, "no call to Xero until the day window resets")
        self.assertEqual(set(jobs.mapped("state")), {"pending"})

    def test_needs_reconnect_pauses_then_resumes(self):
        move = self.invoice()
        job = self.Job._xero_enqueue(move, "invoice")
        self.connection._xero_oauth().revoke(self.connection.refresh_token)
        self.sandbox_post("/_sandbox/tokens/expire")
        self.send()
        self.connection.invalidate_recordset()
        self.assertEqual(self.connection.state, "reconnect")
        jobs = self.Job.search([("company_id", "=", self.company.id), ("state", "!=", "done")])
        self.assertEqual(set(jobs.mapped("state")), {"pending"}, "nothing fails while paused")
        self.assertEqual(set(jobs.mapped("attempts")), {0})
        self.send()  # still paused: nothing happens
        self.assertEqual(job.state, "pending")
        # Exported by hand meanwhile: queued, and the user is told it waits for the reconnect.
        action = self.invoice().with_user(self.xero_user).action_xero_export()
        self.assertIn("must reconnect", action["params"]["message"])
        self._xero_connect(self.xero_admin, tenants=[self.org])
        self.send()
        self.assertEqual(job.state, "done", job.error)

    def test_sync_log_access(self):
        order = self.order()
        job = self.Job._xero_enqueue(order, "invoice")
        self.assertEqual(job.with_user(self.xero_user).read(["state"])[0]["state"], "pending")
        with self.assertRaises(AccessError):
            job.with_user(self.xero_user).action_cancel()
        with self.assertRaises(AccessError):
            job.with_user(self.internal_user).read(["state"])
        job.with_user(self.xero_admin).action_cancel()
        self.assertEqual(job.state, "cancelled")
        again = self.Job._xero_enqueue(order, "invoice")
        self.assertNotEqual(again, job, "a finished job does not hold the record")


@tagged("post_install", "-at_install")
class TestExportActions(XeroExportCase):
    def test_manual_export_sends_at_once_and_reports(self):
        order = self.order(confirm=True)
        action = order.with_user(self.xero_user).action_xero_export_invoice()
        self.assertEqual(action["tag"], "display_notification")
        self.assertEqual(action["params"]["type"], "success", action["params"])
        self.assertTrue(order.xero_invoice_id)
        self.assertEqual(action["params"]["links"][0]["url"], self.Job._xero_deep_link("Invoices", order.xero_invoice_id))

    def test_sales_order_action_follows_the_settings(self):
        self.company.xero_sale_order_target = "quote"
        order = self.order()
        order.with_user(self.xero_user).action_xero_export_sales_order()
        self.assertTrue(order.xero_quote_id)
        self.assertFalse(order.xero_invoice_id)

    def test_wizard_three_choices(self):
        order = self.order(confirm=True)
        order.action_xero_export_invoice()
        first_id = order.xero_invoice_id
        self.assertTrue(first_id)
        calls = len(self.calls())
        # Already exported: the action only asks.
        action = order.with_user(self.xero_user).action_xero_export_invoice()
        self.assertEqual(action["res_model"], "xero.export.wizard")
        self.assertEqual(len(self.calls()), calls, "the action itself sends nothing")
        wizard = self.env["xero.export.wizard"].browse(action["res_id"])
        self.assertTrue(wizard.can_update)
        # Cancel: nothing queued, nothing sent.
        self.assertFalse(self.jobs_of(order).filtered(lambda j: j.state in ("pending", "retry")))
        # Update in Xero.
        order.order_line[0].with_context(xero_no_update=True).product_uom_qty = 3
        wizard.with_user(self.xero_user).action_update()
        self.assertEqual(order.xero_invoice_id, first_id)
        invoice = next(i for i in self.xero("Invoices") if i["InvoiceID"] == first_id)
        self.assertAlmostEqual(invoice["Total"], order.amount_total)
        self.assertEqual(len(self.calls("POST", "/Invoices")), 1)
        # Send as a new document: an explicit duplicate.
        action = order.with_user(self.xero_user).action_xero_export_invoice()
        wizard = self.env["xero.export.wizard"].browse(action["res_id"])
        wizard.with_user(self.xero_user).action_send_new()
        self.assertNotEqual(order.xero_invoice_id, first_id)
        self.assertEqual(len([i for i in self.xero("Invoices") if i.get("Url", "").endswith(f"/sale.order/{order.id}")]), 2)
        self.assertTrue(self.jobs_of(order).filtered("force_new"))

    def test_wizard_refuses_update_when_xero_does_not_allow_it(self):
        order = self.order(confirm=True)
        order.action_xero_export_invoice()
        order.xero_invoice_status = "PAID"
        action = order.action_xero_export_invoice()
        wizard = self.env["xero.export.wizard"].browse(action["res_id"])
        self.assertFalse(wizard.can_update)
        self.assertIn("PAID", wizard.update_blocked_reason)
        # Voided in Xero, it no longer counts as sent: exporting again sends a new invoice (not a duplicate).
        voided_id = order.xero_invoice_id
        self.seed("Invoices", [{"InvoiceID": voided_id, "Status": "VOIDED"}])
        order.xero_invoice_status = "VOIDED"
        action = order.action_xero_export_invoice()
        self.assertNotEqual(action.get("res_model"), "xero.export.wizard")
        self.assertNotEqual(order.xero_invoice_id, voided_id)
        self.assertEqual(order.xero_invoice_status, "AUTHORISED")

    def test_bulk_action_queues_and_counts(self):
        orders = self.order() | self.order(qty=1) | self.order(qty=5)
        calls = len(self.calls())
        action = orders.with_user(self.xero_user).action_xero_export_invoice()
        self.assertIn("3", action["params"]["message"])
        self.assertEqual(len(self.calls()), calls, "bulk: queued, the sender does the rest")
        self.assertEqual(len(self.jobs_of(orders)), 3)
        self.send()
        self.assertTrue(all(orders.mapped("xero_invoice_id")))
        self.assertEqual([c["elements"] for c in self.calls("PUT", "/Invoices")], [3])

    def test_auto_export_on_confirm(self):
        self.company.xero_auto_export = "on_confirm"
        order = self.order()
        self.assertFalse(self.jobs_of(order))
        order.action_confirm()
        job = self.jobs_of(order)
        self.assertEqual((job.operation, job.state), ("invoice", "pending"))
        self.send()
        self.assertTrue(order.xero_invoice_id)

    def test_auto_export_on_po_added(self):
        self.company.xero_auto_export = "on_po"
        at_creation = self.order(ref="PO-1001")
        self.assertEqual(len(self.jobs_of(at_creation)), 1)
        later = self.order()
        self.assertFalse(self.jobs_of(later))
        later.action_confirm()
        self.assertFalse(self.jobs_of(later), "confirmation is not the trigger here")
        later.client_order_ref = "PO-2002"
        self.assertEqual(len(self.jobs_of(later)), 1)
        self.send()
        self.assertTrue(at_creation.xero_invoice_id and later.xero_invoice_id)
        # Changing an existing PO is not "adding" one; it is a change after export: an update.
        later.client_order_ref = "PO-2002-B"
        self.assertEqual(self.jobs_of(later).filtered(lambda j: j.state == "pending").method, "POST")
        self.send()
        invoice = next(i for i in self.xero("Invoices") if i["InvoiceID"] == later.xero_invoice_id)
        self.assertEqual(invoice["Reference"], "PO-2002-B")

    def test_auto_export_posted_invoices(self):
        self.company.xero_auto_export_invoices = True
        move = self.invoice()
        self.assertEqual(self.jobs_of(move).operation, "invoice")
        draft = self.invoice(post=False)
        self.assertFalse(self.jobs_of(draft))

    def test_change_after_export_updates_or_warns(self):
        order = self.order(confirm=True)
        order.action_xero_export_invoice()
        order.write({"order_line": [Command.update(order.order_line[0].id, {"product_uom_qty": 4})]})
        job = self.jobs_of(order).filtered(lambda j: j.state == "pending")
        self.assertEqual(job.method, "POST")
        self.send()
        invoice = next(i for i in self.xero("Invoices") if i["InvoiceID"] == order.xero_invoice_id)
        self.assertEqual(invoice["LineItems"][0]["Quantity"], 4.0)
        # Paid in Xero: no longer editable there; the change is flagged in the chatter instead.
        order.with_context(xero_no_update=True).xero_invoice_status = "PAID"
        order.order_line[0].product_uom_qty = 5
        self.assertFalse(self.jobs_of(order).filtered(lambda j: j.state == "pending"))
        self.assertIn("can no longer be edited", order.message_ids[0].body)

    def test_deleted_document_update_is_blocked_with_a_message(self):
        order = self.order(confirm=True)
        order.action_xero_export_invoice()
        self.seed("Invoices", [{"InvoiceID": order.xero_invoice_id, "Status": "VOIDED"}])
        job = self.Job._xero_enqueue(order, "invoice", method="POST")
        self.send()
        self.assertEqual(job.state, "blocked")
        self.assertIn("not of valid status", job.error)

    def test_invoice_reposted_after_reset_is_updated(self):
        move = self.invoice()
        move.action_xero_export()
        xero_id = move.xero_invoice_id
        self.assertTrue(xero_id)
        move.button_draft()
        move.write({"invoice_line_ids": [Command.update(move.invoice_line_ids[0].id, {"price_unit": 120.0})]})
        move.action_post()
        job = self.jobs_of(move).filtered(lambda j: j.state == "pending")
        self.assertEqual(job.method, "POST")
        self.send()
        self.assertEqual(move.xero_invoice_id, xero_id)
        invoice = next(i for i in self.xero("Invoices") if i["InvoiceID"] == xero_id)
        self.assertAlmostEqual(invoice["Total"], move.amount_total)
        self.assertEqual(len([i for i in self.xero("Invoices") if i["InvoiceNumber"] == move.name]), 1)

    def test_quote_update(self):
        order = self.order()
        self.Job._xero_enqueue(order, "quote")
        self.send()
        self.assertEqual(order.xero_quote_status, "DRAFT")
        order.write({"order_line": [Command.update(order.order_line[0].id, {"price_unit": 30.0})]})
        self.send()
        quote = next(q for q in self.xero("Quotes") if q["QuoteID"] == order.xero_quote_id)
        self.assertAlmostEqual(quote["Total"], order.amount_total)
        self.assertEqual(len(self.xero("Quotes")), 1)

    def test_cancelled_invoice_is_voided_in_xero_and_a_new_one_follows_if_posted_again(self):
        move, first_id, void = self.exported_then_cancelled()
        self.assertEqual(void.method, "POST")
        self.send()
        self.assertEqual(void.state, "done", void.error)
        invoice = next(i for i in self.xero("Invoices") if i["InvoiceID"] == first_id)
        self.assertEqual((invoice["Status"], invoice["AmountDue"]), ("VOIDED", 0.0))
        self.assertEqual(move.xero_invoice_status, "VOIDED")
        move._xero_cancelled(["invoice"])  # told again: nothing more to do
        self.assertEqual(len(self.jobs_of(move, "void_invoice")), 1)
        # Back to draft and posted again: a new Xero invoice (the voided one keeps Odoo's number).
        move.button_draft()
        move.action_post()
        self.send()
        self.assertTrue(move.xero_invoice_id)
        self.assertNotEqual(move.xero_invoice_id, first_id)
        new = next(i for i in self.xero("Invoices") if i["InvoiceID"] == move.xero_invoice_id)
        self.assertEqual(new["Status"], "AUTHORISED")
        self.assertIn(move.name, new["Reference"])

    def test_new_document_after_a_void_found_after_lost_answers(self):
        for move_type, operation, collection in (("out_invoice", "invoice", "Invoices"),
                                                 ("out_refund", "credit_note", "CreditNotes")):
            move = self.invoice(move_type=move_type)
            move.action_xero_export()
            move.button_cancel()
            self.send()
            voided = move.xero_invoice_id
            move.button_draft()
            move.action_post()
            [job] = self.jobs_of(move, operation).filtered(lambda j: j.state == "pending")
            self.assertTrue(job.force_new)
            self.fault(kind="lost_response", method="PUT", path=f"{API}/{collection}", count=4)
            self.send()
            self.assertTrue(job.outcome_unknown)
            job.next_try = False
            self.send()
            self.assertEqual(job.state, "done", job.error)
            self.assertIn("found_by_lookup", job.response_excerpt)
            id_field = "InvoiceID" if collection == "Invoices" else "CreditNoteID"
            mine = [d for d in self.xero(collection) if move.name in (d.get("Reference") or "")
                    and d["Status"] not in ("VOIDED", "DELETED")]
            self.assertEqual([d[id_field] for d in mine], [move.xero_invoice_id], "one new document, not two")
            self.assertNotEqual(move.xero_invoice_id, voided)

    def test_not_deleted_while_live_in_xero(self):
        move = self.invoice()
        move.action_xero_export()
        move.button_draft()
        with self.assertRaisesRegex(UserError, "cancel it first"):
            move.unlink()
        move.button_cancel()
        with self.assertRaisesRegex(UserError, "cancel it first"):
            move.unlink()  # its void is not in Xero yet
        self.send()
        self.assertEqual(move.xero_invoice_status, "VOIDED")
        move.unlink()
        self.assertFalse(move.exists())

    def exported_then_cancelled(self):
        """An invoice in Xero, then cancelled in Odoo: (move, its Xero id, the void job, not sent yet)."""
        move = self.invoice()
        move.action_xero_export()
        exported_id = move.xero_invoice_id
        move.button_cancel()
        [void] = self.jobs_of(move, "void_invoice")
        return move, exported_id, void

    def test_void_done_on_a_draft_and_create_done_after_a_cancel(self):
        move, exported_id, void = self.exported_then_cancelled()
        move.button_draft()  # reset to draft while the void waits: it is still sent, and nothing new is queued
        self.send()
        self.assertEqual((void.state, move.state, move.xero_invoice_status), ("done", "draft", "VOIDED"))
        self.assertFalse(self.jobs_of(move, "invoice").filtered(lambda j: j.state != "done"))
        move.action_post()  # posted later: the new Xero document comes then
        self.send()
        self.assertNotEqual(move.xero_invoice_id, exported_id)
        # Cancelled while its creation was under way (the cancel found nothing to void): voided once created.
        other = self.invoice()
        job = self.Job._xero_enqueue(other, "invoice")
        self.send_while("Invoices", other.button_cancel)
        self.assertEqual((job.state, other.state), ("done", "cancel"))
        [late_void] = self.jobs_of(other, "void_invoice")
        self.send()
        self.assertEqual((late_void.state, other.xero_invoice_status), ("done", "VOIDED"))

    def test_posted_again_before_its_void_was_sent(self):
        # Cancelled, back to draft and posted again before the sender ran: the void is not sent.
        move, exported_id, void = self.exported_then_cancelled()
        move.button_draft()
        move.action_post()
        self.assertEqual(void.state, "cancelled")
        self.send()
        invoice = next(i for i in self.xero("Invoices") if i["InvoiceID"] == exported_id)
        self.assertEqual(invoice["Status"], "AUTHORISED", "the live invoice is not voided")
        self.assertEqual(move.xero_invoice_id, exported_id)
        # Posted again while its void was already under way (sent, then done): a new Xero invoice follows.
        move.button_cancel()
        [void] = self.jobs_of(move, "void_invoice").filtered(lambda j: j.state == "pending")
        move.button_draft()
        move.action_post()
        void.state = "pending"  # as if it had been sending when the invoice was posted again
        self.send()
        self.assertEqual(void.state, "done")
        self.assertTrue(move.xero_invoice_id)
        self.assertNotEqual(move.xero_invoice_id, exported_id)
        new = next(i for i in self.xero("Invoices") if i["InvoiceID"] == move.xero_invoice_id)
        self.assertEqual(new["Status"], "AUTHORISED")

    def test_cancelled_before_sending_sends_nothing_and_paid_in_xero_is_refused(self):
        pending = self.invoice()
        self.Job._xero_enqueue(pending, "invoice")
        pending.button_cancel()
        self.assertEqual(self.jobs_of(pending).mapped("state"), ["cancelled"])
        self.send()
        self.assertFalse(self.calls("PUT", "/Invoices"), "a cancelled invoice is never sent")
        # An invoice paid in Xero cannot be voided there: blocked with Xero's reason, nothing else changes.
        paid = self.invoice()
        paid.action_xero_export()
        self.seed("Payments", [{"Invoice": {"InvoiceID": paid.xero_invoice_id}, "Account": {"Code": "090"},
                                "Amount": paid.amount_total, "Date": str(fields.Date.today())}])
        paid.button_cancel()
        self.send()
        [void] = self.jobs_of(paid, "void_invoice")
        self.assertEqual(void.state, "blocked")
        self.assertIn(paid.name, void.error)
        self.assertIn("not of valid status", void.error)
        self.assertEqual(next(i for i in self.xero("Invoices") if i["InvoiceID"] == paid.xero_invoice_id)["Status"],
                         "PAID")

    def test_cancelled_order_deletes_its_quote_and_voids_its_invoice(self):
        as_quote, as_invoice = self.order(), self.order(confirm=True)
        self.Job._xero_enqueue(as_quote, "quote")
        self.Job._xero_enqueue(as_invoice, "invoice")
        self.send()
        (as_quote | as_invoice)._action_cancel()
        self.send()
        quote = next(q for q in self.xero("Quotes") if q["QuoteID"] == as_quote.xero_quote_id)
        self.assertEqual((quote["Status"], as_quote.xero_quote_status), ("DELETED", "DELETED"))
        invoice = next(i for i in self.xero("Invoices") if i["InvoiceID"] == as_invoice.xero_invoice_id)
        self.assertEqual((invoice["Status"], as_invoice.xero_invoice_status), ("VOIDED", "VOIDED"))
        self.assertFalse(self.Job.search([("state", "=", "blocked")]))
        # Set back to quotation and confirmed again (auto-export on confirmation): a new Xero invoice, not
        # "already in Xero".
        voided_id = as_invoice.xero_invoice_id
        self.company.xero_auto_export = "on_confirm"
        as_invoice.action_draft()
        as_invoice.action_confirm()
        self.send()
        self.assertNotEqual(as_invoice.xero_invoice_id, voided_id)
        again = next(i for i in self.xero("Invoices") if i["InvoiceID"] == as_invoice.xero_invoice_id)
        self.assertEqual(again["Status"], "AUTHORISED")
        # By hand, the quote too: the export action sends a new one (no "already in Xero" question).
        as_quote.action_draft()
        action = as_quote._xero_action_export("quote")
        self.assertNotEqual(action.get("res_model"), "xero.export.wizard")
        self.assertEqual(as_quote.xero_quote_status, "DRAFT")

    def test_an_order_on_its_way_to_xero_is_not_booked_twice_either(self):
        # The order and its invoice in one go (eCommerce's automatic invoicing): the order's job not sent yet.
        self.company.xero_auto_export_invoices = True
        order = self.order(confirm=True)
        order_job = self.Job._xero_enqueue(order, "invoice")
        move = order._create_invoices()
        move.action_post()
        self.assertFalse(self.jobs_of(move), "the order goes first: its invoice is not queued")
        # Queued anyway (before the order was), the invoice is refused at send time; the order goes.
        other = self.order(confirm=True)
        other_move = other._create_invoices()
        self.company.xero_auto_export_invoices = False
        other_move.action_post()
        move_job = self.Job._xero_enqueue(other_move, "invoice")
        other_job = self.Job._xero_enqueue(other, "invoice")
        self.send()
        self.assertEqual((order_job.state, other_job.state), ("done", "done"), (order_job.error, other_job.error))
        self.assertEqual(move_job.state, "blocked")
        self.assertIn("book the sale twice", move_job.error)
        self.assertFalse(other_move.xero_invoice_id)

    def test_an_order_already_an_invoice_in_xero_is_not_booked_twice(self):
        order = self.order(confirm=True)
        self.Job._xero_enqueue(order, "invoice")
        self.send()
        self.assertTrue(order.xero_invoice_id)
        self.company.xero_auto_export_invoices = True
        move = order._create_invoices()
        move.action_post()
        self.assertFalse(self.jobs_of(move), "its order is the Xero invoice already: the Odoo invoice is not sent")
        self.assertIn(order.name, move.message_ids[0].body)
        with self.assertRaisesRegex(UserError, "book the sale twice"):
            move.with_user(self.xero_user).action_xero_export()
        # The other way round: an order whose Odoo invoice is in Xero is not sent as an invoice as well.
        other = self.order(confirm=True)
        other_move = other._create_invoices()
        other_move.action_post()
        self.send()
        self.assertTrue(other_move.xero_invoice_id)
        with self.assertRaisesRegex(UserError, "book the sale twice"):
            other.with_user(self.xero_user).action_xero_export_invoice()
