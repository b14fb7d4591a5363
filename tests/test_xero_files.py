"""Documents' files attached in Xero, Xero's online invoice link and Xero emailing approved invoices, against the
sandbox over HTTP (xero_attachment.py, xero_document_files.py, account_move_files.py)."""
import base64
import hashlib
from unittest.mock import patch

from odoo import fields
from odoo.exceptions import UserError
from odoo.fields import Command
from odoo.tests import tagged

from ..xero import attachments
from .export_case import API, XeroExportCase


@tagged("post_install", "-at_install")
class TestXeroFiles(XeroExportCase):
    def setUp(self):
        super().setUp()
        self.company.write({"xero_attach_files": True, "xero_attach_online": True})
        # Connected before the option: the consent is asked again, now with accounting.attachments.
        self.connection = self._xero_connect(self.xero_admin, tenants=[self.org])
        self.assertIn("accounting.attachments", self.connection.scopes.split())

    def files(self, collection, xero_id):
        return self.sandbox_get(f"/_sandbox/orgs/{self.org}/{collection}/{xero_id}/attachments")

    def export(self, move):
        jobs = self.Job._xero_enqueue(move, move._xero_operation())
        self.send()
        self.assertEqual(jobs.state, "done", jobs.error)
        return jobs

    def test_pdf_attached_after_the_documents_one_call_per_file(self):
        moves = self.invoice() | self.invoice(price=50.0) | self.invoice(move_type="out_refund", price=20.0)
        self.clear_log()
        for move in moves:
            self.Job._xero_enqueue(move, move._xero_operation())
        self.send()
        order = [(e["method"], e["path"].split("/api.xro/2.0/")[1]) for e in self.calls()
                 if e["method"] in ("PUT", "POST") and not e["path"].endswith("/Contacts")]
        # the documents first (one call per collection), then one call per file
        self.assertEqual([p for _m, p in order[:2]], ["Invoices", "CreditNotes"], order)
        uploads = order[2:]
        self.assertEqual(len(uploads), 3, order)
        self.assertTrue(all("/Attachments/" in p for _m, p in uploads), uploads)
        for move in moves:
            collection = attachments.collection_of(move.move_type)
            [file] = self.files(collection, move.xero_invoice_id)
            self.assertEqual(file["FileName"], move._xero_attachment_name())
            self.assertTrue(file["IncludeOnline"])
            row = self.env["xero.attachment"].sudo().search([("res_model", "=", "account.move"), ("res_id", "=", move.id)])
            self.assertEqual(row.xero_attachment_id, file["AttachmentID"])
            self.assertEqual(row.checksum, file["sha256"])
            job = self.jobs_of(row, "attachment")
            self.assertEqual((job.state, job.priority), ("done", 50))
            self.assertIn(row.file_name, move.message_ids[0].body)
            self.assertTrue(self.xero(collection) and next(
                d for d in self.xero(collection) if d[attachments.collection_of(move.move_type)[:-1] + "ID"]
                == move.xero_invoice_id)["HasAttachments"])

    def test_reexport_attaches_nothing_new_and_a_changed_file_replaces(self):
        move = self.invoice()
        self.export(move)
        [first] = self.files("Invoices", move.xero_invoice_id)
        # Exported again (an update in Xero): the same file is not sent again.
        self.clear_log()
        self.Job._xero_enqueue(move, "invoice", method="POST")
        self.send()
        self.assertFalse(self.calls(path="/Attachments/" + move._xero_attachment_name()), "unchanged file resent")
        self.assertEqual(len(self.files("Invoices", move.xero_invoice_id)), 1)
        # A changed invoice (reset to draft, edited, posted: an update) has a new PDF: it replaces the first.
        move.button_draft()
        move.write({"narration": "Roasted on Tuesday, shipped on Wednesday."})
        move.action_post()
        self.send()
        files = self.files("Invoices", move.xero_invoice_id)
        self.assertEqual(len(files), 1, files)
        self.assertEqual(files[0]["AttachmentID"], first["AttachmentID"])
        self.assertNotEqual(files[0]["sha256"], first["sha256"])
        self.assertEqual(self.env["xero.attachment"].sudo().search_count([("res_id", "=", move.id)]), 1)

    def test_limits_refused_with_a_clear_message_before_any_call(self):
        move = self.invoice()
        self.export(move)
        row = self.env["xero.attachment"].sudo().search([("res_id", "=", move.id), ("res_model", "=", "account.move")])
        # Ten other files already on the Xero document (as the connector recorded them): an eleventh is refused.
        row.sudo().write({"xero_attachment_id": False, "checksum": False})
        self.env["xero.attachment"].sudo().create([
            {"res_model": "res.partner", "res_id": self.customer.id, "file_name": f"f{n}.pdf",
             "company_id": self.company.id, "xero_document_id": move.xero_invoice_id,
             "xero_attachment_id": f"att-{n}"} for n in range(10)])
        self.clear_log()
        job = self.Job._xero_enqueue(row, "attachment", company=self.company, resource=attachments.attachment_path(
            "Invoices", move.xero_invoice_id, row.file_name))
        self.send()
        self.assertEqual(job.state, "blocked")
        self.assertIn(move.display_name, job.error)
        self.assertIn("at most 10 per document", job.error)
        self.assertFalse(self.calls(path="/Attachments/" + row.file_name))
        # A vendor's document over 10 MB (a bill): refused before any call, naming the bill and the size.
        bill = self.env["account.move"].create({"move_type": "in_invoice", "partner_id": self.customer.id,
                                                "invoice_date": move.invoice_date})
        big = self.env["ir.attachment"].create({"name": "scan.pdf", "res_model": "account.move", "res_id": bill.id,
                                                "datas": base64.b64encode(b"%PDF" + b"0" * (10 * 1024 * 1024))})
        bill.message_main_attachment_id = big
        bill._xero_write({"xero_invoice_id": move.xero_invoice_id, "xero_invoice_status": "AUTHORISED"})
        self.assertEqual(bill._xero_attachment_target(), ("Invoices", move.xero_invoice_id))
        self.assertEqual(bill._xero_attachment_name(), "scan.pdf")
        self.assertEqual(bill._xero_attachment_file()[0][:4], b"%PDF")
        bill._xero_queue_attachments()
        bill_job = self.jobs_of(self.env["xero.attachment"].sudo().search([("res_id", "=", bill.id)]), "attachment")
        self.send()
        self.assertEqual(bill_job.state, "blocked")
        self.assertIn("Xero takes at most 10 MB per file", bill_job.error)
        self.assertIn(bill.display_name, bill_job.error)
        self.assertFalse(self.calls(path="/Attachments/scan.pdf"))

    def test_a_pdf_odoo_cannot_make_blocks_its_file_alone(self):
        move = self.invoice()
        report = type(self.env["ir.actions.report"])
        with patch.object(report, "_render_qweb_pdf", side_effect=UserError("Unable to find Wkhtmltopdf")):
            self.export(move)
        row = self.env["xero.attachment"].sudo().search([("res_id", "=", move.id), ("res_model", "=", "account.move")])
        job = self.jobs_of(row, "attachment")
        self.assertEqual(job.state, "blocked")
        self.assertIn("Odoo could not make its PDF", job.error)
        self.assertIn(move.display_name, job.error)
        self.assertFalse(self.files("Invoices", move.xero_invoice_id))
        job.action_retry()  # the PDF engine is back: the retry sends it
        self.send()
        self.assertEqual(job.state, "done", job.error)
        self.assertEqual(len(self.files("Invoices", move.xero_invoice_id)), 1)

    def test_missing_scope_asks_to_reconnect_only_when_the_feature_is_on(self):
        self.company.xero_attach_files = False
        self.connection = self._xero_connect(self.xero_admin, tenants=[self.org])
        self.assertNotIn("accounting.attachments", self.connection.scopes.split())
        settings = self.env["res.config.settings"].create({})
        self.assertFalse(settings.xero_attachments_scope_message)
        move = self.invoice()
        self.export(move)
        self.assertFalse(self.env["xero.attachment"].sudo().search([("res_id", "=", move.id)]))
        # Switched on: Settings say to reconnect; the attachment waits, blocked with that message, no call made.
        self.company.xero_attach_files = True
        settings = self.env["res.config.settings"].create({})
        self.assertIn("Reconnect", settings.xero_attachments_scope_message)
        self.clear_log()
        self.Job._xero_enqueue(move, "invoice", method="POST")
        self.send()
        row = self.env["xero.attachment"].sudo().search([("res_id", "=", move.id), ("res_model", "=", "account.move")])
        job = self.jobs_of(row, "attachment")
        self.assertEqual(job.state, "blocked")
        self.assertIn("accounting.attachments", job.error)
        self.assertFalse(self.calls(path="/Attachments/" + row.file_name))
        self.assertEqual(self.connection.state, "connected")  # the documents go on
        # Reconnected (the consent now asks for the scope): the attachment goes.
        self.connection = self._xero_connect(self.xero_admin, tenants=[self.org])
        self.assertEqual(job.state, "pending")
        self.send()
        self.assertEqual(job.state, "done", job.error)
        self.assertEqual(len(self.files("Invoices", move.xero_invoice_id)), 1)

    def test_online_invoice_link_on_the_invoice_and_the_order(self):
        self.company.write({"xero_online_invoice_link": True, "xero_attach_files": False})
        move = self.invoice()
        order = self.order(confirm=True)
        self.Job._xero_enqueue(order, "invoice")
        self.export(move)
        self.assertIn("/_sandbox/in/", move.xero_online_invoice_url or "")
        self.assertTrue(order.xero_online_invoice_url)
        reads = self.calls(method="GET", path="/OnlineInvoice")
        self.assertEqual(len(reads), 2)
        link_job = self.jobs_of(move, "online_invoice")
        self.assertEqual((link_job.state, link_job.method, link_job.priority), ("done", "GET", 55))
        # Sent again as a new Xero document: its own online page, not the first one's.
        first_link, first_id = move.xero_online_invoice_url, move.xero_invoice_id
        self.Job._xero_enqueue(move, "invoice", force_new=True)
        self.send()
        self.assertNotEqual(move.xero_invoice_id, first_id)
        self.assertTrue(move.xero_online_invoice_url)
        self.assertNotEqual(move.xero_online_invoice_url, first_link)
        # A draft in Xero has no online invoice: nothing is asked until Xero says it is approved.
        self.company.xero_invoice_status = "DRAFT"
        draft = self.invoice(price=30.0)
        self.export(draft)
        self.assertFalse(self.jobs_of(draft, "online_invoice"))

    def test_xero_emails_approved_invoices_once_and_its_refusal_shows(self):
        self.company.write({"xero_email_invoices": True, "xero_attach_files": False})
        move = self.invoice()
        self.export(move)
        job = self.jobs_of(move, "invoice_email")
        self.assertEqual(job.state, "done", job.error)
        emails = self.sandbox_get(f"/_sandbox/orgs/{self.org}/Invoices/{move.xero_invoice_id}/emails")
        self.assertEqual([e["to"] for e in emails], ["ap@harbour.example"])
        self.assertEqual(move.xero_emailed_invoice_id, move.xero_invoice_id)
        # Updated in Xero again: not emailed twice.
        self.Job._xero_enqueue(move, "invoice", method="POST")
        self.send()
        self.assertEqual(len(self.sandbox_get(f"/_sandbox/orgs/{self.org}/Invoices/{move.xero_invoice_id}/emails")), 1)
        self.assertEqual(len(self.jobs_of(move, "invoice_email")), 1)
        # A customer without an email: Xero refuses; the refusal is on the invoice and its Sync Log line, blocked.
        mute = self.env["res.partner"].create({"name": "Quiet Cafe Ltd", "is_company": True})
        other = self.invoice(partner=mute)
        self.export(other)
        refused = self.jobs_of(other, "invoice_email")
        self.assertEqual(refused.state, "blocked")
        self.assertIn("no email address", refused.error)
        self.assertIn(other.display_name, refused.error)
        self.assertIn("no email address", other.message_ids[0].body)
        self.send()
        self.assertEqual(refused.state, "blocked")  # not retried by itself
        self.assertEqual(len(self.calls(method="POST", path=f"{other.xero_invoice_id}/Email")), 1)

    def test_nothing_follows_when_the_options_are_off(self):
        self.company.write({"xero_attach_files": False})
        move = self.invoice()
        self.clear_log()
        self.export(move)
        self.assertEqual([e["path"] for e in self.calls() if e["method"] != "GET"], [f"{API}/Contacts", f"{API}/Invoices"])
        self.assertFalse(self.Job.search([("operation", "in", ("attachment", "online_invoice", "invoice_email"))]))

    def test_a_vendor_bill_gets_the_vendors_document(self):
        """A bill's file is the vendor's document (the bill's main attachment), never shown online (a bill has no
        online invoice)."""
        self.company.write({"xero_purchase_account_code": "429", "xero_purchase_tax_type": "INPUT"})
        supplier = self.env["res.partner"].create({"name": "Paper Supplier Ltd", "is_company": True})
        bill = self.env["account.move"].create({
            "move_type": "in_invoice", "partner_id": supplier.id, "ref": "PS-0042", "invoice_date": fields.Date.today(),
            "invoice_line_ids": [Command.create({"name": "Paper", "quantity": 1, "price_unit": 40.0, "tax_ids": False})]})
        scan = self.env["ir.attachment"].create({"name": "PS-0042.pdf", "raw": b"%PDF-1.4 the vendor's bill",
                                                 "mimetype": "application/pdf", "res_model": "account.move",
                                                 "res_id": bill.id})
        bill.message_main_attachment_id = scan
        bill.action_post()
        self.export(bill)
        self.send()
        self.assertTrue(bill.xero_invoice_id)
        [file] = self.files("Invoices", bill.xero_invoice_id)
        self.assertEqual(file["sha256"], hashlib.sha256(b"%PDF-1.4 the vendor's bill").hexdigest())
        self.assertEqual(file["MimeType"], "application/pdf")
        self.assertFalse(file.get("IncludeOnline"))

    def test_attachments_wait_while_the_day_is_kept_for_documents(self):
        """Issue 18, a daily budget spent wisely: files spend the day's calls as pulls do, after documents. With
        the day nearly spent (Xero's X-DayLimit-Remaining), the invoice goes and its file waits, queued, not
        failed; on a new day it goes."""
        config = self.sandbox_get("/_sandbox/config")
        self.addCleanup(self.sandbox_post, "/_sandbox/config", {"day_limit": config["day_limit"]})
        used = self.sandbox_get("/_sandbox/limits").get(self.org, {}).get("day_count", 0)
        self.sandbox_post("/_sandbox/config", {"day_limit": used + 12})  # a handful of calls left today
        move = self.invoice()
        self.export(move)
        row = self.env["xero.attachment"].sudo().search([("res_model", "=", "account.move"), ("res_id", "=", move.id)])
        job = self.jobs_of(row, "attachment")
        self.assertEqual((job.state, job.error), ("pending", False), "kept for later, not failed")
        self.send()
        self.assertEqual(job.state, "pending", "still the documents' calls")
        self.assertFalse(self.files("Invoices", move.xero_invoice_id))
        # A new day at Xero: the file goes.
        self.sandbox_post("/_sandbox/config", {"day_limit": config["day_limit"]})
        self.env["xero.rate.state"].sudo().search([("tenant_id", "=", self.connection.tenant_id)]).unlink()
        self.send()
        self.assertEqual(job.state, "done", job.error)
        self.assertEqual(len(self.files("Invoices", move.xero_invoice_id)), 1)
