from odoo.fields import Command
from odoo.tests import tagged

from .export_case import XeroExportCase


@tagged("post_install", "-at_install")
class TestXeroLists(XeroExportCase):
    """Xero's accounts and tax rates in Odoo, the mapping chosen from them, and exports checked against them."""

    def set_account(self, code, **values):
        account = next(a for a in self.xero("Accounts") if a["Code"] == code)
        answer = self.sandbox_post(f"/_sandbox/orgs/{self.org}/Accounts",
                                   {"Accounts": [dict(values, AccountID=account["AccountID"])]})
        self.assertEqual(answer["errors"], 0, answer)
        return answer["Accounts"][0]

    def run_pulls(self):
        """What the pull cron runs, as if the hourly lists were last read over an hour ago."""
        self.env["xero.sync.cursor"].search([("connection_id", "=", self.connection.id)]).last_run = False
        self.env["xero.sync.cursor"]._xero_run_pulls(self.connection)

    def accounts(self):
        return self.env["xero.account"].search([("connection_id", "=", self.connection.id)])

    def test_lists_pulled_whole_and_if_modified_since(self):
        self.env["xero.account"].search([]).unlink()
        self.env["xero.sync.cursor"].search([]).unlink()
        self.clear_log()
        Cursor = self.env["xero.sync.cursor"]
        count = Cursor._xero_pull(self.connection, "Accounts", "xero.account", "_xero_apply_accounts", page_size=10)
        self.assertEqual(count, 17)
        pages = [c["query"] for c in self.calls("GET", "/Accounts")]
        self.assertEqual(len(pages), 1, "Xero does not page accounts: one call, applied in chunks of 10")
        self.assertNotIn("page=", pages[0])
        self.assertEqual(len(self.accounts()), 17)
        sales = self.accounts().filtered(lambda a: a.code == "200")
        self.assertRecordValues(sales, [{"name": "Sales", "account_type": "REVENUE", "status": "ACTIVE",
                                         "enable_payments": False, "tax_type": "OUTPUT"}])
        self.assertTrue(self.accounts().filtered(lambda a: a.code == "615").enable_payments)
        self.assertTrue(self.accounts().filtered(lambda a: a.code == "090").enable_payments, "bank accounts take payments")
        # Later: one account archived in Xero; the cron's pull brings it.
        self.sandbox_post("/_sandbox/clock", {"advance": 120})
        self.set_account("260", Status="ARCHIVED")
        self.run_pulls()
        self.assertEqual(self.accounts().filtered(lambda a: a.code == "260").status, "ARCHIVED")
        # Once past the initial bulk, a run asks only for what changed since (If-Modified-Since).
        self.sandbox_post("/_sandbox/clock", {"advance": 120})
        self.set_account("270", Name="Interest Received")
        self.clear_log()
        self.run_pulls()
        self.assertEqual(len(self.calls("GET", "/Accounts")), 1)
        cursor = Cursor.search([("connection_id", "=", self.connection.id), ("key", "=", "Accounts")])
        self.assertEqual(cursor.last_count, 2, "the change, and the newest record of the previous run (re-read "
                         "within the one-second overlap): not the 17 accounts")
        self.assertEqual(self.accounts().filtered(lambda a: a.code == "270").name, "Interest Received")
        rates = self.env["xero.tax.rate"].search([("connection_id", "=", self.connection.id)])
        self.assertEqual(sorted(rates.mapped("xero_id")), ["EXEMPTINPUT", "EXEMPTOUTPUT", "INPUT", "NONE", "OUTPUT"])
        self.assertEqual(rates.filtered(lambda r: r.xero_id == "OUTPUT").effective_rate, 15.0)

    def test_refresh_from_xero_and_settings_dropdowns(self):
        new_rate = self.seed("TaxRates", [{"Name": "Reduced Rate", "TaxComponents": [{"Name": "Tax", "Rate": 5}]}])[0]
        action = self.connection.with_user(self.xero_admin).action_xero_refresh_lists()
        self.assertIn("17 accounts", action["params"]["message"])
        self.assertIn("6 tax rates", action["params"]["message"])
        reduced = self.env["xero.tax.rate"].search([("xero_id", "=", new_rate["TaxType"])])
        self.assertEqual((reduced.name, reduced.effective_rate), ("Reduced Rate", 5.0))
        other = self.accounts().filtered(lambda a: a.code == "260")
        settings = self.env["res.config.settings"].create({})
        self.assertEqual(settings.xero_sales_account_id.code, "200", "the stored code shows in the dropdown")
        self.assertEqual(settings.xero_tax_rate_id.xero_id, "OUTPUT")
        settings.write({"xero_sales_account_id": other.id, "xero_tax_rate_id": reduced.id})
        settings.execute()
        self.assertEqual((self.company.xero_sales_account_code, self.company.xero_tax_type),
                         ("260", new_rate["TaxType"]))
        # A tax rate deleted in Xero is marked so by the next refresh, and leaves the dropdowns.
        self.seed("TaxRates", [{"TaxType": new_rate["TaxType"], "Status": "DELETED"}])
        self.env["res.config.settings"].create({}).action_xero_refresh_lists()
        self.assertEqual(reduced.status, "DELETED")
        self.assertNotIn(reduced, self.env["xero.tax.rate"].search([("company_id", "=", self.company.id),
                                                                   ("status", "=", "ACTIVE")]))

    def test_mapping_per_category_product_and_tax(self):
        reduced = self.seed("TaxRates", [{"Name": "Reduced Rate", "TaxComponents": [{"Name": "Tax", "Rate": 5}]}])[0]
        self.connection._xero_refresh_lists(["accounts", "tax_rates"])
        parent = self.env["product.category"].create({"name": "Coffee"})
        child = self.env["product.category"].create({"name": "Beans", "parent_id": parent.id})
        parent.xero_sales_account_id = self.accounts().filtered(lambda a: a.code == "260")
        self.assertEqual(parent.xero_sales_account_code, "260")
        special = self.env["product.product"].create({"name": "Gift Card", "categ_id": child.id})
        special.product_tmpl_id.xero_sales_account_id = self.accounts().filtered(lambda a: a.code == "270")
        self.product.categ_id = child
        reduced_tax = self.env["account.tax"].create({"name": "Sales 5%", "amount": 5.0, "type_tax_use": "sale"})
        reduced_tax.xero_tax_rate_id = self.env["xero.tax.rate"].search([("xero_id", "=", reduced["TaxType"])])
        self.assertEqual(reduced_tax.xero_tax_type, reduced["TaxType"])
        plain = self.env["product.product"].create({"name": "Delivery"})
        order = self.env["sale.order"].create({
            "partner_id": self.customer.id,
            "order_line": [
                Command.create({"product_id": self.product.id, "product_uom_qty": 1, "price_unit": 10,
                                "tax_ids": [Command.set(self.tax.ids)]}),
                Command.create({"product_id": special.id, "product_uom_qty": 1, "price_unit": 20,
                                "tax_ids": [Command.set(reduced_tax.ids)]}),
                Command.create({"product_id": plain.id, "product_uom_qty": 1, "price_unit": 5,
                                "tax_ids": [Command.set(self.tax.ids)]}),
            ],
        })
        job = self.Job._xero_enqueue(order, "invoice")
        self.send()
        self.assertEqual(job.state, "done", job.error)
        invoice = next(i for i in self.xero("Invoices") if i["InvoiceID"] == order.xero_invoice_id)
        self.assertEqual([(li["AccountCode"], li["TaxType"]) for li in invoice["LineItems"]],
                         [("260", "OUTPUT"), ("270", reduced["TaxType"]), ("200", "OUTPUT")],
                         "category (inherited from the parent), product override, company default")

    def test_account_archived_in_xero_after_mapping_blocks_the_export(self):
        category = self.env["product.category"].create({"name": "Merchandise"})
        category.xero_sales_account_id = self.accounts().filtered(lambda a: a.code == "260")
        self.product.categ_id = category
        self.set_account("260", Status="ARCHIVED")
        self.connection.with_user(self.xero_admin).action_xero_refresh_lists()
        order = self.order()
        job = self.Job._xero_enqueue(order, "invoice")
        self.send()
        self.assertEqual(job.state, "blocked")
        for part in (order.name, "260 Other Revenue", "is archived", "Merchandise"):
            self.assertIn(part, job.error)
        self.assertFalse(self.calls("PUT", "/Invoices"), "nothing sent wrong")
        self.assertFalse(order.xero_invoice_id)
        category.xero_sales_account_id = self.accounts().filtered(lambda a: a.code == "200")
        job.with_user(self.xero_admin).action_retry()
        self.send()
        self.assertEqual(job.state, "done", job.error)

    def test_tax_rate_deleted_in_xero_blocks_the_export(self):
        rate = self.seed("TaxRates", [{"Name": "Old Rate", "TaxComponents": [{"Name": "Tax", "Rate": 15}]}])[0]
        self.connection._xero_refresh_lists(["tax_rates"])
        self.tax.xero_tax_rate_id = self.env["xero.tax.rate"].search([("xero_id", "=", rate["TaxType"])])
        self.seed("TaxRates", [{"TaxType": rate["TaxType"], "Status": "DELETED"}])
        self.run_pulls()
        move = self.invoice()
        job = self.Job._xero_enqueue(move, "invoice")
        self.send()
        self.assertEqual(job.state, "blocked")
        for part in (move.name, "Old Rate", "deleted in Xero", "Sales 15%"):
            self.assertIn(part, job.error)
        self.assertFalse(self.calls("PUT", "/Invoices"))

    def test_code_unknown_to_xero_blocks_with_what_to_map(self):
        self.company.xero_sales_account_code = "999"
        order = self.order()
        job = self.Job._xero_enqueue(order, "invoice")
        self.send()
        self.assertEqual(job.state, "blocked")
        self.assertIn("999", job.error)
        self.assertIn("does not exist", job.error)
        self.assertIn("default sales account", job.error)

    def test_lists_read_once_when_never_read(self):
        self.env["xero.account"].search([]).unlink()
        self.env["xero.tax.rate"].search([]).unlink()
        order = self.order()
        job = self.Job._xero_enqueue(order, "invoice")
        self.send()
        self.assertEqual(job.state, "done", job.error)
        self.assertEqual(len(self.accounts()), 17, "read before checking the mapping")

    def test_lists_read_whole_count_as_the_pulls_full_pass(self):
        """The lists read on connecting (or by "Refresh from Xero") are what the hourly pulls would read: the pull
        cron that follows does not read them again (issue 18: two calls of a Starter day), and later asks only for
        what changed since the newest seen."""
        self.env["xero.sync.cursor"].search([("connection_id", "=", self.connection.id)]).unlink()
        self.connection._xero_refresh_lists(["accounts", "tax_rates", "items", "tracking"])
        self.clear_log()
        self.env["xero.sync.cursor"]._xero_run_pulls(self.connection)
        for collection in ("/Accounts", "/TaxRates", "/TrackingCategories"):
            self.assertFalse(self.calls("GET", collection), f"{collection} read again")
        [items] = self.calls("GET", "/Items")
        self.assertTrue(items["if_modified_since"] or not self.env["xero.item"].search(
            [("connection_id", "=", self.connection.id)]), "incremental once the items were read whole")
        cursor = self.env["xero.sync.cursor"].search([("connection_id", "=", self.connection.id),
                                                       ("key", "=", "Accounts")])
        self.assertTrue(cursor.last_full and cursor.last_modified)
        self.assertEqual(cursor.last_count, 17)
        # An hour on, the pull reads what changed since (If-Modified-Since), not the whole list again.
        self.clear_log()
        self.run_pulls()
        [accounts] = self.calls("GET", "/Accounts")
        self.assertTrue(accounts["if_modified_since"])
