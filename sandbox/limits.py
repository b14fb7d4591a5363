"""Xero's rate limits per tenant: fixed minute and day windows, calls in flight, app-wide minute limit."""
import math
import threading


class Window:
    __slots__ = ("start", "count")

    def __init__(self):
        self.start = None
        self.count = 0

    def roll(self, now, length):
        if self.start is None or now >= self.start + length:
            self.start = now
            self.count = 0

    def reset_in(self, now, length):
        if self.start is None:
            return length
        return max(1, math.ceil(self.start + length - now))


class Limiter:
    """Decides, per call, whether it may proceed; keeps the numbers for Xero's headers."""

    def __init__(self, config, clock):
        self.config = config
        self.clock = clock
        self.lock = threading.Lock()
        self.minute = {}
        self.day = {}
        self.app_minute = {}
        self.in_flight = {}

    def reset(self):
        with self.lock:
            self.minute.clear()
            self.day.clear()
            self.app_minute.clear()
            self.in_flight.clear()

    def _limits(self, tier):
        c = self.config
        day = c["day_limit"] if tier != "starter" else min(c["day_limit"], c["starter_day_limit"])
        return c["minute_limit"], day, c["app_minute_limit"], c["concurrency"]

    def acquire(self, tenant, app, tier):
        """Returns (problem or None, retry_after or None, headers dict). On success a slot is held:
        call release(tenant) when the call ends."""
        c = self.config
        now = self.clock.now()
        mlim, dlim, alim, conc = self._limits(tier)
        with self.lock:
            m = self.minute.setdefault(tenant, Window())
            d = self.day.setdefault(tenant, Window())
            a = self.app_minute.setdefault(app, Window())
            m.roll(now, c["minute_window"])
            d.roll(now, c["day_window"])
            a.roll(now, c["minute_window"])
            problem = retry = None
            if not c.get("limits", True):
                pass
            elif d.count >= dlim:
                problem, retry = "day", d.reset_in(now, c["day_window"])
            elif a.count >= alim:
                problem, retry = "appminute", a.reset_in(now, c["minute_window"])
            elif m.count >= mlim:
                problem, retry = "minute", m.reset_in(now, c["minute_window"])
            elif self.in_flight.get(tenant, 0) >= conc:
                problem = "concurrent"
            if problem is None:
                m.count += 1
                d.count += 1
                a.count += 1
                self.in_flight[tenant] = self.in_flight.get(tenant, 0) + 1
            headers = {"X-DayLimit-Remaining": str(max(0, dlim - d.count)),
                       "X-MinLimit-Remaining": str(max(0, mlim - m.count)),
                       "X-AppMinLimit-Remaining": str(max(0, alim - a.count))}
            return problem, retry, headers

    def release(self, tenant):
        with self.lock:
            n = self.in_flight.get(tenant, 0) - 1
            if n <= 0:
                self.in_flight.pop(tenant, None)
            else:
                self.in_flight[tenant] = n

    def snapshot(self):
        now = self.clock.now()
        with self.lock:
            return {t: {"minute_count": self.minute[t].count,
                        "minute_reset_in": self.minute[t].reset_in(now, self.config["minute_window"]),
                        "day_count": self.day.get(t).count if t in self.day else 0,
                        "in_flight": self.in_flight.get(t, 0)} for t in self.minute}
