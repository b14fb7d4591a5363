"""In-memory state of the sandbox (organisations and their records, apps, grants, tokens) and its persistence."""
import collections
import json
import os
import secrets
import tempfile
import threading

from .util import Clock, new_id

COLLECTIONS = {
    # name: (id field, singular)
    "Contacts": ("ContactID", "Contact"),
    "Invoices": ("InvoiceID", "Invoice"),
    "CreditNotes": ("CreditNoteID", "CreditNote"),
    "Quotes": ("QuoteID", "Quote"),
    "PurchaseOrders": ("PurchaseOrderID", "PurchaseOrder"),
    "Items": ("ItemID", "Item"),
    "Accounts": ("AccountID", "Account"),
    "TaxRates": ("TaxType", "TaxRate"),
    "Currencies": ("Code", "Currency"),
    "Payments": ("PaymentID", "Payment"),
    "BankTransactions": ("BankTransactionID", "BankTransaction"),
    "BankTransfers": ("BankTransferID", "BankTransfer"),
    "TrackingCategories": ("TrackingCategoryID", "TrackingCategory"),
}

# (collection, field) -> condition on the record for it to be indexed; values are looked up case-insensitively.
INDEXES = {
    ("Contacts", "Name"): lambda r: r.get("ContactStatus", "ACTIVE") == "ACTIVE",
    ("Contacts", "ContactNumber"): lambda r: True,
    ("Invoices", "InvoiceNumber"): lambda r: r.get("Type") == "ACCREC",
    ("CreditNotes", "CreditNoteNumber"): lambda r: r.get("Type") == "ACCRECCREDIT",
    ("Quotes", "QuoteNumber"): lambda r: True,
    # a deleted purchase order keeps its number (Xero: "Unique alpha numeric code")
    ("PurchaseOrders", "PurchaseOrderNumber"): lambda r: True,
    ("Items", "Code"): lambda r: True,
    ("Accounts", "Code"): lambda r: r.get("Status") != "DELETED",
    ("Accounts", "Name"): lambda r: r.get("Status") != "DELETED",
}


def _key(v):
    return str(v).strip().lower() if v not in (None, "") else None


class Org:
    def __init__(self, tenant_id, name, base_currency="USD", country="US", tier="standard", created=0.0):
        self.tenant_id = tenant_id
        self.name = name
        self.base_currency = base_currency
        self.country = country
        self.tier = tier
        self.created = created
        self.webhook_url = None
        self.webhook_key = None
        self.counters = collections.Counter()
        self.records = {c: {} for c in COLLECTIONS}
        self.index = {k: {} for k in INDEXES}

    # -- records
    def get(self, coll, rid):
        return self.records[coll].get(rid)

    def all(self, coll):
        return list(self.records[coll].values())

    def lookup(self, coll, field, value):
        k = _key(value)
        if k is None:
            return None
        rid = self.index[(coll, field)].get(k)
        return self.records[coll].get(rid) if rid else None

    def put(self, coll, rec):
        idf = COLLECTIONS[coll][0]
        rid = rec[idf]
        old = self.records[coll].get(rid)
        for (c, field), cond in INDEXES.items():
            if c != coll:
                continue
            idx = self.index[(c, field)]
            if old is not None:
                ok = _key(old.get(field))
                if ok is not None and idx.get(ok) == rid:
                    del idx[ok]
            nk = _key(rec.get(field))
            if nk is not None and cond(rec):
                idx[nk] = rid
        self.records[coll][rid] = rec
        return rec

    def rebuild_indexes(self):
        self.index = {k: {} for k in INDEXES}
        for coll in COLLECTIONS:
            for rec in self.records[coll].values():
                self.put(coll, rec)

    def next_number(self, prefix):
        self.counters[prefix] += 1
        return self.counters[prefix]

    def summary(self):
        return {"tenant_id": self.tenant_id, "tenantId": self.tenant_id, "name": self.name,
                "base_currency": self.base_currency, "country": self.country, "tier": self.tier,
                "webhook_url": self.webhook_url, "has_webhook_key": bool(self.webhook_key),
                "counts": {c: len(v) for c, v in self.records.items()}}

    def to_dict(self):
        return {"tenant_id": self.tenant_id, "name": self.name, "base_currency": self.base_currency,
                "country": self.country, "tier": self.tier, "created": self.created,
                "webhook_url": self.webhook_url, "webhook_key": self.webhook_key,
                "counters": dict(self.counters), "records": self.records}

    @classmethod
    def from_dict(cls, d):
        o = cls(d["tenant_id"], d["name"], d.get("base_currency", "USD"), d.get("country", "US"),
                d.get("tier", "standard"), d.get("created", 0.0))
        o.webhook_url = d.get("webhook_url")
        o.webhook_key = d.get("webhook_key")
        o.counters = collections.Counter(d.get("counters") or {})
        for c in COLLECTIONS:
            o.records[c] = dict((d.get("records") or {}).get(c) or {})
        o.rebuild_indexes()
        return o


PERSISTED = ("apps", "users", "connections", "auth_events", "codes", "grants", "refresh_tokens",
             "access_tokens", "idempotency_store", "webhook_sequence", "jwt_secret")


class State:
    """Everything the sandbox knows. Guard every access with ``state.lock``."""

    def __init__(self, clock=None):
        self.lock = threading.RLock()
        self.clock = clock or Clock()
        self.jwt_secret = secrets.token_hex(32)
        self.apps = {}
        self.users = {}
        self.orgs = {}
        self.connections = {}
        self.auth_events = {}
        self.codes = {}
        self.grants = {}
        self.refresh_tokens = {}
        self.access_tokens = {}  # jti -> {grant_id, exp, revoked}
        self.idempotency_store = {}  # "tenant|key" -> stored answer
        self.webhook_sequence = 0
        self.log = collections.deque(maxlen=20000)
        self.faults = []
        self.deliveries = collections.deque(maxlen=5000)
        self.spec_violations = collections.deque(maxlen=1000)

    def now(self):
        return self.clock.now()

    def default_user(self):
        if not self.users:
            uid = new_id()
            self.users[uid] = {"xero_userid": uid, "email": "demo@sandbox.local", "given_name": "Demo",
                               "family_name": "User", "preferred_username": "demo@sandbox.local",
                               "sub": new_id()}
        return next(iter(self.users.values()))

    # -- persistence
    def to_dict(self):
        d = {k: getattr(self, k) for k in PERSISTED}
        d["orgs"] = [o.to_dict() for o in self.orgs.values()]
        d["clock_offset"] = self.clock.offset
        return d

    def load_dict(self, d):
        for k in PERSISTED:
            if k in d:
                setattr(self, k, d[k])
        self.orgs = {}
        for od in d.get("orgs", []):
            o = Org.from_dict(od)
            self.orgs[o.tenant_id] = o
        if "clock_offset" in d:
            self.clock.offset = float(d["clock_offset"])

    def save(self, path):
        data = json.dumps(self.to_dict(), separators=(",", ":"))
        folder = os.path.dirname(os.path.abspath(path))
        fd, tmp = tempfile.mkstemp(prefix=".sandbox-state-", dir=folder)
        try:
            with os.fdopen(fd, "w") as f:
                f.write(data)
            os.replace(tmp, path)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise

    def load(self, path):
        with open(path) as f:
            self.load_dict(json.load(f))
