"""Amounts kept as Xero or a provider gave them (a number and a currency code) show as Odoo monetary values in
the connector's lists and forms: "$ 46.31" and "$ 0.00", not "46.310" and "0.000"."""
from lxml import etree

from odoo.tests import tagged
from odoo.tests.common import TransactionCase


@tagged("post_install", "-at_install")
class TestAmounts(TransactionCase):
    def test_payments_show_their_amounts_in_their_currency(self):
        eur = self.env.ref("base.EUR")
        payment = self.env["xero.payment"].sudo().create({
            "name": "Stripe ch_amounts", "company_id": self.env.company.id, "provider": "stripe", "key": "ch_amounts",
            "currency_code": "usd", "amount": 46.31, "fee_amount": 0.0, "fee_currency_code": "EUR"})
        self.assertEqual((payment.currency_id, payment.fee_currency_id), (self.env.ref("base.USD"), eur))
        unknown = payment.copy({"key": "ch_unknown", "currency_code": "XXQ", "fee_currency_code": False})
        self.assertFalse(unknown.currency_id or unknown.fee_currency_id)
        for view_type in ("list", "form"):
            arch = etree.fromstring(self.env["xero.payment"].get_view(view_type=view_type)["arch"])
            for name, currency in (("amount", "currency_id"), ("fee_amount", "fee_currency_id")):
                [node] = arch.xpath(f"//field[@name='{name}']")
                self.assertEqual(node.get("widget"), "monetary", (view_type, name))
                self.assertIn(currency, node.get("options"), (view_type, name))
                self.assertTrue(arch.xpath(f"//field[@name='{currency}']"), (view_type, currency))

    def test_a_customers_xero_invoices_show_in_their_currency(self):
        connection = self.env["xero.connection"].sudo().create({"company_id": self.env.company.id})
        invoice = self.env["xero.invoice"].sudo().create({
            "connection_id": connection.id, "xero_invoice_id": "5b1c0c2e-8a5f-4d3e-9d3a-0b7e2f1c9a11",
            "currency_code": "NZD", "total": 115.0, "amount_due": 15.0})
        self.assertEqual(invoice.currency_id, self.env.ref("base.NZD"), "an inactive currency is found too")
        arch = etree.fromstring(self.env["res.partner"].get_view(view_type="form")["arch"])
        for name in ("total", "amount_due"):
            [node] = arch.xpath(f"//field[@name='xero_invoice_ids']//field[@name='{name}']")
            self.assertEqual((node.get("widget"), "currency_id" in node.get("options")), ("monetary", True))
