"""Parsing of Xero's answers: JSON or XML error bodies, validation messages."""
from __future__ import annotations

import json
import logging

import xmltodict

_logger = logging.getLogger(__name__)

# XML containers whose children are a repeated element (<Elements><DataContractBase/>…</Elements>)
_LIST_CONTAINERS = {"Elements", "ValidationErrors", "Warnings"}


def _decode(content) -> str:
    if content is None:
        return ""
    if isinstance(content, bytes):
        return content.decode("utf-8", "replace")
    return str(content)


def _as_list(value) -> list:
    if value is None:
        return []
    if isinstance(value, list):
        return value
    return [value]


def _normalize_xml(node):
    """Turn xmltodict output into the shape of Xero's JSON answers."""
    if isinstance(node, list):
        return [_normalize_xml(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key.startswith("@"):
            continue  # attributes (xmlns, i:type)
        if key == "#text":
            out["text"] = value
            continue
        if key in _LIST_CONTAINERS:
            if isinstance(value, dict):
                children = [v for k, v in value.items() if not k.startswith("@")]
                items = []
                for child in children:
                    items.extend(_as_list(child))
                value = items
            elif value is None or isinstance(value, str):
                value = [] if not (value or "").strip() else [{"Message": value}]
            out[key] = [_normalize_xml(v) for v in value]
        else:
            out[key] = _normalize_xml(value)
    return out


def parse_error_body(content, content_type: str | None = "") -> dict:
    """Parse an answer body (JSON or XML) into a dict; never raises.

    JSON lists are wrapped as ``{"items": [...]}``; XML is unwrapped from its root element
    (``<ApiException>``) and shaped like Xero's JSON (``Elements`` / ``ValidationErrors`` as lists).
    Unparseable content gives ``{"raw": <short excerpt>}``; empty content gives ``{}``.
    """
    text = _decode(content).strip()
    if not text:
        return {}
    ctype = (content_type or "").lower()
    looks_json = text[:1] in "{[" or "json" in ctype
    looks_xml = text[:1] == "<" or "xml" in ctype
    if looks_json:
        try:
            data = json.loads(text)
        except ValueError:
            data = None
        else:
            if isinstance(data, dict):
                return data
            if isinstance(data, list):
                return {"items": data}
            return {"value": data}
    if looks_xml:
        try:
            parsed = xmltodict.parse(text)
        except Exception:  # garbage is expected here (ExpatError and friends)
            parsed = None
        if isinstance(parsed, dict) and parsed:
            root_name, root = next(iter(parsed.items()))
            root = _normalize_xml(root) if isinstance(root, dict) else {"text": root}
            if isinstance(root, dict):
                root.setdefault("_root", root_name)
                return root
    return {"raw": text[:500]}


def _messages_of(items) -> list[str]:
    out = []
    for item in _as_list(items):
        if isinstance(item, dict):
            msg = item.get("Message") or item.get("message")
        else:
            msg = item
        if msg:
            out.append(str(msg))
    return out


def validation_messages(body: dict) -> list[dict]:
    """Per-element validation messages of an error body: ``[{"index": i, "messages": [...]}]``.

    Only elements that carry at least one message are listed; ``index`` is the element's
    position in the request (and in Xero's ``Elements`` list).
    """
    if not isinstance(body, dict):
        return []
    result = []
    for index, element in enumerate(_as_list(body.get("Elements"))):
        if not isinstance(element, dict):
            continue
        messages = _messages_of(element.get("ValidationErrors"))
        if messages:
            result.append({"index": index, "messages": messages})
    return result


def error_message(body: dict, default: str = "") -> str:
    """The most useful one-line message of an error body (Xero's Message, Detail, error…)."""
    if not isinstance(body, dict):
        return default
    elements = validation_messages(body)
    if elements:
        return "; ".join(m for el in elements for m in el["messages"])
    for key in ("Message", "Detail", "detail", "Title", "title", "error_description", "error", "message", "raw"):
        value = body.get(key)
        if value and isinstance(value, str):
            return value
    return default


def flat_messages(body: dict) -> list[str]:
    """All validation messages of an error body, or its top-level message when no element has any."""
    msgs = [m for el in validation_messages(body) for m in el["messages"]]
    if msgs:
        return msgs
    msg = error_message(body)
    return [msg] if msg else []


def parse_retry_after(value) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (seconds or HTTP date); None if absent/garbage."""
    if value is None:
        return None
    text = str(value).strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        import email.utils
        import time

        try:
            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return None
        if when is None:
            return None
        seconds = when.timestamp() - time.time()
    if seconds != seconds:  # NaN
        return None
    return max(0.0, seconds)


def url_path(url: str) -> str:
    """The path of a URL (no query string: nothing secret ends up in logs)."""
    from urllib.parse import urlsplit

    return urlsplit(url).path
