"""Organisations of each country start with Xero's default chart and tax rates (sandbox/charts.py), Xero refuses
a tax rate on an account class it does not apply to, and the library's chooser (xero/defaults.py) finds the sales
and purchase defaults in each."""
import pytest
from sandbox_fixtures import SandboxClient

from xero.defaults import no_tax_type, purchase_defaults, sales_defaults

# country: (currency, the Sales account's tax type, its rate, the Purchases account's tax type, its rate, tax account)
COUNTRIES = {
    "NZ": ("NZD", "OUTPUT2", 15.0, "INPUT2", 15.0, "GST"),
    "AU": ("AUD", "OUTPUT", 10.0, "INPUT", 10.0, "GST"),
    "GB": ("GBP", "OUTPUT2", 20.0, "INPUT2", 20.0, "VAT"),
    "US": ("USD", "OUTPUT", 0.0, "INPUT", 0.0, "Sales Tax"),
}


@pytest.fixture
def country_orgs(sandbox_server):
    client = SandboxClient(sandbox_server)
    orgs = {}
    for country, (currency, *_rest) in COUNTRIES.items():
        orgs[country] = client.control("POST", "orgs", {"name": f"Fresh {country} Ltd", "country": country,
                                                        "base_currency": currency}).json()["tenant_id"]
    client.connect(tenants=list(orgs.values()))
    return client, orgs


def lists(client, tenant):
    accounts = client.get("Accounts", tenant=tenant).json()["Accounts"]
    rates = client.get("TaxRates", tenant=tenant).json()["TaxRates"]
    return accounts, rates


@pytest.mark.parametrize("country", sorted(COUNTRIES))
def test_a_new_organisation_starts_with_its_countrys_chart(country_orgs, country):
    client, orgs = country_orgs
    _currency, sales_tax, sales_rate, purchase_tax, purchase_rate, tax_account = COUNTRIES[country]
    accounts, rates = lists(client, orgs[country])
    by_code = {a["Code"]: a for a in accounts}
    assert (by_code["200"]["Name"], by_code["200"]["Type"], by_code["200"]["TaxType"]) == ("Sales", "REVENUE", sales_tax)
    assert (by_code["300"]["Type"], by_code["300"]["TaxType"]) == ("DIRECTCOSTS", purchase_tax)
    assert by_code["820"]["Name"] == tax_account
    by_type = {r["TaxType"]: r for r in rates}
    assert by_type[sales_tax]["EffectiveRate"] == sales_rate and by_type[sales_tax]["CanApplyToRevenue"] is True
    assert by_type[purchase_tax]["EffectiveRate"] == purchase_rate
    assert by_type[purchase_tax]["CanApplyToExpenses"] is True
    assert "NONE" in by_type or "BASEXCLUDED" in by_type


def test_the_demo_organisations_keep_the_sandboxs_generic_chart(sandbox_client):
    accounts, rates = lists(sandbox_client, sandbox_client.tenant)
    assert sorted(r["TaxType"] for r in rates) == ["EXEMPTINPUT", "EXEMPTOUTPUT", "INPUT", "NONE", "OUTPUT"]
    assert {a["Code"]: a["TaxType"] for a in accounts}["200"] == "OUTPUT"


def test_a_tax_rate_is_refused_on_an_account_class_it_does_not_apply_to(country_orgs):
    client, orgs = country_orgs
    contact = client.put("Contacts", {"Contacts": [{"Name": "Kiwi Supplies"}]}, tenant=orgs["NZ"]).json()
    contact_id = contact["Contacts"][0]["ContactID"]

    def invoice(kind, account, tax):
        body = {"Invoices": [{"Type": kind, "Contact": {"ContactID": contact_id}, "Date": "2026-12-01",
                              "DueDate": "2026-12-31", "LineItems": [{"Description": "Beans", "Quantity": 1,
                                                                      "UnitAmount": 100, "AccountCode": account,
                                                                      "TaxType": tax}]}]}
        answer = client.put("Invoices", body, tenant=orgs["NZ"], params={"summarizeErrors": "false"})
        assert answer.status_code == 200, answer.text
        return answer.json()["Invoices"][0]

    refused = invoice("ACCREC", "200", "INPUT2")  # an expense rate on the Sales account
    assert refused["StatusAttributeString"] == "ERROR"
    assert [e["Message"] for e in refused["ValidationErrors"]] == [
        "The TaxType code 'INPUT2' cannot be used with account code '200'."]
    assert invoice("ACCPAY", "300", "OUTPUT2")["StatusAttributeString"] == "ERROR"  # an income rate on Purchases
    ok = invoice("ACCREC", "200", "OUTPUT2")
    assert ok["StatusAttributeString"] == "OK" and ok["TotalTax"] == 15.0


@pytest.mark.parametrize("country", sorted(COUNTRIES))
def test_the_chooser_finds_xeros_own_defaults_in_each_country(country_orgs, country):
    client, orgs = country_orgs
    _currency, sales_tax, _sr, purchase_tax, _pr, _ta = COUNTRIES[country]
    accounts, rates = lists(client, orgs[country])
    sales = sales_defaults(accounts, rates)
    assert (sales.account_code, sales.account_name, sales.tax_type) == ("200", "Sales", sales_tax)
    assert sales.tax_name == {r["TaxType"]: r["Name"] for r in rates}[sales_tax]
    purchases = purchase_defaults(accounts, rates)
    assert (purchases.account_code, purchases.account_name, purchases.tax_type) == ("300", "Purchases", purchase_tax)


def _account(code, name, kind="REVENUE", tax="OUTPUT2", status="ACTIVE"):
    return {"Code": code, "Name": name, "Type": kind, "TaxType": tax, "Status": status}


def _rate(tax_type, rate, revenue=True, expenses=False, report="OUTPUT", status="ACTIVE"):
    return {"TaxType": tax_type, "Name": tax_type.title(), "EffectiveRate": rate, "ReportTaxType": report,
            "CanApplyToRevenue": revenue, "CanApplyToExpenses": expenses, "Status": status}


def test_the_chooser_follows_an_organisation_that_changed_its_chart():
    rates = [_rate("OUTPUT2", 15.0), _rate("ZERORATED", 0.0), _rate("INPUT2", 15.0, False, True, "INPUT")]
    # "Sales" renamed and moved: found by its name, not its code
    accounts = [_account("200", "Consulting Income"), _account("4000", "Sales"), _account("260", "Other Revenue")]
    assert sales_defaults(accounts, rates).account_code == "4000"
    # no account named Sales: code 200
    assert sales_defaults([_account("260", "Other"), _account("200", "Fees")], rates).account_code == "200"
    # archived Sales, no 200: the first active revenue account by code
    archived = [_account("200", "Sales", status="ARCHIVED"), _account("270", "Interest"), _account("260", "Other")]
    assert sales_defaults(archived, rates).account_code == "260"
    # no revenue account at all: nothing chosen, never an expense account
    assert sales_defaults([_account("300", "Purchases", "DIRECTCOSTS", "INPUT2")], rates).account_code is None


def test_the_chooser_never_picks_a_rate_xero_would_refuse_or_that_fails_through_the_api():
    accounts = [_account("200", "Sales", tax="INPUT2")]  # the account's own rate is an expense rate
    rates = [_rate("INPUT2", 15.0, False, True, "INPUT"), _rate("ZERORATED", 0.0), _rate("OUTPUT2", 15.0)]
    assert sales_defaults(accounts, rates).tax_type == "OUTPUT2", "the standard income rate, not zero-rated"
    us = [_rate("AVALARA", 0.0, report="AVALARA"), _rate("TAX001", 8.25, report="USSALESTAX"),
          _rate("OUTPUT", 0.0)]
    assert sales_defaults([_account("200", "Sales", tax="TAX001")], us).tax_type == "OUTPUT"
    archived = [_rate("OUTPUT2", 15.0, status="ARCHIVED")]
    assert sales_defaults([_account("200", "Sales")], archived).tax_type is None


def test_a_line_without_tax_in_australia(country_orgs):
    """Xero's Australian rates have no NONE: a NoTax line gets BASEXCLUDED (XeroAPI/Xero-Java #371), and NONE named
    on a line is refused; the chooser names the GST-free rate instead."""
    client, orgs = country_orgs
    au = orgs["AU"]
    contact_id = client.put("Contacts", {"Contacts": [{"Name": "Wombat Buyer"}]}, tenant=au).json()["Contacts"][0][
        "ContactID"]

    def invoice(amount_types, tax=None):
        line = {"Description": "Beans", "Quantity": 1, "UnitAmount": 100, "AccountCode": "200"}
        if tax:
            line["TaxType"] = tax
        body = {"Invoices": [{"Type": "ACCREC", "Contact": {"ContactID": contact_id}, "Date": "2026-12-01",
                              "DueDate": "2026-12-31", "LineAmountTypes": amount_types, "LineItems": [line]}]}
        return client.put("Invoices", body, tenant=au, params={"summarizeErrors": "false"}).json()["Invoices"][0]

    assert invoice("NoTax")["LineItems"][0]["TaxType"] == "BASEXCLUDED"
    refused = invoice("Exclusive", "NONE")
    assert refused["StatusAttributeString"] == "ERROR"
    assert "'NONE' does not exist" in refused["ValidationErrors"][0]["Message"]
    _accounts, rates = lists(client, au)
    assert no_tax_type(rates) == "EXEMPTOUTPUT" and no_tax_type(rates, revenue=False) == "EXEMPTEXPENSES"
    assert invoice("Exclusive", no_tax_type(rates))["StatusAttributeString"] == "OK"
    _nz_accounts, nz_rates = lists(client, orgs["NZ"])
    assert no_tax_type(nz_rates) == "NONE"
    assert no_tax_type([{"TaxType": "NONE", "Status": "DELETED"}]) is None
