"""The translation template `i18n/xero_connector.pot` holds every translatable string of the addon.

Odoo's own exporter (``trans_export``, what ``odoo-bin i18n export`` runs) reads the installed addon: the
Python ``_()``/``self.env._()`` calls, the views, the data, the field labels and selections. A string it
finds that the template lacks (or one the template keeps that the code no longer has) fails the test, so
translators never miss one. To bring the template up to date (never in CI):

    XERO_I18N_WRITE=1 XERO_TEST_TAGS=/xero_connector:TestTranslations scripts/test --odoo-only
"""
import io
import os
from unittest.mock import patch

import polib

from odoo.tests import TransactionCase, tagged
from odoo.tools.translate import trans_export

POT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "i18n", "xero_connector.pot")


_walk = os.walk


def _walk_own_files(top, *args, **kwargs):
    """Odoo's exporter walks the addons path following links: here the checkout holds the test set-up
    (``.local`` presents the addon to Odoo through a link back to the checkout, ``.venv``): a loop. Hidden
    folders are not the addon's, nor is a bridge module kept inside the checkout (``xero_connector_purchase``, a
    folder with its own manifest and template)."""
    for root, dirs, files in _walk(top, *args, **kwargs):
        nested = os.path.isfile(os.path.join(root, "__manifest__.py"))  # inside an addon: a module in it is another
        dirs[:] = [d for d in dirs if not d.startswith(".")
                   and not (nested and os.path.isfile(os.path.join(root, d, "__manifest__.py")))]
        yield root, dirs, files


def _entries(text):
    return {(entry.msgctxt, entry.msgid) for entry in polib.pofile(text) if entry.msgid}


@tagged("post_install", "-at_install")
class TestTranslations(TransactionCase):

    def test_the_template_holds_every_translatable_string(self):
        buffer = io.BytesIO()
        with patch("odoo.tools.translate.os.walk", _walk_own_files):
            self.assertTrue(trans_export(None, ["xero_connector"], buffer, "po", self.env), "no translatable string")
        exported = buffer.getvalue().decode()
        if os.environ.get("XERO_I18N_WRITE") and not os.environ.get("CI"):
            os.makedirs(os.path.dirname(POT), exist_ok=True)
            with open(POT, "w", encoding="utf-8") as f:
                f.write(exported)
        self.assertTrue(os.path.isfile(POT), f"{POT} is missing: see this module's docstring to create it")
        with open(POT, encoding="utf-8") as f:
            kept = _entries(f.read())
        found = _entries(exported)
        self.assertGreater(len(found), 100)
        missing = sorted(found - kept, key=str)
        stale = sorted(kept - found, key=str)
        self.assertFalse(missing, f"{len(missing)} translatable string(s) missing from i18n/xero_connector.pot "
                                  f"(see tests/test_i18n.py to update it): {missing[:10]}")
        self.assertFalse(stale, f"{len(stale)} string(s) in i18n/xero_connector.pot the code no longer has: "
                                f"{stale[:10]}")
