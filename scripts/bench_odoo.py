"""A real ``odoo-bin`` beside a benchmark (run inside ``odoo-bin shell``): started on a free loopback port for the
bench's database, waited for until it answers, stopped. Used by the benches that measure Odoo over HTTP
(bench_latency, bench_webhooks, bench_pull, bench_cron); the shell scripts give the XERO_BENCH_* variables."""
import os
import socket
import subprocess
import sys
import time

import requests


def start_odoo(*options):
    """``odoo-bin`` with ``options`` (``--workers``, ``--max-cron-threads``…) on the bench's database, its output in
    XERO_BENCH_SERVER_LOG. Returns (the process, its base URL)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    db = os.environ["XERO_BENCH_DB"]
    with open(os.environ["XERO_BENCH_SERVER_LOG"], "w") as log:
        server = subprocess.Popen(
            [sys.executable, os.environ["XERO_BENCH_ODOO_BIN"], "-c", os.environ["XERO_BENCH_CONF"], "-d", db,
             f"--db-filter=^{db}$", "--http-port", str(port), *options, "--log-level=warn"],
            stdout=log, stderr=subprocess.STDOUT)
    return server, f"http://127.0.0.1:{port}"


def wait_for_odoo(server, base, timeout=180):
    """Until ``server`` answers its login page; SystemExit when it died or did not answer in ``timeout`` s."""
    deadline = time.time() + timeout
    while True:
        try:
            if requests.get(f"{base}/web/login", timeout=5).status_code == 200:
                return
        except requests.RequestException:
            pass
        if server.poll() is not None or time.time() > deadline:
            raise SystemExit(f"odoo-bin did not answer on {base}: see {os.environ['XERO_BENCH_SERVER_LOG']}")
        time.sleep(0.5)


def stop_odoo(server):
    server.terminate()
    try:
        server.wait(30)
    except subprocess.TimeoutExpired:
        server.kill()
