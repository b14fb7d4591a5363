"""xero.connection: the scopes a consent asks for, and what happens to attachments when the consent lacks theirs.

``accounting.attachments`` is asked for only when the company attaches files in Xero (``res.company.
xero_attach_files``). An organisation connected before the option was switched on keeps a token without it (Xero
never upgrades a consent: XERO.md): Settings say to reconnect, attachment jobs are blocked with that message (no call
is made: Xero would refuse it and the whole connection would look disconnected), and a reconnection that grants the
scope re-arms them.
"""
from odoo import models

from ..xero import ATTACHMENTS_SCOPE, scopes_for


class XeroConnection(models.Model):
    _inherit = "xero.connection"

    def _xero_scopes(self):
        """The scopes this company's consent asks for."""
        self.ensure_one()
        return scopes_for(attachments=bool(self.company_id.xero_attach_files))

    def _xero_attachments_scope_missing(self):
        self.ensure_one()
        return self.state in ("connected", "reconnect") and ATTACHMENTS_SCOPE not in (self.scopes or "").split()

    def _xero_attachments_scope_message(self):
        return self.env._(
            "%(org)s was connected to Odoo before files were attached in Xero: Xero has not given Odoo the permission "
            "to attach files (%(scope)s). Reconnect Xero (Settings → Xero → Reconnect) to attach them; they are sent "
            "then.", org=self.tenant_name or self.company_id.name, scope=ATTACHMENTS_SCOPE)

    def _xero_bind_tokens(self, tokens, tenants, user):
        result = super()._xero_bind_tokens(tokens, tenants, user)
        if ATTACHMENTS_SCOPE in (self.sudo().scopes or "").split():
            # Attachments blocked for want of the scope go now.
            self.env["xero.job"].sudo().search([
                ("company_id", "=", self.company_id.id), ("operation", "=", "attachment"), ("state", "=", "blocked"),
                ("error", "ilike", ATTACHMENTS_SCOPE)]).write(
                {"state": "pending", "next_try": False, "attempts": 0, "error": False})
        return result
