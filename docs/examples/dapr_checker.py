#!/usr/bin/env python3
"""Dapr v1.0's HTTP health checker, ported to Python, as a probekit conformance adapter.

This is a faithful port of ``StartEndpointHealthCheck`` from Dapr's ``pkg/health/health.go``
(commit 9341e3f, shipped as v1.0.0/v1.0.1), the Go code below, and a complete adapter for
probekit's checker process protocol 2 (docs/conformance.md)::

    signalChan := make(chan bool, 1)
    go func(ch chan<- bool, endpointAddress string, options *healthCheckOptions) {
        ticker := time.NewTicker(options.interval)
        failureCount := 0
        time.Sleep(options.initialDelay)
        client := &fasthttp.Client{MaxConnsPerHost: 5, ReadTimeout: options.requestTimeout}
        ...
        for range ticker.C {
            err := client.DoTimeout(req, resp, options.requestTimeout)
            if err != nil || resp.StatusCode() != options.successStatusCode {
                failureCount++
                if failureCount == options.failureThreshold {
                    ch <- false
                }
            } else {
                ch <- true
                failureCount = 0
            }
        }
    }(signalChan, endpointAddress, options)
    return signalChan

Run the conformance suite against it (standard library only, Python 3.8+)::

    probekit conformance checker --exec "python3 docs/examples/dapr_checker.py"

The protocol, as this program speaks it (``run`` in probekit_protocol.py, next to this file, shared
with the ports of later Dapr versions): probekit sets PROBEKIT_PROTOCOL=2 (or 1, from an older
probekit), PROBEKIT_URL and one PROBEKIT_* variable per option the scenario sets (unset: use the
default); the program prints ``start`` right before starting the checker, then each signal it
reads as ``true`` / ``false``, one per line, flushed at once; from protocol 2 on, each line also
carries ``time.monotonic_ns()`` taken when the event happened (``true 5312973400112``), so a busy
probekit does not shift the times; it does not read the signals before PROBEKIT_READ_DELAY_MS;
logs go to stderr; probekit ends it with SIGTERM.
"""

import http.client
import queue
import select
import socket
import sys
import threading
import time
import urllib.parse

sys.dont_write_bytecode = True  # importing the module below leaves no __pycache__ in docs/examples
from probekit_protocol import Ticker, run  # noqa: E402 - the protocol and Go's time.Ticker

# applyDefaults() in pkg/health/health.go
DEFAULT_INITIAL_DELAY = 1.0  # seconds
DEFAULT_REQUEST_TIMEOUT = 2.0
DEFAULT_FAILURE_THRESHOLD = 2
DEFAULT_INTERVAL = 5.0
DEFAULT_SUCCESS_STATUS_CODE = 200

# fasthttp.Client's MaxIdleConnDuration: how long an idle keep-alive connection is kept.
MAX_IDLE_CONN_DURATION = 10.0


class _Connection(http.client.HTTPConnection):
    """A keep-alive connection that another thread can cancel, even while it connects."""

    def __init__(self, host, port, timeout):
        super().__init__(host, port, timeout=timeout)
        self._lock = threading.Lock()
        self._cancelled = False
        self.idle_since = time.monotonic()
        self.keep_alive = MAX_IDLE_CONN_DURATION

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

    def reusable(self):
        """Whether this idle connection can carry the next request (like urllib3's check)."""
        if self.sock is None or self._cancelled:
            return False
        if time.monotonic() - self.idle_since >= self.keep_alive:
            return False
        # An idle connection that is readable was closed by the server (or holds garbage).
        readable, _, _ = select.select([self.sock], [], [], 0)
        return not readable


class Client:
    """What the checker uses of fasthttp: GET with a deadline on the whole exchange.

    Like ``fasthttp.Client.DoTimeout``: the request runs on its own thread and the caller gives
    up at the deadline (the connection is then closed, so the next probe opens a new one); the
    whole response, body included, must arrive in time; redirects are not followed (a 3xx is
    just a status); the connection is kept alive and reused otherwise.
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
        conn = self._idle if self._idle is not None and self._idle.reusable() else None
        if conn is None:
            if self._idle is not None:
                self._idle.close()
            conn = _Connection(self._host, self._port, timeout)
        self._idle = None
        result = {}
        done = threading.Event()

        def exchange():
            try:
                conn.request("GET", self._target, headers={"User-Agent": "dapr_checker.py"})
                response = conn.getresponse()
                response.read()  # fasthttp reads the whole body before DoTimeout returns
                result["status"] = response.status
                hint = response.getheader("Keep-Alive") or ""
                for part in hint.split(","):
                    name, _, value = part.strip().partition("=")
                    if name.lower() == "timeout" and value.isdigit():
                        # Leave before the server does (undici's margin): no request on a dying connection.
                        conn.keep_alive = min(MAX_IDLE_CONN_DURATION, max(0.0, int(value) - 1.0))
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
            conn.close()
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
        # Go's time.NewTicker panics on a non-positive interval; Dapr v1.0 dies with it.
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
                    signals.put(False)  # blocks while the previous value is unread
            else:
                signals.put(True)
                failure_count = 0

    threading.Thread(target=loop, name="health-check", daemon=True).start()
    return signals


def main():
    # Dapr's ticker starts in a goroutine after the call returns: "start" is stamped right before it.
    run("dapr_checker.py", start_endpoint_health_check, lambda url: Client(url).get(2.0))


if __name__ == "__main__":
    main()
