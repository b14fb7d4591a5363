"""The sandbox's write side: PUT/POST/DELETE parsed, checked against the spec and Xero's rules, answered."""
import json
import logging
import re
from xml.parsers.expat import ExpatError

import xmltodict
from werkzeug.wrappers import Response

from . import render
from .res_attachments import TooLarge, public
from .resources import Invalid, NotFound
from .state import COLLECTIONS
from .util import iso_z

_log = logging.getLogger("sandbox")
# A spec objection inside one element of a batch ("Contacts[3].Name"): under summarizeErrors=false Xero
# refuses that element alone and still writes the others.
ELEMENT_PATH = re.compile(r"^(\w+)\[(\d+)\]")


class WritingMixin:
    """Mixed into SandboxApp: answers PUT/POST/DELETE on the Accounting API."""

    @staticmethod
    def parse_body(request, raw, coll):
        ctype = (request.content_type or "").lower()
        if not raw.strip():
            return {}
        if "xml" in ctype or raw.lstrip()[:1] == b"<":
            doc = xmltodict.parse(raw)
            root_name, root = next(iter(doc.items()))
            if root_name == coll and isinstance(root, dict):
                inner = next(iter(root.values()), [])
                return {coll: inner if isinstance(inner, list) else [inner]}
            return root if isinstance(root, dict) else {}
        return json.loads(raw.decode("utf-8"))

    @staticmethod
    def elements_of(body, coll):
        if isinstance(body, list):
            return body
        if not isinstance(body, dict):
            return None
        for k, v in body.items():
            if k.lower() == coll.lower():
                return v if isinstance(v, list) else [v]
        return [body] if body else []

    def spec_template(self, parts, method=None):
        """The spec's path template of this request (``POST Contacts/<id>`` is ``/Contacts/{ContactID}``, not
        the GET-only ``/Contacts/{ContactNumber}`` listed first: its bodies were never checked)."""
        return self.spec.template(parts, method)

    def write(self, request, raw, parts, coll, fmt, org, provider, entry):
        method = request.method
        now = self.state.now()
        w = self.writer(org)
        # Xero rounds line items' unit amounts to 2 decimals unless the request opts in to 4 (unitdp=4)
        w.unit_dp = 4 if request.args.get("unitdp") == "4" else 2
        # DELETEs Xero has for these resources
        if method == "DELETE":
            try:
                if coll == "TrackingCategories" and len(parts) == 2:
                    rec = w.delete_tracking_category(parts[1])
                    out = [self._out(coll, rec, fmt)]
                elif coll == "TrackingCategories" and len(parts) == 4 and parts[2].lower() == "options":
                    opt = w.update_tracking_option(parts[1], parts[3], {}, delete=True)
                    body, ct = render.envelope("Options", [render.record_out(opt, fmt)], fmt, provider, now)
                    return Response(body, content_type=ct)
                elif coll == "Items" and len(parts) == 2:
                    w.delete_item(parts[1])
                    return Response(b"", status=204)
                else:
                    return Response("Method Not Allowed", status=405)
            except NotFound:
                return self._not_found(fmt)
            except Invalid as e:
                return self._invalid(fmt, e.messages, coll)
            body, ct = render.envelope(coll, out, fmt, provider, now)
            return Response(body, content_type=ct)
        if len(parts) >= 3 and coll in ("Invoices", "CreditNotes", "PurchaseOrders") \
                and parts[2].lower() in ("attachments", "email"):
            return self.write_sub_resource(request, raw, parts, coll, fmt, w, provider, entry)
        try:
            body = self.parse_body(request, raw, coll)
        except (ValueError, UnicodeDecodeError, ExpatError) as e:
            return self._error(fmt, 400, f"JSON for post data was invalid, {e}", number=14,
                               typ="PostDataInvalidException")
        refused = {}  # element index → the spec's objections (Xero refuses that element alone)
        if self.config.get("validate_spec", True) and not (isinstance(body, dict) and not body):
            tmpl = self.spec_template(parts, method)
            problems = self.spec.validate(tmpl, method, body) if tmpl else []
            outside = False
            for loc, msg in problems:
                self.state.spec_violations.append({"time": iso_z(now), "kind": "request", "method": method,
                                                   "path": request.path, "field": loc, "message": msg})
                _log.warning("spec violation %s %s: %s: %s", method, request.path, loc, msg)
                m = ELEMENT_PATH.match(loc)
                if m and m.group(1).lower() == coll.lower():
                    refused.setdefault(int(m.group(2)), []).append(f"{loc}: {msg}")
                else:
                    outside = True
            if outside:  # the request itself is malformed: refused whole
                return self._invalid(fmt, [f"{loc}: {msg}" for loc, msg in problems], coll)
        # tracking options
        if coll == "TrackingCategories" and len(parts) >= 3 and parts[2].lower() == "options":
            try:
                if len(parts) == 3 and method == "PUT":
                    opts = self.elements_of(body, "Options") or []
                    added = w.add_tracking_options(parts[1], opts)
                elif len(parts) == 4 and method == "POST":
                    added = [w.update_tracking_option(parts[1], parts[3], body if isinstance(body, dict) else {})]
                else:
                    return Response("Method Not Allowed", status=405)
            except NotFound:
                return self._not_found(fmt)
            except Invalid as e:
                return self._invalid(fmt, e.messages, coll)
            entry["elements"] = len(added)
            body_out, ct = render.envelope("Options", [render.record_out(o, fmt) for o in added], fmt, provider, now)
            return Response(body_out, content_type=ct)
        if coll == "CreditNotes" and len(parts) == 3 and parts[2].lower() == "allocations":
            if method != "PUT":
                return Response("Method Not Allowed", status=405)
            out, summarize = [], request.args.get("summarizeErrors", "true").lower() != "false"
            try:
                for el in self.elements_of(body, "Allocations") or []:
                    try:
                        out.append(dict(render.record_out(w.allocate_credit_note(parts[1], el), fmt),
                                        StatusAttributeString="OK"))
                    except Invalid as e:
                        if summarize:
                            return self._invalid(fmt, e.messages, coll)
                        out.append(dict(render.record_out(el if isinstance(el, dict) else {}, fmt),
                                        StatusAttributeString="ERROR",
                                        ValidationErrors=[{"Message": m} for m in e.messages]))
            except NotFound:
                return self._not_found(fmt)
            entry["elements"] = len(out)
            body_out, ct = render.envelope("Allocations", out, fmt, provider, now)
            return Response(body_out, content_type=ct)
        if coll == "Organisation" or len(parts) > 2:
            return Response("Method Not Allowed", status=405)
        elements = self.elements_of(body, coll)
        if elements is None:
            return self._error(fmt, 400, "The request body is not valid", number=14, typ="PostDataInvalidException")
        entry["elements"] = len(elements)
        path_id = parts[1] if len(parts) == 2 else None
        if path_id and method == "PUT" and coll != "Payments":
            return Response("Method Not Allowed", status=405)
        results = []
        for index, el in enumerate(elements):
            if index in refused:
                results.append((False, None, refused[index], el))
                continue
            try:
                rec = w.write(coll, el, method, path_id)
                results.append((True, rec, None, el))
            except NotFound:
                return self._not_found(fmt)
            except Invalid as e:
                results.append((False, None, e.messages, el))
        summarize = request.args.get("summarizeErrors", "true").lower() != "false"
        failed = [r for r in results if not r[0]]
        if summarize and failed:
            elements_out = [self._failed_element(coll, el, msgs, fmt) for _ok, _rec, msgs, el in failed]
            for e in elements_out:
                e.pop("StatusAttributeString", None)
            return self._error(fmt, 400, "A validation exception occurred", elements=elements_out, coll=coll)
        out = []
        for ok, rec, msgs, el in results:
            if ok:
                o = self._out(coll, rec, fmt)
                o["StatusAttributeString"] = "OK"
                out.append(o)
            else:
                out.append(self._failed_element(coll, el, msgs, fmt))
        body_out, ct = render.envelope(coll, out, fmt, provider, now)
        return Response(body_out, content_type=ct)

    def write_sub_resource(self, request, raw, parts, coll, fmt, w, provider, entry):
        """A file to a document's Attachments (the raw body), or Xero emailing an invoice (``{}`` → 204): see
        ``res_attachments.py``."""
        now = self.state.now()
        try:
            if parts[2].lower() == "email":
                if coll != "Invoices" or len(parts) != 3 or request.method != "POST":
                    return Response("Method Not Allowed", status=405)
                try:
                    body = self.parse_body(request, raw, coll) if raw.strip() else None
                except (ValueError, UnicodeDecodeError, ExpatError) as e:
                    return self._error(fmt, 400, f"JSON for post data was invalid, {e}", number=14,
                                       typ="PostDataInvalidException")
                if not isinstance(body, dict):  # the spec's requestBody is required: RequestEmpty, {}
                    return self._error(fmt, 400, "The request body must be a JSON object ({})", number=14,
                                       typ="PostDataInvalidException")
                w.email_invoice(parts[1])
                entry["elements"] = 1
                return Response(b"", status=204)
            if len(parts) != 4 or request.method not in ("PUT", "POST"):
                return Response("Method Not Allowed", status=405)
            online = str(request.args.get("IncludeOnline", "false")).lower() == "true"
            att = w.attach(coll, parts[1], parts[3], raw, request.headers.get("Content-Type"), request.method,
                           online, self.base_url)
        except NotFound:
            return self._not_found(fmt)
        except TooLarge:
            return Response(b"Request Entity Too Large", status=413)
        except Invalid as e:
            return self._invalid(fmt, e.messages, coll)
        entry["elements"] = 1
        body_out, ct = render.envelope("Attachments", [render.record_out(public(att), fmt)], fmt, provider, now)
        return Response(body_out, content_type=ct)

    def _failed_element(self, coll, el, msgs, fmt):
        o = render.record_out(el if isinstance(el, dict) else {}, fmt)
        idf = COLLECTIONS[coll][0]
        if idf not in o and idf not in ("Code", "TaxType"):
            o[idf] = "00000000-0000-0000-0000-000000000000"
        if coll in ("Invoices", "CreditNotes"):
            o["HasErrors"] = True
        if coll in ("Contacts", "Payments"):
            o["HasValidationErrors"] = True
        o["StatusAttributeString"] = "ERROR"
        o["ValidationErrors"] = [{"Message": m} for m in msgs]
        return o
