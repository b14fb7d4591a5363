"""The xero library against the sandbox (a local Xero emulator) over real HTTP on loopback."""
import itertools
import time
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

server = pytest.importorskip("sandbox.server")

from xero import (  # noqa: E402
    DEFAULT_SCOPES,
    AuthExpired,
    Endpoints,
    OAuth,
    RateLimited,
    RateLimiter,
    ReconnectNeeded,
    RequestTooLarge,
    TransientError,
    ValidationError,
    XeroClient,
)
from xero.client import MAX_REQUEST_BYTES, encoded_size  # noqa: E402
from xero.outbox import cut_to_size  # noqa: E402

CLIENT_ID = "lib-test-client"
CLIENT_SECRET = "lib-test-secret"
REDIRECT = "http://127.0.0.1:8069/xero/oauth/callback"


@pytest.fixture(scope="module")
def lib_sandbox():
    handle = server.start(port=0)
    yield handle
    handle.stop()


class Sandbox:
    """Thin helper over the sandbox's control API."""

    def __init__(self, handle):
        self.url = handle.url
        self.http = requests.Session()

    def ctl(self, method, path, json=None, **params):
        r = self.http.request(method, f"{self.url}/_sandbox/{path}", json=json, params=params or None, timeout=10)
        assert r.status_code == 200, (path, r.status_code, r.text[:300])
        return r.json()

    @property
    def endpoints(self):
        return Endpoints(self.url, self.url, self.url)


@pytest.fixture
def sb(lib_sandbox):
    s = Sandbox(lib_sandbox)
    s.ctl("POST", "reset", {"config": True})
    s.ctl("POST", "config", {"auto_approve": True})
    s.ctl("POST", "apps", {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "redirect_uris": [REDIRECT]})
    yield s
    # every request the library sent matched Xero's OpenAPI spec (the sandbox checks them)
    assert s.ctl("GET", "spec-violations") == []


def consent(sb, oauth, state="st-1", scopes=DEFAULT_SCOPES):
    """Follow the authorize URL (auto-approved) and return the code from the redirect."""
    url = oauth.authorize_url(REDIRECT, state, scopes)
    r = requests.get(url, allow_redirects=False, timeout=10)
    assert r.status_code in (302, 303), r.text[:300]
    location = r.headers["Location"]
    assert location.startswith(REDIRECT)
    query = parse_qs(urlsplit(location).query)
    assert query["state"] == [state]
    return query["code"][0]


@pytest.fixture
def connected(sb):
    """(oauth, tokenset, tenant_id) after a full consent."""
    oauth = OAuth(sb.endpoints, CLIENT_ID, CLIENT_SECRET)
    tokens = oauth.exchange_code(consent(sb, oauth), REDIRECT)
    conns = oauth.connections(tokens.access_token, tokens.auth_event_id)
    tenant = sorted(c["tenantId"] for c in conns)[0]
    return oauth, tokens, tenant


def make_client(sb, tokens, tenant, **kw):
    kw.setdefault("backoff", 0.01)
    return XeroClient(sb.endpoints, tenant, tokens.access_token, **kw)


def contact_id(client, name="Library Test Customer"):
    body = client.request("POST", "Contacts", json={"Contacts": [{"Name": name}]}, idempotency_key=f"contact-{name}")
    return body["Contacts"][0]["ContactID"]


def invoice(contact, n, account="200"):
    return {"Type": "ACCREC", "Contact": {"ContactID": contact}, "Reference": f"REF-{n}", "Status": "DRAFT",
            "LineAmountTypes": "Exclusive", "Date": "2026-01-15", "DueDate": "2026-02-15",
            "LineItems": [{"Description": f"Line {n}", "Quantity": 1, "UnitAmount": 10 + n, "AccountCode": account}]}


def invoices_in_sandbox(sb, tenant):
    return sb.ctl("GET", f"orgs/{tenant}/Invoices")["Invoices"]


# -- OAuth ---------------------------------------------------------------------------------------------
def test_full_oauth_flow(sb):
    oauth = OAuth(sb.endpoints, CLIENT_ID, CLIENT_SECRET)
    code = consent(sb, oauth)
    tokens = oauth.exchange_code(code, REDIRECT)
    assert tokens.access_token and tokens.refresh_token
    assert tokens.expires_at == pytest.approx(time.time() + 1800, abs=60)
    assert tokens.auth_event_id
    assert tokens.id_claims.get("email")
    assert "accounting.invoices" in tokens.scope

    # the code is single use
    with pytest.raises(ReconnectNeeded):
        oauth.exchange_code(code, REDIRECT)

    conns = oauth.connections(tokens.access_token, tokens.auth_event_id)
    assert conns and all(c["authEventId"] == tokens.auth_event_id for c in conns)
    assert {"id", "tenantId", "tenantName", "tenantType"} <= set(conns[0])
    assert len(oauth.connections(tokens.access_token)) == len(conns)

    # refresh rotates the refresh token
    second = oauth.refresh(tokens.refresh_token)
    assert second.refresh_token != tokens.refresh_token
    assert second.access_token != tokens.access_token
    # a lost refresh answer: the previous refresh token still works within the grace period
    third = oauth.refresh(tokens.refresh_token)
    assert third.refresh_token not in (tokens.refresh_token, second.refresh_token)
    client = XeroClient(sb.endpoints, conns[0]["tenantId"], third.access_token)
    assert client.get("Organisation")["Organisations"]

    # revoke: every later refresh is invalid_grant → ReconnectNeeded
    oauth.revoke(third.refresh_token)
    with pytest.raises(ReconnectNeeded):
        oauth.refresh(third.refresh_token)
    with pytest.raises((ReconnectNeeded, AuthExpired)):
        oauth.connections(third.access_token)


def test_oauth_configuration_errors(sb):
    wrong = OAuth(sb.endpoints, CLIENT_ID, "not-the-secret")
    from xero import ConfigurationError

    with pytest.raises(ConfigurationError):
        wrong.refresh("whatever")
    oauth = OAuth(sb.endpoints, CLIENT_ID, CLIENT_SECRET)
    with pytest.raises(ReconnectNeeded):
        oauth.refresh("not-a-refresh-token")


def test_delete_connection(connected):
    oauth, tokens, tenant = connected
    conns = oauth.connections(tokens.access_token)
    target = next(c for c in conns if c["tenantId"] == tenant)
    oauth.delete_connection(tokens.access_token, target["id"])
    assert tenant not in {c["tenantId"] for c in oauth.connections(tokens.access_token)}
    # the tenant is no longer connected: the API answers 403 AuthenticationUnsuccessful
    with pytest.raises(ReconnectNeeded) as exc:
        make_client(sb_of(oauth), tokens, tenant).get("Invoices")
    assert exc.value.status == 403


def sb_of(oauth):
    class _S:
        endpoints = oauth.endpoints

    return _S()


def test_unknown_tenant_is_reconnect_needed(sb, connected):
    _oauth, tokens, _tenant = connected
    with pytest.raises(ReconnectNeeded):
        make_client(sb, tokens, "00000000-0000-0000-0000-00000000abcd").get("Contacts")


def test_401_refreshes_once(sb, connected):
    oauth, tokens, tenant = connected
    holder = {"tokens": tokens, "calls": []}

    def token(force_refresh):
        holder["calls"].append(force_refresh)
        if force_refresh:
            holder["tokens"] = oauth.refresh(holder["tokens"].refresh_token)
        return holder["tokens"].access_token

    client = XeroClient(sb.endpoints, tenant, token)
    assert client.get("Organisation")
    sb.ctl("POST", "tokens/expire")
    assert client.get("Organisation")["Organisations"]
    assert holder["calls"] == [False, False, True]

    # a token source that cannot produce a valid token: second 401 → AuthExpired
    sb.ctl("POST", "tokens/expire")
    with pytest.raises(AuthExpired):
        XeroClient(sb.endpoints, tenant, lambda force: tokens.access_token).get("Organisation")


# -- rate limits -------------------------------------------------------------------------------------------
def test_429_minute_waits_retry_after_then_succeeds(sb, connected):
    _oauth, tokens, tenant = connected
    sb.ctl("POST", "config", {"minute_limit": 2, "minute_window": 1})
    client = make_client(sb, tokens, tenant, max_retries=0)
    started = time.monotonic()
    for _ in range(3):
        assert client.get("Organisation")
    assert time.monotonic() - started >= 0.5
    log = sb.ctl("GET", "log", tenant=tenant)
    assert [e["rate_limit_problem"] for e in log].count("minute") >= 1
    assert client.last_limits.get("day") is not None


def test_429_minute_with_shared_limiter(sb, connected):
    _oauth, tokens, tenant = connected
    sb.ctl("POST", "faults", {"tenant_id": tenant, "kind": "429", "problem": "minute", "retry_after": 1, "count": 1})
    limiter = RateLimiter()
    client = make_client(sb, tokens, tenant, rate_limiter=limiter)
    assert client.get("Organisation")
    snap = limiter.snapshot(tenant)
    assert snap["in_flight"] == 0 and snap["minute_remaining"] is not None


def test_429_day_raises(sb, connected):
    _oauth, tokens, tenant = connected
    sb.ctl("POST", "config", {"day_limit": 1})
    limiter = RateLimiter()
    client = make_client(sb, tokens, tenant, rate_limiter=limiter)
    client.get("Organisation")
    started = time.monotonic()
    with pytest.raises(RateLimited) as exc:
        client.get("Organisation")
    assert exc.value.problem == "day" and exc.value.retry_after > 3600
    assert time.monotonic() - started < 5
    calls = len(sb.ctl("GET", "log", tenant=tenant))
    with pytest.raises(RateLimited):
        client.get("Organisation")  # refused locally, nothing sent
    assert len(sb.ctl("GET", "log", tenant=tenant)) == calls


def test_429_concurrent_retried(sb, connected):
    _oauth, tokens, tenant = connected
    sb.ctl("POST", "faults", {"tenant_id": tenant, "kind": "429", "problem": "concurrent", "count": 1})
    client = make_client(sb, tokens, tenant, max_retries=0, rate_limiter=RateLimiter(concurrent_penalty=0.2))
    assert client.get("Organisation")["Organisations"]
    statuses = [e["status"] for e in sb.ctl("GET", "log", tenant=tenant)]
    assert statuses == [429, 200]


def test_real_concurrency_limit_respected_by_limiter(sb, connected):
    import threading

    _oauth, tokens, tenant = connected
    sb.ctl("POST", "config", {"concurrency": 2})
    sb.ctl("POST", "faults", {"tenant_id": tenant, "kind": "latency", "seconds": 0.1, "count": 8})
    limiter = RateLimiter(concurrency=2)
    errors = []

    def work():
        try:
            make_client(sb, tokens, tenant, rate_limiter=limiter, max_retries=0).get("Organisation")
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors
    assert all(e["status"] == 200 for e in sb.ctl("GET", "log", tenant=tenant))


# -- writes ----------------------------------------------------------------------------------------------------
def test_batch_of_50_with_one_invalid(sb, connected):
    _oauth, tokens, tenant = connected
    client = make_client(sb, tokens, tenant)
    cid = contact_id(client)
    before = len(invoices_in_sandbox(sb, tenant))
    elements = [invoice(cid, i, account="99999" if i == 25 else "200") for i in range(50)]
    results = client.batch_write("Invoices", elements, idempotency_key="batch-job-1")
    assert len(results) == 50 and [r.index for r in results] == list(range(50))
    ok = [r for r in results if r.ok]
    assert len(ok) == 49 and all(r.id and r.number for r in ok)
    bad = results[25]
    assert not bad.ok and bad.id is None and bad.errors
    assert any("99999" in m or "account" in m.lower() for m in bad.errors), bad.errors
    assert len(invoices_in_sandbox(sb, tenant)) == before + 49
    log = [e for e in sb.ctl("GET", "log", tenant=tenant) if e["method"] == "POST" and e["path"].endswith("/Invoices")]
    assert len(log) == 1 and "summarizeErrors=false" in log[0]["query"]
    assert log[0]["idempotency_key"] == "batch-job-1-0"


def test_request_sizes_as_sent_and_the_413_of_a_call_too_large(sb, connected):
    """encoded_size is the body's size as the client sends it; cut_to_size keeps a call under Xero's 3.5 MB:
    the call it allows goes through, the one it would not is a 413 (RequestTooLarge) and creates nothing."""
    _oauth, tokens, tenant = connected
    client = make_client(sb, tokens, tenant)
    cid = contact_id(client)
    elements = [invoice(cid, i) for i in range(3)]
    elements[1]["Reference"] = "é" * 1_200_000  # 2.4 MB in UTF-8
    elements[2]["Reference"] = "x" * 1_200_000
    base = encoded_size({"Invoices": []})
    sizes = [encoded_size(e) for e in elements]
    assert base + sum(sizes) + 2 * 2 == encoded_size({"Invoices": elements})
    send, too_large, later = cut_to_size(base, sizes, MAX_REQUEST_BYTES)
    assert (send, too_large, later) == ([0, 1], [], [2]), "the third would take the call over 3.5 MB"
    assert len(client.batch_write("Invoices", [elements[i] for i in send])) == 2  # answered, not a 413
    before = len(invoices_in_sandbox(sb, tenant))
    with pytest.raises(RequestTooLarge):
        client.batch_write("Invoices", elements)
    assert len(invoices_in_sandbox(sb, tenant)) == before
    statuses = [e["status"] for e in sb.ctl("GET", "log", tenant=tenant) if e["path"].endswith("/Invoices")]
    assert statuses[-2:] == [200, 413], statuses
    elements[0]["Reference"] = "x" * MAX_REQUEST_BYTES
    assert cut_to_size(base, [encoded_size(e) for e in elements], MAX_REQUEST_BYTES) == ([1], [0], [2])


def test_unit_amounts_keep_four_decimals(sb, connected):
    """Xero rounds a line's UnitAmount to 2 decimals unless the request says unitdp=4: 10.8133 × 3 would
    be a 32.43 invoice for 32.44 paid. The library asks for 4 on every write of a document."""
    _oauth, tokens, tenant = connected
    client = make_client(sb, tokens, tenant)
    line = {"Description": "Seat", "Quantity": 3, "UnitAmount": 10.8133, "AccountCode": "200"}
    element = {**invoice(contact_id(client), 7), "LineAmountTypes": "NoTax", "LineItems": [line]}
    [sent] = client.batch_write("Invoices", [element])
    assert sent.ok, sent.errors
    assert (sent.data["LineItems"][0]["UnitAmount"], sent.data["Total"]) == (10.8133, 32.44)
    log = [e for e in sb.ctl("GET", "log", tenant=tenant) if e["method"] == "POST" and e["path"].endswith("/Invoices")]
    assert "unitdp=4" in log[-1]["query"]
    contacts = [e for e in sb.ctl("GET", "log", tenant=tenant) if e["path"].endswith("/Contacts")]
    assert "unitdp" not in contacts[-1]["query"], "only documents with line items"
    # The same invoice without unitdp (as Xero documents it): 2 decimals.
    bare = client.request("POST", "Invoices", json={"Invoices": [{**element, "Reference": "REF-2dp"}]})
    assert (bare["Invoices"][0]["LineItems"][0]["UnitAmount"], bare["Invoices"][0]["Total"]) == (10.81, 32.43)


def test_write_one_to_a_records_endpoint(sb, connected):
    _oauth, tokens, tenant = connected
    client = make_client(sb, tokens, tenant)
    [inv] = client.batch_write("Invoices", [{**invoice(contact_id(client), 1), "Status": "AUTHORISED"}])
    [pay] = client.batch_write("Payments", [{"Invoice": {"InvoiceID": inv.id}, "Account": {"Code": "090"},
                                             "Amount": 11, "Date": "2026-01-20"}], method="PUT")
    assert pay.ok, pay.errors
    deleted = client.write_one(f"Payments/{pay.id}", {"Status": "DELETED"}, idempotency_key="del-1")
    assert deleted.ok and deleted.id == pay.id and deleted.data["Status"] == "DELETED"
    log = [e for e in sb.ctl("GET", "log", tenant=tenant) if e["path"].endswith(f"/Payments/{pay.id}")]
    assert [(e["method"], e["idempotency_key"]) for e in log] == [("POST", "del-1")]
    again = client.write_one(f"Payments/{pay.id}", {"Status": "DELETED"})
    assert not again.ok and any("already been deleted" in m for m in again.errors), "Xero's refusal is the result"
    assert client.get(f"Invoices/{inv.id}")["Invoices"][0]["Status"] == "AUTHORISED"


def test_batch_write_chunks_over_50(sb, connected):
    _oauth, tokens, tenant = connected
    client = make_client(sb, tokens, tenant)
    elements = [{"Name": f"Batch Contact {i}", "ContactNumber": f"BC-{i}"} for i in range(60)]
    results = client.batch_write("Contacts", elements, idempotency_key="contacts-job")
    assert [r.ok for r in results] == [True] * 60
    assert results[59].number == "BC-59" and results[0].id
    posts = [e for e in sb.ctl("GET", "log", tenant=tenant) if e["method"] == "POST"]
    assert [p["idempotency_key"] for p in posts] == ["contacts-job-0", "contacts-job-1"]


def test_lost_response_with_idempotency_key_exactly_one_record(sb, connected):
    _oauth, tokens, tenant = connected
    client = make_client(sb, tokens, tenant)
    cid = contact_id(client)
    before = len(invoices_in_sandbox(sb, tenant))
    sb.ctl("POST", "faults", {"tenant_id": tenant, "kind": "lost_response", "method": "PUT", "count": 1})
    body = client.request("PUT", "Invoices", json={"Invoices": [invoice(cid, 1)]}, idempotency_key="job-lost-1",
                          params={"summarizeErrors": "false"})
    assert body["Invoices"][0]["InvoiceID"]
    assert len(invoices_in_sandbox(sb, tenant)) == before + 1
    puts = [e for e in sb.ctl("GET", "log", tenant=tenant) if e["method"] == "PUT"]
    assert len(puts) == 2 and puts[1].get("idempotent_replay")


def test_write_without_key_not_retried(sb, connected):
    _oauth, tokens, tenant = connected
    client = make_client(sb, tokens, tenant)
    cid = contact_id(client)
    before = len(invoices_in_sandbox(sb, tenant))
    sb.ctl("POST", "faults", {"tenant_id": tenant, "kind": "lost_response", "method": "PUT", "count": 1})
    with pytest.raises(TransientError) as exc:
        client.request("PUT", "Invoices", json={"Invoices": [invoice(cid, 2)]})
    assert exc.value.outcome_unknown is True
    assert len([e for e in sb.ctl("GET", "log", tenant=tenant) if e["method"] == "PUT"]) == 1
    assert len(invoices_in_sandbox(sb, tenant)) == before + 1  # it was applied: look up before re-creating

    sb.ctl("POST", "faults", {"tenant_id": tenant, "kind": "500", "method": "POST", "count": 1})
    with pytest.raises(TransientError) as exc:
        client.request("POST", "Contacts", json={"Contacts": [{"Name": "Never retried"}]})
    assert exc.value.outcome_unknown and exc.value.status == 500


def test_transient_503_retried_on_get(sb, connected):
    _oauth, tokens, tenant = connected
    sb.ctl("POST", "faults", {"tenant_id": tenant, "kind": "503", "count": 2})
    client = make_client(sb, tokens, tenant, max_retries=3)
    assert client.get("Organisation")["Organisations"]
    assert [e["status"] for e in sb.ctl("GET", "log", tenant=tenant)] == [503, 503, 200]

    sb.ctl("POST", "faults", {"tenant_id": tenant, "kind": "reset", "method": "GET", "count": 1})
    assert client.get("Organisation")["Organisations"]


def test_validation_error_json_and_xml(sb, connected):
    _oauth, tokens, tenant = connected
    seen = []
    session = requests.Session()
    session.hooks["response"].append(lambda r, *a, **k: seen.append(r.headers.get("Content-Type", "")))
    client = make_client(sb, tokens, tenant, session=session)
    bad = {"Invoices": [{"Type": "NOT-A-TYPE", "Contact": {"Name": "Someone"}}]}
    with pytest.raises(ValidationError) as exc:
        client.request("PUT", "Invoices", json=bad)
    assert exc.value.messages and exc.value.elements and exc.value.elements[0]["index"] == 0
    # the same refusal as Xero's XML body
    with pytest.raises(ValidationError) as exc_xml:
        client.request("PUT", "Invoices", json=bad, headers={"Accept": "application/xml"})
    assert "json" in seen[0] and "xml" in seen[1]
    assert exc_xml.value.messages == exc.value.messages
    assert exc_xml.value.elements == exc.value.elements


def test_get_by_id_and_not_found(sb, connected):
    _oauth, tokens, tenant = connected
    client = make_client(sb, tokens, tenant)
    cid = contact_id(client)
    assert client.get_by_id("Contacts", cid)["ContactID"] == cid
    assert client.get_by_id("Contacts", "00000000-0000-0000-0000-000000000001") is None


# -- reading ---------------------------------------------------------------------------------------------------
def test_collections_xero_does_not_page_are_read_in_one_call(sb, connected):
    """Items, Accounts, TaxRates, TrackingCategories… ignore page/pageSize and answer their whole list: paging
    through them would ask for "page 2" forever once they hold a full page."""
    _oauth, tokens, tenant = connected
    client = make_client(sb, tokens, tenant)
    made = client.batch_write("Items", [{"Code": f"PAGE-{i}", "Name": f"Paging item {i}"} for i in range(3)])
    assert all(r.ok for r in made), [r.errors for r in made]
    everything = sb.ctl("GET", f"orgs/{tenant}/Items")["Items"]
    assert len(client.get("Items", params={"page": 2, "pageSize": 2})["Items"]) == len(everything), "page ignored"
    sb.ctl("DELETE", "log")
    records = list(itertools.islice(client.iter_records("Items", page_size=2), 50))
    assert len(records) == len(everything) >= 3
    assert len([e for e in sb.ctl("GET", "log", tenant=tenant) if e["path"].endswith("/Items")]) == 1


def test_paging_filters_and_if_modified_since(sb, connected):
    _oauth, tokens, tenant = connected
    client = make_client(sb, tokens, tenant)
    created = client.batch_write("Contacts", [{"Name": f"Paging Contact {i}"} for i in range(25)])
    assert all(r.ok for r in created)
    total = len(sb.ctl("GET", f"orgs/{tenant}/Contacts")["Contacts"])
    sb.ctl("DELETE", "log")
    records = list(client.iter_records("Contacts", page_size=10))
    assert len(records) == total and len({r["ContactID"] for r in records}) == total
    pages = [e for e in sb.ctl("GET", "log", tenant=tenant) if e["path"].endswith("/Contacts")]
    assert len(pages) == total // 10 + 1
    assert "pageSize=10" in pages[0]["query"] and "page=1" in pages[0]["query"]

    ids = [created[0].id, created[3].id]
    assert sorted(r["ContactID"] for r in client.iter_records("Contacts", ids=ids)) == sorted(ids)

    cid = created[0].id
    inv = client.batch_write("Invoices", [invoice(cid, 1), {**invoice(cid, 2), "Status": "AUTHORISED"}])
    assert all(r.ok for r in inv), [r.errors for r in inv]
    statuses = {r["Status"] for r in client.iter_records("Invoices", statuses=["AUTHORISED"], contact_ids=[cid])}
    assert statuses == {"AUTHORISED"}
    assert {r["InvoiceID"] for r in client.iter_records("Invoices", contact_ids=[cid])} == {r.id for r in inv}

    # If-Modified-Since: only what changed after the mark (to the second)
    sb.ctl("POST", "clock", {"advance": 120})
    mark = datetime.fromtimestamp(sb.ctl("GET", "clock")["now"], timezone.utc) - timedelta(seconds=1)
    changed = client.batch_write("Contacts", [{"ContactID": created[5].id, "Name": "Paging Contact 5 renamed"}])
    assert changed[0].ok
    recent = list(client.iter_records("Contacts", if_modified_since=mark))
    assert [r["ContactID"] for r in recent] == [created[5].id]
    ims = [e for e in sb.ctl("GET", "log", tenant=tenant) if e["path"].endswith("/Contacts")]
    assert ims
