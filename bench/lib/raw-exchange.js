// rawExchange(): send bytes, get bytes. For checking that two servers answer identically
// before comparing their speed.

import net from 'node:net';

/**
 * Opens a TCP connection to `url`'s host and port, writes `request` as is, and resolves with
 * everything received until the server closes the connection (send `Connection: close`).
 *
 * @example
 * const raw = await rawExchange('http://127.0.0.1:8080', 'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
 *
 * @param {string} url
 * @param {string} request
 * @param {number} [timeoutMs]  give up after this long (default 5000)
 * @returns {Promise<string>}
 */
export function rawExchange(url, request, timeoutMs = 5000) {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname.replace(/^\[|\]$/g, ''));
    let received = '';
    socket.setEncoding('latin1');
    socket.setTimeout(timeoutMs, () =>
      socket.destroy(new Error(`no close from ${url} within ${timeoutMs} ms`)),
    );
    socket.on('data', (chunk) => {
      received += chunk;
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(received));
    socket.write(request, 'latin1');
  });
}

/**
 * Replaces the value of a `Date:` header so responses made at different instants compare.
 * @param {string} raw
 */
export function maskDate(raw) {
  return raw.replace(/\r\nDate: [^\r]*\r\n/g, '\r\nDate: <date>\r\n');
}
