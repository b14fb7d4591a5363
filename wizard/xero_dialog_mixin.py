from odoo import api, models
from odoo.exceptions import AccessError


class XeroDialogMixin(models.AbstractModel):
    """A dialog the connector opens for one user (the export confirmation, the organisation picker): the
    connector alone creates and writes its rows, for whoever asked; a record rule keeps each row to its
    creator, and its buttons check that again."""

    _name = "xero.dialog.mixin"
    _description = "Xero Dialog"

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            raise AccessError(self.env._("“%s” is opened by the Xero connector only: start again from the record.",
                                         self._description))
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            raise AccessError(self.env._("“%s” cannot be changed: start again from the record.", self._description))
        return super().write(vals)

    def _xero_check_creator(self, row):
        """``row`` (this dialog's row, as superuser) was opened by the caller."""
        if not self.env.su and row.create_uid != self.env.user:
            raise AccessError(self.env._("This “%s” was opened by someone else.", self._description))
