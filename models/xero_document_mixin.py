from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_is_zero

from ..exceptions import XeroBlocked
from ..xero import parse_xero_date, resources
from .xero_access import USER, checked
from .xero_call_scope import xero_log

# Xero statuses of a document still waiting to be paid ("Unpaid in Xero").
UNPAID = ("DRAFT", "SUBMITTED", "AUTHORISED")

# From the registry (xero/resources.py). Cancelled in Odoo → what its Xero document becomes: (job operation,
# Xero id field), and the void operations back to the operation whose document they void.
VOID_OPERATIONS = {name: op.voids for name, op in resources.OPERATIONS.items() if op.voids}
VOIDS = {exported: (name, resources.id_field(resources.operation(name).resource))
         for name, exported in VOID_OPERATIONS.items()}
# Xero statuses in which a document may still be edited through the API.
EDITABLE = {name: resource.editable for name, resource in resources.RESOURCES.items() if resource.editable}


class XeroDocumentMixin(models.AbstractModel):
    """What sale.order and account.move share to become Xero documents: customer, lines, mapping, links."""

    _name = "xero.document.mixin"
    _inherit = ["xero.guarded.fields", "xero.outbox.record"]
    _description = "Xero Document Export"

    xero_revision = fields.Integer(
        copy=False, readonly=True,
        help="Counts the changes meant for Xero; a send whose payload is older than the last one is followed by "
        "an update (a change made while the document was on its way to Xero is not lost).")

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
    def _xero_check_export_access(self):
        """What an export by hand checks first: a Xero user, allowed to change these records (Odoo's rights and
        record rules: the companies they work in, a salesperson's own orders). Returns them as superuser."""
        return checked(self, USER, self.env._("Only Xero users can export to Xero."), operation="write")

    def _xero_customer_contact_id(self, job):
        partner = self._xero_customer().with_company(job.company_id)
        if not partner.xero_contact_id:
            raise XeroBlocked(self.env._("%(doc)s: the customer %(partner)s is not in Xero yet.", doc=self.display_name,
                                         partner=partner.display_name))
        return partner.xero_contact_id

    def _xero_customer_dependencies(self, job):
        """The customer's contact job when the customer is not in Xero yet."""
        partner = self._xero_customer()
        if not partner:
            raise XeroBlocked(self.env._("%s has no customer.", self.display_name))
        if partner.with_company(job.company_id).xero_contact_id:
            return self.env["xero.job"]
        return self.env["xero.job"]._xero_enqueue(partner, "contact", company=job.company_id, rearm=False)

    # ------------------------------------------------------------------------------------------
    # Mapping: Xero's lists (accounts, tax rates, items, tracking) for each line
    # ------------------------------------------------------------------------------------------
    def _xero_line_account_code(self, job, product):
        """(account code, where it is mapped) for a line: the product's own override, its category (or
        the nearest parent category with one), else the company default. (None, None) when unmapped."""
        company = job.company_id
        if product:
            template = product.product_tmpl_id.with_company(company)
            if template.xero_sales_account_code:
                return template.xero_sales_account_code, self.env._("the product %s", product.display_name)
            category = template.categ_id.with_company(company)
            while category:
                if category.xero_sales_account_code:
                    return category.xero_sales_account_code, self.env._("the product category %s", category.display_name)
                category = category.parent_id
        if company.xero_sales_account_code:
            return company.xero_sales_account_code, self.env._("the default sales account of %s (Settings → Xero)",
                                                       company.name)
        return None, None

    def _xero_purchase_line_account_code(self, job, product):
        """(account code, where it is mapped) of a purchase line (vendor bills, purchase orders): the product's
        own purchase account, its category's (or the nearest parent's), else the company's default purchase
        account. (None, None) when unmapped."""
        company = job.company_id
        if product:
            template = product.product_tmpl_id.with_company(company)
            if template.xero_purchase_account_code:
                return template.xero_purchase_account_code, self.env._("the product %s", product.display_name)
            category = template.categ_id.with_company(company)
            while category:
                if category.xero_purchase_account_code:
                    return category.xero_purchase_account_code, self.env._("the product category %s",
                                                                           category.display_name)
                category = category.parent_id
        if company.xero_purchase_account_code:
            return company.xero_purchase_account_code, self.env._(
                "the default purchase account of %s (Settings → Xero)", company.name)
        return None, None

    def _xero_check_account(self, job, code, where, purchase=False):
        """The Xero account of ``code`` must be in the organisation's chart and active: else the job is blocked."""
        conn = job.connection_id or job.company_id._xero_connection()
        self.env["xero.connection"]._xero_ensure_lists(conn)
        account = self.env["xero.account"]._xero_find(conn, code)
        kind = self.env._("purchase account") if purchase else self.env._("sales account")
        if not account or account.status == "DELETED":
            raise XeroBlocked(self.env._(
                "%(doc)s: the Xero %(kind)s %(code)s, mapped on %(where)s, does not exist in the Xero "
                "organisation %(org)s. Map an account from Xero's list there (Refresh from Xero if it was just "
                "created), then retry.", doc=self.display_name, kind=kind, code=code, where=where,
                org=conn.tenant_name))
        if account.status != "ACTIVE":
            raise XeroBlocked(self.env._(
                "%(doc)s: the Xero %(kind)s %(account)s, mapped on %(where)s, is archived in Xero. Map an "
                "active account there (or restore it in Xero and Refresh from Xero), then retry.",
                doc=self.display_name, kind=kind, account=account.display_name, where=where))
        return account

    def _xero_line_tax_type(self, job, taxes, purchase=False):
        """The Xero tax type of a line's taxes: each tax's own mapping, else the company default (for
        ``purchase`` lines, the default purchase tax rate)."""
        company = job.company_id
        default = company.xero_purchase_tax_type if purchase else company.xero_tax_type
        found = {}
        for tax in taxes:
            if tax.xero_tax_type:
                found.setdefault(tax.xero_tax_type, self.env._("the tax %s", tax.display_name))
            elif default and purchase:
                found.setdefault(default, self.env._("the default purchase tax rate of %s (Settings → Xero)",
                                                     company.name))
            elif default:
                found.setdefault(company.xero_tax_type, self.env._("the default tax type of %s (Settings → Xero)",
                                                                   company.name))
            elif purchase:
                raise XeroBlocked(self.env._(
                    "%(doc)s: no default Xero purchase tax rate is set for %(company)s and the tax %(tax)s is not "
                    "mapped to a Xero tax type. Map it (Accounting → Configuration → Taxes → Xero Tax Rate) or set "
                    "the default purchase tax rate in Settings → Xero → Mapping, then retry.", doc=self.display_name,
                    company=company.name, tax=tax.display_name))
            else:
                raise XeroBlocked(self.env._(
                    "%(doc)s: no default Xero tax type is set for %(company)s and the tax %(tax)s is not mapped to "
                    "a Xero tax type. Map it (Accounting → Configuration → Taxes → Xero Tax Rate) or set the "
                    "default in Settings → Xero, then retry.", doc=self.display_name, company=company.name,
                    tax=tax.display_name))
        if len(found) > 1:
            raise XeroBlocked(self.env._(
                "%(doc)s: a line has taxes mapped to different Xero tax types (%(types)s): Xero takes one tax type "
                "per line. Map a combined Xero tax rate, then retry.", doc=self.display_name,
                types=", ".join(sorted(found))))
        return next(iter(found.items()))

    def _xero_check_tax_type(self, job, tax_type, where):
        conn = job.connection_id or job.company_id._xero_connection()
        self.env["xero.connection"]._xero_ensure_lists(conn)
        rate = self.env["xero.tax.rate"]._xero_find(conn, tax_type)
        if not rate:
            raise XeroBlocked(self.env._(
                "%(doc)s: the Xero tax type %(type)s, mapped on %(where)s, does not exist in the Xero organisation "
                "%(org)s. Map a tax rate from Xero's list there, then retry.", doc=self.display_name,
                type=tax_type, where=where, org=conn.tenant_name))
        if rate.status != "ACTIVE":
            state = dict(rate._fields["status"].selection).get(rate.status, rate.status).lower()
            raise XeroBlocked(self.env._(
                "%(doc)s: the Xero tax rate %(rate)s, mapped on %(where)s, is %(state)s in Xero. Map an active "
                "tax rate there, then retry.", doc=self.display_name, rate=rate.display_name, where=where,
                state=state))
        return rate

    def _xero_tracking(self, job):
        """``Tracking`` of the document's lines: its Lead Source (``source_id``), when it has one."""
        return self.env["xero.tracking.category"]._xero_lead_source_tracking(job, self.source_id, self.display_name)

    # ------------------------------------------------------------------------------------------
    # xero.outbox.record (the payload, write-back and look-up are each document's own; voids: the lifecycle)
    # ------------------------------------------------------------------------------------------
    def _xero_job_dependencies(self, job):
        """The customer goes to Xero first, and the Lead Source option of its lines (a void needs nothing)."""
        if job.operation in VOID_OPERATIONS:
            return self.env["xero.job"]
        return self._xero_customer_dependencies(job) | self.env["xero.tracking.category"].\
            _xero_lead_source_dependencies(job, self.source_id, self.display_name)

    def _xero_job_revision(self):
        return self.xero_revision or 0

    def _xero_line_items(self, job, lines, purchase=False):
        """Xero LineItems and LineAmountTypes from ``lines``: dicts of name, quantity, price_unit,
        discount, taxes (account.tax), product (product.product). Raises XeroBlocked when the mapping is
        missing or names what Xero no longer has (an archived account, a deleted tax rate). ``purchase``: lines
        of a vendor bill or purchase order (the purchase accounts and tax rate; Xero takes no discount there)."""
        if not lines:
            raise XeroBlocked(self.env._("%s has no lines to send to Xero.", self.display_name))
        taxes = self.env["account.tax"].union(*[line["taxes"] for line in lines])
        if not taxes:
            amount_types = "NoTax"
        else:
            included = set(taxes.mapped("price_include"))
            if len(included) > 1:
                raise XeroBlocked(self.env._(
                    "%s mixes tax-included and tax-excluded prices: Xero needs one or the other per document.",
                    self.display_name))
            amount_types = "Inclusive" if included.pop() else "Exclusive"
        conn = job.connection_id or job.company_id._xero_connection()
        self.env["xero.connection"]._xero_ensure_lists(conn)  # the first export may come before the lists are read
        tracking = self._xero_tracking(job)
        checked = {}
        items = []
        for line in lines:
            product = line.get("product") or self.env["product.product"]
            code, where = (self._xero_purchase_line_account_code if purchase else self._xero_line_account_code)(
                job, product)
            if not code and purchase:
                raise XeroBlocked(self.env._(
                    "%(doc)s: no Xero purchase account is set for %(company)s. Map a Xero purchase account on the "
                    "product%(product)s or its category, or set the default purchase account in Settings → Xero → "
                    "Mapping, then retry.", doc=self.display_name, company=job.company_id.name,
                    product=f" {product.display_name}" if product else ""))
            if not code:
                raise XeroBlocked(self.env._(
                    "%(doc)s: no Xero sales account code is set for %(company)s. Map a Xero sales account on the "
                    "product%(product)s or its category, or set the default sales account code in Settings → "
                    "Xero, then retry.", doc=self.display_name, company=job.company_id.name,
                    product=f" {product.display_name}" if product else ""))
            if ("account", code) not in checked:
                checked["account", code] = self._xero_check_account(job, code, where, purchase=purchase)
            item = {
                "Description": (line["name"] or "").strip() or "-",
                "Quantity": line["quantity"],
                "UnitAmount": line["price_unit"],
                "AccountCode": code,
            }
            xero_item = self.env["xero.item"]._xero_for_product(conn, product) if product else None
            if xero_item:
                item["ItemCode"] = xero_item.code
            if amount_types != "NoTax":
                if line["taxes"]:
                    tax_type, tax_where = self._xero_line_tax_type(job, line["taxes"], purchase=purchase)
                    if ("tax", tax_type) not in checked:
                        checked["tax", tax_type] = self._xero_check_tax_type(job, tax_type, tax_where)
                    item["TaxType"] = tax_type
                else:
                    if "no_tax" not in checked:  # NONE; an Australian organisation has none (xero/defaults.py)
                        checked["no_tax"] = self.env["xero.tax.rate"]._xero_no_tax_type(conn, revenue=not purchase)
                    item["TaxType"] = checked["no_tax"]
            if line.get("discount") and not float_is_zero(line["discount"], precision_digits=4):
                if purchase or job.operation == "credit_note":
                    # Xero's credit notes and bills take no discount (DiscountRate: ACCREC invoices only): the
                    # discounted unit price (4 decimals: unitdp=4)
                    item["UnitAmount"] = round(line["price_unit"] * (1 - line["discount"] / 100.0), 4)
                else:
                    item["DiscountRate"] = line["discount"]
            if tracking:
                item["Tracking"] = tracking
            items.append(item)
        return items, amount_types

    def _xero_local_date(self, moment):
        """The day of ``moment`` (a UTC datetime, e.g. an order's date) where the sale happened: in the
        salesperson's time zone, else the company's (the sender runs as a cron, whose time zone is not the
        sale's). An order confirmed on the morning of 1 July in Sydney is dated 1 July, not 30 June."""
        salesperson = self["user_id"] if "user_id" in self._fields else self.env["res.users"]
        tz = salesperson.tz or self.company_id.partner_id.tz or self.env.context.get("tz") or self.env.user.tz
        return fields.Date.context_today(self.with_context(tz=tz), moment or None)

    def _xero_odoo_url(self):
        base = self.get_base_url().rstrip("/")
        return f"{base}/odoo/{self._name}/{self.id}"

    @staticmethod
    def _xero_date(value):
        return fields.Date.to_string(fields.Date.to_date(value)) if value else None

    def _xero_post_done(self, job, label, number, status):
        link = self._xero_deep_link(job.resource, job.xero_id, operation=job.operation)
        verb = self.env._("updated in Xero") if job.method == "POST" else self.env._("sent to Xero")
        body = Markup("{label} <a href='{link}' target='_blank'>{number}</a> {verb} ({status}).").format(
            label=label, link=link or "#", number=number or job.xero_id, verb=verb, status=status or "")
        # A log note (no followers to notify): a handful of queries, where message_post costs dozens; written with
        # the others of its call (models/xero_call_scope.py).
        xero_log(self, body)

    # ------------------------------------------------------------------------------------------
    # Status back from Xero (INVOICE/CREDITNOTE webhooks and the incremental pulls)
    # ------------------------------------------------------------------------------------------
    @api.model
    def _xero_status_values(self, record, id_field):
        """Status, amount paid and amount due of a Xero invoice or credit note."""
        status = record.get("Status") or False
        total = float(record.get("Total") or 0.0)
        if id_field == "CreditNoteID":
            due = float(record.get("RemainingCredit") or 0.0) if status not in ("DRAFT", "SUBMITTED") else total
            paid = total - due if status not in ("VOIDED", "DELETED") else 0.0
        else:
            paid = float(record.get("AmountPaid") or 0.0)
            due = float(record.get("AmountDue") or 0.0)
        return {"xero_invoice_status": status, "xero_amount_paid": paid, "xero_amount_due": due,
                "xero_paid": status == "PAID"}

    @api.model
    def _xero_apply_status(self, connection, records, id_field="InvoiceID"):
        """Write Xero's status, amount paid and amount due on the exported documents of these Xero records.

        Records the connector never sent match nothing here (the mirror alone knows them).
        """
        by_id = {str(r[id_field]).lower(): r for r in records if r.get(id_field)}
        if not by_id:
            return self.browse()
        ids = list(by_id) + [str(r[id_field]) for r in records if r.get(id_field)]
        documents = self.sudo().with_context(active_test=False).search([
            ("company_id", "=", connection.company_id.id), ("xero_invoice_id", "in", list(set(ids)))])
        for document in documents:
            record = by_id.get(document.xero_invoice_id.lower())
            if not record:
                continue
            vals = self._xero_status_values(record, id_field)
            was_paid = document.xero_paid
            changed = {k: v for k, v in vals.items()
                       if (document[k] or False) != (v or False) and not (
                           isinstance(v, float) and document.currency_id.is_zero(document[k] - v))}
            if not changed:
                continue
            # Only the connector's fields change: no export back (echo), no invoice line sync, no tracking.
            document._xero_write(changed)
            if vals["xero_paid"] and not was_paid:
                document.message_post(body=self.env._("Paid in Xero (%(number)s).", number=document.xero_invoice_number
                                                      or record.get("InvoiceNumber") or record.get("CreditNoteNumber")),
                                      message_type="notification", subtype_xmlid="mail.mt_note")
            document._xero_status_changed(record)
        return documents

    def _xero_status_changed(self, record):
        """Hook: Xero's status of this exported document changed (``record``: Xero's dict)."""

    @staticmethod
    def _xero_paid_date(record):
        for key in ("FullyPaidOnDate", "UpdatedDateUTC"):
            value = parse_xero_date(record.get(key)) if record.get(key) else None
            if value:
                return value.date()
        return fields.Date.today()

    # ------------------------------------------------------------------------------------------
    # Export actions
    # ------------------------------------------------------------------------------------------
    def _xero_action_export(self, operation):
        """Manual export: already exported → the confirmation wizard (nothing is sent); one record →
        queued and sent at once, with the outcome; several → queued, with the count."""
        self._xero_check_export_access()
        records = self.filtered(lambda r: r._xero_exportable(operation))
        exported = records.filtered(lambda r: r._xero_live_export(operation))
        if len(self) == 1 and exported:
            return self.env["xero.export.wizard"]._xero_open(self, operation)
        fresh = records - exported
        if len(self) == 1 and not fresh:
            raise UserError(self._xero_not_exportable_reason(operation))
        for company in fresh.company_id:
            if not company._xero_connection() or company._xero_connection().state not in ("connected", "reconnect"):
                raise UserError(self.env._("%s is not connected to Xero: connect it in Settings → Xero first.", company.name))
        jobs = self.env["xero.job"].browse()
        for record in fresh:
            # voided or deleted in Xero (cancelled, then confirmed again): a new document, not an update
            jobs |= self.env["xero.job"]._xero_enqueue(record, operation,
                                                       force_new=bool(record._xero_exported(operation)[0]))
        jobs.sudo()._xero_rearm_dependencies()
        if len(self) == 1:
            return self._xero_send_now(jobs)
        skipped = len(self) - len(fresh)
        label = dict(self.env["xero.job"]._fields["operation"]._description_selection(self.env)).get(operation)
        self.env["xero.run"]._xero_start(jobs.filtered(lambda j: j.res_model == self._name), self.env._(
            "Export to Xero: %(count)s × %(what)s", count=len(fresh), what=label))
        message = self.env._("%s record(s) queued for Xero; you will see their progress here. Xero → Sync Log "
                             "lists each.", len(fresh))
        if skipped:
            message += " " + self.env._("%s were skipped: already in Xero or not exportable (open them one by one).", skipped)
        return self._xero_notification(message, "info")

    def _xero_exportable(self, operation):
        return True

    def _xero_exported_operations(self):
        """The operations this record may have been exported as (see _xero_exported)."""
        return list(VOIDS)

    @api.ondelete(at_uninstall=False)
    def _xero_unlink_except_live_in_xero(self):
        """A record whose document is live in Xero is not deleted: its Xero invoice would stay owed (and
        its number be taken again). Cancelling it voids it in Xero; once that is done, it can go."""
        for record in self:
            live = [operation for operation in record._xero_exported_operations() if record._xero_live_export(operation)]
            if live:
                xero_id, status = record._xero_exported(live[0])
                raise UserError(self.env._(
                    "%(record)s is in Xero (%(status)s): cancel it first, so that it is voided in Xero, then delete "
                    "it once the Sync Log shows the void done.", record=record.display_name,
                    status=(status or xero_id or "").lower()))

    def _xero_live_export(self, operation):
        """In Xero as ``operation``, and not voided or deleted there."""
        xero_id, status = self._xero_exported(operation)
        return bool(xero_id) and status not in ("VOIDED", "DELETED")

    def _xero_not_exportable_reason(self, operation):
        return self.env._("%s cannot be exported to Xero.", self.display_name)

    def _xero_send_now(self, jobs):
        """Send the jobs at once (a user waits) and report what happened."""
        self.env["xero.job"]._xero_send(jobs=jobs)
        job = jobs[-1:]
        job.invalidate_recordset()
        if job.state == "done":
            return self._xero_notification(
                self.env._("%(record)s is in Xero: %(number)s.", record=job.record_name, number=job.xero_number or job.xero_id),
                "success", link=job.xero_url)
        if job.state == "blocked":
            return self._xero_notification(job.error, "danger", sticky=True)
        connection = job.connection_id or job.company_id._xero_connection()
        if connection.state != "connected":  # nothing is sent until someone reconnects
            return self._xero_notification(
                self.env._("%(record)s is queued for Xero, but %(company)s must reconnect to Xero first (Settings → Xero → "
                           "Reconnect); it is sent then.", record=job.record_name, company=job.company_id.name),
                "warning", sticky=True)
        return self._xero_notification(
            self.env._("%(record)s is queued for Xero and will be sent shortly. %(error)s", record=job.record_name,
                       error=job.error or ""), "warning")

    @api.model
    def _xero_notification(self, message, kind, sticky=False, link=None):
        params = {"type": kind, "message": message, "sticky": sticky,
                  "next": {"type": "ir.actions.client", "tag": "soft_reload"}}
        if link:
            params["links"] = [{"label": self.env._("Open in Xero"), "url": link}]
            params["message"] = message + " %s"
        return {"type": "ir.actions.client", "tag": "display_notification", "params": params}
