from odoo import fields
from odoo.tests import tagged

from .export_case import XeroExportCase

KEY = "status-webhook-key-0123456789abcdefABCDEF=="
UNPAID = [("xero_invoice_id", "!=", False), ("xero_invoice_status", "in", ("DRAFT", "SUBMITTED", "AUTHORISED"))]


@tagged("post_install", "-at_install")
class TestXeroStatusBack(XeroExportCase):
    """Xero's status, amount paid and amount due come back on exported orders and invoices."""

    def setUp(self):
        super().setUp()
        self.env["ir.config_parameter"].sudo().set_param("xero_connector.webhook_key", KEY)
        self.sandbox_post("/_sandbox/config", {"webhook_batch_delay": 3600})
        self.sandbox_post(f"/_sandbox/orgs/{self.org}", {"webhook_url": f"{self.base_url()}/xero/webhook",
                                                        "webhook_key": KEY})

    def export(self):
        move = self.invoice(price=100.0)
        order = self.order(ref="PO-STATUS")
        refund = self.invoice(price=30.0, move_type="out_refund")
        jobs = (self.Job._xero_enqueue(move, "invoice") | self.Job._xero_enqueue(order, "invoice")
                | self.Job._xero_enqueue(refund, "credit_note"))
        self.send()
        self.assertEqual(set(jobs.mapped("state")), {"done"}, jobs.mapped("error"))
        return move, order, refund

    def pay(self, amount, invoice_id=None, credit_note_id=None):
        target = {"Invoice": {"InvoiceID": invoice_id}} if invoice_id else {"CreditNote": {"CreditNoteID": credit_note_id}}
        answer = self.sandbox_post(f"/_sandbox/orgs/{self.org}/Payments", {"Payments": [dict(
            target, Account={"Code": "090"}, Date=str(fields.Date.today()), Amount=amount)]})
        self.assertEqual(answer["errors"], 0, answer)

    def deliver_webhooks(self):
        self.env.flush_all()
        with self.allow_requests(all_requests=True):
            delivered = self.sandbox_post("/_sandbox/webhooks/flush")
        self.env.invalidate_all()
        self.assertTrue(delivered and all(d["ok"] for d in delivered), delivered)

    def test_paid_in_xero_after_a_webhook(self):
        move, order, _refund = self.export()
        self.assertEqual(move.xero_amount_due, move.amount_total)
        self.assertIn(move, self.env["account.move"].search(UNPAID))
        self.pay(move.amount_total, invoice_id=move.xero_invoice_id)
        self.pay(10.0, invoice_id=order.xero_invoice_id)
        self.deliver_webhooks()
        events = self.env["xero.event"].search([("category", "=", "INVOICE"),
                                                ("resource_id", "in", [move.xero_invoice_id, order.xero_invoice_id])])
        self.assertEqual(set(events.mapped("state")), {"pending"})
        # The pull cron's first step: the stored events, fetched by id and applied.
        self.env["xero.event"]._xero_process_events(self.connection)
        self.assertEqual(set(events.mapped("state")), {"done"}, events.mapped("error"))
        self.assertRecordValues(move, [{"xero_invoice_status": "PAID", "xero_paid": True,
                                        "xero_amount_paid": move.amount_total, "xero_amount_due": 0.0}])
        self.assertRecordValues(order, [{"xero_invoice_status": "AUTHORISED", "xero_paid": False,
                                         "xero_amount_paid": 10.0, "xero_amount_due": order.amount_total - 10.0}])
        self.assertIn("Paid in Xero", move.message_ids[0].body)
        self.assertNotIn(move, self.env["account.move"].search(UNPAID), "filter Unpaid in Xero")
        self.assertIn(order, self.env["sale.order"].search(UNPAID))
        self.assertEqual(move.payment_state, "not_paid", "no payment registered in Odoo unless asked")

    def test_paid_in_xero_after_a_pull_and_credit_notes(self):
        move, order, refund = self.export()
        self.pay(order.amount_total, invoice_id=order.xero_invoice_id)
        self.pay(refund.amount_total, credit_note_id=refund.xero_invoice_id)
        self.env["xero.sync.cursor"]._xero_run_pulls(self.connection)
        self.assertRecordValues(order, [{"xero_invoice_status": "PAID", "xero_paid": True, "xero_amount_due": 0.0}])
        self.assertRecordValues(refund, [{"xero_invoice_status": "PAID", "xero_paid": True, "xero_amount_due": 0.0,
                                          "xero_amount_paid": refund.amount_total}])
        self.assertRecordValues(move, [{"xero_invoice_status": "AUTHORISED", "xero_paid": False}])
        self.assertIn(order, self.env["sale.order"].search([("xero_paid", "=", True)]))

    def test_payments_registered_in_odoo_once(self):
        journal = self.env["account.journal"].create({"name": "Xero Receipts", "type": "bank", "code": "XREC"})
        self.company.write({"xero_register_payments": True, "xero_payment_journal_id": journal.id})
        move, _order, _refund = self.export()
        self.pay(40.0, invoice_id=move.xero_invoice_id)
        self.env["xero.sync.cursor"]._xero_run_pulls(self.connection)
        self.assertAlmostEqual(move.amount_residual, move.amount_total - 40.0)
        self.assertEqual(move.xero_payment_registered, 40.0)
        self.pay(move.amount_total - 40.0, invoice_id=move.xero_invoice_id)
        for _run in range(2):  # a second run (or a redelivered webhook) registers nothing more
            self.env["xero.sync.cursor"]._xero_run_pulls(self.connection)
        self.assertTrue(move.currency_id.is_zero(move.amount_residual))
        self.assertIn(move.payment_state, ("paid", "in_payment"))
        payments = self.env["account.payment"].search([("journal_id", "=", journal.id)])
        self.assertEqual(sorted(payments.mapped("amount")), sorted([40.0, move.amount_total - 40.0]))
        self.assertEqual(move.xero_payment_registered, move.amount_total)

    def test_webhook_for_an_invoice_never_sent_updates_only_the_mirror(self):
        move, order, _refund = self.export()
        contact = self.seed("Contacts", [{"Name": "Typed In Xero Ltd"}])[0]
        # Same number as an Odoo invoice that is not this one: it must not be touched.
        other = self.seed("Invoices", [{
            "Type": "ACCREC", "Contact": {"ContactID": contact["ContactID"]}, "Status": "AUTHORISED",
            "Reference": move.name, "Date": str(fields.Date.today()), "DueDate": str(fields.Date.today()),
            "LineAmountTypes": "NoTax",
            "LineItems": [{"Description": "x", "Quantity": 1, "UnitAmount": 70, "AccountCode": "200"}]}])[0]
        self.pay(70.0, invoice_id=other["InvoiceID"])
        before = (move.xero_invoice_status, order.xero_invoice_status, move.xero_amount_paid)
        self.deliver_webhooks()
        self.env["xero.event"]._xero_process_events(self.connection)
        event = self.env["xero.event"].search([("resource_id", "=", other["InvoiceID"].lower())])
        self.assertTrue(event)
        self.assertEqual(set(event.mapped("state")), {"done"})
        mirror = self.env["xero.invoice"].search([("xero_invoice_id", "=", other["InvoiceID"])])
        self.assertEqual((mirror.status, mirror.amount_paid), ("PAID", 70.0))
        self.assertEqual((move.xero_invoice_status, order.xero_invoice_status, move.xero_amount_paid), before)
        self.assertFalse(self.env["account.move"].search([("xero_invoice_id", "=", other["InvoiceID"])]))
        self.assertFalse(self.env["sale.order"].search([("xero_paid", "=", True)]))
