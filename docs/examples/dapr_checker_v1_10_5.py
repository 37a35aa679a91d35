#!/usr/bin/env python3
"""Dapr v1.10.5–v1.12.5's HTTP health checker, ported to Python, as a probekit conformance adapter.

Dapr's ``pkg/health/health.go@v1.11.0`` (docs/profiles.md, "v1.9–v1.10.4 → v1.10.5–v1.12.5"):
the caller makes the ticker, a goroutine waits the initial delay and then starts **one goroutine
per tick**, so the loop never blocks and probes overlap when an answer is slower than the
interval. Each probe uses Go's net/http (go_net_http.py) and an atomic failure count. In outline
(``health.go@v1.11.0:63-117``):

1. the caller makes the ticker (ticks at k * interval from the call) and the channel of one;
2. a goroutine waits the initial delay (if > 0), then, for each tick it reads, starts a probe
   goroutine at once: nothing the probes do can hold the ticks back;
3. a probe: a context with the request timeout, ``client.Do``; a failure adds 1 to the count
   and, when the count is now >= n, stores n - 1 and sends false; a success sends true, then
   stores 0; only then is the body drained and closed.

What a scenario sees: false on every failure once the count reaches n (then count = n - 1),
false on every failure when n <= 0; true on every success; the signal channel holds one value
and every probe blocked on it waits its turn, so probing goes on while nobody reads; redirects
followed, the status judged at the headers, a timeout of 0 fails unsent, a GET that a reused
connection loses before any answer is sent again.

    probekit conformance checker --exec "python3 docs/examples/dapr_checker_v1_10_5.py" --identify

The protocol is ``run`` in probekit_protocol.py, next to this file.
"""

import sys
import threading
import time

sys.dont_write_bytecode = True  # importing the modules below leaves no __pycache__ in docs/examples
from go_net_http import Client, ProbeFailed  # noqa: E402
from probekit_protocol import Channel, Ticker, run  # noqa: E402

# applyDefaults() in pkg/health/health.go@v1.11.0
DEFAULT_INITIAL_DELAY = 1.0  # seconds
DEFAULT_REQUEST_TIMEOUT = 2.0
DEFAULT_FAILURE_THRESHOLD = 2
DEFAULT_INTERVAL = 5.0
DEFAULT_SUCCESS_STATUS_CODE = 200


class AtomicInt32:
    """``atomic.Int32``: Add and Store, each indivisible."""

    def __init__(self):
        self._value = 0
        self._lock = threading.Lock()

    def add(self, delta):
        with self._lock:
            self._value += delta
            return self._value

    def store(self, value):
        with self._lock:
            self._value = value


def start_endpoint_health_check(
    address,
    initial_delay=DEFAULT_INITIAL_DELAY,
    request_timeout=DEFAULT_REQUEST_TIMEOUT,
    failure_threshold=DEFAULT_FAILURE_THRESHOLD,
    interval=DEFAULT_INTERVAL,
    success_status_code=DEFAULT_SUCCESS_STATUS_CODE,
    client=None,
):
    """StartEndpointHealthCheck: returns the signal channel (capacity 1, senders queue behind it).

    ``client`` is ``WithHTTPClient``; without it, ``&http.Client{}`` (redirects followed).
    """
    if interval <= 0:
        # Go's NewTicker panics on a non-positive interval, here in the caller.
        raise ValueError(f"non-positive interval for NewTicker: {interval}")
    signals = Channel(1)  # Go: make(chan bool, 1)
    failure_count = AtomicInt32()
    ticker = Ticker(interval)  # made by the caller, before the goroutine
    client = client or Client("dapr_checker_v1_10_5.py")

    def do_health_check():
        try:
            response = client.do(address, request_timeout)
        except ProbeFailed:
            response = None
        if response is None or response.status != success_status_code:
            if failure_count.add(1) >= failure_threshold:
                failure_count.store(failure_threshold - 1)
                signals.put(False)  # blocks this goroutine only, while the channel is full
        else:
            signals.put(True)
            failure_count.store(0)
        if response is not None:
            response.drain_and_close()  # after the signal: a slow body never delays it

    def loop():
        if initial_delay > 0:
            time.sleep(initial_delay)  # one tick waits meanwhile, later ones are dropped
        while True:
            ticker.c.get()
            threading.Thread(target=do_health_check, name="probe", daemon=True).start()  # go doHealthCheck(...)

    threading.Thread(target=loop, name="health-check", daemon=True).start()
    return signals


def warm_up_probe(url):
    try:
        Client("dapr_checker_v1_10_5.py").do(url, 2.0).drain_and_close()
    except ProbeFailed:
        pass


if __name__ == "__main__":
    run("dapr_checker_v1_10_5.py", start_endpoint_health_check, warm_up_probe)
