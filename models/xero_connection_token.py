from odoo import fields, models


class XeroConnectionToken(models.Model):
    """A connection's OAuth token set, in a row of its own.

    The token refresh rewrites this row in a short transaction of its own (see
    ``refresh_tokens_locked``). Kept apart from ``xero.connection`` so that the refresh never updates
    the row that jobs, pulled lists and events reference: under Odoo's REPEATABLE READ transactions,
    a caller that inserts a row pointing to a connection updated meanwhile would fail to serialize.
    Readable by system administrators only; never copied; wiped by data/neutralize.sql.
    """

    _name = "xero.connection.token"
    _description = "Xero Connection Tokens"

    connection_id = fields.Many2one("xero.connection", required=True, ondelete="cascade", index=True)
    access_token = fields.Char(copy=False)
    refresh_token = fields.Char(copy=False)
    token_expires_at = fields.Datetime(copy=False)
    token_refreshed_at = fields.Datetime(copy=False)

    _connection_uniq = models.Constraint("UNIQUE(connection_id)", "One token set per Xero connection.")
