"""OAuth 2.0 with Xero: authorize URL, code exchange, refresh, revocation, tenant connections.

Token-endpoint calls are never retried here. When a refresh fails with a TransientError
(network error, timeout, 5xx) the outcome is unknown: Xero may have rotated the refresh token
and the answer was lost. Xero accepts the *previous* refresh token for 30 minutes, so the caller
should keep the token set it has and simply retry ``refresh()`` with the same refresh token later.
An ``invalid_grant`` answer (ReconnectNeeded) is never transient: an admin must connect again.
"""
from __future__ import annotations

import base64
import json
import logging
import time
from dataclasses import dataclass, field
from urllib.parse import quote, urlencode

import requests

from .config import DEFAULT_SCOPES, Endpoints
from .errors import (
    AuthExpired,
    ConfigurationError,
    NotFound,
    RateLimited,
    ReconnectNeeded,
    TransientError,
    XeroError,
    redact,
)
from .parsing import error_message, parse_error_body, parse_retry_after, url_path

_logger = logging.getLogger(__name__)

_CONFIG_ERRORS = {"invalid_client", "unauthorized_client", "invalid_scope", "unsupported_grant_type",
                  "invalid_redirect_uri", "redirect_uri_mismatch"}


def decode_jwt_claims(token: str | None) -> dict:
    """Claims of a JWT, decoded WITHOUT verifying its signature; ``{}`` if not a JWT."""
    if not token or not isinstance(token, str):
        return {}
    parts = token.split(".")
    if len(parts) < 2:
        return {}
    payload = parts[1]
    payload += "=" * (-len(payload) % 4)
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload.encode("ascii")))
    except (ValueError, UnicodeError):
        return {}
    return claims if isinstance(claims, dict) else {}


@dataclass
class TokenSet:
    """One Xero token set. ``expires_at`` is epoch seconds (wall clock)."""

    access_token: str
    refresh_token: str | None
    expires_at: float
    scope: tuple[str, ...] = field(default_factory=tuple)
    id_token: str | None = None
    token_type: str = "Bearer"

    def __repr__(self) -> str:  # never show tokens in tracebacks or logs
        return f"TokenSet(expires_at={self.expires_at!r}, scope={self.scope!r}, token_type={self.token_type!r})"

    @property
    def auth_event_id(self) -> str | None:
        """The ``authentication_event_id`` claim of the access token (not verified); None if absent."""
        return decode_jwt_claims(self.access_token).get("authentication_event_id") or None

    @property
    def id_claims(self) -> dict:
        """Claims of the id token (email, name, xero_userid…); ``{}`` without one."""
        return decode_jwt_claims(self.id_token)

    def expires_within(self, seconds: float, now: float | None = None) -> bool:
        """True when the access token expires within ``seconds`` from ``now`` (default: time.time())."""
        current = time.time() if now is None else now
        return self.expires_at - current <= seconds

    def to_dict(self) -> dict:
        """JSON-serialisable form (for storage)."""
        return {
            "access_token": self.access_token,
            "refresh_token": self.refresh_token,
            "expires_at": float(self.expires_at),
            "scope": list(self.scope),
            "id_token": self.id_token,
            "token_type": self.token_type,
        }

    @classmethod
    def from_dict(cls, d: dict) -> TokenSet:
        """Inverse of :meth:`to_dict`."""
        scope = d.get("scope") or ()
        if isinstance(scope, str):
            scope = scope.split()
        return cls(
            access_token=d["access_token"],
            refresh_token=d.get("refresh_token"),
            expires_at=float(d.get("expires_at") or 0),
            scope=tuple(scope),
            id_token=d.get("id_token"),
            token_type=d.get("token_type") or "Bearer",
        )

    @classmethod
    def from_response(cls, data: dict, now: float) -> TokenSet:
        """Build a TokenSet from a token-endpoint answer received at ``now``."""
        if not isinstance(data, dict) or not data.get("access_token"):
            raise XeroError("The token endpoint answered without an access token.")
        scope = data.get("scope") or ""
        if isinstance(scope, str):
            scope = scope.split()
        return cls(
            access_token=data["access_token"],
            refresh_token=data.get("refresh_token"),
            expires_at=float(now) + float(data.get("expires_in") or 1800),
            scope=tuple(scope),
            id_token=data.get("id_token"),
            token_type=data.get("token_type") or "Bearer",
        )


class OAuth:
    """Xero's identity endpoints for one app (client id + secret)."""

    def __init__(self, endpoints: Endpoints, client_id: str, client_secret: str, *, timeout: float = 20,
                 session=None, clock=time.time):
        self.endpoints = endpoints
        self.client_id = client_id
        self._client_secret = client_secret
        self.timeout = timeout
        self.session = session or requests.Session()
        self.clock = clock

    def __repr__(self) -> str:
        return f"OAuth(client_id={self.client_id!r}, endpoints={self.endpoints!r})"

    # -- authorization --------------------------------------------------------------------------
    def authorize_url(self, redirect_uri: str, state: str, scopes=DEFAULT_SCOPES) -> str:
        """URL to send the admin to for consent (authorization-code flow)."""
        if isinstance(scopes, str):
            scopes = scopes.split()
        query = urlencode(
            {
                "response_type": "code",
                "client_id": self.client_id,
                "redirect_uri": redirect_uri,
                "scope": " ".join(scopes),
                "state": state,
            },
            quote_via=quote,
        )
        return f"{self.endpoints.authorize_url}?{query}"

    def exchange_code(self, code: str, redirect_uri: str) -> TokenSet:
        """Exchange an authorization code (single use, 5 minutes) for a token set."""
        data = self._token_call({"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri},
                                "code exchange")
        return TokenSet.from_response(data, self.clock())

    def refresh(self, refresh_token: str) -> TokenSet:
        """Refresh: returns the NEW token set (rotated refresh token); the caller must persist it.

        Not retried: on TransientError retry later with the same refresh token (Xero accepts the
        previous one for 30 minutes). ReconnectNeeded on invalid_grant.
        """
        if not refresh_token:
            raise ReconnectNeeded("No refresh token is stored: connect to Xero again.")
        data = self._token_call({"grant_type": "refresh_token", "refresh_token": refresh_token}, "token refresh")
        return TokenSet.from_response(data, self.clock())

    def revoke(self, refresh_token: str) -> None:
        """Revoke a refresh token (disconnects every tenant of that consent)."""
        self._post_identity(self.endpoints.revocation_url, {"token": refresh_token}, "revocation")

    # -- connections ----------------------------------------------------------------------------
    def connections(self, access_token: str, auth_event_id: str | None = None) -> list[dict]:
        """Tenants this token may access; with ``auth_event_id`` only those of that consent."""
        params = {"authEventId": auth_event_id} if auth_event_id else None
        resp = self._api_call("GET", self.endpoints.connections_url, access_token, params=params)
        body = parse_error_body(resp.content, resp.headers.get("Content-Type", ""))
        items = body.get("items", []) if "items" in body else []
        return [c for c in items if isinstance(c, dict)]

    def delete_connection(self, access_token: str, connection_id: str) -> None:
        """Disconnect one tenant (the connection ``id``, not the tenant id)."""
        self._api_call("DELETE", f"{self.endpoints.connections_url}/{quote(connection_id, safe='')}", access_token)

    # -- internals ------------------------------------------------------------------------------
    def _token_call(self, form: dict, what: str) -> dict:
        resp = self._post_identity(self.endpoints.token_url, form, what)
        try:
            data = resp.json()
        except ValueError:
            raise TransientError(f"Xero's {what} answer could not be read.", status=resp.status_code,
                                 outcome_unknown=True) from None
        return data

    def _post_identity(self, url: str, form: dict, what: str):
        started = time.monotonic()
        try:
            resp = self.session.post(url, data=form, auth=(self.client_id, self._client_secret),
                                     headers={"Accept": "application/json"}, timeout=self.timeout)
        except (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema,
                requests.exceptions.InvalidSchema) as exc:
            raise ConfigurationError(f"The Xero identity URL is invalid ({type(exc).__name__}).") from None
        except requests.RequestException as exc:
            _logger.warning("xero identity %s failed: %s", what, type(exc).__name__)
            raise TransientError(f"Xero could not be reached for the {what} ({type(exc).__name__}).",
                                 outcome_unknown=True) from None
        _logger.info("xero identity POST %s -> %s in %dms", url_path(url), resp.status_code,
                     (time.monotonic() - started) * 1000)
        if resp.status_code < 400:
            return resp
        self._raise_identity_error(resp, what)
        return resp  # pragma: no cover

    def _raise_identity_error(self, resp, what: str):
        status = resp.status_code
        body = parse_error_body(resp.content, resp.headers.get("Content-Type", ""))
        code = str(body.get("error") or "").strip()
        description = str(body.get("error_description") or "")
        detail = f"{code}: {description}" if description else code
        if code == "invalid_grant":
            raise ReconnectNeeded(
                f"Xero refused the {what} (invalid_grant): the authorisation was revoked, expired or used "
                "elsewhere. Connect to Xero again.", status=status, detail=detail)
        if code in _CONFIG_ERRORS:
            raise ConfigurationError(
                f"Xero refused the app configuration during the {what} ({code}): check the client id, "
                "client secret, redirect URI and scopes.", status=status, detail=detail)
        if status == 429:
            raise RateLimited(f"Xero rate-limited the {what}.", retry_after=_retry_after(resp),
                              problem=(resp.headers.get("X-Rate-Limit-Problem") or None), detail=detail)
        if status >= 500:
            raise TransientError(f"Xero's identity service failed during the {what}.", status=status,
                                 outcome_unknown=True, detail=detail or redact(resp.text))
        if status == 401:
            raise ConfigurationError(f"Xero refused the app credentials during the {what}.", status=status,
                                     detail=detail)
        raise XeroError(f"Xero refused the {what}: {code or error_message(body, 'error')}.", status=status,
                        detail=detail)

    def _api_call(self, method: str, url: str, access_token: str, params=None):
        started = time.monotonic()
        headers = {"Authorization": f"Bearer {access_token}", "Accept": "application/json"}
        try:
            resp = self.session.request(method, url, params=params, headers=headers, timeout=self.timeout)
        except requests.RequestException as exc:
            raise TransientError(f"Xero could not be reached ({type(exc).__name__}).",
                                 outcome_unknown=method != "GET") from None
        _logger.info("xero %s %s -> %s in %dms", method, url_path(url), resp.status_code,
                     (time.monotonic() - started) * 1000)
        status = resp.status_code
        if status < 400:
            return resp
        body = parse_error_body(resp.content, resp.headers.get("Content-Type", ""))
        detail = error_message(body, "")
        if status == 401:
            raise AuthExpired("The Xero access token is expired or invalid.", status=status, detail=detail)
        if status == 403:
            raise ReconnectNeeded("Xero refused access: connect to Xero again.", status=status, detail=detail)
        if status == 404:
            raise NotFound("Xero connection not found.", status=status, detail=detail)
        if status == 429:
            raise RateLimited("Xero rate-limited the request.", retry_after=_retry_after(resp),
                              problem=(resp.headers.get("X-Rate-Limit-Problem") or None), detail=detail)
        if status >= 500:
            raise TransientError("Xero failed to answer.", status=status, outcome_unknown=method != "GET",
                                 detail=detail)
        raise XeroError(f"Xero refused the request: {detail or status}.", status=status, detail=detail)



def _retry_after(resp) -> float | None:
    return parse_retry_after(resp.headers.get("Retry-After"))
