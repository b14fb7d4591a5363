"""Vendor bills (→ Xero ACCPAY invoices) and vendor refunds (→ ACCPAYCREDIT credit notes), against the sandbox."""
from odoo import fields
from odoo.fields import Command
from odoo.tests import tagged

from ..xero import parse_xero_date
from .export_case import API, XeroExportCase


@tagged("post_install", "-at_install")
class TestBills(XeroExportCase):
    def setUp(self):
        super().setUp()
        self.company.write({"xero_purchase_account_code": "429", "xero_purchase_tax_type": "INPUT",
                            "xero_auto_export_bills": False})
        self.supplier = self.env["res.partner"].create({"name": "Bean Supplier Pty", "email": "ar@beans.example",
                                                        "is_company": True})
        self.purchase_tax = self.env["account.tax"].create({"name": "Purchase 15%", "amount": 15.0,
                                                            "type_tax_use": "purchase"})
        self.category = self.env["product.category"].create({"name": "Green Beans"})
        self.category.with_company(self.company).xero_purchase_account_code = "310"
        self.beans = self.env["product.product"].create({"name": "Green beans 60kg", "categ_id": self.category.id})

    def bill(self, ref="SUP-1001", price=100.0, move_type="in_invoice", partner=None, post=True, currency=None):
        vals = {
            "move_type": move_type, "partner_id": (partner or self.supplier).id, "ref": ref,
            "invoice_date": fields.Date.today(),
            "invoice_line_ids": [
                Command.create({"product_id": self.beans.id, "quantity": 2, "price_unit": price,
                                "tax_ids": [Command.set(self.purchase_tax.ids)]}),
                Command.create({"name": "Freight", "quantity": 1, "price_unit": 10.0,
                                "tax_ids": [Command.set(self.purchase_tax.ids)]}),
            ],
        }
        if currency:
            vals["currency_id"] = currency.id
        move = self.env["account.move"].create(vals)
        if post:
            move.action_post()
        return move

    def in_xero(self, move, collection="Invoices"):
        id_field = "InvoiceID" if collection == "Invoices" else "CreditNoteID"
        return next(d for d in self.xero(collection) if d[id_field] == move.xero_invoice_id)

    def test_bill_and_refund_with_the_purchase_mapping(self):
        move = self.bill()
        action = move.with_user(self.xero_user).action_xero_export()
        self.assertEqual(action["params"]["type"], "success", action["params"])
        bill = self.in_xero(move)
        self.assertEqual((bill["Type"], bill["Status"], bill["InvoiceNumber"]), ("ACCPAY", "AUTHORISED", "SUP-1001"))
        self.assertNotIn("Reference", self.jobs_of(move, "bill").request_excerpt, "Reference is ACCREC only")
        self.assertEqual(bill["Contact"]["ContactID"], self.supplier.xero_contact_id)
        self.assertTrue(bill["Url"].endswith(f"/odoo/account.move/{move.id}"))
        self.assertEqual(parse_xero_date(bill["DueDate"]).date(), move.invoice_date_due)
        self.assertEqual(bill["CurrencyCode"], move.currency_id.name)
        lines = [(line["AccountCode"], line["TaxType"], line["UnitAmount"]) for line in bill["LineItems"]]
        self.assertEqual(lines, [("310", "INPUT", 100.0), ("429", "INPUT", 10.0)],
                         "the category's purchase account, else the company's; the default purchase tax rate")
        self.assertAlmostEqual(bill["Total"], move.amount_total)
        self.assertEqual((move.xero_invoice_number, move.xero_invoice_status), ("SUP-1001", "AUTHORISED"))
        link = f"https://go.xero.com/AccountsPayable/View.aspx?InvoiceID={move.xero_invoice_id}"
        self.assertEqual(move.xero_invoice_url, link)
        job = self.jobs_of(move, "bill")
        self.assertEqual((job.resource, job.xero_url), ("Invoices", link))
        self.assertEqual(move._xero_document(), ("Invoices", move.xero_invoice_id))
        # A product's own purchase account and a tax mapped to its Xero rate win over the defaults.
        self.beans.product_tmpl_id.with_company(self.company).xero_purchase_account_code = "400"
        self.purchase_tax.xero_tax_type = "EXEMPTINPUT"
        refund = self.bill(ref="SUP-CN-7", price=40.0, move_type="in_refund")
        refund.with_user(self.xero_user).action_xero_export()
        credit = self.in_xero(refund, "CreditNotes")
        self.assertEqual((credit["Type"], credit["CreditNoteNumber"]), ("ACCPAYCREDIT", "SUP-CN-7"))
        self.assertEqual([(line["AccountCode"], line["TaxType"]) for line in credit["LineItems"]],
                         [("400", "EXEMPTINPUT"), ("429", "EXEMPTINPUT")])
        self.assertAlmostEqual(credit["SubTotal"], refund.amount_untaxed)  # EXEMPTINPUT: no tax in Xero
        self.assertEqual(refund.xero_invoice_url,
                         f"https://go.xero.com/AccountsPayable/ViewCreditNote.aspx?creditNoteID={refund.xero_invoice_id}")
        self.assertEqual(len([c for c in self.xero("Contacts") if c["Name"] == "Bean Supplier Pty"]), 1,
                         "the supplier is one contact")
        self.assertEqual(len(self.jobs_of(self.supplier, "contact")), 1)

    def test_bill_without_purchase_mapping_is_blocked_then_retried(self):
        self.company.xero_purchase_account_code = False
        move = self.bill()
        job = self.Job._xero_enqueue(move, "bill")
        before = len(self.calls("PUT", "/Invoices"))
        self.send()
        self.assertEqual(job.state, "blocked")
        self.assertIn(move.display_name, job.error)
        self.assertIn("purchase account", job.error)
        self.assertEqual(len(self.calls("PUT", "/Invoices")), before, "nothing sent wrong")
        self.company.xero_purchase_account_code = "429"
        job.with_user(self.xero_admin).action_retry()
        self.send()
        self.assertEqual(job.state, "done", job.error)

    def test_archived_purchase_account_blocks_with_its_name(self):
        account = next(a for a in self.xero("Accounts") if a["Code"] == "310")
        answer = self.sandbox_post(f"/_sandbox/orgs/{self.org}/Accounts",
                                   {"Accounts": [{"AccountID": account["AccountID"], "Status": "ARCHIVED"}]})
        self.assertEqual(answer["errors"], 0, answer)
        self.connection.with_user(self.xero_admin).action_xero_refresh_lists()
        move = self.bill()
        job = self.Job._xero_enqueue(move, "bill")
        self.send()
        self.assertEqual(job.state, "blocked")
        self.assertIn("purchase account", job.error)
        self.assertIn("Green Beans", job.error, "names where it is mapped: the product category")
        self.assertIn("310 Cost of Goods Sold", job.error)
        self.assertIn("is archived", job.error)
        self.assertFalse(self.calls("PUT", "/Invoices"), "nothing sent wrong")
        self.assertFalse(move.xero_invoice_id)

    def test_supplier_xero_refuses_blocks_the_bill_until_fixed(self):
        self.supplier.email = "accounts at beans"  # Xero refuses the contact: "Email address must be valid."
        move = self.bill()
        job = self.Job._xero_enqueue(move, "bill")
        self.send()
        contact_job = self.jobs_of(self.supplier, "contact")
        self.assertEqual((contact_job.state, job.state), ("blocked", "blocked"))
        self.assertIn("Waiting for", job.error)
        self.assertIn("Email address must be valid", job.error, "the supplier's cause, as Xero gives it")
        self.assertFalse([b for b in self.xero("Invoices") if b["Type"] == "ACCPAY"], "nothing else sent")
        self.supplier.email = "accounts@beans.example"
        job.with_user(self.xero_admin).action_retry()  # re-queues the supplier the bill waits for, too
        self.send()
        self.assertEqual(job.state, "done", job.error)
        self.assertEqual(self.in_xero(move)["Contact"]["ContactID"], self.supplier.xero_contact_id)

    def test_a_batch_of_bills_with_one_refused_in_the_middle(self):
        yen = self.env.ref("base.JPY")
        yen.active = True
        moves = self.bill(ref="B-1") | self.bill(ref="B-2") | self.bill(ref="B-3", currency=yen) \
            | self.bill(ref="B-4") | self.bill(ref="B-5")
        self.Job._xero_enqueue(self.supplier, "contact", method="POST")
        self.send()
        self.clear_log()
        moves.with_user(self.xero_user).action_xero_export()
        jobs = self.jobs_of(moves, "bill")
        self.assertEqual(len(jobs), 5)
        self.send()
        self.assertEqual(len(self.calls("PUT", "/Invoices")), 1, "one call for the five")
        bad = self.jobs_of(moves[2], "bill")
        self.assertEqual(bad.state, "blocked")
        self.assertIn(moves[2].display_name, bad.error)
        self.assertIn("not subscribed to currency JPY", bad.error, "Xero's own message")
        self.assertEqual(set((jobs - bad).mapped("state")), {"done"})
        self.assertEqual(sorted(b["InvoiceNumber"] for b in self.xero("Invoices") if b["Type"] == "ACCPAY"),
                         ["B-1", "B-2", "B-4", "B-5"])
        self.assertFalse(moves[2].xero_invoice_id)

    def test_bills_batch_with_sales_invoices(self):
        self.Job._xero_enqueue(self.supplier | self.customer, "contact", method="POST")
        self.send()
        self.clear_log()
        jobs = self.Job._xero_enqueue(self.invoice(), "invoice") | self.Job._xero_enqueue(self.bill(), "bill")
        self.send()
        self.assertEqual(set(jobs.mapped("state")), {"done"}, jobs.mapped("error"))
        self.assertEqual(len(self.calls("PUT", "/Invoices")), 1, "one Invoices call for both kinds")

    def test_export_again_asks_then_updates_in_place(self):
        move = self.bill()
        move.action_xero_export()
        first = move.xero_invoice_id
        # Reset to draft, changed and posted again: the Xero bill follows (an update, while Xero allows it).
        move.button_draft()
        move.invoice_line_ids[0].price_unit = 120.0
        move.action_post()
        self.send()
        self.assertEqual(move.xero_invoice_id, first)
        self.assertAlmostEqual(self.in_xero(move)["Total"], move.amount_total)
        calls = len(self.calls())
        action = move.with_user(self.xero_user).action_xero_export()
        self.assertEqual(action["res_model"], "xero.export.wizard")
        self.assertEqual(len(self.calls()), calls, "the action itself sends nothing")
        wizard = self.env["xero.export.wizard"].browse(action["res_id"])
        self.assertTrue(wizard.can_update)
        self.assertEqual(wizard.xero_number, "SUP-1001")
        self.assertIn("AccountsPayable", wizard.xero_url)
        wizard.with_user(self.xero_user).action_update()
        self.assertEqual(move.xero_invoice_id, first)
        self.assertEqual(len([b for b in self.xero("Invoices") if b["Type"] == "ACCPAY"]), 1, "updated, not added")
        self.assertEqual(len(self.calls("POST", "/Invoices")), 2)

    def test_cancel_voids_the_bill_in_xero(self):
        move = self.bill()
        refund = self.bill(ref="SUP-CN-1", move_type="in_refund", price=20.0)
        (move | refund).with_user(self.xero_user).action_xero_export()
        self.send()
        self.assertTrue(move.xero_invoice_id and refund.xero_invoice_id)
        (move | refund).button_cancel()
        voids = self.jobs_of(move, "void_bill") | self.jobs_of(refund, "void_supplier_credit_note")
        self.assertEqual(len(voids), 2)
        self.send()
        self.assertEqual(set(voids.mapped("state")), {"done"}, voids.mapped("error"))
        self.assertEqual(self.in_xero(move)["Status"], "VOIDED")
        self.assertEqual(self.in_xero(refund, "CreditNotes")["Status"], "VOIDED")
        self.assertEqual((move.xero_invoice_status, refund.xero_invoice_status), ("VOIDED", "VOIDED"))
        self.assertIn("AccountsPayable/View.aspx", self.jobs_of(move, "void_bill").xero_url)
        self.assertEqual(move._xero_document(), ("Invoices", False), "voided: no live document")

    def test_lost_answer_is_found_again_not_duplicated(self):
        self.Job._xero_enqueue(self.supplier, "contact", method="POST")
        self.send()
        # Another Odoo bill of the same supplier with the same vendor reference is in Xero first: never taken.
        other = self.bill(ref="SUP-DUP")
        other.action_xero_export()
        for move_type, operation, collection in (("in_invoice", "bill", "Invoices"),
                                                 ("in_refund", "supplier_credit_note", "CreditNotes")):
            move = self.bill(ref="SUP-DUP", move_type=move_type)
            job = self.Job._xero_enqueue(move, operation)
            self.fault(kind="lost_response", method="PUT", path=f"{API}/{collection}", count=4)
            self.send()
            self.assertEqual(job.state, "retry")
            self.assertTrue(job.outcome_unknown)
            job.next_try = False
            self.send()
            self.assertEqual(job.state, "done", job.error)
            self.assertIn("found_by_lookup", job.response_excerpt)
            kind = "ACCPAY" if operation == "bill" else "ACCPAYCREDIT"
            id_field = "InvoiceID" if operation == "bill" else "CreditNoteID"
            mine = [d[id_field] for d in self.xero(collection) if d["Type"] == kind and d["Status"] == "AUTHORISED"
                    and d[id_field] != other.xero_invoice_id]
            self.assertEqual(mine, [move.xero_invoice_id], "one document, not two")
            self.assertNotEqual(move.xero_invoice_id, other.xero_invoice_id)

    def test_several_lost_bills_are_looked_up_in_one_call(self):
        self.Job._xero_enqueue(self.supplier, "contact", method="POST")
        self.send()
        moves = self.bill(ref="L-1") | self.bill(ref="L-2") | self.bill(ref="L-1")
        jobs = self.Job._xero_enqueue(moves, "bill")
        self.fault(kind="lost_response", method="PUT", path=f"{API}/Invoices", count=4)
        self.send()
        self.assertTrue(all(jobs.mapped("outcome_unknown")))
        jobs.next_try = False
        self.clear_log()
        self.send()
        self.assertEqual(set(jobs.mapped("state")), {"done"}, jobs.mapped("error"))
        self.assertEqual(len(self.calls("GET", "/Invoices")), 1, "one read for the batch")
        self.assertEqual(len({m.xero_invoice_id for m in moves}), 3, "each bill its own document")
        self.assertEqual(len([b for b in self.xero("Invoices") if b["Type"] == "ACCPAY"]), 3)

    def test_paid_in_xero_and_registered_in_odoo(self):
        journal = self.env["account.journal"].create({"name": "Xero Payments", "type": "bank", "code": "XPAY"})
        self.company.write({"xero_register_payments": True, "xero_payment_journal_id": journal.id})
        move = self.bill()
        move.action_xero_export()
        self.assertEqual(move.xero_amount_due, move.amount_total)
        answer = self.sandbox_post(f"/_sandbox/orgs/{self.org}/Payments", {"Payments": [{
            "Invoice": {"InvoiceID": move.xero_invoice_id}, "Account": {"Code": "090"},
            "Date": str(fields.Date.today()), "Amount": move.amount_total}]})
        self.assertEqual(answer["errors"], 0, answer)
        self.env["xero.sync.cursor"]._xero_run_pulls(self.connection)
        self.assertRecordValues(move, [{"xero_invoice_status": "PAID", "xero_paid": True, "xero_amount_due": 0.0,
                                        "xero_payment_registered": move.amount_total}])
        self.assertIn(move.payment_state, ("paid", "in_payment"))
        payment = self.env["account.payment"].search([("journal_id", "=", journal.id)])
        self.assertEqual((payment.payment_type, payment.partner_type, payment.amount),
                         ("outbound", "supplier", move.amount_total))
        self.env["xero.sync.cursor"]._xero_run_pulls(self.connection)
        self.assertEqual(len(self.env["account.payment"].search([("journal_id", "=", journal.id)])), 1, "once")

    def test_paid_in_xero_after_webhooks(self):
        key = "bills-webhook-key-0123456789abcdefABCDEF=="
        self.env["ir.config_parameter"].sudo().set_param("xero_connector.webhook_key", key)
        self.sandbox_post("/_sandbox/config", {"webhook_batch_delay": 3600})
        self.sandbox_post(f"/_sandbox/orgs/{self.org}", {"webhook_url": f"{self.base_url()}/xero/webhook",
                                                        "webhook_key": key})
        move = self.bill()
        refund = self.bill(ref="SUP-CN-9", move_type="in_refund", price=20.0)
        (move | refund).action_xero_export()
        self.send()
        for target in ({"Invoice": {"InvoiceID": move.xero_invoice_id}, "Amount": 30.0},
                       {"CreditNote": {"CreditNoteID": refund.xero_invoice_id}, "Amount": refund.amount_total}):
            answer = self.sandbox_post(f"/_sandbox/orgs/{self.org}/Payments", {"Payments": [dict(
                target, Account={"Code": "090"}, Date=str(fields.Date.today()))]})
            self.assertEqual(answer["errors"], 0, answer)
        self.env.flush_all()
        with self.allow_requests(all_requests=True):
            delivered = self.sandbox_post("/_sandbox/webhooks/flush")
        self.env.invalidate_all()
        self.assertTrue(delivered and all(d["ok"] for d in delivered), delivered)
        events = self.env["xero.event"].search([("resource_id", "in", [move.xero_invoice_id.lower(),
                                                                       refund.xero_invoice_id.lower()])])
        self.assertEqual(set(events.mapped("category")), {"INVOICE", "CREDITNOTE"})
        self.env["xero.event"]._xero_process_events(self.connection)
        self.assertEqual(set(events.mapped("state")), {"done"}, events.mapped("error"))
        self.assertRecordValues(move, [{"xero_invoice_status": "AUTHORISED", "xero_amount_paid": 30.0,
                                        "xero_amount_due": move.amount_total - 30.0, "xero_paid": False}])
        self.assertRecordValues(refund, [{"xero_invoice_status": "PAID", "xero_paid": True, "xero_amount_due": 0.0}])
        self.assertEqual(move.payment_state, "not_paid", "no payment registered in Odoo unless asked")
        self.assertFalse(self.env["xero.invoice"].search([("xero_invoice_id", "=", move.xero_invoice_id)]),
                         "the sales mirror keeps sales invoices only")

    def test_auto_export_posted_bills(self):
        move = self.bill()
        self.assertFalse(self.jobs_of(move), "off by default")
        self.company.xero_auto_export_bills = True
        refund = self.bill(move_type="in_refund", ref="CN-AUTO")
        self.assertEqual(self.jobs_of(refund).operation, "supplier_credit_note")
        customer_invoice = self.invoice()
        self.assertFalse(self.jobs_of(customer_invoice), "the customer invoices' setting is another one")

    def test_suppliers_come_from_xero_when_the_company_sends_bills(self):
        [contact] = self.seed("Contacts", [{"Name": "Roastery Supplies Ltd", "EmailAddress": "x@roastery.example"}])
        [bill] = self.seed("Invoices", [{
            "Type": "ACCPAY", "Status": "AUTHORISED", "Contact": {"ContactID": contact["ContactID"]},
            "Date": "2026-03-01", "DueDate": "2026-03-31", "InvoiceNumber": "RS-1",
            "LineItems": [{"Description": "Bags", "Quantity": 1, "UnitAmount": 7, "AccountCode": "429"}]}])
        self.assertEqual(bill["StatusAttributeString"], "OK", bill)
        Partner = self.env["res.partner"].with_context(active_test=False)
        self.env["xero.sync.cursor"]._xero_run_pulls(self.connection)
        self.assertFalse(Partner.search([("name", "=", "Roastery Supplies Ltd")]), "a sales-only company: customers only")
        self.company.xero_auto_export_bills = True
        self.env["xero.sync.cursor"].search([("connection_id", "=", self.connection.id)]).last_full = False
        self.env["xero.sync.cursor"]._xero_run_pulls(self.connection)
        partner = Partner.search([("name", "=", "Roastery Supplies Ltd")])
        self.assertEqual(len(partner), 1)
        self.assertEqual((partner.with_company(self.company).xero_contact_id, partner.supplier_rank),
                         (contact["ContactID"], 1))
        self.env["xero.sync.cursor"].search([("connection_id", "=", self.connection.id)]).last_full = False
        self.env["xero.sync.cursor"]._xero_run_pulls(self.connection)
        self.assertEqual(len(Partner.search([("name", "=", "Roastery Supplies Ltd")])), 1, "never a duplicate")
