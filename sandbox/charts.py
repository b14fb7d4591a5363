"""The chart of accounts and tax rates a new Xero organisation starts with, per country.

Sources:
- Tax rates: Xero's Accounting API documentation, Tax Rates → "Tax Rate Constraints" ("a list of the default
  rates that Xero organisations start with", per country: TaxType, name, and which account classes each may be
  used with). The rates' percentages are the countries' standard rates (NZ GST 15 %, AU GST 10 %, UK VAT 20 %
  and 5 %); NZ's ``OUTPUT``/``INPUT`` are the pre-2010 12.5 % GST rates Xero keeps beside ``OUTPUT2``/``INPUT2``;
  a new US organisation's ``OUTPUT``/``INPUT`` carry no rate until the user adds one (the same documentation's
  US/Global rows, and integrators' fixtures showing ``Tax on Purchases`` at 0.0000).
- Accounts: Xero's Accounting API documentation, Accounts (its example answer: an NZ organisation's
  ``091 Business Savings Account`` BANK/NONE, ``200 Sales`` REVENUE/OUTPUT2, ``300 Purchases``
  DIRECTCOSTS/INPUT2), and Xero's default chart (the same three-digit codes in every region: 090/091 bank,
  200 Sales, 260 Other Revenue, 270 Interest Income, 300 Purchases, 310 Cost of Goods Sold, 4xx overheads,
  610 Accounts Receivable, 800 Accounts Payable, 820 the tax account, 960 Retained Earnings). Each account's
  default tax type follows the country's rates: income → the income rate, expenses → the expense rate, bank
  fees, interest and balance-sheet accounts → no tax. Only a part of the default chart is here (what a
  connector meets); names and codes are Xero's.

A user may rename, archive or add accounts and rates, which is why the connector reads the organisation's
own lists and never assumes this chart.
"""

# Rates a country's organisation starts with: (TaxType, name, rate %, ReportTaxType, applies to revenue,
# applies to expenses). Assets, equity and liabilities follow Xero's table too (see _rate below).
_NZ_RATES = [
    ("INPUT", "GST on Expenses", 12.5, "INPUT", True, True),
    ("OUTPUT", "GST on Income", 12.5, "OUTPUT", True, False),
    ("INPUT2", "15% GST on Expenses", 15.0, "INPUT", False, True),
    ("OUTPUT2", "15% GST on Income", 15.0, "OUTPUT", True, False),
    ("GSTONIMPORTS", "GST on Imports", 0.0, "GSTONIMPORTS", False, False),
    ("NONE", "No GST", 0.0, "NONE", True, True),
    ("ZERORATED", "Zero Rated", 0.0, "OUTPUT", True, False),
]
_AU_RATES = [
    ("BASEXCLUDED", "BAS Excluded", 0.0, "BASEXCLUDED", True, True),
    ("EXEMPTCAPITAL", "GST Free Capital", 0.0, "CAPEXINPUT", False, True),
    ("EXEMPTEXPENSES", "GST Free Expenses", 0.0, "INPUT", False, True),
    ("EXEMPTEXPORT", "GST Free Exports", 0.0, "OUTPUT", True, False),
    ("EXEMPTOUTPUT", "GST Free Income", 0.0, "OUTPUT", True, False),
    ("CAPEXINPUT", "GST on Capital", 10.0, "CAPEXINPUT", False, True),
    ("GSTONCAPIMPORTS", "GST on Capital Imports", 0.0, "GSTONIMPORTS", False, False),
    ("INPUT", "GST on Expenses", 10.0, "INPUT", False, True),
    ("GSTONIMPORTS", "GST on Imports", 0.0, "GSTONIMPORTS", False, False),
    ("OUTPUT", "GST on Income", 10.0, "OUTPUT", True, False),
    ("INPUTTAXED", "Input Taxed", 0.0, "INPUT", True, True),
]
_UK_RATES = [
    ("CAPEXINPUT2", "20% (VAT on Capital Purchases)", 20.0, "INPUT", False, False),
    ("CAPEXOUTPUT2", "20% (VAT on Capital Sales)", 20.0, "OUTPUT", False, False),
    ("INPUT2", "20% (VAT on Expenses)", 20.0, "INPUT", False, True),
    ("OUTPUT2", "20% (VAT on Income)", 20.0, "OUTPUT", True, False),
    ("RRINPUT", "5% (VAT on Expenses)", 5.0, "INPUT", False, True),
    ("RROUTPUT", "5% (VAT on Income)", 5.0, "OUTPUT", True, False),
    ("ECACQUISITIONS", "EC Acquisitions (20%)", 20.0, "ECACQUISITIONS", False, True),
    ("ECZRACQUISITIONS", "EC Acquisitions (Zero Rated)", 0.0, "ECACQUISITIONS", False, True),
    ("EXEMPTINPUT", "Exempt Expenses", 0.0, "EXEMPTINPUT", False, True),
    ("EXEMPTOUTPUT", "Exempt Income", 0.0, "EXEMPTOUTPUT", True, False),
    ("NONE", "No VAT", 0.0, "NONE", True, True),
    ("REVERSECHARGES", "Reverse Charge Expenses (20%)", 20.0, "REVERSECHARGES", False, True),
    ("GSTONIMPORTS", "VAT on Imports", 0.0, "GSTONIMPORTS", False, False),
    ("ECZROUTPUT", "Zero Rated EC Goods Income", 0.0, "ECOUTPUT", True, False),
    ("ECZROUTPUTSERVICES", "Zero Rated EC Services", 0.0, "ECOUTPUTSERVICES", True, False),
    ("ZERORATEDINPUT", "Zero Rated Expenses", 0.0, "INPUT", False, True),
    ("ZERORATEDOUTPUT", "Zero Rated Income", 0.0, "OUTPUT", True, False),
]
_US_RATES = [
    ("AVALARA", "Auto Look Up (DO NOT USE)", 0.0, "AVALARA", True, True),
    ("GSTONIMPORTS", "Sales Tax on Imports", 0.0, "GSTONIMPORTS", False, False),
    ("NONE", "Tax Exempt", 0.0, "NONE", True, True),
    ("OUTPUT", "Tax on Sales", 0.0, "OUTPUT", True, True),
    ("INPUT", "Tax on Purchases", 0.0, "INPUT", True, True),
]
_GLOBAL_RATES = [
    ("GSTONIMPORTS", "Sales Tax on Imports", 0.0, "GSTONIMPORTS", False, False),
    ("NONE", "Tax Exempt", 0.0, "NONE", True, True),
    ("OUTPUT", "Tax on Consulting", 0.0, "OUTPUT", True, True),
    ("INPUT", "Tax on Purchases", 0.0, "INPUT", True, True),
]


def _accounts(income, expense, no_tax, tax_account, bank_number, bank_names=("Business Bank Account",
                                                                              "Business Savings Account")):
    """Xero's default chart (its first accounts), with a country's tax types."""
    return [
        ("090", bank_names[0], "BANK", no_tax, {"BankAccountNumber": bank_number, "BankAccountType": "BANK"}),
        ("091", bank_names[1], "BANK", no_tax, {"BankAccountNumber": bank_number[:-1] + "1",
                                                 "BankAccountType": "BANK"}),
        ("200", "Sales", "REVENUE", income, {"Description": "Income from any normal business activity"}),
        ("260", "Other Revenue", "REVENUE", income, {}),
        ("270", "Interest Income", "REVENUE", no_tax, {}),
        ("300", "Purchases", "DIRECTCOSTS", expense,
         {"Description": "Goods purchased with the intention of selling these to customers"}),
        ("310", "Cost of Goods Sold", "DIRECTCOSTS", expense, {}),
        ("400", "Advertising", "OVERHEADS", expense, {}),
        ("404", "Bank Fees", "OVERHEADS", no_tax, {}),
        ("408", "Cleaning", "OVERHEADS", expense, {}),
        ("412", "Consulting & Accounting", "OVERHEADS", expense, {}),
        ("429", "General Expenses", "OVERHEADS", expense, {}),
        ("453", "Office Expenses", "OVERHEADS", expense, {}),
        ("469", "Rent", "OVERHEADS", expense, {}),
        ("489", "Telephone & Internet", "OVERHEADS", expense, {}),
        ("610", "Accounts Receivable", "CURRENT", no_tax, {"SystemAccount": "DEBTORS"}),
        ("630", "Inventory", "INVENTORY", no_tax, {}),
        ("710", "Office Equipment", "FIXED", expense, {}),
        ("800", "Accounts Payable", "CURRLIAB", no_tax, {"SystemAccount": "CREDITORS"}),
        ("820", tax_account, "CURRLIAB", no_tax, {"SystemAccount": "GST"}),
        ("960", "Retained Earnings", "EQUITY", no_tax, {"SystemAccount": "RETAINEDEARNINGS"}),
        ("970", "Owner A Share Capital", "EQUITY", no_tax, {}),
    ]


# country → (tax rates, accounts)
CHARTS = {
    "NZ": (_NZ_RATES, _accounts("OUTPUT2", "INPUT2", "NONE", "GST", "02-0908-7654321-050")),
    "AU": (_AU_RATES, _accounts("OUTPUT", "INPUT", "BASEXCLUDED", "GST", "062-000 12345670")),
    "GB": (_UK_RATES, _accounts("OUTPUT2", "INPUT2", "NONE", "VAT", "20-00-00 12345670")),
    "US": (_US_RATES, _accounts("OUTPUT", "INPUT", "NONE", "Sales Tax", "121000248-12345670",
                                ("Checking Account", "Savings Account"))),
}
GLOBAL = (_GLOBAL_RATES, _accounts("OUTPUT", "INPUT", "NONE", "Sales Tax", "12345670"))


def chart(country):
    """(tax rates, accounts) a new organisation of ``country`` starts with (Xero's Global chart elsewhere)."""
    return CHARTS.get((country or "").upper(), GLOBAL)


def tax_rate_record(tax_type, name, rate, report, revenue, expenses, now):
    """A TaxRates element as Xero answers it."""
    return {
        "Name": name, "TaxType": tax_type, "ReportTaxType": report, "Status": "ACTIVE",
        "TaxComponents": [{"Name": "Tax", "Rate": rate, "IsCompound": False, "IsNonRecoverable": False}],
        "CanApplyToAssets": tax_type != "GSTONIMPORTS", "CanApplyToEquity": tax_type != "GSTONIMPORTS",
        "CanApplyToExpenses": expenses, "CanApplyToLiabilities": True, "CanApplyToRevenue": revenue,
        "DisplayTaxRate": rate, "EffectiveRate": rate, "_updated": now}


__all__ = ["CHARTS", "GLOBAL", "chart", "tax_rate_record"]
