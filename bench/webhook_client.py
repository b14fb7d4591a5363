"""The sending side of bench/bench_webhooks, in a process of its own (not a test; it prints JSON).

Run by bench/bench_webhooks_odoo.py so the answer times are not measured by threads that share an interpreter lock
with the export and the sandbox running in the bench's process (a delivery's timer would include the time its
thread waits for that lock). Reads deliveries as JSON lines ``[provider, body as text]`` from the file given,
signs them as each provider does, sends them CONCURRENCY at a time and prints ``[[provider, seconds, status], …]``.

    python3 bench/webhook_client.py BASE_URL DELIVERIES_FILE CONCURRENCY
    (secrets in XERO_BENCH_XERO_KEY, XERO_BENCH_STRIPE_SECRET, XERO_BENCH_GOCARDLESS_SECRET)
"""
import base64
import hashlib
import hmac
import json
import os
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import requests

PATHS = {"xero": "/xero/webhook", "stripe": "/xero/webhook/stripe", "gocardless": "/xero/webhook/gocardless"}
XERO_KEY = os.environ["XERO_BENCH_XERO_KEY"]
STRIPE_SECRET = os.environ["XERO_BENCH_STRIPE_SECRET"]
GOCARDLESS_SECRET = os.environ["XERO_BENCH_GOCARDLESS_SECRET"]


def headers(provider, body):
    if provider == "xero":
        return {"x-xero-signature": base64.b64encode(hmac.new(XERO_KEY.encode(), body, hashlib.sha256).digest()).decode()}
    if provider == "stripe":
        stamp = int(time.time())
        signed = hmac.new(STRIPE_SECRET.encode(), str(stamp).encode() + b"." + body, hashlib.sha256).hexdigest()
        return {"Stripe-Signature": f"t={stamp},v1={signed}"}
    return {"Webhook-Signature": hmac.new(GOCARDLESS_SECRET.encode(), body, hashlib.sha256).hexdigest()}


def main(base, path, concurrency):
    with open(path) as lines:
        deliveries = [(provider, body.encode()) for provider, body in map(json.loads, lines)]
    session = threading.local()

    def deliver(item):
        provider, body = item
        http = getattr(session, "http", None) or requests.Session()
        session.http = http
        sent_headers = dict(headers(provider, body), **{"Content-Type": "application/json"})
        started = time.perf_counter()
        answer = http.post(base + PATHS[provider], data=body, timeout=30, headers=sent_headers)
        return provider, time.perf_counter() - started, answer.status_code

    with ThreadPoolExecutor(concurrency) as pool:
        print(json.dumps(list(pool.map(deliver, deliveries))))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
