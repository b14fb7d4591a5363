import logging
import threading
import time
from datetime import datetime, timedelta, timezone

from psycopg2.errors import SerializationFailure

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..xero import Endpoints, OAuth, RateLimiter, TransientError, XeroClient, XeroError
from ..xero.errors import ReconnectNeeded
from .xero_access import MANAGER, checked

CONNECTION_CACHE = "xero_connector.company_connections"  # see res.company._xero_connection

_logger = logging.getLogger(__name__)

# Refresh the access token this many seconds before Xero expires it.
TOKEN_MARGIN = 60
# A refresh token unused for 60 days dies at Xero; the keep-alive cron refreshes idle ones after this.
KEEPALIVE_AFTER = timedelta(days=30)

# Per process: (dbname, connection id) -> (access token, expiry epoch). Only ever holds access
# tokens that were committed to the database; the refresh token never leaves the row lock.
_token_cache = {}
_token_cache_lock = threading.Lock()

TOKEN_FIELDS = ("access_token", "refresh_token", "token_expires_at", "token_refreshed_at")

DEFAULT_URLS = {
    "login_url": "https://login.xero.com",
    "identity_url": "https://identity.xero.com",
    "api_url": "https://api.xero.com",
}


def _epoch(dt):
    """Naive UTC datetime (as Odoo stores it) -> epoch seconds."""
    return dt.replace(tzinfo=timezone.utc).timestamp() if dt else 0.0


def _naive_utc(epoch):
    return datetime.fromtimestamp(epoch, timezone.utc).replace(tzinfo=None)


def refresh_tokens_locked(cr, connection_id, oauth, rejected_token=None, now=None):
    """Return a valid access token for the connection, refreshing it under a row lock.

    Runs in ``cr``, a cursor of its own that the caller commits: the rotated refresh token is
    stored by that commit even when the caller's own transaction later rolls back. Concurrent
    callers (any worker, any machine) queue on ``SELECT … FOR UPDATE``; the second one finds the
    token the first one stored and does not refresh again, so only one rotation happens and no
    process is left holding a superseded refresh token.

    ``rejected_token``: an access token Xero just refused (401). The stored token is refreshed if
    it is that one or close to expiry; otherwise the stored (newer) one is returned.

    Returns ``(access_token, expires_at_epoch)``. Raises ReconnectNeeded when Xero answers
    invalid_grant (the caller records the state), TransientError when Xero cannot be reached.
    """
    now = time.time() if now is None else now
    cr.execute("SELECT state FROM xero_connection WHERE id = %s", [connection_id])
    row = cr.fetchone()
    if not row:
        raise ReconnectNeeded("The Xero connection no longer exists.")
    # A serialization failure here is expected under contention (see locked_access_token): not logged.
    cr.execute(
        """SELECT access_token, refresh_token, token_expires_at
             FROM xero_connection_token WHERE connection_id = %s FOR UPDATE""",
        [connection_id],
        log_exceptions=False,
    )
    tokens_row = cr.fetchone()
    if row[0] != "connected" or not tokens_row or not tokens_row[1]:
        raise ReconnectNeeded("This company is not connected to Xero.")
    access_token, refresh_token, expires_at = tokens_row
    expires = _epoch(expires_at)
    if access_token and access_token != rejected_token and expires - TOKEN_MARGIN > now:
        return access_token, expires
    # A lost refresh response is retried with the same refresh token: Xero honours the previous
    # refresh token for 30 minutes.
    for attempt in range(3):
        try:
            tokens = oauth.refresh(refresh_token)
            break
        except TransientError:
            if attempt == 2:
                raise
            time.sleep(0.5 * (attempt + 1))
    cr.execute(
        """UPDATE xero_connection_token
              SET access_token = %s, refresh_token = %s, token_expires_at = %s,
                  token_refreshed_at = (now() at time zone 'UTC')
            WHERE connection_id = %s""",
        [tokens.access_token, tokens.refresh_token or refresh_token, _naive_utc(tokens.expires_at), connection_id],
    )
    return tokens.access_token, tokens.expires_at


def locked_access_token(cursor_factory, connection_id, oauth, rejected_token=None, attempts=5):
    """refresh_tokens_locked() in a transaction of its own, committed before the token is used.

    Odoo's transactions are REPEATABLE READ: a worker that queued on the row lock while another one
    rotated the tokens gets a serialization failure *before* it calls Xero; it starts again in a
    fresh transaction, which sees the new token and uses it without refreshing.
    """
    for attempt in range(attempts):
        try:
            with cursor_factory() as cr:
                return refresh_tokens_locked(cr, connection_id, oauth, rejected_token=rejected_token)
        except SerializationFailure:
            if attempt == attempts - 1:
                raise
            time.sleep(0.05 * (attempt + 1))
    raise AssertionError("unreachable")


class ConnectionClient(XeroClient):
    """The library client; a refused grant turns the connection to "needs reconnect"."""

    def __init__(self, connection, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.connection = connection

    def request(self, method, path, **kwargs):
        try:
            return super().request(method, path, **kwargs)
        except ReconnectNeeded as exc:
            self.connection._xero_mark_reconnect(exc.message)
            raise


class XeroConnection(models.Model):
    _name = "xero.connection"
    _description = "Xero Connection"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    # Nobody writes a connection but the connector (models/xero_access.py); who may read it may still note in its
    # chatter and close its "Reconnect Xero" activities.
    _mail_post_access = "read"
    _order = "company_id"
    _rec_name = "display_label"

    company_id = fields.Many2one(
        "res.company", required=True, index=True, ondelete="cascade", default=lambda self: self.env.company
    )
    state = fields.Selection(
        [
            ("draft", "Not connected"),
            ("choose", "Choose an organisation"),
            ("connected", "Connected"),
            ("reconnect", "Needs reconnect"),
            ("disconnected", "Disconnected"),
        ],
        default="draft",
        required=True,
        readonly=True,
        tracking=True,
    )
    display_label = fields.Char(compute="_compute_display_label")
    tenant_id = fields.Char("Xero Tenant ID", readonly=True, copy=False, index=True)
    tenant_name = fields.Char("Xero Organisation", readonly=True, copy=False, tracking=True)
    tenant_type = fields.Char(readonly=True, copy=False)
    bound_tenant_id = fields.Char(
        "Organisation of the Links", readonly=True, copy=False,
        help="The Xero organisation the company's links (Xero Contact IDs, exported documents, lists) belong to: "
        "connecting another one forgets them.")
    xero_connection_id = fields.Char("Xero Connection ID", readonly=True, copy=False)
    auth_event_id = fields.Char("Authorisation Event", readonly=True, copy=False)
    scopes = fields.Char("Granted Scopes", readonly=True, copy=False)
    xero_user_id = fields.Char("Xero User ID", readonly=True, copy=False)
    xero_user_email = fields.Char("Connected Xero User", readonly=True, copy=False)
    connected_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    connected_on = fields.Datetime(readonly=True, copy=False)
    last_error = fields.Text(readonly=True, copy=False)
    # Candidate organisations of a consent that connected several (state "choose").
    candidate_tenants = fields.Json(readonly=True, copy=False, groups="base.group_system")
    # Xero's X-*-Remaining figures from the last answer, as the pacing state recorded them.
    day_limit_remaining = fields.Integer("Calls Left Today", compute="_compute_limits")
    minute_limit_remaining = fields.Integer("Calls Left This Minute", compute="_compute_limits")
    app_minute_limit_remaining = fields.Integer("App Calls Left This Minute", compute="_compute_limits")
    limits_updated_on = fields.Datetime(compute="_compute_limits")

    # Secrets: system administrators only, never copied, read through _xero_access_token(). Stored in
    # xero.connection.token (see there why): these fields read and write that row.
    access_token = fields.Char(groups="base.group_system", compute="_compute_tokens", inverse="_inverse_tokens")
    refresh_token = fields.Char(groups="base.group_system", compute="_compute_tokens", inverse="_inverse_tokens")
    token_expires_at = fields.Datetime(groups="base.group_system", compute="_compute_tokens",
                                       inverse="_inverse_tokens")
    token_refreshed_at = fields.Datetime(groups="base.group_system", compute="_compute_tokens",
                                         inverse="_inverse_tokens")
    oauth_nonce = fields.Char(groups="base.group_system", copy=False, readonly=True)

    _company_uniq = models.Constraint("UNIQUE(company_id)", "A company connects to one Xero organisation.")

    # The company → connection of this transaction, kept by res.company._xero_connection (the cursor's cache,
    # cleared by a commit, a rollback and a savepoint's rollback); a connection made, moved or deleted drops it.
    @api.model_create_multi
    def create(self, vals_list):
        connections = super().create(vals_list)
        self.env.cr.cache.pop(CONNECTION_CACHE, None)
        return connections

    def write(self, vals):
        if "company_id" in vals:
            self.env.cr.cache.pop(CONNECTION_CACHE, None)
        return super().write(vals)

    def unlink(self):
        self.env.cr.cache.pop(CONNECTION_CACHE, None)
        return super().unlink()

    def _xero_token_rows(self):
        rows = self.env["xero.connection.token"].sudo().search([("connection_id", "in", self.ids)])
        # The refresh rewrites these rows with SQL in transactions of its own: never trust the cache.
        rows.invalidate_recordset(TOKEN_FIELDS)
        return {row.connection_id.id: row for row in rows}

    def _compute_tokens(self):
        rows = self._xero_token_rows()
        for conn in self:
            row = rows.get(conn.id)
            for name in TOKEN_FIELDS:
                conn[name] = row[name] if row else False

    def _inverse_tokens(self):
        rows = self._xero_token_rows()
        for conn in self:
            values = {name: conn[name] for name in TOKEN_FIELDS}
            if conn.id in rows:
                rows[conn.id].write(values)
            elif any(values.values()):
                self.env["xero.connection.token"].sudo().create(dict(values, connection_id=conn.id))

    def _compute_limits(self):
        states = {
            rate.tenant_id: rate.state or {}
            for rate in self.env["xero.rate.state"].sudo().search([("tenant_id", "in", self.mapped("tenant_id"))])
        }
        for conn in self:
            state = states.get(conn.tenant_id, {})
            remaining = state.get("remaining") or {}
            conn.day_limit_remaining = remaining.get("day", 0)
            conn.minute_limit_remaining = remaining.get("minute", 0)
            conn.app_minute_limit_remaining = remaining.get("appminute", 0)
            conn.limits_updated_on = _naive_utc(state["remaining_at"]) if state.get("remaining_at") else False

    @api.depends("company_id", "tenant_name", "state")
    def _compute_display_label(self):
        labels = dict(self._fields["state"].selection)
        for conn in self:
            org = conn.tenant_name or labels[conn.state]
            conn.display_label = f"{conn.company_id.name} → {org}"

    # ------------------------------------------------------------------------------------------
    # Configuration
    # ------------------------------------------------------------------------------------------
    @api.model
    def _xero_endpoints(self):
        icp = self.env["ir.config_parameter"].sudo()
        return Endpoints(
            **{key: icp.get_param(f"xero_connector.{key}") or default for key, default in DEFAULT_URLS.items()}
        )

    @api.model
    def _xero_oauth(self):
        icp = self.env["ir.config_parameter"].sudo()
        client_id = icp.get_param("xero_connector.client_id")
        client_secret = icp.get_param("xero_connector.client_secret")
        if not client_id or not client_secret:
            raise UserError(
                self.env._(
                    "Xero is not configured: enter your Xero app's Client ID and Client Secret in "
                    "Settings → Integrations → Xero first."
                )
            )
        return OAuth(self._xero_endpoints(), client_id, client_secret)

    @api.model
    def _xero_redirect_uri(self):
        base = self.env["ir.config_parameter"].sudo().get_param("web.base.url", "").rstrip("/")
        return f"{base}/xero/oauth/callback"

    @api.model
    def _xero_for_company(self, company):
        """The company's connection record (created when missing), as superuser."""
        conn = self.sudo().with_context(active_test=False).search([("company_id", "=", company.id)], limit=1)
        return conn or self.sudo().create({"company_id": company.id})

    def _xero_checked(self, message=None):
        """These connections as superuser, once the caller is a Xero administrator of their companies."""
        return checked(self, MANAGER, message or self.env._("Only Xero administrators can manage the Xero connection."))

    # ------------------------------------------------------------------------------------------
    # Tokens
    # ------------------------------------------------------------------------------------------
    def _xero_forget_token(self):
        with _token_cache_lock:
            for conn in self:
                _token_cache.pop((self.env.cr.dbname, conn.id), None)

    def _xero_access_token(self, rejected_token=None):
        """The one accessor of the access token: refreshed when near expiry, in its own transaction."""
        self.ensure_one()
        key = (self.env.cr.dbname, self.id)
        now = time.time()
        with _token_cache_lock:
            cached = _token_cache.get(key)
        if cached and cached[0] != rejected_token and cached[1] - TOKEN_MARGIN > now:
            return cached[0]
        # A valid token this transaction can see needs no refresh (it may have been stored by this very
        # transaction, e.g. right after connecting, where a transaction of its own could not see it).
        conn = self.sudo()
        if (conn.state == "connected" and conn.access_token and conn.access_token != rejected_token
                and _epoch(conn.token_expires_at) - TOKEN_MARGIN > now):
            with _token_cache_lock:
                _token_cache[key] = (conn.access_token, _epoch(conn.token_expires_at))
            return conn.access_token
        oauth = self._xero_oauth()
        try:
            token, expires = locked_access_token(self.env.registry.cursor, self.id, oauth, rejected_token)
        except ReconnectNeeded as exc:
            self._xero_mark_reconnect(str(exc))
            raise
        with _token_cache_lock:
            _token_cache[key] = (token, expires)
        return token

    def _xero_mark_reconnect(self, reason):
        """Xero no longer honours the grant: pause, tell the administrators. Committed on its own."""
        self.ensure_one()
        self._xero_forget_token()
        with self.env.registry.cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, {})
            conn = env["xero.connection"].browse(self.id)
            if conn.state != "connected":
                return
            conn.write({"state": "reconnect", "last_error": reason})
            conn._xero_schedule_reconnect_activities()

    def _xero_schedule_reconnect_activities(self):
        activity_type = self.env.ref("xero_connector.mail_activity_type_xero_reconnect", raise_if_not_found=False)
        admins = self.env.ref("xero_connector.group_xero_manager").all_user_ids.filtered(
            lambda u: not u.share and u.active and self.company_id in u.company_ids
        )
        for conn in self:
            for user in admins:
                conn.activity_schedule(
                    activity_type_id=activity_type.id if activity_type else False,
                    summary=self.env._("Reconnect Xero"),
                    note=self.env._(
                        "Xero no longer accepts the connection of %(company)s (%(reason)s). Open Settings → "
                        "Integrations → Xero and click Reconnect. Exports are paused until then; nothing is lost.",
                        company=conn.company_id.name,
                        reason=conn.last_error or "",
                    ),
                    user_id=user.id,
                )

    def _xero_close_reconnect_activities(self):
        activity_type = self.env.ref("xero_connector.mail_activity_type_xero_reconnect", raise_if_not_found=False)
        if activity_type:
            self.sudo().activity_unlink(["xero_connector.mail_activity_type_xero_reconnect"])

    # ------------------------------------------------------------------------------------------
    # Talking to Xero
    # ------------------------------------------------------------------------------------------
    def _xero_client(self, max_rate_wait=None):
        """A library client for this connection: tokens through the accessor, pacing shared in PostgreSQL
        (``max_rate_wait``: at most this many seconds waited for Xero's limits; the limiter's maximum by default)."""
        self.ensure_one()
        if self.state != "connected" or not self.tenant_id:
            raise UserError(self.env._("%s is not connected to Xero.", self.company_id.name))
        return ConnectionClient(
            self,
            self._xero_endpoints(),
            self.tenant_id,
            self._xero_token_callback(),
            rate_limiter=self._xero_rate_limiter(),
            max_rate_wait=max_rate_wait,
        )

    @api.model
    def _xero_rate_limiter(self):
        """Xero's per-organisation limits, paced in PostgreSQL (shared by every worker and machine).

        System parameters ``xero_connector.calls_per_minute`` (60), ``xero_connector.minute_window``
        (60 s), ``xero_connector.calls_per_day`` (5,000; 1,000 on Xero's Starter plan) and
        ``xero_connector.concurrent_calls`` (5) follow Xero's published limits by default.
        """
        icp = self.env["ir.config_parameter"].sudo()

        def number(key, default):
            try:
                return float(icp.get_param(f"xero_connector.{key}") or default)
            except ValueError:
                return default

        return RateLimiter(
            self.env["xero.rate.state"]._xero_store(),
            per_window=int(number("calls_per_minute", 60)),
            window=number("minute_window", 60.0),
            per_day=int(number("calls_per_day", 5000)),
            concurrency=int(number("concurrent_calls", 5)),
        )

    def _xero_token_callback(self):
        conn = self
        state = {"last": None}

        def token(force_refresh=False):
            state["last"] = conn._xero_access_token(rejected_token=state["last"] if force_refresh else None)
            return state["last"]

        return token

    def action_xero_test_connection(self):
        """Read the organisation from Xero: proves tokens, tenant and network in one click."""
        self.ensure_one()
        conn = self._xero_checked()
        client = conn._xero_client()
        try:
            org = client.get("Organisation").get("Organisations", [{}])[0]
        except XeroError as exc:
            raise UserError(self.env._("Xero did not answer for %(company)s: %(error)s", company=conn.company_id.name,
                              error=exc)) from exc
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._("Connected to %(name)s (%(currency)s).", name=org.get("Name"),
                             currency=org.get("BaseCurrency")),
            },
        }

    def action_xero_queue_customers(self):
        """Send every active customer with sales history that Xero does not have yet (queued, batched)."""
        self.ensure_one()
        conn = self._xero_checked()
        if conn.state != "connected":
            raise UserError(self.env._("%s is not connected to Xero.", conn.company_id.name))
        queued = self.env["res.partner"].sudo()._xero_queue_customers(conn)
        self.env["xero.run"]._xero_start(queued, self.env._("Send Customers to Xero"))
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._("%s customers queued for Xero; follow them in Xero → Sync Log.", len(queued))
                if queued else self.env._("Every customer with sales history is already in Xero."),
            },
        }

    @api.model
    def _cron_xero_keepalive(self):
        """Refresh idle token sets long before Xero's 60-day expiry of unused refresh tokens."""
        limit = fields.Datetime.now() - KEEPALIVE_AFTER
        idle = self.env["xero.connection.token"].sudo().search([
            ("token_refreshed_at", "<", limit), ("connection_id.state", "=", "connected"),
        ]).connection_id
        for conn in idle:
            try:
                conn._xero_access_token(rejected_token=conn.access_token)
            except XeroError as exc:
                _logger.warning("Xero connection %s (%s): keep-alive failed: %s", conn.id, conn.company_id.name,
                                type(exc).__name__)
