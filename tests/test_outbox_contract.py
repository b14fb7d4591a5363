"""The outbox's handler contract (models/xero_outbox.py), its registry-driven jobs and the connector's own writes.

Fast: no Xero, no sandbox (the sender's behaviour against Xero is tested in test_export.py and after)."""
from unittest.mock import patch

from odoo import fields
from odoo.fields import Command
from odoo.tests import tagged
from odoo.tests.common import TransactionCase

from odoo.addons.account.models.account_move import AccountMove

from ..exceptions import CronOutOfTime, XeroAlreadyDone, XeroBlocked
from ..models.xero_commit import commit_progress
from ..xero import ElementResult, resources

GUID = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
SENT_MODELS = ("res.partner", "product.product", "sale.order", "account.move", "xero.payment",
               "xero.connection", "xero.tracking.category", "xero.tracking.option", "xero.attachment")


@tagged("post_install", "-at_install")
class TestOutboxContract(TransactionCase):
    def setUp(self):
        super().setUp()
        self.Job = self.env["xero.job"].sudo()
        self.Outbox = self.env["xero.outbox.record"]
        self.customer = self.env["res.partner"].create({"name": "Contract Customer", "is_company": True})

    def job(self, record, operation, **vals):
        return self.Job.create(dict({
            "res_model": record._name, "res_id": record.id, "operation": operation,
            "resource": resources.operation(operation).resource, "method": "PUT"}, **vals))

    def test_every_model_the_outbox_sends_joins_the_contract(self):
        for model in SENT_MODELS:
            self.assertIsInstance(self.env[model], self.env.registry["xero.outbox.record"], model)

    def test_mandatory_hooks_say_what_is_missing(self):
        job = self.job(self.customer, "contact")
        for hook, args in (("_xero_job_payload", (job,)), ("_xero_job_done", (job, ElementResult(0, True))),
                           ("_xero_job_lookup", (job, None)), ("_xero_void_payload", (job,)),
                           ("_xero_void_done", (job, ElementResult(0, True))), ("_xero_void_lookup", (job, None))):
            with self.assertRaises(NotImplementedError, msg=hook):
                getattr(self.Outbox, hook)(*args)

    def test_optional_hooks_are_neutral(self):
        job = self.job(self.customer, "contact")
        self.assertEqual(self.Outbox._xero_jobs_lookup(job, {}, None), {})
        dependencies = self.Outbox._xero_job_dependencies(job)
        self.assertEqual(dependencies._name, "xero.job")
        self.assertFalse(dependencies)
        self.assertIsNone(self.Outbox._xero_job_refused(job, "no"))
        self.assertIsNone(self.Outbox._xero_job_batch_conflict(job))
        self.assertEqual(self.Outbox._xero_job_revision(), 0)
        self.assertIsNone(self.Outbox._xero_resend(job))
        self.assertEqual(self.Outbox._xero_deep_link("Invoices", GUID), resources.deep_link("Invoices", GUID))
        self.assertFalse(self.Outbox._xero_deep_link("Payments", GUID))

    def test_the_handlers_own_hooks(self):
        partner_job = self.job(self.customer, "contact")
        twin = self.env["res.partner"].create({"name": " contract  CUSTOMER "})
        self.assertEqual(self.customer._xero_job_batch_conflict(partner_job),
                         twin._xero_job_batch_conflict(partner_job), "one name: not in one call")
        self.assertEqual(self.customer._xero_job_revision(), self.customer.xero_revision or 0)
        self.assertEqual(self.customer._xero_deep_link("Contacts", GUID), f"https://go.xero.com/Contacts/View/{GUID}")

    def test_operations_collections_labels_and_priorities_come_from_the_registry(self):
        selection = dict(self.Job._fields["operation"].selection)
        self.assertEqual(selection, {name: op.label for name, op in resources.OPERATIONS.items()})
        job = self.Job._xero_enqueue(self.customer, "contact", method="POST")
        self.assertEqual((job.resource, job.priority), ("Contacts", resources.operation("contact").priority))
        self.assertFalse(job._xero_is_void())
        self.assertTrue(self.job(self.customer, "void_invoice")._xero_is_void())

    def test_the_sync_log_links_to_xero_through_the_records_model(self):
        job = self.job(self.customer, "contact", xero_id=GUID, state="done")
        self.assertEqual(job.xero_url, f"https://go.xero.com/Contacts/View/{GUID}")
        with patch.object(type(self.env["res.partner"]), "_xero_deep_link", return_value="https://example.test/x"):
            job.invalidate_recordset(["xero_url"])
            self.assertEqual(job.xero_url, "https://example.test/x")
        self.assertFalse(self.job(self.customer, "payment", xero_id=GUID).xero_url, "no web page for a payment")

    def test_exceptions_of_the_contract(self):
        blocked = XeroBlocked("Map an account, then retry.")
        self.assertEqual((blocked.message, str(blocked)), ("Map an account, then retry.",) * 2)
        self.assertEqual(XeroAlreadyDone({"InvoiceID": GUID}).data, {"InvoiceID": GUID})
        # the files that imported them from the models still find the same classes
        from ..models import xero_event, xero_job
        self.assertIs(xero_job.XeroBlocked, XeroBlocked)
        self.assertIs(xero_job.XeroAlreadyDone, XeroAlreadyDone)
        self.assertIs(xero_event.CronOutOfTime, CronOutOfTime)

    def test_no_commit_under_tests_without_the_switch(self):
        with patch.object(type(self.env["ir.cron"]), "_commit_progress", side_effect=AssertionError("committed")):
            self.assertEqual(commit_progress(self.env, 5), float("inf"))
            self.assertEqual(commit_progress(self.env, 5, cron_only=True), float("inf"))

    def test_write_back_goes_through_the_models_own_write(self):
        """The connector's write-back on an invoice runs account.move's write (its overrides and checks apply),
        without marking the invoice manually modified or syncing its lines."""
        move = self.env["account.move"].create({
            "move_type": "out_invoice", "partner_id": self.customer.id, "invoice_date": fields.Date.today(),
            "invoice_line_ids": [Command.create({"name": "Roasting", "quantity": 1, "price_unit": 100.0,
                                                 "tax_ids": [Command.clear()]})],
        })
        move.action_post()
        self.assertFalse(move.is_manually_modified)
        job = self.job(move, "invoice")
        writes = []
        original = AccountMove.write

        def spy(records, vals):
            writes.append((records.ids, set(vals), records.env.su))
            return original(records, vals)

        with patch.object(AccountMove, "write", spy):
            move.sudo()._xero_job_done(job, ElementResult(0, True, {
                "InvoiceID": GUID, "InvoiceNumber": move.name, "Status": "AUTHORISED", "AmountDue": 100.0,
                "AmountPaid": 0.0}, resource="Invoices"))
        self.assertIn(([move.id], {"xero_invoice_id", "xero_invoice_number", "xero_invoice_status", "xero_amount_paid",
                                   "xero_amount_due", "xero_paid"}, True), writes)
        self.assertEqual((move.xero_invoice_id, move.xero_invoice_status), (GUID, "AUTHORISED"))
        self.assertFalse(move.is_manually_modified)
        self.assertEqual(move.xero_invoice_url, resources.deep_link("Invoices", GUID))
