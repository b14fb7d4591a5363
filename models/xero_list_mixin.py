from odoo import api, fields, models


class XeroListMixin(models.AbstractModel):
    """A list read from a Xero organisation (accounts, tax rates, items, tracking categories), per connection.

    Records are upserted by Xero's id (``xero_id``) from the dicts the API returns; each model says how
    a Xero dict becomes its values (``_xero_values``) and which key is Xero's id (``_xero_id_key``).
    """

    _name = "xero.list.mixin"
    _description = "Xero List"
    _xero_id_key = None

    connection_id = fields.Many2one("xero.connection", required=True, index=True, ondelete="cascade", readonly=True)
    company_id = fields.Many2one(related="connection_id.company_id", store=True, index=True)

    @api.model
    def _xero_values(self, record):
        raise NotImplementedError

    @api.model
    def _xero_upsert(self, connection, records):
        """Create or update the records of ``connection`` from Xero's dicts; return them (Xero's order)."""
        key = self._xero_id_key
        records = [r for r in records if r.get(key)]
        existing = {rec.xero_id: rec for rec in self.with_context(active_test=False).search([
            ("connection_id", "=", connection.id), ("xero_id", "in", [r[key] for r in records])])}
        result = self.browse()
        for record in records:
            vals = self._xero_values(record)
            rec = existing.get(record[key])
            if rec:
                changed = {k: v for k, v in vals.items() if rec[k] != v}
                if changed:
                    rec.write(changed)
            else:
                rec = self.create(dict(vals, connection_id=connection.id, xero_id=record[key]))
                existing[record[key]] = rec
            result |= rec
        return result
