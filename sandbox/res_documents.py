"""Invoices, credit notes and quotes: lines, currency, status, numbering (a mixin of ``resources.Writer``)."""
import copy

from .res_common import DOCS, LAT, Invalid, NotFound, _copy_writable, _norm_date, _num, day_rate
from .util import money, new_id

# A quote moves only along these (the status itself always allowed). Xero refuses DRAFT → DECLINED and
# ACCEPTED → DECLINED (tried on a live organisation: XeroAPI/xero-mcp-server #309); an INVOICED quote can
# no longer be changed nor deleted, and a DELETED one is gone (Xero's quote status codes, spec
# QuoteStatusCodes). A new quote is DRAFT or SENT.
QUOTE_TRANSITIONS = {
    "DRAFT": ("DRAFT", "SENT", "DELETED"),
    "SENT": ("SENT", "DRAFT", "ACCEPTED", "DECLINED", "DELETED"),
    "ACCEPTED": ("ACCEPTED", "SENT", "INVOICED", "DELETED"),
    "DECLINED": ("DECLINED", "SENT", "DELETED"),
    "INVOICED": (),
    "DELETED": (),
}
QUOTE_NEW = ("DRAFT", "SENT")
# An account's class → the tax rate's flag that allows it (Xero's Tax Rates documentation, "Tax Rate Constraints":
# "certain tax rates can only be used with certain account types … the error 'The TaxType code 'xxx' cannot be used
# with account code 'xxx''").
_CAN_APPLY = {"ASSET": "CanApplyToAssets", "EQUITY": "CanApplyToEquity", "EXPENSE": "CanApplyToExpenses",
              "LIABILITY": "CanApplyToLiabilities", "REVENUE": "CanApplyToRevenue"}


class DocumentsMixin:
    def lines(self, lines_in, lat, sales, errs, require_account=False, require_lines=False, discounts=True):
        """Validate line items and compute amounts. Returns (lines, subtotal, total_tax, total, discount).

        ``discounts``: whether the document takes a line ``DiscountRate`` (sales invoices and quotes do; Xero's
        docs: "only supported on ACCREC invoices", bills and credit notes refuse it)."""
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
            if disc and not discounts:
                errs.append(f"Line item {i + 1}: discounts are not supported on this type of document")
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
                tax_type = tax_type or self.no_tax_type()
            elif not tax_type:
                tax_type = (acc or {}).get("TaxType") or ("OUTPUT" if sales else "INPUT")
            rate_rec = self.tax_rate(tax_type)
            if rate_rec is None:
                errs.append(f"The TaxType code '{tax_type}' does not exist or cannot be used with this type of transaction.")
                rate = 0.0
            else:
                tax_type = rate_rec["TaxType"]
                rate = float(rate_rec.get("EffectiveRate") or 0.0)
                # Xero, Tax Rates → "Tax Rate Constraints": a rate applies to some account classes only.
                flag = _CAN_APPLY.get((acc or {}).get("Class"))
                if flag and rate_rec.get(flag) is False:
                    errs.append(f"The TaxType code '{tax_type}' cannot be used with account code '{acc['Code']}'.")
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
                if status not in K["statuses"] + ("DELETED",):
                    raise Invalid([f"'{status}' is not a valid status for a quote"])
                if not QUOTE_TRANSITIONS[old]:
                    raise Invalid([f"{label} not of valid status for modification"])
                if status not in QUOTE_TRANSITIONS[old]:
                    raise Invalid([f"A quote cannot be changed from {old} to {status}"])
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
        elif status not in (QUOTE_NEW if coll == "Quotes" else K["statuses"]):
            errs.append(f"'{status}' is not a valid status for a new {label.lower()}")
        typ = new.get("Type")
        if coll != "Quotes":
            typ = str(typ or "").upper()
            if typ not in K["types"]:
                errs.append(f"{label} Type must be one of {', '.join(K['types'])}")
            new["Type"] = typ
        if typ == "ACCPAY":
            # Reference is "ACCREC only" (spec, Invoice.Reference): Xero ignores it on a bill, silently — the bill's
            # reference in Xero's web app is its InvoiceNumber (XeroAPI/xero-mcp-server #121,
            # XeroAPI/Xero-NetStandard #249). Not refused, not kept.
            new.pop("Reference", None)
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
                                                 require_lines=approved,
                                                 discounts=coll == "Quotes" or typ == "ACCREC")
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
        # the spec spells quotes' amount types in capitals (QuoteLineAmountTypes), invoices' in mixed case
        rec["LineAmountTypes"] = lat.upper() if coll == "Quotes" else lat
        rec["CurrencyCode"] = cur
        if rate in (None, ""):  # Xero takes the day's rate (XE.com) for a foreign currency
            rate = rec.get("CurrencyRate") or day_rate(self.org.base_currency, cur)
        rec["CurrencyRate"] = rate
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
               "Contacts": "ContactNumber", "Items": "Code", "Accounts": "Code",
               "PurchaseOrders": "PurchaseOrderNumber"}.get(coll)
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
