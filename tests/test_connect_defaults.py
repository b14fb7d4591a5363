"""Works right after connecting: on each of Xero's countries (an organisation as Xero creates it, with its
country's default chart and tax rates), connecting chooses the default sales account and tax rate from the
organisation itself, says so in one line, and the first order and invoice go to Xero with no mapping set by hand."""
import requests

from odoo.fields import Command
from odoo.tests import tagged

from .export_case import XeroExportCase

# country: (currency, Xero's tax type of its Sales account, the rate's name, the rate, its Purchases account's)
COUNTRIES = {
    "NZ": ("NZD", "OUTPUT2", "15% GST on Income", 15.0, "INPUT2"),
    "AU": ("AUD", "OUTPUT", "GST on Income", 10.0, "INPUT"),
    "GB": ("GBP", "OUTPUT2", "20% (VAT on Income)", 20.0, "INPUT2"),
    "US": ("USD", "OUTPUT", "Tax on Sales", 0.0, "INPUT"),
}


@tagged("post_install", "-at_install")
class TestConnectDefaults(XeroExportCase):
    def setUp(self):
        super().setUp()
        # The export case connected the demo organisation and set a mapping by hand: start from none.
        self.connection.with_user(self.xero_admin).action_xero_disconnect()
        self.company.sudo().write({"xero_sales_account_code": False, "xero_tax_type": False,
                                   "xero_purchase_account_code": False, "xero_purchase_tax_type": False})

    def fresh_org(self, country):
        # The Odoo company sells in US dollars: the organisation has them as a foreign currency.
        currency = COUNTRIES[country][0]
        org = self.sandbox_post("/_sandbox/orgs", {"name": f"Fresh {country} Ltd", "country": country,
                                                   "base_currency": currency,
                                                   "currencies": [] if currency == "USD" else ["USD"]})
        self.org = org["tenant_id"]
        return self.org

    def connect_fresh(self, country, org=None):
        if not org:
            self.fresh_org(country)
        connection = self._xero_connect(self.xero_admin, tenants=[self.org])
        self.assertEqual((connection.state, connection.tenant_id), ("connected", self.org))
        return connection

    def test_each_country_works_right_after_connecting(self):
        for country, (_currency, tax_type, tax_name, rate, purchase_tax) in COUNTRIES.items():
            with self.subTest(country=country):
                connection = self.connect_fresh(country)
                company = self.company
                self.assertEqual((company.xero_sales_account_code, company.xero_tax_type), ("200", tax_type))
                self.assertEqual((company.xero_sales_account_id.code, company.xero_tax_rate_id.xero_id), ("200", tax_type))
                self.assertEqual((company.xero_purchase_account_code, company.xero_purchase_tax_type), ("300", purchase_tax))
                note = company.xero_defaults_note
                self.assertIn(f"Fresh {country} Ltd", note)
                self.assertIn("200 Sales", note)
                self.assertIn("300 Purchases", note)
                self.assertIn(tax_name, note)
                self.assertTrue([b for b in connection.message_ids.mapped("body") if note in str(b)])
                # An order (as an invoice) and a customer invoice: no mapping was set by hand.
                order = self.order(confirm=True)
                order.with_user(self.xero_user).action_xero_export_invoice()
                self.assertTrue(order.xero_invoice_id, self.jobs_of(order).mapped("error"))
                move = self.invoice(price=80.0)
                move.with_user(self.xero_user).action_xero_export()
                self.assertTrue(move.xero_invoice_id, self.jobs_of(move).mapped("error"))
                sent = {i["InvoiceID"]: i for i in self.xero("Invoices")}
                for record, net in ((order, 50.0), (move, 80.0)):
                    invoice = sent[record.xero_invoice_id]
                    self.assertEqual({(li["AccountCode"], li["TaxType"]) for li in invoice["LineItems"]},
                                     {("200", tax_type)})
                    self.assertEqual((invoice["SubTotal"], invoice["TotalTax"]), (net, round(net * rate / 100, 2)))
                connection.with_user(self.xero_admin).action_xero_disconnect()
                self.company.sudo().write({"xero_sales_account_code": False, "xero_tax_type": False,
                                           "xero_purchase_account_code": False, "xero_purchase_tax_type": False})

    def test_a_default_already_valid_in_the_organisation_is_kept(self):
        connection = self.connect_fresh("NZ")
        # The administrator books sales to 260 instead; reconnecting to the same organisation keeps it.
        self.company.sudo().write({"xero_sales_account_code": "260", "xero_tax_type": False})
        connection.with_user(self.xero_admin).action_xero_disconnect()
        self.connect_fresh("NZ", self.org)
        self.assertEqual((self.company.xero_sales_account_code, self.company.xero_tax_type), ("260", "OUTPUT2"))
        self.assertEqual(self.company.xero_defaults_note,
                         "From the chart of Fresh NZ Ltd we chose 15% GST on Income for sales; change them here if "
                         "your books differ.")

    def test_another_organisation_gets_its_own_defaults(self):
        self.connect_fresh("NZ")
        self.assertEqual(self.company.xero_tax_type, "OUTPUT2")
        # Another organisation's codes are not this one's: chosen again from its own chart.
        self.connect_fresh("AU")
        self.assertEqual((self.company.xero_sales_account_code, self.company.xero_tax_type), ("200", "OUTPUT"))
        self.assertIn("Fresh AU Ltd", self.company.xero_defaults_note)

    def test_a_chart_xero_does_not_give_at_once_is_read_at_the_first_export(self):
        org = self.fresh_org("NZ")
        self.fault(kind="503", method="GET", path="/api.xro/2.0/Accounts", count=20)
        self.connect_fresh("NZ", org)
        self.assertFalse(self.company.xero_sales_account_code)
        self.assertIn("could not be read yet", self.company.xero_defaults_note)
        requests.delete(self.sandbox.url + "/_sandbox/faults", timeout=10).raise_for_status()
        order = self.env["sale.order"].create({
            "partner_id": self.customer.id,
            "order_line": [Command.create({"product_id": self.product.id, "product_uom_qty": 1, "price_unit": 40.0,
                                           "tax_ids": [Command.set(self.tax.ids)]})]})
        order.action_confirm()
        order.with_user(self.xero_user).action_xero_export_invoice()
        self.assertTrue(order.xero_invoice_id, self.jobs_of(order).mapped("error"))
        self.assertEqual((self.company.xero_sales_account_code, self.company.xero_tax_type), ("200", "OUTPUT2"))
