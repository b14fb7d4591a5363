# Run by bench/bench_export inside `odoo-bin shell` (which provides `env`). Not a test: it prints figures.
#
# Bulk export of N posted invoices of N known customers through the connector (outbox → sender →
# library → sandbox with Xero's limits on), measured: Xero calls by type and elements per call, SQL
# queries per invoice (at two batch sizes, to show they stay flat), wall time and invoices per minute
# against the limit's ceiling. Then the same number of invoices exported one request per record (what
# other connectors do), and the ratios.
# ruff: noqa: F821  (env is provided by odoo-bin shell)
import os
import resource
import sys
import time

import requests

from odoo import sql_db
from odoo.fields import Command

sys.path.insert(0, os.environ["XERO_BENCH_SCRIPTS"])
from sandbox_connect import start_bench_sandbox

COUNT = int(os.environ.get("XERO_BENCH_COUNT", "1000"))
WINDOW = float(os.environ.get("XERO_BENCH_WINDOW", "2"))
PER_RECORD = os.environ.get("XERO_BENCH_PER_RECORD", "1") == "1"
LIMIT = 60  # Xero: calls per minute window and organisation

sandbox, connection = start_bench_sandbox(env, LIMIT, WINDOW, 5000 * 10)
url = sandbox.url
company = env.company
company.write({"xero_sales_account_code": "200", "xero_tax_type": "NONE"})
tenant = connection.tenant_id
env.cr.commit()


def say(text=""):
    print(text, flush=True)


def sandbox_log():
    return requests.get(f"{url}/_sandbox/log", timeout=30).json()


def make_customers_and_invoices(count, tag):
    """`count` customers already linked to Xero contacts, each with one posted invoice."""
    started = time.time()
    contacts = requests.post(
        f"{url}/_sandbox/orgs/{tenant}/Contacts",
        json={"Contacts": [{"Name": f"Bench {tag} Customer {i:05d}"} for i in range(count)]}, timeout=120,
    ).json()["Contacts"]
    partners = env["res.partner"].with_context(xero_from_xero=True, tracking_disable=True).create([
        {"name": c["Name"], "xero_contact_id": c["ContactID"], "customer_rank": 1} for c in contacts
    ])
    product = env["product.product"].search([("default_code", "=", "BENCH")], limit=1) or env[
        "product.product"].create({"name": "Bench Beans", "default_code": "BENCH", "list_price": 12.5,
                                   "taxes_id": [Command.clear()]})
    moves = env["account.move"].with_context(tracking_disable=True).create([
        {"move_type": "out_invoice", "partner_id": p.id, "invoice_date": "2026-11-20",
         "invoice_line_ids": [Command.create({"product_id": product.id, "quantity": 2, "price_unit": 12.5,
                                              "tax_ids": [Command.clear()]})]}
        for p in partners
    ])
    moves.action_post()
    env.cr.commit()
    say(f"  prepared {count} customers + posted invoices ({tag}) in {time.time() - started:.1f} s")
    return moves


def drain():
    Job = env["xero.job"].sudo()
    while Job.search_count([("state", "in", ("pending", "retry")), ("company_id", "=", company.id)]):
        Job._xero_send(connections=connection)
        env.cr.commit()


def batched_export(moves, label):
    requests.delete(f"{url}/_sandbox/log", timeout=10)
    env["xero.job"].sudo()._xero_enqueue(moves, "invoice")
    env.cr.commit()
    queries = sql_db.sql_counter
    started = time.time()
    drain()
    elapsed = time.time() - started
    queries = sql_db.sql_counter - queries
    done = sum(1 for m in moves if m.xero_invoice_id)
    calls = [e for e in sandbox_log() if e["path"].startswith("/api.xro/2.0/")]
    return {"label": label, "count": len(moves), "done": done, "elapsed": elapsed, "queries": queries,
            "calls": calls}


def per_record_export(moves):
    requests.delete(f"{url}/_sandbox/log", timeout=10)
    Job = env["xero.job"].sudo()
    queries = sql_db.sql_counter
    started = time.time()
    for move in moves:
        job = Job._xero_enqueue(move, "invoice")
        Job._xero_send(connections=connection, jobs=job)
        env.cr.commit()
    elapsed = time.time() - started
    queries = sql_db.sql_counter - queries
    calls = [e for e in sandbox_log() if e["path"].startswith("/api.xro/2.0/")]
    return {"label": "one request per record", "count": len(moves), "done": sum(1 for m in moves if m.xero_invoice_id),
            "elapsed": elapsed, "queries": queries, "calls": calls}


def describe(run):
    calls = run["calls"]
    by_kind = {}
    for call in calls:
        key = f"{call['method']} {call['path'].rsplit('/', 1)[-1]} -> {call['status']}"
        by_kind[key] = by_kind.get(key, 0) + 1
    invoice_calls = [c for c in calls if c["path"].endswith("/Invoices") and c["method"] in ("PUT", "POST")
                     and c["status"] == 200]
    sizes = [c["elements"] or 0 for c in invoice_calls]
    per_window = run["done"] / max(run["elapsed"] / WINDOW, 1e-9)
    ceiling = LIMIT * 50
    say(f"  {run['label']}: {run['done']}/{run['count']} invoices in Xero, {run['elapsed']:.2f} s wall")
    for key, value in sorted(by_kind.items()):
        say(f"    {value:5d} × {key}")
    if sizes:
        say(f"    invoice calls: {len(invoice_calls)}; elements per call min/avg/max "
            f"{min(sizes)}/{sum(sizes) / len(sizes):.1f}/{max(sizes)}")
    say(f"    SQL queries: {run['queries']} total, {run['queries'] / max(run['count'], 1):.2f} per invoice")
    say(f"    throughput: {per_window:.0f} invoices per {WINDOW:g} s window = {100 * per_window / ceiling:.1f} % of "
        f"the ceiling ({LIMIT} calls × 50 = {ceiling} per window)"
        + ("; over 100 %: the export took less than one window, so Xero's limit never held it back"
           if per_window > ceiling else ""))
    return per_window


say(f"xero_connector export benchmark: {COUNT} invoices, Xero limits on ({LIMIT} calls per {WINDOW:g} s window, "
    f"5 concurrent, 50 elements per call)")
if WINDOW != 60:
    say(f"  (the minute window is scaled to {WINDOW:g} s so that the per-record run stays short; figures per "
        "window are what Xero's real 60 s window gives per minute)")
small = max(COUNT // 5, 50)
first = make_customers_and_invoices(small, "A")
rest = make_customers_and_invoices(COUNT - small, "B")
say("\nBatched export (the connector):")
run_small = batched_export(first, f"first {small}")
describe(run_small)
run_rest = batched_export(rest, f"next {COUNT - small}")
describe(run_rest)
total = {"label": f"all {COUNT}", "count": COUNT, "done": run_small["done"] + run_rest["done"],
         "elapsed": run_small["elapsed"] + run_rest["elapsed"], "queries": run_small["queries"] + run_rest["queries"],
         "calls": run_small["calls"] + run_rest["calls"]}
batched_rate = describe(total)
say(f"  peak memory of this Odoo process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB "
    f"(resident; after preparing {COUNT} invoices and exporting them)")
say(f"  queries per invoice: {run_small['queries'] / small:.2f} at {small}, "
    f"{run_rest['queries'] / (COUNT - small):.2f} at {COUNT - small} (flat = the batch size does not matter)")

if PER_RECORD:
    say("\nOne request per record (what other connectors do):")
    single_moves = make_customers_and_invoices(COUNT, "C")
    single = per_record_export(single_moves)
    single_rate = describe(single)
    say("\nRatios (one-per-record ÷ batched):")
    say(f"  Xero calls: {len(single['calls'])} / {len(total['calls'])} = "
        f"{len(single['calls']) / max(len(total['calls']), 1):.1f}×")
    say(f"  wall time: {single['elapsed']:.1f} s / {total['elapsed']:.1f} s = "
        f"{single['elapsed'] / max(total['elapsed'], 1e-9):.1f}×")
    say(f"  invoices per window: {batched_rate:.0f} vs {single_rate:.0f}")
sandbox.stop()
