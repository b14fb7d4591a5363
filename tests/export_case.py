"""The case of the export tests: a company connected to the sandbox, with the minimal mapping."""
from unittest.mock import patch

import requests

from odoo import fields
from odoo.fields import Command

from ..xero.client import XeroClient
from .common import XeroHttpCase

API = "/api.xro/2.0"


class XeroExportCase(XeroHttpCase):
    """A company connected to the sandbox's first organisation, with the minimal mapping."""

    def setUp(self):
        super().setUp()
        self.org = self.sandbox_orgs[0]["tenant_id"]
        self.connection = self._xero_connect(self.xero_admin, tenants=[self.org])
        self.assertEqual(self.connection.state, "connected")
        # Xero's chart of accounts and tax rates, as "Refresh from Xero" reads them (the mapping is checked
        # against them before sending).
        self.connection._xero_refresh_lists(["accounts", "tax_rates"])
        self.company.write({"xero_sales_account_code": "200", "xero_tax_type": "OUTPUT",
                            "xero_invoice_status": "AUTHORISED", "xero_auto_export": "none",
                            "xero_sale_order_target": "invoice", "xero_auto_export_invoices": False})
        self.Job = self.env["xero.job"].sudo()
        self.product = self.env["product.product"].create({"name": "Espresso Beans 1kg", "list_price": 25.0})
        self.tax = self.env["account.tax"].create({"name": "Sales 15%", "amount": 15.0, "type_tax_use": "sale"})
        self.xero_user.group_ids += self.env.ref("sales_team.group_sale_salesman_all_leads") \
            + self.env.ref("account.group_account_invoice")
        self.customer = self.env["res.partner"].create({"name": "Harbour Roasters Ltd", "email": "ap@harbour.example",
                                                        "is_company": True})

    # -- sandbox ------------------------------------------------------------------------------------
    def xero(self, collection):
        return self.sandbox_get(f"/_sandbox/orgs/{self.org}/{collection}")[collection]

    def seed(self, collection, records):
        return self.sandbox_post(f"/_sandbox/orgs/{self.org}/{collection}", {collection: records})[collection]

    def fault(self, **spec):
        self.sandbox_post("/_sandbox/faults", dict(spec, tenant=self.org))

    def calls(self, method=None, path=None):
        log = self.sandbox_get("/_sandbox/log", tenant=self.org)
        return [e for e in log if (not method or e["method"] == method)
                and (not path or e["path"].rstrip("/").endswith(path))]

    def clear_log(self):
        requests.delete(self.sandbox.url + "/_sandbox/log", timeout=10).raise_for_status()

    # -- Odoo records -------------------------------------------------------------------------------
    def order(self, partner=None, qty=2, price=25.0, ref=False, confirm=False):
        order = self.env["sale.order"].create({
            "partner_id": (partner or self.customer).id,
            "client_order_ref": ref,
            "order_line": [Command.create({"product_id": self.product.id, "product_uom_qty": qty, "price_unit": price,
                                           "tax_ids": [Command.set(self.tax.ids)]})],
        })
        if confirm:
            order.action_confirm()
        return order

    def invoice(self, partner=None, price=100.0, move_type="out_invoice", post=True):
        move = self.env["account.move"].create({
            "move_type": move_type,
            "partner_id": (partner or self.customer).id,
            "invoice_date": fields.Date.today(),
            "invoice_line_ids": [Command.create({"name": "Roasting service", "quantity": 1, "price_unit": price,
                                                 "tax_ids": [Command.set(self.tax.ids)]})],
        })
        if post:
            move.action_post()
        return move

    def send(self, **kw):
        return self.Job._xero_send(**kw)

    def send_while(self, resource, user_action):
        """Send, ``user_action()`` running once during the first call to Xero's ``resource`` (after the
        payloads were built: what a user does while the sender waits for Xero)."""
        original, done = XeroClient.batch_write, []

        def during_the_call(client, called, elements, **kw):
            if called == resource and not done:
                done.append(True)
                user_action()
            return original(client, called, elements, **kw)

        with patch.object(XeroClient, "batch_write", during_the_call):
            self.send()

    def jobs_of(self, records, operation=None):
        domain = [("res_model", "=", records._name), ("res_id", "in", records.ids)]
        if operation:
            domain.append(("operation", "=", operation))
        return self.Job.search(domain)
