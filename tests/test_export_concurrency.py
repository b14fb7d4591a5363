import threading
import time
from unittest.mock import patch

from odoo import SUPERUSER_ID, api, sql_db
from odoo.tests import tagged
from odoo.tools import SQL

from ..xero import Endpoints, XeroClient
from .common import XeroHttpCase

N_CONTACTS = 60


@tagged("post_install", "-at_install")
class TestConcurrentSenders(XeroHttpCase):
    """Two senders (real transactions, as two workers or machines) drain one organisation at once."""

    def test_two_senders_never_send_the_same_job_twice(self):
        tenant = self.sandbox_orgs[0]["tenant_id"]
        endpoints = Endpoints(self.sandbox.url, self.sandbox.url, self.sandbox.url)
        _oauth, tokens = self._xero_sandbox_tokens(tenant)
        db = self.env.cr.dbname
        # Committed data, in transactions of their own (the test transaction is invisible to others).
        with sql_db.db_connect(db).cursor() as cr:
            cr.execute("SELECT min(id) FROM res_company")
            company_id = cr.fetchone()[0]
            cr.execute("SELECT coalesce(max(id), 0) FROM ir_cron_trigger")
            trigger_floor = cr.fetchone()[0]
            conn_id = self._xero_commit_connection(
                cr, company_id, tenant, tokens, SQL("now() at time zone 'UTC' + interval '1 hour'"),
                tenant_name="Concurrent Org")
            env = api.Environment(cr, SUPERUSER_ID, {"xero_test_commit": True})
            company = env["res.company"].browse(company_id)
            partners = env["res.partner"].create([{"name": f"Concurrent Customer {i:02d}"} for i in range(N_CONTACTS)])
            jobs = env["xero.job"]._xero_enqueue(partners, "contact", method="POST", company=company)
            partner_ids, job_ids = partners.ids, jobs.ids
        self.addCleanup(self._cleanup, db, conn_id, partner_ids, job_ids, trigger_floor)
        self.assertEqual(len(job_ids), N_CONTACTS)
        # Each call takes a while, so that the two senders overlap.
        self.sandbox_post("/_sandbox/faults", {"kind": "latency", "tenant": tenant, "path": "/api.xro/2.0/Contacts",
                                               "method": "POST", "seconds": 0.4, "count": 10})

        def client(conn):
            return XeroClient(endpoints, conn.tenant_id, tokens.access_token)

        errors, rounds = [], {0: 0, 1: 0}
        barrier = threading.Barrier(2)

        def worker(i):
            try:
                barrier.wait(timeout=10)
                deadline = time.monotonic() + 30
                while time.monotonic() < deadline:
                    with sql_db.db_connect(db).cursor() as wcr:
                        wenv = api.Environment(wcr, SUPERUSER_ID, {"xero_test_commit": True})
                        wenv["xero.job"]._xero_send()
                        rounds[i] += 1
                        wcr.execute("SELECT count(*) FROM xero_job WHERE id IN %s AND state != 'done'",
                                    [tuple(job_ids)])
                        if not wcr.fetchone()[0]:
                            return
                    time.sleep(0.1)
            except Exception as exc:  # reported by the test
                errors.append(exc)

        with patch.object(type(self.env["xero.connection"]), "_xero_client", client):
            threads = [threading.Thread(target=worker, args=(i,)) for i in range(2)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=60)
        self.assertFalse(errors, errors)
        with sql_db.db_connect(db).cursor() as cr:
            cr.execute("SELECT state, attempts, count(*) FROM xero_job WHERE id IN %s GROUP BY state, attempts",
                       [tuple(job_ids)])
            self.assertEqual(cr.fetchall(), [("done", 1, N_CONTACTS)], "every job sent once, all done")
        log = self.sandbox_get("/_sandbox/log", tenant=tenant)
        writes = [e for e in log if e["method"] in ("POST", "PUT") and e["path"].endswith("/Contacts")]
        self.assertEqual(sum(e["elements"] for e in writes), N_CONTACTS, "no element sent twice")
        self.assertEqual([e["elements"] for e in writes], [50, 10])
        names = [c["Name"] for c in self.sandbox_get(f"/_sandbox/orgs/{tenant}/Contacts")["Contacts"]
                 if c["Name"].startswith("Concurrent Customer")]
        self.assertEqual(len(names), N_CONTACTS)
        self.assertEqual(len(set(names)), N_CONTACTS)

    @staticmethod
    def _cleanup(db, conn_id, partner_ids, job_ids, trigger_floor):
        statements = [
            ("DELETE FROM xero_job WHERE id IN %s OR connection_id = %s", [tuple(job_ids or [0]), conn_id]),
            ("DELETE FROM mail_message WHERE model = 'res.partner' AND res_id IN %s", [tuple(partner_ids or [0])]),
            ("DELETE FROM mail_followers WHERE res_model = 'res.partner' AND res_id IN %s",
             [tuple(partner_ids or [0])]),
            ("DELETE FROM ir_cron_trigger WHERE id > %s", [trigger_floor]),
        ]
        with sql_db.db_connect(db).cursor() as cr:
            for table in ("xero_contact", "xero_sync_cursor", "xero_invoice"):
                cr.execute("SELECT 1 FROM information_schema.columns WHERE table_name = %s AND column_name = %s",
                           [table, "connection_id"])
                if cr.fetchone():
                    statements.append(SQL("DELETE FROM %s WHERE connection_id = %s", SQL.identifier(table), conn_id))
            statements += [
                ("DELETE FROM res_partner WHERE id IN %s", [tuple(partner_ids or [0])]),
                ("DELETE FROM xero_connection WHERE id = %s", [conn_id]),
            ]
            for statement in statements:
                cr.execute(*statement) if isinstance(statement, tuple) else cr.execute(statement)


@tagged("post_install", "-at_install")
class TestRateStateConcurrency(XeroHttpCase):
    """The pacing state is updated by every cron thread and HTTP worker at once, in transactions of its own."""

    def test_update_waits_for_a_concurrent_update_instead_of_failing_to_serialize(self):
        db = self.env.cr.dbname
        tenant = f"rate-state-test-{time.monotonic_ns()}"
        store = self.env["xero.rate.state"]._xero_store()
        registry = type("RealCursors", (), {"cursor": staticmethod(lambda: sql_db.db_connect(db).cursor())})()
        store.registry = registry  # real transactions: the test cursor would hide the race
        self.addCleanup(self._drop, db, tenant)
        store.update(tenant, lambda state: state.update(calls=0))
        errors, holder_locked, release = [], threading.Event(), threading.Event()

        def holder():
            # Another worker: locks the row, bumps the count, and commits after the update below has begun.
            try:
                with sql_db.db_connect(db).cursor() as cr:
                    cr.execute("SELECT state FROM xero_rate_state WHERE tenant_id = %s FOR UPDATE", [tenant])
                    cr.execute("UPDATE xero_rate_state SET state = jsonb_set(state, '{calls}', "
                               "to_jsonb((state->>'calls')::int + 1)) WHERE tenant_id = %s", [tenant])
                    holder_locked.set()
                    release.wait(timeout=10)
            except Exception as exc:  # reported by the test
                errors.append(exc)

        def bump(state):
            state["calls"] = state.get("calls", 0) + 1
            return state["calls"]

        thread = threading.Thread(target=holder)
        thread.start()
        self.assertTrue(holder_locked.wait(timeout=10))
        # The update starts its transaction (and, under a snapshot, would take its snapshot) while the row is held.
        timer = threading.Timer(0.5, release.set)
        timer.start()
        try:
            result = store.update(tenant, bump)
        finally:
            release.set()
            thread.join(timeout=10)
            timer.cancel()
        self.assertFalse(errors, errors)
        self.assertEqual(result, 2, "the update read the row as the concurrent worker committed it")
        with sql_db.db_connect(db).cursor() as cr:
            cr.execute("SELECT state->>'calls' FROM xero_rate_state WHERE tenant_id = %s", [tenant])
            self.assertEqual(cr.fetchone()[0], "2", "both updates kept, none lost")

    @staticmethod
    def _drop(db, tenant):
        with sql_db.db_connect(db).cursor() as cr:
            cr.execute("DELETE FROM xero_rate_state WHERE tenant_id = %s", [tenant])
