# Run by scripts/demo inside `odoo-bin shell` (which provides `env`): points the database at the local
# Xero sandbox, adds sample data once, and connects the main company through the real OAuth flow
# (the sandbox approves the consent by itself for this one call). Idempotent.
# ruff: noqa: F821  (env is provided by odoo-bin shell)
import os
import sys

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

# Sample customers and products (created once, found again by their reference).
Partner = env["res.partner"]
for ref, name, email, is_company in [
    ("DEMO-C1", "Bluewater Café", "accounts@bluewater.example", True),
    ("DEMO-C2", "Northside Deli", "billing@northside.example", True),
    ("DEMO-C3", "Marta Jensen", "marta.jensen@example.com", False),
]:
    if not Partner.search([("ref", "=", ref)], limit=1):
        Partner.create({"ref": ref, "name": name, "email": email, "is_company": is_company, "customer_rank": 1})
Product = env["product.product"]
for code, name, price in [
    ("BEAN-1KG", "House Blend Beans 1 kg", 32.0),
    ("BEAN-250", "Single Origin Beans 250 g", 14.5),
    ("GRIND-SVC", "Grinding Service", 5.0),
]:
    if not Product.search([("default_code", "=", code)], limit=1):
        Product.create({"default_code": code, "name": name, "list_price": price, "sale_ok": True})

sys.path.insert(0, os.environ["XERO_DEMO_SCRIPTS"])
from sandbox_connect import connect  # noqa: E402

connection = connect(env, sandbox_url, company)
print(f"demo: {company.name} is {connection.state} to Xero organisation {connection.tenant_name or '-'}")
env.cr.commit()
