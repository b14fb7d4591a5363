from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    xero_auto_export_purchase_orders = fields.Boolean(related="company_id.xero_auto_export_purchase_orders",
                                                      readonly=False)
