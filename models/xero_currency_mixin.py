"""Amounts the connector keeps as Xero or a provider gave them (a currency code beside a number) shown as Odoo
monetary values: the code's ``res.currency`` (active or not), for the ``monetary`` widget of lists and forms."""
from odoo import api, fields, models


class XeroCurrencyMixin(models.AbstractModel):
    _name = "xero.currency.mixin"
    _description = "Xero Amounts in Their Currency"

    currency_id = fields.Many2one("res.currency", compute="_compute_xero_currency_id", string="Currency (Odoo)")

    @api.depends("currency_code")
    def _compute_xero_currency_id(self):
        currencies = self._xero_currencies(self.mapped("currency_code"))
        for record in self:
            record.currency_id = currencies.get((record.currency_code or "").upper(), False)

    @api.model
    def _xero_currencies(self, codes):
        """{ISO code: res.currency} for ``codes``, in one query (inactive currencies included)."""
        codes = {(code or "").upper() for code in codes} - {""}
        if not codes:
            return {}
        found = self.env["res.currency"].sudo().with_context(active_test=False).search([("name", "in", list(codes))])
        return {currency.name: currency for currency in found}
