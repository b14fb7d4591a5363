"""Progress on long work: a bulk export, *Send Customers to Xero*, a backlog the sender drains.

A user who queues many records at once starts a run (``xero.run``): its jobs point at it. While the sender drains
them, the user who started it gets a notification in their browser after each batch — how many of how many are
in Xero and the time left at Xero's pace (50 a call, the organisation's calls a minute) — and one when it is
finished (with what is blocked). When Xero's daily limit is reached, the run says when sending resumes. The
Overview lists the runs in progress; Xero → Long Work lists them all.
"""
import math
import time
from datetime import UTC, datetime, timedelta

from odoo import api, fields, models

from ..xero.resources import MAX_PER_CALL


class XeroRun(models.Model):
    _name = "xero.run"
    _description = "Xero Long Work"
    _order = "id desc"

    name = fields.Char(required=True, readonly=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    user_id = fields.Many2one("res.users", "Started By", required=True, readonly=True)
    job_ids = fields.One2many("xero.job", "run_id", readonly=True)
    total = fields.Integer(readonly=True)
    state = fields.Selection([("running", "Running"), ("done", "Finished")], default="running", required=True,
                             readonly=True, index=True)
    finished_on = fields.Datetime(readonly=True)
    done_count = fields.Integer("In Xero", compute="_compute_progress")
    blocked_count = fields.Integer("Blocked", compute="_compute_progress")
    progress = fields.Float(compute="_compute_progress", help="Done of total, in %.")
    message = fields.Char(compute="_compute_progress")

    def _compute_progress(self):
        counts = {(run.id, state): count for run, state, count in self.env["xero.job"].sudo()._read_group(
            [("run_id", "in", self.ids)], ["run_id", "state"], ["__count"])}
        for run in self:
            run.done_count = counts.get((run.id, "done"), 0)
            run.blocked_count = counts.get((run.id, "blocked"), 0)
            run.progress = 100.0 * run.done_count / run.total if run.total else 0.0
            waiting = sum(counts.get((run.id, s), 0) for s in ("pending", "sending", "retry"))
            run.message = run._xero_message(waiting)

    def _xero_message(self, waiting):
        if self.state == "done" or not waiting:
            text = self.env._("%(name)s: finished, %(done)s of %(total)s in Xero.", name=self.name,
                              done=self.done_count, total=self.total)
            if self.blocked_count:
                text += " " + self.env._("%s blocked: see Xero → Sync Log (filter Blocked).", self.blocked_count)
            return text
        resumes = self._xero_day_limit_resumes()
        if resumes:
            return self.env._("%(name)s: %(done)s of %(total)s in Xero. Xero's daily limit is reached: sending "
                              "resumes at %(when)s.", name=self.name, done=self.done_count, total=self.total,
                              when=resumes)
        return self.env._("%(name)s: %(done)s of %(total)s in Xero, about %(minutes)s min left at Xero's pace.",
                          name=self.name, done=self.done_count, total=self.total,
                          minutes=self._xero_minutes_left(waiting))

    def _xero_minutes_left(self, waiting):
        """At Xero's pace: 50 elements a call, the organisation's calls a minute (60)."""
        per_minute = max(1, self.env["xero.connection"]._xero_rate_limiter().per_window)
        return max(1, math.ceil(math.ceil(waiting / MAX_PER_CALL) / per_minute))

    def _xero_day_limit_resumes(self):
        """When sending resumes, in the user's time zone, if the organisation's daily limit is reached."""
        conn = self.company_id._xero_connection()
        rate = self.env["xero.rate.state"].sudo().search([("tenant_id", "=", conn.tenant_id)], limit=1) \
            if conn.tenant_id else None
        state = (rate.state or {}) if rate else {}
        limiter = self.env["xero.connection"]._xero_rate_limiter()
        now = time.time()
        until = float(state.get("day_blocked_until") or 0)
        if until <= now and int(state.get("day_count") or 0) >= limiter.per_day:
            until = float(state.get("day_start") or now) + limiter.day_window
        if until <= now:
            return None
        moment = fields.Datetime.context_timestamp(self.with_user(self.user_id),
                                                   datetime.fromtimestamp(until, tz=UTC).replace(tzinfo=None))
        return moment.strftime("%H:%M")

    @api.model
    def _xero_start(self, jobs, name):
        """Many jobs queued at once by the current user: a run, so that they see its progress."""
        jobs = jobs.sudo()
        if len(jobs) < 2:
            return self.browse()
        run = self.sudo().create({"name": name, "company_id": jobs[:1].company_id.id, "user_id": self.env.uid,
                                  "total": len(jobs)})
        jobs.write({"run_id": run.id})
        return run

    @api.model
    def _xero_report(self, jobs):
        """After a batch: tell the users whose runs these jobs belong to how far they are (finished ones once)."""
        for run in jobs.sudo().run_id.filtered(lambda r: r.state == "running"):
            run = run.with_context(lang=run.user_id.lang)  # told in the language of who started it
            run.invalidate_recordset(["done_count", "blocked_count", "progress", "message"])
            still_open = self.env["xero.job"].sudo().search_count([("run_id", "=", run.id),
                                                                   ("state", "in", ("pending", "sending", "retry"))])
            finished = not still_open
            if finished:
                run.write({"state": "done", "finished_on": fields.Datetime.now()})
            run.user_id._bus_send("simple_notification", {
                "type": "warning" if finished and run.blocked_count else ("success" if finished else "info"),
                "title": "Xero", "message": run.message, "sticky": finished,
            })

    @api.autovacuum
    def _gc_finished_runs(self):
        self.sudo().search([("state", "=", "done"), ("finished_on", "<", fields.Datetime.now() - timedelta(days=30))]
                           ).unlink()


class XeroJob(models.Model):
    _inherit = "xero.job"

    run_id = fields.Many2one("xero.run", "Long Work", readonly=True, index="btree_not_null", ondelete="set null")
