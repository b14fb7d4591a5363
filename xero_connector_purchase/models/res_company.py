from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    xero_auto_export_purchase_orders = fields.Boolean(
        "Export Confirmed Purchase Orders to Xero",
        help="A purchase order goes to Xero (as an approved purchase order) when it is confirmed, and follows its "
        "changes and its cancellation there.")
