"""purchase.order: its PDF (Odoo's purchase order report) attached to its Xero purchase order when the company
attaches files in Xero (Settings → Xero → Documents), through the connector's xero.attachment: one row and job per
file, after the order itself, replaced (never copied) when the order changes."""
from odoo import models
from odoo.exceptions import UserError

from odoo.addons.xero_connector.exceptions import XeroBlocked
from odoo.addons.xero_connector.xero import attachments

REPORT = "purchase.action_report_purchase_order"


class PurchaseOrder(models.Model):
    _inherit = "purchase.order"

    def _xero_attachment_target(self):
        """("PurchaseOrders", the Xero purchase order's id, False unless live there)."""
        self.ensure_one()
        live = self.xero_purchase_order_id and self.xero_purchase_order_status != "DELETED"
        return "PurchaseOrders", (self.xero_purchase_order_id if live else False)

    def _xero_attachment_name(self):
        self.ensure_one()
        return attachments.safe_file_name(f"{self.name}.pdf")

    def _xero_attachment_file(self):
        """(content, content type) of the order's PDF (HTML when Odoo runs without a PDF engine, sent as such)."""
        self.ensure_one()
        try:
            content, kind = self.env["ir.actions.report"].sudo()._render_qweb_pdf(REPORT, self.ids)
        except UserError as exc:  # no PDF engine (wkhtmltopdf) on this server, a broken report…
            raise XeroBlocked(self.env._("%(doc)s: Odoo could not make its PDF to attach in Xero: %(error)s",
                                         doc=self.display_name, error=exc)) from None
        if isinstance(content, str):
            content = content.encode()
        return content, "application/pdf" if kind == "pdf" else "text/html"
