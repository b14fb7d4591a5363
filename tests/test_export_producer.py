"""The send cron stays out of a producer's way (issue 18): no batch split between two cron threads."""
from odoo import sql_db
from odoo.tests import tagged

from ..models.xero_producer_lock import PRODUCER_NAMESPACE, busy_companies, producer_lock
from .export_case import XeroExportCase


@tagged("post_install", "-at_install")
class TestExportProducer(XeroExportCase):
    def _contact_writes(self):
        return [c for c in self.calls(path="/Contacts") if c["method"] in ("PUT", "POST")]

    def test_the_send_cron_leaves_a_company_alone_while_its_producer_queues(self):
        customers = self.env["res.partner"].create([{"name": f"Producer Customer {i}"} for i in range(3)])
        self.Job._xero_enqueue(customers, "contact", method="POST")
        jobs = self.jobs_of(customers)
        self.assertEqual(len(jobs), 3)
        self.clear_log()
        # Another connection (the payment events' cron in Odoo's other cron thread) holds the producer lock.
        with sql_db.db_connect(self.env.cr.dbname).cursor() as other:
            other.execute("SELECT pg_advisory_lock(%s, %s)", [PRODUCER_NAMESPACE, self.company.id])
            try:
                self.assertEqual(busy_companies(self.env.cr, [self.company.id]), {self.company.id})
                self.send()  # the scheduled run
                self.assertFalse(self._contact_writes(), "the send cron took jobs a producer is still queueing")
                self.assertEqual(set(jobs.mapped("state")), {"pending"})
                # The producer's own send (its jobs given) is not held back by its own lock.
                self.send(jobs=jobs[0])
                self.assertEqual(jobs[0].state, "done")
            finally:
                other.execute("SELECT pg_advisory_unlock(%s, %s)", [PRODUCER_NAMESPACE, self.company.id])
        self.assertFalse(busy_companies(self.env.cr, [self.company.id]))
        self.send()
        self.assertEqual([w["elements"] for w in self._contact_writes()], [1, 2],
                         "once the producer is done, the rest goes in one call")
        self.assertEqual(set(jobs.mapped("state")), {"done"})

    def test_the_producer_lock_triggers_the_send_cron_when_released(self):
        cron = self.env.ref("xero_connector.ir_cron_xero_send")
        Trigger = self.env["ir.cron.trigger"].sudo()
        before = Trigger.search_count([("cron_id", "=", cron.id)])
        with producer_lock(self.env, self.company.id) as locked:
            self.assertTrue(locked)
            self.assertEqual(busy_companies(self.env.cr, [self.company.id]), {self.company.id})
            with producer_lock(self.env, self.company.id) as again:
                self.assertFalse(again, "a second producer of the same company runs without the lock")
        self.assertFalse(busy_companies(self.env.cr, [self.company.id]), "the lock ends with the block")
        self.assertGreater(Trigger.search_count([("cron_id", "=", cron.id)]), before)

    def test_the_producer_lock_is_released_when_the_block_fails(self):
        with self.assertRaises(ValueError):
            with producer_lock(self.env, self.company.id):
                raise ValueError("boom")
        self.assertFalse(busy_companies(self.env.cr, [self.company.id]))
