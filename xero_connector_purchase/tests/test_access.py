"""The bridge's part of the role table (xero_connector's tests/access_policy.py): its public methods and its
fields on purchase.order, tried over HTTP JSON-RPC as each role, as xero_connector's access matrix does. Found
from the bridge's classes, views and server actions: a method or field added later fails until the table below
says who may use it."""
import json
from contextlib import closing

from lxml import etree

from odoo.fields import Command
from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.xero_connector.models.xero_access import is_connector_field
from odoo.addons.xero_connector.tests import access_policy as policy

ADDON = "odoo.addons.xero_connector_purchase."
DENIED = "odoo.exceptions.AccessError"
DEAD_URL = "http://127.0.0.1:9"

# Roles: xero_connector's, each also a purchase user (Odoo's rights must let them at the order for the connector's
# checks to be what is proven); "purchase" is a purchase user without Xero.
PURCHASE = "purchase.group_purchase_user"
ROLES = dict(policy.ROLES)
ROLES["purchase"] = (PURCHASE, False)
LEVELS = {"user": policy.LEVELS["user"], "nobody": set(), "config": policy.LEVELS["config"] | {"purchase"}}
# Public methods of the bridge, per model: a level, or "core" (an override of Odoo's own method).
METHODS = {
    "purchase.order": {"action_xero_export": "user", "button_approve": "core", "button_cancel": "core",
                       "button_confirm": "core", "button_draft": "core", "write": "core"},
    "purchase.order.line": {"create": "core", "write": "core", "unlink": "core"},
}
# The bridge's fields on Odoo's models: level → names.
FIELDS = {
    "purchase.order": {"nobody": "xero_purchase_order_id xero_purchase_order_number xero_purchase_order_status "
                                 "xero_purchase_order_url xero_revision xero_online_invoice_url "
                                 "xero_emailed_invoice_id"},
    "res.company": {"config": "xero_auto_export_purchase_orders"},
}
VALUES = {"xero_revision": 7, "xero_auto_export_purchase_orders": True}


@tagged("post_install", "-at_install")
class TestPurchaseAccess(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.company_b = env["res.company"].create({"name": "Company B (purchase access)"})
        for key in ("login_url", "identity_url", "api_url"):
            env["ir.config_parameter"].sudo().set_param(f"xero_connector.{key}", DEAD_URL)
        cls.users = {}
        for role, spec in ROLES.items():
            if spec:
                groups, other = spec
                company = cls.company_b if other else env.company
                groups = groups if PURCHASE in groups or role == "portal" else f"{groups},{PURCHASE}"
                cls.users[role] = new_test_user(env, login=f"xcp_{role}", groups=groups, company_id=company.id,
                                                company_ids=[Command.set(company.ids)])
        vendor = env["res.partner"].create({"name": "Matrix Vendor", "is_company": True})
        product = env["product.product"].create({"name": "Matrix Beans"})
        cls.order = env["purchase.order"].create({"partner_id": vendor.id, "order_line": [
            Command.create({"product_id": product.id, "product_qty": 1, "price_unit": 5})]})
        cls.order.button_confirm()
        conn = env["xero.connection"]._xero_for_company(env.company)
        conn.write({"state": "connected", "tenant_id": "matrix-tenant", "tenant_name": "Matrix Org",
                    "candidate_tenants": [{"tenantId": "matrix-tenant", "tenantName": "Matrix Org"}]})

    def _call(self, role, model, method, args):
        user = self.users.get(role)
        self.authenticate(user.login if user else None, user.login if user else None)
        self.env.flush_all()
        with closing(self.env.cr.savepoint()):
            answer = self.opener.post(f"{self.base_url()}/web/dataset/call_kw/{model}/{method}", json={
                "id": 0, "jsonrpc": "2.0", "method": "call",
                "params": {"model": model, "method": method, "args": args, "kwargs": {}}}, timeout=30)
        self.env.invalidate_all()
        if answer.status_code != 200:
            return f"HTTP {answer.status_code}"
        error = json.loads(answer.text).get("error")
        return error["data"]["name"] if error else None

    def _found_methods(self):
        found = set()
        for name in ("purchase.order", "purchase.order.line", "res.company", "res.config.settings"):
            for cls in type(self.env[name]).__mro__:
                if cls.__module__.startswith(ADDON):
                    found |= {(name, m) for m, v in vars(cls).items() if not m.startswith("_") and callable(v)}
        data = self.env["ir.model.data"].search([("module", "=", "xero_connector_purchase")])
        for view in self.env["ir.ui.view"].browse(data.filtered(lambda d: d.model == "ir.ui.view").mapped("res_id")):
            found |= {(view.model, b.get("name")) for b in etree.fromstring(view.arch_db.encode()).iter("button")
                      if b.get("type") == "object"}
        for action in self.env["ir.actions.server"].browse(
                data.filtered(lambda d: d.model == "ir.actions.server").mapped("res_id")):
            if "records." in (action.code or ""):
                found.add((action.model_id.model, action.code.split("records.", 1)[1].split("(", 1)[0]))
        return found

    def test_every_public_method_as_every_role(self):
        found = self._found_methods()
        unknown = sorted(f"{m}.{f}" for m, f in found if f not in METHODS.get(m, {}))
        self.assertFalse(unknown, f"add these to METHODS of this test: {unknown}")
        mismatches = []
        for role in ROLES:
            error = self._call(role, "purchase.order", "action_xero_export", [self.order.ids])
            allowed = error not in (DENIED, "odoo.http.SessionExpiredException")
            if allowed != (role in LEVELS["user"]):
                mismatches.append(f"{role} purchase.order.action_xero_export: {'allowed' if allowed else 'denied'}")
        self.assertFalse(mismatches, "\n".join(mismatches))

    def test_every_bridge_field_as_every_role(self):
        levels, unknown = {}, []
        for model, by_level in FIELDS.items():
            levels.update({(model, f): level for level, names in by_level.items() for f in names.split()})
        for model in ("purchase.order", "res.company"):
            for field in self.env[model]._fields.values():
                if is_connector_field(field) and (model == "purchase.order" or "xero_connector_purchase" in field._modules) \
                        and (model, field.name) not in levels:
                    unknown.append(f"{model}.{field.name}")
        self.assertFalse(unknown, f"add these to FIELDS of this test: {unknown}")
        mismatches, checked = [], 0
        records = {"purchase.order": self.order, "res.company": self.env.company}
        for role, user in self.users.items():
            for (model, name), level in sorted(levels.items()):
                record = records[model]
                if not record.with_user(user).has_access("write"):
                    continue
                error = self._call(role, model, "write", [record.ids, {name: VALUES.get(name, "X-7")}])
                allowed = error is None
                if allowed != (role in LEVELS[level]):
                    mismatches.append(f"{role} write {model}.{name}: {'allowed' if allowed else 'denied'} ({error})")
                checked += 1
        self.assertFalse(mismatches, "\n".join(mismatches))
        self.assertGreater(checked, 20)
        self.assertFalse(self.order.xero_purchase_order_id, "nothing was written")
