"""Default data of a new organisation: chart of accounts, tax rates, currencies."""
import uuid

from .charts import chart, tax_rate_record
from .state import Org
from .util import iso

CLASS_OF = {
    "BANK": "ASSET", "CURRENT": "ASSET", "FIXED": "ASSET", "INVENTORY": "ASSET", "NONCURRENT": "ASSET",
    "PREPAYMENT": "ASSET", "CURRLIAB": "LIABILITY", "LIABILITY": "LIABILITY", "TERMLIAB": "LIABILITY",
    "PAYGLIABILITY": "LIABILITY", "SUPERANNUATIONLIABILITY": "LIABILITY", "WAGESPAYABLELIABILITY": "LIABILITY",
    "EQUITY": "EQUITY", "REVENUE": "REVENUE", "SALES": "REVENUE", "OTHERINCOME": "REVENUE",
    "EXPENSE": "EXPENSE", "OVERHEADS": "EXPENSE", "DIRECTCOSTS": "EXPENSE", "DEPRECIATN": "EXPENSE",
    "SUPERANNUATIONEXPENSE": "EXPENSE", "WAGESEXPENSE": "EXPENSE",
}

CURRENCY_NAMES = {
    "USD": "United States Dollar", "GBP": "British Pound", "EUR": "Euro", "NZD": "New Zealand Dollar",
    "AUD": "Australian Dollar", "CAD": "Canadian Dollar", "CHF": "Swiss Franc", "JPY": "Japanese Yen",
    "ZAR": "South African Rand", "SGD": "Singapore Dollar", "SEK": "Swedish Krona", "DKK": "Danish Krone",
    "NOK": "Norwegian Krone", "HKD": "Hong Kong Dollar", "INR": "Indian Rupee", "CNY": "Chinese Yuan",
}

TAX_RATE_BY_CURRENCY = {"GBP": 20.0, "NZD": 15.0, "AUD": 10.0, "EUR": 21.0, "USD": 15.0}

ACCOUNTS = [
    # code, name, type, tax type, extra
    ("090", "Business Bank Account", "BANK", "NONE", {"BankAccountNumber": "12-3456-7890123-00", "BankAccountType": "BANK"}),
    ("091", "Business Savings Account", "BANK", "NONE", {"BankAccountNumber": "12-3456-7890123-01", "BankAccountType": "BANK"}),
    ("200", "Sales", "REVENUE", "OUTPUT", {}),
    ("260", "Other Revenue", "REVENUE", "OUTPUT", {}),
    ("270", "Interest Income", "REVENUE", "NONE", {}),
    ("310", "Cost of Goods Sold", "DIRECTCOSTS", "INPUT", {}),
    ("400", "Advertising", "OVERHEADS", "INPUT", {}),
    ("404", "Bank Fees", "EXPENSE", "NONE", {}),
    ("429", "General Expenses", "EXPENSE", "INPUT", {}),
    ("610", "Accounts Receivable", "CURRENT", "NONE", {"SystemAccount": "DEBTORS"}),
    ("615", "Payment Clearing", "CURRENT", "NONE", {"EnablePaymentsToAccount": True}),
    ("630", "Inventory", "INVENTORY", "NONE", {}),
    ("710", "Office Equipment", "FIXED", "INPUT", {}),
    ("800", "Accounts Payable", "CURRLIAB", "NONE", {"SystemAccount": "CREDITORS"}),
    ("820", "Sales Tax", "CURRLIAB", "NONE", {"SystemAccount": "GST"}),
    ("880", "Owner A Drawings", "EQUITY", "NONE", {}),
    ("960", "Retained Earnings", "EQUITY", "NONE", {"SystemAccount": "RETAINEDEARNINGS"}),
]

# The two organisations every sandbox starts with keep the sandbox's own generic chart (ACCOUNTS above, rates
# OUTPUT/INPUT/NONE/EXEMPTOUTPUT/EXEMPTINPUT at the currency's rate), which the tests and the demo are written
# against. An organisation created through the control API (POST /_sandbox/orgs) starts with Xero's default
# chart and tax rates of its country (sandbox/charts.py: NZ, AU, GB, US; Xero's Global chart elsewhere).
DEMO_ORGS = [
    {"name": "Demo Company (Global)", "base_currency": "USD", "country": "US", "foreign": ["EUR"],
     "tenant_id": str(uuid.uuid5(uuid.NAMESPACE_URL, "sandbox:demo-company-global")), "chart": "sandbox"},
    {"name": "Sandbox Trading Ltd", "base_currency": "GBP", "country": "GB", "foreign": ["NZD"],
     "tenant_id": str(uuid.uuid5(uuid.NAMESPACE_URL, "sandbox:sandbox-trading-ltd")), "chart": "sandbox"},
]


def _id(org, *parts):
    return str(uuid.uuid5(uuid.UUID(org.tenant_id), ":".join(parts)))


def _sandbox_chart(org):
    """The sandbox's own generic chart: the ACCOUNTS above and five rates at the currency's rate."""
    rate = TAX_RATE_BY_CURRENCY.get(org.base_currency, 15.0)
    taxes = [
        ("OUTPUT", f"Tax on Sales ({rate:g}%)", rate, "OUTPUT", True, True),
        ("INPUT", f"Tax on Purchases ({rate:g}%)", rate, "INPUT", True, True),
        ("NONE", "No Tax", 0.0, "NONE", True, True),
        ("EXEMPTOUTPUT", "Exempt Sales", 0.0, "EXEMPTOUTPUT", True, True),
        ("EXEMPTINPUT", "Exempt Purchases", 0.0, "EXEMPTINPUT", True, True),
    ]
    return taxes, ACCOUNTS


def seed_org(org, now, foreign=None, chart_name="country"):
    """Fill an organisation with Xero-like defaults (deterministic ids per tenant): Xero's default chart and
    tax rates of its country (``chart_name="country"``), or the sandbox's generic chart (``"sandbox"``)."""
    taxes, accounts = _sandbox_chart(org) if chart_name == "sandbox" else chart(org.country)
    for tax_type, name, r, report, revenue, expenses in taxes:
        rec = tax_rate_record(tax_type, name, r, report, revenue, expenses, now)
        if chart_name == "sandbox":
            rec.update(CanApplyToAssets=True, CanApplyToEquity=True)
        org.put("TaxRates", rec)
    for code, name, typ, tax, extra in accounts:
        rec = {"AccountID": _id(org, "account", code), "Code": code, "Name": name, "Type": typ,
               "TaxType": tax, "Status": "ACTIVE", "Class": CLASS_OF[typ], "EnablePaymentsToAccount": False,
               "ShowInExpenseClaims": False, "ReportingCode": "", "HasAttachments": False,
               "AddToWatchlist": False, "_updated": now}
        rec.update(extra)
        if typ == "BANK":
            rec["CurrencyCode"] = org.base_currency
        org.put("Accounts", rec)
    for code in [org.base_currency, *(foreign or [])]:
        org.put("Currencies", {"Code": code, "Description": CURRENCY_NAMES.get(code, code), "_updated": now})


def make_org(name, tenant_id, base_currency="USD", country="US", tier="standard", now=0.0, seed=True,
             foreign=None, chart_name="country"):
    org = Org(tenant_id, name, base_currency, country, tier, created=now)
    if seed:
        if foreign is None:
            foreign = ["EUR"] if base_currency != "EUR" else ["USD"]
        seed_org(org, now, foreign, chart_name)
    return org


def organisation_record(org):
    return {
        "OrganisationID": org.tenant_id, "APIKey": "", "Name": org.name, "LegalName": org.name,
        "PaysTax": True, "Version": {"US": "US", "GB": "UK", "NZ": "NZ", "AU": "AU"}.get(org.country, "GLOBAL"),
        "OrganisationType": "COMPANY", "BaseCurrency": org.base_currency, "CountryCode": org.country,
        "IsDemoCompany": False, "OrganisationStatus": "ACTIVE", "FinancialYearEndDay": 31,
        "FinancialYearEndMonth": 12, "SalesTaxBasis": "ACCRUALS", "SalesTaxPeriod": "3MONTHLY",
        "DefaultSalesTax": "Tax Exclusive", "DefaultPurchasesTax": "Tax Exclusive",
        "CreatedDateUTC": iso(org.created), "OrganisationEntityType": "COMPANY",
        "Timezone": "UTC", "ShortCode": "!" + org.tenant_id[:5], "Edition": "BUSINESS",
        "Class": "STARTER" if org.tier == "starter" else "STANDARD",
        "Addresses": [], "Phones": [], "ExternalLinks": [], "PaymentTerms": {},
    }
