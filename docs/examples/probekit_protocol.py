"""What every Python port of a Dapr health checker needs besides the checker itself.

- ``run(program, start, probe_once)``: probekit's checker process protocol 2 (docs/conformance.md),
  the ``main`` of an adapter: read PROBEKIT_* variables, warm up, print ``start``, then each signal
  the consumer reads, stamped with ``time.monotonic_ns()``.
- ``Ticker``: Go's ``time.Ticker`` (Go <= 1.22, as every Dapr with an endpoint checker shipped).
- ``Channel``: a Go channel of capacity 0 or more, blocked senders queueing in order.

Standard library only, Python 3.8+. The ports in this folder import it; a port of your own can
copy the one function it needs.
"""

import collections
import os
import queue
import sys
import threading
import time


class Ticker:
    """Go's time.Ticker: ticks due at k * interval from creation, in a channel that holds one.

    A tick that comes due while one is already waiting is dropped, as Go's ticker does for a
    slow receiver; the next ones stay on the k * interval grid. ``stop()`` ends the ticks (a
    tick already waiting stays in ``c``, as in Go).
    """

    def __init__(self, interval):
        self.c = queue.Queue(maxsize=1)  # Go: make(chan Time, 1)
        self._interval = interval
        self._start = time.monotonic()
        self._stopped = False
        thread = threading.Thread(target=self._run, name="ticker", daemon=True)
        thread.start()

    def stop(self):
        self._stopped = True

    def _run(self):
        k = 1
        while not self._stopped:
            due = self._start + k * self._interval
            delay = due - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            if self._stopped:
                return
            try:
                self.c.put_nowait(due)
            except queue.Full:
                pass  # dropped: a tick is already waiting
            k += 1


class Channel:
    """A Go channel: ``put`` is ``ch <- v``, ``get`` is ``<-ch``.

    ``capacity`` values wait in the buffer; past it, each sender blocks until a reader takes
    its value, and blocked senders are served in the order they came (Go's send queue). With
    capacity 0 every ``put`` waits for its reader (an unbuffered channel).
    """

    def __init__(self, capacity):
        self._capacity = capacity
        self._buffer = collections.deque()
        self._senders = collections.deque()  # [value, taken] of each blocked sender, in order
        self._changed = threading.Condition()

    def put(self, value):
        with self._changed:
            if len(self._buffer) < self._capacity and not self._senders:
                self._buffer.append(value)
                self._changed.notify_all()
                return
            sender = [value, False]
            self._senders.append(sender)
            self._changed.notify_all()
            while not sender[1]:
                self._changed.wait()

    def get(self):
        with self._changed:
            while not self._buffer and not self._senders:
                self._changed.wait()
            if self._buffer:
                value = self._buffer.popleft()
                if self._senders:
                    # Go moves the first blocked sender's value into the freed slot.
                    sender = self._senders.popleft()
                    self._buffer.append(sender[0])
                    sender[1] = True
            else:
                sender = self._senders.popleft()
                value = sender[0]
                sender[1] = True
            self._changed.notify_all()
            return value


# PROBEKIT_* variable -> keyword of the port's start function, and the scale to seconds.
OPTIONS = (
    ("PROBEKIT_INITIAL_DELAY_MS", "initial_delay", 1000),
    ("PROBEKIT_INTERVAL_MS", "interval", 1000),
    ("PROBEKIT_REQUEST_TIMEOUT_MS", "request_timeout", 1000),
    ("PROBEKIT_FAILURE_THRESHOLD", "failure_threshold", None),
    ("PROBEKIT_SUCCESS_STATUS_CODE", "success_status_code", None),
)


def _env_int(program, name):
    text = os.environ.get(name)
    if text is None:
        return None
    try:
        return int(text)
    except ValueError:
        print(f"{program}: {name}={text!r} is not an integer", file=sys.stderr)
        sys.exit(2)


def warm_up(probe_once):
    """One probe against a throwaway server of our own, before "start".

    The first exchange pays for lazy imports, thread start-up and code paths run for the first
    time (a few ms); done here, it does not make the first real probe late. Never warm up
    against PROBEKIT_URL: probekit counts every request it receives as a probe.
    """
    import http.server

    class Quiet(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        probe_once(f"http://127.0.0.1:{server.server_address[1]}/")
    finally:
        server.shutdown()
        server.server_close()


def run(program, start, probe_once):
    """The adapter's main: probekit's checker process protocol 1 or 2.

    ``start(url, **options)`` starts the checker and returns its signal channel (anything with a
    blocking ``get()``); options the scenario leaves unset are not passed (use your defaults); a
    ValueError from it is a refusal (exit 2). ``probe_once(url)`` makes one probe with the
    checker's own client, for the warm-up.
    """
    protocol = os.environ.get("PROBEKIT_PROTOCOL")
    if protocol not in ("1", "2"):
        print(f"{program}: speaks probekit checker protocol 1 or 2, got {protocol!r}", file=sys.stderr)
        sys.exit(2)
    stamped = protocol != "1"  # protocol 1 refuses a second field

    def emit(word, at_ns):
        # CLOCK_MONOTONIC in ns, read when the event happened: probekit's axis, not the print's.
        print(f"{word} {at_ns}" if stamped else word, flush=True)

    options = {}
    for name, key, scale in OPTIONS:
        value = _env_int(program, name)
        if value is not None:
            options[key] = value / scale if scale else value
    read_delay = (_env_int(program, "PROBEKIT_READ_DELAY_MS") or 0) / 1000

    warm_up(probe_once)
    # t = 0: probekit measures every probe and signal from this instant, right before the call.
    started = time.monotonic_ns()
    try:
        signals = start(os.environ["PROBEKIT_URL"], **options)
    except ValueError as error:
        print(f"{program}: {error}", file=sys.stderr)
        sys.exit(2)
    emit("start", started)
    # A late consumer: not reading lets the channel fill up (and, in most versions, block the loop).
    if read_delay > 0:
        time.sleep(read_delay)
    try:
        while True:
            healthy = signals.get()
            emit("true" if healthy else "false", time.monotonic_ns())
    except KeyboardInterrupt:
        pass
