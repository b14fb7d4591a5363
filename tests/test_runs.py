"""Progress on long work: a bulk export tells the user who started it how far it is after each batch of the
sender, with the time left at Xero's pace, and says when it is finished; the Overview shows it meanwhile; a day
limit reached says when sending resumes."""
import json
import time

from odoo.tests import tagged

from ..models.xero_run import XeroRun
from .export_case import XeroExportCase


@tagged("post_install", "-at_install")
class TestRuns(XeroExportCase):
    def notifications(self, user):
        """The browser notifications sent to ``user`` in this transaction (Odoo's bus, before its commit)."""
        values = self.env.cr.precommit.data.get("bus.bus.values") or []
        partner = user.partner_id
        found = []
        for value in values:
            channel, message = json.loads(value["channel"]), json.loads(value["message"])
            if message["type"] == "simple_notification" and channel[1:] == ["res.partner", partner.id]:
                found.append(message["payload"])
        return found

    def test_a_bulk_export_shows_its_progress_to_who_started_it(self):
        moves = self.env["account.move"]
        for i in range(60):
            moves |= self.invoice(price=10.0 + i, post=False)
        moves.action_post()
        action = moves.with_user(self.xero_user).action_xero_export()
        self.assertIn("progress", action["params"]["message"])
        run = self.env["xero.run"].search([])
        self.assertEqual((len(run), run.total, run.user_id, run.state), (1, 60, self.xero_user, "running"))
        self.assertEqual(set(self.jobs_of(moves, "invoice").run_id), set(run))
        self.assertIn("0 of 60 in Xero, about 1 min left at Xero's pace", run.message)
        self.assertIn(run.message, self.connection.overview_runs)
        self.send()
        self.assertEqual(run.state, "done")
        self.assertTrue(run.finished_on)
        self.assertEqual((run.done_count, run.progress), (60, 100.0))
        sent = self.notifications(self.xero_user)
        self.assertGreaterEqual(len(sent), 2, "one a batch: 50, then 10")
        self.assertTrue(any("50 of 60 in Xero" in n["message"] for n in sent), sent)
        self.assertEqual(sent[-1]["message"], "Export to Xero: 60 × Invoice: finished, 60 of 60 in Xero.")
        self.assertTrue(sent[-1]["sticky"])
        self.assertFalse(self.notifications(self.xero_admin), "only who started it")
        self.connection.invalidate_recordset()
        self.assertFalse(self.connection.overview_runs)

    def test_time_left_and_the_day_limit(self):
        moves = self.env["account.move"]
        for i in range(3):
            moves |= self.invoice(price=10.0 + i)
        moves.with_user(self.xero_user).action_xero_export()
        run = self.env["xero.run"].search([])
        self.assertEqual(run._xero_minutes_left(6000), 2, "120 calls of 50 at 60 a minute")
        # Xero said the day is spent (a 429 with X-Rate-Limit-Problem: day): the run says when sending resumes.
        self.connection._xero_rate_limiter().penalize(self.org, "day", 3600)
        run.invalidate_recordset()
        self.assertIn("Xero's daily limit is reached: sending resumes at", run.message)
        resumes = XeroRun._xero_day_limit_resumes(run)
        self.assertRegex(resumes, r"^\d\d:\d\d$")
        self.assertGreater(float(self.env["xero.rate.state"].search([("tenant_id", "=", self.org)]).state[
            "day_blocked_until"]), time.time() + 3500)
