"""The sandbox checks its own JSON answers against the response schemas of Xero's OpenAPI spec."""
import pytest

from sandbox.spec import SpecValidator, find_spec_dir


@pytest.fixture(scope="module")
def spec():
    v = SpecValidator(find_spec_dir())
    if not v._ensure():
        pytest.skip("spec validation unavailable (PyYAML, jsonschema or xero_accounting.yaml missing)")
    return v


def _contact(**kw):
    return dict({"ContactID": "5cfc38a4-f36c-464c-97de-9e4bfe744993", "Name": "Acme",
                 "UpdatedDateUTC": "/Date(1769817600000+0000)/"}, **kw)


def test_templates_prefer_literals_and_the_method(spec):
    assert spec.template(["Contacts"]) == "/Contacts"
    assert spec.template(["contacts", "abc"], "POST") == "/Contacts/{ContactID}"
    assert spec.template(["Contacts", "abc"], "GET") in ("/Contacts/{ContactID}", "/Contacts/{ContactNumber}")
    assert spec.template(["TrackingCategories", "x", "Options"], "PUT") == "/TrackingCategories/{TrackingCategoryID}/Options"
    assert spec.template(["Organisation"]) == "/Organisation"
    assert spec.template(["Nothing", "here"]) is None


def test_response_schema_is_strict_where_sdks_are(spec):
    ok = {"Contacts": [_contact(ContactStatus="ACTIVE", IsCustomer=True)]}
    assert spec.validate_response("/Contacts", "GET", 200, ok) == []
    bad = {"Contacts": [_contact(ContactStatus="Active", IsCustomer="true", ContactID="nope",
                                 UpdatedDateUTC="2026-01-31T00:00:00", Name="n" * 256)]}
    problems = dict(spec.validate_response("/Contacts", "GET", 200, bad))
    assert set(problems) == {"Contacts[0].ContactStatus", "Contacts[0].IsCustomer", "Contacts[0].ContactID",
                             "Contacts[0].UpdatedDateUTC", "Contacts[0].Name"}
    assert "not a Xero JSON date" in problems["Contacts[0].UpdatedDateUTC"]
    # the enums of $ref'd schemas, as spelt: invoices Exclusive, quotes EXCLUSIVE
    inv = {"Invoices": [{"InvoiceID": "5cfc38a4-f36c-464c-97de-9e4bfe744993", "LineAmountTypes": "EXCLUSIVE"}]}
    assert [f for f, _ in spec.validate_response("/Invoices", "GET", 200, inv)] == ["Invoices[0].LineAmountTypes"]
    quote = {"Quotes": [{"LineAmountTypes": "Exclusive", "Status": "DRAFT"}]}
    assert [f for f, _ in spec.validate_response("/Quotes", "GET", 200, quote)] == ["Quotes[0].LineAmountTypes"]
    # errors (400 ValidationException) have a schema too; statuses the spec does not describe are not checked
    assert spec.validate_response("/Invoices", "PUT", 400, {"ErrorNumber": "10"}) != []
    assert spec.validate_response("/Invoices", "PUT", 404, {"anything": 1}) == []


def test_answers_are_checked_and_organisation_dates_are_xero_dates(sandbox_client):
    c = sandbox_client
    org = c.get("Organisation").json()["Organisations"][0]
    assert org["CreatedDateUTC"].startswith("/Date(") and org["CreatedDateUTC"].endswith("+0000)/")
    assert c.put("Invoices", {"Invoices": [{"Type": "ACCREC", "Contact": {"Name": "N"}, "Reference": None}]}
                 ).json()["Invoices"][0].get("Reference", "absent") == "absent"  # Xero leaves out nulls
    assert c.control("GET", "spec-violations").json() == []


@pytest.mark.spec_violations_expected
def test_a_violation_is_recorded_with_its_kind_path_and_field(sandbox_client, monkeypatch):
    c = sandbox_client
    from sandbox import seed
    real = seed.organisation_record
    monkeypatch.setattr("sandbox.reading.organisation_record",
                        lambda org: dict(real(org), Version="Global", FinancialYearEndDay="31"))
    # XML answers are not checked (the spec describes JSON)
    assert c.get("Organisation", json_accept=False).status_code == 200
    assert c.control("GET", "spec-violations").json() == []
    r = c.get("Organisation")
    assert r.status_code == 200 and r.json()["Organisations"][0]["Version"] == "Global"  # sent unchanged
    found = c.control("GET", "spec-violations").json()
    assert {(v["kind"], v["method"], v["path"], v["status"], v["field"]) for v in found} == {
        ("response", "GET", "/api.xro/2.0/Organisation", 200, "Organisations[0].Version"),
        ("response", "GET", "/api.xro/2.0/Organisation", 200, "Organisations[0].FinancialYearEndDay")}


def test_the_echo_of_a_refused_element_leaves_out_what_breaks_the_schema(sandbox_client):
    c = sandbox_client
    r = c.put("Invoices?summarizeErrors=false", {"Invoices": [
        {"Type": "SALES", "Contact": {"Name": "Echo"}, "Reference": "kept", "LineItems": []},
        {"Type": "ACCREC", "Contact": {"Name": "Echo"}}]})
    assert r.status_code == 200
    refused, made = r.json()["Invoices"]
    assert refused["StatusAttributeString"] == "ERROR" and "Type" not in refused
    assert refused["Reference"] == "kept" and refused["ValidationErrors"]
    assert made["StatusAttributeString"] == "OK" and made["Type"] == "ACCREC"
    assert c.control("GET", "spec-violations").json() == []


def test_validate_spec_off_checks_nothing(sandbox_factory, monkeypatch):
    from sandbox_fixtures import SandboxClient
    c = SandboxClient(sandbox_factory(validate_spec=False)).connect()
    from sandbox import seed
    real = seed.organisation_record
    monkeypatch.setattr("sandbox.reading.organisation_record", lambda org: dict(real(org), Version="Global"))
    assert c.get("Organisation").status_code == 200
    assert c.control("GET", "spec-violations").json() == []


def test_request_bodies_are_checked_as_xero_reads_them(spec):
    lenient = {"Invoices": [{"Type": "accrec", "Status": "draft", "Date": "2026-01-31", "Reference": None,
                             "SentToContact": "true", "LineItems": [{"Quantity": "2", "UnitAmount": 5.5}]}]}
    assert spec.validate("/Invoices", "PUT", lenient) == []
    bad = {"Invoices": [{"SentToContact": "yes", "LineItems": [{"Quantity": "two"}]}]}
    assert dict(spec.validate("/Invoices", "PUT", bad)) == {
        "Invoices[0].SentToContact": "'yes' is not of type 'boolean'",
        "Invoices[0].LineItems[0].Quantity": "'two' is not of type 'number'"}
    assert spec.validate("/Contacts", "PUT", {"Contacts": [{"Name": "n" * 256}]}) == [
        ("Contacts[0].Name", "'" + "n" * 256 + "' is too long")]
    assert spec.validate("/Items", "PUT", {"Items": [{"Name": "no code"}]}) == [("Items[0]", "'Code' is a required property")]


@pytest.mark.spec_violations_expected
def test_bodies_posted_to_one_record_are_checked_too(sandbox_client):
    """POST Contacts/<id> is /Contacts/{ContactID} (the spec lists the GET-only /Contacts/{ContactNumber} first)."""
    c = sandbox_client
    cid = c.put("Contacts", {"Contacts": [{"Name": "A"}]}).json()["Contacts"][0]["ContactID"]
    r = c.post(f"Contacts/{cid}", {"Contacts": [{"ContactID": cid, "Addresses": "street"}]})
    assert r.status_code == 400 and "Contacts[0].Addresses" in r.text
    assert [(v["kind"], v["field"]) for v in c.control("GET", "spec-violations").json()] == [
        ("request", "Contacts[0].Addresses")]
