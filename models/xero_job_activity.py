"""Stuck work finds a person: a blocked export becomes one activity for the company's Xero administrator, per
cause (not one per document), naming the fix; when every document of that cause is sent (or cancelled), the
activity is marked done.

The cause of a blocked job is its message with the document's own name taken out ("S00001: no Xero sales
account code is set for My Company…" and "S00002: …" are one cause). The activity sits on the company's Xero
connection (Xero → Connections, and the administrator's activities), its summary names the cause, its note the
documents and the fix. Retried documents keep it open until they are sent; blocked again, they update it.
"""
import hashlib
import re

from odoo import fields, models
from odoo.tools import html_escape

from .xero_access import MANAGER

ACTIVITY_TYPE = "xero_connector.mail_activity_type_xero_blocked"
OPEN = ("pending", "sending", "retry", "blocked")
SHOWN = 5


def block_cause(message, record_name):
    """The cause of a blocked job: its message without the document's name, whitespace folded."""
    text = str(message or "")
    if record_name:
        text = text.replace(record_name, "…")
    return re.sub(r"\s+", " ", text).strip(" :")


class XeroJob(models.Model):
    _inherit = "xero.job"

    block_cause = fields.Char(readonly=True, help="Why the job was blocked, without the document's name: the "
                              "blocked jobs of one cause share one activity for the Xero administrator.")
    block_key = fields.Char(readonly=True, index="btree_not_null")

    def write(self, vals):
        state = vals.get("state")
        if not state:
            return super().write(vals)
        caused = self.filtered("block_key")
        result = super().write(vals)
        if state == "blocked":
            for job in self:
                cause = block_cause(job.error, job.record_name)
                job.write({"block_cause": cause, "block_key": hashlib.sha1(cause.encode()).hexdigest()[:16]})
            self._xero_blocked_activities()
        elif state in ("done", "cancelled") and caused:
            caused._xero_blocked_activities()
        return result

    def _xero_blocked_activities(self):
        """Open, update or close the activity of each (company, cause) of these jobs."""
        env = self.env(su=True)
        Job = env["xero.job"]
        activity_type = env.ref(ACTIVITY_TYPE, raise_if_not_found=False)
        if not activity_type:
            return
        for company, key in {(job.company_id, job.block_key) for job in self if job.block_key}:
            conn = company._xero_connection()
            if not conn:
                continue
            open_jobs = Job.search([("company_id", "=", company.id), ("block_key", "=", key), ("state", "in", OPEN)],
                                   order="id")
            blocked = open_jobs.filtered(lambda j: j.state == "blocked")
            cause = (blocked or open_jobs or self.filtered(lambda j, k=key: j.block_key == k))[:1].block_cause
            # the activity of this cause is found again by its summary: no translated words of ours in it
            summary = f"Xero: {cause}"[:250]
            activity = env["mail.activity"].search([
                ("res_model", "=", "xero.connection"), ("res_id", "=", conn.id),
                ("activity_type_id", "=", activity_type.id), ("summary", "=", summary)], limit=1)
            if not open_jobs:
                if activity:
                    activity.action_feedback(feedback=self.env._("Resolved: the documents of this cause were sent."))
                continue
            if not blocked:
                continue  # retried, on their way: the activity stays until they are sent
            user = activity.user_id or self._xero_blocked_admin(conn)
            if not user:
                continue
            note = self.with_context(lang=user.lang)._xero_blocked_note(blocked, cause)  # in the administrator's language
            if activity:
                activity.note = note
            else:
                conn.activity_schedule(activity_type_id=activity_type.id, summary=summary, note=note, user_id=user.id)

    def _xero_blocked_note(self, blocked, cause):
        names = ", ".join(blocked[:SHOWN].mapped("record_name"))
        more = self.env._(" and %s more", len(blocked) - SHOWN) if len(blocked) > SHOWN else ""
        return self.env._(
            "<p>%(count)s document(s) blocked for this cause: %(names)s%(more)s.</p><p>%(cause)s</p><p>Fix it, then "
            "retry them from Xero → Sync Log (filter Blocked): this activity is marked done once they are sent.</p>",
            count=len(blocked), names=html_escape(names), more=more, cause=html_escape(cause))

    def _xero_blocked_admin(self, conn):
        """Who gets the activity: the Xero administrator who connected the company, else its first one."""
        admins = self.env.ref(MANAGER).sudo().all_user_ids.filtered(
            lambda u: not u.share and u.active and conn.company_id in u.company_ids)
        if conn.connected_by_id in admins:
            return conn.connected_by_id
        return admins.sorted("id")[:1]
