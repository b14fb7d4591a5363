from odoo import api, fields, models


def _account_domain(model):
    return [("company_id", "=", model.env.company.id), ("status", "=", "ACTIVE")]


class ProductCategory(models.Model):
    _inherit = "product.category"

    xero_sales_account_code = fields.Char(
        company_dependent=True, copy=False,
        help="Xero account of the sales lines of this category's products (sub-categories without one use "
        "it too). Empty: the company's default sales account.")
    xero_sales_account_id = fields.Many2one(
        "xero.account", compute="_compute_xero_sales_account_id",
        inverse="_inverse_xero_sales_account_id", domain=_account_domain,
        help="Pick from the Xero organisation's chart of accounts (Settings → Xero → Refresh from Xero).")

    @api.depends("xero_sales_account_code")
    @api.depends_context("company")
    def _compute_xero_sales_account_id(self):
        self.env["xero.account"]._xero_compute_dropdown(self, "xero_sales_account_code", "xero_sales_account_id")

    def _inverse_xero_sales_account_id(self):
        for record in self:
            record.xero_sales_account_code = record.xero_sales_account_id.sudo().code or False
