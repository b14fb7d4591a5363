"""What follows a document once it is in Xero: its file attached there (``xero.attachment``), the link to Xero's online
page of a sales invoice (operation ``online_invoice``: ``GET Invoices/<id>/OnlineInvoice``) and Xero emailing an
approved sales invoice to the customer (operation ``invoice_email``: ``POST Invoices/<id>/Email``, once per Xero
invoice). Each is an outbox job after every document (``xero/resources.py``), queued when the document's own job is
done, or when Xero reports it approved later (webhooks, pulls); each is the company's option (Settings → Xero →
Documents). The document models dispatch these operations here (``account_move_files.py``, ``sale_order_files.py``).
"""
from markupsafe import Markup

from odoo import fields, models

from ..exceptions import XeroAlreadyDone, XeroBlocked
from ..xero import attachments

FOLLOW_UPS = ("online_invoice", "invoice_email")
# Xero gives the online invoice of a sales invoice that is not a draft (Xero's Invoices docs: "you cannot retrieve an
# online invoice url for DRAFT invoices"), and emails an approved one (XERO.md).
LINKABLE = ("SUBMITTED", "AUTHORISED", "PAID")


class XeroDocumentFiles(models.AbstractModel):
    _inherit = "xero.document.mixin"

    xero_online_invoice_url = fields.Char(
        "Xero Online Invoice", copy=False, readonly=True,
        help="The customer-facing page of the invoice in Xero (Xero's online invoice), where it can be viewed and paid.")
    xero_emailed_invoice_id = fields.Char(
        "Emailed by Xero", copy=False, readonly=True,
        help="The Xero invoice Xero emailed to the customer (Settings → Xero → Documents: Xero emails approved invoices).")

    def _xero_sales_invoice_ref(self):
        """(Xero InvoiceID, Xero status) of this record's Xero *sales* invoice (ACCREC), or (False, False)."""
        return False, False

    # ------------------------------------------------------------------------------------------
    # Queueing
    # ------------------------------------------------------------------------------------------
    def _xero_queue_follow_ups(self):
        """Queue the link to the online invoice and Xero's email, as the company's options ask and Xero allows."""
        Job = self.env["xero.job"].sudo()
        for record in self:
            company = record.company_id
            invoice_id, status = record._xero_sales_invoice_ref()
            if not invoice_id or status not in LINKABLE:
                continue
            if company.xero_online_invoice_link and not record.xero_online_invoice_url:
                Job._xero_enqueue(record, "online_invoice", method="GET", company=company,
                                  resource=f"Invoices/{invoice_id}/OnlineInvoice")
            if company.xero_email_invoices and status == "AUTHORISED" \
                    and (record.xero_emailed_invoice_id or "").lower() != invoice_id.lower():
                Job._xero_enqueue(record, "invoice_email", method="POST", company=company,
                                  resource=f"Invoices/{invoice_id}/Email")

    # ------------------------------------------------------------------------------------------
    # The document's file (xero.attachment): the documents that attach one define _xero_attachment_target,
    # _xero_attachment_name and _xero_attachment_file (account_move_files.py, the Purchase bridge's orders)
    # ------------------------------------------------------------------------------------------
    def _xero_attachment_online_allowed(self):
        """Whether the file may show on Xero's online page of the document (sales invoices and credit notes)."""
        return False

    def _xero_queue_attachments(self):
        """Queue the document's file for its Xero document, when the company attaches files (one row and job per
        file)."""
        Attachment = self.env["xero.attachment"].sudo()
        Job = self.env["xero.job"].sudo()
        for document in self:
            company = document.company_id
            collection, document_id = document._xero_attachment_target()
            name = document._xero_attachment_name() if company.xero_attach_files and document_id else False
            if not name:
                continue
            key = [("res_model", "=", document._name), ("res_id", "=", document.id), ("file_name", "=", name),
                   ("company_id", "=", company.id)]
            row = Attachment.search(key, limit=1) or Attachment.create(
                {"res_model": document._name, "res_id": document.id, "file_name": name, "company_id": company.id})
            Job._xero_enqueue(row, "attachment", company=company,
                              resource=attachments.attachment_path(collection, document_id, name))

    # ------------------------------------------------------------------------------------------
    # xero.outbox.record, for the operations "online_invoice" and "invoice_email"
    # ------------------------------------------------------------------------------------------
    def _xero_follow_up_invoice(self, job):
        """The Xero invoice ``job`` names, still this record's; else the job is blocked."""
        invoice_id, status = self._xero_sales_invoice_ref()
        named = job.resource.split("/")[1]
        if not invoice_id or invoice_id.lower() != named.lower():
            raise XeroBlocked(self.env._("%(doc)s: its Xero invoice is no longer %(id)s: nothing was sent.",
                                         doc=self.display_name, id=named))
        return invoice_id, status

    def _xero_follow_up_payload(self, job):
        self.ensure_one()
        invoice_id, status = self._xero_follow_up_invoice(job)
        if job.operation == "online_invoice":
            if status not in LINKABLE:
                raise XeroBlocked(self.env._("%(doc)s is %(status)s in Xero: Xero has an online invoice for approved "
                                             "sales invoices only.", doc=self.display_name, status=(status or "").lower()))
            return {"InvoiceID": invoice_id}
        if (self.xero_emailed_invoice_id or "").lower() == invoice_id.lower():
            raise XeroAlreadyDone({"InvoiceID": invoice_id, "SentToContact": True})
        if status != "AUTHORISED":
            raise XeroBlocked(self.env._("%(doc)s is %(status)s in Xero: Xero emails approved invoices only.",
                                         doc=self.display_name, status=(status or "").lower()))
        return {}

    def _xero_follow_up_call(self, job, element, client, idempotency_key):
        if job.operation == "online_invoice":
            return client.read_one(job.resource)
        return client.action(job.resource, idempotency_key=idempotency_key)

    def _xero_follow_up_done(self, job, result):
        invoice_id = job.resource.split("/")[1]
        if job.operation == "online_invoice":
            url = (result.data or {}).get("OnlineInvoiceUrl")
            self._xero_write({"xero_online_invoice_url": url or False})
            if url:
                self._message_log(body=Markup("{label} <a href='{url}' target='_blank'>{url}</a>").format(
                    label=self.env._("Xero's online invoice:"), url=url))
            return
        self._xero_write({"xero_emailed_invoice_id": invoice_id})
        self._message_log(body=self.env._("Xero emailed the invoice %s to the customer.",
                                          self.xero_invoice_number or invoice_id))

    def _xero_follow_up_lookup(self, job, client):
        """An email whose outcome is unknown is not sent twice: Xero marks the invoice sent to the contact."""
        if job.operation != "invoice_email":
            return None  # a read: asking again is harmless
        invoice = client.get_by_id("Invoices", job.resource.split("/")[1])
        return {"InvoiceID": invoice["InvoiceID"], "SentToContact": True} \
            if invoice and invoice.get("SentToContact") else None

    def _xero_follow_up_refused(self, job, messages):
        """Xero's refusal, on the record (chatter) and its Sync Log line; blocked until someone retries."""
        if job.operation == "invoice_email":
            message = self.env._(
                "Xero did not email %(doc)s to the customer: %(messages)s. Add an email address to the customer's "
                "contact in Xero (or in Odoo, then export the customer again), then retry this line of the Sync Log.",
                doc=self.display_name, messages=messages)
        else:
            message = self.env._("Xero gave no online invoice for %(doc)s: %(messages)s", doc=self.display_name,
                                 messages=messages)
        self.message_post(body=message, message_type="notification", subtype_xmlid="mail.mt_note")
        return message

    # ------------------------------------------------------------------------------------------
    # The contract's optional hooks, for these operations (the documents' own payload, write-back and look-up
    # dispatch them: account_move_files.py, sale_order_files.py)
    # ------------------------------------------------------------------------------------------
    def _xero_job_dependencies(self, job):
        if job.operation in FOLLOW_UPS:
            return self.env["xero.job"]  # the invoice is in Xero already
        return super()._xero_job_dependencies(job)

    def _xero_job_call(self, job, element, client, idempotency_key):
        if job.operation in FOLLOW_UPS:
            return self._xero_follow_up_call(job, element, client, idempotency_key)
        return super()._xero_job_call(job, element, client, idempotency_key)

    def _xero_job_refused(self, job, messages):
        if job.operation in FOLLOW_UPS:
            return self._xero_follow_up_refused(job, messages)
        return super()._xero_job_refused(job, messages)

    def _xero_resend(self, job):
        if job.operation in FOLLOW_UPS:  # a read or an email has no update to follow
            return None
        return super()._xero_resend(job)
