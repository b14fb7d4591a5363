from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    xero_connection_ids = fields.One2many("xero.connection", "company_id", groups="xero_connector.group_xero_user")
    xero_auto_export = fields.Selection(
        [
            ("none", "Disabled"),
            ("on_confirm", "When the order is confirmed"),
            ("on_po", "When a customer PO reference is added"),
        ],
        string="Auto-export Sales Order to Accounting Software",
        default="none",
        required=True,
    )
    xero_sale_order_target = fields.Selection(
        [("quote", "Quote"), ("invoice", "Invoice")],
        string="Sales Orders Go to Xero As",
        default="invoice",
        required=True,
    )
    xero_invoice_status = fields.Selection(
        [("DRAFT", "Draft"), ("SUBMITTED", "Awaiting approval"), ("AUTHORISED", "Approved")],
        default="AUTHORISED",
        required=True,
        help="Status of the invoices created in Xero. Approved: approved and unpaid, ready to be paid.",
    )

    def _xero_connection(self):
        """The company's Xero connection (an empty recordset when it never connected)."""
        self.ensure_one()
        return self.env["xero.connection"].sudo().search([("company_id", "=", self.id)], limit=1)
