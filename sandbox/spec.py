"""Validation against Xero's official OpenAPI spec (optional: PyYAML + jsonschema).

Requests: write bodies against the operation's request schema, relaxed where Xero is lenient.
Responses: JSON answers against the operation's response schema for that status, strictly, as Xero's
SDKs read them: exact JSON types, enums as spelt, ``format: uuid``, ``maxLength``, and Xero's
``/Date(ms+0000)/`` where the spec marks a field ``x-is-msdate``/``x-is-msdate-time``.

The 900 KB YAML is parsed once per process (CSafeLoader when available) and cached as JSON in the
temp folder, keyed by the YAML's path, size and mtime. Validators are built once per
(path, method[, status]) and kept.
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
# what Xero's SDKs parse as a JSON date (xero-python: deserializer.MS_DATETIME_RE)
_MS_DATE = re.compile(r"^/Date\(-?\d+([+-]\d{4})?\)/$")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_NO_SCHEMA = object()


def _loc(error):
    loc = ""
    for p in error.absolute_path:
        loc += f"[{p}]" if isinstance(p, int) else (f".{p}" if loc else str(p))
    return loc or "(body)"


def _ms_date(validator, flag, instance, schema):
    if flag and isinstance(instance, str) and not _MS_DATE.match(instance):
        from jsonschema import ValidationError
        yield ValidationError(f"{instance!r} is not a Xero JSON date (/Date(ms+0000)/)")


def _format(validator, fmt, instance, schema):
    if fmt == "uuid" and isinstance(instance, str) and not _UUID.match(instance):
        from jsonschema import ValidationError
        yield ValidationError(f"{instance!r} is not a 'uuid'")


class SpecValidator:
    """validate(path_template, method, body) -> list of (json path, message)."""

    def __init__(self, spec_dir):
        self.spec_dir = spec_dir
        self.spec = None
        self.available = None
        self.validators = {}
        self._templates = None

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
            errors.append((_loc(e), e.message))
            if len(errors) >= 20:
                break
        return errors

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
        """The (cached) validator of this answer, or None when the spec gives it no JSON schema."""
        if not self._ensure():
            return None
        key = (path, method, int(status))
        v = self.validators.get(key, _NO_SCHEMA)
        if v is not _NO_SCHEMA:
            return v
        import jsonschema
        schema = self.response_schema(path, method, status)
        v = None
        if schema:
            cls = jsonschema.validators.extend(jsonschema.Draft4Validator, {
                "format": _format, "x-is-msdate": _ms_date, "x-is-msdate-time": _ms_date})
            v = cls({"components": self.spec["components"], **schema})
        self.validators[key] = v
        return v

    def validate_response_errors(self, path, method, status, body):
        """The jsonschema errors of a JSON answer (see validate_response)."""
        v = self.response_validator(path, method, status)
        return list(v.iter_errors(body)) if v is not None else []

    location = staticmethod(_loc)

    def validate_response(self, path, method, status, body):
        """Check a JSON answer against the spec's schema for (path template, method, status).

        Returns a list of (json path, message); empty when valid or when the spec has no schema for it.
        Strict: no numeric strings for numbers, enums exactly as the spec spells them (the SDKs
        deserialize by them), ``/Date(ms+0000)/`` where the spec says a field is a Xero date."""
        return [(_loc(e), e.message) for e in self.validate_response_errors(path, method, status, body)[:20]]
