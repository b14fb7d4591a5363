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

    # -- a per-transaction index: exports look codes up for every line of every document ----------
    @api.model
    def _xero_index(self, connection, field):
        """``{value of field: [ids]}`` of the connection's list, read once per cursor (bulk exports
        would otherwise query the list for every line)."""
        key = ("xero_list_index", self._name, connection.id, field)
        cache = self.env.cr.cache
        if key not in cache:
            index = {}
            for rec in self.sudo().with_context(active_test=False).search_fetch(
                    [("connection_id", "=", connection.id)], [field]):
                index.setdefault(rec[field], []).append(rec.id)
            cache[key] = index
        return cache[key]

    def _xero_forget_index(self):
        cache = self.env.cr.cache
        for key in [k for k in cache if isinstance(k, tuple) and k[:2] == ("xero_list_index", self._name)]:
            del cache[key]

    @api.model_create_multi
    def create(self, vals_list):
        self._xero_forget_index()
        return super().create(vals_list)

    def write(self, vals):
        self._xero_forget_index()
        return super().write(vals)

    def unlink(self):
        self._xero_forget_index()
        return super().unlink()

    @api.model
    def _xero_upsert(self, connection, records):
        """Create or update the records of ``connection`` from Xero's dicts; return them (Xero's order)."""
        key = self._xero_id_key
        records = [r for r in records if r.get(key)]
        existing = {rec.xero_id: rec for rec in self.with_context(active_test=False).search([
            ("connection_id", "=", connection.id), ("xero_id", "in", [r[key] for r in records])])}
        new = {}  # one create for the page's new records, not one per record
        for record in records:
            vals = self._xero_values(record)
            rec = existing.get(record[key])
            if rec:
                changed = {k: v for k, v in vals.items() if rec[k] != v}
                if changed:
                    rec.write(changed)
            else:
                new[record[key]] = dict(vals, connection_id=connection.id, xero_id=record[key])
        if new:
            existing.update({rec.xero_id: rec for rec in self.create(list(new.values()))})
        return self.browse(list(dict.fromkeys(existing[r[key]].id for r in records)))
