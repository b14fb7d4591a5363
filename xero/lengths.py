"""Xero's maximum field lengths, from its OpenAPI spec (xero_accounting.yaml: the Contact, Phone, Address and
Quote schemas; Items, Accounts and tracking options are cut where they are built). Xero refuses an element with a longer value; under ``summarizeErrors=false`` that element alone."""

CONTACT = {"Name": 255, "FirstName": 255, "LastName": 255, "EmailAddress": 255, "TaxNumber": 50,
           "ContactNumber": 50, "AccountNumber": 50, "CompanyNumber": 50}
PHONE = {"PhoneNumber": 50, "PhoneAreaCode": 10, "PhoneCountryCode": 20}
ADDRESS = {"AddressLine1": 500, "AddressLine2": 500, "AddressLine3": 500, "AddressLine4": 500, "City": 255,
           "Region": 255, "PostalCode": 50, "Country": 50, "AttentionTo": 255}
QUOTE = {"Title": 100, "Summary": 3000, "Reference": 4000, "Terms": 4000, "QuoteNumber": 255}
# Cut, an email address would be another (wrong) address: one too long is left out instead.
NOT_CUT = frozenset({"EmailAddress"})


def fit(values: dict, limits: dict) -> dict:
    """``values`` with each text cut to Xero's length (whitespace at the cut removed); a field of ``NOT_CUT``
    that is too long is left out."""
    out = {}
    for key, value in values.items():
        limit = limits.get(key)
        if isinstance(value, str) and limit and len(value) > limit:
            if key in NOT_CUT:
                continue
            value = value[:limit].rstrip()
        out[key] = value
    return out
