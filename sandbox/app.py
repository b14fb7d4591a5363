"""The sandbox WSGI application: identity, accounting API, control API, on one host:port."""
import copy
import json
import logging
import os
import socket
import time
from xml.parsers.expat import ExpatError

import xmltodict
from werkzeug.wrappers import Request, Response

from . import render
from .faults import FaultError, Faults
from .identity import Identity
from .limits import Limiter
from .query import QueryError, compile_where, order_key
from .resources import Invalid, NotFound, Writer
from .seed import DEMO_ORGS, make_org, organisation_record
from .spec import SpecValidator, find_spec_dir
from .state import COLLECTIONS, State
from .util import iso, iso_z, new_id, parse_http_date
from .webhooks import Dispatcher

_log = logging.getLogger("sandbox")

DEFAULT_CONFIG = {
    "client_id": "sandbox-client-id",
    "client_secret": "sandbox-client-secret",
    "redirect_uris": ["http://localhost:8069/xero/oauth/callback", "http://127.0.0.1:8069/xero/oauth/callback"],
    "app_name": "Sandbox App",
    "apps": [],
    "auto_approve": False,
    "auto_approve_tenants": None,
    "limits": True,
    "minute_limit": 60,
    "minute_window": 60,
    "concurrency": 5,
    "day_limit": 5000,
    "starter_day_limit": 1000,
    "day_window": 86400,
    "app_minute_limit": 10000,
    "webhook_url": None,
    "webhook_key": None,
    "webhook_batch_delay": 0.2,
    "webhook_retry_delays": [5, 30, 120, 600, 3600],
    "webhook_timeout": 5,
    "tracking_option_limit": 100,
    "validate_spec": True,
    "openapi_dir": None,
    "seed": "demo",
    "state_file": None,
    "base_url": None,
    "max_body_bytes": 3_500_000,
    "access_token_lifetime": 1800,
    "code_lifetime": 300,
    "refresh_grace": 1800,
    "refresh_lifetime": 60 * 86400,
    "idempotency_key_max": 128,
}

CONFIG_KEYS = set(DEFAULT_CONFIG)

READ_SCOPES = {
    "Organisation": ("accounting.settings",), "Accounts": ("accounting.settings",),
    "TaxRates": ("accounting.settings",), "Currencies": ("accounting.settings",),
    "TrackingCategories": ("accounting.settings",),
    "Items": ("accounting.settings", "accounting.invoices", "accounting.transactions"),
    "Contacts": ("accounting.contacts",),
    "Invoices": ("accounting.invoices", "accounting.transactions"),
    "CreditNotes": ("accounting.invoices", "accounting.transactions"),
    "Quotes": ("accounting.invoices", "accounting.transactions"),
    "Payments": ("accounting.payments", "accounting.transactions"),
    "BankTransactions": ("accounting.banktransactions", "accounting.transactions"),
    "BankTransfers": ("accounting.banktransactions", "accounting.transactions"),
}
API_COLLECTIONS = {c.lower(): c for c in [*COLLECTIONS, "Organisation"]}
LIST_FILTERS = {"Invoices": ("InvoiceID", "InvoiceNumber", "InvoiceNumbers"),
                "CreditNotes": ("CreditNoteID", "CreditNoteNumber", None),
                "Quotes": ("QuoteID", "QuoteNumber", None),
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
# Xero's front end (IIS) answers 404 to a query string over 2,048 characters, before Xero reads the request: 52
# GUIDs in IDs pass, 53 do not (XeroAPI/Xero-OpenAPI #534; Xero-NetStandard #413; Xero-Net #389).
MAX_QUERY_STRING = 2048
# Only these collections have an IDs filter (Xero's spec); elsewhere Xero ignores it and lists everything.
IDS_COLLECTIONS = ("Invoices", "Contacts")
# What Xero pages; the other collections ignore page/pageSize and answer their whole list.
PAGED = frozenset({"BankTransactions", "Contacts", "CreditNotes", "Invoices", "LinkedTransactions", "ManualJournals",
                   "Overpayments", "Payments", "Prepayments", "PurchaseOrders", "Quotes"})


class DropConnection(Exception):
    """Raised to drop the client's connection without an answer."""


def _json(status, body, headers=None):
    r = Response(json.dumps(body, default=str), status=status, mimetype="application/json")
    for k, v in (headers or {}).items():
        r.headers[k] = v
    return r


class SandboxApp:
    def __init__(self, config=None):
        cfg = copy.deepcopy(DEFAULT_CONFIG)
        for k, v in (config or {}).items():
            if v is not None or k in ("auto_approve_tenants", "webhook_url", "webhook_key"):
                cfg[k] = v
        self.initial_config = copy.deepcopy(cfg)
        self.config = cfg
        self.state = State()
        self.limiter = Limiter(self.config, self.state.clock)
        self.faults = Faults()
        self.webhooks = Dispatcher(self.state, self.config)
        self.identity = Identity(self)
        self.spec = SpecValidator(find_spec_dir(self.config.get("openapi_dir")))
        self.base_url = self.config.get("base_url") or "http://127.0.0.1"
        sf = self.config.get("state_file")
        if sf and os.path.exists(sf):
            self.state.load(sf)
            _log.info("state loaded from %s", sf)
        else:
            self._seed()
        self._ensure_apps()

    # ------------------------------------------------------------------ setup
    def _seed(self):
        now = self.state.now()
        if self.config.get("seed", "demo") == "demo":
            for d in DEMO_ORGS:
                org = make_org(d["name"], d["tenant_id"], d["base_currency"], d["country"], now=now,
                               foreign=d["foreign"])
                self.state.orgs[org.tenant_id] = org
        self.state.default_user()

    def _ensure_apps(self):
        c = self.config
        self.register_app(c["client_id"], c["client_secret"], c.get("redirect_uris") or [], c.get("app_name"))
        for a in c.get("apps") or []:
            self.register_app(a["client_id"], a["client_secret"], a.get("redirect_uris") or [], a.get("name"))

    def register_app(self, client_id, client_secret, redirect_uris, name=None):
        with self.state.lock:
            self.state.apps[client_id] = {"client_id": client_id, "client_secret": client_secret,
                                          "redirect_uris": list(redirect_uris)[:50], "name": name or client_id}
            return {"client_id": client_id, "redirect_uris": list(redirect_uris)[:50], "name": name or client_id}

    def mutated(self):
        sf = self.config.get("state_file")
        if sf:
            with self.state.lock:
                self.state.save(sf)

    def emit(self, org, category, rid, event_type):
        self.webhooks.emit(org, category, rid, event_type, self.config.get("base_url") or self.base_url)

    def writer(self, org):
        return Writer(self.state, org, emit=self.emit, option_limit=int(self.config["tracking_option_limit"]))

    # ------------------------------------------------------------------ WSGI
    def __call__(self, environ, start_response):
        request = Request(environ)
        if not self.config.get("base_url"):
            self.base_url = request.host_url.rstrip("/")
        try:
            response = self.dispatch(request)
        except DropConnection:
            # Read what is left of the body first: unread, the server's buffer would parse it as the
            # next request on this connection ("Bad request version" errors in the log).
            request.get_data()
            sock = environ.get("werkzeug.socket")
            if sock is None:
                response = Response(b"", status=504)
            else:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                raise ConnectionResetError("sandbox: connection dropped on purpose") from None
        return response(environ, start_response)

    def dispatch(self, request):
        path = request.path
        low = path.lower()
        if low.startswith("/api.xro/2.0/"):
            return self.api(request, path[len("/api.xro/2.0/"):])
        if low.startswith("/_sandbox/") or low == "/_sandbox":
            return self.control(request, path[len("/_sandbox"):].strip("/"))
        if low == "/identity/connect/authorize" and request.method in ("GET", "POST"):
            return self.identity.authorize(request)
        if low == "/connect/token" and request.method == "POST":
            return self.identity.token(request)
        if low == "/connect/revocation" and request.method == "POST":
            return self.identity.revoke(request)
        if low == "/connections" or low.startswith("/connections/"):
            cid = path.split("/", 2)[2] if low.startswith("/connections/") else None
            return self.identity.connections(request, cid)
        if low in ("/", ""):
            return Response("Xero sandbox. See /_sandbox/orgs and sandbox/README.md\n", mimetype="text/plain")
        return Response("Not Found", status=404, mimetype="text/plain")

    # ------------------------------------------------------------------ accounting API
    def api(self, request, sub):
        t0 = time.monotonic()
        fmt = "json" if "application/json" in request.headers.get("Accept", "") else "xml"
        tenant = request.headers.get("xero-tenant-id", "").strip()
        entry = {"time": iso_z(self.state.now()), "tenant": tenant or None, "method": request.method,
                 "path": request.path, "query": request.query_string.decode("latin-1"), "status": None,
                 "elements": None, "idempotency_key": request.headers.get("Idempotency-Key"),
                 "rate_limit_problem": None, "fault": None}
        try:
            resp = self._api(request, sub, fmt, tenant, entry)
        except DropConnection:
            entry["status"] = "dropped"
            entry["ms"] = round((time.monotonic() - t0) * 1000, 2)
            self.state.log.append(entry)
            raise
        entry["status"] = resp.status_code
        entry["ms"] = round((time.monotonic() - t0) * 1000, 2)
        self.state.log.append(entry)
        return resp

    def _api(self, request, sub, fmt, tenant, entry):
        if len(request.query_string) > MAX_QUERY_STRING:
            return Response("<h2>404 - File or directory not found.</h2>", status=404, mimetype="text/html")
        parts = [p for p in sub.split("/") if p]
        coll = API_COLLECTIONS.get(parts[0].lower()) if parts else None
        with self.state.lock:
            grant, _payload, detail = self.identity.bearer(request)
            if grant is None:
                return self.identity.unauthorized(detail)
            conns = self.identity.connections_for(grant)
            org = self.state.orgs.get(tenant)
            if not tenant or org is None or not any(c["tenantId"] == tenant for c in conns):
                body, ct = render.problem(403, "Forbidden", "AuthenticationUnsuccessful")
                return Response(body, status=403, content_type=ct)
            if coll is not None:
                need = READ_SCOPES[coll]
                scopes = set(grant["scopes"])
                ok = any(s in scopes for s in need) or (
                    request.method == "GET" and any(s + ".read" in scopes for s in need))
                if not ok:
                    body, ct = render.problem(401, "Unauthorized", "AuthorizationUnsuccessful")
                    r = Response(body, status=401, content_type=ct)
                    r.headers["WWW-Authenticate"] = 'Bearer error="insufficient_scope"'
                    return r
            tier, client_id = org.tier, grant["client_id"]
        problem, retry, headers = self.limiter.acquire(tenant, client_id, tier)
        if problem:
            entry["rate_limit_problem"] = problem
            return self._too_many(problem, retry, headers)
        try:
            delay, fault = self.faults.match(tenant, request.method, request.path)
            if delay:
                time.sleep(delay)  # the global lock is NOT held here
            if fault is not None:
                entry["fault"] = fault["kind"]
                kind = fault["kind"]
                if kind == "reset":
                    raise DropConnection()
                if kind in ("500", "503"):
                    body, ct = render.problem(int(kind), "Internal Server Error" if kind == "500"
                                              else "Service Unavailable", "Injected fault")
                    resp = Response(body, status=int(kind), content_type=ct)
                    resp.headers.extend(headers)
                    return resp
                if kind == "429":
                    entry["rate_limit_problem"] = fault["problem"]
                    return self._too_many(fault["problem"], fault.get("retry_after") or 1, headers)
            resp = self._api_inner(request, parts, coll, fmt, org, grant, entry)
            if fault is not None and fault["kind"] == "lost_response":
                if fault.get("lost_mode") == "504":
                    r = Response(b"", status=504)
                    r.headers.extend(headers)
                    return r
                raise DropConnection()
        finally:
            self.limiter.release(tenant)
        resp.headers.extend(headers)
        return resp

    def _too_many(self, problem, retry, headers):
        body, ct = render.problem(429, "Too Many Requests", f"Rate limit exceeded: {problem}")
        r = Response(body, status=429, content_type=ct)
        r.headers["X-Rate-Limit-Problem"] = problem
        if problem != "concurrent" and retry:
            r.headers["Retry-After"] = str(int(retry))
        r.headers.extend(headers)
        return r

    def _invalid(self, fmt, messages, coll):
        """Xero's 400 ValidationException for one element with these messages."""
        return self._error(fmt, 400, "A validation exception occurred",
                           elements=[{"ValidationErrors": [{"Message": m} for m in messages]}], coll=coll)

    def _error(self, fmt, status, message, number=10, typ="ValidationException", elements=None, coll=None):
        body, ct = render.api_exception(fmt, message, elements, number, typ, coll)
        return Response(body, status=status, content_type=ct)

    def _not_found(self, fmt):
        if fmt == "json":
            body, ct = render.problem(404, "NotFound", "The resource you're looking for cannot be found")
        else:
            body, ct = b"The resource you're looking for cannot be found", "text/plain"
        return Response(body, status=404, content_type=ct)

    def _api_inner(self, request, parts, coll, fmt, org, grant, entry):
        if coll is None:
            return self._not_found(fmt)
        method = request.method
        provider = self.state.apps.get(grant["client_id"], {}).get("name") or "Sandbox App"
        if method == "GET":
            with self.state.lock:
                return self.read(request, parts, coll, fmt, org, provider)
        if method not in ("PUT", "POST", "DELETE"):
            return Response("Method Not Allowed", status=405)
        if request.content_length and request.content_length > self.config["max_body_bytes"]:
            return Response(b"Request Entity Too Large", status=413)
        raw = request.get_data(cache=True)
        if len(raw) > self.config["max_body_bytes"]:
            return Response(b"Request Entity Too Large", status=413)
        key = request.headers.get("Idempotency-Key")
        if key is not None and (len(key) > int(self.config["idempotency_key_max"]) or not key.strip()):
            return self._error(fmt, 400, "The Idempotency-Key header must be between 1 and 128 characters")
        with self.state.lock:
            if key:
                stored = self.state.idempotency_store.get(f"{org.tenant_id}|{key}")
                if stored is not None:
                    entry["idempotent_replay"] = True
                    r = Response(stored["body"].encode("utf-8"), status=stored["status"],
                                 content_type=stored["content_type"])
                    return r
            resp = self.write(request, raw, parts, coll, fmt, org, provider, entry)
            if key and resp.status_code < 500:
                self.state.idempotency_store[f"{org.tenant_id}|{key}"] = {
                    "status": resp.status_code, "content_type": resp.content_type,
                    "body": resp.get_data().decode("utf-8"), "time": self.state.now()}
            if method != "GET":
                self.mutated()
            return resp

    # ------------------------------------------------------------------ reading
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

    # ------------------------------------------------------------------ writing
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

    def spec_template(self, parts):
        if not self.spec.available and self.spec.available is not None:
            return None
        if not self.spec._ensure():
            return None
        n = len(parts)
        for p in self.spec.spec["paths"]:
            segs = [s for s in p.split("/") if s]
            if len(segs) != n:
                continue
            if all(a.startswith("{") or a.lower() == b.lower() for a, b in zip(segs, parts, strict=True)):
                return p
        return None

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
        try:
            body = self.parse_body(request, raw, coll)
        except (ValueError, UnicodeDecodeError, ExpatError) as e:
            return self._error(fmt, 400, f"JSON for post data was invalid, {e}", number=14,
                               typ="PostDataInvalidException")
        if self.config.get("validate_spec", True) and not (isinstance(body, dict) and not body):
            tmpl = self.spec_template(parts)
            if tmpl:
                problems = self.spec.validate(tmpl, method, body)
                if problems:
                    for loc, msg in problems:
                        self.state.spec_violations.append({"time": iso_z(now), "method": method, "path": request.path,
                                                           "field": loc, "message": msg})
                        _log.warning("spec violation %s %s: %s: %s", method, request.path, loc, msg)
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
        for el in elements:
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

    # ------------------------------------------------------------------ control API
    def control(self, request, sub):
        from .control import handle
        try:
            return handle(self, request, sub)
        except (ValueError, KeyError, TypeError, FaultError) as e:
            return _json(400, {"error": f"{type(e).__name__}: {e}"})

    def reset(self, config=False):
        with self.state.lock:
            if config:
                self.config.clear()
                self.config.update(copy.deepcopy(self.initial_config))
            clock = self.state.clock
            secret = self.state.jwt_secret
            fresh = State(clock)
            fresh.jwt_secret = secret
            for k, v in vars(fresh).items():
                if k not in ("lock",):
                    setattr(self.state, k, v)
            clock.offset = 0.0
            self.limiter.reset()
            self.faults.clear()
            with self.webhooks.cond:
                self.webhooks.queue.clear()
            self._seed()
            self._ensure_apps()
            self.mutated()

    def create_org(self, spec):
        with self.state.lock:
            tid = spec.get("tenant_id") or spec.get("tenantId") or new_id()
            if tid in self.state.orgs:
                raise ValueError(f"organisation {tid} already exists")
            tier = spec.get("tier", "standard")
            if tier not in ("standard", "starter"):
                raise ValueError("tier must be standard or starter")
            base = (spec.get("base_currency") or "USD").upper()
            org = make_org(spec.get("name") or f"Organisation {len(self.state.orgs) + 1}", tid, base,
                           spec.get("country") or {"GBP": "GB", "NZD": "NZ", "AUD": "AU"}.get(base, "US"), tier,
                           now=self.state.now(), seed=spec.get("seed", True), foreign=spec.get("currencies"))
            org.webhook_url = spec.get("webhook_url")
            org.webhook_key = spec.get("webhook_key")
            self.state.orgs[tid] = org
            self.mutated()
            return org

    def public_log(self):
        return list(self.state.log)

    def now_iso(self):
        return iso(self.state.now())


def create_app(config=None):
    """Build the sandbox: a WSGI callable exposing ``.state`` (and ``.config``) for in-process use."""
    return SandboxApp(config)
