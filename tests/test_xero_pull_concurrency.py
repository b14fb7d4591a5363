"""Pulls and webhook fetches against a concurrent writer (issue 18, bench/bench_cron).

A customer's new name from Xero recomputes the invoices that show it; when the sender writes the Xero ids back on
those invoices meanwhile, PostgreSQL refuses the pull's update ("could not serialize access"). No record is at
fault: the chunk is tried again later as a whole, never one record at a time in the same snapshot (each failed
alike and was skipped for good: the pull's cursor moved past Xero's change, which was lost).
"""
from unittest.mock import patch

from psycopg2 import errors

from odoo.tests import tagged

from .test_webhook import XeroWebhookCase


@tagged("post_install", "-at_install")
class TestXeroPullConcurrency(XeroWebhookCase):
    def _conflicting_applier(self, conflict_ids, times=1):
        """An applier that records what it gets and meets a concurrent update ``times`` times when its records
        include one of ``conflict_ids`` (what PostgreSQL raises then)."""
        calls, left = self.calls, [times]

        def apply(model, connection, records):
            ids = [r["ContactID"] for r in records]
            calls.append(ids)
            if left[0] and set(ids) & set(conflict_ids):
                left[0] -= 1
                raise errors.SerializationFailure("could not serialize access due to concurrent update")
            return {}

        return patch.object(type(self.env["res.partner"]), "_xero_test_apply_contacts", apply, create=True)

    def test_a_pull_meeting_a_concurrent_update_loses_nothing(self):
        conn = self._connect()
        Cursor = self.env["xero.sync.cursor"].sudo()
        other = self._sandbox_contact("Concurrent Other Ltd")
        changed = self._sandbox_contact("Concurrent Pull Ltd")
        with self._conflicting_applier([changed["ContactID"]]):
            self._pull(conn, page_size=1000)
            conflicted = [ids for ids in self.calls if changed["ContactID"] in ids]
            self.assertEqual(len(conflicted), 1, "the chunk is not retried record by record in the same snapshot")
            self.assertGreater(len(conflicted[0]), 1, "the contact came in a chunk with the others")
            cursor = Cursor.search([("connection_id", "=", conn.id), ("key", "=", "Contacts")])
            self.assertIn("could not serialize", cursor.last_error or "")
            self.assertFalse(cursor.last_full, "the pass did not end: the next run does it again")
            self.calls.clear()
            cursor.last_run = False  # the next run, not held back by the pull's interval
            self._pull(conn, page_size=1000)
        applied = [i for ids in self.calls for i in ids]
        self.assertIn(changed["ContactID"], applied, "applied at the next run")
        self.assertIn(other["ContactID"], applied, "its chunk again, as a whole")
        self.assertFalse(cursor.last_error)
        self.assertTrue(cursor.last_full)

    def test_webhook_events_meeting_a_concurrent_update_retry(self):
        self._connect()
        alpha = self._sandbox_contact("Concurrent Alpha Ltd")
        beta = self._sandbox_contact("Concurrent Beta Ltd")
        self._post(self._body([self._event(alpha["ContactID"]), self._event(beta["ContactID"])]))
        with self._test_appliers(), self._conflicting_applier([alpha["ContactID"]]), \
                patch.object(type(self.env["xero.sync.cursor"]), "_xero_run_pulls", lambda *a, **k: None):
            self._run_pull_cron()
            self.assertEqual(len(self.calls), 1, "one try for the chunk, not one per record")
            self.assertEqual(set(self.calls[0]), {alpha["ContactID"], beta["ContactID"]})
            events = self.Event.search([("category", "=", "CONTACT")])
            self.assertEqual(set(events.mapped("state")), {"failed"})
            self.assertEqual(set(events.mapped("attempts")), {1})
            self.assertIn("Changed meanwhile by another Odoo process", events[0].error)
            self.calls.clear()
            self._run_pull_cron()
        self.assertEqual(len(self.calls), 1)
        self.assertEqual(set(events.mapped("state")), {"done"}, "both applied at the next run")
