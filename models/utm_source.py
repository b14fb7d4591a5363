from odoo import models


class UtmSource(models.Model):
    _inherit = "utm.source"

    def write(self, vals):
        result = super().write(vals)
        if "name" in vals and self.env["xero.tracking.option"].sudo().search_count(
                [("source_id", "in", self.ids)], limit=1):
            # The Lead Source options in Xero follow: renamed by the pull cron (soon, not in this request).
            self.env.ref("xero_connector.ir_cron_xero_pull").sudo()._trigger()
        return result
