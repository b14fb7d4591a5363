import logging

from odoo import http
from odoo.http import request

from ..models.xero_sql import delivery_env
from ..xero import SignatureError
from .webhook_body import webhook_body, webhook_json

_logger = logging.getLogger(__name__)


class XeroPaymentWebhookController(http.Controller):
    """Stripe's and GoCardless' webhooks: verify, store, answer. Never calls Xero or the provider.

    The signature is checked on the raw body with each company's secret; the company whose secret
    verifies it receives the events. No secret configured, a missing header or a wrong signature (and,
    for Stripe, a timestamp more than 300 s away) is refused and nothing is stored (fail closed):
    Stripe gets 400, GoCardless 498 as its documentation asks. A body over 1 MiB is refused with 413 before
    it is read whole; a signed body that is not UTF-8 JSON, is nested more than 64 levels deep or is not the
    provider's shape gets 400; nothing is stored either way. Stored events trigger
    ``ir_cron_xero_payment_events``.
    """

    @http.route("/xero/webhook/stripe", type="http", auth="public", csrf=False, methods=["POST"], save_session=False)
    def xero_stripe_webhook(self, **kwargs):
        body = webhook_body(_logger, "Stripe")
        if body is None:
            return request.make_json_response({"error": "body too large"}, status=413)
        Event = request.env["xero.payment.event"].sudo()
        try:
            company = Event._xero_verified_company("stripe", body, request.httprequest.headers.get("Stripe-Signature"))
        except SignatureError as exc:
            _logger.warning("Stripe webhook refused (400) from %s: %s", request.httprequest.remote_addr, exc.reason)
            return request.make_json_response({"error": "invalid signature"}, status=400)
        payload = webhook_json(_logger, "Stripe", body)
        if payload is None:
            return request.make_json_response({"error": "malformed JSON"}, status=400)
        try:
            with delivery_env(request.env) as env:
                outcome = Event.with_env(env).sudo()._xero_receive_stripe(company, payload, wake=True)
        except ValueError as exc:
            _logger.warning("Stripe webhook: signed body is not a Stripe event (%s); nothing stored", exc)
            return request.make_json_response({"error": "not a Stripe event"}, status=400)
        _logger.info("Stripe webhook for company %s: %s", company.id, outcome)  # id: no query
        return request.make_json_response({"received": True, "outcome": outcome}, status=200)

    @http.route("/xero/webhook/gocardless", type="http", auth="public", csrf=False, methods=["POST"],
                save_session=False)
    def xero_gocardless_webhook(self, **kwargs):
        body = webhook_body(_logger, "GoCardless")
        if body is None:
            return request.make_response("", status=413)
        Event = request.env["xero.payment.event"].sudo()
        try:
            company = Event._xero_verified_company(
                "gocardless", body, request.httprequest.headers.get("Webhook-Signature"))
        except SignatureError as exc:
            _logger.warning("GoCardless webhook refused (498) from %s: %s", request.httprequest.remote_addr,
                            exc.reason)
            return request.make_response("", status=498)
        payload = webhook_json(_logger, "GoCardless", body)
        if payload is None:
            return request.make_response("", status=400)
        try:
            with delivery_env(request.env) as env:
                stored, known, unknown = Event.with_env(env).sudo()._xero_receive_gocardless(company, payload, wake=True)
        except ValueError as exc:
            _logger.warning("GoCardless webhook: signed body is not a GoCardless delivery (%s); nothing stored", exc)
            return request.make_response("", status=400)
        _logger.info("GoCardless webhook for company %s: %d event(s) for us (%d new), %d of other types", company.id,
                     known, stored, unknown)
        if not known:
            return request.make_response("", status=204)  # only event types this connector does not use
        return request.make_response("", status=200)
