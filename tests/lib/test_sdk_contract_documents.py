"""Contract tests, continued: xero-python reads the sandbox's invoices, credit notes, quotes, payments, bank
transactions and transfers, as the connector creates, updates, voids and reads them (AccountingApi only)."""
import datetime as dt

import pytest
from sdk_contract import customer, is_date, is_datetime, line, money
from xero_python.accounting.models import (
    Account,
    AccountType,
    Allocation,
    Allocations,
    BankTransaction,
    BankTransactions,
    BankTransfer,
    BankTransfers,
    Contact,
    CreditNote,
    CreditNotes,
    CurrencyCode,
    Invoice,
    Invoices,
    LineAmountTypes,
    LineItemTracking,
    Payment,
    PaymentDelete,
    Payments,
    Quote,
    QuoteLineAmountTypes,
    Quotes,
    QuoteStatusCodes,
    TrackingCategory,
    TrackingOption,
)
from xero_python.exceptions import BadRequestException

DAY = dt.date(2026, 1, 31)
DUE = dt.date(2026, 2, 28)


def _invoice(cid, **kw):
    fields = {"type": "ACCREC", "contact": Contact(contact_id=cid), "date": DAY, "due_date": DUE,
              "status": "AUTHORISED", "line_amount_types": LineAmountTypes.EXCLUSIVE, "line_items": [line()],
              "reference": "SO001", "currency_code": CurrencyCode.USD,
              "url": "https://odoo.example.com/odoo/action-account.action_move_out_invoice_type/1"}
    return Invoice(**dict(fields, **kw))


def _credit_note(cid, **kw):
    fields = {"type": "ACCRECCREDIT", "contact": Contact(contact_id=cid), "date": DAY, "status": "AUTHORISED",
              "line_amount_types": LineAmountTypes.INCLUSIVE, "line_items": [line(amount=23, quantity=1)],
              "currency_code": CurrencyCode.USD}
    return CreditNote(**dict(fields, **kw))


def _quote(cid, **kw):
    fields = {"contact": Contact(contact_id=cid), "date": DAY, "expiry_date": DUE, "title": "S00042",
              "reference": "PO-7", "status": QuoteStatusCodes.DRAFT, "line_amount_types": QuoteLineAmountTypes.EXCLUSIVE,
              "line_items": [line()], "currency_code": CurrencyCode.USD}
    return Quote(**dict(fields, **kw))


def _create_invoices(sdk, *invoices):
    out = sdk.api.create_invoices(sdk.tenant, Invoices(invoices=list(invoices)), summarize_errors=False).invoices
    assert [i.status_attribute_string for i in out] == ["OK"] * len(invoices), [i.validation_errors for i in out]
    return out


def test_invoices_create_update_void_read_list(sdk):
    cid = customer(sdk)
    made, draft = _create_invoices(sdk, _invoice(cid), _invoice(cid, status="DRAFT",
                                                                line_amount_types=LineAmountTypes.NOTAX))
    assert made.type == "ACCREC" and made.status == "AUTHORISED" and made.invoice_number == "INV-0001"
    assert made.line_amount_types == LineAmountTypes.EXCLUSIVE and draft.line_amount_types == LineAmountTypes.NOTAX
    assert money(made.sub_total, 100) and money(made.total_tax, 15) and money(made.total, 115)
    assert money(made.amount_due, 115) and money(made.amount_paid, 0)
    assert is_date(made.date, DAY) and is_date(made.due_date, DUE) and is_datetime(made.updated_date_utc)
    assert made.currency_code == CurrencyCode.USD and made.contact.contact_id == cid
    assert made.line_items[0].account_code == "200" and money(made.line_items[0].line_amount, 100)
    assert made.url.startswith("https://odoo.example.com/")
    changed = sdk.api.update_invoice(sdk.tenant, draft.invoice_id, Invoices(invoices=[Invoice(
        invoice_id=draft.invoice_id, reference="SO002", line_items=[line(amount=20, quantity=1)])])).invoices[0]
    assert changed.reference == "SO002" and money(changed.total, 20) and changed.status == "DRAFT"
    voided = sdk.api.update_invoice(sdk.tenant, made.invoice_id, Invoices(invoices=[Invoice(
        invoice_id=made.invoice_id, status="VOIDED")])).invoices[0]
    assert voided.status == "VOIDED"
    deleted = sdk.api.update_or_create_invoices(sdk.tenant, Invoices(invoices=[Invoice(
        invoice_id=draft.invoice_id, status="DELETED")]), summarize_errors=False).invoices[0]
    assert deleted.status == "DELETED"
    got = sdk.api.get_invoice(sdk.tenant, made.invoice_id).invoices[0]
    assert got.status == "VOIDED" and got.line_amount_types == LineAmountTypes.EXCLUSIVE and is_date(got.date, DAY)


def test_invoices_list_paged_and_filtered(sdk):
    cid = customer(sdk)
    made = _create_invoices(sdk, *[_invoice(cid, reference=f"R{i}") for i in range(5)])
    page = sdk.api.get_invoices(sdk.tenant, page=2, page_size=2)
    assert [i.reference for i in page.invoices] == ["R2", "R3"] and page.invoices[0].line_items
    assert (page.pagination.page, page.pagination.page_count, page.pagination.item_count) == (2, 3, 5)
    ids = sdk.api.get_invoices(sdk.tenant, i_ds=[made[0].invoice_id, made[4].invoice_id], statuses=["AUTHORISED"])
    assert sorted(i.reference for i in ids.invoices) == ["R0", "R4"]
    numbers = sdk.api.get_invoices(sdk.tenant, invoice_numbers=["INV-0002"], contact_i_ds=[cid]).invoices
    assert [i.reference for i in numbers] == ["R1"]
    where = sdk.api.get_invoices(sdk.tenant, where='Type=="ACCREC" AND Reference=="R3"', order="Date DESC").invoices
    assert [i.invoice_number for i in where] == ["INV-0004"] and where[0].line_amount_types == LineAmountTypes.EXCLUSIVE
    later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=1)
    assert sdk.api.get_invoices(sdk.tenant, if_modified_since=later).invoices == []


def test_unit_amounts_keep_four_decimals_with_unitdp(sdk):
    """The connector writes documents with unitdp=4 (10.8133 × 3 stays 32.44)."""
    cid = customer(sdk)
    made = sdk.api.create_invoices(sdk.tenant, Invoices(invoices=[_invoice(cid, line_items=[line(
        amount=10.8133, quantity=3)])]), unitdp=4).invoices[0]
    assert money(made.line_items[0].unit_amount, "10.8133") and money(made.line_items[0].line_amount, "32.44")
    cn = sdk.api.create_credit_notes(sdk.tenant, CreditNotes(credit_notes=[_credit_note(cid, line_items=[line(
        amount=10.8133, quantity=3)])]), unitdp=4).credit_notes[0]
    assert money(cn.line_items[0].unit_amount, "10.8133")
    got = sdk.api.get_invoice(sdk.tenant, made.invoice_id, unitdp=4).invoices[0]
    assert money(got.line_items[0].unit_amount, "10.8133")


def test_invoice_lines_with_items_tracking_and_discount(sdk):
    cid = customer(sdk)
    cat = sdk.api.create_tracking_category(sdk.tenant, TrackingCategory(name="Region")).tracking_categories[0]
    sdk.api.create_tracking_options(sdk.tenant, cat.tracking_category_id, TrackingOption(name="North"))
    lines = [line(discount_rate=10, tracking=[LineItemTracking(name="Region", option="North")])]
    made = _create_invoices(sdk, _invoice(cid, line_items=lines))[0]
    got = made.line_items[0]
    assert money(got.discount_rate, 10) and money(got.line_amount, 90)
    assert got.tracking[0].name == "Region" and got.tracking[0].option == "North"
    assert got.tracking[0].tracking_category_id == cat.tracking_category_id


def test_credit_notes_create_update_void_read_list(sdk):
    cid = customer(sdk)
    out = sdk.api.create_credit_notes(sdk.tenant, CreditNotes(credit_notes=[
        _credit_note(cid), _credit_note(cid, status="DRAFT", credit_note_number="RINV/2026/0001")]),
        summarize_errors=False).credit_notes
    made, draft = out
    assert made.type == "ACCRECCREDIT" and made.status == "AUTHORISED" and made.credit_note_number == "CN-0001"
    assert made.line_amount_types == LineAmountTypes.INCLUSIVE and money(made.total, 23)
    assert money(made.remaining_credit, 23) and is_date(made.date, DAY) and is_datetime(made.updated_date_utc)
    assert draft.credit_note_number == "RINV/2026/0001"
    changed = sdk.api.update_credit_note(sdk.tenant, draft.credit_note_id, CreditNotes(credit_notes=[CreditNote(
        credit_note_id=draft.credit_note_id, reference="changed")])).credit_notes[0]
    assert changed.reference == "changed" and changed.status == "DRAFT"
    voided = sdk.api.update_credit_note(sdk.tenant, made.credit_note_id, CreditNotes(credit_notes=[CreditNote(
        credit_note_id=made.credit_note_id, status="VOIDED")])).credit_notes[0]
    assert voided.status == "VOIDED"
    got = sdk.api.get_credit_note(sdk.tenant, draft.credit_note_id).credit_notes[0]
    assert got.reference == "changed" and got.line_items[0].account_code == "200"
    page = sdk.api.get_credit_notes(sdk.tenant, page=1, page_size=1, where='Type=="ACCRECCREDIT"')
    assert len(page.credit_notes) == 1 and page.pagination.item_count == 2


def test_credit_notes_refuse_discounts(sdk):
    cid = customer(sdk)
    out = sdk.api.create_credit_notes(sdk.tenant, CreditNotes(credit_notes=[
        _credit_note(cid, line_items=[line(discount_rate=10)]), _credit_note(cid)]),
        summarize_errors=False).credit_notes
    assert [c.status_attribute_string for c in out] == ["ERROR", "OK"]
    assert out[0].has_errors is True and "discount" in out[0].validation_errors[0].message.lower()


def test_credit_note_allocated_to_an_invoice(sdk):
    cid = customer(sdk)
    inv = _create_invoices(sdk, _invoice(cid))[0]
    cn = sdk.api.create_credit_notes(sdk.tenant, CreditNotes(credit_notes=[_credit_note(cid)])).credit_notes[0]
    alloc = sdk.api.create_credit_note_allocation(sdk.tenant, cn.credit_note_id, Allocations(allocations=[
        Allocation(invoice=Invoice(invoice_id=inv.invoice_id), amount=23, date=DAY)])).allocations[0]
    assert money(alloc.amount, 23) and is_date(alloc.date, DAY) and alloc.invoice.invoice_id == inv.invoice_id
    got = sdk.api.get_credit_note(sdk.tenant, cn.credit_note_id).credit_notes[0]
    assert got.status == "PAID" and money(got.remaining_credit, 0) and money(got.allocations[0].amount, 23)
    assert money(sdk.api.get_invoice(sdk.tenant, inv.invoice_id).invoices[0].amount_due, 92)


def test_quotes_create_update_read_list(sdk):
    cid = customer(sdk)
    out = sdk.api.create_quotes(sdk.tenant, Quotes(quotes=[_quote(cid), _quote(cid, title="S00043")]),
                                summarize_errors=False).quotes
    made = out[0]
    assert made.quote_number == "QU-0001" and made.status == QuoteStatusCodes.DRAFT
    assert made.line_amount_types == QuoteLineAmountTypes.EXCLUSIVE
    assert money(made.total, 115) and is_date(made.date, DAY) and is_date(made.expiry_date, DUE)
    assert made.currency_code == CurrencyCode.USD and is_datetime(made.updated_date_utc)
    sent = sdk.api.update_quote(sdk.tenant, made.quote_id, Quotes(quotes=[Quote(
        quote_id=made.quote_id, contact=Contact(contact_id=cid), date=DAY, status=QuoteStatusCodes.SENT,
        line_items=[line(amount=60)], line_amount_types=QuoteLineAmountTypes.INCLUSIVE)])).quotes[0]
    assert sent.status == QuoteStatusCodes.SENT and sent.line_amount_types == QuoteLineAmountTypes.INCLUSIVE
    assert money(sent.total, 120)
    batch = sdk.api.update_or_create_quotes(sdk.tenant, Quotes(quotes=[Quote(
        quote_id=out[1].quote_id, contact=Contact(contact_id=cid), date=DAY, reference="PO-8")]),
        summarize_errors=False).quotes[0]
    assert batch.reference == "PO-8" and batch.status_attribute_string == "OK"
    got = sdk.api.get_quote(sdk.tenant, made.quote_id).quotes[0]
    assert got.status == QuoteStatusCodes.SENT and got.title == "S00042" and got.line_items[0].account_code == "200"
    listed = sdk.api.get_quotes(sdk.tenant, page=1, contact_id=cid)
    assert sorted(q.title for q in listed.quotes) == ["S00042", "S00043"]
    assert [q.quote_number for q in sdk.api.get_quotes(sdk.tenant, status="SENT").quotes] == ["QU-0001"]


def test_quotes_refuse_a_transition_xero_refuses(sdk):
    cid = customer(sdk)
    made = sdk.api.create_quotes(sdk.tenant, Quotes(quotes=[_quote(cid)])).quotes[0]
    with pytest.raises(BadRequestException) as e:
        sdk.api.update_quote(sdk.tenant, made.quote_id, Quotes(quotes=[Quote(
            quote_id=made.quote_id, contact=Contact(contact_id=cid), date=DAY, status=QuoteStatusCodes.DECLINED)]))
    err = sdk.error(e.value)
    assert err.error_number == 10 and err.elements[0].validation_errors
    deleted = sdk.api.update_quote(sdk.tenant, made.quote_id, Quotes(quotes=[Quote(
        quote_id=made.quote_id, contact=Contact(contact_id=cid), date=DAY, status=QuoteStatusCodes.DELETED)]))
    assert deleted.quotes[0].status == QuoteStatusCodes.DELETED


def test_payments_embed_the_invoice_as_they_leave_it(sdk):
    cid = customer(sdk)
    inv = _create_invoices(sdk, _invoice(cid))[0]
    part = sdk.api.create_payments(sdk.tenant, Payments(payments=[Payment(
        invoice=Invoice(invoice_id=inv.invoice_id), account=Account(code="090"), date=DAY, amount=15,
        reference="ch_1")]), summarize_errors=False).payments[0]
    assert part.status_attribute_string == "OK" and part.status == "AUTHORISED" and part.payment_type == "ACCRECPAYMENT"
    assert money(part.amount, 15) and money(part.bank_amount, 15) and is_date(part.date, DAY)
    assert part.invoice.invoice_id == inv.invoice_id and part.invoice.status == "AUTHORISED"
    assert money(part.invoice.amount_due, 100) and money(part.invoice.amount_paid, 15)
    rest = sdk.api.create_payment(sdk.tenant, Payment(invoice=Invoice(invoice_id=inv.invoice_id),
                                                      account=Account(code="615"), date=DUE, amount=100)).payments[0]
    assert rest.invoice.status == "PAID" and money(rest.invoice.amount_due, 0) and money(rest.invoice.amount_paid, 115)
    paid = sdk.api.get_invoice(sdk.tenant, inv.invoice_id).invoices[0]
    assert paid.status == "PAID" and is_date(paid.fully_paid_on_date, DUE) and len(paid.payments) == 2
    got = sdk.api.get_payment(sdk.tenant, part.payment_id).payments[0]
    assert got.reference == "ch_1" and got.account.code == "090" and is_datetime(got.updated_date_utc)
    listed = sdk.api.get_payments(sdk.tenant, where='Reference=="ch_1"', page=1, page_size=10)
    assert [p.payment_id for p in listed.payments] == [part.payment_id] and listed.pagination.item_count == 1
    gone = sdk.api.delete_payment(sdk.tenant, part.payment_id, PaymentDelete(status="DELETED")).payments[0]
    assert gone.status == "DELETED"
    assert sdk.api.get_invoice(sdk.tenant, inv.invoice_id).invoices[0].status == "AUTHORISED"


def test_refund_paid_against_a_credit_note(sdk):
    cid = customer(sdk)
    cn = sdk.api.create_credit_notes(sdk.tenant, CreditNotes(credit_notes=[_credit_note(cid)])).credit_notes[0]
    pay = sdk.api.create_payment(sdk.tenant, Payment(credit_note=CreditNote(credit_note_id=cn.credit_note_id),
                                                     account=Account(code="090"), date=DAY, amount=23)).payments[0]
    assert pay.payment_type == "ARCREDITPAYMENT" and pay.credit_note.credit_note_id == cn.credit_note_id
    assert sdk.api.get_credit_note(sdk.tenant, cn.credit_note_id).credit_notes[0].status == "PAID"


def test_bank_fee_as_a_spend_bank_transaction(sdk):
    bank = sdk.api.create_account(sdk.tenant, Account(code="STRIPE", name="Stripe", type=AccountType.BANK,
                                                      bank_account_number="STRIPE-CLEARING")).accounts[0]
    fee = BankTransaction(type="SPEND", contact=Contact(name="Stripe"), bank_account=Account(account_id=bank.account_id),
                          date=DAY, line_amount_types=LineAmountTypes.NOTAX, currency_code=CurrencyCode.USD,
                          reference="Stripe fee ch_1", line_items=[line(amount=1.75, quantity=1, account="404",
                                                                       tax=None, description="Stripe fee")])
    made = sdk.api.create_bank_transactions(sdk.tenant, BankTransactions(bank_transactions=[fee]),
                                            summarize_errors=False).bank_transactions[0]
    assert made.type == "SPEND" and made.status == "AUTHORISED" and made.line_amount_types == LineAmountTypes.NOTAX
    assert money(made.total, 1.75) and made.bank_account.account_id == bank.account_id and is_date(made.date, DAY)
    got = sdk.api.get_bank_transaction(sdk.tenant, made.bank_transaction_id).bank_transactions[0]
    assert got.reference == "Stripe fee ch_1" and is_datetime(got.updated_date_utc) and got.is_reconciled is False
    listed = sdk.api.get_bank_transactions(sdk.tenant, where='Reference=="Stripe fee ch_1"', page=1, page_size=5)
    assert [b.bank_transaction_id for b in listed.bank_transactions] == [made.bank_transaction_id]


def test_payout_as_a_bank_transfer(sdk):
    bank = sdk.api.create_account(sdk.tenant, Account(code="STRIPE", name="Stripe", type=AccountType.BANK,
                                                      bank_account_number="STRIPE-CLEARING")).accounts[0]
    made = sdk.api.create_bank_transfer(sdk.tenant, BankTransfers(bank_transfers=[BankTransfer(
        from_bank_account=Account(account_id=bank.account_id), to_bank_account=Account(code="090"), amount=46.31,
        date=DAY, reference="Stripe payout po_1")])).bank_transfers[0]
    assert money(made.amount, 46.31) and is_date(made.date, DAY) and is_datetime(made.created_date_utc)
    assert made.from_bank_account.code == "STRIPE" and made.to_bank_account.code == "090"
    got = sdk.api.get_bank_transfers(sdk.tenant, where='Reference=="Stripe payout po_1"').bank_transfers
    assert [t.bank_transfer_id for t in got] == [made.bank_transfer_id]
