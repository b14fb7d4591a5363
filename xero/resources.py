"""The registry of Xero resources: what the connector knows about each Accounting API collection, in one place.

Per collection (``Invoices``, ``Contacts``…): the field that holds a record's id and the one that holds its
number, its web address in Xero, whether Xero pages it (``page``/``pageSize``, or ``page`` alone at a size
Xero fixes), whether it has an ``IDs`` filter, whether writes ask for ``unitdp=4``, how many elements one
call may write, the collections under one of its records (``CreditNotes/<id>/Allocations``) and the
statuses in which Xero still accepts an update.

Per outbox operation (``invoice``, ``void_quote``…): the collection it writes, its label, its priority in the
sender (lower first: contacts before the documents that name them, payments after) and, for a void or a
delete, the operation whose document it voids.

Read by the client (paging, ``IDs``, ``unitdp``, envelopes), the outbox (``xero.job``: collections, labels,
priorities, ids and numbers written back, deep links), the pulls and the webhook events (id fields). A new
document type is one :data:`OPERATIONS` entry here (plus a :data:`RESOURCES` entry when Xero's collection is
new to the connector) and one handler model (see ``models/xero_outbox.py``).
"""
from __future__ import annotations

from dataclasses import dataclass

# Xero writes up to 50 elements per call (``summarizeErrors=false``).
MAX_PER_CALL = 50
# Xero's web application: a record's deep link is this plus its collection's ``web_path``.
WEB_URL = "https://go.xero.com"
EMPTY_ID = "00000000-0000-0000-0000-000000000000"


@dataclass(frozen=True)
class Resource:
    """One Accounting API collection, as Xero names it."""

    name: str
    id_field: str | None = None
    number_field: str | None = None
    # ``{id}`` is replaced by the record's id; None: the connector links no such record into Xero's web app.
    web_path: str | None = None
    # ``page`` + ``pageSize``; a collection Xero does not page answers its whole list to every call.
    paged: bool = False
    # Paged by ``page`` alone at a size Xero fixes (no ``pageSize`` there).
    page_size: int | None = None
    ids_filter: bool = False
    # Line items with a UnitAmount: Xero rounds it to 2 decimals unless the request says ``unitdp=4``.
    unitdp: bool = False
    max_per_call: int = MAX_PER_CALL
    # Collections under one record (``CreditNotes/<id>/Allocations``): their answer's envelope is theirs.
    sub_collections: frozenset = frozenset()
    # Xero statuses in which a record may still be updated through the API.
    editable: tuple = ()

    def deep_link(self, xero_id):
        """The record's web address in Xero, or None."""
        if not xero_id or not self.web_path:
            return None
        return f"{WEB_URL}/{self.web_path.format(id=xero_id)}"


_ATTACHMENTS = frozenset({"Attachments"})

RESOURCES = {resource.name: resource for resource in (
    Resource("Accounts", "AccountID", "Code", sub_collections=_ATTACHMENTS),
    Resource("BankTransactions", "BankTransactionID", paged=True, unitdp=True, sub_collections=_ATTACHMENTS),
    Resource("BankTransfers", "BankTransferID", sub_collections=_ATTACHMENTS),
    Resource("ContactGroups", "ContactGroupID"),
    Resource("Contacts", "ContactID", "ContactNumber", web_path="Contacts/View/{id}", paged=True, ids_filter=True,
             sub_collections=_ATTACHMENTS),
    Resource("CreditNotes", "CreditNoteID", "CreditNoteNumber",
             web_path="AccountsReceivable/ViewCreditNote.aspx?creditNoteID={id}", paged=True, unitdp=True,
             sub_collections=frozenset({"Allocations", "Attachments"}), editable=("DRAFT", "SUBMITTED", "AUTHORISED")),
    Resource("Currencies", "Code"),
    Resource("Invoices", "InvoiceID", "InvoiceNumber", web_path="AccountsReceivable/View.aspx?InvoiceID={id}",
             paged=True, ids_filter=True, unitdp=True,
             sub_collections=frozenset({"Attachments", "OnlineInvoice", "OnlineInvoices", "Email"}),
             editable=("DRAFT", "SUBMITTED", "AUTHORISED")),
    Resource("Items", "ItemID", "Code", unitdp=True),
    Resource("LinkedTransactions", "LinkedTransactionID", paged=True),
    Resource("ManualJournals", "ManualJournalID", paged=True, sub_collections=_ATTACHMENTS),
    Resource("Overpayments", "OverpaymentID", paged=True, unitdp=True, sub_collections=frozenset({"Allocations"})),
    Resource("Payments", "PaymentID", paged=True),
    Resource("Prepayments", "PrepaymentID", paged=True, unitdp=True, sub_collections=frozenset({"Allocations"})),
    # Web page: the one integrators link to (go.xero.com/Accounts/Payable/PurchaseOrders/View/<id>). Updated and
    # deleted (Status DELETED) while DRAFT, SUBMITTED or AUTHORISED; a BILLED one no longer changes.
    Resource("PurchaseOrders", "PurchaseOrderID", "PurchaseOrderNumber",
             web_path="Accounts/Payable/PurchaseOrders/View/{id}", paged=True, unitdp=True,
             sub_collections=_ATTACHMENTS, editable=("DRAFT", "SUBMITTED", "AUTHORISED")),
    Resource("Quotes", "QuoteID", "QuoteNumber", web_path="app/quotes/view/{id}", page_size=100, unitdp=True,
             sub_collections=_ATTACHMENTS, editable=("DRAFT", "SENT")),
    Resource("Receipts", "ReceiptID", unitdp=True, sub_collections=_ATTACHMENTS),
    Resource("RepeatingInvoices", "RepeatingInvoiceID", unitdp=True, sub_collections=_ATTACHMENTS),
    Resource("TaxRates", "TaxType"),
    Resource("TrackingCategories", "TrackingCategoryID", sub_collections=frozenset({"Options"})),
)}


@dataclass(frozen=True)
class Operation:
    """One kind of outbox job: what it writes in Xero."""

    resource: str
    label: str
    priority: int = 20
    # A void (or delete) of the document another operation created: that operation.
    voids: str | None = None
    # The document's page in Xero's web app when it is not its collection's (bills live under AccountsPayable,
    # sales invoices under AccountsReceivable, in the same Invoices collection); ``{id}`` as in Resource.
    web_path: str | None = None

    def deep_link(self, xero_id):
        """The document's web address in Xero: the operation's own page, else its collection's; a void's is the
        page of the document it voids. None when there is none."""
        own = self
        if own.voids and not own.web_path:
            own = OPERATIONS.get(own.voids, own)
        if xero_id and own.web_path:
            return f"{WEB_URL}/{own.web_path.format(id=xero_id)}"
        return deep_link(self.resource, xero_id)


# In the Sync Log's order. Priorities: lower first (contacts and items before the documents that name them,
# voids after the documents, payments after their invoices, bank transactions and transfers last).
OPERATIONS = {
    "contact": Operation("Contacts", "Contact", 10),
    "quote": Operation("Quotes", "Quote", 20),
    "invoice": Operation("Invoices", "Invoice", 20),
    "credit_note": Operation("CreditNotes", "Credit Note", 20),
    "item": Operation("Items", "Item", 15),
    "payment": Operation("Payments", "Payment", 30),
    "payment_reversal": Operation("Payments", "Payment Reversal", 35),
    "bank_transaction": Operation("BankTransactions", "Bank Transaction", 40),
    "bank_transfer": Operation("BankTransfers", "Bank Transfer", 45),
    "void_invoice": Operation("Invoices", "Void Invoice", 25, voids="invoice"),
    "void_credit_note": Operation("CreditNotes", "Void Credit Note", 25, voids="credit_note"),
    "void_quote": Operation("Quotes", "Delete Quote", 25, voids="quote"),
    # Vendor bills (ACCPAY) and refunds (ACCPAYCREDIT): the sales documents' collections (so they batch with them,
    # 50 a call), their own pages in Xero's web app.
    "bill": Operation("Invoices", "Bill", 20, web_path="AccountsPayable/View.aspx?InvoiceID={id}"),
    "supplier_credit_note": Operation("CreditNotes", "Supplier Credit Note", 20,
                                      web_path="AccountsPayable/ViewCreditNote.aspx?creditNoteID={id}"),
    "void_bill": Operation("Invoices", "Void Bill", 25, voids="bill"),
    "void_supplier_credit_note": Operation("CreditNotes", "Void Supplier Credit Note", 25, voids="supplier_credit_note"),
    # Purchase orders (the bridge module xero_connector_purchase, with Odoo's Purchase app): deleted in Xero
    # (Status DELETED) when cancelled in Odoo.
    "purchase_order": Operation("PurchaseOrders", "Purchase Order", 20),
    "void_purchase_order": Operation("PurchaseOrders", "Delete Purchase Order", 25, voids="purchase_order"),
    # Sent to one credit note's own endpoint: CreditNotes/<id>/Allocations.
    "allocation": Operation("CreditNotes", "Credit Note Allocation", 30),
    # A provider's clearing bank account (xero.clearing.account), before the payments that use it.
    "bank_account": Operation("Accounts", "Bank Account", 5),
    # The Lead Source (xero_tracking_outbox.py): its category (created, or reactivated at its own endpoint), then
    # its options (added at TrackingCategories/<id>/Options, renamed at .../Options/<option id>), before the
    # documents whose lines name them.
    "tracking_category": Operation("TrackingCategories", "Tracking Category", 3),
    "tracking_options": Operation("TrackingCategories", "Tracking Options", 4),
    # After every document (xero_files.py): a document's file, one call per file at the document's own endpoint
    # (Invoices/<id>/Attachments/<FileName>, or CreditNotes/...); the link to a sales invoice's online page (a
    # read: Invoices/<id>/OnlineInvoice); Xero emailing an approved sales invoice (Invoices/<id>/Email).
    "attachment": Operation("Invoices", "Attachment", 50),
    "online_invoice": Operation("Invoices", "Online Invoice Link", 55),
    "invoice_email": Operation("Invoices", "Email Invoice", 60),
}
# Outbox operations that spend the day's calls as pulls do (xero/budget.py: after documents and look-ups): sent
# only while the day's plan leaves room for them, else they wait (queued, never failed) for the next day.
PULL_CLASS = frozenset({"attachment"})


def resource(path):
    """The :class:`Resource` of a collection or of a path under one (``"Payments/<id>"``,
    ``"CreditNotes/<id>/Allocations"``), or None when the connector does not know it."""
    return RESOURCES.get(str(path or "").split("/")[0])


def envelope(path):
    """The key of the list in Xero's answer to ``path``: the collection's name, or the sub-collection's for a
    path under one record (``CreditNotes/<id>/Allocations`` answers ``{"Allocations": [...]}``, and so does one
    element of it: ``TrackingCategories/<id>/Options/<option id>`` answers ``{"Options": [...]}``)."""
    parts = str(path or "").split("/")
    known = RESOURCES.get(parts[0])
    if len(parts) > 2 and known is not None and parts[2] in known.sub_collections:
        # Invoices/<id>/OnlineInvoice answers {"OnlineInvoices": [...]} (spec 16.1.0, getOnlineInvoice)
        return "OnlineInvoices" if parts[2] == "OnlineInvoice" else parts[2]
    return parts[0]


def id_field(path):
    """Xero's id field of a collection (``Contacts`` → ``ContactID``); for one the registry does not hold,
    Xero's naming rule (the singular plus ``ID``)."""
    known = resource(path)
    if known is not None and known.id_field:
        return known.id_field
    name = str(path or "").split("/")[0]
    return f"{name[:-1]}ID" if name else None


def number_field(path):
    """Xero's number field of a collection (``Invoices`` → ``InvoiceNumber``, ``Items`` → ``Code``), or None."""
    known = resource(path)
    return known.number_field if known is not None else None


def deep_link(path, xero_id, operation=None):
    """The web address in Xero of the record ``xero_id`` of a collection, or None when there is none. With an
    outbox ``operation``, the page of that kind of document (a bill's is not a sales invoice's)."""
    if operation in OPERATIONS:
        return OPERATIONS[operation].deep_link(xero_id)
    known = resource(path)
    return known.deep_link(xero_id) if known is not None else None


def operation(name):
    """The :class:`Operation` of an outbox operation; KeyError for one the registry does not hold."""
    return OPERATIONS[name]


def max_per_call(path):
    """How many elements one write to ``path`` may carry: a record's own endpoint takes one."""
    if "/" in str(path or ""):
        return 1
    known = resource(path)
    return known.max_per_call if known is not None else MAX_PER_CALL


__all__ = ["EMPTY_ID", "MAX_PER_CALL", "OPERATIONS", "RESOURCES", "WEB_URL", "Operation", "Resource", "deep_link",
           "envelope", "id_field", "max_per_call", "number_field", "operation", "resource"]
