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

import queue
import sys
import threading
import time

sys.dont_write_bytecode = True  # importing the module below leaves no __pycache__ in docs/examples
from fasthttp_client import Client  # noqa: E402 - fasthttp's DoTimeout, keep-alive without retry
from probekit_protocol import Ticker, run  # noqa: E402

# applyDefaults() in pkg/health/health.go@v1.1.0
DEFAULT_INITIAL_DELAY = 1.0  # seconds
DEFAULT_REQUEST_TIMEOUT = 2.0
DEFAULT_FAILURE_THRESHOLD = 2
DEFAULT_INTERVAL = 5.0
DEFAULT_SUCCESS_STATUS_CODE = 200

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
        client = Client(address, "dapr_checker_v1_1.py")
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
