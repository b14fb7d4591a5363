"""XeroClient: the one chokepoint for Accounting API calls.

Every call carries the tenant header and ``Accept: application/json``, goes through the rate
limiter, honours ``Retry-After``, retries transient failures only when that is safe, refreshes the
access token once after a 401, and turns Xero's answers into typed errors.
"""
from __future__ import annotations

import datetime as _dt
import decimal
import hashlib
import json as _json
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import quote, urlencode

import requests

from . import resources as registry
from .client_calls import SubResourceCalls
from .config import Endpoints
from .dates import format_if_modified_since
from .errors import (
    AuthExpired,
    ConfigurationError,
    NotFound,
    RateLimited,
    ReconnectNeeded,
    RequestTooLarge,
    TransientError,
    ValidationError,
    XeroError,
)
from .parsing import error_message, flat_messages, parse_error_body, parse_retry_after, url_path, validation_messages
from .ratelimit import RateLimiter, limits_from_headers
from .resources import EMPTY_ID, MAX_PER_CALL

_logger = logging.getLogger(__name__)

MAX_IDEMPOTENCY_KEY = 128
MAX_BATCH = MAX_PER_CALL
# Xero answers 404 to a query string longer than about 2 KB (IIS' 2,048 characters): 52 GUIDs in ``IDs`` pass,
# 53 do not (XeroAPI/Xero-OpenAPI #534; Xero staff: "keep your searches below 50 IDs"). Ids go 40 a call.
MAX_QUERY_STRING = 2048
MAX_IDS_PER_CALL = 40
_TRANSIENT_STATUSES = {500, 502, 503, 504}
_SAFE_METHODS = {"GET", "HEAD"}
_MAX_RATE_LIMIT_LOOPS = 20
_BAD_URL_ERRORS = (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema,
                   requests.exceptions.InvalidSchema)

def normalize_idempotency_key(key: str | None) -> str | None:
    """Return ``key`` if it is a usable header value of ≤128 characters, else a deterministic
    128-character digest form (readable prefix + SHA-256). None/empty → None."""
    if key is None:
        return None
    key = str(key)
    if not key:
        return None
    if len(key) <= MAX_IDEMPOTENCY_KEY and key.isascii() and key.isprintable():
        return key
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()  # 64 chars
    prefix = "".join(c for c in key if c.isascii() and (c.isalnum() or c in "-_.:"))[:MAX_IDEMPOTENCY_KEY - 65]
    return f"{prefix}-{digest}" if prefix else digest


# One request's body at most (XERO.md: "One POST: at most 3.5 MB"; Xero answers 413 above it).
MAX_REQUEST_BYTES = 3_500_000


def encoded_size(value) -> int:
    """Bytes of ``value`` in a request's body, serialised exactly as :meth:`XeroClient.request` sends it."""
    return len(_json.dumps(value, default=_json_default, ensure_ascii=False).encode("utf-8"))


def _json_default(value):
    if isinstance(value, _dt.datetime):
        return value.isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, (set, tuple)):
        return list(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serialisable")


@dataclass
class ElementResult:
    """Outcome of one element of a batch write, in input order."""

    index: int
    ok: bool
    data: dict = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    resource: str = ""
    # Every element of the answer when one write sent several in a sub-collection's envelope (write_one to
    # TrackingCategories/<id>/Options); empty otherwise (``data`` is the element).
    elements: list[dict] = field(default_factory=list)

    @property
    def id(self) -> str | None:
        """The Xero id of the element (InvoiceID, ContactID…), None when unknown or on error."""
        known = registry.resource(self.resource)
        if known is None or not known.id_field:
            return None
        value = (self.data or {}).get(known.id_field)
        if not value or value == EMPTY_ID:
            return None
        return value

    @property
    def number(self) -> str | None:
        """The document number (InvoiceNumber, ContactNumber, Code…), None if the resource has none."""
        number_field = registry.number_field(self.resource)
        return (self.data or {}).get(number_field) if number_field else None

    @property
    def status(self) -> str | None:
        """The element's ``Status`` as Xero answered it."""
        return (self.data or {}).get("Status")


class XeroClient(SubResourceCalls):
    """Accounting API client for one tenant.

    ``token`` is an access token string, or a callable ``token(force_refresh: bool) -> str``;
    after a 401 it is called once with True and the call retried once.
    """

    def __init__(self, endpoints: Endpoints, tenant_id: str, token, *, rate_limiter: RateLimiter | None = None,
                 timeout: float = 30, max_retries: int = 3, backoff: float = 0.5, session=None, sleep=time.sleep,
                 user_agent: str = "xero_connector", max_rate_wait: float | None = None):
        self.endpoints = endpoints
        self.tenant_id = tenant_id
        self._can_refresh = callable(token)
        self._token = token if callable(token) else (lambda force_refresh=False, _t=token: _t)
        self.rate_limiter = rate_limiter
        self.timeout = timeout
        self.max_retries = max(0, int(max_retries))
        self.backoff = float(backoff)
        self.session = session or requests.Session()
        self.sleep = sleep
        self.user_agent = user_agent
        if max_rate_wait is None:
            max_rate_wait = rate_limiter.max_wait if rate_limiter is not None else 300.0
        self.max_rate_wait = float(max_rate_wait)
        self.last_limits: dict = {}
        self.last_pagination: dict | None = None

    def __repr__(self) -> str:
        return f"XeroClient(tenant_id={self.tenant_id!r}, api={self.endpoints.api_url!r})"

    # -- core -------------------------------------------------------------------------------------
    def _url(self, path: str) -> str:
        return f"{self.endpoints.accounting_url}/{path.lstrip('/')}"

    def _headers(self, access_token: str, extra, has_body: bool, idem: str | None, ims: str | None,
                 content_type: str | None = None) -> dict:
        headers = {
            "Authorization": f"Bearer {access_token}",
            "xero-tenant-id": self.tenant_id,
            "Accept": "application/json",
            "User-Agent": self.user_agent,
        }
        if has_body:
            headers["Content-Type"] = content_type or "application/json; charset=utf-8"
        if idem:
            headers["Idempotency-Key"] = idem
        if ims:
            headers["If-Modified-Since"] = ims
        if extra:
            headers.update(extra)
        return headers

    def _backoff_delay(self, attempt: int, retry_after: float | None = None) -> float:
        delay = min(30.0, self.backoff * (2 ** max(0, attempt - 1)))
        if retry_after is not None:
            delay = max(delay, min(retry_after, self.max_rate_wait))
        return delay

    def request(self, method: str, path: str, *, params=None, json=None, headers=None, idempotency_key=None,
                if_modified_since=None, data: bytes | None = None, content_type: str | None = None) -> dict:
        """Send one Accounting API request and return the parsed JSON body ({} for 204/304).

        ``path`` is relative to the Accounting base (``"Invoices"``, ``"Invoices/<id>"``). ``data``: a raw body
        (a file sent to the Attachments API) with its ``content_type``, instead of ``json``.
        Raises the typed errors of :mod:`xero.errors`.
        """
        method = method.upper()
        url = self._url(path)
        idem = normalize_idempotency_key(idempotency_key)
        ims = format_if_modified_since(if_modified_since) if if_modified_since is not None else None
        body = None
        if data is not None:
            body = bytes(data)
        elif json is not None:
            body = _json.dumps(json, default=_json_default, ensure_ascii=False).encode("utf-8")
        is_write = method not in _SAFE_METHODS
        retry_safe = not is_write or bool(idem)

        attempt = 0          # transient failures spent
        refreshed = False    # the token was force-refreshed once already
        rate_loops = 0
        rate_waited = 0.0
        force_refresh = False
        while True:
            access_token = self._token(force_refresh) if force_refresh else self._token(False)
            force_refresh = False
            req_headers = self._headers(access_token, headers, body is not None, idem, ims,
                                        content_type if data is not None else None)
            slot = self.rate_limiter.acquire(self.tenant_id) if self.rate_limiter else None
            started = time.monotonic()
            resp = None
            try:
                resp = self.session.request(method, url, params=params, data=body, headers=req_headers,
                                            timeout=self.timeout)
            except _BAD_URL_ERRORS as exc:
                self._release(slot, None)
                raise ConfigurationError(f"The Xero API URL is invalid ({type(exc).__name__}): check the api_url "
                                         "setting.") from None
            except requests.RequestException as exc:
                elapsed = (time.monotonic() - started) * 1000
                self._release(slot, None)
                never_sent = isinstance(exc, requests.exceptions.ConnectTimeout)
                _logger.warning("xero %s %s -> %s after %dms tenant=%s", method, url_path(url), type(exc).__name__,
                                elapsed, self.tenant_id)
                attempt += 1
                if (retry_safe or never_sent) and attempt <= self.max_retries:
                    self.sleep(self._backoff_delay(attempt))
                    continue
                raise TransientError(
                    f"Xero could not be reached ({type(exc).__name__}).",
                    outcome_unknown=is_write and not never_sent) from None
            finally:
                if resp is not None:
                    self._release(slot, resp.headers, resp.status_code)
            status = resp.status_code
            limits = limits_from_headers(resp.headers)
            if limits:
                self.last_limits.update(limits)
            log_level = logging.DEBUG if status < 400 else logging.INFO
            _logger.log(log_level, "xero %s %s -> %s in %dms tenant=%s limits=%s", method, url_path(url), status,
                        (time.monotonic() - started) * 1000, self.tenant_id, limits or "-")

            if status < 300:
                if status == 204 or not resp.content:
                    return {}
                parsed = parse_error_body(resp.content, resp.headers.get("Content-Type", ""))
                return parsed
            if status == 304:
                return {}

            err_body = parse_error_body(resp.content, resp.headers.get("Content-Type", ""))
            detail = error_message(err_body, "")

            if status == 429:
                problem = (resp.headers.get("X-Rate-Limit-Problem") or "").strip().lower() or None
                retry_after = parse_retry_after(resp.headers.get("Retry-After"))
                if self.rate_limiter:
                    self.rate_limiter.penalize(self.tenant_id, problem, retry_after)
                if problem == "day":
                    raise RateLimited("Xero's daily call limit for this organisation is reached.",
                                      retry_after=retry_after, problem="day", status=429, detail=detail)
                rate_loops += 1
                wait = retry_after if retry_after is not None else 1.0
                if rate_loops > _MAX_RATE_LIMIT_LOOPS or rate_waited + wait > self.max_rate_wait:
                    raise RateLimited("Xero keeps rate-limiting this organisation; try again later.",
                                      retry_after=retry_after, problem=problem, status=429, detail=detail)
                if not self.rate_limiter:
                    self.sleep(wait)   # with a limiter, acquire() waits for the penalty
                rate_waited += wait
                continue

            if status == 401:
                www = (resp.headers.get("WWW-Authenticate") or "").lower()
                if "authorizationunsuccessful" in detail.lower() or "insufficient_scope" in www:
                    raise ReconnectNeeded(
                        "The Xero consent lacks a permission (scope) this call needs: connect to Xero again.",
                        status=401, detail=detail)
                if self._can_refresh and not refreshed:
                    refreshed = True
                    force_refresh = True
                    continue
                raise AuthExpired("Xero refused the access token (expired or invalid).", status=401, detail=detail)

            if status == 403:
                text = detail.lower()
                if not detail or "authenticationunsuccessful" in text or "authorizationunsuccessful" in text:
                    raise ReconnectNeeded(
                        "Xero refused access to this organisation (it may have been disconnected or the "
                        "consent lacks a scope): connect to Xero again.", status=403, detail=detail)
                raise XeroError(f"Xero refused the request: {detail}", status=403, detail=detail)

            if status == 413:
                raise RequestTooLarge(f"Xero refused the request as too large ({len(body or b'')} bytes; Xero takes "
                                      f"at most {MAX_REQUEST_BYTES} in one call).", status=413, detail=detail)

            if status == 404:
                raise NotFound(f"Not found in Xero: {path}", status=404, detail=detail)

            if status == 400:
                elements = validation_messages(err_body)
                messages = flat_messages(err_body)
                summary = "; ".join(messages) or "Xero refused the data."
                raise ValidationError(summary, elements=elements, messages=messages, status=400, detail=detail)

            if status in _TRANSIENT_STATUSES:
                attempt += 1
                if retry_safe and attempt <= self.max_retries:
                    self.sleep(self._backoff_delay(attempt, parse_retry_after(resp.headers.get("Retry-After"))))
                    continue
                raise TransientError(f"Xero failed to answer (HTTP {status}).", status=status,
                                     outcome_unknown=is_write, detail=detail)

            raise XeroError(f"Xero refused the request: {detail or f'HTTP {status}'}", status=status, detail=detail)

    def _release(self, slot, headers, status=None) -> None:
        if slot is not None and self.rate_limiter is not None:
            self.rate_limiter.release(self.tenant_id, slot, headers, status=status)

    # -- helpers ----------------------------------------------------------------------------------
    def get(self, path: str, **kw) -> dict:
        """GET ``path`` (see :meth:`request`)."""
        return self.request("GET", path, **kw)

    def get_by_id(self, resource: str, record_id: str) -> dict | None:
        """The record ``resource/record_id`` (unwrapped from its envelope), or None when 404."""
        try:
            body = self.get(f"{resource}/{quote(str(record_id), safe='')}")
        except NotFound:
            return None
        records = body.get(resource.split("/")[0])
        if isinstance(records, list):
            return records[0] if records else None
        return body or None

    def iter_records(self, resource: str, *, params=None, where=None, order=None, ids=None, statuses=None,
                     contact_ids=None, if_modified_since=None, page_size: int = 1000, key: str | None = None,
                     paged: bool | None = None) -> Iterator[dict]:
        """Yield the records of a collection page by page (``page`` + ``pageSize``) until a short page.

        Earlier pages are not kept. Collections Xero does not page (not ``paged`` in the registry,
        :mod:`xero.resources`, or ``paged=False``) are one call: asking them for page 2 would answer the whole
        list again, forever.
        """
        key = key or resource.split("/")[0]
        known = registry.resource(key)
        if ids and not (known and known.ids_filter):
            raise ValueError(f"Xero has no IDs filter on {key}: read those records one by one (get_by_id)")
        if ids and len(ids) > MAX_IDS_PER_CALL:
            for start in range(0, len(ids), MAX_IDS_PER_CALL):
                yield from self.iter_records(
                    resource, params=params, where=where, order=order, ids=ids[start:start + MAX_IDS_PER_CALL],
                    statuses=statuses, contact_ids=contact_ids, if_modified_since=if_modified_since,
                    page_size=page_size, key=key, paged=paged)
            return
        fixed = known.page_size if known else None
        if paged is None:
            paged = bool(known and known.paged) or bool(fixed)
        query = dict(params or {})
        if where:
            query["where"] = where
        if order:
            query["order"] = order
        if ids:
            query["IDs"] = ",".join(str(i) for i in ids)
        if statuses:
            query["Statuses"] = ",".join(str(s) for s in statuses)
        if contact_ids:
            query["ContactIDs"] = ",".join(str(c) for c in contact_ids)
        page_size = fixed or max(1, min(int(page_size), 1000))
        page = 1
        while True:
            page_query = dict(query, page=page) if paged else dict(query)
            if paged and not fixed:
                page_query["pageSize"] = page_size
            if len(urlencode(page_query)) > MAX_QUERY_STRING:  # Xero would answer 404, as if nothing were there
                raise XeroError(f"A read of {key} would need a query string longer than the {MAX_QUERY_STRING} "
                                f"characters Xero accepts: ask for fewer records at a time.")
            body = self.get(resource, params=page_query, if_modified_since=if_modified_since)
            pagination = body.get("pagination") or body.get("Pagination")
            # Xero's pagination block (page, pageSize, pageCount, itemCount), for the caller's progress
            self.last_pagination = pagination if isinstance(pagination, dict) else None
            records = body.get(key) or []
            count = 0
            for record in records:
                count += 1
                yield record
            if not paged or count < page_size:
                return
            page_count = self.last_pagination.get("pageCount") if self.last_pagination else None
            if isinstance(page_count, int) and page >= page_count:
                return
            page += 1

    def batch_write(self, resource: str, elements: list[dict], *, method: str = "POST",
                    idempotency_key: str | None = None, batch_size: int | None = None, key: str | None = None,
                    params=None) -> list[ElementResult]:
        """Write ``elements`` in chunks of ≤50 (the collection's ``max_per_call``) with ``summarizeErrors=false``;
        one result per element.

        Chunk ``i`` uses the Idempotency-Key ``f"{idempotency_key}-{i}"`` (hashed if >128 chars).
        A chunk refused as a whole with a 400 marks all its elements failed with Xero's messages;
        other failures (RateLimited, ReconnectNeeded, TransientError…) are raised.
        """
        key = key or resource.split("/")[0]
        known = registry.resource(key)
        limit = known.max_per_call if known else MAX_BATCH
        size = max(1, min(int(batch_size or limit), limit, MAX_BATCH))
        results: list[ElementResult] = []
        query = dict(params or {})
        query["summarizeErrors"] = "false"
        if known and known.unitdp:
            query.setdefault("unitdp", "4")
        for chunk_no, start in enumerate(range(0, len(elements), size)):
            chunk = elements[start:start + size]
            idem = f"{idempotency_key}-{chunk_no}" if idempotency_key else None
            try:
                body = self.request(method, resource, params=query, json={key: chunk}, idempotency_key=idem)
            except ValidationError as exc:
                per_element = {el["index"]: el["messages"] for el in exc.elements}
                for offset, element in enumerate(chunk):
                    msgs = per_element.get(offset) or exc.messages or [exc.message]
                    results.append(ElementResult(index=start + offset, ok=False, data=dict(element),
                                                 errors=list(msgs), resource=key))
                continue
            returned = body.get(key) or []
            for offset, element in enumerate(chunk):
                if offset < len(returned) and isinstance(returned[offset], dict):
                    results.append(self._element_result(start + offset, returned[offset], key))
                else:
                    results.append(ElementResult(index=start + offset, ok=False, data=dict(element),
                                                 errors=["Xero returned no result for this element."],
                                                 resource=key))
        return results

    def write_one(self, path: str, element: dict, *, method: str = "POST",
                  idempotency_key: str | None = None) -> ElementResult:
        """Write to one record's own endpoint (``"Payments/<id>"``), whose body is the bare element, as
        Xero documents it (deleting a payment: ``{"Status": "DELETED"}``), or several in the sub-collection's
        envelope (``{"Options": [...]}``: the answer's elements are the result's ``elements``). Xero's refusal is
        the result's errors; other failures are raised as by :meth:`request`."""
        known = registry.resource(path)
        params = {"unitdp": "4"} if known and known.unitdp else None
        key = registry.envelope(path)  # CreditNotes/<id>/Allocations answers {"Allocations": [...]}
        try:
            body = self.request(method, path, params=params, json=element, idempotency_key=idempotency_key)
        except ValidationError as exc:
            return ElementResult(index=0, ok=False, data=dict(element), errors=list(exc.messages or [exc.message]),
                                 resource=key)
        returned = [r for r in body.get(key) or [] if isinstance(r, dict)]
        if len(returned) > 1:
            # Several elements sent in the sub-collection's envelope (TrackingCategories/<id>/Options): the
            # first is the result's data, all of them its elements; a refusal of any is the result's.
            results = [self._element_result(i, r, key) for i, r in enumerate(returned)]
            return ElementResult(index=0, ok=all(r.ok for r in results), data=returned[0],
                                 errors=[e for r in results for e in r.errors],
                                 warnings=[w for r in results for w in r.warnings], resource=key,
                                 elements=returned)
        if returned and isinstance(returned[0], dict):
            return self._element_result(0, returned[0], key)
        return ElementResult(index=0, ok=False, data=dict(element), errors=["Xero returned no result for this record."],
                             resource=key)

    @staticmethod
    def _element_result(index: int, data: dict, resource: str) -> ElementResult:
        errors = [str(m.get("Message")) for m in (data.get("ValidationErrors") or [])
                  if isinstance(m, dict) and m.get("Message")]
        warnings = [str(m.get("Message")) for m in (data.get("Warnings") or [])
                    if isinstance(m, dict) and m.get("Message")]
        status_attr = str(data.get("StatusAttributeString") or "").upper()
        ok = status_attr != "ERROR" and not errors
        return ElementResult(index=index, ok=ok, data=data, errors=errors, warnings=warnings, resource=resource)


__all__ = ["MAX_REQUEST_BYTES", "ElementResult", "XeroClient", "encoded_size", "normalize_idempotency_key"]
