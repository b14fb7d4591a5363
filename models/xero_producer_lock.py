"""One producer of outbox jobs per company at a time, and the send cron out of its way (issue 18).

The payment events' cron queues a job per payment and commits after each event; it sends its jobs itself, in
full batches, once they are all queued. Without this lock the send cron, run by Odoo's other cron thread (or
triggered every second by the jobs being queued), picked up each committed job as it came: a batch of 50 split
into dozens of calls. While a producer holds its company's lock, the send cron leaves that company alone; the
producer triggers it when it lets go, so nothing queued meanwhile waits for the next scheduled run.

A session-level advisory lock on a cursor of its own: it outlives the producer's commits and ends with its
connection if the worker dies.
"""
from contextlib import contextmanager

from odoo import sql_db

# pg_try_advisory_lock(namespace, company id); the sender's own lock is LOCK_NAMESPACE ("XER0").
PRODUCER_NAMESPACE = 0x58455231  # "XER1"


@contextmanager
def producer_lock(env, company_id):
    """Hold ``company_id``'s producer lock for the block; yields whether it was taken (another producer of the
    same company may hold it: the block runs anyway, the lock only keeps the send cron out of the way)."""
    cr = sql_db.db_connect(env.cr.dbname).cursor()
    locked = False
    try:
        cr.execute("SELECT pg_try_advisory_lock(%s, %s)", [PRODUCER_NAMESPACE, company_id])
        locked = cr.fetchone()[0]
        cr.rollback()  # end the transaction, keep the lock
        yield locked
        env["xero.job"]._xero_trigger()  # what the send cron left alone meanwhile
    finally:
        try:
            if locked:
                cr.execute("SELECT pg_advisory_unlock(%s, %s)", [PRODUCER_NAMESPACE, company_id])
                cr.rollback()
        finally:
            cr.close()


def busy_companies(cr, company_ids):
    """The ids among ``company_ids`` whose producer lock is held right now (by any connection)."""
    if not company_ids:
        return set()
    cr.execute("""SELECT objid::bigint FROM pg_locks
                   WHERE locktype = 'advisory' AND granted AND objsubid = 2
                     AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
                     AND classid::bigint = %s AND objid::bigint = ANY(%s)""",
               [PRODUCER_NAMESPACE, list(company_ids)])
    return {row[0] for row in cr.fetchall()}
