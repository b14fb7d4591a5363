from odoo import api, fields, models

from ..models.xero_access import MANAGER, checked


class XeroTenantPicker(models.TransientModel):
    """Shown when one Xero consent connected several organisations: the admin picks one.

    The connector alone creates the rows (from the consent's organisations, stored on the connection); a
    row is its creator's only (record rule); choosing checks the caller, the company and the consent again."""

    _name = "xero.tenant.picker"
    _inherit = ["xero.dialog.mixin"]
    _description = "Choose the Xero Organisation"

    connection_id = fields.Many2one("xero.connection", required=True, readonly=True, ondelete="cascade")
    company_id = fields.Many2one(related="connection_id.company_id")
    line_ids = fields.One2many("xero.tenant.picker.line", "picker_id", readonly=True)

    @api.model
    def _xero_open(self, connection):
        """The picker of ``connection`` (checked by xero.connection.action_xero_open_picker)."""
        picker = self.sudo().create({
            "connection_id": connection.id,
            "line_ids": [
                fields.Command.create({
                    "tenant_id": tenant["tenantId"],
                    "name": tenant.get("tenantName") or tenant["tenantId"],
                    "tenant_type": tenant.get("tenantType"),
                })
                for tenant in connection.sudo().candidate_tenants or []
            ],
        })
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Choose the Xero organisation for %s", connection.company_id.name),
            "res_model": self._name,
            "res_id": picker.id,
            "view_mode": "form",
            "target": "new",
        }


class XeroTenantPickerLine(models.TransientModel):
    _name = "xero.tenant.picker.line"
    _inherit = ["xero.dialog.mixin"]
    _description = "Xero Organisation to Choose"

    picker_id = fields.Many2one("xero.tenant.picker", required=True, ondelete="cascade")
    tenant_id = fields.Char(required=True)
    name = fields.Char("Organisation", required=True)
    tenant_type = fields.Char("Type")

    def action_choose(self):
        self.ensure_one()
        message = self.env._("Only Xero administrators can choose the Xero organisation.")
        line = checked(self, MANAGER, message)
        self._xero_check_creator(line)
        connection = checked(self.env["xero.connection"].browse(line.picker_id.connection_id.id), MANAGER, message)
        connection._xero_choose_tenant(line.tenant_id)
        return {"type": "ir.actions.client", "tag": "reload"}
