from odoo import api, fields, models

from ..xero import account_ref, parse_xero_date

ACCOUNT_STATUSES = [("ACTIVE", "Active"), ("ARCHIVED", "Archived"), ("DELETED", "No longer in Xero")]


class XeroAccount(models.Model):
    """The chart of accounts of a Xero organisation, as Xero last reported it (per connection).

    Filled by the pull cron (``If-Modified-Since``, see ``xero.sync.cursor``) and by
    *Refresh from Xero*. Mappings (company default, product category, product) keep the account
    *code*: the code is what Xero's documents name, and it survives a refresh of this list.
    """

    _name = "xero.account"
    _inherit = ["xero.list.mixin"]
    _description = "Xero Account"
    _order = "connection_id, code, name"
    _rec_names_search = ["code", "name"]
    _xero_id_key = "AccountID"

    xero_id = fields.Char("Xero Account ID", required=True, readonly=True)
    code = fields.Char(readonly=True, index=True)
    name = fields.Char(readonly=True)
    account_type = fields.Char("Type", readonly=True, help="Xero's account type: REVENUE, SALES, BANK, EXPENSE…")
    account_class = fields.Char("Class", readonly=True)
    status = fields.Selection(ACCOUNT_STATUSES, readonly=True, default="ACTIVE", index=True)
    enable_payments = fields.Boolean("Payments Enabled", readonly=True,
                                     help="Payments may be recorded against this account (bank accounts always).")
    tax_type = fields.Char("Default Tax Type", readonly=True)
    currency_code = fields.Char("Currency", readonly=True)
    updated_utc = fields.Datetime("Updated in Xero", readonly=True)

    _xero_uniq = models.Constraint("UNIQUE(connection_id, xero_id)", "A Xero account is known once per organisation.")

    @api.depends("code", "name")
    def _compute_display_name(self):
        for account in self:
            account.display_name = f"{account.code} {account.name}" if account.code else (account.name or "")

    @api.model
    def _xero_values(self, record):
        updated = parse_xero_date(record.get("UpdatedDateUTC"))
        status = str(record.get("Status") or "ACTIVE").upper()
        return {
            "code": record.get("Code") or False,
            "name": record.get("Name") or False,
            "account_type": record.get("Type") or False,
            "account_class": record.get("Class") or False,
            "status": status if status in dict(ACCOUNT_STATUSES) else "ARCHIVED",
            "enable_payments": bool(record.get("EnablePaymentsToAccount")) or record.get("Type") == "BANK",
            "tax_type": record.get("TaxType") or False,
            "currency_code": record.get("CurrencyCode") or False,
            "updated_utc": updated.replace(tzinfo=None) if updated else False,
        }

    @api.model
    def _xero_apply_accounts(self, connection, records):
        """Upsert Xero accounts (dicts as the API returns them) for this connection."""
        self._xero_upsert(connection, records)

    @api.model
    def _xero_find(self, connection, code):
        """The account of ``code`` (or of that AccountID: a bank account without a code) in the connection's
        list (any status), or an empty recordset."""
        if not code or not connection:
            return self.browse()
        key = "xero_id" if "AccountID" in account_ref(code) else "code"
        accounts = self.sudo().browse(self._xero_index(connection, key).get(code, []))
        return accounts.sorted(lambda a: a.status != "ACTIVE")[:1]

    @api.model
    def _xero_compute_dropdown(self, records, code_field, account_field):
        """Fill ``account_field`` of ``records`` with the account of their ``code_field`` in the current
        company's Xero list (a dropdown over a stored code)."""
        conn = self.env.company._xero_connection()
        for record in records:
            record[account_field] = self._xero_find(conn, record[code_field]).id if conn else False
