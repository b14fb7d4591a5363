"""Payments, bank transactions and bank transfers (a mixin of ``resources.Writer``)."""
import copy

from .res_common import LAT, Invalid, NotFound, _copy_writable, _norm_date, _num, _positive_amount, day_rate
from .util import day_string, money, ms_date, new_id


class PaymentsMixin:
    def write_payment(self, el, method, path_id=None):
        errs = []
        if path_id or el.get("PaymentID"):
            pid = path_id or el.get("PaymentID")
            pay = self.org.get("Payments", pid)
            if pay is None:
                raise NotFound(pid)
            if str(el.get("Status") or "").upper() != "DELETED":
                raise Invalid(["A payment can only be deleted (Status DELETED); it cannot be modified"])
            if pay["Status"] == "DELETED":
                raise Invalid(["Payment has already been deleted"])
            if pay.get("IsReconciled"):
                raise Invalid(["This payment has been reconciled and cannot be deleted: remove the reconciliation "
                               "in Xero first"])
            return self._delete_payment(pay)
        doc_coll, doc = None, None
        inv_ref, cn_ref = el.get("Invoice"), el.get("CreditNote")
        if isinstance(inv_ref, dict) and (inv_ref.get("InvoiceID") or inv_ref.get("InvoiceNumber")):
            doc_coll = "Invoices"
            doc = self.org.get("Invoices", inv_ref.get("InvoiceID")) if inv_ref.get("InvoiceID") else \
                self.find("Invoices", inv_ref["InvoiceNumber"])
        elif isinstance(cn_ref, dict) and (cn_ref.get("CreditNoteID") or cn_ref.get("CreditNoteNumber")):
            doc_coll = "CreditNotes"
            doc = self.org.get("CreditNotes", cn_ref.get("CreditNoteID")) if cn_ref.get("CreditNoteID") else \
                self.find("CreditNotes", cn_ref["CreditNoteNumber"])
        elif el.get("InvoiceNumber"):
            doc_coll, doc = "Invoices", self.find("Invoices", el["InvoiceNumber"])
        else:
            errs.append("An Invoice or CreditNote must be specified")
        if doc_coll and doc is None:
            errs.append("The document could not be found" if doc_coll == "CreditNotes" else "Invoice could not be found")
        acc_ref = el.get("Account")
        acc = None
        if acc_ref is None and el.get("Code"):
            acc_ref = {"Code": el["Code"]}
        if acc_ref is None:
            errs.append("Account must be specified")
        else:
            acc = self.account_by(acc_ref, errs)
        if acc is not None and acc["Type"] != "BANK" and not acc.get("EnablePaymentsToAccount"):
            errs.append("Payments can only be made to or from bank accounts or accounts with enable payments set")
        amount = _positive_amount(el, errs, "Payment amount")
        date = _norm_date(el.get("Date"), "Date", errs) or day_string(self.now)
        if doc is not None:
            if doc["Status"] != "AUTHORISED":
                errs.append("Payment cannot be applied to a document that is not approved (AUTHORISED)"
                            if doc["Status"] != "PAID" else "Payment amount exceeds the amount outstanding on this document")
            outstanding = doc.get("AmountDue") if doc_coll == "Invoices" else doc.get("RemainingCredit")
            if amount is not None and amount > 0 and doc["Status"] == "AUTHORISED" and money(amount) > money(outstanding or 0):
                errs.append("Payment amount exceeds the amount outstanding on this document")
        rate = el.get("CurrencyRate")
        if rate not in (None, ""):
            rate = _num(rate, "CurrencyRate", errs, None)
        if errs:
            raise Invalid(errs)
        amount = money(amount)
        rate = rate or doc.get("CurrencyRate") or 1.0
        idf = "InvoiceID" if doc_coll == "Invoices" else "CreditNoteID"
        numf = "InvoiceNumber" if doc_coll == "Invoices" else "CreditNoteNumber"
        ptype = {"ACCREC": "ACCRECPAYMENT", "ACCPAY": "ACCPAYPAYMENT", "ACCRECCREDIT": "ARCREDITPAYMENT",
                 "ACCPAYCREDIT": "APCREDITPAYMENT"}[doc["Type"]]
        pay = {"PaymentID": new_id(), "Date": date, "Amount": amount,
               "BankAmount": self._bank_amount(amount, doc, acc, rate),
               "Reference": el.get("Reference") or "", "CurrencyRate": rate,
               "PaymentType": ptype, "Status": "AUTHORISED", "IsReconciled": bool(el.get("IsReconciled")),
               "HasAccount": True, "HasValidationErrors": False,
               "Account": {"AccountID": acc["AccountID"], "Code": acc.get("Code", "")},
               "Invoice" if doc_coll == "Invoices" else "CreditNote": {
                   idf: doc[idf], numf: doc.get(numf), "Type": doc["Type"], "Contact": doc.get("Contact"),
                   "CurrencyCode": doc.get("CurrencyCode")}}
        doc = copy.deepcopy(doc)
        doc.setdefault("Payments", []).append({"PaymentID": pay["PaymentID"], "Date": date, "Amount": amount,
                                               "Reference": pay["Reference"], "CurrencyRate": pay["CurrencyRate"],
                                               "HasAccount": True, "HasValidationErrors": False})
        self._apply_payments(doc_coll, doc, date)
        self._stamp(doc_coll, doc, False)
        # Xero's answer embeds the document as the payment left it: its new status and amounts
        embedded = pay["Invoice" if doc_coll == "Invoices" else "CreditNote"]
        for key in ("Status", "Total", "AmountDue", "AmountPaid", "AmountCredited", "RemainingCredit",
                    "FullyPaidOnDate", "CurrencyRate"):
            if doc.get(key) is not None:
                embedded[key] = doc[key]
        return self._stamp("Payments", pay, True)

    def _bank_amount(self, amount, doc, account, rate):
        """The payment in the bank account's currency (Xero's ``BankAmount``): the same amount when the
        account is in the document's currency, else converted through the base currency (Xero's rate is
        units of the document's currency for one unit of the base currency)."""
        doc_cur = doc.get("CurrencyCode") or self.org.base_currency
        bank_cur = account.get("CurrencyCode") or self.org.base_currency
        if bank_cur == doc_cur:
            return amount
        base = amount / rate if doc_cur != self.org.base_currency else amount
        if bank_cur == self.org.base_currency:
            return money(base)
        return money(base * day_rate(self.org.base_currency, bank_cur))

    def _apply_payments(self, doc_coll, doc, date=None):
        paid = money(sum(float(p["Amount"]) for p in doc.get("Payments", [])))
        if doc_coll == "Invoices":
            doc["AmountPaid"] = paid
            doc["AmountDue"] = money(doc["Total"] - paid - float(doc.get("AmountCredited") or 0))
            remaining = doc["AmountDue"]
        else:
            alloc = sum(float(a.get("Amount") or 0) for a in doc.get("Allocations", []))
            doc["RemainingCredit"] = money(doc["Total"] - paid - alloc)
            remaining = doc["RemainingCredit"]
        if remaining <= 0 and doc["Status"] == "AUTHORISED":
            doc["Status"] = "PAID"
            doc["FullyPaidOnDate"] = date or day_string(self.now)
        elif remaining > 0 and doc["Status"] == "PAID":
            doc["Status"] = "AUTHORISED"
            doc.pop("FullyPaidOnDate", None)

    def _delete_payment(self, pay):
        pay = copy.deepcopy(pay)
        pay["Status"] = "DELETED"
        self._stamp("Payments", pay, False)
        doc_coll = "Invoices" if "Invoice" in pay else "CreditNotes"
        idf = "InvoiceID" if doc_coll == "Invoices" else "CreditNoteID"
        doc = self.org.get(doc_coll, pay["Invoice" if doc_coll == "Invoices" else "CreditNote"][idf])
        if doc is not None:
            doc = copy.deepcopy(doc)
            doc["Payments"] = [p for p in doc.get("Payments", []) if p["PaymentID"] != pay["PaymentID"]]
            self._apply_payments(doc_coll, doc)
            self._stamp(doc_coll, doc, False)
        return pay

    def write_banktransaction(self, el, method, path_id=None):
        errs = []
        existing = None
        key = path_id or el.get("BankTransactionID")
        if key:
            existing = self.org.get("BankTransactions", key)
            if existing is None:
                if path_id:
                    raise NotFound(path_id)
                raise Invalid([f"Bank transaction '{key}' could not be found"])
            if existing["Status"] in ("DELETED", "VOIDED"):
                raise Invalid(["Bank transaction not of valid status for modification"])
            if existing.get("IsReconciled") and el.get("Status") != "DELETED":
                raise Invalid(["This Bank Transaction cannot be edited as it has been reconciled"])
        new = copy.deepcopy(existing) if existing else {}
        new.update(_copy_writable(el, ("BankTransactionID", "SubTotal", "TotalTax", "Total", "HasAttachments",
                                       "PrepaymentID", "OverpaymentID")))
        status = str(new.get("Status") or "AUTHORISED").upper()
        if existing and status in ("DELETED", "VOIDED"):
            rec = copy.deepcopy(existing)
            rec["Status"] = status
            return self._stamp("BankTransactions", rec, False)
        if status != "AUTHORISED":
            errs.append(f"'{status}' is not a valid status for a bank transaction")
        typ = str(new.get("Type") or "").upper()
        if typ not in ("SPEND", "RECEIVE"):
            errs.append("Type must be SPEND or RECEIVE" if not typ or "-" not in typ
                        else f"{typ} bank transactions are not supported by this sandbox")
        contact, to_create = self.resolve_contact(new.get("Contact"), errs)
        bank = None
        if not new.get("BankAccount"):
            errs.append("BankAccount must be specified")
        else:
            bank = self.account_by(new["BankAccount"], errs, "BankAccount")
            if bank is not None and bank["Type"] != "BANK":
                errs.append(f"Account '{bank.get('Code') or bank['Name']}' is not a bank account")
                bank = None
        date = _norm_date(new.get("Date"), "Date", errs) or day_string(self.now)
        lat = LAT.get(str(new.get("LineAmountTypes") or "Exclusive").lower())
        if lat is None:
            errs.append("'LineAmountTypes' is not valid")
            lat = "Exclusive"
        cur = self.currency(new.get("CurrencyCode") or (bank or {}).get("CurrencyCode"), errs)
        lines, sub, tax, total, _disc = self.lines(new.get("LineItems"), lat, typ == "RECEIVE", errs, discounts=False,
                                                  require_account=True, require_lines=True)
        if errs:
            raise Invalid(errs)
        if to_create is not None:
            contact = self._create_contact_from(to_create)
        rec = new
        rec.update({"BankTransactionID": existing["BankTransactionID"] if existing else new_id(), "Type": typ,
                    "Status": status, "Contact": self.contact_summary(contact),
                    "BankAccount": {"AccountID": bank["AccountID"], "Code": bank.get("Code", ""), "Name": bank["Name"]},
                    "Date": date, "LineAmountTypes": lat, "CurrencyCode": cur, "LineItems": lines,
                    "SubTotal": sub, "TotalTax": tax, "Total": total})
        rec.setdefault("IsReconciled", False)
        rec.setdefault("HasAttachments", False)
        return self._stamp("BankTransactions", rec, existing is None)

    def write_banktransfer(self, el, method, path_id=None):
        """PUT creates; POST only deletes (``Status: DELETED``), as Xero's API. The two bank transactions a
        transfer makes in Xero are named by id, not kept as records here."""
        key = path_id or el.get("BankTransferID")
        if key or method != "PUT":
            existing = self.org.get("BankTransfers", key) if key else None
            if existing is None:
                if path_id:
                    raise NotFound(path_id)
                raise Invalid(["A bank transfer can only be created (PUT) or deleted (BankTransferID, Status DELETED)"])
            if str(el.get("Status") or "").upper() != "DELETED":
                raise Invalid(["A bank transfer cannot be modified; it can only be deleted"])
            if existing.get("Status") == "DELETED":
                raise Invalid(["Bank transfer has already been deleted"])
            if existing.get("FromIsReconciled") or existing.get("ToIsReconciled"):
                raise Invalid(["This bank transfer has been reconciled and cannot be deleted"])
            return self._stamp("BankTransfers", dict(copy.deepcopy(existing), Status="DELETED"), False)
        errs = []
        accounts = {}
        for side in ("FromBankAccount", "ToBankAccount"):
            if not el.get(side):
                errs.append(f"{side} must be specified")
                continue
            acc = self.account_by(el[side], errs, side)
            if acc is not None and acc["Type"] != "BANK":
                errs.append(f"{side}: account '{acc.get('Code') or acc['Name']}' is not a bank account")
            elif acc is not None:
                accounts[side] = acc
        if len(accounts) == 2 and accounts["FromBankAccount"]["AccountID"] == accounts["ToBankAccount"]["AccountID"]:
            errs.append("The from and to bank accounts must be different")
        amount = _positive_amount(el, errs)
        date = _norm_date(el.get("Date"), "Date", errs) or day_string(self.now)
        rate = el.get("CurrencyRate")
        if len(accounts) == 2 and accounts["FromBankAccount"].get("CurrencyCode") != \
                accounts["ToBankAccount"].get("CurrencyCode") and rate in (None, ""):
            errs.append("CurrencyRate must be specified for a transfer between accounts of different currencies")
        if errs:
            raise Invalid(errs)
        summary = {side: {"AccountID": a["AccountID"], "Code": a.get("Code", ""), "Name": a["Name"]}
                   for side, a in accounts.items()}
        rec = {"BankTransferID": new_id(), **summary, "Amount": money(amount), "Date": date,
               "CurrencyRate": float(rate) if rate not in (None, "") else 1.0, "Reference": el.get("Reference") or "",
               "FromBankTransactionID": new_id(), "ToBankTransactionID": new_id(), "FromIsReconciled": False,
               "ToIsReconciled": False, "HasAttachments": False, "CreatedDateUTC": ms_date(self.now),
               "Status": "AUTHORISED"}
        return self._stamp("BankTransfers", rec, True)

    def allocate_credit_note(self, cn_id, el):
        """``PUT CreditNotes/{id}/Allocations``: part of an approved credit note's remaining credit applied to
        an approved invoice of the same contact and currency, both moving to PAID when nothing is left."""
        cn = self.find("CreditNotes", cn_id)
        if cn is None:
            raise NotFound(cn_id)
        errs = []
        ref = el.get("Invoice") if isinstance(el.get("Invoice"), dict) else {}
        inv = self.org.get("Invoices", ref.get("InvoiceID")) if ref.get("InvoiceID") else None
        if inv is None:
            errs.append("Invoice could not be found")
        amount = _positive_amount(el, errs)
        date = _norm_date(el.get("Date"), "Date", errs) or day_string(self.now)
        if cn["Status"] != "AUTHORISED":
            errs.append("The credit note must be approved (AUTHORISED) and have remaining credit to allocate")
        if inv is not None:
            if inv["Status"] != "AUTHORISED":
                errs.append("The invoice must be approved (AUTHORISED) and unpaid to allocate a credit note to it")
            if (inv.get("Contact") or {}).get("ContactID") != (cn.get("Contact") or {}).get("ContactID"):
                errs.append("The credit note and the invoice must be for the same contact")
            if inv.get("CurrencyCode") != cn.get("CurrencyCode"):
                errs.append("The credit note and the invoice must be in the same currency")
            if {inv.get("Type"), cn.get("Type")} not in ({"ACCREC", "ACCRECCREDIT"}, {"ACCPAY", "ACCPAYCREDIT"}):
                errs.append("A sales credit note is allocated to a sales invoice, a bill's to a bill")
            if amount is not None and amount > 0 and money(amount) > money(inv.get("AmountDue") or 0):
                errs.append("The amount allocated exceeds the amount due on the invoice")
        if amount is not None and amount > 0 and money(amount) > money(cn.get("RemainingCredit") or 0):
            errs.append("The amount allocated exceeds the credit note's remaining credit")
        if errs:
            raise Invalid(errs)
        amount = money(amount)
        alloc_id = new_id()
        cn, inv = copy.deepcopy(cn), copy.deepcopy(inv)
        cn.setdefault("Allocations", []).append({"AllocationID": alloc_id, "Amount": amount, "Date": date,
                                                 "Invoice": {"InvoiceID": inv["InvoiceID"],
                                                             "InvoiceNumber": inv.get("InvoiceNumber")}})
        self._apply_payments("CreditNotes", cn, date)
        inv["AmountCredited"] = money(float(inv.get("AmountCredited") or 0) + amount)
        inv.setdefault("CreditNotes", []).append({"CreditNoteID": cn["CreditNoteID"],
                                                  "CreditNoteNumber": cn.get("CreditNoteNumber"),
                                                  "AppliedAmount": amount, "Total": cn.get("Total")})
        self._apply_payments("Invoices", inv, date)
        self._stamp("CreditNotes", cn, False)
        self._stamp("Invoices", inv, False)
        # The answer names the invoice and the credit note only (the spec's example): their new amounts
        # are read again, or come with the INVOICE and CREDITNOTE webhook events.
        return {"AllocationID": alloc_id, "Amount": amount, "Date": date,
                "Invoice": {"InvoiceID": inv["InvoiceID"], "InvoiceNumber": inv.get("InvoiceNumber")},
                "CreditNote": {"CreditNoteID": cn["CreditNoteID"], "CreditNoteNumber": cn.get("CreditNoteNumber")}}
