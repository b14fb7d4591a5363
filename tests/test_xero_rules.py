"""The connector where Xero's own rules decide (issue 14): each test fails when the sandbox rule it meets is
removed, because the connector then takes a path real Xero never lets it take."""
from odoo.tests import tagged

from .export_case import XeroExportCase


@tagged("post_install", "-at_install")
class TestXeroRules(XeroExportCase):

    def test_a_quote_invoiced_in_xero_is_not_deleted_and_the_block_says_why(self):
        order = self.order()
        self.Job._xero_enqueue(order, "quote")
        self.send()
        quote_id = order.xero_quote_id
        # In Xero, someone sends the quote, the customer accepts it and it is invoiced.
        for status in ("SENT", "ACCEPTED", "INVOICED"):
            answer = self.sandbox_post(f"/_sandbox/orgs/{self.org}/Quotes",
                                       {"Quotes": [{"QuoteID": quote_id, "Status": status}]})
            self.assertEqual(answer["errors"], 0, answer)
        order._action_cancel()
        self.send()
        [void] = self.jobs_of(order, "void_quote")
        self.assertEqual(void.state, "blocked")
        self.assertIn(order.name, void.error)
        self.assertIn(order.xero_quote_number, void.error)
        self.assertIn("invoiced there", void.error)
        quote = next(q for q in self.xero("Quotes") if q["QuoteID"] == quote_id)
        self.assertEqual(quote["Status"], "INVOICED", "nothing changed in Xero")
        self.assertEqual((order.state, order.xero_quote_status), ("cancel", "DRAFT"), "nor in Odoo")
        self.assertFalse(self.jobs_of(order).filtered(lambda j: j.state in ("pending", "retry")))

    def test_a_quote_still_a_draft_is_deleted(self):
        order = self.order()
        self.Job._xero_enqueue(order, "quote")
        self.send()
        order._action_cancel()
        self.send()
        self.assertEqual(order.xero_quote_status, "DELETED")

    def _receivable(self, *moves):
        lines = self.env["account.move.line"]
        for move in moves:
            lines |= move.line_ids.filtered(lambda line: line.account_id.account_type == "asset_receivable")
        return lines

    def test_a_refund_reconciled_with_its_invoice_is_allocated_in_xero(self):
        invoice = self.invoice(price=100.0)  # 115.00 with tax
        refund = self.invoice(price=40.0, move_type="out_refund")  # 46.00
        (invoice | refund).action_xero_export()
        self.send()
        self.assertEqual((invoice.xero_invoice_status, refund.xero_invoice_status), ("AUTHORISED", "AUTHORISED"))
        self.assertFalse(self.jobs_of(refund, "allocation"), "not reconciled in Odoo: nothing to allocate")
        self._receivable(invoice, refund).reconcile()
        [allocation] = self.jobs_of(refund, "allocation")
        self.clear_log()
        self.send()
        self.assertEqual(allocation.state, "done", allocation.error)
        [put] = self.calls("PUT")
        self.assertTrue(put["path"].endswith(f"/CreditNotes/{refund.xero_invoice_id}/Allocations"), put)
        xero_invoice = next(i for i in self.xero("Invoices") if i["InvoiceID"] == invoice.xero_invoice_id)
        xero_credit = next(c for c in self.xero("CreditNotes") if c["CreditNoteID"] == refund.xero_invoice_id)
        self.assertEqual((xero_invoice["AmountCredited"], xero_invoice["AmountDue"]), (46.0, 69.0))
        self.assertEqual((xero_credit["Status"], xero_credit["RemainingCredit"]), ("PAID", 0.0))
        # Asked again (a retry, a second reconciliation): Xero already has it; nothing is sent twice.
        self.Job._xero_enqueue(refund, "allocation", resource=allocation.resource)
        self.clear_log()
        self.send()
        self.assertFalse(self.calls("PUT"), "allocated once")
        self.assertEqual(set(self.jobs_of(refund, "allocation").mapped("state")), {"done"})

    def test_a_refund_reconciled_before_export_is_allocated_once_both_are_in_xero(self):
        invoice = self.invoice(price=100.0)
        refund = invoice._reverse_moves(cancel=True)  # Odoo's full credit note: posted and reconciled at once
        self.assertEqual(invoice.payment_state, "reversed")
        invoice.action_xero_export()
        self.send()
        refund.action_xero_export()
        self.send()
        self.send()  # the allocation, queued when the credit note reached Xero
        xero_invoice = next(i for i in self.xero("Invoices") if i["InvoiceID"] == invoice.xero_invoice_id)
        self.assertEqual((xero_invoice["Status"], xero_invoice["AmountDue"]), ("PAID", 0.0))
        self.assertEqual(self.jobs_of(refund, "allocation").mapped("state"), ["done"])

    def test_the_look_up_of_a_killed_batch_of_50_contacts_finds_every_one(self):
        """After a crash mid-send, the contacts of a whole batch are looked up by ContactNumber: 50 terms in one
        ``where`` would pass Xero's 2 KB query string (a 404, and the batch blocked as gone from Xero)."""
        partners = self.env["res.partner"].create([{"name": f"Bulk Customer {n:02d} Ltd", "email": f"b{n}@example.com"}
                                                   for n in range(50)])
        jobs = self.Job._xero_enqueue(partners, "contact", method="POST")
        self.send()
        self.assertEqual(set(jobs.mapped("state")), {"done"})
        ids = {p.id: p.xero_contact_id for p in partners}
        jobs.write({"state": "sending", "xero_id": False})  # the worker died after Xero wrote the batch
        partners.with_context(xero_from_xero=True).write({"xero_contact_id": False})
        self.clear_log()
        self.send()
        self.assertEqual(set(jobs.mapped("state")), {"done"}, set(jobs.mapped("error")))
        self.assertEqual({p.id: p.xero_contact_id for p in partners}, ids, "every contact found again")
        reads = self.calls("GET", "/Contacts")
        self.assertFalse([c for c in reads if c["status"] == 404], "no read past Xero's query string limit")
        self.assertTrue(all(len(c["query"]) <= 2048 for c in reads))
        self.assertEqual(len(reads), 3, "20 terms a call")
        self.assertFalse(self.calls("PUT") + self.calls("POST"), "nothing written again")
