"""Every JSON answer of the Accounting API checked against the response schema of Xero's OpenAPI spec.

A violation is recorded in ``state.spec_violations`` (``kind: "response"``, method, path, status, field,
message), logged, and served by the control API (``GET /_sandbox/spec-violations``); the answer itself is
sent unchanged, so tests see what an SDK would choke on. One repair is made: the echo of an element Xero
refused (``StatusAttributeString: ERROR``) leaves out the values that break the schema (a 300-character
``Name``, an unknown ``Type``), as Xero echoes only what it could read into its own model.
"""
import json
import logging

from .util import iso_z

_log = logging.getLogger("sandbox.spec")
_MAX_PRUNE_PASSES = 4


def _delete(body, path):
    """Remove the value at ``path`` (a sequence of keys/indexes) from ``body``; False if not there."""
    cur = body
    for p in path[:-1]:
        try:
            cur = cur[p]
        except (KeyError, IndexError, TypeError):
            return False
    try:
        del cur[path[-1]]
    except (KeyError, IndexError, TypeError):
        return False
    return True


def _refused(body, path):
    """Whether ``path`` lies inside an element the answer marks as refused (StatusAttributeString ERROR)."""
    if len(path) < 3 or not isinstance(path[1], int):
        return False
    try:
        el = body[path[0]][path[1]]
    except (KeyError, IndexError, TypeError):
        return False
    return isinstance(el, dict) and el.get("StatusAttributeString") == "ERROR"


def _path_order(path):
    return len(path), tuple((0, x, "") if isinstance(x, int) else (1, 0, str(x)) for x in path)


class ConformanceMixin:
    """Mixed into SandboxApp: ``conform(request, sub, response)`` after each Accounting API answer."""

    def record_spec_violation(self, kind, method, path, field, message, status=None):
        v = {"time": iso_z(self.state.now()), "kind": kind, "method": method, "path": path, "field": field,
             "message": message}
        if status is not None:
            v["status"] = status
        self.state.spec_violations.append(v)
        _log.warning("spec violation (%s) %s %s%s: %s: %s", kind, method, path,
                     f" {status}" if status is not None else "", field, message)

    def conform(self, request, sub, resp):
        """Validate a JSON answer; returns the (possibly repaired) response."""
        if not self.config.get("validate_spec", True) or resp.direct_passthrough:
            return resp
        if not (resp.content_type or "").startswith("application/json"):
            return resp
        parts = [p for p in sub.split("/") if p]
        tmpl = self.spec.template(parts, request.method)
        if not tmpl or self.spec.response_validator(tmpl, request.method, resp.status_code) is None:
            return resp
        try:
            body = json.loads(resp.get_data())
        except ValueError as e:
            self.record_spec_violation("response", request.method, request.path, "(body)",
                                       f"not JSON: {e}", resp.status_code)
            return resp
        problems = self.spec.validate_response_errors(tmpl, request.method, resp.status_code, body)
        repaired = False
        for _ in range(_MAX_PRUNE_PASSES):
            echo = {p for p, _msg in problems if _refused(body, p)}
            if not echo:
                break
            # deepest and last first, so that deleting list items does not shift the others
            for path in sorted(echo, key=_path_order, reverse=True):
                repaired |= _delete(body, list(path))
            problems = self.spec.validate_response_errors(tmpl, request.method, resp.status_code, body)
        if repaired:
            resp.set_data(json.dumps(body).encode("utf-8"))
        for path, message in problems[:20]:
            self.record_spec_violation("response", request.method, request.path, self.spec.location(path),
                                       message, resp.status_code)
        return resp
