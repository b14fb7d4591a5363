from odoo import api, fields, models
from odoo.exceptions import UserError

from ..exceptions import XeroBlocked
from .xero_access import USER, checked

ITEM_NAME_MAX = 50
ITEM_CODE_MAX = 30


class ProductProduct(models.Model):
    _name = "product.product"
    _inherit = ["product.product", "xero.guarded.fields", "xero.outbox.record"]

    xero_item_id = fields.Many2one("xero.item", compute="_compute_xero_item")
    xero_quantity_on_hand = fields.Float("Quantity on Hand in Xero", compute="_compute_xero_item",
                                         digits="Product Unit")
    xero_is_tracked = fields.Boolean("Tracked in Xero", compute="_compute_xero_item")
    xero_item_message = fields.Char(compute="_compute_xero_item")

    @api.depends("default_code")
    @api.depends_context("company")
    def _compute_xero_item(self):
        conn = self.env.company._xero_connection()
        Item = self.env["xero.item"].sudo()
        items = Item.search([("connection_id", "=", conn.id), ("code", "in", [c for c in self.mapped("default_code")
                                                                             if c])]) if conn else Item
        by_code = {item.code: item for item in items}
        for product in self:
            item = by_code.get(product.default_code) if product.default_code else None
            linked = item if item and item.product_id == product else None
            product.xero_item_id = linked.id if linked else False
            product.xero_quantity_on_hand = linked.quantity_on_hand if linked else 0.0
            product.xero_is_tracked = linked.is_tracked if linked else False
            product.xero_item_message = item.match_message if item and item.match_message else False

    def _xero_same_reference(self, company):
        """Other active products of ``company`` (or shared) with this product's internal reference."""
        self.ensure_one()
        if not self.default_code:
            return self.browse()
        return self.sudo().search([("default_code", "=", self.default_code), ("id", "!=", self.id),
                                   ("company_id", "in", [company.id, False])])

    # ------------------------------------------------------------------------------------------
    # Export as Xero items (xero.outbox.record: operation "item")
    # ------------------------------------------------------------------------------------------
    def action_xero_export_item(self):
        checked(self, USER, self.env._("Only Xero users can export to Xero."), operation="read")
        company = self.env.company
        conn = company._xero_connection()
        if not conn or conn.state not in ("connected", "reconnect"):
            raise UserError(self.env._("%s is not connected to Xero: connect it in Settings → Xero first.", company.name))
        jobs = self.env["xero.job"]._xero_enqueue(self, "item", method="POST", company=company)
        documents = self.env["sale.order"].browse()
        if len(self) == 1:
            return documents._xero_send_now(jobs)
        return documents._xero_notification(
            self.env._("%s product(s) queued for Xero; follow them in Xero → Sync Log.", len(self)), "info")

    def _xero_job_payload(self, job):
        self.ensure_one()
        company = job.company_id
        product = self.with_company(company)
        code = (product.default_code or "").strip()
        if not code:
            raise XeroBlocked(self.env._("%s has no internal reference: Xero items are matched by code, set one, then retry.",
                                         product.display_name))
        if len(code) > ITEM_CODE_MAX:
            raise XeroBlocked(self.env._("%(product)s: the internal reference %(code)s is longer than Xero's %(max)s characters "
                                         "for an item code.", product=product.display_name, code=code, max=ITEM_CODE_MAX))
        others = product._xero_same_reference(company)
        if others:
            raise XeroBlocked(self.env._(
                "%(product)s: the internal reference %(code)s is also used by %(others)s. Xero items are matched "
                "by internal reference: make it unique, then retry.", product=product.display_name, code=code,
                others=", ".join(others.mapped("display_name"))))
        sales = {"UnitPrice": product.lst_price}
        documents = self.env["sale.order"].browse()
        account_code, where = documents._xero_line_account_code(job, product)
        if account_code:
            account = self.env["xero.account"]._xero_find(job.connection_id or company._xero_connection(),
                                                          account_code)
            if not account or account.status != "ACTIVE":
                raise XeroBlocked(self.env._(
                    "%(product)s: the Xero sales account %(code)s, mapped on %(where)s, is not an active account of "
                    "the Xero organisation. Map an active account, then retry.", product=product.display_name,
                    code=account_code, where=where))
            sales["AccountCode"] = account_code
        taxes = product.taxes_id.filtered(lambda t: t.company_id == company)
        tax_types = {t.xero_tax_type or company.xero_tax_type for t in taxes} - {False, None, ""}
        if len(tax_types) == 1:
            sales["TaxType"] = tax_types.pop()
        description = product.description_sale or product.name
        return {
            "Code": code,
            "Name": (product.name or code)[:ITEM_NAME_MAX],
            "Description": description[:4000],
            "IsSold": True,
            "SalesDetails": sales,
        }

    def _xero_job_done(self, job, result):
        conn = job.connection_id or job.company_id._xero_connection()
        items = self.env["xero.item"].sudo()._xero_apply_items(conn, [result.data or {}])
        if items:
            items._xero_link_products()
        self.product_tmpl_id.message_post(
            body=self.env._("Sent to Xero as item %s.", (result.data or {}).get("Code") or self.default_code),
            message_type="notification", subtype_xmlid="mail.mt_note")

    def _xero_job_lookup(self, job, client):
        return None  # items are written with POST by code: sending twice updates the same item
