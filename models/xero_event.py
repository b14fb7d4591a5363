import logging
from collections import OrderedDict
from datetime import timedelta

from odoo import api, fields, models
from odoo.fields import Domain
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY

from ..exceptions import CronOutOfTime
from ..xero import RateLimited, ReconnectNeeded, XeroError, budget, parse_xero_date, resources
from ..xero.client import MAX_IDS_PER_CALL
from .xero_access import MANAGER, checked
from .xero_commit import commit_progress
from .xero_sql import insert_new_rows

_logger = logging.getLogger(__name__)

# An event whose fetch or apply failed is retried by the pull cron until it failed this many times.
MAX_ATTEMPTS = 5
# Resources fetched per applier call: with Xero's IDs filter (Invoices, Contacts: 40 a call, under Xero's 2 KB
# query string), else one GET by id each.
IDS_PER_CALL = MAX_IDS_PER_CALL
# Records of a collection without IDs: this many one call each, more through one If-Modified-Since read.
BY_ID_UP_TO = 3
CHANGED_PER_READ = 500
CATEGORIES = [
    ("CONTACT", "Contact"),
    ("INVOICE", "Invoice"),
    ("CREDITNOTE", "Credit Note"),
    ("SUBSCRIPTION", "Subscription"),
]
EVENT_TYPES = [("CREATE", "Create"), ("UPDATE", "Update")]
# Re-exported: the payment events import it from here.
__all__ = ["CronOutOfTime", "XeroEvent"]


class XeroEvent(models.Model):
    """A webhook event received from Xero, stored once, processed later by the pull cron.

    Inbound flow: ``POST /xero/webhook`` checks Xero's signature on the raw body, stores each event
    here (deduplicated on tenant + category + resource + event date + event type, per connection, by
    a unique index and ``INSERT … ON CONFLICT DO NOTHING``), triggers ``ir_cron_xero_pull`` and
    answers 200 at once. The cron (:meth:`_cron_xero_pull`) fetches the resources from Xero in
    batches of up to 40 ids (one call with ``IDs`` where Xero has it, else one call per id) and hands them to the *appliers* registered in :meth:`_xero_appliers`.

    Applier contract: ``env[model].<method>(connection, records)`` where ``records`` is a list of
    Xero dicts (as Xero's JSON API returns them). It may return ``{xero_id: error message}`` for
    records it could not apply (those events turn *failed* and are retried); anything else means
    every record was applied. It runs as superuser, in the connection's company
    (``with_company``), inside a savepoint.

    Echo suppression: appliers (and incremental pulls, see ``xero.sync.cursor``) run with the
    context key ``xero_from_xero=True``. Write hooks of synced records (``res.partner``,
    ``account.move``, …) must not queue an export to Xero for a write done under that key:
    the change came from Xero, sending it back would echo it (and loop through the webhook).
    """

    _name = "xero.event"
    _description = "Xero Webhook Event"
    _order = "event_date desc, id desc"
    _rec_name = "resource_id"

    connection_id = fields.Many2one("xero.connection", index=True, ondelete="cascade", readonly=True)
    company_id = fields.Many2one(related="connection_id.company_id", store=True, index=True)
    tenant_id = fields.Char("Xero Tenant ID", required=True, readonly=True)
    category = fields.Selection(CATEGORIES, required=True, readonly=True)
    event_type = fields.Selection(EVENT_TYPES, required=True, readonly=True)
    resource_id = fields.Char("Xero Resource ID", required=True, readonly=True)
    resource_url = fields.Char(readonly=True)
    event_date = fields.Datetime(required=True, readonly=True, help="eventDateUtc: when the change happened in Xero.")
    state = fields.Selection(
        [("pending", "Pending"), ("done", "Done"), ("failed", "Failed"), ("ignored", "Ignored")],
        default="pending",
        required=True,
        index=True,
        readonly=True,
    )
    attempts = fields.Integer(readonly=True)
    error = fields.Text(readonly=True, help="Why the event failed, was ignored, or a note on how it was processed.")
    processed_on = fields.Datetime(readonly=True)

    # One row per event and connection: Xero redelivers (retries, several subscriptions) and
    # concurrent deliveries race; the index makes both harmless. Unknown tenants have no connection.
    _event_uniq = models.UniqueIndex(
        "(tenant_id, category, resource_id, event_date, event_type, COALESCE(connection_id, 0))",
        "This Xero event is already stored.",
    )
    _pending_idx = models.Index("(connection_id, category) WHERE state IN ('pending', 'failed')")

    # ------------------------------------------------------------------------------------------
    # Receiving (called by the webhook controller, as superuser)
    # ------------------------------------------------------------------------------------------
    @api.model
    def _xero_parse_event(self, event):
        """Validate one event of a delivery; return its values or raise ValueError with the reason."""
        if not isinstance(event, dict):
            raise ValueError("an event is not an object")
        values = {}
        for key in ("tenantId", "eventCategory", "eventType", "resourceId", "eventDateUtc"):
            value = event.get(key)
            if not isinstance(value, str) or not value.strip() or len(value) > 200:
                raise ValueError(f"event without a valid {key}")
            values[key] = value.strip()
        category = values["eventCategory"].upper()
        if category not in dict(CATEGORIES):
            raise ValueError(f"unknown eventCategory {values['eventCategory'][:40]!r}")
        event_type = values["eventType"].upper()
        if event_type not in dict(EVENT_TYPES):
            raise ValueError(f"unknown eventType {values['eventType'][:40]!r}")
        date = parse_xero_date(values["eventDateUtc"])  # ValueError when malformed
        url = event.get("resourceUrl")
        return {
            "tenant_id": values["tenantId"].lower(),
            "category": category,
            "event_type": event_type,
            "resource_id": values["resourceId"].lower(),
            "resource_url": url[:2000] if isinstance(url, str) else None,
            "event_date": date.replace(tzinfo=None),
        }

    @api.model
    def _xero_receive(self, payload, wake=False):
        """Store the events of a verified delivery. Returns ``(stored, skipped reasons)``. ``wake``: new events
        wake the pull cron in the same statement (a webhook delivery: ``models/xero_cron.py``).

        - The payload must be ``{"events": [...]}``; otherwise ValueError (the caller answers 400 and
          stores nothing).
        - An event that is not Xero's shape is skipped (its reason returned); the others are stored.
        - Events of a tenant no company is connected to are stored *ignored*, with the reason, so an
          administrator sees them; events of a connection that needs a reconnect stay *pending*.
        - Duplicates (same tenant, category, resource, date, type) are skipped by the unique index.
        """
        if not isinstance(payload, dict) or not isinstance(payload.get("events"), list):
            raise ValueError("the body is not a Xero webhook payload (no events list)")
        parsed, skipped = [], []
        for event in payload["events"]:
            try:
                parsed.append(self._xero_parse_event(event))
            except ValueError as exc:
                skipped.append(str(exc))
        if not parsed:
            return 0, skipped
        tenants = {values["tenant_id"] for values in parsed}
        connections = self.env["xero.connection"].sudo().search(
            [("tenant_id", "in", list(tenants)), ("state", "in", ("connected", "reconnect"))]
        )
        by_tenant = {}
        for conn in connections:
            by_tenant.setdefault(conn.tenant_id.lower(), []).append(conn)
        rows = []
        for values in parsed:
            conns = by_tenant.get(values["tenant_id"])
            if not conns:
                reason = self.env._(
                    "No company of this database is connected to the Xero organisation %s: event not processed.",
                    values["tenant_id"],
                )
                rows.append(dict(values, connection_id=None, company_id=None, state="ignored", error=reason))
                continue
            for conn in conns:
                rows.append(dict(values, connection_id=conn.id, company_id=conn.company_id.id, state="pending",
                                 error=None))
        stored_ids = self._xero_insert(rows, wake)
        return len(stored_ids), skipped

    @api.model
    def _xero_insert(self, rows, wake=False):
        """INSERT the rows, skipping those already stored; return the ids of the new rows."""
        return insert_new_rows(self.env, "xero_event", [dict(row, attempts=0) for row in rows],
                               wake="xero_connector.ir_cron_xero_pull" if wake else None)

    # ------------------------------------------------------------------------------------------
    # Appliers registry
    # ------------------------------------------------------------------------------------------
    @api.model
    def _xero_appliers(self):
        """``{category: (Xero collection, model, method)}``: who applies a fetched resource.

        Other modules (or later issues) add or replace entries by overriding this method. Entries
        whose model or method does not exist (yet) leave their events pending with "no applier".
        """
        return {
            "CONTACT": ("Contacts", "res.partner", "_xero_apply_contacts"),
            "INVOICE": ("Invoices", "xero.invoice", "_xero_apply_invoices"),
            "CREDITNOTE": ("CreditNotes", "account.move", "_xero_apply_credit_notes"),
        }

    @api.model
    def _xero_applier(self, model_name, method_name, connection=None):
        """The applier, bound as it must run, or None when the model or the method does not exist.

        Bound to superuser, the connection's company and ``xero_from_xero=True`` (echo suppression).
        """
        if model_name not in self.env:
            return None
        model = self.env[model_name]
        if not callable(getattr(type(model), method_name, None)):
            return None
        model = model.sudo().with_context(xero_from_xero=True)
        if connection:
            model = model.with_company(connection.company_id)
        return getattr(model, method_name)

    @staticmethod
    def _xero_id_field(resource):
        """Xero's id field of a collection: Contacts → ContactID, CreditNotes → CreditNoteID (the registry)."""
        return resources.id_field(resource)

    @staticmethod
    def _xero_has_ids_filter(resource):
        known = resources.resource(resource)
        return bool(known and known.ids_filter)

    # ------------------------------------------------------------------------------------------
    # Processing (the pull cron)
    # ------------------------------------------------------------------------------------------
    @api.model
    def _cron_xero_pull(self):
        """Per connected organisation: process pending webhook events, then the incremental pulls."""
        connections = self.env["xero.connection"].sudo().search([("state", "=", "connected")])
        try:
            for conn in connections:
                try:
                    self.sudo()._xero_process_events(conn)
                    self.env["xero.sync.cursor"].sudo()._xero_run_pulls(conn)
                except ReconnectNeeded as exc:
                    # The connection marked itself "needs reconnect"; its events stay pending.
                    _logger.warning("Xero pull for %s stopped: reconnect needed (%s)", conn.company_id.name,
                                    exc.message)
                except RateLimited as exc:
                    _logger.warning("Xero pull for %s stopped by Xero's rate limit (%s); next run continues",
                                    conn.company_id.name, exc.problem or "limit")
                except XeroError as exc:
                    _logger.warning("Xero pull for %s stopped: %s", conn.company_id.name, exc)
                self._xero_progress(0)
        except CronOutOfTime:
            self.env.ref("xero_connector.ir_cron_xero_pull")._trigger()

    def _xero_progress(self, processed):
        """In the cron: commit a processed chunk; raise CronOutOfTime when the cron's time is spent.

        Outside a cron (a pull run on demand inside a user's or the sender's transaction) nothing is
        committed: the caller's transaction decides (see models/xero_commit.py, and its test switch).
        """
        if commit_progress(self.env, processed, cron_only=True) <= 0:
            raise CronOutOfTime()

    @api.model
    def _xero_events_to_process(self, connection):
        return self.search(
            Domain("connection_id", "=", connection.id)
            & (Domain("state", "=", "pending") | Domain([("state", "=", "failed"), ("attempts", "<", MAX_ATTEMPTS)])),
            order="event_date, id")

    @api.model
    def _xero_process_events(self, connection):
        events = self._xero_events_to_process(connection)
        if not events:
            return
        appliers = self._xero_appliers()
        no_applier = self.env._("No applier is installed for these events yet; they wait.")
        client = None
        for category in OrderedDict.fromkeys(events.mapped("category")):
            group = events.filtered(lambda e, c=category: e.category == c)
            entry = appliers.get(category)
            if not entry:
                group.write({
                    "state": "ignored",
                    "processed_on": fields.Datetime.now(),
                    "error": self.env._("Events of category %s are not used by this connector.", category),
                })
                continue
            resource, model_name, method_name = entry
            applier = self._xero_applier(model_name, method_name, connection)
            if applier is None:
                group.filtered(lambda e: e.error != no_applier).write({"error": no_applier})
                continue
            client = client or connection._xero_client()
            ids = list(OrderedDict.fromkeys(group.mapped("resource_id")))
            size = IDS_PER_CALL if self._xero_has_ids_filter(resource) else CHANGED_PER_READ
            for start in range(0, len(ids), size):
                plan = self.env["xero.sync.cursor"]._xero_budget_plan(connection, budget.LOOKUPS)
                if not plan.may_spend(budget.LOOKUPS):
                    return  # deferred: the day's calls are kept for documents; the events stay pending
                chunk = ids[start:start + size]
                chunk_events = group.filtered(lambda e, s=set(chunk): e.resource_id in s)
                self._xero_apply_chunk(connection, client, resource, applier, chunk, chunk_events)
                self._xero_progress(len(chunk_events))

    @api.model
    def _xero_apply_chunk(self, connection, client, resource, applier, ids, events):
        """Fetch ``ids`` from Xero, apply them, and settle their events."""
        id_field = self._xero_id_field(resource)
        try:
            if self._xero_has_ids_filter(resource):
                records = list(client.iter_records(resource, ids=ids, page_size=100))
            else:  # no IDs filter there: Xero would answer its whole list, every time
                records = self._xero_read_changed(client, resource, ids, events)
        except (ReconnectNeeded, RateLimited):
            raise
        except XeroError as exc:
            events._xero_fail(self.env._("Xero did not answer: %s", exc))
            return
        found = {str(rec.get(id_field) or "").lower(): rec for rec in records}
        try:
            errors = self._xero_call_applier(applier, connection, list(found.values()), id_field) if found else {}
        except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY as exc:
            cause = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            events._xero_fail(self.env._("Changed meanwhile by another Odoo process; tried again at the next run "
                                         "(%s).", cause))
            return
        now = fields.Datetime.now()
        missing = events.filtered(lambda e: e.resource_id not in found)
        missing.write({
            "state": "done",
            "processed_on": now,
            "error": self.env._("Not found in Xero (deleted since the event): nothing to apply."),
        })
        failed = events.filtered(lambda e: e.resource_id in errors)
        for event in failed:
            event._xero_fail(errors[event.resource_id])
        (events - missing - failed).write({"state": "done", "processed_on": now, "error": False})

    @api.model
    def _xero_read_changed(self, client, resource, ids, events):
        """``ids`` of a collection without an ``IDs`` filter (credit notes): a few one call each; more in
        one read of what changed since the earliest event (``If-Modified-Since``, a minute earlier for
        clocks), then any still missing by id. Never the whole collection."""
        id_field = self._xero_id_field(resource)
        wanted, records = set(ids), []
        if len(ids) > BY_ID_UP_TO:
            since = min(events.mapped("event_date")) - timedelta(minutes=1)
            for record in client.iter_records(resource, if_modified_since=since):
                if str(record.get(id_field) or "").lower() in wanted:
                    records.append(record)
        missing = wanted - {str(r.get(id_field) or "").lower() for r in records}
        records += [r for r in (client.get_by_id(resource, i) for i in ids if i in missing) if r]
        return records

    @api.model
    def _xero_call_applier(self, applier, connection, records, id_field):
        """Apply records in one savepoint; if that fails, one by one so one bad record fails alone.

        Returns ``{lowercase xero id: error message}``.
        """
        def key(rec):
            return str(rec.get(id_field) or "").lower()

        try:
            with self.env.cr.savepoint():
                result = applier(connection, records)
            return {str(k).lower(): str(v) for k, v in (result or {}).items()} if isinstance(result, dict) else {}
        except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
            # Another transaction changed these rows since this one began (the sender writing back the Xero
            # ids of the invoices a customer's new name recomputes): no record is at fault, and one by one in
            # the same snapshot each would fail alike and be skipped for good. The caller tries them again.
            raise
        except Exception as exc:
            if len(records) == 1:
                _logger.warning("Xero %s %s could not be applied: %s", id_field, key(records[0]), exc)
                return {key(records[0]): str(exc) or type(exc).__name__}
        errors = {}
        for rec in records:
            errors.update(self._xero_call_applier(applier, connection, [rec], id_field))
        return errors

    def _xero_fail(self, message):
        for event in self:
            event.write({"state": "failed", "attempts": event.attempts + 1, "error": message,
                         "processed_on": fields.Datetime.now()})

    # ------------------------------------------------------------------------------------------
    # UI
    # ------------------------------------------------------------------------------------------
    def _xero_checked(self):
        """These events as superuser, once the caller is a Xero administrator of their companies."""
        return checked(self, MANAGER, self.env._("Only Xero administrators can retry or ignore Xero's webhook events."))

    def action_xero_retry(self):
        """Process these events again at the next run (now)."""
        self._xero_checked().filtered(lambda e: e.connection_id and e.state != "pending").write(
            {"state": "pending", "attempts": 0, "error": False}
        )
        self.env.ref("xero_connector.ir_cron_xero_pull").sudo()._trigger()
        return True

    def action_xero_ignore(self):
        self._xero_checked().filtered(lambda e: e.state != "done").write(
            {"state": "ignored", "processed_on": fields.Datetime.now(),
             "error": self.env._("Ignored by %s.", self.env.user.name)}
        )
        return True
