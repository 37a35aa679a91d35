import type { IncomingMessage, ServerResponse } from 'node:http';
import { cleanPath, escapePath, htmlEscape, splitTarget, unescapePath } from './go-path.js';
import { type DateSource, NO_HEADERS, writeGoRejection, writeGoResponse } from './go-response.js';
import { resolveServerOptions } from './options.js';
import { runHttpServer } from './run-server.js';
import type { HealthzHandler, HealthzServer, HealthzServerOptions } from './types.js';

const PATTERN = '/healthz';

const NOT_FOUND_HEADERS = Object.freeze([
  'Content-Type',
  'text/plain; charset=utf-8',
  'X-Content-Type-Options',
  'nosniff',
]);
const NOT_FOUND_BODY = '404 page not found\n';

/** How Go's `ServeMux` (with only `/healthz` registered) treats a request target. */
type Route =
  | { kind: 'serve' }
  | { kind: 'not-found' }
  | { kind: 'redirect'; location: string }
  | { kind: 'bad-request' }
  | { kind: 'asterisk' };

const SERVE: Route = { kind: 'serve' };
const NOT_FOUND: Route = { kind: 'not-found' };

function route(target: string): Route {
  // The hot path: a probe of the exact path, with or without a query.
  if (target === PATTERN || (target.startsWith(PATTERN) && target.charCodeAt(PATTERN.length) === 63)) {
    return SERVE;
  }
  if (target === '*') return { kind: 'asterisk' };
  const split = splitTarget(target);
  if (!split) return { kind: 'bad-request' };
  const path = unescapePath(split.rawPath);
  if (path === undefined) return { kind: 'bad-request' };
  const clean = cleanPath(path);
  if (clean !== path) {
    const query = split.rawQuery ? `?${split.rawQuery}` : '';
    return { kind: 'redirect', location: `${escapePath(clean)}${query}` };
  }
  return path === PATTERN ? SERVE : NOT_FOUND;
}

/**
 * Go's `ServeMux` for CONNECT: the path is not cleaned (no redirect), and an authority-form
 * target (`CONNECT 127.0.0.1:8080`) has an empty path, which matches nothing.
 */
function connectRoute(target: string): Route {
  if (target[0] !== '/') return NOT_FOUND;
  const split = splitTarget(target);
  const path = split ? unescapePath(split.rawPath) : undefined;
  if (path === undefined) return { kind: 'bad-request' };
  return path === PATTERN ? SERVE : NOT_FOUND;
}

/**
 * Creates Dapr's control-plane healthz server (`pkg/health` `NewServer`): `/healthz` with any
 * method answers 200 when ready and 503 when not, with an empty body; it starts not ready.
 * Every other path gets Go's `404 page not found`, and unclean paths (`//healthz`) Go's 301.
 * Byte-for-byte what Go's `net/http` sent, except the status line of HTTP/1.0 responses
 * (Node always writes `HTTP/1.1`); see docs/semantics.md §2.
 *
 * @example
 * const healthz = createHealthzServer();
 * const controller = new AbortController();
 * const stopped = healthz.run(controller.signal, 8080);
 * healthz.ready();             // GET /healthz → 200
 * controller.abort();          // graceful shutdown (5 s grace)
 * await stopped;
 */
export function createHealthzServer(options: HealthzServerOptions = {}): HealthzServer {
  const resolved = resolveServerOptions('createHealthzServer', options);
  const { dates } = resolved;
  let ready = false;

  const handler: HealthzHandler = (req: IncomingMessage, res: ServerResponse, next) => {
    const target = req.url ?? '/';
    const found = req.method === 'CONNECT' ? connectRoute(target) : route(target);
    if (found.kind === 'serve') {
      writeGoResponse(req, res, ready ? 200 : 503, NO_HEADERS, '', dates);
      return;
    }
    if (next) {
      next();
      return;
    }
    respondOther(req, res, found, dates);
  };

  return {
    ready() {
      ready = true;
    },
    notReady() {
      ready = false;
    },
    get isReady() {
      return ready;
    },
    handler,
    run(signal, port, host) {
      return runHttpServer({
        ...resolved,
        handler,
        signal,
        port,
        host,
        caller: 'healthz server',
        goParser: true,
      });
    },
  };
}

function respondOther(req: IncomingMessage, res: ServerResponse, found: Route, dates: DateSource): void {
  switch (found.kind) {
    case 'redirect':
      writeRedirect(req, res, found.location, dates);
      return;
    case 'bad-request':
      // Go's request parser rejects these before the mux sees them.
      writeGoRejection(res, 400, 'Bad Request');
      return;
    case 'asterisk':
      if (req.method === 'OPTIONS') {
        // Go's server answers `OPTIONS *` itself (globalOptionsHandler).
        writeGoResponse(req, res, 200, NO_HEADERS, '', dates);
      } else if (req.httpVersionMinor >= 1) {
        // ServeMux sets `Connection: close` as a handler header (so it sorts before Date).
        const date = (dates.custom ?? dates.fallback)();
        res.writeHead(400, [
          'Connection',
          'close',
          'Date',
          date,
          ...(req.method === 'HEAD' ? [] : ['Content-Length', '0']),
        ]);
        res.end();
      } else {
        res.shouldKeepAlive = false;
        writeGoResponse(req, res, 400, NO_HEADERS, '', dates);
      }
      return;
    default:
      writeGoResponse(req, res, 404, NOT_FOUND_HEADERS, NOT_FOUND_BODY, dates);
  }
}

/** Go's `http.Redirect(w, r, url, 301)`: an HTML body for GET, headers only otherwise. */
function writeRedirect(req: IncomingMessage, res: ServerResponse, location: string, dates: DateSource): void {
  const withBody = req.method === 'GET' || req.method === 'HEAD';
  const headers = withBody
    ? ['Content-Type', 'text/html; charset=utf-8', 'Location', location]
    : ['Location', location];
  const body = req.method === 'GET' ? `<a href="${htmlEscape(location)}">Moved Permanently</a>.\n\n` : '';
  writeGoResponse(req, res, 301, headers, body, dates);
}
