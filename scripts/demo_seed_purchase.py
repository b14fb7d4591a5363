"""The demo's purchase order (with the bridge xero_connector_purchase, which pulls in Odoo's Purchase app): a vendor,
the green beans the roastery buys, a purchase tax mapped to Xero's INPUT rate, the company's option to export
confirmed purchase orders, and one confirmed order sent to Xero. Called by demo_seed.py; idempotent."""
from odoo.fields import Command


def seed_purchase_order(env, connection):
    if "purchase.order" not in env or connection.state != "connected":
        return None
    company = env.company
    vendor = env["res.partner"].search([("ref", "=", "DEMO-V1")], limit=1) or env["res.partner"].create({
        "ref": "DEMO-V1", "name": "Green Bean Traders Ltd", "email": "orders@greenbean.example", "is_company": True,
        "supplier_rank": 1})
    beans = env["product.product"].search([("default_code", "=", "GREEN-60KG")], limit=1)
    if not beans:
        beans = env["product.product"].create({"default_code": "GREEN-60KG", "name": "Green Coffee Beans 60 kg",
                                               "standard_price": 310.0, "purchase_ok": True, "sale_ok": False})
        # Booked to 310 Cost of Goods Sold (the product's Xero purchase account, as vendor bills are)
        beans.product_tmpl_id.xero_purchase_account_code = "310"
    tax = env["account.tax"].search([("type_tax_use", "=", "purchase"), ("company_id", "=", company.id)], limit=1)
    if tax and not tax.xero_tax_type:
        tax.xero_tax_type = "INPUT"
    company.xero_auto_export_purchase_orders = True
    Order = env["purchase.order"]
    order = Order.search([("partner_id", "=", vendor.id)], limit=1)
    if not order:
        order = Order.create({"partner_id": vendor.id, "partner_ref": "GB-2026-117", "order_line": [
            Command.create({"product_id": beans.id, "product_qty": 4, "price_unit": 310.0,
                            "tax_ids": [Command.set(tax.ids)]})]})
        order.button_confirm()  # queued for Xero on confirmation (the company's option)
        env["xero.job"]._xero_send(connections=connection)
    return order
