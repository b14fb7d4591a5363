"""What one run of the payment events' cron reads once per company (``PaymentContext``), and the providers'
clearing bank accounts in Xero.

A run reads Xero's currencies, chart of accounts and organisation once, GoCardless payouts once, and makes the
providers' API clients from the company's keys. The clearing bank account of a provider (where its payments
arrive, its fees and payouts leave) is the one chosen in the settings (by code, or by AccountID for a bank
account without a code), else the one named after the provider; one missing in Xero is created.
"""
import logging

from ..xero import ValidationError, account_ref, gocardless_events
from ..xero.gocardless import DEFAULT_URL as GOCARDLESS_URL
from ..xero.gocardless import GoCardlessClient
from ..xero.money import currency_exponent
from ..xero.stripe import DEFAULT_URL as STRIPE_URL
from ..xero.stripe import StripeClient
from .xero_payment import PROVIDER_LABELS, PaymentEventError

_logger = logging.getLogger(__name__)

# provider → (the company's field of the chosen account, the default code of the one created)
CLEARING = {"stripe": ("xero_stripe_account_code", "STRIPE"),
            "gocardless": ("xero_gocardless_account_code", "GOCARDLESS")}


class PaymentContext:
    """One run's reads for one company (``conn``: its ``xero.connection``), cached for the run."""

    def __init__(self, env, conn):
        self.env = env
        self.conn = conn
        self.company = conn.company_id
        self._client = None
        self._currencies = None
        self._accounts = None
        self._gocardless = None
        self._payouts = {}
        self._payout_data = {}
        self._stripe = None
        self._organisation = None

    @property
    def client(self):
        if self._client is None:
            self._client = self.conn._xero_client()
        return self._client

    def check_currency(self, code):
        if not code:
            return
        try:
            currency_exponent(code)
        except ValueError:
            raise PaymentEventError(self.env._("“%s” is not a currency code.", code)) from None
        if self._currencies is None:
            self._currencies = {c.get("Code") for c in self.client.iter_records("Currencies")}
        if code not in self._currencies:
            raise PaymentEventError(self.env._(
                "The Xero organisation %(org)s has no currency %(code)s: add it in Xero (Settings → Currencies), "
                "then retry this event.", org=self.conn.tenant_name, code=code))

    def organisation(self):
        if self._organisation is None:
            self._organisation = (self.client.get("Organisation").get("Organisations") or [{}])[0]
        return self._organisation

    def base_currency(self):
        return self.organisation().get("BaseCurrency") or self.company.currency_id.name

    # -- clearing bank accounts -----------------------------------------------------------------------------
    def clearing_account(self, provider):
        """(AccountID, Code — or Name, for a bank account without a code) of the provider's clearing bank account
        in Xero, created when missing."""
        field, default_code = CLEARING[provider]
        name = PROVIDER_LABELS[provider]
        code = (self.company[field] or "").strip()
        if self._accounts is None:
            self._accounts = list(self.client.iter_records("Accounts"))
        active = [a for a in self._accounts if a.get("Status", "ACTIVE") == "ACTIVE"]
        ref = account_ref(code)
        found = next((a for a in active if a.get(next(iter(ref))) == code), None) if code else \
            next((a for a in active if (a.get("Name") or "").casefold() == name.casefold()), None)
        if found:
            if found.get("Type") != "BANK" and not found.get("EnablePaymentsToAccount"):
                raise PaymentEventError(self.env._(
                    "The Xero account %(code)s (%(name)s) chosen for %(provider)s is not a bank account: choose a bank "
                    "account, or clear the code to use one named “%(provider)s”.", code=found.get("Code"),
                    name=found.get("Name"), provider=name))
            return found["AccountID"], found.get("Code") or found.get("Name") or ""
        if "AccountID" in ref:  # a bank account without a code was chosen: it cannot be made again
            raise PaymentEventError(self.env._(
                "The Xero bank account chosen for %(provider)s (AccountID %(id)s) is not an active account of "
                "%(org)s any more: choose another in Settings → Xero Payments, then retry this event.",
                provider=name, id=code, org=self.conn.tenant_name))
        account = {"Type": "BANK", "Name": name, "Code": code or default_code,
                   "BankAccountNumber": self.clearing_number(default_code), "CurrencyCode": self.base_currency()}
        if any(a.get("Name") == name for a in self._accounts):
            account["Name"] = f"{name} ({account['Code']})"
        # Replayed only while Xero's chart is as we read it (a retry after a lost answer).
        key = f"xc-acct-{self.conn.tenant_id}-{account['Code']}-{len(self._accounts)}"
        try:
            body = self.client.request("PUT", "Accounts", json=account, idempotency_key=key)
        except ValidationError as exc:
            raise PaymentEventError(self.env._(
                "Xero refused to create the %(name)s clearing bank account in %(org)s: %(messages)s. Create a bank "
                "account for %(name)s in Xero and choose it in Settings → Xero Payments, then retry this event.",
                name=name, org=self.conn.tenant_name, messages="; ".join(exc.messages or [exc.message]))) from None
        created = (body.get("Accounts") or [{}])[0]
        if not created.get("AccountID"):
            raise PaymentEventError(self.env._("Xero did not create the %s clearing bank account.", name))
        self._accounts.append(created)
        _logger.info("Created the %s clearing bank account %s in Xero (%s)", name, created.get("Code"),
                     self.conn.tenant_name)
        return created["AccountID"], created.get("Code") or ""

    def clearing_number(self, code):
        """A number for a clearing account (no bank behind it): Australian organisations need a BSB (6 digits)
        and an account number; elsewhere a readable placeholder."""
        if self.organisation().get("CountryCode") == "AU":
            digits = "".join(f"{ord(c) % 10}" for c in code)[:9].ljust(6, "0")
            return f"000000{digits}"
        return f"{code}-CLEARING"

    # -- the providers' APIs ---------------------------------------------------------------------------------
    def stripe(self):
        """Stripe's API with the company's key; None when no key is set."""
        if self._stripe is None:
            key = self.company.sudo().xero_stripe_api_key
            if not key:
                return None
            url = self.env["ir.config_parameter"].sudo().get_param("xero_connector.stripe_api_url") or STRIPE_URL
            self._stripe = StripeClient(key, url)
        return self._stripe

    def stripe_charge(self, charge_id=None, intent_id=None):
        """The charge (by its id, else the payment intent's latest) with its balance transaction. Not cached:
        a later event of the same run (``charge.updated``) may find it settled; once the fee is known, it is
        not read again (see ``_xero_stripe_read_fee``)."""
        return self.stripe().charge(charge_id) if charge_id else self.stripe().intent_charge(intent_id)

    def gocardless(self):
        if self._gocardless is None:
            token = self.company.sudo().xero_gocardless_access_token
            if not token:
                raise PaymentEventError(self.env._(
                    "No GoCardless access token is set for %s (Settings → Xero → Payments): payments cannot be "
                    "read from GoCardless.", self.company.name))
            url = self.env["ir.config_parameter"].sudo().get_param("xero_connector.gocardless_api_url") \
                or GOCARDLESS_URL
            self._gocardless = GoCardlessClient(token, url)
        return self._gocardless

    def payout(self, payout_id):
        """A GoCardless payout, read once per run."""
        if payout_id not in self._payout_data:
            self._payout_data[payout_id] = self.gocardless().payout(payout_id)
        return self._payout_data[payout_id]

    def payout_items(self, payout_id):
        """A GoCardless payout's items, read once per run."""
        if payout_id not in self._payouts:
            self._payouts[payout_id] = self.gocardless().payout_items(payout_id)
        return self._payouts[payout_id]

    def gocardless_fee(self, payout_id, payment_id, currency):
        """The fees of a GoCardless payment, from the items of the payout it is paid out in."""
        return gocardless_events.payment_fee(self.payout_items(payout_id), payment_id, currency)
