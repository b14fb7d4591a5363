"""Xero's rules the sandbox enforces as Xero does (issue 14): each test fails if its rule is removed."""
import pytest


def _inv(contact="Acme Ltd", status="AUTHORISED", total=100, typ="ACCREC", **kw):
    d = {"Type": typ, "Contact": {"Name": contact}, "Date": "2026-01-31", "DueDate": "2026-02-28",
         "Status": status, "LineAmountTypes": "NoTax",
         "LineItems": [{"Description": "Widget", "Quantity": 1, "UnitAmount": total, "AccountCode": "200"}]}
    d.update(kw)
    return d


def _quote(status="DRAFT", **kw):
    d = {"Contact": {"Name": "Acme Ltd"}, "Date": "2026-01-31", "Status": status, "LineAmountTypes": "EXCLUSIVE",
         "LineItems": [{"Description": "Widget", "Quantity": 1, "UnitAmount": 10, "AccountCode": "200"}]}
    d.update(kw)
    return d


def _ok(r, key):
    assert r.status_code == 200, r.text
    return r.json()[key]


def test_quotes_answer_their_own_enumeration_casing(sandbox_client):
    c = sandbox_client
    q = _ok(c.put("Quotes", {"Quotes": [_quote(LineAmountTypes="Inclusive")]}), "Quotes")[0]
    assert q["LineAmountTypes"] == "INCLUSIVE"
    assert c.get(f"Quotes/{q['QuoteID']}").json()["Quotes"][0]["LineAmountTypes"] == "INCLUSIVE"
    inv = _ok(c.put("Invoices", {"Invoices": [_inv(LineAmountTypes="EXCLUSIVE")]}), "Invoices")[0]
    assert inv["LineAmountTypes"] == "Exclusive"


def test_quote_status_moves_only_as_xero_allows(sandbox_client):
    c = sandbox_client
    refused_new = c.put("Quotes", {"Quotes": [_quote(status="ACCEPTED")]}, params={"summarizeErrors": "false"})
    assert _ok(refused_new, "Quotes")[0]["StatusAttributeString"] == "ERROR"
    q = _ok(c.put("Quotes", {"Quotes": [_quote()]}), "Quotes")[0]

    def move(status):
        return c.post(f"Quotes/{q['QuoteID']}", {"Quotes": [_quote(status=status, QuoteID=q["QuoteID"])]})

    r = move("DECLINED")  # DRAFT → DECLINED: refused by Xero (XeroAPI/xero-mcp-server #309)
    assert r.status_code == 400 and "cannot be changed from DRAFT to DECLINED" in r.text
    for status in ("SENT", "ACCEPTED"):
        assert _ok(move(status), "Quotes")[0]["Status"] == status
    r = move("DECLINED")  # ACCEPTED → DECLINED: refused too
    assert r.status_code == 400 and "ACCEPTED to DECLINED" in r.text
    assert _ok(move("INVOICED"), "Quotes")[0]["Status"] == "INVOICED"
    r = move("DELETED")  # an invoiced quote is no longer deleted
    assert r.status_code == 400 and "not of valid status" in r.text
    assert c.get(f"Quotes/{q['QuoteID']}").json()["Quotes"][0]["Status"] == "INVOICED"


def test_quotes_page_by_a_hundred_without_page_size(sandbox_client):
    c = sandbox_client
    for _batch in range(3):
        _ok(c.put("Quotes", {"Quotes": [_quote() for _ in range(40)]}), "Quotes")
    body = c.get("Quotes", params={"page": 1, "pageSize": 10}).json()
    assert len(body["Quotes"]) == 100 and "pagination" not in body
    assert len(c.get("Quotes", params={"page": 2}).json()["Quotes"]) == 20
    invoices = c.get("Invoices", params={"page": 1, "pageSize": 10}).json()
    assert invoices["pagination"]["pageSize"] == 10


def test_credit_notes_and_bills_refuse_discounts(sandbox_client):
    c = sandbox_client
    line = {"Description": "Widget", "Quantity": 1, "UnitAmount": 100, "AccountCode": "200", "DiscountRate": 10}
    cn = _ok(c.put("CreditNotes", {"CreditNotes": [_inv(typ="ACCRECCREDIT", LineItems=[line])]},
                   params={"summarizeErrors": "false"}), "CreditNotes")[0]
    assert cn["StatusAttributeString"] == "ERROR" and "discounts are not supported" in str(cn["ValidationErrors"])
    bill = _ok(c.put("Invoices", {"Invoices": [_inv(typ="ACCPAY", LineItems=[line])]},
                     params={"summarizeErrors": "false"}), "Invoices")[0]
    assert bill["StatusAttributeString"] == "ERROR"
    inv = _ok(c.put("Invoices", {"Invoices": [_inv(LineItems=[line])]}), "Invoices")[0]
    assert inv["Total"] == 90.0 and inv["LineItems"][0]["DiscountRate"] == 10


def test_a_payment_answer_embeds_the_invoice_as_it_left_it(sandbox_client):
    c = sandbox_client
    inv = _ok(c.put("Invoices", {"Invoices": [_inv(total=100)]}), "Invoices")[0]
    pay = _ok(c.put("Payments", {"Payments": [{"Invoice": {"InvoiceID": inv["InvoiceID"]}, "Account": {"Code": "090"},
                                                "Date": "2026-02-01", "Amount": 40}]}), "Payments")[0]
    assert (pay["Invoice"]["Status"], pay["Invoice"]["AmountDue"], pay["Invoice"]["AmountPaid"]) == \
        ("AUTHORISED", 60.0, 40.0)
    pay = _ok(c.put("Payments", {"Payments": [{"Invoice": {"InvoiceID": inv["InvoiceID"]}, "Account": {"Code": "090"},
                                                "Date": "2026-02-02", "Amount": 60}]}), "Payments")[0]
    assert (pay["Invoice"]["Status"], pay["Invoice"]["AmountDue"]) == ("PAID", 0.0)


def test_bank_amount_is_in_the_bank_accounts_currency(sandbox_client):
    c = sandbox_client  # the demo organisation is in USD and also takes EUR
    inv = _ok(c.put("Invoices", {"Invoices": [_inv(total=92, CurrencyCode="EUR")]}), "Invoices")[0]
    assert inv["CurrencyRate"] == pytest.approx(0.92)  # the day's rate when none is sent, as Xero does
    pay = _ok(c.put("Payments", {"Payments": [{"Invoice": {"InvoiceID": inv["InvoiceID"]}, "Account": {"Code": "090"},
                                                "Date": "2026-02-01", "Amount": 46}]}), "Payments")[0]
    assert pay["Amount"] == 46.0 and pay["BankAmount"] == 50.0  # EUR 46 at 0.92 EUR per USD into a USD account
    inv = _ok(c.put("Invoices", {"Invoices": [_inv(total=100, CurrencyCode="EUR", CurrencyRate=0.8)]}), "Invoices")[0]
    pay = _ok(c.put("Payments", {"Payments": [{"Invoice": {"InvoiceID": inv["InvoiceID"]}, "Account": {"Code": "090"},
                                                "Date": "2026-02-01", "Amount": 20}]}), "Payments")[0]
    assert pay["BankAmount"] == 25.0


def test_a_credit_note_is_allocated_to_an_invoice(sandbox_client):
    c = sandbox_client
    inv = _ok(c.put("Invoices", {"Invoices": [_inv(total=100)]}), "Invoices")[0]
    other = _ok(c.put("Invoices", {"Invoices": [_inv(contact="Other Ltd", total=100)]}), "Invoices")[0]
    cn = _ok(c.put("CreditNotes", {"CreditNotes": [_inv(typ="ACCRECCREDIT", total=30)]}), "CreditNotes")[0]
    path = f"CreditNotes/{cn['CreditNoteID']}/Allocations"
    r = c.put(path, {"Allocations": [{"Invoice": {"InvoiceID": other["InvoiceID"]}, "Amount": 30,
                                      "Date": "2026-02-01"}]})
    assert r.status_code == 400 and "same contact" in r.text
    r = c.put(path, {"Allocations": [{"Invoice": {"InvoiceID": inv["InvoiceID"]}, "Amount": 31, "Date": "2026-02-01"}]})
    assert r.status_code == 400 and "remaining credit" in r.text
    alloc = _ok(c.put(path, {"Allocations": [{"Invoice": {"InvoiceID": inv["InvoiceID"]}, "Amount": 30,
                                              "Date": "2026-02-01"}]}), "Allocations")[0]
    assert alloc["Amount"] == 30.0 and alloc["Invoice"]["InvoiceID"] == inv["InvoiceID"]
    cn = c.get(f"CreditNotes/{cn['CreditNoteID']}").json()["CreditNotes"][0]
    assert (cn["Status"], cn["RemainingCredit"]) == ("PAID", 0.0)
    inv = c.get(f"Invoices/{inv['InvoiceID']}").json()["Invoices"][0]
    assert (inv["AmountCredited"], inv["AmountDue"], inv["Status"]) == (30.0, 70.0, "AUTHORISED")
    assert c.post(path, {"Allocations": []}).status_code == 405
    assert c.put("CreditNotes/00000000-0000-0000-0000-000000000001/Allocations",
                 {"Allocations": [{"Invoice": {"InvoiceID": inv["InvoiceID"]}, "Amount": 1, "Date": "2026-02-01"}]}
                 ).status_code == 404


@pytest.mark.spec_violations_expected
def test_an_element_breaking_the_spec_is_refused_alone(sandbox_client):
    c = sandbox_client
    batch = {"Contacts": [{"Name": "Fine Ltd"}, {"Name": "x" * 300}, {"Name": "Also Fine"}]}
    out = _ok(c.put("Contacts", batch, params={"summarizeErrors": "false"}), "Contacts")
    assert [x["StatusAttributeString"] for x in out] == ["OK", "ERROR", "OK"]
    assert "Contacts[1].Name" in out[1]["ValidationErrors"][0]["Message"]
    names = {x["Name"] for x in c.get("Contacts").json()["Contacts"]}
    assert {"Fine Ltd", "Also Fine"} <= names and "x" * 300 not in names
    # summarised (Xero's default): a 400, though the valid ones are written all the same
    r = c.put("Contacts", {"Contacts": [{"Name": "Third Ltd"}, {"Name": "y" * 300}]})
    assert r.status_code == 400
    assert "Third Ltd" in {x["Name"] for x in c.get("Contacts").json()["Contacts"]}
