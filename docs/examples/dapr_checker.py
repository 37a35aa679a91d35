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

import queue
import sys
import threading
import time

sys.dont_write_bytecode = True  # importing the module below leaves no __pycache__ in docs/examples
from fasthttp_client import Client  # noqa: E402 - fasthttp's DoTimeout, keep-alive without retry
from probekit_protocol import Ticker, run  # noqa: E402 - the protocol and Go's time.Ticker

# applyDefaults() in pkg/health/health.go
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
        # Go's time.NewTicker panics on a non-positive interval; Dapr v1.0 dies with it.
        raise ValueError(f"non-positive interval for NewTicker: {interval}")
    signals = queue.Queue(maxsize=1)  # Go: make(chan bool, 1)

    def loop():
        ticker = Ticker(interval)  # the ticker starts first ...
        failure_count = 0
        time.sleep(max(0.0, initial_delay))  # ... then the initial delay runs
        client = Client(address, "dapr_checker.py")
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
