"""The addon's own exceptions (the Xero library's are in ``xero/errors.py``).

What an outbox handler may raise while the sender builds a job's element (see ``models/xero_outbox.py``):

- :class:`XeroBlocked`: the job cannot be sent until a human fixes something; the job is blocked with the
  message, the others of the batch go on;
- :class:`XeroAlreadyDone`: Xero already is as the job wants it; nothing is sent, the job ends done with
  Xero's record;
- any :class:`~odoo.addons.xero_connector.xero.XeroError` from a handler that reads Xero: the whole batch
  fails as its request would have (rate limit, reconnect, retry with backoff).

And what the inbound crons use: :class:`CronOutOfTime`, raised when a scheduled action's time is spent; the
payment events': :class:`PaymentEventError`, :class:`PaymentDataError`, :class:`ClearingAccountWaiting`.
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


class PaymentEventError(Exception):
    """The event cannot be processed now (the message says why); it is retried."""


class PaymentDataError(PaymentEventError):
    """The event lacks what recording it needs (no amount, no currency, a description Xero refuses): it fails
    at once and is not retried (the provider's event will not change); nothing is booked."""


class ClearingAccountWaiting(Exception):
    """The provider's clearing bank account is on its way to Xero (an outbox job): the event waits, untouched,
    and goes on once the account is there (the job's end triggers the events' cron)."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message
