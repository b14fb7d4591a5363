"""What a transaction asks once (issue 18, payments as lean as exports): the sender's wake-up, the company's Xero
connection, a payment run's customers. Each still follows what changes inside the transaction."""
from odoo.tests import TransactionCase, tagged

from ..models.xero_job import SEND_TRIGGERED


@tagged("post_install", "-at_install")
class TestOutboxWakeups(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env["res.company"].create({"name": "Wake-up Co"})
        cls.Job = cls.env["xero.job"].sudo()
        cls.cron = cls.env.ref("xero_connector.ir_cron_xero_send")

    def triggers(self):
        return self.env["ir.cron.trigger"].sudo().search_count([("cron_id", "=", self.cron.id)])

    def partners(self, count):
        return self.env["res.partner"].create([{"name": f"Wake-up Customer {n}"} for n in range(count)])

    def test_the_sender_is_woken_once_per_transaction_and_again_after_a_rollback(self):
        self.env.cr.precommit.data.pop(SEND_TRIGGERED, None)  # as at the start of a transaction
        before = self.triggers()
        for partner in self.partners(3):
            self.Job._xero_enqueue(partner, "contact", method="POST", company=self.company)
        self.assertEqual(self.triggers(), before + 1, "three jobs queued, one wake-up")
        with self.assertRaises(ZeroDivisionError), self.env.cr.savepoint():
            self.env["res.partner"].create({"name": "Undone"})
            raise ZeroDivisionError  # a savepoint rolled back: the wake-up made in it (if any) is undone too
        self.Job._xero_enqueue(self.partners(1), "contact", method="POST", company=self.company)
        self.assertEqual(self.triggers(), before + 2, "after a rollback, the next job wakes the sender again")
        self.Job._xero_trigger(at=self.cron.nextcall)
        self.assertEqual(self.triggers(), before + 3, "a wake-up at a given time is always made")

    def test_the_company_connection_follows_its_creation_and_deletion(self):
        self.assertFalse(self.company._xero_connection())
        connection = self.env["xero.connection"].sudo().create({"company_id": self.company.id})
        self.assertEqual(self.company._xero_connection(), connection)
        job = self.Job._xero_enqueue(self.partners(1), "contact", method="POST", company=self.company)
        self.assertEqual(job.connection_id, connection)
        connection.unlink()
        self.assertFalse(self.company._xero_connection())

    def test_a_runs_customers_are_searched_once_per_email(self):
        Event = self.env["xero.payment.event"].sudo()
        known = {}
        first = Event._xero_partner(self.company, "Ann@Example.com", "Ann")
        again = Event._xero_partner(self.company, "ann@example.com ", "Ann", known=known)
        self.assertEqual(again, first, "the partner created for the email is found")
        self.assertEqual(known, {"ann@example.com": first})
        self.env["res.partner"].browse(first).email = "ann@elsewhere.example"
        self.assertEqual(Event._xero_partner(self.company, "ann@example.com", "Ann", known=known), first,
                         "within the run, the customer found is kept")
        other = Event._xero_partner(self.company, "bob@example.com", "Bob", known=known)
        self.assertNotEqual(other, first)
