"""What Dapr's checker uses of fasthttp (v1.16–v1.31): ``DoTimeout``, a GET with a deadline.

Shared by the ports of Dapr v1.0 (dapr_checker.py) and v1.1 (dapr_checker_v1_1.py), which
pinned those fasthttp versions. What a server can see of it:

- the whole response, body included, must arrive within the timeout; the request runs on its
  own thread and the caller gives up at the deadline, closing the connection (the next probe
  opens a new one), as ``clientDoDeadline`` does;
- redirects are not followed: a 3xx is just a status; a timeout of 0 fails at once, unsent;
- keep-alive **without retry** (``MaxIdemponentCallAttempts: 1``): an idle connection is reused
  as it is, without looking whether the server closed it, so a probe written into a connection
  the server closed fails and never reaches it (measured on Dapr v1.0, docs/semantics.md §1);
  fasthttp drops an idle connection itself only after ``MaxIdleConnDuration`` (10 s), and reads
  no ``Keep-Alive`` hint.
"""

import http.client
import socket
import threading
import time
import urllib.parse

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

    def __init__(self, address, user_agent="fasthttp"):
        self._user_agent = user_agent
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
                conn.request("GET", self._target, headers={"User-Agent": self._user_agent})
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
