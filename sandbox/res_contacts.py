"""Contacts: matched by name, created from a reference, written (a mixin of ``resources.Writer``)."""
import copy

from .res_common import EMAIL_RE, Invalid, NotFound, _copy_writable
from .util import new_id


class ContactsMixin:
    def resolve_contact(self, ref, errs):
        """Returns (contact record or None, name to create or None)."""
        if not isinstance(ref, dict) or not ref:
            return None, None
        if ref.get("ContactID"):
            c = self.org.get("Contacts", ref["ContactID"])
            if c is None:
                errs.append(f"Contact with ContactID '{ref['ContactID']}' could not be found")
            return c, None
        if ref.get("ContactNumber"):
            c = self.org.lookup("Contacts", "ContactNumber", ref["ContactNumber"])
            if c is not None:
                return c, None
        name = (ref.get("Name") or "").strip()
        if name:
            c = self.org.lookup("Contacts", "Name", name)
            if c is not None:
                return c, None
            return None, ref
        errs.append("A Contact must be specified for this type of transaction")
        return None, None

    def _create_contact_from(self, ref):
        rec = {"ContactID": new_id(), "ContactStatus": "ACTIVE", "Name": ref["Name"].strip(),
               "IsSupplier": False, "IsCustomer": False, "Addresses": [], "Phones": [], "ContactGroups": [],
               "ContactPersons": [], "HasAttachments": False, "HasValidationErrors": False}
        for k in ("ContactNumber", "EmailAddress", "FirstName", "LastName"):
            if ref.get(k):
                rec[k] = ref[k]
        return self._stamp("Contacts", rec, True)

    @staticmethod
    def contact_summary(c):
        out = {"ContactID": c["ContactID"], "Name": c.get("Name")}
        for k in ("ContactNumber", "EmailAddress", "ContactStatus"):
            if c.get(k):
                out[k] = c[k]
        return out

    def write_contact(self, el, method, path_id=None):
        errs = []
        existing = None
        if path_id:
            existing = self.find("Contacts", path_id)
            if existing is None:
                raise NotFound(path_id)
        elif el.get("ContactID"):
            existing = self.org.get("Contacts", el["ContactID"])
            if existing is None:
                raise Invalid([f"Contact with ContactID '{el['ContactID']}' could not be found"])
        elif method == "POST" and el.get("ContactNumber"):
            existing = self.org.lookup("Contacts", "ContactNumber", el["ContactNumber"])
        new = copy.deepcopy(existing) if existing else {}
        new.update(_copy_writable(el, ("ContactID", "IsCustomer", "IsSupplier", "Balances", "Website",
                                       "HasAttachments", "Discount")))
        name = str(new.get("Name") or "").strip()
        new["Name"] = name
        status = str(new.get("ContactStatus") or "ACTIVE").upper()
        new["ContactStatus"] = status
        if not name:
            errs.append("The contact name must be specified.")
        elif len(name) > 255:
            errs.append("The contact name must not exceed 255 characters.")
        if status not in ("ACTIVE", "ARCHIVED"):
            errs.append(f"'{status}' is not a valid contact status")
        if name and status == "ACTIVE":
            other = self.org.lookup("Contacts", "Name", name)
            if other is not None and (existing is None or other["ContactID"] != existing["ContactID"]):
                errs.append(f"The contact name {name} is already assigned to another contact. "
                            "The contact name must be unique across all active contacts.")
        num = new.get("ContactNumber")
        if num not in (None, "") and len(str(num)) > 50:
            errs.append("The ContactNumber must be 50 characters or less.")
        email = new.get("EmailAddress")
        if email not in (None, "") and not EMAIL_RE.match(str(email)):
            errs.append("Email address must be valid.")
        for field in ("FirstName", "LastName"):
            if new.get(field) and len(str(new[field])) > 255:
                errs.append(f"{field} must not exceed 255 characters")
        if new.get("DefaultCurrency"):
            self.currency(new["DefaultCurrency"], errs)
        if errs:
            raise Invalid(errs)
        new["ContactID"] = existing["ContactID"] if existing else new_id()
        for k, v in (("IsSupplier", False), ("IsCustomer", False), ("Addresses", []), ("Phones", []),
                     ("ContactGroups", []), ("ContactPersons", []), ("HasAttachments", False),
                     ("HasValidationErrors", False)):
            new.setdefault(k, v)
        return self._stamp("Contacts", new, existing is None)
