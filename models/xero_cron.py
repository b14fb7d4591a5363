"""Waking the connector's scheduled actions: each webhook delivery and each transaction that queues jobs does it,
so it costs as little as Odoo allows.

Odoo's ``ir.cron._trigger()`` reads the scheduled action and its user and creates the trigger through the ORM
(about five queries). Woken now, this writes the same trigger row in one INSERT (the action's id from Odoo's
cached xmlid table) and wakes the cron workers after the commit as ``_trigger`` does (``_notifydb``). A trigger
for later goes through ``_trigger`` itself.

A webhook delivery *joins* a trigger already due instead of adding one, in the statement that stores it
(:func:`joined_trigger`, used by ``insert_new_rows``): one query, and no trigger row nor notify when the action is
already due. The trigger joined is locked (``FOR SHARE``) until the delivery commits:
Odoo's cron clears an action's due triggers (``_clear_schedule``) just before it runs it, so that clearing waits
for the delivery, and the run that follows sees what the delivery stored. A trigger being cleared by a run
already under way is locked by it and skipped (``SKIP LOCKED``): the delivery adds its own, for the next run.
Only short transactions join (a delivery is milliseconds): a long one would hold the cron worker at its
clearing for as long.
"""
from odoo import fields
from odoo.tools import SQL


def _cron_id(env, xmlid):
    return env["ir.model.data"]._xmlid_to_res_id(xmlid, raise_if_not_found=False)


def joined_trigger(env, xmlid, condition=None):
    """The CTEs ``due, woken`` of a statement that joins a due trigger of ``xmlid``, or adds one (``woken``
    returns it) when ``condition`` (SQL; default: always) holds and none is due; None when the action is not
    installed. A delivery puts them beside its INSERT: it stores and wakes in one statement (see
    :func:`insert_new_rows`); the caller calls :func:`woken` with what ``woken`` returned."""
    cron_id = _cron_id(env, xmlid)
    if not cron_id:
        return None
    now = fields.Datetime.now()
    return SQL(
        "due AS (SELECT 1 FROM ir_cron_trigger WHERE cron_id = %(cron)s AND call_at <= %(now)s "
        "LIMIT 1 FOR SHARE SKIP LOCKED), "
        "woken AS (%(insert)s WHERE %(condition)s AND NOT EXISTS (SELECT 1 FROM due) RETURNING id)",
        cron=cron_id, now=now, insert=_insert_trigger(env, cron_id, now),
        condition=condition if condition is not None else SQL("TRUE"))


def _insert_trigger(env, cron_id, now):
    """The trigger row of ``cron_id`` for ``now``, as ``ir.cron._trigger`` writes it (an INSERT … SELECT, to which
    a WHERE may be added)."""
    return SQL(
        "INSERT INTO ir_cron_trigger (cron_id, call_at, create_uid, write_uid, create_date, write_date) "
        "SELECT %(cron)s, %(now)s, %(uid)s, %(uid)s, %(now)s, %(now)s", cron=cron_id, now=now, uid=env.uid)


def woken(env, added):
    """After a statement of :func:`joined_trigger`: the cron workers are told after the commit when it added a
    trigger (``_notifydb``, as ``ir.cron._trigger`` does); a trigger joined was told already."""
    if added:
        env.cr.postcommit.add(env["ir.cron"].sudo()._notifydb)


def wake(env, xmlid, at=None):
    """Trigger the scheduled action ``xmlid`` (``xero_connector.ir_cron_…``) now, or ``at``; nothing when it is
    not installed. Returns whether it was."""
    cron_id = _cron_id(env, xmlid)
    if not cron_id:
        return False
    if at is not None:
        env["ir.cron"].sudo().browse(cron_id)._trigger(at=at)
        return True
    env.cr.execute(_insert_trigger(env, cron_id, fields.Datetime.now()))
    woken(env, True)
    return True
