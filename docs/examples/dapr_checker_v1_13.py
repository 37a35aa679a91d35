#!/usr/bin/env python3
"""Dapr v1.13.0–v1.14.5's actor health checker, ported to Python, as a probekit conformance adapter.

Dapr's ``pkg/actors/health/health.go@v1.13.0`` (docs/profiles.md, "v1.10.5–v1.12.5 →
v1.13–v1.14"): a ``Checker`` whose ``Run`` alternates two phases, every probe in one thread, and
reports on an **unbuffered** channel (each value waits for its reader, and the loop with it). In
outline:

- *unhealthy*: make a ticker of the unhealthy interval (0.5 s), probe **at once**; on a success
  report ``true`` and leave; on a failure wait for the next tick (a waiting one is taken at once)
  and probe again. Nothing is reported while unhealthy: no ``false`` before the first success.
- *healthy*: once ``true`` was read, make a **new** ticker of the interval (3 s by default); on
  each tick probe: a success resets the count, a failure adds 1; when the count is ``>= n``
  report ``false`` and go back to the unhealthy phase (n <= 0: at the first healthy tick).
- a probe: a context with the request timeout (0: fails at once, nothing sent), Go's net/http
  (go_net_http.py: redirects followed, status at the headers), the body **closed unread**.

There is no initial delay in this version: PROBEKIT_INITIAL_DELAY_MS is ignored, and
PROBEKIT_INTERVAL_MS sets the healthy interval (the unhealthy one keeps its 0.5 s, as daprd
passes it).

    probekit conformance checker --exec "python3 docs/examples/dapr_checker_v1_13.py" --identify

The protocol is ``run`` in probekit_protocol.py, next to this file.
"""

import sys
import threading

sys.dont_write_bytecode = True  # importing the modules below leaves no __pycache__ in docs/examples
from go_net_http import Client, ProbeFailed  # noqa: E402
from probekit_protocol import Channel, Ticker, run  # noqa: E402

# pkg/actors/health/health.go@v1.13.0 defaults
DEFAULT_FAILURE_THRESHOLD = 2
DEFAULT_REQUEST_TIMEOUT = 2.0  # seconds
DEFAULT_HEALTHY_STATE_INTERVAL = 3.0
DEFAULT_UNHEALTHY_STATE_INTERVAL = 0.5
DEFAULT_SUCCESS_STATUS_CODE = 200


class Checker:
    """``health.New(opts...)``: ``run()`` probes, ``health_channel()`` is what it reports on."""

    def __init__(
        self,
        address,
        failure_threshold=DEFAULT_FAILURE_THRESHOLD,
        request_timeout=DEFAULT_REQUEST_TIMEOUT,
        healthy_state_interval=DEFAULT_HEALTHY_STATE_INTERVAL,
        unhealthy_state_interval=DEFAULT_UNHEALTHY_STATE_INTERVAL,
        success_status_code=DEFAULT_SUCCESS_STATUS_CODE,
        client=None,
    ):
        for name, interval in (("healthy", healthy_state_interval), ("unhealthy", unhealthy_state_interval)):
            if interval <= 0:
                # Go's NewTicker would panic when the phase starts; refuse up front instead.
                raise ValueError(f"non-positive {name} state interval for NewTicker: {interval}")
        self._ch = Channel(0)  # Go: make(chan bool), unbuffered
        self._address = address
        self._failure_threshold = failure_threshold
        self._request_timeout = request_timeout
        self._healthy_state_interval = healthy_state_interval
        self._unhealthy_state_interval = unhealthy_state_interval
        self._success_status_code = success_status_code
        self._client = client or Client("dapr_checker_v1_13.py")

    def health_channel(self):
        return self._ch

    def run(self):
        while True:
            self._do_unhealthy_state_check()
            self._do_healthy_state_check()

    def _do_unhealthy_state_check(self):
        ticker = Ticker(self._unhealthy_state_interval)
        try:
            while True:
                if self._get_state_health():  # at once, then after each tick
                    self._ch.put(True)  # waits for the reader
                    return
                ticker.c.get()
        finally:
            ticker.stop()

    def _do_healthy_state_check(self):
        ticker = Ticker(self._healthy_state_interval)  # made after true was read
        failure_count = 0
        try:
            while True:
                ticker.c.get()
                if self._get_state_health():
                    failure_count = 0
                else:
                    failure_count += 1
                if failure_count >= self._failure_threshold:
                    self._ch.put(False)
                    return
        finally:
            ticker.stop()

    def _get_state_health(self):
        try:
            response = self._client.do(self._address, self._request_timeout)
        except ProbeFailed:
            return False
        response.close()  # unread: the connection is dropped unless the body was empty
        return response.status == self._success_status_code


def start(address, initial_delay=None, interval=DEFAULT_HEALTHY_STATE_INTERVAL, **options):
    """The adapter's glue: ``New`` with the scenario's options, then ``go checker.Run(ctx)``.

    ``initial_delay`` is not an option of this version (docs/profiles.md): it is ignored.
    """
    checker = Checker(address, healthy_state_interval=interval, **options)
    threading.Thread(target=checker.run, name="health-check", daemon=True).start()
    return checker.health_channel()


def warm_up_probe(url):
    try:
        Client("dapr_checker_v1_13.py").do(url, 2.0).close()
    except ProbeFailed:
        pass


if __name__ == "__main__":
    run("dapr_checker_v1_13.py", start, warm_up_probe)
