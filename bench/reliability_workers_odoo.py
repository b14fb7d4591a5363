# Run by bench/reliability_workers inside `odoo-bin shell` (which provides `env`), once per phase.
#
#   XERO_W_PHASE=setup   point the database at the standalone sandbox (XERO_W_URL), connect the company
#                        through OAuth, create XERO_W_COUNT partners and their contact jobs, expire the
#                        stored access token, commit.
#   XERO_W_PHASE=more    XERO_W_COUNT more partners + contact jobs (for the worker that gets killed).
#   XERO_W_PHASE=worker  one sender process: waits for XERO_W_GO (a file) to exist, then loops
#                        access token → _xero_send(limit=50) → commit until no job is open.
#   XERO_W_PHASE=check   the verdict: jobs, contacts in the sandbox, grant and refresh token; prints
#                        `reliability-workers: N passed, M failed` and exits 1 when a check failed.
# ruff: noqa: F821  (env is provided by odoo-bin shell)
import os
import sys
import time

import requests

PHASE = os.environ["XERO_W_PHASE"]
URL = os.environ["XERO_W_URL"]
NAME = os.environ.get("XERO_W_NAME", PHASE)
OPEN = ("pending", "sending", "retry")


def say(text):
    print(f"[{NAME} {time.strftime('%H:%M:%S')}] {text}", flush=True)


company = env.company
Job = env["xero.job"].sudo()
Partner = env["res.partner"].with_context(tracking_disable=True)


def create_jobs(count, tag):
    partners = Partner.create([
        {"name": f"Worker {tag} Customer {i:04d}", "customer_rank": 1, "email": f"w{tag.lower()}{i}@example.com"}
        for i in range(count)
    ])
    jobs = Job._xero_enqueue(partners, "contact", method="POST", company=company)
    return partners, jobs


if PHASE == "setup":
    sys.path.insert(0, os.environ["XERO_W_SCRIPTS"])
    from sandbox_connect import connect

    icp = env["ir.config_parameter"].sudo()
    for key, value in {
        "web.base.url": "http://localhost:8069",
        "xero_connector.client_id": "w-client", "xero_connector.client_secret": "w-secret",
        "xero_connector.login_url": URL, "xero_connector.identity_url": URL, "xero_connector.api_url": URL,
    }.items():
        icp.set_param(key, value)
    connection = connect(env, URL, company)
    env.cr.commit()
    partners, jobs = create_jobs(int(os.environ.get("XERO_W_COUNT", "400")), "A")
    env.flush_all()
    env.cr.execute("UPDATE xero_connection_token SET token_expires_at = '2000-01-01' WHERE connection_id = %s",
                   [connection.id])
    env.cr.commit()
    say(f"connected {connection.tenant_name} ({connection.tenant_id}); {len(partners)} partners, "
        f"{len(jobs)} contact jobs queued; access token expired")

elif PHASE == "more":
    partners, jobs = create_jobs(int(os.environ.get("XERO_W_COUNT", "50")), "B")
    env.cr.commit()
    say(f"{len(partners)} more partners, {len(jobs)} contact jobs queued")

elif PHASE == "worker":
    connection = env["xero.connection"].sudo()._xero_for_company(company)
    go = os.environ.get("XERO_W_GO")
    ready = os.environ.get("XERO_W_READY")
    if ready:
        open(ready, "w").close()
    if go:
        deadline = time.time() + 120
        while not os.path.exists(go) and time.time() < deadline:
            time.sleep(0.02)
    env.cr.rollback()  # a fresh transaction: sees the state at GO time
    env.invalidate_all()
    started = time.time()
    max_seconds = float(os.environ.get("XERO_W_MAX_SECONDS", "300"))
    finished_total, rounds, errors = 0, 0, 0
    first_token = None
    while True:
        rounds += 1
        try:
            token = connection._xero_access_token()
            if first_token is None:
                first_token = token
                say(f"first access token …{token[-8:]} after {time.time() - started:.2f} s")
            finished = Job._xero_send(connections=connection, limit=50)
            env.cr.commit()
        except Exception as exc:  # reported, the loop goes on (a worker must survive a bad round)
            errors += 1
            env.cr.rollback()
            say(f"ERROR round {rounds}: {type(exc).__name__}: {exc}")
            if errors >= 5:
                break
            finished = 0
        env.invalidate_all()
        finished_total += finished
        left = Job.search_count([("company_id", "=", company.id), ("state", "in", OPEN)])
        env.cr.rollback()
        if not left:
            break
        if time.time() - started > max_seconds:
            say(f"ERROR gave up after {max_seconds:.0f} s with {left} open job(s)")
            errors += 1
            break
        if not finished:
            time.sleep(0.2)  # another worker holds the organisation's lock, or jobs wait for a retry time
    say(f"done: {finished_total} job(s) finished by this worker in {rounds} round(s), "
        f"{time.time() - started:.1f} s, connection {connection.state}, errors {errors}")
    if errors:
        sys.exit(1)

elif PHASE == "check":
    connection = env["xero.connection"].sudo()._xero_for_company(company)
    results = []

    def check(label, ok, detail=""):
        results.append(ok)
        print(f"  {'PASS' if ok else 'FAIL'}  {label}" + (f" ({detail})" if detail else ""), flush=True)

    expected = int(os.environ.get("XERO_W_EXPECTED", "450"))
    partners = Partner.search([("name", "=like", "Worker % Customer %")])
    jobs = Job.search([("res_model", "=", "res.partner"), ("res_id", "in", partners.ids), ("operation", "=", "contact")])
    states = {}
    for job in jobs:
        states[job.state] = states.get(job.state, 0) + 1
    check(f"every contact job done ({expected} partners)",
          len(partners) == expected and len(jobs) == expected and states == {"done": expected},
          f"{len(partners)} partners, {len(jobs)} jobs, states {states}")
    recovered = jobs.filtered(lambda j: j.attempts > 1 or "Interrupted" in (j.error or ""))
    print(f"  info: {len(recovered)} job(s) needed more than one attempt", flush=True)

    worker_errors = os.environ.get("XERO_W_WORKER_ERRORS", "")
    check("the surviving workers ended without error", not worker_errors.strip(), worker_errors.strip())

    prefix = Partner._xero_contact_number_prefix()
    contacts = requests.get(f"{URL}/_sandbox/orgs/{connection.tenant_id}/Contacts", timeout=60).json()
    if isinstance(contacts, dict):
        contacts = contacts.get("Contacts", [])
    ours = [c for c in contacts if (c.get("ContactNumber") or "").startswith(prefix)]
    numbers = {c["ContactNumber"] for c in ours}
    names = {c.get("Name") for c in ours}
    check(f"sandbox holds {expected} contacts created by the connector", len(ours) == expected,
          f"{len(ours)} found")
    check("no duplicate: distinct ContactNumber (and Name) per contact",
          len(numbers) == len(ours) and len(names) == len(ours),
          f"{len(numbers)} numbers, {len(names)} names for {len(ours)} contacts")
    wanted = {p._xero_contact_number() for p in partners}
    by_number = {c["ContactNumber"]: c["ContactID"] for c in ours}
    linked = sum(1 for p in partners if p.xero_contact_id and by_number.get(p._xero_contact_number()) == p.xero_contact_id)
    check("every partner is linked to the Xero contact of its number", numbers == wanted and linked == expected,
          f"{linked} linked, {len(wanted - numbers)} numbers missing in Xero, {len(numbers - wanted)} unknown")

    env.cr.execute("SELECT refresh_token FROM xero_connection_token WHERE connection_id = %s", [connection.id])
    stored = env.cr.fetchone()[0] or ""
    grants = requests.get(f"{URL}/_sandbox/grants", timeout=10).json()
    live = [g for g in grants if not g["revoked"]]
    check("one live grant with exactly one live refresh token",
          len(live) == 1 and len(live[0]["live_refresh_tokens"]) == 1,
          f"{len(live)} live grant(s), live refresh tokens {[g['live_refresh_tokens'] for g in live]}")
    check("the stored refresh token is that live one",
          len(live) == 1 and len(live[0]["live_refresh_tokens"]) == 1
          and live[0]["live_refresh_tokens"][0].startswith(stored[:8]),
          f"stored {stored[:8]}…")
    check("connection still connected (no invalid_grant seen by a worker)", connection.state == "connected",
          connection.state)
    try:
        tokens = connection._xero_oauth().refresh(stored)
        ok, detail = bool(tokens.access_token), "refreshed"
        # keep the database usable: store the rotated set
        env.cr.execute("UPDATE xero_connection_token SET access_token = %s, refresh_token = %s WHERE connection_id = %s",
                       [tokens.access_token, tokens.refresh_token or stored, connection.id])
        env.cr.commit()
    except Exception as exc:
        ok, detail = False, f"{type(exc).__name__}: {exc}"
    check("a final refresh with the stored refresh token succeeds (no invalid_grant)", ok, detail)
    failed = results.count(False)
    print(f"reliability-workers: {len(results) - failed} passed, {failed} failed", flush=True)
    if failed:
        sys.exit(1)
else:
    raise SystemExit(f"unknown phase {PHASE}")
