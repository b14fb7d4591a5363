from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..models.xero_document_mixin import EDITABLE
from ..models.xero_job import RESOURCES


class XeroExportWizard(models.TransientModel):
    """Asked when a record already exported is exported again: update it, send a duplicate, or cancel."""

    _name = "xero.export.wizard"
    _description = "Export Again to Xero"

    res_model = fields.Char(required=True, readonly=True)
    res_id = fields.Integer(required=True, readonly=True)
    operation = fields.Char(required=True, readonly=True)
    record_name = fields.Char(readonly=True)
    xero_number = fields.Char(readonly=True)
    xero_status = fields.Char(readonly=True)
    xero_url = fields.Char(readonly=True)
    can_update = fields.Boolean(readonly=True)
    update_blocked_reason = fields.Char(readonly=True)

    @api.model
    def _xero_open(self, record, operation):
        xero_id, status = record._xero_exported(operation)
        resource = RESOURCES[operation]
        can_update = status in EDITABLE[resource]
        number = {"quote": "xero_quote_number", "invoice": "xero_invoice_number",
                  "credit_note": "xero_invoice_number"}[operation]
        wizard = self.create({
            "res_model": record._name,
            "res_id": record.id,
            "operation": operation,
            "record_name": record.display_name,
            "xero_number": record[number] if number in record._fields else False,
            "xero_status": status,
            "xero_url": self.env["xero.job"]._xero_deep_link(resource, xero_id),
            "can_update": can_update,
            "update_blocked_reason": False if can_update else _(
                "Xero no longer allows changes to this document (it is %s).", status or _("in an unknown state")),
        })
        return {
            "type": "ir.actions.act_window",
            "name": _("Already in Xero"),
            "res_model": self._name,
            "res_id": wizard.id,
            "view_mode": "form",
            "target": "new",
        }

    def _xero_record(self):
        self.ensure_one()
        record = self.env[self.res_model].browse(self.res_id).exists()
        if not record:
            raise UserError(_("The record no longer exists."))
        record._xero_check_user()
        return record

    def action_update(self):
        """Update the document in Xero (while Xero allows it)."""
        record = self._xero_record()
        if not self.can_update:
            raise UserError(self.update_blocked_reason)
        jobs = self.env["xero.job"]._xero_enqueue(record, self.operation, method="POST")
        return record._xero_send_now(jobs)

    def action_send_new(self):
        """Send as a new document: an explicit duplicate in Xero."""
        record = self._xero_record()
        jobs = self.env["xero.job"]._xero_enqueue(record, self.operation, force_new=True)
        return record._xero_send_now(jobs)
