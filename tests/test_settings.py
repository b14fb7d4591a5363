from lxml import etree

from odoo.tests import tagged

from .common import XeroCommon

BLOCKS = ["Connection", "Documents", "Mapping", "Payments", "Lead Source"]


@tagged("post_install", "-at_install")
class TestSettingsLayout(XeroCommon):
    """Xero's own Settings app, and the compact Xero block of General Settings → Integrations."""

    def _arch(self):
        views = self.env["res.config.settings"].with_user(self.system_admin).get_views([(False, "form")])
        return etree.fromstring(views["views"]["form"]["arch"])

    @staticmethod
    def _names(node, tag):
        return {el.get("name") for el in node.iter(tag)}

    def test_xero_has_its_own_settings_app_with_its_blocks(self):
        arch = self._arch()
        apps = arch.xpath("//app[@name='xero_connector']")
        self.assertEqual(len(apps), 1, "one Xero entry in the Settings sidebar")
        app = apps[0]
        self.assertEqual(app.get("string"), "Xero")
        self.assertEqual([block.get("title") for block in app.iter("block")], BLOCKS)
        expected = {
            "Connection": {"xero_state", "xero_client_id", "xero_client_secret", "xero_webhook_key",
                           "xero_redirect_uri", "xero_webhook_url", "xero_api_url"},
            "Documents": {"xero_auto_export", "xero_sale_order_target", "xero_invoice_status",
                          "xero_auto_export_invoices", "xero_auto_export_bills"},
            "Mapping": {"xero_sales_account_id", "xero_tax_rate_id", "xero_purchase_account_id",
                        "xero_purchase_tax_rate_id", "xero_stock_align"},
            "Payments": {"xero_register_payments", "xero_payment_journal_id", "xero_stripe_webhook_secret",
                         "xero_stripe_api_key", "xero_stripe_account_id", "xero_gocardless_webhook_secret",
                         "xero_gocardless_access_token", "xero_gocardless_account_id", "xero_gocardless_record_on",
                         "xero_payout_account_id", "xero_payment_fee_account_id", "xero_payment_tax_rate_id",
                         "xero_payment_refunds"},
            "Lead Source": {"xero_lead_source_category_id", "xero_lead_source_message"},
        }
        buttons = {
            "Connection": {"action_xero_connect", "action_xero_choose_organisation", "action_xero_test_connection",
                           "action_xero_disconnect"},
            "Mapping": {"action_xero_refresh_lists", "action_xero_import_items"},
            "Lead Source": {"action_xero_setup_lead_source"},
        }
        for block in app.iter("block"):
            title = block.get("title")
            self.assertLessEqual(expected[title], self._names(block, "field"), title)
            self.assertLessEqual(buttons.get(title, set()), self._names(block, "button"), title)
        # Nothing of Xero's is left in General Settings but the compact block.
        general = arch.xpath("//app[@name='general_settings']")[0]
        self.assertEqual(sorted(s.get("id") for s in general.iter("setting") if (s.get("id") or "").startswith("xero")),
                         ["xero_auto_export", "xero_connector"])

    def test_integrations_keep_a_compact_xero_block(self):
        block = self._arch().xpath("//app[@name='general_settings']//block[@name='integration']")[0]
        xero = block.xpath("setting[@id='xero_connector']")[0]
        self.assertIn("xero_state", self._names(xero, "field"))
        self.assertLessEqual({"action_xero_connect", "action_xero_disconnect"}, self._names(xero, "button"))
        self.assertEqual(xero.xpath(".//a/@href"),
                         ["/odoo/action-xero_connector.action_xero_config_settings#xero_connector"],
                         "a link to Xero's settings app")
        self.assertFalse({"xero_client_secret", "xero_webhook_key", "xero_sales_account_id"} & self._names(xero, "field"),
                         "compact: credentials and mapping are in Xero's settings app")
        auto_export = block.xpath("setting[@id='xero_auto_export']")[0]
        self.assertEqual(auto_export.get("string"), "Auto-export Sales Order to Accounting Software")
        self.assertEqual(self._names(auto_export, "field"), {"xero_auto_export"})

    def test_xero_menu_opens_the_xero_settings_app(self):
        action = self.env.ref("xero_connector.action_xero_config_settings")
        self.assertEqual(self.env.ref("xero_connector.menu_xero_settings").action, action)
        self.assertEqual(action.res_model, "res.config.settings")
        self.assertIn("'module': 'xero_connector'", action.context)

    def test_auto_export_is_one_company_field_shown_in_both_places(self):
        settings = self.env["res.config.settings"].with_user(self.system_admin).create({"xero_auto_export": "on_po"})
        settings.execute()
        self.assertEqual(self.system_admin.company_id.xero_auto_export, "on_po")
