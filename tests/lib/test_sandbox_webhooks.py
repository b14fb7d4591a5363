"""Webhooks from the sandbox carry Xero's signature, batch, retry, and intent-to-receive is checked."""
import base64
import hashlib
import hmac
import time

from sandbox_fixtures import SandboxClient


def _wait(pred, timeout=5.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(0.02)
    return False


def test_events_are_signed_batched_and_point_at_the_sandbox(sandbox_factory, webhook_receiver):
    h = sandbox_factory(webhook_url=webhook_receiver.url, webhook_key=webhook_receiver.key)
    c = SandboxClient(h).connect()
    r = c.put("Invoices", {"Invoices": [{"Type": "ACCREC", "Contact": {"Name": "Hooked"}, "LineItems": []}]})
    assert r.status_code == 200
    iid = r.json()["Invoices"][0]["InvoiceID"]
    assert _wait(lambda: len(webhook_receiver.events()) >= 2)
    valid, payload, raw, sig = webhook_receiver.received[0]
    # signature computed independently
    assert sig == base64.b64encode(hmac.new(b"test-webhook-key-123", raw, hashlib.sha256).digest()).decode()
    assert valid
    assert len(webhook_receiver.received) == 1  # one batch for both events
    cats = sorted((e["eventCategory"], e["eventType"]) for e in payload["events"])
    assert cats == [("CONTACT", "CREATE"), ("INVOICE", "CREATE")]
    ev = next(e for e in payload["events"] if e["eventCategory"] == "INVOICE")
    assert ev["resourceUrl"] == f"{h.url}/api.xro/2.0/Invoices/{iid}" and ev["resourceId"] == iid
    assert ev["tenantId"] == c.tenant and ev["tenantType"] == "ORGANISATION" and ev["eventDateUtc"]
    assert payload["firstEventSequence"] == 1 and payload["lastEventSequence"] == 2 and payload["entropy"]
    # an update by "a person in Xero" (control API payment) gives an INVOICE UPDATE
    c.post(f"Invoices/{iid}", {"Invoices": [{"Status": "AUTHORISED", "Date": "2026-01-01", "DueDate": "2026-01-31",
                                             "LineItems": [{"Description": "x", "UnitAmount": 10, "AccountCode": "200"}]}]})
    c.control("POST", f"orgs/{c.tenant}/Payments", {"Payments": [{"Invoice": {"InvoiceID": iid},
                                                                   "Account": {"Code": "090"}, "Amount": 11.5}]})
    assert _wait(lambda: sum(1 for e in webhook_receiver.events() if e["eventType"] == "UPDATE") >= 2)
    deliveries = c.control("GET", "webhooks/deliveries").json()
    assert all(d["status"] == 200 and d["ok"] for d in deliveries)


def test_failed_deliveries_are_retried(sandbox_factory, webhook_receiver):
    h = sandbox_factory(webhook_url=webhook_receiver.url, webhook_key=webhook_receiver.key,
                        webhook_retry_delays=[0.05, 0.05, 0.05])
    webhook_receiver.fail_next = 2
    c = SandboxClient(h).connect()
    c.put("Contacts", {"Contacts": [{"Name": "Retry Me"}]})
    assert _wait(lambda: len(c.control("GET", "webhooks/deliveries").json()) >= 3)
    statuses = [d["status"] for d in c.control("GET", "webhooks/deliveries").json()]
    assert statuses[:3] == [500, 500, 200]


def test_flush_and_per_org_webhook_and_bad_key(sandbox_factory, webhook_receiver):
    h = sandbox_factory(webhook_batch_delay=30)
    c = SandboxClient(h).connect()
    c.control("POST", f"orgs/{c.tenant}", {"webhook_url": webhook_receiver.url, "webhook_key": "not-the-key"})
    c.put("Contacts", {"Contacts": [{"Name": "Flushed"}]})
    assert len(c.control("GET", "webhooks/pending").json()) == 1
    res = c.control("POST", "webhooks/flush").json()
    assert len(res) == 1 and res[0]["status"] == 401  # the receiver refuses a bad signature
    assert webhook_receiver.received and not webhook_receiver.received[0][0]


def test_intent_to_receive(sandbox_server, webhook_receiver):
    c = SandboxClient(sandbox_server)
    out = c.control("POST", "webhooks/intent", {"url": webhook_receiver.url, "key": webhook_receiver.key}).json()
    assert out["ok"] is True
    assert out["signed"]["status"] == 200 and out["signed"]["body"] == ""
    assert out["badly_signed"]["status"] == 401
    payloads = [p for _v, p, _r, _s in webhook_receiver.received]
    assert all(p["events"] == [] and p["firstEventSequence"] == 0 and p["lastEventSequence"] == 0 for p in payloads)
    # a receiver that accepts anything fails the check
    out = c.control("POST", "webhooks/intent", {"url": webhook_receiver.url, "key": "other-key"}).json()
    assert out["ok"] is False


def _webhook_validator(name):
    """A validator of Xero's published webhook schema ``name`` (xero-webhooks.yaml, JSON Schema 2020-12)."""
    import os

    import jsonschema
    import yaml

    from sandbox.spec import find_spec_dir
    with open(os.path.join(find_spec_dir(), "xero-webhooks.yaml")) as f:
        spec = yaml.safe_load(f)
    spec = {"components": spec["components"]}
    return jsonschema.Draft202012Validator({**spec, "$ref": f"#/components/schemas/{name}"})


def test_deliveries_match_xeros_webhook_schema_credit_notes_with_their_data(sandbox_factory, webhook_receiver):
    h = sandbox_factory(webhook_url=webhook_receiver.url, webhook_key=webhook_receiver.key)
    c = SandboxClient(h).connect()
    line = [{"Description": "x", "Quantity": 1, "UnitAmount": 10, "AccountCode": "200"}]
    r = c.put("CreditNotes", {"CreditNotes": [{"Type": "ACCRECCREDIT", "Contact": {"Name": "Hooked"},
                                               "Status": "AUTHORISED", "Date": "2026-01-01", "LineItems": line}]})
    assert r.status_code == 200, r.text
    assert _wait(lambda: any(e["eventCategory"] == "CREDITNOTE" for e in webhook_receiver.events()))
    generic, credit = _webhook_validator("WebhookEvent"), _webhook_validator("CreditNoteWebhookEvent")
    for _valid, payload, _raw, _sig in webhook_receiver.received:
        generic.validate(payload)
        notes = [e for e in payload["events"] if e["eventCategory"] == "CREDITNOTE"]
        if notes:
            credit.validate(dict(payload, events=notes))
            assert notes[0]["data"] == {"Type": "ACCRECCREDIT", "Status": "AUTHORISED"}
        assert all("data" not in e for e in payload["events"] if e["eventCategory"] != "CREDITNOTE")
