"""account.move: vendor bills (→ Xero ACCPAY invoices) and vendor refunds (→ ACCPAYCREDIT credit notes).

Operations ``bill`` and ``supplier_credit_note`` (``xero/resources.py``). What they share with sales invoices — the
export actions, the confirmation on re-export, updates while Xero allows them, the void on cancel, the status and
payments back from Xero — is ``account_move.py`` and the document mixin's; here is only what differs:

- the element: the supplier's contact, lines with the **purchase** mapping (``_xero_line_items(..., purchase=True)``),
  ``InvoiceNumber`` = the vendor's reference (``ref``: Xero shows it as the bill's *Reference* and does not require it
  unique for bills; the spec: "ACCREC – Unique…", ``Reference``: "ACCREC only"), the ``Url`` back to Odoo;
- the look-up after a lost answer: Xero has no unique key of ours on a bill (``Reference`` is ignored on ACCPAY,
  the vendor's number need not be unique) and documents no ``where`` filter on ``Url``; so a narrow read — the
  supplier's bills (``ContactIDs``, ``Type=="ACCPAY"``) changed since the job was queued (``If-Modified-Since``) —
  matched on the ``Url`` that names this very Odoo bill. Credit notes have no ``Url`` (spec: CreditNote): the
  supplier's ACCPAYCREDIT credit notes changed since the job was queued, matched on number, date and total, and
  not already linked to another Odoo move.
"""
from datetime import timedelta

from odoo import api, models

from ..exceptions import XeroBlocked
from ..xero import parse_xero_date

BILL_OPERATIONS = ("bill", "supplier_credit_note")
# Xero's clock and ours may differ a little: the look-up reads from a minute before the job was queued.
CLOCK_MARGIN = timedelta(minutes=1)
# Suppliers per look-up call, under Xero's 2 KB query string (XERO.md, Reading): 40 GUIDs in ``ContactIDs``; a
# ``where`` of ``Contact.ContactID==Guid("…")`` terms takes about 80 encoded characters each.
CONTACTS_PER_CALL = {"Invoices": 40, "CreditNotes": 10}


class AccountMove(models.Model):
    _inherit = "account.move"

    def _xero_bill_lines(self):
        return [
            {"name": line.name, "quantity": line.quantity, "price_unit": line.price_unit,
             "discount": line.discount, "taxes": line.tax_ids, "product": line.product_id}
            for line in self.invoice_line_ids if line.display_type == "product"
        ]

    def _xero_bill_payload(self, job):
        """The Xero element of a vendor bill (ACCPAY invoice) or vendor refund (ACCPAYCREDIT credit note)."""
        self.ensure_one()
        if self.state != "posted" or self.move_type not in ("in_invoice", "in_refund"):
            raise XeroBlocked(self.env._("%s is not a posted vendor bill or refund: only those go to Xero as bills.",
                                         self.display_name))
        supplier = self._xero_customer().with_company(job.company_id)
        if not supplier.xero_contact_id:
            raise XeroBlocked(self.env._("%(doc)s: the supplier %(partner)s is not in Xero yet.", doc=self.display_name,
                                         partner=supplier.display_name))
        contact_id = supplier.xero_contact_id
        items, amount_types = self._xero_line_items(job, self._xero_bill_lines(), purchase=True)
        update = job.method == "POST" and not job.force_new
        if update:
            self._xero_check_ours(job.operation, self.xero_invoice_id)
        payload = {
            "Contact": {"ContactID": contact_id},
            "Date": self._xero_date(self.invoice_date or self.date),
            "LineAmountTypes": amount_types,
            "LineItems": items,
            "CurrencyCode": self.currency_id.name,
        }
        vendor_ref = (self.ref or "").strip()
        if job.operation == "supplier_credit_note":
            payload["Type"] = "ACCPAYCREDIT"
            if vendor_ref:
                payload["CreditNoteNumber"] = vendor_ref
            if update:
                payload["CreditNoteID"] = self.xero_invoice_id
        else:
            payload.update(Type="ACCPAY", Url=self._xero_odoo_url(),
                           DueDate=self._xero_date(self.invoice_date_due or self.invoice_date or self.date))
            if vendor_ref:
                payload["InvoiceNumber"] = vendor_ref
            if update:
                payload["InvoiceID"] = self.xero_invoice_id
        if not update:
            payload["Status"] = job.company_id.xero_invoice_status
        return payload

    # ------------------------------------------------------------------------------------------
    # Look-up after a lost answer
    # ------------------------------------------------------------------------------------------
    def _xero_bill_lookup(self, job, client):
        """The bill or supplier credit note an attempt with an unknown outcome may have created, or None."""
        if job.method == "POST" and not job.force_new:
            return None  # updating twice is harmless
        return self._xero_bills_lookup(job, {job.id: self}, client).get(job.id)

    @api.model
    def _xero_bills_lookup(self, jobs, records, client):
        """``{job id: Xero's document or None}`` for bill and supplier credit note jobs (creations) whose outcome
        is unknown: one read per 40 suppliers and kind, of what changed since the oldest job was queued."""
        jobs = jobs.filtered(lambda j: j.operation in BILL_OPERATIONS and (j.method == "PUT" or j.force_new))
        found = {}
        for operation, collection, kind in (("bill", "Invoices", "ACCPAY"),
                                            ("supplier_credit_note", "CreditNotes", "ACCPAYCREDIT")):
            group = jobs.filtered(lambda j, op=operation: j.operation == op)
            if not group:
                continue
            by_contact = {}
            for job in group:
                contact_id = records[job.id]._xero_customer().with_company(job.company_id).xero_contact_id
                found[job.id] = None
                if contact_id:
                    by_contact.setdefault(contact_id.lower(), []).append(job)
            since = min(group.mapped("create_date")) - CLOCK_MARGIN
            contacts = list(by_contact)
            size = CONTACTS_PER_CALL[collection]
            for start in range(0, len(contacts), size):
                chunk = contacts[start:start + size]
                if collection == "Invoices":
                    read = client.iter_records(collection, contact_ids=chunk, where=f'Type=="{kind}"',
                                               if_modified_since=since)
                else:  # no ContactIDs filter on credit notes (spec): a where on the contact
                    contacts_where = " OR ".join(f'Contact.ContactID==Guid("{c}")' for c in chunk)
                    read = client.iter_records(collection, if_modified_since=since,
                                               where=f'Type=="{kind}" AND ({contacts_where})')
                candidates = [r for r in read if r.get("Status") not in ("DELETED", "VOIDED")
                              and r.get("Type", kind) == kind]
                for job in [j for c in chunk for j in by_contact[c]]:
                    found[job.id] = records[job.id]._xero_match_bill(job, candidates)
        return found

    def _xero_match_bill(self, job, candidates):
        """Among the supplier's recent documents of the job's kind, the one this move's lost attempt created."""
        self.ensure_one()
        id_field = "InvoiceID" if job.operation == "bill" else "CreditNoteID"
        # Documents other Odoo moves are linked to are theirs (and an explicit duplicate's original is ours).
        taken = set(self.sudo().search([
            ("company_id", "=", job.company_id.id), ("xero_invoice_id", "in", [c.get(id_field) for c in candidates]),
        ]).mapped(lambda m: (m.xero_invoice_id or "").lower()))
        if job.operation == "bill":
            path = f"/odoo/{self._name}/{self.id}"
            for record in candidates:
                if (record.get("Url") or "").endswith(path) and str(record.get(id_field)).lower() not in taken:
                    return record
            return None
        number, total = (self.ref or "").strip(), self.amount_total
        date = self._xero_date(self.invoice_date or self.date)
        for record in candidates:
            if str(record.get(id_field)).lower() in taken:
                continue
            same_number = (record.get("CreditNoteNumber") or "") == number
            same_total = self.currency_id.is_zero(float(record.get("Total") or 0.0) - total)
            same_date = (record.get("DateString") or "")[:10] == date or self._xero_xero_day(record) == date
            if same_number and same_total and same_date:
                return record
        return None

    @staticmethod
    def _xero_xero_day(record):
        """The day of a Xero document's ``Date`` (``/Date(ms+0000)/``) as YYYY-MM-DD, or None."""
        value = parse_xero_date(record.get("Date")) if record.get("Date") else None
        return value.date().isoformat() if value else None
