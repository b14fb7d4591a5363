from odoo.fields import Command
from odoo.tests import tagged

from .export_case import XeroExportCase


@tagged("post_install", "-at_install")
class TestXeroItems(XeroExportCase):
    """Xero items ↔ Odoo products, matched by code = internal reference."""

    def item(self, code):
        return next((i for i in self.xero("Items") if i["Code"] == code), None)

    def test_items_round_trip_by_code(self):
        beans = self.env["product.product"].create({
            "name": "Espresso Beans 250g", "default_code": "BEAN-250", "list_price": 9.5,
            "description_sale": "Single origin, roasted weekly", "taxes_id": [Command.set(self.tax.ids)]})
        action = beans.product_tmpl_id.with_user(self.xero_user).action_xero_export_item()
        self.assertEqual(action["params"]["type"], "success", action["params"]["message"])
        item = self.item("BEAN-250")
        self.assertEqual((item["Name"], item["Description"]), ("Espresso Beans 250g", "Single origin, roasted weekly"))
        self.assertEqual(item["SalesDetails"], {"UnitPrice": 9.5, "AccountCode": "200", "TaxType": "OUTPUT"})
        self.assertEqual(beans.xero_item_id.xero_id, item["ItemID"], "linked at once")
        # Changed in Xero: tracked as inventory, a new price, stock counted there.
        self.seed("Items", [{"Code": "BEAN-250", "IsTrackedAsInventory": True, "InventoryAssetAccountCode": "630",
                             "PurchaseDetails": {"COGSAccountCode": "310"},
                             "SalesDetails": {"UnitPrice": 10.25, "AccountCode": "200"}}])
        self.sandbox_post(f"/_sandbox/orgs/{self.org}/Items/BEAN-250/stock", {"QuantityOnHand": 12})
        self.seed("Items", [{"Code": "MUG-01", "Name": "Café Mug", "Description": "Stoneware, 300 ml",
                             "SalesDetails": {"UnitPrice": 14.0, "AccountCode": "200"}}])
        self.env["xero.sync.cursor"]._xero_run_pulls(self.connection)
        beans.invalidate_recordset()
        self.assertEqual((beans.xero_is_tracked, beans.xero_quantity_on_hand), (True, 12.0))
        self.assertEqual(beans.product_tmpl_id.xero_quantity_on_hand, 12.0, "shown on the product form")
        self.assertEqual(beans.list_price, 9.5, "a pull never overwrites products by itself")
        # Import from Xero: the matched product follows, the new item becomes a product.
        action = self.connection.with_user(self.xero_admin).action_xero_import_items()
        self.assertIn("1 product(s) created and 1 updated", action["params"]["message"])
        self.assertEqual(beans.list_price, 10.25)
        mug = self.env["product.product"].search([("default_code", "=", "MUG-01")])
        self.assertEqual((mug.name, mug.description_sale, mug.list_price), ("Café Mug", "Stoneware, 300 ml", 14.0))
        self.assertEqual(mug.xero_item_id.code, "MUG-01")
        # Exported lines carry the item code of Xero items (and not of other products).
        order = self.env["sale.order"].create({"partner_id": self.customer.id, "order_line": [
            Command.create({"product_id": beans.id, "product_uom_qty": 2, "price_unit": 10.25,
                            "tax_ids": [Command.set(self.tax.ids)]}),
            Command.create({"product_id": self.product.id, "product_uom_qty": 1, "price_unit": 25,
                            "tax_ids": [Command.set(self.tax.ids)]}),
        ]})
        job = self.Job._xero_enqueue(order, "invoice")
        self.send()
        self.assertEqual(job.state, "done", job.error)
        invoice = next(i for i in self.xero("Invoices") if i["InvoiceID"] == order.xero_invoice_id)
        self.assertEqual([li.get("ItemCode") for li in invoice["LineItems"]], ["BEAN-250", None])
        # Sent again after a change in Odoo: the same item is updated (matched by code), not duplicated.
        beans.list_price = 11.0
        beans.with_user(self.xero_user).action_xero_export_item()
        self.assertEqual([i["Code"] for i in self.xero("Items")].count("BEAN-250"), 1)
        self.assertEqual(self.item("BEAN-250")["SalesDetails"]["UnitPrice"], 11.0)

    def test_two_products_with_the_same_internal_reference(self):
        first = self.env["product.product"].create({"name": "Filter Papers (old)", "default_code": "FLT-100"})
        second = self.env["product.product"].create({"name": "Filter Papers", "default_code": "FLT-100"})
        job = self.Job._xero_enqueue(second, "item", method="POST")
        self.send()
        self.assertEqual(job.state, "blocked")
        for part in ("FLT-100", "Filter Papers (old)", "make it unique"):
            self.assertIn(part, job.error)
        self.assertIsNone(self.item("FLT-100"), "nothing sent")
        # An item of that code in Xero matches neither product, and says why.
        self.seed("Items", [{"Code": "FLT-100", "Name": "Filter Papers x100"}])
        self.env["xero.sync.cursor"]._xero_run_pulls(self.connection)
        item = self.env["xero.item"].search([("code", "=", "FLT-100")])
        self.assertFalse(item.product_id)
        self.assertIn("Several products have the internal reference FLT-100", item.match_message)
        self.assertIn("Several products", second.product_tmpl_id.xero_item_message)
        action = item.with_user(self.xero_admin).action_xero_import()
        self.assertIn("Skipped", action["params"]["message"])
        self.assertEqual(self.env["product.product"].search_count([("default_code", "=", "FLT-100")]), 2)
        order = self.env["sale.order"].create({"partner_id": self.customer.id, "order_line": [
            Command.create({"product_id": first.id, "product_uom_qty": 1, "price_unit": 4})]})
        order_job = self.Job._xero_enqueue(order, "invoice")
        self.send()
        self.assertEqual(order_job.state, "done", order_job.error)
        invoice = next(i for i in self.xero("Invoices") if i["InvoiceID"] == order.xero_invoice_id)
        self.assertNotIn("ItemCode", invoice["LineItems"][0], "an ambiguous product is no Xero item")
        # Made unique: the next pull links the item.
        first.default_code = "FLT-100-OLD"
        self.sandbox_post("/_sandbox/clock", {"advance": 60})
        self.seed("Items", [{"Code": "FLT-100", "Name": "Filter Papers x100"}])
        self.env["xero.sync.cursor"]._xero_run_pulls(self.connection)
        self.assertEqual(item.product_id, second)
        self.assertFalse(item.match_message)

    def test_align_on_hand_quantities_with_inventory_app(self):
        if "stock.quant" not in self.env:
            self.skipTest("Odoo's Inventory app (stock) is not installed: the option is hidden and does nothing")
        product = self.env["product.product"].create({"name": "Grinder", "default_code": "GRD-1",
                                                      "is_storable": True})
        self.company.xero_stock_align = True
        self.seed("Items", [{"Code": "GRD-1", "Name": "Grinder", "IsTrackedAsInventory": True,
                             "InventoryAssetAccountCode": "630", "PurchaseDetails": {"COGSAccountCode": "310"}}])
        self.sandbox_post(f"/_sandbox/orgs/{self.org}/Items/GRD-1/stock", {"QuantityOnHand": 7})
        self.env["xero.sync.cursor"]._xero_run_pulls(self.connection)
        self.assertEqual(product.with_company(self.company).qty_available, 7.0)
