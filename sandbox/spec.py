"""Validation of write bodies against Xero's official OpenAPI spec (optional: PyYAML + jsonschema).

The 900 KB YAML is parsed once per process (CSafeLoader when available) and cached as JSON in the
temp folder, keyed by the YAML's path, size and mtime.
"""
import hashlib
import json
import logging
import os
import re
import tempfile
import threading

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


_NUMERIC = re.compile(r"^\s*-?\d+(\.\d+)?\s*$")


class SpecValidator:
    """validate(path_template, method, body) -> list of (json path, message)."""

    def __init__(self, spec_dir):
        self.spec_dir = spec_dir
        self.spec = None
        self.available = None
        self.validators = {}

    def _ensure(self):
        if self.available is not None:
            return self.available
        with _lock:
            if self.available is not None:
                return self.available
            try:
                import jsonschema  # noqa: F401
                import yaml  # noqa: F401
            except ImportError:
                _log.warning("PyYAML or jsonschema missing: spec validation skipped")
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
        key = (path, method)
        if key in self.validators:
            return self.validators[key]
        import jsonschema
        op = (self.spec["paths"].get(path) or {}).get(method.lower()) or {}
        schema = (((op.get("requestBody") or {}).get("content") or {}).get("application/json") or {}).get("schema")
        v = None
        if schema:
            root = {"components": self.spec["components"], **schema}
            base = jsonschema.Draft4Validator

            def is_number(checker, inst):
                if isinstance(inst, bool):
                    return False
                return isinstance(inst, (int, float)) or (isinstance(inst, str) and bool(_NUMERIC.match(inst)))

            def is_integer(checker, inst):
                if isinstance(inst, bool):
                    return False
                if isinstance(inst, float):
                    return inst.is_integer()
                return isinstance(inst, int) or (isinstance(inst, str) and bool(re.match(r"^\s*-?\d+\s*$", inst)))

            def is_boolean(checker, inst):
                return isinstance(inst, bool) or (isinstance(inst, str) and inst.lower() in ("true", "false"))

            checker = base.TYPE_CHECKER.redefine_many({"number": is_number, "integer": is_integer,
                                                       "boolean": is_boolean})
            cls = jsonschema.validators.extend(base, type_checker=checker)
            # enums: Xero is case-insensitive about them; checked by the business rules instead
            cls = jsonschema.validators.extend(cls, {"enum": None, "format": None})
            v = cls(root)
        self.validators[key] = v
        return v

    def validate(self, path, method, body):
        if not self._ensure():
            return []
        v = self._validator(path, method)
        if v is None:
            return []
        errors = []
        for e in v.iter_errors(_strip_nulls(body)):
            loc = ""
            for p in e.absolute_path:
                loc += f"[{p}]" if isinstance(p, int) else (f".{p}" if loc else str(p))
            errors.append((loc or "(body)", e.message))
            if len(errors) >= 20:
                break
        return errors
