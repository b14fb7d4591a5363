"""Contract tests: Xero's official Python SDK (xero-python) reads every answer the sandbox gives to the calls
the connector makes: settings, contacts, errors. Documents and money: test_sdk_contract_documents.py.

Every call goes through ``AccountingApi`` only; concrete values are asserted with the SDK's own types (enums,
``date``/``datetime``, ``Decimal``), so an answer the SDK cannot deserialize, or reads as something else,
fails the test.
"""
import datetime as dt
import threading
import time

import pytest
from sdk_contract import customer, is_date, is_datetime, money, sdk_for
from xero_python.accounting.models import (
    Account,
    AccountType,
    Contact,
    Contacts,
    CountryCode,
    CurrencyCode,
    Item,
    Items,
    Purchase,
    TrackingCategory,
    TrackingOption,
)
from xero_python.exceptions import (
    BadRequestException,
    HTTPStatusException,
    NotFoundException,
    RateLimitException,
)

UNKNOWN = "00000000-0000-0000-0000-000000000001"


def test_organisation(sdk):
    org = sdk.api.get_organisations(sdk.tenant).organisations[0]
    assert org.name == "Demo Company (Global)" and org.organisation_id == sdk.tenant
    assert org.base_currency == CurrencyCode.USD and org.country_code == CountryCode.US
    assert is_datetime(org.created_date_utc)
    assert org.financial_year_end_day == 31 and org.pays_tax is True
    assert org.version == "US" and org._class == "STANDARD"


def test_accounts_read_and_bank_account_created(sdk):
    accounts = sdk.api.get_accounts(sdk.tenant).accounts
    by_code = {a.code: a for a in accounts}
    assert by_code["090"].type == AccountType.BANK and by_code["200"].type == AccountType.REVENUE
    assert by_code["615"].enable_payments_to_account is True
    assert by_code["090"].currency_code == CurrencyCode.USD
    assert all(is_datetime(a.updated_date_utc) for a in accounts)
    made = sdk.api.create_account(sdk.tenant, Account(code="STRIPE", name="Stripe", type=AccountType.BANK,
                                                      bank_account_number="STRIPE-CLEARING")).accounts[0]
    assert made.type == AccountType.BANK and made.account_id and made.status == "ACTIVE"
    assert made.bank_account_number == "STRIPE-CLEARING" and made.currency_code == CurrencyCode.USD
    one = sdk.api.get_account(sdk.tenant, made.account_id).accounts[0]
    assert one.code == "STRIPE" and one._class == "ASSET"
    where = sdk.api.get_accounts(sdk.tenant, where='Type=="BANK"').accounts
    assert {a.code for a in where} == {"090", "091", "STRIPE"}


def test_tax_rates_and_currencies(sdk):
    rates = {r.tax_type: r for r in sdk.api.get_tax_rates(sdk.tenant).tax_rates}
    assert set(rates) >= {"OUTPUT", "INPUT", "NONE"}
    out = rates["OUTPUT"]
    assert money(out.effective_rate, 15) and money(out.display_tax_rate, 15)
    assert out.can_apply_to_revenue is True and out.status == "ACTIVE"
    assert money(out.tax_components[0].rate, 15) and out.tax_components[0].is_compound is False
    currencies = sdk.api.get_currencies(sdk.tenant).currencies
    assert [c.code for c in currencies] == [CurrencyCode.USD, CurrencyCode.EUR]
    assert currencies[1].description == "Euro"


def test_items_created_updated_read(sdk):
    item = Item(code="WIDGET", name="Widget", description="A widget", is_sold=True,
                sales_details=Purchase(unit_price=12.5, account_code="200", tax_type="OUTPUT"))
    made = sdk.api.create_items(sdk.tenant, Items(items=[item]), summarize_errors=False).items[0]
    assert made.item_id and made.code == "WIDGET" and made.is_sold is True
    assert money(made.sales_details.unit_price, 12.5) and made.sales_details.account_code == "200"
    assert made.is_tracked_as_inventory is False and is_datetime(made.updated_date_utc)
    sdk.api.update_or_create_items(sdk.tenant, Items(items=[Item(code="WIDGET", name="Big widget")]))
    got = sdk.api.get_item(sdk.tenant, made.item_id).items[0]
    assert got.name == "Big widget" and got.code == "WIDGET"
    assert [i.code for i in sdk.api.get_items(sdk.tenant).items] == ["WIDGET"]
    assert sdk.api.get_items(sdk.tenant, where='Code=="NOPE"').items == []
    tracked = Item(code="STOCKED", name="Stocked", is_tracked_as_inventory=True, inventory_asset_account_code="630",
                   purchase_details=Purchase(unit_price=4, cogs_account_code="310"),
                   sales_details=Purchase(unit_price=9, account_code="200"))
    made = sdk.api.create_items(sdk.tenant, Items(items=[tracked])).items[0]
    assert made.is_tracked_as_inventory is True and made.purchase_details.cogs_account_code == "310"
    sdk.client.control("POST", f"orgs/{sdk.tenant}/Items/STOCKED/stock", {"QuantityOnHand": 7})
    assert money(sdk.api.get_item(sdk.tenant, made.item_id).items[0].quantity_on_hand, 7)


def test_tracking_categories_and_options(sdk):
    cat = sdk.api.create_tracking_category(sdk.tenant, TrackingCategory(name="Lead source")).tracking_categories[0]
    assert cat.tracking_category_id and cat.name == "Lead source" and cat.status == "ACTIVE"
    opts = sdk.api.create_tracking_options(sdk.tenant, cat.tracking_category_id,
                                           TrackingOption(name="Website")).options
    assert [o.name for o in opts] == ["Website"] and opts[0].status == "ACTIVE"
    renamed = sdk.api.update_tracking_options(sdk.tenant, cat.tracking_category_id, opts[0].tracking_option_id,
                                              TrackingOption(name="Web")).options[0]
    assert renamed.name == "Web" and renamed.tracking_option_id == opts[0].tracking_option_id
    sdk.api.update_tracking_category(sdk.tenant, cat.tracking_category_id, TrackingCategory(name="Source"))
    got = sdk.api.get_tracking_category(sdk.tenant, cat.tracking_category_id).tracking_categories[0]
    assert got.name == "Source" and [o.name for o in got.options] == ["Web"]
    listed = sdk.api.get_tracking_categories(sdk.tenant, include_archived=True).tracking_categories
    assert [c.name for c in listed] == ["Source"]


def test_contacts_create_update_read_list(sdk):
    batch = [Contact(name=f"Customer {i:03d}", contact_number=f"ODOO-{i}", email_address=f"c{i}@example.com",
                     first_name="Ann", last_name=f"Lee {i}") for i in range(5)]
    made = sdk.api.create_contacts(sdk.tenant, Contacts(contacts=batch), summarize_errors=False).contacts
    assert [c.status_attribute_string for c in made] == ["OK"] * 5
    assert all(c.contact_status == "ACTIVE" and is_datetime(c.updated_date_utc) for c in made)
    first = made[0]
    changed = sdk.api.update_contact(sdk.tenant, first.contact_id, Contacts(contacts=[Contact(
        contact_id=first.contact_id, name="Customer 000 Ltd", tax_number="GB123")])).contacts[0]
    assert changed.name == "Customer 000 Ltd" and changed.tax_number == "GB123"
    batch_update = sdk.api.update_or_create_contacts(sdk.tenant, Contacts(contacts=[Contact(
        contact_id=made[1].contact_id, email_address="new@example.com")]), summarize_errors=False).contacts[0]
    assert batch_update.email_address == "new@example.com" and batch_update.name == "Customer 001"
    got = sdk.api.get_contact(sdk.tenant, first.contact_id).contacts[0]
    assert got.name == "Customer 000 Ltd" and got.contact_number == "ODOO-0" and got.first_name == "Ann"
    page = sdk.api.get_contacts(sdk.tenant, page=1, page_size=2)
    assert [c.name for c in page.contacts] == ["Customer 000 Ltd", "Customer 001"]
    assert (page.pagination.page, page.pagination.page_size, page.pagination.page_count,
            page.pagination.item_count) == (1, 2, 3, 5)
    ids = sdk.api.get_contacts(sdk.tenant, i_ds=[made[2].contact_id, made[4].contact_id]).contacts
    assert sorted(c.contact_number for c in ids) == ["ODOO-2", "ODOO-4"]
    where = sdk.api.get_contacts(sdk.tenant, where='ContactNumber=="ODOO-3"').contacts
    assert [c.name for c in where] == ["Customer 003"]
    since = sdk.api.get_contacts(sdk.tenant, if_modified_since=dt.datetime.now(dt.timezone.utc)
                                 + dt.timedelta(hours=1)).contacts
    assert since == []
    recent = sdk.api.get_contacts(sdk.tenant, if_modified_since=made[0].updated_date_utc).contacts
    assert len(recent) == 5
    sdk.api.update_contact(sdk.tenant, made[4].contact_id, Contacts(contacts=[Contact(
        contact_id=made[4].contact_id, contact_status="ARCHIVED")]))
    assert len(sdk.api.get_contacts(sdk.tenant).contacts) == 4
    archived = sdk.api.get_contacts(sdk.tenant, include_archived=True, where='ContactStatus=="ARCHIVED"').contacts
    assert [c.contact_number for c in archived] == ["ODOO-4"]


def test_contacts_batch_with_a_bad_element_refuses_it_alone(sdk):
    taken = customer(sdk, "Taken Ltd")
    batch = [Contact(name="Fine One"), Contact(name="Taken Ltd"), Contact(name="Fine Two")]
    out = sdk.api.create_contacts(sdk.tenant, Contacts(contacts=batch), summarize_errors=False).contacts
    assert [c.status_attribute_string for c in out] == ["OK", "ERROR", "OK"]
    assert out[1].has_validation_errors is True and "already assigned" in out[1].validation_errors[0].message
    assert out[1].contact_id == "00000000-0000-0000-0000-000000000000" and taken
    assert {c.name for c in sdk.api.get_contacts(sdk.tenant).contacts} == {"Taken Ltd", "Fine One", "Fine Two"}


@pytest.mark.spec_violations_expected  # the 300-character Name breaks the request schema, on purpose
def test_contacts_batch_with_a_300_character_name_refuses_it_alone(sdk):
    long_one = Contact(name="x")
    long_one._name = "N" * 300  # the SDK's own check would stop it before Xero: send it all the same
    batch = [Contact(name="Before"), long_one, Contact(name="After")]
    out = sdk.api.create_contacts(sdk.tenant, Contacts(contacts=batch), summarize_errors=False).contacts
    assert [c.status_attribute_string for c in out] == ["OK", "ERROR", "OK"]
    assert out[1].validation_errors and out[1].has_validation_errors is True
    assert {c.name for c in sdk.api.get_contacts(sdk.tenant).contacts} == {"Before", "After"}


def test_not_found_is_a_404(sdk):
    for call in (lambda: sdk.api.get_contact(sdk.tenant, UNKNOWN), lambda: sdk.api.get_invoice(sdk.tenant, UNKNOWN),
                 lambda: sdk.api.get_quote(sdk.tenant, UNKNOWN), lambda: sdk.api.get_item(sdk.tenant, UNKNOWN),
                 lambda: sdk.api.get_credit_note(sdk.tenant, UNKNOWN)):
        with pytest.raises(NotFoundException) as e:
            call()
        assert e.value.status == 404


def test_validation_error_is_a_400_the_sdk_reads(sdk):
    with pytest.raises(BadRequestException) as e:
        sdk.api.create_contacts(sdk.tenant, Contacts(contacts=[Contact(name="Dup"), Contact(name="Dup")]))
    assert e.value.status == 400
    err = sdk.error(e.value)
    assert err.error_number == 10 and err.type == "ValidationException"
    assert err.message == "A validation exception occurred"
    assert "already assigned" in err.elements[0].validation_errors[0].message


def test_bad_token_is_a_401(sdk):
    sdk.token["access_token"] = sdk.token["access_token"][:-4] + "AAAA"
    with pytest.raises(HTTPStatusException) as e:
        sdk.api.get_organisations(sdk.tenant)
    assert e.value.status == 401


def test_the_minute_limit_429_is_waited_out_by_the_sdk(sandbox_factory):
    """urllib3 under the SDK honours Retry-After on a 429: the call succeeds once the minute window has passed."""
    limited = sdk_for(sandbox_factory(minute_limit=2, minute_window=2))
    for _ in range(2):
        limited.api.get_currencies(limited.tenant)
    started = time.monotonic()
    codes = [c.code for c in limited.api.get_currencies(limited.tenant).currencies]
    assert codes == [CurrencyCode.USD, CurrencyCode.EUR] and time.monotonic() - started >= 1
    log = limited.client.control("GET", "log").json()
    assert [(e["status"], e["rate_limit_problem"]) for e in log][-2:] == [(429, "minute"), (200, None)]


def test_limits_are_a_429_with_the_problem(sandbox_factory):
    """The concurrency limit (5 calls in flight in Xero; 1 here) answers 429 without Retry-After."""
    limited = sdk_for(sandbox_factory(concurrency=1))
    limited.client.control("POST", "faults", {"kind": "latency", "seconds": 1, "count": 1, "path": "/Currencies"})
    slow = threading.Thread(target=limited.api.get_currencies, args=(limited.tenant,))
    slow.start()
    time.sleep(0.3)
    try:
        with pytest.raises(RateLimitException) as e:
            limited.api.get_organisations(limited.tenant)
    finally:
        slow.join()
    assert e.value.status == 429 and e.value.rate_limit == "concurrent"
    assert "Retry-After" not in e.value.headers


def test_dates_read_as_dates(sdk):
    """Plain dates (``x-is-msdate``) come back as ``date``, timestamps as aware ``datetime``."""
    cid = customer(sdk)
    from xero_python.accounting.models import Invoice, Invoices, LineItem
    inv = Invoice(type="ACCREC", contact=Contact(contact_id=cid), date=dt.date(2026, 1, 31),
                  due_date=dt.date(2026, 2, 28), line_items=[LineItem(description="x", quantity=1, unit_amount=10,
                                                                      account_code="200")])
    made = sdk.api.create_invoices(sdk.tenant, Invoices(invoices=[inv])).invoices[0]
    assert is_date(made.date, dt.date(2026, 1, 31)) and is_date(made.due_date, dt.date(2026, 2, 28))
    assert is_datetime(made.updated_date_utc)
