"""A document's sub-resources beyond its lines: attachments, the online invoice, Xero emailing an invoice.

Xero's rules played here (sources in ``sandbox/README.md``, "Attachments, online invoice, email"):

- ``PUT``/``POST /{Invoices|CreditNotes}/{id}/Attachments/{FileName}``: the raw file is the body with its
  ``Content-Type`` (spec 16.1.0: ``application/octet-stream`` byte body); scope ``accounting.attachments``
  (checked in ``app.py``); at most 10 attachments per document and 10 MB per file (XERO.md: Workato's and Codat's
  Xero docs); the same ``FileName`` again on the same document replaces the file (Linx's Xero reference: "the
  attachment being uploaded will overwrite it"; spec: POST "updates an attachment … by filename"), keeping its
  AttachmentID; POST to a name the document does not have is 404 (the spec's POST only updates). ``IncludeOnline``
  is a query parameter of the PUT only (spec), for sales invoices and credit notes only (Linx: "available for
  accounts receivable invoices and accounts receivable credit notes"). The document's ``HasAttachments`` turns true.
  ``GET .../Attachments`` lists them; ``GET .../Attachments/{FileName}`` answers the raw file.
- ``GET /Invoices/{id}/OnlineInvoice``: ``{"OnlineInvoices": [{"OnlineInvoiceUrl": …}]}`` for a sales invoice that
  is not a draft (Xero's Invoices docs, quoted in XeroAPI/xero-node #186: "for sales (ACCREC) invoices … you cannot
  retrieve an online invoice url for DRAFT invoices").
- ``POST /Invoices/{id}/Email`` with ``{}``: 204, for an AUTHORISED sales invoice whose contact has an email address
  (XERO.md; Xero's help: no email "if there is no primary email address assigned to the Xero contact"); the
  invoice is marked ``SentToContact``. The exact wording of Xero's refusals is not documented: the messages below
  say what is wrong in Xero's ValidationException shape. Sent emails are recorded for tests (control API).
"""
import base64
import hashlib

from .res_common import Invalid, NotFound
from .util import iso_z, new_id

MAX_ATTACHMENTS = 10
MAX_FILE_BYTES = 10 * 1024 * 1024
# The documents the connector attaches files to; the spec has the same Attachments paths on PurchaseOrders
# (/PurchaseOrders/{PurchaseOrderID}/Attachments/{FileName}).
ATTACHABLE = ("Invoices", "CreditNotes", "PurchaseOrders")
SALES_TYPES = ("ACCREC", "ACCRECCREDIT")


class TooLarge(Exception):
    """The file is over Xero's 10 MB per file."""


def public(att, fmt="json"):
    """An attachment as Xero shows it (no content)."""
    out = {k: v for k, v in att.items() if not k.startswith("_")}
    if not out.get("IncludeOnline"):
        out.pop("IncludeOnline", None)
    return out


class AttachmentsMixin:
    """Mixed into ``resources.Writer`` (``self.org``, ``self.state``)."""

    def _document(self, coll, doc_id):
        if coll not in ATTACHABLE:
            raise NotFound(coll)
        rec = self.org.get(coll, doc_id)
        if rec is None:
            raise NotFound(doc_id)
        return rec

    def attachments(self, coll, doc_id):
        return list(self._document(coll, doc_id).get("_attachments") or [])

    def attachment_file(self, coll, doc_id, file_name):
        """(content, mime type) of one attachment, by name (case-insensitive, as Xero's file names are)."""
        for att in self.attachments(coll, doc_id):
            if att["FileName"].lower() == file_name.lower():
                return base64.b64decode(att["_content"]), att["MimeType"]
        raise NotFound(file_name)

    def attach(self, coll, doc_id, file_name, content, content_type, method, include_online, base_url):
        doc = self._document(coll, doc_id)
        errs = []
        if not file_name.strip():
            errs.append("A file name must be specified")
        if not content:
            errs.append("The file is empty")
        if not (content_type or "").strip():
            errs.append("A Content-Type must be specified for the file")
        if len(content or b"") > MAX_FILE_BYTES:
            raise TooLarge(file_name)
        if include_online:
            if method != "PUT":
                errs.append("IncludeOnline can only be set when an attachment is created (PUT)")
            elif doc.get("Type") not in SALES_TYPES:
                errs.append("IncludeOnline is only available for sales invoices and sales credit notes")
        current = list(doc.get("_attachments") or [])
        same = next((a for a in current if a["FileName"].lower() == file_name.lower()), None)
        if method == "POST" and same is None:
            raise NotFound(file_name)
        if same is None and len(current) >= MAX_ATTACHMENTS:
            errs.append(f"The maximum number of attachments ({MAX_ATTACHMENTS}) has been reached for this document")
        if errs:
            raise Invalid(errs)
        att = dict(same or {"AttachmentID": new_id()})
        att.update(FileName=same["FileName"] if same else file_name,
                   Url=f"{base_url}/api.xro/2.0/{coll}/{doc_id}/Attachments/{file_name}",
                   MimeType=content_type.split(";")[0].strip(), ContentLength=len(content),
                   IncludeOnline=bool(include_online) if method == "PUT" else bool((same or {}).get("IncludeOnline")),
                   _content=base64.b64encode(content).decode("ascii"), _sha256=hashlib.sha256(content).hexdigest())
        doc["_attachments"] = [att if a is same else a for a in current] + ([] if same else [att])
        doc["HasAttachments"] = True
        return att

    def online_invoice(self, doc_id, base_url):
        doc = self._document("Invoices", doc_id)
        if doc.get("Type") != "ACCREC":
            raise Invalid(["An online invoice is only available for sales invoices (ACCREC)"])
        if doc.get("Status") in ("DRAFT", "DELETED"):
            raise Invalid([f"An online invoice cannot be retrieved for a {doc['Status'].lower()} invoice"])
        token = doc.get("_online_token") or hashlib.sha256(doc_id.encode()).hexdigest()[:40]
        doc["_online_token"] = token
        return {"OnlineInvoiceUrl": f"{base_url}/_sandbox/in/{token}"}

    def email_invoice(self, doc_id):
        doc = self._document("Invoices", doc_id)
        if doc.get("Type") != "ACCREC":
            raise Invalid(["Only sales invoices (ACCREC) can be emailed"])
        if doc.get("Status") != "AUTHORISED":
            raise Invalid([f"Invoice must be approved to be emailed (it is {str(doc.get('Status')).lower()})"])
        contact = self.org.get("Contacts", (doc.get("Contact") or {}).get("ContactID") or "")
        email = (contact or {}).get("EmailAddress")
        if not email:
            raise Invalid([f"The contact '{(contact or {}).get('Name', '')}' has no email address: the invoice cannot "
                           "be emailed"])
        doc.setdefault("_emails", []).append({"to": email, "time": iso_z(self.state.now())})
        doc["SentToContact"] = True
        return doc["_emails"][-1]
