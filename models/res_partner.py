import logging
import re

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..xero import XeroError

_logger = logging.getLogger(__name__)

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
    _inherit = "res.partner"

    xero_contact_id = fields.Char(
        "Xero Contact ID",
        company_dependent=True,
        copy=False,
        help="The contact's ID in this company's Xero organisation. Paste the contact's Xero web address: "
        "the ID is taken from it and checked against Xero.",
    )
    xero_contact_url = fields.Char("Open in Xero", compute="_compute_xero_contact_url")

    @api.depends_context("company")
    @api.depends("xero_contact_id")
    def _compute_xero_contact_url(self):
        for partner in self:
            partner.xero_contact_url = (
                f"https://go.xero.com/Contacts/View/{partner.xero_contact_id}" if partner.xero_contact_id else False
            )

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
                _(
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
                vals["xero_contact_id"] = self._xero_normalize_contact_id(vals["xero_contact_id"])
        partners = super().create(vals_list)
        if not self.env.context.get("xero_from_xero"):
            partners.filtered("xero_contact_id")._xero_check_contact_id()
        return partners

    def write(self, vals):
        if "xero_contact_id" in vals:
            vals = dict(vals, xero_contact_id=self._xero_normalize_contact_id(vals["xero_contact_id"]))
        result = super().write(vals)
        if self.env.context.get("xero_from_xero"):
            return result
        if vals.get("xero_contact_id"):
            self._xero_check_contact_id()
        if XERO_CONTACT_FIELDS & set(vals):
            self._xero_queue_contact_update()
        return result

    def _xero_check_contact_id(self):
        """The pasted id must name an active contact of this company's organisation, linked to no one else."""
        company = self.env.company
        for partner in self:
            contact_id = partner.xero_contact_id
            other = self.with_context(active_test=False).search(
                [("xero_contact_id", "=", contact_id), ("id", "!=", partner.id)], limit=1
            )
            if other:
                raise ValidationError(
                    _(
                        "The Xero contact %(id)s is already linked to %(other)s in %(company)s: one Xero "
                        "contact, one customer.",
                        id=contact_id, other=other.display_name, company=company.name,
                    )
                )
            connection = company._xero_connection()
            if connection.state != "connected":
                continue  # checked when the company connects and the contact is first sent
            try:
                contact = connection._xero_client().get_by_id("Contacts", contact_id)
            except XeroError as exc:
                raise UserError(
                    _("Could not check the Xero contact of %(partner)s: %(error)s", partner=partner.display_name,
                      error=exc.message)
                ) from exc
            if not contact:
                raise ValidationError(
                    _(
                        "Xero has no contact %(id)s in the organisation %(org)s (is it from another "
                        "organisation?). %(partner)s was not changed.",
                        id=contact_id, org=connection.tenant_name, partner=partner.display_name,
                    )
                )
            if contact.get("ContactStatus") != "ACTIVE":
                raise ValidationError(
                    _(
                        "The Xero contact “%(name)s” (%(id)s) is %(status)s in Xero: restore it there first. "
                        "%(partner)s was not changed.",
                        name=contact.get("Name"), id=contact_id, status=(contact.get("ContactStatus") or "").lower(),
                        partner=partner.display_name,
                    )
                )

    def _xero_queue_contact_update(self):
        """Queue the Xero update of linked customers (batched by the sender); never from Xero's own changes."""
        if "xero.job" not in self.env:
            return
        linked = self.filtered(lambda p: p.xero_contact_id)
        if linked and self.env.company._xero_connection().state in ("connected", "reconnect"):
            self.env["xero.job"].sudo()._xero_enqueue(linked, "contact")
