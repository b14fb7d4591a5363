"""Amounts of payment providers: minor units (cents, pence, yen) to decimal amounts, per currency.

Stripe and GoCardless send integers in the currency's smallest unit. The exponent is ISO 4217's, with
the exceptions payment providers apply. ORM-free.
"""
from __future__ import annotations

from decimal import Decimal

# ISO 4217 currencies without minor unit (Stripe's "zero-decimal currencies").
ZERO_DECIMAL = frozenset({
    "BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF",
    "XPF",
})
# ISO 4217 currencies with three decimals.
THREE_DECIMAL = frozenset({"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"})


def currency_exponent(currency: str) -> int:
    """Number of decimals of ``currency`` in providers' minor units (JPY 0, EUR 2, KWD 3)."""
    code = (currency or "").strip().upper()
    if len(code) != 3 or not code.isalpha():
        raise ValueError(f"not a currency code: {currency!r}")
    if code in ZERO_DECIMAL:
        return 0
    if code in THREE_DECIMAL:
        return 3
    return 2


def from_minor_units(amount, currency: str) -> Decimal:
    """``amount`` in minor units (int, or a numeric string) → a Decimal in the currency's major unit."""
    if isinstance(amount, bool) or amount is None:
        raise ValueError(f"not an amount: {amount!r}")
    value = Decimal(str(amount))
    exponent = currency_exponent(currency)
    return (value / (Decimal(10) ** exponent)).quantize(Decimal(1).scaleb(-exponent))
