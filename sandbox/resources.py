"""Business rules of the Accounting API: validation and storage of each kind of record.

Each ``write_*`` validates one element fully before changing anything, then commits it, so an
invalid element of a batch leaves no trace (except nothing); it raises ``Invalid`` with Xero-like
messages.
"""
import copy
import re

from .seed import CLASS_OF, CURRENCY_NAMES
from .util import day_string, money, ms_date, new_id, parse_date, to_number

WEBHOOK_CATEGORIES = {"Contacts": "CONTACT", "Invoices": "INVOICE", "CreditNotes": "CREDITNOTE"}

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
ACCOUNT_TYPES = set(CLASS_OF) - {"CREDITCARD"}
READONLY = {"UpdatedDateUTC", "UpdatedDateUTCString", "ValidationErrors", "StatusAttributeString", "HasErrors",
            "HasValidationErrors", "Warnings", "DateString", "DueDateString", "ExpiryDateString",
            "FullyPaidOnDateString"}


class Invalid(Exception):
    def __init__(self, messages):
        super().__init__("; ".join(messages))
        self.messages = list(messages)


class NotFound(Exception):
    pass


def _norm_date(value, field, errs):
    if value in (None, ""):
        return None
    try:
        return day_string(parse_date(value))
    except ValueError:
        errs.append(f"{field} '{value}' is not a valid date")
        return None


def _num(value, field, errs, default=None):
    try:
        return to_number(value, default)
    except (TypeError, ValueError):
        errs.append(f"{field} '{value}' is not a valid number")
        return default


def _positive_amount(el, errs, label="Amount"):
    """The element's ``Amount``: required, a number, above zero (``label`` names it in Xero's messages)."""
    amount = _num(el.get("Amount"), "Amount", errs, None)
    if amount is None:
        if not any("Amount" in e for e in errs):
            errs.append(f"{label} must be specified")
    elif amount <= 0:
        errs.append(f"{label} must be greater than zero")
    return amount


def _copy_writable(el, extra_readonly=()):
    ro = READONLY | set(extra_readonly)
    return {k: copy.deepcopy(v) for k, v in el.items() if k not in ro and not k.startswith("_")}


DOCS = {
    "Invoices": {"idf": "InvoiceID", "numf": "InvoiceNumber", "types": ("ACCREC", "ACCPAY"), "prefix": "INV-",
                 "numbered_type": "ACCREC", "statuses": ("DRAFT", "SUBMITTED", "AUTHORISED"), "label": "Invoice"},
    "CreditNotes": {"idf": "CreditNoteID", "numf": "CreditNoteNumber", "types": ("ACCRECCREDIT", "ACCPAYCREDIT"),
                    "prefix": "CN-", "numbered_type": "ACCRECCREDIT", "statuses": ("DRAFT", "SUBMITTED", "AUTHORISED"),
                    "label": "Credit Note"},
    "Quotes": {"idf": "QuoteID", "numf": "QuoteNumber", "types": (None,), "prefix": "QU-", "numbered_type": None,
               "statuses": ("DRAFT", "SENT", "ACCEPTED", "DECLINED", "INVOICED"), "label": "Quote"},
}
LAT = {"exclusive": "Exclusive", "inclusive": "Inclusive", "notax": "NoTax"}


class Writer:
    def __init__(self, state, org, emit=None, option_limit=100):
        self.state = state
        self.org = org
        self.now = state.now()
        self.emit = emit or (lambda *a: None)
        self.option_limit = option_limit
        self.unit_dp = 2  # decimals kept of line items' UnitAmount (4 with ?unitdp=4)

    # ------------------------------------------------------------------ helpers
    def _stamp(self, coll, rec, created):
        rec["_updated"] = self.now
        if created:
            rec["_created"] = self.now
        self.org.put(coll, rec)
        cat = WEBHOOK_CATEGORIES.get(coll)
        if cat:
            self.emit(self.org, cat, rec[DOCS[coll]["idf"] if coll in DOCS else "ContactID"],
                      "CREATE" if created else "UPDATE")
        return rec

    def account_by(self, ref, errs, field="Account"):
        """ref: {AccountID} or {Code} (or a bare code)."""
        if isinstance(ref, str):
            ref = {"Code": ref}
        if not isinstance(ref, dict):
            errs.append(f"{field} must be specified")
            return None
        acc = None
        if ref.get("AccountID"):
            acc = self.org.get("Accounts", ref["AccountID"])
        elif ref.get("Code"):
            acc = self.org.lookup("Accounts", "Code", ref["Code"])
        else:
            errs.append(f"{field} must be specified")
            return None
        if acc is None or acc.get("Status") != "ACTIVE":
            errs.append(f"Account code '{ref.get('Code') or ref.get('AccountID')}' is not a valid code for this document.")
            return None
        return acc

    def tax_rate(self, tax_type):
        rec = self.org.get("TaxRates", tax_type) if tax_type else None
        if rec is None and tax_type:
            for r in self.org.records["TaxRates"].values():
                if r["TaxType"].lower() == str(tax_type).lower():
                    rec = r
                    break
        return rec if rec and rec.get("Status") == "ACTIVE" else None

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

    def tracking(self, items, errs):
        out = []
        if not items:
            return out
        if not isinstance(items, list):
            errs.append("Tracking must be a list")
            return out
        for t in items:
            if not isinstance(t, dict):
                errs.append("Tracking must be a list of {Name, Option}")
                continue
            cat = None
            if t.get("TrackingCategoryID"):
                cat = self.org.get("TrackingCategories", t["TrackingCategoryID"])
            else:
                name = str(t.get("Name") or "").strip().lower()
                for c in self.org.records["TrackingCategories"].values():
                    if c["Name"].lower() == name and c["Status"] == "ACTIVE":
                        cat = c
                        break
            if cat is None or cat["Status"] != "ACTIVE":
                errs.append(f"The tracking category '{t.get('Name') or t.get('TrackingCategoryID')}' does not exist or is not active")
                continue
            opt = None
            for o in cat["Options"]:
                if o["Status"] != "ACTIVE":
                    continue
                if (t.get("TrackingOptionID") and o["TrackingOptionID"] == t["TrackingOptionID"]) or \
                        str(t.get("Option") or "").strip().lower() == o["Name"].lower():
                    opt = o
                    break
            if opt is None:
                errs.append(f"The tracking option '{t.get('Option') or t.get('TrackingOptionID')}' does not exist "
                            f"or is not active in tracking category '{cat['Name']}'")
                continue
            out.append({"TrackingCategoryID": cat["TrackingCategoryID"], "TrackingOptionID": opt["TrackingOptionID"],
                        "Name": cat["Name"], "Option": opt["Name"]})
        return out

    def lines(self, lines_in, lat, sales, errs, require_account=False, require_lines=False):
        """Validate line items and compute amounts. Returns (lines, subtotal, total_tax, total, discount)."""
        if lines_in is None:
            lines_in = []
        if not isinstance(lines_in, list):
            errs.append("LineItems must be a list")
            return [], 0.0, 0.0, 0.0, 0.0
        if require_lines and not lines_in:
            errs.append("One or more line items must be specified")
        out = []
        subtotal = tax_total = discount_total = 0.0
        for i, li in enumerate(lines_in):
            if not isinstance(li, dict):
                errs.append(f"Line item {i + 1} is not an object")
                continue
            line = {k: copy.deepcopy(v) for k, v in li.items() if k not in ("TaxAmount", "LineAmount", "ValidationErrors")}
            line["LineItemID"] = li.get("LineItemID") or new_id()
            item = None
            if li.get("ItemCode"):
                item = self.org.lookup("Items", "Code", li["ItemCode"])
                if item is None:
                    errs.append(f"Item code '{li['ItemCode']}' is not valid")
                else:
                    line["ItemCode"] = item["Code"]
                    det = item.get("SalesDetails" if sales else "PurchaseDetails") or {}
                    line.setdefault("Description", item.get("Description" if sales else "PurchaseDescription") or item.get("Name"))
                    if li.get("UnitAmount") in (None, "") and det.get("UnitPrice") is not None:
                        line["UnitAmount"] = det["UnitPrice"]
                    if not li.get("AccountCode") and det.get("AccountCode"):
                        line["AccountCode"] = det["AccountCode"]
                    if not li.get("TaxType") and det.get("TaxType"):
                        line["TaxType"] = det["TaxType"]
            qty = _num(line.get("Quantity"), "Quantity", errs, 1.0)
            unit = _num(line.get("UnitAmount"), "UnitAmount", errs, 0.0)
            if unit is not None:
                unit = round(unit, self.unit_dp)
            disc = _num(line.get("DiscountRate"), "DiscountRate", errs, None)
            if disc is not None and not (0 <= disc <= 100):
                errs.append("DiscountRate must be between 0 and 100")
                disc = None
            acc = None
            if line.get("AccountCode"):
                acc = self.org.lookup("Accounts", "Code", line["AccountCode"])
                if acc is None or acc.get("Status") != "ACTIVE":
                    errs.append(f"Account code '{line['AccountCode']}' is not a valid code for this document.")
                    acc = None
                else:
                    line["AccountCode"] = acc["Code"]
                    line["AccountID"] = acc["AccountID"]
            elif require_account and (qty or unit):
                errs.append("Account code must be specified for each line item")
            tax_type = line.get("TaxType")
            if lat == "NoTax":
                tax_type = tax_type or "NONE"
            elif not tax_type:
                tax_type = (acc or {}).get("TaxType") or ("OUTPUT" if sales else "INPUT")
            rate_rec = self.tax_rate(tax_type)
            if rate_rec is None:
                errs.append(f"The TaxType code '{tax_type}' does not exist or cannot be used with this type of transaction.")
                rate = 0.0
            else:
                tax_type = rate_rec["TaxType"]
                rate = float(rate_rec.get("EffectiveRate") or 0.0)
            line["TaxType"] = tax_type
            line["Tracking"] = self.tracking(li.get("Tracking"), errs)
            gross = (qty or 0.0) * (unit or 0.0)
            amount = money(gross * (1 - (disc or 0.0) / 100.0))
            if li.get("LineAmount") not in (None, "") and not li.get("UnitAmount") and not qty:
                amount = money(_num(li.get("LineAmount"), "LineAmount", errs, 0.0))
            if lat == "NoTax":
                tax = 0.0
                net = amount
            elif lat == "Inclusive":
                tax = money(amount - amount / (1 + rate / 100.0))
                net = money(amount - tax)
            else:
                tax = money(amount * rate / 100.0)
                net = amount
            line["Quantity"] = qty
            line["UnitAmount"] = unit
            if disc is not None:
                line["DiscountRate"] = disc
                line["DiscountAmount"] = money(gross - amount)
                discount_total += gross - amount
            line["TaxAmount"] = tax
            line["LineAmount"] = amount
            subtotal += net
            tax_total += tax
            out.append(line)
        subtotal, tax_total = money(subtotal), money(tax_total)
        return out, subtotal, tax_total, money(subtotal + tax_total), money(discount_total)

    def currency(self, code, errs):
        code = (code or self.org.base_currency).upper()
        if code != self.org.base_currency and self.org.get("Currencies", code) is None:
            errs.append(f"Organisation is not subscribed to currency {code}")
        return code

    # ------------------------------------------------------------------ documents
    def write_doc(self, coll, el, method, path_id=None):
        K = DOCS[coll]
        idf, numf, label = K["idf"], K["numf"], K["label"]
        errs = []
        existing = None
        if path_id:
            existing = self.find(coll, path_id)
            if existing is None:
                raise NotFound(path_id)
        elif el.get(idf):
            existing = self.org.get(coll, el[idf])
            if existing is None:
                raise Invalid([f"{label} with {idf} '{el[idf]}' could not be found"])
        elif method == "POST" and el.get(numf):
            existing = self.org.lookup(coll, numf, el[numf])
        new = copy.deepcopy(existing) if existing else {}
        new.update(_copy_writable(el, ("SubTotal", "TotalTax", "Total", "AmountDue", "AmountPaid", "AmountCredited",
                                       "Payments", "CreditNotes", "Prepayments", "Overpayments", "FullyPaidOnDate",
                                       "RemainingCredit", "Allocations", "TotalDiscount", "IsDiscounted",
                                       "HasAttachments", idf)))
        status = str(new.get("Status") or "DRAFT").upper()
        new["Status"] = status
        if existing:
            old = existing["Status"]
            paid = float(existing.get("AmountPaid") or 0) > 0 or bool(existing.get("Payments"))
            if coll == "Quotes":
                if old == "DELETED":
                    raise Invalid([f"{label} not of valid status for modification"])
                if status not in K["statuses"] + ("DELETED",):
                    errs.append(f"'{status}' is not a valid status for a quote")
            else:
                if old in ("PAID", "VOIDED", "DELETED") or paid:
                    raise Invalid([f"{label} not of valid status for modification"])
                allowed = {"DRAFT": ("DRAFT", "SUBMITTED", "AUTHORISED", "DELETED"),
                           "SUBMITTED": ("DRAFT", "SUBMITTED", "AUTHORISED", "DELETED"),
                           "AUTHORISED": ("AUTHORISED", "VOIDED")}[old]
                if status not in allowed:
                    raise Invalid([f"{label} not of valid status for modification"])
            if status in ("DELETED", "VOIDED"):
                # a status change only: nothing else is validated
                existing = self.org.get(coll, existing[idf])
                rec = copy.deepcopy(existing)
                rec["Status"] = status
                if coll != "Quotes":
                    rec["AmountDue"] = 0.0
                return self._stamp(coll, rec, False)
        elif status not in K["statuses"]:
            errs.append(f"'{status}' is not a valid status for a new {label.lower()}")
        typ = new.get("Type")
        if coll != "Quotes":
            typ = str(typ or "").upper()
            if typ not in K["types"]:
                errs.append(f"{label} Type must be one of {', '.join(K['types'])}")
            new["Type"] = typ
        sales = typ in ("ACCREC", "ACCRECCREDIT", None)
        contact, to_create = self.resolve_contact(new.get("Contact"), errs)
        if contact is None and to_create is None and not any("Contact" in e for e in errs) and status != "DRAFT":
            errs.append("A Contact must be specified for this type of transaction")
        if contact is not None and contact.get("ContactStatus") == "ARCHIVED" and status != "DELETED":
            errs.append(f"The contact '{contact.get('Name')}' is archived and cannot be used")
        date = _norm_date(new.get("Date"), "Date", errs)
        due = _norm_date(new.get("DueDate"), "DueDate", errs)
        exp = _norm_date(new.get("ExpiryDate"), "ExpiryDate", errs) if coll == "Quotes" else None
        lat_raw = str(new.get("LineAmountTypes") or "Exclusive")
        lat = LAT.get(lat_raw.lower())
        if lat is None:
            errs.append(f"'{lat_raw}' is not a valid LineAmountTypes value (Exclusive, Inclusive, NoTax)")
            lat = "Exclusive"
        cur = self.currency(new.get("CurrencyCode"), errs)
        rate = new.get("CurrencyRate")
        if rate not in (None, ""):
            rate = _num(rate, "CurrencyRate", errs, None)
            if rate is not None and rate <= 0:
                errs.append("CurrencyRate must be greater than zero")
        approved = status in ("AUTHORISED", "SENT", "ACCEPTED", "INVOICED") if coll == "Quotes" else status == "AUTHORISED"
        lines, sub, tax, total, disc = self.lines(new.get("LineItems"), lat, sales, errs,
                                                 require_account=approved and coll != "Quotes",
                                                 require_lines=approved)
        if approved and not date and coll != "Quotes":
            errs.append(f"A Date must be specified for an approved {label.lower()}")
        if coll == "Quotes" and not date:
            errs.append("Date must be specified")
        if coll == "Invoices" and status == "AUTHORISED" and not due:
            errs.append("Due Date must be specified for an approved invoice")
        number = new.get(numf)
        numbered = K["numbered_type"] is None or typ == K["numbered_type"]
        if number not in (None, ""):
            number = str(number).strip()
            if numbered:
                other = self.org.lookup(coll, numf, number)
                if other is not None and (not existing or other[idf] != existing[idf]):
                    errs.append(f"{label} # must be unique.")
            if len(number) > 255:
                errs.append(f"{numf} must not exceed 255 characters")
        if errs:
            raise Invalid(errs)
        # ---- commit
        if to_create is not None:
            contact = self._create_contact_from(to_create)
        rec = new
        rec[idf] = existing[idf] if existing else new_id()
        if number in (None, ""):
            if numbered or coll == "Quotes":
                while True:
                    number = f"{K['prefix']}{self.org.next_number(K['prefix']):04d}"
                    if self.org.lookup(coll, numf, number) is None:
                        break
            else:
                number = ""
        rec[numf] = number
        rec["Contact"] = self.contact_summary(contact) if contact else {}
        rec["Date"] = date
        if coll == "Quotes":
            rec["ExpiryDate"] = exp
        elif due or coll == "Invoices":
            rec["DueDate"] = due
        rec["LineAmountTypes"] = lat
        rec["CurrencyCode"] = cur
        rec["CurrencyRate"] = rate if rate not in (None, "") else 1.0 if cur == self.org.base_currency else rec.get("CurrencyRate")
        if rec["CurrencyRate"] is None:
            rec.pop("CurrencyRate")
        rec["LineItems"] = lines
        rec["SubTotal"], rec["TotalTax"], rec["Total"] = sub, tax, total
        rec["TotalDiscount"] = disc
        if coll == "Invoices":
            rec.setdefault("AmountPaid", 0.0)
            rec.setdefault("AmountCredited", 0.0)
            rec["AmountDue"] = money(total - rec["AmountPaid"] - rec["AmountCredited"])
            rec.setdefault("Payments", [])
            rec.setdefault("CreditNotes", [])
            rec.setdefault("Prepayments", [])
            rec.setdefault("Overpayments", [])
            rec["IsDiscounted"] = disc > 0
            rec.setdefault("SentToContact", False)
            rec.setdefault("HasErrors", False)
        elif coll == "CreditNotes":
            rec.setdefault("Payments", [])
            rec.setdefault("Allocations", [])
            paid = sum(float(p.get("Amount") or 0) for p in rec["Payments"])
            alloc = sum(float(a.get("Amount") or 0) for a in rec["Allocations"])
            rec["RemainingCredit"] = money(total - paid - alloc)
            rec.setdefault("HasErrors", False)
        rec.setdefault("HasAttachments", False)
        saved = self._stamp(coll, rec, existing is None)
        if contact is not None and approved and coll == "Invoices":
            flag = "IsCustomer" if typ == "ACCREC" else "IsSupplier"
            if not contact.get(flag):
                contact[flag] = True  # Xero sets it without moving the contact's UpdatedDateUTC
        return saved

    def find(self, coll, key):
        rec = self.org.get(coll, key)
        if rec is not None:
            return rec
        alt = {"Invoices": "InvoiceNumber", "CreditNotes": "CreditNoteNumber", "Quotes": "QuoteNumber",
               "Contacts": "ContactNumber", "Items": "Code", "Accounts": "Code"}.get(coll)
        if alt:
            rec = self.org.lookup(coll, alt, key)
            if rec is None and coll in ("Invoices", "CreditNotes"):
                for r in self.org.records[coll].values():
                    if str(r.get(alt) or "").lower() == str(key).lower():
                        return r
            return rec
        if coll == "Currencies":
            return self.org.get(coll, str(key).upper())
        return None

    # ------------------------------------------------------------------ contacts
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

    # ------------------------------------------------------------------ items
    def write_item(self, el, method, path_id=None):
        errs = []
        existing = None
        if path_id:
            existing = self.find("Items", path_id)
            if existing is None:
                raise NotFound(path_id)
        elif el.get("ItemID"):
            existing = self.org.get("Items", el["ItemID"])
            if existing is None:
                raise Invalid([f"Item with ItemID '{el['ItemID']}' could not be found"])
        elif method == "POST" and el.get("Code"):
            existing = self.org.lookup("Items", "Code", el["Code"])
        new = copy.deepcopy(existing) if existing else {}
        new.update(_copy_writable(el, ("ItemID", "QuantityOnHand", "TotalCostPool")))
        code = str(new.get("Code") or "").strip()
        new["Code"] = code
        if not code:
            errs.append("Item code must be specified")
        elif len(code) > 30:
            errs.append("Item code must not exceed 30 characters")
        else:
            other = self.org.lookup("Items", "Code", code)
            if other is not None and (existing is None or other["ItemID"] != existing["ItemID"]):
                errs.append(f"Item code '{code}' already exists")
        if new.get("Name") and len(str(new["Name"])) > 50:
            errs.append("Item name must not exceed 50 characters")
        for det_name in ("SalesDetails", "PurchaseDetails"):
            det = new.get(det_name)
            if det is None:
                continue
            if not isinstance(det, dict):
                errs.append(f"{det_name} must be an object")
                continue
            if det.get("UnitPrice") not in (None, ""):
                det["UnitPrice"] = _num(det["UnitPrice"], f"{det_name}.UnitPrice", errs, 0.0)
            for f in ("AccountCode", "COGSAccountCode"):
                if det.get(f) and self.org.lookup("Accounts", "Code", det[f]) is None:
                    errs.append(f"Account code '{det[f]}' is not a valid code")
            if det.get("TaxType") and self.tax_rate(det["TaxType"]) is None:
                errs.append(f"The TaxType code '{det['TaxType']}' does not exist")
        tracked = bool(new.get("IsTrackedAsInventory"))
        if tracked:
            inv = new.get("InventoryAssetAccountCode")
            if not inv:
                errs.append("An inventory asset account must be specified for a tracked item (InventoryAssetAccountCode)")
            elif self.org.lookup("Accounts", "Code", inv) is None:
                errs.append(f"Account code '{inv}' is not a valid inventory asset account")
            if not (new.get("PurchaseDetails") or {}).get("COGSAccountCode"):
                errs.append("A cost of goods sold account must be specified for a tracked item (PurchaseDetails.COGSAccountCode)")
        if errs:
            raise Invalid(errs)
        new["ItemID"] = existing["ItemID"] if existing else new_id()
        new["IsTrackedAsInventory"] = tracked
        new.setdefault("QuantityOnHand", 0.0)
        new.setdefault("TotalCostPool", 0.0)
        new.setdefault("IsSold", True)
        new.setdefault("IsPurchased", True)
        new.setdefault("Name", code)
        return self._stamp("Items", new, existing is None)

    def set_stock(self, code, qty):
        item = self.find("Items", code)
        if item is None:
            raise NotFound(code)
        item = copy.deepcopy(item)
        item["QuantityOnHand"] = float(qty)
        return self._stamp("Items", item, False)

    # ------------------------------------------------------------------ accounts
    def write_account(self, el, method, path_id=None):
        errs = []
        existing = None
        if path_id:
            existing = self.find("Accounts", path_id)
            if existing is None:
                raise NotFound(path_id)
        elif el.get("AccountID"):
            existing = self.org.get("Accounts", el["AccountID"])
            if existing is None:
                raise Invalid([f"Account with AccountID '{el['AccountID']}' could not be found"])
        new = copy.deepcopy(existing) if existing else {}
        new.update(_copy_writable(el, ("AccountID", "Class", "SystemAccount", "HasAttachments", "ReportingCodeName")))
        typ = str(new.get("Type") or "").upper()
        if typ == "CREDITCARD" or str(new.get("BankAccountType") or "").upper() == "CREDITCARD":
            errs.append("Credit card accounts cannot be created or modified through the API")
        elif typ not in ACCOUNT_TYPES:
            errs.append(f"'{typ}' is not a valid account type" if typ else "Account Type must be specified")
        new["Type"] = typ
        code = str(new.get("Code") or "").strip()
        name = str(new.get("Name") or "").strip()
        if not name:
            errs.append("Please enter a name for this account")
        elif len(name) > 150:
            errs.append("Account name must not exceed 150 characters")
        else:
            other = self.org.lookup("Accounts", "Name", name)
            if other is not None and (existing is None or other["AccountID"] != existing["AccountID"]):
                errs.append("Please enter a unique Name.")
        if not code and typ != "BANK":
            errs.append("Please enter a code for this account")
        elif code:
            if len(code) > 10:
                errs.append("Account code must be 10 characters or less")
            other = self.org.lookup("Accounts", "Code", code)
            if other is not None and (existing is None or other["AccountID"] != existing["AccountID"]):
                errs.append("Please enter a unique Code.")
        if typ == "BANK" and not new.get("BankAccountNumber"):
            errs.append("Bank account number must be specified for a bank account")
        elif typ == "BANK" and self.org.country == "AU" and not existing and not re.fullmatch(
                r"\d{7,15}", re.sub(r"[\s-]", "", str(new["BankAccountNumber"]))):
            errs.append("Please enter a valid BSB and account number (6-digit BSB followed by the account number)")
        status = str(new.get("Status") or "ACTIVE").upper()
        if status not in ("ACTIVE", "ARCHIVED") or (status == "ARCHIVED" and not existing):
            errs.append(f"'{status}' is not a valid account status")
        if existing and existing.get("SystemAccount") and status == "ARCHIVED":
            errs.append("System accounts cannot be archived")
        if new.get("TaxType") and self.tax_rate(new["TaxType"]) is None:
            errs.append(f"The TaxType code '{new['TaxType']}' does not exist")
        if new.get("CurrencyCode"):
            self.currency(new["CurrencyCode"], errs)
        if errs:
            raise Invalid(errs)
        new["Code"], new["Name"], new["Status"] = code, name, status
        new["AccountID"] = existing["AccountID"] if existing else new_id()
        new["Class"] = CLASS_OF[typ]
        new["EnablePaymentsToAccount"] = bool(new.get("EnablePaymentsToAccount"))
        if typ == "BANK":
            new.setdefault("BankAccountType", "BANK")
            new.setdefault("CurrencyCode", self.org.base_currency)
        new.setdefault("TaxType", "NONE")
        new.setdefault("ShowInExpenseClaims", False)
        new.setdefault("HasAttachments", False)
        new.setdefault("ReportingCode", "")
        return self._stamp("Accounts", new, existing is None)

    # ------------------------------------------------------------------ tax rates, currencies
    def write_taxrate(self, el, method, path_id=None):
        errs = []
        existing = None
        key = path_id or el.get("TaxType")
        if key:
            existing = self.tax_rate(key) or self.org.get("TaxRates", key)
        if existing is None and el.get("Name"):
            for r in self.org.records["TaxRates"].values():
                if r["Name"].lower() == str(el["Name"]).strip().lower():
                    if method == "PUT":
                        errs.append("Tax rate name must be unique")
                    existing = r
                    break
        new = copy.deepcopy(existing) if existing else {}
        new.update(_copy_writable(el, ("EffectiveRate", "DisplayTaxRate", "TaxType")))
        if not new.get("Name"):
            errs.append("Tax rate Name must be specified")
        comps = new.get("TaxComponents") or []
        if not isinstance(comps, list) or not comps:
            errs.append("At least one tax component must be specified")
            comps = []
        total = 0.0
        for c in comps:
            total += _num((c or {}).get("Rate"), "TaxComponents.Rate", errs, 0.0) or 0.0
        status = str(new.get("Status") or "ACTIVE").upper()
        if status not in ("ACTIVE", "DELETED", "ARCHIVED"):
            errs.append(f"'{status}' is not a valid tax rate status")
        if errs:
            raise Invalid(errs)
        if not existing:
            new["TaxType"] = f"TAX{self.org.next_number('TAX'):03d}"
        new["Status"] = status
        new["EffectiveRate"] = new["DisplayTaxRate"] = money(total)
        return self._stamp("TaxRates", new, existing is None)

    def write_currency(self, el, method, path_id=None):
        code = str(el.get("Code") or "").strip().upper()
        if not re.fullmatch(r"[A-Z]{3}", code):
            raise Invalid([f"'{code}' is not a valid currency code"])
        existing = self.org.get("Currencies", code)
        if existing:
            return existing
        rec = {"Code": code, "Description": el.get("Description") or CURRENCY_NAMES.get(code, code)}
        return self._stamp("Currencies", rec, True)

    # ------------------------------------------------------------------ payments
    def write_payment(self, el, method, path_id=None):
        errs = []
        if path_id or el.get("PaymentID"):
            pid = path_id or el.get("PaymentID")
            pay = self.org.get("Payments", pid)
            if pay is None:
                raise NotFound(pid)
            if str(el.get("Status") or "").upper() != "DELETED":
                raise Invalid(["A payment can only be deleted (Status DELETED); it cannot be modified"])
            if pay["Status"] == "DELETED":
                raise Invalid(["Payment has already been deleted"])
            if pay.get("IsReconciled"):
                raise Invalid(["This payment has been reconciled and cannot be deleted: remove the reconciliation "
                               "in Xero first"])
            return self._delete_payment(pay)
        doc_coll, doc = None, None
        inv_ref, cn_ref = el.get("Invoice"), el.get("CreditNote")
        if isinstance(inv_ref, dict) and (inv_ref.get("InvoiceID") or inv_ref.get("InvoiceNumber")):
            doc_coll = "Invoices"
            doc = self.org.get("Invoices", inv_ref.get("InvoiceID")) if inv_ref.get("InvoiceID") else \
                self.find("Invoices", inv_ref["InvoiceNumber"])
        elif isinstance(cn_ref, dict) and (cn_ref.get("CreditNoteID") or cn_ref.get("CreditNoteNumber")):
            doc_coll = "CreditNotes"
            doc = self.org.get("CreditNotes", cn_ref.get("CreditNoteID")) if cn_ref.get("CreditNoteID") else \
                self.find("CreditNotes", cn_ref["CreditNoteNumber"])
        elif el.get("InvoiceNumber"):
            doc_coll, doc = "Invoices", self.find("Invoices", el["InvoiceNumber"])
        else:
            errs.append("An Invoice or CreditNote must be specified")
        if doc_coll and doc is None:
            errs.append("The document could not be found" if doc_coll == "CreditNotes" else "Invoice could not be found")
        acc_ref = el.get("Account")
        acc = None
        if acc_ref is None and el.get("Code"):
            acc_ref = {"Code": el["Code"]}
        if acc_ref is None:
            errs.append("Account must be specified")
        else:
            acc = self.account_by(acc_ref, errs)
        if acc is not None and acc["Type"] != "BANK" and not acc.get("EnablePaymentsToAccount"):
            errs.append("Payments can only be made to or from bank accounts or accounts with enable payments set")
        amount = _positive_amount(el, errs, "Payment amount")
        date = _norm_date(el.get("Date"), "Date", errs) or day_string(self.now)
        if doc is not None:
            if doc["Status"] != "AUTHORISED":
                errs.append("Payment cannot be applied to a document that is not approved (AUTHORISED)"
                            if doc["Status"] != "PAID" else "Payment amount exceeds the amount outstanding on this document")
            outstanding = doc.get("AmountDue") if doc_coll == "Invoices" else doc.get("RemainingCredit")
            if amount is not None and amount > 0 and doc["Status"] == "AUTHORISED" and money(amount) > money(outstanding or 0):
                errs.append("Payment amount exceeds the amount outstanding on this document")
        rate = el.get("CurrencyRate")
        if rate not in (None, ""):
            rate = _num(rate, "CurrencyRate", errs, None)
        if errs:
            raise Invalid(errs)
        amount = money(amount)
        idf = "InvoiceID" if doc_coll == "Invoices" else "CreditNoteID"
        numf = "InvoiceNumber" if doc_coll == "Invoices" else "CreditNoteNumber"
        ptype = {"ACCREC": "ACCRECPAYMENT", "ACCPAY": "ACCPAYPAYMENT", "ACCRECCREDIT": "ARCREDITPAYMENT",
                 "ACCPAYCREDIT": "APCREDITPAYMENT"}[doc["Type"]]
        pay = {"PaymentID": new_id(), "Date": date, "Amount": amount, "BankAmount": amount,
               "Reference": el.get("Reference") or "", "CurrencyRate": rate or doc.get("CurrencyRate") or 1.0,
               "PaymentType": ptype, "Status": "AUTHORISED", "IsReconciled": bool(el.get("IsReconciled")),
               "HasAccount": True, "HasValidationErrors": False,
               "Account": {"AccountID": acc["AccountID"], "Code": acc.get("Code", "")},
               "Invoice" if doc_coll == "Invoices" else "CreditNote": {
                   idf: doc[idf], numf: doc.get(numf), "Type": doc["Type"], "Contact": doc.get("Contact"),
                   "CurrencyCode": doc.get("CurrencyCode")}}
        self._stamp("Payments", pay, True)
        doc = copy.deepcopy(doc)
        doc.setdefault("Payments", []).append({"PaymentID": pay["PaymentID"], "Date": date, "Amount": amount,
                                               "Reference": pay["Reference"], "CurrencyRate": pay["CurrencyRate"],
                                               "HasAccount": True, "HasValidationErrors": False})
        self._apply_payments(doc_coll, doc, date)
        self._stamp(doc_coll, doc, False)
        return pay

    def _apply_payments(self, doc_coll, doc, date=None):
        paid = money(sum(float(p["Amount"]) for p in doc.get("Payments", [])))
        if doc_coll == "Invoices":
            doc["AmountPaid"] = paid
            doc["AmountDue"] = money(doc["Total"] - paid - float(doc.get("AmountCredited") or 0))
            remaining = doc["AmountDue"]
        else:
            alloc = sum(float(a.get("Amount") or 0) for a in doc.get("Allocations", []))
            doc["RemainingCredit"] = money(doc["Total"] - paid - alloc)
            remaining = doc["RemainingCredit"]
        if remaining <= 0 and doc["Status"] == "AUTHORISED":
            doc["Status"] = "PAID"
            doc["FullyPaidOnDate"] = date or day_string(self.now)
        elif remaining > 0 and doc["Status"] == "PAID":
            doc["Status"] = "AUTHORISED"
            doc.pop("FullyPaidOnDate", None)

    def _delete_payment(self, pay):
        pay = copy.deepcopy(pay)
        pay["Status"] = "DELETED"
        self._stamp("Payments", pay, False)
        doc_coll = "Invoices" if "Invoice" in pay else "CreditNotes"
        idf = "InvoiceID" if doc_coll == "Invoices" else "CreditNoteID"
        doc = self.org.get(doc_coll, pay["Invoice" if doc_coll == "Invoices" else "CreditNote"][idf])
        if doc is not None:
            doc = copy.deepcopy(doc)
            doc["Payments"] = [p for p in doc.get("Payments", []) if p["PaymentID"] != pay["PaymentID"]]
            self._apply_payments(doc_coll, doc)
            self._stamp(doc_coll, doc, False)
        return pay

    # ------------------------------------------------------------------ bank transactions
    def write_banktransaction(self, el, method, path_id=None):
        errs = []
        existing = None
        key = path_id or el.get("BankTransactionID")
        if key:
            existing = self.org.get("BankTransactions", key)
            if existing is None:
                if path_id:
                    raise NotFound(path_id)
                raise Invalid([f"Bank transaction '{key}' could not be found"])
            if existing["Status"] in ("DELETED", "VOIDED"):
                raise Invalid(["Bank transaction not of valid status for modification"])
            if existing.get("IsReconciled") and el.get("Status") != "DELETED":
                raise Invalid(["This Bank Transaction cannot be edited as it has been reconciled"])
        new = copy.deepcopy(existing) if existing else {}
        new.update(_copy_writable(el, ("BankTransactionID", "SubTotal", "TotalTax", "Total", "HasAttachments",
                                       "PrepaymentID", "OverpaymentID")))
        status = str(new.get("Status") or "AUTHORISED").upper()
        if existing and status in ("DELETED", "VOIDED"):
            rec = copy.deepcopy(existing)
            rec["Status"] = status
            return self._stamp("BankTransactions", rec, False)
        if status != "AUTHORISED":
            errs.append(f"'{status}' is not a valid status for a bank transaction")
        typ = str(new.get("Type") or "").upper()
        if typ not in ("SPEND", "RECEIVE"):
            errs.append("Type must be SPEND or RECEIVE" if not typ or "-" not in typ
                        else f"{typ} bank transactions are not supported by this sandbox")
        contact, to_create = self.resolve_contact(new.get("Contact"), errs)
        bank = None
        if not new.get("BankAccount"):
            errs.append("BankAccount must be specified")
        else:
            bank = self.account_by(new["BankAccount"], errs, "BankAccount")
            if bank is not None and bank["Type"] != "BANK":
                errs.append(f"Account '{bank.get('Code') or bank['Name']}' is not a bank account")
                bank = None
        date = _norm_date(new.get("Date"), "Date", errs) or day_string(self.now)
        lat = LAT.get(str(new.get("LineAmountTypes") or "Exclusive").lower())
        if lat is None:
            errs.append("'LineAmountTypes' is not valid")
            lat = "Exclusive"
        cur = self.currency(new.get("CurrencyCode") or (bank or {}).get("CurrencyCode"), errs)
        lines, sub, tax, total, _disc = self.lines(new.get("LineItems"), lat, typ == "RECEIVE", errs,
                                                  require_account=True, require_lines=True)
        if errs:
            raise Invalid(errs)
        if to_create is not None:
            contact = self._create_contact_from(to_create)
        rec = new
        rec.update({"BankTransactionID": existing["BankTransactionID"] if existing else new_id(), "Type": typ,
                    "Status": status, "Contact": self.contact_summary(contact),
                    "BankAccount": {"AccountID": bank["AccountID"], "Code": bank.get("Code", ""), "Name": bank["Name"]},
                    "Date": date, "LineAmountTypes": lat, "CurrencyCode": cur, "LineItems": lines,
                    "SubTotal": sub, "TotalTax": tax, "Total": total})
        rec.setdefault("IsReconciled", False)
        rec.setdefault("HasAttachments", False)
        return self._stamp("BankTransactions", rec, existing is None)

    def write_banktransfer(self, el, method, path_id=None):
        """PUT creates; POST only deletes (``Status: DELETED``), as Xero's API. The two bank transactions a
        transfer makes in Xero are named by id, not kept as records here."""
        key = path_id or el.get("BankTransferID")
        if key or method != "PUT":
            existing = self.org.get("BankTransfers", key) if key else None
            if existing is None:
                if path_id:
                    raise NotFound(path_id)
                raise Invalid(["A bank transfer can only be created (PUT) or deleted (BankTransferID, Status DELETED)"])
            if str(el.get("Status") or "").upper() != "DELETED":
                raise Invalid(["A bank transfer cannot be modified; it can only be deleted"])
            if existing.get("Status") == "DELETED":
                raise Invalid(["Bank transfer has already been deleted"])
            if existing.get("FromIsReconciled") or existing.get("ToIsReconciled"):
                raise Invalid(["This bank transfer has been reconciled and cannot be deleted"])
            return self._stamp("BankTransfers", dict(copy.deepcopy(existing), Status="DELETED"), False)
        errs = []
        accounts = {}
        for side in ("FromBankAccount", "ToBankAccount"):
            if not el.get(side):
                errs.append(f"{side} must be specified")
                continue
            acc = self.account_by(el[side], errs, side)
            if acc is not None and acc["Type"] != "BANK":
                errs.append(f"{side}: account '{acc.get('Code') or acc['Name']}' is not a bank account")
            elif acc is not None:
                accounts[side] = acc
        if len(accounts) == 2 and accounts["FromBankAccount"]["AccountID"] == accounts["ToBankAccount"]["AccountID"]:
            errs.append("The from and to bank accounts must be different")
        amount = _positive_amount(el, errs)
        date = _norm_date(el.get("Date"), "Date", errs) or day_string(self.now)
        rate = el.get("CurrencyRate")
        if len(accounts) == 2 and accounts["FromBankAccount"].get("CurrencyCode") != \
                accounts["ToBankAccount"].get("CurrencyCode") and rate in (None, ""):
            errs.append("CurrencyRate must be specified for a transfer between accounts of different currencies")
        if errs:
            raise Invalid(errs)
        summary = {side: {"AccountID": a["AccountID"], "Code": a.get("Code", ""), "Name": a["Name"]}
                   for side, a in accounts.items()}
        rec = {"BankTransferID": new_id(), **summary, "Amount": money(amount), "Date": date,
               "CurrencyRate": float(rate) if rate not in (None, "") else 1.0, "Reference": el.get("Reference") or "",
               "FromBankTransactionID": new_id(), "ToBankTransactionID": new_id(), "FromIsReconciled": False,
               "ToIsReconciled": False, "HasAttachments": False, "CreatedDateUTC": ms_date(self.now),
               "Status": "AUTHORISED"}
        return self._stamp("BankTransfers", rec, True)

    # ------------------------------------------------------------------ tracking
    def _cats(self, statuses=("ACTIVE", "ARCHIVED")):
        return [c for c in self.org.records["TrackingCategories"].values() if c["Status"] in statuses]

    def write_tracking_category(self, el, method, path_id=None):
        errs = []
        existing = None
        key = path_id or el.get("TrackingCategoryID")
        if key:
            existing = self.org.get("TrackingCategories", key)
            if existing is None or existing["Status"] == "DELETED":
                raise NotFound(key)
        name = str(el.get("Name") if el.get("Name") is not None else (existing or {}).get("Name") or "").strip()
        status = str(el.get("Status") or (existing or {}).get("Status") or "ACTIVE").upper()
        if not name:
            errs.append("Tracking category name must be specified")
        elif len(name) > 100:
            errs.append("Tracking category name must not exceed 100 characters")
        for c in self._cats():
            if c["Name"].lower() == name.lower() and (existing is None or c["TrackingCategoryID"] != existing["TrackingCategoryID"]):
                errs.append(f"The tracking category name '{name}' is already in use")
        if status not in ("ACTIVE", "ARCHIVED"):
            errs.append(f"'{status}' is not a valid tracking category status")
        others = [c for c in self._cats() if existing is None or c["TrackingCategoryID"] != existing["TrackingCategoryID"]]
        if status == "ACTIVE" and (existing is None or existing["Status"] != "ACTIVE") and \
                sum(1 for c in others if c["Status"] == "ACTIVE") >= 2:
            errs.append("You can only have 2 active tracking categories")
        if existing is None and len(others) >= 4:
            errs.append("You can only have 4 tracking categories (active and archived)")
        if errs:
            raise Invalid(errs)
        rec = copy.deepcopy(existing) if existing else {"TrackingCategoryID": new_id(), "Options": []}
        rec["Name"], rec["Status"] = name, status
        options = el.get("Options")
        if existing is None and isinstance(options, list) and options:
            self._add_options(rec, options)
        return self._stamp("TrackingCategories", rec, existing is None)

    def _add_options(self, cat, options):
        errs = []
        names = {o["Name"].lower() for o in cat["Options"] if o["Status"] != "DELETED"}
        count = sum(1 for o in cat["Options"] if o["Status"] != "DELETED")
        added = []
        for o in options:
            n = str((o or {}).get("Name") or "").strip()
            if not n:
                errs.append("Tracking option name must be specified")
            elif len(n) > 100:
                errs.append("Tracking option name must not exceed 100 characters")
            elif n.lower() in names:
                errs.append(f"The tracking option name '{n}' is already in use in this tracking category")
            elif count >= self.option_limit:
                errs.append(f"A tracking category can have at most {self.option_limit} options")
            else:
                names.add(n.lower())
                count += 1
                added.append({"TrackingOptionID": new_id(), "Name": n, "Status": "ACTIVE",
                              "TrackingCategoryID": cat["TrackingCategoryID"]})
        if errs:
            raise Invalid(errs)
        cat["Options"].extend(added)
        return added

    def add_tracking_options(self, cat_id, options):
        cat = self.org.get("TrackingCategories", cat_id)
        if cat is None or cat["Status"] == "DELETED":
            raise NotFound(cat_id)
        cat = copy.deepcopy(cat)
        added = self._add_options(cat, options)
        self._stamp("TrackingCategories", cat, False)
        return added

    def update_tracking_option(self, cat_id, opt_id, el, delete=False):
        cat = self.org.get("TrackingCategories", cat_id)
        if cat is None or cat["Status"] == "DELETED":
            raise NotFound(cat_id)
        cat = copy.deepcopy(cat)
        opt = next((o for o in cat["Options"] if o["TrackingOptionID"] == opt_id and o["Status"] != "DELETED"), None)
        if opt is None:
            raise NotFound(opt_id)
        if delete:
            opt["Status"] = "DELETED"
        else:
            name = str(el.get("Name") or opt["Name"]).strip()
            if any(o["Name"].lower() == name.lower() and o is not opt and o["Status"] != "DELETED" for o in cat["Options"]):
                raise Invalid([f"The tracking option name '{name}' is already in use in this tracking category"])
            status = str(el.get("Status") or opt["Status"]).upper()
            if status not in ("ACTIVE", "ARCHIVED"):
                raise Invalid([f"'{status}' is not a valid tracking option status"])
            opt["Name"], opt["Status"] = name, status
        self._stamp("TrackingCategories", cat, False)
        return opt

    def delete_tracking_category(self, cat_id):
        cat = self.org.get("TrackingCategories", cat_id)
        if cat is None or cat["Status"] == "DELETED":
            raise NotFound(cat_id)
        cat = copy.deepcopy(cat)
        cat["Status"] = "DELETED"
        return self._stamp("TrackingCategories", cat, False)

    def delete_item(self, key):
        item = self.find("Items", key)
        if item is None:
            raise NotFound(key)
        del self.org.records["Items"][item["ItemID"]]
        self.org.rebuild_indexes()
        return item

    # ------------------------------------------------------------------ dispatch
    def write(self, coll, el, method, path_id=None):
        if not isinstance(el, dict):
            raise Invalid(["The element is not an object"])
        if coll in DOCS:
            return self.write_doc(coll, el, method, path_id)
        fn = {"Contacts": self.write_contact, "Items": self.write_item, "Accounts": self.write_account,
              "TaxRates": self.write_taxrate, "Currencies": self.write_currency, "Payments": self.write_payment,
              "BankTransactions": self.write_banktransaction, "BankTransfers": self.write_banktransfer,
              "TrackingCategories": self.write_tracking_category}[coll]
        return fn(el, method, path_id)
