"""XeroClient and OAuth against a scripted fake HTTP session (no server needed)."""
import base64
import json
import logging
from datetime import datetime, timezone

import pytest
import requests
from requests.structures import CaseInsensitiveDict

from xero import (
    AuthExpired,
    ConfigurationError,
    Endpoints,
    NotFound,
    OAuth,
    RateLimited,
    RateLimiter,
    ReconnectNeeded,
    RequestTooLarge,
    TokenSet,
    TransientError,
    ValidationError,
    XeroClient,
    XeroError,
)

EP = Endpoints("https://login.test", "https://identity.test", "https://api.test")
TENANT = "tenant-uuid"


def response(status=200, body=None, headers=None, content=None):
    r = requests.models.Response()
    r.status_code = status
    h = CaseInsensitiveDict(headers or {})
    if content is None and body is not None:
        content = json.dumps(body).encode()
        h.setdefault("Content-Type", "application/json; charset=utf-8")
    r._content = content or b""
    r.headers = h
    r.encoding = "utf-8"
    return r


class FakeSession:
    def __init__(self, *script):
        self.script = list(script)
        self.calls = []

    def request(self, method, url, **kw):
        self.calls.append({"method": method, "url": url, **kw})
        item = self.script.pop(0)
        if isinstance(item, Exception):
            raise item
        return item

    def post(self, url, **kw):
        return self.request("POST", url, **kw)


def client(session, token="tok", **kw):
    sleeps = []
    kw.setdefault("sleep", sleeps.append)
    c = XeroClient(EP, TENANT, token, session=session, **kw)
    c.sleeps = sleeps
    return c


# -- request basics -----------------------------------------------------------------------------------
def test_request_headers_and_limits():
    s = FakeSession(response(200, {"Invoices": []}, {"X-DayLimit-Remaining": "4999", "X-MinLimit-Remaining": "59",
                                                     "X-AppMinLimit-Remaining": "9999"}))
    c = client(s)
    when = datetime(2024, 5, 1, 10, 0, 0, 123, tzinfo=timezone.utc)
    assert c.get("Invoices", params={"page": 1}, if_modified_since=when) == {"Invoices": []}
    call = s.calls[0]
    assert call["url"] == "https://api.test/api.xro/2.0/Invoices"
    h = call["headers"]
    assert h["Authorization"] == "Bearer tok"
    assert h["xero-tenant-id"] == TENANT
    assert h["Accept"] == "application/json"
    assert h["If-Modified-Since"] == "2024-05-01T10:00:00"
    assert "Content-Type" not in h and "Idempotency-Key" not in h
    assert call["timeout"] == 30
    assert c.last_limits == {"day": 4999, "minute": 59, "appminute": 9999}


def test_write_sends_json_and_hashed_idempotency_key():
    s = FakeSession(response(200, {"Contacts": [{"ContactID": "c1"}]}))
    c = client(s)
    c.request("POST", "Contacts", json={"Contacts": [{"Name": "A"}]}, idempotency_key="x" * 300)
    h = s.calls[0]["headers"]
    assert h["Content-Type"].startswith("application/json")
    assert len(h["Idempotency-Key"]) <= 128
    assert json.loads(s.calls[0]["data"]) == {"Contacts": [{"Name": "A"}]}


def test_204_returns_empty_dict():
    assert client(FakeSession(response(204))).request("DELETE", "Items/1") == {}


def test_401_refreshes_once_then_succeeds():
    calls = []

    def token(force_refresh):
        calls.append(force_refresh)
        return "fresh" if force_refresh else "stale"

    s = FakeSession(response(401, {"Title": "Unauthorized", "Detail": "TokenExpired"}), response(200, {"ok": 1}))
    assert client(s, token).get("Organisation") == {"ok": 1}
    assert calls == [False, True]
    assert [c["headers"]["Authorization"] for c in s.calls] == ["Bearer stale", "Bearer fresh"]


def test_second_401_raises_auth_expired():
    s = FakeSession(response(401, {}), response(401, {}))
    with pytest.raises(AuthExpired):
        client(s, lambda force: "t").get("Organisation")
    s = FakeSession(response(401, {}))
    with pytest.raises(AuthExpired):
        client(s, "plain").get("Organisation")  # a plain string cannot be refreshed: no second try
    assert len(s.calls) == 1


def test_403_authentication_unsuccessful_is_reconnect():
    body = {"Type": None, "Title": "Forbidden", "Status": 403, "Detail": "AuthenticationUnsuccessful"}
    with pytest.raises(ReconnectNeeded) as exc:
        client(FakeSession(response(403, body))).get("Invoices")
    assert exc.value.status == 403


def test_404_not_found_and_get_by_id():
    with pytest.raises(NotFound):
        client(FakeSession(response(404, content=b"The resource you're looking for cannot be found"))).get("Invoices/x")
    assert client(FakeSession(response(404, content=b"nope"))).get_by_id("Invoices", "x") is None
    c = client(FakeSession(response(200, {"Invoices": [{"InvoiceID": "i1"}]})))
    assert c.get_by_id("Invoices", "i1") == {"InvoiceID": "i1"}


def test_400_xml_validation_error():
    xml = (b"<ApiException><ErrorNumber>10</ErrorNumber><Type>ValidationException</Type>"
           b"<Message>A validation exception occurred</Message><Elements><DataContractBase>"
           b"<ValidationErrors><ValidationError><Message>Bad thing</Message></ValidationError></ValidationErrors>"
           b"</DataContractBase></Elements></ApiException>")
    with pytest.raises(ValidationError) as exc:
        client(FakeSession(response(400, content=xml, headers={"Content-Type": "text/xml"}))).request(
            "PUT", "Invoices", json={})
    assert exc.value.elements == [{"index": 0, "messages": ["Bad thing"]}]
    assert exc.value.messages == ["Bad thing"]


def test_transient_get_retried_with_backoff():
    s = FakeSession(response(503, content=b""), requests.exceptions.ReadTimeout("slow"), response(200, {"ok": 1}))
    c = client(s, backoff=0.5)
    assert c.get("Invoices") == {"ok": 1}
    assert c.sleeps == [0.5, 1.0]


def test_transient_get_gives_up():
    s = FakeSession(*[response(500, content=b"") for _ in range(4)])
    with pytest.raises(TransientError) as exc:
        client(s, max_retries=3).get("Invoices")
    assert not exc.value.outcome_unknown and len(s.calls) == 4


def test_write_without_key_not_retried():
    s = FakeSession(response(500, content=b""), response(200, {}))
    with pytest.raises(TransientError) as exc:
        client(s).request("PUT", "Invoices", json={"Invoices": []})
    assert exc.value.outcome_unknown is True
    assert len(s.calls) == 1
    s = FakeSession(requests.exceptions.ConnectionError("reset"))
    with pytest.raises(TransientError) as exc:
        client(s).request("POST", "Invoices", json={"Invoices": []})
    assert exc.value.outcome_unknown is True


def test_write_with_key_retried():
    s = FakeSession(requests.exceptions.ReadTimeout("lost"), response(200, {"Invoices": [{"InvoiceID": "a"}]}))
    c = client(s)
    assert c.request("PUT", "Invoices", json={"Invoices": [{}]}, idempotency_key="job-1")["Invoices"]
    assert [x["headers"]["Idempotency-Key"] for x in s.calls] == ["job-1", "job-1"]


def test_429_minute_waits_without_spending_retries():
    s = FakeSession(
        response(429, content=b"", headers={"Retry-After": "7", "X-Rate-Limit-Problem": "minute"}),
        response(429, content=b"", headers={"Retry-After": "3", "X-Rate-Limit-Problem": "minute"}),
        response(200, {"ok": 1}),
    )
    c = client(s, max_retries=0)
    assert c.get("Invoices") == {"ok": 1}
    assert c.sleeps == [7.0, 3.0]


def test_429_minute_with_limiter_sleeps_in_acquire():
    now = [1000.0]
    slept = []

    def sleep(s):
        slept.append(s)
        now[0] += s

    rl = RateLimiter(clock=lambda: now[0], sleep=sleep)
    s = FakeSession(response(429, content=b"", headers={"Retry-After": "7", "X-Rate-Limit-Problem": "minute"}),
                    response(200, {"ok": 1}))
    c = client(s, rate_limiter=rl)
    assert c.get("Invoices") == {"ok": 1}
    assert slept == [pytest.approx(7.0)]
    assert c.sleeps == []
    assert rl.snapshot(TENANT)["in_flight"] == 0


def test_429_day_raises_at_once_and_blocks_limiter():
    rl = RateLimiter(clock=lambda: 1000.0, sleep=lambda s: None)
    s = FakeSession(response(429, content=b"", headers={"Retry-After": "5000", "X-Rate-Limit-Problem": "day"}))
    c = client(s, rate_limiter=rl)
    with pytest.raises(RateLimited) as exc:
        c.get("Invoices")
    assert exc.value.problem == "day" and exc.value.retry_after == 5000
    with pytest.raises(RateLimited):
        c.get("Invoices")  # the limiter refuses without sending
    assert len(s.calls) == 1


def test_429_concurrent_without_retry_after():
    s = FakeSession(response(429, content=b"", headers={"X-Rate-Limit-Problem": "concurrent"}), response(200, {}))
    c = client(s)
    assert c.get("Invoices") == {}
    assert c.sleeps == [1.0]


def test_429_too_long_raises():
    s = FakeSession(response(429, content=b"", headers={"Retry-After": "900", "X-Rate-Limit-Problem": "minute"}))
    with pytest.raises(RateLimited) as exc:
        client(s).get("Invoices")
    assert exc.value.problem == "minute"


def test_other_status_is_xero_error():
    with pytest.raises(XeroError) as exc:
        client(FakeSession(response(418, content=b"teapot"))).request("POST", "Invoices", json={})
    assert exc.value.status == 418


def test_413_is_request_too_large():
    with pytest.raises(RequestTooLarge) as exc:
        client(FakeSession(response(413, content=b"too big"))).request("POST", "Invoices", json={"Invoices": []})
    assert exc.value.status == 413 and "3500000" in exc.value.message


# -- paging ----------------------------------------------------------------------------------------------
def test_iter_records_pages_until_short_page():
    s = FakeSession(response(200, {"Invoices": [{"n": 1}, {"n": 2}]}), response(200, {"Invoices": [{"n": 3}, {"n": 4}]}),
                    response(200, {"Invoices": [{"n": 5}]}))
    c = client(s)
    got = list(c.iter_records("Invoices", page_size=2, ids=["a", "b"], statuses=["DRAFT", "AUTHORISED"],
                              contact_ids=["c"], where='Type=="ACCREC"', order="UpdatedDateUTC"))
    assert [r["n"] for r in got] == [1, 2, 3, 4, 5]
    assert [x["params"]["page"] for x in s.calls] == [1, 2, 3]
    p = s.calls[0]["params"]
    assert p["pageSize"] == 2 and p["IDs"] == "a,b" and p["Statuses"] == "DRAFT,AUTHORISED"
    assert p["ContactIDs"] == "c" and p["where"] == 'Type=="ACCREC"' and p["order"] == "UpdatedDateUTC"


def test_iter_records_is_lazy():
    s = FakeSession(response(200, {"Contacts": [{"n": 1}, {"n": 2}]}), response(200, {"Contacts": []}))
    it = client(s).iter_records("Contacts", page_size=2)
    assert next(it) == {"n": 1}
    assert len(s.calls) == 1
    assert list(it) == [{"n": 2}]
    assert len(s.calls) == 2


def test_iter_records_stops_on_page_count():
    s = FakeSession(response(200, {"Items": [{"n": 1}], "pagination": {"page": 1, "pageCount": 1}}))
    assert len(list(client(s).iter_records("Items", page_size=1))) == 1


# -- batch -----------------------------------------------------------------------------------------------
def _invoice_answer(chunk):
    out = []
    for el in chunk:
        if el.get("bad"):
            out.append({**el, "InvoiceID": "00000000-0000-0000-0000-000000000000", "StatusAttributeString": "ERROR",
                        "ValidationErrors": [{"Message": "Account code '999' is not a valid code for this document."}]})
        else:
            out.append({**el, "InvoiceID": f"id-{el['n']}", "InvoiceNumber": f"INV-{el['n']}", "Status": "DRAFT",
                        "StatusAttributeString": "OK",
                        "Warnings": [{"Message": "Rounded"}] if el["n"] == 1 else []})
    return {"Invoices": out}


def test_batch_write_chunks_keys_and_results():
    elements = [{"n": i, "bad": i == 57} for i in range(120)]
    s = FakeSession(*[response(200, _invoice_answer(elements[i:i + 50])) for i in range(0, 120, 50)])
    results = client(s).batch_write("Invoices", elements, idempotency_key="job-7")
    assert len(results) == 120 and [r.index for r in results] == list(range(120))
    assert [len(json.loads(x["data"])["Invoices"]) for x in s.calls] == [50, 50, 20]
    assert [x["headers"]["Idempotency-Key"] for x in s.calls] == ["job-7-0", "job-7-1", "job-7-2"]
    assert all(x["params"]["summarizeErrors"] == "false" for x in s.calls)
    bad = results[57]
    assert not bad.ok and bad.id is None and "not a valid code" in bad.errors[0]
    good = results[1]
    assert good.ok and good.id == "id-1" and good.number == "INV-1" and good.status == "DRAFT"
    assert good.warnings == ["Rounded"]
    assert sum(r.ok for r in results) == 119


def test_batch_write_whole_chunk_validation_error():
    body = {"Type": "ValidationException", "Message": "JSON for post data was invalid", "Elements": []}
    s = FakeSession(response(400, body), response(200, _invoice_answer([{"n": 3}])))
    results = client(s).batch_write("Invoices", [{"n": 1}, {"n": 2}, {"n": 3}], batch_size=2)
    assert [r.ok for r in results] == [False, False, True]
    assert results[0].errors == ["JSON for post data was invalid"]


def test_batch_write_raises_non_validation():
    s = FakeSession(response(503, content=b""))
    with pytest.raises(TransientError) as exc:
        client(s).batch_write("Contacts", [{"Name": "A"}])
    assert exc.value.outcome_unknown


def test_element_result_fields_per_resource():
    from xero import ElementResult

    assert ElementResult(0, True, {"ContactID": "c", "ContactNumber": "P1"}, resource="Contacts").number == "P1"
    assert ElementResult(0, True, {"ItemID": "i", "Code": "SKU"}, resource="Items").number == "SKU"
    assert ElementResult(0, True, {"PaymentID": "p"}, resource="Payments").id == "p"
    assert ElementResult(0, True, {"QuoteID": "q", "QuoteNumber": "QU-1"}, resource="Quotes").number == "QU-1"
    assert ElementResult(0, True, {"CreditNoteID": "cn"}, resource="CreditNotes").id == "cn"
    assert ElementResult(0, True, {"BankTransactionID": "b"}, resource="BankTransactions").id == "b"
    assert ElementResult(0, True, {"TrackingCategoryID": "t"}, resource="TrackingCategories").id == "t"
    assert ElementResult(0, True, {"AccountID": "a", "Code": "090"}, resource="Accounts").number == "090"


# -- logging ---------------------------------------------------------------------------------------------
def test_logs_never_show_token(caplog):
    caplog.set_level(logging.DEBUG, logger="xero")
    s = FakeSession(response(401, {}), response(500, content=b""), response(200, {"ok": 1}))
    client(s, lambda force: "SECRET-ACCESS-TOKEN").get("Invoices", params={"where": "x"})
    text = caplog.text
    assert "SECRET-ACCESS-TOKEN" not in text
    assert "/api.xro/2.0/Invoices" in text and TENANT in text


# -- OAuth -----------------------------------------------------------------------------------------------
def _jwt(claims):
    def b64(d):
        return base64.urlsafe_b64encode(json.dumps(d).encode()).rstrip(b"=").decode()

    return f"{b64({'alg': 'RS256', 'typ': 'JWT'})}.{b64(claims)}.c2ln"


def test_tokenset_jwt_claims_and_round_trip():
    ts = TokenSet.from_response({
        "access_token": _jwt({"authentication_event_id": "evt-1", "xero_userid": "u"}),
        "refresh_token": "r1", "expires_in": 1800, "token_type": "Bearer",
        "scope": "offline_access accounting.invoices",
        "id_token": _jwt({"email": "a@b.c", "name": "Ann"}),
    }, now=1000.0)
    assert ts.auth_event_id == "evt-1"
    assert ts.id_claims["email"] == "a@b.c"
    assert ts.expires_at == 2800.0
    assert ts.scope == ("offline_access", "accounting.invoices")
    assert ts.expires_within(60, now=2750.0) and not ts.expires_within(60, now=1000.0)
    again = TokenSet.from_dict(json.loads(json.dumps(ts.to_dict())))
    assert again == ts
    assert "r1" not in repr(ts)
    opaque = TokenSet("opaque", None, 0)
    assert opaque.auth_event_id is None and opaque.id_claims == {}


def test_authorize_url():
    oauth = OAuth(EP, "cid", "csecret")
    url = oauth.authorize_url("https://odoo.test/xero/oauth/callback", "st/ate")
    assert url.startswith("https://login.test/identity/connect/authorize?response_type=code&client_id=cid")
    assert "redirect_uri=https%3A%2F%2Fodoo.test%2Fxero%2Foauth%2Fcallback" in url
    assert "scope=offline_access%20openid%20profile%20email%20accounting.settings" in url
    assert "state=st%2Fate" in url


def test_exchange_and_refresh():
    s = FakeSession(response(200, {"access_token": "a1", "refresh_token": "r1", "expires_in": 1800}),
                    response(200, {"access_token": "a2", "refresh_token": "r2", "expires_in": 1800}))
    oauth = OAuth(EP, "cid", "csecret", session=s, clock=lambda: 100.0)
    ts = oauth.exchange_code("the-code", "https://cb")
    assert (ts.access_token, ts.refresh_token, ts.expires_at) == ("a1", "r1", 1900.0)
    assert s.calls[0]["url"] == "https://identity.test/connect/token"
    assert s.calls[0]["auth"] == ("cid", "csecret")
    assert s.calls[0]["data"] == {"grant_type": "authorization_code", "code": "the-code", "redirect_uri": "https://cb"}
    assert oauth.refresh("r1").refresh_token == "r2"
    assert s.calls[1]["data"] == {"grant_type": "refresh_token", "refresh_token": "r1"}


@pytest.mark.parametrize(
    ("resp", "exc"),
    [
        (response(400, {"error": "invalid_grant"}), ReconnectNeeded),
        (response(400, {"error": "invalid_client"}), ConfigurationError),
        (response(401, {"error": "invalid_client"}), ConfigurationError),
        (response(400, {"error": "unauthorized_client"}), ConfigurationError),
        (response(502, content=b"bad gateway"), TransientError),
        (requests.exceptions.ConnectionError("down"), TransientError),
    ],
)
def test_token_errors(resp, exc, caplog):
    caplog.set_level(logging.DEBUG, logger="xero")
    s = FakeSession(resp)
    with pytest.raises(exc) as info:
        OAuth(EP, "cid", "csecret", session=s).refresh("REFRESH-SECRET")
    assert len(s.calls) == 1  # never retried blindly
    assert "REFRESH-SECRET" not in caplog.text and "csecret" not in caplog.text
    assert "REFRESH-SECRET" not in str(info.value) and "REFRESH-SECRET" not in info.value.detail


def test_revoke_and_connections():
    conns = [{"id": "c1", "tenantId": "t1", "tenantName": "Demo", "tenantType": "ORGANISATION", "authEventId": "e"}]
    s = FakeSession(response(200, conns), response(204), response(200, content=b""))
    oauth = OAuth(EP, "cid", "csecret", session=s)
    assert oauth.connections("acc", auth_event_id="e") == conns
    assert s.calls[0]["params"] == {"authEventId": "e"}
    assert s.calls[0]["headers"]["Authorization"] == "Bearer acc"
    oauth.delete_connection("acc", "c1")
    assert s.calls[1]["method"] == "DELETE" and s.calls[1]["url"] == "https://api.test/connections/c1"
    oauth.revoke("r1")
    assert s.calls[2]["url"] == "https://identity.test/connect/revocation"
    assert s.calls[2]["data"] == {"token": "r1"}


def test_401_missing_scope_is_reconnect_without_refresh():
    calls = []
    s = FakeSession(response(401, {"Title": "Unauthorized", "Detail": "AuthorizationUnsuccessful"},
                             {"WWW-Authenticate": 'Bearer error="insufficient_scope"'}))
    with pytest.raises(ReconnectNeeded):
        client(s, lambda force: calls.append(force) or "t").get("Payments")
    assert calls == [False] and len(s.calls) == 1


def test_403_other_reason_is_plain_error_and_bad_url_is_configuration():
    with pytest.raises(XeroError) as exc:
        client(FakeSession(response(403, {"Title": "Forbidden", "Detail": "Organisation is not subscribed"}))).get("X")
    assert not isinstance(exc.value, ReconnectNeeded) and exc.value.status == 403
    bad = XeroClient(Endpoints(api_url="not a url"), TENANT, "t", session=requests.Session())
    with pytest.raises(ConfigurationError):
        bad.get("Invoices")
    with pytest.raises(ConfigurationError):
        OAuth(Endpoints(identity_url="nope"), "c", "s").refresh("r")
