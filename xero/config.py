"""Base URLs and default scopes of the Xero platform (overridable, e.g. to point at the sandbox)."""
from __future__ import annotations

from dataclasses import dataclass

DEFAULT_SCOPES = (
    "offline_access",
    "openid",
    "profile",
    "email",
    "accounting.settings",
    "accounting.contacts",
    "accounting.invoices",
    "accounting.payments",
    "accounting.banktransactions",
)
# Asked for only when a company attaches its documents' files in Xero (Attachments API); a consent given before
# lacks it: Xero does not upgrade existing tokens (XERO.md, Scopes).
ATTACHMENTS_SCOPE = "accounting.attachments"


def scopes_for(attachments=False):
    """The scopes a consent asks for: the default ones, plus ``accounting.attachments`` when files are attached."""
    return DEFAULT_SCOPES + ((ATTACHMENTS_SCOPE,) if attachments else ())


@dataclass(frozen=True)
class Endpoints:
    """The three base URLs Xero uses; Xero's own paths are appended to them.

    Trailing slashes on the bases are tolerated.
    """

    login_url: str = "https://login.xero.com"
    identity_url: str = "https://identity.xero.com"
    api_url: str = "https://api.xero.com"

    @staticmethod
    def _join(base: str, path: str) -> str:
        return (base or "").rstrip("/") + path

    @property
    def authorize_url(self) -> str:
        """OAuth 2.0 authorization endpoint (where the user consents)."""
        return self._join(self.login_url, "/identity/connect/authorize")

    @property
    def token_url(self) -> str:
        """OAuth 2.0 token endpoint (code exchange and refresh)."""
        return self._join(self.identity_url, "/connect/token")

    @property
    def revocation_url(self) -> str:
        """OAuth 2.0 revocation endpoint (revokes a refresh token and its connections)."""
        return self._join(self.identity_url, "/connect/revocation")

    @property
    def connections_url(self) -> str:
        """Tenant connections endpoint."""
        return self._join(self.api_url, "/connections")

    @property
    def accounting_url(self) -> str:
        """Base of the Accounting API."""
        return self._join(self.api_url, "/api.xro/2.0")
