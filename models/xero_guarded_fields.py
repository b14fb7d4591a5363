from odoo import api, models

from .xero_access import guard_fields


class XeroGuardedFields(models.AbstractModel):
    """Inherited by every model the connector adds fields to: those fields are the connector's own
    (models/xero_access.py), whatever ``create``, ``write``, ``copy`` or an import passes; ``_xero_admin_fields``
    are Xero administrators' (mappings to Xero's lists); ``_xero_exempt_fields`` are checked by the model itself."""

    _name = "xero.guarded.fields"
    _description = "Fields Written by the Xero Connector Only"

    _xero_admin_fields = frozenset()
    _xero_exempt_fields = frozenset()

    @api.model_create_multi
    def create(self, vals_list):
        # self.browse(): copy() calls create on the record it copies, whose values are not "unchanged" here
        guard_fields(self.browse(), vals_list, self._xero_admin_fields, self._xero_exempt_fields)
        return super().create(vals_list)

    def write(self, vals):
        guard_fields(self, [vals], self._xero_admin_fields, self._xero_exempt_fields)
        return super().write(vals)
