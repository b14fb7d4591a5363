"""SQL shared by the inboxes (Xero webhook events, payment-provider events)."""
from contextlib import contextmanager

from psycopg2.extensions import ISOLATION_LEVEL_READ_COMMITTED

from odoo import sql_db
from odoo.tools import SQL

from .xero_cron import joined_trigger, woken


@contextmanager
def delivery_env(env):
    """``env`` on a short transaction of its own at READ COMMITTED, committed at the end of the ``with``: where a
    webhook delivery stores its events. The request's own transaction took its snapshot before the route ran
    (REPEATABLE READ): a trigger the cron cleared since would still be seen there, and joining it would fail to
    serialize (``models/xero_cron.py``). At READ COMMITTED the statement sees the triggers as they are when it
    runs. (Under tests, the registry's cursor is the test's own transaction.)"""
    with env.registry.cursor() as cr:
        if isinstance(cr, sql_db.Cursor):
            cr.connection.set_isolation_level(ISOLATION_LEVEL_READ_COMMITTED)  # in its BEGIN: no round trip
        yield env(cr=cr)


def insert_new_rows(env, table, rows, wake=None):
    """INSERT ``rows`` (dicts with the same keys) into ``table``, skipping any that a unique index
    says is stored already (``ON CONFLICT DO NOTHING``: safe against concurrent deliveries of the
    same event); return the ids of the rows inserted. ``wake``: the xmlid of the scheduled action to wake when
    a row is new, in the same statement (``models/xero_cron.py``, a trigger already due joined): a webhook
    delivery's one query."""
    ids = []
    added = 0
    trigger = joined_trigger(env, wake, SQL("EXISTS (SELECT 1 FROM new)")) if wake else None
    for row in rows:
        columns = list(row)
        insert = SQL(
            """INSERT INTO %s (%s, create_uid, write_uid, create_date, write_date)
               VALUES (%s, %s, %s, now() at time zone 'UTC', now() at time zone 'UTC')
               ON CONFLICT DO NOTHING
               RETURNING id""",
            SQL.identifier(table),
            SQL(", ").join(SQL.identifier(col) for col in columns),
            SQL(", ").join(row[col] for col in columns),
            env.uid,
            env.uid,
        )
        if trigger is None:
            env.cr.execute(insert)
            ids.extend(r[0] for r in env.cr.fetchall())
            continue
        env.cr.execute(SQL("WITH new AS (%s), %s SELECT id, (SELECT count(*) FROM woken) FROM new", insert, trigger))
        for new_id, count in env.cr.fetchall():
            ids.append(new_id)
            added += count
    woken(env, added)
    return ids
