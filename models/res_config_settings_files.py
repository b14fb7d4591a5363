from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    """Settings → Xero → Documents: files in Xero, the online invoice, Xero's email (``res_company_files.py``)."""

    _inherit = "res.config.settings"

    xero_attach_files = fields.Boolean(related="company_id.xero_attach_files", readonly=False)
    xero_attach_online = fields.Boolean(related="company_id.xero_attach_online", readonly=False)
    xero_online_invoice_link = fields.Boolean(related="company_id.xero_online_invoice_link", readonly=False)
    xero_email_invoices = fields.Boolean(related="company_id.xero_email_invoices", readonly=False)
    xero_attachments_scope_message = fields.Char(compute="_compute_xero_attachments_scope_message")

    def _compute_xero_attachments_scope_message(self):
        for settings in self:
            company = settings.company_id
            connection = company._xero_connection()
            settings.xero_attachments_scope_message = company.xero_attach_files and connection \
                and connection._xero_attachments_scope_missing() and connection._xero_attachments_scope_message()
