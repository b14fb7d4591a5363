"""A big organisation written straight into the sandbox's store (benches and tests only; not part of Xero).

``seed_big_org(sb, org, scale)`` adds, at ``scale`` 1.0, what issue 18 calls the largest organisation on the
smallest plan: 50,000 contacts (30,000 customers, 10,000 suppliers, 10,000 archived former customers),
200,000 documents over five years (180,000 sales invoices, 10,000 sales credit notes, 10,000 bills) and
2,000 items. Deterministic: the same scale gives the same ids, names, amounts and dates. Nothing goes through
the API (no calls counted, no webhooks): each record is a copy of one template the sandbox's own writer made,
so the API answers these records exactly as it answers any other. How the API answers is not changed.
"""
import copy
import datetime
import uuid

from .seed import make_org

FULL = {"customers": 30_000, "suppliers": 10_000, "archived": 10_000, "invoices": 180_000,
        "credit_notes": 10_000, "bills": 10_000, "items": 2_000}
YEARS = 5
DAY = 86400.0


def sizes(scale):
    """The record counts at ``scale`` (at least one of each)."""
    return {kind: max(1, round(count * float(scale))) for kind, count in FULL.items()}


def _templates(sb, org):
    """One contact, invoice, credit note, bill and item written by the sandbox's writer into a scratch
    organisation with the same chart: the shape every bulk record is copied from."""
    scratch = make_org("scratch", org.tenant_id, org.base_currency, org.country, seed=False)
    for coll in ("Accounts", "TaxRates", "Currencies"):
        for rec in org.all(coll):
            scratch.put(coll, copy.deepcopy(rec))
    writer = sb.writer(scratch)
    writer.emit = lambda *args, **kwargs: None
    contact = writer.write("Contacts", {"Name": "Template", "EmailAddress": "t@example.com",
                                        "ContactNumber": "T-1"}, "POST")
    line = {"Description": "Goods", "Quantity": 1, "UnitAmount": 100, "AccountCode": "200"}
    doc = {"Status": "AUTHORISED", "Contact": {"ContactID": contact["ContactID"]}, "Date": "2024-01-02",
           "DueDate": "2024-02-01", "LineItems": [line]}
    invoice = writer.write("Invoices", dict(doc, Type="ACCREC"), "POST")
    bill = writer.write("Invoices", dict(doc, Type="ACCPAY", InvoiceNumber="B-1",
                                         LineItems=[dict(line, AccountCode="429")]), "POST")
    credit = writer.write("CreditNotes", dict(doc, Type="ACCRECCREDIT"), "POST")
    item = writer.write("Items", {"Code": "T-1", "Name": "Template item"}, "POST")
    return contact, invoice, credit, bill, item


def _document(template, idf, numf, number, rid, contact, when, amount, status):
    day = when - when % DAY
    date = _iso_date(day)
    line = dict(template["LineItems"][0], LineItemID=rid, UnitAmount=amount, LineAmount=amount,
                TaxAmount=round(amount * 0.15, 2))
    total = round(amount + line["TaxAmount"], 2)
    rec = dict(template, **{idf: rid, numf: number}, Contact={"ContactID": contact["ContactID"],
                                                               "Name": contact["Name"]},
               Date=date, LineItems=[line], SubTotal=amount, TotalTax=line["TaxAmount"], Total=total,
               Status=status, _created=when, _updated=when + 60)
    if "DueDate" in template:
        rec["DueDate"] = _iso_date(day + 30 * DAY)
        paid = total if status == "PAID" else 0.0
        rec.update(AmountPaid=paid, AmountDue=0.0 if status in ("PAID", "VOIDED") else total, Payments=[],
                   CreditNotes=[])
        if status == "PAID":
            rec["FullyPaidOnDate"] = rec["DueDate"]
    else:
        rec.update(RemainingCredit=0.0 if status == "PAID" else total, Payments=[], Allocations=[])
    return rec


def _iso_date(seconds):
    return datetime.datetime.fromtimestamp(seconds, datetime.UTC).strftime("%Y-%m-%dT00:00:00")


def seed_big_org(sb, org, scale=1.0):
    """Add a big organisation's records to ``org`` (call with the state's lock held). Returns the counts."""
    n = sizes(scale)
    contact_t, invoice_t, credit_t, bill_t, item_t = _templates(sb, org)
    now = sb.state.now()
    start = now - YEARS * 365 * DAY  # five years ago
    tenant = uuid.UUID(org.tenant_id)

    def rid(*parts):
        return str(uuid.uuid5(tenant, "big:" + ":".join(str(p) for p in parts)))

    contacts = []
    total_contacts = n["customers"] + n["suppliers"] + n["archived"]
    for i in range(total_contacts):
        kind = ("customer" if i < n["customers"] else
                "supplier" if i < n["customers"] + n["suppliers"] else "archived")
        when = start + i * (YEARS * 365 * DAY / 2) / total_contacts  # created over the first half
        rec = dict(contact_t, ContactID=rid("contact", i), Name=f"Big Org {kind.title()} {i:06d}",
                   EmailAddress=f"big{i:06d}@{kind}.example", ContactNumber=f"BIG-{i:06d}",
                   ContactStatus="ARCHIVED" if kind == "archived" else "ACTIVE",
                   IsCustomer=kind != "supplier", IsSupplier=kind == "supplier", Addresses=[], Phones=[],
                   ContactGroups=[], ContactPersons=[], _created=when, _updated=when)
        contacts.append(org.put("Contacts", rec))
    buyers = contacts[:n["customers"]] + contacts[n["customers"] + n["suppliers"]:]
    sellers = contacts[n["customers"]:n["customers"] + n["suppliers"]]
    span = YEARS * 365 * DAY - 2 * DAY
    documents = (("Invoices", invoice_t, "InvoiceID", "InvoiceNumber", "BIG-INV-", n["invoices"], buyers),
                 ("CreditNotes", credit_t, "CreditNoteID", "CreditNoteNumber", "BIG-CN-", n["credit_notes"], buyers),
                 ("Invoices", bill_t, "InvoiceID", "InvoiceNumber", "BIG-BILL-", n["bills"], sellers))
    for coll, template, idf, numf, prefix, count, partners in documents:
        for i in range(count):
            when = start + span * i / count  # oldest first, spread over the five years
            age = (now - when) / DAY
            status = "VOIDED" if i % 97 == 0 else ("AUTHORISED" if age < 60 else "PAID")
            amount = float(50 + (i * 37) % 950)
            org.put(coll, _document(template, idf, numf, f"{prefix}{i:07d}", rid(prefix, i),
                                    partners[(i * 7919) % len(partners)], when, amount, status))
    for i in range(n["items"]):
        when = start + i * DAY / 10
        org.put("Items", dict(item_t, ItemID=rid("item", i), Code=f"BIG-ITEM-{i:05d}", Name=f"Big Org Item {i:05d}",
                              _created=when, _updated=when))
    return {"contacts": total_contacts, **n}
