"""Xero's date formats: ``/Date(ms+zzzz)/`` JSON dates, ISO dates, If-Modified-Since."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_MS_DATE = re.compile(r"^/?Date\((-?\d+)(?:([+-])(\d{2})(\d{2}))?\)/?$")
_ISO = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})"
    r"(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?$"
)


def parse_xero_date(value) -> datetime | None:
    """Parse a Xero date into an aware UTC datetime; None for empty values.

    Accepts ``/Date(1439434356790+0000)/`` (milliseconds since the epoch, UTC; the offset only
    says how Xero displays it), ``/Date(1439434356790)/``, negative values, ISO
    ``2024-01-31T00:00:00`` (no offset: taken as UTC), ISO with offset or ``Z``, ``2024-01-31``,
    and date/datetime objects. Raises ValueError for anything else.
    """
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=timezone.utc)
    text = str(value).strip()
    if not text:
        return None
    m = _MS_DATE.match(text)
    if m:
        return _EPOCH + timedelta(milliseconds=int(m.group(1)))
    m = _ISO.match(text)
    if m:
        year, month, day, hh, mi, ss, frac, tz = m.groups()
        micro = int((frac or "0")[:6].ljust(6, "0"))
        dt = datetime(int(year), int(month), int(day), int(hh or 0), int(mi or 0), int(ss or 0), micro,
                      tzinfo=timezone.utc)
        if tz and tz != "Z":
            sign = -1 if tz[0] == "-" else 1
            digits = tz[1:].replace(":", "")
            offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
            dt = dt - sign * offset
        return dt
    raise ValueError(f"Unrecognised Xero date: {text[:40]!r}")


def format_date(d) -> str:
    """Format a date or datetime (or an ISO string) as ``YYYY-MM-DD``."""
    if isinstance(d, datetime):
        return d.date().isoformat()
    if isinstance(d, date):
        return d.isoformat()
    if isinstance(d, str):
        parsed = parse_xero_date(d)
        if parsed is None:
            raise ValueError("empty date")
        return parsed.date().isoformat()
    raise TypeError(f"not a date: {type(d).__name__}")


def format_if_modified_since(dt) -> str:
    """Format a timestamp for Xero's ``If-Modified-Since`` header: ``YYYY-MM-DDTHH:MM:SS`` in UTC.

    Xero's SDKs send an ISO 8601 date-time and Xero compares to the second in UTC. Naive
    datetimes are taken as UTC; aware ones are converted; a date means midnight UTC; an int or
    float is epoch seconds; a string is parsed first. Sub-second parts are dropped.
    """
    if isinstance(dt, (int, float)) and not isinstance(dt, bool):
        value = _EPOCH + timedelta(seconds=float(dt))
    else:
        value = parse_xero_date(dt)
        if value is None:
            raise ValueError("empty If-Modified-Since")
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")


def to_xero_ms_date(dt) -> str:
    """Format a datetime as Xero's JSON date ``/Date(<ms>+0000)/`` (naive taken as UTC)."""
    value = parse_xero_date(dt)
    if value is None:
        raise ValueError("empty date")
    ms = (value - _EPOCH) // timedelta(milliseconds=1)
    return f"/Date({ms}+0000)/"
