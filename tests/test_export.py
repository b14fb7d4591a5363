"""The outbox end to end against the sandbox: batching, lost answers, crashes, retries, rate limits."""
from datetime import timedelta
from unittest.mock import patch

import requests

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import tagged

from ..xero import parse_xero_date
from .export_case import API, XeroExportCase


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

    def test_calls_kept_under_xero_size_limit_and_an_element_too_large_alone_is_isolated(self):
        """Xero takes at most 3.5 MB per call (413 above, nothing processed). An invoice too large alone is
        blocked before any call and never rides in one; the others are cut into calls that fit, in one run."""
        self.Job._xero_enqueue(self.customer, "contact", method="POST")
        self.send()
        moves = self.env["account.move"]
        for i in range(6):
            moves |= self.invoice(price=10 + i, post=False)
        moves[2].invoice_line_ids.name = "x" * 3_600_000
        (moves[4] | moves[5]).invoice_line_ids.name = "y" * 1_800_000  # one call can carry one of these two
        moves.action_post()
        self.clear_log()
        jobs = self.Job._xero_enqueue(moves, "invoice")
        self.send()
        writes = self.calls("PUT", "/Invoices")
        self.assertEqual([(w["elements"], w["status"]) for w in writes], [(4, 200), (1, 200)],
                         "no 413: five invoices in two calls that fit, the too-large one in none")
        self.assertEqual(jobs.mapped("state"), ["done", "done", "blocked", "done", "done", "done"])
        self.assertEqual(jobs[2].attempts, 0, "never sent")
        self.assertIn(moves[2].name, jobs[2].error)
        self.assertIn("3.6 MB", jobs[2].error)
        self.assertIn("3.5 MB", jobs[2].error)
        self.assertFalse(moves[2].xero_invoice_id)
        # Asked again unchanged, it is blocked again without a call; shortened, it goes.
        jobs[2].write({"state": "pending"})
        self.clear_log()
        self.send()
        self.assertEqual((jobs[2].state, self.calls("PUT", "/Invoices")), ("blocked", []))
        self.env.cr.execute("UPDATE account_move_line SET name = 'Roasting service' WHERE move_id = %s",
                            [moves[2].id])
        self.env.invalidate_all()
        jobs[2].write({"state": "pending"})
        self.send()
        self.assertEqual(jobs[2].state, "done", jobs[2].error)

    def test_a_413_despite_the_sizing_isolates_the_element_at_once(self):
        """Were Xero's limit lower than documented, its 413 (nothing processed) sends the call's elements one by
        one at once: the one refused alone is blocked, the others are done in the same run."""
        self.Job._xero_enqueue(self.customer, "contact", method="POST")
        self.send()
        moves = self.invoice(post=False) | self.invoice(post=False) | self.invoice(post=False)
        moves[1].invoice_line_ids.name = "x" * 3_600_000
        moves.action_post()
        self.clear_log()
        jobs = self.Job._xero_enqueue(moves, "invoice")
        with patch("odoo.addons.xero_connector.models.xero_job_sender.MAX_REQUEST_BYTES", 10_000_000):
            self.send()
        writes = self.calls("PUT", "/Invoices")
        # the three in one call (413), then one by one: the sandbox does not read a body it refuses as too large
        self.assertEqual([(w["elements"], w["status"]) for w in writes],
                         [(None, 413), (1, 200), (None, 413), (1, 200)])
        self.assertEqual(jobs.mapped("state"), ["done", "blocked", "done"])
        self.assertEqual(jobs.mapped("attempts"), [1, 1, 1], "the refused call spent no attempt")
        self.assertIn(moves[1].name, jobs[1].error)
        self.assertIn("3.6 MB", jobs[1].error)

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

    def test_jobs_waiting_out_an_outage_go_once_xero_answers(self):
        """After Xero was unavailable (503) the job waits out its backoff, until Xero answers another call: then it
        goes in the same run. One Xero failed on for itself (a 500) keeps its backoff."""
        move, other = self.invoice(), self.invoice()
        self.Job._xero_enqueue(self.customer, "contact", method="POST")
        self.send()
        job = self.Job._xero_enqueue(move, "invoice")
        self.fault(kind="503", method="PUT", path=f"{API}/Invoices", count=20)
        self.send()
        self.assertEqual((job.state, job.waits_for_xero), ("retry", True))
        requests.delete(self.sandbox.url + "/_sandbox/faults", timeout=10).raise_for_status()
        failing = self.Job._xero_enqueue(other, "invoice")
        self.fault(kind="500", method="PUT", path=f"{API}/Invoices", count=20)
        self.send()
        self.assertEqual((failing.state, failing.waits_for_xero), ("retry", False))
        self.assertEqual(job.state, "retry", "no call answered: the outage's job still waits")
        requests.delete(self.sandbox.url + "/_sandbox/faults", timeout=10).raise_for_status()
        self.customer.phone = "+64 9 555 0199"  # a contact update: a call Xero answers
        self.send()
        self.assertEqual((job.state, job.waits_for_xero), ("done", False), "released once Xero answered")
        self.assertEqual(failing.state, "retry", "a request Xero failed on keeps its backoff")
        self.assertGreater(failing.next_try, fields.Datetime.now())

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
