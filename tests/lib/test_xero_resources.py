"""The registry of Xero resources (xero/resources.py), and the client reading it (no server needed)."""
import json

import pytest
import requests
from requests.structures import CaseInsensitiveDict

from xero import ElementResult, Endpoints, XeroClient, resources
from xero.resources import OPERATIONS, RESOURCES, Operation, Resource

EP = Endpoints("https://login.test", "https://identity.test", "https://api.test")
GUID = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"


def _response(body):
    r = requests.models.Response()
    r.status_code = 200
    r._content = json.dumps(body).encode()
    r.headers = CaseInsensitiveDict({"Content-Type": "application/json"})
    r.encoding = "utf-8"
    return r


class Session:
    """Answers every call with ``answer(method, url, params, body)``; keeps the calls."""

    def __init__(self, answer):
        self.answer = answer
        self.calls = []

    def request(self, method, url, params=None, data=None, **_kw):
        body = json.loads(data) if data else None
        self.calls.append({"method": method, "path": url.split("/api.xro/2.0/")[1], "params": dict(params or {}),
                           "body": body})
        return _response(self.answer(method, url, params or {}, body))


def _client(answer):
    session = Session(answer)
    return XeroClient(EP, "tenant", "tok", session=session, sleep=lambda _s: None), session


# -- the registry itself ------------------------------------------------------------------------------
@pytest.mark.parametrize("name, id_field, number_field", [
    ("Invoices", "InvoiceID", "InvoiceNumber"),
    ("CreditNotes", "CreditNoteID", "CreditNoteNumber"),
    ("Quotes", "QuoteID", "QuoteNumber"),
    ("Contacts", "ContactID", "ContactNumber"),
    ("Items", "ItemID", "Code"),
    ("Accounts", "AccountID", "Code"),
    ("Payments", "PaymentID", None),
    ("BankTransactions", "BankTransactionID", None),
    ("BankTransfers", "BankTransferID", None),
    ("TaxRates", "TaxType", None),
    ("TrackingCategories", "TrackingCategoryID", None),
    ("PurchaseOrders", "PurchaseOrderID", "PurchaseOrderNumber"),
])
def test_id_and_number_fields(name, id_field, number_field):
    assert resources.id_field(name) == id_field
    assert resources.number_field(name) == number_field
    # a path under one record reads its collection's entry
    assert resources.id_field(f"{name}/{GUID}") == id_field


def test_id_field_of_an_unknown_collection_follows_xeros_naming():
    assert resources.resource("Widgets") is None
    assert resources.id_field("Widgets") == "WidgetID"
    assert resources.number_field("Widgets") is None


def test_deep_links():
    assert resources.deep_link("Invoices", GUID) == f"https://go.xero.com/AccountsReceivable/View.aspx?InvoiceID={GUID}"
    assert resources.deep_link("CreditNotes", GUID) == \
        f"https://go.xero.com/AccountsReceivable/ViewCreditNote.aspx?creditNoteID={GUID}"
    assert resources.deep_link("Quotes", GUID) == f"https://go.xero.com/app/quotes/view/{GUID}"
    assert resources.deep_link("Contacts", GUID) == f"https://go.xero.com/Contacts/View/{GUID}"
    assert resources.deep_link(f"Invoices/{GUID}", GUID).endswith(GUID)
    # no link: no id, a collection without a web page the connector links to, an unknown one
    assert resources.deep_link("Invoices", None) is None
    assert resources.deep_link("Invoices", "") is None
    assert resources.deep_link("Payments", GUID) is None
    assert resources.deep_link("Widgets", GUID) is None


def test_deep_links_of_operations():
    """Bills share the Invoices collection with sales invoices but live under Accounts Payable in Xero's web app;
    a void links to the page of what it voids; an operation without a page of its own uses its collection's."""
    assert resources.deep_link("Invoices", GUID, operation="bill") == \
        f"https://go.xero.com/AccountsPayable/View.aspx?InvoiceID={GUID}"
    assert resources.deep_link("Invoices", GUID, operation="void_bill") == \
        f"https://go.xero.com/AccountsPayable/View.aspx?InvoiceID={GUID}"
    assert resources.deep_link("CreditNotes", GUID, operation="supplier_credit_note") == \
        f"https://go.xero.com/AccountsPayable/ViewCreditNote.aspx?creditNoteID={GUID}"
    assert resources.deep_link("CreditNotes", GUID, operation="void_supplier_credit_note").startswith(
        "https://go.xero.com/AccountsPayable/")
    assert resources.deep_link("Invoices", GUID, operation="invoice") == resources.deep_link("Invoices", GUID)
    assert resources.deep_link("Invoices", GUID, operation="void_invoice") == resources.deep_link("Invoices", GUID)
    assert resources.deep_link("Invoices", None, operation="bill") is None
    assert resources.deep_link("Payments", GUID, operation="payment") is None
    for name in ("bill", "supplier_credit_note", "void_bill", "void_supplier_credit_note"):
        assert resources.operation(name).resource in ("Invoices", "CreditNotes")
    assert resources.operation("void_bill").voids == "bill"
    assert resources.operation("void_supplier_credit_note").voids == "supplier_credit_note"


def test_envelopes_of_sub_collections():
    assert resources.envelope("Invoices") == "Invoices"
    assert resources.envelope(f"Payments/{GUID}") == "Payments"
    assert resources.envelope(f"CreditNotes/{GUID}/Allocations") == "Allocations"
    assert resources.envelope(f"TrackingCategories/{GUID}/Options") == "Options"
    assert resources.envelope(f"TrackingCategories/{GUID}/Options/{GUID}") == "Options"  # one option's endpoint
    # not a sub-collection of that collection: the collection's own envelope
    assert resources.envelope(f"Contacts/{GUID}/Allocations") == "Contacts"


def test_max_per_call():
    assert resources.max_per_call("Invoices") == 50
    assert resources.max_per_call("Widgets") == 50
    assert resources.max_per_call(f"Payments/{GUID}") == 1
    assert resources.max_per_call(f"CreditNotes/{GUID}/Allocations") == 1


def test_paging_ids_and_unitdp_as_xero_documents_them():
    paged = {name for name, r in RESOURCES.items() if r.paged}
    assert paged == {"BankTransactions", "Contacts", "CreditNotes", "Invoices", "LinkedTransactions", "ManualJournals",
                     "Overpayments", "Payments", "Prepayments", "PurchaseOrders"}
    assert {name: r.page_size for name, r in RESOURCES.items() if r.page_size} == {"Quotes": 100}
    assert {name for name, r in RESOURCES.items() if r.ids_filter} == {"Contacts", "Invoices"}
    assert {name for name, r in RESOURCES.items() if r.unitdp} == {
        "Invoices", "CreditNotes", "Quotes", "BankTransactions", "Items", "PurchaseOrders", "Receipts",
        "RepeatingInvoices", "Overpayments", "Prepayments"}
    assert all(1 <= r.max_per_call <= 50 for r in RESOURCES.values())


def test_every_operation_writes_a_known_collection():
    for name, op in OPERATIONS.items():
        assert op.resource in RESOURCES, name
        assert op.label and op.priority > 0
        if op.voids:
            assert OPERATIONS[op.voids].resource == op.resource, name
            assert op.priority > OPERATIONS[op.voids].priority, name
    # contacts (and items) first: the documents name them; payments after the invoices they pay
    assert OPERATIONS["contact"].priority < OPERATIONS["item"].priority < OPERATIONS["invoice"].priority
    assert OPERATIONS["invoice"].priority < OPERATIONS["payment"].priority < OPERATIONS["payment_reversal"].priority
    assert resources.operation("void_quote").voids == "quote"
    with pytest.raises(KeyError):
        resources.operation("widget")


def test_editable_statuses():
    assert RESOURCES["Invoices"].editable == ("DRAFT", "SUBMITTED", "AUTHORISED")
    assert RESOURCES["CreditNotes"].editable == ("DRAFT", "SUBMITTED", "AUTHORISED")
    assert RESOURCES["Quotes"].editable == ("DRAFT", "SENT")
    assert RESOURCES["Payments"].editable == ()


# -- the client reads it ------------------------------------------------------------------------------
def test_element_results_read_the_registry():
    transfer = ElementResult(0, True, {"BankTransferID": "t-1"}, resource="BankTransfers")
    assert transfer.id == "t-1" and transfer.number is None
    empty = ElementResult(0, True, {"InvoiceID": resources.EMPTY_ID}, resource="Invoices")
    assert empty.id is None
    assert ElementResult(0, True, {"WidgetID": "w"}, resource="Widgets").id is None


def test_paged_collection_asks_page_and_page_size():
    def answer(_method, _url, params, _body):
        return {"Contacts": [{"ContactID": str(i)} for i in range(3 if params["page"] == 1 else 1)]}

    c, session = _client(answer)
    assert len(list(c.iter_records("Contacts", page_size=3))) == 4
    assert [call["params"] for call in session.calls] == [{"page": 1, "pageSize": 3}, {"page": 2, "pageSize": 3}]


def test_fixed_page_size_collection_asks_page_only():
    def answer(_method, _url, params, _body):
        return {"Quotes": [{"QuoteID": str(i)} for i in range(100 if params["page"] == 1 else 7)]}

    c, session = _client(answer)
    assert len(list(c.iter_records("Quotes", page_size=1000))) == 107
    assert [call["params"] for call in session.calls] == [{"page": 1}, {"page": 2}]


def test_unpaged_collection_is_one_call():
    c, session = _client(lambda *_a: {"Items": [{"ItemID": str(i)} for i in range(1000)]})
    assert len(list(c.iter_records("Items"))) == 1000
    assert len(session.calls) == 1 and "page" not in session.calls[0]["params"]


def test_ids_filter_only_where_xero_has_it():
    c, session = _client(lambda *_a: {"Invoices": [{"InvoiceID": GUID}]})
    assert [r["InvoiceID"] for r in c.iter_records("Invoices", ids=[GUID])] == [GUID]
    assert session.calls[0]["params"]["IDs"] == GUID
    with pytest.raises(ValueError, match="no IDs filter on CreditNotes"):
        list(c.iter_records("CreditNotes", ids=[GUID]))


def test_unitdp_on_writes_with_unit_amounts():
    def answer(_method, url, _params, body):
        key = url.rsplit("/", 1)[1]
        return {key: [dict(element, Status="OK") for element in body[key]]}

    c, session = _client(answer)
    c.batch_write("Invoices", [{"InvoiceNumber": "A"}], method="PUT")
    c.batch_write("Contacts", [{"Name": "A"}], method="POST")
    assert session.calls[0]["params"] == {"summarizeErrors": "false", "unitdp": "4"}
    assert session.calls[1]["params"] == {"summarizeErrors": "false"}


def test_batch_write_splits_at_the_collections_maximum():
    def answer(_method, _url, _params, body):
        return {"Contacts": [dict(element, ContactID=element["Name"]) for element in body["Contacts"]]}

    c, session = _client(answer)
    results = c.batch_write("Contacts", [{"Name": str(i)} for i in range(120)], method="POST")
    assert [len(call["body"]["Contacts"]) for call in session.calls] == [50, 50, 20]
    assert [r.id for r in results] == [str(i) for i in range(120)]


def test_write_one_reads_the_sub_collections_envelope():
    c, session = _client(lambda *_a: {"Allocations": [{"AllocationID": "a-1", "Amount": 5}]})
    result = c.write_one(f"CreditNotes/{GUID}/Allocations", {"Allocations": [{"Amount": 5}]}, method="PUT")
    assert result.ok and result.data["AllocationID"] == "a-1" and result.resource == "Allocations"
    assert session.calls[0]["params"] == {"unitdp": "4"}  # a credit note's line amounts, as for its collection


def test_write_one_of_several_elements_answers_them_all():
    def answer(_method, _url, _params, body):
        options = body.get("Options", [body])  # several in the envelope, or one option's own endpoint
        return {"Options": [dict(o, TrackingOptionID=o["Name"].lower(), Status="ACTIVE") for o in options]}

    c, _session = _client(answer)
    result = c.write_one(f"TrackingCategories/{GUID}/Options", {"Options": [{"Name": "A"}, {"Name": "B"}]},
                         method="PUT")
    assert result.ok and result.resource == "Options"
    assert [o["TrackingOptionID"] for o in result.elements] == ["a", "b"]
    one = c.write_one(f"TrackingCategories/{GUID}/Options/{GUID}", {"Name": "C"}, method="POST")
    assert one.ok and one.data["TrackingOptionID"] == "c" and one.elements == []


def test_one_registry_entry_teaches_the_client_a_collection(monkeypatch):
    """A collection the registry learns is paged, filtered by ``IDs`` and written with ``unitdp`` by the client
    with no other change."""
    monkeypatch.setitem(RESOURCES, "Widgets", Resource("Widgets", "WidgetID", "WidgetNumber", paged=True,
                                                       ids_filter=True, unitdp=True, max_per_call=2))
    monkeypatch.setitem(OPERATIONS, "widget", Operation("Widgets", "Widget", 20))

    def answer(method, _url, params, body):
        if method == "GET":
            return {"Widgets": [{"WidgetID": GUID}] if params.get("page") == 1 else []}
        return {"Widgets": [dict(element, WidgetID=element["WidgetNumber"]) for element in body["Widgets"]]}

    c, session = _client(answer)
    assert [r["WidgetID"] for r in c.iter_records("Widgets", ids=[GUID], page_size=1)] == [GUID]
    results = c.batch_write("Widgets", [{"WidgetNumber": str(i)} for i in range(3)], method="PUT")
    assert [r.id for r in results] == ["0", "1", "2"] and [r.number for r in results] == ["0", "1", "2"]
    assert session.calls[0]["params"] == {"IDs": GUID, "page": 1, "pageSize": 1}
    assert [len(call["body"]["Widgets"]) for call in session.calls[2:]] == [2, 1]
    assert session.calls[2]["params"]["unitdp"] == "4"
    assert resources.id_field(resources.operation("widget").resource) == "WidgetID"
