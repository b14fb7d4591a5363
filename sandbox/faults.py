"""Fault injection per organisation (or for every organisation)."""
import random
import threading

from .util import new_id

KINDS = ("latency", "500", "503", "429", "reset", "lost_response")


class FaultError(ValueError):
    pass


class Faults:
    def __init__(self):
        self.lock = threading.Lock()
        self.items = []

    def add(self, spec):
        kind = str(spec.get("kind") or spec.get("type") or "").lower()
        if kind in ("500", "503", "429"):
            pass
        elif kind in ("status",):
            kind = str(spec.get("status"))
        if kind not in KINDS:
            raise FaultError(f"unknown fault kind {kind!r}; one of {KINDS}")
        f = {"id": new_id(), "kind": kind, "tenant": spec.get("tenant") or spec.get("tenant_id"),
             "method": (spec.get("method") or "").upper() or None, "path": spec.get("path") or None,
             "count": spec.get("count"), "rate": spec.get("rate"), "seed": spec.get("seed"),
             "seconds": float(spec.get("seconds") or spec.get("latency") or 0),
             "problem": spec.get("problem") or "minute", "retry_after": spec.get("retry_after"),
             "lost_mode": spec.get("mode") or "drop", "hits": 0}
        if f["count"] is None and f["rate"] is None:
            f["count"] = 1
        f["_rng"] = random.Random(f["seed"])
        with self.lock:
            self.items.append(f)
        return self.public(f)

    @staticmethod
    def public(f):
        return {k: v for k, v in f.items() if not k.startswith("_")}

    def list(self):
        with self.lock:
            return [self.public(f) for f in self.items]

    def clear(self, tenant=None):
        with self.lock:
            if tenant:
                self.items = [f for f in self.items if f["tenant"] != tenant]
            else:
                self.items = []

    def match(self, tenant, method, path):
        """Returns (latency seconds, fault or None). Consumes counts."""
        delay, hit = 0.0, None
        api_path = path.split("/api.xro/2.0", 1)[-1]
        with self.lock:
            for f in list(self.items):
                if f["tenant"] and f["tenant"] != tenant:
                    continue
                if f["method"] and f["method"] != method:
                    continue
                if f["path"] and not (path.lower().startswith(f["path"].lower())
                                      or api_path.lower().startswith(f["path"].lower())):
                    continue
                if f["kind"] != "latency" and hit is not None:
                    continue
                if f["count"] is not None:
                    if f["count"] <= 0:
                        continue
                    f["count"] -= 1
                elif f["_rng"].random() >= float(f["rate"]):
                    continue
                f["hits"] += 1
                if f["kind"] == "latency":
                    delay += f["seconds"]
                else:
                    hit = f
            self.items = [f for f in self.items if f["count"] is None or f["count"] > 0]
        return delay, hit
