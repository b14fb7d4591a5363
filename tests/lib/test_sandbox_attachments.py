"""The sandbox's Attachments API, online invoice and invoice email, as Xero plays them (res_attachments.py), and the
library's calls to them (XeroClient.upload / read_one / action) and its pure rules (xero/attachments.py)."""
import pytest
from sandbox_fixtures import ALL_SCOPES, SandboxClient

from xero import Endpoints, XeroClient, attachments, scopes_for
from xero.outbox import excerpt

WITH_FILES = ALL_SCOPES + " accounting.attachments"
PDF = b"%PDF-1.4 sandbox test file\n%%EOF"


def _client(sandbox_server, scope=WITH_FILES):
    return SandboxClient(sandbox_server).connect(scope=scope)


def _invoice(c, status="AUTHORISED", typ="ACCREC", email="ap@example.com"):
    contact = c.put("Contacts", {"Contacts": [{"Name": f"Files Ltd {typ} {status} {email}",
                                               **({"EmailAddress": email} if email else {})}]}).json()
    contact_id = contact["Contacts"][0]["ContactID"]
    body = {"Invoices": [{"Type": typ, "Contact": {"ContactID": contact_id}, "Date": "2026-01-05",
                          "DueDate": "2026-02-05", "Status": status,
                          "LineItems": [{"Description": "Beans", "Quantity": 1, "UnitAmount": 10,
                                         "AccountCode": "200" if typ == "ACCREC" else "400",
                                         "TaxType": "NONE"}]}]}
    r = c.put("Invoices?summarizeErrors=false", body)
    assert r.status_code == 200, r.text
    return r.json()["Invoices"][0]["InvoiceID"]


def _upload(c, path, content=PDF, method="PUT", ctype="application/pdf", params=None):
    return c.api(method, path, data=content, headers={"Content-Type": ctype}, params=params)


def test_a_file_is_attached_with_its_content_type_and_the_document_says_so(sandbox_server):
    c = _client(sandbox_server)
    inv = _invoice(c)
    r = _upload(c, f"Invoices/{inv}/Attachments/INV-1.pdf", params={"IncludeOnline": "true"})
    assert r.status_code == 200, r.text
    att = r.json()["Attachments"][0]
    assert att["FileName"] == "INV-1.pdf" and att["MimeType"] == "application/pdf"
    assert att["ContentLength"] == len(PDF) and att["IncludeOnline"] is True
    assert c.get(f"Invoices/{inv}").json()["Invoices"][0]["HasAttachments"] is True
    listed = c.get(f"Invoices/{inv}/Attachments").json()["Attachments"]
    assert [a["AttachmentID"] for a in listed] == [att["AttachmentID"]]
    raw = c.get(f"Invoices/{inv}/Attachments/INV-1.pdf", json_accept=False)
    assert raw.content == PDF and raw.headers["Content-Type"].startswith("application/pdf")


def test_the_same_file_name_replaces_never_adds_a_copy(sandbox_server):
    c = _client(sandbox_server)
    inv = _invoice(c)
    first = _upload(c, f"Invoices/{inv}/Attachments/INV-1.pdf").json()["Attachments"][0]
    second = _upload(c, f"Invoices/{inv}/Attachments/INV-1.pdf", content=PDF + b"v2").json()["Attachments"][0]
    listed = c.get(f"Invoices/{inv}/Attachments").json()["Attachments"]
    assert len(listed) == 1 and second["AttachmentID"] == first["AttachmentID"]
    assert listed[0]["ContentLength"] == len(PDF) + 2
    # POST updates an attachment by name; a name the document does not have is not found
    assert _upload(c, f"Invoices/{inv}/Attachments/INV-1.pdf", method="POST").status_code == 200
    assert _upload(c, f"Invoices/{inv}/Attachments/other.pdf", method="POST").status_code == 404


def test_ten_files_per_document_and_ten_megabytes_per_file(sandbox_server):
    c = _client(sandbox_server)
    inv = _invoice(c)
    for n in range(10):
        assert _upload(c, f"Invoices/{inv}/Attachments/f{n}.pdf").status_code == 200
    eleventh = _upload(c, f"Invoices/{inv}/Attachments/f10.pdf")
    assert eleventh.status_code == 400
    assert "maximum number of attachments (10)" in eleventh.text
    assert _upload(c, f"Invoices/{inv}/Attachments/f3.pdf").status_code == 200  # a replacement still fits
    other = _invoice(c, email="b@example.com")
    too_big = _upload(c, f"Invoices/{other}/Attachments/big.pdf", content=b"x" * (10 * 1024 * 1024 + 1))
    assert too_big.status_code == 413
    assert _upload(c, f"Invoices/{other}/Attachments/max.pdf", content=b"x" * (10 * 1024 * 1024)).status_code == 200


def test_include_online_only_on_sales_documents_and_on_a_put(sandbox_server):
    c = _client(sandbox_server)
    bill = _invoice(c, typ="ACCPAY", email=None)
    refused = _upload(c, f"Invoices/{bill}/Attachments/bill.pdf", params={"IncludeOnline": "true"})
    assert refused.status_code == 400 and "IncludeOnline" in refused.text
    assert _upload(c, f"Invoices/{bill}/Attachments/bill.pdf").status_code == 200
    inv = _invoice(c)
    _upload(c, f"Invoices/{inv}/Attachments/a.pdf")
    post = _upload(c, f"Invoices/{inv}/Attachments/a.pdf", method="POST", params={"IncludeOnline": "true"})
    assert post.status_code == 400


def test_the_attachments_scope_is_required(sandbox_server):
    c = _client(sandbox_server, scope=ALL_SCOPES)
    inv = _invoice(c)
    r = _upload(c, f"Invoices/{inv}/Attachments/INV-1.pdf")
    assert r.status_code == 401 and "AuthorizationUnsuccessful" in r.text
    assert "insufficient_scope" in r.headers.get("WWW-Authenticate", "")
    assert c.get(f"Invoices/{inv}/Attachments").status_code == 401


def test_online_invoice_of_an_approved_sales_invoice_only(sandbox_server):
    c = _client(sandbox_server)
    inv = _invoice(c)
    r = c.get(f"Invoices/{inv}/OnlineInvoice")
    assert r.status_code == 200, r.text
    assert r.json()["OnlineInvoices"][0]["OnlineInvoiceUrl"].startswith("http")
    assert c.get(f"Invoices/{_invoice(c, status='DRAFT', email='d@example.com')}/OnlineInvoice").status_code == 400
    assert c.get(f"Invoices/{_invoice(c, typ='ACCPAY', email=None)}/OnlineInvoice").status_code == 400


def test_email_an_approved_invoice_to_a_contact_with_an_email(sandbox_server):
    c = _client(sandbox_server)
    inv = _invoice(c)
    r = c.post(f"Invoices/{inv}/Email", {})
    assert r.status_code == 204 and not r.content
    sent = c.control("GET", f"orgs/{c.tenant}/Invoices/{inv}/emails").json()
    assert [e["to"] for e in sent] == ["ap@example.com"]
    assert c.get(f"Invoices/{inv}").json()["Invoices"][0]["SentToContact"] is True
    no_email = c.post(f"Invoices/{_invoice(c, email=None)}/Email", {})
    assert no_email.status_code == 400 and "no email address" in no_email.text
    draft = c.post(f"Invoices/{_invoice(c, status='DRAFT', email='x@example.com')}/Email", {})
    assert draft.status_code == 400


def test_the_library_uploads_reads_and_emails(sandbox_server):
    c = _client(sandbox_server)
    inv = _invoice(c)
    client = XeroClient(Endpoints(api_url=c.url), c.tenant, c.tokens["access_token"])
    path = attachments.attachment_path("Invoices", inv, "INV 1 (copy).pdf")
    result = client.upload(path, PDF, "application/pdf", include_online=True, idempotency_key="k-1")
    assert result.ok and result.data["FileName"] == "INV 1 (copy).pdf" and result.data["IncludeOnline"] is True
    link = client.read_one(f"Invoices/{inv}/OnlineInvoice")
    assert link.ok and link.data["OnlineInvoiceUrl"]
    assert client.action(f"Invoices/{inv}/Email").ok
    refused = client.action(f"Invoices/{_invoice(c, email=None)}/Email")
    assert not refused.ok and "no email address" in refused.errors[0]


def test_pure_rules():
    assert attachments.file_source("out_invoice") == "report" and attachments.file_source("in_refund") == \
        "main_attachment" and attachments.file_source("entry") is None
    assert attachments.collection_of("in_refund") == "CreditNotes" and attachments.collection_of("in_invoice") == \
        "Invoices"
    assert attachments.include_online_allowed("out_refund") and not attachments.include_online_allowed("in_invoice")
    assert attachments.safe_file_name("INV/2026/0001.pdf") == "INV_2026_0001.pdf"
    assert len(attachments.safe_file_name("a" * 300 + ".pdf")) == 100
    assert attachments.limit_problem(10, 10) is None
    assert attachments.limit_problem(10, 11) == "count"
    assert attachments.limit_problem(attachments.MAX_FILE_BYTES + 1, 1) == "size"
    assert attachments.limit_problem(0, 1) == "empty"
    assert "accounting.attachments" in scopes_for(True) and "accounting.attachments" not in scopes_for(False)
    assert "<5 bytes>" in excerpt({"FileName": "a.pdf", "content": b"%PDF-"})


@pytest.mark.parametrize("move_type", ["out_invoice", "in_invoice"])
def test_attachment_path_is_quoted(move_type):
    path = attachments.attachment_path(attachments.collection_of(move_type), "abc", "a b.pdf")
    assert path == "Invoices/abc/Attachments/a%20b.pdf"
