"""Connect a company to a Xero sandbox through the real OAuth flow, without a browser.

Used by the demo and the benchmarks (run inside `odoo-bin shell`). The sandbox approves the consent
by itself for this one call (its control API's auto-approve), then the connector does exactly what
its /xero/connect and /xero/oauth/callback routes do.
"""

from urllib.parse import parse_qs, urlparse

import requests

from odoo.addons.xero_connector.xero import XeroError


def point_at_sandbox(env, sandbox_url, client_id, client_secret, calls_per_minute=60, minute_window=60,
                     calls_per_day=5000, odoo_url="http://localhost:8069"):
    """Set the system parameters that make the connector talk to this sandbox, paced as given."""
    icp = env["ir.config_parameter"].sudo()
    for key, value in {
        "web.base.url": odoo_url,
        "xero_connector.client_id": client_id, "xero_connector.client_secret": client_secret,
        "xero_connector.login_url": sandbox_url, "xero_connector.identity_url": sandbox_url,
        "xero_connector.api_url": sandbox_url,
        "xero_connector.calls_per_minute": str(calls_per_minute), "xero_connector.minute_window": str(minute_window),
        "xero_connector.calls_per_day": str(calls_per_day),
    }.items():
        icp.set_param(key, value)


def connect(env, sandbox_url, company=None, tenant_id=None):
    company = company or env.company
    connection = env["xero.connection"]._xero_for_company(company)
    # (connected before the company attached files: the consent is asked again, with accounting.attachments)
    needs_scope = company.xero_attach_files and connection._xero_attachments_scope_missing()
    if connection.state == "connected" and not needs_scope:
        try:
            connection._xero_access_token()
            return connection
        except XeroError:
            pass  # the grant is gone (sandbox restarted without its state, tokens wiped…): connect again
    admin = env.ref("base.user_admin")
    if tenant_id is None:
        orgs = requests.get(f"{sandbox_url}/_sandbox/orgs", timeout=10).json()
        tenant_id = orgs[0]["tenant_id"]
    config = requests.get(f"{sandbox_url}/_sandbox/config", timeout=10).json()
    requests.post(f"{sandbox_url}/_sandbox/config", json={"auto_approve": True, "auto_approve_tenants": [tenant_id]},
                  timeout=10).raise_for_status()
    try:
        oauth = connection._xero_oauth()
        redirect_uri = connection._xero_redirect_uri()
        state = connection._xero_make_state(admin)
        answer = requests.get(oauth.authorize_url(redirect_uri, state, scopes=connection._xero_scopes()),
                              allow_redirects=False, timeout=10)
        query = parse_qs(urlparse(answer.headers["Location"]).query)
        connection.with_user(admin)._xero_check_state(query["state"][0], admin)
        tokens = oauth.exchange_code(query["code"][0], redirect_uri)
        tenants = oauth.connections(tokens.access_token, auth_event_id=tokens.auth_event_id)
        connection._xero_bind_tokens(tokens, tenants, admin)
    finally:
        requests.post(f"{sandbox_url}/_sandbox/config",
                      json={"auto_approve": config.get("auto_approve", False),
                            "auto_approve_tenants": config.get("auto_approve_tenants")}, timeout=10)
    return connection


def start_bench_sandbox(env, minute_limit, minute_window, day_limit):
    """For the benchmarks: a sandbox in this process with Xero's per-organisation limits as given (5 calls in
    flight), the connector paced the same and the current company connected to it. Returns (sandbox,
    connection); stop the sandbox with ``sandbox.stop()``."""
    from odoo.addons.xero_connector.sandbox import server as sandbox_server

    sandbox = sandbox_server.start(
        port=0, client_id="bench-client", client_secret="bench-secret",
        redirect_uris=["http://localhost:8069/xero/oauth/callback"], seed="demo",
        minute_limit=minute_limit, minute_window=minute_window, concurrency=5, day_limit=day_limit,
    )
    point_at_sandbox(env, sandbox.url, "bench-client", "bench-secret", calls_per_minute=minute_limit,
                     minute_window=minute_window, calls_per_day=day_limit)
    return sandbox, connect(env, sandbox.url, env.company)
