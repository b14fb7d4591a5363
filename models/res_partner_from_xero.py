"""res.partner: contacts from Xero (the pull and the webhooks)."""
from odoo import api, fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    # ------------------------------------------------------------------------------------------
    # From Xero: contacts (pull and webhooks). Every contact goes to xero.contact; active customers
    # (and suppliers, for a company that sends vendor bills to Xero) become or update partners. Runs with
    # xero_from_xero: nothing is echoed back to Xero.
    # ------------------------------------------------------------------------------------------
    @api.model
    def _xero_apply_contacts(self, connection, contacts):
        self.env["xero.contact"].sudo()._xero_store(connection, contacts)
        suppliers = connection.company_id.sudo()._xero_exports_bills()
        customers = [c for c in contacts if (c.get("IsCustomer") or (suppliers and c.get("IsSupplier")))
                     and c.get("ContactStatus", "ACTIVE") == "ACTIVE"]
        if not customers:
            return
        Partner = self.sudo().with_company(connection.company_id).with_context(
            xero_from_xero=True, active_test=False, tracking_disable=True,
            no_vat_validation=True,  # base_vat: what Xero holds is not refused for its VAT number format
        )
        ids = [c["ContactID"] for c in customers]
        by_id = {p.xero_contact_id: p for p in Partner.search([("xero_contact_id", "in", ids)])}
        own = {c["ContactID"]: self._xero_own_partner_id(c.get("ContactNumber")) for c in customers}
        by_ref = {p.id: p for p in Partner.browse([pid for pid in own.values() if pid]).exists()}
        emails = {(c.get("EmailAddress") or "").strip().lower() for c in customers} - {""}
        # By email: the active customer (a company's contact person stands for its company), not yet linked;
        # a company's own address before a person's.
        by_email = {}
        found = Partner.search([("email_normalized", "in", list(emails)), ("active", "=", True)])
        for p in found.sorted(lambda p: bool(p.parent_id)):
            customer = p.commercial_partner_id
            if customer.active and not customer.xero_contact_id:
                by_email.setdefault(p.email_normalized, customer)
        # Customers with changes of their own still to send (or being sent): Odoo's edit is the newer one and
        # is on its way to Xero; Xero's older values (often the echo of our previous send) must not undo it.
        outgoing = set(self.env["xero.job"].sudo().search([
            ("res_model", "=", "res.partner"), ("operation", "=", "contact"), ("company_id", "=", connection.company_id.id),
            ("state", "in", ("pending", "sending", "retry", "blocked"))]).mapped("res_id"))
        to_create = []
        for contact in customers:
            values = self._xero_partner_values(contact)
            # The partner whose reference the contact carries first: customers sharing its contact (matched
            # by name or email) keep the link, never the contact's details.
            owner = by_ref.get(own[contact["ContactID"]])
            partner = (
                (owner if owner and owner.xero_contact_id in (contact["ContactID"], False) else None)
                or by_id.get(contact["ContactID"])
                or by_email.get((contact.get("EmailAddress") or "").strip().lower())
            )
            if partner:
                changed = partner._xero_diff(values) if partner.id not in outgoing else {}
                if partner.xero_contact_id != contact["ContactID"]:
                    changed["xero_contact_id"] = contact["ContactID"]
                if changed:
                    partner.write(changed)
            else:
                ranks = {"customer_rank": 1} if contact.get("IsCustomer") else {}
                if contact.get("IsSupplier") and suppliers:
                    ranks["supplier_rank"] = 1
                to_create.append(dict(values, xero_contact_id=contact["ContactID"], **ranks,
                                      child_ids=[fields.Command.create(person)
                                                 for person in self._xero_person_values(contact)]))
        if to_create:
            Partner.create(to_create)

    @api.model
    def _xero_own_partner_id(self, contact_number):
        """The partner id in a ContactNumber this database wrote (see _xero_contact_number), else None."""
        prefix = self._xero_contact_number_prefix()
        rest = (contact_number or "")[len(prefix):]
        return int(rest) if (contact_number or "").startswith(prefix) and rest.isdigit() else None

    def _xero_diff(self, values):
        """The values that differ from this partner's (relations compared by id, empties alike)."""
        self.ensure_one()
        changed = {}
        for name, value in values.items():
            current = self[name]
            if isinstance(current, models.BaseModel):
                current = current.id
            if (current or False) != (value or False):
                changed[name] = value
        return changed

    @api.model
    def _xero_partner_values(self, contact):
        """Odoo partner values for a Xero contact: company unless Xero's name is just the person's name."""
        person = " ".join(filter(None, [contact.get("FirstName"), contact.get("LastName")]))
        phones = {p.get("PhoneType"): p for p in contact.get("Phones") or []}
        phone = phones.get("DEFAULT") or phones.get("MOBILE") or {}
        address = next((a for a in contact.get("Addresses") or [] if a.get("AddressType") == "POBOX"), None) or next(
            (a for a in contact.get("Addresses") or [] if a.get("AddressLine1")), {}
        )
        country = self.env["res.country"]
        if address.get("Country"):
            country = country.search(
                ["|", ("name", "=ilike", address["Country"]), ("code", "=ilike", address["Country"])], limit=1
            )
        number = " ".join(filter(None, [phone.get("PhoneAreaCode"), phone.get("PhoneNumber")]))
        return {
            "name": contact.get("Name"),
            "is_company": not (person and person.casefold() == (contact.get("Name") or "").strip().casefold()),
            "email": contact.get("EmailAddress") or False,
            "phone": number or False,
            "vat": contact.get("TaxNumber") or False,
            "street": address.get("AddressLine1") or False,
            "street2": address.get("AddressLine2") or False,
            "city": address.get("City") or False,
            "zip": address.get("PostalCode") or False,
            "country_id": country.id or False,
        }

    @api.model
    def _xero_person_values(self, contact):
        return [
            {
                "name": " ".join(filter(None, [p.get("FirstName"), p.get("LastName")])) or p.get("EmailAddress"),
                "email": p.get("EmailAddress") or False,
                "type": "contact",
            }
            for p in contact.get("ContactPersons") or []
            if p.get("FirstName") or p.get("LastName") or p.get("EmailAddress")
        ]
