from collections import defaultdict

from odoo import api, fields, models

from ..xero import parse_xero_date, resources

# Xero statuses that count as sales (approved, part-paid or paid).
SALES_STATUSES = ("AUTHORISED", "PAID")


class XeroInvoice(models.Model):
    """The sales invoices of a Xero organisation, as Xero last reported them.

    Whether they came from Odoo or were typed in Xero, they give each customer its sales to date and
    invoice history, refreshed incrementally (If-Modified-Since pull and INVOICE webhooks).
    """

    _name = "xero.invoice"
    _inherit = ["xero.currency.mixin"]
    _description = "Xero Invoice"
    _order = "date desc, id desc"
    _rec_name = "number"

    connection_id = fields.Many2one("xero.connection", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="connection_id.company_id", store=True, index=True)
    xero_invoice_id = fields.Char("Xero Invoice ID", required=True)
    number = fields.Char()
    reference = fields.Char()
    contact_id = fields.Char("Xero Contact ID", index=True)
    partner_id = fields.Many2one("res.partner", index=True, ondelete="set null")
    date = fields.Date()
    due_date = fields.Date()
    status = fields.Selection(
        [("DRAFT", "Draft"), ("SUBMITTED", "Awaiting approval"), ("AUTHORISED", "Awaiting payment"),
         ("PAID", "Paid"), ("VOIDED", "Voided"), ("DELETED", "Deleted")],
    )
    currency_code = fields.Char("Currency")
    total = fields.Float(digits=(16, 2))
    amount_due = fields.Float(digits=(16, 2))
    amount_paid = fields.Float(digits=(16, 2))
    total_base = fields.Float("Total (organisation currency)", digits=(16, 2),
                              help="The total in the organisation's base currency, at the invoice's rate.")
    updated_utc = fields.Datetime("Updated in Xero")
    xero_url = fields.Char("Open in Xero", compute="_compute_xero_url")

    _invoice_uniq = models.Constraint(
        "UNIQUE(connection_id, xero_invoice_id)", "A Xero invoice is known once per organisation."
    )

    def _compute_xero_url(self):
        for invoice in self:
            invoice.xero_url = resources.deep_link("Invoices", invoice.xero_invoice_id) or False

    @api.model
    def _xero_apply_invoices(self, connection, invoices):
        """Upsert Xero sales invoices (dicts as the API returns them) for this connection; the status of exported
        bills (ACCPAY) among them goes to their Odoo bills (the mirror keeps sales only)."""
        bills = [i for i in invoices if i.get("Type") == "ACCPAY" and i.get("InvoiceID")]
        if bills:
            self.env["account.move"]._xero_apply_status(connection, bills, "InvoiceID")
        invoices = [i for i in invoices if i.get("Type", "ACCREC") == "ACCREC" and i.get("InvoiceID")]
        if not invoices:
            return self.browse()
        existing = {
            rec.xero_invoice_id: rec
            for rec in self.search([
                ("connection_id", "=", connection.id),
                ("xero_invoice_id", "in", [i["InvoiceID"] for i in invoices]),
            ])
        }
        contact_ids = list({(i.get("Contact") or {}).get("ContactID") for i in invoices} - {None})
        Partner = self.env["res.partner"].sudo().with_company(connection.company_id).with_context(active_test=False)
        partners = {p.xero_contact_id: p.id for p in Partner.search([("xero_contact_id", "in", contact_ids)])}
        to_create = []
        for invoice in invoices:
            contact_id = (invoice.get("Contact") or {}).get("ContactID")
            rate = float(invoice.get("CurrencyRate") or 1.0) or 1.0
            total = float(invoice.get("Total") or 0.0)
            updated = parse_xero_date(invoice.get("UpdatedDateUTC"))
            date = parse_xero_date(invoice.get("DateString") or invoice.get("Date"))
            due = parse_xero_date(invoice.get("DueDateString") or invoice.get("DueDate"))
            vals = {
                "number": invoice.get("InvoiceNumber") or False,
                "reference": invoice.get("Reference") or False,
                "contact_id": contact_id,
                "partner_id": partners.get(contact_id, False),
                "date": date.date() if date else False,
                "due_date": due.date() if due else False,
                "status": invoice.get("Status"),
                "currency_code": invoice.get("CurrencyCode"),
                "total": total,
                "amount_due": float(invoice.get("AmountDue") or 0.0),
                "amount_paid": float(invoice.get("AmountPaid") or 0.0),
                "total_base": total / rate,
                "updated_utc": updated.replace(tzinfo=None) if updated else False,
            }
            rec = existing.get(invoice["InvoiceID"])
            if rec:
                rec.write(vals)
            else:
                to_create.append(dict(vals, connection_id=connection.id, xero_invoice_id=invoice["InvoiceID"]))
        created = self.create(to_create) if to_create else self.browse()
        # The exported orders and invoices among them get Xero's status, amount paid and amount due.
        for model in ("account.move", "sale.order"):
            self.env[model]._xero_apply_status(connection, invoices, "InvoiceID")
        return created

    @api.model
    def _xero_link_partners(self, connection, partners):
        """Attach the invoices of the contacts the connector just linked to ``partners`` (one search). A contact
        linked to several of them keeps the invoices with the last."""
        owners = {partner.xero_contact_id: partner.id for partner in partners if partner.xero_contact_id}
        if not owners:
            return
        moved = defaultdict(lambda: self.browse())
        for invoice in self.search([("connection_id", "=", connection.id), ("contact_id", "in", list(owners))]):
            if invoice.partner_id.id != owners[invoice.contact_id]:
                moved[owners[invoice.contact_id]] |= invoice
        for partner_id, invoices in moved.items():
            invoices.write({"partner_id": partner_id})
