"""What every provider's events book alike, on ``xero.payment.event``: checks before anything is booked, the
customer and the Odoo document of a payment, payouts, and fees of their own.

The providers' own parts call these (``xero_payment_stripe.py``, ``xero_payment_gocardless.py``); each
returns, as they do, ``(state, outcome, xero.payment or None, jobs queued)`` or the rows it made.
"""
from odoo import api, fields, models
from odoo.fields import Domain

from ..exceptions import PaymentDataError, PaymentEventError
from ..xero import payment_problems
from ..xero.payment_checks import MISSING, NOT_A_CURRENCY, NOT_AN_AMOUNT, NOT_TEXT, TOO_LONG
from ..xero.provider_facts import AmountError, to_amount
from .xero_call_scope import xero_log
from .xero_payment import PROVIDER_LABELS


def _problem_text(env, problem):
    """Why a field stops the recording (a problem of xero/payment_checks.py), in the user's language."""
    args = {"field": problem.field, "value": problem.value, "length": f"{problem.length or 0:,}",
            "limit": f"{problem.limit or 0:,}"}
    if problem.cause == MISSING:
        return env._("“%(field)s” is missing", **args)
    if problem.cause == NOT_AN_AMOUNT:
        return env._("“%(field)s” is not a whole number of the currency's smallest unit", **args)
    if problem.cause == NOT_A_CURRENCY:
        return env._("“%(field)s” is “%(value)s”, not a currency code", **args)
    if problem.cause == NOT_TEXT:
        return env._("“%(field)s” is not text", **args)
    if problem.cause == TOO_LONG:
        return env._("“%(field)s” is %(length)s characters long, more than the %(limit)s Xero accepts in an "
                     "invoice line", **args)
    return problem.cause


class XeroPaymentEvent(models.Model):
    _inherit = "xero.payment.event"

    def _xero_provider_label(self):
        return PROVIDER_LABELS[self.provider]

    def _xero_check_recordable(self, what, obj, amount=None, currency=None, description=None):
        """Before anything is booked: raise PaymentDataError naming this event, the provider's object (``what``
        and its id) and each field of ``obj`` that stops the recording (see ``xero/payment_checks.py``).
        ``amount``: the field names the amount is taken from (the first with a value, as the facts take it);
        ``currency``, ``description``: a field name."""
        checks = {}
        if amount:
            used = next((name for name in amount if obj.get(name)), amount[-1])
            checks["amount"] = (used if obj.get(used) is not None else " / ".join(amount), obj.get(used))
        if currency:
            checks["currency"] = (currency, obj.get(currency))
        if description:
            checks["description"] = (description, obj.get(description))
        problems = payment_problems(**checks)
        if not problems:
            return
        causes = "; ".join(_problem_text(self.env, p) for p in problems)
        raise PaymentDataError(self.env._(
            "%(provider)s event %(event)s (%(type)s) cannot be recorded: in %(what)s %(id)s, %(causes)s. Nothing was "
            "booked in Xero.", provider=self._xero_provider_label(), event=self.event_id, type=self.event_type,
            what=what, id=str(obj.get("id") or "?")[:255], causes=causes))

    def _xero_parse(self, parser, *args, **kwargs):
        """The facts a provider's parser (``xero/stripe_events.py``, ``xero/gocardless_events.py``) draws from
        its objects. A value that is no amount in a currency fails the event at once: checked first where it
        matters, it is never a crash of the cron's run."""
        try:
            return parser(*args, **kwargs)
        except AmountError as exc:
            raise PaymentDataError(self.env._(
                "%(provider)s event %(event)s: %(value)s %(currency)s is not an amount in a currency; nothing was "
                "booked in Xero.", provider=self._xero_provider_label(), event=self.event_id,
                value=str(exc.value)[:20], currency=str(exc.currency)[:20])) from None

    def _xero_amount(self, value, currency):
        return self._xero_parse(to_amount, value, currency)

    def _xero_recorded(self, key, kind="payment"):
        """The ``xero.payment`` of this provider's ``key`` (of ``kind``), or an empty recordset (without a search
        when the run read the payments of the key already: ``known_payments``)."""
        known = self.env["xero.payment"]._xero_known(self.company_id, self.provider, kind, key)
        if known is not None:
            return known
        return self.env["xero.payment"].sudo().search([
            ("company_id", "=", self.company_id.id), ("provider", "=", self.provider), ("kind", "=", kind),
            ("key", "=", key or "-")], limit=1)

    @api.model
    def _xero_documents(self, company, metadata):
        """The Odoo order/invoice the provider's metadata names (``odoo_order`` / ``odoo_invoice``)."""
        values = {}
        for key, model, field in (("odoo_invoice", "account.move", "move_id"),
                                  ("odoo_order", "sale.order", "sale_order_id")):
            ref = str(metadata.get(key) or "").strip()
            if not ref:
                continue
            domain = Domain("company_id", "=", company.id) & (
                Domain("id", "=", int(ref)) if ref.isdigit() else Domain("name", "=", ref))
            if model == "account.move":
                domain &= Domain("move_type", "=", "out_invoice") & Domain("state", "=", "posted")
            record = self.env[model].sudo().search(domain, limit=1)
            if record:
                values[field] = record.id
        return values

    @api.model
    def _xero_partner(self, company, email, name, known=None):
        """The customer: an Odoo partner with this email (created when none), its commercial entity. ``known``:
        a run's dict of the emails already found (email → partner id), read and filled (one search per
        customer, not per payment; a partner created here is kept for the next payment). Whoever rolls back a
        savepoint in which this created a partner empties ``known``."""
        Partner = self.env["res.partner"].sudo().with_context(active_test=False)
        email = (email or "").strip().lower()
        domain = Domain("company_id", "in", (False, company.id))
        if email and known is not None and email in known:
            return known[email]
        if email:
            partner = Partner.search(domain & Domain("email_normalized", "=", email), order="id", limit=1)
            if partner and known is not None:
                known[email] = partner.commercial_partner_id.id
        elif name:
            partner = Partner.search(domain & Domain("name", "=ilike", name) & Domain("customer_rank", ">", 0),
                                     order="id", limit=1)
        else:
            raise PaymentEventError(self.env._(
                "The payment names no customer (no email, no name): it cannot be recorded."))
        if partner:
            return partner.commercial_partner_id.id
        # Odoo's "Contact created" note is one INSERT per customer; the connector's own says why, written with
        # the other notes of the chunk of events (models/xero_call_scope.py).
        partner = Partner.with_context(mail_create_nolog=True).create(
            {"name": name or email, "email": email or False, "customer_rank": 1})
        xero_log(partner, self.env._(
            "Created by the Xero connector for a payment received from %(provider)s (%(event)s): no customer had "
            "this email.", provider=PROVIDER_LABELS.get(self[:1].provider, self.env._("a payment provider")),
            event=self[:1].event_id or "-"))
        created = partner.id
        if email and known is not None:
            known[email] = created  # the run's next payments of this customer (a rollback empties ``known``)
        return created

    def _xero_refund_customer(self, origin, customer):
        """Who is refunded: the customer of the refunded payment (``origin``) or of its document, else the one
        the provider names (``customer()``: ``(email, name)``, asked only then)."""
        partner = origin.partner_id.commercial_partner_id if origin else False
        if not partner:
            document = origin._xero_document() if origin else None
            partner = document._xero_customer() if document else False
        if not partner:
            partner = self.env["res.partner"].browse(self._xero_partner(self.company_id, *customer()))
        return partner

    def _xero_fee_row(self, ctx, key, amount, currency, description, charge_ref, payment=None, date=None):
        """A fee of its own (kind ``fee``, ``key``: the provider's id of it), booked once on the provider's
        clearing account; ``payment``: the xero.payment it was charged for, when there is one."""
        account_id, account_code = ctx.clearing_account(self.provider)
        return self.env["xero.payment"].sudo()._xero_upsert(self.company_id, self.provider, key, {
            "charge_ref": charge_ref, "paid": True, "origin_id": payment.id if payment else None,
            "partner_id": payment.partner_id.id if payment else None, "currency_code": currency,
            "date": date or fields.Date.to_date(self.provider_created or fields.Datetime.now()),
            "description": description, "fee_amount": amount, "fee_currency_code": currency,
            "clearing_account_id": account_id, "clearing_account_code": account_code,
        }, kind="fee")

    def _xero_payout(self, ctx, payout):
        """A payout (``xero.provider_facts.Payout``): the money leaves the provider's clearing account for the
        company's bank account, a Xero bank transfer, once per payout (the amount is net of the fees, booked with
        each payment)."""
        Job = self.env["xero.job"]
        company = self.company_id
        if not company.xero_payout_account_code:
            return "ignored", self.env._(
                "Not handled: payout %(payout)s is not recorded; choose the bank account %(provider)s pays out to "
                "(Settings → Xero Payments → Payouts arrive in), then retry this event.",
                payout=payout.id, provider=self._xero_provider_label()), None, Job
        if not payout.id or payout.amount is None:
            return "ignored", self.env._("Not handled: the payout names no id or amount."), None, Job
        if payout.amount <= 0:
            return "done", self.env._("Nothing to transfer: payout %s is not positive.", payout.id), None, Job
        ctx.check_currency(payout.currency)
        account_id, account_code = ctx.clearing_account(self.provider)
        payment = self.env["xero.payment"].sudo()._xero_upsert(company, self.provider, payout.id, {
            "charge_ref": payout.id, "paid": True, "currency_code": payout.currency, "amount": payout.amount,
            "date": payout.arrival or fields.Date.to_date(self.provider_created),
            "clearing_account_id": account_id, "clearing_account_code": account_code,
            "payout_account_code": company.xero_payout_account_code,
        }, kind="payout")
        jobs, outcome = payment._xero_queue()
        return "done", outcome, payment, jobs
