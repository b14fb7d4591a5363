"""Xero → Overview: each card's figure checked against what the Sync Log and the sandbox's request log hold, its
links open exactly what it counts, and the figures of many cards cost the queries of one."""
import json
from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from .export_case import XeroExportCase


@tagged("post_install", "-at_install")
class TestOverview(XeroExportCase):
    def test_each_figure_is_what_the_sync_log_and_xero_hold(self):
        Job, conn = self.Job, self.connection
        sent = self.env["account.move"]
        for price in (100.0, 120.0, 140.0):
            sent |= self.invoice(price=price)
        sent.with_user(self.xero_user).action_xero_export()
        self.send()
        self.assertTrue(all(sent.mapped("xero_invoice_id")))
        # blocked: a tax mapped to a type the organisation does not have
        odd_tax = self.env["account.tax"].create({"name": "Odd 5%", "amount": 5.0, "type_tax_use": "sale",
                                                  "xero_tax_type": "NOSUCHTYPE"})
        blocked = self.invoice(post=False)
        blocked.invoice_line_ids.tax_ids = odd_tax
        blocked.action_post()
        blocked.with_user(self.xero_user).action_xero_export()
        # retrying: Xero answers 503 to this one
        retried = self.invoice(price=77.0)
        self.fault(kind="503", method="PUT", path="/api.xro/2.0/Invoices", count=10)
        retried_job = Job._xero_enqueue(retried, "invoice")
        self.send(jobs=retried_job)
        self.assertEqual(retried_job.state, "retry")
        # pending: queued, not sent yet
        pending = self.invoice(price=10.0) | self.invoice(price=11.0)
        Job._xero_enqueue(pending, "invoice")
        # events waiting
        self.env["xero.event"].sudo().create([{
            "connection_id": conn.id, "tenant_id": self.org, "category": "INVOICE", "event_type": "UPDATE",
            "resource_id": f"0000000{i}-0000-0000-0000-000000000000", "event_date": fields.Datetime.now()}
            for i in range(3)])
        self.env["xero.payment.event"].sudo().create([{
            "provider": "stripe", "event_id": f"evt_overview_{i}", "company_id": self.company.id,
            "event_type": "charge.succeeded", "state": state} for i, state in enumerate(("pending", "done", "ignored"))])

        conn.invalidate_recordset()
        company = [("company_id", "=", self.company.id)]
        since = fields.Datetime.now() - timedelta(hours=24)
        expected = {
            "overview_pending": Job.search_count(company + [("state", "in", ("pending", "sending"))]),
            "overview_retrying": Job.search_count(company + [("state", "=", "retry")]),
            "overview_blocked": Job.search_count(company + [("state", "=", "blocked")]),
            "overview_sent_24h": Job.search_count(company + [("state", "=", "done"), ("done_on", ">=", since)]),
            "overview_failed_24h": Job.search_count(company + [("state", "in", ("retry", "blocked")),
                                                               ("write_date", ">=", since)]),
            "overview_webhooks_waiting": 3,
            "overview_payments_waiting": 1,
        }
        self.assertEqual(expected["overview_pending"], 2)
        self.assertEqual((expected["overview_retrying"], expected["overview_blocked"]), (1, 1))
        self.assertGreaterEqual(expected["overview_sent_24h"], 4, "3 invoices and their customer")
        self.assertEqual({name: conn[name] for name in expected}, expected)
        rate = 100.0 * expected["overview_sent_24h"] / (expected["overview_sent_24h"] + expected["overview_failed_24h"])
        self.assertAlmostEqual(conn.overview_success_rate, rate, places=1)
        # The payment events' backlog: from the oldest event waiting, how many are processed.
        self.assertIn("Recording Stripe and GoCardless payments in Xero: 2 of 3 events processed.", conn.overview_runs)
        # Today's API budget, from Xero's headers: every call the sandbox logged for this organisation.
        self.assertEqual(conn.overview_calls_today, len(self.calls()))
        self.assertEqual(conn.overview_day_limit, 5000)
        # The graph's bar for today: the documents sent (not their customers).
        graph = json.loads(conn.overview_graph)[0]["values"]
        self.assertEqual(len(graph), 14)
        self.assertEqual(graph[-1]["value"], len(sent))
        self.assertEqual(sum(bar["value"] for bar in graph[:-1]), 0)
        # Each link opens exactly what its figure counts.
        for link, figure in (("pending", "overview_pending"), ("retry", "overview_retrying"),
                             ("blocked", "overview_blocked"), ("sent", "overview_sent_24h")):
            action = conn.with_user(self.xero_user).with_context(xero_overview=link).action_xero_overview_open()
            self.assertEqual(self.env["xero.job"].with_user(self.xero_user).search_count(action["domain"]), conn[figure],
                             link)
        self.assertIn(blocked.name, self.env["xero.job"].search(
            conn.with_context(xero_overview="blocked").action_xero_overview_open()["domain"]).record_name)

    def test_many_cards_cost_the_queries_of_one(self):
        Connection = self.env["xero.connection"].sudo()
        self.invoice().with_user(self.xero_user).action_xero_export()
        others = Connection
        for i in range(3):
            company = self.env["res.company"].create({"name": f"Overview Co {i}"})
            others |= Connection.create({"company_id": company.id})

        def queries(connections):
            connections.invalidate_recordset()
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            for conn in connections:
                conn.overview_graph  # noqa: B018 (read: computes every figure of every card at once)
            return self.env.cr.sql_log_count - before

        queries(self.connection)  # warms Odoo's caches (the system parameters of the daily limit)
        one = queries(self.connection)
        self.assertLessEqual(one, 14)
        self.assertEqual(queries(self.connection | others), one)

    def test_a_figure_the_overview_does_not_have_is_refused(self):
        with self.assertRaisesRegex(Exception, "not one of the Overview's figures"):
            self.connection.with_user(self.xero_user).with_context(xero_overview="everything").action_xero_overview_open()

    def test_the_days_budget_reserve_and_deferred_work_are_shown(self):
        """A Starter organisation (1,000 calls a day, learned from X-DayLimit-Remaining) nearly spent: the card
        shows the learned limit, the calls kept for documents and the look-ups deferred to the next day."""
        conn = self.connection
        now = fields.Datetime.now().timestamp()
        self.env["xero.rate.state"].sudo().search([("tenant_id", "=", conn.tenant_id)]).unlink()
        self.env["xero.rate.state"].sudo().create({"tenant_id": conn.tenant_id, "state": {
            "day_start": now - 3600, "day_count": 990, "day_limit": 1000, "remaining": {"day": 10},
            "remaining_at": now}})
        self.Job._xero_enqueue(self.invoice(price=10.0) | self.invoice(price=11.0), "invoice")
        self.Job._xero_enqueue(self.invoice(price=12.0), "attachment")  # a file: spends as pulls do, one call
        self.env["xero.event"].sudo().create([{
            "connection_id": conn.id, "tenant_id": self.org, "category": "INVOICE", "event_type": "UPDATE",
            "resource_id": f"0000000{i}-0000-0000-0000-000000000000", "event_date": fields.Datetime.now()}
            for i in range(3)])
        conn.invalidate_recordset()
        self.assertEqual(conn.overview_day_limit, 1000)
        self.assertEqual(conn.overview_calls_today, 990)
        self.assertIn("10 of 1000 calls left, 10 kept for documents", conn.overview_runs)
        self.assertIn("3 calls of look-ups and webhook fetches", conn.overview_runs)
        self.assertIn("1 calls of pulls and attachments", conn.overview_runs, "the file waits, not the invoices")
