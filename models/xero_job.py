"""The outbox: one job per record and operation to send to Xero, and the sender that drains it.

A job is also the sync log's line: state, attempts, next try, the Xero id/number written back, a
human error and short request/response excerpts (never a secret).

Handlers live on the record's model (sale.order, account.move, res.partner…):

- ``_xero_job_payload(job) -> dict``: the Xero element; raise :class:`XeroBlocked` to block the job
  with a human message (a missing mapping, a missing customer…);
- ``_xero_job_dependencies(job) -> xero.job``: jobs that must be done first (enqueue them there);
- ``_xero_job_done(job, result)``: write back the Xero id/number/status, post in the chatter;
- ``_xero_job_lookup(job, client) -> dict | None``: the document already in Xero, when the outcome of
  an earlier attempt is unknown; optionally ``_xero_jobs_lookup(jobs, records, client)`` (a model
  method, ``{job id: dict | None}``): several of them in one call.
"""
import hashlib
import json
import logging
from collections import defaultdict
from datetime import timedelta

from psycopg2.errors import UniqueViolation

from odoo import _, api, fields, models, modules, sql_db
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..xero import ElementResult, NotFound, RateLimited, ReconnectNeeded, TransientError, XeroError, redact
from .xero_access import MANAGER, USER, checked
from .xero_contact import name_key

_logger = logging.getLogger(__name__)

OPEN_STATES = ("pending", "sending", "retry", "blocked")
DUE_STATES = ("pending", "retry")
RESOURCES = {
    "contact": "Contacts",
    "quote": "Quotes",
    "invoice": "Invoices",
    "credit_note": "CreditNotes",
    "item": "Items",
    "payment": "Payments",
    "payment_reversal": "Payments",
    "bank_transaction": "BankTransactions",
    "bank_transfer": "BankTransfers",
    "void_invoice": "Invoices",
    "void_credit_note": "CreditNotes",
    "void_quote": "Quotes",
    "allocation": "CreditNotes",  # sent to one credit note's own endpoint: CreditNotes/<id>/Allocations
    "bank_account": "Accounts",  # a provider's clearing bank account (xero.clearing.account)
}
# Lower first: contacts (and items) before the documents that use them, payments after.
PRIORITIES = {"contact": 10, "item": 15, "quote": 20, "invoice": 20, "credit_note": 20, "void_invoice": 25,
              "void_credit_note": 25, "void_quote": 25, "payment": 30, "payment_reversal": 35, "bank_transaction": 40,
              "bank_transfer": 45, "allocation": 30, "bank_account": 5}
BATCH_SIZE = 50
MAX_ATTEMPTS = 8
BACKOFF_BASE = 30  # seconds; doubles per attempt
BACKOFF_MAX = 3600
EXCERPT = 500
# pg_try_advisory_lock(namespace, tenant hash): one sender per Xero organisation.
LOCK_NAMESPACE = 0x58455230  # "XER0"
# How long the sender waits for Xero's pacing inside one run (a cron may wait longer than a user).
CRON_RATE_WAIT = 120
INTERACTIVE_RATE_WAIT = 10


class XeroBlocked(Exception):
    """Raised by a handler: the job cannot be sent until a human fixes something (the message says what)."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class XeroAlreadyDone(Exception):
    """Raised by a handler: Xero already is as the job wants it (``data``: Xero's record); nothing is sent
    and the job ends done."""

    def __init__(self, data):
        super().__init__("already done in Xero")
        self.data = data


def _excerpt(value):
    if value is None or value is False:
        return False
    if not isinstance(value, str):
        value = json.dumps(value, default=str, ensure_ascii=False)
    return redact(value)[:EXCERPT]


def _tenant_lock_key(tenant_id):
    return int.from_bytes(hashlib.sha256(f"xero-sender:{tenant_id}".encode()).digest()[:4], "big", signed=True)


class XeroJob(models.Model):
    _name = "xero.job"
    _description = "Xero Sync Job"
    _order = "id desc"
    _rec_name = "display_label"

    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True,
                                 default=lambda self: self.env.company)
    connection_id = fields.Many2one("xero.connection", readonly=True, index=True, ondelete="set null")
    res_model = fields.Char("Model", required=True, readonly=True, index=True)
    res_id = fields.Many2oneReference("Record ID", model_field="res_model", required=True, readonly=True,
                                      index=True)
    record_name = fields.Char("Record", readonly=True)
    display_label = fields.Char(compute="_compute_display_label")
    operation = fields.Selection(
        [
            ("contact", "Contact"),
            ("quote", "Quote"),
            ("invoice", "Invoice"),
            ("credit_note", "Credit Note"),
            ("item", "Item"),
            ("payment", "Payment"),
            ("payment_reversal", "Payment Reversal"),
            ("bank_transaction", "Bank Transaction"),
            ("bank_transfer", "Bank Transfer"),
            ("void_invoice", "Void Invoice"),
            ("void_credit_note", "Void Credit Note"),
            ("void_quote", "Delete Quote"),
            ("allocation", "Credit Note Allocation"),
            ("bank_account", "Bank Account"),
        ],
        required=True,
        readonly=True,
    )
    resource = fields.Char("Xero Collection", required=True, readonly=True)
    method = fields.Selection([("PUT", "Create"), ("POST", "Update")], required=True, default="PUT", readonly=True)
    state = fields.Selection(
        [
            ("pending", "Pending"),
            ("sending", "Sending"),
            ("done", "Done"),
            ("retry", "Failed, will retry"),
            ("blocked", "Blocked"),
            ("cancelled", "Cancelled"),
        ],
        default="pending",
        required=True,
        readonly=True,
        index=True,
    )
    attempts = fields.Integer(readonly=True)
    next_try = fields.Datetime(readonly=True, index=True)
    sent_on = fields.Datetime("Last Sent", readonly=True)
    revision = fields.Integer(readonly=True, help="The record's Xero revision its last payload was built from.")
    done_on = fields.Datetime(readonly=True)
    key_version = fields.Integer(readonly=True, default=0)
    idempotency_key = fields.Char(readonly=True, copy=False)
    outcome_unknown = fields.Boolean(
        readonly=True, help="An earlier attempt may have reached Xero: the next one looks the document up first."
    )
    xero_id = fields.Char("Xero ID", readonly=True, copy=False)
    xero_number = fields.Char(readonly=True, copy=False)
    error = fields.Text(readonly=True, copy=False)
    request_excerpt = fields.Text(readonly=True, copy=False)
    response_excerpt = fields.Text(readonly=True, copy=False)
    priority = fields.Integer(default=20, required=True, readonly=True)
    force_new = fields.Boolean(
        "Explicit Duplicate", readonly=True,
        help="Sent as a new document although the record was already exported (asked for by a user).",
    )
    xero_url = fields.Char("Open in Xero", compute="_compute_xero_url")

    _open_uniq = models.UniqueIndex(
        "(res_model, res_id, operation, company_id) WHERE state IN ('pending', 'sending', 'retry', 'blocked')",
        "This record already has an export to Xero under way.",
    )
    _due_idx = models.Index("(company_id, priority, id) WHERE state IN ('pending', 'retry')")

    @api.depends("record_name", "operation", "method")
    def _compute_display_label(self):
        operations = dict(self._fields["operation"].selection)
        for job in self:
            verb = _("update") if job.method == "POST" else _("create")
            job.display_label = f"{job.record_name or job.res_model} → {operations.get(job.operation)} ({verb})"

    @api.depends("resource", "xero_id")
    def _compute_xero_url(self):
        for job in self:
            job.xero_url = self._xero_deep_link((job.resource or "").split("/")[0], job.xero_id)

    @api.model
    def _xero_deep_link(self, resource, xero_id):
        """Xero's web address of a document (https://go.xero.com/…)."""
        if not xero_id:
            return False
        paths = {
            "Invoices": f"AccountsReceivable/View.aspx?InvoiceID={xero_id}",
            "CreditNotes": f"AccountsReceivable/ViewCreditNote.aspx?creditNoteID={xero_id}",
            "Quotes": f"app/quotes/view/{xero_id}",
            "Contacts": f"Contacts/View/{xero_id}",
        }
        path = paths.get(resource)
        return f"https://go.xero.com/{path}" if path else False

    def _xero_make_key(self, version=None):
        self.ensure_one()
        uuid = self.env["ir.config_parameter"].sudo().get_param("database.uuid", "")[:8]
        return f"xc-{uuid}-{self.id}-{self.key_version if version is None else version}"

    def _xero_next_key(self):
        """The outcome of the last attempt is known: later attempts are new requests with a new key."""
        for job in self:
            version = job.key_version + 1
            job.write({"key_version": version, "idempotency_key": job._xero_make_key(version),
                       "outcome_unknown": False})

    # ------------------------------------------------------------------------------------------
    # Enqueue
    # ------------------------------------------------------------------------------------------
    @api.model
    def _xero_enqueue(self, records, operation, *, method=None, force_new=False, company=None, resource=None,
                      rearm=True):
        """Queue ``records`` for ``operation``; return the jobs (an open job is returned, not duplicated).

        ``method``: ``PUT`` (create) or ``POST`` (update); by default ``PUT``. An open job that is
        blocked is re-armed (someone asked again: presumably after a fix) unless ``rearm`` is false: a
        sender checking a job's dependencies asks for them without retrying what is blocked. ``resource``:
        one Xero record's own endpoint (``"Payments/<id>"``) instead of the operation's collection; such a
        job is sent alone. The sender's scheduled action is triggered only when there is new work.
        """
        Job = self.sudo()
        jobs = Job.browse()
        method = method or "PUT"
        new_work = False
        for record in records:
            rec_company = company or (record.company_id if "company_id" in record._fields else False) \
                or self.env.company
            domain = [("res_model", "=", record._name), ("res_id", "=", record.id), ("operation", "=", operation),
                      ("company_id", "=", rec_company.id), ("state", "in", OPEN_STATES)]
            existing = Job.search(domain, limit=1)
            if existing:
                if rearm:
                    new_work |= existing._xero_rearm(method, force_new)
                jobs |= existing
                continue
            vals = {
                "company_id": rec_company.id,
                "connection_id": rec_company._xero_connection().id or False,
                "res_model": record._name,
                "res_id": record.id,
                "record_name": (record.display_name or "")[:200],
                "operation": operation,
                "resource": resource or RESOURCES[operation],
                "method": method,
                "priority": PRIORITIES.get(operation, 20),
                "force_new": force_new,
            }
            try:
                with self.env.cr.savepoint():
                    job = Job.create(vals)
            except UniqueViolation:
                # Another transaction queued the same record meanwhile: theirs is the open job.
                existing = Job.search(domain, limit=1)
                jobs |= existing
                continue
            job.idempotency_key = job._xero_make_key()
            jobs |= job
            new_work = True
        if new_work:
            self._xero_trigger()
        return jobs

    @api.model
    def _xero_bump_revisions(self, records):
        """Count a change meant for Xero on those of ``records`` with a job open (queued or being sent): a
        job's payload built before the change is then followed by an update (see _xero_succeeded). Records
        without an open job need no count: their next payload is built after the change."""
        if not records.ids:
            return
        busy = set(self.sudo().search([("res_model", "=", records._name), ("res_id", "in", records.ids),
                                       ("state", "in", OPEN_STATES)]).mapped("res_id"))
        if busy:
            self.env.cr.execute(SQL("UPDATE %s SET xero_revision = COALESCE(xero_revision, 0) + 1 WHERE id IN %s",
                                    SQL.identifier(records._table), tuple(busy)))
            records.browse(busy).invalidate_recordset(["xero_revision"])

    def _xero_rearm(self, method, force_new):
        """Asked again while a job is open: a blocked job goes back to the queue (presumably fixed);
        an explicit duplicate turns a waiting job into one. Returns whether a job changed."""
        changed = False
        for job in self:
            vals = {}
            if job.state == "blocked":
                vals.update(state="pending", next_try=False, attempts=0)
            if force_new and not job.force_new and job.state != "sending":
                vals.update(force_new=True, method="PUT")
            if vals:
                job.write(vals)
                changed = True
        return changed

    @api.model
    def _xero_trigger(self, at=None):
        cron = self.env.ref("xero_connector.ir_cron_xero_send", raise_if_not_found=False)
        if cron:
            cron.sudo()._trigger(at=at)

    # ------------------------------------------------------------------------------------------
    # Sync Log actions
    # ------------------------------------------------------------------------------------------
    def _xero_checked(self):
        """These jobs as superuser, once the caller is a Xero administrator of their companies."""
        return checked(self, MANAGER, self.env._("Only Xero administrators can retry or cancel Xero jobs."))

    def action_retry(self):
        """Send again soon (after a fix): blocked/failed jobs and the blocked jobs they wait for."""
        jobs = self._xero_checked().filtered(lambda j: j.state in ("blocked", "retry", "pending"))
        jobs._xero_rearm_dependencies()
        jobs.write({"state": "pending", "next_try": False, "attempts": 0})
        self._xero_trigger()
        return True

    def _xero_rearm_dependencies(self):
        """A user asks again (a retry, an export): the blocked or failing jobs these wait for go back to the
        queue too (the sender itself never re-arms what is blocked)."""
        for job in self:
            record = job._xero_record()
            if record and hasattr(record, "_xero_job_dependencies"):
                try:
                    deps = record._xero_job_dependencies(job)
                except XeroBlocked:
                    deps = self.browse()
                deps.filtered(lambda d: d.state in ("blocked", "retry")).write(
                    {"state": "pending", "next_try": False, "attempts": 0})

    def action_cancel(self):
        jobs = self._xero_checked().filtered(lambda j: j.state in ("pending", "retry", "blocked"))
        jobs.write({"state": "cancelled", "next_try": False})
        return True

    def action_open_record(self):
        """The job's record (the caller's own rights decide whether they may open it)."""
        self.ensure_one()
        job = checked(self, USER, self.env._("Only Xero users can open the Sync Log."))
        if job.res_model not in self.env:
            raise UserError(self.env._("%s is not installed any more.", job.res_model))
        return {
            "type": "ir.actions.act_window",
            "res_model": job.res_model,
            "res_id": job.res_id,
            "view_mode": "form",
            "target": "current",
        }

    def _xero_records(self):
        """``{job id: record}`` for these jobs, fetched together: one existence check per model and a
        shared prefetch, so a batch of fifty reads its documents in a few queries, not fifty times as
        many. Records that no longer exist are absent."""
        by_model = defaultdict(list)
        for job in self:
            if job.res_model in self.env:
                by_model[job.res_model].append(job)
        records = {}
        for model, jobs in by_model.items():
            existing = self.env[model].sudo().browse([job.res_id for job in jobs]).exists()
            ids = set(existing.ids)
            for job in jobs:
                if job.res_id in ids:
                    records[job.id] = existing.browse(job.res_id).with_prefetch(existing._ids).with_company(
                        job.company_id)
        return records

    def _xero_record(self):
        self.ensure_one()
        if self.res_model not in self.env:
            return None
        record = self.env[self.res_model].sudo().browse(self.res_id).exists()
        return record.with_company(self.company_id) if record else None

    # ------------------------------------------------------------------------------------------
    # The sender
    # ------------------------------------------------------------------------------------------
    @api.model
    def _cron_xero_send(self):
        self._xero_send()

    @api.model
    def _xero_send(self, connections=None, limit=None, jobs=None, max_rate_wait=None):
        """Drain the outbox: per Xero organisation, under a PostgreSQL lock, batches of up to 50.

        ``connections``: only these; ``limit``: at most this many jobs per organisation; ``jobs``: only
        these jobs and what they depend on (a manual export sending at once). Returns the number of
        jobs that reached a final state (done/blocked) in this run.
        """
        Job = self.sudo()
        if jobs is not None:
            jobs = jobs.sudo()
            companies = jobs.company_id
        else:
            now = fields.Datetime.now()
            groups = Job._read_group(
                ["|", ("state", "=", "sending"),
                 "&", ("state", "in", DUE_STATES), "|", ("next_try", "=", False), ("next_try", "<=", now)],
                ["company_id"],
            )
            companies = self.env["res.company"].browse([company.id for (company,) in groups])
        if connections is None:
            connections = self.env["xero.connection"].sudo().search([("company_id", "in", companies.ids)])
        finished = 0
        for conn in connections.sudo():
            if conn.state != "connected" or not conn.tenant_id:
                continue  # not connected / needs reconnect: jobs wait, nothing fails
            finished += Job._xero_send_connection(conn, limit=limit, only=jobs, max_rate_wait=max_rate_wait)
        return finished

    def _xero_send_connection(self, conn, limit=None, only=None, max_rate_wait=None):
        lock_cr = sql_db.db_connect(self.env.cr.dbname).cursor()
        lock_key = _tenant_lock_key(conn.tenant_id)
        try:
            lock_cr.execute("SELECT pg_try_advisory_lock(%s, %s)", [LOCK_NAMESPACE, lock_key])
            locked = lock_cr.fetchone()[0]
            # A session-level advisory lock outlives the transaction: end it, keep the lock.
            lock_cr.rollback()
            if not locked:
                _logger.info("Xero sender: another sender is draining %s; skipping", conn.tenant_name)
                return 0
            try:
                # Start a new transaction now that we hold the lock: a snapshot taken before it could
                # still show the previous sender's batch as "sending" and take it for an orphan.
                self._xero_commit()
                return self._xero_drain(conn, limit, only, max_rate_wait)
            finally:
                lock_cr.execute("SELECT pg_advisory_unlock(%s, %s)", [LOCK_NAMESPACE, lock_key])
                lock_cr.rollback()
        finally:
            lock_cr.close()

    def _xero_drain(self, conn, limit, only, max_rate_wait):
        company = conn.company_id
        self._xero_recover_orphans(company)
        client = conn._xero_client()
        wait = max_rate_wait if max_rate_wait is not None else (
            INTERACTIVE_RATE_WAIT if only is not None else CRON_RATE_WAIT)
        client.max_rate_wait = wait
        if client.rate_limiter is not None:
            client.rate_limiter.max_wait = wait
        only_ids = set(only.ids) if only is not None else None
        tried = set()
        finished = 0
        # Jobs found waiting, with what they wait for, and the jobs this run ended: a waiting job is looked
        # at again only once one of its dependencies has ended (not on every pick: a backlog of payments
        # waiting for their invoices would be checked N times over).
        memo = {"waits": {}, "ended": set()}
        while True:
            batch = self._xero_next_batch(company, only_ids, tried, memo)
            if not batch:
                break
            tried.update(batch.ids)
            stop = batch._xero_send_batch(conn, client)
            memo["ended"].update(batch.filtered(lambda j: j.state not in ("pending", "sending", "retry")).ids)
            finished += len(batch.filtered(lambda j: j.state in ("done", "blocked")))
            time_left = self._xero_commit(len(batch))
            if stop or time_left <= 0 or (limit and len(tried) >= limit):
                break
        return finished

    def _xero_commit(self, processed=0):
        """Commit the sender's progress (``ir.cron._commit_progress``): each batch's outcome survives a crash.

        Under tests the test transaction is never committed (as Odoo's mail queue does); a test that
        drives the sender on cursors of its own asks for real commits with ``xero_test_commit``.
        """
        if modules.module.current_test and not self.env.context.get("xero_test_commit"):
            self.env.flush_all()
            return float("inf")
        return self.env["ir.cron"]._commit_progress(processed)

    def _xero_recover_orphans(self, company):
        """Jobs left 'sending' by a sender that died mid-batch (we hold the lock: nobody else sends).

        Their request may have reached Xero: the next attempt looks them up before creating.
        """
        orphans = self.search([("company_id", "=", company.id), ("state", "=", "sending")])
        if orphans:
            _logger.warning("Xero sender: %s job(s) of %s were interrupted mid-send; outcome unknown",
                            len(orphans), company.name)
            orphans.write({"state": "retry", "outcome_unknown": True, "next_try": False,
                           "error": _("Interrupted while sending: Xero is checked before sending again.")})
            self._xero_commit()

    def _xero_next_batch(self, company, only_ids, tried, memo=None):
        """Up to 50 due jobs of one (resource, method) whose dependencies are done, lowest priority first."""
        seen_waiting = set()
        while True:
            waiting = set()
            batch = self._xero_pick(company, only_ids, tried, waiting, memo)
            # Jobs wait for dependencies queued just now (a customer to create first): pick again.
            new = waiting - seen_waiting - tried
            if batch or not new:
                break
            seen_waiting |= new
            if only_ids is not None:
                only_ids.update(new)
        # Claim them (skip rows a user is changing right now).
        return batch.try_lock_for_update() if batch else batch

    def _xero_pick(self, company, only_ids, tried, waiting, memo=None):
        now = fields.Datetime.now()
        domain = [("company_id", "=", company.id), ("state", "in", DUE_STATES),
                  "|", ("next_try", "=", False), ("next_try", "<=", now)]
        if tried:
            domain.append(("id", "not in", list(tried)))
        if only_ids is not None:
            domain.append(("id", "in", list(only_ids)))
        group = None
        batch = self.browse()
        offset = 0
        names = set()  # contacts: Xero refuses a second new contact of the same name in one call
        while len(batch) < BATCH_SIZE:
            candidates = self.search(domain, order="priority, id", limit=200, offset=offset)
            if not candidates:
                break
            offset += len(candidates)
            records = candidates._xero_records()
            waits = memo["waits"] if memo is not None else None
            for job in candidates:
                key = (job.resource, job.method)
                if group is not None and (key != group or "/" in group[0]):
                    continue
                if waits is not None and job.id in waits and not waits[job.id] & memo["ended"]:
                    waiting.update(waits[job.id])  # still waiting: none of its dependencies ended since
                    continue
                if not job._xero_ready(waiting, records.get(job.id), waits):
                    continue
                if job.resource == "Contacts":
                    # The same name twice: the second goes in the next batch, where the first is known
                    # (matched by name) instead of refused as a duplicate.
                    name = name_key(records[job.id].name)
                    if name in names:
                        continue
                    names.add(name)
                group = key
                batch |= job
                if len(batch) >= BATCH_SIZE:
                    break
        return batch

    def _xero_ready(self, waiting=None, record=None, waits=None):
        """True when the job's dependencies are done. Blocks the job when one of them is blocked.
        ``waits``: {job id: ids of the dependencies it waits for}, filled for the sender's run."""
        self.ensure_one()
        record = record if record is not None else self._xero_record()
        if record is None:
            self.write({"state": "cancelled", "error": _("The record no longer exists in Odoo.")})
            return False
        if not hasattr(record, "_xero_job_dependencies"):
            return True
        try:
            deps = record._xero_job_dependencies(self)
        except XeroBlocked as exc:
            self._xero_block(exc.message)
            return False
        pending = deps.filtered(lambda d: d.state != "done")
        if not pending:
            return True
        stuck = pending.filtered(lambda d: d.state in ("blocked", "cancelled"))
        if stuck:
            self._xero_block(_("Waiting for %(what)s, which cannot be sent: %(error)s",
                               what=stuck[0].display_label, error=stuck[0].error or stuck[0].state))
        else:
            if waiting is not None:
                waiting.update(pending.ids)
            if waits is not None:
                waits[self.id] = set(pending.ids)
        return False

    def _xero_block(self, message):
        self.write({"state": "blocked", "error": message, "next_try": False})

    def _xero_send_batch(self, conn, client):
        """Send one batch (same resource and method). Returns True when the organisation must stop."""
        resource, method = self[0].resource, self[0].method
        self.filtered(lambda j: j.connection_id != conn).write({"connection_id": conn.id})
        records = self._xero_records()
        # 1. An earlier attempt may have reached Xero: look the documents up before creating again (several
        # of one model in one call when the model can: a dead sender leaves a whole batch to check).
        unknown = self.filtered("outcome_unknown")
        found_by_job = {}
        by_model = defaultdict(lambda: self.browse())
        for job in unknown:
            if records.get(job.id) is not None:
                by_model[records[job.id]._name] |= job
        for model, jobs in by_model.items():
            if len(jobs) > 1 and hasattr(self.env[model], "_xero_jobs_lookup"):
                try:
                    found_by_job.update(self.env[model]._xero_jobs_lookup(jobs, records, client))
                except XeroError as exc:
                    return self._xero_batch_failed(exc)
        for job in unknown:
            record = records.get(job.id)
            if record is None or not hasattr(record, "_xero_job_lookup"):
                continue
            try:
                found = found_by_job[job.id] if job.id in found_by_job else record._xero_job_lookup(job, client)
            except XeroError as exc:
                return self._xero_batch_failed(exc)
            if found:
                job._xero_succeeded(record, ElementResult(index=0, ok=True, data=found, resource=job.resource),
                                    via_lookup=True)
        # 2. Payloads; a handler may block one job, the others go on.
        to_send, elements = self.browse(), []
        for job in self.filtered(lambda j: j.state in DUE_STATES):
            record = records.get(job.id)
            if record is None:
                job.write({"state": "cancelled", "error": _("The record no longer exists in Odoo.")})
                continue
            try:
                payload = record._xero_job_payload(job)
            except XeroBlocked as exc:
                job._xero_block(exc.message)
                continue
            except XeroAlreadyDone as exc:
                job._xero_succeeded(record, ElementResult(index=0, ok=True, data=exc.data, resource=job.resource),
                                    via_lookup=True)
                continue
            except XeroError as exc:  # a handler that reads Xero to build its element
                return self._xero_batch_failed(exc)
            to_send |= job
            elements.append(payload)
        if not to_send:
            return False
        # 3. Mark them sending and commit: a crash from here on leaves them recoverable.
        batch_key = to_send._xero_batch_key()
        now = fields.Datetime.now()
        for job, payload in zip(to_send, elements, strict=True):
            record = records.get(job.id)
            job.write({"state": "sending", "attempts": job.attempts + 1, "sent_on": now,
                       "request_excerpt": _excerpt(payload),
                       "revision": record.xero_revision if "xero_revision" in record._fields else 0})
        self._xero_commit()
        # 4. One call (the library splits above 50, we never send more); a record's own endpoint takes one.
        try:
            if "/" in resource:
                results = [client.write_one(resource, elements[0], method=method, idempotency_key=batch_key)]
            else:
                results = client.batch_write(resource, elements, method="PUT" if method == "PUT" else "POST",
                                             idempotency_key=batch_key)
        except XeroError as exc:
            return to_send._xero_batch_failed(exc)
        # 5. Each element's own outcome.
        for job, result in zip(to_send, results, strict=True):
            record = records.get(job.id)
            if result.ok:
                job._xero_succeeded(record, result)
            else:
                messages = "; ".join(result.errors) or _("Xero refused this element without a message.")
                job.write({"response_excerpt": _excerpt(result.data)})
                explained = record._xero_job_refused(job, messages) \
                    if record is not None and hasattr(record, "_xero_job_refused") else None
                job._xero_block(explained or _("%(record)s: Xero refused it: %(messages)s", record=job.record_name,
                                               messages=messages))
                job._xero_next_key()
        return False

    def _xero_batch_key(self):
        """Deterministic from the jobs: the same jobs sent again reuse the key (Xero replays its answer)."""
        keys = sorted(job.idempotency_key or job._xero_make_key() for job in self)
        if len(keys) == 1:
            return keys[0]
        return "xc-b-" + hashlib.sha256(",".join(keys).encode()).hexdigest()[:48]

    def _xero_succeeded(self, record, result, via_lookup=False):
        """``result``: the element's ElementResult (``.data`` is Xero's element)."""
        self.ensure_one()
        data = result.data or {}
        id_field = {"Invoices": "InvoiceID", "CreditNotes": "CreditNoteID", "Quotes": "QuoteID",
                    "Contacts": "ContactID", "Items": "ItemID", "Payments": "PaymentID",
                    "BankTransactions": "BankTransactionID", "BankTransfers": "BankTransferID"}.get(
                        self.resource.split("/")[0])
        number_field = {"Invoices": "InvoiceNumber", "CreditNotes": "CreditNoteNumber", "Quotes": "QuoteNumber",
                        "Contacts": "ContactNumber", "Items": "Code"}.get(self.resource.split("/")[0])
        self.write({
            "state": "done",
            "done_on": fields.Datetime.now(),
            "next_try": False,
            "error": False,
            "xero_id": data.get(id_field) if id_field else False,
            "xero_number": data.get(number_field) if number_field else False,
            "response_excerpt": _excerpt(data) if not via_lookup else _excerpt(
                {"found_by_lookup": True, **{k: data.get(k) for k in (id_field, number_field, "Status") if k}}),
        })
        self._xero_next_key()
        # Changed while on its way (after its payload was built): the change follows as an update.
        stale = record is not None and "xero_revision" in record._fields and not self.operation.startswith("void_") \
            and (record.xero_revision or 0) > (self.revision or 0)
        if record is not None and hasattr(record, "_xero_job_done"):
            record._xero_job_done(self, result)
        if stale:
            record._xero_resend(self)

    def _xero_batch_failed(self, exc):
        """The whole request failed. Returns True when the organisation must stop for this run."""
        jobs = self.filtered(lambda j: j.state in ("sending", "pending", "retry"))
        if not jobs:
            return False
        now = fields.Datetime.now()
        # Attempts spent by this run's "sending" mark are given back when Xero did not process anything.
        sending = jobs.filtered(lambda j: j.state == "sending")
        if isinstance(exc, RateLimited):
            wait = exc.retry_after if exc.retry_after is not None else (3600 if exc.problem == "day" else 60)
            next_try = now + timedelta(seconds=max(1, wait))
            for job in sending:
                job.attempts -= 1
            jobs.filtered(lambda j: j.state in ("sending", "pending", "retry")).write({
                "state": "pending", "next_try": next_try,
                "error": _("Waiting for Xero's rate limit (%(problem)s) until %(when)s UTC.",
                           problem=exc.problem or "minute", when=fields.Datetime.to_string(next_try)),
            })
            self._xero_trigger(at=next_try)
            return True
        if isinstance(exc, ReconnectNeeded):
            for job in sending:
                job.attempts -= 1
            jobs.filtered(lambda j: j.state in ("sending", "retry")).write({"state": "pending", "next_try": False})
            jobs.write({"error": _("Paused: Xero needs to be reconnected (Settings → Xero). Nothing is lost.")})
            return True
        if isinstance(exc, NotFound):
            for job in jobs:
                job._xero_block(_("%(record)s: the document no longer exists in Xero (%(error)s).",
                                  record=job.record_name, error=exc.message))
            jobs._xero_next_key()
            return False
        unknown = isinstance(exc, TransientError) and exc.outcome_unknown
        for job in jobs:
            attempts = job.attempts
            message = _("%(record)s: %(error)s", record=job.record_name, error=exc)
            if attempts >= MAX_ATTEMPTS:
                job.write({"state": "blocked", "next_try": False,
                           "error": _("Gave up after %(n)s attempts. %(message)s", n=attempts, message=message),
                           "outcome_unknown": job.outcome_unknown or unknown})
                continue
            delay = min(BACKOFF_MAX, BACKOFF_BASE * 2 ** max(0, attempts - 1))
            job.write({"state": "retry", "next_try": now + timedelta(seconds=delay), "error": message,
                       "response_excerpt": _excerpt(exc.detail) if exc.detail else job.response_excerpt,
                       "outcome_unknown": job.outcome_unknown or unknown})
        if not unknown:
            # Xero processed nothing: the next attempt is a new request.
            jobs.filtered(lambda j: not j.outcome_unknown)._xero_next_key()
        next_try = min(jobs.mapped("next_try") or [now]) or now
        self._xero_trigger(at=next_try)
        return isinstance(exc, TransientError)
