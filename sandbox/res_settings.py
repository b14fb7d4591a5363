"""Items, accounts, tax rates and currencies (a mixin of ``resources.Writer``)."""
import copy
import re

from .res_common import ACCOUNT_TYPES, Invalid, NotFound, _copy_writable, _num
from .seed import CLASS_OF, CURRENCY_NAMES
from .util import money, new_id


class SettingsMixin:
    def write_item(self, el, method, path_id=None):
        errs = []
        existing = None
        if path_id:
            existing = self.find("Items", path_id)
            if existing is None:
                raise NotFound(path_id)
        elif el.get("ItemID"):
            existing = self.org.get("Items", el["ItemID"])
            if existing is None:
                raise Invalid([f"Item with ItemID '{el['ItemID']}' could not be found"])
        elif method == "POST" and el.get("Code"):
            existing = self.org.lookup("Items", "Code", el["Code"])
        new = copy.deepcopy(existing) if existing else {}
        new.update(_copy_writable(el, ("ItemID", "QuantityOnHand", "TotalCostPool")))
        code = str(new.get("Code") or "").strip()
        new["Code"] = code
        if not code:
            errs.append("Item code must be specified")
        elif len(code) > 30:
            errs.append("Item code must not exceed 30 characters")
        else:
            other = self.org.lookup("Items", "Code", code)
            if other is not None and (existing is None or other["ItemID"] != existing["ItemID"]):
                errs.append(f"Item code '{code}' already exists")
        if new.get("Name") and len(str(new["Name"])) > 50:
            errs.append("Item name must not exceed 50 characters")
        for det_name in ("SalesDetails", "PurchaseDetails"):
            det = new.get(det_name)
            if det is None:
                continue
            if not isinstance(det, dict):
                errs.append(f"{det_name} must be an object")
                continue
            if det.get("UnitPrice") not in (None, ""):
                det["UnitPrice"] = _num(det["UnitPrice"], f"{det_name}.UnitPrice", errs, 0.0)
            for f in ("AccountCode", "COGSAccountCode"):
                if det.get(f) and self.org.lookup("Accounts", "Code", det[f]) is None:
                    errs.append(f"Account code '{det[f]}' is not a valid code")
            if det.get("TaxType") and self.tax_rate(det["TaxType"]) is None:
                errs.append(f"The TaxType code '{det['TaxType']}' does not exist")
        tracked = bool(new.get("IsTrackedAsInventory"))
        if tracked:
            inv = new.get("InventoryAssetAccountCode")
            if not inv:
                errs.append("An inventory asset account must be specified for a tracked item (InventoryAssetAccountCode)")
            elif self.org.lookup("Accounts", "Code", inv) is None:
                errs.append(f"Account code '{inv}' is not a valid inventory asset account")
            if not (new.get("PurchaseDetails") or {}).get("COGSAccountCode"):
                errs.append("A cost of goods sold account must be specified for a tracked item (PurchaseDetails.COGSAccountCode)")
        if errs:
            raise Invalid(errs)
        new["ItemID"] = existing["ItemID"] if existing else new_id()
        new["IsTrackedAsInventory"] = tracked
        new.setdefault("QuantityOnHand", 0.0)
        new.setdefault("TotalCostPool", 0.0)
        new.setdefault("IsSold", True)
        new.setdefault("IsPurchased", True)
        new.setdefault("Name", code)
        return self._stamp("Items", new, existing is None)

    def set_stock(self, code, qty):
        item = self.find("Items", code)
        if item is None:
            raise NotFound(code)
        item = copy.deepcopy(item)
        item["QuantityOnHand"] = float(qty)
        return self._stamp("Items", item, False)

    def write_account(self, el, method, path_id=None):
        errs = []
        existing = None
        if path_id:
            existing = self.find("Accounts", path_id)
            if existing is None:
                raise NotFound(path_id)
        elif el.get("AccountID"):
            existing = self.org.get("Accounts", el["AccountID"])
            if existing is None:
                raise Invalid([f"Account with AccountID '{el['AccountID']}' could not be found"])
        new = copy.deepcopy(existing) if existing else {}
        new.update(_copy_writable(el, ("AccountID", "Class", "SystemAccount", "HasAttachments", "ReportingCodeName")))
        typ = str(new.get("Type") or "").upper()
        if typ == "CREDITCARD" or str(new.get("BankAccountType") or "").upper() == "CREDITCARD":
            errs.append("Credit card accounts cannot be created or modified through the API")
        elif typ not in ACCOUNT_TYPES:
            errs.append(f"'{typ}' is not a valid account type" if typ else "Account Type must be specified")
        new["Type"] = typ
        code = str(new.get("Code") or "").strip()
        name = str(new.get("Name") or "").strip()
        if not name:
            errs.append("Please enter a name for this account")
        elif len(name) > 150:
            errs.append("Account name must not exceed 150 characters")
        else:
            other = self.org.lookup("Accounts", "Name", name)
            if other is not None and (existing is None or other["AccountID"] != existing["AccountID"]):
                errs.append("Please enter a unique Name.")
        if not code and typ != "BANK":
            errs.append("Please enter a code for this account")
        elif code:
            if len(code) > 10:
                errs.append("Account code must be 10 characters or less")
            other = self.org.lookup("Accounts", "Code", code)
            if other is not None and (existing is None or other["AccountID"] != existing["AccountID"]):
                errs.append("Please enter a unique Code.")
        if typ == "BANK" and not new.get("BankAccountNumber"):
            errs.append("Bank account number must be specified for a bank account")
        elif typ == "BANK" and self.org.country == "AU" and not existing and not re.fullmatch(
                r"\d{7,15}", re.sub(r"[\s-]", "", str(new["BankAccountNumber"]))):
            errs.append("Please enter a valid BSB and account number (6-digit BSB followed by the account number)")
        status = str(new.get("Status") or "ACTIVE").upper()
        if status not in ("ACTIVE", "ARCHIVED") or (status == "ARCHIVED" and not existing):
            errs.append(f"'{status}' is not a valid account status")
        if existing and existing.get("SystemAccount") and status == "ARCHIVED":
            errs.append("System accounts cannot be archived")
        if new.get("TaxType") and self.tax_rate(new["TaxType"]) is None:
            errs.append(f"The TaxType code '{new['TaxType']}' does not exist")
        if new.get("CurrencyCode"):
            self.currency(new["CurrencyCode"], errs)
        if errs:
            raise Invalid(errs)
        new["Code"], new["Name"], new["Status"] = code, name, status
        new["AccountID"] = existing["AccountID"] if existing else new_id()
        new["Class"] = CLASS_OF[typ]
        new["EnablePaymentsToAccount"] = bool(new.get("EnablePaymentsToAccount"))
        if typ == "BANK":
            new.setdefault("BankAccountType", "BANK")
            new.setdefault("CurrencyCode", self.org.base_currency)
        new.setdefault("TaxType", "NONE")
        new.setdefault("ShowInExpenseClaims", False)
        new.setdefault("HasAttachments", False)
        new.setdefault("ReportingCode", "")
        return self._stamp("Accounts", new, existing is None)

    def write_taxrate(self, el, method, path_id=None):
        errs = []
        existing = None
        key = path_id or el.get("TaxType")
        if key:
            existing = self.tax_rate(key) or self.org.get("TaxRates", key)
        if existing is None and el.get("Name"):
            for r in self.org.records["TaxRates"].values():
                if r["Name"].lower() == str(el["Name"]).strip().lower():
                    if method == "PUT":
                        errs.append("Tax rate name must be unique")
                    existing = r
                    break
        new = copy.deepcopy(existing) if existing else {}
        new.update(_copy_writable(el, ("EffectiveRate", "DisplayTaxRate", "TaxType")))
        if not new.get("Name"):
            errs.append("Tax rate Name must be specified")
        comps = new.get("TaxComponents") or []
        if not isinstance(comps, list) or not comps:
            errs.append("At least one tax component must be specified")
            comps = []
        total = 0.0
        for c in comps:
            total += _num((c or {}).get("Rate"), "TaxComponents.Rate", errs, 0.0) or 0.0
        status = str(new.get("Status") or "ACTIVE").upper()
        if status not in ("ACTIVE", "DELETED", "ARCHIVED"):
            errs.append(f"'{status}' is not a valid tax rate status")
        if errs:
            raise Invalid(errs)
        if not existing:
            new["TaxType"] = f"TAX{self.org.next_number('TAX'):03d}"
        new["Status"] = status
        new["EffectiveRate"] = new["DisplayTaxRate"] = money(total)
        return self._stamp("TaxRates", new, existing is None)

    def write_currency(self, el, method, path_id=None):
        code = str(el.get("Code") or "").strip().upper()
        if not re.fullmatch(r"[A-Z]{3}", code):
            raise Invalid([f"'{code}' is not a valid currency code"])
        existing = self.org.get("Currencies", code)
        if existing:
            return existing
        rec = {"Code": code, "Description": el.get("Description") or CURRENCY_NAMES.get(code, code)}
        return self._stamp("Currencies", rec, True)

    def delete_item(self, key):
        item = self.find("Items", key)
        if item is None:
            raise NotFound(key)
        del self.org.records["Items"][item["ItemID"]]
        self.org.rebuild_indexes()
        return item
