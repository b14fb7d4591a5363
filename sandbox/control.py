"""The control API under /_sandbox/ (not part of Xero): tests and the demo drive the sandbox with it."""
import json

from werkzeug.wrappers import Response

from . import render
from .app import API_COLLECTIONS, CONFIG_KEYS
from .bulk_seed import seed_big_org
from .res_attachments import public
from .resources import Invalid, NotFound
from .util import iso


def _json(status, body):
    return Response(json.dumps(body, default=str), status=status, mimetype="application/json")


def _body(request):
    raw = request.get_data(cache=True)
    if not raw.strip():
        return {}
    return json.loads(raw.decode("utf-8"))


def _public_config(cfg):
    out = {k: v for k, v in cfg.items() if k not in ("client_secret",)}
    out["webhook_key"] = bool(cfg.get("webhook_key"))
    return out


def handle(sb, request, sub):
    st = sb.state
    m = request.method
    parts = [p for p in sub.split("/") if p]
    head = parts[0] if parts else ""
    if head in ("", "health"):
        return _json(200, {"ok": True, "now": iso(st.now()), "orgs": len(st.orgs)})
    if head == "reset" and m == "POST":
        b = _body(request)
        sb.reset(config=bool(b.get("config")))
        return _json(200, {"ok": True, "orgs": [o.summary() for o in st.orgs.values()]})
    if head == "config":
        if m == "POST":
            b = _body(request)
            unknown = sorted(set(b) - CONFIG_KEYS)
            if unknown:
                return _json(400, {"error": f"unknown config keys: {unknown}"})
            with st.lock:
                sb.config.update(b)
                if {"client_id", "client_secret", "redirect_uris", "app_name"} & set(b):
                    sb._ensure_apps()
        return _json(200, _public_config(sb.config))
    if head == "apps":
        if m == "POST":
            b = _body(request)
            return _json(200, sb.register_app(b["client_id"], b["client_secret"], b.get("redirect_uris") or [],
                                              b.get("name")))
        with st.lock:
            return _json(200, [{k: v for k, v in a.items() if k != "client_secret"} for a in st.apps.values()])
    if head == "orgs":
        return _orgs(sb, request, parts[1:])
    if head == "faults":
        if m == "POST":
            b = _body(request)
            specs = b.get("faults") if isinstance(b.get("faults"), list) else [b]
            return _json(200, [sb.faults.add(s) for s in specs])
        if m == "DELETE":
            sb.faults.clear(request.args.get("tenant"))
            return _json(200, {"ok": True})
        return _json(200, sb.faults.list())
    if head == "clock":
        if m == "POST":
            b = _body(request)
            if "set" in b:
                st.clock.set(float(b["set"]))
            else:
                st.clock.advance(float(b.get("advance", 0)))
            sb.mutated()
        return _json(200, {"now": st.now(), "iso": iso(st.now()), "offset": st.clock.offset})
    if head == "log":
        if m == "DELETE":
            st.log.clear()
            return _json(200, {"ok": True})
        entries = sb.public_log()
        if request.args.get("tenant"):
            entries = [e for e in entries if e["tenant"] == request.args["tenant"]]
        return _json(200, entries)
    if head == "webhooks":
        what = parts[1] if len(parts) > 1 else ""
        if what == "intent" and m == "POST":
            b = _body(request)
            url = b.get("url") or sb.config.get("webhook_url")
            key = b.get("key") or sb.config.get("webhook_key")
            if b.get("tenant"):
                org = st.orgs[b["tenant"]]
                url, key = b.get("url") or org.webhook_url or url, b.get("key") or org.webhook_key or key
            if not url or not key:
                return _json(400, {"error": "webhook url and key are needed"})
            return _json(200, sb.webhooks.intent(url, key))
        if what == "flush" and m == "POST":
            return _json(200, sb.webhooks.flush())
        if what == "deliveries":
            if m == "DELETE":
                st.deliveries.clear()
                return _json(200, {"ok": True})
            return _json(200, list(st.deliveries))
        if what == "pending":
            return _json(200, sb.webhooks.pending())
        return _json(404, {"error": "unknown webhooks call"})
    if head == "tokens" and len(parts) > 1 and parts[1] == "expire" and m == "POST":
        with st.lock:
            now = st.now()
            for t in st.access_tokens.values():
                t["exp"] = min(t["exp"], int(now) - 1)
            sb.mutated()
        return _json(200, {"ok": True, "expired": len(st.access_tokens)})
    if head == "grants":
        with st.lock:
            out = []
            for g in st.grants.values():
                live = [k[:8] + "…" for k, r in st.refresh_tokens.items()
                        if r["grant"] == g["id"] and not r["invalid"] and r["used_at"] is None]
                out.append({"id": g["id"], "client_id": g["client_id"], "user": g["user"], "scopes": g["scopes"],
                            "authEventId": g["auth_event"], "revoked": g["revoked"], "created": iso(g["created"]),
                            "live_refresh_tokens": live})
            return _json(200, out)
    if head == "connections":
        with st.lock:
            return _json(200, [dict(sb.identity.public_connection(c), client_id=c["client_id"])
                               for c in st.connections.values()])
    if head == "limits":
        return _json(200, sb.limiter.snapshot())
    if head == "spec-violations":
        return _json(200, list(st.spec_violations))
    if head == "save" and m == "POST":
        sb.mutated()
        return _json(200, {"ok": bool(sb.config.get("state_file"))})
    return _json(404, {"error": f"unknown control call {m} /_sandbox/{sub}"})


def _orgs(sb, request, parts):
    st = sb.state
    m = request.method
    if not parts:
        if m == "POST":
            org = sb.create_org(_body(request))
            return _json(200, org.summary())
        with st.lock:
            return _json(200, [o.summary() for o in st.orgs.values()])
    org = st.orgs.get(parts[0])
    if org is None:
        return _json(404, {"error": f"unknown organisation {parts[0]}"})
    if len(parts) == 1:
        if m == "POST":
            b = _body(request)
            with st.lock:
                for k in ("name", "tier", "webhook_url", "webhook_key"):
                    if k in b:
                        setattr(org, k, b[k])
                sb.mutated()
        elif m == "DELETE":
            with st.lock:
                del st.orgs[org.tenant_id]
                for k in [k for k, c in st.connections.items() if c["tenantId"] == org.tenant_id]:
                    del st.connections[k]
                sb.mutated()
            return _json(200, {"ok": True})
        return _json(200, org.summary())
    if len(parts) == 2 and parts[1] == "bulk-seed" and m == "POST":
        # Benches and tests: a big organisation written straight into the store (sandbox/bulk_seed.py).
        with st.lock:
            counts = seed_big_org(sb, org, float(_body(request).get("scale", 1.0)))
            sb.mutated()
        return _json(200, {"ok": True, "added": counts, "counts": org.summary()["counts"]})
    coll = API_COLLECTIONS.get(parts[1].lower())
    if coll is None or coll == "Organisation":
        return _json(404, {"error": f"unknown collection {parts[1]}"})
    w = sb.writer(org)
    if coll == "Items" and len(parts) == 4 and parts[3] == "stock" and m == "POST":
        b = _body(request)
        with st.lock:
            try:
                rec = w.set_stock(parts[2], b["QuantityOnHand"])
            except NotFound:
                return _json(404, {"error": "unknown item"})
            sb.mutated()
            return _json(200, render.record_out(rec, "json"))
    if coll == "Payments" and len(parts) == 4 and parts[3] == "reconcile" and m == "POST":
        # What a user does in Xero's bank reconciliation screen (no API for it).
        with st.lock:
            pay = org.get("Payments", parts[2])
            if pay is None:
                return _json(404, {"error": "unknown payment"})
            pay = dict(pay, IsReconciled=True)
            w._stamp("Payments", pay, False)
            sb.mutated()
            return _json(200, render.record_out(pay, "json"))
    if coll == "PurchaseOrders" and len(parts) == 4 and parts[3] == "bill" and m == "POST":
        # What a user does in Xero: a bill made from an approved purchase order marks it BILLED (no API for it).
        with st.lock:
            po = org.get("PurchaseOrders", parts[2])
            if po is None or po.get("Status") != "AUTHORISED":
                return _json(404 if po is None else 400, {"error": "unknown purchase order" if po is None
                                                          else "only an approved purchase order is billed"})
            po = dict(po, Status="BILLED")
            w._stamp("PurchaseOrders", po, False)
            sb.mutated()
            return _json(200, render.record_out(po, "json"))
    if len(parts) == 4 and parts[3] in ("emails", "attachments") and m == "GET":
        # What Xero emailed for an invoice, and a document's files with their SHA-256 (res_attachments.py).
        with st.lock:
            rec = w.find(coll, parts[2])
            if rec is None:
                return _json(404, {"error": "not found"})
            if parts[3] == "emails":
                return _json(200, list(rec.get("_emails") or []))
            return _json(200, [dict(public(a), sha256=a["_sha256"]) for a in rec.get("_attachments") or []])
    if m == "GET":
        with st.lock:
            if len(parts) == 3:
                rec = w.find(coll, parts[2])
                return _json(200, render.record_out(rec, "json")) if rec else _json(404, {"error": "not found"})
            return _json(200, {coll: [dict(render.record_out(r, "json"), _updated=r.get("_updated"))
                                      for r in org.all(coll)]})
    if m == "POST":
        b = _body(request)
        elements = sb.elements_of(b, coll) or []
        method = request.args.get("method", "POST").upper()
        out = []
        errors = 0
        with st.lock:
            for el in elements:
                try:
                    rec = w.write(coll, el, method)
                    o = render.record_out(rec, "json")
                    o["StatusAttributeString"] = "OK"
                except (Invalid, NotFound) as e:
                    msgs = e.messages if isinstance(e, Invalid) else [f"not found: {e}"]
                    o = dict(el, StatusAttributeString="ERROR", ValidationErrors=[{"Message": x} for x in msgs])
                    errors += 1
                out.append(o)
            sb.mutated()
        return _json(200, {coll: out, "errors": errors})
    return _json(405, {"error": "method not allowed"})
