import base64
import hashlib
import hmac
import http.client
import json
import logging
import time
import uuid
from datetime import datetime
from unittest.mock import patch
from urllib.parse import urlsplit

from odoo import SUPERUSER_ID, api
from odoo.exceptions import ConcurrencyError
from odoo.tests import tagged

from .common import XeroHttpCase

KEY = "test-webhook-key-0123456789abcdefABCDEF=="
WEBHOOK_LOGGER = "odoo.addons.xero_connector.controllers.webhook"
LIMIT = 1024 * 1024  # the webhooks' body limit (1 MiB), written out here on purpose
DEEP = 100_000  # levels of nesting: Python's json recurses once per level (RecursionError past ~1,000)


def xero_sign(body, key):
    """Xero's x-xero-signature, written out here on purpose (not the addon's helper)."""
    return base64.b64encode(hmac.new(key.encode("utf-8"), body, hashlib.sha256).digest()).decode("ascii")


def raw_post(case, path, headers, body=b"", chunks=None):
    """POST with http.client what requests will not send: a Content-Length announcing more than is sent (the
    server must answer without waiting for it), or a body in chunks of our choosing (no Content-Length).
    Returns (status, response body, seconds)."""
    case.env.cr.flush()
    url = urlsplit(case.base_url())
    started = time.monotonic()
    try:
        with case.allow_requests(all_requests=True):
            conn = http.client.HTTPConnection(url.hostname, url.port, timeout=20)
            try:
                conn.putrequest("POST", path, skip_accept_encoding=True)
                for name, value in headers.items():
                    conn.putheader(name, value)
                conn.endheaders()
                if chunks is not None:
                    for chunk in chunks:
                        conn.send(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                    conn.send(b"0\r\n\r\n")
                elif body:
                    conn.send(body)
                answer = conn.getresponse()
                return answer.status, answer.read(), time.monotonic() - started
            finally:
                conn.close()
    finally:
        case.env.invalidate_all()


class NoTraceback:
    """Collects what every ``odoo`` logger says while a request is served: ``errors`` are the records of level
    ERROR or more, or with a traceback (Odoo logs a 500 so)."""

    def __init__(self):
        self.records = []

    def __enter__(self):
        self.handler = logging.Handler(logging.DEBUG)
        self.handler.emit = self.records.append
        logging.getLogger("odoo").addHandler(self.handler)
        return self

    def __exit__(self, *exc):
        logging.getLogger("odoo").removeHandler(self.handler)

    @property
    def errors(self):
        return [f"{r.name}: {r.getMessage()[:200]}" for r in self.records if r.levelno >= logging.ERROR or r.exc_info]

    def warnings(self, logger):
        return [r.getMessage() for r in self.records if r.name == logger and r.levelno == logging.WARNING]


class XeroWebhookCase(XeroHttpCase):
    """A webhook key, the sandbox's first organisation, and helpers to deliver and to pull."""

    def setUp(self):
        super().setUp()
        self.env["ir.config_parameter"].sudo().set_param("xero_connector.webhook_key", KEY)
        # Deliveries only when a test flushes them (a background delivery would hit a test that
        # does not expect it).
        self.sandbox_post("/_sandbox/config", {"webhook_batch_delay": 3600, "webhook_url": None, "webhook_key": None})
        self.tenant = self.sandbox_orgs[0]["tenant_id"]
        self.Event = self.env["xero.event"].sudo()
        self.calls = []

    # ------------------------------------------------------------------------------------------
    # helpers
    # ------------------------------------------------------------------------------------------
    def _event(self, resource_id=None, category="CONTACT", event_type="UPDATE", tenant=None, date=None, data=None):
        """One event as xero-webhooks.yaml shapes it (a credit note's carries its Type and Status)."""
        resource_id = resource_id or str(uuid.uuid4())
        collection = {"CONTACT": "Contacts", "INVOICE": "Invoices", "CREDITNOTE": "CreditNotes"}.get(category, "X")
        if category == "CREDITNOTE" and data is None:
            data = {"Type": "ACCRECCREDIT", "Status": "AUTHORISED"}
        return {**({"data": data} if data else {}),
            "resourceUrl": f"https://api.xero.com/api.xro/2.0/{collection}/{resource_id}",
            "resourceId": resource_id,
            "eventDateUtc": date or "2026-03-01T10:15:39.902",
            "eventType": event_type,
            "eventCategory": category,
            "tenantId": tenant or self.tenant,
            "tenantType": "ORGANISATION",
        }

    @staticmethod
    def _body(events, first=1):
        return json.dumps({"events": events, "firstEventSequence": first, "lastEventSequence": first + len(events) - 1,
                           "entropy": "ABCDEFGHIJ"}, separators=(",", ":")).encode()

    def _post(self, body, signature=None, sign=True):
        headers = {"Content-Type": "application/json"}
        if sign:
            headers["x-xero-signature"] = signature if signature is not None else xero_sign(body, KEY)
        started = time.monotonic()
        answer = self.url_open("/xero/webhook", data=body, headers=headers, allow_redirects=False)
        return answer, time.monotonic() - started

    def _connect(self):
        return self._xero_connect(self.xero_admin, tenants=[self.tenant])

    def _pull_triggered(self):
        cron = self.env.ref("xero_connector.ir_cron_xero_pull")
        return self.env["ir.cron.trigger"].sudo().search_count([("cron_id", "=", cron.id)])

    def _run_pull_cron(self):
        """Run the pull cron as the scheduler would: in a cursor of its own (a test cursor here)."""
        return self._in_own_cursor(lambda env: env["xero.event"]._cron_xero_pull())

    def _in_own_cursor(self, function):
        """Run ``function(env)`` in a cursor of its own, as the cron does (it commits its progress)."""
        self.env.flush_all()
        with self.env.registry.cursor() as cr:
            result = function(api.Environment(cr, SUPERUSER_ID, {"xero_test_commit": True}))
        self.env.invalidate_all()
        return result

    def _pull(self, conn, **kwargs):
        return self._in_own_cursor(lambda env: env["xero.sync.cursor"]._xero_pull(
            env["xero.connection"].browse(conn.id), "Contacts", "res.partner", "_xero_test_apply_contacts", **kwargs))

    def _fake_applier(self, fail_ids=(), raise_ids=()):
        """An applier on res.partner that records what it gets (the contract of xero.event)."""
        calls = self.calls

        def apply(model, connection, records):
            ids = [r["ContactID"] for r in records]
            calls.append({"ids": ids, "records": records, "connection": connection.id,
                          "from_xero": model.env.context.get("xero_from_xero"), "company": model.env.company.id,
                          "su": model.env.su})
            if any(i in raise_ids for i in ids):
                raise ValueError("applier exploded on purpose")
            return {i: "refused on purpose" for i in ids if i in fail_ids}

        return patch.object(type(self.env["res.partner"]), "_xero_test_apply_contacts", apply, create=True)

    def _test_appliers(self):
        return patch.object(
            type(self.env["xero.event"]), "_xero_appliers",
            lambda self: {"CONTACT": ("Contacts", "res.partner", "_xero_test_apply_contacts"),
                          "INVOICE": ("Invoices", "account.move", "_xero_no_such_applier")},
        )

    def _sandbox_contact(self, name, **values):
        answer = self.sandbox_post(f"/_sandbox/orgs/{self.tenant}/Contacts", {"Contacts": [dict(values, Name=name)]})
        self.assertEqual(answer["errors"], 0, answer)
        return answer["Contacts"][0]



@tagged("post_install", "-at_install")
class TestXeroWebhook(XeroWebhookCase):
    def test_valid_delivery_stored_once(self):
        conn = self._connect()
        event = self._event()
        body = self._body([event])
        triggers = self._pull_triggered()
        for _attempt in range(3):  # Xero retries; a delivery may come several times
            answer, _seconds = self._post(body)
            self.assertEqual(answer.status_code, 200)
            self.assertEqual(answer.content, b"", "Xero wants an empty body")
            self.assertNotIn("Set-Cookie", answer.headers)
        stored = self.Event.search([("resource_id", "=", event["resourceId"])])
        self.assertEqual(len(stored), 1)
        self.assertRecordValues(stored, [{
            "connection_id": conn.id, "company_id": self.company.id, "tenant_id": self.tenant, "category": "CONTACT",
            "event_type": "UPDATE", "state": "pending", "attempts": 0, "resource_url": event["resourceUrl"],
        }])
        self.assertEqual(stored.event_date.replace(microsecond=0), datetime(2026, 3, 1, 10, 15, 39))
        self.assertGreater(self._pull_triggered(), triggers, "the pull cron is triggered")
        cron = self.env.ref("xero_connector.ir_cron_xero_pull")
        self.assertEqual((cron.model_id.model, cron.interval_number, cron.interval_type, cron.active),
                         ("xero.event", 15, "minutes", True))
        # The same resource changing again later is a new event.
        self._post(self._body([self._event(event["resourceId"], date="2026-03-01T10:16:00")]))
        self.assertEqual(self.Event.search_count([("resource_id", "=", event["resourceId"])]), 2)

    def test_delivery_stored_after_a_serialization_failure(self):
        """Two deliveries of one event stored at the same moment: one of them fails to serialize and Odoo runs the
        route again. The body read the first time is used again (the request's stream is spent by then): stored, 200,
        not refused as wrongly signed (found by bench/bench_webhooks: a GoCardless redelivery answered 498)."""
        self._connect()
        event = self._event()
        receive = type(self.Event)._xero_receive
        failures = []

        def conflict_once(events, payload, **kwargs):
            if not failures:
                failures.append(payload)
                raise ConcurrencyError("could not serialize access due to concurrent update")
            return receive(events, payload, **kwargs)

        with patch.object(type(self.Event), "_xero_receive", conflict_once):
            answer, _seconds = self._post(self._body([event]))
        self.assertEqual(len(failures), 1, "the first run failed to serialize")
        self.assertEqual(answer.status_code, 200)
        self.assertEqual(self.Event.search_count([("resource_id", "=", event["resourceId"])]), 1)

    def test_refused_and_nothing_stored(self):
        self._connect()
        event = self._event()
        body = self._body([event])
        tampered = body.replace(b'"UPDATE"', b'"CREATE"')
        cases = [
            ("bad signature", body, xero_sign(body, KEY + "x"), True),
            ("missing header", body, None, False),
            ("empty header", body, "", True),
            ("tampered body", tampered, xero_sign(body, KEY), True),
        ]
        for label, payload, signature, sign in cases:
            with self.subTest(label), self.assertLogs(WEBHOOK_LOGGER, "WARNING") as logs:
                answer, _seconds = self._post(payload, signature=signature, sign=sign)
                self.assertEqual(answer.status_code, 401)
                self.assertEqual(answer.content, b"")
            text = "\n".join(logs.output)
            self.assertNotIn(KEY, text)
            self.assertNotIn(event["resourceId"], text, "the body is never logged")
        # No key configured: refused even with a signature made with the old key (fail closed).
        self.env["ir.config_parameter"].sudo().set_param("xero_connector.webhook_key", False)
        with self.assertLogs(WEBHOOK_LOGGER, "WARNING") as logs:
            answer, _seconds = self._post(body)
        self.assertEqual(answer.status_code, 401)
        self.assertIn("no webhook key", "\n".join(logs.output))
        self.assertFalse(self.Event.search_count([]))
        # GET is not a webhook.
        self.assertEqual(self.url_open("/xero/webhook").status_code, 405)

    def test_intent_to_receive_through_sandbox(self):
        url = f"{self.base_url()}/xero/webhook"
        self.env.flush_all()
        with self.allow_requests(all_requests=True):
            result = self.sandbox_post("/_sandbox/webhooks/intent", {"url": url, "key": KEY})
        self.assertTrue(result["ok"], result)
        self.assertEqual((result["signed"]["status"], result["signed"]["body"]), (200, ""))
        self.assertEqual(result["badly_signed"]["status"], 401)
        # Without a key in Odoo the handshake fails: Xero would not enable the webhook.
        self.env["ir.config_parameter"].sudo().set_param("xero_connector.webhook_key", False)
        self.env.flush_all()
        with self.allow_requests(all_requests=True):
            result = self.sandbox_post("/_sandbox/webhooks/intent", {"url": url, "key": KEY})
        self.assertFalse(result["ok"])
        self.assertEqual(result["signed"]["status"], 401)
        self.assertFalse(self.Event.search_count([]))

    def test_malformed_signed_body(self):
        """A signed body that is not a Xero delivery → 400 (it answered 200 before issue 13), a warning with the
        cause, nothing stored; a delivery whose events are all malformed is still a delivery: 200, skipped."""
        self._connect()
        bodies = {
            "not json": (b"{not json", "not JSON"),
            "not utf-8": (b"\xff\xfe{}", "not UTF-8"),
            "a list": (b"[]", "an array, not an object"),
            "no events": (b'{"firstEventSequence": 1}', "no events list"),
            "events not a list": (b'{"events": {"a": 1}}', "no events list"),
            "nested 65 deep": (b'{"events": [' + b"[" * 63 + b"]" * 63 + b"]}", "nested 65 levels deep"),
        }
        for label, (body, cause) in bodies.items():
            with self.subTest(label), self.assertLogs(WEBHOOK_LOGGER, "WARNING") as logs:
                answer, _seconds = self._post(body)
                self.assertEqual(answer.status_code, 400)
                self.assertEqual(answer.content, b"")
            self.assertIn(cause, "\n".join(logs.output))
        self.assertFalse(self.Event.search_count([]))
        events = {
            "event without resourceId": self._body([{k: v for k, v in self._event().items() if k != "resourceId"}]),
            "bad date": self._body([self._event(date="yesterday")]),
            "unknown category": self._body([self._event(category="PAYMENT")]),
            "event not an object": self._body(["CONTACT"]),
        }
        for label, body in events.items():
            with self.subTest(label), self.assertLogs(WEBHOOK_LOGGER, "WARNING") as logs:
                answer, _seconds = self._post(body)
                self.assertEqual(answer.status_code, 200)
                self.assertEqual(answer.content, b"")
            self.assertIn("event skipped", "\n".join(logs.output))
        self.assertFalse(self.Event.search_count([]))
        # One bad event does not cost the good ones of the same delivery.
        good = self._event()
        with self.assertLogs(WEBHOOK_LOGGER, "WARNING"):
            answer, _seconds = self._post(self._body([self._event(event_type="DELETE"), good]))
        self.assertEqual(answer.status_code, 200)
        self.assertEqual(self.Event.search([]).mapped("resource_id"), [good["resourceId"]])

    def test_deeply_nested_signed_body(self):
        """100,000 levels of nesting, correctly signed: 400 and a warning, no 500, no traceback (json.loads alone
        raises RecursionError there), nothing stored."""
        self._connect()
        bodies = {DEEP: b"[" * DEEP + b"]" * DEEP,
                  DEEP + 1: b'{"events": ' + b"[" * DEEP + b"]" * DEEP + b"}",
                  DEEP + 2: b'{"events": [' + b'{"a":' * DEEP + b"1" + b"}" * DEEP + b"]}"}
        for depth, body in bodies.items():
            with self.subTest(depth), NoTraceback() as logs:
                answer, _seconds = self._post(body)
            self.assertEqual((answer.status_code, answer.content), (400, b""))
            self.assertEqual(logs.errors, [])
            [warning] = logs.warnings(WEBHOOK_LOGGER)
            self.assertIn(f"nested {depth} levels deep, more than the 64", warning)
        self.assertFalse(self.Event.search_count([]))

    def test_body_over_one_mib_refused_before_it_is_read(self):
        """413 on the Content-Length alone (the body is never sent: reading it would wait, then time out), and
        for a chunked body once 1 MiB and a byte are read; a one-line warning, nothing stored. 1 MiB is fine."""
        self._connect()
        event = self._event()
        headers = {"Content-Type": "application/json", "x-xero-signature": xero_sign(b"{}", KEY)}
        with self.assertLogs(WEBHOOK_LOGGER, "WARNING") as logs:
            status, content, seconds = raw_post(self, "/xero/webhook",
                                                dict(headers, **{"Content-Length": str(LIMIT + 1)}))
        self.assertEqual((status, content), (413, b""))
        self.assertLess(seconds, 4, "answered at once, not after waiting for the body (the server's timeout is 5 s)")
        [line] = logs.output
        self.assertIn(f"refused (413) from 127.0.0.1: Content-Length {LIMIT + 1} is over the {LIMIT} bytes", line)
        big = self._body([event])[:-1] + b',"pad":"' + b"x" * LIMIT + b'"}'
        with self.assertLogs(WEBHOOK_LOGGER, "WARNING") as logs:
            status, content, _seconds = raw_post(
                self, "/xero/webhook", dict(headers, **{"x-xero-signature": xero_sign(big, KEY),
                                                          "Transfer-Encoding": "chunked"}),
                chunks=[big[i:i + 65536] for i in range(0, len(big), 65536)])
        self.assertEqual((status, content), (413, b""))
        self.assertIn(f"the body (no Content-Length) is over the {LIMIT} bytes", "\n".join(logs.output))
        self.assertFalse(self.Event.search_count([]))
        # A delivery of exactly 1 MiB is read and stored, with a Content-Length or in chunks.
        exact = self._body([event])[:-1] + b',"pad":"'
        exact += b"x" * (LIMIT - len(exact) - 2) + b'"}'
        self.assertEqual(len(exact), LIMIT)
        answer, _seconds = self._post(exact)
        self.assertEqual(answer.status_code, 200)
        second = self._event()
        exact = self._body([second])[:-1] + b',"pad":"'
        exact += b"x" * (LIMIT - len(exact) - 2) + b'"}'
        status, _content, _seconds = raw_post(
            self, "/xero/webhook", dict(headers, **{"x-xero-signature": xero_sign(exact, KEY),
                                                      "Transfer-Encoding": "chunked"}),
            chunks=[exact[i:i + 65536] for i in range(0, len(exact), 65536)])
        self.assertEqual(status, 200)
        self.assertEqual(sorted(self.Event.search([]).mapped("resource_id")),
                         sorted([event["resourceId"], second["resourceId"]]))

    def test_unknown_tenant_stored_ignored(self):
        self._connect()
        stranger = str(uuid.uuid4())
        delivery = self._body([self._event(tenant=stranger)])
        answer, _seconds = self._post(delivery)
        self.assertEqual(answer.status_code, 200)
        event = self.Event.search([("tenant_id", "=", stranger)])
        self.assertEqual(len(event), 1)
        self.assertEqual(event.state, "ignored")
        self.assertFalse(event.connection_id)
        self.assertIn(stranger, event.error)
        # Stored once as well.
        self._post(delivery)
        self.assertEqual(self.Event.search_count([("tenant_id", "=", stranger)]), 1)
        # The cron leaves it alone.
        self._run_pull_cron()
        self.assertEqual(event.state, "ignored")

    def test_intent_payload_with_valid_signature(self):
        answer, _seconds = self._post(json.dumps({"events": [], "firstEventSequence": 0, "lastEventSequence": 0,
                                                  "entropy": "XYZ"}).encode())
        self.assertEqual((answer.status_code, answer.content), (200, b""))
        self.assertFalse(self.Event.search_count([]))

    def test_events_access(self):
        self._connect()
        self._post(self._body([self._event()]))
        self.assertEqual(self.env["xero.event"].with_user(self.xero_admin).search_count([]), 1)
        for user in (self.xero_user, self.internal_user):
            self.assertFalse(self.env["xero.event"].with_user(user).has_access("read"), user.login)
            self.assertFalse(self.env["xero.sync.cursor"].with_user(user).has_access("read"), user.login)
        self.assertFalse(self.env["xero.event"].with_user(self.xero_admin).has_access("create"))
