"""python -m sandbox --host 127.0.0.1 --port 8090 [options]: a local Xero for the demo and the tests."""
import argparse
import logging

from werkzeug.serving import make_server

from .app import create_app


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m sandbox", description="Local Xero sandbox")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8090)
    p.add_argument("--state", dest="state_file", help="JSON file: loaded at start, saved after each change")
    p.add_argument("--client-id")
    p.add_argument("--client-secret")
    p.add_argument("--redirect-uri", action="append", dest="redirect_uris",
                   help="registered redirect URI of the default app (repeatable)")
    p.add_argument("--auto-approve", action="store_true", help="skip the consent page (connect every org)")
    p.add_argument("--webhook-url")
    p.add_argument("--webhook-key")
    p.add_argument("--minute-limit", type=int)
    p.add_argument("--minute-window", type=float)
    p.add_argument("--concurrency", type=int)
    p.add_argument("--day-limit", type=int)
    p.add_argument("--day-window", type=float)
    p.add_argument("--no-limits", action="store_true")
    p.add_argument("--no-spec", action="store_true", help="do not validate write bodies against the OpenAPI spec")
    p.add_argument("--openapi-dir")
    p.add_argument("--base-url", help="public base URL used in webhook resourceUrl (default http://host:port)")
    p.add_argument("--seed", choices=("demo", "none"), default="demo")
    p.add_argument("-v", "--verbose", action="store_true")
    a = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO if a.verbose else logging.WARNING,
                        format="%(asctime)s %(name)s %(levelname)s %(message)s")
    config = {k: v for k, v in vars(a).items()
              if k not in ("host", "port", "verbose", "no_limits", "no_spec") and v is not None}
    if not a.auto_approve:
        config.pop("auto_approve")
    if a.no_limits:
        config["limits"] = False
    if a.no_spec:
        config["validate_spec"] = False
    config.setdefault("base_url", f"http://{a.host}:{a.port}")
    app = create_app(config)
    server = make_server(a.host, a.port, app, threaded=True)
    print(f"Xero sandbox on http://{a.host}:{server.server_address[1]} "
          f"(client id {app.config['client_id']}, redirect URIs {app.config['redirect_uris']}); "
          f"orgs: {', '.join(o.name + ' ' + o.tenant_id for o in app.state.orgs.values())}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        app.webhooks.stop()
        app.mutated()


if __name__ == "__main__":
    main()
