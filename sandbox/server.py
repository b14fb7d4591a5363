"""Run the sandbox in a background thread (threaded werkzeug server): for tests and scripts."""
import logging
import threading

from werkzeug.serving import make_server

from .app import create_app


class ServerHandle:
    def __init__(self, server, app, thread):
        self.server = server
        self.app = app
        self.thread = thread
        self.host, self.port = server.server_address[:2]
        self.url = f"http://{self.host}:{self.port}"
        self._stopped = False

    @property
    def state(self):
        return self.app.state

    def stop(self):
        if self._stopped:
            return
        self._stopped = True
        self.app.webhooks.stop()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


class _QuietFilter(logging.Filter):
    def filter(self, record):
        return False


def start(port=0, host="127.0.0.1", quiet=True, **config):
    """Start a sandbox on host:port (0 = a free port) in a daemon thread.

    Keyword arguments are sandbox config keys (see sandbox.app.DEFAULT_CONFIG). Returns a ServerHandle
    with ``.url``, ``.app`` (the SandboxApp, ``.app.state``) and ``.stop()``."""
    app = create_app(config)
    if quiet:
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server(host, port, app, threaded=True)
    if not config.get("base_url"):
        app.config["base_url"] = f"http://{host}:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="sandbox-server", daemon=True)
    thread.start()
    return ServerHandle(server, app, thread)
