"""Contract tests, continued: xero-python reads the sandbox's purchase orders as the connector creates, updates,
deletes (Status DELETED), looks up by number and lists them (AccountingApi only)."""
import datetime as dt

import pytest
from sdk_contract import customer, is_date, is_datetime, line, money
from xero_python.accounting.models import Contact, CurrencyCode, LineAmountTypes, PurchaseOrder, PurchaseOrders
from xero_python.exceptions import BadRequestException

DAY = dt.date(2026, 3, 2)
DELIVERY = dt.date(2026, 3, 9)


def _po(cid, **kw):
    fields = {"contact": Contact(contact_id=cid), "date": DAY, "delivery_date": DELIVERY, "status": "AUTHORISED",
              "line_amount_types": LineAmountTypes.EXCLUSIVE, "purchase_order_number": "P00042",
              "line_items": [line(account="310", tax="INPUT")], "reference": "GB-117",
              "currency_code": CurrencyCode.USD}
    return PurchaseOrder(**dict(fields, **kw))


def test_purchase_orders_create_update_delete_read_list(sdk):
    cid = customer(sdk, "Green Bean Traders Ltd")
    made = sdk.api.create_purchase_orders(sdk.tenant, PurchaseOrders(purchase_orders=[_po(cid)]),
                                          summarize_errors=False).purchase_orders[0]
    assert made.status_attribute_string == "OK" and made.status == "AUTHORISED"
    assert made.purchase_order_number == "P00042" and made.reference == "GB-117"
    assert is_date(made.date, DAY) and is_date(made.delivery_date, DELIVERY) and is_datetime(made.updated_date_utc)
    assert money(made.sub_total, 100) and made.line_items[0].account_code == "310"
    updated = sdk.api.update_purchase_order(sdk.tenant, made.purchase_order_id, PurchaseOrders(purchase_orders=[_po(
        cid, purchase_order_id=made.purchase_order_id, status=None, line_items=[line(amount=60, account="310",
                                                                                       tax="INPUT")])])).purchase_orders[0]
    assert updated.purchase_order_id == made.purchase_order_id and money(updated.sub_total, 120)
    assert updated.status == "AUTHORISED", "an update without Status keeps Xero's"
    by_number = sdk.api.get_purchase_order_by_number(sdk.tenant, "P00042").purchase_orders[0]
    assert by_number.purchase_order_id == made.purchase_order_id
    listed = sdk.api.get_purchase_orders(sdk.tenant, status="AUTHORISED", page=1, page_size=10)
    assert [p.purchase_order_id for p in listed.purchase_orders] == [made.purchase_order_id]
    assert listed.pagination.item_count == 1
    deleted = sdk.api.update_purchase_order(sdk.tenant, made.purchase_order_id, PurchaseOrders(purchase_orders=[
        PurchaseOrder(purchase_order_id=made.purchase_order_id, status="DELETED")])).purchase_orders[0]
    assert deleted.status == "DELETED"
    assert sdk.api.get_purchase_order(sdk.tenant, made.purchase_order_id).purchase_orders[0].status == "DELETED"


def test_purchase_orders_refuse_a_duplicate_number_and_an_unknown_contact(sdk):
    cid = customer(sdk, "Green Bean Traders Ltd")
    sdk.api.create_purchase_orders(sdk.tenant, PurchaseOrders(purchase_orders=[_po(cid)]))
    out = sdk.api.create_purchase_orders(sdk.tenant, PurchaseOrders(purchase_orders=[
        _po(cid), _po("3c2d1e0f-4a5b-4e8f-9a7b-5f6e2b5a0c1d", purchase_order_number="P00043")]),
        summarize_errors=False).purchase_orders
    assert [p.status_attribute_string for p in out] == ["ERROR", "ERROR"]
    assert "unique" in out[0].validation_errors[0].message
    with pytest.raises(BadRequestException) as e:
        sdk.api.create_purchase_orders(sdk.tenant, PurchaseOrders(purchase_orders=[_po(cid)]))
    assert sdk.error(e.value).elements[0].validation_errors
