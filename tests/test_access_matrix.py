"""The adversarial suite: every public method of the addon's models (and of the models it extends), every
connector field and every secret, tried over HTTP JSON-RPC as each role of tests/access_policy.py, and the
outcomes compared with that one table. Found from the registry and the addon's views and server actions, so a
method or field added later is tried too (and fails until the table says who may use it)."""

import json
import logging
from contextlib import closing

from lxml import etree

from odoo.fields import Command
from odoo.tests import HttpCase, new_test_user, tagged

from . import access_policy as policy

_logger = logging.getLogger(__name__)

ADDON = "odoo.addons.xero_connector."
DENIED = "odoo.exceptions.AccessError"
GUID = "3c2d1e0f-4a5b-4e8f-9a7b-5f6e2b5a0c1d"
DEAD_URL = "http://127.0.0.1:9"  # nothing listens: an allowed call that would reach Xero fails fast, in Odoo
MAGIC = ("id", "display_name", "create_uid", "create_date", "write_uid", "write_date")
# A dialog's row is its creator's only: who opened the ones the test tries.
OWNERS = {"xero.export.wizard": "xero_user", "xero.tenant.picker": "xero_admin", "xero.tenant.picker.line": "xero_admin"}
# The least a new record of a model needs besides the field tried.
CREATE_BASE = {
    "sale.order": lambda r: {"partner_id": r["res.partner"].id},
    "account.move": lambda r: {"move_type": "out_invoice", "partner_id": r["res.partner"].id},
    "res.partner": lambda r: {"name": "Matrix New"},
    "product.template": lambda r: {"name": "Matrix New"},
    "product.product": lambda r: {"name": "Matrix New"},
    "product.category": lambda r: {"name": "Matrix New"},
    "account.tax": lambda r: {"name": "Matrix New", "amount": 1.0},
    "res.company": lambda r: {"name": "Matrix New Co"},
}


def addon_methods(model):
    """Public methods defined by the addon's classes of ``model``."""
    return {name for cls in type(model).__mro__ if cls.__module__.startswith(ADDON)
            for name, value in vars(cls).items() if not name.startswith("_") and callable(value)}


@tagged("post_install", "-at_install")
class TestAccessMatrix(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.company = env.company
        cls.company_b = env["res.company"].create({"name": "Company B (access matrix)"})
        for key in ("login_url", "identity_url", "api_url"):
            env["ir.config_parameter"].sudo().set_param(f"xero_connector.{key}", DEAD_URL)
        cls.users = {}
        for role, spec in policy.ROLES.items():
            if spec:
                groups, other = spec
                company = cls.company_b if other else cls.company
                cls.users[role] = new_test_user(env, login=f"xc_matrix_{role}", groups=groups, company_id=company.id,
                                                company_ids=[Command.set(company.ids)])
        cls._make_records()

    @classmethod
    def _make_records(cls):
        """One record of company A per model tried, as the connector or an administrator would have made it."""
        env, company = cls.env, cls.company
        partner = env["res.partner"].create({"name": "Matrix Customer", "company_id": company.id, "is_company": True})
        category = env["product.category"].create({"name": "Matrix Category"})
        product = env["product.product"].create({"name": "Matrix Beans", "default_code": "MX-1", "company_id": company.id})
        tax = env["account.tax"].create({"name": "Matrix 10%", "amount": 10, "company_id": company.id})
        order = env["sale.order"].create({"partner_id": partner.id, "order_line": [
            Command.create({"product_id": product.id, "product_uom_qty": 1, "price_unit": 5})]})
        move = env["account.move"].create({"move_type": "out_invoice", "partner_id": partner.id, "invoice_line_ids": [
            Command.create({"name": "x", "quantity": 1, "price_unit": 5, "tax_ids": False})]})
        move.action_post()
        conn = env["xero.connection"]._xero_for_company(company)
        conn.write({"state": "connected", "tenant_id": "matrix-tenant", "tenant_name": "Matrix Org",
                    "candidate_tenants": [{"tenantId": "matrix-tenant", "tenantName": "Matrix Org"}]})
        Job = env["xero.job"].sudo()
        job = Job._xero_enqueue(partner, "contact", method="POST", company=company)
        item = env["xero.item"].sudo().create({"connection_id": conn.id, "xero_id": "item-1", "code": "MX-1"})
        env["xero.account"].sudo().create({"connection_id": conn.id, "xero_id": GUID, "code": "200", "status": "ACTIVE"})
        env["xero.tax.rate"].sudo().create({"connection_id": conn.id, "xero_id": "OUTPUT", "status": "ACTIVE"})
        env["xero.tracking.category"].sudo().create({"connection_id": conn.id, "xero_id": GUID, "name": "Region",
                                                     "status": "ACTIVE"})
        event = env["xero.event"].sudo().create({
            "tenant_id": "matrix-tenant", "category": "CONTACT", "event_type": "UPDATE", "resource_id": GUID,
            "event_date": "2026-01-01 00:00:00", "connection_id": conn.id, "company_id": company.id, "state": "failed"})
        payment_event = env["xero.payment.event"].sudo().create({
            "provider": "stripe", "event_id": "evt_matrix", "company_id": company.id, "event_type": "charge.succeeded",
            "state": "failed"})
        payment = env["xero.payment"].sudo().create({
            "name": "Matrix payment", "company_id": company.id, "provider": "stripe", "kind": "payment",
            "key": "ch_matrix"})
        settings = env["res.config.settings"].with_user(cls.users["system"]).create({})
        cls.records = {
            "res.partner": partner, "product.category": category, "product.product": product,
            "product.template": product.product_tmpl_id, "account.tax": tax, "sale.order": order,
            "account.move": move, "res.company": company, "xero.connection": conn, "xero.job": job, "xero.item": item,
            "xero.event": event, "xero.payment.event": payment_event, "xero.payment": payment,
            "res.config.settings": settings,
        }
        # Dialogs, opened through their real path for one user each (OWNERS).
        wizard = env["xero.export.wizard"].with_user(cls.users["xero_user"])._xero_open(move, "invoice")
        cls.records["xero.export.wizard"] = env["xero.export.wizard"].browse(wizard["res_id"])
        picker = env["xero.tenant.picker"].with_user(cls.users["xero_admin"])._xero_open(conn)
        cls.records["xero.tenant.picker"] = env["xero.tenant.picker"].browse(picker["res_id"])
        cls.records["xero.tenant.picker.line"] = cls.records["xero.tenant.picker"].line_ids[:1]
        cls.secrets = cls._store_secrets()

    @classmethod
    def _store_secrets(cls):
        values = {}
        for (model, name), param in policy.SECRETS.items():
            value = f"SECRET-{name}-{len(values):02d}-7f3a9c"
            values[model, name] = value
            if param:
                cls.env["ir.config_parameter"].sudo().set_param(param, value)
            elif model == "res.company":
                cls.company.sudo()[name] = value
            else:
                cls.records[model].sudo()[name] = value
        return values

    def setUp(self):
        super().setUp()
        self.mismatches, self.calls = [], 0

    def tearDown(self):
        _logger.info("%s: %d JSON-RPC calls compared with tests/access_policy.py", self._testMethodName, self.calls)
        super().tearDown()

    # ------------------------------------------------------------------------------------------
    # JSON-RPC as a role
    # ------------------------------------------------------------------------------------------
    def _login(self, role):
        user = self.users.get(role)
        self.authenticate(user.login if user else None, user.login if user else None)

    def _call(self, role, model, method, args, kwargs=None):
        """(error class name or None, raw answer text), rolled back whatever it did."""
        self.env.flush_all()
        with closing(self.env.cr.savepoint()):
            answer = self.opener.post(f"{self.base_url()}/web/dataset/call_kw/{model}/{method}", json={
                "id": 0, "jsonrpc": "2.0", "method": "call",
                "params": {"model": model, "method": method, "args": args, "kwargs": kwargs or {}}}, timeout=30)
        self.env.invalidate_all()
        self.calls += 1
        text = answer.text
        if role != "system":
            leaked = [v for v in self.secrets.values() if v in text]
            if leaked:
                self.mismatches.append(f"{role} {model}.{method}: the answer carries a secret ({leaked[0][:20]}…)")
        if answer.status_code != 200:
            return f"HTTP {answer.status_code}", text
        error = json.loads(text).get("error")
        return (error["data"]["name"] if error else None), text

    def _verdict(self, role, what, expected, error):
        got = "denied" if error in (DENIED, "odoo.http.SessionExpiredException") else "allowed"
        if (got == "allowed") != expected:
            self.mismatches.append(f"{role} {what}: expected {'allowed' if expected else 'denied'}, got {got}"
                                   + (f" ({error})" if error and got == "allowed" else ""))

    # ------------------------------------------------------------------------------------------
    # What the registry and the views hold
    # ------------------------------------------------------------------------------------------
    def _addon_models(self):
        return {name: self.env[name] for name in self.env.registry
                if not self.env[name]._abstract and any(c.__module__.startswith(ADDON)
                                                        for c in type(self.env[name]).__mro__)}

    def _found_methods(self):
        found = {(name, method) for name, model in self._addon_models().items() for method in addon_methods(model)}
        views = self.env["ir.ui.view"].search([("model_data_id.module", "=", "xero_connector")]) \
            if "model_data_id" in self.env["ir.ui.view"]._fields else self.env["ir.ui.view"].browse(
                self.env["ir.model.data"].search([("module", "=", "xero_connector"), ("model", "=", "ir.ui.view")])
                .mapped("res_id"))
        for view in views:
            for button in etree.fromstring(view.arch_db.encode()).iter("button"):
                if button.get("type") == "object":
                    # a button of a list inside a form acts on that list's model
                    fields_ = [a.get("name") for a in button.iterancestors("field")]
                    model = self.env[view.model]._fields[fields_[0]].comodel_name if fields_ else view.model
                    found.add((model, button.get("name")))
        actions = self.env["ir.actions.server"].browse(self.env["ir.model.data"].search([
            ("module", "=", "xero_connector"), ("model", "=", "ir.actions.server")]).mapped("res_id"))
        for action in actions:  # "records.<method>()"; the crons' "model._cron_…()" are private (the scheduler's)
            code = action.code or ""
            if "records." in code:
                found.add((action.model_id.model, code.split("records.", 1)[1].split("(", 1)[0]))
        return found

    def test_every_public_method_as_every_role(self):
        found = self._found_methods()
        unknown = sorted(f"{m}.{f}" for m, f in found if f not in policy.METHODS.get(m, {}))
        self.assertFalse(unknown, f"add these to tests/access_policy.py METHODS: {unknown}")
        cells = sorted((m, f, level) for m, methods in policy.METHODS.items() for f, level in methods.items()
                       if level != "core")
        for role in policy.ROLES:
            self._login(role)
            for model, method, level in cells:
                record = self.records[model]
                error, _text = self._call(role, model, method, [record.ids],
                                          {"context": {"xero_list": "xero.account"}} if method == "action_xero_open_list"
                                          else None)
                expected = role in policy.LEVELS[level] and OWNERS.get(model, role) == role
                self._verdict(role, f"{model}.{method}", expected, error)
        self.assertFalse(self.mismatches, "\n".join(self.mismatches))
        self.assertGreater(self.calls, 200)

    # ------------------------------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------------------------------
    def _value(self, model, name):
        """A value of ``name``'s type that differs from the test record's."""
        field = self.env[model]._fields[name]
        record = self.records.get(model)
        current = record[name] if record else False
        if name == "xero_contact_id":
            return GUID
        if field.type == "selection":
            keys = [k for k, _label in field._description_selection(self.env)]
            return next((k for k in keys if k != current), keys[0])
        if field.type == "many2one":
            other = self.env[field.comodel_name].sudo().with_context(active_test=False).search(
                [("id", "!=", current.id if current else 0)], limit=1)
            return other.id
        if field.type in ("many2many", "one2many"):
            return [Command.set(self.env[field.comodel_name].sudo().search([], limit=1).ids)] \
                if field.type == "many2many" else [Command.create({})]
        return {"boolean": not current, "integer": 7, "float": 7.5, "monetary": 7.5, "json": {"x": 1},
                "date": "2026-01-02", "datetime": "2026-01-02 00:00:00"}.get(field.type, "X-7")

    def _field_cells(self):
        """(model, field, level) of every connector field of the models Odoo ships, as the registry has them;
        a field the table does not name fails the test."""
        cells, unknown = [], []
        for name, model in self._addon_models().items():
            if name.startswith("xero.") or name == "res.config.settings":
                continue
            levels = {field: level for level, names in policy.FIELDS.get(name, {}).items() for field in names.split()}
            for field in model._fields.values():
                if field._modules == ("xero_connector",) and not field.inherited:
                    if field.name not in levels:
                        unknown.append(f"{name}.{field.name}")
                    else:
                        cells.append((name, field.name, levels[field.name]))
        self.assertFalse(unknown, f"add these to tests/access_policy.py FIELDS: {unknown}")
        return sorted(cells)

    def test_every_connector_field_as_every_role(self):
        cells = self._field_cells()
        checked = 0
        for role, user in self.users.items():
            self._login(role)
            for model, name, level in cells:
                allowed = role in policy.LEVELS[level]
                Model, record = self.env[model].with_user(user), self.records[model]
                value = self._value(model, name)
                # Odoo's own rights first: where they refuse, nothing of the connector's is proven by a call.
                if Model.has_access("create"):  # in the caller's own company: company B's administrator is one
                    error, _text = self._call(role, model, "create", [[dict(CREATE_BASE[model](self.records),
                                                                           **{name: value})]])
                    own = "xero_admin" if role == "other_admin" else role
                    self._verdict(role, f"create {model}.{name}", own in policy.LEVELS[level], error)
                    checked += 1
                if record.with_user(user).has_access("write"):
                    error, _text = self._call(role, model, "write", [record.ids, {name: value}])
                    self._verdict(role, f"write {model}.{name}", allowed, error)
                    checked += 1
            # The addon's own models: the connector's rows, whatever the field.
            for model in self._addon_models():
                if model.startswith("xero.") and model not in OWNERS:
                    fields_ = {f: self._value(model, f) for f, field in self.env[model]._fields.items()
                               if field.store and f not in MAGIC and not field.compute and not field.related
                               and field.type not in ("one2many", "many2many")}
                    error, _text = self._call(role, model, "create", [[fields_]])
                    self._verdict(role, f"create {model}", False, error)
                    record = self.records.get(model) or self.env[model].sudo().search([], limit=1)
                    if record:
                        error, _text = self._call(role, model, "write", [record.ids, fields_])
                        self._verdict(role, f"write {model}", False, error)
                    checked += 2
        # Proven both ways: a guarded field refused where Odoo allows the write, and admitted where the table does.
        self.assertFalse(self.mismatches, "\n".join(self.mismatches))
        self.assertGreater(checked, 200)

    def test_unchanged_values_and_empty_creates_pass(self):
        self._login("sales")
        order = self.records["sale.order"]
        error, _text = self._call("sales", "sale.order", "write", [order.ids, {"xero_invoice_id": False}])
        self.assertIsNone(error, "writing a connector field unchanged (as a merge does) is not refused")
        error, _text = self._call("sales", "sale.order", "create", [[{"partner_id": self.records["res.partner"].id,
                                                                      "xero_invoice_id": False, "xero_paid": False}]])
        self.assertIsNone(error, "a create with the fields' empty defaults is not refused")

    # ------------------------------------------------------------------------------------------
    # Dialogs and secrets
    # ------------------------------------------------------------------------------------------
    def test_dialog_rows_are_their_creators_and_cannot_be_forged(self):
        wizard = self.records["xero.export.wizard"]
        forged = {"res_model": "account.move", "res_id": self.records["account.move"].id, "operation": "void_invoice",
                  "can_update": True}
        for role in self.users:
            self._login(role)
            error, text = self._call(role, "xero.export.wizard", "search_read", [[]], {"fields": ["res_id"]})
            owner = role == "xero_user"
            if not owner and error is None and json.loads(text)["result"]:
                self.mismatches.append(f"{role} reads another user's export confirmation")
            for method, args in (("write", [wizard.ids, forged]), ("create", [[forged]])):
                error, _text = self._call(role, "xero.export.wizard", method, args)
                self._verdict(role, f"xero.export.wizard.{method} of the operation", False, error)
        self.assertFalse(self.mismatches, "\n".join(self.mismatches))

    def test_no_secret_reaches_anyone_but_system_administrators(self):
        by_model = {}
        for (model, name) in policy.SECRETS:
            by_model.setdefault(model, []).append(name)
        for role in policy.ROLES:
            self._login(role)
            settings_names = by_model["res.config.settings"] + by_model["res.company"]
            for method, args, kwargs in (
                    ("default_get", [settings_names], {}),
                    ("onchange", [[], {}, [], {n: {} for n in settings_names}], {}),
                    ("web_read", [self.records["res.config.settings"].ids], {"specification": {n: {} for n in
                                                                                             settings_names}})):
                error, text = self._call(role, "res.config.settings", method, args, kwargs)
                leaked = [v for (m, _n), v in self.secrets.items() if v in text]
                if leaked:  # the settings send no stored secret, not even to a system administrator
                    self.mismatches.append(f"{role} res.config.settings.{method} carries {leaked[0][:24]}…")
            for model in ("res.company", "xero.connection"):
                record = self.records[model]
                for method, args, kwargs in (("read", [record.ids, by_model[model]], {}),
                                             ("search_read", [[("id", "=", record.id)], by_model[model]], {}),
                                             ("web_read", [record.ids], {"specification": {n: {} for n in
                                                                                            by_model[model]}})):
                    self._call(role, model, method, args, kwargs)  # a leak is recorded by _call itself
            self._call(role, "res.company", "export_data", [self.company.ids, by_model["res.company"]])
            self._call(role, "ir.config_parameter", "get_param", ["xero_connector.client_secret"])
        self.assertFalse(self.mismatches, "\n".join(self.mismatches))
