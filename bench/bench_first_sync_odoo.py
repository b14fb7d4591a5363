# Run by bench/bench_first_sync inside `odoo-bin shell` (which provides `env`). Not a test: it prints figures.
#
# First connection of a big organisation (issue 18): a sandbox in a process of its own (its memory is not
# Odoo's) is given a big organisation at SCALE through its bench-only bulk seed (sandbox/bulk_seed.py: 1.0 =
# 50,000 contacts, 200,000 invoices / credit notes / bills over five years, 2,000 items); the company connects
# to it (the real OAuth flow: the connector reads the chart and tax rates) and the pull cron's method runs, as
# the scheduler runs it (committing each page), until every cursor is incremental. Printed: Xero calls by
# endpoint against the target, wall time measured and projected at Xero's 60-call minute, the Overview's
# progress line while it runs, ru_maxrss of this process, SQL queries per record by phase, then sales to date
# of every customer read set-wise (1,000 at a time) beside one customer at a time.
#
# MODE=full: as above. MODE=naive: Xero's default paging (page=N alone: 100 a page) for every pull, as a
# connector that never asks for pageSize does. MODE=interrupt: the run is killed (an exception the bench
# raises from inside the invoices' applier after KILL_AFTER pages: nothing of that page is committed) and
# started again; the calls of both runs are printed beside those of an uninterrupted run (RESULTS file).
# ruff: noqa: F821  (env is provided by odoo-bin shell)
import json
import os
import resource
import socket
import subprocess
import sys
import time

import requests

from odoo import sql_db

from odoo.addons.xero_connector.models.xero_connection_lists import LISTS_CURSOR

sys.path.insert(0, os.environ["XERO_BENCH_SCRIPTS"])
from sandbox_connect import connect, point_at_sandbox

SCALE = float(os.environ.get("XERO_BENCH_SCALE", "0.1"))
MODE = os.environ.get("XERO_BENCH_MODE", "full")
WINDOW = float(os.environ.get("XERO_BENCH_WINDOW", "6"))  # the sandbox's minute, scaled: 60 calls per WINDOW s
KILL_AFTER = int(os.environ.get("XERO_BENCH_KILL_AFTER", "5"))
RESULTS = os.environ["XERO_BENCH_RESULTS"]
TARGET_CALLS, TARGET_MB, LIMIT, REAL_MINUTE = 300, 400, 60, 60.0


def say(text=""):
    print(text, flush=True)


def maxrss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


class BenchKill(BaseException):
    """The bench's stand-in for a killed worker: not an Exception, so nothing in the connector catches it."""


# ------------------------------------------------------------------------------------------------------------
# The sandbox, in a process of its own
# ------------------------------------------------------------------------------------------------------------
sock = socket.socket()
sock.bind(("127.0.0.1", 0))
port = sock.getsockname()[1]
sock.close()
url = f"http://127.0.0.1:{port}"
sandbox = subprocess.Popen(
    [sys.executable, "-m", "sandbox", "--port", str(port), "--client-id", "bench-client",
     "--client-secret", "bench-secret", "--redirect-uri", "http://localhost:8069/xero/oauth/callback",
     "--minute-limit", str(LIMIT), "--minute-window", str(WINDOW), "--concurrency", "5", "--day-limit", "5000"],
    cwd=os.environ["XERO_BENCH_ROOT"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
try:
    for _attempt in range(100):
        try:
            requests.get(f"{url}/_sandbox/health", timeout=2).raise_for_status()
            break
        except requests.RequestException:
            time.sleep(0.1)
    tenant = requests.get(f"{url}/_sandbox/orgs", timeout=10).json()[0]["tenant_id"]
    started = time.time()
    seeded = requests.post(f"{url}/_sandbox/orgs/{tenant}/bulk-seed", json={"scale": SCALE}, timeout=3600).json()
    say(f"== First connection of a big organisation, scale {SCALE:g}, mode {MODE} ==")
    say(f"  sandbox seeded straight into its store in {time.time() - started:.1f} s (not timed below): "
        f"{seeded['added']}")
    say(f"  Xero's limits on in the sandbox: {LIMIT} calls per {WINDOW:g} s (Xero: per 60 s), 5 in flight, "
        "5,000 a day; the connector paced the same")

    def api_calls():
        return [e for e in requests.get(f"{url}/_sandbox/log", timeout=60).json()
                if e["path"].startswith("/api.xro/2.0/")]

    def by_endpoint(calls):
        kinds = {}
        for call in calls:
            query = "&".join(p for p in call.get("query", "").split("&")
                             if p and not p.startswith(("page=", "order=")))
            key = f"{call['method']} {call['path'].removeprefix('/api.xro/2.0')}" + (f"?{query}" if query else "")
            key += f" -> {call['status']}"
            kinds[key] = kinds.get(key, 0) + 1
        return kinds

    # --------------------------------------------------------------------------------------------------------
    # Phase figures: the cursor's pulls wrapped (the wrapper measures and calls the real method)
    # --------------------------------------------------------------------------------------------------------
    Cursor = type(env["xero.sync.cursor"])
    Event = type(env["xero.event"])
    pull_original, progress_original = Cursor._xero_pull, Event._xero_progress
    phases = []
    progress_lines = []
    pages = {"committed": 0}

    def pull_measured(self, connection, resource_name, *args, **kwargs):
        if MODE == "naive":
            kwargs["page_size"] = 100
        before_q, before_t, before_calls = sql_db.sql_counter, time.time(), len(api_calls())
        try:
            return (count := pull_original(self, connection, resource_name, *args, **kwargs))
        finally:
            where = kwargs.get("where") or ""
            phases.append((f"{resource_name} {where}".strip(), locals().get("count"), sql_db.sql_counter - before_q,
                           time.time() - before_t, len(api_calls()) - before_calls))

    def progress_watched(self, processed):
        result = progress_original(self, processed)
        if processed:
            pages["committed"] += 1
            if pages["committed"] % 10 == 1:
                conn = self.env["xero.connection"].sudo().search([("tenant_id", "=", tenant)], limit=1)
                conn.invalidate_recordset(["overview_runs"])
                if conn.overview_runs:
                    progress_lines.append(f"    [{time.time() - run_started:6.1f} s, {maxrss_mb():.0f} MB] "
                                          f"{conn.overview_runs.splitlines()[0]}")
        return result

    Cursor._xero_pull, Event._xero_progress = pull_measured, progress_watched
    invoice_apply = type(env["xero.invoice"])._xero_apply_invoices
    killed = {"pages": 0}

    def apply_then_kill(self, connection, invoices):
        killed["pages"] += 1
        if killed["pages"] > KILL_AFTER:
            raise BenchKill()
        return invoice_apply(self, connection, invoices)

    cron = env.ref("xero_connector.ir_cron_xero_pull")

    def cron_run():
        """The pull cron's method, as the scheduler runs it: its progress record, so each page is committed."""
        progress = env["ir.cron.progress"].sudo().create({"cron_id": cron.id, "remaining": 0, "done": 0})
        env.cr.commit()
        env["xero.event"].with_context(ir_cron_progress_id=progress.id, cron_id=cron.id)._cron_xero_pull()
        env.cr.commit()

    def cursors_incremental(connection):
        cursors = env["xero.sync.cursor"].sudo().search([("connection_id", "=", connection.id),
                                                         ("key", "!=", LISTS_CURSOR)])
        return cursors and all(c.last_full and c.pull_total <= c.pull_done for c in cursors)

    # --------------------------------------------------------------------------------------------------------
    # Connect, then the pull cron until every cursor is incremental
    # --------------------------------------------------------------------------------------------------------
    requests.delete(f"{url}/_sandbox/log", timeout=10)
    rss_before = maxrss_mb()
    queries_before = sql_db.sql_counter
    run_started = time.time()
    point_at_sandbox(env, url, "bench-client", "bench-secret", calls_per_minute=LIMIT, minute_window=WINDOW,
                     calls_per_day=5000)
    connection = connect(env, url, env.company, tenant_id=tenant)
    env.cr.commit()
    connect_calls = len(api_calls())
    runs = []
    if MODE == "interrupt":
        type(env["xero.invoice"])._xero_apply_invoices = apply_then_kill
        try:
            cron_run()
        except BenchKill:
            env.cr.rollback()  # the killed worker's open transaction: its last page is lost, not committed
        type(env["xero.invoice"])._xero_apply_invoices = invoice_apply
        env.invalidate_all()
        runs.append(("killed run", len(api_calls())))
        say(f"  killed inside the page after {KILL_AFTER} committed page(s) of sales invoices; started again:")
    for _run in range(20):
        cron_run()
        env.invalidate_all()
        runs.append((f"cron run {len(runs) + 1}", len(api_calls())))
        if cursors_incremental(connection):
            break
    wall = time.time() - run_started
    calls = api_calls()
    rss_after = maxrss_mb()
    total_queries = sql_db.sql_counter - queries_before
    Cursor._xero_pull, Event._xero_progress = pull_original, progress_original

    kinds = by_endpoint(calls)
    say(f"\nXero calls: {len(calls)} (target <= {TARGET_CALLS}: "
        + ("met" if len(calls) <= TARGET_CALLS else f"MISSED by {len(calls) - TARGET_CALLS}")
        + f"); {connect_calls} while connecting, then {len(runs)} run(s) of the pull cron "
        f"(calls after each: {', '.join(f'{n}' for _label, n in runs)})")
    for key, value in sorted(kinds.items(), key=lambda kv: -kv[1]):
        say(f"    {value:5d} × {key}")
    windows = max(0, (len(calls) - 1) // LIMIT)
    projected = wall + windows * (REAL_MINUTE - WINDOW)
    floor = max(wall, windows * REAL_MINUTE)
    say(f"wall time: {wall:.1f} s measured ({WINDOW:g} s minute); projected at Xero's 60 s minute: between "
        f"{floor:.0f} s and {projected:.0f} s ({floor / 60:.1f}-{projected / 60:.1f} min)  [arithmetic: at least "
        f"{windows} full minute(s) for {len(calls)} calls or the measured time; at most measured + {windows} "
        f"exhausted minute(s) x {REAL_MINUTE - WINDOW:g} s]")
    say(f"peak memory of this Odoo process (ru_maxrss): {rss_after:.0f} MB (was {rss_before:.0f} MB before; "
        f"target < {TARGET_MB} MB: " + ("met" if rss_after < TARGET_MB else f"MISSED by {rss_after - TARGET_MB:.0f} MB")
        + ")")
    say("progress on the Overview while it ran (sampled every 10 committed pages):")
    for line in progress_lines if len(progress_lines) <= 12 else progress_lines[:6] + ["    …"] + progress_lines[-5:]:
        say(line)
    say(f"SQL queries by phase (total {total_queries}, connecting and the cron's fixed cost included):")
    merged = {}
    for name, count, queries, seconds, phase_calls in phases:
        m = merged.setdefault(name, [0, 0, 0.0, 0])
        m[0] += count or 0
        m[1] += queries
        m[2] += seconds
        m[3] += phase_calls
    for name, (count, queries, seconds, phase_calls) in merged.items():
        say(f"    {name:42s} {count:7d} records {phase_calls:4d} calls {seconds:7.1f} s {queries:7d} queries"
            + (f" ({queries / count:.2f} per record)" if count else ""))

    Partner = env["res.partner"].with_context(active_test=False)
    customers = Partner.search([("xero_contact_id", "!=", False)])
    linked = env["xero.invoice"].sudo().search_count([("partner_id", "!=", False)])
    say(f"in Odoo: {len(customers)} partners linked to Xero contacts, "
        f"{env['xero.invoice'].sudo().search_count([])} Xero sales invoices ({linked} linked to a partner)")

    # Sales to date, set-wise (1,000 customers a read, as a list or an export reads them) vs one at a time
    env.invalidate_all()
    before_q, before_t = sql_db.sql_counter, time.time()
    total = 0.0
    for start in range(0, len(customers), 1000):
        batch = Partner.browse(customers.ids[start:start + 1000])
        total += sum(batch.mapped("xero_sales_to_date"))
        env.invalidate_all()
    set_q, set_t = sql_db.sql_counter - before_q, time.time() - before_t
    sample = customers.ids[:500]
    before_q, before_t = sql_db.sql_counter, time.time()
    one_total = 0.0
    for partner_id in sample:
        one_total += Partner.browse(partner_id).xero_sales_to_date
        env.invalidate_all()
    one_q, one_t = sql_db.sql_counter - before_q, time.time() - before_t
    say(f"sales to date of {len(customers)} customers: set-wise {set_q} queries ({set_q / max(1, len(customers)):.3f} "
        f"per customer), {set_t:.2f} s; one customer at a time ({len(sample)} of them): {one_q} queries "
        f"({one_q / max(1, len(sample)):.1f} per customer), {one_t:.2f} s (x{len(customers) / max(1, len(sample)):.0f} "
        f"for all: ~{one_t * len(customers) / max(1, len(sample)):.0f} s); sum {total:,.2f}")
    record = {"scale": SCALE, "mode": MODE, "calls": len(calls), "wall": wall, "projected": projected,
              "rss": rss_after, "runs": runs}
    with open(RESULTS, "a") as out:
        out.write(json.dumps(record) + "\n")
    if MODE == "interrupt":
        earlier = [json.loads(line) for line in open(RESULTS)]
        full = [r for r in earlier if r["mode"] == "full" and r["scale"] == SCALE]
        say(f"interrupted and restarted: {runs[0][1]} call(s) before the kill, {len(calls) - runs[0][1]} after it "
            f"({len(calls)} in all)" + (f"; an uninterrupted first sync at this scale: {full[-1]['calls']} calls"
                                         if full else ""))
finally:
    sandbox.terminate()
    sandbox.wait(30)
