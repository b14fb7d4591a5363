import logging
import math
from datetime import timedelta

from odoo import api, fields, models

from ..exceptions import CronOutOfTime
from ..xero import RateLimited, ReconnectNeeded, XeroError, budget, parse_xero_date, resources

_logger = logging.getLogger(__name__)

# If-Modified-Since is compared to the second: read from one second before the newest change seen.
OVERLAP = timedelta(seconds=1)


# The pulls' filters, shared by the cron and the on-demand refreshes (same cursor key).
CONTACTS_PULL = {"params": {"includeArchived": "true"}}
INVOICES_PULL = {"where": 'Type=="ACCREC"'}
CREDIT_NOTES_PULL = {"where": 'Type=="ACCRECCREDIT"'}
# Bills and supplier credit notes: their status back on exported vendor bills, only for companies that send bills
# (``when``: a res.company method that says whether the pull runs for the connection's company).
BILLS_PULL = {"where": 'Type=="ACCPAY"', "when": "_xero_exports_bills"}
SUPPLIER_CREDIT_NOTES_PULL = {"where": 'Type=="ACCPAYCREDIT"', "when": "_xero_exports_bills"}
# Lists that change rarely: at most hourly (Xero's Starter tier allows 1,000 calls a day); "Refresh from
# Xero" reads them at once, and an export reads them when it never did.
HOURLY = 3600
TRACKING_PULL = {"params": {"includeArchived": "true"}, "min_interval": HOURLY}


def _skipped_message(env, resource, skipped):
    """The cursor's note on records Odoo could not apply (retried by the next full pass), or False."""
    if not skipped:
        return False
    shown = "; ".join(f"{xero_id}: {error}" for xero_id, error in list(skipped.items())[:3])
    more = f" (+{len(skipped) - 3})" if len(skipped) > 3 else ""
    return env._("%(count)s record(s) of %(resource)s could not be applied and are retried at the next full pass: "
                 "%(shown)s%(more)s", count=len(skipped), resource=resource, shown=shown, more=more)


class XeroSyncCursor(models.Model):
    """How far an incremental pull of one Xero collection got, per connection.

    ``_xero_pull()`` reads the collection with ``If-Modified-Since`` = the newest ``UpdatedDateUTC``
    seen (minus one second), or everything when the last full pass is older than ``full_every``
    (some Xero changes, e.g. a contact becoming a customer, do not move ``UpdatedDateUTC``). Pages
    are applied in chunks, ordered by ``UpdatedDateUTC``, and the cursor advances and is committed
    after each chunk, so an interrupted pull resumes where it stopped.

    Register a pull by overriding :meth:`_xero_pulls`; the applier follows the contract of
    ``xero.event`` (``method(connection, records)``, context ``xero_from_xero=True``).
    """

    _name = "xero.sync.cursor"
    _description = "Xero Incremental Pull Cursor"
    _order = "connection_id, key"
    _rec_name = "key"

    connection_id = fields.Many2one("xero.connection", required=True, index=True, ondelete="cascade", readonly=True)
    company_id = fields.Many2one(related="connection_id.company_id", store=True, index=True)
    key = fields.Char("Xero Collection", required=True, readonly=True)
    last_modified = fields.Datetime("Newest Change Seen", readonly=True,
                                    help="The newest UpdatedDateUTC read from Xero: the next pull asks for changes since.")
    last_full = fields.Datetime("Last Full Pass", readonly=True)
    last_run = fields.Datetime(readonly=True)
    last_count = fields.Integer("Records in Last Run", readonly=True)
    last_error = fields.Text(readonly=True)
    # A full pass in progress (Xero → Overview): records read so far of Xero's count (its pagination's itemCount).
    pull_done = fields.Integer("Read in This Pass", readonly=True)
    pull_total = fields.Integer("To Read in This Pass", readonly=True)

    _connection_key_uniq = models.Constraint("UNIQUE(connection_id, key)", "One cursor per connection and collection.")

    @api.model
    def _xero_pulls(self):
        """The incremental pulls the cron runs: ``[(collection, model, method, kwargs), ...]``.

        Override to add one. Entries whose model or method does not exist are skipped.
        Contacts: all of them, archived included (matching must know every name and archived
        links); the applier imports only active customers (and suppliers, for a company that sends bills).
        Invoices: sales invoices, for each customer's history and sales to date; bills and supplier credit
        notes (``when`` the company sends bills: a res.company method), for their status back.
        """
        return [
            ("Contacts", "res.partner", "_xero_apply_contacts", CONTACTS_PULL),
            ("Invoices", "xero.invoice", "_xero_apply_invoices", INVOICES_PULL),
            ("CreditNotes", "account.move", "_xero_apply_credit_notes", CREDIT_NOTES_PULL),
            ("Invoices", "xero.invoice", "_xero_apply_invoices", BILLS_PULL),
            ("CreditNotes", "account.move", "_xero_apply_credit_notes", SUPPLIER_CREDIT_NOTES_PULL),
            ("Accounts", "xero.account", "_xero_apply_accounts", {"min_interval": HOURLY}),
            ("TaxRates", "xero.tax.rate", "_xero_apply_tax_rates", {"min_interval": HOURLY}),
            ("Items", "xero.item", "_xero_apply_items", {}),
            ("TrackingCategories", "xero.tracking.category", "_xero_apply_tracking_categories", TRACKING_PULL),
        ]

    @api.model
    def _xero_run_pulls(self, connection):
        for resource, model_name, method_name, kwargs in self._xero_pulls():
            if self.env["xero.event"]._xero_applier(model_name, method_name) is None:
                continue
            kwargs = dict(kwargs or {})
            when = kwargs.pop("when", None)
            if when and not getattr(connection.company_id.sudo(), when)():
                continue
            self._xero_pull(connection, resource, model_name, method_name, **kwargs)
        # Lead Source options follow Odoo's sources (calls Xero only when one is missing or renamed).
        connection._xero_sync_lead_sources()

    @api.model
    def _xero_budget_plan(self, connection, work_class=budget.PULLS):
        """The day's budget plan of ``connection``'s organisation (xero/budget.py) for one more call of ``work_class``,
        from the rate state: the learned daily limit, Xero's last X-DayLimit-Remaining and the documents queued."""
        limiter = self.env["xero.connection"]._xero_rate_limiter()
        # Read in SQL: the limiter writes the row in SQL too (xero_rate_state.py), which the ORM's cache of this
        # transaction would not see.
        self.env.cr.execute("SELECT state FROM xero_rate_state WHERE tenant_id = %s", [connection.tenant_id])
        row = self.env.cr.fetchone()
        rate = (row[0] if row else None) or {}
        limit = limiter.day_limit(rate)
        remaining, into_day = budget.day_position(rate, limiter.day_window)
        queued = self.env["xero.job"].sudo().search_count([
            ("company_id", "=", connection.company_id.id), ("state", "in", ("pending", "sending", "retry")),
            ("operation", "not in", list(resources.PULL_CLASS))])  # attachments spend as pulls, after documents
        documents = math.ceil(queued / resources.MAX_PER_CALL)  # the calls they need: up to 50 a call
        return budget.plan(limit, remaining, {budget.DOCUMENTS: documents, work_class: 1},
                           seconds_into_day=into_day, day_seconds=limiter.day_window)

    @api.model
    def _xero_cursor(self, connection, key):
        cursor = self.sudo().search([("connection_id", "=", connection.id), ("key", "=", key)], limit=1)
        return cursor or self.sudo().create({"connection_id": connection.id, "key": key})

    @api.model
    def _xero_pull_key(self, resource, where=None, params=None):
        """The cursor's name of a pull: the collection, plus its ``where`` and ``params`` when given."""
        key = resource
        if where:
            key += f" where {where}"
        if params:
            key += " " + "&".join(f"{k}={v}" for k, v in sorted(params.items()))
        return key

    @api.model
    def _xero_read_whole(self, connection, resource, records, params=None):
        """``records``: the whole of ``resource``, just read outside its pull (the lists' refresh). Its pull counts
        it as its full pass, so that it does not read the same list again within the hour (or the day)."""
        newest = None
        for record in records:
            updated = parse_xero_date(record.get("UpdatedDateUTC"))
            if updated:
                updated = updated.replace(tzinfo=None, microsecond=0)
                newest = max(newest, updated) if newest else updated
        cursor = self._xero_cursor(connection, self._xero_pull_key(resource, None, params))
        now = fields.Datetime.now()
        values = {"last_full": now, "last_run": now, "last_count": len(records), "last_error": False}
        if newest and (not cursor.last_modified or newest > cursor.last_modified):
            values["last_modified"] = newest
        cursor.write(values)

    @api.model
    def _xero_pull(self, connection, resource, applier_model, applier_method, *, where=None,
                   full_every=timedelta(days=1), page_size=1000, min_interval=None, params=None, key=None):
        """Pull the changes of ``resource`` since the cursor and apply them. Returns the record count.

        ``key``: the cursor's name; by default the collection, plus the ``where`` and ``params`` when
        given, so that differently filtered pulls of one collection never move each other's cursor.
        ``params``: extra query parameters (e.g. ``{"includeArchived": "true"}`` to see archivals).
        ``min_interval`` (seconds): do nothing when the last run is more recent than that (callers
        that refresh on demand, e.g. before matching, avoid one Xero call per click).

        ReconnectNeeded and RateLimited are raised (the cursor keeps its place); any other Xero or
        applier error is recorded on the cursor and the pull stops there, to resume next run.
        """
        applier = self.env["xero.event"]._xero_applier(applier_model, applier_method, connection)
        if applier is None:
            return 0
        cursor = self._xero_cursor(connection, key or self._xero_pull_key(resource, where, params))
        started = fields.Datetime.now()
        if min_interval and cursor.last_run and cursor.last_run > started - timedelta(seconds=min_interval):
            return 0
        plan = self._xero_budget_plan(connection)
        if not plan.may_spend(budget.PULLS):
            return 0  # deferred: the day's calls are kept for documents; the cursor keeps its place
        # A full pass that stopped half-way (cron out of time, worker killed, Xero's limit) is resumed: pages come
        # oldest change first and each one is committed with the cursor, so what changed since the newest record
        # seen is what is left of it. Starting it again would read the first pages forever on a big organisation.
        resuming = bool(cursor.last_modified) and cursor.pull_total > cursor.pull_done
        # As the day's budget shrinks, the daily full re-read waits: If-Modified-Since only (budget.py).
        full = not resuming and (not cursor.last_modified or (not plan.pull_form.if_modified_since and (
            not cursor.last_full or cursor.last_full < started - full_every)))
        since = None if full else cursor.last_modified - OVERLAP
        client = connection._xero_client()
        # Progress of a full pass, kept across the runs that finish an interrupted one (those read what changed
        # since the newest record seen: Xero's itemCount is then what is left).
        tracking = full or resuming
        if full:
            cursor.write({"pull_done": 0, "pull_total": 0})
        base = cursor.pull_done
        count = 0
        chunk = []
        skipped = {}
        id_field = resources.id_field(resource)  # to name a record that could not be applied

        def apply(records):
            newest = cursor.last_modified
            for rec in records:
                updated = parse_xero_date(rec.get("UpdatedDateUTC"))
                if updated:
                    updated = updated.replace(tzinfo=None, microsecond=0)
                    newest = max(newest, updated) if newest else updated
            # One savepoint for the chunk; if it fails, one record at a time, so that one record Odoo refuses
            # (a VAT number its localisation rejects…) fails alone instead of stopping every pull after it.
            skipped.update(self.env["xero.event"]._xero_call_applier(applier, connection, records, id_field))
            values = {"last_modified": newest, "last_error": _skipped_message(self.env, resource, skipped)}
            if tracking:
                values.update(pull_done=cursor.pull_done + len(records),
                              pull_total=base + int((client.last_pagination or {}).get("itemCount") or 0))
            cursor.write(values)
            self.env["xero.event"]._xero_progress(len(records))

        try:
            for record in client.iter_records(resource, params=params, where=where, order="UpdatedDateUTC ASC",
                                              if_modified_since=since, page_size=page_size):
                chunk.append(record)
                if len(chunk) >= page_size:
                    apply(chunk)
                    count += len(chunk)
                    chunk = []
            if chunk:
                apply(chunk)
                count += len(chunk)
        except (ReconnectNeeded, RateLimited, CronOutOfTime):
            cursor.last_count = count
            raise
        except XeroError as exc:
            cursor.write({"last_error": self.env._("Xero did not answer: %s", exc), "last_run": started, "last_count": count})
            return count
        except Exception as exc:  # the pull resumes at the next run; the cursor keeps the reason
            _logger.warning("Xero pull of %s for %s stopped: %s", resource, connection.company_id.name, exc)
            cursor.write({"last_error": self.env._("Could not apply: %s", exc), "last_run": started, "last_count": count})
            return count
        values = {"last_run": started, "last_count": count}
        if tracking:
            values["pull_total"] = cursor.pull_done  # the pass is complete
        if full or resuming:
            values["last_full"] = started
            if not cursor.last_modified:  # nothing there yet: what comes from now on is enough next time
                values["last_modified"] = started
        cursor.write(values)
        return count
