"""xero.money (minor units per currency), xero.gocardless and xero.stripe (the providers' reads), xero.accounts, without Odoo."""
import json
import threading
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from xero.accounts import account_ref
from xero.gocardless import GoCardlessClient, GoCardlessError
from xero.money import currency_exponent, from_minor_units
from xero.stripe import StripeClient, StripeError


@pytest.mark.parametrize("currency, minor, expected", [
    ("USD", 4250, Decimal("42.50")),
    ("usd", "199", Decimal("1.99")),
    ("JPY", 5000, Decimal("5000")),
    ("KRW", 12000, Decimal("12000")),
    ("KWD", 1234, Decimal("1.234")),
    ("EUR", 0, Decimal("0.00")),
    ("GBP", -150, Decimal("-1.50")),
])
def test_from_minor_units(currency, minor, expected):
    assert from_minor_units(minor, currency) == expected


def test_exponent_and_bad_input():
    assert (currency_exponent("JPY"), currency_exponent("EUR"), currency_exponent("BHD")) == (0, 2, 3)
    for bad in ("", "US", "12$", None):
        with pytest.raises(ValueError):
            currency_exponent(bad)
    with pytest.raises(ValueError):
        from_minor_units(None, "USD")


@pytest.fixture
def standin():
    seen = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            seen.append((self.path, dict(self.headers)))
            if self.path.startswith("/payments/PM1"):
                status, body = 200, {"payments": {"id": "PM1", "amount": 1000, "currency": "GBP"}}
            elif self.path.startswith("/payout_items") and "after=c2" in self.path:
                status, body = 200, {"payout_items": [{"type": "app_fee", "amount": "-5.0"}],
                                     "meta": {"cursors": {"after": None}}}
            elif self.path.startswith("/payout_items"):
                status, body = 200, {"payout_items": [{"type": "gocardless_fee", "amount": "-20.0"}],
                                     "meta": {"cursors": {"after": "c2"}}}
            elif self.path.startswith("/v1/charges/ch_1?"):
                status, body = 200, {"id": "ch_1", "balance_transaction": {
                    "id": "txn_1", "fee": 103, "currency": "usd", "exchange_rate": None}}
            elif self.path.startswith("/v1/payment_intents/pi_1?"):
                status, body = 200, {"id": "pi_1", "latest_charge": {"id": "ch_1", "balance_transaction": {
                    "id": "txn_1", "fee": 55, "currency": "usd"}}}
            elif self.path.startswith("/v1/payment_intents/pi_2?"):
                status, body = 200, {"id": "pi_2", "latest_charge": None}
            elif self.path.startswith("/v1/charges/"):
                status, body = 404, {"error": {"type": "invalid_request_error", "code": "resource_missing",
                                               "message": "No such charge: 'ch_x'"}}
            elif self.path.startswith("/v1/slow"):
                status, body = 429, {"error": {"message": "Too many requests"}}
            elif self.path.startswith("/boom"):
                status, body = 503, {"error": {"message": "down"}}
            else:
                status, body = 404, {"error": {"message": "Resource not found"}}
            raw = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", seen
    server.shutdown()
    server.server_close()


def test_gocardless_client(standin):
    url, seen = standin
    client = GoCardlessClient("tok", url)
    assert client.payment("PM1")["amount"] == 1000
    assert seen[0][1]["Authorization"] == "Bearer tok"
    assert seen[0][1]["GoCardless-Version"] == "2015-07-06"
    items = client.payout_items("PO1")
    assert [i["type"] for i in items] == ["gocardless_fee", "app_fee"], "follows the cursor"
    with pytest.raises(GoCardlessError) as missing:
        client.payment("PM404")
    assert (missing.value.status, missing.value.transient) == (404, False)
    assert "Resource not found" in missing.value.message
    with pytest.raises(GoCardlessError) as down:
        client.get("boom")
    assert down.value.transient
    assert "tok" not in repr(client)
    with pytest.raises(GoCardlessError):
        GoCardlessClient("", url)


def test_stripe_client(standin):
    url, seen = standin
    client = StripeClient("rk_test_secret", url)
    charge = client.charge("ch_1")
    assert charge["balance_transaction"]["fee"] == 103
    path, headers = seen[0]
    assert path == "/v1/charges/ch_1?expand%5B%5D=balance_transaction", "the balance transaction is expanded"
    assert headers["Authorization"] == "Bearer rk_test_secret"
    assert client.intent_charge("pi_1")["balance_transaction"]["fee"] == 55
    assert seen[1][0] == "/v1/payment_intents/pi_1?expand%5B%5D=latest_charge.balance_transaction"
    assert client.intent_charge("pi_2") is None, "no charge yet"
    with pytest.raises(StripeError) as missing:
        client.charge("ch_x")
    assert (missing.value.status, missing.value.transient) == (404, False)
    assert "No such charge" in missing.value.message and "rk_test" not in missing.value.message
    with pytest.raises(StripeError) as limited:
        client.get("v1/slow")
    assert limited.value.transient, "429 is retried later"
    assert "rk_test" not in repr(client)
    with pytest.raises(StripeError):
        StripeClient(None, url)


def test_account_ref_names_a_code_or_an_account_id():
    assert account_ref("090") == {"Code": "090"}
    assert account_ref(" STRIPE ") == {"Code": "STRIPE"}
    account_id = "5f6e2b5a-0c1d-4e8f-9a7b-3c2d1e0f4a5b"
    assert account_ref(account_id) == {"AccountID": account_id}
    assert account_ref(account_id.upper()) == {"AccountID": account_id.upper()}
    assert account_ref(account_id[:-1]) == {"Code": account_id[:-1]}, "not an id: left as a code"
