import json

import pytest

from xero import errors
from xero.client import normalize_idempotency_key
from xero.config import DEFAULT_SCOPES, Endpoints
from xero.parsing import error_message, flat_messages, parse_error_body, parse_retry_after, validation_messages

# Shaped like the spec's 400 example (xero_accounting.yaml, Error / Element schemas)
JSON_400 = {
    "ErrorNumber": 10,
    "Type": "ValidationException",
    "Message": "A validation exception occurred",
    "Elements": [
        {
            "AccountID": "00000000-0000-0000-0000-000000000000",
            "Code": "123456",
            "Name": "Foobar",
            "Type": "EXPENSE",
            "ValidationErrors": [{"Message": "Please enter a unique Name."}],
        }
    ],
}

# Xero's XML error body (what the API answers without Accept: application/json)
XML_400 = b"""<ApiException xmlns:i="http://www.w3.org/2001/XMLSchema-instance">
  <ErrorNumber>10</ErrorNumber>
  <Type>ValidationException</Type>
  <Message>A validation exception occurred</Message>
  <Elements>
    <DataContractBase xsi:type="Invoice" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
      <ValidationErrors>
        <ValidationError><Message>Email address must be valid.</Message></ValidationError>
        <ValidationError><Message>Contact name must be unique.</Message></ValidationError>
      </ValidationErrors>
      <Reference>ok</Reference>
    </DataContractBase>
    <DataContractBase xsi:type="Invoice" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
      <ValidationErrors />
    </DataContractBase>
    <DataContractBase xsi:type="Invoice" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
      <ValidationErrors>
        <ValidationError><Message>Account code '999' is not a valid code.</Message></ValidationError>
      </ValidationErrors>
    </DataContractBase>
  </Elements>
</ApiException>"""


def test_parse_json_error_body():
    body = parse_error_body(json.dumps(JSON_400).encode(), "application/json; charset=utf-8")
    assert body["Type"] == "ValidationException"
    assert validation_messages(body) == [{"index": 0, "messages": ["Please enter a unique Name."]}]
    assert flat_messages(body) == ["Please enter a unique Name."]


def test_parse_xml_error_body():
    body = parse_error_body(XML_400, "text/xml")
    assert body["Type"] == "ValidationException"
    assert body["ErrorNumber"] == "10"
    assert len(body["Elements"]) == 3
    assert validation_messages(body) == [
        {"index": 0, "messages": ["Email address must be valid.", "Contact name must be unique."]},
        {"index": 2, "messages": ["Account code '999' is not a valid code."]},
    ]
    assert error_message(body).startswith("Email address must be valid.")


def test_parse_xml_single_element_without_content_type():
    xml = (b"<ApiException><ErrorNumber>10</ErrorNumber><Type>ValidationException</Type>"
           b"<Message>A validation exception occurred</Message><Elements><DataContractBase>"
           b"<ValidationErrors><ValidationError><Message>Only one</Message></ValidationError></ValidationErrors>"
           b"</DataContractBase></Elements></ApiException>")
    body = parse_error_body(xml, "")
    assert validation_messages(body) == [{"index": 0, "messages": ["Only one"]}]


def test_parse_other_error_shapes():
    # 401/403 problem-details shape
    body = parse_error_body(b'{"Type":null,"Title":"Forbidden","Status":403,"Detail":"AuthenticationUnsuccessful"}',
                            "application/json")
    assert error_message(body) == "AuthenticationUnsuccessful"
    # top-level message without elements
    body = parse_error_body(b'{"Type":"ValidationException","Message":"JSON for post data was invalid"}', "")
    assert flat_messages(body) == ["JSON for post data was invalid"]
    assert validation_messages(body) == []
    # OAuth error
    assert error_message(parse_error_body(b'{"error":"invalid_grant"}', "application/json")) == "invalid_grant"
    # list
    assert parse_error_body(b"[1, 2]", "application/json") == {"items": [1, 2]}


@pytest.mark.parametrize(
    ("content", "ctype"),
    [
        (b"", "application/json"),
        (None, None),
        (b"{not json", "application/json"),
        (b"<unclosed", "text/xml"),
        (b"\xff\xfe\x00garbage", ""),
        (b"The resource you're looking for cannot be found", "text/html"),
        (b"x" * 5000, "text/plain"),
    ],
)
def test_parse_garbage_is_tolerated(content, ctype):
    body = parse_error_body(content, ctype)
    assert isinstance(body, dict)
    assert len(body.get("raw", "")) <= 500
    assert isinstance(validation_messages(body), list)
    assert isinstance(error_message(body), str)


def test_parse_retry_after():
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after("1.5") == 1.5
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    assert parse_retry_after("-3") == 0.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # in the past


# -- Idempotency-Key --------------------------------------------------------------------------------
def test_idempotency_key_short_kept():
    assert normalize_idempotency_key("job-42-create") == "job-42-create"
    assert normalize_idempotency_key("k" * 128) == "k" * 128
    assert normalize_idempotency_key(None) is None
    assert normalize_idempotency_key("") is None


def test_idempotency_key_long_hashed_deterministically():
    long_key = "xero_connector:db1:invoice:" + "9" * 200
    hashed = normalize_idempotency_key(long_key)
    assert len(hashed) <= 128
    assert hashed == normalize_idempotency_key(long_key)
    assert hashed != normalize_idempotency_key(long_key + "0")
    assert normalize_idempotency_key("k" * 129) != "k" * 128
    assert len(normalize_idempotency_key("k" * 129)) <= 128
    # non-ASCII keys cannot travel in a header: hashed as well
    accented = normalize_idempotency_key("facture-é")
    assert accented.isascii() and len(accented) <= 128


# -- errors -----------------------------------------------------------------------------------------
def test_error_attributes():
    err = errors.RateLimited("slow down", retry_after=3.0, problem="minute")
    assert isinstance(err, errors.XeroError)
    assert (err.message, err.status, err.retry_after, err.problem) == ("slow down", 429, 3.0, "minute")
    v = errors.ValidationError("bad", elements=[{"index": 1, "messages": ["a", "b"]}])
    assert v.messages == ["a", "b"] and v.status == 400
    t = errors.TransientError("down", outcome_unknown=True, status=503)
    assert t.outcome_unknown and t.status == 503
    for cls in (errors.ConfigurationError, errors.ReconnectNeeded, errors.AuthExpired, errors.NotFound):
        e = cls("m", status=401, detail="d")
        assert (e.message, e.status, e.detail) == ("m", 401, "d")


def test_redact_secrets():
    jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"
    text = (f'Authorization: Bearer {jwt} {{"access_token": "{jwt}", "refresh_token": "r3fr3sh", '
            f'"client_secret":"s3cr3t"}} code=abc123&state=ok')
    out = errors.redact(text)
    for secret in (jwt, "r3fr3sh", "s3cr3t", "abc123"):
        assert secret not in out
    assert "state=ok" in out
    err = errors.XeroError("failed", detail=text)
    assert "r3fr3sh" not in err.detail and jwt not in str(err)
    assert len(errors.redact("x" * 2000)) <= 501
    # Xero's own validation texts survive (account Code is not an OAuth code)
    assert errors.redact('"Code": "200"') == '"Code": "200"'


def test_endpoints():
    e = Endpoints()
    assert e.authorize_url == "https://login.xero.com/identity/connect/authorize"
    assert e.token_url == "https://identity.xero.com/connect/token"
    assert e.revocation_url == "https://identity.xero.com/connect/revocation"
    assert e.connections_url == "https://api.xero.com/connections"
    assert e.accounting_url == "https://api.xero.com/api.xro/2.0"
    s = Endpoints("http://127.0.0.1:8069/", "http://127.0.0.1:8069//", "http://127.0.0.1:8069/")
    assert s.accounting_url == "http://127.0.0.1:8069/api.xro/2.0"
    assert s.token_url == "http://127.0.0.1:8069/connect/token"
    assert "accounting.transactions" not in DEFAULT_SCOPES and "offline_access" in DEFAULT_SCOPES


def test_library_never_imports_odoo():
    import os
    import subprocess
    import sys

    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    code = "import sys, xero; assert not [m for m in sys.modules if m == 'odoo' or m.startswith('odoo.')]"
    subprocess.run([sys.executable, "-c", code], cwd=root, check=True)
