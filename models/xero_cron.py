"""Waking the connector's scheduled actions: each webhook delivery and each transaction that queues jobs does it,
so it costs as little as Odoo allows.

Odoo's ``ir.cron._trigger()`` reads the scheduled action and its user and creates the trigger through the ORM
(about five queries). Woken now, this writes the same trigger row in one INSERT (the action's id from Odoo's
cached xmlid table) and wakes the cron workers after the commit as ``_trigger`` does (``_notifydb``). A trigger
for later goes through ``_trigger`` itself.
"""
from odoo import fields
from odoo.tools import SQL


def wake(env, xmlid, at=None):
    """Trigger the scheduled action ``xmlid`` (``xero_connector.ir_cron_…``) now, or ``at``; nothing when it is
    not installed. Returns whether it was."""
    cron_id = env["ir.model.data"]._xmlid_to_res_id(xmlid, raise_if_not_found=False)
    if not cron_id:
        return False
    if at is not None:
        env["ir.cron"].sudo().browse(cron_id)._trigger(at=at)
        return True
    now = fields.Datetime.now()
    env.cr.execute(SQL(
        "INSERT INTO ir_cron_trigger (cron_id, call_at, create_uid, write_uid, create_date, write_date) "
        "VALUES (%s, %s, %s, %s, %s, %s)", cron_id, now, env.uid, env.uid, now, now))
    env.cr.postcommit.add(env["ir.cron"].sudo()._notifydb)
    return True
