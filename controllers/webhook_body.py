"""The raw body of a webhook request within the size limit, and the JSON object it carries.

Shared by the three webhook routes (Xero, Stripe, GoCardless). Odoo reads a request body of up to 128 MiB;
webhooks are a few kilobytes, so a body larger than :data:`MAX_BODY_BYTES` (1 MiB) is refused with 413
before it is read whole: at once when its ``Content-Length`` says so, else (a chunked body) after reading at
most the limit and one byte. Nothing is stored; one warning line says why (never the body).
"""
from werkzeug.exceptions import RequestEntityTooLarge

from odoo.http import request

from ..xero import MAX_BODY_BYTES, WebhookBodyError, parse_webhook_json, read_at_most


def _input_stream(httprequest):
    """The request body's stream. Odoo's request wrapper does not expose werkzeug's ``stream`` (which reads at
    most ``Content-Length`` bytes, or a chunked body to its end); the werkzeug request it wraps does."""
    stream = getattr(httprequest, "stream", None)
    if stream is None:
        stream = httprequest._HTTPRequest__wrapped.stream  # as odoo.http itself reaches _HTTPRequest__environ
    return stream


def webhook_body(logger, label, limit=MAX_BODY_BYTES):
    """The raw body of the current request (bytes), or ``None`` when it is larger than ``limit`` bytes (a
    warning logged on ``logger``: the caller answers 413).

    Read once per request and kept on it: Odoo runs a route again after a serialization failure (two deliveries
    of one event stored at the same moment), and the stream it was read from is then spent; read again, the
    body would be empty and the delivery refused as wrongly signed."""
    httprequest = request.httprequest
    body = getattr(httprequest, "_xero_webhook_body", None)
    if body is not None:
        return body
    length = httprequest.content_length
    if length is not None and length > limit:
        logger.warning("%s webhook refused (413) from %s: Content-Length %d is over the %d bytes accepted; "
                       "nothing read or stored", label, httprequest.remote_addr, length, limit)
        return None
    try:
        body = read_at_most(_input_stream(httprequest), limit)
    except RequestEntityTooLarge:  # werkzeug 3 limits the stream itself to the request's max_content_length
        body = None
    if body is None or len(body) > limit:
        logger.warning("%s webhook refused (413) from %s: the body (no Content-Length) is over the %d bytes "
                       "accepted; nothing stored", label, httprequest.remote_addr, limit)
        return None
    httprequest._xero_webhook_body = body
    return body


def webhook_json(logger, label, body):
    """The JSON object of a signed ``body``, or ``None`` when it is not UTF-8 JSON, nested too deeply or not an
    object (a warning naming the cause logged on ``logger``: the caller answers 400)."""
    try:
        return parse_webhook_json(body)
    except WebhookBodyError as exc:
        logger.warning("%s webhook: signed body refused (400): %s; nothing stored", label, exc)
        return None
