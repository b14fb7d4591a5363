import logging
import time

from odoo import http
from odoo.http import request

from ..models.xero_sql import delivery_env
from ..xero import SignatureError, verify_xero
from .webhook_body import webhook_body, webhook_json

_logger = logging.getLogger(__name__)


class XeroWebhookController(http.Controller):
    """Xero's webhooks: verify, store, answer. Never calls Xero (Xero wants an answer within 5 s).

    - A body over 1 MiB → 413, empty body, refused before it is read whole (see ``webhook_body``).
    - No key configured, a missing or a wrong ``x-xero-signature`` → 401, empty body, nothing stored.
    - Intent to receive (signed payload with no events) → 200, empty body.
    - Correctly signed but malformed body (not UTF-8 JSON, nested more than 64 levels deep, not
      ``{"events": [...]}``) → 400, empty body, nothing stored, a warning with the cause. Xero sends
      well-formed deliveries; such a body comes from a sender holding the key, and 400 tells it so where the
      former 200 hid it. Single malformed events of an otherwise valid delivery are skipped with a warning;
      the others are stored and the answer is 200.
    - Events of an organisation no company is connected to are stored *ignored* with the reason.
    - Stored events trigger ``ir_cron_xero_pull``, which fetches the resources from Xero.
    """

    @http.route("/xero/webhook", type="http", auth="public", csrf=False, methods=["POST"], save_session=False)
    def xero_webhook(self, **kwargs):
        started = time.monotonic()
        body = webhook_body(_logger, "Xero")
        if body is None:
            return request.make_response("", status=413)
        key = request.env["ir.config_parameter"].sudo().get_param("xero_connector.webhook_key")
        try:
            verify_xero(body, request.httprequest.headers.get("x-xero-signature"), key)
        except SignatureError as exc:
            _logger.warning("Xero webhook refused (401) from %s: %s", request.httprequest.remote_addr, exc.reason)
            return request.make_response("", status=401)
        payload = webhook_json(_logger, "Xero", body)
        if payload is None:
            return request.make_response("", status=400)
        events = request.env["xero.event"].sudo()
        try:
            with delivery_env(request.env) as env:
                stored, skipped = events.with_env(env).sudo()._xero_receive(payload, wake=True)
        except ValueError as exc:
            _logger.warning("Xero webhook: signed body refused (400): %s; nothing stored", exc)
            return request.make_response("", status=400)
        for reason in skipped:
            _logger.warning("Xero webhook: event skipped: %s", reason)
        _logger.info("Xero webhook: %d event(s) received, %d new, %d skipped, in %.0f ms",
                     len(payload["events"]), stored, len(skipped), (time.monotonic() - started) * 1000)
        return request.make_response("", status=200)
