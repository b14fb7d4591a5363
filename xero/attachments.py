"""Xero's Attachments API, ORM-free: its limits, the file a document sends, the path and name of an attachment.

Xero's limits (XERO.md, "Objects used": Workato's and Codat's Xero docs): at most 10 attachments per document and
10 MB per file. A file uploaded again under the same ``FileName`` to the same document replaces the first (spec
16.1.0: ``POST .../Attachments/{FileName}`` "updates an attachment … by filename"; Linx's Xero reference: "If an
attachment already exists on the specified document, then the attachment being uploaded will overwrite it"), so a
re-export sends the same name and never adds a copy. ``IncludeOnline`` exists on the PUT of ``Invoices`` and
``CreditNotes`` only (spec 16.1.0), and shows the file on a *sales* document's online page.
"""
from __future__ import annotations

import hashlib
import re
from urllib.parse import quote

MAX_ATTACHMENTS = 10
MAX_FILE_BYTES = 10 * 1024 * 1024
# What a file's name may hold in Xero's URL path: letters, digits, dot, dash, underscore (brackets and the like must
# be encoded, and a slash would split the path: Linx's Xero reference).
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
FILE_NAME_MAX = 100


def file_source(move_type):
    """Which file a journal entry of ``move_type`` sends: ``"report"`` (Odoo's invoice PDF) for customer invoices and
    credit notes, ``"main_attachment"`` (the vendor's document) for vendor bills and refunds, None otherwise."""
    if move_type in ("out_invoice", "out_refund"):
        return "report"
    if move_type in ("in_invoice", "in_refund"):
        return "main_attachment"
    return None


def collection_of(move_type):
    """Xero's collection of a journal entry's document: refunds are credit notes, the others invoices."""
    return "CreditNotes" if move_type in ("out_refund", "in_refund") else "Invoices"


def include_online_allowed(move_type):
    """``IncludeOnline`` shows a file on the online page of a *sales* invoice or credit note (Linx's Xero reference:
    "available for accounts receivable invoices and accounts receivable credit notes")."""
    return move_type in ("out_invoice", "out_refund")


def safe_file_name(name, default="document.pdf"):
    """``name`` reduced to what Xero's path takes (unsafe runs → ``_``), at most 100 characters, extension kept."""
    name = _UNSAFE.sub("_", str(name or "")).strip("._") or default
    if len(name) > FILE_NAME_MAX:
        stem, dot, ext = name.rpartition(".")
        name = (stem[:FILE_NAME_MAX - len(ext) - 1] + dot + ext) if dot and len(ext) < 10 else name[:FILE_NAME_MAX]
    return name


def attachment_path(collection, document_id, file_name):
    """``Invoices/<id>/Attachments/<FileName>`` (the file name quoted for the URL)."""
    return f"{collection}/{document_id}/Attachments/{quote(file_name, safe='')}"


def checksum(content):
    """The SHA-256 of a file (hex): an unchanged file is not sent again."""
    return hashlib.sha256(content or b"").hexdigest()


def limit_problem(size, attachments_after):
    """Why Xero would refuse the file (``"size"`` over 10 MB, ``"count"`` over 10 per document, ``"empty"``), or None.
    ``attachments_after``: how many the document would hold with this one."""
    if not size:
        return "empty"
    if size > MAX_FILE_BYTES:
        return "size"
    if attachments_after > MAX_ATTACHMENTS:
        return "count"
    return None


__all__ = ["FILE_NAME_MAX", "MAX_ATTACHMENTS", "MAX_FILE_BYTES", "attachment_path", "checksum", "collection_of",
           "file_source", "include_online_allowed", "limit_problem", "safe_file_name"]
