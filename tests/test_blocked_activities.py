"""Stuck work finds a person: blocked exports become one activity per cause for the Xero administrator, naming
the documents and the fix; fixed and retried, the documents are sent and the activity is marked done."""
from odoo.tests import tagged

from .export_case import XeroExportCase


@tagged("post_install", "-at_install")
class TestBlockedActivities(XeroExportCase):
    def activities(self):
        kind = self.env.ref("xero_connector.mail_activity_type_xero_blocked")
        return self.env["mail.activity"].search([("res_model", "=", "xero.connection"),
                                                 ("res_id", "=", self.connection.id), ("activity_type_id", "=", kind.id)])

    def test_one_activity_per_cause_closed_when_the_documents_are_sent(self):
        self.company.sudo().xero_sales_account_code = "999"  # not in the organisation's chart
        first, second = self.invoice(price=10.0), self.invoice(price=20.0)
        (first | second).with_user(self.xero_user).action_xero_export()
        self.send()
        self.assertEqual(self.jobs_of(first | second, "invoice").mapped("state"), ["blocked", "blocked"])
        [activity] = self.activities()
        self.assertEqual(activity.user_id, self.xero_admin, "the administrator who connected the company")
        self.assertIn("999", activity.summary)
        self.assertNotIn(first.name, activity.summary, "the cause, not one of its documents")
        self.assertIn(first.name, activity.note)
        self.assertIn(second.name, activity.note)
        self.assertIn("2 document(s)", activity.note)
        # Another cause: a tax mapped to a type the organisation does not have.
        odd = self.env["account.tax"].create({"name": "Odd 5%", "amount": 5.0, "type_tax_use": "sale",
                                              "xero_tax_type": "NOSUCHTYPE"})
        self.company.sudo().xero_sales_account_code = "200"
        third = self.invoice(post=False)
        third.invoice_line_ids.tax_ids = odd
        third.action_post()
        third.with_user(self.xero_user).action_xero_export()
        self.assertEqual(len(self.activities()), 2)
        # The first cause fixed (the account is 200 again): retried, they go; its activity is done.
        jobs = self.jobs_of(first | second, "invoice")
        jobs.with_user(self.xero_admin).action_retry()
        self.assertIn(activity, self.activities(), "retried but not sent yet: the activity stays")
        self.send()
        self.assertEqual(jobs.mapped("state"), ["done", "done"])
        self.assertTrue(first.xero_invoice_id and second.xero_invoice_id)
        remaining = self.activities()
        self.assertEqual(len(remaining), 1)
        self.assertIn("NOSUCHTYPE", remaining.summary)
        self.assertTrue([m for m in self.connection.message_ids if "Resolved" in str(m.body)])

    def test_a_document_blocked_again_updates_its_activity(self):
        self.company.sudo().xero_sales_account_code = "999"
        move = self.invoice()
        move.with_user(self.xero_user).action_xero_export()
        job = self.jobs_of(move, "invoice")
        job.with_user(self.xero_admin).action_retry()
        self.send()
        self.assertEqual(job.state, "blocked")
        self.assertEqual(len(self.activities()), 1, "the same cause: still one activity")
