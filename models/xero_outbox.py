"""The outbox's handler contract: what a model provides for its records to be sent to Xero.

Every model whose records the outbox (``xero.job``) sends inherits ``xero.outbox.record``: customers
(``res.partner``), products (``product.product``), orders, invoices and vendor bills (``sale.order``,
``account.move``: ``account_move_bill.py`` for bills, through ``xero.document.mixin``), Stripe/GoCardless payments (``xero.payment``) and their clearing bank accounts
(``xero.clearing.account``), and the Lead Source's tracking category and options (``xero.connection``,
``xero.tracking.category``, ``xero.tracking.option``: ``xero_tracking_outbox.py``), and the documents' files attached
in Xero (``xero.attachment``). The sender
(``models/xero_job_sender.py``) calls only the hooks below, on the job's record as superuser in the job's
company; it never asks whether a model has one.

Mandatory (they raise ``NotImplementedError`` here):

- :meth:`_xero_job_payload`: the element to send;
- :meth:`_xero_job_done`: write back what Xero answered;
- :meth:`_xero_job_lookup`: after an attempt whose outcome is unknown, the document it may have created;
- for a model that queues voids (an operation with ``voids=`` in ``xero/resources.py``):
  :meth:`_xero_void_payload`, :meth:`_xero_void_done` and :meth:`_xero_void_lookup`, called instead of the
  three above for those jobs.

Optional (neutral defaults):

- :meth:`_xero_jobs_lookup`: several of those look-ups in one call;
- :meth:`_xero_jobs_done`: the write-back of several accepted jobs at once;
- :meth:`_xero_job_dependencies`: jobs that must be done first;
- :meth:`_xero_job_refused`: a better explanation of Xero's refusal;
- :meth:`_xero_job_batch_conflict`: jobs that may not share one call;
- :meth:`_xero_job_revision` and :meth:`_xero_resend`: a change made while a job was on its way follows it;
- :meth:`_xero_deep_link`: the web address in Xero of a document of this model;
- :meth:`_xero_job_call`: the call of a job sent to one record's own endpoint (a file's raw upload, a read, an
  action answering 204), when it is not a JSON write of the element.

A handler may raise, while building an element, :class:`~odoo.addons.xero_connector.exceptions.XeroBlocked`
(a human must fix something: the job is blocked with the message), or
:class:`~odoo.addons.xero_connector.exceptions.XeroAlreadyDone` (Xero already is as the job wants it: nothing is
sent, the job ends done), or a ``XeroError`` when it reads Xero (the batch fails as its request would have).
See ``models/xero_job.py`` for the job's states.

Adding a document type: one entry in ``xero/resources.py`` (its operation, and its collection when Xero's is new
to the connector) and one handler, a model inheriting this one.
"""
from odoo import api, models

from ..xero import resources


class XeroOutboxRecord(models.AbstractModel):
    _name = "xero.outbox.record"
    _description = "Record Sent to Xero through the Outbox"

    # ------------------------------------------------------------------------------------------
    # Mandatory
    # ------------------------------------------------------------------------------------------
    def _xero_job_payload(self, job):
        """The Xero element ``job`` sends for this record (one record: ``self.ensure_one()``), as a dict in
        Xero's JSON shape (``{"Contact": {...}, "LineItems": [...]}``). Called once per attempt, just before
        the call, so it reflects the record as it is then.

        Raise ``XeroBlocked(message)`` when the job cannot be sent until a human fixes something (a missing
        mapping, a customer not in Xero, a record no longer in a state to send), ``XeroAlreadyDone(data)``
        when Xero already holds what the job would write."""
        raise NotImplementedError(f"{self._name} must build the Xero element of its jobs (_xero_job_payload)")

    def _xero_job_done(self, job, result):
        """Xero accepted ``job`` (``result``: the element's ``ElementResult``, ``result.data`` being Xero's
        record; also called with the record found by a look-up, or given by ``XeroAlreadyDone``). Write back the
        Xero id, number and status (the connector's own fields: see :meth:`_xero_write`) and say so in the
        chatter. The job itself is already done when this runs."""
        raise NotImplementedError(f"{self._name} must write back what Xero answered (_xero_job_done)")

    def _xero_job_lookup(self, job, client):
        """An earlier attempt of ``job`` may have reached Xero (a timeout, a sender killed mid-call): the
        document it created, read with ``client`` (``XeroClient``), or None when there is none, in which case
        the job is sent again. Return None at once when sending twice is harmless (an update, a POST by
        code)."""
        raise NotImplementedError(f"{self._name} must say how to find what a lost attempt created (_xero_job_lookup)")

    def _xero_void_payload(self, job):
        """The element of a void (or delete) ``job`` of the document this record has in Xero. Mandatory for a
        model that queues void operations; raises as :meth:`_xero_job_payload` does."""
        raise NotImplementedError(f"{self._name} queues no void (_xero_void_payload)")

    def _xero_void_done(self, job, result):
        """Xero voided (or deleted) the document: write its status back, as :meth:`_xero_job_done` does."""
        raise NotImplementedError(f"{self._name} queues no void (_xero_void_done)")

    def _xero_void_lookup(self, job, client):
        """The document as Xero has it when an earlier void attempt already voided it, else None."""
        raise NotImplementedError(f"{self._name} queues no void (_xero_void_lookup)")

    # ------------------------------------------------------------------------------------------
    # Optional
    # ------------------------------------------------------------------------------------------
    @api.model
    def _xero_jobs_lookup(self, jobs, records, client):
        """The look-up of several ``jobs`` of this model at once (a sender killed mid-batch leaves a whole
        batch to check): ``{job id: Xero's record or None}`` for the jobs it could decide, in a few calls
        instead of one per job. ``records``: ``{job id: record}``. Jobs left out are looked up one by one with
        :meth:`_xero_job_lookup`. By default none."""
        return {}

    @api.model
    def _xero_jobs_done(self, done):
        """Xero accepted several jobs of this model in one call: ``done`` is a list of (job, record, its
        ``ElementResult``). By default each record is told alone (:meth:`_xero_job_done`, or
        :meth:`_xero_void_done` for a void); a model may write back what they share in one go instead."""
        for job, record, result in done:
            if job._xero_is_void():
                record._xero_void_done(job, result)
            else:
                record._xero_job_done(job, result)

    def _xero_job_dependencies(self, job):
        """The jobs (``xero.job`` recordset) that must be done before ``job`` is sent: a customer's contact
        before its invoice. Queue them here (``xero.job._xero_enqueue(..., rearm=False)``); raise
        ``XeroBlocked`` when the record lacks what it needs. By default none."""
        return self.env["xero.job"]

    def _xero_job_refused(self, job, messages):
        """Xero refused ``job``'s element with ``messages`` (its validation errors, joined): the message the
        blocked job shows, or None for the connector's default (the record's name and Xero's words)."""
        return None

    def _xero_job_batch_conflict(self, job):
        """A value that two jobs of one call may not share (Xero refuses a second new contact of the same name
        in one call); the second goes in the next call. None: no conflict."""
        return None

    def _xero_job_revision(self):
        """The record's count of changes meant for Xero. A job whose element was built at a lower count than
        the record's when Xero answers is followed by :meth:`_xero_resend`. By default 0 (not counted)."""
        return 0

    def _xero_resend(self, job):
        """The record changed after ``job``'s element was built (while it was on its way): send the change
        too (usually: queue an update). By default nothing."""

    def _xero_job_call(self, job, element, client, idempotency_key):
        """Send ``job``, whose ``resource`` is one Xero record's own endpoint (``"Payments/<id>"``), with ``client``:
        the ``ElementResult`` of the call. By default the element is written there as JSON (``write_one``); a file
        (``client.upload``), a read (``client.read_one``) or an action (``client.action``) override this."""
        return client.write_one(job.resource, element, method=job.method, idempotency_key=idempotency_key)

    @api.model
    def _xero_deep_link(self, resource, xero_id, operation=None):
        """The web address in Xero of the document ``xero_id`` of ``resource`` (a collection of
        ``xero/resources.py``), or False; with the job's ``operation``, the page the registry gives that kind of
        document (a bill's is not a sales invoice's). Override for documents whose page differs from both."""
        return resources.deep_link(resource, xero_id, operation=operation) or False

    # ------------------------------------------------------------------------------------------
    # For the handlers
    # ------------------------------------------------------------------------------------------
    def _xero_write(self, vals):
        """Write the connector's own fields (Xero ids, numbers, statuses, amounts mirrored from Xero) through the
        model's own ``write``, as the connector: superuser, without sending the change back to Xero
        (``xero_no_update``) or tracking it in the chatter, and, on journal entries, without the line
        synchronisation, the balance check and the "manually modified" mark (what they guard — lines,
        amounts, partners — is not written here, and they cost dozens of queries per invoice in a bulk
        export). Every other guarantee of the models' ``write`` (hash and lock-date checks, other modules'
        overrides) holds."""
        return self.sudo().with_context(
            xero_no_update=True, tracking_disable=True, skip_invoice_sync=True, check_move_validity=False,
            skip_is_manually_modified=True,
        ).write(vals)
