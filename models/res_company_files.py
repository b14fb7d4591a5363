from odoo import fields, models


class ResCompany(models.Model):
    """Documents' files in Xero, Xero's online invoice and Xero's email (Settings → Xero → Documents):
    ``xero_document_files.py``, ``xero_attachment.py``."""

    _inherit = "res.company"

    xero_attach_files = fields.Boolean(
        "Attach PDFs in Xero",
        help="Attach each exported document's file to it in Xero: the PDF of customer invoices and credit notes, the "
        "vendor's document of bills. Needs Xero's permission to attachments: an organisation connected before must "
        "reconnect.")
    xero_attach_online = fields.Boolean(
        "Show the PDF on Xero's Online Invoice",
        help="The PDF attached to a sales invoice or credit note is shown to the customer on Xero's online invoice.")
    xero_online_invoice_link = fields.Boolean(
        "Keep Xero's Online Invoice Link",
        help="Read the link to Xero's online invoice (the page customers view and pay) of each approved sales invoice, "
        "and show it on the Odoo invoice and order.")
    xero_email_invoices = fields.Boolean(
        "Xero Emails Approved Invoices to the Customer",
        help="Once a sales invoice is approved in Xero, Xero emails it to the customer's contact (once per invoice).")
