"""Xero's purchase orders as the sandbox plays them (sandbox/res_purchase_orders.py names each rule's source):
each test fails if its rule is removed."""


def _supplier(c, name="Beans Wholesale Ltd"):
    r = c.put("Contacts", {"Contacts": [{"Name": name}]})
    assert r.status_code == 200, r.text
    return r.json()["Contacts"][0]["ContactID"]


def _po(contact_id, status="AUTHORISED", **kw):
    d = {"Contact": {"ContactID": contact_id}, "Date": "2026-03-02", "DeliveryDate": "2026-03-09",
         "Status": status, "LineAmountTypes": "Exclusive", "Reference": "Spring order",
         "LineItems": [{"Description": "Green beans 60kg", "Quantity": 2, "UnitAmount": 310.5, "AccountCode": "310",
                        "TaxType": "INPUT"}]}
    d.update(kw)
    return d


def _ok(r):
    assert r.status_code == 200, r.text
    return r.json()["PurchaseOrders"]


def test_create_read_update_and_delete(sandbox_client):
    c = sandbox_client
    contact = _supplier(c)
    po = _ok(c.put("PurchaseOrders", {"PurchaseOrders": [_po(contact, PurchaseOrderNumber="P00007")]}))[0]
    assert po["Status"] == "AUTHORISED" and po["PurchaseOrderNumber"] == "P00007"
    assert po["SubTotal"] == 621.0 and po["DeliveryDate"].startswith("/Date(")
    # read by id and by number (spec: GET /PurchaseOrders/{PurchaseOrderNumber})
    assert _ok(c.get(f"PurchaseOrders/{po['PurchaseOrderID']}"))[0]["PurchaseOrderNumber"] == "P00007"
    assert _ok(c.get("PurchaseOrders/P00007"))[0]["PurchaseOrderID"] == po["PurchaseOrderID"]
    # updated in place at its own endpoint
    changed = _po(contact, PurchaseOrderNumber="P00007", PurchaseOrderID=po["PurchaseOrderID"])
    changed["LineItems"][0]["Quantity"] = 3
    updated = _ok(c.post(f"PurchaseOrders/{po['PurchaseOrderID']}", {"PurchaseOrders": [changed]}))[0]
    assert updated["PurchaseOrderID"] == po["PurchaseOrderID"] and updated["SubTotal"] == 931.5
    # deleted by a POST of Status DELETED (Xero has no DELETE verb here)
    assert c.api("DELETE", f"PurchaseOrders/{po['PurchaseOrderID']}").status_code == 405
    gone = _ok(c.post(f"PurchaseOrders/{po['PurchaseOrderID']}", {"PurchaseOrders": [
        {"PurchaseOrderID": po["PurchaseOrderID"], "Status": "DELETED"}]}))[0]
    assert gone["Status"] == "DELETED"
    # a deleted one is no longer changed
    r = c.post(f"PurchaseOrders/{po['PurchaseOrderID']}", {"PurchaseOrders": [changed]})
    assert r.status_code == 400 and "not of valid status" in r.text


def test_a_billed_purchase_order_is_neither_changed_nor_deleted(sandbox_client):
    c = sandbox_client
    po = _ok(c.put("PurchaseOrders", {"PurchaseOrders": [_po(_supplier(c))]}))[0]
    r = c.post(f"PurchaseOrders/{po['PurchaseOrderID']}", {"PurchaseOrders": [
        {"PurchaseOrderID": po["PurchaseOrderID"], "Status": "BILLED"}]})
    assert r.status_code == 400, "only Xero bills a purchase order (a bill made from it)"
    # a bill made from it in Xero (the sandbox's control endpoint plays that user)
    billed = c.control("POST", f"orgs/{c.tenant}/PurchaseOrders/{po['PurchaseOrderID']}/bill")
    assert billed.status_code == 200 and billed.json()["Status"] == "BILLED", billed.text
    for element in ({"PurchaseOrderID": po["PurchaseOrderID"], "Status": "DELETED"},
                    _po(po["Contact"]["ContactID"], PurchaseOrderID=po["PurchaseOrderID"])):
        r = c.post(f"PurchaseOrders/{po['PurchaseOrderID']}", {"PurchaseOrders": [element]})
        assert r.status_code == 400 and "not of valid status for modification" in r.text


def test_a_contact_is_required_and_never_created(sandbox_client):
    c = sandbox_client
    before = len(c.get("Contacts").json()["Contacts"])
    r = c.put("PurchaseOrders", {"PurchaseOrders": [_po(None, Contact={"Name": "Nobody Yet Ltd"}),
                                                    _po(None, Contact={})]},
              params={"summarizeErrors": "false"})
    out = _ok(r)
    assert [o["StatusAttributeString"] for o in out] == ["ERROR", "ERROR"]
    assert "Contact must be specified" in out[0]["ValidationErrors"][0]["Message"]
    assert len(c.get("Contacts").json()["Contacts"]) == before, "the endpoint does not create contacts"


def test_numbers_are_unique_or_generated_and_lines_required(sandbox_client):
    c = sandbox_client
    contact = _supplier(c)
    first = _ok(c.put("PurchaseOrders", {"PurchaseOrders": [_po(contact, PurchaseOrderNumber="P00001")]}))[0]
    auto = _ok(c.put("PurchaseOrders", {"PurchaseOrders": [_po(contact)]}))[0]
    assert auto["PurchaseOrderNumber"].startswith("PO-")
    out = _ok(c.put("PurchaseOrders", {"PurchaseOrders": [_po(contact, PurchaseOrderNumber="p00001"),
                                                          _po(contact, LineItems=[])]},
                    params={"summarizeErrors": "false"}))
    assert "must be unique" in out[0]["ValidationErrors"][0]["Message"]
    assert "line items" in out[1]["ValidationErrors"][0]["Message"]
    assert first["PurchaseOrderID"] != auto["PurchaseOrderID"]
    # a purchase order takes no line discount (Xero: ACCREC invoices only)
    disc = _po(contact)
    disc["LineItems"][0]["DiscountRate"] = 10
    assert _ok(c.put("PurchaseOrders", {"PurchaseOrders": [disc]}, params={"summarizeErrors": "false"}))[0][
        "StatusAttributeString"] == "ERROR"


def test_listed_paged_and_filtered_by_status(sandbox_client):
    c = sandbox_client
    contact = _supplier(c)
    _ok(c.put("PurchaseOrders", {"PurchaseOrders": [_po(contact, status="DRAFT") for _ in range(3)]
                                 + [_po(contact)]}))
    body = c.get("PurchaseOrders", params={"page": 1, "pageSize": 2}).json()
    assert len(body["PurchaseOrders"]) == 2 and body["pagination"]["itemCount"] == 4
    assert len(c.get("PurchaseOrders", params={"Status": "DRAFT"}).json()["PurchaseOrders"]) == 3
