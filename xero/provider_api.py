"""Read-only JSON clients of the payment providers' APIs (ORM-free): GoCardless and Stripe.

Both answer errors as ``{"error": {"message": …}}`` and authenticate with a Bearer secret. Errors are
typed: :class:`ProviderApiError` with ``transient`` for timeouts, connection errors, 429 and 5xx (the
event that needed the read is retried), ``status`` for the HTTP status. The secret is never part of
a message, a log line or ``repr``.
"""
from __future__ import annotations

import logging
import time
from urllib.parse import quote

import requests

_logger = logging.getLogger(__name__)

TIMEOUT = 20


class ProviderApiError(Exception):
    def __init__(self, message: str, status: int | None = None, transient: bool = False):
        super().__init__(message)
        self.message = message
        self.status = status
        self.transient = transient


class ProviderApiClient:
    """GET ``{base_url}/{path}`` with ``Authorization: Bearer <secret>`` and the provider's headers."""

    label = "API"
    default_url = ""
    error_class = ProviderApiError

    def __init__(self, secret: str, base_url: str | None = None, *, session=None, timeout: float = TIMEOUT):
        if not secret:
            raise self.error_class(f"no {self.label} secret configured")
        self.base_url = (base_url or self.default_url).rstrip("/")
        self._secret = secret
        self.session = session or requests.Session()
        self.timeout = timeout

    def __repr__(self):
        return f"{type(self).__name__}(base_url={self.base_url!r})"

    def headers(self) -> dict:
        return {"Authorization": f"Bearer {self._secret}", "Accept": "application/json"}

    def get(self, path: str, params=None) -> dict:
        url = f"{self.base_url}/{path.lstrip('/')}"
        started = time.monotonic()
        try:
            answer = self.session.get(url, params=params, headers=self.headers(), timeout=self.timeout)
        except (requests.Timeout, requests.ConnectionError) as exc:
            raise self.error_class(f"{self.label} did not answer ({type(exc).__name__})", transient=True) from None
        _logger.info("%s GET %s -> %s in %.0f ms", self.label, path, answer.status_code,
                     (time.monotonic() - started) * 1000)
        if answer.status_code >= 400:
            try:
                error = answer.json().get("error") or {}
            except (ValueError, AttributeError):
                error = {}
            message = (error.get("message") if isinstance(error, dict) else None) or f"HTTP {answer.status_code}"
            raise self.error_class(f"{self.label}: {message}", status=answer.status_code,
                                   transient=answer.status_code == 429 or answer.status_code >= 500)
        try:
            body = answer.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise self.error_class(f"{self.label} answered something that is not a JSON object", answer.status_code,
                                   transient=True)
        return body

    @staticmethod
    def quote_id(record_id) -> str:
        return quote(str(record_id), safe="")
