"""account.move: its file attached to its Xero document (``xero.attachment``), and, for a customer invoice, Xero's
online invoice link and Xero's email (``xero_document_files.py``), queued once its Xero document is written back."""
from odoo import models
from odoo.exceptions import UserError

from ..exceptions import XeroBlocked
from ..xero import attachments
from .xero_document_files import FOLLOW_UPS


class AccountMove(models.Model):
    _inherit = "account.move"

    def _xero_sales_invoice_ref(self):
        if self.move_type != "out_invoice" or not self.xero_invoice_id:
            return False, False
        return self.xero_invoice_id, self.xero_invoice_status

    # ------------------------------------------------------------------------------------------
    # The file: Odoo's invoice PDF (customer invoices and credit notes), the vendor's document (bills and refunds)
    # ------------------------------------------------------------------------------------------
    def _xero_attachment_target(self):
        """(Xero collection, document id) the move's file goes to; the id is False unless live in Xero."""
        self.ensure_one()
        live = self.xero_invoice_id and self.xero_invoice_status not in ("VOIDED", "DELETED")
        return attachments.collection_of(self.move_type), (self.xero_invoice_id if live else False)

    def _xero_attachment_name(self):
        """The file's name in Xero (stable: a new version of the file replaces the one of the same name)."""
        self.ensure_one()
        source = attachments.file_source(self.move_type)
        if source == "report":
            name = self.invoice_pdf_report_id.name or self._get_invoice_report_filename()
        elif source == "main_attachment" and self.message_main_attachment_id:
            name = self.message_main_attachment_id.name
        else:
            return False
        return attachments.safe_file_name(name)

    def _xero_attachment_file(self):
        """(content, content type) of the move's file, or None. A customer document's is Odoo's invoice PDF: the one
        Odoo keeps once the invoice was sent (``invoice_pdf_report_id``), else the report rendered now (Odoo renders
        HTML instead when it runs its tests without a PDF engine: sent as what it is, text/html)."""
        self.ensure_one()
        source = attachments.file_source(self.move_type)
        if source == "report":
            if self.invoice_pdf_report_id:
                return self.invoice_pdf_report_id.raw, self.invoice_pdf_report_id.mimetype or "application/pdf"
            try:
                content, kind = self.env["ir.actions.report"].sudo()._render_qweb_pdf("account.account_invoices",
                                                                                     self.ids)
            except UserError as exc:  # no PDF engine (wkhtmltopdf) on this server, a broken report…
                raise XeroBlocked(self.env._("%(doc)s: Odoo could not make its PDF to attach in Xero: %(error)s",
                                             doc=self.display_name, error=exc)) from None
            if isinstance(content, str):
                content = content.encode()
            return content, "application/pdf" if kind == "pdf" else "text/html"
        if source == "main_attachment" and self.message_main_attachment_id:
            attachment = self.message_main_attachment_id.sudo()
            return attachment.raw, attachment.mimetype or "application/octet-stream"
        return None

    def _xero_attachment_online_allowed(self):
        return attachments.include_online_allowed(self.move_type)

    # ------------------------------------------------------------------------------------------
    # xero.outbox.record: the document's own hooks dispatch the follow-ups
    # ------------------------------------------------------------------------------------------
    def _xero_job_payload(self, job):
        if job.operation in FOLLOW_UPS:
            return self._xero_follow_up_payload(job)
        return super()._xero_job_payload(job)

    def _xero_job_done(self, job, result):
        if job.operation in FOLLOW_UPS:
            return self._xero_follow_up_done(job, result)
        before = self.xero_invoice_id
        result = super()._xero_job_done(job, result)
        if self.xero_online_invoice_url and self.xero_invoice_id != before:  # a new Xero invoice (sent as new)
            self._xero_write({"xero_online_invoice_url": False})
        if job.operation in self._xero_exported_operations():  # its document (not an allocation, say)
            self._xero_queue_attachments()
            self._xero_queue_follow_ups()
        return result

    def _xero_job_lookup(self, job, client):
        if job.operation in FOLLOW_UPS:
            return self._xero_follow_up_lookup(job, client)
        return super()._xero_job_lookup(job, client)

    def _xero_status_changed(self, record):
        result = super()._xero_status_changed(record)
        self._xero_queue_follow_ups()  # approved in Xero after it was sent (a draft approved there)
        return result

    def _xero_revive(self, operation):
        # A new Xero document: the old one's online page is not this one's (its link is read again once approved).
        self._xero_write({"xero_online_invoice_url": False})
        return super()._xero_revive(operation)
