"""The sandbox's bulk seed of a big organisation (benches and tests only): deterministic, straight into the
store, and answered through the API by Xero's rules like any other record (paging, filters, If-Modified-Since)."""
from email.utils import formatdate

from sandbox_fixtures import SandboxClient

from sandbox.bulk_seed import sizes


def _seed(client, scale):
    r = client.control("POST", f"orgs/{client.tenant}/bulk-seed", {"scale": scale})
    assert r.status_code == 200, r.text
    return r.json()


def test_bulk_seed_counts_and_is_deterministic(sandbox_client, sandbox_factory):
    c = sandbox_client
    c.get("Organisation")
    log_before = c.control("GET", "log").json()
    assert log_before, "API calls are logged"
    added = _seed(c, 0.01)["added"]
    assert added == dict(sizes(0.01), contacts=300 + 100 + 100)
    assert added["invoices"] == 1800 and added["credit_notes"] == 100 and added["bills"] == 100
    assert c.control("GET", "log").json() == log_before, "nothing went through the API"
    other = sandbox_factory()
    tenant = next(iter(other.app.state.orgs))
    assert tenant == c.tenant
    second = SandboxClient(other).connect()
    _seed(second, 0.01)
    ids = [{r["ContactID"] for r in x.get("Contacts", params={"includeArchived": "true", "page": 1}).json()["Contacts"]}
           for x in (c, second)]
    assert ids[0] == ids[1], "the same scale gives the same ids"


def test_bulk_records_follow_xero_paging_and_filters(sandbox_client):
    c = sandbox_client
    _seed(c, 0.01)
    # Xero's default page: 100, with the pagination block; pageSize up to 1000, not more.
    body = c.get("Invoices", params={"where": 'Type=="ACCREC"', "page": 1}).json()
    assert len(body["Invoices"]) == 100
    assert body["pagination"]["itemCount"] >= 1800 and body["pagination"]["pageSize"] == 100
    assert c.get("Invoices", params={"page": 1, "pageSize": 1001}).status_code == 400
    big = c.get("Invoices", params={"where": 'Type=="ACCREC"', "page": 2, "pageSize": 1000}).json()["Invoices"]
    assert 0 < len(big) <= 1000 and all(i["Type"] == "ACCREC" for i in big)
    # Archived contacts are left out unless asked for; Items are not paged: the whole list in one answer.
    active = c.get("Contacts", params={"page": 1, "pageSize": 1000}).json()["Contacts"]
    everyone = c.get("Contacts", params={"page": 1, "pageSize": 1000, "includeArchived": "true"}).json()["Contacts"]
    assert len(everyone) - len(active) >= 100
    assert len(c.get("Items").json()["Items"]) >= 20
    # Spread over five years: an If-Modified-Since of a year ago reads only the last year's.
    now = c.control("GET", "clock").json()["now"]
    recent = c.get("Invoices", params={"where": 'Type=="ACCREC"', "page": 1, "pageSize": 1000},
                   headers={"If-Modified-Since": formatdate(now - 365 * 86400, usegmt=True)}).json()
    assert 0 < recent["pagination"]["itemCount"] < 1800 / 4
