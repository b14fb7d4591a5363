from odoo import fields, models


class XeroTrackingOption(models.Model):
    _name = "xero.tracking.option"
    _description = "Xero Tracking Option"
    _order = "category_id, name"

    category_id = fields.Many2one("xero.tracking.category", required=True, index=True, ondelete="cascade",
                                  readonly=True)
    company_id = fields.Many2one(related="category_id.company_id", store=True, index=True)
    xero_id = fields.Char("Xero Tracking Option ID", required=True, readonly=True)
    name = fields.Char(readonly=True)
    status = fields.Selection([("ACTIVE", "Active"), ("ARCHIVED", "Archived"), ("DELETED", "Deleted")],
                              readonly=True, default="ACTIVE")
    source_id = fields.Many2one("utm.source", "Odoo Source", readonly=True, index="btree_not_null",
                                ondelete="set null",
                                help="The Odoo source (Lead Source of orders) this option follows: renaming the "
                                "source renames the option in Xero.")

    _xero_uniq = models.Constraint("UNIQUE(category_id, xero_id)", "A tracking option is known once per category.")
