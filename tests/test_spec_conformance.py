"""Every test on the Xero sandbox fails when the sandbox saw a body, or gave a JSON answer, that breaks Xero's
OpenAPI spec (XeroHttpCase checks GET /_sandbox/spec-violations after each test)."""
import requests

from odoo.tests import tagged

from .common import XeroHttpCase, spec_violations_expected


@tagged("post_install", "-at_install")
class TestSpecConformance(XeroHttpCase):
    def _send_bad_contact(self):
        tenant = self.sandbox_orgs[0]["tenant_id"]
        _oauth, tokens = self._xero_sandbox_tokens(tenant)
        answer = requests.put(self.sandbox.url + "/api.xro/2.0/Contacts", timeout=10,
                              json={"Contacts": [{"Name": "Typed", "Addresses": "street"}]},
                              headers={"Authorization": f"Bearer {tokens.access_token}", "xero-tenant-id": tenant,
                                       "Accept": "application/json"})
        self.assertEqual(answer.status_code, 400, answer.text[:300])

    def test_a_spec_violation_fails_the_test(self):
        self._send_bad_contact()
        with self.assertRaises(AssertionError) as caught:
            self._xero_check_spec_violations()
        self.assertIn("request PUT /api.xro/2.0/Contacts: Contacts[0].Addresses", str(caught.exception))
        self.sandbox_post("/_sandbox/reset")  # seen; the check after this test finds nothing

    @spec_violations_expected
    def test_a_marked_test_may_break_the_spec(self):
        self._send_bad_contact()
        self.assertTrue(self.sandbox_get("/_sandbox/spec-violations"))
        self._xero_check_spec_violations()
