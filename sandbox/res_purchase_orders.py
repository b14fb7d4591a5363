"""Purchase orders (``/PurchaseOrders``): create, update, delete as Xero does (a mixin of ``resources.Writer``).

Xero's rules, and where they come from:

- Statuses DRAFT, SUBMITTED, AUTHORISED, BILLED, DELETED (spec 16.1.0, ``PurchaseOrder.Status``); a new purchase
  order is DRAFT, SUBMITTED or AUTHORISED (BILLED is Xero's own, when a bill is made from it; DELETED is how one
  is removed). Xero's purchase orders page: "Allows you to add or update purchase orders / Allows you to delete
  purchase orders" with ``PUT``/``POST`` only (no ``DELETE`` verb): a delete is a POST of ``Status: DELETED``.
- A contact is required, and the endpoint "does not create new contacts. You need to provide the ContactID or
  ContactNumber of an existing contact" (developer.xero.com/documentation/api/purchase-orders). LineItems are
  required too (same page).
- ``PurchaseOrderNumber``: "Unique alpha numeric code identifying purchase order (when missing will auto-generate
  from your Organisation Invoice Settings)" (spec): a second one of the same number is refused; Xero numbers
  the others ``PO-0001``…
- A BILLED or DELETED purchase order is no longer changed nor deleted; DRAFT, SUBMITTED and AUTHORISED ones are
  updated or deleted (XeroAPI/xero-mcp-server #297: update DRAFT/SUBMITTED, set AUTHORISED or DELETED; Xero's web
  app edits approved ones too).
- Lines as on bills (``PurchaseDetails`` of an item; no ``DiscountRate``: only ACCREC invoices take one).
- ``Date`` defaults to today; ``DeliveryDate`` and ``ExpectedArrivalDate`` are dates (spec).
"""
import copy

from .res_common import LAT, Invalid, NotFound, _copy_writable, _norm_date, _num, day_rate
from .util import day_string, new_id

PO_STATUSES = ("DRAFT", "SUBMITTED", "AUTHORISED", "BILLED", "DELETED")
PO_NEW = ("DRAFT", "SUBMITTED", "AUTHORISED")
PO_EDITABLE = ("DRAFT", "SUBMITTED", "AUTHORISED")
PO_READONLY = ("SubTotal", "TotalTax", "Total", "TotalDiscount", "HasAttachments", "PurchaseOrderID", "Type",
               "IsDiscounted", "Attachments")


class PurchaseOrdersMixin:
    def write_purchase_order(self, el, method, path_id=None):
        errs = []
        existing = None
        if path_id:
            existing = self.find("PurchaseOrders", path_id)
            if existing is None:
                raise NotFound(path_id)
        elif el.get("PurchaseOrderID"):
            existing = self.org.get("PurchaseOrders", el["PurchaseOrderID"])
            if existing is None:
                raise Invalid([f"Purchase Order with PurchaseOrderID '{el['PurchaseOrderID']}' could not be found"])
        new = copy.deepcopy(existing) if existing else {}
        new.update(_copy_writable(el, PO_READONLY))
        status = str(new.get("Status") or "DRAFT").upper()
        if status not in PO_STATUSES:
            raise Invalid([f"'{status}' is not a valid status for a purchase order"])
        new["Status"] = status
        if existing:
            if existing["Status"] not in PO_EDITABLE:
                raise Invalid(["Purchase Order not of valid status for modification"])
            if status == "BILLED":
                raise Invalid(["A purchase order is billed by creating a bill from it in Xero"])
            if status == "DELETED":  # a status change only: nothing else is validated or kept
                rec = copy.deepcopy(existing)
                rec["Status"] = "DELETED"
                return self._stamp("PurchaseOrders", rec, False)
        elif status not in PO_NEW:
            errs.append(f"'{status}' is not a valid status for a new purchase order")
        contact = None
        ref = new.get("Contact")
        if not isinstance(ref, dict) or not (ref.get("ContactID") or ref.get("ContactNumber")):
            errs.append("A Contact must be specified for this type of transaction")
        elif ref.get("ContactID"):
            contact = self.org.get("Contacts", ref["ContactID"])
            if contact is None:
                errs.append(f"Contact with ContactID '{ref['ContactID']}' could not be found")
        else:
            contact = self.org.lookup("Contacts", "ContactNumber", ref["ContactNumber"])
            if contact is None:  # never created from a purchase order
                errs.append(f"Contact with ContactNumber '{ref['ContactNumber']}' could not be found")
        if contact is not None and contact.get("ContactStatus") == "ARCHIVED":
            errs.append(f"The contact '{contact.get('Name')}' is archived and cannot be used")
        date = _norm_date(new.get("Date"), "Date", errs) or day_string(self.now)
        delivery = _norm_date(new.get("DeliveryDate"), "DeliveryDate", errs)
        arrival = _norm_date(new.get("ExpectedArrivalDate"), "ExpectedArrivalDate", errs)
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
        lines, sub, tax, total, disc = self.lines(new.get("LineItems"), lat, False, errs, require_account=False,
                                                 require_lines=True, discounts=False)
        number = new.get("PurchaseOrderNumber")
        if number not in (None, ""):
            number = str(number).strip()
            other = self.org.lookup("PurchaseOrders", "PurchaseOrderNumber", number)
            if other is not None and (not existing or other["PurchaseOrderID"] != existing["PurchaseOrderID"]):
                errs.append("Purchase Order number must be unique")
            if len(number) > 255:
                errs.append("PurchaseOrderNumber must not exceed 255 characters")
        if len(str(new.get("DeliveryInstructions") or "")) > 500:
            errs.append("DeliveryInstructions must not exceed 500 characters")
        if errs:
            raise Invalid(errs)
        # ---- commit
        rec = new
        rec["PurchaseOrderID"] = existing["PurchaseOrderID"] if existing else new_id()
        if number in (None, ""):
            while True:
                number = f"PO-{self.org.next_number('PO-'):04d}"
                if self.org.lookup("PurchaseOrders", "PurchaseOrderNumber", number) is None:
                    break
        rec["PurchaseOrderNumber"] = number
        rec["Type"] = "PURCHASEORDER"
        rec["Contact"] = self.contact_summary(contact)
        rec["Date"] = date
        rec["DeliveryDate"] = delivery
        rec["ExpectedArrivalDate"] = arrival
        rec["LineAmountTypes"] = lat
        rec["CurrencyCode"] = cur
        if rate in (None, ""):  # Xero takes the day's rate (XE.com) for a foreign currency
            rate = rec.get("CurrencyRate") or day_rate(self.org.base_currency, cur)
        rec["CurrencyRate"] = rate
        rec["LineItems"] = lines
        rec["SubTotal"], rec["TotalTax"], rec["Total"] = sub, tax, total
        rec["TotalDiscount"] = disc
        rec["IsDiscounted"] = False
        rec.setdefault("SentToContact", False)
        rec.setdefault("HasErrors", False)
        rec.setdefault("HasAttachments", False)
        return self._stamp("PurchaseOrders", rec, existing is None)
