"""What the parsers of Stripe's and GoCardless' events share (ORM-free): amounts and dates as facts.

Both providers send amounts as integers in the currency's smallest unit (cents, pence, yen): a fact is the
amount in the currency's major unit (``4250`` USD → ``42.5``, ``5000`` JPY → ``5000.0``). Stripe dates are
Unix times, GoCardless' ISO 8601 texts; facts are naive UTC datetimes, or dates.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import Decimal

from .money import currency_exponent, from_minor_units


class AmountError(ValueError):
    """A value that is no amount in a currency (``value``, ``currency`` as the provider sent them)."""

    def __init__(self, value, currency):
        super().__init__(f"{value!r} {currency!r} is not an amount in a currency")
        self.value = value
        self.currency = currency


def to_amount(value, currency) -> float | None:
    """``value`` minor units of ``currency`` as an amount of its major unit; None when either is missing.
    Raises :class:`AmountError` when they are no amount in a currency."""
    if value is None or not currency:
        return None
    try:
        return float(from_minor_units(value, currency))
    except (ValueError, ArithmeticError):
        raise AmountError(value, currency) from None


def to_minor_units(amount, currency) -> int:
    """An amount of ``currency``'s major unit back in minor units (``10.0`` USD → ``1000``)."""
    return int(Decimal(str(amount)).scaleb(currency_exponent(currency)))


def epoch_to_naive(value) -> datetime | None:
    """A Unix time (Stripe's ``created``, ``arrival_date``…) as a naive UTC datetime; None if it is none."""
    try:
        return datetime.fromtimestamp(int(value), timezone.utc).replace(tzinfo=None)
    except (TypeError, ValueError, OverflowError):
        return None


def epoch_to_date(value) -> date | None:
    moment = epoch_to_naive(value)
    return moment.date() if moment else None


def iso_to_naive(value) -> datetime | None:
    """An ISO 8601 time (GoCardless' ``created_at``) as a naive UTC datetime; None if it is none."""
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")).astimezone(timezone.utc).replace(
            tzinfo=None)
    except (TypeError, ValueError):
        return None


def iso_to_date(value) -> date | None:
    """An ISO 8601 date (GoCardless' ``charge_date``, ``arrival_date``), or a time's date; None if none."""
    if not value:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def text_id(value) -> str | None:
    """The id of an object that may be expanded (``{"id": …}``) or not (``"ch_…"``)."""
    value = value.get("id") if isinstance(value, dict) else value
    return value if isinstance(value, str) and value else None


@dataclass(frozen=True)
class Payout:
    """A payout from a provider to the company's bank: its ``amount`` (net of the provider's fees) and the day
    it arrives (``arrival``)."""

    id: str | None
    amount: float | None
    currency: str
    arrival: date | None
