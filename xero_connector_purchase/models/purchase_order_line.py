from odoo import api, models

# Changing one of these on a line of an exported purchase order queues an update in Xero.
XERO_LINE_FIELDS = {"name", "product_id", "product_qty", "price_unit", "discount", "tax_ids", "display_type"}


class PurchaseOrderLine(models.Model):
    _inherit = "purchase.order.line"

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        lines.order_id._xero_lines_changed()
        return lines

    def write(self, vals):
        result = super().write(vals)
        if XERO_LINE_FIELDS.intersection(vals):
            self.order_id._xero_lines_changed()
        return result

    def unlink(self):
        orders = self.order_id
        result = super().unlink()
        orders.exists()._xero_lines_changed()
        return result
