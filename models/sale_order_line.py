from odoo import api, models

# Changing one of these on a line counts as a change of its order (sale_order._xero_changed): an update in Xero
# when the order is there, or once it is (a send under way).
XERO_LINE_FIELDS = {"name", "product_id", "product_uom_qty", "price_unit", "discount", "tax_ids", "display_type"}


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        if not (self.env.su and self.env.context.get("xero_no_update")):
            lines.order_id._xero_changed()
        return lines

    def write(self, vals):
        result = super().write(vals)
        if not (self.env.su and self.env.context.get("xero_no_update")) and XERO_LINE_FIELDS.intersection(vals):
            self.order_id._xero_changed()
        return result

    def unlink(self):
        orders = self.order_id
        result = super().unlink()
        if not (self.env.su and self.env.context.get("xero_no_update")):
            orders.exists()._xero_changed()
        return result
