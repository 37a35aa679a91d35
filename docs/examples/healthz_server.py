#!/usr/bin/env python3
"""Dapr v1.0's healthz servers in Python (standard library only), speaking probekit's
server process protocol 1 (docs/conformance.md#healthz-servers).

    probekit conformance server --exec "python3 docs/examples/healthz_server.py" --profile sidecar

- PROBEKIT_PORT: the port to listen on, on 127.0.0.1.
- PROBEKIT_PROFILE: control-plane (/healthz 200/503) or sidecar (/v1.0/healthz 204/500 JSON).
- stdin: one command a line, "ready" or "not-ready"; each is answered "ok" on stdout, flushed,
  once the change is in effect. Nothing else goes to stdout (http.server logs go to stderr).

It passes the core cases of both profiles. Of the strict ones it fails every control-plane case,
as any server not built on Go's net/http would (http.server adds a Server header, sends
Content-Length on HEAD, does not redirect //healthz), and the sidecar's path normalisation
(/v1.0/./healthz is 404 here, served by fasthttp).
"""
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PROTOCOL = "1"
PROFILE = os.environ.get("PROBEKIT_PROFILE", "control-plane")
PORT = int(os.environ.get("PROBEKIT_PORT", "8080"))

NOT_READY_BODY = b'{"errorCode":"ERR_HEALTH_NOT_READY","message":"dapr is not ready"}'
SIDECAR_PATH = "/v1.0/healthz"


class Readiness:
    """One flag, as Dapr's Ready()/NotReady(): only its current value matters."""

    def __init__(self):
        self._ready = False
        self._lock = threading.Lock()

    def set(self, value):
        with self._lock:
            self._ready = value

    def get(self):
        with self._lock:
            return self._ready


readiness = Readiness()


class Handler(BaseHTTPRequestHandler):
    def respond(self, status, headers=(), body=b""):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        if status != 204:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body and self.command != "HEAD":
            self.wfile.write(body)

    def control_plane(self):
        # Any method, any query string: only the exact path /healthz is served.
        path = self.path.split("?", 1)[0]
        if path != "/healthz":
            self.respond(404, [("Content-Type", "text/plain; charset=utf-8")], b"404 page not found\n")
        else:
            self.respond(200 if readiness.get() else 503)

    def sidecar(self):
        path = self.path.split("?", 1)[0]
        bare = path[:-1] if path.endswith("/") else path
        # daprd's router repairs a GET path that differs only by a trailing slash or letter
        # case, with an absolute Location on the (lowercased) Host.
        if path != SIDECAR_PATH and bare.lower() == SIDECAR_PATH and self.command == "GET":
            query = self.path[len(path):]
            host = (self.headers.get("Host") or "").lower()
            self.respond(301, [("Location", "http://" + host + SIDECAR_PATH + query)])
        elif path != SIDECAR_PATH:
            self.respond(404, [("Content-Type", "text/plain; charset=utf-8")], b"Not Found")
        elif self.command == "OPTIONS":
            self.respond(200, [("Allow", "GET, OPTIONS")])
        elif self.command != "GET":
            self.respond(405, [("Allow", "GET, OPTIONS"), ("Content-Type", "text/plain; charset=utf-8")],
                         b"Method Not Allowed")
        elif readiness.get():
            self.respond(204)
        else:
            self.respond(500, [("Content-Type", "application/json")], NOT_READY_BODY)

    def handle_any(self):
        # Drain a request body so the connection stays in sync.
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        if PROFILE == "sidecar":
            self.sidecar()
        else:
            self.control_plane()

    do_GET = do_HEAD = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = handle_any

    def log_message(self, format, *args):
        sys.stderr.write("%s %s\n" % (self.address_string(), format % args))


def read_commands():
    for line in sys.stdin:
        command = line.strip()
        if not command:
            continue
        if command == "ready":
            readiness.set(True)
            answer = "ok"
        elif command == "not-ready":
            readiness.set(False)
            answer = "ok"
        else:
            answer = "error unknown command %r" % command
        # The change is in effect before its "ok" is written: the protocol's ordering guarantee.
        sys.stdout.write(answer + "\n")
        sys.stdout.flush()


def main():
    version = os.environ.get("PROBEKIT_SERVER_PROTOCOL", PROTOCOL)
    if version != PROTOCOL:
        sys.stderr.write("unsupported server protocol %s (this server speaks %s)\n" % (version, PROTOCOL))
        return 2
    if PROFILE not in ("control-plane", "sidecar"):
        sys.stderr.write("unknown profile %r\n" % PROFILE)
        return 2
    server = ThreadingHTTPServer(("127.0.0.1", PORT), Handler)
    server.daemon_threads = True
    threading.Thread(target=read_commands, daemon=True).start()
    sys.stdout.write("listening on http://127.0.0.1:%d\n" % PORT)
    sys.stdout.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
