import type { Socket } from 'node:net';
import { buildConnector } from 'undici';

/** `HTTP/1.x 100 ` — the head of an interim `100 Continue` response. */
const CONTINUE_HEAD = /^HTTP\/1\.[01] 100[ \r]/;
/** Bytes needed to tell a `100` status line from any other. */
const STATUS_PREFIX = 'HTTP/1.1 100 '.length;
const HEAD_END = Buffer.from('\r\n\r\n');
/** Past this, held bytes that still look like an unfinished 100 head go to undici as they are. */
const MAX_HELD = 16 * 1024;

/**
 * An undici connector whose sockets drop an unsolicited `100 Continue` that comes before a
 * response, so the final response counts, as in Go's (and fasthttp's) clients.
 *
 * Why here: undici destroys the connection on any `100` it did not ask for (`SocketError: bad
 * response`, in its parser callback, before a dispatch handler sees it), so a server that sends
 * `100 Continue` unprompted looked `closed`. Our probes are body-less GETs on one request at a
 * time per connection (pipelining 1), so a response can only start after a request was written:
 * the filter looks at the first bytes after each write and strips whole `100` heads there,
 * and is a no-op for everything else. undici reads sockets with `read()` on `readable`, which
 * is what this wraps.
 *
 * @example
 * new Client(origin, { connect: skipContinueConnector({}) });
 */
export function skipContinueConnector(options: buildConnector.BuildOptions): buildConnector.connector {
  const connect = buildConnector(options);
  return (connectOptions, callback) =>
    connect(connectOptions, (error, socket) => {
      if (error !== null || socket === null) {
        callback(error ?? new Error('no socket'), null);
        return;
      }
      skipInterimContinue(socket);
      callback(null, socket);
    });
}

/** Wraps `socket.write` and `socket.read` (on this instance) to drop interim 100 heads. */
export function skipInterimContinue(socket: Socket): void {
  const write = socket.write;
  const read = socket.read;
  let atResponseStart = false;
  let held: Buffer | undefined;

  socket.write = function (this: Socket, ...args: Parameters<Socket['write']>) {
    atResponseStart = true;
    return write.apply(this, args);
  } as Socket['write'];

  socket.read = function (this: Socket, size?: number) {
    if (!atResponseStart) return read.call(this, size);
    const fresh = read.call(this, size) as Buffer | null;
    let chunk: Buffer;
    if (held === undefined) {
      if (fresh === null) return null;
      chunk = fresh;
    } else {
      chunk = fresh === null ? held : Buffer.concat([held, fresh]);
      held = undefined;
    }
    for (;;) {
      if (chunk.length < STATUS_PREFIX) {
        // Too short to tell: keep it for the next read (more bytes are on their way).
        if (chunk.length < MAX_HELD && !socket.readableEnded) {
          held = chunk;
          return null;
        }
        break;
      }
      if (!CONTINUE_HEAD.test(chunk.toString('latin1', 0, STATUS_PREFIX))) break;
      const end = chunk.indexOf(HEAD_END);
      if (end === -1) {
        if (chunk.length < MAX_HELD && !socket.readableEnded) {
          held = chunk;
          return null;
        }
        break;
      }
      chunk = chunk.subarray(end + HEAD_END.length);
      if (chunk.length === 0) return null;
    }
    atResponseStart = false;
    return chunk;
  } as Socket['read'];
}
