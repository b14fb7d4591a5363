from odoo import api, fields, models
from odoo.fields import Domain


def name_key(name):
    """How Xero compares contact names for its uniqueness rule: trimmed, case-insensitive."""
    return " ".join((name or "").split()).casefold() or False


def email_key(email):
    return (email or "").strip().casefold() or False


class XeroContact(models.Model):
    """What the connector knows of a Xero organisation's contacts (all of them, not only customers).

    Kept in step by the contacts pull (If-Modified-Since, plus periodic full passes) and by the
    results of the connector's own writes. Matching a customer before creating it in Xero reads
    this table instead of querying Xero once per customer, so a bulk export of a thousand customers
    costs no look-up calls, and Xero's unique-name rule is known before sending.
    """

    _name = "xero.contact"
    _description = "Xero Contact (known to the connector)"
    _order = "name"

    connection_id = fields.Many2one("xero.connection", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="connection_id.company_id", store=True, index=True)
    contact_id = fields.Char("Xero Contact ID", required=True)
    name = fields.Char(required=True)
    name_key = fields.Char(index=True)
    email_key = fields.Char(index=True)
    contact_number = fields.Char(index=True)
    status = fields.Char()
    is_customer = fields.Boolean()
    is_supplier = fields.Boolean()

    _contact_uniq = models.Constraint(
        "UNIQUE(connection_id, contact_id)", "A Xero contact is known once per organisation."
    )

    @api.model
    def _xero_store(self, connection, contacts):
        """Upsert Xero contact dicts (as the API returns them) for this connection."""
        contacts = list({contact["ContactID"]: contact for contact in contacts}.values())  # a contact once
        if not contacts:
            return self.browse()
        existing = {
            rec.contact_id: rec
            for rec in self.search([
                ("connection_id", "=", connection.id), ("contact_id", "in", [c["ContactID"] for c in contacts]),
            ])
        }
        to_create = []
        for contact in contacts:
            vals = {
                "name": contact.get("Name") or contact["ContactID"],
                "name_key": name_key(contact.get("Name")),
                "email_key": email_key(contact.get("EmailAddress")),
                "contact_number": contact.get("ContactNumber") or False,
                "status": contact.get("ContactStatus") or "ACTIVE",
                "is_customer": bool(contact.get("IsCustomer")),
                "is_supplier": bool(contact.get("IsSupplier")),
            }
            rec = existing.get(contact["ContactID"])
            if rec:
                changed = {k: v for k, v in vals.items() if rec[k] != v}
                if changed:
                    rec.write(changed)
            else:
                to_create.append(dict(vals, connection_id=connection.id, contact_id=contact["ContactID"]))
        return self.create(to_create) if to_create else self.browse()

    @api.model
    def _xero_match(self, connection, partner, contact_number):
        """The active Xero contact this partner already is: by ContactNumber, then email, then exact name (read in
        one search, chosen in that order)."""
        terms = [(field, value) for field, value in (
            ("contact_number", contact_number),
            ("email_key", email_key(partner.email)),
            ("name_key", name_key(partner.name)),
        ) if value]
        if not terms:
            return self.browse()
        found = self.search(Domain([("connection_id", "=", connection.id), ("status", "=", "ACTIVE")])
                            & Domain.OR(Domain(field, "=", value) for field, value in terms), order="name, id")
        for field, value in terms:
            for contact in found:
                if contact[field] == value:
                    return contact
        return self.browse()
