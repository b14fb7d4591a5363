"""What recording a provider's payment in Xero needs, checked before anything is booked (ORM-free).

A Stripe or GoCardless payment (or refund, or payout) is recorded in Xero with its amount, in its currency,
and its description becomes the line of the Xero invoice made for it. :func:`payment_problems` says what is
missing or unusable, field by field, so the caller can refuse the event with the cause named instead of
booking "a payment of 0.00" or sending a line Xero refuses.

Xero's limit on a line item's ``Description``: Xero's OpenAPI spec (16.1.0, ``LineItem``) states only that it
needs at least one character; 4,000 characters is the limit it states for the other descriptions of the same
API (``Item.Description`` / ``PurchaseDescription``, ``Account.Description``: "max length = 4000") and the one
this connector applies to the invoice lines it sends (``product.product``, Stripe invoice lines).
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from .money import currency_exponent

LINE_DESCRIPTION_MAX = 4000

MISSING = "missing"
NOT_AN_AMOUNT = "not_an_amount"
NOT_A_CURRENCY = "not_a_currency"
NOT_TEXT = "not_text"
TOO_LONG = "too_long"


@dataclass(frozen=True)
class Problem:
    """One field that stops the recording: ``field`` as the provider names it, ``cause`` one of the constants
    above; ``value`` (a bad currency, shortened), ``length`` and ``limit`` (a description too long)."""

    field: str
    cause: str
    value: str | None = None
    length: int | None = None
    limit: int | None = None


def payment_problems(amount=None, currency=None, description=None,
                     description_max: int = LINE_DESCRIPTION_MAX) -> list[Problem]:
    """The problems of a payment's fields, each given as ``(field name, value as the provider sent it)``, or
    ``None`` when not to be checked. ``amount``: a whole number of minor units (required); ``currency``: an ISO
    4217 code, any case (required); ``description``: text of at most ``description_max`` characters (optional)."""
    problems = []
    if amount is not None:
        field, value = amount
        if value is None or value == "":
            problems.append(Problem(field, MISSING))
        elif not _is_amount(value):
            problems.append(Problem(field, NOT_AN_AMOUNT))
    if currency is not None:
        field, value = currency
        if value is None or value == "":
            problems.append(Problem(field, MISSING))
        elif not isinstance(value, str) or not _is_currency(value):
            problems.append(Problem(field, NOT_A_CURRENCY, value=_short(value)))
    if description is not None:
        field, value = description
        if value is not None and not isinstance(value, str):
            problems.append(Problem(field, NOT_TEXT))
        elif value and len(value) > description_max:
            problems.append(Problem(field, TOO_LONG, length=len(value), limit=description_max))
    return problems


def _is_amount(value) -> bool:
    if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
        return False
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return False
    # Minor units are whole numbers; 18 digits is beyond any real payment and within what a float keeps.
    return number.is_finite() and number == number.to_integral_value() and abs(number) < 10 ** 18


def _is_currency(value: str) -> bool:
    try:
        currency_exponent(value)
    except ValueError:
        return False
    return True


def _short(value) -> str:
    text = str(value)
    return text if len(text) <= 20 else text[:19] + "…"
