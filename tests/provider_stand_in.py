"""Stand-ins for Stripe and GoCardless in the Odoo tests: their webhooks' signatures, and their APIs for the reads
the connector makes, served on loopback by the test (never the internet).

Signatures are computed here from the providers' published schemes (hmac/hashlib written out), never with the
addon's helpers. Imported by tests/common.py, where the tests find it.
"""
import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

STRIPE_SECRET = "whsec_test_5f0c1c0ffee0123456789abcdef"
GC_SECRET = "gc_webhook_secret_0123456789ABCDEF"
GC_TOKEN = "gc_access_token_test"
STRIPE_KEY = "rk_test_51ReadChargesOnly"


def stripe_header(body, secret, timestamp=None):
    """Stripe-Signature: t=<unix>,v1=hex(HMAC-SHA256(secret, "<t>.<raw body>"))."""
    timestamp = int(time.time()) if timestamp is None else int(timestamp)
    signed = str(timestamp).encode() + b"." + body
    return f"t={timestamp},v1={hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()}"


def gocardless_signature(body, secret):
    """Webhook-Signature: hex(HMAC-SHA256(secret, raw body))."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def empty_provider_data():
    return {"payments": {}, "mandates": {}, "customers": {}, "payout_items": {}, "charges": {},
            "payment_intents": {}, "balance_transactions": {}, "refunds": {}, "payouts": {}, "invoice_payments": []}


class ProviderStandIn:
    """The providers' APIs for the reads the connector makes. GoCardless: payments, mandates, customers,
    payout items; Stripe (under /v1): a charge or a payment intent, expanded as asked, and the list of invoice
    payments (by invoice or by payment intent)."""

    def __init__(self):
        self.data = empty_provider_data()
        self.requests = []
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                url = urlparse(self.path)
                stand_in.requests.append((url.path, self.headers.get("Authorization")))
                parts = url.path.strip("/").split("/")
                body, status = None, 200
                if parts[0] == "v1":
                    body, status = stand_in.stripe(parts[1:], parse_qs(url.query), self.headers.get("Authorization"))
                elif self.headers.get("Authorization") != f"Bearer {GC_TOKEN}":
                    body, status = {"error": {"message": "Invalid access token"}}, 401
                elif parts[0] == "payout_items":
                    payout = parse_qs(url.query).get("payout", [""])[0]
                    body = {"payout_items": stand_in.data["payout_items"].get(payout, []),
                            "meta": {"cursors": {"before": None, "after": None}, "limit": 500}}
                elif len(parts) == 2 and parts[1] in stand_in.data.get(parts[0], {}):
                    body = {parts[0]: stand_in.data[parts[0]][parts[1]]}
                else:
                    body, status = {"error": {"message": "Resource not found"}}, 404
                raw = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stripe(self, parts, query, authorization):
        """Stripe's GET /v1/charges/{id} and /v1/payment_intents/{id} (ids only unless expanded), and
        GET /v1/invoice_payments?invoice=… or ?payment[type]=payment_intent&payment[payment_intent]=…"""
        if authorization != f"Bearer {STRIPE_KEY}":
            return {"error": {"type": "invalid_request_error", "message": "Invalid API Key provided: rk_***"}}, 401
        expand = query.get("expand[]", [])
        if parts == ["invoice_payments"]:
            invoice, intent = query.get("invoice", [None])[0], query.get("payment[payment_intent]", [None])[0]
            found = [p for p in self.data["invoice_payments"] if (not invoice or p["invoice"] == invoice)
                     and (not intent or p["payment"].get("payment_intent") == intent)]
            return {"object": "list", "data": found, "has_more": False, "url": "/v1/invoice_payments"}, 200
        if len(parts) != 2 or parts[1] not in self.data.get(parts[0], {}):
            return {"error": {"type": "invalid_request_error", "code": "resource_missing",
                              "message": f"No such {parts[0][:-1].replace('_', ' ')}: '{parts[-1]}'"}}, 404
        record = dict(self.data[parts[0]][parts[1]])
        if parts[0] == "payment_intents":
            charge = self.data["charges"].get(record.get("latest_charge"))
            if "latest_charge.balance_transaction" in expand and charge:
                record["latest_charge"] = dict(charge, balance_transaction=self.data["balance_transactions"].get(
                    charge["balance_transaction"]))
        elif "balance_transaction" in expand:
            record["balance_transaction"] = self.data["balance_transactions"].get(record["balance_transaction"])
        return record, 200

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
