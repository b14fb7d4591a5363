"""What the sandbox's business rules share: errors, number and date checks, the document kinds.

Each ``write_*`` validates one element fully before changing anything, then commits it, so an
invalid element of a batch leaves no trace (except nothing); it raises ``Invalid`` with Xero-like
messages.
"""
import copy
import re

from .seed import CLASS_OF
from .util import day_string, parse_date, to_number

WEBHOOK_CATEGORIES = {"Contacts": "CONTACT", "Invoices": "INVOICE", "CreditNotes": "CREDITNOTE"}

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
ACCOUNT_TYPES = set(CLASS_OF) - {"CREDITCARD"}
READONLY = {"UpdatedDateUTC", "UpdatedDateUTCString", "ValidationErrors", "StatusAttributeString", "HasErrors",
            "HasValidationErrors", "Warnings", "DateString", "DueDateString", "ExpiryDateString",
            "FullyPaidOnDateString"}


class Invalid(Exception):
    def __init__(self, messages):
        super().__init__("; ".join(messages))
        self.messages = list(messages)


class NotFound(Exception):
    pass


def _norm_date(value, field, errs):
    if value in (None, ""):
        return None
    try:
        return day_string(parse_date(value))
    except ValueError:
        errs.append(f"{field} '{value}' is not a valid date")
        return None


def _num(value, field, errs, default=None):
    try:
        return to_number(value, default)
    except (TypeError, ValueError):
        errs.append(f"{field} '{value}' is not a valid number")
        return default


def _positive_amount(el, errs, label="Amount"):
    """The element's ``Amount``: required, a number, above zero (``label`` names it in Xero's messages)."""
    amount = _num(el.get("Amount"), "Amount", errs, None)
    if amount is None:
        if not any("Amount" in e for e in errs):
            errs.append(f"{label} must be specified")
    elif amount <= 0:
        errs.append(f"{label} must be greater than zero")
    return amount


def _copy_writable(el, extra_readonly=()):
    ro = READONLY | set(extra_readonly)
    return {k: copy.deepcopy(v) for k, v in el.items() if k not in ro and not k.startswith("_")}


DOCS = {
    "Invoices": {"idf": "InvoiceID", "numf": "InvoiceNumber", "types": ("ACCREC", "ACCPAY"), "prefix": "INV-",
                 "numbered_type": "ACCREC", "statuses": ("DRAFT", "SUBMITTED", "AUTHORISED"), "label": "Invoice"},
    "CreditNotes": {"idf": "CreditNoteID", "numf": "CreditNoteNumber", "types": ("ACCRECCREDIT", "ACCPAYCREDIT"),
                    "prefix": "CN-", "numbered_type": "ACCRECCREDIT", "statuses": ("DRAFT", "SUBMITTED", "AUTHORISED"),
                    "label": "Credit Note"},
    "Quotes": {"idf": "QuoteID", "numf": "QuoteNumber", "types": (None,), "prefix": "QU-", "numbered_type": None,
               "statuses": ("DRAFT", "SENT", "ACCEPTED", "DECLINED", "INVOICED"), "label": "Quote"},
}
LAT = {"exclusive": "Exclusive", "inclusive": "Inclusive", "notax": "NoTax"}


# The sandbox's day rates in place of XE.com's (units of each currency for one US dollar). Xero applies the
# day's rate to a foreign-currency document sent without a CurrencyRate; CurrencyRate is units of the
# document's currency for one unit of the organisation's base currency.
DAY_RATES = {"USD": 1.0, "EUR": 0.92, "GBP": 0.79, "NZD": 1.68, "AUD": 1.52, "CAD": 1.36, "JPY": 150.0}


def day_rate(base, currency):
    """Units of ``currency`` for one unit of ``base`` at the sandbox's day rates (1.0 when unknown)."""
    if base == currency or base not in DAY_RATES or currency not in DAY_RATES:
        return 1.0
    return round(DAY_RATES[currency] / DAY_RATES[base], 6)
