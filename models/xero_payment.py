"""A payment (or refund) that Stripe or GoCardless told us about, and what it became in Xero.

One row per provider payment (Stripe: the payment intent, else the charge; GoCardless: the payment)
and company, whatever the number or the order of the events about it. Its Xero writes go through the
outbox (``xero.job``, visible in the Sync Log) with this model as the handler:

- ``invoice``: the Xero invoice when no document exists for the payment (customer matched by email);
- ``payment``: the Xero Payment on the provider's clearing bank account (a refund: on the credit note);
- ``bank_transaction``: the provider's fee, a SPEND on the clearing account to the fees account;
- ``credit_note``: a refund's Xero credit note;
- ``bank_transfer``: a payout, from the clearing account to the bank account payouts arrive in;
- a fee of its own (kind ``fee``: a Stripe dispute's fee, a GoCardless failure or chargeback surcharge) is
  a ``bank_transaction`` too: SPEND, or RECEIVE when the provider gives the fee back (a dispute won);
- ``payment_reversal``: the provider took the money back (a GoCardless failure or chargeback, a Stripe
  dispute's withdrawal): the Xero payment is deleted (``POST Payments/<id>`` ``{"Status": "DELETED"}``),
  so the invoice is owed again; recorded anew if the provider later says the money is back.

Each Xero id is written back once; nothing is queued again once it is there.
"""
from odoo import _, api, fields, models

from ..xero import LINE_DESCRIPTION_MAX, account_ref
from ..xero.money import currency_exponent
from .xero_access import USER, checked
from .xero_job import XeroBlocked

PROVIDERS = [("stripe", "Stripe"), ("gocardless", "GoCardless")]


class PaymentEventError(Exception):
    """The event cannot be processed now (the message says why); it is retried."""


class PaymentDataError(PaymentEventError):
    """The event lacks what recording it needs (no amount, no currency, a description Xero refuses): it fails
    at once and is not retried (the provider's event will not change); nothing is booked."""

PROVIDER_LABELS = dict(PROVIDERS)


class XeroPayment(models.Model):
    _name = "xero.payment"
    _inherit = ["xero.outbox.record"]
    _description = "Payment from Stripe or GoCardless"
    _order = "date desc, id desc"

    name = fields.Char(required=True, readonly=True)
    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True)
    provider = fields.Selection(PROVIDERS, required=True, readonly=True)
    kind = fields.Selection([("payment", "Payment"), ("refund", "Refund"), ("payout", "Payout"), ("fee", "Fee")],
                            required=True,
                            default="payment", readonly=True)
    key = fields.Char("Provider Key", required=True, readonly=True,
                      help="The provider's id of the payment: Stripe payment intent or charge, GoCardless payment, "
                      "Stripe refund.")
    charge_ref = fields.Char("Reference", readonly=True, help="The Stripe charge (or GoCardless payment) id.")
    paid = fields.Boolean(readonly=True, help="The provider said the money was collected.")
    partner_id = fields.Many2one("res.partner", "Customer", readonly=True, index="btree_not_null")
    email = fields.Char(readonly=True)
    customer_name = fields.Char(readonly=True)
    currency_code = fields.Char("Currency", readonly=True)
    amount = fields.Float(readonly=True, digits=(16, 3))
    date = fields.Date(readonly=True, help="When the payment was made.")
    description = fields.Char(readonly=True)
    lines = fields.Json(readonly=True, help="Lines of the provider's invoice (subscriptions): description, "
                        "quantity, unit amount.")
    tax_amount = fields.Float("Tax Charged", readonly=True, digits=(16, 3),
                              help="The tax the provider charged on it (Stripe's invoice), included in the amount.")
    period_start = fields.Date(readonly=True)
    period_end = fields.Date(readonly=True)
    subscription_ref = fields.Char("Subscription", readonly=True)
    provider_invoice_ref = fields.Char("Provider Invoice", readonly=True,
                                       help="Stripe's invoice of a subscription payment.")
    sale_order_id = fields.Many2one("sale.order", readonly=True, index="btree_not_null")
    move_id = fields.Many2one("account.move", "Invoice", readonly=True, index="btree_not_null")
    origin_id = fields.Many2one("xero.payment", "Original Payment", readonly=True, ondelete="set null",
                                help="The payment refunded (a refund) or charged for (a fee of its own).")
    clearing_account_id = fields.Char("Xero Clearing Account ID", readonly=True)
    clearing_account_code = fields.Char("Xero Clearing Account", readonly=True)
    xero_invoice_id = fields.Char("Xero Invoice ID", readonly=True, copy=False)
    xero_invoice_number = fields.Char("Xero Invoice", readonly=True, copy=False)
    xero_credit_note_id = fields.Char("Xero Credit Note ID", readonly=True, copy=False)
    xero_credit_note_number = fields.Char("Xero Credit Note", readonly=True, copy=False)
    xero_payment_id = fields.Char("Xero Payment ID", readonly=True, copy=False)
    xero_currency_rate = fields.Float(
        "Exchange Rate", readonly=True, digits=(16, 6),
        help="Units of the payment's currency per unit of the Xero organisation's base currency, from the rate "
        "Stripe settled the payment at; sent with the payment to Xero (none: Xero uses its own rate).")
    reversed = fields.Boolean(readonly=True, help="The provider took the money back (failure, chargeback, "
                              "dispute): the payment is removed from Xero, or never sent.")
    reversal_reason = fields.Char(readonly=True)
    reversal_changed_at = fields.Datetime(readonly=True, help="When the provider last took the money back or "
                                          "returned it (its event's time).")
    reversed_xero_payment_id = fields.Char("Deleted Xero Payment ID", readonly=True, copy=False)
    fee_amount = fields.Float(readonly=True, digits=(16, 3),
                              help="The provider's fee; negative: a fee the provider gave back.")
    fee_currency_code = fields.Char("Fee Currency", readonly=True)
    xero_fee_transaction_id = fields.Char("Xero Fee Transaction ID", readonly=True, copy=False)
    payout_account_code = fields.Char("Payout Bank Account", readonly=True,
                                      help="The Xero bank account a payout went to (from the clearing account).")
    xero_transfer_id = fields.Char("Xero Bank Transfer ID", readonly=True, copy=False)
    event_ids = fields.One2many("xero.payment.event", "payment_id", readonly=True)
    job_ids = fields.One2many("xero.job", compute="_compute_jobs", string="Xero Jobs")
    xero_state = fields.Selection(
        [("waiting", "Waiting"), ("queued", "Queued"), ("done", "In Xero"), ("reversed", "Reversed"),
         ("blocked", "Needs attention")],
        "Xero", compute="_compute_jobs",
    )

    _key_uniq = models.UniqueIndex("(company_id, provider, kind, key)")

    @api.depends("xero_payment_id", "xero_fee_transaction_id", "xero_transfer_id", "reversed")
    def _compute_jobs(self):
        jobs = self.env["xero.job"].sudo().search([("res_model", "=", self._name), ("res_id", "in", self.ids)])
        for payment in self:
            mine = jobs.filtered(lambda j, p=payment: j.res_id == p.id)
            payment.job_ids = mine
            if mine.filtered(lambda j: j.state == "blocked"):
                payment.xero_state = "blocked"
            elif mine.filtered(lambda j: j.state in ("pending", "sending", "retry")):
                payment.xero_state = "queued"
            elif payment.reversed and not payment.xero_payment_id:
                payment.xero_state = "reversed"
            elif payment.xero_payment_id or payment.xero_transfer_id or (
                    payment.kind == "fee" and payment.xero_fee_transaction_id):
                payment.xero_state = "done"
            else:
                payment.xero_state = "waiting"

    # ------------------------------------------------------------------------------------------
    # Recording (called by xero.payment.event while processing an event)
    # ------------------------------------------------------------------------------------------
    @api.model
    def _xero_upsert(self, company, provider, key, values, kind="payment"):
        """The row of this provider payment (created when new), updated with ``values``: facts only
        fill what is still unknown, except ``paid`` and the fee, which only ever move forward."""
        payment = self.sudo().search([("company_id", "=", company.id), ("provider", "=", provider),
                                      ("kind", "=", kind), ("key", "=", key)], limit=1)
        values = {k: v for k, v in values.items() if v not in (None, False, "")}
        if not payment:
            label = {"payment": PROVIDER_LABELS[provider], "refund": _("%s refund", PROVIDER_LABELS[provider]),
                     "payout": _("%s payout", PROVIDER_LABELS[provider]),
                     "fee": _("%s fee", PROVIDER_LABELS[provider])}[kind]
            name = f"{label} {values.get('charge_ref') or key}"
            return self.sudo().create(dict(values, company_id=company.id, provider=provider, kind=kind, key=key,
                                           name=name))
        update = {}
        for name, value in values.items():
            current = payment[name]
            if isinstance(current, models.BaseModel):
                current = current.id
            if name == "paid":
                if value and not current:
                    update[name] = True
            elif name in ("fee_amount", "fee_currency_code", "xero_currency_rate"):
                sent = payment.xero_payment_id if name == "xero_currency_rate" else payment.xero_fee_transaction_id
                if not sent and value != current:
                    update[name] = value
            elif name in ("lines", "period_start", "period_end", "provider_invoice_ref", "subscription_ref") \
                    and not payment.xero_invoice_id and value != current:
                update[name] = value  # the provider's invoice tells more than the charge did
            elif not current:
                update[name] = value
        if update:
            payment.write(update)
        return payment

    def _xero_document(self):
        """The Odoo document the payment is for (its Xero invoice is paid), or None."""
        self.ensure_one()
        if self.move_id:
            return self.move_id
        if self.sale_order_id:
            order = self.sale_order_id
            if not order.xero_invoice_id:
                exported = order.invoice_ids.filtered(
                    lambda m: m.state == "posted" and m.move_type == "out_invoice" and m.xero_invoice_id)
                if exported:
                    return exported[:1]
            return order
        return None

    def _xero_queue(self):
        """Queue what Xero still lacks for this payment; returns (jobs, human outcome)."""
        self.ensure_one()
        Job = self.env["xero.job"].sudo()
        jobs = Job.browse()
        notes = []
        amount = f"{self.amount:.{self._xero_decimals()}f} {self.currency_code}"
        if not self.paid:
            return jobs, _("%(name)s: not collected yet; recorded once it is.", name=self.name)
        if self.kind == "fee":
            if self.xero_fee_transaction_id:
                return jobs, _("%(name)s: already in Xero.", name=self.name)
            jobs |= Job._xero_enqueue(self, "bank_transaction", company=self.company_id)
            return jobs, _("%(name)s: %(what)s of %(fee)s %(currency)s queued for Xero.", name=self.name,
                           what=self.description or _("fee"),
                           fee=f"{abs(self.fee_amount):.{self._xero_decimals()}f}", currency=self.fee_currency_code)
        if self.kind == "payout":
            if self.xero_transfer_id:
                return jobs, _("%(name)s: already transferred in Xero.", name=self.name)
            jobs |= Job._xero_enqueue(self, "bank_transfer", company=self.company_id)
            return jobs, _("%(name)s: transfer of %(amount)s from %(clearing)s to %(bank)s queued for Xero.",
                           name=self.name, amount=amount, clearing=self.clearing_account_code,
                           bank=self.env["xero.account"]._xero_find(self.company_id._xero_connection(),
                                                                    self.payout_account_code).display_name
                           or self.payout_account_code)
        if self.reversed:
            if self.xero_payment_id:
                jobs |= Job._xero_enqueue(self, "payment_reversal", method="POST", company=self.company_id,
                                          resource=f"Payments/{self.xero_payment_id}")
                return jobs, _("%(name)s: %(reason)s; the payment is removed from Xero (queued), its invoice is "
                               "owed again.", name=self.name, reason=self.reversal_reason)
            return jobs, _("%(name)s: %(reason)s; nothing is in Xero for it.", name=self.name,
                           reason=self.reversal_reason)
        if self.kind == "refund":
            if self.xero_payment_id:
                return jobs, _("%(name)s: already recorded in Xero.", name=self.name)
            jobs |= Job._xero_enqueue(self, "payment", company=self.company_id)
            return jobs, _("%(name)s: credit note and refund of %(amount)s queued for Xero.", name=self.name,
                           amount=amount)
        if self.xero_payment_id:
            notes.append(_("%(name)s: payment already in Xero.", name=self.name))
        elif self.provider_invoice_ref and not self.lines and not self._xero_document():
            notes.append(_("%(name)s: waits for Stripe's invoice %(invoice)s (invoice.paid) to know its lines.",
                           name=self.name, invoice=self.provider_invoice_ref))
        else:
            jobs |= Job._xero_enqueue(self, "payment", company=self.company_id)
            document = self._xero_document()
            if document:
                what = _("on %s", document.display_name)
            elif self.xero_invoice_id:
                what = _("on Xero invoice %s", self.xero_invoice_number or self.xero_invoice_id)
            else:
                what = _("on a new Xero invoice")
            notes.append(_("%(name)s: payment of %(amount)s %(what)s queued for Xero.", name=self.name,
                           amount=amount, what=what))
        if self.fee_amount and not self.xero_fee_transaction_id:
            jobs |= Job._xero_enqueue(self, "bank_transaction", company=self.company_id)
            notes.append(_("Fee of %(fee)s %(currency)s queued.", fee=f"{self.fee_amount:g}",
                           currency=self.fee_currency_code))
        elif self.xero_fee_transaction_id:
            notes.append(_("Fee already in Xero."))
        return jobs, " ".join(notes)

    def _xero_reverse(self, reason, at=None):
        """The provider took the money back: no payment in Xero (deleted when sent). Returns (jobs, outcome)."""
        self.ensure_one()
        Job = self.env["xero.job"].sudo()
        mine = [("res_model", "=", self._name), ("res_id", "=", self.id), ("operation", "=", "payment")]
        if Job.search_count(mine + [("state", "=", "sending")]):
            raise PaymentEventError(_("%s is being sent to Xero right now: the reversal is retried.", self.name))
        Job.search(mine + [("state", "in", ("pending", "retry", "blocked"))]).write(
            {"state": "cancelled", "next_try": False, "error": _("Not sent: %s", reason)})
        self.write({"reversed": True, "reversal_reason": reason, "reversal_changed_at": at or fields.Datetime.now()})
        return self._xero_queue()

    def _xero_restore(self, at=None):
        """The provider says the money is back (a cancelled chargeback, a resubmitted payment collected):
        a reversal not sent yet is cancelled, one already done is followed by a new payment."""
        self.ensure_one()
        if not self.reversed:
            return
        self.env["xero.job"].sudo().search([
            ("res_model", "=", self._name), ("res_id", "=", self.id), ("operation", "=", "payment_reversal"),
            ("state", "in", ("pending", "retry", "blocked"))]).write(
            {"state": "cancelled", "next_try": False, "error": _("Not sent: the money is back.")})
        self.write({"reversed": False, "reversal_reason": False, "reversal_changed_at": at or fields.Datetime.now()})

    def _xero_decimals(self):
        try:
            return currency_exponent(self.currency_code or "USD")
        except ValueError:
            return 2

    # ------------------------------------------------------------------------------------------
    # Outbox handler (see models/xero_job.py)
    # ------------------------------------------------------------------------------------------
    def _xero_contact_dependencies(self, job):
        partner = self.partner_id.commercial_partner_id
        if not partner:
            raise XeroBlocked(_("%s has no customer.", self.name))
        if partner.with_company(job.company_id).xero_contact_id:
            return self.env["xero.job"]
        return self.env["xero.job"]._xero_enqueue(partner, "contact", method="POST", company=job.company_id,
                                                  rearm=False)

    def _xero_job_dependencies(self, job):
        Job = self.env["xero.job"]
        if job.operation in ("invoice", "credit_note"):
            return self._xero_contact_dependencies(job)
        if job.operation == "payment":
            if self.kind == "refund":
                if self.xero_credit_note_id:
                    return Job
                return Job._xero_enqueue(self, "credit_note", company=job.company_id, rearm=False)
            document = self._xero_document()
            if document:
                if document.xero_invoice_id:
                    return Job
                operation = "invoice" if document._name == "sale.order" else document._xero_operation()
                return Job._xero_enqueue(document, operation, company=job.company_id, rearm=False)
            if self.xero_invoice_id:
                return Job
            return Job._xero_enqueue(self, "invoice", company=job.company_id, rearm=False)
        if job.operation == "payment_reversal":
            # A payment job still open (sending when the reversal came) goes first.
            return Job.search([("res_model", "=", self._name), ("res_id", "=", self.id),
                               ("operation", "=", "payment"), ("state", "in", ("pending", "sending", "retry"))])
        return Job

    def _xero_reference(self):
        label = PROVIDER_LABELS[self.provider]
        if self.kind == "refund":  # one charge may be refunded several times: each credit note its own
            of = f" {_('of')} {self.charge_ref}" if self.charge_ref and self.charge_ref != self.key else ""
            return f"{label} {_('refund')} {self.key}{of}"
        what = _("payout") + " " if self.kind == "payout" else ""
        return f"{label} {what}{self.charge_ref or self.key}"

    def _xero_contact_id(self, job):
        partner = self.partner_id.commercial_partner_id.with_company(job.company_id)
        if not partner.xero_contact_id:
            raise XeroBlocked(_("%(name)s: the customer %(partner)s is not in Xero yet.", name=self.name,
                                partner=partner.display_name))
        return partner.xero_contact_id

    def _xero_tax(self, job):
        """``(LineAmountTypes, TaxType)`` of the invoice or credit note created for this payment. Its amounts
        are what the customer paid: with a tax rate chosen for payments, they are tax-inclusive; without one,
        a payment the provider charged tax on is not sent as untaxed sales (the user chooses first)."""
        tax_type = job.company_id.xero_payment_tax_type
        if tax_type:
            return "Inclusive", tax_type
        charged = self.tax_amount or self.origin_id.tax_amount
        if charged:
            raise XeroBlocked(_(
                "%(name)s: %(provider)s charged %(tax)s %(currency)s of tax on it, and %(company)s has no tax rate "
                "for the invoices created for payments. Choose it in Settings → Xero → Payments (“Tax of created "
                "invoices”), then retry.", name=self.name, provider=PROVIDER_LABELS[self.provider],
                tax=f"{charged:.{self._xero_decimals()}f}", currency=self.currency_code,
                company=job.company_id.name))
        return "NoTax", None

    def _xero_line_items(self, job, tax_type=None):
        account = job.company_id.xero_sales_account_code
        if not account:
            raise XeroBlocked(_(
                "%(name)s: no Xero sales account code is set for %(company)s. Set it in Settings → Xero, then "
                "retry.", name=self.name, company=job.company_id.name))
        if self.kind == "payment" and self.lines:
            items = [{"Description": (line.get("description") or "-")[:LINE_DESCRIPTION_MAX],
                      "Quantity": line.get("quantity") or 1, "UnitAmount": line.get("unit_amount"),
                      "AccountCode": account} for line in self.lines]
        else:
            if self.kind == "refund":
                description = _("Refund of %s", self.origin_id.name if self.origin_id else self.charge_ref)
            else:
                description = self.description or _("Payment %s", self.charge_ref or self.key)
            items = [{"Description": description, "Quantity": 1, "UnitAmount": self.amount, "AccountCode": account}]
        if tax_type:
            for item in items:
                item["TaxType"] = tax_type
        return items

    def _xero_clearing_account(self):
        if not self.clearing_account_id:
            raise XeroBlocked(_("%s: the clearing bank account in Xero is not known yet.", self.name))
        return {"AccountID": self.clearing_account_id}

    def _xero_job_payload(self, job):
        self.ensure_one()
        date = fields.Date.to_string(self.date or fields.Date.context_today(self))
        if job.operation in ("invoice", "credit_note"):
            amount_types, tax_type = self._xero_tax(job)
            payload = {
                "Type": "ACCREC" if job.operation == "invoice" else "ACCRECCREDIT",
                "Contact": {"ContactID": self._xero_contact_id(job)},
                "Date": date,
                "LineAmountTypes": amount_types,
                "LineItems": self._xero_line_items(job, tax_type),
                "Status": "AUTHORISED",
                "CurrencyCode": self.currency_code,
                "Reference": self._xero_reference(),
            }
            if job.operation == "invoice":
                payload["DueDate"] = date
                if self.period_start and self.period_end:
                    payload["Reference"] += " " + _("period %(start)s – %(end)s", start=self.period_start,
                                                     end=self.period_end)
            return payload
        if job.operation == "payment":
            payload = {"Account": self._xero_clearing_account(), "Date": date, "Amount": self.amount,
                       "Reference": self.charge_ref or self.key}
            if self.kind == "refund":
                if not self.xero_credit_note_id:
                    raise XeroBlocked(_("%s: its credit note is not in Xero yet.", self.name))
                payload["CreditNote"] = {"CreditNoteID": self.xero_credit_note_id}
                return payload
            document = self._xero_document()
            invoice_id = document.xero_invoice_id if document else self.xero_invoice_id
            if not invoice_id:
                raise XeroBlocked(_("%s: its invoice is not in Xero yet.", self.name))
            payload["Invoice"] = {"InvoiceID": invoice_id}
            if self.xero_currency_rate:
                payload["CurrencyRate"] = self.xero_currency_rate
            return payload
        if job.operation == "payment_reversal":
            if not self.reversed:
                raise XeroBlocked(_("%s: the money is back; nothing to reverse.", self.name))
            if job.resource != f"Payments/{self.xero_payment_id}":
                raise XeroBlocked(_("%s: the payment to remove from Xero is not known.", self.name))
            return {"Status": "DELETED"}
        if job.operation == "bank_transfer":
            return {"FromBankAccount": self._xero_clearing_account(), "ToBankAccount": account_ref(self.payout_account_code),
                    "Amount": self.amount, "Date": date, "Reference": self._xero_reference()}
        if job.operation == "bank_transaction":
            fees_account = job.company_id.xero_payment_fee_account_code
            if not fees_account:
                raise XeroBlocked(_(
                    "%(name)s: no fees account is set for %(company)s: set the payment fees account code in "
                    "Settings → Xero, then retry.", name=self.name, company=job.company_id.name))
            label = PROVIDER_LABELS[self.provider]
            description = _("%(provider)s fee for %(ref)s", provider=label, ref=self.charge_ref or self.key)
            if self.kind == "fee":
                description = _("%(what)s for %(ref)s", what=self.description or description, ref=self.charge_ref)
            return {
                "Type": "RECEIVE" if self.fee_amount < 0 else "SPEND",  # < 0: the provider gave the fee back
                "Contact": {"Name": label},
                "BankAccount": self._xero_clearing_account(),
                "Date": date,
                "LineAmountTypes": "NoTax",
                "LineItems": [{"Description": description, "Quantity": 1, "UnitAmount": abs(self.fee_amount),
                               "AccountCode": fees_account}],
                "CurrencyCode": self.fee_currency_code or self.currency_code,
                "Reference": self._xero_fee_reference(),
            }
        raise XeroBlocked(_("%(name)s: nothing to send as %(operation)s.", name=self.name, operation=job.operation))

    def _xero_fee_reference(self):
        return f"{PROVIDER_LABELS[self.provider]} fee {self.key if self.kind == 'fee' else self.charge_ref or self.key}"

    def _xero_job_done(self, job, result):
        data = result.data or {}
        if job.operation == "invoice":
            self.write({"xero_invoice_id": data.get("InvoiceID"), "xero_invoice_number": data.get("InvoiceNumber")})
        elif job.operation == "credit_note":
            self.write({"xero_credit_note_id": data.get("CreditNoteID"),
                        "xero_credit_note_number": data.get("CreditNoteNumber")})
        elif job.operation == "payment":
            self.write({"xero_payment_id": data.get("PaymentID")})
            # Xero's answer embeds the invoice as the payment left it (new Status, AmountDue, AmountPaid): the
            # Odoo document shows it now, as the INVOICE webhook would a moment later.
            document, invoice = self._xero_document(), data.get("Invoice") or {}
            if document and "xero_invoice_status" in document._fields and invoice.get("InvoiceID") \
                    and invoice.get("Status"):
                self.env[document._name]._xero_apply_status(job.connection_id, [invoice], "InvoiceID")
        elif job.operation == "payment_reversal":
            # The invoice's own status comes back with Xero's INVOICE webhook, as for any change made in Xero.
            self.write({"xero_payment_id": False, "reversed_xero_payment_id": data.get("PaymentID")})
            if not self.reversed:  # the money came back while the reversal was on its way: pay again
                self._xero_queue()
        elif job.operation == "bank_transaction":
            self.write({"xero_fee_transaction_id": data.get("BankTransactionID")})
        elif job.operation == "bank_transfer":
            self.write({"xero_transfer_id": data.get("BankTransferID")})

    def _xero_job_lookup(self, job, client):
        """What an attempt with an unknown outcome may have created, by our Reference."""
        self.ensure_one()
        if job.operation == "payment_reversal":
            found = (client.get(job.resource).get("Payments") or [None])[0]
            return found if found and found.get("Status") == "DELETED" else None
        if job.operation == "payment":
            target = ("CreditNote", "CreditNoteID", self.xero_credit_note_id) if self.kind == "refund" else \
                ("Invoice", "InvoiceID", (self._xero_document() or self).xero_invoice_id)
            ref = self.charge_ref or self.key
            for pay in client.iter_records("Payments", where=f'Reference=="{ref}"' if '"' not in ref else None):
                if pay.get("Status") != "DELETED" and (pay.get(target[0]) or {}).get(target[1]) == target[2]:
                    return pay
            return None
        resource, reference = {
            "invoice": ("Invoices", self._xero_reference()),
            "credit_note": ("CreditNotes", self._xero_reference()),
            "bank_transaction": ("BankTransactions", self._xero_fee_reference()),
            "bank_transfer": ("BankTransfers", self._xero_reference()),
        }[job.operation]
        if '"' in reference:
            return None
        # (the library pages only what Xero pages: bank transfers come whole)
        for record in client.iter_records(resource, where=f'Reference.StartsWith("{reference}")'):
            if record.get("Status") not in ("DELETED", "VOIDED"):
                return record
        return None

    # ------------------------------------------------------------------------------------------
    # UI
    # ------------------------------------------------------------------------------------------
    def action_open_jobs(self):
        self.ensure_one()
        checked(self, USER, self.env._("Only Xero users can open the Sync Log."))
        return {
            "type": "ir.actions.act_window",
            "name": _("Sync Log"),
            "res_model": "xero.job",
            "view_mode": "list,form",
            "domain": [("res_model", "=", self._name), ("res_id", "=", self.id)],
        }
