"""Export actions, updates, voids and the one-sale-one-invoice rules, end to end against the sandbox."""


from odoo import fields
from odoo.exceptions import UserError
from odoo.fields import Command
from odoo.tests import tagged

from .export_case import API, XeroExportCase


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
