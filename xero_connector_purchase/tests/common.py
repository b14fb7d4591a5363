"""The case of the bridge's tests: xero_connector's export case (a company connected to the sandbox) plus a vendor,
a purchased product mapped to a Xero cost account and a purchase tax mapped to Xero's INPUT rate."""
from odoo.fields import Command

from odoo.addons.xero_connector.tests.export_case import XeroExportCase


class XeroPurchaseCase(XeroExportCase):
    def setUp(self):
        super().setUp()
        self.vendor = self.env["res.partner"].create({"name": "Green Bean Traders Ltd", "is_company": True,
                                                      "email": "orders@greenbean.example"})
        self.beans = self.env["product.product"].create({"name": "Green Beans 60kg", "standard_price": 310.0})
        # The product's Xero purchase account (the purchase mapping, as vendor bills)
        self.beans.product_tmpl_id.sudo().xero_purchase_account_code = "310"
        self.purchase_tax = self.env["account.tax"].create({"name": "Purchases 15%", "amount": 15.0,
                                                            "type_tax_use": "purchase", "xero_tax_type": "INPUT"})
        self.xero_user.group_ids += self.env.ref("purchase.group_purchase_user")

    def purchase_order(self, partner=None, qty=2, price=310.0, confirm=True, ref=False):
        order = self.env["purchase.order"].create({
            "partner_id": (partner or self.vendor).id,
            "partner_ref": ref,
            "order_line": [Command.create({"product_id": self.beans.id, "product_qty": qty, "price_unit": price,
                                           "tax_ids": [Command.set(self.purchase_tax.ids)]})],
        })
        if confirm:
            order.button_confirm()
        return order

    def xero_po(self, order):
        return next(p for p in self.xero("PurchaseOrders") if p["PurchaseOrderID"] == order.xero_purchase_order_id)
