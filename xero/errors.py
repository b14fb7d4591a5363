"""Typed errors of the Xero library, and redaction of secrets in texts shown or logged."""
from __future__ import annotations

import re

_DETAIL_MAX = 500

_REDACTIONS = (
    # Authorization: Bearer <token> / Basic <credentials>
    (re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9\-._~+/]+=*"), r"\1 ***"),
    # JWT-shaped strings (access / id tokens)
    (re.compile(r"eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*"), "***"),
    # key=value / "key": "value" for OAuth secrets (lower-case keys, as OAuth names them)
    (
        re.compile(
            r"""(["']?\b(?:access_token|refresh_token|id_token|client_secret|code|token|password|secret|authorization)\b["']?\s*[:=]\s*["']?)[^"'&\s,}]+"""
        ),
        r"\1***",
    ),
)


def redact(text) -> str:
    """Return ``text`` (str, bytes or None) with tokens, secrets and codes masked, cut to a short excerpt."""
    if text is None:
        return ""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    text = str(text)
    for pattern, repl in _REDACTIONS:
        text = pattern.sub(repl, text)
    if len(text) > _DETAIL_MAX:
        text = text[:_DETAIL_MAX] + "…"
    return text


class XeroError(Exception):
    """Base of every error raised by the library.

    ``message`` is human and safe to show, ``status`` the HTTP status (or None),
    ``detail`` a short, redacted excerpt of Xero's answer.
    """

    def __init__(self, message: str, *, status: int | None = None, detail=None):
        self.message = redact(message) if message else self.__class__.__name__
        self.status = status
        self.detail = redact(detail)
        super().__init__(self.message)

    def __str__(self) -> str:
        if self.status is not None:
            return f"{self.message} (HTTP {self.status})"
        return self.message


class ConfigurationError(XeroError):
    """The app is misconfigured: invalid client, unregistered redirect URI, invalid scope."""


class ReconnectNeeded(XeroError):
    """The grant is gone (invalid_grant, revoked, tenant disconnected): an admin must connect again."""


class AuthExpired(XeroError):
    """401 on an API call: the access token expired or is invalid."""


class RateLimited(XeroError):
    """Xero's (or our own pacing's) rate limit was hit.

    ``retry_after`` is seconds to wait (or None), ``problem`` one of
    ``'minute'``, ``'day'``, ``'concurrent'``, ``'appminute'`` or None.
    """

    def __init__(self, message: str, *, retry_after: float | None = None, problem: str | None = None,
                 status: int | None = 429, detail=None):
        super().__init__(message, status=status, detail=detail)
        self.retry_after = retry_after
        self.problem = problem


class ValidationError(XeroError):
    """400: Xero refused the data. ``elements`` is ``[{"index": i, "messages": [...]}]``."""

    def __init__(self, message: str, *, elements: list[dict] | None = None, messages: list[str] | None = None,
                 status: int | None = 400, detail=None):
        super().__init__(message, status=status, detail=detail)
        self.elements = list(elements or [])
        if messages is None:
            messages = [m for el in self.elements for m in el.get("messages", [])]
        self.messages = list(messages)


class NotFound(XeroError):
    """404: the resource does not exist."""


class RequestTooLarge(XeroError):
    """413: the request's body is larger than Xero takes in one call (3.5 MB; XERO.md). Nothing was processed."""


class TransientError(XeroError):
    """5xx, timeout or connection error. ``outcome_unknown`` is True when a write may have been applied."""

    def __init__(self, message: str, *, outcome_unknown: bool = False, status: int | None = None, detail=None):
        super().__init__(message, status=status, detail=detail)
        self.outcome_unknown = outcome_unknown
