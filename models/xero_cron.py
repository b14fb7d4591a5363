"""Waking the connector's scheduled actions: each webhook delivery and each transaction that queues jobs does it,
so it costs as little as Odoo allows.

Odoo's ``ir.cron._trigger()`` reads the scheduled action and its user and creates the trigger through the ORM
(about five queries). Woken now, this writes the same trigger row in one INSERT (the action's id from Odoo's
cached xmlid table) and wakes the cron workers after the commit as ``_trigger`` does (``_notifydb``). A trigger
for later goes through ``_trigger`` itself.

A webhook delivery *joins* a trigger already due instead of adding one (``join=True``): one statement, and no
notify, when the action is already due. The trigger joined is locked (``FOR SHARE``) until the delivery commits:
Odoo's cron clears an action's due triggers (``_clear_schedule``) just before it runs it, so that clearing waits
for the delivery, and the run that follows sees what the delivery stored. A trigger being cleared by a run
already under way is locked by it and skipped (``SKIP LOCKED``): the delivery adds its own, for the next run.
Only short transactions join (a delivery is milliseconds): a long one would hold the cron worker at its
clearing for as long.
"""
from odoo import fields
from odoo.tools import SQL


def wake(env, xmlid, at=None, join=False):
    """Trigger the scheduled action ``xmlid`` (``xero_connector.ir_cron_…``) now, or ``at``; nothing when it is
    not installed. ``join``: a trigger already due will do (see above). Returns whether it was."""
    cron_id = env["ir.model.data"]._xmlid_to_res_id(xmlid, raise_if_not_found=False)
    if not cron_id:
        return False
    if at is not None:
        env["ir.cron"].sudo().browse(cron_id)._trigger(at=at)
        return True
    now = fields.Datetime.now()
    insert = SQL(
        "INSERT INTO ir_cron_trigger (cron_id, call_at, create_uid, write_uid, create_date, write_date) "
        "SELECT %(cron)s, %(now)s, %(uid)s, %(uid)s, %(now)s, %(now)s", cron=cron_id, now=now, uid=env.uid)
    if join:
        insert = SQL(
            "WITH due AS (SELECT 1 FROM ir_cron_trigger WHERE cron_id = %(cron)s AND call_at <= %(now)s "
            "LIMIT 1 FOR SHARE SKIP LOCKED) %(insert)s WHERE NOT EXISTS (SELECT 1 FROM due)",
            cron=cron_id, now=now, insert=insert)
    env.cr.execute(insert)
    if env.cr.rowcount:
        env.cr.postcommit.add(env["ir.cron"].sudo()._notifydb)
    return True
