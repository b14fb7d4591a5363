"""Calls to one document's own sub-resources, each answered in its own way: a file sent to the Attachments API
(raw body), an action answering 204 (``Invoices/<id>/Email``), a read of one element (``Invoices/<id>/OnlineInvoice``).
Mixed into :class:`~xero.client.XeroClient`, whose ``request`` they go through (pacing, retries, typed errors)."""
from __future__ import annotations

from . import resources as registry
from .errors import ValidationError


def _result(**values):
    from .client import ElementResult
    return ElementResult(index=0, **values)


class SubResourceCalls:
    """Mixed into XeroClient (``self.request``, ``self.get``)."""

    def upload(self, path: str, content: bytes, content_type: str, *, method: str = "PUT", include_online=None,
               idempotency_key: str | None = None):
        """Send one file to a document's Attachments API (``"Invoices/<id>/Attachments/<FileName>"``): the raw
        file as the body with its ``content_type`` (Xero's Attachments API; one call per file, no batching).
        ``include_online``: ``IncludeOnline=true`` (sales invoices and credit notes only, on a PUT: spec 16.1.0).
        The result's data is Xero's attachment (``AttachmentID``…); Xero's refusal is its errors."""
        params = {"IncludeOnline": "true"} if include_online else None
        try:
            body = self.request(method, path, params=params, data=content or b"",
                                content_type=content_type or "application/octet-stream",
                                idempotency_key=idempotency_key)
        except ValidationError as exc:
            return _result(ok=False, errors=list(exc.messages or [exc.message]),
                                 resource="Attachments")
        returned = [r for r in body.get("Attachments") or [] if isinstance(r, dict)]
        if not returned:
            return _result(ok=False, errors=["Xero returned no attachment."], resource="Attachments")
        return _result(ok=True, data=returned[0], resource="Attachments")

    def action(self, path: str, *, idempotency_key: str | None = None):
        """POST an empty object to an action endpoint that answers 204 (``"Invoices/<id>/Email"``). Xero's
        refusal (400) is the result's errors; other failures are raised as by :meth:`request`."""
        try:
            body = self.request("POST", path, json={}, idempotency_key=idempotency_key)
        except ValidationError as exc:
            return _result(ok=False, errors=list(exc.messages or [exc.message]),
                                 resource=registry.envelope(path))
        return _result(ok=True, data=body or {}, resource=registry.envelope(path))

    def read_one(self, path: str):
        """GET one record's sub-resource (``"Invoices/<id>/OnlineInvoice"``): the first element of its envelope.
        Xero's refusal (400) is the result's errors; other failures are raised as by :meth:`request`."""
        key = registry.envelope(path)
        try:
            body = self.get(path)
        except ValidationError as exc:
            return _result(ok=False, errors=list(exc.messages or [exc.message]), resource=key)
        returned = [r for r in body.get(key) or [] if isinstance(r, dict)]
        if not returned:
            return _result(ok=False, errors=["Xero returned nothing."], resource=key)
        return _result(ok=True, data=returned[0], resource=key)
