import json
import socket
import threading
import time
from unittest.mock import patch

from odoo import sql_db
from odoo.tests import tagged
from odoo.tools import SQL

from ..models.xero_connection import locked_access_token
from ..xero.errors import ReconnectNeeded
from .common import XeroHttpCase


@tagged("post_install", "-at_install")
class TestConnectFlow(XeroHttpCase):
    def _grants(self):
        return self.sandbox_get("/_sandbox/grants")

    def _connections(self):
        return self.sandbox_get("/_sandbox/connections")

    def test_connect_one_organisation(self):
        first = self.sandbox_orgs[0]
        conn = self._xero_connect(self.xero_admin, tenants=[first["tenant_id"]])
        self.assertEqual(conn.state, "connected")
        self.assertEqual(conn.tenant_id, first["tenant_id"])
        self.assertEqual(conn.tenant_name, first["name"])
        self.assertEqual(conn.connected_by_id, self.xero_admin)
        self.assertTrue(conn.xero_connection_id and conn.auth_event_id)
        for scope in ("offline_access", "accounting.invoices", "accounting.contacts", "accounting.settings"):
            self.assertIn(scope, conn.scopes.split())
        self.assertTrue(conn.refresh_token and conn.access_token)
        # The token works against the organisation it was bound to.
        org = conn._xero_client().get("Organisation")["Organisations"][0]
        self.assertEqual(org["Name"], first["name"])

    def test_connect_two_organisations_and_pick_one(self):
        conn = self._xero_connect(self.xero_admin)
        self.assertEqual(conn.state, "choose")
        self.assertEqual(len(conn.candidate_tenants), 2)
        self.assertFalse(conn.tenant_id, "nothing is bound before the admin picks")
        action = conn.with_user(self.xero_admin).action_xero_open_picker()
        picker = self.env["xero.tenant.picker"].browse(action["res_id"])
        self.assertEqual(set(picker.line_ids.mapped("name")), {o["name"] for o in self.sandbox_orgs})
        second = picker.line_ids.filtered(lambda line: line.name == self.sandbox_orgs[1]["name"])
        second.with_user(self.xero_admin).action_choose()
        self.assertEqual(conn.state, "connected")
        self.assertEqual(conn.tenant_id, self.sandbox_orgs[1]["tenant_id"])
        # The organisation nobody picked is released in Xero.
        tenants = {c["tenantId"] for c in self._connections()}
        self.assertEqual(tenants, {self.sandbox_orgs[1]["tenant_id"]})

    def test_connecting_another_organisation_forgets_the_first_ones_links(self):
        first, second = (o["tenant_id"] for o in self.sandbox_orgs[:2])
        conn = self._xero_connect(self.xero_admin, tenants=[first])
        customer = self.env["res.partner"].create({"name": "Tried On The Demo Co", "email": "demo@try.example"})
        customer.with_user(self.xero_admin).action_xero_export()
        linked = customer.xero_contact_id
        self.assertTrue(linked)
        conn._xero_refresh_lists(["accounts"])
        self.assertTrue(self.env["xero.account"].search_count([("connection_id", "=", conn.id)]))
        payment = self.env["xero.payment"].sudo().create({
            "name": "Stripe ch_first_org", "company_id": self.company.id, "provider": "stripe", "key": "ch_first_org",
            "clearing_account_id": "0fd3c5a8-3e1f-4c39-9d6e-6d1f4bb1a001", "xero_payment_id": "pay-in-first-org"})
        waiting = self.env["res.partner"].create({"name": "Queued Customer"})
        job = self.env["xero.job"].sudo()._xero_enqueue(waiting, "contact", method="POST")
        # Disconnected and connected again to the same organisation: the links stay.
        conn.with_user(self.xero_admin).action_xero_disconnect()
        conn = self._xero_connect(self.xero_admin, tenants=[first])
        self.assertEqual(customer.xero_contact_id, linked)
        self.assertEqual(job.state, "pending")
        # Another organisation: its contacts are not the first one's.
        conn = self._xero_connect(self.xero_admin, tenants=[second])
        self.assertEqual(conn.tenant_id, second)
        self.assertFalse(customer.xero_contact_id)
        # The first one's chart is forgotten; the accounts now listed are the second one's, read on connecting.
        first_ids = {a["AccountID"] for a in self.sandbox_get(f"/_sandbox/orgs/{first}/Accounts")["Accounts"]}
        self.assertFalse(self.env["xero.account"].search_count([("connection_id", "=", conn.id),
                                                                ("xero_id", "in", list(first_ids))]))
        self.assertEqual(job.state, "cancelled")
        self.assertFalse(payment.clearing_account_id or payment.xero_payment_id)
        self.assertTrue(conn.message_ids.filtered(lambda m: "were forgotten" in (m.body or "")))
        customer.with_user(self.xero_admin).action_xero_export()
        self.assertTrue(customer.xero_contact_id)
        self.assertNotEqual(customer.xero_contact_id, linked)
        contacts = self.sandbox_get(f"/_sandbox/orgs/{second}/Contacts")["Contacts"]
        self.assertIn(customer.xero_contact_id, [c["ContactID"] for c in contacts])

    def test_expiry_refresh_rotation(self):
        conn = self._xero_connect(self.xero_admin, tenants=[self.sandbox_orgs[0]["tenant_id"]])
        old_access, old_refresh = conn.access_token, conn.refresh_token
        self.sandbox_post("/_sandbox/clock", {"advance": 1800 + 5})  # Xero's 30 minutes
        org = conn._xero_client().get("Organisation")["Organisations"][0]
        self.assertEqual(org["OrganisationID"], self.sandbox_orgs[0]["tenant_id"])
        conn.invalidate_recordset()
        self.assertNotEqual(conn.access_token, old_access)
        self.assertNotEqual(conn.refresh_token, old_refresh, "the rotated refresh token is stored")
        self.assertGreater(conn.token_expires_at.timestamp(), time.time() + 1200)
        # The stored refresh token is the one Xero will accept next.
        fresh = conn._xero_oauth().refresh(conn.refresh_token)
        self.assertTrue(fresh.access_token)

    def test_access_token_refreshed_after_401(self):
        conn = self._xero_connect(self.xero_admin, tenants=[self.sandbox_orgs[0]["tenant_id"]])
        before = conn.access_token
        conn._xero_client().get("Organisation")  # warm the token cache
        self.sandbox_post("/_sandbox/tokens/expire")  # Xero says 401 although our clock says valid
        conn._xero_client().get("Organisation")
        conn.invalidate_recordset()
        self.assertNotEqual(conn.access_token, before)

    def test_invalid_grant_needs_reconnect_then_reconnect(self):
        conn = self._xero_connect(self.xero_admin, tenants=[self.sandbox_orgs[0]["tenant_id"]])
        # Someone revokes the grant at Xero (or the refresh token expired): the next refresh is invalid_grant.
        conn._xero_oauth().revoke(conn.refresh_token)
        self.sandbox_post("/_sandbox/clock", {"advance": 1800 + 5})
        # Not assertRaises: Odoo's rolls back the block's savepoint, and the state is meant to stay written.
        caught = None
        try:
            conn._xero_client().get("Organisation")
        except ReconnectNeeded as exc:
            caught = exc
        self.assertIsInstance(caught, ReconnectNeeded, "a revoked grant must ask for a reconnection")
        conn.invalidate_recordset()
        self.assertEqual(conn.state, "reconnect")
        self.assertTrue(conn.last_error)
        activity_type = self.env.ref("xero_connector.mail_activity_type_xero_reconnect")
        activities = conn.activity_ids.filtered(lambda a: a.activity_type_id == activity_type)
        self.assertIn(self.xero_admin, activities.user_id, "Xero administrators are asked to reconnect")
        # Settings shows the banner state for this company.
        settings = self.env["res.config.settings"].with_user(self.system_admin).create({})
        self.assertEqual(settings.xero_state, "reconnect")
        # Reconnect: the same flow, and the activities are done.
        conn = self._xero_connect(self.xero_admin, tenants=[self.sandbox_orgs[0]["tenant_id"]])
        self.assertEqual(conn.state, "connected")
        self.assertFalse(conn.last_error)
        self.assertFalse(conn.activity_ids.filtered(lambda a: a.activity_type_id == activity_type))
        conn._xero_client().get("Organisation")

    def test_disconnect(self):
        conn = self._xero_connect(self.xero_admin, tenants=[self.sandbox_orgs[0]["tenant_id"]])
        refresh = conn.refresh_token
        self.assertEqual(len(self._connections()), 1)
        conn.with_user(self.xero_admin).action_xero_disconnect()
        self.assertEqual(conn.state, "disconnected")
        self.assertFalse(conn.access_token or conn.refresh_token)
        self.assertEqual(self._connections(), [], "the organisation is disconnected in Xero")
        with self.assertRaises(ReconnectNeeded):
            conn._xero_oauth().refresh(refresh)

    def test_keepalive_refreshes_idle_connections(self):
        conn = self._xero_connect(self.xero_admin, tenants=[self.sandbox_orgs[0]["tenant_id"]])
        refresh = conn.refresh_token
        self.env["xero.connection"]._cron_xero_keepalive()
        conn.invalidate_recordset()
        self.assertEqual(conn.refresh_token, refresh, "a recently refreshed connection is left alone")
        conn.token_refreshed_at = "2020-01-01 00:00:00"
        self.env["xero.connection"]._cron_xero_keepalive()
        conn.invalidate_recordset()
        self.assertNotEqual(conn.refresh_token, refresh)


@tagged("post_install", "-at_install")
class TestConnectBadInput(XeroHttpCase):
    def _start(self, user=None):
        self.authenticate((user or self.xero_admin).login, (user or self.xero_admin).login)
        start = self.url_open(f"/xero/connect?company_id={self.company.id}", allow_redirects=False)
        return self._query(start.headers["Location"])

    def _callback(self, **params):
        query = "&".join(f"{k}={v}" for k, v in params.items())
        return self.url_open(f"/xero/oauth/callback?{query}", allow_redirects=False)

    def _conn(self):
        conn = self.env["xero.connection"].sudo().search([("company_id", "=", self.company.id)])
        conn.invalidate_recordset()
        return conn

    def assertNothingStored(self, expected_error):
        conn = self._conn()
        self.assertNotEqual(conn.state, "connected")
        self.assertFalse(conn.refresh_token or conn.access_token or conn.tenant_id)
        self.assertIn(expected_error, conn.last_error or "")

    def _approved_code(self, params, tenants=None):
        query = "&".join(f"{k}={v}" for k, v in params.items())
        callback = self._xero_consent(f"{self.sandbox.url}/identity/connect/authorize?{query}", tenants)
        return self._query(callback)

    def test_tampered_state(self):
        params = self._start()
        code = self._approved_code(params)["code"]
        state = bytes.fromhex(params["state"]).decode().replace('"u":', '"u": ').encode().hex()
        answer = self._callback(code=code, state=state)
        self.assertIn("bad+signature", answer.headers["Location"])
        conn = self._conn()
        self.assertFalse(conn.refresh_token or conn.tenant_id)
        self.assertTrue(conn.oauth_nonce, "a refused answer does not consume the pending sign-in")

    def test_state_signature_checked_before_it_is_parsed(self):
        self._start()
        unsigned = ("this is not JSON." + "0" * 64).encode().hex()
        answer = self._callback(code="x", state=unsigned)
        self.assertIn("bad+signature", answer.headers["Location"], "refused for its signature, not read first")
        self.assertTrue(self._conn().oauth_nonce)

    def test_connecting_again_keeps_the_sign_in_in_progress(self):
        first = self._start()
        # A second visit to /xero/connect (another tab, or one a foreign page triggers) does not cancel it.
        second = self._start()
        self.assertEqual(json.loads(bytes.fromhex(second["state"]).decode().rsplit(".", 1)[0])["n"],
                         json.loads(bytes.fromhex(first["state"]).decode().rsplit(".", 1)[0])["n"])
        query = self._approved_code(first, tenants=[self.sandbox_orgs[0]["tenant_id"]])
        self._callback(code=query["code"], state=query["state"])
        self.assertEqual(self._conn().state, "connected")

    def test_replayed_state(self):
        params = self._start()
        query = self._approved_code(params)
        path = f"/xero/oauth/callback?code={query['code']}&state={query['state']}"
        self.url_open(path, allow_redirects=False)
        self.assertIn(self._conn().state, ("connected", "choose"))
        # Replaying the same answer is refused (single-use state) and changes nothing.
        tokens_before = self._conn().refresh_token
        answer = self.url_open(path, allow_redirects=False)
        self.assertIn("already+used", answer.headers["Location"])
        self.assertEqual(self._conn().refresh_token, tokens_before)

    def test_expired_state(self):
        params = self._start()
        code = self._approved_code(params)["code"]
        later = time.time() + 3600
        with patch("odoo.addons.xero_connector.models.xero_connection_connect.time.time", return_value=later):
            answer = self._callback(code=code, state=params["state"])
        self.assertIn("expired", answer.headers["Location"])
        self.assertFalse(self._conn().refresh_token)

    def test_other_users_state(self):
        params = self._start(self.xero_admin)
        other_admin = self.system_admin
        self.authenticate(other_admin.login, other_admin.login)
        answer = self._callback(code="x", state=params["state"])
        self.assertIn("another+user", answer.headers["Location"])
        self.assertFalse(self._conn().refresh_token)

    def test_access_denied(self):
        params = self._start()
        answer = self._callback(error="access_denied", state=params["state"])
        self.assertIn(answer.status_code, (302, 303))
        self.assertNothingStored("not granted")

    def test_xero_down_at_callback(self):
        params = self._start()
        code = self._approved_code(params)["code"]
        # Xero's identity server is unreachable when the admin comes back.
        with socket_closed_port() as dead_url:
            self.env["ir.config_parameter"].sudo().set_param("xero_connector.identity_url", dead_url)
            self._callback(code=code, state=params["state"])
        self.assertNothingStored("Connecting to Xero failed")

    def test_consent_with_zero_organisations(self):
        params = self._start()
        query = self._approved_code(params, tenants=[])
        self._callback(code=query["code"], state=query["state"])
        self.assertNothingStored("No Xero organisation")

    def test_non_admins_cannot_connect(self):
        for user in (self.internal_user, self.xero_user, self.portal_user):
            self.authenticate(user.login, user.login)
            answer = self.url_open(f"/xero/connect?company_id={self.company.id}", allow_redirects=False)
            self.assertEqual(answer.status_code, 403, user.login)
            answer = self.url_open("/xero/oauth/callback?code=x&state=y", allow_redirects=False)
            self.assertEqual(answer.status_code, 403, user.login)
        self.authenticate(None, None)
        answer = self.url_open("/xero/connect", allow_redirects=False)
        self.assertIn(answer.status_code, (302, 303))
        self.assertIn("/web/login", answer.headers["Location"])
        self.assertFalse(self._conn().oauth_nonce)

    def test_foreign_company(self):
        other = self.env["res.company"].create({"name": "Not Mine Ltd"})
        self.authenticate(self.xero_admin.login, self.xero_admin.login)
        answer = self.url_open(f"/xero/connect?company_id={other.id}", allow_redirects=False)
        self.assertEqual(answer.status_code, 403)


class socket_closed_port:
    """A loopback URL where nothing listens."""

    def __enter__(self):
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        sock.close()
        return f"http://127.0.0.1:{self.port}"

    def __exit__(self, *exc):
        return False


@tagged("post_install", "-at_install")
class TestConcurrentRefresh(XeroHttpCase):
    """Two real transactions refresh one connection at once: one rotation, one valid token set."""

    def test_two_concurrent_refreshes(self):
        tenant = self.sandbox_orgs[0]["tenant_id"]
        oauth, tokens = self._xero_sandbox_tokens(tenant)
        db = self.env.cr.dbname
        # Committed rows, in transactions of their own (the test transaction is invisible to others).
        with sql_db.db_connect(db).cursor() as cr:
            cr.execute("SELECT min(id) FROM res_company")
            company_id = cr.fetchone()[0]
            conn_id = self._xero_commit_connection(cr, company_id, tenant, tokens, SQL("'2000-01-01'"))
        self.addCleanup(self._cleanup, db, conn_id)
        results, errors = [], []
        barrier = threading.Barrier(2)

        def worker():
            try:
                barrier.wait(timeout=10)
                results.append(locked_access_token(sql_db.db_connect(db).cursor, conn_id, oauth))
            except Exception as exc:
                errors.append(exc)

        threads = [threading.Thread(target=worker) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        self.assertFalse(errors, errors)
        self.assertEqual(len(results), 2)
        self.assertEqual(results[0][0], results[1][0], "the second worker reuses the token the first one stored")
        with sql_db.db_connect(db).cursor() as cr:
            cr.execute("SELECT refresh_token FROM xero_connection_token WHERE connection_id = %s", [conn_id])
            stored = cr.fetchone()[0]
        live = [g for g in self.sandbox_get("/_sandbox/grants") if not g["revoked"]]
        self.assertEqual(len(live), 1)
        self.assertEqual(len(live[0]["live_refresh_tokens"]), 1, "exactly one rotation happened")
        self.assertTrue(live[0]["live_refresh_tokens"][0].startswith(stored[:8]))
        # And the stored set keeps working: no invalid_grant.
        self.assertTrue(oauth.refresh(stored).access_token)

    def test_without_the_lock_two_refreshes_break_the_grant(self):
        """Control: what the lock prevents. Two refreshes of one token, last writer wins → invalid_grant."""
        tenant = self.sandbox_orgs[0]["tenant_id"]
        oauth, tokens = self._xero_sandbox_tokens(tenant)
        first = oauth.refresh(tokens.refresh_token)
        second = oauth.refresh(tokens.refresh_token)  # the other worker, within the grace period
        self.assertTrue(second.refresh_token)
        with self.assertRaises(ReconnectNeeded):
            oauth.refresh(first.refresh_token)  # the first worker's stored token is dead

    @staticmethod
    def _cleanup(db, conn_id):
        with sql_db.db_connect(db).cursor() as cr:
            cr.execute("DELETE FROM xero_connection WHERE id = %s", [conn_id])

