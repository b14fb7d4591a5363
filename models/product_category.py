from odoo import api, fields, models

from .xero_access import guard_fields
from .xero_sales_account_mixin import MAPPING_FIELDS


class ProductCategory(models.Model):
    _name = "product.category"
    _inherit = ["product.category", "xero.sales.account.mixin"]

    xero_sales_account_code = fields.Char(
        help="Xero account of the sales lines of this category's products (sub-categories without one use "
        "it too). Empty: the company's default sales account.")
    xero_sales_account_id = fields.Many2one(
        help="Pick from the Xero organisation's chart of accounts (Settings → Xero → Refresh from Xero).")

    @api.model_create_multi
    def create(self, vals_list):
        guard_fields(self.browse(), vals_list, admin_fields=MAPPING_FIELDS)
        return super().create(vals_list)

    def write(self, vals):
        guard_fields(self, [vals], admin_fields=MAPPING_FIELDS)
        return super().write(vals)
