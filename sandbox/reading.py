"""The sandbox's GET side: one record, or a list filtered, ordered and paged as Xero does."""
from werkzeug.wrappers import Response

from . import render
from .query import QueryError, compile_where, order_key
from .res_attachments import public
from .res_common import Invalid, NotFound
from .seed import organisation_record
from .util import parse_http_date

LIST_FILTERS = {"Invoices": ("InvoiceID", "InvoiceNumber", "InvoiceNumbers"),
                "CreditNotes": ("CreditNoteID", "CreditNoteNumber", None),
                "Quotes": ("QuoteID", "QuoteNumber", None),
                "PurchaseOrders": ("PurchaseOrderID", "PurchaseOrderNumber", None),
                "Contacts": ("ContactID", "ContactNumber", "ContactNumbers"),
                "Items": ("ItemID", "Code", None),
                "Accounts": ("AccountID", "Code", None),
                "Payments": ("PaymentID", None, None),
                "BankTransactions": ("BankTransactionID", None, None),
                "BankTransfers": ("BankTransferID", None, None),
                "TrackingCategories": ("TrackingCategoryID", None, None),
                "TaxRates": ("TaxType", None, None),
                "Currencies": ("Code", None, None)}
NO_LINES_UNPAGED = ("Invoices", "CreditNotes", "BankTransactions")
# Only these collections have an IDs filter (Xero's spec); elsewhere Xero ignores it and lists everything.
IDS_COLLECTIONS = ("Invoices", "Contacts")
# What Xero pages; the other collections ignore page/pageSize and answer their whole list.
PAGED = frozenset({"BankTransactions", "Contacts", "CreditNotes", "Invoices", "LinkedTransactions", "ManualJournals",
                   "Overpayments", "Payments", "Prepayments", "PurchaseOrders"})
# Paged by ``page`` alone, 100 a page; ``pageSize`` ignored and no pagination block (spec 16.1.0).
PAGE_ONLY = {"Quotes": 100}


class ReadingMixin:
    """Mixed into SandboxApp: answers GET /api.xro/2.0/{Collection}[/{id}[/Options]]."""

    def read_sub_resource(self, parts, coll, fmt, w, provider, now):
        """A document's attachments (the list, or one file's raw content) or an invoice's online page
        (``res_attachments.py``)."""
        try:
            if parts[2].lower() == "onlineinvoice":
                if coll != "Invoices" or len(parts) != 3:
                    return self._not_found(fmt)
                body, ct = render.envelope("OnlineInvoices", [w.online_invoice(parts[1], self.base_url)], fmt,
                                           provider, now)
                return Response(body, content_type=ct)
            if len(parts) == 4:
                content, mime = w.attachment_file(coll, parts[1], parts[3])
                return Response(content, content_type=mime)
            atts = [render.record_out(public(a), fmt) for a in w.attachments(coll, parts[1])]
        except NotFound:
            return self._not_found(fmt)
        except Invalid as e:
            return self._invalid(fmt, e.messages, coll)
        body, ct = render.envelope("Attachments", atts, fmt, provider, now)
        return Response(body, content_type=ct)

    def read(self, request, parts, coll, fmt, org, provider):
        args = request.args
        now = self.state.now()
        if coll == "Organisation":
            rec = organisation_record(org)
            body, ct = render.envelope("Organisations", [render.record_out(rec, fmt)], fmt, provider, now)
            return Response(body, content_type=ct)
        w = self.writer(org)
        if len(parts) >= 2:
            if coll == "TrackingCategories" and len(parts) == 3 and parts[2].lower() == "options":
                cat = org.get(coll, parts[1])
                if cat is None or cat["Status"] == "DELETED":
                    return self._not_found(fmt)
                opts = [render.record_out(o, fmt) for o in cat["Options"] if o["Status"] != "DELETED"]
                body, ct = render.envelope("Options", opts, fmt, provider, now)
                return Response(body, content_type=ct)
            if len(parts) >= 3 and coll in ("Invoices", "CreditNotes") and \
                    parts[2].lower() in ("attachments", "onlineinvoice"):
                return self.read_sub_resource(parts, coll, fmt, w, provider, now)
            rec = w.find(coll, parts[1])
            if rec is None or (coll == "TrackingCategories" and rec["Status"] == "DELETED"):
                return self._not_found(fmt)
            body, ct = render.envelope(coll, [self._out(coll, rec, fmt)], fmt, provider, now)
            return Response(body, content_type=ct)
        try:
            records, extra = self.list_records(coll, org, args, request.headers.get("If-Modified-Since"))
        except QueryError as e:
            return self._error(fmt, 400, str(e), number=16, typ="QueryParseException")
        except ValueError as e:
            return self._error(fmt, 400, str(e), number=17, typ="ValidationException")
        paged = extra is not None
        out = []
        for r in records:
            o = self._out(coll, r, fmt, include_archived_options=args.get("includeArchived", "").lower() == "true")
            if not paged and coll in NO_LINES_UNPAGED:
                o.pop("LineItems", None)
            out.append(o)
        body, ct = render.envelope(coll, out, fmt, provider, now, extra={"pagination": extra} if paged else None)
        return Response(body, content_type=ct)

    def _out(self, coll, rec, fmt, include_archived_options=True):
        o = render.record_out(rec, fmt)
        if coll == "TrackingCategories":
            o["Options"] = [render.record_out(x, fmt) for x in rec.get("Options", [])
                            if x["Status"] == "ACTIVE" or (include_archived_options and x["Status"] == "ARCHIVED")]
        return o

    def list_records(self, coll, org, args, ims_header):
        """Returns (records, pagination dict or None). Raises QueryError / ValueError for bad input."""
        recs = org.all(coll)
        idf, numf, nums_param = LIST_FILTERS.get(coll, (None, None, None))
        include_archived = args.get("includeArchived", "").lower() == "true"
        ids = [x.strip().lower() for x in args.get("IDs", "").split(",") if x.strip()]
        ids = ids if coll in IDS_COLLECTIONS else []
        if coll == "Contacts" and not include_archived and not ids:
            recs = [r for r in recs if r.get("ContactStatus", "ACTIVE") != "ARCHIVED"]
        if coll == "TrackingCategories":
            recs = [r for r in recs if r["Status"] == "ACTIVE" or (include_archived and r["Status"] == "ARCHIVED")]
        if ids and idf and coll in IDS_COLLECTIONS:
            s = set(ids)
            recs = [r for r in recs if str(r.get(idf, "")).lower() in s]
        if nums_param and args.get(nums_param):
            s = {x.strip().lower() for x in args[nums_param].split(",") if x.strip()}
            recs = [r for r in recs if str(r.get(numf) or "").lower() in s]
        if args.get("ContactIDs") and coll in ("Invoices", "CreditNotes", "Quotes", "BankTransactions"):
            s = {x.strip().lower() for x in args["ContactIDs"].split(",") if x.strip()}
            recs = [r for r in recs if str((r.get("Contact") or {}).get("ContactID", "")).lower() in s]
        if args.get("Statuses"):
            s = {x.strip().upper() for x in args["Statuses"].split(",") if x.strip()}
            sf = "ContactStatus" if coll == "Contacts" else "Status"
            recs = [r for r in recs if str(r.get(sf, "")).upper() in s]
        if args.get("searchTerm") and coll == "Contacts":
            term = args["searchTerm"].lower()
            recs = [r for r in recs if any(term in str(r.get(f) or "").lower()
                                           for f in ("Name", "FirstName", "LastName", "ContactNumber", "EmailAddress"))]
        if coll == "Quotes":
            if args.get("ContactID"):
                recs = [r for r in recs if (r.get("Contact") or {}).get("ContactID") == args["ContactID"]]
            if args.get("Status"):
                recs = [r for r in recs if r.get("Status", "").upper() == args["Status"].upper()]
            if args.get("QuoteNumber"):
                recs = [r for r in recs if r.get("QuoteNumber", "").lower() == args["QuoteNumber"].lower()]
        if coll == "PurchaseOrders":  # the spec's filters: Status, DateFrom, DateTo (no where, no ContactID)
            if args.get("Status"):
                recs = [r for r in recs if r.get("Status", "").upper() == args["Status"].upper()]
            if args.get("DateFrom"):
                recs = [r for r in recs if (r.get("Date") or "")[:10] >= args["DateFrom"][:10]]
            if args.get("DateTo"):
                recs = [r for r in recs if (r.get("Date") or "")[:10] <= args["DateTo"][:10]]
        if ims_header:
            ims = int(parse_http_date(ims_header))
            recs = [r for r in recs if int(r.get("_updated", 0)) >= ims]
        if args.get("where"):
            pred = compile_where(args["where"])
            recs = [r for r in recs if pred(r)]
        if args.get("order"):
            key, desc = order_key(args["order"])
            if key:
                recs.sort(key=key, reverse=desc)
        page_raw, size_raw = args.get("page"), args.get("pageSize")
        if coll in PAGE_ONLY and page_raw is not None:
            try:
                page = max(int(page_raw), 1)
            except ValueError:
                raise ValueError(f"page '{page_raw}' is not a valid page number") from None
            size = PAGE_ONLY[coll]
            return recs[(page - 1) * size: page * size], None
        if (page_raw is None and size_raw is None) or coll not in PAGED:
            return recs, None
        try:
            page = int(page_raw) if page_raw is not None else 1
        except ValueError:
            raise ValueError(f"page '{page_raw}' is not a valid page number") from None
        try:
            size = int(size_raw) if size_raw is not None else 100
        except ValueError:
            raise ValueError(f"pageSize '{size_raw}' is not valid: it must be a whole number from 1 to 1000") from None
        if size < 1 or size > 1000:
            raise ValueError(f"pageSize '{size_raw}' is not valid: it must be a whole number from 1 to 1000")
        page = max(page, 1)
        total = len(recs)
        pag = {"page": page, "pageSize": size, "pageCount": (total + size - 1) // size, "itemCount": total}
        return recs[(page - 1) * size: page * size], pag
