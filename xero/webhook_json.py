"""A webhook's raw body, read and parsed within limits (ORM-free).

:func:`read_at_most` reads a body of unknown length (chunked) without ever holding more than the limit and one
byte; :func:`parse_webhook_json` turns it into the JSON object it carries.

Xero's, Stripe's and GoCardless' webhooks are JSON objects of a few kilobytes, nested a handful of levels
deep. A body is refused (:class:`WebhookBodyError`, a ``ValueError``, whose message names the cause) when it
is not UTF-8, not JSON, nested deeper than ``max_depth`` arrays/objects, or not an object at its top level.

The depth is measured before ``json.loads`` runs, without recursion: Python's JSON decoder recurses once per
level, and a body of ``[[[[…]]]]`` 100,000 deep makes it raise ``RecursionError`` (with the whole stack in a
traceback) instead of a ``ValueError``. The measure skips JSON strings, so brackets inside text do not count.
"""
from __future__ import annotations

import json
import re
from itertools import accumulate

MAX_BODY_BYTES = 1024 * 1024  # 1 MiB: webhooks are a few KB; a GoCardless delivery of 250 events is ~150 KB
MAX_JSON_DEPTH = 64

# A JSON string, escapes included; an unterminated one runs to the end of the text (json.loads refuses it).
# It always matches once started (a closing quote, or the end): no backtracking, linear on any input (a
# pattern requiring the closing quote rescans the rest of the text from every escaped quote: quadratic).
_STRING = re.compile(r'"(?:[^"\\]+|\\.)*(?:"|\\?\Z)', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


class WebhookBodyError(ValueError):
    """The body is not a JSON object within the limits; the message says why (never quotes the body)."""


def read_at_most(stream, limit: int = MAX_BODY_BYTES) -> bytes:
    """Up to ``limit + 1`` bytes of ``stream`` (a file-like ``read(n)``): more than ``limit`` means the body is too
    large, and the rest is never read. Loops, as a stream may return fewer bytes than asked (one chunk of a
    chunked body)."""
    chunks, size = [], 0
    while size <= limit:
        chunk = stream.read(limit + 1 - size)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def json_depth(text: str) -> int:
    """The deepest nesting of arrays and objects in JSON ``text`` (0 for a scalar), counted iteratively."""
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    return max(accumulate(_STEP[c] for c in brackets), default=0)


def parse_webhook_json(body: bytes, max_depth: int = MAX_JSON_DEPTH) -> dict:
    """The JSON object of a webhook's raw ``body`` (bytes); raises :class:`WebhookBodyError`."""
    if isinstance(body, str):
        text = body
    else:
        try:
            text = bytes(body).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise WebhookBodyError(f"the body is not UTF-8 text (byte {exc.start})") from None
    depth = json_depth(text)
    if depth > max_depth:
        raise WebhookBodyError(f"the JSON is nested {depth} levels deep, more than the {max_depth} accepted")
    try:
        payload = json.loads(text)
    except RecursionError:  # not expected once the depth is checked; never a traceback
        raise WebhookBodyError("the JSON is nested too deeply") from None
    except ValueError as exc:
        raise WebhookBodyError(f"the body is not JSON ({_short(exc)})") from None
    if not isinstance(payload, dict):
        raise WebhookBodyError(f"the JSON is {_kind(payload)}, not an object")
    return payload


def _short(exc: ValueError) -> str:
    message = str(exc)
    return message if len(message) <= 120 else message[:117] + "..."


def _kind(value) -> str:
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if value is None:
        return "null"
    return "a number"
