import type { IncomingMessage, ServerResponse } from 'node:http';
import { cleanPath, splitTarget, unescapePathLenient } from './go-path.js';
import { NO_HEADERS, writeGoResponse } from './go-response.js';
import { invalidServerOption, resolveServerOptions } from './options.js';
import { runHttpServer } from './run-server.js';
import type { HealthzHandler, SidecarHealthz, SidecarHealthzOptions } from './types.js';

const HEALTHZ = '/v1.0/healthz';
const OUTBOUND = '/v1.0/healthz/outbound';

const JSON_HEADERS = Object.freeze(['Content-Type', 'application/json']);
const ALLOW_HEADERS = Object.freeze(['Allow', 'GET, OPTIONS']);
const TEXT = 'text/plain; charset=utf-8';

/**
 * Dapr's error bodies, byte for byte (`NewErrorResponse(code, message)` marshalled by
 * encoding/json, so field order is errorCode, message).
 *
 * @example
 * SIDECAR_ERRORS.notReady; // '{"errorCode":"ERR_HEALTH_NOT_READY","message":"dapr is not ready"}'
 */
export const SIDECAR_ERRORS = Object.freeze({
  notReady: '{"errorCode":"ERR_HEALTH_NOT_READY","message":"dapr is not ready"}',
  outboundNotReady: '{"errorCode":"ERR_OUTBOUND_HEALTH_NOT_READY","message":"dapr outbound is not ready"}',
  appIdNotMatch: '{"errorCode":"ERR_HEALTH_APPID_NOT_MATCH","message":"dapr app-id does not match"}',
});

/**
 * Creates the sidecar's healthz endpoint (daprd `GET /v1.0/healthz`): 204 when ready, 500 with
 * Dapr's JSON error when not; it starts not ready. Only GET is routed (other methods 405 with
 * `Allow: GET, OPTIONS`, OPTIONS 200), `/v1.0/healthz/` redirects 301. Options add later
 * Dapr's `/v1.0/healthz/outbound` and `?appid=` check. See docs/semantics.md §3.
 *
 * @example
 * const sidecar = createSidecarHealthz({ appId: 'orders', outbound: true });
 * http.createServer(sidecar.handler).listen(3500, '127.0.0.1');
 * sidecar.ready();          // GET /v1.0/healthz → 204
 * sidecar.outboundReady();  // GET /v1.0/healthz/outbound → 204
 */
export function createSidecarHealthz(options: SidecarHealthzOptions = {}): SidecarHealthz {
  const resolved = resolveServerOptions('createSidecarHealthz', options);
  const { appId, outbound = false } = options;
  if (appId !== undefined && typeof appId !== 'string') {
    throw invalidServerOption(
      'createSidecarHealthz',
      'appId',
      appId,
      'is not a string',
      'Pass the app id, e.g. "orders"',
    );
  }
  if (typeof outbound !== 'boolean') {
    throw invalidServerOption(
      'createSidecarHealthz',
      'outbound',
      outbound,
      'is not a boolean',
      'Pass true to serve /v1.0/healthz/outbound',
    );
  }
  const { dates } = resolved;
  let ready = false;
  let outboundReady = false;

  const handler: HealthzHandler = (req: IncomingMessage, res: ServerResponse, next) => {
    const target = req.url ?? '/';
    // The hot path: a probe of the exact path without a query.
    if (target === HEALTHZ && req.method === 'GET' && appId === undefined) {
      if (ready) writeGoResponse(req, res, 204, NO_HEADERS, '', dates);
      else writeGoResponse(req, res, 500, JSON_HEADERS, SIDECAR_ERRORS.notReady, dates);
      return;
    }
    const split = splitTarget(target);
    // fasthttp normalises the path (decodes, collapses `//`, resolves dot segments) without
    // redirecting; the router then only redirects a trailing slash.
    const path = split ? cleanPath(unescapePathLenient(split.rawPath)) : undefined;
    const known = path === HEALTHZ || (outbound && path === OUTBOUND);
    const slashed = path === `${HEALTHZ}/` || (outbound && path === `${OUTBOUND}/`);
    if (!known && !(slashed && req.method === 'GET')) {
      if (next) next();
      else writeGoResponse(req, res, 404, ['Content-Type', TEXT], 'Not Found', dates);
      return;
    }
    if (slashed) {
      const query = split?.rawQuery ? `?${split.rawQuery}` : '';
      writeGoResponse(req, res, 301, ['Location', `${path?.slice(0, -1)}${query}`], '', dates);
      return;
    }
    if (req.method === 'OPTIONS') {
      writeGoResponse(req, res, 200, ALLOW_HEADERS, '', dates);
      return;
    }
    if (req.method !== 'GET') {
      writeGoResponse(
        req,
        res,
        405,
        ['Allow', 'GET, OPTIONS', 'Content-Type', TEXT],
        'Method Not Allowed',
        dates,
      );
      return;
    }
    if (path === OUTBOUND) {
      if (outboundReady) writeGoResponse(req, res, 204, NO_HEADERS, '', dates);
      else writeGoResponse(req, res, 500, JSON_HEADERS, SIDECAR_ERRORS.outboundNotReady, dates);
      return;
    }
    if (!ready) {
      writeGoResponse(req, res, 500, JSON_HEADERS, SIDECAR_ERRORS.notReady, dates);
      return;
    }
    if (appId !== undefined && split?.rawQuery) {
      const asked = new URLSearchParams(split.rawQuery).get('appid');
      if (asked && asked !== appId) {
        writeGoResponse(req, res, 500, JSON_HEADERS, SIDECAR_ERRORS.appIdNotMatch, dates);
        return;
      }
    }
    writeGoResponse(req, res, 204, NO_HEADERS, '', dates);
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
    outboundReady() {
      outboundReady = true;
    },
    outboundNotReady() {
      outboundReady = false;
    },
    get isOutboundReady() {
      return outboundReady;
    },
    handler,
    run(signal, port, host) {
      return runHttpServer({ ...resolved, handler, signal, port, host, caller: 'sidecar healthz' });
    },
  };
}
