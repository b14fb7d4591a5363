from odoo.exceptions import UserError
from odoo.tests import tagged

from . import test_xero_lead_source

LOST = 4  # past the client's own retries: the sender is left not knowing


@tagged("post_install", "-at_install")
class TestXeroLeadSourceOutbox(test_xero_lead_source.TestXeroLeadSource):
    """The Lead Source's writes go through the outbox: each is a Sync Log line, and survives a lost answer."""

    # The lead source tests are inherited: run them once, in their own class.
    test_lead_source_created_options_synced_and_on_exported_lines = None
    test_both_tracking_slots_taken_then_an_existing_category_is_picked = None
    test_option_limit = None
    test_invoice_lines_carry_the_lead_source_too = None

    def tracking_jobs(self):
        return self.Job.search([("operation", "in", ("tracking_category", "tracking_options"))], order="id")

    def setup_lead_source(self):
        return self.connection.with_user(self.xero_admin).action_xero_setup_lead_source()

    def test_setup_writes_are_jobs_of_the_sync_log(self):
        order = self.source_order("Newsletter")
        self.source_order("Trade Fair")
        self.setup_lead_source()
        category = self.company.xero_lead_source_category_id
        self.assertRecordValues(self.tracking_jobs(), [
            {"operation": "tracking_category", "res_model": "xero.connection", "res_id": self.connection.id,
             "resource": "TrackingCategories", "method": "PUT", "state": "done", "xero_id": category.xero_id},
            {"operation": "tracking_options", "res_model": "xero.tracking.category", "res_id": category.id,
             "resource": f"TrackingCategories/{category.xero_id}/Options", "method": "PUT", "state": "done",
             "xero_id": category.xero_id},
        ])
        self.assertEqual(sorted(category.option_ids.source_id.mapped("name")), ["Newsletter", "Trade Fair"])
        self.assertFalse(category.xero_wanted_source_ids)
        # Renamed in Odoo: the pull queues the rename on the option, and sends it.
        option = category.option_ids.filtered(lambda o: o.name == "Newsletter")
        self.env["utm.source"].search([("name", "=", "Newsletter")]).name = "Monthly Newsletter"
        self.env["xero.sync.cursor"]._xero_run_pulls(self.connection)
        [rename] = self.Job.search([("res_model", "=", "xero.tracking.option")])
        self.assertRecordValues(rename, [{
            "operation": "tracking_options", "res_id": option.id, "method": "POST", "state": "done",
            "resource": f"TrackingCategories/{category.xero_id}/Options/{option.xero_id}"}])
        self.assertEqual(option.name, "Monthly Newsletter")
        self.assertEqual(self.options("Lead Source"), ["Monthly Newsletter", "Trade Fair"])
        job = self.export(order)
        self.assertEqual(job.state, "done", job.error)
        self.assertEqual(self.lines_tracking(order), [[("Lead Source", "Monthly Newsletter")]])

    def test_category_created_once_though_xero_answer_is_lost(self):
        self.source_order("Newsletter")
        self.fault(kind="lost_response", method="PUT", path="/api.xro/2.0/TrackingCategories", count=LOST)
        try:
            self.setup_lead_source()
        except UserError as exc:
            self.assertIn("Xero did not answer", str(exc))
        else:
            self.fail("the set-up reports the lost answer")
        [job] = self.tracking_jobs()
        self.assertRecordValues(job, [{"operation": "tracking_category", "state": "retry", "outcome_unknown": True}])
        self.assertEqual(list(self.categories()), ["Lead Source"], "Xero made it: only the answer was lost")
        # The sender's next try looks the category up by its name instead of creating a second one.
        job.next_try = False
        self.send()
        self.assertEqual(job.state, "done", job.error)
        self.assertIn("found_by_lookup", job.response_excerpt)
        self.assertEqual(self.connection.xero_tracking_category_ids.mapped("name"), ["Lead Source"])
        action = self.setup_lead_source()
        self.assertEqual(action["params"]["type"], "success", action["params"]["message"])
        self.assertEqual([c["Name"] for c in self.xero("TrackingCategories")], ["Lead Source"])
        self.assertEqual(self.options("Lead Source"), ["Newsletter"])

    def test_document_waits_for_its_option_whose_answer_is_lost(self):
        self.source_order("Newsletter")
        self.setup_lead_source()
        category = self.company.xero_lead_source_category_id
        podcast = self.source_order("Podcast")
        self.fault(kind="lost_response", method="PUT",
                   path=f"/api.xro/2.0/TrackingCategories/{category.xero_id}/Options", count=LOST)
        job = self.export(podcast)
        self.assertEqual(job.state, "pending", job.error)
        self.assertFalse(podcast.xero_invoice_id, "nothing sent without its option")
        options_job = self.tracking_jobs().filtered(lambda j: j.operation == "tracking_options" and j.state != "done")
        self.assertRecordValues(options_job, [{"state": "retry", "outcome_unknown": True}])
        self.assertEqual(category.xero_wanted_source_ids.mapped("name"), ["Podcast"])
        # The next run finds the option Xero added (by its name), then sends the invoice with it.
        options_job.next_try = False
        self.send()
        self.assertEqual(options_job.state, "done", options_job.error)
        self.assertIn("found_by_lookup", options_job.response_excerpt)
        self.assertEqual(job.state, "done", job.error)
        self.assertEqual(self.lines_tracking(podcast), [[("Lead Source", "Podcast")]])
        self.assertEqual(self.options("Lead Source"), ["Newsletter", "Podcast"], "added once")
        self.assertEqual(category.option_ids.filtered(lambda o: o.name == "Podcast").source_id.name, "Podcast")
        self.assertFalse(category.xero_wanted_source_ids)
