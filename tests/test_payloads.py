"""Each document's payload as it leaves the connector, with the library's one chokepoint (XeroClient.request)
patched: fast TransactionCase tests, no sandbox, no HTTP. What Xero does with these payloads is tested
end to end against the sandbox (test_export.py and after); here, what the connector sends and how it reads
the answer back."""
import itertools
import uuid
from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.fields import Command
from odoo.tests import tagged
from odoo.tests.common import TransactionCase

from ..xero import resources
from ..xero.client import XeroClient

TENANT = "4a1f0c9e-2b7d-4e3a-9c51-8d2f6e0b7a13"


class XeroWire:
    """Stands in for Xero behind XeroClient.request: records each request and answers each written element
    as Xero does (ids given, numbers kept or given, ``StatusAttributeString: OK``)."""

    def __init__(self):
        self.requests = []
        self.numbers = itertools.count(1)

    def __call__(self, client, method, path, *, params=None, json=None, headers=None, idempotency_key=None,
                 if_modified_since=None):
        self.requests.append({"method": method.upper(), "path": path, "params": dict(params or {}), "json": json,
                              "idempotency_key": idempotency_key})
        if method.upper() == "GET":
            return {resources.envelope(path): []}
        key = resources.envelope(path)
        elements = json.get(key) if isinstance(json, dict) and key in json else [json]
        return {key: [self.answer(path, dict(element)) for element in elements]}

    def answer(self, path, element):
        id_field, number_field = resources.id_field(path), resources.number_field(path)
        element.setdefault(id_field, str(uuid.uuid4()))
        if number_field and number_field not in ("Code", "ContactNumber"):
            element.setdefault(number_field, f"X-{next(self.numbers):04d}")
        element.setdefault("Status", "ACTIVE" if path == "Contacts" else "AUTHORISED")
        element["StatusAttributeString"] = "OK"
        return element

    def writes(self, path=None):
        return [r for r in self.requests if r["method"] != "GET" and (path is None or r["path"] == path)]


@tagged("post_install", "-at_install")
class TestPayloads(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.connection = cls.env["xero.connection"].sudo().create({"company_id": cls.company.id})
        cls.connection.write({"state": "connected", "tenant_id": TENANT, "tenant_name": "Payload Org",
                              "bound_tenant_id": TENANT})
        cls.connection.write({"access_token": "payload-access", "refresh_token": "payload-refresh",
                              "token_expires_at": fields.Datetime.now() + timedelta(hours=1)})
        Account, Rate = cls.env["xero.account"].sudo(), cls.env["xero.tax.rate"].sudo()
        for code, name, kind in (("200", "Sales", "REVENUE"), ("260", "Other Revenue", "REVENUE")):
            Account.create({"connection_id": cls.connection.id, "xero_id": str(uuid.uuid4()), "code": code,
                            "name": name, "account_type": kind, "status": "ACTIVE"})
        for tax_type, name, rate in (("OUTPUT", "15% GST on Income", 15.0), ("NONE", "No GST", 0.0)):
            Rate.create({"connection_id": cls.connection.id, "xero_id": tax_type, "name": name,
                         "effective_rate": rate, "status": "ACTIVE"})
        cls.company.write({"xero_sales_account_code": "200", "xero_tax_type": "OUTPUT",
                           "xero_invoice_status": "AUTHORISED", "xero_sale_order_target": "invoice",
                           "xero_auto_export": "none", "xero_auto_export_invoices": False})
        cls.tax = cls.env["account.tax"].create({"name": "Sales 15%", "amount": 15.0, "type_tax_use": "sale"})
        cls.product = cls.env["product.product"].create({"name": "Espresso Beans 1kg", "list_price": 25.0,
                                                         "default_code": "ESP-1KG"})
        cls.customer = cls.env["res.partner"].create({
            "name": "Harbour Roasters Ltd", "email": "ap@harbour.example", "is_company": True,
            "street": "1 Quay Street", "city": "Auckland", "zip": "1010", "phone": "+64 9 555 0100"})
        cls.Job = cls.env["xero.job"].sudo()

    def setUp(self):
        super().setUp()
        self.wire = XeroWire()
        patcher = patch.object(XeroClient, "request", autospec=True, side_effect=self.wire)
        patcher.start()
        self.addCleanup(patcher.stop)

    def send(self):
        self.Job._xero_send()

    def only(self, path):
        writes = self.wire.writes(path)
        self.assertEqual(len(writes), 1, f"one write to {path}: {self.wire.requests}")
        return writes[0]

    def order(self, ref="PO-7781", price=25.0, discount=0.0, currency=None):
        order = self.env["sale.order"].create({
            "partner_id": self.customer.id, "client_order_ref": ref,
            **({"pricelist_id": self.pricelist(currency).id} if currency else {}),
            "order_line": [Command.create({"product_id": self.product.id, "product_uom_qty": 2, "price_unit": price,
                                           "discount": discount, "tax_ids": [Command.set(self.tax.ids)]})]})
        order.action_confirm()
        return order

    def pricelist(self, currency):
        return self.env["product.pricelist"].create({"name": f"{currency.name} prices", "currency_id": currency.id})

    def invoice(self, move_type="out_invoice", price=100.0, post=True, discount=0.0, **vals):
        move = self.env["account.move"].create(dict({
            "move_type": move_type, "partner_id": self.customer.id, "invoice_date": fields.Date.today(),
            "invoice_line_ids": [Command.create({"name": "Roasting service", "quantity": 3, "price_unit": price,
                                                 "discount": discount, "tax_ids": [Command.set(self.tax.ids)]})]},
                                                     **vals))
        if post:
            move.action_post()
        return move

    def contact_sent_first(self):
        """The customer went first, as a new Xero contact with its details, and is linked to the id Xero gave."""
        contact = self.only("Contacts")
        self.assertEqual(contact["method"], "PUT")
        self.assertEqual(contact["params"], {"summarizeErrors": "false"})
        [element] = contact["json"]["Contacts"]
        self.assertEqual({k: element[k] for k in ("Name", "EmailAddress", "ContactNumber")},
                         {"Name": "Harbour Roasters Ltd", "EmailAddress": "ap@harbour.example",
                          "ContactNumber": self.customer._xero_contact_number()})
        self.assertEqual(element["Phones"], [{"PhoneType": "DEFAULT", "PhoneNumber": "+64 9 555 0100"}])
        self.assertEqual((element["Addresses"][0]["AddressLine1"], element["Addresses"][0]["City"]),
                         ("1 Quay Street", "Auckland"))
        self.assertTrue(self.customer.xero_contact_id)
        self.assertLess(self.wire.requests.index(contact), self.wire.requests.index(self.wire.writes()[-1]))
        return self.customer.xero_contact_id

    def test_a_confirmed_order_goes_as_an_approved_invoice_after_its_customer(self):
        order = self.order()
        order.action_xero_export_invoice()
        contact_id = self.contact_sent_first()
        sent = self.only("Invoices")
        self.assertEqual((sent["method"], sent["params"]), ("PUT", {"summarizeErrors": "false", "unitdp": "4"}))
        self.assertTrue(sent["idempotency_key"])
        [element] = sent["json"]["Invoices"]
        today = fields.Date.to_string(fields.Date.context_today(order))
        self.assertEqual(element, {
            "Type": "ACCREC", "Contact": {"ContactID": contact_id}, "Date": today, "DueDate": today,
            "LineAmountTypes": "Exclusive", "Reference": "PO-7781", "Status": "AUTHORISED",
            "CurrencyCode": self.company.currency_id.name, "Url": order._xero_odoo_url(),
            "LineItems": [{"Description": "[ESP-1KG] Espresso Beans 1kg", "Quantity": 2.0, "UnitAmount": 25.0,
                           "AccountCode": "200", "TaxType": "OUTPUT"}]})
        self.assertTrue(order.xero_invoice_id)
        self.assertEqual((order.xero_invoice_number, order.xero_invoice_status), ("X-0001", "AUTHORISED"))
        self.assertEqual(self.Job.search([("res_model", "=", "sale.order"), ("res_id", "=", order.id)]).state, "done")

    def test_an_order_goes_as_a_quote_when_the_settings_say_so(self):
        self.company.xero_sale_order_target = "quote"
        order = self.order(ref="PO-QUOTE")
        order.action_xero_export_sales_order()
        contact_id = self.contact_sent_first()
        sent = self.only("Quotes")
        self.assertEqual(sent["method"], "PUT")
        [element] = sent["json"]["Quotes"]
        self.assertEqual(element["Contact"], {"ContactID": contact_id})
        self.assertEqual(element["LineAmountTypes"], "EXCLUSIVE", "quotes spell it in capitals")
        self.assertIn(element["Status"], ("DRAFT", "SENT"))
        self.assertEqual(element["Reference"], "PO-QUOTE")
        self.assertEqual(element["LineItems"][0]["AccountCode"], "200")
        self.assertTrue(order.xero_quote_id)
        self.assertFalse(self.wire.writes("Invoices"))

    def test_a_discount_and_a_foreign_currency(self):
        eur = self.env.ref("base.EUR")
        eur.active = True
        order = self.order(price=40.0, discount=12.5, currency=eur)
        order.action_xero_export_invoice()
        [element] = self.only("Invoices")["json"]["Invoices"]
        self.assertEqual(element["CurrencyCode"], "EUR")
        self.assertNotIn("CurrencyRate", element, "Xero applies its day rate; a rate of 1 would be wrong")
        self.assertEqual((element["LineItems"][0]["UnitAmount"], element["LineItems"][0]["DiscountRate"]),
                         (40.0, 12.5))

    def test_a_customer_invoice_keeps_odoos_number_and_its_due_date(self):
        move = self.invoice(ref="PO-INV", invoice_date_due=fields.Date.today() + timedelta(days=30))
        move.action_xero_export()
        self.contact_sent_first()
        [element] = self.only("Invoices")["json"]["Invoices"]
        self.assertEqual((element["Type"], element["InvoiceNumber"], element["Reference"]), ("ACCREC", move.name, "PO-INV"))
        self.assertEqual(element["DueDate"], fields.Date.to_string(move.invoice_date_due))
        self.assertEqual(element["LineItems"], [{"Description": "Roasting service", "Quantity": 3.0,
                                                 "UnitAmount": 100.0, "AccountCode": "200", "TaxType": "OUTPUT"}])
        self.assertEqual(move.xero_invoice_number, move.name, "Xero kept the number it was given")

    def test_a_refund_goes_as_a_credit_note_without_a_discount_rate(self):
        refund = self.invoice(move_type="out_refund", discount=10.0)
        refund.action_xero_export()
        self.assertFalse(self.wire.writes("Invoices"))
        sent = self.only("CreditNotes")
        [element] = sent["json"]["CreditNotes"]
        self.assertEqual((element["Type"], element["CreditNoteNumber"]), ("ACCRECCREDIT", refund.name))
        self.assertNotIn("DiscountRate", element["LineItems"][0], "Xero refuses discounts on credit notes")
        self.assertEqual((element["LineItems"][0]["Quantity"], element["LineItems"][0]["UnitAmount"]), (3.0, 90.0),
                         "the discount is in the unit amount")
        self.assertEqual(refund.amount_untaxed, 270.0)
        self.assertNotIn("Url", element)
        self.assertTrue(refund.xero_invoice_id)

    def test_an_exported_invoice_posted_again_is_updated_in_place(self):
        move = self.invoice()
        move.action_xero_export()
        xero_id = move.xero_invoice_id
        move.button_draft()
        move.invoice_line_ids.price_unit = 120.0
        move.action_post()
        self.send()
        update = self.wire.writes("Invoices")[-1]
        self.assertEqual(update["method"], "POST")
        [element] = update["json"]["Invoices"]
        self.assertEqual(element["InvoiceID"], xero_id)
        self.assertNotIn("Status", element, "an update leaves Xero's status alone")
        self.assertEqual(element["LineItems"][0]["UnitAmount"], 120.0)
        self.assertEqual(move.xero_invoice_id, xero_id)
        self.assertEqual(len(self.wire.writes("Contacts")), 1, "the customer is not sent again")

    def test_a_cancelled_invoice_is_voided(self):
        move = self.invoice()
        move.action_xero_export()
        xero_id = move.xero_invoice_id
        move.button_draft()
        move.button_cancel()
        self.send()
        void = self.wire.writes("Invoices")[-1]
        self.assertEqual(void["method"], "POST")
        self.assertEqual(void["json"]["Invoices"], [{"InvoiceID": xero_id, "Status": "VOIDED"}])

    def test_a_linked_customer_is_not_written_again(self):
        linked = str(uuid.uuid4())
        self.env["xero.contact"].sudo().create({"connection_id": self.connection.id, "contact_id": linked,
                                                "name": "Harbour Roasters Ltd", "status": "ACTIVE"})
        self.customer.sudo().with_context(xero_from_xero=True).xero_contact_id = linked
        self.invoice().action_xero_export()
        self.assertFalse(self.wire.writes("Contacts"))
        self.assertEqual(self.only("Invoices")["json"]["Invoices"][0]["Contact"], {"ContactID": linked})

    def test_an_unmapped_line_is_blocked_before_any_call(self):
        self.company.xero_sales_account_code = False
        move = self.invoice()
        move.action_xero_export()
        self.assertFalse(self.wire.writes("Invoices"))
        job = self.Job.search([("res_model", "=", "account.move"), ("res_id", "=", move.id)])
        self.assertEqual(job.state, "blocked")
        self.assertIn(move.display_name, job.error)
        self.assertIn("account", job.error.lower())

    def test_an_account_unknown_to_the_organisation_is_blocked_before_any_call(self):
        self.company.xero_sales_account_code = "999"
        move = self.invoice()
        move.action_xero_export()
        self.assertFalse(self.wire.writes("Invoices"))
        job = self.Job.search([("res_model", "=", "account.move"), ("res_id", "=", move.id)])
        self.assertEqual(job.state, "blocked")
        self.assertIn("999", job.error)

    def test_a_product_goes_as_an_item_by_its_code(self):
        self.product.taxes_id = self.tax
        self.product.with_user(self.env.user).action_xero_export_item()
        sent = self.only("Items")
        self.assertEqual(sent["method"], "POST")
        self.assertEqual(sent["params"], {"summarizeErrors": "false", "unitdp": "4"})
        self.assertEqual(sent["json"]["Items"], [{
            "Code": "ESP-1KG", "Name": "Espresso Beans 1kg", "Description": "Espresso Beans 1kg", "IsSold": True,
            "SalesDetails": {"UnitPrice": 25.0, "AccountCode": "200", "TaxType": "OUTPUT"}}])

    def test_fifty_invoices_go_in_one_call_with_one_idempotency_key_each_call(self):
        moves = self.env["account.move"]
        for _i in range(51):
            moves |= self.invoice(post=False)
        moves.action_post()
        self.Job._xero_enqueue(moves, "invoice")
        self.send()
        calls = self.wire.writes("Invoices")
        self.assertEqual([len(c["json"]["Invoices"]) for c in calls], [50, 1])
        self.assertEqual(len({c["idempotency_key"] for c in calls}), 2)
        self.assertEqual(sorted(e["InvoiceNumber"] for c in calls for e in c["json"]["Invoices"]),
                         sorted(moves.mapped("name")))
        self.assertTrue(all(moves.mapped("xero_invoice_id")))
