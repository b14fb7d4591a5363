from odoo.exceptions import UserError
from odoo.fields import Command
from odoo.tests import tagged

from .export_case import XeroExportCase


@tagged("post_install", "-at_install")
class TestXeroLeadSource(XeroExportCase):
    """The "Lead Source" tracking category follows Odoo's sources; exported lines carry the order's."""

    def source_order(self, source_name):
        source = self.env["utm.source"].search([("name", "=", source_name)], limit=1) or \
            self.env["utm.source"].create({"name": source_name})
        order = self.order()
        order.source_id = source
        return order

    def categories(self):
        return {c["Name"]: c for c in self.xero("TrackingCategories") if c["Status"] != "DELETED"}

    def options(self, name):
        return sorted(o["Name"] for o in self.categories()[name]["Options"] if o["Status"] == "ACTIVE")

    def export(self, order):
        job = self.Job._xero_enqueue(order, "invoice")
        self.send()
        return job

    def lines_tracking(self, order):
        invoice = next(i for i in self.xero("Invoices") if i["InvoiceID"] == order.xero_invoice_id)
        return [[(t["Name"], t["Option"]) for t in li["Tracking"]] for li in invoice["LineItems"]]

    def test_lead_source_created_options_synced_and_on_exported_lines(self):
        newsletter = self.source_order("Newsletter")
        self.source_order("Trade Fair")
        action = self.connection.with_user(self.xero_admin).action_xero_setup_lead_source()
        self.assertEqual(action["params"]["type"], "success", action["params"]["message"])
        self.assertEqual(self.options("Lead Source"), ["Newsletter", "Trade Fair"])
        self.assertEqual(self.company.xero_lead_source_category_id.name, "Lead Source")
        job = self.export(newsletter)
        self.assertEqual(job.state, "done", job.error)
        self.assertEqual(self.lines_tracking(newsletter), [[("Lead Source", "Newsletter")]])
        # A source new to Xero gets its option when its first order is exported.
        podcast = self.source_order("Podcast")
        job = self.export(podcast)
        self.assertEqual(job.state, "done", job.error)
        self.assertEqual(self.lines_tracking(podcast), [[("Lead Source", "Podcast")]])
        self.assertEqual(self.options("Lead Source"), ["Newsletter", "Podcast", "Trade Fair"])
        # Renamed in Odoo: the option is renamed in Xero by the pull cron (triggered by the rename).
        cron = self.env.ref("xero_connector.ir_cron_xero_pull")
        triggers = self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)])
        self.env["utm.source"].search([("name", "=", "Trade Fair")]).name = "Trade Show"
        self.assertGreater(self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)]), triggers)
        self.env["xero.sync.cursor"]._xero_run_pulls(self.connection)
        self.assertEqual(self.options("Lead Source"), ["Newsletter", "Podcast", "Trade Show"])
        # Setting up again finds the category (no second one).
        self.connection.with_user(self.xero_admin).action_xero_setup_lead_source()
        self.assertEqual([c["Name"] for c in self.xero("TrackingCategories")], ["Lead Source"])

    def test_both_tracking_slots_taken_then_an_existing_category_is_picked(self):
        self.seed("TrackingCategories", [{"Name": "Region"}, {"Name": "Project"}])
        order = self.source_order("Website")
        with self.assertRaisesRegex(UserError, "both are taken: (Region and Project|Project and Region)"):
            self.connection.with_user(self.xero_admin).action_xero_setup_lead_source()
        self.assertNotIn("Lead Source", self.categories(), "nothing created")
        # The admin picks one of the two in Settings, then sets up again.
        region = self.env["xero.tracking.category"].search([("name", "=", "Region")])
        settings = self.env["res.config.settings"].create({"xero_lead_source_category_id": region.id})
        settings.execute()
        self.assertEqual(self.company.xero_lead_source_category_id, region)
        self.env["res.config.settings"].create({}).action_xero_setup_lead_source()
        self.assertEqual(self.options("Region"), ["Website"])
        job = self.export(order)
        self.assertEqual(job.state, "done", job.error)
        self.assertEqual(self.lines_tracking(order), [[("Region", "Website")]])

    def test_option_limit(self):
        self.seed("TrackingCategories", [{"Name": "Lead Source",
                                          "Options": [{"Name": f"Campaign {i:02d}"} for i in range(99)]}])
        first = self.source_order("Spring Fair")
        second = self.source_order("Summer Fair")
        action = self.connection.with_user(self.xero_admin).action_xero_setup_lead_source()
        self.assertEqual(action["params"]["type"], "warning")
        message = action["params"]["message"]
        self.assertIn("at most 100 options", message)
        self.assertIn("Summer Fair", message)
        self.assertNotIn("Spring Fair", message)
        self.assertEqual(len(self.options("Lead Source")), 100)
        self.assertEqual(self.company.xero_lead_source_message, message)
        job = self.export(first)
        self.assertEqual(job.state, "done", job.error)
        job = self.export(second)
        self.assertEqual(job.state, "blocked")
        self.assertIn(second.name, job.error)
        self.assertIn("at most 100 options", job.error)
        self.assertFalse(second.xero_invoice_id, "nothing sent wrong")
        # Other lines of business go on: an order without a source has no tracking.
        plain = self.order()
        job = self.export(plain)
        self.assertEqual(job.state, "done", job.error)
        self.assertEqual(self.lines_tracking(plain), [[]])

    def test_invoice_lines_carry_the_lead_source_too(self):
        self.source_order("Referral")
        self.connection.with_user(self.xero_admin).action_xero_setup_lead_source()
        move = self.env["account.move"].create({
            "move_type": "out_invoice", "partner_id": self.customer.id,
            "source_id": self.env["utm.source"].search([("name", "=", "Referral")]).id,
            "invoice_line_ids": [Command.create({"name": "Service", "quantity": 1, "price_unit": 50,
                                                 "tax_ids": [Command.set(self.tax.ids)]})],
        })
        move.action_post()
        job = self.Job._xero_enqueue(move, "invoice")
        self.send()
        self.assertEqual(job.state, "done", job.error)
        invoice = next(i for i in self.xero("Invoices") if i["InvoiceID"] == move.xero_invoice_id)
        self.assertEqual(invoice["LineItems"][0]["Tracking"][0]["Option"], "Referral")
