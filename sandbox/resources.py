"""Business rules of the Accounting API: validation and storage of each kind of record.

Each ``write_*`` validates one element fully before changing anything, then commits it, so an
invalid element of a batch leaves no trace (except nothing); it raises ``Invalid`` with Xero-like
messages. The rules live in one mixin per kind of record (``res_*.py``); ``Writer`` puts them together.
"""
from .res_attachments import AttachmentsMixin
from .res_common import DOCS, WEBHOOK_CATEGORIES, Invalid, NotFound  # noqa: F401 (re-exported)
from .res_contacts import ContactsMixin
from .res_documents import DocumentsMixin
from .res_payments import PaymentsMixin
from .res_purchase_orders import PurchaseOrdersMixin
from .res_settings import SettingsMixin
from .res_tracking import TrackingMixin


class Writer(AttachmentsMixin, DocumentsMixin, ContactsMixin, SettingsMixin, PaymentsMixin, TrackingMixin,
             PurchaseOrdersMixin):
    def __init__(self, state, org, emit=None, option_limit=100):
        self.state = state
        self.org = org
        self.now = state.now()
        self.emit = emit or (lambda *a: None)
        self.option_limit = option_limit
        self.unit_dp = 2  # decimals kept of line items' UnitAmount (4 with ?unitdp=4)

    def _stamp(self, coll, rec, created):
        rec["_updated"] = self.now
        if created:
            rec["_created"] = self.now
        self.org.put(coll, rec)
        cat = WEBHOOK_CATEGORIES.get(coll)
        if cat:
            data = {"Type": rec.get("Type"), "Status": rec.get("Status")} if cat == "CREDITNOTE" else None
            self.emit(self.org, cat, rec[DOCS[coll]["idf"] if coll in DOCS else "ContactID"],
                      "CREATE" if created else "UPDATE", data)
        return rec

    def account_by(self, ref, errs, field="Account"):
        """ref: {AccountID} or {Code} (or a bare code)."""
        if isinstance(ref, str):
            ref = {"Code": ref}
        if not isinstance(ref, dict):
            errs.append(f"{field} must be specified")
            return None
        acc = None
        if ref.get("AccountID"):
            acc = self.org.get("Accounts", ref["AccountID"])
        elif ref.get("Code"):
            acc = self.org.lookup("Accounts", "Code", ref["Code"])
        else:
            errs.append(f"{field} must be specified")
            return None
        if acc is None or acc.get("Status") != "ACTIVE":
            errs.append(f"Account code '{ref.get('Code') or ref.get('AccountID')}' is not a valid code for this document.")
            return None
        return acc

    def tax_rate(self, tax_type):
        rec = self.org.get("TaxRates", tax_type) if tax_type else None
        if rec is None and tax_type:
            for r in self.org.records["TaxRates"].values():
                if r["TaxType"].lower() == str(tax_type).lower():
                    rec = r
                    break
        return rec if rec and rec.get("Status") == "ACTIVE" else None

    def no_tax_type(self):
        """The rate a line gets when it names none on a NoTax document: NONE, or BASEXCLUDED where the country has
        no NONE (Australia: Xero's Tax Rates documentation lists no NONE there, and a line left without one "defaults
        to BASEXCLUDED", XeroAPI/Xero-Java #371)."""
        return "NONE" if self.tax_rate("NONE") or not self.tax_rate("BASEXCLUDED") else "BASEXCLUDED"

    def write(self, coll, el, method, path_id=None):
        if not isinstance(el, dict):
            raise Invalid(["The element is not an object"])
        if coll in DOCS:
            return self.write_doc(coll, el, method, path_id)
        fn = {"Contacts": self.write_contact, "Items": self.write_item, "Accounts": self.write_account,
              "TaxRates": self.write_taxrate, "Currencies": self.write_currency, "Payments": self.write_payment,
              "BankTransactions": self.write_banktransaction, "BankTransfers": self.write_banktransfer,
              "TrackingCategories": self.write_tracking_category,
              "PurchaseOrders": self.write_purchase_order}[coll]
        return fn(el, method, path_id)
