"""Contract tests, continued: xero-python reads the sandbox's bills (ACCPAY) and supplier credit notes
(ACCPAYCREDIT) as the connector creates, updates, voids, looks up and pays them (AccountingApi only)."""
import datetime as dt

from sdk_contract import customer, is_date, line, money
from xero_python.accounting.models import (
    Account,
    Contact,
    CreditNote,
    CreditNotes,
    CurrencyCode,
    Invoice,
    Invoices,
    LineAmountTypes,
    Payment,
    Payments,
)

DAY = dt.date(2026, 1, 31)
DUE = dt.date(2026, 2, 28)
URL = "https://odoo.example.com/odoo/account.move/7"


def _bill(cid, **kw):
    fields = {"type": "ACCPAY", "contact": Contact(contact_id=cid), "date": DAY, "due_date": DUE,
              "status": "AUTHORISED", "line_amount_types": LineAmountTypes.EXCLUSIVE,
              "line_items": [line(account="429", tax="INPUT")], "invoice_number": "SUP-1001",
              "currency_code": CurrencyCode.USD, "url": URL}
    return Invoice(**dict(fields, **kw))


def _create(sdk, *bills):
    out = sdk.api.create_invoices(sdk.tenant, Invoices(invoices=list(bills)), summarize_errors=False).invoices
    assert [b.status_attribute_string for b in out] == ["OK"] * len(bills), [b.validation_errors for b in out]
    return out


def test_bills_create_update_void_and_look_up_by_url(sdk):
    cid = customer(sdk, "Bean Supplier Pty")
    # The supplier's reference is the bill's number: not unique (two bills may carry it), never auto-numbered.
    made, same_number, unnumbered = _create(sdk, _bill(cid), _bill(cid, url=URL[:-1] + "8"),
                                            _bill(cid, invoice_number=None, url=None))
    assert made.type == "ACCPAY" and made.status == "AUTHORISED" and made.invoice_number == "SUP-1001"
    assert same_number.invoice_number == "SUP-1001" and same_number.invoice_id != made.invoice_id
    assert not unnumbered.invoice_number
    assert money(made.sub_total, 100) and money(made.total, 115) and money(made.amount_due, 115)
    assert is_date(made.date, DAY) and is_date(made.due_date, DUE) and made.url == URL
    assert made.line_items[0].account_code == "429" and made.line_items[0].tax_type == "INPUT"
    # The connector's look-up after a lost answer: the supplier's recent bills, matched on the Url.
    since = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=5)
    found = sdk.api.get_invoices(sdk.tenant, contact_i_ds=[cid], where='Type=="ACCPAY"',
                                 if_modified_since=since).invoices
    assert {b.invoice_id for b in found} == {made.invoice_id, same_number.invoice_id, unnumbered.invoice_id}
    assert [b.invoice_id for b in found if b.url == URL] == [made.invoice_id]
    changed = sdk.api.update_invoice(sdk.tenant, made.invoice_id, Invoices(invoices=[Invoice(
        invoice_id=made.invoice_id, type="ACCPAY", contact=Contact(contact_id=cid), date=DAY, due_date=DUE,
        line_items=[line(amount=60, account="429", tax="INPUT")])])).invoices[0]
    assert changed.invoice_id == made.invoice_id and money(changed.total, 138)
    voided = sdk.api.update_invoice(sdk.tenant, made.invoice_id, Invoices(invoices=[Invoice(
        invoice_id=made.invoice_id, status="VOIDED")])).invoices[0]
    assert voided.status == "VOIDED" and money(voided.amount_due, 0)


def test_bill_reference_is_ignored_not_kept(sdk):
    cid = customer(sdk, "Bean Supplier Pty")
    [made] = _create(sdk, _bill(cid, reference="PO-77"))
    assert made.status_attribute_string == "OK"
    assert not made.reference, "Reference is ACCREC only: Xero drops it on a bill"


def test_bill_refuses_discounts_and_needs_a_contact(sdk):
    cid = customer(sdk, "Bean Supplier Pty")
    out = sdk.api.create_invoices(sdk.tenant, Invoices(invoices=[
        _bill(cid, line_items=[line(account="429", tax="INPUT", discount_rate=10)]),
        _bill(None, contact=Contact()),
    ]), summarize_errors=False).invoices
    assert [b.status_attribute_string for b in out] == ["ERROR", "ERROR"]
    assert "discount" in out[0].validation_errors[0].message.lower()
    assert "Contact" in out[1].validation_errors[0].message


def test_supplier_credit_note_and_paid_bill(sdk):
    cid = customer(sdk, "Bean Supplier Pty")
    credit = sdk.api.create_credit_notes(sdk.tenant, CreditNotes(credit_notes=[CreditNote(
        type="ACCPAYCREDIT", contact=Contact(contact_id=cid), date=DAY, status="AUTHORISED",
        line_amount_types=LineAmountTypes.EXCLUSIVE, line_items=[line(amount=20, quantity=1, account="429",
                                                                      tax="INPUT")],
        credit_note_number="SUP-CN-7", currency_code=CurrencyCode.USD)]), summarize_errors=False).credit_notes[0]
    assert credit.status_attribute_string == "OK" and credit.type == "ACCPAYCREDIT"
    assert credit.credit_note_number == "SUP-CN-7" and money(credit.total, 23) and money(credit.remaining_credit, 23)
    found = sdk.api.get_credit_notes(sdk.tenant, where=f'Type=="ACCPAYCREDIT" AND Contact.ContactID==Guid("{cid}")',
                                     if_modified_since=dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=5))
    assert [c.credit_note_id for c in found.credit_notes] == [credit.credit_note_id]
    [bill] = _create(sdk, _bill(cid))
    paid = sdk.api.create_payments(sdk.tenant, Payments(payments=[Payment(
        invoice=Invoice(invoice_id=bill.invoice_id), account=Account(code="090"), date=DAY,
        amount=115)])).payments[0]
    assert paid.payment_type == "ACCPAYPAYMENT" and paid.invoice.status == "PAID"
    again = sdk.api.get_invoice(sdk.tenant, bill.invoice_id).invoices[0]
    assert again.status == "PAID" and money(again.amount_paid, 115) and money(again.amount_due, 0)
