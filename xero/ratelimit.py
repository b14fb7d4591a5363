"""Per-tenant pacing to Xero's limits, with pluggable (shareable) state.

Xero allows, per organisation, 5 calls in flight, 60 per (fixed) minute and 5,000 per day. The
limiter keeps, per tenant, a JSON-serialisable state dict in a :class:`StateStore`, so that the
Odoo side can keep it in PostgreSQL and share it across workers and machines. Times are wall-clock
epoch seconds (``time.time``) because the state is shared across machines.

State keys (all plain JSON values)::

    win_start, win_count       fixed pacing window: start time, calls started in it
    day_start, day_count       fixed day window
    slots                      {slot_token: lease expiry} - calls in flight (leases, so a crashed
                               process cannot leak them)
    not_before                 no call may start before this time (after a minute/concurrent 429)
    day_blocked_until          day limit hit: every call is refused until then
    remaining                  {"day": int, "minute": int, "appminute": int} last seen from Xero
    remaining_at               when ``remaining`` was recorded
    day_limit                  the organisation's daily limit learned from X-DayLimit-Remaining
                               (Xero sends no header with the limit itself): the smallest plan
                               limit (1,000 Starter, 5,000) at least remaining + calls made today
    day_seen                   highest remaining + calls made seen in the current day window
"""
from __future__ import annotations

import copy
import logging
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from typing import Protocol, TypeVar

from .errors import RateLimited

_logger = logging.getLogger(__name__)

T = TypeVar("T")

PLAN_DAY_LIMITS = (1000, 5000)
#: ``seen`` may pass the plan limit by the calls this side counted and Xero did not (yet): calls still in
#: flight when an earlier call's headers arrive, and calls Xero refused with a 429.
DAY_LIMIT_SLACK = 0.05


def learn_day_limit(seen: int) -> int:
    """The daily limit implied by ``seen`` = remaining + calls made today: the smallest Xero plan
    limit ``seen`` does not pass by more than :data:`DAY_LIMIT_SLACK` (other apps' calls only make
    ``seen`` smaller; calls in flight or refused make it a little larger)."""
    for limit in PLAN_DAY_LIMITS:
        if seen <= limit * (1 + DAY_LIMIT_SLACK):
            return limit
    return int(seen)


_HEADER_KEYS = {
    "x-daylimit-remaining": "day",
    "x-minlimit-remaining": "minute",
    "x-appminlimit-remaining": "appminute",
}


def limits_from_headers(headers: Mapping | None) -> dict:
    """The ``X-*Limit-Remaining`` figures of a response's headers as ``{"day": n, "minute": n, "appminute": n}``."""
    out = {}
    if not headers:
        return out
    for name, value in headers.items():
        key = _HEADER_KEYS.get(str(name).lower())
        if key is None:
            continue
        try:
            out[key] = int(str(value).strip())
        except ValueError:
            continue
    return out


class StateStore(Protocol):
    """Where the limiter keeps its per-tenant state."""

    def update(self, tenant_id: str, fn: Callable[[dict], T]) -> T:
        """Atomically: load the tenant's state dict ({} when none), call fn(state) which mutates it
        in place and returns a value, persist the state, return the value."""
        ...


class MemoryStateStore:
    """In-process StateStore (one dict per tenant, guarded by a lock)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._states: dict[str, dict] = {}

    def update(self, tenant_id: str, fn: Callable[[dict], T]) -> T:
        """Run ``fn`` on a copy of the tenant's state under the lock; keep the copy if fn succeeds."""
        with self._lock:
            state = copy.deepcopy(self._states.get(tenant_id, {}))
            result = fn(state)
            self._states[tenant_id] = state
            return result

    def get(self, tenant_id: str) -> dict:
        """A copy of the stored state (for inspection)."""
        with self._lock:
            return copy.deepcopy(self._states.get(tenant_id, {}))


class RateLimiter:
    """Paces calls per tenant: ``acquire`` before each HTTP attempt, ``release`` after it."""

    def __init__(self, store: StateStore | None = None, *, per_window: int = 60, window: float = 60.0,
                 concurrency: int = 5, per_day: int = 5000, day_window: float = 86400.0, lease: float = 120.0,
                 clock=time.time, sleep=time.sleep, max_wait: float = 300.0, poll: float = 0.05,
                 concurrent_penalty: float = 1.0):
        self.store = store if store is not None else MemoryStateStore()
        self.per_window = int(per_window)
        self.window = float(window)
        self.concurrency = int(concurrency)
        self.per_day = int(per_day)
        self.day_window = float(day_window)
        self.lease = float(lease)
        self.clock = clock
        self.sleep = sleep
        self.max_wait = float(max_wait)
        self.poll = float(poll)
        self.concurrent_penalty = float(concurrent_penalty)

    # -- state helpers (run inside the store's atomic section) ----------------------------------
    def _roll(self, state: dict, now: float) -> None:
        slots = state.get("slots") or {}
        state["slots"] = {k: v for k, v in slots.items() if float(v) > now}
        if now >= float(state.get("win_start", 0)) + self.window:
            state["win_start"] = now
            state["win_count"] = 0
        if now >= float(state.get("day_start", 0)) + self.day_window:
            state["day_start"] = now
            state["day_count"] = 0
            state.pop("day_seen", None)
        if float(state.get("day_blocked_until", 0)) <= now:
            state.pop("day_blocked_until", None)
        if float(state.get("not_before", 0)) <= now:
            state.pop("not_before", None)

    def _try_acquire(self, state: dict, now: float):
        """Returns ("slot", token) or ("day"|"wait", seconds)."""
        self._roll(state, now)
        blocked = float(state.get("day_blocked_until", 0))
        if blocked > now:
            return ("day", blocked - now)
        if int(state.get("day_count", 0)) >= self.day_limit(state):
            return ("day", float(state["day_start"]) + self.day_window - now)
        not_before = float(state.get("not_before", 0))
        if not_before > now:
            return ("wait", not_before - now)
        if int(state.get("win_count", 0)) >= self.per_window:
            return ("wait", float(state["win_start"]) + self.window - now)
        slots = state["slots"]
        if len(slots) >= self.concurrency:
            first_expiry = min(float(v) for v in slots.values())
            return ("wait", max(0.0, min(self.poll, first_expiry - now)))
        token = uuid.uuid4().hex
        slots[token] = now + self.lease
        state["win_count"] = int(state.get("win_count", 0)) + 1
        state["day_count"] = int(state.get("day_count", 0)) + 1
        return ("slot", token)

    def day_limit(self, state: Mapping) -> int:
        """The daily limit to pace against: the learned one, never above ``per_day``."""
        learned = state.get("day_limit")
        return min(self.per_day, int(learned)) if learned else self.per_day

    @staticmethod
    def _learn_day(state: dict, day_remaining: int) -> None:
        seen = max(int(state.get("day_seen", 0)), max(0, day_remaining) + int(state.get("day_count", 0)))
        state["day_seen"] = seen
        state["day_limit"] = learn_day_limit(seen)

    # -- public API -------------------------------------------------------------------------------
    def acquire(self, tenant_id: str) -> str:
        """Block until a call may start for ``tenant_id``; return the slot token to release.

        Raises RateLimited(problem='day') at once while the tenant is day-blocked, and
        RateLimited(problem='minute') when it would have to wait more than ``max_wait`` seconds.
        Sleeps happen outside the store's atomic section.
        """
        started = self.clock()
        while True:
            now = self.clock()
            kind, value = self.store.update(tenant_id, lambda s, now=now: self._try_acquire(s, now))
            if kind == "slot":
                return value
            if kind == "day":
                raise RateLimited(
                    "Xero's daily call limit for this organisation is reached; calls resume later.",
                    retry_after=max(0.0, float(value)), problem="day", status=None)
            wait = max(0.0, float(value))
            if (now - started) + wait > self.max_wait:
                raise RateLimited("Too many calls to Xero for this organisation right now; try again shortly.",
                                  retry_after=wait, problem="minute", status=None)
            if wait > 0:
                self.sleep(wait)

    def release(self, tenant_id: str, slot: str, headers: Mapping | None = None, status: int | None = None) -> None:
        """Free ``slot`` and record Xero's remaining figures from ``headers``.

        ``X-MinLimit-Remaining`` lowers the current window's budget (0 → the next acquire waits
        for the window's end). Not on a 429: its Retry-After says exactly when Xero's window ends
        (see penalize); counting its "0 remaining" against a local window that may have started
        later would wait a whole window for nothing.
        """
        limits = limits_from_headers(headers)
        if status == 429:
            limits.pop("minute", None)

        def _apply(state):
            now = self.clock()
            slots = state.get("slots") or {}
            slots.pop(slot, None)
            state["slots"] = slots
            if limits:
                remaining = dict(state.get("remaining") or {})
                remaining.update(limits)
                state["remaining"] = remaining
                state["remaining_at"] = now
                if limits.get("day") is not None:
                    self._learn_day(state, limits["day"])
                minute = limits.get("minute")
                if minute is not None:
                    if now >= float(state.get("win_start", 0)) + self.window:
                        state["win_start"] = now
                        state["win_count"] = 0
                    used = self.per_window - max(0, minute)
                    state["win_count"] = max(int(state.get("win_count", 0)), used)

        self.store.update(tenant_id, _apply)

    def penalize(self, tenant_id: str, problem: str | None, retry_after: float | None) -> None:
        """Record a 429: 'minute'/'appminute' → no call before now+retry_after; 'day' → blocked until
        now+retry_after; 'concurrent' → a short wait (retry_after or ``concurrent_penalty``)."""
        problem = (problem or "").lower() or None

        def _apply(state):
            now = self.clock()
            self._roll(state, now)
            if problem == "day":
                until = now + (retry_after if retry_after is not None else
                               float(state.get("day_start", now)) + self.day_window - now)
                state["day_blocked_until"] = max(float(state.get("day_blocked_until", 0)), until)
                return
            if problem == "concurrent":
                delay = retry_after if retry_after is not None else self.concurrent_penalty
            elif retry_after is not None:
                delay = retry_after
            else:
                delay = max(1.0, float(state.get("win_start", now)) + self.window - now)
            state["not_before"] = max(float(state.get("not_before", 0)), now + max(0.0, delay))
            if problem in ("minute", "appminute") and retry_after is not None:
                # Xero's window ends in retry_after seconds: end ours then too, full until then.
                state["win_start"] = now + retry_after - self.window
                state["win_count"] = self.per_window

        self.store.update(tenant_id, _apply)
        _logger.info("xero rate limit hit for tenant %s: problem=%s retry_after=%s", tenant_id, problem, retry_after)

    def snapshot(self, tenant_id: str) -> dict:
        """Remaining figures, counts and block times of a tenant, for display."""

        def _apply(state):
            now = self.clock()
            self._roll(state, now)
            remaining = state.get("remaining") or {}
            return {
                "day_remaining": remaining.get("day"),
                "minute_remaining": remaining.get("minute"),
                "app_minute_remaining": remaining.get("appminute"),
                "remaining_at": state.get("remaining_at"),
                "in_flight": len(state.get("slots") or {}),
                "window_count": int(state.get("win_count", 0)),
                "window_resets_at": float(state.get("win_start", now)) + self.window,
                "day_count": int(state.get("day_count", 0)),
                "day_limit": self.day_limit(state),
                "day_resets_at": float(state.get("day_start", now)) + self.day_window,
                "not_before": state.get("not_before"),
                "day_blocked_until": state.get("day_blocked_until"),
            }

        return self.store.update(tenant_id, _apply)
