"""Small helpers: sandbox clock, Xero date formats, JWT (HS256), ids."""
import base64
import datetime as dt
import email.utils
import hashlib
import hmac
import json
import re
import threading
import time
import uuid

UTC = dt.timezone.utc


class Clock:
    """Real time plus an adjustable offset (seconds). Every expiry in the sandbox uses it."""

    def __init__(self, offset=0.0):
        self.offset = float(offset)
        self._lock = threading.Lock()

    def now(self):
        return time.time() + self.offset

    def advance(self, seconds):
        with self._lock:
            self.offset += float(seconds)
        return self.now()

    def set(self, epoch):
        with self._lock:
            self.offset = float(epoch) - time.time()
        return self.now()


def new_id():
    return str(uuid.uuid4())


def utc_from_epoch(ts):
    return dt.datetime.fromtimestamp(ts, UTC)


def iso(ts, ms=False):
    """Epoch -> 'YYYY-MM-DDTHH:MM:SS' (UTC, no zone, like Xero's XML dates)."""
    d = utc_from_epoch(ts)
    if ms:
        return d.strftime("%Y-%m-%dT%H:%M:%S.") + f"{d.microsecond // 1000:03d}"
    return d.strftime("%Y-%m-%dT%H:%M:%S")


def iso_z(ts):
    return utc_from_epoch(ts).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def ms_date(ts):
    """Epoch -> Xero's JSON date '/Date(1439434356790+0000)/'."""
    return f"/Date({int(round(ts * 1000))}+0000)/"


_MS_DATE = re.compile(r"^/Date\((-?\d+)([+-]\d{4})?\)/$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?(Z|[+-]\d{2}:?\d{2})?$")


def parse_date(value):
    """Parse a date as Xero accepts it ('2026-01-31', '2026-01-31T10:00:00', '/Date(ms+0000)/').

    Returns epoch seconds (UTC) or raises ValueError."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if not isinstance(value, str):
        raise ValueError(f"not a date: {value!r}")
    s = value.strip()
    m = _MS_DATE.match(s)
    if m:
        return int(m.group(1)) / 1000.0
    m = _ISO_DATE.match(s)
    if not m:
        raise ValueError(f"not a date: {value!r}")
    y, mo, d, hh, mi, ss, frac, tz = m.groups()
    d = dt.datetime(int(y), int(mo), int(d), int(hh or 0), int(mi or 0), int(ss or 0),
                    int((frac or "0")[:6].ljust(6, "0")), tzinfo=UTC)
    if tz and tz != "Z":
        sign = 1 if tz[0] == "+" else -1
        tzd = tz[1:].replace(":", "")
        d -= sign * dt.timedelta(hours=int(tzd[:2]), minutes=int(tzd[2:]))
    return d.timestamp()


def parse_http_date(value):
    """If-Modified-Since: RFC 1123 or 'YYYY-MM-DDTHH:MM:SS'. Returns epoch or raises ValueError."""
    value = (value or "").strip()
    try:
        return parse_date(value)
    except ValueError:
        pass
    try:
        d = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError) as e:
        raise ValueError(f"bad date {value!r}") from e
    if d is None:
        raise ValueError(f"bad date {value!r}")
    if d.tzinfo is None:
        d = d.replace(tzinfo=UTC)
    return d.timestamp()


def day_string(ts):
    """Date part only, as Xero's DateString: 'YYYY-MM-DDT00:00:00'."""
    return utc_from_epoch(ts).strftime("%Y-%m-%dT00:00:00")


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(s):
    s = s + "=" * (-len(s) % 4)
    return base64.urlsafe_b64decode(s.encode("ascii"))


def jwt_encode(payload, secret, kid="sandbox"):
    header = {"alg": "HS256", "kid": kid, "typ": "JWT"}
    h = b64url(json.dumps(header, separators=(",", ":")).encode())
    p = b64url(json.dumps(payload, separators=(",", ":")).encode())
    sig = hmac.new(secret.encode(), f"{h}.{p}".encode(), hashlib.sha256).digest()
    return f"{h}.{p}.{b64url(sig)}"


def jwt_decode(token, secret):
    """Returns the payload if the signature is right, else None (expiry is the caller's business)."""
    try:
        h, p, s = token.split(".")
        expected = hmac.new(secret.encode(), f"{h}.{p}".encode(), hashlib.sha256).digest()
        if not hmac.compare_digest(expected, b64url_decode(s)):
            return None
        return json.loads(b64url_decode(p))
    except (ValueError, TypeError):
        return None


def money(x):
    return round(float(x) + 0.0, 2)


def to_number(v, default=None):
    if v is None or v == "":
        return default
    if isinstance(v, bool):
        raise ValueError(f"not a number: {v!r}")
    return float(v)
