"""Contract tests, continued: xero-python uploads files to the sandbox's Attachments API, reads the attachments and
the online invoice, and has Xero email an invoice, as the connector does (res_attachments.py)."""
import pytest
from sandbox_fixtures import ALL_SCOPES, SandboxClient
from sdk_contract import Sdk, line
from test_sdk_contract_documents import _credit_note, _invoice
from xero_python.accounting.models import Contact, Contacts, CreditNotes, Invoices, RequestEmpty
from xero_python.exceptions import BadRequestException

PDF = b"%PDF-1.4 contract\n%%EOF"


@pytest.fixture
def files_sdk(sandbox_server):
    return Sdk(SandboxClient(sandbox_server).connect(scope=ALL_SCOPES + " accounting.attachments"))


def _contact(sdk, email=None):
    made = sdk.api.create_contacts(sdk.tenant, Contacts(contacts=[Contact(
        name=f"Files Contract {email or 'no email'}", email_address=email)])).contacts[0]
    return made.contact_id


def test_invoice_and_credit_note_attachments_through_the_sdk(files_sdk):
    sdk = files_sdk
    cid = _contact(sdk, "files@example.com")
    invoice = sdk.api.create_invoices(sdk.tenant, Invoices(invoices=[_invoice(cid)])).invoices[0]
    made = sdk.api.create_invoice_attachment_by_file_name(sdk.tenant, invoice.invoice_id, "INV-1.pdf", PDF,
                                                          include_online=True).attachments[0]
    assert made.file_name == "INV-1.pdf" and made.content_length == len(PDF) and made.include_online is True
    again = sdk.api.create_invoice_attachment_by_file_name(sdk.tenant, invoice.invoice_id, "INV-1.pdf", PDF + b"2")
    assert again.attachments[0].attachment_id == made.attachment_id
    listed = sdk.api.get_invoice_attachments(sdk.tenant, invoice.invoice_id).attachments
    assert [a.attachment_id for a in listed] == [made.attachment_id]
    assert sdk.api.get_invoice(sdk.tenant, invoice.invoice_id).invoices[0].has_attachments is True
    credit = sdk.api.create_credit_notes(sdk.tenant, CreditNotes(credit_notes=[_credit_note(cid)])).credit_notes[0]
    on_credit = sdk.api.create_credit_note_attachment_by_file_name(sdk.tenant, credit.credit_note_id, "CN-1.pdf", PDF,
                                                                   include_online=True)
    assert on_credit.attachments[0].file_name == "CN-1.pdf"


def test_online_invoice_and_email_through_the_sdk(files_sdk):
    sdk = files_sdk
    cid = _contact(sdk, "pay@example.com")
    invoice = sdk.api.create_invoices(sdk.tenant, Invoices(invoices=[_invoice(cid, line_items=[line()])])).invoices[0]
    online = sdk.api.get_online_invoice(sdk.tenant, invoice.invoice_id).online_invoices[0]
    assert online.online_invoice_url.startswith("http")
    assert sdk.api.email_invoice(sdk.tenant, invoice.invoice_id, RequestEmpty()) is None
    mute = sdk.api.create_invoices(sdk.tenant, Invoices(invoices=[_invoice(_contact(sdk))])).invoices[0]
    with pytest.raises(BadRequestException) as refused:
        sdk.api.email_invoice(sdk.tenant, mute.invoice_id, RequestEmpty())
    assert "no email address" in sdk.error(refused.value).message or \
        "no email address" in str(sdk.error(refused.value).elements)
