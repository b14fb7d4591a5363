from odoo.fields import Command
from odoo.tests import tagged

from .common import XeroHttpCase


@tagged("post_install", "-at_install")
class TestTour(XeroHttpCase):
    """A real browser (Chromium): General Settings → Integrations → Connect → Xero consent → back in
    Settings → Xero, connected, the defaults chosen from the organisation shown → auto-export on in the
    Integrations block → its link to Xero's settings app → confirm an order → the Xero number appears in the
    order's chatter → export it again and choose Update → the Overview's figures → a blocked export's link →
    the Sync Log with its cause → fixed, retried from there, sent, and its activity done."""

    def test_connect_confirm_and_see_the_xero_number(self):
        admin = self.env.ref("base.user_admin")
        first = self.sandbox_orgs[0]["tenant_id"]
        # The sandbox's consent page approves this organisation by itself: the browser tour cannot
        # run its steps on another site's page.
        self.sandbox_post("/_sandbox/config", {"auto_approve": True, "auto_approve_tenants": [first]})
        self.start_tour("/odoo", "xero_connector_connect", login=admin.login)
        connection = self.env.company._xero_connection()
        self.assertEqual(connection.state, "connected")
        self.assertEqual(connection.tenant_id, first)
        self.assertEqual(self.env.company.xero_auto_export, "on_confirm")
        # No mapping was set by hand: the defaults came from the organisation's chart, and the tour saw the note.
        self.assertEqual(self.env.company.xero_sales_account_code, "200")

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

        # Export it again: the confirmation, and Update.
        xero_id = order.xero_invoice_id or order.xero_quote_id
        self.start_tour(f"/odoo/action-sale.action_quotations_with_onboarding/{order.id}",
                        "xero_connector_update_in_xero", login=admin.login)
        update = self.env["xero.job"].search([("res_model", "=", "sale.order"), ("res_id", "=", order.id)],
                                             order="id desc", limit=1)
        self.assertEqual((update.method, update.state), ("POST", "done"))
        self.assertEqual(order.xero_invoice_id or order.xero_quote_id, xero_id, "updated in place, not a new one")

        # A second order whose product is mapped to an account the organisation does not have: blocked.
        odd = self.env["product.product"].create({"name": "Odd Beans", "list_price": 9, "taxes_id": False})
        odd.product_tmpl_id.sudo().xero_sales_account_code = "999"
        stuck = self.env["sale.order"].create({
            "partner_id": customer.id,
            "order_line": [Command.create({"product_id": odd.id, "product_uom_qty": 1, "tax_ids": False})],
        })
        stuck.action_confirm()
        self.env["xero.job"]._xero_send()
        [blocked] = self.env["xero.job"].search([("res_model", "=", "sale.order"), ("res_id", "=", stuck.id)])
        self.assertEqual(blocked.state, "blocked")
        connection.invalidate_recordset()
        self.assertEqual((connection.overview_blocked, connection.overview_sent_24h >= 2), (1, True))
        kind = self.env.ref("xero_connector.mail_activity_type_xero_blocked")
        self.assertEqual(len(connection.activity_ids.filtered(lambda a: a.activity_type_id == kind)), 1)
        self.start_tour("/odoo", "xero_connector_overview", login=admin.login)

        # Fixed (the product's account is Sales), retried from the Sync Log, sent: the activity is done.
        odd.product_tmpl_id.sudo().xero_sales_account_code = "200"
        self.start_tour("/odoo", "xero_connector_retry", login=admin.login)
        self.assertEqual(blocked.state, "pending")
        self.env["xero.job"]._xero_send()
        self.assertEqual(blocked.state, "done")
        self.assertTrue(stuck.xero_invoice_id or stuck.xero_quote_id)
        self.assertFalse(connection.activity_ids.filtered(lambda a: a.activity_type_id == kind))
