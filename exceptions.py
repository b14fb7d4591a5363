"""The addon's own exceptions (the Xero library's are in ``xero/errors.py``).

What an outbox handler may raise while the sender builds a job's element (see ``models/xero_outbox.py``):

- :class:`XeroBlocked`: the job cannot be sent until a human fixes something; the job is blocked with the
  message, the others of the batch go on;
- :class:`XeroAlreadyDone`: Xero already is as the job wants it; nothing is sent, the job ends done with
  Xero's record;
- any :class:`~odoo.addons.xero_connector.xero.XeroError` from a handler that reads Xero: the whole batch
  fails as its request would have (rate limit, reconnect, retry with backoff).

And what the inbound crons use: :class:`CronOutOfTime`, raised when a scheduled action's time is spent.
"""


class XeroBlocked(Exception):
    """Raised by a handler: the job cannot be sent until a human fixes something (the message says what)."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class XeroAlreadyDone(Exception):
    """Raised by a handler: Xero already is as the job wants it (``data``: Xero's record); nothing is sent
    and the job ends done."""

    def __init__(self, data):
        super().__init__("already done in Xero")
        self.data = data


class CronOutOfTime(Exception):
    """The cron's time budget is spent: stop here, the cron is triggered again."""
