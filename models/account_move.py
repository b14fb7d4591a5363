import logging

from odoo import api, fields, models

from ..exceptions import XeroBlocked
from ..xero import resources

_logger = logging.getLogger(__name__)

# What each kind of posted move becomes in Xero: its outbox operation (xero/resources.py).
MOVE_OPERATIONS = {"out_invoice": "invoice", "out_refund": "credit_note",
                   "in_invoice": "bill", "in_refund": "supplier_credit_note"}
PURCHASE_TYPES = ("in_invoice", "in_refund")


class AccountMove(models.Model):
    _name = "account.move"
    _inherit = ["account.move", "xero.document.mixin"]

    xero_invoice_id = fields.Char(
        "Xero Invoice ID", copy=False, readonly=True, index="btree_not_null",
        help="Id of the invoice (or, for a refund, of the credit note) created in Xero.",
    )
    xero_invoice_number = fields.Char("Xero Number", copy=False, readonly=True)
    xero_invoice_status = fields.Char("Xero Status", copy=False, readonly=True)
    xero_invoice_url = fields.Char("Xero Link", compute="_compute_xero_invoice_url")
    xero_amount_paid = fields.Monetary("Amount Paid in Xero", copy=False, readonly=True,
                                       help="For a credit note: the amount of it used (allocated or refunded) in Xero.")
    xero_amount_due = fields.Monetary("Amount Due in Xero", copy=False, readonly=True,
                                      help="For a credit note: the credit remaining in Xero.")
    xero_paid = fields.Boolean("Paid in Xero", copy=False, readonly=True, index="btree_not_null")
    xero_payment_registered = fields.Monetary(
        "Xero Payments Registered", copy=False, readonly=True,
        help="How much of the amount paid in Xero was registered as payments in Odoo.")

    def _compute_xero_invoice_url(self):
        for move in self:
            move.xero_invoice_url = move._xero_deep_link(move._xero_resource(), move.xero_invoice_id,
                                                         operation=move._xero_operation())

    def _xero_operation(self):
        """The outbox operation of this move's Xero document: invoice, credit_note, bill, supplier_credit_note."""
        return MOVE_OPERATIONS.get(self.move_type, "invoice")

    def _xero_resource(self):
        """Xero's collection of this move's document (Invoices, CreditNotes)."""
        return resources.operation(self._xero_operation()).resource

    def _xero_document(self):
        """(Xero collection, Xero id) of this move's live document in Xero (``("Invoices", <InvoiceID>)`` for a
        sales invoice or a bill, ``("CreditNotes", <CreditNoteID>)`` for a credit note of either side), or
        (collection, False) when it is not in Xero or was voided there. For what hangs off a Xero document
        (attachments: ``<collection>/<id>/Attachments``)."""
        self.ensure_one()
        operation = self._xero_operation()
        live = self.move_type in MOVE_OPERATIONS and self._xero_live_export(operation)
        return self._xero_resource(), self.xero_invoice_id if live else False

    # ------------------------------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------------------------------
    def action_xero_export(self):
        """Export posted customer invoices (→ Xero invoices) and refunds (→ Xero credit notes), vendor bills
        (→ Xero bills, ACCPAY) and vendor refunds (→ supplier credit notes, ACCPAYCREDIT)."""
        self._xero_check_export_access()
        result = True
        for operation in MOVE_OPERATIONS.values():
            moves = self.filtered(lambda m, op=operation: m._xero_operation() == op)
            if moves:
                result = moves._xero_action_export(operation)
        return result

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        documents = posted.filtered(lambda m: m.move_type in MOVE_OPERATIONS)
        documents._xero_bump_revision()
        documents._xero_uncancelled(list(MOVE_OPERATIONS.values()))
        voided = documents.filtered(lambda m: m.xero_invoice_id and m.xero_invoice_status in ("VOIDED", "DELETED"))
        for move in voided:
            move._xero_revive(move._xero_operation())
        exported = documents.filtered("xero_invoice_id")
        for move in exported:
            # Posted again after a reset to draft: the Xero document follows while Xero allows it.
            move._xero_queue_update(move._xero_operation(), move._xero_resource())
        for move in documents - exported - voided:
            company = move.company_id
            conn = company._xero_connection()
            auto = company.xero_auto_export_bills if move.move_type in PURCHASE_TYPES \
                else company.xero_auto_export_invoices
            if auto and conn and conn.state in ("connected", "reconnect"):
                if move._xero_orders_invoiced_in_xero():
                    move._message_log(body=move._xero_not_exportable_reason(move._xero_operation()))
                    continue
                self.env["xero.job"]._xero_enqueue(move, move._xero_operation())
        return posted

    def _xero_revivable(self):
        return self.state == "posted"  # a draft gets its new Xero document when it is posted (see _post)

    def _xero_exported_operations(self):
        return [self._xero_operation()] if self.move_type in MOVE_OPERATIONS else []

    def _xero_revive(self, operation):
        # Cancelled (voided in Xero), then posted again: a new Xero document, with Xero's own number (the
        # voided one keeps Odoo's) and Odoo's number in the reference.
        self._message_log(body=self.env._("Posted again after %(number)s was voided in Xero: a new Xero document is "
                                          "queued.", number=self.xero_invoice_number or self.xero_invoice_id))
        self._xero_write({"xero_invoice_id": False, "xero_invoice_number": False, "xero_invoice_status": False,
                          "xero_amount_paid": 0.0, "xero_amount_due": 0.0, "xero_paid": False})
        self.env["xero.job"]._xero_enqueue(self, operation, force_new=True)

    def button_cancel(self):
        result = super().button_cancel()
        for move in self.filtered(lambda m: m.move_type in MOVE_OPERATIONS and m.state == "cancel"):
            move._xero_cancelled([move._xero_operation()])
        return result

    # ------------------------------------------------------------------------------------------
    # xero.document.mixin
    # ------------------------------------------------------------------------------------------
    def _xero_customer(self):
        return self.commercial_partner_id

    def _xero_exported(self, operation):
        return self.xero_invoice_id, self.xero_invoice_status

    def _xero_exportable(self, operation):
        return self.state == "posted" and self.move_type in MOVE_OPERATIONS \
            and not self._xero_orders_invoiced_in_xero()

    def _xero_not_exportable_reason(self, operation):
        orders = self._xero_orders_invoiced_in_xero()
        if orders:
            return self.env._("%(move)s is not sent to Xero: its order %(orders)s is an invoice there, or on its way (sales orders "
                              "go to Xero as invoices, Settings → Xero); sending it too would book the sale twice.",
                              move=self.display_name, orders=", ".join(orders.mapped("name")))
        return self.env._("Only posted customer invoices and credit notes, vendor bills and refunds can be exported "
                          "to Xero (%s is not).", self.display_name)

    def _xero_orders_invoiced_in_xero(self):
        """The sales orders of this customer invoice that are invoices in Xero themselves (not voided), or on
        their way there (an invoice job still open: the order goes first, this invoice stays out)."""
        if self.move_type != "out_invoice":
            return self.env["sale.order"]
        orders = self.invoice_line_ids.sale_line_ids.order_id
        if not orders:
            return orders
        queued = set(self.env["xero.job"].sudo().search([
            ("res_model", "=", "sale.order"), ("res_id", "in", orders.ids), ("operation", "=", "invoice"),
            ("state", "in", ("pending", "sending", "retry", "blocked"))]).mapped("res_id"))
        return orders.filtered(lambda o: o.id in queued or (
            o.xero_invoice_id and o.xero_invoice_status not in ("VOIDED", "DELETED")))

    # ------------------------------------------------------------------------------------------
    # Status back from Xero
    # ------------------------------------------------------------------------------------------
    @api.model
    def _xero_apply_credit_notes(self, connection, credit_notes):
        """CREDITNOTE webhooks and the credit notes pull: Xero's status and remaining credit on exported refunds."""
        credit_notes = [c for c in credit_notes if c.get("Type", "ACCRECCREDIT") in ("ACCRECCREDIT", "ACCPAYCREDIT")]
        self._xero_apply_status(connection, credit_notes, "CreditNoteID")

    def _xero_status_changed(self, record):
        """Payments made in Xero are registered in Odoo too when the company asks for it (both books agree)."""
        company = self.company_id
        # A bill's payment is registered as Odoo's outbound payment (the register wizard decides by the move).
        if not company.xero_register_payments or self.move_type not in ("out_invoice", "in_invoice") \
                or self.state != "posted":
            return
        delta = self.xero_amount_paid - self.xero_payment_registered
        if self.currency_id.compare_amounts(delta, 0.0) <= 0:
            return
        journal = company.xero_payment_journal_id
        if not journal:
            self.message_post(body=self.env._("Paid in Xero, but no journal is set to register Xero payments in Odoo "
                                              "(Settings → Xero)."), message_type="notification", subtype_xmlid="mail.mt_note")
            return
        amount = min(delta, self.amount_residual)
        try:
            with self.env.cr.savepoint():
                if self.currency_id.compare_amounts(amount, 0.0) > 0:
                    wizard = self.env["account.payment.register"].with_context(
                        active_model="account.move", active_ids=self.ids).create({
                            "journal_id": journal.id,
                            "amount": amount,
                            "payment_date": self._xero_paid_date(record),
                            "communication": self.env._("Paid in Xero: %s", self.xero_invoice_number or self.name),
                        })
                    wizard._create_payments()
                self.xero_payment_registered = self.xero_amount_paid
        except Exception as exc:  # the status is kept; the payment waits for a human
            _logger.warning("Xero: could not register the payment of %s in Odoo: %s", self.name, exc)
            self.message_post(body=self.env._("Paid in Xero, but the payment could not be registered in Odoo: %s", exc),
                              message_type="notification", subtype_xmlid="mail.mt_note")
            return
        if self.currency_id.compare_amounts(amount, 0.0) > 0:
            self.message_post(body=self.env._("Payment of %(amount)s registered on %(journal)s from Xero.",
                                              amount=self.currency_id.format(amount), journal=journal.display_name),
                              message_type="notification", subtype_xmlid="mail.mt_note")

    # ------------------------------------------------------------------------------------------
    # xero.outbox.record: operations "invoice" (a customer invoice) and "credit_note" (a customer refund)
    # ------------------------------------------------------------------------------------------
    def _xero_job_payload(self, job):
        self.ensure_one()
        if job.operation in ("bill", "supplier_credit_note"):
            return self._xero_bill_payload(job)
        if self.state != "posted":
            raise XeroBlocked(self.env._("%s is not posted: only posted invoices go to Xero.", self.display_name))
        if job.method == "PUT" and self._xero_orders_invoiced_in_xero():  # its order went (or goes) first
            raise XeroBlocked(self._xero_not_exportable_reason(job.operation))
        contact_id = self._xero_customer_contact_id(job)
        lines = [
            {"name": line.name, "quantity": line.quantity, "price_unit": line.price_unit,
             "discount": line.discount, "taxes": line.tax_ids, "product": line.product_id}
            for line in self.invoice_line_ids if line.display_type == "product"
        ]
        items, amount_types = self._xero_line_items(job, lines)
        payload = {
            "Contact": {"ContactID": contact_id},
            "Date": self._xero_date(self.invoice_date or self.date),
            "LineAmountTypes": amount_types,
            "LineItems": items,
            "Reference": self.ref or self.invoice_origin or self.payment_reference or "",
            "CurrencyCode": self.currency_id.name,
        }
        update = job.method == "POST" and not job.force_new
        if update:
            self._xero_check_ours(job.operation, self.xero_invoice_id)
        if job.operation == "credit_note":
            payload["Type"] = "ACCRECCREDIT"
            if update:
                payload["CreditNoteID"] = self.xero_invoice_id
            elif not job.force_new:
                payload["CreditNoteNumber"] = self.name
        else:
            payload.update(Type="ACCREC", Url=self._xero_odoo_url(),
                           DueDate=self._xero_date(self.invoice_date_due or self.invoice_date or self.date))
            if update:
                payload["InvoiceID"] = self.xero_invoice_id
            elif not job.force_new:
                # Odoo's number is kept; an explicit duplicate gets Xero's own number.
                payload["InvoiceNumber"] = self.name
        if not update:
            payload["Status"] = job.company_id.xero_invoice_status
        if job.force_new:
            payload["Reference"] = self._xero_new_document_reference()
        return payload

    def _xero_new_document_reference(self):
        """The Reference of a new Xero document for this invoice (Xero numbers it): Odoo's number in it."""
        base = self.ref or self.invoice_origin or self.payment_reference or ""
        return (base + " " if base else "") + self.name

    def _xero_job_done(self, job, result):
        data = result.data or {}
        if job.operation in ("credit_note", "supplier_credit_note"):
            vals = {"xero_invoice_id": data.get("CreditNoteID"), "xero_invoice_number": data.get("CreditNoteNumber")}
            label = self.env._("Supplier credit note") if job.operation == "supplier_credit_note" \
                else self.env._("Credit note")
        else:
            vals = {"xero_invoice_id": data.get("InvoiceID"), "xero_invoice_number": data.get("InvoiceNumber")}
            label = self.env._("Bill") if job.operation == "bill" else self.env._("Invoice")
        vals.update(self._xero_status_values(data, "CreditNoteID" if job.resource == "CreditNotes" else "InvoiceID"))
        # Only the connector's own columns change (no line synchronisation, balance check nor tracking: see
        # _xero_write), through account.move's own write.
        self._xero_write(vals)
        self._xero_post_done(job, label, vals["xero_invoice_number"], vals["xero_invoice_status"])
        self._xero_done_while_cancelled(job.operation)

    def _xero_new_document_lookup(self, job, client):
        """A new document (Xero's own number) whose creation may have happened: the customer's live document
        of our type with the Reference we gave it (and, for an invoice, our record's Url), other than the
        one already linked (an explicit duplicate's original)."""
        contact_id = self._xero_customer().with_company(job.company_id).xero_contact_id
        if not contact_id:
            return None
        reference = self._xero_new_document_reference()
        kind, collection = ("ACCRECCREDIT", "CreditNotes") if job.operation == "credit_note" else ("ACCREC", "Invoices")
        where = f'Type=="{kind}"' + (f' AND Reference=="{reference}"' if '"' not in reference else "")
        path = f"/odoo/{self._name}/{self.id}"
        id_field = "CreditNoteID" if collection == "CreditNotes" else "InvoiceID"
        records = client.iter_records(collection, where=where, contact_ids=[contact_id]) if collection == "Invoices" \
            else client.iter_records(collection, where=where + f' AND Contact.ContactID==Guid("{contact_id}")')
        for record in records:
            if record.get("Reference") == reference and record.get("Status") not in ("DELETED", "VOIDED") \
                    and record.get(id_field) != self.xero_invoice_id \
                    and (collection == "CreditNotes" or (record.get("Url") or "").endswith(path)):
                return record
        return None

    @api.model
    def _xero_jobs_lookup(self, jobs, records, client):
        """Several invoices whose creation may have happened (a sender killed mid-batch): a call per 20 of
        their numbers (``InvoiceNumbers``, under Xero's 2 KB query string); the others are looked up one by one."""
        found = self._xero_bills_lookup(jobs.filtered(lambda j: j.operation in ("bill", "supplier_credit_note")),
                                        records, client)
        numbers = {records[job.id].name: job.id for job in jobs
                   if job.operation == "invoice" and job.method == "PUT" and not job.force_new
                   and "," not in (records[job.id].name or ",")}
        if len(numbers) < 2:
            return found
        found.update(dict.fromkeys(numbers.values()))
        names = list(numbers)
        for start in range(0, len(names), 20):
            for record in client.iter_records("Invoices", params={"InvoiceNumbers": ",".join(names[start:start + 20])},
                                              where='Type=="ACCREC"'):  # a supplier's bill may share the number
                if record.get("Status") not in ("DELETED", "VOIDED") and record.get("InvoiceNumber") in numbers \
                        and record.get("Type", "ACCREC") == "ACCREC":
                    found[numbers[record["InvoiceNumber"]]] = record
        return found

    def _xero_job_lookup(self, job, client):
        """The document an attempt with an unknown outcome may have created: by Odoo's number (a bill: by the
        Url back to Odoo, see _xero_bill_lookup)."""
        if job.operation in ("bill", "supplier_credit_note"):
            return self._xero_bill_lookup(job, client)
        if job.force_new:
            return self._xero_new_document_lookup(job, client)
        if job.method == "POST":
            return None  # updating twice is harmless
        # Ours only: a supplier's bill or credit note (ACCPAY…) may carry the same number.
        if job.operation == "credit_note":
            kind = "ACCRECCREDIT"
            records = client.iter_records("CreditNotes", where=f'CreditNoteNumber=="{self.name}" AND Type=="{kind}"')
        else:
            kind = "ACCREC"
            records = client.iter_records("Invoices", params={"InvoiceNumbers": self.name}, where=f'Type=="{kind}"')
        for record in records:
            if record.get("Status") not in ("DELETED", "VOIDED") and record.get("Type", kind) == kind:
                return record
        return None
