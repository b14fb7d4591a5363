"""The pull cron: stored webhook events fetched from Xero and applied, and the incremental pulls."""
import uuid
from datetime import datetime, timedelta
from unittest.mock import patch

import requests

from odoo.tests import tagged

from ..exceptions import CronOutOfTime
from ..models.xero_connection_lists import LISTS_CURSOR
from .test_webhook import KEY, XeroWebhookCase

# The cursors the lists read on connecting leave: the connection's, and the hourly pulls' of accounts and tax rates.
LISTS_READ = [LISTS_CURSOR, "Accounts", "TaxRates"]


@tagged("post_install", "-at_install")
class TestXeroPull(XeroWebhookCase):
    def test_pull_cron_fetches_and_dispatches(self):
        conn = self._connect()
        alpha = self._sandbox_contact("Alpha Webhook Ltd")
        beta = self._sandbox_contact("Beta Webhook Ltd")
        gone = str(uuid.uuid4())  # deleted in Xero since the event
        invoice_id = str(uuid.uuid4())
        events = [self._event(alpha["ContactID"]), self._event(beta["ContactID"]),
                  self._event(alpha["ContactID"], date="2026-03-01T10:20:00"),  # fetched once
                  self._event(gone), self._event(invoice_id, category="INVOICE")]
        self._post(self._body(events))
        self.assertEqual(self.Event.search_count([("state", "=", "pending")]), 5)
        requests.delete(self.sandbox.url + "/_sandbox/log", timeout=10).raise_for_status()
        with self._test_appliers(), self._fake_applier():
            self._run_pull_cron()
        self.assertEqual(len(self.calls), 1, "one batch for the contacts")
        call = self.calls[0]
        self.assertEqual(sorted(call["ids"]), sorted([alpha["ContactID"], beta["ContactID"]]))
        self.assertEqual({r["Name"] for r in call["records"]}, {"Alpha Webhook Ltd", "Beta Webhook Ltd"})
        self.assertTrue(call["from_xero"], "appliers run with xero_from_xero (no echo)")
        self.assertEqual((call["connection"], call["company"]), (conn.id, self.company.id))
        self.assertTrue(call["su"])
        # One GET with the ids (IDs filter), not one per event (the cron's own incremental pull of
        # the contacts is a separate call, without IDs).
        gets = [c for c in self.sandbox_get("/_sandbox/log")
                if c["method"] == "GET" and "Contacts" in c["path"] and "IDs=" in c["query"]]
        self.assertEqual(len(gets), 1, gets)
        contacts = self.Event.search([("category", "=", "CONTACT")])
        self.assertEqual(set(contacts.mapped("state")), {"done"})
        missing = contacts.filtered(lambda e: e.resource_id == gone)
        self.assertIn("Not found in Xero", missing.error)
        self.assertFalse(any((contacts - missing).mapped("error")))
        # No applier for invoices here: they wait, with the reason.
        invoice = self.Event.search([("category", "=", "INVOICE")])
        self.assertEqual(invoice.state, "pending")
        self.assertIn("No applier", invoice.error)

    def test_pull_cron_applier_errors_retry(self):
        self._connect()
        good = self._sandbox_contact("Good Webhook Ltd")
        refused = self._sandbox_contact("Refused Webhook Ltd")
        broken = self._sandbox_contact("Broken Webhook Ltd")
        self._post(self._body([self._event(c["ContactID"]) for c in (good, refused, broken)]))
        with self._test_appliers(), self._fake_applier(fail_ids={refused["ContactID"]},
                                                       raise_ids={broken["ContactID"]}):
            self._run_pull_cron()
            by_id = {e.resource_id: e for e in self.Event.search([])}
            self.assertEqual(by_id[good["ContactID"]].state, "done")
            self.assertRecordValues(by_id[refused["ContactID"]], [{"state": "failed", "attempts": 1,
                                                                   "error": "refused on purpose"}])
            self.assertRecordValues(by_id[broken["ContactID"]], [{"state": "failed", "attempts": 1}])
            self.assertIn("exploded", by_id[broken["ContactID"]].error)
            # Failed events are retried, up to 5 attempts.
            for _run in range(6):
                self._run_pull_cron()
            self.assertEqual(by_id[broken["ContactID"]].attempts, 5)
            self.assertEqual(by_id[good["ContactID"]].state, "done")
        # An administrator retries by hand once the cause is fixed.
        with self._test_appliers(), self._fake_applier():
            by_id[broken["ContactID"]].with_user(self.xero_admin).action_xero_retry()
            self.assertEqual(by_id[broken["ContactID"]].state, "pending")
            self._run_pull_cron()
        self.assertEqual(by_id[broken["ContactID"]].state, "done")

    def test_pull_cron_rate_limited_keeps_events_pending(self):
        self._connect()
        contact = self._sandbox_contact("Limited Webhook Ltd")
        self._post(self._body([self._event(contact["ContactID"])]))
        self.sandbox_post("/_sandbox/faults", {"kind": "429", "problem": "day", "tenant": self.tenant, "count": 1,
                                               "retry_after": 60})
        with self._test_appliers(), self._fake_applier(), self.assertLogs("odoo.addons.xero_connector", "WARNING"):
            self._run_pull_cron()
        event = self.Event.search([])
        self.assertRecordValues(event, [{"state": "pending", "attempts": 0}])
        self.assertFalse(self.calls)

    def test_pull_cron_calls_real_contact_applier(self):
        """When res.partner._xero_apply_contacts exists (issue 5's contacts), the cron calls it."""
        Partner = type(self.env["res.partner"])
        self._connect()
        contact = self._sandbox_contact("Real Applier Ltd")
        self._post(self._body([self._event(contact["ContactID"])]))
        original = Partner._xero_apply_contacts
        seen = []

        def spy(model, connection, records):
            seen.append(([r["ContactID"] for r in records], model.env.context.get("xero_from_xero")))
            return original(model, connection, records)

        with patch.object(Partner, "_xero_apply_contacts", spy):
            self._run_pull_cron()
        # First the event's contact, fetched by id; then the cron's incremental pull of all contacts.
        self.assertEqual(seen[0], ([contact["ContactID"]], True))
        self.assertTrue(all(from_xero for _ids, from_xero in seen))
        event = self.Event.search([])
        self.assertIn(event.state, ("done", "failed"), event.error)

    # ------------------------------------------------------------------------------------------
    # end to end: an edit in Xero reaches Odoo
    # ------------------------------------------------------------------------------------------
    def test_end_to_end_edit_in_xero(self):
        self._connect()
        url = f"{self.base_url()}/xero/webhook"
        self.sandbox_post(f"/_sandbox/orgs/{self.tenant}", {"webhook_url": url, "webhook_key": KEY})
        contact = self._sandbox_contact("Edited In Xero Ltd")
        self._sandbox_contact("Edited In Xero Ltd", ContactID=contact["ContactID"], EmailAddress="ap@edited.example")
        self.env.flush_all()
        with self.allow_requests(all_requests=True):
            delivered = self.sandbox_post("/_sandbox/webhooks/flush")
        self.env.invalidate_all()
        self.assertTrue(delivered and all(d["ok"] for d in delivered), delivered)
        self.assertTrue(all(d["response"] == "" for d in delivered))
        events = self.Event.search([("resource_id", "=", contact["ContactID"])])
        self.assertEqual(set(events.mapped("event_type")), {"CREATE", "UPDATE"})
        self.assertEqual(set(events.mapped("state")), {"pending"})
        # The sandbox's deliveries log agrees.
        log = self.sandbox_get("/_sandbox/webhooks/deliveries")
        self.assertTrue(any(contact["ContactID"] in d["resourceIds"] and d["status"] == 200 for d in log))
        with self._test_appliers(), self._fake_applier():
            self._run_pull_cron()
        self.assertEqual(self.calls[0]["ids"], [contact["ContactID"]])
        self.assertEqual(self.calls[0]["records"][0]["EmailAddress"], "ap@edited.example")
        self.assertEqual(set(events.mapped("state")), {"done"})

    # ------------------------------------------------------------------------------------------
    # incremental pulls (xero.sync.cursor)
    # ------------------------------------------------------------------------------------------
    def test_incremental_pull_cursor(self):
        conn = self._connect()
        Cursor = self.env["xero.sync.cursor"].sudo()
        existing = {c["ContactID"] for c in self.sandbox_get(f"/_sandbox/orgs/{self.tenant}/Contacts")["Contacts"]}
        first = self._sandbox_contact("Cursor One Ltd")
        with self._fake_applier():
            count = self._pull(conn, page_size=2)
            seen = [i for call in self.calls for i in call["ids"]]
            self.assertEqual(count, len(seen))
            self.assertEqual(set(seen), existing | {first["ContactID"]}, "first run: a full pass")
            self.assertTrue(all(len(call["ids"]) <= 2 for call in self.calls), "applied in chunks of the page size")
            self.assertTrue(all(call["from_xero"] for call in self.calls))
            cursor = Cursor.search([("connection_id", "=", conn.id), ("key", "=", "Contacts")])
            self.assertTrue(cursor.last_full and cursor.last_modified)
            self.assertFalse(cursor.last_error)
            # Later changes only: the clock moves, one contact changes, the next pull reads it alone.
            self.sandbox_post("/_sandbox/clock", {"advance": 30})
            second = self._sandbox_contact("Cursor Two Ltd")
            self.calls.clear()
            self._pull(conn, page_size=2)
            # The newest record of the last pass is read again (the 1 s overlap), older ones are not.
            self.assertEqual({i for call in self.calls for i in call["ids"]}, {first["ContactID"], second["ContactID"]})
            self.sandbox_post("/_sandbox/clock", {"advance": 30})
            third = self._sandbox_contact("Cursor Three Ltd")
            self.calls.clear()
            self._pull(conn, page_size=2)
            self.assertEqual({i for call in self.calls for i in call["ids"]}, {second["ContactID"], third["ContactID"]})
            # min_interval: a pull right after another one does not call Xero.
            self.calls.clear()
            self.assertEqual(self._pull(conn, min_interval=60), 0)
            self.assertFalse(self.calls)
            self.assertGreater(cursor.last_modified, datetime(2000, 1, 1))
            # A full pass again once the last one is older than full_every.
            cursor.last_full = cursor.last_full - timedelta(days=2)
            self.calls.clear()
            self._pull(conn, page_size=100)
            self.assertEqual({i for call in self.calls for i in call["ids"]},
                             existing | {first["ContactID"], second["ContactID"], third["ContactID"]})

    def test_a_full_pass_shows_its_progress_on_the_overview(self):
        conn = self._connect()
        for i in range(5):
            self._sandbox_contact(f"Progress {i} Ltd")
        total = len(self.sandbox_get(f"/_sandbox/orgs/{self.tenant}/Contacts")["Contacts"])
        seen = []
        original = self._fake_applier

        def watch(model, connection, records):
            cursor = model.env["xero.sync.cursor"].sudo().search([("connection_id", "=", connection.id),
                                                                  ("key", "=", "Contacts")])
            overview = model.env["xero.connection"].browse(connection.id)
            overview.invalidate_recordset()
            seen.append((cursor.pull_done, cursor.pull_total, overview.overview_runs or ""))
            return {}

        with original(), patch.object(type(self.env["res.partner"]), "_xero_test_apply_contacts", watch, create=True):
            self.assertEqual(self._pull(conn, page_size=2), total)
        # Before each page is applied: what the pass has read so far, of Xero's count (its pagination's itemCount).
        self.assertEqual([done for done, _total, _text in seen], list(range(0, total, 2)))
        self.assertEqual({t for _done, t, _text in seen[1:]}, {total})
        self.assertIn(f"Reading Contacts from Xero: 2 of {total}, about 1 min left at Xero's pace.", seen[1][2])
        cursor = self.env["xero.sync.cursor"].sudo().search([("connection_id", "=", conn.id), ("key", "=", "Contacts")])
        self.assertEqual((cursor.pull_done, cursor.pull_total), (total, total))
        conn.invalidate_recordset()
        self.assertNotIn("Reading Contacts", conn.overview_runs or "")

    def test_an_interrupted_full_pass_resumes_where_it_stopped(self):
        """The cron's time runs out after two committed pages of a first (full) pass: the next run reads what
        changed since the newest record those pages held (If-Modified-Since), not the collection from page 1
        again (on a big organisation a pass started again each run would never end), and completes the pass."""
        conn = self._connect()
        for i in range(6):
            self.sandbox_post("/_sandbox/clock", {"advance": 30})  # each contact a change of its own second
            self._sandbox_contact(f"Resume {i} Ltd")
        everyone = {c["ContactID"] for c in self.sandbox_get(f"/_sandbox/orgs/{self.tenant}/Contacts")["Contacts"]}
        Event = type(self.env["xero.event"])
        progress = Event._xero_progress
        pages = []

        def out_of_time_after_two_pages(model, processed):
            progress(model, processed)  # the page is committed, as the cron commits it
            pages.append(processed)
            if len(pages) == 2:
                raise CronOutOfTime()

        requests.delete(self.sandbox.url + "/_sandbox/log", timeout=10).raise_for_status()
        with self._fake_applier():
            def pull_until_out_of_time(env):  # as the cron does: out of time, it stops (and triggers itself again)
                try:
                    env["xero.sync.cursor"]._xero_pull(env["xero.connection"].browse(conn.id), "Contacts",
                                                       "res.partner", "_xero_test_apply_contacts", page_size=2)
                except CronOutOfTime:
                    return "out of time"
                return "done"

            with patch.object(Event, "_xero_progress", out_of_time_after_two_pages):
                self.assertEqual(self._in_own_cursor(pull_until_out_of_time), "out of time")
            first_run = [i for call in self.calls for i in call["ids"]]
            self.assertEqual(len(first_run), 4)
            cursor = self.env["xero.sync.cursor"].sudo().search([("connection_id", "=", conn.id),
                                                                  ("key", "=", "Contacts")])
            self.assertFalse(cursor.last_full, "the pass is not complete")
            self.assertEqual((cursor.pull_done, cursor.pull_total), (4, len(everyone)))
            requests.delete(self.sandbox.url + "/_sandbox/log", timeout=10).raise_for_status()
            self.calls.clear()
            self._pull(conn, page_size=2)
        resumed = [i for call in self.calls for i in call["ids"]]
        reads = [c for c in self.sandbox_get("/_sandbox/log") if c["method"] == "GET" and "Contacts" in c["path"]]
        self.assertTrue(reads and all(c.get("if_modified_since") for c in reads),
                        "the resumed run asks for what changed since the newest record seen")
        self.assertLess(len(resumed), len(everyone), "the first pages are not read again")
        self.assertEqual(set(first_run) | set(resumed), everyone, "nothing is missed")
        cursor.invalidate_recordset()
        self.assertTrue(cursor.last_full, "the resumed pass completes the full pass")
        self.assertEqual(cursor.pull_done, cursor.pull_total)

    def test_incremental_pull_where_customers(self):
        """The where clause the contacts pull uses works against Xero's (the sandbox's) interpreter."""
        conn = self._connect()
        customer = self._sandbox_contact("Customer Where Ltd")
        self._sandbox_contact("Not A Customer Ltd")
        answer = self.sandbox_post(f"/_sandbox/orgs/{self.tenant}/Invoices", {"Invoices": [{
            "Type": "ACCREC", "Status": "AUTHORISED", "Contact": {"ContactID": customer["ContactID"]},
            "Date": "2026-03-01", "DueDate": "2026-03-31",
            "LineItems": [{"Description": "Widget", "Quantity": 1, "UnitAmount": 10, "AccountCode": "200"}],
        }]})
        self.assertEqual(answer["errors"], 0, answer)
        where = 'IsCustomer==true AND ContactStatus=="ACTIVE"'
        with self._fake_applier():
            # On demand, outside the cron, in the caller's transaction: nothing is committed (a commit
            # here would fail the test).
            self.env["xero.sync.cursor"].sudo()._xero_pull(conn, "Contacts", "res.partner",
                                                            "_xero_test_apply_contacts", where=where)
        names = {r["Name"] for call in self.calls for r in call["records"]}
        self.assertIn("Customer Where Ltd", names)
        self.assertNotIn("Not A Customer Ltd", names)
        self.assertTrue(all(r["IsCustomer"] for call in self.calls for r in call["records"]))
        # Its own cursor: an unfiltered pull of Contacts is not moved by the filtered one. (The lists read when
        # connecting have the connection's cursor, and count as the hourly pulls' full passes: theirs.)
        keys = self.env["xero.sync.cursor"].sudo().search([("connection_id", "=", conn.id),
                                                           ("key", "not in", LISTS_READ)]).mapped("key")
        self.assertEqual(keys, [f"Contacts where {where}"])

    def test_cron_runs_registered_pulls_only_when_applier_exists(self):
        conn = self._connect()
        self._sandbox_contact("Registered Pull Ltd")
        Cursor = type(self.env["xero.sync.cursor"])
        pulls = [("Contacts", "res.partner", "_xero_test_apply_contacts", {}),
                 ("Invoices", "account.move", "_xero_no_such_applier", {})]
        with patch.object(Cursor, "_xero_pulls", lambda self: pulls), self._fake_applier():
            self._run_pull_cron()
        self.assertTrue(self.calls)
        # (the lists read when connecting have a cursor of their own, the connection's, and count as the hourly
        # pulls' full passes: theirs; not the cron's run)
        keys = self.env["xero.sync.cursor"].sudo().search([("connection_id", "=", conn.id),
                                                           ("key", "not in", LISTS_READ)]).mapped("key")
        self.assertEqual(keys, ["Contacts"])


    def test_bursts_of_120_invoice_and_credit_note_events(self):
        """A bulk export of 120 invoices causes as many INVOICE events at once: Xero answers 404 to a query
        string over 2 KB (53 GUIDs in IDs), so they are read 40 a call; credit notes have no IDs filter in
        Xero (it would list every credit note, on every batch): they are read through one If-Modified-Since read
        of what changed since the earliest event."""
        self._connect()
        self._run_pull_cron()  # the first full pull is behind us: from here on every read is incremental
        contact = self._sandbox_contact("Burst Customer Ltd")
        line = {"Description": "Beans", "Quantity": 1, "UnitAmount": 10, "AccountCode": "200"}
        invoices = self.sandbox_post(f"/_sandbox/orgs/{self.tenant}/Invoices", {"Invoices": [
            {"Type": "ACCREC", "Contact": {"ContactID": contact["ContactID"]}, "Date": "2026-03-01",
             "DueDate": "2026-03-31", "Status": "AUTHORISED", "LineItems": [line]} for _n in range(120)]})
        notes = self.sandbox_post(f"/_sandbox/orgs/{self.tenant}/CreditNotes", {"CreditNotes": [
            {"Type": "ACCRECCREDIT", "Contact": {"ContactID": contact["ContactID"]}, "Date": "2026-03-01",
             "Status": "AUTHORISED", "LineItems": [line]} for _n in range(120)]})
        self.assertEqual((invoices["errors"], notes["errors"]), (0, 0))
        now = datetime.utcnow().strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]  # Xero's eventDateUtc
        events = [self._event(i["InvoiceID"], category="INVOICE", date=now) for i in invoices["Invoices"]]
        events += [self._event(c["CreditNoteID"], category="CREDITNOTE", date=now) for c in notes["CreditNotes"]]
        self.assertEqual(self._post(self._body(events))[0].status_code, 200)
        requests.delete(self.sandbox.url + "/_sandbox/log", timeout=10).raise_for_status()
        self._run_pull_cron()
        done = self.Event.search([("category", "in", ("INVOICE", "CREDITNOTE"))])
        self.assertEqual(len(done), 240)
        self.assertEqual(set(done.mapped("state")), {"done"}, set(done.mapped("error")))
        self.assertFalse(any(done.mapped("error")), "each was found in Xero and applied")
        log = [c for c in self.sandbox_get("/_sandbox/log") if c["method"] == "GET"]
        self.assertFalse([c for c in log if c["status"] == 404], "no read past Xero's query string limit")
        by_ids = [c for c in log if c["path"].endswith("/Invoices") and "IDs=" in c["query"]]
        self.assertEqual(len(by_ids), 3, "120 invoices, 40 a call")
        notes = [c for c in log if "/CreditNotes" in c["path"]]
        self.assertFalse([c for c in notes if "IDs=" in c["query"]], "Xero has no IDs filter on credit notes")
        self.assertTrue(notes and all(c["if_modified_since"] for c in notes), f"never the whole collection: {notes}")
        self.assertLessEqual(len(notes), 2, "the events' read of what changed, and the incremental pull")
        self.assertFalse([c for c in notes if c["path"] != "/api.xro/2.0/CreditNotes"], "none one by one")

    def test_a_pull_waits_when_the_days_budget_is_kept_for_documents(self):
        """Starter day nearly spent (5 of 1,000 calls left): the pull is deferred, not failed, and its cursor keeps its
        place; with the day's calls back it runs."""
        conn = self._connect()
        self._sandbox_contact("Budget Deferred Ltd")

        def pull():
            return self.env["xero.sync.cursor"].sudo()._xero_pull(conn, "Contacts", "res.partner",
                                                                   "_xero_test_apply_contacts")
        self._starter_day(conn, 5)
        with self._fake_applier():
            self.assertEqual(pull(), 0)
            self.assertEqual(self.calls, [])
            cursor = self.env["xero.sync.cursor"].sudo().search([("connection_id", "=", conn.id),
                                                                 ("key", "=", "Contacts")])
            self.assertFalse(cursor.last_run, "deferred: the cursor has not moved")
            self.assertFalse(cursor.last_error, "deferred, not failed")
            self._starter_day(conn, 1000)
            self.assertGreater(pull(), 0)
            self.assertIn("Budget Deferred Ltd", {r["Name"] for call in self.calls for r in call["records"]})

    def _starter_day(self, conn, day_remaining):
        """The organisation's rate state: a Starter day (1,000 calls) with ``day_remaining`` calls left."""
        now = datetime.now().timestamp()
        RateState = self.env["xero.rate.state"].sudo()
        RateState.search([("tenant_id", "=", conn.tenant_id)]).unlink()
        RateState.create({"tenant_id": conn.tenant_id, "state": {
            "day_start": now - 60, "day_count": 1000 - day_remaining, "day_limit": 1000,
            "remaining": {"day": day_remaining}, "remaining_at": now}})

    def test_webhook_fetches_wait_when_the_days_budget_is_kept_for_documents(self):
        """Starter day nearly spent: the events' fetch is deferred (pending, no error, no call); with the calls back,
        they are fetched and applied."""
        conn = self._connect()
        contact = self._sandbox_contact("Budget Webhook Ltd")
        self._post(self._body([self._event(contact["ContactID"])]))
        self._starter_day(conn, 5)
        with self._test_appliers(), self._fake_applier():
            self._run_pull_cron()
            event = self.Event.search([("resource_id", "=", contact["ContactID"])])
            self.assertEqual((event.state, event.error, self.calls), ("pending", False, []))
            self._starter_day(conn, 1000)
            self._run_pull_cron()
        event.invalidate_recordset()
        self.assertEqual(event.state, "done")
        self.assertEqual([r["Name"] for call in self.calls for r in call["records"]], ["Budget Webhook Ltd"])
