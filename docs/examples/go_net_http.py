"""What Dapr's later health checkers see of Go's net/http client, in Python (standard library).

Dapr v1.10.5 on probes with ``http.Client{}`` over ``http.DefaultTransport`` and a context
deadline (docs/profiles.md; Go 1.19/1.20). The rules a probekit scenario can see:

- **one deadline per probe** (``context.WithTimeout``) over the dial, every redirect and the
  headers; a deadline of 0 or less has expired before ``Do``: the probe fails, nothing sent.
  The body, read later, is cut at the same deadline (the connection is then closed);
- **redirects followed**: 301, 302, 303, 307 and 308 with a ``Location``, resolved against the
  request's URL, each hop a new GET; at most 10 requests (``stopped after 10 redirects``); a
  3xx without ``Location`` is returned as it is;
- the status is known **when the headers arrive**: ``do`` returns then, and the caller drains
  the body (``drain_and_close``) or closes it unread (``close``: the connection is dropped
  unless the body was empty);
- **keep-alive**: idle connections pooled (2 per host, 90 s), the most recent reused first; one
  that the server closed while idle is noticed and dropped (Go's read loop sees the EOF);
- **a GET that fails before the first response byte on a reused connection is sent again**, on
  another connection (``shouldRetryRequest``); on a fresh connection a failure is final.

Only IP literals are dialled (no DNS lookups from an example): a name fails the probe.
"""

import http.client
import ipaddress
import select
import socket
import threading
import time
import urllib.parse

MAX_IDLE_CONNS_PER_HOST = 2  # http.DefaultMaxIdleConnsPerHost
IDLE_CONN_TIMEOUT = 90.0  # http.DefaultTransport's IdleConnTimeout, seconds
MAX_REQUESTS = 10  # defaultCheckRedirect: the 10th redirect is not followed
REDIRECTS = (301, 302, 303, 307, 308)  # redirectBehavior; 300, 304, 305, 306 are returned as is
MAX_BODY_SLURP = 2048  # a redirect's body is read this far so that its connection can be reused


class ProbeFailed(Exception):
    """Any failure of ``Client.do``: the probe counts as failed."""


class _Connection(http.client.HTTPConnection):
    """A keep-alive connection that the deadline can cancel from another thread."""

    def __init__(self, host, port, timeout):
        super().__init__(host, port, timeout=timeout)
        self.key = (host, port)
        self.idle_since = time.monotonic()
        self._lock = threading.Lock()
        self._cancelled = False

    def connect(self):
        super().connect()
        with self._lock:
            if self._cancelled:
                self.sock.close()
                raise ConnectionAbortedError("probe deadline passed while connecting")

    def cancel(self):
        """The context's deadline: whatever this connection is doing ends now."""
        with self._lock:
            self._cancelled = True
            if self.sock is not None:
                try:
                    self.sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def closed_while_idle(self):
        """Whether the server closed this idle connection (an idle one that is readable)."""
        if self.sock is None or self._cancelled:
            return True
        readable, _, _ = select.select([self.sock], [], [], 0)
        return bool(readable)


class _Deadline:
    """``context.WithTimeout``: at the deadline, the connection in use is cancelled."""

    def __init__(self, timeout):
        self._lock = threading.Lock()
        self._conn = None
        self.expired = False
        self._timer = threading.Timer(timeout, self._fire)
        self._timer.daemon = True
        self._timer.start()

    def _fire(self):
        with self._lock:
            self.expired = True
            conn = self._conn
        if conn is not None:
            conn.cancel()

    def attach(self, conn):
        with self._lock:
            self._conn = conn
            expired = self.expired
        if expired:
            conn.cancel()

    def finish(self):
        """Stops the timer; True when it fired first (the connection was cancelled)."""
        self._timer.cancel()
        with self._lock:
            self._conn = None
            return self.expired


class Response:
    """A response whose status is known and whose body is still on the connection."""

    def __init__(self, client, conn, response, deadline):
        self.status = response.status
        self._client = client
        self._conn = conn
        self._response = response
        self._deadline = deadline

    def drain_and_close(self):
        """``io.Copy(io.Discard, res.Body); res.Body.Close()``: cut at the probe's deadline."""
        try:
            self._response.read()
            drained = True
        except Exception:  # noqa: BLE001 - a cut body only closes the connection
            drained = False
        expired = self._deadline.finish()
        self._client.release(self._conn, drained and not expired and not self._response.will_close)

    def close(self):
        """``resp.Body.Close()`` unread: the connection is reused only if the body was empty."""
        expired = self._deadline.finish()
        empty = self._response.length == 0 and not self._response.chunked
        if empty and not expired and not self._response.will_close:
            self._response.read()
            self._client.release(self._conn, True)
        else:
            self._client.release(self._conn, False)


class Client:
    """``&http.Client{}``: GET with a deadline, redirects followed, keep-alive with Go's retry."""

    def __init__(self, user_agent):
        self._user_agent = user_agent
        self._lock = threading.Lock()
        self._idle = {}  # (host, port) -> idle connections, the most recent last

    def do(self, url, timeout):
        """The response (status at headers, body unread); ProbeFailed for any failure."""
        if timeout <= 0:
            raise ProbeFailed("context deadline exceeded: nothing sent")
        deadline = _Deadline(timeout)
        try:
            for sent in range(1, MAX_REQUESTS + 1):
                conn, response = self._round_trip(url, deadline, timeout)
                location = response.getheader("Location")
                if response.status not in REDIRECTS or not location:
                    return Response(self, conn, response, deadline)
                if sent == MAX_REQUESTS:
                    raise ProbeFailed(f"stopped after {MAX_REQUESTS} redirects")
                self._discard(conn, response)
                url = urllib.parse.urljoin(url, location)
            raise ProbeFailed("unreachable")
        except ProbeFailed:
            deadline.finish()
            raise
        except Exception as error:  # noqa: BLE001 - every failure is just a failed probe
            deadline.finish()
            raise ProbeFailed(str(error)) from error

    def release(self, conn, reusable):
        """Back to the idle pool (when there is room), or closed."""
        if reusable:
            with self._lock:
                idle = self._idle.setdefault(conn.key, [])
                if len(idle) < MAX_IDLE_CONNS_PER_HOST:
                    conn.idle_since = time.monotonic()
                    idle.append(conn)
                    return
        conn.close()

    def _round_trip(self, url, deadline, timeout):
        parsed = urllib.parse.urlsplit(url)
        if parsed.scheme != "http" or not parsed.hostname:
            raise ProbeFailed(f"unsupported URL {url!r}")
        ipaddress.ip_address(parsed.hostname)  # ValueError for a name: no DNS from an example
        key = (parsed.hostname, parsed.port or 80)
        target = (parsed.path or "/") + (f"?{parsed.query}" if parsed.query else "")
        while True:
            conn, reused = self._connection(key, timeout)
            deadline.attach(conn)
            try:
                conn.request("GET", target, headers={"User-Agent": self._user_agent})
                response = conn.getresponse()
                if deadline.expired:
                    # http.client takes an EOF among the headers for their end; Go does not.
                    raise ProbeFailed("context deadline exceeded while reading the headers")
                return conn, response
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                conn.close()
                if reused and not deadline.expired:
                    continue  # shouldRetryRequest: nothing came back on a reused connection
                raise
            except Exception:
                conn.close()
                raise

    def _connection(self, key, timeout):
        with self._lock:
            idle = self._idle.get(key, [])
            while idle:
                conn = idle.pop()
                if time.monotonic() - conn.idle_since < IDLE_CONN_TIMEOUT and not conn.closed_while_idle():
                    return conn, True
                conn.close()
        return _Connection(key[0], key[1], timeout), False

    def _discard(self, conn, response):
        """A redirect's body: read up to 2 KB so that the connection can carry the next hop."""
        try:
            response.read(MAX_BODY_SLURP)
            done = response.isclosed()
        except Exception:  # noqa: BLE001
            done = False
        self.release(conn, done and not response.will_close)
