from odoo import api, fields, models
from odoo.exceptions import AccessError

from ..models.xero_access import MANAGER, checked


class XeroTenantPicker(models.TransientModel):
    """Shown when one Xero consent connected several organisations: the admin picks one.

    The connector alone creates the rows (from the consent's organisations, stored on the connection); a
    row is its creator's only (record rule); choosing checks the caller, the company and the consent again."""

    _name = "xero.tenant.picker"
    _description = "Choose the Xero Organisation"

    connection_id = fields.Many2one("xero.connection", required=True, readonly=True, ondelete="cascade")
    company_id = fields.Many2one(related="connection_id.company_id")
    line_ids = fields.One2many("xero.tenant.picker.line", "picker_id", readonly=True)

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            raise AccessError(self.env._("The organisation picker is opened by the Xero connector only."))
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            raise AccessError(self.env._("The organisation picker cannot be changed: connect Xero again."))
        return super().write(vals)

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
    _description = "Xero Organisation to Choose"

    picker_id = fields.Many2one("xero.tenant.picker", required=True, ondelete="cascade")
    tenant_id = fields.Char(required=True)
    name = fields.Char("Organisation", required=True)
    tenant_type = fields.Char("Type")

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            raise AccessError(self.env._("The organisation picker is opened by the Xero connector only."))
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            raise AccessError(self.env._("The organisation picker cannot be changed: connect Xero again."))
        return super().write(vals)

    def action_choose(self):
        self.ensure_one()
        message = self.env._("Only Xero administrators can choose the Xero organisation.")
        line = checked(self, MANAGER, message)
        if line.create_uid != self.env.user and not self.env.su:
            raise AccessError(self.env._("This organisation picker was opened by someone else."))
        connection = checked(self.env["xero.connection"].browse(line.picker_id.connection_id.id), MANAGER, message)
        connection._xero_choose_tenant(line.tenant_id)
        return {"type": "ir.actions.client", "tag": "reload"}
