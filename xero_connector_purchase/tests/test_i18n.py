"""The bridge's translation template `i18n/xero_connector_purchase.pot` holds every translatable string of the
bridge, as xero_connector's own test checks its template (same exporter, same rules). To bring it up to date:

    XERO_I18N_WRITE=1 XERO_TEST_TAGS=/xero_connector_purchase:TestPurchaseTranslations scripts/test --odoo-only
"""
import io
import os
from unittest.mock import patch

from odoo.tests import TransactionCase, tagged
from odoo.tools.translate import trans_export

from odoo.addons.xero_connector.tests.test_i18n import _entries, _walk_own_files

POT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "i18n", "xero_connector_purchase.pot")


@tagged("post_install", "-at_install")
class TestPurchaseTranslations(TransactionCase):

    def test_the_template_holds_every_translatable_string(self):
        buffer = io.BytesIO()
        with patch("odoo.tools.translate.os.walk", _walk_own_files):
            self.assertTrue(trans_export(None, ["xero_connector_purchase"], buffer, "po", self.env))
        exported = buffer.getvalue().decode()
        if os.environ.get("XERO_I18N_WRITE") and not os.environ.get("CI"):
            os.makedirs(os.path.dirname(POT), exist_ok=True)
            with open(POT, "w", encoding="utf-8") as f:
                f.write(exported)
        self.assertTrue(os.path.isfile(POT), f"{POT} is missing: see this module's docstring to create it")
        with open(POT, encoding="utf-8") as f:
            kept = _entries(f.read())
        found = _entries(exported)
        self.assertGreater(len(found), 10)
        missing, stale = sorted(found - kept, key=str), sorted(kept - found, key=str)
        self.assertFalse(missing, f"{len(missing)} string(s) missing from {POT}: {missing[:10]}")
        self.assertFalse(stale, f"{len(stale)} string(s) in {POT} the code no longer has: {stale[:10]}")
