"""The outbox: one job per record and operation to send to Xero (the sender is ``models/xero_job_sender.py``).

A job is also the Sync Log's line: state, attempts, next try, the Xero id/number written back, a human error
and short request/response excerpts (never a secret).

The job contract:

- **One open job per record, operation and company** (a unique index): asking again returns the open job
  (``_xero_enqueue``, set-wise, in ``models/xero_job_enqueue.py``); a blocked one is re-armed, as someone
  presumably fixed it. Code that queues one record at a time in a loop gathers the requests in a ``job_batch``.
- **States**: ``pending`` (queued; due when ``next_try`` is empty or past) → ``sending`` (marked and committed
  just before the call: a sender that dies leaves it there, and the next sender looks Xero up before sending
  again: ``outcome_unknown``) → ``done`` (Xero's id and number written back, the record's handler told). A
  failed call turns the batch's jobs to ``retry`` with backoff (30 s doubling, at most an hour; blocked after
  8 attempts), or back to ``pending`` without spending an attempt when Xero asks to wait (rate limit) or to
  reconnect. ``blocked``: waiting for a human (Xero refused the element, a handler raised ``XeroBlocked``, a
  dependency is blocked, the element alone is larger than the 3.5 MB Xero takes in one call); **Retry** re-arms
  it. ``cancelled``: never sent (by a user, or the record is gone or was cancelled in Odoo).
- **What a handler may raise** while its element is built (see ``models/xero_outbox.py`` for the hooks):
  ``XeroBlocked`` (this job is blocked, the batch goes on), ``XeroAlreadyDone`` (this job ends done without a
  call), a ``XeroError`` of a read it makes (the batch fails as its call would have). Anything else is a bug:
  it rolls the sender's transaction back and the jobs are tried again.
- **Idempotency**: each attempt carries a key derived from the job (``xc-<database>-<job>-<version>``); the
  version moves on once an attempt's outcome is known, so a retry after a lost answer replays the same key.
- **Collections, labels, priorities** of operations: the registry, ``xero/resources.py``.
"""
from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..exceptions import XeroAlreadyDone, XeroBlocked
from ..xero import outbox, resources
from ..xero.outbox import DUE_STATES, OPEN_STATES
from .xero_access import MANAGER, USER, checked
from .xero_cron import wake

SEND_TRIGGERED = "xero_connector.send_triggered"  # see _xero_trigger

# Re-exported: the handlers of other files import them from here.
__all__ = ["DUE_STATES", "OPEN_STATES", "XeroAlreadyDone", "XeroBlocked", "XeroJob"]


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
        [(name, operation.label) for name, operation in resources.OPERATIONS.items()],
        required=True,
        readonly=True,
    )
    resource = fields.Char("Xero Collection", required=True, readonly=True)
    method = fields.Selection([("PUT", "Create"), ("POST", "Update"), ("GET", "Read")], required=True, default="PUT",
                              readonly=True)
    state = fields.Selection(outbox.STATES, default="pending", required=True, readonly=True, index=True)
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
    waits_for_xero = fields.Boolean(
        readonly=True, help="The last attempt failed because Xero was unavailable (502, 503, 504) or out of reach: "
        "the job goes again as soon as Xero answers the connector's next call, without waiting out its backoff."
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
            verb = {"POST": self.env._("update"), "GET": self.env._("read")}.get(job.method) or self.env._("create")
            job.display_label = f"{job.record_name or job.res_model} → {operations.get(job.operation)} ({verb})"

    @api.depends("resource", "xero_id", "res_model", "operation")
    def _compute_xero_url(self):
        for job in self:
            # The record's model decides (a document whose page is not its collection's); else the registry.
            model = self.env[job.res_model] if job.res_model in self.env else None
            handler = model if isinstance(model, self.pool["xero.outbox.record"]) else self
            job.xero_url = handler._xero_deep_link((job.resource or "").split("/")[0], job.xero_id,
                                                   operation=job.operation)

    @api.model
    def _xero_deep_link(self, resource, xero_id, operation=None):
        """Xero's web address of a document (https://go.xero.com/…), from the registry; False when none."""
        return resources.deep_link(resource, xero_id, operation=operation) or False

    def _xero_is_void(self):
        """A void (or delete) of a document: its record's void hooks handle it."""
        self.ensure_one()
        return bool(resources.operation(self.operation).voids)

    def _xero_make_key(self, version=None):
        self.ensure_one()
        uuid = self.env["ir.config_parameter"].sudo().get_param("database.uuid", "")
        return outbox.job_key(uuid, self.id, self.key_version if version is None else version)

    def _xero_next_key(self):
        """The outcome of the last attempt is known: later attempts are new requests with a new key."""
        for job in self:
            version = job.key_version + 1
            job.write({"key_version": version, "idempotency_key": job._xero_make_key(version),
                       "outcome_unknown": False})

    def _xero_block(self, message):
        self.write({"state": "blocked", "error": message, "next_try": False})

    # ------------------------------------------------------------------------------------------
    # Enqueue: _xero_enqueue, set-wise, in models/xero_job_enqueue.py
    # ------------------------------------------------------------------------------------------
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
            # SQL: without the models' write side effects (and a thousand posted invoices cost one query).
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
        """Wake the sender (at ``at``; by default as soon as this transaction commits). Woken now once per
        transaction: a thousand jobs queued together are one trigger, not a thousand (the flag lives in the
        cursor's pre-commit data, cleared by the commit, a rollback, and the rollback of a savepoint, so a
        trigger undone with its jobs is made again)."""
        data = self.env.cr.precommit.data
        if at is None and data.get(SEND_TRIGGERED):
            return
        if wake(self.env, "xero_connector.ir_cron_xero_send", at=at) and at is None:
            data[SEND_TRIGGERED] = True

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

    def _xero_rearm_dependencies(self, seen=None):
        """A user asks again (a retry, an export): the blocked or failing jobs these wait for go back to the
        queue too, and what those wait for (a payment's fee waits for the payment, which waits for its invoice);
        the sender itself never re-arms what is blocked."""
        seen = set() if seen is None else seen
        for job in self:
            record = job._xero_record()
            if record is None or job.id in seen:
                continue
            seen.add(job.id)
            try:
                deps = record._xero_job_dependencies(job)
            except XeroBlocked:
                deps = self.browse()
            deps.filtered(lambda d: d.state in ("blocked", "retry")).write(
                {"state": "pending", "next_try": False, "attempts": 0})
            deps.filtered(lambda d: d.state in OPEN_STATES)._xero_rearm_dependencies(seen)

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

    # ------------------------------------------------------------------------------------------
    # The jobs' records
    # ------------------------------------------------------------------------------------------
    def _xero_records(self):
        """``{job id: record}`` for these jobs, fetched together: one existence check per model and a
        shared prefetch, so a batch of fifty reads its documents in a few queries, not fifty times as
        many. Records that no longer exist are absent."""
        by_model = {}
        for job in self:
            if job.res_model in self.env:
                by_model.setdefault(job.res_model, []).append(job)
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
        """The job's record (superuser, in the job's company), or None when it no longer exists."""
        self.ensure_one()
        if self.res_model not in self.env:
            return None
        record = self.env[self.res_model].sudo().browse(self.res_id).exists()
        return record.with_company(self.company_id) if record else None
