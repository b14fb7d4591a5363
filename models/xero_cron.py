"""Waking the connector's scheduled actions: each webhook delivery and each transaction that queues jobs does it,
so it costs as little as Odoo allows (the action's id from Odoo's cached xmlid table, no existence check)."""


def wake(env, xmlid, at=None):
    """Trigger the scheduled action ``xmlid`` (``xero_connector.ir_cron_…``) now, or ``at``; nothing when it is
    not installed."""
    cron_id = env["ir.model.data"]._xmlid_to_res_id(xmlid, raise_if_not_found=False)
    if cron_id:
        env["ir.cron"].sudo().browse(cron_id)._trigger(at=at)
        return True
    return False
