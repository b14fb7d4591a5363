"""SQL shared by the inboxes (Xero webhook events, payment-provider events)."""

from odoo.tools import SQL


def insert_new_rows(env, table, rows):
    """INSERT ``rows`` (dicts with the same keys) into ``table``, skipping any that a unique index
    says is stored already (``ON CONFLICT DO NOTHING``: safe against concurrent deliveries of the
    same event); return the ids of the rows inserted."""
    ids = []
    for row in rows:
        columns = list(row)
        env.cr.execute(SQL(
            """INSERT INTO %s (%s, create_uid, write_uid, create_date, write_date)
               VALUES (%s, %s, %s, now() at time zone 'UTC', now() at time zone 'UTC')
               ON CONFLICT DO NOTHING
               RETURNING id""",
            SQL.identifier(table),
            SQL(", ").join(SQL.identifier(col) for col in columns),
            SQL(", ").join(row[col] for col in columns),
            env.uid,
            env.uid,
        ))
        ids.extend(r[0] for r in env.cr.fetchall())
    return ids
