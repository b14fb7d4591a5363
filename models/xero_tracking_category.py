from odoo import api, fields, models

from ..exceptions import XeroBlocked

CATEGORY_STATUSES = [("ACTIVE", "Active"), ("ARCHIVED", "Archived"), ("DELETED", "Deleted")]
LEAD_SOURCE = "Lead Source"
# Options per tracking category (Xero's figure, as integrators report it; the sandbox enforces it too).
TRACKING_OPTION_LIMIT = 100


class XeroTrackingCategory(models.Model):
    """Tracking categories of a Xero organisation (at most 2 active, 4 in all) and their options."""

    _name = "xero.tracking.category"
    _inherit = ["xero.list.mixin"]
    _description = "Xero Tracking Category"
    _order = "connection_id, status, name"
    _xero_id_key = "TrackingCategoryID"

    xero_id = fields.Char("Xero Tracking Category ID", required=True, readonly=True)
    name = fields.Char(readonly=True)
    status = fields.Selection(CATEGORY_STATUSES, readonly=True, default="ACTIVE", index=True)
    option_ids = fields.One2many("xero.tracking.option", "category_id", "Options", readonly=True)
    option_count = fields.Integer("Options in Xero", compute="_compute_option_count",
                                  help="Active and archived options (Xero's limit counts both).")

    _xero_uniq = models.Constraint("UNIQUE(connection_id, xero_id)",
                                   "A Xero tracking category is known once per organisation.")

    @api.depends("option_ids.status")
    def _compute_option_count(self):
        for category in self:
            category.option_count = len(category.option_ids.filtered(lambda o: o.status != "DELETED"))

    @api.depends("name", "status")
    def _compute_display_name(self):
        for category in self:
            suffix = "" if category.status == "ACTIVE" else f" ({category.status.lower()})" if category.status else ""
            category.display_name = f"{category.name}{suffix}"

    @api.model
    def _xero_values(self, record):
        status = str(record.get("Status") or "ACTIVE").upper()
        return {"name": record.get("Name") or False,
                "status": status if status in dict(CATEGORY_STATUSES) else "ARCHIVED"}

    @api.model
    def _xero_apply_tracking_categories(self, connection, records):
        """Upsert categories and, when Xero sent them, their options."""
        categories = self._xero_upsert(connection, records)
        by_id = {c.xero_id: c for c in categories}
        for record in records:
            if isinstance(record.get("Options"), list) and record.get("TrackingCategoryID") in by_id:
                by_id[record["TrackingCategoryID"]]._xero_apply_options(record["Options"])
        return categories

    def _xero_apply_options(self, options, complete=True):
        """Upsert this category's options; with ``complete``, options Xero no longer lists are deleted here."""
        self.ensure_one()
        Option = self.env["xero.tracking.option"].sudo()
        existing = {o.xero_id: o for o in self.option_ids}
        seen = set()
        for option in options:
            oid = option.get("TrackingOptionID")
            if not oid:
                continue
            seen.add(oid)
            status = str(option.get("Status") or "ACTIVE").upper()
            vals = {"name": option.get("Name") or "", "status": status if status in dict(CATEGORY_STATUSES)
                    else "ARCHIVED"}
            rec = existing.get(oid)
            if rec:
                if rec.name != vals["name"] or rec.status != vals["status"]:
                    rec.write(vals)
            else:
                existing[oid] = Option.create(dict(vals, category_id=self.id, xero_id=oid))
        if complete:
            gone = self.option_ids.filtered(lambda o: o.xero_id not in seen and o.status != "DELETED")
            gone.write({"status": "DELETED"})
        return Option.browse([existing[oid].id for oid in seen if oid in existing])

    # ------------------------------------------------------------------------------------------
    # Lead Source on exported lines
    # ------------------------------------------------------------------------------------------
    def _xero_option_for(self, source):
        """The option (not deleted) of this category for the Odoo source: linked to it, else of its name."""
        self.ensure_one()
        options = self.option_ids.filtered(lambda o: o.status != "DELETED")
        linked = options.filtered(lambda o: o.source_id == source)[:1]
        if linked:
            return linked
        name = (source.name or "").strip()[:100].lower()
        return options.filtered(lambda o: not o.source_id and (o.name or "").lower() == name)[:1]

    @api.model
    def _xero_lead_source_tracking(self, job, source, doc_name):
        """``Tracking`` for the lines of a document whose Lead Source is ``source`` (empty without one).

        The option was added (or renamed after its source) by the jobs the document waited for (see
        ``xero_tracking_outbox.py``); what could not be (the option limit, an archived category or option)
        blocks the job with the reason.
        """
        company = job.company_id
        category = company.sudo().xero_lead_source_category_id
        if not source or not category:
            return []
        if category.status != "ACTIVE":
            raise XeroBlocked(self.env._(
                "%(doc)s: the Lead Source tracking category %(category)s is no longer active in Xero. Pick an "
                "active category in Settings → Xero (Lead Source), then retry.", doc=doc_name,
                category=category.name))
        option = category._xero_option_for(source)
        if not option or option.name != (source.name or "").strip()[:100]:
            raise XeroBlocked(self.env._("%(doc)s: %(reason)s", doc=doc_name, reason=company.xero_lead_source_message or self.env._(
                "the Lead Source %s could not be added to Xero.", source.name)))
        if option.status != "ACTIVE":
            raise XeroBlocked(self.env._(
                "%(doc)s: the Lead Source option %(option)s is archived in Xero's tracking category %(category)s. "
                "Restore it in Xero (or change the order's source), then retry.", doc=doc_name, option=option.name,
                category=category.name))
        return [{"Name": category.name, "Option": option.name}]
