"""``xero.payment`` as an outbox handler (see models/xero_job.py): what each of its Xero writes waits for, its
payload, the write-back of Xero's answer and the look-up after a lost answer.

Operations: ``invoice`` / ``credit_note`` (a payment with no Odoo document, a refund), ``payment`` (on the
clearing bank account; a refund's on its credit note), ``payment_reversal``, ``bank_transaction`` (fees),
``bank_transfer`` (payouts). What is sent to Xero and searched for later (References) is built from stable,
untranslated text; descriptions and messages are in the user's language.
"""
from odoo import fields, models

from ..exceptions import XeroBlocked
from ..xero import LINE_DESCRIPTION_MAX, account_ref
from .xero_payment import PROVIDER_LABELS


class XeroPayment(models.Model):
    _inherit = "xero.payment"

    def _xero_contact_dependencies(self, job):
        partner = self.partner_id.commercial_partner_id
        if not partner:
            raise XeroBlocked(self.env._("%s has no customer.", self.name))
        if partner.with_company(job.company_id).xero_contact_id:
            return self.env["xero.job"]
        return self.env["xero.job"]._xero_enqueue(partner, "contact", method="POST", company=job.company_id,
                                                  rearm=False)

    def _xero_job_dependencies(self, job):
        Job = self.env["xero.job"]
        if job.operation in ("invoice", "credit_note"):
            return self._xero_contact_dependencies(job)
        if job.operation == "payment":
            if self.kind == "refund":
                if self.xero_credit_note_id:
                    return Job
                return Job._xero_enqueue(self, "credit_note", company=job.company_id, rearm=False)
            document = self._xero_document()
            if document:
                if document.xero_invoice_id:
                    return Job
                operation = "invoice" if document._name == "sale.order" else document._xero_operation()
                return Job._xero_enqueue(document, operation, company=job.company_id, rearm=False)
            if self.xero_invoice_id:
                return Job
            return Job._xero_enqueue(self, "invoice", company=job.company_id, rearm=False)
        if job.operation == "bank_transaction" and self.kind != "fee" and not self.xero_payment_id:
            # A payment's fee goes once the payment is in Xero: booked while the payment waits (or is blocked, its
            # data too large for Xero, say), it would leave the clearing account a fee short until then.
            return Job._xero_open_jobs_of(self, "payment", job.company_id)
        if job.operation == "payment_reversal":
            # A payment job still open (sending when the reversal came) goes first.
            return Job.search([("res_model", "=", self._name), ("res_id", "=", self.id),
                               ("operation", "=", "payment"), ("state", "in", ("pending", "sending", "retry"))])
        return Job

    # References: what the look-up after a lost answer searches Xero by. Stable, untranslated text: the user's
    # language must change neither what is sent nor what is found.
    def _xero_reference(self):
        label = PROVIDER_LABELS[self.provider]
        if self.kind == "refund":  # one charge may be refunded several times: each credit note its own
            of = f" of {self.charge_ref}" if self.charge_ref and self.charge_ref != self.key else ""
            return f"{label} refund {self.key}{of}"
        what = "payout " if self.kind == "payout" else ""
        return f"{label} {what}{self.charge_ref or self.key}"

    def _xero_invoice_reference(self):
        """The Reference of the invoice made for a payment: a subscription's period is named after it (the
        look-up searches by what comes before)."""
        if self.period_start and self.period_end:
            return f"{self._xero_reference()} period {self.period_start} – {self.period_end}"
        return self._xero_reference()

    def _xero_fee_reference(self):
        return f"{PROVIDER_LABELS[self.provider]} fee {self.key if self.kind == 'fee' else self.charge_ref or self.key}"

    def _xero_contact_id(self, job):
        partner = self.partner_id.commercial_partner_id.with_company(job.company_id)
        if not partner.xero_contact_id:
            raise XeroBlocked(self.env._("%(name)s: the customer %(partner)s is not in Xero yet.", name=self.name,
                                         partner=partner.display_name))
        return partner.xero_contact_id

    def _xero_tax(self, job):
        """``(LineAmountTypes, TaxType)`` of the invoice or credit note created for this payment. Its amounts
        are what the customer paid: with a tax rate chosen for payments, they are tax-inclusive; without one,
        a payment the provider charged tax on is not sent as untaxed sales (the user chooses first)."""
        tax_type = job.company_id.xero_payment_tax_type
        if tax_type:
            return "Inclusive", tax_type
        charged = self.tax_amount or self.origin_id.tax_amount
        if charged:
            raise XeroBlocked(self.env._(
                "%(name)s: %(provider)s charged %(tax)s %(currency)s of tax on it, and %(company)s has no tax rate "
                "for the invoices created for payments. Choose it in Settings → Xero → Payments (“Tax of created "
                "invoices”), then retry.", name=self.name, provider=PROVIDER_LABELS[self.provider],
                tax=f"{charged:.{self._xero_decimals()}f}", currency=self.currency_code,
                company=job.company_id.name))
        return "NoTax", None

    def _xero_line_items(self, job, tax_type=None):
        account = job.company_id.xero_sales_account_code
        if not account:
            raise XeroBlocked(self.env._(
                "%(name)s: no Xero sales account code is set for %(company)s. Set it in Settings → Xero, then "
                "retry.", name=self.name, company=job.company_id.name))
        if self.kind == "payment" and self.lines:
            items = [{"Description": (line.get("description") or "-")[:LINE_DESCRIPTION_MAX],
                      "Quantity": line.get("quantity") or 1, "UnitAmount": line.get("unit_amount"),
                      "AccountCode": account} for line in self.lines]
        else:
            if self.kind == "refund":
                description = self.env._("Refund of %s", self.origin_id.name if self.origin_id else self.charge_ref)
            else:
                description = self.description or self.env._("Payment %s", self.charge_ref or self.key)
            items = [{"Description": description, "Quantity": 1, "UnitAmount": self.amount, "AccountCode": account}]
        if tax_type:
            for item in items:
                item["TaxType"] = tax_type
        return items

    def _xero_clearing_account(self):
        if not self.clearing_account_id:
            raise XeroBlocked(self.env._("%s: the clearing bank account in Xero is not known yet.", self.name))
        return {"AccountID": self.clearing_account_id}

    def _xero_job_payload(self, job):
        self.ensure_one()
        date = fields.Date.to_string(self.date or fields.Date.context_today(self))
        if job.operation in ("invoice", "credit_note"):
            amount_types, tax_type = self._xero_tax(job)
            payload = {
                "Type": "ACCREC" if job.operation == "invoice" else "ACCRECCREDIT",
                "Contact": {"ContactID": self._xero_contact_id(job)},
                "Date": date,
                "LineAmountTypes": amount_types,
                "LineItems": self._xero_line_items(job, tax_type),
                "Status": "AUTHORISED",
                "CurrencyCode": self.currency_code,
                "Reference": self._xero_invoice_reference() if job.operation == "invoice" else self._xero_reference(),
            }
            if job.operation == "invoice":
                payload["DueDate"] = date
            return payload
        if job.operation == "payment":
            payload = {"Account": self._xero_clearing_account(), "Date": date, "Amount": self.amount,
                       "Reference": self.charge_ref or self.key}
            if self.kind == "refund":
                if not self.xero_credit_note_id:
                    raise XeroBlocked(self.env._("%s: its credit note is not in Xero yet.", self.name))
                payload["CreditNote"] = {"CreditNoteID": self.xero_credit_note_id}
                return payload
            document = self._xero_document()
            invoice_id = document.xero_invoice_id if document else self.xero_invoice_id
            if not invoice_id:
                raise XeroBlocked(self.env._("%s: its invoice is not in Xero yet.", self.name))
            payload["Invoice"] = {"InvoiceID": invoice_id}
            if self.xero_currency_rate:
                payload["CurrencyRate"] = self.xero_currency_rate
            return payload
        if job.operation == "payment_reversal":
            if not self.reversed:
                raise XeroBlocked(self.env._("%s: the money is back; nothing to reverse.", self.name))
            if job.resource != f"Payments/{self.xero_payment_id}":
                raise XeroBlocked(self.env._("%s: the payment to remove from Xero is not known.", self.name))
            return {"Status": "DELETED"}
        if job.operation == "bank_transfer":
            return {"FromBankAccount": self._xero_clearing_account(),
                    "ToBankAccount": account_ref(self.payout_account_code), "Amount": self.amount, "Date": date,
                    "Reference": self._xero_reference()}
        if job.operation == "bank_transaction":
            fees_account = job.company_id.xero_payment_fee_account_code
            if not fees_account:
                raise XeroBlocked(self.env._(
                    "%(name)s: no fees account is set for %(company)s: set the payment fees account code in "
                    "Settings → Xero, then retry.", name=self.name, company=job.company_id.name))
            label = PROVIDER_LABELS[self.provider]
            description = self.env._("%(provider)s fee for %(ref)s", provider=label, ref=self.charge_ref or self.key)
            if self.kind == "fee":
                description = self.env._("%(what)s for %(ref)s", what=self.description or description,
                                         ref=self.charge_ref)
            return {
                "Type": "RECEIVE" if self.fee_amount < 0 else "SPEND",  # < 0: the provider gave the fee back
                "Contact": {"Name": label},
                "BankAccount": self._xero_clearing_account(),
                "Date": date,
                "LineAmountTypes": "NoTax",
                "LineItems": [{"Description": description, "Quantity": 1, "UnitAmount": abs(self.fee_amount),
                               "AccountCode": fees_account}],
                "CurrencyCode": self.fee_currency_code or self.currency_code,
                "Reference": self._xero_fee_reference(),
            }
        raise XeroBlocked(self.env._("%(name)s: nothing to send as %(operation)s.", name=self.name,
                                     operation=job.operation))

    def _xero_job_done(self, job, result):
        data = result.data or {}
        if job.operation == "invoice":
            self.write({"xero_invoice_id": data.get("InvoiceID"), "xero_invoice_number": data.get("InvoiceNumber")})
        elif job.operation == "credit_note":
            self.write({"xero_credit_note_id": data.get("CreditNoteID"),
                        "xero_credit_note_number": data.get("CreditNoteNumber")})
        elif job.operation == "payment":
            self.write({"xero_payment_id": data.get("PaymentID")})
            # Xero's answer embeds the invoice as the payment left it (new Status, AmountDue, AmountPaid): the
            # Odoo document shows it now, as the INVOICE webhook would a moment later.
            document, invoice = self._xero_document(), data.get("Invoice") or {}
            if document and "xero_invoice_status" in document._fields and invoice.get("InvoiceID") \
                    and invoice.get("Status"):
                self.env[document._name]._xero_apply_status(job.connection_id, [invoice], "InvoiceID")
        elif job.operation == "payment_reversal":
            # The invoice's own status comes back with Xero's INVOICE webhook, as for any change made in Xero.
            self.write({"xero_payment_id": False, "reversed_xero_payment_id": data.get("PaymentID")})
            if not self.reversed:  # the money came back while the reversal was on its way: pay again
                self._xero_queue()
        elif job.operation == "bank_transaction":
            self.write({"xero_fee_transaction_id": data.get("BankTransactionID")})
        elif job.operation == "bank_transfer":
            self.write({"xero_transfer_id": data.get("BankTransferID")})

    def _xero_job_lookup(self, job, client):
        """What an attempt with an unknown outcome may have created, by our Reference."""
        self.ensure_one()
        if job.operation == "payment_reversal":
            found = (client.get(job.resource).get("Payments") or [None])[0]
            return found if found and found.get("Status") == "DELETED" else None
        if job.operation == "payment":
            target = ("CreditNote", "CreditNoteID", self.xero_credit_note_id) if self.kind == "refund" else \
                ("Invoice", "InvoiceID", (self._xero_document() or self).xero_invoice_id)
            ref = self.charge_ref or self.key
            for pay in client.iter_records("Payments", where=f'Reference=="{ref}"' if '"' not in ref else None):
                if pay.get("Status") != "DELETED" and (pay.get(target[0]) or {}).get(target[1]) == target[2]:
                    return pay
            return None
        resource, reference = {
            "invoice": ("Invoices", self._xero_reference()),
            "credit_note": ("CreditNotes", self._xero_reference()),
            "bank_transaction": ("BankTransactions", self._xero_fee_reference()),
            "bank_transfer": ("BankTransfers", self._xero_reference()),
        }[job.operation]
        if '"' in reference:
            return None
        # (the library pages only what Xero pages: bank transfers come whole)
        for record in client.iter_records(resource, where=f'Reference.StartsWith("{reference}")'):
            if record.get("Status") not in ("DELETED", "VOIDED"):
                return record
        return None
