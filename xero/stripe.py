"""A small Stripe API client (ORM-free): the one read the connector needs.

Stripe's webhooks carry a charge's ``balance_transaction`` as an id (or nothing yet, for payment
methods that settle later), and a payment intent's ``latest_charge`` as an id: the fee, the currency
it was settled in and the exchange rate are only in the balance transaction. ``charge(id)`` (or
``intent_charge(id)`` when only the payment intent is known) reads the charge with its balance
transaction expanded: one call per payment. From API version 2025-03-31, which invoice a payment intent
pays is read too (``invoice_payments``).

Base URL https://api.stripe.com; a secret or restricted key (``rk_…`` with read access to charges
and invoices is enough) as a Bearer token. Errors: :class:`StripeError` (see ``provider_api``).
"""
from __future__ import annotations

from .provider_api import ProviderApiClient, ProviderApiError

DEFAULT_URL = "https://api.stripe.com"


class StripeError(ProviderApiError):
    pass


class StripeClient(ProviderApiClient):
    label = "Stripe"
    default_url = DEFAULT_URL
    error_class = StripeError

    def charge(self, charge_id: str) -> dict:
        """The charge, its ``balance_transaction`` expanded (``None`` while Stripe has not settled it)."""
        return self.get(f"v1/charges/{self.quote_id(charge_id)}", params={"expand[]": "balance_transaction"})

    def intent_charge(self, intent_id: str) -> dict | None:
        """The latest charge of a payment intent, its balance transaction expanded (``None``: no charge yet).
        For events that name the payment intent only (a subscription's ``invoice.paid``)."""
        intent = self.get(f"v1/payment_intents/{self.quote_id(intent_id)}",
                          params={"expand[]": "latest_charge.balance_transaction"})
        charge = intent.get("latest_charge")
        return charge if isinstance(charge, dict) else None

    def invoice_payments(self, *, invoice: str | None = None, intent: str | None = None) -> list[dict]:
        """``GET /v1/invoice_payments``: an invoice's payments, or the invoice payments of a payment intent.
        From API version 2025-03-31 (basil), invoices no longer name their payment intent nor charges and
        payment intents their invoice: this is where the link is (``invoice``, ``payment.payment_intent``,
        ``status``)."""
        params = {"limit": 100}
        if invoice:
            params["invoice"] = invoice
        if intent:
            params.update({"payment[type]": "payment_intent", "payment[payment_intent]": intent})
        return self.get("v1/invoice_payments", params=params).get("data") or []
