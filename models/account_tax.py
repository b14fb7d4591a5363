from odoo import api, fields, models


class AccountTax(models.Model):
    _name = "account.tax"
    _inherit = ["account.tax", "xero.guarded.fields"]
    # Which Xero tax rate a tax books to: set by Xero administrators.
    _xero_admin_fields = frozenset({"xero_tax_type", "xero_tax_rate_id"})

    xero_tax_type = fields.Char(
        copy=False,
        help="Xero's tax type of this tax (e.g. OUTPUT). Empty: the company's default Xero tax type.")
    xero_tax_rate_id = fields.Many2one(
        "xero.tax.rate", compute="_compute_xero_tax_rate_id", inverse="_inverse_xero_tax_rate_id",
        domain="[('company_id', '=', company_id), ('status', '=', 'ACTIVE')]",
        help="Pick from the Xero organisation's tax rates (Settings → Xero → Refresh from Xero).")

    @api.depends("xero_tax_type", "company_id")
    def _compute_xero_tax_rate_id(self):
        Rate = self.env["xero.tax.rate"]
        for tax in self:
            conn = tax.company_id._xero_connection() if tax.company_id else False
            tax.xero_tax_rate_id = Rate._xero_find(conn, tax.xero_tax_type).id if conn else False

    def _inverse_xero_tax_rate_id(self):
        for tax in self:
            tax.xero_tax_type = tax.xero_tax_rate_id.sudo().xero_id or False
