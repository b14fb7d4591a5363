# Run by bench/bench_bills inside `odoo-bin shell` (which provides `env`). Not a test: it prints figures.
#
# N posted vendor bills of N/10 suppliers (each already a Xero contact) exported through the connector (outbox →
# sender → library → sandbox with Xero's limits on): Xero calls by type and elements per call, SQL queries per
# bill; then N sales invoices of N/10 customers the same way, for the figures side by side.
# ruff: noqa: F821  (env is provided by odoo-bin shell)
import os
import sys
import time

import requests

from odoo import sql_db
from odoo.fields import Command

sys.path.insert(0, os.environ["XERO_BENCH_SCRIPTS"])
from sandbox_connect import start_bench_sandbox

COUNT = int(os.environ.get("XERO_BENCH_COUNT", "1000"))
WINDOW = float(os.environ.get("XERO_BENCH_WINDOW", "2"))
PARTNERS = max(COUNT // 10, 1)
LIMIT = 60  # Xero: calls per minute window and organisation

sandbox, connection = start_bench_sandbox(env, LIMIT, WINDOW, 5000 * 10)
url = sandbox.url
company = env.company
company.write({"xero_sales_account_code": "200", "xero_tax_type": "NONE", "xero_purchase_account_code": "429",
               "xero_purchase_tax_type": "NONE"})
tenant = connection.tenant_id
env.cr.commit()


def say(text=""):
    print(text, flush=True)


def make_moves(move_type, tag):
    """COUNT posted moves of ``move_type`` spread over PARTNERS partners already linked to Xero contacts."""
    started = time.time()
    contacts = requests.post(
        f"{url}/_sandbox/orgs/{tenant}/Contacts",
        json={"Contacts": [{"Name": f"Bench {tag} {i:04d}"} for i in range(PARTNERS)]}, timeout=120,
    ).json()["Contacts"]
    rank = "supplier_rank" if move_type == "in_invoice" else "customer_rank"
    partners = env["res.partner"].with_context(xero_from_xero=True, tracking_disable=True).create([
        {"name": c["Name"], "xero_contact_id": c["ContactID"], rank: 1} for c in contacts])
    product = env["product.product"].search([("default_code", "=", "BENCH")], limit=1) or env[
        "product.product"].create({"name": "Bench Beans", "default_code": "BENCH", "list_price": 12.5,
                                   "taxes_id": [Command.clear()], "supplier_taxes_id": [Command.clear()]})
    moves = env["account.move"].with_context(tracking_disable=True).create([
        {"move_type": move_type, "partner_id": partners[i % PARTNERS].id, "invoice_date": "2026-11-20",
         "ref": f"SUP-{i:05d}" if move_type == "in_invoice" else False,
         "invoice_line_ids": [Command.create({"product_id": product.id, "quantity": 2, "price_unit": 12.5,
                                              "tax_ids": [Command.clear()]})]}
        for i in range(COUNT)])
    moves.action_post()
    env.cr.commit()
    say(f"  prepared {COUNT} {tag} of {PARTNERS} partners in {time.time() - started:.1f} s")
    return moves


def export(moves, operation):
    requests.delete(f"{url}/_sandbox/log", timeout=10)
    Job = env["xero.job"].sudo()
    Job._xero_enqueue(moves, operation)
    env.cr.commit()
    queries = sql_db.sql_counter
    started = time.time()
    while Job.search_count([("state", "in", ("pending", "retry")), ("company_id", "=", company.id)]):
        Job._xero_send(connections=connection)
        env.cr.commit()
    elapsed = time.time() - started
    queries = sql_db.sql_counter - queries
    calls = [e for e in requests.get(f"{url}/_sandbox/log", timeout=30).json()
             if e["path"].startswith("/api.xro/2.0/")]
    writes = [c for c in calls if c["path"].endswith("/Invoices") and c["method"] in ("PUT", "POST")]
    done = sum(1 for m in moves if m.xero_invoice_id)
    sizes = [c["elements"] or 0 for c in writes]
    say(f"  {operation}: {done}/{len(moves)} in Xero in {elapsed:.2f} s; {len(writes)} Invoices calls "
        f"(elements per call min/avg/max {min(sizes or [0])}/{sum(sizes) / max(len(sizes), 1):.1f}/{max(sizes or [0])}), "
        f"{len(calls)} Xero calls in all; {queries / max(len(moves), 1):.2f} SQL queries per document")
    return len(writes), queries / max(len(moves), 1)


say(f"xero_connector vendor bills benchmark: {COUNT} bills of {PARTNERS} suppliers, Xero limits on ({LIMIT} calls "
    f"per {WINDOW:g} s window, 50 elements per call)")
bills = make_moves("in_invoice", "bills")
bill_calls, bill_queries = export(bills, "bill")
invoices = make_moves("out_invoice", "invoices")
invoice_calls, invoice_queries = export(invoices, "invoice")
say(f"\nbills: {bill_calls} calls (target <= 21), {bill_queries:.2f} SQL queries per bill; "
    f"sales invoices: {invoice_calls} calls, {invoice_queries:.2f} per invoice")
sandbox.stop()
