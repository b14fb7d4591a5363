"""Stripe's events, on ``xero.payment.event``: what each one books (the ORM side; the parsing of Stripe's objects
is ``xero/stripe_events.py``, its API ``xero/stripe.py``).

- ``charge.succeeded`` / ``charge.updated`` / ``payment_intent.succeeded`` / ``invoice.paid``: one payment per
  payment intent (else charge), its fee (read from Stripe when the event names the balance transaction by id),
  its invoice (a subscription's period: the Stripe invoice's lines);
- ``charge.refunded``: a credit note and its refund, once per refund;
- ``charge.dispute.funds_withdrawn`` / ``funds_reinstated``: the payment leaves Xero, or comes back; the
  dispute's fees;
- ``payout.paid``: a bank transfer from the clearing account.
"""
from odoo import fields, models

from ..exceptions import PaymentEventError
from ..xero import stripe_events
from ..xero.money import currency_exponent
from ..xero.provider_api import ProviderApiError
from ..xero.provider_facts import to_minor_units


class XeroPaymentEvent(models.Model):
    _inherit = "xero.payment.event"

    def _xero_process_stripe(self, ctx, event):
        obj = stripe_events.event_object(event)
        kind = self.event_type
        if kind == stripe_events.REFUND_TYPE:
            return self._xero_stripe_refunds(ctx, obj)
        if kind in (stripe_events.WITHDRAWN, stripe_events.REINSTATED):
            return self._xero_stripe_dispute(ctx, obj)
        if kind == stripe_events.PAYOUT_TYPE:
            if obj.get("amount") is not None:
                self._xero_check_recordable(self.env._("payout"), obj, amount=("amount",), currency="currency")
            return self._xero_payout(ctx, self._xero_parse(stripe_events.payout_facts, obj))
        return self._xero_stripe_payment(ctx, kind, obj)

    def _xero_stripe_payment(self, ctx, kind, obj):
        """A payment event: the facts of Stripe's object, completed from Stripe's API where the event lacks
        them (the link to its invoice, the fee), go to the payment's one ``xero.payment``."""
        what, amount = stripe_events.payment_fields(kind)
        labels = {"invoice": self.env._("invoice"), "payment_intent": self.env._("payment intent"),
                  "charge": self.env._("charge")}
        self._xero_check_recordable(labels[what], obj, amount=amount, currency="currency", description="description")
        facts = self._xero_parse(stripe_events.payment_facts, kind, obj)
        self._xero_stripe_link_invoice(ctx, kind, obj, facts)
        key = facts.pop("key")
        charge_id = facts.pop("charge_id", None)
        if facts.get("paid") and facts.get("amount") is not None and facts["amount"] <= 0:
            return "done", self.env._("Nothing to record: the amount is zero."), None, self.env["xero.job"]
        ctx.check_currency(facts.get("currency_code"))
        fee_note = self._xero_stripe_read_fee(ctx, key, charge_id, facts)
        ctx.check_currency(facts.get("fee_currency_code"))
        rate = facts.pop("settlement_rate", None)
        if rate and facts.get("fee_currency_code") == ctx.base_currency() != facts.get("currency_code"):
            facts["xero_currency_rate"] = stripe_events.xero_currency_rate(rate)
        if facts.get("lines"):
            facts["lines"] = self._xero_stripe_lines(facts["lines"], obj)
        facts["clearing_account_id"], facts["clearing_account_code"] = ctx.clearing_account("stripe")
        company = self.company_id
        facts.update(self._xero_documents(company, facts.pop("metadata", None) or {}))
        if not facts.get("sale_order_id") and not facts.get("move_id") and facts.get("paid"):
            facts["partner_id"] = self._xero_partner(company, facts.get("email"), facts.get("customer_name"),
                                                     known=ctx.partners)
        payment = self.env["xero.payment"].sudo()._xero_upsert(company, "stripe", key, facts)
        jobs, outcome = payment._xero_queue()
        if fee_note and not payment.fee_amount:
            outcome = f"{outcome} {fee_note}"
        return "done", outcome, payment, jobs

    def _xero_stripe_lines(self, lines, invoice):
        """The invoice's lines as recorded: the lines the connector added get their text."""
        texts = {
            stripe_events.DISCOUNT: self.env._("Discount"),
            stripe_events.CUSTOMER_BALANCE: self.env._("Paid from the customer's Stripe balance"),
            stripe_events.OTHER_AMOUNTS: self.env._("Other amounts of Stripe invoice %s",
                                                    invoice.get("number") or invoice.get("id")),
        }
        return [{"description": texts[line["kind"]] if line.get("kind") else line["description"],
                 "quantity": line["quantity"], "unit_amount": line["unit_amount"]} for line in lines]

    def _xero_stripe_link_invoice(self, ctx, kind, obj, facts):
        """API versions from 2025-03-31 (basil): the link between a payment and its Stripe invoice is read from
        Stripe's invoice payments (one call), so a subscription's charge and its ``invoice.paid`` are one
        payment in Xero, keyed by its intent either way. Older versions carry the fields: nothing is read."""
        query = stripe_events.invoice_payments_query(kind, obj, facts)
        if query is None:
            return
        stripe = ctx.stripe()
        if not stripe:
            raise PaymentEventError(self.env._(
                "Stripe sends this endpoint's events in API version 2025-03-31 or later, where a payment no longer "
                "says which Stripe invoice it pays: set a Stripe API key with read access to charges and invoices "
                "(Settings → Xero → Payments) so it can be read, then retry this event. (Recording it without "
                "knowing could record a subscription payment twice.)"))
        facts.update(stripe_events.invoice_payments_link(kind, ctx.stripe_invoice_payments(query)))

    def _xero_stripe_read_fee(self, ctx, key, charge_id, facts):
        """Stripe's fee read from its API when the event named the balance transaction by id only (its
        webhooks never expand it). Fills ``facts``; returns a note for the outcome when the fee stays unknown.
        A read Stripe refuses (a wrong key, a charge it does not know) does not stop the payment; a timeout or
        Stripe being down retries the event."""
        intent_id = key if str(key).startswith("pi_") else None
        if "fee_amount" in facts or not facts.get("paid") or not (charge_id or intent_id):
            return ""
        known = self._xero_recorded(key)
        if known.fee_amount or known.xero_fee_transaction_id:
            return ""
        if not ctx.stripe():
            return self.env._("Stripe's fee is not booked: set a Stripe API key (Settings → Xero → Payments) so it "
                              "can be read, then retry this event.")
        try:
            charge = ctx.stripe_charge(charge_id=charge_id, intent_id=intent_id)
        except ProviderApiError as exc:
            if exc.transient:
                raise
            return self.env._("Stripe's fee is not booked: %(error)s (%(ref)s). Fix it, then retry this event.",
                              error=exc.message, ref=charge_id or intent_id)
        if charge and not charge_id and charge.get("id"):
            facts["charge_ref"] = charge["id"]  # the event named the payment intent only
        fee = self._xero_parse(stripe_events.fee_facts, charge or {}, facts.get("currency_code"))
        if not fee:
            return self.env._("Stripe has not settled %s yet: its fee is booked when it has (charge.updated).",
                              charge_id or intent_id)
        facts.update(fee)
        return ""

    def _xero_stripe_refunds(self, ctx, charge):
        """A ``charge.refunded``: a credit note for the charge's customer and its refund from the clearing
        account, once per refund."""
        Job = self.env["xero.job"]
        company = self.company_id
        if not company.xero_payment_refunds:
            return "ignored", self.env._(
                "Not handled: refunds are not recorded in Xero (Settings → Xero → Payments)."), None, Job
        Payment = self.env["xero.payment"].sudo()
        self._xero_check_recordable(self.env._("charge"), charge, currency="currency")
        for refund in stripe_events.listed_refunds(charge):
            self._xero_check_recordable(self.env._("refund"), refund, amount=("amount",))
        currency = (charge.get("currency") or "").upper()
        ctx.check_currency(currency)
        origin = Payment.search([
            ("company_id", "=", company.id), ("provider", "=", "stripe"), ("kind", "=", "payment"),
            "|", ("key", "=", stripe_events.charge_key(charge)), ("charge_ref", "=", charge["id"])], limit=1)
        email, name = stripe_events.charge_customer(charge)
        partner = self._xero_refund_customer(origin, lambda: (email, name))
        account_id, account_code = ctx.clearing_account("stripe")
        recorded = 0
        if not stripe_events.listed_refunds(charge):
            # What is recorded for this charge already, known or not (the charge lists no refunds).
            recorded = sum(to_minor_units(p.amount, currency) for p in Payment.search([
                ("company_id", "=", company.id), ("provider", "=", "stripe"), ("kind", "=", "refund"),
                ("charge_ref", "=", charge["id"])]))
        refunds = self._xero_parse(stripe_events.refunds, charge, recorded)
        jobs, notes, payment = Job, [], None
        for refund in refunds:
            payment = Payment._xero_upsert(company, "stripe", refund.id, {
                "charge_ref": charge["id"], "paid": True, "currency_code": currency, "amount": refund.amount,
                "date": refund.date, "partner_id": partner.id if partner else False,
                "origin_id": origin.id if origin else False, "email": email, "customer_name": name,
                "clearing_account_id": account_id, "clearing_account_code": account_code,
            }, kind="refund")
            new_jobs, note = payment._xero_queue()
            jobs |= new_jobs
            notes.append(note)
        if not refunds:
            return "done", self.env._("Nothing left to refund in Xero for %s.", charge["id"]), None, jobs
        return "done", " ".join(notes), payment, jobs

    def _xero_stripe_dispute(self, ctx, dispute):
        """A dispute's funds withdrawn: the payment leaves Xero (its invoice is owed again); reinstated (the
        dispute won): it is recorded again. An event older than the last change of the payment changes nothing."""
        Job = self.env["xero.job"]
        charge_id, intent_id = stripe_events.disputed(dispute)
        keys = [k for k in (intent_id, charge_id) if k]
        payment = self.env["xero.payment"].sudo().search([
            ("company_id", "=", self.company_id.id), ("provider", "=", "stripe"), ("kind", "=", "payment"),
            "|", ("key", "in", keys), ("charge_ref", "=", charge_id or "-")], limit=1)
        if not payment:
            if keys and self.search_count([("company_id", "=", self.company_id.id), ("provider", "=", "stripe"),
                                           ("object_id", "in", keys), ("state", "in", ("pending", "failed")),
                                           ("id", "!=", self.id)]):
                # Its payment's event failed (or waits): applied once that one is, or the payment would be
                # recorded as if the funds were still there.
                raise PaymentEventError(self.env._(
                    "The disputed charge %s is not recorded yet (its own event is pending or failed): this dispute "
                    "is applied once it is.", charge_id or intent_id))
            return "done", self.env._("Nothing in Xero for the disputed charge %s.", charge_id or "?"), None, Job
        changed_at = payment.reversal_changed_at
        if changed_at and self.provider_created and self.provider_created < changed_at:
            return "done", self.env._("%(name)s: this dispute event is older than the last one applied; it changes "
                                      "nothing.", name=payment.name), payment, Job
        at = self.provider_created or fields.Datetime.now()
        facts = self._xero_parse(stripe_events.dispute_facts, self.event_type, dispute, payment.currency_code)
        if facts.withdrawn:
            if facts.amount is not None and round(facts.amount - payment.amount, currency_exponent(facts.currency)) < 0:
                return "ignored", self.env._(
                    "Not handled: dispute %(dispute)s withdraws %(amount)s of the %(total)s of %(name)s; a partial "
                    "withdrawal is left for you to record in Xero.", dispute=facts.id, amount=facts.amount,
                    total=payment.amount, name=payment.name), payment, Job
            jobs, outcome = payment._xero_reverse(self.env._(
                "Stripe dispute %(dispute)s (%(reason)s) withdrew the funds", dispute=facts.id,
                reason=facts.reason or "-"), at)
        elif not payment.reversed:
            jobs, outcome = Job, self.env._("%(name)s: the dispute's funds are back; nothing was taken out of Xero.",
                                            name=payment.name)
        else:
            payment._xero_restore(at)
            jobs, outcome = payment._xero_queue()
        fee_jobs, fee_notes = self._xero_stripe_dispute_fees(ctx, payment, facts)
        return "done", " ".join([outcome, *fee_notes]), payment, jobs | fee_jobs

    def _xero_stripe_dispute_fees(self, ctx, payment, dispute):
        """The dispute's fee (Stripe charges one when the funds are withdrawn, and may give it back when the
        dispute is won): each of the dispute's balance transactions with a fee, booked once by its id."""
        jobs, notes = self.env["xero.job"], []
        for fee in dispute.fees:
            ctx.check_currency(fee.currency)
            row = self._xero_fee_row(
                ctx, fee.id, fee.amount, fee.currency,
                self.env._("Stripe dispute fee") if fee.amount > 0 else self.env._("Stripe dispute fee returned"),
                payment.charge_ref or payment.key, payment, fee.date)
            fee_jobs, note = row._xero_queue()
            jobs |= fee_jobs
            notes.append(note)
        return jobs, notes
