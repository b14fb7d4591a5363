"""The sandbox's Accounting API enforces Xero's reading and writing rules."""
import time
import xml.etree.ElementTree as ET

import pytest
import requests


def _inv(contact="Acme Ltd", status="DRAFT", **kw):
    d = {"Type": "ACCREC", "Contact": {"Name": contact}, "Date": "2026-01-31", "DueDate": "2026-02-28",
         "Status": status, "LineItems": [{"Description": "Widget", "Quantity": 2, "UnitAmount": 50,
                                          "AccountCode": "200", "TaxType": "OUTPUT"}]}
    d.update(kw)
    return d


def test_xml_by_default_json_on_request(sandbox_client):
    c = sandbox_client
    r = c.get("Organisation", json_accept=False)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/xml")
    root = ET.fromstring(r.content)
    assert root.tag == "Response" and root.find("Status").text == "OK"
    assert root.find("Organisations/Organisation/Name").text == "Demo Company (Global)"
    r = c.get("Organisation")
    body = r.json()
    assert body["Status"] == "OK" and body["DateTimeUTC"].startswith("/Date(")
    assert body["Organisations"][0]["BaseCurrency"] == "USD"
    # XML error body
    r = c.put("Contacts", {"Contacts": [{"Name": ""}]}, json_accept=False)
    assert r.status_code == 400
    err = ET.fromstring(r.content)
    assert err.tag == "ApiException" and err.find("ErrorNumber").text == "10"
    assert err.find("Type").text == "ValidationException"
    assert err.find("Elements/DataContractBase/ValidationErrors/ValidationError/Message") is not None


def test_invoice_totals_numbering_and_json_dates(sandbox_client):
    c = sandbox_client
    r = c.put("Invoices", {"Invoices": [_inv(status="AUTHORISED"), _inv(LineAmountTypes="Inclusive"),
                                        _inv(LineAmountTypes="NoTax", InvoiceNumber="MY-1")]})
    assert r.status_code == 200, r.text
    a, b, n = r.json()["Invoices"]
    assert a["InvoiceNumber"] == "INV-0001" and b["InvoiceNumber"] == "INV-0002" and n["InvoiceNumber"] == "MY-1"
    assert (a["SubTotal"], a["TotalTax"], a["Total"], a["AmountDue"]) == (100.0, 15.0, 115.0, 115.0)
    assert (b["SubTotal"], b["TotalTax"], b["Total"]) == (86.96, 13.04, 100.0)
    assert (n["TotalTax"], n["Total"]) == (0.0, 100.0)
    assert a["Date"] == "/Date(1769817600000+0000)/" and a["DateString"] == "2026-01-31T00:00:00"
    assert a["UpdatedDateUTC"].startswith("/Date(") and a["StatusAttributeString"] == "OK"
    # the contact was created by name, like Xero does
    contacts = c.get("Contacts").json()["Contacts"]
    assert [x["Name"] for x in contacts] == ["Acme Ltd"]
    # unique number, lookup by number, 404
    r = c.put("Invoices", {"Invoices": [_inv(InvoiceNumber="INV-0001")]})
    assert r.status_code == 400 and "must be unique" in r.text
    assert c.get("Invoices/INV-0002").json()["Invoices"][0]["InvoiceID"] == b["InvoiceID"]
    assert c.get("Invoices/00000000-0000-0000-0000-000000000001").status_code == 404


def test_invoice_validation_rules(sandbox_client):
    c = sandbox_client
    bad = [
        (_inv(Type="SALES"), "Type"),
        (_inv(Contact={"ContactID": "00000000-0000-0000-0000-000000000009"}), "could not be found"),
        (_inv(LineItems=[{"Description": "x", "Quantity": 1, "UnitAmount": 1, "AccountCode": "999"}]), "Account code"),
        (_inv(LineItems=[{"Description": "x", "Quantity": 1, "UnitAmount": 1, "AccountCode": "200", "TaxType": "ZZZ"}]), "TaxType"),
        (_inv(LineItems=[{"ItemCode": "NOPE", "Quantity": 1}]), "Item code"),
        (_inv(status="AUTHORISED", DueDate=None), "Due Date"),
        (_inv(status="AUTHORISED", LineItems=[]), "line items"),
        (_inv(CurrencyCode="JPY"), "not subscribed to currency JPY"),
        (_inv(LineItems=[{"Description": "x", "Quantity": 1, "UnitAmount": 1, "AccountCode": "200",
                          "Tracking": [{"Name": "Region", "Option": "North"}]}]), "tracking category"),
    ]
    r = c.put("Invoices?summarizeErrors=false", {"Invoices": [b for b, _ in bad]})
    assert r.status_code == 200
    out = r.json()["Invoices"]
    for (_b, needle), o in zip(bad, out, strict=True):
        assert o["StatusAttributeString"] == "ERROR"
        assert any(needle.lower() in e["Message"].lower() for e in o["ValidationErrors"]), (needle, o["ValidationErrors"])
    assert c.get("Invoices").json()["Invoices"] == []
    # a foreign currency of the org is fine, with its rate stored
    r = c.put("Invoices", {"Invoices": [_inv(CurrencyCode="EUR", CurrencyRate=1.1)]})
    assert r.status_code == 200 and r.json()["Invoices"][0]["CurrencyRate"] == 1.1


def test_summarize_errors_both_ways_with_bad_element_in_the_middle(sandbox_client):
    c = sandbox_client
    batch = [_inv(Reference=f"R{i}") for i in range(50)]
    batch[25]["LineItems"][0]["AccountCode"] = "999"
    r = c.put("Invoices?summarizeErrors=false", {"Invoices": batch})
    assert r.status_code == 200
    out = r.json()["Invoices"]
    assert len(out) == 50
    assert [o["StatusAttributeString"] for o in out].count("ERROR") == 1
    assert out[25]["StatusAttributeString"] == "ERROR" and out[25]["ValidationErrors"]
    assert out[25]["InvoiceID"] == "00000000-0000-0000-0000-000000000000"
    assert all(o["InvoiceID"] != "00000000-0000-0000-0000-000000000000" for i, o in enumerate(out) if i != 25)
    assert len(c.get("Invoices").json()["Invoices"]) == 49
    # default summarizeErrors=true: 400, yet the 49 valid ones ARE created and their ids not returned
    batch2 = [_inv(Reference=f"S{i}") for i in range(50)]
    batch2[25]["LineItems"][0]["AccountCode"] = "999"
    r = c.put("Invoices", {"Invoices": batch2})
    assert r.status_code == 400
    body = r.json()
    assert body["ErrorNumber"] == 10 and body["Type"] == "ValidationException"
    assert body["Message"] == "A validation exception occurred"
    assert len(body["Elements"]) == 1 and body["Elements"][0]["ValidationErrors"]
    assert "Invoices" not in body
    refs = [i["Reference"] for i in c.get("Invoices").json()["Invoices"]]
    assert len(refs) == 98 and "S24" in refs and "S26" in refs and "S25" not in refs


def test_paging_if_modified_since_ids_statuses_where(sandbox_client):
    c = sandbox_client
    r = c.put("Invoices", {"Invoices": [_inv(Reference=f"P{i}", status="AUTHORISED" if i % 3 == 0 else "DRAFT")
                                        for i in range(25)]})
    assert r.status_code == 200
    invs = r.json()["Invoices"]
    p1 = c.get("Invoices", params={"page": 1, "pageSize": 10}).json()
    assert len(p1["Invoices"]) == 10 and p1["Invoices"][0]["LineItems"]
    assert p1["pagination"] == {"page": 1, "pageSize": 10, "pageCount": 3, "itemCount": 25}
    assert len(c.get("Invoices", params={"page": 3, "pageSize": 10}).json()["Invoices"]) == 5
    assert c.get("Invoices", params={"page": 4, "pageSize": 10}).json()["Invoices"] == []
    assert "LineItems" not in c.get("Invoices").json()["Invoices"][0]  # no paging: no lines, like Xero
    for bad in ("0", "1001", "abc"):
        assert c.get("Invoices", params={"page": 1, "pageSize": bad}).status_code == 400
    ids = [invs[1]["InvoiceID"], invs[4]["InvoiceID"]]
    got = c.get("Invoices", params={"IDs": ",".join(ids)}).json()["Invoices"]
    assert sorted(i["InvoiceID"] for i in got) == sorted(ids)
    assert len(c.get("Invoices", params={"Statuses": "AUTHORISED"}).json()["Invoices"]) == 9
    assert len(c.get("Invoices", params={"InvoiceNumbers": "INV-0001,INV-0002"}).json()["Invoices"]) == 2
    contact_id = invs[0]["Contact"]["ContactID"]
    assert len(c.get("Invoices", params={"ContactIDs": contact_id}).json()["Invoices"]) == 25
    w = c.get("Invoices", params={"where": 'Status=="AUTHORISED" AND Reference=="P3"'}).json()["Invoices"]
    assert [i["Reference"] for i in w] == ["P3"]
    w = c.get("Invoices", params={"where": f'Contact.ContactID==guid("{contact_id}") && Reference.Contains("P2")'})
    assert sorted(i["Reference"] for i in w.json()["Invoices"]) == ["P2", "P20", "P21", "P22", "P23", "P24"]
    w = c.get("Invoices", params={"where": 'Reference=="P1" OR Reference=="P2"', "order": "Reference DESC"})
    assert [i["Reference"] for i in w.json()["Invoices"]] == ["P2", "P1"]
    assert c.get("Invoices", params={"where": 'Status=="AUTH'}).status_code == 400
    # If-Modified-Since: only what changed since
    c.control("POST", "clock", {"advance": 5})
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(c.h.app.state.now()))
    c.control("POST", "clock", {"advance": 2})
    r = c.post("Invoices", {"Invoices": [{"InvoiceID": invs[7]["InvoiceID"], "Reference": "changed"}]})
    assert r.status_code == 200, r.text
    got = c.get("Invoices", headers={"If-Modified-Since": stamp}).json()["Invoices"]
    assert [i["Reference"] for i in got] == ["changed"]
    rfc = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(c.h.app.state.now() - 1))
    assert len(c.get("Invoices", headers={"If-Modified-Since": rfc}).json()["Invoices"]) == 1


@pytest.mark.spec_violations_expected
def test_contacts_unique_name_archive_and_lookup(sandbox_client):
    c = sandbox_client
    r = c.put("Contacts", {"Contacts": [{"Name": "Bolt Co", "ContactNumber": "P-001", "EmailAddress": "a@b.co",
                                         "IsCustomer": True}]})
    assert r.status_code == 200
    cid = r.json()["Contacts"][0]["ContactID"]
    assert r.json()["Contacts"][0]["IsCustomer"] is False  # read-only, set by Xero
    r = c.put("Contacts", {"Contacts": [{"Name": "bolt co"}]})
    assert r.status_code == 400
    assert "already assigned to another contact" in r.json()["Elements"][0]["ValidationErrors"][0]["Message"]
    assert c.put("Contacts", {"Contacts": [{"Name": "Long", "ContactNumber": "x" * 51}]}).status_code == 400
    assert c.get("Contacts/P-001").json()["Contacts"][0]["ContactID"] == cid
    got = c.get("Contacts", params={"where": 'EmailAddress=="a@b.co"'}).json()["Contacts"]
    assert [x["ContactID"] for x in got] == [cid]
    # archive frees the name; archived contacts are hidden unless includeArchived
    assert c.post(f"Contacts/{cid}", {"Contacts": [{"ContactStatus": "ARCHIVED"}]}).status_code == 200
    assert c.get("Contacts").json()["Contacts"] == []
    assert len(c.get("Contacts", params={"includeArchived": "true"}).json()["Contacts"]) == 1
    assert c.put("Contacts", {"Contacts": [{"Name": "Bolt Co"}]}).status_code == 200
    # POST by ContactNumber updates
    r = c.post("Contacts", {"Contacts": [{"ContactNumber": "P-001", "Name": "Bolt Old"}]})
    assert r.status_code == 200 and r.json()["Contacts"][0]["ContactID"] == cid


def test_idempotency_key_replays_and_creates_nothing(sandbox_client):
    c = sandbox_client
    h = {"Idempotency-Key": "job-42-attempt"}
    r1 = c.put("Invoices", {"Invoices": [_inv()]}, headers=h)
    r2 = c.put("Invoices", {"Invoices": [_inv()]}, headers=h)
    assert r1.status_code == r2.status_code == 200
    assert r1.json()["Invoices"][0]["InvoiceID"] == r2.json()["Invoices"][0]["InvoiceID"]
    assert len(c.get("Invoices").json()["Invoices"]) == 1
    assert c.put("Invoices", {"Invoices": [_inv()]}, headers={"Idempotency-Key": "k" * 129}).status_code == 400
    log = c.control("GET", "log").json()
    assert log[-1]["idempotency_key"] == "k" * 129 and "access_token" not in str(log)


def test_lost_response_write_applied_client_sees_failure(sandbox_client):
    c = sandbox_client
    c.control("POST", "faults", {"kind": "lost_response", "tenant": c.tenant, "method": "PUT", "path": "/Invoices"})
    h = {"Idempotency-Key": "lost-1"}
    try:
        r = c.put("Invoices", {"Invoices": [_inv(Reference="LOST")]}, headers=h, timeout=5)
        failed = r.status_code >= 500
    except requests.ConnectionError:
        failed = True
    assert failed
    got = c.get("Invoices", params={"where": 'Reference=="LOST"'}).json()["Invoices"]
    assert len(got) == 1  # applied
    r = c.put("Invoices", {"Invoices": [_inv(Reference="LOST")]}, headers=h)  # retry with the key
    assert r.status_code == 200 and r.json()["Invoices"][0]["InvoiceID"] == got[0]["InvoiceID"]
    assert len(c.get("Invoices").json()["Invoices"]) == 1


def test_other_faults(sandbox_client):
    c = sandbox_client
    c.control("POST", "faults", {"kind": "503", "count": 1, "path": "/Contacts"})
    c.control("POST", "faults", {"kind": "reset", "count": 1, "path": "/Items"})
    c.control("POST", "faults", {"kind": "429", "problem": "day", "count": 1, "path": "/Accounts"})
    assert c.get("Contacts").status_code == 503
    assert c.get("Contacts").status_code == 200
    try:
        c.get("Items", timeout=5)
        raise AssertionError("connection should have been dropped")
    except requests.ConnectionError:
        pass
    r = c.get("Accounts")
    assert r.status_code == 429 and r.headers["X-Rate-Limit-Problem"] == "day"
    c.control("POST", "faults", {"kind": "500", "rate": 0.5, "seed": 7, "path": "/TaxRates"})
    codes = [c.get("TaxRates").status_code for _ in range(20)]
    assert 500 in codes and 200 in codes
    c.control("DELETE", "faults")
    assert c.get("TaxRates").status_code == 200


def test_invoice_edit_rules_and_payments(sandbox_client):
    c = sandbox_client
    inv = c.put("Invoices", {"Invoices": [_inv(status="AUTHORISED")]}).json()["Invoices"][0]
    iid = inv["InvoiceID"]
    pay = {"Invoice": {"InvoiceID": iid}, "Account": {"Code": "090"}, "Date": "2026-02-02", "Amount": 15}
    r = c.put("Payments", {"Payments": [dict(pay, Account={"Code": "610"})]})
    assert r.status_code == 400 and "Payments can only be made to or from bank accounts" in r.text
    r = c.put("Payments", {"Payments": [dict(pay, Amount=115.01)]})
    assert r.status_code == 400 and "exceeds the amount outstanding" in r.text
    draft = c.put("Invoices", {"Invoices": [_inv()]}).json()["Invoices"][0]
    r = c.put("Payments", {"Payments": [dict(pay, Invoice={"InvoiceID": draft["InvoiceID"]})]})
    assert r.status_code == 400
    assert c.put("Payments", {"Payments": [pay]}).status_code == 200
    got = c.get(f"Invoices/{iid}").json()["Invoices"][0]
    assert (got["AmountPaid"], got["AmountDue"], got["Status"]) == (15.0, 100.0, "AUTHORISED")
    r = c.post("Invoices", {"Invoices": [{"InvoiceID": iid, "Reference": "edit"}]})
    assert r.status_code == 400 and "not of valid status for modification" in r.text
    r = c.put("Payments", {"Payments": [dict(pay, Account={"Code": "615"}, Amount=100, Invoice={"InvoiceNumber": inv["InvoiceNumber"]})]})
    assert r.status_code == 200
    got = c.get(f"Invoices/{iid}").json()["Invoices"][0]
    assert got["Status"] == "PAID" and got["AmountDue"] == 0 and got["FullyPaidOnDate"].startswith("/Date(")
    # void / delete transitions
    a2 = c.put("Invoices", {"Invoices": [_inv(status="AUTHORISED")]}).json()["Invoices"][0]
    assert c.post("Invoices", {"Invoices": [{"InvoiceID": a2["InvoiceID"], "Status": "DELETED"}]}).status_code == 400
    assert c.post("Invoices", {"Invoices": [{"InvoiceID": a2["InvoiceID"], "Status": "VOIDED"}]}).status_code == 200
    assert c.post("Invoices", {"Invoices": [{"InvoiceID": draft["InvoiceID"], "Status": "DELETED"}]}).status_code == 200
    raw = c.control("GET", f"orgs/{c.tenant}/Invoices").json()["Invoices"]
    assert sorted(i["Status"] for i in raw) == ["DELETED", "PAID", "VOIDED"]
    # IsCustomer set by Xero on sales
    assert c.get("Contacts").json()["Contacts"][0]["IsCustomer"] is True


def test_credit_notes_quotes_and_refund(sandbox_client):
    c = sandbox_client
    cn = {"Type": "ACCRECCREDIT", "Contact": {"Name": "Acme Ltd"}, "Date": "2026-01-31", "Status": "AUTHORISED",
          "LineItems": [{"Description": "refund", "Quantity": 1, "UnitAmount": 20, "AccountCode": "200"}]}
    r = c.put("CreditNotes", {"CreditNotes": [cn]})
    assert r.status_code == 200, r.text
    note = r.json()["CreditNotes"][0]
    assert note["CreditNoteNumber"] == "CN-0001" and note["Total"] == 23.0 and note["RemainingCredit"] == 23.0
    r = c.put("Payments", {"Payments": [{"CreditNote": {"CreditNoteID": note["CreditNoteID"]},
                                         "Account": {"Code": "090"}, "Amount": 23, "Date": "2026-02-01"}]})
    assert r.status_code == 200 and r.json()["Payments"][0]["PaymentType"] == "ARCREDITPAYMENT"
    assert c.get(f"CreditNotes/{note['CreditNoteID']}").json()["CreditNotes"][0]["Status"] == "PAID"
    q = {"Contact": {"Name": "Acme Ltd"}, "Date": "2026-01-31", "Reference": "SO001",
         "LineItems": [{"Description": "x", "Quantity": 1, "UnitAmount": 10, "AccountCode": "200"}]}
    r = c.put("Quotes", {"Quotes": [q, dict(q, Date=None)]}, params={"summarizeErrors": "false"})
    out = r.json()["Quotes"]
    assert out[0]["QuoteNumber"] == "QU-0001" and out[0]["Status"] == "DRAFT" and out[1]["StatusAttributeString"] == "ERROR"
    qid = out[0]["QuoteID"]
    for st in ("SENT", "ACCEPTED", "INVOICED"):
        assert c.post(f"Quotes/{qid}", {"Quotes": [{"Status": st}]}).status_code == 200
    assert c.get("Quotes", params={"Statuses": "INVOICED"}).json()["Quotes"][0]["QuoteID"] == qid


@pytest.mark.spec_violations_expected
def test_items_accounts_taxrates_currencies_banktransactions(sandbox_client):
    c = sandbox_client
    assert c.put("Items", {"Items": [{"Name": "no code"}]}).status_code == 400
    r = c.put("Items", {"Items": [{"Code": "W1", "Name": "Widget", "SalesDetails": {"UnitPrice": 9.5, "AccountCode": "200"}},
                                  {"Code": "T1", "Name": "Tracked", "IsTrackedAsInventory": True}]},
              params={"summarizeErrors": "false"})
    a, b = r.json()["Items"]
    assert a["StatusAttributeString"] == "OK" and b["StatusAttributeString"] == "ERROR"
    assert c.put("Items", {"Items": [{"Code": "w1"}]}).status_code == 400
    r = c.put("Items", {"Items": [{"Code": "T1", "IsTrackedAsInventory": True, "InventoryAssetAccountCode": "630",
                                   "PurchaseDetails": {"COGSAccountCode": "310"}, "QuantityOnHand": 50}]})
    assert r.status_code == 200 and r.json()["Items"][0]["QuantityOnHand"] == 0
    c.control("POST", f"orgs/{c.tenant}/Items/T1/stock", {"QuantityOnHand": 7})
    assert c.get("Items/T1").json()["Items"][0]["QuantityOnHand"] == 7
    inv = c.put("Invoices", {"Invoices": [{"Type": "ACCREC", "Contact": {"Name": "I"}, "LineItems": [{"ItemCode": "W1", "Quantity": 2}]}]})
    line = inv.json()["Invoices"][0]["LineItems"][0]
    assert (line["UnitAmount"], line["AccountCode"], line["LineAmount"]) == (9.5, "200", 19.0)
    # accounts
    r = c.put("Accounts", {"Code": "095", "Name": "Stripe Clearing", "Type": "BANK", "BankAccountNumber": "111"})
    assert r.status_code == 200 and r.json()["Accounts"][0]["Class"] == "ASSET"
    assert c.put("Accounts", {"Code": "096", "Name": "No number", "Type": "BANK"}).status_code == 400
    assert c.put("Accounts", {"Code": "097", "Name": "Card", "Type": "CREDITCARD"}).status_code == 400
    assert c.put("Accounts", {"Code": "095", "Name": "Dup code", "Type": "EXPENSE"}).status_code == 400
    assert c.put("Accounts", {"Code": "12345678901", "Name": "Long", "Type": "EXPENSE"}).status_code == 400
    assert len(c.get("Accounts", params={"where": 'Type=="BANK"'}).json()["Accounts"]) == 3
    # tax rates and currencies
    r = c.put("TaxRates", {"TaxRates": [{"Name": "State Tax", "TaxComponents": [{"Name": "S", "Rate": 2.25}]}]})
    tt = r.json()["TaxRates"][0]
    assert tt["EffectiveRate"] == 2.25 and tt["TaxType"].startswith("TAX")
    assert c.put("Currencies", {"Code": "NZD", "Description": "NZ Dollar"}).status_code == 200
    assert "NZD" in [x["Code"] for x in c.get("Currencies").json()["Currencies"]]
    # bank transactions: bank fees SPEND on a BANK account
    bt = {"Type": "SPEND", "Contact": {"Name": "Stripe"}, "BankAccount": {"Code": "095"},
          "LineItems": [{"Description": "fees", "UnitAmount": 2.9, "AccountCode": "404"}]}
    r = c.put("BankTransactions", {"BankTransactions": [bt]})
    assert r.status_code == 200 and r.json()["BankTransactions"][0]["Total"] == 2.9
    assert c.put("BankTransactions", {"BankTransactions": [dict(bt, BankAccount={"Code": "200"})]}).status_code == 400


def test_tracking_categories_two_active_rule(sandbox_client):
    c = sandbox_client
    r = c.put("TrackingCategories", {"Name": "Region"})
    assert r.status_code == 200
    region = r.json()["TrackingCategories"][0]["TrackingCategoryID"]
    assert c.put("TrackingCategories", {"Name": "region"}).status_code == 400  # name unique
    assert c.put("TrackingCategories", {"Name": "Channel"}).status_code == 200
    r = c.put("TrackingCategories", {"Name": "Third"})
    assert r.status_code == 400 and "You can only have 2 active tracking categories" in r.text
    r = c.put(f"TrackingCategories/{region}/Options", {"Options": [{"Name": "North"}, {"Name": "South"}]})
    assert r.status_code == 200 and len(r.json()["Options"]) == 2
    assert c.put(f"TrackingCategories/{region}/Options", {"Options": [{"Name": "north"}]}).status_code == 400
    line = {"Description": "x", "Quantity": 1, "UnitAmount": 1, "AccountCode": "200",
            "Tracking": [{"Name": "Region", "Option": "North"}]}
    ok = c.put("Invoices", {"Invoices": [_inv(LineItems=[line])]})
    assert ok.status_code == 200 and ok.json()["Invoices"][0]["LineItems"][0]["Tracking"][0]["Option"] == "North"
    bad = dict(line, Tracking=[{"Name": "Region", "Option": "East"}])
    assert c.put("Invoices", {"Invoices": [_inv(LineItems=[bad])]}).status_code == 400
    # archiving one frees a slot; rename via POST
    assert c.post(f"TrackingCategories/{region}", {"Status": "ARCHIVED"}).status_code == 200
    assert c.put("TrackingCategories", {"Name": "Third"}).status_code == 200
    assert c.put("Invoices", {"Invoices": [_inv(LineItems=[line])]}).status_code == 400  # archived category
    assert c.post(f"TrackingCategories/{region}", {"Status": "ACTIVE"}).status_code == 400
    c.h.app.config["tracking_option_limit"] = 3
    cat = c.get("TrackingCategories").json()["TrackingCategories"][0]["TrackingCategoryID"]
    assert c.put(f"TrackingCategories/{cat}/Options", {"Options": [{"Name": f"O{i}"} for i in range(4)]}).status_code == 400
    assert c.put(f"TrackingCategories/{cat}/Options", {"Options": [{"Name": f"O{i}"} for i in range(3)]}).status_code == 200


@pytest.mark.spec_violations_expected
def test_spec_validation_catches_wrong_type_but_accepts_xero_forms(sandbox_client):
    c = sandbox_client
    r = c.put("Invoices", {"Invoices": [_inv(LineItems=[{"Description": "x", "Quantity": "two", "UnitAmount": 5,
                                                         "AccountCode": "200"}])]})
    assert r.status_code == 400
    msg = r.json()["Elements"][0]["ValidationErrors"][0]["Message"]
    assert "Invoices[0].LineItems[0].Quantity" in msg
    assert c.control("GET", "spec-violations").json()[-1]["field"] == "Invoices[0].LineItems[0].Quantity"
    r = c.put("Contacts", {"Contacts": [{"Name": "Typed", "Addresses": "street"}]})
    assert r.status_code == 400 and "Addresses" in r.text
    # what Xero accepts: plain dates, numbers as numbers or numeric strings, nulls
    ok = _inv(Date="2026-01-31", Reference=None, LineItems=[{"Description": "x", "Quantity": "2", "UnitAmount": 5.5,
                                                             "AccountCode": "200"}])
    assert c.put("Invoices", {"Invoices": [ok]}).status_code == 200


def test_body_limit_and_bad_json(sandbox_client):
    c = sandbox_client
    big = {"Contacts": [{"Name": "n" + str(i), "Notes": "x" * 1000} for i in range(3600)]}
    assert c.put("Contacts", big).status_code == 413
    r = c.api("PUT", "Contacts", data=b"{not json", headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and r.json()["Type"] == "PostDataInvalidException"


def test_control_seed_and_big_runs(sandbox_client):
    c = sandbox_client
    r = c.control("POST", f"orgs/{c.tenant}/Contacts", {"Contacts": [{"Name": f"Customer {i:05d}"} for i in range(10000)]})
    assert r.status_code == 200 and r.json()["errors"] == 0
    assert c.get("Contacts", params={"page": 100}).json()["Contacts"][-1]["Name"] == "Customer 09999"
    for b in range(20):
        r = c.put("Invoices?summarizeErrors=false", {"Invoices": [_inv(contact=f"Customer {b * 50 + i:05d}")
                                                                  for i in range(50)]})
        assert r.status_code == 200
    assert len(c.control("GET", f"orgs/{c.tenant}/Invoices").json()["Invoices"]) == 1000
    assert len(c.get("Contacts", params={"pageSize": 1000, "page": 1}).json()["Contacts"]) == 1000


def test_reset_and_new_org(sandbox_client):
    c = sandbox_client
    org = c.control("POST", "orgs", {"name": "Starter Co", "tier": "starter", "base_currency": "NZD"}).json()
    assert org["tier"] == "starter"
    accounts = c.control("GET", f"orgs/{org['tenant_id']}/Accounts").json()["Accounts"]
    assert any(a["Code"] == "090" and a["Type"] == "BANK" for a in accounts)
    au = c.control("POST", "orgs", {"name": "Wombat Pty", "base_currency": "AUD", "country": "AU"}).json()
    bank = {"Type": "BANK", "Name": "Stripe", "Code": "STRIPE"}
    for number, ok in (("STRIPE-CLEARING", False), ("12345", False), ("062-000 12345678", True)):
        out = c.control("POST", f"orgs/{au['tenant_id']}/Accounts",
                        {"Accounts": [dict(bank, BankAccountNumber=number)]}).json()["Accounts"][0]
        assert (out["StatusAttributeString"] == "OK") is ok, (number, out)
        if not ok:
            assert "BSB" in out["ValidationErrors"][0]["Message"]
    c.put("Contacts", {"Contacts": [{"Name": "Gone"}]})
    c.control("POST", "reset")
    assert len(c.control("GET", "orgs").json()) == 2
    assert c.get("Contacts").status_code == 401  # tokens are gone with the reset


def test_payment_delete_reopens_invoice_and_xml_request_body(sandbox_client):
    c = sandbox_client
    inv = c.put("Invoices", {"Invoices": [_inv(status="AUTHORISED")]}).json()["Invoices"][0]
    pay = c.put("Payments", {"Payments": [{"Invoice": {"InvoiceID": inv["InvoiceID"]}, "Account": {"Code": "090"},
                                           "Amount": 115, "Date": "2026-02-02"}]}).json()["Payments"][0]
    assert c.get(f"Invoices/{inv['InvoiceID']}").json()["Invoices"][0]["Status"] == "PAID"
    assert c.post(f"Payments/{pay['PaymentID']}", {"Status": "DELETED"}).status_code == 200
    got = c.get(f"Invoices/{inv['InvoiceID']}").json()["Invoices"][0]
    assert (got["Status"], got["AmountDue"], got["AmountPaid"]) == ("AUTHORISED", 115.0, 0.0)
    again = c.put("Payments", {"Payments": [{"Invoice": {"InvoiceID": inv["InvoiceID"]}, "Account": {"Code": "090"},
                                             "Amount": 115, "Date": "2026-02-03"}]}).json()["Payments"][0]
    assert c.control("POST", f"orgs/{c.tenant}/Payments/{again['PaymentID']}/reconcile").status_code == 200
    refused = c.post(f"Payments/{again['PaymentID']}", {"Status": "DELETED"})
    assert refused.status_code == 400 and "reconciled" in refused.text
    assert c.get(f"Invoices/{inv['InvoiceID']}").json()["Invoices"][0]["Status"] == "PAID"
    xml = b"<Contacts><Contact><Name>Xml Body Ltd</Name><EmailAddress>x@y.org</EmailAddress></Contact></Contacts>"
    r = c.api("PUT", "Contacts", data=xml, headers={"Content-Type": "application/xml"})
    assert r.status_code == 200, r.text
    assert r.json()["Contacts"][0]["Name"] == "Xml Body Ltd"


@pytest.mark.spec_violations_expected
def test_bank_transfers(sandbox_client):
    c = sandbox_client
    c.put("Accounts", {"Code": "STRIPE", "Name": "Stripe", "Type": "BANK", "BankAccountNumber": "STRIPE-CLEARING"})
    c.put("Accounts", {"Code": "EURB", "Name": "Euro Bank", "Type": "BANK", "BankAccountNumber": "1", "CurrencyCode": "EUR"})
    transfer = {"FromBankAccount": {"Code": "STRIPE"}, "ToBankAccount": {"Code": "090"}, "Amount": 46.31,
                "Date": "2026-03-04", "Reference": "Stripe payout po_1"}
    r = c.put("BankTransfers", {"BankTransfers": [transfer]})
    assert r.status_code == 200, r.text
    made = r.json()["BankTransfers"][0]
    assert (made["FromBankAccount"]["Code"], made["ToBankAccount"]["Code"], made["Amount"]) == ("STRIPE", "090", 46.31)
    assert made["FromBankTransactionID"] and made["ToBankTransactionID"]
    listed = c.get("BankTransfers", params={"where": 'Reference=="Stripe payout po_1"'}).json()["BankTransfers"]
    assert [t["BankTransferID"] for t in listed] == [made["BankTransferID"]]
    for bad, message in ((dict(transfer, ToBankAccount={"Code": "STRIPE"}), "must be different"),
                         (dict(transfer, ToBankAccount={"Code": "200"}), "not a bank account"),
                         (dict(transfer, Amount=0), "greater than zero"),
                         (dict(transfer, ToBankAccount={"Code": "EURB"}), "CurrencyRate")):
        refused = c.put("BankTransfers", {"BankTransfers": [bad]})
        assert refused.status_code == 400 and message in refused.text, (bad, refused.text)
    assert c.post("BankTransfers", {"BankTransfers": [dict(transfer, BankTransferID=made["BankTransferID"])]}
                  ).status_code == 400, "a transfer cannot be modified"
    gone = c.post("BankTransfers", {"BankTransfers": [{"BankTransferID": made["BankTransferID"], "Status": "DELETED"}]})
    assert gone.status_code == 200 and gone.json()["BankTransfers"][0]["Status"] == "DELETED"
