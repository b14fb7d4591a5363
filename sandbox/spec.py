"""Validation against Xero's official OpenAPI spec (optional: PyYAML).

Requests: write bodies against the operation's request schema, relaxed where Xero is lenient.
Responses: JSON answers against the operation's response schema for that status, strictly, as Xero's
SDKs read them: exact JSON types, enums as spelt, ``format: uuid``, ``maxLength``, and Xero's
``/Date(ms+0000)/`` where the spec marks a field ``x-is-msdate``/``x-is-msdate-time``.

The 900 KB YAML is parsed once per process (CSafeLoader when available) and cached as JSON in the
temp folder, keyed by the YAML's path, size and mtime. Schemas are compiled (schema_check.py) once per
(path, method[, status]) and kept.
"""
import hashlib
import json
import logging
import os
import tempfile
import threading

from .schema_check import Compiler, location

_log = logging.getLogger("sandbox.spec")
_lock = threading.Lock()
_cache = {}


def find_spec_dir(explicit=None):
    for cand in (explicit, os.environ.get("XERO_OPENAPI_DIR")):
        if cand and os.path.isfile(os.path.join(cand, "xero_accounting.yaml")):
            return cand
    here = os.path.dirname(os.path.abspath(__file__))
    d = here
    for _ in range(6):
        cand = os.path.join(d, "shared", "xero-openapi")
        if os.path.isfile(os.path.join(cand, "xero_accounting.yaml")):
            return cand
        parent = os.path.dirname(d)
        if parent == d:
            break
        d = parent
    return None


def _load_spec(path):
    st = os.stat(path)
    tag = hashlib.sha1(f"{os.path.abspath(path)}|{st.st_size}|{st.st_mtime_ns}".encode()).hexdigest()[:16]
    cache_file = os.path.join(tempfile.gettempdir(), f"xero-sandbox-spec-{tag}.json")
    if os.path.exists(cache_file):
        try:
            with open(cache_file) as f:
                return json.load(f)
        except (OSError, ValueError):
            pass
    import yaml
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with open(path) as f:
        spec = yaml.load(f, Loader=loader)
    spec = json.loads(json.dumps(spec, default=str))
    try:
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(cache_file), prefix=".xero-spec-")
        with os.fdopen(fd, "w") as f:
            json.dump(spec, f)
        os.replace(tmp, cache_file)
    except OSError:
        pass
    return spec


def _strip_nulls(v):
    if isinstance(v, dict):
        return {k: _strip_nulls(x) for k, x in v.items() if x is not None}
    if isinstance(v, list):
        return [_strip_nulls(x) for x in v if x is not None]
    return v


_NO_SCHEMA = object()


class SpecValidator:
    """validate(path_template, method, body) -> list of (json path, message)."""

    def __init__(self, spec_dir):
        self.spec_dir = spec_dir
        self.spec = None
        self.available = None
        self.validators = {}
        self._templates = None
        self._compiler = None
        self._request_compiler = None

    def _ensure(self):
        if self.available is not None:
            return self.available
        with _lock:
            if self.available is not None:
                return self.available
            try:
                import yaml  # noqa: F401
            except ImportError:
                _log.warning("PyYAML missing: spec validation skipped")
                self.available = False
                return False
            path = os.path.join(self.spec_dir or "", "xero_accounting.yaml")
            if not self.spec_dir or not os.path.isfile(path):
                _log.warning("xero_accounting.yaml not found: spec validation skipped")
                self.available = False
                return False
            key = os.path.abspath(path)
            if key not in _cache:
                _cache[key] = _load_spec(path)
            self.spec = _cache[key]
            self.available = True
            return True

    def _validator(self, path, method):
        key = (path, method.upper())
        v = self.validators.get(key, _NO_SCHEMA)
        if v is not _NO_SCHEMA:
            return v
        op = (self.spec["paths"].get(path) or {}).get(method.lower()) or {}
        schema = (((op.get("requestBody") or {}).get("content") or {}).get("application/json") or {}).get("schema")
        with _lock:
            if key not in self.validators:
                if self._request_compiler is None:
                    self._request_compiler = Compiler(self.spec["components"], relaxed=True)
                self.validators[key] = self._request_compiler.compile(schema)
            return self.validators[key]

    def validate(self, path, method, body):
        """Check a write body against the operation's request schema, relaxed where Xero is lenient (numeric
        strings, "true"/"false", nulls ignored; enums and formats left to the business rules).

        Returns up to 20 (json path, message)."""
        if not self._ensure():
            return []
        check = self._validator(path, method)
        if check is None:
            return []
        errors = []
        check(_strip_nulls(body), [], errors)
        return [(location(p), m) for p, m in errors[:20]]

    # ------------------------------------------------------------------ responses
    def template(self, parts, method=None):
        """The spec's path template for these URL segments (after /api.xro/2.0/), or None.

        Literal segments win over ``{parameters}``; with ``method``, a template that has that operation wins
        (``POST Contacts/<id>`` is ``/Contacts/{ContactID}``, not the GET-only ``/Contacts/{ContactNumber}``)."""
        if not self._ensure():
            return None
        if self._templates is None:
            index = {}
            for p, ops in self.spec["paths"].items():
                segs = [x for x in p.split("/") if x]
                if segs:
                    index.setdefault((len(segs), segs[0].lower()), []).append((p, segs, set(ops)))
            for cands in index.values():
                cands.sort(key=lambda c: sum(x.startswith("{") for x in c[1]))
            self._templates = index
        key = (len(parts), parts[0].lower() if parts else "")
        found = None
        for p, segs, ops in self._templates.get(key, ()):
            if all(a.startswith("{") or a.lower() == b.lower() for a, b in zip(segs, parts, strict=True)):
                if method is None or method.lower() in ops:
                    return p
                found = found or p
        return found

    def response_schema(self, path, method, status):
        """The JSON schema of this answer in the spec (``$ref`` to components/responses resolved), or None."""
        op = (self.spec["paths"].get(path) or {}).get(method.lower()) or {}
        resp = (op.get("responses") or {}).get(str(status))
        if isinstance(resp, dict) and "$ref" in resp:
            resp = self.spec["components"]["responses"].get(resp["$ref"].rsplit("/", 1)[-1])
        return (((resp or {}).get("content") or {}).get("application/json") or {}).get("schema")

    def response_validator(self, path, method, status):
        """The (cached) check of this answer, or None when the spec gives it no JSON schema."""
        if not self._ensure():
            return None
        key = (path, method.upper(), int(status))
        v = self.validators.get(key, _NO_SCHEMA)
        if v is not _NO_SCHEMA:
            return v
        with _lock:
            if key not in self.validators:
                if self._compiler is None:
                    self._compiler = Compiler(self.spec["components"])
                self.validators[key] = self._compiler.compile(self.response_schema(path, method, status))
            return self.validators[key]

    def validate_response_errors(self, path, method, status, body):
        """The problems of a JSON answer, as (path tuple, message) (see validate_response)."""
        check = self.response_validator(path, method, status)
        errors = []
        if check is not None:
            check(body, [], errors)
        return errors

    location = staticmethod(location)

    def validate_response(self, path, method, status, body):
        """Check a JSON answer against the spec's schema for (path template, method, status).

        Returns a list of (json path, message); empty when valid or when the spec has no schema for it.
        Strict, as Xero's SDKs read answers: exact JSON types (no numeric strings), enums exactly as the spec
        spells them, ``format: uuid``, ``maxLength``, ``/Date(ms+0000)/`` where the spec says a field is a Xero
        date (``x-is-msdate``, ``x-is-msdate-time``). See schema_check.py."""
        return [(location(p), m) for p, m in self.validate_response_errors(path, method, status, body)[:20]]
