"""Events from Stripe and GoCardless: stored once, processed later by a cron, each with its outcome.

Inbound flow (mirrors ``xero.event``): ``POST /xero/webhook/stripe`` or ``/xero/webhook/gocardless``
checks the provider's signature on the raw body with each company's secret (the one that verifies
names the company), stores the events here once (unique provider + event id + company,
``INSERT … ON CONFLICT DO NOTHING``), triggers ``ir_cron_xero_payment_events`` and answers at once.
The cron processes the events of each connected company in the providers' order of creation: the
facts go to one ``xero.payment`` per provider payment (the same payment told twice, or in any
order, is one row), which queues what Xero still lacks through the outbox.
"""
import json
import logging
from datetime import datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal

from odoo import _, api, fields, models
from odoo.tools import LazyTranslate

from ..xero import (
    RateLimited,
    ReconnectNeeded,
    SignatureError,
    ValidationError,
    XeroError,
    account_ref,
    payment_problems,
    verify_gocardless,
    verify_stripe,
)
from ..xero.gocardless import DEFAULT_URL as GOCARDLESS_URL
from ..xero.gocardless import GoCardlessClient
from ..xero.money import currency_exponent, from_minor_units
from ..xero.payment_checks import MISSING, NOT_A_CURRENCY, NOT_AN_AMOUNT, NOT_TEXT, TOO_LONG
from ..xero.provider_api import ProviderApiError
from ..xero.stripe import DEFAULT_URL as STRIPE_URL
from ..xero.stripe import StripeClient
from .xero_access import MANAGER, checked
from .xero_event import CronOutOfTime
from .xero_payment import PROVIDERS, PaymentDataError, PaymentEventError
from .xero_sql import insert_new_rows

_logger = logging.getLogger(__name__)
_lt = LazyTranslate(__name__)

MAX_ATTEMPTS = 5
BACKOFF = 60  # seconds, doubling per attempt
STRIPE_TYPES = {"payment_intent.succeeded", "charge.succeeded", "charge.updated", "invoice.paid",
                "charge.refunded", "charge.dispute.funds_withdrawn", "charge.dispute.funds_reinstated", "payout.paid"}
GOCARDLESS_RESOURCES = {"payments", "refunds", "payouts"}
GOCARDLESS_FEE_TYPES = {"gocardless_fee", "app_fee"}
# Payment statuses at which GoCardless has the money, per the "record on" setting.
GOCARDLESS_COLLECTED = {"confirmed": ("confirmed", "paid_out"), "paid_out": ("paid_out",)}
# Events after which the payment may no longer be collected (a failure, late or not, a chargeback).
GOCARDLESS_TAKEN_BACK = {"failed", "late_failure_settled", "charged_back", "chargeback_settled", "cancelled"}
SECRET_FIELDS = {"stripe": "xero_stripe_webhook_secret", "gocardless": "xero_gocardless_webhook_secret"}
CLEARING = {"stripe": ("xero_stripe_account_code", "Stripe", "STRIPE"),
            "gocardless": ("xero_gocardless_account_code", "GoCardless", "GOCARDLESS")}
# Why an event cannot be recorded, per problem of xero/payment_checks.py.
PROBLEMS = {
    MISSING: _lt("“%(field)s” is missing"),
    NOT_AN_AMOUNT: _lt("“%(field)s” is not a whole number of the currency's smallest unit"),
    NOT_A_CURRENCY: _lt("“%(field)s” is “%(value)s”, not a currency code"),
    NOT_TEXT: _lt("“%(field)s” is not text"),
    TOO_LONG: _lt("“%(field)s” is %(length)s characters long, more than the %(limit)s Xero accepts in an invoice "
                  "line"),
}


def _stripe_taxes(obj, total=False):
    """``(amount, inclusive)`` of each tax on a Stripe invoice (``total``) or invoice line: ``taxes`` /
    ``total_taxes`` with a ``tax_behavior`` (API versions from 2025), else ``tax_amounts`` /
    ``total_tax_amounts`` with ``inclusive``."""
    new, old = ("total_taxes", "total_tax_amounts") if total else ("taxes", "tax_amounts")
    if obj.get(new) is not None:
        return [(t.get("amount") or 0, t.get("tax_behavior") == "inclusive") for t in obj[new] or []]
    return [(t.get("amount") or 0, bool(t.get("inclusive"))) for t in obj.get(old) or []]


def _epoch_to_naive(value):
    try:
        return datetime.fromtimestamp(int(value), timezone.utc).replace(tzinfo=None)
    except (TypeError, ValueError, OverflowError):
        return None


def _iso_to_naive(value):
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")).astimezone(timezone.utc).replace(tzinfo=None)
    except (TypeError, ValueError):
        return None


class XeroPaymentEvent(models.Model):
    _name = "xero.payment.event"
    _description = "Stripe / GoCardless Event"
    _order = "provider_created desc, id desc"
    _rec_name = "event_id"

    provider = fields.Selection(PROVIDERS, required=True, readonly=True)
    event_id = fields.Char("Event ID", required=True, readonly=True)
    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True)
    event_type = fields.Char(required=True, readonly=True, help="Stripe's type, GoCardless' resource.action.")
    object_id = fields.Char("Provider Object", readonly=True, index=True,
                            help="The charge, payment intent, invoice or payment the event is about.")
    provider_created = fields.Datetime("Created at Provider", readonly=True)
    payload = fields.Text(readonly=True)
    state = fields.Selection(
        [("pending", "Pending"), ("done", "Done"), ("failed", "Failed"), ("ignored", "Not handled")],
        default="pending", required=True, readonly=True, index=True,
    )
    outcome = fields.Text(readonly=True)
    attempts = fields.Integer(readonly=True)
    next_try = fields.Datetime(readonly=True)
    processed_on = fields.Datetime(readonly=True)
    payment_id = fields.Many2one("xero.payment", readonly=True, index="btree_not_null", ondelete="set null")
    payment_xero_state = fields.Selection(related="payment_id.xero_state", string="In Xero")

    _event_uniq = models.UniqueIndex("(provider, event_id, company_id)")
    _todo_idx = models.Index("(company_id, provider_created) WHERE state IN ('pending', 'failed')")

    # ------------------------------------------------------------------------------------------
    # Receiving (called by controllers/payments.py, as superuser)
    # ------------------------------------------------------------------------------------------
    @api.model
    def _xero_verified_company(self, provider, body, header):
        """The company whose secret verifies the delivery; raises SignatureError otherwise (fail closed)."""
        field = SECRET_FIELDS[provider]
        companies = self.env["res.company"].sudo().search([(field, "!=", False)], order="id")
        if not companies:
            raise SignatureError(f"no {provider} webhook secret configured")
        reason = None
        for company in companies:
            try:
                if provider == "stripe":
                    verify_stripe(body, header, company[field])
                else:
                    verify_gocardless(body, header, company[field])
                return company
            except SignatureError as exc:
                reason = exc.reason
        raise SignatureError(reason or "signature mismatch")

    @api.model
    def _xero_receive_stripe(self, company, event):
        """Store one verified Stripe event. Returns 'stored', 'duplicate' or 'unknown' (not stored)."""
        if not isinstance(event, dict) or not isinstance(event.get("id"), str) \
                or not isinstance(event.get("type"), str) or not event["type"]:
            raise ValueError("not a Stripe event")
        if event["type"] not in STRIPE_TYPES:
            return "unknown"
        obj = (event.get("data") or {}).get("object") if isinstance(event.get("data"), dict) else None
        if not isinstance(obj, dict):
            raise ValueError("a Stripe event without its data.object")
        row = {
            "provider": "stripe", "event_id": event["id"][:255], "company_id": company.id,
            "event_type": event["type"][:100], "object_id": str(obj.get("id") or "")[:255] or None,
            "provider_created": _epoch_to_naive(event.get("created")),
            "payload": json.dumps(event, separators=(",", ":")),
        }
        return "stored" if self._xero_insert([row]) else "duplicate"

    @api.model
    def _xero_receive_gocardless(self, company, payload):
        """Store the events of a verified GoCardless delivery. Returns (stored, known, unknown) counts."""
        events = payload.get("events") if isinstance(payload, dict) else None
        if not isinstance(events, list):
            raise ValueError("not a GoCardless webhook (no events list)")
        rows, unknown = [], 0
        for event in events:
            if not isinstance(event, dict) or not isinstance(event.get("id"), str) \
                    or not isinstance(event.get("resource_type"), str) \
                    or event["resource_type"] not in GOCARDLESS_RESOURCES or not isinstance(event.get("action"), str) \
                    or not event["action"] or not isinstance(event.get("links") or {}, dict):
                unknown += 1
                continue
            links = event.get("links") or {}
            rows.append({
                "provider": "gocardless", "event_id": event["id"][:255], "company_id": company.id,
                "event_type": f"{event['resource_type']}.{event['action']}"[:100],
                "object_id": str(links.get("refund") or links.get("payment") or links.get("payout") or "")[:255]
                or None,
                "provider_created": _iso_to_naive(event.get("created_at")),
                "payload": json.dumps(event, separators=(",", ":")),
            })
        stored = len(self._xero_insert(rows)) if rows else 0
        return stored, len(rows), unknown

    @api.model
    def _xero_insert(self, rows):
        return insert_new_rows(self.env, "xero_payment_event", [dict(row, state="pending", attempts=0) for row in rows])

    @api.model
    def _xero_trigger(self):
        cron = self.env.ref("xero_connector.ir_cron_xero_payment_events", raise_if_not_found=False)
        if cron:
            cron.sudo()._trigger()

    # ------------------------------------------------------------------------------------------
    # Processing (the cron)
    # ------------------------------------------------------------------------------------------
    @api.model
    def _cron_xero_payment_events(self):
        now = fields.Datetime.now()
        groups = self.sudo()._read_group(
            [("state", "in", ("pending", "failed")), ("attempts", "<", MAX_ATTEMPTS),
             "|", ("next_try", "=", False), ("next_try", "<=", now)], ["company_id"])
        try:
            for (company,) in groups:
                conn = company._xero_connection()
                if not conn or conn.state != "connected":
                    continue  # events wait for the connection
                try:
                    self.sudo()._xero_process_company(conn)
                except (ReconnectNeeded, RateLimited) as exc:
                    _logger.warning("Payment events of %s wait: %s", company.name, exc)
                self._xero_progress(0)
        except CronOutOfTime:
            self._xero_trigger()

    def _xero_progress(self, processed):
        """The same rule as the Xero webhook events' cron (commit only inside the cron)."""
        self.env["xero.event"]._xero_progress(processed)

    @api.model
    def _xero_process_company(self, conn):
        company = conn.company_id
        now = fields.Datetime.now()
        events = self.search([
            ("company_id", "=", company.id), ("state", "in", ("pending", "failed")), ("attempts", "<", MAX_ATTEMPTS),
            "|", ("next_try", "=", False), ("next_try", "<=", now)], order="provider_created, id")
        ctx = _Context(self.env, conn)
        jobs = self.env["xero.job"].sudo()
        for event in events:
            try:
                with self.env.cr.savepoint():
                    state, outcome, payment, new_jobs = event._xero_process(ctx)
            except (ReconnectNeeded, RateLimited):
                raise
            except PaymentDataError as exc:
                event._xero_fail(str(exc), final=True)
            except (PaymentEventError, XeroError, ProviderApiError) as exc:
                event._xero_fail(getattr(exc, "message", None) or str(exc))
            else:
                jobs |= new_jobs
                event.write({"state": state, "outcome": outcome, "payment_id": payment.id if payment else False,
                             "processed_on": fields.Datetime.now(), "next_try": False})
            self._xero_progress(1)
        if jobs:
            # Sent now (the sender's own lock and commits); failures retry in the Sync Log.
            self.env["xero.job"].sudo()._xero_send(connections=conn, jobs=jobs)

    def _xero_fail(self, message, final=False):
        """Failed with ``message``; retried with backoff up to MAX_ATTEMPTS, or not at all when ``final`` (the
        event itself lacks what recording it needs: an administrator may still retry it by hand)."""
        for event in self:
            attempts = MAX_ATTEMPTS if final else event.attempts + 1
            event.write({
                "state": "failed", "attempts": attempts, "outcome": message, "processed_on": fields.Datetime.now(),
                "next_try": fields.Datetime.now() + timedelta(seconds=BACKOFF * 2 ** (attempts - 1))
                if attempts < MAX_ATTEMPTS else False,
            })

    def _xero_process(self, ctx):
        """Process one event; returns (state, outcome, xero.payment or None, jobs queued)."""
        self.ensure_one()
        try:
            event = json.loads(self.payload or "{}")
        except ValueError:
            return "ignored", _("The stored event is not JSON."), None, self.env["xero.job"]
        if self.provider == "stripe":
            return self._xero_process_stripe(ctx, event)
        return self._xero_process_gocardless(ctx, event)

    # -- Stripe -----------------------------------------------------------------------------------
    def _xero_process_stripe(self, ctx, event):
        obj = (event.get("data") or {}).get("object") or {}
        kind = self.event_type
        Payment = self.env["xero.payment"].sudo()
        company = self.company_id
        if kind == "charge.refunded":
            return self._xero_stripe_refunds(ctx, obj)
        if kind.startswith("charge.dispute."):
            return self._xero_stripe_dispute(ctx, obj, withdrawn=kind == "charge.dispute.funds_withdrawn")
        if kind == "payout.paid":
            if obj.get("amount") is not None:
                self._xero_check_recordable(self.env._("payout"), obj, amount=("amount",), currency="currency")
            currency = (obj.get("currency") or "").upper()
            return self._xero_payout(ctx, obj.get("id"), self._amount(obj.get("amount"), currency), currency,
                                     fields.Date.to_date(_epoch_to_naive(obj.get("arrival_date"))))
        what, amount = {"invoice.paid": (self.env._("invoice"), ("amount_paid",)),
                        "payment_intent.succeeded": (self.env._("payment intent"), ("amount_received", "amount")),
                        }.get(kind, (self.env._("charge"), ("amount_captured", "amount")))
        self._xero_check_recordable(what, obj, amount=amount, currency="currency", description="description")
        if kind == "invoice.paid":
            facts = self._xero_stripe_invoice_facts(obj)
        elif kind == "payment_intent.succeeded":
            facts = self._xero_stripe_intent_facts(obj)
        else:
            facts = self._xero_stripe_charge_facts(obj)
        self._xero_stripe_link_invoice(ctx, kind, obj, facts)
        key = facts.pop("key")
        charge_id = facts.pop("charge_id", None)
        if facts.get("paid") and facts.get("amount") is not None and facts["amount"] <= 0:
            return "done", _("Nothing to record: the amount is zero."), None, self.env["xero.job"]
        ctx.check_currency(facts.get("currency_code"))
        fee_note = self._xero_stripe_read_fee(ctx, key, charge_id, facts)
        ctx.check_currency(facts.get("fee_currency_code"))
        rate = facts.pop("settlement_rate", None)
        if rate and facts.get("fee_currency_code") == ctx.base_currency() != facts.get("currency_code"):
            # Stripe: charge amount × exchange_rate = settled amount; Xero: foreign units per base unit.
            facts["xero_currency_rate"] = round(1 / rate, 6)
        facts["clearing_account_id"], facts["clearing_account_code"] = ctx.clearing_account("stripe")
        facts.update(self._xero_documents(company, facts.pop("metadata", None) or {}))
        if not facts.get("sale_order_id") and not facts.get("move_id") and facts.get("paid"):
            facts["partner_id"] = self._xero_partner(company, facts.get("email"), facts.get("customer_name"))
        payment = Payment._xero_upsert(company, "stripe", key, facts)
        jobs, outcome = payment._xero_queue()
        if fee_note and not payment.fee_amount:
            outcome = f"{outcome} {fee_note}"
        return "done", outcome, payment, jobs

    def _xero_stripe_link_invoice(self, ctx, kind, obj, facts):
        """API versions from 2025-03-31 (basil): invoices no longer name their payment intent, nor charges and
        payment intents their invoice; only Stripe's invoice payments link them. Without that link a
        subscription's charge and its ``invoice.paid`` would be two payments in Xero, so it is read (one call)
        and the payment is keyed by its intent either way. Older versions carry the fields: nothing is read."""
        if kind == "invoice.paid":
            if facts.get("charge_id") or facts["key"] != obj.get("id") or "payment_intent" in obj \
                    or not obj.get("amount_paid"):
                return
            query = {"invoice": obj["id"]}
        else:
            intent = obj.get("id") if kind == "payment_intent.succeeded" else obj.get("payment_intent")
            if "invoice" in obj or not isinstance(intent, str) or not facts.get("paid"):
                return
            query = {"intent": intent}
        stripe = ctx.stripe()
        if not stripe:
            raise PaymentEventError(_(
                "Stripe sends this endpoint's events in API version 2025-03-31 or later, where a payment no longer "
                "says which Stripe invoice it pays: set a Stripe API key with read access to charges and invoices "
                "(Settings → Xero → Payments) so it can be read, then retry this event. (Recording it without "
                "knowing could record a subscription payment twice.)"))
        linked = [p for p in stripe.invoice_payments(**query)
                  if p.get("status") != "canceled" and (p.get("payment") or {}).get("type") == "payment_intent"]
        if kind == "invoice.paid":
            intents = {(p.get("payment") or {}).get("payment_intent") for p in linked if p.get("status") == "paid"}
            intents = {i.get("id") if isinstance(i, dict) else i for i in intents} - {None}
            if len(intents) == 1:  # several (partial payments) or none (paid out of band): keyed by the invoice
                facts["key"] = intents.pop()
        elif linked:
            invoice = linked[0].get("invoice")
            facts["provider_invoice_ref"] = invoice.get("id") if isinstance(invoice, dict) else invoice

    def _xero_stripe_read_fee(self, ctx, key, charge_id, facts):
        """Stripe's fee read from its API when the event named the balance transaction by id only (its
        webhooks never expand it). Fills ``facts``; returns a note for the outcome when the fee stays unknown.
        A read Stripe refuses (a wrong key, a charge it does not know) does not stop the payment; a timeout or
        Stripe being down retries the event."""
        intent_id = key if str(key).startswith("pi_") else None
        if "fee_amount" in facts or not facts.get("paid") or not (charge_id or intent_id):
            return ""
        known = self.env["xero.payment"].sudo().search([
            ("company_id", "=", self.company_id.id), ("provider", "=", "stripe"), ("kind", "=", "payment"),
            ("key", "=", key)], limit=1)
        if known.fee_amount or known.xero_fee_transaction_id:
            return ""
        if not ctx.stripe():
            return _("Stripe's fee is not booked: set a Stripe API key (Settings → Xero → Payments) so it can be "
                     "read, then retry this event.")
        try:
            charge = ctx.stripe_charge(charge_id=charge_id, intent_id=intent_id)
        except ProviderApiError as exc:
            if exc.transient:
                raise
            return _("Stripe's fee is not booked: %(error)s (%(ref)s). Fix it, then retry this event.",
                     error=exc.message, ref=charge_id or intent_id)
        if charge and not charge_id and charge.get("id"):
            facts["charge_ref"] = charge["id"]  # the event named the payment intent only
        fee = self._xero_stripe_fee(charge or {}, facts.get("currency_code"))
        if not fee:
            return _("Stripe has not settled %s yet: its fee is booked when it has (charge.updated).",
                     charge_id or intent_id)
        facts.update(fee)
        return ""

    def _amount(self, value, currency):
        if value is None or not currency:
            return None
        try:
            return float(from_minor_units(value, currency))
        except (ValueError, ArithmeticError):  # checked first where it matters; never a crash of the cron run
            raise PaymentDataError(self.env._(
                "%(provider)s event %(event)s: %(value)s %(currency)s is not an amount in a currency; nothing was "
                "booked in Xero.", provider=self._xero_provider_label(), event=self.event_id,
                value=str(value)[:20], currency=str(currency)[:20])) from None

    def _xero_stripe_fee(self, charge, currency):
        transaction = charge.get("balance_transaction")
        if not isinstance(transaction, dict) or transaction.get("fee") is None:
            return {}
        fee_currency = (transaction.get("currency") or currency or "").upper()
        facts = {"fee_amount": self._amount(transaction["fee"], fee_currency), "fee_currency_code": fee_currency}
        if transaction.get("exchange_rate") and fee_currency != (currency or "").upper():
            facts["settlement_rate"] = float(transaction["exchange_rate"])
        return facts

    def _xero_stripe_charge_facts(self, charge):
        currency = (charge.get("currency") or "").upper()
        billing = charge.get("billing_details") or {}
        facts = {
            "key": charge.get("payment_intent") if isinstance(charge.get("payment_intent"), str) else charge["id"],
            "charge_id": charge.get("id"),
            "charge_ref": charge.get("id"),
            "paid": charge.get("status") == "succeeded" and charge.get("paid", True) is not False,
            "currency_code": currency,
            "amount": self._amount(charge.get("amount_captured") or charge.get("amount"), currency),
            "date": fields.Date.to_date(_epoch_to_naive(charge.get("created"))),
            "email": (billing.get("email") or charge.get("receipt_email") or "").strip().lower() or None,
            "customer_name": billing.get("name"),
            "description": charge.get("description"),
            "provider_invoice_ref": charge.get("invoice") if isinstance(charge.get("invoice"), str) else None,
            "metadata": charge.get("metadata") or {},
        }
        facts.update(self._xero_stripe_fee(charge, currency))
        return facts

    def _xero_stripe_intent_facts(self, intent):
        currency = (intent.get("currency") or "").upper()
        charge = intent.get("latest_charge")
        if not isinstance(charge, dict):
            charges = (intent.get("charges") or {}).get("data") or []
            charge = charges[0] if charges and isinstance(charges[0], dict) else None
        charge_id = charge.get("id") if charge else intent.get("latest_charge")
        billing = (charge or {}).get("billing_details") or {}
        facts = {
            "key": intent["id"],
            "charge_id": charge_id if isinstance(charge_id, str) else None,
            "charge_ref": charge_id if isinstance(charge_id, str) else None,
            "paid": intent.get("status") == "succeeded",
            "currency_code": currency,
            "amount": self._amount(intent.get("amount_received") or intent.get("amount"), currency),
            "date": fields.Date.to_date(_epoch_to_naive((charge or {}).get("created") or intent.get("created"))),
            "email": (intent.get("receipt_email") or billing.get("email") or "").strip().lower() or None,
            "customer_name": billing.get("name"),
            "description": intent.get("description"),
            "provider_invoice_ref": intent.get("invoice") if isinstance(intent.get("invoice"), str) else None,
            "metadata": dict((charge or {}).get("metadata") or {}, **(intent.get("metadata") or {})),
        }
        if charge:
            facts.update(self._xero_stripe_fee(charge, currency))
        return facts

    def _xero_stripe_invoice_facts(self, invoice):
        currency = (invoice.get("currency") or "").upper()
        intent = invoice.get("payment_intent")
        charge = invoice.get("charge")
        for entry in ((invoice.get("payments") or {}).get("data") or []):  # API versions from 2025
            paid_with = (entry or {}).get("payment") or {}
            intent = intent or paid_with.get("payment_intent")
            charge = charge or paid_with.get("charge")
        intent = intent.get("id") if isinstance(intent, dict) else intent
        charge = charge.get("id") if isinstance(charge, dict) else charge
        lines, minor = [], 0
        for line in ((invoice.get("lines") or {}).get("data") or []):
            quantity = line.get("quantity") or 1
            # Lines are sent tax-inclusive: a line's exclusive tax is added to it (its inclusive tax is in it).
            exclusive = sum(amount for amount, inclusive in _stripe_taxes(line) if not inclusive)
            minor += (line.get("amount") or 0) + exclusive
            amount = self._amount((line.get("amount") or 0) + exclusive, currency) or 0.0
            unit = round(amount / quantity, 4)  # Xero keeps 4 decimals of a unit amount (unitdp=4)
            if round(unit * quantity, currency_exponent(currency)) != amount:  # 3 for 10.00, usage at 0.00012
                quantity, unit = 1, amount  # the line's total stays exact (Stripe's description names the quantity)
            lines.append({"description": line.get("description") or invoice.get("description") or "-",
                          "quantity": quantity, "unit_amount": unit})
        if invoice.get("tax") is not None:  # API versions before 2025
            tax = invoice["tax"]
        else:
            tax = sum(amount for amount, _inclusive in _stripe_taxes(invoice, total=True))
        discount = sum(d.get("amount") or 0 for d in invoice.get("total_discount_amounts") or [])
        if discount:
            lines.append({"description": _("Discount"), "quantity": 1,
                          "unit_amount": -self._amount(discount, currency)})
        # The Xero invoice totals what was paid: a part paid from the customer's credit balance in Stripe
        # (prorations, credits: never in Xero), or lines Stripe's event did not list, make one more line.
        rest = (invoice.get("amount_paid") or 0) - (minor - discount)
        if lines and rest:
            lines.append({"description": _("Paid from the customer's Stripe balance") if rest < 0 else
                          _("Other amounts of Stripe invoice %s", invoice.get("number") or invoice.get("id")),
                          "quantity": 1, "unit_amount": self._amount(rest, currency)})
        period = ((invoice.get("lines") or {}).get("data") or [{}])[0].get("period") or {}
        start = period.get("start") or invoice.get("period_start")
        end = period.get("end") or invoice.get("period_end")
        paid_at = (invoice.get("status_transitions") or {}).get("paid_at") or invoice.get("created")
        # API versions from 2025-03-31: the subscription is under ``parent.subscription_details``.
        subscription_details = invoice.get("subscription_details") or \
            ((invoice.get("parent") or {}).get("subscription_details") or {})
        subscription = invoice.get("subscription") or subscription_details.get("subscription")
        subscription = subscription.get("id") if isinstance(subscription, dict) else subscription
        return {
            "key": intent or charge or invoice["id"],
            "charge_id": charge,
            "charge_ref": charge or invoice.get("number") or invoice["id"],
            "paid": True,
            "currency_code": currency,
            "amount": self._amount(invoice.get("amount_paid"), currency),
            "date": fields.Date.to_date(_epoch_to_naive(paid_at)),
            "email": (invoice.get("customer_email") or "").strip().lower() or None,
            "customer_name": invoice.get("customer_name"),
            "description": invoice.get("description"),
            "provider_invoice_ref": invoice["id"],
            "subscription_ref": subscription if isinstance(subscription, str) else None,
            "lines": lines or None,
            "tax_amount": self._amount(tax, currency) if tax else None,
            "period_start": fields.Date.to_date(_epoch_to_naive(start)) if start else None,
            "period_end": fields.Date.to_date(_epoch_to_naive(end)) if end else None,
            "metadata": dict(subscription_details.get("metadata") or {},
                             **(invoice.get("metadata") or {})),
        }

    def _xero_stripe_refunds(self, ctx, charge):
        Job = self.env["xero.job"]
        company = self.company_id
        if not company.xero_payment_refunds:
            return "ignored", _("Not handled: refunds are not recorded in Xero (Settings → Xero → Payments)."), \
                None, Job
        Payment = self.env["xero.payment"].sudo()
        self._xero_check_recordable(self.env._("charge"), charge, currency="currency")
        for refund in ((charge.get("refunds") or {}).get("data") or []):
            if isinstance(refund, dict) and refund.get("status") in ("succeeded", "pending", None):
                self._xero_check_recordable(self.env._("refund"), refund, amount=("amount",))
        currency = (charge.get("currency") or "").upper()
        ctx.check_currency(currency)
        key = charge.get("payment_intent") if isinstance(charge.get("payment_intent"), str) else charge["id"]
        origin = Payment.search([("company_id", "=", company.id), ("provider", "=", "stripe"), ("kind", "=", "payment"),
                                 "|", ("key", "=", key), ("charge_ref", "=", charge["id"])], limit=1)
        billing = charge.get("billing_details") or {}
        partner = origin.partner_id.commercial_partner_id if origin else False
        if not partner:
            document = origin._xero_document() if origin else None
            partner = document._xero_customer() if document else False
        if not partner:
            partner_id = self._xero_partner(company, (billing.get("email") or charge.get("receipt_email") or "").lower(),
                                            billing.get("name"))
            partner = self.env["res.partner"].browse(partner_id)
        account_id, account_code = ctx.clearing_account("stripe")
        refunds = [r for r in ((charge.get("refunds") or {}).get("data") or [])
                   if isinstance(r, dict) and r.get("status") in ("succeeded", "pending", None)]
        if not refunds:
            # API versions from 2022-11-15 no longer carry the refunds in the charge: what is refunded in all
            # (amount_refunded) less what is already recorded for this charge, known or not.
            total = charge.get("amount_refunded") or 0
            done = Payment.search([("company_id", "=", company.id), ("provider", "=", "stripe"), ("kind", "=", "refund"),
                                   ("charge_ref", "=", charge["id"])])
            recorded = sum(int(Decimal(str(p.amount)).scaleb(currency_exponent(currency))) for p in done)
            if total - recorded > 0:
                refunds = [{"id": f"{charge['id']}:{total}", "amount": total - recorded, "created": None}]
        jobs, notes, payment = Job, [], None
        for refund in refunds:
            payment = Payment._xero_upsert(company, "stripe", refund["id"], {
                "charge_ref": charge["id"], "paid": True, "currency_code": currency,
                "amount": self._amount(refund.get("amount"), currency),
                "date": fields.Date.to_date(_epoch_to_naive(refund.get("created") or charge.get("created"))),
                "partner_id": partner.id if partner else False, "origin_id": origin.id if origin else False,
                "email": billing.get("email"), "customer_name": billing.get("name"),
                "clearing_account_id": account_id, "clearing_account_code": account_code,
            }, kind="refund")
            new_jobs, note = payment._xero_queue()
            jobs |= new_jobs
            notes.append(note)
        if not refunds:
            return "done", _("Nothing left to refund in Xero for %s.", charge["id"]), None, jobs
        return "done", " ".join(notes), payment, jobs

    def _xero_stripe_dispute(self, ctx, dispute, withdrawn):
        """A dispute's funds withdrawn: the payment leaves Xero (its invoice is owed again); reinstated (the
        dispute won): it is recorded again. An event older than the last change of the payment changes nothing."""
        Job = self.env["xero.job"]
        ids = {k: (v.get("id") if isinstance(v, dict) else v) for k, v in
               (("charge", dispute.get("charge")), ("intent", dispute.get("payment_intent")))}
        keys = [k for k in (ids["intent"], ids["charge"]) if isinstance(k, str)]
        payment = self.env["xero.payment"].sudo().search([
            ("company_id", "=", self.company_id.id), ("provider", "=", "stripe"), ("kind", "=", "payment"),
            "|", ("key", "in", keys), ("charge_ref", "=", ids["charge"] or "-")], limit=1)
        if not payment:
            if keys and self.search_count([("company_id", "=", self.company_id.id), ("provider", "=", "stripe"),
                                           ("object_id", "in", keys), ("state", "in", ("pending", "failed")),
                                           ("id", "!=", self.id)]):
                # Its payment's event failed (or waits): applied once that one is, or the payment would be
                # recorded as if the funds were still there.
                raise PaymentEventError(_(
                    "The disputed charge %s is not recorded yet (its own event is pending or failed): this dispute "
                    "is applied once it is.", ids["charge"] or ids["intent"]))
            return "done", _("Nothing in Xero for the disputed charge %s.", ids["charge"] or "?"), None, Job
        if payment.reversal_changed_at and self.provider_created and self.provider_created < payment.reversal_changed_at:
            return "done", _("%(name)s: this dispute event is older than the last one applied; it changes "
                             "nothing.", name=payment.name), payment, Job
        at = self.provider_created or fields.Datetime.now()
        currency = (dispute.get("currency") or payment.currency_code or "").upper()
        if withdrawn:
            amount = self._amount(dispute.get("amount"), currency)
            if amount is not None and round(amount - payment.amount, currency_exponent(currency)) < 0:
                return "ignored", _(
                    "Not handled: dispute %(dispute)s withdraws %(amount)s of the %(total)s of %(name)s; a partial "
                    "withdrawal is left for you to record in Xero.", dispute=dispute.get("id"), amount=amount,
                    total=payment.amount, name=payment.name), payment, Job
            jobs, outcome = payment._xero_reverse(_("Stripe dispute %(dispute)s (%(reason)s) withdrew the funds",
                                                    dispute=dispute.get("id"), reason=dispute.get("reason") or "-"),
                                                  at)
        elif not payment.reversed:
            jobs, outcome = Job, _("%(name)s: the dispute's funds are back; nothing was taken out of Xero.",
                                   name=payment.name)
        else:
            payment._xero_restore(at)
            jobs, outcome = payment._xero_queue()
        fee_jobs, fee_notes = self._xero_dispute_fees(ctx, payment, dispute, currency)
        return "done", " ".join([outcome, *fee_notes]), payment, jobs | fee_jobs

    def _xero_dispute_fees(self, ctx, payment, dispute, currency):
        """The dispute's fee (Stripe charges one when the funds are withdrawn, and may give it back when the
        dispute is won): each of the dispute's balance transactions with a fee, booked once by its id."""
        Job = self.env["xero.job"]
        jobs, notes = Job, []
        for transaction in dispute.get("balance_transactions") or []:
            if not isinstance(transaction, dict) or not transaction.get("id") or not transaction.get("fee"):
                continue
            fee_currency = (transaction.get("currency") or currency).upper()
            ctx.check_currency(fee_currency)
            created = transaction.get("created")
            fee = self._xero_fee_row(
                ctx, transaction["id"], self._amount(transaction["fee"], fee_currency), fee_currency,
                _("Stripe dispute fee") if transaction["fee"] > 0 else _("Stripe dispute fee returned"),
                payment.charge_ref or payment.key, payment,
                fields.Date.to_date(_epoch_to_naive(created)) if isinstance(created, int) else None)
            fee_jobs, note = fee._xero_queue()
            jobs |= fee_jobs
            notes.append(note)
        return jobs, notes

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

    def _xero_gocardless_other_fees(self, ctx, payout_id):
        """The fee items of a payout that are not the fees of a payment it pays out (those are booked with
        the payment): ``surcharge_fee`` (a failed or charged-back payment's surcharge, or its refund) and
        ``gocardless_fee`` / ``app_fee`` of payments paid out earlier (given back after a failure, say).
        Items are signed (a debit is a fee, a credit a fee given back); summed per payment, booked once per
        payout and payment, whether or not the payment itself ever reached Xero. Returns (jobs, notes)."""
        Job = self.env["xero.job"]
        items = ctx.payout_items(payout_id)
        paid_out_here = {(i.get("links") or {}).get("payment") for i in items if i.get("type") == "payment_paid_out"}
        minor = {}
        for item in items:
            payment_id = (item.get("links") or {}).get("payment") or "-"
            kind = item.get("type")
            if kind == "surcharge_fee" or (kind in GOCARDLESS_FEE_TYPES and payment_id not in paid_out_here):
                minor[payment_id] = minor.get(payment_id, Decimal(0)) - Decimal(str(item.get("amount") or 0))
        minor = {k: v.quantize(Decimal(1), rounding=ROUND_HALF_UP) for k, v in minor.items()}
        minor = {k: v for k, v in minor.items() if v}
        if not minor:
            return Job, []
        payout = ctx.payout(payout_id)
        currency = (payout.get("currency") or "").upper()
        ctx.check_currency(currency)
        date = fields.Date.to_date(payout["arrival_date"]) if payout.get("arrival_date") else None
        jobs, notes = Job, []
        for payment_id, amount in sorted(minor.items()):
            payment = self.env["xero.payment"].sudo().search([
                ("company_id", "=", self.company_id.id), ("provider", "=", "gocardless"), ("kind", "=", "payment"),
                ("key", "=", payment_id)], limit=1)
            fee = self._xero_fee_row(ctx, f"{payout_id}/{payment_id}", float(from_minor_units(amount, currency)),
                                     currency, _("GoCardless fee") if amount > 0 else _("GoCardless fee returned"),
                                     payment_id, payment, date)
            fee_jobs, note = fee._xero_queue()
            jobs |= fee_jobs
            notes.append(note)
        return jobs, notes

    # -- GoCardless -------------------------------------------------------------------------------
    def _xero_process_gocardless(self, ctx, event):
        if event.get("resource_type") == "refunds":
            return self._xero_gocardless_refund(ctx, event)
        if event.get("resource_type") == "payouts":
            payout_id = (event.get("links") or {}).get("payout")
            if event.get("action") != "paid" or not payout_id:
                return "done", _("Nothing to record in Xero for payouts.%s.", event.get("action")), None, \
                    self.env["xero.job"]
            fee_jobs, fee_notes = self._xero_gocardless_other_fees(ctx, payout_id)
            if not self.company_id.xero_payout_account_code:
                state, outcome, payout, jobs = self._xero_payout(ctx, payout_id, None, None, None)  # says why
            else:
                data = ctx.payout(payout_id)
                currency = (data.get("currency") or "").upper()
                state, outcome, payout, jobs = self._xero_payout(
                    ctx, payout_id, self._amount(data.get("amount"), currency), currency,
                    fields.Date.to_date(data.get("arrival_date")) if data.get("arrival_date") else None)
            return state, " ".join([outcome, *fee_notes]), payout, jobs | fee_jobs
        Job = self.env["xero.job"]
        company = self.company_id
        action = event.get("action")
        links = event.get("links") or {}
        payment_id = links.get("payment")
        collected = GOCARDLESS_COLLECTED[company.xero_gocardless_record_on or "paid_out"]
        if not payment_id:
            return "ignored", _("Not handled: the event names no payment."), None, Job
        existing = self.env["xero.payment"].sudo().search([
            ("company_id", "=", company.id), ("provider", "=", "gocardless"), ("kind", "=", "payment"),
            ("key", "=", payment_id)], limit=1)
        if action not in collected and action not in GOCARDLESS_TAKEN_BACK and action != "chargeback_cancelled":
            if action == "confirmed":
                note = _("Noted: GoCardless payment %s is confirmed; it is recorded in Xero once paid out "
                         "(Settings → Xero → Payments).", payment_id)
            else:
                note = _("Nothing to record in Xero for payments.%(action)s (%(payment)s).", action=action,
                         payment=payment_id)
            return "done", note, existing or None, Job
        # Events come in any order: the payment's status now, read from GoCardless, decides.
        gc = ctx.gocardless()
        data = gc.payment(payment_id)
        status = data.get("status") or ""
        if status not in collected:
            if existing and not existing.reversed:
                cause = ((event.get("details") or {}).get("description") or (event.get("details") or {}).get("cause")
                         or action)
                jobs, outcome = existing._xero_reverse(_(
                    "GoCardless payment %(payment)s is %(status)s (%(cause)s)", payment=payment_id,
                    status=status or action, cause=cause), self.provider_created)
                return "done", outcome, existing, jobs
            return "done", _("Nothing to record in Xero: GoCardless payment %(payment)s is %(status)s.",
                             payment=payment_id, status=status or _("unknown")), existing or None, Job
        self._xero_check_recordable(self.env._("payment"), data, amount=("amount",), currency="currency",
                                    description="description" if data.get("description") else "reference")
        if existing.reversed:
            existing._xero_restore(self.provider_created)
        currency = (data.get("currency") or "").upper()
        ctx.check_currency(currency)
        gc_links = data.get("links") or {}
        email, name = self._xero_gocardless_customer(gc, data)
        amount = self._amount(data.get("amount"), currency)
        charge_date = fields.Date.to_date(data.get("charge_date")) if data.get("charge_date") else None
        facts = {
            "charge_ref": payment_id, "paid": True, "currency_code": currency, "amount": amount,
            "date": charge_date or fields.Date.to_date(self.provider_created),
            "email": email, "customer_name": name,
            "description": data.get("description") or data.get("reference"),
        }
        subscription = gc_links.get("subscription")
        if subscription:
            facts.update({
                "subscription_ref": subscription, "period_start": charge_date,
                "lines": [{"description": _("%(what)s — subscription %(sub)s, payment of %(date)s",
                                            what=data.get("description") or _("Subscription"), sub=subscription,
                                            date=charge_date or ""),
                           "quantity": 1, "unit_amount": amount}],
            })
        payout = links.get("payout") or (gc_links.get("payout") if status == "paid_out" else None)
        if payout and not (existing.fee_amount or existing.xero_fee_transaction_id):
            facts.update(ctx.gocardless_fee(payout, payment_id, currency))
        facts["clearing_account_id"], facts["clearing_account_code"] = ctx.clearing_account("gocardless")
        facts.update(self._xero_documents(company, data.get("metadata") or {}))
        if not facts.get("sale_order_id") and not facts.get("move_id"):
            facts["partner_id"] = self._xero_partner(company, email, name)
        payment = self.env["xero.payment"].sudo()._xero_upsert(company, "gocardless", payment_id, facts)
        jobs, outcome = payment._xero_queue()
        return "done", outcome, payment, jobs

    def _xero_gocardless_refund(self, ctx, event):
        """A GoCardless refund paid to the customer: a Xero credit note and its refund from the clearing
        account (as Stripe's), once per refund; other refund events are noted."""
        Job = self.env["xero.job"]
        company = self.company_id
        refund_id = (event.get("links") or {}).get("refund")
        if not refund_id:
            return "ignored", _("Not handled: the event names no refund."), None, Job
        if event.get("action") != "paid":
            return "done", _("Nothing to record in Xero for refunds.%(action)s (%(refund)s).",
                             action=event.get("action"), refund=refund_id), None, Job
        if not company.xero_payment_refunds:
            return "ignored", _("Not handled: refunds are not recorded in Xero (Settings → Xero → Payments)."), \
                None, Job
        gc = ctx.gocardless()
        data = gc.refund(refund_id)
        self._xero_check_recordable(self.env._("refund"), data, amount=("amount",), currency="currency",
                                    description="reference")
        currency = (data.get("currency") or "").upper()
        ctx.check_currency(currency)
        payment_id = (data.get("links") or {}).get("payment")
        Payment = self.env["xero.payment"].sudo()
        origin = Payment.search([("company_id", "=", company.id), ("provider", "=", "gocardless"),
                                 ("kind", "=", "payment"), ("key", "=", payment_id or "-")], limit=1)
        partner = origin.partner_id.commercial_partner_id if origin else False
        if not partner and origin and origin._xero_document():
            partner = origin._xero_document()._xero_customer()
        if not partner:
            email, name = self._xero_gocardless_customer(gc, gc.payment(payment_id) if payment_id else {})
            partner = self.env["res.partner"].browse(self._xero_partner(company, email, name))
        account_id, account_code = ctx.clearing_account("gocardless")
        created = _iso_to_naive(data.get("created_at")) or self.provider_created
        payment = Payment._xero_upsert(company, "gocardless", refund_id, {
            "charge_ref": refund_id, "paid": True, "currency_code": currency,
            "amount": self._amount(data.get("amount"), currency), "date": fields.Date.to_date(created),
            "partner_id": partner.id, "origin_id": origin.id if origin else False,
            "description": data.get("reference"),
            "clearing_account_id": account_id, "clearing_account_code": account_code,
        }, kind="refund")
        jobs, outcome = payment._xero_queue()
        return "done", outcome, payment, jobs

    def _xero_payout(self, ctx, payout_id, amount, currency, arrival):
        """A payout: the money leaves the provider's clearing account for the company's bank account, a Xero
        bank transfer, once per payout (the amount is net of the fees, booked with each payment)."""
        Job = self.env["xero.job"]
        company = self.company_id
        label = dict(self._fields["provider"].selection)[self.provider]
        if not company.xero_payout_account_code:
            return "ignored", _("Not handled: payout %(payout)s is not recorded; choose the bank account %(provider)s "
                                "pays out to (Settings → Xero Payments → Payouts arrive in), then retry this event.",
                                payout=payout_id, provider=label), None, Job
        if not payout_id or amount is None:
            return "ignored", _("Not handled: the payout names no id or amount."), None, Job
        if amount <= 0:
            return "done", _("Nothing to transfer: payout %s is not positive.", payout_id), None, Job
        ctx.check_currency(currency)
        account_id, account_code = ctx.clearing_account(self.provider)
        payment = self.env["xero.payment"].sudo()._xero_upsert(company, self.provider, payout_id, {
            "charge_ref": payout_id, "paid": True, "currency_code": currency, "amount": amount,
            "date": arrival or fields.Date.to_date(self.provider_created),
            "clearing_account_id": account_id, "clearing_account_code": account_code,
            "payout_account_code": company.xero_payout_account_code,
        }, kind="payout")
        jobs, outcome = payment._xero_queue()
        return "done", outcome, payment, jobs

    def _xero_gocardless_customer(self, gc, payment):
        """(email, name) of whoever pays a GoCardless payment: its mandate's customer."""
        mandate = (payment.get("links") or {}).get("mandate")
        customer_id = (gc.mandate(mandate).get("links") or {}).get("customer") if mandate else None
        if not customer_id:
            return None, None
        customer = gc.customer(customer_id)
        name = customer.get("company_name") or " ".join(
            filter(None, [customer.get("given_name"), customer.get("family_name")])) or None
        return (customer.get("email") or "").strip().lower() or None, name

    # -- shared -----------------------------------------------------------------------------------
    def _xero_provider_label(self):
        return dict(self._fields["provider"].selection)[self.provider]

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
        causes = "; ".join(self.env._(PROBLEMS[p.cause]) % {
            "field": p.field, "value": p.value, "length": f"{p.length or 0:,}", "limit": f"{p.limit or 0:,}"}
            for p in problems)
        raise PaymentDataError(self.env._(
            "%(provider)s event %(event)s (%(type)s) cannot be recorded: in %(what)s %(id)s, %(causes)s. Nothing was "
            "booked in Xero.", provider=self._xero_provider_label(), event=self.event_id, type=self.event_type,
            what=what, id=str(obj.get("id") or "?")[:255], causes=causes))

    @api.model
    def _xero_documents(self, company, metadata):
        """The Odoo order/invoice the provider's metadata names (``odoo_order`` / ``odoo_invoice``)."""
        values = {}
        for key, model, field in (("odoo_invoice", "account.move", "move_id"), ("odoo_order", "sale.order", "sale_order_id")):
            ref = str(metadata.get(key) or "").strip()
            if not ref:
                continue
            domain = [("company_id", "=", company.id)]
            domain += [("id", "=", int(ref))] if ref.isdigit() else [("name", "=", ref)]
            if model == "account.move":
                domain += [("move_type", "=", "out_invoice"), ("state", "=", "posted")]
            record = self.env[model].sudo().search(domain, limit=1)
            if record:
                values[field] = record.id
        return values

    @api.model
    def _xero_partner(self, company, email, name):
        """The customer: an Odoo partner with this email (created when none), its commercial entity."""
        Partner = self.env["res.partner"].sudo().with_context(active_test=False)
        email = (email or "").strip().lower()
        domain = [("company_id", "in", (False, company.id))]
        if email:
            partner = Partner.search(domain + [("email_normalized", "=", email)], order="id", limit=1)
        elif name:
            partner = Partner.search(domain + [("name", "=ilike", name), ("customer_rank", ">", 0)], order="id", limit=1)
        else:
            raise PaymentEventError(_("The payment names no customer (no email, no name): it cannot be recorded."))
        if partner:
            return partner.commercial_partner_id.id
        return Partner.create({"name": name or email, "email": email or False, "customer_rank": 1}).id

    # ------------------------------------------------------------------------------------------
    # UI
    # ------------------------------------------------------------------------------------------
    def _xero_checked(self):
        """These events as superuser, once the caller is a Xero administrator of their companies."""
        return checked(self, MANAGER, self.env._("Only Xero administrators can retry or ignore payment events."))

    def action_xero_retry(self):
        self._xero_checked().filtered(lambda e: e.state in ("failed", "ignored", "done")).write(
            {"state": "pending", "attempts": 0, "next_try": False})
        self._xero_trigger()
        return True

    def action_xero_ignore(self):
        self._xero_checked().filtered(lambda e: e.state in ("pending", "failed")).write(
            {"state": "ignored", "processed_on": fields.Datetime.now(),
             "outcome": _("Ignored by %s.", self.env.user.name)})
        return True


class _Context:
    """What one processing run reads once per company: Xero's currencies and accounts, payout items."""

    def __init__(self, env, conn):
        self.env = env
        self.conn = conn
        self.company = conn.company_id
        self._client = None
        self._currencies = None
        self._accounts = None
        self._gocardless = None
        self._payouts = {}
        self._payout_data = {}
        self._stripe = None
        self._organisation = None

    @property
    def client(self):
        if self._client is None:
            self._client = self.conn._xero_client()
        return self._client

    def check_currency(self, code):
        if not code:
            return
        try:
            currency_exponent(code)
        except ValueError:
            raise PaymentEventError(_("“%s” is not a currency code.", code)) from None
        if self._currencies is None:
            self._currencies = {c.get("Code") for c in self.client.iter_records("Currencies")}
        if code not in self._currencies:
            raise PaymentEventError(_(
                "The Xero organisation %(org)s has no currency %(code)s: add it in Xero (Settings → Currencies), "
                "then retry this event.", org=self.conn.tenant_name, code=code))

    def clearing_account(self, provider):
        """(AccountID, Code — or Name, for a bank account without a code) of the provider's clearing bank account
        in Xero, created when missing."""
        field, name, default_code = CLEARING[provider]
        code = (self.company[field] or "").strip()
        if self._accounts is None:
            self._accounts = list(self.client.iter_records("Accounts"))
        active = [a for a in self._accounts if a.get("Status", "ACTIVE") == "ACTIVE"]
        ref = account_ref(code)
        found = next((a for a in active if a.get(next(iter(ref))) == code), None) if code else \
            next((a for a in active if (a.get("Name") or "").casefold() == name.casefold()), None)
        if found:
            if found.get("Type") != "BANK" and not found.get("EnablePaymentsToAccount"):
                raise PaymentEventError(_(
                    "The Xero account %(code)s (%(name)s) chosen for %(provider)s is not a bank account: choose a bank "
                    "account, or clear the code to use one named “%(provider)s”.", code=found.get("Code"),
                    name=found.get("Name"), provider=name))
            return found["AccountID"], found.get("Code") or found.get("Name") or ""
        if "AccountID" in ref:  # a bank account without a code was chosen: it cannot be made again
            raise PaymentEventError(_(
                "The Xero bank account chosen for %(provider)s (AccountID %(id)s) is not an active account of "
                "%(org)s any more: choose another in Settings → Xero Payments, then retry this event.",
                provider=name, id=code, org=self.conn.tenant_name))
        account = {"Type": "BANK", "Name": name, "Code": code or default_code,
                   "BankAccountNumber": self.clearing_number(default_code), "CurrencyCode": self.base_currency()}
        if any(a.get("Name") == name for a in self._accounts):
            account["Name"] = f"{name} ({account['Code']})"
        # Replayed only while Xero's chart is as we read it (a retry after a lost answer).
        key = f"xc-acct-{self.conn.tenant_id}-{account['Code']}-{len(self._accounts)}"
        try:
            body = self.client.request("PUT", "Accounts", json=account, idempotency_key=key)
        except ValidationError as exc:
            raise PaymentEventError(_(
                "Xero refused to create the %(name)s clearing bank account in %(org)s: %(messages)s. Create a bank "
                "account for %(name)s in Xero and choose it in Settings → Xero Payments, then retry this event.", name=name, org=self.conn.tenant_name,
                messages="; ".join(exc.messages or [exc.message]))) from None
        created = (body.get("Accounts") or [{}])[0]
        if not created.get("AccountID"):
            raise PaymentEventError(_("Xero did not create the %s clearing bank account.", name))
        self._accounts.append(created)
        _logger.info("Created the %s clearing bank account %s in Xero (%s)", name, created.get("Code"),
                     self.conn.tenant_name)
        return created["AccountID"], created.get("Code") or ""

    def organisation(self):
        if self._organisation is None:
            self._organisation = (self.client.get("Organisation").get("Organisations") or [{}])[0]
        return self._organisation

    def base_currency(self):
        return self.organisation().get("BaseCurrency") or self.company.currency_id.name

    def clearing_number(self, code):
        """A number for a clearing account (no bank behind it): Australian organisations need a BSB (6 digits)
        and an account number; elsewhere a readable placeholder."""
        if self.organisation().get("CountryCode") == "AU":
            digits = "".join(f"{ord(c) % 10}" for c in code)[:9].ljust(6, "0")
            return f"000000{digits}"
        return f"{code}-CLEARING"

    def stripe(self):
        """Stripe's API with the company's key; None when no key is set."""
        if self._stripe is None:
            key = self.company.sudo().xero_stripe_api_key
            if not key:
                return None
            url = self.env["ir.config_parameter"].sudo().get_param("xero_connector.stripe_api_url") or STRIPE_URL
            self._stripe = StripeClient(key, url)
        return self._stripe

    def stripe_charge(self, charge_id=None, intent_id=None):
        """The charge (by its id, else the payment intent's latest) with its balance transaction. Not cached:
        a later event of the same run (``charge.updated``) may find it settled; once the fee is known, it is
        not read again (see ``_xero_stripe_read_fee``)."""
        return self.stripe().charge(charge_id) if charge_id else self.stripe().intent_charge(intent_id)

    def gocardless(self):
        if self._gocardless is None:
            token = self.company.sudo().xero_gocardless_access_token
            if not token:
                raise PaymentEventError(_(
                    "No GoCardless access token is set for %s (Settings → Xero → Payments): payments cannot be read "
                    "from GoCardless.", self.company.name))
            url = self.env["ir.config_parameter"].sudo().get_param("xero_connector.gocardless_api_url") \
                or GOCARDLESS_URL
            self._gocardless = GoCardlessClient(token, url)
        return self._gocardless

    def payout(self, payout_id):
        """A GoCardless payout, read once per run."""
        if payout_id not in self._payout_data:
            self._payout_data[payout_id] = self.gocardless().payout(payout_id)
        return self._payout_data[payout_id]

    def payout_items(self, payout_id):
        """A GoCardless payout's items, read once per run."""
        if payout_id not in self._payouts:
            self._payouts[payout_id] = self.gocardless().payout_items(payout_id)
        return self._payouts[payout_id]

    def gocardless_fee(self, payout_id, payment_id, currency):
        minor = Decimal(0)
        for item in self.payout_items(payout_id):
            if item.get("type") in GOCARDLESS_FEE_TYPES and (item.get("links") or {}).get("payment") == payment_id:
                minor += abs(Decimal(str(item.get("amount") or 0)))
        if not minor:
            return {}
        fee = from_minor_units(minor.quantize(Decimal(1), rounding=ROUND_HALF_UP), currency)
        return {"fee_amount": float(fee), "fee_currency_code": currency}
