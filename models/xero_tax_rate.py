from odoo import api, fields, models

from ..xero.defaults import no_tax_type

TAX_STATUSES = [("ACTIVE", "Active"), ("ARCHIVED", "Archived"), ("PENDING", "Pending"),
                ("DELETED", "Deleted")]


class XeroTaxRate(models.Model):
    """The tax rates of a Xero organisation, as Xero last reported them (per connection).

    Odoo taxes map to a Xero *tax type* (``account.tax.xero_tax_type``); this list fills the
    dropdown and tells the export whether the mapped type still exists and is active.
    """

    _name = "xero.tax.rate"
    _inherit = ["xero.list.mixin"]
    _description = "Xero Tax Rate"
    _order = "connection_id, name"
    _rec_names_search = ["name", "xero_id"]
    _xero_id_key = "TaxType"

    xero_id = fields.Char("Tax Type", required=True, readonly=True, help="Xero's TaxType, the key of a tax rate.")
    tax_type = fields.Char(related="xero_id", string="Xero Tax Type")
    name = fields.Char(readonly=True)
    effective_rate = fields.Float(readonly=True, digits=(16, 4))
    report_tax_type = fields.Char(readonly=True)
    status = fields.Selection(TAX_STATUSES, readonly=True, default="ACTIVE", index=True)
    can_apply_to_revenue = fields.Boolean(readonly=True, default=True)
    can_apply_to_expenses = fields.Boolean(readonly=True, default=True)

    _xero_uniq = models.Constraint("UNIQUE(connection_id, xero_id)", "A Xero tax rate is known once per organisation.")

    @api.depends("name", "xero_id", "effective_rate")
    def _compute_display_name(self):
        for rate in self:
            rate.display_name = f"{rate.name} ({rate.xero_id}, {rate.effective_rate:g}%)"

    @api.model
    def _xero_values(self, record):
        status = str(record.get("Status") or "ACTIVE").upper()
        revenue, expenses = record.get("CanApplyToRevenue"), record.get("CanApplyToExpenses")
        return {
            "name": record.get("Name") or record.get("TaxType"),
            "effective_rate": float(record.get("EffectiveRate") or record.get("DisplayTaxRate") or 0.0),
            "report_tax_type": record.get("ReportTaxType") or False,
            "status": status if status in dict(TAX_STATUSES) else "ARCHIVED",
            "can_apply_to_revenue": True if revenue is None else bool(revenue),
            "can_apply_to_expenses": True if expenses is None else bool(expenses),
        }

    @api.model
    def _xero_apply_tax_rates(self, connection, records):
        """Upsert Xero tax rates (dicts as the API returns them) for this connection."""
        self._xero_upsert(connection, records)

    @api.model
    def _xero_no_tax_type(self, connection, revenue=True):
        """The organisation's tax type of a line without tax (``NONE``; an Australian organisation has none:
        xero/defaults.py), or "NONE" when its rates were never read (Xero then says what it thinks)."""
        rates = self.sudo().search([("connection_id", "=", connection.id)]) if connection else self.browse()
        found = no_tax_type([{"TaxType": r.xero_id, "Status": r.status} for r in rates], revenue=revenue)
        return found or "NONE"

    @api.model
    def _xero_find(self, connection, tax_type):
        if not tax_type or not connection:
            return self.browse()
        return self.sudo().browse(self._xero_index(connection, "xero_id").get(tax_type, [])[:1])
