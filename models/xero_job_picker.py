"""The outbox's sender (``models/xero_job_sender.py``): which due jobs go in the next call.

Up to 50 due jobs of one collection and method, lowest priority first, whose dependencies are done. A page of
candidates has its dependencies queued together first (``job_batch``: one search and one insert per operation),
then each candidate is checked; a job still waiting for dependencies none of which ended since is not read again.
A dependency blocked blocks the job. Attachments wait while the day's plan keeps the calls left for documents
(``xero/budget.py``); a partial call of payments' jobs waits while their webhooks are still arriving.
"""
from datetime import timedelta

from odoo import fields, models
from odoo.fields import Domain

from ..exceptions import XeroBlocked
from ..xero import budget, resources
from ..xero.outbox import DUE_STATES
from .xero_job_enqueue import job_batch

BATCH_SIZE = resources.MAX_PER_CALL
GATHER = 30  # seconds: how long a burst of payment webhooks may hold back a partial call of their jobs
BURST, QUIET = 10, 5  # a burst goes on while its last BURST webhooks came within QUIET seconds


def due(now):
    """Due jobs: pending or failed, their next try empty or past."""
    return Domain("state", "in", DUE_STATES) & (Domain("next_try", "=", False) | Domain("next_try", "<=", now))


class XeroJob(models.Model):
    _inherit = "xero.job"

    def _xero_pulls_allowed(self, company, memo=None):
        """Whether the day's plan lets jobs that spend as pulls (attachments: ``resources.PULL_CLASS``) go now, or
        keeps the calls left for documents (xero/budget.py). Asked once per run, when the first such job comes."""
        if memo is not None and "pulls_allowed" in memo:
            return memo["pulls_allowed"]
        plan = self.env["xero.sync.cursor"]._xero_budget_plan(company._xero_connection(), budget.PULLS)
        allowed = plan.may_spend(budget.PULLS)
        if memo is not None:
            memo["pulls_allowed"] = allowed
        return allowed

    def _xero_hold_back(self, company, batch, memo):
        """Whether to keep this partial batch of payments' jobs for a fuller call: while their webhooks are still
        arriving (a burst: the company's last ``BURST`` payment events came within ``QUIET`` seconds; or events not
        processed yet, under ``GATHER`` seconds old), the payment events' runs that process the next ones send
        these with their own (models/xero_payment_event.py). A job is held back ``GATHER`` seconds at most
        (webhooks arriving without end do not starve it); a run that holds some back wakes the sender ``GATHER``
        seconds later (Odoo's cron workers see a trigger for later at their next poll), in case none comes.
        Documents a user waits for are never held back, nor a payment outside a burst whose webhooks are all
        processed (a single delivery goes at once)."""
        if any(job.res_model != "xero.payment" for job in batch) or "/" in batch[0].resource \
                or len(batch) >= min(BATCH_SIZE, resources.max_per_call(batch[0].resource)):
            return False
        now = fields.Datetime.now()
        if min(batch.mapped("create_date")) < now - timedelta(seconds=GATHER):
            return False  # held long enough: it goes, partial
        if "burst" not in memo:
            Event = self.env["xero.payment.event"].sudo()
            latest = Event.search_fetch([("company_id", "=", company.id)], ["create_date"], order="id desc",
                                        limit=BURST)
            memo["burst"] = (len(latest) == BURST and min(latest.mapped("create_date")) >= now - timedelta(
                seconds=QUIET)) or bool(Event.search_count([
                    ("company_id", "=", company.id), ("state", "=", "pending"), ("processed_on", "=", False),
                    ("outcome", "=", False), ("create_date", ">=", now - timedelta(seconds=GATHER))], limit=1))
        if not memo["burst"]:
            return False
        memo.setdefault("deferred", set()).update(batch.ids)
        if not memo.get("woken"):
            memo["woken"] = self._xero_trigger(at=now + timedelta(seconds=GATHER)) or True
        return True

    # ------------------------------------------------------------------------------------------
    # Picking a batch
    # ------------------------------------------------------------------------------------------
    def _xero_next_batch(self, company, only_ids, tried, memo=None):
        """Up to 50 due jobs of one (resource, method) whose dependencies are done, lowest priority first."""
        seen_waiting = set()
        while True:
            waiting = set()
            batch = self._xero_pick(company, only_ids, tried, waiting, memo)
            if batch and memo is not None and self._xero_hold_back(company, batch, memo):
                continue  # kept for a fuller call: pick among the others
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
        domain = Domain("company_id", "=", company.id) & due(fields.Datetime.now())
        if tried:
            domain &= Domain("id", "not in", list(tried))
        if only_ids is not None:
            domain &= Domain("id", "in", list(only_ids))
        if memo is not None:
            # Not even read again: the jobs still waiting for dependencies none of which ended since (a backlog
            # of payments waiting for their invoices would otherwise be paged through on every pick), and those
            # the day's plan keeps for later.
            if memo.get("deferred"):
                domain &= Domain("id", "not in", list(memo["deferred"]))
            stalled = [job_id for job_id, deps in memo["waits"].items() if not deps & memo["ended"]]
            if stalled:
                domain &= Domain("id", "not in", stalled)
                for job_id in stalled:
                    waiting.update(memo["waits"][job_id])  # what they wait for is still to be picked
        group = None
        size = BATCH_SIZE  # the group's collection may take fewer per call (a record's own endpoint: one)
        batch = self.browse()
        offset = 0
        conflicts = set()  # what two elements of one call may not share (contacts: their name)
        while len(batch) < size:
            candidates = self.search(domain, order="priority, id", limit=200, offset=offset)
            if not candidates:
                break
            offset += len(candidates)
            records = candidates._xero_records()
            waits = memo["waits"] if memo is not None else None
            with job_batch(self.env) as deps:
                # Their dependencies queued together first, then checked one by one without a search each.
                candidates._xero_queue_dependencies(records, waits, memo["ended"] if memo is not None else ())
                deps.flush(defer=False)
                for job in candidates:
                    key = (job.resource, job.method)
                    if group is not None and key != group:
                        continue
                    if job.operation in resources.PULL_CLASS and not self._xero_pulls_allowed(company, memo):
                        if memo is not None:
                            memo.setdefault("deferred", set()).add(job.id)  # kept for later: the next run asks again
                        continue
                    if waits is not None and job.id in waits and not waits[job.id] & memo["ended"]:
                        waiting.update(waits[job.id])  # still waiting: none of its dependencies ended since
                        continue
                    if not job._xero_ready(waiting, records.get(job.id), waits):
                        continue
                    conflict = records[job.id]._xero_job_batch_conflict(job)
                    if conflict is not None:
                        # The second goes in the next batch, where the first is known (a contact matched by name
                        # instead of refused as a duplicate).
                        if conflict in conflicts:
                            continue
                        conflicts.add(conflict)
                    if group is None:
                        group, size = key, min(BATCH_SIZE, resources.max_per_call(job.resource))
                    batch |= job
                    if len(batch) >= size:
                        break
        return batch

    def _xero_ready(self, waiting=None, record=None, waits=None):
        """True when the job's dependencies are done. Blocks the job when one of them is blocked.
        ``waits``: {job id: ids of the dependencies it waits for}, filled for the sender's run."""
        self.ensure_one()
        record = record if record is not None else self._xero_record()
        if record is None:
            self.write({"state": "cancelled", "error": self.env._("The record no longer exists in Odoo.")})
            return False
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
            self._xero_block(self.env._("Waiting for %(what)s, which cannot be sent: %(error)s",
                                        what=stuck[0].display_label, error=stuck[0].error or stuck[0].state))
        else:
            if waiting is not None:
                waiting.update(pending.ids)
            if waits is not None:
                waits[self.id] = set(pending.ids)
        return False
