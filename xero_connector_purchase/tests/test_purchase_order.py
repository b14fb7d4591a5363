"""A purchase order's life in Xero, end to end against the sandbox over HTTP: created on confirmation, updated in
place as it changes, deleted when cancelled; the manual and bulk actions; the vendor created first, never twice; a
lost answer found again."""
from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.xero_connector.tests.export_case import API

from .common import XeroPurchaseCase


@tagged("post_install", "-at_install")
class TestPurchaseOrderExport(XeroPurchaseCase):
    def test_life_created_changed_cancelled(self):
        self.company.xero_auto_export_purchase_orders = True
        order = self.purchase_order(ref="GB-2026-117")
        self.assertEqual(order.state, "purchase")
        jobs = self.jobs_of(order, "purchase_order")
        self.assertEqual(len(jobs), 1, "queued on confirmation")
        self.send()
        self.assertEqual(jobs.state, "done", jobs.error)
        xero = self.xero_po(order)
        self.assertEqual((xero["Status"], xero["PurchaseOrderNumber"], xero["Reference"]),
                         ("AUTHORISED", order.name, "GB-2026-117"))
        self.assertEqual(order.xero_purchase_order_number, order.name)
        self.assertEqual(order.xero_purchase_order_status, "AUTHORISED")
        self.assertEqual(xero["Contact"]["ContactID"], self.vendor.xero_contact_id, "the vendor went first")
        line = xero["LineItems"][0]
        self.assertEqual((line["AccountCode"], line["TaxType"], line["Quantity"]), ("310", "INPUT", 2.0))
        self.assertAlmostEqual(xero["Total"], order.amount_total)
        self.assertTrue(xero["DeliveryDate"])
        self.assertIn(order.xero_purchase_order_id, order.xero_purchase_order_url)
        self.assertIn(order.name, order.message_ids[0].body, "the chatter links the Xero purchase order")
        # Changed in Odoo: updated in place (same id, one POST, no second purchase order).
        order.order_line[0].product_qty = 5
        self.send()
        xero = self.xero_po(order)
        self.assertEqual(xero["LineItems"][0]["Quantity"], 5.0)
        self.assertAlmostEqual(xero["Total"], order.amount_total)
        self.assertEqual(len(self.calls("POST", f"/PurchaseOrders/{order.xero_purchase_order_id}"))
                         + len(self.calls("POST", "/PurchaseOrders")), 1)
        self.assertEqual(len([p for p in self.xero("PurchaseOrders") if p["PurchaseOrderNumber"] == order.name]), 1)
        # Cancelled in Odoo: deleted in Xero.
        order.button_cancel()
        void = self.jobs_of(order, "void_purchase_order")
        self.assertEqual(len(void), 1)
        self.send()
        self.assertEqual(void.state, "done", void.error)
        self.assertEqual(self.xero_po(order)["Status"], "DELETED")
        self.assertEqual(order.xero_purchase_order_status, "DELETED")

    def test_no_export_without_the_option_and_only_confirmed_orders(self):
        order = self.purchase_order()
        self.assertFalse(self.jobs_of(order), "the option is off: nothing queued")
        draft = self.purchase_order(confirm=False)
        with self.assertRaises(UserError) as refused:
            draft.with_user(self.xero_user).action_xero_export()
        self.assertIn(draft.name, str(refused.exception))
        self.assertFalse(self.jobs_of(draft))

    def test_manual_action_then_confirmation_on_re_export(self):
        order = self.purchase_order()
        action = order.with_user(self.xero_user).action_xero_export()
        self.assertEqual(action["params"]["type"], "success", action["params"])
        first_id = order.xero_purchase_order_id
        self.assertTrue(first_id)
        calls = len(self.calls())
        action = order.with_user(self.xero_user).action_xero_export()
        self.assertEqual(action["res_model"], "xero.export.wizard")
        self.assertEqual(len(self.calls()), calls, "an order already in Xero: the action only asks")
        wizard = self.env["xero.export.wizard"].browse(action["res_id"])
        self.assertTrue(wizard.can_update)
        self.assertEqual(wizard.xero_number, order.name)
        wizard.with_user(self.xero_user).action_update()
        self.assertEqual(order.xero_purchase_order_id, first_id)
        self.assertEqual(len(self.calls("PUT", "/PurchaseOrders")), 1, "updated, not created again")
        # Billed in Xero: no update is offered any more.
        order.sudo().xero_purchase_order_status = "BILLED"
        wizard = self.env["xero.export.wizard"].browse(order.action_xero_export()["res_id"])
        self.assertFalse(wizard.can_update)

    def test_bulk_action_queues_and_batches(self):
        orders = self.purchase_order() | self.purchase_order(qty=1) | self.purchase_order(qty=7)
        calls = len(self.calls())
        action = orders.with_user(self.xero_user).action_xero_export()
        self.assertIn("3", action["params"]["message"])
        self.assertEqual(len(self.calls()), calls, "bulk: queued, the sender does the rest")
        self.send()
        self.assertTrue(all(orders.mapped("xero_purchase_order_id")))
        self.assertEqual(len(self.calls("PUT", "/PurchaseOrders")), 1, "three orders, one call")
        self.assertEqual(len(self.calls("PUT", "/Contacts")) + len(self.calls("POST", "/Contacts")), 1,
                         "one vendor, one contact")

    def test_vendor_already_in_xero_is_matched_never_duplicated(self):
        [contact] = self.seed("Contacts", [{"Name": "Green Bean Traders Ltd"}])
        order = self.purchase_order()
        order.action_xero_export()
        self.assertEqual(self.vendor.xero_contact_id, contact["ContactID"])
        self.assertEqual(len([c for c in self.xero("Contacts") if c["Name"] == self.vendor.name]), 1)
        self.assertEqual(self.xero_po(order)["Contact"]["ContactID"], contact["ContactID"])

    def test_lost_answer_found_again_by_number(self):
        order = self.purchase_order()
        self.Job._xero_enqueue(self.vendor, "contact", method="POST")
        self.send()
        job = self.Job._xero_enqueue(order, "purchase_order")
        self.fault(kind="lost_response", method="PUT", path=f"{API}/PurchaseOrders", count=4)
        self.send()
        self.assertEqual(job.state, "retry")
        self.assertTrue(job.outcome_unknown)
        job.next_try = False
        self.send()
        self.assertEqual(job.state, "done", job.error)
        self.assertIn("found_by_lookup", job.response_excerpt)
        mine = [p for p in self.xero("PurchaseOrders") if p["PurchaseOrderNumber"] == order.name]
        self.assertEqual(len(mine), 1, "never a second purchase order")
        self.assertEqual(order.xero_purchase_order_id, mine[0]["PurchaseOrderID"])

    def test_a_billed_purchase_order_is_not_deleted_and_says_why(self):
        order = self.purchase_order()
        order.action_xero_export()
        # Billed in Xero (a bill made from it there): Xero refuses the delete.
        self.sandbox_post(f"/_sandbox/orgs/{self.org}/PurchaseOrders/{order.xero_purchase_order_id}/bill", {})
        order.button_cancel()
        self.send()
        void = self.jobs_of(order, "void_purchase_order")
        self.assertEqual(void.state, "blocked")
        self.assertIn("billed", void.error)
        self.assertIn(order.name, void.error)
        self.assertEqual(self.xero_po(order)["Status"], "BILLED", "nothing else changed")

    def test_a_change_after_billing_is_not_sent_and_the_chatter_says_why(self):
        order = self.purchase_order()
        order.action_xero_export()
        self.sandbox_post(f"/_sandbox/orgs/{self.org}/PurchaseOrders/{order.xero_purchase_order_id}/bill", {})
        order.sudo()._xero_write({"xero_purchase_order_status": "BILLED"})  # as Xero's status reads back
        calls = len(self.calls())
        order.order_line[0].product_qty = 9
        self.send()
        self.assertFalse(self.jobs_of(order).filtered(lambda j: j.method == "POST"), "no update queued")
        self.assertEqual(len(self.calls()), calls)
        self.assertIn("can no longer be edited", order.message_ids[0].body)
        self.assertEqual(self.xero_po(order)["LineItems"][0]["Quantity"], 2.0)

    def test_connector_fields_are_the_connectors(self):
        order = self.purchase_order()
        with self.assertRaises(Exception) as refused:
            order.with_user(self.xero_user).write({"xero_purchase_order_id": "3c2d1e0f-4a5b-4e8f-9a7b-5f6e2b5a0c1d"})
        self.assertIn("xero_purchase_order_id", str(refused.exception))
        self.assertFalse(order.xero_purchase_order_id)

    def test_its_pdf_attached_in_xero_once(self):
        """With Settings → Xero → Documents → Attach PDFs in Xero, the order's PDF goes to its Xero purchase order
        after the order (one call), never shown online (a purchase order has no online invoice); sent again
        unchanged, nothing is attached again."""
        self.company.write({"xero_attach_files": True, "xero_attach_online": True})
        self.connection = self._xero_connect(self.xero_admin, tenants=[self.org])
        order = self.purchase_order()
        order.with_user(self.xero_user).action_xero_export()
        self.send()
        self.assertTrue(order.xero_purchase_order_id)
        files = self.sandbox_get(f"/_sandbox/orgs/{self.org}/PurchaseOrders/{order.xero_purchase_order_id}/attachments")
        self.assertEqual([f["FileName"] for f in files], [f"{order.name}.pdf"])
        self.assertFalse(files[0].get("IncludeOnline"))
        row = self.env["xero.attachment"].sudo().search([("res_model", "=", "purchase.order"), ("res_id", "=", order.id)])
        self.assertEqual((row.xero_collection, row.checksum), ("PurchaseOrders", files[0]["sha256"]))
        uploads = len(self.calls(method="PUT", path=f"/Attachments/{order.name}.pdf"))
        self.Job._xero_enqueue(row, "attachment")
        self.send()
        self.assertEqual(len(self.calls(method="PUT", path=f"/Attachments/{order.name}.pdf")), uploads,
                         "unchanged: not sent again")
