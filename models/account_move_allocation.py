from collections import defaultdict

from odoo import api, models

from ..exceptions import XeroAlreadyDone, XeroBlocked

ALLOCATION = "allocation"


class AccountMove(models.Model):
    """A refund reconciled in Odoo with an invoice: its Xero credit note allocated to that Xero invoice, so
    that both books agree on what the customer still owes (Xero: ``PUT CreditNotes/<id>/Allocations``)."""

    _inherit = "account.move"

    def _xero_reconciled(self, move_type):
        """{move of ``move_type``: amount in this move's currency} reconciled with this one in Odoo."""
        self.ensure_one()
        amounts = defaultdict(float)
        partials, _exchange = self._get_reconciled_invoices_partials()
        for _partial, amount, line in partials:
            if line.move_id.move_type == move_type:
                amounts[line.move_id] += amount
        return amounts

    def _xero_allocatable(self):
        """Refunds of ``self`` (or reconciled with its invoices) whose credit note can be allocated in Xero."""
        moves = self.filtered(lambda m: m.payment_state != "not_paid")  # reconciled with nothing: cheap out
        refunds = moves.filtered(lambda m: m.move_type == "out_refund")
        for invoice in moves.filtered(lambda m: m.move_type == "out_invoice" and m.xero_invoice_id):
            refunds |= self.browse([m.id for m in invoice._xero_reconciled("out_refund")])
        return refunds.filtered(lambda r: r.state == "posted" and r.xero_invoice_id
                                and r.xero_invoice_status == "AUTHORISED"
                                and any(i.xero_invoice_id and i.xero_invoice_status == "AUTHORISED"
                                        for i in r._xero_reconciled("out_invoice")))

    def _xero_queue_allocations(self):
        Job = self.env["xero.job"].sudo()
        for refund in self._xero_allocatable():
            Job._xero_enqueue(refund, ALLOCATION, company=refund.company_id,
                              resource=f"CreditNotes/{refund.xero_invoice_id}/Allocations")

    def _xero_job_payload(self, job):
        if job.operation != ALLOCATION:
            return super()._xero_job_payload(job)
        self.ensure_one()
        credit = job.connection_id._xero_client().get_by_id("CreditNotes", self.xero_invoice_id)
        if not credit:
            raise XeroBlocked(self.env._("%s: its credit note is no longer in Xero: nothing to allocate.", self.display_name))
        done = defaultdict(float)
        for allocation in credit.get("Allocations") or []:
            done[str((allocation.get("Invoice") or {}).get("InvoiceID") or "").lower()] += \
                float(allocation.get("Amount") or 0.0)
        remaining = float(credit.get("RemainingCredit") or 0.0) if credit.get("Status") == "AUTHORISED" else 0.0
        currency = self.currency_id
        for invoice, amount in self._xero_reconciled("out_invoice").items():
            if not invoice.xero_invoice_id or invoice.xero_invoice_status != "AUTHORISED":
                continue
            left = currency.round(min(amount - done[invoice.xero_invoice_id.lower()], remaining))
            if currency.compare_amounts(left, 0.0) > 0:
                return {"Allocations": [{"Invoice": {"InvoiceID": invoice.xero_invoice_id}, "Amount": left,
                                         "Date": self._xero_date(max(self.invoice_date or self.date,
                                                                     invoice.invoice_date or invoice.date))}]}
        raise XeroAlreadyDone(credit)  # allocated as Odoo has it (an earlier attempt, or someone in Xero)

    def _xero_job_done(self, job, result):
        if job.operation != ALLOCATION:
            super()._xero_job_done(job, result)
            if job.operation in ("invoice", "credit_note"):
                self._xero_queue_allocations()
            return
        data = result.data or {}
        if not data.get("AllocationID"):
            return  # nothing was left to allocate
        invoice = self.search([("xero_invoice_id", "=ilike", (data.get("Invoice") or {}).get("InvoiceID") or "-"),
                               ("company_id", "=", self.company_id.id)], limit=1)
        self._message_log(body=self.env._("Credit note allocated in Xero: %(amount)s to %(invoice)s.",
                                          amount=self.currency_id.format(float(data.get("Amount") or 0.0)),
                                          invoice=invoice.display_name or invoice.xero_invoice_number or "?"))
        if len(self._xero_reconciled("out_invoice")) > 1:
            self._xero_queue_allocations()  # reconciled with more than one invoice: the next one

    def _xero_job_lookup(self, job, client):
        if job.operation == ALLOCATION:
            return None  # the payload reads Xero's allocations first: a lost answer is never allocated twice
        return super()._xero_job_lookup(job, client)


class AccountPartialReconcile(models.Model):
    _inherit = "account.partial.reconcile"

    @api.model_create_multi
    def create(self, vals_list):
        partials = super().create(vals_list)
        moves = (partials.debit_move_id.move_id | partials.credit_move_id.move_id).filtered(
            lambda m: m.move_type in ("out_invoice", "out_refund") and m.xero_invoice_id)
        if moves:
            moves._xero_queue_allocations()
        return partials
