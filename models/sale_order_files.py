"""sale.order: an order that went to Xero as an invoice gets Xero's online invoice link and Xero's email, as the
Odoo invoice does (``xero_document_files.py``)."""
from odoo import models

from .xero_document_files import FOLLOW_UPS


class SaleOrder(models.Model):
    _inherit = "sale.order"

    def _xero_sales_invoice_ref(self):
        if not self.xero_invoice_id:
            return False, False
        return self.xero_invoice_id, self.xero_invoice_status

    def _xero_job_payload(self, job):
        if job.operation in FOLLOW_UPS:
            return self._xero_follow_up_payload(job)
        return super()._xero_job_payload(job)

    def _xero_job_done(self, job, result):
        if job.operation in FOLLOW_UPS:
            return self._xero_follow_up_done(job, result)
        before = self.xero_invoice_id
        result = super()._xero_job_done(job, result)
        if self.xero_online_invoice_url and self.xero_invoice_id != before:  # a new Xero invoice (sent as new)
            self._xero_write({"xero_online_invoice_url": False})
        if job.operation == "invoice":
            self._xero_queue_follow_ups()
        return result

    def _xero_job_lookup(self, job, client):
        if job.operation in FOLLOW_UPS:
            return self._xero_follow_up_lookup(job, client)
        return super()._xero_job_lookup(job, client)

    def _xero_status_changed(self, record):
        result = super()._xero_status_changed(record)
        self._xero_queue_follow_ups()
        return result

    def _xero_revive(self, operation):
        if operation == "invoice":  # a new Xero invoice: the old one's online page is not this one's
            self._xero_write({"xero_online_invoice_url": False})
        return super()._xero_revive(operation)
