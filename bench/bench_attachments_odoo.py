# Run by bench/bench_attachments inside `odoo-bin shell` (which provides `env`). Not a test: it prints figures.
#
# N posted invoices of N known customers exported with "Attach PDFs in Xero" on (outbox → sender → library →
# sandbox with Xero's limits on): the documents go first, batched (≤ 21 calls for 1,000), then one attachment call
# per file at the lower priority, paced to the limit. Printed: the calls by type, the time to the last document and
# to the last attachment, both also projected at Xero's real 60-second minute, and the PDF rendering time per
# invoice (Odoo's invoice report through wkhtmltopdf, measured on a sample; the exported invoices carry the PDF Odoo
# kept when they were sent, ``invoice_pdf_report_id``, as invoices sent from Odoo do, so that the pacing is measured
# apart from the rendering).
# ruff: noqa: F821  (env is provided by odoo-bin shell)
import os
import sys
import time
from datetime import datetime

import requests

from odoo.fields import Command

sys.path.insert(0, os.environ["XERO_BENCH_SCRIPTS"])
from sandbox_connect import start_bench_sandbox

COUNT = int(os.environ.get("XERO_BENCH_COUNT", "1000"))
WINDOW = float(os.environ.get("XERO_BENCH_WINDOW", "2"))
SAMPLE = int(os.environ.get("XERO_BENCH_RENDER_SAMPLE", "10"))
LIMIT = 60  # Xero: calls per minute window and organisation

company = env.company
company.write({"xero_sales_account_code": "200", "xero_tax_type": "NONE", "xero_attach_files": True,
               "xero_attach_online": True})
sandbox, connection = start_bench_sandbox(env, LIMIT, WINDOW, 5000 * 10)
url = sandbox.url
tenant = connection.tenant_id
env.cr.commit()


def say(text=""):
    print(text, flush=True)


say(f"xero_connector attachments benchmark: {COUNT} invoices with their PDFs, Xero limits on ({LIMIT} calls per "
    f"{WINDOW:g} s window, 5 concurrent); scope granted: {'accounting.attachments' in connection.scopes.split()}")
started = time.time()
contacts = requests.post(f"{url}/_sandbox/orgs/{tenant}/Contacts", timeout=300, json={
    "Contacts": [{"Name": f"Bench Files Customer {i:05d}"} for i in range(COUNT)]}).json()["Contacts"]
partners = env["res.partner"].with_context(xero_from_xero=True, tracking_disable=True).create([
    {"name": c["Name"], "xero_contact_id": c["ContactID"], "customer_rank": 1} for c in contacts])
product = env["product.product"].create({"name": "Bench Beans", "default_code": "BENCHF", "list_price": 12.5,
                                         "taxes_id": [Command.clear()]})
moves = env["account.move"].with_context(tracking_disable=True).create([
    {"move_type": "out_invoice", "partner_id": p.id, "invoice_date": "2026-11-20",
     "invoice_line_ids": [Command.create({"product_id": product.id, "quantity": 2, "price_unit": 12.5,
                                          "tax_ids": [Command.clear()]})]} for p in partners])
moves.action_post()
env.cr.commit()
say(f"  prepared {COUNT} customers + posted invoices in {time.time() - started:.1f} s")

# PDF rendering, per invoice (Odoo's report through wkhtmltopdf), on a sample.
Report = env["ir.actions.report"].sudo()
sample = moves[:SAMPLE]
try:
    started = time.time()
    for move in sample:
        pdf, kind = Report._render_qweb_pdf("account.account_invoices", move.ids)
    per_invoice = (time.time() - started) / max(len(sample), 1)
    say(f"  PDF rendering: {per_invoice:.2f} s per invoice ({kind}, {len(pdf)} bytes; sample of {len(sample)}); "
        f"{per_invoice * COUNT / 60:.1f} min of rendering for {COUNT} in the sender")
except Exception as exc:  # no PDF engine: say so, and measure the pacing all the same
    pdf = b"%PDF-1.4 bench\n%%EOF"
    say(f"  PDF rendering: not measured ({exc})")
# The PDF Odoo keeps once an invoice is sent (one per invoice, as "Send" leaves it).
env["ir.attachment"].create([
    {"name": f"{m.name.replace('/', '_')}.pdf", "res_model": "account.move", "res_id": m.id, "raw": pdf,
     "mimetype": "application/pdf", "res_field": "invoice_pdf_report_file"} for m in moves])
moves.invalidate_recordset(["invoice_pdf_report_id"])
env.cr.commit()

requests.delete(f"{url}/_sandbox/log", timeout=10)
Job = env["xero.job"].sudo()
Job._xero_enqueue(moves, "invoice")
env.cr.commit()
started = time.time()
while Job.search_count([("state", "in", ("pending", "retry")), ("company_id", "=", company.id)]):
    Job._xero_send(connections=connection)
    env.cr.commit()
elapsed = time.time() - started
log = [e for e in requests.get(f"{url}/_sandbox/log", timeout=60).json() if e["path"].startswith("/api.xro/2.0/")]
t0 = None
last_doc = last_att = None
kinds = {}
for entry in log:
    moment = datetime.fromisoformat(entry["time"].replace("Z", "+00:00")).timestamp()
    t0 = moment if t0 is None else t0
    attachment = "/Attachments/" in entry["path"]
    key = f"{entry['method']} {'…/Attachments/<file>' if attachment else entry['path'].rsplit('/', 1)[-1]} -> " \
          f"{entry['status']}"
    kinds[key] = kinds.get(key, 0) + 1
    if entry["method"] == "PUT" and entry["status"] == 200:
        if attachment:
            last_att = moment
        elif entry["path"].endswith("/Invoices"):
            last_doc = moment
for key, value in sorted(kinds.items()):
    say(f"    {value:5d} × {key}")
jobs = Job.search([("operation", "=", "attachment"), ("company_id", "=", company.id)])
states = {s: len(jobs.filtered(lambda j, s=s: j.state == s)) for s in set(jobs.mapped("state"))}
say(f"  {sum(1 for m in moves if m.xero_invoice_id)}/{COUNT} invoices in Xero; attachment jobs: {states}")
invoice_calls = kinds.get("PUT Invoices -> 200", 0)
say(f"  invoice calls: {invoice_calls} (≤ 21 expected); attachment calls: "
    f"{sum(v for k, v in kinds.items() if 'Attachments' in k)} (one per file)")


def projected(calls, measured):
    """At Xero's real minute: the calls before this one fill whole 60-second windows (the pacing waits for each to
    end), or what the work itself took here when that is longer (a scaled window never holds back the compute)."""
    return max(measured, ((calls - 1) // LIMIT) * 60.0)


if last_doc is not None and last_att is not None:
    calls_to_doc = sum(1 for e in log if datetime.fromisoformat(e["time"].replace("Z", "+00:00")).timestamp() <= last_doc)
    say(f"  time to the last document: {last_doc - t0:.1f} s here (call {calls_to_doc}); at Xero's 60-second minute "
        f"(projected) {projected(calls_to_doc, last_doc - t0) / 60:.1f} min")
    say(f"  time to the last attachment: {last_att - t0:.1f} s here (call {len(log)}); at Xero's 60-second minute "
        f"(projected: {LIMIT} calls a minute) {projected(len(log), last_att - t0) / 60:.1f} min")
say(f"  wall time of the drain: {elapsed:.1f} s")
sandbox.stop()
