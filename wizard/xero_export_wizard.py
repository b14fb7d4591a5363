from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from ..models.xero_access import USER, checked
from ..models.xero_document_mixin import EDITABLE
from ..xero import resources

# The records an export by hand may ask about, and the Xero number field of each operation.
# purchase.order: with the bridge module xero_connector_purchase (Odoo's Purchase app).
EXPORTABLE_MODELS = ("sale.order", "account.move", "purchase.order")
NUMBER_FIELDS = {"quote": "xero_quote_number", "invoice": "xero_invoice_number", "credit_note": "xero_invoice_number",
                 "bill": "xero_invoice_number", "supplier_credit_note": "xero_invoice_number",
                 "purchase_order": "xero_purchase_order_number"}


class XeroExportWizard(models.TransientModel):
    """Asked when a record already exported is exported again: update it, send a duplicate, or cancel.

    Decided on the server: the connector alone creates a row (for the record and operation of the export the
    user asked for), nobody writes one, a row is its creator's only (record rule), and the actions derive
    the record, the operation and whether Xero still allows an update from the record itself, checked again
    when they act."""

    _name = "xero.export.wizard"
    _inherit = ["xero.dialog.mixin"]
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
        """The confirmation for ``record`` (checked by the export that calls this), already in Xero as
        ``operation``."""
        xero_id, status = record._xero_exported(operation)
        resource = resources.operation(operation).resource
        can_update = status in EDITABLE[resource]
        number = NUMBER_FIELDS[operation]
        wizard = self.sudo().create({
            "res_model": record._name,
            "res_id": record.id,
            "operation": operation,
            "record_name": record.display_name,
            "xero_number": record[number] if number in record._fields else False,
            "xero_status": status,
            "xero_url": record._xero_deep_link(resource, xero_id, operation=operation),
            "can_update": can_update,
            "update_blocked_reason": False if can_update else self.env._(
                "Xero no longer allows changes to this document (it is %s).",
                status or self.env._("in an unknown state")),
        })
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Already in Xero"),
            "res_model": self._name,
            "res_id": wizard.id,
            "view_mode": "form",
            "target": "new",
        }

    def _xero_record(self):
        """(record, operation) this confirmation is about, once the caller may still export it: their own row,
        a Xero user allowed to change the record, the record still exportable and in Xero as that operation."""
        self.ensure_one()
        wizard = checked(self, USER, self.env._("Only Xero users can export to Xero."))
        self._xero_check_creator(wizard)
        operation = wizard.operation
        if wizard.res_model not in EXPORTABLE_MODELS:
            raise AccessError(self.env._("%s cannot be exported to Xero.", wizard.res_model))
        record = self.env[wizard.res_model].browse(wizard.res_id).exists()
        if not record:
            raise UserError(self.env._("The record no longer exists."))
        record._xero_check_export_access()
        if operation not in record._xero_exported_operations() or not record._xero_live_export(operation):
            raise UserError(self.env._("%s is not in Xero (any more): export it again.", record.display_name))
        if not record._xero_exportable(operation):
            raise UserError(record._xero_not_exportable_reason(operation))
        return record, operation

    def action_update(self):
        """Update the document in Xero (while Xero allows it)."""
        record, operation = self._xero_record()
        status = record._xero_exported(operation)[1]
        if status not in EDITABLE[resources.operation(operation).resource]:
            raise UserError(self.env._("Xero no longer allows changes to this document (it is %s).",
                                       status or self.env._("in an unknown state")))
        jobs = self.env["xero.job"]._xero_enqueue(record, operation, method="POST")
        return record._xero_send_now(jobs)

    def action_send_new(self):
        """Send as a new document: an explicit duplicate in Xero."""
        record, operation = self._xero_record()
        jobs = self.env["xero.job"]._xero_enqueue(record, operation, force_new=True)
        return record._xero_send_now(jobs)
