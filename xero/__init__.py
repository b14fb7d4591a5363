"""ORM-free Xero library: OAuth, the Accounting API client, pacing, errors, dates and signatures.

Never imports Odoo. Imported as ``xero`` by plain pytest and as
``odoo.addons.xero_connector.xero`` inside Odoo, hence relative imports only.
"""
from .accounts import account_ref
from .client import ElementResult, XeroClient, normalize_idempotency_key
from .config import ATTACHMENTS_SCOPE, DEFAULT_SCOPES, Endpoints, scopes_for
from .dates import format_date, format_if_modified_since, parse_xero_date, to_xero_ms_date
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
    redact,
)
from .oauth import OAuth, TokenSet, decode_jwt_claims
from .parsing import error_message, flat_messages, parse_error_body, parse_retry_after, validation_messages
from .payment_checks import LINE_DESCRIPTION_MAX, payment_problems
from .ratelimit import MemoryStateStore, RateLimiter, StateStore, limits_from_headers
from .signatures import (
    SignatureError,
    gocardless_signature,
    stripe_signature,
    verify_gocardless,
    verify_stripe,
    verify_xero,
    xero_signature,
)
from .webhook_json import MAX_BODY_BYTES, MAX_JSON_DEPTH, WebhookBodyError, parse_webhook_json, read_at_most

__all__ = [
    "account_ref",
    "ATTACHMENTS_SCOPE",
    "DEFAULT_SCOPES",
    "AuthExpired",
    "ConfigurationError",
    "ElementResult",
    "Endpoints",
    "LINE_DESCRIPTION_MAX",
    "MAX_BODY_BYTES",
    "MAX_JSON_DEPTH",
    "MemoryStateStore",
    "NotFound",
    "OAuth",
    "RateLimited",
    "RateLimiter",
    "ReconnectNeeded",
    "RequestTooLarge",
    "SignatureError",
    "StateStore",
    "TokenSet",
    "TransientError",
    "ValidationError",
    "WebhookBodyError",
    "XeroClient",
    "XeroError",
    "decode_jwt_claims",
    "error_message",
    "flat_messages",
    "format_date",
    "format_if_modified_since",
    "gocardless_signature",
    "limits_from_headers",
    "normalize_idempotency_key",
    "parse_error_body",
    "parse_retry_after",
    "parse_webhook_json",
    "parse_xero_date",
    "payment_problems",
    "read_at_most",
    "redact",
    "scopes_for",
    "stripe_signature",
    "to_xero_ms_date",
    "validation_messages",
    "verify_gocardless",
    "verify_stripe",
    "verify_xero",
    "xero_signature",
]
