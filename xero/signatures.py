"""Webhook signature checks (Xero, Stripe, GoCardless): constant-time, fail closed."""
from __future__ import annotations

import base64
import hashlib
import hmac
import time


class SignatureError(Exception):
    """The signature is missing, malformed, stale or does not match. ``reason`` says which."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _key_bytes(key) -> bytes:
    return key.encode("utf-8") if isinstance(key, str) else bytes(key)


def _body_bytes(body) -> bytes:
    if body is None:
        return b""
    return body.encode("utf-8") if isinstance(body, str) else bytes(body)


def _hmac(key, body) -> bytes:
    return hmac.new(_key_bytes(key), _body_bytes(body), hashlib.sha256).digest()


def xero_signature(body: bytes, key: str) -> str:
    """Xero's ``x-xero-signature`` value: base64 of HMAC-SHA256(raw body, webhook key)."""
    return base64.b64encode(_hmac(key, body)).decode("ascii")


def verify_xero(body: bytes, header: str | None, key: str | None) -> None:
    """Check a Xero webhook; raise SignatureError unless ``header`` matches (no key → refused)."""
    if not key:
        raise SignatureError("no webhook key configured")
    if not header or not header.strip():
        raise SignatureError("missing x-xero-signature header")
    expected = xero_signature(body, key)
    if not hmac.compare_digest(expected.encode("ascii"), header.strip().encode("utf-8", "replace")):
        raise SignatureError("signature mismatch")


def stripe_signature(body: bytes, secret: str, timestamp: int) -> str:
    """Stripe's v1 signature: hex HMAC-SHA256 of ``"{t}.{raw body}"`` with the endpoint secret."""
    payload = str(int(timestamp)).encode("ascii") + b"." + _body_bytes(body)
    return hmac.new(_key_bytes(secret), payload, hashlib.sha256).hexdigest()


def verify_stripe(body: bytes, header: str | None, secret: str | None, *, tolerance: int = 300,
                  now: float | None = None) -> int:
    """Check a ``Stripe-Signature`` header (``t=<unix>,v1=<hex>[,v1=…]``) and return its timestamp.

    Any v1 may match; v0 and unknown schemes are ignored; a timestamp further than ``tolerance``
    seconds from ``now`` (either side) is refused.
    """
    if not secret:
        raise SignatureError("no Stripe webhook secret configured")
    if not header or not header.strip():
        raise SignatureError("missing Stripe-Signature header")
    timestamp = None
    candidates = []
    for part in header.split(","):
        name, sep, value = part.strip().partition("=")
        if not sep:
            continue
        if name == "t":
            try:
                timestamp = int(value)
            except ValueError:
                raise SignatureError("malformed timestamp") from None
        elif name == "v1":
            candidates.append(value.strip())
    if timestamp is None:
        raise SignatureError("no timestamp in Stripe-Signature")
    if not candidates:
        raise SignatureError("no v1 signature in Stripe-Signature")
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance:
        raise SignatureError("timestamp outside tolerance")
    expected = stripe_signature(body, secret, timestamp).encode("ascii")
    matched = False
    for candidate in candidates:
        # compare every candidate (no early exit on the first match)
        if hmac.compare_digest(expected, candidate.encode("utf-8", "replace")):
            matched = True
    if not matched:
        raise SignatureError("signature mismatch")
    return timestamp


def gocardless_signature(body: bytes, secret: str) -> str:
    """GoCardless' ``Webhook-Signature``: hex HMAC-SHA256 of the raw body."""
    return hmac.new(_key_bytes(secret), _body_bytes(body), hashlib.sha256).hexdigest()


def verify_gocardless(body: bytes, header: str | None, secret: str | None) -> None:
    """Check a GoCardless ``Webhook-Signature`` header; raise SignatureError unless it matches."""
    if not secret:
        raise SignatureError("no GoCardless webhook secret configured")
    if not header or not header.strip():
        raise SignatureError("missing Webhook-Signature header")
    expected = gocardless_signature(body, secret).encode("ascii")
    if not hmac.compare_digest(expected, header.strip().lower().encode("utf-8", "replace")):
        raise SignatureError("signature mismatch")
