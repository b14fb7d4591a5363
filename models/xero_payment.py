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

Each Xero id is written back once; nothing is queued again once it is there. The outbox handler (payloads,
write-back, look-up after a lost answer) is ``xero_payment_payload.py``.
"""
from contextlib import contextmanager

from odoo import api, fields, models

from ..exceptions import PaymentEventError
from ..xero.money import currency_exponent
from .xero_access import USER, checked

PROVIDERS = [("stripe", "Stripe"), ("gocardless", "GoCardless")]
# Untranslated: they name the provider in what is sent to Xero (References, contacts).
PROVIDER_LABELS = dict(PROVIDERS)
KNOWN = "xero_connector.known_payments"  # the cursor cache's key of known_payments


@contextmanager
def known_payments(env, company, keys):
    """For the ``with``: the payments of ``company`` under any of the provider ``keys`` read in one search, so
    that :meth:`XeroPayment._xero_upsert` of one of those keys needs none (the rows it creates are added)."""
    keys = {key for key in keys if key}
    rows = {(p.provider, p.kind, p.key): p for p in env["xero.payment"].sudo().search(
        [("company_id", "=", company.id), ("key", "in", list(keys))])} if keys else {}
    env.cr.cache[KNOWN] = (company.id, keys, rows)
    try:
        yield
    finally:
        env.cr.cache.pop(KNOWN, None)


class XeroPayment(models.Model):
    _name = "xero.payment"
    _inherit = ["xero.outbox.record", "xero.currency.mixin"]
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
    fee_currency_id = fields.Many2one("res.currency", compute="_compute_fee_currency_id", string="Fee Currency (Odoo)")
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
    @api.depends("fee_currency_code")
    def _compute_fee_currency_id(self):
        currencies = self._xero_currencies(self.mapped("fee_currency_code"))
        for payment in self:
            payment.fee_currency_id = currencies.get((payment.fee_currency_code or "").upper(), False)

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
    def _xero_known(self, company, provider, kind, key):
        """The payment of ``key`` as ``known_payments`` read it (an empty recordset: none), or None when the keys
        read do not include it (search)."""
        known = self.env.cr.cache.get(KNOWN)
        if not known or known[0] != company.id or key not in known[1]:
            return None
        return known[2].get((provider, kind, key)) or self.sudo().browse()

    @api.model
    def _xero_upsert(self, company, provider, key, values, kind="payment"):
        """The row of this provider payment (created when new), updated with ``values``: facts only
        fill what is still unknown, except ``paid`` and the fee, which only ever move forward."""
        payment = self._xero_known(company, provider, kind, key)
        known = self.env.cr.cache.get(KNOWN) if payment is not None else None
        if payment is None:
            payment = self.sudo().search([("company_id", "=", company.id), ("provider", "=", provider),
                                          ("kind", "=", kind), ("key", "=", key)], limit=1)
        values = {k: v for k, v in values.items() if v not in (None, False, "")}
        if not payment:
            label = {"payment": PROVIDER_LABELS[provider],
                     "refund": self.env._("%s refund", PROVIDER_LABELS[provider]),
                     "payout": self.env._("%s payout", PROVIDER_LABELS[provider]),
                     "fee": self.env._("%s fee", PROVIDER_LABELS[provider])}[kind]
            name = f"{label} {values.get('charge_ref') or key}"
            payment = self.sudo().create(dict(values, company_id=company.id, provider=provider, kind=kind, key=key,
                                              name=name))
            if known:
                known[2][provider, kind, key] = payment
            return payment
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
            return jobs, self.env._("%(name)s: not collected yet; recorded once it is.", name=self.name)
        if self.kind == "fee":
            if self.xero_fee_transaction_id:
                return jobs, self.env._("%(name)s: already in Xero.", name=self.name)
            jobs |= Job._xero_enqueue(self, "bank_transaction", company=self.company_id)
            return jobs, self.env._(
                "%(name)s: %(what)s of %(fee)s %(currency)s queued for Xero.", name=self.name,
                what=self.description or self.env._("fee"), fee=f"{abs(self.fee_amount):.{self._xero_decimals()}f}",
                currency=self.fee_currency_code)
        if self.kind == "payout":
            if self.xero_transfer_id:
                return jobs, self.env._("%(name)s: already transferred in Xero.", name=self.name)
            jobs |= Job._xero_enqueue(self, "bank_transfer", company=self.company_id)
            bank = self.env["xero.account"]._xero_find(self.company_id._xero_connection(), self.payout_account_code)
            return jobs, self.env._(
                "%(name)s: transfer of %(amount)s from %(clearing)s to %(bank)s queued for Xero.", name=self.name,
                amount=amount, clearing=self.clearing_account_code, bank=bank.display_name or self.payout_account_code)
        if self.reversed:
            if self.xero_payment_id:
                jobs |= Job._xero_enqueue(self, "payment_reversal", method="POST", company=self.company_id,
                                          resource=f"Payments/{self.xero_payment_id}")
                return jobs, self.env._(
                    "%(name)s: %(reason)s; the payment is removed from Xero (queued), its invoice is owed again.",
                    name=self.name, reason=self.reversal_reason)
            return jobs, self.env._("%(name)s: %(reason)s; nothing is in Xero for it.", name=self.name,
                                    reason=self.reversal_reason)
        if self.kind == "refund":
            if self.xero_payment_id:
                return jobs, self.env._("%(name)s: already recorded in Xero.", name=self.name)
            jobs |= Job._xero_enqueue(self, "payment", company=self.company_id)
            return jobs, self.env._("%(name)s: credit note and refund of %(amount)s queued for Xero.", name=self.name,
                                    amount=amount)
        if self.xero_payment_id:
            notes.append(self.env._("%(name)s: payment already in Xero.", name=self.name))
        elif self.provider_invoice_ref and not self.lines and not self._xero_document():
            notes.append(self.env._(
                "%(name)s: waits for Stripe's invoice %(invoice)s (invoice.paid) to know its lines.",
                name=self.name, invoice=self.provider_invoice_ref))
        else:
            jobs |= Job._xero_enqueue(self, "payment", company=self.company_id)
            document = self._xero_document()
            if document:
                what = self.env._("on %s", document.display_name)
            elif self.xero_invoice_id:
                what = self.env._("on Xero invoice %s", self.xero_invoice_number or self.xero_invoice_id)
            else:
                what = self.env._("on a new Xero invoice")
            notes.append(self.env._("%(name)s: payment of %(amount)s %(what)s queued for Xero.", name=self.name,
                                    amount=amount, what=what))
        if self.fee_amount and not self.xero_fee_transaction_id:
            jobs |= Job._xero_enqueue(self, "bank_transaction", company=self.company_id)
            notes.append(self.env._("Fee of %(fee)s %(currency)s queued.", fee=f"{self.fee_amount:g}",
                                    currency=self.fee_currency_code))
        elif self.xero_fee_transaction_id:
            notes.append(self.env._("Fee already in Xero."))
        return jobs, " ".join(notes)

    def _xero_reverse(self, reason, at=None):
        """The provider took the money back: no payment in Xero (deleted when sent). Returns (jobs, outcome)."""
        self.ensure_one()
        Job = self.env["xero.job"].sudo()
        mine = [("res_model", "=", self._name), ("res_id", "=", self.id), ("operation", "=", "payment")]
        if Job.search_count(mine + [("state", "=", "sending")]):
            raise PaymentEventError(self.env._(
                "%s is being sent to Xero right now: the reversal is retried.", self.name))
        Job.search(mine + [("state", "in", ("pending", "retry", "blocked"))]).write(
            {"state": "cancelled", "next_try": False, "error": self.env._("Not sent: %s", reason)})
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
            {"state": "cancelled", "next_try": False, "error": self.env._("Not sent: the money is back.")})
        self.write({"reversed": False, "reversal_reason": False, "reversal_changed_at": at or fields.Datetime.now()})

    def _xero_decimals(self):
        try:
            return currency_exponent(self.currency_code or "USD")
        except ValueError:
            return 2

    # ------------------------------------------------------------------------------------------
    # UI
    # ------------------------------------------------------------------------------------------
    def action_open_jobs(self):
        self.ensure_one()
        checked(self, USER, self.env._("Only Xero users can open the Sync Log."))
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Sync Log"),
            "res_model": "xero.job",
            "view_mode": "list,form",
            "domain": [("res_model", "=", self._name), ("res_id", "=", self.id)],
        }
