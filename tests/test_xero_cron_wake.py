"""Waking a scheduled action from a webhook delivery (``models/xero_cron.py``, ``join=True``): a trigger already due
is joined instead of one added per delivery, without ever leaving a delivery's events to a run that cannot see
them. Real PostgreSQL connections of their own (committed rows, real row locks), cleaned up after."""
from psycopg2 import errors

from odoo import SUPERUSER_ID, api, sql_db
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger

from ..models.xero_cron import wake

XMLID = "xero_connector.ir_cron_xero_payment_events"


@tagged("post_install", "-at_install")
class TestCronWake(TransactionCase):
    def setUp(self):
        super().setUp()
        self.cron_id = self.env.ref(XMLID).id
        self.cursors = []
        self.made = set()
        self.addCleanup(self._clean)

    def _cursor(self):
        cr = sql_db.db_connect(self.env.cr.dbname).cursor()
        self.cursors.append(cr)
        cr.execute("SET lock_timeout = '2s'")  # a lock waited for fails the test instead of hanging it
        return cr

    def _clean(self):
        for cr in self.cursors:
            cr.rollback()
        with sql_db.db_connect(self.env.cr.dbname).cursor() as cr:
            if self.made:
                cr.execute("DELETE FROM ir_cron_trigger WHERE id IN %s", [tuple(self.made)])
        for cr in self.cursors:
            cr.close()

    def _due(self, cr):
        cr.execute("SELECT id FROM ir_cron_trigger WHERE cron_id = %s AND call_at <= now() AT TIME ZONE 'UTC'",
                   [self.cron_id])
        return {row[0] for row in cr.fetchall()}

    def _wake(self, cr, join=True):
        before = self._due(cr)
        self.assertTrue(wake(api.Environment(cr, SUPERUSER_ID, {}), XMLID, join=join))
        added = self._due(cr) - before
        self.made |= added
        return added

    def test_a_delivery_joins_a_due_trigger_and_never_one_being_cleared(self):
        first = self._cursor()
        self._wake(first, join=False)
        first.commit()
        due = self._due(first)
        self.assertTrue(due)

        # A delivery joins the due trigger: no row added.
        delivery = self._cursor()
        self.assertFalse(self._wake(delivery), "a trigger already due is joined")
        self.assertEqual(len(self._wake(delivery, join=False)), 1, "without join, one row per call")

        # The cron's clearing of its due triggers (ir.cron._clear_schedule) waits for the delivery's commit, so
        # the run that follows sees the delivery's events.
        clearing = self._cursor()
        with mute_logger("odoo.sql_db"), self.assertRaises(errors.LockNotAvailable):
            clearing.execute("DELETE FROM ir_cron_trigger WHERE cron_id = %s AND call_at <= now() AT TIME ZONE 'UTC'",
                             [self.cron_id])
        clearing.rollback()
        delivery.commit()

        # A run's clearing under way (its DELETE not committed): a delivery does not join the rows it takes, and
        # does not wait for it either: it adds its own, for the next run.
        clearing.execute("DELETE FROM ir_cron_trigger WHERE cron_id = %s AND call_at <= now() AT TIME ZONE 'UTC'",
                         [self.cron_id])
        late = self._cursor()
        own = self._wake(late)
        self.assertEqual(len(own), 1, "a trigger being cleared is not joined")
        self.assertFalse(self._wake(late), "its own is joined by the same transaction's next delivery")
        late.commit()
        clearing.commit()
        self.assertEqual(self._due(self._cursor()), own, "the next run is still due, for the late delivery")
