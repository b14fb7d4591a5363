"""Rendering of records and envelopes as Xero's JSON or XML."""
import json

import xmltodict

from .util import iso, ms_date, new_id, parse_date

# stored as 'YYYY-MM-DDT00:00:00'; JSON shows '/Date(ms+0000)/' and, where Xero does, a '<Field>String' twin
DATE_FIELDS = {"Date", "DueDate", "FullyPaidOnDate", "ExpiryDate", "ExpectedPaymentDate", "PlannedPaymentDate",
               "DeliveryDate", "ExpectedArrivalDate"}
STRING_TWINS = {"Date", "DueDate", "ExpiryDate"}
# timestamps stored as an ISO string or a JSON date: JSON always shows '/Date(ms+0000)/' (the spec's x-is-msdate-time)
DATETIME_FIELDS = {"CreatedDateUTC"}

SINGULAR = {
    "Addresses": "Address", "Currencies": "Currency", "TaxRates": "TaxRate", "Tracking": "TrackingCategory",
    "TrackingCategories": "TrackingCategory", "Elements": "DataContractBase", "Options": "Option",
    "TaxComponents": "TaxComponent", "ContactPersons": "ContactPerson", "ContactGroups": "ContactGroup",
    "Phones": "Phone", "LineItems": "LineItem", "Payments": "Payment", "CreditNotes": "CreditNote",
    "Prepayments": "Prepayment", "Overpayments": "Overpayment", "Allocations": "Allocation",
    "ValidationErrors": "ValidationError", "Warnings": "Warning", "Organisations": "Organisation",
    "Invoices": "Invoice", "Contacts": "Contact", "Quotes": "Quote", "PurchaseOrders": "PurchaseOrder", "Items": "Item", "Accounts": "Account",
    "BankTransactions": "BankTransaction", "BankTransfers": "BankTransfer", "ExternalLinks": "ExternalLink", "Attachments": "Attachment",
    "SalesTrackingCategories": "SalesTrackingCategory", "PurchasesTrackingCategories": "PurchasesTrackingCategory",
    "InvoiceAddresses": "InvoiceAddress", "TaxBreakdown": "TaxBreakdownComponent",
}


def _date_value(v, fmt):
    try:
        ts = parse_date(v)
    except ValueError:
        return v
    return ms_date(ts) if fmt == "json" else iso(ts)


def record_out(rec, fmt="json"):
    """Stored record -> the dict Xero would show (internal keys dropped, dates formatted)."""
    out = {}
    for k, v in rec.items():
        if k.startswith("_") or (v is None and fmt == "json"):  # Xero's JSON leaves out what has no value
            continue
        if k in DATE_FIELDS:
            if v in (None, ""):
                continue
            out[k] = _date_value(v, fmt)
            if fmt == "json" and k in STRING_TWINS:
                out[k + "String"] = v
        elif k in DATETIME_FIELDS and isinstance(v, str):
            out[k] = _date_value(v, fmt)
        elif isinstance(v, dict):
            out[k] = record_out(v, fmt)
        elif isinstance(v, list):
            out[k] = [record_out(x, fmt) if isinstance(x, dict) else x for x in v]
        else:
            out[k] = v
    if "_updated" in rec:
        out["UpdatedDateUTC"] = ms_date(rec["_updated"]) if fmt == "json" else iso(rec["_updated"], ms=True)
    return out


def _xml_value(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if v is None:
        return None
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
        return f"{v:.2f}" if v else "0.00"
    return str(v)


def to_xml_tree(obj, name=None):
    if isinstance(obj, dict):
        out = {}
        for k, v in obj.items():
            if k == "StatusAttributeString":
                out["@status"] = v
                continue
            if isinstance(v, list):
                child = SINGULAR.get(k) or (k[:-3] + "y" if k.endswith("ies") else k[:-1] if k.endswith("s") else k)
                items = [to_xml_tree(x, child) for x in v]
                out[k] = {child: items} if items else None
            else:
                out[k] = to_xml_tree(v, k)
        return out
    return _xml_value(obj)


def xml_bytes(root, body):
    return xmltodict.unparse({root: to_xml_tree(body)}, full_document=False).encode("utf-8")


def envelope(coll, records, fmt, provider, now, extra=None):
    """records: already rendered with record_out(fmt)."""
    body = {"Id": new_id(), "Status": "OK", "ProviderName": provider,
            "DateTimeUTC": ms_date(now) if fmt == "json" else iso(now, ms=True)}
    if extra:
        body.update(extra)
    body[coll] = records
    if fmt == "json":
        return json.dumps(body).encode("utf-8"), "application/json; charset=utf-8"
    return xml_bytes("Response", body), "text/xml; charset=utf-8"


def api_exception(fmt, message, elements=None, number=10, typ="ValidationException", coll=None):
    body = {"ErrorNumber": number, "Type": typ, "Message": message}
    if elements is not None:
        body["Elements"] = elements
    if fmt == "json":
        return json.dumps(body).encode("utf-8"), "application/json; charset=utf-8"
    xml = {"ErrorNumber": number, "Type": typ, "Message": message}
    if elements is not None:
        xml["Elements"] = {"DataContractBase": [dict(to_xml_tree(e), **{"@xsi:type": (coll or "Element")[:-1]})
                                                for e in elements]}
        return xmltodict.unparse({"ApiException": dict(xml, **{
            "@xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance"})}, full_document=False).encode(), \
            "text/xml; charset=utf-8"
    return xmltodict.unparse({"ApiException": xml}, full_document=False).encode(), "text/xml; charset=utf-8"


def problem(status, title, detail):
    """Xero's identity-style problem body (401/403/404/429...)."""
    return json.dumps({"Type": None, "Title": title, "Status": status, "Detail": detail}).encode(), \
        "application/json; charset=utf-8"
