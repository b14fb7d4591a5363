"""The defaults an organisation's own chart suggests: which account and tax rate sales (and purchases) book to
when nothing more specific is mapped. Pure: Xero's Accounts and TaxRates elements in, a choice out.

Xero's default chart has the same codes in every region (``200 Sales``, ``300 Purchases``: Xero's Accounts
documentation and its default chart), and each account carries the tax rate Xero applies to it by default
(``Account.TaxType``: ``OUTPUT2`` on an NZ or UK organisation's Sales, ``OUTPUT`` on an Australian one's). The
chooser follows the organisation as it is (renamed, archived, added accounts): an active revenue account named
"Sales", else code 200, else the first active revenue account by code; and that account's own tax type when the
rate is active and may be used on revenue (Xero refuses it otherwise: "Tax Rate Constraints"), else the
organisation's active income rate with the highest rate. Rates Xero says do not work through the API (Avalara's,
``USSALESTAX``) are never chosen.
"""
from __future__ import annotations

from dataclasses import dataclass

REVENUE_TYPES = ("REVENUE", "SALES")
# Xero's Tax Rates documentation: "The Avalara tax rate look up feature does not work for transactions imported
# through the API"; "Tax Rates that have ReportTaxType = USSALESTAX do not work for transactions imported through
# the API. A different rate should be used."
NOT_FOR_THE_API = ("AVALARA", "USSALESTAX")
PURCHASE_TYPES = ("DIRECTCOSTS", "EXPENSE", "OVERHEADS")


@dataclass(frozen=True)
class Choice:
    """An account and a tax rate chosen from the organisation's lists (either may be None)."""

    account_code: str | None = None
    account_name: str | None = None
    tax_type: str | None = None
    tax_name: str | None = None


def _active(records):
    return [r for r in records or [] if isinstance(r, dict) and r.get("Status", "ACTIVE") == "ACTIVE"]


def _pick_account(accounts, types, name, code):
    candidates = [a for a in _active(accounts) if a.get("Type") in types and a.get("Code")]
    for test in (lambda a: (a.get("Name") or "").strip().lower() == name.lower(),
                 lambda a: a.get("Code") == code):
        found = [a for a in candidates if test(a)]
        if found:
            return sorted(found, key=lambda a: a["Code"])[0]
    return sorted(candidates, key=lambda a: (types.index(a["Type"]), a["Code"]))[0] if candidates else None


def _pick_rate(account, rates, flag, report_types):
    active = {r.get("TaxType"): r for r in _active(rates)
              if r.get("TaxType") and r.get("TaxType") not in NOT_FOR_THE_API
              and r.get("ReportTaxType") not in NOT_FOR_THE_API}
    own = active.get((account or {}).get("TaxType"))
    if own is not None and own.get(flag, True) is not False:
        return own
    usable = [r for r in active.values() if r.get(flag, True) is not False and r.get("ReportTaxType") in report_types]
    # the highest rate first: the standard rate rather than zero-rated or exempt
    usable.sort(key=lambda r: (-float(r.get("EffectiveRate") or 0.0), r["TaxType"]))
    return usable[0] if usable else None


def no_tax_type(tax_rates, revenue=True):
    """The tax type of a line that carries no tax: ``NONE`` where the organisation has it; an Australian one has
    none (Xero's Tax Rates documentation): its GST-free rate for sales (``EXEMPTOUTPUT``) or expenses
    (``EXEMPTEXPENSES``), else ``BASEXCLUDED``. None when the organisation has none of them (active)."""
    active = {r.get("TaxType") for r in _active(tax_rates)}
    for tax_type in ("NONE", "EXEMPTOUTPUT" if revenue else "EXEMPTEXPENSES", "BASEXCLUDED"):
        if tax_type in active:
            return tax_type
    return None


def _choice(account, rate):
    return Choice(account and account.get("Code"), account and account.get("Name"),
                  rate and rate.get("TaxType"), rate and rate.get("Name"))


def sales_defaults(accounts, tax_rates) -> Choice:
    """The organisation's sales account and the tax rate its chart applies to it."""
    account = _pick_account(accounts, REVENUE_TYPES, "Sales", "200")
    return _choice(account, _pick_rate(account, tax_rates, "CanApplyToRevenue", ("OUTPUT", "OUTPUT2")))


def purchase_defaults(accounts, tax_rates) -> Choice:
    """The organisation's purchases account and the tax rate its chart applies to it."""
    account = _pick_account(accounts, PURCHASE_TYPES, "Purchases", "300")
    return _choice(account, _pick_rate(account, tax_rates, "CanApplyToExpenses", ("INPUT", "INPUT2")))


__all__ = ["Choice", "no_tax_type", "purchase_defaults", "sales_defaults"]
