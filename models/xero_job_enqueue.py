"""Queuing jobs (the outbox's contract is in ``models/xero_job.py``): one open job per record, operation and
company, and queued as a set.

:meth:`XeroJob._xero_enqueue` queues a recordset with one search for the open jobs, one insert for the new ones
and one update for their keys, whatever the number of records. Code that queues one record at a time in a loop
(a payment per event, a dependency per job) gathers its requests in a :func:`job_batch`:

- while the batch *defers*, ``_xero_enqueue`` only notes the request and returns no job; the batch queues them
  all together when it is flushed (at the end of the ``with``, or by :meth:`JobBatch.flush`). Any search of
  ``xero.job`` meanwhile flushes it first, so nothing reads the queue without the requests noted;
- once flushed, the batch *remembers* the open jobs it met: asked again for one of them inside the ``with``,
  ``_xero_enqueue`` returns it without a search (a sender checks a job's dependencies twice: once to queue
  them together, once to see whether they are done).

A batch lives on the cursor for the duration of its ``with``; leaving it by an exception forgets its requests
(the caller rolls its savepoint back). The jobs it queued are in :attr:`JobBatch.jobs`.
"""
from contextlib import contextmanager

from psycopg2.errors import UniqueViolation

from odoo import api, models
from odoo.fields import Domain

from ..exceptions import XeroBlocked
from ..xero import outbox, resources
from ..xero.outbox import OPEN_STATES

BATCH = "xero_connector.job_batch"  # the cursor cache's key of the active batch


class JobBatch:
    """Requests of jobs gathered to be queued together, and the open jobs met (see the module's docstring)."""

    def __init__(self, env):
        self.env = env
        self.defer = True
        self.flushing = False
        self.requests = {}  # (model, operation, method, force_new, company id, resource, rearm) -> {record id: None}
        self.lookups = {}  # (model, operation, company id) -> {record id: None}: open jobs asked for, not queued
        self.known = {}  # (model, record id, operation, company id) -> the open xero.job met
        self.absent = set()  # (model, record id, operation, company id) found with no open job
        self.jobs = env["xero.job"].sudo().browse()

    def add(self, records, operation, method, force_new, company, resource, rearm):
        key = (records._name, operation, method, force_new, company.id if company else None, resource, rearm)
        self.requests.setdefault(key, {}).update(dict.fromkeys(records.ids))

    def flush(self, defer=None):
        """Queue the requests noted so far; ``defer``: whether later requests are noted too (default: as
        before)."""
        Job = self.env["xero.job"].sudo()
        self.flushing = True
        try:
            while self.requests:
                requests, self.requests = self.requests, {}
                for (model, operation, method, force_new, company_id, resource, rearm), ids in requests.items():
                    company = self.env["res.company"].browse(company_id) if company_id else None
                    self.jobs |= Job._xero_enqueue_now(
                        self.env[model].sudo().browse(list(ids)), operation, method=method, force_new=force_new,
                        company=company, resource=resource, rearm=rearm)
            lookups, self.lookups = self.lookups, {}
            for (model, operation, company_id), ids in lookups.items():
                Job._xero_open_jobs_now(self.env[model].sudo().browse(list(ids)), operation,
                                        self.env["res.company"].browse(company_id))
        finally:
            self.flushing = False
        if defer is not None:
            self.defer = defer
        return self.jobs


@contextmanager
def job_batch(env):
    """A :class:`JobBatch` on ``env``'s cursor for the ``with``; flushed at its end (not when left by an
    exception). A batch opened inside another flushes the outer one first and gives it back afterwards."""
    cache = env.cr.cache
    outer = cache.get(BATCH)
    if outer is not None and outer.requests:
        outer.flush()
    batch = cache[BATCH] = JobBatch(env)
    try:
        yield batch
        batch.flush()
    finally:
        if outer is None:
            cache.pop(BATCH, None)
        else:
            cache[BATCH] = outer


class XeroJob(models.Model):
    _inherit = "xero.job"

    @api.model
    def _search(self, domain, *args, **kwargs):
        batch = self.env.cr.cache.get(BATCH)
        if batch is not None and batch.requests and not batch.flushing:
            batch.flush()  # a read of the queue sees the jobs asked for
        return super()._search(domain, *args, **kwargs)

    @api.model
    def _xero_enqueue(self, records, operation, *, method=None, force_new=False, company=None, resource=None,
                      rearm=True):
        """Queue ``records`` for ``operation``; return the jobs (an open job is returned, not duplicated).

        ``method``: ``PUT`` (create) or ``POST`` (update); by default ``PUT``. An open job that is
        blocked is re-armed (someone asked again: presumably after a fix) unless ``rearm`` is false: a
        sender checking a job's dependencies asks for them without retrying what is blocked. ``resource``:
        one Xero record's own endpoint (``"Payments/<id>"``) instead of the operation's collection; such a
        job is sent alone. The sender's scheduled action is triggered only when there is new work.

        Inside a :func:`job_batch` that defers, the request is noted and no job is returned: the batch's
        ``jobs`` has them once it is flushed.
        """
        method = method or "PUT"
        batch = self.env.cr.cache.get(BATCH)
        if batch is not None and batch.defer and not batch.flushing and records:
            batch.add(records, operation, method, force_new, company, resource, rearm)
            return self.sudo().browse()
        return self._xero_enqueue_now(records, operation, method=method, force_new=force_new, company=company,
                                      resource=resource, rearm=rearm)

    @api.model
    def _xero_enqueue_now(self, records, operation, *, method, force_new, company, resource, rearm):
        """:meth:`_xero_enqueue` at once: one search, one insert and one key update for all ``records``."""
        Job = self.sudo()
        if not records:
            return Job.browse()
        batch = self.env.cr.cache.get(BATCH)
        known = batch.known if batch is not None else {}
        companies = {}
        for record in records:
            companies[record.id] = company or (record.company_id if "company_id" in record._fields else False) \
                or self.env.company
        found = self._xero_open_jobs_found(records, operation, companies)
        new_work, to_create = False, {}
        for record in records:
            existing = found.get((record.id, companies[record.id].id))
            if existing:
                if rearm:
                    new_work |= existing._xero_rearm(method, force_new)
            else:
                to_create.setdefault(record.id, record)  # a record given twice is queued once
        created = self._xero_create_jobs(list(to_create.values()), operation, method, force_new, companies, resource)
        job_ids = []  # a list, not a recordset grown by union per record
        for record in records:
            key = (record.id, companies[record.id].id)
            job = found.get(key) or created.get(key)
            if job:
                job_ids.append(job.id)
                known[record._name, record.id, operation, key[1]] = job
        if created:
            new_work = True
        if new_work:
            self._xero_trigger()
        return Job.browse(dict.fromkeys(job_ids))

    @api.model
    def _xero_open_jobs_of(self, records, operation, company):
        """The open jobs of ``records`` for ``operation`` in ``company``, without queuing any (a dependency that
        exists only when another part of the flow queued it). Inside a :func:`job_batch` that defers, the question
        is noted and nothing returned: the batch answers all of them in one search when it is flushed, and
        remembers the answers (asked again, no search)."""
        batch = self.env.cr.cache.get(BATCH)
        if batch is not None and batch.defer and not batch.flushing and records:
            batch.lookups.setdefault((records._name, operation, company.id), {}).update(dict.fromkeys(records.ids))
            return self.sudo().browse()
        return self._xero_open_jobs_now(records, operation, company)

    @api.model
    def _xero_open_jobs_now(self, records, operation, company):
        found = self._xero_open_jobs_found(records, operation, dict.fromkeys(records.ids, company))
        return self.sudo().browse(dict.fromkeys(job.id for job in found.values()))

    @api.model
    def _xero_open_jobs_found(self, records, operation, companies):
        """``{(record id, company id): open job}`` of ``records`` for ``operation`` (``companies``: {record id: its
        company}): from the active :func:`job_batch`'s memory first, then one search for the others, whose
        answers (a job, or none) the batch remembers."""
        batch = self.env.cr.cache.get(BATCH)
        known, absent = (batch.known, batch.absent) if batch is not None else ({}, set())
        found, unknown = {}, []
        for record in records:
            key = (record._name, record.id, operation, companies[record.id].id)
            job = known.get(key)
            if job is not None and job.state in OPEN_STATES:
                found[record.id, key[3]] = job
            elif key not in absent:
                unknown.append(record.id)
        if unknown:
            for job in self.sudo().search(self._xero_open_domain(records._name, unknown, operation, companies)):
                if found.setdefault((job.res_id, job.company_id.id), job) == job:
                    known[records._name, job.res_id, operation, job.company_id.id] = job
            absent.update((records._name, record_id, operation, companies[record_id].id) for record_id in unknown
                          if (record_id, companies[record_id].id) not in found)
        return found

    @api.model
    def _xero_open_domain(self, model, ids, operation, companies):
        return Domain([("res_model", "=", model), ("res_id", "in", ids), ("operation", "=", operation),
                       ("company_id", "in", list({c.id for c in companies.values()})),
                       ("state", "in", OPEN_STATES)])

    @api.model
    def _xero_create_jobs(self, records, operation, method, force_new, companies, resource):
        """New jobs for ``records`` (none has an open one): ``{(record id, company id): job}``. Created together;
        when another transaction queued one of them meanwhile, one at a time, theirs kept."""
        if not records:
            return {}
        Job = self.sudo()
        spec = resources.operation(operation)
        vals_list = [{
            "company_id": companies[record.id].id,
            "connection_id": companies[record.id]._xero_connection().id or False,
            "res_model": record._name,
            "res_id": record.id,
            "record_name": (record.display_name or "")[:200],
            "operation": operation,
            "resource": resource or spec.resource,
            "method": method,
            "priority": spec.priority,
            "force_new": force_new,
        } for record in records]
        try:
            with self.env.cr.savepoint():
                created = Job.create(vals_list)
        except UniqueViolation:
            created = Job.browse()
            for vals in vals_list:
                try:
                    with self.env.cr.savepoint():
                        created |= Job.create(vals)
                except UniqueViolation:
                    # Another transaction queued the same record meanwhile: theirs is the open job.
                    created |= Job.search(self._xero_open_domain(
                        vals["res_model"], [vals["res_id"]], operation,
                        {vals["res_id"]: self.env["res.company"].browse(vals["company_id"])}), limit=1)
        uuid = self.env["ir.config_parameter"].sudo().get_param("database.uuid", "")
        for job in created:
            if not job.idempotency_key:
                job.idempotency_key = outbox.job_key(uuid, job.id, job.key_version)  # one UPDATE at the flush
        return {(job.res_id, job.company_id.id): job for job in created}

    def _xero_queue_dependencies(self, records, waits=None, ended=()):
        """Queue the dependencies of these jobs together (``records``: {job id: its record}), before the sender
        checks them one by one: inside a :func:`job_batch`, one search and one insert per operation instead of
        a search, an insert and a key update per job. ``waits``/``ended``: the sender's memo; a job still waiting
        for dependencies none of which ended is not checked again."""
        for job in self:
            record = records.get(job.id)
            if record is None or (waits is not None and job.id in waits and not waits[job.id] & ended):
                continue
            try:
                record._xero_job_dependencies(job)
            except XeroBlocked:
                continue  # the check that follows blocks the job, with the message
