"""Xero → Overview: one card per connected company, as Odoo's Accounting dashboard shows journals.

Is Xero in step, and what is stuck? Each figure is computed for all the cards at once with grouped queries
(``_read_group``), never one query per card:

- connection health: state, connected since, last token refresh;
- today's API budget: calls used of the day's limit, and calls left this minute, from Xero's own headers
  (``X-DayLimit-Remaining``, ``X-MinLimit-Remaining``, kept by the rate limiter);
- the queue: pending, retrying, blocked (each opens the Sync Log filtered);
- the last 24 hours: sent (done), failed (retrying or blocked since), success rate;
- webhook and payment events waiting;
- documents sent per day over the last 14 days (the journal dashboard's bar graph);
- the long work in progress (bulk exports: models/xero_run.py, with their count and time left; a pull's full pass;
  the payment events' backlog).
"""
import json
import math
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain

from ..xero import budget
from ..xero.resources import MAX_PER_CALL, PULL_CLASS
from .xero_access import USER, checked

GRAPH_DAYS = 14
PULL_PAGE = 1000  # the pulls' page size (xero.sync.cursor._xero_pull)
# What each of the card's links opens: the Sync Log filtered.
LINKS = ("pending", "retry", "blocked", "sent", "failed")


class XeroConnection(models.Model):
    _inherit = "xero.connection"

    overview_token_refreshed_on = fields.Datetime("Token Refreshed", compute="_compute_overview")
    overview_calls_today = fields.Integer("Calls Today", compute="_compute_overview")
    overview_day_limit = fields.Integer("Daily Limit", compute="_compute_overview")
    overview_pending = fields.Integer("Pending", compute="_compute_overview")
    overview_retrying = fields.Integer("Retrying", compute="_compute_overview")
    overview_blocked = fields.Integer("Blocked", compute="_compute_overview")
    overview_sent_24h = fields.Integer("Sent (24 h)", compute="_compute_overview")
    overview_failed_24h = fields.Integer("Failed (24 h)", compute="_compute_overview")
    overview_success_rate = fields.Float("Success Rate (24 h)", compute="_compute_overview", digits=(5, 1))
    overview_webhooks_waiting = fields.Integer("Webhook Events Waiting", compute="_compute_overview")
    overview_payments_waiting = fields.Integer("Payment Events Waiting", compute="_compute_overview")
    overview_graph = fields.Text("Documents Sent per Day", compute="_compute_overview")
    overview_runs = fields.Text("Long Work in Progress", compute="_compute_overview")

    def _compute_overview(self):
        now = fields.Datetime.now()
        since = now - timedelta(hours=24)
        companies = self.company_id.ids
        Job = self.env["xero.job"].sudo()
        queue, files = {}, {}  # files queued spend the day's calls as pulls do, one call each (PULL_CLASS)
        for company, state, operation, count in Job._read_group(
                [("company_id", "in", companies), ("state", "in", ("pending", "sending", "retry", "blocked"))],
                ["company_id", "state", "operation"], ["__count"]):
            queue[company.id, state] = queue.get((company.id, state), 0) + count
            if operation in PULL_CLASS and state in ("pending", "retry"):
                files[company.id] = files.get(company.id, 0) + count
        sent = dict(self._overview_count(Job, [("company_id", "in", companies), ("state", "=", "done"),
                                               ("done_on", ">=", since)], "company_id"))
        failed = dict(self._overview_count(Job, [("company_id", "in", companies), ("state", "in", ("retry", "blocked")),
                                                 ("write_date", ">=", since)], "company_id"))
        webhooks = dict(self._overview_count(self.env["xero.event"].sudo(), [("connection_id", "in", self.ids),
                                                                             ("state", "=", "pending")], "connection_id"))
        payments = dict(self._overview_count(self.env["xero.payment.event"].sudo(), [
            ("company_id", "in", companies), ("state", "=", "pending")], "company_id"))
        tokens = {row.connection_id.id: row.token_refreshed_at for row in self.env["xero.connection.token"].sudo().search(
            [("connection_id", "in", self.ids)])}
        graphs = self._overview_graphs(Job, companies, now)
        runs = {}
        pull_pages = {}
        per_minute = max(1, self._xero_rate_limiter().per_window)
        for run in self.env["xero.run"].sudo().search([("company_id", "in", companies), ("state", "=", "running")]):
            runs.setdefault(run.company_id.id, []).append(run.message)
        for cursor in self.env["xero.sync.cursor"].sudo().search([("connection_id", "in", self.ids),
                                                                   ("pull_total", ">", 0)]):
            if cursor.pull_done < cursor.pull_total:
                # at Xero's pace: pages of 1,000 (PULL_PAGE), the organisation's calls a minute
                pages = math.ceil((cursor.pull_total - cursor.pull_done) / PULL_PAGE)
                pull_pages[cursor.company_id.id] = pull_pages.get(cursor.company_id.id, 0) + pages
                runs.setdefault(cursor.company_id.id, []).append(self.env._(
                    "Reading %(what)s from Xero: %(done)s of %(total)s, about %(minutes)s min left at Xero's pace.",
                    what=cursor.key, done=cursor.pull_done, total=cursor.pull_total,
                    minutes=max(1, math.ceil(pages / per_minute))))
        for cid, (done, total) in self._overview_payment_backlogs(companies).items():
            runs.setdefault(cid, []).append(self.env._(
                "Recording Stripe and GoCardless payments in Xero: %(done)s of %(total)s events processed.",
                done=done, total=total))
        limiter = self._xero_rate_limiter()
        day_limit, day_window = int(limiter.per_day), limiter.day_window
        rates = {rate.tenant_id: rate.state or {} for rate in self.env["xero.rate.state"].sudo().search(
            [("tenant_id", "in", [t for t in self.mapped("tenant_id") if t])])}
        for conn in self:
            cid = conn.company_id.id
            conn.overview_token_refreshed_on = tokens.get(conn.id) or False
            rate = rates.get(conn.tenant_id) or {}
            conn.overview_day_limit = min(day_limit, int(rate.get("day_limit") or day_limit))
            conn.overview_calls_today = self._overview_calls_today(rate, conn.overview_day_limit, day_window)
            conn.overview_pending = queue.get((cid, "pending"), 0) + queue.get((cid, "sending"), 0)
            conn.overview_retrying = queue.get((cid, "retry"), 0)
            conn.overview_blocked = queue.get((cid, "blocked"), 0)
            conn.overview_sent_24h = sent.get(cid, 0)
            conn.overview_failed_24h = failed.get(cid, 0)
            tried = conn.overview_sent_24h + conn.overview_failed_24h
            conn.overview_success_rate = 100.0 * conn.overview_sent_24h / tried if tried else 0.0
            conn.overview_webhooks_waiting = webhooks.get(conn.id, 0)
            conn.overview_payments_waiting = payments.get(cid, 0)
            conn.overview_graph = json.dumps(graphs.get(cid) or self._overview_graph_data({}, now))
            budget_line = conn._overview_budget_line(rate, {
                budget.DOCUMENTS: math.ceil(
                    max(0, conn.overview_pending + conn.overview_retrying - files.get(cid, 0)) / MAX_PER_CALL),
                budget.LOOKUPS: conn.overview_webhooks_waiting,
                budget.PULLS: pull_pages.get(cid, 0) + files.get(cid, 0)})
            conn.overview_runs = "\n".join(runs.get(cid, []) + ([budget_line] if budget_line else [])) or False

    def _overview_budget_line(self, rate, pending):
        """The day's budget as xero/budget.py plans it: calls left, the reserve kept for documents and
        what waits for the next day (shown once the day is nearly spent or work is deferred)."""
        self.ensure_one()
        limiter = self._xero_rate_limiter()
        limit = self.overview_day_limit
        remaining, into_day = budget.day_position(rate, limiter.day_window)  # as the planner sees it
        plan = budget.plan(limit, remaining, pending, seconds_into_day=into_day, day_seconds=limiter.day_window)
        if not plan.deferred and not plan.nearly_spent:
            return False
        names = {budget.DOCUMENTS: self.env._("documents and payments"),
                 budget.LOOKUPS: self.env._("look-ups and webhook fetches"),
                 budget.PULLS: self.env._("pulls and attachments")}
        deferred = ", ".join(self.env._("%(calls)s calls of %(what)s", calls=calls, what=names[cls])
                             for cls, calls in plan.deferred.items()) or self.env._("nothing")
        return self.env._(
            "Daily budget: %(left)s of %(limit)s calls left, %(reserve)s kept for documents; "
            "deferred to the next day: %(deferred)s.",
            left=plan.remaining, limit=limit, reserve=plan.reserve, deferred=deferred)

    @api.model
    def _overview_payment_backlogs(self, companies):
        """{company id: (events processed, events in the backlog)} of the companies with payment events waiting:
        the backlog runs from the oldest event waiting (webhooks start it, no user: the Overview shows it)."""
        Event = self.env["xero.payment.event"].sudo()
        oldest = {company.id: when for company, when in Event._read_group(
            [("company_id", "in", companies), ("state", "=", "pending")], ["company_id"], ["create_date:min"])}
        if not oldest:
            return {}
        since = Domain.OR(Domain("company_id", "=", cid) & Domain("create_date", ">=", when)
                          for cid, when in oldest.items())
        counts = {(company.id, state): count for company, state, count in Event._read_group(
            since, ["company_id", "state"], ["__count"])}
        backlogs = {}
        for cid in oldest:
            total = sum(count for (company, _state), count in counts.items() if company == cid)
            backlogs[cid] = (total - counts.get((cid, "pending"), 0), total)
        return backlogs

    @api.model
    def _overview_count(self, Model, domain, group):
        return [(record.id, count) for record, count in Model._read_group(domain, [group], ["__count"])]

    @staticmethod
    def _overview_calls_today(state, day_limit, day_window):
        """Calls used of the day's limit: the limit less the calls left (xero/budget.py ``day_position``: Xero's
        last ``X-DayLimit-Remaining`` of the current day; none seen today: 0 used)."""
        remaining, _into_day = budget.day_position(state, day_window)
        return 0 if remaining is None else max(0, day_limit - remaining)

    def _overview_graphs(self, Job, companies, now):
        start = (now - timedelta(days=GRAPH_DAYS - 1)).replace(hour=0, minute=0, second=0, microsecond=0)
        per_day = {}
        for company, day, count in Job._read_group(
                [("company_id", "in", companies), ("state", "=", "done"), ("done_on", ">=", start),
                 ("operation", "not in", ("contact", "item"))], ["company_id", "done_on:day"], ["__count"]):
            per_day.setdefault(company.id, {})[fields.Date.to_date(day)] = count
        return {cid: self._overview_graph_data(days, now) for cid, days in per_day.items()}

    @staticmethod
    def _overview_graph_data(days, now):
        """The journal dashboard's bar graph (widget ``dashboard_graph``): one bar a day, today last."""
        today = now.date()
        values = []
        for back in range(GRAPH_DAYS - 1, -1, -1):
            day = today - timedelta(days=back)
            values.append({"label": day.strftime("%d"), "value": days.get(day, 0),
                           "type": "past" if back else "future"})
        return [{"key": "Documents sent", "values": values, "is_sample_data": False}]

    def action_xero_overview_open(self):
        """Open the Sync Log on one of the card's figures (context ``xero_overview``: one of LINKS)."""
        self.ensure_one()
        checked(self, USER, self.env._("Only Xero users can see the Sync Log."), operation="read")
        link = self.env.context.get("xero_overview")
        if link not in LINKS:
            raise UserError(self.env._("%s is not one of the Overview's figures.", link))
        since = fields.Datetime.now() - timedelta(hours=24)
        domain = Domain("company_id", "=", self.company_id.id) & {
            "pending": Domain("state", "in", ("pending", "sending")),
            "retry": Domain("state", "=", "retry"),
            "blocked": Domain("state", "=", "blocked"),
            "sent": Domain("state", "=", "done") & Domain("done_on", ">=", since),
            "failed": Domain("state", "in", ("retry", "blocked")) & Domain("write_date", ">=", since),
        }[link]
        action = self.env["ir.actions.act_window"]._for_xml_id("xero_connector.xero_job_action")
        action.update(domain=list(domain), context={}, name=self.env._("Sync Log of %s", self.company_id.name))
        return action
