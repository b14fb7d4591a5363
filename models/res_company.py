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
    xero_auto_export_invoices = fields.Boolean(
        "Auto-export Posted Customer Invoices",
        help="Send every posted customer invoice and credit note to Xero as soon as it is posted.",
    )
    xero_sales_account_code = fields.Char(
        "Default Xero Sales Account Code",
        help="Xero account code of the sales lines (e.g. 200). Exports are blocked, never sent wrong, without it.",
    )
    xero_tax_type = fields.Char(
        "Default Xero Tax Type",
        help="Xero tax type of the taxed sales lines (e.g. OUTPUT). Lines without tax are sent as NONE.",
    )

    def _xero_connection(self):
        """The company's Xero connection (an empty recordset when it never connected)."""
        self.ensure_one()
        return self.env["xero.connection"].sudo().search([("company_id", "=", self.id)], limit=1)
