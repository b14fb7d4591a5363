"""A small GoCardless API client (ORM-free): the few reads the connector needs.

- ``payment(id)``, ``mandate(id)``, ``customer(id)``, ``refund(id)``, ``payout(id)``: amounts,
  currency, dates, links and metadata, and who paid (GoCardless' webhooks carry ids only, never amounts);
- ``payout_items(payout_id)``: the items of a payout (``payment_paid_out``, ``gocardless_fee``,
  ``app_fee``, …), cursor-paginated; fees are only available there.

Base URL https://api.gocardless.com (sandbox: https://api-sandbox.gocardless.com); a Bearer access
token; ``GoCardless-Version: 2015-07-06``. Errors: :class:`GoCardlessError` (see ``provider_api``).
"""
from __future__ import annotations

from .provider_api import ProviderApiClient, ProviderApiError

DEFAULT_URL = "https://api.gocardless.com"
API_VERSION = "2015-07-06"


class GoCardlessError(ProviderApiError):
    pass


class GoCardlessClient(ProviderApiClient):
    label = "GoCardless"
    default_url = DEFAULT_URL
    error_class = GoCardlessError

    def headers(self) -> dict:
        return dict(super().headers(), **{"GoCardless-Version": API_VERSION})

    def _one(self, collection: str, record_id: str) -> dict:
        return self.get(f"{collection}/{self.quote_id(record_id)}").get(collection) or {}

    def payment(self, payment_id: str) -> dict:
        return self._one("payments", payment_id)

    def mandate(self, mandate_id: str) -> dict:
        return self._one("mandates", mandate_id)

    def customer(self, customer_id: str) -> dict:
        return self._one("customers", customer_id)

    def refund(self, refund_id: str) -> dict:
        return self._one("refunds", refund_id)

    def payout(self, payout_id: str) -> dict:
        return self._one("payouts", payout_id)

    def payout_items(self, payout_id: str, limit: int = 500) -> list[dict]:
        """Every item of the payout (follows ``meta.cursors.after``)."""
        items, after = [], None
        while True:
            params = {"payout": payout_id, "limit": limit}
            if after:
                params["after"] = after
            body = self.get("payout_items", params=params)
            items.extend(body.get("payout_items") or [])
            after = ((body.get("meta") or {}).get("cursors") or {}).get("after")
            if not after:
                return items
