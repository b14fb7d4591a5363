"""A small GoCardless API client (ORM-free): the few reads the connector needs.

- ``payment(id)``, ``mandate(id)``, ``customer(id)``: a payment's amount, currency, charge date, links
  and metadata, and who paid (GoCardless' webhooks carry ids only, never amounts);
- ``payout_items(payout_id)``: the items of a payout (``payment_paid_out``, ``gocardless_fee``,
  ``app_fee``, …), cursor-paginated; fees are only available there.

Base URL https://api.gocardless.com (sandbox: https://api-sandbox.gocardless.com); a Bearer access
token; ``GoCardless-Version: 2015-07-06``. Errors are typed: :class:`GoCardlessError` with
``transient`` for timeouts, connection errors, 429 and 5xx.
"""
from __future__ import annotations

import logging
import time
from urllib.parse import quote

import requests

_logger = logging.getLogger(__name__)

DEFAULT_URL = "https://api.gocardless.com"
API_VERSION = "2015-07-06"
TIMEOUT = 20


class GoCardlessError(Exception):
    def __init__(self, message: str, status: int | None = None, transient: bool = False):
        super().__init__(message)
        self.message = message
        self.status = status
        self.transient = transient


class GoCardlessClient:
    def __init__(self, access_token: str, base_url: str | None = None, *, session=None, timeout: float = TIMEOUT):
        if not access_token:
            raise GoCardlessError("no GoCardless access token configured")
        self.base_url = (base_url or DEFAULT_URL).rstrip("/")
        self._token = access_token
        self.session = session or requests.Session()
        self.timeout = timeout

    def __repr__(self):
        return f"GoCardlessClient(base_url={self.base_url!r})"

    def get(self, path: str, params=None) -> dict:
        url = f"{self.base_url}/{path.lstrip('/')}"
        headers = {
            "Authorization": f"Bearer {self._token}",
            "GoCardless-Version": API_VERSION,
            "Accept": "application/json",
        }
        started = time.monotonic()
        try:
            answer = self.session.get(url, params=params, headers=headers, timeout=self.timeout)
        except (requests.Timeout, requests.ConnectionError) as exc:
            raise GoCardlessError(f"GoCardless did not answer ({type(exc).__name__})", transient=True) from None
        _logger.info("GoCardless GET %s -> %s in %.0f ms", path, answer.status_code,
                     (time.monotonic() - started) * 1000)
        if answer.status_code >= 400:
            try:
                error = answer.json().get("error") or {}
            except ValueError:
                error = {}
            message = (error.get("message") if isinstance(error, dict) else None) or f"HTTP {answer.status_code}"
            raise GoCardlessError(f"GoCardless: {message}", status=answer.status_code,
                                  transient=answer.status_code == 429 or answer.status_code >= 500)
        try:
            return answer.json()
        except ValueError:
            raise GoCardlessError("GoCardless answered something that is not JSON", answer.status_code,
                                  transient=True) from None

    def _one(self, collection: str, record_id: str) -> dict:
        return self.get(f"{collection}/{quote(str(record_id), safe='')}").get(collection) or {}

    def payment(self, payment_id: str) -> dict:
        return self._one("payments", payment_id)

    def mandate(self, mandate_id: str) -> dict:
        return self._one("mandates", mandate_id)

    def customer(self, customer_id: str) -> dict:
        return self._one("customers", customer_id)

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
