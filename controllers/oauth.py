import logging
from urllib.parse import urlencode

from werkzeug.exceptions import Forbidden

from odoo import http
from odoo.exceptions import AccessError, UserError
from odoo.http import request

from ..xero import XeroError

_logger = logging.getLogger(__name__)

# Back from Xero's sign-in to Xero's own settings app (its Connection block shows the outcome and the next step).
SETTINGS_URL = "/odoo/action-xero_connector.action_xero_config_settings"


class XeroOAuthController(http.Controller):
    def _xero_settings_redirect(self, connection=None, message=None):
        """Back to Settings → Xero; an error is stored on the connection so the Connection block shows it."""
        if connection and message:
            connection.sudo().last_error = message
        query = urlencode({"xero_error": message}) if message else ""
        return request.redirect(f"{SETTINGS_URL}?{query}" if query else SETTINGS_URL)

    @http.route("/xero/connect", type="http", auth="user", methods=["GET"], readonly=False)
    def xero_connect(self, company_id=None, **kwargs):
        """Send a Xero administrator to Xero's sign-in for one of their companies."""
        user = request.env.user
        if not user.has_group("xero_connector.group_xero_manager"):
            raise Forbidden(request.env._("Only Xero administrators can connect Xero."))
        company = user.company_id
        if company_id:
            try:
                company = request.env["res.company"].browse(int(company_id))
            except ValueError:
                raise Forbidden(request.env._("Unknown company.")) from None
            if company not in user.company_ids:
                raise Forbidden(request.env._("You cannot connect Xero for a company you do not belong to."))
        connection = request.env["xero.connection"]._xero_for_company(company)
        try:
            oauth = connection._xero_oauth()
        except UserError as exc:
            return self._xero_settings_redirect(connection, str(exc))
        state = connection._xero_make_state(user)
        url = oauth.authorize_url(connection._xero_redirect_uri(), state, scopes=connection._xero_scopes())
        return request.redirect(url, local=False)

    @http.route("/xero/oauth/callback", type="http", auth="user", methods=["GET"], readonly=False)
    def xero_callback(self, code=None, state=None, error=None, error_description=None, **kwargs):
        """Xero's redirect after consent: verify, exchange, list this consent's organisations."""
        user = request.env.user
        if not user.has_group("xero_connector.group_xero_manager"):
            raise Forbidden(request.env._("Only Xero administrators can connect Xero."))
        Connection = request.env["xero.connection"]
        try:
            connection = Connection._xero_check_state(state, user)
        except AccessError as exc:
            _logger.warning("Xero OAuth callback refused for user %s: %s", user.id, exc)
            return self._xero_settings_redirect(message=str(exc))
        if error:
            reason = error_description or error
            if error == "access_denied":
                message = request.env._("Xero access was not granted (you cancelled on Xero's page). Nothing was changed.")
            else:
                message = request.env._("Xero refused the connection: %s", reason)
            return self._xero_settings_redirect(connection, message)
        if not code:
            return self._xero_settings_redirect(connection, request.env._("Xero's answer had no authorisation code."))
        try:
            oauth = connection._xero_oauth()
            tokens = oauth.exchange_code(code, connection._xero_redirect_uri())
            tenants = oauth.connections(tokens.access_token, auth_event_id=tokens.auth_event_id)
        except (XeroError, UserError) as exc:
            _logger.warning("Xero OAuth callback for company %s failed: %s", connection.company_id.id,
                            type(exc).__name__)
            return self._xero_settings_redirect(connection, request.env._("Connecting to Xero failed: %s", exc))
        if not tenants:
            return self._xero_settings_redirect(
                connection, request.env._("No Xero organisation was selected on Xero's page: connect again and tick one.")
            )
        connection._xero_bind_tokens(tokens, tenants, user)
        if connection.state == "choose":
            # Several organisations: Settings shows "Choose Organisation" until one is picked.
            return self._xero_settings_redirect()
        connection.message_post(body=request.env._("Connected to the Xero organisation %s.", connection.tenant_name))
        return self._xero_settings_redirect()
