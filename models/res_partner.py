import logging
import re
from datetime import date

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Domain

from ..exceptions import XeroBlocked
from ..xero import XeroError, lengths
from ..xero.lengths import fit
from .xero_access import USER, checked
from .xero_call_scope import call_memo, xero_log
from .xero_contact import name_key

_logger = logging.getLogger(__name__)

# ContactNumber terms per look-up call: about 50 URL-encoded characters each, well under Xero's 2,048.
LOOKUP_TERMS = 20

GUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
# A bare ContactID, or one of Xero's web URLs that carry it:
#   https://go.xero.com/app/!xYz/contacts/contact/<id>/activity   (current)
#   https://go.xero.com/Contacts/View/<id>                          (classic)
#   https://go.xero.com/Contacts/View.aspx?contactID=<id>
_CONTACT_ID_PATTERNS = [
    re.compile(rf"^\s*({GUID})\s*$"),
    re.compile(rf"/contacts?/(?:contact|view)/({GUID})(?:[/?#]|$)", re.IGNORECASE),
    re.compile(rf"[?&]contactid=({GUID})(?:&|$)", re.IGNORECASE),
]
# Fields whose change makes a linked customer's Xero contact out of date.
XERO_CONTACT_FIELDS = {
    "name", "email", "phone", "street", "street2", "city", "zip", "state_id", "country_id", "vat",
    "is_company", "parent_id", "active",
}


def extract_contact_id(value):
    """The Xero ContactID in ``value`` (a bare id or a pasted Xero contact URL), lower-case; None if none."""
    if not value:
        return None
    for pattern in _CONTACT_ID_PATTERNS:
        match = pattern.search(value.strip())
        if match:
            return match.group(1).lower()
    return None


class ResPartner(models.Model):
    _name = "res.partner"
    _inherit = ["res.partner", "xero.guarded.fields", "xero.outbox.record"]
    # Set by Xero administrators through its checked paste (below), and by the connector.
    _xero_exempt_fields = frozenset({"xero_contact_id"})

    xero_contact_id = fields.Char(
        "Xero Contact ID",
        company_dependent=True,
        copy=False,
        help="The contact's ID in this company's Xero organisation. Paste the contact's Xero web address: "
        "the ID is taken from it and checked against Xero.",
    )
    xero_contact_url = fields.Char("Open in Xero", compute="_compute_xero_contact_url")
    xero_revision = fields.Integer(
        copy=False, readonly=True,
        help="Counts the changes meant for Xero; a send whose payload is older than the last one is followed by "
        "an update.")
    xero_sales_to_date = fields.Monetary(
        "Sales to Date (Xero)", compute="_compute_xero_sales", currency_field="xero_currency_id", groups=USER,
        help="The customer's approved and paid sales invoices in Xero, in the organisation's currency.",
    )
    xero_currency_id = fields.Many2one("res.currency", compute="_compute_xero_sales")
    xero_invoice_ids = fields.Many2many("xero.invoice", string="Xero Invoices", compute="_compute_xero_sales",
                                        groups=USER)
    xero_sync_state = fields.Selection(
        [("none", "Not in Xero"), ("pending", "Queued"), ("done", "In Xero"), ("error", "Needs attention")],
        "Xero Sync", compute="_compute_xero_sync", groups=USER,
    )
    xero_last_sync = fields.Datetime("Last Sent to Xero", compute="_compute_xero_sync", groups=USER)
    xero_last_error = fields.Text("Last Xero Error", compute="_compute_xero_sync", groups=USER)

    @api.depends_context("company")
    @api.depends("xero_contact_id")
    def _compute_xero_contact_url(self):
        for partner in self:
            partner.xero_contact_url = partner._xero_deep_link("Contacts", partner.xero_contact_id)

    @api.depends_context("company")
    @api.depends("xero_contact_id")
    def _compute_xero_sync(self):
        """Derived from the outbox: the partner's latest contact job in the current company."""
        jobs = self.env["xero.job"].sudo().search(
            [("res_model", "=", "res.partner"), ("res_id", "in", self.ids), ("operation", "=", "contact"),
             ("company_id", "=", self.env.company.id), ("state", "!=", "cancelled")],
            order="id desc",
        )
        latest, last_done = {}, {}
        for job in jobs:
            latest.setdefault(job.res_id, job)
            if job.state == "done":
                last_done.setdefault(job.res_id, job)
        states = {"pending": "pending", "sending": "pending", "retry": "pending", "blocked": "error", "done": "done"}
        for partner in self:
            job = latest.get(partner.id)
            partner.xero_sync_state = states.get(job.state) if job else ("done" if partner.xero_contact_id else "none")
            partner.xero_last_sync = last_done[partner.id].write_date if partner.id in last_done else False
            partner.xero_last_error = job.error if job and job.state in ("blocked", "retry") else False

    @api.model
    def _xero_customers_with_sales(self, company):
        """Active customers of ``company`` with sales history: confirmed orders or posted invoices."""
        partners = self.browse()
        for model, domain in (
            ("sale.order", [("state", "=", "sale")]),
            ("account.move", [("state", "=", "posted"), ("move_type", "in", ("out_invoice", "out_refund"))]),
        ):
            groups = self.env[model].sudo()._read_group(Domain(domain) & Domain("company_id", "=", company.id),
                                                        ["partner_id"])
            partners |= self.browse([partner.id for (partner,) in groups])
        return partners.commercial_partner_id.filtered("active")

    @api.model
    def _xero_queue_customers(self, connection):
        """Queue the customers with sales history that are not yet in this company's Xero organisation."""
        partners = self.with_company(connection.company_id)._xero_customers_with_sales(connection.company_id)
        missing = partners.with_company(connection.company_id).filtered(lambda p: not p.xero_contact_id)
        if missing:
            self.env["xero.job"].sudo()._xero_enqueue(missing, "contact", method="POST", company=connection.company_id)
        return missing

    @api.depends_context("company")
    @api.depends("xero_contact_id")
    def _compute_xero_sales(self):
        """Set-wise: one grouped query for the whole recordset (a list of thousands of customers included), the
        sums and invoice ids made by PostgreSQL; no invoice record is loaded, nothing is done per customer."""
        from .xero_invoice import SALES_STATUSES

        company = self.env.company
        sums, ids = {}, {}
        commercial = self.commercial_partner_id
        if commercial.ids:
            for partner, status, total, invoice_ids, dates in self.env["xero.invoice"].sudo()._read_group(
                    [("company_id", "=", company.id), ("partner_id", "in", commercial.ids)],
                    ["partner_id", "status"], ["total_base:sum", "id:array_agg", "date:array_agg"]):
                if status in SALES_STATUSES:
                    sums[partner.id] = sums.get(partner.id, 0.0) + total
                # both arrays are ordered by id: (date, id) pairs, for the invoices' own order (date desc, id desc)
                ids.setdefault(partner.id, []).extend(zip(dates, invoice_ids, strict=True))
        Invoice = self.env["xero.invoice"]
        for partner in self:
            key = partner.commercial_partner_id.id
            newest_first = sorted(ids.get(key, ()), key=lambda pair: (pair[0] or date.min, pair[1]), reverse=True)
            partner.xero_invoice_ids = Invoice.browse([invoice_id for _date, invoice_id in newest_first])
            partner.xero_currency_id = company.currency_id
            partner.xero_sales_to_date = sums.get(key, 0.0)

    # ------------------------------------------------------------------------------------------
    # The Xero Contact ID: pasted URL → id, checked against Xero
    # ------------------------------------------------------------------------------------------
    @api.model
    def _xero_normalize_contact_id(self, value):
        if not value:
            return False
        contact_id = extract_contact_id(value)
        if not contact_id:
            raise ValidationError(
                self.env._(
                    "“%s” is not a Xero contact ID. Paste the contact's address from Xero (it contains "
                    "…/contact/<ID>/…) or the ID itself (like 5cfc38a4-f36c-464c-97de-9e4bfe744993).",
                    value,
                )
            )
        return contact_id

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("xero_contact_id"):
                self._xero_check_link_rights()
                vals["xero_contact_id"] = self._xero_normalize_contact_id(vals["xero_contact_id"])
                if not (self.env.su and self.env.context.get("xero_from_xero")):
                    self.browse()._xero_check_contact_id(vals["xero_contact_id"])
        return super().create(vals_list)

    def write(self, vals):
        # From Xero (a pull, the sender): the connector as superuser only (an RPC caller chooses its context).
        from_xero = self.env.su and self.env.context.get("xero_from_xero")
        if "xero_contact_id" in vals:
            vals = dict(vals, xero_contact_id=self._xero_normalize_contact_id(vals["xero_contact_id"]))
            if any((p.xero_contact_id or False) != (vals["xero_contact_id"] or False) for p in self):
                self._xero_check_link_rights()  # a write that keeps it (a partner merge) needs no right
            if vals["xero_contact_id"] and not from_xero:
                # Checked before anything is written: a refused id changes nothing.
                self._xero_check_contact_id(vals["xero_contact_id"])
        result = super().write(vals)
        if from_xero:
            return result
        if vals.get("xero_contact_id"):
            self._xero_link_invoices()
        if XERO_CONTACT_FIELDS & set(vals):
            self._xero_bump_revision()
            self._xero_queue_contact_update()
        return result

    def _xero_check_link_rights(self):
        """Who links a customer to a Xero contact: Xero administrators, and the connector itself (as superuser:
        the sender, the imports). A context key is not enough: any RPC caller can set one."""
        if not self.env.su and not self.env.user.has_group("xero_connector.group_xero_manager"):
            raise AccessError(self.env._("Only Xero administrators can set or clear a customer's Xero Contact ID."))

    def _xero_check_contact_id(self, contact_id):
        """``contact_id`` must name an active contact of this company's organisation, linked to no one else."""
        company = self.env.company
        if len(self) > 1:
            raise ValidationError(self.env._("One Xero contact links to one customer: set the Xero Contact ID one partner at a time."))
        name = self.display_name or self.env._("The new contact")
        other = self.with_context(active_test=False).search(
            [("xero_contact_id", "=", contact_id), ("id", "not in", self.ids)], limit=1
        )
        if other:
            raise ValidationError(
                self.env._(
                    "The Xero contact %(id)s is already linked to %(other)s in %(company)s: one Xero contact, "
                    "one customer. %(partner)s was not changed.",
                    id=contact_id, other=other.display_name, company=company.name, partner=name,
                )
            )
        connection = company._xero_connection()
        if connection.state != "connected":
            return  # checked when the company connects and the contact is first sent
        try:
            contact = connection._xero_client().get_by_id("Contacts", contact_id)
        except XeroError as exc:
            raise UserError(
                self.env._("Could not check the Xero contact of %(partner)s: %(error)s", partner=name, error=exc.message)
            ) from exc
        if not contact:
            raise ValidationError(
                self.env._(
                    "Xero has no contact %(id)s in the organisation %(org)s (is it from another organisation?). "
                    "%(partner)s was not changed.",
                    id=contact_id, org=connection.tenant_name, partner=name,
                )
            )
        if contact.get("ContactStatus") != "ACTIVE":
            raise ValidationError(
                self.env._(
                    "The Xero contact “%(name)s” (%(id)s) is %(status)s in Xero: restore it there first. "
                    "%(partner)s was not changed.",
                    name=contact.get("Name"), id=contact_id, status=(contact.get("ContactStatus") or "").lower(),
                    partner=name,
                )
            )

    def _xero_link_invoices(self):
        connection = self.env.company._xero_connection()
        if connection:
            self.env["xero.invoice"].sudo()._xero_link_partners(connection, self)

    def _xero_bump_revision(self):
        """A change meant for Xero: counted on the customers with a job open (see xero.job)."""
        if "xero.job" in self.env:
            self.env["xero.job"]._xero_bump_revisions(self)

    def _xero_resend(self, job):
        """Changed after ``job``'s payload was built (while it was on its way): send the change too."""
        if self.with_company(job.company_id).xero_contact_id:
            self.env["xero.job"].sudo()._xero_enqueue(self, "contact", method="POST", company=job.company_id)

    def _xero_queue_contact_update(self):
        """Queue the Xero update of linked customers (batched by the sender); never from Xero's own changes."""
        if "xero.job" not in self.env:
            return
        linked = self.filtered(lambda p: p.xero_contact_id)
        if linked and self.env.company._xero_connection().state in ("connected", "reconnect"):
            self.env["xero.job"].sudo()._xero_enqueue(linked, "contact", method="POST")

    # ------------------------------------------------------------------------------------------
    # xero.outbox.record: operation "contact"
    # ------------------------------------------------------------------------------------------
    @api.model
    def _xero_contact_number_prefix(self):
        return f"ODOO-{self.env['ir.config_parameter'].sudo().get_param('database.uuid', '')[:8]}-"

    def _xero_contact_number(self):
        """A stable reference of this partner in this database (≤ 50 characters): Xero's ContactNumber."""
        self.ensure_one()
        return f"{self._xero_contact_number_prefix()}{self.id}"

    def _xero_contact_values(self):
        """The Xero Contact element for this partner (its commercial entity's data)."""
        self.ensure_one()
        values = {
            "Name": (self.name or self.display_name or "").strip(),
            "ContactNumber": self._xero_contact_number(),
            "EmailAddress": self.email or "",
            "TaxNumber": self.vat or "",
            "Phones": [fit({"PhoneType": "DEFAULT", "PhoneNumber": self.phone or ""}, lengths.PHONE)],
            "Addresses": [fit({
                "AddressType": "POBOX",
                "AddressLine1": self.street or "",
                "AddressLine2": self.street2 or "",
                "City": self.city or "",
                "Region": self.state_id.name or "",
                "PostalCode": self.zip or "",
                "Country": self.country_id.name or "",
            }, lengths.ADDRESS)],
        }
        if not self.is_company and self.name and " " in self.name.strip():
            values["FirstName"], values["LastName"] = self.name.strip().rsplit(" ", 1)
        values = fit(values, lengths.CONTACT)  # Xero's lengths: a longer value makes Xero refuse the contact
        persons = self.child_ids.filtered(lambda c: c.type == "contact" and c.active and c.email)[:5]
        if persons:
            values["ContactPersons"] = [
                fit(dict(
                    zip(("FirstName", "LastName"), (p.name.strip().rsplit(" ", 1) + [""])[:2], strict=True),
                    EmailAddress=p.email, IncludeInEmails=False,
                ), lengths.CONTACT)
                for p in persons
            ]
        return values

    def _xero_job_payload(self, job):
        self.ensure_one()
        partner = self.with_company(job.company_id)
        connection = job.connection_id
        Mirror = self.env["xero.contact"].sudo()
        memo = call_memo(self.env)
        if ("contacts refreshed", connection.id) not in memo:  # once per call, not per customer
            partner._xero_refresh_contacts(connection)
            memo["contacts refreshed", connection.id] = True
        contact_id = partner.xero_contact_id
        if contact_id:
            known = Mirror.search([("connection_id", "=", connection.id), ("contact_id", "=", contact_id)], limit=1)
            if known and known.status != "ACTIVE":
                raise XeroBlocked(
                    self.env._(
                        "The Xero contact “%(name)s” linked to %(partner)s is %(status)s in Xero: restore it in "
                        "Xero, or clear the partner's Xero Contact ID to create a new one.",
                        name=known.name, partner=partner.display_name, status=(known.status or "").lower(),
                    )
                )
        else:
            match = Mirror._xero_match(connection, partner, partner._xero_contact_number())
            if match:
                contact_id = match.contact_id
                partner.with_context(xero_from_xero=True).xero_contact_id = contact_id
                partner.message_post(
                    body=self.env._("Linked to the existing Xero contact “%s” (same reference, email or name).", match.name)
                )
        owner = partner._xero_contact_owner(connection, contact_id)
        if owner:
            # Another customer's contact (matched by name or email, as Xero allows one contact per name): this
            # one is linked to it and its invoices go to it, but the contact's details and reference stay the
            # other's, or the two would overwrite each other on every edit.
            return {"ContactID": contact_id}
        values = partner._xero_contact_values()
        if contact_id:
            values["ContactID"] = contact_id
        return values

    def _xero_contact_owner(self, connection, contact_id):
        """The other partner whose reference (ContactNumber) the Xero contact carries and who is linked to it,
        or an empty recordset."""
        if not contact_id:
            return self.browse()
        known = self.env["xero.contact"].sudo().search(
            [("connection_id", "=", connection.id), ("contact_id", "=", contact_id)], limit=1)
        owner_id = self._xero_own_partner_id(known.contact_number)
        if not owner_id or owner_id == self.id:
            return self.browse()
        owner = self.sudo().with_company(connection.company_id).browse(owner_id).exists()
        return owner if owner.xero_contact_id == contact_id else self.browse()

    def _xero_job_lookup(self, job, client):
        """After an attempt whose outcome is unknown: the contact it may have created, by ContactNumber."""
        self.ensure_one()
        number = self._xero_contact_number()
        for contact in client.iter_records("Contacts", where=f'ContactNumber=="{number}"', page_size=100):
            return contact
        return None

    @api.model
    def _xero_jobs_lookup(self, jobs, records, client):
        """Several contacts whose creation may have happened (a sender killed mid-batch): by ContactNumber, a
        call per LOOKUP_TERMS of them (a longer ``where`` would pass Xero's 2 KB query string: Xero answers
        404, and a whole batch would look gone), instead of one per contact."""
        numbers = {records[job.id]._xero_contact_number(): job.id for job in jobs}
        found = dict.fromkeys(numbers.values())
        terms = [f'ContactNumber=="{number}"' for number in numbers if '"' not in number]
        for start in range(0, len(terms), LOOKUP_TERMS):
            where = " OR ".join(terms[start:start + LOOKUP_TERMS])
            for contact in client.iter_records("Contacts", where=where, page_size=100):
                if contact.get("ContactNumber") in numbers:
                    found[numbers[contact["ContactNumber"]]] = contact
        return found

    def _xero_job_revision(self):
        return self.xero_revision or 0

    def _xero_job_batch_conflict(self, job):
        """Xero refuses a second new contact of the same name in one call: the second goes in the next one,
        where the first is known (matched by name) instead of refused as a duplicate."""
        return name_key(self.name)

    def _xero_job_done(self, job, result):
        self.ensure_one()
        self._xero_jobs_done([(job, self, result)])

    @api.model
    def _xero_jobs_done(self, done):
        """The contacts of one call: stored in the connector's table in one go, each customer linked to its
        contact, their invoices read in Xero linked in one search, the log notes written together."""
        if not done:
            return
        job = done[0][0]
        connection, company = job.connection_id, job.company_id  # one call: one organisation
        self.env["xero.contact"].sudo()._xero_store(connection, [result.data for _job, _partner, result in done])
        linked = self.with_company(company).browse()  # xero_contact_id is per company
        for _job, partner, result in done:
            partner = partner.with_company(company).with_context(xero_from_xero=True)
            contact = result.data
            first = partner.xero_contact_id != contact["ContactID"]
            if first:
                partner.xero_contact_id = contact["ContactID"]
            linked |= partner
            link = Markup("<a href='{url}' target='_blank'>{name}</a>").format(
                url=partner._xero_deep_link("Contacts", contact["ContactID"]), name=contact.get("Name"))
            xero_log(partner, Markup("{what} ({org}): {link}").format(
                what=self.env._("Created or linked in Xero") if first else self.env._("Updated in Xero"),
                org=connection.tenant_name, link=link))
        self.env["xero.invoice"].sudo()._xero_link_partners(connection, linked)

    def _xero_refresh_contacts(self, connection):
        """Bring the known Xero contacts up to date (If-Modified-Since: one call when nothing changed;
        at most every 10 s, so a batch of fifty customers costs one call, not fifty)."""
        from .xero_sync_cursor import CONTACTS_PULL

        self.env["xero.sync.cursor"].sudo()._xero_pull(
            connection, "Contacts", "res.partner", "_xero_apply_contacts", min_interval=10, **CONTACTS_PULL
        )

    # ------------------------------------------------------------------------------------------
    # Manual export
    # ------------------------------------------------------------------------------------------
    def action_xero_export(self):
        """Export these customers to Xero (created, linked to an existing contact, or updated)."""
        checked(self, USER, self.env._("Only Xero users can export to Xero."))
        partners = self.mapped("commercial_partner_id")
        connection = self.env.company._xero_connection()
        if connection.state != "connected":
            raise UserError(self.env._("%s is not connected to Xero: connect it in Settings first.", self.env.company.name))
        # POST: Xero creates the contact, or updates it when the element carries its ContactID.
        jobs = self.env["xero.job"].sudo()._xero_enqueue(partners, "contact", method="POST")
        if len(partners) == 1:
            self.env["xero.job"].sudo()._xero_send(connections=connection, jobs=jobs)
            job = jobs[:1]
            job.invalidate_recordset()
            ok = job.state == "done"
            message = (self.env._("%s is in Xero.", partners.display_name) if ok
                       else self.env._("%(name)s: %(error)s", name=partners.display_name, error=job.error or job.state))
        else:
            ok = True
            self.env["xero.run"]._xero_start(jobs, self.env._("Export to Xero: %s × Contact", len(partners)))
            message = self.env._("%s customers queued for Xero; you will see their progress here.", len(partners))
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {"type": "success" if ok else "warning", "message": message, "sticky": not ok},
        }
