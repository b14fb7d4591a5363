"""Screenshots of a running Odoo, taken in headless Chromium as a logged-in user.

    .venv/bin/python scripts/screenshot.py URL_BASE LOGIN PASSWORD OUT.png PATH [PATH ...]

Each PATH (e.g. "/odoo/settings#xero_connector") is opened after logging in through /web/login and
saved as OUT-1.png, OUT-2.png… (or OUT.png for a single path). "PATH::SELECTOR" clicks SELECTOR (a
CSS selector, e.g. a notebook tab) before the screenshot; "PATH::scroll:SELECTOR" scrolls it to the top. Uses Debian's chromium and the
websocket-client package (Chrome DevTools Protocol); nothing is downloaded.
"""

import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import requests
import websocket

CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--hide-scrollbars", "--window-size=1400,1000", "--remote-allow-origins=*",
]


class Browser:
    def __init__(self):
        self.profile = tempfile.mkdtemp(prefix="xc-chromium-")
        port_file = os.path.join(self.profile, "DevToolsActivePort")
        binary = shutil.which("chromium") or shutil.which("chromium-browser")
        if not binary:
            sys.exit("chromium is not installed (apt-get install chromium)")
        self.proc = subprocess.Popen(
            [binary, *CHROMIUM_FLAGS, "--remote-debugging-port=0", f"--user-data-dir={self.profile}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        for _ in range(100):
            if os.path.exists(port_file) and open(port_file).read().strip():
                break
            time.sleep(0.1)
        port = open(port_file).read().split()[0]
        targets = requests.get(f"http://127.0.0.1:{port}/json", timeout=10).json()
        page = next(t for t in targets if t["type"] == "page")
        self.ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=30)
        self.next_id = 0

    def call(self, method, **params):
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def evaluate(self, expression):
        return self.call("Runtime.evaluate", expression=expression, returnByValue=True).get("result", {}).get("value")

    def open(self, url, ready="document.readyState === 'complete'", settle=2.5, timeout=30):
        self.call("Page.navigate", url=url)
        deadline = time.time() + timeout
        while time.time() < deadline:
            time.sleep(0.3)
            if self.evaluate(ready):
                break
        time.sleep(settle)

    def screenshot(self, path):
        data = self.call("Page.captureScreenshot", format="png", captureBeyondViewport=False)["data"]
        with open(path, "wb") as fh:
            fh.write(base64.b64decode(data))

    def close(self):
        self.ws.close()
        self.proc.terminate()
        self.proc.wait(timeout=10)
        shutil.rmtree(self.profile, ignore_errors=True)


def main(base, login, password, out, *paths):
    browser = Browser()
    try:
        browser.call("Page.enable")
        browser.open(f"{base}/web/login")
        browser.evaluate(
            f"document.querySelector('input[name=login]').value = {json.dumps(login)};"
            f"document.querySelector('input[name=password]').value = {json.dumps(password)};"
            "document.querySelector('form').submit();"
        )
        time.sleep(3)
        stem, ext = os.path.splitext(out)
        for index, spec in enumerate(paths, 1):
            path, _sep, click = spec.partition("::")
            browser.open(base + path, ready="!!document.querySelector('.o_action_manager .o_view_controller')")
            if click.startswith("scroll:"):  # bring an element to the top instead of clicking it
                browser.evaluate(f"document.querySelector({json.dumps(click[7:])}).scrollIntoView()")
                time.sleep(1.5)
            elif click:
                browser.evaluate(f"document.querySelector({json.dumps(click)}).click()")
                time.sleep(1.5)
            target = out if len(paths) == 1 else f"{stem}-{index}{ext}"
            browser.screenshot(target)
            print(target)
    finally:
        browser.close()


if __name__ == "__main__":
    if len(sys.argv) < 6:
        sys.exit(__doc__)
    main(*sys.argv[1:])
