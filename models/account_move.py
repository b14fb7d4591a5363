from odoo import _, fields, models

from .xero_job import XeroBlocked

RESOURCE = {"invoice": "Invoices", "credit_note": "CreditNotes"}


class AccountMove(models.Model):
    _name = "account.move"
    _inherit = ["account.move", "xero.document.mixin"]

    xero_invoice_id = fields.Char(
        "Xero Invoice ID", copy=False, readonly=True, index="btree_not_null",
        help="Id of the invoice (or, for a refund, of the credit note) created in Xero.",
    )
    xero_invoice_number = fields.Char("Xero Number", copy=False, readonly=True)
    xero_invoice_status = fields.Char("Xero Status", copy=False, readonly=True)
    xero_invoice_url = fields.Char("Xero Link", compute="_compute_xero_invoice_url")

    def _compute_xero_invoice_url(self):
        Job = self.env["xero.job"]
        for move in self:
            move.xero_invoice_url = Job._xero_deep_link(RESOURCE[move._xero_operation()], move.xero_invoice_id)

    def _xero_operation(self):
        return "credit_note" if self.move_type == "out_refund" else "invoice"

    # ------------------------------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------------------------------
    def action_xero_export(self):
        """Export posted customer invoices (→ Xero invoices) and refunds (→ Xero credit notes)."""
        result = True
        for operation in ("invoice", "credit_note"):
            moves = self.filtered(lambda m, op=operation: m._xero_operation() == op)
            if moves:
                result = moves._xero_action_export(operation)
        return result

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        customer = posted.filtered(lambda m: m.move_type in ("out_invoice", "out_refund"))
        exported = customer.filtered("xero_invoice_id")
        for move in exported:
            # Posted again after a reset to draft: the Xero document follows while Xero allows it.
            move._xero_queue_update(move._xero_operation(), RESOURCE[move._xero_operation()])
        for move in customer - exported:
            company = move.company_id
            conn = company._xero_connection()
            if company.xero_auto_export_invoices and conn and conn.state in ("connected", "reconnect"):
                self.env["xero.job"]._xero_enqueue(move, move._xero_operation())
        return posted

    # ------------------------------------------------------------------------------------------
    # xero.document.mixin
    # ------------------------------------------------------------------------------------------
    def _xero_customer(self):
        return self.commercial_partner_id

    def _xero_exported(self, operation):
        return self.xero_invoice_id, self.xero_invoice_status

    def _xero_exportable(self, operation):
        return self.state == "posted" and self.move_type in ("out_invoice", "out_refund")

    def _xero_not_exportable_reason(self, operation):
        return _("Only posted customer invoices and credit notes can be exported to Xero (%s is not).",
                 self.display_name)

    # ------------------------------------------------------------------------------------------
    # xero.job handler
    # ------------------------------------------------------------------------------------------
    def _xero_job_dependencies(self, job):
        return self._xero_customer_dependencies(job)

    def _xero_job_payload(self, job):
        self.ensure_one()
        if self.state != "posted":
            raise XeroBlocked(_("%s is not posted: only posted invoices go to Xero.", self.display_name))
        contact_id = self._xero_customer_contact_id(job)
        lines = [
            {"name": line.name, "quantity": line.quantity, "price_unit": line.price_unit,
             "discount": line.discount, "taxes": line.tax_ids}
            for line in self.invoice_line_ids if line.display_type == "product"
        ]
        items, amount_types = self._xero_line_items(job, lines)
        payload = {
            "Contact": {"ContactID": contact_id},
            "Date": self._xero_date(self.invoice_date or self.date),
            "LineAmountTypes": amount_types,
            "LineItems": items,
            "Reference": self.ref or self.invoice_origin or self.payment_reference or "",
            "CurrencyCode": self.currency_id.name,
        }
        update = job.method == "POST" and not job.force_new
        if job.operation == "credit_note":
            payload["Type"] = "ACCRECCREDIT"
            if update:
                payload["CreditNoteID"] = self.xero_invoice_id
            elif not job.force_new:
                payload["CreditNoteNumber"] = self.name
        else:
            payload.update(Type="ACCREC", Url=self._xero_odoo_url(),
                           DueDate=self._xero_date(self.invoice_date_due or self.invoice_date or self.date))
            if update:
                payload["InvoiceID"] = self.xero_invoice_id
            elif not job.force_new:
                # Odoo's number is kept; an explicit duplicate gets Xero's own number.
                payload["InvoiceNumber"] = self.name
        if not update:
            payload["Status"] = job.company_id.xero_invoice_status
        if job.force_new:
            payload["Reference"] = (payload["Reference"] + " " if payload["Reference"] else "") + self.name
        return payload

    def _xero_job_done(self, job, result):
        data = result.data or {}
        if job.operation == "credit_note":
            vals = {"xero_invoice_id": data.get("CreditNoteID"), "xero_invoice_number": data.get("CreditNoteNumber")}
            label = _("Credit note")
        else:
            vals = {"xero_invoice_id": data.get("InvoiceID"), "xero_invoice_number": data.get("InvoiceNumber")}
            label = _("Invoice")
        vals["xero_invoice_status"] = data.get("Status")
        # Only the connector's own fields change: skip the invoice's line synchronisation and
        # tracking, which cost dozens of queries per invoice in bulk exports and concern nothing here.
        self.with_context(skip_invoice_sync=True, check_move_validity=False, tracking_disable=True).write(vals)
        self._xero_post_done(job, label, vals["xero_invoice_number"], vals["xero_invoice_status"])

    def _xero_job_lookup(self, job, client):
        """The document an attempt with an unknown outcome may have created: by Odoo's number."""
        if job.force_new:
            return None  # an explicit duplicate has no number of ours: the idempotency key protects it
        if job.method == "POST":
            return None  # updating twice is harmless
        if job.operation == "credit_note":
            records = client.iter_records("CreditNotes", where=f'CreditNoteNumber=="{self.name}"')
        else:
            records = client.iter_records("Invoices", params={"InvoiceNumbers": self.name})
        for record in records:
            if record.get("Status") not in ("DELETED", "VOIDED"):
                return record
        return None
