"""A provider's clearing bank account to create in Xero, sent through the outbox (a Sync Log line).

Stripe's and GoCardless' payments arrive on a clearing bank account in Xero (their fees and payouts leave it).
When the one the settings name is missing (see ``xero_payment_context.py``), one row here says what to create
in which organisation (``PUT Accounts``: ``Type`` BANK, ``Name``, ``Code``, a placeholder
``BankAccountNumber``, the base currency), and its ``bank_account`` job sends it; the provider's events wait
until it is there. Xero's refusal blocks the job with its reason and what to do, and fails the events.
"""
import logging

from odoo import api, fields, models

from ..exceptions import XeroBlocked
from ..xero.outbox import OPEN_STATES
from .xero_payment import PROVIDER_LABELS, PROVIDERS

_logger = logging.getLogger(__name__)

OPERATION = "bank_account"


class XeroClearingAccount(models.Model):
    _name = "xero.clearing.account"
    _inherit = ["xero.outbox.record"]
    _description = "Xero Clearing Bank Account"
    _order = "id desc"

    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True)
    connection_id = fields.Many2one("xero.connection", readonly=True, ondelete="set null")
    tenant_id = fields.Char("Xero Organisation ID", required=True, readonly=True)
    tenant_name = fields.Char("Xero Organisation", readonly=True)
    provider = fields.Selection(PROVIDERS, required=True, readonly=True)
    code = fields.Char(required=True, readonly=True)
    account_name = fields.Char(required=True, readonly=True)
    bank_account_number = fields.Char(readonly=True)
    currency_code = fields.Char("Currency", readonly=True)
    xero_account_id = fields.Char("Xero Account ID", readonly=True, copy=False)

    _request_uniq = models.UniqueIndex("(company_id, tenant_id, provider, code)")

    @api.depends("provider", "code")
    def _compute_display_name(self):
        for account in self:
            account.display_name = self.env._("%(provider)s clearing bank account %(code)s",
                                              provider=PROVIDER_LABELS.get(account.provider, ""), code=account.code)

    # ------------------------------------------------------------------------------------------
    # Asked for by the payment events' cron (xero_payment_context.py)
    # ------------------------------------------------------------------------------------------
    @api.model
    def _xero_find(self, conn, provider, code):
        return self.search([("company_id", "=", conn.company_id.id), ("tenant_id", "=", conn.tenant_id),
                            ("provider", "=", provider), ("code", "=", code)], limit=1)

    @api.model
    def _xero_request(self, ctx, provider, values):
        """The row asking Xero for ``provider``'s clearing account in the context's organisation (``values``:
        its name, code, number, currency); asked anew (its values refreshed) unless a job is already open."""
        account = self._xero_find(ctx.conn, provider, values["code"])
        if not account:
            return self.create(dict(values, company_id=ctx.company.id, connection_id=ctx.conn.id,
                                    tenant_id=ctx.conn.tenant_id, tenant_name=ctx.conn.tenant_name, provider=provider))
        if not account._xero_open_job():
            account.write(dict(values, xero_account_id=False, connection_id=ctx.conn.id,
                               tenant_name=ctx.conn.tenant_name))
        return account

    def _xero_open_job(self):
        return self.env["xero.job"].sudo().search([
            ("res_model", "=", self._name), ("res_id", "in", self.ids), ("operation", "=", OPERATION),
            ("state", "in", OPEN_STATES)], limit=1)

    def _xero_queue(self):
        """The open jobs of these rows (queued when none), except those blocked: Xero refused them."""
        Job = self.env["xero.job"].sudo()
        jobs = Job.browse()
        for account in self:
            jobs |= Job._xero_enqueue(account, OPERATION, company=account.company_id, rearm=False)
        return jobs.filtered(lambda j: j.state != "blocked")

    @api.model
    def _xero_rearm(self, companies):
        """Asked again (a payment event retried): the accounts Xero refused in these companies' organisations
        go back to the queue, presumably fixed."""
        for company in companies:
            conn = company._xero_connection()
            accounts = self.search([("company_id", "=", company.id), ("tenant_id", "=", conn.tenant_id)]) \
                if conn else self.browse()
            refused = accounts.filtered(lambda a: a._xero_open_job().state == "blocked")
            if refused:
                self.env["xero.job"].sudo()._xero_enqueue(refused, OPERATION, company=company)

    def _xero_as_account(self):
        """The account as it is in Xero's chart now (once created)."""
        return {"AccountID": self.xero_account_id, "Code": self.code, "Name": self.account_name, "Type": "BANK",
                "Status": "ACTIVE"}

    # ------------------------------------------------------------------------------------------
    # Outbox handler (see models/xero_job.py)
    # ------------------------------------------------------------------------------------------
    def _xero_job_dependencies(self, job):
        """Xero creates one account per call (it ignores the others of a list): an account waits for the ones
        asked before it in the same organisation, so that no two are ever sent together."""
        older = self.env["xero.job"].sudo().search([
            ("res_model", "=", self._name), ("company_id", "=", job.company_id.id), ("operation", "=", OPERATION),
            ("id", "<", job.id), ("state", "in", ("pending", "sending", "retry"))])
        same_org = set(self.browse(older.mapped("res_id")).filtered(lambda a: a.tenant_id == self.tenant_id).ids)
        return older.filtered(lambda j: j.res_id in same_org)

    def _xero_job_payload(self, job):
        self.ensure_one()
        if job.connection_id.tenant_id != self.tenant_id:
            raise XeroBlocked(self.env._(
                "%(account)s was asked for in %(org)s, which is no longer the organisation Odoo is connected to.",
                account=self.display_name, org=self.tenant_name or self.tenant_id))
        account = {"Type": "BANK", "Name": self.account_name, "Code": self.code,
                   "BankAccountNumber": self.bank_account_number, "CurrencyCode": self.currency_code}
        return {key: value for key, value in account.items() if value}

    def _xero_job_done(self, job, result):
        data = result.data or {}
        self.write({"xero_account_id": data.get("AccountID") or False,
                    "account_name": data.get("Name") or self.account_name})
        # Not added to the connection's list of Xero accounts (xero.account): that list is Xero's chart whole (as
        # the pull and "Refresh from Xero" read it), or nothing: one account alone would hide the others.
        _logger.info("Created the %s clearing bank account %s in Xero (%s)", PROVIDER_LABELS.get(self.provider),
                     self.code, self.tenant_name)
        self.env["xero.payment.event"]._xero_trigger()  # its events go on

    def _xero_job_lookup(self, job, client):
        """The account an attempt with an unknown outcome may have created: by its code."""
        if '"' in self.code:
            return None
        for account in client.iter_records("Accounts", where=f'Code=="{self.code}"'):
            if account.get("Status", "ACTIVE") == "ACTIVE":
                return account
        return None

    def _xero_job_refused(self, job, messages):
        provider = PROVIDER_LABELS.get(self.provider)
        return self.env._(
            "Xero refused to create the %(name)s clearing bank account in %(org)s: %(messages)s. Create a bank "
            "account for %(name)s in Xero and choose it in Settings → Xero Payments, then retry this event.",
            name=provider, org=self.tenant_name, messages=messages)
