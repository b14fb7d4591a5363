import json
import logging
import time

from odoo import http
from odoo.http import request

from ..xero import SignatureError, verify_xero

_logger = logging.getLogger(__name__)


class XeroWebhookController(http.Controller):
    """Xero's webhooks: verify, store, answer. Never calls Xero (Xero wants an answer within 5 s).

    - No key configured, a missing or a wrong ``x-xero-signature`` → 401, empty body, nothing stored.
    - Intent to receive (signed payload with no events) → 200, empty body.
    - Correctly signed but malformed body (not JSON, not ``{"events": [...]}``) → 200, empty body,
      nothing stored, a warning with the reason: the signature proves Xero (or someone holding the
      key) sent it, and a retry of the same body would not be any better; a 4xx/5xx would only make
      Xero retry for 24 hours and then disable the webhook. Single malformed events of an otherwise
      valid delivery are skipped the same way; the others are stored.
    - Events of an organisation no company is connected to are stored *ignored* with the reason.
    - Stored events trigger ``ir_cron_xero_pull``, which fetches the resources from Xero.
    """

    @http.route("/xero/webhook", type="http", auth="public", csrf=False, methods=["POST"], save_session=False)
    def xero_webhook(self, **kwargs):
        started = time.monotonic()
        body = request.httprequest.get_data()
        key = request.env["ir.config_parameter"].sudo().get_param("xero_connector.webhook_key")
        try:
            verify_xero(body, request.httprequest.headers.get("x-xero-signature"), key)
        except SignatureError as exc:
            _logger.warning("Xero webhook refused (401) from %s: %s", request.httprequest.remote_addr, exc.reason)
            return request.make_response("", status=401)
        try:
            payload = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            _logger.warning("Xero webhook: signed body is not JSON; nothing stored")
            return request.make_response("", status=200)
        events = request.env["xero.event"].sudo()
        try:
            stored, skipped = events._xero_receive(payload)
        except ValueError as exc:
            _logger.warning("Xero webhook: %s; nothing stored", exc)
            return request.make_response("", status=200)
        for reason in skipped:
            _logger.warning("Xero webhook: event skipped: %s", reason)
        if stored:
            request.env.ref("xero_connector.ir_cron_xero_pull").sudo()._trigger()
        _logger.info("Xero webhook: %d event(s) received, %d new, %d skipped, in %.0f ms",
                     len(payload["events"]), stored, len(skipped), (time.monotonic() - started) * 1000)
        return request.make_response("", status=200)
