"""xero.connection: the company's defaults chosen from the organisation's own chart when it is connected.

Right after connecting, the first export must go through with no visit to the settings: the organisation's
accounts and tax rates are read, and the company's default sales account and tax rate are chosen from them
(``xero/defaults.py``: the account Xero's chart names "Sales" and the tax rate that account carries) wherever none
is set or the one set does not exist (active) in this organisation; and so are the default purchase account and
tax rate (vendor bills, purchase orders: ``300 Purchases`` and the rate it carries). The administrator sees what was chosen, in
one line, in Settings → Xero → Mapping and in the connection's chatter. Xero not answering at that moment delays
the choice to the first export (which reads the lists when they were never read); it never fails the connection.
"""
import logging

from odoo import models

from ..xero import XeroError
from ..xero.defaults import purchase_defaults, sales_defaults

_logger = logging.getLogger(__name__)

# Reading the chart while the administrator waits on Xero's redirect: never wait long for Xero's limits.
CONNECT_MAX_RATE_WAIT = 5.0


class XeroConnection(models.Model):
    _inherit = "xero.connection"

    def _xero_after_connect(self):
        """Just bound to an organisation: read its chart and tax rates, choose the missing defaults."""
        self.ensure_one()
        conn = self.sudo()
        try:
            conn._xero_refresh_lists(["accounts", "tax_rates"], max_rate_wait=CONNECT_MAX_RATE_WAIT)
        except XeroError as exc:
            _logger.info("Xero connection %s: the chart could not be read after connecting: %s", conn.id, exc)
            conn.company_id.xero_defaults_note = self.env._(
                "The chart of accounts of %(org)s could not be read yet (%(error)s): the default sales account and "
                "tax rate are chosen from it at the first export.", org=conn.tenant_name, error=exc)
            return
        conn._xero_choose_defaults()

    def _xero_choose_defaults(self):
        """Set the company's default sales and purchase accounts and tax rates from the organisation's lists (as
        stored), where none is set or the one set is not an active one of this organisation. Returns the note."""
        self.ensure_one()
        conn = self.sudo()
        company = conn.company_id
        Account, Rate = self.env["xero.account"].sudo(), self.env["xero.tax.rate"].sudo()
        accounts = [{"Code": a.code, "Name": a.name, "Type": a.account_type, "TaxType": a.tax_type, "Status": a.status}
                    for a in Account.search([("connection_id", "=", conn.id)])]
        rates = [{"TaxType": r.xero_id, "Name": r.name, "EffectiveRate": r.effective_rate,
                  "ReportTaxType": r.report_tax_type, "CanApplyToRevenue": r.can_apply_to_revenue,
                  "CanApplyToExpenses": r.can_apply_to_expenses, "Status": r.status}
                 for r in Rate.search([("connection_id", "=", conn.id)])]
        values, notes = {}, []
        for choice, account_field, tax_field, side in (
                (sales_defaults(accounts, rates), "xero_sales_account_code", "xero_tax_type", self.env._("sales")),
                (purchase_defaults(accounts, rates), "xero_purchase_account_code", "xero_purchase_tax_type",
                 self.env._("purchases"))):
            chosen = []
            current = Account._xero_find(conn, company[account_field])
            if choice.account_code and (not current or current.status != "ACTIVE"):
                values[account_field] = choice.account_code
                chosen.append(f"{choice.account_code} {choice.account_name}")
            current = Rate._xero_find(conn, company[tax_field])
            if choice.tax_type and (not current or current.status != "ACTIVE"):
                values[tax_field] = choice.tax_type
                chosen.append(choice.tax_name or choice.tax_type)
            if chosen:
                notes.append(self.env._("%(chosen)s for %(side)s", chosen=self.env._(" and ").join(chosen), side=side))
        if not notes:
            return company.xero_defaults_note
        note = self.env._("From the chart of %(org)s we chose %(chosen)s; change them here if your books differ.",
                          org=conn.tenant_name, chosen="; ".join(notes))
        values["xero_defaults_note"] = note
        company.write(values)
        conn.message_post(body=note)
        return note
