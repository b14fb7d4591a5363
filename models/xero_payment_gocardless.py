"""GoCardless' events, on ``xero.payment.event``: what each one books (the ORM side; the parsing of GoCardless'
objects is ``xero/gocardless_events.py``, its API ``xero/gocardless.py``).

GoCardless' events carry ids only: the payment, refund or payout, its customer and the payout's items (where
the fees are) are read from its API, once per run where they are shared (``PaymentContext``).

- ``payments.*``: the payment's status *now* decides (events come in any order): collected (per the company's
  *Record GoCardless payments when*) → a payment and its fee; failed or charged back → its Xero payment is
  deleted; collected again → a new payment;
- ``refunds.paid``: a credit note and its refund; ``payouts.paid``: a bank transfer from the clearing account,
  and the payout's fees that are no payment's own.
"""
from odoo import fields, models

from ..xero import gocardless_events
from ..xero.provider_facts import Payout, iso_to_date


class XeroPaymentEvent(models.Model):
    _inherit = "xero.payment.event"

    def _xero_process_gocardless(self, ctx, event):
        if event.get("resource_type") == "refunds":
            return self._xero_gocardless_refund(ctx, event)
        if event.get("resource_type") == "payouts":
            return self._xero_gocardless_payout(ctx, event)
        return self._xero_gocardless_payment(ctx, event)

    def _xero_gocardless_payment(self, ctx, event):
        Job = self.env["xero.job"]
        company = self.company_id
        action = event.get("action")
        payment_id = gocardless_events.link(event, "payment")
        record_on = company.xero_gocardless_record_on
        if not payment_id:
            return "ignored", self.env._("Not handled: the event names no payment."), None, Job
        existing = self._xero_recorded(payment_id)
        if not gocardless_events.needs_status(action, record_on):
            if action == "confirmed":
                note = self.env._("Noted: GoCardless payment %s is confirmed; it is recorded in Xero once paid out "
                                  "(Settings → Xero → Payments).", payment_id)
            else:
                note = self.env._("Nothing to record in Xero for payments.%(action)s (%(payment)s).", action=action,
                                  payment=payment_id)
            return "done", note, existing or None, Job
        # Events come in any order: the payment's status now, read from GoCardless, decides.
        gc = ctx.gocardless()
        data = gc.payment(payment_id)
        status = data.get("status") or ""
        if not gocardless_events.is_collected(status, record_on):
            if existing and not existing.reversed:
                jobs, outcome = existing._xero_reverse(self.env._(
                    "GoCardless payment %(payment)s is %(status)s (%(cause)s)", payment=payment_id,
                    status=status or action, cause=gocardless_events.failure_cause(event)), self.provider_created)
                return "done", outcome, existing, jobs
            return "done", self.env._("Nothing to record in Xero: GoCardless payment %(payment)s is %(status)s.",
                                      payment=payment_id, status=status or self.env._("unknown")), existing or None, Job
        self._xero_check_recordable(self.env._("payment"), data, amount=("amount",), currency="currency",
                                    description=gocardless_events.description_field(data))
        if existing.reversed:
            existing._xero_restore(self.provider_created)
        facts = self._xero_parse(gocardless_events.payment_facts, data)
        ctx.check_currency(facts["currency_code"])
        facts["email"], facts["customer_name"] = self._xero_gocardless_customer(gc, data)
        facts.update(charge_ref=payment_id, date=facts["date"] or fields.Date.to_date(self.provider_created))
        if facts.get("subscription_ref"):
            facts["lines"] = [{"description": self.env._(
                "%(what)s — subscription %(sub)s, payment of %(date)s",
                what=facts["description"] if data.get("description") else self.env._("Subscription"),
                sub=facts["subscription_ref"], date=facts["period_start"] or ""),
                "quantity": 1, "unit_amount": facts["amount"]}]
        payout = gocardless_events.payment_payout(event, data)
        if payout and not (existing.fee_amount or existing.xero_fee_transaction_id):
            facts.update(self._xero_parse(ctx.gocardless_fee, payout, payment_id, facts["currency_code"]))
        facts["clearing_account_id"], facts["clearing_account_code"] = ctx.clearing_account("gocardless")
        facts.update(self._xero_documents(company, facts.pop("metadata")))
        if not facts.get("sale_order_id") and not facts.get("move_id"):
            facts["partner_id"] = self._xero_partner(company, facts["email"], facts["customer_name"])
        payment = self.env["xero.payment"].sudo()._xero_upsert(company, "gocardless", payment_id, facts)
        jobs, outcome = payment._xero_queue()
        return "done", outcome, payment, jobs

    def _xero_gocardless_customer(self, gc, payment):
        """(email, name) of whoever pays a GoCardless payment: its mandate's customer."""
        mandate = (payment.get("links") or {}).get("mandate")
        customer_id = gocardless_events.mandate_customer(gc.mandate(mandate)) if mandate else None
        if not customer_id:
            return None, None
        return gocardless_events.customer_facts(gc.customer(customer_id))

    def _xero_gocardless_refund(self, ctx, event):
        """A GoCardless refund paid to the customer: a Xero credit note and its refund from the clearing
        account (as Stripe's), once per refund; other refund events are noted."""
        Job = self.env["xero.job"]
        company = self.company_id
        refund_id = gocardless_events.link(event, "refund")
        if not refund_id:
            return "ignored", self.env._("Not handled: the event names no refund."), None, Job
        if event.get("action") != "paid":
            return "done", self.env._("Nothing to record in Xero for refunds.%(action)s (%(refund)s).",
                                      action=event.get("action"), refund=refund_id), None, Job
        if not company.xero_payment_refunds:
            return "ignored", self.env._(
                "Not handled: refunds are not recorded in Xero (Settings → Xero → Payments)."), None, Job
        gc = ctx.gocardless()
        data = gc.refund(refund_id)
        self._xero_check_recordable(self.env._("refund"), data, amount=("amount",), currency="currency",
                                    description="reference")
        refund = self._xero_parse(gocardless_events.refund_facts, data)
        ctx.check_currency(refund.currency)
        origin = self._xero_recorded(refund.payment)
        partner = self._xero_refund_customer(origin, lambda: self._xero_gocardless_customer(
            gc, gc.payment(refund.payment) if refund.payment else {}))
        account_id, account_code = ctx.clearing_account("gocardless")
        payment = self.env["xero.payment"].sudo()._xero_upsert(company, "gocardless", refund_id, {
            "charge_ref": refund_id, "paid": True, "currency_code": refund.currency, "amount": refund.amount,
            "date": refund.date or fields.Date.to_date(self.provider_created), "partner_id": partner.id,
            "origin_id": origin.id if origin else False, "description": refund.reference,
            "clearing_account_id": account_id, "clearing_account_code": account_code,
        }, kind="refund")
        jobs, outcome = payment._xero_queue()
        return "done", outcome, payment, jobs

    def _xero_gocardless_payout(self, ctx, event):
        """A paid payout: its transfer to the bank, and the fees in it that are no payment's own."""
        payout_id = gocardless_events.link(event, "payout")
        if event.get("action") != "paid" or not payout_id:
            return "done", self.env._("Nothing to record in Xero for payouts.%s.", event.get("action")), None, \
                self.env["xero.job"]
        fee_jobs, fee_notes = self._xero_gocardless_other_fees(ctx, payout_id)
        if not self.company_id.xero_payout_account_code:
            payout = Payout(payout_id, None, "", None)  # not read: _xero_payout says why it is not recorded
        else:
            payout = self._xero_parse(gocardless_events.payout_facts, ctx.payout(payout_id))
        state, outcome, row, jobs = self._xero_payout(ctx, payout)
        return state, " ".join([outcome, *fee_notes]), row, jobs | fee_jobs

    def _xero_gocardless_other_fees(self, ctx, payout_id):
        """The fees of a payout that are not the fees of a payment it pays out (those are booked with the
        payment), booked once per payout and payment, whether or not the payment itself ever reached Xero (see
        ``gocardless_events.other_fees``). Returns (jobs, notes)."""
        Job = self.env["xero.job"]
        items = ctx.payout_items(payout_id)
        if not gocardless_events.has_other_fees(items):
            return Job, []
        payout = ctx.payout(payout_id)
        currency = (payout.get("currency") or "").upper()
        ctx.check_currency(currency)
        date = iso_to_date(payout.get("arrival_date"))
        jobs, notes = Job, []
        for fee in self._xero_parse(gocardless_events.other_fees, items, currency):
            row = self._xero_fee_row(
                ctx, f"{payout_id}/{fee.payment_id}", fee.amount, currency,
                self.env._("GoCardless fee") if fee.amount > 0 else self.env._("GoCardless fee returned"),
                fee.payment_id, self._xero_recorded(fee.payment_id), date)
            fee_jobs, note = row._xero_queue()
            jobs |= fee_jobs
            notes.append(note)
        return jobs, notes
