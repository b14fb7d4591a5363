"""pytest fixtures for tests that run against the local Xero sandbox over real HTTP on loopback.

Load with ``pytest_plugins = ["sandbox_fixtures"]`` (tests/lib/conftest.py does).

Fixtures:
- ``sandbox_factory(**config)``: start a sandbox (stopped after the test); returns a ServerHandle. After the
  test, every sandbox it started must have recorded no spec violation (a request body or a JSON answer that
  breaks Xero's OpenAPI spec): the test errors with the list. Tests that send bad bodies on purpose opt out
  with ``@pytest.mark.spec_violations_expected``.
- ``sandbox_server``: a sandbox with generous limits (tests of limits build their own).
- ``sandbox_client``: a ``SandboxClient`` already connected (consent + code exchange) to both demo orgs.
- ``webhook_receiver``: a tiny local HTTP server that checks Xero's signature like a connector must.
"""
import base64
import hashlib
import hmac
import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from sandbox.server import start

REDIRECT_URI = "http://127.0.0.1:8069/xero/oauth/callback"
ALL_SCOPES = ("openid profile email offline_access accounting.settings accounting.contacts accounting.invoices "
              "accounting.payments accounting.banktransactions")
TEST_CONFIG = {"redirect_uris": [REDIRECT_URI], "minute_limit": 100000, "day_limit": 1000000,
               "app_minute_limit": 1000000, "concurrency": 50, "webhook_batch_delay": 0.05,
               "webhook_retry_delays": [0.1, 0.2], "webhook_timeout": 2}


class SandboxClient:
    """Just enough of an OAuth client + API caller for the sandbox's tests (not the connector's client)."""

    def __init__(self, handle, client_id="sandbox-client-id", client_secret="sandbox-client-secret",
                 redirect_uri=REDIRECT_URI):
        self.h = handle
        self.url = handle.url
        self.client_id = client_id
        self.client_secret = client_secret
        self.redirect_uri = redirect_uri
        self.http = requests.Session()
        self.tokens = None
        self.tenant = None

    # -- OAuth
    def authorize(self, scope=ALL_SCOPES, tenants=None, action="allow", state="st4te"):
        """Consent through the HTML form; returns the redirect's query dict."""
        params = {"response_type": "code", "client_id": self.client_id, "redirect_uri": self.redirect_uri,
                  "scope": scope, "state": state}
        r = self.http.get(self.url + "/identity/connect/authorize", params=params, allow_redirects=False)
        if r.status_code == 200:
            if tenants is None:
                tenants = list(self.h.app.state.orgs)
            r = self.http.post(self.url + "/identity/connect/authorize", allow_redirects=False,
                               data=dict(params, tenant=tenants, action=action))
        assert r.status_code == 302, r.text
        loc = r.headers["Location"]
        assert loc.startswith(self.redirect_uri)
        return dict(urllib.parse.parse_qsl(urllib.parse.urlparse(loc).query))

    def token(self, **form):
        return self.http.post(self.url + "/connect/token", data=form, auth=(self.client_id, self.client_secret))

    def exchange(self, code, redirect_uri=None):
        return self.token(grant_type="authorization_code", code=code, redirect_uri=redirect_uri or self.redirect_uri)

    def refresh(self, refresh_token):
        return self.token(grant_type="refresh_token", refresh_token=refresh_token)

    def connect(self, scope=ALL_SCOPES, tenants=None):
        q = self.authorize(scope, tenants)
        r = self.exchange(q["code"])
        assert r.status_code == 200, r.text
        self.tokens = r.json()
        p = self.tokens["access_token"].split(".")[1]
        self.auth_event = json.loads(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4)))["authentication_event_id"]
        conns = self.connections(authEventId=self.auth_event)
        self.tenant = conns[0]["tenantId"] if conns else None
        return self

    def connections(self, **params):
        r = self.http.get(self.url + "/connections", params=params,
                          headers={"Authorization": "Bearer " + self.tokens["access_token"]})
        assert r.status_code == 200, r.text
        return r.json()

    # -- API
    def headers(self, tenant=None, json_=True, token=None, extra=None):
        h = {"Authorization": "Bearer " + (token or self.tokens["access_token"]),
             "xero-tenant-id": tenant if tenant is not None else self.tenant}
        if json_:
            h["Accept"] = "application/json"
        h.update(extra or {})
        return h

    def api(self, method, path, tenant=None, json_accept=True, headers=None, token=None, **kw):
        return self.http.request(method, self.url + "/api.xro/2.0/" + path.lstrip("/"),
                                 headers=self.headers(tenant, json_accept, token, headers), **kw)

    def get(self, path, **kw):
        return self.api("GET", path, **kw)

    def put(self, path, body, **kw):
        return self.api("PUT", path, json=body, **kw)

    def post(self, path, body, **kw):
        return self.api("POST", path, json=body, **kw)

    # -- control API
    def control(self, method, path, body=None, **kw):
        r = self.http.request(method, self.url + "/_sandbox/" + path.lstrip("/"), json=body, **kw)
        assert r.status_code < 500, r.text
        return r


def format_spec_violations(violations):
    return "\n".join(f"  {v.get('kind', '?')} {v.get('method')} {v.get('path')}"
                     f"{' ' + str(v['status']) if v.get('status') is not None else ''}: {v.get('field')}: {v.get('message')}"
                     for v in violations)


@pytest.fixture
def sandbox_factory(request):
    handles = []

    def make(**config):
        cfg = dict(TEST_CONFIG)
        cfg.update(config)
        h = start(port=0, **cfg)
        handles.append(h)
        return h

    yield make
    for h in handles:
        h.stop()
    if request.node.get_closest_marker("spec_violations_expected") is None:
        found = [v for h in handles for v in list(h.state.spec_violations)]
        if found:
            pytest.fail(f"the sandbox recorded {len(found)} spec violation(s) (Xero's OpenAPI spec; mark the test "
                        f"@pytest.mark.spec_violations_expected if it sends bad bodies on purpose):\n"
                        + format_spec_violations(found), pytrace=False)


@pytest.fixture
def sandbox_server(sandbox_factory):
    return sandbox_factory()


@pytest.fixture
def sandbox_client(sandbox_server):
    return SandboxClient(sandbox_server).connect()


class WebhookReceiver:
    """Answers like a correct connector: 200 + empty body on a valid signature, 401 otherwise."""

    def __init__(self, key):
        self.key = key
        self.received = []  # (valid, payload, raw body, signature header)
        self.fail_next = 0
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                sig = self.headers.get("x-xero-signature", "")
                expected = base64.b64encode(hmac.new(receiver.key.encode(), raw, hashlib.sha256).digest()).decode()
                valid = hmac.compare_digest(sig, expected)
                with receiver.lock:
                    receiver.received.append((valid, json.loads(raw or b"{}"), raw, sig))
                    fail = receiver.fail_next > 0 and valid
                    if fail:
                        receiver.fail_next -= 1
                status = 500 if fail else 200 if valid else 401
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/xero/webhook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def events(self):
        with self.lock:
            return [e for valid, p, _raw, _sig in self.received if valid for e in p.get("events", [])]

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def webhook_receiver():
    r = WebhookReceiver("test-webhook-key-123")
    yield r
    r.stop()
