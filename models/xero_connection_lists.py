"""xero.connection: Xero's lists (accounts, tax rates, items, tracking categories) and the Lead Source."""
import logging

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..xero import XeroError
from .xero_access import MANAGER, checked
from .xero_tracking_category import LEAD_SOURCE

_logger = logging.getLogger(__name__)

# kind: (Xero collection, model, applier, query parameters)
LISTS = {
    "accounts": ("Accounts", "xero.account", "_xero_apply_accounts", None),
    "tax_rates": ("TaxRates", "xero.tax.rate", "_xero_apply_tax_rates", None),
    "items": ("Items", "xero.item", "_xero_apply_items", None),
    "tracking": ("TrackingCategories", "xero.tracking.category", "_xero_apply_tracking_categories",
                 {"includeArchived": "true"}),
}
# The sync cursor that remembers when the lists were last read whole.
LISTS_CURSOR = "Lists (refresh)"


class XeroConnection(models.Model):
    _inherit = "xero.connection"

    xero_account_ids = fields.One2many("xero.account", "connection_id", "Xero Accounts", readonly=True)
    xero_tax_rate_ids = fields.One2many("xero.tax.rate", "connection_id", "Xero Tax Rates", readonly=True)
    xero_item_ids = fields.One2many("xero.item", "connection_id", "Xero Items", readonly=True)
    xero_tracking_category_ids = fields.One2many("xero.tracking.category", "connection_id", "Tracking Categories",
                                                 readonly=True)
    lists_refreshed_on = fields.Datetime("Lists Read From Xero", compute="_compute_lists_refreshed_on")

    def _compute_lists_refreshed_on(self):
        # Kept on a sync cursor, not on the connection row: the connection row is also updated by the
        # token refresh in transactions of its own, and a second writer would make them collide.
        cursors = self.env["xero.sync.cursor"].sudo().search(
            [("connection_id", "in", self.ids), ("key", "=", LISTS_CURSOR)])
        when = {cursor.connection_id.id: cursor.last_run for cursor in cursors}
        for conn in self:
            conn.lists_refreshed_on = when.get(conn.id, False)

    def _xero_check_manager(self):
        """The connection as superuser, once the caller is a Xero administrator of its company."""
        self.ensure_one()
        return checked(self, MANAGER, self.env._("Only Xero administrators can change what Odoo reads from Xero."))

    def _xero_ready(self):
        self.ensure_one()
        if self.state != "connected" or not self.tenant_id:
            raise UserError(self.env._("%s is not connected to Xero: connect it in Settings → Xero first.",
                              self.company_id.name))

    # ------------------------------------------------------------------------------------------
    # Lists
    # ------------------------------------------------------------------------------------------
    def _xero_refresh_lists(self, kinds=None, max_rate_wait=None):
        """Read whole lists from Xero now (one call each), store them, and mark what Xero no longer lists.

        Returns ``{kind: count}``. Xero errors are raised (typed, see ``xero.errors``); ``max_rate_wait``: how
        long to wait for Xero's limits at most (the rate limiter's own maximum by default).
        """
        self.ensure_one()
        conn = self.sudo()
        client = conn._xero_client(max_rate_wait=max_rate_wait)
        counts = {}
        for kind in kinds or LISTS:
            resource, model_name, method, params = LISTS[kind]
            records = list(client.iter_records(resource, params=params))
            Model = self.env[model_name].sudo().with_company(conn.company_id).with_context(xero_from_xero=True)
            getattr(Model, method)(conn, records)
            seen = {r.get(Model._xero_id_key) for r in records}
            gone = Model.search([("connection_id", "=", conn.id), ("xero_id", "not in", list(seen))])
            if "status" in Model._fields:
                gone.filtered(lambda r: r.status != "DELETED").write({"status": "DELETED"})
            else:
                gone.unlink()
            counts[kind] = len(records)
            self.env["xero.sync.cursor"].sudo()._xero_read_whole(conn, resource, records, params)
        self.env["xero.sync.cursor"].sudo()._xero_cursor(conn, LISTS_CURSOR).last_run = fields.Datetime.now()
        return counts

    @api.model
    def _xero_ensure_lists(self, connection):
        """Before validating a mapping: read the accounts and tax rates once if they were never read (and choose
        the company's missing defaults from them: models/xero_connection_defaults.py)."""
        if connection and connection.state == "connected" and not self.env["xero.account"]._xero_index(
                connection, "code"):
            connection._xero_refresh_lists(["accounts", "tax_rates"])
            connection._xero_choose_defaults()

    def action_xero_refresh_lists(self):
        """Refresh from Xero: accounts, tax rates, items and tracking categories."""
        conn = self._xero_check_manager()
        conn._xero_ready()
        try:
            counts = conn._xero_refresh_lists()
        except XeroError as exc:
            raise UserError(self.env._("Xero did not answer: %s", exc)) from None
        message = self.env._("Read from Xero: %(accounts)s accounts, %(taxes)s tax rates, %(items)s items, %(tracking)s "
                    "tracking categories.", accounts=counts["accounts"], taxes=counts["tax_rates"],
                    items=counts["items"], tracking=counts["tracking"])
        return self._xero_notify(message, "success")

    @api.model
    def _xero_notify(self, message, kind, sticky=False):
        return {"type": "ir.actions.client", "tag": "display_notification",
                "params": {"type": kind, "message": message, "sticky": sticky,
                           "next": {"type": "ir.actions.client", "tag": "soft_reload"}}}

    def action_xero_open_list(self):
        """Open one of Xero's lists of this connection (context ``xero_list``: one of the lists' models)."""
        self._xero_check_manager()
        model = self.env.context.get("xero_list") or "xero.account"
        if model not in {entry[1] for entry in LISTS.values()}:
            raise UserError(self.env._("%s is not one of Xero's lists.", model))
        return {"type": "ir.actions.act_window", "res_model": model, "view_mode": "list,form",
                "name": self.env[model]._description, "domain": [("connection_id", "=", self.id)]}

    def action_xero_import_items(self):
        """Create/update Odoo products from the Xero items (read again first)."""
        conn = self._xero_check_manager()
        conn._xero_ready()
        try:
            conn._xero_refresh_lists(["accounts", "tax_rates", "items"])
        except XeroError as exc:
            raise UserError(self.env._("Xero did not answer: %s", exc)) from None
        return conn.xero_item_ids.action_xero_import()

    # ------------------------------------------------------------------------------------------
    # Lead Source
    # ------------------------------------------------------------------------------------------
    def action_xero_setup_lead_source(self):
        """Use (or create) Xero's tracking category "Lead Source", then sync its options with Odoo's sources.

        Xero allows two active tracking categories: when both are taken by others, say which and let the
        administrator pick one of them instead (Settings → Xero → Lead Source category).
        """
        conn = self._xero_check_manager()
        conn._xero_ready()
        company = conn.company_id
        try:
            conn._xero_refresh_lists(["tracking"])
            category = company.xero_lead_source_category_id
            if not category or category.status != "ACTIVE":
                category = conn._xero_lead_source_category()
                company.xero_lead_source_category_id = category
            over = conn._xero_sync_lead_sources()
        except XeroError as exc:
            raise UserError(self.env._("Xero did not answer: %s", exc)) from None
        if over:
            return self._xero_notify(company.xero_lead_source_message, "warning", sticky=True)
        count = len(category.option_ids.filtered(lambda o: o.source_id and o.status != "DELETED"))
        return self._xero_notify(self.env._("Lead Source: Xero's tracking category %(category)s follows %(count)s Odoo "
                                   "source(s).", category=category.name, count=count), "success")

    def _xero_lead_source_category(self):
        """The active "Lead Source" category: found, reactivated or created while a slot is free."""
        Category = self.env["xero.tracking.category"].sudo()
        categories = Category.search([("connection_id", "=", self.id), ("status", "in", ("ACTIVE", "ARCHIVED"))])
        named = categories.filtered(lambda c: (c.name or "").strip().lower() == LEAD_SOURCE.lower())
        if named.filtered(lambda c: c.status == "ACTIVE"):
            return named.filtered(lambda c: c.status == "ACTIVE")[:1]
        active = categories.filtered(lambda c: c.status == "ACTIVE")
        if len(active) >= 2:
            message = self.env._(
                "Xero allows two active tracking categories and both are taken: %(first)s and %(second)s. Pick "
                "one of them as the Lead Source category in Settings → Xero (its options will follow Odoo's "
                "sources), or archive one in Xero and set up the Lead Source again.",
                first=active[0].name, second=active[1].name)
            self.company_id.xero_lead_source_message = message
            raise UserError(message)
        # Through the outbox (a Sync Log line), sent at once: the administrator waits for the answer.
        Job = self.env["xero.job"].sudo()
        if named:
            job = Job._xero_enqueue(named[0], "tracking_category", method="POST", company=self.company_id,
                                    resource=f"TrackingCategories/{named[0].xero_id}")
        else:
            job = Job._xero_enqueue(self, "tracking_category", company=self.company_id)
        Job._xero_send(connections=self, jobs=job)
        if job.state == "blocked":
            raise UserError(job.error)
        if job.state != "done":
            raise UserError(self.env._("Xero did not answer: %s", job.error or job.state))
        return Category.search([("connection_id", "=", self.id), ("status", "=", "ACTIVE"),
                                ("xero_id", "=", job.xero_id)], limit=1)

    def _xero_lead_sources(self):
        """The Odoo sources the Lead Source follows: those of the company's sales orders."""
        groups = self.env["sale.order"].sudo()._read_group(
            [("company_id", "=", self.company_id.id), ("source_id", "!=", False)], ["source_id"])
        return self.env["utm.source"].browse([source.id for (source,) in groups])

    def _xero_lead_source_plan(self, category, sources):
        """(renames [(option, name)], additions [(source, name)]) to make the options follow ``sources``."""
        renames, additions = [], []
        for source in sources:
            name = (source.name or "").strip()[:100]
            if not name:
                continue
            option = category._xero_option_for(source)
            if option and not option.source_id:
                option.source_id = source  # an option of that name already: it follows the source from now on
            if option:
                if option.name != name:
                    renames.append((option, name))
            else:
                additions.append((source, name))
        return renames, additions

    def _xero_sync_lead_sources(self, sources=None):
        """Make the Lead Source options follow Odoo's sources: add missing ones (up to Xero's limit), rename
        renamed ones. Calls Xero only when there is something to do. Returns the sources left out (over
        the limit or refused), with the reason in ``company.xero_lead_source_message``."""
        self.ensure_one()
        conn = self.sudo()
        company = conn.company_id
        category = company.xero_lead_source_category_id
        if not category or category.status != "ACTIVE" or conn.state != "connected":
            return self.env["utm.source"]
        sources = conn._xero_lead_sources() if sources is None else sources
        renames, additions = conn._xero_lead_source_plan(category, sources)
        if not renames and not additions:
            if company.xero_lead_source_message and sources == conn._xero_lead_sources():
                company.xero_lead_source_message = False
            return self.env["utm.source"]
        # Through the outbox (Sync Log lines), sent now: the options job reads Xero's options just before.
        jobs, left_out = category._xero_queue_options(renames, additions)
        if jobs:
            self.env["xero.job"].sudo()._xero_send(connections=conn, jobs=jobs)
        problems = [job.error for job in jobs if job.state == "blocked" and job.error]
        failed = jobs.filtered(lambda j: j.state == "blocked" and j.res_model == category._name)
        if failed:
            left_out |= self.env["utm.source"].union(*[source for source, _name in additions])
        if left_out:
            problems.insert(0, category._xero_over_limit_message(left_out))
        company.xero_lead_source_message = " ".join(problems) if problems else False
        return left_out
