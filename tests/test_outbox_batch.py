"""Jobs queued as a set (issue 18, payments as lean as exports): ``_xero_enqueue`` of a recordset costs the same
few queries whatever its size, and a ``job_batch`` gathers the requests of a loop, queues them together, and
keeps the outbox's contract meanwhile (one open job per record and operation, a search sees what was asked)."""
from datetime import timedelta

from odoo import fields, sql_db
from odoo.tests import TransactionCase, tagged

from ..models.xero_job_enqueue import job_batch
from ..models.xero_job_picker import BURST, GATHER, QUIET
from ..xero import outbox


@tagged("post_install", "-at_install")
class TestOutboxBatch(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env["res.company"].create({"name": "Batch Co"})
        cls.Job = cls.env["xero.job"].sudo()

    def partners(self, count, prefix="Batch Customer"):
        return self.env["res.partner"].create([{"name": f"{prefix} {n}"} for n in range(count)])

    def jobs_of(self, partners):
        return self.Job.search([("res_model", "=", "res.partner"), ("res_id", "in", partners.ids)])

    def queries(self, partners):
        self.env.flush_all()
        before = sql_db.sql_counter
        jobs = self.Job._xero_enqueue(partners, "contact", method="POST", company=self.company)
        self.env.flush_all()
        return sql_db.sql_counter - before, jobs

    def test_a_recordset_is_queued_in_the_same_queries_whatever_its_size(self):
        few, many = self.partners(3, "Few"), self.partners(40, "Many")
        self.queries(self.partners(1, "Warm-up"))  # the connection and the wake-up, asked once per transaction
        spent_few, jobs_few = self.queries(few)
        spent_many, jobs_many = self.queries(many)
        self.assertEqual(spent_many, spent_few, "40 records cost what 3 do")
        self.assertEqual(jobs_many.mapped("res_id"), many.ids, "one job per record, in the records' order")
        uuid = self.env["ir.config_parameter"].sudo().get_param("database.uuid")
        for job in jobs_few | jobs_many:
            self.assertEqual(job.idempotency_key, outbox.job_key(uuid, job.id, 0))
            self.assertEqual((job.state, job.method, job.company_id), ("pending", "POST", self.company))
        # Asked again: the open jobs, none added; a blocked one is re-armed.
        jobs_many[:2]._xero_block("refused")
        again = self.Job._xero_enqueue(many, "contact", method="POST", company=self.company)
        self.assertEqual(again, jobs_many)
        self.assertEqual(set(jobs_many[:2].mapped("state")), {"pending"})
        self.assertEqual(len(self.jobs_of(many)), 40)

    def test_a_batch_queues_its_requests_together_and_a_search_sees_them(self):
        partners = self.partners(5)
        with job_batch(self.env) as batch:
            for partner in partners | partners[:2]:  # two asked twice
                self.assertFalse(self.Job._xero_enqueue(partner, "contact", method="POST", company=self.company))
            self.assertEqual(len(batch.requests), 1, "noted, not queued yet")
            # Any search of the queue queues what was asked first: nothing reads the outbox without it.
            self.assertEqual(self.Job.search_count([("res_model", "=", "res.partner"),
                                                    ("res_id", "in", partners.ids)]), 5)
            self.assertFalse(batch.requests)
            self.Job._xero_enqueue(partners[4], "contact", method="POST", company=self.company)
        self.assertEqual(batch.jobs, self.jobs_of(partners), "each record once, all in the batch's jobs")
        self.assertEqual(len(batch.jobs), 5)

    def test_a_batch_left_by_an_exception_queues_nothing(self):
        partners = self.partners(3)
        with self.assertRaises(ZeroDivisionError), self.env.cr.savepoint(), job_batch(self.env):
            self.Job._xero_enqueue(partners, "contact", method="POST", company=self.company)
            raise ZeroDivisionError
        self.assertFalse(self.jobs_of(partners))
        # And the cursor has no batch left: the next request is queued at once.
        self.assertTrue(self.Job._xero_enqueue(partners, "contact", method="POST", company=self.company))

    def test_once_flushed_the_batch_finds_its_jobs_without_a_search(self):
        partners = self.partners(4)
        with job_batch(self.env) as batch:
            for partner in partners:
                self.Job._xero_enqueue(partner, "contact", method="POST", company=self.company, rearm=False)
            batch.flush(defer=False)
            self.env.flush_all()
            before = sql_db.sql_counter
            found = self.Job.browse().union(*[
                self.Job._xero_enqueue(partner, "contact", method="POST", company=self.company, rearm=False)
                for partner in partners])
            self.assertEqual(sql_db.sql_counter - before, 0, "the dependencies checked again cost no query")
            self.assertEqual(found, batch.jobs)
            # A job that ended meanwhile is no longer open: asking again queues a new one.
            found[0].state = "done"
            new = self.Job._xero_enqueue(partners[0], "contact", method="POST", company=self.company)
            self.assertNotEqual(new, found[0])
            self.assertEqual(new.state, "pending")

    def test_a_batch_inside_another_queues_the_outer_requests_first(self):
        outer_partners, inner_partners = self.partners(2, "Outer"), self.partners(2, "Inner")
        with job_batch(self.env) as outer:
            self.Job._xero_enqueue(outer_partners, "contact", method="POST", company=self.company)
            with job_batch(self.env) as inner:
                self.assertEqual(len(self.jobs_of(outer_partners)), 2, "the outer requests are queued first")
                self.Job._xero_enqueue(inner_partners, "contact", method="POST", company=self.company)
            self.assertEqual(inner.jobs, self.jobs_of(inner_partners))
            self.Job._xero_enqueue(inner_partners[:1], "contact", method="PUT", company=self.company)
            self.assertTrue(outer.requests, "the outer batch defers again once the inner one is over")
        self.assertEqual(len(self.jobs_of(inner_partners)), 2)

    def test_a_partial_call_of_payments_waits_while_their_webhooks_arrive(self):
        """Batching that survives real cron timing: while a company's payment webhooks are still arriving, the
        sender keeps a partial call of payments' jobs for the payment events' run that processes the next ones
        (models/xero_job_picker.py); other jobs go; once the events are processed, the call goes."""
        payments = self.env["xero.payment"].sudo().create([{
            "name": f"Stripe ch_gather{n}", "company_id": self.company.id, "provider": "stripe", "key": f"ch_gather{n}",
            "paid": True, "fee_amount": 0.3, "amount": 10.0, "currency_code": "USD"} for n in range(3)])
        fees = self.Job._xero_enqueue(payments, "bank_transaction", company=self.company)
        contacts = self.Job._xero_enqueue(self.partners(2, "Gather"), "contact", method="POST", company=self.company)
        event = self.env["xero.payment.event"].sudo().create({
            "provider": "stripe", "event_id": "evt_gather", "company_id": self.company.id,
            "event_type": "charge.succeeded", "state": "pending"})
        self.env.flush_all()  # received just now (not when this test's transaction began)
        self.env.cr.execute("UPDATE xero_payment_event SET create_date = %s WHERE id = %s",
                            [fields.Datetime.now(), event.id])
        memo = {"waits": {}, "ended": set()}
        self.assertEqual(self.Job._xero_next_batch(self.company, None, set(), memo), contacts, "customers go first")
        self.assertFalse(self.Job._xero_next_batch(self.company, None, set(contacts.ids), memo),
                         "the payments' partial call waits")
        self.assertTrue(set(fees.ids) <= memo["deferred"])
        event.write({"state": "done", "processed_on": fields.Datetime.now()})
        batch = self.Job._xero_next_batch(self.company, None, set(contacts.ids), {"waits": {}, "ended": set()})
        self.assertEqual(batch, fees, "no webhook arriving: the call goes, partial")
        # A burst (BURST webhooks within QUIET seconds), all processed already: the call waits for the next ones.
        burst = self.env["xero.payment.event"].sudo().create([{
            "provider": "stripe", "event_id": f"evt_burst{n}", "company_id": self.company.id,
            "event_type": "charge.succeeded", "state": "done", "processed_on": fields.Datetime.now()}
            for n in range(BURST)])
        self.env.flush_all()
        self.env.cr.execute("UPDATE xero_payment_event SET create_date = %s WHERE id IN %s",
                            [fields.Datetime.now(), tuple(burst.ids)])
        self.env.invalidate_all()
        self.assertFalse(self.Job._xero_next_batch(self.company, None, set(contacts.ids), {"waits": {}, "ended": set()}),
                         "a burst goes on: the call waits")
        self.env.cr.execute("UPDATE xero_payment_event SET create_date = %s WHERE id = %s",
                            [fields.Datetime.now() - timedelta(seconds=QUIET + 1), burst[0].id])
        self.env.invalidate_all()
        batch = self.Job._xero_next_batch(self.company, None, set(contacts.ids), {"waits": {}, "ended": set()})
        self.assertEqual(batch, fees, "fewer than BURST within QUIET seconds: over, the call goes")
        # A call held back long enough goes, partial, even while webhooks keep arriving.
        event.write({"state": "pending", "processed_on": False})
        self.env.flush_all()
        self.env.cr.execute("UPDATE xero_job SET create_date = %s WHERE id IN %s",
                            [fields.Datetime.now() - timedelta(seconds=GATHER + 1), tuple(fees.ids)])
        self.env.invalidate_all()
        batch = self.Job._xero_next_batch(self.company, None, set(contacts.ids), {"waits": {}, "ended": set()})
        self.assertEqual(batch, fees, "held GATHER seconds at most")
