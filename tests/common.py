from urllib.parse import parse_qs, urlparse

import requests

from odoo.tests import HttpCase, new_test_user
from odoo.tests.common import TransactionCase
from odoo.tools import SQL

from ..sandbox import server as sandbox_server
from ..xero import Endpoints, OAuth
from .provider_stand_in import (  # noqa: F401 (the payment tests' Stripe/GoCardless stand-in, shared from here)
    GC_SECRET,
    GC_TOKEN,
    STRIPE_KEY,
    STRIPE_SECRET,
    ProviderStandIn,
    empty_provider_data,
    gocardless_signature,
    stripe_header,
)

CLIENT_ID = "odoo-test-client"
CLIENT_SECRET = "odoo-test-secret"


def spec_violations_expected(test_method):
    """Marks a test that sends Xero bodies breaking its OpenAPI spec on purpose: the sandbox's recorded
    spec violations do not fail it (see XeroHttpCase._xero_check_spec_violations)."""
    test_method.xero_spec_violations_expected = True
    return test_method


class XeroUsersMixin:
    """Users of every kind, created by the test (Odoo 19 loads no demo data)."""

    @classmethod
    def _xero_make_users(cls):
        cls.company = cls.env.company
        cls.internal_user = new_test_user(cls.env, login="xc_internal", groups="base.group_user")
        cls.xero_user = new_test_user(cls.env, login="xc_xero_user", groups="xero_connector.group_xero_user")
        cls.xero_admin = new_test_user(cls.env, login="xc_xero_admin", groups="xero_connector.group_xero_manager")
        cls.system_admin = new_test_user(cls.env, login="xc_sysadmin", groups="base.group_system")
        cls.portal_user = new_test_user(cls.env, login="xc_portal", groups="base.group_portal")


class XeroCommon(XeroUsersMixin, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._xero_make_users()


class XeroSandboxMixin:
    """A real Xero sandbox over HTTP on loopback, and the connector pointed at it."""

    @classmethod
    def _xero_start_sandbox(cls, redirect_uri, **config):
        cls.sandbox = sandbox_server.start(
            port=0, client_id=CLIENT_ID, client_secret=CLIENT_SECRET, redirect_uris=[redirect_uri], seed="demo",
            **config,
        )
        cls.addClassCleanup(cls.sandbox.stop)
        cls.sandbox_orgs = cls.sandbox_get("/_sandbox/orgs")

    @classmethod
    def sandbox_get(cls, path, **params):
        answer = requests.get(cls.sandbox.url + path, params=params, timeout=10)
        answer.raise_for_status()
        return answer.json()

    @classmethod
    def sandbox_post(cls, path, body=None):
        answer = requests.post(cls.sandbox.url + path, json=body or {}, timeout=10)
        answer.raise_for_status()
        return answer.json()

    def _xero_point_at_sandbox(self):
        icp = self.env["ir.config_parameter"].sudo()
        for key, value in {
            "xero_connector.client_id": CLIENT_ID,
            "xero_connector.client_secret": CLIENT_SECRET,
            "xero_connector.login_url": self.sandbox.url,
            "xero_connector.identity_url": self.sandbox.url,
            "xero_connector.api_url": self.sandbox.url,
        }.items():
            icp.set_param(key, value)

    def _xero_consent(self, authorize_url, tenants=None):
        """Play the admin on Xero's consent page: approve `tenants` (default: all), return the callback URL."""
        self.sandbox_post("/_sandbox/config", {"auto_approve": True, "auto_approve_tenants": tenants})
        try:
            answer = requests.get(authorize_url, allow_redirects=False, timeout=10)
        finally:
            self.sandbox_post("/_sandbox/config", {"auto_approve": False, "auto_approve_tenants": None})
        self.assertEqual(answer.status_code, 302, answer.text[:300])
        return answer.headers["Location"]

    @staticmethod
    def _query(url):
        return {k: v[0] for k, v in parse_qs(urlparse(url).query).items()}


class XeroHttpCase(XeroUsersMixin, XeroSandboxMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._xero_make_users()
        cls._xero_start_sandbox(f"{cls.base_url()}/xero/oauth/callback")

    def setUp(self):
        super().setUp()
        self.sandbox_post("/_sandbox/reset")
        self.addCleanup(self._xero_check_spec_violations)
        self.env["ir.config_parameter"].sudo().set_param("web.base.url", self.base_url())
        self._xero_point_at_sandbox()

    def _xero_check_spec_violations(self):
        """Fails the test if the sandbox saw a request body or gave a JSON answer that breaks Xero's OpenAPI
        spec (``kind`` request: the connector sent it; response: the sandbox answered it)."""
        if getattr(getattr(self, self._testMethodName, None), "xero_spec_violations_expected", False):
            return
        found = self.sandbox_get("/_sandbox/spec-violations")
        if found:
            self.fail(f"the Xero sandbox recorded {len(found)} spec violation(s) (Xero's OpenAPI spec):\n" + "\n".join(
                f"  {v.get('kind')} {v.get('method')} {v.get('path')}: {v.get('field')}: {v.get('message')}"
                for v in found))

    def _xero_connect(self, user, tenants=None, company=None):
        """The whole browser flow: /xero/connect → Xero consent → /xero/oauth/callback."""
        self.authenticate(user.login, user.login)
        company = company or self.company
        start = self.url_open(f"/xero/connect?company_id={company.id}", allow_redirects=False)
        self.assertIn(start.status_code, (302, 303), start.text[:300])
        authorize = start.headers["Location"]
        self.assertTrue(authorize.startswith(self.sandbox.url + "/identity/connect/authorize"), authorize)
        callback = self._xero_consent(authorize, tenants)
        path = callback[len(self.base_url()):]
        done = self.url_open(path, allow_redirects=False)
        self.assertIn(done.status_code, (302, 303), done.text[:300])
        return self.env["xero.connection"].sudo().search([("company_id", "=", company.id)])

    def _xero_sandbox_tokens(self, tenant):
        """A token set for ``tenant`` straight from the library (consent, code exchange): for tests that
        drive the connector on committed rows of their own. Returns (oauth, tokens)."""
        oauth = OAuth(Endpoints(self.sandbox.url, self.sandbox.url, self.sandbox.url), CLIENT_ID, CLIENT_SECRET)
        redirect = f"{self.base_url()}/xero/oauth/callback"
        callback = self._xero_consent(oauth.authorize_url(redirect, "s"), tenants=[tenant])
        return oauth, oauth.exchange_code(self._query(callback)["code"], redirect)

    @staticmethod
    def _xero_commit_connection(cr, company_id, tenant, tokens, expires_at, tenant_name=None):
        """Insert a connected connection and its token row with SQL on ``cr`` (a real cursor the test
        commits); return the connection id. ``expires_at``: the stored access token's expiry (SQL)."""
        cr.execute("DELETE FROM xero_connection WHERE company_id = %s", [company_id])
        cr.execute(
            """INSERT INTO xero_connection (company_id, state, tenant_id, tenant_name, create_date, write_date)
               VALUES (%s, 'connected', %s, %s, now(), now()) RETURNING id""",
            [company_id, tenant, tenant_name],
        )
        conn_id = cr.fetchone()[0]
        cr.execute(
            SQL("""INSERT INTO xero_connection_token (connection_id, access_token, refresh_token, token_expires_at,
                                                     create_date, write_date)
                   VALUES (%s, %s, %s, %s, now(), now())""",
                conn_id, tokens.access_token, tokens.refresh_token, expires_at),
        )
        return conn_id
