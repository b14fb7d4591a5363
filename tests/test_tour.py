from odoo.fields import Command
from odoo.tests import tagged

from .common import XeroHttpCase


@tagged("post_install", "-at_install")
class TestTour(XeroHttpCase):
    """A real browser (Chromium): General Settings → Integrations → Connect → Xero consent → back in
    Settings → Xero, connected → auto-export on in the Integrations block → its link to Xero's settings
    app → confirm an order → the Xero number appears in the order's chatter."""

    def test_connect_confirm_and_see_the_xero_number(self):
        admin = self.env.ref("base.user_admin")
        first = self.sandbox_orgs[0]["tenant_id"]
        # The sandbox's consent page approves this organisation by itself: the browser tour cannot
        # run its steps on another site's page.
        self.sandbox_post("/_sandbox/config", {"auto_approve": True, "auto_approve_tenants": [first]})
        self.env.company.write({"xero_sales_account_code": "200", "xero_tax_type": "NONE"})
        self.start_tour("/odoo", "xero_connector_connect", login=admin.login)
        connection = self.env.company._xero_connection()
        self.assertEqual(connection.state, "connected")
        self.assertEqual(connection.tenant_id, first)
        self.assertEqual(self.env.company.xero_auto_export, "on_confirm")

        customer = self.env["res.partner"].create({"name": "Tour Café", "email": "tour@example.com"})
        product = self.env["product.product"].create({"name": "Tour Beans", "list_price": 20, "taxes_id": False})
        order = self.env["sale.order"].create({
            "partner_id": customer.id,
            "order_line": [Command.create({"product_id": product.id, "product_uom_qty": 3, "tax_ids": False})],
        })
        self.start_tour(f"/odoo/action-sale.action_quotations_with_onboarding/{order.id}",
                        "xero_connector_confirm_order", login=admin.login)
        self.assertEqual(order.state, "sale")
        jobs = self.env["xero.job"].search([("res_model", "=", "sale.order"), ("res_id", "=", order.id)])
        self.assertTrue(jobs, "confirming queued the export")
        # What the send cron does within seconds of the confirmation.
        self.env["xero.job"]._xero_send()
        self.assertTrue(order.xero_invoice_id or order.xero_quote_id)
        self.start_tour(f"/odoo/action-sale.action_quotations_with_onboarding/{order.id}",
                        "xero_connector_order_in_xero", login=admin.login)
