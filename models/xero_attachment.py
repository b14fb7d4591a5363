"""xero.attachment: one file of one exported document, as it was attached in Xero (operation ``attachment``).

A row per document (``res_model``/``res_id``: a journal entry today) and file name, with the Xero document it went
to, Xero's AttachmentID and the file's SHA-256. Its job (one per row, paced and retried by the outbox, after every
document: ``xero/resources.py``) sends the file to ``{Invoices|CreditNotes}/<id>/Attachments/<FileName>`` with a PUT:
the same name replaces the file in Xero (``xero/attachments.py``), and an unchanged file is not sent again.

What a document sends is its own (``_xero_attachment_file``: Odoo's invoice PDF for customer invoices and credit
notes, the vendor's document for bills: ``xero_document_files.py``). Checked before any call: the company still
attaches files, the consent has the ``accounting.attachments`` scope (an organisation connected before the option
was switched on must reconnect: the job is blocked with that message and re-armed by the reconnection), the document
is in Xero and live there, the file is under 10 MB and the document under 10 attachments.
"""
from markupsafe import Markup

from odoo import fields, models

from ..exceptions import XeroAlreadyDone, XeroBlocked
from ..xero import ATTACHMENTS_SCOPE, attachments


class XeroAttachment(models.Model):
    _name = "xero.attachment"
    _inherit = ["xero.outbox.record"]
    _description = "File Attached in Xero"
    _order = "id desc"
    _rec_name = "file_name"

    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True)
    res_model = fields.Char("Document Model", required=True, readonly=True)
    res_id = fields.Many2oneReference("Document", model_field="res_model", required=True, readonly=True, index=True)
    file_name = fields.Char(required=True, readonly=True)
    xero_collection = fields.Char(readonly=True)
    xero_document_id = fields.Char("Xero Document ID", readonly=True, index="btree_not_null")
    xero_attachment_id = fields.Char("Xero Attachment ID", readonly=True)
    checksum = fields.Char("SHA-256", readonly=True)
    file_size = fields.Integer("Size (bytes)", readonly=True)
    mimetype = fields.Char("Content Type", readonly=True)
    include_online = fields.Boolean("Shown on the Online Invoice", readonly=True)
    attached_on = fields.Datetime(readonly=True)

    _file_uniq = models.Constraint("UNIQUE(res_model, res_id, file_name, company_id)",
                                   "A document's file is attached once (a new version replaces it).")

    def _xero_document(self):
        self.ensure_one()
        if self.res_model not in self.env:
            return None
        record = self.env[self.res_model].sudo().browse(self.res_id).exists()
        return record.with_company(self.company_id) if record else None

    def _xero_attached_to(self, document_id):
        """The files this connector attached to the Xero document ``document_id`` (case-insensitive id)."""
        return self.sudo().search([("company_id", "=", self.company_id.id), ("xero_attachment_id", "!=", False),
                                   ("xero_document_id", "=ilike", document_id)])

    # ------------------------------------------------------------------------------------------
    # xero.outbox.record: operation "attachment"
    # ------------------------------------------------------------------------------------------
    def _xero_job_dependencies(self, job):
        return self.env["xero.job"]

    def _xero_job_payload(self, job):
        self.ensure_one()
        document = self._xero_document()
        if document is None:
            raise XeroBlocked(self.env._("%s: its document no longer exists in Odoo.", self.file_name))
        company = job.company_id
        if not company.xero_attach_files:
            raise XeroBlocked(self.env._(
                "%(doc)s: the file %(file)s was not sent: %(company)s no longer attaches files in Xero (Settings → Xero "
                "→ Documents).", doc=document.display_name, file=self.file_name, company=company.name))
        connection = job.connection_id or company._xero_connection()
        if ATTACHMENTS_SCOPE not in (connection.scopes or "").split():
            raise XeroBlocked(connection._xero_attachments_scope_message())
        collection, document_id = document._xero_attachment_target()
        if not document_id:
            raise XeroBlocked(self.env._("%(doc)s is not in Xero (or voided there): its file %(file)s is not sent.",
                                         doc=document.display_name, file=self.file_name))
        file = document._xero_attachment_file()
        if not file:
            raise XeroBlocked(self.env._("%s has no file to attach in Xero.", document.display_name))
        content, mimetype = file
        name = self.file_name
        digest = attachments.checksum(content)
        same_document = (self.xero_document_id or "").lower() == document_id.lower() and self.xero_attachment_id
        if same_document and self.checksum == digest and not job.force_new:
            raise XeroAlreadyDone({"AttachmentID": self.xero_attachment_id, "FileName": self.file_name,
                                   "ContentLength": self.file_size, "unchanged": True})
        others = self._xero_attached_to(document_id) - self
        problem = attachments.limit_problem(len(content), len(others) + 1)
        if problem == "size":
            raise XeroBlocked(self.env._(
                "%(doc)s: the file %(file)s is %(size).1f MB; Xero takes at most %(max)s MB per file. Attach a smaller "
                "file, then retry.", doc=document.display_name, file=name, size=len(content) / 1048576,
                max=attachments.MAX_FILE_BYTES // 1048576))
        if problem == "count":
            raise XeroBlocked(self.env._(
                "%(doc)s: its Xero document already has %(count)s files attached; Xero takes at most %(max)s per "
                "document. Remove one in Xero, then retry.", doc=document.display_name, count=len(others),
                max=attachments.MAX_ATTACHMENTS))
        if problem == "empty":
            raise XeroBlocked(self.env._("%(doc)s: the file %(file)s is empty.", doc=document.display_name, file=name))
        online = bool(company.xero_attach_online) and document._xero_attachment_online_allowed()
        return {"Path": attachments.attachment_path(collection, document_id, self.file_name),
                "FileName": self.file_name, "ContentType": mimetype, "ContentLength": len(content),
                "IncludeOnline": online, "Checksum": digest, "content": content}

    def _xero_job_call(self, job, element, client, idempotency_key):
        """One file, its raw content as the body (the Attachments API), PUT: the same name replaces it."""
        result = client.upload(element["Path"], element["content"], element["ContentType"],
                               include_online=element["IncludeOnline"], idempotency_key=idempotency_key)
        if result.ok:  # what was sent, for the write-back (the Sync Log's excerpt of the request is cut short)
            result.data = dict(result.data, Checksum=element["Checksum"])
        return result

    def _xero_job_done(self, job, result):
        data = result.data or {}
        if data.get("unchanged"):
            return
        document = self._xero_document()
        collection, document_id = document._xero_attachment_target() if document is not None else (False, False)
        self._xero_write({
            "xero_attachment_id": data.get("AttachmentID"), "xero_document_id": document_id,
            "xero_collection": collection, "checksum": data.get("Checksum") or self.checksum,
            "file_size": data.get("ContentLength") or 0, "mimetype": data.get("MimeType"),
            "include_online": bool(data.get("IncludeOnline")), "attached_on": fields.Datetime.now(),
        })
        if document is not None:
            document._message_log(body=Markup("{label} <b>{file}</b>").format(
                label=self.env._("File attached in Xero:"), file=self.file_name))

    def _xero_job_lookup(self, job, client):
        return None  # the same name again replaces the file: sending twice adds nothing

    def _xero_job_refused(self, job, messages):
        document = self._xero_document()
        return self.env._("%(doc)s: Xero refused its file %(file)s: %(messages)s",
                          doc=document.display_name if document is not None else self.res_model, file=self.file_name,
                          messages=messages)

