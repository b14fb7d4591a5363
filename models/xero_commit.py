"""The connector's one way to commit: ``ir.cron._commit_progress`` (Odoo 19), and nothing else.

Business code never calls ``cr.commit()``. Two callers need a commit mid-transaction:

- the outbox sender (``cron_only=False``): a batch marked *sending* and each batch's outcome must survive a
  crash, in the cron and when a user's export sends at once alike;
- the inbound crons (webhook events, pulls, payment events; ``cron_only=True``): a chunk applied is
  committed inside the scheduled action; run on demand (a refresh before matching, inside a user's or the
  sender's transaction) they commit nothing, the caller's transaction decides.

Under tests nothing is committed (the test's transaction is never committed, as Odoo's mail queue does) unless
the test drives the code on cursors of its own and says so with the one switch, the context key
:data:`TEST_COMMIT`.
"""
from odoo import modules

TEST_COMMIT = "xero_test_commit"


def commit_progress(env, processed=0, *, cron_only=False):
    """Commit ``env``'s transaction, reporting ``processed`` records to the running cron; return the seconds
    the cron has left (``inf`` outside a cron, or when nothing was committed)."""
    context = env.context
    forced = context.get(TEST_COMMIT)
    if cron_only and not (forced or context.get("ir_cron_progress_id")):
        return float("inf")
    if not cron_only and modules.module.current_test and not forced:
        env.flush_all()
        return float("inf")
    return env["ir.cron"]._commit_progress(processed)
