import logging

from odoo import api, fields, models

from ..xero import parse_xero_date
from .xero_access import MANAGER, checked

_logger = logging.getLogger(__name__)


class XeroItem(models.Model):
    """The items of a Xero organisation, as Xero last reported them, matched to Odoo products by code.

    A Xero item's code is an Odoo product's internal reference (``default_code``). Two Odoo products
    with the same reference match nothing (the item says so) until the reference is made unique.
    """

    _name = "xero.item"
    _inherit = ["xero.list.mixin"]
    _description = "Xero Item"
    _order = "connection_id, code"
    _rec_name = "code"
    _rec_names_search = ["code", "name"]
    _xero_id_key = "ItemID"

    xero_id = fields.Char("Xero Item ID", required=True, readonly=True)
    code = fields.Char(readonly=True, index=True)
    name = fields.Char(readonly=True)
    description = fields.Text(readonly=True)
    sales_price = fields.Float(readonly=True, digits="Product Price")
    sales_account_code = fields.Char(readonly=True)
    sales_tax_type = fields.Char(readonly=True)
    is_tracked = fields.Boolean("Tracked as Inventory", readonly=True)
    quantity_on_hand = fields.Float(readonly=True, digits="Product Unit")
    is_sold = fields.Boolean(readonly=True)
    updated_utc = fields.Datetime("Updated in Xero", readonly=True)
    product_id = fields.Many2one("product.product", "Odoo Product", readonly=True, index="btree_not_null",
                                 ondelete="set null")
    match_message = fields.Char("Matching", readonly=True)

    _xero_uniq = models.Constraint("UNIQUE(connection_id, xero_id)", "A Xero item is known once per organisation.")

    @api.depends("code", "name")
    def _compute_display_name(self):
        for item in self:
            item.display_name = f"[{item.code}] {item.name}" if item.name and item.name != item.code else item.code

    @api.model
    def _xero_values(self, record):
        sales = record.get("SalesDetails") or {}
        updated = parse_xero_date(record.get("UpdatedDateUTC"))
        return {
            "code": record.get("Code") or False,
            "name": record.get("Name") or record.get("Code") or False,
            "description": record.get("Description") or False,
            "sales_price": float(sales.get("UnitPrice") or 0.0),
            "sales_account_code": sales.get("AccountCode") or False,
            "sales_tax_type": sales.get("TaxType") or False,
            "is_tracked": bool(record.get("IsTrackedAsInventory")),
            "quantity_on_hand": float(record.get("QuantityOnHand") or 0.0),
            "is_sold": bool(record.get("IsSold", True)),
            "updated_utc": updated.replace(tzinfo=None) if updated else False,
        }

    @api.model
    def _xero_apply_items(self, connection, records):
        """Upsert Xero items for this connection, match them to products, align stock when asked."""
        items = self._xero_upsert(connection, records)
        items._xero_link_products()
        company = connection.company_id
        if company.xero_stock_align:
            items.filtered(lambda i: i.is_tracked and i.product_id)._xero_align_stock()
        return items

    @api.model
    def _xero_for_product(self, connection, product):
        """The Xero item matched to ``product`` in this organisation, or None."""
        if not connection or not product or not product.default_code:
            return None
        items = self.sudo().browse(self._xero_index(connection, "code").get(product.default_code, []))
        return items.filtered(lambda item: item.product_id == product)[:1] or None

    def _xero_link_products(self):
        """Match each item to the one active product of its company (or shared) with its code as reference."""
        Product = self.env["product.product"].sudo()
        by_code = {}  # (company id, code) -> products: one search per company, not one per item
        for company in self.connection_id.company_id:
            codes = list(set(self.filtered(lambda i, c=company: i.connection_id.company_id == c).mapped("code")) - {False})
            for product in Product.search([("default_code", "in", codes), ("company_id", "in", [company.id, False])]):
                by_code[company.id, product.default_code] = by_code.get((company.id, product.default_code),
                                                                         Product) | product
        for item in self:
            company = item.connection_id.company_id
            products = by_code.get((company.id, item.code), Product) if item.code else Product
            if len(products) > 1:
                message = self.env._("Several products have the internal reference %(code)s (%(products)s): Xero items are "
                            "matched by internal reference, make it unique.", code=item.code,
                            products=", ".join(products.mapped("display_name")))
                vals = {"product_id": False, "match_message": message}
            else:
                vals = {"product_id": products.id or False, "match_message": False}
            if item.product_id.id != vals["product_id"] or (item.match_message or False) != vals["match_message"]:
                item.write(vals)

    def _xero_align_stock(self):
        """Set the on-hand quantity of each item's product in its company's main warehouse to Xero's
        (only with Odoo's Inventory app; products Odoo does not track in stock are left alone)."""
        if "stock.quant" not in self.env:
            return
        Quant = self.env["stock.quant"].sudo()
        for item in self:
            company = item.connection_id.company_id
            product = item.product_id.with_company(company)
            if not product.is_storable:
                continue
            warehouse = self.env["stock.warehouse"].sudo().search([("company_id", "=", company.id)], limit=1)
            if not warehouse:
                continue
            location = warehouse.lot_stock_id
            on_hand = product.with_context(warehouse_id=warehouse.id).qty_available
            if abs(on_hand - item.quantity_on_hand) < 1e-6:
                continue
            quant = Quant.search([("product_id", "=", product.id), ("location_id", "=", location.id)], limit=1)
            here = quant.quantity if quant else 0.0
            target = here + item.quantity_on_hand - on_hand
            if quant:
                quant.with_context(inventory_mode=True).inventory_quantity = target
            else:
                quant = Quant.with_context(inventory_mode=True).create({
                    "product_id": product.id, "location_id": location.id, "inventory_quantity": target})
            quant.with_context(inventory_mode=True).action_apply_inventory()

    # ------------------------------------------------------------------------------------------
    # Import into Odoo
    # ------------------------------------------------------------------------------------------
    def action_xero_import(self):
        """Xero → Odoo: update the matched products (name, description, sales price) and create products
        for the items no product matches (internal reference = item code). Duplicates are skipped."""
        items = checked(self, MANAGER, self.env._("Only Xero administrators can import items from Xero."))
        created = updated = 0
        skipped = items.filtered("match_message")
        for item in items - skipped:
            if not item.code:
                continue
            vals = {"name": item.name or item.code, "description_sale": item.description or False,
                    "list_price": item.sales_price, "sale_ok": True}
            if item.product_id:
                template = item.product_id.product_tmpl_id
                changed = {k: v for k, v in vals.items() if template[k] != v}
                if changed:
                    template.write(changed)
                    updated += 1
            else:
                company = item.connection_id.company_id
                product = self.env["product.product"].sudo().with_company(company).create(
                    dict(vals, default_code=item.code, company_id=company.id, type="consu"))
                item.product_id = product
                created += 1
        message = self.env._("%(created)s product(s) created and %(updated)s updated from Xero items.", created=created,
                    updated=updated)
        if skipped:
            message += " " + self.env._("Skipped (same internal reference on several products): %s.",
                               ", ".join(skipped.mapped("code")))
        return {"type": "ir.actions.client", "tag": "display_notification",
                "params": {"type": "warning" if skipped else "success", "message": message,
                           "sticky": bool(skipped), "next": {"type": "ir.actions.client", "tag": "soft_reload"}}}
