from odoo import models

from ..exceptions import XeroBlocked
from .xero_document_mixin import EDITABLE, VOID_OPERATIONS, VOIDS


class XeroDocumentLifecycle(models.AbstractModel):
    """A Xero document after its first export: updates while Xero allows them, the void when the record is
    cancelled in Odoo (and what happens when it comes back), and the check that the document touched is the
    one the connector created for the record."""

    _inherit = "xero.document.mixin"

    def _xero_check_ours(self, operation, xero_id):
        """Before a void or an update touches ``xero_id``: the connector created it for this very record (a job
        of ``operation`` for it ended with that id). An id from anywhere else (a stale copy, another customer's
        document) is never sent to Xero."""
        if not xero_id:
            raise XeroBlocked(self.env._("%s is not in Xero: there is nothing to change there.", self.display_name))
        found = self.env["xero.job"].sudo().search_count([
            ("res_model", "=", self._name), ("res_id", "=", self.id), ("operation", "=", operation),
            ("state", "=", "done"), ("xero_id", "=ilike", xero_id)], limit=1)
        if not found:
            raise XeroBlocked(self.env._(
                "%(record)s names the Xero document %(id)s, which the connector did not create for it: nothing was "
                "sent to Xero. Export it again as a new document if it should be in Xero.",
                record=self.display_name, id=xero_id))

    # ------------------------------------------------------------------------------------------
    # Cancelled in Odoo: void (approved) or delete (draft, quotes) in Xero
    # ------------------------------------------------------------------------------------------
    def _xero_cancelled(self, operations):
        """Cancelled in Odoo: its exports under way stop, and what Xero has of it is voided (an approved
        invoice or credit note) or deleted (a draft, a quote). Xero refuses to void a paid document: the job
        is then blocked with Xero's reason (remove the payments in Xero, then retry)."""
        Job = self.env["xero.job"].sudo()
        for record in self:
            Job.search([("res_model", "=", record._name), ("res_id", "=", record.id),
                        ("operation", "in", list(operations)), ("state", "in", ("pending", "retry", "blocked"))]).write({
                "state": "cancelled", "next_try": False,
                "error": self.env._("%s was cancelled in Odoo: not sent.", record.display_name)})
            for operation in operations:
                xero_id, status = record._xero_exported(operation)
                if xero_id and status not in ("VOIDED", "DELETED"):
                    Job._xero_enqueue(record, VOIDS[operation][0], method="POST", company=record.company_id)

    def _xero_uncancelled(self, operations):
        """Back from cancelled (reset to draft, posted or confirmed again) before its void was sent: the
        void is not sent (it would void the live document). One already under way ends in
        ``_xero_void_done``, which then queues a new document."""
        voids = [VOIDS[operation][0] for operation in operations]
        self.env["xero.job"].sudo().search([
            ("res_model", "=", self._name), ("res_id", "in", self.ids), ("operation", "in", voids),
            ("state", "in", ("pending", "retry", "blocked"))]).write({
                "state": "cancelled", "next_try": False, "error": self.env._("Not sent: no longer cancelled in Odoo.")})

    def _xero_revive(self, operation):
        """Voided in Xero while no longer cancelled in Odoo: a new Xero document."""
        self._message_log(body=self.env._("No longer cancelled in Odoo, but voided in Xero: a new Xero document is queued."))
        self.env["xero.job"]._xero_enqueue(self, operation, force_new=True)

    def _xero_void_payload(self, job):
        """xero.outbox.record: the void (approved) or delete (draft, quote) of the record's Xero document."""
        exported = VOID_OPERATIONS[job.operation]
        xero_id, status = self._xero_exported(exported)
        if not xero_id:
            raise XeroBlocked(self.env._("%s is not in Xero: nothing to void.", self.display_name))
        if status in ("VOIDED", "DELETED"):
            raise XeroBlocked(self.env._("%(record)s is already %(status)s in Xero.", record=self.display_name,
                                         status=status.lower()))
        self._xero_check_ours(exported, xero_id)
        payload = {VOIDS[exported][1]: xero_id,
                   "Status": "DELETED" if exported == "quote" or status in ("DRAFT", "SUBMITTED") else "VOIDED"}
        if exported == "quote":  # Xero asks a quote's contact and date on every update
            payload.update(Contact={"ContactID": self._xero_customer_contact_id(job)},
                           Date=self._xero_date(self._xero_local_date(self.date_order)))
        return payload

    def _xero_job_refused(self, job, messages):
        """What to tell when Xero refuses ``job`` (None: Xero's own words are enough)."""
        if job.operation == "void_quote":
            return self.env._(
                "%(record)s was cancelled in Odoo, but Xero did not delete its quote %(number)s: %(messages)s. Xero "
                "no longer deletes a quote once it is invoiced there (or, for some statuses, accepted). Nothing else "
                "changed: the order stays cancelled in Odoo and the quote stays in Xero; delete or decline it in "
                "Xero if it should go, then cancel this line of the Sync Log.",
                record=self.display_name, number=self.xero_quote_number or self.xero_quote_id, messages=messages)
        return None

    def _xero_void_done(self, job, result):
        status = (result.data or {}).get("Status")
        field = "xero_quote_status" if job.operation == "void_quote" else "xero_invoice_status"
        vals = {field: status}
        if field == "xero_invoice_status":
            vals["xero_amount_due"] = 0.0
        self._xero_write(vals)
        self._message_log(body=self.env._("Cancelled in Odoo: %(status)s in Xero.", status=(status or "").lower()))
        if self._xero_revivable():  # posted or confirmed again while the void was on its way
            self._xero_revive(VOID_OPERATIONS[job.operation])

    def _xero_revivable(self):
        """Live again in Odoo (a void that ends now calls for a new Xero document)."""
        return self.state != "cancel"

    def _xero_done_while_cancelled(self, operation):
        """Its document reached Xero after it was cancelled in Odoo (the cancel found nothing to void then):
        voided now."""
        if self.state == "cancel":
            self._xero_cancelled([operation])

    def _xero_void_lookup(self, job, client):
        """An attempt with an unknown outcome: the document as Xero has it, when it is voided/deleted."""
        exported = VOID_OPERATIONS[job.operation]
        xero_id = self._xero_exported(exported)[0]
        record = (client.get(f"{job.resource}/{xero_id}").get(job.resource) or [None])[0]
        return record if record and record.get("Status") in ("VOIDED", "DELETED") else None

    def _xero_bump_revision(self):
        """A change meant for Xero: counted (in SQL, without the models' write side effects) on the records
        with a job open (queued or being sent). Without one, the next job's payload is built after the
        change anyway: nothing to count (and posting a thousand invoices writes nothing more)."""
        self.env["xero.job"]._xero_bump_revisions(self)

    def _xero_resend(self, job):
        """Changed after ``job``'s payload was built (while it was on its way): send the change too."""
        self._xero_queue_update(job.operation, job.resource)

    def _xero_queue_update(self, operation, resource):
        """A change after export: queue an update while Xero allows it, else say why in the chatter."""
        for record in self:
            xero_id, status = record._xero_exported(operation)
            if not xero_id:
                continue
            if status in EDITABLE[resource]:
                self.env["xero.job"]._xero_enqueue(record, operation, method="POST")
            else:
                record.message_post(body=self.env._(
                    "This change was not sent to Xero: the document there is %s and can no longer be edited.",
                    status or self.env._("in an unknown state")), message_type="notification",
                    subtype_xmlid="mail.mt_note")
