from odoo import api, fields, models

from ..exceptions import XeroBlocked
from ..xero import resources
from ..xero.lengths import QUOTE, fit

# Changing one of these on an exported order queues an update in Xero.
XERO_TRACKED_FIELDS = {
    "order_line", "partner_id", "partner_invoice_id", "client_order_ref", "date_order", "validity_date",
    "payment_term_id", "currency_id",
}
# What an order can be in Xero.
OPERATIONS = ("quote", "invoice")


class SaleOrder(models.Model):
    _name = "sale.order"
    _inherit = ["sale.order", "xero.document.mixin"]

    xero_quote_id = fields.Char("Xero Quote ID", copy=False, readonly=True, index="btree_not_null")
    xero_quote_number = fields.Char("Xero Quote", copy=False, readonly=True)
    xero_quote_status = fields.Char(copy=False, readonly=True)
    xero_invoice_id = fields.Char("Xero Invoice ID", copy=False, readonly=True, index="btree_not_null")
    xero_invoice_number = fields.Char("Xero Invoice", copy=False, readonly=True)
    xero_invoice_status = fields.Char(copy=False, readonly=True)
    xero_amount_paid = fields.Monetary("Amount Paid in Xero", copy=False, readonly=True)
    xero_amount_due = fields.Monetary("Amount Due in Xero", copy=False, readonly=True)
    xero_paid = fields.Boolean("Paid in Xero", copy=False, readonly=True, index="btree_not_null",
                               help="Xero says the invoice of this order is paid.")
    xero_quote_url = fields.Char("Xero Quote Link", compute="_compute_xero_urls")
    xero_invoice_url = fields.Char("Xero Invoice Link", compute="_compute_xero_urls")

    @api.depends("xero_quote_id", "xero_invoice_id")
    def _compute_xero_urls(self):
        for order in self:
            order.xero_quote_url = order._xero_deep_link("Quotes", order.xero_quote_id)
            order.xero_invoice_url = order._xero_deep_link("Invoices", order.xero_invoice_id)

    # ------------------------------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------------------------------
    def action_xero_export_sales_order(self):
        """Export to Xero as the company's Settings say (Quote or Invoice)."""
        self._xero_check_export_access()
        result = True
        for target in set(self.company_id.mapped("xero_sale_order_target")):
            orders = self.filtered(lambda o, t=target: o.company_id.xero_sale_order_target == t)
            result = orders._xero_action_export(target)
        return result

    def action_xero_export_invoice(self):
        """Export to Xero as an invoice (with the Settings' status)."""
        return self._xero_action_export("invoice")

    # ------------------------------------------------------------------------------------------
    # Auto-export and changes after export
    # ------------------------------------------------------------------------------------------
    def _xero_auto_export(self, trigger):
        for order in self:
            company = order.company_id
            if company.xero_auto_export != trigger or order.state == "cancel":
                continue
            conn = company._xero_connection()
            if not conn or conn.state not in ("connected", "reconnect"):
                continue
            operation = company.xero_sale_order_target
            if order._xero_live_export(operation):
                continue
            if not order._xero_exportable(operation):
                order._message_log(body=order._xero_not_exportable_reason(operation))
                continue
            # Voided or deleted in Xero (the order was cancelled, then confirmed again): a new document.
            self.env["xero.job"]._xero_enqueue(order, operation, force_new=bool(order._xero_exported(operation)[0]))

    def _action_cancel(self):
        result = super()._action_cancel()
        self.filtered(lambda o: o.state == "cancel")._xero_cancelled(["quote", "invoice"])
        return result

    def action_confirm(self):
        self._xero_uncancelled(["quote", "invoice"])
        result = super().action_confirm()
        self._xero_auto_export("on_confirm")
        return result

    @api.model_create_multi
    def create(self, vals_list):
        orders = super().create(vals_list)
        orders.filtered("client_order_ref")._xero_auto_export("on_po")
        return orders

    def write(self, vals):
        without_po = self.filtered(lambda o: not o.client_order_ref) if "client_order_ref" in vals else self.browse()
        result = super().write(vals)
        if self.env.su and self.env.context.get("xero_no_update"):  # the connector's own writes only
            return result
        if without_po:
            without_po.filtered("client_order_ref")._xero_auto_export("on_po")
        if XERO_TRACKED_FIELDS.intersection(vals):
            self._xero_changed()
        return result

    def _xero_changed(self):
        """An exported order changed: queue updates of its Xero documents (or warn). Counted on every order:
        one being sent right now gets the change once it is in Xero."""
        self._xero_bump_revision()
        exported = self.filtered(lambda o: o.xero_quote_id or o.xero_invoice_id)
        for operation in OPERATIONS:
            exported._xero_queue_update(operation, resources.operation(operation).resource)

    # ------------------------------------------------------------------------------------------
    # xero.document.mixin
    # ------------------------------------------------------------------------------------------
    def _xero_customer(self):
        """Who is invoiced: the invoice address' company (a subsidiary's order billed to its group goes to
        the group's contact), as Odoo's own invoice of the order would be."""
        return (self.partner_invoice_id or self.partner_id).commercial_partner_id

    def _xero_exported(self, operation):
        if operation == "quote":
            return self.xero_quote_id, self.xero_quote_status
        return self.xero_invoice_id, self.xero_invoice_status

    def _xero_exported_operations(self):
        return ["quote", "invoice"]

    def _xero_revive(self, operation):
        """Voided in Xero while it was confirmed again: a new document when the Settings send confirmed orders
        as this; otherwise (set back to quotation, say) the chatter says so and an export sends a new one."""
        company = self.company_id
        if self.state == "sale" and company.xero_auto_export != "none" and company.xero_sale_order_target == operation:
            return super()._xero_revive(operation)
        self._message_log(body=self.env._("Voided in Xero after the order left the cancelled state: export it again to send "
                                          "a new Xero document."))

    def _xero_exportable(self, operation):
        return self.state != "cancel" and not (operation == "invoice" and self._xero_invoices_in_xero())

    def _xero_not_exportable_reason(self, operation):
        invoices = self._xero_invoices_in_xero() if operation == "invoice" else None
        if invoices and self.state != "cancel":
            return self.env._("%(order)s is not sent to Xero as an invoice: its Odoo invoice %(invoices)s is already there; "
                              "sending the order too would book the sale twice.", order=self.display_name,
                              invoices=", ".join(invoices.mapped("name")))
        return self.env._("%s is cancelled: it cannot be exported to Xero.", self.display_name)

    def _xero_invoices_in_xero(self):
        """This order's posted customer invoices that are in Xero (not voided)."""
        return self.invoice_ids.filtered(lambda m: m.move_type == "out_invoice" and m.state == "posted"
                                         and m.xero_invoice_id and m.xero_invoice_status not in ("VOIDED", "DELETED"))

    # ------------------------------------------------------------------------------------------
    # xero.outbox.record: operations "quote" and "invoice"
    # ------------------------------------------------------------------------------------------
    def _xero_due_date(self, date):
        terms = self.payment_term_id or self.partner_id.commercial_partner_id.property_payment_term_id
        if not terms.line_ids:
            return date
        return max(line._get_due_date(date) for line in terms.line_ids)

    def _xero_job_payload(self, job):
        self.ensure_one()
        if job.operation == "invoice" and job.method == "PUT" and self._xero_invoices_in_xero():
            raise XeroBlocked(self._xero_not_exportable_reason(job.operation))  # its Odoo invoice is there already
        contact_id = self._xero_customer_contact_id(job)
        lines = [
            {"name": line.name, "quantity": line.product_uom_qty, "price_unit": line.price_unit,
             "discount": line.discount, "taxes": line.tax_ids, "product": line.product_id}
            for line in self.order_line if not line.display_type
        ]
        items, amount_types = self._xero_line_items(job, lines)
        date = self._xero_local_date(self.date_order)
        payload = {
            "Contact": {"ContactID": contact_id},
            "Date": self._xero_date(date),
            "LineItems": items,
            "Reference": self.client_order_ref or self.name,
            "CurrencyCode": self.currency_id.name,
        }
        update = job.method == "POST" and not job.force_new
        if job.operation == "quote":
            payload.update(fit({"Title": self.name, "Reference": payload["Reference"]}, QUOTE),
                           LineAmountTypes=amount_types.upper())
            if self.validity_date:
                payload["ExpiryDate"] = self._xero_date(self.validity_date)
            if update:
                self._xero_check_ours("quote", self.xero_quote_id)
                payload["QuoteID"] = self.xero_quote_id
            else:
                payload["Status"] = "DRAFT"
            return payload
        payload.update(Type="ACCREC", LineAmountTypes=amount_types, Url=self._xero_odoo_url(),
                       DueDate=self._xero_date(self._xero_due_date(date)))
        if update:
            self._xero_check_ours("invoice", self.xero_invoice_id)
            payload["InvoiceID"] = self.xero_invoice_id
        else:
            payload["Status"] = job.company_id.xero_invoice_status
        return payload

    def _xero_job_done(self, job, result):
        data = result.data or {}
        status = data.get("Status")
        if job.operation == "quote":
            vals = {"xero_quote_id": data.get("QuoteID"), "xero_quote_number": data.get("QuoteNumber"),
                    "xero_quote_status": status}
            label = self.env._("Quote")
        else:
            vals = {"xero_invoice_id": data.get("InvoiceID"), "xero_invoice_number": data.get("InvoiceNumber"),
                    **self._xero_status_values(data, "InvoiceID")}
            label = self.env._("Invoice")
        self._xero_write(vals)
        self._xero_post_done(job, label, vals.get("xero_quote_number") or vals.get("xero_invoice_number"), status)
        self._xero_done_while_cancelled(job.operation)

    def _xero_job_lookup(self, job, client):
        """The document an attempt with an unknown outcome may have created: same contact, our
        Reference, and our Url (invoices) or Title (quotes)."""
        contact_id = self._xero_customer().with_company(job.company_id).xero_contact_id
        if not contact_id or (job.method == "POST" and not job.force_new):
            return None  # no contact: nothing was created; an update sent twice is harmless
        reference = self.client_order_ref or self.name
        if job.operation == "quote":
            sent = fit({"Title": self.name, "Reference": reference}, QUOTE)
            for quote in client.iter_records("Quotes", params={"ContactID": contact_id}):
                if quote.get("Title") == sent["Title"] and quote.get("Reference") == sent["Reference"] \
                        and quote.get("Status") != "DELETED" \
                        and not (job.force_new and quote.get("QuoteID") == self.xero_quote_id):
                    return quote
            return None
        # Ours: our Url, or (the base URL changed since: an administrator logged in from another address)
        # our record's path with our reference. The contact's invoices, not those of our reference only:
        # the reference may have been edited since the attempt.
        url = self._xero_odoo_url()
        path = url[url.index("/odoo/"):]
        for invoice in client.iter_records("Invoices", contact_ids=[contact_id], where='Type=="ACCREC"'):
            ours = invoice.get("Url") == url or (
                (invoice.get("Url") or "").endswith(path) and invoice.get("Reference") == reference)
            if ours and invoice.get("Status") not in ("DELETED", "VOIDED") \
                    and not (job.force_new and invoice.get("InvoiceID") == self.xero_invoice_id):
                return invoice
        return None
