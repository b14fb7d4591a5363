from odoo.tests import new_test_user
from odoo.tests.common import TransactionCase


class XeroCommon(TransactionCase):
    """Users of every kind, created by the test (Odoo 19 loads no demo data)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.internal_user = new_test_user(cls.env, login="xc_internal", groups="base.group_user")
        cls.xero_user = new_test_user(cls.env, login="xc_xero_user", groups="xero_connector.group_xero_user")
        cls.xero_admin = new_test_user(cls.env, login="xc_xero_admin", groups="xero_connector.group_xero_manager")
        cls.system_admin = new_test_user(cls.env, login="xc_sysadmin", groups="base.group_system")
        cls.portal_user = new_test_user(cls.env, login="xc_portal", groups="base.group_portal")
