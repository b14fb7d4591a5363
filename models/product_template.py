from odoo import api, fields, models
from odoo.exceptions import UserError

from .xero_access import USER, checked


class ProductTemplate(models.Model):
    _name = "product.template"
    _inherit = ["product.template", "xero.sales.account.mixin"]

    xero_sales_account_code = fields.Char(help="Xero account of this product's sales lines, instead of its category's.")
    xero_sales_account_id = fields.Many2one(
        string="Xero Sales Account (override)",
        help="Empty: the account of the product category, else the company's default sales account.")
    xero_purchase_account_code = fields.Char(
        help="Xero account of this product's vendor bill lines, instead of its category's.")
    xero_purchase_account_id = fields.Many2one(
        string="Xero Purchase Account (override)",
        help="Empty: the purchase account of the product category, else the company's default purchase account.")
    xero_item_id = fields.Many2one("xero.item", compute="_compute_xero_item",
                                   help="The Xero item with this product's internal reference as its code.")
    xero_quantity_on_hand = fields.Float("Quantity on Hand in Xero", compute="_compute_xero_item",
                                         digits="Product Unit")
    xero_is_tracked = fields.Boolean("Tracked in Xero", compute="_compute_xero_item",
                                     help="Xero tracks this item as inventory.")
    xero_item_message = fields.Char(compute="_compute_xero_item")

    @api.depends("product_variant_ids", "default_code")
    @api.depends_context("company")
    def _compute_xero_item(self):
        for template in self:
            variant = template.product_variant_ids[:1] if len(template.product_variant_ids) == 1 else False
            if variant:
                template.xero_item_id = variant.xero_item_id
                template.xero_quantity_on_hand = variant.xero_quantity_on_hand
                template.xero_is_tracked = variant.xero_is_tracked
                template.xero_item_message = variant.xero_item_message
            else:
                template.xero_item_id = False
                template.xero_quantity_on_hand = 0.0
                template.xero_is_tracked = False
                template.xero_item_message = False

    def action_xero_export_item(self):
        """Send the products (their variants) to Xero as items, matched by internal reference."""
        checked(self, USER, self.env._("Only Xero users can export to Xero."), operation="read")
        if not self.product_variant_ids:
            raise UserError(self.env._("There is no product to send to Xero."))
        return self.product_variant_ids.action_xero_export_item()
