from odoo import fields, models


class ProductCategory(models.Model):
    _name = "product.category"
    _inherit = ["product.category", "xero.sales.account.mixin"]

    xero_sales_account_code = fields.Char(
        help="Xero account of the sales lines of this category's products (sub-categories without one use "
        "it too). Empty: the company's default sales account.")
    xero_sales_account_id = fields.Many2one(
        help="Pick from the Xero organisation's chart of accounts (Settings → Xero → Refresh from Xero).")
    xero_purchase_account_code = fields.Char(
        help="Xero account of the vendor bill lines of this category's products (sub-categories without one use it "
        "too). Empty: the company's default purchase account.")
    xero_purchase_account_id = fields.Many2one(
        help="Pick from the Xero organisation's chart of accounts (usually an expense account).")
