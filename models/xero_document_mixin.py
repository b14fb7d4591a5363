from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import float_is_zero

from .xero_job import XeroBlocked

# Xero statuses in which a document may still be edited through the API.
EDITABLE = {
    "Invoices": ("DRAFT", "SUBMITTED", "AUTHORISED"),
    "CreditNotes": ("DRAFT", "SUBMITTED", "AUTHORISED"),
    "Quotes": ("DRAFT", "SENT"),
}


class XeroDocumentMixin(models.AbstractModel):
    """What sale.order and account.move share to become Xero documents: customer, lines, mapping, links."""

    _name = "xero.document.mixin"
    _description = "Xero Document Export"

    # ------------------------------------------------------------------------------------------
    # To be provided by the document models
    # ------------------------------------------------------------------------------------------
    def _xero_customer(self):
        """The partner that is the Xero contact of the document."""
        raise NotImplementedError

    def _xero_exported(self, operation):
        """(xero id, xero status) of the document already created in Xero for ``operation``."""
        raise NotImplementedError

    # ------------------------------------------------------------------------------------------
    # Shared helpers
    # ------------------------------------------------------------------------------------------
    def _xero_check_user(self):
        if not self.env.user.has_group("xero_connector.group_xero_user"):
            raise AccessError(_("Only Xero users can export to Xero."))

    def _xero_customer_contact_id(self, job):
        partner = self._xero_customer().with_company(job.company_id)
        if not partner.xero_contact_id:
            raise XeroBlocked(_("%(doc)s: the customer %(partner)s is not in Xero yet.", doc=self.display_name,
                                partner=partner.display_name))
        return partner.xero_contact_id

    def _xero_customer_dependencies(self, job):
        """The customer's contact job when the customer is not in Xero yet."""
        partner = self._xero_customer()
        if not partner:
            raise XeroBlocked(_("%s has no customer.", self.display_name))
        if partner.with_company(job.company_id).xero_contact_id:
            return self.env["xero.job"]
        return self.env["xero.job"]._xero_enqueue(partner, "contact", company=job.company_id)

    def _xero_mapping(self, job):
        company = job.company_id
        if not company.xero_sales_account_code:
            raise XeroBlocked(_(
                "%(doc)s: no Xero sales account code is set for %(company)s. Set the default sales account "
                "code in Settings → Xero, then retry.", doc=self.display_name, company=company.name))
        return company.xero_sales_account_code, company.xero_tax_type

    def _xero_line_items(self, job, lines):
        """Xero LineItems and LineAmountTypes from ``lines``: dicts of name, quantity, price_unit,
        discount, taxes (account.tax). Raises XeroBlocked when the mapping is missing."""
        account_code, tax_type = self._xero_mapping(job)
        taxes = self.env["account.tax"].union(*[line["taxes"] for line in lines]) if lines else \
            self.env["account.tax"]
        if not taxes:
            amount_types = "NoTax"
        else:
            included = set(taxes.mapped("price_include"))
            if len(included) > 1:
                raise XeroBlocked(_(
                    "%s mixes tax-included and tax-excluded prices: Xero needs one or the other per document.",
                    self.display_name))
            amount_types = "Inclusive" if included.pop() else "Exclusive"
            if not tax_type:
                raise XeroBlocked(_(
                    "%(doc)s: no default Xero tax type is set for %(company)s. Set it in Settings → Xero, then "
                    "retry.", doc=self.display_name, company=job.company_id.name))
        items = []
        for line in lines:
            item = {
                "Description": (line["name"] or "").strip() or "-",
                "Quantity": line["quantity"],
                "UnitAmount": line["price_unit"],
                "AccountCode": account_code,
            }
            if amount_types != "NoTax":
                item["TaxType"] = tax_type if line["taxes"] else "NONE"
            if line.get("discount") and not float_is_zero(line["discount"], precision_digits=4):
                item["DiscountRate"] = line["discount"]
            items.append(item)
        if not items:
            raise XeroBlocked(_("%s has no lines to send to Xero.", self.display_name))
        return items, amount_types

    def _xero_odoo_url(self):
        base = self.get_base_url().rstrip("/")
        return f"{base}/odoo/{self._name}/{self.id}"

    @staticmethod
    def _xero_date(value):
        return fields.Date.to_string(fields.Date.to_date(value)) if value else None

    def _xero_post_done(self, job, label, number, status):
        link = job._xero_deep_link(job.resource, job.xero_id)
        verb = _("updated in Xero") if job.method == "POST" else _("sent to Xero")
        body = Markup("{label} <a href='{link}' target='_blank'>{number}</a> {verb} ({status}).").format(
            label=label, link=link or "#", number=number or job.xero_id, verb=verb, status=status or "")
        # A log note (no followers to notify): a handful of queries, where message_post costs dozens.
        self._message_log(body=body)

    # ------------------------------------------------------------------------------------------
    # Export actions
    # ------------------------------------------------------------------------------------------
    def _xero_action_export(self, operation):
        """Manual export: already exported → the confirmation wizard (nothing is sent); one record →
        queued and sent at once, with the outcome; several → queued, with the count."""
        self._xero_check_user()
        records = self.filtered(lambda r: r._xero_exportable(operation))
        exported = records.filtered(lambda r: r._xero_exported(operation)[0])
        if len(self) == 1 and exported:
            return self.env["xero.export.wizard"]._xero_open(self, operation)
        fresh = records - exported
        if len(self) == 1 and not fresh:
            raise UserError(self._xero_not_exportable_reason(operation))
        for company in fresh.company_id:
            if not company._xero_connection() or company._xero_connection().state not in ("connected", "reconnect"):
                raise UserError(_("%s is not connected to Xero: connect it in Settings → Xero first.", company.name))
        jobs = self.env["xero.job"].browse()
        for record in fresh:
            jobs |= self.env["xero.job"]._xero_enqueue(record, operation)
        if len(self) == 1:
            return self._xero_send_now(jobs)
        skipped = len(self) - len(fresh)
        message = _("%s record(s) queued for Xero; follow them in Xero → Sync Log.", len(fresh))
        if skipped:
            message += " " + _("%s were skipped: already in Xero or not exportable (open them one by one).", skipped)
        return self._xero_notification(message, "info")

    def _xero_exportable(self, operation):
        return True

    def _xero_not_exportable_reason(self, operation):
        return _("%s cannot be exported to Xero.", self.display_name)

    def _xero_send_now(self, jobs):
        """Send the jobs at once (a user waits) and report what happened."""
        self.env["xero.job"]._xero_send(jobs=jobs)
        job = jobs[-1:]
        job.invalidate_recordset()
        if job.state == "done":
            return self._xero_notification(
                _("%(record)s is in Xero: %(number)s.", record=job.record_name, number=job.xero_number or job.xero_id),
                "success", link=job.xero_url)
        if job.state == "blocked":
            return self._xero_notification(job.error, "danger", sticky=True)
        return self._xero_notification(
            _("%(record)s is queued for Xero and will be sent shortly. %(error)s", record=job.record_name,
              error=job.error or ""), "warning")

    @api.model
    def _xero_notification(self, message, kind, sticky=False, link=None):
        params = {"type": kind, "message": message, "sticky": sticky,
                  "next": {"type": "ir.actions.client", "tag": "soft_reload"}}
        if link:
            params["links"] = [{"label": _("Open in Xero"), "url": link}]
            params["message"] = message + " %s"
        return {"type": "ir.actions.client", "tag": "display_notification", "params": params}

    def _xero_queue_update(self, operation, resource):
        """A change after export: queue an update while Xero allows it, else say why in the chatter."""
        for record in self:
            xero_id, status = record._xero_exported(operation)
            if not xero_id:
                continue
            if status in EDITABLE[resource]:
                self.env["xero.job"]._xero_enqueue(record, operation, method="POST")
            else:
                record.message_post(body=_(
                    "This change was not sent to Xero: the document there is %s and can no longer be edited.",
                    status or _("in an unknown state")), message_type="notification",
                    subtype_xmlid="mail.mt_note")
