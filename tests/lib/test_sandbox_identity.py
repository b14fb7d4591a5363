"""The sandbox's identity service behaves like Xero's: consent, code exchange, rotation, revocation, tenants."""
import base64
import json

import pytest
import requests
from sandbox_fixtures import ALL_SCOPES, REDIRECT_URI, SandboxClient


def _payload(jwt):
    p = jwt.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4)))


def test_consent_page_lists_orgs_and_code_exchange(sandbox_server):
    c = SandboxClient(sandbox_server)
    r = c.http.get(c.url + "/identity/connect/authorize", params={
        "response_type": "code", "client_id": c.client_id, "redirect_uri": REDIRECT_URI, "scope": ALL_SCOPES,
        "state": "abc"}, allow_redirects=False)
    assert r.status_code == 200
    assert "Demo Company (Global)" in r.text and "Sandbox Trading Ltd" in r.text
    assert "Allow access" in r.text and "Cancel" in r.text
    orgs = list(sandbox_server.app.state.orgs)
    q = c.authorize(tenants=[orgs[1]], state="abc")
    assert q["state"] == "abc" and q["code"]
    r = c.exchange(q["code"])
    assert r.status_code == 200
    tok = r.json()
    assert tok["expires_in"] == 1800 and tok["token_type"] == "Bearer" and tok["refresh_token"]
    p = _payload(tok["access_token"])
    assert p["iss"] == "https://identity.xero.com" and p["aud"] == "https://identity.xero.com/resources"
    assert p["exp"] - p["nbf"] == 1800 and "accounting.invoices" in p["scope"]
    for k in ("client_id", "sub", "auth_time", "xero_userid", "global_session_id", "jti", "authentication_event_id"):
        assert k in p
    assert _payload(tok["id_token"])["email"] == "demo@sandbox.local"
    c.tokens = tok
    conns = c.connections()
    assert [x["tenantId"] for x in conns] == [orgs[1]]
    assert conns[0]["authEventId"] == p["authentication_event_id"]
    assert conns[0]["tenantType"] == "ORGANISATION" and conns[0]["tenantName"] == "Sandbox Trading Ltd"
    # single use: the same code again is refused
    assert c.exchange(q["code"]).json() == {"error": "invalid_grant"}


def test_cancel_unknown_client_bad_redirect_and_scope(sandbox_server):
    c = SandboxClient(sandbox_server)
    assert c.authorize(action="cancel", state="s1") == {"error": "access_denied", "state": "s1"}
    base = {"response_type": "code", "client_id": c.client_id, "redirect_uri": REDIRECT_URI, "scope": ALL_SCOPES}
    r = c.http.get(c.url + "/identity/connect/authorize", params=dict(base, client_id="nope"), allow_redirects=False)
    assert r.status_code == 400 and "Location" not in r.headers
    r = c.http.get(c.url + "/identity/connect/authorize", params=dict(base, redirect_uri=REDIRECT_URI + "/x"),
                   allow_redirects=False)
    assert r.status_code == 400 and "Location" not in r.headers
    r = c.http.get(c.url + "/identity/connect/authorize", params=dict(base, scope="accounting.everything", state="z"),
                   allow_redirects=False)
    assert r.status_code == 302 and "error=invalid_scope" in r.headers["Location"] and "state=z" in r.headers["Location"]


def test_code_expiry_redirect_mismatch_and_bad_client(sandbox_server):
    c = SandboxClient(sandbox_server)
    q = c.authorize()
    assert c.exchange(q["code"], redirect_uri="http://127.0.0.1:8069/other").json() == {"error": "invalid_grant"}
    q = c.authorize()
    c.control("POST", "clock", {"advance": 301})
    assert c.exchange(q["code"]).status_code == 400
    q = c.authorize()
    c.control("POST", "clock", {"advance": 290})
    bad = requests.post(c.url + "/connect/token", auth=(c.client_id, "wrong"),
                        data={"grant_type": "authorization_code", "code": q["code"], "redirect_uri": REDIRECT_URI})
    assert bad.status_code == 401 and bad.json() == {"error": "invalid_client"}
    assert c.exchange(q["code"]).status_code == 200
    # client credentials in the form are accepted too
    q = c.authorize()
    r = requests.post(c.url + "/connect/token", data={"grant_type": "authorization_code", "code": q["code"],
                                                      "redirect_uri": REDIRECT_URI, "client_id": c.client_id,
                                                      "client_secret": c.client_secret})
    assert r.status_code == 200


def test_auto_approve_redirects_at_once(sandbox_factory):
    h = sandbox_factory(auto_approve=True)
    c = SandboxClient(h)
    r = c.http.get(c.url + "/identity/connect/authorize", allow_redirects=False, params={
        "response_type": "code", "client_id": c.client_id, "redirect_uri": REDIRECT_URI, "scope": ALL_SCOPES,
        "state": "q"})
    assert r.status_code == 302 and "code=" in r.headers["Location"]
    c.connect()
    assert len(c.connections()) == 2


def test_refresh_rotation_grace_and_two_children(sandbox_client):
    c = sandbox_client
    rt0 = c.tokens["refresh_token"]
    r1 = c.refresh(rt0)
    assert r1.status_code == 200
    rt1 = r1.json()["refresh_token"]
    assert rt1 != rt0
    # lost response: the previous token may be used again within 30 minutes; the earlier child dies
    c.control("POST", "clock", {"advance": 600})
    r2 = c.refresh(rt0)
    assert r2.status_code == 200
    rt2 = r2.json()["refresh_token"]
    assert c.refresh(rt1).json() == {"error": "invalid_grant"}  # the other process's child
    r3 = c.refresh(rt2)
    assert r3.status_code == 200
    # rt0 is now two generations back
    assert c.refresh(rt0).json() == {"error": "invalid_grant"}
    # grace is 30 minutes after first use
    rt3 = r3.json()["refresh_token"]
    assert c.refresh(rt3).status_code == 200
    c.control("POST", "clock", {"advance": 1801})
    assert c.refresh(rt3).json() == {"error": "invalid_grant"}
    assert c.refresh("unknown-token").status_code == 400


def test_refresh_token_expires_after_60_days_unused(sandbox_client):
    c = sandbox_client
    rt = c.tokens["refresh_token"]
    c.control("POST", "clock", {"advance": 59 * 86400})
    r = c.refresh(rt)
    assert r.status_code == 200
    rt2 = r.json()["refresh_token"]
    c.control("POST", "clock", {"advance": 60 * 86400 + 1})
    assert c.refresh(rt2).json() == {"error": "invalid_grant"}


def test_no_refresh_token_without_offline_access(sandbox_server):
    c = SandboxClient(sandbox_server).connect(scope="accounting.settings accounting.contacts")
    assert "refresh_token" not in c.tokens


def test_access_token_expiry_gives_401(sandbox_client):
    c = sandbox_client
    assert c.get("Organisation").status_code == 200
    c.control("POST", "clock", {"advance": 1801})
    r = c.get("Organisation")
    assert r.status_code == 401
    assert 'error="invalid_token"' in r.headers["WWW-Authenticate"]
    body = r.json()
    assert body["Title"] == "Unauthorized" and body["Detail"].startswith("TokenExpired: token expired at")
    new = c.refresh(c.tokens["refresh_token"]).json()
    assert c.get("Organisation", token=new["access_token"]).status_code == 200
    c.control("POST", "tokens/expire")
    assert c.get("Organisation", token=new["access_token"]).status_code == 401
    assert c.get("Organisation", token="garbage").status_code == 401


def test_tenant_header_missing_unknown_or_not_connected(sandbox_server):
    orgs = list(sandbox_server.app.state.orgs)
    c = SandboxClient(sandbox_server).connect(tenants=[orgs[0]])
    assert c.get("Organisation").status_code == 200
    for tenant in ("", "00000000-0000-0000-0000-000000000000", orgs[1]):
        r = c.get("Organisation", tenant=tenant)
        assert r.status_code == 403
        assert r.json()["Detail"] == "AuthenticationUnsuccessful"


def test_missing_scope_is_refused(sandbox_server):
    c = SandboxClient(sandbox_server).connect(scope="offline_access accounting.contacts.read")
    assert c.get("Contacts").status_code == 200
    r = c.put("Contacts", {"Contacts": [{"Name": "X"}]})
    assert r.status_code == 401 and "insufficient_scope" in r.headers["WWW-Authenticate"]
    assert c.get("Invoices").status_code == 401


def test_delete_connection_and_revocation(sandbox_client):
    c = sandbox_client
    conns = c.connections()
    assert len(conns) == 2 and len({x["authEventId"] for x in conns}) == 1
    assert len(c.connections(authEventId=conns[0]["authEventId"])) == 2
    assert c.connections(authEventId="00000000-0000-0000-0000-000000000000") == []
    h = {"Authorization": "Bearer " + c.tokens["access_token"]}
    r = c.http.delete(c.url + "/connections/" + conns[0]["id"], headers=h)
    assert r.status_code == 204
    assert c.http.delete(c.url + "/connections/" + conns[0]["id"], headers=h).status_code == 404
    assert c.get("Organisation", tenant=conns[0]["tenantId"]).status_code == 403
    assert c.get("Organisation", tenant=conns[1]["tenantId"]).status_code == 200
    r = c.http.post(c.url + "/connect/revocation", data={"token": c.tokens["refresh_token"]},
                    auth=(c.client_id, c.client_secret))
    assert r.status_code == 200
    assert c.refresh(c.tokens["refresh_token"]).json() == {"error": "invalid_grant"}
    assert c.get("Organisation", tenant=conns[1]["tenantId"]).status_code == 401
    # reconnecting works and gives a new auth event
    c2 = SandboxClient(c.h).connect()
    assert {x["authEventId"] for x in c2.connections()} != {conns[0]["authEventId"]}


@pytest.mark.parametrize("persist", [True])
def test_state_file_survives_restart(sandbox_factory, tmp_path, persist):
    path = str(tmp_path / "state.json")
    h = sandbox_factory(state_file=path)
    c = SandboxClient(h).connect()
    r = c.put("Contacts", {"Contacts": [{"Name": "Persisted Ltd"}]})
    assert r.status_code == 200
    h.stop()
    h2 = sandbox_factory(state_file=path)
    c.h, c.url = h2, h2.url
    r = c.get("Contacts", params={"where": 'Name=="Persisted Ltd"'})
    assert r.status_code == 200 and len(r.json()["Contacts"]) == 1
    assert c.refresh(c.tokens["refresh_token"]).status_code == 200
