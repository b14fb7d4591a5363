"""Access control judged by what Xero (the sandbox) ends up holding: attempts over HTTP JSON-RPC by ordinary
logins, then the other customer's Xero document, company A's connection and its grant, checked in Xero."""

from odoo import models
from odoo.fields import Command
from odoo.tests import new_test_user, tagged
from odoo.tests.common import JsonRpcException

from .export_case import XeroExportCase

WRITES = ("PUT", "POST", "DELETE")
DOCUMENTS = ("Invoices", "CreditNotes", "Quotes")


class XeroRpcCase(XeroExportCase):
    """``rpc`` as a logged-in user, over HTTP: the verdict is Odoo's JSON-RPC answer."""

    def rpc(self, user, model, method, *args, **kwargs):
        """(result, None) or (None, the error's class name, e.g. 'odoo.exceptions.AccessError')."""
        if getattr(self, "_rpc_user", None) != user:
            self.authenticate(user.login, user.login)
            self._rpc_user = user
        try:
            result = self.make_jsonrpc_request(f"/web/dataset/call_kw/{model}/{method}", {
                "model": model, "method": method, "args": list(args), "kwargs": kwargs})
        except JsonRpcException as exc:
            return None, exc.args[0] if exc.args else str(exc)
        finally:
            self.env.invalidate_all()
        return result, None

    def assertDenied(self, outcome, what):
        self.assertEqual(outcome[1], "odoo.exceptions.AccessError", f"{what}: expected an AccessError, got {outcome}")

    def xero_document(self, collection, xero_id):
        return self.sandbox_get(f"/_sandbox/orgs/{self.org}/{collection}/{xero_id}")

    def xero_writes(self, collections=DOCUMENTS):
        """Write requests to Xero's ``collections`` since the log was cleared."""
        return [e for e in self.calls() if e["method"] in WRITES
                and e["path"].rstrip("/").split("/")[3] in collections]


@tagged("post_install", "-at_install")
class TestOnlyTheConnectorWritesXero(XeroRpcCase):
    def setUp(self):
        super().setUp()
        # Another customer's approved invoice, sent by the connector.
        self.victim = self.env["res.partner"].create({"name": "Other Customer Ltd", "is_company": True})
        self.victim_move = self.invoice(partner=self.victim, price=480.0)
        self.Job._xero_enqueue(self.victim_move, "invoice")
        self.send()
        self.victim_id = self.victim_move.xero_invoice_id
        self.assertTrue(self.victim_id)
        self.before = self.xero_document("Invoices", self.victim_id)
        self.assertEqual(self.before["Status"], "AUTHORISED")
        self.salesman = new_test_user(self.env, login="xc_salesman", groups="sales_team.group_sale_salesman")
        self.invoicing = new_test_user(self.env, login="xc_invoicing", groups="account.group_account_invoice")
        self.clear_log()

    def assertVictimUntouched(self):
        self.send()  # whatever was queued goes now
        after = self.xero_document("Invoices", self.victim_id)
        for key in ("Status", "Total", "AmountDue", "LineItems"):
            self.assertEqual(after[key], self.before[key], key)
        self.assertEqual(after["Contact"]["ContactID"], self.before["Contact"]["ContactID"])
        self.assertFalse(self.xero_writes(), "no document was written in Xero")

    def test_a_salesman_cannot_point_his_quotation_at_another_customers_invoice(self):
        quotation = self.order()
        quotation.user_id = self.salesman
        stolen = {"xero_invoice_id": self.victim_id, "xero_invoice_status": "AUTHORISED"}
        self.assertDenied(self.rpc(self.salesman, "sale.order", "write", quotation.ids, stolen), "write the id")
        self.assertDenied(self.rpc(self.salesman, "sale.order", "write", quotation.ids, dict(
            stolen, order_line=[Command.create({"product_id": self.product.id, "product_uom_qty": 9})])),
            "write the id with a new line")
        self.assertDenied(self.rpc(self.salesman, "sale.order", "create", [dict(
            stolen, partner_id=self.customer.id)]), "create an order carrying the id")
        self.assertDenied(self.rpc(self.salesman, "sale.order", "copy", quotation.ids, default=stolen),
                          "copy with the id")
        result, error = self.rpc(self.salesman, "sale.order", "action_cancel", quotation.ids)
        self.assertIsNone(error)
        self.assertFalse(quotation.xero_invoice_id)
        self.assertVictimUntouched()

    def test_an_invoicing_user_cannot_create_or_post_an_invoice_carrying_the_id(self):
        values = {"move_type": "out_invoice", "partner_id": self.customer.id, "xero_invoice_id": self.victim_id,
                  "invoice_line_ids": [Command.create({"name": "x", "quantity": 1, "price_unit": 1.0})]}
        self.assertDenied(self.rpc(self.invoicing, "account.move", "create", [values]), "create with the id")
        draft = self.invoice(post=False)
        self.assertDenied(self.rpc(self.invoicing, "account.move", "write", draft.ids,
                                   {"xero_invoice_id": self.victim_id}), "write the id")
        self.assertDenied(self.rpc(self.invoicing, "account.move", "copy", self.victim_move.ids,
                                   default={"xero_invoice_id": self.victim_id}), "copy the invoice with its id")
        self.assertDenied(self.rpc(self.invoicing, "account.move", "write", self.victim_move.ids,
                                   {"xero_invoice_status": "VOIDED"}), "rewrite the status")
        # An id the connector did not write for this invoice (copied by a database hand, say) is never
        # voided or updated: the jobs block and say why.
        stale = self.invoice()
        models.Model.write(stale, {"xero_invoice_id": self.victim_id, "xero_invoice_status": "AUTHORISED"})
        self.assertIsNone(self.rpc(self.invoicing, "account.move", "button_cancel", stale.ids)[1])
        self.send()
        void = self.jobs_of(stale, "void_invoice")
        self.assertEqual(void.state, "blocked")
        self.assertIn("did not create", void.error)
        self.assertIn(stale.display_name, void.error)
        self.assertVictimUntouched()

    def test_an_order_with_a_stale_id_sends_no_update(self):
        order = self.order(confirm=True)
        models.Model.write(order, {"xero_invoice_id": self.victim_id, "xero_invoice_status": "AUTHORISED"})
        order.order_line[0].product_uom_qty = 7  # a change after export: an update is queued
        self.send()
        update = self.jobs_of(order, "invoice")
        self.assertEqual(update.state, "blocked")
        self.assertIn("did not create", update.error)
        self.assertVictimUntouched()

    def test_the_confirmation_wizard_decides_on_the_server(self):
        mine = self.invoice()
        self.Job._xero_enqueue(mine, "invoice")
        self.send()
        action, error = self.rpc(self.xero_user, "account.move", "action_xero_export", mine.ids)
        self.assertIsNone(error)
        self.assertEqual(action["res_model"], "xero.export.wizard")
        wizard = action["res_id"]
        self.clear_log()
        self.assertDenied(self.rpc(self.xero_user, "xero.export.wizard", "write", [wizard], {
            "operation": "void_invoice", "res_id": self.victim_move.id, "can_update": True}), "rewrite the wizard")
        self.assertDenied(self.rpc(self.xero_user, "xero.export.wizard", "create", [{
            "res_model": "account.move", "res_id": self.victim_move.id, "operation": "void_invoice",
            "can_update": True}]), "create a wizard")
        other = new_test_user(self.env, login="xc_other_xero_user",
                              groups="xero_connector.group_xero_user,account.group_account_invoice")
        self.assertDenied(self.rpc(other, "xero.export.wizard", "action_send_new", [wizard]),
                          "use another user's wizard")
        self.assertFalse(self.rpc(other, "xero.export.wizard", "search_read", [], fields=["res_id"])[0])
        self.assertVictimUntouched()
        # Its owner: the record and operation it was opened for, nothing else.
        _result, error = self.rpc(self.xero_user, "xero.export.wizard", "action_update", [wizard])
        self.assertIsNone(error)
        self.assertEqual({e["path"].rsplit("/", 1)[-1] for e in self.xero_writes()}, {"Invoices"})
        self.assertEqual(self.jobs_of(mine, "invoice")[0].method, "POST")
        self.assertFalse(self.jobs_of(mine, "void_invoice"))


@tagged("post_install", "-at_install")
class TestAnotherCompanysAdministrator(XeroRpcCase):
    def test_company_b_cannot_disconnect_rebind_or_drive_company_a(self):
        company_b = self.env["res.company"].create({"name": "Company B"})
        other_admin = new_test_user(self.env, login="xc_b_admin", company_id=company_b.id,
                                    company_ids=[Command.set(company_b.ids)],
                                    groups="xero_connector.group_xero_manager")
        self.seed("Items", [{"Code": "BEAN-1", "Name": "Beans from Xero", "SalesDetails": {"UnitPrice": 30}}])
        self.connection._xero_refresh_lists(["items"])
        job = self.Job._xero_enqueue(self.customer, "contact", method="POST")
        item_ids = self.env["xero.item"].sudo().search([("connection_id", "=", self.connection.id)]).ids
        self.assertTrue(item_ids, "the organisation has items")
        grants_before = self.sandbox_get("/_sandbox/grants")
        self.clear_log()
        conn = self.connection.ids
        for method in ("action_xero_disconnect", "action_xero_open_picker", "action_xero_test_connection",
                       "action_xero_queue_customers", "action_xero_refresh_lists", "action_xero_import_items",
                       "action_xero_setup_lead_source", "action_xero_open_list"):
            self.assertDenied(self.rpc(other_admin, "xero.connection", method, conn), method)
        for method in ("action_retry", "action_cancel"):
            self.assertDenied(self.rpc(other_admin, "xero.job", method, job.ids), method)
        self.assertDenied(self.rpc(other_admin, "xero.item", "action_xero_import", item_ids), "import A's items")
        # Naming company A among the allowed companies does not help: Odoo refuses the context.
        self.assertDenied(self.rpc(other_admin, "xero.connection", "action_xero_disconnect", conn,
                                   context={"allowed_company_ids": [self.company.id, company_b.id]}),
                          "disconnect with A in the context")
        self.connection.invalidate_recordset()
        self.assertEqual(self.connection.state, "connected")
        self.assertEqual(job.state, "pending")
        self.assertEqual(self.sandbox_get("/_sandbox/grants"), grants_before, "the grant is not revoked")
        self.assertIn(self.org, [c["tenantId"] for c in self.sandbox_get("/_sandbox/connections")])
        self.assertFalse(self.calls(), "company B's attempts reached Xero")
        self.assertFalse(self.env["product.product"].search([("default_code", "in", self.env["xero.item"].sudo()
                                                               .browse(item_ids).mapped("code"))]))
        # The organisation picker of company A (a consent that ticked two organisations) is A's.
        second = self.sandbox_orgs[1]
        self.connection.sudo().write({"state": "choose", "candidate_tenants": [
            {"id": "c1", "tenantId": self.org, "tenantName": "A's books", "tenantType": "ORGANISATION"},
            {"id": "c2", "tenantId": second["tenant_id"], "tenantName": "Another", "tenantType": "ORGANISATION"}]})
        action, error = self.rpc(self.xero_admin, "xero.connection", "action_xero_open_picker", conn)
        self.assertIsNone(error)
        lines = self.env["xero.tenant.picker"].browse(action["res_id"]).line_ids
        self.assertEqual(len(lines), 2)
        self.assertDenied(self.rpc(other_admin, "xero.connection", "action_xero_open_picker", conn), "B opens A's picker")
        for line in lines:
            self.assertDenied(self.rpc(other_admin, "xero.tenant.picker.line", "action_choose", line.ids),
                              "B picks A's organisation")
        self.assertDenied(self.rpc(self.xero_admin, "xero.tenant.picker.line", "write", lines[:1].ids,
                                   {"tenant_id": second["tenant_id"]}), "rewrite a picker line")
        self.connection.invalidate_recordset()
        self.assertEqual((self.connection.state, self.connection.tenant_id), ("choose", self.org))

    def test_xero_users_export_but_do_not_administer(self):
        job = self.Job._xero_enqueue(self.customer, "contact", method="POST")
        self.clear_log()
        conn = self.connection.ids
        for method in ("action_xero_test_connection", "action_xero_queue_customers", "action_xero_disconnect",
                       "action_xero_refresh_lists"):
            self.assertDenied(self.rpc(self.xero_user, "xero.connection", method, conn), f"a Xero user: {method}")
        for method in ("action_retry", "action_cancel"):
            self.assertDenied(self.rpc(self.xero_user, "xero.job", method, job.ids), f"a Xero user: {method}")
        self.assertFalse(self.calls(), "nothing reached Xero")
        self.assertEqual((self.connection.state, job.state), ("connected", "pending"))

    def test_settings_never_send_a_stored_secret(self):
        secrets = {"xero_connector.client_secret": "SECRET-client-7f3a9", "xero_connector.webhook_key": "SECRET-hook-41c2"}
        for key, value in secrets.items():
            self.env["ir.config_parameter"].sudo().set_param(key, value)
        self.company.sudo().write({"xero_stripe_webhook_secret": "SECRET-whsec-88d1",
                                   "xero_gocardless_access_token": "SECRET-gc-0b7e"})
        stored = list(secrets.values()) + ["SECRET-whsec-88d1", "SECRET-gc-0b7e"]
        names = ["xero_client_secret", "xero_webhook_key", "xero_stripe_webhook_secret", "xero_gocardless_access_token"]
        for user in (self.portal_user, self.internal_user, self.xero_admin, self.system_admin):
            for method, args, kwargs in (("default_get", [names], {}),
                                         ("onchange", [[], {}, [], {name: {} for name in names}], {})):
                result, error = self.rpc(user, "res.config.settings", method, *args, **kwargs)
                self.assertFalse([s for s in stored if s in repr(result)], f"{user.login} {method}: {result}")
        # An administrator sees that they are stored, and replaces one by typing it.
        settings = self.env["res.config.settings"].with_user(self.system_admin).create({})
        self.assertTrue(settings.xero_client_secret_set and settings.xero_stripe_webhook_secret_set)
        self.assertFalse(settings.xero_client_secret)
        settings.xero_webhook_key = "SECRET-hook-new"
        settings.execute()
        self.assertEqual(self.env["ir.config_parameter"].sudo().get_param("xero_connector.webhook_key"),
                         "SECRET-hook-new")
        self.assertEqual(self.env["ir.config_parameter"].sudo().get_param("xero_connector.client_secret"),
                         "SECRET-client-7f3a9", "an empty field keeps the stored secret")
