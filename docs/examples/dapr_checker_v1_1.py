#!/usr/bin/env python3
"""Dapr v1.1.0–v1.8.7's HTTP health checker, ported to Python, as a probekit conformance adapter.

Dapr's ``pkg/health/health.go@v1.1.0`` with fasthttp v1.21–v1.31 (docs/profiles.md, "v1.0 →
v1.1"): Dapr v1.0's loop (dapr_checker.py) with one line more. When the failure count reaches
the threshold it is decremented **before** ``false`` is sent, so it stays at n - 1 and every
further failing probe sends ``false`` again (n = 1: on every failure; n <= 0: the count never
equals n, never false). The rest
is v1.0's:

- the ticker starts first, then the initial delay; probes one at a time in the loop (a tick that
  waits while a probe runs is taken at once, later ones are dropped);
- ``true`` on every success (and the count back to 0); the signal channel holds one value and a
  send blocks the loop while it is full;
- fasthttp's ``DoTimeout``: the whole response, body included, must arrive within the request
  timeout (the connection is closed when it does not); redirects are not followed (a 3xx is
  just a status); a timeout of 0 fails at once, nothing sent; keep-alive **without retry**: an
  idle connection is reused as it is (dropped only after fasthttp's 10 s
  ``MaxIdleConnDuration``), so a probe written to a connection the server closed fails.

    probekit conformance checker --exec "python3 docs/examples/dapr_checker_v1_1.py" --identify

The protocol is ``run`` in probekit_protocol.py, next to this file.
"""

import http.client
import queue
import socket
import sys
import threading
import time
import urllib.parse

sys.dont_write_bytecode = True  # importing the module below leaves no __pycache__ in docs/examples
from probekit_protocol import Ticker, run  # noqa: E402

# applyDefaults() in pkg/health/health.go@v1.1.0
DEFAULT_INITIAL_DELAY = 1.0  # seconds
DEFAULT_REQUEST_TIMEOUT = 2.0
DEFAULT_FAILURE_THRESHOLD = 2
DEFAULT_INTERVAL = 5.0
DEFAULT_SUCCESS_STATUS_CODE = 200

# fasthttp.DefaultMaxIdleConnDuration: an idle keep-alive connection older than this is closed.
MAX_IDLE_CONN_DURATION = 10.0


class _Connection(http.client.HTTPConnection):
    """A keep-alive connection that another thread can cancel, even while it connects."""

    def __init__(self, host, port, timeout):
        super().__init__(host, port, timeout=timeout)
        self._lock = threading.Lock()
        self._cancelled = False
        self.idle_since = time.monotonic()

    def connect(self):
        super().connect()
        with self._lock:
            if self._cancelled:
                # Cancelled while connecting: the request must never reach the server late.
                self.sock.close()
                raise ConnectionAbortedError("probe timed out while connecting")

    def cancel(self):
        """Aborts an exchange in progress: the server sees the connection close."""
        with self._lock:
            self._cancelled = True
            if self.sock is not None:
                try:
                    self.sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


class Client:
    """What the checker uses of fasthttp: ``DoTimeout``, GET with a deadline on the whole exchange.

    The request runs on its own thread and the caller gives up at the deadline (the connection
    is then closed, so the next probe opens a new one), as fasthttp v1.21–v1.31 do
    (``clientDoDeadline``); ``MaxIdemponentCallAttempts: 1``: nothing is ever sent twice.
    """

    def __init__(self, address):
        parsed = urllib.parse.urlsplit(address)
        self._valid = parsed.scheme == "http" and bool(parsed.hostname)
        self._host = parsed.hostname
        self._port = parsed.port or 80
        self._target = (parsed.path or "/") + (f"?{parsed.query}" if parsed.query else "")
        self._idle = None

    def get(self, timeout):
        """The response status, or None for any failure (timeout, refused, reset, ...)."""
        if not self._valid or timeout <= 0:
            return None  # fasthttp fails at once: nothing is sent
        conn = self._idle
        self._idle = None
        if conn is not None and time.monotonic() - conn.idle_since >= MAX_IDLE_CONN_DURATION:
            conn.close()
            conn = None
        if conn is None:
            conn = _Connection(self._host, self._port, timeout)
        result = {}
        done = threading.Event()

        def exchange():
            try:
                conn.request("GET", self._target, headers={"User-Agent": "dapr_checker_v1_1.py"})
                response = conn.getresponse()
                response.read()  # fasthttp reads the whole body before DoTimeout returns
                result["status"] = response.status
            except Exception as error:  # noqa: BLE001 - every failure is just a failed probe
                result["error"] = error
            finally:
                done.set()

        threading.Thread(target=exchange, name="probe", daemon=True).start()
        if not done.wait(timeout):
            conn.cancel()
            conn.close()
            return None
        if "error" in result:
            conn.close()  # no retry: a reused connection the server closed fails this probe
            return None
        conn.idle_since = time.monotonic()
        self._idle = conn
        return result["status"]


def start_endpoint_health_check(
    address,
    initial_delay=DEFAULT_INITIAL_DELAY,
    request_timeout=DEFAULT_REQUEST_TIMEOUT,
    failure_threshold=DEFAULT_FAILURE_THRESHOLD,
    interval=DEFAULT_INTERVAL,
    success_status_code=DEFAULT_SUCCESS_STATUS_CODE,
):
    """StartEndpointHealthCheck: returns the signal channel, a queue that holds one value."""
    if interval <= 0:
        # Go's time.NewTicker panics on a non-positive interval; Dapr dies with it.
        raise ValueError(f"non-positive interval for NewTicker: {interval}")
    signals = queue.Queue(maxsize=1)  # Go: make(chan bool, 1)

    def loop():
        ticker = Ticker(interval)  # the ticker starts first ...
        failure_count = 0
        time.sleep(max(0.0, initial_delay))  # ... then the initial delay runs
        client = Client(address)
        while True:
            ticker.c.get()  # for range ticker.C
            status = client.get(request_timeout)
            if status is None or status != success_status_code:
                failure_count += 1
                if failure_count == failure_threshold:
                    failure_count -= 1  # v1.1: the count stays at n - 1, so false repeats
                    signals.put(False)  # blocks while the previous value is unread
            else:
                signals.put(True)
                failure_count = 0

    threading.Thread(target=loop, name="health-check", daemon=True).start()
    return signals


if __name__ == "__main__":
    run("dapr_checker_v1_1.py", start_endpoint_health_check, lambda url: Client(url).get(2.0))
