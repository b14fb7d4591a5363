"""Spending an organisation's daily Xero calls wisely (pure: no ORM, no I/O).

Xero gives an organisation 5,000 calls a day (1,000 on the Starter plan) for everything. The
planner splits what remains of the day between three classes of work, in this order:

    documents   invoices, bills, credit notes, payments (what the user is waiting for)
    lookups     contact/item look-ups and webhook fetches
    pulls       pulls from Xero and attachments

Documents may spend every remaining call. The other classes only spend what is left above the
*reserve*: the calls the documents already queued need, plus a share of the day kept for the
documents still to come in the rest of the day. Work that may not spend now is *deferred*: it stays
queued and is retried when the budget allows (at the latest on the next day); it is never failed.

While the budget is ample a pull may re-read in full (some changes do not move UpdatedDateUTC);
as it shrinks, pulls switch to the cheapest form Xero offers: ``If-Modified-Since``
(incremental) and the largest ``pageSize`` (1,000, see XERO.md "Paging").
"""
from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

DOCUMENTS = "documents"
LOOKUPS = "lookups"
PULLS = "pulls"
CLASSES = (DOCUMENTS, LOOKUPS, PULLS)

#: Share of the daily limit kept for documents still to arrive, scaled by the part of day left.
FUTURE_DOCUMENT_SHARE = 0.2
#: Below this share of the day limit left, pulls use their cheapest form.
CHEAP_PULL_SHARE = 0.5
#: At or below this share of the day limit left, the day is "nearly spent".
NEARLY_SPENT_SHARE = 0.1
#: Xero's page sizes: ``page=N`` returns 100 records; ``pageSize`` goes up to 1,000.
DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000


@dataclass(frozen=True)
class PullForm:
    """How a pull should ask Xero: incremental or not, and how many records a page."""

    if_modified_since: bool
    page_size: int


@dataclass(frozen=True)
class Plan:
    """What may spend calls now and what waits."""

    day_limit: int
    remaining: int
    reserve: int
    allowed: dict = field(default_factory=dict)
    deferred: dict = field(default_factory=dict)
    pull_form: PullForm = PullForm(False, DEFAULT_PAGE_SIZE)
    nearly_spent: bool = False

    def may_spend(self, work_class: str, calls: int = 1) -> bool:
        """Whether ``calls`` calls of ``work_class`` fit in what this plan allows."""
        return self.allowed.get(work_class, 0) >= max(1, int(calls))


def day_left_fraction(seconds_into_day: float, day_seconds: float = 86400.0) -> float:
    """The part of the day window still to come, in [0, 1]."""
    if day_seconds <= 0:
        return 0.0
    return min(1.0, max(0.0, 1.0 - float(seconds_into_day) / float(day_seconds)))


def day_position(state: Mapping, day_seconds: float = 86400.0, now: float | None = None) -> tuple[int | None, float]:
    """Where an organisation is in its day, from the rate limiter's shared state (``day_start``, ``remaining``,
    ``remaining_at``: xero/ratelimit.py): ``(calls left, seconds into the day)``. Calls left is Xero's last
    ``X-DayLimit-Remaining`` when it was seen in the current day, else ``None`` (nothing seen today: the whole
    limit, see :func:`plan`). The one definition of "calls left" (the Overview and the planner both use it)."""
    now = time.time() if now is None else now
    start = float(state.get("day_start") or 0)
    if not start or now >= start + day_seconds:
        return None, 0.0
    seen = state.get("remaining_at")
    remaining = (state.get("remaining") or {}).get("day") if seen and float(seen) >= start else None
    return (None if remaining is None else int(remaining)), now - start


def plan(day_limit: int, remaining: int | None, pending: dict, *, seconds_into_day: float = 0.0,
         day_seconds: float = 86400.0) -> Plan:
    """Plan the spending of ``remaining`` calls (``None``: nothing seen yet today, the whole limit).

    ``pending`` maps each class to the calls its queued work needs. Returns the :class:`Plan`.
    """
    day_limit = max(1, int(day_limit))
    remaining = day_limit if remaining is None else max(0, min(int(remaining), day_limit))
    need = {cls: max(0, int(pending.get(cls, 0) or 0)) for cls in CLASSES}
    future = math.ceil(FUTURE_DOCUMENT_SHARE * day_limit * day_left_fraction(seconds_into_day, day_seconds))
    reserve = min(remaining, need[DOCUMENTS] + future)
    above = remaining - reserve
    allowed = {
        DOCUMENTS: min(need[DOCUMENTS], remaining),
        LOOKUPS: min(need[LOOKUPS], above),
    }
    allowed[PULLS] = min(need[PULLS], max(0, above - allowed[LOOKUPS]))
    deferred = {cls: need[cls] - allowed[cls] for cls in CLASSES if need[cls] > allowed[cls]}
    share = remaining / day_limit
    cheap = share < CHEAP_PULL_SHARE
    return Plan(
        day_limit=day_limit, remaining=remaining, reserve=reserve, allowed=allowed, deferred=deferred,
        pull_form=PullForm(if_modified_since=cheap, page_size=MAX_PAGE_SIZE if cheap else DEFAULT_PAGE_SIZE),
        nearly_spent=share <= NEARLY_SPENT_SHARE or (above <= 0 and remaining < day_limit),
    )


def pull_calls(records: int, page_size: int) -> int:
    """Calls a pull of ``records`` records takes at ``page_size`` a page (at least one call)."""
    return max(1, math.ceil(max(0, int(records)) / max(1, int(page_size))))
