import type { IncomingMessage, ServerResponse } from 'node:http';
import { passesApiToken } from './api-token.js';
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
const TEXT_HEADERS = Object.freeze(['Content-Type', TEXT]);

/**
 * The route a GET for an unknown path is redirected to, as fasthttp/router's
 * `RedirectTrailingSlash` and `RedirectFixedPath` find it: the path differs from a route only
 * by one trailing slash or by letter case (`/v1.0/healthz/`, `/V1.0/HEALTHZ`).
 */
function repairPath(path: string | undefined, routes: readonly string[]): string | undefined {
  if (path === undefined || path === '/') return undefined;
  const folded = path.toLowerCase();
  const bare = folded.length > 1 && folded.endsWith('/') ? folded.slice(0, -1) : folded;
  return routes.find((route) => route === bare);
}

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
 * `Allow: GET, OPTIONS`, OPTIONS 200). A GET whose path differs from a route only by a trailing
 * slash or letter case (`/v1.0/healthz/`, `/v1.0/HEALTHZ`) answers 301 with an absolute
 * `Location: http://<Host>/v1.0/healthz`, as daprd's router does. Options add daprd's API token
 * check (`apiToken`) and later Dapr's `/v1.0/healthz/outbound` and `?appid=` check. See
 * docs/semantics.md §3.
 *
 * @example
 * const sidecar = createSidecarHealthz({ appId: 'orders', outbound: true, apiToken: 's3cret' });
 * http.createServer(sidecar.handler).listen(3500, '127.0.0.1');
 * sidecar.ready();          // GET /v1.0/healthz → 204 (no token needed: the URI has /healthz)
 * sidecar.outboundReady();  // GET /v1.0/healthz/outbound → 204
 *                           // GET /v1.0/HEALTHZ without dapr-api-token: s3cret → 401
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
  const { apiToken } = options;
  if (apiToken !== undefined && typeof apiToken !== 'string') {
    throw invalidServerOption(
      'createSidecarHealthz',
      'apiToken',
      apiToken,
      'is not a string',
      'Pass the token clients send in dapr-api-token, e.g. process.env.DAPR_API_TOKEN',
    );
  }
  // An empty token turns the check off, as an empty DAPR_API_TOKEN does in daprd.
  const token = apiToken === '' ? undefined : apiToken;
  const routes = outbound ? [HEALTHZ, OUTBOUND] : [HEALTHZ];
  const { dates } = resolved;
  let ready = false;
  let outboundReady = false;

  const handler: HealthzHandler = (req: IncomingMessage, res: ServerResponse, next) => {
    const target = req.url ?? '/';
    // The hot path: a probe of the exact path without a query (it contains /healthz, so the
    // token check would let it through anyway).
    if (target === HEALTHZ && req.method === 'GET' && appId === undefined) {
      if (ready) writeGoResponse(req, res, 204, NO_HEADERS, '', dates);
      else writeGoResponse(req, res, 500, JSON_HEADERS, SIDECAR_ERRORS.notReady, dates);
      return;
    }
    const split = splitTarget(target);
    // fasthttp normalises the path (decodes, collapses `//`, resolves dot segments) without
    // redirecting; the router then repairs only a trailing slash or letter case.
    const path = split ? cleanPath(unescapePathLenient(split.rawPath)) : undefined;
    const known = path !== undefined && routes.includes(path);
    const repaired = !known && req.method === 'GET' ? repairPath(path, routes) : undefined;
    if (token !== undefined && !passesApiToken(req, path ?? target, split?.rawQuery, token)) {
      // daprd checks the token before routing; mounted as middleware, paths it would not
      // answer are none of its business.
      if (next && !known && repaired === undefined) next();
      else writeGoResponse(req, res, 401, TEXT_HEADERS, 'invalid api token', dates);
      return;
    }
    if (repaired !== undefined) {
      // fasthttp's ctx.Redirect writes an absolute URL on the request's (lowercased) Host.
      const query = split?.rawQuery ? `?${split.rawQuery}` : '';
      const location = `http://${req.headers.host?.toLowerCase() ?? ''}${repaired}${query}`;
      writeGoResponse(req, res, 301, ['Location', location], '', dates);
      return;
    }
    if (!known) {
      if (next) next();
      else writeGoResponse(req, res, 404, TEXT_HEADERS, 'Not Found', dates);
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
      return runHttpServer({
        ...resolved,
        handler,
        signal,
        port,
        host,
        caller: 'sidecar healthz',
        goParser: false,
      });
    },
  };
}
