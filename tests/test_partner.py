from unittest.mock import patch

from odoo import sql_db
from odoo.exceptions import ValidationError
from odoo.fields import Command
from odoo.tests import tagged

from ..models.res_partner import extract_contact_id
from .common import XeroHttpCase

GUID = "5cfc38a4-f36c-464c-97de-9e4bfe744993"


@tagged("post_install", "-at_install")
class TestContactIdField(XeroHttpCase):
    def test_extract_contact_id(self):
        for value in (
            GUID,
            f"  {GUID.upper()} ",
            f"https://go.xero.com/app/!kD3fL/contacts/contact/{GUID}/activity?filter=all",
            f"https://go.xero.com/Contacts/View/{GUID}",
            f"https://go.xero.com/Contacts/View.aspx?contactID={GUID}&x=1",
        ):
            self.assertEqual(extract_contact_id(value), GUID, value)
        for value in ("hello", f"{GUID}0", "https://go.xero.com/app/contacts", GUID[:-1]):
            self.assertIsNone(extract_contact_id(value), value)


@tagged("post_install", "-at_install")
class TestContacts(XeroHttpCase):
    def setUp(self):
        super().setUp()
        self.org, self.other_org = self.sandbox_orgs[0]["tenant_id"], self.sandbox_orgs[1]["tenant_id"]
        self.connection = self._xero_connect(self.xero_admin, tenants=[self.org])
        self.assertEqual(self.connection.state, "connected")

    def seed(self, collection, records, tenant=None):
        answer = self.sandbox_post(f"/_sandbox/orgs/{tenant or self.org}/{collection}", {collection: records})
        self.assertEqual(answer["errors"], 0, answer)
        return answer[collection]

    # -- the Xero Contact ID on the partner ------------------------------------------------------
    def test_pasted_url_keeps_the_checked_id(self):
        contact = self.seed("Contacts", [{"Name": "Bluewater Café", "EmailAddress": "a@bluewater.example"}])[0]
        partner = self.env["res.partner"].create({"name": "Bluewater"})
        url = f"https://go.xero.com/app/!kD3fL/contacts/contact/{contact['ContactID']}/activity"
        # A Xero administrator who may edit contacts pastes the address from Xero.
        self.xero_admin.group_ids += self.env.ref("base.group_partner_manager")
        partner.with_user(self.xero_admin).write({"xero_contact_id": url})
        self.assertEqual(partner.xero_contact_id, contact["ContactID"])
        self.assertEqual(partner.xero_contact_url, f"https://go.xero.com/Contacts/View/{contact['ContactID']}")

    def test_bad_ids_change_nothing(self):
        archived = self.seed("Contacts", [{"Name": "Old Co", "ContactStatus": "ARCHIVED"}])[0]
        foreign = self.seed("Contacts", [{"Name": "Elsewhere Ltd"}], tenant=self.other_org)[0]
        taken = self.seed("Contacts", [{"Name": "Taken Ltd"}])[0]
        self.env["res.partner"].create({"name": "Taken Ltd", "xero_contact_id": taken["ContactID"]})
        partner = self.env["res.partner"].create({"name": "Someone"})
        cases = [
            ("not-an-id", "is not a Xero contact ID"),
            (f"https://go.xero.com/Contacts/View/{foreign['ContactID']}", "has no contact"),
            (archived["ContactID"], "archived"),
            (taken["ContactID"], "already linked to Taken Ltd"),
            (GUID, "has no contact"),
        ]
        for value, message in cases:
            with self.subTest(value=value), self.assertRaisesRegex(ValidationError, message):
                partner.write({"xero_contact_id": value})
            partner.invalidate_recordset()
            self.assertFalse(partner.xero_contact_id)

    # -- from Xero: customers, paging, company vs person, persons, idempotence ------------------------
    def test_import_2500_customers_pages_with_page_size(self):
        contacts = [{"Name": f"Customer {i:04d}", "EmailAddress": f"c{i}@example.com"} for i in range(2500)]
        contacts[0].update(Name="Ada Lovelace", FirstName="Ada", LastName="Lovelace")
        contacts[1]["ContactPersons"] = [{"FirstName": "Grace", "LastName": "Hopper", "EmailAddress": "g@example.com"}]
        created = self.seed("Contacts", contacts)
        # Xero sets IsCustomer once a contact has an approved sale.
        self.seed("Invoices", [
            {"Type": "ACCREC", "Contact": {"ContactID": c["ContactID"]}, "Status": "AUTHORISED", "Date": "2026-11-01",
             "DueDate": "2026-11-30", "LineItems": [{"Description": "Beans", "Quantity": 1, "UnitAmount": 10,
                                                     "AccountCode": "200"}]}
            for c in created
        ])
        self.seed("Contacts", [{"Name": "Supplier Only"}, {"Name": "Gone Co", "ContactStatus": "ARCHIVED"}])
        self.sandbox.app.state.log.clear()
        Partner = self.env["res.partner"]
        # What the pull cron runs for this organisation: contacts (and sales invoices), incrementally.
        self.env["xero.sync.cursor"]._xero_run_pulls(self.connection)
        calls = [e for e in self.sandbox_get("/_sandbox/log") if e["path"].endswith("/Contacts")]
        self.assertEqual(len(calls), 3, "2,504 contacts in pages of 1,000")
        self.assertTrue(all("pageSize=1000" in e["query"] for e in calls), calls)
        imported = Partner.search([("xero_contact_id", "!=", False)])
        self.assertEqual(len(imported), 2500)
        self.assertFalse(Partner.search([("name", "in", ["Supplier Only", "Gone Co"])]))
        ada = Partner.search([("xero_contact_id", "=", created[0]["ContactID"])])
        self.assertFalse(ada.is_company, "a contact named after its person is a person")
        firm = Partner.search([("xero_contact_id", "=", created[1]["ContactID"])])
        self.assertTrue(firm.is_company)
        self.assertEqual(firm.child_ids.mapped("name"), ["Grace Hopper"])
        known = self.env["xero.contact"].search([("connection_id", "=", self.connection.id)])
        self.assertEqual(len(known), 2502, "every contact is known, archived included; only customers imported")
        # A contact edited in Xero later comes back with a later pull …
        self.sandbox_post("/_sandbox/clock", {"advance": 120})
        self.seed("Contacts", [{"ContactID": created[5]["ContactID"], "Name": "Customer 0005 Renamed"}])
        self.env["xero.sync.cursor"]._xero_run_pulls(self.connection)
        self.assertEqual(Partner.search([("xero_contact_id", "=", created[5]["ContactID"])]).name,
                         "Customer 0005 Renamed")
        self.assertEqual(Partner.search_count([("xero_contact_id", "!=", False)]), 2500, "nothing duplicated")
        # … and once the cursor has moved past the bulk, a run asks only for what changed since
        # (If-Modified-Since): one call, one record (the edit, inside the one-second overlap).
        self.sandbox.app.state.log.clear()
        self.env["xero.sync.cursor"]._xero_run_pulls(self.connection)
        calls = [e for e in self.sandbox_get("/_sandbox/log") if e["path"].endswith("/Contacts")]
        self.assertEqual(len(calls), 1)
        cursor = self.env["xero.sync.cursor"].search([("connection_id", "=", self.connection.id),
                                                      ("key", "like", "Contacts%")])
        self.assertEqual(cursor.last_count, 1)

    def test_a_contact_odoo_refuses_does_not_stop_the_pull(self):
        created = self.seed("Contacts", [{"Name": f"Roaster {i}", "EmailAddress": f"r{i}@example.com"}
                                         for i in range(5)])
        self.seed("Invoices", [
            {"Type": "ACCREC", "Contact": {"ContactID": c["ContactID"]}, "Status": "AUTHORISED", "Date": "2026-11-01",
             "DueDate": "2026-11-30", "LineItems": [{"Description": "Beans", "Quantity": 1, "UnitAmount": 10,
                                                     "AccountCode": "200"}]} for c in created])
        bad = created[2]["ContactID"]
        Partner = type(self.env["res.partner"])
        original = Partner._xero_partner_values

        def values(partner_model, contact):  # Odoo refuses this one (as a localisation's VAT check would)
            if contact["ContactID"] == bad:
                raise ValidationError(partner_model.env._("The VAT number [GB999] does not seem to be valid."))
            return original(partner_model, contact)

        with patch.object(Partner, "_xero_partner_values", values):
            self.env["xero.sync.cursor"]._xero_run_pulls(self.connection)
        imported = self.env["res.partner"].search([("xero_contact_id", "in", [c["ContactID"] for c in created])])
        self.assertEqual(len(imported), 4, "the four others are in; the refused one waits")
        cursor = self.env["xero.sync.cursor"].search([("connection_id", "=", self.connection.id),
                                                      ("key", "like", "Contacts%")])
        self.assertIn(bad, cursor.last_error)
        self.assertIn("does not seem to be valid", cursor.last_error)
        self.assertTrue(cursor.last_modified, "the pull moved on")
        # Fixed (here: no longer refused), the next full pass brings it.
        cursor.last_full = False
        self.env["xero.sync.cursor"]._xero_run_pulls(self.connection)
        self.assertEqual(self.env["res.partner"].search_count(
            [("xero_contact_id", "in", [c["ContactID"] for c in created])]), 5)
        self.assertFalse(cursor.last_error)

    def test_import_links_existing_partner_by_email_and_updates(self):
        partner = self.env["res.partner"].create({"name": "Northside", "email": "Billing@Northside.example"})
        contact = self.seed("Contacts", [{"Name": "Northside Deli", "EmailAddress": "billing@northside.example",
                                         "Phones": [{"PhoneType": "DEFAULT", "PhoneNumber": "555 0101"}]}])[0]
        contact = dict(contact, IsCustomer=True)
        self.env["res.partner"]._xero_apply_contacts(self.connection, [contact])
        self.assertEqual(partner.xero_contact_id, contact["ContactID"])
        self.assertEqual(partner.name, "Northside Deli")
        self.assertEqual(partner.phone, "555 0101")
        self.assertEqual(self.env["res.partner"].search_count([("email", "=ilike", "billing@northside.example")]), 1)
        # The email of a company's contact person: the company is the customer, the person stays a person.
        firm = self.env["res.partner"].create({"name": "Acme Roasters", "is_company": True})
        jane = self.env["res.partner"].create({"name": "Jane Doe", "email": "jane@acme.example", "parent_id": firm.id})
        archived = self.env["res.partner"].create({"name": "Old Acme", "email": "jane@acme.example", "active": False})
        acme = dict(self.seed("Contacts", [{"Name": "Acme Roasters Ltd", "EmailAddress": "jane@acme.example"}])[0],
                    IsCustomer=True)
        self.env["res.partner"]._xero_apply_contacts(self.connection, [acme])
        self.assertEqual(firm.xero_contact_id, acme["ContactID"])
        self.assertEqual(firm.name, "Acme Roasters Ltd")
        self.assertEqual((jane.name, jane.parent_id, jane.xero_contact_id), ("Jane Doe", firm, False))
        self.assertFalse(archived.with_context(active_test=False).xero_contact_id)

    def test_sales_to_date_and_history(self):
        contact = self.seed("Contacts", [{"Name": "Harbour Café"}])[0]
        partner = self.env["res.partner"].create({"name": "Harbour Café", "xero_contact_id": contact["ContactID"]})

        def invoice(status, amount):
            return {"Type": "ACCREC", "Contact": {"ContactID": contact["ContactID"]}, "Status": status,
                    "Date": "2026-11-02", "DueDate": "2026-12-02", "LineAmountTypes": "NoTax",
                    "LineItems": [{"Description": "x", "Quantity": 1, "UnitAmount": amount, "AccountCode": "200"}]}

        approved, to_pay, draft, voided = self.seed(
            "Invoices", [invoice("AUTHORISED", 100), invoice("AUTHORISED", 50), invoice("DRAFT", 30),
                         invoice("AUTHORISED", 20)])
        self.seed("Invoices", [{"InvoiceID": voided["InvoiceID"], "Status": "VOIDED"}])
        self.seed("Payments", [{"Invoice": {"InvoiceID": to_pay["InvoiceID"]}, "Account": {"Code": "090"},
                                "Date": "2026-11-03", "Amount": 50}])
        self.env["xero.sync.cursor"]._xero_run_pulls(self.connection)
        partner.invalidate_recordset()
        by_status = {i.number: i.status for i in partner.xero_invoice_ids}
        self.assertEqual(sorted(by_status.values()), ["AUTHORISED", "DRAFT", "PAID", "VOIDED"])
        self.assertEqual(partner.xero_sales_to_date, 150.0, "approved + paid; not draft, not voided")
        self.assertEqual(partner.xero_invoice_ids.filtered(lambda i: i.status == "PAID").amount_due, 0.0)


@tagged("post_install", "-at_install")
class TestContactExport(XeroHttpCase):
    def setUp(self):
        super().setUp()
        self.org = self.sandbox_orgs[0]["tenant_id"]
        self.connection = self._xero_connect(self.xero_admin, tenants=[self.org])
        self.Job = self.env["xero.job"].sudo()

    def xero_contacts(self):
        return self.sandbox_get(f"/_sandbox/orgs/{self.org}/Contacts")["Contacts"]

    def seed(self, records):
        return self.sandbox_post(f"/_sandbox/orgs/{self.org}/Contacts", {"Contacts": records})["Contacts"]

    def send(self):
        self.Job._xero_send(connections=self.connection)

    def test_export_creates_once_then_updates(self):
        partner = self.env["res.partner"].create({
            "name": "Bluewater Café", "email": "accounts@bluewater.example", "phone": "+64 9 555 0101",
            "street": "1 Quay St", "city": "Auckland", "is_company": True,
        })
        before = len(self.xero_contacts())
        partner.action_xero_export()
        contact_id = partner.xero_contact_id
        self.assertTrue(contact_id)
        contacts = {c["ContactID"]: c for c in self.xero_contacts()}
        self.assertEqual(len(contacts), before + 1)
        self.assertEqual(contacts[contact_id]["ContactNumber"], partner._xero_contact_number())
        self.assertEqual(contacts[contact_id]["EmailAddress"], "accounts@bluewater.example")
        self.assertEqual(partner.xero_sync_state, "done")
        # Exporting again sends an update, never a second contact.
        partner.action_xero_export()
        self.assertEqual(len(self.xero_contacts()), before + 1)
        # An edit of a linked customer is queued, and the sender updates Xero.
        partner.write({"email": "ap@bluewater.example"})
        job = self.Job.search([("res_id", "=", partner.id), ("res_model", "=", "res.partner"),
                               ("state", "=", "pending")])
        self.assertEqual(len(job), 1)
        partner.invalidate_recordset()
        self.assertEqual(partner.xero_sync_state, "pending")
        self.send()
        contacts = {c["ContactID"]: c for c in self.xero_contacts()}
        self.assertEqual(contacts[contact_id]["EmailAddress"], "ap@bluewater.example")
        self.assertEqual(len(contacts), before + 1)

    def test_values_longer_than_xero_accepts_are_cut_to_its_lengths(self):
        """Xero refuses a contact whose PhoneNumber, PostalCode or TaxNumber passes 50 characters, or its
        EmailAddress 255 (xero_accounting.yaml): they are cut (an email address is left out, not cut)."""
        partner = self.env["res.partner"].with_context(no_vat_validation=True).create({
            "name": "Long Fields Ltd " + "x" * 300, "is_company": True, "phone": "+64 9 555 " + "1" * 60,
            "zip": "Z" * 70, "vat": "NZ" + "9" * 80, "email": "a" * 250 + "@long.example", "city": "C" * 300})
        partner.action_xero_export()
        self.assertTrue(partner.xero_contact_id, partner.xero_last_error)
        contact = self.sandbox_get(f"/_sandbox/orgs/{self.org}/Contacts/{partner.xero_contact_id}")
        self.assertEqual(len(contact["Name"]), 255)
        self.assertEqual(len(contact["TaxNumber"]), 50)
        self.assertEqual(len(contact["Phones"][0]["PhoneNumber"]), 50)
        address = contact["Addresses"][0]
        self.assertEqual((len(address["PostalCode"]), len(address["City"])), (50, 255))
        self.assertFalse(contact.get("EmailAddress"), "an address cut would be another address")

    def test_an_edit_on_its_way_is_not_undone_by_xeros_older_values(self):
        partner = self.env["res.partner"].create({"name": "Harbourside Bakery", "email": "old@harbourside.example",
                                                  "is_company": True})
        partner.action_xero_export()
        contact_id = partner.xero_contact_id
        # A sale in Xero makes it a customer there (only customers come back to Odoo).
        self.sandbox_post(f"/_sandbox/orgs/{self.org}/Invoices", {"Invoices": [{
            "Type": "ACCREC", "Status": "AUTHORISED", "Contact": {"ContactID": contact_id}, "Date": "2026-03-01",
            "DueDate": "2026-03-31", "LineItems": [{"Description": "Bread", "Quantity": 1, "UnitAmount": 9,
                                                    "AccountCode": "200"}]}]})
        def cursor():  # the sender refreshes contacts at most every 10 s: as if those had passed
            return self.env["xero.sync.cursor"].search([("connection_id", "=", self.connection.id),
                                                        ("key", "=like", "Contacts %")])

        partner.write({"phone": "+64 9 555 0199"})
        self.send()
        # Minutes later, a new email. Before sending it, the sender brings contacts up to date: Xero's copy
        # (the phone edit's echo, with the old email) is newer than the last pull.
        self.sandbox_post("/_sandbox/clock", {"advance": 180})
        self.assertEqual(len(cursor()), 1)
        cursor().last_run = False
        partner.write({"email": "new@harbourside.example"})
        self.send()
        partner.invalidate_recordset()
        self.assertEqual(partner.email, "new@harbourside.example", "the user's edit stays")
        contact = next(c for c in self.xero_contacts() if c["ContactID"] == contact_id)
        self.assertEqual(contact["EmailAddress"], "new@harbourside.example", "and is what Xero gets")
        # With nothing of Odoo's on its way, a change made in Xero still comes to Odoo.
        self.sandbox_post("/_sandbox/clock", {"advance": 180})
        self.sandbox_post(f"/_sandbox/orgs/{self.org}/Contacts", {"Contacts": [
            {"ContactID": contact_id, "Name": "Harbourside Bakery", "EmailAddress": "xero@harbourside.example"}]})
        cursor().last_run = False
        partner._xero_refresh_contacts(self.connection)
        partner.invalidate_recordset()
        self.assertEqual(partner.email, "xero@harbourside.example")

    def test_matches_existing_contacts_instead_of_duplicating(self):
        by_email, by_name = self.seed([
            {"Name": "Northside Delicatessen", "EmailAddress": "billing@northside.example"},
            {"Name": "Marta Jensen"},
        ])
        p_email = self.env["res.partner"].create({"name": "Northside Deli", "email": "Billing@Northside.example"})
        p_name = self.env["res.partner"].create({"name": "marta  jensen", "email": "marta@example.com"})
        before = len(self.xero_contacts())
        (p_email | p_name).action_xero_export()  # bulk: queued
        self.send()
        self.assertEqual(len(self.xero_contacts()), before, "no contact created: both matched")
        self.assertEqual(p_email.xero_contact_id, by_email["ContactID"])
        self.assertEqual(p_name.xero_contact_id, by_name["ContactID"])

    def test_a_call_of_customers_is_written_back_together(self):
        """What Xero answered for one call of contacts is written back set-wise: the contacts stored in one INSERT,
        the log notes in one, each customer with its own note (not a query per customer)."""
        partners = self.env["res.partner"].create([
            {"name": f"Together Roasters {n}", "email": f"together{n}@example.com"} for n in range(4)])
        partners.action_xero_export()
        inserts = []
        execute = sql_db.Cursor.execute

        def counting(cr, query, params=None, log_exceptions=True):
            text = str(getattr(query, "code", query))
            if text.startswith("INSERT INTO"):
                inserts.append(text.split()[2].strip('"'))
            return execute(cr, query, params, log_exceptions)

        def committing(env, processed=0, **kwargs):
            """What a commit does to the transaction (tests commit nothing): its caches cleared."""
            env.cr.flush()
            env.cr.clear()
            return float("inf")

        with patch.object(sql_db.Cursor, "execute", counting), \
                patch("odoo.addons.xero_connector.models.xero_job_sender.commit_progress", committing):
            self.send()
        self.assertEqual(inserts.count("xero_contact"), 1, inserts)
        self.assertEqual(inserts.count("mail_message"), 1, inserts)
        known = self.env["xero.contact"].sudo().search([("connection_id", "=", self.connection.id)])
        for partner in partners:
            self.assertTrue(partner.xero_contact_id)
            self.assertIn(partner.xero_contact_id, known.mapped("contact_id"))
            notes = partner.message_ids.filtered(lambda m: "Created or linked in Xero" in (m.body or ""))
            self.assertEqual(len(notes), 1, partner.name)
            self.assertIn(partner.xero_contact_id, notes.body)

    def test_two_new_customers_of_one_name_in_one_run(self):
        # Xero refuses a second active contact of the same name: they are not sent in one call; the second
        # is matched by name to the contact the first became (the rule above), instead of being refused.
        first, second = self.env["res.partner"].create([
            {"name": "Mole Coffee Co", "email": "finance@mole.example", "is_company": True},
            {"name": "Mole Coffee Co", "email": "orders@mole.example", "is_company": True}])
        before = len(self.xero_contacts())
        (first | second).action_xero_export()
        self.send()
        jobs = self.Job.search([("res_model", "=", "res.partner"), ("res_id", "in", (first | second).ids)])
        self.assertEqual(set(jobs.mapped("state")), {"done"}, jobs.mapped("error"))
        self.assertEqual(len(self.xero_contacts()), before + 1)
        self.assertTrue(first.xero_contact_id)
        self.assertEqual(second.xero_contact_id, first.xero_contact_id)
        puts = [c for c in self.sandbox_get("/_sandbox/log", tenant=self.org)
                if c["path"].endswith("/Contacts") and c["method"] in ("PUT", "POST")]
        self.assertEqual(len(puts), 2, "two calls: the second name waited for the first")
        # The contact stays the first's: the second does not overwrite its email and reference, now or on edits.
        second.write({"phone": "+64 9 555 0123"})
        self.send()
        contact = next(c for c in self.xero_contacts() if c["ContactID"] == first.xero_contact_id)
        self.assertEqual((contact["EmailAddress"], contact["ContactNumber"]),
                         ("finance@mole.example", first._xero_contact_number()))
        self.assertEqual(self.Job.search([("res_model", "=", "res.partner"), ("res_id", "=", second.id)],
                                         order="id desc", limit=1).state, "done")
        # Nor does a pull bring the first's details onto the second (whichever sorts first).
        self.sandbox_post("/_sandbox/clock", {"advance": 120})
        self.seed([{"ContactID": first.xero_contact_id, "Name": "Mole Coffee Co", "EmailAddress": "finance@mole.example",
                    "ContactNumber": first._xero_contact_number(), "IsCustomer": True}])
        self.env["res.partner"]._xero_apply_contacts(self.connection, [
            dict(next(c for c in self.xero_contacts() if c["ContactID"] == first.xero_contact_id),
                 IsCustomer=True, EmailAddress="accounts@mole.example")])
        self.assertEqual((first.email, second.email), ("accounts@mole.example", "orders@mole.example"))

    def test_same_customer_queued_twice_is_sent_once(self):
        partner = self.env["res.partner"].create({"name": "Twice Ltd", "email": "t@example.com"})
        first = self.Job._xero_enqueue(partner, "contact", method="POST")
        second = self.Job._xero_enqueue(partner, "contact", method="POST")
        self.assertEqual(first, second, "one open job per customer")
        before = len(self.xero_contacts())
        self.send()
        self.send()
        self.assertEqual(len(self.xero_contacts()), before + 1)

    def test_lost_response_does_not_duplicate(self):
        partner = self.env["res.partner"].create({"name": "Lost Reply Ltd", "email": "lost@example.com"})
        before = len(self.xero_contacts())
        self.sandbox_post("/_sandbox/faults", {"kind": "lost_response", "tenant": self.org, "method": "POST",
                                               "path": "/api.xro/2.0/Contacts", "count": 1})
        self.Job._xero_enqueue(partner, "contact", method="POST")
        self.send()
        self.Job.search([("res_id", "=", partner.id), ("res_model", "=", "res.partner")]).write({"next_try": False})
        self.send()
        self.assertEqual(len(self.xero_contacts()), before + 1, "the write that Xero applied is found, not redone")
        self.assertTrue(partner.xero_contact_id)

    def test_archived_linked_contact_blocks_with_a_message(self):
        contact = self.seed([{"Name": "Archived Co"}])[0]
        partner = self.env["res.partner"].create({"name": "Archived Co", "xero_contact_id": contact["ContactID"]})
        self.seed([{"ContactID": contact["ContactID"], "ContactStatus": "ARCHIVED"}])
        job = self.Job._xero_enqueue(partner, "contact", method="POST")
        self.send()
        self.assertEqual(job.state, "blocked")
        self.assertIn("archived in Xero", job.error)
        partner.invalidate_recordset()
        self.assertEqual(partner.xero_sync_state, "error")

    def test_changes_from_xero_are_not_echoed(self):
        contact = self.seed([{"Name": "Echo Ltd", "EmailAddress": "echo@example.com"}])[0]
        partner = self.env["res.partner"].create({"name": "Echo Ltd", "xero_contact_id": contact["ContactID"]})
        self.env["res.partner"]._xero_apply_contacts(
            self.connection, [dict(contact, IsCustomer=True, Name="Echo Limited")])
        self.assertEqual(partner.name, "Echo Limited")
        self.assertFalse(self.Job.search([("res_model", "=", "res.partner"), ("res_id", "=", partner.id)]))

    def test_customers_with_sales_history_are_queued(self):
        product = self.env["product.product"].create({"name": "Beans", "list_price": 10})
        buyer = self.env["res.partner"].create({"name": "Buyer Co", "email": "buyer@example.com"})
        idle = self.env["res.partner"].create({"name": "Idle Co", "email": "idle@example.com"})
        quoted = self.env["res.partner"].create({"name": "Quoted Co", "email": "quoted@example.com"})
        order = self.env["sale.order"].create({"partner_id": buyer.id, "order_line": [
            Command.create({"product_id": product.id, "product_uom_qty": 1})]})
        order.action_confirm()
        self.env["sale.order"].create({"partner_id": quoted.id, "order_line": [
            Command.create({"product_id": product.id, "product_uom_qty": 1})]})
        queued = self.env["res.partner"]._xero_queue_customers(self.connection)
        self.assertIn(buyer, queued)
        self.assertNotIn(idle, queued)
        self.assertNotIn(quoted, queued, "a quotation is not sales history")
