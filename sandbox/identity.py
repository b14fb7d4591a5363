"""Xero's identity service: authorize (consent), token (code / refresh rotation), revocation, connections."""
import base64
import html
import json
import secrets
import urllib.parse

from werkzeug.wrappers import Response

from .util import iso, jwt_decode, jwt_encode, new_id

SCOPES = set("""offline_access openid profile email accounting.settings accounting.settings.read
accounting.contacts accounting.contacts.read accounting.invoices accounting.invoices.read
accounting.payments accounting.payments.read accounting.banktransactions accounting.banktransactions.read
accounting.manualjournals accounting.manualjournals.read accounting.attachments accounting.attachments.read
accounting.reports.read accounting.transactions accounting.transactions.read""".split())

ISSUER = "https://identity.xero.com"


def _json(status, body, headers=None):
    r = Response(json.dumps(body), status=status, mimetype="application/json")
    r.headers["Cache-Control"] = "no-store"
    for k, v in (headers or {}).items():
        r.headers[k] = v
    return r


def _page(status, title, body):
    doc = (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
           "<style>body{font-family:sans-serif;max-width:40em;margin:3em auto}"
           "button{padding:.5em 1.5em;margin-right:1em}.org{margin:.4em 0}</style></head>"
           f"<body><h1>{html.escape(title)}</h1>{body}</body></html>")
    return Response(doc, status=status, mimetype="text/html")


def _redirect(uri, params):
    sep = "&" if urllib.parse.urlparse(uri).query else "?"
    r = Response("", status=302)
    r.headers["Location"] = uri + sep + urllib.parse.urlencode(params)
    return r


class Identity:
    def __init__(self, sandbox):
        self.sb = sandbox
        self.state = sandbox.state
        self.config = sandbox.config

    # ------------------------------------------------------------------ authorize
    def authorize(self, request):
        args = request.values if request.method == "POST" else request.args
        client_id = args.get("client_id", "")
        redirect_uri = args.get("redirect_uri", "")
        state_param = args.get("state", "")
        with self.state.lock:
            app = self.state.apps.get(client_id)
            if app is None:
                return _page(400, "Error", "<p>unauthorized_client: Unknown client or client not enabled.</p>")
            if redirect_uri not in app["redirect_uris"]:
                return _page(400, "Error", "<p>Invalid redirect_uri: it is not registered for this app.</p>")
            if args.get("response_type") != "code":
                return _redirect(redirect_uri, {"error": "unsupported_response_type", "state": state_param})
            scopes = args.get("scope", "").split()
            bad = [s for s in scopes if s not in SCOPES]
            if bad or not scopes:
                return _redirect(redirect_uri, {"error": "invalid_scope", "state": state_param})
            orgs = list(self.state.orgs.values())
            if request.method == "GET" and self.config.get("auto_approve"):
                chosen = self.config.get("auto_approve_tenants")
                tenants = [o.tenant_id for o in orgs if chosen is None or o.tenant_id in chosen]
                return self._approve(app, redirect_uri, scopes, state_param, tenants)
            if request.method == "POST":
                if request.form.get("action") != "allow":
                    return _redirect(redirect_uri, {"error": "access_denied", "state": state_param})
                tenants = [t for t in request.form.getlist("tenant") if t in self.state.orgs]
                return self._approve(app, redirect_uri, scopes, state_param, tenants)
        hidden = "".join(f"<input type='hidden' name='{k}' value='{html.escape(args.get(k, ''), quote=True)}'>"
                         for k in ("response_type", "client_id", "redirect_uri", "scope", "state"))
        boxes = "".join(
            f"<div class='org'><label><input type='checkbox' name='tenant' value='{o.tenant_id}' checked> "
            f"{html.escape(o.name)} <small>({o.base_currency}, {o.tier})</small></label></div>" for o in orgs)
        body = (f"<p><b>{html.escape(app.get('name') or client_id)}</b> wants to access your Xero data "
                f"(signed in as {html.escape(self.state.default_user()['email'])}).</p>"
                f"<p>Permissions: {html.escape(' '.join(scopes))}</p>"
                f"<form method='post' action='/identity/connect/authorize'>{hidden}"
                f"<h3>Organisations</h3>{boxes or '<p>(none)</p>'}"
                "<p><button type='submit' name='action' value='allow' id='allow'>Allow access</button>"
                "<button type='submit' name='action' value='cancel' id='cancel'>Cancel</button></p></form>")
        return _page(200, "Xero Sandbox — Allow access", body)

    def _approve(self, app, redirect_uri, scopes, state_param, tenants):
        now = self.state.now()
        user = self.state.default_user()
        event = new_id()
        self.state.auth_events[event] = {"id": event, "client_id": app["client_id"], "user": user["xero_userid"],
                                         "time": now, "tenants": tenants}
        if any(s.startswith("accounting.") for s in scopes):
            for t in tenants:
                org = self.state.orgs[t]
                conn = next((c for c in self.state.connections.values()
                             if c["client_id"] == app["client_id"] and c["user"] == user["xero_userid"]
                             and c["tenantId"] == t), None)
                if conn is None:
                    cid = new_id()
                    self.state.connections[cid] = {"id": cid, "authEventId": event, "tenantId": t,
                                                   "tenantType": "ORGANISATION", "tenantName": org.name,
                                                   "createdDateUtc": iso(now, ms=True),
                                                   "updatedDateUtc": iso(now, ms=True),
                                                   "client_id": app["client_id"], "user": user["xero_userid"]}
                else:
                    conn.update(authEventId=event, updatedDateUtc=iso(now, ms=True), tenantName=org.name)
        code = secrets.token_urlsafe(32)
        self.state.codes[code] = {"client_id": app["client_id"], "redirect_uri": redirect_uri, "scopes": scopes,
                                  "user": user["xero_userid"], "auth_event": event, "issued": now, "used": False}
        self.sb.mutated()
        return _redirect(redirect_uri, {"code": code, "scope": " ".join(scopes), "state": state_param,
                                        "session_state": secrets.token_hex(8)})

    # ------------------------------------------------------------------ token
    def _client(self, request):
        auth = request.headers.get("Authorization", "")
        cid = secret = None
        if auth.lower().startswith("basic "):
            try:
                raw = base64.b64decode(auth[6:].strip()).decode()
                cid, _, secret = raw.partition(":")
                cid, secret = urllib.parse.unquote(cid), urllib.parse.unquote(secret)
            except (ValueError, UnicodeDecodeError):
                return None
        else:
            cid, secret = request.form.get("client_id"), request.form.get("client_secret")
        app = self.state.apps.get(cid or "")
        if app is None or not secrets.compare_digest(app["client_secret"], secret or ""):
            return None
        return app

    def token(self, request):
        with self.state.lock:
            app = self._client(request)
            if app is None:
                return _json(401, {"error": "invalid_client"})
            grant_type = request.form.get("grant_type")
            now = self.state.now()
            if grant_type == "authorization_code":
                code = self.state.codes.get(request.form.get("code", ""))
                if code is None or code["client_id"] != app["client_id"]:
                    return _json(400, {"error": "invalid_grant"})
                if code["used"] or now > code["issued"] + self.config["code_lifetime"] or \
                        code["redirect_uri"] != request.form.get("redirect_uri"):
                    code["used"] = True
                    self.sb.mutated()
                    return _json(400, {"error": "invalid_grant"})
                code["used"] = True
                gid = new_id()
                self.state.grants[gid] = {"id": gid, "client_id": app["client_id"], "user": code["user"],
                                          "scopes": code["scopes"], "auth_event": code["auth_event"],
                                          "auth_time": code["issued"], "created": now, "revoked": False,
                                          "session": new_id()}
                body = self._issue(self.state.grants[gid], parent=None)
                self.sb.mutated()
                return _json(200, body)
            if grant_type == "refresh_token":
                rt = self.state.refresh_tokens.get(request.form.get("refresh_token", ""))
                if rt is None or rt["client_id"] != app["client_id"]:
                    return _json(400, {"error": "invalid_grant"})
                grant = self.state.grants.get(rt["grant"])
                if grant is None or grant["revoked"] or rt["invalid"]:
                    return _json(400, {"error": "invalid_grant"})
                if now > rt["last_activity"] + self.config["refresh_lifetime"]:
                    return _json(400, {"error": "invalid_grant"})
                if rt["used_at"] is not None:
                    # grace: the previous refresh token may be used again for 30 minutes, as long as the
                    # token it produced is still the live one; that child is then invalidated
                    child = self.state.refresh_tokens.get(rt["child"]) if rt["child"] else None
                    if now > rt["used_at"] + self.config["refresh_grace"] or child is None or \
                            child["invalid"] or child["used_at"] is not None:
                        return _json(400, {"error": "invalid_grant"})
                    child["invalid"] = True
                body = self._issue(grant, parent=rt)
                self.sb.mutated()
                return _json(200, body)
            return _json(400, {"error": "unsupported_grant_type"})

    def _issue(self, grant, parent):
        now = self.state.now()
        user = self.state.users[grant["user"]] if grant["user"] in self.state.users else self.state.default_user()
        jti = secrets.token_hex(16)
        exp = int(now) + int(self.config["access_token_lifetime"])
        payload = {"nbf": int(now), "exp": exp, "iss": ISSUER, "aud": ISSUER + "/resources",
                   "client_id": grant["client_id"], "sub": user["sub"], "auth_time": int(grant["auth_time"]),
                   "xero_userid": user["xero_userid"], "global_session_id": grant["session"], "sid": grant["session"],
                   "jti": jti, "authentication_event_id": grant["auth_event"], "scope": grant["scopes"]}
        access = jwt_encode(payload, self.state.jwt_secret)
        self.state.access_tokens[jti] = {"grant": grant["id"], "exp": exp, "revoked": False}
        idt = jwt_encode({"nbf": int(now), "exp": int(now) + 300, "iss": ISSUER, "aud": grant["client_id"],
                          "iat": int(now), "at_hash": secrets.token_urlsafe(16), "sid": grant["session"],
                          "sub": user["sub"], "auth_time": int(grant["auth_time"]), "xero_userid": user["xero_userid"],
                          "global_session_id": grant["session"], "preferred_username": user["preferred_username"],
                          "email": user["email"], "given_name": user["given_name"],
                          "family_name": user["family_name"]}, self.state.jwt_secret)
        body = {"id_token": idt, "access_token": access, "expires_in": int(self.config["access_token_lifetime"]),
                "token_type": "Bearer", "scope": " ".join(grant["scopes"])}
        if "openid" not in grant["scopes"]:
            body.pop("id_token")
        if "offline_access" in grant["scopes"]:
            token = secrets.token_hex(32)
            self.state.refresh_tokens[token] = {"grant": grant["id"], "client_id": grant["client_id"], "issued": now,
                                                "last_activity": now, "used_at": None, "child": None,
                                                "invalid": False, "parent": None}
            if parent is not None:
                if parent["used_at"] is None:
                    parent["used_at"] = now
                parent["child"] = token
                self.state.refresh_tokens[token]["parent"] = True
            body["refresh_token"] = token
        # keep the token store bounded: forget long-dead refresh tokens
        if len(self.state.refresh_tokens) > 5000:
            limit = now - self.config["refresh_lifetime"]
            for k in [k for k, v in self.state.refresh_tokens.items() if v["last_activity"] < limit]:
                del self.state.refresh_tokens[k]
        if len(self.state.access_tokens) > 20000:
            for k in [k for k, v in self.state.access_tokens.items() if v["exp"] < now]:
                del self.state.access_tokens[k]
        return body

    def revoke(self, request):
        with self.state.lock:
            app = self._client(request)
            if app is None:
                return _json(401, {"error": "invalid_client"})
            token = request.form.get("token", "")
            rt = self.state.refresh_tokens.get(token)
            if rt is not None and rt["client_id"] == app["client_id"]:
                grant = self.state.grants.get(rt["grant"])
                if grant is not None:
                    self.revoke_grant(grant)
            self.sb.mutated()
            return Response("", status=200)

    def revoke_grant(self, grant):
        grant["revoked"] = True
        for k in [k for k, c in self.state.connections.items()
                  if c["client_id"] == grant["client_id"] and c["user"] == grant["user"]]:
            del self.state.connections[k]

    # ------------------------------------------------------------------ bearer checks
    def bearer(self, request):
        """Returns (grant, payload, None) or (None, None, detail) for a 401."""
        auth = request.headers.get("Authorization", "")
        if not auth.lower().startswith("bearer "):
            return None, None, "AuthenticationUnsuccessful"
        token = auth[7:].strip()
        payload = jwt_decode(token, self.state.jwt_secret)
        if payload is None:
            return None, None, "AuthenticationUnsuccessful"
        now = self.state.now()
        rec = self.state.access_tokens.get(payload.get("jti"))
        exp = min(payload.get("exp", 0), (rec or {}).get("exp", 0))
        if rec is None:
            return None, None, "AuthenticationUnsuccessful"
        if now >= exp:
            from .util import utc_from_epoch
            when = utc_from_epoch(exp).strftime("%m/%d/%Y %H:%M:%S")
            return None, None, f"TokenExpired: token expired at {when}"
        grant = self.state.grants.get(rec["grant"])
        if grant is None or grant["revoked"] or rec["revoked"]:
            return None, None, "AuthenticationUnsuccessful"
        return grant, payload, None

    def connections_for(self, grant):
        return [c for c in self.state.connections.values()
                if c["client_id"] == grant["client_id"] and c["user"] == grant["user"]]

    @staticmethod
    def public_connection(c):
        return {k: c[k] for k in ("id", "authEventId", "tenantId", "tenantType", "tenantName",
                                  "createdDateUtc", "updatedDateUtc")}

    def unauthorized(self, detail):
        r = _json(401, {"Type": None, "Title": "Unauthorized", "Status": 401, "Detail": detail})
        r.headers["WWW-Authenticate"] = 'Bearer error="invalid_token"' if detail != "AuthenticationUnsuccessful" \
            else 'Bearer error="invalid_token", error_description="The access token is missing or invalid"'
        return r

    def connections(self, request, conn_id=None):
        with self.state.lock:
            grant, _payload, detail = self.bearer(request)
            if grant is None:
                return self.unauthorized(detail)
            mine = self.connections_for(grant)
            if request.method == "DELETE" and conn_id:
                c = next((c for c in mine if c["id"] == conn_id), None)
                if c is None:
                    return Response("", status=404)
                del self.state.connections[conn_id]
                self.sb.mutated()
                return Response("", status=204)
            if request.method != "GET" or conn_id:
                return Response("", status=405)
            ev = request.args.get("authEventId")
            return _json(200, [self.public_connection(c) for c in mine if not ev or c["authEventId"] == ev])
