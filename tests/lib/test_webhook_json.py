"""Webhook bodies (size, JSON shape, depth) and the payment fields recording needs: xero.webhook_json and
xero.payment_checks, with plain pytest."""
import io
import json
import sys
import time

import pytest

from xero import (
    LINE_DESCRIPTION_MAX,
    MAX_BODY_BYTES,
    MAX_JSON_DEPTH,
    WebhookBodyError,
    parse_webhook_json,
    payment_problems,
    read_at_most,
)
from xero.payment_checks import MISSING, NOT_A_CURRENCY, NOT_AN_AMOUNT, NOT_TEXT, TOO_LONG, Problem
from xero.webhook_json import json_depth


# -- parse_webhook_json ---------------------------------------------------------------------------------
def test_a_webhook_object_is_parsed():
    body = json.dumps({"events": [{"id": "evt_1", "data": {"object": {"amount": 2500, "tags": ["a", {"b": 1}]}}}],
                       "note": "brackets in text do not nest: [[[{{{ \" ]]] \\"}).encode()
    assert parse_webhook_json(body) == json.loads(body)
    assert parse_webhook_json(body.decode()) == json.loads(body)  # text is accepted too


def test_limits_are_the_documented_ones():
    assert MAX_BODY_BYTES == 1024 * 1024
    assert MAX_JSON_DEPTH == 64


@pytest.mark.parametrize("body, cause", [
    (b"{not json", "not JSON"),
    (b"", "not JSON"),
    (b'{"a": 1', "not JSON"),
    (b'{"a": "unterminated', "not JSON"),
    (b"\xff\xfe{}", "not UTF-8"),
    (b"[]", "an array, not an object"),
    (b'"text"', "a string, not an object"),
    (b"12", "a number, not an object"),
    (b"null", "null, not an object"),
    (b"true", "a boolean, not an object"),
    (b'{"n": ' + b"9" * 5000 + b"}", "not JSON"),  # Python refuses integers of more than 4,300 digits
])
def test_malformed_bodies_are_refused_with_the_cause(body, cause):
    with pytest.raises(WebhookBodyError, match=cause) as info:
        parse_webhook_json(body)
    assert isinstance(info.value, ValueError), "callers that catch ValueError keep working"
    assert "unterminated" not in str(info.value), "the body is never quoted"


def test_depth_is_limited():
    def nested(arrays):
        return ('{"a": ' + "[" * arrays + "]" * arrays + "}").encode()

    assert parse_webhook_json(nested(MAX_JSON_DEPTH - 1)) == json.loads(nested(63))  # an object + 63 arrays: 64
    with pytest.raises(WebhookBodyError, match="nested 65 levels deep, more than the 64"):
        parse_webhook_json(nested(MAX_JSON_DEPTH))
    assert parse_webhook_json(b'{"a": [[1]]}', max_depth=3) == {"a": [[1]]}
    with pytest.raises(WebhookBodyError, match="nested 3 levels"):
        parse_webhook_json(b'{"a": [[1]]}', max_depth=2)


@pytest.mark.parametrize("opening", ["[", '{"a":', '{"a": ['])
def test_deep_nesting_is_refused_without_recursion(opening):
    """100,000 levels: json.loads alone raises RecursionError (a traceback); here a WebhookBodyError, fast."""
    with pytest.raises(RecursionError):  # what the routes did before: a 500 with a traceback
        json.loads(b"[" * 100_000 + b"]" * 100_000)
    body = (opening * 100_000).encode()
    started = time.monotonic()
    with pytest.raises(WebhookBodyError, match="nested"):
        parse_webhook_json(body)
    assert time.monotonic() - started < 2


def test_deep_nesting_below_the_recursion_limit_of_a_small_stack():
    """The check does not recurse: it works with a recursion limit far below the nesting."""
    body = b"[" * 5000 + b"]" * 5000
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(200)
    try:
        with pytest.raises(WebhookBodyError, match="nested 5000 levels"):
            parse_webhook_json(body)
    finally:
        sys.setrecursionlimit(limit)


def test_depth_ignores_brackets_in_strings_and_escapes():
    assert json_depth('{"a": "[[[[{{{{", "b": "\\"[[", "c": "\\\\"}') == 1
    assert json_depth("12") == 0
    assert json_depth('[{"a": [1, {"b": []}]}]') == 5
    assert json_depth('"' + '\\"' * 10 + "[[[") == 0, "an unterminated string runs to the end"


@pytest.mark.parametrize("text", [
    '"' + '\\"' * 500_000,           # escaped quotes, unterminated: quadratic for a naive string pattern
    '"' * 1_000_000,
    '"' + "\\" * 999_999,
    "[" * 1_000_000,
    '{"a":' * 200_000,
])
def test_depth_is_linear_on_a_full_body_of_hostile_text(text):
    started = time.monotonic()
    json_depth(text)
    assert time.monotonic() - started < 2


# -- read_at_most -----------------------------------------------------------------------------------------
class Trickle(io.RawIOBase):
    """A stream that returns at most ``step`` bytes per read (one chunk of a chunked body) and counts reads."""

    def __init__(self, data, step):
        self.data, self.step, self.pos, self.read_bytes = data, step, 0, 0

    def readable(self):
        return True

    def read(self, n=-1):
        n = self.step if n is None or n < 0 else min(n, self.step)
        chunk = self.data[self.pos:self.pos + n]
        self.pos += len(chunk)
        self.read_bytes += len(chunk)
        return chunk


def test_read_at_most_reads_a_small_body_whole_across_short_reads():
    stream = Trickle(b"x" * 10_000, step=999)
    assert read_at_most(stream, 100_000) == b"x" * 10_000


def test_read_at_most_stops_one_byte_past_the_limit():
    stream = Trickle(b"y" * 5_000_000, step=65_536)
    data = read_at_most(stream, 1000)
    assert len(data) == 1001
    assert stream.read_bytes == 1001, "the rest is never read"
    exact = Trickle(b"z" * 1000, step=7)
    assert read_at_most(exact, 1000) == b"z" * 1000
    assert read_at_most(io.BytesIO(b""), 10) == b""


# -- payment_problems --------------------------------------------------------------------------------------
def test_a_recordable_payment_has_no_problem():
    assert payment_problems(amount=("amount", 2500), currency=("currency", "usd"),
                            description=("description", "Espresso box")) == []
    assert payment_problems(amount=("amount", "1500.0"), currency=("currency", "JPY"),
                            description=("description", None)) == []
    assert payment_problems(amount=("amount", 0), currency=("currency", "EUR")) == [], "zero is an amount"
    assert payment_problems(description=("description", "d" * LINE_DESCRIPTION_MAX)) == []
    assert payment_problems() == [], "nothing asked, nothing checked"


def test_missing_amount_and_currency():
    assert payment_problems(amount=("amount", None), currency=("currency", None)) == [
        Problem("amount", MISSING), Problem("currency", MISSING)]
    assert payment_problems(amount=("amount_paid", ""), currency=("currency", "")) == [
        Problem("amount_paid", MISSING), Problem("currency", MISSING)]


@pytest.mark.parametrize("value", ["abc", "12.5", True, [1], {"v": 1}, float("nan"), "1e999999", 10 ** 20])
def test_not_an_amount(value):
    assert payment_problems(amount=("amount", value)) == [Problem("amount", NOT_AN_AMOUNT)]


@pytest.mark.parametrize("value, shown", [("usdollars", "usdollars"), ("12", "12"), (7, "7"),
                                          ("x" * 100, "x" * 19 + "…")])
def test_not_a_currency(value, shown):
    assert payment_problems(currency=("currency", value)) == [Problem("currency", NOT_A_CURRENCY, value=shown)]


def test_description_longer_than_xeros_limit():
    assert LINE_DESCRIPTION_MAX == 4000
    assert payment_problems(description=("description", "d" * 4001)) == [
        Problem("description", TOO_LONG, length=4001, limit=4000)]
    assert payment_problems(description=("description", "d" * 10_000_000))[0].length == 10_000_000
    assert payment_problems(description=("reference", "r" * 30), description_max=20) == [
        Problem("reference", TOO_LONG, length=30, limit=20)]
    assert payment_problems(description=("description", {"a": 1})) == [Problem("description", NOT_TEXT)]
