# Run by scripts/demo inside `odoo-bin shell` (which provides `env`): points the database at the local
# Xero sandbox, adds sample data once, and connects the main company through the real OAuth flow
# (the sandbox approves the consent by itself for this one call). Idempotent.
# ruff: noqa: F821  (env is provided by odoo-bin shell)
import os
import sys

import requests

from odoo.fields import Command

sys.path.insert(0, os.environ["XERO_DEMO_SCRIPTS"])
from sandbox_connect import connect

odoo_url = os.environ["XERO_DEMO_ODOO_URL"]
sandbox_url = os.environ["XERO_DEMO_SANDBOX_URL"]
icp = env["ir.config_parameter"].sudo()
for key, value in {
    "web.base.url": odoo_url,
    "web.base.url.freeze": "True",
    "xero_connector.client_id": "xero-connector-demo",
    "xero_connector.client_secret": os.environ["XERO_DEMO_CLIENT_SECRET"],
    "xero_connector.webhook_key": os.environ["XERO_DEMO_WEBHOOK_KEY"],
    "xero_connector.login_url": sandbox_url,
    "xero_connector.identity_url": sandbox_url,
    "xero_connector.api_url": sandbox_url,
}.items():
    icp.set_param(key, value)

company = env.company
if company.name in ("YourCompany", "My Company"):
    company.name = "Harbour Coffee Roasters"

# Documents' files in Xero (their PDF, a bill's scan) and Xero's online invoice link: asked in the consent.
if not company.xero_attach_files:
    company.write({"xero_attach_files": True, "xero_attach_online": True, "xero_online_invoice_link": True})
connection = connect(env, sandbox_url, company)

# Sample customers and products (created once, found again by their reference).
Partner = env["res.partner"]
for ref, name, email, is_company in [
    ("DEMO-C1", "Bluewater Café", "accounts@bluewater.example", True),
    ("DEMO-C2", "Northside Deli", "billing@northside.example", True),
    ("DEMO-C3", "Marta Jensen", "marta.jensen@example.com", False),
    ("DEMO-C4", "Harbourside Hotel", "ap@harbourside.example", True),
]:
    if not Partner.search([("ref", "=", ref)], limit=1):
        Partner.create({"ref": ref, "name": name, "email": email, "is_company": is_company, "customer_rank": 1})
PRODUCTS = [("BEAN-1KG", "House Blend Beans 1 kg", 32.0), ("BEAN-250", "Single Origin Beans 250 g", 14.5),
            ("GRIND-SVC", "Grinding Service", 5.0)]
Product = env["product.product"]
for code, name, price in PRODUCTS:
    if not Product.search([("default_code", "=", code)], limit=1):
        Product.create({"default_code": code, "name": name, "list_price": price, "sale_ok": True})

if connection.state == "connected":
    tenant = connection.tenant_id
    # The sandbox organisation sells the same products: Xero items with stock on hand.
    items = {i["Code"] for i in requests.get(f"{sandbox_url}/_sandbox/orgs/{tenant}/Items", timeout=10).json()["Items"]}
    new_items = [{"Code": code, "Name": name, "SalesDetails": {"UnitPrice": price, "AccountCode": "200"}}
                 for code, name, price in PRODUCTS if code not in items]
    if new_items:
        requests.post(f"{sandbox_url}/_sandbox/orgs/{tenant}/Items", json={"Items": new_items}, timeout=10)
        for code, quantity in (("BEAN-1KG", 42), ("BEAN-250", 120)):
            requests.post(f"{sandbox_url}/_sandbox/orgs/{tenant}/Items/{code}/stock",
                          json={"QuantityOnHand": quantity}, timeout=10)
    # Xero's chart of accounts, tax rates and items, and the defaults exports use.
    connection._xero_refresh_lists()
    connection.xero_item_ids.action_xero_import()
    if not company.xero_sales_account_code:
        company.write({"xero_sales_account_code": "200", "xero_tax_type": "OUTPUT"})
    sale_tax = env["account.tax"].search([("type_tax_use", "=", "sale"), ("company_id", "=", company.id)], limit=1)
    if sale_tax and not sale_tax.xero_tax_type:
        sale_tax.xero_tax_type = "OUTPUT"
    # Orders in several states, once: a quotation, a confirmed order sent to Xero, one paid in Xero.
    Order = env["sale.order"]
    # The demo login's own orders: Sales opens on "My Quotations", which shows them (not Odoo's sample overlay).
    demo_user = env.ref("base.user_admin")
    if not Order.search_count([("partner_id.ref", "like", "DEMO-C")]):
        beans, small, grind = (Product.search([("default_code", "=", c)], limit=1) for c, _n, _p in PRODUCTS)

        def order(ref, lines, po=False):
            partner = Partner.search([("ref", "=", ref)], limit=1)
            return Order.create({"partner_id": partner.id, "client_order_ref": po, "user_id": demo_user.id, "order_line": [
                Command.create({"product_id": p.id, "product_uom_qty": q}) for p, q in lines]})

        order("DEMO-C3", [(small, 2)])  # stays a quotation
        sent = order("DEMO-C1", [(beans, 10), (grind, 10)], po="PO-4471")
        paid = order("DEMO-C2", [(beans, 4), (small, 12)], po="ND-2026-118")
        (sent | paid).action_confirm()
        (sent | paid).action_xero_export_invoice()
        env["xero.job"]._xero_send(connections=connection)
        if paid.xero_invoice_id:
            invoice = requests.get(f"{sandbox_url}/_sandbox/orgs/{tenant}/Invoices/{paid.xero_invoice_id}",
                                   timeout=10).json()
            requests.post(f"{sandbox_url}/_sandbox/orgs/{tenant}/Payments", json={"Payments": [{
                "Invoice": {"InvoiceID": paid.xero_invoice_id}, "Account": {"Code": "090"},
                "Date": "2026-11-20", "Amount": invoice["AmountDue"]}]}, timeout=10)
        env["xero.sync.cursor"]._xero_run_pulls(connection)
    Order.search([("partner_id.ref", "like", "DEMO-C"), ("user_id", "!=", demo_user.id)]).user_id = demo_user
    # A Stripe payment as Stripe's webhook tells it (stored as a verified delivery is; its balance transaction
    # included, so no Stripe account is needed): a Xero invoice for the customer, paid on the "Stripe"
    # clearing bank account (created in Xero), Stripe's fee booked to 404 Bank Fees, then Stripe's payout: a
    # transfer from the clearing account to the business bank account (090).
    if not company.sudo().xero_stripe_webhook_secret:
        company.sudo().write({"xero_stripe_webhook_secret": "whsec_demo_" + os.environ["XERO_DEMO_WEBHOOK_KEY"][:20],
                              "xero_payment_fee_account_code": "404", "xero_payout_account_code": "090"})
    Event = env["xero.payment.event"].sudo()
    if not Event.search_count([("event_id", "=", "evt_demo_espresso_club")]):
        Event._xero_receive_stripe(company, {
            "id": "evt_demo_espresso_club", "object": "event", "type": "charge.succeeded", "created": 1795305600,
            "data": {"object": {
                "id": "ch_demo_espresso_club", "object": "charge", "amount": 4800, "amount_captured": 4800,
                "currency": "usd", "status": "succeeded", "paid": True, "created": 1795305600,
                "payment_intent": "pi_demo_espresso_club", "invoice": None,
                "description": "Espresso Club — monthly box",
                "billing_details": {"email": "marta.jensen@example.com", "name": "Marta Jensen"},
                "balance_transaction": {"id": "txn_demo_espresso_club", "object": "balance_transaction",
                                        "amount": 4800, "currency": "usd", "fee": 169, "net": 4631},
                "metadata": {}}}})
        Event._xero_receive_stripe(company, {
            "id": "evt_demo_payout", "object": "event", "type": "payout.paid", "created": 1795478400,
            "data": {"object": {"id": "po_demo_weekly", "object": "payout", "amount": 4631, "currency": "usd",
                                "arrival_date": 1795478400, "status": "paid", "type": "bank_account"}}})
        Event._cron_xero_payment_events()
# A supplier's bill with the supplier's PDF (its main attachment): a Xero bill with that file attached.
Move = env["account.move"]
if not Move.search_count([("move_type", "=", "in_invoice"), ("ref", "=", "GBI-2026-311")]):
    supplier = Partner.search([("ref", "=", "DEMO-S1")], limit=1) or Partner.create({
        "ref": "DEMO-S1", "name": "Green Bean Importers", "email": "accounts@greenbean.example", "is_company": True})
    bill = Move.create({
        "move_type": "in_invoice", "partner_id": supplier.id, "ref": "GBI-2026-311", "invoice_date": "2026-11-25",
        "invoice_line_ids": [Command.create({"name": "Green coffee, Colombia Huila, 60 kg", "quantity": 2,
                                             "price_unit": 310.0, "tax_ids": False})]})
    scan = env["ir.attachment"].create({
        "name": "GBI-2026-311.pdf", "mimetype": "application/pdf", "res_model": "account.move", "res_id": bill.id,
        "raw": b"%PDF-1.4\n% Green Bean Importers - invoice GBI-2026-311 (demo)\n%%EOF\n"})
    bill.message_main_attachment_id = scan
    bill.action_post()
    bill.action_xero_export()
    env["xero.job"]._xero_send(connections=connection)
# With the Purchase bridge (xero_connector_purchase): a confirmed purchase order in Xero.
from demo_seed_purchase import seed_purchase_order  # noqa: E402

seed_purchase_order(env, connection)
print(f"demo: {company.name} is {connection.state} to Xero organisation {connection.tenant_name or '-'}")
env.cr.commit()
