"""Xero's 2 KB query string and its IDs filter: the sandbox answers as Xero does, and the library stays within."""
import uuid

import pytest

from xero import XeroClient, XeroError
from xero.client import MAX_IDS_PER_CALL

server = pytest.importorskip("sandbox.server")


def guids(n):
    return [str(uuid.UUID(int=i + 1)) for i in range(n)]


def test_sandbox_answers_404_past_2048_characters_of_query_string(sandbox_client):
    # 52 GUIDs in IDs pass, 53 do not (XeroAPI/Xero-OpenAPI #534; XERO.md)
    assert sandbox_client.get("Invoices", params={"IDs": ",".join(guids(52))}).status_code == 200
    too_long = sandbox_client.get("Invoices", params={"IDs": ",".join(guids(53))})
    assert too_long.status_code == 404
    long_where = " OR ".join(f'ContactNumber=="ODOO-1a2b3c4d-{n:06d}"' for n in range(50))
    assert sandbox_client.get("Contacts", params={"where": long_where}).status_code == 404


def test_sandbox_honours_ids_on_invoices_and_contacts_only(sandbox_client):
    created = sandbox_client.put("Contacts", {"Contacts": [{"Name": f"IDs {n}"} for n in range(3)]}).json()
    first = created["Contacts"][0]["ContactID"]
    only = sandbox_client.get("Contacts", params={"IDs": first}).json()["Contacts"]
    assert [c["ContactID"] for c in only] == [first]
    # CreditNotes has no IDs filter in Xero's spec: Xero ignores it and answers the whole list
    everything = sandbox_client.get("CreditNotes").json()["CreditNotes"]
    ignored = sandbox_client.get("CreditNotes", params={"IDs": str(uuid.uuid4())}).json()["CreditNotes"]
    assert len(ignored) == len(everything)


class RecordingClient(XeroClient):
    def __init__(self):
        super().__init__(None, "tenant", "token")
        self.queries = []

    def get(self, path, **kw):
        self.queries.append(dict(kw.get("params") or {}))
        return {path: [{"InvoiceID": i} for i in kw["params"].get("IDs", "").split(",") if i]}


def test_library_reads_ids_in_calls_of_at_most_40():
    client = RecordingClient()
    ids = guids(120)
    got = [r["InvoiceID"] for r in client.iter_records("Invoices", ids=ids, page_size=100)]
    assert got == ids
    assert [len(q["IDs"].split(",")) for q in client.queries] == [MAX_IDS_PER_CALL] * 3
    assert MAX_IDS_PER_CALL < 52


def test_library_refuses_ids_where_xero_has_none_and_overlong_queries():
    client = RecordingClient()
    with pytest.raises(ValueError, match="no IDs filter on CreditNotes"):
        list(client.iter_records("CreditNotes", ids=guids(2)))
    with pytest.raises(XeroError, match="query string longer"):
        list(client.iter_records("Contacts", where=" OR ".join(f'Name=="{n:040d}"' for n in range(60))))
    assert client.queries == [], "nothing was sent"
