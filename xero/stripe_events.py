"""Stripe's webhook events → facts for the books (ORM-free; the API client is ``xero.stripe``).

Facts in, facts out: each function takes Stripe's objects as its webhooks and API send them (an event, its
``data.object``: a charge, a payment intent, an invoice, a dispute, a payout) and answers plain facts: amounts
converted from minor units (see ``provider_facts``), dates, ids, the customer's email. Nothing here reads
Stripe, Xero or a database: what those know (an earlier payment, the organisation's currency) is an argument.

Payment facts are a dict of the values of a recorded payment (``xero.payment``: ``charge_ref``, ``paid``,
``currency_code``, ``amount``, ``date``, ``email``, ``customer_name``, ``description``,
``provider_invoice_ref``, …) and three more keys: ``key`` (the payment's identity at Stripe: its payment
intent, else its charge, else the invoice), ``charge_id`` (the charge the event names, if any) and
``metadata`` (where the Odoo document is named). API versions differ in where they put things; each place
Stripe has used is read.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .money import currency_exponent
from .provider_facts import Payout, epoch_to_date, epoch_to_naive, text_id, to_amount

PAYMENT_TYPES = frozenset({"payment_intent.succeeded", "charge.succeeded", "charge.updated", "invoice.paid"})
REFUND_TYPE = "charge.refunded"
WITHDRAWN = "charge.dispute.funds_withdrawn"
REINSTATED = "charge.dispute.funds_reinstated"
PAYOUT_TYPE = "payout.paid"
# The event types the connector uses; others are answered and not stored.
EVENT_TYPES = PAYMENT_TYPES | {REFUND_TYPE, WITHDRAWN, REINSTATED, PAYOUT_TYPE}
# Refunds that count: succeeded, or on their way (older versions list no status).
REFUND_STATUSES = ("succeeded", "pending", None)
# Lines the connector adds to a subscription's invoice (their text is the caller's): a discount, the part paid
# from the customer's Stripe balance, amounts Stripe's event did not list.
DISCOUNT, CUSTOMER_BALANCE, OTHER_AMOUNTS = "discount", "customer_balance", "other_amounts"


# -- receiving -------------------------------------------------------------------------------------------------
def event_object(event: dict) -> dict:
    """The object an event is about (``data.object``), ``{}`` when it has none."""
    data = event.get("data") if isinstance(event, dict) else None
    obj = data.get("object") if isinstance(data, dict) else None
    return obj if isinstance(obj, dict) else {}


def event_row(event) -> dict | None:
    """What is stored of a signed event: ``event_id``, ``event_type``, ``object_id``, ``provider_created`` (naive
    UTC). None for a type the connector does not use; ValueError for a body that is no Stripe event."""
    if not isinstance(event, dict) or not isinstance(event.get("id"), str) \
            or not isinstance(event.get("type"), str) or not event["type"]:
        raise ValueError("not a Stripe event")
    if event["type"] not in EVENT_TYPES:
        return None
    data = event.get("data")
    if not isinstance(data, dict) or not isinstance(data.get("object"), dict):
        raise ValueError("a Stripe event without its data.object")
    obj = data["object"]
    return {"event_id": event["id"][:255], "event_type": event["type"][:100],
            "object_id": str(obj.get("id") or "")[:255] or None,
            "provider_created": epoch_to_naive(event.get("created"))}


# -- payments --------------------------------------------------------------------------------------------------
def payment_fields(event_type: str) -> tuple[str, tuple[str, ...]]:
    """``(Stripe's object, the fields its amount is read from, first with a value)`` of a payment event."""
    return {"invoice.paid": ("invoice", ("amount_paid",)),
            "payment_intent.succeeded": ("payment_intent", ("amount_received", "amount"))}.get(
                event_type, ("charge", ("amount_captured", "amount")))


def payment_facts(event_type: str, obj: dict) -> dict:
    """The facts of a payment event (``charge.*``, ``payment_intent.succeeded``, ``invoice.paid``)."""
    if event_type == "invoice.paid":
        return invoice_facts(obj)
    if event_type == "payment_intent.succeeded":
        return intent_facts(obj)
    return charge_facts(obj)


def charge_key(charge: dict) -> str:
    """A charge's payment: its payment intent, else the charge itself."""
    intent = charge.get("payment_intent")
    return intent if isinstance(intent, str) else charge["id"]


def charge_customer(charge: dict) -> tuple[str | None, str | None]:
    """``(email, name)`` of whoever paid a charge (its billing details, else its receipt email)."""
    billing = charge.get("billing_details") or {}
    email = (billing.get("email") or charge.get("receipt_email") or "").strip().lower() or None
    return email, billing.get("name")


def fee_facts(charge: dict, currency: str | None) -> dict:
    """Stripe's fee of a charge whose balance transaction is expanded: ``fee_amount``, ``fee_currency_code``
    (where the charge was settled) and, settled in another currency, ``settlement_rate`` (Stripe's
    ``exchange_rate``: charge amount × rate = settled amount). ``{}`` while Stripe has not settled it."""
    transaction = charge.get("balance_transaction")
    if not isinstance(transaction, dict) or transaction.get("fee") is None:
        return {}
    fee_currency = (transaction.get("currency") or currency or "").upper()
    facts = {"fee_amount": to_amount(transaction["fee"], fee_currency), "fee_currency_code": fee_currency}
    if transaction.get("exchange_rate") and fee_currency != (currency or "").upper():
        facts["settlement_rate"] = float(transaction["exchange_rate"])
    return facts


def xero_currency_rate(settlement_rate: float) -> float:
    """Xero's ``CurrencyRate`` (units of the payment's currency per unit of the base currency) from Stripe's
    ``exchange_rate`` into the base currency."""
    return round(1 / settlement_rate, 6)


def charge_facts(charge: dict) -> dict:
    currency = (charge.get("currency") or "").upper()
    email, name = charge_customer(charge)
    facts = {
        "key": charge_key(charge),
        "charge_id": charge.get("id"),
        "charge_ref": charge.get("id"),
        "paid": charge.get("status") == "succeeded" and charge.get("paid", True) is not False,
        "currency_code": currency,
        "amount": to_amount(charge.get("amount_captured") or charge.get("amount"), currency),
        "date": epoch_to_date(charge.get("created")),
        "email": email,
        "customer_name": name,
        "description": charge.get("description"),
        "provider_invoice_ref": charge.get("invoice") if isinstance(charge.get("invoice"), str) else None,
        "metadata": charge.get("metadata") or {},
    }
    facts.update(fee_facts(charge, currency))
    return facts


def intent_facts(intent: dict) -> dict:
    """A payment intent's facts, with its charge's when the event expands it (``latest_charge``, or the
    ``charges`` list of older API versions)."""
    currency = (intent.get("currency") or "").upper()
    charge = intent.get("latest_charge")
    if not isinstance(charge, dict):
        charges = (intent.get("charges") or {}).get("data") or []
        charge = charges[0] if charges and isinstance(charges[0], dict) else None
    charge_id = charge.get("id") if charge else intent.get("latest_charge")
    charge_id = charge_id if isinstance(charge_id, str) else None
    billing = (charge or {}).get("billing_details") or {}
    facts = {
        "key": intent["id"],
        "charge_id": charge_id,
        "charge_ref": charge_id,
        "paid": intent.get("status") == "succeeded",
        "currency_code": currency,
        "amount": to_amount(intent.get("amount_received") or intent.get("amount"), currency),
        "date": epoch_to_date((charge or {}).get("created") or intent.get("created")),
        "email": (intent.get("receipt_email") or billing.get("email") or "").strip().lower() or None,
        "customer_name": billing.get("name"),
        "description": intent.get("description"),
        "provider_invoice_ref": intent.get("invoice") if isinstance(intent.get("invoice"), str) else None,
        "metadata": dict((charge or {}).get("metadata") or {}, **(intent.get("metadata") or {})),
    }
    if charge:
        facts.update(fee_facts(charge, currency))
    return facts


def taxes(obj: dict, total: bool = False) -> list[tuple[int, bool]]:
    """``(amount, inclusive)`` of each tax on a Stripe invoice (``total``) or invoice line: ``taxes`` /
    ``total_taxes`` with a ``tax_behavior`` (API versions from 2025), else ``tax_amounts`` /
    ``total_tax_amounts`` with ``inclusive``."""
    new, old = ("total_taxes", "total_tax_amounts") if total else ("taxes", "tax_amounts")
    if obj.get(new) is not None:
        return [(t.get("amount") or 0, t.get("tax_behavior") == "inclusive") for t in obj[new] or []]
    return [(t.get("amount") or 0, bool(t.get("inclusive"))) for t in obj.get(old) or []]


def invoice_lines(invoice: dict, currency: str) -> list[dict]:
    """The lines of a paid Stripe invoice as sent to Xero, tax-inclusive: ``description``, ``quantity``,
    ``unit_amount``. Lines the connector adds have no description and a ``kind`` (``DISCOUNT``,
    ``CUSTOMER_BALANCE``, ``OTHER_AMOUNTS``), so that they total what was paid (``amount_paid``)."""
    lines, minor = [], 0
    for line in ((invoice.get("lines") or {}).get("data") or []):
        quantity = line.get("quantity") or 1
        # Lines are sent tax-inclusive: a line's exclusive tax is added to it (its inclusive tax is in it).
        exclusive = sum(amount for amount, inclusive in taxes(line) if not inclusive)
        minor += (line.get("amount") or 0) + exclusive
        amount = to_amount((line.get("amount") or 0) + exclusive, currency) or 0.0
        unit = round(amount / quantity, 4)  # Xero keeps 4 decimals of a unit amount (unitdp=4)
        if round(unit * quantity, currency_exponent(currency)) != amount:  # 3 for 10.00, usage at 0.00012
            quantity, unit = 1, amount  # the line's total stays exact (Stripe's description names the quantity)
        lines.append({"description": line.get("description") or invoice.get("description") or "-",
                      "quantity": quantity, "unit_amount": unit})
    discount = sum(d.get("amount") or 0 for d in invoice.get("total_discount_amounts") or [])
    if discount:
        lines.append({"description": None, "kind": DISCOUNT, "quantity": 1,
                      "unit_amount": -to_amount(discount, currency)})
    # The Xero invoice totals what was paid: a part paid from the customer's credit balance in Stripe
    # (prorations, credits: never in Xero), or lines Stripe's event did not list, make one more line.
    rest = (invoice.get("amount_paid") or 0) - (minor - discount)
    if lines and rest:
        lines.append({"description": None, "kind": CUSTOMER_BALANCE if rest < 0 else OTHER_AMOUNTS,
                      "quantity": 1, "unit_amount": to_amount(rest, currency)})
    return lines


def invoice_facts(invoice: dict) -> dict:
    """A paid Stripe invoice (a subscription's period): its lines, tax and period besides the payment's facts."""
    currency = (invoice.get("currency") or "").upper()
    intent = invoice.get("payment_intent")
    charge = invoice.get("charge")
    for entry in ((invoice.get("payments") or {}).get("data") or []):  # API versions from 2025
        paid_with = (entry or {}).get("payment") or {}
        intent = intent or paid_with.get("payment_intent")
        charge = charge or paid_with.get("charge")
    intent = intent.get("id") if isinstance(intent, dict) else intent
    charge = charge.get("id") if isinstance(charge, dict) else charge
    lines = invoice_lines(invoice, currency)
    if invoice.get("tax") is not None:  # API versions before 2025
        tax = invoice["tax"]
    else:
        tax = sum(amount for amount, _inclusive in taxes(invoice, total=True))
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
        "amount": to_amount(invoice.get("amount_paid"), currency),
        "date": epoch_to_date(paid_at),
        "email": (invoice.get("customer_email") or "").strip().lower() or None,
        "customer_name": invoice.get("customer_name"),
        "description": invoice.get("description"),
        "provider_invoice_ref": invoice["id"],
        "subscription_ref": subscription if isinstance(subscription, str) else None,
        "lines": lines or None,
        "tax_amount": to_amount(tax, currency) if tax else None,
        "period_start": epoch_to_date(start) if start else None,
        "period_end": epoch_to_date(end) if end else None,
        "metadata": dict(subscription_details.get("metadata") or {}, **(invoice.get("metadata") or {})),
    }


# -- the link between a payment and its invoice, API versions from 2025-03-31 (basil) ---------------------------
def invoice_payments_query(event_type: str, obj: dict, facts: dict) -> dict | None:
    """What to ask Stripe's invoice payments (``invoice=…`` or ``intent=…``) to link a payment and its invoice,
    or None when the event says it (older versions carry ``invoice`` / ``payment_intent``) or has nothing to
    link. From 2025-03-31, invoices no longer name their payment intent, nor charges and payment intents their
    invoice: without the link a subscription's charge and its ``invoice.paid`` would be two payments."""
    if event_type == "invoice.paid":
        if facts.get("charge_id") or facts["key"] != obj.get("id") or "payment_intent" in obj \
                or not obj.get("amount_paid"):
            return None
        return {"invoice": obj["id"]}
    intent = obj.get("id") if event_type == "payment_intent.succeeded" else obj.get("payment_intent")
    if "invoice" in obj or not isinstance(intent, str) or not facts.get("paid"):
        return None
    return {"intent": intent}


def invoice_payments_link(event_type: str, invoice_payments: list[dict]) -> dict:
    """What Stripe's invoice payments (``GET /v1/invoice_payments``) tell of an event's payment: for an invoice,
    its ``key`` (its one payment intent; several, or none, leave it keyed by the invoice); for a charge or an
    intent, the ``provider_invoice_ref`` it pays. ``{}`` when they tell nothing."""
    linked = [p for p in invoice_payments
              if p.get("status") != "canceled" and (p.get("payment") or {}).get("type") == "payment_intent"]
    if event_type == "invoice.paid":
        intents = {text_id((p.get("payment") or {}).get("payment_intent")) for p in linked
                   if p.get("status") == "paid"} - {None}
        return {"key": intents.pop()} if len(intents) == 1 else {}
    if linked:
        return {"provider_invoice_ref": text_id(linked[0].get("invoice"))}
    return {}


# -- refunds ---------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Refund:
    """A refund of a charge: Stripe's id (or, when the charge does not list it, ``<charge>:<total refunded>``),
    its amount and the day it was made (the charge's when Stripe does not say)."""

    id: str
    amount: float | None
    date: date | None


def listed_refunds(charge: dict) -> list[dict]:
    """The refunds a ``charge.refunded`` lists that count (Stripe's objects, as sent)."""
    return [r for r in ((charge.get("refunds") or {}).get("data") or [])
            if isinstance(r, dict) and r.get("status") in REFUND_STATUSES]


def refunds(charge: dict, recorded_minor: int = 0) -> list[Refund]:
    """The refunds of a ``charge.refunded``: those it lists; else (API versions from 2022-11-15 no longer list
    them) what is refunded in all (``amount_refunded``) less ``recorded_minor``, what the books already have for
    this charge, as one refund."""
    currency = (charge.get("currency") or "").upper()
    listed = listed_refunds(charge)
    if not listed:
        total = charge.get("amount_refunded") or 0
        if total - recorded_minor <= 0:
            return []
        listed = [{"id": f"{charge['id']}:{total}", "amount": total - recorded_minor, "created": None}]
    return [Refund(r["id"], to_amount(r.get("amount"), currency),
                   epoch_to_date(r.get("created") or charge.get("created"))) for r in listed]


# -- disputes --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DisputeFee:
    """A fee of a dispute (one of its balance transactions): ``amount`` > 0 Stripe charged it, < 0 gave it back."""

    id: str
    amount: float
    currency: str
    date: date | None


@dataclass(frozen=True)
class Dispute:
    """A dispute's event: ``withdrawn`` (the funds were taken back) or reinstated (the dispute won). ``amount``:
    the funds withdrawn (a withdrawal only); ``keys``: the payment intent and the charge it is about."""

    id: str | None
    withdrawn: bool
    charge: str | None
    intent: str | None
    currency: str
    amount: float | None
    reason: str | None
    fees: tuple[DisputeFee, ...]

    @property
    def keys(self) -> list[str]:
        return [k for k in (self.intent, self.charge) if k]


def disputed(dispute: dict) -> tuple[str | None, str | None]:
    """``(charge, payment intent)`` a dispute is about."""
    return text_id(dispute.get("charge")), text_id(dispute.get("payment_intent"))


def dispute_facts(event_type: str, dispute: dict, currency: str | None = None) -> Dispute:
    """The facts of a ``charge.dispute.funds_*`` event; ``currency``: the disputed payment's, when the dispute
    names none."""
    currency = (dispute.get("currency") or currency or "").upper()
    withdrawn = event_type == WITHDRAWN
    fees = []
    for transaction in dispute.get("balance_transactions") or []:
        if not isinstance(transaction, dict) or not transaction.get("id") or not transaction.get("fee"):
            continue
        fee_currency = (transaction.get("currency") or currency).upper()
        created = transaction.get("created")
        fees.append(DisputeFee(transaction["id"], to_amount(transaction["fee"], fee_currency), fee_currency,
                               epoch_to_date(created) if isinstance(created, int) else None))
    charge, intent = disputed(dispute)
    return Dispute(id=dispute.get("id"), withdrawn=withdrawn, charge=charge, intent=intent,
                   currency=currency, amount=to_amount(dispute.get("amount"), currency) if withdrawn else None,
                   reason=dispute.get("reason"), fees=tuple(fees))


# -- payouts ---------------------------------------------------------------------------------------------------
def payout_facts(payout: dict) -> Payout:
    """A ``payout.paid``: the payout to the company's bank, net of Stripe's fees."""
    currency = (payout.get("currency") or "").upper()
    return Payout(payout.get("id"), to_amount(payout.get("amount"), currency), currency,
                  epoch_to_date(payout.get("arrival_date")))
