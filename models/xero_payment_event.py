"""Events from Stripe and GoCardless: stored once, processed later by a cron, each with its outcome.

Inbound flow (mirrors ``xero.event``): ``POST /xero/webhook/stripe`` or ``/xero/webhook/gocardless``
checks the provider's signature on the raw body with each company's secret (the one that verifies
names the company), stores the events here once (unique provider + event id + company,
``INSERT … ON CONFLICT DO NOTHING``), triggers ``ir_cron_xero_payment_events`` and answers at once.
The cron processes the events of each connected company in the providers' order of creation: the
facts go to one ``xero.payment`` per provider payment (the same payment told twice, or in any
order, is one row), which queues what Xero still lacks through the outbox.

This file is the provider-neutral part: the store, the cron, retries and the UI. What an event means is
each provider's (``xero_payment_stripe.py``, ``xero_payment_gocardless.py``, over the ORM-free parsers
``xero/stripe_events.py`` and ``xero/gocardless_events.py``); what every provider books alike (customers,
documents, payouts, fees of their own) is in ``xero_payment_booking.py``; the per-run reads of Xero and the
clearing bank accounts in ``xero_payment_context.py``.
"""
import json
import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.fields import Domain

from ..exceptions import ClearingAccountWaiting, CronOutOfTime, PaymentDataError, PaymentEventError
from ..xero import (
    RateLimited,
    ReconnectNeeded,
    SignatureError,
    XeroError,
    gocardless_events,
    stripe_events,
    verify_gocardless,
    verify_stripe,
)
from ..xero.provider_api import ProviderApiError
from .xero_access import MANAGER, checked
from .xero_call_scope import call_scope
from .xero_cron import wake
from .xero_job_enqueue import job_batch
from .xero_payment import PROVIDERS, known_payments
from .xero_payment_context import PaymentContext
from .xero_producer_lock import producer_lock
from .xero_sql import insert_new_rows

_logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
# What an event's processing may fail with (recorded on it); anything else is a bug and stops the run.
EVENT_FAILURES = (ClearingAccountWaiting, PaymentDataError, PaymentEventError, XeroError, ProviderApiError)
CHUNK = 100  # events processed together (one savepoint, their jobs queued as a set)
BACKOFF = 60  # seconds, doubling per attempt
VERIFY = {"stripe": verify_stripe, "gocardless": verify_gocardless}
PAYMENT_CRON = "xero_connector.ir_cron_xero_payment_events"


class XeroPaymentEvent(models.Model):
    _name = "xero.payment.event"
    _description = "Stripe / GoCardless Event"
    _order = "provider_created desc, id desc"
    _rec_name = "event_id"

    provider = fields.Selection(PROVIDERS, required=True, readonly=True)
    event_id = fields.Char("Event ID", required=True, readonly=True)
    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True)
    event_type = fields.Char(required=True, readonly=True, help="Stripe's type, GoCardless' resource.action.")
    object_id = fields.Char("Provider Object", readonly=True, index=True,
                            help="The charge, payment intent, invoice or payment the event is about.")
    provider_created = fields.Datetime("Created at Provider", readonly=True)
    payload = fields.Text(readonly=True)
    state = fields.Selection(
        [("pending", "Pending"), ("done", "Done"), ("failed", "Failed"), ("ignored", "Not handled")],
        default="pending", required=True, readonly=True, index=True,
    )
    outcome = fields.Text(readonly=True)
    attempts = fields.Integer(readonly=True)
    next_try = fields.Datetime(readonly=True)
    processed_on = fields.Datetime(readonly=True)
    payment_id = fields.Many2one("xero.payment", readonly=True, index="btree_not_null", ondelete="set null")
    payment_xero_state = fields.Selection(related="payment_id.xero_state", string="In Xero")

    _event_uniq = models.UniqueIndex("(provider, event_id, company_id)")
    _todo_idx = models.Index("(company_id, provider_created) WHERE state IN ('pending', 'failed')")

    # ------------------------------------------------------------------------------------------
    # Receiving (called by controllers/payments.py, as superuser)
    # ------------------------------------------------------------------------------------------
    @api.model
    def _xero_verified_company(self, provider, body, header):
        """The company whose secret verifies the delivery; raises SignatureError otherwise (fail closed)."""
        secrets = self.env["res.company"]._xero_webhook_secrets(provider)
        if not secrets:
            raise SignatureError(f"no {provider} webhook secret configured")
        reason = None
        for company_id, secret in secrets:
            try:
                VERIFY[provider](body, header, secret)
                return self.env["res.company"].sudo().browse(company_id)
            except SignatureError as exc:
                reason = exc.reason
        raise SignatureError(reason or "signature mismatch")

    @api.model
    def _xero_receive_stripe(self, company, event, wake=False):
        """Store one verified Stripe event. Returns 'stored', 'duplicate' or 'unknown' (not stored); ValueError
        when the body is no Stripe event. ``wake``: a new event wakes the cron in the same statement (a
        webhook delivery)."""
        row = stripe_events.event_row(event)
        if row is None:
            return "unknown"
        return "stored" if self._xero_insert("stripe", company, [(row, event)], wake) else "duplicate"

    @api.model
    def _xero_receive_gocardless(self, company, payload, wake=False):
        """Store the events of a verified GoCardless delivery. Returns (stored, known, unknown) counts."""
        rows, unknown = gocardless_events.event_rows(payload)
        stored = len(self._xero_insert("gocardless", company, rows, wake)) if rows else 0
        return stored, len(rows), unknown

    @api.model
    def _xero_insert(self, provider, company, rows, wake=False):
        """``rows``: (stored facts of an event, the event as the provider sent it). Returns the new rows."""
        return insert_new_rows(self.env, "xero_payment_event", [
            dict(row, provider=provider, company_id=company.id, state="pending", attempts=0,
                 payload=json.dumps(event, separators=(",", ":"))) for row, event in rows],
            wake=PAYMENT_CRON if wake else None)

    @api.model
    def _xero_trigger(self):
        wake(self.env, PAYMENT_CRON)

    # ------------------------------------------------------------------------------------------
    # Processing (the cron)
    # ------------------------------------------------------------------------------------------
    @api.model
    def _xero_due_domain(self):
        return Domain("state", "in", ("pending", "failed")) & Domain("attempts", "<", MAX_ATTEMPTS) & (
            Domain("next_try", "=", False) | Domain("next_try", "<=", fields.Datetime.now()))

    @api.model
    def _cron_xero_payment_events(self):
        groups = self.sudo()._read_group(self._xero_due_domain(), ["company_id"])
        try:
            for (company,) in groups:
                conn = company._xero_connection()
                if not conn or conn.state != "connected":
                    continue  # events wait for the connection
                try:
                    with producer_lock(self.env, company.id):
                        self.sudo()._xero_process_company(conn)
                except (ReconnectNeeded, RateLimited) as exc:
                    _logger.warning("Payment events of %s wait: %s", company.name, exc)
                self._xero_progress(0)
        except CronOutOfTime:
            self._xero_trigger()

    def _xero_progress(self, processed):
        """The same rule as the Xero webhook events' cron (commit only inside the cron)."""
        self.env["xero.event"]._xero_progress(processed)

    @api.model
    def _xero_process_company(self, conn):
        events = self.search(Domain("company_id", "=", conn.company_id.id) & self._xero_due_domain(),
                             order="provider_created, id")
        ctx = PaymentContext(self.env, conn)
        # The providers' clearing bank accounts first: one missing in Xero is created (an outbox job, sent now).
        ctx.prepare_clearing_accounts(set(events.mapped("provider")))
        job_ids = []  # a list, not a recordset grown by union per event (quadratic over thousands of events)
        waiting = set()  # providers whose clearing account is still on its way: their events wait, in order
        for start in range(0, len(events), CHUNK):
            chunk = events[start:start + CHUNK]
            if not self._xero_process_chunk(ctx, chunk, job_ids, waiting):
                for event in chunk:
                    event._xero_process_one(ctx, job_ids, waiting)
                    self._xero_progress(1)
        # With the jobs of earlier runs the sender held back for a fuller call (models/xero_job_picker.py).
        jobs = self.env["xero.job"].sudo().browse(dict.fromkeys(job_ids)) | self.env["xero.job"].sudo().search([
            ("company_id", "=", conn.company_id.id), ("res_model", "=", "xero.payment"),
            ("state", "in", ("pending", "retry"))])
        if jobs:
            # Sent now (the sender's own lock and commits); failures retry in the Sync Log.
            self.env["xero.job"].sudo()._xero_send(connections=conn, jobs=jobs)

    def _xero_process_chunk(self, ctx, chunk, job_ids, waiting):
        """Process ``chunk`` together: one savepoint, its jobs queued as a set, its events written in one update.
        False (and nothing of it kept) when one of its events fails or waits: the caller then processes them one
        by one, each in its own savepoint, so that the failure is the failing event's alone."""
        if waiting & set(chunk.mapped("provider")):
            return False
        try:
            with self.env.cr.savepoint(), job_batch(self.env) as batch, call_scope(self.env), \
                    known_payments(self.env, ctx.company, chunk._xero_payment_keys()):
                done = []
                for event in chunk:
                    state, outcome, payment, _jobs = event._xero_process(ctx)
                    done.append((event, state, outcome, payment))
                for event, state, outcome, payment in done:
                    event.write({"state": state, "outcome": outcome, "payment_id": payment.id if payment else False,
                                 "processed_on": fields.Datetime.now(), "next_try": False})
        except (ReconnectNeeded, RateLimited):
            raise
        except EVENT_FAILURES:
            ctx.partners.clear()  # it may name customers created in the savepoint just rolled back
            return False
        job_ids.extend(batch.jobs.ids)
        self._xero_progress(len(chunk))
        return True

    def _xero_payment_keys(self):
        """The provider ids these events may record a payment under (their object, its payment intent or
        charge): read together before the events are processed."""
        keys = set()
        for event in self:
            try:
                obj = (json.loads(event.payload or "{}").get("data") or {}).get("object") or {}
            except (ValueError, AttributeError):
                continue
            keys.add(event.object_id)
            if isinstance(obj, dict):
                keys.update(v for k in ("id", "payment_intent", "charge") if isinstance(v := obj.get(k), str))
        return keys

    def _xero_process_one(self, ctx, job_ids, waiting):
        """Process this event in its own savepoint; a failure is recorded on it (retried with backoff)."""
        if self.provider in waiting:
            return
        try:
            with self.env.cr.savepoint():
                state, outcome, payment, new_jobs = self._xero_process(ctx)
        except (ReconnectNeeded, RateLimited):
            raise
        except EVENT_FAILURES as exc:
            ctx.partners.clear()  # it may name customers created in the savepoint just rolled back
            self._xero_failed(exc, waiting)
        else:
            job_ids.extend(new_jobs.ids)
            self.write({"state": state, "outcome": outcome, "payment_id": payment.id if payment else False,
                        "processed_on": fields.Datetime.now(), "next_try": False})

    def _xero_failed(self, exc, waiting):
        """What this event's failure ``exc`` means for it (its savepoint is rolled back)."""
        if isinstance(exc, ClearingAccountWaiting):
            waiting.add(self.provider)
            self.write({"state": "pending", "outcome": exc.message, "next_try": False})
        elif isinstance(exc, PaymentDataError):
            self._xero_fail(str(exc), final=True)
        else:
            self._xero_fail(getattr(exc, "message", None) or str(exc))

    def _xero_fail(self, message, final=False):
        """Failed with ``message``; retried with backoff up to MAX_ATTEMPTS, or not at all when ``final`` (the
        event itself lacks what recording it needs: an administrator may still retry it by hand)."""
        for event in self:
            attempts = MAX_ATTEMPTS if final else event.attempts + 1
            event.write({
                "state": "failed", "attempts": attempts, "outcome": message, "processed_on": fields.Datetime.now(),
                "next_try": fields.Datetime.now() + timedelta(seconds=BACKOFF * 2 ** (attempts - 1))
                if attempts < MAX_ATTEMPTS else False,
            })

    def _xero_process(self, ctx):
        """Process one event; returns (state, outcome, xero.payment or None, jobs queued)."""
        self.ensure_one()
        try:
            event = json.loads(self.payload or "{}")
        except ValueError:
            return "ignored", self.env._("The stored event is not JSON."), None, self.env["xero.job"]
        if self.provider == "stripe":
            return self._xero_process_stripe(ctx, event)
        return self._xero_process_gocardless(ctx, event)

    def _xero_process_stripe(self, ctx, event):
        raise NotImplementedError  # models/xero_payment_stripe.py

    def _xero_process_gocardless(self, ctx, event):
        raise NotImplementedError  # models/xero_payment_gocardless.py

    # ------------------------------------------------------------------------------------------
    # UI
    # ------------------------------------------------------------------------------------------
    def _xero_checked(self):
        """These events as superuser, once the caller is a Xero administrator of their companies."""
        return checked(self, MANAGER, self.env._("Only Xero administrators can retry or ignore payment events."))

    def action_xero_retry(self):
        events = self._xero_checked()
        events.filtered(lambda e: e.state in ("failed", "ignored", "done")).write(
            {"state": "pending", "attempts": 0, "next_try": False})
        # Someone asks again (presumably after a fix): a clearing account Xero refused is asked for again too.
        self.env["xero.clearing.account"].sudo()._xero_rearm(events.company_id)
        self._xero_trigger()
        return True

    def action_xero_ignore(self):
        self._xero_checked().filtered(lambda e: e.state in ("pending", "failed")).write(
            {"state": "ignored", "processed_on": fields.Datetime.now(),
             "outcome": self.env._("Ignored by %s.", self.env.user.name)})
        return True
