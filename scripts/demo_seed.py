# Run by scripts/demo inside `odoo-bin shell` (which provides `env`): points the database at the local
# Xero sandbox, adds sample data once, and connects the main company through the real OAuth flow
# (the sandbox approves the consent by itself for this one call). Idempotent.
# ruff: noqa: F821  (env is provided by odoo-bin shell)
import os
from urllib.parse import parse_qs, urlparse

import requests

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

connection = env["xero.connection"]._xero_for_company(company)
if connection.state != "connected":
    admin = env.ref("base.user_admin")
    orgs = requests.get(f"{sandbox_url}/_sandbox/orgs", timeout=10).json()
    orgs = orgs.get("orgs", orgs) if isinstance(orgs, dict) else orgs
    first = orgs[0]["tenant_id"] if "tenant_id" in orgs[0] else orgs[0]["TenantID"]
    config = requests.get(f"{sandbox_url}/_sandbox/config", timeout=10).json()
    requests.post(f"{sandbox_url}/_sandbox/config", json={"auto_approve": True, "auto_approve_tenants": [first]},
                  timeout=10).raise_for_status()
    try:
        oauth = connection._xero_oauth()
        redirect_uri = connection._xero_redirect_uri()
        state = connection._xero_make_state(admin)
        answer = requests.get(oauth.authorize_url(redirect_uri, state), allow_redirects=False, timeout=10)
        query = parse_qs(urlparse(answer.headers["Location"]).query)
        connection.with_user(admin)._xero_check_state(query["state"][0], admin)
        tokens = oauth.exchange_code(query["code"][0], redirect_uri)
        tenants = oauth.connections(tokens.access_token, auth_event_id=tokens.auth_event_id)
        connection._xero_bind_tokens(tokens, tenants, admin)
    finally:
        requests.post(f"{sandbox_url}/_sandbox/config",
                      json={"auto_approve": config.get("auto_approve", False),
                            "auto_approve_tenants": config.get("auto_approve_tenants")}, timeout=10)
print(f"demo: {company.name} is {connection.state} to Xero organisation {connection.tenant_name or '-'}")
env.cr.commit()
