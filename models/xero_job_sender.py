"""The outbox's sender: drains ``xero.job`` per Xero organisation, in batches, under a PostgreSQL lock.

One run (the scheduled action, or an export a user waits for) takes, per connected organisation, an advisory
lock on a cursor of its own (one sender per organisation across workers and machines), recovers the jobs a dead
sender left *sending*, then repeats: pick up to 50 due jobs of one collection and method whose dependencies are
done (lowest priority first), build their elements, keep the call under Xero's 3.5 MB (an element too large alone
is blocked, never sent; the elements that do not fit wait for the next call), mark them *sending* and commit, send
one call, apply each element's outcome, commit. The scheduled run leaves a company alone while a producer
(the payment events' cron) holds its lock and queues jobs it sends itself in full batches
(``models/xero_producer_lock.py``). The job contract (states, what a handler may raise) is in
``models/xero_job.py``; which jobs go next, in ``models/xero_job_picker.py``; the hooks it calls on the records
are those of ``xero.outbox.record`` (``models/xero_outbox.py``); the rules that need no database (backoff, keys,
excerpts) are in ``xero/outbox.py``.
"""
import logging
from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models, sql_db
from odoo.fields import Domain

from ..exceptions import XeroAlreadyDone, XeroBlocked
from ..xero import (
    ElementResult,
    NotFound,
    RateLimited,
    ReconnectNeeded,
    RequestTooLarge,
    TransientError,
    XeroError,
    resources,
)
from ..xero.client import MAX_REQUEST_BYTES, encoded_size
from ..xero.outbox import (
    DUE_STATES,
    LOCK_NAMESPACE,
    MAX_ATTEMPTS,
    backoff,
    batch_key,
    cut_to_size,
    excerpt,
    rate_limit_wait,
    tenant_lock_key,
)
from .xero_call_scope import call_scope
from .xero_commit import commit_progress
from .xero_job_picker import due
from .xero_producer_lock import busy_companies

_logger = logging.getLogger(__name__)

# How long the sender waits for Xero's pacing inside one run (a cron may wait longer than a user).
CRON_RATE_WAIT = 120
INTERACTIVE_RATE_WAIT = 10


class XeroJob(models.Model):
    _inherit = "xero.job"

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
            groups = Job._read_group(Domain("state", "=", "sending") | due(fields.Datetime.now()), ["company_id"])
            companies = self.env["res.company"].browse([company.id for (company,) in groups])
        if connections is None:
            connections = self.env["xero.connection"].sudo().search([("company_id", "in", companies.ids)])
        # The scheduled run leaves a company alone while a producer queues its jobs (it sends them itself, in
        # full batches, and triggers this cron when done): see models/xero_producer_lock.py.
        busy = busy_companies(self.env.cr, connections.company_id.ids) if jobs is None else set()
        finished = 0
        for conn in connections.sudo():
            if conn.state != "connected" or not conn.tenant_id or conn.company_id.id in busy:
                continue  # not connected / needs reconnect / being produced for: jobs wait, nothing fails
            finished += Job._xero_send_connection(conn, limit=limit, only=jobs, max_rate_wait=max_rate_wait)
        return finished

    def _xero_send_connection(self, conn, limit=None, only=None, max_rate_wait=None):
        lock_cr = sql_db.db_connect(self.env.cr.dbname).cursor()
        lock_key = tenant_lock_key(conn.tenant_id)
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
                commit_progress(self.env)
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
            if only is None and busy_companies(self.env.cr, company.ids):
                break  # a producer started queueing: it sends its jobs itself, in full batches
            batch = self._xero_next_batch(company, only_ids, tried, memo)
            if not batch:
                break
            tried.update(batch.ids)
            later = set()  # jobs cut from the call to keep it under Xero's size limit: picked again this run
            stop = batch._xero_send_batch(conn, client, later)
            tried.difference_update(later)
            if not memo.get("released") and any(job.state == "done" for job in batch):
                memo["released"] = self._xero_release_retries(company, tried)
            memo["ended"].update(batch.filtered(lambda j: j.state not in ("pending", "sending", "retry")).ids)
            finished += len(batch.filtered(lambda j: j.state in ("done", "blocked")))
            self.env["xero.run"]._xero_report(batch)  # progress to the users who started long work
            time_left = commit_progress(self.env, len(batch))
            if stop or time_left <= 0 or (limit and len(tried) >= limit):
                break
        return finished

    @api.model
    def _xero_release_retries(self, company, tried):
        """Xero answered a call of this run: the company's jobs waiting out their backoff after Xero was unavailable
        or out of reach (an outage) are due now, not in up to an hour (a new payment of a customer whose contact
        failed during the outage would wait for it as long). Not those that failed in this run, nor those Xero
        refused for themselves (a 500 for one request, say): their backoff stands. Once per run."""
        released = self.search([("company_id", "=", company.id), ("state", "=", "retry"), ("waits_for_xero", "=", True),
                                ("next_try", ">", fields.Datetime.now()), ("id", "not in", list(tried))])
        if released:
            released.write({"next_try": fields.Datetime.now()})
            self._xero_trigger()  # a run that sends only its own jobs (the payment events') leaves them to the cron
        return True

    def _xero_recover_orphans(self, company):
        """Jobs left 'sending' by a sender that died mid-batch (we hold the lock: nobody else sends).

        Their request may have reached Xero: the next attempt looks them up before creating.
        """
        orphans = self.search([("company_id", "=", company.id), ("state", "=", "sending")])
        if orphans:
            _logger.warning("Xero sender: %s job(s) of %s were interrupted mid-send; outcome unknown",
                            len(orphans), company.name)
            orphans.write({"state": "retry", "outcome_unknown": True, "next_try": False,
                           "error": self.env._("Interrupted while sending: Xero is checked before sending again.")})
            commit_progress(self.env)

    # ------------------------------------------------------------------------------------------
    # Sending a batch
    # ------------------------------------------------------------------------------------------
    def _xero_send_batch(self, conn, client, later=None):
        """Send one batch (same resource and method). Returns True when the organisation must stop.
        ``later``: a set, given the ids of the jobs cut from the call to keep it under Xero's size limit. The
        records' log notes are written together at the end (``models/xero_call_scope.py``)."""
        with call_scope(self.env):
            return self._xero_send_call(conn, client, later)

    def _xero_send_call(self, conn, client, later):
        resource, method = self[0].resource, self[0].method
        self.filtered(lambda j: j.connection_id != conn).write({"connection_id": conn.id})
        records = self._xero_records()
        # 1. An earlier attempt may have reached Xero: look the documents up before creating again (several
        # of one model in one call when the model can: a dead sender leaves a whole batch to check).
        try:
            self._xero_lookup_unknown(records, client)
        except XeroError as exc:
            return self._xero_batch_failed(exc)
        # 2. Elements; a handler may block one job, the others go on.
        to_send, elements = self.browse(), []
        for job in self.filtered(lambda j: j.state in DUE_STATES):
            record = records.get(job.id)
            if record is None:
                job.write({"state": "cancelled", "error": self.env._("The record no longer exists in Odoo.")})
                continue
            try:
                payload = record._xero_void_payload(job) if job._xero_is_void() else record._xero_job_payload(job)
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
        if "/" not in resource:
            to_send, elements = to_send._xero_fit_request(resource, elements, later)
        if not to_send:
            return False
        # 3. Mark them sending and commit: a crash from here on leaves them recoverable.
        call_key = to_send._xero_batch_key()
        now = fields.Datetime.now()
        for job, payload in zip(to_send, elements, strict=True):
            job.write({"state": "sending", "attempts": job.attempts + 1, "sent_on": now,
                       "request_excerpt": excerpt(payload), "revision": records[job.id]._xero_job_revision()})
        commit_progress(self.env)
        # 4. One call (the library splits above 50, we never send more); a record's own endpoint takes one.
        try:
            if "/" in resource:
                results = [records[to_send.id]._xero_job_call(to_send, elements[0], client, call_key)]
            else:
                results = client.batch_write(resource, elements, method="PUT" if method == "PUT" else "POST",
                                             idempotency_key=call_key)
        except RequestTooLarge as exc:
            return to_send._xero_request_too_large(conn, client, elements, exc)
        except XeroError as exc:
            return to_send._xero_batch_failed(exc)
        # 5. Each element's own outcome; the records of the elements Xero accepted are told together.
        accepted = []
        for job, result in zip(to_send, results, strict=True):
            record = records.get(job.id)
            if result.ok:
                accepted.append((job, record, result))
                continue
            messages = "; ".join(result.errors) or self.env._("Xero refused this element without a message.")
            job.write({"response_excerpt": excerpt(result.data)})
            explained = record._xero_job_refused(job, messages) if record is not None else None
            job._xero_block(explained or self.env._("%(record)s: Xero refused it: %(messages)s",
                                                    record=job.record_name, messages=messages))
            job._xero_next_key()
        self._xero_all_succeeded(accepted)
        return False

    def _xero_fit_request(self, resource, elements, later):
        """Xero takes at most 3.5 MB in one call (a 413 above it, nothing processed). An element larger than that
        alone is blocked at once, never to ride in a batch (it would take every document sent with it down);
        the call carries the elements that fit, in order, and the others wait for the next call (``later``).
        Returns the jobs to send and their elements."""
        sizes = [encoded_size(element) for element in elements]
        send, too_large, cut = cut_to_size(encoded_size({resource: []}), sizes, MAX_REQUEST_BYTES)
        for index in too_large:
            job = self[index]
            job.write({"request_excerpt": excerpt(elements[index])})
            job._xero_block(job._xero_too_large_message(sizes[index]))
        if later is not None:
            later.update(self[index].id for index in cut)
        return self.browse([self[index].id for index in send]), [elements[index] for index in send]

    def _xero_too_large_message(self, size):
        self.ensure_one()
        return self.env._(
            "%(record)s: its data comes to %(size)s MB, more than the %(limit)s MB Xero takes in one request, so "
            "it is not sent (Xero would refuse it, with every document sent beside it). Shorten what makes it so "
            "large (a long description or note), then retry it.",
            record=self.record_name, size=f"{size / 1_000_000:.1f}", limit=f"{MAX_REQUEST_BYTES / 1_000_000:g}")

    def _xero_request_too_large(self, conn, client, elements, exc):
        """Xero answered 413 although the call was sized to fit (its limit lower than documented): nothing was
        processed. One element alone is blocked; several are sent one by one at once, which isolates the one
        Xero refuses. Returns True when the organisation must stop."""
        if len(self) == 1:
            self._xero_block(self._xero_too_large_message(encoded_size(elements[0])))
            return False
        _logger.warning("Xero sender: %s elements of %s refused as too large (%s); sending them one by one",
                        len(self), self[0].resource, exc)
        for job in self:
            job.write({"state": "pending", "attempts": job.attempts - 1})
        for job in self:
            if job._xero_send_batch(conn, client):
                return True
        return False

    def _xero_lookup_unknown(self, records, client):
        """Jobs whose earlier attempt may have reached Xero: the document found ends the job done (the
        models' batch look-up first, then one by one). Raises the XeroError of a failed read."""
        unknown = self.filtered("outcome_unknown")
        found_by_job = {}
        by_model = defaultdict(lambda: self.browse())
        for job in unknown:
            if records.get(job.id) is not None:
                by_model[records[job.id]._name] |= job
        for model, jobs in by_model.items():
            if len(jobs) > 1:
                found_by_job.update(self.env[model]._xero_jobs_lookup(jobs, records, client))
        for job in unknown:
            record = records.get(job.id)
            if record is None:
                continue
            if job.id in found_by_job:
                found = found_by_job[job.id]
            elif job._xero_is_void():
                found = record._xero_void_lookup(job, client)
            else:
                found = record._xero_job_lookup(job, client)
            if found:
                job._xero_succeeded(record, ElementResult(index=0, ok=True, data=found, resource=job.resource),
                                    via_lookup=True)

    def _xero_batch_key(self):
        """Deterministic from the jobs: the same jobs sent again reuse the key (Xero replays its answer)."""
        return batch_key(job.idempotency_key or job._xero_make_key() for job in self)

    def _xero_succeeded(self, record, result, via_lookup=False):
        """``result``: the element's ElementResult (``.data`` is Xero's element)."""
        self._xero_all_succeeded([(self, record, result)], via_lookup=via_lookup)

    @api.model
    def _xero_all_succeeded(self, accepted, via_lookup=False):
        """``accepted``: (job, its record or None, its ElementResult) of elements Xero accepted. Each job is done;
        then each model's records are told at once (``_xero_jobs_done``), and a record changed while its job
        was on its way (after its element was built) has the change follow as an update."""
        told = defaultdict(list)
        for job, record, result in accepted:
            job._xero_mark_done(result, via_lookup)
            if record is not None:
                told[record._name].append((job, record, result))
        for model, done in told.items():
            stale = [(job, record) for job, record, _result in done
                     if not job._xero_is_void() and record._xero_job_revision() > (job.revision or 0)]
            self.env[model]._xero_jobs_done(done)
            for job, record in stale:
                record._xero_resend(job)

    def _xero_mark_done(self, result, via_lookup):
        self.ensure_one()
        data = result.data or {}
        collection = self.resource.split("/")[0]
        known = resources.resource(collection)
        id_field = known.id_field if known else None
        number_field = known.number_field if known else None
        self.write({
            "state": "done",
            "done_on": fields.Datetime.now(),
            "next_try": False,
            "error": False,
            "waits_for_xero": False,
            "xero_id": data.get(id_field) if id_field else False,
            "xero_number": data.get(number_field) if number_field else False,
            "response_excerpt": excerpt(data) if not via_lookup else excerpt(
                {"found_by_lookup": True, **{k: data.get(k) for k in (id_field, number_field, "Status") if k}}),
        })
        self._xero_next_key()

    def _xero_batch_failed(self, exc):
        """The whole request failed. Returns True when the organisation must stop for this run."""
        jobs = self.filtered(lambda j: j.state in ("sending", "pending", "retry"))
        if not jobs:
            return False
        now = fields.Datetime.now()
        # Attempts spent by this run's "sending" mark are given back when Xero did not process anything.
        sending = jobs.filtered(lambda j: j.state == "sending")
        if isinstance(exc, RateLimited):
            next_try = now + timedelta(seconds=rate_limit_wait(exc.retry_after, exc.problem))
            for job in sending:
                job.attempts -= 1
            jobs.filtered(lambda j: j.state in ("sending", "pending", "retry")).write({
                "state": "pending", "next_try": next_try,
                "error": self.env._("Waiting for Xero's rate limit (%(problem)s) until %(when)s UTC.",
                                    problem=exc.problem or "minute", when=fields.Datetime.to_string(next_try)),
            })
            self._xero_trigger(at=next_try)
            return True
        if isinstance(exc, ReconnectNeeded):
            for job in sending:
                job.attempts -= 1
            jobs.filtered(lambda j: j.state in ("sending", "retry")).write({"state": "pending", "next_try": False})
            jobs.write({"error": self.env._("Paused: Xero needs to be reconnected (Settings → Xero). Nothing is lost.")})
            return True
        if isinstance(exc, NotFound):
            for job in jobs:
                job._xero_block(self.env._("%(record)s: the document no longer exists in Xero (%(error)s).",
                                           record=job.record_name, error=exc.message))
            jobs._xero_next_key()
            return False
        unknown = isinstance(exc, TransientError) and exc.outcome_unknown
        for job in jobs:
            attempts = job.attempts
            message = self.env._("%(record)s: %(error)s", record=job.record_name, error=exc)
            if attempts >= MAX_ATTEMPTS:
                job.write({"state": "blocked", "next_try": False,
                           "error": self.env._("Gave up after %(n)s attempts. %(message)s", n=attempts, message=message),
                           "outcome_unknown": job.outcome_unknown or unknown})
                continue
            job.write({"state": "retry", "next_try": now + timedelta(seconds=backoff(attempts)), "error": message,
                       "response_excerpt": excerpt(exc.detail) if exc.detail else job.response_excerpt,
                       "outcome_unknown": job.outcome_unknown or unknown,
                       "waits_for_xero": isinstance(exc, TransientError) and exc.status in (None, 502, 503, 504)})
        if not unknown:
            # Xero processed nothing: the next attempt is a new request.
            jobs.filtered(lambda j: not j.outcome_unknown)._xero_next_key()
        next_try = min(jobs.mapped("next_try") or [now]) or now
        self._xero_trigger(at=next_try)
        return isinstance(exc, TransientError)
