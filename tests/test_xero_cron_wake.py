"""A webhook delivery stores its event and wakes the cron in one statement (``models/xero_cron.py``
``joined_trigger``, ``models/xero_sql.py`` ``insert_new_rows``): a trigger already due is joined instead of one
added per delivery, without ever leaving a delivery's events to a run that cannot see them. Real PostgreSQL
connections of their own (committed rows, real row locks), cleaned up after."""
import uuid

from psycopg2 import errors

from odoo import SUPERUSER_ID, api, sql_db
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger

from ..models.xero_sql import delivery_env

XMLID = "xero_connector.ir_cron_xero_payment_events"
CLEAR = "DELETE FROM ir_cron_trigger WHERE cron_id = %s AND call_at <= now() AT TIME ZONE 'UTC'"


@tagged("post_install", "-at_install")
class TestCronWake(TransactionCase):
    def setUp(self):
        super().setUp()
        self.cron_id = self.env.ref(XMLID).id
        self.cursors = []
        self.triggers = set()
        self.events = []
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
            if self.triggers:
                cr.execute("DELETE FROM ir_cron_trigger WHERE id IN %s", [tuple(self.triggers)])
            cr.execute("DELETE FROM xero_payment_event WHERE event_id = ANY(%s)", [self.events])
        for cr in self.cursors:
            cr.close()

    def _due(self, cr):
        cr.execute("SELECT id FROM ir_cron_trigger WHERE cron_id = %s AND call_at <= now() AT TIME ZONE 'UTC'",
                   [self.cron_id])
        return {row[0] for row in cr.fetchall()}

    def _deliver(self, cr, event_id=None):
        """A Stripe delivery as the webhook stores it; returns (its outcome, the triggers it added)."""
        event_id = event_id or f"evt_wake_{uuid.uuid4().hex[:12]}"
        self.events.append(event_id)
        env = api.Environment(cr, SUPERUSER_ID, {})
        before = self._due(cr)
        outcome = env["xero.payment.event"]._xero_receive_stripe(env.company, {
            "id": event_id, "object": "event", "type": "charge.succeeded", "created": 1780000000,
            "data": {"object": {"id": f"ch_{event_id}", "object": "charge", "amount": 100, "currency": "usd",
                                "status": "succeeded", "paid": True}}}, wake=True)
        added = self._due(cr) - before
        self.triggers |= added
        return outcome, added

    def test_a_delivery_joins_a_due_trigger_and_never_one_being_cleared(self):
        first = self._cursor()
        first.execute(CLEAR, [self.cron_id])  # none due: the first delivery adds one
        outcome, added = self._deliver(first)
        self.assertEqual((outcome, len(added)), ("stored", 1))
        first.commit()

        # A delivery joins the due trigger: no row added. The same event again: stored once, nothing woken.
        delivery = self._cursor()
        outcome, added = self._deliver(delivery)
        self.assertEqual((outcome, added), ("stored", set()), "a trigger already due is joined")
        self.assertEqual(self._deliver(delivery, self.events[0]), ("duplicate", set()))

        # The cron's clearing of its due triggers (ir.cron._clear_schedule) waits for the delivery's commit, so
        # the run that follows sees the delivery's event.
        clearing = self._cursor()
        with mute_logger("odoo.sql_db"), self.assertRaises(errors.LockNotAvailable):
            clearing.execute(CLEAR, [self.cron_id])
        clearing.rollback()
        delivery.commit()

        # A run's clearing under way (its DELETE not committed): a delivery does not join the rows it takes, and
        # does not wait for it either: it adds its own, for the next run.
        clearing.execute(CLEAR, [self.cron_id])
        late = self._cursor()
        outcome, own = self._deliver(late)
        self.assertEqual((outcome, len(own)), ("stored", 1), "a trigger being cleared is not joined")
        self.assertEqual(self._deliver(late)[1], set(), "its own is joined by the next delivery")
        late.commit()
        clearing.commit()
        self.assertEqual(self._due(self._cursor()), own, "the next run is still due, for the late delivery")

    def test_a_delivery_after_a_clearing_since_its_request_began(self):
        """The request's snapshot was taken before a run's clearing committed (Odoo reads the session and the
        route first): in the request's transaction, locking the cleared trigger fails to serialize. The delivery
        stores in a READ COMMITTED transaction of its own (``delivery_env``), which sees the trigger gone and adds
        one."""
        first = self._cursor()
        first.execute(CLEAR, [self.cron_id])
        _outcome, cleared = self._deliver(first)
        first.commit()
        request = self._cursor()
        self.assertEqual(self._due(request), cleared, "the request's snapshot has the trigger")
        clearing = self._cursor()
        clearing.execute(CLEAR, [self.cron_id])
        clearing.commit()
        with delivery_env(api.Environment(request, SUPERUSER_ID, {})) as delivery:
            outcome, added = self._deliver(delivery.cr)
        self.assertEqual((outcome, len(added)), ("stored", 1), "the cleared trigger is not joined: one is added")
        self.assertEqual(self._due(self._cursor()), added)
        with mute_logger("odoo.sql_db"), self.assertRaises(errors.SerializationFailure):
            self._deliver(request)
