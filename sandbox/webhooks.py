"""Webhook delivery (sandbox -> connector) with Xero's signature, batching and retries."""
import base64
import hashlib
import hmac
import json
import logging
import secrets
import threading
import time
import urllib.error
import urllib.request

from .util import iso_z, new_id

_log = logging.getLogger("sandbox.webhooks")


def sign(body, key):
    return base64.b64encode(hmac.new(key.encode(), body, hashlib.sha256).digest()).decode()


def post(url, body, signature, timeout):
    """POST raw body; returns (status, response body text, seconds, error)."""
    req = urllib.request.Request(url, data=body, method="POST",
                                 headers={"Content-Type": "application/json", "x-xero-signature": signature,
                                          "User-Agent": "Xero-Webhooks-Sandbox"})
    t0 = time.monotonic()
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, resp.read().decode("utf-8", "replace"), time.monotonic() - t0, None
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8", "replace"), time.monotonic() - t0, None
    except (OSError, ValueError) as e:
        return None, "", time.monotonic() - t0, f"{type(e).__name__}: {e}"


class Dispatcher:
    """Queues events, delivers them from a background thread in batches, retries failures."""

    def __init__(self, state, config):
        self.state = state
        self.config = config
        self.cond = threading.Condition()
        self.queue = []  # pending events: {"event", "url", "key", "attempt", "due"}
        self.thread = None
        self.stopped = False
        self.deliver_lock = threading.Lock()

    def start(self):
        if self.thread is None:
            self.thread = threading.Thread(target=self._run, name="sandbox-webhooks", daemon=True)
            self.thread.start()

    def stop(self):
        with self.cond:
            self.stopped = True
            self.cond.notify_all()

    def target(self, org):
        url = org.webhook_url or self.config.get("webhook_url")
        key = org.webhook_key or self.config.get("webhook_key")
        return (url, key) if url and key else (None, None)

    def emit(self, org, category, rid, event_type, base_url, data=None):
        """Queue one event; ``data`` is the small summary Xero adds to some categories (a credit note's
        ``Type`` and ``Status``: ``CreditNoteWebhookEvent`` in xero-webhooks.yaml)."""
        url, key = self.target(org)
        if not url:
            return
        coll = {"INVOICE": "Invoices", "CONTACT": "Contacts", "CREDITNOTE": "CreditNotes"}[category]
        ev = {"resourceUrl": f"{base_url.rstrip('/')}/api.xro/2.0/{coll}/{rid}", "resourceId": rid,
              "eventDateUtc": iso_z(self.state.now()), "eventType": event_type, "eventCategory": category,
              "tenantId": org.tenant_id, "tenantType": "ORGANISATION"}
        if data is not None:
            ev["data"] = data
        with self.cond:
            self.queue.append({"event": ev, "url": url, "key": key, "attempt": 0,
                               "due": time.monotonic() + float(self.config.get("webhook_batch_delay", 0.2))})
            self.cond.notify_all()
        self.start()

    def pending(self):
        with self.cond:
            return [q["event"] for q in self.queue]

    def _take_due(self, force=False):
        now = time.monotonic()
        with self.cond:
            if not force and not any(q["due"] <= now for q in self.queue):
                return []
            # batch what was queued within the batching delay (fresh events, not retries that are not due)
            horizon = now + float(self.config.get("webhook_batch_delay", 0.2))
            due = [q for q in self.queue if force or q["due"] <= now or (q["attempt"] == 0 and q["due"] <= horizon)]
            taken = {id(q) for q in due}
            self.queue = [q for q in self.queue if id(q) not in taken]
        return due

    def _run(self):
        while True:
            with self.cond:
                if self.stopped:
                    return
                if not self.queue:
                    self.cond.wait(1.0)
                    continue
                wait = min(q["due"] for q in self.queue) - time.monotonic()
                if wait > 0:
                    self.cond.wait(min(wait, 1.0))
                    continue
            try:
                self.deliver(self._take_due())
            except Exception:  # never let the thread die
                _log.exception("webhook delivery failed")

    def flush(self):
        return self.deliver(self._take_due(force=True), retry=False)

    def deliver(self, items, retry=True):
        results = []
        if not items:
            return results
        with self.deliver_lock:
            groups = {}
            for q in items:
                groups.setdefault((q["url"], q["key"]), []).append(q)
            for (url, key), batch in groups.items():
                events = [q["event"] for q in batch]
                with self.state.lock:
                    first = self.state.webhook_sequence + 1
                    self.state.webhook_sequence += len(events)
                    last = self.state.webhook_sequence
                payload = {"events": events, "firstEventSequence": first, "lastEventSequence": last,
                           "entropy": secrets.token_hex(10).upper()}
                body = json.dumps(payload, separators=(",", ":")).encode()
                status, text, secs, err = post(url, body, sign(body, key), float(self.config.get("webhook_timeout", 5)))
                ok = status is not None and 200 <= status < 300
                attempt = max(q["attempt"] for q in batch) + 1
                rec = {"id": new_id(), "time": iso_z(self.state.now()), "url": url, "status": status, "ok": ok,
                       "seconds": round(secs, 4), "error": err, "events": len(events), "attempt": attempt,
                       "firstEventSequence": first, "lastEventSequence": last,
                       "resourceIds": [e["resourceId"] for e in events], "response": text[:500]}
                self.state.deliveries.append(rec)
                results.append(rec)
                if not ok and retry:
                    delays = list(self.config.get("webhook_retry_delays") or [])
                    if attempt <= len(delays):
                        due = time.monotonic() + float(delays[attempt - 1])
                        with self.cond:
                            for q in batch:
                                q["attempt"] = attempt
                                q["due"] = due
                                self.queue.append(q)
                            self.cond.notify_all()
                    else:
                        rec["gave_up"] = True
        return results

    def intent(self, url, key):
        """Xero's intent-to-receive check: a correctly and an incorrectly signed empty payload."""
        out = {}
        for name, good in (("signed", True), ("badly_signed", False)):
            payload = {"events": [], "firstEventSequence": 0, "lastEventSequence": 0,
                       "entropy": secrets.token_hex(10).upper()}
            body = json.dumps(payload, separators=(",", ":")).encode()
            sig = sign(body, key) if good else sign(body, key + "-wrong")
            status, text, secs, err = post(url, body, sig, float(self.config.get("webhook_timeout", 5)))
            out[name] = {"status": status, "body": text, "seconds": round(secs, 4), "error": err}
        s, b = out["signed"], out["badly_signed"]
        out["ok"] = s["status"] == 200 and s["body"] == "" and b["status"] == 401 and \
            s["seconds"] < 5 and b["seconds"] < 5
        return out
