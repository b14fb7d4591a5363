"""What one run of the payment events' cron reads once per company (``PaymentContext``), and the providers'
clearing bank accounts in Xero.

A run reads Xero's currencies, chart of accounts and organisation once, GoCardless payouts once, and makes the
providers' API clients from the company's keys. The clearing bank account of a provider (where its payments
arrive, its fees and payouts leave) is the one chosen in the settings (by code, or by AccountID for a bank
account without a code), else the one named after the provider; one missing in Xero is created through the
outbox (``xero.clearing.account``, a Sync Log line) before the provider's events are processed, and those
events wait until it is there.
"""
import logging

from ..exceptions import ClearingAccountWaiting, PaymentEventError
from ..xero import RateLimited, ReconnectNeeded, XeroError, account_ref, gocardless_events
from ..xero.gocardless import DEFAULT_URL as GOCARDLESS_URL
from ..xero.gocardless import GoCardlessClient
from ..xero.money import currency_exponent
from ..xero.stripe import DEFAULT_URL as STRIPE_URL
from ..xero.stripe import StripeClient
from .xero_payment import PROVIDER_LABELS

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
        self._invoice_links = {}  # payment intent → Stripe's invoice payments naming it (found in this run)
        self._organisation = None
        self._clearing = {}  # provider → (AccountID, Code or Name), once found
        self.partners = {}  # email → res.partner id, the customers found in this run (_xero_partner)

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
    def accounts(self):
        """Xero's chart of accounts, read once per run (with the accounts created since)."""
        if self._accounts is None:
            self._accounts = list(self.client.iter_records("Accounts"))
        return self._accounts

    def _clearing_code(self, provider):
        return (self.company[CLEARING[provider][0]] or "").strip()

    def _clearing_request(self, provider):
        """The ``xero.clearing.account`` asking Xero for the provider's account (none when never asked)."""
        code = self._clearing_code(provider) or CLEARING[provider][1]
        return self.env["xero.clearing.account"].sudo()._xero_find(self.conn, provider, code)

    def _clearing_in_chart(self, provider):
        """The provider's clearing bank account in Xero's chart (a dict), or None when it is to be created.
        Raises PaymentEventError when the chosen account cannot be the clearing account."""
        name = PROVIDER_LABELS[provider]
        code = self._clearing_code(provider)
        active = [a for a in self.accounts() if a.get("Status", "ACTIVE") == "ACTIVE"]
        ref = account_ref(code)
        if code:
            found = next((a for a in active if a.get(next(iter(ref))) == code), None)
        else:
            made = self._clearing_request(provider).xero_account_id  # named "Stripe (STRIPE)" when "Stripe" was taken
            found = next((a for a in active if (a.get("Name") or "").casefold() == name.casefold()
                          or (made and a.get("AccountID") == made)), None)
        if found:
            if found.get("Type") != "BANK" and not found.get("EnablePaymentsToAccount"):
                raise PaymentEventError(self.env._(
                    "The Xero account %(code)s (%(name)s) chosen for %(provider)s is not a bank account: choose a bank "
                    "account, or clear the code to use one named “%(provider)s”.", code=found.get("Code"),
                    name=found.get("Name"), provider=name))
            return found
        if "AccountID" in ref:  # a bank account without a code was chosen: it cannot be made again
            raise PaymentEventError(self.env._(
                "The Xero bank account chosen for %(provider)s (AccountID %(id)s) is not an active account of "
                "%(org)s any more: choose another in Settings → Xero Payments, then retry this event.",
                provider=name, id=code, org=self.conn.tenant_name))
        return None

    def clearing_account(self, provider):
        """(AccountID, Code — or Name, for a bank account without a code) of the provider's clearing bank account
        in Xero. Raises ClearingAccountWaiting while it is on its way to Xero, PaymentEventError when Xero refused
        it (the Sync Log's message: what to do)."""
        if provider in self._clearing:
            return self._clearing[provider]
        found = self._clearing_in_chart(provider)
        if found:
            self._clearing[provider] = found["AccountID"], found.get("Code") or found.get("Name") or ""
            return self._clearing[provider]
        job = self._clearing_request(provider)._xero_open_job()
        if job.state == "blocked":
            raise PaymentEventError(job.error)
        raise ClearingAccountWaiting(self.env._(
            "Waits for the %(provider)s clearing bank account, being created in %(org)s (Sync Log): recorded once "
            "it is there.", provider=PROVIDER_LABELS[provider], org=self.conn.tenant_name))

    def prepare_clearing_accounts(self, providers):
        """Before the providers' events: each clearing account missing in Xero is asked for (an outbox job, sent
        now, one at a time). One Xero has refused stays refused until someone retries; one not sent now (Xero's
        limits, an outage) is sent by the outbox, and the events wait for it."""
        requests = self.env["xero.clearing.account"].sudo()
        for provider in sorted(providers):
            try:
                if self._clearing_in_chart(provider):
                    continue
                values = self._clearing_values(provider)
            except (ReconnectNeeded, RateLimited):
                raise  # the company's events wait
            except (PaymentEventError, XeroError):
                continue  # the chosen account cannot be used, or Xero cannot be read now: each event says so
            requests |= requests._xero_request(self, provider, values)
        jobs = requests._xero_queue()
        if not jobs:
            return
        self.env["xero.job"].sudo()._xero_send(connections=self.conn, jobs=jobs)
        for request in requests.filtered("xero_account_id"):
            self.accounts().append(request._xero_as_account())

    def _clearing_values(self, provider):
        """The clearing bank account to create for ``provider`` (the values of its ``xero.clearing.account``)."""
        name = PROVIDER_LABELS[provider]
        default_code = CLEARING[provider][1]
        code = self._clearing_code(provider) or default_code
        if any(a.get("Name") == name for a in self.accounts()):
            name = f"{name} ({code})"
        return {"account_name": name, "code": code, "bank_account_number": self.clearing_number(default_code),
                "currency_code": self.base_currency()}

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

    def stripe_invoice_payments(self, query):
        """Stripe's invoice payments for ``query`` (``invoice=…`` or ``intent=…``). Those of an intent are read
        once per run: Stripe sends a card payment as ``payment_intent.succeeded`` and ``charge.succeeded``, both
        processed in the same run (seconds apart), and the invoice an intent pays does not change; a reply naming
        no invoice (a one-off payment) is kept for the run too, as the next run asks again."""
        intent = query.get("intent")
        if intent in self._invoice_links:
            return self._invoice_links[intent]
        found = self.stripe().invoice_payments(**query)
        if intent:
            self._invoice_links[intent] = found
        return found

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
