"""The outbox's rules, ORM-free: job states, retries with backoff, idempotency keys, the sender's lock key and
the excerpts kept of requests and answers. The Odoo side (``models/xero_job.py``, ``models/xero_job_sender.py``)
stores the jobs and applies these rules; they are tested here without a database.
"""
from __future__ import annotations

import hashlib
import json

from .errors import redact

STATES = [
    ("pending", "Pending"),
    ("sending", "Sending"),
    ("done", "Done"),
    ("retry", "Failed, will retry"),
    ("blocked", "Blocked"),
    ("cancelled", "Cancelled"),
]
# A job is open (one per record, operation and company) until it is done or cancelled.
OPEN_STATES = ("pending", "sending", "retry", "blocked")
# The sender picks these once their next try is due.
DUE_STATES = ("pending", "retry")

MAX_ATTEMPTS = 8
BACKOFF_BASE = 30  # seconds; doubles per attempt
BACKOFF_MAX = 3600
EXCERPT = 500
# pg_try_advisory_lock(namespace, tenant hash): one sender per Xero organisation.
LOCK_NAMESPACE = 0x58455230  # "XER0"


def excerpt(value):
    """What the Sync Log keeps of a request or an answer: JSON, secrets redacted, at most EXCERPT characters."""
    if value is None or value is False:
        return False
    if isinstance(value, dict):
        # A file's content is named by its size, never copied (an attachment's element carries it).
        value = {k: f"<{len(v)} bytes>" if isinstance(v, (bytes, bytearray)) else v for k, v in value.items()}
    if not isinstance(value, str):
        value = json.dumps(value, default=str, ensure_ascii=False)
    return redact(value)[:EXCERPT]


def tenant_lock_key(tenant_id):
    """The advisory lock key (32-bit signed) of one Xero organisation's sender."""
    return int.from_bytes(hashlib.sha256(f"xero-sender:{tenant_id}".encode()).digest()[:4], "big", signed=True)


def job_key(database_uuid, job_id, version):
    """The Idempotency-Key of one attempt of a job: the same while the outcome of the attempt is unknown, a new
    ``version`` once it is known."""
    return f"xc-{(database_uuid or '')[:8]}-{job_id}-{version}"


def batch_key(keys):
    """The Idempotency-Key of one call: deterministic from its jobs' keys, so the same jobs sent again reuse it
    (Xero replays its answer)."""
    keys = sorted(keys)
    if len(keys) == 1:
        return keys[0]
    return "xc-b-" + hashlib.sha256(",".join(keys).encode()).hexdigest()[:48]


def backoff(attempts):
    """Seconds before the next try of a job that failed ``attempts`` times: 30 s, doubling, at most an hour."""
    return min(BACKOFF_MAX, BACKOFF_BASE * 2 ** max(0, attempts - 1))


def rate_limit_wait(retry_after, problem):
    """Seconds to wait after Xero's 429: its Retry-After, else an hour for the daily limit, a minute otherwise."""
    wait = retry_after if retry_after is not None else (3600 if problem == "day" else 60)
    return max(1, wait)


def cut_to_size(base, sizes, limit):
    """Which elements of one call fit in ``limit`` bytes: ``base`` is the size of the empty envelope
    (``{"Invoices": []}``), ``sizes`` each element's own size in order (elements are joined by ", ", 2 bytes).

    Returns ``(send, too_large, later)``, lists of indexes: ``too_large`` the elements that exceed the limit even
    alone (no call can carry them: Xero answers 413), ``send`` the longest run of the others, in order, that fits,
    ``later`` the others, left for the next call (never dropped).
    """
    send, too_large, later = [], [], []
    total = base
    for index, size in enumerate(sizes):
        if base + size > limit:
            too_large.append(index)
            continue
        extra = size + (2 if send else 0)
        if later or total + extra > limit:
            later.append(index)
            continue
        send.append(index)
        total += extra
    return send, too_large, later


__all__ = [
    "BACKOFF_BASE",
    "BACKOFF_MAX",
    "DUE_STATES",
    "EXCERPT",
    "LOCK_NAMESPACE",
    "MAX_ATTEMPTS",
    "OPEN_STATES",
    "STATES",
    "backoff",
    "batch_key",
    "excerpt",
    "job_key",
    "rate_limit_wait",
    "tenant_lock_key",
    "cut_to_size",
]
