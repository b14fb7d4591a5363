import json

from odoo import api, fields, models, sql_db


class XeroRateState(models.Model):
    """Xero's rate-limit pacing state per organisation, shared by every worker and machine.

    The library's RateLimiter keeps its state in a StateStore; this model is the PostgreSQL one:
    each update locks the tenant's row in a short transaction of its own, so the pacing holds
    across processes and is never rolled back with a caller's transaction.
    """

    _name = "xero.rate.state"
    _description = "Xero Rate-Limit State"

    tenant_id = fields.Char(required=True, readonly=True)
    state = fields.Json(readonly=True)

    _tenant_uniq = models.Constraint("UNIQUE(tenant_id)", "One rate-limit state per Xero organisation.")

    @api.model
    def _xero_store(self):
        return PostgresStateStore(self.env.registry)


class PostgresStateStore:
    """StateStore (see xero.ratelimit) backed by the xero_rate_state table."""

    def __init__(self, registry):
        self.registry = registry

    def update(self, tenant_id, fn):
        with self.registry.cursor() as cr:
            # READ COMMITTED, not Odoo's REPEATABLE READ: the row lock below must read the row as the last
            # committer left it. Under a snapshot taken before a concurrent update committed, PostgreSQL refuses
            # the lock ("could not serialize access due to concurrent update"), which two cron threads and the
            # HTTP workers pacing the same organisation hit constantly. The row lock alone serializes the updates.
            # (Under tests, the registry's cursor is the test's own transaction, already begun: nothing runs
            # beside it, and the level can no longer be set.)
            # One round trip: the level, then the row created when missing and locked either way (ON CONFLICT DO
            # UPDATE locks the row as the last committer left it and returns it, as SELECT … FOR UPDATE would).
            level = "SET TRANSACTION ISOLATION LEVEL READ COMMITTED; " if isinstance(cr, sql_db.Cursor) else ""
            cr.execute(
                level + """INSERT INTO xero_rate_state (tenant_id, state, create_date, write_date)
                   VALUES (%s, '{}'::jsonb, now() at time zone 'UTC', now() at time zone 'UTC')
                   ON CONFLICT (tenant_id) DO UPDATE SET tenant_id = EXCLUDED.tenant_id
                   RETURNING state""",
                [tenant_id],
            )
            state = cr.fetchone()[0] or {}
            before = json.dumps(state, sort_keys=True)
            result = fn(state)
            if json.dumps(state, sort_keys=True) == before:
                return result  # nothing to write: the lock goes with the transaction
            cr.execute(
                "UPDATE xero_rate_state SET state = %s::jsonb, write_date = now() at time zone 'UTC' WHERE tenant_id = %s",
                [json.dumps(state), tenant_id],
            )
        return result
