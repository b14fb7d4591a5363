from odoo.exceptions import AccessError
from odoo.modules.neutralize import get_neutralization_queries
from odoo.tests import new_test_user, tagged

from .common import XeroCommon


@tagged("post_install", "-at_install")
class TestSecurity(XeroCommon):
    def test_privilege_and_groups(self):
        privilege = self.env.ref("xero_connector.res_groups_privilege_xero")
        user_group = self.env.ref("xero_connector.group_xero_user")
        admin_group = self.env.ref("xero_connector.group_xero_manager")
        self.assertEqual(privilege.name, "Xero")
        self.assertEqual(user_group.privilege_id, privilege)
        self.assertEqual(admin_group.privilege_id, privilege)
        self.assertIn(user_group, admin_group.implied_ids, "Xero Administrator implies Xero User")
        self.assertIn(self.env.ref("base.group_system"), admin_group.implied_by_ids)

    def test_menu_exists_for_xero_users_only(self):
        menu = self.env.ref("xero_connector.menu_xero_root")
        self.assertEqual(menu.name, "Xero")
        self.assertIn(self.env.ref("xero_connector.group_xero_user"), menu.group_ids)
        visible_to = lambda user: menu.id in self.env["ir.ui.menu"].with_user(user)._visible_menu_ids()  # noqa: E731
        self.assertTrue(visible_to(self.xero_user))
        self.assertFalse(visible_to(self.internal_user))
        config = self.env.ref("xero_connector.menu_xero_configuration")
        self.assertNotIn(config.id, self.env["ir.ui.menu"].with_user(self.xero_user)._visible_menu_ids())
        self.assertIn(config.id, self.env["ir.ui.menu"].with_user(self.system_admin)._visible_menu_ids())

    def test_group_membership(self):
        self.assertFalse(self.internal_user.has_group("xero_connector.group_xero_manager"))
        self.assertFalse(self.internal_user.has_group("xero_connector.group_xero_user"))
        self.assertTrue(self.xero_user.has_group("xero_connector.group_xero_user"))
        self.assertFalse(self.xero_user.has_group("xero_connector.group_xero_manager"))
        self.assertTrue(self.xero_admin.has_group("xero_connector.group_xero_user"))
        # Settings administrators are Xero administrators.
        self.assertTrue(self.system_admin.has_group("xero_connector.group_xero_manager"))
        self.assertFalse(self.portal_user.has_group("xero_connector.group_xero_user"))

    def test_connection_access(self):
        conn = self.env["xero.connection"]._xero_for_company(self.company)
        conn.sudo().write({"access_token": "secret-access", "refresh_token": "secret-refresh"})
        # Xero users read the status, never the tokens, and cannot write.
        as_user = conn.with_user(self.xero_user)
        self.assertEqual(as_user.state, "draft")
        with self.assertRaises(AccessError):
            as_user.read(["refresh_token"])
        with self.assertRaises(AccessError):
            as_user.write({"tenant_name": "x"})
        # Xero administrators who are not system administrators cannot read tokens either.
        as_admin = conn.with_user(self.xero_admin)
        with self.assertRaises(AccessError):
            as_admin.search_read([("id", "=", conn.id)], ["access_token"])
        # Internal users without the Xero group and portal users see nothing.
        for user in (self.internal_user, self.portal_user):
            with self.assertRaises(AccessError):
                conn.with_user(user).read(["state"])
        self.assertEqual(conn.with_user(self.system_admin).refresh_token, "secret-refresh")
        self.assertFalse(conn.copy_data()[0].get("refresh_token"), "tokens are never copied")

    def test_multi_company_rule(self):
        other = self.env["res.company"].create({"name": "Other Co"})
        conn = self.env["xero.connection"]._xero_for_company(other)
        visible = self.env["xero.connection"].with_user(self.xero_admin).search([])
        self.assertNotIn(conn, visible, "a company's connection is invisible from companies the user is not in")

    def test_payment_secrets_for_system_administrators_only(self):
        secrets = {"xero_stripe_webhook_secret": "whsec_s3cret", "xero_stripe_api_key": "rk_live_s3cret",
                   "xero_gocardless_webhook_secret": "gc_s3cret", "xero_gocardless_access_token": "live_s3cret"}
        self.company.sudo().write(secrets)
        for user in (self.xero_user, self.xero_admin, self.internal_user):
            for field in secrets:
                with self.assertRaises(AccessError, msg=f"{user.login} reads {field}"):
                    self.company.with_user(user).read([field])
        self.assertEqual(self.company.with_user(self.system_admin).read(list(secrets))[0]["xero_stripe_api_key"],
                         "rk_live_s3cret")
        for field in secrets:
            self.assertFalse(self.company._fields[field].copy, f"{field} is never copied")
        # A neutralized copy of the database keeps none of them (Odoo runs each module's neutralize.sql).
        for query in get_neutralization_queries(["xero_connector"]):
            self.env.cr.execute(query)
        self.company.invalidate_recordset()
        self.assertFalse(any(self.company.sudo().read(list(secrets))[0][f] for f in secrets))

    def test_only_xero_administrators_link_customers_and_only_xero_users_export_them(self):
        editor = new_test_user(self.env, login="xc_partner_editor", groups="base.group_user,base.group_partner_manager")
        customer = self.env["res.partner"].create({"name": "Linked Elsewhere Ltd"})
        some_id = "3c2d1e0f-4a5b-4e8f-9a7b-5f6e2b5a0c1d"
        for user in (editor, self.xero_user):
            with self.assertRaises(AccessError, msg=user.login):
                customer.with_user(user).write({"xero_contact_id": some_id})
            with self.assertRaises(AccessError, msg=user.login):
                customer.with_user(user).with_context(xero_from_xero=True).write({"xero_contact_id": some_id})
            with self.assertRaises(AccessError, msg=user.login):
                self.env["res.partner"].with_user(user).create({"name": "New", "xero_contact_id": some_id})
        customer.with_user(editor).write({"phone": "+64 9 555 0101"})  # other fields: as before
        self.assertFalse(customer.xero_contact_id)
        customer.with_user(editor).write({"xero_contact_id": False})  # unchanged (a partner merge writes it)
        with self.assertRaises(AccessError):
            customer.with_user(editor).action_xero_export()
