"""GoCardless' webhook events → facts for the books (ORM-free; the API client is ``xero.gocardless``).

GoCardless' events carry ids only (``links``: the payment, refund, payout, mandate): amounts, the customer and
the fees are read from its API, and those objects, as the API answers them, are what these functions take.
Facts out: amounts converted from minor units (see ``provider_facts``), dates, ids, the customer's email.
Nothing here reads GoCardless, Xero or a database.

Events come in any order: what a payment event means is decided by the payment's status *now*, read from
GoCardless (:func:`needs_status`, :func:`is_collected`), not by the event's action alone.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from .provider_facts import Payout, iso_to_date, iso_to_naive, to_amount

# The resource types the connector uses; events of others are answered and not stored.
RESOURCES = frozenset({"payments", "refunds", "payouts"})
# A payout's items that are the fees of the payments it pays out.
FEE_TYPES = frozenset({"gocardless_fee", "app_fee"})
# Payment statuses at which GoCardless has the money, per the "record on" setting.
COLLECTED = {"confirmed": ("confirmed", "paid_out"), "paid_out": ("paid_out",)}
DEFAULT_RECORD_ON = "paid_out"
# Events after which the payment may no longer be collected (a failure, late or not, a chargeback).
TAKEN_BACK = frozenset({"failed", "late_failure_settled", "charged_back", "chargeback_settled", "cancelled"})
# The money is back after a chargeback.
CHARGEBACK_CANCELLED = "chargeback_cancelled"


# -- receiving -------------------------------------------------------------------------------------------------
def event_rows(payload) -> tuple[list[tuple[dict, dict]], int]:
    """What is stored of a signed delivery: ``(rows, unknown)``, a row per event of the resources the connector
    uses, ``(facts, the event as sent)`` (facts: ``event_id``, ``event_type`` as ``resource.action``,
    ``object_id``: the refund, payment or payout, ``provider_created`` naive UTC), and the number of other
    events. ValueError: the body is no delivery."""
    events = payload.get("events") if isinstance(payload, dict) else None
    if not isinstance(events, list):
        raise ValueError("not a GoCardless webhook (no events list)")
    rows, unknown = [], 0
    for event in events:
        if not isinstance(event, dict) or not isinstance(event.get("id"), str) \
                or not isinstance(event.get("resource_type"), str) or event["resource_type"] not in RESOURCES \
                or not isinstance(event.get("action"), str) or not event["action"] \
                or not isinstance(event.get("links") or {}, dict):
            unknown += 1
            continue
        links = event.get("links") or {}
        rows.append(({
            "event_id": event["id"][:255],
            "event_type": f"{event['resource_type']}.{event['action']}"[:100],
            "object_id": str(links.get("refund") or links.get("payment") or links.get("payout") or "")[:255] or None,
            "provider_created": iso_to_naive(event.get("created_at")),
        }, event))
    return rows, unknown


def link(event: dict, name: str) -> str | None:
    """The id an event links to (``payment``, ``refund``, ``payout``)."""
    return (event.get("links") or {}).get(name)


# -- payments --------------------------------------------------------------------------------------------------
def collected_statuses(record_on: str | None) -> tuple[str, ...]:
    return COLLECTED[record_on or DEFAULT_RECORD_ON]


def needs_status(action: str, record_on: str | None) -> bool:
    """Whether a payment event may change the books (then the payment's status decides what): the money was
    collected (per ``record_on``), taken back, or is back after a chargeback. Others are only noted."""
    return action in collected_statuses(record_on) or action in TAKEN_BACK or action == CHARGEBACK_CANCELLED


def is_collected(status: str, record_on: str | None) -> bool:
    """A payment with this status is to be in the books."""
    return status in collected_statuses(record_on)


def failure_cause(event: dict) -> str:
    """Why GoCardless says the money did not come (or went back): the event's description, else its cause."""
    details = event.get("details") or {}
    return details.get("description") or details.get("cause") or event.get("action")


def description_field(payment: dict) -> str:
    """The field a payment's text is taken from: its ``description``, else its ``reference``."""
    return "description" if payment.get("description") else "reference"


def payment_facts(payment: dict) -> dict:
    """A payment, as GoCardless' API answers it: the values of a recorded payment (``charge_ref``, ``paid``,
    ``currency_code``, ``amount``, ``date`` — the charge date, None when GoCardless gives none —, ``description``,
    and ``subscription_ref`` and ``period_start`` for a subscription's payment), and ``metadata``."""
    currency = (payment.get("currency") or "").upper()
    charge_date = iso_to_date(payment.get("charge_date"))
    subscription = (payment.get("links") or {}).get("subscription")
    facts = {
        "charge_ref": payment.get("id"), "paid": True, "currency_code": currency,
        "amount": to_amount(payment.get("amount"), currency), "date": charge_date,
        "description": payment.get("description") or payment.get("reference"),
        "metadata": payment.get("metadata") or {},
    }
    if subscription:
        facts.update({"subscription_ref": subscription, "period_start": charge_date})
    return facts


def payment_payout(event: dict, payment: dict) -> str | None:
    """The payout a collected payment is paid out in: the event's, or the payment's once it is paid out."""
    return link(event, "payout") or ((payment.get("links") or {}).get("payout")
                                     if payment.get("status") == "paid_out" else None)


def customer_facts(customer: dict) -> tuple[str | None, str | None]:
    """``(email, name)`` of a GoCardless customer (its company name, else its given and family names)."""
    name = customer.get("company_name") or " ".join(
        filter(None, [customer.get("given_name"), customer.get("family_name")])) or None
    return (customer.get("email") or "").strip().lower() or None, name


def mandate_customer(mandate: dict) -> str | None:
    return (mandate.get("links") or {}).get("customer")


# -- fees (in a payout's items) --------------------------------------------------------------------------------
def payment_fee(items: list[dict], payment_id: str, currency: str) -> dict:
    """The fees of a payment in its payout's items (``gocardless_fee``, ``app_fee``): ``fee_amount``,
    ``fee_currency_code``; ``{}`` when none."""
    minor = Decimal(0)
    for item in items:
        if item.get("type") in FEE_TYPES and (item.get("links") or {}).get("payment") == payment_id:
            minor += abs(Decimal(str(item.get("amount") or 0)))
    if not minor:
        return {}
    return {"fee_amount": to_amount(minor.quantize(Decimal(1), rounding=ROUND_HALF_UP), currency),
            "fee_currency_code": currency}


@dataclass(frozen=True)
class OwnFee:
    """A fee in a payout that is not the fee of a payment it pays out, per payment: ``amount`` > 0 GoCardless
    charged it, < 0 gave it back."""

    payment_id: str
    amount: float


def _other_fee_minor_units(items: list[dict]) -> dict[str, Decimal]:
    paid_out_here = {(i.get("links") or {}).get("payment") for i in items if i.get("type") == "payment_paid_out"}
    minor = {}
    for item in items:
        payment_id = (item.get("links") or {}).get("payment") or "-"
        kind = item.get("type")
        if kind == "surcharge_fee" or (kind in FEE_TYPES and payment_id not in paid_out_here):
            minor[payment_id] = minor.get(payment_id, Decimal(0)) - Decimal(str(item.get("amount") or 0))
    minor = {k: v.quantize(Decimal(1), rounding=ROUND_HALF_UP) for k, v in minor.items()}
    return {k: v for k, v in minor.items() if v}


def has_other_fees(items: list[dict]) -> bool:
    return bool(_other_fee_minor_units(items))


def other_fees(items: list[dict], currency: str) -> list[OwnFee]:
    """The fee items of a payout that are not the fees of a payment it pays out (those come with the payment):
    ``surcharge_fee`` (a failed or charged-back payment's surcharge, or its refund) and ``gocardless_fee`` /
    ``app_fee`` of payments paid out earlier (given back after a failure, say). Items are signed (a debit is a
    fee, a credit a fee given back); summed per payment, in the order of the payments' ids."""
    return [OwnFee(payment_id, to_amount(minor, currency))
            for payment_id, minor in sorted(_other_fee_minor_units(items).items())]


# -- refunds and payouts ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Refund:
    """A refund paid to a customer: of ``payment``, made on ``date`` (None when GoCardless does not say)."""

    id: str | None
    payment: str | None
    amount: float | None
    currency: str
    date: date | None
    reference: str | None


def refund_facts(refund: dict) -> Refund:
    currency = (refund.get("currency") or "").upper()
    created = iso_to_naive(refund.get("created_at"))
    return Refund(refund.get("id"), (refund.get("links") or {}).get("payment"),
                  to_amount(refund.get("amount"), currency), currency, created.date() if created else None,
                  refund.get("reference"))


def payout_facts(payout: dict) -> Payout:
    """A paid payout, as GoCardless' API answers it: net of the fees of what it pays out."""
    currency = (payout.get("currency") or "").upper()
    return Payout(payout.get("id"), to_amount(payout.get("amount"), currency), currency,
                  iso_to_date(payout.get("arrival_date")))
