"""The sandbox WSGI application: identity, accounting API, control API, on one host:port."""
import copy
import json
import logging
import os
import socket
import time

from werkzeug.wrappers import Request, Response

from . import render
from .conformance import ConformanceMixin
from .faults import FaultError, Faults
from .identity import Identity
from .limits import Limiter
from .reading import ReadingMixin
from .resources import Writer
from .seed import DEMO_ORGS, make_org
from .spec import SpecValidator, find_spec_dir
from .state import COLLECTIONS, State
from .util import iso_z, new_id
from .webhooks import Dispatcher
from .writing import WritingMixin

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
    # purchase orders are under the invoices scope (XeroAPI/xero-mcp-server #297: accounting.invoices on granular apps)
    "PurchaseOrders": ("accounting.invoices", "accounting.transactions"),
    "Payments": ("accounting.payments", "accounting.transactions"),
    "BankTransactions": ("accounting.banktransactions", "accounting.transactions"),
    "BankTransfers": ("accounting.banktransactions", "accounting.transactions"),
}
API_COLLECTIONS = {c.lower(): c for c in [*COLLECTIONS, "Organisation"]}
# Xero's front end (IIS) answers 404 to a query string over 2,048 characters, before Xero reads the request: 52
# GUIDs in IDs pass, 53 do not (XeroAPI/Xero-OpenAPI #534; Xero-NetStandard #413; Xero-Net #389).
MAX_QUERY_STRING = 2048
# A document's files: scope accounting.attachments (spec 16.1.0: the Attachments paths' security), up to 10 MB a
# file (XERO.md), where other writes stop at 3.5 MB.
ATTACHMENT_SCOPES = ("accounting.attachments",)
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024


def is_attachment_path(parts):
    return len(parts) >= 3 and parts[2].lower() == "attachments"


class DropConnection(Exception):
    """Raised to drop the client's connection without an answer."""


def _json(status, body, headers=None):
    r = Response(json.dumps(body, default=str), status=status, mimetype="application/json")
    for k, v in (headers or {}).items():
        r.headers[k] = v
    return r


class SandboxApp(ReadingMixin, WritingMixin, ConformanceMixin):
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
                               foreign=d["foreign"], chart_name=d["chart"])
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

    def emit(self, org, category, rid, event_type, data=None):
        self.webhooks.emit(org, category, rid, event_type, self.config.get("base_url") or self.base_url, data)

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
                 "if_modified_since": request.headers.get("If-Modified-Since"),
                 "rate_limit_problem": None, "fault": None}
        try:
            resp = self.conform(request, sub, self._api(request, sub, fmt, tenant, entry))
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
                need = ATTACHMENT_SCOPES if is_attachment_path(parts) else READ_SCOPES[coll]
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
        max_body = MAX_ATTACHMENT_BYTES if is_attachment_path(parts) else self.config["max_body_bytes"]
        if request.content_length and request.content_length > max_body:
            return Response(b"Request Entity Too Large", status=413)
        raw = request.get_data(cache=True)
        if len(raw) > max_body:
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
                           now=self.state.now(), seed=spec.get("seed", True), foreign=spec.get("currencies"),
                           chart_name=spec.get("chart") or "country")
            org.webhook_url = spec.get("webhook_url")
            org.webhook_key = spec.get("webhook_key")
            self.state.orgs[tid] = org
            self.mutated()
            return org

    def public_log(self):
        return list(self.state.log)


def create_app(config=None):
    """Build the sandbox: a WSGI callable exposing ``.state`` (and ``.config``) for in-process use."""
    return SandboxApp(config)
